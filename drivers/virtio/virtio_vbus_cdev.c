// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vbusN: the userspace interface of a vbus device.
 */
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "virtio_vbus.h"

static int vbus_open(struct inode *inode, struct file *file)
{
	struct virtio_vbus *vb = container_of(inode->i_cdev,
					      struct virtio_vbus, cdev);

	/* The file holds the device until it is closed, removal or not. */
	get_device(&vb->dev);
	file->private_data = vb;
	return 0;
}

static int vbus_release(struct inode *inode, struct file *file)
{
	struct virtio_vbus *vb = file->private_data;

	put_device(&vb->dev);
	return 0;
}

static long vbus_ioctl_info(struct virtio_vbus *vb, void __user *argp)
{
	struct vbus_info info = {};

	mutex_lock(&vb->lock);
	if (vb->state == VBUS_STATE_REMOVED) {
		mutex_unlock(&vb->lock);
		return -ENODEV;
	}
	info.features = vb->vdev->features;
	info.state = vb->state;
	mutex_unlock(&vb->lock);

	strscpy(info.type, vb->type, sizeof(info.type));
	info.abi_version = vb->abi_version;
	info.max_call_len = vb->max_call_len;
	info.max_regions = vb->max_regions;
	info.max_region_bytes = vb->max_region_bytes;
	info.num_event_queues = vb->num_evqs;
	info.instance = vb->instance;

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * VBUS_IOC_CALL. The struct goes back to userspace whenever the device
 * completed the call, with the device's status and qualifier, so that a
 * failed call still says why.
 */
static long vbus_ioctl_call(struct virtio_vbus *vb, void __user *argp)
{
	struct vbus_call uc;
	struct vbus_cmd_result res;
	struct vbus_call_bufs b;
	int err;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	if (uc.flags || uc.reserved)
		return -EINVAL;
	if (vbus_client_bound(vb))
		return -EBUSY;
	err = vbus_call_bufs_alloc(vb, &b, uc.out_len, uc.in_len);
	if (err)
		return err;
	if (uc.out_len &&
	    copy_from_user(b.out, u64_to_user_ptr(uc.out_ptr), uc.out_len)) {
		err = -EFAULT;
		goto out_free;
	}

	err = vbus_do_call(vb, uc.func, &b, true, &res);
	if (!res.done)
		goto out_free;
	if (!err && res.result &&
	    copy_to_user(u64_to_user_ptr(uc.in_ptr), b.in, res.result)) {
		err = -EFAULT;
		goto out_free;
	}
	uc.result_len = err ? 0 : res.result;
	uc.device_status = res.status;
	uc.qualifier = res.qualifier;
	if (copy_to_user(argp, &uc, sizeof(uc)))
		err = -EFAULT;
out_free:
	vbus_call_bufs_free(&b);
	return err;
}

static long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct virtio_vbus *vb = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VBUS_IOC_INFO:
		return vbus_ioctl_info(vb, argp);
	case VBUS_IOC_CALL:
		return vbus_ioctl_call(vb, argp);
	default:
		return -ENOTTY;
	}
}

const struct file_operations vbus_fops = {
	.owner		= THIS_MODULE,
	.open		= vbus_open,
	.release	= vbus_release,
	.unlocked_ioctl	= vbus_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};
