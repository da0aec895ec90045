/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave's memory layout, shared by the linker script (enclave.lds.S),
 * the entry code (entry.S) and the runtime's C. Only #defines: the linker
 * script and the assembler read this too.
 *
 * Link-time knobs (defaults below), given to the preprocessor of the linker
 * script; see docs/enclave-abi.md:
 *   EBROKER_NR_TCS		threads (TCS pages), 1..EBROKER_NR_TCS_MAX
 *   EBROKER_NSSA		SSA frames per thread (TCS.NSSA), 1 or 2
 *   EBROKER_SSA_FRAME_PAGES	pages per SSA frame (SECS.SSAFRAMESIZE)
 *   EBROKER_STACK_PAGES	stack pages per thread
 *   EBROKER_HEAP_PAGES	heap pages, shared by all threads
 */
#ifndef EB_RUNTIME_LAYOUT_H
#define EB_RUNTIME_LAYOUT_H

#define EB_RT_PAGE 4096

#ifndef EBROKER_NR_TCS
#define EBROKER_NR_TCS 4
#endif
#define EBROKER_NR_TCS_MAX 16
#ifndef EBROKER_NSSA
#define EBROKER_NSSA 1
#endif
#ifndef EBROKER_SSA_FRAME_PAGES
#define EBROKER_SSA_FRAME_PAGES 1
#endif
#ifndef EBROKER_STACK_PAGES
#define EBROKER_STACK_PAGES 16
#endif
#ifndef EBROKER_HEAP_PAGES
#define EBROKER_HEAP_PAGES 64
#endif

/*
 * Enclave offsets. The TCS pages come first, then one thread-data page per
 * thread, then the SSA frames; each stack and the heap sit between unmapped
 * guard pages (holes in ELRANGE: no EPC page, so an overflow faults).
 */
#define EB_TCS_OFF	0
#define EB_TDATA_OFF	(EB_TCS_OFF + EBROKER_NR_TCS * EB_RT_PAGE)
#define EB_SSA_OFF	(EB_TDATA_OFF + EBROKER_NR_TCS * EB_RT_PAGE)
#define EB_SSA_STRIDE	(EBROKER_NSSA * EBROKER_SSA_FRAME_PAGES * EB_RT_PAGE)
#define EB_STACKS_OFF	(EB_SSA_OFF + EBROKER_NR_TCS * EB_SSA_STRIDE + EB_RT_PAGE)
#define EB_STACK_SIZE	(EBROKER_STACK_PAGES * EB_RT_PAGE)
#define EB_STACK_STRIDE (EB_STACK_SIZE + EB_RT_PAGE)
#define EB_HEAP_OFF	(EB_STACKS_OFF + EBROKER_NR_TCS * EB_STACK_STRIDE)
#define EB_HEAP_SIZE	(EBROKER_HEAP_PAGES * EB_RT_PAGE)
#define EB_IMAGE_OFF	(EB_HEAP_OFF + EB_HEAP_SIZE + EB_RT_PAGE)

/*
 * The thread-data page (struct eb_tdata in runtime.h). The static fields
 * are written by the linker script; the rest by the entry code. The TCS's
 * OFSBASE and OGSBASE point here, so on hardware %fs:0x28 is the canary
 * that -fstack-protector code (Debian's BearSSL) compares against.
 */
#define EB_TD_SELF	 0x00 /* static: enclave offset of this page */
#define EB_TD_TCS	 0x08 /* static: enclave offset of this thread's TCS */
#define EB_TD_STACK_TOP	 0x10 /* static: enclave offset of the stack's top */
#define EB_TD_BUSY	 0x18 /* bit 0: an ECALL runs on this thread */
#define EB_TD_HOST_RSP	 0x20 /* host RSP at EENTER */
#define EB_TD_CANARY	 0x28 /* %fs:0x28 on hardware */
#define EB_TD_HOST_RBP	 0x30 /* host RBP at EENTER */
#define EB_TD_HOST_RET	 0x38 /* RCX at EENTER: where EEXIT returns */
#define EB_TD_HOST_MXCSR 0x40 /* 32 bits */
#define EB_TD_HOST_FCW	 0x44 /* 16 bits */
#define EB_TD_INDEX	 0x48 /* static: thread number */

/* Status the entry code returns (RDI at EEXIT) when it cannot dispatch. */
#define EB_RT_EBUSY	 16 /* EBUSY: this thread is in an ECALL already */
#define EB_RT_EOPNOTSUPP 95 /* EOPNOTSUPP: CSSA != 0, no exception handling */

#define EB_MXCSR_DEFAULT 0x1f80
#define EB_FCW_DEFAULT	 0x037f

#endif /* EB_RUNTIME_LAYOUT_H */
