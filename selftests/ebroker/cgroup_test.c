// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cgroup EPC accounting: every enclave page (the SECS included) is
 * charged to the creator's cgroup v2 cgroup and to all its ancestors, limits
 * are hierarchical and set by path through sysfs, refusals are counted and
 * poll()-able, removed cgroups stay accounted until their last page goes.
 *
 * Each fixture test builds its own tree under /sys/fs/cgroup/ebt-<pid>/ and
 * its teardown closes every enclave, moves the test process home, removes
 * the limits it set and the tree, and checks the pool is whole. Enclaves
 * are not initialised (accounting happens at create and add) except once.
 */
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "tencl.h"

#define PAGE	  4096ULL
#define ENCL_SIZE (256 * PAGE)	 /* ELRANGE; only what is added is held */
#define BIG_SIZE  (128ULL << 20) /* ELRANGE larger than the 64M pool */
#define CGFS	  "/sys/fs/cgroup"
#define EB_CGS	  EB_SYSFS "/cgroups"
#define SET_MAX	  EB_CGS "/set_max"
#define ROOT_ID	  1ULL
#define MAX_DIRS  16
#define MAX_ENCL  8

/* Page contents do not matter to accounting: zero pages, up to 64 at once. */
static uint8_t zpages[64 * PAGE] __attribute__((aligned(4096)));

FIXTURE(cg)
{
	char base[64];		 /* "/ebt-<pid>": path within cgroup2 */
	char home[PATH_MAX];	 /* cgroup.procs of where we started */
	char dirs[MAX_DIRS][96]; /* created below base, in order */
	int ndirs;
	char limits[MAX_DIRS][96]; /* limits set (relative to base) */
	int nlimits;
	struct tencl e[MAX_ENCL]; /* closed by the teardown */
};

/* ------------------------------------------------------------- helpers */

/* /sys/fs/cgroup/ebt-<pid>[/rel][/file] */
static char *cgfs(FIXTURE_DATA(cg) * self, const char *rel, const char *file, char *buf,
		  size_t size)
{
	snprintf(buf, size, CGFS "%s%s%s%s%s", self->base, rel && *rel ? "/" : "", rel ? rel : "",
		 file ? "/" : "", file ? file : "");
	return buf;
}

/* The cgroup id of a directory: its inode number. */
static uint64_t cg_id(FIXTURE_DATA(cg) * self, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	if (stat(cgfs(self, rel, NULL, path, sizeof(path)), &st))
		return 0;
	return st.st_ino;
}

/* mkdir below base (rel "" is base itself); returns the new cgroup's id. */
static uint64_t cg_mk(FIXTURE_DATA(cg) * self, const char *rel)
{
	char path[PATH_MAX];

	if (mkdir(cgfs(self, rel, NULL, path, sizeof(path)), 0755))
		return 0;
	if (self->ndirs < MAX_DIRS)
		snprintf(self->dirs[self->ndirs++], sizeof(self->dirs[0]), "%s", rel);
	return cg_id(self, rel);
}

static int cg_rmdir(FIXTURE_DATA(cg) * self, const char *rel)
{
	char path[PATH_MAX];

	return rmdir(cgfs(self, rel, NULL, path, sizeof(path))) ? -errno : 0;
}

/* Move the calling process into base/rel, or home for rel == NULL. */
static int cg_enter(FIXTURE_DATA(cg) * self, const char *rel)
{
	char path[PATH_MAX], pid[32];

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (!rel)
		return eb_write_file(self->home, pid);
	return eb_write_file(cgfs(self, rel, "cgroup.procs", path, sizeof(path)), pid);
}

/* set_max "<base>/<rel> <val>"; remembered so the teardown removes it. */
static int cg_set_max(FIXTURE_DATA(cg) * self, const char *rel, const char *val)
{
	char buf[PATH_MAX];
	int ret, i;

	snprintf(buf, sizeof(buf), "%s/%s %s", self->base, rel, val);
	ret = eb_write_file(SET_MAX, buf);
	if (ret)
		return ret;
	for (i = 0; i < self->nlimits; i++)
		if (!strcmp(self->limits[i], rel))
			return 0;
	if (self->nlimits < MAX_DIRS)
		snprintf(self->limits[self->nlimits++], sizeof(self->limits[0]), "%s", rel);
	return 0;
}

static char *ent(uint64_t id, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, EB_CGS "/%llu%s%s", (unsigned long long)id, file ? "/" : "",
		 file ? file : "");
	return buf;
}

/* The accounting entry of cgroup @id is in sysfs. */
static bool ent_has(uint64_t id)
{
	char path[PATH_MAX];

	return access(ent(id, NULL, path, sizeof(path)), F_OK) == 0;
}

/* A number from an entry: 0 when there is no entry, UINT64_MAX if unreadable. */
static uint64_t ev(uint64_t id, const char *file)
{
	char path[PATH_MAX];
	uint64_t v;

	if (!ent_has(id))
		return 0;
	v = eb_read_u64(ent(id, file, path, sizeof(path)));
	if (v == UINT64_MAX && !ent_has(id))
		return 0;
	return v;
}

/* A file of an entry as text (max, path); "" when absent. */
static const char *es(uint64_t id, const char *file)
{
	static char buf[8][PATH_MAX];
	static int n;
	char path[PATH_MAX], *b = buf[n++ % 8];

	if (eb_read_file(ent(id, file, path, sizeof(path)), b, PATH_MAX) < 0)
		b[0] = 0;
	return b;
}

/* Poll for @id's entry to be gone (or present), up to @ms milliseconds. */
static bool ent_wait(uint64_t id, bool present, int ms)
{
	for (int i = 0; i <= ms / 20; i++) {
		if (ent_has(id) == present)
			return true;
		usleep(20000);
	}
	return false;
}

static uint64_t pool_used(void)
{
	return eb_read_u64(EB_SYSFS "/pool/total_bytes") - eb_read_u64(EB_SYSFS "/pool/free_bytes");
}

/* Add @n zero pages from page @first on; 0 or -errno. */
static int addn(struct tencl *t, unsigned int first, unsigned int n)
{
	return tencl_add(t, first * PAGE, TENCL_RW, zpages, n * PAGE, false);
}

/* EPC pages the enclave holds (SECS included), or 0. */
static uint64_t held(struct tencl *t)
{
	struct eb_enclave_info info;

	return tencl_info(t, &info) ? 0 : info.pages;
}

/* Add @n pages at page @first to an enclave known by fd only; 0 or -errno. */
static int add_raw(int fd, unsigned int first, unsigned int n)
{
	struct eb_secinfo si = { .flags = TENCL_RW };
	struct eb_enclave_add_pages add = {
		.src = (uintptr_t)zpages,
		.offset = first * PAGE,
		.length = n * PAGE,
		.secinfo = (uintptr_t)&si,
	};

	return ioctl(fd, EB_IOC_ENCLAVE_ADD_PAGES, &add) ? -errno : 0;
}

/* How many bytes a read of the whole file gives. */
static ssize_t file_len(const char *path)
{
	char raw[PATH_MAX];
	ssize_t len;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	len = read(fd, raw, sizeof(raw));
	close(fd);
	return len;
}

static uint64_t charged_to(struct tencl *t)
{
	struct eb_enclave_info info;

	return tencl_info(t, &info) ? 0 : info.cgroup_id;
}

/* Create an enclave of @size while in base/rel, then go home; 0 or -errno. */
static int create_in_size(FIXTURE_DATA(cg) * self, const char *rel, struct tencl *t, uint64_t size)
{
	int ret = cg_enter(self, rel);

	if (ret)
		return ret;
	ret = tencl_create(t, size, 0);
	if (cg_enter(self, NULL))
		return -EPROTO;
	return ret;
}

static int create_in(FIXTURE_DATA(cg) * self, const char *rel, struct tencl *t)
{
	return create_in_size(self, rel, t, ENCL_SIZE);
}

/* EB_IOC_ENCLAVE_CREATE on an open fd, ELRANGE at a (likely free) aligned address. */
static int create_raw(int fd, struct eb_secs *secs, uint64_t size)
{
	tencl_secs(secs, 0x7e0000000000ULL, size, 0);
	return ioctl(fd, EB_IOC_ENCLAVE_CREATE,
		     &(struct eb_enclave_create){ .src = (uintptr_t)secs })
		   ? -errno
		   : 0;
}

static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int send_fd(int sock, int fd)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int set_cgroup(int devfd, int cgfd, uint32_t flags)
{
	struct eb_enclave_set_cgroup s = { .cgroup_fd = cgfd, .flags = flags };

	return ioctl(devfd, EB_IOC_ENCLAVE_SET_CGROUP, &s) ? -errno : 0;
}

/*
 * A new /dev/ebroker fd whose enclave will be charged to <base>/<rel>
 * (SET_CGROUP through a directory fd, closed again); -errno on failure.
 */
static int dev_charging(FIXTURE_DATA(cg) * self, const char *rel)
{
	char path[PATH_MAX];
	int dev, fd, ret;

	dev = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = open(cgfs(self, rel, NULL, path, sizeof(path)), O_RDONLY | O_DIRECTORY);
	ret = fd < 0 ? -errno : set_cgroup(dev, fd, 0);
	if (fd >= 0)
		close(fd);
	if (ret) {
		close(dev);
		return ret;
	}
	return dev;
}

/* ------------------------------------------------------------- fixture */

FIXTURE_SETUP(cg)
{
	char buf[PATH_MAX], *p;

	for (int i = 0; i < MAX_ENCL; i++)
		self->e[i].fd = -1;
	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "ebroker not loaded");
	if (access(CGFS "/cgroup.procs", F_OK))
		SKIP(return, "no cgroup2 at " CGFS);
	ASSERT_EQ(0, eb_read_file("/proc/self/cgroup", buf, sizeof(buf)));
	p = strstr(buf, "0::");
	ASSERT_NE(NULL, p);
	p += 3;
	p[strcspn(p, "\n")] = 0;
	snprintf(self->home, sizeof(self->home), CGFS "%s%scgroup.procs", p,
		 strcmp(p, "/") ? "/" : "");
	snprintf(self->base, sizeof(self->base), "/ebt-%d", getpid());
	ASSERT_NE(0, cg_mk(self, ""));
}

FIXTURE_TEARDOWN(cg)
{
	char path[PATH_MAX], buf[PATH_MAX];

	for (int i = 0; i < MAX_ENCL; i++)
		tencl_close(&self->e[i]);
	if (!self->ndirs)
		return;
	cg_enter(self, NULL);
	for (int i = 0; i < self->nlimits; i++) {
		snprintf(buf, sizeof(buf), "%s/%s max", self->base, self->limits[i]);
		eb_write_file(SET_MAX, buf);
	}
	/* Stray children of a failed test. */
	eb_write_file(cgfs(self, "", "cgroup.kill", path, sizeof(path)), "1");
	for (int i = self->ndirs - 1; i >= 0; i--) {
		for (int tries = 0; tries < 100; tries++) {
			int ret = cg_rmdir(self, self->dirs[i]);

			if (ret != -EBUSY)
				break;
			usleep(20000);
		}
	}
	EXPECT_TRUE(eb_pool_is_full());
	EXPECT_EQ(0, ev(ROOT_ID, "current"));
}

/* ------------------------------------------------------------- 0 */

/* An entry has exactly the documented files, and set_max sits beside them. */
TEST_F(cg, entry_files)
{
	static const char *const want[] = { "enclaves", "events", "events_local", "current",
					    "max",	"path",	  "peak" };
	char path[PATH_MAX];
	struct dirent *d;
	uint64_t x;
	DIR *dir;
	int n = 0;

	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_EQ(0, access(SET_MAX, F_OK));
	ASSERT_EQ(0, cg_set_max(self, "x", "1M"));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_EQ(0, access(ent(x, want[i], path, sizeof(path)), R_OK))
		TH_LOG("no file \"%s\" in %s", want[i], ent(x, NULL, path, sizeof(path)));
	}
	dir = opendir(ent(x, NULL, path, sizeof(path)));
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		bool known = false;

		if (d->d_name[0] == '.')
			continue;
		n++;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			known |= !strcmp(d->d_name, want[i]);
		EXPECT_TRUE(known) TH_LOG("unexpected file \"%s\"", d->d_name);
	}
	closedir(dir);
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), n);
}

/*
 * A tenant cannot read another tenant's figures in sysfs: every file of an
 * entry is root's alone (0400), its own entry's too, since sysfs cannot
 * tell readers apart; the pool stays world readable. Netlink GET_CGROUP is
 * how a tenant reads its own cgroups (netlink_test).
 */
TEST_F(cg, entry_files_root_only)
{
	static const char *const files[] = { "enclaves", "events", "events_local", "current",
					     "max",	 "path",   "peak" };
	char path[PATH_MAX];
	struct stat st;
	uint64_t x;
	pid_t pid;

	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_NE(0, cg_mk(self, "y"));
	ASSERT_EQ(0, cg_set_max(self, "x", "1M"));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ASSERT_EQ(0, stat(ent(x, files[i], path, sizeof(path)), &st));
		EXPECT_EQ(0400, st.st_mode & 07777) TH_LOG("mode of %s", files[i]);
		EXPECT_EQ(0, st.st_uid);
	}
	/* A tenant in the sibling y, and one in x itself. */
	for (int in_x = 0; in_x < 2; in_x++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			char buf[64];
			int fd;

			if (cg_enter(self, in_x ? "x" : "y") || setgroups(0, NULL) ||
			    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				_exit(100);
			for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
				fd = open(ent(x, files[i], path, sizeof(path)), O_RDONLY);
				if (fd >= 0 || errno != EACCES)
					_exit(1 + i);
			}
			if (eb_read_file(EB_SYSFS "/pool/free_bytes", buf, sizeof(buf)))
				_exit(50);
			_exit(0);
		}
		EXPECT_EQ(0, wait_status(pid)) TH_LOG("tenant in %s", in_x ? "x" : "y");
	}
}

/* ------------------------------------------------------------- 1 */

struct result {
	int err;
	uint64_t pages, cgid;
	uint32_t state;
};

/*
 * A child in a leaf three levels down builds an enclave (and initialises it):
 * the leaf and each ancestor are charged exactly (N + 1) pages while it
 * lives, and nothing after it is closed.
 */
TEST_F(cg, charge_basics)
{
	const char *lv[] = { "", "l1", "l1/l2", "l1/l2/leaf" };
	uint64_t id[5], before[5], pool0;
	const unsigned int n = 7;
	int c2p[2], p2c[2];
	struct result r;
	char want[PATH_MAX], buf[PATH_MAX];
	pid_t pid;

	ASSERT_NE(0, cg_mk(self, "l1"));
	ASSERT_NE(0, cg_mk(self, "l1/l2"));
	ASSERT_NE(0, cg_mk(self, "l1/l2/leaf"));
	for (int i = 0; i < 4; i++)
		id[i] = cg_id(self, lv[i]);
	id[4] = ROOT_ID;
	for (int i = 0; i < 5; i++)
		before[i] = ev(id[i], "current");
	for (int i = 0; i < 4; i++)
		EXPECT_FALSE(ent_has(id[i]));
	pool0 = pool_used();

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct eb_enclave_info info;
		struct tencl t;
		char c;

		memset(&r, 0, sizeof(r));
		r.err = cg_enter(self, lv[3]);
		if (!r.err)
			r.err = tencl_create(&t, ENCL_SIZE, 0);
		if (!r.err)
			r.err = addn(&t, 0, n);
		if (!r.err)
			r.err = tencl_finish(&t);
		if (!r.err)
			r.err = tencl_info(&t, &info);
		if (!r.err) {
			r.pages = info.pages;
			r.cgid = info.cgroup_id;
			r.state = info.state;
		}
		if (write(c2p[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		if (read(p2c[0], &c, 1) != 1)
			_exit(3);
		tencl_close(&t);
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(sizeof(r), read(c2p[0], &r, sizeof(r)));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(n + 1, r.pages);
	EXPECT_EQ(id[3], r.cgid);
	EXPECT_EQ(EB_STATE_INITIALIZED, r.state);

	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(before[i] + (n + 1) * PAGE, ev(id[i], "current"))
		TH_LOG("level %d (id %llu)", i, (unsigned long long)id[i]);
	}
	EXPECT_EQ((n + 1) * PAGE, pool_used() - pool0);
	EXPECT_EQ(1, ev(id[3], "enclaves"));
	EXPECT_EQ(0, ev(id[2], "enclaves")); /* direct charges only */
	EXPECT_EQ(0, ev(id[0], "enclaves"));
	EXPECT_EQ((n + 1) * PAGE, ev(id[3], "peak"));
	EXPECT_EQ((n + 1) * PAGE, ev(id[1], "peak"));
	EXPECT_STREQ("max\n", es(id[3], "max"));
	EXPECT_STREQ("max\n", es(id[0], "max"));
	EXPECT_EQ(0, ev(id[3], "events"));
	EXPECT_EQ(0, ev(id[3], "events_local"));
	snprintf(want, sizeof(want), "%s/l1/l2/leaf\n", self->base);
	EXPECT_STREQ(want, es(id[3], "path"));
	/* The path file holds the path and a newline, no NUL byte. */
	EXPECT_EQ(strlen(want), file_len(ent(id[3], "path", buf, sizeof(buf))))
	TH_LOG("the path file carries a trailing NUL byte");
	EXPECT_STREQ("/\n", es(ROOT_ID, "path"));

	ASSERT_EQ(1, write(p2c[1], "x", 1));
	EXPECT_EQ(0, wait_status(pid));
	close(c2p[0]);
	close(p2c[1]);

	for (int i = 0; i < 5; i++)
		EXPECT_EQ(before[i], ev(id[i], "current"));
	EXPECT_EQ(pool0, pool_used());
	/* Nothing charged and no limit: every entry of the tree is gone. */
	for (int i = 0; i < 4; i++)
		EXPECT_FALSE(ent_has(id[i]));
}

/*
 * The charge target is fixed at create: pages added after the creator moved
 * to another cgroup, or by a process elsewhere holding the fd, still go to
 * the first cgroup.
 */
TEST_F(cg, charge_target_fixed_at_create)
{
	struct tencl *t = &self->e[0];
	uint64_t x, y;
	pid_t pid;

	x = cg_mk(self, "x");
	y = cg_mk(self, "y");
	ASSERT_NE(0, x);
	ASSERT_NE(0, y);
	ASSERT_EQ(0, create_in(self, "x", t));
	ASSERT_EQ(0, cg_enter(self, "y"));
	EXPECT_EQ(0, addn(t, 0, 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(addn(t, 2, 3) ? 1 : 0);
	EXPECT_EQ(0, wait_status(pid));
	ASSERT_EQ(0, cg_enter(self, NULL));
	EXPECT_EQ(x, charged_to(t));
	EXPECT_EQ(6 * PAGE, ev(x, "current"));
	EXPECT_EQ(1, ev(x, "enclaves"));
	EXPECT_FALSE(ent_has(y));
	EXPECT_EQ(0, ev(y, "current"));
	tencl_close(t);
	EXPECT_FALSE(ent_has(x));
}

/* ------------------------------------------------------------- 2 */

/*
 * base/a (64K) / b (no limit) / c (48K), and d beside c. c is stopped by its
 * own limit, d by a's; refusals count in events_local at the limiting level
 * and in events from there up; peaks hold; nothing refused stays charged.
 */
TEST_F(cg, nested_limits)
{
	struct tencl *e1 = &self->e[0], *e2 = &self->e[1], *e3 = &self->e[2];
	uint64_t base, a, b, c, d, root_ev0, pool0;

	base = cg_id(self, "");
	a = cg_mk(self, "a");
	b = cg_mk(self, "a/b");
	c = cg_mk(self, "a/b/c");
	d = cg_mk(self, "a/b/d");
	ASSERT_TRUE(a && b && c && d);
	ASSERT_EQ(0, cg_set_max(self, "a", "64K"));
	ASSERT_EQ(0, cg_set_max(self, "a/b/c", "48K"));
	EXPECT_STREQ("65536\n", es(a, "max"));
	EXPECT_STREQ("49152\n", es(c, "max"));
	EXPECT_STREQ("max\n", es(b, "max")); /* there as c's parent */
	EXPECT_STREQ("max\n", es(base, "max"));
	EXPECT_FALSE(ent_has(d));
	root_ev0 = ev(ROOT_ID, "events");
	pool0 = pool_used();

	/* c: SECS + 11 pages fill its 48K; the 12th page is refused at c. */
	ASSERT_EQ(0, create_in(self, "a/b/c", e1));
	EXPECT_EQ(-EDQUOT, addn(e1, 0, 16));
	EXPECT_EQ(12, held(e1));
	EXPECT_EQ(48 * 1024, ev(c, "current"));
	EXPECT_EQ(48 * 1024, ev(b, "current"));
	EXPECT_EQ(48 * 1024, ev(a, "current"));
	EXPECT_EQ(48 * 1024, ev(base, "current"));
	EXPECT_EQ(48 * 1024, pool_used() - pool0);
	EXPECT_EQ(1, ev(c, "events_local"));
	EXPECT_EQ(1, ev(c, "events"));
	EXPECT_EQ(1, ev(b, "events"));
	EXPECT_EQ(1, ev(a, "events"));
	EXPECT_EQ(1, ev(base, "events"));
	EXPECT_EQ(root_ev0 + 1, ev(ROOT_ID, "events"));
	EXPECT_EQ(0, ev(b, "events_local"));
	EXPECT_EQ(0, ev(a, "events_local"));
	EXPECT_EQ(0, ev(base, "events_local"));

	/* d: a has 16K left: SECS + 3 pages, then refused at a's limit. */
	ASSERT_EQ(0, create_in(self, "a/b/d", e2));
	EXPECT_EQ(-EDQUOT, addn(e2, 0, 8));
	EXPECT_EQ(4, held(e2));
	EXPECT_EQ(16 * 1024, ev(d, "current"));
	EXPECT_EQ(64 * 1024, ev(b, "current"));
	EXPECT_EQ(64 * 1024, ev(a, "current"));
	EXPECT_EQ(64 * 1024, ev(base, "current"));
	EXPECT_EQ(64 * 1024, pool_used() - pool0);
	EXPECT_EQ(1, ev(a, "events_local"));
	EXPECT_EQ(2, ev(a, "events"));
	EXPECT_EQ(2, ev(base, "events"));
	EXPECT_EQ(root_ev0 + 2, ev(ROOT_ID, "events"));
	EXPECT_EQ(0, ev(d, "events")); /* below the limiting level */
	EXPECT_EQ(0, ev(d, "events_local"));
	EXPECT_EQ(1, ev(b, "events"));
	EXPECT_EQ(1, ev(c, "events"));
	EXPECT_EQ(1, ev(c, "events_local"));

	/* A create in c: the SECS page is refused at c (checked first). */
	EXPECT_EQ(-EDQUOT, create_in(self, "a/b/c", e3));
	tencl_close(e3);
	EXPECT_EQ(2, ev(c, "events_local"));
	EXPECT_EQ(2, ev(c, "events"));
	EXPECT_EQ(2, ev(b, "events"));
	EXPECT_EQ(3, ev(a, "events"));
	EXPECT_EQ(1, ev(a, "events_local"));
	EXPECT_EQ(1, ev(c, "enclaves"));
	EXPECT_EQ(48 * 1024, ev(c, "current"));
	EXPECT_EQ(64 * 1024, ev(a, "current"));

	/* Peaks: the highest usage each level actually had. */
	EXPECT_EQ(48 * 1024, ev(c, "peak"));
	EXPECT_EQ(64 * 1024, ev(a, "peak"));
	EXPECT_EQ(64 * 1024, ev(base, "peak"));
	EXPECT_EQ(64 * 1024, ev(b, "peak"))
	TH_LOG("b's peak counts a page refused by a's limit: b never held it");
	EXPECT_EQ(16 * 1024, ev(d, "peak"))
	TH_LOG("d's peak counts a page refused by a's limit: d never held it");

	/* Close c's enclave: usage falls, peaks stay. */
	tencl_close(e1);
	EXPECT_EQ(0, ev(c, "current"));
	EXPECT_EQ(16 * 1024, ev(b, "current"));
	EXPECT_EQ(16 * 1024, ev(a, "current"));
	EXPECT_EQ(48 * 1024, ev(c, "peak"));
	EXPECT_EQ(64 * 1024, ev(a, "peak"));
	EXPECT_EQ(0, ev(c, "enclaves"));
	EXPECT_TRUE(ent_has(c)); /* its limit keeps it */

	tencl_close(e2);
	EXPECT_EQ(0, ev(a, "current"));
	EXPECT_EQ(0, ev(base, "current"));
	EXPECT_EQ(pool0, pool_used());
	EXPECT_FALSE(ent_has(d)); /* nothing charged, no limit */
	EXPECT_TRUE(ent_has(b));  /* c's parent */
	EXPECT_EQ(2, ev(c, "events_local"));
	EXPECT_EQ(3, ev(a, "events"));
}

/* ------------------------------------------------------------- 3 */

/* Lowering a limit below usage evicts nothing; the next page is refused. */
TEST_F(cg, lowered_limit_does_not_evict)
{
	struct tencl *t = &self->e[0], *t2 = &self->e[1];
	uint64_t x, pool0 = pool_used();
	struct eb_secs secs;

	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_EQ(0, cg_set_max(self, "x", "1M"));
	ASSERT_EQ(0, create_in(self, "x", t));
	ASSERT_EQ(0, addn(t, 0, 15));
	EXPECT_EQ(64 * 1024, ev(x, "current"));

	ASSERT_EQ(0, cg_set_max(self, "x", "32K"));
	EXPECT_STREQ("32768\n", es(x, "max"));
	EXPECT_EQ(64 * 1024, ev(x, "current"));
	EXPECT_EQ(16, held(t));
	EXPECT_EQ(64 * 1024, pool_used() - pool0);
	EXPECT_EQ(0, ev(x, "events_local"));

	EXPECT_EQ(-EDQUOT, addn(t, 15, 1));
	EXPECT_EQ(-EDQUOT, create_in(self, "x", t2));
	tencl_close(t2);
	EXPECT_EQ(2, ev(x, "events_local"));
	EXPECT_EQ(64 * 1024, ev(x, "current"));
	EXPECT_EQ(16, held(t));

	/* A limit of exactly usage + 1 page allows that page and no more. */
	ASSERT_EQ(0, cg_set_max(self, "x", "69632"));
	EXPECT_EQ(0, addn(t, 15, 1));
	EXPECT_EQ(-EDQUOT, addn(t, 16, 1));
	EXPECT_EQ(68 * 1024, ev(x, "current"));
	EXPECT_EQ(68 * 1024, ev(x, "peak"));
	EXPECT_EQ(3, ev(x, "events_local"));

	/* Lifted: pages come again, and the refused create may be retried. */
	ASSERT_EQ(0, cg_set_max(self, "x", "max"));
	EXPECT_STREQ("max\n", es(x, "max"));
	EXPECT_EQ(0, addn(t, 16, 4));
	EXPECT_EQ(84 * 1024, ev(x, "current"));
	t2->fd = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, t2->fd);
	ASSERT_EQ(0, cg_set_max(self, "x", "84K"));
	ASSERT_EQ(0, cg_enter(self, "x"));
	EXPECT_EQ(-EDQUOT, create_raw(t2->fd, &secs, ENCL_SIZE));
	EXPECT_EQ(4, ev(x, "events_local"));
	EXPECT_EQ(1, ev(x, "enclaves"));
	ASSERT_EQ(0, cg_set_max(self, "x", "max"));
	EXPECT_EQ(0, create_raw(t2->fd, &secs, ENCL_SIZE));
	ASSERT_EQ(0, cg_enter(self, NULL));
	EXPECT_EQ(x, charged_to(t2));
	EXPECT_EQ(2, ev(x, "enclaves"));
	EXPECT_EQ(88 * 1024, ev(x, "current"));
	tencl_close(t2);
	tencl_close(t);
	EXPECT_TRUE(ent_wait(x, false, 1000)); /* once its refusal is reported */
}

/* ------------------------------------------------------------- 4 */

/* A limit set by path on an unused cgroup shows up and holds from the start. */
TEST_F(cg, limit_before_first_use)
{
	struct tencl *t = &self->e[0];
	uint64_t p, q;
	char want[PATH_MAX];

	p = cg_mk(self, "p");
	q = cg_mk(self, "p/q");
	ASSERT_TRUE(p && q);
	EXPECT_FALSE(ent_has(q));
	EXPECT_FALSE(ent_has(p));

	/* As echo writes it, with a newline. */
	ASSERT_EQ(0, cg_set_max(self, "p/q", "16K\n"));
	ASSERT_TRUE(ent_has(q));
	EXPECT_STREQ("16384\n", es(q, "max"));
	EXPECT_EQ(0, ev(q, "current"));
	EXPECT_EQ(0, ev(q, "peak"));
	EXPECT_EQ(0, ev(q, "enclaves"));
	EXPECT_EQ(0, ev(q, "events"));
	snprintf(want, sizeof(want), "%s/p/q\n", self->base);
	EXPECT_STREQ(want, es(q, "path"));
	EXPECT_TRUE(ent_has(p));
	EXPECT_STREQ("max\n", es(p, "max"));

	/* The first enclave gets SECS + 3 pages. */
	ASSERT_EQ(0, create_in(self, "p/q", t));
	EXPECT_EQ(-EDQUOT, addn(t, 0, 8));
	EXPECT_EQ(4, held(t));
	EXPECT_EQ(16 * 1024, ev(q, "current"));
	EXPECT_EQ(16 * 1024, ev(p, "current"));
	EXPECT_EQ(1, ev(q, "events_local"));
	tencl_close(t);
	EXPECT_TRUE(ent_has(q)); /* the limit keeps it */
	EXPECT_EQ(0, ev(q, "current"));

	/* "max" removes the limit; with nothing charged the entries go. */
	ASSERT_EQ(0, cg_set_max(self, "p/q", "max\n"));
	EXPECT_TRUE(ent_wait(q, false, 1000)); /* once its refusal is reported */
	EXPECT_TRUE(ent_wait(p, false, 1000));

	/* And "max" on a cgroup with no entry creates none. */
	ASSERT_EQ(0, cg_set_max(self, "p/q", "max"));
	EXPECT_FALSE(ent_has(q));
}

/* ------------------------------------------------------------- 5 */

/*
 * A child in x builds an enclave and passes its fd up; x is removed while the
 * enclave lives. The entry stays, still counted in its parent, until the fd
 * is closed.
 */
TEST_F(cg, removed_cgroup_with_live_enclave)
{
	uint64_t p, x, pool0 = pool_used();
	struct eb_enclave_info info;
	char path[PATH_MAX];
	int sv[2], fd;
	pid_t pid;

	p = cg_mk(self, "p");
	x = cg_mk(self, "p/x");
	ASSERT_TRUE(p && x);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tencl t;

		close(sv[0]);
		if (cg_enter(self, "p/x"))
			_exit(2);
		if (tencl_create(&t, ENCL_SIZE, 0) || addn(&t, 0, 3))
			_exit(3);
		if (send_fd(sv[1], t.fd))
			_exit(4);
		_exit(0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	EXPECT_EQ(0, wait_status(pid));
	ASSERT_LE(0, fd);
	EXPECT_EQ(16 * 1024, ev(x, "current"));

	/* x is empty of processes: it can go. */
	ASSERT_EQ(0, cg_rmdir(self, "p/x"));
	EXPECT_EQ(-1, access(cgfs(self, "p/x", NULL, path, sizeof(path)), F_OK));
	ASSERT_TRUE(ent_has(x));
	EXPECT_EQ(16 * 1024, ev(x, "current"));
	EXPECT_EQ(1, ev(x, "enclaves"));
	EXPECT_EQ(16 * 1024, ev(p, "current"));
	EXPECT_EQ(16 * 1024, pool_used() - pool0);
	ASSERT_EQ(0, ioctl(fd, EB_IOC_ENCLAVE_INFO, &info));
	EXPECT_EQ(x, info.cgroup_id);
	EXPECT_EQ(4, info.pages);
	/* Its path cannot be limited any more. */
	EXPECT_EQ(-ENOENT, cg_set_max(self, "p/x", "1M"));

	/* The enclave may still grow: charged to the removed cgroup and up. */
	EXPECT_EQ(0, add_raw(fd, 3, 1));
	EXPECT_EQ(20 * 1024, ev(x, "current"));
	EXPECT_EQ(20 * 1024, ev(p, "current"));

	close(fd);
	EXPECT_FALSE(ent_has(x));
	EXPECT_EQ(0, ev(p, "current"));
	EXPECT_FALSE(ent_has(p));
	EXPECT_EQ(pool0, pool_used());
}

/*
 * The limit of a removed cgroup is dropped (by the reaper, every 2 s) in
 * every view at once: sysfs shows "max", and an enclave still charged there
 * grows past the old limit. The reaper used to drop only its own
 * bookkeeping, so the charge path kept refusing at the old limit, and sysfs
 * kept showing it, long after the netlink dump of limited cgroups had
 * stopped listing the cgroup.
 */
TEST_F(cg, limit_of_removed_cgroup_dropped_everywhere)
{
	struct tencl *t = &self->e[0];
	uint64_t x;

	x = cg_mk(self, "x");
	ASSERT_TRUE(x);
	ASSERT_EQ(0, cg_set_max(self, "x", "16K"));
	ASSERT_EQ(0, create_in(self, "x", t));
	ASSERT_EQ(0, addn(t, 0, 3)); /* with the SECS: 16 KiB, the limit */
	EXPECT_EQ(-EDQUOT, addn(t, 3, 1));
	ASSERT_EQ(0, cg_rmdir(self, "x"));
	for (int i = 0; i < 300 && strcmp(es(x, "max"), "max\n"); i++)
		usleep(20000);
	EXPECT_STREQ("max\n", es(x, "max")) TH_LOG("the removed cgroup's limit is still shown");
	EXPECT_EQ(0, addn(t, 3, 1)) TH_LOG("the removed cgroup's limit still refuses a page");
	EXPECT_EQ(20 * 1024, ev(x, "current"));
	tencl_close(t);
	EXPECT_TRUE(ent_wait(x, false, 5000));
}

/*
 * Nothing new is charged to a removed cgroup, not even one that live
 * enclaves still hold: CREATE for it fails with ENOENT, while those enclaves
 * keep their charge and may still grow. No process can be in a removed
 * cgroup; only a choice made before the rmdir can name it.
 */
TEST_F(cg, no_new_enclave_in_removed_cgroup)
{
	struct tencl *t = &self->e[0], *t2 = &self->e[1];
	int dev, ret;
	uint64_t x;

	x = cg_mk(self, "x");
	ASSERT_TRUE(x);
	ASSERT_EQ(0, create_in(self, "x", t));
	ASSERT_EQ(0, addn(t, 0, 1));
	dev = dev_charging(self, "x");
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, cg_rmdir(self, "x"));
	ASSERT_TRUE(ent_has(x));
	EXPECT_EQ(1, ev(x, "enclaves"));
	ret = tencl_create_fd(t2, dev, ENCL_SIZE, 0);
	EXPECT_EQ(-ENOENT, ret)
	TH_LOG("create charging a removed cgroup with a live enclave: %d (%s)", ret,
	       strerror(-ret));
	tencl_close(t2);
	EXPECT_EQ(1, ev(x, "enclaves"));
	EXPECT_EQ(8 * 1024, ev(x, "current"));
	EXPECT_EQ(0, addn(t, 1, 1));
	EXPECT_EQ(12 * 1024, ev(x, "current"));
	tencl_close(t);
	EXPECT_TRUE(ent_wait(x, false, 5000));
}

/* ------------------------------------------------------------- 6 */

#define KIDS	 4
#define KID_ENCL 10

struct kid_report {
	int err;
	uint64_t pages;	   /* EPC pages held at the end of the build */
	uint64_t enclaves; /* enclaves created */
	uint64_t refusals; /* EDQUOT seen */
};

/* Build KID_ENCL enclaves of SECS + 3 pages, keeping every one. */
static struct kid_report kid_build(struct tencl *t)
{
	struct kid_report r = { 0 };
	int ret;

	for (int i = 0; i < KID_ENCL; i++) {
		ret = tencl_create(&t[i], ENCL_SIZE, 0);
		if (ret == -EDQUOT) {
			r.refusals++;
			tencl_close(&t[i]);
			continue;
		}
		if (ret) {
			r.err = ret;
			return r;
		}
		r.enclaves++;
		ret = addn(&t[i], 0, 3);
		if (ret == -EDQUOT)
			r.refusals++;
		else if (ret)
			r.err = ret;
		r.pages += held(&t[i]);
	}
	return r;
}

/*
 * Four children, each in its own cgroup under a limited parent, build at the
 * same time; some hit their own limit, some the parent's. Every level's
 * figures add up, refusals are counted once each, and all goes back to 0.
 */
TEST_F(cg, concurrent_children)
{
	static const char *const w[KIDS] = { "par/w0", "par/w1", "par/w2", "par/w3" };
	static const char *const lim[KIDS] = { NULL, "40K", "100K", NULL };
	struct kid_report r[KIDS];
	uint64_t par, id[KIDS], peak[KIDS], pool0 = pool_used();
	uint64_t sum_pages = 0, sum_ref = 0, sum_local = 0;
	int start[2], rep[KIDS][2], go[2];
	pid_t pid[KIDS];

	par = cg_mk(self, "par");
	ASSERT_NE(0, par);
	ASSERT_EQ(0, cg_set_max(self, "par", "384K")); /* 96 pages of the 115 asked */
	for (int i = 0; i < KIDS; i++) {
		id[i] = cg_mk(self, w[i]);
		ASSERT_NE(0, id[i]);
		if (lim[i])
			ASSERT_EQ(0, cg_set_max(self, w[i], lim[i]));
	}
	ASSERT_EQ(0, pipe(start));
	ASSERT_EQ(0, pipe(go));
	for (int i = 0; i < KIDS; i++) {
		ASSERT_EQ(0, pipe(rep[i]));
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct tencl t[KID_ENCL];
			struct kid_report kr = { 0 };
			char c;

			memset(t, 0, sizeof(t));
			for (int j = 0; j < KID_ENCL; j++)
				t[j].fd = -1;
			close(start[1]);
			close(go[1]);
			kr.err = cg_enter(self, w[i]);
			/* Wait for all to be ready: the pipe closes. */
			if (read(start[0], &c, 1) != 0)
				_exit(2);
			if (!kr.err)
				kr = kid_build(t);
			if (write(rep[i][1], &kr, sizeof(kr)) != sizeof(kr))
				_exit(3);
			if (read(go[0], &c, 1) != 0)
				_exit(4);
			for (int j = 0; j < KID_ENCL; j++)
				tencl_close(&t[j]);
			_exit(0);
		}
		close(rep[i][1]);
	}
	close(start[0]);
	close(go[0]);
	close(start[1]); /* go */

	for (int i = 0; i < KIDS; i++) {
		ASSERT_EQ(sizeof(r[i]), read(rep[i][0], &r[i], sizeof(r[i])));
		close(rep[i][0]);
		EXPECT_EQ(0, r[i].err);
		sum_pages += r[i].pages;
		sum_ref += r[i].refusals;
		TH_LOG("%s: %llu pages in %llu enclaves, %llu refusals", w[i],
		       (unsigned long long)r[i].pages, (unsigned long long)r[i].enclaves,
		       (unsigned long long)r[i].refusals);
	}

	/* All built and held: every level matches what the children hold. */
	for (int i = 0; i < KIDS; i++) {
		uint64_t cur = ev(id[i], "current");

		EXPECT_EQ(r[i].pages * PAGE, cur);
		EXPECT_EQ(r[i].enclaves, ev(id[i], "enclaves"));
		peak[i] = ev(id[i], "peak");
		/* Nothing was freed yet: the peak is the usage. */
		EXPECT_EQ(cur, peak[i]) TH_LOG("%s", w[i]);
		EXPECT_EQ(ev(id[i], "events_local"), ev(id[i], "events"));
		sum_local += ev(id[i], "events_local");
	}
	EXPECT_GE(40 * 1024, ev(id[1], "current"));
	EXPECT_GE(100 * 1024, ev(id[2], "current"));
	EXPECT_EQ(sum_pages * PAGE, ev(par, "current"));
	EXPECT_GE(384 * 1024, ev(par, "current"));
	EXPECT_EQ(ev(par, "current"), ev(par, "peak"));
	EXPECT_EQ(sum_pages * PAGE, pool_used() - pool0);
	/* 115 pages asked, 96 allowed: refusals happened; each counted once. */
	EXPECT_LT(0, sum_ref);
	sum_local += ev(par, "events_local");
	EXPECT_EQ(sum_ref, sum_local);
	EXPECT_EQ(sum_ref, ev(par, "events"));
	EXPECT_EQ(sum_ref, ev(cg_id(self, ""), "events"));
	EXPECT_EQ(0, ev(cg_id(self, ""), "events_local"));

	close(go[1]);
	for (int i = 0; i < KIDS; i++)
		EXPECT_EQ(0, wait_status(pid[i]));

	for (int i = 0; i < KIDS; i++) {
		EXPECT_EQ(0, ev(id[i], "current"));
		EXPECT_EQ(0, ev(id[i], "enclaves"));
	}
	EXPECT_FALSE(ent_has(id[0]));
	EXPECT_FALSE(ent_has(id[3]));
	EXPECT_EQ(peak[1], ev(id[1], "peak"));
	EXPECT_EQ(peak[2], ev(id[2], "peak"));
	EXPECT_EQ(0, ev(par, "current"));
	EXPECT_EQ(0, ev(cg_id(self, ""), "current"));
	EXPECT_EQ(pool0, pool_used());
}

/* ------------------------------------------------------------- 7 */

/* Drop CAP_SYS_ADMIN from the effective and permitted sets, staying uid 0. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].inheritable &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

/*
 * EB_IOC_ENCLAVE_SET_CGROUP: the named cgroup is charged, not the caller's;
 * only for CAP_SYS_ADMIN; only a cgroup v2 directory; only before create.
 */
TEST_F(cg, set_cgroup_target)
{
	struct tencl *t = &self->e[0], *t2 = &self->e[1], *t3 = &self->e[2];
	uint64_t caller, tgt, tgt2, gone;
	char path[PATH_MAX];
	int tfd, t2fd, dev, fd, status, ret;
	pid_t pid;

	caller = cg_mk(self, "caller");
	tgt = cg_mk(self, "tgt");
	tgt2 = cg_mk(self, "tgt2");
	gone = cg_mk(self, "gone");
	ASSERT_TRUE(caller && tgt && tgt2 && gone);
	ASSERT_EQ(0, cg_set_max(self, "tgt2", "8K"));
	tfd = open(cgfs(self, "tgt", NULL, path, sizeof(path)), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, tfd);
	t2fd = open(cgfs(self, "tgt2", NULL, path, sizeof(path)), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, t2fd);

	/* From "caller", charge "tgt". */
	ASSERT_EQ(0, cg_enter(self, "caller"));
	dev = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, set_cgroup(dev, tfd, 0));
	ASSERT_EQ(0, tencl_create_fd(t, dev, ENCL_SIZE, 0));
	EXPECT_EQ(0, addn(t, 0, 2));
	EXPECT_EQ(tgt, charged_to(t));
	EXPECT_EQ(12 * 1024, ev(tgt, "current"));
	EXPECT_EQ(1, ev(tgt, "enclaves"));
	EXPECT_FALSE(ent_has(caller));
	/* After create: too late. */
	EXPECT_EQ(-EINVAL, set_cgroup(t->fd, t2fd, 0));
	EXPECT_EQ(tgt, charged_to(t));
	ASSERT_EQ(0, cg_enter(self, NULL));

	/* The last target named before create wins; its limit applies. */
	dev = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, set_cgroup(dev, tfd, 0));
	EXPECT_EQ(0, set_cgroup(dev, t2fd, 0));
	ASSERT_EQ(0, tencl_create_fd(t2, dev, ENCL_SIZE, 0));
	EXPECT_EQ(tgt2, charged_to(t2));
	EXPECT_EQ(-EDQUOT, addn(t2, 0, 2));
	EXPECT_EQ(2, held(t2));
	EXPECT_EQ(8 * 1024, ev(tgt2, "current"));
	EXPECT_EQ(1, ev(tgt2, "events_local"));
	EXPECT_EQ(12 * 1024, ev(tgt, "current"));

	/* Bad arguments. */
	dev = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, set_cgroup(dev, tfd, 1));
	EXPECT_EQ(-EINVAL, set_cgroup(dev, tfd, 0x80000000u));
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, set_cgroup(dev, fd, 0));
	close(fd);
	fd = open(cgfs(self, "tgt", "cgroup.procs", path, sizeof(path)), O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, set_cgroup(dev, fd, 0));
	close(fd);
	fd = open("/proc/self/status", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, set_cgroup(dev, fd, 0));
	close(fd);
	EXPECT_EQ(-EBADF, set_cgroup(dev, -1, 0));
	EXPECT_EQ(-EBADF, set_cgroup(dev, 1000, 0));
	/* None of that named a target: the caller's own cgroup is charged. */
	ASSERT_EQ(0, cg_enter(self, "caller"));
	ASSERT_EQ(0, tencl_create_fd(t3, dev, ENCL_SIZE, 0));
	ASSERT_EQ(0, cg_enter(self, NULL));
	EXPECT_EQ(caller, charged_to(t3));
	EXPECT_EQ(PAGE, ev(caller, "current"));
	tencl_close(t3);

	/* Unprivileged (uid 65534, no capabilities): EPERM. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dev = open(EB_DEVICE_PATH, O_RDWR);
		if (dev < 0)
			_exit(2);
		if (setgid(65534) || setuid(65534))
			_exit(3);
		_exit(set_cgroup(dev, tfd, 0) == -EPERM ? 0 : 4);
	}
	EXPECT_EQ(0, wait_status(pid));
	/* uid 0 without CAP_SYS_ADMIN: EPERM too. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dev = open(EB_DEVICE_PATH, O_RDWR);
		if (dev < 0)
			_exit(2);
		if (drop_sys_admin())
			_exit(3);
		_exit(set_cgroup(dev, tfd, 0) == -EPERM ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	EXPECT_EQ(1, ev(tgt, "enclaves"));

	/* The target removed between SET_CGROUP and create: ENOENT per the UAPI. */
	dev = dev_charging(self, "gone");
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, cg_rmdir(self, "gone"));
	ret = tencl_create_fd(&self->e[3], dev, ENCL_SIZE, 0);
	EXPECT_EQ(-ENOENT, ret)
	TH_LOG("create charging a removed cgroup: %d (%s), the UAPI says ENOENT", ret,
	       strerror(-ret));
	tencl_close(&self->e[3]);
	EXPECT_FALSE(ent_has(gone));

	close(tfd);
	close(t2fd);
	tencl_close(t);
	tencl_close(t2);
	EXPECT_EQ(0, ev(tgt, "current"));
	EXPECT_FALSE(ent_has(tgt));
	EXPECT_EQ(0, ev(tgt2, "current"));
}

/* ------------------------------------------------------------- 8 */

/*
 * A very deep hierarchy: entries for every level are made and freed
 * without recursion (a recursive walk would overflow the kernel stack).
 *
 * Each level is made and removed from the one above it (chdir), so that the
 * test costs one path step per level, not a walk of the whole depth: under a
 * debug kernel, walking 1000 components 2000 times takes minutes. Even so,
 * 2000 cgroup mkdirs and rmdirs take about 25 s under the debug kernel on a
 * quiet host and over 30 s (the harness's default) on a loaded one: hence a
 * fixture, for a timeout of its own.
 */
FIXTURE(deep){};
FIXTURE_SETUP(deep)
{
}
FIXTURE_TEARDOWN(deep)
{
}

TEST_F_TIMEOUT(deep, hierarchy, 300)
{
	enum { DEPTH = 1000 };
	char base[64], pid[32];
	int home, status;
	struct tencl t;
	uint64_t cur;
	pid_t p;

	home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, home);
	snprintf(base, sizeof(base), "/sys/fs/cgroup/ebdeep-%d", getpid());
	ASSERT_EQ(0, mkdir(base, 0755));
	ASSERT_EQ(0, chdir(base));
	for (int i = 0; i < DEPTH; i++) {
		ASSERT_EQ(0, mkdir("a", 0755)) TH_LOG("mkdir at depth %d: %s", i, strerror(errno));
		ASSERT_EQ(0, chdir("a"));
	}
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (eb_write_file("cgroup.procs", pid))
			_exit(2);
		if (tencl_create(&t, 4 * PAGE, 0) ||
		    tencl_add(&t, 0, TENCL_RW, zpages, 2 * PAGE, true))
			_exit(3);
		/* Charged at all 1002 levels, the root included (UINT64_MAX: unreadable). */
		cur = eb_read_u64(EB_CGS "/1/current");
		if (cur == UINT64_MAX || cur < 3 * PAGE)
			_exit(4);
		tencl_close(&t);
		_exit(0);
	}
	ASSERT_EQ(p, waitpid(p, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	TH_LOG("child status %#x", status);
	for (int i = 0; i < DEPTH; i++) {
		ASSERT_EQ(0, chdir(".."));
		ASSERT_EQ(0, rmdir("a"))
		TH_LOG("rmdir at depth %d: %s", DEPTH - 1 - i, strerror(errno));
	}
	ASSERT_EQ(0, fchdir(home));
	close(home);
	ASSERT_EQ(0, rmdir(base));
	EXPECT_TRUE(eb_pool_is_full());
}

/* An EDQUOT says whose limit refused: the cgroup charged, or an ancestor. */
TEST_F(cg, refusal_names_limiting_cgroup)
{
	struct eb_secinfo si = { .flags = TENCL_RW };
	struct eb_enclave_add_pages add = {
		.src = (uintptr_t)zpages,
		.length = PAGE,
		.secinfo = (uintptr_t)&si,
		.limit_cgroup_id = 12345, /* out only: overwritten */
	};
	struct eb_enclave_create create;
	struct tencl *e = &self->e[0];
	struct eb_secs secs;
	uint64_t p, c;
	int fd;

	p = cg_mk(self, "p");
	c = cg_mk(self, "p/c");
	ASSERT_TRUE(p && c);
	ASSERT_EQ(0, cg_set_max(self, "p", "12K"));
	ASSERT_EQ(0, create_in(self, "p/c", e));
	/* A page that fits: nothing refused it. */
	ASSERT_EQ(0, ioctl(e->fd, EB_IOC_ENCLAVE_ADD_PAGES, &add));
	EXPECT_EQ(0, add.limit_cgroup_id);
	/* The SECS and 2 pages fill p's 12K: the next is refused at p, the parent. */
	add.offset = PAGE;
	add.length = 4 * PAGE;
	EXPECT_EQ(-1, ioctl(e->fd, EB_IOC_ENCLAVE_ADD_PAGES, &add));
	EXPECT_EQ(EDQUOT, errno);
	EXPECT_EQ(PAGE, add.count);
	EXPECT_EQ(p, add.limit_cgroup_id);

	/* c's own limit, below what it holds: a new SECS is refused at c itself. */
	ASSERT_EQ(0, cg_set_max(self, "p/c", "4K"));
	ASSERT_EQ(0, cg_enter(self, "p/c"));
	fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	tencl_secs(&secs, 0x7e0000000000ULL, 16 * PAGE, 0);
	create = (struct eb_enclave_create){ .src = (uintptr_t)&secs };
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_CREATE, &create));
	EXPECT_EQ(EDQUOT, errno);
	ASSERT_EQ(0, cg_enter(self, NULL));
	EXPECT_EQ(c, create.limit_cgroup_id);
	close(fd);
}

/* set_max splits at the last space: a cgroup name may contain spaces. */
TEST_F(cg, limit_on_name_with_space)
{
	uint64_t id = cg_mk(self, "with space");

	ASSERT_NE(0, id);
	ASSERT_EQ(0, cg_set_max(self, "with space", "1M"));
	EXPECT_EQ(1048576, ev(id, "max"));
	ASSERT_EQ(0, cg_set_max(self, "with space", "max"));
	EXPECT_TRUE(ent_wait(id, false, 1000));
}

/* Bad writes to set_max are refused with their own errno and change nothing. */
TEST_F(cg, set_max_bad_writes)
{
	static const struct {
		const char *fmt; /* %s: the base path */
		int err;
	} bad[] = {
		{ "%s/nope 1M", ENOENT },
		{ "%s/x/nope 1M", ENOENT },
		{ "%s/x/cgroup.procs 1M", ENOENT },
		{ "%s/x/cgroup.procs max", ENOENT },
		{ "%s/x", EINVAL },
		{ "%s/x\n", EINVAL },
		{ "%s/x ", EINVAL },
		{ "%s/x \n", EINVAL },
		{ "%s/x  1M", ENOENT }, /* the path is "x " (names may hold spaces) */
		{ "%s/x 12abc", EINVAL },
		{ "%s/x -1", EINVAL },
		{ "%s/x +1", EINVAL },
		{ "%s/x 0x10", EINVAL },
		{ "%s/x 1.5M", EINVAL },
		{ "%s/x 1MB", EINVAL },
		{ "%s/x 1P", EINVAL },
		{ "%s/x M", EINVAL },
		{ "%s/x MAX", EINVAL },
		{ "%s/x max ", EINVAL },
		{ "%s/x 1M\n\n", EINVAL },
		{ "%s/x 99999999999999999999", ERANGE },
		{ "%s/x 99999999999999999T", ERANGE },
		{ "%s/x 16777216T", ERANGE },
		{ "%s/x 18446744073709551615", ERANGE },
		{ "/ 1M", EINVAL },
		{ "/ max", EINVAL },
	};
	char buf[PATH_MAX], path[PATH_MAX];
	uint64_t x, base;
	int n0, fd;

	base = cg_id(self, "");
	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_EQ(0, cg_set_max(self, "x", "64K"));
	n0 = eb_cg_entries();

	/* Relative: the base path without its leading slash. */
	snprintf(buf, sizeof(buf), "%s/x 1M", self->base + 1);
	EXPECT_EQ(-EINVAL, eb_write_file(SET_MAX, buf));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), bad[i].fmt, self->base);
		EXPECT_EQ(-bad[i].err, eb_write_file(SET_MAX, buf))
		TH_LOG("write \"%s\"", buf);
	}
	EXPECT_STREQ("65536\n", es(x, "max"));
	EXPECT_STREQ("max\n", es(base, "max"));
	/* None made (entries of earlier refusals may go meanwhile). */
	EXPECT_GE(n0, eb_cg_entries());

	/* Read-only files refuse to be opened for writing; set_max for reading. */
	for (const char *const *f =
		 (const char *const[]){ "current", "max", "peak", "events", "events_local",
					"enclaves", "path", NULL };
	     *f; f++) {
		fd = open(ent(x, *f, path, sizeof(path)), O_WRONLY);
		EXPECT_EQ(-1, fd) TH_LOG("%s", *f);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", *f);
		if (fd >= 0)
			close(fd);
	}
	fd = open(SET_MAX, O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
	if (fd >= 0)
		close(fd);
	EXPECT_STREQ("65536\n", es(x, "max"));

	/* Good ones, for contrast. */
	static const struct {
		const char *val, *shows;
	} good[] = {
		{ "4096", "4096\n" },
		{ "64k", "65536\n" },
		{ "2M\n", "2097152\n" },
		{ "1G", "1073741824\n" },
		{ "3T", "3298534883328\n" },
		{ "0", "0\n" },
		{ "16777215T", "18446742974197923840\n" },
		{ "18446744073709551614", "18446744073709551614\n" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, cg_set_max(self, "x", good[i].val)) TH_LOG("%s", good[i].val);
		EXPECT_STREQ(good[i].shows, es(x, "max"));
	}
	/* Trailing slash and doubled slashes name the same cgroup. */
	snprintf(buf, sizeof(buf), "%s//x/ 8K", self->base);
	EXPECT_EQ(0, eb_write_file(SET_MAX, buf));
	EXPECT_STREQ("8192\n", es(x, "max"));
	EXPECT_EQ(0, cg_set_max(self, "x", "max"));
	EXPECT_STREQ("", es(x, "max")); /* the entry went with its limit */
}

/* ------------------------------------------------------------- 9 */

/* A refusal wakes a poll() on events_local (and events) of the limiting level. */
TEST_F(cg, poll_on_refusal)
{
	char path[PATH_MAX], buf[32];
	struct pollfd pfd[2];
	uint64_t x;
	pid_t pid;

	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_EQ(0, cg_set_max(self, "x", "8K"));
	pfd[0].fd = open(ent(x, "events_local", path, sizeof(path)), O_RDONLY);
	pfd[1].fd = open(ent(cg_id(self, ""), "events", path, sizeof(path)), O_RDONLY);
	ASSERT_LE(0, pfd[0].fd);
	ASSERT_LE(0, pfd[1].fd);
	for (int i = 0; i < 2; i++) {
		ASSERT_LT(0, read(pfd[i].fd, buf, sizeof(buf)));
		EXPECT_EQ('0', buf[0]);
		pfd[i].events = POLLPRI;
	}
	/* Nothing yet. */
	EXPECT_EQ(0, poll(pfd, 2, 100));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tencl t;

		usleep(200000);
		if (cg_enter(self, "x") || tencl_create(&t, ENCL_SIZE, 0))
			_exit(2);
		_exit(addn(&t, 0, 4) == -EDQUOT ? 0 : 3);
	}
	EXPECT_LT(0, poll(pfd, 1, 5000));
	EXPECT_EQ(POLLPRI | POLLERR, pfd[0].revents & (POLLPRI | POLLERR));
	EXPECT_EQ(0, wait_status(pid));
	/* The ancestors' events are woken by the same report, just after. */
	EXPECT_EQ(1, poll(&pfd[1], 1, 5000));
	EXPECT_EQ(POLLPRI | POLLERR, pfd[1].revents & (POLLPRI | POLLERR));
	for (int i = 0; i < 2; i++) {
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(0, lseek(pfd[i].fd, 0, SEEK_SET));
		ASSERT_LT(0, read(pfd[i].fd, buf, sizeof(buf)));
		EXPECT_STREQ("1\n", buf);
	}
	/* Read: quiet again. */
	EXPECT_EQ(0, poll(pfd, 2, 50));
	close(pfd[0].fd);
	close(pfd[1].fd);
	EXPECT_EQ(0, ev(x, "current"));
}

/* ------------------------------------------------------------- 10 */

/*
 * A limit on a removed cgroup is dropped by the reaper (every 2 s): the entry
 * goes within a few seconds. A removed cgroup whose limit was reaped but that
 * still has an enclave keeps its entry until the enclave is closed.
 */
TEST_F(cg, limit_on_removed_cgroup_reaped)
{
	struct tencl *t = &self->e[0];
	uint64_t x, y;

	x = cg_mk(self, "x");
	y = cg_mk(self, "y");
	ASSERT_TRUE(x && y);
	ASSERT_EQ(0, cg_set_max(self, "x", "1M"));
	ASSERT_EQ(0, cg_set_max(self, "y", "1M"));
	ASSERT_EQ(0, create_in(self, "y", t));
	ASSERT_EQ(0, addn(t, 0, 1));
	ASSERT_TRUE(ent_has(x));
	ASSERT_EQ(0, cg_rmdir(self, "x"));
	ASSERT_EQ(0, cg_rmdir(self, "y"));
	EXPECT_TRUE(ent_wait(x, false, 5000)) TH_LOG("entry of a removed, limited cgroup stayed");
	/* y is held by its enclave, reaped or not. */
	EXPECT_TRUE(ent_has(y));
	EXPECT_EQ(8 * 1024, ev(y, "current"));
	tencl_close(t);
	EXPECT_TRUE(ent_wait(y, false, 5000));
	EXPECT_FALSE(ent_has(cg_id(self, "")));
}

/* ------------------------------------------------------------- pool */

/*
 * The pool running out is not a limit hit: ENOSPC, no event counted anywhere,
 * the refused page not charged, in the filling cgroup or another one.
 */
TEST_F(cg, pool_exhaustion_not_a_limit_hit)
{
	struct tencl *t = &self->e[0], *t2 = &self->e[1];
	uint64_t x, y, total = eb_read_u64(EB_SYSFS "/pool/total_bytes");
	uint64_t root_ev0 = ev(ROOT_ID, "events");
	unsigned int i;
	int ret;

	ASSERT_TRUE(eb_pool_is_full());
	x = cg_mk(self, "x");
	y = cg_mk(self, "y");
	ASSERT_TRUE(x && y);
	ASSERT_EQ(0, cg_set_max(self, "y", "1G"));
	/* x has no limit: only the pool stops it. */
	ASSERT_EQ(0, create_in_size(self, "x", t, BIG_SIZE));
	for (i = 0; (ret = add_raw(t->fd, i * 64, 64)) == 0; i++)
		;
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(total / PAGE, held(t));
	EXPECT_EQ(total, ev(x, "current"));
	EXPECT_EQ(total, ev(x, "peak"));
	EXPECT_EQ(0, eb_read_u64(EB_SYSFS "/pool/free_bytes"));
	EXPECT_EQ(0, ev(x, "events"));
	EXPECT_EQ(0, ev(x, "events_local"));

	/* Another cgroup, limited but far below its limit: ENOSPC too. */
	EXPECT_EQ(-ENOSPC, create_in(self, "y", t2));
	tencl_close(t2);
	EXPECT_EQ(0, ev(y, "current"));
	EXPECT_EQ(0, ev(y, "events"));
	EXPECT_EQ(0, ev(y, "events_local"));
	EXPECT_EQ(root_ev0, ev(ROOT_ID, "events"));
	EXPECT_EQ(total, ev(cg_id(self, ""), "current"));

	tencl_close(t);
	EXPECT_TRUE(eb_pool_is_full());
	EXPECT_FALSE(ent_has(x));
	EXPECT_EQ(0, ev(cg_id(self, ""), "current"));
}

/* ------------------------------------------------------------- log */

/* Refusals are logged naming the cgroup, rate-limited (10 per 5 s). */
TEST_F_TIMEOUT(cg, refusal_log_ratelimited, 60)
{
	struct tencl *t = &self->e[0];
	char rec[1024], needle[128];
	int kmsg, lines = 0;
	ssize_t n;
	uint64_t x;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0)
		SKIP(return, "no /dev/kmsg");
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	x = cg_mk(self, "x");
	ASSERT_NE(0, x);
	ASSERT_EQ(0, cg_set_max(self, "x", "0"));
	/*
	 * The rate limit is the module's, shared with the refusals of earlier
	 * tests: once 5 s have passed since the last of them, ours start a
	 * fresh interval, and the first 10 of them are logged. Without the
	 * pause, earlier refusals could have spent it, and no line be seen.
	 */
	usleep(5500 * 1000);
	ASSERT_EQ(0, cg_enter(self, "x"));
	for (int i = 0; i < 30; i++) {
		EXPECT_EQ(-EDQUOT, tencl_create(t, ENCL_SIZE, 0));
		tencl_close(t);
	}
	ASSERT_EQ(0, cg_enter(self, NULL));
	EXPECT_EQ(30, ev(x, "events_local"));
	snprintf(needle, sizeof(needle), "EPC limit of cgroup %s/x ", self->base);
	/* The lines are written by a work item after the refusals: wait 2 s for them. */
	for (int quiet = 0; quiet < 20;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EAGAIN) {
			usleep(100000);
			quiet++;
			continue;
		}
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, needle))
			lines++;
	}
	close(kmsg);
	/*
	 * At most 10 when all 30 fall in one interval, as they do unless the
	 * guest stalls; fewer when refusals that come before the report are
	 * reported together.
	 */
	EXPECT_LE(1, lines) TH_LOG("no log line names the cgroup for 30 refusals");
	EXPECT_GE(10, lines) TH_LOG("%d log lines for 30 refusals in under 5 s", lines);
}

/* ------------------------------------------------------------- last */

/* Everything above left the pool whole and no accounting entry behind. */
TEST_F(cg, zz_pool_whole_no_entries_left)
{
	int n = -1;

	EXPECT_TRUE(eb_pool_is_full());
	EXPECT_EQ(0, ev(ROOT_ID, "current"));
	/* Limits of removed cgroups go with the reaper: give it time. */
	for (int i = 0; i < 250; i++) {
		n = eb_cg_entries();
		if (n == 0)
			break;
		usleep(20000);
	}
	EXPECT_EQ(0, n);
}

TEST_HARNESS_MAIN
