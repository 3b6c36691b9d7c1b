// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus device lifecycle: the driver's reset from sysfs, userspace
 * and the device; what in-flight and concurrent requests get meanwhile;
 * a client driver's say in resets; a hostile device; removal with open
 * files, mappings and calls in flight; module unload with open files.
 */
#include <endian.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/virtio_vbus.h>

#include "kselftest_harness.h"
#include "vbus_util.h"

#define TC_DEBUGFS	"/sys/kernel/debug/vbus_test_client"
#define LATE_IRQ	"/sys/kernel/debug/fail_vbus_late_irq"

static int call2(int fd, uint32_t func, uint32_t a, uint32_t b,
		 struct vbus_call *c)
{
	uint32_t args[2] = { htole32(a), htole32(b) };

	memset(c, 0, sizeof(*c));
	c->argsz = sizeof(*c);
	c->func = func;
	c->out_ptr = (uintptr_t)args;
	c->out_len = sizeof(args);
	return ioctl(fd, VBUS_IOC_CALL, c) ? -errno : 0;
}

static int echo(int fd)
{
	char in[8];
	struct vbus_call c = {
		.argsz = sizeof(c),
		.func = VBUS_TEST_ECHO,
		.out_ptr = (uintptr_t)"ping",
		.out_len = 4,
		.in_ptr = (uintptr_t)in,
		.in_len = sizeof(in),
	};

	if (ioctl(fd, VBUS_IOC_CALL, &c))
		return -errno;
	return c.result_len == 4 && !memcmp(in, "ping", 4) ? 0 : -EBADMSG;
}

static int state_is(const char *name, const char *want)
{
	char buf[32];

	return !vbus_attr(name, "state", buf, sizeof(buf)) && !strcmp(buf, want);
}

/* Waits up to @ms for a user event of @type on @fd. */
static int wait_uevent(int fd, uint32_t type, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct vbus_user_event e;
	long end = vbus_now_ms() + ms;

	while (vbus_now_ms() < end) {
		if (poll(&p, 1, 100) != 1 || !(p.revents & POLLIN))
			continue;
		while (read(fd, &e, sizeof(e)) == sizeof(e))
			if (e.type == type)
				return 0;
	}
	return -ETIMEDOUT;
}

static int sysfs_reset(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VBUS_SYSFS "/%s/reset", name);
	return vbus_write_file(path, "1");
}

FIXTURE(dev) {
	char name[16];
	int fd;
};

FIXTURE_SETUP(dev)
{
	system("rmmod vbus_test_client 2>/dev/null");
	if (vbus_find_type("vbus-test", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-test device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
	/* Absent without fault injection. */
	vbus_write_file(LATE_IRQ "/times", "0");
}

/*
 * sysfs and the ioctl reset the device: regions close (signals EPIPE, the
 * mapping stays memory), files are told, the device works after.
 */
TEST_F(dev, reset_from_sysfs_and_ioctl)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc),
		.len = 4096, .flags = VBUS_REGION_F_SIGNAL,
	};
	uint8_t *mem;

	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_REGION_CREATE, &rc));
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		   rc.mmap_offset);
	ASSERT_NE(MAP_FAILED, mem);

	ASSERT_EQ(0, sysfs_reset(self->name));
	ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, 5000));
	EXPECT_TRUE(state_is(self->name, "ready"));
	EXPECT_EQ(-1, vbus_signal(self->fd, rc.id));
	EXPECT_EQ(EPIPE, errno);
	mem[0] = 7;
	EXPECT_EQ(7, mem[0]);
	EXPECT_EQ(0, echo(self->fd));
	EXPECT_EQ(0, munmap(mem, 4096));
	EXPECT_EQ(0, vbus_region_destroy(self->fd, rc.id));

	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, 5000));
	EXPECT_EQ(0, echo(self->fd));
	/* New regions work after a reset. */
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_REGION_CREATE, &rc));
	EXPECT_EQ(0, vbus_signal(self->fd, rc.id));
	EXPECT_EQ(0, vbus_region_destroy(self->fd, rc.id));
}

struct caller {
	int fd;
	volatile int stop;
	int ok, ebusy, ecanceled, other, last_other;
	long slowest_ms;
};

static void *call_loop(void *arg)
{
	struct caller *c = arg;
	long t, dt;
	int err;

	while (!c->stop) {
		t = vbus_now_ms();
		err = echo(c->fd);
		dt = vbus_now_ms() - t;
		if (dt > c->slowest_ms)
			c->slowest_ms = dt;
		if (!err) {
			c->ok++;
		} else if (err == -EBUSY) {
			c->ebusy++;
		} else if (err == -ECANCELED) {
			c->ecanceled++;
		} else {
			c->other++;
			c->last_other = err;
		}
	}
	return NULL;
}

/*
 * Calls racing with resets get success, or EBUSY/ECANCELED at once: no
 * other error, no call that blocks for long.
 */
TEST_F(dev, calls_during_resets_fail_fast)
{
	struct caller c = { .fd = self->fd };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, call_loop, &c));
	for (i = 0; i < 20; i++) {
		usleep(20000);
		ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	}
	c.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%d ok, %d EBUSY, %d ECANCELED, %d other; slowest %ld ms",
	       c.ok, c.ebusy, c.ecanceled, c.other, c.slowest_ms);
	EXPECT_EQ(0, c.other) {
		TH_LOG("unexpected errno %d", -c.last_other);
	}
	EXPECT_LT(0, c.ok);
	EXPECT_LT(0, c.ebusy + c.ecanceled);
	EXPECT_GT(2000, c.slowest_ms);
	EXPECT_EQ(0, echo(self->fd));
}

struct delayed {
	int fd;
	int err;
	long ms;
};

static void *delayed_call(void *arg)
{
	struct delayed *d = arg;
	struct vbus_call c;
	long t = vbus_now_ms();

	d->err = call2(d->fd, VBUS_TEST_DELAY, 5000, 0, &c);
	d->ms = vbus_now_ms() - t;
	return NULL;
}

/* Drops CAP_SYS_ADMIN from this process's effective set; 0 or -errno. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* VBUS_IOC_RESET on @fd from a child without CAP_SYS_ADMIN: 0 or -errno. */
static int reset_unprivileged(int fd)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (drop_sys_admin())
			_exit(255);
		_exit(ioctl(fd, VBUS_IOC_RESET) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/*
 * A reset destroys every file's regions: a file that shares the device
 * may reset it only with CAP_SYS_ADMIN; the device's exclusive owner
 * (O_EXCL, refused while another file is open and refusing others while
 * it is) may without.
 */
TEST_F(dev, reset_needs_owner_or_admin)
{
	char path[64];
	int excl;

	snprintf(path, sizeof(path), "/dev/%s", self->name);
	EXPECT_EQ(-EPERM, reset_unprivileged(self->fd));
	EXPECT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	EXPECT_EQ(-1, open(path, O_RDWR | O_EXCL));
	EXPECT_EQ(EBUSY, errno);

	close(self->fd);
	excl = open(path, O_RDWR | O_EXCL);
	ASSERT_LE(0, excl);
	self->fd = vbus_open(self->name);
	EXPECT_EQ(-EBUSY, self->fd);
	EXPECT_EQ(0, reset_unprivileged(excl));
	EXPECT_EQ(0, echo(excl));
	close(excl);
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
}

/* A region the device closes at once: one REGION_CLOSED event; its id. */
static int closed_region(int fd, uint32_t *id)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc), .len = 4096, .flags = VBUS_REGION_F_SIGNAL,
	};
	long end = vbus_now_ms() + VBUS_WAIT_MS;
	struct vbus_call c;

	/* The driver acknowledges closed regions in the background. */
	while (ioctl(fd, VBUS_IOC_REGION_CREATE, &rc)) {
		if (errno != ENOSPC || vbus_now_ms() > end)
			return -errno;
		usleep(1000);
	}
	*id = rc.id;
	return call2(fd, VBUS_TEST_CLOSE_REGION, rc.id, 0, &c);
}

/*
 * A file that does not read keeps its first 256 events; the ones after
 * are counted and reported by one VBUS_UEVT_OVERFLOW after them, then
 * events queue again. The events: regions the device closes (no resets,
 * which would make this test 300 transport resets long).
 */
TEST_F(dev, event_overflow_is_reported)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct vbus_user_event e[300];
	long end, events = vbus_stat(self->name, "events");
	const int n = 300;
	uint32_t id;
	ssize_t len;
	int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, closed_region(self->fd, &id));
	/* Every close reached the file once the driver took its event. */
	end = vbus_now_ms() + VBUS_WAIT_MS;
	while (vbus_stat(self->name, "events") < events + n &&
	       vbus_now_ms() < end)
		usleep(10000);
	len = read(self->fd, e, sizeof(e));
	ASSERT_EQ(257 * sizeof(e[0]), len);
	for (i = 0; i < 256; i++)
		ASSERT_EQ(VBUS_UEVT_REGION_CLOSED, e[i].type);
	EXPECT_EQ(VBUS_UEVT_OVERFLOW, e[256].type);
	EXPECT_EQ(n - 256, e[256].lost);
	ASSERT_EQ(0, closed_region(self->fd, &id));
	ASSERT_EQ(1, poll(&p, 1, VBUS_WAIT_MS));
	ASSERT_EQ(sizeof(e[0]), read(self->fd, e, sizeof(e)));
	EXPECT_EQ(VBUS_UEVT_REGION_CLOSED, e[0].type);
	EXPECT_EQ(id, e[0].region_id);
	EXPECT_EQ(0, e[0].lost);
}

/* A read() into a bad buffer fails with EFAULT and loses no event. */
TEST_F(dev, read_fault_keeps_the_event)
{
	/* Hidden from the compiler, which knows it is no buffer. */
	static volatile uintptr_t bad = 16;
	struct vbus_user_event e;

	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	EXPECT_EQ(-1, read(self->fd, (void *)bad, sizeof(e)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(sizeof(e), read(self->fd, &e, sizeof(e)));
	EXPECT_EQ(VBUS_UEVT_RESET, e.type);
}

/* A reset abandons a call in flight with ECANCELED, long before its end. */
TEST_F(dev, reset_cancels_call_in_flight)
{
	struct delayed d = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_call, &d));
	usleep(300000);
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	pthread_join(t, NULL);
	EXPECT_EQ(-ECANCELED, d.err);
	EXPECT_GT(4000, d.ms);
	EXPECT_EQ(0, echo(self->fd));
}

/* fail_vbus_late_irq fires at every teardown, @times more (-1: always). */
static int late_irqs_inject(const char *times)
{
	return vbus_write_file(LATE_IRQ "/verbose", "0") ?:
	       vbus_write_file(LATE_IRQ "/probability", "100") ?:
	       vbus_write_file(LATE_IRQ "/interval", "1") ?:
	       vbus_write_file(LATE_IRQ "/times", times);
}

/*
 * Interrupts the device raised before a reset can reach the guest after
 * it (an MSI on its way to another CPU; the one QEMU's vhost-user
 * front-end raises as it stops the backend). fail_vbus_late_irq delivers
 * every virtqueue's, after the workers stopped, at each reset and at the
 * removal: the event and signal queues ignore them (late_irqs), events,
 * signals and calls work after, and the removed device is freed with no
 * work of its own queued (before, a late event interrupt queued the
 * worker on a device about to be freed: the remove/add loops' list
 * corruption). The debug kernel only: its KASAN and list debugging catch
 * what a late work would do.
 */
TEST_F(dev, late_interrupts_after_reset)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc), .len = 4096, .flags = VBUS_REGION_F_SIGNAL,
	};
	char virtio[32], names[VBUS_MAX_DEVS][16];
	long late;
	uint32_t id;
	int i, n, err;

	if (access(LATE_IRQ, F_OK))
		SKIP(return, "kernel without fault injection (use the debug kernel)");
	late = vbus_stat(self->name, "late_irqs");
	ASSERT_LE(0, late);
	ASSERT_EQ(0, late_irqs_inject("-1"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_REGION_CREATE, &rc));
		ASSERT_EQ(0, vbus_signal(self->fd, rc.id));
		ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
		ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, VBUS_WAIT_MS));
		ASSERT_EQ(0, vbus_region_destroy(self->fd, rc.id));
		EXPECT_EQ(0, echo(self->fd));
		ASSERT_EQ(0, closed_region(self->fd, &id));
		ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_REGION_CLOSED,
					 VBUS_WAIT_MS));
	}
	/* The event queue's and the signal queue's, at each reset. */
	EXPECT_LE(late + 2 * i, vbus_stat(self->name, "late_irqs"));

	n = vbus_list(names, VBUS_MAX_DEVS);
	ASSERT_EQ(0, vbus_virtio_name(self->name, virtio, sizeof(virtio)));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/unbind", virtio));
	/* Bound again whatever happens, for the tests that follow. */
	err = late_irqs_inject("0");
	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/bind", virtio));
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, vbus_wait_count(n));
	ASSERT_EQ(0, vbus_find_type("vbus-test", self->name, sizeof(self->name)));
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, echo(self->fd));
	EXPECT_EQ(0, vbus_stat(self->name, "late_irqs"));
}

/* The device's type runs in a process of its own (vmtest.sh -t vhost-user). */
static bool backend_is_vhost_user(void)
{
	return vbus_cmdline_is("vbus.backend", "vhost-user");
}

/*
 * The backend process dies with a call in flight and a region mapped: the
 * call ends at once with an error, the driver resets the device (its
 * regions close), and once the backend is back (vmtest.sh restarts it) a
 * reset brings the device back: calls and regions work again.
 */
TEST_F(dev, backend_killed_and_restarted)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc),
		.len = 4096, .flags = VBUS_REGION_F_SIGNAL,
	};
	struct delayed d = { .fd = self->fd };
	char reply[256];
	pthread_t t;
	long end;
	int q;

	if (!backend_is_vhost_user())
		SKIP(return, "the device's type is not a process of its own");
	q = vbus_port_open(VBUS_QMP_PORT);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_REGION_CREATE, &rc));
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_call, &d));
	usleep(300000);
	ASSERT_EQ(0, vbus_qmp(q, reply, sizeof(reply),
			      "{\"execute\": \"x-backend-kill\", \"arguments\": {\"backend\": \"vu0\"}}")) {
		TH_LOG("%s", reply);
	}
	pthread_join(t, NULL);
	EXPECT_NE(0, d.err);
	EXPECT_GT(4000, d.ms);
	EXPECT_EQ(-1, vbus_signal(self->fd, rc.id));

	end = vbus_now_ms() + 30000;
	while (echo(self->fd) && vbus_now_ms() < end) {
		ioctl(self->fd, VBUS_IOC_RESET);
		usleep(200000);
	}
	EXPECT_EQ(0, echo(self->fd));
	EXPECT_TRUE(state_is(self->name, "ready"));
	EXPECT_EQ(0, vbus_region_destroy(self->fd, rc.id));
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_REGION_CREATE, &rc));
	EXPECT_EQ(0, vbus_signal(self->fd, rc.id));
	EXPECT_EQ(0, vbus_region_destroy(self->fd, rc.id));
	close(q);
}

/* The device asks for a reset (RESET_REQUEST): the driver performs it. */
TEST_F(dev, device_requested_reset)
{
	struct vbus_call c;
	int err;

	/* The reset may overtake the call that asked for it: ECANCELED. */
	err = call2(self->fd, VBUS_TEST_REQUEST_RESET, 0, 0, &c);
	ASSERT_TRUE(err == 0 || err == -ECANCELED) {
		TH_LOG("errno %d", -err);
	}
	ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, 5000));
	EXPECT_EQ(0, echo(self->fd));
}

/*
 * A bound client driver owns the resets: without callbacks a reset is
 * refused with EOPNOTSUPP, its own refusal comes back, and with them it
 * is told before and after.
 */
TEST_F(dev, client_driver_owns_resets)
{
	char path[PATH_MAX], buf[64];
	struct vbus_info info;
	int prepares, dones, derr;

	ASSERT_EQ(0, vbus_info(self->fd, &info));
	ASSERT_EQ(0, system("modprobe vbus_test_client"));
	snprintf(path, sizeof(path),
		 TC_DEBUGFS "/virtio_vbus.vbus-test.%u/resets", info.instance);

	ASSERT_EQ(0, vbus_write_file(path, "off"));
	EXPECT_EQ(-EOPNOTSUPP, sysfs_reset(self->name));
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_RESET));
	EXPECT_EQ(EOPNOTSUPP, errno);

	ASSERT_EQ(0, vbus_write_file(path, "refuse"));
	EXPECT_EQ(-EXDEV, sysfs_reset(self->name));

	ASSERT_EQ(0, vbus_write_file(path, "on"));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	ASSERT_EQ(3, sscanf(buf, "%d %d %d", &prepares, &dones, &derr));
	EXPECT_EQ(0, sysfs_reset(self->name));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	snprintf(path, sizeof(path), "%d %d 0", prepares + 1, dones + 1);
	EXPECT_STREQ(path, buf);
	EXPECT_TRUE(state_is(self->name, "ready"));
	ASSERT_EQ(0, system("rmmod vbus_test_client"));
	EXPECT_EQ(0, echo(self->fd));
}

/* The client's "prepares dones err" after one hibernation freeze/thaw. */
static int sleep_once(const char *resets, char *buf, size_t len)
{
	int err = vbus_write_file("/sys/power/state", "disk");

	return vbus_read_file(resets, buf, len) ?: err;
}

/*
 * A system sleep goes the way of a reset: the bound client driver is
 * asked before and told after, files get a RESET event, the device works
 * after; a client that takes no resets fails the sleep with its errno.
 * Hibernation stopped after the devices' freeze and thaw (pm_test) is
 * the sleep every transport resets the device for.
 */
TEST_F_TIMEOUT(dev, system_sleep_asks_the_client, 600)
{
	char path[PATH_MAX], buf[64], want[64];
	struct vbus_info info;
	int prepares, dones, derr;

	if (vbus_write_file("/sys/power/pm_test", "devices"))
		SKIP(return, "no system sleep test mode (CONFIG_PM_DEBUG)");
	vbus_write_file("/sys/module/suspend/parameters/pm_test_delay", "0");
	ASSERT_EQ(0, vbus_info(self->fd, &info));
	ASSERT_EQ(0, system("modprobe vbus_test_client"));
	snprintf(path, sizeof(path),
		 TC_DEBUGFS "/virtio_vbus.vbus-test.%u/resets", info.instance);

	ASSERT_EQ(0, vbus_write_file(path, "on"));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	ASSERT_EQ(3, sscanf(buf, "%d %d %d", &prepares, &dones, &derr));
	EXPECT_EQ(0, sleep_once(path, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%d %d 0", prepares + 1, dones + 1);
	EXPECT_STREQ(want, buf);
	EXPECT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, VBUS_WAIT_MS));
	EXPECT_TRUE(state_is(self->name, "ready"));

	ASSERT_EQ(0, vbus_write_file(path, "off"));
	EXPECT_EQ(-EOPNOTSUPP, sleep_once(path, buf, sizeof(buf)));
	EXPECT_TRUE(state_is(self->name, "ready"));

	vbus_write_file("/sys/power/pm_test", "none");
	/* The client owns the device's calls while it is bound. */
	ASSERT_EQ(0, system("rmmod vbus_test_client"));
	EXPECT_EQ(0, echo(self->fd));
}

/* rmmod is refused while a file is open, and works once it is closed. */
TEST_F(dev, rmmod_with_open_file_refused)
{
	long end;

	EXPECT_NE(0, system("rmmod virtio_vbus 2>/dev/null"));
	EXPECT_EQ(0, echo(self->fd));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, system("rmmod virtio_vbus"));
	ASSERT_EQ(0, system("modprobe virtio_vbus"));
	end = vbus_now_ms() + VBUS_WAIT_MS;
	while (vbus_find_type("vbus-test", self->name, sizeof(self->name)) &&
	       vbus_now_ms() < end)
		usleep(20000);
	ASSERT_EQ(0, vbus_find_type("vbus-test", self->name, sizeof(self->name)));
}

FIXTURE(hostile) {
	char name[16];
	int fd;
};

FIXTURE_VARIANT(hostile) {
	uint32_t mode;
	int broken;		/* the driver must mark the device broken */
	int err;		/* what the next call gets */
	int from_host;		/* asked for through QMP, not by a call */
};

FIXTURE_VARIANT_ADD(hostile, bad_status) {
	.mode = VBUS_TEST_MB_BAD_STATUS, .broken = 1, .err = -EIO,
};
FIXTURE_VARIANT_ADD(hostile, never_completes) {
	.mode = VBUS_TEST_MB_NEVER_COMPLETE, .broken = 1, .err = -ETIMEDOUT,
};
FIXTURE_VARIANT_ADD(hostile, result_over_buffer) {
	.mode = VBUS_TEST_MB_BAD_RESULT, .broken = 1, .err = -EIO,
};
FIXTURE_VARIANT_ADD(hostile, event_for_unknown_region) {
	.mode = VBUS_TEST_MB_UNKNOWN_REGION,
};
FIXTURE_VARIANT_ADD(hostile, event_of_unknown_type) {
	.mode = VBUS_TEST_MB_BAD_EVENT,
};
FIXTURE_VARIANT_ADD(hostile, short_event) {
	.mode = VBUS_TEST_MB_SHORT_EVENT,
};
FIXTURE_VARIANT_ADD(hostile, event_flood) {
	.mode = VBUS_TEST_MB_EVENT_FLOOD,
};
FIXTURE_VARIANT_ADD(hostile, bad_status_from_host) {
	.mode = VBUS_TEST_MB_BAD_STATUS, .broken = 1, .err = -EIO,
	.from_host = 1,
};
FIXTURE_VARIANT_ADD(hostile, event_for_unknown_region_from_host) {
	.mode = VBUS_TEST_MB_UNKNOWN_REGION, .from_host = 1,
};

/* The vbus-hostile device's backend (vmtest.sh), for qom-set. */
#define HOSTILE_BACKEND	"/objects/vt6"

/* qom-set PATH misbehave MODE on the runner's QMP channel @q. */
static int misbehave_from_host(int q, const char *path, uint32_t mode,
			       char *reply, size_t len)
{
	return vbus_qmp(q, reply, len,
			"{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"%s\", \"property\": \"misbehave\", \"value\": %u}}",
			path, mode);
}

FIXTURE_SETUP(hostile)
{
	if (vbus_find_type("vbus-hostile", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-hostile device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	if (!state_is(self->name, "ready"))
		ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
}

FIXTURE_TEARDOWN(hostile)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A device that breaks the protocol on purpose: command violations break
 * the device (with the cause in last_error, every later call EIO, until a
 * reset); malformed events are counted and dropped; a flood is handled in
 * budgeted passes while the guest stays responsive. Never a crash or hang.
 */
TEST_F(hostile, survives)
{
	long bad = vbus_stat(self->name, "bad_events");
	long budget = vbus_stat(self->name, "budget_exhausted");
	char why[256];
	struct vbus_call c;
	long end;

	if (variant->from_host && backend_is_vhost_user())
		SKIP(return, "a vhost-user backend takes no qom-set misbehave");
	if (variant->from_host) {
		int q = vbus_port_open(VBUS_QMP_PORT);

		if (q == -ENOENT)
			SKIP(return, "the runner offers no QMP channel");
		ASSERT_LE(0, q);
		EXPECT_EQ(-EREMOTEIO, misbehave_from_host(q, HOSTILE_BACKEND,
							  99, why, sizeof(why)));
		EXPECT_NE(NULL, strstr(why, "unknown hostile mode"));
		EXPECT_EQ(0, misbehave_from_host(q, HOSTILE_BACKEND,
						 variant->mode, why,
						 sizeof(why)));
		close(q);
	} else {
		ASSERT_EQ(0, call2(self->fd, VBUS_TEST_MISBEHAVE, variant->mode,
				   0, &c));
	}
	if (variant->broken) {
		EXPECT_EQ(variant->err, echo(self->fd));
		EXPECT_TRUE(state_is(self->name, "broken"));
		ASSERT_EQ(0, vbus_attr(self->name, "last_error", why, sizeof(why)));
		TH_LOG("last_error: %s", why);
		EXPECT_NE(0, why[0]);
		EXPECT_EQ(-EIO, echo(self->fd));
		ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
		EXPECT_TRUE(state_is(self->name, "ready"));
		ASSERT_EQ(0, vbus_attr(self->name, "last_error", why, sizeof(why)));
		EXPECT_STREQ("", why);
		EXPECT_EQ(0, echo(self->fd));
		return;
	}
	/* Event modes: the device keeps working while they are handled. */
	end = vbus_now_ms() + VBUS_WAIT_MS;
	while (vbus_stat(self->name, "bad_events") == bad && vbus_now_ms() < end)
		usleep(10000);
	EXPECT_LT(bad, vbus_stat(self->name, "bad_events"));
	EXPECT_EQ(0, echo(self->fd));
	EXPECT_TRUE(state_is(self->name, "ready"));
	if (variant->mode == VBUS_TEST_MB_EVENT_FLOOD) {
		while (vbus_stat(self->name, "bad_events") < bad + 20000 &&
		       vbus_now_ms() < end)
			EXPECT_EQ(0, echo(self->fd));
		TH_LOG("flood: %ld events dropped, %ld budget exhaustions",
		       vbus_stat(self->name, "bad_events") - bad,
		       vbus_stat(self->name, "budget_exhausted") - budget);
		EXPECT_LT(budget, vbus_stat(self->name, "budget_exhausted"));
	}
}

/*
 * Two ways a device goes away and comes back. Through the transport, from
 * inside the guest, as hot-unplug does it: a PCI function is removed (and
 * found again by a rescan), a virtio-mmio platform device is unbound (and
 * bound), a channel device goes offline (and online). And real hotplug:
 * QMP device_del and device_add, asked for through the VM runner's agent
 * (vmtest.sh), with a pcie-root-port or the channel subsystem's hotplug.
 */
struct plug {
	const char *type;	/* of the vbus device that goes and comes */
	char name[16];		/* its vbus name while it is there */
	/* through the transport */
	char subsys[16];
	char parent[PATH_MAX];	/* sysfs directory of the transport device */
	char tname[64];
	/* through QMP */
	int qmp;		/* the agent's port, or -1 */
	char driver[32];	/* to device_add */
	char bus[32];		/* to plug into, or "" */
	char bus2[32];		/* another free one, or "" */
};

static int transport_of(struct plug *p)
{
	char path[PATH_MAX], target[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), VBUS_SYSFS "/%s/device/..", p->name);
	if (!realpath(path, p->parent))
		return -errno;
	base = strrchr(p->parent, '/');
	snprintf(p->tname, sizeof(p->tname), "%s", base + 1);
	snprintf(path, sizeof(path), "%s/subsystem", p->parent);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(p->subsys, sizeof(p->subsys), "%s", strrchr(target, '/') + 1);
	return 0;
}

/* Waits for the device of type p->type to be bound and ready. */
static int plug_wait(struct plug *p)
{
	long end = vbus_now_ms() + VBUS_WAIT_MS;

	do {
		if (!vbus_find_type(p->type, p->name, sizeof(p->name)) &&
		    state_is(p->name, "ready") && vbus_node_exists(p->name))
			return 0;
		usleep(10000);
	} while (vbus_now_ms() < end);
	return -ETIMEDOUT;
}

static int plug_wait_gone(struct plug *p)
{
	long end = vbus_now_ms() + VBUS_WAIT_MS;
	char name[16];

	while (!vbus_find_type(p->type, name, sizeof(name))) {
		if (vbus_now_ms() > end)
			return -EEXIST;
		usleep(10000);
	}
	return 0;
}

static int plug_remove(struct plug *p)
{
	char path[PATH_MAX], reply[512];
	int err;

	if (p->qmp >= 0) {
		err = vbus_qmp(p->qmp, reply, sizeof(reply),
			       "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hpd0\"}}");
		if (!err)
			err = vbus_qmp(p->qmp, reply, sizeof(reply),
				       "{\"execute\": \"x-wait-event\", \"arguments\": {\"event\": \"DEVICE_DELETED\", \"device\": \"hpd0\", \"timeout\": 60}}");
		if (err) {
			fprintf(stderr, "# device_del: %s\n", reply);
			return err;
		}
		/*
		 * Gone from the guest too: at once for ACPI hotplug (QEMU
		 * waits for the guest's eject); a channel device is gone from
		 * QEMU first, and the guest follows on the CRW.
		 */
		return plug_wait_gone(p);
	}
	if (!strcmp(p->subsys, "pci")) {
		snprintf(path, sizeof(path), "%s/remove", p->parent);
		return vbus_write_file(path, "1");
	}
	if (!strcmp(p->subsys, "ccw")) {
		snprintf(path, sizeof(path), "%s/online", p->parent);
		return vbus_write_file(path, "0");
	}
	snprintf(path, sizeof(path), "%s/driver/unbind", p->parent);
	return vbus_write_file(path, p->tname);
}

/* QMP device_add of p->driver with backend hp0 as @id, on @bus if not "". */
static int qmp_device_add(struct plug *p, const char *id, const char *bus,
			  char *reply, size_t len)
{
	return vbus_qmp(p->qmp, reply, len,
			"{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"%s\", \"id\": \"%s\", \"backend\": \"hp0\"%s%s%s}}",
			p->driver, id, *bus ? ", \"bus\": \"" : "", bus,
			*bus ? "\"" : "");
}

/* Brings the device back and waits for it to be ready. */
static int plug_add(struct plug *p)
{
	char path[PATH_MAX], reply[512];
	int err;

	if (p->qmp >= 0) {
		err = qmp_device_add(p, "hpd0", p->bus, reply, sizeof(reply));
		if (err) {
			fprintf(stderr, "# device_add: %s\n", reply);
			return err;
		}
		return plug_wait(p);
	}
	if (!strcmp(p->subsys, "pci")) {
		err = vbus_write_file("/sys/bus/pci/rescan", "1");
	} else if (!strcmp(p->subsys, "ccw")) {
		snprintf(path, sizeof(path), "%s/online", p->parent);
		err = vbus_write_file(path, "1");
	} else {
		err = vbus_write_file("/sys/bus/platform/drivers/virtio-mmio/bind",
				      p->tname);
	}
	return err ?: plug_wait(p) ?: transport_of(p);
}

/*
 * The device goes away with a file open, a region mapped and a call in
 * flight: the call and every later request get ENODEV, poll reports the
 * hang-up, read the removal, the mapping stays usable memory until it is
 * unmapped; the device comes back and works.
 */
static void removal_with_everything_open(struct __test_metadata *_metadata,
					 struct plug *p)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc),
		.len = 4096, .flags = VBUS_REGION_F_SIGNAL,
	};
	struct vbus_coalesce co = {
		.argsz = sizeof(co), .flags = VBUS_COALESCE_F_SET, .per_ms = 1,
	};
	struct pollfd pfd = { .events = POLLIN };
	struct vbus_user_event evt;
	struct vbus_info info;
	struct delayed d;
	pthread_t th;
	uint8_t *mem;
	int fd;

	fd = vbus_open(p->name);
	ASSERT_LE(0, fd);
	pfd.fd = d.fd = fd;
	ASSERT_EQ(0, ioctl(fd, VBUS_IOC_REGION_CREATE, &rc));
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   rc.mmap_offset);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_call, &d));
	usleep(300000);

	ASSERT_EQ(0, plug_remove(p));
	pthread_join(th, NULL);
	EXPECT_EQ(-ENODEV, d.err);
	EXPECT_GT(4000, d.ms);
	EXPECT_EQ(-1, vbus_info(fd, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-ENODEV, echo(fd));
	/* A device-wide setting too: the virtio device is unbound. */
	EXPECT_EQ(-1, ioctl(fd, VBUS_IOC_COALESCE, &co));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	ASSERT_EQ(sizeof(evt), read(fd, &evt, sizeof(evt)));
	EXPECT_EQ(VBUS_UEVT_REMOVED, evt.type);
	EXPECT_EQ(-1, read(fd, &evt, sizeof(evt)));
	EXPECT_EQ(ENODEV, errno);
	mem[100] = 0x5a;
	EXPECT_EQ(0x5a, mem[100]);
	EXPECT_EQ(0, munmap(mem, 4096));
	close(fd);

	ASSERT_EQ(0, plug_add(p));
	fd = vbus_open(p->name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, echo(fd));
	close(fd);
}

/* The fixture's device, closed, as a plug through its transport. */
static int dev_plug(const char *name, int *fd, struct plug *p)
{
	close(*fd);
	*fd = -1;
	*p = (struct plug){ .type = "vbus-test", .qmp = -1 };
	snprintf(p->name, sizeof(p->name), "%s", name);
	return transport_of(p);
}

TEST_F(dev, removal_with_everything_open)
{
	struct plug p;

	ASSERT_EQ(0, dev_plug(self->name, &self->fd, &p));
	TH_LOG("transport %s device %s", p.subsys, p.tname);
	removal_with_everything_open(_metadata, &p);
}

struct churner {
	const char *type;
	volatile int stop;
	int calls, signals, bad, last_bad;
};

/* Calls and signals on whatever device of the type is there, reopening. */
static void *churn(void *arg)
{
	struct churner *ch = arg;
	struct vbus_region_create rc;
	char name[16];
	int fd = -1, err;

	while (!ch->stop) {
		if (fd < 0) {
			if (vbus_find_type(ch->type, name, sizeof(name)) ||
			    (fd = vbus_open(name)) < 0) {
				usleep(2000);
				continue;
			}
			memset(&rc, 0, sizeof(rc));
			rc.argsz = sizeof(rc);
			rc.len = 4096;
			rc.flags = VBUS_REGION_F_SIGNAL;
			if (ioctl(fd, VBUS_IOC_REGION_CREATE, &rc))
				rc.len = 0;
		}
		err = echo(fd);
		if (!err && rc.len && vbus_signal(fd, rc.id))
			err = -errno;
		if (!err) {
			ch->calls++;
			ch->signals += !!rc.len;
		} else if (err == -ENODEV || err == -EBUSY || err == -EAGAIN) {
			close(fd);
			fd = -1;
		} else {
			ch->bad++;
			ch->last_bad = err;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* @n removals and returns under calls and signals from two threads. */
static void remove_add_loop(struct __test_metadata *_metadata, struct plug *p,
			    int n)
{
	struct churner ch = { .type = p->type };
	long t0 = vbus_now_ms();
	pthread_t th[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, churn, &ch));
	for (i = 0; i < n; i++) {
		usleep(20000);
		ASSERT_EQ(0, plug_remove(p));
		usleep(10000);
		ASSERT_EQ(0, plug_add(p));
	}
	usleep(50000);
	ch.stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%d calls and %d signals across %d removals, %ld ms a cycle",
	       ch.calls, ch.signals, n, (vbus_now_ms() - t0) / n);
	EXPECT_EQ(0, ch.bad) {
		TH_LOG("unexpected errno %d", -ch.last_bad);
	}
	EXPECT_LT(0, ch.calls);
}

/*
 * Remove/add cycles under load: 50, or vbus.loops=N on the kernel command
 * line (the runner asks the debug kernel for fewer: under KASAN, lockdep
 * and kmemleak a cycle takes 0.6-12 s instead of 0.2). The timeouts are
 * there for a hang: remove_add_loop's stays under the runner's own.
 */
static int loop_cycles(void)
{
	char b[16];
	int n = vbus_cmdline("vbus.loops", b, sizeof(b)) ? atoi(b) : 0;

	return n > 0 ? n : 50;
}

TEST_F_TIMEOUT(dev, remove_add_loop, 300)
{
	struct plug p;

	ASSERT_EQ(0, dev_plug(self->name, &self->fd, &p));
	remove_add_loop(_metadata, &p, loop_cycles());
}

/*
 * Hotplug through QMP: the runner names the device to add in
 * vbus.hotplug=DRIVER[:BUS:BUS2] (none for virtio-mmio, which has no
 * hotplug; two free buses for PCI); its backend is hp0, of type
 * vbus-hotplug; it starts unplugged.
 */
FIXTURE(hotplug) {
	struct plug p;
};

FIXTURE_SETUP(hotplug)
{
	char spec[96], *bus, *bus2;

	self->p.qmp = -1;
	self->p.type = "vbus-hotplug";
	if (!vbus_cmdline("vbus.hotplug", spec, sizeof(spec)))
		SKIP(return, "the runner offers no hotplug on this transport");
	bus = strchr(spec, ':');
	if (bus) {
		*bus++ = '\0';
		bus2 = strchr(bus, ':');
		ASSERT_NE(NULL, bus2);
		*bus2++ = '\0';
		snprintf(self->p.bus, sizeof(self->p.bus), "%s", bus);
		snprintf(self->p.bus2, sizeof(self->p.bus2), "%s", bus2);
	}
	snprintf(self->p.driver, sizeof(self->p.driver), "%s", spec);
	self->p.qmp = vbus_port_open(VBUS_QMP_PORT);
	ASSERT_LE(0, self->p.qmp);
	ASSERT_EQ(-ENOENT, vbus_find_type(self->p.type, self->p.name,
					  sizeof(self->p.name)));
}

/* Unplugged again, even after a failed device_add left QEMU's half. */
FIXTURE_TEARDOWN(hotplug)
{
	int err, there;

	if (self->p.qmp < 0)
		return;
	there = !vbus_find_type(self->p.type, self->p.name,
				sizeof(self->p.name));
	err = plug_remove(&self->p);
	if (there)
		EXPECT_EQ(0, err);
	close(self->p.qmp);
}

/*
 * device_add makes a working vbus device, device_del takes it away
 * completely (no vbus device, no virtio device left), twice over: the
 * backend is free again once its device is gone. Bad requests get clear
 * errors and change nothing.
 */
TEST_F_TIMEOUT(hotplug, add_and_remove, 300)
{
	char reply[512], virtio[32], path[PATH_MAX];
	int i, fd;

	/* A backend without a device cannot misbehave. */
	EXPECT_EQ(-EREMOTEIO,
		  misbehave_from_host(self->p.qmp, "/objects/hp0",
				      VBUS_TEST_MB_BAD_STATUS, reply,
				      sizeof(reply)));
	EXPECT_NE(NULL, strstr(reply, "has no device"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, plug_add(&self->p));
		ASSERT_EQ(0, vbus_virtio_name(self->p.name, virtio,
					      sizeof(virtio)));
		fd = vbus_open(self->p.name);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, echo(fd));
		close(fd);
		ASSERT_EQ(0, plug_remove(&self->p));
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s",
			 virtio);
		EXPECT_EQ(0, vbus_wait_gone(path));
		snprintf(path, sizeof(path), "/dev/%s", self->p.name);
		EXPECT_EQ(0, vbus_wait_gone(path));
	}
	/* A backend serves one device: a second device_add is refused. */
	ASSERT_EQ(0, plug_add(&self->p));
	EXPECT_EQ(-EREMOTEIO, qmp_device_add(&self->p, "hpd1", self->p.bus2,
					     reply, sizeof(reply)));
	EXPECT_NE(NULL, strstr(reply, "already in use")) {
		TH_LOG("second device on hp0: %s", reply);
	}
	/* The agent runs nothing but hotplug and QOM for a guest. */
	EXPECT_EQ(-EREMOTEIO, vbus_qmp(self->p.qmp, reply, sizeof(reply),
					"{\"execute\": \"quit\"}"));
	EXPECT_EQ(-EREMOTEIO, vbus_qmp(self->p.qmp, reply, sizeof(reply),
					"{\"exec\": \"quit\"}"));
	fd = vbus_open(self->p.name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, echo(fd));
	close(fd);
}

/*
 * device_del of a channel device is a surprise removal: the subchannel is
 * gone at once. Linux's virtio_ccw waits without a timeout for a channel
 * program the vanished subchannel never ends (ccw_io_helper()), so a
 * config access racing device_del hangs inside the transport, and its
 * remove with it (seen: a call's config write and css_slow_path_func
 * blocked for good). Under load, then, ccw removal is tested through
 * the transport (offline/online) instead.
 */
static int surprise_removal(struct plug *p)
{
	return !strcmp(p->driver, "virtio-vbus-ccw");
}

TEST_F_TIMEOUT(hotplug, device_del_with_everything_open, 300)
{
	if (surprise_removal(&self->p))
		SKIP(return, "virtio_ccw hangs on I/O racing a surprise removal");
	ASSERT_EQ(0, plug_add(&self->p));
	removal_with_everything_open(_metadata, &self->p);
}

TEST_F_TIMEOUT(hotplug, device_del_add_loop, 900)
{
	if (surprise_removal(&self->p))
		SKIP(return, "virtio_ccw hangs on I/O racing a surprise removal");
	ASSERT_EQ(0, plug_add(&self->p));
	remove_add_loop(_metadata, &self->p, loop_cycles());
}

/*
 * Each device configuration the feature bits allow binds and works: calls
 * where there are calls, an event on event queue 0 (a reset request), and
 * with regions a device signal through every event queue. The virtqueue
 * numbering is the spec's whatever is off: event queue 1 is virtqueue 2
 * also without the signal queue.
 */
FIXTURE(queues) {
	char name[16];
	int fd;
};

FIXTURE_VARIANT(queues) {
	const char *type;
	bool call, shm;
	unsigned int nevq;
};

FIXTURE_VARIANT_ADD(queues, call_only) {
	.type = "vbus-callonly", .call = true, .nevq = 1,
};

FIXTURE_VARIANT_ADD(queues, shm_without_calls) {
	.type = "vbus-nocall", .shm = true, .nevq = 1,
};

FIXTURE_VARIANT_ADD(queues, shm_without_multi_evq) {
	.type = "vbus-test", .call = true, .shm = true, .nevq = 1,
};

FIXTURE_VARIANT_ADD(queues, multi_evq_without_shm) {
	.type = "vbus-mq-noshm", .call = true, .nevq = 2,
};

FIXTURE_VARIANT_ADD(queues, everything) {
	.type = "vbus-test-mq", .call = true, .shm = true, .nevq = 2,
};

FIXTURE_SETUP(queues)
{
	char expect[512];

	self->fd = -1;
	if (vbus_find_type(variant->type, self->name, sizeof(self->name))) {
		/* A device the runner gave the guest must be there. */
		if (vbus_cmdline("vbus.expect", expect, sizeof(expect)))
			ASSERT_EQ(NULL, strstr(expect, variant->type));
		SKIP(return, "no %s device", variant->type);
	}
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(queues)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* WRITE_PATTERN on a region of @prio: the device's signal wakes its eventfd. */
static int signal_through_queue(int fd, uint32_t prio)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc),
		.len = 4096, .priority = prio, .flags = VBUS_REGION_F_SIGNAL,
	};
	struct vbus_region_eventfd re = { .argsz = sizeof(re), .fd = -1 };
	struct pollfd p = { .events = POLLIN };
	struct vbus_call c;
	int err;

	if (ioctl(fd, VBUS_IOC_REGION_CREATE, &rc))
		return -errno;
	re.id = rc.id;
	p.fd = re.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = re.fd < 0 || ioctl(fd, VBUS_IOC_SET_EVENTFD, &re) ? -errno : 0;
	if (!err)
		err = call2(fd, VBUS_TEST_WRITE_PATTERN, rc.id, 1, &c);
	if (!err && poll(&p, 1, VBUS_STEP_MS) != 1)
		err = -ETIMEDOUT;
	if (re.fd >= 0)
		close(re.fd);
	vbus_region_destroy(fd, rc.id);
	return err;
}

TEST_F(queues, bind_call_and_events)
{
	struct vbus_info info;
	struct vbus_call c;
	uint32_t q;
	int err;

	ASSERT_EQ(0, vbus_info(self->fd, &info));
	EXPECT_TRUE(state_is(self->name, "ready"));
	EXPECT_EQ(variant->call, !!(info.features & (1ULL << VIRTIO_VBUS_F_CALL)));
	EXPECT_EQ(variant->shm, !!(info.features & (1ULL << VIRTIO_VBUS_F_SHM)));
	EXPECT_EQ(variant->nevq > 1,
		  !!(info.features & (1ULL << VIRTIO_VBUS_F_MULTI_EVQ)));
	EXPECT_EQ(variant->nevq, info.num_event_queues);
	if (!variant->call) {
		EXPECT_EQ(-EOPNOTSUPP, echo(self->fd));
		return;
	}
	ASSERT_EQ(0, echo(self->fd));
	for (q = 0; variant->shm && q < variant->nevq; q++)
		EXPECT_EQ(0, signal_through_queue(self->fd, q)) {
			TH_LOG("event queue %u", q);
		}
	err = call2(self->fd, VBUS_TEST_REQUEST_RESET, 0, 0, &c);
	ASSERT_TRUE(err == 0 || err == -ECANCELED) {
		TH_LOG("errno %d", -err);
	}
	ASSERT_EQ(0, wait_uevent(self->fd, VBUS_UEVT_RESET, VBUS_WAIT_MS));
	EXPECT_EQ(0, echo(self->fd));
	EXPECT_TRUE(state_is(self->name, "ready"));
}

TEST_HARNESS_MAIN
