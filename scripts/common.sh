# SPDX-License-Identifier: GPL-2.0
# Shared settings for the set-up and VM scripts. Source it, do not run it.

VBUS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VBUS_CACHE=${VBUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/virtio-vbus}
VBUS_ARCH=${VBUS_ARCH:-amd64}

vbus_log() { printf '[vbus] %s\n' "$*" >&2; }
vbus_die() { printf '[vbus] error: %s\n' "$*" >&2; exit 1; }

# Newest Debian 6.12 kernel ABI name (e.g. 6.12.113+deb12-amd64) in the lists.
vbus_newest_kernel() {
	apt-cache search --names-only "^linux-image-6\.12\.[0-9]+\+deb12-$1-unsigned\$" |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-[a-z0-9]*\)-unsigned .*/\1/p' |
		sort -V | tail -n 1
}

# Record "name value" in the cache's versions file, replacing an old value.
# Locked: the CI builds the debug kernel alongside the rest.
vbus_record() {
	local f=$VBUS_CACHE/versions.txt
	mkdir -p "$VBUS_CACHE"
	(
		flock 9
		touch "$f"
		sed -i "/^$1 /d" "$f"
		printf '%s %s\n' "$1" "$2" >> "$f"
	) 9> "$f.lock"
}

# vbus_qemu_source SERIES: Debian's newest QEMU SERIES.x source in the
# deb-src lists, Debian's patches applied, unpacked once into
# $VBUS_CACHE/src/qemu-VERSION. Sets qver (1:10.0.13+ds-...) and qsrc.
vbus_qemu_source() {
	local re="^1:${1//./\\.}\\."
	qver=$(apt-cache showsrc qemu | sed -n 's/^Version: //p' | { grep "$re" || true; } | sort -V | tail -n 1)
	[ -n "$qver" ] || vbus_die "no QEMU $1 source in the package lists"
	qsrc=$VBUS_CACHE/src/qemu-${qver#*:}
	if [ -f "$qsrc/.done" ]; then
		return 0
	fi
	vbus_log "fetching QEMU source $qver"
	rm -rf "$qsrc" "$qsrc.dl" && mkdir -p "$qsrc.dl"
	(cd "$qsrc.dl" && apt-get source -qq --download-only -o APT::Sandbox::User=root \
		"qemu=$qver" >/dev/null) || vbus_die "apt-get source qemu=$qver failed"
	dpkg-source -x --no-check "$qsrc.dl"/qemu_*.dsc "$qsrc" >/dev/null ||
		vbus_die "dpkg-source -x of QEMU $qver failed"
	rm -rf "$qsrc.dl"
	touch "$qsrc/.done"
}
