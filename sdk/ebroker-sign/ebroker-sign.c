// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker-sign: turn an enclave ELF into a signed image, and say what an
 * image is. One file per command; this one only dispatches.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "keygen", cmd_keygen, "generate a signing key (RSA-3072, e = 3)" },
	{ "sign", cmd_sign, "lay an enclave ELF out into pages, measure, sign, write the image" },
	{ "measure", cmd_measure, "print an enclave ELF's MRENCLAVE without signing" },
	{ "dump", cmd_dump, "show an image's identity and check its signature" },
};

static void help(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM " COMMAND [ARGS...]\n"
		   "\n"
		   "Sign ebroker enclaves and inspect signed images.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		   "Options:\n"
		   "  -h, --help  show this help; '" PROGRAM " COMMAND --help' for a command\n"
		   "\n"
		   "See ebroker-sign(1).\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
	int c, status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			help(stdout);
			return SIGN_EXIT_OK;
		default:
			return sign_usage(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return sign_usage(NULL, "no command given");

	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		argv += optind;
		argc -= optind;
		optind = 0; /* the command parses its own options afresh */
		status = commands[i].run(argc, argv);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			/* A closed pipe is the reader's business, not an error of ours. */
			if (errno == EPIPE)
				return status;
			return sign_error(SIGN_EXIT_FAILURE, "write error: %s", strerror(errno));
		}
		return status;
	}
	return sign_usage(NULL, "unknown command '%s'", argv[optind]);
}
