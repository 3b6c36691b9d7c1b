// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbus-upper: the smallest complete vbus device type, the example of
 * Documentation/virtio-vbus-device-types.rst.
 *
 * Function 1 (UPPER) answers its out buffer in upper case. A region with
 * a signal is a mailbox: each time the driver signals it, the device
 * upper-cases the NUL-terminated text at the start of its payload and
 * signals back.
 *
 *   vbus-upper --socket-path PATH
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include <linux/virtio_vbus.h>
#include "vbus-device.h"
#include "vbus-upper.h"

static bool upper_call(struct vbus_dev *dev, struct vbus_dev_call *call)
{
	uint32_t i;

	call->status = VIRTIO_VBUS_S_OK;
	call->qualifier = 0;
	if (call->func != VBUS_UPPER_FUNC) {
		call->status = VIRTIO_VBUS_S_ENOENT;
		call->qualifier = call->func;
	} else if (call->in_len < call->out_len) {
		call->status = VIRTIO_VBUS_S_E2BIG;
		call->qualifier = call->out_len;
	} else {
		for (i = 0; i < call->out_len; i++)
			call->in[i] = toupper(call->out[i]);
		call->result_len = call->out_len;
	}
	return true;		/* every call completes at once */
}

/* Nothing completes later, so nothing is ever left to cancel. */
static void upper_cancel(struct vbus_dev *dev, struct vbus_dev_call *call)
{
}

static void upper_region_signal(struct vbus_dev *dev, struct vbus_region *r)
{
	char text[256];
	uint64_t len = vbus_region_payload_len(r);
	size_t i;

	if (len > sizeof(text))
		len = sizeof(text);
	if (!vbus_region_read(dev, r, 0, text, len))
		return;
	for (i = 0; i < len && text[i]; i++)
		text[i] = toupper(text[i]);
	vbus_region_write(dev, r, 0, text, i);
	vbus_region_signal(dev, r);
}

const struct vbus_device_type vbus_upper_type = {
	.name = "vbus-upper",
	.abi_version = 1,
	.max_call_ms = 1,
	.call = upper_call,
	.cancel = upper_cancel,
	.region_signal = upper_region_signal,
};

#ifndef VBUS_UPPER_NO_MAIN
static void upper_gone(struct vbus_dev *dev, const char *why)
{
	fprintf(stderr, "vbus-upper: %s\n", why);
	exit(0);		/* one front-end, then done */
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vbus_dev_config conf;
	struct vbus_dev *dev;
	int fd, conn;

	if (argc != 3 || strcmp(argv[1], "--socket-path") ||
	    strlen(argv[2]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: vbus-upper --socket-path PATH\n");
		return 2;
	}
	vbus_dev_config_init(&conf);
	conf.callq = false;	/* calls through the mailbox only */
	dev = vbus_dev_new(&vbus_upper_type, &conf, NULL);
	strcpy(sa.sun_path, argv[2]);
	unlink(argv[2]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (!dev || fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) ||
	    listen(fd, 1) || (conn = accept(fd, NULL, NULL)) < 0 ||
	    !vbus_dev_serve(dev, conn, upper_gone)) {
		perror("vbus-upper");
		return 1;
	}
	g_main_loop_run(g_main_loop_new(NULL, FALSE));
	return 0;
}
#endif
