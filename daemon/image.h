/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An enclave image as the policy admits it: read once when the policy is
 * loaded, parsed, its SIGSTRUCT's signer (MRSIGNER = SHA-256 of the
 * modulus) and ISVPRODID checked against the enclave's conf, and kept in a
 * sealed memfd that every worker of that enclave loads from. A file
 * changed on disk afterwards is not seen until the next reload, and an
 * image signed by anyone else is never started.
 */
#ifndef EB_DAEMON_IMAGE_H
#define EB_DAEMON_IMAGE_H

#include <stddef.h>

#include "daemon/policy.h"

struct verified_image {
	int memfd;	  /* sealed: no write, grow or shrink */
	size_t epc_pages; /* what an instance takes: its pages and the SECS */
	uint64_t enclave_size;
};

/* On failure *ret_error (malloc'd) says which file and why. */
int verified_image_load(const struct eb_enclave_conf *conf, struct verified_image **ret,
			char **ret_error);
struct verified_image *verified_image_free(struct verified_image *v);

#endif /* EB_DAEMON_IMAGE_H */
