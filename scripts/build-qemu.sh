#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds Debian's QEMU 10.0 source (or VBUS_QEMU_SRC) with qemu-patches/ applied.
#
# The build tree is reused: when the key (QEMU version, patches, configure
# arguments, this script) changes, the source is reset to Debian's tree,
# the series is applied again with "git am" and ninja rebuilds what changed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# The targets wanted (make demo wants x86_64 only); a build of the same
# source and series that has them already is up to date, and one that
# lacks some gains them: the targets built are kept in $top/targets.
want=${VBUS_QEMU_TARGETS:-x86_64-softmmu,s390x-softmmu}

# Another QEMU (scripts/check-qemu.sh): its source and build tree.
qsrc=$(readlink -f "${VBUS_QEMU_SRC:-$VBUS_CACHE/src/qemu}")
[ -f "$qsrc/.done" ] || vbus_die "no QEMU source: run scripts/setup-deps.sh"
top=${VBUS_QEMU_TOP:-$VBUS_CACHE/qemu}
shopt -s nullglob
patches=("$VBUS_TOP"/qemu-patches/*.patch)
key=$( { basename "$qsrc"; cat "${patches[@]}" "$0"; } | sha256sum | cut -c1-16)

# The sorted union of comma-separated target lists.
union() { printf '%s\n' "$@" | tr , '\n' | sed '/^$/d' | sort -u | paste -sd, -; }
have=
[ "$(cat "$top/key" 2>/dev/null)" = "$key" ] && have=$(cat "$top/targets" 2>/dev/null || true)
targets=$(union "$want" "$have")
if [ -n "$have" ] && [ "$targets" = "$(union "$have")" ] &&
   [ -x "$top/build/qemu-system-x86_64" ]; then
	vbus_log "QEMU up to date ($key: $have)"
	exit 0
fi
conf=(--target-list="$targets" --without-default-features --enable-tcg
      --enable-fdt=system --enable-vhost-user --python=/usr/bin/python3 --disable-docs --disable-install-blobs)

# A git tree of Debian's source, base commit tagged "vbus-base".
if [ "$(cat "$top/base" 2>/dev/null)" != "$(basename "$qsrc")" ]; then
	vbus_log "preparing QEMU git tree from $(basename "$qsrc")"
	rm -rf "$top" && mkdir -p "$top"
	cp -a "$qsrc" "$top/src"
	rm -f "$top/src/.done"
	git -C "$top/src" init -q
	git -C "$top/src" add -A -f
	git -C "$top/src" -c user.name=vbus -c user.email=vbus@localhost \
		commit -q -m "Debian $(basename "$qsrc")"
	git -C "$top/src" tag vbus-base
	basename "$qsrc" > "$top/base"
fi

# The series is written for QEMU 10.0. QEMU 10.1 changed two APIs it
# uses: class_init takes "const void *data", and exec/memory.h became
# system/memory.h. On a tree that has them (checked in the tree, not by
# version) one more commit makes that change to the series' files.
port_api() {
	grep -q 'class_init)(ObjectClass \*klass, const void \*data)' include/qom/object.h || return 0
	local files
	files=$(git diff --name-only vbus-base HEAD | grep -E '\.[ch]$' | grep vbus || true)
	[ -n "$files" ] || return 0
	vbus_log "porting the series to QEMU 10.1's class_init and memory.h"
	# shellcheck disable=SC2086
	sed -i -e 's/\(class_init(ObjectClass \*[a-z]*\), void \*data)/\1, const void *data)/' \
	       -e 's|"exec/memory.h"|"system/memory.h"|' $files
	git diff --quiet || git -c user.name=vbus -c user.email=vbus@localhost commit -q -a \
		-m "vbus: QEMU 10.1's class_init and system/memory.h"
}

cd "$top/src"
# The series is applied once per key: adding a target rebuilds nothing.
if [ "$(cat "$top/applied" 2>/dev/null)" != "$key" ]; then
	rm -f "$top/applied"
	git am --abort >/dev/null 2>&1 || true
	git reset -q --hard vbus-base
	git clean -qfdx
	if [ ${#patches[@]} -gt 0 ]; then
		vbus_log "applying ${#patches[@]} patches"
		git -c user.name=vbus -c user.email=vbus@localhost am -q "${patches[@]}"
		port_api
	fi
	echo "$key" > "$top/applied"
fi

mkdir -p "$top/build"
cd "$top/build"
if [ "$(cat configured 2>/dev/null)" != "${conf[*]}" ]; then
	vbus_log "configuring QEMU: ${conf[*]}"
	"$top/src/configure" "${conf[@]}" > configure.log 2>&1 ||
		{ tail -n 30 configure.log; vbus_die "QEMU configure failed"; }
	echo "${conf[*]}" > configured
fi
vbus_log "building QEMU ($(nproc) jobs)"
ninja -j "$(nproc)" > build.log 2>&1 ||
	{ grep -E -B2 -A8 'error|FAILED' build.log | head -n 60; vbus_die "QEMU build failed (log: $top/build/build.log)"; }
# The +ds source has no firmware: Debian's seabios and qemu-system-data
# provide it, linked where a QEMU run from the build tree (qtests too)
# looks for its data files.
data=$top/build/qemu-bundle/usr/local/share/qemu
mkdir -p "$data"
for f in /usr/share/seabios/*.bin /usr/share/qemu/*.bin /usr/share/qemu/*.rom \
	 /usr/share/qemu/*.img /usr/lib/ipxe/qemu/*.rom; do
	[ -e "$data/$(basename "$f")" ] || ln -s "$f" "$data/"
done
echo "$key" > "$top/key"
echo "$targets" > "$top/targets"
[ -n "${VBUS_QEMU_TOP:-}" ] || vbus_record qemu-build "$key ($targets)"
vbus_log "QEMU built: $top/build/qemu-system-x86_64"
