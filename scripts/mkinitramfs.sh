#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the guest's initramfs: busybox, the guest kernel's virtio modules,
# virtio_vbus.ko in /lib/modules/$KVER/extra (depmod'ed, so modprobe and
# modalias autoload work), vbusctl, the selftests and guest/init.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${VBUS_GUEST_ARCH:-amd64}
out=${1:-$VBUS_TOP/build/initramfs.cpio.gz}
st=$VBUS_TOP/selftests/drivers/virtio/vbus
if [ "$arch" = s390x ]; then
	# Cross-built by scripts/build-s390x.sh into build/s390x.
	kver=${KVER:-$(readlink "$VBUS_CACHE/s390x/current")}
	kroot=$VBUS_CACHE/s390x/$kver/root
	busybox=$kroot/bin/busybox
	bin=$VBUS_TOP/build/s390x/bin
	mods=$VBUS_TOP/build/s390x/mod/drivers/virtio
	kmods=(drivers/s390/virtio/virtio_ccw)
	root=$VBUS_TOP/build/s390x/initramfs
elif [ "$arch" = debug ]; then
	# The debug kernel (scripts/build-debug-kernel.sh): virtio built in.
	dobj=$VBUS_CACHE/debug-kernel/obj
	kver=$(cat "$dobj/include/config/kernel.release")
	kroot=
	busybox=/bin/busybox
	bin=
	mods=$VBUS_TOP/build/debug/mod/drivers/virtio
	kmods=()
	root=$VBUS_TOP/build/debug/initramfs
else
	# VBUS_MODDIR: the module built elsewhere (scripts/check-kernels.sh).
	kver=${KVER:-$(readlink "$VBUS_CACHE/kernel/current")}
	kroot=$VBUS_CACHE/kernel/$kver/root
	busybox=/bin/busybox
	bin=
	mods=${VBUS_MODDIR:-$VBUS_TOP/drivers/virtio}
	# Every virtio module: Debian 6.1 has the core and virtio_pci as
	# modules too; later ones build them in.
	kmods=(drivers/virtio drivers/char/virtio_console)
	root=$(dirname "$out")/initramfs
fi

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,tests}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# Kernel modules the tests need beyond the built-ins, decompressed so
# busybox's modprobe can load them.
mdir=$root/lib/modules/$kver
mkdir -p "$mdir/kernel" "$mdir/extra"
# A name in kmods is a module or a directory of them; one the kernel has
# built in is not there. Debian compresses them with xz from 6.12 on.
for m in "${kmods[@]}"; do
	for f in "$kroot/lib/modules/$kver/kernel/$m"{.ko,.ko.xz} \
		 "$kroot/lib/modules/$kver/kernel/$m"/*.ko{,.xz}; do
		[ -f "$f" ] || continue
		t=$mdir/kernel/${f#"$kroot/lib/modules/$kver/kernel/"}
		mkdir -p "$(dirname "$t")"
		case $f in
		*.xz) xz -dc "$f" > "${t%.xz}" ;;
		*) cp "$f" "$t" ;;
		esac
	done
done
if [ -n "$kroot" ]; then
	# Debian 13 on ships none of them: empty ones keep depmod quiet.
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		if [ -f "$kroot/lib/modules/$kver/$f" ]; then
			cp "$kroot/lib/modules/$kver/$f" "$mdir/"
		else
			: > "$mdir/$f"
		fi
	done
else
	cp "$dobj/modules.order" "$dobj/modules.builtin"* "$mdir/"
fi
cp "$mods"/{virtio_vbus,vbus_test_client}.ko "$mdir/extra/"
depmod -b "$root" "$kver"

cp "$VBUS_TOP/guest/init" "$root/init"
cp "$VBUS_TOP/guest/mdev.conf" "$root/etc/mdev.conf"
cp "${bin:-$VBUS_TOP/tools/vbus}/vbusctl" "$root/usr/bin/"
[ -n "$bin" ] || cp "$VBUS_TOP"/tools/vbus/vbus_{bench,migbench} "$root/usr/bin/"
for t in $(make --no-print-directory -s -C "$st" print-tests); do
	cp "${bin:-$st}/$t" "$root/tests/"
done
cp "$st/run_guest.sh" "$root/tests/"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
vbus_log "initramfs: $out ($(du -h "$out" | cut -f1))"
