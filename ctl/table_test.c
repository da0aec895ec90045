// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for tables (table.c) and top's sorting and layout (top.c). */
#include <errno.h>
#include <string.h>

#include "common/test.h"

#include "ctl.h"
#include "table.h"

static const struct table_column cols[] = {
	{ "NAME", false },
	{ "N", true },
	{ "NOTE", false },
};

TEST(layout)
{
	struct table *t;
	struct memout m;

	ASSERT_EQ(0, table_new(cols, 3, &t));
	ASSERT_EQ(0, table_add(t, "alpha"));
	ASSERT_EQ(0, table_addf(t, "%d", 5));
	ASSERT_EQ(0, table_add(t, "x"));
	ASSERT_EQ(0, table_add(t, "b"));
	ASSERT_EQ(0, table_addf(t, "%d", 12345));
	ASSERT_EQ(0, table_add(t, ""));
	memout_open(&m);
	ASSERT_EQ(0, table_print(t, m.f));
	/* Two spaces apart, numbers right-aligned, no trailing blanks. */
	EXPECT_STREQ("NAME       N  NOTE\n"
		     "alpha      5  x\n"
		     "b      12345\n",
		     memout_str(&m));
	memout_close(&m);
	table_free(t);
}

TEST(header_only)
{
	struct table *t;
	struct memout m;

	ASSERT_EQ(0, table_new(cols, 3, &t));
	memout_open(&m);
	ASSERT_EQ(0, table_print(t, m.f));
	EXPECT_STREQ("NAME  N  NOTE\n", memout_str(&m));
	memout_close(&m);
	table_free(t);
}

TEST(incomplete_row)
{
	struct table *t;
	struct memout m;

	ASSERT_EQ(0, table_new(cols, 3, &t));
	ASSERT_EQ(0, table_add(t, "a"));
	memout_open(&m);
	EXPECT_EQ(-EINVAL, table_print(t, m.f));
	memout_close(&m);
	table_free(t);
}

/* A cell shows no control character, and is as wide as its characters. */
TEST(cells_are_printable)
{
	static const struct table_column one[] = { { "PATH", false }, { "X", false } };
	struct table *t;
	struct memout m;

	ASSERT_EQ(0, table_new(one, 2, &t));
	ASSERT_EQ(0, table_add(t, "/a\nb\tc\x1b[2J"));
	ASSERT_EQ(0, table_add(t, "1"));
	ASSERT_EQ(0, table_add(t, "/caf\xc3\xa9"));
	ASSERT_EQ(0, table_add(t, "2"));
	memout_open(&m);
	ASSERT_EQ(0, table_print(t, m.f));
	EXPECT_STREQ("PATH        X\n"
		     "/a?b?c?[2J  1\n"
		     "/caf\xc3\xa9       2\n",
		     memout_str(&m));
	memout_close(&m);
	table_free(t);
}

static struct ctl_cgroup cg(const char *path, uint64_t current, uint64_t peak, uint64_t events)
{
	return (struct ctl_cgroup){ .path = (char *)path,
				    .id = current + peak + events,
				    .limit = EB_LIMIT_NONE,
				    .current = current,
				    .peak = peak,
				    .events = events };
}

static const char *order(const struct ctl_cgroup *v, size_t n)
{
	static char buf[256];

	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		strcat(buf, v[i].path);
		strcat(buf, " ");
	}
	return buf;
}

TEST(sort)
{
	struct ctl_cgroup v[] = {
		cg("/b", 4096, 8192, 0), cg("/", 12288, 12288, 3),  cg("/a", 4096, 4096, 3),
		cg("/c", 0, 16384, 1),	 cg("/a/x", 8192, 8192, 0),
	};
	enum top_sort key;

	top_sort(v, 5, TOP_SORT_CURRENT);
	EXPECT_STREQ("/ /a/x /a /b /c ", order(v, 5)); /* ties by path */
	top_sort(v, 5, TOP_SORT_PEAK);
	EXPECT_STREQ("/c / /a/x /b /a ", order(v, 5));
	top_sort(v, 5, TOP_SORT_PATH);
	EXPECT_STREQ("/ /a /a/x /b /c ", order(v, 5));
	top_sort(v, 5, TOP_SORT_REFUSALS);
	EXPECT_STREQ("/ /a /c /a/x /b ", order(v, 5));

	EXPECT_EQ(0, top_sort_parse("peak", &key));
	EXPECT_EQ((int)TOP_SORT_PEAK, (int)key);
	EXPECT_EQ(0, top_sort_parse("refusals", &key));
	EXPECT_EQ((int)TOP_SORT_REFUSALS, (int)key);
	EXPECT_EQ(-EINVAL, top_sort_parse("Current", &key));
	EXPECT_EQ(-EINVAL, top_sort_parse("", &key));
}

TEST(top_layout)
{
	struct ctl_cgroup v[] = {
		cg("/", 12288, 12288, 3),
		cg("/tenants/alice", 4096, 4096, 2),
		cg("/gone", 1536, 8 << 20, 0),
	};
	struct memout m;

	v[1].limit = 8 << 20;
	v[1].enclaves = 1;
	v[2].removed = true;
	memout_open(&m);
	ASSERT_EQ(0, top_table(v, 3, m.f));
	EXPECT_STREQ("CGROUP           CURRENT  MAX  PEAK  REFUSALS  ENCLAVES\n"
		     "/                    12K  max   12K         3         0\n"
		     "/tenants/alice        4K   8M    4K         2         1\n"
		     "/gone (removed)     1.5K  max    8M         0         0\n",
		     memout_str(&m));
	memout_close(&m);
}

TEST_HARNESS_MAIN
