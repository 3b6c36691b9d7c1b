// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhost-user-vbus-test: the vbus-test device type as a vhost-user backend.
 *
 *   vhost-user-vbus-test --socket-path PATH [OPTION...]
 *
 * Listens on PATH and serves one front-end (QEMU's vhost-user-vbus) at a
 * time; when it goes, the device is reset and the next connection is
 * served. Ends on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib-unix.h>
#include <linux/virtio_vbus.h>
#include "vbus-test.h"

static gchar *socket_path;
static gchar *type_name = VBUS_TEST_TYPE;
static gint abi_version = VBUS_TEST_ABI_VERSION;
static gint max_delay_ms = VBUS_TEST_MAX_DELAY_MS;
static gint num_event_queues = 1, num_call_queues = 1, max_calls = 64;
static gint max_call_len = 64 << 10, cmd_timeout_ms = 15000, poll_us;
static gboolean no_call, no_shm, no_callq, no_coalesce;

static const GOptionEntry options[] = {
	{ "socket-path", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
	  "the vhost-user socket to listen on", "PATH" },
	{ "type-name", 0, 0, G_OPTION_ARG_STRING, &type_name,
	  "the type name in config space (vbus-test)", "NAME" },
	{ "abi-version", 0, 0, G_OPTION_ARG_INT, &abi_version,
	  "the type's ABI version (1)", "N" },
	{ "max-delay-ms", 0, 0, G_OPTION_ARG_INT, &max_delay_ms,
	  "DELAY's bound (10000)", "MS" },
	{ "num-event-queues", 0, 0, G_OPTION_ARG_INT, &num_event_queues,
	  "event queues, 1 to 8 (1)", "N" },
	{ "num-call-queues", 0, 0, G_OPTION_ARG_INT, &num_call_queues,
	  "call queues, 1 to 64 (1)", "N" },
	{ "max-calls", 0, 0, G_OPTION_ARG_INT, &max_calls,
	  "calls in flight per call queue (64)", "N" },
	{ "max-call-len", 0, 0, G_OPTION_ARG_INT, &max_call_len,
	  "the longest call payload (65536)", "BYTES" },
	{ "cmd-timeout-ms", 0, 0, G_OPTION_ARG_INT, &cmd_timeout_ms,
	  "the device's command timeout (15000)", "MS" },
	{ "poll-us", 0, 0, G_OPTION_ARG_INT, &poll_us,
	  "after a kick, poll call queues this long, 0 to 10000 (0)", "US" },
	{ "no-call", 0, 0, G_OPTION_ARG_NONE, &no_call,
	  "no device calls", NULL },
	{ "no-shm", 0, 0, G_OPTION_ARG_NONE, &no_shm,
	  "no shared-memory regions", NULL },
	{ "no-callq", 0, 0, G_OPTION_ARG_NONE, &no_callq,
	  "no call queues", NULL },
	{ "no-coalesce", 0, 0, G_OPTION_ARG_NONE, &no_coalesce,
	  "no signal coalescing", NULL },
	{ NULL }
};

static GMainLoop *loop;
static int listen_fd = -1;
static guint accept_source;

static gboolean on_listen(gint fd, GIOCondition cond, gpointer opaque);

static void on_gone(struct vbus_dev *dev, const char *why)
{
	fprintf(stderr, "vhost-user-vbus-test: %s; waiting for a front-end\n",
		why);
	accept_source = g_unix_fd_add(listen_fd, G_IO_IN, on_listen, dev);
}

static gboolean on_listen(gint fd, GIOCondition cond, gpointer opaque)
{
	struct vbus_dev *dev = opaque;
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		return G_SOURCE_CONTINUE;
	if (!vbus_dev_serve(dev, conn, on_gone)) {
		fprintf(stderr, "vhost-user-vbus-test: %s\n", strerror(errno));
		close(conn);
		return G_SOURCE_CONTINUE;
	}
	accept_source = 0;
	return G_SOURCE_REMOVE;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vhost-user-vbus-test: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1)) {
		perror("vhost-user-vbus-test: listen");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static gboolean on_signal(gpointer opaque)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static bool parse(int argc, char **argv, struct vbus_dev_config *conf)
{
	GOptionContext *ctx = g_option_context_new("- vbus-test over vhost-user");
	GError *err = NULL;
	bool ok;

	g_option_context_add_main_entries(ctx, options, NULL);
	ok = g_option_context_parse(ctx, &argc, &argv, &err);

	g_option_context_free(ctx);
	if (!ok || !socket_path) {
		fprintf(stderr, "vhost-user-vbus-test: %s (see --help)\n",
			err ? err->message : "--socket-path is required");
		g_clear_error(&err);
		return false;
	}
	vbus_dev_config_init(conf);
	conf->call = !no_call;
	conf->shm = !no_shm;
	conf->callq = !no_callq;
	conf->coalesce = !no_coalesce;
	conf->num_event_queues = num_event_queues;
	conf->num_call_queues = num_call_queues;
	conf->max_calls = max_calls;
	conf->max_call_len = max_call_len;
	conf->cmd_timeout_ms = cmd_timeout_ms;
	conf->poll_us = poll_us;
	/* The library checks the upper bounds. */
	if (num_event_queues > 0 && num_call_queues > 0 && max_calls > 0 &&
	    max_call_len > 0 && cmd_timeout_ms > 0 && max_delay_ms >= 0 &&
	    abi_version >= 0 && poll_us >= 0)
		return true;
	fprintf(stderr, "vhost-user-vbus-test: a negative or zero limit (see --help)\n");
	return false;
}

int main(int argc, char **argv)
{
	struct vbus_test_opts o;
	struct vbus_dev_config conf;
	struct vbus_dev *dev;
	void *priv;

	if (!parse(argc, argv, &conf))
		return 2;
	o = (struct vbus_test_opts) {
		.name = type_name,
		.abi_version = abi_version,
		.max_delay_ms = max_delay_ms,
	};
	priv = vbus_test_new();
	dev = vbus_dev_new(vbus_test_type(&o), &conf, priv);
	if (!dev)
		return 2;
	listen_fd = listen_on(socket_path);
	if (listen_fd < 0)
		return 1;
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, NULL);
	g_unix_signal_add(SIGINT, on_signal, NULL);
	accept_source = g_unix_fd_add(listen_fd, G_IO_IN, on_listen, dev);
	g_main_loop_run(loop);
	if (accept_source)
		g_source_remove(accept_source);
	vbus_dev_free(dev);
	vbus_test_free(priv);
	close(listen_fd);
	unlink(socket_path);
	g_main_loop_unref(loop);
	return 0;
}
