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

static long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct virtio_vbus *vb = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VBUS_IOC_INFO:
		return vbus_ioctl_info(vb, argp);
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
