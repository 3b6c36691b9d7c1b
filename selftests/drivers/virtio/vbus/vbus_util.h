/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the virtio-vbus selftests: sysfs, the kernel command
 * line (where the VM runner says what devices it gave the guest), waiting,
 * a signal to interrupt a call.
 */
#ifndef VBUS_UTIL_H
#define VBUS_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_vbus.h>

#define VBUS_SYSFS		"/sys/class/vbus"
#define VBUS_DRIVER_SYSFS	"/sys/bus/virtio/drivers/virtio_vbus"
#define VBUS_MAX_DEVS		16
/*
 * The bound on one wait for the guest to finish something a test asked
 * for (a probe, a removal, a reset): seconds under KASAN and TCG on a
 * loaded 2-core host, so a minute is the margin. A passing test never
 * waits this long; a failing one fails in a minute.
 */
#define VBUS_WAIT_MS		60000
/* The bound on one step that makes progress (a round trip, a signal). */
#define VBUS_STEP_MS		5000

/*
 * The harness's per-test timeout is a backstop for a wedged program, not
 * a budget: every wait in these tests is bounded by the progress it waits
 * for (VBUS_WAIT_MS, VBUS_STEP_MS), so that a slow kernel (the debug one)
 * is slow but passes. TEST_F() expands this where each test is defined.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	600
#endif

/* Reads a sysfs file into buf without the trailing newline; -errno. */
static inline int vbus_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static inline int vbus_write_file(const char *path, const char *val)
{
	ssize_t n, len = strlen(val);
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : (n < 0 ? n : -EIO);
}

static inline int vbus_attr(const char *dev, const char *attr, char *buf,
			    size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VBUS_SYSFS "/%s/%s", dev, attr);
	return vbus_read_file(path, buf, len);
}

/* Writes @val to @dev's sysfs attribute @attr: 0, or -errno. */
static inline int vbus_set_attr(const char *dev, const char *attr,
				const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VBUS_SYSFS "/%s/%s", dev, attr);
	return vbus_write_file(path, val);
}

static int vbus_name_cmp(const void *a, const void *b)
{
	return strverscmp(a, b);
}

/* Fills names[] with the vbusN devices, sorted; returns how many. */
static inline int vbus_list(char names[][16], int max)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir(VBUS_SYSFS);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		if (strncmp(de->d_name, "vbus", 4))
			continue;
		snprintf(names[n++], 16, "%s", de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), vbus_name_cmp);
	return n;
}

static inline long vbus_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Whether /dev/@name exists. The device's sysfs directory (and its state
 * "ready") appears before devtmpfs makes the node, so whoever waits for a
 * device to use it waits for the node, as udev's users do.
 */
static inline int vbus_node_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", name);
	return !access(path, F_OK);
}

/*
 * Waits up to VBUS_WAIT_MS for @path to go: a device leaves sysfs and /dev
 * in steps (the vbus device, its node, then its virtio device), so each
 * is waited for, not looked at once. 0 or -EEXIST.
 */
static inline int vbus_wait_gone(const char *path)
{
	long end = vbus_now_ms() + VBUS_WAIT_MS;

	while (!access(path, F_OK)) {
		if (vbus_now_ms() > end)
			return -EEXIST;
		usleep(10000);
	}
	return 0;
}

/*
 * Waits up to VBUS_WAIT_MS for exactly @count vbus devices, each with its
 * /dev node; 0 or -ETIMEDOUT.
 */
static inline int vbus_wait_count(int count)
{
	char names[VBUS_MAX_DEVS][16];
	long end = vbus_now_ms() + VBUS_WAIT_MS;
	int i, n;

	do {
		n = vbus_list(names, VBUS_MAX_DEVS);
		for (i = 0; i < n && vbus_node_exists(names[i]); i++)
			;
		if (n == count && i == n)
			return 0;
		usleep(20000);
	} while (vbus_now_ms() < end);
	return -ETIMEDOUT;
}

/*
 * The value of "key=" on the kernel command line (the VM runner passes
 * what it gave the guest this way), or NULL.
 */
static inline char *vbus_cmdline(const char *key, char *buf, size_t len)
{
	static char cmdline[4096];
	size_t klen = strlen(key);
	char *tok, *save;

	if (vbus_read_file("/proc/cmdline", cmdline, sizeof(cmdline)))
		return NULL;
	for (tok = strtok_r(cmdline, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, key, klen) && tok[klen] == '=') {
			snprintf(buf, len, "%s", tok + klen + 1);
			return buf;
		}
	}
	return NULL;
}

/* Whether the kernel command line says "key=value". */
static inline bool vbus_cmdline_is(const char *key, const char *value)
{
	char buf[64];

	return vbus_cmdline(key, buf, sizeof(buf)) && !strcmp(buf, value);
}

/* The virtio device (virtioN) under vbus device @dev. */
static inline int vbus_virtio_name(const char *dev, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *base;

	snprintf(path, sizeof(path), VBUS_SYSFS "/%s/device", dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
	return 0;
}

/*
 * Whether the virtio device under vbus device @dev reaches guest memory
 * through an IOMMU that translates: VIRTIO_F_ACCESS_PLATFORM (bit 33)
 * negotiated, and a DMA (not identity) domain on its transport device.
 * 1, 0, or -errno.
 */
static inline int vbus_dma_translated(const char *dev)
{
	char vname[32], path[PATH_MAX], buf[128];
	int err = vbus_virtio_name(dev, vname, sizeof(vname));

	if (err)
		return err;
	snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/features",
		 vname);
	err = vbus_read_file(path, buf, sizeof(buf));
	if (err)
		return err;
	if (strlen(buf) <= 33 || buf[33] != '1')
		return 0;
	snprintf(path, sizeof(path),
		 "/sys/bus/virtio/devices/%s/../iommu_group/type", vname);
	if (vbus_read_file(path, buf, sizeof(buf)))
		return 0;	/* no IOMMU group: no IOMMU */
	return !strncmp(buf, "DMA", 3);	/* "DMA" or "DMA-FQ" */
}

/* Finds the vbus device of type @type; its name into @name. 0 or -ENOENT. */
static inline int vbus_find_type(const char *type, char *name, size_t len)
{
	char names[VBUS_MAX_DEVS][16], buf[64];
	int i, n = vbus_list(names, VBUS_MAX_DEVS);

	for (i = 0; i < n; i++) {
		if (vbus_attr(names[i], "type", buf, sizeof(buf)))
			continue;
		if (!strcmp(buf, type)) {
			snprintf(name, len, "%s", names[i]);
			return 0;
		}
	}
	return -ENOENT;
}

/* VBUS_IOC_INFO into @info: 0, or -1 with errno, as ioctl(). */
static inline int vbus_info(int fd, struct vbus_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, VBUS_IOC_INFO, info);
}

/* @cmd (VBUS_IOC_SIGNAL, VBUS_IOC_REGION_DESTROY) on region @id, as ioctl(). */
static inline int vbus_region_ioctl(int fd, unsigned long cmd, uint32_t id)
{
	struct vbus_region_ref ref = { .argsz = sizeof(ref), .id = id };

	return ioctl(fd, cmd, &ref);
}

static inline int vbus_signal(int fd, uint32_t id)
{
	return vbus_region_ioctl(fd, VBUS_IOC_SIGNAL, id);
}

static inline int vbus_region_destroy(int fd, uint32_t id)
{
	return vbus_region_ioctl(fd, VBUS_IOC_REGION_DESTROY, id);
}

/* Opens /dev/@name; the fd or -errno. */
static inline int vbus_open(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A counter from sysfs "stats" of @dev, or -1. */
static inline long vbus_stat(const char *dev, const char *key)
{
	char buf[1024], *p;

	if (vbus_attr(dev, "stats", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

/*
 * The /dev node of the virtio-serial port named @port, opened non-blocking
 * (a write to a port whose host end is not connected would wait for it);
 * or -errno.
 */
static inline int vbus_port_open(const char *port)
{
	char path[300], buf[64];
	struct dirent *de;
	int fd = -ENOENT;
	DIR *d;

	d = opendir("/sys/class/virtio-ports");
	if (!d)
		return -ENOENT;
	while (fd == -ENOENT && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		if (vbus_read_file(path, buf, sizeof(buf)) || strcmp(buf, port))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	closedir(d);
	return fd;
}

#define VBUS_QMP_PORT		"vbus.qmp"
#define VBUS_QMP_WAIT_MS	90000

/* Waits for @events on @fd until @end (vbus_now_ms()); 0 or -errno. */
static inline int vbus_poll_until(int fd, short events, long end)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		if (poll(&p, 1, 100) < 0)
			return -errno;
		if (p.revents & events)
			return 0;
		if (vbus_now_ms() > end)
			return -ETIMEDOUT;
	}
}

/*
 * Runs one QMP command through the VM runner's agent (vmtest.sh,
 * qmp_agent.py) on the port opened by vbus_port_open(VBUS_QMP_PORT): the
 * command is a printf format making one JSON object. It goes with an
 * "id" of its own, which the agent puts first in the answer, so a late
 * answer to an abandoned request is skipped. The answer line goes into
 * @reply. 0 for {"return": ...}, -EREMOTEIO for an error answer,
 * -ETIMEDOUT after VBUS_QMP_WAIT_MS, -EPROTO for a line that is
 * neither, or -errno.
 */
static inline int vbus_qmp(int fd, char *reply, size_t len, const char *fmt,
			   ...)
{
	long end = vbus_now_ms() + VBUS_QMP_WAIT_MS;
	static unsigned int seq;
	char cmd[1024], tag[32];
	size_t got, tlen;
	ssize_t n;
	va_list ap;
	int c, off, err;
	char ch;

	tlen = snprintf(tag, sizeof(tag), "{\"id\": %u, ", ++seq);
	va_start(ap, fmt);
	c = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (c < 2 || c >= (int)(sizeof(cmd) - tlen - 1) || cmd[0] != '{')
		return -E2BIG;
	/* {"id": N, <the command's members>} */
	memmove(cmd + tlen - 1, cmd, c + 1);
	memcpy(cmd, tag, tlen);
	c += tlen - 1;
	cmd[c++] = '\n';
	for (off = 0; off < c; off += n) {
		err = vbus_poll_until(fd, POLLOUT, end);
		if (err)
			return err;
		n = write(fd, cmd + off, c - off);
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n < 0)
			n = 0;
	}
	do {	/* lines until the one that answers this request */
		got = 0;
		for (;;) {
			err = vbus_poll_until(fd, POLLIN, end);
			if (err)
				return err;
			n = read(fd, &ch, 1);	/* one line, and not beyond */
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n <= 0)
				return n ? -errno : -EPIPE;
			if (ch == '\n')
				break;
			if (got < len - 1)
				reply[got++] = ch;
		}
		reply[got] = '\0';
	} while (strncmp(reply, tag, tlen));
	memmove(reply, reply + tlen - 1, got - tlen + 2);
	reply[0] = '{';
	if (!strncmp(reply, "{\"return\"", 9))
		return 0;
	return strncmp(reply, "{\"error\"", 8) ? -EPROTO : -EREMOTEIO;
}

/* A handler that only interrupts: installed without SA_RESTART. */
static inline void vbus_on_signal(int sig)
{
}

/* SIGUSR1 to @target after @delay_ms: the thread vbus_kick() runs in. */
struct vbus_kicker {
	pthread_t target;
	int delay_ms;
};

static inline void *vbus_kick(void *arg)
{
	struct vbus_kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

#endif /* VBUS_UTIL_H */
