// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus asynchronous calls from userspace: the call fd
 * (VBUS_IOC_CALL_FD, VBUS_IOC_CALL_SUBMIT, read(), poll()) and io_uring
 * (VBUS_URING_CMD_CALL): completion order, hundreds in flight, errors,
 * and callers that go away (close, kill, ring exit) or a device that does
 * (reset, unbind) with calls in flight.
 */
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/virtio_vbus.h>

#include "kselftest_harness.h"
#include "vbus_util.h"
#include "vbus_uring.h"

#define NCALLS		VBUS_CALL_FD_MAX
/* More than a call queue holds (max_calls, 64 by default). */
#define PARKED		128
#define TAG_DELAY	1000

/* A call description; tag only where argsz covers it. */
static struct vbus_call call_of(uint32_t func, const void *out,
				uint32_t out_len, void *in, uint32_t in_len,
				uint64_t tag)
{
	return (struct vbus_call){
		.argsz = sizeof(struct vbus_call),
		.func = func,
		.out_ptr = (uintptr_t)out,
		.out_len = out_len,
		.in_ptr = (uintptr_t)in,
		.in_len = in_len,
		.tag = tag,
	};
}

/* VBUS_IOC_CALL_SUBMIT: 0 or -errno. */
static int submit(int cfd, uint32_t func, const void *out, uint32_t out_len,
		  void *in, uint32_t in_len, uint64_t tag)
{
	struct vbus_call c = call_of(func, out, out_len, in, in_len, tag);

	return ioctl(cfd, VBUS_IOC_CALL_SUBMIT, &c) ? -errno : 0;
}

static int submit_delay(int cfd, uint32_t ms, uint64_t tag)
{
	uint32_t le = htole32(ms);

	return submit(cfd, VBUS_TEST_DELAY, &le, sizeof(le), NULL, 0, tag);
}

/* One completion: 0 or -errno of read(). */
static int reap(int cfd, struct vbus_call_done *d)
{
	ssize_t n = read(cfd, d, sizeof(*d));

	if (n < 0)
		return -errno;
	return n == sizeof(*d) ? 0 : -EIO;
}

/* An address no program maps (volatile: the compiler must not know). */
static void *volatile bad_ptr = (void *)8;

/* The 16-byte payload of call @i. */
static void payload(uint8_t *p, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < 16; j++)
		p[j] = (uint8_t)(i * 7 + j * 13);
	memcpy(p, &i, sizeof(i));
}

FIXTURE(async) {
	char name[16];
	int fd;
	int cfd;
	struct vbus_info info;
	int callq;
};

FIXTURE_SETUP(async)
{
	self->cfd = -1;
	if (vbus_find_type("vbus-test", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-test device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vbus_info(self->fd, &self->info));
	self->callq = !!(self->info.features & (1ULL << VIRTIO_VBUS_F_CALLQ));
	self->cfd = ioctl(self->fd, VBUS_IOC_CALL_FD);
	ASSERT_LE(0, self->cfd);
}

FIXTURE_TEARDOWN(async)
{
	if (self->cfd >= 0)
		close(self->cfd);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A DELAY then an ECHO: with call queues the ECHO ends first; through the
 * mailbox calls run in order. Each completion says what the device did.
 */
TEST_F(async, call_fd_out_of_order)
{
	struct vbus_call_done d;
	char in[16] = {};

	ASSERT_EQ(0, submit_delay(self->cfd, 500, TAG_DELAY));
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "overtake", 8, in,
			    sizeof(in), 2));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(self->callq ? 2 : TAG_DELAY, d.tag);
	if (d.tag != 2)
		ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(2, d.tag);
	EXPECT_EQ(0, d.error);
	EXPECT_EQ(8, d.result_len);
	EXPECT_EQ(VBUS_CALL_DONE_F_DEVICE, d.flags);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, d.device_status);
	EXPECT_EQ(0, memcmp("overtake", in, 8));
	if (self->callq) {
		ASSERT_EQ(0, reap(self->cfd, &d));
		EXPECT_EQ(TAG_DELAY, d.tag);
		EXPECT_EQ(0, d.error);
	}
}

/*
 * VBUS_CALL_FD_MAX calls submitted at once from one thread, each answer
 * intact in its own buffer; one more is refused until one is read.
 */
TEST_F(async, call_fd_hundreds)
{
	static uint8_t out[NCALLS][16], in[NCALLS][16];
	struct vbus_call_done d[32];
	int seen[NCALLS] = {}, i, n, got = 0;

	for (i = 0; i < NCALLS; i++) {
		payload(out[i], i);
		ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, out[i], 16,
				    in[i], 16, i));
	}
	EXPECT_EQ(-EAGAIN, submit(self->cfd, VBUS_TEST_ECHO, out[0], 16,
				  in[0], 16, 0));
	while (got < NCALLS) {
		n = read(self->cfd, d, sizeof(d));
		ASSERT_LT(0, n);
		ASSERT_EQ(0, n % sizeof(d[0]));
		for (i = 0; i < n / (int)sizeof(d[0]); i++) {
			ASSERT_GT(NCALLS, d[i].tag);
			EXPECT_EQ(0, seen[d[i].tag]++);
			EXPECT_EQ(0, d[i].error);
			EXPECT_EQ(16, d[i].result_len);
			EXPECT_EQ(0, memcmp(out[d[i].tag], in[d[i].tag], 16));
		}
		got += n / sizeof(d[0]);
	}
	EXPECT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, out[0], 16, in[0], 16,
			    0));
	ASSERT_EQ(0, reap(self->cfd, &d[0]));
}

/* A device status reaches the completion; bad arguments are refused. */
TEST_F(async, call_fd_errors)
{
	uint32_t st[2] = { htole32(VIRTIO_VBUS_S_EPERM), htole32(77) };
	struct vbus_call c = call_of(VBUS_TEST_ECHO, "x", 1, NULL, 0, 5);
	struct vbus_call_done d;
	char small[8];

	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_STATUS, st, sizeof(st), NULL,
			    0, 9));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(9, d.tag);
	EXPECT_EQ(-EPERM, d.error);
	EXPECT_EQ(VBUS_CALL_DONE_F_DEVICE, d.flags);
	EXPECT_EQ(VIRTIO_VBUS_S_EPERM, d.device_status);
	EXPECT_EQ(77, d.qualifier);

	/* The answer cannot be copied: the completion says EFAULT. */
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "abc", 3,
			    (void *)8, 3, 10));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(-EFAULT, d.error);

	EXPECT_EQ(-EFAULT, submit(self->cfd, VBUS_TEST_ECHO, (void *)8, 3,
				  small, 3, 11));
	EXPECT_EQ(-E2BIG, submit(self->cfd, VBUS_TEST_ECHO, small, 1, small,
				 self->info.max_call_len + 1, 12));
	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->cfd, VBUS_IOC_CALL_SUBMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.argsz = offsetof(struct vbus_call, tag);	/* no tag */
	EXPECT_EQ(-1, ioctl(self->cfd, VBUS_IOC_CALL_SUBMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->cfd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, read(self->cfd, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);

	/* A record that cannot be handed out stays for the next read(). */
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "kept", 4, small, 4,
			    13));
	usleep(100000);
	EXPECT_EQ(-1, read(self->cfd, bad_ptr, sizeof(d)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(13, d.tag);
	EXPECT_EQ(0, d.error);
	EXPECT_EQ(4, d.result_len);
	EXPECT_EQ(0, memcmp("kept", small, 4));
}

/* poll() and O_NONBLOCK: nothing to read until a call ends. */
TEST_F(async, call_fd_poll_nonblock)
{
	struct pollfd p = { .fd = self->cfd, .events = POLLIN | POLLOUT };
	struct vbus_call_done d;

	ASSERT_EQ(0, fcntl(self->cfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, reap(self->cfd, &d));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	ASSERT_EQ(0, submit_delay(self->cfd, 300, TAG_DELAY));
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents);
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(TAG_DELAY, d.tag);
	EXPECT_EQ(0, d.error);
}

/* Another process (the fd inherited) may neither submit nor read. */
TEST_F(async, call_fd_other_process)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vbus_call_done d;

		_exit(submit(self->cfd, VBUS_TEST_ECHO, "x", 1, NULL, 0, 1) ==
		      -EPERM && reap(self->cfd, &d) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/* Closing the call fd with calls in flight: the device stays usable. */
TEST_F(async, call_fd_close_in_flight)
{
	struct vbus_call_done d;
	char in[16];
	int i;

	ASSERT_EQ(0, submit_delay(self->cfd, 300, TAG_DELAY));
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "gone", 4, in,
				    sizeof(in), i));
	close(self->cfd);
	self->cfd = ioctl(self->fd, VBUS_IOC_CALL_FD);
	ASSERT_LE(0, self->cfd);
	usleep(400000);
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "again", 5, in,
			    sizeof(in), 3));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(3, d.tag);
	EXPECT_EQ(0, d.error);
	EXPECT_EQ(0, memcmp("again", in, 5));
}

/* A process killed with calls in flight leaves nothing behind. */
TEST_F(async, call_fd_killed_in_flight)
{
	struct vbus_call_done d;
	int status, p[2];
	char in[8], c;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cfd = ioctl(self->fd, VBUS_IOC_CALL_FD);

		if (cfd < 0 || submit_delay(cfd, 2000, 1) ||
		    submit(cfd, VBUS_TEST_ECHO, "k", 1, in, 1, 2))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "alive", 5, in,
			    sizeof(in), 3));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(0, d.error);
	close(p[0]);
}

/* A reset ends the calls in flight with ECANCELED, at once. */
TEST_F(async, call_fd_reset_ends_calls)
{
	struct vbus_call_done d;
	long t0;

	if (!self->callq)
		SKIP(return, "mailbox: its one call in flight is the sync suite's");
	ASSERT_EQ(0, submit_delay(self->cfd, 5000, TAG_DELAY));
	usleep(100000);
	t0 = vbus_now_ms();
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_RESET));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_GT(3000, vbus_now_ms() - t0);
	EXPECT_EQ(TAG_DELAY, d.tag);
	EXPECT_EQ(-ECANCELED, d.error);
	EXPECT_EQ(0, d.flags);
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "x", 1, &d, 1, 2));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(2, d.tag);
	EXPECT_EQ(0, d.error);
}

/* Unbinding the driver ends them with ENODEV; the fd stays valid. */
TEST_F(async, call_fd_unbind_ends_calls)
{
	char virtio[32], names[VBUS_MAX_DEVS][16];
	struct vbus_call_done d;
	int err, n;

	n = vbus_list(names, VBUS_MAX_DEVS);
	ASSERT_EQ(0, vbus_virtio_name(self->name, virtio, sizeof(virtio)));
	ASSERT_EQ(0, submit_delay(self->cfd, 5000, TAG_DELAY));
	usleep(100000);
	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/unbind", virtio));
	err = reap(self->cfd, &d);
	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/bind", virtio));
	ASSERT_EQ(0, err);
	EXPECT_EQ(TAG_DELAY, d.tag);
	EXPECT_EQ(-ENODEV, d.error);
	EXPECT_EQ(-ENODEV, submit(self->cfd, VBUS_TEST_ECHO, "x", 1, NULL, 0,
				  2));
	ASSERT_EQ(0, vbus_wait_count(n));
}

/*
 * io_uring: a ring with 128-byte SQEs and 32-byte CQEs, or a skip where
 * io_uring is off or the driver takes no io_uring commands.
 */
#define RING_OR_SKIP(r, fd, entries) \
	RING_FLAGS_OR_SKIP(r, fd, entries, IORING_SETUP_SQE128 | IORING_SETUP_CQE32)
#define RING_FLAGS_OR_SKIP(r, fd, entries, flags) do { \
	int __e = vbus_ring_init((r), (entries), (flags)); \
	if (__e == -ENOSYS || __e == -EPERM) \
		SKIP(return, "io_uring is off (%d)", __e); \
	ASSERT_EQ(0, __e); \
	__e = vbus_ring_takes_cmds((r), (fd)); \
	if (__e == -EOPNOTSUPP) { \
		vbus_ring_exit(r); \
		SKIP(return, "no io_uring commands before Linux 6.12"); \
	} \
	ASSERT_EQ(0, __e); \
} while (0)

TEST_F(async, uring_out_of_order)
{
	uint32_t st[2] = { htole32(VIRTIO_VBUS_S_ERANGE), htole32(42) };
	uint32_t ms = htole32(500);
	struct vbus_call c;
	struct vbus_cqe cqe;
	struct vbus_ring r;
	char in[16] = {};

	RING_OR_SKIP(&r, self->fd, 8);
	c = call_of(VBUS_TEST_DELAY, &ms, sizeof(ms), NULL, 0, 0);
	ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), TAG_DELAY));
	c = call_of(VBUS_TEST_ECHO, "overtake", 8, in, sizeof(in), 0);
	ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), 2));
	ASSERT_EQ(2, vbus_ring_enter(&r, 0));
	ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
	EXPECT_EQ(self->callq ? 2 : TAG_DELAY, cqe.user_data);
	if (cqe.user_data != 2)
		ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
	EXPECT_EQ(8, cqe.res);
	EXPECT_EQ(VBUS_URING_RES2_DEVICE, cqe.res2);
	EXPECT_EQ(0, memcmp("overtake", in, 8));
	if (self->callq) {
		ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
		EXPECT_EQ(TAG_DELAY, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
	/* A device status: res the errno, res2 the status and qualifier. */
	c = call_of(VBUS_TEST_STATUS, st, sizeof(st), NULL, 0, 0);
	ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), 3));
	ASSERT_EQ(1, vbus_ring_enter(&r, 1));
	ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
	EXPECT_EQ(-ERANGE, cqe.res);
	EXPECT_EQ(VBUS_URING_RES2_DEVICE, cqe.res2 & VBUS_URING_RES2_DEVICE);
	EXPECT_EQ(VIRTIO_VBUS_S_ERANGE, VBUS_URING_RES2_STATUS(cqe.res2));
	EXPECT_EQ(42, VBUS_URING_RES2_QUALIFIER(cqe.res2));
	vbus_ring_exit(&r);
}

TEST_F(async, uring_hundreds)
{
	static uint8_t out[NCALLS][16], in[NCALLS][16];
	int seen[NCALLS] = {}, i;
	struct vbus_call c;
	struct vbus_cqe cqe;
	struct vbus_ring r;

	RING_OR_SKIP(&r, self->fd, NCALLS);
	for (i = 0; i < NCALLS; i++) {
		payload(out[i], i);
		c = call_of(VBUS_TEST_ECHO, out[i], 16, in[i], 16, 0);
		ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), i));
	}
	ASSERT_EQ(NCALLS, vbus_ring_enter(&r, 0));
	for (i = 0; i < NCALLS; i++) {
		ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
		ASSERT_GT(NCALLS, cqe.user_data);
		EXPECT_EQ(0, seen[cqe.user_data]++);
		EXPECT_EQ(16, cqe.res);
		EXPECT_EQ(0, memcmp(out[cqe.user_data], in[cqe.user_data],
				    16));
	}
	vbus_ring_exit(&r);
}

/*
 * More calls than the call queue holds, each a DELAY: the rest wait
 * parked and all end well. Then the ring's slots, reused for other calls
 * at once, must not change what the parked ones do (a command io_uring
 * retried would read its SQE again).
 */
TEST_F(async, uring_parks_when_full)
{
	static char in[PARKED][8];
	uint32_t ms = htole32(100);
	int seen[2 * PARKED] = {}, i;
	struct vbus_call c;
	struct vbus_cqe cqe;
	struct vbus_ring r;

	RING_OR_SKIP(&r, self->fd, PARKED);
	c = call_of(VBUS_TEST_DELAY, &ms, sizeof(ms), NULL, 0, 0);
	for (i = 0; i < PARKED; i++)
		ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), i));
	ASSERT_EQ(PARKED, vbus_ring_enter(&r, 0));
	for (i = 0; i < PARKED; i++) {
		c = call_of(VBUS_TEST_ECHO, "reused", 6, in[i], sizeof(in[i]),
			    0);
		ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c),
					    PARKED + i));
	}
	ASSERT_EQ(PARKED, vbus_ring_enter(&r, 0));
	for (i = 0; i < 2 * PARKED; i++) {
		ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
		ASSERT_GT(2 * PARKED, cqe.user_data);
		EXPECT_EQ(0, seen[cqe.user_data]++);
		EXPECT_EQ(cqe.user_data < PARKED ? 0 : 6, cqe.res) {
			TH_LOG("call %llu", (unsigned long long)cqe.user_data);
		}
	}
	vbus_ring_exit(&r);
}

/*
 * The same through a call fd: parked, never refused, all well; sysfs
 * "stats" counts the calls and those that parked.
 */
TEST_F(async, call_fd_parks_when_full)
{
	long calls = vbus_stat(self->name, "callq_calls");
	long parked = vbus_stat(self->name, "callq_parked");
	struct vbus_call_done d;
	int seen[PARKED] = {}, i;

	for (i = 0; i < PARKED; i++)
		ASSERT_EQ(0, submit_delay(self->cfd, 100, i));
	for (i = 0; i < PARKED; i++) {
		ASSERT_EQ(0, reap(self->cfd, &d));
		ASSERT_GT(PARKED, d.tag);
		EXPECT_EQ(0, seen[d.tag]++);
		EXPECT_EQ(0, d.error);
	}
	if (self->callq) {
		EXPECT_LE(calls + PARKED, vbus_stat(self->name, "callq_calls"));
		EXPECT_LT(parked, vbus_stat(self->name, "callq_parked"));
	}
}

struct saturator {
	int cfd;
	long until_ms;
	int bad;
};

/* Keeps the call queue full with short DELAYs, and more parked. */
static void *saturate(void *arg)
{
	struct saturator *st = arg;
	struct vbus_call_done d;
	int outstanding = 0;

	while (vbus_now_ms() < st->until_ms || outstanding) {
		while (vbus_now_ms() < st->until_ms && outstanding < PARKED + 32) {
			if (submit_delay(st->cfd, 20, 1)) {
				st->bad++;
				return NULL;
			}
			outstanding++;
		}
		if (reap(st->cfd, &d) || d.error)
			st->bad++;
		outstanding--;
	}
	return NULL;
}

/*
 * Synchronous calls among parked ones, for longer than cmd_timeout_ms:
 * they queue behind the parked calls in turn and all succeed (waiting for
 * a queue that never empties of parked calls, they used to time out).
 */
TEST_F(async, sync_calls_among_parked_calls)
{
	struct saturator st = { .cfd = self->cfd };
	long t0, worst = 0;
	struct vbus_call c;
	char in[4], buf[16];
	int n, err;
	pthread_t t;

	if (!self->callq)
		SKIP(return, "no VIRTIO_VBUS_F_CALLQ: nothing parks");
	ASSERT_EQ(0, vbus_attr(self->name, "cmd_timeout_ms", buf, sizeof(buf)));
	st.until_ms = vbus_now_ms() + atol(buf) + 2000;
	ASSERT_EQ(0, pthread_create(&t, NULL, saturate, &st));
	for (n = 0; vbus_now_ms() < st.until_ms; n++) {
		c = call_of(VBUS_TEST_ECHO, "sync", 4, in, sizeof(in), 0);
		t0 = vbus_now_ms();
		err = ioctl(self->fd, VBUS_IOC_CALL, &c) ? -errno : 0;
		ASSERT_EQ(0, err);
		if (vbus_now_ms() - t0 > worst)
			worst = vbus_now_ms() - t0;
		usleep(200000);
	}
	pthread_join(t, NULL);
	TH_LOG("%d sync calls, the slowest %ld ms", n, worst);
	EXPECT_EQ(0, st.bad);
	EXPECT_GT(2000, worst);
}

/* The device's count of calls it ran (vbus-test COUNTERS, itself one). */
static uint64_t calls_run(int fd)
{
	struct vbus_test_counters tc;
	struct vbus_call c = call_of(VBUS_TEST_COUNTERS, NULL, 0, &tc,
				     sizeof(tc), 0);

	if (ioctl(fd, VBUS_IOC_CALL, &c))
		return 0;
	return le64toh(tc.calls);
}

/*
 * A synchronous call a signal interrupts while it waits parked never
 * reaches the device: the caller got EINTR, and may well retry.
 */
TEST_F(async, sync_call_interrupted_while_parked)
{
	struct sigaction sa = { .sa_handler = vbus_on_signal };	/* no SA_RESTART */
	struct vbus_kicker k = { .target = pthread_self(), .delay_ms = 100 };
	struct vbus_call_done d;
	uint64_t before, after;
	struct vbus_call c;
	char in[4];
	pthread_t t;
	int i;

	if (!self->callq)
		SKIP(return, "no VIRTIO_VBUS_F_CALLQ: nothing parks");
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	before = calls_run(self->fd);
	ASSERT_LT(0, before);
	for (i = 0; i < PARKED; i++)
		ASSERT_EQ(0, submit_delay(self->cfd, 300, i));
	ASSERT_EQ(0, pthread_create(&t, NULL, vbus_kick, &k));
	c = call_of(VBUS_TEST_ECHO, "late", 4, in, sizeof(in), 0);
	EXPECT_EQ(-1, ioctl(self->fd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(EINTR, errno);
	pthread_join(t, NULL);
	for (i = 0; i < PARKED; i++) {
		ASSERT_EQ(0, reap(self->cfd, &d));
		EXPECT_EQ(0, d.error);
	}
	after = calls_run(self->fd);
	/* The DELAYs and the second COUNTERS; not the ECHO. */
	EXPECT_EQ(before + PARKED + 1, after);
}

/* Without 128-byte SQEs and 32-byte CQEs the command is refused. */
TEST_F(async, uring_needs_big_entries)
{
	struct vbus_call c = call_of(VBUS_TEST_ECHO, "x", 1, NULL, 0, 0);
	struct vbus_cqe cqe;
	struct vbus_ring r;

	RING_FLAGS_OR_SKIP(&r, self->fd, 4, IORING_SETUP_SQE128);
	ASSERT_EQ(0, vbus_ring_call(&r, self->fd, &c, sizeof(c), 1));
	ASSERT_EQ(1, vbus_ring_enter(&r, 1));
	ASSERT_EQ(0, vbus_ring_wait(&r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
	vbus_ring_exit(&r);
}

/*
 * A process exits with io_uring calls in flight: io_uring cancels them at
 * once (not after the DELAY), and the device stays usable.
 */
TEST_F(async, uring_exit_in_flight)
{
	struct vbus_call_done d;
	int status, p[2];
	long t0;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint32_t ms = htole32(4000);
		struct vbus_call vc = call_of(VBUS_TEST_DELAY, &ms,
					      sizeof(ms), NULL, 0, 0);
		struct vbus_ring r;
		int err = vbus_ring_init(&r, 4, IORING_SETUP_SQE128 |
					 IORING_SETUP_CQE32);

		if (err == -ENOSYS || err == -EPERM ||
		    (!err && vbus_ring_takes_cmds(&r, self->fd) == -EOPNOTSUPP))
			_exit(2);
		if (err || vbus_ring_call(&r, self->fd, &vc, sizeof(vc), 1) ||
		    vbus_ring_enter(&r, 0) != 1)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		_exit(0);	/* the ring goes with the process */
	}
	close(p[1]);
	EXPECT_LE(0, read(p[0], &c, 1));	/* 0: it failed, status says */
	t0 = vbus_now_ms();
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		SKIP(return, "io_uring is off, or no io_uring commands (before Linux 6.12)");
	EXPECT_EQ(0, status);
	TH_LOG("the child exited %ld ms after its call went", vbus_now_ms() - t0);
	EXPECT_GT(3000, vbus_now_ms() - t0);
	ASSERT_EQ(0, submit(self->cfd, VBUS_TEST_ECHO, "x", 1, &c, 1, 2));
	ASSERT_EQ(0, reap(self->cfd, &d));
	EXPECT_EQ(0, d.error);
	close(p[0]);
}

TEST_HARNESS_MAIN
