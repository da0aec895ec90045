// SPDX-License-Identifier: GPL-2.0
/*
 * Startup: parse the image ebrokerd verified (fd 5) and build the enclave
 * in the device ebrokerd opened and charged (fd 4). Both descriptors are
 * closed here, whatever happens: the image is copied, and the enclave
 * keeps the loader's duplicate of the device, so that its EPC pages go
 * back to the pool as soon as the enclave is freed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <ebroker/image.h>

#include "common/util.h"

#include "worker.h"

DEFINE_FREEP(struct ebroker_image, ebroker_image_free)

enum ebp_side load_error_side(int err)
{
	switch (err < 0 ? -err : err) {
	case EDQUOT:
	case ENOSPC:
	case EKEYREJECTED:
	case EBADMSG:
	case EPERM:
		return EBP_SIDE_KERNEL;
	default:
		return EBP_SIDE_WORKER;
	}
}

const char *load_error_words(int err)
{
	switch (err < 0 ? -err : err) {
	case EDQUOT:
		return "the tenant's cgroup, or one above it, is at its EPC limit";
	case ENOSPC:
		return "the EPC pool is full";
	case EKEYREJECTED:
		return "the module refused the image's signature";
	case EBADMSG:
		return "the module refused the image's SIGSTRUCT";
	case EPERM:
		return "the module found pages other than the ones signed";
	case ENOMEM:
		return "the worker ran out of memory";
	default:
		return "the loader failed";
	}
}

static int image_read(struct ebroker_image **ret, char *why, size_t len)
{
	struct stat st;
	const char *bad = NULL;
	void *p;
	int r;

	if (fstat(WORKER_FD_IMAGE, &st) < 0) {
		r = -errno;
		snprintf(why, len, "cannot read the image: %s", strerror(-r));
		return r;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, WORKER_FD_IMAGE, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		snprintf(why, len, "cannot map the image: %s", strerror(-r));
		return r;
	}
	r = ebroker_image_parse_why(p, st.st_size, ret, &bad);
	munmap(p, st.st_size);
	if (r)
		snprintf(why, len, "the image is refused: %s", bad ? bad : strerror(-r));
	return r;
}

int worker_load(struct worker *w, char *why, size_t why_len, enum ebp_side *ret_side)
{
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	uint64_t limit_cgroup_id = 0;
	const struct ebroker_enclave_load_params params = {
		.flags = EBROKER_LOAD_DEVICE_FD,
		.device_fd = WORKER_FD_DEVICE,
		.backend = EBROKER_BACKEND_SIM,
		.call_timeout_ms = w->args.call_timeout_ms,
		.limit_cgroup_id = &limit_cgroup_id,
	};
	int r;

	r = image_read(&img, why, why_len);
	close(WORKER_FD_IMAGE);
	if (r) {
		close(WORKER_FD_DEVICE);
		*ret_side = EBP_SIDE_WORKER;
		return r;
	}
	r = ebroker_enclave_load(img, &params, &w->enclave);
	close(WORKER_FD_DEVICE);
	if (r) {
		char limit[64] = "";

		/* The module's own word on which limit refused. */
		if (r == -EDQUOT && limit_cgroup_id)
			snprintf(limit, sizeof(limit), "; the limit of cgroup id %llu",
				 (unsigned long long)limit_cgroup_id);
		snprintf(why, why_len, "cannot load enclave %s: %s (%s%s)", w->args.enclave,
			 load_error_words(r), strerror(-r), limit);
		*ret_side = load_error_side(r);
		return r;
	}
	r = ebroker_enclave_info(w->enclave, &w->info);
	if (r) {
		snprintf(why, why_len, "cannot read the enclave's identity: %s", strerror(-r));
		*ret_side = EBP_SIDE_WORKER;
		return r;
	}
	w->tcs = ebroker_enclave_tcs_count(w->enclave);
	return 0;
}
