// SPDX-License-Identifier: GPL-2.0
/*
 * keyvault: an ECDSA P-256 key that lives only inside the enclave. The
 * enclave generates it, hands out its public key and a sealed copy for
 * storage outside, loads a sealed copy back in a later instance, and signs
 * digests with it. The private key is never in an ECALL's output.
 *
 * ECALLs (numbers and sizes in keyvault.h, which the host includes too):
 *
 *   GENERATE	in: struct kv_generate (the sealing policy)
 *		out: public key (65) || blob (108)
 *		A new key from ebroker_p256_keygen(); it becomes the loaded key,
 *		replacing any other.
 *   LOAD	in: a blob; out: its public key (65)
 *		Unseals the blob and makes its key the loaded one. On any
 *		failure the loaded key, if any, stays as it was.
 *   SIGN	in: a 32-byte digest (SHA-256 of the message)
 *		out: the ECDSA signature, raw r || s (64)
 *		Deterministic ECDSA (RFC 6979): ebroker_p256_sign().
 *   PUBLIC_KEY	out: the loaded key's public key (65)
 *   SEAL	in: struct kv_generate; out: a new blob of the loaded key
 *		under that policy, for this enclave's current ISVSVN (e.g. to
 *		re-seal, after LOAD of an older blob, for the new SVN)
 *
 * The public key is the uncompressed SEC 1 point 0x04 || X || Y.
 *
 * Sealed blob (version 1, 108 bytes):
 *
 *   header (48)	struct kv_blob_header: "EBKV", version, policy,
 *			ISVSVN, curve, reserved, 32-byte random key id
 *   nonce (12)		random
 *   ciphertext (32)	the private scalar, AES-256-GCM
 *   tag (16)		GCM tag over header (as AAD) and ciphertext
 *
 * The AES-256 key (ebroker_seal_derive()) is HKDF-SHA-256 (salt = key id,
 * info = KV_HKDF_INFO) of the 128-bit SEAL key that EGETKEY gives for the
 * header's policy (MRENCLAVE: only this very enclave; MRSIGNER: any
 * enclave of the same signer, ISVPRODID and at least this ISVSVN), the
 * header's ISVSVN and the key id as KEYID. DEBUG is in the attribute
 * mask, so a debug enclave never unseals a production enclave's blob, nor
 * the reverse.
 *
 * Errors (negative errno, as ebroker_enclave_call() returns them):
 *   -EINVAL		a malformed request: input of the wrong size, a policy
 *			other than MRENCLAVE or MRSIGNER, reserved bits set
 *   -ENOSPC		the output capacity is below the ECALL's output size
 *   -ENOKEY		SIGN, PUBLIC_KEY or SEAL with no key loaded
 *   LOAD only:
 *   -EMSGSIZE		the blob is not KV_BLOB_SIZE bytes (truncated or extended)
 *   -EPROTONOSUPPORT	not "EBKV", or a version other than 1
 *   -EINVAL		unknown policy or curve, reserved field not zero
 *   -EPERM		sealed for an ISVSVN above this enclave's
 *   -EBADMSG		the tag does not verify: another enclave identity (or
 *			signer, or DEBUG attribute), or modified bytes
 *   -EAGAIN		RDRAND failed (GENERATE, SEAL)
 *   -EPROTO		EREPORT/EGETKEY failed (the runtime's mapping of -EIO)
 *
 * Secrets (AES keys, copies of the scalar) are wiped with ebroker_memzero()
 * before each ECALL returns; the runtime wipes its own (seeds, DRBG, SEAL
 * key and GCM state). What BearSSL leaves on the enclave's own stack while
 * signing stays inside the enclave.
 */
#include <linux/errno.h>

#include <ebroker/enclave.h>

#include "keyvault.h"

#define KV_HKDF_INFO "ebroker keyvault v1 AES-256-GCM"

/* The loaded key; every thread's ECALLs share it. */
static struct {
	int lock;
	bool loaded;
	uint8_t priv[KV_PRIV_SIZE];
	uint8_t pub[KV_PUB_SIZE];
} vault;

static void vault_lock(void)
{
	while (__atomic_exchange_n(&vault.lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&vault.lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void vault_unlock(void)
{
	__atomic_store_n(&vault.lock, 0, __ATOMIC_RELEASE);
}

static void vault_store(const uint8_t priv[KV_PRIV_SIZE], const uint8_t pub[KV_PUB_SIZE])
{
	vault_lock();
	memcpy(vault.priv, priv, KV_PRIV_SIZE);
	memcpy(vault.pub, pub, KV_PUB_SIZE);
	vault.loaded = true;
	vault_unlock();
}

/* Copies of the loaded key (either pointer may be NULL): -ENOKEY if none. */
static int vault_get(uint8_t priv[KV_PRIV_SIZE], uint8_t pub[KV_PUB_SIZE])
{
	int ret = -ENOKEY;

	vault_lock();
	if (vault.loaded) {
		if (priv)
			memcpy(priv, vault.priv, KV_PRIV_SIZE);
		if (pub)
			memcpy(pub, vault.pub, KV_PUB_SIZE);
		ret = 0;
	}
	vault_unlock();
	return ret;
}

static bool policy_valid(uint16_t policy)
{
	return policy == EB_KEYPOLICY_MRENCLAVE || policy == EB_KEYPOLICY_MRSIGNER;
}

static int own_isv_svn(uint16_t *svn)
{
	struct eb_report self;
	int ret = ebroker_ereport(NULL, NULL, &self);

	if (ret)
		return -EIO;
	*svn = self.isv_svn;
	return 0;
}

/* The blob's AES-256 key: HKDF-SHA-256 over the SEAL key @h names. */
static int blob_key(const struct kv_blob_header *h, uint8_t key[32])
{
	struct ebroker_seal_params p = {
		.flags = EBROKER_SEAL_F_ISVSVN,
		.key_policy = h->policy,
		.isv_svn = h->isv_svn,
	};

	memcpy(p.key_id, h->key_id, sizeof(p.key_id));
	return ebroker_seal_derive(&p, KV_HKDF_INFO, key);
}

/* Seal @priv for @policy and this enclave's ISVSVN into @blob. */
static int seal(const uint8_t priv[KV_PRIV_SIZE], uint16_t policy, uint8_t blob[KV_BLOB_SIZE])
{
	struct kv_blob_header h = {
		.magic = KV_MAGIC,
		.version = KV_VERSION,
		.policy = policy,
		.curve = KV_CURVE_P256,
	};
	uint8_t key[32];
	int ret;

	ret = own_isv_svn(&h.isv_svn);
	if (ret)
		return ret;
	if (ebroker_random(h.key_id, sizeof(h.key_id)) ||
	    ebroker_random(blob + KV_BLOB_NONCE_OFF, KV_NONCE_SIZE))
		return -EAGAIN;
	ret = blob_key(&h, key);
	if (ret)
		return ret;
	memcpy(blob, &h, KV_HEADER_SIZE);
	memcpy(blob + KV_BLOB_CT_OFF, priv, KV_PRIV_SIZE);
	ebroker_aes256_gcm_seal(key, blob + KV_BLOB_NONCE_OFF, blob, KV_HEADER_SIZE,
				blob + KV_BLOB_CT_OFF, KV_PRIV_SIZE, blob + KV_BLOB_TAG_OFF);
	ebroker_memzero(key, sizeof(key));
	return 0;
}

/* Check and open @blob into @priv; the errors are LOAD's (keyvault.h). */
static int unseal(const uint8_t *blob, size_t len, uint8_t priv[KV_PRIV_SIZE])
{
	uint8_t ct[KV_PRIV_SIZE], key[32];
	struct kv_blob_header h;
	int ret;

	if (len != KV_BLOB_SIZE)
		return -EMSGSIZE;
	memcpy(&h, blob, sizeof(h));
	if (memcmp(h.magic, KV_MAGIC, sizeof(h.magic)) || h.version != KV_VERSION)
		return -EPROTONOSUPPORT;
	if (!policy_valid(h.policy) || h.curve != KV_CURVE_P256 || h.reserved)
		return -EINVAL;
	ret = blob_key(&h, key);
	if (ret)
		return ret;
	memcpy(ct, blob + KV_BLOB_CT_OFF, sizeof(ct));
	ret = ebroker_aes256_gcm_open(key, blob + KV_BLOB_NONCE_OFF, blob, KV_HEADER_SIZE, ct,
				      sizeof(ct), blob + KV_BLOB_TAG_OFF);
	if (!ret && !ebroker_p256_scalar_valid(ct))
		ret = -EBADMSG;
	if (!ret)
		memcpy(priv, ct, KV_PRIV_SIZE);
	ebroker_memzero(ct, sizeof(ct));
	ebroker_memzero(key, sizeof(key));
	return ret;
}

static int policy_from(const void *in, size_t in_len, uint16_t *policy)
{
	struct kv_generate req;

	if (in_len != sizeof(req))
		return -EINVAL;
	memcpy(&req, in, sizeof(req));
	if (!policy_valid(req.policy) || req.reserved[0] || req.reserved[1] || req.reserved[2])
		return -EINVAL;
	*policy = req.policy;
	return 0;
}

static int generate(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	uint8_t priv[KV_PRIV_SIZE], pub[KV_PUB_SIZE];
	uint16_t policy;
	int ret;

	ret = policy_from(in, in_len, &policy);
	if (ret)
		return ret;
	if (out_cap < KV_GENERATE_OUT_SIZE)
		return -ENOSPC;
	ret = ebroker_p256_keygen(priv, pub);
	if (!ret)
		ret = seal(priv, policy, (uint8_t *)out + KV_PUB_SIZE);
	if (!ret) {
		vault_store(priv, pub);
		memcpy(out, pub, KV_PUB_SIZE);
		*out_len = KV_GENERATE_OUT_SIZE;
	}
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

static int load(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	uint8_t priv[KV_PRIV_SIZE], pub[KV_PUB_SIZE];
	int ret;

	if (out_cap < KV_PUB_SIZE)
		return -ENOSPC;
	ret = unseal(in, in_len, priv);
	if (!ret)
		ret = ebroker_p256_public(priv, pub);
	if (!ret) {
		vault_store(priv, pub);
		memcpy(out, pub, KV_PUB_SIZE);
		*out_len = KV_PUB_SIZE;
	}
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

static int sign(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	uint8_t priv[KV_PRIV_SIZE];
	int ret;

	if (in_len != KV_DIGEST_SIZE)
		return -EINVAL;
	if (out_cap < KV_SIG_SIZE)
		return -ENOSPC;
	ret = vault_get(priv, NULL);
	if (ret)
		return ret;
	ret = ebroker_p256_sign(priv, in, out);
	if (!ret)
		*out_len = KV_SIG_SIZE;
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

static int public_key(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	int ret;

	if (in_len)
		return -EINVAL;
	if (out_cap < KV_PUB_SIZE)
		return -ENOSPC;
	ret = vault_get(NULL, out);
	if (!ret)
		*out_len = KV_PUB_SIZE;
	return ret;
}

static int reseal(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	uint8_t priv[KV_PRIV_SIZE];
	uint16_t policy;
	int ret;

	ret = policy_from(in, in_len, &policy);
	if (ret)
		return ret;
	if (out_cap < KV_BLOB_SIZE)
		return -ENOSPC;
	ret = vault_get(priv, NULL);
	if (!ret)
		ret = seal(priv, policy, out);
	if (!ret)
		*out_len = KV_BLOB_SIZE;
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

/* clang-format off */
EBROKER_ECALL_TABLE(
	[KV_ECALL_GENERATE] = generate,
	[KV_ECALL_LOAD] = load,
	[KV_ECALL_SIGN] = sign,
	[KV_ECALL_PUBLIC_KEY] = public_key,
	[KV_ECALL_SEAL] = reseal
);
/* clang-format on */
