// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-vbus: vbus device calls, shared-memory regions and shm-signals
 * over any virtio transport. One virtio device is one vbus device.
 *
 * This file binds the driver: feature negotiation, the identity and limits
 * in configuration space, the character device, probe and remove.
 */
#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "virtio_vbus.h"

#define VBUS_MAX_INSTANCES	256

static dev_t vbus_devt;
static DEFINE_IDA(vbus_ida);

static struct class vbus_class = {
	.name = "vbus",
};

static const char * const vbus_state_names[] = {
	[VBUS_STATE_STANDBY]	= "standby",
	[VBUS_STATE_READY]	= "ready",
	[VBUS_STATE_RESETTING]	= "resetting",
	[VBUS_STATE_BROKEN]	= "broken",
	[VBUS_STATE_REMOVED]	= "removed",
};

/**
 * vbus_state_name() - the name of a device state, as shown in sysfs
 * @state: enum vbus_state
 *
 * Return: a static string, "unknown" for a value out of range.
 */
const char *vbus_state_name(enum vbus_state state)
{
	if (state >= ARRAY_SIZE(vbus_state_names))
		return "unknown";
	return vbus_state_names[state];
}

/**
 * vbus_state_errno() - whether the device takes requests now
 * @vb: the vbus device
 *
 * Return: 0 when ready, else the errno a request gets in this state:
 * -EAGAIN before the device is ready, -EBUSY while it resets, -EIO when it
 * is broken, -ENODEV once it is removed.
 */
int vbus_state_errno(struct virtio_vbus *vb)
{
	static const int errnos[] = {
		[VBUS_STATE_STANDBY]	= -EAGAIN,
		[VBUS_STATE_READY]	= 0,
		[VBUS_STATE_RESETTING]	= -EBUSY,
		[VBUS_STATE_BROKEN]	= -EIO,
		[VBUS_STATE_REMOVED]	= -ENODEV,
	};
	enum vbus_state state = READ_ONCE(vb->state);

	return state < ARRAY_SIZE(errnos) ? errnos[state] : -EIO;
}

/**
 * vbus_config_resync() - read all of config space once
 * @vb: the vbus device, just reset
 *
 * virtio-ccw writes config space from offset 0 up to the end of the field
 * written, from a cache it fills on reads and never clears: after a reset
 * it would re-send the old mailbox. Reading everything refreshes it; the
 * other transports just pay for the reads.
 */
static void vbus_config_resync(struct virtio_vbus *vb)
{
	u8 buf[sizeof(struct virtio_vbus_config)];

	virtio_cread_bytes(vb->vdev, 0, buf, sizeof(buf));
}

/**
 * vbus_read_type() - read and validate the device type name
 * @vb: the vbus device
 *
 * The device is not trusted to terminate or sanitise the name: it must
 * hold a NUL within VIRTIO_VBUS_TYPE_LEN bytes and be printable ASCII.
 *
 * Return: 0, or -EINVAL for a malformed name.
 */
static int vbus_read_type(struct virtio_vbus *vb)
{
	struct virtio_device *vdev = vb->vdev;
	u8 raw[VIRTIO_VBUS_TYPE_LEN];
	size_t len;
	int i;

	virtio_cread_bytes(vdev, offsetof(struct virtio_vbus_config, type),
			   raw, sizeof(raw));
	len = strnlen(raw, sizeof(raw));
	if (len == sizeof(raw)) {
		dev_err(&vdev->dev, "device type name is not NUL-terminated\n");
		return -EINVAL;
	}
	if (!len) {
		dev_err(&vdev->dev, "device type name is empty\n");
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (raw[i] > 0x7e || !isprint(raw[i])) {
			dev_err(&vdev->dev,
				"device type name has a non-printable byte 0x%02x at %d\n",
				raw[i], i);
			return -EINVAL;
		}
	}
	memcpy(vb->type, raw, len + 1);
	return 0;
}

/*
 * With VIRTIO_VBUS_F_CALLQ: the call queues, one per CPU up to the
 * driver's maximum. -EINVAL for limits out of the specification's range.
 */
static int vbus_read_callq_limits(struct virtio_vbus *vb)
{
	struct virtio_device *vdev = vb->vdev;
	u16 ncallqs;

	vb->has_callq = vb->has_call &&
			virtio_has_feature(vdev, VIRTIO_VBUS_F_CALLQ);
	if (!vb->has_callq)
		return 0;
	virtio_cread_le(vdev, struct virtio_vbus_config, num_call_queues,
			&ncallqs);
	virtio_cread_le(vdev, struct virtio_vbus_config, max_calls,
			&vb->max_calls);
	if (!ncallqs || ncallqs > VIRTIO_VBUS_MAX_CALL_QUEUES ||
	    !vb->max_calls) {
		dev_err(&vdev->dev, "num_call_queues %u (1..%u) or max_calls %u (>0) out of range\n",
			ncallqs, VIRTIO_VBUS_MAX_CALL_QUEUES, vb->max_calls);
		return -EINVAL;
	}
	vb->num_callqs = min3(ncallqs, num_possible_cpus(),
			      VBUS_DRV_MAX_CALLQS);
	/* A chain of many segments takes one descriptor, or none fits. */
	vb->callq_sg = virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

/**
 * vbus_read_limits() - read and validate the limits in configuration space
 * @vb: the vbus device
 *
 * Return: 0, or -EINVAL when a limit the negotiated features need is
 * missing or out of range.
 */
static int vbus_read_limits(struct virtio_vbus *vb)
{
	struct virtio_device *vdev = vb->vdev;
	u16 nevqs;
	int err;

	virtio_cread_le(vdev, struct virtio_vbus_config, abi_version,
			&vb->abi_version);
	virtio_cread_le(vdev, struct virtio_vbus_config, max_call_len,
			&vb->max_call_len);
	vb->max_call_len = min(vb->max_call_len, VBUS_DRV_MAX_CALL_LEN);
	virtio_cread_le(vdev, struct virtio_vbus_config, max_regions,
			&vb->max_regions);
	virtio_cread_le(vdev, struct virtio_vbus_config, max_region_bytes,
			&vb->max_region_bytes);
	virtio_cread_le(vdev, struct virtio_vbus_config, num_event_queues,
			&nevqs);
	virtio_cread_le(vdev, struct virtio_vbus_config, cmd_timeout_ms,
			&vb->cmd_timeout_ms);

	if (!vb->cmd_timeout_ms || vb->cmd_timeout_ms > VBUS_MAX_CMD_TIMEOUT_MS) {
		dev_err(&vdev->dev, "cmd_timeout_ms %u out of range 1..%u\n",
			vb->cmd_timeout_ms, VBUS_MAX_CMD_TIMEOUT_MS);
		return -EINVAL;
	}
	if (!nevqs || nevqs > VIRTIO_VBUS_MAX_EVENT_QUEUES) {
		dev_err(&vdev->dev, "num_event_queues %u out of range 1..%u\n",
			nevqs, VIRTIO_VBUS_MAX_EVENT_QUEUES);
		return -EINVAL;
	}
	vb->num_evqs = virtio_has_feature(vdev, VIRTIO_VBUS_F_MULTI_EVQ) ?
		       nevqs : 1;
	vb->has_call = virtio_has_feature(vdev, VIRTIO_VBUS_F_CALL);
	vb->has_shm = virtio_has_feature(vdev, VIRTIO_VBUS_F_SHM);
	vb->has_coalesce = virtio_has_feature(vdev, VIRTIO_VBUS_F_COALESCE);
	vb->dev_evqs = nevqs;
	err = vbus_read_callq_limits(vb);
	if (err)
		return err;
	if (vb->has_shm && !vb->max_regions)
		dev_info(&vdev->dev, "shared memory offered with no region\n");
	return 0;
}

static void vbus_dev_release(struct device *dev)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);

	ida_free(&vbus_ida, vb->instance);
	kfree(vb);
}

static void vbus_config_changed(struct virtio_device *vdev)
{
	struct virtio_vbus *vb = vdev->priv;

	/* Interrupt context: wake command waiters, defer the rest. */
	atomic64_inc(&vb->stats.cmd_irqs);
	atomic_inc(&vb->cfg_events);
	wake_up_all(&vb->cfg_wq);
	queue_work(system_percpu_wq, &vb->config_work);
}

/*
 * Brings the device up: virtqueues, DRIVER_OK, event buffers. Probe,
 * system sleep and every reset share it.
 */
static int vbus_dev_init(struct virtio_vbus *vb)
{
	int err;

	vbus_config_resync(vb);
	err = vbus_evq_init(vb);
	if (err)
		return err;
	virtio_device_ready(vb->vdev);
	vbus_evq_fill(vb);
	return 0;
}

/*
 * Takes the device down, its state already out of READY: the command in
 * flight leaves, the device is reset (it accesses no memory after), the
 * workers stop, regions and virtqueues go, files get @uevent (if not 0).
 * Remove, system sleep and every reset share it.
 */
static void vbus_dev_teardown(struct virtio_vbus *vb, u32 uevent)
{
	/* Command waiters see the new state and give up. */
	wake_up_all(&vb->cfg_wq);
	vbus_cmd_reset(vb);
	vbus_mbox_stop(vb);
	vbus_evq_stop(vb);
	vbus_fault_late_irq(vb);
	cancel_work_sync(&vb->config_work);
	vbus_regions_reset(vb);
	if (uevent)
		vbus_files_event(vb, uevent, -ENODEV);
	vbus_evq_del(vb);
}

/* Takes the device down for a reset or a system sleep. */
static int vbus_dev_down(struct virtio_vbus *vb)
{
	int err;

	err = vbus_fsm_event(vb, VBUS_EV_RESET, NULL);
	if (err)
		return err;
	vbus_dev_teardown(vb, 0);
	return 0;
}

/* Brings the device up again after vbus_dev_down(). */
static int vbus_dev_up(struct virtio_vbus *vb)
{
	int err;

	err = vbus_dev_init(vb);
	if (!err)
		err = vbus_fsm_event(vb, VBUS_EV_READY, NULL);
	if (err)
		return err;
	/* The reset forgot the settings; then files learn of it. */
	vbus_ctrl_apply(vb);
	vbus_files_event(vb, VBUS_UEVT_RESET, 0);
	return 0;
}

/*
 * The sleep ends (restore, or a reset when the transport failed before
 * restore): the client asked at freeze, relocked, for
 * vbus_client_reset_done(). Under @reset_lock.
 */
static struct vbus_client_device *vbus_pm_wake(struct virtio_vbus *vb)
{
	struct vbus_client_device *vc = vbus_client_pm_unpark(vb->pm_client);

	vb->pm_client = NULL;
	vb->asleep = false;
	return vc;
}

/* Re-initialisation failed: the device is broken until a reset works. */
static void vbus_dev_up_failed(struct virtio_vbus *vb)
{
	virtio_add_status(vb->vdev, VIRTIO_CONFIG_S_FAILED);
	vbus_fsm_event(vb, VBUS_EV_RESET_FAILED,
		       "re-initialisation after a reset failed");
}

/*
 * After a reset: the status steps of initialisation again, with the
 * features negotiated at probe (what virtio_device_restore() does, which
 * exists only with CONFIG_PM_SLEEP).
 */
static int vbus_renegotiate(struct virtio_device *vdev)
{
	int err;

	virtio_add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_add_status(vdev, VIRTIO_CONFIG_S_DRIVER);
	err = vdev->config->finalize_features(vdev);
	if (err)
		return err;
	virtio_add_status(vdev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENODEV;
	return 0;
}

/**
 * vbus_reset() - the driver's reset of its device
 * @vb: the vbus device
 *
 * The one path for resets from sysfs, from userspace and from the device
 * (DEVICE_NEEDS_RESET, a RESET_REQUEST event): the bound client driver
 * lets go, new requests get -EBUSY at once, the command in flight is
 * abandoned (-ECANCELED), regions close (their files are told), the device
 * is reset and initialised again (vbus_dev_down(), vbus_dev_up(), which a
 * system sleep shares), and the client driver is told.
 *
 * Return: 0, -EOPNOTSUPP when a bound client driver takes no resets (or
 * its refusal), -EBUSY when a reset runs already, -ENODEV once removed,
 * or why re-initialisation failed (the device is then broken).
 */
static int vbus_reset_locked(struct virtio_vbus *vb)
{
	struct vbus_client_device *vc;
	int err;

	lockdep_assert_held(&vb->reset_lock);
	err = vbus_state_errno(vb);
	/* Resetting: another reset, or a sleep, owns the device. */
	if (err == -ENODEV || err == -EAGAIN || (err == -EBUSY && !vb->asleep))
		return err;
	if (vb->asleep) {
		/* A sleep whose restore never came: the device is down. */
		vc = vbus_pm_wake(vb);
		vbus_cmd_reset(vb);
		err = 0;
	} else {
		vc = vbus_client_reset_prepare(vb, &err);
		if (err)
			return err;
		err = vbus_dev_down(vb);
	}
	dev_info(&vb->dev, "reset\n");
	if (!err) {
		err = vbus_renegotiate(vb->vdev);
		if (!err)
			err = vbus_dev_up(vb);
		if (err)
			vbus_dev_up_failed(vb);
	}
	vbus_client_reset_done(vc, err);
	return err;
}

int vbus_reset(struct virtio_vbus *vb)
{
	int err;

	/* One at a time: the others are told at once. */
	if (!mutex_trylock(&vb->reset_lock))
		return -EBUSY;
	err = vbus_reset_locked(vb);
	mutex_unlock(&vb->reset_lock);
	return err;
}

#ifdef CONFIG_PM_SLEEP
/*
 * A system sleep is a reset in two halves, on the same path: the bound
 * client driver is asked first (its refusal fails the suspend, as a
 * driver's would), the device goes down; after the sleep it comes up and
 * the client is told. The client is not kept locked across the sleep.
 */
static int vbus_pm_freeze(struct virtio_device *vdev)
{
	struct virtio_vbus *vb = vdev->priv;
	struct vbus_client_device *vc;
	bool requested;
	int err;

	/*
	 * A reset the device asked for would bring it up again: not now
	 * (vbus_reset_work() also leaves a sleeping device alone), and
	 * again if the sleep fails.
	 */
	requested = cancel_work_sync(&vb->reset_work);
	mutex_lock(&vb->reset_lock);
	vc = vbus_client_reset_prepare(vb, &err);
	if (!err) {
		err = vbus_dev_down(vb);
		if (err) {
			vbus_client_reset_done(vc, err);
		} else {
			vb->pm_client = vbus_client_pm_park(vc);
			vb->asleep = true;
		}
	}
	mutex_unlock(&vb->reset_lock);
	if (err && requested)
		queue_work(vbus_wq, &vb->reset_work);
	return err;
}

static int vbus_pm_restore(struct virtio_device *vdev)
{
	struct virtio_vbus *vb = vdev->priv;
	struct vbus_client_device *vc;
	int err;

	mutex_lock(&vb->reset_lock);
	vc = vbus_pm_wake(vb);
	err = vbus_dev_up(vb);
	if (err)
		vbus_dev_up_failed(vb);
	vbus_client_reset_done(vc, err);
	mutex_unlock(&vb->reset_lock);
	return err;
}
#endif

/*
 * Queues a reset the device asked for. Only a ready or broken device: once
 * teardown started nothing may queue it (remove cancels it after).
 */
void vbus_request_reset(struct virtio_vbus *vb)
{
	enum vbus_state state = READ_ONCE(vb->state);

	if (state == VBUS_STATE_READY || state == VBUS_STATE_BROKEN)
		queue_work(vbus_wq, &vb->reset_work);
}

/* A reset the device asked for: unless a client driver cannot take one. */
static void vbus_reset_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      reset_work);
	enum vbus_state state;
	int err = 0;

	/* Waits for a reset or a setting in progress: the device asked. */
	mutex_lock(&vb->reset_lock);
	state = READ_ONCE(vb->state);
	/* Not while a sleep, a reset or removal has the device down. */
	if (!vb->asleep &&
	    (state == VBUS_STATE_READY || state == VBUS_STATE_BROKEN))
		err = vbus_reset_locked(vb);
	mutex_unlock(&vb->reset_lock);
	if (err)
		vbus_set_broken(vb, "the device needs a reset its client driver refused (%d)",
				err);
}

/* Process context for configuration changes: DEVICE_NEEDS_RESET. */
static void vbus_config_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      config_work);
	u8 status;

	if (vbus_state_errno(vb))
		return;
	status = vb->vdev->config->get_status(vb->vdev);
	if (status & VIRTIO_CONFIG_S_NEEDS_RESET) {
		dev_warn(&vb->dev, "device needs a reset\n");
		vbus_request_reset(vb);
	}
}

static int vbus_probe(struct virtio_device *vdev)
{
	struct virtio_vbus *vb;
	int err;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -ENODEV;
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "transport has no config space access\n");
		return -EINVAL;
	}

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vb->instance = ida_alloc_max(&vbus_ida, VBUS_MAX_INSTANCES - 1,
				     GFP_KERNEL);
	if (vb->instance < 0) {
		err = vb->instance;
		kfree(vb);
		return err;
	}

	/* From here on the refcount of vb->dev owns vb. */
	device_initialize(&vb->dev);
	vb->dev.class = &vbus_class;
	vb->dev.parent = &vdev->dev;
	vb->dev.devt = MKDEV(MAJOR(vbus_devt), vb->instance);
	vb->dev.groups = vbus_dev_groups;
	vb->dev.release = vbus_dev_release;
	err = dev_set_name(&vb->dev, "vbus%d", vb->instance);
	if (err)
		goto err_put_dev;

	vb->vdev = vdev;
	vb->state = VBUS_STATE_STANDBY;
	mutex_init(&vb->lock);
	mutex_init(&vb->reset_lock);
	mutex_init(&vb->cmd_lock);
	mutex_init(&vb->region_lock);
	init_waitqueue_head(&vb->cfg_wq);
	spin_lock_init(&vb->sigq_lock);
	spin_lock_init(&vb->files_lock);
	vbus_callq_init(vb);
	vbus_mbox_init(vb);
	vbus_evq_prepare(vb);
	INIT_LIST_HEAD(&vb->owed);
	INIT_LIST_HEAD(&vb->files);
	xa_init_flags(&vb->regions, XA_FLAGS_ALLOC);
	INIT_WORK(&vb->ack_work, vbus_region_ack_work);
	INIT_WORK(&vb->config_work, vbus_config_work);
	INIT_WORK(&vb->reset_work, vbus_reset_work);
	vdev->priv = vb;

	vbus_config_resync(vb);
	err = vbus_read_type(vb);
	if (err)
		goto err_put_dev;
	err = vbus_read_limits(vb);
	if (err)
		goto err_put_dev;
	err = vbus_dev_init(vb);
	if (err)
		goto err_put_dev;
	vbus_fsm_event(vb, VBUS_EV_READY, NULL);

	cdev_init(&vb->cdev, &vbus_fops);
	vb->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&vb->cdev, &vb->dev);
	if (err)
		goto err_teardown;
	err = vbus_client_add(vb);
	if (err)
		goto err_cdev_del;

	dev_info(&vdev->dev, "vbus%d: type %s, ABI version %u\n",
		 vb->instance, vb->type, vb->abi_version);
	return 0;

err_cdev_del:
	cdev_device_del(&vb->cdev, &vb->dev);
err_teardown:
	vbus_fsm_event(vb, VBUS_EV_REMOVE, NULL);
	mutex_lock(&vb->reset_lock);
	vbus_dev_teardown(vb, VBUS_UEVT_REMOVED);
	mutex_unlock(&vb->reset_lock);
	cancel_work_sync(&vb->reset_work);
err_put_dev:
	vdev->priv = NULL;
	put_device(&vb->dev);
	return err;
}

/*
 * The reverse of probe. Client drivers go first, while the device still
 * works; open files stay valid and get -ENODEV; a reset in progress ends
 * first; the device is reset before any memory it might access is freed.
 */
static void vbus_remove(struct virtio_device *vdev)
{
	struct virtio_vbus *vb = vdev->priv;

	vbus_client_del(vb);
	vbus_fsm_event(vb, VBUS_EV_REMOVE, NULL);
	wake_up_all(&vb->cfg_wq);
	cdev_device_del(&vb->cdev, &vb->dev);

	mutex_lock(&vb->reset_lock);
	vbus_dev_teardown(vb, VBUS_UEVT_REMOVED);
	/* A sleep that never ended: its client is gone already. */
	vbus_client_pm_drop(vb->pm_client);
	vb->pm_client = NULL;
	mutex_unlock(&vb->reset_lock);
	/* After teardown nothing queues it any more; it takes reset_lock. */
	cancel_work_sync(&vb->reset_work);
	vdev->priv = NULL;
	put_device(&vb->dev);
}

/* Call queues carry device calls: without those, they are not accepted. */
static int vbus_validate(struct virtio_device *vdev)
{
	if (!virtio_has_feature(vdev, VIRTIO_VBUS_F_CALL))
		__virtio_clear_bit(vdev, VIRTIO_VBUS_F_CALLQ);
	return 0;
}

static unsigned int vbus_features[] = {
	VIRTIO_VBUS_F_CALL,
	VIRTIO_VBUS_F_SHM,
	VIRTIO_VBUS_F_MULTI_EVQ,
	VIRTIO_VBUS_F_COALESCE,
	VIRTIO_VBUS_F_CALLQ,
};

static const struct virtio_device_id vbus_id_table[] = {
	{ VIRTIO_ID_VBUS, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vbus_id_table);

static struct virtio_driver vbus_driver = {
	.driver.name		= KBUILD_MODNAME,
	.feature_table		= vbus_features,
	.feature_table_size	= ARRAY_SIZE(vbus_features),
	.id_table		= vbus_id_table,
	.validate		= vbus_validate,
	.probe			= vbus_probe,
	.remove			= vbus_remove,
	.config_changed		= vbus_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze			= vbus_pm_freeze,
	.restore		= vbus_pm_restore,
#endif
};

/*
 * Work that may block for long: mailbox calls (each up to 60 s), and the
 * resets and region acknowledgements the device asks for (commands, each
 * waiting for its answer).
 */
struct workqueue_struct *vbus_wq;

static int __init vbus_init(void)
{
	int err;

	vbus_wq = alloc_workqueue("virtio_vbus", WQ_PERCPU, 0);
	if (!vbus_wq)
		return -ENOMEM;
	err = class_register(&vbus_class);
	if (err)
		goto err_wq;
	err = alloc_chrdev_region(&vbus_devt, 0, VBUS_MAX_INSTANCES, "vbus");
	if (err)
		goto err_class;
	vbus_fault_init();
	err = register_virtio_driver(&vbus_driver);
	if (err)
		goto err_fault;
	return 0;

err_fault:
	vbus_fault_exit();
	unregister_chrdev_region(vbus_devt, VBUS_MAX_INSTANCES);
err_class:
	class_unregister(&vbus_class);
err_wq:
	destroy_workqueue(vbus_wq);
	return err;
}

static void __exit vbus_exit(void)
{
	unregister_virtio_driver(&vbus_driver);
	vbus_fault_exit();
	unregister_chrdev_region(vbus_devt, VBUS_MAX_INSTANCES);
	class_unregister(&vbus_class);
	ida_destroy(&vbus_ida);
	destroy_workqueue(vbus_wq);
	vbus_call_bufs_flush();
}

module_init(vbus_init);
module_exit(vbus_exit);

MODULE_DESCRIPTION("virtio-vbus: vbus devices over virtio");
MODULE_LICENSE("GPL");
