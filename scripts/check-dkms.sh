#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package in a real Debian 12 guest: builds the package
# (scripts/build-deb.sh) and the cached guest image
# (scripts/build-debian-image.sh), boots the image on Debian 12's kernel
# with a virtio-vbus-pci device and the package on a second disk, and
# reads guest/pkg-test.sh's TAP from the console across the guest's
# reboot. Ends "N passed, N failed, 0 skipped".
set -uo pipefail
. "$(dirname "$0")/common.sh"

QEMU=${QEMU:-$VBUS_CACHE/qemu/build/qemu-system-x86_64}
img=$(bash "$VBUS_TOP/scripts/build-debian-image.sh") || vbus_die "no Debian guest image"
bash "$VBUS_TOP/scripts/build-deb.sh" || vbus_die "no package"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/payload"
cp "$VBUS_TOP"/build/virtio-vbus-dkms_*_all.deb "$work/payload/virtio-vbus-dkms.deb"
cp "$VBUS_TOP/guest/pkg-test.sh" "$work/payload/run.sh"
tar -cf "$work/payload.tar" -C "$work/payload" .

log=$VBUS_TOP/build/dkms-test.log
start=$(date +%s)
# Two vCPUs on two threads: gcc runs in the guest. The root disk's
# writes go to a temporary overlay, kept across the guest's reboot.
timeout "${VBUS_DKMS_TIMEOUT:-1500}" "$QEMU" -M q35 -accel tcg,thread=multi -smp 2 -m 2048 \
	-nographic -nodefaults -no-user-config -serial stdio \
	-L /usr/share/seabios -L /usr/share/qemu \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=false panic=-1" \
	-drive "file=$img/rootfs.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$work/payload.tar,if=virtio,format=raw,readonly=on" \
	-object vbus-test,id=vt0 -device virtio-vbus-pci,backend=vt0 \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
echo "check-dkms: guest ran $(( $(date +%s) - start )) s (rc $rc; console in $log)"
pass=$(grep -c '^ok ' "$log")
fail=$(grep -c '^not ok ' "$log")
if ! grep -q '^vbus-pkg: done' "$log"; then
	echo "not ok - the guest did not finish both boots (rc $rc)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
