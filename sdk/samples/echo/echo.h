/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The echo enclave's ECALLs, shared by the enclave and its host side.
 */
#ifndef EB_SAMPLE_ECHO_H
#define EB_SAMPLE_ECHO_H

#include <stdint.h>

enum {
	ECHO_ECALL_ECHO = 0,
	ECHO_ECALL_REPORT = 1,
	ECHO_ECALL_VERIFY = 2,
	ECHO_ECALL_CRASH = 3,
	ECHO_ECALL_SPIN = 4,
	ECHO_ECALL_SEAL_PROBE = 5,
};

#define ECHO_SEAL_ISVSVN 0x1 /* derive for isv_svn, not the enclave's own */

/* ECHO_ECALL_SEAL_PROBE's input; the output is SHA-256 of the key. */
struct echo_seal_probe {
	uint16_t key_policy; /* EB_KEYPOLICY_* */
	uint16_t flags;	     /* ECHO_SEAL_* */
	uint16_t isv_svn;
	uint16_t reserved;
	uint8_t key_id[32];
};

#endif /* EB_SAMPLE_ECHO_H */
