/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of virtio_vbus.ko: one per state machine event.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM virtio_vbus

#if !defined(_VIRTIO_VBUS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VIRTIO_VBUS_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(vbus_fsm_event,
	TP_PROTO(const char *dev, const char *state, const char *event,
		 const char *next, int ret),
	TP_ARGS(dev, state, event, next, ret),
	TP_STRUCT__entry(
		__string(dev, dev)
		__string(state, state)
		__string(event, event)
		__string(next, next)
		__field(int, ret)
	),
	TP_fast_assign(
		__assign_str(dev);
		__assign_str(state);
		__assign_str(event);
		__assign_str(next);
		__entry->ret = ret;
	),
	TP_printk("%s: %s + %s -> %s (%d)", __get_str(dev), __get_str(state),
		  __get_str(event), __get_str(next), __entry->ret)
);

#endif /* _VIRTIO_VBUS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE virtio_vbus_trace
#include <trace/define_trace.h>
