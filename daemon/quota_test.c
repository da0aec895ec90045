// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the EDQUOT explanation against a fake cgroup tree and a fake
 * /sys/kernel/ebroker: the directories' inode numbers play the cgroup ids.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "common/test.h"
#include "common/util.h"

#include "quota.h"

struct tree {
	char root[64];
	char cg[128], sys[128];
};

static void mkdirs(const char *p)
{
	char tmp[600];

	snprintf(tmp, sizeof(tmp), "mkdir -p '%s'", p);
	if (system(tmp))
		abort();
}

/* Give cgroup PATH (under t->cg) the values MAX and CURRENT in the fake sysfs. */
static void entry(struct tree *t, const char *path, const char *max, const char *cur)
{
	char p[512];
	struct stat st;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", t->cg, path);
	mkdirs(p);
	if (stat(p, &st))
		abort();
	snprintf(p, sizeof(p), "%s/cgroups/%llu", t->sys, (unsigned long long)st.st_ino);
	mkdirs(p);
	strcat(p, "/max");
	f = fopen(p, "w");
	fprintf(f, "%s\n", max);
	fclose(f);
	*strrchr(p, '/') = '\0';
	strcat(p, "/current");
	f = fopen(p, "w");
	fprintf(f, "%s\n", cur);
	fclose(f);
}

static void tree_init(struct tree *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/eb-quota-test.XXXXXX");
	if (!mkdtemp(t->root))
		abort();
	snprintf(t->cg, sizeof(t->cg), "%s/cg", t->root);
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->root);
}

static void tree_done(struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd))
		abort();
}

TEST(names_the_tenant_cgroup)
{
	struct tree t;
	char buf[512];

	tree_init(&t);
	entry(&t, "/tenants", "max", "1048576");
	entry(&t, "/tenants/alice", "8388608", "8126464");
	quota_explain(t.sys, t.cg, "/tenants/alice", "echo", 146, buf, sizeof(buf));
	EXPECT_STREQ("cgroup /tenants/alice has not enough EPC left under its limit of 8 MiB "
		     "(7.8 MiB in use; an instance of enclave echo needs 584 KiB)",
		     buf);
	tree_done(&t);
}

TEST(names_the_ancestor_that_refuses)
{
	struct tree t;
	char buf[512];

	tree_init(&t);
	entry(&t, "/tenants", "1048576", "1048576");
	entry(&t, "/tenants/alice", "max", "0");
	quota_explain(t.sys, t.cg, "/tenants/alice", "keyvault", 151, buf, sizeof(buf));
	EXPECT_STREQ("cgroup /tenants has not enough EPC left under its limit of 1 MiB "
		     "(1 MiB in use; an instance of enclave keyvault needs 604 KiB)",
		     buf);
	tree_done(&t);
}

TEST(no_limit_found)
{
	struct tree t;
	char buf[512];

	/* The limit was raised since, or the entry is gone: say what is known. */
	tree_init(&t);
	entry(&t, "/tenants/bob", "max", "0");
	quota_explain(t.sys, t.cg, "/tenants/bob", "echo", 146, buf, sizeof(buf));
	EXPECT_STREQ("the EPC limit of cgroup /tenants/bob or one of its ancestors leaves no room "
		     "for an instance of enclave echo (584 KiB)",
		     buf);
	tree_done(&t);
}

TEST_HARNESS_MAIN
