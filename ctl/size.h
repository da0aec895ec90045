/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EBROKERCTL_SIZE_H
#define EBROKERCTL_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Long enough for any u64 formatted by size_format(), and "max". */
#define SIZE_FORMAT_MAX 32

int size_parse(const char *s, uint64_t *ret_bytes);
const char *size_format(uint64_t bytes, char buf[static SIZE_FORMAT_MAX]);
const char *limit_format(uint64_t limit, char buf[static SIZE_FORMAT_MAX]);

#endif /* EBROKERCTL_SIZE_H */
