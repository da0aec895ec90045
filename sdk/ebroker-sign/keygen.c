// SPDX-License-Identifier: GPL-2.0
/* ebroker-sign keygen KEY.pem: a new signing key, never over an old one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: " PROGRAM " keygen KEY.pem\n"
    "\n"
    "Generate an RSA-3072 signing key with public exponent 3, as SGX requires,\n"
    "and save it unencrypted to KEY.pem with mode 0600. An existing file is\n"
    "never replaced.\n";

int cmd_keygen(int argc, char **argv)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	const char *path;
	int r;

	r = sign_one_arg("keygen", help, "KEY.pem to create", argc, argv, &path);
	if (r != SIGN_CONTINUE)
		return r;

	r = ebroker_key_generate(&key);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "generating the key: %s", strerror(-r));
	r = ebroker_key_write_pem(key, path);
	if (r == -EEXIST)
		return sign_error(SIGN_EXIT_FAILURE, "%s exists; not replacing a key", path);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "writing %s: %s", path, strerror(-r));
	return SIGN_EXIT_OK;
}
