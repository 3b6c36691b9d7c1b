// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus call queues (VIRTIO_VBUS_F_CALLQ): a device call as one
 * descriptor chain (header, out payload, in buffer, footer), up to
 * max_calls in flight per queue, completed in any order. A call owns its
 * buffers until the device gives the chain back or a reset ends it, so a
 * caller that gives up (a signal, a timeout) leaves nothing the device
 * could still write to.
 */

#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "virtio_vbus.h"

/**
 * struct vbus_callq_req - one call on a call queue
 * @kref: the caller's reference and the queue's while the chain is out
 * @done: completed when the device gave the chain back or a reset ended it
 * @b: the buffers, the request's while it is in flight
 * @hdr: the header, driver-readable
 * @ftr: the footer, device-writable
 * @used_len: the used length the device gave
 * @err: 0, or the errno of the reset that ended the call
 */
struct vbus_callq_req {
	struct kref kref;
	struct completion done;
	struct vbus_call_bufs b;
	unsigned int used_len;
	int err;
	/* Mapped for the device: cache lines of their own. */
	struct virtio_vbus_call_hdr hdr ____cacheline_aligned;
	struct virtio_vbus_call_ftr ftr ____cacheline_aligned;
};

static void vbus_callq_req_release(struct kref *kref)
{
	struct vbus_callq_req *req =
		container_of(kref, struct vbus_callq_req, kref);

	vbus_call_bufs_free(&req->b);
	kfree(req);
}

/* The queue's side ends: the device is done with @req, or reset. */
static void vbus_callq_end(struct vbus_callq_req *req, int err)
{
	req->err = err;
	complete(&req->done);
	kref_put(&req->kref, vbus_callq_req_release);
}

static struct vbus_callq *vbus_callq_of(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;

	return &vb->callqs[vq->index - virtio_vbus_vq_call(vb->dev_evqs, 0)];
}

/* Ends the calls @vq gave back, at most max_calls; under @cq->lock. */
static void vbus_callq_reap(struct vbus_callq *cq, struct virtqueue *vq)
{
	struct vbus_callq_req *req;
	unsigned int len;

	lockdep_assert_held(&cq->lock);
	while ((req = virtqueue_get_buf(vq, &len))) {
		cq->inflight--;
		req->used_len = len;
		vbus_callq_end(req, 0);
	}
}

/* Virtqueue callback. */
static void vbus_callq_done(struct virtqueue *vq)
{
	struct vbus_callq *cq = vbus_callq_of(vq);
	unsigned long flags;

	spin_lock_irqsave(&cq->lock, flags);
	do {
		virtqueue_disable_cb(vq);
		vbus_callq_reap(cq, vq);
	} while (!virtqueue_enable_cb(vq));
	spin_unlock_irqrestore(&cq->lock, flags);
	wake_up(&cq->wq);
}

/**
 * vbus_callq_info() - name the call queues for virtio_find_vqs()
 * @vb: the vbus device
 * @info: the virtqueue table, indexed as the specification says, with
 *	room up to the last call queue
 */
void vbus_callq_info(struct virtio_vbus *vb, struct virtqueue_info *info)
{
	static const char * const names[VBUS_DRV_MAX_CALLQS] = {
		"call0", "call1", "call2", "call3",
		"call4", "call5", "call6", "call7",
	};
	unsigned int q;

	if (!vb->has_callq)
		return;
	for (q = 0; q < vb->num_callqs; q++)
		info[virtio_vbus_vq_call(vb->dev_evqs, q)] =
			(struct virtqueue_info){ names[q], vbus_callq_done };
}

/* The queues found: calls may go (once the device state lets them). */
void vbus_callq_start(struct virtio_vbus *vb, struct virtqueue **vqs)
{
	struct vbus_callq *cq;
	unsigned int q;

	for (q = 0; q < vb->num_callqs; q++) {
		cq = &vb->callqs[q];
		spin_lock_irq(&cq->lock);
		cq->vq = vqs[virtio_vbus_vq_call(vb->dev_evqs, q)];
		/* Four descriptors a call when the ring has no indirect ones. */
		cq->max = clamp_t(unsigned int,
				  virtqueue_get_vring_size(cq->vq) / 4, 1,
				  vb->max_calls);
		cq->inflight = 0;
		spin_unlock_irq(&cq->lock);
	}
}

/**
 * vbus_callq_stop() - end every call in flight
 * @vb: the vbus device, reset already: the device writes no chain now
 *
 * A call in flight ends with -ECANCELED, as through the mailbox, or
 * -ENODEV when the device is going away; callers waiting for room get the
 * device state's errno.
 */
void vbus_callq_stop(struct virtio_vbus *vb)
{
	int err = vbus_state_errno(vb) == -ENODEV ? -ENODEV : -ECANCELED;
	struct vbus_callq_req *req;
	struct vbus_callq *cq;
	unsigned int q;

	for (q = 0; q < vb->num_callqs; q++) {
		cq = &vb->callqs[q];
		spin_lock_irq(&cq->lock);
		if (cq->vq)
			while ((req = virtqueue_detach_unused_buf(cq->vq)))
				vbus_callq_end(req, err);
		cq->vq = NULL;
		cq->inflight = 0;
		cq->gen++;
		spin_unlock_irq(&cq->lock);
		wake_up_all(&cq->wq);
	}
}

/* The device state changed: callers waiting for room look again. */
void vbus_callq_wake(struct virtio_vbus *vb)
{
	unsigned int q;

	for (q = 0; q < VBUS_DRV_MAX_CALLQS; q++)
		wake_up_all(&vb->callqs[q].wq);
}

/*
 * Whether a caller that began waiting at generation @gen may stop: room
 * for one more call, or no call to make (the device is not ready, or the
 * queues went down meanwhile).
 */
static bool vbus_callq_room(struct virtio_vbus *vb, struct vbus_callq *cq,
			    unsigned int gen)
{
	return cq->gen != gen || vbus_state_errno(vb) ||
	       cq->inflight < cq->max;
}

/*
 * Waits under @cq->lock for room: 0, -ERESTARTSYS, -ETIMEDOUT, -ECANCELED
 * (the queues went down meanwhile) or the errno of the device state.
 */
static int vbus_callq_wait_room(struct virtio_vbus *vb, struct vbus_callq *cq,
				bool intr)
{
	unsigned long t = msecs_to_jiffies(vb->cmd_timeout_ms + 1000);
	unsigned int gen = cq->gen;
	long left;

#define ROOM	vbus_callq_room(vb, cq, gen)
	if (intr)
		left = wait_event_interruptible_lock_irq_timeout(cq->wq, ROOM,
								 cq->lock, t);
	else
		left = wait_event_lock_irq_timeout(cq->wq, ROOM, cq->lock, t);
#undef ROOM
	if (left < 0)
		return left;
	if (!left)
		return -ETIMEDOUT;
	if (cq->gen != gen)
		return -ECANCELED;	/* a reset began after the call */
	return vbus_state_errno(vb);
}

/* Makes @req's chain available, waiting for room. */
static int vbus_callq_add(struct virtio_vbus *vb, struct vbus_callq *cq,
			  struct vbus_callq_req *req, bool intr)
{
	struct scatterlist hdr, out, in, ftr, *sgs[4];
	unsigned int nout = 0, nin = 0;
	int err = 0;

	sg_init_one(&hdr, &req->hdr, sizeof(req->hdr));
	sgs[nout++] = &hdr;
	if (req->b.out_len) {
		sg_init_one(&out, req->b.out, req->b.out_len);
		sgs[nout++] = &out;
	}
	if (req->b.in_len) {
		sg_init_one(&in, req->b.in, req->b.in_len);
		sgs[nout + nin++] = &in;
	}
	sg_init_one(&ftr, &req->ftr, sizeof(req->ftr));
	sgs[nout + nin++] = &ftr;

	spin_lock_irq(&cq->lock);
	err = vbus_callq_wait_room(vb, cq, intr);
	if (!err && !cq->vq)
		err = -EAGAIN;	/* not set up yet: the state says ready */
	if (!err)
		err = virtqueue_add_sgs(cq->vq, sgs, nout, nin, req, GFP_ATOMIC);
	if (!err) {
		kref_get(&req->kref);	/* the queue's */
		cq->inflight++;
		/*
		 * Under the lock: once it is dropped, a reset may take the
		 * queue away (vbus_callq_stop(), then del_vqs()). A device
		 * that runs the call within the notification (most calls)
		 * has given it back already: collect it now, with callbacks
		 * off meanwhile, so that neither an interrupt nor a sleep
		 * follows.
		 */
		virtqueue_disable_cb(cq->vq);
		virtqueue_kick(cq->vq);
		do {
			vbus_callq_reap(cq, cq->vq);
		} while (!virtqueue_enable_cb(cq->vq));
	}
	spin_unlock_irq(&cq->lock);
	if (!err)
		wake_up(&cq->wq);
	return err == -ERESTARTSYS ? -EINTR : err;
}

/* The footer of a call the device gave back, checked. */
static int vbus_callq_result(struct virtio_vbus *vb,
			     struct vbus_callq_req *req,
			     struct vbus_cmd_result *res)
{
	u16 status = le16_to_cpu(req->ftr.status);
	u32 len = le32_to_cpu(req->ftr.result_len);

	if (req->err)
		return req->err;
	if (req->used_len != req->b.in_len + sizeof(req->ftr) ||
	    status > VIRTIO_VBUS_S_MAX ||
	    (status == VIRTIO_VBUS_S_OK && len > req->b.in_len)) {
		vbus_set_broken(vb, "call queue: status %u, result %u of %u, used %u",
				status, len, req->b.in_len, req->used_len);
		return -EIO;
	}
	res->done = true;
	res->status = status;
	res->qualifier = le32_to_cpu(req->ftr.qualifier);
	res->result = status == VIRTIO_VBUS_S_OK ? len : 0;
	return vbus_status_to_errno(status);
}

/* Waits for @req: the remaining time, 0 on timeout, -ERESTARTSYS. */
static long vbus_callq_wait(struct virtio_vbus *vb,
			    struct vbus_callq_req *req, bool intr)
{
	/* The device's bound on any command, and a second for the path. */
	unsigned long t = msecs_to_jiffies(vb->cmd_timeout_ms + 1000);

	if (intr)
		return wait_for_completion_interruptible_timeout(&req->done, t);
	return wait_for_completion_timeout(&req->done, t);
}

/**
 * vbus_callq_call() - a device call on a call queue
 * @vb: the vbus device, with @has_callq
 * @func: the function
 * @b: buffers from vbus_call_bufs_alloc(), @b->out filled; lent to the
 *	call, given back on completion, the call's (and @b emptied) when the
 *	caller stops waiting before the device gave them back
 * @intr: a signal may interrupt the wait
 * @res: the completion; valid when @res->done
 *
 * Return: as vbus_do_call().
 */
int vbus_callq_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		    bool intr, struct vbus_cmd_result *res)
{
	struct vbus_callq *cq = &vb->callqs[raw_smp_processor_id() %
					   vb->num_callqs];
	struct vbus_callq_req *req;
	long left;
	int err;

	err = vbus_state_errno(vb);
	if (err)
		return err;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	kref_init(&req->kref);
	init_completion(&req->done);
	req->hdr.func = cpu_to_le32(func);
	req->b = *b;
	memset(b, 0, sizeof(*b));

	err = vbus_callq_add(vb, cq, req, intr);
	if (err)
		goto out_give_back;
	left = vbus_callq_wait(vb, req, intr);
	if (left <= 0) {
		/* The buffers stay the call's until the device is done. */
		if (!left)
			vbus_set_broken(vb, "a call on a call queue timed out");
		kref_put(&req->kref, vbus_callq_req_release);
		return left ? -EINTR : -ETIMEDOUT;
	}
	err = vbus_callq_result(vb, req, res);
out_give_back:
	*b = req->b;
	memset(&req->b, 0, sizeof(req->b));
	kref_put(&req->kref, vbus_callq_req_release);
	return err;
}

/* At probe: the queues' locks and waits, for the device's lifetime. */
void vbus_callq_init(struct virtio_vbus *vb)
{
	unsigned int q;

	for (q = 0; q < VBUS_DRV_MAX_CALLQS; q++) {
		spin_lock_init(&vb->callqs[q].lock);
		init_waitqueue_head(&vb->callqs[q].wq);
	}
}
