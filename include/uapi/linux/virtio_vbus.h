/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef _UAPI_LINUX_VIRTIO_VBUS_H
#define _UAPI_LINUX_VIRTIO_VBUS_H
/*
 * virtio-vbus: vbus device calls, shared-memory regions and shm-signals
 * carried by any virtio transport. Documentation/virtio-vbus.rst is the
 * specification; this header is its wire and userspace ABI.
 *
 * This header is BSD licensed so anyone can use the definitions to
 * implement compatible drivers and devices.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions
 * are met:
 * 1. Redistributions of source code must retain the above copyright
 *    notice, this list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright
 *    notice, this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of IBM nor the names of its contributors
 *    may be used to endorse or promote products derived from this software
 *    without specific prior written permission.
 * THIS SOFTWARE IS PROVIDED BY THE AUTHORS AND CONTRIBUTORS ``AS IS'' AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 * ARE DISCLAIMED.  IN NO EVENT SHALL IBM OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
 * OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
 * HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT
 * LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
 * OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
 * SUCH DAMAGE.
 */

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Provisional device ID: unassigned in the virtio 1.3 specification and in
 * <linux/virtio_ids.h>. 63 is the last ID the virtio-pci modern PCI device
 * ID range (0x1040 + ID, up to 0x107f) can express. To be replaced by an ID
 * assigned by the virtio TC.
 */
#define VIRTIO_ID_VBUS				63

/* The ABI of this header (config layout, commands, events, descriptors). */
#define VIRTIO_VBUS_WIRE_VERSION		1

/* Feature bits (device-specific, 0 to 23) */
/* Device calls: VIRTIO_VBUS_CMD_CALL. */
#define VIRTIO_VBUS_F_CALL			0
/* Shared-memory regions, shm-signals, the signal queue. */
#define VIRTIO_VBUS_F_SHM			1
/* num_event_queues event queues, one per priority, instead of one. */
#define VIRTIO_VBUS_F_MULTI_EVQ			2
/* VIRTIO_VBUS_CTRL_COALESCE: the device batches signal events. */
#define VIRTIO_VBUS_F_COALESCE			3
/* Calls on num_call_queues call queues, many in flight (needs F_CALL). */
#define VIRTIO_VBUS_F_CALLQ			4

/*
 * Virtqueue indexes, fixed whatever the negotiated features: event queue 0,
 * the signal queue (used only with VIRTIO_VBUS_F_SHM, but index 1 also
 * without it), then event queue n at index n + 1 for n from 1 to
 * num_event_queues - 1 (only with VIRTIO_VBUS_F_MULTI_EVQ).
 */
#define VIRTIO_VBUS_VQ_EVENT0			0
#define VIRTIO_VBUS_VQ_SIGNAL			1
#define VIRTIO_VBUS_MAX_EVENT_QUEUES		8

/* The virtqueue index of event queue @n. */
static __inline__ __u16 virtio_vbus_vq_event(__u16 n)
{
	return n ? n + 1 : 0;
}

/*
 * The virtqueue index of call queue @n (VIRTIO_VBUS_F_CALLQ): after the
 * num_event_queues event queues and the signal queue, whatever the
 * negotiated features.
 */
static __inline__ __u16 virtio_vbus_vq_call(__u16 num_event_queues, __u16 n)
{
	return num_event_queues + 1 + n;
}

#define VIRTIO_VBUS_MAX_CALL_QUEUES		64

#define VIRTIO_VBUS_TYPE_LEN			32

/* Command opcodes (virtio_vbus_cmd.opcode) */
enum virtio_vbus_opcode {
	VIRTIO_VBUS_CMD_NOP		= 0,	/* completes with OK */
	VIRTIO_VBUS_CMD_CALL		= 1,	/* device call: func, out, in */
	VIRTIO_VBUS_CMD_REGION_ADD	= 2,	/* register a region */
	VIRTIO_VBUS_CMD_REGION_DEL	= 3,	/* driver closes a region */
	VIRTIO_VBUS_CMD_REGION_ACK	= 4,	/* acknowledge a device close */
	VIRTIO_VBUS_CMD_CTRL		= 5,	/* control: func = control code */
};

/* Control codes (virtio_vbus_cmd.func with VIRTIO_VBUS_CMD_CTRL) */
enum virtio_vbus_ctrl {
	/* arg: at most arg signal events per region per millisecond; 0: off */
	VIRTIO_VBUS_CTRL_COALESCE	= 1,
};

/*
 * Command status (virtio_vbus_config.status). Each maps to the Linux errno
 * of the same name; a command that fails has no side effect.
 */
enum virtio_vbus_status {
	VIRTIO_VBUS_S_OK		= 0,
	VIRTIO_VBUS_S_EINVAL		= 1,	/* malformed command */
	VIRTIO_VBUS_S_ENOMEM		= 2,	/* device out of resources */
	VIRTIO_VBUS_S_EBUSY		= 3,	/* resource in use */
	VIRTIO_VBUS_S_ENODEV		= 4,	/* backend gone */
	VIRTIO_VBUS_S_ENOENT		= 5,	/* no such function or region */
	VIRTIO_VBUS_S_E2BIG		= 6,	/* payload over max_call_len */
	VIRTIO_VBUS_S_EFAULT		= 7,	/* DMA to/from a buffer failed */
	VIRTIO_VBUS_S_EOPNOTSUPP	= 8,	/* opcode or feature not offered */
	VIRTIO_VBUS_S_ETIMEDOUT		= 9,	/* the backend timed out */
	VIRTIO_VBUS_S_EIO		= 10,	/* backend failure */
	VIRTIO_VBUS_S_EEXIST		= 11,	/* region id already in use */
	VIRTIO_VBUS_S_ENOSPC		= 12,	/* region quota exhausted */
	VIRTIO_VBUS_S_EPERM		= 13,	/* refused by the backend */
	VIRTIO_VBUS_S_EAGAIN		= 14,	/* try again later */
	VIRTIO_VBUS_S_ERANGE		= 15,	/* argument out of range */
	VIRTIO_VBUS_S_MAX		= 15,
};

/* virtio_vbus_cmd.sigdesc_offset: the region has no shm-signal. */
#define VIRTIO_VBUS_NO_SIGNAL			0xffffffffu

/*
 * The command mailbox, written by the driver. Fields an opcode does not
 * name must be zero.
 */
struct virtio_vbus_cmd {
	__le16 opcode;		/* enum virtio_vbus_opcode */
	__le16 flags;		/* none defined: must be 0 */
	__le32 func;		/* CALL: function number; CTRL: control code */
	__le32 region_id;	/* REGION_ADD, REGION_DEL, REGION_ACK */
	__le32 priority;	/* REGION_ADD: event priority */
	__le64 out_addr;	/* CALL: driver-to-device payload */
	__le32 out_len;
	__le32 in_len;		/* CALL: device-to-driver buffer size */
	__le64 in_addr;		/* CALL: device-to-driver buffer */
	__le64 region_addr;	/* REGION_ADD: start of the region */
	__le64 region_len;	/* REGION_ADD: bytes */
	__le32 sigdesc_offset;	/* REGION_ADD: shm-signal descriptor offset */
	__le32 arg;		/* CTRL: argument */
};

/* The device-specific configuration space: 160 bytes, little-endian. */
struct virtio_vbus_config {
	/* Identity and limits: read-only. */
	__u8 type[VIRTIO_VBUS_TYPE_LEN];	/* NUL-terminated, printable */
	__le32 abi_version;		/* the type's ABI version */
	__le32 max_call_len;		/* bytes per call buffer */
	__le32 max_regions;		/* regions at once (F_SHM) */
	__le16 num_event_queues;	/* 1, or more with F_MULTI_EVQ */
	__le16 num_call_queues;		/* F_CALLQ: 1 to 64 */
	__le64 max_region_bytes;	/* bytes of all regions (F_SHM) */
	__le32 cmd_timeout_ms;		/* longest a command may take */
	__le32 max_calls;		/* F_CALLQ: calls in flight per queue */
	/* Command mailbox: written by the driver. */
	struct virtio_vbus_cmd cmd;
	__le32 cmd_seq;			/* doorbell: written last */
	__le32 reserved2;
	/* Completion: written by the device. */
	__le32 done_seq;		/* cmd_seq of the last completion */
	__le16 status;			/* enum virtio_vbus_status */
	__le16 reserved3;
	__le32 qualifier;		/* device-specific detail */
	__le32 reserved4;
	__le64 result;			/* CALL: bytes written to in_addr */
};

/*
 * A call on a call queue is one descriptor chain: this header in the
 * first driver-readable bytes, the out payload in the rest of them; the
 * in buffer in the device-writable bytes, and the footer in their last 16.
 */
struct virtio_vbus_call_hdr {
	__le32 func;		/* the device type's function */
	__le32 flags;		/* none defined: must be 0 */
};

struct virtio_vbus_call_ftr {
	__le16 status;		/* enum virtio_vbus_status */
	__le16 reserved;
	__le32 qualifier;	/* device-specific detail */
	__le32 result_len;	/* bytes written at the start of the in buffer */
	__le32 reserved2;
};

/* Event types (virtio_vbus_event.type) */
enum virtio_vbus_event_type {
	VIRTIO_VBUS_EVT_SIGNAL		= 1,	/* region signalled the driver */
	VIRTIO_VBUS_EVT_REGION_CLOSED	= 2,	/* device closed a region */
	VIRTIO_VBUS_EVT_DEVICE_ERROR	= 3,	/* code: status, value: qualifier */
	VIRTIO_VBUS_EVT_RESET_REQUEST	= 4,	/* the device asks for a reset */
};

/* One event, in a device-writable buffer of exactly this size. */
struct virtio_vbus_event {
	__le16 type;		/* enum virtio_vbus_event_type */
	__le16 reserved;
	__le32 region_id;	/* SIGNAL, REGION_CLOSED */
	__le32 code;		/* DEVICE_ERROR: enum virtio_vbus_status */
	__le32 value;		/* DEVICE_ERROR: qualifier */
};

/* One driver-to-device signal, in a device-readable buffer. */
struct virtio_vbus_signal {
	__le32 region_id;
	__le32 reserved;
};

/* The shm-signal descriptor, 8-byte aligned inside its region. */
#define VIRTIO_VBUS_SHM_SIGNAL_MAGIC		0x56425553u	/* "VBUS" */

struct virtio_vbus_shm_signal_state {
	__u8 enabled;		/* written by the receiver */
	__u8 pending;		/* set by the sender, cleared by the receiver */
	__u8 reserved[6];
};

struct virtio_vbus_shm_signal_desc {
	__le32 magic;		/* VIRTIO_VBUS_SHM_SIGNAL_MAGIC */
	__le32 version;		/* 1 */
	struct virtio_vbus_shm_signal_state to_device;
	struct virtio_vbus_shm_signal_state to_driver;
};

/*
 * The vbus-test device type ("vbus-test", ABI version 1): the functions of
 * the test backend, shared by tests and every implementation.
 */
#define VBUS_TEST_TYPE				"vbus-test"
#define VBUS_TEST_ABI_VERSION			1

enum vbus_test_func {
	VBUS_TEST_ECHO		= 1,	/* in = out */
	VBUS_TEST_REVERSE	= 2,	/* in = out, bytes reversed */
	VBUS_TEST_CHECKSUM	= 3,	/* in = le32 crc32c of out */
	VBUS_TEST_FILL		= 4,	/* out = {le32 byte, le32 n}: n bytes */
	VBUS_TEST_STATUS	= 5,	/* out = {le32 status, le32 qualifier} */
	VBUS_TEST_DELAY		= 6,	/* out = {le32 ms}: complete later */
	VBUS_TEST_COUNTERS	= 7,	/* in = struct vbus_test_counters */
	VBUS_TEST_SIGNAL_ECHO	= 8,	/* out = {le32 region}: see spec */
	VBUS_TEST_SIGNAL_STORM	= 9,	/* out = {le32 region, le32 n} */
	VBUS_TEST_WRITE_PATTERN	= 10,	/* out = {le32 region, le32 seed} */
	VBUS_TEST_CLOSE_REGION	= 11,	/* out = {le32 region} */
	VBUS_TEST_REQUEST_RESET	= 12,	/* queue a RESET_REQUEST event */
	VBUS_TEST_MISBEHAVE	= 13,	/* out = {le32 enum vbus_test_misbehave} */
	VBUS_TEST_STREAM_SINK	= 14,	/* out = {le32 region}: see below */
};

/*
 * STREAM_SINK: the payload of the region is a ring the driver fills and
 * the device drains. head and tail count bytes (modulo 2^32); byte n of the
 * stream sits at data[n % (payload length - 8)]. On each driver-to-device
 * signal the device reads the bytes from tail to head, sets tail to head
 * and signals the driver back (space is free again).
 */
struct vbus_test_ring {
	__le32 head;		/* written by the driver */
	__le32 tail;		/* written by the device */
	__u8 data[];
};

enum vbus_test_misbehave {
	VBUS_TEST_MB_NONE		= 0,
	VBUS_TEST_MB_BAD_STATUS		= 1,	/* next status out of range */
	VBUS_TEST_MB_NEVER_COMPLETE	= 2,	/* next command never completes */
	VBUS_TEST_MB_BAD_RESULT		= 3,	/* next result > in_len */
	VBUS_TEST_MB_UNKNOWN_REGION	= 4,	/* an event for an unknown region */
	VBUS_TEST_MB_BAD_EVENT		= 5,	/* an event of unknown type */
	VBUS_TEST_MB_SHORT_EVENT	= 6,	/* a used length < event size */
	VBUS_TEST_MB_EVENT_FLOOD	= 7,	/* events as fast as buffers allow */
};

struct vbus_test_counters {
	__le64 commands;	/* commands executed (this one included) */
	__le64 calls;		/* CALL commands */
	__le64 errors;		/* commands that failed */
	__le64 signals_in;	/* driver-to-device signals received */
	__le64 signals_out;	/* device-to-driver signals raised */
	__le64 events;		/* events placed on event queues */
	__le64 busy_doorbells;	/* new cmd_seq while a command was running */
	__le64 bad_signals;	/* signals for unknown or unsignalled regions */
};

/*
 * Userspace API: /dev/vbusN, one per vbus device.
 *
 * Every ioctl structure starts with argsz and flags, as VFIO's do, so that
 * fields can be added at the end without a new ioctl number: userspace sets
 * argsz to sizeof() the structure it was built with and flags to the ones
 * it means (unknown flags fail with EINVAL); the kernel takes at least the
 * first version's size (EINVAL below it), requires any bytes it does not
 * know to be zero (E2BIG), and writes back at most argsz bytes. The ioctl
 * numbers do not encode the size.
 */
#define VBUS_IOCTL_TYPE		0xB9

/* Device states, as in sysfs "state" and vbus_info.state */
enum vbus_state {
	VBUS_STATE_STANDBY	= 0,	/* bound, not ready */
	VBUS_STATE_READY	= 1,
	VBUS_STATE_RESETTING	= 2,
	VBUS_STATE_BROKEN	= 3,
	VBUS_STATE_REMOVED	= 4,
};

/* VBUS_IOC_INFO: what the device is and what the driver negotiated. */
struct vbus_info {
	__u32 argsz;
	__u32 flags;			/* none: 0 */
	char type[VIRTIO_VBUS_TYPE_LEN];	/* out: NUL-terminated */
	__u32 abi_version;		/* out */
	__u32 state;			/* out: enum vbus_state */
	__u64 features;			/* out: negotiated feature bits */
	__u32 max_call_len;		/* out */
	__u32 max_regions;		/* out */
	__u64 max_region_bytes;		/* out */
	__u32 num_event_queues;		/* out */
	__u32 instance;			/* out: N of /dev/vbusN */
};

/*
 * VBUS_IOC_CALL: a device call. The ioctl fails with the errno of the
 * device's status; device_status and qualifier are written back whenever
 * the device completed the command, success or not.
 *
 * The same structure describes an asynchronous call: VBUS_IOC_CALL_SUBMIT
 * on a call fd (tag required: argsz covers it), or the payload of an
 * io_uring VBUS_URING_CMD_CALL (the out fields unused there).
 */
struct vbus_call {
	__u32 argsz;
	__u32 flags;			/* none: 0 */
	__u32 func;
	__u32 out_len;
	__u64 out_ptr;			/* user buffer sent to the device */
	__u64 in_ptr;			/* user buffer the device writes */
	__u32 in_len;			/* size of the buffer at in_ptr */
	__u32 result_len;		/* out: bytes written at in_ptr */
	__u32 device_status;		/* out: enum virtio_vbus_status */
	__u32 qualifier;		/* out: device-specific detail */
	__u64 tag;			/* VBUS_IOC_CALL_SUBMIT: the caller's */
};

/* vbus_region_create.flags */
#define VBUS_REGION_F_SIGNAL	0x1		/* with a shm-signal */

/*
 * VBUS_IOC_REGION_CREATE: a shared-memory region of this file, registered
 * with the device; mmap() it at mmap_offset. With VBUS_REGION_F_SIGNAL its
 * shm-signal descriptor sits at sigdesc_offset (at the end of the region):
 * the payload is the bytes before it.
 */
struct vbus_region_create {
	__u32 argsz;
	__u32 flags;			/* VBUS_REGION_F_* */
	__u64 len;			/* bytes, rounded up to pages */
	__u32 priority;			/* event queue, < num_event_queues */
	__u32 id;			/* out: region id */
	__u64 mmap_offset;		/* out */
	__u32 sigdesc_offset;		/* out: or VIRTIO_VBUS_NO_SIGNAL */
	__u32 pad;			/* 0 */
};

/* VBUS_IOC_REGION_DESTROY, VBUS_IOC_SIGNAL: region id of this file. */
struct vbus_region_ref {
	__u32 argsz;
	__u32 flags;			/* none: 0 */
	__u32 id;
};

/* VBUS_IOC_SET_EVENTFD: device-to-driver signals of a region wake fd. */
struct vbus_region_eventfd {
	__u32 argsz;
	__u32 flags;			/* none: 0 */
	__u32 id;
	__s32 fd;			/* -1 detaches */
};

/* read() on /dev/vbusN returns these, one per event of this file. */
enum vbus_user_event_type {
	VBUS_UEVT_REGION_CLOSED	= 1,	/* the device closed region_id */
	VBUS_UEVT_BROKEN	= 2,	/* error: the errno of the cause */
	VBUS_UEVT_RESET		= 3,	/* the device was reset */
	VBUS_UEVT_REMOVED	= 4,	/* the device is gone */
	VBUS_UEVT_OVERFLOW	= 5,	/* lost events: the file's queue was full */
};

/*
 * A file queues at most 256 events. Once full, later events are dropped
 * and counted until read() has returned every queued one; then one
 * VBUS_UEVT_OVERFLOW says how many were lost, and queuing resumes.
 */
struct vbus_user_event {
	__u32 type;			/* enum vbus_user_event_type */
	__u32 region_id;
	__s32 error;
	__u32 lost;			/* VBUS_UEVT_OVERFLOW: events dropped */
};

/* vbus_coalesce.flags */
#define VBUS_COALESCE_F_SET	0x1		/* set per_ms, else only read */

/*
 * VBUS_IOC_COALESCE: at most per_ms SIGNAL events per region per
 * millisecond from the device (VIRTIO_VBUS_F_COALESCE), 0 for no limit
 * (the default). Always returns the setting in force.
 */
struct vbus_coalesce {
	__u32 argsz;
	__u32 flags;			/* VBUS_COALESCE_F_* */
	__u32 per_ms;
};

/*
 * Asynchronous calls without io_uring: VBUS_IOC_CALL_FD on /dev/vbusN
 * returns a new file descriptor (close-on-exec) for calls on that device.
 * On it, VBUS_IOC_CALL_SUBMIT starts a call and returns at once (0, or
 * the errno of a call that was not started); read() returns one
 * struct vbus_call_done per ended call, in the order they ended, and
 * copies each answer to its in_ptr first; poll() says POLLIN when one is
 * there, POLLOUT when a call may be submitted. At most
 * VBUS_CALL_FD_MAX calls may be outstanding (submitted, not yet read):
 * beyond, VBUS_IOC_CALL_SUBMIT fails with EAGAIN. Only the process that
 * created the call fd may submit or read on it (EPERM otherwise).
 */
#define VBUS_CALL_FD_MAX	256

/* vbus_call_done.flags */
#define VBUS_CALL_DONE_F_DEVICE	0x1	/* the device answered: status valid */

struct vbus_call_done {
	__u64 tag;			/* vbus_call.tag */
	__s32 error;			/* 0 or -errno, as VBUS_IOC_CALL's */
	__u32 result_len;		/* bytes written at in_ptr */
	__u32 device_status;		/* enum virtio_vbus_status */
	__u32 qualifier;		/* device-specific detail */
	__u32 flags;			/* VBUS_CALL_DONE_F_* */
	__u32 reserved;
};

/*
 * io_uring: IORING_OP_URING_CMD on /dev/vbusN with cmd_op
 * VBUS_URING_CMD_CALL, a ring set up with IORING_SETUP_SQE128 and
 * IORING_SETUP_CQE32 (EINVAL otherwise), and a struct vbus_call in the
 * command bytes of the SQE. The CQE's user_data is the tag; res is
 * result_len, or -errno as VBUS_IOC_CALL's; big_cqe[0] is built by
 * VBUS_URING_RES2 below. From Linux 6.12 on; before, io_uring completes
 * the command with -EOPNOTSUPP.
 */
#define VBUS_URING_CMD_CALL	_IO(VBUS_IOCTL_TYPE, 0x80)
#define VBUS_URING_RES2_DEVICE	0x10000ULL	/* the device answered */
#define VBUS_URING_RES2_STATUS(res2)	((__u32)((res2) & 0xffff))
#define VBUS_URING_RES2_QUALIFIER(res2)	((__u32)((res2) >> 32))

#define VBUS_IOC_INFO		_IO(VBUS_IOCTL_TYPE, 0x00)	/* vbus_info */
#define VBUS_IOC_CALL		_IO(VBUS_IOCTL_TYPE, 0x01)	/* vbus_call */
#define VBUS_IOC_REGION_CREATE	_IO(VBUS_IOCTL_TYPE, 0x02)	/* vbus_region_create */
#define VBUS_IOC_REGION_DESTROY	_IO(VBUS_IOCTL_TYPE, 0x03)	/* vbus_region_ref */
#define VBUS_IOC_SIGNAL		_IO(VBUS_IOCTL_TYPE, 0x04)	/* vbus_region_ref */
#define VBUS_IOC_SET_EVENTFD	_IO(VBUS_IOCTL_TYPE, 0x05)	/* vbus_region_eventfd */
/* The driver's reset of the device, no argument; files get VBUS_UEVT_RESET. */
#define VBUS_IOC_RESET		_IO(VBUS_IOCTL_TYPE, 0x06)
#define VBUS_IOC_COALESCE	_IO(VBUS_IOCTL_TYPE, 0x07)	/* vbus_coalesce */
/* No argument; returns a call fd. */
#define VBUS_IOC_CALL_FD	_IO(VBUS_IOCTL_TYPE, 0x08)
/* On a call fd. */
#define VBUS_IOC_CALL_SUBMIT	_IO(VBUS_IOCTL_TYPE, 0x09)	/* vbus_call */

#endif /* _UAPI_LINUX_VIRTIO_VBUS_H */
