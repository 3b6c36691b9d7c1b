/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What kernels older than the newest the driver is written for need: the
 * driver uses the newest kernel API throughout, and each shim here names
 * the kernel release that made it unnecessary. Checked on Linux 6.1, 6.12
 * and 7.2 (README: "Which kernels and QEMUs"). An upstream submission
 * deletes this file, its one include, and the two VBUS_COMPAT_NO_URING
 * tests.
 */
#ifndef _VIRTIO_VBUS_COMPAT_H
#define _VIRTIO_VBUS_COMPAT_H

#include <linux/dma-mapping.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/workqueue.h>
#include <xen/xen.h>

/* Whether the kernel built for is older than release @major.@minor. */
#define VBUS_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/* Linux 6.3: vm_flags_set(). */
#if VBUS_BEFORE(6, 3)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/* Linux 6.6: virtqueue_dma_dev(), the device a queue's buffers map for. */
#if VBUS_BEFORE(6, 6)
static inline struct device *virtqueue_dma_dev(struct virtqueue *vq)
{
	/* vring_use_dma_api(): the DMA API, unless the legacy quirk applies. */
	if (virtio_has_dma_quirk(vq->vdev) && !xen_domain())
		return NULL;
	return vq->vdev->dev.parent;
}
#endif

/*
 * Linux 6.18: virtqueue_map_*(), which 6.6 introduced as virtqueue_dma_*();
 * before 6.6, the DMA API on virtqueue_dma_dev(), or physical addresses
 * for a device that bypasses it.
 */
#if VBUS_BEFORE(6, 6)
static inline dma_addr_t virtqueue_map_single_attrs(struct virtqueue *vq,
						    void *ptr, size_t size,
						    enum dma_data_direction dir,
						    unsigned long attrs)
{
	struct device *dev = virtqueue_dma_dev(vq);

	if (!dev)
		return (dma_addr_t)virt_to_phys(ptr);
	return dma_map_single_attrs(dev, ptr, size, dir, attrs);
}

static inline void virtqueue_unmap_single_attrs(struct virtqueue *vq,
						dma_addr_t addr, size_t size,
						enum dma_data_direction dir,
						unsigned long attrs)
{
	struct device *dev = virtqueue_dma_dev(vq);

	if (dev)
		dma_unmap_single_attrs(dev, addr, size, dir, attrs);
}

static inline int virtqueue_map_mapping_error(struct virtqueue *vq,
					      dma_addr_t addr)
{
	struct device *dev = virtqueue_dma_dev(vq);

	return dev ? dma_mapping_error(dev, addr) : 0;
}
#elif VBUS_BEFORE(6, 18)
#define virtqueue_map_single_attrs	virtqueue_dma_map_single_attrs
#define virtqueue_unmap_single_attrs	virtqueue_dma_unmap_single_attrs
#define virtqueue_map_mapping_error	virtqueue_dma_mapping_error
#endif

/*
 * Linux 6.17: WQ_PERCPU, what a workqueue without WQ_UNBOUND was before,
 * and system_percpu_wq, which replaces system_wq (7.2 warns on work
 * queued there). Debian's 6.12 has both backported: harmless there.
 */
#if VBUS_BEFORE(6, 17)
#define WQ_PERCPU	0
#define system_percpu_wq	system_wq
#endif

/* Linux 6.8: eventfd_signal() adds one. */
#if VBUS_BEFORE(6, 8)
#define eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#endif

/*
 * Linux 6.11: struct virtqueue_info and virtio_find_vqs() taking it; before,
 * parallel arrays of callbacks, names and ctx flags.
 */
#if VBUS_BEFORE(6, 11)
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

static inline int vbus_compat_find_vqs(struct virtio_device *vdev,
				       unsigned int nvqs,
				       struct virtqueue *vqs[],
				       struct virtqueue_info vqs_info[],
				       struct irq_affinity *desc)
{
	vq_callback_t **callbacks;
	const char **names;
	bool *ctx;
	unsigned int i;
	int err = -ENOMEM;

	callbacks = kcalloc(nvqs, sizeof(*callbacks), GFP_KERNEL);
	names = kcalloc(nvqs, sizeof(*names), GFP_KERNEL);
	ctx = kcalloc(nvqs, sizeof(*ctx), GFP_KERNEL);
	if (callbacks && names && ctx) {
		for (i = 0; i < nvqs; i++) {
			callbacks[i] = vqs_info[i].callback;
			names[i] = vqs_info[i].name;
			ctx[i] = vqs_info[i].ctx;
		}
		err = virtio_find_vqs_ctx(vdev, nvqs, vqs, callbacks, names,
					  ctx, desc);
	}
	kfree(ctx);
	kfree(names);
	kfree(callbacks);
	return err;
}

#define virtio_find_vqs vbus_compat_find_vqs
#endif

/*
 * io_uring commands (virtio_vbus_uring.c) from Linux 6.12, the first with
 * all of io_uring_cmd_to_pdu(), cancelable commands and CQE32 completions
 * the driver relies on. Older kernels take no io_uring commands on
 * /dev/vbusN (io_uring answers EOPNOTSUPP); the call fd is there.
 */
#if VBUS_BEFORE(6, 12)
#define VBUS_COMPAT_NO_URING 1
#else
#include <linux/io_uring/cmd.h>

/* Linux 7.0: io_uring_sqe128_cmd(), the command bytes of an SQE128. */
#if VBUS_BEFORE(7, 0)
#define io_uring_sqe128_cmd(sqe, type)	((const type *)io_uring_sqe_cmd(sqe))
#endif

/* Linux 6.18: io_uring_cmd_done32(), a CQE32 completion. */
#if VBUS_BEFORE(6, 18)
#define io_uring_cmd_done32(cmd, ret, res2, issue_flags) \
	io_uring_cmd_done((cmd), (ret), (res2), (issue_flags))
#endif

/* Linux 6.19: the issue flags a task work callback completes with. */
#if VBUS_BEFORE(6, 19)
#define IO_URING_CMD_TASK_WORK_ISSUE_FLAGS	IO_URING_F_COMPLETE_DEFER
#endif

/*
 * Linux 6.19: task work callbacks take (struct io_tw_req, io_tw_token_t),
 * tw.cancel set when the task is exiting. Before, they took the command
 * and issue flags, IO_URING_F_TASK_DEAD among them: an adapter calls the
 * driver's callback, which rides at the end of the command's pdu.
 */
#if VBUS_BEFORE(6, 19)
struct io_tw_req {
	struct io_uring_cmd *cmd;
};

struct vbus_compat_tw_token {
	bool cancel;
};

#define io_tw_token_t struct vbus_compat_tw_token
typedef void (*vbus_compat_tw_fn)(struct io_tw_req, io_tw_token_t);

static inline struct io_uring_cmd *io_uring_cmd_from_tw(struct io_tw_req tw_req)
{
	return tw_req.cmd;
}

static inline vbus_compat_tw_fn *vbus_compat_tw_slot(struct io_uring_cmd *cmd)
{
	return (vbus_compat_tw_fn *)(cmd->pdu + sizeof(cmd->pdu) -
				     sizeof(vbus_compat_tw_fn));
}

static inline void vbus_compat_tw(struct io_uring_cmd *cmd,
				  unsigned int issue_flags)
{
	struct io_tw_req tw_req = { .cmd = cmd };
	io_tw_token_t tw = { .cancel = issue_flags & IO_URING_F_TASK_DEAD };

	(*vbus_compat_tw_slot(cmd))(tw_req, tw);
}

/* The driver's pdu is one pointer: the callback fits behind it. */
static inline void vbus_compat_complete_in_task(struct io_uring_cmd *cmd,
						vbus_compat_tw_fn fn)
{
	BUILD_BUG_ON(sizeof(void *) + sizeof(fn) > sizeof(cmd->pdu));
	*vbus_compat_tw_slot(cmd) = fn;
	io_uring_cmd_complete_in_task(cmd, vbus_compat_tw);
}

#define io_uring_cmd_complete_in_task vbus_compat_complete_in_task
#endif
#endif

#endif /* _VIRTIO_VBUS_COMPAT_H */
