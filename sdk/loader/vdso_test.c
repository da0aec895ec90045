// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the loader's vDSO parser (vdso.c), on this host's
 * real vDSO: a function that surely exists is found and works; the SGX
 * entry is found or cleanly absent; truncated and corrupted copies give
 * errors, never a crash or a read past the copy (each copy ends at a
 * PROT_NONE guard page).
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "sdk/loader/vdso.h"

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

/* A buffer of @len bytes ending right before a PROT_NONE page. */
struct guarded {
	uint8_t *map;
	size_t map_len;
	uint8_t *p;
};

static int guarded_alloc(struct guarded *g, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t data = (len + page - 1) / page * page;

	g->map_len = data + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -1;
	if (mprotect(g->map + data, page, PROT_NONE))
		return -1;
	g->p = g->map + data - len;
	return 0;
}

static void guarded_free(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

static const uint8_t *vdso(size_t *len)
{
	const uint8_t *base = (const uint8_t *)(uintptr_t)getauxval(AT_SYSINFO_EHDR);

	if (!base || eb_vdso_image_len(base, len))
		return NULL;
	return base;
}

TEST(clock_gettime_found_and_works)
{
	struct timespec a = { 0 }, b = { 0 };
	clock_gettime_fn fn;
	void *sym = NULL;

	ASSERT_EQ(0, eb_vdso_sym("__vdso_clock_gettime", &sym));
	ASSERT_NE(NULL, sym);
	fn = (clock_gettime_fn)sym;
	ASSERT_EQ(0, fn(CLOCK_MONOTONIC, &a));
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &b));
	/* The vDSO's clock and libc's agree to within a second. */
	EXPECT_TRUE(a.tv_sec == b.tv_sec || a.tv_sec + 1 == b.tv_sec);
	EXPECT_NE(0, a.tv_sec + a.tv_nsec);
}

TEST(sgx_enter_found_or_absent)
{
	void *sym = NULL;
	int r = eb_vdso_sym("__vdso_sgx_enter_enclave", &sym);

	ASSERT_TRUE(r == 0 || r == -ENOENT);
	if (r == 0) {
		ASSERT_NE(NULL, sym);
		TH_LOG("__vdso_sgx_enter_enclave found at %p (not called)", sym);
	} else {
		TH_LOG("__vdso_sgx_enter_enclave: not in this vDSO (-ENOENT)");
	}
}

TEST(unknown_names)
{
	void *sym = NULL;

	EXPECT_EQ(-ENOENT, eb_vdso_sym("__vdso_no_such_function", &sym));
	EXPECT_EQ(-ENOENT, eb_vdso_sym("", &sym));
	/* A prefix of a real name is not that name. */
	EXPECT_EQ(-ENOENT, eb_vdso_sym("__vdso_clock_get", &sym));
	EXPECT_EQ(NULL, sym);
	EXPECT_EQ(-EINVAL, eb_vdso_sym(NULL, &sym));
}

/* The copy gives the same offset as the mapped vDSO. */
TEST(copy_same_offset)
{
	struct guarded g;
	size_t len, off, off2;
	const uint8_t *v = vdso(&len);
	void *sym;

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, guarded_alloc(&g, len));
	memcpy(g.p, v, len);
	ASSERT_EQ(0, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
	ASSERT_EQ(0, eb_vdso_find(v, len, "__vdso_clock_gettime", &off2));
	EXPECT_EQ(off, off2);
	ASSERT_EQ(0, eb_vdso_sym("__vdso_clock_gettime", &sym));
	EXPECT_EQ((uintptr_t)v + off, (uintptr_t)sym);
	EXPECT_LT(off, len);
	guarded_free(&g);
}

/* Every prefix shorter than the image: an error, no read past it. */
TEST(truncated)
{
	struct guarded g;
	size_t len, off;
	const uint8_t *v = vdso(&len);

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, guarded_alloc(&g, len));
	for (size_t t = 0; t < len; t++) {
		uint8_t *p = g.p + (len - t); /* t bytes, ending at the guard */
		int r;

		memcpy(p, v, t);
		r = eb_vdso_find(p, t, "__vdso_clock_gettime", &off);
		ASSERT_EQ(-ENOEXEC, r)
		{
			TH_LOG("length %zu of %zu: %d", t, len, r);
		}
	}
	guarded_free(&g);
}

/* Targeted damage to the headers the parser relies on. */
TEST(corrupt_headers)
{
	struct guarded g;
	size_t len, off;
	const uint8_t *v = vdso(&len);
	Elf64_Ehdr eh;

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, guarded_alloc(&g, len));
	memcpy(&eh, v, sizeof(eh));

#define RESET() memcpy(g.p, v, len)
#define EHDR_FIELD(field, value)                                                           \
	do {                                                                               \
		Elf64_Ehdr h = eh;                                                         \
		RESET();                                                                   \
		h.field = (value);                                                         \
		memcpy(g.p, &h, sizeof(h));                                                \
		EXPECT_EQ(-ENOEXEC, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off)); \
	} while (0)

	EHDR_FIELD(e_ident[EI_MAG0], 0);
	EHDR_FIELD(e_ident[EI_CLASS], ELFCLASS32);
	EHDR_FIELD(e_ident[EI_DATA], ELFDATA2MSB);
	EHDR_FIELD(e_machine, EM_386);
	EHDR_FIELD(e_type, ET_EXEC);
	EHDR_FIELD(e_phentsize, sizeof(Elf64_Phdr) - 1);
	EHDR_FIELD(e_phnum, 0);
	EHDR_FIELD(e_phnum, 0xffff);
	EHDR_FIELD(e_phoff, len);
	EHDR_FIELD(e_phoff, UINT64_MAX - 8);

	/* Every PT_LOAD and PT_DYNAMIC pushed out of the image in turn. */
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *at = g.p + eh.e_phoff + i * sizeof(ph);

		RESET();
		memcpy(&ph, at, sizeof(ph));
		if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC)
			continue;
		ph.p_offset = UINT64_MAX - 16;
		memcpy(at, &ph, sizeof(ph));
		EXPECT_EQ(-ENOEXEC, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
		RESET();
		memcpy(&ph, at, sizeof(ph));
		ph.p_filesz = len + 1;
		memcpy(at, &ph, sizeof(ph));
		EXPECT_EQ(-ENOEXEC, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
	}
	/* No PT_DYNAMIC at all. */
	RESET();
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *at = g.p + eh.e_phoff + i * sizeof(ph);

		memcpy(&ph, at, sizeof(ph));
		if (ph.p_type == PT_DYNAMIC)
			ph.p_type = PT_NULL;
		memcpy(at, &ph, sizeof(ph));
	}
	EXPECT_EQ(-ENOEXEC, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
	guarded_free(&g);
}

/* Each dynamic entry's value set to garbage: no crash, and when found, inside. */
TEST(corrupt_dynamic)
{
	struct guarded g;
	size_t len, off;
	const uint8_t *v = vdso(&len);
	static const uint64_t bad[] = { 0, 1, 0xfff, UINT64_MAX, UINT64_MAX - 7, 1ull << 40 };
	Elf64_Ehdr eh;
	Elf64_Phdr dyn = { 0 };

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, guarded_alloc(&g, len));
	memcpy(&eh, v, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, v + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_DYNAMIC)
			dyn = ph;
	}
	ASSERT_EQ(PT_DYNAMIC, dyn.p_type);
	for (size_t i = 0; i < dyn.p_filesz / sizeof(Elf64_Dyn); i++) {
		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			uint8_t *at = g.p + dyn.p_offset + i * sizeof(Elf64_Dyn);
			Elf64_Dyn d;
			int r;

			memcpy(g.p, v, len);
			memcpy(&d, at, sizeof(d));
			d.d_un.d_val = bad[b];
			memcpy(at, &d, sizeof(d));
			r = eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off);
			ASSERT_TRUE(r == 0 || r == -ENOEXEC || r == -ENOENT);
			if (!r)
				ASSERT_LT(off, len);
		}
	}
	guarded_free(&g);
}

/* Without DT_HASH the count comes from DT_GNU_HASH: same answer. */
TEST(gnu_hash_only)
{
	struct guarded g;
	size_t len, off, want;
	const uint8_t *v = vdso(&len);
	bool had_hash = false, had_gnu = false;
	Elf64_Ehdr eh;

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, eb_vdso_find(v, len, "__vdso_clock_gettime", &want));
	ASSERT_EQ(0, guarded_alloc(&g, len));
	memcpy(g.p, v, len);
	memcpy(&eh, v, sizeof(eh));
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, v + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_DYNAMIC)
			continue;
		for (size_t j = 0; j < ph.p_filesz / sizeof(Elf64_Dyn); j++) {
			uint8_t *at = g.p + ph.p_offset + j * sizeof(Elf64_Dyn);
			Elf64_Dyn d;

			memcpy(&d, at, sizeof(d));
			had_gnu |= d.d_tag == DT_GNU_HASH;
			if (d.d_tag == DT_HASH) {
				d.d_tag = DT_DEBUG; /* ignored by the parser */
				had_hash = true;
			}
			memcpy(at, &d, sizeof(d));
		}
	}
	TH_LOG("DT_HASH %s, DT_GNU_HASH %s", had_hash ? "yes" : "no", had_gnu ? "yes" : "no");
	if (had_gnu) {
		ASSERT_EQ(0, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
		EXPECT_EQ(want, off);
	} else {
		EXPECT_EQ(-ENOEXEC, eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off));
	}
	guarded_free(&g);
}

/* Random bytes flipped over the whole image, many times. */
TEST(random_corruption)
{
	struct guarded g;
	size_t len, off;
	const uint8_t *v = vdso(&len);
	unsigned int seed = 12345, found = 0, errors = 0;

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, guarded_alloc(&g, len));
	for (int round = 0; round < 20000; round++) {
		int flips = 1 + rand_r(&seed) % 8, r;

		memcpy(g.p, v, len);
		for (int f = 0; f < flips; f++) {
			/* Half the flips in the first page: headers, dynamic,
			 * symbols, strings. */
			size_t at = rand_r(&seed) % (round & 1 ? len : (len < 4096 ? len : 4096));

			g.p[at] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		}
		r = eb_vdso_find(g.p, len, "__vdso_clock_gettime", &off);
		ASSERT_TRUE(r == 0 || r == -ENOEXEC || r == -ENOENT);
		if (!r) {
			ASSERT_LT(off, len);
			found++;
		} else {
			errors++;
		}
	}
	TH_LOG("%u found, %u refused", found, errors);
	guarded_free(&g);
}

TEST(image_len_refuses)
{
	struct guarded g;
	size_t len;

	ASSERT_EQ(0, guarded_alloc(&g, 4096));
	memset(g.p, 0, 4096);
	EXPECT_EQ(-ENOEXEC, eb_vdso_image_len(g.p, &len));
	EXPECT_EQ(-EINVAL, eb_vdso_image_len(NULL, &len));
	guarded_free(&g);
}

TEST_HARNESS_MAIN
