// SPDX-License-Identifier: GPL-2.0
/*
 * Sealing: an AES-256 key derived from a SEAL key, and AES-256-GCM over
 * buffers the caller lays out. The blob format (what goes in the header,
 * where the IV and tag sit, what the AAD covers) is the caller's; this
 * file is only the cryptography every blob shares.
 *
 * BearSSL's constant-time AES (ct64) and GHASH (ctmul64) are named: the
 * *_get() probes of the AES-NI and PCLMUL versions execute CPUID.
 */
#include <bearssl/bearssl_aead.h>
#include <bearssl/bearssl_block.h>
#include <bearssl/bearssl_hash.h>
#include <bearssl/bearssl_kdf.h>
#include <linux/errno.h>

#include "runtime.h"

#define SEAL_AES_KEY_SIZE 32
#define SEAL_IV_SIZE	  12
#define SEAL_TAG_SIZE	  16

int ebroker_seal_derive(const struct ebroker_seal_params *p, const char *info,
			uint8_t key[SEAL_AES_KEY_SIZE])
{
	static const struct ebroker_seal_params defaults;
	uint8_t seal[EB_KEY_SIZE];
	br_hkdf_context hkdf;
	int ret;

	if (!p)
		p = &defaults;
	ret = ebroker_seal_key(p, seal);
	if (ret)
		return ret;
	br_hkdf_init(&hkdf, &br_sha256_vtable, p->key_id, sizeof(p->key_id));
	br_hkdf_inject(&hkdf, seal, sizeof(seal));
	br_hkdf_flip(&hkdf);
	br_hkdf_produce(&hkdf, info, strlen(info), key, SEAL_AES_KEY_SIZE);
	ebroker_memzero(&hkdf, sizeof(hkdf));
	ebroker_memzero(seal, sizeof(seal));
	return 0;
}

/* Run GCM over @buf in place; @tag is written (@encrypt) or checked. */
static bool gcm(const uint8_t key[SEAL_AES_KEY_SIZE], const uint8_t iv[SEAL_IV_SIZE],
		const void *aad, size_t aad_len, void *buf, size_t len, uint8_t *tag, bool encrypt)
{
	br_aes_ct64_ctr_keys aes;
	br_gcm_context gc;
	bool ok = true;

	br_aes_ct64_ctr_init(&aes, key, SEAL_AES_KEY_SIZE);
	br_gcm_init(&gc, &aes.vtable, br_ghash_ctmul64);
	br_gcm_reset(&gc, iv, SEAL_IV_SIZE);
	br_gcm_aad_inject(&gc, aad, aad_len);
	br_gcm_flip(&gc);
	br_gcm_run(&gc, encrypt, buf, len);
	if (encrypt)
		br_gcm_get_tag(&gc, tag);
	else
		ok = br_gcm_check_tag(&gc, tag);
	ebroker_memzero(&gc, sizeof(gc));
	ebroker_memzero(&aes, sizeof(aes));
	return ok;
}

void ebroker_aes256_gcm_seal(const uint8_t key[SEAL_AES_KEY_SIZE], const uint8_t iv[SEAL_IV_SIZE],
			     const void *aad, size_t aad_len, void *buf, size_t len,
			     uint8_t tag[SEAL_TAG_SIZE])
{
	gcm(key, iv, aad, aad_len, buf, len, tag, true);
}

int ebroker_aes256_gcm_open(const uint8_t key[SEAL_AES_KEY_SIZE], const uint8_t iv[SEAL_IV_SIZE],
			    const void *aad, size_t aad_len, void *buf, size_t len,
			    const uint8_t tag[SEAL_TAG_SIZE])
{
	if (gcm(key, iv, aad, aad_len, buf, len, (uint8_t *)tag, false))
		return 0;
	/* Never leave an unauthenticated plaintext behind. */
	ebroker_memzero(buf, len);
	return -EBADMSG;
}
