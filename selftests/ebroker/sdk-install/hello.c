// SPDX-License-Identifier: GPL-2.0
/* hello: the tutorial's enclave. */
#include <linux/errno.h>

#include <ebroker/enclave.h>

/* ECALL 0: "hello from inside the enclave, " followed by the input. */
static int hello(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	static const char prefix[] = "hello from inside the enclave, ";
	size_t n = sizeof(prefix) - 1;

	if (out_cap < n || in_len > out_cap - n)
		return -EMSGSIZE;
	memcpy(out, prefix, n);
	memcpy((char *)out + n, in, in_len);
	*out_len = n + in_len;
	return 0;
}

/* ECALL 1: how many times it was called in this instance; 8 bytes out. */
static int count(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	static uint64_t calls;
	uint64_t c = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);

	if (out_cap < sizeof(c))
		return -EMSGSIZE;
	memcpy(out, &c, sizeof(c));
	*out_len = sizeof(c);
	return 0;
}

EBROKER_ECALL_TABLE(hello, count);
