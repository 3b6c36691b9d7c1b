#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The DKMS package's test inside the Debian 12 guest (scripts/check-dkms.sh
# puts it on the payload disk as run.sh; a service runs it at every boot).
# First boot: install the package (DKMS builds the module for the running
# kernel), see the module loaded by modalias, /dev/vbus0's group and mode,
# and a call as a user in the "vbus" group; then reboot. Second boot: the
# same without touching anything (the module loads at boot by modalias),
# then remove the package. TAP on /dev/ttyS1, its plan last, then
# "vbus-pkg: done".
state=/var/lib/vbus-pkg-test
out=/tmp/vbus-pkg-test.out
# The TAP goes to the second serial port, a file on the host, away from
# the kernel's console; numbered across both boots.
exec > /dev/ttyS1 2>&1
mkdir -p "$state"
n=$(cat "$state/n" 2>/dev/null || echo 0)
boots=$(( $(cat "$state/boots" 2>/dev/null || echo 0) + 1 ))
echo "$boots" > "$state/boots"
if [ "$boots" -gt 2 ]; then
	echo "vbus-pkg: boot $boots: the guest rebooted on its own"
	systemctl poweroff
	exit 1
fi

check() {
	desc=$1
	shift
	n=$((n + 1))
	echo "$n" > "$state/n"
	if "$@" > "$out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$out"
	fi
}

loaded() { grep -q '^virtio_vbus ' /proc/modules; }
dev_perms() { [ "$(stat -c '%U:%G %a' /dev/vbus0)" = "root:vbus 660" ]; }
user_calls() {
	runuser -u tester -- vbusctl list &&
	runuser -u tester -- vbusctl call vbus0 echo hello-vbus | grep -q hello-vbus
}
others_refused() {
	runuser -u nobody -- vbusctl info /dev/vbus0 2>&1 | grep -qi 'permission denied'
}
device_checks() {
	check "$1: /dev/vbus0 is root:vbus, mode 0660 (the udev rule)" dev_perms
	check "$1: a user in the vbus group lists devices and makes a call" user_calls
	check "$1: a user outside the group cannot open /dev/vbus0" others_refused
}

if [ ! -f "$state/installed" ]; then
	echo "vbus-pkg: boot 1, kernel $(uname -r)"
	check "the package installs; DKMS builds the module for $(uname -r)" \
		dpkg -i /payload/virtio-vbus-dkms.deb
	check "dkms status: installed for $(uname -r)" \
		sh -c "dkms status -m virtio-vbus -k $(uname -r) | grep -q installed"
	check "modinfo finds the DKMS module" \
		sh -c "modinfo -n virtio_vbus | grep -q /updates/dkms/"
	udevadm settle
	check "install: the module is loaded by modalias, no modprobe" loaded
	usermod -aG vbus tester
	device_checks install
	touch "$state/installed"
	echo "vbus-pkg: rebooting"
	systemctl reboot
	exit 0
fi

echo "vbus-pkg: boot 2"
udevadm settle
check "reboot: the module loaded at boot by modalias" loaded
device_checks reboot
check "the package removes, with the module and vbusctl" \
	sh -c 'rmmod virtio_vbus && dpkg -r virtio-vbus-dkms &&
	       ! modinfo virtio_vbus 2>/dev/null && [ ! -e /usr/bin/vbusctl ] &&
	       [ -z "$(dkms status -m virtio-vbus)" ]'
echo "1..$n"
echo "vbus-pkg: done"
systemctl poweroff
