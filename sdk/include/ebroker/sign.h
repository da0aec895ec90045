/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebsign: compute an enclave's MRENCLAVE exactly as ECREATE/EADD/EEXTEND
 * do, and produce and check SIGSTRUCTs (struct eb_sigstruct) signed with an
 * RSA-3072, e = 3 key.
 *
 * Conventions: every function returns 0 or a negative errno; out-parameters
 * are named ret* and are left untouched on failure; nothing is logged and
 * nothing exits. A NULL argument is -EINVAL unless a function says
 * otherwise. Errors common to all functions: -ENOMEM when an allocation
 * fails, -EIO when OpenSSL fails for another reason.
 *
 * Nothing here is thread-safe for a shared handle; distinct handles may be
 * used from distinct threads.
 */
#ifndef EBROKER_SIGN_H
#define EBROKER_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ebroker_sgx.h>
#include <openssl/types.h>

/* ------------------------------------------------------------ MRENCLAVE */

/* An enclave measurement in progress (opaque). */
struct ebroker_measure;

/**
 * ebroker_measure_new() - start a measurement, as ECREATE does
 * @secs:	the SECS the enclave is created with; only @size and
 *		@ssa_frame_size are measured
 * @ret:	(out) the new measurement, freed with ebroker_measure_free()
 *
 * Return: 0; -EINVAL if @secs->size is not a power of two of at least two
 * pages or @secs->ssa_frame_size is zero.
 */
int ebroker_measure_new(const struct eb_secs *secs, struct ebroker_measure **ret);

/**
 * ebroker_measure_add_page() - measure one page, as EADD (and EEXTEND) do
 * @m:		the measurement
 * @offset:	offset of the page from the enclave base
 * @secinfo:	the page's SECINFO
 * @page:	the page's EB_PAGE_SIZE bytes; may be NULL when @extend is
 *		false, since EADD alone does not measure the contents
 * @extend:	also measure the contents, EEXTEND over each 256-byte block
 *		(EB_PAGE_MEASURE of <linux/ebroker.h>)
 *
 * Pages are measured in the order they are given, which must be the order
 * the loader adds them in. Adding the same offset twice is not detected
 * (the hardware and the module refuse it when the enclave is built).
 *
 * Return: 0; -EINVAL if @offset is not page aligned or not below the SECS
 * size, or @secinfo is one EADD refuses: reserved bits or bytes set, a page
 * type other than REG or TCS, permissions on a TCS page, or W without R.
 * After -EIO the measurement is unusable and every later call on it fails
 * with -EIO.
 */
int ebroker_measure_add_page(struct ebroker_measure *m, uint64_t offset,
			     const struct eb_secinfo *secinfo, const void *page, bool extend);

/**
 * ebroker_measure_finish() - the MRENCLAVE of the pages added so far
 * @m:		the measurement
 * @ret_mrenclave: (out) the SHA-256 digest, as EINIT freezes it
 *
 * @m is left as it was: more pages may be added and this called again.
 *
 * Return: 0; -EIO if an earlier ebroker_measure_add_page() failed with -EIO.
 */
int ebroker_measure_finish(struct ebroker_measure *m, uint8_t ret_mrenclave[EB_HASH_SIZE]);

/**
 * ebroker_measure_free() - free a measurement
 * @m:		the measurement, or NULL
 *
 * Return: NULL, for `m = ebroker_measure_free(m);`.
 */
struct ebroker_measure *ebroker_measure_free(struct ebroker_measure *m);

/* ---------------------------------------------------------------- keys */

/**
 * ebroker_key_generate() - generate a signing key
 * @ret:	(out) a new RSA-3072 key with public exponent 3, freed with
 *		EVP_PKEY_free()
 *
 * Takes about a second.
 *
 * Return: 0.
 */
int ebroker_key_generate(EVP_PKEY **ret);

/**
 * ebroker_key_read_pem() - read a signing key
 * @path:	a PEM file holding an unencrypted private key
 * @ret:	(out) the key, freed with EVP_PKEY_free()
 *
 * Encrypted keys are refused: this never prompts for a passphrase.
 *
 * Return: 0; -errno from opening @path; -EBADMSG if the file holds no
 * readable unencrypted private key; -EINVAL if the key is not RSA-3072 with
 * public exponent 3.
 */
int ebroker_key_read_pem(const char *path, EVP_PKEY **ret);

/**
 * ebroker_key_write_pem() - save a signing key
 * @key:	an RSA-3072, e = 3 private key
 * @path:	file to create, with mode 0600
 *
 * Never replaces an existing file or follows a symbolic link at @path. A
 * partly written file is removed.
 *
 * Return: 0; -EINVAL if @key is not an RSA-3072, e = 3 private key;
 * -EEXIST if @path exists; -errno from creating or writing @path.
 */
int ebroker_key_write_pem(EVP_PKEY *key, const char *path);

/* ----------------------------------------------------------- SIGSTRUCT */

/**
 * struct ebroker_sign_params - the signer-chosen fields of a SIGSTRUCT
 * @date:	0xYYYYMMDD in BCD
 * @vendor:	0, or 0x8086 for Intel enclaves
 * @swdefined:	free for the signer
 * @miscselect:	MISCSELECT the enclave must run with, under @miscmask
 * @miscmask:	bits of MISCSELECT EINIT compares
 * @attributes:	SECS attributes (EB_ATTR_*), under @attributemask
 * @xfrm:	SECS XFRM, under @xfrmmask
 * @attributemask: bits of ATTRIBUTES EINIT compares
 * @xfrmmask:	bits of XFRM EINIT compares
 * @isv_prod_id: product id, reported by EREPORT
 * @isv_svn:	security version, reported by EREPORT
 */
struct ebroker_sign_params {
	uint32_t date;
	uint32_t vendor;
	uint32_t swdefined;
	uint32_t miscselect;
	uint32_t miscmask;
	uint64_t attributes;
	uint64_t xfrm;
	uint64_t attributemask;
	uint64_t xfrmmask;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
};

/**
 * ebroker_sigstruct_sign() - build and sign a SIGSTRUCT
 * @key:	an RSA-3072, e = 3 private key
 * @params:	the signer-chosen fields
 * @mrenclave:	the enclave's measurement, from ebroker_measure_finish()
 * @ret:	(out) the SIGSTRUCT, signature, Q1 and Q2 included
 *
 * Return: 0; -EINVAL if @key is not an RSA-3072, e = 3 private key or
 * @params->vendor is neither 0 nor 0x8086.
 */
int ebroker_sigstruct_sign(EVP_PKEY *key, const struct ebroker_sign_params *params,
			   const uint8_t mrenclave[EB_HASH_SIZE], struct eb_sigstruct *ret);

/**
 * ebroker_sigstruct_verify() - check a SIGSTRUCT as EINIT does, before it
 *                         compares the enclave's identity
 * @s:		the SIGSTRUCT
 *
 * Checks the fixed headers, the vendor, the exponent, that every reserved
 * byte is zero and that the modulus is 3072 bits, then the signature over
 * the signed fields with the embedded modulus, then Q1 and Q2 (hardware
 * verifies with them, so an image whose Q1/Q2 are wrong fails EINIT on
 * hardware even where a software check ignores them). Whether
 * @s->enclavehash, the attributes and MISCSELECT match an enclave is the
 * caller's business.
 *
 * Return: 0; -EBADMSG if @s is malformed; -EKEYREJECTED if the signature,
 * Q1 or Q2 is wrong.
 */
int ebroker_sigstruct_verify(const struct eb_sigstruct *s);

/**
 * ebroker_sigstruct_mrsigner() - the MRSIGNER an enclave signed with @s gets
 * @s:		the SIGSTRUCT
 * @ret_mrsigner: (out) SHA-256 over the little-endian modulus bytes
 *
 * @s is not verified; see ebroker_sigstruct_verify().
 *
 * Return: 0.
 */
int ebroker_sigstruct_mrsigner(const struct eb_sigstruct *s, uint8_t ret_mrsigner[EB_HASH_SIZE]);

struct ebroker_image;

/**
 * ebroker_image_mrenclave() - the MRENCLAVE of a parsed image's pages
 * @img:	an image from ebroker_image_parse() or ebroker_image_open() (libebimage,
 *		which callers of this function link)
 * @ret_mrenclave: (out) the measurement of every page, in load order
 *
 * Return: 0; -EINVAL for NULL arguments; errors of eb_measure_*().
 */
int ebroker_image_mrenclave(const struct ebroker_image *img, uint8_t ret_mrenclave[EB_HASH_SIZE]);

#endif /* EBROKER_SIGN_H */
