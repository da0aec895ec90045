// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for ebrokerd's policy (policy.c): the shipped examples,
 * defaults and overrides, every refusal with its "FILE:LINE: reason", and
 * who may open what. Policies are written to a scratch directory under
 * /tmp; names are resolved with this machine's accounts (root and nobody),
 * everyone else is a number.
 */
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"

/* Fixtures too are defined without prototypes. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#include "daemon/policy.h"

#define MRS	       "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"
#define ENCLAVE(extra) "[Enclave]\nImage=/x/e.ebimg\nMRSIGNER=" MRS "\nISVPRODID=7\n" extra

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* Write @len bytes to @root/@rel; 0 or -errno. */
static int put_bytes(const char *root, const char *rel, const void *data, size_t len)
{
	char *path = fmt("%s/%s", root, rel);
	FILE *f = fopen(path, "we");
	int r = 0;

	free(path);
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		r = -EIO;
	if (fclose(f) < 0 && !r)
		r = -errno;
	return r;
}

static int put(const char *root, const char *rel, const char *text)
{
	return put_bytes(root, rel, text, strlen(text));
}

/* What loading @root says: its error, or "" when it loaded. */
static char *load_error(const char *root)
{
	struct eb_policy *p = NULL;
	char *err = NULL;
	int r;

	r = eb_policy_load(root, &p, &err);
	if (r == 0) {
		eb_policy_free(p);
		return strdup("");
	}
	if (p) /* ret untouched on failure */
		return strdup("(policy returned on failure)");
	return err ? err : strdup("(no message)");
}

/* The examples in the source tree: tests live in build/test/daemon. */
static const char *examples_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		abort();
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%s/../../../daemon/examples", dirname(exe));
	return dir;
}

FIXTURE(conf)
{
	char root[64];
};

FIXTURE_SETUP(conf)
{
	char *d;

	strcpy(self->root, "/tmp/ebpolicy-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	d = fmt("%s/policy.d", self->root);
	ASSERT_EQ(0, mkdir(d, 0755));
	free(d);
	d = fmt("%s/enclaves.d", self->root);
	ASSERT_EQ(0, mkdir(d, 0755));
	free(d);
}

FIXTURE_TEARDOWN(conf)
{
	rm_rf(self->root);
}

/* ------------------------------------------------------ valid policies */

TEST_F(conf, examples)
{
	static const gid_t tenants[] = { 100, 1500 };
	const struct eb_policy_limits *l;
	const struct eb_enclave_conf *e;
	struct eb_policy *p = NULL;
	char *err = NULL, *cmd;

	cmd = fmt("cp -R '%s'/. '%s'", examples_dir(), self->root);
	ASSERT_EQ(0, system(cmd));
	free(cmd);
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);

	l = eb_policy_limits(p);
	EXPECT_EQ(32U, l->sessions_per_user); /* policy.d overrides policy.conf */
	EXPECT_EQ(256U, l->sessions_per_cgroup);
	EXPECT_EQ(256U, l->connections_per_user);
	EXPECT_EQ(8192U, l->connections);
	EXPECT_EQ(65536U, l->max_msg);
	EXPECT_EQ(NULL, l->socket_group);
	EXPECT_EQ(0666U, l->socket_mode);
	EXPECT_EQ(2000000000U, l->worker_uid_min);
	EXPECT_EQ(2000065535U, l->worker_uid_max);

	ASSERT_EQ(3U, eb_policy_enclave_count(p));
	e = eb_policy_enclave_at(p, 0);
	EXPECT_STREQ("echo", e->name);
	EXPECT_EQ(e, eb_policy_enclave(p, "echo"));
	EXPECT_STREQ("/usr/local/lib/ebroker/enclaves/echo.ebimg", e->image);
	EXPECT_EQ(0x8a, e->mrsigner[0]);
	EXPECT_EQ(0xb0, e->mrsigner[31]);
	EXPECT_EQ(1, e->isv_prod_id);
	EXPECT_EQ(0U, e->min_warm);
	EXPECT_EQ(2U, e->max_instances);
	EXPECT_EQ(256U, e->sessions_per_instance);
	EXPECT_EQ(5000U, e->idle_timeout_ms);
	EXPECT_EQ(1500U, e->call_timeout_ms);
	e = eb_policy_enclave_at(p, 1);
	EXPECT_STREQ("keyvault", e->name);
	EXPECT_EQ(1U, e->min_warm);
	EXPECT_EQ(4U, e->max_instances);
	EXPECT_EQ(30000U, e->idle_timeout_ms);
	EXPECT_EQ(10000U, e->call_timeout_ms);
	e = eb_policy_enclave_at(p, 2);
	EXPECT_STREQ("qe", e->name);
	EXPECT_EQ(60161, e->isv_prod_id);
	EXPECT_EQ(1U, e->min_warm);
	EXPECT_EQ(1U, e->max_instances);
	EXPECT_STREQ("qe", eb_policy_attestation(p)->quoting_enclave);
	EXPECT_STREQ("/var/lib/ebroker/attestation", eb_policy_attestation(p)->state_dir);
	EXPECT_EQ(300000U, eb_policy_attestation(p)->check_interval_ms);
	EXPECT_EQ(NULL, eb_policy_enclave_at(p, 3));
	EXPECT_EQ(NULL, eb_policy_enclave(p, "nope"));

	EXPECT_TRUE(eb_policy_may_open(p, "keyvault", 0, 0, NULL, 0)); /* Users=root, '*' */
	EXPECT_TRUE(eb_policy_may_open(p, "echo", 0, 0, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "echo", 1001, 1001, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "keyvault", 1002, 1002, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "echo", 1002, 1002, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "echo", 1003, 1500, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "echo", 1003, 1003, tenants, 2));
	EXPECT_FALSE(eb_policy_may_open(p, "keyvault", 1003, 1500, tenants, 2));
	EXPECT_FALSE(eb_policy_may_open(p, "nope", 0, 0, NULL, 0));
	eb_policy_free(p);
}

TEST_F(conf, empty_root_gives_defaults)
{
	const struct eb_policy_attestation *a;
	const struct eb_policy_limits *l;
	struct eb_policy *p = NULL;
	char *err = NULL, *d;

	/* Neither policy.conf nor the .d directories are required. */
	d = fmt("%s/policy.d", self->root);
	ASSERT_EQ(0, rmdir(d));
	free(d);
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	l = eb_policy_limits(p);
	EXPECT_EQ(64U, l->sessions_per_user);
	EXPECT_EQ(256U, l->sessions_per_cgroup);
	EXPECT_EQ(256U, l->connections_per_user);
	EXPECT_EQ(8192U, l->connections);
	EXPECT_EQ(65536U, l->max_msg);
	EXPECT_EQ(NULL, l->socket_group);
	EXPECT_EQ(0666U, l->socket_mode);
	EXPECT_EQ(2000000000U, l->worker_uid_min);
	EXPECT_EQ(2000065535U, l->worker_uid_max);
	a = eb_policy_attestation(p);
	EXPECT_STREQ("", a->quoting_enclave);
	EXPECT_STREQ(EB_POLICY_DEFAULT_STATE_DIR, a->state_dir);
	EXPECT_EQ(0, a->min_platform_svn);
	EXPECT_EQ(300000U, a->check_interval_ms);
	EXPECT_EQ(0U, eb_policy_enclave_count(p));
	EXPECT_FALSE(eb_policy_may_open(p, "echo", 0, 0, NULL, 0));
	eb_policy_free(p);
}

TEST_F(conf, enclave_defaults_and_values)
{
	const struct eb_enclave_conf *e;
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "enclaves.d/a.conf", ENCLAVE("")));
	ASSERT_EQ(0, put(self->root, "enclaves.d/b-1.x_y.conf",
			 ENCLAVE("MinWarmInstances=64\nMaxInstances=64\nSessionsPerInstance=10000\n"
				 "IdleTimeoutSec=0.5\nCallTimeoutSec=3600\n")));
	ASSERT_EQ(0, put(self->root, "enclaves.d/c.conf",
			 ENCLAVE("IdleTimeoutSec=86400\nCallTimeoutSec=1.250\n")));
	ASSERT_EQ(0, put(self->root, "enclaves.d/d.conf", ENCLAVE("IdleTimeoutSec=0.0010\n")));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	ASSERT_EQ(4U, eb_policy_enclave_count(p));

	e = eb_policy_enclave(p, "a");
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("/x/e.ebimg", e->image);
	EXPECT_EQ(7, e->isv_prod_id);
	EXPECT_EQ(0x00, e->mrsigner[0]);
	EXPECT_EQ(0x11, e->mrsigner[1]);
	EXPECT_EQ(0xee, e->mrsigner[30]); /* upper case hex */
	EXPECT_EQ(0xff, e->mrsigner[31]);
	EXPECT_EQ(0U, e->min_warm);
	EXPECT_EQ(4U, e->max_instances);
	EXPECT_EQ(64U, e->sessions_per_instance);
	EXPECT_EQ(30000U, e->idle_timeout_ms);
	EXPECT_EQ(10000U, e->call_timeout_ms);

	e = eb_policy_enclave(p, "b-1.x_y");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(64U, e->min_warm);
	EXPECT_EQ(64U, e->max_instances);
	EXPECT_EQ(10000U, e->sessions_per_instance);
	EXPECT_EQ(500U, e->idle_timeout_ms);
	EXPECT_EQ(3600000U, e->call_timeout_ms);

	e = eb_policy_enclave(p, "c");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(86400000U, e->idle_timeout_ms);
	EXPECT_EQ(1250U, e->call_timeout_ms);
	EXPECT_EQ(1U, eb_policy_enclave(p, "d")->idle_timeout_ms);

	/* By name. */
	EXPECT_STREQ("a", eb_policy_enclave_at(p, 0)->name);
	EXPECT_STREQ("b-1.x_y", eb_policy_enclave_at(p, 1)->name);
	EXPECT_STREQ("d", eb_policy_enclave_at(p, 3)->name);
	eb_policy_free(p);
}

TEST_F(conf, syntax_latitude)
{
	const struct eb_enclave_conf *e;
	struct eb_policy *p = NULL;
	char *err = NULL;

	/* Comments, blank lines, blanks around keys and values, CRLF, no final newline. */
	ASSERT_EQ(0, put(self->root, "enclaves.d/e.conf",
			 "# comment\r\n; another\r\n\r\n  [Enclave]  \r\n"
			 "\tImage =  /x/y.ebimg\t\r\n"
			 "MRSIGNER=" MRS "\r\n"
			 "   ISVPRODID\t=\t65535\r\n"
			 "MaxInstances=007"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	e = eb_policy_enclave(p, "e");
	ASSERT_NE(NULL, e);
	EXPECT_STREQ("/x/y.ebimg", e->image);
	EXPECT_EQ(65535, e->isv_prod_id);
	EXPECT_EQ(7U, e->max_instances);
	eb_policy_free(p);
}

TEST_F(conf, ignored_files_and_order)
{
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "policy.conf", "[Limits]\nSessionsPerUser=1\n"));
	ASSERT_EQ(0, put(self->root, "policy.d/20-b.conf", "[Limits]\nSessionsPerUser=3\n"));
	ASSERT_EQ(0, put(self->root, "policy.d/10-a.conf",
			 "[Limits]\nSessionsPerUser=2\nSessionsPerCgroup=9\n"));
	/* Not NAME.conf, or hidden: not read (they would be refused). */
	ASSERT_EQ(0, put(self->root, "policy.d/30-c.conf.disabled", "garbage"));
	ASSERT_EQ(0, put(self->root, "policy.d/.40-d.conf", "garbage"));
	ASSERT_EQ(0, put(self->root, "policy.d/README", "garbage"));
	ASSERT_EQ(0, put(self->root, "enclaves.d/x.conf~", "garbage"));
	ASSERT_EQ(0, put(self->root, "enclaves.d/.x.conf", "garbage"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	EXPECT_EQ(3U, eb_policy_limits(p)->sessions_per_user);
	EXPECT_EQ(9U, eb_policy_limits(p)->sessions_per_cgroup);
	EXPECT_EQ(0U, eb_policy_enclave_count(p));
	eb_policy_free(p);
}

TEST_F(conf, daemon_section)
{
	const struct eb_policy_limits *l;
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Daemon]\nSocketGroup=root\nWorkerUIDs=5000-5009\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	l = eb_policy_limits(p);
	EXPECT_STREQ("root", l->socket_group);
	EXPECT_EQ(0660U, l->socket_mode); /* the default with a group */
	EXPECT_EQ(5000U, l->worker_uid_min);
	EXPECT_EQ(5009U, l->worker_uid_max);
	eb_policy_free(p);

	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Daemon]\nSocketGroup=0\nSocketMode=640\nWorkerUIDs=7\n"
			 "[Limits]\nMaxMessageSize=4096\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	l = eb_policy_limits(p);
	EXPECT_STREQ("0", l->socket_group);
	EXPECT_EQ(0640U, l->socket_mode);
	EXPECT_EQ(7U, l->worker_uid_min);
	EXPECT_EQ(7U, l->worker_uid_max);
	EXPECT_EQ(4096U, l->max_msg);
	eb_policy_free(p);

	ASSERT_EQ(0, put(self->root, "policy.conf", "[Daemon]\nSocketGroup=\nSocketMode=0600\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	l = eb_policy_limits(p);
	EXPECT_EQ(NULL, l->socket_group);
	EXPECT_EQ(0600U, l->socket_mode);
	eb_policy_free(p);
}

TEST_F(conf, attestation_section)
{
	const struct eb_policy_attestation *a;
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "enclaves.d/qe.conf", ENCLAVE("")));
	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Daemon]\nWorkerUIDs=7\n"
			 "[Attestation]\nQuotingEnclave=qe\nStateDirectory=/srv/eb/att/\n"
			 "MinPlatformSVN=65535\nCheckIntervalSec=86400\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	a = eb_policy_attestation(p);
	EXPECT_STREQ("qe", a->quoting_enclave);
	EXPECT_STREQ("/srv/eb/att/", a->state_dir);
	EXPECT_EQ(65535, a->min_platform_svn);
	EXPECT_EQ(86400000U, a->check_interval_ms);
	EXPECT_EQ(7U, eb_policy_limits(p)->worker_uid_min);
	/* The quoting enclave is an enclave like any other. */
	EXPECT_NE(NULL, eb_policy_enclave(p, "qe"));
	eb_policy_free(p);

	/* Keys not given keep their defaults; an empty QuotingEnclave= is "not configured". */
	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Attestation]\nQuotingEnclave=\nCheckIntervalSec=1.5\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	a = eb_policy_attestation(p);
	EXPECT_STREQ("", a->quoting_enclave);
	EXPECT_STREQ(EB_POLICY_DEFAULT_STATE_DIR, a->state_dir);
	EXPECT_EQ(0, a->min_platform_svn);
	EXPECT_EQ(1500U, a->check_interval_ms);
	eb_policy_free(p);

	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Attestation]\nStateDirectory=/\nMinPlatformSVN=0012\n"
			 "CheckIntervalSec=1\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	a = eb_policy_attestation(p);
	EXPECT_STREQ("/", a->state_dir);
	EXPECT_EQ(12, a->min_platform_svn);
	EXPECT_EQ(1000U, a->check_interval_ms);
	eb_policy_free(p);
}

/* MaxMessageSize= goes up to the protocol's EBP_SESSION_MSG_MAX. */
TEST_F(conf, max_message_size)
{
	static const unsigned long long sizes[] = { 4095, 4096, EBP_SESSION_MSG_MAX,
						    EBP_SESSION_MSG_MAX + 1ULL };
	struct eb_policy *p = NULL;
	char *err = NULL, *text, *want;

	for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
		text = fmt("[Limits]\nMaxMessageSize=%llu\n", sizes[i]);
		ASSERT_EQ(0, put(self->root, "policy.conf", text));
		free(text);
		if (sizes[i] >= 4096 && sizes[i] <= EBP_SESSION_MSG_MAX) {
			ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
			EXPECT_EQ(sizes[i], eb_policy_limits(p)->max_msg);
			p = eb_policy_free(p);
			continue;
		}
		err = load_error(self->root);
		want = fmt("%s/policy.conf:2: MaxMessageSize=%llu: out of range 4096..%d",
			   self->root, sizes[i], EBP_SESSION_MSG_MAX);
		EXPECT_STREQ(want, err);
		free(want);
		free(err);
	}
}

/*
 * ConnectionsPerUser= and Connections= take 1..16384, each on its own: a
 * later file overrides the one it sets and keeps the other.
 */
TEST_F(conf, connection_limits)
{
	static const struct {
		const char *key;
		unsigned long long value;
	} cases[] = {
		{ "ConnectionsPerUser", 0 },
		{ "ConnectionsPerUser", 1 },
		{ "ConnectionsPerUser", 16384 },
		{ "ConnectionsPerUser", 16385 },
		{ "Connections", 0 },
		{ "Connections", 1 },
		{ "Connections", 16384 },
		{ "Connections", 4294967297ULL },
	};
	const struct eb_policy_limits *l;
	struct eb_policy *p = NULL;
	char *err = NULL, *text, *want;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		text = fmt("[Limits]\n%s=%llu\n", cases[i].key, cases[i].value);
		ASSERT_EQ(0, put(self->root, "policy.conf", text));
		free(text);
		if (cases[i].value >= 1 && cases[i].value <= 16384) {
			ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
			l = eb_policy_limits(p);
			if (!strcmp(cases[i].key, "Connections")) {
				EXPECT_EQ(cases[i].value, l->connections);
				EXPECT_EQ(256U, l->connections_per_user);
			} else {
				EXPECT_EQ(cases[i].value, l->connections_per_user);
				EXPECT_EQ(8192U, l->connections);
			}
			p = eb_policy_free(p);
			continue;
		}
		err = load_error(self->root);
		want = fmt("%s/policy.conf:2: %s=%llu: out of range 1..16384", self->root,
			   cases[i].key, cases[i].value);
		EXPECT_STREQ(want, err);
		free(want);
		free(err);
	}

	ASSERT_EQ(
	    0, put(self->root, "policy.conf", "[Limits]\nConnectionsPerUser=8\nConnections=100\n"));
	ASSERT_EQ(0, put(self->root, "policy.d/10-a.conf", "[Limits]\nConnections=50\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	EXPECT_EQ(8U, eb_policy_limits(p)->connections_per_user);
	EXPECT_EQ(50U, eb_policy_limits(p)->connections);
	eb_policy_free(p);
}

/* ------------------------------------------------------------ may_open */

TEST_F(conf, may_open)
{
	static const gid_t supp[] = { 3, 4000, 9 };
	static const gid_t other[] = { 3, 9 };
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "enclaves.d/a.conf", ENCLAVE("")));
	ASSERT_EQ(0, put(self->root, "enclaves.d/b.conf", ENCLAVE("")));
	ASSERT_EQ(0, put(self->root, "enclaves.d/c.conf", ENCLAVE("")));
	ASSERT_EQ(0, put(self->root, "policy.conf",
			 "[Allow]\nEnclaves=a\nUsers=1001 nobody\n"
			 "[Allow]\nEnclaves=b\nGroups=4000\n"
			 "[Allow]\nEnclaves=*\nUsers=1005\nGroups=root\n"));
	/* The list keys add up. */
	ASSERT_EQ(0, put(self->root, "policy.d/x.conf",
			 "[Allow]\nEnclaves=a\nEnclaves=b\nUsers=2001\nUsers=2002 2001\n"));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);

	/* By uid, numeric or by name. */
	EXPECT_TRUE(eb_policy_may_open(p, "a", 1001, 1001, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "a", 65534, 65534, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "b", 1001, 1001, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "c", 1001, 1001, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "a", 2001, 2001, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "b", 2002, 2002, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "c", 2002, 2002, NULL, 0));

	/* By primary gid, and by a supplementary one. */
	EXPECT_TRUE(eb_policy_may_open(p, "b", 1002, 4000, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "b", 1002, 1002, supp, 3));
	EXPECT_FALSE(eb_policy_may_open(p, "b", 1002, 1002, other, 2));
	EXPECT_FALSE(eb_policy_may_open(p, "a", 1002, 4000, supp, 3));
	/* A gid never matches Users=, a uid never Groups=. */
	EXPECT_FALSE(eb_policy_may_open(p, "a", 4000, 1001, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "b", 4000, 1002, NULL, 0));

	/* '*': every enclave that exists, and only those. */
	EXPECT_TRUE(eb_policy_may_open(p, "a", 1005, 1005, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "c", 1005, 1005, NULL, 0));
	EXPECT_TRUE(eb_policy_may_open(p, "c", 1006, 0, NULL, 0)); /* Groups=root */
	EXPECT_FALSE(eb_policy_may_open(p, "d", 1005, 1005, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "", 1005, 1005, NULL, 0));

	/* Root is not special. */
	EXPECT_FALSE(eb_policy_may_open(p, "a", 0, 1, NULL, 0));
	eb_policy_free(p);
}

TEST_F(conf, no_rule_no_access)
{
	struct eb_policy *p = NULL;
	char *err = NULL;

	ASSERT_EQ(0, put(self->root, "enclaves.d/a.conf", ENCLAVE("")));
	ASSERT_EQ(0, eb_policy_load(self->root, &p, &err)) TH_LOG("%s", err);
	EXPECT_FALSE(eb_policy_may_open(p, "a", 0, 0, NULL, 0));
	EXPECT_FALSE(eb_policy_may_open(p, "a", 1000, 1000, NULL, 0));
	eb_policy_free(p);
}

/* ------------------------------------------------------------ refusals */

/*
 * Each refusal: the root holds a valid enclaves.d/echo.conf, then @file
 * gets @text (replacing echo.conf when that is @file); loading must fail
 * with "ROOT/@file@error".
 */
FIXTURE(refusal)
{
	char root[64];
};

FIXTURE_VARIANT(refusal)
{
	const char *file;
	const char *text;
	const char *error;
};

FIXTURE_SETUP(refusal)
{
	char *d;

	strcpy(self->root, "/tmp/ebpolicy-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	d = fmt("%s/policy.d", self->root);
	ASSERT_EQ(0, mkdir(d, 0755));
	free(d);
	d = fmt("%s/enclaves.d", self->root);
	ASSERT_EQ(0, mkdir(d, 0755));
	free(d);
	ASSERT_EQ(0, put(self->root, "enclaves.d/echo.conf", ENCLAVE("")));
}

FIXTURE_TEARDOWN(refusal)
{
	rm_rf(self->root);
}

TEST_F(refusal, refused)
{
	char *err = load_error(self->root), *want;

	ASSERT_STREQ("", err);
	free(err);
	ASSERT_EQ(0, put(self->root, variant->file, variant->text));
	err = load_error(self->root);
	want = fmt("%s/%s%s", self->root, variant->file, variant->error);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
}

#define ECHO "enclaves.d/echo.conf"

/* Syntax. */
FIXTURE_VARIANT_ADD(refusal, unknown_key){
	.file = ECHO,
	.text = ENCLAVE("Foo=1\n"),
	.error = ":5: unknown key 'Foo' in [Enclave]",
};
FIXTURE_VARIANT_ADD(refusal, key_case){
	.file = ECHO,
	.text = ENCLAVE("maxinstances=1\n"),
	.error = ":5: unknown key 'maxinstances' in [Enclave]",
};
FIXTURE_VARIANT_ADD(refusal, key_in_other_section){
	.file = "policy.conf",
	.text = "[Limits]\nWorkerUIDs=1-2\n",
	.error = ":2: WorkerUIDs= belongs in [Daemon], not [Limits]",
};
FIXTURE_VARIANT_ADD(refusal, unknown_section){
	.file = "policy.conf",
	.text = "\n[Tenants]\n",
	.error = ":2: unknown section [Tenants]",
};
FIXTURE_VARIANT_ADD(refusal, key_before_section){
	.file = ECHO,
	.text = "# x\nImage=/a\n[Enclave]\n",
	.error = ":2: Image= before any section header",
};
FIXTURE_VARIANT_ADD(refusal, no_equals){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances 4\n"),
	.error = ":5: expected [Section], Key=Value or a comment",
};
FIXTURE_VARIANT_ADD(refusal, no_key){
	.file = ECHO,
	.text = ENCLAVE(" = 4\n"),
	.error = ":5: no key before '='",
};
FIXTURE_VARIANT_ADD(refusal, empty_value){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances=\n"),
	.error = ":5: MaxInstances=: empty value",
};
FIXTURE_VARIANT_ADD(refusal, unterminated_header){
	.file = ECHO,
	.text = "[Enclave\n",
	.error = ":1: '[' without ']'",
};
FIXTURE_VARIANT_ADD(refusal, garbage_after_header){
	.file = ECHO,
	.text = "[Enclave] # x\n",
	.error = ":1: garbage after the section header",
};
FIXTURE_VARIANT_ADD(refusal, garbage_after_value){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances=4 # four\n"),
	.error = ":5: MaxInstances=4 # four: garbage after the number",
};
FIXTURE_VARIANT_ADD(refusal, comment_after_image){
	.file = ECHO,
	.text = "[Enclave]\nImage=/x/e.ebimg # the image\n",
	.error = ":2: Image=/x/e.ebimg # the image: blank in the path "
		 "(comments go on their own line)",
};
FIXTURE_VARIANT_ADD(refusal, control_character){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances=\0334\n"),
	.error = ":5: control character 0x1b",
};
FIXTURE_VARIANT_ADD(refusal, duplicate_key){
	.file = ECHO,
	.text = ENCLAVE("ISVPRODID=8\n"),
	.error = ":5: ISVPRODID= given twice (first on line 4)",
};
FIXTURE_VARIANT_ADD(refusal, duplicate_section){
	.file = "policy.d/a.conf",
	.text = "[Limits]\nSessionsPerUser=1\n[Limits]\n",
	.error = ":3: [Limits] given twice (first on line 1)",
};
FIXTURE_VARIANT_ADD(refusal, duplicate_limit_in_file){
	.file = "policy.d/a.conf",
	.text = "[Limits]\nSessionsPerUser=1\nSessionsPerUser=2\n",
	.error = ":3: SessionsPerUser= given twice (first on line 2)",
};

/* Sections in the wrong file. */
FIXTURE_VARIANT_ADD(refusal, daemon_in_policy_d){
	.file = "policy.d/a.conf",
	.text = "[Daemon]\n",
	.error = ":1: [Daemon] belongs in policy.conf only",
};
FIXTURE_VARIANT_ADD(refusal, enclave_in_policy){
	.file = "policy.conf",
	.text = "[Enclave]\n",
	.error = ":1: [Enclave] belongs in enclaves.d/NAME.conf",
};
FIXTURE_VARIANT_ADD(refusal, allow_in_enclave){
	.file = ECHO,
	.text = ENCLAVE("[Allow]\n"),
	.error = ":5: [Allow] does not belong in an enclave's file",
};

/* [Enclave]. */
FIXTURE_VARIANT_ADD(refusal, missing_image){
	.file = ECHO,
	.text = "\n[Enclave]\nMRSIGNER=" MRS "\nISVPRODID=1\n",
	.error = ":2: [Enclave] needs Image=",
};
FIXTURE_VARIANT_ADD(refusal, missing_mrsigner){
	.file = ECHO,
	.text = "[Enclave]\nImage=/a\nISVPRODID=1\n",
	.error = ":1: [Enclave] needs MRSIGNER=",
};
FIXTURE_VARIANT_ADD(refusal, missing_isvprodid){
	.file = ECHO,
	.text = "[Enclave]\nImage=/a\nMRSIGNER=" MRS "\n",
	.error = ":1: [Enclave] needs ISVPRODID=",
};
FIXTURE_VARIANT_ADD(refusal, no_enclave_section){
	.file = ECHO,
	.text = "# nothing yet\n",
	.error = ": no [Enclave] section",
};
FIXTURE_VARIANT_ADD(refusal, relative_image){
	.file = ECHO,
	.text = "[Enclave]\nImage=e.ebimg\n",
	.error = ":2: Image=e.ebimg: not an absolute path",
};
FIXTURE_VARIANT_ADD(refusal, dotdot_image){
	.file = ECHO,
	.text = "[Enclave]\nImage=/a/../b\n",
	.error = ":2: Image=/a/../b: '..' in the path",
};
FIXTURE_VARIANT_ADD(refusal, bad_hex){
	.file = ECHO,
	.text = "[Enclave]\nMRSIGNER="
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg\n",
	.error = ":2: MRSIGNER=00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg: "
		 "not 64 hex digits",
};
FIXTURE_VARIANT_ADD(refusal, short_hex){
	.file = ECHO,
	.text = "[Enclave]\nMRSIGNER=0011\n",
	.error = ":2: MRSIGNER=0011: not 64 hex digits",
};
FIXTURE_VARIANT_ADD(refusal, isvprodid_range){
	.file = ECHO,
	.text = "[Enclave]\nISVPRODID=65536\n",
	.error = ":2: ISVPRODID=65536: out of range 0..65535",
};
FIXTURE_VARIANT_ADD(refusal, negative){
	.file = ECHO,
	.text = "[Enclave]\nISVPRODID=-1\n",
	.error = ":2: ISVPRODID=-1: not a number",
};
FIXTURE_VARIANT_ADD(refusal, huge_number){
	.file = ECHO,
	.text = "[Enclave]\nMaxInstances=99999999999999999999999\n",
	.error = ":2: MaxInstances=99999999999999999999999: out of range 1..64",
};
FIXTURE_VARIANT_ADD(refusal, max_instances_zero){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances=0\n"),
	.error = ":5: MaxInstances=0: out of range 1..64",
};
FIXTURE_VARIANT_ADD(refusal, max_instances_range){
	.file = ECHO,
	.text = ENCLAVE("MaxInstances=65\n"),
	.error = ":5: MaxInstances=65: out of range 1..64",
};
FIXTURE_VARIANT_ADD(refusal, sessions_per_instance_range){
	.file = ECHO,
	.text = ENCLAVE("SessionsPerInstance=10001\n"),
	.error = ":5: SessionsPerInstance=10001: out of range 1..10000",
};
FIXTURE_VARIANT_ADD(refusal, min_warm_above_max){
	.file = ECHO,
	.text = ENCLAVE("MinWarmInstances=3\nMaxInstances=2\n"),
	.error = ":5: MinWarmInstances=3 is more than MaxInstances=2",
};
FIXTURE_VARIANT_ADD(refusal, min_warm_above_default_max){
	.file = ECHO,
	.text = ENCLAVE("MinWarmInstances=5\n"),
	.error = ":5: MinWarmInstances=5 is more than MaxInstances=4",
};
FIXTURE_VARIANT_ADD(refusal, idle_timeout_range){
	.file = ECHO,
	.text = ENCLAVE("IdleTimeoutSec=86400.001\n"),
	.error = ":5: IdleTimeoutSec=86400.001: out of range 0..86400 seconds",
};
FIXTURE_VARIANT_ADD(refusal, timeout_finer_than_ms){
	.file = ECHO,
	.text = ENCLAVE("CallTimeoutSec=0.0005\n"),
	.error = ":5: CallTimeoutSec=0.0005: finer than a millisecond",
};
FIXTURE_VARIANT_ADD(refusal, call_timeout_zero){
	.file = ECHO,
	.text = ENCLAVE("CallTimeoutSec=0\n"),
	.error = ":5: CallTimeoutSec=0: must be at least 0.001 seconds",
};
FIXTURE_VARIANT_ADD(refusal, call_timeout_range){
	.file = ECHO,
	.text = ENCLAVE("CallTimeoutSec=3600.001\n"),
	.error = ":5: CallTimeoutSec=3600.001: out of range 0..3600 seconds",
};
FIXTURE_VARIANT_ADD(refusal, timeout_unit){
	.file = ECHO,
	.text = ENCLAVE("CallTimeoutSec=10s\n"),
	.error = ":5: CallTimeoutSec=10s: garbage after the number",
};
FIXTURE_VARIANT_ADD(refusal, timeout_dot){
	.file = ECHO,
	.text = ENCLAVE("CallTimeoutSec=1.\n"),
	.error = ":5: CallTimeoutSec=1.: garbage after the number",
};
FIXTURE_VARIANT_ADD(refusal, bad_enclave_file_name){
	.file = "enclaves.d/key@vault.conf",
	.text = ENCLAVE(""),
	.error = ": 'key@vault' is not a valid enclave name (letters, digits, '_', '.', '-')",
};
FIXTURE_VARIANT_ADD(refusal, enclave_file_name_too_long){
	.file = "enclaves.d/0123456789012345678901234567890123456789012345678901234567890123.conf",
	.text = ENCLAVE(""),
	.error = ": the enclave name "
		 "'0123456789012345678901234567890123456789012345678901234567890123' is longer "
		 "than 63 characters",
};

/* [Daemon] and [Limits]. */
FIXTURE_VARIANT_ADD(refusal, sessions_per_user_zero){
	.file = "policy.conf",
	.text = "[Limits]\nSessionsPerUser=0\n",
	.error = ":2: SessionsPerUser=0: out of range 1..100000",
};
FIXTURE_VARIANT_ADD(refusal, sessions_per_cgroup_range){
	.file = "policy.d/a.conf",
	.text = "[Limits]\nSessionsPerCgroup=100001\n",
	.error = ":2: SessionsPerCgroup=100001: out of range 1..100000",
};
FIXTURE_VARIANT_ADD(refusal, connections_per_user_garbage){
	.file = "policy.d/a.conf",
	.text = "[Limits]\nConnectionsPerUser=10x\n",
	.error = ":2: ConnectionsPerUser=10x: garbage after the number",
};
FIXTURE_VARIANT_ADD(refusal, connections_per_user_negative){
	.file = "policy.conf",
	.text = "[Limits]\nConnectionsPerUser=-1\n",
	.error = ":2: ConnectionsPerUser=-1: not a number",
};
FIXTURE_VARIANT_ADD(refusal, connections_empty){
	.file = "policy.conf",
	.text = "[Limits]\nConnections=\n",
	.error = ":2: Connections=: empty value",
};
FIXTURE_VARIANT_ADD(refusal, connections_twice){
	.file = "policy.d/a.conf",
	.text = "[Limits]\nConnections=10\nConnections=20\n",
	.error = ":3: Connections= given twice (first on line 2)",
};
FIXTURE_VARIANT_ADD(refusal, connections_in_daemon){
	.file = "policy.conf",
	.text = "[Daemon]\nConnections=10\n",
	.error = ":2: Connections= belongs in [Limits], not [Daemon]",
};
FIXTURE_VARIANT_ADD(refusal, socket_mode_range){
	.file = "policy.conf",
	.text = "[Daemon]\nSocketMode=4755\n",
	.error = ":2: SocketMode=4755: out of range 0..0777",
};
FIXTURE_VARIANT_ADD(refusal, socket_mode_not_octal){
	.file = "policy.conf",
	.text = "[Daemon]\nSocketMode=0668\n",
	.error = ":2: SocketMode=0668: not an octal mode",
};
FIXTURE_VARIANT_ADD(refusal, socket_group_unknown){
	.file = "policy.conf",
	.text = "[Daemon]\nSocketGroup=ebroker-no-such-group\n",
	.error = ":2: SocketGroup=ebroker-no-such-group: no such group",
};
FIXTURE_VARIANT_ADD(refusal, worker_uids_root){
	.file = "policy.conf",
	.text = "[Daemon]\nWorkerUIDs=0-100\n",
	.error = ":2: WorkerUIDs=0-100: workers cannot run as root",
};
FIXTURE_VARIANT_ADD(refusal, worker_uids_reversed){
	.file = "policy.conf",
	.text = "[Daemon]\nWorkerUIDs=200-100\n",
	.error = ":2: WorkerUIDs=200-100: the first id is above the last",
};
FIXTURE_VARIANT_ADD(refusal, worker_uids_garbage){
	.file = "policy.conf",
	.text = "[Daemon]\nWorkerUIDs=100-\n",
	.error = ":2: WorkerUIDs=100-: not a range FIRST-LAST of ids 1..4294967294",
};

/* [Allow]. */
FIXTURE_VARIANT_ADD(refusal, unknown_user){
	.file = "policy.d/a.conf",
	.text = "[Allow]\nEnclaves=echo\nUsers=root ebroker-no-such-user\n",
	.error = ":3: Users=: no such user 'ebroker-no-such-user'",
};
FIXTURE_VARIANT_ADD(refusal, unknown_group){
	.file = "policy.d/a.conf",
	.text = "[Allow]\nEnclaves=echo\nGroups=ebroker-no-such-group\n",
	.error = ":3: Groups=: no such group 'ebroker-no-such-group'",
};
FIXTURE_VARIANT_ADD(refusal, uid_out_of_range){
	.file = "policy.d/a.conf",
	.text = "[Allow]\nEnclaves=echo\nUsers=4294967295\n",
	.error = ":3: Users=: '4294967295' is out of range 0..4294967294",
};
FIXTURE_VARIANT_ADD(refusal, empty_list){
	.file = "policy.d/a.conf",
	.text = "[Allow]\nEnclaves=echo\nUsers=\n",
	.error = ":3: Users=: empty list",
};
FIXTURE_VARIANT_ADD(refusal, allow_missing_enclave){
	.file = "policy.d/a.conf",
	.text = "[Allow]\nUsers=1000\n\nEnclaves=echo\nEnclaves=nope\n",
	.error = ":5: Enclaves=: no enclave 'nope' (enclaves.d/nope.conf)",
};
FIXTURE_VARIANT_ADD(refusal, allow_bad_enclave_name){
	.file = "policy.conf",
	.text = "[Allow]\nUsers=1000\nEnclaves=echo ../x\n",
	.error = ":3: Enclaves=: '../x' is not a valid enclave name",
};
FIXTURE_VARIANT_ADD(refusal, allow_without_enclaves){
	.file = "policy.conf",
	.text = "[Allow]\nUsers=1000\n[Allow]\nEnclaves=*\nUsers=1\n",
	.error = ":1: [Allow] needs Enclaves=",
};
FIXTURE_VARIANT_ADD(refusal, allow_without_users){
	.file = "policy.conf",
	.text = "[Limits]\n[Allow]\nEnclaves=*\n",
	.error = ":2: [Allow] needs Users= or Groups=",
};

/* [Attestation]. */
FIXTURE_VARIANT_ADD(refusal, attestation_in_policy_d){
	.file = "policy.d/a.conf",
	.text = "[Limits]\n[Attestation]\n",
	.error = ":2: [Attestation] belongs in policy.conf only",
};
FIXTURE_VARIANT_ADD(refusal, attestation_in_enclave){
	.file = ECHO,
	.text = ENCLAVE("[Attestation]\n"),
	.error = ":5: [Attestation] does not belong in an enclave's file",
};
FIXTURE_VARIANT_ADD(refusal, attestation_twice){
	.file = "policy.conf",
	.text = "[Attestation]\nMinPlatformSVN=1\n[Daemon]\n[Attestation]\n",
	.error = ":4: [Attestation] given twice (first on line 1)",
};
FIXTURE_VARIANT_ADD(refusal, attestation_unknown_key){
	.file = "policy.conf",
	.text = "[Attestation]\nQuotingEnclave=echo\nRootKey=/x\n",
	.error = ":3: unknown key 'RootKey' in [Attestation]",
};
FIXTURE_VARIANT_ADD(refusal, attestation_key_in_daemon){
	.file = "policy.conf",
	.text = "[Daemon]\nQuotingEnclave=echo\n",
	.error = ":2: QuotingEnclave= belongs in [Attestation], not [Daemon]",
};
FIXTURE_VARIANT_ADD(refusal, attestation_duplicate_key){
	.file = "policy.conf",
	.text = "[Attestation]\nMinPlatformSVN=1\nMinPlatformSVN=2\n",
	.error = ":3: MinPlatformSVN= given twice (first on line 2)",
};
FIXTURE_VARIANT_ADD(refusal, quoting_enclave_missing){
	.file = "policy.conf",
	.text = "[Allow]\nEnclaves=echo\nUsers=1\n\n[Attestation]\nQuotingEnclave=qe\n",
	.error = ":6: QuotingEnclave=qe: no enclaves.d/qe.conf",
};
FIXTURE_VARIANT_ADD(refusal, quoting_enclave_bad_name){
	.file = "policy.conf",
	.text = "[Attestation]\nQuotingEnclave=../qe\n",
	.error = ":2: QuotingEnclave=../qe: not a valid enclave name",
};
FIXTURE_VARIANT_ADD(refusal, state_directory_relative){
	.file = "policy.conf",
	.text = "[Attestation]\nStateDirectory=var/lib/ebroker\n",
	.error = ":2: StateDirectory=var/lib/ebroker: not an absolute path",
};
FIXTURE_VARIANT_ADD(refusal, state_directory_dotdot){
	.file = "policy.conf",
	.text = "[Attestation]\nStateDirectory=/var/lib/..\n",
	.error = ":2: StateDirectory=/var/lib/..: '..' in the path",
};
FIXTURE_VARIANT_ADD(refusal, state_directory_blank){
	.file = "policy.conf",
	.text = "[Attestation]\nStateDirectory=/var/lib/eb att\n",
	.error = ":2: StateDirectory=/var/lib/eb att: blank in the path "
		 "(comments go on their own line)",
};
FIXTURE_VARIANT_ADD(refusal, state_directory_empty){
	.file = "policy.conf",
	.text = "[Attestation]\nStateDirectory=\n",
	.error = ":2: StateDirectory=: empty value",
};
FIXTURE_VARIANT_ADD(refusal, min_platform_svn_range){
	.file = "policy.conf",
	.text = "[Attestation]\nMinPlatformSVN=65536\n",
	.error = ":2: MinPlatformSVN=65536: out of range 0..65535",
};
FIXTURE_VARIANT_ADD(refusal, check_interval_below_1s){
	.file = "policy.conf",
	.text = "[Attestation]\nCheckIntervalSec=0.5\n",
	.error = ":2: CheckIntervalSec=0.5: must be at least 1 second",
};
FIXTURE_VARIANT_ADD(refusal, check_interval_zero){
	.file = "policy.conf",
	.text = "[Attestation]\nCheckIntervalSec=0\n",
	.error = ":2: CheckIntervalSec=0: must be at least 1 second",
};
FIXTURE_VARIANT_ADD(refusal, check_interval_range){
	.file = "policy.conf",
	.text = "[Attestation]\nCheckIntervalSec=86400.001\n",
	.error = ":2: CheckIntervalSec=86400.001: out of range 0..86400 seconds",
};

/* ----------------------------------------------- refusals of whole files */

TEST_F(conf, line_too_long)
{
	char text[5000], *err, *want;

	/* 4096 bytes are a line; 4097 are not. */
	memset(text, '#', sizeof(text));
	memcpy(text, ENCLAVE(""), strlen(ENCLAVE("")));
	text[strlen(ENCLAVE("")) + 4096] = '\n';
	ASSERT_EQ(0, put_bytes(self->root, "enclaves.d/a.conf", text, strlen(ENCLAVE("")) + 4097));
	err = load_error(self->root);
	EXPECT_STREQ("", err);
	free(err);

	ASSERT_EQ(0,
		  put_bytes(self->root, "enclaves.d/a.conf", text, strlen(ENCLAVE("")) + 4097 + 1));
	err = load_error(self->root);
	EXPECT_STREQ("", err);
	free(err);

	text[strlen(ENCLAVE("")) + 4096] = '#';
	ASSERT_EQ(0, put_bytes(self->root, "enclaves.d/a.conf", text, sizeof(text)));
	err = load_error(self->root);
	want = fmt("%s/enclaves.d/a.conf:5: line longer than 4096 bytes", self->root);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
}

TEST_F(conf, nul_byte)
{
	static const char text[] = "[Enclave]\nImage=/a\0b\n";
	char *err, *want;

	ASSERT_EQ(0, put_bytes(self->root, "enclaves.d/a.conf", text, sizeof(text) - 1));
	err = load_error(self->root);
	want = fmt("%s/enclaves.d/a.conf:2: control character 0x00", self->root);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
}

TEST_F(conf, file_too_large)
{
	size_t len = EB_POLICY_FILE_MAX + 1;
	char *text = malloc(len), *err, *want;

	ASSERT_NE(NULL, text);
	memset(text, '\n', len);
	ASSERT_EQ(0, put_bytes(self->root, "policy.conf", text, len - 1));
	err = load_error(self->root);
	EXPECT_STREQ("", err);
	free(err);

	ASSERT_EQ(0, put_bytes(self->root, "policy.conf", text, len));
	err = load_error(self->root);
	want = fmt("%s/policy.conf: larger than 1048576 bytes", self->root);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
	free(text);
}

TEST_F(conf, too_many_files)
{
	char name[64], *err, *want;

	for (int i = 0; i < EB_POLICY_FILES_MAX; i++) {
		snprintf(name, sizeof(name), "policy.d/%04d.conf", i);
		ASSERT_EQ(0, put(self->root, name, ""));
	}
	err = load_error(self->root);
	EXPECT_STREQ("", err);
	free(err);

	ASSERT_EQ(0, put(self->root, "policy.conf", ""));
	err = load_error(self->root);
	want = fmt("%s: more than 1024 files", self->root);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
}

TEST_F(conf, writable_by_others)
{
	char *path = fmt("%s/policy.conf", self->root), *err, *want;

	ASSERT_EQ(0, put(self->root, "policy.conf", ""));
	ASSERT_EQ(0, chmod(path, 0646));
	err = load_error(self->root);
	want = fmt("%s: writable by others", path);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);

	ASSERT_EQ(0, chmod(path, 0644));
	free(path);
	path = fmt("%s/enclaves.d", self->root);
	ASSERT_EQ(0, chmod(path, 0777));
	err = load_error(self->root);
	want = fmt("%s: writable by others", path);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
	free(path);
}

TEST_F(conf, not_a_regular_file)
{
	char *path = fmt("%s/enclaves.d/a.conf", self->root), *err, *want;

	ASSERT_EQ(0, mkdir(path, 0755));
	err = load_error(self->root);
	want = fmt("%s: not a regular file", path);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
	free(path);
}

TEST_F(conf, missing_root)
{
	struct eb_policy *p = NULL;
	char *path = fmt("%s/nope", self->root), *err = NULL, *want;

	EXPECT_EQ(-ENOENT, eb_policy_load(path, &p, &err));
	EXPECT_EQ(NULL, p);
	want = fmt("%s: No such file or directory", path);
	EXPECT_STREQ(want, err);
	free(want);
	free(err);
	free(path);
}

/* ------------------------------------------------------ eb_policy_parse_text */

TEST(parse_text)
{
	static const char echo[] = ENCLAVE("MaxInstances=2\n");
	struct eb_policy *p = eb_policy_new();
	char *err = NULL;

	ASSERT_NE(NULL, p);
	/* The enclave is named after the file, with or without directory and .conf. */
	ASSERT_EQ(
	    0, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "echo", echo, strlen(echo), &err));
	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "/etc/x/enclaves.d/kv.conf",
					  echo, strlen(echo), &err));
	EXPECT_EQ(2U, eb_policy_enclave_count(p));
	EXPECT_NE(NULL, eb_policy_enclave(p, "kv"));
	EXPECT_EQ(-EINVAL, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "d/echo.conf", echo,
						strlen(echo), &err));
	EXPECT_STREQ("d/echo.conf: enclave 'echo' defined twice", err);
	free(err);
	err = NULL;

	/* The text need not end in NUL. */
	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "p",
					  "[Limits]\nSessionsPerUser=5\nXXXX", 27, &err));
	EXPECT_EQ(5U, eb_policy_limits(p)->sessions_per_user);

	/* All or nothing: a file refused at its last line changes nothing. */
	EXPECT_EQ(-EINVAL,
		  eb_policy_parse_text(p, EB_POLICY_FILE_POLICY_D, "q",
				       "[Limits]\nSessionsPerUser=9\n[Allow]\nEnclaves=echo\n"
				       "Users=1\n[Allow]\n",
				       65, &err));
	EXPECT_STREQ("q:6: [Allow] needs Enclaves=", err);
	free(err);
	err = NULL;
	EXPECT_EQ(5U, eb_policy_limits(p)->sessions_per_user);
	EXPECT_FALSE(eb_policy_may_open(p, "echo", 1, 1, NULL, 0));

	EXPECT_EQ(-EINVAL, eb_policy_parse_text(p, 7, "r", "", 0, &err));
	EXPECT_STREQ("r: unknown kind of file 7", err);
	free(err);
	err = NULL;

	/* Rules before their enclaves: checked when the policy is finished. */
	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_POLICY_D, "s",
					  "[Allow]\nEnclaves=late\nUsers=3\n", 30, &err));
	EXPECT_EQ(-EINVAL, eb_policy_finish(p, &err));
	EXPECT_STREQ("s:2: Enclaves=: no enclave 'late' (enclaves.d/late.conf)", err);
	free(err);
	err = NULL;
	ASSERT_EQ(
	    0, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "late", echo, strlen(echo), &err));
	ASSERT_EQ(0, eb_policy_finish(p, &err));
	EXPECT_TRUE(eb_policy_may_open(p, "late", 3, 3, NULL, 0));

	/* Sealed. */
	EXPECT_EQ(-EBUSY, eb_policy_finish(p, &err));
	free(err);
	err = NULL;
	EXPECT_EQ(-EBUSY, eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "t", "", 0, &err));
	EXPECT_STREQ("t: the policy is already finished", err);
	free(err);
	eb_policy_free(p);
	EXPECT_EQ(NULL, eb_policy_free(NULL));
}

TEST(parse_text_attestation)
{
	static const char qe[] = ENCLAVE("");
	static const char good[] = "[Attestation]\nQuotingEnclave=qe\nStateDirectory=/a\n"
				   "MinPlatformSVN=3\nCheckIntervalSec=60\n";
	static const char bad[] = "[Attestation]\nQuotingEnclave=other\nStateDirectory=/b\n"
				  "MinPlatformSVN=4\nCheckIntervalSec=0.5\n";
	static const char later[] = "[Limits]\n\n[Attestation]\nQuotingEnclave=late\n";
	const struct eb_policy_attestation *a;
	struct eb_policy *p = eb_policy_new();
	char *err = NULL;

	ASSERT_NE(NULL, p);
	a = eb_policy_attestation(p);
	EXPECT_STREQ("", a->quoting_enclave);
	EXPECT_STREQ(EB_POLICY_DEFAULT_STATE_DIR, a->state_dir);
	EXPECT_EQ(0, a->min_platform_svn);
	EXPECT_EQ(300000U, a->check_interval_ms);

	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "p", good, strlen(good), &err));
	EXPECT_STREQ("qe", a->quoting_enclave);
	EXPECT_STREQ("/a", a->state_dir);
	EXPECT_EQ(3, a->min_platform_svn);
	EXPECT_EQ(60000U, a->check_interval_ms);

	/* All or nothing: a file refused at its last line changes nothing. */
	EXPECT_EQ(-EINVAL,
		  eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "q", bad, strlen(bad), &err));
	EXPECT_STREQ("q:5: CheckIntervalSec=0.5: must be at least 1 second", err);
	free(err);
	err = NULL;
	EXPECT_STREQ("qe", a->quoting_enclave);
	EXPECT_STREQ("/a", a->state_dir);
	EXPECT_EQ(3, a->min_platform_svn);
	EXPECT_EQ(60000U, a->check_interval_ms);

	/* Nor can policy.d/ or an enclave's file change it. */
	EXPECT_EQ(-EINVAL,
		  eb_policy_parse_text(p, EB_POLICY_FILE_POLICY_D, "r", good, strlen(good), &err));
	EXPECT_STREQ("r:1: [Attestation] belongs in policy.conf only", err);
	free(err);
	err = NULL;
	EXPECT_EQ(-EINVAL,
		  eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "e", good, strlen(good), &err));
	EXPECT_STREQ("e:1: [Attestation] does not belong in an enclave's file", err);
	free(err);
	err = NULL;
	EXPECT_STREQ("qe", a->quoting_enclave);

	/* A later policy.conf overrides what it sets; the enclave is checked at the end. */
	ASSERT_EQ(0,
		  eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "s", later, strlen(later), &err));
	EXPECT_STREQ("late", a->quoting_enclave);
	EXPECT_STREQ("/a", a->state_dir);
	EXPECT_EQ(3, a->min_platform_svn);
	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "qe", qe, strlen(qe), &err));
	EXPECT_EQ(-EINVAL, eb_policy_finish(p, &err));
	EXPECT_STREQ("s:4: QuotingEnclave=late: no enclaves.d/late.conf", err);
	free(err);
	err = NULL;
	ASSERT_EQ(0, eb_policy_parse_text(p, EB_POLICY_FILE_ENCLAVE, "late", qe, strlen(qe), &err));
	ASSERT_EQ(0, eb_policy_finish(p, &err));
	eb_policy_free(p);
}

TEST(parse_text_no_error_wanted)
{
	_cleanup_(eb_policy_freep) struct eb_policy *p = eb_policy_new();

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, eb_policy_parse_text(p, EB_POLICY_FILE_POLICY, "p", "x", 1, NULL));
}

TEST(enclave_names)
{
	static const char *const good[] = {
		"a",
		"echo",
		"key-vault_2.0",
		"A.B",
		"-",
		"..",
		"012345678901234567890123456789012345678901234567890123456789012",
	};
	static const char *const bad[] = {
		"",
		"a b",
		"a/b",
		"é",
		"a:b",
		"a*",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};

	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		EXPECT_TRUE(eb_enclave_name_valid(good[i])) TH_LOG("'%s'", good[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		EXPECT_FALSE(eb_enclave_name_valid(bad[i])) TH_LOG("'%s'", bad[i]);
	}
}

TEST_HARNESS_MAIN
