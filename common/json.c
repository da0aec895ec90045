// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON ebrokerctl and ebroker-sign print. Strings are escaped per RFC
 * 8259 and kept valid UTF-8: cgroup names are bytes, so a byte that does not
 * start a well-formed UTF-8 sequence is written as U+FFFD. Numbers are unsigned
 * 64-bit integers, written exactly (consumers that read them as doubles lose
 * precision above 2^53; no figure ebroker reports gets there in practice).
 */
#include <inttypes.h>
#include <stdlib.h>

#include <linux/ebroker_genl.h>

#include "common/json.h"

void json_init(struct json *j, FILE *f)
{
	*j = (struct json){ .f = f };
}

/* Before any value: the comma after a previous one, and the key rule. */
static void json_value_prefix(struct json *j)
{
	if (!j->depth)
		return;
	if (j->in_object[j->depth - 1]) {
		if (!j->have_key)
			abort();
		j->have_key = false;
		return;
	}
	if (j->want_comma[j->depth - 1])
		fputc(',', j->f);
	j->want_comma[j->depth - 1] = true;
}

static void json_open(struct json *j, bool object)
{
	json_value_prefix(j);
	if (j->depth == JSON_DEPTH_MAX)
		abort();
	fputc(object ? '{' : '[', j->f);
	j->in_object[j->depth] = object;
	j->want_comma[j->depth] = false;
	j->depth++;
}

static void json_close(struct json *j, bool object)
{
	if (!j->depth || j->in_object[j->depth - 1] != object || j->have_key)
		abort();
	fputc(object ? '}' : ']', j->f);
	if (!--j->depth)
		fputc('\n', j->f);
}

void json_object_begin(struct json *j)
{
	json_open(j, true);
}

void json_object_end(struct json *j)
{
	json_close(j, true);
}

void json_array_begin(struct json *j)
{
	json_open(j, false);
}

void json_array_end(struct json *j)
{
	json_close(j, false);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	uint32_t cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	cp = c & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return n;
}

static void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	if (!j->depth || !j->in_object[j->depth - 1] || j->have_key)
		abort();
	if (j->want_comma[j->depth - 1])
		fputc(',', j->f);
	j->want_comma[j->depth - 1] = true;
	json_write_string(j->f, key);
	fputc(':', j->f);
	j->have_key = true;
}

/* A scalar at the top level is a whole document: end it with a newline. */
static void json_scalar_end(struct json *j)
{
	if (!j->depth)
		fputc('\n', j->f);
}

void json_string(struct json *j, const char *s)
{
	json_value_prefix(j);
	json_write_string(j->f, s);
	json_scalar_end(j);
}

void json_u64(struct json *j, uint64_t v)
{
	json_value_prefix(j);
	fprintf(j->f, "%" PRIu64, v);
	json_scalar_end(j);
}

void json_bool(struct json *j, bool v)
{
	json_value_prefix(j);
	fputs(v ? "true" : "false", j->f);
	json_scalar_end(j);
}

void json_null(struct json *j)
{
	json_value_prefix(j);
	fputs("null", j->f);
	json_scalar_end(j);
}

/* Binary data (a measurement) as a lower-case hex string. */
void json_hex(struct json *j, const void *data, size_t len)
{
	const unsigned char *p = data;

	json_value_prefix(j);
	fputc('"', j->f);
	for (size_t i = 0; i < len; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
	json_scalar_end(j);
}

/* A cgroup limit: bytes, or the string "max" for none (as in sysfs). */
void json_limit(struct json *j, uint64_t limit)
{
	if (limit == EB_LIMIT_NONE)
		json_string(j, "max");
	else
		json_u64(j, limit);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_limit(struct json *j, const char *key, uint64_t limit)
{
	json_key(j, key);
	json_limit(j, limit);
}
