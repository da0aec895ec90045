/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenSSL's side of the keyvault sample, for the tests that check what it
 * signs (keyvault_test directly, broker_test through ebrokerd): SHA-256,
 * the P-256 public key from its uncompressed point, and ECDSA verification
 * of a raw r || s signature.
 */
#ifndef EB_SELFTEST_KV_VERIFY_H
#define EB_SELFTEST_KV_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "../../sdk/samples/keyvault/keyvault.h"

static inline void sha256(const void *msg, size_t len, uint8_t digest[KV_DIGEST_SIZE])
{
	unsigned int n = KV_DIGEST_SIZE;

	EVP_Digest(msg, len, digest, &n, EVP_sha256(), NULL);
}

/* An OpenSSL P-256 public key from an uncompressed point; NULL if invalid. */
static inline EVP_PKEY *p256_public(const uint8_t pub[KV_PUB_SIZE])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, KV_PUB_SIZE),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * Does @sig (raw r || s) verify as ECDSA-SHA256 over @msg for @pub? The
 * signature is turned into DER and checked with EVP_DigestVerify(), which
 * hashes @msg itself: the enclave signed a standard SHA-256 digest.
 */
static inline bool verify(const uint8_t pub[KV_PUB_SIZE], const void *msg, size_t len,
			  const uint8_t sig[KV_SIG_SIZE])
{
	EVP_PKEY *pkey = p256_public(pub);
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	bool ok = false;
	int der_len;

	if (!pkey || !s || !r || !ss || !md || !ECDSA_SIG_set0(s, r, ss)) {
		BN_free(r);
		BN_free(ss);
		goto out;
	}
	der_len = i2d_ECDSA_SIG(s, &der);
	ok = der_len > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	     EVP_DigestVerify(md, der, der_len, msg, len) == 1;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(s);
	EVP_PKEY_free(pkey);
	return ok;
}

#endif /* EB_SELFTEST_KV_VERIFY_H */
