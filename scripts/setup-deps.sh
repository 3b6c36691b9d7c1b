#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs every build and run dependency from Debian's archive and unpacks
# the sources and guest kernel into the cache. Idempotent: a second run only
# checks what is there.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || vbus_die "run as root (apt-get installs packages)"
bash "$VBUS_TOP/scripts/apt-sources.sh"

pkgs=(build-essential bc bison flex cpio kmod busybox-static dwarves
      ninja-build pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev
      python3-venv python3-setuptools dpkg-dev xz-utils git
      seabios qemu-system-data ipxe-qemu sparse linux-source-6.12 socat
      gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	vbus_log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# QEMU 10 needs meson >= 1.5; bookworm-backports has it.
if ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson 2>/dev/null || echo 0)" ge 1.5; then
	vbus_log "installing meson and python3-pycotap from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports meson python3-pycotap >/dev/null
fi

# Guest kernel: the newest Debian 6.12 image, unpacked into the cache, and
# its headers installed for building the module (headers never touch /boot).
kver=${VBUS_KVER:-$(vbus_newest_kernel amd64)}
[ -n "$kver" ] || vbus_die "no linux-image-6.12.*+deb12-amd64 in the package lists"
kdir=$VBUS_CACHE/kernel/$kver
if [ ! -f "$kdir/.done" ]; then
	vbus_log "fetching guest kernel $kver"
	rm -rf "$kdir" && mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -qq "linux-image-$kver-unsigned")
	dpkg-deb -x "$kdir"/deb/*.deb "$kdir/root"
	rm -rf "$kdir/deb"
	touch "$kdir/.done"
fi
if ! dpkg-query -W -f='${Status}' "linux-headers-$kver" 2>/dev/null | grep -q 'ok installed'; then
	vbus_log "installing linux-headers-$kver"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "linux-headers-$kver" >/dev/null
fi
ln -sfn "$kver" "$VBUS_CACHE/kernel/current"
vbus_record guest-kernel "$kver"

# linux-source-6.12: kselftest headers and an in-tree build of the selftests.
lsrc_tar=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
lsrc_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
lsrc=$VBUS_CACHE/linux-source-6.12
if [ "$(cat "$lsrc/.version" 2>/dev/null)" != "$lsrc_ver" ]; then
	vbus_log "unpacking linux-source-6.12 $lsrc_ver"
	rm -rf "$lsrc" && mkdir -p "$lsrc"
	tar -xf "$lsrc_tar" -C "$lsrc" --strip-components=1
	echo "$lsrc_ver" > "$lsrc/.version"
fi
vbus_record linux-source "$lsrc_ver"

# QEMU: Debian's 10.0.x source (trixie deb-src), Debian's patches applied.
vbus_qemu_source 10.0
ln -sfn "qemu-${qver#*:}" "$VBUS_CACHE/src/qemu"
vbus_record qemu-source "$qver"
vbus_record meson "$(dpkg-query -W -f='${Version}' meson)"
vbus_record gcc "$(gcc -dumpfullversion)"
vbus_log "dependencies ready; versions in $VBUS_CACHE/versions.txt"
