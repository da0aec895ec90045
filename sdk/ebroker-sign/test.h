/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ebroker-sign's host unit tests share: the harness, where the build
 * put the tool and the test enclaves, running the tool, and measuring an
 * enclave's pages independently of the tool's own helpers.
 */
#ifndef EBROKER_SIGN_TEST_H
#define EBROKER_SIGN_TEST_H

#include <endian.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

/*
 * The harness defines non-static functions without prototypes (fixtures
 * too, so for the whole file), and its EXPECT_EQ() compares a literal with
 * whatever type, as in the kselftests (built with -Wno-sign-compare).
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define PAGE 4096ULL

/* The build directory: tests live in build/test/sdk/ebroker-sign. */
static inline const char *build_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		abort();
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%s/../../..", dirname(exe));
	return dir;
}

/* A file under the build directory, in a static buffer of @slot (0-3). */
static inline const char *build_path(int slot, const char *rel)
{
	static char paths[4][PATH_MAX + 64];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", build_dir(), rel);
	return paths[slot];
}

/*
 * Run a shell command; its stdout and stderr, together, go to *@ret_out
 * (free() it) if @ret_out is not NULL. Returns the exit status, or -1 if
 * it did not exit.
 */
static inline int run(char **ret_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int run(char **ret_out, const char *fmt, ...)
{
	char *cmd, *out = NULL, buf[4096];
	size_t len = 0, n;
	va_list ap;
	FILE *p;
	int r;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		abort();
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		out = realloc(out, len + n + 1);
		if (!out)
			abort();
		memcpy(out + len, buf, n);
		len += n;
	}
	if (!out)
		out = calloc(1, 1);
	out[len] = 0;
	r = pclose(p);
	if (ret_out)
		*ret_out = out;
	else
		free(out);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* ebroker-sign's path, for run(). */
static inline const char *tool(void)
{
	return build_path(3, "bin/ebroker-sign");
}

static inline void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* A TCS page: SSA at @ossa, entry at @oentry (little-endian fields). */
static inline void make_tcs(uint8_t *tcs, uint64_t ossa, uint32_t nssa, uint64_t oentry)
{
	uint64_t v64;
	uint32_t v32;

	memset(tcs, 0, PAGE);
	v64 = htole64(ossa);
	memcpy(tcs + EB_TCS_OSSA, &v64, 8);
	v32 = htole32(nssa);
	memcpy(tcs + EB_TCS_NSSA, &v32, 4);
	v64 = htole64(oentry);
	memcpy(tcs + EB_TCS_OENTRY, &v64, 8);
	v32 = htole32(EB_TCS_LIMIT_LOW);
	memcpy(tcs + EB_TCS_FSLIMIT, &v32, 4);
	memcpy(tcs + EB_TCS_GSLIMIT, &v32, 4);
}

#endif /* EBROKER_SIGN_TEST_H */
