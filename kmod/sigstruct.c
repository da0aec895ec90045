// SPDX-License-Identifier: GPL-2.0
/*
 * SIGSTRUCT verification, as EINIT does it: the fixed fields are checked
 * first, then the RSA-3072 (e = 3) PKCS#1 v1.5 SHA-256 signature over the
 * two signed regions of the structure. MRSIGNER is the SHA-256 of the
 * modulus as stored, little-endian.
 *
 * Everything here is public (key, signature, signed data), but the final
 * comparison is constant time regardless, so that nothing about how close
 * a forged signature came leaks through timing.
 */
#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/mpi.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include <linux/ebroker.h>

#include "sigstruct.h"

static_assert(sizeof(struct eb_sigstruct) == EB_SIGSTRUCT_SIZE);
static_assert(offsetof(struct eb_sigstruct, modulus) == 128);
static_assert(offsetof(struct eb_sigstruct, miscselect) == 900);
static_assert(offsetof(struct eb_sigstruct, reserved4) == 1028);
static_assert(SHA256_DIGEST_SIZE == EB_HASH_SIZE);

#define EB_SIG_VENDOR_INTEL	0x8086
#define EB_SIG_EXPONENT		3

static const u8 eb_sig_header[16] = {
	0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const u8 eb_sig_header2[16] = {
	0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
};

/* DER encoding of the DigestInfo for SHA-256, less the digest itself. */
static const u8 eb_sig_sha256_prefix[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

/* Scratch space for one verification, too large for the stack. */
struct eb_sig_work {
	u8 be[EB_MODULUS_SIZE];		/* a big-endian copy of an integer */
	u8 em[EB_MODULUS_SIZE];		/* s^e mod n, big-endian */
	u8 expected[EB_MODULUS_SIZE];	/* the EM a valid signature gives */
};

static bool eb_sig_all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool eb_sig_well_formed(const struct eb_sigstruct *ss)
{
	if (memcmp(ss->header, eb_sig_header, sizeof(eb_sig_header)) ||
	    memcmp(ss->header2, eb_sig_header2, sizeof(eb_sig_header2)))
		return false;
	if (ss->vendor != 0 && ss->vendor != EB_SIG_VENDOR_INTEL)
		return false;
	if (ss->exponent != EB_SIG_EXPONENT)
		return false;
	if (!eb_sig_all_zero(ss->reserved1, sizeof(ss->reserved1)) ||
	    !eb_sig_all_zero(ss->reserved2, sizeof(ss->reserved2)) ||
	    !eb_sig_all_zero(ss->reserved3, sizeof(ss->reserved3)) ||
	    !eb_sig_all_zero(ss->reserved4, sizeof(ss->reserved4)))
		return false;
	/* Little-endian: byte 0 is the least significant. */
	if (!(ss->modulus[0] & 0x01) ||
	    !(ss->modulus[EB_MODULUS_SIZE - 1] & 0x80))
		return false;
	return true;
}

/* Reverse a little-endian integer into @be and read it as an MPI. */
static MPI eb_sig_read_le(u8 be[EB_MODULUS_SIZE], const u8 *le)
{
	size_t i;

	for (i = 0; i < EB_MODULUS_SIZE; i++)
		be[i] = le[EB_MODULUS_SIZE - 1 - i];
	return mpi_read_raw_data(be, EB_MODULUS_SIZE);
}

/*
 * EM = 00 01 FF..FF 00 || DigestInfo prefix || SHA-256 of bytes [0, 128)
 * and [900, 1028) of the SIGSTRUCT.
 */
static void eb_sig_encode(u8 em[EB_MODULUS_SIZE],
			  const struct eb_sigstruct *ss)
{
	const size_t tail = sizeof(eb_sig_sha256_prefix) + SHA256_DIGEST_SIZE;
	const size_t pad_end = EB_MODULUS_SIZE - tail - 1;
	const size_t head_end = offsetof(struct eb_sigstruct, modulus);
	const size_t body = offsetof(struct eb_sigstruct, miscselect);
	const size_t body_end = offsetof(struct eb_sigstruct, reserved4);
	const u8 *raw = (const u8 *)ss;
	struct sha256_state sctx;

	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, pad_end - 2);
	em[pad_end] = 0x00;
	memcpy(em + pad_end + 1, eb_sig_sha256_prefix,
	       sizeof(eb_sig_sha256_prefix));

	sha256_init(&sctx);
	sha256_update(&sctx, raw, head_end);
	sha256_update(&sctx, raw + body, body_end - body);
	sha256_final(&sctx, em + EB_MODULUS_SIZE - SHA256_DIGEST_SIZE);
}

/**
 * eb_sigstruct_verify() - check a SIGSTRUCT's form and RSA signature
 * @ss: the SIGSTRUCT, already copied from user space
 * @ret_mrsigner: SHA-256 of the little-endian modulus, set on success only
 *
 * Context: process context; may sleep.
 * Return: 0; -EBADMSG when malformed (fixed headers, exponent != 3, a
 * non-zero reserved byte, vendor not 0 or 0x8086, modulus even or with the
 * top bit of its most significant byte clear i.e. not a full 3072-bit
 * modulus); -EKEYREJECTED when the signature does not verify; -ENOMEM.
 */
int eb_sigstruct_verify(const struct eb_sigstruct *ss, u8 ret_mrsigner[32])
{
	struct eb_sig_work *work;
	unsigned int len;
	MPI n, s, e, m;
	int ret;

	if (!eb_sig_well_formed(ss))
		return -EBADMSG;

	work = kmalloc(sizeof(*work), GFP_KERNEL);
	if (!work)
		return -ENOMEM;

	ret = -ENOMEM;
	n = eb_sig_read_le(work->be, ss->modulus);
	if (!n)
		goto out_free_work;
	s = eb_sig_read_le(work->be, ss->signature);
	if (!s)
		goto out_free_n;
	e = mpi_alloc(1);
	if (!e)
		goto out_free_s;
	mpi_set_ui(e, EB_SIG_EXPONENT);
	m = mpi_alloc(0);
	if (!m)
		goto out_free_e;

	ret = -EKEYREJECTED;
	if (mpi_cmp(s, n) >= 0)
		goto out_free_m;

	ret = mpi_powm(m, s, e, n);
	if (ret)
		goto out_free_m;
	/* m < n, so it always fits; right-align it behind its zero bytes. */
	ret = mpi_read_buffer(m, work->em, EB_MODULUS_SIZE, &len, NULL);
	if (ret)
		goto out_free_m;
	memmove(work->em + EB_MODULUS_SIZE - len, work->em, len);
	memset(work->em, 0, EB_MODULUS_SIZE - len);

	eb_sig_encode(work->expected, ss);
	ret = -EKEYREJECTED;
	if (crypto_memneq(work->em, work->expected, EB_MODULUS_SIZE))
		goto out_free_m;

	sha256(ss->modulus, EB_MODULUS_SIZE, ret_mrsigner);
	ret = 0;

out_free_m:
	mpi_free(m);
out_free_e:
	mpi_free(e);
out_free_s:
	mpi_free(s);
out_free_n:
	mpi_free(n);
out_free_work:
	memzero_explicit(work, sizeof(*work));
	kfree(work);
	return ret;
}
