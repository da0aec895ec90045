// SPDX-License-Identifier: GPL-2.0
/* Test-only quote synthesis (testquote.h): the quoting enclave's recipe, with OpenSSL. */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "internal.h"
#include "issue.h"
#include "testquote.h"

#define DAY (24 * 60 * 60)

/* Not a secret: the fuzz target's root, fixed so its committed seeds verify. */
static const char fuzz_root_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2NdI61fAoI57U+lp\n"
    "l/WL4l91e2IgLXoMcb9LyGR88VehRANCAASTM2BJFjYunAqjz4ZcKLmOAZpePmZx\n"
    "HHJqxm5HLh89cZFv2RogYi+kLvLCJz5c5Xb/SNYJEsnby3ABtO+yIQMS\n"
    "-----END PRIVATE KEY-----\n";

int tq_fuzz_root_key(EVP_PKEY **ret)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(fuzz_root_key_pem, -1);
	EVP_PKEY *key;

	if (!bio)
		return -ENOMEM;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!key)
		return -EIO;
	*ret = key;
	return 0;
}

void tq_fuzz_claims(struct ebroker_claims *ret)
{
	memset(ret, 0, sizeof(*ret));
	memset(ret->enclave_pub, 0xe1, sizeof(ret->enclave_pub));
	memset(ret->nonce, 0x4e, sizeof(ret->nonce));
	memset(ret->client_pub, 0xc1, sizeof(ret->client_pub));
	ret->session_id = 1;
}

void tq_platform_opts_default(struct tq_platform_opts *ret)
{
	time_t now = time(NULL);

	memset(ret, 0, sizeof(*ret));
	ret->root_not_before = now - DAY;
	ret->root_not_after = now + 3650 * DAY;
	ret->not_before = now - DAY;
	ret->not_after = now + 365 * DAY;
	ret->claims.version = EB_PLATFORM_CLAIMS_VERSION;
	ret->claims.backend = EB_PLATFORM_BACKEND_SIM;
	ret->claims.platform_svn = TQ_PLATFORM_SVN;
	ret->claims.qe_isv_prod_id = TQ_QE_ISV_PROD_ID;
	ret->claims.qe_min_isv_svn = TQ_QE_MIN_ISV_SVN;
	memset(ret->claims.qe_mrsigner, TQ_QE_MRSIGNER_BYTE, sizeof(ret->claims.qe_mrsigner));
}

void tq_platform_free(struct tq_platform *p)
{
	if (!p)
		return;
	EVP_PKEY_free(p->root_key);
	X509_free(p->root);
	free(p->root_pem);
	EVP_PKEY_free(p->att_key);
	X509_free(p->platform);
	free(p->chain);
	free(p);
}
DEFINE_FREEP(struct tq_platform, tq_platform_free)

int tq_platform_new(const struct tq_platform_opts *opts, struct tq_platform **ret)
{
	_cleanup_(tq_platform_freep) struct tq_platform *p = NULL;
	struct tq_platform_opts def;
	int r;

	if (!opts) {
		tq_platform_opts_default(&def);
		opts = &def;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (opts->root_key) {
		if (!EVP_PKEY_up_ref(opts->root_key))
			return -EIO;
		p->root_key = opts->root_key;
	} else {
		r = ebv_key_generate(&p->root_key);
		if (r < 0)
			return r;
	}
	r = ebv_root_cert_create(p->root_key, TQ_ROOT_CN, opts->root_not_before,
				 opts->root_not_after, &p->root);
	if (r < 0)
		return r;
	r = ebv_pem_write_cert(p->root, &p->root_pem, NULL);
	if (r < 0)
		return r;
	r = ebv_key_generate(&p->att_key);
	if (r < 0)
		return r;
	r = ebv_pub_to_raw(p->att_key, p->att_pub);
	if (r < 0)
		return r;
	p->claims = opts->claims;
	r = ebv_platform_cert_create(p->root_key, p->root, opts->certify ?: p->att_pub, &p->claims,
				     TQ_PLATFORM_CN, opts->not_before, opts->not_after,
				     &p->platform);
	if (r < 0)
		return r;
	r = ebv_pem_write_chain(p->platform, p->root, &p->chain, &p->chain_len);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

void tq_params_default(const struct tq_platform *p, struct tq_params *ret)
{
	static const uint8_t vendor_sim[16] = EB_QUOTE_VENDOR_EBROKER_SIM;

	memset(ret, 0, sizeof(*ret));
	ret->header.version = EB_QUOTE_VERSION;
	ret->header.att_key_type = EB_QUOTE_ATT_KEY_ECDSA_P256;
	ret->header.qe_svn = TQ_QE_ISV_SVN;
	ret->header.pce_svn = p->claims.platform_svn;
	memcpy(ret->header.qe_vendor_id, vendor_sim, sizeof(vendor_sim));

	ret->body.attributes = htole64(EB_ATTR_INIT | EB_ATTR_MODE64BIT);
	ret->body.xfrm = htole64(3);
	memset(ret->body.mrenclave, TQ_MRENCLAVE_BYTE, 32);
	memset(ret->body.mrsigner, TQ_MRSIGNER_BYTE, 32);
	ret->body.isv_prod_id = htole16(TQ_ISV_PROD_ID);
	ret->body.isv_svn = htole16(TQ_ISV_SVN);

	ret->qe_report.attributes = htole64(EB_ATTR_INIT | EB_ATTR_MODE64BIT);
	ret->qe_report.xfrm = htole64(3);
	memset(ret->qe_report.mrenclave, 0x44, 32);
	memset(ret->qe_report.mrsigner, TQ_QE_MRSIGNER_BYTE, 32);
	ret->qe_report.isv_prod_id = htole16(TQ_QE_ISV_PROD_ID);
	ret->qe_report.isv_svn = htole16(TQ_QE_ISV_SVN);

	ret->att_key = p->att_key;
	memcpy(ret->att_pub, p->att_pub, sizeof(ret->att_pub));
	ret->cert_type = EB_QUOTE_CERT_EBROKER_SIM;
	ret->cert = p->chain;
	ret->cert_size = p->chain_len;
}

int tq_quote_resign(EVP_PKEY *att_key, uint8_t *quote, size_t len)
{
	if (len < TQ_OFF_SIGNATURE + EB_P256_SIG_SIZE)
		return -EINVAL;
	return ebv_sign_raw(att_key, quote, EB_QUOTE_SIGNED_SIZE, quote + TQ_OFF_SIGNATURE);
}

int tq_quote(const struct tq_params *params, uint8_t **ret, size_t *ret_len)
{
	_cleanup_(freep) uint8_t *q = NULL, *hashed = NULL;
	struct eb_quote_header h = params->header;
	struct eb_report qe = params->qe_report;
	uint8_t auth[32];
	const void *qe_auth = params->qe_auth;
	size_t qe_auth_size = params->qe_auth_size, sig_len, len;
	uint8_t *p;
	int r;

	if (!qe_auth) {
		SHA256(params->cert, params->cert_size, auth);
		qe_auth = auth;
		qe_auth_size = sizeof(auth);
	}
	if (qe_auth_size > UINT16_MAX || params->cert_size > UINT32_MAX)
		return -EINVAL;
	if (!params->qe_report_data_as_is) {
		hashed = malloc(EB_P256_PUB_SIZE + qe_auth_size);
		if (!hashed)
			return -ENOMEM;
		memcpy(hashed, params->att_pub, EB_P256_PUB_SIZE);
		memcpy(hashed + EB_P256_PUB_SIZE, qe_auth, qe_auth_size);
		memset(qe.report_data, 0, sizeof(qe.report_data));
		SHA256(hashed, EB_P256_PUB_SIZE + qe_auth_size, qe.report_data);
	}

	sig_len = sizeof(struct eb_quote_sig_data) + qe_auth_size + sizeof(struct eb_quote_cert) +
		  params->cert_size;
	len = sizeof(struct eb_quote) + sig_len;
	q = calloc(1, len);
	if (!q)
		return -ENOMEM;

	h.version = htole16(h.version);
	h.att_key_type = htole16(h.att_key_type);
	h.reserved = htole32(h.reserved);
	h.qe_svn = htole16(h.qe_svn);
	h.pce_svn = htole16(h.pce_svn);
	memcpy(q, &h, sizeof(h));
	memcpy(q + TQ_OFF_BODY, &params->body, EB_REPORT_BODY_SIZE);
	put_le32(q + TQ_OFF_SIG_DATA_LEN, sig_len);
	memcpy(q + TQ_OFF_ATT_PUB, params->att_pub, EB_P256_PUB_SIZE);
	memcpy(q + TQ_OFF_QE_REPORT, &qe, EB_REPORT_BODY_SIZE);
	r = ebv_sign_raw(params->att_key, q + TQ_OFF_QE_REPORT, EB_REPORT_BODY_SIZE,
			 q + TQ_OFF_QE_REPORT_SIG);
	if (r < 0)
		return r;
	q[TQ_OFF_QE_AUTH_SIZE] = qe_auth_size & 0xff;
	q[TQ_OFF_QE_AUTH_SIZE + 1] = qe_auth_size >> 8;
	p = q + TQ_OFF_QE_AUTH;
	memcpy(p, qe_auth, qe_auth_size);
	p += qe_auth_size;
	p[0] = params->cert_type & 0xff;
	p[1] = params->cert_type >> 8;
	put_le32(p + 2, params->cert_size);
	memcpy(p + 6, params->cert, params->cert_size);

	r = tq_quote_resign(params->att_key, q, len);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(q);
	*ret_len = len;
	return 0;
}
