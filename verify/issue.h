/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebverify's issuer side, internal: in build/lib/libebverify.a only,
 * never exported from the shared library. `ebrokerctl attestation init`
 * makes the attestation root and the platform certificate with it, and the
 * tests make theirs. The certificates are what ebroker_verify_quote()
 * checks (uapi/linux/ebroker_attest.h, section 2): a self-signed P-256 root
 * and a platform certificate for the quoting enclave's attestation key,
 * carrying struct eb_platform_claims in the EB_PLATFORM_CLAIMS_OID
 * extension.
 *
 * Conventions: 0 or a negative errno (-ENOMEM, -EINVAL for bad arguments,
 * -EIO for an OpenSSL failure, -errno of a file operation); out-parameters
 * (ret*) are written only on success and the caller frees what they get
 * (EVP_PKEY_free, X509_free, free).
 */
#ifndef EB_VERIFY_ISSUE_H
#define EB_VERIFY_ISSUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <linux/ebroker_attest.h>

/* A new ECDSA P-256 key pair. */
int ebv_key_generate(EVP_PKEY **ret);

/*
 * A new P-256 key and a self-signed root certificate for it: subject and
 * issuer CN=@common_name, basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign and cRLSign (critical), subjectKeyIdentifier, a random
 * 16-byte serial, valid from @not_before to @not_after.
 */
int ebv_root_create(EVP_PKEY **ret_key, X509 **ret_cert, const char *common_name, time_t not_before,
		    time_t not_after);

/* The same, for an existing P-256 key (a deterministic test root). */
int ebv_root_cert_create(EVP_PKEY *key, const char *common_name, time_t not_before,
			 time_t not_after, X509 **ret);

/*
 * A platform certificate signed by @root_key/@root_cert for the
 * attestation key @att_pub (x || y, big-endian): subject CN=@common_name,
 * basicConstraints CA:FALSE (critical), keyUsage digitalSignature
 * (critical), authorityKeyIdentifier, subjectKeyIdentifier, @claims in the
 * non-critical EB_PLATFORM_CLAIMS_OID extension, a random 16-byte serial.
 * -EINVAL: @att_pub is not a point on P-256.
 */
int ebv_platform_cert_create(EVP_PKEY *root_key, X509 *root_cert,
			     const uint8_t att_pub[EB_P256_PUB_SIZE],
			     const struct eb_platform_claims *claims, const char *common_name,
			     time_t not_before, time_t not_after, X509 **ret);

/* The P-256 public key whose raw form is @pub (x || y); -EINVAL off the curve. */
int ebv_pub_from_raw(const uint8_t pub[EB_P256_PUB_SIZE], EVP_PKEY **ret);

/* The raw form (x || y) of a P-256 key's public half; -EINVAL: not P-256. */
int ebv_pub_to_raw(EVP_PKEY *key, uint8_t pub[EB_P256_PUB_SIZE]);

/* ECDSA P-256 with SHA-256 over @msg, as raw r || s (big-endian). */
int ebv_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[EB_P256_SIG_SIZE]);

/*
 * The certification data of a `sim` quote: the PEM of @platform, then of
 * @root, NUL-terminated (*ret_len does not count the NUL); free() it. The
 * verifier accepts these bytes exactly (OpenSSL's PEM: 64-column base64,
 * LF line ends, nothing before, between or after the blocks), so store
 * and pass them on unchanged.
 */
int ebv_pem_write_chain(X509 *platform, X509 *root, char **ret, size_t *ret_len);

/* One certificate as PEM text, NUL-terminated; free() it. */
int ebv_pem_write_cert(X509 *cert, char **ret, size_t *ret_len);

/*
 * A private key as an unencrypted PKCS#8 PEM file of mode 0600, created
 * with O_EXCL: -EEXIST if @path exists (never overwritten). The file is
 * written in full and fsync()ed, or removed again.
 */
int ebv_key_save(const char *path, EVP_PKEY *key);

/* A PEM private key file as ebv_key_save() writes it; -EBADMSG: not a P-256 key. */
int ebv_key_load(const char *path, EVP_PKEY **ret);

/* The first certificate of a PEM file; -EBADMSG: none. */
int ebv_cert_load(const char *path, X509 **ret);

/* The claims extension of @cert: -ENOENT absent, -EBADMSG malformed. */
int ebv_cert_claims(X509 *cert, struct eb_platform_claims *ret);

#endif /* EB_VERIFY_ISSUE_H */
