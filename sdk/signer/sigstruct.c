/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGSTRUCT (SDM Vol. 3D, "Enclave Signature Structure"). The signature is
 * RSASSA-PKCS1-v1_5 with SHA-256 over two 128-byte windows of the
 * structure; it, the modulus, Q1 and Q2 are stored little-endian, whereas
 * OpenSSL reads and writes big-endian, hence the byte reversals below.
 */
#include <errno.h>
#include <stddef.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <ebroker/sign.h>

#include "internal.h"
#include "ossl.h"

#define SIG_WINDOW	 128
#define SIG_WINDOW1	 0   /* header .. reserved1 */
#define SIG_WINDOW2	 900 /* miscselect .. isv_svn */
#define SIG_SIGNED_SIZE	 (2 * SIG_WINDOW)
#define SIG_VENDOR_INTEL 0x8086

_Static_assert(sizeof(struct eb_sigstruct) == EB_SIGSTRUCT_SIZE, "SIGSTRUCT layout");
_Static_assert(offsetof(struct eb_sigstruct, modulus) == SIG_WINDOW1 + SIG_WINDOW,
	       "first signed window ends at the modulus");
_Static_assert(offsetof(struct eb_sigstruct, miscselect) == SIG_WINDOW2,
	       "second signed window starts at MISCSELECT");
_Static_assert(offsetof(struct eb_sigstruct, reserved4) == SIG_WINDOW2 + SIG_WINDOW,
	       "second signed window ends after ISVSVN");
_Static_assert(EB_MODULUS_SIZE * 8 == EB_RSA_BITS, "modulus size");

static const uint8_t sig_header[16] = {
	0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t sig_header2[16] = {
	0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

static void signed_bytes(const struct eb_sigstruct *s, uint8_t ret[SIG_SIGNED_SIZE])
{
	const uint8_t *b = (const uint8_t *)s;

	memcpy(ret, b + SIG_WINDOW1, SIG_WINDOW);
	memcpy(ret + SIG_WINDOW, b + SIG_WINDOW2, SIG_WINDOW);
}

static void reverse(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

/*
 * The helpers EINIT verifies with, so that it needs no division:
 * Q1 = floor(S^2 / N), Q2 = floor((S^3 - Q1 * S * N) / N).
 */
static int compute_q(const BIGNUM *sig, const BIGNUM *n, uint8_t ret_q1[EB_MODULUS_SIZE],
		     uint8_t ret_q2[EB_MODULUS_SIZE])
{
	_cleanup_(BN_CTX_freep) BN_CTX *ctx = BN_CTX_new();
	_cleanup_(BN_freep) BIGNUM *q1 = BN_new();
	_cleanup_(BN_freep) BIGNUM *q2 = BN_new();
	_cleanup_(BN_freep) BIGNUM *t = BN_new();
	_cleanup_(BN_freep) BIGNUM *u = BN_new();
	uint8_t a[EB_MODULUS_SIZE], b[EB_MODULUS_SIZE];

	if (!ctx || !q1 || !q2 || !t || !u)
		return -ENOMEM;

	if (BN_sqr(t, sig, ctx) != 1 || BN_div(q1, NULL, t, n, ctx) != 1)
		return -ENOMEM;
	if (BN_mul(t, t, sig, ctx) != 1 ||  /* S^3 */
	    BN_mul(u, q1, sig, ctx) != 1 || /* Q1 * S */
	    BN_mul(u, u, n, ctx) != 1 ||    /* Q1 * S * N */
	    BN_sub(t, t, u) != 1 || BN_div(q2, NULL, t, n, ctx) != 1)
		return -ENOMEM;

	/* Both are below N because S is, so they fit. */
	if (BN_bn2lebinpad(q1, a, sizeof(a)) < 0 || BN_bn2lebinpad(q2, b, sizeof(b)) < 0)
		return -EIO;
	memcpy(ret_q1, a, sizeof(a));
	memcpy(ret_q2, b, sizeof(b));
	return 0;
}

int ebroker_sigstruct_sign(EVP_PKEY *key, const struct ebroker_sign_params *params,
			   const uint8_t mrenclave[EB_HASH_SIZE], struct eb_sigstruct *ret)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = NULL;
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	_cleanup_(BN_freep) BIGNUM *sig = NULL;
	uint8_t data[SIG_SIGNED_SIZE], sig_be[EB_MODULUS_SIZE];
	struct eb_sigstruct s = { 0 };
	EVP_PKEY_CTX *pctx; /* owned by md */
	size_t sig_len = sizeof(sig_be);
	int r;

	if (!key || !params || !mrenclave || !ret)
		return -EINVAL;
	r = eb_key_check(key, true);
	if (r < 0)
		return r;
	if (params->vendor != 0 && params->vendor != SIG_VENDOR_INTEL)
		return -EINVAL;

	memcpy(s.header, sig_header, sizeof(s.header));
	s.vendor = htole32(params->vendor);
	s.date = htole32(params->date);
	memcpy(s.header2, sig_header2, sizeof(s.header2));
	s.swdefined = htole32(params->swdefined);
	s.exponent = htole32(EB_RSA_EXPONENT);
	s.miscselect = htole32(params->miscselect);
	s.miscmask = htole32(params->miscmask);
	s.attributes = htole64(params->attributes);
	s.xfrm = htole64(params->xfrm);
	s.attributemask = htole64(params->attributemask);
	s.xfrmmask = htole64(params->xfrmmask);
	memcpy(s.enclavehash, mrenclave, sizeof(s.enclavehash));
	s.isv_prod_id = htole16(params->isv_prod_id);
	s.isv_svn = htole16(params->isv_svn);

	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		return -EIO;
	if (BN_bn2lebinpad(n, s.modulus, sizeof(s.modulus)) < 0)
		return -EIO;

	signed_bytes(&s, data);
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		return -EIO;
	if (EVP_DigestSign(md, sig_be, &sig_len, data, sizeof(data)) != 1 ||
	    sig_len != sizeof(sig_be))
		return -EIO;
	reverse(s.signature, sig_be, sizeof(sig_be));

	sig = BN_bin2bn(sig_be, sizeof(sig_be), NULL);
	if (!sig)
		return -ENOMEM;
	r = compute_q(sig, n, s.q1, s.q2);
	if (r < 0)
		return r;

	*ret = s;
	return 0;
}

static int sigstruct_check_format(const struct eb_sigstruct *s)
{
	uint32_t vendor = le32toh(s->vendor);

	if (memcmp(s->header, sig_header, sizeof(sig_header)) != 0 ||
	    memcmp(s->header2, sig_header2, sizeof(sig_header2)) != 0)
		return -EBADMSG;
	if (vendor != 0 && vendor != SIG_VENDOR_INTEL)
		return -EBADMSG;
	if (le32toh(s->exponent) != EB_RSA_EXPONENT)
		return -EBADMSG;
	if (!mem_is_zero(s->reserved1, sizeof(s->reserved1)) ||
	    !mem_is_zero(s->reserved2, sizeof(s->reserved2)) ||
	    !mem_is_zero(s->reserved3, sizeof(s->reserved3)) ||
	    !mem_is_zero(s->reserved4, sizeof(s->reserved4)))
		return -EBADMSG;
	return 0;
}

/* The public key a SIGSTRUCT carries; -EBADMSG unless N is odd and 3072 bits. */
static int sigstruct_pubkey(const BIGNUM *n, EVP_PKEY **ret)
{
	_cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = NULL;
	_cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	_cleanup_(BN_freep) BIGNUM *e = NULL;
	EVP_PKEY *key = NULL;

	if (BN_num_bits(n) != EB_RSA_BITS || !BN_is_odd(n))
		return -EBADMSG;

	bld = OSSL_PARAM_BLD_new();
	e = BN_new();
	if (!bld || !e || BN_set_word(e, EB_RSA_EXPONENT) != 1)
		return -ENOMEM;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		return -ENOMEM;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		return -EIO;

	*ret = key;
	return 0;
}

int ebroker_sigstruct_verify(const struct eb_sigstruct *s)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = NULL;
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	_cleanup_(BN_freep) BIGNUM *sig = NULL;
	uint8_t data[SIG_SIGNED_SIZE], sig_be[EB_MODULUS_SIZE];
	uint8_t q1[EB_MODULUS_SIZE], q2[EB_MODULUS_SIZE];
	EVP_PKEY_CTX *pctx; /* owned by md */
	int r;

	if (!s)
		return -EINVAL;
	r = sigstruct_check_format(s);
	if (r < 0)
		return r;

	n = BN_lebin2bn(s->modulus, sizeof(s->modulus), NULL);
	sig = BN_lebin2bn(s->signature, sizeof(s->signature), NULL);
	if (!n || !sig)
		return -ENOMEM;
	r = sigstruct_pubkey(n, &key);
	if (r < 0)
		return r;
	if (BN_cmp(sig, n) >= 0)
		return -EKEYREJECTED;

	signed_bytes(s, data);
	reverse(sig_be, s->signature, sizeof(sig_be));
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		return -EIO;
	/*
	 * 0 is a bad signature, < 0 one OpenSSL could not even decode: both
	 * are an answer, not a failure, so leave no errors queued for them.
	 */
	ERR_set_mark();
	r = EVP_DigestVerify(md, sig_be, sizeof(sig_be), data, sizeof(data));
	ERR_pop_to_mark();
	if (r != 1)
		return -EKEYREJECTED;

	r = compute_q(sig, n, q1, q2);
	if (r < 0)
		return r;
	if (memcmp(q1, s->q1, sizeof(q1)) != 0 || memcmp(q2, s->q2, sizeof(q2)) != 0)
		return -EKEYREJECTED;
	return 0;
}

int ebroker_sigstruct_mrsigner(const struct eb_sigstruct *s, uint8_t ret_mrsigner[EB_HASH_SIZE])
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int len;

	if (!s || !ret_mrsigner)
		return -EINVAL;
	if (EVP_Digest(s->modulus, sizeof(s->modulus), digest, &len, EVP_sha256(), NULL) != 1 ||
	    len != EB_HASH_SIZE)
		return -EIO;

	memcpy(ret_mrsigner, digest, EB_HASH_SIZE);
	return 0;
}
