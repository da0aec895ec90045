// SPDX-License-Identifier: GPL-2.0
/*
 * qe: the `sim` backend's quoting enclave. It keeps an ECDSA P-256
 * attestation key sealed to its own signer and product, checks the REPORTs
 * other enclaves address to it, and turns each into an SGX ECDSA quote,
 * version 3. The byte layouts and the ECALLs' contract are in
 * <linux/ebroker_attest.h> (sections 1 and 4); this file says how.
 *
 * Sealed attestation key (version 1, QE_BLOB_SIZE = 164 bytes, LE):
 *
 *   header (40)	struct qe_blob_header: version, the sealing ISVSVN,
 *			reserved (zero), a random 32-byte key id
 *   att_pub (64)	the public key, x || y, in the clear
 *   iv (12)		random
 *   ciphertext (32)	the private scalar (big-endian), AES-256-GCM
 *   tag (16)		GCM tag over AAD = header || att_pub and the
 *			ciphertext
 *
 * The AES-256 key (ebroker_seal_derive()) is HKDF-SHA-256 (salt = key id,
 * info = QE_HKDF_INFO) of the SEAL key EGETKEY gives for
 * EB_KEYPOLICY_MRSIGNER (the same signer and ISVPRODID), the header's
 * ISVSVN (at most this enclave's) and the key id as KEYID. LOAD also
 * checks that att_pub is the scalar's point.
 *
 * The loaded state (key, certification data, PCE SVN and the QE's signed
 * REPORT) is shared by every thread under one spinlock. QUOTE copies what
 * it needs under the lock and signs outside it, so quotes run in parallel
 * and a concurrent LOAD never mixes two keys into one quote.
 */
#include <bearssl/bearssl_hash.h>
#include <linux/ebroker_attest.h>
#include <linux/errno.h>

#include <ebroker/enclave.h>

#include "../../runtime/runtime.h"

#define QE_HKDF_INFO	"ebroker qe v1 AES-256-GCM"
#define QE_BLOB_VERSION 1
#define QE_PRIV_SIZE	32
#define QE_IV_SIZE	12
#define QE_TAG_SIZE	16
#define QE_AUTH_SIZE	32 /* QE authentication data: SHA-256 of the cert data */

struct qe_blob_header {
	uint16_t version;
	uint16_t isv_svn;
	uint32_t reserved;
	uint8_t key_id[32];
} __attribute__((packed));

#define QE_HEADER_SIZE 40
_Static_assert(sizeof(struct qe_blob_header) == QE_HEADER_SIZE, "qe_blob_header");

#define QE_BLOB_PUB_OFF	 QE_HEADER_SIZE
#define QE_BLOB_AAD_SIZE (QE_BLOB_PUB_OFF + EB_P256_PUB_SIZE)
#define QE_BLOB_IV_OFF	 QE_BLOB_AAD_SIZE
#define QE_BLOB_CT_OFF	 (QE_BLOB_IV_OFF + QE_IV_SIZE)
#define QE_BLOB_TAG_OFF	 (QE_BLOB_CT_OFF + QE_PRIV_SIZE)
#define QE_BLOB_SIZE	 (QE_BLOB_TAG_OFF + QE_TAG_SIZE)

/* Everything of a quote but the certification data. */
#define QE_QUOTE_FIXED                                                               \
	(sizeof(struct eb_quote) + sizeof(struct eb_quote_sig_data) + QE_AUTH_SIZE + \
	 sizeof(struct eb_quote_cert))
#define QE_CERT_MAX (EB_QUOTE_MAX - QE_QUOTE_FIXED)

/* What LOAD installs; every ECALL after it reads it. */
struct qe_state {
	bool loaded;
	uint16_t qe_svn;
	uint16_t pce_svn;
	uint8_t priv[QE_PRIV_SIZE];
	uint8_t pub[EB_P256_PUB_SIZE];
	uint8_t qe_report[EB_REPORT_BODY_SIZE];
	uint8_t qe_report_sig[EB_P256_SIG_SIZE];
	uint8_t auth[QE_AUTH_SIZE];
	uint32_t cert_len;
	uint8_t cert[QE_CERT_MAX];
};

static int qe_lock;
static struct qe_state qe;

static const uint8_t qe_vendor_sim[16] = EB_QUOTE_VENDOR_EBROKER_SIM;

static void sha256(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, a, alen);
	br_sha256_update(&c, b, blen);
	br_sha256_out(&c, out);
}

/* ECDSA P-256 over SHA-256(@msg), raw r || s (RFC 6979 nonces). */
static int sign(const uint8_t priv[QE_PRIV_SIZE], const void *msg, size_t len,
		uint8_t sig[EB_P256_SIG_SIZE])
{
	uint8_t hash[32];

	sha256(msg, len, NULL, 0, hash);
	return ebroker_p256_sign(priv, hash, sig);
}

/* This enclave's own REPORT (for nobody): its identity. */
static int self_report(const void *reportdata, struct eb_report *r)
{
	return ebroker_ereport(NULL, reportdata, r) ? -EIO : 0;
}

/* The blob's AES-256 key: HKDF-SHA-256 over the SEAL key @h names. */
static int blob_key(const struct qe_blob_header *h, uint8_t key[32])
{
	struct ebroker_seal_params p = {
		.flags = EBROKER_SEAL_F_ISVSVN,
		.key_policy = EB_KEYPOLICY_MRSIGNER,
		.isv_svn = h->isv_svn,
	};

	memcpy(p.key_id, h->key_id, sizeof(p.key_id));
	return ebroker_seal_derive(&p, QE_HKDF_INFO, key);
}

static int seal(const uint8_t priv[QE_PRIV_SIZE], const uint8_t pub[EB_P256_PUB_SIZE],
		uint16_t isv_svn, uint8_t blob[QE_BLOB_SIZE])
{
	struct qe_blob_header h = {
		.version = QE_BLOB_VERSION,
		.isv_svn = isv_svn,
	};
	uint8_t key[32];
	int ret;

	if (ebroker_random(h.key_id, sizeof(h.key_id)) ||
	    ebroker_random(blob + QE_BLOB_IV_OFF, QE_IV_SIZE))
		return -EAGAIN;
	ret = blob_key(&h, key);
	if (ret)
		return ret;
	memcpy(blob, &h, QE_HEADER_SIZE);
	memcpy(blob + QE_BLOB_PUB_OFF, pub, EB_P256_PUB_SIZE);
	memcpy(blob + QE_BLOB_CT_OFF, priv, QE_PRIV_SIZE);
	/* AAD: the header and the public key, the blob's first bytes. */
	ebroker_aes256_gcm_seal(key, blob + QE_BLOB_IV_OFF, blob, QE_BLOB_AAD_SIZE,
				blob + QE_BLOB_CT_OFF, QE_PRIV_SIZE, blob + QE_BLOB_TAG_OFF);
	ebroker_memzero(key, sizeof(key));
	return 0;
}

/*
 * Open @blob into @priv and @pub. Every failure is -EBADMSG: a changed
 * blob, another platform's secret, another signer or product, or an
 * ISVSVN above this enclave's look the same from outside.
 */
static int unseal(const uint8_t *blob, size_t len, uint8_t priv[QE_PRIV_SIZE],
		  uint8_t pub[EB_P256_PUB_SIZE])
{
	uint8_t ct[QE_PRIV_SIZE], key[32], point[1 + EB_P256_PUB_SIZE];
	struct qe_blob_header h;
	int ret = -EBADMSG;

	if (len != QE_BLOB_SIZE)
		return -EBADMSG;
	memcpy(&h, blob, sizeof(h));
	if (h.version != QE_BLOB_VERSION || h.reserved || blob_key(&h, key))
		return -EBADMSG;
	memcpy(ct, blob + QE_BLOB_CT_OFF, sizeof(ct));
	/* The tag covers the public key; that it is the scalar's is checked too
	 * (ebroker_p256_public() also refuses a scalar out of range), as a blob is
	 * only as good as the code that sealed it. */
	if (!ebroker_aes256_gcm_open(key, blob + QE_BLOB_IV_OFF, blob, QE_BLOB_AAD_SIZE, ct,
				     sizeof(ct), blob + QE_BLOB_TAG_OFF) &&
	    !ebroker_p256_public(ct, point) &&
	    ebroker_ct_equal(point + 1, blob + QE_BLOB_PUB_OFF, EB_P256_PUB_SIZE)) {
		memcpy(priv, ct, QE_PRIV_SIZE);
		memcpy(pub, point + 1, EB_P256_PUB_SIZE);
		ret = 0;
	}
	ebroker_memzero(ct, sizeof(ct));
	ebroker_memzero(key, sizeof(key));
	return ret;
}

/* A new key pair, the public key as x || y (no SEC 1 prefix). */
static int keygen(uint8_t priv[QE_PRIV_SIZE], uint8_t pub[EB_P256_PUB_SIZE])
{
	uint8_t point[1 + EB_P256_PUB_SIZE];
	int ret = ebroker_p256_keygen(priv, point);

	if (!ret)
		memcpy(pub, point + 1, EB_P256_PUB_SIZE);
	return ret;
}

static int provision(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	struct eb_qe_provision_out *o = out;
	uint8_t priv[QE_PRIV_SIZE], pub[EB_P256_PUB_SIZE];
	struct eb_report self;
	int ret;

	(void)in;
	if (in_len)
		return -EINVAL;
	if (out_cap < sizeof(*o) + QE_BLOB_SIZE)
		return -ENOBUFS;
	ret = self_report(NULL, &self);
	if (!ret)
		ret = keygen(priv, pub);
	if (!ret)
		ret = seal(priv, pub, self.isv_svn, (uint8_t *)out + sizeof(*o));
	if (!ret) {
		memcpy(o->att_pub, pub, sizeof(o->att_pub));
		memcpy(o->qe_report_body, &self, sizeof(o->qe_report_body));
		o->sealed_len = QE_BLOB_SIZE;
		*out_len = sizeof(*o) + QE_BLOB_SIZE;
	}
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

static int load(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const uint8_t *sealed, *cert;
	uint8_t priv[QE_PRIV_SIZE], pub[EB_P256_PUB_SIZE], rd[EB_REPORTDATA_SIZE] = { 0 };
	uint8_t auth[QE_AUTH_SIZE], rsig[EB_P256_SIG_SIZE];
	struct eb_qe_load_in h;
	struct eb_report self;
	int ret;

	if (in_len < sizeof(h))
		return -EINVAL;
	memcpy(&h, in, sizeof(h));
	if (h.reserved || !h.cert_len || h.cert_len > QE_CERT_MAX || h.sealed_len > in_len ||
	    in_len - sizeof(h) != (size_t)h.sealed_len + h.cert_len)
		return -EINVAL;
	if (out_cap < EB_P256_PUB_SIZE)
		return -ENOBUFS;
	sealed = (const uint8_t *)in + sizeof(h);
	cert = sealed + h.sealed_len;

	ret = unseal(sealed, h.sealed_len, priv, pub);
	if (ret)
		return ret;
	sha256(cert, h.cert_len, NULL, 0, auth);
	sha256(pub, sizeof(pub), auth, sizeof(auth), rd);
	ret = self_report(rd, &self);
	if (!ret)
		ret = sign(priv, &self, EB_REPORT_BODY_SIZE, rsig);
	if (!ret) {
		eb_spin_lock(&qe_lock);
		ebroker_memzero(&qe, sizeof(qe));
		qe.qe_svn = self.isv_svn;
		qe.pce_svn = h.pce_svn;
		memcpy(qe.priv, priv, sizeof(qe.priv));
		memcpy(qe.pub, pub, sizeof(qe.pub));
		memcpy(qe.qe_report, &self, sizeof(qe.qe_report));
		memcpy(qe.qe_report_sig, rsig, sizeof(qe.qe_report_sig));
		memcpy(qe.auth, auth, sizeof(qe.auth));
		memcpy(qe.cert, cert, h.cert_len);
		qe.cert_len = h.cert_len;
		qe.loaded = true;
		eb_spin_unlock(&qe_lock);
		memcpy(out, pub, EB_P256_PUB_SIZE);
		*out_len = EB_P256_PUB_SIZE;
	}
	ebroker_memzero(priv, sizeof(priv));
	return ret;
}

static int targetinfo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	struct eb_targetinfo ti;
	struct eb_report self;
	int ret;

	(void)in;
	if (in_len)
		return -EINVAL;
	if (out_cap < sizeof(ti))
		return -ENOBUFS;
	ret = self_report(NULL, &self);
	if (ret)
		return ret;
	ebroker_targetinfo_from_report(&self, &ti);
	memcpy(out, &ti, sizeof(ti));
	*out_len = sizeof(ti);
	return 0;
}

/*
 * The quote of @r (already verified) into @out: everything but the
 * signature is copied from the loaded state under the lock, then the
 * header and body are signed outside it.
 */
static int quote(const struct eb_report *r, void *out, size_t out_cap, size_t *out_len)
{
	struct eb_quote *q = out;
	struct eb_quote_sig_data *sd = (struct eb_quote_sig_data *)q->sig_data;
	uint8_t *auth = (uint8_t *)(sd + 1);
	struct eb_quote_cert *cert = (struct eb_quote_cert *)(auth + QE_AUTH_SIZE);
	uint8_t priv[QE_PRIV_SIZE];
	size_t len;
	int ret;

	eb_spin_lock(&qe_lock);
	if (!qe.loaded) {
		eb_spin_unlock(&qe_lock);
		return -ENOKEY;
	}
	len = QE_QUOTE_FIXED + qe.cert_len;
	if (out_cap < len) {
		eb_spin_unlock(&qe_lock);
		return -ENOBUFS;
	}
	q->header.version = EB_QUOTE_VERSION;
	q->header.att_key_type = EB_QUOTE_ATT_KEY_ECDSA_P256;
	q->header.qe_svn = qe.qe_svn;
	q->header.pce_svn = qe.pce_svn;
	memcpy(q->header.qe_vendor_id, qe_vendor_sim, sizeof(q->header.qe_vendor_id));
	memcpy(q->report_body, r, EB_REPORT_BODY_SIZE);
	q->sig_data_len = len - sizeof(*q);
	memcpy(sd->att_pub, qe.pub, sizeof(sd->att_pub));
	memcpy(sd->qe_report, qe.qe_report, sizeof(sd->qe_report));
	memcpy(sd->qe_report_sig, qe.qe_report_sig, sizeof(sd->qe_report_sig));
	sd->qe_auth_size = QE_AUTH_SIZE;
	memcpy(auth, qe.auth, QE_AUTH_SIZE);
	cert->type = EB_QUOTE_CERT_EBROKER_SIM;
	cert->size = qe.cert_len;
	memcpy(cert->data, qe.cert, qe.cert_len);
	memcpy(priv, qe.priv, sizeof(priv));
	eb_spin_unlock(&qe_lock);

	ret = sign(priv, q, EB_QUOTE_SIGNED_SIZE, sd->signature);
	ebroker_memzero(priv, sizeof(priv));
	if (!ret)
		*out_len = len;
	return ret;
}

static bool loaded(void)
{
	return __atomic_load_n(&qe.loaded, __ATOMIC_RELAXED);
}

static int quote_report(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	struct eb_report r;
	int ret;

	if (in_len != sizeof(r))
		return -EINVAL;
	if (!loaded())
		return -ENOKEY;
	memcpy(&r, in, sizeof(r));
	ret = ebroker_report_verify(&r);
	if (ret)
		return ret == -EBADMSG ? ret : -EIO;
	return quote(&r, out, out_cap, out_len);
}

static int self_quote(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	uint8_t rd[EB_REPORTDATA_SIZE] = { 0 };
	struct eb_targetinfo ti;
	struct eb_report r;
	int ret;

	if (in_len != EB_SESSION_NONCE_SIZE)
		return -EINVAL;
	if (!loaded())
		return -ENOKEY;
	sha256(EB_QE_LABEL_SELF_TEST, sizeof(EB_QE_LABEL_SELF_TEST) - 1, in, in_len, rd);
	ret = self_report(NULL, &r);
	if (ret)
		return ret;
	ebroker_targetinfo_from_report(&r, &ti);
	ret = ebroker_ereport(&ti, rd, &r) ? -EIO : 0;
	/* The same path as anyone's REPORT: this also proves the REPORT keys work. */
	if (!ret)
		ret = ebroker_report_verify(&r);
	if (!ret)
		ret = quote(&r, out, out_cap, out_len);
	return ret;
}

/* clang-format off */
EBROKER_ECALL_TABLE(
	[EB_QE_PROVISION] = provision,
	[EB_QE_LOAD] = load,
	[EB_QE_TARGETINFO] = targetinfo,
	[EB_QE_QUOTE] = quote_report,
	[EB_QE_SELF_QUOTE] = self_quote
);
/* clang-format on */
