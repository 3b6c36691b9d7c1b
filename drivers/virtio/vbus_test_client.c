// SPDX-License-Identifier: GPL-2.0-only
/*
 * A client driver for vbus devices of type "vbus-test", for the selftests:
 * it binds through the auxiliary bus and makes device calls through the
 * kernel API on request from debugfs:
 *
 *   /sys/kernel/debug/vbus_test_client/<device>/echo
 *	write: an ECHO call with the bytes written
 *	read:  what the device echoed
 *   /sys/kernel/debug/vbus_test_client/<device>/last
 *	read:  "<errno> <status> <qualifier> <len>" of the last call
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/virtio_vbus.h>
#include <linux/virtio_vbus_client.h>

#define VBUS_TC_MAX	4096

static struct dentry *vbus_tc_root;

/**
 * struct vbus_tc - one bound vbus-test device
 * @vc: the client device
 * @dir: its debugfs directory
 * @lock: protects @buf, @len, @err and @res
 * @buf: what the device echoed
 * @len: bytes in @buf
 * @err: errno of the last call
 * @res: the device's answer to the last call
 */
struct vbus_tc {
	struct vbus_client_device *vc;
	struct dentry *dir;
	struct mutex lock;		/* see @lock above */
	u8 buf[VBUS_TC_MAX];
	size_t len;
	int err;
	struct vbus_call_result res;
};

static ssize_t vbus_tc_echo_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	u8 *out;
	int err;

	if (count > VBUS_TC_MAX)
		return -E2BIG;
	out = memdup_user(ubuf, count);
	if (IS_ERR(out))
		return PTR_ERR(out);
	mutex_lock(&tc->lock);
	err = vbus_call(tc->vc, VBUS_TEST_ECHO, out, count, tc->buf,
			sizeof(tc->buf), &tc->res);
	tc->err = err;
	tc->len = err ? 0 : tc->res.len;
	mutex_unlock(&tc->lock);
	kfree(out);
	return err ? err : count;
}

static ssize_t vbus_tc_echo_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	ssize_t ret;

	mutex_lock(&tc->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, tc->buf, tc->len);
	mutex_unlock(&tc->lock);
	return ret;
}

static const struct file_operations vbus_tc_echo_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vbus_tc_echo_read,
	.write = vbus_tc_echo_write,
	.llseek = default_llseek,
};

static ssize_t vbus_tc_last_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	char line[64];
	int len;

	mutex_lock(&tc->lock);
	len = scnprintf(line, sizeof(line), "%d %u %u %u\n", tc->err,
			tc->res.status, tc->res.qualifier, tc->res.len);
	mutex_unlock(&tc->lock);
	return simple_read_from_buffer(ubuf, count, ppos, line, len);
}

static const struct file_operations vbus_tc_last_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vbus_tc_last_read,
	.llseek = default_llseek,
};

static int vbus_tc_probe(struct auxiliary_device *adev,
			 const struct auxiliary_device_id *id)
{
	struct vbus_client_device *vc = to_vbus_client(adev);
	struct vbus_tc *tc;

	if (vbus_client_abi_version(vc) != VBUS_TEST_ABI_VERSION)
		return -ENODEV;
	tc = devm_kzalloc(&adev->dev, sizeof(*tc), GFP_KERNEL);
	if (!tc)
		return -ENOMEM;
	tc->vc = vc;
	mutex_init(&tc->lock);
	tc->dir = debugfs_create_dir(dev_name(&adev->dev), vbus_tc_root);
	debugfs_create_file("echo", 0600, tc->dir, tc, &vbus_tc_echo_fops);
	debugfs_create_file("last", 0400, tc->dir, tc, &vbus_tc_last_fops);
	auxiliary_set_drvdata(adev, tc);
	return 0;
}

static void vbus_tc_remove(struct auxiliary_device *adev)
{
	struct vbus_tc *tc = auxiliary_get_drvdata(adev);

	debugfs_remove_recursive(tc->dir);
}

static const struct auxiliary_device_id vbus_tc_ids[] = {
	{ .name = "virtio_vbus." VBUS_TEST_TYPE },
	{ }
};

/*
 * No MODULE_DEVICE_TABLE: a client driver owns its device and locks
 * userspace out, so the selftests load this one only when they test that.
 */

static struct auxiliary_driver vbus_tc_driver = {
	.probe = vbus_tc_probe,
	.remove = vbus_tc_remove,
	.id_table = vbus_tc_ids,
};

static int __init vbus_tc_init(void)
{
	int err;

	vbus_tc_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	err = auxiliary_driver_register(&vbus_tc_driver);
	if (err)
		debugfs_remove_recursive(vbus_tc_root);
	return err;
}

static void __exit vbus_tc_exit(void)
{
	auxiliary_driver_unregister(&vbus_tc_driver);
	debugfs_remove_recursive(vbus_tc_root);
}

module_init(vbus_tc_init);
module_exit(vbus_tc_exit);

MODULE_DESCRIPTION("virtio-vbus: a client driver for the vbus-test type");
MODULE_LICENSE("GPL");
