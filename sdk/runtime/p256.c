// SPDX-License-Identifier: GPL-2.0
/*
 * ECDSA P-256 keys for enclaves: generation, the public point, signing.
 *
 * The BearSSL implementations are named, never br_ec_get_default() or
 * br_ecdsa_sign_raw_get_default(): those pick code by probing the CPU,
 * and CPUID faults inside an enclave (the link refuses an image holding
 * it). m31 and i31 are BearSSL's portable constant-time ones.
 */
#include <bearssl/bearssl_ec.h>
#include <bearssl/bearssl_hash.h>
#include <bearssl/bearssl_rand.h>
#include <linux/errno.h>

#include "runtime.h"

#define P256_SCALAR_SIZE 32
#define P256_POINT_SIZE	 65 /* SEC 1 uncompressed: 0x04 || X || Y */
#define P256_SIG_SIZE	 64 /* raw: r || s */
#define P256_SEED_SIZE	 48 /* the DRBG seed: entropy and nonce (SP 800-90A) */

/* P-256's group order n, big-endian. */
static const uint8_t p256_order[P256_SCALAR_SIZE] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static const br_ec_impl *const p256 = &br_ec_p256_m31;

/* BearSSL's view of @priv (no copy: it only reads x). */
static br_ec_private_key private_key(const uint8_t priv[P256_SCALAR_SIZE])
{
	return (br_ec_private_key){
		.curve = BR_EC_secp256r1,
		.x = (unsigned char *)priv,
		.xlen = P256_SCALAR_SIZE,
	};
}

bool ebroker_p256_scalar_valid(const uint8_t x[P256_SCALAR_SIZE])
{
	uint32_t borrow = 0, nonzero = 0;

	/* x - n, byte by byte: a borrow out of the top means x < n. */
	for (int i = P256_SCALAR_SIZE - 1; i >= 0; i--) {
		uint32_t d = (uint32_t)x[i] - p256_order[i] - borrow;

		borrow = d >> 31;
		nonzero |= x[i];
	}
	return borrow & (nonzero != 0);
}

int ebroker_p256_public(const uint8_t priv[P256_SCALAR_SIZE], uint8_t pub[P256_POINT_SIZE])
{
	br_ec_private_key sk = private_key(priv);

	/* m31's mulgen() takes any scalar, 0 and n included, and says nothing. */
	if (!ebroker_p256_scalar_valid(priv))
		return -EINVAL;
	/* For P-256 it cannot fail otherwise: @pub is only written on success. */
	return br_ec_compute_pub(p256, NULL, pub, &sk) == P256_POINT_SIZE ? 0 : -EINVAL;
}

int ebroker_p256_keygen(uint8_t priv[P256_SCALAR_SIZE], uint8_t pub[P256_POINT_SIZE])
{
	uint8_t seed[P256_SEED_SIZE], kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
	br_hmac_drbg_context drbg;
	int ret = 0;

	if (ebroker_random(seed, sizeof(seed)))
		return -EAGAIN;
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	ebroker_memzero(seed, sizeof(seed));
	/* br_ec_keygen() draws until the scalar is in [1, n-1]. */
	if (br_ec_keygen(&drbg.vtable, p256, NULL, kbuf, BR_EC_secp256r1) != P256_SCALAR_SIZE)
		ret = -EINVAL;
	ebroker_memzero(&drbg, sizeof(drbg));
	if (!ret)
		ret = ebroker_p256_public(kbuf, pub);
	if (!ret)
		memcpy(priv, kbuf, P256_SCALAR_SIZE);
	ebroker_memzero(kbuf, sizeof(kbuf));
	return ret;
}

int ebroker_p256_sign(const uint8_t priv[P256_SCALAR_SIZE], const uint8_t hash[32],
		      uint8_t sig[P256_SIG_SIZE])
{
	br_ec_private_key sk = private_key(priv);

	/* i31 refuses a scalar that is 0 or not below n before writing @sig. */
	if (br_ecdsa_i31_sign_raw(p256, &br_sha256_vtable, hash, &sk, sig) != P256_SIG_SIZE)
		return -EINVAL;
	return 0;
}
