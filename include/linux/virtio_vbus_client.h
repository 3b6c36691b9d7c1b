/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vbus client drivers: type-specific drivers of vbus devices.
 *
 * A vbus device of type T appears on the auxiliary bus as
 * virtio_vbus.T.N; a client driver binds with an auxiliary_device_id of
 * "virtio_vbus.T" and reaches the device through this API. While a client
 * is bound, userspace calls through /dev/vbusN fail with -EBUSY.
 */
#ifndef _LINUX_VIRTIO_VBUS_CLIENT_H
#define _LINUX_VIRTIO_VBUS_CLIENT_H

#include <linux/auxiliary_bus.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct virtio_vbus;
struct vbus_client_device;

/**
 * struct vbus_client_reset_ops - a client driver's part in a reset
 * @reset_prepare: before the reset: stop using the device; regions and
 *	signals are gone after it. A non-zero return refuses the reset.
 * @reset_done: after it, with 0 or why re-initialisation failed
 *
 * A client that sets none refuses every reset requested from sysfs or
 * userspace (-EOPNOTSUPP), and every system sleep, which resets the device
 * too; a reset the device asks for breaks the device instead.
 */
struct vbus_client_reset_ops {
	int (*reset_prepare)(struct vbus_client_device *vc);
	void (*reset_done)(struct vbus_client_device *vc, int err);
};

/**
 * struct vbus_client_device - the auxiliary device of a vbus device
 * @adev: the auxiliary device client drivers bind to
 * @vb: the vbus device; the auxiliary device holds a reference on it
 * @reset_ops: the bound client's reset callbacks, or NULL
 * @calls_lock: private: protects @calls
 * @calls: private: the asynchronous calls not ended for the client yet
 * @calls_wq: private: vbus_call_drain() waits here
 */
struct vbus_client_device {
	struct auxiliary_device adev;
	struct virtio_vbus *vb;
	const struct vbus_client_reset_ops *reset_ops;
	spinlock_t calls_lock;		/* see @calls_lock above */
	struct list_head calls;
	wait_queue_head_t calls_wq;
};

static inline struct vbus_client_device *
to_vbus_client(struct auxiliary_device *adev)
{
	return container_of(adev, struct vbus_client_device, adev);
}

/**
 * struct vbus_call_result - what the device answered to a call
 * @len: bytes the device wrote into the in buffer
 * @status: enum virtio_vbus_status
 * @qualifier: device-specific detail
 */
struct vbus_call_result {
	u32 len;
	u16 status;
	u32 qualifier;
};

int vbus_call(struct vbus_client_device *vc, u32 func, const void *out,
	      size_t out_len, void *in, size_t in_len,
	      struct vbus_call_result *res);

struct completion;

/**
 * struct vbus_call_async - a call whose answer comes later
 * @func: the function of the device type
 * @out: bytes sent to the device, copied before vbus_call_submit() returns
 * @out_len: length of @out
 * @in: buffer for the answer, written before @done runs; valid until then
 * @in_len: size of @in
 * @done: called once when the call ends, or NULL: in any context, hard
 *	IRQ included, maybe before vbus_call_submit() returned; it must not
 *	sleep, and may free the structure
 * @completion: completed when the call ends (after @done), or NULL; not
 *	in memory that @done frees
 * @err: set before @done: as vbus_call() returns, -ECANCELED when a reset
 *	ended the call, -ENODEV a removal, -ETIMEDOUT vbus_call_drain()
 * @res: set before @done: what the device answered
 * @private: the caller's
 */
struct vbus_call_async {
	u32 func;
	const void *out;
	size_t out_len;
	void *in;
	size_t in_len;
	void (*done)(struct vbus_call_async *call);
	struct completion *completion;
	int err;
	struct vbus_call_result res;
	void *private;
};

int vbus_call_submit(struct vbus_client_device *vc,
		     struct vbus_call_async *call);
void vbus_call_drain(struct vbus_client_device *vc);

/*
 * Shared-memory regions and their shm-signals. A region is memory the
 * device shares; its signal carries edge-triggered notifications both ways
 * (Documentation/virtio-vbus.rst, "shm-signals").
 */
struct vbus_region;
struct vbus_signal;
typedef void (*vbus_signal_notify_t)(struct vbus_signal *sig, void *data);

/* vbus_region_create() flags */
#define VBUS_REGION_SIGNAL	BIT(0)

struct vbus_region *vbus_region_create(struct vbus_client_device *vc,
				       size_t len, u32 prio,
				       unsigned int flags);
int vbus_region_destroy(struct vbus_region *r);
void *vbus_region_mem(struct vbus_region *r);
size_t vbus_region_payload_len(struct vbus_region *r);
u32 vbus_region_id(struct vbus_region *r);

struct vbus_signal *vbus_region_signal(struct vbus_region *r);
void vbus_signal_get(struct vbus_signal *sig);
void vbus_signal_put(struct vbus_signal *sig);
int vbus_signal_inject(struct vbus_signal *sig);
void vbus_signal_enable(struct vbus_signal *sig);
void vbus_signal_disable(struct vbus_signal *sig);
void vbus_signal_set_notify(struct vbus_signal *sig, vbus_signal_notify_t fn,
			    void *data);
const char *vbus_client_type(struct vbus_client_device *vc);
void vbus_client_set_reset_ops(struct vbus_client_device *vc,
			       const struct vbus_client_reset_ops *ops);
u32 vbus_client_abi_version(struct vbus_client_device *vc);

#endif /* _LINUX_VIRTIO_VBUS_CLIENT_H */
