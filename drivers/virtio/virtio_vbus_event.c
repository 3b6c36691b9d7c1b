// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtqueues: event queues (device to driver) and the signal queue
 * (driver to device). Virtqueue callbacks only schedule work. An event
 * worker handles at most VBUS_EVENT_BUDGET events a pass, refills the
 * buffers it consumed and yields, so a flood of events never hangs the
 * guest (Documentation/virtio-vbus.rst, "Event queues").
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "virtio_vbus.h"

static const char * const vbus_evq_names[VIRTIO_VBUS_MAX_EVENT_QUEUES] = {
	"event0", "event1", "event2", "event3",
	"event4", "event5", "event6", "event7",
};

static struct vbus_evq *vbus_evq_of(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;
	unsigned int i = vq->index ? vq->index - 1 : 0;

	return &vb->evqs[i];
}

static void vbus_evq_done(struct virtqueue *vq)
{
	struct vbus_evq *evq = vbus_evq_of(vq);

	/* Late, after the reset: the worker is stopped, and stays so. */
	if (!READ_ONCE(evq->vb->cbs_live)) {
		atomic64_inc(&evq->vb->stats.late_irqs);
		return;
	}
	atomic64_inc(&evq->vb->stats.evq_irqs);
	virtqueue_disable_cb(vq);
	queue_work(system_percpu_wq, &evq->work);
}

static int vbus_evq_add(struct vbus_evq *evq, struct virtio_vbus_event *evt)
{
	struct scatterlist sg;

	sg_init_one(&sg, evt, sizeof(*evt));
	return virtqueue_add_inbuf(evq->vq, &sg, 1, evt, GFP_KERNEL);
}

/* Copies, then validates: the device may rewrite the buffer meanwhile. */
static void vbus_event_handle(struct virtio_vbus *vb,
			      const struct virtio_vbus_event *buf,
			      unsigned int len)
{
	struct virtio_vbus_event evt;
	u16 type;

	atomic64_inc(&vb->stats.events);
	if (len != sizeof(evt)) {
		atomic64_inc(&vb->stats.bad_events);
		dev_warn_ratelimited(&vb->dev, "event of %u bytes dropped\n",
				     len);
		return;
	}
	memcpy(&evt, buf, sizeof(evt));
	type = le16_to_cpu(evt.type);

	switch (type) {
	case VIRTIO_VBUS_EVT_SIGNAL:
	case VIRTIO_VBUS_EVT_REGION_CLOSED:
		vbus_region_event(vb, type, le32_to_cpu(evt.region_id));
		break;
	case VIRTIO_VBUS_EVT_DEVICE_ERROR:
		vbus_set_broken(vb, "device error: status %u qualifier %u",
				le32_to_cpu(evt.code), le32_to_cpu(evt.value));
		break;
	case VIRTIO_VBUS_EVT_RESET_REQUEST:
		dev_warn_ratelimited(&vb->dev, "device requests a reset\n");
		vbus_request_reset(vb);
		break;
	default:
		atomic64_inc(&vb->stats.bad_events);
		dev_warn_ratelimited(&vb->dev, "event type %u dropped\n", type);
		break;
	}
}

static void vbus_evq_work(struct work_struct *work)
{
	struct vbus_evq *evq = container_of(work, struct vbus_evq, work);
	struct virtio_vbus_event *evt;
	int budget = VBUS_EVENT_BUDGET;
	unsigned int len;

	do {
		virtqueue_disable_cb(evq->vq);
		while (budget && (evt = virtqueue_get_buf(evq->vq, &len))) {
			atomic64_inc(&evq->events);
			vbus_event_handle(evq->vb, evt, len);
			/* Fails only on a broken virtqueue. */
			if (vbus_evq_add(evq, evt))
				dev_warn_ratelimited(&evq->vb->dev,
						     "event buffer lost\n");
			budget--;
		}
		virtqueue_kick(evq->vq);
		if (!budget) {
			/* More may wait: yield, then go on where we left. */
			atomic64_inc(&evq->vb->stats.budget_exhausted);
			queue_work(system_percpu_wq, &evq->work);
			return;
		}
	} while (!virtqueue_enable_cb(evq->vq));
}

/*
 * Sends a region's driver-to-device notification, or records it as owed
 * when the signal queue is full: pending stays 1 until the device consumes
 * the edge, so a notification never sent would stall the region. Nothing
 * is sent or owed for a region that is closed: the device forgot it, and
 * an owed entry would pin its memory until the next reset.
 * Any context. Return: false when the notification is owed.
 */
bool vbus_sigq_kick(struct virtio_vbus *vb, struct vbus_region *r)
{
	struct virtio_vbus_signal *sig;
	struct scatterlist sg;
	unsigned long flags;
	unsigned int len;
	int err = -ENOMEM;

	spin_lock_irqsave(&vb->sigq_lock, flags);
	/* vbus_region_unregister() sets closed before it takes the lock. */
	if (!vb->sigq || READ_ONCE(r->closed)) {
		spin_unlock_irqrestore(&vb->sigq_lock, flags);
		return true;
	}
	while ((sig = virtqueue_get_buf(vb->sigq, &len)))
		kfree(sig);
	sig = kmalloc(sizeof(*sig), GFP_ATOMIC);
	if (sig) {
		sig->region_id = cpu_to_le32(r->id);
		sig->reserved = 0;
		sg_init_one(&sg, sig, sizeof(*sig));
		err = virtqueue_add_outbuf(vb->sigq, &sg, 1, sig, GFP_ATOMIC);
		if (err)
			kfree(sig);
	}
	if (!err) {
		atomic64_inc(&vb->stats.sig_kicks);
		virtqueue_kick(vb->sigq);
	} else if (!r->owed) {
		r->owed = true;
		kref_get(&r->kref);
		list_add_tail(&r->owed_node, &vb->owed);
		atomic64_inc(&vb->stats.sig_owed);
	}
	spin_unlock_irqrestore(&vb->sigq_lock, flags);
	return !err;
}

static void vbus_sigq_done(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;

	if (READ_ONCE(vb->cbs_live))
		queue_work(system_percpu_wq, &vb->sigq_work);
	else
		atomic64_inc(&vb->stats.late_irqs);
}

/* The device returned signal buffers: send what is owed. */
static void vbus_sigq_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      sigq_work);
	struct vbus_region *r;
	unsigned long flags;
	bool sent;

	do {
		spin_lock_irqsave(&vb->sigq_lock, flags);
		r = list_first_entry_or_null(&vb->owed, struct vbus_region,
					     owed_node);
		if (r) {
			list_del(&r->owed_node);
			r->owed = false;
		}
		spin_unlock_irqrestore(&vb->sigq_lock, flags);
		if (!r)
			break;
		/* Still full: owed again, until the next used buffer. */
		sent = vbus_sigq_kick(vb, r);
		vbus_region_put(r);
	} while (sent);
}

/* Event queue 0 and later ones named with a callback; up to @nvqs named. */
static void vbus_evq_info(struct virtio_vbus *vb, struct virtqueue_info *info,
			  unsigned int nvqs)
{
	unsigned int i;

	for (i = 0; i < vb->num_evqs; i++)
		info[virtio_vbus_vq_event(i)] =
			(struct virtqueue_info){ vbus_evq_names[i], vbus_evq_done };
	if (nvqs > VIRTIO_VBUS_VQ_SIGNAL)
		info[VIRTIO_VBUS_VQ_SIGNAL] = (struct virtqueue_info){
			"signal", vb->has_shm ? vbus_sigq_done : NULL };
	/* Event queues the features leave unused, below a call queue. */
	for (i = 0; i < nvqs; i++)
		if (!info[i].name)
			info[i].name = "unused";
}

/* Finds the @nvqs virtqueues @info names. */
static int vbus_find_vqs(struct virtio_vbus *vb, struct virtqueue_info *info,
			 unsigned int nvqs)
{
	struct virtqueue **vqs;
	unsigned int i;
	int err;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	if (!vqs)
		return -ENOMEM;
	err = virtio_find_vqs(vb->vdev, nvqs, vqs, info, NULL);
	if (!err) {
		for (i = 0; i < vb->num_evqs; i++)
			vb->evqs[i].vq = vqs[virtio_vbus_vq_event(i)];
		vb->sigq = vb->has_shm ? vqs[VIRTIO_VBUS_VQ_SIGNAL] : NULL;
		vbus_callq_start(vb, vqs);
	}
	kfree(vqs);
	return err;
}

/**
 * vbus_evq_init() - find the virtqueues and allocate the event buffers
 * @vb: the vbus device, with @num_evqs, @has_shm and the call queues known
 *
 * The indexes are the specification's, fixed whatever the features:
 * virtio_vbus_vq_event(n) for event queue n, VIRTIO_VBUS_VQ_SIGNAL for the
 * signal queue, virtio_vbus_vq_call() for the call queues. The transports
 * number only the named entries, so every queue below the last one used
 * is named, even one the features leave unused (then with no callback,
 * and never used).
 *
 * Return: 0 or a negative errno.
 */
int vbus_evq_init(struct virtio_vbus *vb)
{
	unsigned int i, nvqs = virtio_vbus_vq_event(vb->num_evqs - 1) + 1;
	struct virtqueue_info *info;
	int err = -ENOMEM;

	if (vb->has_shm)
		nvqs = max(nvqs, VIRTIO_VBUS_VQ_SIGNAL + 1);
	if (vb->has_callq)
		nvqs = virtio_vbus_vq_call(vb->dev_evqs, vb->num_callqs - 1) + 1;
	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	vbus_callq_info(vb, info);
	vbus_evq_info(vb, info, nvqs);

	for (i = 0; i < vb->num_evqs; i++) {
		vb->evqs[i].bufs = kcalloc(VBUS_EVQ_BUFS, sizeof(*vb->evqs[i].bufs),
					   GFP_KERNEL);
		if (!vb->evqs[i].bufs)
			goto err_free;
	}
	err = vbus_find_vqs(vb, info, nvqs);
	if (err)
		goto err_free;
	kfree(info);
	vb->vqs_live = true;
	WRITE_ONCE(vb->cbs_live, true);
	return 0;

err_free:
	kfree(info);
	for (i = 0; i < vb->num_evqs; i++) {
		kfree(vb->evqs[i].bufs);
		vb->evqs[i].bufs = NULL;
	}
	return err;
}

/* Posts every event buffer; after virtio_device_ready(). */
void vbus_evq_fill(struct virtio_vbus *vb)
{
	unsigned int i, q, n;

	for (q = 0; q < vb->num_evqs; q++) {
		struct vbus_evq *evq = &vb->evqs[q];

		n = min_t(unsigned int, VBUS_EVQ_BUFS,
			  virtqueue_get_vring_size(evq->vq));
		for (i = 0; i < n; i++)
			if (vbus_evq_add(evq, &evq->bufs[i]))
				break;
		virtqueue_kick(evq->vq);
	}
}

/* At probe, once: the workers (never initialised again, even idle). */
void vbus_evq_prepare(struct virtio_vbus *vb)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vb->evqs); i++) {
		vb->evqs[i].vb = vb;
		INIT_WORK(&vb->evqs[i].work, vbus_evq_work);
	}
	INIT_WORK(&vb->sigq_work, vbus_sigq_work);
}

/**
 * vbus_evq_stop() - wait for the workers, which no callback starts again
 * @vb: the vbus device, reset already
 */
void vbus_evq_stop(struct virtio_vbus *vb)
{
	unsigned int q;

	if (!vb->vqs_live)
		return;
	for (q = 0; q < vb->num_evqs; q++)
		cancel_work_sync(&vb->evqs[q].work);
	cancel_work_sync(&vb->sigq_work);
}

/**
 * vbus_evq_del() - tear the virtqueues down
 * @vb: the vbus device, reset and stopped
 */
void vbus_evq_del(struct virtio_vbus *vb)
{
	struct virtio_vbus_signal *sig;
	struct vbus_region *r, *tmp;
	struct virtqueue *sigq;
	unsigned long flags;
	unsigned int q, len;
	LIST_HEAD(owed);

	if (!vb->vqs_live)
		return;	/* a failed re-initialisation left none */
	vb->vqs_live = false;
	spin_lock_irqsave(&vb->sigq_lock, flags);
	sigq = vb->sigq;
	vb->sigq = NULL;
	/* A raise that raced teardown may have owed one after the reset. */
	list_splice_init(&vb->owed, &owed);
	spin_unlock_irqrestore(&vb->sigq_lock, flags);
	list_for_each_entry_safe(r, tmp, &owed, owed_node) {
		list_del_init(&r->owed_node);
		r->owed = false;
		vbus_region_put(r);
	}
	if (sigq) {
		while ((sig = virtqueue_get_buf(sigq, &len)))
			kfree(sig);
		while ((sig = virtqueue_detach_unused_buf(sigq)))
			kfree(sig);
	}
	vbus_callq_stop(vb);
	vb->vdev->config->del_vqs(vb->vdev);
	for (q = 0; q < vb->num_evqs; q++) {
		kfree(vb->evqs[q].bufs);
		vb->evqs[q].bufs = NULL;
		vb->evqs[q].vq = NULL;
	}
}
