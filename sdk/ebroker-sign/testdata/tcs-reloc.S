/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A broken enclave: its TCS points at the entry through a symbol that is
 * not a link-time constant, so the linker leaves a relocation in the TCS
 * page, which is not writable (linked with -z notext so that the linker
 * lets it through). ebroker-sign must refuse it.
 */
#define PAGE 4096

	.section .tcs, "a"
	.balign PAGE
encl_base:
	.quad 0, 0			/* STATE, FLAGS */
	.quad ssa_frames - encl_base	/* OSSA */
	.long 0, 1			/* CSSA, NSSA */
	.quad enclave_entry		/* OENTRY: an address, so relocated */
	.quad 0, 0, 0			/* AEP, OFSBASE, OGSBASE */
	.long 0xfff, 0xfff		/* FSLIMIT, GSLIMIT */
	.fill PAGE - 72, 1, 0

	.text
	.globl enclave_entry
enclave_entry:
	ud2

	.section .ssa, "aw", @nobits
ssa_frames:
	.fill PAGE, 1, 0
