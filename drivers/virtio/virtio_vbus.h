/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vbus driver internals, shared by the files of virtio_vbus.ko.
 */
#ifndef _VIRTIO_VBUS_H
#define _VIRTIO_VBUS_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/virtio.h>
#include <linux/virtio_vbus.h>
#include <linux/wait.h>

/**
 * struct virtio_vbus - one vbus device, i.e. one virtio-vbus device
 * @dev: the class device behind /dev/vbusN and its sysfs attributes; its
 *	refcount is the lifetime of this structure (open files hold one)
 * @cdev: the character device, kept alive through @dev
 * @vdev: the virtio device; valid while @state is not VBUS_STATE_REMOVED
 * @lock: serialises commands and state changes; protects @state, @vdev
 *	dereferences after probe, and the command mailbox
 * @state: enum vbus_state
 * @instance: N of /dev/vbusN
 * @type: device type name, NUL-terminated and printable
 * @abi_version: the type's ABI version
 * @max_call_len: bytes per call buffer
 * @max_regions: regions at once
 * @max_region_bytes: bytes of all regions
 * @num_evqs: event queues in use
 * @cmd_timeout_ms: the longest a command may take
 * @cmd_seq: the doorbell value of the last command issued
 * @cfg_events: configuration change notifications seen; read under @cfg_wq
 * @cfg_wq: command waiters, woken on every configuration change
 */
struct virtio_vbus {
	struct device dev;
	struct cdev cdev;
	struct virtio_device *vdev;
	struct mutex lock;		/* see @lock above */
	enum vbus_state state;
	int instance;

	char type[VIRTIO_VBUS_TYPE_LEN];
	u32 abi_version;
	u32 max_call_len;
	u32 max_regions;
	u64 max_region_bytes;
	u32 num_evqs;
	u32 cmd_timeout_ms;

	u32 cmd_seq;
	atomic_t cfg_events;
	wait_queue_head_t cfg_wq;
};

static inline struct virtio_vbus *to_virtio_vbus(struct device *dev)
{
	return container_of(dev, struct virtio_vbus, dev);
}

extern const struct attribute_group *vbus_dev_groups[];
extern const struct file_operations vbus_fops;

const char *vbus_state_name(enum vbus_state state);

#endif /* _VIRTIO_VBUS_H */
