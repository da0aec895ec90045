// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for libebimage: build, write and parse images, and every
 * refusal of the parser, each checked for its reason. Linked with the
 * library alone: this also proves it needs no OpenSSL.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <ebroker/image.h>

/*
 * The harness defines non-static functions without prototypes (fixtures
 * too, so for the whole file), and its EXPECT_EQ() compares a literal with
 * whatever type, as in the kselftests (built with -Wno-sign-compare).
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "common/util.h"

#define PAGE	 4096ULL
#define REG_R	 (EB_SECINFO_PT_REG | EB_SECINFO_R)
#define REG_RW	 (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W)
#define REG_RX	 (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_X)
#define TCS	 EB_SECINFO_PT_TCS
#define SIZE	 (16 * PAGE)
#define SSA_OFF	 (8 * PAGE)
#define ENTRY	 (PAGE + 0x10)
#define N_PAGES	 6
#define N_STORED 3 /* pages with data; the rest are zero pages */

/* Header field offsets (docs/image-format.md). */
#define H_MAGIC	      0x00
#define H_VERSION     0x08
#define H_HEADER_SIZE 0x0c
#define H_FLAGS	      0x10
#define H_PAGE_COUNT  0x14
#define H_TABLE	      0x18
#define H_DATA	      0x20
#define H_DATA_SIZE   0x28
#define H_SIGSTRUCT   0x30
#define H_ENCL_SIZE   0x38
#define H_SSA	      0x40
#define H_MISCSELECT  0x44
#define H_ATTRIBUTES  0x48
#define H_XFRM	      0x50
#define H_RESERVED    0x58
/* Page table entry field offsets. */
#define E_OFFSET  0
#define E_SECINFO 8
#define E_FLAGS	  16
#define E_DATA	  20

/* The test enclave, in load order; TCS contents come from make_tcs(). */
static const struct {
	uint64_t offset, flags;
	uint8_t seed; /* 0: a page of zeros */
	bool measure;
} layout[N_PAGES] = {
	{ 0, TCS, 1, true },
	{ PAGE, REG_RX, 0x22, true },
	{ 2 * PAGE, REG_R, 0x33, true },
	{ 3 * PAGE, REG_RW, 0, true },
	{ 4 * PAGE, REG_RW, 0, false },
	{ SSA_OFF, REG_RW, 0, true },
};

static void make_tcs(uint8_t *tcs)
{
	memset(tcs, 0, PAGE);
	put_le64(tcs + EB_TCS_OSSA, SSA_OFF);
	put_le32(tcs + EB_TCS_NSSA, 1);
	put_le64(tcs + EB_TCS_OENTRY, ENTRY);
	put_le32(tcs + EB_TCS_FSLIMIT, EB_TCS_LIMIT_LOW);
	put_le32(tcs + EB_TCS_GSLIMIT, EB_TCS_LIMIT_LOW);
}

static void page_bytes(size_t i, uint8_t *page)
{
	if (layout[i].flags == TCS) {
		make_tcs(page);
		return;
	}
	for (size_t b = 0; b < PAGE; b++)
		page[b] = layout[i].seed ? (uint8_t)(b * 7 + layout[i].seed) : 0;
}

static void test_secs(struct eb_secs *secs)
{
	memset(secs, 0, sizeof(*secs));
	secs->size = SIZE;
	secs->ssa_frame_size = 1;
	secs->attributes = EB_ATTR_MODE64BIT | EB_ATTR_DEBUG;
	secs->xfrm = 3;
}

static void test_sigstruct(struct eb_sigstruct *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(s->enclavehash); i++)
		s->enclavehash[i] = (uint8_t)i;
	s->attributes = EB_ATTR_MODE64BIT | EB_ATTR_DEBUG;
	s->attributemask = ~EB_ATTR_INIT;
	s->xfrm = 3;
	s->xfrmmask = ~0ULL;
	s->miscmask = ~0U;
	s->isv_prod_id = 7;
	s->isv_svn = 3;
}

/* The test enclave as an image being built. */
static struct ebroker_image *build(void)
{
	static uint8_t page[PAGE] __attribute__((aligned(PAGE)));
	struct eb_sigstruct sig;
	struct ebroker_image *img = NULL;
	struct eb_secs secs;

	test_secs(&secs);
	test_sigstruct(&sig);
	if (ebroker_image_new(&secs, &img) < 0)
		return NULL;
	for (size_t i = 0; i < N_PAGES; i++) {
		page_bytes(i, page);
		if (ebroker_image_add_page(img, layout[i].offset, layout[i].flags, page,
					   layout[i].measure, NULL) < 0)
			return ebroker_image_free(img);
	}
	if (ebroker_image_set_sigstruct(img, &sig) < 0)
		return ebroker_image_free(img);
	return img;
}

FIXTURE(file)
{
	uint8_t *buf; /* a valid image file, mutated by the tests */
	size_t len;
	uint64_t table, data;
};

FIXTURE_SETUP(file)
{
	struct ebroker_image *img = build();
	void *buf;

	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, ebroker_image_serialize(img, &buf, &self->len));
	self->buf = buf;
	self->table = get_le64(self->buf + H_TABLE);
	self->data = get_le64(self->buf + H_DATA);
	ebroker_image_free(img);
}

FIXTURE_TEARDOWN(file)
{
	free(self->buf);
}

/* Parse; on refusal, *why names the check. */
static int parse(const uint8_t *buf, size_t len, const char **why)
{
	struct ebroker_image *img = NULL;
	int r;

	*why = "";
	r = ebroker_image_parse_why(buf, len, &img, why);
	ebroker_image_free(img);
	return r;
}

TEST_F(file, layout_on_disk)
{
	/* Header, SIGSTRUCT, table, then stored pages from a page boundary. */
	EXPECT_EQ(0, memcmp(self->buf, "EBIMAGE", 8));
	EXPECT_EQ(1, get_le32(self->buf + H_VERSION));
	EXPECT_EQ(128, get_le32(self->buf + H_HEADER_SIZE));
	EXPECT_EQ(N_PAGES, get_le32(self->buf + H_PAGE_COUNT));
	EXPECT_EQ(128, get_le64(self->buf + H_SIGSTRUCT));
	EXPECT_EQ(128 + 1808, self->table);
	EXPECT_EQ(PAGE, self->data);
	EXPECT_EQ(N_STORED * PAGE, get_le64(self->buf + H_DATA_SIZE));
	EXPECT_EQ(self->data + N_STORED * PAGE, self->len);
	EXPECT_EQ(SIZE, get_le64(self->buf + H_ENCL_SIZE));

	/* Zero pages are not stored; the rest are, in order. */
	for (size_t i = 0, d = 0; i < N_PAGES; i++) {
		const uint8_t *e = self->buf + self->table + i * EBROKER_IMAGE_ENTRY_SIZE;

		EXPECT_EQ(layout[i].offset, get_le64(e + E_OFFSET));
		EXPECT_EQ(layout[i].flags, get_le64(e + E_SECINFO));
		EXPECT_EQ(layout[i].measure ? 1 : 0, get_le32(e + E_FLAGS));
		EXPECT_EQ(layout[i].flags == TCS || layout[i].seed ? d++ : EBROKER_IMAGE_ZERO_PAGE,
			  get_le32(e + E_DATA));
	}
}

TEST_F(file, round_trip)
{
	static uint8_t page[PAGE];
	struct ebroker_image *img = NULL, *built;
	struct eb_sigstruct sig;
	struct eb_secs secs;
	void *again, *orig;
	size_t len, orig_len;

	ASSERT_EQ(0, ebroker_image_parse(self->buf, self->len, &img));
	/* The bytes were copied: the caller's buffer may go. */
	memset(self->buf, 0xee, self->len);

	test_secs(&secs);
	EXPECT_EQ(0, memcmp(&secs, ebroker_image_secs(img), sizeof(secs)));
	test_sigstruct(&sig);
	ASSERT_NE(NULL, ebroker_image_sigstruct(img));
	EXPECT_EQ(0, memcmp(&sig, ebroker_image_sigstruct(img), sizeof(sig)));
	ASSERT_EQ(N_PAGES, ebroker_image_page_count(img));
	for (size_t i = 0; i < N_PAGES; i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);

		ASSERT_NE(NULL, p);
		EXPECT_EQ(layout[i].offset, p->offset);
		EXPECT_EQ(layout[i].flags, p->secinfo_flags);
		EXPECT_EQ(layout[i].measure, p->measure);
		EXPECT_EQ(0, (uintptr_t)p->data % PAGE) TH_LOG("page %zu data not page aligned", i);
		page_bytes(i, page);
		EXPECT_EQ(0, memcmp(page, p->data, PAGE)) TH_LOG("page %zu", i);
	}
	/* Every zero page shares one copy. */
	EXPECT_EQ(ebroker_image_page(img, 3)->data, ebroker_image_page(img, 5)->data);
	EXPECT_EQ(1, ebroker_image_tcs_count(img));
	EXPECT_EQ(0, ebroker_image_tcs_offset(img, 0));

	/* Out of range: NULL or UINT64_MAX, never a read outside. */
	EXPECT_EQ(NULL, ebroker_image_page(img, N_PAGES));
	EXPECT_EQ(NULL, ebroker_image_page(img, SIZE_MAX));
	EXPECT_EQ(UINT64_MAX, ebroker_image_tcs_offset(img, 1));

	/* A parsed image writes back byte for byte. */
	ASSERT_EQ(0, ebroker_image_serialize(img, &again, &len));
	built = build();
	ASSERT_NE(NULL, built);
	ASSERT_EQ(0, ebroker_image_serialize(built, &orig, &orig_len));
	ASSERT_EQ(orig_len, len);
	EXPECT_EQ(0, memcmp(orig, again, len));
	free(again);
	free(orig);
	ebroker_image_free(built);
	EXPECT_EQ(NULL, ebroker_image_free(img));
	EXPECT_EQ(NULL, ebroker_image_free(NULL));
}

/* Every proper prefix of a valid image is refused: nothing is read past it. */
TEST_F(file, every_truncation)
{
	const char *why;

	for (size_t len = 0; len < self->len; len++) {
		int r = parse(self->buf, len, &why);

		ASSERT_EQ(-EBADMSG, r) TH_LOG("prefix of %zu bytes", len);
		ASSERT_NE(NULL, strstr(why, "truncated")) TH_LOG("%zu bytes: %s", len, why);
	}
	EXPECT_EQ(0, parse(self->buf, self->len, &why));
}

/* One field set to one value, and the reason the parser must give. */
struct mutation {
	const char *name;
	int where; /* 0: header, 1: page table entry, 2: page data, 3: SIGSTRUCT */
	size_t entry;
	size_t offset;
	int width; /* 1, 4 or 8 bytes */
	uint64_t value;
	const char *why;
};

static const struct mutation mutations[] = {
	{ "magic", 0, 0, H_MAGIC, 1, 'X', "bad magic" },
	{ "version 0", 0, 0, H_VERSION, 4, 0, "version" },
	{ "version 2", 0, 0, H_VERSION, 4, 2, "version" },
	{ "header size", 0, 0, H_HEADER_SIZE, 4, 136, "header size" },
	{ "header flags", 0, 0, H_FLAGS, 4, 1, "unknown header flags" },
	{ "reserved", 0, 0, H_RESERVED + 39, 1, 1, "reserved bytes" },
	{ "no pages", 0, 0, H_PAGE_COUNT, 4, 0, "no pages" },
	{ "2^20 + 1 pages", 0, 0, H_PAGE_COUNT, 4, (1 << 20) + 1, "2^20" },
	{ "all pages 2^32 - 1", 0, 0, H_PAGE_COUNT, 4, UINT32_MAX, "2^20" },
	{ "one page more", 0, 0, H_PAGE_COUNT, 4, N_PAGES + 1, "out of order" },
	{ "one page less", 0, 0, H_PAGE_COUNT, 4, N_PAGES - 1, "padding" },
	{ "data unaligned", 0, 0, H_DATA, 8, PAGE + 8, "not page aligned" },
	{ "data size odd", 0, 0, H_DATA_SIZE, 8, N_STORED *PAGE - 1, "multiple" },
	{ "data size large", 0, 0, H_DATA_SIZE, 8, (N_PAGES + 1) * PAGE, "more pages" },
	{ "data size short", 0, 0, H_DATA_SIZE, 8, (N_STORED - 1) * PAGE, "trailing" },
	{ "data past end", 0, 0, H_DATA, 8, 64 * PAGE, "truncated" },
	{ "data wraps", 0, 0, H_DATA, 8, UINT64_MAX & ~(PAGE - 1), "truncated" },
	{ "data over table", 0, 0, H_DATA, 8, 0, "overlap" },
	{ "sigstruct in header", 0, 0, H_SIGSTRUCT, 8, 0, "overlap" },
	{ "sigstruct over table", 0, 0, H_SIGSTRUCT, 8, 128 + 1808 - 8, "overlap" },
	{ "sigstruct past end", 0, 0, H_SIGSTRUCT, 8, UINT64_MAX - 100, "truncated" },
	{ "table in header", 0, 0, H_TABLE, 8, 64, "overlap" },
	{ "table wraps", 0, 0, H_TABLE, 8, UINT64_MAX - 10, "truncated" },
	{ "size not 2^n", 0, 0, H_ENCL_SIZE, 8, 3 * PAGE, "power of two" },
	{ "size one page", 0, 0, H_ENCL_SIZE, 8, PAGE, "power of two" },
	{ "size zero", 0, 0, H_ENCL_SIZE, 8, 0, "power of two" },
	{ "size 128 GiB", 0, 0, H_ENCL_SIZE, 8, 128ULL << 30, "64 GiB" },
	{ "size 2^63", 0, 0, H_ENCL_SIZE, 8, 1ULL << 63, "64 GiB" },
	{ "ssa 0", 0, 0, H_SSA, 4, 0, "SSA frame size" },
	{ "ssa 17", 0, 0, H_SSA, 4, 17, "SSA frame size" },
	{ "miscselect", 0, 0, H_MISCSELECT, 4, 2, "MISCSELECT" },
	{ "INIT", 0, 0, H_ATTRIBUTES, 8, EB_ATTR_MODE64BIT | EB_ATTR_INIT, "INIT" },
	{ "reserved attr", 0, 0, H_ATTRIBUTES, 8, EB_ATTR_MODE64BIT | 0x8, "reserved bits" },
	{ "no MODE64BIT", 0, 0, H_ATTRIBUTES, 8, EB_ATTR_DEBUG, "MODE64BIT" },
	{ "xfrm", 0, 0, H_XFRM, 8, 1, "XFRM" },
	/* The header no longer matches the signed attributes. */
	{ "not debug", 0, 0, H_ATTRIBUTES, 8, EB_ATTR_MODE64BIT, "SIGSTRUCT attributes" },
	{ "xfrm 7", 0, 0, H_XFRM, 8, 7, "SIGSTRUCT XFRM" },
	{ "miscselect 1", 0, 0, H_MISCSELECT, 4, 1, "SIGSTRUCT MISCSELECT" },

	{ "page flags", 1, 1, E_FLAGS, 4, 3, "unknown page flags" },
	{ "page unaligned", 1, 1, E_OFFSET, 8, PAGE + 1, "not page aligned" },
	{ "page duplicate", 1, 2, E_OFFSET, 8, PAGE, "not ascending" },
	{ "page backwards", 1, 1, E_OFFSET, 8, 0, "not ascending" },
	{ "page at size", 1, 5, E_OFFSET, 8, SIZE, "below the enclave size" },
	{ "page far", 1, 5, E_OFFSET, 8, UINT64_MAX & ~(PAGE - 1), "below the enclave size" },
	{ "secinfo reserved", 1, 1, E_SECINFO, 8, REG_RX | 0x8, "reserved bits" },
	{ "secinfo high", 1, 1, E_SECINFO, 8, REG_RX | (1ULL << 63), "reserved bits" },
	{ "type SECS", 1, 1, E_SECINFO, 8, EB_SECINFO_R, "neither REG nor TCS" },
	{ "type 3", 1, 1, E_SECINFO, 8, 3ULL << 8 | EB_SECINFO_R, "neither REG nor TCS" },
	{ "TCS with perms", 1, 0, E_SECINFO, 8, TCS | EB_SECINFO_R, "TCS page with perm" },
	{ "W without R", 1, 3, E_SECINFO, 8, EB_SECINFO_PT_REG | EB_SECINFO_W, "not readable" },
	{ "no TCS", 1, 0, E_SECINFO, 8, REG_R, "no TCS" },
	{ "data reordered", 1, 1, E_DATA, 4, 2, "out of order" },
	{ "data repeated", 1, 1, E_DATA, 4, 0, "out of order" },
	{ "data unused", 1, 2, E_DATA, 4, EBROKER_IMAGE_ZERO_PAGE, "no entry uses" },
	{ "data past", 1, 3, E_DATA, 4, 3, "past the data section" },
	{ "unmeasured data", 1, 1, E_FLAGS, 4, 0, "unmeasured page" },

	{ "TCS flags", 2, 0, EB_TCS_FLAGS, 8, 2, "FLAGS" },
	{ "TCS CSSA", 2, 0, EB_TCS_CSSA, 4, 1, "CSSA" },
	{ "TCS NSSA 0", 2, 0, EB_TCS_NSSA, 4, 0, "NSSA" },
	{ "TCS NSSA large", 2, 0, EB_TCS_NSSA, 4, 9, "SSA frames" },
	{ "TCS NSSA huge", 2, 0, EB_TCS_NSSA, 4, UINT32_MAX, "SSA frames" },
	{ "TCS OSSA odd", 2, 0, EB_TCS_OSSA, 8, SSA_OFF + 8, "SSA frames" },
	{ "TCS OSSA out", 2, 0, EB_TCS_OSSA, 8, SIZE, "SSA frames" },
	{ "TCS OSSA far", 2, 0, EB_TCS_OSSA, 8, UINT64_MAX & ~(PAGE - 1), "SSA frames" },
	{ "TCS entry", 2, 0, EB_TCS_OENTRY, 8, SIZE, "entry point" },
	{ "TCS FS base", 2, 0, EB_TCS_OFSBASE, 8, 0x10, "FS or GS base" },
	{ "TCS GS base", 2, 0, EB_TCS_OGSBASE, 8, SIZE, "FS or GS base" },
	{ "TCS FS limit", 2, 0, EB_TCS_FSLIMIT, 4, 0xffe, "limit" },
	{ "TCS GS limit", 2, 0, EB_TCS_GSLIMIT, 4, 0, "limit" },
	{ "TCS reserved", 2, 0, PAGE - 1, 1, 1, "TCS reserved" },

	{ "sig xfrm", 3, 0, offsetof(struct eb_sigstruct, xfrm), 8, 7, "SIGSTRUCT XFRM" },
	{ "sig misc", 3, 0, offsetof(struct eb_sigstruct, miscselect), 4, 1, "MISCSELECT" },
	{ "sig attributes", 3, 0, offsetof(struct eb_sigstruct, attributes), 8, EB_ATTR_MODE64BIT,
	  "SIGSTRUCT attributes" },
};

TEST_F(file, every_bad_field)
{
	for (size_t i = 0; i < ELEMENTSOF(mutations); i++) {
		const struct mutation *m = &mutations[i];
		uint8_t *copy = malloc(self->len);
		size_t at = m->offset;
		const char *why;
		int r;

		ASSERT_NE(NULL, copy);
		memcpy(copy, self->buf, self->len);
		if (m->where == 1)
			at += self->table + m->entry * EBROKER_IMAGE_ENTRY_SIZE;
		else if (m->where == 2)
			at += self->data + m->entry * PAGE;
		else if (m->where == 3)
			at += get_le64(self->buf + H_SIGSTRUCT);
		if (m->width == 1)
			copy[at] = (uint8_t)m->value;
		else if (m->width == 4)
			put_le32(copy + at, (uint32_t)m->value);
		else
			put_le64(copy + at, m->value);

		r = parse(copy, self->len, &why);
		EXPECT_EQ(-EBADMSG, r) TH_LOG("%s: accepted", m->name);
		EXPECT_NE(NULL, strstr(why, m->why)) TH_LOG("%s: refused for '%s'", m->name, why);
		free(copy);
	}
}

TEST_F(file, trailing_and_padding)
{
	uint8_t *longer = calloc(1, self->len + 1);
	const char *why;

	ASSERT_NE(NULL, longer);
	memcpy(longer, self->buf, self->len);
	EXPECT_EQ(-EBADMSG, parse(longer, self->len + 1, &why));
	EXPECT_STREQ("trailing bytes after the last section", why);

	/* Between the page table and the data: zeros only. */
	longer[self->data - 1] = 1;
	EXPECT_EQ(-EBADMSG, parse(longer, self->len, &why));
	EXPECT_STREQ("padding between sections not zero", why);
	free(longer);
}

/* The sections may come in any order, as long as they are apart. */
TEST_F(file, sections_any_order)
{
	size_t len = self->len + 1808;
	uint8_t *moved = calloc(1, len);
	struct ebroker_image *img = NULL;
	struct eb_sigstruct sig;

	ASSERT_NE(NULL, moved);
	memcpy(moved, self->buf, self->len);
	/* SIGSTRUCT after the data; its old place becomes zero padding. */
	memcpy(moved + self->len, self->buf + 128, 1808);
	memset(moved + 128, 0, 1808);
	put_le64(moved + H_SIGSTRUCT, self->len);
	ASSERT_EQ(0, ebroker_image_parse(moved, len, &img));
	test_sigstruct(&sig);
	EXPECT_EQ(0, memcmp(&sig, ebroker_image_sigstruct(img), sizeof(sig)));
	ebroker_image_free(img);
	free(moved);
}

TEST(writer_refusals)
{
	static uint8_t page[PAGE];
	struct ebroker_image *img = NULL;
	struct eb_sigstruct sig;
	struct eb_secs secs;
	const char *why;
	void *buf;
	size_t len;

	test_secs(&secs);
	secs.base = 1ULL << 40;
	EXPECT_EQ(-EINVAL, ebroker_image_new(&secs, &img));
	test_secs(&secs);
	secs.mrenclave[0] = 1;
	EXPECT_EQ(-EINVAL, ebroker_image_new(&secs, &img));
	test_secs(&secs);
	secs.size = 3 * PAGE;
	EXPECT_EQ(-EINVAL, ebroker_image_new(&secs, &img));
	EXPECT_EQ(-EINVAL, ebroker_image_new(NULL, &img));
	test_secs(&secs);
	ASSERT_EQ(0, ebroker_image_new(&secs, &img));

	/* No SIGSTRUCT yet: nothing to write. */
	EXPECT_EQ(NULL, ebroker_image_sigstruct(img));
	EXPECT_EQ(-EINVAL, ebroker_image_serialize(img, &buf, &len));

	make_tcs(page);
	ASSERT_EQ(0, ebroker_image_add_page(img, PAGE, TCS, page, true, NULL));
	why = NULL;
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, PAGE, REG_R, NULL, true, &why));
	EXPECT_STREQ("page offsets not ascending", why);
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, 2 * PAGE + 1, REG_R, NULL, true, &why));
	EXPECT_STREQ("page offset not page aligned", why);
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, SIZE, REG_R, NULL, true, &why));
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, 2 * PAGE, EB_SECINFO_PT_REG | EB_SECINFO_W,
						  NULL, true, &why));
	EXPECT_STREQ("page writable but not readable", why);
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, 2 * PAGE, REG_RW, page, false, &why));
	EXPECT_STREQ("unmeasured page not all zeros", why);
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, 2 * PAGE, TCS, NULL, true, &why));
	EXPECT_STREQ("TCS NSSA is zero", why);
	/* Refusals add nothing; an unmeasured page of zeros is fine. */
	EXPECT_EQ(1, ebroker_image_page_count(img));
	EXPECT_EQ(0, ebroker_image_add_page(img, 2 * PAGE, REG_RW, NULL, false, NULL));

	test_sigstruct(&sig);
	sig.attributes = EB_ATTR_MODE64BIT;
	EXPECT_EQ(-EINVAL, ebroker_image_set_sigstruct(img, &sig));
	sig.attributemask = EB_ATTR_MODE64BIT; /* DEBUG not compared: fine */
	EXPECT_EQ(0, ebroker_image_set_sigstruct(img, &sig));
	ebroker_image_free(img);
}

TEST(page_limit)
{
	struct ebroker_image *img = NULL;
	struct eb_secs secs;
	const char *why = NULL;
	static uint8_t tcs[PAGE];
	uint64_t i;

	test_secs(&secs);
	secs.size = 8ULL << 30;
	ASSERT_EQ(0, ebroker_image_new(&secs, &img));
	make_tcs(tcs);
	ASSERT_EQ(0, ebroker_image_add_page(img, 0, TCS, tcs, true, NULL));
	for (i = 1; i < EBROKER_IMAGE_PAGES_MAX; i++) {
		ASSERT_EQ(0, ebroker_image_add_page(img, i * PAGE, REG_RW, NULL, true, NULL));
	}
	EXPECT_EQ(-EINVAL, ebroker_image_add_page(img, i * PAGE, REG_RW, NULL, true, &why));
	EXPECT_STREQ("more than 2^20 pages", why);
	ebroker_image_free(img);
}

TEST(files)
{
	char dir[] = "/tmp/image_test.XXXXXX", path[64];
	struct ebroker_image *img = build(), *again = NULL;
	const char *why = NULL;
	struct dirent *de;
	int fd, n = 0;
	DIR *d;

	ASSERT_NE(NULL, img);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/enclave.ebimg", dir);

	EXPECT_EQ(-ENOENT, ebroker_image_open(path, &again));
	/* Replaces what was there, whole. */
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "old", 3));
	close(fd);
	ASSERT_EQ(0, ebroker_image_write(img, path));
	ASSERT_EQ(0, ebroker_image_open(path, &again));
	EXPECT_EQ(N_PAGES, ebroker_image_page_count(again));
	again = ebroker_image_free(again);

	/* Nothing left beside it. */
	d = opendir(dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	EXPECT_EQ(1, n);

	/* Not a regular file. */
	EXPECT_EQ(-EBADMSG, ebroker_image_open_why(dir, &again, &why));
	EXPECT_STREQ("not a regular file", why);
	EXPECT_EQ(-EBADMSG, ebroker_image_open_why("/dev/zero", &again, &why));

	unlink(path);
	rmdir(dir);
	ebroker_image_free(img);
}

TEST_HARNESS_MAIN
