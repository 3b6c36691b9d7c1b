/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvbus-device internals: the device state and the functions its files
 * share. Not installed; the unit tests include it.
 */
#ifndef VBUS_DEVICE_INTERNAL_H
#define VBUS_DEVICE_INTERNAL_H

#include <sys/uio.h>
#include <glib.h>
#include "libvhost-user-glib.h"
#include <linux/virtio_vbus.h>
#include "vbus-device.h"

#define VBUS_MAX_CALL_LEN	(16u << 20)
#define VBUS_MAX_CALLS		256
#define VBUS_MAX_POLL_US	10000
/* The hostile flood's events, and the ids of hostile events (the spec). */
#define VBUS_FLOOD_EVENTS	20000
#define VBUS_FLOOD_REGION	0xf100d000
#define VBUS_HOSTILE_REGION	0xdead0000
/* Droppable (hostile) events held per event queue at most. */
#define VBUS_EVQ_SPARE		8
#define VBUS_MAX_VQS		(VIRTIO_VBUS_MAX_EVENT_QUEUES + 1 + \
				 VIRTIO_VBUS_MAX_CALL_QUEUES)

struct vbus_region {
	uint32_t id;
	uint32_t prio;			/* its event queue */
	uint64_t addr;			/* guest physical */
	uint64_t len;
	uint32_t sigoff;		/* or VIRTIO_VBUS_NO_SIGNAL */
	bool closed;			/* by the device: no access */
	bool signal_owed;		/* a SIGNAL event waits for a buffer */
	bool signal_held;		/* one coalescing holds back */
	int64_t window;			/* the ms window_events counts */
	uint32_t window_events;
	void *priv;
};

/* A piece of guest memory a chain lets the device write. */
struct vbus_guest_piece {
	uint64_t addr;
	uint64_t len;
};

/*
 * A call on a call queue. Its writable bytes are kept as guest addresses
 * (@in_map), not as the element's host pointers: the front-end may send a
 * new memory table while the call runs, and the old mappings go with it.
 */
struct vbus_callreq {
	VuVirtqElement *elem;
	struct vbus_guest_piece *in_map;
	unsigned int in_pieces;
	unsigned int q;
	size_t in_len;			/* the call's is 32 bits: checked */
	bool done;			/* complete; its queue is stopped */
	struct vbus_dev_call call;
};

struct vbus_dev {
	VugDev vug;			/* first: libvhost-user's &vug.parent */
	const struct vbus_device_type *type;
	struct vbus_dev_config conf;
	void *priv;
	bool serving;
	uint64_t features;		/* negotiated (SET_FEATURES) */
	void (*gone)(struct vbus_dev *dev, const char *why);
	guint gone_source;		/* the deferred end of a connection */
	char why[160];			/* and why it ends */

	/* The command queue: the authoritative mailbox state. */
	struct virtio_vbus_cmd cmd;
	uint32_t cmd_seq, run_seq, done_seq;
	uint16_t status;
	uint32_t qualifier;
	uint64_t result;
	bool busy;			/* a call of the mailbox runs */
	struct vbus_dev_call mcall;
	uint64_t in_addr;
	uint64_t resets;
	uint32_t misbehave, misbehave_seq;
	struct vbus_dev_stats stats;

	/* Regions and events. */
	GHashTable *regions;		/* id -> struct vbus_region */
	uint64_t region_bytes;
	GQueue evq_pending[VIRTIO_VBUS_MAX_EVENT_QUEUES];
	uint32_t flood_left;
	uint32_t coalesce_per_ms;
	guint coalesce_source;

	/* Notifications owed to queues without a call fd yet. */
	bool notify_owed[VBUS_MAX_VQS];
	guint owed_source;

	/* Call queues. */
	GQueue calls;			/* struct vbus_callreq, in flight */
	uint32_t callq_running[VIRTIO_VBUS_MAX_CALL_QUEUES];
};

static inline VuDev *vbus_vu(struct vbus_dev *dev)
{
	return &dev->vug.parent;
}

static inline struct vbus_dev *vbus_of(VuDev *vu)
{
	return (struct vbus_dev *)vu;
}

static inline bool vbus_has(struct vbus_dev *dev, unsigned int feature)
{
	return dev->features & (1ull << feature);
}

/* guest.c: guest memory through the memory table. */
bool vbus_guest_read(struct vbus_dev *dev, uint64_t addr, void *buf,
		     uint64_t len);
bool vbus_guest_write(struct vbus_dev *dev, uint64_t addr, const void *buf,
		      uint64_t len);
bool vbus_guest_valid(struct vbus_dev *dev, uint64_t addr, uint64_t len);
void *vbus_guest_map(struct vbus_dev *dev, uint64_t addr, uint64_t len);
bool vbus_guest_addr(struct vbus_dev *dev, const void *hva, uint64_t len,
		     uint64_t *addr);
bool vbus_guest_pieces_write(struct vbus_dev *dev,
			     const struct vbus_guest_piece *pc, unsigned int n,
			     uint64_t off, const void *buf, uint64_t len);
/* A chain's bytes (libvhost-user mapped and checked its descriptors). */
size_t iov_size(const struct iovec *iov, unsigned int n);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
		    const void *buf, size_t len);
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		  void *buf, size_t len);

/* mailbox.c */
void vbus_mbox_get_config(struct vbus_dev *dev,
			  struct virtio_vbus_config *cfg);
void vbus_mbox_set_config(struct vbus_dev *dev,
			  const struct virtio_vbus_config *cfg);
void vbus_mbox_reset(struct vbus_dev *dev);

/* region.c */
uint16_t vbus_region_add(struct vbus_dev *dev,
			 const struct virtio_vbus_cmd *cmd, uint32_t *qual);
uint16_t vbus_region_del(struct vbus_dev *dev,
			 const struct virtio_vbus_cmd *cmd, bool ack);
void vbus_signalq_handle(struct vbus_dev *dev, unsigned int qidx);
void vbus_set_coalesce(struct vbus_dev *dev, uint32_t per_ms);
void vbus_regions_reset(struct vbus_dev *dev);

/* event.c */
void vbus_events_flush(struct vbus_dev *dev, unsigned int q);
void vbus_event_post(struct vbus_dev *dev, unsigned int q, uint16_t type,
		     uint32_t region_id, uint32_t code, uint32_t value);
void vbus_event_post_bad(struct vbus_dev *dev, unsigned int q, uint16_t type,
			 uint32_t region_id, uint32_t len);
void vbus_events_forget(struct vbus_dev *dev, struct vbus_region *r);
void vbus_events_reset(struct vbus_dev *dev);
void vbus_flood(struct vbus_dev *dev);
unsigned int vbus_num_evqs(struct vbus_dev *dev);

/* callq.c */
void vbus_callq_handle(struct vbus_dev *dev, unsigned int q);
void vbus_callq_complete(struct vbus_dev *dev, struct vbus_dev_call *call);
void vbus_callq_started(struct vbus_dev *dev, unsigned int q);
void vbus_callq_reset(struct vbus_dev *dev);

/* device.c: used buffers to the driver; a driver error: a reset. */
void vbus_notify(struct vbus_dev *dev, VuVirtq *vq);
void vbus_dev_broken(struct vbus_dev *dev, const char *why);
void vbus_dev_reset(struct vbus_dev *dev);

#endif
