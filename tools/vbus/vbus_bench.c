// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_bench: virtio-vbus against virtio-serial, in one guest, one run.
 *
 *   vbus_bench [-q]
 *
 * Needs vbus-test devices, one "vbus-mbox" device without call queues (for
 * the call-queue figures), "vbus-vu" and "vbus-vu-poll" devices whose type
 * runs in another process (vhost-user-vbus-pci; for the out-of-process
 * figures), and two virtio-serial ports named "vbus.rr"
 * (the host echoes) and "vbus.sink" (the host discards), as scripts/bench.sh
 * sets up. Prints a table, and "csv," lines for the host. -q: a quick
 * smoke run (few iterations).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_vbus.h>

#include "vbus_ioctl.h"
#include "vbus_uring.h"

#define MAX_DEVS	16
#define REGION_LEN	(1 << 20)
/*
 * What a streaming producer writes at a time: a quarter of the ring, so
 * that the per-chunk cost (a signal, the device's drain) weighs little
 * against the copy, as it would for a program that batches.
 */
#define STREAM_CHUNK	(REGION_LEN / 4)

static int quick;
static char devs[MAX_DEVS][16];
static int ndevs;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "vbus_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1))];
}

static int open_dev(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/%.40s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

/* The devices of type @want into @names (at most @max), sorted; how many. */
static int find_type(const char *want, char names[][16], int max)
{
	struct dirent *de;
	char path[300], type[64];
	DIR *d = opendir("/sys/class/vbus");
	FILE *f;
	int n = 0;

	if (!d)
		die("/sys/class/vbus");
	while ((de = readdir(d)) && n < max) {
		if (strncmp(de->d_name, "vbus", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/class/vbus/%s/type", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%63s", type) == 1 && !strcmp(type, want))
			snprintf(names[n++], 16, "%.15s", de->d_name);
		fclose(f);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strverscmp);
	return n;
}

/* The vbus-test devices, sorted by name. */
static void find_devs(void)
{
	ndevs = find_type("vbus-test", devs, MAX_DEVS);
	if (!ndevs) {
		fprintf(stderr, "vbus_bench: no vbus-test device\n");
		exit(1);
	}
}

/* The /dev node of the virtio-serial port named @name. */
static int open_port(const char *name)
{
	char path[300], buf[64];
	struct dirent *de;
	DIR *d = opendir("/sys/class/virtio-ports");
	int fd = -1;
	FILE *f;

	if (!d)
		die("/sys/class/virtio-ports");
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && !strncmp(buf, name, strlen(name))) {
			snprintf(path, sizeof(path), "/dev/%s", de->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
		}
		fclose(f);
	}
	closedir(d);
	if (fd < 0)
		die(name);
	return fd;
}

static int vcall(int fd, uint32_t func, const void *out, uint32_t olen,
		 void *in, uint32_t ilen)
{
	struct vbus_call c = {
		.argsz = sizeof(c),
		.func = func, .out_ptr = (uintptr_t)out, .out_len = olen,
		.in_ptr = (uintptr_t)in, .in_len = ilen,
	};

	return ioctl(fd, VBUS_IOC_CALL, &c) ? -errno : 0;
}

static void full_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0)
			die("serial write");
		buf = (const char *)buf + n;
		len -= n;
	}
}

static void full_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n <= 0)
			die("serial read");
		buf = (char *)buf + n;
		len -= n;
	}
}

static void csv(const char *metric, const char *param, double vbus,
		double serial)
{
	printf("csv,%s,%s,%.6g,%.6g,%.3f\n", metric, param, vbus, serial,
	       serial > 0 ? vbus / serial : 0);
}

/* Request/response: a device call against an echo through the port. */
static void bench_rtt(int vfd, int rr, uint32_t max)
{
	static const uint32_t sizes[] = { 0, 64, 512, 4096, 65536 };
	int iters = quick ? 50 : 2000, i, s;
	double *tv = malloc(iters * sizeof(double));
	double *ts = malloc(iters * sizeof(double));
	char *out = malloc(65536), *in = malloc(65536), param[32];
	double t;

	memset(out, 'x', 65536);
	printf("%-28s %10s %10s %10s %10s %8s\n", "call round trip (us)",
	       "vbus p50", "vbus p99", "ser p50", "ser p99", "ratio");
	for (s = 0; s < 5; s++) {
		uint32_t len = sizes[s] > max ? max : sizes[s];
		uint32_t slen = len ? len : 1;
		double v50, v99, s50, s99;

		for (i = 0; i < iters; i++) {
			t = now_us();
			if (vcall(vfd, VBUS_TEST_ECHO, out, len, in, len))
				die("call");
			tv[i] = now_us() - t;
			t = now_us();
			full_write(rr, out, slen);
			full_read(rr, in, slen);
			ts[i] = now_us() - t;
		}
		v50 = pct(tv, iters, 0.5);
		v99 = pct(tv, iters, 0.99);
		s50 = pct(ts, iters, 0.5);
		s99 = pct(ts, iters, 0.99);
		snprintf(param, sizeof(param), "%u", len);
		printf("  payload %-18u %10.1f %10.1f %10.1f %10.1f %8.2f\n",
		       len, v50, v99, s50, s99, v50 / s50);
		csv("rtt_p50_us", param, v50, s50);
		csv("rtt_p99_us", param, v99, s99);
	}
	free(tv);
	free(ts);
	free(out);
	free(in);
}

struct region {
	struct vbus_region_create rc;
	uint8_t *mem;
	int efd;
};

static void region_open(int fd, size_t len, struct region *r)
{
	struct vbus_region_eventfd re = { .argsz = sizeof(re) };

	memset(r, 0, sizeof(*r));
	r->rc.argsz = sizeof(r->rc);
	r->rc.len = len;
	r->rc.flags = VBUS_REGION_F_SIGNAL;
	if (ioctl(fd, VBUS_IOC_REGION_CREATE, &r->rc))
		die("region");
	r->mem = mmap(NULL, r->rc.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      r->rc.mmap_offset);
	if (r->mem == MAP_FAILED)
		die("mmap");
	r->efd = eventfd(0, EFD_CLOEXEC);
	re.id = r->rc.id;
	re.fd = r->efd;
	if (ioctl(fd, VBUS_IOC_SET_EVENTFD, &re))
		die("eventfd");
}

static void region_close(int fd, struct region *r)
{
	munmap(r->mem, r->rc.len);
	vbus_region_destroy(fd, r->rc.id);
	close(r->efd);
}

static int func_on(int fd, uint32_t func, uint32_t id, uint32_t n)
{
	uint32_t a[2] = { htole32(id), htole32(n) };

	return vcall(fd, func, a, sizeof(a), NULL, 0);
}

/* shm ping-pong: signal the device, it counts and signals back. */
static void bench_pingpong(int vfd)
{
	int iters = quick ? 100 : 5000, i;
	double *tv = malloc(iters * sizeof(double)), t, v50, v99;
	struct region r;
	uint64_t v;

	region_open(vfd, 4096, &r);
	if (func_on(vfd, VBUS_TEST_SIGNAL_ECHO, r.rc.id, 0))
		die("echo");
	for (i = 0; i < iters; i++) {
		t = now_us();
		if (vbus_signal(vfd, r.rc.id))
			die("signal");
		if (read(r.efd, &v, sizeof(v)) != sizeof(v))
			die("eventfd read");
		tv[i] = now_us() - t;
	}
	v50 = pct(tv, iters, 0.5);
	v99 = pct(tv, iters, 0.99);
	printf("%-28s %10.1f %10.1f\n", "shm ping-pong (us p50 p99)", v50, v99);
	csv("shm_pingpong_p50_us", "4096", v50, 0);
	csv("shm_pingpong_p99_us", "4096", v99, 0);
	region_close(vfd, &r);
	free(tv);
}

/*
 * Streams through a ring in a region for @secs; MB/s. With @copy the
 * producer copies each chunk in from @buf, as a program sending data it
 * already has must; without, it only publishes ring space, which
 * measures the ring protocol alone (head, signal, the device's drain).
 */
static double stream_ring(int vfd, const char *buf, size_t chunk,
			  double secs, int copy)
{
	struct vbus_test_ring *ring;
	uint32_t head = 0, tail, space, n, pos;
	uint64_t bytes = 0, v;
	struct region r;
	size_t datalen;
	double t0;

	region_open(vfd, REGION_LEN, &r);
	if (func_on(vfd, VBUS_TEST_STREAM_SINK, r.rc.id, 0))
		die("sink");
	ring = (void *)r.mem;
	datalen = r.rc.sigdesc_offset - sizeof(*ring);
	t0 = now_us();
	while (now_us() - t0 < secs * 1e6) {
		tail = le32toh(__atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE));
		space = datalen - (head - tail);
		if (!space) {
			if (read(r.efd, &v, sizeof(v)) != sizeof(v))
				die("eventfd read");
			continue;
		}
		n = space < chunk ? space : chunk;
		pos = head % datalen;
		if (n > datalen - pos)
			n = datalen - pos;
		if (copy)
			memcpy(ring->data + pos, buf, n);
		head += n;
		__atomic_store_n(&ring->head, htole32(head), __ATOMIC_RELEASE);
		if (vbus_signal(vfd, r.rc.id))
			die("signal");
		bytes += n;
	}
	region_close(vfd, &r);
	return bytes / ((now_us() - t0) / 1e6) / 1e6;
}

/*
 * The guest's own memcpy for @secs: @chunk bytes at a time into @dst, a
 * buffer the size of the stream's ring, going round it as the stream
 * does; MB/s. What the streaming with copy can reach at best.
 */
static double memcpy_rate(char *dst, const char *buf, size_t chunk,
			  double secs)
{
	uint64_t bytes = 0;
	size_t pos = 0;
	double t0;

	memset(dst, 0, REGION_LEN);
	t0 = now_us();
	while (now_us() - t0 < secs * 1e6) {
		memcpy(dst + pos, buf, chunk);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* keep each copy */
		pos = (pos + chunk) % (REGION_LEN - chunk);
		bytes += chunk;
	}
	return bytes / ((now_us() - t0) / 1e6) / 1e6;
}

/*
 * memcpy into a shared mapping like the ring's (@mapped) and into heap
 * memory (@heap). Under TCG the two differ by about two: where a buffer
 * sits in the address space changes how the emulated TLB serves it. The
 * mapping is the stream's own case.
 */
static void memcpy_rates(const char *buf, size_t chunk, double secs,
			 double *mapped, double *heap)
{
	char *m, *h;

	m = mmap(NULL, REGION_LEN, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h = malloc(REGION_LEN);
	if (m == MAP_FAILED || !h)
		die("memcpy buffers");
	*mapped = memcpy_rate(m, buf, chunk, secs);
	*heap = memcpy_rate(h, buf, chunk, secs);
	munmap(m, REGION_LEN);
	free(h);
}

/* One-way streaming: a ring in a region against writes to the port. */
static void bench_stream(int vfd, int sink)
{
	double secs = quick ? 0.2 : 2.0, t0, vbus, bare, ser, mem, heap;
	size_t chunk = STREAM_CHUNK;
	char *buf = malloc(chunk);
	char param[16];
	uint64_t bytes = 0;

	memset(buf, 'z', chunk);
	vbus = stream_ring(vfd, buf, chunk, secs, 1);
	bare = stream_ring(vfd, buf, chunk, secs, 0);
	memcpy_rates(buf, chunk, secs, &mem, &heap);

	t0 = now_us();
	while (now_us() - t0 < secs * 1e6) {
		full_write(sink, buf, chunk);
		bytes += chunk;
	}
	ser = bytes / ((now_us() - t0) / 1e6) / 1e6;
	printf("%-28s %10.1f %10s %10.1f %21.2f\n", "streaming (MB/s)", vbus, "",
	       ser, vbus / ser);
	printf("%-28s %10.1f %10s %10.1f %21.2f\n", "  ring alone, no copy", bare,
	       "", ser, bare / ser);
	printf("%-28s %10.1f\n", "  memcpy to a mapping, same", mem);
	printf("%-28s %10.1f\n", "  memcpy to the heap, same", heap);
	printf("%-28s %10.2f %10.2f\n", "  streaming / memcpy", vbus / mem,
	       vbus / heap);
	snprintf(param, sizeof(param), "%zu", chunk);
	csv("stream_MBps", param, vbus, ser);
	csv("stream_nocopy_MBps", param, bare, ser);
	csv("memcpy_mapping_MBps", param, mem, 0);
	csv("memcpy_heap_MBps", param, heap, 0);
	csv("stream_memcpy_fraction", param, vbus / mem, 0);
	csv("stream_heap_memcpy_fraction", param, vbus / heap, 0);
	free(buf);
}

static long stat_of(const char *dev, const char *key)
{
	char path[300], k[64];
	long long v;
	FILE *f;
	long ret = -1;

	snprintf(path, sizeof(path), "/sys/class/vbus/%s/stats", dev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * Notifications per signal: driver to device as the offered rate rises
 * (the device consumes each notification), and a device storm.
 */
static void bench_notify(int vfd)
{
	static const int gaps_us[] = { 1000, 100, 10, 0 };
	int n = quick ? 200 : 20000, i, g;
	struct region r;
	char param[32];
	long k0, k1;
	uint64_t v, notes = 0;
	double rate, t0;

	region_open(vfd, 4096, &r);
	printf("%-28s %10s %10s\n", "driver->device signals", "rate/s",
	       "notif/sig");
	for (g = 0; g < 4; g++) {
		int iters = gaps_us[g] >= 1000 ? n / 20 : n;

		k0 = stat_of(devs[0], "sig_kicks");
		t0 = now_us();
		for (i = 0; i < iters; i++) {
			if (vbus_signal(vfd, r.rc.id))
				die("signal");
			if (gaps_us[g]) {
				double until = now_us() + gaps_us[g];

				while (now_us() < until)
					;
			}
		}
		rate = iters / ((now_us() - t0) / 1e6);
		usleep(20000);
		k1 = stat_of(devs[0], "sig_kicks");
		printf("  gap %-6d us %14.0f %10.3f\n", gaps_us[g], rate,
		       (double)(k1 - k0) / iters);
		snprintf(param, sizeof(param), "%.0f", rate);
		csv("notify_per_signal_to_device", param,
		    (double)(k1 - k0) / iters, 0);
	}
	region_close(vfd, &r);

	region_open(vfd, 4096, &r);
	n = quick ? 2000 : 100000;
	if (func_on(vfd, VBUS_TEST_SIGNAL_STORM, r.rc.id, n))
		die("storm");
	t0 = now_us();
	while (le32toh(*(volatile uint32_t *)r.mem) != (uint32_t)n &&
	       now_us() - t0 < 60e6) {
		struct pollfd p = { .fd = r.efd, .events = POLLIN };

		if (poll(&p, 1, 100) == 1 && read(r.efd, &v, sizeof(v)) == sizeof(v))
			notes += v;
	}
	usleep(50000);
	{
		struct pollfd p = { .fd = r.efd, .events = POLLIN };

		/* A last notification, if one is still on its way. */
		if (poll(&p, 1, 0) == 1 && read(r.efd, &v, sizeof(v)) == sizeof(v))
			notes += v;
	}
	printf("%-28s %10d %10.5f  (1 per %.0f)\n", "device storm: signals",
	       n, (double)notes / n, notes ? (double)n / notes : 0);
	csv("notify_per_signal_storm", "storm", (double)notes / n, 0);
	region_close(vfd, &r);
}

struct worker {
	int *fds;
	int nfds;
	int calls;
};

/* Calls round-robin over its devices. */
static void *call_worker(void *arg)
{
	struct worker *w = arg;
	char out[64] = "bench", in[64];
	int i;

	for (i = 0; i < w->calls; i++)
		if (vcall(w->fds[i % w->nfds], VBUS_TEST_ECHO, out, sizeof(out),
			  in, sizeof(in)))
			die("call");
	return NULL;
}

/*
 * Wall-clock microseconds per call: @n callers on one device, or one
 * caller going round @ndev devices.
 */
static double run_callers(int *fds, int n, int ndev)
{
	int calls = quick ? 100 : 2000, i;
	struct worker w[MAX_DEVS];
	pthread_t t[MAX_DEVS];
	double t0 = now_us();

	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .fds = fds, .nfds = ndev, .calls = calls };
		pthread_create(&t[i], NULL, call_worker, &w[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return (now_us() - t0) / ((double)n * calls);
}

static void bench_scaling(void)
{
	int fds[MAX_DEVS], i, n;
	char param[16];
	double us;

	for (i = 0; i < ndevs; i++)
		fds[i] = open_dev(devs[i]);
	run_callers(fds, 1, ndevs);	/* warm up every device */
	printf("%-28s %10s\n", "callers on one device", "us/call");
	for (n = 1; n <= 8; n *= 2) {
		us = run_callers(fds, n, 1);
		printf("  %-26d %10.1f\n", n, us);
		snprintf(param, sizeof(param), "%d", n);
		csv("scale_callers_us_per_call", param, us, 0);
	}
	printf("%-28s %10s\n", "devices, one caller round", "us/call");
	for (n = 1; n <= ndevs; n *= 2) {
		/* Flat when the number of devices costs a call nothing. */
		us = run_callers(fds, 1, n);
		printf("  %-26d %10.1f\n", n, us);
		snprintf(param, sizeof(param), "%d", n);
		csv("scale_devices_us_per_call", param, us, 0);
	}
	for (i = 0; i < ndevs; i++)
		close(fds[i]);
}

struct delayer {
	int fd;
	uint32_t ms;
};

static void *delay_call(void *arg)
{
	struct delayer *d = arg;
	uint32_t ms = htole32(d->ms);

	if (vcall(d->fd, VBUS_TEST_DELAY, &ms, sizeof(ms), NULL, 0))
		die("delay");
	return NULL;
}

/* @n ECHO round trips of @len bytes on @fd: their times in @v, in us. */
static void echo_times(int fd, uint32_t len, int n, double *v)
{
	char *out = calloc(1, len ?: 1), *in = malloc(len ?: 1);
	double t;
	int i;

	if (!out || !in)
		die("malloc");
	for (i = 0; i < n; i++) {
		t = now_us();
		if (vcall(fd, VBUS_TEST_ECHO, out, len, in, len))
			die("echo");
		v[i] = now_us() - t;
	}
	free(out);
	free(in);
}

/*
 * Head-of-line blocking: ECHOs while a DELAY is in flight on the same
 * device, on call queues (@qfd) and through the mailbox (@mfd).
 */
static void bench_head_of_line(int qfd, int mfd)
{
	int iters = quick ? 20 : 500;
	double *v = malloc(iters * sizeof(double));
	struct delayer dq = { .fd = qfd, .ms = quick ? 500 : 3000 };
	struct delayer dm = { .fd = mfd, .ms = 300 };
	double idle50, busy50, busy99, mbox;
	pthread_t t;

	echo_times(qfd, 64, iters, v);
	idle50 = pct(v, iters, 0.5);
	pthread_create(&t, NULL, delay_call, &dq);
	usleep(100000);
	echo_times(qfd, 64, iters, v);
	busy50 = pct(v, iters, 0.5);
	busy99 = pct(v, iters, 0.99);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, delay_call, &dm);
	usleep(50000);
	echo_times(mfd, 64, 1, v);
	mbox = v[0];
	pthread_join(t, NULL);
	printf("%-28s %10s %10s %10s %12s\n", "ECHO during a DELAY (us)",
	       "idle p50", "busy p50", "busy p99", "mailbox");
	printf("  %-26s %10.1f %10.1f %10.1f %12.1f\n", "call queue", idle50,
	       busy50, busy99, mbox);
	csv("hol_echo_us", "idle_p50", idle50, 0);
	csv("hol_echo_us", "busy_p50", busy50, 0);
	csv("hol_echo_us", "busy_p99", busy99, 0);
	csv("hol_echo_us", "mailbox_busy", mbox, 0);
	free(v);
}

/* Sync ECHO calls per second from 1 to 8 threads on one device. */
static void bench_call_threads(int qfd, int mfd)
{
	double q, m;
	char param[16];
	int n;

	run_callers(&qfd, 1, 1);	/* warm up */
	printf("%-28s %10s %10s %8s\n", "threads, one device", "callq/s",
	       "mailbox/s", "ratio");
	for (n = 1; n <= 8; n *= 2) {
		q = 1e6 / run_callers(&qfd, n, 1);
		m = 1e6 / run_callers(&mfd, n, 1);
		printf("  %-26d %10.0f %10.0f %8.2f\n", n, q, m, q / m);
		snprintf(param, sizeof(param), "%d", n);
		csv("calls_per_s", param, q, m);
	}
}

#define ASYNC_MAX_DEPTH	32

/* A 64-byte ECHO into slot @i of @in, tagged @i. */
static struct vbus_call echo_call(char (*in)[64], uint64_t i)
{
	static const char out[64] = "async";

	return (struct vbus_call){
		.argsz = sizeof(struct vbus_call), .func = VBUS_TEST_ECHO,
		.out_ptr = (uintptr_t)out, .out_len = sizeof(out),
		.in_ptr = (uintptr_t)in[i], .in_len = sizeof(in[i]), .tag = i,
	};
}

/* @calls ECHOs through io_uring, @depth in flight: calls per second. */
static double uring_rate(struct vbus_ring *r, int fd, int depth, int calls)
{
	static char in[ASYNC_MAX_DEPTH][64];
	int sent = 0, done = 0, i;
	struct vbus_call c;
	struct vbus_cqe cqe;
	double t0 = now_us();

	for (i = 0; i < depth; i++, sent++) {
		c = echo_call(in, i);
		vbus_ring_call(r, fd, &c, sizeof(c), i);
	}
	while (done < calls) {
		if (vbus_ring_enter(r, 1) < 0)
			die("io_uring_enter");
		while (vbus_ring_reap(r, &cqe)) {
			if (cqe.res != 64)
				die("async echo");
			done++;
			if (sent++ < calls) {
				c = echo_call(in, cqe.user_data);
				vbus_ring_call(r, fd, &c, sizeof(c),
					       cqe.user_data);
			}
		}
	}
	return calls / ((now_us() - t0) / 1e6);
}

/* The same through a call fd. */
static double call_fd_rate(int cfd, int depth, int calls)
{
	static char in[ASYNC_MAX_DEPTH][64];
	struct vbus_call_done d[ASYNC_MAX_DEPTH];
	int sent = 0, done = 0, i, n;
	struct vbus_call c;
	double t0 = now_us();

	for (i = 0; i < depth; i++, sent++) {
		c = echo_call(in, i);
		if (ioctl(cfd, VBUS_IOC_CALL_SUBMIT, &c))
			die("submit");
	}
	while (done < calls) {
		n = read(cfd, d, sizeof(d));
		if (n <= 0)
			die("call fd read");
		for (i = 0; i < n / (int)sizeof(d[0]); i++, done++) {
			if (d[i].error || d[i].result_len != 64)
				die("async echo");
			if (sent++ >= calls)
				continue;
			c = echo_call(in, d[i].tag);
			if (ioctl(cfd, VBUS_IOC_CALL_SUBMIT, &c))
				die("submit");
		}
	}
	return calls / ((now_us() - t0) / 1e6);
}

/* p50 of @iters ECHO round trips of @len bytes on @fd, in microseconds. */
static double echo_p50(int fd, uint32_t len, int iters)
{
	double *v = malloc(iters * sizeof(double)), p50;

	if (!v)
		die("malloc");
	echo_times(fd, len, iters, v);
	p50 = pct(v, iters, 0.5);
	free(v);
	return p50;
}

/* Round trips of 4 and 64 KiB on the call queue and through the mailbox. */
static void bench_rtt_paths(int qfd, int mfd)
{
	static const uint32_t sizes[] = { 4096, 65536 };
	int iters = quick ? 50 : 2000, i;
	double q, m;
	char param[16];

	printf("%-28s %10s %10s %8s\n", "round trip p50 (us)", "callq",
	       "mailbox", "ratio");
	for (i = 0; i < 2; i++) {
		q = echo_p50(qfd, sizes[i], iters);
		m = echo_p50(mfd, sizes[i], iters);
		printf("  payload %-18u %10.1f %10.1f %8.2f\n", sizes[i], q, m,
		       q / m);
		snprintf(param, sizeof(param), "%u", sizes[i]);
		csv("rtt_paths_p50_us", param, q, m);
	}
}

/* Async calls per second from one thread at queue depth 1, 8 and 32. */
static void bench_async(int qfd)
{
	static const int depths[] = { 1, 8, ASYNC_MAX_DEPTH };
	int calls = quick ? 200 : 20000, depth, cfd, i;
	double u, f, u1 = 0;
	struct vbus_ring r;
	char param[16];

	cfd = ioctl(qfd, VBUS_IOC_CALL_FD);
	if (cfd < 0 || vbus_ring_init(&r, 64, IORING_SETUP_SQE128 |
				      IORING_SETUP_CQE32)) {
		printf("async calls: no call fd or no io_uring\n");
		return;
	}
	uring_rate(&r, qfd, 8, calls / 10);	/* warm up */
	printf("%-28s %10s %10s %8s\n", "async, one thread: depth",
	       "io_uring/s", "call fd/s", "x depth1");
	for (i = 0; i < (int)(sizeof(depths) / sizeof(depths[0])); i++) {
		depth = depths[i];
		u = uring_rate(&r, qfd, depth, calls);
		f = call_fd_rate(cfd, depth, calls);
		if (depth == 1)
			u1 = u;
		printf("  %-26d %10.0f %10.0f %8.2f\n", depth, u, f, u / u1);
		snprintf(param, sizeof(param), "%d", depth);
		csv("async_calls_per_s", param, u, f);
	}
	vbus_ring_exit(&r);
	close(cfd);
}

/* Call queues against the mailbox: a vbus-test and a "vbus-mbox" device. */
static void bench_callq(void)
{
	char names[1][16];
	struct vbus_info info;
	int qfd, mfd;

	qfd = open_dev(devs[0]);
	if (vbus_info(qfd, &info))
		die("info");
	if (!(info.features & (1ULL << VIRTIO_VBUS_F_CALLQ)) ||
	    find_type("vbus-mbox", names, 1) != 1) {
		printf("call queues: not offered, or no vbus-mbox device\n");
		close(qfd);
		return;
	}
	mfd = open_dev(names[0]);
	bench_rtt_paths(qfd, mfd);
	bench_head_of_line(qfd, mfd);
	bench_call_threads(qfd, mfd);
	bench_async(qfd);
	close(qfd);
	close(mfd);
}

/*
 * The driver's poll (sysfs call_poll_us) for the polled out-of-process
 * comparison: long enough for either device's answer under TCG (tens of
 * microseconds), short of a timeslice. The "vbus-vu-poll" backend polls
 * its call queue for 100 us after each kick (scripts/bench.sh).
 */
#define VU_POLL_US	200

/* Calls on one device before the other's turn (echo_p50_pair()). */
#define VU_TURN		100

/* Sets sysfs call_poll_us of the vbusN device @dev to @us. */
static void set_call_poll(const char *dev, unsigned int us)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/vbus/%s/call_poll_us", dev);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%u", us) < 0 || fclose(f))
		die(path);
}

/*
 * p50s of @iters ECHO round trips of @len bytes on @ufd (@u) and on @qfd
 * (@q), taken in turns of VU_TURN calls, so that a slow spell of the host
 * (another host thread taking the vCPU's CPU, say) falls on both devices
 * rather than on one. A turn's first call finds the other backend's poll
 * over: 1 in VU_TURN samples is cold, which a p50 does not see.
 */
static void echo_p50_pair(int ufd, int qfd, uint32_t len, int iters,
			  double *u, double *q)
{
	double *vu = malloc(iters * sizeof(double));
	double *vq = malloc(iters * sizeof(double));
	int i, n;

	if (!vu || !vq)
		die("malloc");
	for (i = 0; i < iters; i += n) {
		n = iters - i < VU_TURN ? iters - i : VU_TURN;
		echo_times(ufd, len, n, vu + i);
		echo_times(qfd, len, n, vq + i);
	}
	*u = pct(vu, iters, 0.5);
	*q = pct(vq, iters, 0.5);
	free(vu);
	free(vq);
}

/*
 * Round trips of the device type @type in another process and of the
 * one in QEMU (@qfd, devs[0]), each call polled by the driver for up to
 * @poll_us: CSV metric @metric.
 */
static void vu_rtt(const char *type, int qfd, unsigned int poll_us,
		   const char *metric)
{
	static const uint32_t sizes[] = { 64, 4096 };
	int iters = quick ? 50 : 2000, i, ufd;
	char name[1][16], param[16];
	double u, q;

	if (find_type(type, name, 1) != 1) {
		fprintf(stderr, "vbus_bench: no %s device\n", type);
		exit(1);
	}
	ufd = open_dev(name[0]);
	set_call_poll(name[0], poll_us);
	set_call_poll(devs[0], poll_us);
	printf("%s, the driver polling %u us:\n", type, poll_us);
	for (i = 0; i < 2; i++) {
		echo_p50_pair(ufd, qfd, sizes[i], iters, &u, &q);
		printf("  payload %-18u %10.1f %10.1f %8.2f\n", sizes[i], u, q,
		       u / q);
		snprintf(param, sizeof(param), "%u", sizes[i]);
		csv(metric, param, u, q);
	}
	set_call_poll(name[0], 0);
	set_call_poll(devs[0], 0);
	close(ufd);
}

/*
 * The device type in another process (a "vbus-vu" device on
 * vhost-user-vbus-pci) against the one in QEMU (devs[0]): round trips
 * and calls per second, all through the call queues; and round trips
 * with both sides polling ("vbus-vu-poll", the driver's call_poll_us).
 */
static void bench_vhost_user(void)
{
	int n, fds[2];
	char names[1][16], param[16];
	double u, q;

	if (find_type("vbus-vu", names, 1) != 1) {
		printf("vhost-user: no vbus-vu device\n");
		return;
	}
	fds[0] = open_dev(names[0]);
	fds[1] = open_dev(devs[0]);
	run_callers(&fds[0], 1, 1);	/* warm up */
	printf("%-28s %10s %10s %8s\n", "round trip p50 (us)", "vhost-user",
	       "in QEMU", "ratio");
	vu_rtt("vbus-vu", fds[1], 0, "vu_rtt_p50_us");
	vu_rtt("vbus-vu-poll", fds[1], VU_POLL_US, "vu_rtt_polled_p50_us");
	printf("%-28s %10s %10s %8s\n", "threads, one device", "vhost-user/s",
	       "in QEMU/s", "ratio");
	for (n = 1; n <= 4; n *= 4) {
		u = 1e6 / run_callers(&fds[0], n, 1);
		q = 1e6 / run_callers(&fds[1], n, 1);
		printf("  %-26d %10.0f %10.0f %8.2f\n", n, u, q, u / q);
		snprintf(param, sizeof(param), "%d", n);
		csv("vu_calls_per_s", param, u, q);
	}
	close(fds[0]);
	close(fds[1]);
}

int main(int argc, char **argv)
{
	struct vbus_info info;
	int vfd, rr, sink;

	quick = argc > 1 && !strcmp(argv[1], "-q");
	find_devs();
	vfd = open_dev(devs[0]);
	if (vbus_info(vfd, &info))
		die("info");
	rr = open_port("vbus.rr");
	sink = open_port("vbus.sink");
	printf("vbus_bench: %d vbus-test devices, %s run\n", ndevs,
	       quick ? "quick" : "full");
	printf("csv,metric,param,vbus,serial,ratio\n");
	bench_rtt(vfd, rr, info.max_call_len);
	bench_pingpong(vfd);
	bench_stream(vfd, sink);
	bench_notify(vfd);
	bench_scaling();
	bench_callq();
	bench_vhost_user();
	printf("vbus_bench: done\n");
	return 0;
}
