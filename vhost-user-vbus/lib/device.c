// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A vbus device on a vhost-user connection: libvhost-user's callbacks,
 * queue handlers, reset, and the end of a connection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

/* In QEMU's vhost-user protocol, not yet in libvhost-user's header. */
#define VBUS_VHOST_USER_PROTOCOL_F_RESET_DEVICE	13
#define VBUS_VHOST_USER_RESET_DEVICE		34

void vbus_dev_config_init(struct vbus_dev_config *conf)
{
	*conf = (struct vbus_dev_config) {
		.call = true,
		.shm = true,
		.coalesce = true,
		.callq = true,
		.num_event_queues = 1,
		.num_call_queues = 1,
		.max_calls = 64,
		.max_call_len = 64 << 10,
		.max_regions = 16,
		.max_region_bytes = 16 << 20,
		.cmd_timeout_ms = 15000,
	};
}

static bool vbus_conf_valid(const struct vbus_device_type *type,
			    const struct vbus_dev_config *c)
{
	const char *why = NULL;

	if (!type->name || !*type->name || strlen(type->name) > VIRTIO_VBUS_TYPE_LEN)
		why = "the type name must be 1 to 32 bytes";
	else if (!type->call || !type->cancel)
		why = "a type needs call() and cancel()";
	else if (!c->max_call_len || c->max_call_len > VBUS_MAX_CALL_LEN)
		why = "max_call_len must be 1 to 16 MiB";
	else if (!c->num_event_queues ||
		 c->num_event_queues > VIRTIO_VBUS_MAX_EVENT_QUEUES)
		why = "num_event_queues must be 1 to 8";
	else if (c->callq && c->call &&
		 (!c->num_call_queues ||
		  c->num_call_queues > VIRTIO_VBUS_MAX_CALL_QUEUES ||
		  !c->max_calls || c->max_calls > VBUS_MAX_CALLS))
		why = "num_call_queues must be 1 to 64, max_calls 1 to 256";
	else if (!c->cmd_timeout_ms || c->cmd_timeout_ms < type->max_call_ms)
		why = "cmd_timeout_ms must be at least the type's max_call_ms";
	else if (c->poll_us > VBUS_MAX_POLL_US)
		why = "poll_us must be 0 to 10000";
	if (why)
		fprintf(stderr, "vbus-device: %s\n", why);
	return !why;
}

/* The virtqueues: event queues, the signal queue, call queues. */
static unsigned int vbus_num_vqs(struct vbus_dev *dev)
{
	bool callq = dev->conf.callq && dev->conf.call;

	return virtio_vbus_vq_call(dev->conf.num_event_queues,
				   callq ? dev->conf.num_call_queues : 0);
}

static void vbus_panic(VuDev *vu, const char *err);

struct vbus_dev *vbus_dev_new(const struct vbus_device_type *type,
			      const struct vbus_dev_config *conf, void *priv)
{
	struct vbus_dev *dev;
	unsigned int q;

	if (!vbus_conf_valid(type, conf)) {
		errno = EINVAL;
		return NULL;
	}
	dev = g_new0(struct vbus_dev, 1);
	dev->type = type;
	dev->conf = *conf;
	dev->priv = priv;
	dev->regions = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	for (q = 0; q < VIRTIO_VBUS_MAX_EVENT_QUEUES; q++)
		g_queue_init(&dev->evq_pending[q]);
	g_queue_init(&dev->calls);
	vbus_vu(dev)->panic = vbus_panic;	/* vug_init() sets it again */
	return dev;
}

void *vbus_dev_priv(struct vbus_dev *dev)
{
	return dev->priv;
}

const struct vbus_dev_stats *vbus_dev_stats(struct vbus_dev *dev)
{
	return &dev->stats;
}

/*
 * The device's reset (a guest reset, or the end of a connection): the
 * call in flight is abandoned, every call ends unused, regions close.
 */
void vbus_dev_reset(struct vbus_dev *dev)
{
	unsigned int i;

	vbus_mbox_reset(dev);
	vbus_callq_reset(dev);
	vbus_regions_reset(dev);
	vbus_events_reset(dev);
	/* The chains the calls held are the driver's again. */
	for (i = 0; vbus_vu(dev)->vq && i < vbus_vu(dev)->max_queues; i++)
		vbus_vu(dev)->vq[i].inuse = 0;
	memset(dev->notify_owed, 0, sizeof(dev->notify_owed));
	if (dev->type->reset)
		dev->type->reset(dev);
}

/*
 * Tells the driver about used buffers of @vq. A queue starts (at
 * SET_VRING_KICK) before it has its call fd again (SET_VRING_CALL): a
 * notification until then is owed, and sent once the call fd is there.
 */
void vbus_notify(struct vbus_dev *dev, VuVirtq *vq)
{
	if (vq->call_fd >= 0)
		vu_queue_notify(vbus_vu(dev), vq);
	else
		dev->notify_owed[vq - vbus_vu(dev)->vq] = true;
}

static gboolean vbus_notify_owed(gpointer opaque)
{
	struct vbus_dev *dev = opaque;
	unsigned int i;

	dev->owed_source = 0;
	for (i = 0; dev->serving && i < vbus_vu(dev)->max_queues; i++) {
		VuVirtq *vq = &vbus_vu(dev)->vq[i];

		if (dev->notify_owed[i] && vq->call_fd >= 0) {
			dev->notify_owed[i] = false;
			vu_queue_notify(vbus_vu(dev), vq);
		}
	}
	return G_SOURCE_REMOVE;
}

static gboolean vbus_dev_end(gpointer opaque)
{
	struct vbus_dev *dev = opaque;
	void (*gone)(struct vbus_dev *dev, const char *why) = dev->gone;

	dev->gone_source = 0;
	dev->serving = false;
	if (dev->owed_source)
		g_source_remove(dev->owed_source);
	dev->owed_source = 0;
	vbus_dev_reset(dev);
	/* The connection, its fds and mappings; then the GLib sources. */
	vu_deinit(vbus_vu(dev));
	vug_deinit(&dev->vug);
	dev->features = 0;
	if (gone)
		gone(dev, dev->why);
	return G_SOURCE_REMOVE;
}

/*
 * The device cannot go on: a driver broke the protocol, or the front-end
 * went. A device in another process cannot set DEVICE_NEEDS_RESET; it
 * closes the connection, which makes the front-end set it.
 */
void vbus_dev_broken(struct vbus_dev *dev, const char *why)
{
	if (!dev->serving)
		return;
	snprintf(dev->why, sizeof(dev->why), "%s", why);
	dev->serving = false;
	/* Before the socket's watch: a front-end that keeps writing waits. */
	if (!dev->gone_source)
		dev->gone_source = g_idle_add_full(G_PRIORITY_HIGH, vbus_dev_end,
						   dev, NULL);
}

static void vbus_panic(VuDev *vu, const char *err)
{
	char why[256];

	snprintf(why, sizeof(why), "vhost-user: %s", err ? err : "panic");
	vbus_dev_broken(vbus_of(vu), why);
}

static uint64_t vbus_get_features(VuDev *vu)
{
	struct vbus_dev *dev = vbus_of(vu);
	const struct vbus_dev_config *c = &dev->conf;
	uint64_t f = 1ull << VIRTIO_F_VERSION_1;

	if (c->call)
		f |= 1ull << VIRTIO_VBUS_F_CALL;
	if (c->shm)
		f |= 1ull << VIRTIO_VBUS_F_SHM;
	if (c->num_event_queues > 1)
		f |= 1ull << VIRTIO_VBUS_F_MULTI_EVQ;
	if (c->shm && c->coalesce)
		f |= 1ull << VIRTIO_VBUS_F_COALESCE;
	if (c->call && c->callq)
		f |= 1ull << VIRTIO_VBUS_F_CALLQ;
	return f;
}

static void vbus_set_features(VuDev *vu, uint64_t features)
{
	vbus_of(vu)->features = features;
}

static uint64_t vbus_get_protocol_features(VuDev *vu)
{
	return 1ull << VBUS_VHOST_USER_PROTOCOL_F_RESET_DEVICE;
}

/*
 * RESET_DEVICE is the guest's reset, which libvhost-user does not handle;
 * the features are negotiated again after it. NONE is the end of the
 * connection, where libvhost-user would exit(). A new call fd may be owed
 * a notification.
 */
static int vbus_process_msg(VuDev *vu, VhostUserMsg *msg, int *do_reply)
{
	struct vbus_dev *dev = vbus_of(vu);

	switch (msg->request) {
	case VBUS_VHOST_USER_RESET_DEVICE:
		vbus_dev_reset(dev);
		dev->features = 0;
		break;
	case VHOST_USER_NONE:
		vbus_dev_broken(dev, "the front-end went");
		break;
	case VHOST_USER_SET_VRING_CALL:
		/* After libvhost-user took the new call fd. */
		if (!dev->owed_source)
			dev->owed_source = g_idle_add_full(G_PRIORITY_HIGH,
							   vbus_notify_owed,
							   dev, NULL);
		return 0;
	default:
		return 0;
	}
	*do_reply = 0;
	return 1;
}

static void vbus_queue_kick(VuDev *vu, int qidx)
{
	struct vbus_dev *dev = vbus_of(vu);
	unsigned int ne = dev->conf.num_event_queues;

	if (!dev->serving)
		return;
	if (qidx == 1)
		vbus_signalq_handle(dev, qidx);
	else if ((unsigned int)qidx > ne)
		vbus_callq_handle(dev, qidx - ne - 1);
	else
		vbus_events_flush(dev, qidx ? qidx - 1 : 0);
}

static void vbus_queue_set_started(VuDev *vu, int qidx, bool started)
{
	struct vbus_dev *dev = vbus_of(vu);
	unsigned int ne = dev->conf.num_event_queues;

	vu_set_queue_handler(vu, vu_get_queue(vu, qidx),
			     started ? vbus_queue_kick : NULL);
	if (started && (unsigned int)qidx > ne)
		vbus_callq_started(dev, qidx - ne - 1);
	else if (started)
		vbus_queue_kick(vu, qidx);
}

static int vbus_get_config(VuDev *vu, uint8_t *config, uint32_t len)
{
	struct virtio_vbus_config cfg;

	vbus_mbox_get_config(vbus_of(vu), &cfg);
	memset(config, 0, len);
	memcpy(config, &cfg, MIN(len, sizeof(cfg)));
	return 0;
}

/* The front-end sends the whole space from offset 0 (vhost-user-base). */
static int vbus_set_config(VuDev *vu, const uint8_t *data, uint32_t offset,
			   uint32_t size, uint32_t flags)
{
	struct virtio_vbus_config cfg;

	if (offset || size < sizeof(cfg))
		return -EINVAL;
	memcpy(&cfg, data, sizeof(cfg));
	vbus_mbox_set_config(vbus_of(vu), &cfg);
	return 0;
}

static const VuDevIface vbus_iface = {
	.get_features = vbus_get_features,
	.set_features = vbus_set_features,
	.get_protocol_features = vbus_get_protocol_features,
	.process_msg = vbus_process_msg,
	.queue_set_started = vbus_queue_set_started,
	.get_config = vbus_get_config,
	.set_config = vbus_set_config,
};

bool vbus_dev_serve(struct vbus_dev *dev, int fd,
		    void (*gone)(struct vbus_dev *dev, const char *why))
{
	if (dev->serving || dev->gone_source) {
		errno = EBUSY;
		return false;
	}
	if (!vug_init(&dev->vug, vbus_num_vqs(dev), fd, vbus_panic,
		      &vbus_iface)) {
		errno = ENOMEM;
		return false;
	}
	dev->gone = gone;
	dev->serving = true;
	return true;
}

void vbus_dev_free(struct vbus_dev *dev)
{
	if (!dev)
		return;
	if (dev->serving || dev->gone_source) {
		if (dev->gone_source)
			g_source_remove(dev->gone_source);
		dev->gone = NULL;
		vbus_dev_end(dev);
	}
	vbus_dev_reset(dev);
	g_hash_table_destroy(dev->regions);
	g_free(dev);
}
