#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cross-builds the module, vbusctl and the selftests for s390x into
# build/s390x/ (the x86 objects stay where they are) and its initramfs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

kver=$(readlink "$VBUS_CACHE/s390x/current") || vbus_die "run scripts/setup-s390x.sh"
ktop=$VBUS_CACHE/s390x/$kver
out=$VBUS_TOP/build/s390x
cross=s390x-linux-gnu-
st=$VBUS_TOP/selftests/drivers/virtio/vbus

# The module, built from a copy of the driver sources.
rm -rf "$out/mod"
mkdir -p "$out/mod/drivers/virtio"
cp -a "$VBUS_TOP/include" "$VBUS_TOP/Kbuild" "$out/mod/"
cp "$VBUS_TOP"/drivers/virtio/{Kbuild,*.c,*.h} "$out/mod/drivers/virtio/"
rm -f "$out"/mod/drivers/virtio/*.mod.c
make -s -C "$ktop/src" O="$ktop/obj" ARCH=s390 CROSS_COMPILE=$cross \
	KERNELRELEASE="$kver" M="$out/mod" modules

# vbusctl and the selftests, static.
mkdir -p "$out/bin"
"${cross}gcc" -O2 -Wall -static -I"$VBUS_TOP/include/uapi" \
	-o "$out/bin/vbusctl" "$VBUS_TOP/tools/vbus/vbusctl.c"
ksft=$VBUS_CACHE/linux-source-6.12/tools/testing/selftests
for t in $(make --no-print-directory -s -C "$st" print-tests); do
	"${cross}gcc" -O2 -Wall -Wno-format-truncation -static -pthread -D_GNU_SOURCE \
		-I"$ksft" -I"$VBUS_TOP/include/uapi" -I"$st" \
		-o "$out/bin/$t" "$st/$t.c"
done

KVER=$kver VBUS_GUEST_ARCH=s390x bash "$VBUS_TOP/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz"
