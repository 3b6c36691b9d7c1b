// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus call queues (VIRTIO_VBUS_F_CALLQ): a device call as one
 * descriptor chain (header, out payload, in buffer, footer), up to
 * max_calls in flight per queue, completed in any order. A call owns its
 * buffers until the device gives the chain back or a reset ends it, so a
 * caller that gives up (a signal, a timeout, a closed file) leaves nothing
 * the device could still write to.
 */

#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "virtio_vbus.h"

/* Slack on top of the device's cmd_timeout_ms for the path. */
#define VBUS_CALLQ_SLACK_MS	1000

static struct vbus_callq *vbus_callq_of(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;

	return &vb->callqs[vq->index - virtio_vbus_vq_call(vb->dev_evqs, 0)];
}

/*
 * The device's answer to @req, @len being the used length: checked, in
 * any context. A wrong one fails the call with -EIO and is kept in
 * @cq->bad for the watchdog, which breaks the device.
 */
static void vbus_callq_answer(struct vbus_callq *cq, struct vbus_call_req *req,
			      unsigned int len)
{
	u16 status = le16_to_cpu(req->ftr.status);
	u32 rlen = le32_to_cpu(req->ftr.result_len);

	if (len != req->b.in_len + sizeof(req->ftr) ||
	    status > VIRTIO_VBUS_S_MAX ||
	    (status == VIRTIO_VBUS_S_OK && rlen > req->b.in_len)) {
		if (!cq->bad[0])
			snprintf(cq->bad, sizeof(cq->bad),
				 "call queue: status %u, result %u of %u, used %u",
				 status, rlen, req->b.in_len, len);
		req->err = -EIO;
		return;
	}
	req->res.done = true;
	req->res.status = status;
	req->res.qualifier = le32_to_cpu(req->ftr.qualifier);
	req->res.result = status == VIRTIO_VBUS_S_OK ? rlen : 0;
	req->err = vbus_status_to_errno(status);
}

/* Moves the calls the device gave back onto @done; under @cq->lock. */
static void vbus_callq_reap(struct vbus_callq *cq, struct list_head *done)
{
	struct vbus_call_req *req;
	unsigned int len;

	lockdep_assert_held(&cq->lock);
	while ((req = virtqueue_get_buf(cq->vq, &len))) {
		cq->inflight--;
		vbus_callq_answer(cq, req, len);
		list_move_tail(&req->node, done);
	}
}

/* Ends the calls on @done, with no lock held: their callbacks may call. */
static void vbus_callq_end(struct virtio_vbus *vb, struct vbus_callq *cq,
			   struct list_head *done)
{
	struct vbus_call_req *req, *next;

	if (list_empty(done))
		return;
	wake_up(&cq->wq);	/* room */
	if (READ_ONCE(cq->bad[0]))
		mod_delayed_work(system_wq, &vb->callq_watch, 0);
	list_for_each_entry_safe(req, next, done, node) {
		list_del_init(&req->node);
		req->end(req);
		vbus_call_req_put(req);		/* the queue's */
	}
}

/* Virtqueue callback. */
static void vbus_callq_done(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;
	struct vbus_callq *cq = vbus_callq_of(vq);
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&cq->lock, flags);
	do {
		virtqueue_disable_cb(vq);
		vbus_callq_reap(cq, &done);
	} while (!virtqueue_enable_cb(vq));
	spin_unlock_irqrestore(&cq->lock, flags);
	vbus_callq_end(vb, cq, &done);
}

/*
 * The watchdog, while calls are in flight: a wrong answer, or a call the
 * device kept past its cmd_timeout_ms, breaks the device. The calls stay
 * the device's until the reset or removal that follows ends them.
 */
static void vbus_callq_watch(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(to_delayed_work(work),
					      struct virtio_vbus, callq_watch);
	char why[sizeof(vb->callqs[0].bad)] = "";
	struct vbus_call_req *oldest;
	struct vbus_callq *cq;
	bool busy = false;
	unsigned int q;

	for (q = 0; q < vb->num_callqs; q++) {
		cq = &vb->callqs[q];
		spin_lock_irq(&cq->lock);
		oldest = list_first_entry_or_null(&cq->reqs,
						  struct vbus_call_req, node);
		busy |= !!oldest;
		if (!why[0] && cq->bad[0])
			strscpy(why, cq->bad, sizeof(why));
		else if (!why[0] && oldest &&
			 time_after(jiffies, oldest->deadline))
			snprintf(why, sizeof(why),
				 "a call on call queue %u timed out", q);
		cq->bad[0] = '\0';
		spin_unlock_irq(&cq->lock);
	}
	if (why[0])
		vbus_set_broken(vb, "%s", why);
	else if (busy)
		queue_delayed_work(system_wq, &vb->callq_watch, HZ);
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
		cq->bad[0] = '\0';
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
	struct vbus_call_req *req;
	struct vbus_callq *cq;
	unsigned int q;
	LIST_HEAD(done);

	for (q = 0; q < vb->num_callqs; q++) {
		cq = &vb->callqs[q];
		spin_lock_irq(&cq->lock);
		if (cq->vq) {
			while ((req = virtqueue_detach_unused_buf(cq->vq))) {
				req->err = err;
				list_move_tail(&req->node, &done);
			}
		}
		cq->vq = NULL;
		cq->inflight = 0;
		cq->gen++;
		spin_unlock_irq(&cq->lock);
		wake_up_all(&cq->wq);
		vbus_callq_end(vb, cq, &done);
	}
	cancel_delayed_work_sync(&vb->callq_watch);
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
 * Waits under @cq->lock for room as @how says: 0, -EAGAIN (full, and
 * @how does not wait), -ERESTARTSYS, -ETIMEDOUT, -ECANCELED (the queues
 * went down meanwhile) or the errno of the device state.
 */
static int vbus_callq_wait_room(struct virtio_vbus *vb, struct vbus_callq *cq,
				unsigned int how)
{
	unsigned long t = msecs_to_jiffies(vb->cmd_timeout_ms +
					   VBUS_CALLQ_SLACK_MS);
	unsigned int gen = cq->gen;
	long left = 1;

#define ROOM	vbus_callq_room(vb, cq, gen)
	if (!(how & VBUS_SUBMIT_WAIT))
		left = ROOM;
	else if (how & VBUS_SUBMIT_INTR)
		left = wait_event_interruptible_lock_irq_timeout(cq->wq, ROOM,
								 cq->lock, t);
	else
		left = wait_event_lock_irq_timeout(cq->wq, ROOM, cq->lock, t);
#undef ROOM
	if (left < 0)
		return left;
	if (!left)
		return how & VBUS_SUBMIT_WAIT ? -ETIMEDOUT : -EAGAIN;
	if (cq->gen != gen)
		return -ECANCELED;	/* a reset began after the call */
	return vbus_state_errno(vb);
}

/* Places @req's chain on @cq and notifies the device; under @cq->lock. */
static int vbus_callq_add(struct virtio_vbus *vb, struct vbus_callq *cq,
			  struct vbus_call_req *req, struct list_head *done)
{
	struct scatterlist hdr, out, in, ftr, *sgs[4];
	unsigned int nout = 0, nin = 0;
	int err;

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

	err = virtqueue_add_sgs(cq->vq, sgs, nout, nin, req, GFP_ATOMIC);
	if (err)
		return err;
	kref_get(&req->kref);	/* the queue's */
	req->deadline = jiffies + msecs_to_jiffies(vb->cmd_timeout_ms +
						   VBUS_CALLQ_SLACK_MS);
	list_add_tail(&req->node, &cq->reqs);
	cq->inflight++;
	/*
	 * Under the lock: once it is dropped, a reset may take the queue
	 * away (vbus_callq_stop(), then del_vqs()). A device that runs the
	 * call within the notification (most calls) has given it back
	 * already: collect it now, with callbacks off meanwhile, so that
	 * neither an interrupt nor a sleep follows.
	 */
	virtqueue_disable_cb(cq->vq);
	virtqueue_kick(cq->vq);
	do {
		vbus_callq_reap(cq, done);
	} while (!virtqueue_enable_cb(cq->vq));
	return 0;
}

/**
 * vbus_callq_submit() - put a call on a call queue
 * @req: the call, its buffers filled
 * @how: VBUS_SUBMIT_* flags: whether to wait for room
 *
 * Process context. @req->end may run before this returns (the device
 * answered within the notification).
 *
 * Return: 0 when @req->end will run (it ran already, maybe), or -EAGAIN,
 * -EINTR, -ETIMEDOUT, -ECANCELED, -ENOMEM, the device state's errno.
 */
int vbus_callq_submit(struct vbus_call_req *req, unsigned int how)
{
	struct virtio_vbus *vb = req->vb;
	struct vbus_callq *cq = &vb->callqs[raw_smp_processor_id() %
					   vb->num_callqs];
	LIST_HEAD(done);
	int err;

	req->hdr.func = cpu_to_le32(req->func);
	spin_lock_irq(&cq->lock);
	err = vbus_callq_wait_room(vb, cq, how);
	if (!err && !cq->vq)
		err = -EAGAIN;	/* not set up yet: the state says ready */
	if (!err)
		err = vbus_callq_add(vb, cq, req, &done);
	spin_unlock_irq(&cq->lock);
	if (err)
		return err == -ERESTARTSYS ? -EINTR : err;
	queue_delayed_work(system_wq, &vb->callq_watch, HZ);
	vbus_callq_end(vb, cq, &done);
	return 0;
}

/**
 * struct vbus_callq_sync - a call a caller waits for
 * @req: the call
 * @done: completed when it ends
 */
struct vbus_callq_sync {
	struct vbus_call_req req;
	struct completion done;
};

static void vbus_callq_sync_end(struct vbus_call_req *req)
{
	complete(&container_of(req, struct vbus_callq_sync, req)->done);
}

static void vbus_callq_sync_release(struct vbus_call_req *req)
{
	kfree(container_of(req, struct vbus_callq_sync, req));
}

/* Waits for @s: the remaining time, 0 on timeout, -ERESTARTSYS. */
static long vbus_callq_wait(struct virtio_vbus *vb, struct vbus_callq_sync *s,
			    bool intr)
{
	/* The device's bound on any command, and slack for the path. */
	unsigned long t = msecs_to_jiffies(vb->cmd_timeout_ms +
					   VBUS_CALLQ_SLACK_MS);

	if (intr)
		return wait_for_completion_interruptible_timeout(&s->done, t);
	return wait_for_completion_timeout(&s->done, t);
}

/**
 * vbus_callq_call() - a device call on a call queue, waited for
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
	struct vbus_callq_sync *s;
	long left;
	int err;

	err = vbus_state_errno(vb);
	if (err)
		return err;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	vbus_call_req_init(&s->req, vb, func, vbus_callq_sync_end,
			   vbus_callq_sync_release);
	init_completion(&s->done);
	s->req.b = *b;
	memset(b, 0, sizeof(*b));

	err = vbus_callq_submit(&s->req, VBUS_SUBMIT_WAIT |
				(intr ? VBUS_SUBMIT_INTR : 0));
	if (err)
		goto out_give_back;
	left = vbus_callq_wait(vb, s, intr);
	if (left <= 0) {
		/* The buffers stay the call's until the device is done. */
		if (!left)
			vbus_set_broken(vb, "a call on a call queue timed out");
		vbus_call_req_put(&s->req);
		return left ? -EINTR : -ETIMEDOUT;
	}
	err = s->req.err;
	*res = s->req.res;
out_give_back:
	*b = s->req.b;
	memset(&s->req.b, 0, sizeof(s->req.b));
	vbus_call_req_put(&s->req);
	return err;
}

/* At probe: the queues' locks, waits and watchdog, for the device's life. */
void vbus_callq_init(struct virtio_vbus *vb)
{
	unsigned int q;

	for (q = 0; q < VBUS_DRV_MAX_CALLQS; q++) {
		spin_lock_init(&vb->callqs[q].lock);
		init_waitqueue_head(&vb->callqs[q].wq);
		INIT_LIST_HEAD(&vb->callqs[q].reqs);
	}
	INIT_DELAYED_WORK(&vb->callq_watch, vbus_callq_watch);
}
