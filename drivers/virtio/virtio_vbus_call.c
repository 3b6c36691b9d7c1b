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
	req->release(req);
}

/* Drops a reference on @req; the last frees it, in any context. */
void vbus_call_req_put(struct vbus_call_req *req)
{
	kref_put(&req->kref, vbus_call_req_free);
}

/* A call submitted without call queues: through the mailbox, in order. */
static void vbus_mbox_work(struct work_struct *work)
{
	struct vbus_call_req *req = container_of(work, struct vbus_call_req,
						 work);

	req->err = vbus_mbox_call(req->vb, req->func, &req->b, false,
				  &req->res);
	req->end(req);
	vbus_call_req_put(req);		/* the work's */
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
	INIT_WORK(&req->work, vbus_mbox_work);
}

/*
 * Queues @req for the mailbox, unless the device is going away: under
 * @vb->lock, so that removal, which sets the state under it, drains every
 * call queued before.
 */
static int vbus_mbox_submit(struct vbus_call_req *req)
{
	struct virtio_vbus *vb = req->vb;
	int err;

	mutex_lock(&vb->lock);
	err = vbus_state_errno(vb);
	if (!err) {
		kref_get(&req->kref);	/* the work's */
		queue_work(vb->call_wq, &req->work);
	}
	mutex_unlock(&vb->lock);
	return err;
}

/**
 * vbus_call_start() - start a call without waiting for its answer
 * @req: from vbus_call_req_init(), its buffers filled
 * @how: VBUS_SUBMIT_* flags: whether to wait for room on a full queue
 *
 * Process context. Without call queues the call goes through the mailbox
 * from a worker, after the calls submitted before it. @req->end may run
 * before this returns.
 *
 * Return: 0 when @req->end will run, or why not: -EOPNOTSUPP without
 * device calls, -EAGAIN (full, and @how does not wait), -EINTR,
 * -ETIMEDOUT, -ENOMEM, the errno of the device state.
 */
int vbus_call_start(struct vbus_call_req *req, unsigned int how)
{
	struct virtio_vbus *vb = req->vb;

	if (!vb->has_call)
		return -EOPNOTSUPP;
	if (vb->has_callq)
		return vbus_callq_submit(req, how);
	return vbus_mbox_submit(req);
}
