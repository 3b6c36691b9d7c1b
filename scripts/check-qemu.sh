#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series on another Debian QEMU: check-qemu.sh VERSION (e.g. 10.2)
# fetches Debian's newest source of that QEMU (apt-get source), applies
# qemu-patches/ and builds the x86_64 target into
# $VBUS_CACHE/qemu-VERSION, then runs the VM suite over pci on it.
# Not part of make check (a whole QEMU build); see README.
set -uo pipefail
. "$(dirname "$0")/common.sh"

series=${1:?usage: check-qemu.sh VERSION}
vbus_qemu_source "$series"
top=$VBUS_CACHE/qemu-$series
VBUS_QEMU_SRC=$qsrc VBUS_QEMU_TOP=$top VBUS_QEMU_TARGETS=x86_64-softmmu \
	bash "$VBUS_TOP/scripts/build-qemu.sh" || exit 1
QEMU=$top/build/qemu-system-x86_64 \
	"$VBUS_TOP/selftests/drivers/virtio/vbus/vmtest.sh" -t pci "${@:2}"
