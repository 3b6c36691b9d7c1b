// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus device calls: one entry point over two paths, a call queue
 * when VIRTIO_VBUS_F_CALLQ was negotiated (virtio_vbus_callq.c), the
 * configuration-space mailbox otherwise (virtio_vbus_cmd.c).
 */

#include "virtio_vbus.h"

/**
 * vbus_do_call() - a device call with filled bounce buffers
 * @vb: the vbus device
 * @func: the function
 * @b: buffers from vbus_call_bufs_alloc(), @b->out filled; emptied when
 *	the caller stops waiting before the device is done with them (they
 *	are freed then), so vbus_call_bufs_free() is always right after
 * @intr: a signal may interrupt the call
 * @res: the completion; valid when @res->done
 *
 * Return: 0 on VIRTIO_VBUS_S_OK (@b->in holds @res->result bytes), the
 * errno of another status, -EOPNOTSUPP without VIRTIO_VBUS_F_CALL, or an
 * errno of the device state or command queue (-EINTR, -ETIMEDOUT, -ENODEV,
 * -EIO, -EBUSY).
 */
int vbus_do_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		 bool intr, struct vbus_cmd_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!vb->has_call)
		return -EOPNOTSUPP;
	if (vb->has_callq)
		return vbus_callq_call(vb, func, b, intr, res);
	return vbus_mbox_call(vb, func, b, intr, res);
}
