/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An enclave built with /dev/ebroker's ioctls alone, no loader: the floor
 * and the figure of the benchmarks that time the module's build (ecall,
 * enclave_build). Each step exits with the errno text when it fails.
 */
#ifndef EB_BENCH_RAW_ENCLAVE_H
#define EB_BENCH_RAW_ENCLAVE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/ebroker.h>

#include "bench.h"

/* An ELRANGE: @base, naturally aligned, inside @reserve, so that nothing else lands there. */
struct elrange {
	void *reserve;
	size_t reserve_len;
	uintptr_t base;
};

/* An ELRANGE of @size bytes, a power of two. */
static inline void elrange_reserve(struct elrange *r, size_t size)
{
	r->reserve_len = 2 * size;
	r->reserve = mmap(NULL, r->reserve_len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->reserve == MAP_FAILED)
		fail("mmap", errno);
	r->base = ((uintptr_t)r->reserve + size - 1) & ~(uintptr_t)(size - 1);
}

static inline void elrange_release(struct elrange *r)
{
	munmap(r->reserve, r->reserve_len);
}

/* open(EB_DEVICE_PATH) and ENCLAVE_CREATE of @secs: the enclave's descriptor. */
static inline int raw_create(const struct eb_secs *secs)
{
	int fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail(EB_DEVICE_PATH, errno);
	if (ioctl(fd, EB_IOC_ENCLAVE_CREATE, &(struct eb_enclave_create){ .src = (uintptr_t)secs }))
		fail("EB_IOC_ENCLAVE_CREATE", errno);
	return fd;
}

/*
 * ENCLAVE_ADD_PAGES of the @len bytes at @src to @offset, with @secinfo
 * and @flags, restarted where the module added part of them.
 */
static inline void raw_add_pages(int fd, const void *src, uint64_t offset, size_t len,
				 const struct eb_secinfo *secinfo, uint32_t flags)
{
	for (size_t done = 0; done < len;) {
		struct eb_enclave_add_pages add = {
			.src = (uintptr_t)src + done,
			.offset = offset + done,
			.length = len - done,
			.secinfo = (uintptr_t)secinfo,
			.flags = flags,
		};

		if (ioctl(fd, EB_IOC_ENCLAVE_ADD_PAGES, &add))
			fail("EB_IOC_ENCLAVE_ADD_PAGES", errno);
		if (!add.count)
			fail("EB_IOC_ENCLAVE_ADD_PAGES added nothing", EIO);
		done += add.count;
	}
}

static inline void raw_init(int fd, const struct eb_sigstruct *ss)
{
	if (ioctl(fd, EB_IOC_ENCLAVE_INIT, &(struct eb_enclave_init){ .sigstruct = (uintptr_t)ss }))
		fail("EB_IOC_ENCLAVE_INIT", errno);
}

#endif /* EB_BENCH_RAW_ENCLAVE_H */
