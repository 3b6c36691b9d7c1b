#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style gates: the kernel's checkpatch --strict and sparse on the driver
# and the UAPI header (both must be clean), QEMU's checkpatch on every patch
# of the series (no errors; warnings are printed).
set -uo pipefail
. "$(dirname "$0")/common.sh"

ksrc=$VBUS_CACHE/linux-source-6.12
qsrc=$VBUS_CACHE/qemu/src
kver=${KVER:-$(readlink "$VBUS_CACHE/kernel/current")}
kdir=${KDIR:-/usr/src/linux-headers-$kver}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
fails=0

for f in "$VBUS_TOP"/drivers/virtio/*.[ch] "$VBUS_TOP"/include/linux/*.h \
	 "$VBUS_TOP"/include/uapi/linux/virtio_vbus.h; do
	# Generated files; TRACE_EVENT() headers follow the tracing macros'
	# own layout, which checkpatch misreads (as in the kernel tree).
	case "$f" in *.mod.c|*_trace.h) continue ;; esac
	name=${f#"$VBUS_TOP"/}
	# The compat header is where version tests belong, and only there.
	ignore=
	case "$f" in *_compat.h) ignore=--ignore=LINUX_VERSION_CODE ;; esac
	# shellcheck disable=SC2086
	if perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet $ignore -f "$f" > "$tmp" 2>&1 &&
	   [ ! -s "$tmp" ]; then
		echo "ok - checkpatch --strict $name"
	else
		fails=$((fails + 1)); echo "not ok - checkpatch --strict $name"; sed 's/^/    /' "$tmp"
	fi
done

# sparse: a full rebuild of the module with C=2 must print no warning.
if make -s -C "$kdir" M="$VBUS_TOP" C=2 modules > "$tmp" 2>&1 &&
   ! grep -E 'warning|error' "$tmp" | grep -v 'module verification' >/dev/null; then
	echo "ok - sparse drivers/virtio"
else
	fails=$((fails + 1)); echo "not ok - sparse drivers/virtio"; sed 's/^/    /' "$tmp"
fi

for p in "$VBUS_TOP"/qemu-patches/*.patch; do
	name=qemu-patches/$(basename "$p")
	perl "$qsrc/scripts/checkpatch.pl" --no-tree "$p" > "$tmp" 2>&1
	if grep -q '^ERROR' "$tmp"; then
		fails=$((fails + 1)); echo "not ok - QEMU checkpatch $name"; grep -A3 '^ERROR' "$tmp" | sed 's/^/    /'
	else
		echo "ok - QEMU checkpatch $name"
		grep '^WARNING' "$tmp" | sed 's/^/    # /'
	fi
done
[ "$fails" = 0 ]
