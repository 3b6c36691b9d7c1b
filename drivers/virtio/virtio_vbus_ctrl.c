// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device controls (VIRTIO_VBUS_CMD_CTRL): the driver's settings, kept
 * across resets and system sleeps, which forget the device's.
 */
#include "virtio_vbus.h"

static int vbus_ctrl_coalesce(struct virtio_vbus *vb, u32 per_ms)
{
	struct vbus_cmd cmd = {
		.opcode = VIRTIO_VBUS_CMD_CTRL,
		.func = VIRTIO_VBUS_CTRL_COALESCE,
		.arg = per_ms,
	};
	struct vbus_cmd_result res;

	return vbus_do_cmd(vb, &cmd, false, &res);
}

/**
 * vbus_ctrl_apply() - give a device that just became ready the settings
 * @vb: the vbus device, @vb->reset_lock held
 *
 * A device that refuses a setting it offered is broken (vbus_set_broken()).
 */
void vbus_ctrl_apply(struct virtio_vbus *vb)
{
	int err;

	lockdep_assert_held(&vb->reset_lock);
	if (!vb->coalesce_per_ms)
		return;		/* the device's default after a reset */
	err = vbus_ctrl_coalesce(vb, vb->coalesce_per_ms);
	if (err)
		vbus_set_broken(vb, "CTRL_COALESCE %u failed: %d",
				vb->coalesce_per_ms, err);
}

/**
 * vbus_set_coalesce() - at most @per_ms SIGNAL events per region per ms
 * @vb: the vbus device
 * @per_ms: the limit; 0 for none (the default: the shm-signal protocol
 *	already sends one event per edge the driver consumed)
 *
 * Return: 0; -EOPNOTSUPP without VIRTIO_VBUS_F_COALESCE; the device's or
 * its state's errno (the setting is then unchanged).
 */
int vbus_set_coalesce(struct virtio_vbus *vb, u32 per_ms)
{
	int err;

	/* Read at probe: the virtio device may be unbound by now. */
	if (!vb->has_coalesce)
		return -EOPNOTSUPP;
	mutex_lock(&vb->reset_lock);
	err = vbus_ctrl_coalesce(vb, per_ms);
	if (!err)
		WRITE_ONCE(vb->coalesce_per_ms, per_ms);
	mutex_unlock(&vb->reset_lock);
	return err;
}
