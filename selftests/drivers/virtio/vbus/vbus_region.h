/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions of a vbus-test device through /dev/vbusN, for the tests that
 * use them: create, map and attach an eventfd; the vbus-test type's
 * counter at the start of the payload; calls with two word arguments.
 */
#ifndef VBUS_REGION_H
#define VBUS_REGION_H

#include <poll.h>
#include <stdint.h>
#include <endian.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/virtio_vbus.h>
#include "vbus_util.h"

struct region {
	struct vbus_region_create rc;
	uint8_t *mem;
	int efd;
};

static inline int vbus_call_args(int fd, uint32_t func, uint32_t a, uint32_t b)
{
	/* The vbus-test type's arguments are little-endian words. */
	uint32_t args[2] = { htole32(a), htole32(b) };
	struct vbus_call c = {
		.argsz = sizeof(c),
		.func = func,
		.out_ptr = (uintptr_t)args,
		.out_len = sizeof(args),
	};

	return ioctl(fd, VBUS_IOC_CALL, &c) ? -errno : 0;
}

/* Creates, maps and (with a signal) attaches an eventfd; 0 or -errno. */
static inline int region_open(int fd, uint64_t len, uint32_t prio, uint32_t flags,
		       struct region *r)
{
	struct vbus_region_eventfd re = { .argsz = sizeof(re) };

	memset(r, 0, sizeof(*r));
	r->efd = -1;
	r->rc.argsz = sizeof(r->rc);
	r->rc.len = len;
	r->rc.priority = prio;
	r->rc.flags = flags;
	if (ioctl(fd, VBUS_IOC_REGION_CREATE, &r->rc))
		return -errno;
	r->mem = mmap(NULL, r->rc.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      r->rc.mmap_offset);
	if (r->mem == MAP_FAILED)
		return -errno;
	if (flags & VBUS_REGION_F_SIGNAL) {
		r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		re.id = r->rc.id;
		re.fd = r->efd;
		if (r->efd < 0 || ioctl(fd, VBUS_IOC_SET_EVENTFD, &re))
			return -errno;
	}
	return 0;
}

static inline void region_close(int fd, struct region *r)
{
	if (r->mem && r->mem != MAP_FAILED)
		munmap(r->mem, r->rc.len);
	vbus_region_destroy(fd, r->rc.id);
	if (r->efd >= 0)
		close(r->efd);
	memset(r, 0, sizeof(*r));
}

static inline uint32_t region_counter(struct region *r)
{
	return le32toh(__atomic_load_n((uint32_t *)r->mem, __ATOMIC_ACQUIRE));
}

static inline struct virtio_vbus_shm_signal_desc *region_desc(struct region *r)
{
	return (void *)(r->mem + r->rc.sigdesc_offset);
}

/* Waits up to @ms for the eventfd; returns its count (0 on timeout). */
static inline uint64_t efd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

/* @n ping-pong round trips on @r (SIGNAL_ECHO on); their time in ms. */
static inline long ping_pong(int fd, struct region *r, int n)
{
	long t0 = vbus_now_ms();
	int i;

	for (i = 0; i < n; i++)
		if (vbus_signal(fd, r->rc.id) ||
		    efd_wait(r->efd, VBUS_STEP_MS) != 1)
			return -1;
	return vbus_now_ms() - t0;
}

#endif
