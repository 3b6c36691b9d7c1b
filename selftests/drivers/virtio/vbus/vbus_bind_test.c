// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vbus binding: the driver binds every virtio-vbus device, shows
 * what the device says about itself, and survives unbind, rebind, module
 * reload and autoload by modalias.
 *
 * The VM runner (vmtest.sh) passes what it configured on the kernel
 * command line: vbus.expect=TYPE:ABI,... for the good devices and
 * vbus.bad=N for devices whose type name the driver must reject.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/virtio_vbus.h>

#include "kselftest_harness.h"
#include "vbus_util.h"

#define VIRTIO_F_VERSION_1	32

FIXTURE(vbus) {
	char names[VBUS_MAX_DEVS][16];
	int n;
};

FIXTURE_SETUP(vbus)
{
	char expect[512];

	/* A client driver holds the module; the tests reload it. */
	system("rmmod vbus_test_client 2>/dev/null");
	self->n = vbus_list(self->names, VBUS_MAX_DEVS);
	/* When the runner gave the guest devices, none bound is a failure. */
	if (!self->n && vbus_cmdline("vbus.expect", expect, sizeof(expect)))
		ASSERT_LT(0, self->n);
	if (!self->n)
		SKIP(return, "no vbus device bound");
}

FIXTURE_TEARDOWN(vbus)
{
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

TEST_F(vbus, bound_and_ready)
{
	char buf[64], path[PATH_MAX], target[PATH_MAX];
	ssize_t len;
	int i;

	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, vbus_attr(self->names[i], "state", buf, sizeof(buf)));
		EXPECT_STREQ("ready", buf);
		snprintf(path, sizeof(path), VBUS_SYSFS "/%s/device/driver",
			 self->names[i]);
		len = readlink(path, target, sizeof(target) - 1);
		ASSERT_LT(0, len);
		target[len] = '\0';
		EXPECT_STREQ("virtio_vbus", strrchr(target, '/') + 1);
	}
}

/* type and abi_version are what QEMU was given (vbus.expect). */
TEST_F(vbus, sysfs_matches_qemu)
{
	char expect[512], got[VBUS_MAX_DEVS][64], want[VBUS_MAX_DEVS][64];
	char type[64], abi[16], *tok, *save;
	int i, nwant = 0;

	if (!vbus_cmdline("vbus.expect", expect, sizeof(expect)))
		SKIP(return, "runner did not pass vbus.expect");
	for (tok = strtok_r(expect, ",", &save); tok && nwant < VBUS_MAX_DEVS;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(want[nwant++], sizeof(want[0]), "%s", tok);

	ASSERT_EQ(nwant, self->n);
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, vbus_attr(self->names[i], "type", type, sizeof(type)));
		ASSERT_EQ(0, vbus_attr(self->names[i], "abi_version", abi,
				       sizeof(abi)));
		snprintf(got[i], sizeof(got[0]), "%s:%s", type, abi);
	}
	qsort(got, self->n, sizeof(got[0]), cmp_str);
	qsort(want, nwant, sizeof(want[0]), cmp_str);
	for (i = 0; i < self->n; i++)
		EXPECT_STREQ(want[i], got[i]);
}

/* VBUS_IOC_INFO on /dev/vbusN agrees with sysfs. */
TEST_F(vbus, info_ioctl_matches_sysfs)
{
	char path[64], buf[64];
	struct vbus_info info;
	int i, fd;

	for (i = 0; i < self->n; i++) {
		snprintf(path, sizeof(path), "/dev/%s", self->names[i]);
		fd = open(path, O_RDWR);
		ASSERT_LE(0, fd);
		memset(&info, 0xa5, sizeof(info));
		ASSERT_EQ(0, vbus_info(fd, &info));
		close(fd);

		ASSERT_EQ(0, vbus_attr(self->names[i], "type", buf, sizeof(buf)));
		EXPECT_STREQ(buf, info.type);
		ASSERT_EQ(0, vbus_attr(self->names[i], "abi_version", buf,
				       sizeof(buf)));
		EXPECT_EQ(strtoul(buf, NULL, 0), info.abi_version);
		ASSERT_EQ(0, vbus_attr(self->names[i], "features", buf,
				       sizeof(buf)));
		EXPECT_EQ(strtoull(buf, NULL, 0), info.features);
		EXPECT_TRUE(info.features & (1ULL << VIRTIO_F_VERSION_1));
		EXPECT_EQ(VBUS_STATE_READY, info.state);
		ASSERT_EQ(0, vbus_attr(self->names[i], "max_call_len", buf,
				       sizeof(buf)));
		EXPECT_EQ(strtoul(buf, NULL, 0), info.max_call_len);
		ASSERT_EQ(0, vbus_attr(self->names[i], "num_evqs", buf,
				       sizeof(buf)));
		EXPECT_EQ(strtoul(buf, NULL, 0), info.num_event_queues);
		EXPECT_EQ(strtoul(self->names[i] + 4, NULL, 10), info.instance);
	}
}

/* An unknown ioctl is ENOTTY, not a crash or a silent success. */
TEST_F(vbus, unknown_ioctl)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", self->names[0]);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(VBUS_IOCTL_TYPE, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, VBUS_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* Each device has its own instance: name, char device number, node. */
TEST_F(vbus, distinct_instances)
{
	char buf[32], path[64];
	unsigned int maj, min, seen[VBUS_MAX_DEVS];
	struct stat st;
	int i, j;

	if (self->n < 2)
		SKIP(return, "needs two vbus devices");
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, vbus_attr(self->names[i], "dev", buf, sizeof(buf)));
		ASSERT_EQ(2, sscanf(buf, "%u:%u", &maj, &min));
		snprintf(path, sizeof(path), "/dev/%s", self->names[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(makedev(maj, min), st.st_rdev);
		seen[i] = min;
		for (j = 0; j < i; j++)
			EXPECT_NE(seen[j], seen[i]);
	}
}

/* Unbinding one device removes only its vbus device; binding restores it. */
TEST_F(vbus, unbind_rebind)
{
	char virtio[32], buf[64], names[VBUS_MAX_DEVS][16];
	int i, n;

	ASSERT_EQ(0, vbus_virtio_name(self->names[0], virtio, sizeof(virtio)));
	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/unbind", virtio));
	ASSERT_EQ(0, vbus_wait_count(self->n - 1));

	ASSERT_EQ(0, vbus_write_file(VBUS_DRIVER_SYSFS "/bind", virtio));
	ASSERT_EQ(0, vbus_wait_count(self->n));
	n = vbus_list(names, VBUS_MAX_DEVS);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vbus_attr(names[i], "state", buf, sizeof(buf)));
		EXPECT_STREQ("ready", buf);
	}
}

/* The module unloads cleanly and binds every device again on reload. */
TEST_F(vbus, rmmod_modprobe)
{
	ASSERT_EQ(0, system("rmmod virtio_vbus"));
	ASSERT_EQ(-1, access("/sys/module/virtio_vbus", F_OK));
	ASSERT_EQ(0, vbus_wait_count(0));
	ASSERT_EQ(0, system("modprobe virtio_vbus"));
	ASSERT_EQ(0, vbus_wait_count(self->n));
}

/*
 * With the module unloaded, a uevent for the device loads it by modalias
 * (virtio:d0000003Fv*), as at boot.
 */
TEST_F(vbus, autoload_by_modalias)
{
	char path[PATH_MAX], buf[128];
	struct dirent *de;
	int triggered = 0, bad = 0;
	DIR *dir;

	if (vbus_cmdline("vbus.bad", buf, sizeof(buf)))
		bad = strtol(buf, NULL, 10);

	ASSERT_EQ(0, system("rmmod virtio_vbus"));
	ASSERT_EQ(0, vbus_wait_count(0));

	dir = opendir("/sys/bus/virtio/devices");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/modalias",
			 de->d_name);
		if (vbus_read_file(path, buf, sizeof(buf)) ||
		    strncmp(buf, "virtio:d0000003Fv", 17))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/uevent",
			 de->d_name);
		ASSERT_EQ(0, vbus_write_file(path, "add"));
		triggered++;
	}
	closedir(dir);
	/* Every virtio-vbus device, the rejected ones too. */
	ASSERT_EQ(self->n + bad, triggered);
	ASSERT_EQ(0, vbus_wait_count(self->n));
}

/*
 * Devices with a malformed type name (not NUL-terminated, not printable)
 * stay unbound: the driver does not trust the device's config space.
 */
TEST(malformed_type_rejected)
{
	char want[16], path[PATH_MAX], buf[64];
	int unbound = 0;
	struct dirent *de;
	DIR *dir;

	if (!vbus_cmdline("vbus.bad", want, sizeof(want)))
		SKIP(return, "runner gave no malformed device");

	dir = opendir("/sys/bus/virtio/devices");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device",
			 de->d_name);
		if (vbus_read_file(path, buf, sizeof(buf)) ||
		    strtoul(buf, NULL, 0) != VIRTIO_ID_VBUS)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/driver",
			 de->d_name);
		if (access(path, F_OK))
			unbound++;
	}
	closedir(dir);
	EXPECT_EQ(strtol(want, NULL, 10), unbound);
}

TEST_HARNESS_MAIN
