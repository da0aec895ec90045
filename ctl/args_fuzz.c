// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what ebrokerctl reads from the command line and
 * /proc/self/mountinfo. The input is an argument, a NUL, and a mountinfo
 * text. Whatever the bytes: a size parses only to a value that prints back
 * to itself when printed exactly; a CGROUP argument becomes a clean
 * hierarchy path or is refused; JSON strings come out valid UTF-8 without a
 * raw control character; table cells print without a control character.
 * Built with ASan and UBSan (make fuzz); run by scripts/fuzz-check with
 * ctl/fuzz-seeds.
 */
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

#include "cgpath.h"
#include "size.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_size(const char *arg)
{
	char buf[SIZE_FORMAT_MAX];
	uint64_t v, back;

	if (size_parse(arg, &v) < 0)
		return;
	size_format(v, buf);
	if (!strchr(buf, '.') && (size_parse(buf, &back) < 0 || back != v))
		abort();
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Absolute, single slashes, no "." or ".." component, no trailing slash. */
static void check_clean(const char *p)
{
	char *again = NULL;

	if (p[0] != '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		abort();
	if (strcmp(p, "/") && (ends_with(p, "/") || ends_with(p, "/.") || ends_with(p, "/..")))
		abort();
	if (cg_path_clean(p, &again) < 0 || strcmp(again, p))
		abort();
	free(again);
}

static void check_cgroup(const char *arg, const char *mountinfo, size_t len)
{
	struct cg_mounts mounts = { 0 };
	char *path = NULL;
	FILE *f;

	f = fmemopen((void *)mountinfo, len ? len : 1, "r");
	if (!f)
		return;
	if (cg_mounts_parse(f, &mounts) == 0) {
		for (size_t i = 0; i < mounts.n; i++) {
			check_clean(mounts.v[i].mountpoint);
			check_clean(mounts.v[i].root);
		}
		if (cg_path_from_arg(arg, &mounts, &path) == 0) {
			check_clean(path);
			free(path);
		}
		cg_mounts_free(&mounts);
	}
	fclose(f);
}

/* Valid UTF-8, by iconv rather than by common/json.c's own decoder. */
static void check_utf8(char *s, size_t len)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	char out[4096], *in = s, *o;
	size_t inleft = len, oleft;

	if (cd == (iconv_t)-1)
		abort();
	while (inleft) {
		o = out;
		oleft = sizeof(out);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG)
			abort();
	}
	iconv_close(cd);
}

static void check_json(const char *arg)
{
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	json_init(&j, f);
	json_string(&j, arg);
	fclose(f);
	if (len < 3 || buf[0] != '"' || buf[len - 2] != '"' || buf[len - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)buf[i] < 0x20)
			abort();
	check_utf8(buf, len);
	free(buf);
}

static void check_table(const char *arg)
{
	static const struct table_column cols[] = { { "A", false }, { "B", true } };
	struct table *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (table_new(cols, 2, &t) < 0)
		return;
	if (table_add(t, arg) == 0 && table_add(t, arg) == 0) {
		f = open_memstream(&buf, &len);
		if (f) {
			if (table_print(t, f) < 0)
				abort();
			fclose(f);
			for (size_t i = 0; i < len; i++)
				if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') ||
				    buf[i] == 0x7f)
					abort();
			free(buf);
		}
	}
	table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t arglen = nul ? (size_t)(nul - data) : size;
	char *arg = strndup((const char *)data, arglen);

	if (!arg)
		return 0;
	check_size(arg);
	check_cgroup(arg, nul ? (const char *)nul + 1 : "", nul ? size - arglen - 1 : 0);
	check_json(arg);
	check_table(arg);
	free(arg);
	return 0;
}
