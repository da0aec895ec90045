/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_SIZE_H
#define EB_SIZE_H

#include <linux/types.h>

int eb_parse_size(const char *s, size_t len, u64 *ret_bytes);

#endif /* EB_SIZE_H */
