#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots a QEMU guest with virtio-vbus devices and runs the selftests in it.
#
#   vmtest.sh [-t TRANSPORT] [-j JOB] [-T SECONDS] [PROG[:TEST]]...
#
# TRANSPORT is "pci" (q35, virtio-vbus-pci; the default), "vhost-user"
# (q35, vhost-user-vbus-pci, each device's type a vhost-user-vbus-test
# process of its own, restarted when it dies; "vhost-user-mmio" and
# "vhost-user-ccw" the same on microvm and s390x), "pci-iommu"
# (the same behind an intel-iommu the guest uses), "mmio"
# (microvm, virtio-vbus-device) or "ccw" (an s390x guest on
# qemu-system-s390x, virtio-vbus-ccw; KERNEL_S390X, INITRD_S390X). JOB is "test" (default), "demo" or
# "shell" ("bench" and "migbench" for scripts/bench.sh). With no PROG every test
# program runs (on pci-iommu: the tests that work without regions). Prints the guest's KTAP as it comes, then
# "N passed, N failed, N skipped"; exits non-zero on any failure, on a
# guest that does not finish, or on a kernel warning in the guest's log.
# Skips (exit 4) when QEMU, the kernel or the initramfs is missing.
#
# Environment: QEMU, KERNEL, INITRD, VBUS_CACHE, VBUS_ACCEL (kvm|tcg),
# VBUS_CALLQ=on|off (the devices' call queues; off by default on mmio, so
# that its suite runs the calls through the mailbox),
# VBUS_MIGRATION=0 (the QMP agent offers no live migration: the
# migration tests skip),
# VBUS_DEBUG=1 (the debug kernel of scripts/build-debug-kernel.sh: KASAN,
# lockdep, kmemleak, fault injection; x86 transports only),
# VBUS_LOOPS=N (cycles of the remove/add loops: 50, 10 with VBUS_DEBUG),
# VBUS_APPEND (more guest kernel command line, e.g. nokaslr).

set -u
readonly KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
here=$(cd "$(dirname "$0")" && pwd)

VBUS_CACHE=${VBUS_CACHE:-$HOME/.cache/virtio-vbus}
QEMU=${QEMU:-$VBUS_CACHE/qemu/build/qemu-system-x86_64}
KVER=${KVER:-$(readlink "$VBUS_CACHE/kernel/current" 2>/dev/null)}
KERNEL=${KERNEL:-$VBUS_CACHE/kernel/$KVER/root/boot/vmlinuz-$KVER}
INITRD=${INITRD:-$here/../../../../build/initramfs.cpio.gz}
FIRMWARE=(-L /usr/share/seabios -L /usr/share/qemu)
if [ -n "${VBUS_DEBUG:-}" ]; then
	dobj=$VBUS_CACHE/debug-kernel/obj
	KVER=$(cat "$dobj/include/config/kernel.release" 2>/dev/null)
	KERNEL=$dobj/arch/x86/boot/bzImage
	INITRD=$here/../../../../build/debug/initramfs.cpio.gz
fi

job=test
transport=pci
timeout_s=900
iommu_tests=()
# The slowest boot measured: see README ("Measured").
boot_s=${VBUS_BOOT_TIMEOUT:-90}
[ -n "${VBUS_DEBUG:-}" ] && boot_s=${VBUS_BOOT_TIMEOUT:-240}
while getopts "t:j:T:" opt; do
	case $opt in
	t) transport=$OPTARG ;;
	j) job=$OPTARG ;;
	T) timeout_s=$OPTARG ;;
	*) echo "usage: $0 [-t pci|pci-iommu|mmio|ccw|vhost-user[-mmio|-ccw]] [-j test|demo|shell] [-T SECONDS] [PROG[:TEST]]..." >&2
	   exit $KSFT_FAIL ;;
	esac
done
# vhost-user[-mmio|-ccw]: the transport's machine, the device types in
# processes of their own (vu_add below).
vu_dev=
base=$transport
case $transport in
vhost-user)	base=pci; vu_dev=vhost-user-vbus-pci ;;
vhost-user-mmio) base=mmio; vu_dev=vhost-user-vbus ;;
vhost-user-ccw)	base=ccw; vu_dev=vhost-user-vbus-ccw ;;
esac
case $base in
pci)	machine=(-M q35); dev=virtio-vbus-pci ;;
pci-iommu)
	# The devices behind an intel-iommu the guest uses
	# (VIRTIO_F_ACCESS_PLATFORM): every address they see is an I/O
	# virtual address. Regions are refused there (EOPNOTSUPP), so by
	# default only what works without them runs, and the test that
	# checks the refusal.
	machine=(-M q35 -device intel-iommu,intremap=off)
	dev=virtio-vbus-pci,iommu_platform=on
	iommu_append="intel_iommu=on iommu.strict=1"
	# Calls through the mailbox: with call queues behind this vIOMMU,
	# concurrent calls were given back with used length 0 where QEMU's
	# trace shows it pushed the right one (see README); the driver then
	# marks the device broken.
	callq_default=off
	iommu_tests=(vbus_bind_test
		vbus_call_test vbus_shm_test:iommu_refuses_regions
		vbus_lifecycle_test:device_requested_reset
		vbus_lifecycle_test:reset_cancels_call_in_flight
		vbus_lifecycle_test:remove_add_loop) ;;
mmio)	# microvm: virtio-mmio transports found through ACPI; modern only.
	# Its devices call through the mailbox (callq=off): that path keeps
	# a whole suite of its own.
	machine=(-M microvm,acpi=on,pcie=off -global virtio-mmio.force-legacy=false)
	callq_default=off
	dev=virtio-vbus-device ;;
ccw)	# s390x: the kernel, initramfs and QEMU of the other architecture.
	KVER=$(readlink "$VBUS_CACHE/s390x/current" 2>/dev/null)
	QEMU=${QEMU_S390X:-$(dirname "$QEMU")/qemu-system-s390x}
	KERNEL=${KERNEL_S390X:-$VBUS_CACHE/s390x/$KVER/root/boot/vmlinuz-$KVER}
	INITRD=${INITRD_S390X:-$here/../../../../build/s390x/initramfs.cpio.gz}
	machine=(-M s390-ccw-virtio -cpu max)
	console=ttysclp0
	dev=virtio-vbus-ccw ;;
*)	echo "vmtest: unknown transport '$transport'" >&2; exit $KSFT_FAIL ;;
esac
# Guest RAM the vhost-user backends map: shared memory.
[ -z "$vu_dev" ] || machine=(-M "${machine[1]},memory-backend=mem"
	"${machine[@]:2}" -object memory-backend-memfd,id=mem,size=1G,share=on)
if [ "$base" = ccw ]; then
	serial=(-chardev stdio,id=con,signal=off -device sclpconsole,chardev=con)
else
	console=ttyS0
	serial=(-chardev stdio,id=con,signal=off -serial chardev:con)
fi
# VBUS_CALLQ=on|off: the devices' call queues (VIRTIO_VBUS_F_CALLQ).
[ "${VBUS_CALLQ:-${callq_default:-on}}" = off ] && [ -z "$vu_dev" ] &&
	machine+=(-global virtio-vbus-device.callq=off)
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- "${iommu_tests[@]}"
tests=$(IFS=,; echo "$*")

for f in "$QEMU" "$KERNEL" "$INITRD"; do
	if [ ! -e "$f" ]; then
		echo "vmtest: SKIP: $f is missing (run 'make' first)"
		exit $KSFT_SKIP
	fi
done

work=$(mktemp -d /tmp/vbus-vmtest.XXXXXX)
log=$work/log
watcher=
supervisors=()
trap 'vu_stop; [ -e "$work/agent.pid" ] && kill "$(cat "$work/agent.pid")" 2>/dev/null; [ -z "$watcher" ] || kill "$watcher" 2>/dev/null; rm -rf "$work"' EXIT

# vhost-user: each device's backend is a vhost-user-vbus-test process,
# run again a second after it dies (the QMP agent's x-backend-kill); its
# pid is in $work/vu/ID.pid, its messages in $work/vu/ID.log.
VU_DAEMON=${VU_DAEMON:-$here/../../../../build/vhost-user-vbus/vhost-user-vbus-test}
vu_supervise() {
	local id=$1; shift
	while [ ! -e "$work/vu/stop" ]; do
		"$VU_DAEMON" --socket-path "$work/vu/$id.sock" "$@" \
			2>> "$work/vu/$id.log" &
		echo $! > "$work/vu/$id.pid"
		wait $!
		[ -e "$work/vu/stop" ] || sleep 1
	done
}

# vu_add ID "DAEMON OPTIONS" [",DEVICE,OPTIONS"]: a device and its backend.
vu_add() {
	mkdir -p "$work/vu"
	# shellcheck disable=SC2086
	vu_supervise "$1" $2 &
	supervisors+=($!)
	devices+=(-chardev "socket,id=$1,path=$work/vu/$1.sock,reconnect-ms=500"
		-device "${vu_dev:-vhost-user-vbus-pci},chardev=$1${3:-}")
}

vu_stop() {
	[ ${#supervisors[@]} -gt 0 ] || return 0
	touch "$work/vu/stop"
	kill "${supervisors[@]}" 2>/dev/null
	cat "$work"/vu/*.pid 2>/dev/null | xargs -r kill 2>/dev/null
	wait "${supervisors[@]}" 2>/dev/null
	supervisors=()
}

# The backends listen before QEMU connects.
vu_wait() {
	local s i

	for s in "$work"/vu/*.pid; do
		for ((i = 0; i < 100; i++)); do
			[ -S "${s%.pid}.sock" ] && break
			sleep 0.1
		done
		[ -S "${s%.pid}.sock" ] || { echo "vmtest: FAIL: backend ${s%.pid} did not start"; exit $KSFT_FAIL; }
	done
}

# The guest's console with the kernel's records taken out. The kernel
# writes each record whole ("[    1.234567] text\n", printk.time=1) but
# wherever the console happens to be, so one may land inside a line the
# tests are writing: removing the records puts those lines back together,
# and no interleaving can change a marker the verdict is read from.
clean_log() {
	tr -d '\r' < "$1" | perl -0pe 's/\[ *\d+\.\d+\] [^\n]*\n//g'
}

# Kills QEMU when the guest's init has not said "vbus-guest: init" within
# $boot_s seconds: a hung boot fails in a minute or two, with its log, not
# at the run's timeout.
watch_boot() {
	local i

	for ((i = 0; i < boot_s; i++)); do
		sleep 1
		clean_log "$log" | grep -q '^vbus-guest: init' && return
	done
	echo "vmtest: FAIL: no sign of the guest's init within $boot_s s" > "$work/boot-hung"
	kill "$(cat "$work/qemu.pid" 2>/dev/null)" 2>/dev/null
}

# Patterns in the guest's kernel log that fail the run ("enqueued on
# deprecated workqueue": Linux 7.2's pr_warn_once for work on system_wq).
readonly BAD='WARNING:|enqueued on deprecated workqueue|BUG:|Oops|general protection|refcount_t:|list_add corruption|UBSAN|KASAN:|hung task|blocked for more than|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|unreferenced object|Kernel panic'

# A guest that prints "vbus-guest: done" within 30 s proves KVM works;
# /dev/kvm alone does not (a nested variant may hang every guest).
pick_accel() {
	local cache id

	if [ -n "${VBUS_ACCEL:-}" ]; then
		echo "$VBUS_ACCEL"
		return
	fi
	if [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	cache=$VBUS_CACHE/kvm-probe-$id
	if [ ! -f "$cache" ]; then
		if timeout -k 2 30 "$QEMU" "${FIRMWARE[@]}" -accel kvm -M q35 -m 256 \
			-nodefaults -display none -serial stdio -no-reboot \
			-kernel "$KERNEL" -initrd "$INITRD" \
			-append "console=ttyS0 panic=-1 quiet vbus.job=probe" \
			</dev/null 2>/dev/null | grep -q "vbus-guest: done"; then
			echo kvm > "$cache"
		else
			echo tcg > "$cache"
		fi
	fi
	cat "$cache"
}

# The devices a test run needs: two good ones with different identities
# (the second takes calls up to 1 MiB), one without device calls, and two
# whose type name the driver must reject.
devices=(
	-object vbus-test,id=vt0
	-device $dev,backend=vt0
	-object vbus-test,id=vt1,type-name=vbus-test-b,abi-version=7
	-device $dev,backend=vt1,max-call-len=1048576
	-object vbus-test,id=vt4,type-name=vbus-nocall
	-device $dev,backend=vt4,call=off
	-object vbus-test,id=vt5,type-name=vbus-test-mq
	-device $dev,backend=vt5,num-event-queues=2
	-object vbus-test,id=vt7,type-name=vbus-callonly
	-device $dev,backend=vt7,shm=off
	-object vbus-test,id=vt8,type-name=vbus-mq-noshm
	-device $dev,backend=vt8,shm=off,num-event-queues=2
	-object vbus-test,id=vt6,type-name=vbus-hostile,max-delay-ms=500
	-device $dev,backend=vt6,cmd-timeout-ms=1000,callq=off
	-object vbus-test,id=vt2,type-name=nul-missing-nul-missing-nul-miss
	-device $dev,backend=vt2
	-object "vbus-test,id=vt3,type-name=ctrl$(printf '\001')char"
	-device $dev,backend=vt3
)
append="vbus.expect=vbus-test:1,vbus-test-b:7,vbus-nocall:1,vbus-test-mq:1,vbus-callonly:1,vbus-mq-noshm:1,vbus-hostile:1 vbus.bad=2"
if [ -n "$vu_dev" ]; then
	# The same devices, each type in a process of its own.
	devices=()
	vu_add vu0 ""
	vu_add vu1 "--type-name vbus-test-b --abi-version 7 --max-call-len 1048576"
	vu_add vu4 "--type-name vbus-nocall --no-call" ",num-call-queues=0"
	vu_add vu5 "--type-name vbus-test-mq --num-event-queues 2" ",num-event-queues=2"
	vu_add vu7 "--type-name vbus-callonly --no-shm"
	vu_add vu8 "--type-name vbus-mq-noshm --no-shm --num-event-queues 2" ",num-event-queues=2"
	vu_add vu6 "--type-name vbus-hostile --max-delay-ms 500 --cmd-timeout-ms 1000 --no-callq" ",num-call-queues=0"
	vu_add vu2 "--type-name nul-missing-nul-missing-nul-miss"
	vu_add vu3 "--type-name ctrl$(printf '\001')char"
	append+=" vbus.backend=vhost-user"
fi
if [ "$job" = demo ]; then
	devices=(-object vbus-test,id=vt0 -device "$dev,backend=vt0")
	append=
fi
if [ "$job" = bench ]; then
	# Eight vbus-test devices, and two virtio-serial ports whose host
	# ends are sockets in $VBUS_BENCH_SOCKETS (rr: echo, sink: discard).
	devices=()
	for i in 0 1 2 3 4 5 6 7; do
		devices+=(-object "vbus-test,id=vb$i" -device "$dev,backend=vb$i")
	done
	# One more whose calls take the mailbox, to compare with call queues.
	devices+=(-object vbus-test,id=vbm,type-name=vbus-mbox
		-device "$dev,backend=vbm,callq=off")
	devices+=(-device virtio-serial-pci
		-chardev "socket,id=rr,path=$VBUS_BENCH_SOCKETS/rr.sock,server=on,wait=off"
		-device virtserialport,chardev=rr,name=vbus.rr
		-chardev "socket,id=sink,path=$VBUS_BENCH_SOCKETS/sink.sock,server=on,wait=off"
		-device virtserialport,chardev=sink,name=vbus.sink)
	# And the vbus-test type in a process of its own ("vbus-vu", on
	# vhost-user-vbus-pci), against the one in QEMU: guest RAM is
	# shared memory for the whole run, so both see the same RAM.
	machine=(-M q35,memory-backend=mem
		-object memory-backend-memfd,id=mem,size=1G,share=on)
	vu_add vub "--type-name vbus-vu"
	# The same, polling its call queue for 100 us after each kick.
	vu_add vup "--type-name vbus-vu-poll --poll-us 100"
	append="vbus.bench=${VBUS_BENCH_ARGS:-}"
fi

if [ "$job" = migbench ]; then
	# What vbus devices add to a migration: VBUS_MIGBENCH_DEVICES
	# vbus-test devices (8 by default, 0 for the guest without).
	devices=()
	for ((i = 0; i < ${VBUS_MIGBENCH_DEVICES:-8}; i++)); do
		devices+=(-object "vbus-test,id=vb$i" -device "$dev,backend=vb$i")
	done
	# QEMU's own account of the downtime, section by section, on one
	# clock for the source and its destinations (scripts/migtrace.py).
	devices+=(-msg timestamp=on -trace "vmstate_downtime_*")
	append="vbus.bench=${VBUS_BENCH_ARGS:-}"
fi

# The guest's QMP channel: a virtio-serial port "vbus.qmp" whose host end
# is qmp_agent.py, which runs the guest's hotplug and misbehaviour
# requests on QEMU's QMP socket. vbus.hotplug= tells the tests what to
# device_add (backend hp0, type vbus-hotplug) and where; virtio-mmio has
# no hotplug. Test and shell guests get it.
qmp=
case $job in test|shell|migbench) qmp=1 ;; esac
if [ -n "$qmp" ]; then
	case $transport in
	pci|pci-iommu)
		serdev=virtio-serial-pci
		devices+=(-device pcie-root-port,id=hp.0,chassis=1,slot=1
			-device pcie-root-port,id=hp.1,chassis=2,slot=2)
		append+=" vbus.hotplug=virtio-vbus-pci:hp.0:hp.1" ;;
	mmio)	serdev=virtio-serial-device ;;
	vhost-user*)
		serdev=virtio-serial-${base/mmio/device} ;;
	ccw)	serdev=virtio-serial-ccw
		append+=" vbus.hotplug=virtio-vbus-ccw" ;;
	esac
	[ -n "$vu_dev" ] ||
		devices+=(-object vbus-test,id=hp0,type-name=vbus-hotplug)
	devices+=(-device "$serdev,id=qser"
		-chardev "socket,id=qmpport,path=$work/port.sock,server=on,wait=off"
		-device virtserialport,bus=qser.0,chardev=qmpport,name=vbus.qmp
		-qmp "unix:$work/qmp.sock,server=on,wait=off")
fi

if [ "$base" = ccw ]; then
	accel=tcg	# another architecture: KVM cannot run it
else
	accel=$(pick_accel)
fi
# Under TCG one thread runs both vCPUs: multi-threaded TCG hit QEMU's
# "iotlb_to_section: section_index < d->map.sections_nb" assertion while a
# PCI device was removed and rescanned under load (a QEMU race, not the
# device's). The guest still has two CPUs.
accel_opts=$accel
[ "$accel" = tcg ] && accel_opts=tcg,thread=${VBUS_TCG_THREAD:-single}
# microvm has neither HPET nor an ACPI PM timer. When the guest's TSC
# calibration against the PIT fails, as it does for a TCG vCPU on a loaded
# host, the kernel falls back to a delay loop that waits for timer ticks
# which never come there: seen hanging in calibrate_delay() in 3 boots of
# 5 with the host's two cores busy. A TCG guest's TSC is the host's (QEMU
# reads it), so the guest is told its rate instead; none hung in 8 boots.
if [ "$base" = mmio ] && [ "$accel" = tcg ] && [ "$(uname -m)" = x86_64 ]; then
	if cc -O2 -o "$work/tsc_khz" "$here/tsc_khz.c" 2>/dev/null; then
		append+=" tsc_early_khz=$("$work/tsc_khz")"
	else
		echo "vmtest: no C compiler: the guest calibrates its TSC (may hang on a loaded host)"
	fi
fi
echo "vmtest: $job over $transport on $(basename "$QEMU") -accel $accel_opts, kernel $KVER"
[ ${#supervisors[@]} -eq 0 ] || vu_wait
start=$(date +%s)
: > "$log"
watch_boot &
watcher=$!
# The demo shows the guest's story (between its markers) and keeps the
# whole console in $VBUS_DEMO_LOG; other jobs show everything.
show() { cat; }
loglevel=5
if [ "$job" = demo ]; then
	demo_log=$(realpath -m "${VBUS_DEMO_LOG:-$here/../../../../build/demo.log}")
	echo "vmtest: the guest's whole console: $demo_log"
	show() { tee "$demo_log" | sed -u -n '/^vbus-demo-begin/,/^vbus-demo-end/{/^vbus-demo-/!p}'; }
	loglevel=3
fi
# The migration tests skip at once, even those that start calls first.
[ "${VBUS_MIGRATION:-1}" = 0 ] && append+=" vbus.migration=off"
# Remove/add loops: 50 cycles, 10 on the debug kernel (a cycle there takes
# up to 12 s; see README), or VBUS_LOOPS.
loops=${VBUS_LOOPS:-}
[ -z "$loops" ] && [ -n "${VBUS_DEBUG:-}" ] && loops=10
[ -n "$loops" ] && append+=" vbus.loops=$loops"
# More guest kernel command line, e.g. VBUS_APPEND=nokaslr to read a hung
# guest's registers (QMP "info registers -a") against System.map.
[ -n "${VBUS_APPEND:-}" ] && append+=" $VBUS_APPEND"
qemu_cmd=("$QEMU" "${FIRMWARE[@]}" -accel "$accel_opts" \
	"${machine[@]}" -smp 2 -m 1G -nodefaults -display none -no-reboot \
	"${serial[@]}" -pidfile "$work/qemu.pid" \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=$console loglevel=$loglevel printk.time=1 panic=-1 oops=panic ${iommu_append:-} vbus.job=$job vbus.tests=$tests $append" \
	"${devices[@]}")
# The guest's QMP agent, and QEMU. The agent starts the destinations of
# live migrations (qmp_agent.py x-migrate) with the same command line:
# their consoles go on in this same output, and the run ends when the
# last QEMU does, which the agent waits for.
run_vm() {
	local apid migration=()
	if [ -n "$qmp" ]; then
		if [ "${VBUS_MIGRATION:-1}" != 0 ]; then
			printf '%s\0' "${qemu_cmd[@]}" > "$work/qemu.args"
			migration=("$work/qemu.args")
		fi
		VBUS_DEADLINE=$((start + timeout_s)) python3 "$here/qmp_agent.py" \
			"$work/qmp.sock" "$work/port.sock" "$work/vu" \
			"${migration[@]}" 2> "$work/agent.log" &
		apid=$!
		echo "$apid" > "$work/agent.pid"
	fi
	timeout -k 5 "$timeout_s" "${qemu_cmd[@]}" </dev/null 2>&1
	echo $? > "$work/qemu.rc"
	if [ -n "$qmp" ]; then
		wait "$apid"
		echo $? > "$work/agent.rc"
	fi
}
run_vm | tee "$log" | show
qemu_rc=$(cat "$work/qemu.rc")
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
echo "vmtest: guest ran $(( $(date +%s) - start )) s"
fail=0
if [ -e "$work/boot-hung" ]; then
	cat "$work/boot-hung"
	fail=1
fi
if [ -n "$qmp" ]; then
	if [ "$(cat "$work/agent.rc" 2>/dev/null)" != 0 ]; then
		echo "vmtest: FAIL: the QMP agent failed:"
		fail=1
	fi
	echo "vmtest: $(grep -c '^qmp-agent: ' "$work/agent.log") QMP requests from the guest"
	grep -v '^qmp-agent: ' "$work/agent.log" | sed 's/^/    /'
fi

vu_stop
# What the backends said, when the run failed (they tell of every
# connection's end).
for f in "$work"/vu/*.log; do
	grep -q "^vbus-guest: done" "$log" 2>/dev/null && [ "$fail" = 0 ] && break
	[ -s "$f" ] || continue
	echo "vmtest: backend $(basename "$f" .log) said:"
	sed 's/^/    /' "$f" | tail -n 20
done
clean_log "$log" > "$work/clean"
if ! grep -q "^vbus-guest: done" "$work/clean"; then
	echo "vmtest: FAIL: the guest did not finish (qemu exit $qemu_rc)"
	fail=1
fi
if grep -Eq "$BAD" "$log"; then
	echo "vmtest: FAIL: the guest kernel log shows:"
	grep -E -A4 "$BAD" "$log" | head -n 40 | sed 's/^/    /'
	fail=1
fi

[ "$job" = test ] || exit $((fail ? KSFT_FAIL : KSFT_PASS))

awk -v fail="$fail" '
	/^ok [0-9]+ .*# SKIP/ { skip++; next }
	/^ok [0-9]+ / { pass++; next }
	/^not ok [0-9]+ / { failed++; prog_fail[cur]++; next }
	/^vbus-prog-start: / { cur = $2; next }
	/^vbus-prog: / {
		split($3, rc, "=")
		if (rc[2] != 0 && !prog_fail[$2]) {
			printf "vmtest: FAIL: %s exited %s\n", $2, rc[2]
			failed++
		}
		progs++
	}
	END {
		if (!progs) { print "vmtest: FAIL: no test program ran"; failed++ }
		failed += fail
		printf "%d passed, %d failed, %d skipped\n", pass, failed, skip
		exit failed ? 1 : 0
	}' "$work/clean"
