// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for size parsing and formatting (size.c). */
#include <errno.h>
#include <stdint.h>

#include "common/test.h"

#include "size.h"

#include <linux/ebroker_genl.h>

TEST(parse_good)
{
	static const struct {
		const char *s;
		uint64_t v;
	} cases[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "1K", 1024 },
		{ "64K", 64 << 10 },
		{ "64k", 64 << 10 },
		{ "64M", 64ULL << 20 },
		{ "1G", 1ULL << 30 },
		{ "1g", 1ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "007", 7 },
		{ "0T", 0 },
		{ "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 1;

		EXPECT_EQ(0, size_parse(cases[i].s, &v)) TH_LOG("'%s'", cases[i].s);
		EXPECT_EQ(cases[i].v, v) TH_LOG("'%s'", cases[i].s);
	}
}

TEST(parse_bad)
{
	static const char *const cases[] = {
		"",    "12abc", "-1",  "+1", " 1",  "1 ", "1KB", "K",	"1.5M",
		"1\n", "0x10",	"1KK", "1P", "1e6", "１", "M1",	 "1 K", "max",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 42;

		EXPECT_EQ(-EINVAL, size_parse(cases[i], &v)) TH_LOG("'%s'", cases[i]);
		EXPECT_EQ(42ULL, v) TH_LOG("'%s': ret_bytes touched on failure", cases[i]);
	}
}

TEST(parse_overflow)
{
	static const char *const cases[] = {
		"18446744073709551616", "99999999999999999999999", "16777216T",
		"17179869184G",		"17592186044416M",	   "18014398509481984K",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 42;

		EXPECT_EQ(-ERANGE, size_parse(cases[i], &v)) TH_LOG("'%s'", cases[i]);
		EXPECT_EQ(42ULL, v);
	}
}

TEST(format)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 1023, "1023" },
		{ 1024, "1K" },
		{ 1536, "1.5K" },
		{ 4096, "4K" },
		{ 4097, "4.0K" },
		{ 64ULL << 20, "64M" },
		{ (64ULL << 20) + (512 << 10), "64.5M" },
		{ (1ULL << 20) - 1, "1.0M" }, /* not "1024.0K" */
		{ (1ULL << 20) - 52, "1023.9K" },
		{ (1ULL << 20) - 51, "1.0M" },
		{ (1ULL << 20) - 1024, "1023K" },
		{ (1ULL << 30) + 1, "1.0G" },
		{ 3ULL << 40, "3T" },
		{ 5000ULL << 40, "5000T" },
		{ UINT64_MAX, "16777216.0T" },
	};
	char buf[SIZE_FORMAT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_STREQ(cases[i].s, size_format(cases[i].v, buf));
}

TEST(format_rounds_to_nearest_tenth)
{
	char buf[SIZE_FORMAT_MAX];

	EXPECT_STREQ("1.1K", size_format(1024 + 102, buf)); /* 1.0996 */
	EXPECT_STREQ("1.0K", size_format(1024 + 51, buf));  /* 1.0498 */
	EXPECT_STREQ("1.1K", size_format(1024 + 52, buf));  /* 1.0508 */
	EXPECT_STREQ("2.0M", size_format((2ULL << 20) - 1, buf));
}

/* What size_format() prints exactly, size_parse() reads back. */
TEST(format_round_trip)
{
	static const uint64_t cases[] = { 0,	      1,	  1023,
					  1024,	      4096,	  8ULL << 20,
					  1ULL << 30, 7ULL << 40, 16777215ULL << 40 };
	char buf[SIZE_FORMAT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v;

		ASSERT_EQ(0, size_parse(size_format(cases[i], buf), &v)) TH_LOG("%s", buf);
		EXPECT_EQ(cases[i], v);
	}
}

TEST(limit)
{
	char buf[SIZE_FORMAT_MAX];

	EXPECT_STREQ("max", limit_format(EB_LIMIT_NONE, buf));
	EXPECT_STREQ("8M", limit_format(8 << 20, buf));
	EXPECT_STREQ("0", limit_format(0, buf));
}

TEST_HARNESS_MAIN
