/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal io_uring for the selftests, on the raw system calls (no
 * liburing in the guest): one ring of 128-byte SQEs and 32-byte CQEs, as
 * VBUS_URING_CMD_CALL needs.
 */
#ifndef VBUS_URING_H
#define VBUS_URING_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/virtio_vbus.h>

struct vbus_ring {
	int fd;
	unsigned int flags;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	char *sqes, *cqes;
	size_t sqe_size, cqe_size;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len, sqes_len;
	unsigned int queued;
};

/* A completion, copied out of the ring. */
struct vbus_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
	uint64_t res2;		/* big_cqe[0] with IORING_SETUP_CQE32 */
};

/* 0, or -errno of io_uring_setup() (ENOSYS, EPERM: io_uring is off). */
static inline int vbus_ring_init(struct vbus_ring *r, unsigned int entries,
				 unsigned int flags)
{
	struct io_uring_params p = { .flags = flags };

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->flags = flags;
	r->sqe_size = flags & IORING_SETUP_SQE128 ? 128 : 64;
	r->cqe_size = flags & IORING_SETUP_CQE32 ? 32 : 16;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * r->cqe_size;
	r->sqes_len = p.sq_entries * r->sqe_size;
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, IORING_OFF_SQ_RING);
	r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sq_map == MAP_FAILED || r->cq_map == MAP_FAILED ||
	    r->sqes == MAP_FAILED) {
		close(r->fd);
		return -ENOMEM;
	}
	r->sq_head = (unsigned int *)((char *)r->sq_map + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)r->sq_map + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_map + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_map + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_map + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_map + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_map + p.cq_off.ring_mask);
	r->cqes = (char *)r->cq_map + p.cq_off.cqes;
	return 0;
}

static inline void vbus_ring_exit(struct vbus_ring *r)
{
	munmap(r->sqes, r->sqes_len);
	munmap(r->cq_map, r->cq_len);
	munmap(r->sq_map, r->sq_len);
	close(r->fd);
}

/* The next SQE, zeroed; submitted by vbus_ring_enter(). */
static inline struct io_uring_sqe *vbus_ring_sqe(struct vbus_ring *r)
{
	unsigned int tail = *r->sq_tail + r->queued;
	unsigned int idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe;

	if (tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) >
	    *r->sq_mask)
		return NULL;
	sqe = (struct io_uring_sqe *)(r->sqes + idx * r->sqe_size);
	memset(sqe, 0, r->sqe_size);
	r->sq_array[idx] = idx;
	r->queued++;
	return sqe;
}

/* A VBUS_URING_CMD_CALL of @c on @fd, tagged @tag. */
static inline int vbus_ring_call(struct vbus_ring *r, int fd,
				 const void *c, size_t len, uint64_t tag)
{
	struct io_uring_sqe *sqe = vbus_ring_sqe(r);

	if (!sqe)
		return -EBUSY;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = VBUS_URING_CMD_CALL;
	sqe->user_data = tag;
	memcpy(sqe->cmd, c, len);
	return 0;
}

/* Submits what is queued, waits for @wait completions: count or -errno. */
static inline int vbus_ring_enter(struct vbus_ring *r, unsigned int wait)
{
	unsigned int n = r->queued;
	int ret;

	__atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
	r->queued = 0;
	ret = syscall(__NR_io_uring_enter, r->fd, n, wait,
		      wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return ret < 0 ? -errno : ret;
}

/* Takes one completion: 1, or 0 when there is none. */
static inline int vbus_ring_reap(struct vbus_ring *r, struct vbus_cqe *out)
{
	unsigned int head = *r->cq_head;
	struct io_uring_cqe *cqe;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	cqe = (struct io_uring_cqe *)(r->cqes +
				      (head & *r->cq_mask) * r->cqe_size);
	out->user_data = cqe->user_data;
	out->res = cqe->res;
	out->flags = cqe->flags;
	out->res2 = r->cqe_size == 32 ? cqe->big_cqe[0] : 0;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* Waits for and takes one completion: 0 or -errno. */
static inline int vbus_ring_wait(struct vbus_ring *r, struct vbus_cqe *out)
{
	int ret;

	while (!vbus_ring_reap(r, out)) {
		ret = vbus_ring_enter(r, 1);
		if (ret < 0 && ret != -EINTR)
			return ret;
	}
	return 0;
}

/*
 * Whether /dev/vbusN takes io_uring commands: 0, or -EOPNOTSUPP from a
 * kernel before 6.12, whose driver has none (the call fd is there), or
 * another -errno. A command without an argsz gets EINVAL from the driver.
 */
static inline int vbus_ring_takes_cmds(struct vbus_ring *r, int fd)
{
	uint8_t empty[16] = {};
	struct vbus_cqe cqe;
	int err;

	err = vbus_ring_call(r, fd, empty, sizeof(empty), 0);
	if (!err)
		err = vbus_ring_enter(r, 1) == 1 ? 0 : -EIO;
	if (!err)
		err = vbus_ring_wait(r, &cqe);
	if (err)
		return err;
	return cqe.res == -EOPNOTSUPP ? -EOPNOTSUPP : 0;
}

#endif /* VBUS_URING_H */
