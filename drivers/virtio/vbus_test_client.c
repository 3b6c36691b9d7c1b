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
 *   /sys/kernel/debug/vbus_test_client/<device>/resets
 *	read:  "<prepares> <dones> <last done error>"
 *	write: "off" to take no resets, "refuse" to refuse them, "on"
 *   /sys/kernel/debug/vbus_test_client/<device>/async
 *	write: "order": an asynchronous DELAY(300 ms), then an ECHO; the
 *	       ECHO must end first (with call queues)
 *	       "many N": N asynchronous ECHOs at once, each answer checked
 *	read:  "ok ..." or "fail ..." of the last run
 *   /sys/kernel/debug/vbus_test_client/<device>/shm
 *	write: "pingpong N": N round trips through a region's signal
 *	       "race N": a storm of N device signals while the client
 *	       toggles notifications off and on; the last edge must arrive
 *	read:  "ok ..." or "fail ..." of the last run
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/virtio_vbus.h>
#include <linux/virtio_vbus_client.h>

#define VBUS_TC_MAX	4096
#define VBUS_TC_ASYNC_MAX	512
#define VBUS_TC_RESULT_LEN	128
#define VBUS_TC_DELAY_MS	300

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
 * @shm_result: what the last shm run said
 * @async_result: what the last async run said
 * @done: completed by each device-to-driver signal
 * @notes: device-to-driver notifications seen
 * @prepares: reset_prepare calls
 * @dones: reset_done calls
 * @done_err: the error of the last reset_done
 * @refuse: reset_prepare refuses
 */
struct vbus_tc {
	struct vbus_client_device *vc;
	struct dentry *dir;
	struct mutex lock;		/* see @lock above */
	u8 buf[VBUS_TC_MAX];
	size_t len;
	int err;
	struct vbus_call_result res;
	char shm_result[VBUS_TC_RESULT_LEN];
	char async_result[VBUS_TC_RESULT_LEN];
	struct completion done;
	atomic_t notes;
	atomic_t prepares;
	atomic_t dones;
	int done_err;
	bool refuse;
};

static int vbus_tc_reset_prepare(struct vbus_client_device *vc)
{
	struct vbus_tc *tc = auxiliary_get_drvdata(&vc->adev);

	atomic_inc(&tc->prepares);
	/* An errno nothing else on the reset path returns. */
	return READ_ONCE(tc->refuse) ? -EXDEV : 0;
}

static void vbus_tc_reset_done(struct vbus_client_device *vc, int err)
{
	struct vbus_tc *tc = auxiliary_get_drvdata(&vc->adev);

	WRITE_ONCE(tc->done_err, err);
	atomic_inc(&tc->dones);
}

static const struct vbus_client_reset_ops vbus_tc_reset_ops = {
	.reset_prepare = vbus_tc_reset_prepare,
	.reset_done = vbus_tc_reset_done,
};

static ssize_t vbus_tc_resets_write(struct file *file,
				    const char __user *ubuf, size_t count,
				    loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	char cmd[16];

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	if (sysfs_streq(cmd, "off")) {
		vbus_client_set_reset_ops(tc->vc, NULL);
	} else if (sysfs_streq(cmd, "refuse")) {
		WRITE_ONCE(tc->refuse, true);
		vbus_client_set_reset_ops(tc->vc, &vbus_tc_reset_ops);
	} else if (sysfs_streq(cmd, "on")) {
		WRITE_ONCE(tc->refuse, false);
		vbus_client_set_reset_ops(tc->vc, &vbus_tc_reset_ops);
	} else {
		return -EINVAL;
	}
	return count;
}

static ssize_t vbus_tc_resets_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	char line[48];
	int len;

	len = scnprintf(line, sizeof(line), "%d %d %d\n",
			atomic_read(&tc->prepares), atomic_read(&tc->dones),
			READ_ONCE(tc->done_err));
	return simple_read_from_buffer(ubuf, count, ppos, line, len);
}

static const struct file_operations vbus_tc_resets_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vbus_tc_resets_read,
	.write = vbus_tc_resets_write,
	.llseek = default_llseek,
};

static void vbus_tc_notify(struct vbus_signal *sig, void *data)
{
	struct vbus_tc *tc = data;

	atomic_inc(&tc->notes);
	complete(&tc->done);
}

static u32 vbus_tc_counter(struct vbus_region *r)
{
	return le32_to_cpu(READ_ONCE(*(__le32 *)vbus_region_mem(r)));
}

static int vbus_tc_start(struct vbus_tc *tc, u32 func, u32 id, u32 n)
{
	__le32 args[2] = { cpu_to_le32(id), cpu_to_le32(n) };
	struct vbus_call_result res;

	return vbus_call(tc->vc, func, args, sizeof(args), NULL, 0, &res);
}

/* N round trips: inject, the device counts and answers, notify. */
static int vbus_tc_pingpong(struct vbus_tc *tc, struct vbus_region *r,
			    struct vbus_signal *sig, u32 n)
{
	u32 i;
	int err;

	err = vbus_tc_start(tc, VBUS_TEST_SIGNAL_ECHO, vbus_region_id(r), 0);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		reinit_completion(&tc->done);
		err = vbus_signal_inject(sig);
		if (err)
			return err;
		if (!wait_for_completion_timeout(&tc->done, 5 * HZ)) {
			snprintf(tc->shm_result, sizeof(tc->shm_result),
				 "fail: no answer to round %u", i);
			return -ETIMEDOUT;
		}
		if (vbus_tc_counter(r) != i + 1) {
			snprintf(tc->shm_result, sizeof(tc->shm_result),
				 "fail: counter %u after round %u",
				 vbus_tc_counter(r), i);
			return -EIO;
		}
	}
	snprintf(tc->shm_result, sizeof(tc->shm_result),
		 "ok %u round trips", n);
	return 0;
}

/*
 * A storm while notifications go off and on: every edge that comes while
 * they are off must be picked up by the re-check in vbus_signal_enable(),
 * or the last one is lost and pending stays 1.
 */
static int vbus_tc_race(struct vbus_tc *tc, struct vbus_region *r,
			struct vbus_signal *sig, u32 n)
{
	const struct virtio_vbus_shm_signal_desc *desc;
	unsigned long end = jiffies + 60 * HZ;
	unsigned int toggles = 0;
	int err;

	desc = vbus_region_mem(r) + vbus_region_payload_len(r);
	err = vbus_tc_start(tc, VBUS_TEST_SIGNAL_STORM, vbus_region_id(r), n);
	if (err)
		return err;
	while (vbus_tc_counter(r) != n && time_before(jiffies, end)) {
		vbus_signal_disable(sig);
		usleep_range(20, 40);
		vbus_signal_enable(sig);
		toggles++;
		cond_resched();
	}
	end = jiffies + 5 * HZ;
	while (READ_ONCE(desc->to_driver.pending) && time_before(jiffies, end))
		msleep(20);
	if (vbus_tc_counter(r) != n || READ_ONCE(desc->to_driver.pending)) {
		snprintf(tc->shm_result, sizeof(tc->shm_result),
			 "fail: counter %u of %u, pending %u: lost wakeup",
			 vbus_tc_counter(r), n, READ_ONCE(desc->to_driver.pending));
		return -EIO;
	}
	snprintf(tc->shm_result, sizeof(tc->shm_result),
		 "ok %u signals, %d notifications, %u toggles", n,
		 atomic_read(&tc->notes), toggles);
	return 0;
}

static ssize_t vbus_tc_shm_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	struct vbus_signal *sig;
	struct vbus_region *r;
	char cmd[32];
	u32 n;
	int err;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';

	mutex_lock(&tc->lock);
	r = vbus_region_create(tc->vc, PAGE_SIZE, 0, VBUS_REGION_SIGNAL);
	if (IS_ERR(r)) {
		err = PTR_ERR(r);
		goto out;
	}
	sig = vbus_region_signal(r);
	init_completion(&tc->done);
	atomic_set(&tc->notes, 0);
	vbus_signal_set_notify(sig, vbus_tc_notify, tc);
	snprintf(tc->shm_result, sizeof(tc->shm_result), "fail: bad command");
	if (sscanf(cmd, "pingpong %u", &n) == 1)
		err = vbus_tc_pingpong(tc, r, sig, n);
	else if (sscanf(cmd, "race %u", &n) == 1)
		err = vbus_tc_race(tc, r, sig, n);
	else
		err = -EINVAL;
	vbus_signal_set_notify(sig, NULL, NULL);
	vbus_signal_put(sig);
	vbus_region_destroy(r);
out:
	if (err && strncmp(tc->shm_result, "fail", 4))
		snprintf(tc->shm_result, sizeof(tc->shm_result),
			 "fail: error %d", err);
	mutex_unlock(&tc->lock);
	return count;
}

/* Reads @result, one of @tc's result lines, under @tc->lock. */
static ssize_t vbus_tc_read_result(struct vbus_tc *tc, const char *result,
				   char __user *ubuf, size_t count,
				   loff_t *ppos)
{
	char line[VBUS_TC_RESULT_LEN + 1];
	int len;

	mutex_lock(&tc->lock);
	len = scnprintf(line, sizeof(line), "%s\n", result);
	mutex_unlock(&tc->lock);
	return simple_read_from_buffer(ubuf, count, ppos, line, len);
}

static ssize_t vbus_tc_shm_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;

	return vbus_tc_read_result(tc, tc->shm_result, ubuf, count, ppos);
}

static const struct file_operations vbus_tc_shm_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vbus_tc_shm_read,
	.write = vbus_tc_shm_write,
	.llseek = default_llseek,
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

/**
 * struct vbus_tc_acall - one asynchronous call of a run
 * @call: the call
 * @run: its run, which it holds a reference on
 * @out: the payload
 * @in: the answer
 * @seq: when it ended in the run, from 1
 */
struct vbus_tc_acall {
	struct vbus_call_async call;
	struct vbus_tc_async *run;
	u8 out[16];
	u8 in[16];
	int seq;
};

/**
 * struct vbus_tc_async - a run of asynchronous calls
 * @refs: the writer's and one per call submitted: the last frees the run
 * @pending: the submission's and one per call not ended
 * @ended: calls ended
 * @all: completed when nothing is pending
 * @calls: the calls
 */
struct vbus_tc_async {
	atomic_t refs;
	atomic_t pending;
	atomic_t ended;
	struct completion all;
	struct vbus_tc_acall calls[];
};

static void vbus_tc_async_put(struct vbus_tc_async *run)
{
	if (atomic_dec_and_test(&run->refs))
		kfree(run);
}

/* Any context. */
static void vbus_tc_async_done(struct vbus_call_async *call)
{
	struct vbus_tc_acall *a = container_of(call, struct vbus_tc_acall,
					       call);
	struct vbus_tc_async *run = a->run;

	a->seq = atomic_inc_return(&run->ended);
	if (atomic_dec_and_test(&run->pending))
		complete(&run->all);
	vbus_tc_async_put(run);
}

/* Submits calls[0..n) of @run, each set up; then waits for them all. */
static int vbus_tc_async_run(struct vbus_tc *tc, struct vbus_tc_async *run,
			     u32 n)
{
	struct vbus_tc_acall *a;
	int err = 0;
	u32 i;

	for (i = 0; i < n && !err; i++) {
		a = &run->calls[i];
		a->run = run;
		a->call.done = vbus_tc_async_done;
		atomic_inc(&run->refs);
		atomic_inc(&run->pending);
		err = vbus_call_submit(tc->vc, &a->call);
		if (err) {
			atomic_dec(&run->pending);
			atomic_dec(&run->refs);
		}
	}
	if (!atomic_dec_and_test(&run->pending) &&
	    wait_for_completion_killable_timeout(&run->all, 30 * HZ) <= 0)
		return -ETIMEDOUT;
	return err;
}

static struct vbus_tc_async *vbus_tc_async_new(u32 n)
{
	struct vbus_tc_async *run;

	run = kzalloc(struct_size(run, calls, n), GFP_KERNEL);
	if (!run)
		return NULL;
	atomic_set(&run->refs, 1);
	atomic_set(&run->pending, 1);
	init_completion(&run->all);
	return run;
}

/* An ECHO of 16 bytes that say @i. */
static void vbus_tc_async_echo(struct vbus_tc_acall *a, u32 i)
{
	memset(a->out, i, sizeof(a->out));
	memcpy(a->out, &i, sizeof(i));
	a->call.func = VBUS_TEST_ECHO;
	a->call.out = a->out;
	a->call.out_len = sizeof(a->out);
	a->call.in = a->in;
	a->call.in_len = sizeof(a->in);
}

/* Whether the ECHO @a came back whole: 0 or -EIO. */
static int vbus_tc_async_check(struct vbus_tc_acall *a)
{
	if (a->call.err || a->call.res.len != sizeof(a->in) ||
	    memcmp(a->in, a->out, sizeof(a->in)))
		return -EIO;
	return 0;
}

static int vbus_tc_async_order(struct vbus_tc *tc, struct vbus_tc_async *run)
{
	struct vbus_tc_acall *delay = &run->calls[0], *echo = &run->calls[1];
	__le32 ms = cpu_to_le32(VBUS_TC_DELAY_MS);
	int err;

	memcpy(delay->out, &ms, sizeof(ms));
	delay->call.func = VBUS_TEST_DELAY;
	delay->call.out = delay->out;
	delay->call.out_len = sizeof(ms);
	vbus_tc_async_echo(echo, 1);
	err = vbus_tc_async_run(tc, run, 2);
	if (err)
		return err;
	snprintf(tc->async_result, sizeof(tc->async_result),
		 "%s delay %d (ended %d), echo %d (ended %d)",
		 echo->seq == 1 && !delay->call.err &&
		 !vbus_tc_async_check(echo) ? "ok" : "fail",
		 delay->call.err, delay->seq, echo->call.err, echo->seq);
	return 0;
}

static int vbus_tc_async_many(struct vbus_tc *tc, struct vbus_tc_async *run,
			      u32 n)
{
	u32 i, bad = 0;
	int err;

	for (i = 0; i < n; i++)
		vbus_tc_async_echo(&run->calls[i], i);
	err = vbus_tc_async_run(tc, run, n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		bad += !!vbus_tc_async_check(&run->calls[i]);
	snprintf(tc->async_result, sizeof(tc->async_result), "%s %u calls, %u bad",
		 bad ? "fail" : "ok", n, bad);
	return 0;
}

static ssize_t vbus_tc_async_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;
	struct vbus_tc_async *run;
	char cmd[32];
	u32 n = 2;
	int err;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	if (sscanf(cmd, "many %u", &n) == 1 &&
	    (!n || n > VBUS_TC_ASYNC_MAX))
		return -EINVAL;
	run = vbus_tc_async_new(n);
	if (!run)
		return -ENOMEM;

	mutex_lock(&tc->lock);
	if (!strncmp(cmd, "order", 5))
		err = vbus_tc_async_order(tc, run);
	else if (!strncmp(cmd, "many ", 5))
		err = vbus_tc_async_many(tc, run, n);
	else
		err = -EINVAL;
	if (err)
		snprintf(tc->async_result, sizeof(tc->async_result),
			 "fail: error %d", err);
	mutex_unlock(&tc->lock);
	vbus_tc_async_put(run);
	return err ? err : count;
}

static ssize_t vbus_tc_async_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vbus_tc *tc = file->private_data;

	return vbus_tc_read_result(tc, tc->async_result, ubuf, count, ppos);
}

static const struct file_operations vbus_tc_async_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vbus_tc_async_read,
	.write = vbus_tc_async_write,
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
	init_completion(&tc->done);
	tc->dir = debugfs_create_dir(dev_name(&adev->dev), vbus_tc_root);
	debugfs_create_file("echo", 0600, tc->dir, tc, &vbus_tc_echo_fops);
	debugfs_create_file("last", 0400, tc->dir, tc, &vbus_tc_last_fops);
	debugfs_create_file("shm", 0600, tc->dir, tc, &vbus_tc_shm_fops);
	debugfs_create_file("async", 0600, tc->dir, tc, &vbus_tc_async_fops);
	debugfs_create_file("resets", 0600, tc->dir, tc, &vbus_tc_resets_fops);
	auxiliary_set_drvdata(adev, tc);
	vbus_client_set_reset_ops(vc, &vbus_tc_reset_ops);
	return 0;
}

static void vbus_tc_remove(struct auxiliary_device *adev)
{
	struct vbus_tc *tc = auxiliary_get_drvdata(adev);

	vbus_client_set_reset_ops(tc->vc, NULL);
	/* Waits for the writers; then for the calls they left. */
	debugfs_remove_recursive(tc->dir);
	vbus_call_drain(tc->vc);
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
