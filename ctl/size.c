// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes as admins write them and as humans read them. The parser accepts
 * exactly what the kernel's eb_parse_size() (kmod/size.c) accepts, so a size
 * that ebrokerctl takes is one the module's sysfs files take too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <linux/ebroker_genl.h>

#include "size.h"

static const char size_units[] = "KMGT";

static unsigned int size_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	case 'T':
	case 't':
		return 40;
	default:
		return 0;
	}
}

/*
 * size_parse() - "<digits>[K|M|G|T]" in binary units, nothing else: no sign,
 * no space, no trailing garbage, no overflow. Returns 0, -EINVAL for text
 * that is not a size, -ERANGE for one that does not fit 64 bits.
 */
int size_parse(const char *s, uint64_t *ret_bytes)
{
	unsigned int shift = 0;
	uint64_t v = 0;
	const char *p;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
			return -ERANGE;
	}
	if (*p) {
		shift = size_shift(*p);
		if (!shift || p[1])
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = v << shift;
	return 0;
}

/*
 * size_format() - bytes for humans, in the parser's own units: exact multiples
 * print exactly ("64M", "4K", "4095"), so they can be typed back; others with
 * one decimal, rounded ("1.5M").
 */
const char *size_format(uint64_t bytes, char buf[static SIZE_FORMAT_MAX])
{
	unsigned int i, shift, tenths;
	uint64_t whole, rem;

	if (bytes < 1024) {
		snprintf(buf, SIZE_FORMAT_MAX, "%" PRIu64, bytes);
		return buf;
	}
	for (i = 0; i + 1 < sizeof(size_units) - 1 && bytes >= (1ULL << (10 * (i + 2))); i++)
		;
	for (;;) {
		shift = 10 * (i + 1);
		whole = bytes >> shift;
		rem = bytes & ((1ULL << shift) - 1);
		if (!rem) {
			snprintf(buf, SIZE_FORMAT_MAX, "%" PRIu64 "%c", whole, size_units[i]);
			return buf;
		}
		tenths = (unsigned int)(((rem * 10) + (1ULL << (shift - 1))) >> shift);
		if (tenths == 10) {
			whole++;
			tenths = 0;
		}
		/* 1023.95K rounds to 1024.0K: say 1.0M instead. */
		if (whole == 1024 && i + 1 < sizeof(size_units) - 1) {
			i++;
			continue;
		}
		snprintf(buf, SIZE_FORMAT_MAX, "%" PRIu64 ".%u%c", whole, tenths, size_units[i]);
		return buf;
	}
}

/* A cgroup limit: "max" for none, else as size_format(). */
const char *limit_format(uint64_t limit, char buf[static SIZE_FORMAT_MAX])
{
	if (limit == EB_LIMIT_NONE) {
		snprintf(buf, SIZE_FORMAT_MAX, "max");
		return buf;
	}
	return size_format(limit, buf);
}
