// SPDX-License-Identifier: GPL-2.0
/*
 * The module's paths run against each other: each test lets many processes
 * or threads collide for a bounded time, requires every call to end in
 * success or an error the ABI documents for that collision, and then
 * requires the pool whole and every charge undone. Under the debug kernel
 * of `make check-debug` lockdep, KASAN and kmemleak watch the same runs.
 *
 * - cgroup_churn: enclaves released while their cgroups are removed, the
 *   reaper dropping the limits of removed cgroups, limits set through
 *   netlink and sysfs, and every dump and sysfs read, all at once.
 * - one_fd: ADD_PAGES, INIT, INFO, mmap and close on one enclave fd from
 *   five threads.
 * - mapping_outlives_close: the pages stay mapped and the module pinned
 *   until the last mapping goes.
 * - kill_mid_add_pages: SIGKILL while one ADD_PAGES call adds thousands of
 *   pages.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "nl.h"
#include "tencl.h"

#define PAGE	  4096UL
#define CGROOT	  "/sys/fs/cgroup"
#define EB_CGS	  EB_SYSFS "/cgroups"
#define CHURN_SEC 6 /* three passes of the reaper, which runs every 2 s */
#define TENANTS	  3
#define ONE_FD_MS 3000
#define KILLS	  12

static uint8_t zpages[64 * PAGE] __attribute__((aligned(4096)));

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child's verdict: print what went wrong and exit 1. */
#define CHILD_FAIL(fmt, ...)                                                        \
	do {                                                                        \
		fprintf(stderr, "# pid %d, line %d: " fmt "\n", getpid(), __LINE__, \
			##__VA_ARGS__);                                             \
		_exit(1);                                                           \
	} while (0)

/* Wait up to @ms for every entry to go (none is left without a charge or a limit). */
static bool no_entries(int ms)
{
	for (int i = 0; i <= ms / 20; i++) {
		if (eb_cg_entries() == 0)
			return true;
		usleep(20000);
	}
	return false;
}

/* Bytes charged in all: the root's entry, which exists only while something is. */
static uint64_t root_charged(void)
{
	if (access(EB_CGS "/1", F_OK))
		return 0;
	return eb_read_u64(EB_CGS "/1/current");
}

static int rmdir_retry(const char *path)
{
	for (int i = 0; i < 100; i++) {
		if (!rmdir(path))
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

/* ------------------------------------------------------- cgroup_churn */

/* What the processes did, in memory they share. */
struct churn_counts {
	atomic_uint rounds, limits, dumps;
};

struct churn {
	char rel[64];  /* "/ebrace-<pid>": the test's cgroup */
	char dir[128]; /* its cgroupfs directory */
	uint64_t end;  /* CLOCK_MONOTONIC ms */
	struct churn_counts *cnt;
};

static void enter(const char *dir)
{
	int ret = eb_cgroup_enter(dir);

	if (ret)
		CHILD_FAIL("enter %s: %s", dir, strerror(-ret));
}

/*
 * A tenant: in a cgroup of its own each round, builds an enclave, leaves,
 * and removes the cgroup before or after releasing the enclave; every
 * third enclave is kept into the next round, so that it is released while
 * another cgroup is made and removed. Limits set by the limiter may refuse
 * pages (EDQUOT), never anything else.
 */
static void tenant(const struct churn *c, int n)
{
	struct tencl held = { .fd = -1 }, t;
	char dir[192];
	int ret;

	srand(getpid());
	for (unsigned int round = 0; now_ms() < c->end; round++) {
		snprintf(dir, sizeof(dir), "%s/t%d-%u", c->dir, n, round % 4);
		if (mkdir(dir, 0755))
			CHILD_FAIL("mkdir %s: %s", dir, strerror(errno));
		enter(dir);
		ret = tencl_create(&t, 64 * PAGE, 0);
		if (ret && ret != -EDQUOT)
			CHILD_FAIL("create in %s: %s", dir, strerror(-ret));
		if (!ret) {
			ret = tencl_add(&t, 0, TENCL_RW, zpages, (1 + rand() % 32) * PAGE, true);
			if (ret && ret != -EDQUOT)
				CHILD_FAIL("add in %s: %s", dir, strerror(-ret));
		}
		enter(c->dir);
		if (round % 2)
			tencl_close(&t);
		ret = rmdir_retry(dir);
		if (ret)
			CHILD_FAIL("rmdir %s: %s", dir, strerror(-ret));
		tencl_close(&held);
		if (round % 3 == 0)
			held = t;
		else
			tencl_close(&t);
		atomic_fetch_add(&c->cnt->rounds, 1);
	}
	tencl_close(&held);
	_exit(0);
}

/* Limits on the test's cgroup and on tenants' (which may be gone: ENOENT). */
static void limiter(const struct churn *c)
{
	static const uint64_t limits[] = { 0, 8 * PAGE, 40 * PAGE, 1 << 20, EB_LIMIT_NONE };
	char path[160], buf[200];
	struct nl nl;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		CHILD_FAIL("netlink: %s", strerror(-ret));
	srand(getpid());
	while (now_ms() < c->end) {
		uint64_t limit = limits[rand() % 5];
		int who = rand() % (TENANTS + 1);

		if (who == TENANTS)
			snprintf(path, sizeof(path), "%s", c->rel);
		else
			snprintf(path, sizeof(path), "%s/t%d-%d", c->rel, who, rand() % 4);
		bool by_netlink = rand() % 2;

		nl.extack[0] = 0;
		if (by_netlink) {
			ret = nl_set_limit_path(&nl, path, limit);
		} else {
			if (limit == EB_LIMIT_NONE)
				snprintf(buf, sizeof(buf), "%s max", path);
			else
				snprintf(buf, sizeof(buf), "%s %llu", path,
					 (unsigned long long)limit);
			ret = eb_write_file(EB_CGS "/set_max", buf);
		}
		if (ret && ret != -ENOENT)
			CHILD_FAIL("limit %s to %llu through %s: %s (%s)", path,
				   (unsigned long long)limit, by_netlink ? "netlink" : "set_max",
				   strerror(-ret), nl.extack);
		atomic_fetch_add(&c->cnt->limits, 1);
	}
	nl_close(&nl);
	_exit(0);
}

static int count_cb(const struct nlmsghdr *h, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* Every file of every entry; entries come and go (ENOENT, ENODEV). */
static void read_entries(void)
{
	static const char *const files[] = { "path",   "max",	       "current", "peak",
					     "events", "events_local", "enclaves" };
	char path[300], buf[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir(EB_CGS);

	if (!dir)
		CHILD_FAIL("opendir " EB_CGS ": %s", strerror(errno));
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			int ret;

			snprintf(path, sizeof(path), EB_CGS "/%s/%s", d->d_name, files[i]);
			ret = eb_read_file(path, buf, sizeof(buf));
			if (ret && ret != -ENOENT && ret != -ENODEV)
				CHILD_FAIL("read %s: %s", path, strerror(-ret));
		}
	}
	closedir(dir);
}

static void dumper(const struct churn *c)
{
	static const uint8_t cmds[] = { EB_CMD_GET_CGROUP, EB_CMD_GET_ENCLAVE };
	struct nlmsg m;
	struct nl nl;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		CHILD_FAIL("netlink: %s", strerror(-ret));
	while (now_ms() < c->end) {
		for (size_t i = 0; i < sizeof(cmds); i++) {
			unsigned int n = 0;

			nlmsg_init(&nl, &m, cmds[i], NLM_F_DUMP);
			ret = nl_talk(&nl, &m, count_cb, &n, NULL);
			if (ret)
				CHILD_FAIL("dump %u: %s (%s)", cmds[i], strerror(-ret), nl.extack);
			atomic_fetch_add(&c->cnt->dumps, 1);
		}
		nlmsg_init(&nl, &m, EB_CMD_GET_POOL, 0);
		ret = nl_talk(&nl, &m, NULL, NULL, NULL);
		if (ret)
			CHILD_FAIL("get pool: %s (%s)", strerror(-ret), nl.extack);
		read_entries();
	}
	nl_close(&nl);
	_exit(0);
}

FIXTURE(race)
{
	struct churn c;
	pid_t kids[TENANTS + 2];
	int nkids;
};

FIXTURE_SETUP(race)
{
	struct stat st;

	self->nkids = 0;
	self->c.dir[0] = 0;
	self->c.cnt = mmap(NULL, sizeof(*self->c.cnt), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->c.cnt);
	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "ebroker not loaded");
	ASSERT_EQ(0, stat(CGROOT "/cgroup.procs", &st)) TH_LOG("no cgroup2 at " CGROOT);
	snprintf(self->c.rel, sizeof(self->c.rel), "/ebrace-%d", getpid());
	snprintf(self->c.dir, sizeof(self->c.dir), CGROOT "%s", self->c.rel);
	ASSERT_EQ(0, mkdir(self->c.dir, 0755));
	ASSERT_TRUE(eb_pool_is_full());
}

FIXTURE_TEARDOWN(race)
{
	char buf[200];

	for (int i = 0; i < self->nkids; i++)
		kill(self->kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	if (!self->c.dir[0])
		return;
	snprintf(buf, sizeof(buf), "%d", getpid());
	eb_write_file(CGROOT "/cgroup.procs", buf);
	snprintf(buf, sizeof(buf), "%s/cgroup.kill", self->c.dir);
	eb_write_file(buf, "1");
	snprintf(buf, sizeof(buf), "%s max", self->c.rel);
	eb_write_file(EB_CGS "/set_max", buf);
	for (int n = 0; n < TENANTS; n++)
		for (int k = 0; k < 4; k++) {
			snprintf(buf, sizeof(buf), "%s/t%d-%d", self->c.dir, n, k);
			rmdir_retry(buf);
		}
	rmdir_retry(self->c.dir);
}

static pid_t spawn(FIXTURE_DATA(race) * self, void (*fn)(const struct churn *, int), int n)
{
	pid_t p = fork();

	if (p == 0)
		fn(&self->c, n);
	if (p > 0)
		self->kids[self->nkids++] = p;
	return p;
}

static void limiter_n(const struct churn *c, int n)
{
	limiter(c);
}

static void dumper_n(const struct churn *c, int n)
{
	dumper(c);
}

TEST_F_TIMEOUT(race, cgroup_churn, 120)
{
	char buf[200];
	int status;

	self->c.end = now_ms() + CHURN_SEC * 1000;
	for (int n = 0; n < TENANTS; n++)
		ASSERT_LT(0, spawn(self, tenant, n));
	ASSERT_LT(0, spawn(self, limiter_n, 0));
	ASSERT_LT(0, spawn(self, dumper_n, 0));
	for (int i = 0; i < self->nkids; i++) {
		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child %d (%s): status %#x", i, i < TENANTS ? "tenant" : "limiter/dumper",
		       status);
	}
	self->nkids = 0;
	TH_LOG("%u tenant rounds, %u limits set, %u dumps", self->c.cnt->rounds,
	       self->c.cnt->limits, self->c.cnt->dumps);
	EXPECT_LT(TENANTS, self->c.cnt->rounds);
	EXPECT_LT(0, self->c.cnt->limits);
	EXPECT_LT(0, self->c.cnt->dumps);
	EXPECT_TRUE(eb_pool_is_full());
	EXPECT_EQ(0, root_charged());
	/* The test's own limit, then its cgroup: the reaper leaves no entry. */
	snprintf(buf, sizeof(buf), "%s 1M", self->c.rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", buf));
	ASSERT_EQ(0, rmdir_retry(self->c.dir));
	self->c.dir[0] = 0;
	EXPECT_TRUE(no_entries(8000)) TH_LOG("%d entries left", eb_cg_entries());
}

/* ------------------------------------------------------------- one_fd */

#define ONE_FD_PAGES 16

struct one_fd {
	struct tencl t;
	int fd;				/* t.fd, for every thread */
	struct eb_sigstruct ss;		/* for the enclave with all pages added */
	atomic_bool initialized;	/* INIT returned 0 */
	atomic_bool closed;		/* close() was called */
	atomic_bool add_done;		/* the adder returned */
	atomic_int adds, inits, mapped; /* successes */
	char err[160];			/* the first unexpected result */
	pthread_mutex_t err_lock;
};

static void one_fd_fail(struct one_fd *o, const char *what, int err)
{
	pthread_mutex_lock(&o->err_lock);
	if (!o->err[0])
		snprintf(o->err, sizeof(o->err), "%s: %s", what, strerror(err));
	pthread_mutex_unlock(&o->err_lock);
}

/* After close() every call may find the fd gone. */
static bool gone(struct one_fd *o, int err)
{
	return err == EBADF && atomic_load(&o->closed);
}

static void *one_fd_add(void *arg)
{
	struct one_fd *o = arg;
	struct eb_secinfo si = { .flags = TENCL_RW };

	for (int i = 0; i < ONE_FD_PAGES; i++) {
		struct eb_enclave_add_pages add = {
			.src = (uintptr_t)zpages + i * PAGE,
			.offset = i * PAGE,
			.length = PAGE,
			.secinfo = (uintptr_t)&si,
			.flags = EB_PAGE_MEASURE,
		};

		if (ioctl(o->fd, EB_IOC_ENCLAVE_ADD_PAGES, &add)) {
			/* No INIT can succeed before the last page: its MRENCLAVE needs them all. */
			if (!gone(o, errno))
				one_fd_fail(o, "ADD_PAGES", errno);
			break;
		}
		atomic_fetch_add(&o->adds, 1);
	}
	atomic_store(&o->add_done, true);
	return NULL;
}

/* The adder stopped short (an error, or the fd closed): INIT cannot succeed. */
static bool adder_gave_up(struct one_fd *o)
{
	return atomic_load(&o->add_done) && atomic_load(&o->adds) < ONE_FD_PAGES;
}

static void *one_fd_init(void *arg)
{
	struct one_fd *o = arg;

	while (!adder_gave_up(o)) {
		bool all = atomic_load(&o->adds) == ONE_FD_PAGES;

		if (!ioctl(o->fd, EB_IOC_ENCLAVE_INIT,
			   &(struct eb_enclave_init){ .sigstruct = (uintptr_t)&o->ss })) {
			atomic_store(&o->initialized, true);
			atomic_fetch_add(&o->inits, 1);
			return NULL;
		}
		if (gone(o, errno))
			return NULL;
		/* EPERM: the measurement is not complete yet; with every page added, wrong. */
		if (errno != EPERM || all) {
			one_fd_fail(o, all ? "INIT with every page added" : "INIT", errno);
			return NULL;
		}
	}
	return NULL;
}

static void *one_fd_info(void *arg)
{
	struct one_fd *o = arg;
	uint64_t last = 0;

	for (;;) {
		struct eb_enclave_info info;

		if (ioctl(o->fd, EB_IOC_ENCLAVE_INFO, &info)) {
			if (!gone(o, errno))
				one_fd_fail(o, "INFO", errno);
			return NULL;
		}
		/* Pages only grow, and an initialised enclave has them all and the SECS. */
		if (info.pages < last ||
		    (info.state == EB_STATE_INITIALIZED && info.pages != ONE_FD_PAGES + 1)) {
			one_fd_fail(o, "INFO pages", EINVAL);
			return NULL;
		}
		last = info.pages;
		if (info.state == EB_STATE_INITIALIZED)
			return NULL;
	}
	return NULL;
}

static void *one_fd_map(void *arg)
{
	struct one_fd *o = arg;
	void *addr = (void *)(uintptr_t)o->t.secs.base;

	while (!adder_gave_up(o)) {
		bool was_initialized = atomic_load(&o->initialized);
		void *p =
		    mmap(addr, ONE_FD_PAGES * PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, o->fd, 0);

		if (p != MAP_FAILED) {
			/* What was added, zeros, is what is read. */
			if (((volatile uint8_t *)p)[(ONE_FD_PAGES - 1) * PAGE + 17] != 0)
				one_fd_fail(o, "read through the mapping", EIO);
			atomic_fetch_add(&o->mapped, 1);
			/* Back to the reservation the enclave's ELRANGE sits in. */
			mmap(addr, ONE_FD_PAGES * PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			return NULL;
		}
		if (gone(o, errno))
			return NULL;
		/* EBUSY: not initialised yet. */
		if (errno != EBUSY || was_initialized) {
			one_fd_fail(o, was_initialized ? "mmap after INIT" : "mmap", errno);
			return NULL;
		}
	}
	return NULL;
}

/*
 * One round: a fresh enclave, its SIGSTRUCT made for all ONE_FD_PAGES
 * pages, then the four threads at once, and in every other round a close()
 * of the fd after a random short delay, while they run.
 */
static int one_fd_round(struct one_fd *o, unsigned int round)
{
	pthread_t th[4];
	void *(*fns[4])(void *) = { one_fd_add, one_fd_init, one_fd_info, one_fd_map };
	uint8_t mr[EB_HASH_SIZE];
	struct ebroker_measure *m;
	int ret;

	ret = tencl_create(&o->t, 64 * PAGE, 0);
	if (ret)
		return ret;
	o->fd = o->t.fd;
	/* The SIGSTRUCT from a measurement of its own: the threads add in order. */
	ret = ebroker_measure_new(&o->t.secs, &m);
	if (ret)
		return ret;
	for (int i = 0; i < ONE_FD_PAGES && !ret; i++)
		ret =
		    ebroker_measure_add_page(m, i * PAGE, &(struct eb_secinfo){ .flags = TENCL_RW },
					     zpages + i * PAGE, true);
	if (!ret) {
		struct ebroker_measure *keep = o->t.m;

		o->t.m = m;
		ret = tencl_sign(&o->t, &o->ss, mr);
		o->t.m = keep;
	}
	ebroker_measure_free(m);
	if (ret)
		return ret;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, fns[i], o))
			return -EAGAIN;
	if (round % 2) {
		usleep(rand() % 3000);
		atomic_store(&o->closed, true);
		close(o->fd);
		o->t.fd = -1;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	if (!(round % 2) && !atomic_load(&o->initialized))
		snprintf(o->err, sizeof(o->err), "not initialised without a close");
	return 0;
}

TEST_F_TIMEOUT(race, one_fd, 120)
{
	uint64_t end = now_ms() + ONE_FD_MS;
	unsigned int rounds = 0, inits = 0, mapped = 0;

	srand(getpid());
	do {
		struct one_fd o = { .err_lock = PTHREAD_MUTEX_INITIALIZER };

		ASSERT_EQ(0, one_fd_round(&o, rounds));
		EXPECT_STREQ("", o.err) TH_LOG("round %u", rounds);
		EXPECT_GE(1, atomic_load(&o.inits));
		inits += atomic_load(&o.inits);
		mapped += atomic_load(&o.mapped);
		tencl_close(&o.t);
		rounds++;
		if (o.err[0])
			break;
	} while (now_ms() < end || rounds < 4);
	/* Every round without a close initialised and mapped its enclave. */
	EXPECT_LE((rounds + 1) / 2, inits);
	EXPECT_LE((rounds + 1) / 2, mapped);
	TH_LOG("%u rounds, %u initialised, %u mapped", rounds, inits, mapped);
	EXPECT_TRUE(eb_pool_is_full());
}

/* ------------------------------------------------ mapping_outlives_close */

static int module_refcnt(void)
{
	char buf[32];

	if (eb_read_file("/sys/module/ebroker/refcnt", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

TEST_F(race, mapping_outlives_close)
{
	uint64_t total = eb_read_u64(EB_SYSFS "/pool/total_bytes");
	static uint8_t page[PAGE] __attribute__((aligned(4096)));
	int refs = module_refcnt();
	struct tencl t;
	uint8_t *p;

	ASSERT_LE(0, refs);
	memset(page, 0x5a, sizeof(page));
	ASSERT_EQ(0, tencl_create(&t, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, page, PAGE, true));
	ASSERT_EQ(0, tencl_finish(&t));
	p = tencl_map(&t, 0, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, close(t.fd));
	t.fd = -1;

	/* The fd is gone; the mapping holds the enclave, its pages and the module. */
	EXPECT_EQ(0x5a, p[100]);
	p[200] = 0xa5;
	EXPECT_EQ(0xa5, p[200]);
	EXPECT_EQ(total - 2 * PAGE, eb_read_u64(EB_SYSFS "/pool/free_bytes"));
	EXPECT_LT(refs, module_refcnt());
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ebroker", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("%s", strerror(errno));

	/* Unmapped: the enclave is released at once. */
	ASSERT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(refs, module_refcnt());
	EXPECT_TRUE(eb_pool_is_full());
	tencl_close(&t);
}

/* --------------------------------------------------- kill_mid_add_pages */

/*
 * A child in the test's cgroup adds 8 MiB in one ADD_PAGES call and is
 * killed after 0 to 11 ms: however far the call got, its death returns
 * every page and every byte of charge. At least one kill must land inside
 * the call (more than the SECS charged).
 */
TEST_F_TIMEOUT(race, kill_mid_add_pages, 120)
{
	enum { SIZE = 8 << 20 };
	char id_path[160];
	struct stat st;
	int status, killed = 0, mid = 0;

	ASSERT_EQ(0, stat(self->c.dir, &st));
	snprintf(id_path, sizeof(id_path), EB_CGS "/%llu/current", (unsigned long long)st.st_ino);
	for (int k = 0; k < KILLS; k++) {
		int sync[2];
		pid_t p;
		char c;

		ASSERT_EQ(0, pipe(sync));
		p = fork();
		ASSERT_LE(0, p);
		if (p == 0) {
			struct tencl t;
			uint8_t *src =
			    mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			enter(self->c.dir);
			if (src == MAP_FAILED || tencl_create(&t, 2 * SIZE, 0))
				_exit(2);
			if (write(sync[1], "x", 1) != 1)
				_exit(3);
			tencl_add(&t, 0, TENCL_RW, src, SIZE, true);
			_exit(4); /* it was not killed in time: a round that proves less */
		}
		close(sync[1]);
		ASSERT_EQ(1, read(sync[0], &c, 1));
		close(sync[0]);
		/* Charged to the test's cgroup while it runs (the SECS at least). */
		EXPECT_LE(PAGE, eb_read_u64(id_path)) TH_LOG("kill %d", k);
		usleep(k * 1000);
		/* More than the SECS charged: the call had begun. */
		if (eb_read_u64(id_path) > PAGE && eb_read_u64(id_path) != UINT64_MAX)
			mid++;
		kill(p, SIGKILL);
		ASSERT_EQ(p, waitpid(p, &status, 0));
		if (WIFSIGNALED(status))
			killed++;
		else
			EXPECT_EQ(4, WEXITSTATUS(status));
		EXPECT_TRUE(eb_pool_is_full()) TH_LOG("kill %d", k);
		EXPECT_EQ(0, root_charged()) TH_LOG("kill %d", k);
	}
	TH_LOG("%d of %d children killed, %d of them inside the call", killed, KILLS, mid);
	EXPECT_LT(0, mid);
}

TEST_HARNESS_MAIN
