// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus call queues (VIRTIO_VBUS_F_CALLQ): a device call as one
 * descriptor chain (header, out payload, in buffer, footer), up to
 * max_calls in flight per queue, completed in any order. A call owns its
 * buffers until the device gives the chain back or a reset ends it, so a
 * caller that gives up (a signal, a timeout, a closed file) leaves nothing
 * the device could still write to.
 *
 * A call that finds its queue full waits parked, and parked calls start
 * in order as the device gives chains back: no submitter waits for room,
 * and none overtakes another.
 */

#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "virtio_vbus.h"

/* Slack on top of the device's cmd_timeout_ms for the path. */
#define VBUS_CALLQ_SLACK_MS	1000

static struct vbus_callq *vbus_callq_of(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;

	return &vb->callqs[vq->index - virtio_vbus_vq_call(vb->dev_evqs, 0)];
}

/*
 * The device's answer to @req, @len being the used length: checked. A
 * wrong one fails the call with -EIO and is kept in @cq->bad for the
 * watchdog, which breaks the device. Under @cq->lock.
 */
static void vbus_callq_answer(struct virtio_vbus *vb, struct vbus_callq *cq,
			      struct vbus_call_req *req, unsigned int len)
{
	u16 status = le16_to_cpu(req->ftr.status);
	u32 rlen = le32_to_cpu(req->ftr.result_len);

	if (len != req->b.in_len + sizeof(req->ftr) ||
	    status > VIRTIO_VBUS_S_MAX ||
	    (status == VIRTIO_VBUS_S_OK && rlen > req->b.in_len)) {
		if (!cq->bad[0]) {
			snprintf(cq->bad, sizeof(cq->bad),
				 "call queue: status %u, result %u of %u, used %u",
				 status, rlen, req->b.in_len, len);
			mod_delayed_work(system_percpu_wq, &vb->callq_watch, 0);
		}
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
static void vbus_callq_reap(struct virtio_vbus *vb, struct vbus_callq *cq,
			    struct list_head *done)
{
	struct vbus_call_req *req;
	unsigned int len;

	lockdep_assert_held(&cq->lock);
	while ((req = virtqueue_get_buf(cq->vq, &len))) {
		cq->inflight--;
		vbus_callq_answer(vb, cq, req, len);
		list_move_tail(&req->node, done);
	}
}

/*
 * Places @req's chain on @cq and notifies the device, the request being
 * the queue's already; collects what the device gave back meanwhile.
 * Under @cq->lock, @cq->vq set. Return: 0, -ENOSPC (descriptors short),
 * or an error of virtqueue_add_sgs().
 */
static int vbus_callq_add(struct virtio_vbus *vb, struct vbus_callq *cq,
			  struct vbus_call_req *req, struct list_head *done)
{
	struct vbus_callq_chain *c = &req->chain;
	int err;

	err = virtqueue_add_sgs(cq->vq, c->sgs, c->nout, c->nin, req,
				GFP_ATOMIC);
	if (err)
		return err;
	/* Never 0: 0 says the call is not on the ring (yet). */
	WRITE_ONCE(req->deadline, (jiffies + msecs_to_jiffies(vb->cmd_timeout_ms +
				   VBUS_CALLQ_SLACK_MS)) | 1);
	list_add_tail(&req->node, &cq->reqs);
	cq->inflight++;
	/* Under the lock: vbus_callq_stop() cancels it after taking @vq. */
	queue_delayed_work(system_percpu_wq, &vb->callq_watch, HZ);
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
		vbus_callq_reap(vb, cq, done);
	} while (!cq->pollers && !virtqueue_enable_cb(cq->vq));
	return 0;
}

/*
 * virtqueue_add_sgs()'s error for a call with no other in flight: -ENOSPC
 * is a table of indirect descriptors that could not be allocated, or a
 * ring too small for any call.
 */
static int vbus_callq_add_errno(struct virtio_vbus *vb, int err)
{
	if (err != -ENOSPC)
		return err;
	return vb->callq_sg ? -ENOMEM : -E2BIG;
}

/*
 * Starts parked calls in order while there is room; one that fails to go
 * on the ring with none in flight ends. Under @cq->lock.
 */
static void vbus_callq_unpark(struct virtio_vbus *vb, struct vbus_callq *cq,
			      struct list_head *done)
{
	struct vbus_call_req *req;
	int err;

	/* Not on a device that is broken, or reset and not stopped yet. */
	while (cq->vq && !vbus_state_errno(vb) && cq->inflight < cq->max &&
	       (req = list_first_entry_or_null(&cq->parked,
					       struct vbus_call_req, node))) {
		list_del_init(&req->node);
		req->parked = false;
		err = vbus_callq_add(vb, cq, req, done);
		if (err == -ENOSPC && cq->inflight) {
			list_add(&req->node, &cq->parked);
			req->parked = true;
			break;
		}
		if (err) {
			req->err = vbus_callq_add_errno(vb, err);
			list_add_tail(&req->node, done);
		}
	}
}

/* Ends the calls on @done, with no lock held: their callbacks may call. */
static void vbus_callq_end(struct list_head *done)
{
	struct vbus_call_req *req, *next;

	list_for_each_entry_safe(req, next, done, node) {
		list_del_init(&req->node);
		req->end(req);
		vbus_call_req_put(req);		/* the queue's */
	}
}

/*
 * Ends the calls the device gave back on @cq and starts parked ones: from
 * @cq's interrupt (@vq, the queue that interrupted) or a caller polling
 * (@vq NULL: whatever queue @cq has). Callbacks are left on unless
 * someone polls; @pollers is added to the count of those first. Returns
 * whether @req (if any) ended here.
 */
static bool vbus_callq_collect(struct virtio_vbus *vb, struct vbus_callq *cq,
			       struct virtqueue *vq, int pollers,
			       struct vbus_call_req *req)
{
	struct vbus_call_req *r;
	unsigned long flags;
	bool found = false;
	LIST_HEAD(done);

	spin_lock_irqsave(&cq->lock, flags);
	cq->pollers += pollers;
	/* A late interrupt or poll after vbus_callq_stop() finds no queue. */
	if (cq->vq && (!vq || cq->vq == vq)) {
		vq = cq->vq;
		do {
			virtqueue_disable_cb(vq);
			vbus_callq_reap(vb, cq, &done);
			vbus_callq_unpark(vb, cq, &done);
		} while (!cq->pollers && !virtqueue_enable_cb(vq));
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	list_for_each_entry(r, &done, node)
		found |= r == req;
	vbus_callq_end(&done);
	return found;
}

/* Virtqueue callback. */
static void vbus_callq_done(struct virtqueue *vq)
{
	vbus_callq_collect(vq->vdev->priv, vbus_callq_of(vq), vq, 0, NULL);
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
		/* Under the lock: vbus_callq_stop() cancels it after. */
		if (busy && !why[0] && q == vb->num_callqs - 1)
			queue_delayed_work(system_percpu_wq,
					   &vb->callq_watch, HZ);
		spin_unlock_irq(&cq->lock);
	}
	if (why[0])
		vbus_set_broken(vb, "%s", why);
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
	/* Chains no longer than the ring, as the virtio specification asks. */
	if (vb->num_callqs &&
	    virtqueue_get_vring_size(vb->callqs[0].vq) < VBUS_CALL_SG_DESCS)
		vb->callq_sg = false;
}

/**
 * vbus_callq_stop() - end every call in flight or parked
 * @vb: the vbus device, reset already: the device writes no chain now
 *
 * A call ends with -ECANCELED, as through the mailbox, or -ENODEV when
 * the device is going away; callers waiting for room get the device
 * state's errno.
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
			while ((req = virtqueue_detach_unused_buf(cq->vq)))
				list_move_tail(&req->node, &done);
		}
		list_splice_tail_init(&cq->parked, &done);
		list_for_each_entry(req, &done, node) {
			req->err = err;
			req->parked = false;
		}
		cq->vq = NULL;
		cq->inflight = 0;
		spin_unlock_irq(&cq->lock);
		vbus_callq_end(&done);
	}
	/* No call is in flight, none can be added: nothing re-arms it. */
	cancel_delayed_work_sync(&vb->callq_watch);
}

/*
 * Hands @req to @cq: on the ring when there is room and no call is parked
 * before it, parked otherwise. Under @cq->lock. Return: 0 (the call is the
 * queue's), or why not.
 */
static int vbus_callq_give(struct virtio_vbus *vb, struct vbus_callq *cq,
			   struct vbus_call_req *req, struct list_head *done)
{
	bool park;
	int err;

	err = vbus_state_errno(vb);
	if (!err && !cq->vq)
		err = -EAGAIN;		/* not set up: the state says ready */
	if (err)
		return err;
	park = cq->inflight >= cq->max || !list_empty(&cq->parked);
	if (!park) {
		err = vbus_callq_add(vb, cq, req, done);
		if (err && (err != -ENOSPC || !cq->inflight))
			return vbus_callq_add_errno(vb, err);
		park = err;	/* descriptors short until calls end */
	}
	kref_get(&req->kref);		/* the queue's */
	atomic64_inc(&vb->stats.callq_calls);
	if (park) {
		list_add_tail(&req->node, &cq->parked);
		req->parked = true;
		atomic64_inc(&vb->stats.callq_parked);
	}
	/* Answers collected meanwhile made room: parked calls go on. */
	vbus_callq_unpark(vb, cq, done);
	return 0;
}

/*
 * @buf's @len bytes as a scatterlist: @one for contiguous memory; for
 * vmalloc() memory a table of page-sized segments, allocated here and
 * freed with the request (*@table).
 */
static struct scatterlist *vbus_callq_sg(void *buf, u32 len,
					 struct scatterlist *one,
					 struct scatterlist **table)
{
	unsigned int n, i, off, seg;
	struct scatterlist *sg;

	if (!is_vmalloc_addr(buf)) {
		sg_init_one(one, buf, len);
		return one;
	}
	n = DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
	sg = kmalloc_array(n, sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return NULL;
	sg_init_table(sg, n);
	for (i = 0; i < n; i++, buf += seg, len -= seg) {
		off = offset_in_page(buf);
		seg = min_t(u32, len, PAGE_SIZE - off);
		sg_set_page(&sg[i], vmalloc_to_page(buf), seg, off);
	}
	*table = sg;
	return sg;
}

/* Builds @req's chain, before the queue's lock: it may allocate. */
static int vbus_callq_chain(struct vbus_call_req *req)
{
	struct vbus_callq_chain *c = &req->chain;
	struct vbus_call_bufs *b = &req->b;
	struct scatterlist *sg;

	c->nout = 0;
	c->nin = 0;
	sg_init_one(&c->one[0], &req->hdr, sizeof(req->hdr));
	c->sgs[c->nout++] = &c->one[0];
	if (b->out_len) {
		sg = vbus_callq_sg(b->out, b->out_len, &c->one[1], &c->table[0]);
		if (!sg)
			return -ENOMEM;
		c->sgs[c->nout++] = sg;
	}
	if (b->in_len) {
		sg = vbus_callq_sg(b->in, b->in_len, &c->one[2], &c->table[1]);
		if (!sg)
			return -ENOMEM;
		c->sgs[c->nout + c->nin++] = sg;
	}
	sg_init_one(&c->one[3], &req->ftr, sizeof(req->ftr));
	c->sgs[c->nout + c->nin++] = &c->one[3];
	return 0;
}

/**
 * vbus_callq_submit() - put a call on a call queue
 * @req: the call, its buffers filled
 *
 * Process context; never waits for room: on a full queue the call waits
 * parked. @req->end may run before this returns (the device answered
 * within the notification).
 *
 * Return: 0 when @req->end will run (it ran already, maybe), or -ENOMEM,
 * -EAGAIN (the queues are not set up), the device state's errno.
 */
int vbus_callq_submit(struct vbus_call_req *req)
{
	struct virtio_vbus *vb = req->vb;
	struct vbus_callq *cq = &vb->callqs[raw_smp_processor_id() %
					   vb->num_callqs];
	LIST_HEAD(done);
	int err;

	req->hdr.func = cpu_to_le32(req->func);
	req->cq = cq;
	err = vbus_callq_chain(req);
	if (err)
		return err;
	spin_lock_irq(&cq->lock);
	err = vbus_callq_give(vb, cq, req, &done);
	spin_unlock_irq(&cq->lock);
	vbus_callq_end(&done);
	return err;
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

/*
 * Takes @req back from its queue if it is still parked (the device never
 * saw it): true then, and the queue's reference is dropped.
 */
static bool vbus_callq_withdraw(struct vbus_call_req *req)
{
	struct vbus_callq *cq = req->cq;
	bool parked;

	spin_lock_irq(&cq->lock);
	parked = req->parked;
	if (parked) {
		list_del_init(&req->node);
		req->parked = false;
		vbus_call_req_put(req);		/* the queue's; not the last */
	}
	spin_unlock_irq(&cq->lock);
	return parked;
}

/* Whether the device kept @req past its deadline (parked calls: never). */
static bool vbus_callq_overdue(struct vbus_call_req *req)
{
	unsigned long deadline = READ_ONCE(req->deadline);

	return deadline && time_after(jiffies, deadline);
}

/*
 * Polls @s's queue for up to @vb->call_poll_us before its caller sleeps:
 * the answer of a device in another process is seen without waiting for
 * its interrupt, which under TCG costs the host another thread's wake-up.
 * The queue's callbacks are off meanwhile (an interrupt would find the
 * answers taken: spurious). Stops early for a signal or the scheduler.
 */
static void vbus_callq_poll(struct virtio_vbus *vb, struct vbus_callq_sync *s)
{
	u32 us = READ_ONCE(vb->call_poll_us);
	struct vbus_callq *cq = s->req.cq;
	bool found;
	u64 end;

	if (!us || completion_done(&s->done))
		return;
	end = local_clock() + (u64)us * NSEC_PER_USEC;
	found = vbus_callq_collect(vb, cq, NULL, 1, &s->req);
	while (!found && !completion_done(&s->done) &&
	       local_clock() < end && !need_resched() &&
	       !signal_pending(current)) {
		cpu_relax();
		found = vbus_callq_collect(vb, cq, NULL, 0, &s->req);
	}
	/* The last poller out turns the callbacks back on. */
	found |= vbus_callq_collect(vb, cq, NULL, -1, &s->req);
	if (found)
		atomic64_inc(&vb->stats.callq_polled);
}

/*
 * Waits for @s, looking at the device once a second: 0 once it ended,
 * -EINTR (a signal, with @intr), -EIO (the device broke meanwhile),
 * -ETIMEDOUT (the device kept it past its deadline). A call parked behind
 * others has no deadline yet: they are the device's to answer in time.
 */
static int vbus_callq_wait(struct virtio_vbus *vb, struct vbus_callq_sync *s,
			   bool intr)
{
	long left;

	vbus_callq_poll(vb, s);
	for (;;) {
		if (intr)
			left = wait_for_completion_interruptible_timeout(&s->done,
									 HZ);
		else
			left = wait_for_completion_timeout(&s->done, HZ);
		if (left > 0 || try_wait_for_completion(&s->done))
			return 0;
		if (left < 0)
			return -EINTR;
		/* A reset or removal ends it: wait for that. */
		if (READ_ONCE(vb->state) == VBUS_STATE_BROKEN)
			return -EIO;
		if (vbus_callq_overdue(&s->req))
			return -ETIMEDOUT;
	}
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

	err = vbus_callq_submit(&s->req);
	if (err)
		goto out_give_back;
	err = vbus_callq_wait(vb, s, intr);
	if (err && vbus_callq_withdraw(&s->req))
		goto out_give_back;	/* it never reached the device */
	if (err) {
		/* The buffers stay the call's until the device is done. */
		if (err == -ETIMEDOUT)
			vbus_set_broken(vb, "a call on a call queue timed out");
		vbus_call_req_put(&s->req);
		return err;
	}
	err = s->req.err;
	*res = s->req.res;
out_give_back:
	*b = s->req.b;
	memset(&s->req.b, 0, sizeof(s->req.b));
	vbus_call_req_put(&s->req);
	return err;
}

/* At probe: the queues' locks and lists, and the watchdog. */
void vbus_callq_init(struct virtio_vbus *vb)
{
	struct vbus_callq *cq;
	unsigned int q;

	for (q = 0; q < VBUS_DRV_MAX_CALLQS; q++) {
		cq = &vb->callqs[q];
		spin_lock_init(&cq->lock);
		INIT_LIST_HEAD(&cq->reqs);
		INIT_LIST_HEAD(&cq->parked);
	}
	INIT_DELAYED_WORK(&vb->callq_watch, vbus_callq_watch);
}
