// SPDX-License-Identifier: GPL-2.0
/*
 * The image object: its accessors, and building one page by page (the
 * writer's side; the parser fills the same object from a file).
 */
#include <errno.h>
#include <string.h>

#include "common/util.h"

#include "internal.h"

/* Pages of data a built image allocates at a time. */
#define CHUNK_PAGES 64

const uint8_t eb_image_zero_page[EB_PAGE_SIZE] __attribute__((aligned(EB_PAGE_SIZE)));

struct ebroker_image *eb_image_alloc(const struct eb_secs *secs)
{
	struct ebroker_image *img = calloc(1, sizeof(*img));

	if (img)
		img->secs = *secs;
	return img;
}

/* Grow *@array of @size-byte elements to hold at least @need. */
static int grow(void *array, size_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc ? *alloc : 16;
	void *p;

	if (need <= *alloc)
		return 0;
	while (n < need)
		n *= 2;
	p = reallocarray(*(void **)array, n, size);
	if (!p)
		return -ENOMEM;
	*(void **)array = p;
	*alloc = n;
	return 0;
}

int eb_image_push_page(struct ebroker_image *img, uint64_t offset, uint64_t secinfo_flags,
		       const void *data, bool measure)
{
	bool tcs = (secinfo_flags & EB_SECINFO_PT_MASK) == EB_SECINFO_PT_TCS;

	if (grow(&img->pages, &img->n_pages_alloc, img->n_pages + 1, sizeof(*img->pages)) < 0)
		return -ENOMEM;
	if (tcs && grow(&img->tcs, &img->n_tcs_alloc, img->n_tcs + 1, sizeof(*img->tcs)) < 0)
		return -ENOMEM;

	img->pages[img->n_pages] = (struct ebroker_image_page){
		.offset = offset,
		.secinfo_flags = secinfo_flags,
		.measure = measure,
		.data = data,
	};
	if (tcs)
		img->tcs[img->n_tcs++] = (uint32_t)img->n_pages;
	img->n_pages++;
	return 0;
}

struct ebroker_image *ebroker_image_free(struct ebroker_image *img)
{
	if (!img)
		return NULL;
	for (size_t i = 0; i < img->n_chunks; i++)
		free(img->chunks[i]);
	free(img->chunks);
	free(img->file);
	free(img->pages);
	free(img->tcs);
	free(img);
	return NULL;
}

const struct eb_secs *ebroker_image_secs(const struct ebroker_image *img)
{
	return img ? &img->secs : NULL;
}

size_t ebroker_image_page_count(const struct ebroker_image *img)
{
	return img ? img->n_pages : 0;
}

const struct ebroker_image_page *ebroker_image_page(const struct ebroker_image *img, size_t i)
{
	return img && i < img->n_pages ? &img->pages[i] : NULL;
}

const struct eb_sigstruct *ebroker_image_sigstruct(const struct ebroker_image *img)
{
	return img && img->has_sigstruct ? &img->sigstruct : NULL;
}

unsigned int ebroker_image_tcs_count(const struct ebroker_image *img)
{
	return img ? img->n_tcs : 0;
}

uint64_t ebroker_image_tcs_offset(const struct ebroker_image *img, unsigned int i)
{
	return img && i < img->n_tcs ? img->pages[img->tcs[i]].offset : UINT64_MAX;
}

/* ---------------------------------------------------------------- writer */

int ebroker_image_new(const struct eb_secs *secs, struct ebroker_image **ret)
{
	struct ebroker_image *img;

	if (!secs || !ret)
		return -EINVAL;
	if (eb_image_check_secs(secs))
		return -EINVAL;
	img = eb_image_alloc(secs);
	if (!img)
		return -ENOMEM;
	*ret = img;
	return 0;
}

/* A stable home for one more page of data. */
static uint8_t *data_slot(struct ebroker_image *img)
{
	size_t in_chunk = img->n_data % CHUNK_PAGES;
	uint8_t *chunk;

	if (in_chunk == 0) {
		if (grow(&img->chunks, &img->n_chunks_alloc, img->n_chunks + 1,
			 sizeof(*img->chunks)) < 0)
			return NULL;
		chunk = aligned_alloc(EB_PAGE_SIZE, CHUNK_PAGES * EB_PAGE_SIZE);
		if (!chunk)
			return NULL;
		img->chunks[img->n_chunks++] = chunk;
	}
	return img->chunks[img->n_chunks - 1] + in_chunk * EB_PAGE_SIZE;
}

int ebroker_image_add_page(struct ebroker_image *img, uint64_t offset, uint64_t secinfo_flags,
			   const void *data, bool measure, const char **why)
{
	const char *bad;
	uint8_t *slot;

	if (!img)
		return -EINVAL;
	if (!data || mem_is_zero(data, EB_PAGE_SIZE))
		data = eb_image_zero_page;

	bad = eb_image_check_page(img, offset, secinfo_flags, data, measure);
	if (bad) {
		if (why)
			*why = bad;
		return -EINVAL;
	}
	if (data == eb_image_zero_page)
		return eb_image_push_page(img, offset, secinfo_flags, data, measure);

	slot = data_slot(img);
	if (!slot)
		return -ENOMEM;
	memcpy(slot, data, EB_PAGE_SIZE);
	if (eb_image_push_page(img, offset, secinfo_flags, slot, measure) < 0)
		return -ENOMEM;
	img->n_data++;
	return 0;
}

int ebroker_image_set_sigstruct(struct ebroker_image *img, const struct eb_sigstruct *sigstruct)
{
	if (!img || !sigstruct)
		return -EINVAL;
	if (eb_image_check_sigstruct(&img->secs, sigstruct))
		return -EINVAL;
	img->sigstruct = *sigstruct;
	img->has_sigstruct = true;
	return 0;
}
