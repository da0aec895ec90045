// SPDX-License-Identifier: GPL-2.0
/*
 * mrenclave: print an image's MRENCLAVE, recomputed from its pages with
 * libebroker-sign (scripts/sdk-install-check compares it with
 * `ebroker-sign dump`).
 */
#include <stdio.h>
#include <string.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

int main(int argc, char **argv)
{
	struct ebroker_image *img = NULL;
	uint8_t mr[EB_HASH_SIZE];
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: mrenclave IMAGE\n");
		return 2;
	}
	r = ebroker_image_open(argv[1], &img);
	if (!r)
		r = ebroker_image_mrenclave(img, mr);
	img = ebroker_image_free(img);
	if (r) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	for (size_t i = 0; i < sizeof(mr); i++)
		printf("%02x", mr[i]);
	printf("\n");
	return 0;
}
