/* SPDX-License-Identifier: GPL-2.0 */
/* libebsign internals shared between its source files. */
#ifndef EB_SIGNER_INTERNAL_H
#define EB_SIGNER_INTERNAL_H

#include <stdbool.h>

#include <openssl/types.h>

#define EB_RSA_BITS	3072
#define EB_RSA_EXPONENT 3

/*
 * 0 if @key is an RSA-3072, e = 3 key (holding the private half when
 * @private), -EINVAL if not.
 */
int eb_key_check(EVP_PKEY *key, bool private);

#endif /* EB_SIGNER_INTERNAL_H */
