// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared-memory regions and shm-signals (Documentation/virtio-vbus.rst,
 * "Shared-memory regions" and "shm-signals").
 *
 * A region's memory is freed only with its last reference, and the table
 * of registered regions holds one for as long as the device may access the
 * memory: until REGION_DEL or REGION_ACK completed, or the device was
 * reset. Mappings, signal users and the owner hold the others.
 */
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "virtio_vbus.h"

/*
 * Ends the device's streaming mapping of @r, under region_lock, which
 * removal takes before the transport device goes (its IOMMU state with
 * it): a region the driver holds past that (a mapping) is plain pages.
 */
static void vbus_region_dma_unmap(struct vbus_region *r)
{
	lockdep_assert_held(&r->vb->region_lock);
	if (!r->dma_dev)
		return;
	dma_unmap_single(r->dma_dev, r->dma, r->len, DMA_BIDIRECTIONAL);
	put_device(r->dma_dev);
	r->dma_dev = NULL;
}

static void vbus_region_release(struct kref *kref)
{
	struct vbus_region *r = container_of(kref, struct vbus_region, kref);
	struct eventfd_ctx *ctx = rcu_dereference_protected(r->eventfd, 1);

	if (ctx)
		eventfd_ctx_put(ctx);
	WARN_ON_ONCE(r->dma_dev);	/* unmapped under region_lock */
	if (r->coherent_dev) {
		dma_free_coherent(r->coherent_dev, r->len, r->mem, r->dma);
		put_device(r->coherent_dev);
	} else {
		free_pages_exact(r->mem, r->len);
	}
	put_device(&r->vb->dev);
	/* Event workers look regions up under RCU. */
	kfree_rcu(r, rcu);
}

void vbus_region_put(struct vbus_region *r)
{
	kref_put(&r->kref, vbus_region_release);
}

/*
 * Region memory where the device must use it in place, for the
 * virtqueues' DMA decision (the DMA API with VIRTIO_F_ACCESS_PLATFORM).
 * Pages mapped for the device when that mapping reaches them directly
 * (physical addresses, or an IOMMU's I/O virtual addresses): the mapping
 * ends when the region is unregistered, while the transport device is
 * there, and the pages outlive it. Where the mapping would bounce or need
 * syncs (swiotlb in an encrypted guest, a non-coherent device), coherent
 * memory instead, which the device can reach and both sides share; it is
 * freed with the last reference.
 */
static int vbus_region_alloc_mem(struct vbus_region *r)
{
	struct device *dma_dev = virtqueue_dma_dev(vbus_dma_vq(r->vb));

	r->mem = alloc_pages_exact(r->len, GFP_KERNEL | __GFP_ZERO);
	if (!r->mem)
		return -ENOMEM;
	if (!dma_dev) {
		r->dma = virt_to_phys(r->mem);
		return 0;
	}
	r->dma = dma_map_single(dma_dev, r->mem, r->len, DMA_BIDIRECTIONAL);
	if (!dma_mapping_error(dma_dev, r->dma) &&
	    !dma_need_sync(dma_dev, r->dma)) {
		r->dma_dev = get_device(dma_dev);
		return 0;
	}
	if (!dma_mapping_error(dma_dev, r->dma))
		dma_unmap_single(dma_dev, r->dma, r->len, DMA_BIDIRECTIONAL);
	free_pages_exact(r->mem, r->len);
	r->mem = dma_alloc_coherent(dma_dev, r->len, &r->dma, GFP_KERNEL);
	if (!r->mem)
		return -ENOMEM;
	r->coherent_dev = get_device(dma_dev);
	return 0;
}

/* Drops the table's reference: the device no longer accesses @r. */
static void vbus_region_unregister(struct vbus_region *r)
{
	struct virtio_vbus *vb = r->vb;
	unsigned long flags;
	bool owed = false;

	lockdep_assert_held(&vb->region_lock);
	if (!r->registered)
		return;
	r->registered = false;
	smp_wmb();	/* a reset's state first: see vbus_signal_raise() */
	WRITE_ONCE(r->closed, true);
	spin_lock_irqsave(&vb->sigq_lock, flags);
	if (r->owed) {
		/* The device forgets the region: nothing is owed to it. */
		list_del_init(&r->owed_node);
		r->owed = false;
		owed = true;
	}
	spin_unlock_irqrestore(&vb->sigq_lock, flags);
	if (owed)
		vbus_region_put(r);
	vb->nregions--;
	vb->region_bytes -= r->len;
	xa_erase(&vb->regions, r->id);
	vbus_region_dma_unmap(r);
	vbus_region_put(r);
}

/**
 * vbus_region_new() - allocate a region and register it with the device
 * @vb: the vbus device
 * @len: bytes, rounded up to pages
 * @prio: the event queue of its events
 * @signal: with a shm-signal descriptor (at the end of the region)
 *
 * Return: the region (the caller owns one reference) or an ERR_PTR:
 * -EOPNOTSUPP without VIRTIO_VBUS_F_SHM, -EINVAL for a zero length,
 * -E2BIG over the driver's region size, -ERANGE for a priority without an
 * event queue, -ENOSPC over the device's quotas, -ENOMEM, or the errno of
 * the device's answer or state.
 */
struct vbus_region *vbus_region_new(struct virtio_vbus *vb, size_t len,
				    u32 prio, bool signal)
{
	struct virtio_vbus_shm_signal_desc *desc;
	struct vbus_cmd_result res;
	struct vbus_cmd cmd = {};
	struct vbus_region *r;
	u32 id;
	int err;

	if (!vb->has_shm)
		return ERR_PTR(-EOPNOTSUPP);
	if (!len)
		return ERR_PTR(-EINVAL);
	if (len > VBUS_DRV_MAX_REGION_LEN)
		return ERR_PTR(-E2BIG);
	if (prio >= vb->num_evqs)
		return ERR_PTR(-ERANGE);

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kref_init(&r->kref);
	get_device(&vb->dev);
	r->vb = vb;
	r->prio = prio;
	r->len = PAGE_ALIGN(len);
	r->sigdesc_offset = VIRTIO_VBUS_NO_SIGNAL;
	spin_lock_init(&r->sig_lock);
	INIT_LIST_HEAD(&r->owed_node);

	/* Removal resets regions under region_lock before the vqs go. */
	mutex_lock(&vb->region_lock);
	err = vbus_state_errno(vb);
	if (!err)
		err = vbus_region_alloc_mem(r);
	if (err) {
		mutex_unlock(&vb->region_lock);
		put_device(&vb->dev);
		kfree(r);
		return ERR_PTR(err);
	}
	if (signal) {
		r->sigdesc_offset = r->len - sizeof(*desc);
		desc = r->mem + r->sigdesc_offset;
		desc->magic = cpu_to_le32(VIRTIO_VBUS_SHM_SIGNAL_MAGIC);
		desc->version = cpu_to_le32(1);
		desc->to_driver.enabled = 1;
		r->desc = desc;
	}

	if (vb->nregions >= vb->max_regions ||
	    r->len > vb->max_region_bytes - vb->region_bytes) {
		err = -ENOSPC;
		goto err_unlock;
	}
	/*
	 * Cyclic: an event the device posted for an older region of the
	 * same id may still be queued, and must not find a new one.
	 */
	err = xa_alloc_cyclic(&vb->regions, &id, r,
			      XA_LIMIT(0, VBUS_REGION_ID_LIMIT - 1),
			      &vb->next_region_id, GFP_KERNEL);
	if (err < 0)
		goto err_unlock;
	r->id = id;
	kref_get(&r->kref);	/* the table's */
	r->registered = true;
	vb->nregions++;
	vb->region_bytes += r->len;

	cmd.opcode = VIRTIO_VBUS_CMD_REGION_ADD;
	cmd.region_id = r->id;
	cmd.priority = prio;
	cmd.region_addr = r->dma;
	cmd.region_len = r->len;
	cmd.sigdesc_offset = r->sigdesc_offset;
	err = vbus_do_cmd(vb, &cmd, false, &res);
	/*
	 * A device that did not answer may still register the region: its
	 * memory stays in the table until the device is reset.
	 */
	if (err && res.done)
		vbus_region_unregister(r);
	mutex_unlock(&vb->region_lock);
	if (err) {
		vbus_region_put(r);
		return ERR_PTR(err);
	}
	return r;

err_unlock:
	vbus_region_dma_unmap(r);
	mutex_unlock(&vb->region_lock);
	vbus_region_put(r);
	return ERR_PTR(err);
}

/*
 * REGION_DEL or REGION_ACK (@cmd) for @r: the region leaves the table
 * only when the device said OK. A device that refused may still access
 * it, and one that did not answer may too: the memory then stays in the
 * table until the device is reset, which a refusal asks for (the device
 * broke the region protocol). Return: 0 or the errno.
 */
static int vbus_region_forget(struct vbus_region *r,
			      const struct vbus_cmd *cmd)
{
	struct virtio_vbus *vb = r->vb;
	struct vbus_cmd_result res;
	int err;

	lockdep_assert_held(&vb->region_lock);
	err = vbus_do_cmd(vb, cmd, false, &res);
	if (!err) {
		vbus_region_unregister(r);
		return 0;
	}
	if (res.done)
		vbus_set_broken(vb, "region %u: %s answered status %u",
				r->id, cmd->opcode == VIRTIO_VBUS_CMD_REGION_DEL ?
				"REGION_DEL" : "REGION_ACK", res.status);
	return err;
}

/**
 * vbus_region_del() - close a region on the driver's side
 * @r: the region; the caller keeps its reference
 *
 * The device stops every access before REGION_DEL completes; for a region
 * the device closed, REGION_DEL is its acknowledgment.
 *
 * Return: 0, or the errno of the device's answer or state (the memory then
 * stays reserved until the device is reset).
 */
int vbus_region_del(struct vbus_region *r)
{
	struct virtio_vbus *vb = r->vb;
	struct vbus_cmd cmd = {
		.opcode = VIRTIO_VBUS_CMD_REGION_DEL,
		.region_id = r->id,
	};
	int err = 0;

	mutex_lock(&vb->region_lock);
	if (r->registered)
		err = vbus_region_forget(r, &cmd);
	mutex_unlock(&vb->region_lock);
	return err;
}

/* Acknowledges the regions the device closed. */
void vbus_region_ack_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      ack_work);
	struct vbus_cmd cmd = { .opcode = VIRTIO_VBUS_CMD_REGION_ACK };
	struct vbus_region *r;
	unsigned long id;

	mutex_lock(&vb->region_lock);
	xa_for_each(&vb->regions, id, r) {
		if (!READ_ONCE(r->closed) || !r->registered)
			continue;
		cmd.region_id = r->id;
		if (vbus_region_forget(r, &cmd))
			break;
	}
	mutex_unlock(&vb->region_lock);
}

/* Looks up a registered region and takes a reference; any context. */
static struct vbus_region *vbus_region_get(struct virtio_vbus *vb, u32 id)
{
	struct vbus_region *r;

	rcu_read_lock();
	r = xa_load(&vb->regions, id);
	if (r && !kref_get_unless_zero(&r->kref))
		r = NULL;
	rcu_read_unlock();
	return r;
}

/*
 * The receiver side of a device-to-driver signal: consume the edge
 * (pending = 0, then a full barrier), then wake whoever reads the payload.
 */
static void vbus_region_consume(struct vbus_region *r)
{
	struct eventfd_ctx *ctx;
	vbus_signal_notify_t notify;
	unsigned long flags;
	void *data;

	WRITE_ONCE(r->desc->to_driver.pending, 0);
	virt_mb();	/* pending before the payload the reader reads */
	atomic64_inc(&r->signals_in);
	atomic64_inc(&r->vb->stats.signals_in);
	rcu_read_lock();
	ctx = rcu_dereference(r->eventfd);
	if (ctx)
		eventfd_signal(ctx);
	rcu_read_unlock();
	spin_lock_irqsave(&r->sig_lock, flags);
	notify = r->signal.notify;
	data = r->signal.data;
	spin_unlock_irqrestore(&r->sig_lock, flags);
	if (notify)
		notify(&r->signal, data);
}

/**
 * vbus_region_event() - a SIGNAL or REGION_CLOSED event
 * @vb: the vbus device
 * @type: the event type
 * @id: the region the device named, not trusted
 */
void vbus_region_event(struct virtio_vbus *vb, u16 type, u32 id)
{
	struct vbus_region *r = vbus_region_get(vb, id);
	unsigned long flags;

	/*
	 * Counted, not shouted about: an event the device posted before a
	 * REGION_DEL completed names a region that is gone, legitimately.
	 */
	if (!r || (type == VIRTIO_VBUS_EVT_SIGNAL && !r->desc)) {
		atomic64_inc(&vb->stats.bad_events);
		dev_dbg_ratelimited(&vb->dev, "event %u for unknown region %u\n",
				    type, id);
		goto out;
	}
	if (type == VIRTIO_VBUS_EVT_SIGNAL) {
		if (!READ_ONCE(r->closed))
			vbus_region_consume(r);
		goto out;
	}

	/* REGION_CLOSED: the device stopped using the region already. */
	WRITE_ONCE(r->closed, true);
	spin_lock_irqsave(&vb->files_lock, flags);
	if (r->owner)
		vbus_file_event(r->owner, VBUS_UEVT_REGION_CLOSED, r->id, 0);
	spin_unlock_irqrestore(&vb->files_lock, flags);
	queue_work(vbus_wq, &vb->ack_work);
out:
	if (r)
		vbus_region_put(r);
}

/**
 * vbus_regions_reset() - forget every region after a device reset
 * @vb: the vbus device, reset: the device accesses no region any more
 */
void vbus_regions_reset(struct virtio_vbus *vb)
{
	struct vbus_region *r;
	unsigned long id;

	cancel_work_sync(&vb->ack_work);
	/* Unregistering drops what each region is owed; vbus_evq_del() the rest. */
	mutex_lock(&vb->region_lock);
	xa_for_each(&vb->regions, id, r)
		vbus_region_unregister(r);
	mutex_unlock(&vb->region_lock);
}

/**
 * vbus_signal_raise() - the sender side of a driver-to-device signal
 * @r: the region
 *
 * Notifies the device only on the edge where to_device.pending goes from 0
 * to 1 while the device has enabled it. Any context.
 *
 * Return: 0, -EINVAL for a region without a signal, -EPIPE once the device
 * closed the region, or the errno of the device state.
 */
int vbus_signal_raise(struct vbus_region *r)
{
	struct virtio_vbus_shm_signal_desc *desc = r->desc;
	struct virtio_vbus *vb = r->vb;
	unsigned long flags;
	int err;

	if (!desc)
		return -EINVAL;
	err = vbus_state_errno(vb);
	if (err)
		return err;
	if (READ_ONCE(r->closed)) {
		/*
		 * A reset or removal changes the state before it closes the
		 * regions: the region went with the device, not by the
		 * device's choice, and the caller hears which.
		 */
		smp_rmb();	/* pairs with vbus_region_unregister() */
		return vbus_state_errno(vb) ?: -EPIPE;
	}

	spin_lock_irqsave(&r->sig_lock, flags);
	atomic64_inc(&r->signals_out);
	atomic64_inc(&vb->stats.signals_out);
	virt_mb();		/* the payload before pending */
	if (!READ_ONCE(desc->to_device.pending)) {
		WRITE_ONCE(desc->to_device.pending, 1);
		virt_mb();	/* pending before enabled */
		if (READ_ONCE(desc->to_device.enabled))
			vbus_sigq_kick(vb, r);
	}
	spin_unlock_irqrestore(&r->sig_lock, flags);
	return 0;
}

/* The client driver API. */

struct vbus_region *vbus_region_create(struct vbus_client_device *vc,
				       size_t len, u32 prio,
				       unsigned int flags)
{
	if (flags & ~VBUS_REGION_SIGNAL)
		return ERR_PTR(-EINVAL);
	return vbus_region_new(vc->vb, len, prio, flags & VBUS_REGION_SIGNAL);
}
EXPORT_SYMBOL_GPL(vbus_region_create);

/* Closes the region and drops the caller's reference. */
int vbus_region_destroy(struct vbus_region *r)
{
	int err = vbus_region_del(r);

	vbus_region_put(r);
	return err;
}
EXPORT_SYMBOL_GPL(vbus_region_destroy);

void *vbus_region_mem(struct vbus_region *r)
{
	return r->mem;
}
EXPORT_SYMBOL_GPL(vbus_region_mem);

size_t vbus_region_payload_len(struct vbus_region *r)
{
	return r->desc ? r->sigdesc_offset : r->len;
}
EXPORT_SYMBOL_GPL(vbus_region_payload_len);

u32 vbus_region_id(struct vbus_region *r)
{
	return r->id;
}
EXPORT_SYMBOL_GPL(vbus_region_id);

static struct vbus_region *vbus_signal_region(struct vbus_signal *sig)
{
	return container_of(sig, struct vbus_region, signal);
}

/* The region's signal, with a reference; NULL for a region without one. */
struct vbus_signal *vbus_region_signal(struct vbus_region *r)
{
	if (!r->desc)
		return NULL;
	kref_get(&r->kref);
	return &r->signal;
}
EXPORT_SYMBOL_GPL(vbus_region_signal);

void vbus_signal_get(struct vbus_signal *sig)
{
	kref_get(&vbus_signal_region(sig)->kref);
}
EXPORT_SYMBOL_GPL(vbus_signal_get);

void vbus_signal_put(struct vbus_signal *sig)
{
	vbus_region_put(vbus_signal_region(sig));
}
EXPORT_SYMBOL_GPL(vbus_signal_put);

int vbus_signal_inject(struct vbus_signal *sig)
{
	return vbus_signal_raise(vbus_signal_region(sig));
}
EXPORT_SYMBOL_GPL(vbus_signal_inject);

/*
 * Enables device-to-driver notifications, then re-checks pending: an edge
 * that came while they were off is consumed (and notified) right here.
 */
void vbus_signal_enable(struct vbus_signal *sig)
{
	struct vbus_region *r = vbus_signal_region(sig);

	WRITE_ONCE(r->desc->to_driver.enabled, 1);
	virt_mb();	/* enabled before the re-check of pending */
	if (READ_ONCE(r->desc->to_driver.pending) && !READ_ONCE(r->closed))
		vbus_region_consume(r);
}
EXPORT_SYMBOL_GPL(vbus_signal_enable);

void vbus_signal_disable(struct vbus_signal *sig)
{
	WRITE_ONCE(vbus_signal_region(sig)->desc->to_driver.enabled, 0);
}
EXPORT_SYMBOL_GPL(vbus_signal_disable);

/*
 * Sets the callback and its data as a pair. A callback already running
 * may still finish after the callback is cleared.
 */
void vbus_signal_set_notify(struct vbus_signal *sig, vbus_signal_notify_t fn,
			    void *data)
{
	struct vbus_region *r = vbus_signal_region(sig);
	unsigned long flags;

	spin_lock_irqsave(&r->sig_lock, flags);
	sig->notify = fn;
	sig->data = data;
	spin_unlock_irqrestore(&r->sig_lock, flags);
}
EXPORT_SYMBOL_GPL(vbus_signal_set_notify);
