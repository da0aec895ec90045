/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks share: the clock, the median of a figure's rounds,
 * failing with the errno text, and files found beside the program.
 */
#ifndef EB_BENCH_H
#define EB_BENCH_H

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Rounds per figure, at most: median() sorts a copy this big. */
#define BENCH_MAX_ROUNDS 32

/* CLOCK_MONOTONIC, in seconds. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the @n figures at @v (1 to BENCH_MAX_ROUNDS), left in their order. */
static inline double median(const double *v, int n)
{
	double s[BENCH_MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* "PROGRAM: @what: errno text" on stderr, and exit 1; @err is ±errno. */
static inline void fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

/* @rel, relative to the directory this program is in, into @buf. */
static inline void beside_program(char *buf, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		fail("/proc/self/exe", errno);
	exe[n] = 0;
	snprintf(buf, size, "%s/%s", dirname(exe), rel);
}

#endif /* EB_BENCH_H */
