// SPDX-License-Identifier: GPL-2.0
/*
 * The SGX hardware backend: building an enclave through the kernel's SGX
 * driver (/dev/sgx_enclave, <asm/sgx.h>) and entering it through the
 * vDSO's __vdso_sgx_enter_enclave().
 *
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 * Every function in this file is hardware-only; only its compilation and
 * the vDSO lookup (vdso.c, vdso_test.c) are tested.
 *
 * The image is the same one sim loads: ebroker's SECS, SECINFO and
 * SIGSTRUCT are the architectural structures, and its ioctl arguments have
 * the SGX driver's layouts (checked below). On hardware with Flexible
 * Launch Control, which the upstream driver requires, the kernel sets the
 * launch-enclave key hash itself: the SIGSTRUCT is passed as it is.
 *
 * Entering: eb_sgx_enter (sgx_enter.S) calls the vDSO with the ECALL
 * registers. The vDSO returns only its own status in RAX; the registers
 * the runtime sets at EEXIT (RDI = status, RSI = output length) reach the
 * caller only through the run's user handler, which the vDSO calls on
 * every return path with a snapshot of RDI, RSI, RDX, RSP, R8 and R9. So
 * the handler here records RDI and RSI when run.function is EEXIT, and
 * turns anything else (an exception the vDSO reported synchronously: the
 * last ENCLU was EENTER or ERESUME) into -EFAULT. Nothing in the runtime
 * changes. Asynchronous exits (interrupts, signals) are resumed by the
 * vDSO itself (ERESUME at the AEP).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <asm/sgx.h>

#include "internal.h"
#include "vdso.h"

#define ENCLU_EEXIT 4

/* The module's ADD_PAGES starts as SGX's does; it adds limit_cgroup_id after. */
_Static_assert(offsetof(struct sgx_enclave_add_pages, count) ==
		   offsetof(struct eb_enclave_add_pages, count),
	       "ADD_PAGES layout");
_Static_assert(sizeof(struct eb_secs) == 4096, "SECS is a page");
_Static_assert(sizeof(struct eb_secinfo) == 64, "SECINFO");
_Static_assert(sizeof(struct eb_sigstruct) == 1808, "SIGSTRUCT");
_Static_assert((int)SGX_PAGE_MEASURE == (int)EB_PAGE_MEASURE, "measure flag");

/* sgx_enter.S's argument block; offsets are its ARGS_*. */
struct eb_sgx_args {
	uint64_t fn;
	uint64_t run;
	uint64_t ecall;
	uint64_t in;
	uint64_t in_len;
	uint64_t out;
	uint64_t out_cap;
};

_Static_assert(offsetof(struct eb_sgx_args, out_cap) == 48, "sgx_enter.S ARGS_OUT_CAP");

int eb_sgx_enter(const struct eb_sgx_args *a);

/* What the user handler saw at EEXIT. */
struct eb_sgx_exit {
	int64_t status;
	uint64_t out_len;
	int exited;
};

static int sgx_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	do
		r = ioctl(fd, cmd, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* UNVERIFIED: written against the SGX UAPI, never run on SGX hardware. */
int eb_sgx_create(int fd, const struct eb_secs *secs)
{
	struct sgx_enclave_create c = { .src = (uintptr_t)secs };

	return sgx_ioctl(fd, SGX_IOC_ENCLAVE_CREATE, &c);
}

/*
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 * The driver adds fewer pages than asked when a signal is pending and says
 * how many in .count; 0 pages gives ERESTARTSYS (restarted, or EINTR,
 * retried). @buf is page aligned, as the driver requires.
 */
int eb_sgx_add_run(int fd, const uint8_t *buf, uint64_t offset, size_t n, uint64_t secinfo_flags,
		   bool measure, uint64_t *limit_cgroup_id)
{
	/* The SGX driver charges no cgroup of ebroker's: no EDQUOT to explain. */
	(void)limit_cgroup_id;
	struct eb_secinfo secinfo __attribute__((aligned(64))) = { .flags = secinfo_flags };
	size_t done = 0, len = n * EB_PAGE_SIZE;

	while (done < len) {
		struct sgx_enclave_add_pages add = {
			.src = (uintptr_t)buf + done,
			.offset = offset + done,
			.length = len - done,
			.secinfo = (uintptr_t)&secinfo,
			.flags = measure ? SGX_PAGE_MEASURE : 0,
		};
		int r = sgx_ioctl(fd, SGX_IOC_ENCLAVE_ADD_PAGES, &add);

		if (r)
			return r;
		if (!add.count || add.count > add.length || add.count % EB_PAGE_SIZE)
			return -EIO;
		done += add.count;
	}
	return 0;
}

/*
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 * EINIT's refusals (a SIGSTRUCT that does not match, a bad signature) come
 * back from the driver as EPERM or as a positive SGX error code.
 */
int eb_sgx_init(int fd, const struct eb_sigstruct *sigstruct)
{
	struct sgx_enclave_init i = { .sigstruct = (uintptr_t)sigstruct };
	int r;

	do
		r = ioctl(fd, SGX_IOC_ENCLAVE_INIT, &i);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r > 0 ? -EPERM : 0;
}

/* UNVERIFIED: written against the SGX UAPI, never run on SGX hardware. */
int eb_sgx_prepare(struct ebroker_enclave *e)
{
	int r = eb_vdso_sym("__vdso_sgx_enter_enclave", &e->vdso_enter);

	/* A kernel with the driver but a vDSO without the entry: unusable. */
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

/*
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 * Called by the vDSO (sgx_enclave_user_handler_t) with the registers at
 * the exit. Returning 0 makes the vDSO return 0; a negative value is
 * returned as it is.
 */
static int exit_handler(long rdi, long rsi, long rdx, long rsp, long r8, long r9,
			struct sgx_enclave_run *run)
{
	struct eb_sgx_exit *x = (struct eb_sgx_exit *)(uintptr_t)run->user_data;

	(void)rdx;
	(void)rsp;
	(void)r8;
	(void)r9;
	if (run->function != ENCLU_EEXIT)
		return -EFAULT; /* RDI/RSI hold the trap number and error code */
	x->status = rdi;
	x->out_len = (uint64_t)rsi;
	x->exited = 1;
	return 0;
}

/*
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 * No timeout: stopping a thread inside an enclave from a signal would need
 * the signal handler to abandon the interrupted ERESUME at the AEP, leaving
 * the TCS with CSSA = NSSA; that has not been designed, so loading with a
 * call timeout is refused on this backend.
 */
int eb_sgx_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len, void *out,
		size_t out_cap, size_t *ret_out_len)
{
	struct eb_sgx_exit x = { 0 };
	struct sgx_enclave_run run;
	struct eb_sgx_args a = {
		.fn = (uintptr_t)e->vdso_enter,
		.run = (uintptr_t)&run,
		.ecall = ecall,
		.in = (uintptr_t)in,
		.in_len = in_len,
		.out = (uintptr_t)out,
		.out_cap = out_cap,
	};
	struct eb_tcs_slot *slot;
	int r, ret;

	if (!e->vdso_enter)
		return -EOPNOTSUPP;
	slot = eb_claim_tcs(e);
	if (!slot)
		return -EBUSY;
	memset(&run, 0, sizeof(run));
	run.tcs = slot->addr;
	run.user_handler = (uintptr_t)exit_handler;
	run.user_data = (uintptr_t)&x;

	r = eb_sgx_enter(&a);

	if (r || !x.exited) {
		/* An exception in the enclave or on ENCLU (vector in
		 * run.exception_vector), or the vDSO refused (-EINVAL): the
		 * enclave is not trusted to run again, as in sim. */
		__atomic_store_n(&e->dead, 1, __ATOMIC_RELEASE);
		ret = -EFAULT;
	} else if (x.out_len > out_cap) {
		ret = -EPROTO;
	} else {
		ret = (int)x.status;
		if (ret_out_len)
			*ret_out_len = x.out_len;
	}
	__atomic_store_n(&slot->state, TCS_FREE, __ATOMIC_RELEASE);
	return ret;
}
