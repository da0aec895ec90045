/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleanup helpers for the OpenSSL types libebsign, its tests and
 * ebroker-sign hold; the rest of the idiom is common/util.h's.
 */
#ifndef EB_SIGNER_OSSL_H
#define EB_SIGNER_OSSL_H

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/util.h"

DEFINE_FREEP(EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free)
DEFINE_FREEP(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
DEFINE_FREEP(BIGNUM, BN_free)
DEFINE_FREEP(BN_CTX, BN_CTX_free)
DEFINE_FREEP(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free)
DEFINE_FREEP(OSSL_PARAM, OSSL_PARAM_free)

#endif /* EB_SIGNER_OSSL_H */
