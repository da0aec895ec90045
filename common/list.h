/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive doubly-linked lists for userspace, with the kernel's names and
 * semantics (an empty list points at itself; list_del() leaves the entry
 * self-linked so that deleting twice is harmless).
 */
#ifndef EB_COMMON_LIST_H
#define EB_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct list_head {
	struct list_head *next, *prev;
};

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_add_tail(struct list_head *e, struct list_head *h)
{
	e->prev = h->prev;
	e->next = h;
	h->prev->next = e;
	h->prev = e;
}

static inline void list_del(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	list_init(e);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

#define list_first_entry(h, type, member) list_entry((h)->next, type, member)

#define list_for_each_entry(pos, h, member)                                              \
	for (pos = list_entry((h)->next, __typeof__(*pos), member); &pos->member != (h); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* Safe against removal of the current entry. */
#define list_for_each_entry_safe(pos, n, h, member)                     \
	for (pos = list_entry((h)->next, __typeof__(*pos), member),     \
	    n = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (h); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif /* EB_COMMON_LIST_H */
