// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event queue 0: device-to-driver events (Documentation/virtio-vbus.rst,
 * "Event queues"). The virtqueue callback only schedules the worker; the
 * worker handles at most VBUS_EVENT_BUDGET events a pass, refills the
 * buffers it consumed and yields, so a flood of events never hangs the
 * guest.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "virtio_vbus.h"

static void vbus_evq_done(struct virtqueue *vq)
{
	struct virtio_vbus *vb = vq->vdev->priv;

	virtqueue_disable_cb(vq);
	queue_work(system_wq, &vb->evq_work);
}

static int vbus_evq_add(struct virtio_vbus *vb, struct virtio_vbus_event *evt)
{
	struct scatterlist sg;

	sg_init_one(&sg, evt, sizeof(*evt));
	return virtqueue_add_inbuf(vb->evq, &sg, 1, evt, GFP_KERNEL);
}

/* Copies, then validates: the device may rewrite the buffer meanwhile. */
static void vbus_event_handle(struct virtio_vbus *vb,
			      const struct virtio_vbus_event *buf,
			      unsigned int len)
{
	struct virtio_vbus_event evt;

	atomic64_inc(&vb->stats.events);
	if (len != sizeof(evt)) {
		atomic64_inc(&vb->stats.bad_events);
		dev_warn_ratelimited(&vb->dev, "event of %u bytes dropped\n",
				     len);
		return;
	}
	memcpy(&evt, buf, sizeof(evt));

	switch (le16_to_cpu(evt.type)) {
	case VIRTIO_VBUS_EVT_DEVICE_ERROR:
		vbus_set_broken(vb, "device error: status %u qualifier %u",
				le32_to_cpu(evt.code), le32_to_cpu(evt.value));
		break;
	case VIRTIO_VBUS_EVT_RESET_REQUEST:
		dev_warn_ratelimited(&vb->dev, "device requests a reset\n");
		break;
	default:
		/* SIGNAL and REGION_CLOSED name regions; none are registered. */
		atomic64_inc(&vb->stats.bad_events);
		dev_warn_ratelimited(&vb->dev,
				     "event type %u for region %u dropped\n",
				     le16_to_cpu(evt.type),
				     le32_to_cpu(evt.region_id));
		break;
	}
}

static void vbus_evq_work(struct work_struct *work)
{
	struct virtio_vbus *vb = container_of(work, struct virtio_vbus,
					      evq_work);
	struct virtio_vbus_event *evt;
	int budget = VBUS_EVENT_BUDGET;
	unsigned int len;

	do {
		virtqueue_disable_cb(vb->evq);
		while (budget && (evt = virtqueue_get_buf(vb->evq, &len))) {
			vbus_event_handle(vb, evt, len);
			/* Fails only on a broken virtqueue. */
			if (vbus_evq_add(vb, evt))
				dev_warn_ratelimited(&vb->dev,
						     "event buffer lost\n");
			budget--;
		}
		virtqueue_kick(vb->evq);
		if (!budget) {
			/* More may wait: yield, then go on where we left. */
			atomic64_inc(&vb->stats.budget_exhausted);
			queue_work(system_wq, &vb->evq_work);
			return;
		}
	} while (!virtqueue_enable_cb(vb->evq));
}

/**
 * vbus_evq_init() - find the virtqueues and allocate the event buffers
 * @vb: the vbus device
 *
 * Return: 0 or a negative errno.
 */
int vbus_evq_init(struct virtio_vbus *vb)
{
	struct virtqueue_info vqs_info[] = {
		{ "event0", vbus_evq_done },
	};
	struct virtqueue *vqs[ARRAY_SIZE(vqs_info)];
	int err;

	INIT_WORK(&vb->evq_work, vbus_evq_work);
	vb->evbufs = kcalloc(VBUS_EVQ_BUFS, sizeof(*vb->evbufs), GFP_KERNEL);
	if (!vb->evbufs)
		return -ENOMEM;
	err = virtio_find_vqs(vb->vdev, ARRAY_SIZE(vqs), vqs, vqs_info, NULL);
	if (err) {
		kfree(vb->evbufs);
		vb->evbufs = NULL;
		return err;
	}
	vb->evq = vqs[0];
	return 0;
}

/* Posts every event buffer; after virtio_device_ready(). */
void vbus_evq_fill(struct virtio_vbus *vb)
{
	unsigned int i, n = min_t(unsigned int, VBUS_EVQ_BUFS,
				  virtqueue_get_vring_size(vb->evq));

	for (i = 0; i < n; i++)
		if (vbus_evq_add(vb, &vb->evbufs[i]))
			break;
	virtqueue_kick(vb->evq);
}

/**
 * vbus_evq_del() - tear the event queue down
 * @vb: the vbus device, reset already: no callback runs any more
 */
void vbus_evq_del(struct virtio_vbus *vb)
{
	cancel_work_sync(&vb->evq_work);
	vb->vdev->config->del_vqs(vb->vdev);
	kfree(vb->evbufs);
	vb->evbufs = NULL;
}
