/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave side of the ebroker SDK: what code running inside an enclave
 * may call. An enclave is a freestanding static PIE (no libc) linked with
 * the SDK's runtime (libebroker-enclave.a) and linker script; it exports a table of
 * ECALL handlers and nothing else. The ECALL register ABI, the memory
 * layout and the build are in docs/enclave-abi.md.
 *
 * Conventions: functions return 0 or a negative errno value (<linux/errno.h>
 * is freestanding and may be included); out-parameters are untouched on
 * failure. Every function here may be called from several enclave threads
 * at once.
 */
#ifndef EBROKER_ENCLAVE_H
#define EBROKER_ENCLAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker_sgx.h>

/* ------------------------------------------------------------------ ECALLs */

/**
 * typedef ebroker_ecall_fn - an ECALL handler
 * @in:		a copy, in enclave memory, of the host's input buffer; read
 *		it freely, the host cannot change it under the handler
 * @in_len:	its length
 * @out:	an enclave buffer of @out_cap bytes, zeroed; what the handler
 *		writes to its first *@out_len bytes is copied to the host's
 *		output buffer after it returns
 * @out_cap:	the host's output capacity
 * @out_len:	(out) bytes of @out to copy back; 0 on entry, at most @out_cap
 *
 * Both buffers are wiped after the handler returns. The output is copied
 * back whatever the handler returns.
 *
 * Return: 0 or a positive status of the handler's choosing on success, a
 * negative errno value on failure; the host's ebroker_enclave_call() returns it.
 * -EFAULT, -ETIMEDOUT, -EIO and -EBUSY mean a loader failure to the host:
 * the runtime turns them into -EPROTO.
 */
typedef int (*ebroker_ecall_fn)(const void *in, size_t in_len, void *out, size_t out_cap,
				size_t *out_len);

/*
 * An enclave defines its handlers with one EBROKER_ECALL_TABLE(h0, h1, ...) at
 * file scope; ECALL number i runs the i-th handler. NULL entries are
 * allowed (those numbers give -ENOSYS).
 */
#define EBROKER_ECALL_TABLE(...)                                        \
	const ebroker_ecall_fn ebroker_ecall_table[] = { __VA_ARGS__ }; \
	const size_t ebroker_ecall_table_size =                         \
	    sizeof(ebroker_ecall_table) / sizeof(ebroker_ecall_table[0])

extern const ebroker_ecall_fn ebroker_ecall_table[];
extern const size_t ebroker_ecall_table_size;

/* The largest input or output buffer of one ECALL; the heap limits it too. */
#define EBROKER_ECALL_BUF_MAX (1UL << 20)

/* ------------------------------------------------------------ the enclave */

/* The ELRANGE base address, as this instance was loaded. */
uintptr_t ebroker_enclave_base(void);
/* The ELRANGE size (SECS.SIZE). */
size_t ebroker_enclave_size(void);
/* [p, p + len) lies entirely inside ELRANGE (and does not wrap). */
bool ebroker_is_within_enclave(const void *p, size_t len);
/* [p, p + len) lies entirely outside ELRANGE (and does not wrap). */
bool ebroker_is_outside_enclave(const void *p, size_t len);

/* Stop the ECALL now: the enclave faults and is dead to its host. */
__attribute__((noreturn)) void ebroker_abort(void);

/* ------------------------------------------------------------------- heap */

/*
 * A first-fit allocator over the image's heap (EBROKER_HEAP_PAGES): 16-byte
 * aligned blocks, one lock. ebroker_free() wipes what it frees.
 */
void *ebroker_malloc(size_t size);
void *ebroker_calloc(size_t n, size_t size);
void ebroker_free(void *p);

/* ------------------------------------------------------ memory and strings */

/* The only copies in the image: BearSSL and the compiler call these too. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Wipe @n bytes; never optimised away. */
void ebroker_memzero(void *p, size_t n);
/* @a and @b are equal; time depends on @n only. */
bool ebroker_ct_equal(const void *a, const void *b, size_t n);

/* ------------------------------------------------------------- randomness */

/**
 * ebroker_random() - fill a buffer from RDRAND
 *
 * Each 64-bit draw is retried up to 10 times, as Intel advises. CPUID is
 * illegal inside an enclave, so RDRAND is not probed for: in `sim` on a
 * CPU without it the host emulates the instruction from getrandom(2).
 *
 * Return: 0; -EIO if RDRAND failed 10 times in a row (@buf is then zero).
 */
int ebroker_random(void *buf, size_t len);

/* ------------------------------------------------------ SGX: EREPORT/EGETKEY */

/**
 * ebroker_ereport() - ENCLU[EREPORT]: a REPORT of this enclave for a target
 * @ti:		the target enclave's TARGETINFO; NULL for an all-zero one,
 *		whose report nobody can verify but whose body tells the
 *		enclave its own identity (MRENCLAVE, ISVSVN, CPUSVN, ...)
 * @reportdata:	EB_REPORTDATA_SIZE bytes bound into the report; NULL for zeros
 * @report:	(out) the REPORT, MACed with the target's REPORT key
 *
 * The arguments may be anywhere in enclave memory: they are copied to and
 * from buffers with the alignment EREPORT requires.
 *
 * Return: 0; -EINVAL if an argument lies outside the enclave.
 */
int ebroker_ereport(const struct eb_targetinfo *ti, const void *reportdata,
		    struct eb_report *report);

/**
 * ebroker_egetkey() - ENCLU[EGETKEY]
 * @kr:		the KEYREQUEST
 * @key:	(out) the EB_KEY_SIZE-byte key
 *
 * Return: 0; a positive EB_SGX_* code when EGETKEY refuses the request
 * (the key is then untouched); -EINVAL if an argument lies outside the
 * enclave.
 */
int ebroker_egetkey(const struct eb_keyrequest *kr, uint8_t key[EB_KEY_SIZE]);

/* The TARGETINFO that makes a REPORT for the enclave @r describes. */
void ebroker_targetinfo_from_report(const struct eb_report *r, struct eb_targetinfo *ti);

/**
 * ebroker_report_verify() - check a REPORT addressed to this enclave
 * @r:		a REPORT whose TARGETINFO was this enclave's
 *
 * Asks EGETKEY for the REPORT key named by @r->key_id and compares the
 * AES-128-CMAC over the body with @r->mac in constant time. What the body
 * says (who made it, its report data) is the caller's to check after.
 *
 * Return: 0; -EBADMSG if the MAC does not verify; -EIO if EGETKEY failed.
 */
int ebroker_report_verify(const struct eb_report *r);

/* ebroker_seal_params.flags */
#define EBROKER_SEAL_F_ISVSVN 0x1 /* derive for .isv_svn, not this enclave's ISVSVN */

/*
 * Which identity a sealing key is bound to, and what else goes into it.
 * Zero fields take the defaults given.
 */
struct ebroker_seal_params {
	uint32_t flags;	     /* EB_SEAL_F_* */
	uint16_t key_policy; /* EB_KEYPOLICY_*; 0: EB_KEYPOLICY_MRENCLAVE */
	uint16_t isv_svn;    /* with EBROKER_SEAL_F_ISVSVN: an older ISVSVN, to unseal old data */
	uint64_t attribute_mask; /* 0: EB_ATTR_INIT | EB_ATTR_DEBUG */
	uint64_t xfrm_mask;	 /* 0: none */
	uint32_t misc_mask;	 /* 0: none */
	uint8_t key_id[32];	 /* diversifier, e.g. a random per-blob nonce */
};

/**
 * ebroker_seal_key() - a SEAL key from EGETKEY
 * @p:		policy and masks; NULL for the defaults above, key_id zero
 * @key:	(out) the key; wipe it (ebroker_memzero()) after use
 *
 * The CPUSVN is this enclave's current one (from a report to itself). A
 * debug enclave's keys differ from a production build's: DEBUG is in the
 * default attribute mask.
 *
 * Return: 0; -EPERM if EGETKEY refused (e.g. an ISVSVN above this
 * enclave's); -EIO if EREPORT or EGETKEY failed otherwise.
 */
int ebroker_seal_key(const struct ebroker_seal_params *p, uint8_t key[EB_KEY_SIZE]);

/* AES-128-CMAC (RFC 4493) of @len bytes, with BearSSL's constant-time AES. */
void ebroker_aes128_cmac(const uint8_t key[16], const void *msg, size_t len, uint8_t mac[16]);

/* ---------------------------------------------------------------- sealing */

/*
 * The pieces of a sealed blob that every format shares (sdk/runtime/seal.c).
 * The format itself (header, where the IV and tag go, what the AAD covers)
 * is the caller's: these work on buffers it lays out.
 */

/**
 * ebroker_seal_derive() - an AES-256 key for one sealed blob
 * @p:		the SEAL key to derive from, as for ebroker_seal_key(); its
 *		@key_id is also the HKDF salt, so a random per-blob key_id
 *		gives each blob its own key
 * @info:	HKDF info, a NUL-terminated label naming the format and its
 *		version (the NUL is not part of it)
 * @key:	(out) HKDF-SHA-256(salt = @p->key_id, IKM = the SEAL key,
 *		info = @info), 32 bytes; wipe it after use
 *
 * The SEAL key and the HKDF state are wiped before it returns.
 *
 * Return: 0; ebroker_seal_key()'s errors (-EPERM: e.g. an ISVSVN above this
 * enclave's; -EIO).
 */
int ebroker_seal_derive(const struct ebroker_seal_params *p, const char *info, uint8_t key[32]);

/**
 * ebroker_aes256_gcm_seal() - AES-256-GCM encryption in place
 * @key:	the 32-byte key (e.g. from ebroker_seal_derive())
 * @iv:		the 12-byte IV; never twice under one key (draw it with
 *		ebroker_random(), or use a fresh key per blob)
 * @aad:	additional authenticated data, not encrypted; may be NULL if
 *		@aad_len is 0
 * @aad_len:	its length
 * @buf:	the plaintext, encrypted in place
 * @len:	its length
 * @tag:	(out) the 16-byte tag
 *
 * Constant time (BearSSL's ct64 AES and ctmul64 GHASH); the cipher state
 * is wiped before it returns. @aad and @buf must not overlap.
 */
void ebroker_aes256_gcm_seal(const uint8_t key[32], const uint8_t iv[12], const void *aad,
			     size_t aad_len, void *buf, size_t len, uint8_t tag[16]);

/**
 * ebroker_aes256_gcm_open() - AES-256-GCM decryption in place
 * @key, @iv, @aad, @aad_len:	as they were for ebroker_aes256_gcm_seal()
 * @buf:	the ciphertext, decrypted in place
 * @len:	its length
 * @tag:	the 16-byte tag to check (in constant time)
 *
 * On failure @buf is wiped: an unauthenticated plaintext is never left
 * behind. The cipher state is wiped either way.
 *
 * Return: 0; -EBADMSG if the tag does not verify (another key, or changed
 * bytes in @aad, @buf or @tag).
 */
int ebroker_aes256_gcm_open(const uint8_t key[32], const uint8_t iv[12], const void *aad,
			    size_t aad_len, void *buf, size_t len, const uint8_t tag[16]);

/* --------------------------------------------------------- ECDSA P-256 keys */

/*
 * ECDSA over P-256 (secp256r1) with BearSSL's constant-time m31 curve and
 * i31 ECDSA code (sdk/runtime/p256.c). Private keys are 32-byte big-endian
 * scalars in [1, n-1]; public keys are SEC 1 uncompressed points, 65
 * bytes: 0x04 || X || Y (a format that wants X || Y skips the first byte).
 * What BearSSL leaves on the enclave's stack stays inside the enclave.
 */

/**
 * ebroker_p256_scalar_valid() - a usable private key
 * @x:		a 32-byte big-endian scalar
 *
 * Constant time: how long it takes says nothing about @x.
 *
 * Return: whether 0 < @x < n, P-256's group order.
 */
bool ebroker_p256_scalar_valid(const uint8_t x[32]);

/**
 * ebroker_p256_public() - the public key of a private key
 * @priv:	the private scalar
 * @pub:	(out) its point, 0x04 || X || Y
 *
 * Constant time in @priv, but for whether it is valid.
 *
 * Return: 0; -EINVAL if @priv is not a valid scalar (ebroker_p256_scalar_valid()).
 */
int ebroker_p256_public(const uint8_t priv[32], uint8_t pub[65]);

/**
 * ebroker_p256_keygen() - a new key pair
 * @priv:	(out) the private scalar, uniform in [1, n-1]; wipe it after use
 * @pub:	(out) its public key, 0x04 || X || Y
 *
 * An HMAC-DRBG (SHA-256) seeded with 48 bytes of ebroker_random() feeds
 * br_ec_keygen(), which redraws until the scalar is in range. The seed,
 * the DRBG state and the working copy of the scalar are wiped.
 *
 * Return: 0; -EAGAIN if RDRAND failed (ebroker_random()); -EINVAL if BearSSL
 * failed (it does not, for P-256).
 */
int ebroker_p256_keygen(uint8_t priv[32], uint8_t pub[65]);

/**
 * ebroker_p256_sign() - an ECDSA signature of a SHA-256 digest
 * @priv:	the private scalar
 * @hash:	the 32-byte SHA-256 digest of the message
 * @sig:	(out) the signature, raw: r || s, 32 bytes each, big-endian
 *
 * Deterministic (RFC 6979, HMAC-SHA-256): no randomness is drawn, and the
 * same key and digest always give the same signature. Constant time in
 * @priv and the nonce.
 *
 * Return: 0; -EINVAL if @priv is not a valid scalar.
 */
int ebroker_p256_sign(const uint8_t priv[32], const uint8_t hash[32], uint8_t sig[64]);

#endif /* EBROKER_ENCLAVE_H */
