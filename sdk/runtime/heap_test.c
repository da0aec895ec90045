// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the enclave heap (heap.c) over a static array standing
 * in for the image's heap pages: allocation, coalescing, and frees of
 * pointers that are not live blocks, which must abort.
 */
#include <setjmp.h>
#include <string.h>

#include "runtime.h"

/* The harness defines non-static functions without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define HEAP_SIZE (4 * EB_RT_PAGE)

/* The heap, then as much again that a bad free must not touch. */
char __eb_base[2 * HEAP_SIZE] __attribute__((aligned(EB_RT_PAGE)));
const struct eb_layout __eb_layout = { .nr_tcs = 1, .heap_off = 0, .heap_size = HEAP_SIZE };

/* runtime.h makes the runtime's memset hidden: heap.c's is this one. */
void *memset(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

static sigjmp_buf aborted;

void ebroker_abort(void)
{
	siglongjmp(aborted, 1);
}

void ebroker_memzero(void *p, size_t n)
{
	memset(p, 0, n);
}

static bool frees_abort(void *p)
{
	if (sigsetjmp(aborted, 0))
		return true;
	ebroker_free(p);
	return false;
}

static bool contains(const char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == c)
			return true;
	return false;
}

/* Each test runs in its own process: a fresh heap. */
TEST(alloc_coalesce)
{
	void *a, *b, *c, *all;

	a = ebroker_malloc(100);
	b = ebroker_malloc(200);
	c = ebroker_malloc(300);
	ASSERT_TRUE(a && b && c);
	EXPECT_EQ(0UL, (uintptr_t)a % 16);
	EXPECT_EQ(NULL, ebroker_malloc(HEAP_SIZE));
	memset(b, 0xaa, 200);
	ebroker_free(a);
	ebroker_free(c);
	ebroker_free(b);
	/* All three merged back into one block; what b held is wiped. */
	all = ebroker_malloc(HEAP_SIZE - 16);
	ASSERT_NE(NULL, all);
	EXPECT_FALSE(contains(all, HEAP_SIZE - 16, (char)0xaa));
	ebroker_free(all);
	EXPECT_EQ(NULL, ebroker_calloc(SIZE_MAX / 2, 4));
}

TEST(double_free)
{
	void *a = ebroker_malloc(64), *b = ebroker_malloc(64);

	ASSERT_TRUE(a && b);
	ebroker_free(a);
	EXPECT_TRUE(frees_abort(a));
	EXPECT_TRUE(frees_abort((char *)b + 8));
	EXPECT_TRUE(frees_abort(__eb_base + HEAP_SIZE + 16));
}

/* A pointer into a block's data, where a forged header claims more than
 * the heap: refused before anything is wiped. */
TEST(forged_header)
{
	uint64_t *a = ebroker_malloc(256), *b;

	ASSERT_NE(NULL, a);
	memset(__eb_base + HEAP_SIZE, 0x5a, HEAP_SIZE);
	/* a[-1] is the live block's marker; a[2], a[3] a fake header. */
	a[2] = 2 * HEAP_SIZE;
	a[3] = a[-1];
	EXPECT_TRUE(frees_abort(&a[4]));
	EXPECT_EQ(0x5a, __eb_base[HEAP_SIZE]);
	b = ebroker_malloc(16);
	ASSERT_NE(NULL, b);
	EXPECT_TRUE((char *)b >= (char *)a + 256 || (char *)b + 16 <= (char *)a);
}

TEST_HARNESS_MAIN
