/* SPDX-License-Identifier: GPL-2.0 */
/* Host unit tests for the MRENCLAVE computation (mrenclave.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ebroker/sign.h>

/* The harness defines non-static functions without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "ossl.h"

struct kat_page {
	uint64_t offset;
	uint64_t flags;
	uint8_t seed;
	bool extend;
};

#define REG_R  (EB_SECINFO_PT_REG | EB_SECINFO_R)
#define REG_RW (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W)
#define REG_RX (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_X)
#define KAT_RW 2 /* index of the RW page in kat_enclave */

/* Keep in sync with the enclave described in mrenclave_kat.py. */
#define KAT_SIZE 0x8000
#define KAT_SSA	 1
static const struct kat_page kat_enclave[] = {
	{ 0x0000, EB_SECINFO_PT_TCS, 0x11, true },
	{ 0x1000, REG_RX, 0x22, true },
	{ 0x2000, REG_RW, 0x33, true },
	{ 0x7000, REG_R, 0x44, false },
};

/* Printed by sdk/signer/mrenclave_kat.py (hashlib, not this library). */
static const char kat_mrenclave[] =
    "48f56b3feba4aedfbf231399cd0732e0b028cf7ab5c28d9000a7e79738f675c0";

static void pattern(uint8_t page[EB_PAGE_SIZE], uint8_t seed)
{
	for (size_t i = 0; i < EB_PAGE_SIZE; i++)
		page[i] = (uint8_t)(i * 13 + seed);
}

static void hex(const uint8_t d[EB_HASH_SIZE], char ret[2 * EB_HASH_SIZE + 1])
{
	for (size_t i = 0; i < EB_HASH_SIZE; i++)
		sprintf(ret + 2 * i, "%02x", d[i]);
}

/*
 * Measure @pages; @poke, if >= 0, flips that byte of page @poke_page's data.
 * Returns 0 or the first error.
 */
static int measure(uint64_t size, uint32_t ssa, const struct kat_page *pages, size_t n,
		   int poke_page, int poke, uint8_t ret[EB_HASH_SIZE])
{
	struct eb_secs secs = { .size = size, .ssa_frame_size = ssa };
	struct ebroker_measure *m = NULL;
	static uint8_t page[EB_PAGE_SIZE];
	int r;

	r = ebroker_measure_new(&secs, &m);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct eb_secinfo si = { .flags = pages[i].flags };

		pattern(page, pages[i].seed);
		if ((int)i == poke_page && poke >= 0)
			page[poke] ^= 0x01;
		r = ebroker_measure_add_page(m, pages[i].offset, &si, page, pages[i].extend);
		if (r < 0)
			goto out;
	}
	r = ebroker_measure_finish(m, ret);
out:
	ebroker_measure_free(m);
	return r;
}

static int measure_kat(uint8_t ret[EB_HASH_SIZE])
{
	return measure(KAT_SIZE, KAT_SSA, kat_enclave, ELEMENTSOF(kat_enclave), -1, -1, ret);
}

TEST(known_answer)
{
	uint8_t d[EB_HASH_SIZE];
	char h[2 * EB_HASH_SIZE + 1];

	ASSERT_EQ(0, measure_kat(d));
	hex(d, h);
	EXPECT_STREQ(kat_mrenclave, h);
}

TEST(unextended_contents_not_measured)
{
	struct kat_page pages[ELEMENTSOF(kat_enclave)];
	uint8_t a[EB_HASH_SIZE], b[EB_HASH_SIZE];

	ASSERT_EQ(0, measure_kat(a));
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[3].seed = 0x99;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), 3, 100, b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
}

TEST(null_page_without_extend)
{
	struct eb_secs secs = { .size = KAT_SIZE, .ssa_frame_size = KAT_SSA };
	struct eb_secinfo si = { .flags = REG_R };
	struct ebroker_measure *m = NULL;
	uint8_t a[EB_HASH_SIZE], b[EB_HASH_SIZE];

	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, &kat_enclave[3], 1, -1, -1, a));
	ASSERT_EQ(0, ebroker_measure_new(&secs, &m));
	ASSERT_EQ(0, ebroker_measure_add_page(m, 0x7000, &si, NULL, false));
	ASSERT_EQ(0, ebroker_measure_finish(m, b));
	ebroker_measure_free(m);
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
}

TEST(every_input_is_measured)
{
	/* Each variant differs from kat_enclave in one thing. */
	static const int bytes[] = { 0, 255, 256, 2048, EB_PAGE_SIZE - 1 };
	struct kat_page pages[ELEMENTSOF(kat_enclave)];
	uint8_t kat[EB_HASH_SIZE], d[EB_HASH_SIZE];

	ASSERT_EQ(0, measure_kat(kat));

	/* One data byte, in several 256-byte blocks of an extended page. */
	for (size_t i = 0; i < ELEMENTSOF(bytes); i++) {
		ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, kat_enclave, ELEMENTSOF(kat_enclave),
				     KAT_RW, bytes[i], d));
		EXPECT_NE(0, memcmp(kat, d, sizeof(d)))
		{
			TH_LOG("flipping byte %d is not measured", bytes[i]);
		}
	}

	/* The offset. */
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[KAT_RW].offset = 0x3000;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));

	/* A SECINFO flag, for an extended and an unextended page. */
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[KAT_RW].flags = REG_R;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[3].flags = REG_RW;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));

	/* Whether the page is extended, both ways. */
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[KAT_RW].extend = false;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[3].extend = true;
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));

	/* The order pages are added in. */
	memcpy(pages, kat_enclave, sizeof(pages));
	pages[1] = kat_enclave[KAT_RW];
	pages[KAT_RW] = kat_enclave[1];
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, pages, ELEMENTSOF(pages), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));

	/* The SECS fields ECREATE measures. */
	ASSERT_EQ(0,
		  measure(2 * KAT_SIZE, KAT_SSA, kat_enclave, ELEMENTSOF(kat_enclave), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));
	ASSERT_EQ(0,
		  measure(KAT_SIZE, KAT_SSA + 1, kat_enclave, ELEMENTSOF(kat_enclave), -1, -1, d));
	EXPECT_NE(0, memcmp(kat, d, sizeof(d)));
}

TEST(secs_fields_not_measured)
{
	struct eb_secs secs = {
		.size = KAT_SIZE,
		.ssa_frame_size = KAT_SSA,
		.base = 0x7f0000000000ULL,
		.attributes = EB_ATTR_MODE64BIT | EB_ATTR_DEBUG,
		.xfrm = 3,
	};
	struct ebroker_measure *m = NULL;
	uint8_t a[EB_HASH_SIZE], b[EB_HASH_SIZE];

	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, NULL, 0, -1, -1, a));
	ASSERT_EQ(0, ebroker_measure_new(&secs, &m));
	ASSERT_EQ(0, ebroker_measure_finish(m, b));
	ebroker_measure_free(m);
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
}

TEST(finish_does_not_end_measurement)
{
	struct eb_secs secs = { .size = KAT_SIZE, .ssa_frame_size = KAT_SSA };
	struct ebroker_measure *m = NULL;
	static uint8_t page[EB_PAGE_SIZE];
	uint8_t kat[EB_HASH_SIZE], first[EB_HASH_SIZE], d[EB_HASH_SIZE];

	ASSERT_EQ(0, measure_kat(kat));
	ASSERT_EQ(0, measure(KAT_SIZE, KAT_SSA, kat_enclave, 1, -1, -1, first));

	ASSERT_EQ(0, ebroker_measure_new(&secs, &m));
	for (size_t i = 0; i < ELEMENTSOF(kat_enclave); i++) {
		struct eb_secinfo si = { .flags = kat_enclave[i].flags };

		pattern(page, kat_enclave[i].seed);
		ASSERT_EQ(0, ebroker_measure_add_page(m, kat_enclave[i].offset, &si, page,
						      kat_enclave[i].extend));
		if (i == 0) {
			ASSERT_EQ(0, ebroker_measure_finish(m, d));
			EXPECT_EQ(0, memcmp(first, d, sizeof(d)));
			ASSERT_EQ(0, ebroker_measure_finish(m, d));
			EXPECT_EQ(0, memcmp(first, d, sizeof(d)));
		}
	}
	ASSERT_EQ(0, ebroker_measure_finish(m, d));
	ebroker_measure_free(m);
	EXPECT_EQ(0, memcmp(kat, d, sizeof(d)));
}

TEST(new_rejects_bad_input)
{
	struct ebroker_measure *sentinel = (struct ebroker_measure *)&sentinel;
	struct ebroker_measure *m = sentinel;
	static const struct {
		uint64_t size;
		uint32_t ssa;
	} bad[] = {
		{ 0, 1 },
		{ EB_PAGE_SIZE, 1 },	 /* a single page */
		{ 3 * EB_PAGE_SIZE, 1 }, /* not a power of two */
		{ KAT_SIZE + 1, 1 },
		{ KAT_SIZE, 0 }, /* no SSA frame */
	};

	EXPECT_EQ(-EINVAL, ebroker_measure_new(NULL, &m));
	EXPECT_EQ(-EINVAL, ebroker_measure_new(
			       &(struct eb_secs){ .size = KAT_SIZE, .ssa_frame_size = 1 }, NULL));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct eb_secs secs = { .size = bad[i].size, .ssa_frame_size = bad[i].ssa };

		EXPECT_EQ(-EINVAL, ebroker_measure_new(&secs, &m))
		{
			TH_LOG("size %#llx ssa %u accepted", (unsigned long long)bad[i].size,
			       bad[i].ssa);
		}
	}
	EXPECT_EQ(sentinel, m);
	EXPECT_EQ(NULL, ebroker_measure_free(NULL));
}

TEST(add_page_rejects_bad_input)
{
	struct eb_secs secs = { .size = KAT_SIZE, .ssa_frame_size = KAT_SSA };
	struct eb_secinfo si = { .flags = REG_RW };
	struct ebroker_measure *m = NULL;
	static uint8_t page[EB_PAGE_SIZE];
	uint8_t before[EB_HASH_SIZE], after[EB_HASH_SIZE];
	static const uint64_t bad_flags[] = {
		EB_SECINFO_PT_SECS | EB_SECINFO_R,		 /* not an EADD page type */
		(0x03ULL << EB_SECINFO_PT_SHIFT) | EB_SECINFO_R, /* PT_VA */
		EB_SECINFO_PT_TCS | EB_SECINFO_R,		 /* TCS with permissions */
		EB_SECINFO_PT_REG | EB_SECINFO_W,		 /* W without R */
		EB_SECINFO_PT_REG | EB_SECINFO_W | EB_SECINFO_X,
		REG_R | 0x08, /* reserved flag bits */
		REG_R | (1ULL << 16),
		REG_R | (1ULL << 63),
	};

	ASSERT_EQ(0, ebroker_measure_new(&secs, &m));
	ASSERT_EQ(0, ebroker_measure_finish(m, before));

	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(NULL, 0, &si, page, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0, NULL, page, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0, &si, NULL, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 1, &si, page, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0x800, &si, page, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, KAT_SIZE, &si, page, true));
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, UINT64_MAX & ~0xfffULL, &si, page, true));
	for (size_t i = 0; i < ELEMENTSOF(bad_flags); i++) {
		si.flags = bad_flags[i];
		EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0, &si, page, true))
		{
			TH_LOG("SECINFO flags %#llx accepted", (unsigned long long)bad_flags[i]);
		}
	}
	si.flags = REG_RW;
	si.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0, &si, page, true));
	si.reserved[0] = 0;
	si.reserved[sizeof(si.reserved) - 1] = 1;
	EXPECT_EQ(-EINVAL, ebroker_measure_add_page(m, 0, &si, page, false));

	EXPECT_EQ(-EINVAL, ebroker_measure_finish(NULL, after));
	EXPECT_EQ(-EINVAL, ebroker_measure_finish(m, NULL));

	/* Nothing refused was measured. */
	ASSERT_EQ(0, ebroker_measure_finish(m, after));
	EXPECT_EQ(0, memcmp(before, after, sizeof(after)));

	/* The last page is fine. */
	si.reserved[sizeof(si.reserved) - 1] = 0;
	EXPECT_EQ(0, ebroker_measure_add_page(m, KAT_SIZE - EB_PAGE_SIZE, &si, page, true));
	EXPECT_EQ(NULL, ebroker_measure_free(m));
}

TEST_HARNESS_MAIN
