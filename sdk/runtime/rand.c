// SPDX-License-Identifier: GPL-2.0
/*
 * Randomness from RDRAND. No CPUID probe: CPUID faults inside an SGX
 * enclave. Off hardware (sim) on a CPU without RDRAND the instruction
 * raises #UD and the host's emulation supplies getrandom(2) bytes instead;
 * see docs/enclave-abi.md.
 */
#include <linux/errno.h>

#include "runtime.h"

#define RDRAND_RETRIES 10

static int rdrand64(uint64_t *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		unsigned char ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return 0;
	}
	return -EIO;
}

int ebroker_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;

	while (len) {
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (rdrand64(&v)) {
			ebroker_memzero(buf, (size_t)(p - (unsigned char *)buf));
			return -EIO;
		}
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	ebroker_memzero(&v, sizeof(v));
	return 0;
}
