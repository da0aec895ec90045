/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleanup helpers for libebsign and its tests: every resource a function
 * holds is declared _cleanup_(freep-function) and given away with TAKE_PTR()
 * on success, so error paths free everything without a ladder.
 */
#ifndef EB_SIGNER_UTIL_H
#define EB_SIGNER_UTIL_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Return *p and set it to NULL: ownership leaves the cleanup scope. */
#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) *_pp = &(p); \
		__typeof__(p) _p = *_pp;   \
		*_pp = NULL;               \
		_p;                        \
	})

#define DEFINE_FREEP(type, func)             \
	static inline void func##p(type **p) \
	{                                    \
		if (*p)                      \
			func(*p);            \
	}

DEFINE_FREEP(EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free)
DEFINE_FREEP(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
DEFINE_FREEP(BIGNUM, BN_free)
DEFINE_FREEP(BN_CTX, BN_CTX_free)
DEFINE_FREEP(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free)
DEFINE_FREEP(OSSL_PARAM, OSSL_PARAM_free)
DEFINE_FREEP(FILE, fclose)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline bool mem_is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

#endif /* EB_SIGNER_UTIL_H */
