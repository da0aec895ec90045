/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ebroker-sign's commands share: exit statuses, messages, the ELF
 * layout and the signing settings. Each command lives in its own file and
 * returns an exit status; the helpers return negative errno like the rest.
 */
#ifndef EBROKER_SIGN_TOOL_H
#define EBROKER_SIGN_TOOL_H

#include "common/file.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>
#include <openssl/evp.h>

#include "common/util.h"
#include "sdk/signer/ossl.h"

#define PROGRAM "ebroker-sign"

/* Exit statuses, documented in ebroker-sign(1). */
enum {
	SIGN_EXIT_OK = 0,
	SIGN_EXIT_FAILURE = 1, /* I/O, memory, anything not below */
	SIGN_EXIT_USAGE = 2,
	SIGN_EXIT_BAD_ELF = 3,
	SIGN_EXIT_BAD_IMAGE = 4,
	SIGN_EXIT_BAD_KEY = 5,
	SIGN_EXIT_BAD_CONFIG = 6,
	SIGN_EXIT_UNTRUSTED = 7, /* dump: bad signature, or ENCLAVEHASH is not the pages' */
};

DEFINE_FREEP(struct ebroker_image, ebroker_image_free)
DEFINE_FREEP(struct ebroker_measure, ebroker_measure_free)

int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_measure(int argc, char **argv);

/* "ebroker-sign: <message>" on stderr; returns @status. */
int sign_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error in @command (NULL: none yet), with a hint; returns SIGN_EXIT_USAGE. */
int sign_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * For a command whose one option is --help and which takes one argument
 * (@what, for the usage error): SIGN_CONTINUE with *ret_arg set, or the
 * exit status to return at once.
 */
#define SIGN_CONTINUE (-1)
int sign_one_arg(const char *command, const char *help, const char *what, int argc, char **argv,
		 const char **ret_arg);
/* The usage error of getopt_long()'s result @c ('?' or ':'); returns SIGN_EXIT_USAGE. */
int sign_option_error(const char *command, int c, char **argv);

/* Lower-case hex of @n bytes into @out (2 * @n + 1 bytes). */
void hex_string(const uint8_t *data, size_t n, char *out);

/* ------------------------------------------------------------ ELF layout */

/* The largest ELF file read: one holding a full image's worth of pages. */
#define ELF_FILE_MAX ((uint64_t)EBROKER_IMAGE_PAGES_MAX * EB_PAGE_SIZE + (1ULL << 20))

/* The SECS fields the ELF does not decide. */
struct layout_params {
	uint64_t attributes; /* EB_ATTR_MODE64BIT is added */
	uint64_t xfrm;
	uint32_t miscselect;
};

/*
 * Lay an enclave ELF out into the pages of an image (the SDK contract in
 * docs/image-format.md, "From ELF to pages"). On -EBADMSG (a refused ELF)
 * or -EINVAL (refused SECS parameters), @err says why.
 */
int elf_layout(const void *elf, size_t len, const struct layout_params *params,
	       struct ebroker_image **ret, char *err, size_t errlen);

/* Read and lay out the ELF at @path; an exit status, with the error said. */
int layout_file(const char *path, const struct layout_params *params, struct ebroker_image **ret);

/* ------------------------------------------------------- signing settings */

enum setting {
	SET_KEY,
	SET_ISV_PROD_ID,
	SET_ISV_SVN,
	SET_DEBUG,
	SET_MISCSELECT,
	SET_MISC_MASK,
	SET_ATTRIBUTE_MASK,
	SET_XFRM,
	SET_XFRM_MASK,
	SET_DATE,
	_SET_MAX,
};

/* What `sign` is told, from the command line and a config file. */
struct sign_settings {
	char *key; /* path */
	uint64_t isv_prod_id, isv_svn;
	bool debug;
	uint64_t miscselect, misc_mask;
	uint64_t attribute_mask;
	uint64_t xfrm, xfrm_mask;
	uint32_t date; /* BCD 0xYYYYMMDD */
	bool given[_SET_MAX];
};

/* The config key of a setting ("isv_prod_id"); its option is the same
 * with dashes ("--isv-prod-id"). */
const char *setting_name(enum setting s);
/*
 * Set @s from text; a relative key path is taken relative to @dir (NULL:
 * the working directory). Return: 0, -EINVAL (malformed, or a MISCSELECT
 * or XFRM that ECREATE refuses), -ERANGE (too large), -ENOMEM.
 */
int setting_parse(struct sign_settings *st, enum setting s, const char *value, const char *dir);
/*
 * Read a config file of "key = value" lines into @st. On -EINVAL or
 * -ERANGE, @err says which line and why.
 */
int config_read(const char *path, struct sign_settings *st, char *err, size_t errlen);
/* Take what @over was given over @base's; frees what it replaces. */
void settings_merge(struct sign_settings *base, const struct sign_settings *over);
void settings_done(struct sign_settings *st);
/* The defaults for what neither gave, then the SIGSTRUCT fields. */
int settings_finish(struct sign_settings *st, struct ebroker_sign_params *ret_params,
		    struct layout_params *ret_layout);

#endif /* EBROKER_SIGN_TOOL_H */
