// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave heap: a first-fit free list over the image's heap pages,
 * sorted by address so that freeing coalesces with both neighbours. One
 * lock; ECALL buffers and enclave code share it.
 */
#include <linux/errno.h>

#include "runtime.h"

#define ALIGN  16
#define HDR    sizeof(struct block)
#define IN_USE ((struct block *)0x1b5eb10c)

/* Every block, free or not, starts with this; sizes include it. */
struct block {
	size_t size;
	struct block *next; /* the next free block, or IN_USE */
};

static int heap_lock;
static bool heap_ready;
static struct block *free_list;

static void heap_init(void)
{
	struct block *b = (struct block *)(__eb_base + __eb_layout.heap_off);

	b->size = __eb_layout.heap_size;
	b->next = NULL;
	free_list = b;
	heap_ready = true;
}

void *ebroker_malloc(size_t size)
{
	struct block **link, *b, *rest;
	size_t need;

	if (size > __eb_layout.heap_size)
		return NULL;
	need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	eb_spin_lock(&heap_lock);
	if (!heap_ready)
		heap_init();
	for (link = &free_list; (b = *link); link = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= HDR + ALIGN) {
			rest = (struct block *)((char *)b + need);
			rest->size = b->size - need;
			rest->next = b->next;
			*link = rest;
			b->size = need;
		} else {
			*link = b->next;
		}
		b->next = IN_USE;
		break;
	}
	eb_spin_unlock(&heap_lock);
	return b ? b + 1 : NULL;
}

void *ebroker_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = ebroker_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void ebroker_free(void *p)
{
	char *heap = __eb_base + __eb_layout.heap_off;
	struct block *b = (struct block *)p - 1, **link, *prev = NULL;

	if (!p)
		return;
	/* A pointer that is not a live block is a bug that must not spread.
	 * Checked under the lock, so that two frees of one block cannot both
	 * pass. */
	if ((char *)b < heap || (char *)b >= heap + __eb_layout.heap_size ||
	    (size_t)((char *)b - heap) % ALIGN)
		ebroker_abort();
	eb_spin_lock(&heap_lock);
	if (b->next != IN_USE || b->size < HDR || b->size % ALIGN ||
	    b->size > (size_t)(heap + __eb_layout.heap_size - (char *)b)) {
		eb_spin_unlock(&heap_lock);
		ebroker_abort();
	}
	b->next = NULL;
	ebroker_memzero(b + 1, b->size - HDR);
	for (link = &free_list; *link && *link < b; link = &(*link)->next)
		prev = *link;
	b->next = *link;
	*link = b;
	if (b->next && (char *)b + b->size == (char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
	eb_spin_unlock(&heap_lock);
}
