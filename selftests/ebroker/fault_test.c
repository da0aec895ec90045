// SPDX-License-Identifier: GPL-2.0
/*
 * The module's paths with allocations failing, one allocation site at a
 * time (the debug kernel of `make check-debug`; skipped, saying so, on a
 * kernel without fault injection).
 *
 * /proc/thread-self/fail-nth makes the Nth fault-injection point this
 * thread reaches fail: a slab allocation (failslab) or a page allocation
 * (fail_page_alloc, down to order 0, sleeping ones included). Each path is
 * run with N = 1, 2, ... until a run reaches no Nth point, so every
 * allocation on it, the module's and the kernel's around it, fails once.
 * Every run must end in success or a clean error (ENOMEM, or ENOBUFS from
 * netlink), and after each the pool and the test's cgroup are back where
 * they were before it: no page or charge left behind. An INIT that failed
 * succeeds when tried again: its measurement was left intact. At the end
 * kmemleak must report nothing allocated by the module.
 *
 * The paths: EB_IOC_ENCLAVE_CREATE, ADD_PAGES, INIT, mapping a page,
 * closing an enclave, the netlink SET_LIMIT and the cgroup and enclave
 * dumps, and a write of sysfs set_max.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "nl.h"
#include "tencl.h"

#define PAGE	  4096UL
#define CGROOT	  "/sys/fs/cgroup"
#define EB_CGS	  EB_SYSFS "/cgroups"
#define DEBUGFS	  "/sys/kernel/debug"
#define FAIL_NTH  "/proc/thread-self/fail-nth"
#define NTH_MAX	  10000 /* more fault points than any path has */
#define ENCL_SIZE (16 * PAGE)

static uint8_t zpages[4 * PAGE] __attribute__((aligned(4096)));

FIXTURE(fault)
{
	const char *why; /* set up, or why not: every test then skips */
	int nth;	 /* FAIL_NTH, open */
	char rel[64];	 /* "/ebfault-<pid>" */
	char dir[128];	 /* its cgroupfs directory */
	uint64_t id;
	struct nl nl;
	struct tencl t;
	unsigned int runs, failed; /* runs, and runs that ended in an error */
};

/* Fault injection as the test needs it: sleeping and order-0 allocations too, quietly. */
static const char *const knobs[][2] = {
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
};

FIXTURE_SETUP(fault)
{
	char procs[200], pid[32];
	struct stat st;

	self->t.fd = -1;
	self->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (self->nth < 0) {
		self->why = "no " FAIL_NTH ": this kernel has no fault injection "
			    "(make check-debug's has)";
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (eb_write_file(knobs[i][0], knobs[i][1])) {
			self->why = "no failslab and fail_page_alloc in debugfs";
			return;
		}
	}
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->rel, sizeof(self->rel), "/ebfault-%d", getpid());
	snprintf(self->dir, sizeof(self->dir), CGROOT "%s", self->rel);
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	ASSERT_EQ(0, stat(self->dir, &st));
	self->id = st.st_ino;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", self->dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, eb_write_file(procs, pid));
}

FIXTURE_TEARDOWN(fault)
{
	char buf[200];

	if (self->nth >= 0 && self->why) {
		close(self->nth);
		return;
	}
	if (self->nth < 0)
		return;
	tencl_close(&self->t);
	snprintf(buf, sizeof(buf), "%d", getpid());
	eb_write_file(CGROOT "/cgroup.procs", buf);
	snprintf(buf, sizeof(buf), "%s max", self->rel);
	eb_write_file(EB_CGS "/set_max", buf);
	rmdir(self->dir);
	nl_close(&self->nl);
	close(self->nth);
}

/*
 * A fixture's setup cannot skip its test in this harness (the test body
 * runs all the same): each test starts with this.
 */
#define NEED_FAULT_INJECTION()                         \
	do {                                           \
		if (self->why)                         \
			SKIP(return, "%s", self->why); \
	} while (0)

/* Arm: the @n-th fault point this thread reaches fails. */
static void arm(struct _test_data_fault *self, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(self->nth, buf, len, 0) != len)
		abort();
}

/* Disarm; whether the armed failure happened. */
static bool disarm(struct _test_data_fault *self)
{
	char buf[16] = "";
	bool injected;

	if (pread(self->nth, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	injected = atoi(buf) == 0;
	arm(self, 0);
	return injected;
}

/* What the test's cgroup is charged, in bytes (0 when it has no entry). */
static uint64_t charged(uint64_t id)
{
	char path[128];

	snprintf(path, sizeof(path), EB_CGS "/%llu/current", (unsigned long long)id);
	if (access(path, F_OK))
		return 0;
	return eb_read_u64(path);
}

/* A clean failure of an allocation on the way. */
static bool clean(int r)
{
	return r == 0 || r == -ENOMEM || r == -ENOBUFS;
}

/* Pages the pool has handed out. */
static uint64_t pool_used(void)
{
	return eb_read_u64(EB_SYSFS "/pool/total_bytes") - eb_read_u64(EB_SYSFS "/pool/free_bytes");
}

/*
 * Run @op with each of its fault points failing in turn, @prepare before
 * and @cleanup after each run; every run's result must be clean, and leave
 * the pool and the cgroup's charge as they were before @prepare.
 */
#define EVERY_FAULT(prepare, op, cleanup)                                                         \
	do {                                                                                      \
		uint64_t _used = pool_used(), _charged = charged(self->id);                       \
		bool _injected = true;                                                            \
		for (unsigned int _n = 1; _n <= NTH_MAX && _injected; _n++) {                     \
			int _r;                                                                   \
			prepare;                                                                  \
			arm(self, _n);                                                            \
			_r = (op);                                                                \
			_injected = disarm(self);                                                 \
			cleanup;                                                                  \
			self->runs++;                                                             \
			self->failed += _r != 0;                                                  \
			ASSERT_TRUE(clean(_r))                                                    \
			TH_LOG("fault point %u of %s: %d (%s)", _n, #op, _r, strerror(-_r));      \
			ASSERT_EQ(_used, pool_used()) TH_LOG("fault point %u of %s", _n, #op);    \
			ASSERT_EQ(_charged, charged(self->id))                                    \
			TH_LOG("fault point %u of %s", _n, #op);                                  \
		}                                                                                 \
		ASSERT_FALSE(_injected) TH_LOG("%s has more than %d fault points", #op, NTH_MAX); \
		TH_LOG("%s: %u runs, %u of them failed cleanly", #op, self->runs, self->failed);  \
		self->runs = self->failed = 0;                                                    \
	} while (0)

static int create(struct tencl *t)
{
	return tencl_create(t, ENCL_SIZE, 0);
}

static int add(struct tencl *t)
{
	return tencl_add(t, 0, TENCL_RW, zpages, sizeof(zpages), true);
}

TEST_F(fault, enclave_create)
{
	NEED_FAULT_INJECTION();
	EVERY_FAULT(, create(&self->t), tencl_close(&self->t));
}

TEST_F(fault, add_pages)
{
	NEED_FAULT_INJECTION();
	EVERY_FAULT(ASSERT_EQ(0, create(&self->t)), add(&self->t), tencl_close(&self->t));
}

/*
 * An INIT that failed must leave the measurement as it was: tried again
 * with nothing failing, it succeeds (a damaged measurement would give
 * EPERM); after a success, a second INIT is EINVAL.
 */
static int init_again(struct tencl *t, const struct eb_sigstruct *ss)
{
	int r = tencl_init(t, ss);

	return r == -EINVAL ? 0 : r;
}

TEST_F(fault, init)
{
	uint8_t mr[EB_HASH_SIZE];
	struct eb_sigstruct ss;

	NEED_FAULT_INJECTION();
	EVERY_FAULT(
	    {
		    ASSERT_EQ(0, create(&self->t));
		    ASSERT_EQ(0, add(&self->t));
		    ASSERT_EQ(0, tencl_sign(&self->t, &ss, mr));
	    },
	    tencl_init(&self->t, &ss),
	    {
		    ASSERT_EQ(0, init_again(&self->t, &ss));
		    tencl_close(&self->t);
	    });
}

static int map_page(struct tencl *t)
{
	void *p = tencl_map(t, 0, PAGE, PROT_READ);

	if (p == MAP_FAILED)
		return -errno;
	return munmap(p, PAGE) ? -errno : 0;
}

TEST_F(fault, map)
{
	NEED_FAULT_INJECTION();
	EVERY_FAULT(
	    {
		    ASSERT_EQ(0, create(&self->t));
		    ASSERT_EQ(0, add(&self->t));
		    ASSERT_EQ(0, tencl_finish(&self->t));
	    },
	    map_page(&self->t), tencl_close(&self->t));
}

static int release(struct tencl *t)
{
	tencl_close(t);
	return 0;
}

TEST_F(fault, release)
{
	NEED_FAULT_INJECTION();
	EVERY_FAULT(
	    {
		    ASSERT_EQ(0, create(&self->t));
		    ASSERT_EQ(0, add(&self->t));
	    },
	    release(&self->t), );
}

static int count_cb(const struct nlmsghdr *h, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static int dump(struct nl *nl, uint8_t cmd)
{
	unsigned int n = 0;
	struct nlmsg m;

	nlmsg_init(nl, &m, cmd, NLM_F_DUMP);
	return nl_talk(nl, &m, count_cb, &n, NULL);
}

TEST_F(fault, netlink)
{
	NEED_FAULT_INJECTION();
	/* An enclave charged while the dumps run, so that they have one to report. */
	ASSERT_EQ(0, create(&self->t));
	ASSERT_EQ(0, add(&self->t));
	EVERY_FAULT(, nl_set_limit_path(&self->nl, self->rel, 1 << 20),
		    nl_set_limit_path(&self->nl, self->rel, EB_LIMIT_NONE));
	EVERY_FAULT(, dump(&self->nl, EB_CMD_GET_CGROUP), );
	EVERY_FAULT(, dump(&self->nl, EB_CMD_GET_ENCLAVE), );
	tencl_close(&self->t);
	EXPECT_TRUE(eb_pool_is_full());
}

static int write_fd(int fd, const char *s)
{
	return pwrite(fd, s, strlen(s), 0) == (ssize_t)strlen(s) ? 0 : -errno;
}

TEST_F(fault, sysfs_set_max)
{
	char set[200], unset[200];
	int fd;

	NEED_FAULT_INJECTION();
	fd = open(EB_CGS "/set_max", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	snprintf(set, sizeof(set), "%s 1M", self->rel);
	snprintf(unset, sizeof(unset), "%s max", self->rel);
	EVERY_FAULT(, write_fd(fd, set), write_fd(fd, unset));
	close(fd);
}

/*
 * Last (the harness runs a fixture's tests in the order they are defined):
 * nothing the module allocated is left unreferenced. kmemleak reports an
 * object only once it has been unreferenced for 5 s, over two scans.
 */
TEST_F(fault, kmemleak_nothing_of_the_module)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t n;
	int fd;

	NEED_FAULT_INJECTION();
	if (access(DEBUGFS "/kmemleak", W_OK))
		SKIP(return, "no kmemleak: make check-debug's kernel has it");
	ASSERT_EQ(0, eb_write_file(DEBUGFS "/kmemleak", "scan"));
	sleep(6);
	ASSERT_EQ(0, eb_write_file(DEBUGFS "/kmemleak", "scan"));
	fd = open(DEBUGFS "/kmemleak", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	EXPECT_EQ(NULL, strstr(buf, "[ebroker]")) TH_LOG("kmemleak:\n%.4000s", buf);
}

TEST_HARNESS_MAIN
