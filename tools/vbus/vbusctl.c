// SPDX-License-Identifier: GPL-2.0
/*
 * vbusctl: list vbus devices, show one, issue device calls.
 *
 *   vbusctl list
 *   vbusctl info DEV
 *   vbusctl call DEV FUNC [-x HEX | TEXT] [-n IN_LEN]
 *   vbusctl stats DEV
 *
 * DEV is /dev/vbusN or vbusN. FUNC is a number, or for the vbus-test type
 * one of its function names (echo, reverse, checksum, ...).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <ctype.h>
#include <unistd.h>

#include <linux/virtio_vbus.h>

#include "vbus_ioctl.h"

#define SYSFS_VBUS	"/sys/class/vbus"

static const char *const state_names[] = {
	[VBUS_STATE_STANDBY] = "standby",
	[VBUS_STATE_READY] = "ready",
	[VBUS_STATE_RESETTING] = "resetting",
	[VBUS_STATE_BROKEN] = "broken",
	[VBUS_STATE_REMOVED] = "removed",
};

static const char *const feature_names[] = {
	[VIRTIO_VBUS_F_CALL] = "call",
	[VIRTIO_VBUS_F_SHM] = "shm",
	[VIRTIO_VBUS_F_MULTI_EVQ] = "multi-evq",
	[VIRTIO_VBUS_F_COALESCE] = "coalesce",
	[VIRTIO_VBUS_F_CALLQ] = "callq",
};

static const char *const status_names[] = {
	"OK", "EINVAL", "ENOMEM", "EBUSY", "ENODEV", "ENOENT", "E2BIG",
	"EFAULT", "EOPNOTSUPP", "ETIMEDOUT", "EIO", "EEXIST", "ENOSPC",
	"EPERM", "EAGAIN", "ERANGE",
};

static const char *const test_funcs[] = {
	[VBUS_TEST_ECHO] = "echo",
	[VBUS_TEST_REVERSE] = "reverse",
	[VBUS_TEST_CHECKSUM] = "checksum",
	[VBUS_TEST_FILL] = "fill",
	[VBUS_TEST_STATUS] = "status",
	[VBUS_TEST_DELAY] = "delay",
	[VBUS_TEST_COUNTERS] = "counters",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int open_dev(const char *name)
{
	char path[64];
	int fd;

	if (strncmp(name, "/dev/", 5))
		snprintf(path, sizeof(path), "/dev/%s", name);
	else
		snprintf(path, sizeof(path), "%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "vbusctl: %s: %s\n", path, strerror(errno));
	return fd;
}

static void print_features(unsigned long long features)
{
	const char *sep = "";
	unsigned int bit;

	for (bit = 0; bit < 24; bit++) {
		if (!(features & (1ULL << bit)))
			continue;
		if (bit < sizeof(feature_names) / sizeof(feature_names[0]) &&
		    feature_names[bit])
			printf("%s%s", sep, feature_names[bit]);
		else
			printf("%sbit%u", sep, bit);
		sep = ",";
	}
	printf("%s\n", *sep ? "" : "none");
}

static int get_info(const char *dev, struct vbus_info *info)
{
	int fd = open_dev(dev), ret = 0;

	if (fd < 0)
		return -1;
	if (vbus_info(fd, info)) {
		fprintf(stderr, "vbusctl: %s: VBUS_IOC_INFO: %s\n", dev,
			strerror(errno));
		ret = -1;
	}
	close(fd);
	return ret;
}

static const char *state_name(unsigned int state)
{
	if (state < sizeof(state_names) / sizeof(state_names[0]))
		return state_names[state];
	return "unknown";
}

static int cmd_list(void)
{
	struct dirent **names;
	int n, i, ret = 0;

	n = scandir(SYSFS_VBUS, &names, NULL, versionsort);
	if (n < 0) {
		fprintf(stderr, "vbusctl: %s: %s (is virtio_vbus loaded?)\n",
			SYSFS_VBUS, strerror(errno));
		return 1;
	}
	printf("%-8s %-20s %-5s %-10s %s\n", "DEVICE", "TYPE", "ABI",
	       "STATE", "FEATURES");
	for (i = 0; i < n; i++) {
		struct vbus_info info;

		if (names[i]->d_name[0] != '.') {
			if (get_info(names[i]->d_name, &info)) {
				ret = 1;
			} else {
				printf("%-8s %-20s %-5u %-10s ", names[i]->d_name,
				       info.type, info.abi_version,
				       state_name(info.state));
				print_features(info.features);
			}
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

static int cmd_info(const char *dev)
{
	struct vbus_info info;

	if (get_info(dev, &info))
		return 1;
	printf("device:           vbus%u\n", info.instance);
	printf("type:             %s\n", info.type);
	printf("abi version:      %u\n", info.abi_version);
	printf("state:            %s\n", state_name(info.state));
	printf("features:         ");
	print_features(info.features);
	printf("max call length:  %u\n", info.max_call_len);
	printf("max regions:      %u\n", info.max_regions);
	printf("max region bytes: %llu\n",
	       (unsigned long long)info.max_region_bytes);
	printf("event queues:     %u\n", info.num_event_queues);
	return 0;
}

/* The driver's counters for DEV (sysfs "stats"), and its last error. */
static int cmd_stats(const char *dev)
{
	const char *name = strncmp(dev, "/dev/", 5) ? dev : dev + 5;
	char path[128], line[256];
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_VBUS "/%s/stats", name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "vbusctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		long long v;

		if (sscanf(line, "%63s %lld", key, &v) == 2)
			printf("%-18s %lld\n", key, v);
	}
	fclose(f);
	snprintf(path, sizeof(path), SYSFS_VBUS "/%s/last_error", name);
	f = fopen(path, "r");
	if (f && fgets(line, sizeof(line), f) && line[0] != '\n')
		printf("%-18s %s", "last_error", line);
	if (f)
		fclose(f);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vbusctl list\n"
		"       vbusctl info DEV\n"
		"       vbusctl call DEV FUNC [-x HEX | TEXT] [-n IN_LEN]\n"
		"       vbusctl stats DEV\n");
	exit(2);
}

static long parse_func(const char *s)
{
	char *end;
	unsigned int i;
	long v;

	for (i = 0; i < ARRAY_SIZE(test_funcs); i++)
		if (test_funcs[i] && !strcmp(s, test_funcs[i]))
			return i;
	v = strtol(s, &end, 0);
	if (*end || v < 0 || v > 0xffffffffL)
		return -1;
	return v;
}

/* "0a1b..." into bytes; returns the length or -1. */
static long parse_hex(const char *s, unsigned char *buf, size_t size)
{
	size_t n = 0;
	unsigned int byte;

	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (n == size || sscanf(s, "%2x", &byte) != 1 ||
		    !isxdigit((unsigned char)s[1]))
			return -1;
		buf[n++] = byte;
		s += 2;
	}
	return n;
}

static void print_payload(const unsigned char *buf, size_t len)
{
	size_t i;
	int text = 1;

	for (i = 0; i < len; i++)
		if (!isprint(buf[i]) && buf[i] != '\n')
			text = 0;
	if (text && len) {
		printf("data:      \"%.*s\"\n", (int)len, (const char *)buf);
		return;
	}
	for (i = 0; i < len; i++)
		printf("%s%02x%s", i % 16 ? "" : "data:      ", buf[i],
		       i % 16 == 15 || i == len - 1 ? "\n" : " ");
}

static int cmd_call(int argc, char **argv)
{
	unsigned char *out = NULL, *in = NULL;
	struct vbus_info info;
	struct vbus_call c = { .argsz = sizeof(c) };
	long func, in_len = -1, out_len = 0;
	int opt, fd, ret, err;

	while ((opt = getopt(argc, argv, "x:n:")) != -1) {
		switch (opt) {
		case 'x':
			out = malloc(strlen(optarg) / 2 + 1);
			out_len = out ? parse_hex(optarg, out, strlen(optarg) / 2 + 1) : -1;
			if (out_len < 0) {
				fprintf(stderr, "vbusctl: bad hex payload\n");
				return 2;
			}
			break;
		case 'n':
			in_len = strtol(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3 || (out && argc - optind == 3))
		usage();
	func = parse_func(argv[optind + 1]);
	if (func < 0) {
		fprintf(stderr, "vbusctl: bad function '%s'\n", argv[optind + 1]);
		return 2;
	}
	if (argc - optind == 3) {
		out = (unsigned char *)strdup(argv[optind + 2]);
		out_len = strlen(argv[optind + 2]);
	}
	if (get_info(argv[optind], &info))
		return 1;
	if (in_len < 0)
		in_len = info.max_call_len < 4096 ? info.max_call_len : 4096;
	in = calloc(1, in_len + 1);
	fd = open_dev(argv[optind]);
	if (fd < 0 || !in)
		return 1;

	c.func = func;
	c.out_ptr = (unsigned long)out;
	c.out_len = out_len;
	c.in_ptr = (unsigned long)in;
	c.in_len = in_len;
	ret = ioctl(fd, VBUS_IOC_CALL, &c);
	err = errno;
	close(fd);
	if (ret && c.device_status == 0) {
		fprintf(stderr, "vbusctl: call: %s\n", strerror(err));
		return 1;
	}
	printf("status:    %s (%u), qualifier %u%s%s\n",
	       c.device_status < ARRAY_SIZE(status_names) ?
	       status_names[c.device_status] : "?", c.device_status,
	       c.qualifier, ret ? ", errno " : "", ret ? strerror(err) : "");
	printf("result:    %u bytes\n", c.result_len);
	print_payload(in, c.result_len);
	free(out);
	free(in);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	if (!strcmp(argv[1], "info") && argc == 3)
		return cmd_info(argv[2]);
	if (!strcmp(argv[1], "call"))
		return cmd_call(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats") && argc == 3)
		return cmd_stats(argv[2]);
	usage();
	return 2;
}
