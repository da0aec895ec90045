// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave measurement. The record layouts are SGX's (SDM Vol. 3D,
 * "ECREATE", "EADD", "EEXTEND"), so an image measures here exactly as it
 * would on hardware.
 */
#include <linux/build_bug.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "measure.h"

#define EB_MR_ECREATE	0x0045544145524345ULL	/* "ECREATE\0" */
#define EB_MR_EADD	0x0000000044444145ULL	/* "EADD\0\0\0\0" */
#define EB_MR_EEXTEND	0x00444E4554584545ULL	/* "EEXTEND\0" */
#define EB_MR_BLOCK	256

struct eb_mr_ecreate {
	__le64 tag;
	__le32 ssa_frame_size;
	__le64 size;
	u8 reserved[44];
} __packed;

struct eb_mr_eadd {
	__le64 tag;
	__le64 offset;
	__le64 secinfo_flags;	/* the first 48 bytes of SECINFO */
	u8 reserved[40];
} __packed;

struct eb_mr_eextend {
	__le64 tag;
	__le64 offset;
	u8 reserved[48];
} __packed;

static_assert(sizeof(struct eb_mr_ecreate) == 64);
static_assert(sizeof(struct eb_mr_eadd) == 64);
static_assert(sizeof(struct eb_mr_eextend) == 64);

void eb_measure_ecreate(struct eb_measure *m, u32 ssa_frame_size, u64 size)
{
	struct eb_mr_ecreate rec = {
		.tag = cpu_to_le64(EB_MR_ECREATE),
		.ssa_frame_size = cpu_to_le32(ssa_frame_size),
		.size = cpu_to_le64(size),
	};

	sha256_init(&m->sha);
	sha256_update(&m->sha, (const u8 *)&rec, sizeof(rec));
}

void eb_measure_eadd(struct eb_measure *m, u64 offset, u64 secinfo_flags)
{
	struct eb_mr_eadd rec = {
		.tag = cpu_to_le64(EB_MR_EADD),
		.offset = cpu_to_le64(offset),
		.secinfo_flags = cpu_to_le64(secinfo_flags),
	};

	sha256_update(&m->sha, (const u8 *)&rec, sizeof(rec));
}

void eb_measure_eextend_page(struct eb_measure *m, u64 offset,
			     const void *page)
{
	struct eb_mr_eextend rec = { .tag = cpu_to_le64(EB_MR_EEXTEND) };
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i += EB_MR_BLOCK) {
		rec.offset = cpu_to_le64(offset + i);
		sha256_update(&m->sha, (const u8 *)&rec, sizeof(rec));
		sha256_update(&m->sha, (const u8 *)page + i, EB_MR_BLOCK);
	}
}

void eb_measure_final(struct eb_measure *m, u8 mrenclave[SHA256_DIGEST_SIZE])
{
	sha256_final(&m->sha, mrenclave);
}
