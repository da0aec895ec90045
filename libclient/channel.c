// SPDX-License-Identifier: GPL-2.0
/*
 * The client's end of an attested session's record layer, over OpenSSL 3;
 * <linux/ebroker_attest.h> section 3 is the contract and
 * sdk/runtime/channel.c (BearSSL, in the enclave) the other end.
 *
 * A RESULT record is decrypted into a scratch buffer and copied to the
 * caller's only after its tag verifies: unauthenticated plaintext never
 * reaches the caller.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "common/util.h"

#include "channel.h"

#define LABEL(s)      s, sizeof(s) - 1
#define HDR_SIZE      sizeof(struct eb_record_header)
#define SCRATCH_STACK 4096 /* results up to this open without malloc() */

_Static_assert(sizeof(struct eb_record_header) == 16, "record header");

DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free)
DEFINE_FREEP(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
DEFINE_FREEP(EVP_KDF_CTX, EVP_KDF_CTX_free)
DEFINE_FREEP(EVP_MD_CTX, EVP_MD_CTX_free)

/* 32 bytes to wipe when the scope ends, whatever the path. */
static void cleanse32(uint8_t (*p)[32])
{
	OPENSSL_cleanse(*p, sizeof(*p));
}

/* HKDF-SHA-256 in @mode (EVP_KDF_HKDF_MODE_EXTRACT_ONLY or _EXPAND_ONLY). */
static int hkdf(int mode, const void *key, size_t key_len, const void *salt_or_info, size_t sl,
		uint8_t *out, size_t out_len)
{
	_cleanup_(EVP_KDF_CTX_freep) EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len),
		OSSL_PARAM_construct_octet_string(mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY
						      ? OSSL_KDF_PARAM_SALT
						      : OSSL_KDF_PARAM_INFO,
						  (void *)salt_or_info, sl),
		OSSL_PARAM_construct_end(),
	};

	if (!kdf)
		return -EIO;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return -ENOMEM;
	return EVP_KDF_derive(kctx, out, out_len, params) == 1 ? 0 : -EIO;
}

static int expand(const uint8_t prk[32], const char *info, size_t info_len, uint8_t *out,
		  size_t out_len)
{
	return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, 32, info, info_len, out, out_len);
}

/* @d's key and iv from its secret; the cipher context keyed with them. */
static int dir_keys(struct ebc_channel_dir *d, bool encrypt)
{
	_cleanup_(cleanse32) uint8_t key[32] = { 0 };
	int ret;

	ret = expand(d->secret, LABEL(EB_SESSION_LABEL_KEY), key, sizeof(key));
	if (!ret)
		ret = expand(d->secret, LABEL(EB_SESSION_LABEL_IV), d->iv, sizeof(d->iv));
	if (ret)
		return ret;
	if (!d->gcm) {
		d->gcm = EVP_CIPHER_CTX_new();
		if (!d->gcm)
			return -ENOMEM;
		if (EVP_CipherInit_ex(d->gcm, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) != 1)
			return -EIO;
	}
	return EVP_CipherInit_ex(d->gcm, NULL, NULL, key, NULL, encrypt) == 1 ? 0 : -EIO;
}

/* A record went through @d: every rekey_interval records, the next secret. */
static int dir_advance(struct ebc_channel *ch, struct ebc_channel_dir *d, bool encrypt)
{
	_cleanup_(cleanse32) uint8_t next[32] = { 0 };
	int ret;

	d->seq++;
	if (d->seq % ch->rekey_interval)
		return 0;
	ret = expand(d->secret, LABEL(EB_SESSION_LABEL_UPDATE), next, sizeof(next));
	if (ret)
		return ret;
	memcpy(d->secret, next, sizeof(next));
	return dir_keys(d, encrypt);
}

static void dir_wipe(struct ebc_channel_dir *d)
{
	EVP_CIPHER_CTX_free(d->gcm); /* cleanses the key schedule */
	OPENSSL_cleanse(d, sizeof(*d));
}

void ebc_channel_wipe(struct ebc_channel *ch)
{
	if (!ch)
		return;
	EVP_PKEY_free(ch->key);
	dir_wipe(&ch->tx);
	dir_wipe(&ch->rx);
	OPENSSL_cleanse(ch, sizeof(*ch));
}

/* Wipe the keys, keep the verdict. */
static void channel_kill(struct ebc_channel *ch)
{
	ebc_channel_wipe(ch);
	ch->state = EBC_CHANNEL_DEAD;
}

int ebc_channel_keygen(struct ebc_channel *ch)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	size_t len = sizeof(ch->client_pub);

	ebc_channel_wipe(ch);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (!key)
		return -ENOMEM;
	if (EVP_PKEY_get_raw_public_key(key, ch->client_pub, &len) != 1 ||
	    len != sizeof(ch->client_pub) || RAND_bytes(ch->nonce, sizeof(ch->nonce)) != 1) {
		ebc_channel_wipe(ch);
		return -EIO;
	}
	ch->key = TAKE_PTR(key);
	ch->state = EBC_CHANNEL_KEYED;
	return 0;
}

static int transcript(const struct ebc_channel *ch, uint64_t session_id,
		      const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
		      const uint8_t report_body[EB_REPORT_BODY_SIZE], uint8_t th[32])
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sid[8];

	put_le64(sid, session_id);
	if (!md)
		return -ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, LABEL(EB_SESSION_LABEL_TRANSCRIPT)) != 1 ||
	    EVP_DigestUpdate(md, sid, sizeof(sid)) != 1 ||
	    EVP_DigestUpdate(md, ch->nonce, sizeof(ch->nonce)) != 1 ||
	    EVP_DigestUpdate(md, ch->client_pub, sizeof(ch->client_pub)) != 1 ||
	    EVP_DigestUpdate(md, enclave_pub, EB_X25519_KEY_SIZE) != 1 ||
	    EVP_DigestUpdate(md, report_body, EB_REPORT_BODY_SIZE) != 1 ||
	    EVP_DigestFinal_ex(md, th, NULL) != 1)
		return -EIO;
	return 0;
}

int ebc_channel_reportdata(const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			   const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			   const uint8_t client_pub[EB_X25519_KEY_SIZE], uint64_t session_id,
			   uint8_t ret_reportdata[EB_REPORTDATA_SIZE])
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sid[8], rd[EB_REPORTDATA_SIZE] = { 0 };

	put_le64(sid, session_id);
	if (!md)
		return -ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, LABEL(EB_SESSION_LABEL_REPORTDATA)) != 1 ||
	    EVP_DigestUpdate(md, enclave_pub, EB_X25519_KEY_SIZE) != 1 ||
	    EVP_DigestUpdate(md, nonce, EB_SESSION_NONCE_SIZE) != 1 ||
	    EVP_DigestUpdate(md, client_pub, EB_X25519_KEY_SIZE) != 1 ||
	    EVP_DigestUpdate(md, sid, sizeof(sid)) != 1 || EVP_DigestFinal_ex(md, rd, NULL) != 1)
		return -EIO;
	memcpy(ret_reportdata, rd, sizeof(rd));
	return 0;
}

/* X25519(own key, @peer_pub); all zero is refused (RFC 7748 6.1). */
static int x25519(EVP_PKEY *key, const uint8_t peer_pub[EB_X25519_KEY_SIZE], uint8_t shared[32])
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *peer = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	size_t len = 32;

	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, EB_X25519_KEY_SIZE);
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!peer || !ctx)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1)
		return -EIO;
	/* OpenSSL itself refuses an all-zero result: count that as ours. */
	if (EVP_PKEY_derive(ctx, shared, &len) != 1 || len != 32 ||
	    CRYPTO_memcmp(shared, (const uint8_t[32]){ 0 }, 32) == 0) {
		OPENSSL_cleanse(shared, 32);
		return -EINVAL;
	}
	return 0;
}

int ebc_channel_establish(struct ebc_channel *ch, uint64_t session_id,
			  const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			  const uint8_t report_body[EB_REPORT_BODY_SIZE])
{
	_cleanup_(cleanse32) uint8_t shared[32] = { 0 }, prk[32] = { 0 };
	uint8_t th[32];
	int ret;

	if (ch->state != EBC_CHANNEL_KEYED)
		return -EINVAL;
	ret = transcript(ch, session_id, enclave_pub, report_body, th);
	if (!ret)
		ret = x25519(ch->key, enclave_pub, shared);
	EVP_PKEY_free(TAKE_PTR(ch->key));
	if (!ret)
		ret = hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, shared, sizeof(shared), th, sizeof(th),
			   prk, sizeof(prk));
	if (!ret)
		ret =
		    expand(prk, LABEL(EB_SESSION_LABEL_C2E), ch->tx.secret, sizeof(ch->tx.secret));
	if (!ret)
		ret =
		    expand(prk, LABEL(EB_SESSION_LABEL_E2C), ch->rx.secret, sizeof(ch->rx.secret));
	if (!ret)
		ret = dir_keys(&ch->tx, true);
	if (!ret)
		ret = dir_keys(&ch->rx, false);
	if (ret) {
		channel_kill(ch);
		return ret;
	}
	ch->rekey_interval = EB_RECORD_REKEY_INTERVAL;
	ch->state = EBC_CHANNEL_LIVE;
	return 0;
}

static int check_live(const struct ebc_channel *ch)
{
	switch (ch->state) {
	case EBC_CHANNEL_LIVE:
		return 0;
	case EBC_CHANNEL_DEAD:
		return -EBADMSG;
	default:
		return -ENOTCONN;
	}
}

/* The GCM nonce of @d's next record, set on its context with @hdr as AAD. */
static bool gcm_start(struct ebc_channel_dir *d, const uint8_t *hdr)
{
	uint8_t nonce[EB_RECORD_IV_SIZE];
	int n;

	memcpy(nonce, d->iv, sizeof(nonce));
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
	return EVP_CipherInit_ex(d->gcm, NULL, NULL, NULL, nonce, -1) == 1 &&
	       EVP_CipherUpdate(d->gcm, NULL, &n, hdr, HDR_SIZE) == 1;
}

int ebc_channel_seal_call(struct ebc_channel *ch, uint32_t function, const void *in, size_t in_len,
			  void *rec, size_t rec_cap, size_t *ret_len)
{
	struct eb_record_call call = { .function = htole32(function) };
	uint8_t *r = rec, *ct = r + HDR_SIZE;
	size_t pt_len = sizeof(call) + in_len;
	struct ebc_channel_dir *d = &ch->tx;
	int n, ret;

	ret = check_live(ch);
	if (ret)
		return ret;
	if (in_len > EBC_RECORD_MAX)
		return -EMSGSIZE;
	if (rec_cap < EB_RECORD_OVERHEAD + pt_len)
		return -ENOBUFS;
	if (d->seq == UINT64_MAX) /* never in practice; a nonce must not repeat */
		goto fail;
	memset(r, 0, HDR_SIZE);
	r[0] = EB_RECORD_CALL;
	put_le32(r + 4, (uint32_t)pt_len);
	put_le64(r + 8, d->seq);
	if (!gcm_start(d, r) ||
	    EVP_EncryptUpdate(d->gcm, ct, &n, (const uint8_t *)&call, sizeof(call)) != 1 ||
	    (in_len && EVP_EncryptUpdate(d->gcm, ct + sizeof(call), &n, in, (int)in_len) != 1) ||
	    EVP_EncryptFinal_ex(d->gcm, ct + pt_len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->gcm, EVP_CTRL_GCM_GET_TAG, EB_RECORD_TAG_SIZE, ct + pt_len) != 1)
		goto fail;
	if (dir_advance(ch, d, true))
		goto fail;
	*ret_len = EB_RECORD_OVERHEAD + pt_len;
	return 0;

fail:
	OPENSSL_cleanse(r, EB_RECORD_OVERHEAD + pt_len);
	channel_kill(ch);
	return -EIO;
}

int ebc_channel_open_result(struct ebc_channel *ch, const void *rec, size_t rec_len,
			    int32_t *ret_status, void *out, size_t out_cap, size_t *ret_out_len)
{
	const uint8_t *r = rec, *ct = r + HDR_SIZE;
	_cleanup_(freep) uint8_t *heap = NULL;
	uint8_t stack[SCRATCH_STACK], *pt = stack;
	struct ebc_channel_dir *d = &ch->rx;
	struct eb_record_result res;
	size_t pt_len, out_len;
	int n, ret;

	ret = check_live(ch);
	if (ret)
		return ret;
	/* Public values: no constant time needed for the header. */
	if (rec_len < EB_RECORD_OVERHEAD + sizeof(res) || rec_len > EBC_RECORD_MAX)
		goto fail;
	pt_len = rec_len - EB_RECORD_OVERHEAD;
	if (r[0] != EB_RECORD_RESULT || r[1] || r[2] || r[3] || get_le32(r + 4) != pt_len ||
	    get_le64(r + 8) != d->seq || d->seq == UINT64_MAX)
		goto fail;
	if (pt_len > sizeof(stack)) {
		heap = malloc(pt_len);
		if (!heap)
			return -ENOMEM;
		pt = heap;
	}
	/* The tag is checked at Final, over all the ciphertext: only then is
	 * the scratch plaintext worth anything. */
	if (!gcm_start(d, r) || EVP_DecryptUpdate(d->gcm, pt, &n, ct, (int)pt_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->gcm, EVP_CTRL_GCM_SET_TAG, EB_RECORD_TAG_SIZE,
				(void *)(ct + pt_len)) != 1 ||
	    EVP_DecryptFinal_ex(d->gcm, pt + pt_len, &n) != 1)
		goto wipe;
	memcpy(&res, pt, sizeof(res));
	if (res.reserved || dir_advance(ch, d, false))
		goto wipe;
	out_len = pt_len - sizeof(res);
	if (out_len > out_cap) {
		ret = -ENOBUFS;
	} else {
		if (out_len)
			memcpy(out, pt + sizeof(res), out_len);
		*ret_status = (int32_t)le32toh((uint32_t)res.status);
		*ret_out_len = out_len;
	}
	OPENSSL_cleanse(pt, pt_len);
	return ret;

wipe:
	OPENSSL_cleanse(pt, pt_len);
fail:
	channel_kill(ch);
	return -EBADMSG;
}
