#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest kernels beyond the default 6.12 that the driver is checked on:
#   6.1  Debian 12's own kernel (linux-image-6.1.0-N-amd64), its headers
#        package installed for building modules, as for 6.12;
#   7.2  Debian unstable's (linux-image-7.2.N+debM-amd64). Its headers
#        package's tools need a newer glibc than Debian 12's, so the module
#        build tree is linux-source-7.2 prepared with the image's
#        configuration and Module.symvers, as scripts/setup-s390x.sh does.
# Usage: setup-kernels.sh [SERIES...] (default: 6.1 and $KERNELS, else
# "6.1 7.2").
# Each ends as $VBUS_CACHE/kernel/KVER/{root,build} and the symlink
# $VBUS_CACHE/kernel/SERIES -> KVER; root/boot/vmlinuz-KVER and
# root/lib/modules/KVER are where the other scripts look.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || vbus_die "run as root (apt-get installs packages)"

# newest PREFIX ABI SUFFIX: the newest ABI name (an extended regular
# expression) among the packages named PREFIX-ABI-SUFFIX.
newest() {
	apt-cache search --names-only "^$1-$2$3\$" | cut -d' ' -f1 |
		sed -E "s/^$1-($2)$3\$/\1/" | sort -V | tail -n 1
}

# unpack KVER DEB...: the packages' files into kernel/KVER/root.
unpack() {
	local kver=$1 d top=$VBUS_CACHE/kernel/$1
	shift
	rm -rf "$top" && mkdir -p "$top/deb"
	(cd "$top/deb" && apt-get download -qq -o APT::Sandbox::User=root "$@")
	for d in "$top"/deb/*.deb; do
		dpkg-deb -x "$d" "$top/root"
	done
	rm -rf "$top/deb"
	# Merged /usr (Debian 13 on): one layout for the other scripts.
	if [ -d "$top/root/usr/lib/modules" ] && [ ! -e "$top/root/lib" ]; then
		ln -s usr/lib "$top/root/lib"
	fi
	if [ ! -e "$top/root/boot/vmlinuz-$kver" ]; then
		mkdir -p "$top/root/boot"
		ln -s "../lib/modules/$kver/vmlinuz" "$top/root/boot/vmlinuz-$kver"
	fi
}

headers_installed() {
	dpkg-query -W -f='${Status}' "linux-headers-$1" 2>/dev/null | grep -q 'ok installed'
}

# setup_X_Y: sets kver. Called directly, not in $(...), so that set -e
# holds inside.
setup_6_1() {
	local top
	kver=$(newest linux-image '6\.1\.0-[0-9]+-amd64' -unsigned)
	[ -n "$kver" ] || vbus_die "no linux-image-6.1.0-*-amd64-unsigned in the package lists"
	top=$VBUS_CACHE/kernel/$kver
	if [ ! -f "$top/.done" ]; then
		vbus_log "fetching guest kernel $kver"
		unpack "$kver" "linux-image-$kver-unsigned"
		touch "$top/.done"
	fi
	if ! headers_installed "$kver"; then
		vbus_log "installing linux-headers-$kver"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"linux-headers-$kver" >/dev/null
	fi
	ln -sfn "/usr/src/linux-headers-$kver" "$top/build"
}

setup_7_2() {
	local top pkgver prep=1
	kver=$(newest linux-binary '7\.2\.[0-9]+\+deb[0-9]+-amd64' '')
	[ -n "$kver" ] || vbus_die "no linux-binary-7.2.*-amd64 in the package lists (unstable)"
	pkgver=$(apt-cache show "linux-binary-$kver" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	top=$VBUS_CACHE/kernel/$kver
	if [ ! -f "$top/.done" ]; then
		vbus_log "fetching guest kernel $kver ($pkgver) and linux-source-7.2"
		unpack "$kver" "linux-binary-$kver=$pkgver" "linux-modules-$kver=$pkgver" \
			"linux-headers-$kver=$pkgver" "linux-source-7.2=$pkgver"
		mkdir -p "$top/src"
		tar -xf "$top"/root/usr/src/linux-source-7.2.tar.* -C "$top/src" --strip-components=1
		rm -f "$top"/root/usr/src/linux-source-7.2.tar.*
		touch "$top/.done"
	fi
	# libelf-dev: modules_prepare builds objtool and resolve_btfids.
	dpkg-query -W -f='${Status}' libelf-dev 2>/dev/null | grep -q 'ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libelf-dev >/dev/null
	if [ "$(cat "$top/obj/.prepared" 2>/dev/null)" != "$prep" ]; then
		vbus_log "preparing the module build tree for $kver"
		rm -rf "$top/obj" && mkdir -p "$top/obj"
		cp "$top/root/usr/src/linux-headers-$kver/.config" "$top/obj/.config"
		make -s -C "$top/src" O="$top/obj" olddefconfig >/dev/null
		make -s -C "$top/src" O="$top/obj" KERNELRELEASE="$kver" \
			-j"$(nproc)" modules_prepare >/dev/null
		cp "$top/root/usr/src/linux-headers-$kver/Module.symvers" "$top/obj/"
		echo "$prep" > "$top/obj/.prepared"
	fi
	ln -sfn obj "$top/build"
}

bash "$VBUS_TOP/scripts/apt-sources.sh"
# 6.1 always: the package test's Debian 12 guest runs it.
if [ $# -gt 0 ]; then
	series=("$@")
else
	read -ra series <<< "6.1 ${KERNELS-7.2}"
fi
for s in $(printf '%s\n' "${series[@]}" | sort -u); do
	case $s in
	6.1) setup_6_1 ;;
	7.2) setup_7_2 ;;
	6.12) kver=$(readlink "$VBUS_CACHE/kernel/current") ;;
	*) vbus_die "unknown kernel series '$s' (known: 6.1 6.12 7.2; README tells how to add one)" ;;
	esac
	ln -sfn "$kver" "$VBUS_CACHE/kernel/$s"
	vbus_record "guest-kernel-$s" "$kver"
done
