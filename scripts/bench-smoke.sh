#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark as a smoke test: it runs, finishes and produces positive
# figures for every metric. No timing is asserted (the machines are noisy).
set -uo pipefail
. "$(dirname "$0")/common.sh"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if VBUS_BENCH_OUT=$out bash "$VBUS_TOP/scripts/bench.sh" -q > "$out/log" 2>&1; then
	# bench.sh fails on a figure that is not a number above zero.
	echo "ok - quick benchmark ran: $(($(wc -l < "$out/results.csv") - 1)) figures, all positive"
else
	echo "not ok - quick benchmark"
	tail -n 20 "$out/log" | sed 's/^/    /'
	exit 1
fi
for m in rtt_p50_us shm_pingpong_p50_us stream_MBps notify_per_signal_storm \
	 scale_callers_us_per_call scale_devices_us_per_call calls_per_s \
	 async_calls_per_s mig_downtime_ms mig_total_ms mig_real_downtime_ms \
		 mig_device_phase_ms mig_vbus_device_ms mig_console_device_ms \
		 rtt_paths_p50_us hol_echo_us vu_rtt_p50_us vu_rtt_polled_p50_us \
		 vu_calls_per_s; do
	if grep -q "^$m," "$out/results.csv"; then
		echo "ok - benchmark figure $m"
	else
		echo "not ok - benchmark figure $m missing"
	fi
done
