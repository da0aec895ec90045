/* SPDX-License-Identifier: GPL-2.0 */
/* What libebverify's own files share: the parsed quote and the failure helpers. */
#ifndef EB_VERIFY_INTERNAL_H
#define EB_VERIFY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <linux/ebroker_sgx.h>
#include <linux/ebroker_attest.h>

#include "common/util.h"
#include "sdk/signer/ossl.h"

#include "ebroker/verify.h"

/* What the library exports; it is built with -fvisibility=hidden. */
#define _public_ __attribute__((visibility("default")))

DEFINE_FREEP(X509, X509_free)
DEFINE_FREEP(X509_STORE, X509_STORE_free)
DEFINE_FREEP(X509_STORE_CTX, X509_STORE_CTX_free)
DEFINE_FREEP(X509_NAME, X509_NAME_free)
DEFINE_FREEP(X509_EXTENSION, X509_EXTENSION_free)
DEFINE_FREEP(ASN1_OBJECT, ASN1_OBJECT_free)
DEFINE_FREEP(ASN1_OCTET_STRING, ASN1_OCTET_STRING_free)
DEFINE_FREEP(ASN1_INTEGER, ASN1_INTEGER_free)
DEFINE_FREEP(BIO, BIO_free)
DEFINE_FREEP(ECDSA_SIG, ECDSA_SIG_free)

static inline void x509_stack_freep(STACK_OF(X509) * *p)
{
	if (*p)
		sk_X509_pop_free(*p, X509_free);
}

/*
 * A quote that passed ebv_quote_parse(): aligned copies of its fixed
 * parts, and where its variable parts are in the caller's buffer.
 */
struct ebv_quote {
	struct eb_quote_header header;
	struct eb_report body; /* the first EB_REPORT_BODY_SIZE bytes; KEYID and MAC zero */
	struct eb_quote_sig_data sig;
	struct eb_report qe_report; /* likewise */
	const uint8_t *qe_auth;
	size_t qe_auth_size;
	uint16_t cert_type;
	const uint8_t *cert;
	size_t cert_size;
	bool simulated;
};

/*
 * Parse @buf strictly as a `sim` quote (MALFORMED or UNSUPPORTED, see
 * quote.c). 0 or -EBADMSG with @failure filled.
 */
int ebv_quote_parse(const void *buf, size_t len, struct ebv_quote *ret,
		    struct ebroker_verify_failure *failure);

/* Fill @failure (may be NULL) with @check and a message; return -EBADMSG. */
int ebv_fail(struct ebroker_verify_failure *failure, enum ebroker_verify_check check,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * cache.c: root sets by their PEM bytes, chains verified to one of them by
 * their bytes, with the time span in which that verdict holds, and QE
 * report signatures that verified, by the key's, report's and signature's
 * bytes.
 * The finds hand back references the caller frees; the adds take their
 * own, and keep nothing when memory is short.
 */
#define EBV_ROOT_SUBJECT_MAX 256
bool ebv_cache_roots_find(const void *pem, size_t len, X509_STORE **ret, uint64_t *ret_id);
uint64_t ebv_cache_roots_add(const void *pem, size_t len, X509_STORE *store);
bool ebv_cache_chain_find(uint64_t roots_id, const void *cert, size_t len, time_t at,
			  STACK_OF(X509) * *ret, char root[EBV_ROOT_SUBJECT_MAX]);
void ebv_cache_chain_add(uint64_t roots_id, const void *cert, size_t len, STACK_OF(X509) * chain,
			 const char root[EBV_ROOT_SUBJECT_MAX], time_t valid_from,
			 time_t valid_until);
bool ebv_cache_qe_report_find(const uint8_t pub[EB_P256_PUB_SIZE],
			      const uint8_t report[EB_REPORT_BODY_SIZE],
			      const uint8_t sig[EB_P256_SIG_SIZE]);
void ebv_cache_qe_report_add(const uint8_t pub[EB_P256_PUB_SIZE],
			     const uint8_t report[EB_REPORT_BODY_SIZE],
			     const uint8_t sig[EB_P256_SIG_SIZE]);

/* The first bytes of @p as lower-case hex, "…" if there are more: messages. */
const char *ebv_hex(char *buf, size_t cap, const void *p, size_t n);
#define EBV_HEX_MAX 40

#endif /* EB_VERIFY_INTERNAL_H */
