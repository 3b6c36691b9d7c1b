// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asynchronous calls from userspace by io_uring: VBUS_URING_CMD_CALL on
 * /dev/vbusN (SQE128 and CQE32 rings). The command's result is the answer's
 * length or -errno; big_cqe[0] carries the device's status and qualifier.
 * The answer is copied in the submitter's task work. Commands are
 * cancelable: a ring that goes away completes its calls in flight with
 * ECANCELED at once, and the calls end later without it.
 */
#include "virtio_vbus.h"

#ifndef VBUS_COMPAT_NO_URING
#include <linux/io_uring/cmd.h>

/* In the submitter's task: the answer copied, the CQE posted. */
static void vbus_uring_task_cb(struct io_tw_req tw_req, io_tw_token_t tw)
{
	struct io_uring_cmd *ioucmd = io_uring_cmd_from_tw(tw_req);
	struct vbus_ucall *uc = *io_uring_cmd_to_pdu(ioucmd,
						     struct vbus_ucall *);
	const struct vbus_cmd_result *res = &uc->req.res;
	u64 res2 = 0;
	int err = -ECANCELED;

	if (!tw.cancel)
		err = vbus_ucall_answer(uc);
	if (res->done)
		res2 = VBUS_URING_RES2_DEVICE | res->status |
		       (u64)res->qualifier << 32;
	io_uring_cmd_done32(ioucmd, err ?: res->result, res2,
			    IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);
	vbus_call_req_put(&uc->req);	/* the command's */
}

/* Any context: to the submitter's task, unless io_uring cancelled it. */
static void vbus_uring_end(struct vbus_call_req *req)
{
	struct vbus_ucall *uc = container_of(req, struct vbus_ucall, req);
	struct io_uring_cmd *ioucmd = xchg(&uc->ioucmd, NULL);

	if (ioucmd)
		io_uring_cmd_complete_in_task(ioucmd, vbus_uring_task_cb);
}

/* The ring goes away with the call in flight: complete it now. */
static int vbus_uring_cancel(struct io_uring_cmd *ioucmd,
			     unsigned int issue_flags)
{
	struct vbus_ucall *uc = *io_uring_cmd_to_pdu(ioucmd,
						     struct vbus_ucall *);

	if (xchg(&uc->ioucmd, NULL) == ioucmd) {
		io_uring_cmd_done32(ioucmd, -ECANCELED, 0, issue_flags);
		vbus_call_req_put(&uc->req);	/* the command's */
	}
	return 0;
}

/*
 * The SQE's command bytes, copied once: userspace may change them. As for
 * an ioctl, bytes past what this kernel knows must be zero (E2BIG).
 */
static int vbus_uring_call_in(struct io_uring_cmd *ioucmd, struct vbus_call *c)
{
	/* SQE128: the command bytes run to the end of the second SQE. */
	const size_t room = 2 * sizeof(struct io_uring_sqe) -
			    offsetof(struct io_uring_sqe, cmd);
	u8 bytes[2 * sizeof(struct io_uring_sqe)];

	BUILD_BUG_ON(sizeof(*c) > room);
	memcpy(bytes, io_uring_sqe128_cmd(ioucmd->sqe, struct vbus_call), room);
	memcpy(c, bytes, sizeof(*c));
	if (c->argsz < offsetofend(struct vbus_call, qualifier) ||
	    c->argsz > room)
		return -EINVAL;
	if (c->argsz > sizeof(*c) &&
	    memchr_inv(bytes + sizeof(*c), 0, c->argsz - sizeof(*c)))
		return -E2BIG;
	c->tag = 0;	/* user_data is the tag */
	return 0;
}

/* Completes @ioucmd with @err now, unless io_uring cancelled it. */
static void vbus_uring_fail(struct vbus_ucall *uc, int err,
			    unsigned int issue_flags)
{
	struct io_uring_cmd *ioucmd = xchg(&uc->ioucmd, NULL);

	if (ioucmd) {
		io_uring_cmd_done32(ioucmd, err, 0, issue_flags);
		vbus_call_req_put(&uc->req);	/* the command's */
	}
}

/**
 * vbus_uring_cmd() - file_operations.uring_cmd of /dev/vbusN
 * @ioucmd: the command
 * @issue_flags: io_uring's
 *
 * Never sleeps and never asks io_uring to retry: a full call queue keeps
 * the call parked. The command is cancelable before the call starts, so
 * that its completion always finds it so.
 *
 * Return: -EIOCBQUEUED once the command is the driver's (its completion,
 * an error included, comes later), or the errno of a command refused
 * before that.
 */
int vbus_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct vbus_file *vf = ioucmd->file->private_data;
	struct vbus_ucall *uc;
	struct vbus_call c;
	int err;

	if (issue_flags & IO_URING_F_CANCEL)
		return vbus_uring_cancel(ioucmd, issue_flags);
	if (ioucmd->cmd_op != VBUS_URING_CMD_CALL)
		return -ENOTTY;
	if ((issue_flags & (IO_URING_F_SQE128 | IO_URING_F_CQE32)) !=
	    (IO_URING_F_SQE128 | IO_URING_F_CQE32))
		return -EINVAL;
	err = vbus_uring_call_in(ioucmd, &c);
	if (err)
		return err;
	uc = vbus_ucall_new(vf->vb, &c, vbus_uring_end);
	if (IS_ERR(uc))
		return PTR_ERR(uc);
	*io_uring_cmd_to_pdu(ioucmd, struct vbus_ucall *) = uc;
	uc->ioucmd = ioucmd;
	kref_get(&uc->req.kref);	/* the command's */
	io_uring_cmd_mark_cancelable(ioucmd, issue_flags);
	err = vbus_call_start(&uc->req);
	if (err)
		vbus_uring_fail(uc, err, issue_flags);
	vbus_call_req_put(&uc->req);
	return -EIOCBQUEUED;
}
#endif /* VBUS_COMPAT_NO_URING */
