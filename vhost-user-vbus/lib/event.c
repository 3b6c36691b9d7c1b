// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event queues. Events that must not be lost wait, in order, until the
 * driver posts buffers; what waits is bounded (a REGION_CLOSED per
 * region, one RESET_REQUEST, a SIGNAL flag per region, VBUS_EVQ_SPARE
 * hostile events, the hostile flood a counter), so a driver that posts
 * no buffers cannot make the device grow.
 */
#include <string.h>
#include <endian.h>
#include "internal.h"

struct vbus_pending_event {
	struct virtio_vbus_event evt;	/* first: the find compares it */
	uint32_t len;			/* the used length to report */
};

unsigned int vbus_num_evqs(struct vbus_dev *dev)
{
	return vbus_has(dev, VIRTIO_VBUS_F_MULTI_EVQ) ?
	       dev->conf.num_event_queues : 1;
}

static VuVirtq *vbus_evq(struct vbus_dev *dev, unsigned int q)
{
	return vu_get_queue(vbus_vu(dev), virtio_vbus_vq_event(q));
}

/* One event into a buffer of queue @q; false when none is available. */
static bool vbus_event_push(struct vbus_dev *dev, unsigned int q,
			    const struct virtio_vbus_event *evt, uint32_t len)
{
	VuVirtq *vq = vbus_evq(dev, q);
	VuVirtqElement *elem;
	size_t room;

	if (!vu_queue_started(vbus_vu(dev), vq))
		return false;
	elem = vu_queue_pop(vbus_vu(dev), vq, sizeof(*elem));
	if (!elem)
		return false;
	room = iov_size(elem->in_sg, elem->in_num);
	if (elem->out_num || room < sizeof(*evt)) {
		vu_queue_unpop(vbus_vu(dev), vq, elem, 0);
		free(elem);
		vbus_dev_broken(dev, "driver error: an event buffer that is not "
				"16 device-writable bytes");
		return false;
	}
	iov_from_buf(elem->in_sg, elem->in_num, 0, evt, sizeof(*evt));
	vu_queue_push(vbus_vu(dev), vq, elem, len);
	free(elem);
	dev->stats.events++;
	return true;
}

static bool vbus_flood_flush(struct vbus_dev *dev, unsigned int q)
{
	struct virtio_vbus_event evt = {
		.type = htole16(VIRTIO_VBUS_EVT_REGION_CLOSED),
		.region_id = htole32(VBUS_FLOOD_REGION),
	};
	bool pushed = false;

	while (q == 0 && dev->flood_left &&
	       vbus_event_push(dev, q, &evt, sizeof(evt))) {
		dev->flood_left--;
		pushed = true;
	}
	return pushed;
}

/* One SIGNAL per region of queue @q that owes one; false when full. */
static bool vbus_signals_flush(struct vbus_dev *dev, unsigned int q,
			       bool *pushed)
{
	GHashTableIter iter;
	struct vbus_region *r;

	g_hash_table_iter_init(&iter, dev->regions);
	while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&r)) {
		struct virtio_vbus_event evt = {
			.type = htole16(VIRTIO_VBUS_EVT_SIGNAL),
			.region_id = htole32(r->id),
		};

		if (r->prio != q || !r->signal_owed)
			continue;
		if (!vbus_event_push(dev, q, &evt, sizeof(evt)))
			return false;
		r->signal_owed = false;
		*pushed = true;
	}
	return true;
}

/* Delivers what waits for queue @q: events in order, SIGNALs, the flood. */
void vbus_events_flush(struct vbus_dev *dev, unsigned int q)
{
	struct vbus_pending_event *e;
	bool pushed = false;

	if (!dev->serving || !vbus_has(dev, VIRTIO_F_VERSION_1))
		return;
	while ((e = g_queue_peek_head(&dev->evq_pending[q]))) {
		if (!vbus_event_push(dev, q, &e->evt, e->len))
			goto out;
		g_free(g_queue_pop_head(&dev->evq_pending[q]));
		pushed = true;
	}
	if (vbus_signals_flush(dev, q, &pushed))
		pushed |= vbus_flood_flush(dev, q);
out:
	if (pushed && dev->serving)
		vbus_notify(dev, vbus_evq(dev, q));
}

static gint vbus_event_cmp(gconstpointer a, gconstpointer b)
{
	const struct virtio_vbus_event *x = a, *y = b;

	return !(x->type == y->type && x->region_id == y->region_id);
}

static GList *vbus_event_find(struct vbus_dev *dev, unsigned int q,
			      uint16_t type, uint32_t region_id)
{
	struct virtio_vbus_event key = {
		.type = htole16(type),
		.region_id = htole32(region_id),
	};

	return g_queue_find_custom(&dev->evq_pending[q], &key,
				   vbus_event_cmp);
}

/* A region goes: its REGION_CLOSED, if it still waits, has no reader. */
void vbus_events_forget(struct vbus_dev *dev, struct vbus_region *r)
{
	GList *l = vbus_event_find(dev, r->prio, VIRTIO_VBUS_EVT_REGION_CLOSED,
				   r->id);

	if (l) {
		g_free(l->data);
		g_queue_delete_link(&dev->evq_pending[r->prio], l);
	}
}

static void vbus_event_queue(struct vbus_dev *dev, unsigned int q,
			     uint16_t type, uint32_t region_id, uint32_t code,
			     uint32_t value, uint32_t len, bool droppable)
{
	struct vbus_pending_event *e;

	if (type == VIRTIO_VBUS_EVT_RESET_REQUEST &&
	    vbus_event_find(dev, q, type, region_id))
		return;		/* one reset answers both */
	if (droppable &&
	    g_queue_get_length(&dev->evq_pending[q]) >= VBUS_EVQ_SPARE) {
		dev->stats.events_dropped++;
		return;
	}
	e = g_new0(struct vbus_pending_event, 1);
	e->evt.type = htole16(type);
	e->evt.region_id = htole32(region_id);
	e->evt.code = htole32(code);
	e->evt.value = htole32(value);
	e->len = len;
	g_queue_push_tail(&dev->evq_pending[q], e);
	vbus_events_flush(dev, q);
}

void vbus_event_post(struct vbus_dev *dev, unsigned int q, uint16_t type,
		     uint32_t region_id, uint32_t code, uint32_t value)
{
	vbus_event_queue(dev, q, type, region_id, code, value,
			 sizeof(struct virtio_vbus_event), false);
}

/* Hostile mode: an event a driver must reject; one that may be dropped. */
void vbus_event_post_bad(struct vbus_dev *dev, unsigned int q, uint16_t type,
			 uint32_t region_id, uint32_t len)
{
	vbus_event_queue(dev, q, type, region_id, 0, 0, len, true);
}

void vbus_flood(struct vbus_dev *dev)
{
	dev->flood_left = VBUS_FLOOD_EVENTS;
	vbus_events_flush(dev, 0);
}

void vbus_dev_request_reset(struct vbus_dev *dev)
{
	vbus_event_post(dev, 0, VIRTIO_VBUS_EVT_RESET_REQUEST, 0, 0, 0);
}

void vbus_dev_error(struct vbus_dev *dev, uint16_t status, uint32_t qualifier)
{
	vbus_event_post(dev, 0, VIRTIO_VBUS_EVT_DEVICE_ERROR, 0, status,
			qualifier);
}

void vbus_events_reset(struct vbus_dev *dev)
{
	unsigned int q;

	dev->flood_left = 0;
	for (q = 0; q < VIRTIO_VBUS_MAX_EVENT_QUEUES; q++)
		g_queue_clear_full(&dev->evq_pending[q], g_free);
}
