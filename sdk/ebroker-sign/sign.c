// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker-sign sign: lay an enclave ELF out into pages exactly as the
 * loader will add them, measure those pages in that order, sign the
 * SIGSTRUCT and write the image. The pages measured are the pages written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: " PROGRAM " sign [OPTIONS] ENCLAVE.elf -o IMAGE.ebimg\n"
    "\n"
    "Lay ENCLAVE.elf out into enclave pages, compute MRENCLAVE over them, sign a\n"
    "SIGSTRUCT and write both to IMAGE.ebimg.\n"
    "\n"
    "Options (each also a key of the --config file; the command line wins):\n"
    "  -k, --key KEY.pem          signing key (RSA-3072, e = 3); required\n"
    "      --isv-prod-id N        product id, 0-65535 (default 0)\n"
    "      --isv-svn N            security version, 0-65535 (default 0)\n"
    "      --debug, --no-debug    a debug enclave, or not (default: not)\n"
    "      --miscselect X         SECS MISCSELECT, 0 or 1 (default 0)\n"
    "      --misc-mask X          MISCSELECT bits EINIT compares (default 0xffffffff)\n"
    "      --attribute-mask X     attribute bits EINIT compares (default 0xb6:\n"
    "                             every defined bit but INIT)\n"
    "      --xfrm X               SECS XFRM, bits 0 and 1 set (default 0x3)\n"
    "      --xfrm-mask X          XFRM bits EINIT compares (default all)\n"
    "      --date YYYYMMDD        SIGSTRUCT date (default: today, or the day of\n"
    "                             $SOURCE_DATE_EPOCH)\n"
    "  -c, --config FILE          read settings from FILE (key = value lines)\n"
    "  -o, --output IMAGE.ebimg   the image to write; required\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Numbers are decimal or 0x-prefixed hexadecimal.\n";

enum {
	OPT_NO_DEBUG = 0x100,
	OPT_SETTING = 0x200, /* + enum setting */
};

static int sign_key_error(const char *path, int r)
{
	switch (r) {
	case -EBADMSG:
		return sign_error(SIGN_EXIT_BAD_KEY, "key %s: no unencrypted private key in it",
				  path);
	case -EINVAL:
		return sign_error(SIGN_EXIT_BAD_KEY,
				  "key %s: not an RSA-3072 key with public exponent 3", path);
	default:
		return sign_error(SIGN_EXIT_BAD_KEY, "key %s: %s", path, strerror(-r));
	}
}

int cmd_sign(int argc, char **argv)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "isv-prod-id", required_argument, NULL, OPT_SETTING + SET_ISV_PROD_ID },
		{ "isv-svn", required_argument, NULL, OPT_SETTING + SET_ISV_SVN },
		{ "debug", no_argument, NULL, OPT_SETTING + SET_DEBUG },
		{ "no-debug", no_argument, NULL, OPT_NO_DEBUG },
		{ "miscselect", required_argument, NULL, OPT_SETTING + SET_MISCSELECT },
		{ "misc-mask", required_argument, NULL, OPT_SETTING + SET_MISC_MASK },
		{ "attribute-mask", required_argument, NULL, OPT_SETTING + SET_ATTRIBUTE_MASK },
		{ "xfrm", required_argument, NULL, OPT_SETTING + SET_XFRM },
		{ "xfrm-mask", required_argument, NULL, OPT_SETTING + SET_XFRM_MASK },
		{ "date", required_argument, NULL, OPT_SETTING + SET_DATE },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(settings_done) struct sign_settings cli = { 0 }, st = { 0 };
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	const char *config = NULL, *output = NULL, *input;
	uint8_t mrenclave[EB_HASH_SIZE];
	struct eb_sigstruct sigstruct;
	struct ebroker_sign_params params;
	struct layout_params layout;
	char err[512];
	int c, r, index = -1;

	/* index: which long option it was, -1 for a short one. */
	for (; (c = getopt_long(argc, argv, ":hk:c:o:", options, &index)) != -1; index = -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return SIGN_EXIT_OK;
		case 'c':
			config = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'k':
			c = OPT_SETTING + SET_KEY;
			/* fall through */
		case OPT_SETTING ... OPT_SETTING + _SET_MAX - 1:
			r = setting_parse(&cli, c - OPT_SETTING, optarg ? optarg : "yes", NULL);
			if (r == -ENOMEM)
				return sign_error(SIGN_EXIT_FAILURE, "out of memory");
			if (r < 0)
				return sign_usage("sign", "%s value '%s' for --%s",
						  r == -ERANGE ? "too large a" : "bad", optarg,
						  index >= 0 ? options[index].name : "key");
			break;
		case OPT_NO_DEBUG:
			setting_parse(&cli, SET_DEBUG, "no", NULL);
			break;
		default:
			return sign_option_error("sign", c, argv);
		}
	}
	if (argc - optind != 1)
		return sign_usage("sign", "give exactly one ENCLAVE.elf");
	input = argv[optind];
	if (!output)
		return sign_usage("sign", "no output image: give -o IMAGE.ebimg");

	if (config) {
		r = config_read(config, &st, err, sizeof(err));
		if (r == -ENOMEM)
			return sign_error(SIGN_EXIT_FAILURE, "out of memory");
		if (r < 0)
			return sign_error(SIGN_EXIT_BAD_CONFIG, "config %s: %s", config, err);
	}
	settings_merge(&st, &cli);
	if (!st.key)
		return sign_usage("sign", "no signing key: give --key or 'key' in the config");
	if (settings_finish(&st, &params, &layout) < 0)
		return sign_error(SIGN_EXIT_USAGE, "SOURCE_DATE_EPOCH is not a number of seconds");

	r = ebroker_key_read_pem(st.key, &key);
	if (r < 0)
		return sign_key_error(st.key, r);

	r = layout_file(input, &layout, &img);
	if (r != SIGN_EXIT_OK)
		return r;

	r = ebroker_image_mrenclave(img, mrenclave);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "measuring %s: %s", input, strerror(-r));
	r = ebroker_sigstruct_sign(key, &params, mrenclave, &sigstruct);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "signing: %s", strerror(-r));
	r = ebroker_image_set_sigstruct(img, &sigstruct);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "SIGSTRUCT does not match the SECS: %s",
				  strerror(-r));
	r = ebroker_image_write(img, output);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "writing %s: %s", output, strerror(-r));
	return SIGN_EXIT_OK;
}
