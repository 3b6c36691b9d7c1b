/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvbus-device: the device side of virtio-vbus, for device types that
 * run in their own process behind QEMU's vhost-user-vbus front-end.
 *
 * The library implements what every vbus device does, as the
 * specification (Documentation/virtio-vbus.rst) says: the configuration-
 * space command queue, shared-memory regions and their shm-signals, event
 * queues and call queues, with every guest address, length and id
 * validated. A device type supplies only what is its own: a name, an ABI
 * version and the callbacks of struct vbus_device_type.
 *
 * Everything runs on one thread, in the GLib main context the device was
 * attached on: callbacks are never called concurrently, and the type calls
 * the library from that thread only (from its callbacks or its own GLib
 * sources). See Documentation/virtio-vbus-device-types.rst.
 */
#ifndef VBUS_DEVICE_H
#define VBUS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

struct vbus_dev;
struct vbus_region;

/*
 * One device call. The library fills func and the buffers: out holds the
 * driver's out_len bytes, in is a zeroed buffer of in_len bytes. The type
 * sets status (VIRTIO_VBUS_S_*), qualifier, and on success result_len, the
 * bytes of in it wrote (at most in_len). The library checks both.
 */
struct vbus_dev_call {
	uint32_t func;
	const uint8_t *out;
	uint32_t out_len;
	uint8_t *in;
	uint32_t in_len;
	uint32_t result_len;
	uint16_t status;
	uint32_t qualifier;
};

/* What the device counts over its lifetime (a reset does not clear it). */
struct vbus_dev_stats {
	uint64_t commands;
	uint64_t calls;
	uint64_t errors;
	uint64_t signals_in;
	uint64_t signals_out;
	uint64_t events;
	uint64_t busy_doorbells;
	uint64_t bad_signals;
	uint64_t events_dropped;
	uint64_t polled_calls;		/* chains a poll (poll_us) found */
};

/* A device type: the callbacks the library calls. */
struct vbus_device_type {
	/* The type name (1 to 32 bytes) and its ABI version. */
	const char *name;
	uint32_t abi_version;
	/* The longest a call takes, in ms; cmd_timeout_ms covers it. */
	uint32_t max_call_ms;
	/*
	 * Runs @call. Returns true when it is complete; false when the type
	 * completes it later with vbus_call_complete(), or until cancel.
	 */
	bool (*call)(struct vbus_dev *dev, struct vbus_dev_call *call);
	/* Abandons a call not yet complete (a reset): no completion follows. */
	void (*cancel)(struct vbus_dev *dev, struct vbus_dev_call *call);
	/* The driver signalled region @r; its edge is consumed. Optional. */
	void (*region_signal)(struct vbus_dev *dev, struct vbus_region *r);
	/* Region @r closes: the type must not use it any more. Optional. */
	void (*region_gone)(struct vbus_dev *dev, struct vbus_region *r);
	/* The device was reset (after cancel and region_gone). Optional. */
	void (*reset)(struct vbus_dev *dev);
};

/* The device's limits and features; see vbus_dev_config_init(). */
struct vbus_dev_config {
	bool call;			/* VIRTIO_VBUS_F_CALL */
	bool shm;			/* VIRTIO_VBUS_F_SHM */
	bool coalesce;			/* VIRTIO_VBUS_F_COALESCE, with shm */
	bool callq;			/* VIRTIO_VBUS_F_CALLQ, with call */
	uint16_t num_event_queues;	/* 1 to 8 */
	uint16_t num_call_queues;	/* 1 to 64, with callq */
	uint32_t max_calls;		/* per call queue, 1 to 256 */
	uint32_t max_call_len;		/* 1 byte to 16 MiB */
	uint32_t max_regions;
	uint64_t max_region_bytes;
	uint32_t cmd_timeout_ms;	/* at least the type's max_call_ms */
	/*
	 * After a kick, how long (0 to 10000 us) a call queue is polled for
	 * calls that follow, the main loop waiting meanwhile (until the
	 * queue is full): a driver that sends its next call within that time
	 * needs no kick, and saves the backend a wake-up (see the README's
	 * out-of-process figures). 0, the default: none.
	 */
	uint32_t poll_us;
};

/* The defaults of QEMU's virtio-vbus device. */
void vbus_dev_config_init(struct vbus_dev_config *conf);

/*
 * A device of @type with @conf, and @priv for the type. Returns NULL with
 * errno EINVAL, and a message on stderr, for a limit out of range.
 */
struct vbus_dev *vbus_dev_new(const struct vbus_device_type *type,
			      const struct vbus_dev_config *conf, void *priv);
void vbus_dev_free(struct vbus_dev *dev);
void *vbus_dev_priv(struct vbus_dev *dev);
const struct vbus_dev_stats *vbus_dev_stats(struct vbus_dev *dev);

/*
 * Serves the vhost-user connection @fd (the library owns it from now on)
 * on the default GLib main context. When the front-end goes, or the
 * driver breaks the protocol so that the device needs a reset, the
 * library resets the device, closes @fd and calls @gone(dev, why): the
 * device may then serve another connection. Returns false, with errno,
 * when it cannot start.
 */
bool vbus_dev_serve(struct vbus_dev *dev, int fd,
		    void (*gone)(struct vbus_dev *dev, const char *why));

/* Completes a call the type's call() left open. */
void vbus_call_complete(struct vbus_dev *dev, struct vbus_dev_call *call);

/* Posts a RESET_REQUEST event, or a DEVICE_ERROR with @status, @qualifier. */
void vbus_dev_request_reset(struct vbus_dev *dev);
void vbus_dev_error(struct vbus_dev *dev, uint16_t status,
		    uint32_t qualifier);

/*
 * Regions. A region pointer is valid until region_gone() for it. Reads and
 * writes go through the guest's memory table and return false for a
 * closed region or bytes outside it.
 */
struct vbus_region *vbus_region_find(struct vbus_dev *dev, uint32_t id);
uint32_t vbus_region_id(const struct vbus_region *r);
/* False once the device closed it (vbus_region_close()). */
bool vbus_region_is_open(const struct vbus_region *r);
bool vbus_region_has_signal(const struct vbus_region *r);
/* Its bytes before the shm-signal descriptor (all of it without one). */
uint64_t vbus_region_payload_len(const struct vbus_region *r);
bool vbus_region_read(struct vbus_dev *dev, struct vbus_region *r,
		      uint64_t off, void *buf, uint64_t len);
bool vbus_region_write(struct vbus_dev *dev, struct vbus_region *r,
		       uint64_t off, const void *buf, uint64_t len);
/* Signals the driver (the shm-signal sender side, with coalescing). */
void vbus_region_signal(struct vbus_dev *dev, struct vbus_region *r);
/* Closes @r from the device side: region_gone(), then REGION_CLOSED. */
void vbus_region_close(struct vbus_dev *dev, struct vbus_region *r);
/* The type's own data for @r, NULL until set. */
void *vbus_region_priv(const struct vbus_region *r);
void vbus_region_set_priv(struct vbus_region *r, void *priv);

/*
 * Hostile mode, for testing drivers (vbus-test's MISBEHAVE): one of
 * enum vbus_test_misbehave. False for an unknown mode.
 */
bool vbus_dev_misbehave(struct vbus_dev *dev, uint32_t mode);

#endif
