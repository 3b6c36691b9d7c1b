// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctls of /dev/vbusN (Documentation/virtio-vbus-api.rst). Every
 * argument structure starts with argsz and flags, as VFIO's do, so that it
 * can grow without a new ioctl number.
 */
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "virtio_vbus.h"

/**
 * vbus_arg_in() - copy an extensible ioctl argument from userspace
 * @karg: the kernel's copy
 * @ksize: sizeof(*@karg), this kernel's version of the structure
 * @minsz: the size of the structure's first version
 * @uarg: the user's structure, whose first field is its argsz
 *
 * Return: 0; -EINVAL for an argsz below @minsz; -E2BIG for one over a
 * page, or when bytes past @ksize that this kernel does not know are not
 * zero; -EFAULT.
 */
int vbus_arg_in(void *karg, size_t ksize, size_t minsz,
		const void __user *uarg)
{
	u32 argsz;
	int err;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	/* As clone3() and openat2(): no scan of a huge tail. */
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(karg, ksize, uarg, argsz);
	/* The argsz checked, not what a racing thread wrote since. */
	*(u32 *)karg = argsz;
	return err;
}

/* Writes @karg back, at most its argsz (the first field) bytes. */
static int vbus_arg_out(void __user *uarg, const void *karg, size_t ksize)
{
	u32 argsz = *(const u32 *)karg;

	return copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)) ?
		-EFAULT : 0;
}

static long vbus_ioctl_info(struct virtio_vbus *vb, void __user *argp)
{
	struct vbus_info info;
	int err;

	err = VBUS_ARG_IN(info, argp, instance);
	if (err)
		return err;
	if (info.flags)
		return -EINVAL;
	mutex_lock(&vb->lock);
	if (vb->state == VBUS_STATE_REMOVED) {
		mutex_unlock(&vb->lock);
		return -ENODEV;
	}
	info.features = vb->vdev->features;
	info.state = vb->state;
	mutex_unlock(&vb->lock);

	strscpy_pad(info.type, vb->type, sizeof(info.type));
	info.abi_version = vb->abi_version;
	info.max_call_len = vb->max_call_len;
	info.max_regions = vb->max_regions;
	info.max_region_bytes = vb->max_region_bytes;
	info.num_event_queues = vb->num_evqs;
	info.instance = vb->instance;
	return vbus_arg_out(argp, &info, sizeof(info));
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

	err = VBUS_ARG_IN(uc, argp, qualifier);
	if (err)
		return err;
	if (uc.flags)
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
	err = vbus_arg_out(argp, &uc, sizeof(uc)) ?: err;
out_free:
	vbus_call_bufs_free(&b);
	return err;
}

static long vbus_ioctl_region_create(struct vbus_file *vf, void __user *argp)
{
	struct virtio_vbus *vb = vf->vb;
	struct vbus_region_create rc;
	struct vbus_region *r;
	unsigned long flags;
	int err;

	err = VBUS_ARG_IN(rc, argp, pad);
	if (err)
		return err;
	if ((rc.flags & ~VBUS_REGION_F_SIGNAL) || rc.pad)
		return -EINVAL;
	if (vbus_client_bound(vb))
		return -EBUSY;
	r = vbus_region_new(vb, rc.len, rc.priority,
			    rc.flags & VBUS_REGION_F_SIGNAL);
	if (IS_ERR(r))
		return PTR_ERR(r);

	/* Before the table: another thread may destroy it from then on. */
	rc.id = r->id;
	rc.len = r->len;
	rc.sigdesc_offset = r->sigdesc_offset;
	rc.mmap_offset = (u64)r->id << VBUS_MMAP_SHIFT;
	/* The owner first: once in the table, the region is reachable. */
	spin_lock_irqsave(&vb->files_lock, flags);
	r->owner = vf;
	spin_unlock_irqrestore(&vb->files_lock, flags);
	err = xa_insert(&vf->regions, rc.id, r, GFP_KERNEL);
	if (err) {
		vbus_file_region_drop(vf, r);
		return err;
	}
	err = vbus_arg_out(argp, &rc, sizeof(rc));
	/* Unless another thread destroyed it already, by its guessed id. */
	if (err) {
		r = xa_erase(&vf->regions, rc.id);
		if (r)
			vbus_file_region_drop(vf, r);
	}
	return err;
}

/* A struct vbus_region_ref: the region id; 0 or -errno. */
static int vbus_region_ref_in(void __user *argp, u32 *id)
{
	struct vbus_region_ref ref;
	int err;

	err = VBUS_ARG_IN(ref, argp, id);
	if (err)
		return err;
	if (ref.flags)
		return -EINVAL;
	*id = ref.id;
	return 0;
}

static long vbus_ioctl_region_destroy(struct vbus_file *vf, void __user *argp)
{
	struct vbus_region *r;
	u32 id;
	int err;

	err = vbus_region_ref_in(argp, &id);
	if (err)
		return err;
	r = xa_erase(&vf->regions, id);
	if (!r)
		return -ENOENT;
	return vbus_file_region_drop(vf, r);
}

static long vbus_ioctl_signal(struct vbus_file *vf, void __user *argp)
{
	struct vbus_region *r;
	u32 id;
	int err;

	err = vbus_region_ref_in(argp, &id);
	if (err)
		return err;
	r = vbus_file_region_get(vf, id);
	if (!r)
		return -ENOENT;
	err = vbus_signal_raise(r);
	vbus_region_put(r);
	return err;
}

/* Attaches @fd (-1: none) to @r, whose reference the caller keeps. */
static int vbus_region_set_eventfd(struct vbus_region *r, int fd)
{
	struct virtio_vbus *vb = r->vb;
	struct eventfd_ctx *ctx = NULL, *old;

	if (!r->desc)
		return -EINVAL;
	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	mutex_lock(&vb->region_lock);
	old = rcu_replace_pointer(r->eventfd, ctx,
				  lockdep_is_held(&vb->region_lock));
	mutex_unlock(&vb->region_lock);
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
	return 0;
}

static long vbus_ioctl_set_eventfd(struct vbus_file *vf, void __user *argp)
{
	struct vbus_region_eventfd re;
	struct vbus_region *r;
	int err;

	err = VBUS_ARG_IN(re, argp, fd);
	if (err)
		return err;
	if (re.flags)
		return -EINVAL;
	if (re.fd < -1)
		return -EBADF;
	r = vbus_file_region_get(vf, re.id);
	if (!r)
		return -ENOENT;
	err = vbus_region_set_eventfd(r, re.fd);
	vbus_region_put(r);
	return err;
}

/* Device-wide: setting it takes what a reset takes (vbus_file_may_reset()). */
static long vbus_ioctl_coalesce(struct vbus_file *vf, void __user *argp)
{
	struct virtio_vbus *vb = vf->vb;
	struct vbus_coalesce co;
	int err;

	err = VBUS_ARG_IN(co, argp, per_ms);
	if (err)
		return err;
	if (co.flags & ~VBUS_COALESCE_F_SET)
		return -EINVAL;
	if (!vb->has_coalesce)
		return -EOPNOTSUPP;
	if (co.flags & VBUS_COALESCE_F_SET) {
		if (!vbus_file_may_reset(vf))
			return -EPERM;
		err = vbus_set_coalesce(vb, co.per_ms);
		if (err)
			return err;
	}
	co.per_ms = READ_ONCE(vb->coalesce_per_ms);
	return vbus_arg_out(argp, &co, sizeof(co));
}

long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vbus_file *vf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VBUS_IOC_INFO:
		return vbus_ioctl_info(vf->vb, argp);
	case VBUS_IOC_CALL:
		return vbus_ioctl_call(vf->vb, argp);
	case VBUS_IOC_REGION_CREATE:
		return vbus_ioctl_region_create(vf, argp);
	case VBUS_IOC_REGION_DESTROY:
		return vbus_ioctl_region_destroy(vf, argp);
	case VBUS_IOC_SIGNAL:
		return vbus_ioctl_signal(vf, argp);
	case VBUS_IOC_SET_EVENTFD:
		return vbus_ioctl_set_eventfd(vf, argp);
	case VBUS_IOC_RESET:
		return vbus_file_reset(vf);
	case VBUS_IOC_COALESCE:
		return vbus_ioctl_coalesce(vf, argp);
	case VBUS_IOC_CALL_FD:
		return vbus_call_fd_new(vf->vb);
	default:
		return -ENOTTY;
	}
}
