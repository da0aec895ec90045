// SPDX-License-Identifier: GPL-2.0
/*
 * ecall: the enclave SDK's costs in sim, each beside a floor measured in
 * the same run, as records for bench/run ("row|name|figure|floor|ratio|
 * target" and "text|line").
 *
 *   ecall [-r REPS] [-d SAMPLES_DIR]
 *
 * ECALL round trip: ebroker_enclave_call() of the echo sample's ECHO ECALL with
 * 8 bytes in and 8 out (EENTER, dispatch, copy in and out, EEXIT, each
 * ENCLU trapped and emulated by libebloader), beside a call of a noinline
 * function through a volatile function pointer and a getpid() system call
 * (syscall(SYS_getpid)). Each round of each kind runs for at least
 * ROUND_S; the rounds of the three kinds are interleaved.
 *
 * Load: ebroker_image_open() + ebroker_enclave_load() + ebroker_enclave_free() of the
 * keyvault-big sample (a 16 MiB heap: 4182 pages), per MB of enclave
 * pages, beside the same pages built with the raw ioctls: open
 * /dev/ebroker, ENCLAVE_CREATE, ENCLAVE_ADD_PAGES per run of contiguous
 * pages with one SECINFO from one prepared buffer, ENCLAVE_INIT with the
 * image's SIGSTRUCT, close(). The closes are in both: ebroker_enclave_free()
 * releases the EPC pages as close() does.
 *
 * The images are read from build/sdk/samples, found from this binary's
 * path (build/bench), or -d.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <ebroker/image.h>
#include <ebroker/loader.h>
#include <linux/ebroker.h>

#include "../sdk/samples/echo/echo.h"
#include "bench.h"
#include "raw_enclave.h"

#define MAX_REPS    15
#define ROUND_S	    0.05       /* at least this long per timed round */
#define MAX_ITERS   (1L << 30) /* calibration stops here */
#define ECHO_IMAGE  "echo.ebimg"
#define LOAD_IMAGE  "keyvault-big.ebimg"
#define LOAD_TARGET 1.25 /* the loader's whole load at most 1.25x the raw build */

static int reps = 5;

/* ------------------------------------------------------------- round trips */

enum kind { FUNC, SYSCALL, ECALL, NR_KINDS };

static __attribute__((noinline)) int plain(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

static int (*volatile plain_ptr)(int) = plain;
static struct ebroker_enclave *echo;

/* @iters operations of @k; the seconds they took. */
static double run(enum kind k, long iters)
{
	uint8_t in[8] = "8 bytes", out[8];
	double t0 = now();
	int acc = 0;

	switch (k) {
	case FUNC:
		for (long i = 0; i < iters; i++)
			acc = plain_ptr(acc);
		break;
	case SYSCALL:
		for (long i = 0; i < iters; i++)
			acc += (int)syscall(SYS_getpid);
		break;
	case ECALL:
		for (long i = 0; i < iters; i++) {
			size_t n = 0;
			int ret = ebroker_enclave_call(echo, ECHO_ECALL_ECHO, in, sizeof(in), out,
						       sizeof(out), &n);

			if (ret || n != sizeof(out))
				fail("echo ECALL", ret ? ret : EPROTO);
		}
		break;
	default:
		break;
	}
	__asm__ volatile("" : : "r"(acc));
	return now() - t0;
}

/* Iterations for a round of at least ROUND_S. */
static long calibrate(enum kind k)
{
	long iters = 1;

	while (iters < MAX_ITERS && run(k, iters) < ROUND_S)
		iters *= 2;
	return iters;
}

/* ------------------------------------------------------------------ loads */

/* The image's pages in one buffer, and its runs of one ioctl each. */
struct pageset {
	const struct ebroker_image *img;
	uint8_t *data;
	size_t pages;
};

static void pageset_init(struct pageset *ps, const struct ebroker_image *img)
{
	ps->img = img;
	ps->pages = ebroker_image_page_count(img);
	ps->data = mmap(NULL, ps->pages * EB_PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ps->data == MAP_FAILED)
		fail("mmap", errno);
	for (size_t i = 0; i < ps->pages; i++)
		memcpy(ps->data + i * EB_PAGE_SIZE, ebroker_image_page(img, i)->data, EB_PAGE_SIZE);
}

static void add_run(int fd, const struct pageset *ps, size_t first, size_t n)
{
	const struct ebroker_image_page *p = ebroker_image_page(ps->img, first);
	struct eb_secinfo secinfo = { .flags = p->secinfo_flags };

	raw_add_pages(fd, ps->data + first * EB_PAGE_SIZE, p->offset, n * EB_PAGE_SIZE, &secinfo,
		      p->measure ? EB_PAGE_MEASURE : 0);
}

/* create + add + init + close of the page set; the seconds it took. */
static double raw_build(const struct pageset *ps)
{
	struct eb_secs secs = *ebroker_image_secs(ps->img);
	struct elrange elrange;
	double t0, t1;
	int fd;

	elrange_reserve(&elrange, secs.size);
	secs.base = elrange.base;

	t0 = now();
	fd = raw_create(&secs);
	for (size_t i = 0; i < ps->pages;) {
		const struct ebroker_image_page *p = ebroker_image_page(ps->img, i);
		size_t n = 1;

		while (i + n < ps->pages) {
			const struct ebroker_image_page *q = ebroker_image_page(ps->img, i + n);

			if (q->offset != p->offset + n * EB_PAGE_SIZE ||
			    q->secinfo_flags != p->secinfo_flags || q->measure != p->measure)
				break;
			n++;
		}
		add_run(fd, ps, i, n);
		i += n;
	}
	raw_init(fd, ebroker_image_sigstruct(ps->img));
	close(fd);
	t1 = now();
	elrange_release(&elrange);
	return t1 - t0;
}

/* ebroker_image_open + ebroker_enclave_load + both frees; the phases' seconds. */
static void sdk_load(const char *path, double *open_s, double *load_s, double *free_s)
{
	struct ebroker_enclave *e = NULL;
	struct ebroker_image *img = NULL;
	double t0, t1, t2, t3;
	int ret;

	t0 = now();
	ret = ebroker_image_open(path, &img);
	if (ret)
		fail(path, ret);
	t1 = now();
	ret = ebroker_enclave_load(img, NULL, &e);
	if (ret)
		fail("ebroker_enclave_load", ret);
	t2 = now();
	ebroker_image_free(img);
	ebroker_enclave_free(e);
	t3 = now();
	*open_s = t1 - t0;
	*load_s = t2 - t1;
	*free_s = t3 - t2;
}

/* ------------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	static const char *const names[NR_KINDS] = { "function call", "getpid()", "ECALL" };
	double per_op[NR_KINDS][MAX_REPS], raw[MAX_REPS], sdk[MAX_REPS];
	double t_open[MAX_REPS], t_load[MAX_REPS], t_free[MAX_REPS];
	char path[PATH_MAX + 64];
	const char *dir_arg = NULL;
	long iters[NR_KINDS];
	struct ebroker_image *img;
	struct pageset ps;
	double mb, ns[NR_KINDS], raw_ms, sdk_ms;
	int opt, ret;

	while ((opt = getopt(argc, argv, "r:d:")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'd':
			dir_arg = optarg;
			break;
		default:
			fprintf(stderr, "usage: ecall [-r REPS] [-d SAMPLES_DIR]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || optind != argc)
		fail("bad arguments", EINVAL);

	/* Round trips. */
	ret = ebroker_loader_signals_install();
	if (ret)
		fail("ebroker_loader_signals_install", ret);
	sample_path(path, sizeof(path), dir_arg, ECHO_IMAGE);
	ret = ebroker_enclave_load_file(path, NULL, &echo);
	if (ret)
		fail(path, ret);
	for (int k = 0; k < NR_KINDS; k++)
		iters[k] = calibrate(k);
	for (int i = 0; i < reps; i++)
		for (int k = 0; k < NR_KINDS; k++)
			per_op[k][i] = run(k, iters[k]) / iters[k];
	echo = ebroker_enclave_free(echo);
	ebroker_loader_signals_uninstall();
	for (int k = 0; k < NR_KINDS; k++)
		ns[k] = median(per_op[k], reps) * 1e9;

	/* Loads, interleaved with the raw builds of the same pages. */
	sample_path(path, sizeof(path), dir_arg, LOAD_IMAGE);
	ret = ebroker_image_open(path, &img);
	if (ret)
		fail(path, ret);
	pageset_init(&ps, img);
	mb = ps.pages * (double)EB_PAGE_SIZE / 1e6;
	for (int i = 0; i < reps; i++) {
		raw[i] = raw_build(&ps);
		sdk_load(path, &t_open[i], &t_load[i], &t_free[i]);
		sdk[i] = t_open[i] + t_load[i] + t_free[i];
	}
	raw_ms = median(raw, reps) * 1e3;
	sdk_ms = median(sdk, reps) * 1e3;

	printf("row|ECALL round trip (sim, echo 8 B)|%.2f us|%s %.1f ns|%.0f|-\n", ns[ECALL] / 1e3,
	       names[SYSCALL], ns[SYSCALL], ns[ECALL] / ns[SYSCALL]);
	printf("row|ECALL round trip (sim, echo 8 B)|%.2f us|%s via pointer %.2f ns|%.0f|-\n",
	       ns[ECALL] / 1e3, names[FUNC], ns[FUNC], ns[ECALL] / ns[FUNC]);
	printf("row|enclave load (SDK), %.1f MB|%.2f ms/MB|raw ioctls, same pages %.2f ms/MB|%.2f|"
	       "<= %.2f: %s\n",
	       mb, sdk_ms / mb, raw_ms / mb, sdk_ms / raw_ms, LOAD_TARGET,
	       sdk_ms / raw_ms <= LOAD_TARGET ? "meets" : "above");
	printf("text|round trips, median of %d rounds: ", reps);
	for (int k = 0; k < NR_KINDS; k++)
		printf("%s %.1f ns x %ld%s", names[k], ns[k], iters[k],
		       k + 1 < NR_KINDS ? ", " : "\n");
	printf(
	    "text|load of %s (%zu pages), median ms: image open %.2f, ebroker_enclave_load %.1f, "
	    "free %.1f; raw create+add+init+close %.1f (%.1f MB/s)\n",
	    LOAD_IMAGE, ps.pages, median(t_open, reps) * 1e3, median(t_load, reps) * 1e3,
	    median(t_free, reps) * 1e3, raw_ms, mb / (raw_ms / 1e3));
	munmap(ps.data, ps.pages * EB_PAGE_SIZE);
	ebroker_image_free(img);
	return 0;
}
