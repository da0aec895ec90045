/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks share: the clock, the median of a figure's rounds,
 * failing with the errno text, and files: read whole, found beside the
 * program, the SDK's samples.
 */
#ifndef EB_BENCH_H
#define EB_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Rounds per figure, at most: median() sorts a copy this big. */
#define BENCH_MAX_ROUNDS 32

/* @clock's time, in seconds. */
static inline double clock_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CLOCK_MONOTONIC, in seconds. */
static inline double now(void)
{
	return clock_now(CLOCK_MONOTONIC);
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the @n (at least 1) figures at @v, which it sorts. */
static inline double median_in_place(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of the @n figures at @v (1 to BENCH_MAX_ROUNDS), left in their order. */
static inline double median(const double *v, int n)
{
	double s[BENCH_MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	return median_in_place(s, n);
}

/* Options "-n N -r ROUNDS" into @n and @rounds (left as given when absent); exit 2 on others. */
static inline void bench_options(int argc, char **argv, int *n, int *rounds)
{
	int opt;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			*n = atoi(optarg);
		else if (opt == 'r')
			*rounds = atoi(optarg);
		else
			exit(2);
	}
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

/* Sample image @name's path: in @dir (-d), or with no @dir, in the SDK's build beside us. */
static inline void sample_path(char *buf, size_t size, const char *dir, const char *name)
{
	char rel[PATH_MAX];

	if (dir) {
		snprintf(buf, size, "%s/%s", dir, name);
		return;
	}
	snprintf(rel, sizeof(rel), "../sdk/samples/%s", name);
	beside_program(buf, size, rel);
}

/* The whole of the file at @path, in memory to free(); its length in @ret_len. */
static inline void *read_whole_file(const char *path, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf)
		fail(path, fd < 0 ? errno : ENOMEM);
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap && !(buf = realloc(buf, cap *= 2)))
			fail(path, ENOMEM);
	}
	if (n < 0)
		fail(path, errno);
	close(fd);
	*ret_len = len;
	return buf;
}

#endif /* EB_BENCH_H */
