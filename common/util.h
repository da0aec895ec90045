/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the userspace parts share, free of OpenSSL so that libebimage,
 * libebloader and ebrokerctl can use it (libebsign adds its OpenSSL types
 * in sdk/signer/ossl.h). Every resource a function holds is declared
 * _cleanup_(freep-function) and given away with TAKE_PTR() on success, so
 * error paths free everything without a ladder.
 */
#ifndef EB_COMMON_UTIL_H
#define EB_COMMON_UTIL_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Return *p and set it to NULL: ownership leaves the cleanup scope. */
#define TAKE_PTR(p)                        \
	({                                 \
		__typeof__(p) *_pp = &(p); \
		__typeof__(p) _p = *_pp;   \
		*_pp = NULL;               \
		_p;                        \
	})

/* Return fd and set it to -1: ownership leaves the cleanup scope. */
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

#define DEFINE_FREEP(type, func)             \
	static inline void func##p(type **p) \
	{                                    \
		if (*p)                      \
			func(*p);            \
	}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

DEFINE_FREEP(FILE, fclose)

/* Read up to @len bytes, fewer only at end of file; bytes read or -errno. */
static inline ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static inline bool mem_is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Little-endian fields at any alignment, as the image and SGX formats lay them out. */
static inline void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Exactly 2 * @n hex digits (either case) into @n bytes: 0, or -EINVAL with @out untouched. */
static inline int hex_decode(const char *s, uint8_t *out, size_t n)
{
	uint8_t v[64];

	if (n > sizeof(v) || strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			return -EINVAL;
		v[i / 2] = (uint8_t)(i % 2 ? v[i / 2] | d : d << 4);
	}
	memcpy(out, v, n);
	return 0;
}

#endif /* EB_COMMON_UTIL_H */
