/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only: synthesize `sim` quotes exactly as the quoting enclave makes
 * them, with an OpenSSL P-256 key standing in for its attestation key, and
 * variants of them, for libebverify's tests, its fuzz seeds and other
 * parts' tests (link build/lib/libebverify.a and build/obj/verify/testquote.o).
 *
 *   struct tq_platform *p;   tq_platform_new(NULL, &p);   a root, a key, a chain
 *   struct tq_params q;      tq_params_default(p, &q);     then change fields
 *   tq_quote(&q, &buf, &len);                              a signed quote
 *
 * policy.root_pem = p->root_pem trusts the platform's root. Functions
 * return 0 or a negative errno; tq_platform_free() is NULL-safe.
 */
#ifndef EB_VERIFY_TESTQUOTE_H
#define EB_VERIFY_TESTQUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <linux/ebroker_sgx.h>
#include <linux/ebroker_attest.h>

/* The test enclave's and test QE's identities in tq_params_default(). */
#define TQ_MRENCLAVE_BYTE   0x11
#define TQ_MRSIGNER_BYTE    0x22
#define TQ_ISV_PROD_ID	    7
#define TQ_ISV_SVN	    3
#define TQ_QE_MRSIGNER_BYTE 0x33
#define TQ_QE_ISV_PROD_ID   0xeb
#define TQ_QE_ISV_SVN	    2
#define TQ_QE_MIN_ISV_SVN   1
#define TQ_PLATFORM_SVN	    5
#define TQ_ROOT_CN	    "ebroker test root"
#define TQ_PLATFORM_CN	    "ebroker test platform"

/*
 * How tq_platform_new() makes a platform; tq_platform_opts_default() sets
 * a root valid for ten years and a platform certificate for one, both from
 * a day ago, and the TQ_* claims.
 */
struct tq_platform_opts {
	time_t root_not_before, root_not_after;
	time_t not_before, not_after;
	struct eb_platform_claims claims;
	EVP_PKEY *root_key;	/* NULL: a new root key; else the root's key (borrowed) */
	const uint8_t *certify; /* NULL: certify the attestation key; else this raw key */
};

struct tq_platform {
	EVP_PKEY *root_key;
	X509 *root;
	char *root_pem; /* the root certificate, for policy.root_pem */
	EVP_PKEY *att_key;
	uint8_t att_pub[EB_P256_PUB_SIZE];
	struct eb_platform_claims claims;
	X509 *platform;
	char *chain; /* the certification data: platform then root, PEM */
	size_t chain_len;
};

void tq_platform_opts_default(struct tq_platform_opts *ret);
int tq_platform_new(const struct tq_platform_opts *opts, struct tq_platform **ret);
void tq_platform_free(struct tq_platform *p);

/*
 * One quote's inputs; tq_params_default() fills them for @p: the TQ_*
 * enclave (MODE64BIT, not DEBUG, REPORTDATA zero), the TQ_* QE, header
 * SVNs from the claims, the `sim` markers, the chain as certification
 * data, SHA-256 of it as QE authentication data.
 */
struct tq_params {
	struct eb_quote_header header; /* host byte order; tq_quote() writes it little-endian */
	struct eb_report body;	       /* the enclave's REPORT; its first 384 bytes are used */
	struct eb_report qe_report;    /* the QE's; REPORTDATA is computed unless... */
	bool qe_report_data_as_is;     /* ...this is set */
	EVP_PKEY *att_key;	       /* signs the quote and the QE report (borrowed) */
	uint8_t att_pub[EB_P256_PUB_SIZE];
	const void *qe_auth; /* NULL: SHA-256 of the certification data */
	size_t qe_auth_size;
	uint16_t cert_type;
	const void *cert; /* the certification data (borrowed) */
	size_t cert_size;
};

void tq_params_default(const struct tq_platform *p, struct tq_params *ret);

/* A quote from @params, signed; free() it. */
int tq_quote(const struct tq_params *params, uint8_t **ret, size_t *ret_len);

/* Sign the first EB_QUOTE_SIGNED_SIZE bytes of @quote again with @att_key, after a change. */
int tq_quote_resign(EVP_PKEY *att_key, uint8_t *quote, size_t len);

/* Offsets into a quote, for tampering. */
#define TQ_OFF_BODY	     EB_QUOTE_HEADER_SIZE
#define TQ_OFF_SIG_DATA_LEN  EB_QUOTE_SIGNED_SIZE
#define TQ_OFF_SIGNATURE     (EB_QUOTE_SIGNED_SIZE + 4)
#define TQ_OFF_ATT_PUB	     (TQ_OFF_SIGNATURE + EB_P256_SIG_SIZE)
#define TQ_OFF_QE_REPORT     (TQ_OFF_ATT_PUB + EB_P256_PUB_SIZE)
#define TQ_OFF_QE_REPORT_SIG (TQ_OFF_QE_REPORT + EB_REPORT_BODY_SIZE)
#define TQ_OFF_QE_AUTH_SIZE  (TQ_OFF_QE_REPORT_SIG + EB_P256_SIG_SIZE)
#define TQ_OFF_QE_AUTH	     (TQ_OFF_QE_AUTH_SIZE + 2)

/*
 * The fixed root key of the fuzz target and its seeds (a test key, public
 * in this file's source), and their fixed validity and verification time,
 * so that committed seeds keep passing the chain check.
 */
int tq_fuzz_root_key(EVP_PKEY **ret);
#define TQ_FUZZ_NOT_BEFORE ((time_t)1577836800) /* 2020-01-01 */
#define TQ_FUZZ_NOT_AFTER  ((time_t)4102444800) /* 2100-01-01 */
#define TQ_FUZZ_AT	   ((time_t)1893456000) /* 2030-01-01 */

/* The session claims the fuzz seeds bind (as claimed and as expected). */
struct ebroker_claims;
void tq_fuzz_claims(struct ebroker_claims *ret);

#endif /* EB_VERIFY_TESTQUOTE_H */
