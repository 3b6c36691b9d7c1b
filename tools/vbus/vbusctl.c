// SPDX-License-Identifier: GPL-2.0
/*
 * vbusctl: list vbus devices, show one, issue device calls.
 *
 *   vbusctl list
 *   vbusctl info DEV
 *
 * DEV is /dev/vbusN or vbusN.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtio_vbus.h>

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
};

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
	if (ioctl(fd, VBUS_IOC_INFO, info)) {
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

static void usage(void)
{
	fprintf(stderr,
		"usage: vbusctl list\n"
		"       vbusctl info DEV\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	if (!strcmp(argv[1], "info") && argc == 3)
		return cmd_info(argv[2]);
	usage();
	return 2;
}
