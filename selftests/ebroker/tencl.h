/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test enclaves: build one through /dev/ebroker while libebsign measures
 * the same pages independently in user space, then sign and init it.
 *
 * The signing key is made once on the host at build time (the guest is slow
 * at RSA key generation): test-key.pem beside the test binaries, or the
 * file named by $EB_TEST_KEY.
 */
#ifndef EB_TENCL_H
#define EB_TENCL_H

#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <openssl/evp.h>

#include <ebroker/sign.h>
#include <linux/ebroker.h>

#include "eb_test.h"

struct tencl {
	int fd;
	struct eb_secs secs;
	struct ebroker_measure *m;
	void *reserve; /* PROT_NONE reservation holding ELRANGE */
	size_t reserve_len;
};

#define TENCL_RX  (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_X)
#define TENCL_RW  (EB_SECINFO_PT_REG | EB_SECINFO_R | EB_SECINFO_W)
#define TENCL_R	  (EB_SECINFO_PT_REG | EB_SECINFO_R)
#define TENCL_TCS (EB_SECINFO_PT_TCS)

/* The signing key, loaded once per process. */
static inline EVP_PKEY *tencl_key(void)
{
	static EVP_PKEY *key;
	char exe[PATH_MAX], path[PATH_MAX + 16];
	const char *env = getenv("EB_TEST_KEY");
	ssize_t n;

	if (key)
		return key;
	if (env)
		return ebroker_key_read_pem(env, &key) < 0 ? NULL : key;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/test-key.pem", dirname(exe));
	if (ebroker_key_read_pem(path, &key) < 0)
		return NULL;
	return key;
}

/* Fill a SECS for an enclave of @size bytes at @base. */
static inline void tencl_secs(struct eb_secs *secs, uint64_t base, uint64_t size,
			      uint64_t attributes)
{
	memset(secs, 0, sizeof(*secs));
	secs->size = size;
	secs->base = base;
	secs->ssa_frame_size = 1;
	secs->attributes = EB_ATTR_MODE64BIT | attributes;
	secs->xfrm = 3;
}

/*
 * Open /dev/ebroker (or use @fd >= 0, already opened) and create an enclave
 * of @size bytes at an address naturally aligned to @size. Returns 0 or
 * -errno from the create ioctl.
 */
static inline int tencl_create_fd(struct tencl *t, int fd, uint64_t size, uint64_t attributes)
{
	uintptr_t base;
	int ret;

	memset(t, 0, sizeof(*t));
	t->fd = fd >= 0 ? fd : open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	t->reserve_len = size * 2;
	t->reserve = mmap(NULL, t->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->reserve == MAP_FAILED) {
		t->reserve = NULL;
		return -errno;
	}
	base = ((uintptr_t)t->reserve + size - 1) & ~(uintptr_t)(size - 1);
	tencl_secs(&t->secs, base, size, attributes);
	if (ioctl(t->fd, EB_IOC_ENCLAVE_CREATE,
		  &(struct eb_enclave_create){ .src = (uintptr_t)&t->secs }))
		return -errno;
	ret = ebroker_measure_new(&t->secs, &t->m);
	return ret;
}

static inline int tencl_create(struct tencl *t, uint64_t size, uint64_t attributes)
{
	return tencl_create_fd(t, -1, size, attributes);
}

/* Add @len bytes (whole pages) at @offset, restarting partial adds. */
static inline int tencl_add(struct tencl *t, uint64_t offset, uint64_t flags, const void *data,
			    size_t len, bool measure)
{
	struct eb_secinfo secinfo = { .flags = flags };
	size_t done = 0;
	int ret;

	while (done < len) {
		struct eb_enclave_add_pages add = {
			.src = (uintptr_t)data + done,
			.offset = offset + done,
			.length = len - done,
			.secinfo = (uintptr_t)&secinfo,
			.flags = measure ? EB_PAGE_MEASURE : 0,
		};

		if (ioctl(t->fd, EB_IOC_ENCLAVE_ADD_PAGES, &add))
			return -errno;
		for (size_t i = 0; i < add.count; i += EB_PAGE_SIZE) {
			ret = ebroker_measure_add_page(t->m, offset + done + i, &secinfo,
						       (const uint8_t *)data + done + i, measure);
			if (ret)
				return ret;
		}
		done += add.count;
	}
	return 0;
}

/* Sign for the enclave as measured so far; @mrenclave gets the value. */
static inline int tencl_sign(struct tencl *t, struct eb_sigstruct *ss,
			     uint8_t mrenclave[EB_HASH_SIZE])
{
	struct ebroker_sign_params p = {
		.date = 0x20261124,
		.attributes = t->secs.attributes,
		.attributemask = ~EB_ATTR_INIT,
		.xfrm = t->secs.xfrm,
		.xfrmmask = ~0ULL,
		.isv_prod_id = 7,
		.isv_svn = 3,
	};
	EVP_PKEY *key = tencl_key();
	int ret;

	if (!key)
		return -ENOKEY;
	ret = ebroker_measure_finish(t->m, mrenclave);
	if (ret)
		return ret;
	return ebroker_sigstruct_sign(key, &p, mrenclave, ss);
}

static inline int tencl_init(struct tencl *t, const struct eb_sigstruct *ss)
{
	if (ioctl(t->fd, EB_IOC_ENCLAVE_INIT,
		  &(struct eb_enclave_init){ .sigstruct = (uintptr_t)ss }))
		return -errno;
	return 0;
}

/* Sign and init in one go. */
static inline int tencl_finish(struct tencl *t)
{
	uint8_t mr[EB_HASH_SIZE];
	struct eb_sigstruct ss;
	int ret;

	ret = tencl_sign(t, &ss, mr);
	return ret ? ret : tencl_init(t, &ss);
}

static inline int tencl_info(struct tencl *t, struct eb_enclave_info *info)
{
	return ioctl(t->fd, EB_IOC_ENCLAVE_INFO, info) ? -errno : 0;
}

/* Map [offset, offset + len) of ELRANGE at its own address. */
static inline void *tencl_map(struct tencl *t, uint64_t offset, size_t len, int prot)
{
	return mmap((void *)(uintptr_t)(t->secs.base + offset), len, prot, MAP_SHARED | MAP_FIXED,
		    t->fd, 0);
}

static inline void tencl_close(struct tencl *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->reserve)
		munmap(t->reserve, t->reserve_len);
	t->reserve = NULL;
	t->m = ebroker_measure_free(t->m);
}

/* The pool is whole again: every page returned (false if sysfs cannot be read). */
static inline bool eb_pool_is_full(void)
{
	uint64_t total = eb_read_u64(EB_SYSFS "/pool/total_bytes");

	return total != UINT64_MAX && eb_read_u64(EB_SYSFS "/pool/free_bytes") == total;
}

#endif /* EB_TENCL_H */
