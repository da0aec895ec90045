// SPDX-License-Identifier: GPL-2.0
/*
 * The "ebroker" generic netlink family: it agrees with sysfs, sets limits,
 * dumps enclaves, refuses malformed and unprivileged requests with the
 * right errno and extack text without changing anything, shows a tenant
 * only its own cgroups, reads and prints paths in the caller's cgroup
 * namespace, and delivers events in order, reporting overruns.
 */
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "nl.h"
#include "tencl.h"

#define PAGE   4096UL
#define CGROOT "/sys/fs/cgroup"
#define EB_CGS EB_SYSFS "/cgroups"

static uint8_t zpages[16 * PAGE] __attribute__((aligned(4096)));

FIXTURE(nlf)
{
	struct nl nl;
	char rel[64];  /* "/ebnl-<pid>" */
	char dir[128]; /* its cgroupfs directory */
	uint64_t id;
};

FIXTURE_SETUP(nlf)
{
	struct stat st;

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->rel, sizeof(self->rel), "/ebnl-%d", getpid());
	snprintf(self->dir, sizeof(self->dir), CGROOT "%s", self->rel);
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	ASSERT_EQ(0, stat(self->dir, &st));
	self->id = st.st_ino;
}

FIXTURE_TEARDOWN(nlf)
{
	char buf[200];

	snprintf(buf, sizeof(buf), "%s max", self->rel);
	eb_write_file(EB_CGS "/set_max", buf);
	rmdir(self->dir);
	nl_close(&self->nl);
	EXPECT_TRUE(eb_pool_is_full());
}

/* Run @fn in a child that was moved into the fixture's cgroup. */
static int in_cgroup(FIXTURE_DATA(nlf) * self, int (*fn)(void *), void *arg)
{
	char path[200], pid[32];
	int status;
	pid_t p;

	p = fork();
	if (p == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", self->dir);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (eb_write_file(path, pid))
			_exit(100);
		_exit(fn(arg));
	}
	if (p < 0 || waitpid(p, &status, 0) != p || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---------------------------------------------------- views agree */

struct pool_view {
	uint64_t total, free, low_water, min_free;
	uint32_t enclaves;
};

static int pool_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[EB_A_MAX + 1], *p[EB_POOL_A_MAX + 1];
	struct pool_view *v = arg;

	nl_attrs(h, tb, EB_A_MAX);
	if (!tb[EB_A_POOL])
		return -EBADMSG;
	nl_nested(tb[EB_A_POOL], p, EB_POOL_A_MAX);
	v->total = nla_u64(p[EB_POOL_A_TOTAL]);
	v->free = nla_u64(p[EB_POOL_A_FREE]);
	v->low_water = nla_u64(p[EB_POOL_A_LOW_WATER]);
	v->min_free = nla_u64(p[EB_POOL_A_MIN_FREE]);
	v->enclaves = nla_u32(p[EB_POOL_A_ENCLAVES]);
	if (!p[EB_POOL_A_BACKEND] || strcmp(nla_payload(p[EB_POOL_A_BACKEND]), "sim"))
		return -EBADMSG;
	return 0;
}

static int get_pool(struct nl *nl, struct pool_view *v)
{
	struct nlmsg m;

	nlmsg_init(nl, &m, EB_CMD_GET_POOL, 0);
	return nl_talk(nl, &m, pool_cb, v, NULL);
}

TEST_F(nlf, pool_agrees_with_sysfs)
{
	struct pool_view v;
	struct tencl t;

	ASSERT_EQ(0, tencl_create(&t, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, zpages, 8 * PAGE, true));
	ASSERT_EQ(0, get_pool(&self->nl, &v));
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/pool/total_bytes"), v.total);
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/pool/free_bytes"), v.free);
	EXPECT_EQ(v.total - 9 * PAGE, v.free);
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/pool/low_water_bytes"), v.low_water);
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/pool/min_free_bytes"), v.min_free);
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/enclaves"), v.enclaves);
	EXPECT_EQ(1, v.enclaves);
	tencl_close(&t);
}

struct cg_view {
	uint64_t id, limit, current, peak, events, events_local;
	uint32_t enclaves;
	char path[256];
};

struct cg_dump {
	struct cg_view v[64];
	int n;
};

static void cg_parse(const struct nlattr *nest, struct cg_view *v)
{
	const struct nlattr *c[EB_CG_A_MAX + 1];

	nl_nested(nest, c, EB_CG_A_MAX);
	memset(v, 0, sizeof(*v));
	v->id = nla_u64(c[EB_CG_A_ID]);
	v->limit = nla_u64(c[EB_CG_A_LIMIT]);
	v->current = nla_u64(c[EB_CG_A_CURRENT]);
	v->peak = nla_u64(c[EB_CG_A_PEAK]);
	v->events = nla_u64(c[EB_CG_A_EVENTS]);
	v->events_local = nla_u64(c[EB_CG_A_EVENTS_LOCAL]);
	v->enclaves = nla_u32(c[EB_CG_A_ENCLAVES]);
	if (c[EB_CG_A_PATH])
		snprintf(v->path, sizeof(v->path), "%s",
			 (const char *)nla_payload(c[EB_CG_A_PATH]));
}

static int cg_dump_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[EB_A_MAX + 1];
	struct cg_dump *d = arg;

	nl_attrs(h, tb, EB_A_MAX);
	if (!tb[EB_A_CGROUP] || d->n >= 64)
		return -EBADMSG;
	cg_parse(tb[EB_A_CGROUP], &d->v[d->n++]);
	return 0;
}

static uint64_t sysfs_cg(uint64_t id, const char *file)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), EB_CGS "/%llu/%s", (unsigned long long)id, file);
	if (eb_read_file(path, buf, sizeof(buf)) < 0)
		return UINT64_MAX - 1;
	if (!strcmp(buf, "max\n"))
		return EB_LIMIT_NONE;
	return strtoull(buf, NULL, 10);
}

TEST_F(nlf, cgroup_dump_agrees_with_sysfs)
{
	char setmax[200], path[256];
	struct cg_dump d = { 0 };
	struct tencl t;
	struct nlmsg m;
	int entries = 0, ours = 0;
	DIR *dir;
	struct dirent *e;

	snprintf(setmax, sizeof(setmax), "%s 1M", self->rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", setmax));
	/* Charge something while the dump runs: a live enclave here. */
	ASSERT_EQ(0, tencl_create(&t, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, zpages, 2 * PAGE, true));

	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, NLM_F_DUMP);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, cg_dump_cb, &d, NULL));
	dir = opendir(EB_CGS);
	ASSERT_NE(NULL, dir);
	while ((e = readdir(dir)))
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			entries++;
	closedir(dir);
	EXPECT_EQ(entries, d.n);
	for (int i = 0; i < d.n; i++) {
		struct cg_view *v = &d.v[i];
		char buf[256];

		snprintf(path, sizeof(path), EB_CGS "/%llu/path", (unsigned long long)v->id);
		ASSERT_EQ(0, eb_read_file(path, buf, sizeof(buf)));
		buf[strcspn(buf, "\n")] = 0;
		EXPECT_STREQ(buf, v->path);
		EXPECT_EQ(sysfs_cg(v->id, "max"), v->limit);
		EXPECT_EQ(sysfs_cg(v->id, "current"), v->current);
		EXPECT_EQ(sysfs_cg(v->id, "peak"), v->peak);
		EXPECT_EQ(sysfs_cg(v->id, "events"), v->events);
		EXPECT_EQ(sysfs_cg(v->id, "events_local"), v->events_local);
		EXPECT_EQ(sysfs_cg(v->id, "enclaves"), v->enclaves);
		if (v->id == self->id) {
			ours++;
			EXPECT_EQ(1 << 20, v->limit);
		}
	}
	EXPECT_EQ(1, ours);
	/* The limited-only dump has our cgroup and no unlimited one. */
	d.n = 0;
	ours = 0;
	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, NLM_F_DUMP);
	nla_add_u32(&m, EB_A_DUMP_FLAGS, EB_DUMP_F_LIMITED);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, cg_dump_cb, &d, NULL));
	ASSERT_LE(1, d.n);
	for (int i = 0; i < d.n; i++) {
		EXPECT_NE(EB_LIMIT_NONE, d.v[i].limit);
		ours += d.v[i].id == self->id;
	}
	EXPECT_EQ(1, ours);
	tencl_close(&t);
}

/* GET_CGROUP of the cgroup at @path, or (@path NULL) of @id. */
static int get_cgroup(struct nl *nl, uint64_t id, const char *path, struct cg_view *v)
{
	struct cg_dump d = { 0 };
	struct nlmsg m;
	int ret;

	nlmsg_init(nl, &m, EB_CMD_GET_CGROUP, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	if (path)
		nla_add_str(&m, EB_CG_A_PATH, path);
	else
		nla_add_u64(&m, EB_CG_A_ID, id);
	nla_nest_close(&m);
	ret = nl_talk(nl, &m, cg_dump_cb, &d, NULL);
	if (!ret && d.n != 1)
		ret = -EBADMSG;
	if (!ret)
		*v = d.v[0];
	return ret;
}

static int get_cgroup_id(struct nl *nl, uint64_t id, struct cg_view *v)
{
	return get_cgroup(nl, id, NULL, v);
}

static int get_cgroup_path(struct nl *nl, const char *path, struct cg_view *v)
{
	return get_cgroup(nl, 0, path, v);
}

/* The whole GET_CGROUP dump, or only the limited entries. */
static int dump_cgroups(struct nl *nl, struct cg_dump *d, bool limited)
{
	struct nlmsg m;

	d->n = 0;
	nlmsg_init(nl, &m, EB_CMD_GET_CGROUP, NLM_F_DUMP);
	if (limited)
		nla_add_u32(&m, EB_A_DUMP_FLAGS, EB_DUMP_F_LIMITED);
	return nl_talk(nl, &m, cg_dump_cb, d, NULL);
}

/* Drop to uid and gid 65534, no groups, no capabilities. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

TEST_F(nlf, set_limit_both_ways)
{
	struct cg_view v;
	struct nlmsg m;
	char buf[200];

	/* A cgroup with no entry reads as idle and unlimited. */
	ASSERT_EQ(0, get_cgroup_id(&self->nl, self->id, &v));
	EXPECT_EQ(EB_LIMIT_NONE, v.limit);
	EXPECT_EQ(0, v.current);
	EXPECT_STREQ(self->rel, v.path);

	/* netlink by path -> sysfs. */
	ASSERT_EQ(0, nl_set_limit_path(&self->nl, self->rel, 3 << 20));
	EXPECT_EQ(3 << 20, sysfs_cg(self->id, "max"));
	/* sysfs -> netlink. */
	snprintf(buf, sizeof(buf), "%s 5M", self->rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", buf));
	ASSERT_EQ(0, get_cgroup_id(&self->nl, self->id, &v));
	EXPECT_EQ(5 << 20, v.limit);
	/* netlink by id, clearing. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_add_u64(&m, EB_CG_A_LIMIT, EB_LIMIT_NONE);
	nla_nest_close(&m);
	ASSERT_EQ(0, nl_talk(&self->nl, &m, NULL, NULL, NULL));
	ASSERT_EQ(0, get_cgroup_id(&self->nl, self->id, &v));
	EXPECT_EQ(EB_LIMIT_NONE, v.limit);
}

/* ------------------------------------------------------ enclave dump */

struct encl_view {
	uint32_t id, state, owner;
	uint64_t cgroup_id, size, pages, attributes;
	uint8_t mrenclave[32];
	bool has_mr;
};

struct encl_dump {
	struct encl_view v[512];
	int n;
};

static int encl_dump_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[EB_A_MAX + 1], *e[EB_ENCL_A_MAX + 1];
	struct encl_dump *d = arg;
	struct encl_view *v;

	nl_attrs(h, tb, EB_A_MAX);
	if (!tb[EB_A_ENCLAVE] || d->n >= 512)
		return -EBADMSG;
	nl_nested(tb[EB_A_ENCLAVE], e, EB_ENCL_A_MAX);
	v = &d->v[d->n++];
	memset(v, 0, sizeof(*v));
	v->id = nla_u32(e[EB_ENCL_A_ID]);
	v->state = nla_u32(e[EB_ENCL_A_STATE]);
	v->owner = nla_u32(e[EB_ENCL_A_OWNER_PID]);
	v->cgroup_id = nla_u64(e[EB_ENCL_A_CGROUP_ID]);
	v->size = nla_u64(e[EB_ENCL_A_SIZE]);
	v->pages = nla_u64(e[EB_ENCL_A_PAGES]);
	v->attributes = nla_u64(e[EB_ENCL_A_ATTRIBUTES]);
	if (e[EB_ENCL_A_MRENCLAVE] && nla_payload_len(e[EB_ENCL_A_MRENCLAVE]) == 32) {
		memcpy(v->mrenclave, nla_payload(e[EB_ENCL_A_MRENCLAVE]), 32);
		v->has_mr = true;
	}
	return 0;
}

static int dump_enclaves(struct nl *nl, struct encl_dump *d, uint64_t cgroup_id, bool *intr)
{
	struct nlmsg m;

	d->n = 0;
	nlmsg_init(nl, &m, EB_CMD_GET_ENCLAVE, NLM_F_DUMP);
	if (cgroup_id) {
		nla_nest_begin(&m, EB_A_CGROUP);
		nla_add_u64(&m, EB_CG_A_ID, cgroup_id);
		nla_nest_close(&m);
	}
	return nl_talk(nl, &m, encl_dump_cb, d, intr);
}

TEST_F(nlf, enclave_dump)
{
	static struct encl_dump d;
	struct eb_enclave_info info;
	struct tencl a, b;
	int found = 0;

	ASSERT_EQ(0, tencl_create(&a, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&a, 0, TENCL_RW, zpages, 3 * PAGE, true));
	ASSERT_EQ(0, tencl_finish(&a));
	ASSERT_EQ(0, tencl_info(&a, &info));
	ASSERT_EQ(0, tencl_create(&b, 8 * PAGE, 0));

	ASSERT_EQ(0, dump_enclaves(&self->nl, &d, 0, NULL));
	EXPECT_EQ(2, d.n);
	for (int i = 0; i < d.n; i++) {
		struct encl_view *v = &d.v[i];

		EXPECT_EQ(getpid(), v->owner);
		EXPECT_EQ(info.cgroup_id, v->cgroup_id);
		if (v->size == 16 * PAGE) {
			found++;
			EXPECT_EQ(EB_STATE_INITIALIZED, v->state);
			EXPECT_EQ(4, v->pages);
			EXPECT_TRUE(v->has_mr);
			EXPECT_EQ(0, memcmp(info.mrenclave, v->mrenclave, 32));
			EXPECT_EQ(info.attributes, v->attributes);
		} else {
			found++;
			EXPECT_EQ(EB_STATE_CREATED, v->state);
			EXPECT_EQ(1, v->pages);
			EXPECT_FALSE(v->has_mr);
		}
	}
	EXPECT_EQ(2, found);
	/* Filtered by a cgroup with no enclaves: nothing. */
	ASSERT_EQ(0, dump_enclaves(&self->nl, &d, self->id, NULL));
	EXPECT_EQ(0, d.n);
	tencl_close(&a);
	tencl_close(&b);
	ASSERT_EQ(0, dump_enclaves(&self->nl, &d, 0, NULL));
	EXPECT_EQ(0, d.n);
}

/* A dump that races with enclaves coming and going says so. */
TEST_F(nlf, interrupted_dump_flagged)
{
	static struct encl_dump d;
	enum { N = 400 };
	static int fds[N];
	char buf[8192];
	bool intr = false;
	struct nlmsg m;
	struct nl l;
	ssize_t n;
	int msgs = 0;
	bool done = false;

	for (int i = 0; i < N; i++) {
		struct tencl t;

		ASSERT_EQ(0, tencl_create(&t, 2 * PAGE, 0));
		fds[i] = t.fd;
		t.fd = -1;
		tencl_close(&t);
	}
	/* Sanity: an undisturbed dump sees them all, unflagged. */
	ASSERT_EQ(0, dump_enclaves(&self->nl, &d, 0, &intr));
	EXPECT_EQ(N, d.n);
	EXPECT_FALSE(intr);

	/*
	 * Read the first part, change the set, read the rest. Small reads on
	 * a fresh socket keep the kernel's dump chunks small, so the dump
	 * is still running when the set changes.
	 */
	l = self->nl;
	l.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, l.fd);
	nlmsg_init(&l, &m, EB_CMD_GET_ENCLAVE, NLM_F_DUMP);
	m.h.nlmsg_flags &= ~NLM_F_ACK;
	ASSERT_LE(0, send(l.fd, m.buf, m.h.nlmsg_len, 0));
	n = recv(l.fd, buf, 8192, 0);
	ASSERT_LT(0, n);
	close(fds[N - 1]);
	fds[N - 1] = -1;
	while (!done) {
		n = recv(l.fd, buf, 8192, 0);
		ASSERT_LT(0, n);
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				done = true;
			msgs++;
		}
	}
	EXPECT_TRUE(intr);
	EXPECT_LT(1, msgs);
	nl_close(&l);
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---------------------------------------------------------- bad input */

/* Send @m; expect @err and an extack containing @text (NULL: any text). */
#define EXPECT_REFUSED(m, err, text)                                               \
	do {                                                                       \
		EXPECT_EQ(-(err), nl_talk(&self->nl, &(m), NULL, NULL, NULL));     \
		if (text)                                                          \
			EXPECT_NE(NULL, strstr(self->nl.extack, text ? text : "")) \
		TH_LOG("extack: '%s'", self->nl.extack);                           \
	} while (0)

TEST_F(nlf, malformed_requests)
{
	char setmax[200], big[PATH_MAX + 16];
	struct cg_view before, after;
	struct nlmsg m;
	uint32_t u32 = 5;

	snprintf(setmax, sizeof(setmax), "%s 2M", self->rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", setmax));
	ASSERT_EQ(0, get_cgroup_id(&self->nl, self->id, &before));

	/* An attribute a command does not take. */
	nlmsg_init(&self->nl, &m, EB_CMD_GET_POOL, 0);
	nla_add_u32(&m, EB_A_DUMP_FLAGS, 0);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* Unknown top-level attribute. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_add_u32(&m, EB_A_MAX + 1, 0);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* Missing EB_A_CGROUP. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	EXPECT_REFUSED(m, EINVAL, "EB_A_CGROUP is required");
	/* Both ID and PATH. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_add_str(&m, EB_CG_A_PATH, self->rel);
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, "exactly one of ID and PATH");
	/* Neither. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, "exactly one of ID and PATH");
	/* No LIMIT. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, "LIMIT is required");
	/* Wrong lengths: a u32 where a u64 belongs. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add(&m, EB_CG_A_ID, &u32, sizeof(u32));
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* An output-only attribute in a request. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_add_u64(&m, EB_CG_A_CURRENT, 0);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* PATH without its NUL. */
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add(&m, EB_CG_A_PATH, self->rel, strlen(self->rel));
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* PATH too long. */
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	nlmsg_init(&self->nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_str(&m, EB_CG_A_PATH, big);
	nla_add_u64(&m, EB_CG_A_LIMIT, 1 << 20);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* Relative, unknown, root. */
	EXPECT_EQ(-EINVAL, nl_set_limit_path(&self->nl, "ebnl", 1 << 20));
	EXPECT_NE(NULL, strstr(self->nl.extack, "must start with /"));
	EXPECT_EQ(-ENOENT, nl_set_limit_path(&self->nl, "/no/such/cgroup", 1 << 20));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no such cgroup"));
	EXPECT_EQ(-EINVAL, nl_set_limit_path(&self->nl, "/", 1 << 20));
	EXPECT_NE(NULL, strstr(self->nl.extack, "root"));
	/* Unknown id. */
	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, 0x7fffffffffULL);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, ENOENT, "no such cgroup");
	/* Dump-only and request-only attributes in the wrong place. */
	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, NLM_F_DUMP);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, "a cgroup dump takes no EB_A_CGROUP");
	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_u64(&m, EB_CG_A_ID, self->id);
	nla_nest_close(&m);
	nla_add_u32(&m, EB_A_DUMP_FLAGS, EB_DUMP_F_LIMITED);
	EXPECT_REFUSED(m, EINVAL, "DUMP_FLAGS is for dumps");
	nlmsg_init(&self->nl, &m, EB_CMD_GET_ENCLAVE, NLM_F_DUMP);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_nest_close(&m);
	EXPECT_REFUSED(m, EINVAL, "the filter needs the cgroup ID");
	/* Unknown dump flag. */
	nlmsg_init(&self->nl, &m, EB_CMD_GET_CGROUP, NLM_F_DUMP);
	nla_add_u32(&m, EB_A_DUMP_FLAGS, 0x80);
	EXPECT_REFUSED(m, EINVAL, NULL);
	/* Unknown command. */
	nlmsg_init(&self->nl, &m, 200, 0);
	EXPECT_REFUSED(m, EOPNOTSUPP, NULL);
	/* Events are not requests. */
	nlmsg_init(&self->nl, &m, EB_CMD_EVENT_LIMIT_HIT, 0);
	EXPECT_REFUSED(m, EOPNOTSUPP, NULL);

	/* Nothing changed. */
	ASSERT_EQ(0, get_cgroup_id(&self->nl, self->id, &after));
	EXPECT_EQ(before.limit, after.limit);
	EXPECT_EQ(2 << 20, sysfs_cg(self->id, "max"));
}

/* Runs in the fixture's cgroup, on a socket opened while still root. */
static int unprivileged(void *arg)
{
	FIXTURE_DATA(nlf) *self = arg;
	static struct encl_dump d;
	struct cg_view cv;
	struct nl nl;
	uint32_t grp;
	struct pool_view v;

	if (nl_open(&nl))
		return 10;
	if (setgid(65534) || setuid(65534))
		return 11;
	if (get_pool(&nl, &v))
		return 12; /* reading the pool is not privileged */
	if (nl_set_limit_path(&nl, self->rel, 1 << 20) != -EPERM)
		return 13;
	if (dump_enclaves(&nl, &d, 0, NULL) != -EPERM)
		return 14;
	grp = nl.events_group;
	if (!setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) ||
	    errno != EPERM)
		return 15;
	/* Its own cgroup, yes; the root above it, as if there were none. */
	if (get_cgroup_id(&nl, self->id, &cv) || strcmp(cv.path, self->rel))
		return 16;
	if (get_cgroup_id(&nl, 1, &cv) != -ENOENT || strcmp(nl.extack, "no such cgroup"))
		return 17;
	if (get_cgroup_path(&nl, "/", &cv) != -ENOENT || strcmp(nl.extack, "no such cgroup"))
		return 18;
	return 0;
}

TEST_F(nlf, unprivileged_refused)
{
	EXPECT_EQ(0, in_cgroup(self, unprivileged, self));
	/* The refused set-limit left the cgroup without an entry. */
	EXPECT_EQ(UINT64_MAX - 1, sysfs_cg(self->id, "max"));
}

/* ------------------------------------------------------ tenant privacy */

/* mkdir the cgroup at @rel; its id, 0 on failure. */
static uint64_t mk_cgroup(const char *rel)
{
	char dir[200];
	struct stat st;

	snprintf(dir, sizeof(dir), CGROOT "%s", rel);
	if (mkdir(dir, 0755) || stat(dir, &st))
		return 0;
	return st.st_ino;
}

/* Remove the limit of the cgroup at @rel, then the cgroup; 0 or -errno. */
static int rm_cgroup(const char *rel)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s max", rel);
	if (eb_write_file(EB_CGS "/set_max", buf))
		return -EIO;
	snprintf(buf, sizeof(buf), CGROOT "%s", rel);
	return rmdir(buf) ? -errno : 0;
}

struct tenants {
	FIXTURE_DATA(nlf) * self;
	uint64_t kid, other;
	char kid_rel[128], other_rel[128];
};

/* A tenant in the fixture's cgroup, which has a child "kid". */
static int tenant(void *arg)
{
	struct tenants *t = arg;
	struct cg_view v, none;
	struct cg_dump d;
	bool mine = false, kid = false;
	struct nl nl;

	if (become_nobody() || nl_open(&nl))
		return 10;
	/* Another tenant's cgroup reads as one that does not exist. */
	if (get_cgroup_path(&nl, "/no/such/cgroup", &none) != -ENOENT)
		return 11;
	if (get_cgroup_id(&nl, t->other, &v) != -ENOENT || strcmp(nl.extack, "no such cgroup"))
		return 12;
	if (get_cgroup_path(&nl, t->other_rel, &v) != -ENOENT ||
	    strcmp(nl.extack, "no such cgroup"))
		return 13;
	/* Its own cgroup and what is below it. */
	if (get_cgroup_id(&nl, t->self->id, &v) || strcmp(v.path, t->self->rel))
		return 14;
	if (get_cgroup_path(&nl, t->kid_rel, &v) || v.id != t->kid || v.limit != 1 << 20 ||
	    strcmp(v.path, t->kid_rel))
		return 15;
	/* The dump: exactly those two (the kid's limit holds both entries). */
	if (dump_cgroups(&nl, &d, false))
		return 16;
	for (int i = 0; i < d.n; i++) {
		mine |= d.v[i].id == t->self->id;
		kid |= d.v[i].id == t->kid && !strcmp(d.v[i].path, t->kid_rel);
	}
	if (d.n != 2 || !mine || !kid)
		return 17;
	if (dump_cgroups(&nl, &d, true) || d.n != 1 || d.v[0].id != t->kid)
		return 18;
	nl_close(&nl);
	return 0;
}

/*
 * An unprivileged caller sees its own cgroup and those below it, nothing
 * else: another tenant's cgroup is "no such cgroup" by id and by path and
 * is missing from the dumps. Root still sees it all.
 */
TEST_F(nlf, tenant_sees_own_subtree_only)
{
	struct tenants t = { .self = self };
	struct cg_dump d;
	char buf[300];
	int seen = 0;

	snprintf(t.kid_rel, sizeof(t.kid_rel), "%s/kid", self->rel);
	snprintf(t.other_rel, sizeof(t.other_rel), "%s-other", self->rel);
	t.kid = mk_cgroup(t.kid_rel);
	ASSERT_NE(0, t.kid);
	t.other = mk_cgroup(t.other_rel);
	ASSERT_NE(0, t.other);
	snprintf(buf, sizeof(buf), "%s 1M", t.kid_rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", buf));
	snprintf(buf, sizeof(buf), "%s 2M", t.other_rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", buf));

	EXPECT_EQ(0, in_cgroup(self, tenant, &t));
	ASSERT_EQ(0, dump_cgroups(&self->nl, &d, true));
	for (int i = 0; i < d.n; i++)
		seen += d.v[i].id == t.kid || d.v[i].id == t.other;
	EXPECT_EQ(2, seen);
	EXPECT_EQ(0, rm_cgroup(t.kid_rel));
	EXPECT_EQ(0, rm_cgroup(t.other_rel));
}

/* Root in a cgroup namespace rooted at the fixture's cgroup, which has "sub". */
static int in_namespace(void *arg)
{
	struct tenants *t = arg;
	char buf[256], path[200];
	struct cg_view v;
	struct cg_dump d;
	int found = 0;
	struct nl nl;

	if (unshare(CLONE_NEWCGROUP))
		return 10;
	if (eb_read_file("/proc/self/cgroup", buf, sizeof(buf)) || !strstr(buf, "0::/\n"))
		return 11;
	if (nl_open(&nl))
		return 12;
	/* Named by a path from the namespace's root, and printed so. */
	if (nl_set_limit_path(&nl, "/sub", 1 << 20))
		return 13;
	if (get_cgroup_path(&nl, "/sub", &v) || v.id != t->kid || v.limit != 1 << 20 ||
	    strcmp(v.path, "/sub"))
		return 14;
	if (get_cgroup_id(&nl, t->self->id, &v) || strcmp(v.path, "/"))
		return 15;
	/* Root sees the whole dump; what lies outside starts with "/..". */
	if (dump_cgroups(&nl, &d, false))
		return 16;
	for (int i = 0; i < d.n; i++) {
		if (d.v[i].id == t->kid)
			found += !strcmp(d.v[i].path, "/sub");
		if (d.v[i].id == 1)
			found += !strcmp(d.v[i].path, "/..");
	}
	if (found != 2)
		return 17;
	/* sysfs reads and takes paths in the same namespace. */
	snprintf(path, sizeof(path), EB_CGS "/%llu/path", (unsigned long long)t->kid);
	if (eb_read_file(path, buf, sizeof(buf)) || strcmp(buf, "/sub\n"))
		return 18;
	if (eb_write_file(EB_CGS "/set_max", "/sub 2M"))
		return 19;
	if (get_cgroup_path(&nl, "/sub", &v) || v.limit != 2 << 20)
		return 20;
	nl_close(&nl);
	return 0;
}

/*
 * A process in a cgroup namespace names cgroups by paths from its
 * namespace's root (netlink and sysfs) and reads them back the same way.
 */
TEST_F(nlf, cgroup_namespace_paths)
{
	struct tenants t = { .self = self };
	struct cg_view v;

	snprintf(t.kid_rel, sizeof(t.kid_rel), "%s/sub", self->rel);
	t.kid = mk_cgroup(t.kid_rel);
	ASSERT_NE(0, t.kid);

	EXPECT_EQ(0, in_cgroup(self, in_namespace, &t));
	/* Outside the namespace, the same cgroup by its full path. */
	EXPECT_EQ(0, get_cgroup_id(&self->nl, t.kid, &v));
	EXPECT_STREQ(t.kid_rel, v.path);
	EXPECT_EQ(2 << 20, v.limit);
	EXPECT_EQ(0, rm_cgroup(t.kid_rel));
}

/* -------------------------------------------------------------- events */

struct event {
	uint8_t cmd;
	uint64_t seq;
	uint64_t cgroup_id, requested, current, limit;
	uint32_t enclave_id;
};

/* Next event within @ms; 0, -ETIMEDOUT, or -ENOBUFS on overrun. */
static int next_event(int fd, struct event *ev, int ms)
{
	static char buf[NL_BUF];
	static size_t have, off;
	const struct nlattr *tb[EB_A_MAX + 1], *x[EB_ENCL_A_MAX + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t n;

	if (off >= have) {
		if (poll(&pfd, 1, ms) != 1)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		have = n;
		off = 0;
	}
	h = (struct nlmsghdr *)(buf + off);
	off += NLMSG_ALIGN(h->nlmsg_len);
	memset(ev, 0, sizeof(*ev));
	ev->cmd = ((struct genlmsghdr *)NLMSG_DATA(h))->cmd;
	nl_attrs(h, tb, EB_A_MAX);
	ev->seq = nla_u64(tb[EB_A_EVENT_SEQ]);
	ev->requested = nla_u64(tb[EB_A_REQUESTED]);
	if (tb[EB_A_CGROUP]) {
		nl_nested(tb[EB_A_CGROUP], x, EB_CG_A_MAX);
		ev->cgroup_id = nla_u64(x[EB_CG_A_ID]);
		ev->current = nla_u64(x[EB_CG_A_CURRENT]);
		ev->limit = nla_u64(x[EB_CG_A_LIMIT]);
	}
	if (tb[EB_A_ENCLAVE]) {
		nl_nested(tb[EB_A_ENCLAVE], x, EB_ENCL_A_MAX);
		ev->enclave_id = nla_u32(x[EB_ENCL_A_ID]);
	}
	return 0;
}

static int build_over_limit(void *arg)
{
	struct tencl t;
	int ret;

	(void)arg;
	ret = tencl_create(&t, 16 * PAGE, 0);
	if (!ret)
		ret = tencl_add(&t, 0, TENCL_RW, zpages, 4 * PAGE, true);
	if (!ret)
		ret = tencl_finish(&t);
	tencl_close(&t);
	return ret == -EDQUOT ? 0 : 1;
}

TEST_F(nlf, events_in_order)
{
	static const uint8_t expect[] = {
		EB_CMD_EVENT_ENCLAVE_CREATED,  EB_CMD_EVENT_ENCLAVE_INITIALIZED,
		EB_CMD_EVENT_ENCLAVE_RELEASED, EB_CMD_EVENT_ENCLAVE_CREATED,
		EB_CMD_EVENT_LIMIT_HIT,	       EB_CMD_EVENT_ENCLAVE_RELEASED,
		EB_CMD_EVENT_POOL_LOW,	       EB_CMD_EVENT_POOL_OK,
	};
	uint64_t free_bytes, old_low = eb_read_u64(EB_SYSFS "/pool/low_water_bytes");
	uint32_t grp = self->nl.events_group;
	struct event ev[sizeof(expect)], *hit;
	char buf[200];
	struct nl l;
	struct tencl t;

	ASSERT_EQ(0, nl_open(&l));
	ASSERT_EQ(0, setsockopt(l.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));

	/* Lifecycle of one enclave. */
	ASSERT_EQ(0, tencl_create(&t, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, zpages, PAGE, true));
	ASSERT_EQ(0, tencl_finish(&t));
	tencl_close(&t);
	/* A limit hit: 3 pages allowed, 5 asked for. */
	snprintf(buf, sizeof(buf), "%s 12K", self->rel);
	ASSERT_EQ(0, eb_write_file(EB_CGS "/set_max", buf));
	ASSERT_EQ(0, in_cgroup(self, build_over_limit, NULL));
	/*
	 * The limit hit is reported by a work item after the refusal, so it
	 * may come after the release that followed it; either way it comes
	 * before anything that happens once both were received.
	 */
	for (size_t i = 0; i < 6; i++) {
		ASSERT_EQ(0, next_event(l.fd, &ev[i], 5000));
		if (i < 4)
			EXPECT_EQ(expect[i], ev[i].cmd)
		TH_LOG("event %zu", i);
	}
	EXPECT_TRUE(
	    (ev[4].cmd == EB_CMD_EVENT_LIMIT_HIT && ev[5].cmd == EB_CMD_EVENT_ENCLAVE_RELEASED) ||
	    (ev[4].cmd == EB_CMD_EVENT_ENCLAVE_RELEASED && ev[5].cmd == EB_CMD_EVENT_LIMIT_HIT))
	TH_LOG("events 4 and 5: %u and %u", ev[4].cmd, ev[5].cmd);
	/* The low-water mark: two pages below free now. */
	free_bytes = eb_read_u64(EB_SYSFS "/pool/free_bytes");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(free_bytes - PAGE));
	ASSERT_EQ(0, eb_write_file(EB_SYSFS "/pool/low_water_bytes", buf));
	ASSERT_EQ(0, tencl_create(&t, 16 * PAGE, 0));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, zpages, 2 * PAGE, true));
	tencl_close(&t);

	for (size_t i = 6; i < sizeof(expect); i++) {
		/* Skip the enclave events of the low-water enclave. */
		do {
			ASSERT_EQ(0, next_event(l.fd, &ev[i], 5000));
		} while (ev[i].cmd == EB_CMD_EVENT_ENCLAVE_CREATED ||
			 ev[i].cmd == EB_CMD_EVENT_ENCLAVE_RELEASED);
		EXPECT_EQ(expect[i], ev[i].cmd)
		TH_LOG("event %zu", i);
	}
	EXPECT_EQ(ev[0].enclave_id, ev[1].enclave_id);
	EXPECT_EQ(ev[0].enclave_id, ev[2].enclave_id);
	hit = ev[4].cmd == EB_CMD_EVENT_LIMIT_HIT ? &ev[4] : &ev[5];
	EXPECT_EQ(ev[3].enclave_id, (hit == &ev[4] ? &ev[5] : &ev[4])->enclave_id);
	EXPECT_EQ(self->id, hit->cgroup_id);
	EXPECT_EQ(PAGE, hit->requested);
	/* The values that refused: 3 pages charged, a limit of 3 pages. */
	EXPECT_EQ(3 * PAGE, hit->current);
	EXPECT_EQ(3 * PAGE, hit->limit);
	for (int i = 1; i < 6; i++)
		EXPECT_EQ(ev[i - 1].seq + 1, ev[i].seq);

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)old_low);
	ASSERT_EQ(0, eb_write_file(EB_SYSFS "/pool/low_water_bytes", buf));
	nl_close(&l);
}

TEST_F(nlf, overrun_reported)
{
	uint32_t grp = self->nl.events_group;
	int small = 4096, ret = 0, events = 0;
	uint64_t last = 0;
	bool gap = false;
	struct event ev;
	struct nl l;

	ASSERT_EQ(0, nl_open(&l));
	ASSERT_EQ(0, setsockopt(l.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
	ASSERT_EQ(0, setsockopt(l.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	for (int i = 0; i < 200; i++) {
		struct tencl t;

		ASSERT_EQ(0, tencl_create(&t, 2 * PAGE, 0));
		tencl_close(&t);
	}
	/* The listener fell behind: it is told once, then sees the gap. */
	for (int round = 0; round < 2; round++) {
		while ((ret = next_event(l.fd, &ev, 500)) != -ETIMEDOUT) {
			if (ret == -ENOBUFS) {
				events = -1000;
				continue;
			}
			ASSERT_EQ(0, ret);
			if (last && ev.seq != last + 1)
				gap = true;
			last = ev.seq;
			events++;
		}
		/* One more event after the lost ones makes the gap visible. */
		if (!round) {
			struct tencl t;

			ASSERT_EQ(0, tencl_create(&t, 2 * PAGE, 0));
			tencl_close(&t);
		}
	}
	EXPECT_GT(0, events); /* ENOBUFS seen */
	EXPECT_TRUE(gap);
	nl_close(&l);
}

TEST_HARNESS_MAIN
