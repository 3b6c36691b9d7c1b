// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection walk (needs a kernel with CONFIG_FAULT_INJECTION,
 * failslab/fail_page_alloc and the stack-trace filter, such as the debug
 * kernel): every allocation the driver makes on the open, call (sync,
 * call fd, io_uring), region, signal, reset, remove and probe paths fails
 * in turn
 * (/proc/thread-self/fail-nth, limited to the driver's own allocations;
 * see fault_attrs_setup()). Each injected failure must give a
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
#include "vbus_uring.h"

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

/*
 * The driver's own text: from the lowest to past the highest address of
 * its functions in /proc/kallsyms (64 KiB of room for the last one).
 */
static int module_text(const char *mod, unsigned long *start,
		       unsigned long *end)
{
	char line[256], sym[128], owner[64], type;
	unsigned long addr;
	FILE *f;

	*start = ~0UL;
	*end = 0;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s [%63[^]]]", &addr, &type, sym,
			   owner) != 4 || strcmp(owner, mod) ||
		    (type != 't' && type != 'T') || !addr)
			continue;
		if (addr < *start)
			*start = addr;
		if (addr > *end)
			*end = addr;
	}
	fclose(f);
	if (*start > *end)
		return -ENOENT;
	*end += 65536;
	return 0;
}

/*
 * Fail what the driver allocates, not what the driver core and genirq
 * allocate far below it on its behalf (their error paths are theirs: a
 * failed allocation under request_irq in virtio_pci's find_vqs warns in
 * genirq's proc code). The stack-trace filter requires a frame in the
 * driver's text among the innermost STACK_DEPTH frames: that takes in
 * every allocation the driver makes (directly, in 4 frames) and the ones
 * a few calls down, such as virtio_find_vqs()' own arrays (8 frames),
 * but not request_irq's or device_add's. Checked once with verbose=2:
 * the first driver frame of the injected failures covers every
 * allocation call in drivers/virtio.
 */
#define STACK_DEPTH	10

static int fault_attr(const char *dir, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", dir, attr);
	return vbus_write_file(path, val);
}

static int fault_attrs_setup(void)
{
	static const char * const dirs[] = { "failslab", "fail_page_alloc" };
	char from[24], to[24], depth[8];
	unsigned long start, end;
	unsigned int i;
	int err;

	err = module_text("virtio_vbus", &start, &end);
	if (err)
		return err;
	snprintf(from, sizeof(from), "%lu", start);
	snprintf(to, sizeof(to), "%lu", end);
	snprintf(depth, sizeof(depth), "%d", STACK_DEPTH);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		fault_attr(dirs[i], "ignore-gfp-wait", "N");
		fault_attr(dirs[i], "verbose", "0");
		err = fault_attr(dirs[i], "require-start", from) ?:
		      fault_attr(dirs[i], "require-end", to) ?:
		      fault_attr(dirs[i], "stacktrace-depth", depth);
		if (err)
			return err;
	}
	fault_attr("fail_page_alloc", "ignore-gfp-highmem", "N");
	return 0;
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
		.argsz = sizeof(c),
		.func = VBUS_TEST_ECHO, .out_ptr = (uintptr_t)"ping",
		.out_len = 4, .in_ptr = (uintptr_t)in, .in_len = sizeof(in),
	};

	if (ioctl(fd, VBUS_IOC_CALL, &c))
		return -errno;
	return c.result_len == 4 && !memcmp(in, "ping", 4) ? 0 : -EBADMSG;
}

static int op_open(struct ctx *c)
{
	int fd;

	close(c->fd);
	fd = vbus_open(c->name);
	c->fd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

static int op_call(struct ctx *c)
{
	return echo(c->fd);
}

static int op_region(struct ctx *c)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc),
		.len = 8192, .flags = VBUS_REGION_F_SIGNAL,
	};

	if (ioctl(c->fd, VBUS_IOC_REGION_CREATE, &rc))
		return -errno;
	if (vbus_signal(c->fd, rc.id))
		return -errno;
	return vbus_region_destroy(c->fd, rc.id) ? -errno : 0;
}

/* An asynchronous ECHO through a call fd: submit, read, check. */
static int op_call_fd(struct ctx *c)
{
	char in[8];
	struct vbus_call v = {
		.argsz = sizeof(v),
		.func = VBUS_TEST_ECHO, .out_ptr = (uintptr_t)"ping",
		.out_len = 4, .in_ptr = (uintptr_t)in, .in_len = sizeof(in),
		.tag = 7,
	};
	struct vbus_call_done d;
	int cfd, err = 0;

	cfd = ioctl(c->fd, VBUS_IOC_CALL_FD);
	if (cfd < 0)
		return -errno;
	if (ioctl(cfd, VBUS_IOC_CALL_SUBMIT, &v))
		err = -errno;
	else if (read(cfd, &d, sizeof(d)) != sizeof(d))
		err = -errno;
	else if (d.tag != 7 || d.error)
		err = d.error ?: -EBADMSG;
	else if (d.result_len != 4 || memcmp(in, "ping", 4))
		err = -EBADMSG;
	close(cfd);
	return err;
}

/* The same through io_uring (the ring set up before the injection). */
static int op_uring(struct ctx *c)
{
	static struct vbus_ring r;
	static int ready;	/* 1: the ring is up; -1: no io_uring commands */
	char in[8];
	struct vbus_call v = {
		.argsz = sizeof(v),
		.func = VBUS_TEST_ECHO, .out_ptr = (uintptr_t)"ping",
		.out_len = 4, .in_ptr = (uintptr_t)in, .in_len = sizeof(in),
	};
	struct vbus_cqe cqe;
	int err;

	if (!ready) {
		err = vbus_ring_init(&r, 4, IORING_SETUP_SQE128 |
				     IORING_SETUP_CQE32);
		if (err)
			return err == -ENOSYS || err == -EPERM ? 0 : err;
		/* A kernel before 6.12: the driver has none to fault. */
		err = vbus_ring_takes_cmds(&r, c->fd);
		if (err == -EOPNOTSUPP)
			ready = -1;
		else if (err)
			return err;
		else
			ready = 1;
	}
	if (ready < 0)
		return 0;
	err = vbus_ring_call(&r, c->fd, &v, sizeof(v), 7);
	if (!err && vbus_ring_enter(&r, 1) != 1)
		err = -EIO;
	if (!err)
		err = vbus_ring_wait(&r, &cqe);
	if (!err && cqe.res < 0)
		err = cqe.res;
	else if (!err && (cqe.res != 4 || memcmp(in, "ping", 4)))
		err = -EBADMSG;
	return err;
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
		{ "open", op_open },
		{ "call", op_call },
		{ "call fd", op_call_fd },
		{ "io_uring call", op_uring },
		{ "region create/signal/destroy", op_region },
		{ "reset", op_reset },
		{ "remove and probe", op_rebind },
	};
	struct ctx c = { .fd = -1 };
	int total = 0, i, n, err, points;

	if (access("/proc/self/fail-nth", F_OK))
		SKIP(return, "kernel without fault injection (use the debug kernel)");
	if (access("/sys/kernel/debug/failslab/require-start", F_OK) ||
	    access("/sys/kernel/debug/fail_page_alloc/require-start", F_OK))
		SKIP(return, "kernel without failslab, fail_page_alloc and their stack-trace filter");
	system("rmmod vbus_test_client 2>/dev/null");
	ASSERT_EQ(0, fault_attrs_setup());
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
