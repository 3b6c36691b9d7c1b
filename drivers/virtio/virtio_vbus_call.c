// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus device calls: one entry point over two paths, a call queue
 * when VIRTIO_VBUS_F_CALLQ was negotiated (virtio_vbus_callq.c), the
 * configuration-space mailbox otherwise (virtio_vbus_cmd.c).
 */

#include "virtio_vbus.h"

/**
 * vbus_do_call() - a device call with filled bounce buffers
 * @vb: the vbus device
 * @func: the function
 * @b: buffers from vbus_call_bufs_alloc(), @b->out filled; emptied when
 *	the caller stops waiting before the device is done with them (they
 *	are freed then), so vbus_call_bufs_free() is always right after
 * @intr: a signal may interrupt the call
 * @res: the completion; valid when @res->done
 *
 * Return: 0 on VIRTIO_VBUS_S_OK (@b->in holds @res->result bytes), the
 * errno of another status, -EOPNOTSUPP without VIRTIO_VBUS_F_CALL, or an
 * errno of the device state or command queue (-EINTR, -ETIMEDOUT, -ENODEV,
 * -EIO, -EBUSY).
 */
int vbus_do_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		 bool intr, struct vbus_cmd_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!vb->has_call)
		return -EOPNOTSUPP;
	if (vb->has_callq)
		return vbus_callq_call(vb, func, b, intr, res);
	return vbus_mbox_call(vb, func, b, intr, res);
}

static void vbus_call_req_free(struct kref *kref)
{
	struct vbus_call_req *req = container_of(kref, struct vbus_call_req,
						 kref);

	vbus_call_bufs_free(&req->b);
	kfree(req->chain.table[0]);
	kfree(req->chain.table[1]);
	req->release(req);
}

/* Drops a reference on @req; the last frees it, in any context. */
void vbus_call_req_put(struct vbus_call_req *req)
{
	kref_put(&req->kref, vbus_call_req_free);
}

/**
 * vbus_call_req_init() - prepare a call; its buffers are the caller's
 * @req: the call, embedded in the caller's structure
 * @vb: the vbus device
 * @func: the function
 * @end: see struct vbus_call_req
 * @release: see struct vbus_call_req
 *
 * The caller holds the one reference, and drops it with
 * vbus_call_req_put().
 */
void vbus_call_req_init(struct vbus_call_req *req, struct virtio_vbus *vb,
			u32 func, void (*end)(struct vbus_call_req *req),
			void (*release)(struct vbus_call_req *req))
{
	kref_init(&req->kref);
	req->vb = vb;
	req->func = func;
	req->end = end;
	req->release = release;
	INIT_LIST_HEAD(&req->node);
}

/* The oldest call queued for the mailbox, taken off; NULL when none. */
static struct vbus_call_req *vbus_mbox_next(struct virtio_vbus *vb)
{
	struct vbus_call_req *req;

	spin_lock_irq(&vb->mbox_lock);
	req = list_first_entry_or_null(&vb->mbox_reqs, struct vbus_call_req,
				       node);
	if (req)
		list_del_init(&req->node);
	spin_unlock_irq(&vb->mbox_lock);
	return req;
}

/*
 * Runs the calls submitted without call queues through the mailbox, one
 * at a time, in order. A call that a reset or removal overtakes before it
 * reached the device ends as one that was on it.
 */
static void vbus_mbox_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      mbox_work);
	struct vbus_call_req *req;

	while ((req = vbus_mbox_next(vb))) {
		req->err = vbus_mbox_call(vb, req->func, &req->b, false,
					  &req->res);
		if (!req->res.done && req->err == -EBUSY)
			req->err = -ECANCELED;		/* a reset runs */
		req->end(req);
		vbus_call_req_put(req);		/* the mailbox's */
		cond_resched();
	}
}

/* Queues @req for the mailbox, unless the device is going away. */
static int vbus_mbox_submit(struct vbus_call_req *req)
{
	struct virtio_vbus *vb = req->vb;
	int err;

	spin_lock_irq(&vb->mbox_lock);
	err = vb->mbox_closed ? -ENODEV : vbus_state_errno(vb);
	if (!err) {
		kref_get(&req->kref);	/* the mailbox's */
		list_add_tail(&req->node, &vb->mbox_reqs);
		/* Under the lock: vbus_mbox_stop() cancels it after. */
		queue_work(vbus_wq, &vb->mbox_work);
	}
	spin_unlock_irq(&vb->mbox_lock);
	return err;
}

/**
 * vbus_mbox_stop() - end the calls queued for the mailbox
 * @vb: the vbus device, reset already
 *
 * They end with -ECANCELED, or -ENODEV when the device is going away;
 * then no call is queued any more, and the worker is waited for.
 */
void vbus_mbox_stop(struct virtio_vbus *vb)
{
	bool gone = vbus_state_errno(vb) == -ENODEV;
	struct vbus_call_req *req, *next;
	LIST_HEAD(calls);

	spin_lock_irq(&vb->mbox_lock);
	list_splice_init(&vb->mbox_reqs, &calls);
	vb->mbox_closed = gone;
	spin_unlock_irq(&vb->mbox_lock);
	list_for_each_entry_safe(req, next, &calls, node) {
		list_del_init(&req->node);
		req->err = gone ? -ENODEV : -ECANCELED;
		req->end(req);
		vbus_call_req_put(req);
	}
	if (gone)
		cancel_work_sync(&vb->mbox_work);
}

/* At probe. */
void vbus_mbox_init(struct virtio_vbus *vb)
{
	spin_lock_init(&vb->mbox_lock);
	INIT_LIST_HEAD(&vb->mbox_reqs);
	INIT_WORK(&vb->mbox_work, vbus_mbox_work);
}

/**
 * vbus_call_start() - start a call without waiting for its answer
 * @req: from vbus_call_req_init(), its buffers filled
 *
 * Process context; never waits for room: on a full call queue the call
 * waits parked. Without call queues the call goes through the mailbox
 * from a worker, after the calls submitted before it. @req->end may run
 * before this returns.
 *
 * Return: 0 when @req->end will run, or why not: -EOPNOTSUPP without
 * device calls, -ENOMEM, the errno of the device state (-EAGAIN, -EBUSY,
 * -EIO, -ENODEV).
 */
int vbus_call_start(struct vbus_call_req *req)
{
	struct virtio_vbus *vb = req->vb;

	if (!vb->has_call)
		return -EOPNOTSUPP;
	if (vb->has_callq)
		return vbus_callq_submit(req);
	return vbus_mbox_submit(req);
}
