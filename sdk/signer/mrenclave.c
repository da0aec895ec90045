/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MRENCLAVE, computed in userspace. Written apart from kmod/measure.c on
 * purpose: the selftests compare the two, so they must not share code.
 *
 * MRENCLAVE is SHA-256 over a stream of 64-byte records, one per ECREATE
 * and EADD, and one per 256-byte block EEXTEND measures, that block
 * following its record (SDM Vol. 3D, the ECREATE, EADD and EEXTEND
 * operation sections). Every integer in a record is little-endian.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ebroker/sign.h>

#include "ossl.h"

#define MR_RECORD_SIZE 64
#define MR_BLOCK_SIZE  256

#define MR_TAG_ECREATE 0x0045544145524345ULL /* "ECREATE\0" */
#define MR_TAG_EADD    0x0000000044444145ULL /* "EADD\0\0\0\0" */
#define MR_TAG_EEXTEND 0x00444E4554584545ULL /* "EEXTEND\0" */

/* EADD measures this much of SECINFO: FLAGS and the 40 bytes after it. */
#define MR_SECINFO_MEASURED 48

_Static_assert(sizeof(struct eb_secinfo) == EB_SECINFO_SIZE, "SECINFO layout");
_Static_assert(EB_PAGE_SIZE % MR_BLOCK_SIZE == 0, "EEXTEND blocks");

struct ebroker_measure {
	EVP_MD_CTX *sha;
	uint64_t size; /* ELRANGE size, bounds every offset */
	bool broken;   /* an update failed midway: the digest is garbage */
};

static int sha_update(struct ebroker_measure *m, const void *data, size_t n)
{
	if (EVP_DigestUpdate(m->sha, data, n) != 1) {
		m->broken = true;
		return -EIO;
	}
	return 0;
}

/* Refuse what EADD refuses, so a measurement never covers an unloadable page. */
static int secinfo_validate(const struct eb_secinfo *secinfo)
{
	uint64_t perm = secinfo->flags & EB_SECINFO_PERM_MASK;
	uint64_t type = secinfo->flags & EB_SECINFO_PT_MASK;

	if (secinfo->flags & EB_SECINFO_RESERVED)
		return -EINVAL;
	if (!mem_is_zero(secinfo->reserved, sizeof(secinfo->reserved)))
		return -EINVAL;

	/*
	 * The CPU silently clears a TCS page's permissions, which would make
	 * the measured SECINFO differ from the one given: refuse instead.
	 */
	if (type == EB_SECINFO_PT_TCS)
		return perm ? -EINVAL : 0;
	if (type != EB_SECINFO_PT_REG)
		return -EINVAL;
	if ((perm & EB_SECINFO_W) && !(perm & EB_SECINFO_R))
		return -EINVAL;
	return 0;
}

int ebroker_measure_new(const struct eb_secs *secs, struct ebroker_measure **ret)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *sha = NULL;
	uint8_t rec[MR_RECORD_SIZE] = { 0 };
	struct ebroker_measure *m;

	if (!secs || !ret)
		return -EINVAL;
	if (secs->size < 2 * EB_PAGE_SIZE || (secs->size & (secs->size - 1)))
		return -EINVAL;
	if (secs->ssa_frame_size == 0)
		return -EINVAL;

	sha = EVP_MD_CTX_new();
	if (!sha)
		return -ENOMEM;
	if (EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
		return -EIO;

	put_le64(rec, MR_TAG_ECREATE);
	put_le32(rec + 8, secs->ssa_frame_size);
	put_le64(rec + 12, secs->size);
	if (EVP_DigestUpdate(sha, rec, sizeof(rec)) != 1)
		return -EIO;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->sha = TAKE_PTR(sha);
	m->size = secs->size;
	*ret = m;
	return 0;
}

int ebroker_measure_add_page(struct ebroker_measure *m, uint64_t offset,
			     const struct eb_secinfo *secinfo, const void *page, bool extend)
{
	uint8_t rec[MR_RECORD_SIZE] = { 0 };
	int r;

	if (!m || !secinfo || (extend && !page))
		return -EINVAL;
	if (m->broken)
		return -EIO;
	if (offset % EB_PAGE_SIZE || offset >= m->size)
		return -EINVAL;
	r = secinfo_validate(secinfo);
	if (r < 0)
		return r;

	put_le64(rec, MR_TAG_EADD);
	put_le64(rec + 8, offset);
	memcpy(rec + 16, secinfo, MR_SECINFO_MEASURED);
	r = sha_update(m, rec, sizeof(rec));
	if (r < 0 || !extend)
		return r;

	for (size_t i = 0; i < EB_PAGE_SIZE; i += MR_BLOCK_SIZE) {
		memset(rec, 0, sizeof(rec));
		put_le64(rec, MR_TAG_EEXTEND);
		put_le64(rec + 8, offset + i);
		r = sha_update(m, rec, sizeof(rec));
		if (r < 0)
			return r;
		r = sha_update(m, (const uint8_t *)page + i, MR_BLOCK_SIZE);
		if (r < 0)
			return r;
	}
	return 0;
}

int ebroker_measure_finish(struct ebroker_measure *m, uint8_t ret_mrenclave[EB_HASH_SIZE])
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *copy = NULL;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int len;

	if (!m || !ret_mrenclave)
		return -EINVAL;
	if (m->broken)
		return -EIO;

	/* Finalise a copy so that the measurement can go on. */
	copy = EVP_MD_CTX_new();
	if (!copy)
		return -ENOMEM;
	if (EVP_MD_CTX_copy_ex(copy, m->sha) != 1)
		return -EIO;
	if (EVP_DigestFinal_ex(copy, digest, &len) != 1 || len != EB_HASH_SIZE)
		return -EIO;

	memcpy(ret_mrenclave, digest, EB_HASH_SIZE);
	return 0;
}

struct ebroker_measure *ebroker_measure_free(struct ebroker_measure *m)
{
	if (!m)
		return NULL;
	EVP_MD_CTX_free(m->sha);
	free(m);
	return NULL;
}
