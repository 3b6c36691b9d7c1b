#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A debug guest kernel from Debian's linux-source-6.12: allnoconfig plus
# what the tests' guests use (q35 and microvm, virtio over pci and mmio,
# PCIe hotplug, hibernation's device test, io_uring) and KASAN, lockdep,
# kmemleak and fault injection, all built in. Cached; rebuilt when this
# script or the source version changes.
set -euo pipefail
. "$(dirname "$0")/common.sh"

top=$VBUS_CACHE/debug-kernel
src=$top/src
ver=$(cat "$VBUS_CACHE/linux-source-6.12/.version")
key=$( { echo "$ver"; cat "$0"; } | sha256sum | cut -c1-16)
if [ "$(cat "$top/key" 2>/dev/null)" = "$key" ] && [ -f "$top/obj/arch/x86/boot/bzImage" ]; then
	vbus_log "debug kernel up to date ($key)"
	exit 0
fi
# A pristine tree of its own: the shared one serves in-tree selftest builds.
if [ "$(cat "$src/.version" 2>/dev/null)" != "$ver" ]; then
	vbus_log "unpacking linux-source-6.12 $ver for the debug kernel"
	rm -rf "$src" "$top/obj" && mkdir -p "$src"
	tar -xf /usr/src/linux-source-6.12.tar.* -C "$src" --strip-components=1
	echo "$ver" > "$src/.version"
fi
mkdir -p "$top/obj"
cat > "$top/vbus-debug.config" <<'CFG'
CONFIG_64BIT=y
CONFIG_SMP=y
CONFIG_HYPERVISOR_GUEST=y
CONFIG_PARAVIRT=y
CONFIG_KVM_GUEST=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_NO_HZ_IDLE=y
CONFIG_HPET_TIMER=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_IO_URING=y
CONFIG_EVENTFD=y
CONFIG_SHMEM=y
CONFIG_TMPFS=y
CONFIG_PROC_FS=y
CONFIG_PROC_SYSCTL=y
CONFIG_SYSFS=y
CONFIG_DEVTMPFS=y
CONFIG_KALLSYMS=y
CONFIG_KALLSYMS_ALL=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_NET=y
CONFIG_UNIX=y
CONFIG_TTY=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_ACPI=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y
CONFIG_PCIEPORTBUS=y
CONFIG_HOTPLUG_PCI=y
CONFIG_HOTPLUG_PCI_PCIE=y
CONFIG_HOTPLUG_PCI_ACPI=y
CONFIG_PM=y
CONFIG_PM_DEBUG=y
CONFIG_BLOCK=y
CONFIG_SWAP=y
CONFIG_HIBERNATION=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_CONSOLE=y
CONFIG_PECI=m
CONFIG_PECI_CPU=m
CONFIG_DEBUG_KERNEL=y
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_FS=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_LIST=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_FAULT_INJECTION=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_FAULT_INJECTION_STACKTRACE_FILTER=y
CFG
# PECI_CPU is there for AUXILIARY_BUS, which has no prompt of its own;
# nothing in these guests has a PECI device. Everything else is left
# out: a defconfig-based kernel took 19 minutes to build cold and a
# minute to boot under KASAN and TCG.
vbus_log "configuring the debug kernel"
KCONFIG_ALLCONFIG="$top/vbus-debug.config" make -s -C "$src" O="$top/obj" allnoconfig >/dev/null
for opt in $(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=[ym]$/\1/p' "$top/vbus-debug.config") AUXILIARY_BUS; do
	grep -q "^CONFIG_$opt=[ym]" "$top/obj/.config" || vbus_die "debug kernel: CONFIG_$opt did not stick"
done
jobs=${VBUS_JOBS:-$(nproc)}
vbus_log "building the debug kernel ($jobs jobs; about 10 minutes on 2)"
make -s -C "$src" O="$top/obj" -j"$jobs" bzImage modules > "$top/build.log" 2>&1 ||
	{ tail -n 30 "$top/build.log"; vbus_die "debug kernel build failed"; }
echo "$key" > "$top/key"
vbus_record debug-kernel "$(make -s -C "$src" O="$top/obj" kernelrelease)"
vbus_log "debug kernel: $top/obj/arch/x86/boot/bzImage"
