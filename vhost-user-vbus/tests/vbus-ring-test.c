// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvbus-device's ring tests, without a VM: split virtqueues laid out in
 * fake guest RAM, as a driver would lay them out, well-formed and
 * malformed: event buffers, call chains split anywhere, chains without
 * room for a footer or pointing outside RAM, more calls than max_calls,
 * signals for unknown regions. A driver error must end in a device that
 * needs a reset (the connection closes), never in a crash.
 */
#include <endian.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "internal.h"
#include "vbus-test.h"

#define RAM0		0x100000ull
#define RAM_LEN		0x100000ull
#define QSIZE		16
#define NQ		3		/* evq0, signalq, callq0 */
#define RING(q)		(0x1000ull * (q))	/* desc, avail, used */
#define DATA		0x10000ull		/* buffers from here */
#define F(x)		(1ull << (x))

struct buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

FIXTURE(ring) {
	uint8_t *ram;
	VuDevRegion table;
	VuVirtq vq[NQ];
	uint16_t next_desc[NQ];
	struct vbus_dev *dev;
	void *priv;
};

static void *gpa(struct _test_data_ring *self, uint64_t addr)
{
	return self->ram + (addr - RAM0);
}

static void ring_init(struct _test_data_ring *self, unsigned int q)
{
	VuVirtq *vq = &self->vq[q];
	uint8_t *base = gpa(self, RAM0 + RING(q));

	vq->vring.num = QSIZE;
	vq->vring.desc = (void *)base;
	vq->vring.avail = (void *)(base + QSIZE * 16);
	vq->vring.used = (void *)(base + 0x800);
	vq->started = true;
	vq->enable = 1;
	vq->call_fd = eventfd(0, EFD_NONBLOCK);
	vq->kick_fd = -1;
	vq->err_fd = -1;
}

/* Makes a chain of @n buffers available on queue @q. */
static void chain(struct _test_data_ring *self, unsigned int q,
		  const struct buf *b, unsigned int n)
{
	VuVirtq *vq = &self->vq[q];
	uint16_t head = self->next_desc[q], idx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vring_desc *d = &vq->vring.desc[(head + i) % QSIZE];

		d->addr = htole64(b[i].addr);
		d->len = htole32(b[i].len);
		d->flags = htole16((b[i].write ? VRING_DESC_F_WRITE : 0) |
				   (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		d->next = htole16((head + i + 1) % QSIZE);
	}
	self->next_desc[q] = (head + n) % QSIZE;
	idx = le16toh(vq->vring.avail->idx);
	vq->vring.avail->ring[idx % QSIZE] = htole16(head);
	/* Another thread may be polling the ring. */
	__atomic_store_n(&vq->vring.avail->idx, htole16(idx + 1),
			 __ATOMIC_RELEASE);
}

static uint16_t used_idx(struct _test_data_ring *self, unsigned int q)
{
	return le16toh(self->vq[q].vring.used->idx);
}

static uint32_t used_len(struct _test_data_ring *self, unsigned int q,
			 unsigned int i)
{
	return le32toh(self->vq[q].vring.used->ring[i % QSIZE].len);
}

FIXTURE_SETUP(ring)
{
	struct vbus_test_opts o = { "vbus-test", 1, 10000 };
	struct vbus_dev_config conf;
	unsigned int q;

	self->ram = calloc(1, RAM_LEN);
	self->table = (VuDevRegion) { .gpa = RAM0, .size = RAM_LEN,
				      .mmap_addr = (uintptr_t)self->ram };
	vbus_dev_config_init(&conf);
	conf.max_calls = 2;
	self->priv = vbus_test_new();
	self->dev = vbus_dev_new(vbus_test_type(&o), &conf, self->priv);
	ASSERT_NE(NULL, self->dev);
	for (q = 0; q < NQ; q++)
		ring_init(self, q);
	vbus_vu(self->dev)->regions = &self->table;
	vbus_vu(self->dev)->nregions = 1;
	vbus_vu(self->dev)->vq = self->vq;
	vbus_vu(self->dev)->max_queues = NQ;
	self->dev->features = F(VIRTIO_F_VERSION_1) | F(VIRTIO_VBUS_F_CALL) |
			      F(VIRTIO_VBUS_F_SHM) | F(VIRTIO_VBUS_F_CALLQ);
	self->dev->serving = true;
}

FIXTURE_TEARDOWN(ring)
{
	struct vbus_dev *dev = self->dev;
	unsigned int q;

	if (dev->gone_source)
		g_source_remove(dev->gone_source);
	dev->gone_source = 0;
	dev->serving = false;
	vbus_dev_reset(dev);
	vbus_vu(dev)->vq = NULL;
	vbus_vu(dev)->max_queues = 0;
	vbus_vu(dev)->regions = NULL;
	vbus_vu(dev)->nregions = 0;
	vbus_dev_free(dev);
	vbus_test_free(self->priv);
	for (q = 0; q < NQ; q++)
		if (self->vq[q].call_fd >= 0)
			close(self->vq[q].call_fd);
	free(self->ram);
}

/* A driver error: the device stopped and asked for its connection's end. */
static bool broken(struct vbus_dev *dev)
{
	return !dev->serving && dev->gone_source;
}

TEST_F(ring, event_waits_for_a_buffer)
{
	struct buf b = { RAM0 + DATA, 16, true };
	struct virtio_vbus_event *e = gpa(self, b.addr);

	vbus_dev_request_reset(self->dev);
	vbus_dev_request_reset(self->dev);	/* merged with the first */
	EXPECT_EQ(0, used_idx(self, 0));
	chain(self, 0, &b, 1);
	vbus_events_flush(self->dev, 0);
	ASSERT_EQ(1, used_idx(self, 0));
	EXPECT_EQ(16, used_len(self, 0, 0));
	EXPECT_EQ(VIRTIO_VBUS_EVT_RESET_REQUEST, le16toh(e->type));
	EXPECT_EQ(0, g_queue_get_length(&self->dev->evq_pending[0]));
}

/*
 * A queue that started before it has its call fd (SET_VRING_KICK comes
 * before SET_VRING_CALL): the buffer is used, the notification owed.
 */
TEST_F(ring, notification_without_call_fd_is_owed)
{
	struct buf b = { RAM0 + DATA, 16, true };

	close(self->vq[0].call_fd);
	self->vq[0].call_fd = -1;
	chain(self, 0, &b, 1);
	vbus_dev_request_reset(self->dev);
	EXPECT_EQ(1, used_idx(self, 0));
	EXPECT_TRUE(self->dev->notify_owed[0]);
	EXPECT_FALSE(broken(self->dev));
}

TEST_F(ring, readable_event_buffer_breaks_the_device)
{
	struct buf b = { RAM0 + DATA, 16, false };

	chain(self, 0, &b, 1);
	vbus_dev_request_reset(self->dev);
	EXPECT_EQ(0, used_idx(self, 0));
	EXPECT_TRUE(broken(self->dev));
}

TEST_F(ring, short_event_buffer_breaks_the_device)
{
	struct buf b = { RAM0 + DATA, 8, true };

	chain(self, 0, &b, 1);
	vbus_dev_request_reset(self->dev);
	EXPECT_TRUE(broken(self->dev));
}

/* A hostile flood waits in a counter, not in memory. */
TEST_F(ring, flood_is_bounded)
{
	unsigned int i;

	EXPECT_TRUE(vbus_dev_misbehave(self->dev, VBUS_TEST_MB_EVENT_FLOOD));
	for (i = 0; i < 100; i++)
		vbus_dev_misbehave(self->dev, VBUS_TEST_MB_BAD_EVENT);
	EXPECT_GE(VBUS_EVQ_SPARE, g_queue_get_length(&self->dev->evq_pending[0]));
	EXPECT_LT(90, vbus_dev_stats(self->dev)->events_dropped);
}

static void call_hdr(struct _test_data_ring *self, uint64_t addr,
		     uint32_t func, uint32_t flags)
{
	struct virtio_vbus_call_hdr h = {
		.func = htole32(func), .flags = htole32(flags),
	};

	memcpy(gpa(self, addr), &h, sizeof(h));
}

static struct virtio_vbus_call_ftr *ftr(struct _test_data_ring *self,
					uint64_t addr)
{
	return gpa(self, addr);
}

TEST_F(ring, call_echo)
{
	uint64_t a = RAM0 + DATA;
	struct buf b[] = {
		{ a, 8, false }, { a + 64, 4, false }, { a + 128, 20, true },
	};

	call_hdr(self, a, VBUS_TEST_ECHO, 0);
	memcpy(gpa(self, a + 64), "abcd", 4);
	chain(self, 2, b, 3);
	vbus_callq_handle(self->dev, 0);
	ASSERT_EQ(1, used_idx(self, 2));
	EXPECT_EQ(20, used_len(self, 2, 0));
	EXPECT_EQ(0, memcmp(gpa(self, a + 128), "abcd", 4));
	EXPECT_EQ(VIRTIO_VBUS_S_OK, le16toh(ftr(self, a + 132)->status));
	EXPECT_EQ(4, le32toh(ftr(self, a + 132)->result_len));
}

/* An ECHO of "abcd" on the call queue, its buffers at @a. */
static void echo_call(struct _test_data_ring *self, uint64_t a)
{
	struct buf b[] = {
		{ a, 8, false }, { a + 64, 4, false }, { a + 128, 20, true },
	};

	call_hdr(self, a, VBUS_TEST_ECHO, 0);
	memcpy(gpa(self, a + 64), "abcd", 4);
	chain(self, 2, b, 3);
}

/*
 * A second call once the poll began, which turns notifications off (not
 * as soon as the first was answered: the run that answered it would take
 * the second too).
 */
static void *echo_call_when_polled(void *arg)
{
	struct _test_data_ring *self = arg;
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (__atomic_load_n(&self->vq[2].notification, __ATOMIC_ACQUIRE) &&
	       g_get_monotonic_time() < end)
		;
	echo_call(self, RAM0 + DATA + 0x1000);
	return NULL;
}

/*
 * poll_us: a call made after the kick, within the poll, needs no kick;
 * the driver is asked for none meanwhile, and again after.
 */
TEST_F(ring, poll_finds_the_next_call)
{
	pthread_t t;

	self->dev->conf.poll_us = 200000;	/* 200 ms */
	self->vq[2].notification = true;
	echo_call(self, RAM0 + DATA);
	ASSERT_EQ(0, pthread_create(&t, NULL, echo_call_when_polled, self));
	vbus_callq_handle(self->dev, 0);
	pthread_join(t, NULL);
	EXPECT_EQ(2, used_idx(self, 2));
	EXPECT_EQ(1, vbus_dev_stats(self->dev)->polled_calls);
	EXPECT_EQ(0, memcmp(gpa(self, RAM0 + DATA + 0x1000 + 128), "abcd", 4));
	EXPECT_TRUE(self->vq[2].notification);
}

/* Without poll_us (the default), the second call waits for its kick. */
TEST_F(ring, no_poll_by_default)
{
	echo_call(self, RAM0 + DATA);
	vbus_callq_handle(self->dev, 0);
	EXPECT_EQ(1, used_idx(self, 2));
	echo_call(self, RAM0 + DATA + 0x1000);
	EXPECT_EQ(1, used_idx(self, 2));
	vbus_callq_handle(self->dev, 0);
	EXPECT_EQ(2, used_idx(self, 2));
	EXPECT_EQ(0, vbus_dev_stats(self->dev)->polled_calls);
}

/* The poll ends at once when the queue is full: only the main loop ends calls. */
TEST_F(ring, poll_ends_when_full)
{
	uint32_t ms = htole32(5000);
	gint64 start;
	int i;

	self->dev->conf.poll_us = 1000000;	/* 1 s */
	for (i = 0; i < 3; i++) {
		uint64_t a = RAM0 + DATA + 0x1000 * i;
		struct buf b[] = {
			{ a, 8, false }, { a + 64, 4, false }, { a + 128, 16, true },
		};

		call_hdr(self, a, VBUS_TEST_DELAY, 0);
		memcpy(gpa(self, a + 64), &ms, 4);
		chain(self, 2, b, 3);
	}
	start = g_get_monotonic_time();
	vbus_callq_handle(self->dev, 0);
	EXPECT_GT(500000, g_get_monotonic_time() - start);
	EXPECT_EQ(2, self->dev->callq_running[0]);	/* max_calls */
	EXPECT_EQ(0, used_idx(self, 2));
}

/* Header, payload, answer and footer split anywhere: two byte streams. */
TEST_F(ring, call_split_anywhere)
{
	uint64_t a = RAM0 + DATA;
	struct buf b[] = {
		{ a, 3, false }, { a + 64, 7, false },
		{ a + 128, 3, true }, { a + 192, 15, true },
	};
	uint8_t hdr[8], f[16];
	struct virtio_vbus_call_ftr *ft = (void *)f;

	call_hdr(self, a + 512, VBUS_TEST_REVERSE, 0);
	memcpy(hdr, gpa(self, a + 512), 8);
	memcpy(gpa(self, a), hdr, 3);
	memcpy(gpa(self, a + 64), hdr + 3, 5);
	memcpy(gpa(self, a + 69), "xy", 2);
	chain(self, 2, b, 4);
	vbus_callq_handle(self->dev, 0);
	ASSERT_EQ(1, used_idx(self, 2));
	EXPECT_EQ(18, used_len(self, 2, 0));
	EXPECT_EQ(0, memcmp(gpa(self, a + 128), "yx", 2));
	/* The footer: the last byte of the first piece, then the second. */
	f[0] = *(uint8_t *)gpa(self, a + 130);
	memcpy(f + 1, gpa(self, a + 192), 15);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, le16toh(ft->status));
	EXPECT_EQ(2, le32toh(ft->result_len));
}

TEST_F(ring, call_header_errors)
{
	uint64_t a = RAM0 + DATA;
	struct buf nohdr[] = { { a, 4, false }, { a + 128, 16, true } };
	struct buf flags[] = { { a + 64, 8, false }, { a + 256, 16, true } };

	call_hdr(self, a + 64, VBUS_TEST_ECHO, 1);
	chain(self, 2, nohdr, 2);
	chain(self, 2, flags, 2);
	vbus_callq_handle(self->dev, 0);
	ASSERT_EQ(2, used_idx(self, 2));
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, le16toh(ftr(self, a + 128)->status));
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, le16toh(ftr(self, a + 256)->status));
	EXPECT_FALSE(broken(self->dev));
}

TEST_F(ring, call_without_footer_room_breaks_the_device)
{
	uint64_t a = RAM0 + DATA;
	struct buf b[] = { { a, 8, false }, { a + 128, 15, true } };

	call_hdr(self, a, VBUS_TEST_ECHO, 0);
	chain(self, 2, b, 2);
	vbus_callq_handle(self->dev, 0);
	EXPECT_EQ(0, used_idx(self, 2));
	EXPECT_TRUE(broken(self->dev));
}

TEST_F(ring, chain_outside_ram_breaks_the_device)
{
	struct buf b[] = { { 0x1000, 8, false }, { RAM0 + DATA, 16, true } };

	chain(self, 2, b, 2);
	vbus_callq_handle(self->dev, 0);
	EXPECT_EQ(0, used_idx(self, 2));
	EXPECT_TRUE(broken(self->dev));
}

/* max_calls DELAYs run; the next chain waits in the ring. */
TEST_F(ring, max_calls_bound)
{
	uint64_t a = RAM0 + DATA;
	uint32_t ms = htole32(5000);
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct buf b[] = {
			{ a + i * 256, 12, false }, { a + i * 256 + 64, 16, true },
		};

		call_hdr(self, a + i * 256, VBUS_TEST_DELAY, 0);
		memcpy(gpa(self, a + i * 256 + 8), &ms, 4);
		chain(self, 2, b, 2);
	}
	vbus_callq_handle(self->dev, 0);
	EXPECT_EQ(2, self->dev->callq_running[0]);
	EXPECT_EQ(2, self->vq[2].last_avail_idx);
	EXPECT_EQ(0, used_idx(self, 2));
	vbus_dev_reset(self->dev);	/* ends them unused */
	EXPECT_EQ(0, self->dev->callq_running[0]);
	EXPECT_EQ(0, used_idx(self, 2));
	EXPECT_EQ(0, self->vq[2].inuse);
}

/*
 * A new memory table while a call runs (the front-end's memory changed):
 * the answer goes where the guest's memory is now, not through the host
 * pointers the chain was popped with.
 */
TEST_F(ring, memory_table_changes_under_a_call)
{
	uint64_t a = RAM0 + DATA;
	uint32_t ms = htole32(1);
	struct buf b[] = { { a, 12, false }, { a + 64, 16, true } };
	uint8_t *old = self->ram;
	unsigned int q, i;

	call_hdr(self, a, VBUS_TEST_DELAY, 0);
	memcpy(gpa(self, a + 8), &ms, 4);
	chain(self, 2, b, 2);
	vbus_callq_handle(self->dev, 0);
	ASSERT_EQ(1, self->dev->callq_running[0]);

	/* The same guest RAM, mapped elsewhere; the old mapping poisoned. */
	self->ram = malloc(RAM_LEN);
	ASSERT_NE(NULL, self->ram);
	memcpy(self->ram, old, RAM_LEN);
	memset(old, 0xee, RAM_LEN);
	self->table.mmap_addr = (uintptr_t)self->ram;
	for (q = 0; q < NQ; q++) {
		VuVirtq *vq = &self->vq[q];
		uint8_t *base = gpa(self, RAM0 + RING(q));

		vq->vring.desc = (void *)base;
		vq->vring.avail = (void *)(base + QSIZE * 16);
		vq->vring.used = (void *)(base + 0x800);
	}
	free(old);

	for (i = 0; i < 1000 && !used_idx(self, 2); i++)
		g_main_context_iteration(NULL, TRUE);
	ASSERT_EQ(1, used_idx(self, 2));
	EXPECT_EQ(VIRTIO_VBUS_S_OK, le16toh(ftr(self, a + 64)->status));
	EXPECT_FALSE(broken(self->dev));
}

/* A table that lost the memory under a running call ends the device. */
TEST_F(ring, memory_gone_under_a_call_breaks_the_device)
{
	uint64_t a = RAM0 + DATA;
	uint32_t ms = htole32(1);
	struct buf b[] = { { a, 12, false }, { a + 64, 16, true } };
	unsigned int i;

	call_hdr(self, a, VBUS_TEST_DELAY, 0);
	memcpy(gpa(self, a + 8), &ms, 4);
	chain(self, 2, b, 2);
	vbus_callq_handle(self->dev, 0);
	ASSERT_EQ(1, self->dev->callq_running[0]);
	self->table.size = DATA;	/* the call's buffers are past it */
	for (i = 0; i < 1000 && !broken(self->dev); i++)
		g_main_context_iteration(NULL, TRUE);
	EXPECT_TRUE(broken(self->dev));
	EXPECT_EQ(0, used_idx(self, 2));
	EXPECT_EQ(0, self->dev->callq_running[0]);
}

TEST_F(ring, signal_for_unknown_region_is_counted)
{
	struct virtio_vbus_signal s = { .region_id = htole32(99) };
	struct buf b = { RAM0 + DATA, sizeof(s), false };

	memcpy(gpa(self, b.addr), &s, sizeof(s));
	chain(self, 1, &b, 1);
	vbus_signalq_handle(self->dev, 1);
	ASSERT_EQ(1, used_idx(self, 1));
	EXPECT_EQ(0, used_len(self, 1, 0));
	EXPECT_EQ(1, vbus_dev_stats(self->dev)->bad_signals);
	EXPECT_FALSE(broken(self->dev));
}

TEST_F(ring, signal_queue_without_shm_breaks_the_device)
{
	struct buf b = { RAM0 + DATA, 8, false };

	self->dev->features &= ~F(VIRTIO_VBUS_F_SHM);
	chain(self, 1, &b, 1);
	vbus_signalq_handle(self->dev, 1);
	EXPECT_EQ(0, used_idx(self, 1));
	EXPECT_TRUE(broken(self->dev));
}

TEST_HARNESS_MAIN
