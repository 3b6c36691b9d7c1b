# SPDX-License-Identifier: GPL-2.0
#
# virtio-vbus: the guest driver, the QEMU device series, the tests.
#
#   make demo    build everything, boot a guest, show a vbus device at work
#   make check   build everything, run every test; ends "N passed, N failed"
#
# Caches live in $(VBUS_CACHE); see README.md.

VBUS_CACHE ?= $(HOME)/.cache/virtio-vbus
export VBUS_CACHE
KVER ?= $(shell readlink $(VBUS_CACHE)/kernel/current 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)
QEMU ?= $(VBUS_CACHE)/qemu/build/qemu-system-x86_64
QEMU_WORK ?= $(VBUS_CACHE)/qemu-work
# The other guest kernels the suite runs on (scripts/setup-kernels.sh).
KERNELS ?= 6.1 7.2
export QEMU KVER KERNELS

SELFTESTS := selftests/drivers/virtio/vbus
TESTS ?=

.PHONY: all deps qemu build bench module tools tests image demo check \
	check-header check-qtest check-intree check-vm check-debug image-s390x qemu-work qemu-patches clean \
	demo-deps image-kernels check-kernels deb check-dkms vhost-user

all: deps qemu
	$(MAKE) build

deps:
	scripts/setup-deps.sh
	scripts/setup-s390x.sh
	scripts/setup-kernels.sh

qemu: deps
	scripts/build-qemu.sh

# Everything that needs the guest kernel's headers: a sub-make, so that
# KVER is read after deps has fetched the kernel.
build: module tools tests image image-s390x image-kernels vhost-user

# libvbus-device, vhost-user-vbus-test and the library's unit tests.
vhost-user:
	$(MAKE) -C vhost-user-vbus

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/vbus

tests:
	$(MAKE) -C $(SELFTESTS)

image: module tools tests
	scripts/mkinitramfs.sh

# The s390x guest (virtio-ccw): module, tools and tests cross-built.
image-s390x:
	scripts/build-s390x.sh

# The module and an initramfs for each of KERNELS.
image-kernels: tools tests
	scripts/build-kernels.sh

# Only the suites on the other kernels: make check-kernels KERNELS=7.2
check-kernels: all
	scripts/check-kernels.sh $(TESTS)

# The DKMS package: build/virtio-vbus-dkms_VERSION_all.deb.
deb:
	scripts/build-deb.sh

# Only the package's test in a Debian 12 guest (systemd, udev, DKMS).
check-dkms: deps qemu
	scripts/check-dkms.sh

# The demo needs the x86_64 guest only: no s390x QEMU, kernel or image.
# A prerequisite, so that the sub-make's KVER is read after it ran.
demo-deps:
	scripts/setup-deps.sh
	VBUS_QEMU_TARGETS=x86_64-softmmu scripts/build-qemu.sh

demo: demo-deps
	$(MAKE) image
	scripts/vm.sh demo

# virtio-vbus against virtio-serial; results in build/bench (README).
bench: all
	scripts/bench.sh

check: all
	scripts/check.sh $(TESTS)

# The UAPI header compiles alone in C and C++, and QEMU's copy matches it.
check-header:
	scripts/check-header.sh

check-qtest:
	scripts/qtest.sh

# The selftest directory builds unchanged inside a kernel tree.
check-intree:
	scripts/check-intree.sh

# The VM suite on the debug kernel: KASAN, lockdep, kmemleak, and the
# fault-injection walk (vbus_fault_test), over pci and mmio; late
# interrupts over vhost-user, where they were seen; then the migration
# tests in a guest of their own.
check-debug: all
	scripts/build-debug-kernel.sh
	scripts/build-debug.sh
	VBUS_DEBUG=1 VBUS_MIGRATION=0 $(SELFTESTS)/vmtest.sh -t pci -T 3600 $(TESTS)
	VBUS_DEBUG=1 VBUS_MIGRATION=0 $(SELFTESTS)/vmtest.sh -t mmio -T 3600 $(TESTS)
	VBUS_DEBUG=1 VBUS_MIGRATION=0 $(SELFTESTS)/vmtest.sh -t vhost-user -T 900 \
		$(or $(TESTS),vbus_lifecycle_test:late_interrupts_after_reset)
	VBUS_DEBUG=1 $(SELFTESTS)/vmtest.sh -t pci -T 3600 vbus_migration_test

# Only the VM tests: make check-vm TESTS=vbus_bind_test:unbind_rebind
# TRANSPORT=pci|pci-iommu|mmio|ccw
TRANSPORT ?= pci
check-vm: build
	$(SELFTESTS)/vmtest.sh -t $(TRANSPORT) $(TESTS)

# A git tree of the patched QEMU source for editing, and the series back.
qemu-work: deps
	scripts/qemu-work.sh setup $(QEMU_WORK)

qemu-patches:
	scripts/qemu-work.sh export $(QEMU_WORK)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/vbus clean
	$(MAKE) -C $(SELFTESTS) clean
	rm -rf build
