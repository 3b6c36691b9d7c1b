// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device calls from client drivers: vbus_call(), which waits, and
 * vbus_call_submit(), which does not, with vbus_call_drain() for the
 * client's remove. Each bounces the client's buffers.
 */
#include <linux/completion.h>
#include <linux/slab.h>

#include "virtio_vbus.h"

/**
 * vbus_call() - a device call from a client driver
 * @vc: the client device
 * @func: the function of the device type
 * @out: bytes sent to the device
 * @out_len: length of @out
 * @in: buffer for the answer
 * @in_len: size of @in
 * @res: what the device answered (all zero when it did not complete the
 *	call)
 *
 * Sleeps until the device completes the call: with call queues, after the
 * calls parked before it, each within the device's cmd_timeout_ms. The
 * buffers may be anywhere (stack included): the call bounces them.
 *
 * Return: 0, the errno of the device's status, -E2BIG over the device's
 * limit, -EOPNOTSUPP without device calls, -ENODEV once the device is
 * removed, -EIO once it is broken, -ETIMEDOUT, -ENOMEM.
 */
int vbus_call(struct vbus_client_device *vc, u32 func, const void *out,
	      size_t out_len, void *in, size_t in_len,
	      struct vbus_call_result *res)
{
	struct virtio_vbus *vb = vc->vb;
	struct vbus_cmd_result cres;
	struct vbus_call_bufs b;
	int err;

	memset(res, 0, sizeof(*res));
	err = vbus_call_bufs_alloc(vb, &b, out_len, in_len);
	if (err)
		return err;
	if (out_len)
		memcpy(b.out, out, out_len);
	err = vbus_do_call(vb, func, &b, false, &cres);
	if (!err && cres.result)
		memcpy(in, b.in, cres.result);
	res->len = err ? 0 : cres.result;
	res->status = cres.status;
	res->qualifier = cres.qualifier;
	vbus_call_bufs_free(&b);
	return err;
}
EXPORT_SYMBOL_GPL(vbus_call);

/**
 * struct vbus_client_call - an asynchronous call of a client driver
 * @req: the call
 * @vc: the client device; touched only by whoever took @call, while
 *	@node keeps vbus_call_drain() and vbus_client_del() waiting
 * @call: the client's description, where the answer goes; taken with
 *	xchg() by whoever ends the call for the client: the device's answer,
 *	or vbus_client_calls_abandon()
 * @abandoned: @call, as vbus_client_calls_abandon() took it
 * @node: in @vc->calls until the call ended for the client and its @done
 *	returned
 */
struct vbus_client_call {
	struct vbus_call_req req;
	struct vbus_client_device *vc;
	struct vbus_call_async *call;
	struct vbus_call_async *abandoned;
	struct list_head node;
};

/*
 * Ends @call for the client with @err, and the device's answer when it
 * gave one (@answered); then leaves @vc->calls, last: once the list is
 * empty, nothing touches @vc any more.
 */
static void vbus_client_call_finish(struct vbus_client_call *kc,
				    struct vbus_call_async *call, int err,
				    bool answered)
{
	struct vbus_client_device *vc = kc->vc;
	struct completion *completion = call->completion;
	struct vbus_call_req *req = &kc->req;
	unsigned long flags;

	memset(&call->res, 0, sizeof(call->res));
	if (answered) {
		if (!err && req->res.result)
			memcpy(call->in, req->b.in, req->res.result);
		call->res.len = err ? 0 : req->res.result;
		call->res.status = req->res.status;
		call->res.qualifier = req->res.qualifier;
	}
	call->err = err;
	/* @done may free @call. */
	if (call->done)
		call->done(call);
	if (completion)
		complete(completion);
	spin_lock_irqsave(&vc->calls_lock, flags);
	list_del_init(&kc->node);
	wake_up(&vc->calls_wq);
	spin_unlock_irqrestore(&vc->calls_lock, flags);
}

/* The call ended: for the client too, unless abandoned before. */
static void vbus_client_call_end(struct vbus_call_req *req)
{
	struct vbus_client_call *kc = container_of(req, struct vbus_client_call,
						   req);
	struct vbus_call_async *call = xchg(&kc->call, NULL);

	if (call)
		vbus_client_call_finish(kc, call, req->err, true);
}

static void vbus_client_call_release(struct vbus_call_req *req)
{
	kfree(container_of(req, struct vbus_client_call, req));
}

/**
 * vbus_call_submit() - a device call from a client driver, not waited for
 * @vc: the client device
 * @call: the call; the caller's until @call->done runs
 *
 * Process context. The calls of a device with call queues run
 * concurrently and end in any order (a call waits parked while the queue
 * is full); without them they go through the mailbox one at a time, in
 * order. A call the device keeps past its cmd_timeout_ms breaks the
 * device and ends with the reset or removal that follows, or with
 * vbus_call_drain(), which the client's remove must call.
 *
 * Return: 0 when @call->done will run (it may have run already); else it
 * will not: -E2BIG over the device's limit, -EOPNOTSUPP without device
 * calls, -ENODEV once the device is removed, -EIO once it is broken,
 * -EBUSY while it resets, -EAGAIN before it is ready, -ENOMEM.
 */
int vbus_call_submit(struct vbus_client_device *vc,
		     struct vbus_call_async *call)
{
	struct virtio_vbus *vb = vc->vb;
	struct vbus_client_call *kc;
	int err;

	kc = kzalloc(sizeof(*kc), GFP_KERNEL);
	if (!kc)
		return -ENOMEM;
	vbus_call_req_init(&kc->req, vb, call->func, vbus_client_call_end,
			   vbus_client_call_release);
	kc->vc = vc;
	kc->call = call;
	err = vbus_call_bufs_alloc(vb, &kc->req.b, call->out_len,
				   call->in_len);
	if (err)
		goto out_put;
	if (call->out_len)
		memcpy(kc->req.b.out, call->out, call->out_len);
	spin_lock_irq(&vc->calls_lock);
	list_add_tail(&kc->node, &vc->calls);
	spin_unlock_irq(&vc->calls_lock);
	err = vbus_call_start(&kc->req);
	/* Unless a drain (against the rules) took it: then it ends there. */
	if (err && xchg(&kc->call, NULL)) {
		spin_lock_irq(&vc->calls_lock);
		list_del_init(&kc->node);
		spin_unlock_irq(&vc->calls_lock);
	} else if (err) {
		err = 0;
	}
out_put:
	vbus_call_req_put(&kc->req);
	return err;
}
EXPORT_SYMBOL_GPL(vbus_call_submit);

/* Whether no call of the client is out, and no ender is still at work. */
static bool vbus_client_calls_done(struct vbus_client_device *vc)
{
	bool empty;

	spin_lock_irq(&vc->calls_lock);
	empty = list_empty(&vc->calls);
	spin_unlock_irq(&vc->calls_lock);
	return empty;
}

/*
 * Ends for the client its calls still out, with @err, their @done called
 * unless @silent (the client is gone); the device keeps the buffers of
 * those it has. Then waits for enders already at work. Return: how many.
 */
unsigned int vbus_client_calls_abandon(struct vbus_client_device *vc, int err,
				       bool silent)
{
	struct vbus_client_call *kc, *next;
	unsigned int n = 0;
	LIST_HEAD(taken);

	spin_lock_irq(&vc->calls_lock);
	list_for_each_entry_safe(kc, next, &vc->calls, node) {
		kc->abandoned = xchg(&kc->call, NULL);
		if (!kc->abandoned)
			continue;	/* being ended: its own path finishes */
		kref_get(&kc->req.kref);	/* kc may end meanwhile */
		list_move_tail(&kc->node, &taken);
		n++;
	}
	spin_unlock_irq(&vc->calls_lock);
	list_for_each_entry_safe(kc, next, &taken, node) {
		if (silent)
			list_del_init(&kc->node);
		else
			vbus_client_call_finish(kc, kc->abandoned, err, false);
		vbus_call_req_put(&kc->req);
	}
	wait_event(vc->calls_wq, vbus_client_calls_done(vc));
	return n;
}

/**
 * vbus_call_drain() - wait for every asynchronous call of the client
 * @vc: the client device
 *
 * For the client's remove (and before it frees what its callbacks use):
 * returns once every call submitted through @vc has ended and its @done
 * has returned. Calls still out after the device's cmd_timeout_ms end
 * then with -ETIMEDOUT; the device keeps their buffers, not the client's.
 * Process context.
 */
void vbus_call_drain(struct vbus_client_device *vc)
{
	unsigned long t = msecs_to_jiffies(vc->vb->cmd_timeout_ms + 1000);

	wait_event_timeout(vc->calls_wq, vbus_client_calls_done(vc), t);
	vbus_client_calls_abandon(vc, -ETIMEDOUT, false);
}
EXPORT_SYMBOL_GPL(vbus_call_drain);
