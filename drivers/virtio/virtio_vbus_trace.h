/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of virtio_vbus.ko: one per state machine event.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM virtio_vbus

#if !defined(_VIRTIO_VBUS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VIRTIO_VBUS_TRACE_H

#include <linux/tracepoint.h>

/* Device, state and event names: "vbus%d" and the names in the tables. */
#define VBUS_TRACE_NAME_LEN	16

TRACE_EVENT(vbus_fsm_event,
	TP_PROTO(const char *dev, const char *state, const char *event,
		 const char *next, int ret),
	TP_ARGS(dev, state, event, next, ret),
	TP_STRUCT__entry(
		__array(char, dev, VBUS_TRACE_NAME_LEN)
		__array(char, state, VBUS_TRACE_NAME_LEN)
		__array(char, event, VBUS_TRACE_NAME_LEN)
		__array(char, next, VBUS_TRACE_NAME_LEN)
		__field(int, ret)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev, VBUS_TRACE_NAME_LEN);
		strscpy(__entry->state, state, VBUS_TRACE_NAME_LEN);
		strscpy(__entry->event, event, VBUS_TRACE_NAME_LEN);
		strscpy(__entry->next, next, VBUS_TRACE_NAME_LEN);
		__entry->ret = ret;
	),
	TP_printk("%s: %s + %s -> %s (%d)", __entry->dev, __entry->state,
		  __entry->event, __entry->next, __entry->ret)
);

#endif /* _VIRTIO_VBUS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE virtio_vbus_trace
#include <trace/define_trace.h>
