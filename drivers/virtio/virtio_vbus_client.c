// SPDX-License-Identifier: GPL-2.0-only
/*
 * Client drivers: each vbus device appears on the auxiliary bus as
 * virtio_vbus.<type>.<N>, where a type-specific driver binds; this file
 * also holds the API such drivers call.
 */
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "virtio_vbus.h"

static void vbus_client_release(struct device *dev)
{
	struct vbus_client_device *vc = to_vbus_client(to_auxiliary_dev(dev));

	put_device(&vc->vb->dev);
	kfree(vc);
}

/* Auxiliary device names are sysfs names: allow [A-Za-z0-9_-] only. */
static bool vbus_type_is_name(const char *type)
{
	for (; *type; type++)
		if (!isalnum(*type) && *type != '_' && *type != '-')
			return false;
	return true;
}

/**
 * vbus_client_add() - create the auxiliary device of a vbus device
 * @vb: the vbus device
 *
 * A type that is no valid device name gets no auxiliary device (the device
 * stays usable from userspace); that is not an error.
 *
 * Return: 0 or a negative errno.
 */
int vbus_client_add(struct virtio_vbus *vb)
{
	struct vbus_client_device *vc;
	int err;

	if (!vbus_type_is_name(vb->type)) {
		dev_info(&vb->dev, "type \"%s\" is no device name: no client device\n",
			 vb->type);
		return 0;
	}
	vc = kzalloc(sizeof(*vc), GFP_KERNEL);
	if (!vc)
		return -ENOMEM;
	vc->vb = vb;
	vc->adev.name = vb->type;
	vc->adev.id = vb->instance;
	vc->adev.dev.parent = &vb->dev;
	vc->adev.dev.release = vbus_client_release;

	err = auxiliary_device_init(&vc->adev);
	if (err) {
		kfree(vc);
		return err;
	}
	/* Released by vbus_client_release(), with the client device. */
	get_device(&vb->dev);
	err = auxiliary_device_add(&vc->adev);
	if (err) {
		auxiliary_device_uninit(&vc->adev);
		return err;
	}
	mutex_lock(&vb->lock);
	vb->client = vc;
	mutex_unlock(&vb->lock);
	return 0;
}

/* Unbinds the client driver and drops the client device. */
void vbus_client_del(struct virtio_vbus *vb)
{
	struct vbus_client_device *vc;

	/* Readers of vb->client hold vb->lock: none sees vc freed. */
	mutex_lock(&vb->lock);
	vc = vb->client;
	vb->client = NULL;
	mutex_unlock(&vb->lock);
	if (!vc)
		return;
	auxiliary_device_delete(&vc->adev);
	auxiliary_device_uninit(&vc->adev);
}

/* A client driver owns the device: userspace keeps its hands off. */
bool vbus_client_bound(struct virtio_vbus *vb)
{
	bool bound;

	mutex_lock(&vb->lock);
	bound = vb->client && READ_ONCE(vb->client->adev.dev.driver);
	mutex_unlock(&vb->lock);
	return bound;
}

/**
 * vbus_client_set_reset_ops() - take part in resets of the device
 * @vc: the client device, from the client driver's probe
 * @ops: the callbacks, or NULL (in remove, or to refuse resets)
 */
void vbus_client_set_reset_ops(struct vbus_client_device *vc,
			       const struct vbus_client_reset_ops *ops)
{
	mutex_lock(&vc->vb->lock);
	vc->reset_ops = ops;
	mutex_unlock(&vc->vb->lock);
}
EXPORT_SYMBOL_GPL(vbus_client_set_reset_ops);

/**
 * vbus_client_reset_prepare() - ask the bound client, if any, to let go
 * @vb: the vbus device, @vb->reset_lock held
 * @err: 0, -EOPNOTSUPP when the client takes no resets, or its refusal
 *
 * The client device stays locked (no unbind) until
 * vbus_client_reset_done().
 *
 * Return: the client device to pass to vbus_client_reset_done(), or NULL.
 */
struct vbus_client_device *vbus_client_reset_prepare(struct virtio_vbus *vb,
						     int *err)
{
	const struct vbus_client_reset_ops *ops;
	struct vbus_client_device *vc;

	*err = 0;
	mutex_lock(&vb->lock);
	vc = vb->client;
	if (vc)
		get_device(&vc->adev.dev);
	mutex_unlock(&vb->lock);
	if (!vc)
		return NULL;

	device_lock(&vc->adev.dev);
	if (!vc->adev.dev.driver) {
		device_unlock(&vc->adev.dev);
		put_device(&vc->adev.dev);
		return NULL;
	}
	mutex_lock(&vb->lock);
	ops = vc->reset_ops;
	mutex_unlock(&vb->lock);
	*err = ops && ops->reset_prepare ? ops->reset_prepare(vc) : -EOPNOTSUPP;
	if (*err) {
		device_unlock(&vc->adev.dev);
		put_device(&vc->adev.dev);
		return NULL;
	}
	return vc;
}

/**
 * vbus_client_pm_park() - keep a prepared client across a system sleep
 * @vc: from vbus_client_reset_prepare(), or NULL
 *
 * Unlocks the client device, keeping the reference: a lock held across the
 * sleep would be released by another task when resume runs asynchronously.
 * Nothing can unbind the client while the system sleeps.
 *
 * Return: @vc, for vbus_client_pm_resume().
 */
struct vbus_client_device *vbus_client_pm_park(struct vbus_client_device *vc)
{
	if (vc)
		device_unlock(&vc->adev.dev);
	return vc;
}

/**
 * vbus_client_pm_unpark() - take a parked client back for reset_done
 * @vc: from vbus_client_pm_park(), or NULL
 *
 * Return: @vc locked, for vbus_client_reset_done(); NULL when there is none
 * or it was unbound meanwhile.
 */
struct vbus_client_device *vbus_client_pm_unpark(struct vbus_client_device *vc)
{
	if (!vc)
		return NULL;
	device_lock(&vc->adev.dev);
	if (vc->adev.dev.driver)
		return vc;
	device_unlock(&vc->adev.dev);
	put_device(&vc->adev.dev);
	return NULL;
}

/* Forgets a parked client without telling it: it is gone. */
void vbus_client_pm_drop(struct vbus_client_device *vc)
{
	if (vc)
		put_device(&vc->adev.dev);
}

void vbus_client_reset_done(struct vbus_client_device *vc, int err)
{
	const struct vbus_client_reset_ops *ops;

	if (!vc)
		return;
	mutex_lock(&vc->vb->lock);
	ops = vc->reset_ops;
	mutex_unlock(&vc->vb->lock);
	if (ops && ops->reset_done)
		ops->reset_done(vc, err);
	device_unlock(&vc->adev.dev);
	put_device(&vc->adev.dev);
}

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
 * Sleeps until the device completes the call (at most its cmd_timeout_ms).
 * The buffers may be anywhere (stack included): the call bounces them.
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
 * @call: the client's description, where the answer goes
 */
struct vbus_client_call {
	struct vbus_call_req req;
	struct vbus_call_async *call;
};

static void vbus_client_call_end(struct vbus_call_req *req)
{
	struct vbus_call_async *call =
		container_of(req, struct vbus_client_call, req)->call;
	struct completion *completion = call->completion;

	if (!req->err && req->res.result)
		memcpy(call->in, req->b.in, req->res.result);
	call->err = req->err;
	call->res.len = req->err ? 0 : req->res.result;
	call->res.status = req->res.status;
	call->res.qualifier = req->res.qualifier;
	/* @done may free @call. */
	if (call->done)
		call->done(call);
	if (completion)
		complete(completion);
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
 * Process context: sleeps while the device's call queues are full. The
 * calls of a device with call queues run concurrently and end in any
 * order; without them they go through the mailbox one at a time, in
 * order. A call the device never answers breaks the device (after its
 * cmd_timeout_ms) and ends with the reset or removal that follows.
 *
 * Return: 0 when @call->done will run (it may have run already); else it
 * will not: -E2BIG over the device's limit, -EOPNOTSUPP without device
 * calls, -ENODEV once the device is removed, -EIO once it is broken,
 * -EBUSY while it resets, -ETIMEDOUT, -ENOMEM.
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
	kc->call = call;
	err = vbus_call_bufs_alloc(vb, &kc->req.b, call->out_len,
				   call->in_len);
	if (!err && call->out_len)
		memcpy(kc->req.b.out, call->out, call->out_len);
	if (!err)
		err = vbus_call_start(&kc->req, VBUS_SUBMIT_WAIT);
	vbus_call_req_put(&kc->req);
	return err;
}
EXPORT_SYMBOL_GPL(vbus_call_submit);

const char *vbus_client_type(struct vbus_client_device *vc)
{
	return vc->vb->type;
}
EXPORT_SYMBOL_GPL(vbus_client_type);

u32 vbus_client_abi_version(struct vbus_client_device *vc)
{
	return vc->vb->abi_version;
}
EXPORT_SYMBOL_GPL(vbus_client_abi_version);
