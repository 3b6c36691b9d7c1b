// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration-space command queue: the front-end forwards every
 * guest read of configuration space as GET_CONFIG and every write as a
 * SET_CONFIG of the whole space. The device keeps the authoritative state
 * here and takes only cmd and cmd_seq from what the driver writes; a
 * command runs when cmd_seq changes.
 */
#include <string.h>
#include <endian.h>
#include "internal.h"

static bool vbus_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/*
 * Publishes the completion of the current command; a completion later
 * than the doorbell's SET_CONFIG sends a configuration change.
 */
static void vbus_complete(struct vbus_dev *dev, uint16_t status,
			  uint32_t qualifier, uint64_t result, bool notify)
{
	if (dev->misbehave && dev->run_seq != dev->misbehave_seq) {
		uint32_t mode = dev->misbehave;

		dev->misbehave = 0;
		if (mode == VBUS_TEST_MB_BAD_STATUS)
			status = VIRTIO_VBUS_S_MAX + 0x68;
		else if (mode == VBUS_TEST_MB_BAD_RESULT)
			result += 1 << 20;
		else if (mode == VBUS_TEST_MB_NEVER_COMPLETE)
			return;
	}
	dev->status = status;
	dev->qualifier = qualifier;
	dev->result = result;
	dev->done_seq = dev->run_seq;
	if (status != VIRTIO_VBUS_S_OK)
		dev->stats.errors++;
	if (notify && dev->serving)
		vu_config_change_msg(vbus_vu(dev));
}

static void vbus_mcall_free(struct vbus_dev *dev)
{
	g_free((void *)dev->mcall.out);
	g_free(dev->mcall.in);
	memset(&dev->mcall, 0, sizeof(dev->mcall));
	dev->busy = false;
}

/* Ends the mailbox's call: the answer to guest memory, then the status. */
static void vbus_mcall_finish(struct vbus_dev *dev, bool notify)
{
	struct vbus_dev_call *call = &dev->mcall;
	uint16_t status = call->status;
	uint32_t qualifier = call->qualifier;
	uint32_t len = call->result_len;
	uint64_t result = 0;

	if (status > VIRTIO_VBUS_S_MAX || len > call->in_len) {
		/* A type's bug: the guest gets an error, not garbage. */
		status = VIRTIO_VBUS_S_EIO;
		qualifier = 0;
		len = 0;
	}
	if (status == VIRTIO_VBUS_S_OK) {
		if (!len || vbus_guest_write(dev, dev->in_addr, call->in, len)) {
			result = len;
		} else {
			status = VIRTIO_VBUS_S_EFAULT;
			qualifier = 1;
		}
	}
	vbus_mcall_free(dev);
	vbus_complete(dev, status, qualifier, result, notify);
}

void vbus_call_complete(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	if (call == &dev->mcall) {
		g_assert(dev->busy);
		vbus_mcall_finish(dev, true);
	} else {
		vbus_callq_complete(dev, call);
	}
}

/* CALL: both buffers are checked before the type runs. */
static void vbus_cmd_call(struct vbus_dev *dev,
			  const struct virtio_vbus_cmd *cmd)
{
	uint64_t out_addr = le64toh(cmd->out_addr);
	uint32_t out_len = le32toh(cmd->out_len);
	uint32_t in_len = le32toh(cmd->in_len);
	uint8_t *out;

	if (!vbus_has(dev, VIRTIO_VBUS_F_CALL))
		return vbus_complete(dev, VIRTIO_VBUS_S_EOPNOTSUPP, 0, 0, false);
	if (cmd->flags || cmd->region_id || cmd->priority || cmd->region_addr ||
	    cmd->region_len || cmd->sigdesc_offset || cmd->arg)
		return vbus_complete(dev, VIRTIO_VBUS_S_EINVAL, 0, 0, false);
	if (out_len > dev->conf.max_call_len || in_len > dev->conf.max_call_len)
		return vbus_complete(dev, VIRTIO_VBUS_S_E2BIG,
				     dev->conf.max_call_len, 0, false);
	dev->in_addr = le64toh(cmd->in_addr);
	if (in_len && !vbus_guest_valid(dev, dev->in_addr, in_len))
		return vbus_complete(dev, VIRTIO_VBUS_S_EFAULT, 1, 0, false);
	out = g_malloc(out_len ? out_len : 1);
	if (out_len && !vbus_guest_read(dev, out_addr, out, out_len)) {
		g_free(out);
		return vbus_complete(dev, VIRTIO_VBUS_S_EFAULT, 0, 0, false);
	}
	dev->stats.calls++;
	dev->busy = true;
	dev->mcall = (struct vbus_dev_call) {
		.func = le32toh(cmd->func),
		.out = out,
		.out_len = out_len,
		.in = g_malloc0(in_len ? in_len : 1),
		.in_len = in_len,
	};
	if (dev->type->call(dev, &dev->mcall))
		vbus_mcall_finish(dev, false);
}

static void vbus_cmd_region(struct vbus_dev *dev,
			    const struct virtio_vbus_cmd *cmd, uint16_t opcode)
{
	uint32_t qualifier = 0;
	uint16_t status;

	if (!vbus_has(dev, VIRTIO_VBUS_F_SHM))
		return vbus_complete(dev, VIRTIO_VBUS_S_EOPNOTSUPP, opcode, 0,
				     false);
	if (opcode == VIRTIO_VBUS_CMD_REGION_ADD)
		status = vbus_region_add(dev, cmd, &qualifier);
	else
		status = vbus_region_del(dev, cmd,
					 opcode == VIRTIO_VBUS_CMD_REGION_ACK);
	vbus_complete(dev, status, qualifier, 0, false);
}

static void vbus_cmd_ctrl(struct vbus_dev *dev,
			  const struct virtio_vbus_cmd *cmd)
{
	struct virtio_vbus_cmd rest = *cmd;
	uint32_t code = le32toh(cmd->func);

	rest.opcode = 0;
	rest.func = 0;
	rest.arg = 0;
	if (!vbus_is_zero(&rest, sizeof(rest)))
		return vbus_complete(dev, VIRTIO_VBUS_S_EINVAL, 0, 0, false);
	if (code != VIRTIO_VBUS_CTRL_COALESCE ||
	    !vbus_has(dev, VIRTIO_VBUS_F_COALESCE))
		return vbus_complete(dev, VIRTIO_VBUS_S_EOPNOTSUPP, code, 0,
				     false);
	vbus_set_coalesce(dev, le32toh(cmd->arg));
	vbus_complete(dev, VIRTIO_VBUS_S_OK, 0, 0, false);
}

static void vbus_cmd_execute(struct vbus_dev *dev)
{
	struct virtio_vbus_cmd cmd = dev->cmd;
	uint16_t opcode = le16toh(cmd.opcode);

	dev->stats.commands++;
	switch (opcode) {
	case VIRTIO_VBUS_CMD_NOP:
		cmd.opcode = 0;
		vbus_complete(dev, vbus_is_zero(&cmd, sizeof(cmd)) ?
			      VIRTIO_VBUS_S_OK : VIRTIO_VBUS_S_EINVAL, 0, 0,
			      false);
		break;
	case VIRTIO_VBUS_CMD_CALL:
		vbus_cmd_call(dev, &cmd);
		break;
	case VIRTIO_VBUS_CMD_REGION_ADD:
	case VIRTIO_VBUS_CMD_REGION_DEL:
	case VIRTIO_VBUS_CMD_REGION_ACK:
		vbus_cmd_region(dev, &cmd, opcode);
		break;
	case VIRTIO_VBUS_CMD_CTRL:
		vbus_cmd_ctrl(dev, &cmd);
		break;
	default:
		vbus_complete(dev, VIRTIO_VBUS_S_EOPNOTSUPP, opcode, 0, false);
		break;
	}
}

void vbus_mbox_get_config(struct vbus_dev *dev, struct virtio_vbus_config *cfg)
{
	const struct vbus_dev_config *c = &dev->conf;
	bool callq = c->callq && c->call;

	memset(cfg, 0, sizeof(*cfg));
	/* 32 bytes: no NUL, which tests use to check drivers refuse it. */
	memcpy(cfg->type, dev->type->name,
	       MIN(strlen(dev->type->name), sizeof(cfg->type)));
	cfg->abi_version = htole32(dev->type->abi_version);
	cfg->max_call_len = htole32(c->max_call_len);
	cfg->max_regions = htole32(c->max_regions);
	cfg->num_event_queues = htole16(c->num_event_queues);
	cfg->max_region_bytes = htole64(c->max_region_bytes);
	cfg->cmd_timeout_ms = htole32(c->cmd_timeout_ms);
	cfg->num_call_queues = htole16(callq ? c->num_call_queues : 0);
	cfg->max_calls = htole32(callq ? c->max_calls : 0);
	cfg->cmd = dev->cmd;
	cfg->cmd_seq = htole32(dev->cmd_seq);
	cfg->done_seq = htole32(dev->done_seq);
	cfg->status = htole16(dev->status);
	cfg->qualifier = htole32(dev->qualifier);
	cfg->result = htole64(dev->result);
}

/*
 * A write of configuration space. Commands run from DRIVER_OK on, when
 * the front-end has sent the negotiated features and the memory table:
 * a doorbell before then runs nothing.
 */
void vbus_mbox_set_config(struct vbus_dev *dev,
			  const struct virtio_vbus_config *cfg)
{
	uint32_t seq = le32toh(cfg->cmd_seq);
	bool rung = seq != dev->cmd_seq;

	dev->cmd_seq = seq;
	if (dev->busy) {
		if (rung)
			dev->stats.busy_doorbells++;
		return;
	}
	dev->cmd = cfg->cmd;
	if (!rung || !(dev->features & (1ull << VIRTIO_F_VERSION_1)))
		return;
	dev->run_seq = seq;
	vbus_cmd_execute(dev);
}

/* A reset abandons the command in progress without completing it. */
void vbus_mbox_reset(struct vbus_dev *dev)
{
	if (dev->busy) {
		dev->type->cancel(dev, &dev->mcall);
		vbus_mcall_free(dev);
	}
	dev->resets++;
	memset(&dev->cmd, 0, sizeof(dev->cmd));
	dev->cmd_seq = 0;
	dev->run_seq = 0;
	dev->done_seq = 0;
	dev->status = 0;
	dev->qualifier = 0;
	dev->result = 0;
	dev->misbehave = 0;
}

bool vbus_dev_misbehave(struct vbus_dev *dev, uint32_t mode)
{
	switch (mode) {
	case VBUS_TEST_MB_NONE:
	case VBUS_TEST_MB_BAD_STATUS:
	case VBUS_TEST_MB_NEVER_COMPLETE:
	case VBUS_TEST_MB_BAD_RESULT:
		dev->misbehave = mode;
		dev->misbehave_seq = dev->run_seq;
		return true;
	case VBUS_TEST_MB_UNKNOWN_REGION:
		vbus_event_post_bad(dev, 0, VIRTIO_VBUS_EVT_SIGNAL,
				    VBUS_HOSTILE_REGION,
				    sizeof(struct virtio_vbus_event));
		return true;
	case VBUS_TEST_MB_BAD_EVENT:
		vbus_event_post_bad(dev, 0, 0x99, 0,
				    sizeof(struct virtio_vbus_event));
		return true;
	case VBUS_TEST_MB_SHORT_EVENT:
		vbus_event_post_bad(dev, 0, VIRTIO_VBUS_EVT_SIGNAL, 0, 8);
		return true;
	case VBUS_TEST_MB_EVENT_FLOOD:
		vbus_flood(dev);
		return true;
	default:
		return false;
	}
}
