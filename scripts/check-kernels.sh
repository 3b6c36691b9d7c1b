#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM suite on the other guest kernels (KERNELS, default "6.1 7.2"),
# over the transports in VBUS_KERNEL_TRANSPORTS (default "pci mmio"), with
# what scripts/build-kernels.sh built. Arguments go to vmtest.sh
# (PROG[:TEST]). Ends "N passed, N failed, N skipped" over them all.
set -uo pipefail
. "$(dirname "$0")/common.sh"

vmtest=$VBUS_TOP/selftests/drivers/virtio/vbus/vmtest.sh
pass=0 fail=0 skip=0
for s in ${KERNELS-6.1 7.2}; do
	kver=$(readlink "$VBUS_CACHE/kernel/$s")
	out=$VBUS_TOP/build/kernels/$s
	for t in ${VBUS_KERNEL_TRANSPORTS:-pci mmio}; do
		echo "== Linux $s ($kver) over $t"
		log=$(mktemp)
		KVER=$kver KERNEL=$VBUS_CACHE/kernel/$kver/root/boot/vmlinuz-$kver \
			INITRD=$out/initramfs.cpio.gz "$vmtest" -t "$t" "$@" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		read -r p f k < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
		rm -f "$log"
		p=${p:-0} f=${f:-0} k=${k:-0}
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
	done
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
