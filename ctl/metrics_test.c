// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for ebrokerctl metrics (metrics.c): the exposition
 * format's escaping and its one HELP/TYPE per family, and the rendering of
 * the module's and the daemon's state.
 */
#include <errno.h>
#include <string.h>

#include "common/test.h"
#include "common/util.h"

#include "metrics.h"

#define LABELS(...) ((const char *const[]){ __VA_ARGS__, NULL })

TEST(family_and_samples)
{
	struct memout m;
	struct prom p;

	memout_open(&m);
	prom_init(&p, m.f);
	ASSERT_EQ(0, prom_family(&p, "eb_x_bytes", PROM_GAUGE, "Bytes."));
	ASSERT_EQ(0, prom_sample(&p, NULL, 0));
	ASSERT_EQ(0, prom_sample(&p, LABELS("kind", "a", "other", "b"), UINT64_MAX));
	ASSERT_EQ(0, prom_family(&p, "eb_y_total", PROM_COUNTER, "Count."));
	ASSERT_EQ(0, prom_sample(&p, LABELS("k", ""), 7));
	EXPECT_STREQ("# HELP eb_x_bytes Bytes.\n"
		     "# TYPE eb_x_bytes gauge\n"
		     "eb_x_bytes 0\n"
		     "eb_x_bytes{kind=\"a\",other=\"b\"} 18446744073709551615\n"
		     "# HELP eb_y_total Count.\n"
		     "# TYPE eb_y_total counter\n"
		     "eb_y_total{k=\"\"} 7\n",
		     memout_str(&m));
	EXPECT_EQ(0, prom_error(&p));
	prom_free(&p);
	memout_close(&m);
}

TEST(escaping)
{
	struct memout m;
	struct prom p;
	char *s;

	memout_open(&m);
	prom_init(&p, m.f);
	/* HELP escapes '\' and newline, and keeps '"'. */
	ASSERT_EQ(0, prom_family(&p, "eb", PROM_GAUGE, "a \\ \"b\"\nc"));
	/* Label values escape all three. */
	ASSERT_EQ(0, prom_sample(&p, LABELS("cgroup", "/t/a\\b\"c\nd"), 1));
	EXPECT_STREQ("# HELP eb a \\\\ \"b\"\\nc\n"
		     "# TYPE eb gauge\n"
		     "eb{cgroup=\"/t/a\\\\b\\\"c\\nd\"} 1\n",
		     memout_str(&m));
	prom_free(&p);
	memout_close(&m);

	/* UTF-8 passes; a byte that is not UTF-8 becomes U+FFFD. */
	s = prom_label_value("/t/\xc3\xa9t\xc3\xa9");
	EXPECT_STREQ("/t/\xc3\xa9t\xc3\xa9", s);
	free(s);
	s = prom_label_value("/t/\xff\xc3(\xe2\x82\xac\xf0\x9f\x98\x80");
	EXPECT_STREQ("/t/\xef\xbf\xbd\xef\xbf\xbd(\xe2\x82\xac\xf0\x9f\x98\x80", s);
	free(s);
	/* Overlong, surrogate, past U+10FFFF, cut short at the end. */
	s = prom_label_value("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82");
	EXPECT_STREQ("\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd",
		     s);
	free(s);
}

TEST(one_help_and_type_per_family)
{
	struct memout m;
	struct prom p;

	memout_open(&m);
	prom_init(&p, m.f);
	ASSERT_EQ(0, prom_family(&p, "eb_a", PROM_GAUGE, "A."));
	ASSERT_EQ(0, prom_family(&p, "eb_b", PROM_GAUGE, "B."));
	EXPECT_EQ(-EEXIST, prom_family(&p, "eb_a", PROM_GAUGE, "A again."));
	/* The first failure stays, and nothing more is written. */
	EXPECT_EQ(-EEXIST, prom_sample(&p, NULL, 1));
	EXPECT_EQ(-EEXIST, prom_error(&p));
	EXPECT_EQ(NULL, strstr(memout_str(&m), "A again"));
	EXPECT_EQ(NULL, strstr(memout_str(&m), "eb_a 1"));
	prom_free(&p);
	memout_close(&m);
}

TEST(refuses_bad_names)
{
	static const char *const bad_metric[] = { "", "1a", "a-b", "a b", "é" };
	static const char *const bad_label[] = { "", "1a", "a:b", "__x", "a-b" };
	struct memout m;
	struct prom p;

	memout_open(&m);
	for (size_t i = 0; i < ELEMENTSOF(bad_metric); i++) {
		prom_init(&p, m.f);
		EXPECT_EQ(-EINVAL, prom_family(&p, bad_metric[i], PROM_GAUGE, "x"))
		TH_LOG("'%s'", bad_metric[i]);
		prom_free(&p);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad_label); i++) {
		prom_init(&p, m.f);
		ASSERT_EQ(0, prom_family(&p, "ok:name_1", PROM_GAUGE, "x"));
		EXPECT_EQ(-EINVAL, prom_sample(&p, LABELS(bad_label[i], "v"), 1))
		TH_LOG("'%s'", bad_label[i]);
		prom_free(&p);
	}
	/* A sample before any family, and a label without a value. */
	prom_init(&p, m.f);
	EXPECT_EQ(-EINVAL, prom_sample(&p, NULL, 1));
	prom_free(&p);
	prom_init(&p, m.f);
	ASSERT_EQ(0, prom_family(&p, "eb", PROM_GAUGE, "x"));
	EXPECT_EQ(-EINVAL, prom_sample(&p, (const char *const[]){ "k", NULL }, 1));
	prom_free(&p);
	memout_close(&m);
}

static const struct ctl_pool pool = {
	.total = 64 << 20,
	.free = 60 << 20,
	.low_water = 4 << 20,
	.min_free = 50 << 20,
	.enclaves = 3,
	.backend = "sim",
};

/* The lines of @s that start with @prefix, each ending in a newline. */
static char *lines_of(const char *s, const char *prefix)
{
	struct memout m;
	char *r;

	memout_open(&m);
	for (const char *l = s; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l + 1) : strlen(l);

		if (!strncmp(l, prefix, strlen(prefix)))
			fwrite(l, 1, n, m.f);
		l += n;
	}
	r = strdup(memout_str(&m));
	memout_close(&m);
	return r;
}

TEST(render_daemon_down)
{
	struct ctl_cgroup v[] = {
		{ .id = 2, .path = "/tenants/bob", .limit = EB_LIMIT_NONE, .current = 0 },
		{ .id = 1,
		  .path = "/tenants/alice",
		  .limit = 8 << 20,
		  .current = 4 << 20,
		  .peak = 6 << 20,
		  .events = 2,
		  .enclaves = 1 },
	};
	struct memout m;
	char *got;

	memout_open(&m);
	ASSERT_EQ(0, metrics_render(m.f, &pool, v, ELEMENTSOF(v), NULL));
	got = lines_of(memout_str(&m), "ebroker_");
	EXPECT_STREQ("ebroker_module_up 1\n"
		     "ebroker_backend_info{backend=\"sim\"} 1\n"
		     "ebroker_epc_pool_bytes{kind=\"total\"} 67108864\n"
		     "ebroker_epc_pool_bytes{kind=\"free\"} 62914560\n"
		     "ebroker_epc_pool_bytes{kind=\"min_free\"} 52428800\n"
		     "ebroker_epc_pool_low_water_bytes 4194304\n"
		     "ebroker_enclaves 3\n"
		     "ebroker_cgroup_epc_bytes{cgroup=\"/tenants/alice\"} 4194304\n"
		     "ebroker_cgroup_epc_bytes{cgroup=\"/tenants/bob\"} 0\n"
		     "ebroker_cgroup_epc_max_bytes{cgroup=\"/tenants/alice\"} 8388608\n"
		     "ebroker_cgroup_epc_peak_bytes{cgroup=\"/tenants/alice\"} 6291456\n"
		     "ebroker_cgroup_epc_peak_bytes{cgroup=\"/tenants/bob\"} 0\n"
		     "ebroker_cgroup_epc_limit_hits_total{cgroup=\"/tenants/alice\"} 2\n"
		     "ebroker_cgroup_epc_limit_hits_total{cgroup=\"/tenants/bob\"} 0\n"
		     "ebroker_cgroup_enclaves{cgroup=\"/tenants/alice\"} 1\n"
		     "ebroker_cgroup_enclaves{cgroup=\"/tenants/bob\"} 0\n"
		     "ebroker_daemon_up 0\n",
		     got);
	free(got);
	/* Every family has its HELP and TYPE, once. */
	got = lines_of(memout_str(&m), "# TYPE ebroker_daemon_up ");
	EXPECT_STREQ("# TYPE ebroker_daemon_up gauge\n", got);
	free(got);
	got = lines_of(memout_str(&m), "# TYPE ebroker_cgroup_epc_limit_hits_total ");
	EXPECT_STREQ("# TYPE ebroker_cgroup_epc_limit_hits_total counter\n", got);
	free(got);
	memout_close(&m);
}

/* Removed cgroups are their own series, and series that would repeat are merged. */
TEST(render_removed_and_merged)
{
	struct ctl_cgroup v[] = {
		{ .id = 1, .path = "/a", .limit = EB_LIMIT_NONE, .current = 1, .enclaves = 1 },
		{ .id = 2,
		  .path = "/a",
		  .limit = EB_LIMIT_NONE,
		  .current = 2,
		  .peak = 5,
		  .enclaves = 1,
		  .removed = true },
		{ .id = 3,
		  .path = "/a",
		  .limit = EB_LIMIT_NONE,
		  .current = 3,
		  .peak = 4,
		  .enclaves = 2,
		  .removed = true },
		/* Two paths that are one once made UTF-8. */
		{ .id = 4, .path = "/b\xff", .limit = 10, .current = 1 },
		{ .id = 5, .path = "/b\xfe", .limit = 20, .current = 1 },
	};
	struct memout m;
	char *got;

	memout_open(&m);
	ASSERT_EQ(0, metrics_render(m.f, &pool, v, ELEMENTSOF(v), NULL));
	got = lines_of(memout_str(&m), "ebroker_cgroup_epc_");
	EXPECT_STREQ("ebroker_cgroup_epc_bytes{cgroup=\"/a\"} 1\n"
		     "ebroker_cgroup_epc_bytes{cgroup=\"/a\",removed=\"true\"} 5\n"
		     "ebroker_cgroup_epc_bytes{cgroup=\"/b\xef\xbf\xbd\"} 2\n"
		     "ebroker_cgroup_epc_max_bytes{cgroup=\"/b\xef\xbf\xbd\"} 10\n"
		     "ebroker_cgroup_epc_peak_bytes{cgroup=\"/a\"} 0\n"
		     "ebroker_cgroup_epc_peak_bytes{cgroup=\"/a\",removed=\"true\"} 5\n"
		     "ebroker_cgroup_epc_peak_bytes{cgroup=\"/b\xef\xbf\xbd\"} 0\n"
		     "ebroker_cgroup_epc_limit_hits_total{cgroup=\"/a\"} 0\n"
		     "ebroker_cgroup_epc_limit_hits_total{cgroup=\"/a\",removed=\"true\"} 0\n"
		     "ebroker_cgroup_epc_limit_hits_total{cgroup=\"/b\xef\xbf\xbd\"} 0\n",
		     got);
	free(got);
	memout_close(&m);
}

TEST(render_daemon)
{
	struct ebroker_daemon_status st = {
		.attestation = EBROKER_ATTESTATION_STARTING,
		.sessions = 2,
		.instances = 3,
		.tenants = 1,
		.has = EBROKER_STATUS_HAS_OPENS | EBROKER_STATUS_HAS_REFUSED_POLICY |
		       EBROKER_STATUS_HAS_REFUSED_QUOTA | EBROKER_STATUS_HAS_QUOTES |
		       EBROKER_STATUS_HAS_CHECK_FAILURES,
		.opens = 10,
		.refused_policy = 4,
		.refused_limits = 99, /* not in .has: not shown */
		.refused_quota = 1,
		.quotes = 12,
		.check_failures = 0,
		.calls = 77, /* not in .has */
	};
	struct memout m;
	char *got;

	memout_open(&m);
	ASSERT_EQ(0, metrics_render(m.f, &pool, NULL, 0, &st));
	got = lines_of(memout_str(&m), "ebroker_daemon_");
	EXPECT_STREQ("ebroker_daemon_up 1\n"
		     "ebroker_daemon_sessions 2\n"
		     "ebroker_daemon_instances 3\n"
		     "ebroker_daemon_tenants 1\n"
		     "ebroker_daemon_opens_total 10\n"
		     "ebroker_daemon_refusals_total{reason=\"policy\"} 4\n"
		     "ebroker_daemon_refusals_total{reason=\"quota\"} 1\n",
		     got);
	free(got);
	got = lines_of(memout_str(&m), "ebroker_attestation_");
	EXPECT_STREQ("ebroker_attestation_ok 0\n"
		     "ebroker_attestation_state{state=\"ok\"} 0\n"
		     "ebroker_attestation_state{state=\"starting\"} 1\n"
		     "ebroker_attestation_state{state=\"failing\"} 0\n"
		     "ebroker_attestation_quotes_total 12\n"
		     "ebroker_attestation_check_failures_total 0\n",
		     got);
	free(got);
	/* No family without samples: an unreported counter has no HELP either. */
	EXPECT_EQ(NULL, strstr(memout_str(&m), "calls_total"));
	EXPECT_EQ(NULL, strstr(memout_str(&m), "worker_crashes"));
	EXPECT_EQ(NULL, strstr(memout_str(&m), "ebroker_cgroup"));
	memout_close(&m);
}

TEST(render_no_module)
{
	struct memout m;

	memout_open(&m);
	ASSERT_EQ(0, metrics_render_no_module(m.f));
	EXPECT_STREQ("# HELP ebroker_module_up Whether the ebroker module is loaded.\n"
		     "# TYPE ebroker_module_up gauge\n"
		     "ebroker_module_up 0\n",
		     memout_str(&m));
	memout_close(&m);
}

TEST_HARNESS_MAIN
