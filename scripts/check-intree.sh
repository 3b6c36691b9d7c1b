#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The selftest directory builds unchanged inside a kernel tree: put it and
# the UAPI header where they would be upstream in Debian's linux-source-6.12
# and build it through the selftests' own Makefile.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ksrc=$VBUS_CACHE/linux-source-6.12
[ -d "$ksrc/tools/testing/selftests" ] || vbus_die "no $ksrc: run scripts/setup-deps.sh"
dst=$ksrc/tools/testing/selftests/drivers/virtio/vbus
rm -rf "$dst"
mkdir -p "$dst"
cp -a "$VBUS_TOP"/selftests/drivers/virtio/vbus/. "$dst/"
# Sources only: programs built here would be taken as up to date.
for t in $(sed -n 's/^TEST_GEN_PROGS [:+]= //p' "$dst/Makefile"); do
	rm -f "$dst/$t"
done
cp "$VBUS_TOP/include/uapi/linux/virtio_vbus.h" "$ksrc/include/uapi/linux/"
if [ ! -f "$ksrc/usr/include/linux/virtio_vbus.h" ] ||
   ! cmp -s "$ksrc/include/uapi/linux/virtio_vbus.h" "$ksrc/usr/include/linux/virtio_vbus.h"; then
	make -s -C "$ksrc" headers >/dev/null
fi
make -s -C "$ksrc/tools/testing/selftests" TARGETS=drivers/virtio/vbus >/dev/null
for t in $(sed -n 's/^TEST_GEN_PROGS [:+]= //p' "$dst/Makefile"); do
	[ -x "$dst/$t" ] || vbus_die "in-tree build did not produce $t"
done
echo "ok - selftests build inside $ksrc"
