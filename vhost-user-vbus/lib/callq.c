// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Call queues (VIRTIO_VBUS_F_CALLQ): a call is one chain, its header and
 * out payload in the driver-readable bytes, its in buffer and footer in
 * the device-writable ones. Calls run concurrently, at most max_calls a
 * queue, and complete in any order. A call that completes while its queue
 * is stopped (the VM paused) is made used when the queue starts again; a
 * reset ends every call without making it used.
 */
#include <string.h>
#include <endian.h>
#include "internal.h"

#define HDR_SIZE	sizeof(struct virtio_vbus_call_hdr)
#define FTR_SIZE	sizeof(struct virtio_vbus_call_ftr)

static VuVirtq *vbus_callq(struct vbus_dev *dev, unsigned int q)
{
	return vu_get_queue(vbus_vu(dev),
			    virtio_vbus_vq_call(dev->conf.num_event_queues, q));
}

static void vbus_callreq_free(struct vbus_callreq *req)
{
	g_free((void *)req->call.out);
	g_free(req->call.in);
	g_free(req->in_map);
	free(req->elem);
	g_free(req);
}

/*
 * Writes the answer, zeros and the footer; makes the chain used. Memory
 * the guest took away while the call ran ends the device, as a chain
 * outside memory does.
 */
static void vbus_callq_push(struct vbus_dev *dev, struct vbus_callreq *req)
{
	VuVirtqElement *elem = req->elem;
	VuVirtq *vq = vbus_callq(dev, req->q);
	struct virtio_vbus_call_ftr ftr = {
		.status = htole16(req->call.status),
		.qualifier = htole32(req->call.qualifier),
		.result_len = htole32(req->call.result_len),
	};
	bool ok;

	ok = vbus_guest_pieces_write(dev, req->in_map, req->in_pieces, 0,
				     req->call.in, req->in_len) &&
	     vbus_guest_pieces_write(dev, req->in_map, req->in_pieces,
				     req->in_len, &ftr, FTR_SIZE);
	g_queue_remove(&dev->calls, req);
	dev->callq_running[req->q]--;
	if (ok) {
		vu_queue_push(vbus_vu(dev), vq, elem, req->in_len + FTR_SIZE);
		vbus_notify(dev, vq);
	} else {
		vbus_dev_broken(dev, "driver error: a call's buffer left guest "
				"memory while the call ran");
	}
	vbus_callreq_free(req);
}

/* The call is over: checks what the type answered, then pushes. */
static void vbus_callq_finish(struct vbus_dev *dev, struct vbus_callreq *req)
{
	struct vbus_dev_call *call = &req->call;

	if (call->status > VIRTIO_VBUS_S_MAX || call->result_len > req->in_len) {
		/* A type's bug: the guest gets an error, not garbage. */
		call->status = VIRTIO_VBUS_S_EIO;
		call->qualifier = 0;
	}
	if (call->status != VIRTIO_VBUS_S_OK) {
		dev->stats.errors++;
		call->result_len = 0;
		if (call->in)
			memset(call->in, 0, req->in_len);
	}
	if (!vu_queue_started(vbus_vu(dev), vbus_callq(dev, req->q))) {
		req->done = true;	/* made used when the queue starts */
		return;
	}
	vbus_callq_push(dev, req);
}

static void vbus_callq_fail(struct vbus_dev *dev, struct vbus_callreq *req,
			    uint16_t status, uint32_t qualifier)
{
	req->call.status = status;
	req->call.qualifier = qualifier;
	vbus_callq_finish(dev, req);
}

/* Checks the chain and gathers the payload; OK if the type may run it. */
static uint16_t vbus_callq_parse(struct vbus_dev *dev,
				 struct vbus_callreq *req, uint32_t *qual)
{
	VuVirtqElement *elem = req->elem;
	size_t readable = iov_size(elem->out_sg, elem->out_num);
	struct virtio_vbus_call_hdr hdr;
	size_t out_len;

	if (!vbus_has(dev, VIRTIO_VBUS_F_CALL))
		return VIRTIO_VBUS_S_EOPNOTSUPP;
	if (readable < HDR_SIZE)
		return VIRTIO_VBUS_S_EINVAL;
	iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, HDR_SIZE);
	if (hdr.flags)
		return VIRTIO_VBUS_S_EINVAL;
	out_len = readable - HDR_SIZE;
	if (out_len > dev->conf.max_call_len ||
	    req->in_len > dev->conf.max_call_len) {
		*qual = dev->conf.max_call_len;
		return VIRTIO_VBUS_S_E2BIG;
	}
	req->call.func = le32toh(hdr.func);
	req->call.out = g_malloc(out_len ? out_len : 1);
	req->call.out_len = out_len;
	iov_to_buf(elem->out_sg, elem->out_num, HDR_SIZE,
		   (void *)req->call.out, out_len);
	req->call.in_len = req->in_len;
	return VIRTIO_VBUS_S_OK;
}

/* Keeps the chain's writable bytes as guest addresses. */
static bool vbus_callq_map_in(struct vbus_dev *dev, struct vbus_callreq *req)
{
	VuVirtqElement *elem = req->elem;
	unsigned int i;

	req->in_map = g_new(struct vbus_guest_piece, elem->in_num);
	req->in_pieces = elem->in_num;
	for (i = 0; i < elem->in_num; i++) {
		req->in_map[i].len = elem->in_sg[i].iov_len;
		if (!vbus_guest_addr(dev, elem->in_sg[i].iov_base,
				     elem->in_sg[i].iov_len,
				     &req->in_map[i].addr))
			return false;
	}
	return true;
}

/* Starts a chain just popped; false for one without room for a footer. */
static bool vbus_callq_start(struct vbus_dev *dev, unsigned int q,
			     VuVirtqElement *elem)
{
	size_t writable = iov_size(elem->in_sg, elem->in_num);
	struct vbus_callreq *req;
	uint32_t qual = 0;
	uint16_t status;

	if (writable < FTR_SIZE) {
		vu_queue_unpop(vbus_vu(dev), vbus_callq(dev, q), elem, 0);
		free(elem);
		vbus_dev_broken(dev, "driver error: a call without room for its "
				"footer");
		return false;
	}
	req = g_new0(struct vbus_callreq, 1);
	req->elem = elem;
	if (!vbus_callq_map_in(dev, req)) {
		/* libvhost-user mapped it a moment ago: cannot happen. */
		vu_queue_unpop(vbus_vu(dev), vbus_callq(dev, q), elem, 0);
		vbus_callreq_free(req);
		vbus_dev_broken(dev, "a call's buffer is outside the table");
		return false;
	}
	req->q = q;
	req->in_len = writable - FTR_SIZE;
	dev->callq_running[q]++;
	dev->stats.calls++;
	g_queue_push_tail(&dev->calls, req);
	status = vbus_callq_parse(dev, req, &qual);
	if (status != VIRTIO_VBUS_S_OK) {
		vbus_callq_fail(dev, req, status, qual);
		return true;
	}
	/* The in buffer starts zeroed: nothing of ours leaks into it. */
	req->call.in = g_malloc0(req->in_len ? req->in_len : 1);
	if (dev->type->call(dev, &req->call))
		vbus_callq_finish(dev, req);
	return true;
}

/* Starts the chains of queue @q, up to max_calls at once. */
static void vbus_callq_run(struct vbus_dev *dev, unsigned int q)
{
	VuVirtq *vq = vbus_callq(dev, q);
	VuVirtqElement *elem;

	while (dev->serving && dev->callq_running[q] < dev->conf.max_calls &&
	       vu_queue_started(vbus_vu(dev), vq)) {
		elem = vu_queue_pop(vbus_vu(dev), vq, sizeof(*elem));
		if (!elem || !vbus_callq_start(dev, q, elem))
			break;
	}
}

/*
 * Polls queue @q for up to conf.poll_us for the calls that follow a kick,
 * the driver's notifications off meanwhile. The time is not extended by
 * the calls it finds (a driver that never stops calling cannot hold the
 * main loop), and the poll ends once the queue is full: only the main
 * loop can end a call.
 */
static void vbus_callq_poll(struct vbus_dev *dev, unsigned int q)
{
	gint64 end = g_get_monotonic_time() + dev->conf.poll_us;
	uint64_t before = dev->stats.calls;
	VuVirtq *vq = vbus_callq(dev, q);
	VuDev *vu = vbus_vu(dev);

	if (!dev->serving || !vu_queue_started(vu, vq))
		return;
	vu_queue_set_notification(vu, vq, 0);
	while (dev->serving && dev->callq_running[q] < dev->conf.max_calls &&
	       g_get_monotonic_time() < end) {
		if (!vu_queue_empty(vu, vq))
			vbus_callq_run(dev, q);
	}
	dev->stats.polled_calls += dev->stats.calls - before;
	if (!dev->serving)
		return;		/* the device needs a reset */
	vu_queue_set_notification(vu, vq, 1);
	/* A call made as notifications came back on. */
	vbus_callq_run(dev, q);
}

/* Queue @q was kicked: runs its calls, then polls it (conf.poll_us). */
void vbus_callq_handle(struct vbus_dev *dev, unsigned int q)
{
	if (!vbus_has(dev, VIRTIO_VBUS_F_CALLQ))
		return;
	vbus_callq_run(dev, q);
	if (dev->conf.poll_us)
		vbus_callq_poll(dev, q);
}

void vbus_callq_complete(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	struct vbus_callreq *req = (struct vbus_callreq *)
		((uint8_t *)call - offsetof(struct vbus_callreq, call));
	unsigned int q = req->q;

	vbus_callq_finish(dev, req);
	vbus_callq_run(dev, q);
}

/* Queue @q started (again): calls that completed meanwhile go now. */
void vbus_callq_started(struct vbus_dev *dev, unsigned int q)
{
	GList *l = dev->calls.head;

	while (l) {
		struct vbus_callreq *req = l->data;

		l = l->next;
		if (req->q == q && req->done)
			vbus_callq_push(dev, req);
	}
	/* Not polled: this runs within a vhost-user message. */
	if (vbus_has(dev, VIRTIO_VBUS_F_CALLQ))
		vbus_callq_run(dev, q);
}

/* A reset: no call in flight is made used or written to. */
void vbus_callq_reset(struct vbus_dev *dev)
{
	struct vbus_callreq *req;

	while ((req = g_queue_pop_head(&dev->calls))) {
		if (!req->done)
			dev->type->cancel(dev, &req->call);
		vbus_callreq_free(req);
	}
	memset(dev->callq_running, 0, sizeof(dev->callq_running));
}
