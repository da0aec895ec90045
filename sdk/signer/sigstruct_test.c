/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests for signing keys (key.c) and SIGSTRUCTs (sigstruct.c).
 * Results are checked with OpenSSL and BIGNUM arithmetic directly, not
 * through the library's own helpers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <ebroker/sign.h>

/* The harness defines non-static functions without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "ossl.h"

/*
 * RSA-3072 key generation takes about a second: make one key per binary,
 * before the harness forks a child per test.
 */
static EVP_PKEY *test_key;

__attribute__((constructor)) static void make_test_key(void)
{
	if (ebroker_key_generate(&test_key) < 0)
		test_key = NULL;
}

__attribute__((destructor)) static void free_test_key(void)
{
	EVP_PKEY_free(test_key);
}

static const struct ebroker_sign_params test_params = {
	.date = 0x20240131,
	.vendor = 0,
	.swdefined = 0x12345678,
	.miscselect = 0,
	.miscmask = 0xffffffff,
	.attributes = EB_ATTR_MODE64BIT,
	.xfrm = 0x3,
	.attributemask = ~(uint64_t)EB_ATTR_INIT,
	.xfrmmask = ~0ULL,
	.isv_prod_id = 0x1234,
	.isv_svn = 0x5678,
};

static const uint8_t test_mrenclave[EB_HASH_SIZE] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static int sign_test(struct eb_sigstruct *ret)
{
	return ebroker_sigstruct_sign(test_key, &test_params, test_mrenclave, ret);
}

/* A key of another shape, generated with plain OpenSSL. */
static EVP_PKEY *other_rsa_key(unsigned int bits, unsigned int e)
{
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	_cleanup_(BN_freep) BIGNUM *bn_e = BN_new();
	EVP_PKEY *key = NULL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || !bn_e || BN_set_word(bn_e, e) != 1 || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn_e) != 1 ||
	    EVP_PKEY_generate(ctx, &key) != 1)
		return NULL;
	return key;
}

/* The public half of test_key alone. */
static EVP_PKEY *test_key_public(void)
{
	_cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	_cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	_cleanup_(BN_freep) BIGNUM *e = NULL;
	EVP_PKEY *key = NULL;

	if (!bld || EVP_PKEY_get_bn_param(test_key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(test_key, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		return NULL;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		return NULL;
	return key;
}

/* A fresh directory for key files, removed with rm_tmpdir(). */
static void make_tmpdir(char dir[64])
{
	strcpy(dir, "/tmp/ebsign-test.XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

static void rm_tmpdir(const char *dir, const char *const *names, size_t n)
{
	char path[128];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

TEST(generated_key_shape)
{
	_cleanup_(BN_freep) BIGNUM *e = NULL;

	ASSERT_NE(NULL, test_key);
	EXPECT_EQ(1, EVP_PKEY_is_a(test_key, "RSA"));
	EXPECT_EQ(3072, EVP_PKEY_get_bits(test_key));
	ASSERT_EQ(1, EVP_PKEY_get_bn_param(test_key, OSSL_PKEY_PARAM_RSA_E, &e));
	EXPECT_EQ(1, BN_is_word(e, 3));
}

TEST(sign_fills_fields)
{
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	static const uint8_t header[16] = {
		0x06, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0
	};
	static const uint8_t header2[16] = { 0x01, 0x01, 0, 0, 0x60, 0, 0, 0,
					     0x60, 0,	 0, 0, 0x01, 0, 0, 0 };
	uint8_t modulus[EB_MODULUS_SIZE];
	struct eb_sigstruct s;

	ASSERT_NE(NULL, test_key);
	ASSERT_EQ(0, sign_test(&s));

	EXPECT_EQ(0, memcmp(s.header, header, sizeof(header)));
	EXPECT_EQ(0, memcmp(s.header2, header2, sizeof(header2)));
	EXPECT_EQ(0U, s.vendor);
	EXPECT_EQ(test_params.date, s.date);
	EXPECT_EQ(test_params.swdefined, s.swdefined);
	EXPECT_EQ(3U, s.exponent);
	EXPECT_EQ(test_params.miscselect, s.miscselect);
	EXPECT_EQ(test_params.miscmask, s.miscmask);
	EXPECT_EQ(test_params.attributes, s.attributes);
	EXPECT_EQ(test_params.xfrm, s.xfrm);
	EXPECT_EQ(test_params.attributemask, s.attributemask);
	EXPECT_EQ(test_params.xfrmmask, s.xfrmmask);
	EXPECT_EQ(0, memcmp(s.enclavehash, test_mrenclave, sizeof(test_mrenclave)));
	EXPECT_EQ(test_params.isv_prod_id, s.isv_prod_id);
	EXPECT_EQ(test_params.isv_svn, s.isv_svn);

	ASSERT_EQ(1, EVP_PKEY_get_bn_param(test_key, OSSL_PKEY_PARAM_RSA_N, &n));
	ASSERT_EQ(EB_MODULUS_SIZE, BN_bn2lebinpad(n, modulus, sizeof(modulus)));
	EXPECT_EQ(0, memcmp(s.modulus, modulus, sizeof(modulus)));

	/* Offsets of the signed windows, spelled out independently of the library. */
	EXPECT_EQ(128U, offsetof(struct eb_sigstruct, modulus));
	EXPECT_EQ(900U, offsetof(struct eb_sigstruct, miscselect));
	EXPECT_EQ(1028U, offsetof(struct eb_sigstruct, reserved4));
}

TEST(sign_verify_round_trip)
{
	struct eb_sigstruct s, t;
	uint8_t other[EB_HASH_SIZE];

	ASSERT_NE(NULL, test_key);
	ASSERT_EQ(0, sign_test(&s));
	EXPECT_EQ(0, ebroker_sigstruct_verify(&s));

	/* PKCS#1 v1.5 is deterministic. */
	ASSERT_EQ(0, sign_test(&t));
	EXPECT_EQ(0, memcmp(&s, &t, sizeof(s)));

	memset(other, 0xee, sizeof(other));
	ASSERT_EQ(0, ebroker_sigstruct_sign(test_key, &test_params, other, &t));
	EXPECT_EQ(0, ebroker_sigstruct_verify(&t));
	EXPECT_NE(0, memcmp(s.signature, t.signature, sizeof(s.signature)));

	ASSERT_EQ(0, ebroker_sigstruct_sign(test_key,
					    &(struct ebroker_sign_params){ .vendor = 0x8086 },
					    test_mrenclave, &t));
	EXPECT_EQ(0, ebroker_sigstruct_verify(&t));
}

TEST(signature_verifies_with_openssl)
{
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	uint8_t data[256], digest[EB_HASH_SIZE], sig[EB_MODULUS_SIZE];
	unsigned int len;
	struct eb_sigstruct s;

	ASSERT_NE(NULL, test_key);
	ASSERT_EQ(0, sign_test(&s));

	memcpy(data, &s, 128);
	memcpy(data + 128, (uint8_t *)&s + 900, 128);
	ASSERT_EQ(1, EVP_Digest(data, sizeof(data), digest, &len, EVP_sha256(), NULL));
	for (size_t i = 0; i < sizeof(sig); i++)
		sig[i] = s.signature[sizeof(sig) - 1 - i];

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, test_key, NULL);
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(1, EVP_PKEY_verify_init(ctx));
	ASSERT_EQ(1, EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING));
	ASSERT_EQ(1, EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()));
	EXPECT_EQ(1, EVP_PKEY_verify(ctx, sig, sizeof(sig), digest, sizeof(digest)));

	/* And not in the stored (little-endian) byte order. */
	EXPECT_NE(1, EVP_PKEY_verify(ctx, s.signature, sizeof(sig), digest, sizeof(digest)));
}

TEST(q1_q2_definitions)
{
	_cleanup_(BN_CTX_freep) BN_CTX *ctx = BN_CTX_new();
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	_cleanup_(BN_freep) BIGNUM *sig = NULL;
	_cleanup_(BN_freep) BIGNUM *q1 = NULL;
	_cleanup_(BN_freep) BIGNUM *q2 = NULL;
	_cleanup_(BN_freep) BIGNUM *t = BN_new();
	_cleanup_(BN_freep) BIGNUM *u = BN_new();
	/* DER DigestInfo prefix for SHA-256 (RFC 8017, 9.2 note 1). */
	static const uint8_t sha256_info[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					       0x01, 0x05, 0x00, 0x04, 0x20 };
	uint8_t data[256], em[EB_MODULUS_SIZE], r[EB_MODULUS_SIZE];
	unsigned int len;
	struct eb_sigstruct s;

	ASSERT_NE(NULL, test_key);
	ASSERT_NE(NULL, ctx);
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, u);
	ASSERT_EQ(0, sign_test(&s));

	n = BN_lebin2bn(s.modulus, sizeof(s.modulus), NULL);
	sig = BN_lebin2bn(s.signature, sizeof(s.signature), NULL);
	q1 = BN_lebin2bn(s.q1, sizeof(s.q1), NULL);
	q2 = BN_lebin2bn(s.q2, sizeof(s.q2), NULL);
	ASSERT_NE(NULL, n);
	ASSERT_NE(NULL, sig);
	ASSERT_NE(NULL, q1);
	ASSERT_NE(NULL, q2);
	ASSERT_GT(0, BN_cmp(sig, n));

	/* Q1 = floor(S^2 / N)  <=>  0 <= S^2 - Q1 * N < N */
	ASSERT_EQ(1, BN_sqr(t, sig, ctx));
	ASSERT_EQ(1, BN_mul(u, q1, n, ctx));
	ASSERT_EQ(1, BN_sub(t, t, u));
	EXPECT_EQ(0, BN_is_negative(t));
	EXPECT_GT(0, BN_cmp(t, n));

	/* Q2 = floor((S^3 - Q1 * S * N) / N)  <=>  0 <= S^3 - Q1 * S * N - Q2 * N < N */
	ASSERT_EQ(1, BN_sqr(t, sig, ctx));
	ASSERT_EQ(1, BN_mul(t, t, sig, ctx));
	ASSERT_EQ(1, BN_mul(u, q1, sig, ctx));
	ASSERT_EQ(1, BN_mul(u, u, n, ctx));
	ASSERT_EQ(1, BN_sub(t, t, u));
	ASSERT_EQ(1, BN_mul(u, q2, n, ctx));
	ASSERT_EQ(1, BN_sub(t, t, u));
	EXPECT_EQ(0, BN_is_negative(t));
	EXPECT_GT(0, BN_cmp(t, n));

	/*
	 * That remainder is S^3 mod N, which EINIT compares with the
	 * EMSA-PKCS1-v1_5 encoding of the SHA-256 of the signed bytes.
	 */
	memcpy(data, &s, 128);
	memcpy(data + 128, (uint8_t *)&s + 900, 128);
	memset(em, 0xff, sizeof(em));
	em[0] = 0x00;
	em[1] = 0x01;
	em[sizeof(em) - 32 - sizeof(sha256_info) - 1] = 0x00;
	memcpy(em + sizeof(em) - 32 - sizeof(sha256_info), sha256_info, sizeof(sha256_info));
	ASSERT_EQ(1,
		  EVP_Digest(data, sizeof(data), em + sizeof(em) - 32, &len, EVP_sha256(), NULL));
	ASSERT_EQ(EB_MODULUS_SIZE, BN_bn2binpad(t, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(em, r, sizeof(em)));
}

TEST(verify_rejects_tampering)
{
	/* One byte of each field, flipped in its lowest bit. */
	static const struct {
		size_t offset;
		int err;
		const char *what;
	} flips[] = {
		{ 0, -EBADMSG, "header" },
		{ 15, -EBADMSG, "header" },
		{ 16, -EBADMSG, "vendor" },
		{ 20, -EKEYREJECTED, "date" },
		{ 23, -EKEYREJECTED, "date" },
		{ 24, -EBADMSG, "header2" },
		{ 39, -EBADMSG, "header2" },
		{ 40, -EKEYREJECTED, "swdefined" },
		{ 44, -EBADMSG, "reserved1" },
		{ 127, -EBADMSG, "reserved1" },
		{ 129, -EKEYREJECTED, "modulus" },
		{ 300, -EKEYREJECTED, "modulus" },
		{ 128, -EBADMSG, "modulus (made even)" },
		{ 512, -EBADMSG, "exponent" },
		{ 515, -EBADMSG, "exponent" },
		{ 516, -EKEYREJECTED, "signature" },
		{ 898, -EKEYREJECTED, "signature" },
		{ 900, -EKEYREJECTED, "miscselect" },
		{ 904, -EKEYREJECTED, "miscmask" },
		{ 908, -EBADMSG, "reserved2" },
		{ 927, -EBADMSG, "reserved2" },
		{ 928, -EKEYREJECTED, "attributes" },
		{ 936, -EKEYREJECTED, "xfrm" },
		{ 944, -EKEYREJECTED, "attributemask" },
		{ 952, -EKEYREJECTED, "xfrmmask" },
		{ 960, -EKEYREJECTED, "enclavehash" },
		{ 991, -EKEYREJECTED, "enclavehash" },
		{ 992, -EBADMSG, "reserved3" },
		{ 1023, -EBADMSG, "reserved3" },
		{ 1024, -EKEYREJECTED, "isv_prod_id" },
		{ 1026, -EKEYREJECTED, "isv_svn" },
		{ 1027, -EKEYREJECTED, "isv_svn" },
		{ 1028, -EBADMSG, "reserved4" },
		{ 1039, -EBADMSG, "reserved4" },
		{ 1040, -EKEYREJECTED, "q1" },
		{ 1423, -EKEYREJECTED, "q1" },
		{ 1424, -EKEYREJECTED, "q2" },
		{ 1807, -EKEYREJECTED, "q2" },
	};
	struct eb_sigstruct s, t;

	ASSERT_NE(NULL, test_key);
	ASSERT_EQ(0, sign_test(&s));

	for (size_t i = 0; i < ELEMENTSOF(flips); i++) {
		t = s;
		((uint8_t *)&t)[flips[i].offset] ^= 0x01;
		EXPECT_EQ(flips[i].err, ebroker_sigstruct_verify(&t))
		{
			TH_LOG("flipping byte %zu (%s)", flips[i].offset, flips[i].what);
		}
	}

	t = s;
	t.exponent = 65537;
	EXPECT_EQ(-EBADMSG, ebroker_sigstruct_verify(&t));

	t = s;
	t.vendor = 0x8086; /* a valid vendor, but signed as 0 */
	EXPECT_EQ(-EKEYREJECTED, ebroker_sigstruct_verify(&t));

	/* A modulus of fewer than 3072 bits. */
	t = s;
	t.modulus[EB_MODULUS_SIZE - 1] = 0;
	EXPECT_EQ(-EBADMSG, ebroker_sigstruct_verify(&t));

	/* A signature not below the modulus. */
	t = s;
	memcpy(t.signature, t.modulus, sizeof(t.signature));
	EXPECT_EQ(-EKEYREJECTED, ebroker_sigstruct_verify(&t));
	memset(t.signature, 0xff, sizeof(t.signature));
	EXPECT_EQ(-EKEYREJECTED, ebroker_sigstruct_verify(&t));
	memset(t.signature, 0, sizeof(t.signature));
	EXPECT_EQ(-EKEYREJECTED, ebroker_sigstruct_verify(&t));

	EXPECT_EQ(0, ebroker_sigstruct_verify(&s));
}

TEST(mrsigner_is_sha256_of_modulus)
{
	_cleanup_(BN_freep) BIGNUM *n = NULL;
	uint8_t modulus[EB_MODULUS_SIZE], expected[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	unsigned int len;
	struct eb_sigstruct s;

	ASSERT_NE(NULL, test_key);
	ASSERT_EQ(0, sign_test(&s));

	ASSERT_EQ(1, EVP_PKEY_get_bn_param(test_key, OSSL_PKEY_PARAM_RSA_N, &n));
	ASSERT_EQ(EB_MODULUS_SIZE, BN_bn2lebinpad(n, modulus, sizeof(modulus)));
	ASSERT_EQ(1, EVP_Digest(modulus, sizeof(modulus), expected, &len, EVP_sha256(), NULL));

	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(&s, mrsigner));
	EXPECT_EQ(0, memcmp(expected, mrsigner, sizeof(mrsigner)));

	/* Only the modulus counts. */
	s.isv_svn++;
	memset(s.signature, 0, sizeof(s.signature));
	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(&s, mrsigner));
	EXPECT_EQ(0, memcmp(expected, mrsigner, sizeof(mrsigner)));
}

TEST(key_pem_round_trip)
{
	static const char *const names[] = { "key.pem" };
	EVP_PKEY *read = NULL;
	char dir[64], path[128];
	struct stat st;
	mode_t old;

	ASSERT_NE(NULL, test_key);
	make_tmpdir(dir);
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/key.pem", dir);

	/* The mode is exactly 0600 whatever the umask. */
	old = umask(0);
	EXPECT_EQ(0, ebroker_key_write_pem(test_key, path));
	umask(old);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);

	/* An existing file is never replaced. */
	EXPECT_EQ(-EEXIST, ebroker_key_write_pem(test_key, path));

	EXPECT_EQ(0, ebroker_key_read_pem(path, &read));
	ASSERT_NE(NULL, read);
	EXPECT_EQ(1, EVP_PKEY_eq(test_key, read));
	EVP_PKEY_free(read);

	rm_tmpdir(dir, names, ELEMENTSOF(names));
}

TEST(key_read_refuses_other_keys)
{
	static const char *const names[] = { "ec.pem",	"rsa1024.pem", "rsa65537.pem",
					     "enc.pem", "pub.pem",     "junk.pem" };
	EVP_PKEY *sentinel = (EVP_PKEY *)&sentinel, *read = sentinel;
	EVP_PKEY *keys[3] = { NULL };
	char dir[64], path[128];
	FILE *f;

	ASSERT_NE(NULL, test_key);
	keys[0] = EVP_EC_gen("P-256");
	keys[1] = other_rsa_key(1024, 3);
	keys[2] = other_rsa_key(3072, 65537);
	make_tmpdir(dir);
	ASSERT_NE(0, dir[0]);

	/* Wrong shapes: PEM written by OpenSSL directly. */
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		ASSERT_NE(NULL, keys[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "we");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(1, PEM_write_PrivateKey(f, keys[i], NULL, NULL, 0, NULL, NULL));
		ASSERT_EQ(0, fclose(f));
		EXPECT_EQ(-EINVAL, ebroker_key_read_pem(path, &read))
		{
			TH_LOG("%s accepted", names[i]);
		}
		EXPECT_EQ(-EINVAL, ebroker_key_write_pem(keys[i], path));
		EVP_PKEY_free(keys[i]);
	}

	/* An encrypted key: refused, never prompted for. */
	snprintf(path, sizeof(path), "%s/enc.pem", dir);
	f = fopen(path, "we");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, PEM_write_PrivateKey(f, test_key, EVP_aes_256_cbc(), (unsigned char *)"pw", 2,
					  NULL, NULL));
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(-EBADMSG, ebroker_key_read_pem(path, &read));

	/* A public key only. */
	snprintf(path, sizeof(path), "%s/pub.pem", dir);
	f = fopen(path, "we");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, PEM_write_PUBKEY(f, test_key));
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(-EBADMSG, ebroker_key_read_pem(path, &read));

	snprintf(path, sizeof(path), "%s/junk.pem", dir);
	f = fopen(path, "we");
	ASSERT_NE(NULL, f);
	fputs("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", f);
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(-EBADMSG, ebroker_key_read_pem(path, &read));

	snprintf(path, sizeof(path), "%s/missing.pem", dir);
	EXPECT_EQ(-ENOENT, ebroker_key_read_pem(path, &read));

	EXPECT_EQ(sentinel, read);
	rm_tmpdir(dir, names, ELEMENTSOF(names));
}

TEST(key_write_does_not_follow_symlinks)
{
	static const char *const names[] = { "link.pem" };
	char dir[64], path[128];

	ASSERT_NE(NULL, test_key);
	make_tmpdir(dir);
	ASSERT_NE(0, dir[0]);
	snprintf(path, sizeof(path), "%s/link.pem", dir);
	ASSERT_EQ(0, symlink("target.pem", path));
	EXPECT_EQ(-EEXIST, ebroker_key_write_pem(test_key, path));
	snprintf(path, sizeof(path), "%s/target.pem", dir);
	EXPECT_EQ(-1, access(path, F_OK));
	rm_tmpdir(dir, names, ELEMENTSOF(names));
}

TEST(bad_input)
{
	EVP_PKEY *sentinel = (EVP_PKEY *)&sentinel, *key = sentinel;
	EVP_PKEY *pub = NULL;
	struct eb_sigstruct s, before;
	uint8_t mrsigner[EB_HASH_SIZE], mrsigner_before[EB_HASH_SIZE];

	ASSERT_NE(NULL, test_key);

	EXPECT_EQ(-EINVAL, ebroker_key_generate(NULL));
	EXPECT_EQ(-EINVAL, ebroker_key_read_pem(NULL, &key));
	EXPECT_EQ(-EINVAL, ebroker_key_read_pem("/nonexistent", NULL));
	EXPECT_EQ(sentinel, key);
	EXPECT_EQ(-EINVAL, ebroker_key_write_pem(NULL, "/nonexistent/key.pem"));
	EXPECT_EQ(-EINVAL, ebroker_key_write_pem(test_key, NULL));

	memset(&s, 0xa5, sizeof(s));
	before = s;
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_sign(NULL, &test_params, test_mrenclave, &s));
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_sign(test_key, NULL, test_mrenclave, &s));
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_sign(test_key, &test_params, NULL, &s));
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_sign(test_key, &test_params, test_mrenclave, NULL));
	EXPECT_EQ(-EINVAL,
		  ebroker_sigstruct_sign(test_key, &(struct ebroker_sign_params){ .vendor = 1 },
					 test_mrenclave, &s));

	/* Signing needs the private half. */
	pub = test_key_public();
	ASSERT_NE(NULL, pub);
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_sign(pub, &test_params, test_mrenclave, &s));
	EXPECT_EQ(-EINVAL, ebroker_key_write_pem(pub, "/nonexistent/key.pem"));
	EVP_PKEY_free(pub);
	EXPECT_EQ(0, memcmp(&s, &before, sizeof(s)));

	EXPECT_EQ(-EINVAL, ebroker_sigstruct_verify(NULL));
	memset(mrsigner, 0x5a, sizeof(mrsigner));
	memcpy(mrsigner_before, mrsigner, sizeof(mrsigner));
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_mrsigner(NULL, mrsigner));
	EXPECT_EQ(-EINVAL, ebroker_sigstruct_mrsigner(&s, NULL));
	EXPECT_EQ(0, memcmp(mrsigner, mrsigner_before, sizeof(mrsigner)));

	/* An all-zero SIGSTRUCT is malformed, not a bad signature. */
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(-EBADMSG, ebroker_sigstruct_verify(&s));
}

TEST_HARNESS_MAIN
