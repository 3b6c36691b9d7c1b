#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Converts include/uapi/linux/virtio_vbus.h into QEMU's
# include/standard-headers/linux/virtio_vbus.h with QEMU's own
# update-linux-headers.sh conversion (cp_portable), so the two never drift.
# Usage: qemu-header.sh QEMU_SRC OUT_DIR
set -euo pipefail
qsrc=$1 out=$2
arch=
eval "$(sed -n '/^cp_portable()/,/^}/p' "$qsrc/scripts/update-linux-headers.sh")"
cp_portable "$(dirname "$0")/../include/uapi/linux/virtio_vbus.h" "$out"
