#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds build/virtio-vbus-dkms_VERSION_all.deb from dkms/ (VERSION is the
# top-level VERSION file's): the module's source in /usr/src for DKMS, the
# UAPI header, the udev rule, vbusctl's source (compiled by postinst into
# /var/lib/virtio-vbus-dkms, where the package's /usr/bin/vbusctl links,
# as the module is by DKMS, so the package stays architecture-independent).
set -euo pipefail
. "$(dirname "$0")/common.sh"

ver=$(cat "$VBUS_TOP/VERSION")
pkg=$VBUS_TOP/build/deb/root
src=$pkg/usr/src/virtio-vbus-$ver
rm -rf "$VBUS_TOP/build/deb" "$VBUS_TOP"/build/virtio-vbus-dkms_*.deb
mkdir -p "$src/drivers/virtio" "$src/tools" "$pkg/DEBIAN" \
	 "$pkg/usr/include/linux" "$pkg/usr/lib/udev/rules.d" \
	 "$pkg/usr/share/doc/virtio-vbus-dkms" "$pkg/usr/bin"

# The driver's sources as committed (in a git tree), not build leftovers.
if git -C "$VBUS_TOP" rev-parse --git-dir >/dev/null 2>&1; then
	srcs=$(git -C "$VBUS_TOP" ls-files Kbuild drivers/virtio include)
else
	srcs=$(cd "$VBUS_TOP" && ls Kbuild drivers/virtio/{Kbuild,*.c,*.h} include/*/*.h include/uapi/linux/*.h)
fi
for f in $srcs; do
	case $f in *.mod.c) continue ;; esac
	mkdir -p "$src/$(dirname "$f")"
	cp "$VBUS_TOP/$f" "$src/$f"
done
cp "$VBUS_TOP"/tools/vbus/{vbusctl.c,vbus_ioctl.h} "$src/tools/"
sed "s/#MODULE_VERSION#/$ver/" "$VBUS_TOP/dkms/dkms.conf" > "$src/dkms.conf"

cp "$VBUS_TOP/include/uapi/linux/virtio_vbus.h" "$pkg/usr/include/linux/"
cp "$VBUS_TOP/dkms/60-virtio-vbus.rules" "$pkg/usr/lib/udev/rules.d/"
cp "$VBUS_TOP/README.md" "$VBUS_TOP"/Documentation/*.rst "$VBUS_TOP/dkms/copyright" \
	"$pkg/usr/share/doc/virtio-vbus-dkms/"
ln -s /var/lib/virtio-vbus-dkms/vbusctl "$pkg/usr/bin/vbusctl"
for f in control postinst prerm; do
	sed "s/#MODULE_VERSION#/$ver/" "$VBUS_TOP/dkms/$f" > "$pkg/DEBIAN/$f"
done
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -type f ! -path '*/DEBIAN/p*' -exec chmod 0644 {} +
(cd "$pkg" && find usr -type f -exec md5sum {} + > DEBIAN/md5sums)
echo "Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)" >> "$pkg/DEBIAN/control"

out=$VBUS_TOP/build/virtio-vbus-dkms_${ver}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
vbus_log "package: $out ($(du -h "$out" | cut -f1))"
