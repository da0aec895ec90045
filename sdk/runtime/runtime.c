// SPDX-License-Identifier: GPL-2.0
/*
 * ECALL dispatch: relocate the image once, check and copy the host's
 * buffers, run the handler (the enclave's, or from EB_ECALL_RT_BASE on the
 * runtime's own: session.c), copy its output back.
 */
#include <elf.h>
#include <linux/ebroker_attest.h>
#include <linux/errno.h>

#include "runtime.h"

extern const Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));

enum { RELOC_TODO, RELOC_RUNNING, RELOC_DONE, RELOC_FAILED };
static int reloc_state;

/*
 * Apply the image's own R_X86_64_RELATIVE relocations. Runs before any
 * pointer stored in the image is valid: it may use only PC-relative
 * addresses (everything here is hidden, so the compiler makes them so).
 */
static int relocate(void)
{
	uintptr_t base = (uintptr_t)__eb_base;
	const Elf64_Rela *rela = NULL;
	size_t relasz = 0, relaent = sizeof(Elf64_Rela);

	for (const Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_un.d_val;
		else if (d->d_tag == DT_RELAENT)
			relaent = d->d_un.d_val;
		else if (d->d_tag == DT_REL || d->d_tag == DT_JMPREL || d->d_tag == DT_TEXTREL)
			return -ENOEXEC;
	}
	if (relaent != sizeof(Elf64_Rela))
		return -ENOEXEC;
	for (size_t i = 0; rela && i < relasz / relaent; i++) {
		if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_RELATIVE)
			return -ENOEXEC;
		*(uint64_t *)(base + rela[i].r_offset) = base + rela[i].r_addend;
	}
	return 0;
}

/* The first ECALL relocates; concurrent first ECALLs wait for it. */
static int relocate_once(void)
{
	int state = __atomic_load_n(&reloc_state, __ATOMIC_ACQUIRE);

	if (state == RELOC_TODO &&
	    __atomic_compare_exchange_n(&reloc_state, &state, RELOC_RUNNING, false,
					__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		state = relocate() ? RELOC_FAILED : RELOC_DONE;
		__atomic_store_n(&reloc_state, state, __ATOMIC_RELEASE);
	}
	while (state == RELOC_RUNNING || state == RELOC_TODO) {
		__builtin_ia32_pause();
		state = __atomic_load_n(&reloc_state, __ATOMIC_ACQUIRE);
	}
	return state == RELOC_DONE ? 0 : -ENOEXEC;
}

uintptr_t ebroker_enclave_base(void)
{
	return (uintptr_t)__eb_base;
}

/* SECS.SIZE as the SDK contract has ebroker-sign choose it (it is
 * measured, so no other size can carry this image's MRENCLAVE). */
size_t ebroker_enclave_size(void)
{
	size_t end = (size_t)(__eb_end - __eb_base), size = 2 * EB_RT_PAGE;

	while (size < end)
		size <<= 1;
	return size;
}

bool ebroker_is_within_enclave(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, base = ebroker_enclave_base();

	return a + len >= a && a >= base && a + len <= base + ebroker_enclave_size();
}

bool ebroker_is_outside_enclave(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, base = ebroker_enclave_base();

	return a + len >= a && (a + len <= base || a >= base + ebroker_enclave_size());
}

void ebroker_abort(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

/* Codes that mean a loader failure to the host (ebroker_enclave_call()). */
static int64_t host_status(int status)
{
	switch (status) {
	case -EFAULT:
	case -ETIMEDOUT:
	case -EIO:
	case -EBUSY:
		return -EPROTO;
	default:
		return status;
	}
}

struct eb_rt_ret eb_rt_dispatch(uint64_t ecall, const void *in, size_t in_len, void *out,
				size_t out_cap, struct eb_tdata *td)
{
	struct eb_rt_ret ret = { 0, 0 };
	void *ibuf = NULL, *obuf = NULL;
	size_t out_len = 0;
	ebroker_ecall_fn fn = NULL;
	eb_rt_ecall_fn rt_fn = NULL;
	int status;

	if (relocate_once()) {
		ret.status = -ENOEXEC;
		return ret;
	}
	/* Only read through %fs on hardware (OFSBASE is this page). */
	if (!td->canary && ebroker_random(&td->canary, sizeof(td->canary)))
		td->canary = 0x5a17c0de5a17c0deULL ^ (uintptr_t)td;

	if (ecall >= EB_ECALL_RT_BASE)
		rt_fn = eb_rt_session_ecall(ecall);
	else if (ecall < ebroker_ecall_table_size)
		fn = ebroker_ecall_table[ecall];
	if (!fn && !rt_fn) {
		ret.status = -ENOSYS;
		return ret;
	}
	if (in_len > EBROKER_ECALL_BUF_MAX || out_cap > EBROKER_ECALL_BUF_MAX) {
		ret.status = -E2BIG;
		return ret;
	}
	/* Host memory only: a pointer into ELRANGE would have the enclave
	 * read or overwrite itself on the host's behalf. */
	if ((in_len && !ebroker_is_outside_enclave(in, in_len)) ||
	    (out_cap && !ebroker_is_outside_enclave(out, out_cap))) {
		ret.status = -EINVAL;
		return ret;
	}
	ibuf = ebroker_malloc(in_len ? in_len : 1);
	obuf = ebroker_calloc(1, out_cap ? out_cap : 1);
	if (!ibuf || !obuf) {
		ret.status = -ENOMEM;
		goto out;
	}
	/* One copy in: the handler never reads memory the host can change. */
	memcpy(ibuf, in, in_len);
	if (rt_fn)
		status = rt_fn(ibuf, in_len, obuf, out_cap, &out_len);
	else
		status = fn(ibuf, in_len, obuf, out_cap, &out_len);
	if (out_len > out_cap) {
		status = -EPROTO;
		out_len = 0;
	}
	memcpy(out, obuf, out_len);
	ret.status = host_status(status);
	ret.out_len = out_len;
out:
	ebroker_free(ibuf);
	ebroker_free(obuf);
	return ret;
}
