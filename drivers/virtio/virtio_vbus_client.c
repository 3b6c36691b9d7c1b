// SPDX-License-Identifier: GPL-2.0-only
/*
 * Client drivers: each vbus device appears on the auxiliary bus as
 * virtio_vbus.<type>.<N>, where a type-specific driver binds; this file
 * also holds the API such drivers call, but for calls
 * (virtio_vbus_client_call.c).
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
	spin_lock_init(&vc->calls_lock);
	INIT_LIST_HEAD(&vc->calls);
	init_waitqueue_head(&vc->calls_wq);
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
	/* A client gone without vbus_call_drain(): its callbacks are too. */
	if (vbus_client_calls_abandon(vc, -ENODEV, true))
		dev_warn(&vb->dev, "client driver left asynchronous calls behind\n");
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
