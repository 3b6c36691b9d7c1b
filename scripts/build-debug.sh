#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module built against the debug kernel, and its initramfs
# (build/debug/).
set -euo pipefail
. "$(dirname "$0")/common.sh"

top=$VBUS_CACHE/debug-kernel
[ -f "$top/obj/arch/x86/boot/bzImage" ] || vbus_die "run scripts/build-debug-kernel.sh"
out=$VBUS_TOP/build/debug
rm -rf "$out/mod"
mkdir -p "$out/mod/drivers/virtio"
cp -a "$VBUS_TOP/include" "$VBUS_TOP/Kbuild" "$out/mod/"
cp "$VBUS_TOP"/drivers/virtio/{Kbuild,*.c,*.h} "$out/mod/drivers/virtio/"
rm -f "$out"/mod/drivers/virtio/*.mod.c
make -s -C "$top/src" O="$top/obj" M="$out/mod" modules
VBUS_GUEST_ARCH=debug bash "$VBUS_TOP/scripts/mkinitramfs.sh" "$out/initramfs.cpio.gz"
