// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ebroker-sign's ELF reader (elf.c): whatever the
 * bytes, laying them out must neither crash nor read outside them, and a
 * layout that succeeds must be an image the image parser accepts. Built
 * with ASan and UBSan (make fuzz); run for a bounded time by
 * scripts/fuzz-check.
 */
#include <stdlib.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct layout_params params = { .xfrm = EB_ECREATE_XFRM_REQUIRED };
	struct ebroker_image *img = NULL, *again = NULL;
	struct eb_sigstruct sig = { .xfrm = EB_ECREATE_XFRM_REQUIRED };
	char err[256];
	size_t len;
	void *buf;

	if (elf_layout(data, size, &params, &img, err, sizeof(err)) < 0)
		return 0;

	/* What the writer makes of it, the parser takes back. */
	if (ebroker_image_set_sigstruct(img, &sig) < 0 ||
	    ebroker_image_serialize(img, &buf, &len) < 0)
		abort();
	if (ebroker_image_parse(buf, len, &again) < 0 ||
	    ebroker_image_page_count(again) != ebroker_image_page_count(img))
		abort();

	free(buf);
	ebroker_image_free(again);
	ebroker_image_free(img);
	return 0;
}
