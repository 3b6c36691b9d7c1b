// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection (kernels with CONFIG_FAULT_INJECTION_DEBUG_FS only):
 * fail_vbus_late_irq in debugfs, with the usual fault attributes
 * (Documentation/fault-injection/fault-injection.rst). When it fires, a
 * device's teardown runs every virtqueue's callback after the workers
 * stopped, as interrupts the device raised before its reset would if
 * they reached the guest late and found used buffers.
 */
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/virtio.h>

#include "virtio_vbus.h"

static DECLARE_FAULT_ATTR(vbus_fail_late_irq);
static struct dentry *vbus_fault_dir;

/**
 * vbus_fault_late_irq() - maybe deliver the device's interrupts late
 * @vb: the vbus device, reset and its workers stopped
 *
 * The callbacks run with interrupts off, as from the transport's handler.
 * Unarmed (probability 0, the default, or times 0), should_fail() is not
 * asked: it would count a failure point of /proc/thread-self/fail-nth,
 * which the fault walk keeps for allocations.
 */
void vbus_fault_late_irq(struct virtio_vbus *vb)
{
	struct virtqueue *vq;
	unsigned long flags;

	if (!vb->vqs_live || !READ_ONCE(vbus_fail_late_irq.probability) ||
	    !atomic_read(&vbus_fail_late_irq.times) ||
	    !should_fail(&vbus_fail_late_irq, 1))
		return;
	local_irq_save(flags);
	virtio_device_for_each_vq(vb->vdev, vq) {
		if (vq->callback)
			vq->callback(vq);
	}
	local_irq_restore(flags);
}

/* Without debugfs (debugfs=off) the driver works, with nothing to inject. */
void __init vbus_fault_init(void)
{
	vbus_fault_dir = fault_create_debugfs_attr("fail_vbus_late_irq", NULL,
						   &vbus_fail_late_irq);
	if (IS_ERR(vbus_fault_dir))
		pr_warn("virtio_vbus: no fail_vbus_late_irq (%pe)\n",
			vbus_fault_dir);
}

void vbus_fault_exit(void)
{
	debugfs_remove_recursive(vbus_fault_dir);
}
