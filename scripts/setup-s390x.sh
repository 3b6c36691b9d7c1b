#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything an s390x (virtio-ccw) guest needs, from Debian's archive:
# the cross compiler, Debian's newest s390x 6.12 kernel, its matching
# source prepared for building modules on this host (the s390x headers
# package carries s390x binaries), and busybox for s390x.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || vbus_die "run as root"
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	dpkg --add-architecture s390x
	rm -f /var/lib/apt/periodic/virtio-vbus-update
fi
bash "$VBUS_TOP/scripts/apt-sources.sh"
# libelf-dev: modules_prepare builds resolve_btfids for CONFIG_DEBUG_INFO_BTF.
missing=()
for p in gcc-s390x-linux-gnu libc6-dev-s390x-cross libelf-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	vbus_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

kver=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-s390x$' |
	sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-s390x\) .*/\1/p' | sort -V | tail -n 1)
[ -n "$kver" ] || vbus_die "no linux-image-6.12.*+deb12-s390x in the package lists"
pkgver=$(apt-cache show "linux-image-$kver:s390x" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
top=$VBUS_CACHE/s390x/$kver
if [ ! -f "$top/.fetched" ]; then
	vbus_log "fetching s390x kernel $kver ($pkgver), its source and busybox"
	rm -rf "$top" && mkdir -p "$top/deb"
	(cd "$top/deb" &&
	 apt-get download -qq -o APT::Sandbox::User=root \
		"linux-image-$kver:s390x=$pkgver" "linux-headers-$kver:s390x=$pkgver" \
		"linux-source-6.12=$pkgver" busybox-static:s390x)
	for d in "$top"/deb/linux-image-*.deb "$top"/deb/busybox-static_*.deb \
		 "$top"/deb/linux-headers-*.deb; do
		dpkg-deb -x "$d" "$top/root"
	done
	dpkg-deb -x "$top"/deb/linux-source-*.deb "$top/srcdeb"
	mkdir -p "$top/src"
	tar -xf "$top"/srcdeb/usr/src/linux-source-6.12.tar.* -C "$top/src" --strip-components=1
	rm -rf "$top/deb" "$top/srcdeb"
	touch "$top/.fetched"
fi

# A host-runnable build tree for out-of-tree modules with the image's exact
# configuration (struct layouts depend on it, struct module's too), release
# string and symbol versions.
prep=2
if [ "$(cat "$top/obj/.prepared" 2>/dev/null)" != "$prep" ]; then
	vbus_log "preparing the s390x module build tree"
	rm -rf "$top/obj" && mkdir -p "$top/obj"
	cp "$top/root/boot/config-$kver" "$top/obj/.config"
	make -s -C "$top/src" O="$top/obj" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		olddefconfig >/dev/null
	cmp -s <(grep '^CONFIG_' "$top/root/boot/config-$kver" | sort) \
	       <(grep '^CONFIG_' "$top/obj/.config" | grep -v '^CONFIG_\(CC\|GCC\|AS\|LD\|PAHOLE\|RUSTC\|CLANG\|LLD\)_' | sort) ||
		vbus_log "note: the prepared configuration differs from the image's in toolchain-independent options"
	make -s -C "$top/src" O="$top/obj" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		KERNELRELEASE="$kver" -j"$(nproc)" modules_prepare >/dev/null
	cp "$top/root/usr/src/linux-headers-$kver/Module.symvers" "$top/obj/"
	echo "$prep" > "$top/obj/.prepared"
fi
ln -sfn "$kver" "$VBUS_CACHE/s390x/current"
vbus_record guest-kernel-s390x "$kver"
vbus_log "s390x ready: $top"
