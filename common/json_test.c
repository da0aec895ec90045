// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for the JSON writer (json.c). */
#include <stdint.h>

#include <linux/ebroker_genl.h>

#include "common/json.h"
#include "common/test.h"

static const char *string_json(struct memout *m, const char *s)
{
	struct json j;

	json_init(&j, m->f);
	json_string(&j, s);
	return memout_str(m);
}

TEST(escapes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "\"\"\n" },
		{ "plain /tenants/a", "\"plain /tenants/a\"\n" },
		{ "q\"b\\s", "\"q\\\"b\\\\s\"\n" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"\n" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n" },
		{ "/", "\"/\"\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memout m;

		memout_open(&m);
		EXPECT_STREQ(cases[i].out, string_json(&m, cases[i].in));
		memout_close(&m);
	}
}

/* Cgroup names are bytes: the output stays valid UTF-8 whatever they hold. */
TEST(utf8)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"\n" },		  /* é */
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"\n" },	  /* € */
		{ "\xf0\x9f\x90\xa7", "\"\xf0\x9f\x90\xa7\"\n" }, /* U+1F427 */
		{ "a\xff"
		  "b",
		  "\"a\\ufffdb\"\n" },					      /* not UTF-8 */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"\n" },			      /* overlong '/' */
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n" },	      /* overlong */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n" },	      /* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n" }, /* > U+10FFFF */
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"\n" },			      /* truncated */
		{ "\x80x", "\"\\ufffdx\"\n" }, /* lone continuation */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memout m;

		memout_open(&m);
		EXPECT_STREQ(cases[i].out, string_json(&m, cases[i].in)) TH_LOG("case %zu", i);
		memout_close(&m);
	}
}

TEST(document)
{
	static const uint8_t hash[4] = { 0x00, 0xab, 0x7f, 0xff };
	struct memout m;
	struct json j;

	memout_open(&m);
	json_init(&j, m.f);
	json_object_begin(&j);
	json_kv_string(&j, "s", "x");
	json_kv_u64(&j, "zero", 0);
	json_kv_u64(&j, "big", UINT64_MAX);
	json_kv_bool(&j, "t", true);
	json_kv_bool(&j, "f", false);
	json_key(&j, "n");
	json_null(&j);
	json_kv_limit(&j, "none", EB_LIMIT_NONE);
	json_kv_limit(&j, "limit", 8 << 20);
	json_key(&j, "hex");
	json_hex(&j, hash, sizeof(hash));
	json_key(&j, "empty_array");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "empty_object");
	json_object_begin(&j);
	json_object_end(&j);
	json_key(&j, "list");
	json_array_begin(&j);
	json_u64(&j, 1);
	json_object_begin(&j);
	json_kv_u64(&j, "a", 2);
	json_kv_u64(&j, "b", 3);
	json_object_end(&j);
	json_array_begin(&j);
	json_string(&j, "c");
	json_array_end(&j);
	json_null(&j);
	json_array_end(&j);
	json_object_end(&j);
	EXPECT_STREQ("{\"s\":\"x\",\"zero\":0,\"big\":18446744073709551615,\"t\":true,"
		     "\"f\":false,\"n\":null,\"none\":\"max\",\"limit\":8388608,"
		     "\"hex\":\"00ab7fff\",\"empty_array\":[],\"empty_object\":{},"
		     "\"list\":[1,{\"a\":2,\"b\":3},[\"c\"],null]}\n",
		     memout_str(&m));
	memout_close(&m);
}

/* Documents in a row are JSON lines: one a line, nothing shared. */
TEST(json_lines)
{
	struct memout m;
	struct json j;

	memout_open(&m);
	for (int i = 0; i < 3; i++) {
		json_init(&j, m.f);
		json_object_begin(&j);
		json_kv_u64(&j, "seq", (uint64_t)i);
		json_object_end(&j);
	}
	json_init(&j, m.f);
	json_array_begin(&j);
	json_array_end(&j);
	EXPECT_STREQ("{\"seq\":0}\n{\"seq\":1}\n{\"seq\":2}\n[]\n", memout_str(&m));
	memout_close(&m);
}

TEST(keys_are_escaped)
{
	struct memout m;
	struct json j;

	memout_open(&m);
	json_init(&j, m.f);
	json_object_begin(&j);
	json_kv_u64(&j, "a\"b", 1);
	json_object_end(&j);
	EXPECT_STREQ("{\"a\\\"b\":1}\n", memout_str(&m));
	memout_close(&m);
}

TEST_HARNESS_MAIN
