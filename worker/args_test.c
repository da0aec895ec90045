// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for the worker's command line and the limits it implies (args.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/test.h"
#include "common/util.h"
#include "proto/proto.h"

#include "args.h"

#define ARGV(...) ((char *const[]){ "ebroker-worker", __VA_ARGS__, NULL })
#define ARGC(...) \
	((int)(sizeof((const char *[]){ "ebroker-worker", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(a, why, ...) \
	worker_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a), (why), sizeof(why))

TEST(good)
{
	struct worker_args a;
	char why[128] = "", max[16];

	ASSERT_EQ(0, PARSE(&a, why, "--instance", "7", "--enclave", "echo", "--max-msg", "65536",
			   "--call-timeout-ms", "5000", "--role", "tenant", "--tenant",
			   "/tenants/alice"))
	TH_LOG("%s", why);
	EXPECT_EQ(7ULL, a.instance_id);
	EXPECT_STREQ("echo", a.enclave);
	EXPECT_EQ(65536U, a.max_msg);
	EXPECT_EQ(5000U, a.call_timeout_ms);
	EXPECT_EQ((int)WORKER_ROLE_TENANT, (int)a.role);
	EXPECT_STREQ("/tenants/alice", a.tenant);

	/* Any order; the extremes of every range. */
	snprintf(max, sizeof(max), "%u", (unsigned int)EBP_SESSION_MSG_MAX);
	ASSERT_EQ(0,
		  PARSE(&a, why, "--call-timeout-ms", "3600000", "--max-msg", max, "--enclave",
			"A-z_0.9-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012",
			"--instance", "18446744073709551615", "--role", "quoting", "--tenant", "/"))
	TH_LOG("%s", why);
	EXPECT_EQ(UINT64_MAX, a.instance_id);
	EXPECT_EQ(63U, strlen(a.enclave));
	EXPECT_EQ((uint32_t)EBP_SESSION_MSG_MAX, a.max_msg);
	EXPECT_EQ(3600000U, a.call_timeout_ms);
	EXPECT_EQ((int)WORKER_ROLE_QUOTING, (int)a.role);

	ASSERT_EQ(0, PARSE(&a, why, "--instance", "1", "--enclave", "e", "--max-msg", "1024",
			   "--call-timeout-ms", "1", "--role", "tenant", "--tenant", "/a"));
	EXPECT_EQ(1024U, a.max_msg);
	EXPECT_EQ(1U, a.call_timeout_ms);
}

/* Each case fails with -EINVAL, leaves the result alone and says why. */
static void bad(struct __test_metadata *_metadata, int argc, char *const *argv, const char *want)
{
	struct worker_args a = { .instance_id = 42 };
	char why[160] = "";

	EXPECT_EQ(-EINVAL, worker_args_parse(argc, argv, &a, why, sizeof(why))) TH_LOG("%s", want);
	EXPECT_EQ(42ULL, a.instance_id);
	EXPECT_NE(NULL, strstr(why, want)) TH_LOG("'%s' does not say '%s'", why, want);
}

#define BAD(want, ...) bad(_metadata, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

TEST(missing_twice_unknown)
{
	bad(_metadata, 1, (char *const[]){ "ebroker-worker", NULL }, "--instance is missing");
	BAD("--call-timeout-ms is missing", "--instance", "1", "--enclave", "e", "--max-msg",
	    "2048");
	BAD("--enclave is missing", "--instance", "1", "--max-msg", "2048", "--call-timeout-ms",
	    "5");
	BAD("--instance given twice", "--instance", "1", "--instance", "2");
	BAD("unknown argument '--verbose'", "--verbose", "1");
	BAD("unknown argument '-i'", "-i", "1");
	BAD("unknown argument '--instance=1'", "--instance=1");
	BAD("unknown argument 'stray'", "--instance", "1", "stray");
	BAD("--max-msg needs a value", "--instance", "1", "--max-msg");
	BAD("--role is missing", "--instance", "1", "--enclave", "e", "--max-msg", "2048",
	    "--call-timeout-ms", "5", "--tenant", "/a");
	BAD("--tenant is missing", "--instance", "1", "--enclave", "e", "--max-msg", "2048",
	    "--call-timeout-ms", "5", "--role", "tenant");
	BAD("--tenant: 'tenants/a' is not a cgroup path", "--tenant", "tenants/a");
	BAD("--tenant: a control character in the path", "--tenant", "/a\nb");
	BAD("--role: 'root' is neither 'tenant' nor 'quoting'", "--role", "root");
}

TEST(numbers)
{
	static char *const not_numbers[] = {
		"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a", "١"
	};
	char want[96], over[16];
	static char *const out_of_range[] = { "0", "18446744073709551616",
					      "99999999999999999999999" };

	for (size_t i = 0; i < ELEMENTSOF(not_numbers); i++)
		BAD("is not a decimal number", "--instance", not_numbers[i]);
	for (size_t i = 0; i < ELEMENTSOF(out_of_range); i++)
		BAD("is out of range", "--instance", out_of_range[i]);
	snprintf(want, sizeof(want), "--max-msg: 1023 is out of range 1024..%u",
		 (unsigned int)EBP_SESSION_MSG_MAX);
	BAD(want, "--max-msg", "1023");
	snprintf(over, sizeof(over), "%u", (unsigned int)EBP_SESSION_MSG_MAX + 1);
	BAD("out of range", "--max-msg", over);
	BAD("--call-timeout-ms: 0 is out of range 1..3600000", "--call-timeout-ms", "0");
	BAD("out of range", "--call-timeout-ms", "3600001");
	BAD("out of range", "--call-timeout-ms", "4294967296");
}

TEST(names)
{
	static char *const names[] = {
		"",
		"a/b",
		"a b",
		"../x",
		"é",
		"a\n",
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab", /* 64 */
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		BAD("is not an enclave name", "--enclave", names[i]);
}

TEST(parse_u64)
{
	uint64_t v = 5;

	EXPECT_EQ(0, worker_parse_u64("0", 10, &v));
	EXPECT_EQ(0ULL, v);
	EXPECT_EQ(0, worker_parse_u64("10", 10, &v));
	EXPECT_EQ(10ULL, v);
	v = 5;
	EXPECT_EQ(-ERANGE, worker_parse_u64("11", 10, &v));
	EXPECT_EQ(-EINVAL, worker_parse_u64("", 10, &v));
	EXPECT_EQ(-EINVAL, worker_parse_u64("1-", 10, &v));
	EXPECT_EQ(5ULL, v);
	EXPECT_EQ(0, worker_parse_u64("18446744073709551615", UINT64_MAX, &v));
	EXPECT_EQ(UINT64_MAX, v);
}

/* A RESULT of worker_out_limit() bytes of output fits the limit, and 4 more would not. */
TEST(out_limit_fits)
{
	static const uint32_t sizes[] = { 1024,
					  1025,
					  1026,
					  1027,
					  4096,
					  65536,
					  EBP_SESSION_MSG_MAX - 3,
					  EBP_SESSION_MSG_MAX - 2,
					  EBP_SESSION_MSG_MAX - 1,
					  EBP_SESSION_MSG_MAX };
	_cleanup_(freep) uint8_t *data = calloc(1, 1 << 17);

	ASSERT_NE(NULL, data);
	EXPECT_EQ(1004U - WORKER_RECORD_EXTRA, worker_out_limit(1024));
	EXPECT_EQ(65516U - WORKER_RECORD_EXTRA, worker_out_limit(65536));
	for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
		uint32_t max = sizes[i], n = worker_out_limit(max) + WORKER_RECORD_EXTRA;
		struct nl_msg *m;
		struct ebp_msg pm;
		const char *why = NULL;
		uint32_t len;

		ASSERT_EQ(0, ebp_msg_new(EBP_MSG_RESULT, 1, max - sizeof(struct ebp_msghdr), &m));
		ASSERT_EQ(0, nla_put(m, EBP_A_RECORD, n, data)) TH_LOG("max %u: %u bytes", max, n);
		len = nlmsg_hdr(m)->nlmsg_len;
		EXPECT_GE(max, len)
		TH_LOG("max %u: a RESULT of %u bytes of output is %u", max, n, len);
		EXPECT_EQ(0, ebp_parse(nlmsg_hdr(m), len, false, &pm, &why)) TH_LOG("%s", why);
		EXPECT_EQ(n, (uint32_t)nla_len(pm.attrs[EBP_A_RECORD]));
		/* The next size up needs 4 more bytes, or no longer fits an attribute. */
		if (n < UINT16_MAX - NLA_HDRLEN)
			EXPECT_LT(max, len + 4) TH_LOG("max %u: %u is not the most", max, n);
		nlmsg_free(m);
	}
}

TEST_HARNESS_MAIN
