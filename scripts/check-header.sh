#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# include/uapi/linux/virtio_vbus.h compiles alone in C and C++, and the
# copy in the QEMU series is its faithful conversion.
set -euo pipefail
. "$(dirname "$0")/common.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hdr=$VBUS_TOP/include/uapi/linux/virtio_vbus.h
pass=0 fail=0
check() {
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name"; sed 's/^/    /' "$tmp/out"; fail=$((fail + 1))
	fi
}

printf '#include <linux/virtio_vbus.h>\n' > "$tmp/t.c"
name="header compiles alone in C"
check gcc -std=c99 -Wall -Wextra -Werror -pedantic -I"$VBUS_TOP/include/uapi" -c "$tmp/t.c" -o "$tmp/t.o"
cp "$tmp/t.c" "$tmp/t.cc"
name="header compiles alone in C++"
check g++ -std=c++11 -Wall -Wextra -Werror -I"$VBUS_TOP/include/uapi" -c "$tmp/t.cc" -o "$tmp/t.o"

# Sizes and offsets the specification states.
cat > "$tmp/s.c" <<'C'
#include <stddef.h>
#include <linux/virtio_vbus.h>
#define CHECK(x) _Static_assert(x, #x)
CHECK(sizeof(struct virtio_vbus_cmd) == 64);
CHECK(sizeof(struct virtio_vbus_config) == 160);
CHECK(offsetof(struct virtio_vbus_config, cmd) == 64);
CHECK(offsetof(struct virtio_vbus_config, cmd_seq) == 128);
CHECK(offsetof(struct virtio_vbus_config, done_seq) == 136);
CHECK(offsetof(struct virtio_vbus_config, result) == 152);
CHECK(sizeof(struct virtio_vbus_event) == 16);
CHECK(sizeof(struct virtio_vbus_signal) == 8);
CHECK(sizeof(struct virtio_vbus_shm_signal_desc) == 24);
CHECK(sizeof(struct vbus_info) == 80);
CHECK(sizeof(struct vbus_call) == 56);
CHECK(offsetof(struct vbus_call, tag) == 48);
CHECK(sizeof(struct vbus_call_done) == 32);
CHECK(sizeof(struct vbus_region_create) == 40);
CHECK(sizeof(struct vbus_region_ref) == 12);
CHECK(sizeof(struct vbus_region_eventfd) == 16);
CHECK(sizeof(struct vbus_coalesce) == 12);
CHECK(sizeof(struct vbus_user_event) == 16);
/* Every ioctl structure starts with argsz and flags (VFIO's way). */
#define ARGSZ_FLAGS(t) \
	CHECK(offsetof(struct t, argsz) == 0 && offsetof(struct t, flags) == 4)
ARGSZ_FLAGS(vbus_info);
ARGSZ_FLAGS(vbus_call);
ARGSZ_FLAGS(vbus_region_create);
ARGSZ_FLAGS(vbus_region_ref);
ARGSZ_FLAGS(vbus_region_eventfd);
ARGSZ_FLAGS(vbus_coalesce);
C
name="layout matches the specification"
check gcc -std=c11 -Wall -Werror -I"$VBUS_TOP/include/uapi" -c "$tmp/s.c" -o "$tmp/s.o"

# QEMU's copy: the series must carry exactly the converted header.
name="QEMU series carries the converted header"
qsrc=$VBUS_CACHE/qemu/src
if [ -f "$qsrc/include/standard-headers/linux/virtio_vbus.h" ]; then
	bash "$VBUS_TOP/scripts/qemu-header.sh" "$qsrc" "$tmp"
	check diff -u "$qsrc/include/standard-headers/linux/virtio_vbus.h" "$tmp/virtio_vbus.h"
else
	echo "not ok - $name: build QEMU first"; fail=$((fail + 1))
fi
echo "check-header: $pass ok, $fail not ok"
[ "$fail" = 0 ]
