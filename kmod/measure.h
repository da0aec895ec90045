/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_MEASURE_H
#define EB_MEASURE_H

#include <crypto/sha2.h>
#include <linux/types.h>

struct shash_desc;

/*
 * MRENCLAVE as SGX computes it: SHA-256 over 64-byte ECREATE, EADD and
 * EEXTEND records, the last followed by the 256 bytes it measures.
 *
 * @desc is the running hash, on the module's one "sha256" transform (the
 * fastest driver the crypto API had at load); NULL before ECREATE and
 * after a successful EINIT. @run is where EEXTEND lays out its records
 * and blocks, in @desc's allocation. @err is the first error the driver
 * returned: it sticks, and final returns it.
 */
struct eb_measure {
	struct shash_desc *desc;
	u8 *run;
	int err;
};

int eb_measure_init(void);
void eb_measure_exit(void);
const char *eb_measure_driver(void);

int eb_measure_ecreate(struct eb_measure *m, u32 ssa_frame_size, u64 size);
void eb_measure_eadd(struct eb_measure *m, u64 offset, u64 secinfo_flags);
void eb_measure_eextend_page(struct eb_measure *m, u64 offset,
			     const void *page);
int eb_measure_final(struct eb_measure *m, u8 mrenclave[SHA256_DIGEST_SIZE]);
void eb_measure_free(struct eb_measure *m);

#endif /* EB_MEASURE_H */
