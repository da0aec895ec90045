/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the runtime's files share (not for enclave code: see
 * <ebroker/enclave.h>).
 */
#ifndef EB_RUNTIME_H
#define EB_RUNTIME_H

#include <stdint.h>

/* One static image: nothing is exported or looked up at run time, and the
 * relocation code must reach everything PC-relative, without the GOT. */
#pragma GCC visibility push(hidden)

#include <ebroker/enclave.h>

#include "layout.h"

/* The thread-data page; offsets are layout.h's EB_TD_*. */
struct eb_tdata {
	uint64_t self;
	uint64_t tcs;
	uint64_t stack_top;
	uint64_t busy;
	uint64_t host_rsp;
	uint64_t canary;
	uint64_t host_rbp;
	uint64_t host_ret;
	uint32_t host_mxcsr;
	uint16_t host_fcw;
	uint16_t pad;
	uint64_t index;
};

_Static_assert(__builtin_offsetof(struct eb_tdata, canary) == EB_TD_CANARY, "EB_TD_CANARY");
_Static_assert(__builtin_offsetof(struct eb_tdata, host_mxcsr) == EB_TD_HOST_MXCSR, "EB_TD_MXCSR");
_Static_assert(__builtin_offsetof(struct eb_tdata, index) == EB_TD_INDEX, "EB_TD_INDEX");

/* Written by the linker script (.eb_layout). */
struct eb_layout {
	uint64_t nr_tcs;
	uint64_t heap_off;
	uint64_t heap_size;
};

/* Linker script symbols: addresses only. */
extern char __eb_base[], __eb_end[];
extern const struct eb_layout __eb_layout;

/* The ECALL return registers (RAX, RDX) of eb_rt_dispatch(). */
struct eb_rt_ret {
	int64_t status;
	uint64_t out_len;
};

struct eb_rt_ret eb_rt_dispatch(uint64_t ecall, const void *in, size_t in_len, void *out,
				size_t out_cap, struct eb_tdata *td);

/*
 * The runtime's own ECALLs (EB_ECALL_RT_BASE on, session.c): the same
 * contract as ebroker_ecall_fn, except that @in is the dispatcher's private
 * copy and theirs to overwrite (records are decrypted in place).
 */
typedef int (*eb_rt_ecall_fn)(void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

/* The handler of runtime ECALL @ecall; NULL if there is none. */
eb_rt_ecall_fn eb_rt_session_ecall(uint64_t ecall);

/* A test-and-set lock: enclave threads cannot sleep. */
static inline void eb_spin_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void eb_spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#pragma GCC visibility pop

#endif /* EB_RUNTIME_H */
