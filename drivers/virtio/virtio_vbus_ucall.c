// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asynchronous calls from userspace, and the call fd: for systems without
 * io_uring (virtio_vbus_uring.c has the io_uring commands),
 * VBUS_IOC_CALL_FD gives a file to submit calls on by ioctl and reap them
 * by read() and poll().
 *
 * A call bounces its payloads. The answer is copied to the caller's
 * buffer in the caller's own context: io_uring's task work, or read().
 * A call whose caller went away (a closed call fd, a cancelled io_uring
 * command) keeps its buffers until the device gives them back or a reset
 * ends it, and is then freed.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "virtio_vbus.h"

/**
 * struct vbus_call_fd - a call fd
 * @kref: the file's reference and one per call not yet ended
 * @vb: the device; the file holds a reference on @vb->dev
 * @mm: the creator's address space, the only one that may use the fd;
 *	held (mmgrab()) while the file is open
 * @lock: protects @done, @outstanding and @closed
 * @done: ended calls, for read()
 * @outstanding: calls submitted and not yet read
 * @closed: the file is gone: ended calls are freed
 * @read_lock: one reader at a time
 * @wq: readers, pollers and submitters
 */
struct vbus_call_fd {
	struct kref kref;
	struct virtio_vbus *vb;
	struct mm_struct *mm;
	spinlock_t lock;		/* see @lock above */
	struct list_head done;
	unsigned int outstanding;
	bool closed;
	struct mutex read_lock;		/* see @read_lock above */
	wait_queue_head_t wq;
};

static void vbus_call_fd_free(struct kref *kref)
{
	kfree(container_of(kref, struct vbus_call_fd, kref));
}

static void vbus_ucall_release(struct vbus_call_req *req)
{
	struct vbus_ucall *uc = container_of(req, struct vbus_ucall, req);

	if (uc->cfd)
		kref_put(&uc->cfd->kref, vbus_call_fd_free);
	kfree(uc);
}

/**
 * vbus_ucall_new() - an asynchronous call from userspace
 * @vb: the device
 * @c: the call's arguments, checked as far as their size
 * @end: the call's end callback
 *
 * Return: the call, its out payload copied in, with the caller's
 * reference; or an ERR_PTR().
 */
struct vbus_ucall *vbus_ucall_new(struct virtio_vbus *vb,
				  const struct vbus_call *c,
				  void (*end)(struct vbus_call_req *req))
{
	struct vbus_ucall *uc;
	int err;

	if (c->flags)
		return ERR_PTR(-EINVAL);
	if (vbus_client_bound(vb))
		return ERR_PTR(-EBUSY);
	uc = kzalloc(sizeof(*uc), GFP_KERNEL_ACCOUNT);
	if (!uc)
		return ERR_PTR(-ENOMEM);
	vbus_call_req_init(&uc->req, vb, c->func, end, vbus_ucall_release);
	INIT_LIST_HEAD(&uc->node);
	uc->tag = c->tag;
	uc->in_ptr = c->in_ptr;
	err = vbus_call_bufs_alloc(vb, &uc->req.b, c->out_len, c->in_len);
	if (!err && c->out_len &&
	    copy_from_user(uc->req.b.out, u64_to_user_ptr(c->out_ptr),
			   c->out_len))
		err = -EFAULT;
	if (err) {
		vbus_call_req_put(&uc->req);
		return ERR_PTR(err);
	}
	return uc;
}

/* Copies the answer of an ended call to its caller: 0 or -errno. */
int vbus_ucall_answer(struct vbus_ucall *uc)
{
	u64 len = uc->req.res.result;

	if (uc->req.err || !len)
		return uc->req.err;
	if (copy_to_user(u64_to_user_ptr(uc->in_ptr), uc->req.b.in, len))
		return -EFAULT;
	return 0;
}

/* The call fd */

/* Any context: onto the call fd's list, or freed with the fd gone. */
static void vbus_call_fd_end(struct vbus_call_req *req)
{
	struct vbus_ucall *uc = container_of(req, struct vbus_ucall, req);
	struct vbus_call_fd *cfd = uc->cfd;
	unsigned long flags;

	spin_lock_irqsave(&cfd->lock, flags);
	if (!cfd->closed) {
		kref_get(&uc->req.kref);	/* the list's */
		list_add_tail(&uc->node, &cfd->done);
	}
	spin_unlock_irqrestore(&cfd->lock, flags);
	wake_up_poll(&cfd->wq, EPOLLIN);
}

/* Whether @cfd may be used by the current process: 0 or -EPERM. */
static int vbus_call_fd_check(struct vbus_call_fd *cfd)
{
	return current->mm == cfd->mm ? 0 : -EPERM;
}

/* Takes a place for one more call: 0 or -EAGAIN. */
static int vbus_call_fd_reserve(struct vbus_call_fd *cfd)
{
	int err = -EAGAIN;

	spin_lock_irq(&cfd->lock);
	if (cfd->outstanding < VBUS_CALL_FD_MAX) {
		cfd->outstanding++;
		err = 0;
	}
	spin_unlock_irq(&cfd->lock);
	return err;
}

static void vbus_call_fd_unreserve(struct vbus_call_fd *cfd)
{
	spin_lock_irq(&cfd->lock);
	cfd->outstanding--;
	spin_unlock_irq(&cfd->lock);
	wake_up_poll(&cfd->wq, EPOLLOUT);
}

static long vbus_call_fd_submit(struct file *file, void __user *argp)
{
	struct vbus_call_fd *cfd = file->private_data;
	struct vbus_ucall *uc;
	struct vbus_call c;
	int err;

	err = vbus_call_fd_check(cfd) ?: VBUS_ARG_IN(c, argp, tag);
	if (err)
		return err;
	err = vbus_call_fd_reserve(cfd);
	if (err)
		return err;
	uc = vbus_ucall_new(cfd->vb, &c, vbus_call_fd_end);
	if (IS_ERR(uc)) {
		vbus_call_fd_unreserve(cfd);
		return PTR_ERR(uc);
	}
	uc->cfd = cfd;
	kref_get(&cfd->kref);	/* the call's */
	/* Parked when the call queue is full: never a sleep here. */
	err = vbus_call_start(&uc->req);
	vbus_call_req_put(&uc->req);
	if (err)
		vbus_call_fd_unreserve(cfd);
	return err;
}

static long vbus_call_fd_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	if (cmd != VBUS_IOC_CALL_SUBMIT)
		return -ENOTTY;
	return vbus_call_fd_submit(file, (void __user *)arg);
}

/* The oldest ended call, taken off the list; NULL when none. */
static struct vbus_ucall *vbus_call_fd_pop(struct vbus_call_fd *cfd)
{
	struct vbus_ucall *uc;

	spin_lock_irq(&cfd->lock);
	uc = list_first_entry_or_null(&cfd->done, struct vbus_ucall, node);
	if (uc) {
		list_del_init(&uc->node);
		cfd->outstanding--;
	}
	spin_unlock_irq(&cfd->lock);
	if (uc)
		wake_up_poll(&cfd->wq, EPOLLOUT);
	return uc;
}

/* Puts @uc back first: read() could not hand its record out. */
static void vbus_call_fd_unpop(struct vbus_call_fd *cfd, struct vbus_ucall *uc)
{
	spin_lock_irq(&cfd->lock);
	list_add(&uc->node, &cfd->done);
	cfd->outstanding++;
	spin_unlock_irq(&cfd->lock);
}

/* The completion record of @uc, its answer copied to the caller once. */
static const struct vbus_call_done *vbus_call_fd_record(struct vbus_ucall *uc)
{
	const struct vbus_cmd_result *res = &uc->req.res;
	struct vbus_call_done *d = &uc->rec;

	if (uc->have_rec)
		return d;
	d->tag = uc->tag;
	d->error = vbus_ucall_answer(uc);
	d->result_len = d->error ? 0 : res->result;
	if (res->done) {
		d->flags = VBUS_CALL_DONE_F_DEVICE;
		d->device_status = res->status;
		d->qualifier = res->qualifier;
	}
	uc->have_rec = true;
	return d;
}

/* Waits for an ended call: 0, -EAGAIN (O_NONBLOCK), -ERESTARTSYS. */
static int vbus_call_fd_wait(struct file *file, struct vbus_call_fd *cfd)
{
	if (file->f_flags & O_NONBLOCK)
		return -EAGAIN;
	return wait_event_interruptible(cfd->wq,
					!list_empty_careful(&cfd->done));
}

static ssize_t vbus_call_fd_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct vbus_call_fd *cfd = file->private_data;
	const size_t rec = sizeof(struct vbus_call_done);
	struct vbus_ucall *uc;
	ssize_t n = 0;
	int err;

	err = vbus_call_fd_check(cfd);
	if (err)
		return err;
	if (count < rec)
		return -EINVAL;
	if (mutex_lock_interruptible(&cfd->read_lock))
		return -ERESTARTSYS;
	while (count - n >= rec) {
		uc = vbus_call_fd_pop(cfd);
		if (!uc && n)
			break;
		if (!uc) {
			err = vbus_call_fd_wait(file, cfd);
			if (err)
				break;
			continue;
		}
		if (copy_to_user(buf + n, vbus_call_fd_record(uc), rec)) {
			vbus_call_fd_unpop(cfd, uc);	/* not lost */
			err = -EFAULT;
			break;
		}
		vbus_call_req_put(&uc->req);	/* the list's */
		n += rec;
	}
	mutex_unlock(&cfd->read_lock);
	return n ?: err;
}

static __poll_t vbus_call_fd_poll(struct file *file, poll_table *wait)
{
	struct vbus_call_fd *cfd = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &cfd->wq, wait);
	spin_lock_irq(&cfd->lock);
	if (!list_empty(&cfd->done))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (cfd->outstanding < VBUS_CALL_FD_MAX)
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock_irq(&cfd->lock);
	return mask;
}

/* Ended calls are freed; calls in flight free themselves when they end. */
static int vbus_call_fd_release(struct inode *inode, struct file *file)
{
	struct vbus_call_fd *cfd = file->private_data;
	struct vbus_ucall *uc, *next;
	LIST_HEAD(done);

	spin_lock_irq(&cfd->lock);
	cfd->closed = true;
	list_splice_init(&cfd->done, &done);
	spin_unlock_irq(&cfd->lock);
	list_for_each_entry_safe(uc, next, &done, node) {
		list_del_init(&uc->node);
		vbus_call_req_put(&uc->req);
	}
	mmdrop(cfd->mm);
	put_device(&cfd->vb->dev);
	kref_put(&cfd->kref, vbus_call_fd_free);
	return 0;
}

static const struct file_operations vbus_call_fd_fops = {
	.owner		= THIS_MODULE,
	.release	= vbus_call_fd_release,
	.read		= vbus_call_fd_read,
	.poll		= vbus_call_fd_poll,
	.unlocked_ioctl	= vbus_call_fd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/**
 * vbus_call_fd_new() - VBUS_IOC_CALL_FD: a call fd for @vb
 * @vb: the vbus device
 *
 * Return: the new file descriptor, or -errno.
 */
int vbus_call_fd_new(struct virtio_vbus *vb)
{
	struct vbus_call_fd *cfd;
	int fd;

	cfd = kzalloc(sizeof(*cfd), GFP_KERNEL_ACCOUNT);
	if (!cfd)
		return -ENOMEM;
	kref_init(&cfd->kref);
	cfd->vb = vb;
	spin_lock_init(&cfd->lock);
	INIT_LIST_HEAD(&cfd->done);
	mutex_init(&cfd->read_lock);
	init_waitqueue_head(&cfd->wq);
	cfd->mm = current->mm;
	mmgrab(cfd->mm);
	get_device(&vb->dev);
	fd = anon_inode_getfd("[vbus-calls]", &vbus_call_fd_fops, cfd,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		put_device(&vb->dev);
		mmdrop(cfd->mm);
		kfree(cfd);
	}
	return fd;
}
