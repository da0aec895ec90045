// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker-sign measure ENCLAVE.elf: the MRENCLAVE the enclave will have,
 * from the same layout `sign` uses, without a key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] = "Usage: " PROGRAM " measure ENCLAVE.elf\n"
			   "\n"
			   "Print the MRENCLAVE ENCLAVE.elf gets once signed and loaded, in\n"
			   "hexadecimal. No key is needed: the measurement does not depend on\n"
			   "the signer or the signing options.\n";

int cmd_measure(int argc, char **argv)
{
	static const struct layout_params layout = { .xfrm = EB_ECREATE_XFRM_REQUIRED };
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	uint8_t mrenclave[EB_HASH_SIZE];
	char hex[2 * EB_HASH_SIZE + 1];
	const char *input;
	int r;

	r = sign_one_arg("measure", help, "ENCLAVE.elf", argc, argv, &input);
	if (r != SIGN_CONTINUE)
		return r;

	r = layout_file(input, &layout, &img);
	if (r != SIGN_EXIT_OK)
		return r;
	r = ebroker_image_mrenclave(img, mrenclave);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "measuring %s: %s", input, strerror(-r));
	hex_string(mrenclave, EB_HASH_SIZE, hex);
	printf("%s\n", hex);
	return SIGN_EXIT_OK;
}
