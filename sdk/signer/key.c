/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signing keys. SGX accepts exactly one shape: RSA-3072 with public
 * exponent 3 (EINIT's fixed exponent). Every key entering or leaving the
 * library is checked for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <ebroker/sign.h>

#include "internal.h"
#include "ossl.h"

int eb_key_check(EVP_PKEY *key, bool private)
{
	_cleanup_(BN_freep) BIGNUM *e = NULL;
	_cleanup_(BN_freep) BIGNUM *d = NULL;

	if (!key)
		return -EINVAL;
	/* Plain RSA only: an RSA-PSS key cannot make PKCS#1 v1.5 signatures. */
	if (!EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_get_bits(key) != EB_RSA_BITS)
		return -EINVAL;
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		return -EINVAL;
	if (!BN_is_word(e, EB_RSA_EXPONENT))
		return -EINVAL;
	if (private && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &d) != 1)
		return -EINVAL;
	return 0;
}

int ebroker_key_generate(EVP_PKEY **ret)
{
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	_cleanup_(BN_freep) BIGNUM *e = NULL;
	EVP_PKEY *key = NULL;

	if (!ret)
		return -EINVAL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	e = BN_new();
	if (!ctx || !e)
		return -ENOMEM;
	if (BN_set_word(e, EB_RSA_EXPONENT) != 1)
		return -ENOMEM;
	if (EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, EB_RSA_BITS) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1)
		return -EIO;
	if (EVP_PKEY_generate(ctx, &key) != 1)
		return -EIO;

	*ret = key;
	return 0;
}

/* Never prompt: an encrypted key is refused rather than asked for. */
static int no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	return -1;
}

int ebroker_key_read_pem(const char *path, EVP_PKEY **ret)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int r;

	if (!path || !ret)
		return -EINVAL;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	if (!key)
		return -EBADMSG;
	r = eb_key_check(key, true);
	if (r < 0)
		return r;

	*ret = TAKE_PTR(key);
	return 0;
}

int ebroker_key_write_pem(EVP_PKEY *key, const char *path)
{
	FILE *f;
	int fd, r;

	if (!key || !path)
		return -EINVAL;
	r = eb_key_check(key, true);
	if (r < 0)
		return r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* The umask may only narrow the mode; make it exactly 0600. */
	if (fchmod(fd, 0600) < 0) {
		r = -errno;
		close(fd);
		goto unlink;
	}
	f = fdopen(fd, "we");
	if (!f) {
		r = -errno;
		close(fd);
		goto unlink;
	}

	r = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1 ? 0 : -EIO;
	if (r == 0 && fflush(f) != 0)
		r = -errno;
	if (r == 0 && fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0)
		return 0;
unlink:
	(void)unlink(path);
	return r;
}
