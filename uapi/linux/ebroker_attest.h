/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ebroker attestation: the byte layouts that the enclave runtime, the
 * quoting enclave, the worker, ebrokerd, libebroker, libebverify and
 * ebrokerctl share. docs/attestation.md explains the flow; this header is
 * the reference for every byte. All integers are little-endian unless a
 * comment says big-endian; every structure is packed.
 *
 * 1. Evidence: an SGX ECDSA quote, version 3 (struct eb_quote_header,
 *    the enclave's 384-byte REPORT body, then the signature data). A quote
 *    made by the `sim` backend's quoting enclave says so twice: its QE
 *    vendor id is EB_QUOTE_VENDOR_EBROKER_SIM and its certification data
 *    type is EB_QUOTE_CERT_EBROKER_SIM, neither of which hardware uses.
 *
 * 2. The platform certificate chain (the certification data of a `sim`
 *    quote): PEM, the platform certificate first, then the root. The
 *    platform certificate's subject key is the quoting enclave's ECDSA
 *    P-256 attestation key, and it carries struct eb_platform_claims in
 *    the extension EB_PLATFORM_CLAIMS_OID.
 *
 * 3. Attested sessions: the REPORTDATA binding, the key schedule and the
 *    record layer that libebroker and the enclave runtime speak through
 *    the worker.
 *
 * 4. The ECALLs that the runtime reserves in every enclave (sessions) and
 *    those of the quoting enclave.
 */
#ifndef _UAPI_LINUX_EBROKER_ATTEST_H
#define _UAPI_LINUX_EBROKER_ATTEST_H

#include <linux/types.h>

#include <linux/ebroker_sgx.h>

/* ------------------------------------------------------------- 1. quotes */

#define EB_QUOTE_VERSION		3
#define EB_QUOTE_ATT_KEY_ECDSA_P256	2	/* attestation key type */
#define EB_QUOTE_HEADER_SIZE		48
#define EB_QUOTE_SIGNED_SIZE		(EB_QUOTE_HEADER_SIZE + EB_REPORT_BODY_SIZE)
#define EB_P256_SIG_SIZE		64	/* r then s, each 32 bytes big-endian */
#define EB_P256_PUB_SIZE		64	/* x then y, each 32 bytes big-endian */

/* QE vendor ids: Intel's QE, and ebroker's `sim` quoting enclave. */
#define EB_QUOTE_VENDOR_INTEL \
	{ 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, \
	  0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 }
#define EB_QUOTE_VENDOR_EBROKER_SIM \
	{ 0x95, 0x42, 0x78, 0xe4, 0xe1, 0x98, 0x43, 0x7a, \
	  0x94, 0xd3, 0x68, 0xb3, 0x20, 0xc7, 0x74, 0x44 }

/*
 * Certification data types: 5 is DCAP's PCK certificate chain (hardware);
 * EB_QUOTE_CERT_EBROKER_SIM is a `sim` platform chain (PEM, see 2.).
 */
#define EB_QUOTE_CERT_PCK_CHAIN		5
#define EB_QUOTE_CERT_EBROKER_SIM	0xeb01

/**
 * struct eb_quote_header - the first 48 bytes of a quote (signed)
 * @version:		EB_QUOTE_VERSION
 * @att_key_type:	EB_QUOTE_ATT_KEY_ECDSA_P256
 * @reserved:		zero (the TEE type in version 4)
 * @qe_svn:		the quoting enclave's ISVSVN
 * @pce_svn:		the platform's SVN: in `sim`, the platform
 *			certificate's eb_platform_claims.platform_svn
 * @qe_vendor_id:	EB_QUOTE_VENDOR_*
 * @user_data:		zero in `sim` (Intel's QE puts a platform id here)
 */
struct eb_quote_header {
	__u16 version;
	__u16 att_key_type;
	__u32 reserved;
	__u16 qe_svn;
	__u16 pce_svn;
	__u8  qe_vendor_id[16];
	__u8  user_data[20];
} __attribute__((packed));

/**
 * struct eb_quote - a quote: header, the enclave's REPORT body, signature data
 * @report_body:	the first EB_REPORT_BODY_SIZE bytes of the enclave's
 *			struct eb_report (KEYID and MAC are not part of it)
 * @sig_data_len:	bytes of @sig_data; the quote is exactly
 *			sizeof(struct eb_quote) + @sig_data_len bytes long
 * @sig_data:		struct eb_quote_sig_data, then QE authentication
 *			data, then struct eb_quote_cert and its data
 */
struct eb_quote {
	struct eb_quote_header header;
	__u8  report_body[EB_REPORT_BODY_SIZE];
	__u32 sig_data_len;
	__u8  sig_data[];
} __attribute__((packed));

/**
 * struct eb_quote_sig_data - the fixed start of a quote's signature data
 * @signature:		ECDSA P-256 (SHA-256) by the attestation key over the
 *			first EB_QUOTE_SIGNED_SIZE bytes of the quote
 * @att_pub:		the attestation public key
 * @qe_report:		the quoting enclave's REPORT body; its REPORTDATA is
 *			SHA-256(@att_pub || QE authentication data), then 32
 *			zero bytes
 * @qe_report_sig:	ECDSA P-256 (SHA-256) over @qe_report by the key the
 *			certification data certifies: on hardware the PCK; in
 *			`sim` the attestation key itself (the platform
 *			certificate certifies it directly)
 * @qe_auth_size:	bytes of QE authentication data that follow; in
 *			`sim`, 32: SHA-256 of the certification data
 */
struct eb_quote_sig_data {
	__u8  signature[EB_P256_SIG_SIZE];
	__u8  att_pub[EB_P256_PUB_SIZE];
	__u8  qe_report[EB_REPORT_BODY_SIZE];
	__u8  qe_report_sig[EB_P256_SIG_SIZE];
	__u16 qe_auth_size;
	/* __u8 qe_auth[qe_auth_size]; struct eb_quote_cert cert; */
} __attribute__((packed));

/**
 * struct eb_quote_cert - certification data, after the QE authentication data
 * @type:	EB_QUOTE_CERT_*
 * @size:	bytes of @data; the signature data ends exactly after them
 */
struct eb_quote_cert {
	__u16 type;
	__u32 size;
	__u8  data[];
} __attribute__((packed));

/* The largest quote anyone here makes or accepts. */
#define EB_QUOTE_MAX			8192

/* ------------------------------------------- 2. the platform certificate */

/*
 * OID of the platform certificate's claims extension (a UUID OID, X.667);
 * non-critical; its value is a DER OCTET STRING whose content is struct
 * eb_platform_claims.
 */
#define EB_PLATFORM_CLAIMS_OID		"2.25.198400114987607457733035333350358217796"

#define EB_PLATFORM_CLAIMS_VERSION	1
#define EB_PLATFORM_BACKEND_SIM		1
#define EB_PLATFORM_BACKEND_SGX		2

/**
 * struct eb_platform_claims - what the root certifies about a platform
 * @version:		EB_PLATFORM_CLAIMS_VERSION
 * @backend:		EB_PLATFORM_BACKEND_*
 * @platform_svn:	the platform's security version (the quote header's
 *			pce_svn must equal it)
 * @qe_isv_prod_id:	the quoting enclave's ISVPRODID
 * @qe_min_isv_svn:	the lowest quoting-enclave ISVSVN the root vouches for
 * @qe_mrsigner:	the quoting enclave's MRSIGNER
 */
struct eb_platform_claims {
	__u8  version;
	__u8  backend;
	__u16 platform_svn;
	__u16 qe_isv_prod_id;
	__u16 qe_min_isv_svn;
	__u8  qe_mrsigner[32];
} __attribute__((packed));

/* ------------------------------------------------- 3. attested sessions */

#define EB_SESSION_NONCE_SIZE		32
#define EB_X25519_KEY_SIZE		32

/*
 * Labels, hashed without their NUL.
 *
 * REPORTDATA of the enclave's report (bytes 32..63 are zero):
 *   SHA-256(EB_SESSION_LABEL_REPORTDATA || enclave_pub || nonce ||
 *           client_pub || le64(session_id))
 *
 * Transcript hash, once the REPORT exists:
 *   th = SHA-256(EB_SESSION_LABEL_TRANSCRIPT || le64(session_id) || nonce ||
 *                client_pub || enclave_pub || report_body[384])
 *
 * Keys (HKDF-SHA-256, RFC 5869; "x" is the label's bytes):
 *   prk        = HKDF-Extract(salt = th, ikm = X25519(own private, peer public))
 *   secret_c2e = HKDF-Expand(prk, "ebroker c2e", 32)   client -> enclave
 *   secret_e2c = HKDF-Expand(prk, "ebroker e2c", 32)   enclave -> client
 *   key        = HKDF-Expand(secret, "ebroker key", 32)  AES-256-GCM key
 *   iv         = HKDF-Expand(secret, "ebroker iv", 12)
 * An all-zero X25519 result is refused.
 *
 * Re-keying: after every EB_RECORD_REKEY_INTERVAL records in one
 * direction, that direction's secret = HKDF-Expand(secret,
 * "ebroker update", 32) and key and iv are derived from it again; the old
 * ones are wiped. The record whose seq is n * EB_RECORD_REKEY_INTERVAL is
 * the first under the n-th update; seq itself keeps counting. No message
 * marks it: both ends count.
 */
#define EB_SESSION_LABEL_REPORTDATA	"ebroker session v1 reportdata"
#define EB_SESSION_LABEL_TRANSCRIPT	"ebroker session v1 transcript"
#define EB_SESSION_LABEL_C2E		"ebroker c2e"
#define EB_SESSION_LABEL_E2C		"ebroker e2c"
#define EB_SESSION_LABEL_KEY		"ebroker key"
#define EB_SESSION_LABEL_IV		"ebroker iv"
#define EB_SESSION_LABEL_UPDATE		"ebroker update"
#ifndef EB_RECORD_REKEY_INTERVAL
#define EB_RECORD_REKEY_INTERVAL	65536u	/* 2^16 */
#endif

#define EB_RECORD_CALL			1	/* client -> enclave */
#define EB_RECORD_RESULT		2	/* enclave -> client */
#define EB_RECORD_TAG_SIZE		16
#define EB_RECORD_IV_SIZE		12

/**
 * struct eb_record_header - a record's clear header, its AES-GCM AAD
 * @type:	EB_RECORD_CALL or EB_RECORD_RESULT
 * @reserved:	zero
 * @length:	bytes of ciphertext that follow; the tag follows them
 * @seq:	records sent before this one in this direction; the receiver
 *		accepts exactly the next one. The GCM nonce is iv XOR
 *		(4 zero bytes || big-endian @seq).
 *
 * A record is the header, @length bytes of ciphertext and a 16-byte tag.
 * Any record that fails (wrong type, seq, length or tag) ends the session
 * on the side that received it: nothing after it is accepted.
 */
struct eb_record_header {
	__u8  type;
	__u8  reserved[3];
	__u32 length;
	__u64 seq;
} __attribute__((packed));

#define EB_RECORD_OVERHEAD	(sizeof(struct eb_record_header) + EB_RECORD_TAG_SIZE)

/* The plaintext of an EB_RECORD_CALL: this, then the function's input. */
struct eb_record_call {
	__u32 function;	/* the enclave's ECALL number */
	__u32 reserved;	/* zero */
} __attribute__((packed));

/* The plaintext of an EB_RECORD_RESULT: this, then the function's output. */
struct eb_record_result {
	__s32 status;	/* the function's return value */
	__u32 reserved;	/* zero */
} __attribute__((packed));

/* ------------------------------------------- 4. ECALLs the runtime owns */

/*
 * ECALL numbers from EB_ECALL_RT_BASE on are the runtime's, in every
 * enclave; the enclave's own table starts at 0.
 *
 * EB_ECALL_SESSION_OPEN: in struct eb_session_open_in, out struct
 *   eb_session_open_out. Makes an ephemeral X25519 key, a REPORT for
 *   @qe_target with the session REPORTDATA, and the session's keys.
 *   -EEXIST: the session id is taken; -ENOMEM: no room for another;
 *   -EINVAL: the input is not exactly sizeof(struct eb_session_open_in)
 *   bytes, or @client_pub is a low-order point (all-zero X25519 result);
 *   -ENOBUFS: the output capacity is under sizeof(struct
 *   eb_session_open_out).
 * EB_ECALL_SESSION_CALL: in le64 session id then one EB_RECORD_CALL record;
 *   out one EB_RECORD_RESULT record. Returns 0 when a result record was
 *   written (the function's status is inside it); -EBADMSG when the record
 *   failed, after which the session is gone; -ENOENT: no such session;
 *   -ENOBUFS: the output capacity cannot hold the overhead (the record is
 *   not opened, the session lives on); -EINVAL: under 8 bytes of input.
 *   The function's output capacity is the ECALL's minus
 *   EB_RECORD_OVERHEAD + sizeof(struct eb_record_result). An unknown
 *   function gives status -ENOSYS, a non-zero @reserved -EINVAL, an
 *   output longer than its capacity -EPROTO, each inside a RESULT record.
 * EB_ECALL_SESSION_CLOSE: in le64 session id (exactly 8 bytes, else
 *   -EINVAL); wipes the session. -ENOENT.
 */
#define EB_ECALL_RT_BASE		0xeb000000u
#define EB_ECALL_SESSION_OPEN		(EB_ECALL_RT_BASE + 1)
#define EB_ECALL_SESSION_CALL		(EB_ECALL_RT_BASE + 2)
#define EB_ECALL_SESSION_CLOSE		(EB_ECALL_RT_BASE + 3)

struct eb_session_open_in {
	struct eb_targetinfo qe_target;
	__u8  nonce[EB_SESSION_NONCE_SIZE];
	__u8  client_pub[EB_X25519_KEY_SIZE];
	__u64 session_id;
} __attribute__((packed));

struct eb_session_open_out {
	struct eb_report report;
	__u8  enclave_pub[EB_X25519_KEY_SIZE];
} __attribute__((packed));

/*
 * The quoting enclave's ECALLs (sdk/samples/qe):
 *
 * EB_QE_PROVISION: no input; out struct eb_qe_provision_out then the
 *   sealed attestation key (opaque, @sealed_len bytes). Makes a new P-256
 *   key; the sealed blob opens only in a quoting enclave of the same
 *   MRSIGNER and ISVPRODID, at this ISVSVN or above, on this platform.
 * EB_QE_LOAD: in struct eb_qe_load_in, the sealed key, then the
 *   certification data (the PEM chain); out the attestation public key
 *   (EB_P256_PUB_SIZE). -EBADMSG: the key does not unseal (another
 *   platform secret, or a changed blob); -EINVAL: malformed input (the
 *   lengths do not add up, reserved not zero, no certification data, or
 *   more than fits in an EB_QUOTE_MAX quote). A LOAD replaces what an
 *   earlier one loaded.
 * EB_QE_TARGETINFO: no input; out struct eb_targetinfo of the QE.
 * EB_QE_QUOTE: in struct eb_report targeted at the QE (exactly its size,
 *   else -EINVAL); out the quote. -EBADMSG: the REPORT's MAC does not
 *   verify; -ENOKEY: nothing loaded.
 * EB_QE_SELF_QUOTE: in EB_SESSION_NONCE_SIZE bytes; out a quote of the QE
 *   itself whose REPORTDATA is SHA-256(EB_QE_LABEL_SELF_TEST || nonce),
 *   then 32 zero bytes: the daemon's health check. -ENOKEY.
 * Every QE ECALL: -ENOBUFS when the output capacity is below what it
 *   writes (a quote: at most EB_QUOTE_MAX bytes); -EINVAL for input where
 *   it takes none.
 */
enum eb_qe_ecall {
	EB_QE_PROVISION		= 0,
	EB_QE_LOAD		= 1,
	EB_QE_TARGETINFO	= 2,
	EB_QE_QUOTE		= 3,
	EB_QE_SELF_QUOTE	= 4,
};

#define EB_QE_LABEL_SELF_TEST		"ebroker qe self-test"

struct eb_qe_provision_out {
	__u8  att_pub[EB_P256_PUB_SIZE];
	__u8  qe_report_body[EB_REPORT_BODY_SIZE];	/* the QE's own identity */
	__u32 sealed_len;
	/* __u8 sealed[sealed_len]; */
} __attribute__((packed));

struct eb_qe_load_in {
	__u16 pce_svn;		/* written into every quote's header */
	__u16 reserved;		/* zero */
	__u32 sealed_len;
	__u32 cert_len;
	/* __u8 sealed[sealed_len]; __u8 cert[cert_len]; */
} __attribute__((packed));

#endif /* _UAPI_LINUX_EBROKER_ATTEST_H */
