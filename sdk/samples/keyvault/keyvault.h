/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keyvault enclave's ECALLs and sealed-blob format, shared by the
 * enclave and its host side. keyvault.c describes what each ECALL does.
 *
 * Every ECALL writes exactly the output size given here (or nothing, on
 * failure): the private key is never among the bytes returned.
 */
#ifndef EB_SAMPLE_KEYVAULT_H
#define EB_SAMPLE_KEYVAULT_H

#include <stdint.h>

enum {
	KV_ECALL_GENERATE = 0,	 /* in: struct kv_generate; out: pub || blob */
	KV_ECALL_LOAD = 1,	 /* in: blob; out: pub */
	KV_ECALL_SIGN = 2,	 /* in: 32-byte digest; out: r || s */
	KV_ECALL_PUBLIC_KEY = 3, /* in: nothing; out: pub */
	KV_ECALL_SEAL = 4,	 /* in: struct kv_generate; out: blob */
};

#define KV_PUB_SIZE    65 /* uncompressed P-256 point: 0x04 || X || Y */
#define KV_PRIV_SIZE   32 /* the private scalar, big-endian */
#define KV_DIGEST_SIZE 32 /* what KV_ECALL_SIGN signs: a SHA-256 digest */
#define KV_SIG_SIZE    64 /* raw ECDSA signature: r || s, 32 bytes each, big-endian */
#define KV_NONCE_SIZE  12
#define KV_TAG_SIZE    16
#define KV_KEY_ID_SIZE 32

#define KV_MAGIC      "EBKV" /* 4 bytes, no NUL */
#define KV_VERSION    1
#define KV_CURVE_P256 23 /* the TLS curve id of secp256r1 */

/*
 * The blob's header: its first bytes, GCM's additional authenticated data.
 * Little-endian.
 */
struct kv_blob_header {
	uint8_t magic[4];		/* KV_MAGIC */
	uint16_t version;		/* KV_VERSION */
	uint16_t policy;		/* EB_KEYPOLICY_MRENCLAVE or _MRSIGNER */
	uint16_t isv_svn;		/* the sealing enclave's ISVSVN */
	uint16_t curve;			/* KV_CURVE_P256 */
	uint32_t reserved;		/* zero */
	uint8_t key_id[KV_KEY_ID_SIZE]; /* random: EGETKEY's KEYID, HKDF's salt */
};

#define KV_HEADER_SIZE 48
_Static_assert(sizeof(struct kv_blob_header) == KV_HEADER_SIZE, "kv_blob_header");

/* Offsets into a blob: header || nonce || ciphertext || tag. */
#define KV_BLOB_NONCE_OFF (KV_HEADER_SIZE)
#define KV_BLOB_CT_OFF	  (KV_BLOB_NONCE_OFF + KV_NONCE_SIZE)
#define KV_BLOB_TAG_OFF	  (KV_BLOB_CT_OFF + KV_PRIV_SIZE)
#define KV_BLOB_SIZE	  (KV_BLOB_TAG_OFF + KV_TAG_SIZE) /* 108 */

#define KV_GENERATE_OUT_SIZE (KV_PUB_SIZE + KV_BLOB_SIZE)

/* KV_ECALL_GENERATE's and KV_ECALL_SEAL's input. */
struct kv_generate {
	uint16_t policy; /* EB_KEYPOLICY_MRENCLAVE or EB_KEYPOLICY_MRSIGNER */
	uint16_t reserved[3];
};

#endif /* EB_SAMPLE_KEYVAULT_H */
