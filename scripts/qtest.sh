#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds QEMU's qos-test and runs the virtio-vbus qtests in it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

build=$VBUS_CACHE/qemu/build
ninja -C "$build" tests/qtest/qos-test > "$build/qtest-build.log" 2>&1 ||
	{ tail -n 40 "$build/qtest-build.log"; vbus_die "qos-test build failed"; }
export QTEST_QEMU_BINARY=$build/qemu-system-x86_64
export QTEST_QEMU_IMG=/bin/false
paths=$("$build/tests/qtest/qos-test" -l | grep '/virtio-vbus/')
[ -n "$paths" ] || vbus_die "qos-test lists no virtio-vbus test"
args=()
for p in $paths; do
	args+=(-p "$p")
done
"$build/tests/qtest/qos-test" --tap -k "${args[@]}" | tee "$build/qtest.log" | grep -E '^(ok|not ok)'
! grep -q '^not ok' "$build/qtest.log"

