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

/* Events a file queues for its reader; later ones are counted as lost. */
#define VBUS_FILE_MAX_EVENTS	256

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
			WRITE_ONCE(vf->lost, vf->lost + 1);
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

/* The next event for read() into @evt, left queued; false if none. */
static bool vbus_file_peek(struct vbus_file *vf, struct vbus_user_event *evt)
{
	struct vbus_file_event *e;
	unsigned long flags;
	bool found = true;

	spin_lock_irqsave(&vf->vb->files_lock, flags);
	e = list_first_entry_or_null(&vf->events, struct vbus_file_event, node);
	if (e)
		*evt = e->evt;
	else if (vf->lost)
		*evt = (struct vbus_user_event){
			.type = VBUS_UEVT_OVERFLOW, .lost = vf->lost,
		};
	else
		found = false;
	spin_unlock_irqrestore(&vf->vb->files_lock, flags);
	return found;
}

/*
 * read() gave the user @evt, from vbus_file_peek(): it leaves the queue.
 * With @vf->read_lock held, nothing else took it meanwhile: producers only
 * append, and none while a loss waits to be reported.
 */
static void vbus_file_consume(struct vbus_file *vf,
			      const struct vbus_user_event *evt)
{
	struct vbus_file_event *e = NULL;
	unsigned long flags;

	spin_lock_irqsave(&vf->vb->files_lock, flags);
	if (list_empty(&vf->events)) {
		/* The loss report: drops since it was read are still owed. */
		WRITE_ONCE(vf->lost, vf->lost - evt->lost);
	} else {
		e = list_first_entry(&vf->events, struct vbus_file_event, node);
		list_del(&e->node);
		vf->nevents--;
	}
	spin_unlock_irqrestore(&vf->vb->files_lock, flags);
	kfree(e);
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
	mutex_init(&vf->read_lock);
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
 * owner, or an administrator, may ask for one (or change what every file
 * gets, as a device-wide setting).
 */
bool vbus_file_may_reset(struct vbus_file *vf)
{
	return vf->excl || capable(CAP_SYS_ADMIN);
}

int vbus_file_reset(struct vbus_file *vf)
{
	return vbus_file_may_reset(vf) ? vbus_reset(vf->vb) : -EPERM;
}

/*
 * Drops the file's region @r: no longer its owner, then closed. Return: 0,
 * or the errno of a REGION_DEL the device refused (see vbus_region_del()).
 */
int vbus_file_region_drop(struct vbus_file *vf, struct vbus_region *r)
{
	struct virtio_vbus *vb = vf->vb;
	unsigned long flags;
	int err;

	spin_lock_irqsave(&vb->files_lock, flags);
	r->owner = NULL;
	spin_unlock_irqrestore(&vb->files_lock, flags);
	err = vbus_region_del(r);
	vbus_region_put(r);
	return err;
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
struct vbus_region *vbus_file_region_get(struct vbus_file *vf, u32 id)
{
	struct vbus_region *r;

	xa_lock(&vf->regions);
	r = xa_load(&vf->regions, id);
	if (r)
		kref_get(&r->kref);
	xa_unlock(&vf->regions);
	return r;
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
	if (r->coherent_dev) {
		vma->vm_pgoff = 0;
		err = dma_mmap_coherent(r->coherent_dev, vma, r->mem, r->dma,
					size);
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

/* Waits until the file has an event; 0, or why not. */
static int vbus_read_wait(struct file *file, struct vbus_file *vf)
{
	while (!vbus_file_has_event(vf)) {
		if (vbus_file_gone(vf))
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(vf->wq, vbus_file_has_event(vf) ||
					     vbus_file_gone(vf)))
			return -ERESTARTSYS;
	}
	return 0;
}

/*
 * Whole records, as many as fit. An event leaves the queue only once it
 * was copied out, so a bad buffer loses none; readers take turns.
 */
static ssize_t vbus_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct vbus_file *vf = file->private_data;
	struct vbus_user_event evt;
	ssize_t done = 0;
	int err;

	if (count < sizeof(evt))
		return -EINVAL;
	while (!done) {
		err = vbus_read_wait(file, vf);
		if (!err)
			err = mutex_lock_interruptible(&vf->read_lock);
		if (err)
			return err;
		while (count - done >= sizeof(evt) && vbus_file_peek(vf, &evt)) {
			if (copy_to_user(buf + done, &evt, sizeof(evt))) {
				done = done ?: -EFAULT;
				break;
			}
			vbus_file_consume(vf, &evt);
			done += sizeof(evt);
		}
		mutex_unlock(&vf->read_lock);
		/* None: another reader took them; wait again. */
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
#ifndef VBUS_COMPAT_NO_URING
	.uring_cmd	= vbus_uring_cmd,
#endif
	.llseek		= noop_llseek,
};
