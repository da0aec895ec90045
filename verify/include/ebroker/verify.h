/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebverify: verifies ebroker evidence (SGX ECDSA quotes, version 3)
 * against a relying party's policy. It depends on OpenSSL only, not on
 * the daemon, the module or libebroker, so a remote relying party can link
 * it. libebroker uses it for every session it opens. See libebverify(3)
 * and docs/attestation.md.
 *
 * Conventions: functions return 0 on success and a negative errno on
 * failure. A quote that fails a check returns -EBADMSG (-EINVAL for a bad
 * policy) and fills *failure with the stable code of the first failing
 * check and a message for people. Checks run in the order of enum
 * ebroker_verify_check, so the code names the earliest broken link.
 */
#ifndef EBROKER_VERIFY_H
#define EBROKER_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every check, in the order they run; the values are stable (they are
 * printed and may be stored). ebroker_verify_check_name() gives each a
 * stable lower-case name ("quote-signature", ...).
 */
enum ebroker_verify_check {
	EBROKER_VERIFY_OK = 0,
	EBROKER_VERIFY_POLICY = 1,	 /* the policy itself is unusable */
	EBROKER_VERIFY_MALFORMED = 2,	 /* not a well-formed v3 quote */
	EBROKER_VERIFY_UNSUPPORTED = 3,	 /* version, key type or certification data type */
	EBROKER_VERIFY_SIMULATED = 4,	 /* sim evidence without ALLOW_SIMULATED */
	EBROKER_VERIFY_CHAIN = 5,	 /* the chain does not lead to a trusted root */
	EBROKER_VERIFY_EXPIRED = 6,	 /* a certificate is outside its validity */
	EBROKER_VERIFY_PLATFORM_KEY = 7, /* the platform certificate does not certify the key */
	EBROKER_VERIFY_PLATFORM_SVN = 8, /* platform SVN below the policy, or not as certified */
	EBROKER_VERIFY_QE_REPORT_SIGNATURE = 9,
	EBROKER_VERIFY_QE_REPORT_BINDING = 10, /* QE REPORTDATA is not over key and auth data */
	EBROKER_VERIFY_QE_IDENTITY = 11,       /* the QE is not the one the platform certifies */
	EBROKER_VERIFY_QUOTE_SIGNATURE = 12,
	EBROKER_VERIFY_REPORTDATA = 13, /* REPORTDATA is not over the session's claims */
	EBROKER_VERIFY_NONCE = 14,	/* evidence for another (stale, replayed) nonce */
	EBROKER_VERIFY_CLIENT_KEY = 15, /* evidence for another client key */
	EBROKER_VERIFY_SESSION = 16,	/* evidence for another session */
	EBROKER_VERIFY_MRENCLAVE = 17,
	EBROKER_VERIFY_MRSIGNER = 18,
	EBROKER_VERIFY_ISVPRODID = 19,
	EBROKER_VERIFY_ISVSVN = 20, /* below the policy's minimum */
	EBROKER_VERIFY_DEBUG = 21,  /* a DEBUG enclave without ALLOW_DEBUG */
	__EBROKER_VERIFY_MAX,
};

/* struct ebroker_policy.flags */
#define EBROKER_POLICY_MRENCLAVE 0x01u /* require .mrenclave */
#define EBROKER_POLICY_MRSIGNER	 0x02u /* require .mrsigner and .isv_prod_id */
/* Relaxations, each named for what it gives up. */
#define EBROKER_POLICY_ALLOW_SIMULATED	     0x100u /* accept `sim` evidence: trusts the host kernel */
#define EBROKER_POLICY_ALLOW_DEBUG	     0x200u /* accept a DEBUG enclave: the host can read it */
#define EBROKER_POLICY_ANY_IDENTITY_INSECURE 0x400u /* check neither MRENCLAVE nor MRSIGNER */

/**
 * struct ebroker_policy - what a relying party accepts
 * @size:		sizeof(struct ebroker_policy)
 * @flags:		EBROKER_POLICY_*; one of MRENCLAVE, MRSIGNER or
 *			ANY_IDENTITY_INSECURE is required
 * @mrenclave:		with EBROKER_POLICY_MRENCLAVE
 * @mrsigner:		with EBROKER_POLICY_MRSIGNER
 * @isv_prod_id:	with EBROKER_POLICY_MRSIGNER
 * @min_isv_svn:	the lowest enclave ISVSVN accepted
 * @min_platform_svn:	the lowest platform SVN accepted
 * @root_file:		PEM file of the trusted root certificate(s); NULL:
 *			EBROKER_DEFAULT_ROOT_FILE
 * @root_pem:		or PEM text of them (takes precedence); NULL: @root_file
 * @at:			the time certificates must be valid at; 0: now
 */
struct ebroker_policy {
	uint32_t size;
	uint32_t flags;
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isv_prod_id;
	uint16_t min_isv_svn;
	uint16_t min_platform_svn;
	uint16_t reserved;
	const char *root_file;
	const char *root_pem;
	time_t at;
};

/* Where `ebrokerctl attestation init` writes the root certificate. */
#define EBROKER_DEFAULT_ROOT_FILE "/var/lib/ebroker/attestation/root.pem"

/*
 * What an attested session binds into the enclave's REPORTDATA (see
 * uapi/linux/ebroker_attest.h, section 3). A session has two sets: the
 * claims the enclave made (its public key and the nonce, client key and
 * session id as it echoed them), which REPORTDATA must be the hash of, and
 * the claims the caller expects (what it sent), which they must match
 * field by field; the expected enclave_pub is ignored (the caller learns
 * it from the enclave). Without claims (both NULL),
 * ebroker_verify_quote() checks everything else and leaves REPORTDATA to
 * the caller (e.g. `ebrokerctl verify` on a quote made elsewhere).
 */
struct ebroker_claims {
	uint8_t enclave_pub[32];
	uint8_t nonce[32];
	uint8_t client_pub[32];
	uint64_t session_id;
};

/* What a verified quote says. */
struct ebroker_evidence {
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint64_t attributes;
	uint64_t xfrm;
	uint32_t miscselect;
	uint8_t cpusvn[16];
	uint8_t report_data[64];
	uint16_t qe_svn;
	uint16_t platform_svn;
	bool simulated;	    /* `sim` evidence: no hardware vouches for it */
	bool debug;	    /* the enclave has the DEBUG attribute */
	char platform[256]; /* the platform certificate's subject, one line */
	char root[256];	    /* the trusted root's subject, one line */
	time_t platform_not_after;
};

#define EBROKER_VERIFY_MESSAGE_MAX 256

struct ebroker_verify_failure {
	enum ebroker_verify_check check;
	char message[EBROKER_VERIFY_MESSAGE_MAX];
};

/**
 * ebroker_verify_quote() - verify a quote against a policy
 * @policy:	what the caller accepts
 * @quote:	the quote's bytes
 * @len:	its length
 * @claimed:	the session claims the enclave made, which REPORTDATA must
 *		bind; or NULL, with @expected NULL too
 * @expected:	what the caller sent (its nonce, client_pub and session_id;
 *		enclave_pub is ignored), which @claimed must match; or NULL
 * @ret:	(out, may be NULL) what the quote says, written only on success
 * @failure:	(out, may be NULL) the failing check and why; on success its
 *		check is EBROKER_VERIFY_OK
 *
 * Return: 0; -EBADMSG when a check fails; -EINVAL for an unusable policy
 * or only one of @claimed and @expected (failure->check is
 * EBROKER_VERIFY_POLICY); -ENOMEM.
 */
int ebroker_verify_quote(const struct ebroker_policy *policy, const void *quote, size_t len,
			 const struct ebroker_claims *claimed,
			 const struct ebroker_claims *expected, struct ebroker_evidence *ret,
			 struct ebroker_verify_failure *failure);

/* The REPORTDATA an attested session's enclave must produce for @claims. */
void ebroker_claims_reportdata(const struct ebroker_claims *claims, uint8_t reportdata[64]);

/* "ok", "policy", "malformed", ..., "debug"; "unknown" out of range. */
const char *ebroker_verify_check_name(enum ebroker_verify_check check);

#ifdef __cplusplus
}
#endif

#endif /* EBROKER_VERIFY_H */
