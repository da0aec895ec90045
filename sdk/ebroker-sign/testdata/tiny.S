/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest enclave ebroker-sign's tests sign: two TCS, a page of code,
 * read-only data, initialised data with a relocation, zero pages after it,
 * and an "ebroker" note. It is never run, only laid out and measured.
 */
#define PAGE 4096
#define NR_TCS 2

/*
 * A TCS (SDM 34.8): thread @n's SSA frame is page @n of .ssa. Offsets are
 * differences from encl_base, the enclave's first byte: constants the
 * assembler and linker resolve, leaving no relocation in a page the
 * enclave cannot write.
 */
.macro tcs n
	.balign PAGE
	.quad 0				/* STATE */
	.quad 0				/* FLAGS */
	.quad ssa_frames + \n * PAGE - encl_base /* OSSA */
	.long 0				/* CSSA */
	.long 1				/* NSSA */
	.quad enclave_entry - encl_base	/* OENTRY */
	.quad 0				/* AEP */
	.quad 0				/* OFSBASE */
	.quad 0				/* OGSBASE */
	.long 0xfff			/* FSLIMIT */
	.long 0xfff			/* GSLIMIT */
	.fill PAGE - 72, 1, 0
.endm

	.section .tcs, "a"
encl_base:
	tcs 0
	tcs 1

	.text
	.globl enclave_entry
enclave_entry:
	lea	message(%rip), %rax
	ud2

	.section .rodata, "a"
message:
	.asciz "hello from the enclave"

	.data
	.balign 8
self:
	.quad self			/* a relocation, in a writable page */
	.fill PAGE + 100, 1, 0x5a	/* spills into a second page */

	.bss
	.fill 3 * PAGE, 1, 0		/* zero pages: heap */

	.section .ssa, "aw", @nobits
ssa_frames:
	.fill NR_TCS * PAGE, 1, 0

	.section .note.ebroker, "a", @note
	.balign 4
	.long 8				/* namesz */
	.long 16			/* descsz */
	.long 1				/* EB_NOTE_ENCLAVE */
	.asciz "ebroker"
	.long 1				/* version */
	.long 1				/* ssa_frame_size */
	.long NR_TCS			/* nr_tcs */
	.long 0				/* reserved */
