/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int eb_sgx_enter(const struct eb_sgx_args *a): call the vDSO's
 * __vdso_sgx_enter_enclave() with the ECALL registers.
 *
 * UNVERIFIED: written against the SGX UAPI, never run on SGX hardware.
 *
 * The vDSO's C prototype (vdso_sgx_enter_enclave_t in <asm/sgx.h>) is
 * (rdi, rsi, rdx, function, r8, r9, run): RDI, RSI, RDX, R8 and R9 reach
 * the enclave as they are, which is the ECALL register ABI
 * (docs/enclave-abi.md): RDI = ECALL, RSI/RDX = input, R8/R9 = output;
 * ECX = EENTER; run is the seventh argument, on the stack. The vDSO keeps
 * only RBX, RBP and RSP for its caller, and the runtime zeroes R12-R15
 * before EEXIT, so this wrapper saves every callee-saved register itself.
 * What the enclave returns in RDI/RSI is captured by the run's user
 * handler (sgx.c), the one documented way to see them.
 */

/* struct eb_sgx_args, in sgx.c */
#define ARGS_FN		0
#define ARGS_RUN	8
#define ARGS_ECALL	16
#define ARGS_IN		24
#define ARGS_IN_LEN	32
#define ARGS_OUT	40
#define ARGS_OUT_CAP	48

#define ENCLU_EENTER	2

	.text
	.globl	eb_sgx_enter
	.hidden	eb_sgx_enter
	.type	eb_sgx_enter, @function
eb_sgx_enter:
	.cfi_startproc
	push	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	push	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	push	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	push	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	push	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	push	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0

	/* Six pushes after the return address: RSP is 8 mod 16. Pushing the
	 * seventh argument aligns it for the call, as the ABI requires. */
	mov	%rdi, %rax
	push	ARGS_RUN(%rax)
	.cfi_adjust_cfa_offset 8
	mov	ARGS_ECALL(%rax), %rdi
	mov	ARGS_IN(%rax), %rsi
	mov	ARGS_IN_LEN(%rax), %rdx
	mov	$ENCLU_EENTER, %ecx
	mov	ARGS_OUT(%rax), %r8
	mov	ARGS_OUT_CAP(%rax), %r9
	call	*ARGS_FN(%rax)
	add	$8, %rsp
	.cfi_adjust_cfa_offset -8

	pop	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r15
	pop	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r14
	pop	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	pop	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	pop	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	pop	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	ret
	.cfi_endproc
	.size	eb_sgx_enter, . - eb_sgx_enter

	.section .note.GNU-stack, "", @progbits
