// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shared-memory regions and shm-signals. A region is guest memory the
 * driver registers; the device accesses it in place, through the memory
 * table at each access (a new table moves it, never leaves it dangling).
 * The descriptor's bytes are read and written with single-copy-atomic
 * byte accesses and full barriers, as the specification's protocol says.
 */
#include <string.h>
#include <endian.h>
#include <time.h>
#include "internal.h"

#define SIGDESC_SIZE	sizeof(struct virtio_vbus_shm_signal_desc)
#define TO_DEVICE	offsetof(struct virtio_vbus_shm_signal_desc, to_device)
#define TO_DRIVER	offsetof(struct virtio_vbus_shm_signal_desc, to_driver)
#define ENABLED		offsetof(struct virtio_vbus_shm_signal_state, enabled)
#define PENDING		offsetof(struct virtio_vbus_shm_signal_state, pending)

#define vbus_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* A byte of @r's descriptor, in place; NULL if the table lost it. */
static uint8_t *vbus_desc(struct vbus_dev *dev, struct vbus_region *r,
			  size_t off)
{
	return vbus_guest_map(dev, r->addr + r->sigoff + off, 1);
}

static uint8_t vbus_desc_ld(struct vbus_dev *dev, struct vbus_region *r,
			    size_t off)
{
	uint8_t *p = vbus_desc(dev, r, off);

	return p ? __atomic_load_n(p, __ATOMIC_RELAXED) : 0;
}

static void vbus_desc_st(struct vbus_dev *dev, struct vbus_region *r,
			 size_t off, uint8_t val)
{
	uint8_t *p = vbus_desc(dev, r, off);

	if (p)
		__atomic_store_n(p, val, __ATOMIC_RELAXED);
}

struct vbus_region *vbus_region_find(struct vbus_dev *dev, uint32_t id)
{
	return g_hash_table_lookup(dev->regions, GUINT_TO_POINTER(id));
}

uint32_t vbus_region_id(const struct vbus_region *r)
{
	return r->id;
}

bool vbus_region_is_open(const struct vbus_region *r)
{
	return !r->closed;
}

bool vbus_region_has_signal(const struct vbus_region *r)
{
	return r->sigoff != VIRTIO_VBUS_NO_SIGNAL;
}

uint64_t vbus_region_payload_len(const struct vbus_region *r)
{
	return vbus_region_has_signal(r) ? r->sigoff : r->len;
}

void *vbus_region_priv(const struct vbus_region *r)
{
	return r->priv;
}

void vbus_region_set_priv(struct vbus_region *r, void *priv)
{
	r->priv = priv;
}

bool vbus_region_read(struct vbus_dev *dev, struct vbus_region *r,
		      uint64_t off, void *buf, uint64_t len)
{
	if (r->closed || off > r->len || len > r->len - off)
		return false;
	return !len || vbus_guest_read(dev, r->addr + off, buf, len);
}

bool vbus_region_write(struct vbus_dev *dev, struct vbus_region *r,
		       uint64_t off, const void *buf, uint64_t len)
{
	if (r->closed || off > r->len || len > r->len - off)
		return false;
	return !len || vbus_guest_write(dev, r->addr + off, buf, len);
}

static int64_t vbus_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static gboolean vbus_coalesce_release(gpointer opaque);

/* Coalescing: over coalesce_per_ms in this ms, the edge waits for the next. */
static bool vbus_coalesce_hold(struct vbus_dev *dev, struct vbus_region *r)
{
	int64_t now = vbus_now_ms();

	if (!dev->coalesce_per_ms)
		return false;
	if (r->window != now) {
		r->window = now;
		r->window_events = 0;
	}
	if (r->window_events < dev->coalesce_per_ms) {
		r->window_events++;
		return false;
	}
	r->signal_held = true;
	if (!dev->coalesce_source)
		dev->coalesce_source = g_timeout_add(1, vbus_coalesce_release,
						     dev);
	return true;
}

/* The window ended (or coalescing changed): held SIGNALs go now. */
static gboolean vbus_coalesce_release(gpointer opaque)
{
	struct vbus_dev *dev = opaque;
	int64_t now = vbus_now_ms();
	GHashTableIter iter;
	struct vbus_region *r;
	unsigned int q;

	dev->coalesce_source = 0;
	g_hash_table_iter_init(&iter, dev->regions);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&r)) {
		if (r->signal_held) {
			r->signal_held = false;
			r->signal_owed = true;
			r->window = now;
			r->window_events = 1;
		}
	}
	for (q = 0; q < dev->conf.num_event_queues; q++)
		vbus_events_flush(dev, q);
	return G_SOURCE_REMOVE;
}

static void vbus_coalesce_stop(struct vbus_dev *dev)
{
	if (dev->coalesce_source)
		g_source_remove(dev->coalesce_source);
	dev->coalesce_source = 0;
}

void vbus_set_coalesce(struct vbus_dev *dev, uint32_t per_ms)
{
	dev->coalesce_per_ms = per_ms;
	vbus_coalesce_stop(dev);
	vbus_coalesce_release(dev);
}

/* The sender side, device to driver: notify on the 0 -> 1 edge only. */
void vbus_region_signal(struct vbus_dev *dev, struct vbus_region *r)
{
	if (r->closed || !vbus_region_has_signal(r))
		return;
	dev->stats.signals_out++;
	vbus_mb();	/* the payload before pending */
	if (vbus_desc_ld(dev, r, TO_DRIVER + PENDING))
		return;
	vbus_desc_st(dev, r, TO_DRIVER + PENDING, 1);
	vbus_mb();	/* pending before enabled */
	if (!vbus_desc_ld(dev, r, TO_DRIVER + ENABLED) ||
	    vbus_coalesce_hold(dev, r))
		return;
	r->signal_owed = true;
	vbus_events_flush(dev, r->prio);
}

/* The receiver side, driver to device: consume the edge, then act. */
static void vbus_region_consume(struct vbus_dev *dev, struct vbus_region *r)
{
	vbus_desc_st(dev, r, TO_DEVICE + PENDING, 0);
	vbus_mb();	/* pending before the payload */
	if (dev->type->region_signal)
		dev->type->region_signal(dev, r);
}

static void vbus_signal_one(struct vbus_dev *dev, VuVirtqElement *elem)
{
	struct virtio_vbus_signal sig;
	struct vbus_region *r;

	if (iov_to_buf(elem->out_sg, elem->out_num, 0, &sig, sizeof(sig)) !=
	    sizeof(sig) || iov_size(elem->out_sg, elem->out_num) != sizeof(sig)) {
		dev->stats.bad_signals++;
		return;
	}
	dev->stats.signals_in++;
	r = vbus_region_find(dev, le32toh(sig.region_id));
	if (!r || r->closed || !vbus_region_has_signal(r)) {
		dev->stats.bad_signals++;
		return;
	}
	vbus_region_consume(dev, r);
}

void vbus_signalq_handle(struct vbus_dev *dev, unsigned int qidx)
{
	VuVirtq *vq = vu_get_queue(vbus_vu(dev), qidx);
	VuVirtqElement *elem;
	bool used = false;

	while (dev->serving && (elem = vu_queue_pop(vbus_vu(dev), vq,
						     sizeof(*elem)))) {
		if (!vbus_has(dev, VIRTIO_VBUS_F_SHM)) {
			vu_queue_unpop(vbus_vu(dev), vq, elem, 0);
			free(elem);
			vbus_dev_broken(dev, "driver error: the signal queue "
					"used without VIRTIO_VBUS_F_SHM");
			return;
		}
		vbus_signal_one(dev, elem);
		vu_queue_push(vbus_vu(dev), vq, elem, 0);
		free(elem);
		used = true;
	}
	if (used)
		vbus_notify(dev, vq);
}

/* Forgets @r: the type lets go of it first. */
static void vbus_region_remove(struct vbus_dev *dev, struct vbus_region *r)
{
	if (dev->type->region_gone && !r->closed)
		dev->type->region_gone(dev, r);
	dev->region_bytes -= r->len;
	vbus_events_forget(dev, r);
	g_hash_table_remove(dev->regions, GUINT_TO_POINTER(r->id));
}

void vbus_region_close(struct vbus_dev *dev, struct vbus_region *r)
{
	if (r->closed)
		return;
	if (dev->type->region_gone)
		dev->type->region_gone(dev, r);
	r->closed = true;
	r->signal_owed = false;
	r->signal_held = false;
	vbus_event_post(dev, r->prio, VIRTIO_VBUS_EVT_REGION_CLOSED, r->id,
			0, 0);
}

/* The checks of REGION_ADD that need no memory; the status. */
static uint16_t vbus_region_check(struct vbus_dev *dev,
				  const struct virtio_vbus_cmd *cmd,
				  uint32_t *qual)
{
	uint64_t addr = le64toh(cmd->region_addr);
	uint64_t len = le64toh(cmd->region_len);
	uint32_t sigoff = le32toh(cmd->sigdesc_offset);

	if (cmd->flags || cmd->func || cmd->out_addr || cmd->out_len ||
	    cmd->in_addr || cmd->in_len || cmd->arg || !len)
		return VIRTIO_VBUS_S_EINVAL;
	if (sigoff != VIRTIO_VBUS_NO_SIGNAL &&
	    (sigoff % 8 || (addr + sigoff) % 8 || sigoff > len ||
	     len - sigoff < SIGDESC_SIZE))
		return VIRTIO_VBUS_S_EINVAL;
	if (le32toh(cmd->priority) >= vbus_num_evqs(dev)) {
		*qual = vbus_num_evqs(dev);
		return VIRTIO_VBUS_S_ERANGE;
	}
	if (vbus_region_find(dev, le32toh(cmd->region_id)))
		return VIRTIO_VBUS_S_EEXIST;
	if (g_hash_table_size(dev->regions) >= dev->conf.max_regions ||
	    len > dev->conf.max_region_bytes - dev->region_bytes)
		return VIRTIO_VBUS_S_ENOSPC;
	/* RAM the device maps in one piece, through the memory table. */
	if (addr + len < addr || !vbus_guest_map(dev, addr, len))
		return VIRTIO_VBUS_S_EFAULT;
	return VIRTIO_VBUS_S_OK;
}

static bool vbus_sigdesc_valid(struct vbus_dev *dev, uint64_t addr)
{
	struct virtio_vbus_shm_signal_desc desc;

	return vbus_guest_read(dev, addr, &desc, sizeof(desc)) &&
	       le32toh(desc.magic) == VIRTIO_VBUS_SHM_SIGNAL_MAGIC &&
	       le32toh(desc.version) == 1;
}

uint16_t vbus_region_add(struct vbus_dev *dev,
			 const struct virtio_vbus_cmd *cmd, uint32_t *qual)
{
	uint16_t status = vbus_region_check(dev, cmd, qual);
	struct vbus_region *r;

	if (status != VIRTIO_VBUS_S_OK)
		return status;
	r = g_new0(struct vbus_region, 1);
	r->id = le32toh(cmd->region_id);
	r->prio = le32toh(cmd->priority);
	r->addr = le64toh(cmd->region_addr);
	r->len = le64toh(cmd->region_len);
	r->sigoff = le32toh(cmd->sigdesc_offset);
	if (vbus_region_has_signal(r) &&
	    !vbus_sigdesc_valid(dev, r->addr + r->sigoff)) {
		g_free(r);
		return VIRTIO_VBUS_S_EINVAL;
	}
	dev->region_bytes += r->len;
	g_hash_table_insert(dev->regions, GUINT_TO_POINTER(r->id), r);
	if (vbus_region_has_signal(r)) {
		/* The device receives to_device: enable, then re-check. */
		vbus_desc_st(dev, r, TO_DEVICE + ENABLED, 1);
		vbus_mb();
		if (vbus_desc_ld(dev, r, TO_DEVICE + PENDING))
			vbus_region_consume(dev, r);
	}
	return VIRTIO_VBUS_S_OK;
}

uint16_t vbus_region_del(struct vbus_dev *dev,
			 const struct virtio_vbus_cmd *cmd, bool ack)
{
	struct vbus_region *r;

	if (cmd->flags || cmd->func || cmd->priority || cmd->out_addr ||
	    cmd->out_len || cmd->in_addr || cmd->in_len || cmd->region_addr ||
	    cmd->region_len || cmd->sigdesc_offset || cmd->arg)
		return VIRTIO_VBUS_S_EINVAL;
	r = vbus_region_find(dev, le32toh(cmd->region_id));
	if (!r)
		return VIRTIO_VBUS_S_ENOENT;
	if (ack && !r->closed)
		return VIRTIO_VBUS_S_EBUSY;
	vbus_region_remove(dev, r);
	return VIRTIO_VBUS_S_OK;
}

/* A reset closes every region. */
void vbus_regions_reset(struct vbus_dev *dev)
{
	GHashTableIter iter;
	struct vbus_region *r;

	g_hash_table_iter_init(&iter, dev->regions);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&r)) {
		if (dev->type->region_gone && !r->closed)
			dev->type->region_gone(dev, r);
		g_hash_table_iter_remove(&iter);
	}
	dev->region_bytes = 0;
	dev->coalesce_per_ms = 0;
	vbus_coalesce_stop(dev);
}
