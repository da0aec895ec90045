/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What loader.c (building and mapping enclaves), sim.c (entering them,
 * emulating ENCLU) and sgx.c (the hardware backend) share.
 */
#ifndef EB_LOADER_INTERNAL_H
#define EB_LOADER_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebroker/loader.h>

/* eb_tcs_slot.state: who uses a TCS. */
enum {
	TCS_FREE,
	TCS_CLAIMED, /* a thread picked it for a call */
	TCS_INSIDE,  /* EENTERed and not yet EEXITed: the TCS is busy */
};

struct eb_tcs_slot {
	uint64_t addr; /* the TCS page's address */
	int state;     /* TCS_*, atomic */
};

struct ebroker_enclave {
	int fd;
	int backend;		 /* EBROKER_BACKEND_SIM or EBROKER_BACKEND_SGX */
	void *vdso_enter;	 /* SGX: __vdso_sgx_enter_enclave */
	struct eb_targetinfo ti; /* SGX: from the image (no INFO ioctl) */
	uint64_t base;		 /* ELRANGE, reserved in the address space */
	uint64_t size;
	unsigned int nr_tcs;
	struct eb_tcs_slot *tcs;
	uint32_t timeout_ms;
	int dead;	       /* atomic; set by the signal handlers */
	unsigned int next_tcs; /* where to start looking for a free TCS */
	unsigned int n_ref;    /* atomic: the owner's and each call's */
};

static inline bool eb_in_elrange(const struct ebroker_enclave *e, uint64_t addr)
{
	return addr - e->base < e->size;
}

/* Claim a free TCS atomically, or NULL when all are busy. */
struct eb_tcs_slot *eb_claim_tcs(struct ebroker_enclave *e);

/*
 * Add @n pages copied to @buf, at @offset, with one SECINFO. With -EDQUOT
 * from the module, *@limit_cgroup_id (if not NULL) names the cgroup whose
 * limit refused.
 */
typedef int (*eb_add_run_fn)(int fd, const uint8_t *buf, uint64_t offset, size_t n,
			     uint64_t secinfo_flags, bool measure, uint64_t *limit_cgroup_id);

/* Add every page of @img in runs, through @add. */
int eb_add_pages(int fd, const struct ebroker_image *img, eb_add_run_fn add,
		 uint64_t *limit_cgroup_id);

/* What sim.c needs once per process (not the signal handlers). */
int eb_sim_init(void);

/*
 * sim.c's part of the signal handlers: true if @sig is about an enclave
 * call of this thread and was dealt with; false to chain it.
 */
bool eb_sim_signal(int sig, siginfo_t *si, void *uc);

/*
 * A reference on the installed signal handlers (signals.c), held by each
 * sim call: false when none are installed. eb_signals_put() drops one,
 * removing the handlers with the last.
 */
bool eb_signals_get(void);
void eb_signals_put(void);

/* ebroker_enclave_call() for the sim backend; arguments are checked. */
int eb_sim_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len, void *out,
		size_t out_cap, size_t *ret_out_len);

/*
 * The SGX hardware backend (sgx.c). UNVERIFIED: written against the SGX
 * UAPI, never run on SGX hardware.
 */
#define EB_SGX_DEV_PATH "/dev/sgx_enclave"

int eb_sgx_create(int fd, const struct eb_secs *secs);
int eb_sgx_add_run(int fd, const uint8_t *buf, uint64_t offset, size_t n, uint64_t secinfo_flags,
		   bool measure, uint64_t *limit_cgroup_id);
int eb_sgx_init(int fd, const struct eb_sigstruct *sigstruct);
/* Find the vDSO's entry point for @e. */
int eb_sgx_prepare(struct ebroker_enclave *e);
int eb_sgx_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len, void *out,
		size_t out_cap, size_t *ret_out_len);

#endif /* EB_LOADER_INTERNAL_H */
