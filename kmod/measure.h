/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_MEASURE_H
#define EB_MEASURE_H

#include <crypto/sha2.h>
#include <linux/types.h>

/*
 * MRENCLAVE as SGX computes it: SHA-256 over 64-byte ECREATE, EADD and
 * EEXTEND records, the last followed by the 256 bytes it measures.
 */
struct eb_measure {
	struct sha256_state sha;
};

void eb_measure_ecreate(struct eb_measure *m, u32 ssa_frame_size, u64 size);
void eb_measure_eadd(struct eb_measure *m, u64 offset, u64 secinfo_flags);
void eb_measure_eextend_page(struct eb_measure *m, u64 offset,
			     const void *page);
void eb_measure_final(struct eb_measure *m, u8 mrenclave[SHA256_DIGEST_SIZE]);

#endif /* EB_MEASURE_H */
