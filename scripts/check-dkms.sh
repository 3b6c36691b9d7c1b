#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package in a real Debian 12 guest: builds the package
# (scripts/build-deb.sh) and the cached guest image
# (scripts/build-debian-image.sh), boots the image on Debian 12's kernel
# with a virtio-vbus-pci device and the package on a second disk, and
# reads guest/pkg-test.sh's TAP (its second serial port) across the
# guest's reboot. Ends "N passed, N failed, 0 skipped".
set -uo pipefail
. "$(dirname "$0")/common.sh"

QEMU=${QEMU:-$VBUS_CACHE/qemu/build/qemu-system-x86_64}
img=$(bash "$VBUS_TOP/scripts/build-debian-image.sh") || vbus_die "no Debian guest image"
bash "$VBUS_TOP/scripts/build-deb.sh" || vbus_die "no package"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/payload"
cp "$VBUS_TOP/build/virtio-vbus-dkms_$(cat "$VBUS_TOP/VERSION")_all.deb" \
	"$work/payload/virtio-vbus-dkms.deb" || vbus_die "no package"
cp "$VBUS_TOP/guest/pkg-test.sh" "$work/payload/run.sh"
tar -cf "$work/payload.tar" -C "$work/payload" .

log=$VBUS_TOP/build/dkms-test.log
tap=$VBUS_TOP/build/dkms-test.tap
start=$(date +%s)
# Two vCPUs on two threads: gcc runs in the guest. The root disk's
# writes go to a temporary overlay, kept across the guest's reboot. The
# console is ttyS0, the TAP ttyS1. A panic or oops ends QEMU (pvpanic),
# not in a reboot loop.
timeout "${VBUS_DKMS_TIMEOUT:-900}" "$QEMU" -M q35 -accel tcg,thread=multi -smp 2 -m 2048 \
	-nographic -nodefaults -no-user-config -serial stdio -serial "file:$tap" \
	-device pvpanic -action panic=exit-failure \
	-L /usr/share/seabios -L /usr/share/qemu \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=false oops=panic panic=0" \
	-drive "file=$img/rootfs.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$work/payload.tar,if=virtio,format=raw,readonly=on" \
	-object vbus-test,id=vt0 -device virtio-vbus-pci,backend=vt0 \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
echo "check-dkms: guest ran $(( $(date +%s) - start )) s (rc $rc; console in $log)"
tr -d '\r' < "$tap" | sed 's/^/    /'
tr -d '\r' < "$tap" > "$work/tap"
pass=$(grep -c '^ok ' "$work/tap")
fail=$(grep -c '^not ok ' "$work/tap")
# Every test of the plan once: none lost, none run twice.
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/tap")
seen=$(sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\) .*/\2/p' "$work/tap" | sort -n | paste -sd' ')
if [ -z "$plan" ] || [ "$seen" != "$(seq -s' ' 1 "$plan")" ] ||
   ! grep -q '^vbus-pkg: done' "$work/tap"; then
	echo "not ok - the guest did not run every test once over both boots (rc $rc; plan '${plan}', seen '$seen')"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
