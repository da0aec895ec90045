// SPDX-License-Identifier: GPL-2.0
/*
 * Loading an enclave image through /dev/ebroker (sim) or /dev/sgx_enclave
 * (SGX, sgx.c; UNVERIFIED): pick the backend, reserve ELRANGE, create, add
 * and measure every page, init with the image's SIGSTRUCT, map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ebroker/image.h>

#include "common/util.h"

#include "internal.h"

#define EB_BACKEND_PATH "/sys/kernel/ebroker/backend"

/* Pages per EB_IOC_ENCLAVE_ADD_PAGES call, copied through one buffer. */
#define ADD_BATCH 64

/* The module's backend: only sim can run enclaves through the module. */
static int check_backend(void)
{
	_cleanup_(closep) int fd = open(EB_BACKEND_PATH, O_RDONLY | O_CLOEXEC);
	char buf[16] = { 0 };
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	return strcmp(buf, "sim\n") && strcmp(buf, "sim") ? -EOPNOTSUPP : 0;
}

/*
 * EBROKER_BACKEND_AUTO: the module's sim if it is loaded with it; otherwise the
 * SGX driver if its device exists; otherwise the module's answer (-ENODEV
 * without it, -EOPNOTSUPP with another backend).
 */
static int pick_backend(uint32_t asked, uint32_t *ret)
{
	int r;

	switch (asked) {
	case EBROKER_BACKEND_SIM:
		r = check_backend();
		break;
	case EBROKER_BACKEND_SGX:
		r = 0;
		break;
	case EBROKER_BACKEND_AUTO:
		r = check_backend();
		if (!r) {
			asked = EBROKER_BACKEND_SIM;
		} else if (!access(EB_SGX_DEV_PATH, F_OK)) {
			asked = EBROKER_BACKEND_SGX;
			r = 0;
		}
		break;
	default:
		r = -EINVAL;
	}
	if (!r)
		*ret = asked;
	return r;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	do
		r = ioctl(fd, cmd, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* Reserve @size bytes aligned to @size: map twice as much, trim the ends. */
static int reserve(uint64_t size, uint64_t *ret_base)
{
	uint8_t *p, *base;

	if (size > SIZE_MAX / 2)
		return -ENOMEM;
	p = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	base = (uint8_t *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
	if (base > p)
		munmap(p, base - p);
	if (base + size < p + 2 * size)
		munmap(base + size, p + 2 * size - (base + size));
	*ret_base = (uintptr_t)base;
	return 0;
}

/* Add @n pages from @buf at @offset, continuing after partial adds. */
static int add_run(int fd, const uint8_t *buf, uint64_t offset, size_t n, uint64_t secinfo_flags,
		   bool measure, uint64_t *limit_cgroup_id)
{
	struct eb_secinfo secinfo = { .flags = secinfo_flags };
	size_t done = 0, len = n * EB_PAGE_SIZE;

	while (done < len) {
		struct eb_enclave_add_pages add = {
			.src = (uintptr_t)buf + done,
			.offset = offset + done,
			.length = len - done,
			.secinfo = (uintptr_t)&secinfo,
			.flags = measure ? EB_PAGE_MEASURE : 0,
		};
		int r = xioctl(fd, EB_IOC_ENCLAVE_ADD_PAGES, &add);

		if (r == -EDQUOT && limit_cgroup_id)
			*limit_cgroup_id = add.limit_cgroup_id;
		if (r)
			return r;
		if (!add.count || add.count > add.length)
			return -EIO;
		done += add.count;
	}
	return 0;
}

/* Runs of pages with contiguous offsets and one SECINFO, in image order. */
int eb_add_pages(int fd, const struct ebroker_image *img, eb_add_run_fn add,
		 uint64_t *limit_cgroup_id)
{
	size_t count = ebroker_image_page_count(img), n = 0;
	const struct ebroker_image_page *first = NULL;
	uint8_t *buf;
	int r = 0;

	buf = mmap(NULL, ADD_BATCH * EB_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -ENOMEM;
	for (size_t i = 0; i < count && !r; i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);

		if (!p) {
			r = -EINVAL;
			break;
		}
		if (n &&
		    (n == ADD_BATCH || p->offset != first->offset + n * EB_PAGE_SIZE ||
		     p->secinfo_flags != first->secinfo_flags || p->measure != first->measure)) {
			r = add(fd, buf, first->offset, n, first->secinfo_flags, first->measure,
				limit_cgroup_id);
			n = 0;
		}
		if (!n)
			first = p;
		memcpy(buf + n++ * EB_PAGE_SIZE, p->data, EB_PAGE_SIZE);
	}
	if (n && !r)
		r = add(fd, buf, first->offset, n, first->secinfo_flags, first->measure,
			limit_cgroup_id);
	munmap(buf, ADD_BATCH * EB_PAGE_SIZE);
	return r;
}

/*
 * The rights a page is mapped with: its SECINFO's. A TCS page is mapped
 * read-write: in sim so that the ENCLU emulation can read it; on hardware
 * because the SGX driver allows exactly that for TCS pages (the CPU never
 * lets the host read them anyway).
 */
static int page_prot(uint64_t secinfo_flags)
{
	int prot = 0;

	if ((secinfo_flags & EB_SECINFO_PT_MASK) == EB_SECINFO_PT_TCS)
		return PROT_READ | PROT_WRITE;
	if (secinfo_flags & EB_SECINFO_R)
		prot |= PROT_READ;
	if (secinfo_flags & EB_SECINFO_W)
		prot |= PROT_WRITE;
	if (secinfo_flags & EB_SECINFO_X)
		prot |= PROT_EXEC;
	return prot;
}

/* Map each run of contiguous pages with the same rights at its address. */
static int map_pages(struct ebroker_enclave *e, const struct ebroker_image *img)
{
	size_t count = ebroker_image_page_count(img);

	for (size_t i = 0; i < count;) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		int prot = page_prot(p->secinfo_flags);
		size_t n = 1;
		void *addr;

		while (i + n < count) {
			const struct ebroker_image_page *q = ebroker_image_page(img, i + n);

			if (q->offset != p->offset + n * EB_PAGE_SIZE ||
			    page_prot(q->secinfo_flags) != prot)
				break;
			n++;
		}
		addr = mmap((void *)(uintptr_t)(e->base + p->offset), n * EB_PAGE_SIZE, prot,
			    MAP_SHARED | MAP_FIXED, e->fd, 0);
		if (addr == MAP_FAILED)
			return -errno;
		i += n;
	}
	return 0;
}

static int tcs_slots(struct ebroker_enclave *e, const struct ebroker_image *img)
{
	e->nr_tcs = ebroker_image_tcs_count(img);
	if (!e->nr_tcs)
		return -EINVAL;
	e->tcs = calloc(e->nr_tcs, sizeof(*e->tcs));
	if (!e->tcs)
		return -ENOMEM;
	for (unsigned int i = 0; i < e->nr_tcs; i++) {
		uint64_t off = ebroker_image_tcs_offset(img, i);

		if (off >= e->size)
			return -EINVAL;
		e->tcs[i].addr = e->base + off;
	}
	return 0;
}

/* The SGX path's create, add and init, driver ioctls instead of the module's. */
static int build_sgx(struct ebroker_enclave *e, const struct ebroker_image *img,
		     const struct eb_secs *secs, const struct eb_sigstruct *sigstruct)
{
	int r;

	/* UNVERIFIED: written against the SGX UAPI, never run on SGX hardware. */
	r = eb_sgx_create(e->fd, secs);
	if (!r)
		r = eb_add_pages(e->fd, img, eb_sgx_add_run, NULL);
	if (!r)
		r = eb_sgx_init(e->fd, sigstruct);
	if (r)
		return r;
	/* No EB_IOC_ENCLAVE_INFO on the driver: the TARGETINFO comes from
	 * what EINIT accepted. */
	memcpy(e->ti.mrenclave, sigstruct->enclavehash, sizeof(e->ti.mrenclave));
	e->ti.attributes = secs->attributes | EB_ATTR_INIT;
	e->ti.xfrm = secs->xfrm;
	e->ti.miscselect = secs->miscselect;
	return 0;
}

static int build_sim(struct ebroker_enclave *e, const struct ebroker_image *img,
		     const struct eb_secs *secs, const struct eb_sigstruct *sigstruct,
		     uint64_t *limit_cgroup_id)
{
	struct eb_enclave_create create = { .src = (uintptr_t)secs };
	int r;

	r = xioctl(e->fd, EB_IOC_ENCLAVE_CREATE, &create);
	if (r == -EDQUOT && limit_cgroup_id)
		*limit_cgroup_id = create.limit_cgroup_id;
	if (!r)
		r = eb_add_pages(e->fd, img, add_run, limit_cgroup_id);
	if (!r)
		r = xioctl(e->fd, EB_IOC_ENCLAVE_INIT,
			   &(struct eb_enclave_init){ .sigstruct = (uintptr_t)sigstruct });
	return r;
}

int ebroker_enclave_load(const struct ebroker_image *img,
			 const struct ebroker_enclave_load_params *params,
			 struct ebroker_enclave **ret)
{
	static const struct ebroker_enclave_load_params defaults;
	const struct eb_sigstruct *sigstruct;
	const struct eb_secs *tmpl;
	const char *device;
	struct ebroker_enclave *e;
	struct eb_secs secs;
	uint32_t backend;
	int r;

	if (!params)
		params = &defaults;
	if (!img || !ret || (params->flags & ~EBROKER_LOAD_F_ALL))
		return -EINVAL;
	tmpl = ebroker_image_secs(img);
	sigstruct = ebroker_image_sigstruct(img);
	if (!tmpl || !sigstruct || !ebroker_image_page_count(img))
		return -EINVAL;
	if (params->flags & EBROKER_LOAD_DEVICE_FD) {
		/* The caller opened the module's device: the backend is its
		 * word, there may be no sysfs to ask (a sandbox). */
		if (params->backend != EBROKER_BACKEND_SIM || params->device ||
		    params->device_fd < 0)
			return -EINVAL;
		backend = EBROKER_BACKEND_SIM;
	} else {
		r = pick_backend(params->backend, &backend);
		if (r)
			return r;
	}
	if (backend == EBROKER_BACKEND_SIM) {
		device = EB_DEVICE_PATH;
		r = eb_sim_init();
	} else {
		/* ebroker's cgroup accounting is the module's: the SGX driver
		 * knows nothing of it. Timeouts need the sim's abort path. */
		device = EB_SGX_DEV_PATH;
		if ((params->flags & EBROKER_LOAD_CGROUP) || params->call_timeout_ms)
			r = -EOPNOTSUPP;
	}
	if (r)
		return r;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->n_ref = 1;
	e->backend = backend;
	e->size = tmpl->size;
	e->timeout_ms = params->call_timeout_ms;
	if (params->flags & EBROKER_LOAD_DEVICE_FD) {
		e->fd = fcntl(params->device_fd, F_DUPFD_CLOEXEC, 3);
		if (e->fd < 0) {
			r = -errno;
			goto fail;
		}
	} else {
		e->fd = open(params->device ? params->device : device, O_RDWR | O_CLOEXEC);
		if (e->fd < 0) {
			r = errno == ENOENT ? -ENODEV : -errno;
			goto fail;
		}
	}
	if (backend == EBROKER_BACKEND_SGX) {
		r = eb_sgx_prepare(e);
		if (r)
			goto fail;
	}
	if (params->flags & EBROKER_LOAD_CGROUP) {
		struct eb_enclave_set_cgroup sc = { .cgroup_fd = params->cgroup_fd };

		r = xioctl(e->fd, EB_IOC_ENCLAVE_SET_CGROUP, &sc);
		if (r)
			goto fail;
	}
	r = reserve(e->size, &e->base);
	if (r)
		goto fail;
	r = tcs_slots(e, img);
	if (r)
		goto fail;

	memcpy(&secs, tmpl, sizeof(secs));
	secs.base = e->base;
	if (backend == EBROKER_BACKEND_SIM)
		r = build_sim(e, img, &secs, sigstruct, params->limit_cgroup_id);
	else
		r = build_sgx(e, img, &secs, sigstruct);
	if (r)
		goto fail;
	/* On SGX (UNVERIFIED): PROT_EXEC needs /dev not mounted noexec. */
	r = map_pages(e, img);
	if (r)
		goto fail;
	*ret = e;
	return 0;
fail:
	ebroker_enclave_free(e);
	return r;
}

int ebroker_enclave_load_file(const char *path, const struct ebroker_enclave_load_params *params,
			      struct ebroker_enclave **ret)
{
	struct ebroker_image *img;
	int r;

	r = ebroker_image_open(path, &img);
	if (r)
		return r;
	r = ebroker_enclave_load(img, params, ret);
	ebroker_image_free(img);
	return r;
}

static void enclave_put(struct ebroker_enclave *e);

int ebroker_enclave_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len,
			 void *out, size_t out_cap, size_t *ret_out_len)
{
	int r;

	if (!e || (in_len && !in) || (out_cap && !out))
		return -EINVAL;
	if (__atomic_load_n(&e->dead, __ATOMIC_ACQUIRE))
		return -EIO;
	/* The call's reference: the enclave stays mapped and open until it
	 * returns, even if another thread frees it meanwhile. */
	__atomic_add_fetch(&e->n_ref, 1, __ATOMIC_RELAXED);
	if (e->backend == EBROKER_BACKEND_SGX)
		r = eb_sgx_call(e, ecall, in, in_len, out, out_cap, ret_out_len);
	else
		r = eb_sim_call(e, ecall, in, in_len, out, out_cap, ret_out_len);
	enclave_put(e);
	return r;
}

/* Claim a free TCS, starting after the last one claimed. */
struct eb_tcs_slot *eb_claim_tcs(struct ebroker_enclave *e)
{
	unsigned int start = __atomic_fetch_add(&e->next_tcs, 1, __ATOMIC_RELAXED);

	for (unsigned int i = 0; i < e->nr_tcs; i++) {
		struct eb_tcs_slot *s = &e->tcs[(start + i) % e->nr_tcs];
		int state = TCS_FREE;

		if (__atomic_compare_exchange_n(&s->state, &state, TCS_CLAIMED, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return s;
	}
	return NULL;
}

int ebroker_enclave_fd(const struct ebroker_enclave *e)
{
	return e ? e->fd : -EINVAL;
}

unsigned int ebroker_enclave_tcs_count(const struct ebroker_enclave *e)
{
	return e ? e->nr_tcs : 0;
}

bool ebroker_enclave_dead(const struct ebroker_enclave *e)
{
	return e && __atomic_load_n(&e->dead, __ATOMIC_ACQUIRE);
}

int ebroker_enclave_info(const struct ebroker_enclave *e, struct eb_enclave_info *ret_info)
{
	struct eb_enclave_info info;
	int r;

	if (!e || !ret_info)
		return -EINVAL;
	if (e->backend == EBROKER_BACKEND_SGX)
		return -EOPNOTSUPP;
	r = xioctl(e->fd, EB_IOC_ENCLAVE_INFO, &info);
	if (r)
		return r;
	*ret_info = info;
	return 0;
}

int ebroker_enclave_targetinfo(const struct ebroker_enclave *e, struct eb_targetinfo *ret_ti)
{
	struct eb_enclave_info info;
	int r;

	if (e && e->backend == EBROKER_BACKEND_SGX) {
		if (!ret_ti)
			return -EINVAL;
		*ret_ti = e->ti;
		return 0;
	}
	r = ebroker_enclave_info(e, &info);
	if (r)
		return r;
	if (!ret_ti)
		return -EINVAL;
	memset(ret_ti, 0, sizeof(*ret_ti));
	memcpy(ret_ti->mrenclave, info.mrenclave, sizeof(ret_ti->mrenclave));
	ret_ti->attributes = info.attributes;
	ret_ti->xfrm = info.xfrm;
	ret_ti->miscselect = info.miscselect;
	return 0;
}

/* Drop a reference; the last one unmaps ELRANGE and closes the device. */
static void enclave_put(struct ebroker_enclave *e)
{
	if (__atomic_sub_fetch(&e->n_ref, 1, __ATOMIC_ACQ_REL))
		return;
	if (e->base)
		munmap((void *)(uintptr_t)e->base, e->size);
	if (e->fd >= 0)
		close(e->fd);
	free(e->tcs);
	free(e);
}

/* The owner's reference. */
struct ebroker_enclave *ebroker_enclave_free(struct ebroker_enclave *e)
{
	if (e)
		enclave_put(e);
	return NULL;
}
