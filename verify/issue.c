// SPDX-License-Identifier: GPL-2.0
/*
 * The issuer side of the `sim` platform chain (issue.h): keys, the root,
 * platform certificates, raw P-256 signatures, PEM in and out. The
 * certificates are made to pass X509_V_FLAG_X509_STRICT, which the
 * verifier sets: version 3, positive serials, key identifiers on both
 * sides, critical basicConstraints and keyUsage.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "issue.h"

int ebv_key_generate(EVP_PKEY **ret)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	if (!key)
		return -EIO;
	*ret = key;
	return 0;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext || !X509_add_ext(cert, ext, -1))
		return -EIO;
	return 0;
}

/* What root and platform certificates share, up to the extensions. */
static int cert_new(EVP_PKEY *subject_key, X509 *issuer, const char *common_name, time_t not_before,
		    time_t not_after, X509 **ret)
{
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_(BN_freep) BIGNUM *bn = NULL;
	uint8_t serial[16];
	X509_NAME *name;

	if (!common_name || !*common_name || not_after <= not_before)
		return -EINVAL;
	cert = X509_new();
	if (!cert)
		return -ENOMEM;
	/* Random and positive: DER INTEGERs are signed, so clear the top bit. */
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return -EIO;
	serial[0] &= 0x7f;
	serial[0] |= 0x40;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
		return -ENOMEM;
	if (!X509_set_version(cert, X509_VERSION_3) ||
	    !X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &not_before) ||
	    !X509_time_adj_ex(X509_getm_notAfter(cert), 0, 0, &not_after))
		return -EIO;
	name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)common_name, -1, -1, 0))
		return -EINVAL;
	if (!X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) ||
	    !X509_set_pubkey(cert, subject_key))
		return -EIO;
	*ret = TAKE_PTR(cert);
	return 0;
}

int ebv_root_cert_create(EVP_PKEY *key, const char *common_name, time_t not_before,
			 time_t not_after, X509 **ret)
{
	_cleanup_(X509_freep) X509 *cert = NULL;
	int r;

	if (!key || !EVP_PKEY_is_a(key, "EC"))
		return -EINVAL;
	r = cert_new(key, NULL, common_name, not_before, not_after, &cert);
	if (r < 0)
		return r;
	if ((r = add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE")) < 0 ||
	    (r = add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign")) < 0 ||
	    (r = add_ext(cert, cert, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = add_ext(cert, cert, NID_authority_key_identifier, "keyid:always")) < 0)
		return r;
	if (!X509_sign(cert, key, EVP_sha256()))
		return -EIO;
	*ret = TAKE_PTR(cert);
	return 0;
}

int ebv_root_create(EVP_PKEY **ret_key, X509 **ret_cert, const char *common_name, time_t not_before,
		    time_t not_after)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int r;

	r = ebv_key_generate(&key);
	if (r < 0)
		return r;
	r = ebv_root_cert_create(key, common_name, not_before, not_after, ret_cert);
	if (r < 0)
		return r;
	*ret_key = TAKE_PTR(key);
	return 0;
}

static int claims_ext_add(X509 *cert, const struct eb_platform_claims *claims)
{
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = NULL;
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *inner = NULL, *value = NULL;
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	_cleanup_(freep) uint8_t *der = NULL;
	struct eb_platform_claims le = *claims;
	int der_len;

	le.platform_svn = htole16(claims->platform_svn);
	le.qe_isv_prod_id = htole16(claims->qe_isv_prod_id);
	le.qe_min_isv_svn = htole16(claims->qe_min_isv_svn);
	oid = OBJ_txt2obj(EB_PLATFORM_CLAIMS_OID, 1);
	inner = ASN1_OCTET_STRING_new();
	value = ASN1_OCTET_STRING_new();
	if (!oid || !inner || !value)
		return -ENOMEM;
	if (!ASN1_OCTET_STRING_set(inner, (const unsigned char *)&le, sizeof(le)))
		return -ENOMEM;
	der_len = i2d_ASN1_OCTET_STRING(inner, &der);
	if (der_len <= 0)
		return -EIO;
	if (!ASN1_OCTET_STRING_set(value, der, der_len))
		return -ENOMEM;
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, value);
	if (!ext || !X509_add_ext(cert, ext, -1))
		return -EIO;
	return 0;
}

int ebv_platform_cert_create(EVP_PKEY *root_key, X509 *root_cert,
			     const uint8_t att_pub[EB_P256_PUB_SIZE],
			     const struct eb_platform_claims *claims, const char *common_name,
			     time_t not_before, time_t not_after, X509 **ret)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	int r;

	if (!root_key || !root_cert || !att_pub || !claims)
		return -EINVAL;
	r = ebv_pub_from_raw(att_pub, &pub);
	if (r < 0)
		return r;
	r = cert_new(pub, root_cert, common_name, not_before, not_after, &cert);
	if (r < 0)
		return r;
	if ((r = add_ext(cert, root_cert, NID_basic_constraints, "critical,CA:FALSE")) < 0 ||
	    (r = add_ext(cert, root_cert, NID_key_usage, "critical,digitalSignature")) < 0 ||
	    (r = add_ext(cert, root_cert, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = add_ext(cert, root_cert, NID_authority_key_identifier, "keyid:always")) < 0 ||
	    (r = claims_ext_add(cert, claims)) < 0)
		return r;
	if (!X509_sign(cert, root_key, EVP_sha256()))
		return -EIO;
	*ret = TAKE_PTR(cert);
	return 0;
}

int ebv_pub_from_raw(const uint8_t pub[EB_P256_PUB_SIZE], EVP_PKEY **ret)
{
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	uint8_t point[1 + EB_P256_PUB_SIZE];
	char group[] = "P-256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group) - 1),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
		OSSL_PARAM_END,
	};

	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, pub, EB_P256_PUB_SIZE);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(ctx) != 1)
		return -EIO;
	/* Import checks that the point is on the curve. */
	if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret = TAKE_PTR(key);
	return 0;
}

int ebv_pub_to_raw(EVP_PKEY *key, uint8_t pub[EB_P256_PUB_SIZE])
{
	_cleanup_(BN_freep) BIGNUM *x = NULL, *y = NULL;
	char group[32];

	if (!key || !EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL) ||
	    (strcmp(group, "prime256v1") && strcmp(group, "P-256"))) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (BN_bn2binpad(x, pub, 32) != 32 || BN_bn2binpad(y, pub + 32, 32) != 32)
		return -EINVAL;
	return 0;
}

int ebv_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[EB_P256_SIG_SIZE])
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = NULL;
	_cleanup_(ECDSA_SIG_freep) ECDSA_SIG *s = NULL;
	uint8_t der[80];
	const uint8_t *p = der;
	size_t der_len = sizeof(der);

	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &der_len, msg, len) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	s = d2i_ECDSA_SIG(NULL, &p, der_len);
	if (!s || BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32) != 32)
		return -EIO;
	return 0;
}

static int bio_take(BIO *bio, char **ret, size_t *ret_len)
{
	char *data, *copy;
	long n;

	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return -EIO;
	copy = malloc(n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, n);
	copy[n] = 0;
	*ret = copy;
	if (ret_len)
		*ret_len = n;
	return 0;
}

int ebv_pem_write_chain(X509 *platform, X509 *root, char **ret, size_t *ret_len)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());

	if (!bio)
		return -ENOMEM;
	if (!PEM_write_bio_X509(bio, platform) || !PEM_write_bio_X509(bio, root))
		return -EIO;
	return bio_take(bio, ret, ret_len);
}

int ebv_pem_write_cert(X509 *cert, char **ret, size_t *ret_len)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());

	if (!bio)
		return -ENOMEM;
	if (!PEM_write_bio_X509(bio, cert))
		return -EIO;
	return bio_take(bio, ret, ret_len);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

int ebv_key_save(const char *path, EVP_PKEY *key)
{
	_cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
	_cleanup_(closep) int fd = -1;
	char *data;
	long n;
	int r;

	if (!bio)
		return -ENOMEM;
	if (!PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		return -EIO;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return -EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	/* The umask may have taken bits away, never added them; make sure anyway. */
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	else
		r = write_all(fd, data, n);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	OPENSSL_cleanse(data, n);
	if (r < 0)
		unlink(path);
	return r;
}

int ebv_key_load(const char *path, EVP_PKEY **ret)
{
	_cleanup_(BIO_freep) BIO *bio = NULL;
	EVP_PKEY *key;
	uint8_t pub[EB_P256_PUB_SIZE];
	int r;

	bio = BIO_new_file(path, "r");
	if (!bio) {
		r = errno ? -errno : -EIO;
		ERR_clear_error();
		return r;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!key) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (ebv_pub_to_raw(key, pub) < 0) {
		EVP_PKEY_free(key);
		return -EBADMSG;
	}
	*ret = key;
	return 0;
}

int ebv_cert_load(const char *path, X509 **ret)
{
	_cleanup_(BIO_freep) BIO *bio = NULL;
	X509 *cert;
	int r;

	bio = BIO_new_file(path, "r");
	if (!bio) {
		r = errno ? -errno : -EIO;
		ERR_clear_error();
		return r;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!cert) {
		ERR_clear_error();
		return -EBADMSG;
	}
	*ret = cert;
	return 0;
}

int ebv_cert_claims(X509 *cert, struct eb_platform_claims *ret)
{
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = NULL;
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *inner = NULL;
	const ASN1_OCTET_STRING *value;
	const unsigned char *p;
	X509_EXTENSION *ext;
	int i;

	oid = OBJ_txt2obj(EB_PLATFORM_CLAIMS_OID, 1);
	if (!oid)
		return -ENOMEM;
	i = X509_get_ext_by_OBJ(cert, oid, -1);
	if (i < 0)
		return -ENOENT;
	if (X509_get_ext_by_OBJ(cert, oid, i) >= 0)
		return -EBADMSG; /* twice */
	ext = X509_get_ext(cert, i);
	value = ext ? X509_EXTENSION_get_data(ext) : NULL;
	if (!value)
		return -EBADMSG;
	p = ASN1_STRING_get0_data(value);
	inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(value));
	if (!inner) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (p != ASN1_STRING_get0_data(value) + ASN1_STRING_length(value) ||
	    ASN1_STRING_length(inner) != sizeof(*ret))
		return -EBADMSG;
	memcpy(ret, ASN1_STRING_get0_data(inner), sizeof(*ret));
	ret->platform_svn = le16toh(ret->platform_svn);
	ret->qe_isv_prod_id = le16toh(ret->qe_isv_prod_id);
	ret->qe_min_isv_svn = le16toh(ret->qe_min_isv_svn);
	return 0;
}
