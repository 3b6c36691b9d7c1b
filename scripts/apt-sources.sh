#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Adds the Debian suites the set-up needs and refreshes the package lists:
# bookworm-backports (meson >= 1.5, python3-pycotap), trixie's deb-src
# (QEMU 10.0 source) and unstable (Linux 7.2 and QEMU 11.1, the newest
# kernel and QEMU checked; pinned so that nothing installs from it unasked).
# Only Debian's own archive is used.
set -euo pipefail

list=/etc/apt/sources.list.d/virtio-vbus.sources
want='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: unstable
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
pin=/etc/apt/preferences.d/virtio-vbus
want_pin='Package: *
Pin: release a=unstable
Pin-Priority: 1'

stamp=/var/lib/apt/periodic/virtio-vbus-update
if [ ! -f "$list" ] || [ "$(cat "$list")" != "$want" ]; then
	printf '%s\n' "$want" > "$list"
	rm -f "$stamp"
fi
if [ ! -f "$pin" ] || [ "$(cat "$pin")" != "$want_pin" ]; then
	printf '%s\n' "$want_pin" > "$pin"
fi
# One refresh a day is plenty; a fresh machine always refreshes.
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
	apt-get update -qq
	mkdir -p "$(dirname "$stamp")"
	touch "$stamp"
fi
