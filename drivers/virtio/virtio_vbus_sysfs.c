// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs attributes of /sys/class/vbus/vbusN: identity, limits, state.
 */
#include <linux/sysfs.h>
#include <linux/virtio_config.h>

#include "virtio_vbus.h"

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_virtio_vbus(dev)->type);
}
static DEVICE_ATTR_RO(type);

static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_virtio_vbus(dev)->abi_version);
}
static DEVICE_ATTR_RO(abi_version);

/* Negotiated features, all 64 bits, as a mask. */
static ssize_t features_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);
	ssize_t len;

	mutex_lock(&vb->lock);
	if (vb->state == VBUS_STATE_REMOVED)
		len = -ENODEV;
	else
		len = sysfs_emit(buf, "0x%016llx\n", vb->vdev->features);
	mutex_unlock(&vb->lock);
	return len;
}
static DEVICE_ATTR_RO(features);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);
	enum vbus_state state;

	mutex_lock(&vb->lock);
	state = vb->state;
	mutex_unlock(&vb->lock);
	return sysfs_emit(buf, "%s\n", vbus_state_name(state));
}
static DEVICE_ATTR_RO(state);

/* CTRL_COALESCE: SIGNAL events per region per millisecond, 0: no limit. */
static ssize_t coalesce_per_ms_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(to_virtio_vbus(dev)->coalesce_per_ms));
}

static ssize_t coalesce_per_ms_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	u32 per_ms;
	int err;

	err = kstrtou32(buf, 0, &per_ms);
	if (err)
		return err;
	err = vbus_set_coalesce(to_virtio_vbus(dev), per_ms);
	return err ? err : count;
}
static DEVICE_ATTR_RW(coalesce_per_ms);

static ssize_t call_poll_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(to_virtio_vbus(dev)->call_poll_us));
}

/*
 * 0 to VBUS_CALL_POLL_MAX_US; only call queues are polled. The driver's
 * own setting: the device never sees it, and it stays across resets.
 */
static ssize_t call_poll_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);
	u32 us;
	int err;

	err = kstrtou32(buf, 0, &us);
	if (err)
		return err;
	if (!vb->has_callq)
		return -EOPNOTSUPP;
	if (us > VBUS_CALL_POLL_MAX_US)
		return -EINVAL;
	WRITE_ONCE(vb->call_poll_us, us);
	return count;
}
static DEVICE_ATTR_RW(call_poll_us);

/* Writing 1 resets the device, as VBUS_IOC_RESET does. */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	bool reset;
	int err;

	err = kstrtobool(buf, &reset);
	if (err)
		return err;
	if (!reset)
		return -EINVAL;
	err = vbus_reset(to_virtio_vbus(dev));
	return err ? err : count;
}
static DEVICE_ATTR_WO(reset);

static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);
	ssize_t len;

	mutex_lock(&vb->lock);
	len = sysfs_emit(buf, "%s\n", vb->last_error);
	mutex_unlock(&vb->lock);
	return len;
}
static DEVICE_ATTR_RO(last_error);

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct virtio_vbus *vb = to_virtio_vbus(dev);
	struct vbus_stats *st = &vb->stats;
	int len, q;

	len = sysfs_emit(buf,
			 "commands %lld\ncmd_errors %lld\ncmd_irqs %lld\n"
			 "evq_irqs %lld\nevents %lld\nbad_events %lld\n"
			 "budget_exhausted %lld\nsignals_in %lld\n"
			 "signals_out %lld\nsig_kicks %lld\nsig_owed %lld\n"
			 "callq_calls %lld\ncallq_parked %lld\ncallq_polled %lld\n"
			 "late_irqs %lld\n",
			 atomic64_read(&st->commands),
			 atomic64_read(&st->cmd_errors),
			 atomic64_read(&st->cmd_irqs),
			 atomic64_read(&st->evq_irqs),
			 atomic64_read(&st->events),
			 atomic64_read(&st->bad_events),
			 atomic64_read(&st->budget_exhausted),
			 atomic64_read(&st->signals_in),
			 atomic64_read(&st->signals_out),
			 atomic64_read(&st->sig_kicks),
			 atomic64_read(&st->sig_owed),
			 atomic64_read(&st->callq_calls),
			 atomic64_read(&st->callq_parked),
			 atomic64_read(&st->callq_polled),
			 atomic64_read(&st->late_irqs));
	for (q = 0; q < vb->num_evqs; q++)
		len += sysfs_emit_at(buf, len, "evq%d_events %lld\n", q,
				     atomic64_read(&vb->evqs[q].events));
	return len;
}
static DEVICE_ATTR_RO(stats);

/* The limits, read from config space at probe: they never change. */
static ssize_t max_call_len_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_virtio_vbus(dev)->max_call_len);
}
static DEVICE_ATTR_RO(max_call_len);

static ssize_t max_regions_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_virtio_vbus(dev)->max_regions);
}
static DEVICE_ATTR_RO(max_regions);

static ssize_t max_region_bytes_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_virtio_vbus(dev)->max_region_bytes);
}
static DEVICE_ATTR_RO(max_region_bytes);

static ssize_t num_evqs_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_virtio_vbus(dev)->num_evqs);
}
static DEVICE_ATTR_RO(num_evqs);

static ssize_t cmd_timeout_ms_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_virtio_vbus(dev)->cmd_timeout_ms);
}
static DEVICE_ATTR_RO(cmd_timeout_ms);

static struct attribute *vbus_dev_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_abi_version.attr,
	&dev_attr_features.attr,
	&dev_attr_state.attr,
	&dev_attr_last_error.attr,
	&dev_attr_reset.attr,
	&dev_attr_coalesce_per_ms.attr,
	&dev_attr_call_poll_us.attr,
	&dev_attr_stats.attr,
	&dev_attr_max_call_len.attr,
	&dev_attr_max_regions.attr,
	&dev_attr_max_region_bytes.attr,
	&dev_attr_num_evqs.attr,
	&dev_attr_cmd_timeout_ms.attr,
	NULL,
};

static const struct attribute_group vbus_dev_group = {
	.attrs = vbus_dev_attrs,
};

const struct attribute_group *vbus_dev_groups[] = {
	&vbus_dev_group,
	NULL,
};
