/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What loader.c (building and mapping enclaves) and sim.c (entering them,
 * emulating ENCLU) share.
 */
#ifndef EB_LOADER_INTERNAL_H
#define EB_LOADER_INTERNAL_H

#include <stdbool.h>
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

struct eb_enclave {
	int fd;
	uint64_t base; /* ELRANGE, reserved in the address space */
	uint64_t size;
	unsigned int nr_tcs;
	struct eb_tcs_slot *tcs;
	uint32_t timeout_ms;
	int dead;	       /* atomic; set by the signal handlers */
	unsigned int next_tcs; /* where to start looking for a free TCS */
};

static inline bool eb_in_elrange(const struct eb_enclave *e, uint64_t addr)
{
	return addr - e->base < e->size;
}

/* Install the process's ENCLU/fault/timer signal handlers once. */
int eb_sim_init(void);

/* eb_enclave_call() for the sim backend; arguments are checked. */
int eb_sim_call(struct eb_enclave *e, uint32_t ecall, const void *in, size_t in_len, void *out,
		size_t out_cap, size_t *ret_out_len);

#endif /* EB_LOADER_INTERNAL_H */
