// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device state machine: every state change of a vbus device goes
 * through vbus_fsm_event(), under the device's lock, in process context,
 * by a fully populated table of named actions (rejections are actions
 * too), with a tracepoint per event.
 */
#include "virtio_vbus.h"

#define CREATE_TRACE_POINTS
#include "virtio_vbus_trace.h"

static const char * const vbus_event_names[NR_VBUS_EVENTS] = {
	[VBUS_EV_READY]		= "ready",
	[VBUS_EV_RESET]		= "reset",
	[VBUS_EV_RESET_FAILED]	= "reset-failed",
	[VBUS_EV_ERROR]		= "error",
	[VBUS_EV_REMOVE]	= "remove",
};

typedef int (*vbus_fsm_action_t)(struct virtio_vbus *vb, enum vbus_event ev,
				 const char *why);

static void vbus_fsm_set(struct virtio_vbus *vb, enum vbus_state state)
{
	WRITE_ONCE(vb->state, state);
}

/* The event changes nothing, and is no error. */
static int fsm_nop(struct virtio_vbus *vb, enum vbus_event ev,
		   const char *why)
{
	return 0;
}

/* Initialised (probe, or a reset): requests are taken. */
static int fsm_ready(struct virtio_vbus *vb, enum vbus_event ev,
		     const char *why)
{
	vb->last_error[0] = '\0';
	vbus_fsm_set(vb, VBUS_STATE_READY);
	return 0;
}

/* A reset starts: new requests get -EBUSY, waiters give up. */
static int fsm_reset(struct virtio_vbus *vb, enum vbus_event ev,
		     const char *why)
{
	vbus_fsm_set(vb, VBUS_STATE_RESETTING);
	return 0;
}

/* A reset runs already, or none can run yet: say so at once. */
static int fsm_busy(struct virtio_vbus *vb, enum vbus_event ev,
		    const char *why)
{
	return -EBUSY;
}

/* The device misbehaved: stop using it, and say why once. */
static int fsm_broken(struct virtio_vbus *vb, enum vbus_event ev,
		      const char *why)
{
	strscpy(vb->last_error, why ? why : vbus_event_names[ev],
		sizeof(vb->last_error));
	vbus_fsm_set(vb, VBUS_STATE_BROKEN);
	dev_err_ratelimited(&vb->dev, "device broken: %s\n", vb->last_error);
	vbus_files_event(vb, VBUS_UEVT_BROKEN, -EIO);
	return 0;
}

static int fsm_remove(struct virtio_vbus *vb, enum vbus_event ev,
		      const char *why)
{
	vbus_fsm_set(vb, VBUS_STATE_REMOVED);
	return 0;
}

/* Removed: nothing happens to the device any more. */
static int fsm_gone(struct virtio_vbus *vb, enum vbus_event ev,
		    const char *why)
{
	return -ENODEV;
}

/* An event that cannot happen in this state: a driver bug, reported. */
static int fsm_invalid(struct virtio_vbus *vb, enum vbus_event ev,
		       const char *why)
{
	dev_warn_ratelimited(&vb->dev, "event %s in state %s ignored\n",
			     vbus_event_names[ev], vbus_state_name(vb->state));
	return -EINVAL;
}

static const vbus_fsm_action_t vbus_fsm[NR_VBUS_STATES][NR_VBUS_EVENTS] = {
	[VBUS_STATE_STANDBY] = {
		[VBUS_EV_READY]		= fsm_ready,
		[VBUS_EV_RESET]		= fsm_busy,
		[VBUS_EV_RESET_FAILED]	= fsm_invalid,
		[VBUS_EV_ERROR]		= fsm_broken,
		[VBUS_EV_REMOVE]	= fsm_remove,
	},
	[VBUS_STATE_READY] = {
		[VBUS_EV_READY]		= fsm_invalid,
		[VBUS_EV_RESET]		= fsm_reset,
		[VBUS_EV_RESET_FAILED]	= fsm_invalid,
		[VBUS_EV_ERROR]		= fsm_broken,
		[VBUS_EV_REMOVE]	= fsm_remove,
	},
	[VBUS_STATE_RESETTING] = {
		[VBUS_EV_READY]		= fsm_ready,
		[VBUS_EV_RESET]		= fsm_busy,
		[VBUS_EV_RESET_FAILED]	= fsm_broken,
		[VBUS_EV_ERROR]		= fsm_nop,	/* the reset decides */
		[VBUS_EV_REMOVE]	= fsm_remove,
	},
	[VBUS_STATE_BROKEN] = {
		[VBUS_EV_READY]		= fsm_invalid,
		[VBUS_EV_RESET]		= fsm_reset,	/* the way out */
		[VBUS_EV_RESET_FAILED]	= fsm_invalid,
		[VBUS_EV_ERROR]		= fsm_nop,	/* the first cause stays */
		[VBUS_EV_REMOVE]	= fsm_remove,
	},
	[VBUS_STATE_REMOVED] = {
		[VBUS_EV_READY]		= fsm_gone,
		[VBUS_EV_RESET]		= fsm_gone,
		[VBUS_EV_RESET_FAILED]	= fsm_gone,
		[VBUS_EV_ERROR]		= fsm_gone,
		[VBUS_EV_REMOVE]	= fsm_gone,
	},
};

/**
 * vbus_fsm_event() - the one place where the device state changes
 * @vb: the vbus device
 * @ev: what happened
 * @why: the cause, for VBUS_EV_ERROR (shown in sysfs "last_error")
 *
 * Process context only. Takes @vb->lock.
 *
 * Return: the action's verdict: 0, -EBUSY (a reset runs, or the device
 * is not initialised yet), -ENODEV (removed), -EINVAL (an event the state
 * does not expect).
 */
int vbus_fsm_event(struct virtio_vbus *vb, enum vbus_event ev, const char *why)
{
	enum vbus_state old;
	int ret;

	might_sleep();
	mutex_lock(&vb->lock);
	old = vb->state;
	ret = vbus_fsm[old][ev](vb, ev, why);
	trace_vbus_fsm_event(dev_name(&vb->dev), vbus_state_name(old),
			     vbus_event_names[ev], vbus_state_name(vb->state),
			     ret);
	mutex_unlock(&vb->lock);
	return ret;
}

/**
 * vbus_set_broken() - the device misbehaved
 * @vb: the vbus device
 * @fmt: the cause, for the log and sysfs "last_error"
 *
 * Every later request fails with -EIO until a reset succeeds.
 */
void vbus_set_broken(struct virtio_vbus *vb, const char *fmt, ...)
{
	char why[sizeof(vb->last_error)];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	vbus_fsm_event(vb, VBUS_EV_ERROR, why);
}
