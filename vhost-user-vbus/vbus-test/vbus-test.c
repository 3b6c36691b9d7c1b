// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbus-test: the vbus test device type, as the specification defines it
 * ("The vbus-test device type"), on libvbus-device: what QEMU's built-in
 * vbus-test backend does, in a process of its own.
 */
#include <endian.h>
#include <string.h>
#include <glib.h>
#include <linux/virtio_vbus.h>
#include "vbus-test.h"

#define VBUS_TEST_MAX_STORM	10000000
/* Signals a storm raises per millisecond tick, per region. */
#define VBUS_TEST_STORM_BATCH	1000

/* A DELAY call in progress. */
struct vbus_test_delay {
	struct vbus_dev *dev;
	struct vbus_dev_call *call;
	guint source;
};

/* What the type does with a region (its vbus_region_priv()). */
struct vbus_test_region {
	bool echo;			/* SIGNAL_ECHO */
	bool sink;			/* STREAM_SINK */
	uint64_t storm_left;		/* SIGNAL_STORM */
};

struct vbus_test {
	GList *delays;			/* struct vbus_test_delay */
	guint storm_source;
	GHashTable *storming;		/* region id: a storm goes on */
};

static struct vbus_test_opts vbus_test_opts;
static struct vbus_device_type vbus_test_dtype;

static struct vbus_test *vbus_test_of(struct vbus_dev *dev)
{
	return vbus_dev_priv(dev);
}

static void vbus_test_set_status(struct vbus_dev_call *call, uint16_t status,
				 uint32_t qualifier)
{
	call->status = status;
	call->qualifier = qualifier;
}

static bool vbus_test_arg(struct vbus_dev_call *call, unsigned int idx,
			  uint32_t *val)
{
	if (call->out_len < (idx + 1) * sizeof(uint32_t)) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_EINVAL, idx);
		return false;
	}
	memcpy(val, call->out + idx * sizeof(uint32_t), sizeof(*val));
	*val = le32toh(*val);
	return true;
}

static bool vbus_test_need_in(struct vbus_dev_call *call, uint32_t len)
{
	if (call->in_len < len) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_E2BIG, len);
		return false;
	}
	return true;
}

static void vbus_test_echo(struct vbus_dev_call *call, bool reverse)
{
	uint32_t i;

	if (!vbus_test_need_in(call, call->out_len))
		return;
	for (i = 0; i < call->out_len; i++)
		call->in[i] = call->out[reverse ? call->out_len - 1 - i : i];
	call->result_len = call->out_len;
}

/* CRC-32C (Castagnoli), reflected, table-driven. */
static uint32_t vbus_crc32c(const uint8_t *p, uint32_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffff;
	unsigned int i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = i;

			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
			table[i] = c;
		}
	}
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffff;
}

static void vbus_test_checksum(struct vbus_dev_call *call)
{
	uint32_t crc;

	if (!vbus_test_need_in(call, sizeof(crc)))
		return;
	crc = htole32(vbus_crc32c(call->out, call->out_len));
	memcpy(call->in, &crc, sizeof(crc));
	call->result_len = sizeof(crc);
}

static void vbus_test_fill(struct vbus_dev_call *call)
{
	uint32_t byte, n;

	if (!vbus_test_arg(call, 0, &byte) || !vbus_test_arg(call, 1, &n) ||
	    !vbus_test_need_in(call, n))
		return;
	memset(call->in, byte, n);
	call->result_len = n;
}

static void vbus_test_status(struct vbus_dev_call *call)
{
	uint32_t status, qualifier;

	if (!vbus_test_arg(call, 0, &status) ||
	    !vbus_test_arg(call, 1, &qualifier))
		return;
	if (status > VIRTIO_VBUS_S_MAX) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_ERANGE, status);
		return;
	}
	vbus_test_set_status(call, status, qualifier);
}

static void vbus_test_counters(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	const struct vbus_dev_stats *s = vbus_dev_stats(dev);
	struct vbus_test_counters c = {
		.commands = htole64(s->commands),
		.calls = htole64(s->calls),
		.errors = htole64(s->errors),
		.signals_in = htole64(s->signals_in),
		.signals_out = htole64(s->signals_out),
		.events = htole64(s->events),
		.busy_doorbells = htole64(s->busy_doorbells),
		.bad_signals = htole64(s->bad_signals),
	};

	if (!vbus_test_need_in(call, sizeof(c)))
		return;
	memcpy(call->in, &c, sizeof(c));
	call->result_len = sizeof(c);
}

static gboolean vbus_test_delay_done(gpointer opaque)
{
	struct vbus_test_delay *d = opaque;
	struct vbus_test *t = vbus_test_of(d->dev);

	t->delays = g_list_remove(t->delays, d);
	vbus_call_complete(d->dev, d->call);
	g_free(d);
	return G_SOURCE_REMOVE;
}

/* False: the call completes later, from a timer. */
static bool vbus_test_delay(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	struct vbus_test *t = vbus_test_of(dev);
	struct vbus_test_delay *d;
	uint32_t ms;

	if (!vbus_test_arg(call, 0, &ms))
		return true;
	if (ms > vbus_test_opts.max_delay_ms) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_ERANGE, ms);
		return true;
	}
	d = g_new0(struct vbus_test_delay, 1);
	d->dev = dev;
	d->call = call;
	d->source = g_timeout_add(ms, vbus_test_delay_done, d);
	t->delays = g_list_prepend(t->delays, d);
	return false;
}

static void vbus_test_cancel(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	struct vbus_test *t = vbus_test_of(dev);
	GList *l;

	for (l = t->delays; l; l = l->next) {
		struct vbus_test_delay *d = l->data;

		if (d->call == call) {
			g_source_remove(d->source);
			t->delays = g_list_delete_link(t->delays, l);
			g_free(d);
			return;
		}
	}
}

/*
 * The region named by argument 0: open, with a signal and room for the
 * counter; NULL with the call's status set otherwise.
 */
static struct vbus_region *vbus_test_region(struct vbus_dev *dev,
					    struct vbus_dev_call *call,
					    struct vbus_test_region **tr)
{
	struct vbus_region *r;
	uint32_t id;

	if (!vbus_test_arg(call, 0, &id))
		return NULL;
	r = vbus_region_find(dev, id);
	if (!r || !vbus_region_is_open(r)) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_ENOENT, id);
		return NULL;
	}
	if (!vbus_region_has_signal(r) ||
	    vbus_region_payload_len(r) < sizeof(uint32_t)) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_EINVAL, id);
		return NULL;
	}
	*tr = vbus_region_priv(r);
	if (!*tr) {
		*tr = g_new0(struct vbus_test_region, 1);
		vbus_region_set_priv(r, *tr);
	}
	return r;
}

/* Adds one to the le32 counter at offset 0 of the payload. */
static void vbus_test_count(struct vbus_dev *dev, struct vbus_region *r)
{
	uint32_t v;

	if (vbus_region_read(dev, r, 0, &v, sizeof(v))) {
		v = htole32(le32toh(v) + 1);
		vbus_region_write(dev, r, 0, &v, sizeof(v));
	}
}

static gboolean vbus_test_storm_tick(gpointer opaque)
{
	struct vbus_dev *dev = opaque;
	struct vbus_test *t = vbus_test_of(dev);
	GHashTableIter iter;
	gpointer id;
	unsigned int i;

	g_hash_table_iter_init(&iter, t->storming);
	while (g_hash_table_iter_next(&iter, &id, NULL)) {
		struct vbus_region *r = vbus_region_find(dev,
							 GPOINTER_TO_UINT(id));
		struct vbus_test_region *tr = r ? vbus_region_priv(r) : NULL;

		for (i = 0; tr && tr->storm_left &&
		     i < VBUS_TEST_STORM_BATCH; i++) {
			vbus_test_count(dev, r);
			vbus_region_signal(dev, r);
			tr->storm_left--;
		}
		if (!tr || !tr->storm_left)
			g_hash_table_iter_remove(&iter);
	}
	if (g_hash_table_size(t->storming))
		return G_SOURCE_CONTINUE;
	t->storm_source = 0;
	return G_SOURCE_REMOVE;
}

static void vbus_test_storm(struct vbus_dev *dev, struct vbus_dev_call *call,
			    struct vbus_region *r, struct vbus_test_region *tr)
{
	struct vbus_test *t = vbus_test_of(dev);
	uint32_t n;

	if (!vbus_test_arg(call, 1, &n))
		return;
	if (n > VBUS_TEST_MAX_STORM - tr->storm_left) {
		vbus_test_set_status(call, VIRTIO_VBUS_S_ERANGE, n);
		return;
	}
	tr->storm_left += n;
	g_hash_table_add(t->storming, GUINT_TO_POINTER(vbus_region_id(r)));
	if (!t->storm_source)
		t->storm_source = g_timeout_add(1, vbus_test_storm_tick, dev);
}

static void vbus_test_pattern(struct vbus_dev *dev, struct vbus_dev_call *call,
			      struct vbus_region *r)
{
	uint64_t i, len = vbus_region_payload_len(r);
	uint8_t chunk[4096];
	uint32_t seed;

	if (!vbus_test_arg(call, 1, &seed))
		return;
	for (i = 0; i < len; i++) {
		chunk[i % sizeof(chunk)] = seed + i;
		if (i % sizeof(chunk) == sizeof(chunk) - 1 || i == len - 1)
			vbus_region_write(dev, r, i - i % sizeof(chunk), chunk,
					  i % sizeof(chunk) + 1);
	}
	vbus_region_signal(dev, r);
}

static void vbus_test_region_func(struct vbus_dev *dev,
				  struct vbus_dev_call *call)
{
	struct vbus_test_region *tr;
	struct vbus_region *r = vbus_test_region(dev, call, &tr);

	if (!r)
		return;
	switch (call->func) {
	case VBUS_TEST_SIGNAL_ECHO:
		tr->echo = true;
		break;
	case VBUS_TEST_SIGNAL_STORM:
		vbus_test_storm(dev, call, r, tr);
		break;
	case VBUS_TEST_WRITE_PATTERN:
		vbus_test_pattern(dev, call, r);
		break;
	case VBUS_TEST_CLOSE_REGION:
		vbus_region_close(dev, r);
		break;
	case VBUS_TEST_STREAM_SINK:
		if (vbus_region_payload_len(r) <= sizeof(struct vbus_test_ring))
			vbus_test_set_status(call, VIRTIO_VBUS_S_EINVAL,
					     vbus_region_id(r));
		else
			tr->sink = true;
		break;
	}
}

/* STREAM_SINK: reads what the driver put in the ring, frees the space. */
static void vbus_test_drain(struct vbus_dev *dev, struct vbus_region *r)
{
	uint64_t datalen = vbus_region_payload_len(r) -
			   sizeof(struct vbus_test_ring);
	uint8_t scratch[4096];
	uint32_t head, tail, n, pos, chunk;

	if (!vbus_region_read(dev, r, 0, &head, sizeof(head)) ||
	    !vbus_region_read(dev, r, 4, &tail, sizeof(tail)))
		return;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* head before data */
	head = le32toh(head);
	tail = le32toh(tail);
	n = MIN(head - tail, datalen);
	while (n) {
		pos = tail % datalen;
		chunk = MIN(MIN(n, datalen - pos), sizeof(scratch));
		vbus_region_read(dev, r, sizeof(struct vbus_test_ring) + pos,
				 scratch, chunk);
		tail += chunk;
		n -= chunk;
	}
	tail = htole32(tail);
	vbus_region_write(dev, r, 4, &tail, sizeof(tail));
	vbus_region_signal(dev, r);
}

static void vbus_test_region_signal(struct vbus_dev *dev,
				    struct vbus_region *r)
{
	struct vbus_test_region *tr = vbus_region_priv(r);

	if (tr && tr->sink)
		vbus_test_drain(dev, r);
	if (tr && tr->echo) {
		vbus_test_count(dev, r);
		vbus_region_signal(dev, r);
	}
}

static void vbus_test_region_gone(struct vbus_dev *dev, struct vbus_region *r)
{
	g_hash_table_remove(vbus_test_of(dev)->storming,
			    GUINT_TO_POINTER(vbus_region_id(r)));
	g_free(vbus_region_priv(r));
	vbus_region_set_priv(r, NULL);
}

static void vbus_test_misbehave(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	uint32_t mode;

	if (vbus_test_arg(call, 0, &mode) && !vbus_dev_misbehave(dev, mode))
		vbus_test_set_status(call, VIRTIO_VBUS_S_EINVAL, mode);
}

static bool vbus_test_call(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	vbus_test_set_status(call, VIRTIO_VBUS_S_OK, 0);
	call->result_len = 0;
	switch (call->func) {
	case VBUS_TEST_ECHO:
	case VBUS_TEST_REVERSE:
		vbus_test_echo(call, call->func == VBUS_TEST_REVERSE);
		break;
	case VBUS_TEST_CHECKSUM:
		vbus_test_checksum(call);
		break;
	case VBUS_TEST_FILL:
		vbus_test_fill(call);
		break;
	case VBUS_TEST_STATUS:
		vbus_test_status(call);
		break;
	case VBUS_TEST_DELAY:
		return vbus_test_delay(dev, call);
	case VBUS_TEST_COUNTERS:
		vbus_test_counters(dev, call);
		break;
	case VBUS_TEST_SIGNAL_ECHO:
	case VBUS_TEST_SIGNAL_STORM:
	case VBUS_TEST_WRITE_PATTERN:
	case VBUS_TEST_CLOSE_REGION:
	case VBUS_TEST_STREAM_SINK:
		vbus_test_region_func(dev, call);
		break;
	case VBUS_TEST_MISBEHAVE:
		vbus_test_misbehave(dev, call);
		break;
	case VBUS_TEST_REQUEST_RESET:
		vbus_dev_request_reset(dev);
		break;
	default:
		vbus_test_set_status(call, VIRTIO_VBUS_S_ENOENT, call->func);
		break;
	}
	return true;
}

/* After a reset no DELAY is left (cancel), nor a storm (region_gone). */
static void vbus_test_reset(struct vbus_dev *dev)
{
	struct vbus_test *t = vbus_test_of(dev);

	if (t->storm_source)
		g_source_remove(t->storm_source);
	t->storm_source = 0;
	g_hash_table_remove_all(t->storming);
}

const struct vbus_device_type *vbus_test_type(const struct vbus_test_opts *o)
{
	vbus_test_opts = *o;
	vbus_test_dtype = (struct vbus_device_type) {
		.name = o->name,
		.abi_version = o->abi_version,
		.max_call_ms = o->max_delay_ms,
		.call = vbus_test_call,
		.cancel = vbus_test_cancel,
		.region_signal = vbus_test_region_signal,
		.region_gone = vbus_test_region_gone,
		.reset = vbus_test_reset,
	};
	return &vbus_test_dtype;
}

void *vbus_test_new(void)
{
	struct vbus_test *t = g_new0(struct vbus_test, 1);

	t->storming = g_hash_table_new(NULL, NULL);
	return t;
}

void vbus_test_free(void *priv)
{
	struct vbus_test *t = priv;

	if (t->storm_source)
		g_source_remove(t->storm_source);
	g_hash_table_destroy(t->storming);
	g_free(t);
}
