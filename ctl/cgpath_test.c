// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for CGROUP arguments and cgroup2 mounts (cgpath.c). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "common/test.h"

#include "cgpath.h"

TEST(clean)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/", "/" },
		{ "//", "/" },
		{ "/.", "/" },
		{ "/a", "/a" },
		{ "/a/", "/a" },
		{ "//a//b///", "/a/b" },
		{ "/./a/./b/.", "/a/b" },
		{ "/a.b/..c/c..", "/a.b/..c/c.." },
		{ "/with space/x", "/with space/x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;

		ASSERT_EQ(0, cg_path_clean(cases[i].in, &out)) TH_LOG("'%s'", cases[i].in);
		EXPECT_STREQ(cases[i].out, out);
		free(out);
	}
}

TEST(clean_refuses)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ "", -EINVAL },	{ "a", -EINVAL },     { "/..", -EINVAL },
		{ "/a/../b", -EINVAL }, { "/a/..", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = (char *)"untouched";

		EXPECT_EQ(cases[i].err, cg_path_clean(cases[i].in, &out))
		TH_LOG("'%s'", cases[i].in);
		EXPECT_STREQ("untouched", out);
	}
}

TEST(clean_too_long)
{
	char *long_path = malloc(PATH_MAX + 2), *out = NULL;

	ASSERT_NE(NULL, long_path);
	memset(long_path, 'a', PATH_MAX + 1);
	long_path[0] = '/';
	long_path[PATH_MAX + 1] = 0;
	EXPECT_EQ(-ENAMETOOLONG, cg_path_clean(long_path, &out));
	free(long_path);
}

static const char mountinfo_text[] =
    "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "26 1 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "27 22 0:25 / /sys/fs/cgroupx rw shared:5 - tmpfs tmpfs rw\n"
    "40 26 0:24 /tenants /mnt/my\\040cg rw,relatime shared:4 - cgroup2 cgroup2 rw\n"
    "41 26 0:24 /tenants/deep /sys/fs/cgroup/mirror rw - cgroup2 none rw\n"
    "42 1 0:30 / /srv/cg1 rw - cgroup cgroup rw,memory\n"
    "43 1 0:24 /.. /weird rw - cgroup2 cgroup2 rw\n"
    "garbage line\n";

static void mounts_from(struct cg_mounts *m, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!f || cg_mounts_parse(f, m) < 0)
		abort();
	fclose(f);
}

TEST(mountinfo_parse)
{
	struct cg_mounts m;

	mounts_from(&m, mountinfo_text);
	/* cgroup v1, other file systems, roots outside the namespace, garbage: not ours. */
	ASSERT_EQ(3U, m.n);
	EXPECT_STREQ("/sys/fs/cgroup", m.v[0].mountpoint);
	EXPECT_STREQ("/", m.v[0].root);
	EXPECT_STREQ("/mnt/my cg", m.v[1].mountpoint);
	EXPECT_STREQ("/tenants", m.v[1].root);
	EXPECT_STREQ("/sys/fs/cgroup/mirror", m.v[2].mountpoint);
	EXPECT_STREQ("/tenants/deep", m.v[2].root);
	cg_mounts_free(&m);
}

static const char *path_of(const char *arg, const struct cg_mounts *m)
{
	static char *last;
	int r;

	free(last);
	last = NULL;
	r = cg_path_from_arg(arg, m, &last);
	if (r < 0)
		return strerror(-r);
	return last;
}

TEST(from_arg)
{
	static const struct {
		const char *arg, *path;
	} cases[] = {
		/* The three spellings of one cgroup. */
		{ "tenants/a", "/tenants/a" },
		{ "/tenants/a", "/tenants/a" },
		{ "/sys/fs/cgroup/tenants/a", "/tenants/a" },
		/* The root. */
		{ "/", "/" },
		{ ".", "/" },
		{ "/sys/fs/cgroup", "/" },
		{ "/sys/fs/cgroup/", "/" },
		{ "/sys//fs/cgroup/./tenants//a/", "/tenants/a" },
		/* A prefix of a mount point's name is not below it. */
		{ "/sys/fs/cgroupx/a", "/sys/fs/cgroupx/a" },
		/* A relative path is never a file system path. */
		{ "sys/fs/cgroup/a", "/sys/fs/cgroup/a" },
		/* Mounts of a subtree, the deepest mount winning. */
		{ "/mnt/my cg/b", "/tenants/b" },
		{ "/mnt/my cg", "/tenants" },
		{ "/sys/fs/cgroup/mirror/x", "/tenants/deep/x" },
		{ "/sys/fs/cgroup/mirrors", "/mirrors" },
		/* Refused. */
		{ "", "Invalid argument" },
		{ "a/../b", "Invalid argument" },
		{ "/sys/fs/cgroup/..", "Invalid argument" },
	};
	struct cg_mounts m;

	mounts_from(&m, mountinfo_text);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_STREQ(cases[i].path, path_of(cases[i].arg, &m)) TH_LOG("'%s'", cases[i].arg);
	}
	cg_mounts_free(&m);
}

/* Without a cgroup2 mount an absolute path is a hierarchy path. */
TEST(from_arg_without_mounts)
{
	struct cg_mounts none = { 0 };

	EXPECT_STREQ("/sys/fs/cgroup/a", path_of("/sys/fs/cgroup/a", &none));
	EXPECT_STREQ("/sys/fs/cgroup/a", path_of("/sys/fs/cgroup/a", NULL));
	EXPECT_STREQ("/a", path_of("a", NULL));
}

TEST(cgroup2_mounted_at_root)
{
	struct cg_mounts m;

	mounts_from(&m, "1 0 0:24 / / rw - cgroup2 cgroup2 rw\n");
	EXPECT_STREQ("/tenants/a", path_of("/tenants/a", &m));
	EXPECT_STREQ("/", path_of("/", &m));
	cg_mounts_free(&m);
}

TEST_HARNESS_MAIN
