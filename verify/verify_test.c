// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for libebverify: quotes synthesized as the quoting
 * enclave makes them (testquote.h), over certificates made with the issuer
 * API (issue.h); one valid quote accepted with its evidence, then each
 * check provoked on its own and named by its own code.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "common/test.h"

/* Fixtures too are defined without prototypes. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#include "verify/internal.h"
#include "verify/issue.h"
#include "verify/testquote.h"

#define DAY (24 * 60 * 60)
#define SIM EBROKER_POLICY_ALLOW_SIMULATED
#define SID UINT64_C(0x1122334455667788)

static const uint8_t vendor_intel[16] = EB_QUOTE_VENDOR_INTEL;

FIXTURE(quote)
{
	struct tq_platform *p;
	struct tq_params q;
	struct ebroker_policy pol;
	struct ebroker_verify_failure fail;
	struct ebroker_evidence ev;
};

FIXTURE_SETUP(quote)
{
	ASSERT_EQ(0, tq_platform_new(NULL, &self->p));
	tq_params_default(self->p, &self->q);
	memset(&self->pol, 0, sizeof(self->pol));
	self->pol.size = sizeof(self->pol);
	self->pol.flags = EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER | SIM;
	memset(self->pol.mrenclave, TQ_MRENCLAVE_BYTE, 32);
	memset(self->pol.mrsigner, TQ_MRSIGNER_BYTE, 32);
	self->pol.isv_prod_id = TQ_ISV_PROD_ID;
	self->pol.min_isv_svn = TQ_ISV_SVN;
	self->pol.min_platform_svn = TQ_PLATFORM_SVN;
	self->pol.root_pem = self->p->root_pem;
	self->pol.root_file = "/nonexistent/root.pem";
}

FIXTURE_TEARDOWN(quote)
{
	tq_platform_free(self->p);
}

/* Verify @buf with the fixture's policy; the return code, failure in self->fail. */
static int verify_buf(struct _test_data_quote *self, const uint8_t *buf, size_t len,
		      const struct ebroker_claims *claimed, const struct ebroker_claims *expected)
{
	memset(&self->fail, 0xa5, sizeof(self->fail));
	self->fail.message[sizeof(self->fail.message) - 1] = 0;
	return ebroker_verify_quote(&self->pol, buf, len, claimed, expected, &self->ev,
				    &self->fail);
}

/* Make a quote from self->q, verify it, and expect @check (-EBADMSG unless OK or POLICY). */
#define EXPECT_QUOTE(want)                                  \
	do {                                                \
		uint8_t *_b;                                \
		size_t _n;                                  \
		ASSERT_EQ(0, tq_quote(&self->q, &_b, &_n)); \
		EXPECT_CHECK(_b, _n, NULL, NULL, want);     \
		free(_b);                                   \
	} while (0)

#define EXPECT_CHECK(buf, len, claimed, expected, want)                   \
	do {                                                              \
		int _r = verify_buf(self, buf, len, claimed, expected);   \
		int _want = (want) == EBROKER_VERIFY_OK	      ? 0         \
			    : (want) == EBROKER_VERIFY_POLICY ? -EINVAL   \
							      : -EBADMSG; \
		EXPECT_EQ(_want, _r);                                     \
		EXPECT_STREQ(ebroker_verify_check_name(want),             \
			     ebroker_verify_check_name(self->fail.check)) \
		{                                                         \
			TH_LOG("%s", self->fail.message);                 \
		}                                                         \
	} while (0)

TEST_F(quote, valid)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
	EXPECT_STREQ("", self->fail.message);
	EXPECT_EQ(TQ_MRENCLAVE_BYTE, self->ev.mrenclave[31]);
	EXPECT_EQ(TQ_MRSIGNER_BYTE, self->ev.mrsigner[0]);
	EXPECT_EQ(TQ_ISV_PROD_ID, self->ev.isv_prod_id);
	EXPECT_EQ(TQ_ISV_SVN, self->ev.isv_svn);
	EXPECT_EQ(EB_ATTR_INIT | EB_ATTR_MODE64BIT, self->ev.attributes);
	EXPECT_EQ(3u, self->ev.xfrm);
	EXPECT_EQ(TQ_QE_ISV_SVN, self->ev.qe_svn);
	EXPECT_EQ(TQ_PLATFORM_SVN, self->ev.platform_svn);
	EXPECT_TRUE(self->ev.simulated);
	EXPECT_FALSE(self->ev.debug);
	EXPECT_STREQ("CN = " TQ_PLATFORM_CN, self->ev.platform);
	EXPECT_STREQ("CN = " TQ_ROOT_CN, self->ev.root);
	EXPECT_GT(self->ev.platform_not_after, time(NULL) + 364 * DAY);
	EXPECT_LT(self->ev.platform_not_after, time(NULL) + 366 * DAY);

	/* NULL out-parameters are allowed. */
	EXPECT_EQ(0, ebroker_verify_quote(&self->pol, b, n, NULL, NULL, NULL, NULL));
	/* So is the root from a file, and MRSIGNER alone, and MRENCLAVE alone. */
	do {
		char path[] = "/tmp/ebverify-root-XXXXXX";
		int fd = mkstemp(path);

		ASSERT_LE(0, fd);
		ASSERT_EQ((ssize_t)strlen(self->p->root_pem),
			  write(fd, self->p->root_pem, strlen(self->p->root_pem)));
		close(fd);
		self->pol.root_pem = NULL;
		self->pol.root_file = path;
		self->pol.flags = EBROKER_POLICY_MRSIGNER | SIM;
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
		self->pol.flags = EBROKER_POLICY_MRENCLAVE | SIM;
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
		self->pol.flags = EBROKER_POLICY_ANY_IDENTITY_INSECURE | SIM;
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
		unlink(path);
	} while (0);
	free(b);
}

/* Every single-byte change anywhere in a quote is refused, and nothing crashes. */
TEST_F(quote, every_byte)
{
	uint8_t *b;
	size_t n, i;
	int accepted = 0;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	for (i = 0; i < n; i++) {
		b[i] ^= 0x01;
		if (verify_buf(self, b, n, NULL, NULL) == 0) {
			TH_LOG("byte %zu changed, quote accepted", i);
			accepted++;
		}
		EXPECT_NE((int)EBROKER_VERIFY_OK, (int)self->fail.check);
		b[i] ^= 0x01;
	}
	EXPECT_EQ(0, accepted);
	free(b);
}

TEST_F(quote, tampered_body)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	b[TQ_OFF_BODY + offsetof(struct eb_report, mrenclave)] ^= 0x80;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QUOTE_SIGNATURE);
	b[TQ_OFF_BODY + offsetof(struct eb_report, mrenclave)] ^= 0x80;
	b[TQ_OFF_BODY + offsetof(struct eb_report, report_data) + 63] ^= 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QUOTE_SIGNATURE);
	free(b);
}

/* Every header field is checked before the quote signature is. */
TEST_F(quote, tampered_header)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	b[offsetof(struct eb_quote_header, qe_svn)] ^= 0x10;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QE_IDENTITY);
	b[offsetof(struct eb_quote_header, qe_svn)] ^= 0x10;
	b[offsetof(struct eb_quote_header, pce_svn)] ^= 0x01;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_PLATFORM_SVN);
	b[offsetof(struct eb_quote_header, pce_svn)] ^= 0x01;
	b[offsetof(struct eb_quote_header, user_data) + 3] = 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	b[offsetof(struct eb_quote_header, user_data) + 3] = 0;
	b[offsetof(struct eb_quote_header, reserved)] = 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	b[offsetof(struct eb_quote_header, reserved)] = 0;
	b[offsetof(struct eb_quote_header, version)] = 4;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_UNSUPPORTED);
	b[offsetof(struct eb_quote_header, version)] = 3;
	b[offsetof(struct eb_quote_header, att_key_type)] = 3;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_UNSUPPORTED);
	b[offsetof(struct eb_quote_header, att_key_type)] = 2;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
	free(b);
}

TEST_F(quote, tampered_signature)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	b[TQ_OFF_SIGNATURE + 5] ^= 0x04;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QUOTE_SIGNATURE);
	memset(b + TQ_OFF_SIGNATURE, 0, EB_P256_SIG_SIZE);
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QUOTE_SIGNATURE);
	memset(b + TQ_OFF_SIGNATURE, 0xff, EB_P256_SIG_SIZE);
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QUOTE_SIGNATURE);
	free(b);
}

/* A changed attestation key: its certificate no longer matches. */
TEST_F(quote, tampered_att_pub)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	b[TQ_OFF_ATT_PUB + 10] ^= 0x01;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_PLATFORM_KEY);
	free(b);
}

/* Certification data changed anywhere: refused before anything relies on it. */
TEST_F(quote, tampered_cert_data)
{
	char *chain = strdup(self->p->chain);
	size_t i, len = self->p->chain_len;

	ASSERT_NE(NULL, chain);
	self->q.cert = chain;
	for (i = 0; i < len; i += 13) {
		uint8_t *b;
		size_t n;
		char was = chain[i];

		chain[i] = chain[i] == 'A' ? 'B' : 'A';
		ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
		EXPECT_EQ(-EBADMSG, verify_buf(self, b, n, NULL, NULL));
		EXPECT_TRUE(self->fail.check == EBROKER_VERIFY_CHAIN ||
			    self->fail.check == EBROKER_VERIFY_PLATFORM_KEY ||
			    self->fail.check == EBROKER_VERIFY_QE_REPORT_BINDING)
		{
			TH_LOG("byte %zu: %s: %s", i, ebroker_verify_check_name(self->fail.check),
			       self->fail.message);
		}
		chain[i] = was;
		free(b);
	}
	/* No certificate at all; the root alone (it is no platform certificate). */
	self->q.cert = "not PEM";
	self->q.cert_size = 7;
	EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);
	self->q.cert = self->p->root_pem;
	self->q.cert_size = strlen(self->p->root_pem);
	EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);
	/* A change PEM alone would not see (white space) is refused too. */
	self->q.cert = self->p->chain;
	self->q.cert_size = self->p->chain_len;
	{
		uint8_t *b;
		size_t n;

		ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
		ASSERT_EQ('\n', b[n - 1]);
		b[n - 1] = ' ';
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_CHAIN);
		free(b);
	}
	free(chain);
}

TEST_F(quote, truncated_and_trailing)
{
	uint8_t *b, *big;
	size_t n, cut;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	for (cut = 0; cut < n; cut += (cut < 1200 ? 1 : 97))
		EXPECT_CHECK(b, cut, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	EXPECT_CHECK(b, n - 1, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	big = calloc(1, n + 1);
	ASSERT_NE(NULL, big);
	memcpy(big, b, n);
	EXPECT_CHECK(big, n + 1, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	/* A sig_data_len that says so does not help: the certification data's size does not. */
	put_le32(big + TQ_OFF_SIG_DATA_LEN, get_le32(big + TQ_OFF_SIG_DATA_LEN) + 1);
	EXPECT_CHECK(big, n + 1, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	/* QE authentication data larger than what is left. */
	memcpy(big, b, n);
	big[TQ_OFF_QE_AUTH_SIZE] = 0xff;
	big[TQ_OFF_QE_AUTH_SIZE + 1] = 0xff;
	EXPECT_CHECK(big, n, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	EXPECT_CHECK(NULL, n, NULL, NULL, EBROKER_VERIFY_MALFORMED);
	free(big);
	free(b);

	/* Larger than EB_QUOTE_MAX, even when well formed. */
	big = calloc(1, EB_QUOTE_MAX);
	ASSERT_NE(NULL, big);
	memcpy(big, self->p->chain, self->p->chain_len);
	self->q.cert = big;
	self->q.cert_size = EB_QUOTE_MAX;
	EXPECT_QUOTE(EBROKER_VERIFY_MALFORMED);
	free(big);
}

TEST_F(quote, wrong_root)
{
	struct tq_platform *other;

	ASSERT_EQ(0, tq_platform_new(NULL, &other));
	self->pol.root_pem = other->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);
	/* A store of several roots, the right one among them. */
	{
		char *both;

		ASSERT_LT(0, asprintf(&both, "%s%s", other->root_pem, self->p->root_pem));
		self->pol.root_pem = both;
		EXPECT_QUOTE(EBROKER_VERIFY_OK);
		/* A certificate that is not part of the chain rides along. */
		free(both);
		ASSERT_LT(0, asprintf(&both, "%s%s", self->p->chain, other->root_pem));
		self->pol.root_pem = self->p->root_pem;
		self->q.cert = both;
		self->q.cert_size = strlen(both);
		EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);
		free(both);
	}
	tq_platform_free(other);

	/* The same root re-issued (same name and key): its copy in the chain is fine. */
	{
		struct tq_platform_opts o;

		tq_platform_opts_default(&o);
		o.root_key = self->p->root_key;
		o.root_not_after += DAY;
		ASSERT_EQ(0, tq_platform_new(&o, &other));
		tq_params_default(other, &self->q);
		EXPECT_QUOTE(EBROKER_VERIFY_OK);
		tq_platform_free(other);
	}
}

TEST_F(quote, expired)
{
	struct tq_platform_opts o;
	struct tq_platform *p;

	self->pol.at = time(NULL) + 2 * 365 * DAY;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	self->pol.at = time(NULL) - 2 * DAY;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	self->pol.at = time(NULL) + 30 * DAY;
	EXPECT_QUOTE(EBROKER_VERIFY_OK);

	/* Certificates that are expired, or not yet valid, now. */
	self->pol.at = 0;
	tq_platform_opts_default(&o);
	o.not_before = time(NULL) - 10 * DAY;
	o.not_after = time(NULL) - 3600;
	ASSERT_EQ(0, tq_platform_new(&o, &p));
	tq_params_default(p, &self->q);
	self->pol.root_pem = p->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	tq_platform_free(p);

	o.not_before = time(NULL) + 3600;
	o.not_after = time(NULL) + 10 * DAY;
	ASSERT_EQ(0, tq_platform_new(&o, &p));
	tq_params_default(p, &self->q);
	self->pol.root_pem = p->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	tq_platform_free(p);
}

/*
 * What one verification leaves behind (cache.c) never decides the next:
 * the same chain at a time it is not valid, the same chain against other
 * roots, and a root file whose contents changed under the same name.
 */
TEST_F(quote, nothing_carried_over)
{
	char path[] = "/tmp/ebverify-root-XXXXXX";
	struct tq_platform *other;
	int fd;

	ASSERT_EQ(0, tq_platform_new(NULL, &other));
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	/* The QE report and its signature verified: one bit off in either is seen. */
	for (size_t off = TQ_OFF_QE_REPORT; off < TQ_OFF_QE_AUTH_SIZE; off += 97) {
		uint8_t *b;
		size_t n;

		ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
		b[off] ^= 0x01;
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QE_REPORT_SIGNATURE);
		b[off] ^= 0x01;
		EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_OK);
		free(b);
	}
	self->pol.at = time(NULL) + 2 * 365 * DAY;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	self->pol.at = time(NULL) - 2 * DAY;
	EXPECT_QUOTE(EBROKER_VERIFY_EXPIRED);
	self->pol.at = 0;
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	self->pol.root_pem = other->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	self->pol.root_pem = NULL;
	self->pol.root_file = path;
	for (int round = 0; round < 2; round++) {
		FILE *f = fopen(path, "w");

		ASSERT_NE(NULL, f);
		fputs(self->p->root_pem, f);
		fclose(f);
		EXPECT_QUOTE(EBROKER_VERIFY_OK);
		/* The same size, the same name, within the same clock tick: another root. */
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(strlen(self->p->root_pem), strlen(other->root_pem));
		fputs(other->root_pem, f);
		fclose(f);
		EXPECT_QUOTE(EBROKER_VERIFY_CHAIN);
	}
	/* Emptied, and gone. */
	ASSERT_EQ(0, truncate(path, 0));
	EXPECT_QUOTE(EBROKER_VERIFY_POLICY);
	EXPECT_NE(NULL, strstr(self->fail.message, "no PEM certificate"));
	unlink(path);
	EXPECT_QUOTE(EBROKER_VERIFY_POLICY);
	EXPECT_NE(NULL, strstr(self->fail.message, "No such file"));
	tq_platform_free(other);
}

struct verify_thread {
	pthread_t thread;
	const struct ebroker_policy *pol;
	const uint8_t *quote;
	size_t len;
	unsigned int ok;
};

static void *verify_many(void *arg)
{
	struct verify_thread *t = arg;

	for (int i = 0; i < 200; i++)
		t->ok += !ebroker_verify_quote(t->pol, t->quote, t->len, NULL, NULL, NULL, NULL);
	return NULL;
}

/* Threads verifying at once, with two root sets and two chains, all find their own verdict. */
TEST_F(quote, threads)
{
	struct tq_platform *other;
	struct ebroker_policy pol[2];
	struct verify_thread t[8];
	struct tq_params q2;
	uint8_t *b[2];
	size_t n[2];

	ASSERT_EQ(0, tq_platform_new(NULL, &other));
	tq_params_default(other, &q2);
	ASSERT_EQ(0, tq_quote(&self->q, &b[0], &n[0]));
	ASSERT_EQ(0, tq_quote(&q2, &b[1], &n[1]));
	pol[0] = self->pol;
	pol[1] = self->pol;
	pol[1].root_pem = other->root_pem;
	for (int i = 0; i < 8; i++) {
		/* Threads 0-3 verify right; 4-7 send each chain to the other root. */
		t[i] = (struct verify_thread){ .pol = &pol[i % 2],
					       .quote = b[(i % 2) ^ (i >= 4)],
					       .len = n[(i % 2) ^ (i >= 4)] };
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, verify_many, &t[i]));
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(i < 4 ? 200u : 0u, t[i].ok);
	}
	free(b[0]);
	free(b[1]);
	tq_platform_free(other);
}

TEST_F(quote, platform_key)
{
	struct tq_platform_opts o;
	struct tq_platform *p, *other;

	/* Certified by the trusted root, but for another key. */
	ASSERT_EQ(0, tq_platform_new(NULL, &other));
	tq_platform_opts_default(&o);
	o.root_key = self->p->root_key;
	o.certify = other->att_pub;
	ASSERT_EQ(0, tq_platform_new(&o, &p));
	tq_params_default(p, &self->q);
	self->pol.root_pem = p->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_KEY);

	/* The right key, wrong claims. */
	o.certify = NULL;
	o.claims.version = 2;
	tq_platform_free(p);
	ASSERT_EQ(0, tq_platform_new(&o, &p));
	tq_params_default(p, &self->q);
	self->pol.root_pem = p->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_KEY);

	o.claims.version = EB_PLATFORM_CLAIMS_VERSION;
	o.claims.backend = EB_PLATFORM_BACKEND_SGX;
	tq_platform_free(p);
	ASSERT_EQ(0, tq_platform_new(&o, &p));
	tq_params_default(p, &self->q);
	self->pol.root_pem = p->root_pem;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_KEY);
	tq_platform_free(p);
	tq_platform_free(other);
}

TEST_F(quote, platform_svn)
{
	self->pol.min_platform_svn = TQ_PLATFORM_SVN + 1;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_SVN);
	self->pol.min_platform_svn = 0;
	self->q.header.pce_svn = TQ_PLATFORM_SVN + 1;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_SVN);
	self->q.header.pce_svn = TQ_PLATFORM_SVN - 1;
	EXPECT_QUOTE(EBROKER_VERIFY_PLATFORM_SVN);
}

TEST_F(quote, qe_report_signature)
{
	uint8_t *b;
	size_t n;

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	b[TQ_OFF_QE_REPORT + offsetof(struct eb_report, mrsigner)] ^= 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QE_REPORT_SIGNATURE);
	b[TQ_OFF_QE_REPORT + offsetof(struct eb_report, mrsigner)] ^= 1;
	b[TQ_OFF_QE_REPORT_SIG + 40] ^= 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_QE_REPORT_SIGNATURE);
	free(b);

	/* Signed by another key than the certified one. */
	{
		struct tq_platform *other;

		ASSERT_EQ(0, tq_platform_new(NULL, &other));
		self->q.att_key = other->att_key;
		EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_SIGNATURE);
		tq_platform_free(other);
	}
}

TEST_F(quote, qe_report_binding)
{
	static const uint8_t other[32] = { 1, 2, 3 };

	self->q.qe_report_data_as_is = true;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_BINDING);
	/* Bound to other authentication data than the certification data's hash. */
	self->q.qe_report_data_as_is = false;
	self->q.qe_auth = other;
	self->q.qe_auth_size = sizeof(other);
	EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_BINDING);
	self->q.qe_auth_size = 16;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_BINDING);
	self->q.qe_auth_size = 0;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_BINDING);
	/* REPORTDATA's second half must be zero. */
	self->q.qe_auth = NULL;
	self->q.qe_report_data_as_is = true;
	{
		uint8_t h[EB_P256_PUB_SIZE + 32];

		memcpy(h, self->q.att_pub, EB_P256_PUB_SIZE);
		SHA256((const uint8_t *)self->p->chain, self->p->chain_len, h + EB_P256_PUB_SIZE);
		SHA256(h, sizeof(h), self->q.qe_report.report_data);
		EXPECT_QUOTE(EBROKER_VERIFY_OK);
		self->q.qe_report.report_data[40] = 1;
		EXPECT_QUOTE(EBROKER_VERIFY_QE_REPORT_BINDING);
	}
}

TEST_F(quote, qe_identity)
{
	self->q.qe_report.mrsigner[7] ^= 1;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_IDENTITY);
	self->q.qe_report.mrsigner[7] ^= 1;
	self->q.qe_report.isv_prod_id = htole16(TQ_QE_ISV_PROD_ID + 1);
	EXPECT_QUOTE(EBROKER_VERIFY_QE_IDENTITY);
	self->q.qe_report.isv_prod_id = htole16(TQ_QE_ISV_PROD_ID);
	self->q.qe_report.isv_svn = htole16(TQ_QE_MIN_ISV_SVN - 1);
	self->q.header.qe_svn = TQ_QE_MIN_ISV_SVN - 1;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_IDENTITY);
	self->q.qe_report.isv_svn = htole16(TQ_QE_ISV_SVN + 1);
	self->q.header.qe_svn = TQ_QE_ISV_SVN;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_IDENTITY);
	self->q.header.qe_svn = TQ_QE_ISV_SVN + 1;
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	EXPECT_EQ(TQ_QE_ISV_SVN + 1, self->ev.qe_svn);
	/* A DEBUG quoting enclave, even with every relaxation. */
	self->q.qe_report.attributes |= EB_ATTR_DEBUG;
	self->pol.flags |= EBROKER_POLICY_ALLOW_DEBUG;
	EXPECT_QUOTE(EBROKER_VERIFY_QE_IDENTITY);
}

TEST_F(quote, enclave_identity)
{
	self->q.body.mrenclave[0] ^= 1;
	EXPECT_QUOTE(EBROKER_VERIFY_MRENCLAVE);
	self->pol.flags &= ~EBROKER_POLICY_MRENCLAVE;
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	self->q.body.mrsigner[31] ^= 1;
	EXPECT_QUOTE(EBROKER_VERIFY_MRSIGNER);
	self->q.body.mrsigner[31] ^= 1;
	self->q.body.isv_prod_id = htole16(TQ_ISV_PROD_ID + 1);
	EXPECT_QUOTE(EBROKER_VERIFY_ISVPRODID);
	self->q.body.isv_prod_id = htole16(TQ_ISV_PROD_ID);
	self->q.body.isv_svn = htole16(TQ_ISV_SVN - 1);
	EXPECT_QUOTE(EBROKER_VERIFY_ISVSVN);
	self->q.body.isv_svn = htole16(TQ_ISV_SVN + 1);
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	EXPECT_EQ(TQ_ISV_SVN + 1, self->ev.isv_svn);
}

TEST_F(quote, debug)
{
	self->q.body.attributes = htole64(EB_ATTR_INIT | EB_ATTR_MODE64BIT | EB_ATTR_DEBUG);
	EXPECT_QUOTE(EBROKER_VERIFY_DEBUG);
	self->pol.flags |= EBROKER_POLICY_ALLOW_DEBUG;
	EXPECT_QUOTE(EBROKER_VERIFY_OK);
	EXPECT_TRUE(self->ev.debug);
}

TEST_F(quote, simulated)
{
	self->pol.flags &= ~SIM;
	EXPECT_QUOTE(EBROKER_VERIFY_SIMULATED);
	EXPECT_NE(NULL, strstr(self->fail.message, "simulated"));
}

TEST_F(quote, hardware)
{
	self->q.cert_type = EB_QUOTE_CERT_PCK_CHAIN;
	memcpy(self->q.header.qe_vendor_id, vendor_intel, 16);
	EXPECT_QUOTE(EBROKER_VERIFY_UNSUPPORTED);
	EXPECT_NE(NULL, strstr(self->fail.message, "not implemented"));
	/* Without ALLOW_SIMULATED too: hardware is never taken for `sim`. */
	self->pol.flags &= ~SIM;
	EXPECT_QUOTE(EBROKER_VERIFY_UNSUPPORTED);
	self->pol.flags |= SIM;

	/* One `sim` marker without the other. */
	self->q.cert_type = EB_QUOTE_CERT_EBROKER_SIM;
	EXPECT_QUOTE(EBROKER_VERIFY_MALFORMED);
	tq_params_default(self->p, &self->q);
	self->q.cert_type = EB_QUOTE_CERT_PCK_CHAIN;
	EXPECT_QUOTE(EBROKER_VERIFY_MALFORMED);
	/* Neither marker, nor Intel's. */
	self->q.header.qe_vendor_id[0] ^= 0xff;
	self->q.cert_type = 7;
	EXPECT_QUOTE(EBROKER_VERIFY_UNSUPPORTED);
}

/* A session's claims: the enclave's own, and the caller's. */
FIXTURE(session)
{
	struct tq_platform *p;
	struct tq_params q;
	struct ebroker_policy pol;
	struct ebroker_verify_failure fail;
	struct ebroker_evidence ev;
	struct ebroker_claims claimed, expected;
};

FIXTURE_SETUP(session)
{
	ASSERT_EQ(0, tq_platform_new(NULL, &self->p));
	tq_params_default(self->p, &self->q);
	memset(&self->pol, 0, sizeof(self->pol));
	self->pol.size = sizeof(self->pol);
	self->pol.flags = EBROKER_POLICY_MRENCLAVE | SIM;
	memset(self->pol.mrenclave, TQ_MRENCLAVE_BYTE, 32);
	self->pol.root_pem = self->p->root_pem;
	memset(self->claimed.enclave_pub, 0xe1, 32);
	memset(self->claimed.nonce, 0x4e, 32);
	memset(self->claimed.client_pub, 0xc1, 32);
	self->claimed.session_id = SID;
	self->expected = self->claimed;
	memset(self->expected.enclave_pub, 0, 32); /* ignored */
}

FIXTURE_TEARDOWN(session)
{
	tq_platform_free(self->p);
}

static int session_verify(struct _test_data_session *self)
{
	uint8_t *b;
	size_t n;
	int r;

	ebroker_claims_reportdata(&self->claimed, self->q.body.report_data);
	if (tq_quote(&self->q, &b, &n) < 0)
		return -ENOMEM;
	r = ebroker_verify_quote(&self->pol, b, n, &self->claimed, &self->expected, &self->ev,
				 &self->fail);
	free(b);
	return r;
}

#define EXPECT_SESSION(want)                                               \
	do {                                                               \
		int _r = session_verify(self);                             \
		EXPECT_EQ((want) == EBROKER_VERIFY_OK ? 0 : -EBADMSG, _r); \
		EXPECT_STREQ(ebroker_verify_check_name(want),              \
			     ebroker_verify_check_name(self->fail.check))  \
		{                                                          \
			TH_LOG("%s", self->fail.message);                  \
		}                                                          \
	} while (0)

TEST_F(session, bound)
{
	uint8_t rd[64];

	EXPECT_SESSION(EBROKER_VERIFY_OK);
	ebroker_claims_reportdata(&self->claimed, rd);
	EXPECT_EQ(0, memcmp(rd, self->ev.report_data, 64));
	EXPECT_TRUE(mem_is_zero(rd + 32, 32));
	EXPECT_FALSE(mem_is_zero(rd, 32));
}

/* The documented formula, computed here independently. */
TEST_F(session, reportdata_formula)
{
	static const char label[] = "ebroker session v1 reportdata";
	uint8_t buf[sizeof(label) - 1 + 3 * 32 + 8], want[64] = { 0 }, rd[64];

	memcpy(buf, label, sizeof(label) - 1);
	memcpy(buf + sizeof(label) - 1, self->claimed.enclave_pub, 32);
	memcpy(buf + sizeof(label) - 1 + 32, self->claimed.nonce, 32);
	memcpy(buf + sizeof(label) - 1 + 64, self->claimed.client_pub, 32);
	put_le64(buf + sizeof(label) - 1 + 96, SID);
	SHA256(buf, sizeof(buf), want);
	ebroker_claims_reportdata(&self->claimed, rd);
	EXPECT_EQ(0, memcmp(want, rd, 64));
}

TEST_F(session, reportdata)
{
	/* The enclave bound another key than the one it sent. */
	ebroker_claims_reportdata(&self->claimed, self->q.body.report_data);
	self->claimed.enclave_pub[3] ^= 1;
	{
		uint8_t *b;
		size_t n;

		ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
		EXPECT_EQ(-EBADMSG, ebroker_verify_quote(&self->pol, b, n, &self->claimed,
							 &self->expected, NULL, &self->fail));
		EXPECT_EQ((int)EBROKER_VERIFY_REPORTDATA, (int)self->fail.check);
		/* Without claims, REPORTDATA is the caller's business. */
		EXPECT_EQ(0, ebroker_verify_quote(&self->pol, b, n, NULL, NULL, NULL, &self->fail));
		free(b);
	}
}

TEST_F(session, stale_nonce)
{
	self->claimed.nonce[31] ^= 1;
	EXPECT_SESSION(EBROKER_VERIFY_NONCE);
}

TEST_F(session, other_client_key)
{
	self->claimed.client_pub[0] ^= 1;
	EXPECT_SESSION(EBROKER_VERIFY_CLIENT_KEY);
}

TEST_F(session, other_session)
{
	self->claimed.session_id++;
	EXPECT_SESSION(EBROKER_VERIFY_SESSION);
}

TEST_F(session, identity_after_claims)
{
	/* Claims are checked before the enclave's identity. */
	self->claimed.nonce[0] ^= 1;
	self->q.body.mrenclave[0] ^= 1;
	EXPECT_SESSION(EBROKER_VERIFY_NONCE);
	self->claimed.nonce[0] ^= 1;
	EXPECT_SESSION(EBROKER_VERIFY_MRENCLAVE);
}

TEST_F(quote, bad_policy)
{
	uint8_t *b;
	size_t n;
	struct ebroker_claims c = { 0 };

	ASSERT_EQ(0, tq_quote(&self->q, &b, &n));
	self->pol.size = 0;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.size = sizeof(self->pol) - 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.size = sizeof(self->pol);
	self->pol.flags = SIM;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.flags = SIM | EBROKER_POLICY_MRENCLAVE | 0x8000;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.flags = SIM | EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_ANY_IDENTITY_INSECURE;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.flags = SIM | EBROKER_POLICY_MRENCLAVE;
	self->pol.reserved = 1;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.reserved = 0;
	/* Claims without expectations, or the reverse. */
	EXPECT_CHECK(b, n, &c, NULL, EBROKER_VERIFY_POLICY);
	EXPECT_CHECK(b, n, NULL, &c, EBROKER_VERIFY_POLICY);
	/* Roots that are not there, or not PEM. */
	self->pol.root_pem = "garbage";
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	self->pol.root_pem = NULL;
	EXPECT_CHECK(b, n, NULL, NULL, EBROKER_VERIFY_POLICY);
	EXPECT_NE(NULL, strstr(self->fail.message, "/nonexistent/root.pem"));
	EXPECT_EQ(-EINVAL, ebroker_verify_quote(NULL, b, n, NULL, NULL, NULL, NULL));
	/* A bad policy is reported before a bad quote. */
	self->pol.size = 0;
	EXPECT_CHECK(b, 10, NULL, NULL, EBROKER_VERIFY_POLICY);
	free(b);
}

TEST(check_names)
{
	int i, j;

	for (i = 0; i < __EBROKER_VERIFY_MAX; i++) {
		const char *name = ebroker_verify_check_name(i);

		EXPECT_STRNE("unknown", name);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(ebroker_verify_check_name(j), name);
	}
	EXPECT_STREQ("ok", ebroker_verify_check_name(EBROKER_VERIFY_OK));
	EXPECT_STREQ("quote-signature", ebroker_verify_check_name(EBROKER_VERIFY_QUOTE_SIGNATURE));
	EXPECT_STREQ("debug", ebroker_verify_check_name(EBROKER_VERIFY_DEBUG));
	EXPECT_STREQ("unknown", ebroker_verify_check_name(__EBROKER_VERIFY_MAX));
	EXPECT_STREQ("unknown", ebroker_verify_check_name(-1));
}

/* The issuer API: keys to and from files, claims, raw keys and signatures. */
TEST(issue)
{
	char dir[] = "/tmp/ebverify-XXXXXX", path[64];
	struct eb_platform_claims claims = { .version = 1, .backend = 1, .platform_svn = 0x1234 },
				  back;
	EVP_PKEY *key, *loaded, *pub, *none = NULL;
	X509 *root, *cert;
	uint8_t raw[64], raw2[64], sig[64], bad[64];
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	ASSERT_EQ(0, ebv_root_create(&key, &root, "r", time(NULL), time(NULL) + DAY));
	ASSERT_EQ(0, ebv_key_save(path, key));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	EXPECT_EQ(-EEXIST, ebv_key_save(path, key));
	ASSERT_EQ(0, ebv_key_load(path, &loaded));
	ASSERT_EQ(0, ebv_pub_to_raw(key, raw));
	ASSERT_EQ(0, ebv_pub_to_raw(loaded, raw2));
	EXPECT_EQ(0, memcmp(raw, raw2, 64));
	EXPECT_EQ(-ENOENT, ebv_key_load("/nonexistent/key.pem", &pub));
	EXPECT_EQ(-EINVAL, ebv_root_create(&pub, &cert, "", 0, DAY));
	EXPECT_EQ(-EINVAL, ebv_root_create(&pub, &cert, "r", DAY, 0));

	/* A raw key and signature round trip; points off the curve are refused. */
	ASSERT_EQ(0, ebv_pub_from_raw(raw, &pub));
	ASSERT_EQ(0, ebv_sign_raw(loaded, "msg", 3, sig));
	memset(bad, 0, sizeof(bad));
	EXPECT_EQ(-EINVAL, ebv_pub_from_raw(bad, &none));
	EXPECT_EQ(NULL, none);
	EXPECT_EQ(-EINVAL, ebv_platform_cert_create(key, root, bad, &claims, "p", 0, DAY, &cert));

	ASSERT_EQ(0, ebv_platform_cert_create(key, root, raw, &claims, "p", time(NULL),
					      time(NULL) + DAY, &cert));
	ASSERT_EQ(0, ebv_cert_claims(cert, &back));
	EXPECT_EQ(0, memcmp(&claims, &back, sizeof(claims)));
	EXPECT_EQ(-ENOENT, ebv_cert_claims(root, &back));

	X509_free(cert);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(loaded);
	EVP_PKEY_free(key);
	X509_free(root);
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
