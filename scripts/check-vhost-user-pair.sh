#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two guests at once over vhost-user, each with backend processes of its
# own (vmtest.sh -t vhost-user keeps sockets, pids and logs in its own
# directory): the call and shm suites (or the PROG[:TEST] arguments) run
# in both, and must pass in both. Prints each guest's results and the sum.
set -uo pipefail
. "$(dirname "$0")/common.sh"

vmtest=$VBUS_TOP/selftests/drivers/virtio/vbus/vmtest.sh
[ $# -gt 0 ] || set -- vbus_call_test vbus_shm_test
out=$(mktemp -d /tmp/vbus-pair.XXXXXX)
trap 'rm -rf "$out"' EXIT

"$vmtest" -t vhost-user "$@" > "$out/a" 2>&1 &
a=$!
"$vmtest" -t vhost-user "$@" > "$out/b" 2>&1 &
b=$!
wait "$a"; rc_a=$?
wait "$b"; rc_b=$?

pass=0 fail=0 skip=0
for g in a b; do
	echo "== guest $g"
	grep -E '^(not )?ok [0-9]|^vmtest: |^[0-9]+ passed, ' "$out/$g"
	read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$out/$g" | tail -n 1)
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1})) skip=$((skip + ${s:-0}))
done
[ "$rc_a" = 0 ] && [ "$rc_b" = 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
