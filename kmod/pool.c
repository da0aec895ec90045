// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated EPC: a fixed set of pages reserved at load. Enclave pages
 * come only from here, never from general memory, so exhausting the pool is
 * as final as exhausting physical EPC. A page is zeroed when it returns.
 *
 * The free pages are a stack under one spinlock, held for a few
 * instructions; cgroup charging happens before and outside it.
 *
 * Falling below the low-water mark, and getting back to it, are announced
 * once each (edge-triggered) on the netlink events group.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "events.h"
#include "pool.h"

static struct {
	spinlock_t lock;	/* protects free[], nr_free, min_free, low */
	struct page **free;
	unsigned long nr_free;
	unsigned long min_free;
	unsigned long nr_pages;
	unsigned long low_water;
	bool low;		/* nr_free < low_water, as last announced */
} pool;

/*
 * Whether the pool just crossed its low-water mark: 1 down, -1 up, else 0.
 * Records the new side, so each crossing is reported once.
 */
static int eb_pool_crossed(void)
{
	bool low = pool.nr_free < pool.low_water;

	lockdep_assert_held(&pool.lock);
	if (low == pool.low)
		return 0;
	pool.low = low;
	return low ? 1 : -1;
}

/*
 * Crossings are found under the spinlock but announced after it, so two
 * racing crossings could be announced in the wrong order. Announce the
 * side the pool is on now instead, once per change of side: listeners see
 * LOW and OK alternate and end on the current state.
 */
static DEFINE_MUTEX(eb_pool_announce_lock);
static bool eb_pool_announced_low;	/* under eb_pool_announce_lock */

static void eb_pool_announce(int crossed)
{
	bool low;

	if (!crossed)
		return;
	mutex_lock(&eb_pool_announce_lock);
	low = READ_ONCE(pool.low);
	if (low != eb_pool_announced_low) {
		struct eb_pool_view view;

		eb_pool_announced_low = low;
		eb_pool_view(&view);
		eb_event_pool(low, &view);
	}
	mutex_unlock(&eb_pool_announce_lock);
}

/**
 * eb_pool_init() - reserve the pool
 * @bytes: pool size, a non-zero multiple of PAGE_SIZE
 *
 * Context: module init.
 * Return: 0, or -ENOMEM when the pages cannot be reserved.
 */
int eb_pool_init(unsigned long bytes)
{
	unsigned long i, n = bytes >> PAGE_SHIFT;

	spin_lock_init(&pool.lock);
	pool.free = kvcalloc(n, sizeof(*pool.free), GFP_KERNEL);
	if (!pool.free)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO |
					       __GFP_NOWARN);

		if (!page)
			goto free_pages;
		pool.free[i] = page;
		if (!(i % 1024))
			cond_resched();
	}
	pool.nr_pages = n;
	pool.nr_free = n;
	pool.min_free = n;
	pool.low_water = n / 8;
	return 0;

free_pages:
	while (i--)
		__free_page(pool.free[i]);
	kvfree(pool.free);
	pool.free = NULL;
	return -ENOMEM;
}

/**
 * eb_pool_exit() - release the pool
 *
 * Context: module exit, when no enclave can exist any more.
 */
void eb_pool_exit(void)
{
	unsigned long i;

	WARN(pool.nr_free != pool.nr_pages, "ebroker: %lu EPC pages leaked\n",
	     pool.nr_pages - pool.nr_free);
	for (i = 0; i < pool.nr_free; i++)
		__free_page(pool.free[i]);
	kvfree(pool.free);
	pool.free = NULL;
}

/**
 * eb_pool_alloc() - take a zeroed page from the pool
 *
 * The caller has charged the page to its cgroup already.
 *
 * Context: process context; may sleep to announce a low-water crossing.
 * Return: the page, or NULL when the pool is exhausted.
 */
struct page *eb_pool_alloc(void)
{
	struct page *page = NULL;
	int crossed = 0;

	spin_lock(&pool.lock);
	if (pool.nr_free) {
		page = pool.free[--pool.nr_free];
		if (pool.nr_free < pool.min_free)
			pool.min_free = pool.nr_free;
		crossed = eb_pool_crossed();
	}
	spin_unlock(&pool.lock);
	eb_pool_announce(crossed);
	return page;
}

/**
 * eb_pool_free() - zero a page and return it to the pool
 * @page: a page from eb_pool_alloc()
 *
 * Context: process context (clearing a page takes a while).
 */
void eb_pool_free(struct page *page)
{
	int crossed;

	clear_highpage(page);
	spin_lock(&pool.lock);
	pool.free[pool.nr_free++] = page;
	crossed = eb_pool_crossed();
	spin_unlock(&pool.lock);
	eb_pool_announce(crossed);
}

/**
 * eb_pool_set_low_water() - set the low-water mark
 * @pages: free pages below which the pool counts as low; at most the total
 *
 * Context: process context.
 * Return: 0, or -EINVAL above the pool's size.
 */
int eb_pool_set_low_water(unsigned long pages)
{
	int crossed;

	if (pages > pool.nr_pages)
		return -EINVAL;
	spin_lock(&pool.lock);
	pool.low_water = pages;
	crossed = eb_pool_crossed();
	spin_unlock(&pool.lock);
	eb_pool_announce(crossed);
	return 0;
}

unsigned long eb_pool_low_water_pages(void)
{
	return READ_ONCE(pool.low_water);
}

unsigned long eb_pool_total_pages(void)
{
	return pool.nr_pages;
}

unsigned long eb_pool_free_pages(void)
{
	return READ_ONCE(pool.nr_free);
}

unsigned long eb_pool_min_free_pages(void)
{
	return READ_ONCE(pool.min_free);
}

/* The pool's figures for a netlink reply or event. */
void eb_pool_view(struct eb_pool_view *view)
{
	view->total = (u64)eb_pool_total_pages() << PAGE_SHIFT;
	view->free = (u64)eb_pool_free_pages() << PAGE_SHIFT;
	view->low_water = (u64)eb_pool_low_water_pages() << PAGE_SHIFT;
	view->min_free = (u64)eb_pool_min_free_pages() << PAGE_SHIFT;
}
