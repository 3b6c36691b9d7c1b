// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus device calls through /dev/vbusN and the kernel client API:
 * payload sizes up to the limit, every status and its errno, signals,
 * concurrency, bad input, races with unbind, a client driver that owns
 * its device.
 */
#include <endian.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/virtio_vbus.h>

#include "kselftest_harness.h"
#include "vbus_util.h"

#define TC_DEBUGFS	"/sys/kernel/debug/vbus_test_client"

/* A call; returns 0 or -errno. */
static int vbus_do(int fd, uint32_t func, const void *out, uint32_t out_len,
		   void *in, uint32_t in_len, struct vbus_call *c)
{
	memset(c, 0, sizeof(*c));
	c->argsz = sizeof(*c);
	c->func = func;
	c->out_ptr = (uintptr_t)out;
	c->out_len = out_len;
	c->in_ptr = (uintptr_t)in;
	c->in_len = in_len;
	return ioctl(fd, VBUS_IOC_CALL, c) ? -errno : 0;
}

enum size_kind { SZ_ZERO, SZ_ONE, SZ_PAGE, SZ_MAX, SZ_OVER };

FIXTURE(call) {
	char name[16];
	int fd;
	struct vbus_info info;
};

FIXTURE_VARIANT(call) {
	enum size_kind size;
};

FIXTURE_VARIANT_ADD(call, zero) { .size = SZ_ZERO };
FIXTURE_VARIANT_ADD(call, one) { .size = SZ_ONE };
FIXTURE_VARIANT_ADD(call, page) { .size = SZ_PAGE };
FIXTURE_VARIANT_ADD(call, max) { .size = SZ_MAX };
FIXTURE_VARIANT_ADD(call, over_max) { .size = SZ_OVER };

FIXTURE_SETUP(call)
{
	if (vbus_find_type("vbus-test", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-test device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vbus_info(self->fd, &self->info));
	ASSERT_LT(4096, self->info.max_call_len);
}

FIXTURE_TEARDOWN(call)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint32_t variant_len(enum size_kind k, uint32_t max)
{
	switch (k) {
	case SZ_ZERO: return 0;
	case SZ_ONE: return 1;
	case SZ_PAGE: return 4096;
	case SZ_MAX: return max;
	default: return max + 1;
	}
}

/* ECHO and REVERSE return what was sent; one byte over the limit is E2BIG. */
TEST_F(call, echo_sizes)
{
	uint32_t len = variant_len(variant->size, self->info.max_call_len);
	uint8_t *out = malloc(len + 1), *in = malloc(len + 1);
	struct vbus_call c;
	uint32_t i;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (i = 0; i < len; i++)
		out[i] = (i * 131 + len) & 0xff;
	memset(in, 0x5a, len + 1);

	if (variant->size == SZ_OVER) {
		EXPECT_EQ(-E2BIG, vbus_do(self->fd, VBUS_TEST_ECHO, out, len,
					  in, len, &c));
		EXPECT_EQ(-E2BIG, vbus_do(self->fd, VBUS_TEST_ECHO, out, 1,
					  in, len, &c));
	} else {
		ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_ECHO, out, len, in,
				     len, &c));
		EXPECT_EQ(len, c.result_len);
		EXPECT_EQ(VIRTIO_VBUS_S_OK, c.device_status);
		EXPECT_EQ(0, memcmp(out, in, len));
		EXPECT_EQ(0x5a, in[len]);	/* nothing past result_len */

		ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_REVERSE, out, len,
				     in, len, &c));
		for (i = 0; i < len; i++)
			ASSERT_EQ(out[len - 1 - i], in[i]);
	}
	free(out);
	free(in);
}

FIXTURE(dev) {
	char name[16];
	int fd;
	struct vbus_info info;
};

FIXTURE_SETUP(dev)
{
	if (vbus_find_type("vbus-test", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-test device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vbus_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
	vbus_set_attr(self->name, "call_poll_us", "0");	/* call_poll_us */
}

/* Each device status comes back as the errno of the same name. */
TEST_F(dev, every_status_maps_to_errno)
{
	static const int errnos[VIRTIO_VBUS_S_MAX + 1] = {
		0, EINVAL, ENOMEM, EBUSY, ENODEV, ENOENT, E2BIG, EFAULT,
		EOPNOTSUPP, ETIMEDOUT, EIO, EEXIST, ENOSPC, EPERM, EAGAIN,
		ERANGE,
	};
	struct vbus_call c;
	uint32_t arg[2], s;

	/* The vbus-test type's arguments are little-endian words. */
	for (s = 0; s <= VIRTIO_VBUS_S_MAX; s++) {
		arg[0] = htole32(s);
		arg[1] = htole32(4000 + s);
		EXPECT_EQ(-errnos[s], vbus_do(self->fd, VBUS_TEST_STATUS, arg,
					      sizeof(arg), NULL, 0, &c));
		EXPECT_EQ(s, c.device_status);
		EXPECT_EQ(4000 + s, c.qualifier);
		EXPECT_EQ(0, c.result_len);
	}
}

/* CHECKSUM and FILL: the device computes, the driver carries. */
TEST_F(dev, checksum_and_fill)
{
	uint32_t crc = 0, fill[2] = { htole32(0xab), htole32(3000) };
	uint8_t buf[4096];
	struct vbus_call c;
	int i;

	ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_CHECKSUM, "123456789", 9,
			     &crc, sizeof(crc), &c));
	EXPECT_EQ(0xe3069283, le32toh(crc));
	ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_FILL, fill, sizeof(fill), buf,
			     sizeof(buf), &c));
	ASSERT_EQ(3000, c.result_len);
	for (i = 0; i < 3000; i++)
		ASSERT_EQ(0xab, buf[i]);
}

/*
 * A signal interrupts a delayed call with EINTR; the device stays usable
 * (the next call first waits for the abandoned one).
 */
TEST_F(dev, delayed_call_interrupted)
{
	struct sigaction sa = { .sa_handler = vbus_on_signal };	/* no SA_RESTART */
	struct vbus_kicker k = { .target = pthread_self(), .delay_ms = 200 };
	uint32_t ms = htole32(2000);
	char in[8] = {};
	struct vbus_call c;
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, vbus_kick, &k));
	EXPECT_EQ(-EINTR, vbus_do(self->fd, VBUS_TEST_DELAY, &ms, sizeof(ms),
				  NULL, 0, &c));
	pthread_join(t, NULL);

	ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_ECHO, "again", 5, in,
			     sizeof(in), &c));
	EXPECT_EQ(0, memcmp("again", in, 5));

	/* An uninterrupted delayed call completes. */
	ms = htole32(100);
	EXPECT_EQ(0, vbus_do(self->fd, VBUS_TEST_DELAY, &ms, sizeof(ms), NULL,
			     0, &c));
}

struct slow_call {
	int fd;
	int err;
	volatile int returned;
};

static void *slow_call(void *arg)
{
	struct slow_call *sc = arg;
	uint32_t ms = htole32(5000);
	struct vbus_call c;

	sc->err = vbus_do(sc->fd, VBUS_TEST_DELAY, &ms, sizeof(ms), NULL, 0,
			  &c);
	sc->returned = 1;
	return NULL;
}

/*
 * With call queues, a call the device defers holds up no other: ECHOs
 * issued while a 5-second DELAY is in flight all return before it does.
 * Through the mailbox they would wait for it.
 */
TEST_F(dev, no_head_of_line_blocking)
{
	struct slow_call sc = { .fd = self->fd };
	char in[64];
	struct vbus_call c;
	pthread_t t;
	int i;

	if (!(self->info.features & (1ULL << VIRTIO_VBUS_F_CALLQ)))
		SKIP(return, "no VIRTIO_VBUS_F_CALLQ (calls use the mailbox)");
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_call, &sc));
	usleep(200000);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_ECHO, "overtake", 8, in,
				     sizeof(in), &c));
		EXPECT_EQ(8, c.result_len);
		EXPECT_EQ(0, memcmp("overtake", in, 8));
	}
	EXPECT_EQ(0, sc.returned);
	pthread_join(t, NULL);
	EXPECT_EQ(0, sc.err);
}

/* @n DELAY calls of @ms each: how many of them a poll found ended. */
static long delayed_calls_polled(struct __test_metadata *_metadata,
				 const char *name, int fd, int n, uint32_t ms)
{
	long before = vbus_stat(name, "callq_polled");
	uint32_t arg = htole32(ms);
	struct vbus_call c;
	int i;

	for (i = 0; i < n; i++)
		EXPECT_EQ(0, vbus_do(fd, VBUS_TEST_DELAY, &arg, sizeof(arg),
				     NULL, 0, &c));
	return vbus_stat(name, "callq_polled") - before;
}

/*
 * sysfs call_poll_us: a synchronous call on a call queue polls for its
 * answer that long before sleeping. A 1 ms DELAY ends within a 10 ms
 * poll; one of 200 ms outlasts a 1 ms poll (by enough that a vCPU the
 * host stalls meanwhile does not matter) and ends by interrupt, as every
 * call does with polling off (the default).
 */
TEST_F(dev, call_poll_us)
{
	char buf[16];
	long polled;

	if (!(self->info.features & (1ULL << VIRTIO_VBUS_F_CALLQ))) {
		EXPECT_EQ(-EOPNOTSUPP, vbus_set_attr(self->name, "call_poll_us",
						     "10"));
		SKIP(return, "no VIRTIO_VBUS_F_CALLQ (calls use the mailbox)");
	}
	ASSERT_EQ(0, vbus_attr(self->name, "call_poll_us", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	EXPECT_EQ(0, delayed_calls_polled(_metadata, self->name, self->fd, 5, 1));
	EXPECT_EQ(-EINVAL, vbus_set_attr(self->name, "call_poll_us", "10001"));
	EXPECT_EQ(-EINVAL, vbus_set_attr(self->name, "call_poll_us", "-1"));

	ASSERT_EQ(0, vbus_set_attr(self->name, "call_poll_us", "10000"));
	polled = delayed_calls_polled(_metadata, self->name, self->fd, 20, 1);
	TH_LOG("polling 10 ms: %ld of 20 calls of 1 ms ended during the poll",
	       polled);
	EXPECT_LT(0, polled);
	ASSERT_EQ(0, vbus_set_attr(self->name, "call_poll_us", "1000"));
	EXPECT_EQ(0, delayed_calls_polled(_metadata, self->name, self->fd, 3,
					  200));
	/* The driver's setting, not the device's: a reset keeps it. */
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	ASSERT_EQ(0, vbus_attr(self->name, "call_poll_us", buf, sizeof(buf)));
	EXPECT_STREQ("1000", buf);
	ASSERT_EQ(0, vbus_set_attr(self->name, "call_poll_us", "0"));
}

/* Bad ioctl arguments get their documented errno. */
TEST_F(dev, bad_inputs)
{
	void *bad = (void *)16;
	struct vbus_call c;

	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(VBUS_IOCTL_TYPE, 0x7e), &c));
	EXPECT_EQ(ENOTTY, errno);
	/* The first numbers were rpmsg's (0xB5): no longer answered. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(0xB5, 0x01, struct vbus_call), &c));
	EXPECT_EQ(ENOTTY, errno);

	memset(&c, 0, sizeof(c));
	c.argsz = sizeof(c);
	c.func = VBUS_TEST_ECHO;
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	/* One byte short of the first version (which ended at qualifier). */
	c.argsz = offsetof(struct vbus_call, qualifier) + 3;
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
	c.argsz = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Arguments grow the VFIO way: a larger argsz is taken when the bytes this
 * kernel does not know are zero (a newer program on an older kernel), and
 * refused with E2BIG when they are not, or when argsz is over a page.
 */
TEST_F(dev, argsz_extensible)
{
	struct {
		struct vbus_call c;
		uint8_t future[16];
	} big;
	char in[8];

	memset(&big, 0, sizeof(big));
	big.c.argsz = sizeof(big);
	big.c.func = VBUS_TEST_ECHO;
	big.c.out_ptr = (uintptr_t)"ping";
	big.c.out_len = 4;
	big.c.in_ptr = (uintptr_t)in;
	big.c.in_len = sizeof(in);
	EXPECT_EQ(0, ioctl(self->fd, VBUS_IOC_CALL, &big));
	EXPECT_EQ(4, big.c.result_len);
	EXPECT_EQ(0, big.future[0]);
	big.future[15] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &big));
	EXPECT_EQ(E2BIG, errno);
	big.future[15] = 0;
	big.c.argsz = 8192;
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &big));
	EXPECT_EQ(E2BIG, errno);
}

/* Bad call arguments get their documented errno; the device still works. */
TEST_F(dev, bad_call_arguments)
{
	uint8_t buf[64] = "0123456789abcdef0123456789abcdef";
	void *bad = (void *)16;
	uint32_t max = self->info.max_call_len;
	struct vbus_call c;

	EXPECT_EQ(-E2BIG, vbus_do(self->fd, VBUS_TEST_ECHO, buf, 0xffffffff,
				  buf, 16, &c));
	EXPECT_EQ(-E2BIG, vbus_do(self->fd, VBUS_TEST_ECHO, buf, 16, buf,
				  max + 1, &c));
	EXPECT_EQ(-EFAULT, vbus_do(self->fd, VBUS_TEST_ECHO, bad, 16, buf, 16,
				   &c));
	EXPECT_EQ(-EFAULT, vbus_do(self->fd, VBUS_TEST_ECHO, buf, 16, bad, 16,
				   &c));

	/* Errors the device reports, with their qualifiers. */
	EXPECT_EQ(-ENOENT, vbus_do(self->fd, 0xdead, NULL, 0, NULL, 0, &c));
	EXPECT_EQ(VIRTIO_VBUS_S_ENOENT, c.device_status);
	EXPECT_EQ(0xdead, c.qualifier);
	EXPECT_EQ(-E2BIG, vbus_do(self->fd, VBUS_TEST_ECHO, buf, 32, buf, 16,
				  &c));
	EXPECT_EQ(VIRTIO_VBUS_S_E2BIG, c.device_status);
	EXPECT_EQ(-EINVAL, vbus_do(self->fd, VBUS_TEST_FILL, buf, 3, buf, 16,
				   &c));

	ASSERT_EQ(0, vbus_do(self->fd, VBUS_TEST_ECHO, "ok", 2, buf, 2, &c));
	EXPECT_EQ(0, memcmp("ok", buf, 2));
}

struct worker {
	int fd;
	int id;
	int calls;
	int bad;
	int first_err;
};

static void *call_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t out[600], in[600];
	struct vbus_call c;
	int i, j, len, err;

	for (i = 0; i < w->calls; i++) {
		len = (w->id * 97 + i * 31) % sizeof(out);
		for (j = 0; j < len; j++)
			out[j] = w->id ^ i ^ j;
		err = vbus_do(w->fd, VBUS_TEST_ECHO, out, len, in, sizeof(in),
			      &c);
		if (err || c.result_len != len || memcmp(out, in, len)) {
			if (!w->bad++)
				w->first_err = err;
		}
	}
	return NULL;
}

static void run_workers(struct __test_metadata *_metadata, int *fds,
			int nfds, int nthreads, int calls)
{
	struct worker w[16];
	pthread_t t[16];
	int i;

	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .fd = fds[i % nfds], .id = i,
					.calls = calls };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, call_worker, &w[i]));
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].bad) {
			TH_LOG("thread %d: %d bad calls, first errno %d", i,
			       w[i].bad, -w[i].first_err);
		}
	}
}

/* Eight threads share one device: every payload comes back intact. */
TEST_F(dev, concurrent_calls_one_device)
{
	run_workers(_metadata, &self->fd, 1, 8, 300);
}

/* And two devices at once. */
TEST(concurrent_calls_two_devices)
{
	char a[16], b[16];
	int fds[2];

	if (vbus_find_type("vbus-test", a, sizeof(a)) ||
	    vbus_find_type("vbus-test-b", b, sizeof(b)))
		SKIP(return, "needs vbus-test and vbus-test-b devices");
	fds[0] = vbus_open(a);
	fds[1] = vbus_open(b);
	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[1]);
	run_workers(_metadata, fds, 2, 6, 200);
	close(fds[0]);
	close(fds[1]);
}

/*
 * Calls up to 1 MiB on a device that takes them: past 64 KiB the driver
 * bounces through page-sized segments (to 256 KiB, with call queues), then
 * through one allocation; every byte comes back in its place.
 */
TEST(large_calls)
{
	static const uint32_t sizes[] = {
		65536, 65537, 131072 + 100, 262144, 262145, 1048576,
	};
	struct vbus_info info;
	uint8_t *out, *in;
	struct vbus_call c;
	char name[16];
	uint32_t i, j;
	int fd;

	if (vbus_find_type("vbus-test-b", name, sizeof(name)))
		SKIP(return, "needs the vbus-test-b device");
	fd = vbus_open(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbus_info(fd, &info));
	if (info.max_call_len < 1048576)
		SKIP(return, "vbus-test-b takes %u bytes a call", info.max_call_len);
	out = malloc(1048576);
	in = malloc(1048576);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizes[i]; j++)
			out[j] = (uint8_t)(j * 31 + j / 4096 + i);
		memset(in, 0, sizes[i]);
		ASSERT_EQ(0, vbus_do(fd, VBUS_TEST_ECHO, out, sizes[i], in,
				     sizes[i], &c));
		EXPECT_EQ(sizes[i], c.result_len);
		EXPECT_EQ(0, memcmp(out, in, sizes[i])) {
			TH_LOG("%u bytes came back changed", sizes[i]);
		}
	}
	free(out);
	free(in);
	close(fd);
}

/* Without VIRTIO_VBUS_F_CALL negotiated, a call is EOPNOTSUPP. */
TEST(call_without_feature)
{
	struct vbus_info info;
	struct vbus_call c;
	char name[16];
	int fd;

	if (vbus_find_type("vbus-nocall", name, sizeof(name)))
		SKIP(return, "no device without calls");
	fd = vbus_open(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbus_info(fd, &info));
	EXPECT_FALSE(info.features & (1ULL << VIRTIO_VBUS_F_CALL));
	EXPECT_EQ(-EOPNOTSUPP, vbus_do(fd, VBUS_TEST_ECHO, "x", 1, NULL, 0, &c));
	close(fd);
}

struct racer {
	char name[16];
	volatile int stop;
	int calls, ok, enodev, bad, last_bad;
	struct vbus_call last_call;
	char last_in[16];
};

static void *race_worker(void *arg)
{
	struct racer *r = arg;
	char in[16];
	struct vbus_call c;
	int fd = -1, err;

	while (!r->stop) {
		if (fd < 0) {
			fd = vbus_open(r->name);
			if (fd < 0) {
				usleep(1000);
				continue;
			}
		}
		err = vbus_do(fd, VBUS_TEST_ECHO, "race", 4, in, sizeof(in), &c);
		__atomic_add_fetch(&r->calls, 1, __ATOMIC_RELAXED);
		if (!err && c.result_len == 4 && !memcmp(in, "race", 4)) {
			__atomic_add_fetch(&r->ok, 1, __ATOMIC_RELAXED);
		} else if (err == -ENODEV) {
			__atomic_add_fetch(&r->enodev, 1, __ATOMIC_RELAXED);
			close(fd);
			fd = -1;
		} else {
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
			r->last_bad = err;
			r->last_call = c;
			memcpy(r->last_in, in, sizeof(in));
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Calls racing with unbind and rebind: -ENODEV or success, nothing else. */
TEST(calls_race_unbind_rebind)
{
	char virtio[32], name[16];
	struct racer r = {};
	pthread_t t[2];
	int i;

	if (vbus_find_type("vbus-test", name, sizeof(name)))
		SKIP(return, "no vbus-test device");
	snprintf(r.name, sizeof(r.name), "%s", name);
	ASSERT_EQ(0, vbus_virtio_name(name, virtio, sizeof(virtio)));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_worker, &r));
	for (i = 0; i < 10; i++) {
		usleep(30000);
		ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/unbind", virtio));
		usleep(10000);
		ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/bind", virtio));
	}
	usleep(30000);
	r.stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	TH_LOG("%d calls: %d ok, %d ENODEV, %d other", r.calls, r.ok,
	       r.enodev, r.bad);
	EXPECT_EQ(0, r.bad) {
		TH_LOG("last unexpected: errno %d status %u len %u in %.4s",
		       -r.last_bad, r.last_call.device_status,
		       r.last_call.result_len, r.last_in);
	}
	EXPECT_LT(0, r.ok);
	EXPECT_LT(0, r.enodev);
}

/*
 * A client driver bound through the auxiliary bus makes calls with the
 * kernel API and owns its device: userspace calls get EBUSY meanwhile.
 */
TEST(kernel_client_owns_device)
{
	char name[16], dir[PATH_MAX], path[PATH_MAX], buf[64];
	struct vbus_info info;
	struct vbus_call c;
	int fd, n;

	if (vbus_find_type("vbus-test", name, sizeof(name)))
		SKIP(return, "no vbus-test device");
	fd = vbus_open(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbus_info(fd, &info));

	ASSERT_EQ(0, system("modprobe vbus_test_client"));
	snprintf(dir, sizeof(dir), TC_DEBUGFS "/virtio_vbus.vbus-test.%u",
		 info.instance);
	ASSERT_EQ(0, access(dir, F_OK));

	snprintf(path, sizeof(path), "%s/echo", dir);
	ASSERT_EQ(0, vbus_write_file(path, "hello from the kernel"));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ("hello from the kernel", buf);
	snprintf(path, sizeof(path), "%s/last", dir);
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ("0 0 0 21", buf);

	EXPECT_EQ(-EBUSY, vbus_do(fd, VBUS_TEST_ECHO, "x", 1, buf, 1, &c));
	EXPECT_EQ(0, vbus_info(fd, &info));

	ASSERT_EQ(0, system("rmmod vbus_test_client"));
	n = vbus_do(fd, VBUS_TEST_ECHO, "x", 1, buf, 1, &c);
	EXPECT_EQ(0, n);
	close(fd);
}

/*
 * The kernel client API's asynchronous calls: with call queues an ECHO
 * submitted after a DELAY ends first, through the mailbox after it; and
 * hundreds at once all come back whole.
 */
TEST(kernel_client_async)
{
	char name[16], dir[PATH_MAX], path[PATH_MAX], buf[128];
	struct vbus_info info;
	int fd;

	if (vbus_find_type("vbus-test", name, sizeof(name)))
		SKIP(return, "no vbus-test device");
	fd = vbus_open(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbus_info(fd, &info));
	close(fd);

	ASSERT_EQ(0, system("modprobe vbus_test_client"));
	snprintf(dir, sizeof(dir), TC_DEBUGFS "/virtio_vbus.vbus-test.%u",
		 info.instance);
	snprintf(path, sizeof(path), "%s/async", dir);
	EXPECT_EQ(0, vbus_write_file(path, "order"));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ(info.features & (1ULL << VIRTIO_VBUS_F_CALLQ) ?
		     "ok delay 0 (ended 2), echo 0 (ended 1)" :
		     "fail delay 0 (ended 1), echo 0 (ended 2)", buf);
	EXPECT_EQ(0, vbus_write_file(path, "many 500"));
	ASSERT_EQ(0, vbus_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ("ok 500 calls, 0 bad", buf);
	EXPECT_EQ(-EINVAL, vbus_write_file(path, "many 513"));
	ASSERT_EQ(0, system("rmmod vbus_test_client"));
}

/*
 * A client's asynchronous call outlives the writer that asked for it (a
 * killed process), and the client is unloaded meanwhile: its remove waits
 * for the call (vbus_call_drain()), so the call's end finds the module
 * still there. The device works afterwards.
 */
TEST(kernel_client_unloaded_with_call_in_flight)
{
	char name[16], path[PATH_MAX], buf[8];
	struct vbus_info info;
	struct vbus_call c;
	int fd, status;
	long t0;
	pid_t pid;

	if (vbus_find_type("vbus-test", name, sizeof(name)))
		SKIP(return, "no vbus-test device");
	fd = vbus_open(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vbus_info(fd, &info));
	ASSERT_EQ(0, system("modprobe vbus_test_client"));
	snprintf(path, sizeof(path),
		 TC_DEBUGFS "/virtio_vbus.vbus-test.%u/async", info.instance);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(vbus_write_file(path, "order") ? 1 : 0);
	usleep(100000);		/* the DELAY (300 ms) is in flight */
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	t0 = vbus_now_ms();
	ASSERT_EQ(0, system("rmmod vbus_test_client"));
	TH_LOG("rmmod took %ld ms", vbus_now_ms() - t0);
	EXPECT_EQ(0, vbus_do(fd, VBUS_TEST_ECHO, "x", 1, buf, 1, &c));
	close(fd);
}

TEST_HARNESS_MAIN
