#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the QEMU series one patch at a time, as QEMU's maintainers ask
# (every patch must build alone, for bisection): applies qemu-patches/ in
# order to Debian's source in a tree of its own and runs ninja (both
# system emulators and the qtests) after each. Incremental, so one full
# build and then about a minute a patch. Not part of make check.
set -euo pipefail
. "$(dirname "$0")/common.sh"

bash "$VBUS_TOP/scripts/build-qemu.sh"	# the base tree and its configure args
top=$VBUS_CACHE/qemu-series
base=$VBUS_CACHE/qemu/src
conf=$(cat "$VBUS_CACHE/qemu/build/configured")

if [ ! -d "$top/src/.git" ]; then
	mkdir -p "$top"
	git clone -q "$base" "$top/src"
fi
git -C "$top/src" fetch -q "$base" tag vbus-base
git -C "$top/src" am --abort >/dev/null 2>&1 || true
git -C "$top/src" reset -q --hard vbus-base
git -C "$top/src" clean -qfdx

mkdir -p "$top/build"
cd "$top/build"
if [ "$(cat configured 2>/dev/null)" != "$conf" ]; then
	# shellcheck disable=SC2086
	"$top/src/configure" $conf > configure.log 2>&1 ||
		{ tail -n 30 configure.log; vbus_die "QEMU configure failed"; }
	echo "$conf" > configured
fi

fail=0
n=0
for p in "$VBUS_TOP"/qemu-patches/*.patch; do
	n=$((n + 1))
	git -C "$top/src" -c user.name=vbus -c user.email=vbus@localhost am -q "$p"
	start=$(date +%s)
	if ninja -j "$(nproc)" all tests/qtest/qos-test > "build-$n.log" 2>&1; then
		echo "ok $n - $(basename "$p") builds ($(( $(date +%s) - start )) s)"
	else
		echo "not ok $n - $(basename "$p") does not build alone"
		grep -m 10 -E "error|Error" "build-$n.log" | sed 's/^/    /'
		fail=1
	fi
done
exit $fail
