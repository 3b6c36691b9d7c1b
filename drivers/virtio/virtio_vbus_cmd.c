// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config-space command queue: one command at a time through the
 * mailbox in configuration space, a doorbell sequence number, and the
 * completion the device publishes (Documentation/virtio-vbus.rst, "The
 * command queue"). Process context only: config access may sleep.
 */
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/llist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/virtio_config.h>

#include "virtio_vbus.h"

/* Slack on top of the device's cmd_timeout_ms for transport latency. */
#define VBUS_CMD_SLACK_MS	1000
/*
 * A waiter re-reads done_seq at least this often: a transport may lose a
 * configuration change notification (none is sent before DRIVER_OK).
 */
#define VBUS_CMD_POLL_MS	100

#define VBUS_CFG(field)		offsetof(struct virtio_vbus_config, field)

static const int vbus_status_errnos[VIRTIO_VBUS_S_MAX + 1] = {
	[VIRTIO_VBUS_S_OK]		= 0,
	[VIRTIO_VBUS_S_EINVAL]		= -EINVAL,
	[VIRTIO_VBUS_S_ENOMEM]		= -ENOMEM,
	[VIRTIO_VBUS_S_EBUSY]		= -EBUSY,
	[VIRTIO_VBUS_S_ENODEV]		= -ENODEV,
	[VIRTIO_VBUS_S_ENOENT]		= -ENOENT,
	[VIRTIO_VBUS_S_E2BIG]		= -E2BIG,
	[VIRTIO_VBUS_S_EFAULT]		= -EFAULT,
	[VIRTIO_VBUS_S_EOPNOTSUPP]	= -EOPNOTSUPP,
	[VIRTIO_VBUS_S_ETIMEDOUT]	= -ETIMEDOUT,
	[VIRTIO_VBUS_S_EIO]		= -EIO,
	[VIRTIO_VBUS_S_EEXIST]		= -EEXIST,
	[VIRTIO_VBUS_S_ENOSPC]		= -ENOSPC,
	[VIRTIO_VBUS_S_EPERM]		= -EPERM,
	[VIRTIO_VBUS_S_EAGAIN]		= -EAGAIN,
	[VIRTIO_VBUS_S_ERANGE]		= -ERANGE,
};

/**
 * vbus_status_to_errno() - the one place device statuses become errnos
 * @status: a status the device returned, already checked to be in range
 *
 * Return: 0 or a negative errno of the same name.
 */
int vbus_status_to_errno(u16 status)
{
	if (WARN_ON_ONCE(status > VIRTIO_VBUS_S_MAX))
		return -EIO;
	return vbus_status_errnos[status];
}

/*
 * Mailbox writers: only a field that differs from what the device holds is
 * written (the device keeps the mailbox between commands and zeroes it on
 * reset), which saves most config exits of a call.
 */
static void vbus_cwrite16(struct virtio_vbus *vb, unsigned int off, u16 val,
			  u16 *shadow)
{
	if (val != *shadow) {
		virtio_cwrite16(vb->vdev, off, val);
		*shadow = val;
	}
}

static void vbus_cwrite32(struct virtio_vbus *vb, unsigned int off, u32 val,
			  u32 *shadow)
{
	if (val != *shadow) {
		virtio_cwrite32(vb->vdev, off, val);
		*shadow = val;
	}
}

static void vbus_cwrite64(struct virtio_vbus *vb, unsigned int off, u64 val,
			  u64 *shadow)
{
	if (val != *shadow) {
		virtio_cwrite64(vb->vdev, off, val);
		*shadow = val;
	}
}

/* Writes @cmd into the mailbox; the doorbell is the caller's. */
static void vbus_cmd_write(struct virtio_vbus *vb, const struct vbus_cmd *cmd)
{
	struct vbus_cmd *sh = &vb->shadow;

	vbus_cwrite16(vb, VBUS_CFG(cmd.opcode), cmd->opcode, &sh->opcode);
	vbus_cwrite32(vb, VBUS_CFG(cmd.func), cmd->func, &sh->func);
	vbus_cwrite32(vb, VBUS_CFG(cmd.region_id), cmd->region_id,
		      &sh->region_id);
	vbus_cwrite32(vb, VBUS_CFG(cmd.priority), cmd->priority,
		      &sh->priority);
	vbus_cwrite64(vb, VBUS_CFG(cmd.out_addr), cmd->out_addr,
		      &sh->out_addr);
	vbus_cwrite32(vb, VBUS_CFG(cmd.out_len), cmd->out_len, &sh->out_len);
	vbus_cwrite32(vb, VBUS_CFG(cmd.in_len), cmd->in_len, &sh->in_len);
	vbus_cwrite64(vb, VBUS_CFG(cmd.in_addr), cmd->in_addr, &sh->in_addr);
	vbus_cwrite64(vb, VBUS_CFG(cmd.region_addr), cmd->region_addr,
		      &sh->region_addr);
	vbus_cwrite64(vb, VBUS_CFG(cmd.region_len), cmd->region_len,
		      &sh->region_len);
	vbus_cwrite32(vb, VBUS_CFG(cmd.sigdesc_offset), cmd->sigdesc_offset,
		      &sh->sigdesc_offset);
	vbus_cwrite32(vb, VBUS_CFG(cmd.arg), cmd->arg, &sh->arg);
}

/* The completion fields, read within one configuration generation. */
static void vbus_cmd_read_result(struct virtio_vbus *vb, u32 *done,
				 struct vbus_cmd_result *res)
{
	struct virtio_device *vdev = vb->vdev;
	u32 gen, old;

	gen = vdev->config->generation ? vdev->config->generation(vdev) : 0;
	do {
		old = gen;
		*done = virtio_cread32(vdev, VBUS_CFG(done_seq));
		res->status = virtio_cread16(vdev, VBUS_CFG(status));
		res->qualifier = virtio_cread32(vdev, VBUS_CFG(qualifier));
		res->result = virtio_cread64(vdev, VBUS_CFG(result));
		gen = vdev->config->generation ?
		      vdev->config->generation(vdev) : 0;
	} while (gen != old);
}

/*
 * Whether a command waiter must give up: -ENODEV once the device is being
 * removed, -ECANCELED while it resets; 0 otherwise.
 */
static int vbus_cmd_abandoned(struct virtio_vbus *vb)
{
	switch (READ_ONCE(vb->state)) {
	case VBUS_STATE_REMOVED:
		return -ENODEV;
	case VBUS_STATE_RESETTING:
		return -ECANCELED;
	default:
		return 0;
	}
}

/* A configuration change since @seen, or the waiter must give up. */
static bool vbus_cfg_changed(struct virtio_vbus *vb, int seen)
{
	return atomic_read(&vb->cfg_events) != seen || vbus_cmd_abandoned(vb);
}

/**
 * vbus_cmd_wait() - wait until the device completes command @seq
 * @vb: the vbus device
 * @seq: the doorbell value of the command
 * @intr: a signal may interrupt the wait
 * @res: the completion
 *
 * Return: 0 when the command completed (@res says how), -EINTR when a
 * signal came first, -ETIMEDOUT, -ENODEV when the device is being removed,
 * -ECANCELED when it is being reset, -EIO when the device answered with
 * something that is no completion.
 */
static int vbus_cmd_wait(struct virtio_vbus *vb, u32 seq, bool intr,
			 struct vbus_cmd_result *res)
{
	unsigned long end = jiffies +
		msecs_to_jiffies(vb->cmd_timeout_ms + VBUS_CMD_SLACK_MS);
	long left;
	int seen, err;
	u32 done;

	for (;;) {
		seen = atomic_read(&vb->cfg_events);
		err = vbus_cmd_abandoned(vb);
		if (err)
			return err;
		vbus_cmd_read_result(vb, &done, res);
		if (done == seq)
			break;
		err = vbus_cmd_abandoned(vb);
		if (err)
			return err;
		if (done != seq - 1) {
			vbus_set_broken(vb, "done_seq %u for command %u", done,
					seq);
			return -EIO;
		}
		left = (long)(end - jiffies);
		if (left <= 0)
			return -ETIMEDOUT;
		left = min_t(long, left, msecs_to_jiffies(VBUS_CMD_POLL_MS));
		if (intr)
			left = wait_event_interruptible_timeout(vb->cfg_wq,
								vbus_cfg_changed(vb, seen),
								left);
		else
			left = wait_event_timeout(vb->cfg_wq,
						  vbus_cfg_changed(vb, seen), left);
		if (left < 0)
			return -EINTR;
		cond_resched();
	}

	if (res->status > VIRTIO_VBUS_S_MAX) {
		vbus_set_broken(vb, "status %u out of range", res->status);
		return -EIO;
	}
	res->done = true;
	return 0;
}

static void vbus_call_bufs_unmap(struct virtio_vbus *vb,
				 struct vbus_call_bufs *b)
{
	if (!b->mapped)
		return;
	if (b->out_len)
		virtqueue_unmap_single_attrs(vbus_dma_vq(vb), b->out_dma,
					     b->out_len, DMA_TO_DEVICE, 0);
	if (b->in_len)
		virtqueue_unmap_single_attrs(vbus_dma_vq(vb), b->in_dma,
					     b->in_len, DMA_FROM_DEVICE, 0);
	b->mapped = false;
}

/* Maps @b with the DMA decision of the virtqueues. */
static int vbus_call_bufs_map(struct virtio_vbus *vb, struct vbus_call_bufs *b)
{
	if (b->out_len) {
		b->out_dma = virtqueue_map_single_attrs(vbus_dma_vq(vb), b->out,
							b->out_len,
							DMA_TO_DEVICE, 0);
		if (virtqueue_map_mapping_error(vbus_dma_vq(vb), b->out_dma))
			return -ENOMEM;
	}
	if (b->in_len) {
		b->in_dma = virtqueue_map_single_attrs(vbus_dma_vq(vb), b->in,
						       b->in_len,
						       DMA_FROM_DEVICE, 0);
		if (virtqueue_map_mapping_error(vbus_dma_vq(vb), b->in_dma)) {
			if (b->out_len)
				virtqueue_unmap_single_attrs(vbus_dma_vq(vb),
							     b->out_dma,
							     b->out_len,
							     DMA_TO_DEVICE, 0);
			return -ENOMEM;
		}
	}
	b->mapped = true;
	return 0;
}

/*
 * One bounce buffer of @len bytes, zeroed (no stale kernel data reaches
 * the caller), or NULL (also for 0 bytes). The mailbox takes one DMA
 * address per buffer: contiguous memory. A call queue with indirect
 * descriptors takes page-sized segments: from VBUS_CALL_CONTIG_MAX to
 * VBUS_CALL_SG_MAX, pages from vmalloc(), which a fragmented memory still
 * has (beyond, the chain would outgrow what the device takes).
 */
static void *vbus_call_buf_alloc(struct virtio_vbus *vb, size_t len)
{
	if (!len)
		return NULL;
	if (vb->callq_sg && len > VBUS_CALL_CONTIG_MAX &&
	    len <= VBUS_CALL_SG_MAX)
		return __vmalloc(len, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	return kzalloc(len, GFP_KERNEL_ACCOUNT);
}

/*
 * vmalloc() buffers to free, linked through their own first bytes:
 * vfree() may sleep, and a call may end in any context.
 */
static LLIST_HEAD(vbus_vfree_list);

static void vbus_vfree_work(struct work_struct *work)
{
	struct llist_node *node, *next;

	llist_for_each_safe(node, next, llist_del_all(&vbus_vfree_list))
		vfree(node);
}

static DECLARE_WORK(vbus_vfree, vbus_vfree_work);

/* At module exit: every buffer is freed. */
void vbus_call_bufs_flush(void)
{
	flush_work(&vbus_vfree);
}

/* In any context but NMI. */
static void vbus_call_buf_free(void *buf)
{
	if (!is_vmalloc_addr(buf)) {
		kfree(buf);
		return;
	}
	if (llist_add(buf, &vbus_vfree_list))
		schedule_work(&vbus_vfree);
}

/**
 * vbus_call_bufs_alloc() - allocate the bounce buffers of a call
 * @vb: the vbus device
 * @b: the buffers, filled in
 * @out_len: bytes to send
 * @in_len: bytes to receive at most
 *
 * Return: 0, -E2BIG over the device's or the driver's limit, -ENOMEM.
 */
int vbus_call_bufs_alloc(struct virtio_vbus *vb, struct vbus_call_bufs *b,
			 size_t out_len, size_t in_len)
{
	memset(b, 0, sizeof(*b));
	if (out_len > vb->max_call_len || in_len > vb->max_call_len)
		return -E2BIG;
	b->out_len = out_len;
	b->in_len = in_len;
	b->out = vbus_call_buf_alloc(vb, out_len);
	b->in = vbus_call_buf_alloc(vb, in_len);
	if ((out_len && !b->out) || (in_len && !b->in)) {
		vbus_call_bufs_free(b);
		return -ENOMEM;
	}
	return 0;
}

/* Any context, hard IRQ included. */
void vbus_call_bufs_free(struct vbus_call_bufs *b)
{
	vbus_call_buf_free(b->out);
	vbus_call_buf_free(b->in);
	memset(b, 0, sizeof(*b));
}

/* Frees the buffers of an abandoned command: the device no longer uses them. */
static void vbus_orphan_free(struct virtio_vbus *vb)
{
	vbus_call_bufs_unmap(vb, &vb->orphan);
	vbus_call_bufs_free(&vb->orphan);
	vb->orphan_pending = false;
}

/*
 * Before a new command: wait for one a caller abandoned. Its completion
 * is of no interest, only that the device is done with its buffers.
 */
static int vbus_orphan_reap(struct virtio_vbus *vb, bool intr)
{
	struct vbus_cmd_result res;
	int err;

	if (!vb->orphan_pending)
		return 0;
	err = vbus_cmd_wait(vb, vb->cmd_seq, intr, &res);
	if (err == -ETIMEDOUT)
		vbus_set_broken(vb, "command %u timed out", vb->cmd_seq);
	if (err)
		return err;
	vbus_orphan_free(vb);
	return 0;
}

/**
 * vbus_cmd_exec() - run one command
 * @vb: the vbus device, @cmd_lock held and its state checked
 * @cmd: the command
 * @b: the call buffers the device accesses, or NULL
 * @intr: a signal may interrupt the wait
 * @res: the completion
 *
 * When the caller cannot wait for the completion (signal, timeout,
 * removal), the device may still access @b: its buffers then pass to
 * @vb->orphan and are freed once the device is done with them.
 *
 * Return: 0 when the device completed the command (@res says how), or a
 * negative errno as for vbus_cmd_wait().
 */
static int vbus_cmd_exec(struct virtio_vbus *vb, const struct vbus_cmd *cmd,
			 struct vbus_call_bufs *b, bool intr,
			 struct vbus_cmd_result *res)
{
	int err;

	lockdep_assert_held(&vb->cmd_lock);
	vbus_cmd_write(vb, cmd);
	vb->cmd_seq++;
	virtio_cwrite32(vb->vdev, VBUS_CFG(cmd_seq), vb->cmd_seq);
	atomic64_inc(&vb->stats.commands);

	err = vbus_cmd_wait(vb, vb->cmd_seq, intr, res);
	if (err == -ETIMEDOUT)
		vbus_set_broken(vb, "command %u timed out", vb->cmd_seq);
	if (err) {
		vb->orphan_pending = true;
		if (b) {
			vb->orphan = *b;
			memset(b, 0, sizeof(*b));
		}
		return err;
	}
	if (res->status != VIRTIO_VBUS_S_OK)
		atomic64_inc(&vb->stats.cmd_errors);
	return 0;
}

/* Takes @cmd_lock and checks that the device takes commands. */
static int vbus_cmd_begin(struct virtio_vbus *vb, bool intr)
{
	int err;

	/* A reset holds cmd_lock: fail at once rather than wait for it. */
	err = vbus_state_errno(vb);
	if (err)
		return err;
	if (intr) {
		if (mutex_lock_interruptible(&vb->cmd_lock))
			return -EINTR;
	} else {
		mutex_lock(&vb->cmd_lock);
	}
	err = vbus_state_errno(vb);
	if (!err)
		err = vbus_orphan_reap(vb, intr);
	if (err)
		mutex_unlock(&vb->cmd_lock);
	return err;
}

/*
 * A device call through the mailbox (vbus_do_call() without call queues).
 * A caller a signal interrupts leaves the buffers to the command (the
 * orphan) until the device completes it or is reset.
 */
int vbus_mbox_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		   bool intr, struct vbus_cmd_result *res)
{
	struct vbus_cmd cmd = {
		.opcode = VIRTIO_VBUS_CMD_CALL,
		.func = func,
		.out_len = b->out_len,
		.in_len = b->in_len,
	};
	int err;

	err = vbus_cmd_begin(vb, intr);
	if (err)
		return err;
	err = vbus_call_bufs_map(vb, b);
	if (err)
		goto out_unlock;
	cmd.out_addr = b->out_dma;
	cmd.in_addr = b->in_dma;

	err = vbus_cmd_exec(vb, &cmd, b, intr, res);
	if (err)
		goto out_unlock;
	vbus_call_bufs_unmap(vb, b);
	if (res->status == VIRTIO_VBUS_S_OK && res->result > b->in_len) {
		vbus_set_broken(vb, "call result %llu over in_len %u",
				res->result, b->in_len);
		res->done = false;
		err = -EIO;
		goto out_unlock;
	}
	err = vbus_status_to_errno(res->status);
out_unlock:
	mutex_unlock(&vb->cmd_lock);
	return err;
}

/**
 * vbus_do_cmd() - run a command that carries no call buffers
 * @vb: the vbus device
 * @cmd: the command
 * @intr: a signal may interrupt the wait
 * @res: the completion; valid when @res->done
 *
 * Return: 0, the errno of the device's status, or an errno of the device
 * state or command queue as for vbus_do_call().
 */
int vbus_do_cmd(struct virtio_vbus *vb, const struct vbus_cmd *cmd,
		bool intr, struct vbus_cmd_result *res)
{
	int err;

	memset(res, 0, sizeof(*res));
	err = vbus_cmd_begin(vb, intr);
	if (err)
		return err;
	err = vbus_cmd_exec(vb, cmd, NULL, intr, res);
	if (!err)
		err = vbus_status_to_errno(res->status);
	mutex_unlock(&vb->cmd_lock);
	return err;
}

/**
 * vbus_cmd_reset() - reset the device with the command queue quiesced
 * @vb: the vbus device, its state already out of READY so that command
 *	waiters give up and no new command starts
 *
 * Waits for the command in flight, if any, to leave; resets the device
 * (it stops every access to guest memory) and waits for its callbacks
 * to return; frees the buffers of an
 * abandoned command and forgets the mailbox, which the reset zeroed.
 */
void vbus_cmd_reset(struct virtio_vbus *vb)
{
	mutex_lock(&vb->cmd_lock);
	/*
	 * An interrupt the device raised before or during the reset may
	 * still come after it (an MSI on its way to another CPU; QEMU's
	 * vhost-user front-end raises one as it stops the backend), and
	 * its callback find used buffers: from now on callbacks queue no
	 * work. Then wait for any running, so that the workers stopped
	 * next stay stopped (a work queued after would outlive the device:
	 * the remove/add loops' list corruption), and no transport handler
	 * walks the virtqueues del_vqs() frees (virtio-mmio's does, without
	 * a lock).
	 */
	WRITE_ONCE(vb->cbs_live, false);
	virtio_reset_device(vb->vdev);
	virtio_synchronize_cbs(vb->vdev);
	vbus_orphan_free(vb);
	memset(&vb->shadow, 0, sizeof(vb->shadow));
	vb->cmd_seq = 0;
	mutex_unlock(&vb->cmd_lock);
}
