#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian 12 guest with a real userspace, for the DKMS package's test
# (scripts/check-dkms.sh): mmdebstrap from Debian's archive, systemd and
# udev, dkms, Debian 12's own kernel (6.1) and its headers, a user
# "tester", and a service that runs /payload/run.sh from the second disk
# at every boot. Cached in $VBUS_CACHE/debian/KEY (the key: this script);
# prints that directory, which holds rootfs.img, vmlinuz and initrd.img.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || vbus_die "run as root"
# The directory alone on stdout; the tools' chatter goes to stderr.
exec 3>&1 1>&2
for p in mmdebstrap e2fsprogs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
kver=$(readlink "$VBUS_CACHE/kernel/6.1") ||
	vbus_die "no Linux 6.1: run scripts/setup-kernels.sh 6.1"
key=$( { echo "$kver"; cat "$0"; } | sha256sum | cut -c1-16)
top=$VBUS_CACHE/debian/$key
if [ -f "$top/.done" ]; then
	echo "$top" >&3
	exit 0
fi

vbus_log "building the Debian 12 guest image ($kver, mmdebstrap; once)"
rm -rf "$VBUS_CACHE/debian" && mkdir -p "$top"	# older keys too
root=$top/root
# The service: the payload disk's run.sh, its output on the console.
unit='[Unit]
Description=virtio-vbus package test (payload disk)
After=multi-user.target systemd-udev-settle.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c "mkdir -p /payload && tar -xf /dev/vdb -C /payload && exec sh /payload/run.sh"
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
[Install]
WantedBy=multi-user.target'
mmdebstrap --quiet --mode=root --variant=minbase \
	--include="systemd-sysv,dbus,udev,kmod,dkms,libc6-dev,linux-image-$kver,linux-headers-$kver,passwd,procps" \
	--customize-hook='echo vbus-guest > "$1/etc/hostname"' \
	--customize-hook='echo "/dev/vda / ext4 rw 0 1" > "$1/etc/fstab"' \
	--customize-hook='chroot "$1" useradd -m -s /bin/sh tester' \
	--customize-hook="printf '%s\n' '$unit' > \"\$1/etc/systemd/system/vbus-payload.service\"" \
	--customize-hook='chroot "$1" systemctl enable vbus-payload.service' \
	--customize-hook='chroot "$1" systemctl mask getty@tty1.service serial-getty@ttyS0.service' \
	bookworm "$root" \
	"deb http://deb.debian.org/debian bookworm main" \
	"deb http://deb.debian.org/debian bookworm-updates main" \
	"deb http://deb.debian.org/debian-security bookworm-security main"
cp "$root/boot/vmlinuz-$kver" "$top/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$top/initrd.img"
mkfs.ext4 -q -L vbus-root -d "$root" "$top/rootfs.img" 4G
rm -rf "$root"
touch "$top/.done"
vbus_log "Debian guest image: $top ($(du -sh "$top/rootfs.img" | cut -f1))"
echo "$top" >&3
