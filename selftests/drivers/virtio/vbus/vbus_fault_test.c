// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection walk (needs a kernel with CONFIG_FAULT_INJECTION and
 * failslab/fail_page_alloc, such as the debug kernel): every allocation
 * on the probe, call, region, signal, reset and remove paths fails in
 * turn (/proc/thread-self/fail-nth). Each injected failure must give a
 * clean error or a graceful success, and the device must work again
 * afterwards; the VM runner fails the run on any warning, KASAN report or
 * leak. Skips on kernels without fault injection.
 */
#include <endian.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/virtio_vbus.h>

#include "kselftest_harness.h"
#include "vbus_util.h"

#define MAX_POINTS	4000

static int set_fail_nth(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	return vbus_write_file("/proc/thread-self/fail-nth", buf);
}

/* 0 once the failure was injected; the remaining count otherwise. */
static int get_fail_nth(void)
{
	char buf[16];

	if (vbus_read_file("/proc/thread-self/fail-nth", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

static void fault_attrs_setup(void)
{
	static const char * const attrs[] = {
		"/sys/kernel/debug/failslab/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
	};
	unsigned int i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		vbus_write_file(attrs[i], "N");
	vbus_write_file("/sys/kernel/debug/failslab/verbose", "0");
	vbus_write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
}

struct ctx {
	char name[16];
	char virtio[32];
	int fd;
};

/* The vbus-test device, bound and open; rebinds it if needed. */
static int ctx_refresh(struct ctx *c)
{
	long end = vbus_now_ms() + VBUS_WAIT_MS;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (vbus_find_type("vbus-test", c->name, sizeof(c->name))) {
		vbus_write_file(VBUS_DRIVER_SYSFS "/bind", c->virtio);
		if (vbus_now_ms() > end)
			return -ETIMEDOUT;
		usleep(20000);
	}
	if (vbus_virtio_name(c->name, c->virtio, sizeof(c->virtio)))
		return -ENODEV;
	c->fd = vbus_open(c->name);
	return c->fd < 0 ? c->fd : 0;
}

static int echo(int fd)
{
	char in[8];
	struct vbus_call c = {
		.func = VBUS_TEST_ECHO, .out_ptr = (uintptr_t)"ping",
		.out_len = 4, .in_ptr = (uintptr_t)in, .in_len = sizeof(in),
	};

	if (ioctl(fd, VBUS_IOC_CALL, &c))
		return -errno;
	return c.result_len == 4 && !memcmp(in, "ping", 4) ? 0 : -EBADMSG;
}

static int op_call(struct ctx *c)
{
	return echo(c->fd);
}

static int op_region(struct ctx *c)
{
	struct vbus_region_create rc = {
		.len = 8192, .flags = VBUS_REGION_F_SIGNAL,
	};

	if (ioctl(c->fd, VBUS_IOC_REGION_CREATE, &rc))
		return -errno;
	if (ioctl(c->fd, VBUS_IOC_SIGNAL, &rc.id))
		return -errno;
	return ioctl(c->fd, VBUS_IOC_REGION_DESTROY, &rc.id) ? -errno : 0;
}

static int op_reset(struct ctx *c)
{
	return ioctl(c->fd, VBUS_IOC_RESET) ? -errno : 0;
}

/* Remove and probe: unbind, then bind, both under injection. */
static int op_rebind(struct ctx *c)
{
	int err;

	close(c->fd);
	c->fd = -1;
	err = vbus_write_file(VBUS_DRIVER_SYSFS "/unbind", c->virtio);
	if (err)
		return err;
	return vbus_write_file(VBUS_DRIVER_SYSFS "/bind", c->virtio);
}

struct op {
	const char *name;
	int (*run)(struct ctx *c);
};

FIXTURE(walker) {
	int unused;
};

FIXTURE_SETUP(walker)
{
}

FIXTURE_TEARDOWN(walker)
{
}

TEST_F_TIMEOUT(walker, fault_walk, 600)
{
	static const struct op ops[] = {
		{ "call", op_call },
		{ "region create/signal/destroy", op_region },
		{ "reset", op_reset },
		{ "remove and probe", op_rebind },
	};
	struct ctx c = { .fd = -1 };
	int total = 0, i, n, err, points;

	if (access("/proc/self/fail-nth", F_OK))
		SKIP(return, "kernel without fault injection (use the debug kernel)");
	system("rmmod vbus_test_client 2>/dev/null");
	fault_attrs_setup();
	ASSERT_EQ(0, ctx_refresh(&c));

	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++) {
		points = 0;
		for (n = 1; n < MAX_POINTS; n++) {
			ASSERT_EQ(0, set_fail_nth(n));
			err = ops[i].run(&c);
			if (get_fail_nth() != 0) {
				set_fail_nth(0);
				EXPECT_EQ(0, err) {
					TH_LOG("%s without a fault: errno %d",
					       ops[i].name, -err);
				}
				break;
			}
			set_fail_nth(0);
			points++;
			/* An error, if any, is an errno; the device works. */
			EXPECT_GE(0, err);
			ASSERT_EQ(0, ctx_refresh(&c)) {
				TH_LOG("%s, failure %d: device gone", ops[i].name, n);
			}
			if (echo(c.fd)) {
				/* A failed reset may leave it broken: reset again. */
				ioctl(c.fd, VBUS_IOC_RESET);
			}
			ASSERT_EQ(0, echo(c.fd)) {
				TH_LOG("%s, failure %d: device unusable", ops[i].name, n);
			}
		}
		TH_LOG("%s: %d failure points", ops[i].name, points);
		total += points;
		ASSERT_EQ(0, ctx_refresh(&c));
	}
	TH_LOG("%d failure points exercised", total);
	EXPECT_LT(0, total);
	close(c.fd);
}

TEST_HARNESS_MAIN
