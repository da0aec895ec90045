// SPDX-License-Identifier: GPL-2.0
/*
 * SIGSTRUCT verification, as EINIT does it: the fixed fields are checked
 * first, then Q1 and Q2, then the RSA-3072 (e = 3) PKCS#1 v1.5 SHA-256
 * signature over the two signed regions of the structure. MRSIGNER is the
 * SHA-256 of the modulus as stored, little-endian.
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
#include <asm/unaligned.h>

#include <linux/ebroker_sgx.h>

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

/* 32-bit limbs of a SIGSTRUCT integer, and of a product of three. */
#define EB_SIG_LIMBS	(EB_MODULUS_SIZE / sizeof(u32))
#define EB_SIG_WIDE	(3 * EB_SIG_LIMBS + 1)

/* The Q1 and Q2 check's integers, least significant limb first. */
struct eb_sig_q {
	u32 n[EB_SIG_LIMBS], s[EB_SIG_LIMBS];
	u32 q1[EB_SIG_LIMBS], q2[EB_SIG_LIMBS];
	u32 pow[EB_SIG_WIDE], cube[EB_SIG_WIDE];
	u32 lo[EB_SIG_WIDE], hi[EB_SIG_WIDE];
};

/* Scratch space for one verification, too large for the stack. */
struct eb_sig_work {
	u8 be[EB_MODULUS_SIZE];		/* a big-endian copy of an integer */
	u8 em[EB_MODULUS_SIZE];		/* s^e mod n, big-endian */
	u8 expected[EB_MODULUS_SIZE];	/* the EM a valid signature gives */
	struct eb_sig_q q;
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
 * EINIT reduces S^2 and S^3 modulo N with the quotients the signer stored,
 * Q1 = floor(S^2 / N) and Q2 = floor((S^3 - Q1 * S * N) / N), and refuses
 * the signature when either is wrong. Each is checked by its definition:
 *
 *   Q1 * N               <= S^2 < Q1 * N + N
 *   Q1 * S * N + Q2 * N  <= S^3 < Q1 * S * N + Q2 * N + N
 *
 * The products are made here, on 32-bit limbs in the scratch space, not
 * with the MPI library: 6.1's mpi_mul() neither reports nor frees a failed
 * allocation of its Karatsuba scratch space, so an out-of-memory would
 * turn into a refusal of a good SIGSTRUCT, and a leak. This way the check
 * allocates nothing. Everything here is public.
 */
static void eb_sig_limbs(u32 limbs[EB_SIG_LIMBS], const u8 le[EB_MODULUS_SIZE])
{
	size_t i;

	for (i = 0; i < EB_SIG_LIMBS; i++)
		limbs[i] = get_unaligned_le32(le + 4 * i);
}

/* @r (EB_SIG_WIDE limbs) = @a (@la limbs) * @b (@lb limbs) */
static void eb_sig_mul(u32 *r, const u32 *a, size_t la, const u32 *b,
		       size_t lb)
{
	size_t i, j;
	u64 c;

	memset(r, 0, EB_SIG_WIDE * sizeof(*r));
	for (i = 0; i < la; i++) {
		c = 0;
		for (j = 0; j < lb; j++) {
			/* At most (2^32 - 1)^2 + 2 * (2^32 - 1): no overflow. */
			c += (u64)a[i] * b[j] + r[i + j];
			r[i + j] = lower_32_bits(c);
			c >>= 32;
		}
		r[i + lb] = lower_32_bits(c);
	}
}

/* @r = @a + @b, @a and @r EB_SIG_WIDE limbs, @b @lb limbs */
static void eb_sig_add(u32 *r, const u32 *a, const u32 *b, size_t lb)
{
	u64 c = 0;
	size_t i;

	for (i = 0; i < EB_SIG_WIDE; i++) {
		c += (u64)a[i] + (i < lb ? b[i] : 0);
		r[i] = lower_32_bits(c);
		c >>= 32;
	}
}

/* Compare @a and @b, EB_SIG_WIDE limbs each: < 0, 0 or > 0. */
static int eb_sig_cmp(const u32 *a, const u32 *b)
{
	size_t i = EB_SIG_WIDE;

	while (i--)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Is @x in [@lo, @hi)? */
static bool eb_sig_within(const u32 *x, const u32 *lo, const u32 *hi)
{
	return eb_sig_cmp(lo, x) <= 0 && eb_sig_cmp(x, hi) < 0;
}

static bool eb_sig_q_valid(struct eb_sig_work *w, const struct eb_sigstruct *ss)
{
	struct eb_sig_q *q = &w->q;

	eb_sig_limbs(q->n, ss->modulus);
	eb_sig_limbs(q->s, ss->signature);
	eb_sig_limbs(q->q1, ss->q1);
	eb_sig_limbs(q->q2, ss->q2);

	eb_sig_mul(q->pow, q->s, EB_SIG_LIMBS, q->s, EB_SIG_LIMBS);
	eb_sig_mul(q->lo, q->q1, EB_SIG_LIMBS, q->n, EB_SIG_LIMBS);
	eb_sig_add(q->hi, q->lo, q->n, EB_SIG_LIMBS);
	if (!eb_sig_within(q->pow, q->lo, q->hi))
		return false;

	/* S^3, then Q1 * N * S, then Q2 * N. */
	eb_sig_mul(q->cube, q->pow, 2 * EB_SIG_LIMBS, q->s, EB_SIG_LIMBS);
	eb_sig_mul(q->pow, q->lo, 2 * EB_SIG_LIMBS, q->s, EB_SIG_LIMBS);
	eb_sig_mul(q->hi, q->q2, EB_SIG_LIMBS, q->n, EB_SIG_LIMBS);
	eb_sig_add(q->lo, q->pow, q->hi, EB_SIG_WIDE);
	eb_sig_add(q->hi, q->lo, q->n, EB_SIG_LIMBS);
	return eb_sig_within(q->cube, q->lo, q->hi);
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
 * modulus); -EKEYREJECTED when the signature does not verify or Q1 or Q2
 * is wrong; -ENOMEM.
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
	if (!eb_sig_q_valid(work, ss))
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
