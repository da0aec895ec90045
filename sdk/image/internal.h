/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebimage internals: the on-disk structures (docs/image-format.md), the
 * image object, and the checks the parser and the writer share, so that the
 * writer can never produce a file the parser refuses.
 */
#ifndef EB_IMAGE_INTERNAL_H
#define EB_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <ebroker/image.h>

/* The file header. Every integer is little-endian. */
struct eb_image_hdr {
	uint8_t magic[EBROKER_IMAGE_MAGIC_SIZE];
	uint32_t version;
	uint32_t header_size;
	uint32_t flags;
	uint32_t page_count;
	uint64_t page_table_offset;
	uint64_t data_offset;
	uint64_t data_size;
	uint64_t sigstruct_offset;
	uint64_t enclave_size;
	uint32_t ssa_frame_size;
	uint32_t miscselect;
	uint64_t attributes;
	uint64_t xfrm;
	uint8_t reserved[40];
} __attribute__((packed));

/* One page table entry. */
struct eb_image_entry {
	uint64_t offset;
	uint64_t secinfo_flags;
	uint32_t flags;
	uint32_t data;
} __attribute__((packed));

_Static_assert(sizeof(struct eb_image_hdr) == EBROKER_IMAGE_HEADER_SIZE, "header layout");
_Static_assert(sizeof(struct eb_image_entry) == EBROKER_IMAGE_ENTRY_SIZE, "entry layout");
_Static_assert(sizeof(struct eb_secs) == EB_SECS_SIZE, "SECS layout");
_Static_assert(sizeof(struct eb_sigstruct) == EB_SIGSTRUCT_SIZE, "SIGSTRUCT layout");

struct ebroker_image {
	struct eb_secs secs;
	struct eb_sigstruct sigstruct;
	bool has_sigstruct;

	struct ebroker_image_page *pages;
	size_t n_pages, n_pages_alloc;
	uint32_t *tcs; /* indexes into pages[] */
	unsigned int n_tcs;
	size_t n_tcs_alloc;

	/*
	 * Where page data lives, never moved once page->data points there:
	 * the file a parsed image was read from, and the chunks that
	 * ebroker_image_add_page() copies pages into.
	 */
	void *file;
	uint8_t **chunks;
	size_t n_chunks, n_chunks_alloc;
	size_t n_data; /* pages in chunks */
};

/* The shared page of zeros every zero page's data points at. */
extern const uint8_t eb_image_zero_page[EB_PAGE_SIZE];

/*
 * The checks. Each returns NULL when the argument passes, else a static
 * string saying what is wrong.
 */
const char *eb_image_check_secs(const struct eb_secs *secs);
const char *eb_image_check_tcs(const struct eb_secs *secs, const uint8_t *tcs);
const char *eb_image_check_sigstruct(const struct eb_secs *secs, const struct eb_sigstruct *s);
/* A page that would follow the pages @img has, with @data (never NULL). */
const char *eb_image_check_page(const struct ebroker_image *img, uint64_t offset,
				uint64_t secinfo_flags, const void *data, bool measure);

/* An empty image for @secs (checked by the caller). */
struct ebroker_image *eb_image_alloc(const struct eb_secs *secs);
/* Append a checked page whose @data outlives the image: 0 or -ENOMEM. */
int eb_image_push_page(struct ebroker_image *img, uint64_t offset, uint64_t secinfo_flags,
		       const void *data, bool measure);

#endif /* EB_IMAGE_INTERNAL_H */
