#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# For each other guest kernel (KERNELS, default "6.1 7.2"; set up by
# scripts/setup-kernels.sh): the module built from a copy of the driver
# sources into build/kernels/SERIES/mod (the default kernel's objects stay
# where they are) and an initramfs with that kernel's modules. vbusctl and
# the selftests are the default build's: they depend on the UAPI header
# only.
set -euo pipefail
. "$(dirname "$0")/common.sh"

for s in ${KERNELS-6.1 7.2}; do
	kver=$(readlink "$VBUS_CACHE/kernel/$s") ||
		vbus_die "no kernel $s: run scripts/setup-kernels.sh $s"
	ktop=$VBUS_CACHE/kernel/$kver
	out=$VBUS_TOP/build/kernels/$s
	rm -rf "$out/mod"
	mkdir -p "$out/mod/drivers/virtio"
	cp -a "$VBUS_TOP/include" "$VBUS_TOP/Kbuild" "$out/mod/"
	cp "$VBUS_TOP"/drivers/virtio/{Kbuild,*.c,*.h} "$out/mod/drivers/virtio/"
	rm -f "$out"/mod/drivers/virtio/*.mod.c
	if [ -d "$ktop/src" ]; then	# a prepared source tree
		make -s -C "$ktop/src" O="$(readlink -f "$ktop/build")" M="$out/mod" modules
	else				# a headers package
		make -s -C "$(readlink -f "$ktop/build")" M="$out/mod" modules
	fi
	KVER=$kver VBUS_MODDIR=$out/mod/drivers/virtio \
		bash "$VBUS_TOP/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz"
done
