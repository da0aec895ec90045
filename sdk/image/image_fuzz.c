// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the image parser: whatever the bytes, parsing must
 * neither crash nor read outside them, and a parsed image must be whole:
 * every page's data readable, every accessor in range. Built with ASan and
 * UBSan (make fuzz); run for a bounded time by scripts/fuzz-check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <ebroker/image.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebroker_image *img = NULL;
	const struct eb_secs *secs;
	volatile uint8_t sink = 0;

	if (ebroker_image_parse(data, size, &img) < 0)
		return 0;

	secs = ebroker_image_secs(img);
	for (size_t i = 0; i < ebroker_image_page_count(img); i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		const uint8_t *bytes = p->data;

		/* What the parser promised: in range, ascending, aligned data. */
		if (p->offset >= secs->size ||
		    (i && p->offset <= ebroker_image_page(img, i - 1)->offset) ||
		    ((uintptr_t)bytes & (EB_PAGE_SIZE - 1)))
			abort();
		for (size_t b = 0; b < EB_PAGE_SIZE; b++)
			sink ^= bytes[b];
	}
	for (unsigned int i = 0; i < ebroker_image_tcs_count(img); i++)
		if (ebroker_image_tcs_offset(img, i) >= secs->size)
			abort();
	if (!ebroker_image_sigstruct(img) || ebroker_image_page(img, ebroker_image_page_count(img)))
		abort();
	(void)sink;

	ebroker_image_free(img);
	return 0;
}
