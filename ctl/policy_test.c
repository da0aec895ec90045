// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the verification policy options (policy.c): values,
 * the combinations ctl_policy_finish() accepts and refuses, the root's
 * default, --image, and that what it accepts libebverify accepts too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

#include "common/test.h"
#include "common/util.h"
#include "verify/issue.h"

#include "ctl.h"

#define SAMPLE_IMAGE "build/sdk/samples/keyvault.ebimg"

static const char hash_a[] = "0f305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af4240";
static const char hash_b[] = "CCEAE68BC71804391A2373CF19366ED0EFC74CB0C86A6DAD84028E36C9FC5D71";

struct opt {
	int c;
	const char *arg;
};

/* Feeds the options through the parser, then finishes; the first failing status. */
static int policy_from(struct ctl_policy *p, const struct opt *o, size_t n)
{
	ctl_policy_init(p);
	for (size_t i = 0; i < n; i++) {
		int status = ctl_policy_option(p, "test", o[i].c, o[i].arg);

		if (status)
			return status;
	}
	return ctl_policy_finish(p, "test");
}

#define POLICY(p, ...)                                   \
	({                                               \
		const struct opt o_[] = { __VA_ARGS__ }; \
		policy_from(p, o_, ELEMENTSOF(o_));      \
	})

TEST(hashes)
{
	struct ctl_policy p;

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_EQ(EBROKER_POLICY_MRENCLAVE, p.policy.flags);
	EXPECT_EQ(0x0f, p.policy.mrenclave[0]);
	EXPECT_EQ(0x40, p.policy.mrenclave[31]);
	EXPECT_STREQ("MRENCLAVE", ctl_policy_identity(&p));

	/* Upper case too. */
	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRSIGNER, hash_b }, { CTL_OPT_ISV_PROD_ID, "1" }));
	EXPECT_EQ(EBROKER_POLICY_MRSIGNER, p.policy.flags);
	EXPECT_EQ(0xcc, p.policy.mrsigner[0]);
	EXPECT_EQ(0x71, p.policy.mrsigner[31]);
	EXPECT_EQ(1, p.policy.isv_prod_id);
	EXPECT_STREQ("MRSIGNER and ISVPRODID", ctl_policy_identity(&p));

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_MRSIGNER, hash_b },
			    { CTL_OPT_ISV_PROD_ID, "7" }));
	EXPECT_EQ(EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER, p.policy.flags);
	EXPECT_STREQ("MRENCLAVE, MRSIGNER and ISVPRODID", ctl_policy_identity(&p));
}

TEST(bad_hashes)
{
	static const char *const cases[] = {
		"",
		"0f30",
		"0f305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af424",
		"0f305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af42400",
		"0g305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af4240",
		" f305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af4240",
		"0x305933e200c1c64ad686ac3a1cce7b9ec07d9a141177c48b5e34b0a9af4240",
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct ctl_policy p;

		ctl_policy_init(&p);
		EXPECT_EQ(CTL_EXIT_USAGE,
			  ctl_policy_option(&p, "test", CTL_OPT_MRENCLAVE, cases[i]))
		TH_LOG("'%s'", cases[i]);
		EXPECT_EQ(CTL_EXIT_USAGE, ctl_policy_option(&p, "test", CTL_OPT_MRSIGNER, cases[i]))
		TH_LOG("'%s'", cases[i]);
		EXPECT_EQ(0u, p.policy.flags);
		EXPECT_TRUE(mem_is_zero(p.policy.mrenclave, sizeof(p.policy.mrenclave)));
		EXPECT_TRUE(mem_is_zero(p.policy.mrsigner, sizeof(p.policy.mrsigner)));
	}
}

TEST(numbers)
{
	static const char *const bad[] = { "",	 "-1",	  "+1",
					   " 1", "1 ",	  "0x10",
					   "1a", "65536", "99999999999999999999" };
	static const int codes[] = { CTL_OPT_ISV_PROD_ID, CTL_OPT_MIN_ISV_SVN,
				     CTL_OPT_MIN_PLATFORM_SVN };
	struct ctl_policy p;

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRSIGNER, hash_b }, { CTL_OPT_ISV_PROD_ID, "65535" },
			    { CTL_OPT_MIN_ISV_SVN, "2" }, { CTL_OPT_MIN_PLATFORM_SVN, "007" }));
	EXPECT_EQ(65535, p.policy.isv_prod_id);
	EXPECT_EQ(2, p.policy.min_isv_svn);
	EXPECT_EQ(7, p.policy.min_platform_svn);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRSIGNER, hash_b }, { CTL_OPT_ISV_PROD_ID, "0" }));
	EXPECT_EQ(0, p.policy.isv_prod_id);
	EXPECT_EQ(0, p.policy.min_isv_svn);
	EXPECT_EQ(0, p.policy.min_platform_svn);

	for (size_t c = 0; c < ELEMENTSOF(codes); c++) {
		for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
			ctl_policy_init(&p);
			EXPECT_EQ(CTL_EXIT_USAGE, ctl_policy_option(&p, "test", codes[c], bad[i]))
			TH_LOG("option %d, '%s'", codes[c], bad[i]);
			EXPECT_EQ(0, p.policy.isv_prod_id);
			EXPECT_EQ(0, p.policy.min_isv_svn);
			EXPECT_EQ(0, p.policy.min_platform_svn);
		}
	}
}

TEST(relaxations)
{
	struct ctl_policy p;

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_ALLOW_SIMULATED, NULL },
			    { CTL_OPT_ALLOW_DEBUG, NULL }));
	EXPECT_EQ(EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_ALLOW_SIMULATED |
		      EBROKER_POLICY_ALLOW_DEBUG,
		  p.policy.flags);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_ANY_IDENTITY_INSECURE, NULL }));
	EXPECT_EQ(EBROKER_POLICY_ANY_IDENTITY_INSECURE, p.policy.flags);
	EXPECT_EQ(NULL, ctl_policy_identity(&p));
}

TEST(refused_combinations)
{
	struct ctl_policy p;

	/* No identity at all: nothing is accepted by default, not even with relaxations. */
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_ALLOW_SIMULATED, NULL }));
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_MIN_ISV_SVN, "3" }));
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_ROOT, "/r.pem" }));
	/* A signer's products are told apart by ISVPRODID. */
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_MRSIGNER, hash_b }));
	EXPECT_EQ(CTL_EXIT_USAGE,
		  POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_ISV_PROD_ID, "1" }));
	/* Any identity, and one: which is meant? */
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_ANY_IDENTITY_INSECURE, NULL },
					 { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_ANY_IDENTITY_INSECURE, NULL },
					 { CTL_OPT_IMAGE, SAMPLE_IMAGE }));
	/* Two sources of MRSIGNER. */
	EXPECT_EQ(CTL_EXIT_USAGE,
		  POLICY(&p, { CTL_OPT_IMAGE, SAMPLE_IMAGE }, { CTL_OPT_MRSIGNER, hash_b },
			 { CTL_OPT_ISV_PROD_ID, "1" }));
	EXPECT_EQ(CTL_EXIT_USAGE,
		  POLICY(&p, { CTL_OPT_IMAGE, SAMPLE_IMAGE }, { CTL_OPT_ISV_PROD_ID, "1" }));
	/* Empty paths. */
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_IMAGE, "" }));
	EXPECT_EQ(CTL_EXIT_USAGE, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_ROOT, "" }));
	/* Not a policy option. */
	ctl_policy_init(&p);
	EXPECT_FALSE(ctl_policy_is_option('x'));
	EXPECT_FALSE(ctl_policy_is_option(CTL_OPT_JSON));
	EXPECT_TRUE(ctl_policy_is_option(CTL_OPT_ANY_IDENTITY_INSECURE));
	EXPECT_EQ(CTL_EXIT_USAGE, ctl_policy_option(&p, "test", 'x', "1"));
}

TEST(root)
{
	struct ctl_policy p;

	unsetenv("EBROKER_ROOT");
	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_STREQ(EBROKER_DEFAULT_ROOT_FILE, p.policy.root_file);

	setenv("EBROKER_ROOT", "", 1);
	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_STREQ(EBROKER_DEFAULT_ROOT_FILE, p.policy.root_file);

	setenv("EBROKER_ROOT", "/env/root.pem", 1);
	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_STREQ("/env/root.pem", p.policy.root_file);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_ROOT, "/opt/root.pem" }));
	EXPECT_STREQ("/opt/root.pem", p.policy.root_file);
	EXPECT_EQ(NULL, p.policy.root_pem);
	unsetenv("EBROKER_ROOT");
}

static int write_tmp(const char *tmpl, const void *data, size_t len, char **ret_path)
{
	char *path = strdup(tmpl);
	int fd;

	if (!path)
		return -ENOMEM;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		free(path);
		return -EIO;
	}
	close(fd);
	*ret_path = path;
	return 0;
}

TEST(image)
{
	struct ebroker_image *img = NULL;
	uint8_t mrsigner[32], *buf;
	struct ctl_policy p;
	char *bad = NULL;
	FILE *f;
	long len;

	if (access(SAMPLE_IMAGE, R_OK) != 0)
		SKIP(return, "%s is not built (make userspace)", SAMPLE_IMAGE);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_IMAGE, SAMPLE_IMAGE }, { CTL_OPT_MIN_ISV_SVN, "1" }));
	EXPECT_EQ(EBROKER_POLICY_MRSIGNER, p.policy.flags);
	ASSERT_EQ(0, ebroker_image_open(SAMPLE_IMAGE, &img));
	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(ebroker_image_sigstruct(img), mrsigner));
	EXPECT_EQ(0, memcmp(mrsigner, p.policy.mrsigner, sizeof(mrsigner)));
	EXPECT_EQ(ebroker_image_sigstruct(img)->isv_prod_id, p.policy.isv_prod_id);
	EXPECT_EQ(1, p.policy.min_isv_svn);
	EXPECT_STREQ("MRSIGNER and ISVPRODID", ctl_policy_identity(&p));
	ebroker_image_free(img);

	/* With --mrenclave as well, both are checked. */
	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_IMAGE, SAMPLE_IMAGE }, { CTL_OPT_MRENCLAVE, hash_a }));
	EXPECT_EQ(EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_MRENCLAVE, p.policy.flags);

	EXPECT_EQ(CTL_EXIT_FAILURE, POLICY(&p, { CTL_OPT_IMAGE, "/nonexistent.ebimg" }));
	EXPECT_EQ(CTL_EXIT_FAILURE, POLICY(&p, { CTL_OPT_IMAGE, "/dev/null" }));

	/* A signature that does not verify gives no signer. */
	f = fopen(SAMPLE_IMAGE, "rb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fseek(f, 0, SEEK_END));
	len = ftell(f);
	rewind(f);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(1u, fread(buf, len, 1, f));
	fclose(f);
	/* The signature, 516 bytes into the SIGSTRUCT, which is written at 128. */
	buf[128 + 516 + 7] ^= 1;
	ASSERT_EQ(0, write_tmp("/tmp/policy_test.XXXXXX", buf, len, &bad));
	EXPECT_EQ(CTL_EXIT_FAILURE, POLICY(&p, { CTL_OPT_IMAGE, bad }));
	EXPECT_EQ(0u, p.policy.flags);
	unlink(bad);
	free(bad);
	free(buf);
}

DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free)
DEFINE_FREEP(X509, X509_free)

/* What ctl_policy_finish() accepts, libebverify takes as a policy: the quote is what fails. */
TEST(accepted_by_libebverify)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_(freep) char *pem = NULL, *root = NULL;
	static const uint8_t quote[64];
	struct ebroker_verify_failure failure;
	struct ctl_policy p;
	time_t now = time(NULL);
	size_t len;

	ASSERT_EQ(0, ebv_root_create(&key, &cert, "policy_test root", now - 60, now + 3600));
	ASSERT_EQ(0, ebv_pem_write_cert(cert, &pem, &len));
	ASSERT_EQ(0, write_tmp("/tmp/policy_test.XXXXXX", pem, len, &root));
	setenv("EBROKER_ROOT", root, 1);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRSIGNER, hash_b }, { CTL_OPT_ISV_PROD_ID, "1" },
			    { CTL_OPT_ALLOW_SIMULATED, NULL }));
	EXPECT_EQ(-EBADMSG, ebroker_verify_quote(&p.policy, quote, sizeof(quote), NULL, NULL, NULL,
						 &failure));
	EXPECT_EQ(EBROKER_VERIFY_MALFORMED, (int)failure.check) TH_LOG("%s", failure.message);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_ANY_IDENTITY_INSECURE, NULL }));
	EXPECT_EQ(-EBADMSG, ebroker_verify_quote(&p.policy, quote, sizeof(quote), NULL, NULL, NULL,
						 &failure));
	EXPECT_EQ(EBROKER_VERIFY_MALFORMED, (int)failure.check) TH_LOG("%s", failure.message);

	ASSERT_EQ(0, POLICY(&p, { CTL_OPT_MRENCLAVE, hash_a }, { CTL_OPT_ROOT, "/nonexistent" }));
	EXPECT_EQ(-EINVAL, ebroker_verify_quote(&p.policy, quote, sizeof(quote), NULL, NULL, NULL,
						&failure));
	EXPECT_EQ(EBROKER_VERIFY_POLICY, (int)failure.check);

	unsetenv("EBROKER_ROOT");
	unlink(root);
}

TEST_HARNESS_MAIN
