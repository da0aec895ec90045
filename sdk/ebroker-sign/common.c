// SPDX-License-Identifier: GPL-2.0
/* Helpers ebroker-sign's commands share: messages, files, measurement. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file.h"

#include "cli.h"

int sign_error(int status, const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int sign_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fputs(PROGRAM ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROGRAM "%s%s --help'.\n", command ? " " : "",
		command ? command : "");
	return SIGN_EXIT_USAGE;
}

int sign_one_arg(const char *command, const char *help, const char *what, int argc, char **argv,
		 const char **ret_arg)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
	int c;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c != 'h')
			return sign_option_error(command, c, argv);
		fputs(help, stdout);
		return SIGN_EXIT_OK;
	}
	if (argc - optind != 1)
		return sign_usage(command, "give exactly one %s", what);
	*ret_arg = argv[optind];
	return SIGN_CONTINUE;
}

int sign_option_error(const char *command, int c, char **argv)
{
	if (c == ':')
		return sign_usage(command, "option '%s' needs a value", argv[optind - 1]);
	return sign_usage(command, "unknown option '%s'", argv[optind - 1]);
}

int layout_file(const char *path, const struct layout_params *params, struct ebroker_image **ret)
{
	_cleanup_(freep) void *elf = NULL;
	char err[512];
	size_t len;
	int r;

	r = read_regular_file(AT_FDCWD, path, O_NONBLOCK, ELF_FILE_MAX, &elf, &len);
	if (r == -EFBIG || r == -EINVAL)
		return sign_error(SIGN_EXIT_BAD_ELF, "%s: %s", path,
				  r == -EFBIG ? "too large for an enclave" : "not a regular file");
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "%s: %s", path, strerror(-r));
	r = elf_layout(elf, len, params, ret, err, sizeof(err));
	if (r == -EBADMSG || r == -EINVAL)
		return sign_error(SIGN_EXIT_BAD_ELF, "%s: %s", path, err);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "%s: %s", path, strerror(-r));
	return SIGN_EXIT_OK;
}

void hex_string(const uint8_t *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xf];
	}
	out[2 * n] = 0;
}
