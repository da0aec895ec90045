// SPDX-License-Identifier: GPL-2.0
/*
 * The MRENCLAVE of a parsed image: its pages measured in load order. In
 * its own object so that users of libebsign that never touch images need
 * not link libebimage.
 */
#include <errno.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

int ebroker_image_mrenclave(const struct ebroker_image *img, uint8_t ret_mrenclave[EB_HASH_SIZE])
{
	struct ebroker_measure *m = NULL;
	int r;

	if (!img || !ret_mrenclave)
		return -EINVAL;
	r = ebroker_measure_new(ebroker_image_secs(img), &m);
	for (size_t i = 0; r == 0 && i < ebroker_image_page_count(img); i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		struct eb_secinfo secinfo = { .flags = p->secinfo_flags };

		r = ebroker_measure_add_page(m, p->offset, &secinfo, p->data, p->measure);
	}
	if (r == 0)
		r = ebroker_measure_finish(m, ret_mrenclave);
	ebroker_measure_free(m);
	return r;
}
