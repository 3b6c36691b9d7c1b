#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: every selftest program in this directory, or the
# ones named in $1 (comma-separated PROG or PROG:TEST), printing their
# KTAP and one "vbus-prog: NAME rc=N" line each for the host's runner.
cd "$(dirname "$0")"
sel=$(echo "$1" | tr ',' ' ')
# The migrations first: every other program then runs on the QEMU the
# guest ended on.
[ -n "$sel" ] || sel="vbus_migration_test $(ls | grep '_test$' | grep -vx vbus_migration_test)"
for s in $sel; do
	prog=${s%%:*}
	args=
	[ "$prog" != "$s" ] && args="-t ${s#*:}"
	if [ ! -x "./$prog" ]; then
		echo "vbus-prog: $prog rc=127 (no such test program)"
		continue
	fi
	echo "vbus-prog-start: $prog"
	# shellcheck disable=SC2086
	./"$prog" $args
	echo "vbus-prog: $prog rc=$?"
done
