/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vbus driver internals, shared by the files of virtio_vbus.ko.
 */
#ifndef _VIRTIO_VBUS_H
#define _VIRTIO_VBUS_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_vbus.h>
#include <linux/virtio_vbus_client.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "virtio_vbus_compat.h"

/*
 * The largest call buffer the driver bounces: one contiguous allocation
 * through the mailbox; through a call queue with indirect descriptors,
 * page-sized segments from VBUS_CALL_CONTIG_MAX to VBUS_CALL_SG_MAX (130
 * descriptors a call at most), one contiguous allocation otherwise.
 */
#define VBUS_DRV_MAX_CALL_LEN	SZ_1M
#define VBUS_CALL_CONTIG_MAX	SZ_64K
#define VBUS_CALL_SG_MAX	SZ_256K
/* The longest such chain: header, out and in segments, footer. */
#define VBUS_CALL_SG_DESCS	(2 + 2 * (VBUS_CALL_SG_MAX / PAGE_SIZE))
/* Call queues the driver uses at most (one per CPU up to this). */
#define VBUS_DRV_MAX_CALLQS	8
/* The longest a synchronous call may poll its queue (sysfs call_poll_us). */
#define VBUS_CALL_POLL_MAX_US	10000
/*
 * The longest command timeout the driver accepts from a device: a caller
 * waits uninterruptibly for up to this long for the command it has with
 * the device, below the hung-task limit (a call parked behind others
 * waits for them too, in slices).
 */
#define VBUS_MAX_CMD_TIMEOUT_MS	60000
/* Event buffers posted on each event queue. */
#define VBUS_EVQ_BUFS		64
/* Events one pass of the event worker handles before it yields. */
#define VBUS_EVENT_BUDGET	64
/* The largest region the driver allocates (one contiguous allocation). */
#define VBUS_DRV_MAX_REGION_LEN	SZ_4M

/**
 * struct vbus_cmd - a command as the driver builds it, in CPU byte order
 *
 * The fields are those of struct virtio_vbus_cmd; flags is always 0.
 */
struct vbus_cmd {
	u16 opcode;
	u32 func;
	u32 region_id;
	u32 priority;
	u64 out_addr;
	u32 out_len;
	u32 in_len;
	u64 in_addr;
	u64 region_addr;
	u64 region_len;
	u32 sigdesc_offset;
	u32 arg;
};

/**
 * struct vbus_cmd_result - the completion of a command
 * @status: enum virtio_vbus_status, at most VIRTIO_VBUS_S_MAX
 * @qualifier: device-specific detail
 * @result: CALL: bytes written into the in buffer
 * @done: the device completed the command: the fields above are valid
 */
struct vbus_cmd_result {
	bool done;
	u16 status;
	u32 qualifier;
	u64 result;
};

/**
 * struct vbus_call_bufs - the bounce buffers of one call
 * @out: driver-to-device payload
 * @in: device-to-driver payload
 * @out_dma: @out as the device sees it (0 when @out_len is 0)
 * @in_dma: @in as the device sees it (0 when @in_len is 0)
 * @out_len: bytes at @out
 * @in_len: bytes at @in
 * @mapped: @out_dma and @in_dma are valid
 */
struct vbus_call_bufs {
	void *out;
	void *in;
	dma_addr_t out_dma;
	dma_addr_t in_dma;
	u32 out_len;
	u32 in_len;
	bool mapped;
};

/**
 * struct vbus_stats - counters, shown in sysfs "stats"
 * @commands: commands issued
 * @cmd_errors: commands the device failed
 * @cmd_irqs: configuration change notifications
 * @evq_irqs: event queue interrupts
 * @events: events received
 * @bad_events: events dropped as malformed or unknown
 * @budget_exhausted: event worker passes that hit the budget
 * @signals_in: device-to-driver signal events
 * @signals_out: driver-to-device signals raised
 * @sig_kicks: driver-to-device notifications sent (signal queue buffers)
 * @sig_owed: notifications that waited for a signal queue buffer
 * @callq_calls: calls put on call queues
 * @callq_parked: of them, calls that waited parked for room
 * @callq_polled: of them, synchronous calls whose end a poll found
 * @late_irqs: event and signal queue interrupts that came after a reset
 *	began, and were ignored
 */
struct vbus_stats {
	atomic64_t commands;
	atomic64_t cmd_errors;
	atomic64_t cmd_irqs;
	atomic64_t evq_irqs;
	atomic64_t events;
	atomic64_t bad_events;
	atomic64_t budget_exhausted;
	atomic64_t signals_in;
	atomic64_t signals_out;
	atomic64_t sig_kicks;
	atomic64_t sig_owed;
	atomic64_t callq_calls;
	atomic64_t callq_parked;
	atomic64_t callq_polled;
	atomic64_t late_irqs;
};

struct virtio_vbus;
struct vbus_file;

/**
 * struct vbus_callq_chain - a call's descriptor chain, built before the
 *	queue's lock is taken (it may allocate)
 * @one: the header, contiguous out and in buffers, the footer
 * @sgs: the out lists, then the in lists
 * @nout: out lists
 * @nin: in lists
 * @table: the out and in buffers as page-sized segments, when they are
 *	vmalloc() memory; freed with the request
 */
struct vbus_callq_chain {
	struct scatterlist one[4];
	struct scatterlist *sgs[4];
	unsigned int nout;
	unsigned int nin;
	struct scatterlist *table[2];
};

/**
 * struct vbus_call_req - one call, synchronous or not, on either path
 * @kref: the submitter's reference, the path's while the call is out
 * @end: called once when the call ends (the device answered, or a reset
 *	or removal ended it, or the path failed), from any context, hard
 *	IRQ included, with no lock of the call path held (a reset may hold
 *	@vb->reset_lock); @err and @res are set
 * @release: frees the structure that embeds the request, from any
 *	context; the bounce buffers are freed already
 * @vb: the vbus device
 * @func: the function
 * @b: the bounce buffers, the request's while it is in flight
 * @node: in its call queue's list of calls the device has, or of calls
 *	waiting for room; in the mailbox's list of calls to run
 * @cq: its call queue (call queues)
 * @parked: on @cq's parked list, under its lock
 * @deadline: when the device must have answered, once the call is on the
 *	ring; 0 before (call queues)
 * @err: 0, the errno of the device's status, or of the path
 * @res: the device's answer; valid when @res.done
 * @chain: its descriptor chain (call queues)
 * @hdr: the chain's header, driver-readable
 * @ftr: the chain's footer, device-writable
 */
struct vbus_call_req {
	struct kref kref;
	void (*end)(struct vbus_call_req *req);
	void (*release)(struct vbus_call_req *req);
	struct virtio_vbus *vb;
	u32 func;
	struct vbus_call_bufs b;
	struct list_head node;
	struct vbus_callq *cq;
	bool parked;
	unsigned long deadline;
	int err;
	struct vbus_cmd_result res;
	struct vbus_callq_chain chain;
	/* Mapped for the device: cache lines of their own. */
	struct virtio_vbus_call_hdr hdr ____cacheline_aligned;
	struct virtio_vbus_call_ftr ftr ____cacheline_aligned;
};

/* Events of the device state machine (virtio_vbus_fsm.c). */
enum vbus_event {
	VBUS_EV_READY		= 0,	/* initialised: probe, or a reset */
	VBUS_EV_RESET		= 1,	/* a reset starts */
	VBUS_EV_RESET_FAILED	= 2,	/* re-initialisation failed */
	VBUS_EV_ERROR		= 3,	/* the device misbehaved */
	VBUS_EV_REMOVE		= 4,	/* the device goes away */
	NR_VBUS_EVENTS,
};

#define NR_VBUS_STATES		(VBUS_STATE_REMOVED + 1)

/**
 * struct vbus_evq - one event queue
 * @vb: its device
 * @vq: the virtqueue
 * @bufs: the event buffers posted on it
 * @work: its worker
 * @events: events it delivered
 */
struct vbus_evq {
	struct virtio_vbus *vb;
	struct virtqueue *vq;
	struct virtio_vbus_event *bufs;
	struct work_struct work;
	atomic64_t events;
};

/**
 * struct vbus_callq - one call queue (virtio_vbus_callq.c)
 * @vq: the virtqueue, NULL while the queues are down
 * @lock: protects @vq, @inflight and @max, and the virtqueue
 * @inflight: chains the device has not given back
 * @max: how many may be out: max_calls, capped by the ring
 * @reqs: the calls the device has, oldest first, under @lock
 * @parked: calls submitted without waiting while the queue was full,
 *	started in order as room frees, under @lock
 * @pollers: callers polling the queue (call_poll_us), under @lock; its
 *	callbacks stay off while there are any
 * @bad: why an answer was refused, for the watchdog to report, or ""
 */
struct vbus_callq {
	struct virtqueue *vq;
	spinlock_t lock;		/* see @lock above */
	unsigned int inflight;
	unsigned int max;
	unsigned int pollers;
	struct list_head reqs;
	struct list_head parked;
	char bad[64];
};

/**
 * struct vbus_signal - the shm-signal of a region, for client drivers
 * @notify: called (from the event worker) on each device-to-driver signal
 * @data: for @notify
 */
struct vbus_signal {
	vbus_signal_notify_t notify;
	void *data;
};

/**
 * struct vbus_region - a shared-memory region
 * @kref: held by the owner, by the device's table while the device may
 *	access the memory, by each mapping and each signal user; the memory
 *	is freed with the last
 * @vb: the device; a reference on @vb->dev is held
 * @id: region id
 * @prio: event queue of its events
 * @len: bytes
 * @mem: the memory
 * @dma: @mem as the device sees it
 * @dma_dev: the device @mem is DMA-mapped for (pages, a streaming mapping)
 *	while registered, or NULL (physical addresses, coherent memory, or
 *	not registered any more)
 * @coherent_dev: the device @mem was allocated for with
 *	dma_alloc_coherent(), or NULL for pages
 * @desc: the shm-signal descriptor in @mem, or NULL
 * @sigdesc_offset: its offset, or VIRTIO_VBUS_NO_SIGNAL
 * @sig_lock: serialises senders to the device (driver-to-device direction)
 *	and protects @signal
 * @registered: the device knows the region (in @vb->regions)
 * @closed: the device closed it (REGION_CLOSED): no more signals
 * @owed: in @vb->owed: a notification waits for a signal queue buffer
 * @owed_node: link in @vb->owed
 * @owner: the file that created it, or NULL; under @vb->files_lock
 * @eventfd: signalled on each device-to-driver signal; RCU
 * @signal: the client driver's view of the signal; its fields under
 *	@sig_lock
 * @rcu: frees the structure after RCU readers (event lookups)
 * @signals_in: device-to-driver signals seen
 * @signals_out: driver-to-device signals raised
 */
struct vbus_region {
	struct kref kref;
	struct virtio_vbus *vb;
	u32 id;
	u32 prio;
	size_t len;
	void *mem;
	dma_addr_t dma;
	struct device *dma_dev;
	struct device *coherent_dev;
	struct virtio_vbus_shm_signal_desc *desc;
	u32 sigdesc_offset;
	spinlock_t sig_lock;		/* see @sig_lock above */
	bool registered;
	bool closed;
	bool owed;
	struct list_head owed_node;
	struct vbus_file *owner;
	struct eventfd_ctx __rcu *eventfd;
	struct vbus_signal signal;
	atomic64_t signals_in;
	atomic64_t signals_out;
	struct rcu_head rcu;
};

/**
 * struct vbus_file - an open /dev/vbusN
 * @vb: the device; the file holds a reference on @vb->dev
 * @regions: the regions this file created (id -> region, one reference)
 * @events: events for this file, under @vb->files_lock
 * @nevents: entries in @events
 * @lost: events dropped since read() last reported a loss, under
 *	@vb->files_lock (VBUS_UEVT_OVERFLOW)
 * @read_lock: one reader at a time takes events off @events
 * @wq: readers and pollers
 * @node: link in @vb->files, under @vb->files_lock
 * @excl: opened with O_EXCL: the device's only file, which may reset it
 */
struct vbus_file {
	struct virtio_vbus *vb;
	bool excl;
	struct list_head node;
	struct xarray regions;
	struct list_head events;
	unsigned int nevents;
	u32 lost;
	struct mutex read_lock;		/* see @read_lock above */
	wait_queue_head_t wq;
};

/**
 * struct virtio_vbus - one vbus device, i.e. one virtio-vbus device
 * @dev: the class device behind /dev/vbusN and its sysfs attributes; its
 *	refcount is the lifetime of this structure (open files and the
 *	client device hold one)
 * @cdev: the character device, kept alive through @dev
 * @vdev: the virtio device; valid while @state is not VBUS_STATE_REMOVED
 * @lock: protects @state, @last_error, @client and its reset_ops
 * @reset_lock: one reset at a time; taken before @cmd_lock
 * @config_work: handles configuration changes (DEVICE_NEEDS_RESET)
 * @reset_work: a reset the device asked for
 * @state: enum vbus_state; written under @lock with WRITE_ONCE(), so
 *	command waiters may read it with READ_ONCE()
 * @last_error: why the device is broken, for sysfs
 * @instance: N of /dev/vbusN
 * @type: device type name, NUL-terminated and printable
 * @abi_version: the type's ABI version
 * @max_call_len: bytes per call buffer: the device's limit, capped by the
 *	driver's
 * @max_regions: regions at once
 * @max_region_bytes: bytes of all regions
 * @num_evqs: event queues in use
 * @dev_evqs: the device's num_event_queues, which places the call queues
 * @cmd_timeout_ms: the longest a command may take
 * @has_call: VIRTIO_VBUS_F_CALL was negotiated
 * @has_shm: VIRTIO_VBUS_F_SHM was negotiated
 * @has_coalesce: VIRTIO_VBUS_F_COALESCE was negotiated
 * @has_callq: VIRTIO_VBUS_F_CALLQ was negotiated (with VIRTIO_VBUS_F_CALL):
 *	calls go on @callqs, the mailbox keeps the other commands
 * @callq_sg: call buffers may go as page-sized segments (the rings have
 *	indirect descriptors, and room for the longest chain)
 * @num_callqs: call queues in use
 * @max_calls: the device's calls in flight per queue
 * @callqs: the call queues
 * @callq_watch: ends calls the device answers wrongly or too late by
 *	breaking the device, while calls are in flight
 * @mbox_work: runs @mbox_reqs through the mailbox, one at a time, in order
 * @mbox_lock: protects @mbox_reqs and @mbox_closed
 * @mbox_reqs: calls submitted without waiting, without call queues
 * @mbox_closed: the device is going away: no more calls are queued
 * @cmd_lock: serialises commands; protects @shadow, @cmd_seq, @orphan and
 *	@orphan_pending. Taken before @lock.
 * @shadow: the mailbox as the device holds it (zero after a reset)
 * @cmd_seq: the doorbell value of the last command issued
 * @orphan_pending: the command @cmd_seq was abandoned by its caller (a
 *	signal) and has not completed yet
 * @orphan: the buffers the device may still access for it
 * @cfg_events: configuration change notifications seen
 * @cfg_wq: command waiters, woken on every configuration change and on
 *	removal
 * @evqs: the event queues, @num_evqs of them
 * @vqs_live: the virtqueues exist (a failed re-initialisation leaves none)
 * @cbs_live: the event and signal queues' callbacks may queue their work:
 *	from finding the virtqueues to the reset before their teardown;
 *	written under @cmd_lock (cleared before virtio_synchronize_cbs()),
 *	read without a lock by the callbacks
 * @sigq: the signal queue (with @has_shm)
 * @sigq_lock: protects @sigq and @owed
 * @owed: regions owing the device a notification
 * @sigq_work: reclaims signal buffers and sends owed notifications
 * @regions: registered regions (id -> region, one reference each)
 * @region_lock: serialises region registration, deletion and
 *	acknowledgment; protects @region_bytes and each region's
 *	@registered and @eventfd updates
 * @next_region_id: where the cyclic id allocation goes on, under
 *	@region_lock: an id comes back only after VBUS_REGION_ID_LIMIT
 *	(2^22) regions
 * @nregions: registered regions
 * @region_bytes: their total length
 * @ack_work: acknowledges regions the device closed
 * @files_lock: protects @files, file event lists and region owners
 * @files: the open files
 * @excl: one of them was opened with O_EXCL, under @files_lock
 * @client: the auxiliary device for client drivers, or NULL
 * @pm_client: the client asked at freeze, told at restore; under
 *	@reset_lock
 * @asleep: between freeze and restore, under @reset_lock: the device is
 *	down (state resetting) for a system sleep
 * @coalesce_per_ms: CTRL_COALESCE's limit, 0 for none; written under
 *	@reset_lock, given to the device again after each reset
 * @call_poll_us: how long a synchronous call on a call queue polls the
 *	queue before it sleeps, 0 for not at all (sysfs ``call_poll_us``)
 * @stats: counters
 */
struct virtio_vbus {
	struct device dev;
	struct cdev cdev;
	struct virtio_device *vdev;

	struct mutex lock;		/* see @lock above */
	struct mutex reset_lock;	/* see @reset_lock above */
	struct work_struct config_work;
	struct work_struct reset_work;
	enum vbus_state state;
	char last_error[80];
	int instance;

	char type[VIRTIO_VBUS_TYPE_LEN];
	u32 abi_version;
	u32 max_call_len;
	u32 max_regions;
	u64 max_region_bytes;
	u32 num_evqs;
	u16 dev_evqs;
	u32 cmd_timeout_ms;
	bool has_call;
	bool has_shm;
	bool has_coalesce;
	bool has_callq;
	bool callq_sg;
	u32 num_callqs;
	u32 max_calls;
	struct vbus_callq callqs[VBUS_DRV_MAX_CALLQS];
	struct delayed_work callq_watch;
	struct work_struct mbox_work;
	spinlock_t mbox_lock;		/* see @mbox_lock above */
	struct list_head mbox_reqs;
	bool mbox_closed;

	struct mutex cmd_lock;		/* see @cmd_lock above */
	struct vbus_cmd shadow;
	u32 cmd_seq;
	bool orphan_pending;
	struct vbus_call_bufs orphan;
	atomic_t cfg_events;
	wait_queue_head_t cfg_wq;

	struct vbus_evq evqs[VIRTIO_VBUS_MAX_EVENT_QUEUES];
	bool vqs_live;
	bool cbs_live;
	struct virtqueue *sigq;
	spinlock_t sigq_lock;		/* see @sigq_lock above */
	struct list_head owed;
	struct work_struct sigq_work;
	struct xarray regions;
	struct mutex region_lock;	/* see @region_lock above */
	u32 next_region_id;
	u32 nregions;
	u64 region_bytes;
	struct work_struct ack_work;
	spinlock_t files_lock;		/* see @files_lock above */
	struct list_head files;
	bool excl;

	struct vbus_client_device *client;
	struct vbus_client_device *pm_client;
	bool asleep;
	u32 coalesce_per_ms;
	u32 call_poll_us;
	struct vbus_stats stats;
};

static inline struct virtio_vbus *to_virtio_vbus(struct device *dev)
{
	return container_of(dev, struct virtio_vbus, dev);
}

/* virtio_vbus_main.c */
const char *vbus_state_name(enum vbus_state state);
int vbus_state_errno(struct virtio_vbus *vb);
int vbus_reset(struct virtio_vbus *vb);
void vbus_request_reset(struct virtio_vbus *vb);

/* virtio_vbus_fsm.c */
int vbus_fsm_event(struct virtio_vbus *vb, enum vbus_event ev,
		   const char *why);
void vbus_set_broken(struct virtio_vbus *vb, const char *fmt, ...)
	__printf(2, 3);

/* virtio_vbus_cmd.c */
int vbus_status_to_errno(u16 status);
int vbus_do_cmd(struct virtio_vbus *vb, const struct vbus_cmd *cmd,
		bool intr, struct vbus_cmd_result *res);
int vbus_call_bufs_alloc(struct virtio_vbus *vb, struct vbus_call_bufs *b,
			 size_t out_len, size_t in_len);
void vbus_call_bufs_free(struct vbus_call_bufs *b);
void vbus_call_bufs_flush(void);
int vbus_mbox_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		   bool intr, struct vbus_cmd_result *res);
void vbus_cmd_reset(struct virtio_vbus *vb);

/* virtio_vbus_call.c */
int vbus_do_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		 bool intr, struct vbus_cmd_result *res);
void vbus_call_req_init(struct vbus_call_req *req, struct virtio_vbus *vb,
			u32 func, void (*end)(struct vbus_call_req *req),
			void (*release)(struct vbus_call_req *req));
void vbus_call_req_put(struct vbus_call_req *req);
int vbus_call_start(struct vbus_call_req *req);
void vbus_mbox_init(struct virtio_vbus *vb);
void vbus_mbox_stop(struct virtio_vbus *vb);
extern struct workqueue_struct *vbus_wq;

/* virtio_vbus_callq.c */
void vbus_callq_init(struct virtio_vbus *vb);
void vbus_callq_info(struct virtio_vbus *vb, struct virtqueue_info *info);
void vbus_callq_start(struct virtio_vbus *vb, struct virtqueue **vqs);
void vbus_callq_stop(struct virtio_vbus *vb);
int vbus_callq_submit(struct vbus_call_req *req);
int vbus_callq_call(struct virtio_vbus *vb, u32 func, struct vbus_call_bufs *b,
		    bool intr, struct vbus_cmd_result *res);

/* virtio_vbus_fault.c */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void vbus_fault_late_irq(struct virtio_vbus *vb);
void vbus_fault_init(void);
void vbus_fault_exit(void);
#else
static inline void vbus_fault_late_irq(struct virtio_vbus *vb) {}
static inline void vbus_fault_init(void) {}
static inline void vbus_fault_exit(void) {}
#endif

/* virtio_vbus_event.c */
void vbus_evq_prepare(struct virtio_vbus *vb);
int vbus_evq_init(struct virtio_vbus *vb);
void vbus_evq_fill(struct virtio_vbus *vb);
void vbus_evq_stop(struct virtio_vbus *vb);
void vbus_evq_del(struct virtio_vbus *vb);
bool vbus_sigq_kick(struct virtio_vbus *vb, struct vbus_region *r);
static inline struct virtqueue *vbus_dma_vq(struct virtio_vbus *vb)
{
	return vb->evqs[0].vq;
}

/* virtio_vbus_region.c */
struct vbus_region *vbus_region_new(struct virtio_vbus *vb, size_t len,
				    u32 prio, bool signal);
int vbus_region_del(struct vbus_region *r);
void vbus_region_put(struct vbus_region *r);
void vbus_region_event(struct virtio_vbus *vb, u16 type, u32 id);
void vbus_regions_reset(struct virtio_vbus *vb);
void vbus_region_ack_work(struct work_struct *work);
int vbus_signal_raise(struct vbus_region *r);

/* virtio_vbus_cdev.c */
/*
 * mmap offset of region N: N << VBUS_MMAP_SHIFT, a region being at most
 * VBUS_DRV_MAX_REGION_LEN. Ids stay below VBUS_REGION_ID_LIMIT so that
 * every offset fits a 32-bit program's mmap2(), whose 32-bit offset counts
 * 4096-byte units whatever the page size.
 */
#define VBUS_MMAP_SHIFT		22
#define VBUS_REGION_ID_LIMIT	(1U << (32 + 12 - VBUS_MMAP_SHIFT))
static_assert(VBUS_DRV_MAX_REGION_LEN <= (1UL << VBUS_MMAP_SHIFT));
void vbus_file_event(struct vbus_file *vf, u32 type, u32 id, int error);
void vbus_files_event(struct virtio_vbus *vb, u32 type, int error);
bool vbus_file_may_reset(struct vbus_file *vf);
int vbus_file_reset(struct vbus_file *vf);
int vbus_file_region_drop(struct vbus_file *vf, struct vbus_region *r);
struct vbus_region *vbus_file_region_get(struct vbus_file *vf, u32 id);

/* virtio_vbus_ctrl.c */
void vbus_ctrl_apply(struct virtio_vbus *vb);
int vbus_set_coalesce(struct virtio_vbus *vb, u32 per_ms);

/* virtio_vbus_ioctl.c */
long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
int vbus_arg_in(void *karg, size_t ksize, size_t minsz,
		const void __user *uarg);
/* Copies in @karg, a structure whose first version ended at field @last. */
#define VBUS_ARG_IN(karg, uarg, last) \
	vbus_arg_in(&(karg), sizeof(karg), \
		    offsetofend(typeof(karg), last), (uarg))

/* virtio_vbus_ucall.c */
struct io_uring_cmd;
struct vbus_call_fd;
/**
 * struct vbus_ucall - one asynchronous call from userspace
 * @req: the call
 * @tag: the caller's tag (call fd)
 * @in_ptr: where the answer goes
 * @cfd: its call fd, which it holds a reference on; or NULL
 * @ioucmd: its io_uring command, until the call ends or io_uring cancels
 *	it (whoever takes it with xchg() completes it); or NULL
 * @node: in @cfd->done once ended
 * @rec: its completion record, once read() made it
 * @have_rec: @rec is made: the answer is copied already
 */
struct vbus_ucall {
	struct vbus_call_req req;
	u64 tag;
	u64 in_ptr;
	struct vbus_call_fd *cfd;
	struct io_uring_cmd *ioucmd;
	struct list_head node;
	struct vbus_call_done rec;
	bool have_rec;
};

struct vbus_ucall *vbus_ucall_new(struct virtio_vbus *vb,
				  const struct vbus_call *c,
				  void (*end)(struct vbus_call_req *req));
int vbus_ucall_answer(struct vbus_ucall *uc);
int vbus_call_fd_new(struct virtio_vbus *vb);

/* virtio_vbus_uring.c */
int vbus_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

/* virtio_vbus_client.c */
int vbus_client_add(struct virtio_vbus *vb);
void vbus_client_del(struct virtio_vbus *vb);
bool vbus_client_bound(struct virtio_vbus *vb);
struct vbus_client_device *vbus_client_reset_prepare(struct virtio_vbus *vb,
						     int *err);
void vbus_client_reset_done(struct vbus_client_device *vc, int err);
struct vbus_client_device *vbus_client_pm_park(struct vbus_client_device *vc);
struct vbus_client_device *vbus_client_pm_unpark(struct vbus_client_device *vc);
void vbus_client_pm_drop(struct vbus_client_device *vc);

/* virtio_vbus_client_call.c */
unsigned int vbus_client_calls_abandon(struct vbus_client_device *vc, int err,
				       bool silent);

extern const struct attribute_group *vbus_dev_groups[];
extern const struct file_operations vbus_fops;

#endif /* _VIRTIO_VBUS_H */
