/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleanup helpers for ebrokerctl: every resource a function holds is declared
 * _cleanup_(freep-function) and given away with TAKE_PTR() on success, so
 * error paths free everything without a ladder. (The same idiom as
 * sdk/signer/util.h, which cannot be shared: it pulls in OpenSSL.)
 */
#ifndef EBROKERCTL_UTIL_H
#define EBROKERCTL_UTIL_H

#include <stdio.h>
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

DEFINE_FREEP(FILE, fclose)

#endif /* EBROKERCTL_UTIL_H */
