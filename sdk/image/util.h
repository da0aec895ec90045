/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleanup helpers for libebimage, which must not pull in OpenSSL and so
 * cannot use sdk/signer/util.h, and for ebroker-sign (sdk/sign), which adds
 * its OpenSSL types with DEFINE_FREEP: every resource a function holds is
 * declared _cleanup_(freep-function) and given away with TAKE_PTR() on
 * success.
 */
#ifndef EB_IMAGE_UTIL_H
#define EB_IMAGE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

#endif /* EB_IMAGE_UTIL_H */
