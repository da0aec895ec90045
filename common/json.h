/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_COMMON_JSON_H
#define EB_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

/*
 * A streaming JSON writer: compact, one document per json_begin/json_end,
 * ended with a newline (so a stream of documents is JSON lines). Commas are
 * its business; the caller says what comes next. Misuse (a value without a
 * key inside an object, nesting deeper than JSON_DEPTH_MAX) is a bug and
 * aborts.
 */
struct json {
	FILE *f;
	unsigned int depth;
	bool in_object[JSON_DEPTH_MAX];
	bool want_comma[JSON_DEPTH_MAX];
	bool have_key;
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_hex(struct json *j, const void *data, size_t len);
void json_limit(struct json *j, uint64_t limit);

void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_limit(struct json *j, const char *key, uint64_t limit);

#endif /* EB_COMMON_JSON_H */
