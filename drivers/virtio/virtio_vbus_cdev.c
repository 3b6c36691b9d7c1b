// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vbusN: the userspace interface of a vbus device
 * (Documentation/virtio-vbus-api.rst).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "virtio_vbus.h"

/* Events a file keeps for its reader before it drops the oldest. */
#define VBUS_FILE_MAX_EVENTS	256
/* mmap offset of region N: N << VBUS_MMAP_SHIFT. */
#define VBUS_MMAP_SHIFT		32

struct vbus_file_event {
	struct list_head node;
	struct vbus_user_event evt;
};

/**
 * vbus_file_event() - queue an event for a file and wake its readers
 * @vf: the file
 * @type: enum vbus_user_event_type
 * @id: region id, if any
 * @error: errno, if any
 *
 * Called with @vb->files_lock held; any context.
 */
void vbus_file_event(struct vbus_file *vf, u32 type, u32 id, int error)
{
	struct vbus_file_event *e;

	lockdep_assert_held(&vf->vb->files_lock);
	/*
	 * Full, or events lost already and not yet reported: this one is
	 * lost too, counted, and read() reports the count after the queued
	 * events (inotify's IN_Q_OVERFLOW), so that order is kept.
	 */
	e = vf->nevents < VBUS_FILE_MAX_EVENTS && !vf->lost ?
		kzalloc(sizeof(*e), GFP_ATOMIC) : NULL;
	if (!e) {
		if (vf->lost < U32_MAX)
			vf->lost++;
	} else {
		e->evt.type = type;
		e->evt.region_id = id;
		e->evt.error = error;
		list_add_tail(&e->node, &vf->events);
		vf->nevents++;
	}
	wake_up_interruptible(&vf->wq);
}

/* An event is waiting for read(): a queued one or the lost count. */
static bool vbus_file_has_event(struct vbus_file *vf)
{
	return !list_empty_careful(&vf->events) || READ_ONCE(vf->lost);
}

/* The next event for read() into @evt, under files_lock; false if none. */
static bool vbus_file_pop(struct vbus_file *vf, struct vbus_user_event *evt)
{
	struct vbus_file_event *e;

	lockdep_assert_held(&vf->vb->files_lock);
	e = list_first_entry_or_null(&vf->events, struct vbus_file_event, node);
	if (e) {
		*evt = e->evt;
		list_del(&e->node);
		vf->nevents--;
		kfree(e);
		return true;
	}
	if (!vf->lost)
		return false;
	*evt = (struct vbus_user_event){
		.type = VBUS_UEVT_OVERFLOW, .lost = vf->lost,
	};
	vf->lost = 0;
	return true;
}

/* Tells every open file of @vb. Any context. */
void vbus_files_event(struct virtio_vbus *vb, u32 type, int error)
{
	struct vbus_file *vf;
	unsigned long flags;

	spin_lock_irqsave(&vb->files_lock, flags);
	list_for_each_entry(vf, &vb->files, node)
		vbus_file_event(vf, type, 0, error);
	spin_unlock_irqrestore(&vb->files_lock, flags);
}

static int vbus_open(struct inode *inode, struct file *file)
{
	struct virtio_vbus *vb = container_of(inode->i_cdev,
					      struct virtio_vbus, cdev);
	struct vbus_file *vf;
	unsigned long flags;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	vf->vb = vb;
	vf->excl = file->f_flags & O_EXCL;
	xa_init(&vf->regions);
	INIT_LIST_HEAD(&vf->events);
	init_waitqueue_head(&vf->wq);
	/* One exclusive file (O_EXCL), or any number of shared ones. */
	spin_lock_irqsave(&vb->files_lock, flags);
	if (vb->excl || (vf->excl && !list_empty(&vb->files))) {
		spin_unlock_irqrestore(&vb->files_lock, flags);
		kfree(vf);
		return -EBUSY;
	}
	vb->excl = vf->excl;
	list_add_tail(&vf->node, &vb->files);
	spin_unlock_irqrestore(&vb->files_lock, flags);
	/* The file holds the device until it is closed, removal or not. */
	get_device(&vb->dev);
	file->private_data = vf;
	return 0;
}

/*
 * A reset destroys every file's regions: only the device's exclusive
 * owner, or an administrator, may ask for one.
 */
static int vbus_file_reset(struct vbus_file *vf)
{
	if (!vf->excl && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return vbus_reset(vf->vb);
}

/* Drops the file's region @r: no longer its owner, then closed. */
static void vbus_file_region_drop(struct vbus_file *vf, struct vbus_region *r)
{
	struct virtio_vbus *vb = vf->vb;
	unsigned long flags;

	spin_lock_irqsave(&vb->files_lock, flags);
	r->owner = NULL;
	spin_unlock_irqrestore(&vb->files_lock, flags);
	vbus_region_del(r);
	vbus_region_put(r);
}

static int vbus_release(struct inode *inode, struct file *file)
{
	struct vbus_file *vf = file->private_data;
	struct virtio_vbus *vb = vf->vb;
	struct vbus_file_event *e, *tmp;
	struct vbus_region *r;
	unsigned long id, flags;

	spin_lock_irqsave(&vb->files_lock, flags);
	list_del(&vf->node);
	if (vf->excl)
		vb->excl = false;
	spin_unlock_irqrestore(&vb->files_lock, flags);
	xa_for_each(&vf->regions, id, r) {
		xa_erase(&vf->regions, id);
		vbus_file_region_drop(vf, r);
	}
	xa_destroy(&vf->regions);
	list_for_each_entry_safe(e, tmp, &vf->events, node)
		kfree(e);
	put_device(&vf->vb->dev);
	kfree(vf);
	return 0;
}

/* The file's region @id, with a reference: a destroy may run meanwhile. */
static struct vbus_region *vbus_file_region_get(struct vbus_file *vf, u32 id)
{
	struct vbus_region *r;

	xa_lock(&vf->regions);
	r = xa_load(&vf->regions, id);
	if (r)
		kref_get(&r->kref);
	xa_unlock(&vf->regions);
	return r;
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

static long vbus_ioctl_region_create(struct vbus_file *vf, void __user *argp)
{
	struct virtio_vbus *vb = vf->vb;
	struct vbus_region_create rc;
	struct vbus_region *r;
	unsigned long flags;
	int err;

	if (copy_from_user(&rc, argp, sizeof(rc)))
		return -EFAULT;
	if ((rc.flags & ~VBUS_REGION_F_SIGNAL) || rc.reserved[0] ||
	    rc.reserved[1])
		return -EINVAL;
	if (vbus_client_bound(vb))
		return -EBUSY;
	r = vbus_region_new(vb, rc.len, rc.priority,
			    rc.flags & VBUS_REGION_F_SIGNAL);
	if (IS_ERR(r))
		return PTR_ERR(r);

	/* The owner first: once in the table, the region is reachable. */
	spin_lock_irqsave(&vb->files_lock, flags);
	r->owner = vf;
	spin_unlock_irqrestore(&vb->files_lock, flags);
	err = xa_insert(&vf->regions, r->id, r, GFP_KERNEL);
	if (err) {
		vbus_file_region_drop(vf, r);
		return err;
	}

	rc.id = r->id;
	rc.len = r->len;
	rc.sigdesc_offset = r->sigdesc_offset;
	rc.mmap_offset = (u64)r->id << VBUS_MMAP_SHIFT;
	if (copy_to_user(argp, &rc, sizeof(rc))) {
		xa_erase(&vf->regions, r->id);
		vbus_file_region_drop(vf, r);
		return -EFAULT;
	}
	return 0;
}

static long vbus_ioctl_region_destroy(struct vbus_file *vf, u32 __user *argp)
{
	struct vbus_region *r;
	u32 id;

	if (get_user(id, argp))
		return -EFAULT;
	r = xa_erase(&vf->regions, id);
	if (!r)
		return -ENOENT;
	vbus_file_region_drop(vf, r);
	return 0;
}

static long vbus_ioctl_signal(struct vbus_file *vf, u32 __user *argp)
{
	struct vbus_region *r;
	u32 id;

	int err;

	if (get_user(id, argp))
		return -EFAULT;
	r = vbus_file_region_get(vf, id);
	if (!r)
		return -ENOENT;
	err = vbus_signal_raise(r);
	vbus_region_put(r);
	return err;
}

static long vbus_ioctl_set_eventfd(struct vbus_file *vf, void __user *argp)
{
	struct virtio_vbus *vb = vf->vb;
	struct vbus_region_eventfd re;
	struct eventfd_ctx *ctx = NULL, *old;
	struct vbus_region *r;

	if (copy_from_user(&re, argp, sizeof(re)))
		return -EFAULT;
	if (re.fd < -1)
		return -EBADF;
	r = vbus_file_region_get(vf, re.id);
	if (!r)
		return -ENOENT;
	if (!r->desc) {
		vbus_region_put(r);
		return -EINVAL;
	}
	if (re.fd >= 0) {
		ctx = eventfd_ctx_fdget(re.fd);
		if (IS_ERR(ctx)) {
			vbus_region_put(r);
			return PTR_ERR(ctx);
		}
	}
	mutex_lock(&vb->region_lock);
	old = rcu_replace_pointer(r->eventfd, ctx,
				  lockdep_is_held(&vb->region_lock));
	mutex_unlock(&vb->region_lock);
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
	vbus_region_put(r);
	return 0;
}

static long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
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
	default:
		return -ENOTTY;
	}
}

/* A mapping holds its region: the memory outlives close() and removal. */
static void vbus_vma_open(struct vm_area_struct *vma)
{
	struct vbus_region *r = vma->vm_private_data;

	kref_get(&r->kref);
}

static void vbus_vma_close(struct vm_area_struct *vma)
{
	vbus_region_put(vma->vm_private_data);
}

static const struct vm_operations_struct vbus_vm_ops = {
	.open = vbus_vma_open,
	.close = vbus_vma_close,
};

static int vbus_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vbus_file *vf = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vbus_region *r;
	int err;

	/* A region is shared with the device: a private copy would not be. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off & ((1ULL << VBUS_MMAP_SHIFT) - 1))
		return -EINVAL;
	/* This reference becomes the mapping's. */
	r = vbus_file_region_get(vf, off >> VBUS_MMAP_SHIFT);
	if (!r)
		return -ENOENT;
	if (size > r->len) {
		vbus_region_put(r);
		return -EINVAL;
	}

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	if (r->dma_dev) {
		vma->vm_pgoff = 0;
		err = dma_mmap_coherent(r->dma_dev, vma, r->mem, r->dma, size);
	} else {
		err = remap_pfn_range(vma, vma->vm_start,
				      virt_to_phys(r->mem) >> PAGE_SHIFT, size,
				      vma->vm_page_prot);
	}
	if (err) {
		vbus_region_put(r);
		return err;
	}
	vma->vm_private_data = r;
	vma->vm_ops = &vbus_vm_ops;
	return 0;
}

static bool vbus_file_gone(struct vbus_file *vf)
{
	return READ_ONCE(vf->vb->state) == VBUS_STATE_REMOVED;
}

static ssize_t vbus_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct vbus_file *vf = file->private_data;
	struct virtio_vbus *vb = vf->vb;
	struct vbus_user_event evt;
	unsigned long flags;
	ssize_t done = 0;
	int err;

	if (count < sizeof(evt))
		return -EINVAL;
	while (!vbus_file_has_event(vf)) {
		if (vbus_file_gone(vf))
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(vf->wq, vbus_file_has_event(vf) ||
					       vbus_file_gone(vf));
		if (err)
			return err;
	}
	while (count - done >= sizeof(evt)) {
		spin_lock_irqsave(&vb->files_lock, flags);
		if (!vbus_file_pop(vf, &evt)) {
			spin_unlock_irqrestore(&vb->files_lock, flags);
			break;
		}
		spin_unlock_irqrestore(&vb->files_lock, flags);
		if (copy_to_user(buf + done, &evt, sizeof(evt)))
			return done ? done : -EFAULT;
		done += sizeof(evt);
	}
	return done;
}

static __poll_t vbus_poll(struct file *file, poll_table *wait)
{
	struct vbus_file *vf = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &vf->wq, wait);
	if (vbus_file_has_event(vf))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (vbus_file_gone(vf))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

const struct file_operations vbus_fops = {
	.owner		= THIS_MODULE,
	.open		= vbus_open,
	.release	= vbus_release,
	.read		= vbus_read,
	.poll		= vbus_poll,
	.mmap		= vbus_mmap,
	.unlocked_ioctl	= vbus_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};
