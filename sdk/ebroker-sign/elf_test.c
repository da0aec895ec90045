// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the ELF layout (elf.c): pages, types and permissions
 * of a real linked test enclave and of ELFs synthesised here, and every
 * refusal, each for its reason.
 */
#include <elf.h>
#include <errno.h>

#include "cli.h"
#include "test.h"

/* ------------------------------------------------- the linked test enclave */

static void *read_all(const char *path, size_t *len)
{
	void *buf = NULL;

	if (read_regular_file(AT_FDCWD, path, 0, 1 << 24, &buf, len) < 0)
		return NULL;
	return buf;
}

static const struct layout_params default_params = { .xfrm = 3 };

/*
 * sdk/ebroker-sign/testdata/tiny.S and enclave.lds: two TCS, code, rodata, data
 * (two pages with bytes), then heap and SSA frames as zero pages.
 */
TEST(tiny_layout)
{
	static const struct {
		uint64_t offset, flags;
		bool zero;
	} want[] = {
		{ 0x0000, EB_SECINFO_PT_TCS, false },
		{ 0x1000, EB_SECINFO_PT_TCS, false },
		{ 0x2000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_X, false },
		{ 0x3000, EB_SECINFO_PT_REG | EB_SECINFO_R, false },
		{ 0x4000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, false },
		{ 0x5000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, false },
		{ 0x6000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, true },
		{ 0x7000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, true },
		{ 0x8000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, true },
		{ 0x9000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, true },
		{ 0xa000, EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W, true },
	};
	size_t len;
	uint8_t *elf = read_all(build_path(0, "sdk/ebroker-sign/testdata/tiny.elf"), &len);
	struct ebroker_image *img = NULL;
	const struct eb_secs *secs;
	const uint8_t *d;
	char err[256] = "";
	int r;

	ASSERT_NE(NULL, elf);
	r = elf_layout(elf, len, &default_params, &img, err, sizeof(err));
	ASSERT_EQ(0, r) TH_LOG("%s", err);
	secs = ebroker_image_secs(img);
	EXPECT_EQ(0x10000, secs->size); /* 0xb000 rounded up to a power of two */
	EXPECT_EQ(1, secs->ssa_frame_size);
	EXPECT_EQ(EB_ATTR_MODE64BIT, secs->attributes);
	EXPECT_EQ(3, secs->xfrm);
	EXPECT_EQ(0, secs->base);

	ASSERT_EQ(ELEMENTSOF(want), ebroker_image_page_count(img));
	for (size_t i = 0; i < ELEMENTSOF(want); i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		const uint8_t *b = p->data;
		bool zero = true;

		for (size_t j = 0; j < PAGE; j++)
			zero &= !b[j];
		EXPECT_EQ(want[i].offset, p->offset);
		EXPECT_EQ(want[i].flags, p->secinfo_flags) TH_LOG("page %zu", i);
		EXPECT_TRUE(p->measure);
		EXPECT_EQ(want[i].zero, zero) TH_LOG("page 0x%llx", (unsigned long long)p->offset);
	}
	EXPECT_EQ(2, ebroker_image_tcs_count(img));
	EXPECT_EQ(0x0000, ebroker_image_tcs_offset(img, 0));
	EXPECT_EQ(0x1000, ebroker_image_tcs_offset(img, 1));

	/* The second data page ends the file's bytes, then zeros (.bss). */
	d = ebroker_image_page(img, 5)->data;
	EXPECT_EQ(0x5a, d[0]);
	EXPECT_EQ(0, d[PAGE - 1]);
	ebroker_image_free(img);
	free(elf);
}

TEST(tcs_relocation_refused)
{
	size_t len;
	uint8_t *elf = read_all(build_path(0, "sdk/ebroker-sign/testdata/tcs-reloc.elf"), &len);
	struct ebroker_image *img = NULL;
	char err[256] = "";
	const char *p;

	ASSERT_NE(NULL, elf);
	EXPECT_EQ(-EBADMSG, elf_layout(elf, len, &default_params, &img, err, sizeof(err)));
	p = strstr(err, "dynamic relocation at 0x20 targets a page that is not writable");
	EXPECT_NE(NULL, p) TH_LOG("%s", err);
	free(elf);
}

/* --------------------------------------------------- synthesised ELFs */

/*
 * A small valid enclave ELF: a TCS segment, code, and data whose SSA frame
 * and heap are zero pages; segment bytes start at file page 1.
 */
#define SYN_PAGES 8
#define PH_TCS	  0
#define PH_TEXT	  1
#define PH_DATA	  2

struct syn {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[8];
	uint8_t file[SYN_PAGES * PAGE];
	size_t len;
};

static void syn_load(struct syn *s, uint64_t vaddr, uint64_t offset, uint64_t filesz,
		     uint64_t memsz, uint32_t flags)
{
	s->ph[s->eh.e_phnum++] = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = flags,
		.p_offset = offset,
		.p_vaddr = vaddr,
		.p_paddr = vaddr,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = PAGE,
	};
}

static void syn_init(struct syn *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->eh.e_ident, ELFMAG, SELFMAG);
	s->eh.e_ident[EI_CLASS] = ELFCLASS64;
	s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	s->eh.e_ident[EI_VERSION] = EV_CURRENT;
	s->eh.e_type = ET_DYN;
	s->eh.e_machine = EM_X86_64;
	s->eh.e_version = EV_CURRENT;
	s->eh.e_phoff = sizeof(Elf64_Ehdr);
	s->eh.e_ehsize = sizeof(Elf64_Ehdr);
	s->eh.e_phentsize = sizeof(Elf64_Phdr);
	s->eh.e_entry = 0x1000;

	syn_load(s, 0x0000, 0x1000, 0x1000, 0x1000, 0);
	syn_load(s, 0x1000, 0x2000, 0x10, 0x1000, PF_R | PF_X);
	syn_load(s, 0x2000, 0x3000, 0x800, 0x3000, PF_R | PF_W);
	make_tcs(s->file + 0x1000, 0x3000, 1, 0x1000);
	memset(s->file + 0x2000, 0xc3, 0x10);
	memset(s->file + 0x3000, 0x11, 0x800);
	s->len = 0x4000;
}

/* The file's bytes, headers in front. */
static const uint8_t *syn_bytes(struct syn *s)
{
	memcpy(s->file, &s->eh, sizeof(s->eh));
	memcpy(s->file + s->eh.e_phoff, s->ph,
	       (s->eh.e_phnum < 8 ? s->eh.e_phnum : 8) * sizeof(Elf64_Phdr));
	return s->file;
}

static int syn_layout(struct syn *s, struct ebroker_image **ret, char *err, size_t errlen)
{
	struct ebroker_image *img = NULL;
	int r;

	err[0] = 0;
	r = elf_layout(syn_bytes(s), s->len, &default_params, &img, err, errlen);
	if (ret)
		*ret = img;
	else
		ebroker_image_free(img);
	return r;
}

TEST(synthetic_layout)
{
	struct ebroker_image *img = NULL;
	struct syn s;
	char err[256];

	syn_init(&s);
	ASSERT_EQ(0, syn_layout(&s, &img, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0x8000, ebroker_image_secs(img)->size); /* 0x5000 rounded up */
	ASSERT_EQ(5, ebroker_image_page_count(img));
	EXPECT_EQ(EB_SECINFO_PT_TCS, ebroker_image_page(img, 0)->secinfo_flags);
	EXPECT_EQ(EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_X,
		  ebroker_image_page(img, 1)->secinfo_flags);
	/* Code: 16 bytes from the file, then zeros to the page end. */
	EXPECT_EQ(0xc3, ((const uint8_t *)ebroker_image_page(img, 1)->data)[15]);
	EXPECT_EQ(0, ((const uint8_t *)ebroker_image_page(img, 1)->data)[16]);
	EXPECT_EQ(0x11, ((const uint8_t *)ebroker_image_page(img, 2)->data)[0x7ff]);
	EXPECT_EQ(0, ((const uint8_t *)ebroker_image_page(img, 2)->data)[0x800]);
	EXPECT_EQ(0x4000, ebroker_image_page(img, 4)->offset);
	ebroker_image_free(img);

	/* The smallest enclave is two pages. */
	syn_init(&s);
	s.eh.e_phnum = 1;
	make_tcs(s.file + 0x1000, 0x0000, 1, 0x0);
	/* SSA inside the TCS page itself is odd but inside the enclave. */
	ASSERT_EQ(0, syn_layout(&s, &img, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2 * PAGE, ebroker_image_secs(img)->size);
	ebroker_image_free(img);
}

/* One program header field set to one value, and why the ELF is refused. */
struct elf_mutation {
	const char *name;
	int ph; /* -1: the ELF header */
	size_t offset, width;
	uint64_t value;
	const char *why;
};

#define PHF(f) offsetof(Elf64_Phdr, f), sizeof(((Elf64_Phdr *)0)->f)
#define EHF(f) offsetof(Elf64_Ehdr, f), sizeof(((Elf64_Ehdr *)0)->f)

static const struct elf_mutation elf_mutations[] = {
	{ "magic", -1, 0, 1, 'X', "not an ELF file" },
	{ "class", -1, EI_CLASS, 1, ELFCLASS32, "not an x86-64 ELF64" },
	{ "big endian", -1, EI_DATA, 1, ELFDATA2MSB, "not an x86-64 ELF64" },
	{ "ident version", -1, EI_VERSION, 1, 2, "unknown ELF version" },
	{ "version", -1, EHF(e_version), 2, "unknown ELF version" },
	{ "machine", -1, EHF(e_machine), EM_AARCH64, "not an x86-64 ELF64" },
	{ "ET_EXEC", -1, EHF(e_type), ET_EXEC, "ET_DYN" },
	{ "ET_REL", -1, EHF(e_type), ET_REL, "ET_DYN" },
	{ "phentsize", -1, EHF(e_phentsize), 32, "program header table" },
	{ "no phdrs", -1, EHF(e_phnum), 0, "program header table" },
	{ "many phdrs", -1, EHF(e_phnum), 0xffff, "program header table" },
	{ "phoff past end", -1, EHF(e_phoff), 0x4000, "program headers past the end" },
	{ "phoff wraps", -1, EHF(e_phoff), UINT64_MAX - 8, "program headers past the end" },

	{ "PT_INTERP", PH_TEXT, PHF(p_type), PT_INTERP, "PT_INTERP" },
	{ "vaddr unaligned", PH_TEXT, PHF(p_vaddr), 0x1010, "not page aligned" },
	{ "offset unaligned", PH_TEXT, PHF(p_offset), 0x2010, "not page aligned" },
	{ "filesz > memsz", PH_TEXT, PHF(p_filesz), 0x1001, "file size above memory size" },
	{ "past the file", PH_DATA, PHF(p_offset), 0x4000, "past the end of the file" },
	{ "offset wraps", PH_DATA, PHF(p_offset), UINT64_MAX & ~(PAGE - 1), "past the end" },
	{ "above 64 GiB", PH_DATA, PHF(p_vaddr), 64ULL << 30, "64 GiB" },
	{ "memsz wraps", PH_DATA, PHF(p_memsz), UINT64_MAX - 0x1000, "64 GiB" },
	{ "overlap", PH_DATA, PHF(p_vaddr), 0x1000, "overlaps" },
	{ "memsz overlaps", PH_TEXT, PHF(p_memsz), 0x1001, "overlaps" },
	{ "out of order", PH_TEXT, PHF(p_vaddr), 0x5000, "overlaps" },
	{ "W without R", PH_DATA, PHF(p_flags), PF_W, "writable but not readable" },
	{ "unknown flags", PH_TEXT, PHF(p_flags), PF_R | PF_X | 0x100000, "unknown segment" },
	{ "no TCS", PH_TCS, PHF(p_flags), PF_R, "no TCS segment" },
	{ "pages", PH_DATA, PHF(p_memsz), (1ULL << 20) * PAGE, "2^20 pages" },
};

TEST(every_bad_elf)
{
	for (size_t i = 0; i < ELEMENTSOF(elf_mutations); i++) {
		const struct elf_mutation *m = &elf_mutations[i];
		struct ebroker_image *img = NULL;
		uint64_t v = htole64(m->value);
		struct syn s;
		char err[256] = "";
		int r;
		size_t at;

		/* Mutate the file's bytes, as a reader sees them. */
		syn_init(&s);
		syn_bytes(&s);
		at = m->ph < 0 ? 0 : s.eh.e_phoff + m->ph * sizeof(Elf64_Phdr);
		memcpy(s.file + at + m->offset, &v, m->width);
		r = elf_layout(s.file, s.len, &default_params, &img, err, sizeof(err));
		EXPECT_EQ(-EBADMSG, r) TH_LOG("%s: accepted", m->name);
		EXPECT_NE(NULL, strstr(err, m->why)) TH_LOG("%s: refused for '%s'", m->name, err);
		ebroker_image_free(img);
	}
}

TEST(every_truncation)
{
	struct syn s;
	char err[256];

	/* The data segment's bytes end the part of the file that matters. */
	syn_init(&s);
	syn_bytes(&s);
	s.len = 0x3800;
	ASSERT_EQ(0, syn_layout(&s, NULL, err, sizeof(err))) TH_LOG("%s", err);
	for (size_t len = 0; len < s.len; len++) {
		struct ebroker_image *img = NULL;

		int r = elf_layout(s.file, len, &default_params, &img, err, sizeof(err));

		ASSERT_EQ(-EBADMSG, r) TH_LOG("%zu bytes", len);
	}
}

TEST(bad_tcs)
{
	struct syn s;
	char err[256];

	syn_init(&s);
	make_tcs(s.file + 0x1000, 0x3000, 0, 0x1000);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_STREQ("TCS page at 0x0: TCS NSSA is zero", err);

	syn_init(&s);
	make_tcs(s.file + 0x1000, 0x3000, 1, 0x8000);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_STREQ("TCS page at 0x0: TCS entry point outside the enclave", err);

	/* The file ends inside the TCS segment: the rest is zeros, refused. */
	syn_init(&s);
	s.ph[PH_TCS].p_filesz = 0x10;
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "TCS page at 0x0")) TH_LOG("%s", err);
}

/* A note after the data: owner "ebroker", type 1, the 16-byte descriptor. */
static void syn_note(struct syn *s, uint64_t at, uint32_t version, uint32_t ssa, uint32_t nr_tcs,
		     uint32_t reserved)
{
	uint32_t note[3 + 2 + 4] = { 8, 16, 1, 0, 0, version, ssa, nr_tcs, reserved };

	memcpy(&note[3], "ebroker", 8);
	memcpy(s->file + at, note, sizeof(note));
	s->ph[s->eh.e_phnum++] = (Elf64_Phdr){
		.p_type = PT_NOTE,
		.p_flags = PF_R,
		.p_offset = at,
		.p_vaddr = 0x2000 + (at - 0x3000),
		.p_filesz = sizeof(note),
		.p_memsz = sizeof(note),
		.p_align = 4,
	};
}

TEST(note)
{
	struct ebroker_image *img = NULL;
	struct syn s;
	char err[256];

	/* The note sets the SSA frame size: NSSA 1 * 2 pages must fit too. */
	syn_init(&s);
	syn_note(&s, 0x3100, 1, 2, 1, 0);
	ASSERT_EQ(0, syn_layout(&s, &img, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2, ebroker_image_secs(img)->ssa_frame_size);
	ebroker_image_free(img);

	syn_init(&s);
	syn_note(&s, 0x3100, 1, 1, 2, 0);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_STREQ("\"ebroker\" enclave note says 2 TCS, the TCS segments hold 1", err);

	syn_init(&s);
	syn_note(&s, 0x3100, 2, 1, 1, 0);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unsupported version 2")) TH_LOG("%s", err);

	syn_init(&s);
	syn_note(&s, 0x3100, 1, 0, 1, 0);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));

	syn_init(&s);
	syn_note(&s, 0x3100, 1, 1, 1, 9);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));

	syn_init(&s);
	syn_note(&s, 0x3100, 1, 17, 1, 0);
	EXPECT_EQ(-EINVAL, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "SSA frame size 1 to 16")) TH_LOG("%s", err);

	syn_init(&s);
	syn_note(&s, 0x3100, 1, 1, 1, 0);
	syn_note(&s, 0x3200, 1, 1, 1, 0);
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_STREQ("more than one \"ebroker\" enclave note", err);

	/* A name size that runs past the segment. */
	syn_init(&s);
	syn_note(&s, 0x3100, 1, 1, 1, 0);
	s.file[0x3100] = 0xff;
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "malformed note")) TH_LOG("%s", err);
}

/* PT_DYNAMIC in the data page, a RELA table in the code page's file bytes. */
static void syn_dynamic(struct syn *s, const Elf64_Dyn *dyn, size_t n)
{
	memcpy(s->file + 0x3400, dyn, n * sizeof(*dyn));
	s->ph[s->eh.e_phnum++] = (Elf64_Phdr){
		.p_type = PT_DYNAMIC,
		.p_flags = PF_R | PF_W,
		.p_offset = 0x3400,
		.p_vaddr = 0x2400,
		.p_filesz = n * sizeof(*dyn),
		.p_memsz = n * sizeof(*dyn),
		.p_align = 8,
	};
}

static int syn_reloc(uint64_t target, uint32_t type, char *err, size_t errlen)
{
	Elf64_Rela rela = { .r_offset = target, .r_info = ELF64_R_INFO(0, type) };
	Elf64_Dyn dyn[] = {
		{ DT_RELA, { 0x2200 } },
		{ DT_RELASZ, { sizeof(rela) } },
		{ DT_RELAENT, { sizeof(rela) } },
		{ DT_NULL, { 0 } },
	};
	struct syn s;

	syn_init(&s);
	memcpy(s.file + 0x3200, &rela, sizeof(rela));
	syn_dynamic(&s, dyn, ELEMENTSOF(dyn));
	return syn_layout(&s, NULL, err, errlen);
}

TEST(dynamic)
{
	Elf64_Dyn needed[] = { { DT_NEEDED, { 1 } }, { DT_NULL, { 0 } } };
	Elf64_Dyn rel[] = { { DT_REL, { 0x2200 } }, { DT_NULL, { 0 } } };
	/* Tables outside the file's bytes, or of a partial entry. */
	Elf64_Dyn far[] = { { DT_RELA, { 0x4000 } }, { DT_RELASZ, { 24 } }, { DT_NULL, { 0 } } };
	Elf64_Dyn odd[] = { { DT_RELA, { 0x2200 } }, { DT_RELASZ, { 25 } }, { DT_NULL, { 0 } } };
	Elf64_Dyn none[] = { { DT_NULL, { 0 } } };
	struct syn s;
	char err[256];

	EXPECT_EQ(0, syn_reloc(0x2008, R_X86_64_RELATIVE, err, sizeof(err))) TH_LOG("%s", err);
	/* Into the zero pages of the writable segment: fine too. */
	EXPECT_EQ(0, syn_reloc(0x4ff8, R_X86_64_RELATIVE, err, sizeof(err))) TH_LOG("%s", err);
	/* What ld leaves where it resolved a relocation itself. */
	EXPECT_EQ(0, syn_reloc(0x0, R_X86_64_NONE, err, sizeof(err))) TH_LOG("%s", err);

	EXPECT_EQ(-EBADMSG, syn_reloc(0x20, R_X86_64_RELATIVE, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "at 0x20 targets a page that is not writable"));
	EXPECT_EQ(-EBADMSG, syn_reloc(0x1008, R_X86_64_RELATIVE, err, sizeof(err)));
	EXPECT_EQ(-EBADMSG, syn_reloc(0x8000, R_X86_64_RELATIVE, err, sizeof(err)));
	/* Straddling the end of the writable segment. */
	EXPECT_EQ(-EBADMSG, syn_reloc(0x4ffc, R_X86_64_RELATIVE, err, sizeof(err)));

	syn_init(&s);
	syn_dynamic(&s, needed, ELEMENTSOF(needed));
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "DT_NEEDED")) TH_LOG("%s", err);

	syn_init(&s);
	syn_dynamic(&s, rel, ELEMENTSOF(rel));
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "only RELA")) TH_LOG("%s", err);

	syn_init(&s);
	syn_dynamic(&s, far, ELEMENTSOF(far));
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not inside the file bytes")) TH_LOG("%s", err);

	syn_init(&s);
	syn_dynamic(&s, odd, ELEMENTSOF(odd));
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "multiple of the entry size")) TH_LOG("%s", err);

	/* PT_DYNAMIC itself past the end of the file. */
	syn_init(&s);
	syn_dynamic(&s, none, ELEMENTSOF(none));
	s.ph[s.eh.e_phnum - 1].p_filesz = 0x10000;
	EXPECT_EQ(-EBADMSG, syn_layout(&s, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "PT_DYNAMIC past the end")) TH_LOG("%s", err);
}

/* Attributes, XFRM and MISCSELECT go into the SECS as given. */
TEST(params)
{
	struct layout_params p = { .attributes = EB_ATTR_DEBUG, .xfrm = 7, .miscselect = 1 };
	struct ebroker_image *img = NULL;
	struct syn s;
	char err[256];

	syn_init(&s);
	syn_bytes(&s);
	ASSERT_EQ(0, elf_layout(s.file, s.len, &p, &img, err, sizeof(err)));
	EXPECT_EQ(EB_ATTR_DEBUG | EB_ATTR_MODE64BIT, ebroker_image_secs(img)->attributes);
	EXPECT_EQ(7, ebroker_image_secs(img)->xfrm);
	EXPECT_EQ(1, ebroker_image_secs(img)->miscselect);
	ebroker_image_free(img);

	p.xfrm = 1;
	EXPECT_EQ(-EINVAL, elf_layout(s.file, s.len, &p, &img, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "SECS refused")) TH_LOG("%s", err);
}

TEST_HARNESS_MAIN
