// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave's end of an attested session's record layer; the byte-level
 * contract is <linux/ebroker_attest.h> section 3, and libclient/channel.c
 * is the other end (OpenSSL), which channel_test.c holds this to.
 *
 * Only BearSSL's portable constant-time code: AES ct64 with GHASH ctmul64
 * and Curve25519 m31, named directly, never through *_get_vtable() (their
 * CPU probes execute CPUID, which faults in an enclave).
 */
#include <string.h>

#include <bearssl/bearssl_aead.h>
#include <bearssl/bearssl_ec.h>
#include <bearssl/bearssl_hash.h>
#include <bearssl/bearssl_hmac.h>
#include <linux/errno.h>

#include <ebroker/enclave.h>

#include "channel.h"

#define LABEL(s) s, sizeof(s) - 1

#define X25519 br_ec_c25519_m31

_Static_assert(sizeof(struct eb_record_header) == 16, "record header");
_Static_assert(EB_X25519_KEY_SIZE == 32 && EB_CHAN_SECRET_SIZE == br_sha256_SIZE, "sizes");

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Scalars go to BearSSL as RFC 7748 writes them, little-endian: so the
 * BearSSL we link (0.6) reads them; newer sources read them big-endian.
 * The protocol works either way (the scalar is random and only ever used
 * here), and channel_test.c's RFC 7748 vector says which one a build has.
 */
int eb_chan_keygen(uint8_t priv[EB_X25519_KEY_SIZE], uint8_t pub[EB_X25519_KEY_SIZE])
{
	uint8_t k[32], p[32];

	if (ebroker_random(k, sizeof(k)))
		return -EIO;
	X25519.mulgen(p, k, sizeof(k), BR_EC_curve25519);
	memcpy(priv, k, sizeof(k));
	memcpy(pub, p, sizeof(p));
	ebroker_memzero(k, sizeof(k));
	return 0;
}

int eb_chan_x25519(uint8_t shared[EB_X25519_KEY_SIZE], const uint8_t priv[EB_X25519_KEY_SIZE],
		   const uint8_t peer_pub[EB_X25519_KEY_SIZE])
{
	uint8_t s[32], acc = 0;

	memcpy(s, peer_pub, sizeof(s));
	X25519.mul(s, sizeof(s), priv, EB_X25519_KEY_SIZE, BR_EC_curve25519);
	/* RFC 7748 section 6.1: a low-order point gives zero; checked in
	 * constant time, as the result is a secret otherwise. */
	for (size_t i = 0; i < sizeof(s); i++)
		acc |= s[i];
	memcpy(shared, s, sizeof(s));
	ebroker_memzero(s, sizeof(s));
	return acc ? 0 : -EINVAL;
}

void eb_chan_reportdata(uint8_t rd[EB_REPORTDATA_SIZE],
			const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			const uint8_t client_pub[EB_X25519_KEY_SIZE], uint64_t session_id)
{
	br_sha256_context sha;
	uint8_t sid[8];

	put_le64(sid, session_id);
	br_sha256_init(&sha);
	br_sha256_update(&sha, LABEL(EB_SESSION_LABEL_REPORTDATA));
	br_sha256_update(&sha, enclave_pub, EB_X25519_KEY_SIZE);
	br_sha256_update(&sha, nonce, EB_SESSION_NONCE_SIZE);
	br_sha256_update(&sha, client_pub, EB_X25519_KEY_SIZE);
	br_sha256_update(&sha, sid, sizeof(sid));
	memset(rd, 0, EB_REPORTDATA_SIZE);
	br_sha256_out(&sha, rd);
}

void eb_chan_transcript(uint8_t th[32], uint64_t session_id,
			const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			const uint8_t client_pub[EB_X25519_KEY_SIZE],
			const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			const uint8_t report_body[EB_REPORT_BODY_SIZE])
{
	br_sha256_context sha;
	uint8_t sid[8];

	put_le64(sid, session_id);
	br_sha256_init(&sha);
	br_sha256_update(&sha, LABEL(EB_SESSION_LABEL_TRANSCRIPT));
	br_sha256_update(&sha, sid, sizeof(sid));
	br_sha256_update(&sha, nonce, EB_SESSION_NONCE_SIZE);
	br_sha256_update(&sha, client_pub, EB_X25519_KEY_SIZE);
	br_sha256_update(&sha, enclave_pub, EB_X25519_KEY_SIZE);
	br_sha256_update(&sha, report_body, EB_REPORT_BODY_SIZE);
	br_sha256_out(&sha, th);
}

/* HMAC-SHA-256(@key, @a || @b), the one primitive of HKDF. */
static void hmac(uint8_t out[32], const void *key, size_t key_len, const void *a, size_t a_len,
		 const void *b, size_t b_len)
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, a, a_len);
	br_hmac_update(&hc, b, b_len);
	br_hmac_out(&hc, out);
	ebroker_memzero(&kc, sizeof(kc));
	ebroker_memzero(&hc, sizeof(hc));
}

/* HKDF-Expand (RFC 5869) of at most one block: T(1) = HMAC(prk, info || 1). */
static void hkdf_expand(uint8_t *out, size_t len, const uint8_t prk[32], const char *info,
			size_t info_len)
{
	static const uint8_t one = 1;
	uint8_t t[32];

	hmac(t, prk, 32, info, info_len, &one, 1);
	memcpy(out, t, len);
	ebroker_memzero(t, sizeof(t));
}

/* The key and iv of @d's current secret. */
static void dir_keys(struct eb_chan_dir *d)
{
	uint8_t key[32];

	hkdf_expand(key, sizeof(key), d->secret, LABEL(EB_SESSION_LABEL_KEY));
	hkdf_expand(d->iv, sizeof(d->iv), d->secret, LABEL(EB_SESSION_LABEL_IV));
	br_aes_ct64_ctr_init(&d->aes, key, sizeof(key));
	ebroker_memzero(key, sizeof(key));
}

/* One more record went through @d: every rekey_interval records, the
 * next secret replaces the current one (and its key and iv). */
static void dir_advance(struct eb_chan *ch, struct eb_chan_dir *d)
{
	uint8_t next[32];

	d->seq++;
	if (d->seq % ch->rekey_interval)
		return;
	hkdf_expand(next, sizeof(next), d->secret, LABEL(EB_SESSION_LABEL_UPDATE));
	memcpy(d->secret, next, sizeof(next));
	ebroker_memzero(next, sizeof(next));
	dir_keys(d);
}

int eb_chan_establish(struct eb_chan *ch, const uint8_t priv[EB_X25519_KEY_SIZE],
		      const uint8_t client_pub[EB_X25519_KEY_SIZE], const uint8_t th[32])
{
	uint8_t shared[32], prk[32];
	int ret;

	memset(ch, 0, sizeof(*ch));
	ret = eb_chan_x25519(shared, priv, client_pub);
	if (ret)
		return ret;
	/* HKDF-Extract(salt = th, ikm = shared). */
	hmac(prk, th, 32, shared, sizeof(shared), "", 0);
	ebroker_memzero(shared, sizeof(shared));
	hkdf_expand(ch->rx.secret, sizeof(ch->rx.secret), prk, LABEL(EB_SESSION_LABEL_C2E));
	hkdf_expand(ch->tx.secret, sizeof(ch->tx.secret), prk, LABEL(EB_SESSION_LABEL_E2C));
	ebroker_memzero(prk, sizeof(prk));
	dir_keys(&ch->rx);
	dir_keys(&ch->tx);
	ch->rekey_interval = EB_RECORD_REKEY_INTERVAL;
	ch->live = true;
	return 0;
}

void eb_chan_wipe(struct eb_chan *ch)
{
	ebroker_memzero(ch, sizeof(*ch));
}

/* A GCM context for @d's record number seq, its header (AAD) injected. */
static void gcm_start(br_gcm_context *gc, struct eb_chan_dir *d, const uint8_t *hdr)
{
	uint8_t nonce[EB_RECORD_IV_SIZE];

	memcpy(nonce, d->iv, sizeof(nonce));
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
	br_gcm_init(gc, &d->aes.vtable, br_ghash_ctmul64);
	br_gcm_reset(gc, nonce, sizeof(nonce));
	br_gcm_aad_inject(gc, hdr, sizeof(struct eb_record_header));
	br_gcm_flip(gc);
}

int eb_chan_open_call(struct eb_chan *ch, uint8_t *rec, size_t len, uint8_t **ret_pt,
		      size_t *ret_pt_len)
{
	const size_t hlen = sizeof(struct eb_record_header);
	uint8_t *pt = rec + hlen;
	br_gcm_context gc;
	uint32_t ok = 0;
	size_t pt_len;

	if (!ch->live || len < EB_RECORD_OVERHEAD + sizeof(struct eb_record_call))
		goto fail;
	pt_len = len - EB_RECORD_OVERHEAD;
	/* Header checks are on public values: no need for constant time. */
	if (rec[0] != EB_RECORD_CALL || rec[1] || rec[2] || rec[3] || get_le32(rec + 4) != pt_len ||
	    get_le64(rec + 8) != ch->rx.seq || ch->rx.seq == UINT64_MAX)
		goto fail;
	gcm_start(&gc, &ch->rx, rec);
	br_gcm_run(&gc, 0, pt, pt_len);
	ok = br_gcm_check_tag(&gc, pt + pt_len);
	ebroker_memzero(&gc, sizeof(gc));
	if (!ok)
		goto fail;
	dir_advance(ch, &ch->rx);
	*ret_pt = pt;
	*ret_pt_len = pt_len;
	return 0;

fail:
	/* What was decrypted is unauthenticated: nobody may read it. */
	if (len > hlen)
		ebroker_memzero(pt, len - hlen);
	eb_chan_wipe(ch);
	return -EBADMSG;
}

int eb_chan_seal_result(struct eb_chan *ch, uint8_t *rec, size_t pt_len, size_t *ret_len)
{
	uint8_t *pt = rec + sizeof(struct eb_record_header);
	br_gcm_context gc;

	/* seq never wraps (a nonce would repeat): not in 2^64 records. */
	if (!ch->live || ch->tx.seq == UINT64_MAX)
		return -EBADMSG;
	if (pt_len > UINT32_MAX)
		return -EMSGSIZE;
	memset(rec, 0, sizeof(struct eb_record_header));
	rec[0] = EB_RECORD_RESULT;
	for (int i = 0; i < 4; i++)
		rec[4 + i] = (uint8_t)(pt_len >> (8 * i));
	put_le64(rec + 8, ch->tx.seq);
	gcm_start(&gc, &ch->tx, rec);
	br_gcm_run(&gc, 1, pt, pt_len);
	br_gcm_get_tag(&gc, pt + pt_len);
	ebroker_memzero(&gc, sizeof(gc));
	dir_advance(ch, &ch->tx);
	*ret_len = EB_RECORD_OVERHEAD + pt_len;
	return 0;
}
