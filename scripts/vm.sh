#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm.sh demo|shell: boots the guest with one virtio-vbus device.
set -euo pipefail
. "$(dirname "$0")/common.sh"
exec "$VBUS_TOP/selftests/drivers/virtio/vbus/vmtest.sh" -j "${1:-demo}"
