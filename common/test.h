/* SPDX-License-Identifier: GPL-2.0 */
/* What the host unit tests of common/ and ctl/ share: the harness, and output capture. */
#ifndef EB_COMMON_TEST_H
#define EB_COMMON_TEST_H

#include <stdio.h>
#include <stdlib.h>

/* The harness defines non-static functions without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* An in-memory FILE: write to .f, then memout_str() has what was written. */
struct memout {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void memout_open(struct memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
}

static inline const char *memout_str(struct memout *m)
{
	fflush(m->f);
	return m->buf;
}

static inline void memout_close(struct memout *m)
{
	fclose(m->f);
	free(m->buf);
}

#endif /* EB_COMMON_TEST_H */
