#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A debug guest kernel from Debian's linux-source-6.12: defconfig +
# kvm_guest.config + KASAN, lockdep, kmemleak, fault injection, less what
# the tests' guest never uses, with
# virtio and PCIe hotplug (native and ACPI: q35's root ports use ACPI)
# built in. Cached; rebuilt when this script or the
# source version changes.
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
CONFIG_DEBUG_FS=y
CONFIG_DEBUG_INFO_NONE=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_VIRTIO=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_CONSOLE=y
CONFIG_HOTPLUG_PCI=y
CONFIG_HOTPLUG_PCI_PCIE=y
CONFIG_HOTPLUG_PCI_ACPI=y
CONFIG_PCIEPORTBUS=y
CONFIG_DEVTMPFS=y
CONFIG_EVENTFD=y
CONFIG_HYPERV=m
CONFIG_PCI_HYPERV=m
CONFIG_MICROSOFT_MANA=m
CONFIG_NET_VENDOR_MICROSOFT=y
CONFIG_DRM=n
CONFIG_FB=n
CONFIG_AGP=n
CONFIG_SOUND=n
CONFIG_USB_SUPPORT=n
CONFIG_HID=n
CONFIG_MEDIA_SUPPORT=n
CONFIG_WIRELESS=n
CONFIG_WLAN=n
CONFIG_CFG80211=n
CONFIG_RFKILL=n
CONFIG_BT=n
CONFIG_NETFILTER=n
CONFIG_NET_SCHED=n
CONFIG_IPV6=n
CONFIG_NETWORK_FILESYSTEMS=n
CONFIG_INFINIBAND=n
CONFIG_SECURITY_SELINUX=n
CONFIG_INPUT_TOUCHSCREEN=n
CONFIG_INPUT_JOYSTICK=n
CONFIG_INPUT_TABLET=n
CFG
# MICROSOFT_MANA (with the Hyper-V drivers it needs) selects
# AUXILIARY_BUS, which has no prompt of its own.
# What a guest of these tests never uses (graphics, sound, USB, wireless,
# netfilter, network file systems) is left out: under KASAN it was most
# of a cold build (the whole of defconfig took over 25 minutes).
vbus_log "configuring the debug kernel"
make -s -C "$src" O="$top/obj" defconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$top/obj" "$top/obj/.config" \
	"$src/kernel/configs/kvm_guest.config" "$top/vbus-debug.config" >/dev/null
make -s -C "$src" O="$top/obj" olddefconfig >/dev/null
for opt in KASAN PROVE_LOCKING DEBUG_KMEMLEAK FAILSLAB FAULT_INJECTION_STACKTRACE_FILTER \
	AUXILIARY_BUS VIRTIO_PCI HOTPLUG_PCI_ACPI; do
	grep -q "^CONFIG_$opt=y" "$top/obj/.config" || vbus_die "debug kernel: CONFIG_$opt did not stick"
done
vbus_log "building the debug kernel ($(nproc) jobs; about 12 minutes)"
make -s -C "$src" O="$top/obj" -j"$(nproc)" bzImage modules > "$top/build.log" 2>&1 ||
	{ tail -n 30 "$top/build.log"; vbus_die "debug kernel build failed"; }
echo "$key" > "$top/key"
vbus_record debug-kernel "$(make -s -C "$src" O="$top/obj" kernelrelease)"
vbus_log "debug kernel: $top/obj/arch/x86/boot/bzImage"
