/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave's entry point (TCS.OENTRY) and its way out.
 *
 * EENTER arrives here with RAX = CSSA, RBX = the TCS's address, RCX = the
 * address after the host's ENCLU (where EEXIT must return), and the ECALL
 * in RDI (number), RSI (input), RDX (input length), R8 (output), R9 (output
 * capacity). Nothing else of the host's can be trusted, RSP included.
 *
 * The thread is found from RBX alone (TCS i is page i, its thread data is
 * page i of __eb_tdata), never from FS/GS: the sim backend cannot load them.
 * EEXIT leaves with RAX = 4, RBX = the return address, RDI = the status,
 * RSI = the output length, RSP/RBP the host's again, and every other
 * general purpose and SSE register zeroed.
 */
#include "layout.h"

#define ENCLU .byte 0x0f, 0x01, 0xd7
#define EEXIT 4

/* Leave: zero what the host must not see, then EEXIT to RBX. RDI and RSI
 * carry the result. OF = SF = AF = CF = 0, ZF = PF = 1 after the add: no
 * flag says anything either. */
.macro scrub_and_exit
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	add	%rdx, %rdx
	mov	$EEXIT, %eax
	ENCLU
	ud2
.endm

	.section .text.eb_entry, "ax", @progbits
	.globl	eb_entry
	.hidden	eb_entry
	.type	eb_entry, @function
eb_entry:
	cld
	/* An EENTER after an AEX would run on top of an interrupted ECALL:
	 * no exception handling in this runtime, refuse without a stack. */
	test	%eax, %eax
	jnz	.Lbad_cssa

	/* R10 = this thread's data page. */
	lea	__eb_base(%rip), %r11
	mov	%rbx, %r10
	sub	%r11, %r10
	lea	__eb_tdata(%rip), %r11
	add	%r11, %r10

	/* A second ECALL on a thread already in one: refuse, stack untouched. */
	lock btsq $0, EB_TD_BUSY(%r10)
	jc	.Lbusy

	mov	%rsp, EB_TD_HOST_RSP(%r10)
	mov	%rbp, EB_TD_HOST_RBP(%r10)
	mov	%rcx, EB_TD_HOST_RET(%r10)
	/* The FP control words are the host's (callee-saved in the SysV ABI):
	 * keep them, and run on known ones. */
	stmxcsr	EB_TD_HOST_MXCSR(%r10)
	fnstcw	EB_TD_HOST_FCW(%r10)
	ldmxcsr	.Lmxcsr(%rip)
	fldcw	.Lfcw(%rip)

	lea	__eb_base(%rip), %r11
	mov	EB_TD_STACK_TOP(%r10), %rsp
	add	%r11, %rsp
	xor	%ebp, %ebp

	/* eb_rt_dispatch(ecall, in, in_len, out, out_cap, tdata) */
	mov	%r8, %rcx
	mov	%r9, %r8
	mov	%r10, %r9
	call	eb_rt_dispatch
	/* RAX = status, RDX = output length */

	lea	__eb_base(%rip), %r11
	mov	%rbx, %r10
	sub	%r11, %r10
	lea	__eb_tdata(%rip), %r11
	add	%r11, %r10

	mov	%rax, %rdi
	mov	%rdx, %rsi
	ldmxcsr	EB_TD_HOST_MXCSR(%r10)
	fldcw	EB_TD_HOST_FCW(%r10)
	mov	EB_TD_HOST_RET(%r10), %rbx
	mov	EB_TD_HOST_RBP(%r10), %rbp
	mov	EB_TD_HOST_RSP(%r10), %rsp
	movq	$0, EB_TD_BUSY(%r10)

	pxor	%xmm0, %xmm0
	pxor	%xmm1, %xmm1
	pxor	%xmm2, %xmm2
	pxor	%xmm3, %xmm3
	pxor	%xmm4, %xmm4
	pxor	%xmm5, %xmm5
	pxor	%xmm6, %xmm6
	pxor	%xmm7, %xmm7
	pxor	%xmm8, %xmm8
	pxor	%xmm9, %xmm9
	pxor	%xmm10, %xmm10
	pxor	%xmm11, %xmm11
	pxor	%xmm12, %xmm12
	pxor	%xmm13, %xmm13
	pxor	%xmm14, %xmm14
	pxor	%xmm15, %xmm15
	scrub_and_exit

.Lbad_cssa:
	mov	$-EB_RT_EOPNOTSUPP, %rdi
	jmp	.Lrefuse
.Lbusy:
	mov	$-EB_RT_EBUSY, %rdi
.Lrefuse:
	/* Nothing of the enclave's was touched: no SSE state to clear. */
	mov	%rcx, %rbx
	xor	%esi, %esi
	scrub_and_exit
	.size	eb_entry, . - eb_entry

	.section .rodata, "a", @progbits
	.balign	4
.Lmxcsr:
	.long	EB_MXCSR_DEFAULT
.Lfcw:
	.short	EB_FCW_DEFAULT

	.section .note.GNU-stack, "", @progbits
