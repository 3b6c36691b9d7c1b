// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvbus-device's unit tests, without a VM: a device of the vbus-test
 * type with a fake memory table (two pieces of "guest RAM" with a hole
 * between them) gets mailbox writes, good and malformed, straight into
 * the library's SET_CONFIG path, and must answer each as the
 * specification says, never touching memory outside the table.
 */
#include <endian.h>
#include <string.h>
#include "kselftest_harness.h"
#include "internal.h"
#include "vbus-test.h"
#include "vbus-upper.h"

extern const struct vbus_device_type vbus_upper_type;

#define RAM0		0x100000ull	/* 1 MiB of guest RAM here */
#define RAM1		0x300000ull	/* and 1 MiB here; a hole between */
#define RAM_LEN		0x100000ull
#define F(x)		(1ull << (x))

FIXTURE(dev) {
	uint8_t *ram0, *ram1;
	VuDevRegion table[2];
	struct vbus_dev *dev;
	void *priv;
};

FIXTURE_SETUP(dev)
{
	struct vbus_test_opts o = { "vbus-test", 1, 10000 };
	struct vbus_dev_config conf;

	self->ram0 = calloc(1, RAM_LEN);
	self->ram1 = calloc(1, RAM_LEN);
	self->table[0] = (VuDevRegion) { .gpa = RAM0, .size = RAM_LEN,
		.mmap_addr = (uintptr_t)self->ram0 };
	self->table[1] = (VuDevRegion) { .gpa = RAM1, .size = RAM_LEN,
		.mmap_addr = (uintptr_t)self->ram1 };
	vbus_dev_config_init(&conf);
	conf.max_regions = 2;
	conf.max_region_bytes = 64 << 10;
	self->priv = vbus_test_new();
	self->dev = vbus_dev_new(vbus_test_type(&o), &conf, self->priv);
	ASSERT_NE(NULL, self->dev);
	vbus_vu(self->dev)->regions = self->table;
	vbus_vu(self->dev)->nregions = 2;
	self->dev->features = F(VIRTIO_F_VERSION_1) | F(VIRTIO_VBUS_F_CALL) |
			      F(VIRTIO_VBUS_F_SHM) | F(VIRTIO_VBUS_F_COALESCE);
}

FIXTURE_TEARDOWN(dev)
{
	vbus_vu(self->dev)->regions = NULL;
	vbus_vu(self->dev)->nregions = 0;
	vbus_dev_free(self->dev);
	vbus_test_free(self->priv);
	free(self->ram0);
	free(self->ram1);
}

/* Writes @cmd and a new doorbell; the completion, as the driver reads it. */
static struct virtio_vbus_config run(struct vbus_dev *dev,
				     const struct virtio_vbus_cmd *cmd)
{
	struct virtio_vbus_config cfg;

	vbus_mbox_get_config(dev, &cfg);
	cfg.cmd = *cmd;
	cfg.cmd_seq = htole32(le32toh(cfg.cmd_seq) + 1);
	vbus_mbox_set_config(dev, &cfg);
	vbus_mbox_get_config(dev, &cfg);
	return cfg;
}

static uint16_t status_of(struct vbus_dev *dev,
			  const struct virtio_vbus_cmd *cmd)
{
	return le16toh(run(dev, cmd).status);
}

static struct virtio_vbus_cmd call(uint32_t func, uint64_t out,
				   uint32_t out_len, uint64_t in,
				   uint32_t in_len)
{
	return (struct virtio_vbus_cmd) {
		.opcode = htole16(VIRTIO_VBUS_CMD_CALL),
		.func = htole32(func),
		.out_addr = htole64(out), .out_len = htole32(out_len),
		.in_addr = htole64(in), .in_len = htole32(in_len),
	};
}

TEST_F(dev, identity_in_config_space)
{
	struct virtio_vbus_config cfg;

	vbus_mbox_get_config(self->dev, &cfg);
	EXPECT_STREQ("vbus-test", (char *)cfg.type);
	EXPECT_EQ(1, le32toh(cfg.abi_version));
	EXPECT_EQ(64 << 10, le32toh(cfg.max_call_len));
	EXPECT_EQ(1, le16toh(cfg.num_event_queues));
	EXPECT_EQ(1, le16toh(cfg.num_call_queues));
	EXPECT_EQ(0, le32toh(cfg.done_seq));
}

TEST_F(dev, nop_and_its_fields)
{
	struct virtio_vbus_cmd nop = { 0 };

	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &nop));
	nop.arg = htole32(1);
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &nop));
}

/* A doorbell written with its value, or before the features, runs nothing. */
TEST_F(dev, doorbell_runs_only_on_change)
{
	struct virtio_vbus_config cfg;
	uint64_t commands = vbus_dev_stats(self->dev)->commands;

	vbus_mbox_get_config(self->dev, &cfg);
	vbus_mbox_set_config(self->dev, &cfg);
	EXPECT_EQ(commands, vbus_dev_stats(self->dev)->commands);
	self->dev->features = 0;
	cfg.cmd_seq = htole32(5);
	vbus_mbox_set_config(self->dev, &cfg);
	vbus_mbox_get_config(self->dev, &cfg);
	EXPECT_EQ(0, le32toh(cfg.done_seq));
	EXPECT_EQ(commands, vbus_dev_stats(self->dev)->commands);
}

/* Bytes the driver re-sends never clobber what the device wrote. */
TEST_F(dev, only_cmd_and_cmd_seq_are_taken)
{
	struct virtio_vbus_cmd nop = { 0 };
	struct virtio_vbus_config cfg = run(self->dev, &nop);

	cfg.done_seq = htole32(77);
	cfg.status = htole16(9);
	memset(cfg.type, 'x', sizeof(cfg.type));
	vbus_mbox_set_config(self->dev, &cfg);
	vbus_mbox_get_config(self->dev, &cfg);
	EXPECT_EQ(1, le32toh(cfg.done_seq));
	EXPECT_EQ(0, le16toh(cfg.status));
	EXPECT_STREQ("vbus-test", (char *)cfg.type);
}

TEST_F(dev, echo_through_guest_memory)
{
	struct virtio_vbus_cmd c = call(VBUS_TEST_ECHO, RAM0 + 16, 5,
					RAM1 + 64, 8);
	struct virtio_vbus_config cfg;

	memcpy(self->ram0 + 16, "hello", 5);
	cfg = run(self->dev, &c);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, le16toh(cfg.status));
	EXPECT_EQ(5, le64toh(cfg.result));
	EXPECT_EQ(0, memcmp(self->ram1 + 64, "hello", 5));
}

/* A buffer across the hole, outside RAM, or wrapping: EFAULT, no effect. */
TEST_F(dev, call_buffers_outside_memory)
{
	struct virtio_vbus_cmd c[] = {
		call(VBUS_TEST_ECHO, RAM0 + RAM_LEN - 2, 4, RAM1, 4),
		call(VBUS_TEST_ECHO, 0x1000, 4, RAM1, 4),
		call(VBUS_TEST_ECHO, ~0ull - 1, 4, RAM1, 4),
		call(VBUS_TEST_ECHO, RAM0, 4, RAM1 + RAM_LEN - 1, 4),
		call(VBUS_TEST_ECHO, RAM0, 4, ~0ull - 2, 4),
	};
	uint32_t qual[] = { 0, 0, 0, 1, 1 };
	uint64_t calls = vbus_dev_stats(self->dev)->calls;
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct virtio_vbus_config cfg = run(self->dev, &c[i]);

		EXPECT_EQ(VIRTIO_VBUS_S_EFAULT, le16toh(cfg.status));
		EXPECT_EQ(qual[i], le32toh(cfg.qualifier));
		EXPECT_EQ(0, le64toh(cfg.result));
	}
	EXPECT_EQ(calls, vbus_dev_stats(self->dev)->calls);
}

/* A buffer in two pieces of RAM that touch is fine: read piecewise. */
TEST_F(dev, call_buffer_spanning_adjacent_ram)
{
	struct virtio_vbus_cmd c = call(VBUS_TEST_ECHO, RAM0 + RAM_LEN - 2, 4,
					RAM0, 4);

	self->table[1].gpa = RAM0 + RAM_LEN;
	memcpy(self->ram0 + RAM_LEN - 2, "ab", 2);
	memcpy(self->ram1, "cd", 2);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
	EXPECT_EQ(0, memcmp(self->ram0, "abcd", 4));
}

TEST_F(dev, call_limits_and_fields)
{
	struct virtio_vbus_cmd c = call(VBUS_TEST_ECHO, RAM0, 65537, RAM1, 4);
	struct virtio_vbus_config cfg = run(self->dev, &c);

	EXPECT_EQ(VIRTIO_VBUS_S_E2BIG, le16toh(cfg.status));
	EXPECT_EQ(65536, le32toh(cfg.qualifier));
	c = call(VBUS_TEST_ECHO, RAM0, 4, RAM1, 4);
	c.region_id = htole32(1);
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &c));
	c = call(999, RAM0, 4, RAM1, 4);
	cfg = run(self->dev, &c);
	EXPECT_EQ(VIRTIO_VBUS_S_ENOENT, le16toh(cfg.status));
	EXPECT_EQ(999, le32toh(cfg.qualifier));
	self->dev->features &= ~F(VIRTIO_VBUS_F_CALL);
	c = call(VBUS_TEST_ECHO, RAM0, 4, RAM1, 4);
	EXPECT_EQ(VIRTIO_VBUS_S_EOPNOTSUPP, status_of(self->dev, &c));
}

TEST_F(dev, unknown_opcode)
{
	struct virtio_vbus_cmd c = { .opcode = htole16(0x4242) };
	struct virtio_vbus_config cfg = run(self->dev, &c);

	EXPECT_EQ(VIRTIO_VBUS_S_EOPNOTSUPP, le16toh(cfg.status));
	EXPECT_EQ(0x4242, le32toh(cfg.qualifier));
}

static struct virtio_vbus_cmd region_add(uint32_t id, uint64_t addr,
					 uint64_t len, uint32_t sigoff)
{
	return (struct virtio_vbus_cmd) {
		.opcode = htole16(VIRTIO_VBUS_CMD_REGION_ADD),
		.region_id = htole32(id),
		.region_addr = htole64(addr), .region_len = htole64(len),
		.sigdesc_offset = htole32(sigoff),
	};
}

static void sigdesc_init(uint8_t *p)
{
	struct virtio_vbus_shm_signal_desc d = {
		.magic = htole32(VIRTIO_VBUS_SHM_SIGNAL_MAGIC),
		.version = htole32(1),
	};

	memcpy(p, &d, sizeof(d));
}

TEST_F(dev, region_add_validation)
{
	struct virtio_vbus_cmd c;

	sigdesc_init(self->ram0 + 4096 - 24);
	c = region_add(1, RAM0, 4096, 4096 - 24);
	c.priority = htole32(1);
	EXPECT_EQ(VIRTIO_VBUS_S_ERANGE, status_of(self->dev, &c));
	c = region_add(1, RAM0, 0, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &c));
	c = region_add(1, RAM0, 4096, 4096 - 20);	/* unaligned */
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &c));
	c = region_add(1, RAM0, 4096, 4096 - 16);	/* does not fit */
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &c));
	c = region_add(1, RAM0, 4096, 0);		/* no magic there */
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &c));
	c = region_add(1, RAM0 + RAM_LEN - 4096, 8192, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_EFAULT, status_of(self->dev, &c));
	c = region_add(1, ~0ull - 4095, 8192, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_EFAULT, status_of(self->dev, &c));
	c = region_add(1, RAM0, 128 << 10, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_ENOSPC, status_of(self->dev, &c));
	EXPECT_EQ(0, g_hash_table_size(self->dev->regions));
}

/* The device enables to_device and consumes an edge already pending. */
TEST_F(dev, region_add_enables_and_consumes)
{
	struct virtio_vbus_shm_signal_desc *d;
	struct virtio_vbus_cmd c = region_add(3, RAM1, 4096, 4096 - 24);

	sigdesc_init(self->ram1 + 4096 - 24);
	d = (void *)(self->ram1 + 4096 - 24);
	d->to_device.pending = 1;
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
	EXPECT_EQ(1, d->to_device.enabled);
	EXPECT_EQ(0, d->to_device.pending);
	EXPECT_EQ(VIRTIO_VBUS_S_EEXIST, status_of(self->dev, &c));
	c = region_add(4, RAM1 + 8192, 4096, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
	c = region_add(5, RAM1 + 16384, 4096, VIRTIO_VBUS_NO_SIGNAL);
	EXPECT_EQ(VIRTIO_VBUS_S_ENOSPC, status_of(self->dev, &c));
}

TEST_F(dev, region_del_and_ack)
{
	struct virtio_vbus_cmd c = region_add(7, RAM0, 4096,
					      VIRTIO_VBUS_NO_SIGNAL);
	struct virtio_vbus_cmd del = {
		.opcode = htole16(VIRTIO_VBUS_CMD_REGION_DEL),
		.region_id = htole32(7),
	};
	struct virtio_vbus_cmd ack = del;

	ack.opcode = htole16(VIRTIO_VBUS_CMD_REGION_ACK);
	ASSERT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
	EXPECT_EQ(VIRTIO_VBUS_S_EBUSY, status_of(self->dev, &ack));
	del.arg = htole32(1);
	EXPECT_EQ(VIRTIO_VBUS_S_EINVAL, status_of(self->dev, &del));
	del.arg = 0;
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &del));
	EXPECT_EQ(VIRTIO_VBUS_S_ENOENT, status_of(self->dev, &del));
	EXPECT_EQ(0, self->dev->region_bytes);
}

/* A reset forgets the mailbox and every region. */
TEST_F(dev, reset)
{
	struct virtio_vbus_cmd c = region_add(1, RAM0, 4096,
					      VIRTIO_VBUS_NO_SIGNAL);
	struct virtio_vbus_config cfg;

	ASSERT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
	vbus_dev_reset(self->dev);
	vbus_mbox_get_config(self->dev, &cfg);
	EXPECT_EQ(0, le32toh(cfg.done_seq));
	EXPECT_EQ(0, le32toh(cfg.cmd_seq));
	EXPECT_EQ(0, g_hash_table_size(self->dev->regions));
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &c));
}

/* A DELAY holds the mailbox: doorbells meanwhile run nothing. */
TEST_F(dev, busy_mailbox_discards_doorbells)
{
	uint32_t ms = htole32(5000);
	struct virtio_vbus_cmd c = call(VBUS_TEST_DELAY, RAM0, 4, RAM1, 0);
	struct virtio_vbus_cmd nop = { 0 };
	struct virtio_vbus_config cfg;

	memcpy(self->ram0, &ms, 4);
	cfg = run(self->dev, &c);
	EXPECT_EQ(0, le32toh(cfg.done_seq));
	cfg = run(self->dev, &nop);
	EXPECT_EQ(0, le32toh(cfg.done_seq));
	EXPECT_EQ(1, vbus_dev_stats(self->dev)->busy_doorbells);
	vbus_dev_reset(self->dev);	/* cancels the DELAY */
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(self->dev, &nop));
}

TEST(config_limits)
{
	struct vbus_test_opts o = { "vbus-test", 1, 10000 };
	const struct vbus_device_type *t = vbus_test_type(&o);
	struct vbus_dev_config conf;

	vbus_dev_config_init(&conf);
	conf.num_event_queues = 9;
	EXPECT_EQ(NULL, vbus_dev_new(t, &conf, NULL));
	vbus_dev_config_init(&conf);
	conf.cmd_timeout_ms = 100;	/* below DELAY's 10 s */
	EXPECT_EQ(NULL, vbus_dev_new(t, &conf, NULL));
	vbus_dev_config_init(&conf);
	conf.max_call_len = 17 << 20;
	EXPECT_EQ(NULL, vbus_dev_new(t, &conf, NULL));
	vbus_dev_config_init(&conf);
	conf.poll_us = 10001;
	EXPECT_EQ(NULL, vbus_dev_new(t, &conf, NULL));
}

/* The guide's example type works as its guide says. */
TEST(example_upper)
{
	uint8_t *ram = calloc(1, RAM_LEN);
	VuDevRegion table = { .gpa = RAM0, .size = RAM_LEN,
			      .mmap_addr = (uintptr_t)ram };
	struct virtio_vbus_cmd c = call(VBUS_UPPER_FUNC, RAM0, 6, RAM0 + 64, 6);
	struct virtio_vbus_shm_signal_desc *d = (void *)(ram + 4096 - 24);
	struct vbus_dev_config conf;
	struct vbus_dev *dev;

	vbus_dev_config_init(&conf);
	dev = vbus_dev_new(&vbus_upper_type, &conf, NULL);
	ASSERT_NE(NULL, dev);
	vbus_vu(dev)->regions = &table;
	vbus_vu(dev)->nregions = 1;
	dev->features = F(VIRTIO_F_VERSION_1) | F(VIRTIO_VBUS_F_CALL) |
			F(VIRTIO_VBUS_F_SHM);
	memcpy(ram, "vbus!", 6);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(dev, &c));
	EXPECT_STREQ("VBUS!", (char *)ram + 64);
	c = call(2, RAM0, 6, RAM0 + 64, 6);
	EXPECT_EQ(VIRTIO_VBUS_S_ENOENT, status_of(dev, &c));

	/* A signal pending at REGION_ADD: the text is upper-cased. */
	strcpy((char *)ram, "shared text");
	sigdesc_init((uint8_t *)d);
	d->to_device.pending = 1;
	c = region_add(1, RAM0, 4096, 4096 - 24);
	EXPECT_EQ(VIRTIO_VBUS_S_OK, status_of(dev, &c));
	EXPECT_STREQ("SHARED TEXT", (char *)ram);
	EXPECT_EQ(1, d->to_driver.pending);
	vbus_vu(dev)->regions = NULL;
	vbus_vu(dev)->nregions = 0;
	vbus_dev_free(dev);
	free(ram);
}

TEST_HARNESS_MAIN
