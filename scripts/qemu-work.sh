#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-work.sh setup DIR: a git tree of Debian's QEMU source with
#                         qemu-patches/ applied as commits, for editing.
# qemu-work.sh export DIR: writes the commits since the base back to
#                          qemu-patches/ as a git format-patch series.
set -euo pipefail
. "$(dirname "$0")/common.sh"

cmd=$1 work=$2
case "$cmd" in
setup)
	[ -d "$work/.git" ] && vbus_die "$work exists; remove it first"
	bash "$VBUS_TOP/scripts/build-qemu.sh"
	git clone -q "$VBUS_CACHE/qemu/src" "$work"
	git -C "$work" checkout -q -B vbus HEAD
	vbus_log "QEMU work tree: $work (base: tag vbus-base)"
	;;
export)
	tmp=$(mktemp -d)
	bash "$VBUS_TOP/scripts/qemu-header.sh" "$work" "$tmp"
	cmp -s "$tmp/virtio_vbus.h" "$work/include/standard-headers/linux/virtio_vbus.h" ||
		vbus_log "warning: the work tree's standard header is not the UAPI header's conversion (scripts/qemu-header.sh)"
	rm -rf "$tmp"
	git -C "$work" rev-parse -q --verify vbus-base >/dev/null ||
		git -C "$work" fetch -q "$VBUS_CACHE/qemu/src" tag vbus-base
	rm -f "$VBUS_TOP"/qemu-patches/*.patch
	mkdir -p "$VBUS_TOP/qemu-patches"
	git -C "$work" format-patch -q --no-signature --zero-commit \
		-o "$VBUS_TOP/qemu-patches" vbus-base..HEAD
	ls "$VBUS_TOP"/qemu-patches
	;;
*)
	vbus_die "usage: qemu-work.sh setup|export DIR"
	;;
esac
