#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every test suite, even after one fails, and ends with the total:
# "N passed, N failed, N skipped". Arguments go to vmtest.sh (PROG[:TEST]);
# the VM suite runs once per transport in VBUS_TRANSPORTS (default: pci
# pci-iommu mmio ccw vhost-user vhost-user-mmio), pci-iommu only without
# arguments (it runs the tests that work without regions: see vmtest.sh),
# then over pci and mmio on each of the other guest kernels in KERNELS
# (scripts/check-kernels.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"

vmtest=$VBUS_TOP/selftests/drivers/virtio/vbus/vmtest.sh
tot_pass=0 tot_fail=0 tot_skip=0
summary=()

# run NAME COMMAND...: the command's TAP-ish "ok"/"not ok" lines count.
run() {
	local name=$1 log pass fail skip rc
	shift
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "${name#vm-}" != "$name" ]; then
		read -r pass fail skip < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
	else
		pass=$(grep -Ec '^ok ' "$log")
		fail=$(grep -Ec '^not ok ' "$log")
		skip=0
	fi
	pass=${pass:-0} fail=${fail:-0} skip=${skip:-0}
	# A suite that failed without saying which test failed counts once.
	if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		fail=1
	fi
	rm -f "$log"
	tot_pass=$((tot_pass + pass)) tot_fail=$((tot_fail + fail)) tot_skip=$((tot_skip + skip))
	summary+=("$(printf '%-8s %4d passed %4d failed %4d skipped' "$name" "$pass" "$fail" "$skip")")
}

run lint bash "$VBUS_TOP/scripts/lint.sh"
run header bash "$VBUS_TOP/scripts/check-header.sh"
run intree bash "$VBUS_TOP/scripts/check-intree.sh"
run qtest bash "$VBUS_TOP/scripts/qtest.sh"
run bench bash "$VBUS_TOP/scripts/bench-smoke.sh"
run agent python3 -B "$VBUS_TOP/selftests/drivers/virtio/vbus/qmp_agent_test.py"
run libvbus make -s -C "$VBUS_TOP/vhost-user-vbus" check
for t in ${VBUS_TRANSPORTS:-pci pci-iommu mmio ccw vhost-user vhost-user-mmio}; do
	[ "$t" = pci-iommu ] && [ $# -gt 0 ] && continue
	run "vm-$t" "$vmtest" -t "$t" "$@"
done
# Two guests at once, each with its own vhost-user backend processes.
case " ${VBUS_TRANSPORTS:-vhost-user} " in
*" vhost-user "*) run vm-vhost-user-pair bash "$VBUS_TOP/scripts/check-vhost-user-pair.sh" "$@" ;;
esac
# pci and mmio on the other guest kernels (KERNELS, "" for none).
[ -z "${KERNELS-6.1 7.2}" ] || run vm-kernels bash "$VBUS_TOP/scripts/check-kernels.sh" "$@"
# The DKMS package installed in a Debian 12 guest (not for one test;
# VBUS_DKMS=0 leaves it out).
[ $# -gt 0 ] || [ "${VBUS_DKMS:-1}" = 0 ] || run vm-dkms bash "$VBUS_TOP/scripts/check-dkms.sh"

echo "== summary"
printf '%s\n' "${summary[@]}"
echo "$tot_pass passed, $tot_fail failed, $tot_skip skipped"
[ "$tot_fail" = 0 ]
