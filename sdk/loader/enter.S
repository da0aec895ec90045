/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eb_sim_enter(struct eb_sim_args *a): the host's ENCLU[EENTER] in sim.
 *
 * Saves the callee-saved registers, loads the ECALL registers from @a
 * (docs/enclave-abi.md) and executes ENCLU, which raises #UD off hardware;
 * sim.c's SIGILL handler emulates EENTER and, later, the enclave's EEXIT
 * back to the instruction after it, with RDI = status and RSI = output
 * length. The enclave restores RSP itself (as it must on hardware; sim.c
 * checks it did). When a call is aborted (fault, timeout) sim.c resumes the
 * thread at eb_sim_abort_landing instead, with RSP as it was at the ENCLU.
 */

/* struct eb_sim_args, in sim.c */
#define ARGS_TCS	0
#define ARGS_ECALL	8
#define ARGS_IN		16
#define ARGS_IN_LEN	24
#define ARGS_OUT	32
#define ARGS_OUT_CAP	40
#define ARGS_STATUS	48
#define ARGS_OUT_LEN	56
#define ARGS_ABORTED	64

	.text
	.globl	eb_sim_enter
	.hidden	eb_sim_enter
	.type	eb_sim_enter, @function
eb_sim_enter:
	.cfi_startproc
	push	%rbx
	.cfi_adjust_cfa_offset 8
	push	%rbp
	.cfi_adjust_cfa_offset 8
	push	%r12
	.cfi_adjust_cfa_offset 8
	push	%r13
	.cfi_adjust_cfa_offset 8
	push	%r14
	.cfi_adjust_cfa_offset 8
	push	%r15
	.cfi_adjust_cfa_offset 8
	push	%rdi
	.cfi_adjust_cfa_offset 8

	mov	ARGS_TCS(%rdi), %rbx
	mov	ARGS_IN(%rdi), %rsi
	mov	ARGS_IN_LEN(%rdi), %rdx
	mov	ARGS_OUT(%rdi), %r8
	mov	ARGS_OUT_CAP(%rdi), %r9
	mov	ARGS_ECALL(%rdi), %rdi
	lea	eb_sim_aep(%rip), %rcx
	mov	$2, %eax		/* EENTER */
	.globl	eb_sim_eenter_site
	.hidden	eb_sim_eenter_site
eb_sim_eenter_site:
	.byte	0x0f, 0x01, 0xd7	/* ENCLU */

	/* EEXIT lands here. */
	pop	%rax
	mov	%rdi, ARGS_STATUS(%rax)
	mov	%rsi, ARGS_OUT_LEN(%rax)
	movq	$0, ARGS_ABORTED(%rax)
	jmp	1f

	.globl	eb_sim_abort_landing
	.hidden	eb_sim_abort_landing
eb_sim_abort_landing:
	pop	%rax
	movq	$1, ARGS_ABORTED(%rax)
1:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.cfi_endproc
	.size	eb_sim_enter, . - eb_sim_enter

/* The asynchronous exit pointer: only hardware AEXs go there, none in sim. */
	.type	eb_sim_aep, @function
eb_sim_aep:
	ud2
	.size	eb_sim_aep, . - eb_sim_aep

	.section .note.GNU-stack, "", @progbits
