// SPDX-License-Identifier: GPL-2.0
/*
 * The one parser for sizes written by admins: module parameters and sysfs.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/overflow.h>

#include "size.h"

/**
 * eb_parse_size() - parse "<digits>[K|M|G|T]" (binary units)
 * @s: the text, not necessarily NUL-terminated
 * @len: its length; one trailing newline is allowed
 * @ret_bytes: set on success only
 *
 * Unlike memparse(), refuses trailing garbage, signs and overflow.
 *
 * Return: 0, -EINVAL for text that is not a size, -ERANGE on overflow.
 */
int eb_parse_size(const char *s, size_t len, u64 *ret_bytes)
{
	unsigned int shift = 0;
	u64 v = 0;
	size_t i;

	if (len && s[len - 1] == '\n')
		len--;
	if (!len || !isdigit(s[0]))
		return -EINVAL;
	for (i = 0; i < len && isdigit(s[i]); i++) {
		if (check_mul_overflow(v, 10ULL, &v) ||
		    check_add_overflow(v, (u64)(s[i] - '0'), &v))
			return -ERANGE;
	}
	if (i < len) {
		switch (s[i]) {
		case 'K': case 'k':
			shift = 10;
			break;
		case 'M': case 'm':
			shift = 20;
			break;
		case 'G': case 'g':
			shift = 30;
			break;
		case 'T': case 't':
			shift = 40;
			break;
		default:
			return -EINVAL;
		}
		if (++i != len)
			return -EINVAL;
	}
	if (shift && v > (U64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = v << shift;
	return 0;
}
