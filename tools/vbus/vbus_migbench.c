// SPDX-License-Identifier: GPL-2.0
/*
 * vbus_migbench: what vbus devices add to a live migration's downtime.
 *
 *   vbus_migbench [-q]
 *
 * Maps two regions with signals on every vbus-test device there is (16 on
 * the eight of scripts/bench.sh's "migbench" guest, none on its guest
 * without vbus devices), checks that each answers a signal, then, the
 * guest otherwise idle in both, asks the runner's QMP agent (port
 * "vbus.qmp", x-migrate) for migrations one after the other, and prints
 * the median total and down time QEMU measured, as "csv," lines for the
 * host; then checks the signals again. -q: three migrations, not nine.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "vbus_util.h"

#define MAX_DEVS	8
#define REGIONS_PER_DEV	2

struct mapped {
	int fd;
	uint32_t id;
	int efd;
};

static struct mapped regions[MAX_DEVS * REGIONS_PER_DEV];
static int nregions;

static void die(const char *what, int err)
{
	fprintf(stderr, "vbus_migbench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* One region with a signal on @fd, mapped; the test type echoes it. */
static void map_region(int fd)
{
	struct vbus_region_create rc = {
		.argsz = sizeof(rc), .len = 65536,
		.flags = VBUS_REGION_F_SIGNAL,
	};
	struct vbus_region_eventfd re = { .argsz = sizeof(re) };
	struct mapped *m = &regions[nregions++];
	uint32_t args[2];
	struct vbus_call c = {
		.argsz = sizeof(c), .func = VBUS_TEST_SIGNAL_ECHO,
		.out_ptr = (uintptr_t)args, .out_len = sizeof(args),
	};

	if (ioctl(fd, VBUS_IOC_REGION_CREATE, &rc))
		die("REGION_CREATE", errno);
	if (mmap(NULL, rc.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 rc.mmap_offset) == MAP_FAILED)
		die("mmap", errno);
	m->fd = fd;
	m->id = rc.id;
	m->efd = eventfd(0, EFD_CLOEXEC);
	re.id = rc.id;
	re.fd = m->efd;
	args[0] = htole32(rc.id);
	args[1] = 0;
	if (m->efd < 0 || ioctl(fd, VBUS_IOC_SET_EVENTFD, &re) ||
	    ioctl(fd, VBUS_IOC_CALL, &c))
		die("signal set-up", errno);
}

/* One signal round trip on every region. */
static void ping_all(void)
{
	uint64_t v;
	int i;

	for (i = 0; i < nregions; i++)
		if (vbus_signal(regions[i].fd, regions[i].id) ||
		    read(regions[i].efd, &v, sizeof(v)) != sizeof(v))
			die("ping-pong", errno);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A number member of the agent's answer ("downtime": 12). */
static double member(const char *reply, const char *name)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(reply, key);
	return p ? strtod(p + strlen(key), NULL) : -1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 && !strcmp(argv[1], "-q") ? 3 : 9;
	char names[MAX_DEVS][16], reply[512];
	double down[16], total[16];
	int ndev, qmp, i, fd, err;

	ndev = vbus_list(names, MAX_DEVS);
	for (i = 0; i < ndev; i++) {
		fd = vbus_open(names[i]);
		if (fd < 0)
			die(names[i], -fd);
		map_region(fd);
		map_region(fd);
	}
	qmp = vbus_port_open(VBUS_QMP_PORT);
	if (qmp < 0)
		die("the QMP port", -qmp);
	ping_all();
	for (i = 0; i < n; i++) {
		err = vbus_qmp(qmp, reply, sizeof(reply),
			       "{\"execute\": \"x-migrate\", \"arguments\": {\"to\": \"socket\"}}");
		if (err)
			die(reply, -err);
		down[i] = member(reply, "downtime");
		total[i] = member(reply, "total-time");
	}
	ping_all();
	qsort(down, n, sizeof(double), cmp);
	qsort(total, n, sizeof(double), cmp);
	printf("vbus_migbench: %d devices, %d regions mapped, %d migrations\n",
	       ndev, nregions, n);
	printf("csv,mig_downtime_ms,%d,%.3f,0,0\n", ndev, down[n / 2]);
	printf("csv,mig_total_ms,%d,%.3f,0,0\n", ndev, total[n / 2]);
	printf("vbus_migbench: done\n");
	return 0;
}
