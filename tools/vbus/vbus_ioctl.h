/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tools' wrappers of the /dev/vbusN ioctls whose arguments they build
 * in one place: argsz set, flags zero. Each returns as ioctl() does.
 */
#ifndef VBUS_TOOLS_IOCTL_H
#define VBUS_TOOLS_IOCTL_H

#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/virtio_vbus.h>

static inline int vbus_info(int fd, struct vbus_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, VBUS_IOC_INFO, info);
}

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

#endif /* VBUS_TOOLS_IOCTL_H */
