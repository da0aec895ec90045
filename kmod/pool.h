/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_POOL_H
#define EB_POOL_H

#include <linux/types.h>

struct page;
struct eb_pool_view;

int eb_pool_init(unsigned long bytes);
void eb_pool_exit(void);
struct page *eb_pool_alloc(void);
void eb_pool_free(struct page *page);

unsigned long eb_pool_total_pages(void);
unsigned long eb_pool_free_pages(void);
unsigned long eb_pool_min_free_pages(void);
unsigned long eb_pool_low_water_pages(void);
int eb_pool_set_low_water(unsigned long pages);
void eb_pool_view(struct eb_pool_view *view);

#endif /* EB_POOL_H */
