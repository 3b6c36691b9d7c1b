# SPDX-License-Identifier: GPL-2.0
# Shared settings for the set-up and VM scripts. Source it, do not run it.

VBUS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VBUS_CACHE=${VBUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/virtio-vbus}
VBUS_ARCH=${VBUS_ARCH:-amd64}

vbus_log() { printf '[vbus] %s\n' "$*" >&2; }
vbus_die() { printf '[vbus] error: %s\n' "$*" >&2; exit 1; }

# Newest Debian 6.12 kernel ABI name (e.g. 6.12.113+deb12-amd64) in the lists.
vbus_newest_kernel() {
	apt-cache search --names-only "^linux-image-6\.12\.[0-9]+\+deb12-$1-unsigned\$" |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-[a-z0-9]*\)-unsigned .*/\1/p' |
		sort -V | tail -n 1
}

# Record "name value" in the cache's versions file, replacing an old value.
vbus_record() {
	local f=$VBUS_CACHE/versions.txt
	mkdir -p "$VBUS_CACHE"
	touch "$f"
	sed -i "/^$1 /d" "$f"
	printf '%s %s\n' "$1" "$2" >> "$f"
}
