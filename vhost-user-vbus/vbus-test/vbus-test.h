/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vbus-test device type (the specification's) on libvbus-device. */
#ifndef VBUS_TEST_TYPE_H
#define VBUS_TEST_TYPE_H

#include "vbus-device.h"

#define VBUS_TEST_MAX_DELAY_MS	10000

struct vbus_test_opts {
	const char *name;		/* the type name; "vbus-test" */
	uint32_t abi_version;
	uint32_t max_delay_ms;		/* DELAY's bound */
};

/* The type, and its state for one device (vbus_dev_new()'s priv). */
const struct vbus_device_type *vbus_test_type(const struct vbus_test_opts *o);
void *vbus_test_new(void);
void vbus_test_free(void *priv);

#endif
