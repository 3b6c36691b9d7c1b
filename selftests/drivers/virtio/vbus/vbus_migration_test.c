// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration of a guest with vbus devices: the test asks the runner's
 * QMP agent (x-migrate) to move the guest to a new QEMU, by socket or
 * through a file, while it drives the device: a signal ping-pong, calls
 * in flight, a device storm. Nothing may be lost or duplicated, and every
 * call ends with the result it would have had. vhost-user-vbus devices
 * refuse: their state is in the backend's process.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "vbus_util.h"
#include "vbus_region.h"

FIXTURE(mig) {
	char name[16];
	int fd;
	int qmp;
	struct vbus_info info;
};

static bool vhost_user_run(void)
{
	return vbus_cmdline_is("vbus.backend", "vhost-user");
}

FIXTURE_SETUP(mig)
{
	self->qmp = -1;
	if (vbus_find_type("vbus-test", self->name, sizeof(self->name)))
		SKIP(return, "no vbus-test device");
	self->fd = vbus_open(self->name);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vbus_info(self->fd, &self->info));
	self->qmp = vbus_port_open(VBUS_QMP_PORT);
	if (self->qmp < 0)
		SKIP(return, "no QMP agent: run under vmtest.sh");
}

FIXTURE_TEARDOWN(mig)
{
	if (self->qmp >= 0)
		close(self->qmp);
	if (self->fd >= 0)
		close(self->fd);
}

/* Moves the guest to a new QEMU ("socket") or through a file; 0 or -errno. */
static int migrate(int qmp, const char *to, char *reply, size_t len)
{
	return vbus_qmp(qmp, reply, len,
			"{\"execute\": \"x-migrate\", \"arguments\": {\"to\": \"%s\"}}",
			to);
}

#define MIGRATE(to) do {						\
	char _r[512];							\
	int _e = migrate(self->qmp, (to), _r, sizeof(_r));		\
									\
	if (_e == -EREMOTEIO && strstr(_r, "offers no migration"))	\
		SKIP(return, "the runner offers no migration");		\
	ASSERT_EQ(0, _e) {						\
		TH_LOG("x-migrate %s: %s", (to), _r);			\
	}								\
} while (0)

/* vmtest.sh says vbus.migration=off when VBUS_MIGRATION=0. */
static bool migration_off(void)
{
	return vbus_cmdline_is("vbus.migration", "off");
}

#define NEED_MIGRATABLE() do {						\
	if (migration_off())						\
		SKIP(return, "the runner offers no migration");		\
	if (vhost_user_run())						\
		SKIP(return, "vhost-user-vbus does not migrate: see "	\
		     "vhost_user_refuses");				\
} while (0)

/* A ping-pong that runs until stopped; each round waits for its echo. */
struct pinger {
	int fd;
	struct region *r;
	volatile int stop;
	int rounds;
	int lost;
};

static void *ping(void *arg)
{
	struct pinger *p = arg;

	while (!p->stop) {
		if (vbus_signal(p->fd, p->r->rc.id) ||
		    efd_wait(p->r->efd, VBUS_WAIT_MS) != 1) {
			p->lost++;
			break;
		}
		__atomic_add_fetch(&p->rounds, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int rounds(struct pinger *p)
{
	return __atomic_load_n(&p->rounds, __ATOMIC_ACQUIRE);
}

/* Until @p made @n more rounds, or a step passed without one. */
static void ping_more(struct pinger *p, int n)
{
	int want = rounds(p) + n, seen = rounds(p);
	long end = vbus_now_ms() + VBUS_STEP_MS;

	while (rounds(p) < want && vbus_now_ms() < end && !p->lost) {
		usleep(1000);
		if (rounds(p) != seen) {
			seen = rounds(p);
			end = vbus_now_ms() + VBUS_STEP_MS;
		}
	}
}

static int ping_start(int fd, struct region *r, struct pinger *p,
		      pthread_t *th)
{
	int err = region_open(fd, 4096, 0, VBUS_REGION_F_SIGNAL, r);

	if (!err)
		err = vbus_call_args(fd, VBUS_TEST_SIGNAL_ECHO, r->rc.id, 0);
	*p = (struct pinger){ .fd = fd, .r = r };
	return err ?: -pthread_create(th, NULL, ping, p);
}

/*
 * The signal ping-pong at full speed across a migration: the device's
 * counter (one per signal it took) equals the rounds the driver saw
 * answered: no signal lost or taken twice.
 */
TEST_F(mig, ping_pong_across_migration)
{
	struct pinger p;
	struct region r;
	pthread_t th;
	int before;

	NEED_MIGRATABLE();
	ASSERT_EQ(0, ping_start(self->fd, &r, &p, &th));
	ping_more(&p, 100);
	before = rounds(&p);
	MIGRATE("socket");
	ping_more(&p, 200);
	p.stop = 1;
	pthread_join(th, NULL);
	TH_LOG("%d rounds, %d of them before the migration", p.rounds, before);
	EXPECT_EQ(0, p.lost);
	EXPECT_LE(before + 200, p.rounds);
	EXPECT_EQ(p.rounds, region_counter(&r));
	region_close(self->fd, &r);
}

struct delayer {
	int fd;
	uint32_t ms;
	int err;
	long took;
};

static void *delay_call(void *arg)
{
	struct delayer *d = arg;
	uint32_t ms = htole32(d->ms);
	struct vbus_call c = {
		.argsz = sizeof(c), .func = VBUS_TEST_DELAY,
		.out_ptr = (uintptr_t)&ms, .out_len = sizeof(ms),
	};
	long t0 = vbus_now_ms();

	d->err = ioctl(d->fd, VBUS_IOC_CALL, &c) ? -errno : 0;
	d->took = vbus_now_ms() - t0;
	return NULL;
}

/*
 * DELAY calls in flight (on the call queue, or the mailbox where there is
 * none) go on on the destination and end there, each after its time.
 */
static void delays_across(struct __test_metadata *_metadata, int fd,
			  int qmp, int n, uint32_t ms, const char *to)
{
	struct delayer d[8];
	pthread_t th[8];
	char reply[512];
	int i, err;

	for (i = 0; i < n; i++) {
		d[i] = (struct delayer){ .fd = fd, .ms = ms, .err = 1 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, delay_call, &d[i]));
	}
	usleep(300 * 1000);	/* the calls reach the device */
	err = migrate(qmp, to, reply, sizeof(reply));
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(0, err) {
		TH_LOG("x-migrate: %s", reply);
	}
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, d[i].err);
		EXPECT_LE(ms - 100, d[i].took);
	}
	TH_LOG("%d DELAY %u ms calls: the first took %ld ms (%s)", n, ms,
	       d[0].took, reply);
}

TEST_F(mig, delay_call_in_flight)
{
	NEED_MIGRATABLE();
	delays_across(_metadata, self->fd, self->qmp, 1, 3000, "socket");
}

TEST_F(mig, calls_in_flight)
{
	bool callq = self->info.features & (1ULL << VIRTIO_VBUS_F_CALLQ);

	NEED_MIGRATABLE();
	/* Through the mailbox they run one at a time. */
	delays_across(_metadata, self->fd, self->qmp, callq ? 8 : 3,
		      callq ? 2000 : 700, "socket");
}

/* A device storm under way: every signal is counted on the destination. */
TEST_F(mig, storm_across_migration)
{
	const uint32_t n = 50000;
	struct region r;
	uint32_t seen = 0;
	long end;

	NEED_MIGRATABLE();
	ASSERT_EQ(0, region_open(self->fd, 4096, 0, VBUS_REGION_F_SIGNAL, &r));
	ASSERT_EQ(0, vbus_call_args(self->fd, VBUS_TEST_SIGNAL_STORM, r.rc.id, n));
	MIGRATE("socket");
	end = vbus_now_ms() + VBUS_STEP_MS;
	while (vbus_now_ms() < end &&
	       (region_counter(&r) != n ||
		__atomic_load_n(&region_desc(&r)->to_driver.pending,
				__ATOMIC_ACQUIRE))) {
		efd_wait(r.efd, 100);
		if (region_counter(&r) != seen) {
			seen = region_counter(&r);
			end = vbus_now_ms() + VBUS_STEP_MS;
		}
	}
	efd_wait(r.efd, 100);
	EXPECT_EQ(n, region_counter(&r));
	EXPECT_EQ(0, region_desc(&r)->to_driver.pending);
	region_close(self->fd, &r);
}

/* Saved to a file, restored in a new QEMU: calls and signals go on. */
TEST_F(mig, save_and_restore)
{
	struct pinger p;
	struct region r;
	pthread_t th;
	char out[64] = "through a file", in[64] = "";
	struct vbus_call c = {
		.argsz = sizeof(c), .func = VBUS_TEST_ECHO,
		.out_ptr = (uintptr_t)out, .out_len = sizeof(out),
		.in_ptr = (uintptr_t)in, .in_len = sizeof(in),
	};

	NEED_MIGRATABLE();
	ASSERT_EQ(0, ping_start(self->fd, &r, &p, &th));
	ping_more(&p, 50);
	MIGRATE("file");
	ping_more(&p, 100);
	p.stop = 1;
	pthread_join(th, NULL);
	EXPECT_EQ(0, p.lost);
	EXPECT_EQ(p.rounds, region_counter(&r));
	ASSERT_EQ(0, ioctl(self->fd, VBUS_IOC_CALL, &c));
	EXPECT_EQ(sizeof(out), c.result_len);
	EXPECT_STREQ(out, in);
	delays_across(_metadata, self->fd, self->qmp, 1, 1000, "file");
	region_close(self->fd, &r);
}

/* Calls in a loop, each answer checked, until stopped. */
struct caller {
	int fd;
	volatile int stop;
	int calls;
	int bad;
};

static void *call_loop(void *arg)
{
	struct caller *k = arg;
	uint32_t out[16], in[16];
	struct vbus_call c = {
		.argsz = sizeof(c), .func = VBUS_TEST_ECHO,
		.out_ptr = (uintptr_t)out, .out_len = sizeof(out),
		.in_ptr = (uintptr_t)in, .in_len = sizeof(in),
	};
	int i;

	while (!k->stop) {
		for (i = 0; i < 16; i++)
			out[i] = k->calls * 16 + i;
		if (ioctl(k->fd, VBUS_IOC_CALL, &c) || memcmp(out, in, sizeof(in)))
			k->bad++;
		k->calls++;
	}
	return NULL;
}

/* 20 migrations back to back under calls and signals. */
TEST_F(mig, back_to_back_20)
{
	struct caller k = { .fd = self->fd };
	pthread_t th, kt;
	struct pinger p;
	struct region r;
	int i;

	NEED_MIGRATABLE();
	ASSERT_EQ(0, ping_start(self->fd, &r, &p, &th));
	ASSERT_EQ(0, pthread_create(&kt, NULL, call_loop, &k));
	for (i = 0; i < 20 && !p.lost; i++) {
		ping_more(&p, 20);
		MIGRATE("socket");
	}
	ping_more(&p, 100);
	p.stop = 1;
	k.stop = 1;
	pthread_join(th, NULL);
	pthread_join(kt, NULL);
	TH_LOG("%d migrations: %d rounds, %d calls", i, p.rounds, k.calls);
	EXPECT_EQ(20, i);
	EXPECT_EQ(0, p.lost);
	EXPECT_EQ(p.rounds, region_counter(&r));
	EXPECT_EQ(0, k.bad);
	EXPECT_LT(0, k.calls);
	region_close(self->fd, &r);
}

/* A vhost-user-vbus device blocks migration with QEMU's clear error. */
TEST_F(mig, vhost_user_refuses)
{
	struct delayer d;
	char reply[512];

	if (!vhost_user_run())
		SKIP(return, "no vhost-user-vbus devices in this run");
	if (migration_off())
		SKIP(return, "the runner offers no migration");
	ASSERT_EQ(-EREMOTEIO, migrate(self->qmp, "socket", reply,
				      sizeof(reply)));
	TH_LOG("%s", reply);
	EXPECT_NE(NULL, strstr(reply, "vhost-user-vbus"));
	/* The guest runs on where it was. */
	d = (struct delayer){ .fd = self->fd, .ms = 1, .err = 1 };
	delay_call(&d);
	EXPECT_EQ(0, d.err);
}

TEST_HARNESS_MAIN
