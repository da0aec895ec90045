// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker_verify_quote(): the checks of enum ebroker_verify_check, in its
 * order, each a function that fills the failure and returns -EBADMSG (or
 * -EINVAL for the policy, -ENOMEM) or 0. What one check establishes the
 * next may rely on: the platform key is looked at only once the chain is
 * trusted, the QE report only once its signature verifies, and so on. So
 * the code reported is the earliest broken link, and no check ever reads
 * an unverified claim as if it were vouched for.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "issue.h"

#define CHAIN_MAX 8 /* certificates in a quote's certification data */

#define POLICY_IDENTITY (EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER)
#define POLICY_ALL                                                                       \
	(POLICY_IDENTITY | EBROKER_POLICY_ALLOW_SIMULATED | EBROKER_POLICY_ALLOW_DEBUG | \
	 EBROKER_POLICY_ANY_IDENTITY_INSECURE)

static const char *const check_names[__EBROKER_VERIFY_MAX] = {
	[EBROKER_VERIFY_OK] = "ok",
	[EBROKER_VERIFY_POLICY] = "policy",
	[EBROKER_VERIFY_MALFORMED] = "malformed",
	[EBROKER_VERIFY_UNSUPPORTED] = "unsupported",
	[EBROKER_VERIFY_SIMULATED] = "simulated",
	[EBROKER_VERIFY_CHAIN] = "chain",
	[EBROKER_VERIFY_EXPIRED] = "expired",
	[EBROKER_VERIFY_PLATFORM_KEY] = "platform-key",
	[EBROKER_VERIFY_PLATFORM_SVN] = "platform-svn",
	[EBROKER_VERIFY_QE_REPORT_SIGNATURE] = "qe-report-signature",
	[EBROKER_VERIFY_QE_REPORT_BINDING] = "qe-report-binding",
	[EBROKER_VERIFY_QE_IDENTITY] = "qe-identity",
	[EBROKER_VERIFY_QUOTE_SIGNATURE] = "quote-signature",
	[EBROKER_VERIFY_REPORTDATA] = "reportdata",
	[EBROKER_VERIFY_NONCE] = "nonce",
	[EBROKER_VERIFY_CLIENT_KEY] = "client-key",
	[EBROKER_VERIFY_SESSION] = "session",
	[EBROKER_VERIFY_MRENCLAVE] = "mrenclave",
	[EBROKER_VERIFY_MRSIGNER] = "mrsigner",
	[EBROKER_VERIFY_ISVPRODID] = "isvprodid",
	[EBROKER_VERIFY_ISVSVN] = "isvsvn",
	[EBROKER_VERIFY_DEBUG] = "debug",
};

_public_ const char *ebroker_verify_check_name(enum ebroker_verify_check check)
{
	if ((unsigned int)check >= __EBROKER_VERIFY_MAX || !check_names[check])
		return "unknown";
	return check_names[check];
}

int ebv_fail(struct ebroker_verify_failure *failure, enum ebroker_verify_check check,
	     const char *fmt, ...)
{
	va_list ap;

	if (failure) {
		failure->check = check;
		va_start(ap, fmt);
		vsnprintf(failure->message, sizeof(failure->message), fmt, ap);
		va_end(ap);
	}
	return check == EBROKER_VERIFY_POLICY ? -EINVAL : -EBADMSG;
}

/* OpenSSL failed to allocate while @check ran. */
static int fail_oom(struct ebroker_verify_failure *failure, enum ebroker_verify_check check)
{
	ERR_clear_error();
	ebv_fail(failure, check, "out of memory");
	return -ENOMEM;
}

const char *ebv_hex(char *buf, size_t cap, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i, shown = n > 8 ? 8 : n;

	buf[0] = 0;
	for (i = 0; i < shown && 2 * i + 3 < cap; i++)
		snprintf(buf + 2 * i, cap - 2 * i, "%02x", b[i]);
	if (shown < n && 2 * i + 4 <= cap)
		strcpy(buf + 2 * i, "...");
	return buf;
}

/* Say which: "expected X, found Y" for two byte strings. */
#define HEXES(expected, found, n) \
	ebv_hex(hx_e, sizeof(hx_e), (expected), (n)), ebv_hex(hx_f, sizeof(hx_f), (found), (n))

_public_ void ebroker_claims_reportdata(const struct ebroker_claims *claims, uint8_t reportdata[64])
{
	static const char label[] = EB_SESSION_LABEL_REPORTDATA;
	uint8_t buf[sizeof(label) - 1 + 3 * 32 + 8];
	uint8_t *p = buf;

	memcpy(p, label, sizeof(label) - 1);
	p += sizeof(label) - 1;
	memcpy(p, claims->enclave_pub, 32);
	p += 32;
	memcpy(p, claims->nonce, 32);
	p += 32;
	memcpy(p, claims->client_pub, 32);
	p += 32;
	put_le64(p, claims->session_id);
	memset(reportdata, 0, 64);
	SHA256(buf, sizeof(buf), reportdata);
}

/* ------------------------------------------------------------ POLICY */

static int policy_check(const struct ebroker_policy *policy, const struct ebroker_claims *claimed,
			const struct ebroker_claims *expected,
			struct ebroker_verify_failure *failure)
{
	uint32_t identity;

	if (!policy)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY, "no policy");
	if (policy->size != sizeof(*policy))
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"policy size %u, expected %zu (struct ebroker_policy)",
				policy->size, sizeof(*policy));
	if (policy->flags & ~POLICY_ALL)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY, "unknown policy flags 0x%x",
				policy->flags & ~POLICY_ALL);
	if (policy->reserved)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY, "policy reserved field not zero");
	identity = policy->flags & POLICY_IDENTITY;
	if (!identity == !(policy->flags & EBROKER_POLICY_ANY_IDENTITY_INSECURE))
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				identity ? "policy names an identity and ANY_IDENTITY_INSECURE"
					 : "policy names no identity: MRENCLAVE, MRSIGNER or "
					   "ANY_IDENTITY_INSECURE is required");
	if (!claimed != !expected)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"session claims given without the expected ones, or the reverse");
	return 0;
}

#define ROOT_FILE_MAX (1 << 20) /* bytes: a root file is a few certificates */

/* The root file's bytes, NUL-terminated; read anew each time, so a changed file counts. */
static int root_file_read(const char *file, char **ret, size_t *ret_len,
			  struct ebroker_verify_failure *failure)
{
	_cleanup_(closep) int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_(freep) char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"cannot read trusted roots from %s: %s", file, strerror(errno));
	buf = malloc(ROOT_FILE_MAX + 1);
	if (!buf)
		return fail_oom(failure, EBROKER_VERIFY_POLICY);
	n = read_full(fd, buf, ROOT_FILE_MAX + 1);
	if (n < 0)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"cannot read trusted roots from %s: %s", file, strerror((int)-n));
	if (n > ROOT_FILE_MAX)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"trusted roots file %s is larger than %d bytes", file,
				ROOT_FILE_MAX);
	buf[n] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = n;
	return 0;
}

/* Every certificate of @pem in a new store. */
static int roots_parse(const char *pem, size_t len, const char *where, X509_STORE **ret,
		       struct ebroker_verify_failure *failure)
{
	_cleanup_(X509_STORE_freep) X509_STORE *store = X509_STORE_new();
	_cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(pem, (int)len);
	unsigned int n = 0;

	if (!store || !bio)
		return fail_oom(failure, EBROKER_VERIFY_POLICY);
	for (;;) {
		_cleanup_(X509_freep) X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (!cert)
			break;
		if (!X509_STORE_add_cert(store, cert))
			return fail_oom(failure, EBROKER_VERIFY_POLICY);
		n++;
	}
	ERR_clear_error();
	if (!n)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY,
				"no PEM certificate in the trusted roots (%s)", where);
	*ret = TAKE_PTR(store);
	return 0;
}

/*
 * The policy's trusted roots: every certificate of root_pem or root_file,
 * decoded once per distinct content (cache.c). @ret_id names that content.
 */
static int roots_get(const struct ebroker_policy *policy, X509_STORE **ret, uint64_t *ret_id,
		     struct ebroker_verify_failure *failure)
{
	_cleanup_(freep) char *file_pem = NULL;
	const char *file = policy->root_file ? policy->root_file : EBROKER_DEFAULT_ROOT_FILE;
	const char *pem = policy->root_pem;
	size_t len = 0;
	int r;

	if (pem)
		len = strlen(pem);
	else {
		r = root_file_read(file, &file_pem, &len, failure);
		if (r < 0)
			return r;
		pem = file_pem;
	}
	if (len > INT_MAX)
		return ebv_fail(failure, EBROKER_VERIFY_POLICY, "root_pem is too large");
	if (ebv_cache_roots_find(pem, len, ret, ret_id))
		return 0;
	r = roots_parse(pem, len, policy->root_pem ? "root_pem" : file, ret, failure);
	if (r < 0)
		return r;
	*ret_id = ebv_cache_roots_add(pem, len, *ret);
	return 0;
}

/* ------------------------------------------------------------- CHAIN */

/*
 * PEM has slack (text around blocks, line lengths, padding) that would let
 * the same chain be sent as many byte strings, and bytes that mean nothing
 * be signed over. Accept exactly one: OpenSSL's own PEM of the
 * certificates, one after the other, which ebv_pem_write_chain() writes.
 */
static int chain_canonical(const struct ebv_quote *q, STACK_OF(X509) * chain,
			   struct ebroker_verify_failure *failure)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (!bio)
		return fail_oom(failure, EBROKER_VERIFY_CHAIN);
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (!PEM_write_bio_X509(bio, sk_X509_value(chain, i)))
			return fail_oom(failure, EBROKER_VERIFY_CHAIN);
	n = BIO_get_mem_data(bio, &data);
	if (n < 0 || (size_t)n != q->cert_size || memcmp(data, q->cert, n))
		return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
				"the certification data is not exactly the PEM of its %d "
				"certificate(s)",
				sk_X509_num(chain));
	return 0;
}

/* The certification data: PEM certificates, the platform's first. */
static int chain_parse(const struct ebv_quote *q, STACK_OF(X509) * *ret,
		       struct ebroker_verify_failure *failure)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
	_cleanup_(BIO_freep) BIO *bio = NULL;
	unsigned long err;
	int r;

	chain = sk_X509_new_null();
	bio = BIO_new_mem_buf(q->cert, (int)q->cert_size);
	if (!chain || !bio)
		return fail_oom(failure, EBROKER_VERIFY_CHAIN);
	for (;;) {
		X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (!cert)
			break;
		if (sk_X509_num(chain) >= CHAIN_MAX) {
			X509_free(cert);
			return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
					"more than %d certificates in the certification data",
					CHAIN_MAX);
		}
		if (!sk_X509_push(chain, cert)) {
			X509_free(cert);
			return fail_oom(failure, EBROKER_VERIFY_CHAIN);
		}
	}
	/* The end of the PEM text, or a block that does not decode. */
	err = ERR_peek_last_error();
	ERR_clear_error();
	if (ERR_GET_LIB(err) != ERR_LIB_PEM || ERR_GET_REASON(err) != PEM_R_NO_START_LINE)
		return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
				"certificate %d of the certification data does not decode",
				sk_X509_num(chain) + 1);
	if (!sk_X509_num(chain))
		return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
				"no PEM certificate in the certification data");
	r = chain_canonical(q, chain, failure);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(chain);
	return 0;
}

static void name_oneline(X509_NAME *name, char *buf, size_t cap)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	buf[0] = 0;
	if (!bio || X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0)
		return;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return;
	if ((size_t)n >= cap)
		n = cap - 1;
	memcpy(buf, data, n);
	buf[n] = 0;
}

static bool cert_time(const ASN1_TIME *t, time_t *ret)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return false;
	*ret = timegm(&tm);
	return true;
}

/*
 * The span in which every certificate of @verified is valid, so the same
 * verdict holds at any time in it: [latest notBefore, earliest notAfter).
 * False if a time does not convert (nothing is cached then).
 */
static bool chain_valid_span(STACK_OF(X509) * verified, time_t *ret_from, time_t *ret_until)
{
	time_t from = 0, until = 0;

	for (int i = 0; i < sk_X509_num(verified); i++) {
		X509 *c = sk_X509_value(verified, i);
		time_t nb, na;

		if (!cert_time(X509_get0_notBefore(c), &nb) ||
		    !cert_time(X509_get0_notAfter(c), &na))
			return false;
		if (!i || nb > from)
			from = nb;
		if (!i || na < until)
			until = na;
	}
	*ret_from = from;
	*ret_until = until;
	return sk_X509_num(verified) > 0;
}

static int chain_verify(const struct ebroker_policy *policy, X509_STORE *store, time_t at,
			STACK_OF(X509) * chain, char root_subject[EBV_ROOT_SUBJECT_MAX],
			bool *ret_span, time_t *ret_from, time_t *ret_until,
			struct ebroker_verify_failure *failure)
{
	_cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
	X509 *platform = sk_X509_value(chain, 0);
	X509_VERIFY_PARAM *param;
	STACK_OF(X509) * verified;
	X509 *anchor;
	char subject[256];
	int err, depth;

	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, platform, chain))
		return fail_oom(failure, EBROKER_VERIFY_CHAIN);
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
	X509_VERIFY_PARAM_set_time(param, at);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		ERR_clear_error();
		if (err == X509_V_OK) /* an internal error, not a verdict */
			return fail_oom(failure, EBROKER_VERIFY_CHAIN);
		name_oneline(X509_get_subject_name(X509_STORE_CTX_get_current_cert(ctx)
						       ? X509_STORE_CTX_get_current_cert(ctx)
						       : platform),
			     subject, sizeof(subject));
		if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
			return ebv_fail(failure, EBROKER_VERIFY_EXPIRED,
					"certificate %d (%s) %s at the time of verification", depth,
					subject,
					err == X509_V_ERR_CERT_HAS_EXPIRED ? "has expired"
									   : "is not yet valid");
		return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
				"certificate %d (%s) does not lead to a trusted root: %s", depth,
				subject, X509_verify_cert_error_string(err));
	}
	verified = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(verified) < 2)
		return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
				"the platform certificate is itself a trusted root");
	/*
	 * Nothing else rides along: every other certificate sent is one of the
	 * chain's, or another issue of its root (same subject and key, validly
	 * self-signed: a root re-issued with a new validity is still that root).
	 */
	anchor = sk_X509_value(verified, sk_X509_num(verified) - 1);
	for (int i = 1; i < sk_X509_num(chain); i++) {
		X509 *sent = sk_X509_value(chain, i);
		bool found = false;

		for (int j = 1; j < sk_X509_num(verified) && !found; j++)
			found = !X509_cmp(sent, sk_X509_value(verified, j));
		if (!found &&
		    !X509_NAME_cmp(X509_get_subject_name(sent), X509_get_subject_name(anchor)) &&
		    EVP_PKEY_eq(X509_get0_pubkey(sent), X509_get0_pubkey(anchor)) == 1)
			found = X509_verify(sent, X509_get0_pubkey(anchor)) == 1;
		ERR_clear_error();
		if (!found)
			return ebv_fail(failure, EBROKER_VERIFY_CHAIN,
					"certificate %d of the certification data is not part of "
					"the chain to the trusted root",
					i);
	}
	name_oneline(X509_get_subject_name(anchor), root_subject, EBV_ROOT_SUBJECT_MAX);
	*ret_span = chain_valid_span(verified, ret_from, ret_until);
	return 0;
}

/*
 * The quote's chain, parsed and verified to @store's roots at the policy's
 * time; or the same bytes verified earlier to the same roots, at a time
 * for which that verdict still holds (cache.c).
 */
static int chain_trusted(const struct ebroker_policy *policy, X509_STORE *store, uint64_t roots_id,
			 const struct ebv_quote *q, STACK_OF(X509) * *ret,
			 char root_subject[EBV_ROOT_SUBJECT_MAX],
			 struct ebroker_verify_failure *failure)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
	time_t at = policy->at ? policy->at : time(NULL), from, until;
	bool span;
	int r;

	if (ebv_cache_chain_find(roots_id, q->cert, q->cert_size, at, ret, root_subject))
		return 0;
	r = chain_parse(q, &chain, failure);
	if (r < 0)
		return r;
	r = chain_verify(policy, store, at, chain, root_subject, &span, &from, &until, failure);
	if (r < 0)
		return r;
	if (span)
		ebv_cache_chain_add(roots_id, q->cert, q->cert_size, chain, root_subject, from,
				    until);
	*ret = TAKE_PTR(chain);
	return 0;
}

/* ------------------------------------------------------ PLATFORM_KEY */

static int platform_key_check(const struct ebv_quote *q, X509 *platform,
			      struct eb_platform_claims *ret_claims,
			      struct ebroker_verify_failure *failure)
{
	char hx_e[EBV_HEX_MAX], hx_f[EBV_HEX_MAX];
	uint8_t pub[EB_P256_PUB_SIZE];
	EVP_PKEY *key;
	int r;

	if (X509_check_ca(platform) != 0)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"the platform certificate is a CA certificate");
	if (!(X509_get_key_usage(platform) & KU_DIGITAL_SIGNATURE))
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"the platform certificate's key usage lacks digitalSignature");
	key = X509_get0_pubkey(platform);
	if (!key || ebv_pub_to_raw(key, pub) < 0) {
		ERR_clear_error();
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"the platform certificate's key is not ECDSA P-256");
	}
	if (CRYPTO_memcmp(pub, q->sig.att_pub, sizeof(pub)))
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"the platform certificate certifies key %s, the quote's "
				"attestation key is %s",
				HEXES(pub, q->sig.att_pub, sizeof(pub)));
	r = ebv_cert_claims(platform, ret_claims);
	if (r == -ENOMEM)
		return fail_oom(failure, EBROKER_VERIFY_PLATFORM_KEY);
	if (r < 0)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"platform claims extension (%s) %s", EB_PLATFORM_CLAIMS_OID,
				r == -ENOENT ? "missing" : "malformed");
	if (ret_claims->version != EB_PLATFORM_CLAIMS_VERSION)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"platform claims version %u, expected %d", ret_claims->version,
				EB_PLATFORM_CLAIMS_VERSION);
	if (q->simulated && ret_claims->backend != EB_PLATFORM_BACKEND_SIM)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_KEY,
				"`sim` quote, but the platform certificate is for backend %u",
				ret_claims->backend);
	return 0;
}

/* ------------------------------------------------------ PLATFORM_SVN */

static int platform_svn_check(const struct ebroker_policy *policy, const struct ebv_quote *q,
			      const struct eb_platform_claims *claims,
			      struct ebroker_verify_failure *failure)
{
	if (q->header.pce_svn != claims->platform_svn)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_SVN,
				"quote says platform SVN %u, the platform certificate %u",
				q->header.pce_svn, claims->platform_svn);
	if (claims->platform_svn < policy->min_platform_svn)
		return ebv_fail(failure, EBROKER_VERIFY_PLATFORM_SVN,
				"platform SVN %u is below the policy's minimum %u",
				claims->platform_svn, policy->min_platform_svn);
	return 0;
}

/* ------------------------------------------------------- signatures */

/* 1: @sig (r || s) is @key's over @msg; 0: it is not; -ENOMEM. */
static int p256_verify(EVP_PKEY *key, const void *msg, size_t len,
		       const uint8_t sig[EB_P256_SIG_SIZE])
{
	_cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = ECDSA_SIG_new();
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
	_cleanup_(freep) uint8_t *der = NULL;
	BIGNUM *r_bn, *s_bn;
	int der_len, ok;

	if (!s || !md)
		return -ENOMEM;
	r_bn = BN_bin2bn(sig, 32, NULL);
	s_bn = BN_bin2bn(sig + 32, 32, NULL);
	if (!r_bn || !s_bn || !ECDSA_SIG_set0(s, r_bn, s_bn)) {
		BN_free(r_bn);
		BN_free(s_bn);
		return -ENOMEM;
	}
	der_len = i2d_ECDSA_SIG(s, &der);
	if (der_len <= 0)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1) {
		ERR_clear_error();
		return -ENOMEM;
	}
	ok = EVP_DigestVerify(md, der, der_len, msg, len) == 1;
	ERR_clear_error();
	return ok;
}

static int signature_check(EVP_PKEY *key, const void *msg, size_t len,
			   const uint8_t sig[EB_P256_SIG_SIZE], enum ebroker_verify_check check,
			   const char *what, struct ebroker_verify_failure *failure)
{
	int r = p256_verify(key, msg, len, sig);

	if (r < 0)
		return fail_oom(failure, check);
	if (!r)
		return ebv_fail(failure, check,
				"%s signature does not verify with the certified attestation key",
				what);
	return 0;
}

/* A quoting enclave signs its report once: the same bytes verified before need no second look. */
static int qe_report_signature_check(const struct ebv_quote *q, EVP_PKEY *att_key,
				     struct ebroker_verify_failure *failure)
{
	int r;

	if (ebv_cache_qe_report_find(q->sig.att_pub, q->sig.qe_report, q->sig.qe_report_sig))
		return 0;
	r = signature_check(att_key, q->sig.qe_report, EB_REPORT_BODY_SIZE, q->sig.qe_report_sig,
			    EBROKER_VERIFY_QE_REPORT_SIGNATURE, "QE report", failure);
	if (r == 0)
		ebv_cache_qe_report_add(q->sig.att_pub, q->sig.qe_report, q->sig.qe_report_sig);
	return r;
}

/* -------------------------------------------------- QE_REPORT_BINDING */

static int qe_binding_check(const struct ebv_quote *q, struct ebroker_verify_failure *failure)
{
	char hx_e[EBV_HEX_MAX], hx_f[EBV_HEX_MAX];
	uint8_t buf[EB_P256_PUB_SIZE + EB_QUOTE_MAX], want[32]; /* the parser bounds qe_auth */

	memcpy(buf, q->sig.att_pub, EB_P256_PUB_SIZE);
	memcpy(buf + EB_P256_PUB_SIZE, q->qe_auth, q->qe_auth_size);
	SHA256(buf, EB_P256_PUB_SIZE + q->qe_auth_size, want);
	if (CRYPTO_memcmp(want, q->qe_report.report_data, 32) ||
	    !mem_is_zero(q->qe_report.report_data + 32, 32))
		return ebv_fail(failure, EBROKER_VERIFY_QE_REPORT_BINDING,
				"QE REPORTDATA is %s, expected SHA-256(attestation key || "
				"authentication data) %s then zeros",
				HEXES(q->qe_report.report_data, want, 32));
	if (!q->simulated)
		return 0;
	/* In `sim` the authentication data is the hash of the certification data. */
	SHA256(q->cert, q->cert_size, want);
	if (q->qe_auth_size != sizeof(want) || CRYPTO_memcmp(want, q->qe_auth, sizeof(want)))
		return ebv_fail(failure, EBROKER_VERIFY_QE_REPORT_BINDING,
				"QE authentication data (%zu bytes) is not SHA-256 of the "
				"certification data (%s)",
				q->qe_auth_size, ebv_hex(hx_e, sizeof(hx_e), want, sizeof(want)));
	return 0;
}

/* ------------------------------------------------------- QE_IDENTITY */

static int qe_identity_check(const struct ebv_quote *q, const struct eb_platform_claims *claims,
			     struct ebroker_verify_failure *failure)
{
	char hx_e[EBV_HEX_MAX], hx_f[EBV_HEX_MAX];
	uint16_t prod = le16toh(q->qe_report.isv_prod_id), svn = le16toh(q->qe_report.isv_svn);

	if (CRYPTO_memcmp(q->qe_report.mrsigner, claims->qe_mrsigner, 32))
		return ebv_fail(failure, EBROKER_VERIFY_QE_IDENTITY,
				"QE MRSIGNER expected %s, found %s",
				HEXES(claims->qe_mrsigner, q->qe_report.mrsigner, 32));
	if (prod != claims->qe_isv_prod_id)
		return ebv_fail(failure, EBROKER_VERIFY_QE_IDENTITY,
				"QE ISVPRODID expected %u, found %u", claims->qe_isv_prod_id, prod);
	if (svn < claims->qe_min_isv_svn)
		return ebv_fail(failure, EBROKER_VERIFY_QE_IDENTITY,
				"QE ISVSVN %u is below the certified minimum %u", svn,
				claims->qe_min_isv_svn);
	if (q->header.qe_svn != svn)
		return ebv_fail(failure, EBROKER_VERIFY_QE_IDENTITY,
				"quote header says QE SVN %u, the QE report %u", q->header.qe_svn,
				svn);
	/* A debuggable quoting enclave's key is readable by its host: no relaxation covers it. */
	if (le64toh(q->qe_report.attributes) & EB_ATTR_DEBUG)
		return ebv_fail(failure, EBROKER_VERIFY_QE_IDENTITY,
				"the quoting enclave has the DEBUG attribute");
	return 0;
}

/* ------------------------------------------ REPORTDATA .. SESSION */

static int claims_check(const struct ebv_quote *q, const struct ebroker_claims *claimed,
			const struct ebroker_claims *expected,
			struct ebroker_verify_failure *failure)
{
	char hx_e[EBV_HEX_MAX], hx_f[EBV_HEX_MAX];
	uint8_t want[64];

	ebroker_claims_reportdata(claimed, want);
	if (CRYPTO_memcmp(want, q->body.report_data, sizeof(want)))
		return ebv_fail(failure, EBROKER_VERIFY_REPORTDATA,
				"REPORTDATA expected %s (the session's claims), found %s",
				HEXES(want, q->body.report_data, sizeof(want)));
	if (CRYPTO_memcmp(claimed->nonce, expected->nonce, sizeof(expected->nonce)))
		return ebv_fail(failure, EBROKER_VERIFY_NONCE, "evidence for nonce %s, expected %s",
				HEXES(claimed->nonce, expected->nonce, 32));
	if (CRYPTO_memcmp(claimed->client_pub, expected->client_pub, sizeof(expected->client_pub)))
		return ebv_fail(failure, EBROKER_VERIFY_CLIENT_KEY,
				"evidence for client key %s, expected %s",
				HEXES(claimed->client_pub, expected->client_pub, 32));
	if (claimed->session_id != expected->session_id)
		return ebv_fail(failure, EBROKER_VERIFY_SESSION,
				"evidence for session %" PRIu64 ", expected %" PRIu64,
				claimed->session_id, expected->session_id);
	return 0;
}

/* ------------------------------------------------ MRENCLAVE .. DEBUG */

static int identity_check(const struct ebroker_policy *policy, const struct ebv_quote *q,
			  struct ebroker_verify_failure *failure)
{
	char hx_e[EBV_HEX_MAX], hx_f[EBV_HEX_MAX];
	uint16_t prod = le16toh(q->body.isv_prod_id), svn = le16toh(q->body.isv_svn);

	if ((policy->flags & EBROKER_POLICY_MRENCLAVE) &&
	    CRYPTO_memcmp(policy->mrenclave, q->body.mrenclave, 32))
		return ebv_fail(failure, EBROKER_VERIFY_MRENCLAVE,
				"MRENCLAVE expected %s, found %s",
				HEXES(policy->mrenclave, q->body.mrenclave, 32));
	if (policy->flags & EBROKER_POLICY_MRSIGNER) {
		if (CRYPTO_memcmp(policy->mrsigner, q->body.mrsigner, 32))
			return ebv_fail(failure, EBROKER_VERIFY_MRSIGNER,
					"MRSIGNER expected %s, found %s",
					HEXES(policy->mrsigner, q->body.mrsigner, 32));
		if (prod != policy->isv_prod_id)
			return ebv_fail(failure, EBROKER_VERIFY_ISVPRODID,
					"ISVPRODID expected %u, found %u", policy->isv_prod_id,
					prod);
	}
	if (svn < policy->min_isv_svn)
		return ebv_fail(failure, EBROKER_VERIFY_ISVSVN,
				"ISVSVN %u is below the policy's minimum %u", svn,
				policy->min_isv_svn);
	if ((le64toh(q->body.attributes) & EB_ATTR_DEBUG) &&
	    !(policy->flags & EBROKER_POLICY_ALLOW_DEBUG))
		return ebv_fail(failure, EBROKER_VERIFY_DEBUG,
				"the enclave has the DEBUG attribute (its memory is readable by "
				"the host) and the policy does not allow debug enclaves");
	return 0;
}

static time_t cert_not_after(X509 *cert)
{
	time_t t;

	return cert_time(X509_get0_notAfter(cert), &t) ? t : 0;
}

static void evidence_fill(const struct ebv_quote *q, const struct eb_platform_claims *claims,
			  X509 *platform, const char *root, struct ebroker_evidence *ret)
{
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->mrenclave, q->body.mrenclave, 32);
	memcpy(ret->mrsigner, q->body.mrsigner, 32);
	ret->isv_prod_id = le16toh(q->body.isv_prod_id);
	ret->isv_svn = le16toh(q->body.isv_svn);
	ret->attributes = le64toh(q->body.attributes);
	ret->xfrm = le64toh(q->body.xfrm);
	ret->miscselect = le32toh(q->body.miscselect);
	memcpy(ret->cpusvn, q->body.cpusvn, sizeof(ret->cpusvn));
	memcpy(ret->report_data, q->body.report_data, sizeof(ret->report_data));
	ret->qe_svn = q->header.qe_svn;
	ret->platform_svn = claims->platform_svn;
	ret->simulated = q->simulated;
	ret->debug = !!(ret->attributes & EB_ATTR_DEBUG);
	name_oneline(X509_get_subject_name(platform), ret->platform, sizeof(ret->platform));
	snprintf(ret->root, sizeof(ret->root), "%s", root);
	ret->platform_not_after = cert_not_after(platform);
}

_public_ int ebroker_verify_quote(const struct ebroker_policy *policy, const void *quote,
				  size_t len, const struct ebroker_claims *claimed,
				  const struct ebroker_claims *expected,
				  struct ebroker_evidence *ret,
				  struct ebroker_verify_failure *failure)
{
	_cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
	_cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
	_cleanup_(freep) struct ebv_quote *q = NULL;
	struct eb_platform_claims claims;
	char root[EBV_ROOT_SUBJECT_MAX] = "";
	uint64_t roots_id;
	X509 *platform;
	EVP_PKEY *att_key;
	int r;

	r = policy_check(policy, claimed, expected, failure);
	if (r < 0)
		return r;
	r = roots_get(policy, &store, &roots_id, failure);
	if (r < 0)
		return r;

	q = malloc(sizeof(*q));
	if (!q)
		return fail_oom(failure, EBROKER_VERIFY_MALFORMED);
	r = ebv_quote_parse(quote, len, q, failure);
	if (r < 0)
		return r;

	if (q->simulated && !(policy->flags & EBROKER_POLICY_ALLOW_SIMULATED))
		return ebv_fail(failure, EBROKER_VERIFY_SIMULATED,
				"simulated (`sim` backend) evidence: no hardware vouches for it, "
				"and the policy does not allow simulated evidence");

	r = chain_trusted(policy, store, roots_id, q, &chain, root, failure);
	if (r < 0)
		return r;
	platform = sk_X509_value(chain, 0);

	r = platform_key_check(q, platform, &claims, failure);
	if (r < 0)
		return r;
	/* Certified now: the attestation key is the platform certificate's. */
	att_key = X509_get0_pubkey(platform);

	r = platform_svn_check(policy, q, &claims, failure);
	if (r < 0)
		return r;
	r = qe_report_signature_check(q, att_key, failure);
	if (r < 0)
		return r;
	r = qe_binding_check(q, failure);
	if (r < 0)
		return r;
	r = qe_identity_check(q, &claims, failure);
	if (r < 0)
		return r;
	r = signature_check(att_key, quote, EB_QUOTE_SIGNED_SIZE, q->sig.signature,
			    EBROKER_VERIFY_QUOTE_SIGNATURE, "quote", failure);
	if (r < 0)
		return r;
	if (claimed) {
		r = claims_check(q, claimed, expected, failure);
		if (r < 0)
			return r;
	}
	r = identity_check(policy, q, failure);
	if (r < 0)
		return r;

	if (ret)
		evidence_fill(q, &claims, platform, root, ret);
	if (failure) {
		failure->check = EBROKER_VERIFY_OK;
		failure->message[0] = 0;
	}
	return 0;
}
