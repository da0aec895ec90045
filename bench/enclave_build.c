// SPDX-License-Identifier: GPL-2.0
/*
 * enclave_build: enclave build throughput through /dev/ebroker, beside the
 * kernel's own SHA-256 throughput over the same bytes, measured in the same
 * run.
 *
 *   enclave_build [-r REPS] [-k KEY.pem] [SIZE_MIB...]     (default 16 64)
 *
 * For each size, REPS rounds of, in this order:
 *   sign	(not in the build figure) libebsign computes MRENCLAVE in user
 *		space over the image and signs a SIGSTRUCT with RSA-3072
 *   build	open /dev/ebroker + ENCLAVE_CREATE, ENCLAVE_ADD_PAGES of every
 *		page with EB_PAGE_MEASURE (RW pages; restarted on partial
 *		adds), ENCLAVE_INIT with that SIGSTRUCT; then close() (the
 *		release, timed but not in the build figure)
 *   floor	AF_ALG hash bound to the fastest "sha256" driver the kernel
 *		has (the highest priority in /proc/crypto, named in the
 *		table) over the bytes MRENCLAVE covers: the ECREATE record,
 *		then per page the EADD record and 16 EEXTEND records each
 *		followed by its 256 bytes, 5,184 bytes per page, laid out
 *		before timing and sent FLOOR_CHUNK pages at a time with
 *		MSG_MORE; its digest must be the signer's MRENCLAVE
 * and the medians are printed as records for bench/run to lay out:
 *   row|BENCHMARK|FIGURE|FLOOR|RATIO|TARGET
 *   text|LINE
 *
 * The signing key is made on the host at build time (RSA key generation is
 * slow in the guest): key.pem beside this program, or -k.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/if_alg.h>
#include <openssl/evp.h>

#include <ebroker/sign.h>
#include <linux/ebroker.h>

#include "bench.h"
#include "raw_enclave.h"

#define MAX_REPS    15
#define MAX_SIZES   8
#define TARGET	    0.8 /* build MB/s at least 0.8 of the SHA-256 floor */
#define FLOOR_ALG   "sha256"
#define FLOOR_CHUNK 16 /* pages of MRENCLAVE's stream per send() */
#define PAGE_FLAGS  (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W)

/* Medians are taken over these, one array slot per round. */
struct rounds {
	double sign_measure[MAX_REPS]; /* user-space MRENCLAVE */
	double sign_rsa[MAX_REPS];     /* ebroker_sigstruct_sign() */
	double create[MAX_REPS];       /* open + ENCLAVE_CREATE */
	double add[MAX_REPS];	       /* ENCLAVE_ADD_PAGES, all pages */
	double init[MAX_REPS];	       /* ENCLAVE_INIT */
	double build[MAX_REPS];	       /* create + add + init */
	double release[MAX_REPS];      /* close() */
	double floor[MAX_REPS];	       /* AF_ALG sha256 over MRENCLAVE's bytes */
};

static int reps = 5;

/* Deterministic, incompressible-looking contents. */
static void fill(uint8_t *buf, size_t len)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
}

static void secs_init(struct eb_secs *secs, uint64_t base, uint64_t size)
{
	memset(secs, 0, sizeof(*secs));
	secs->size = size;
	secs->base = base;
	secs->ssa_frame_size = 1;
	secs->attributes = EB_ATTR_MODE64BIT;
	secs->xfrm = 3;
}

static void sign(EVP_PKEY *key, const uint8_t *image, size_t size, struct eb_sigstruct *ss,
		 uint8_t mr[EB_HASH_SIZE], double *ret_measure, double *ret_rsa)
{
	struct eb_secinfo secinfo = { .flags = PAGE_FLAGS };
	static struct eb_secs secs;
	struct ebroker_sign_params p = {
		.date = 0x20261124,
		.attributes = EB_ATTR_MODE64BIT,
		.attributemask = ~EB_ATTR_INIT,
		.xfrm = 3,
		.xfrmmask = ~0ULL,
		.isv_prod_id = 1,
		.isv_svn = 1,
	};
	struct ebroker_measure *m;
	double t0, t1, t2;
	int ret;

	secs_init(&secs, 0, size);
	t0 = now();
	ret = ebroker_measure_new(&secs, &m);
	if (ret)
		fail("ebroker_measure_new", ret);
	for (size_t off = 0; off < size; off += EB_PAGE_SIZE) {
		ret = ebroker_measure_add_page(m, off, &secinfo, image + off, true);
		if (ret)
			fail("ebroker_measure_add_page", ret);
	}
	ret = ebroker_measure_finish(m, mr);
	if (ret)
		fail("ebroker_measure_finish", ret);
	ebroker_measure_free(m);
	t1 = now();
	ret = ebroker_sigstruct_sign(key, &p, mr, ss);
	if (ret)
		fail("ebroker_sigstruct_sign", ret);
	t2 = now();
	*ret_measure = t1 - t0;
	*ret_rsa = t2 - t1;
}

static void build(const uint8_t *image, size_t size, const struct eb_sigstruct *ss,
		  struct rounds *r, int i)
{
	struct eb_secinfo secinfo = { .flags = PAGE_FLAGS };
	static struct eb_secs secs;
	double t0, t1, t2, t3, t4;
	struct elrange elrange;
	int fd;

	elrange_reserve(&elrange, size);
	secs_init(&secs, elrange.base, size);

	t0 = now();
	fd = raw_create(&secs);
	t1 = now();
	raw_add_pages(fd, image, 0, size, &secinfo, EB_PAGE_MEASURE);
	t2 = now();
	raw_init(fd, ss);
	t3 = now();
	close(fd);
	t4 = now();
	elrange_release(&elrange);

	r->create[i] = t1 - t0;
	r->add[i] = t2 - t1;
	r->init[i] = t3 - t2;
	r->build[i] = t3 - t0;
	r->release[i] = t4 - t3;
}

/* SGX's 64-byte measurement records (SDM Vol. 3D, ECREATE, EADD, EEXTEND). */
#define MR_RECORD   64
#define MR_BLOCK    256
#define MR_PER_PAGE (MR_RECORD + EB_PAGE_SIZE / MR_BLOCK * (MR_RECORD + MR_BLOCK)) /* 5184 */

static uint8_t *mr_record(uint8_t *p, uint64_t tag, uint64_t a, uint64_t b)
{
	uint64_t w[3] = { htole64(tag), htole64(a), htole64(b) };

	memset(p, 0, MR_RECORD);
	memcpy(p, w, sizeof(w));
	return p + MR_RECORD;
}

/*
 * The bytes MRENCLAVE hashes for @image built as build() builds it, into
 * a new mapping of *@ret_len bytes: what the module hashes, without its
 * per-page work.
 */
static uint8_t *mr_stream(const uint8_t *image, size_t size, size_t *ret_len)
{
	size_t len = MR_RECORD + size / EB_PAGE_SIZE * MR_PER_PAGE;
	uint8_t *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		*p = s;

	if (s == MAP_FAILED)
		fail("mmap", errno);
	/* ECREATE: the tag, then SSAFRAMESIZE (32 bits, 1) and SIZE (64 bits) at byte 12. */
	p = mr_record(p, 0x0045544145524345ULL, 1 | size << 32, size >> 32);
	for (size_t off = 0; off < size; off += EB_PAGE_SIZE) {
		p = mr_record(p, 0x0000000044444145ULL, off, PAGE_FLAGS);
		for (size_t b = 0; b < EB_PAGE_SIZE; b += MR_BLOCK) {
			p = mr_record(p, 0x00444E4554584545ULL, off + b, 0);
			memcpy(p, image + off + b, MR_BLOCK);
			p += MR_BLOCK;
		}
	}
	*ret_len = len;
	return s;
}

/* AF_ALG hash over @len bytes at @buf with driver @drv; its digest must be @want. */
static double sha_floor(const char *drv, const uint8_t *buf, size_t len,
			const uint8_t want[EB_HASH_SIZE])
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "hash" };
	const size_t chunk = FLOOR_CHUNK * MR_PER_PAGE;
	uint8_t digest[EB_HASH_SIZE];
	double t0, t1;
	int tfm, op;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", drv);
	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		fail("socket(AF_ALG) (is algif_hash loaded?)", errno);
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		fail(drv, errno);
	t0 = now();
	op = accept(tfm, NULL, 0);
	if (op < 0)
		fail("accept(AF_ALG)", errno);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (send(op, buf + off, n, MSG_MORE) != (ssize_t)n)
			fail("send(AF_ALG)", errno ? errno : EIO);
	}
	if (read(op, digest, sizeof(digest)) != sizeof(digest))
		fail("read(AF_ALG)", errno ? errno : EIO);
	t1 = now();
	close(op);
	close(tfm);
	if (memcmp(digest, want, sizeof(digest)))
		fail("the floor's digest is not the signer's MRENCLAVE", EINVAL);
	return t1 - t0;
}

/*
 * The fastest driver of FLOOR_ALG: the highest-priority implementation in
 * /proc/crypto that passed its self-test, which is what the crypto API
 * hands out for "sha256", to the module too. "?" when there is none.
 */
static void floor_driver(char *drv, size_t size)
{
	char line[256], cur[128] = "", name[128] = "";
	long prio = -1, best = -1;
	FILE *f = fopen("/proc/crypto", "re");

	snprintf(drv, size, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char key[32], val[128];

		if (sscanf(line, "%31s : %127s", key, val) != 2)
			continue;
		if (!strcmp(key, "name"))
			snprintf(name, sizeof(name), "%s", val);
		else if (!strcmp(key, "driver"))
			snprintf(cur, sizeof(cur), "%s", val);
		else if (!strcmp(key, "priority"))
			prio = atol(val);
		else if (!strcmp(key, "selftest") && !strcmp(name, FLOOR_ALG) && prio > best &&
			 !strcmp(val, "passed")) {
			best = prio;
			snprintf(drv, size, "%s", cur);
		}
	}
	fclose(f);
}

static EVP_PKEY *load_key(const char *path)
{
	char def[PATH_MAX + 16];
	EVP_PKEY *key;
	int ret;

	if (!path) {
		beside_program(def, sizeof(def), "key.pem");
		path = def;
	}
	ret = ebroker_key_read_pem(path, &key);
	if (ret)
		fail(path, ret);
	return key;
}

static double mbps(size_t bytes, double s)
{
	return bytes / s / 1e6;
}

int main(int argc, char **argv)
{
	static struct rounds r[MAX_SIZES];
	size_t sizes[MAX_SIZES] = { 16, 64 };
	const char *key_path = NULL;
	struct eb_sigstruct ss;
	int nsizes = 2, opt;
	uint8_t mr[EB_HASH_SIZE];
	char drv[sizeof(((struct sockaddr_alg *)0)->salg_name)];
	EVP_PKEY *key;

	while ((opt = getopt(argc, argv, "r:k:")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'k':
			key_path = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: enclave_build [-r REPS] [-k KEY.pem] [SIZE_MIB...]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || argc - optind > MAX_SIZES)
		fail("bad arguments", EINVAL);
	if (optind < argc) {
		nsizes = argc - optind;
		for (int s = 0; s < nsizes; s++)
			sizes[s] = strtoul(argv[optind + s], NULL, 0);
	}
	key = load_key(key_path);
	floor_driver(drv, sizeof(drv));
	if (!strcmp(drv, "?"))
		fail("no " FLOOR_ALG " in /proc/crypto", ENOENT);

	for (int s = 0; s < nsizes; s++) {
		size_t size = sizes[s] << 20, mr_len;
		uint8_t *image, *stream;

		if (size < 2 * EB_PAGE_SIZE || (size & (size - 1)))
			fail("size must be a power of two MiB", EINVAL);
		image =
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (image == MAP_FAILED)
			fail("mmap", errno);
		fill(image, size);
		stream = mr_stream(image, size, &mr_len);
		for (int i = 0; i < reps; i++) {
			sign(key, image, size, &ss, mr, &r[s].sign_measure[i], &r[s].sign_rsa[i]);
			build(image, size, &ss, &r[s], i);
			r[s].floor[i] = sha_floor(drv, stream, mr_len, mr);
		}
		munmap(stream, mr_len);
		munmap(image, size);
	}

	for (int s = 0; s < nsizes; s++) {
		size_t bytes = sizes[s] << 20;
		double b = mbps(bytes, median(r[s].build, reps)),
		       f = mbps(bytes, median(r[s].floor, reps));
		const char *verdict = b / f >= TARGET ? "meets" : "below";

		printf("row|enclave build, %zu MiB|%.1f MB/s|", sizes[s], b);
		printf("AF_ALG %s (%s) %.1f MB/s|%.2f|>= %.2f: %s\n", FLOOR_ALG, drv, f, b / f,
		       TARGET, verdict);
	}
	printf("text|enclave build phases, median ms (right of || not in the build figure):\n");
	printf("text|  %-7s %8s %12s %8s %8s || %8s %17s %9s\n", "size", "create", "add+measure",
	       "init", "build", "release", "MRENCLAVE (user)", "RSA sign");
	for (int s = 0; s < nsizes; s++)
		printf("text|  %3zu MiB %8.2f %12.1f %8.2f %8.1f || %8.1f %17.1f %9.1f\n", sizes[s],
		       median(r[s].create, reps) * 1e3, median(r[s].add, reps) * 1e3,
		       median(r[s].init, reps) * 1e3, median(r[s].build, reps) * 1e3,
		       median(r[s].release, reps) * 1e3, median(r[s].sign_measure, reps) * 1e3,
		       median(r[s].sign_rsa, reps) * 1e3);
	EVP_PKEY_free(key);
	return 0;
}
