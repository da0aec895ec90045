/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave linker script: run through the C preprocessor with the knobs
 * of layout.h (-DEBROKER_NR_TCS=... etc.), then given to ld -T. It links a
 * static PIE at address 0, so that an ELF address is an enclave offset, and
 * lays out (see layout.h and docs/enclave-abi.md):
 *
 *   TCS pages         PT_LOAD, no permissions (TCS page type)
 *   thread data, SSA  PT_LOAD RW
 *   a stack per TCS   PT_LOAD RW each, between unmapped guard pages
 *   heap              PT_LOAD RW
 *   code              PT_LOAD RX
 *   read-only data    PT_LOAD R   (with the dynamic relocations and the note)
 *   data, bss         PT_LOAD RW  (relocated by the runtime on first entry)
 *
 * The TCS and thread-data pages are written here with data statements
 * rather than in an object file: their fields are enclave offsets, which
 * must be link-time constants with no dynamic relocation (TCS pages are
 * not writable, and both are read before the runtime relocates itself).
 * Inside an output section `.` is an offset from the section's start.
 * The preprocessor cannot loop, hence one line per possible thread.
 */
#include <linux/ebroker_sgx.h>

#include "layout.h"

#if EBROKER_NR_TCS < 1 || EBROKER_NR_TCS > EBROKER_NR_TCS_MAX
#error "EBROKER_NR_TCS must be 1..16"
#endif
#if EBROKER_NSSA < 1 || EBROKER_NSSA > 2
#error "EBROKER_NSSA must be 1 or 2"
#endif

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(eb_entry)

/* A TCS, its fields at <linux/ebroker_sgx.h>'s offsets (STATE, FLAGS,
 * CSSA and AEP zero), then zeros to the end of the page. */
#define EB_TCS_AT(i, field) . = (i) * EB_RT_PAGE + EB_TCS_##field;
#define EB_TCS(i)							\
	EB_TCS_AT(i, OSSA)    QUAD(EB_SSA_OFF + (i) * EB_SSA_STRIDE)	\
	EB_TCS_AT(i, NSSA)    LONG(EBROKER_NSSA)				\
	EB_TCS_AT(i, OENTRY)  QUAD(ABSOLUTE(eb_entry))			\
	EB_TCS_AT(i, OFSBASE) QUAD(EB_TDATA_OFF + (i) * EB_RT_PAGE)	\
	EB_TCS_AT(i, OGSBASE) QUAD(EB_TDATA_OFF + (i) * EB_RT_PAGE)	\
	EB_TCS_AT(i, FSLIMIT) LONG(EB_TCS_LIMIT_LOW)			\
	EB_TCS_AT(i, GSLIMIT) LONG(EB_TCS_LIMIT_LOW)			\
	. = ((i) + 1) * EB_RT_PAGE;

/* Thread data: the static fields of layout.h's EB_TD_*. */
#define EB_TDATA(i)							\
	QUAD(EB_TDATA_OFF + (i) * EB_RT_PAGE)				\
	QUAD(EB_TCS_OFF + (i) * EB_RT_PAGE)				\
	QUAD(EB_STACKS_OFF + (i) * EB_STACK_STRIDE + EB_STACK_SIZE)	\
	. = (i) * EB_RT_PAGE + EB_TD_INDEX;				\
	QUAD(i)								\
	. = ((i) + 1) * EB_RT_PAGE;

#define EB_STACK(i)							\
	.eb_stack##i EB_STACKS_OFF + (i) * EB_STACK_STRIDE (NOLOAD) :	\
		{ . += EB_STACK_SIZE; } :stack##i

PHDRS
{
	tcs	PT_LOAD FLAGS(0);
	thread	PT_LOAD FLAGS(6);
	stack0	PT_LOAD FLAGS(6);
#if EBROKER_NR_TCS > 1
	stack1	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 2
	stack2	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 3
	stack3	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 4
	stack4	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 5
	stack5	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 6
	stack6	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 7
	stack7	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 8
	stack8	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 9
	stack9	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 10
	stack10	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 11
	stack11	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 12
	stack12	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 13
	stack13	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 14
	stack14	PT_LOAD FLAGS(6);
#endif
#if EBROKER_NR_TCS > 15
	stack15	PT_LOAD FLAGS(6);
#endif
	heap	PT_LOAD FLAGS(6);
	text	PT_LOAD FLAGS(5);
	rodata	PT_LOAD FLAGS(4);
	data	PT_LOAD FLAGS(6);
	dynamic	PT_DYNAMIC FLAGS(4);
	note	PT_NOTE FLAGS(4);
}

SECTIONS
{
	.eb_tcs EB_TCS_OFF : {
		__eb_base = .;
		EB_TCS(0)
#if EBROKER_NR_TCS > 1
		EB_TCS(1)
#endif
#if EBROKER_NR_TCS > 2
		EB_TCS(2)
#endif
#if EBROKER_NR_TCS > 3
		EB_TCS(3)
#endif
#if EBROKER_NR_TCS > 4
		EB_TCS(4)
#endif
#if EBROKER_NR_TCS > 5
		EB_TCS(5)
#endif
#if EBROKER_NR_TCS > 6
		EB_TCS(6)
#endif
#if EBROKER_NR_TCS > 7
		EB_TCS(7)
#endif
#if EBROKER_NR_TCS > 8
		EB_TCS(8)
#endif
#if EBROKER_NR_TCS > 9
		EB_TCS(9)
#endif
#if EBROKER_NR_TCS > 10
		EB_TCS(10)
#endif
#if EBROKER_NR_TCS > 11
		EB_TCS(11)
#endif
#if EBROKER_NR_TCS > 12
		EB_TCS(12)
#endif
#if EBROKER_NR_TCS > 13
		EB_TCS(13)
#endif
#if EBROKER_NR_TCS > 14
		EB_TCS(14)
#endif
#if EBROKER_NR_TCS > 15
		EB_TCS(15)
#endif
	} :tcs

	.eb_tdata EB_TDATA_OFF : {
		__eb_tdata = .;
		EB_TDATA(0)
#if EBROKER_NR_TCS > 1
		EB_TDATA(1)
#endif
#if EBROKER_NR_TCS > 2
		EB_TDATA(2)
#endif
#if EBROKER_NR_TCS > 3
		EB_TDATA(3)
#endif
#if EBROKER_NR_TCS > 4
		EB_TDATA(4)
#endif
#if EBROKER_NR_TCS > 5
		EB_TDATA(5)
#endif
#if EBROKER_NR_TCS > 6
		EB_TDATA(6)
#endif
#if EBROKER_NR_TCS > 7
		EB_TDATA(7)
#endif
#if EBROKER_NR_TCS > 8
		EB_TDATA(8)
#endif
#if EBROKER_NR_TCS > 9
		EB_TDATA(9)
#endif
#if EBROKER_NR_TCS > 10
		EB_TDATA(10)
#endif
#if EBROKER_NR_TCS > 11
		EB_TDATA(11)
#endif
#if EBROKER_NR_TCS > 12
		EB_TDATA(12)
#endif
#if EBROKER_NR_TCS > 13
		EB_TDATA(13)
#endif
#if EBROKER_NR_TCS > 14
		EB_TDATA(14)
#endif
#if EBROKER_NR_TCS > 15
		EB_TDATA(15)
#endif
	} :thread
	.eb_ssa EB_SSA_OFF (NOLOAD) : { . += EBROKER_NR_TCS * EB_SSA_STRIDE; } :thread

	EB_STACK(0)
#if EBROKER_NR_TCS > 1
	EB_STACK(1)
#endif
#if EBROKER_NR_TCS > 2
	EB_STACK(2)
#endif
#if EBROKER_NR_TCS > 3
	EB_STACK(3)
#endif
#if EBROKER_NR_TCS > 4
	EB_STACK(4)
#endif
#if EBROKER_NR_TCS > 5
	EB_STACK(5)
#endif
#if EBROKER_NR_TCS > 6
	EB_STACK(6)
#endif
#if EBROKER_NR_TCS > 7
	EB_STACK(7)
#endif
#if EBROKER_NR_TCS > 8
	EB_STACK(8)
#endif
#if EBROKER_NR_TCS > 9
	EB_STACK(9)
#endif
#if EBROKER_NR_TCS > 10
	EB_STACK(10)
#endif
#if EBROKER_NR_TCS > 11
	EB_STACK(11)
#endif
#if EBROKER_NR_TCS > 12
	EB_STACK(12)
#endif
#if EBROKER_NR_TCS > 13
	EB_STACK(13)
#endif
#if EBROKER_NR_TCS > 14
	EB_STACK(14)
#endif
#if EBROKER_NR_TCS > 15
	EB_STACK(15)
#endif

	.eb_heap EB_HEAP_OFF (NOLOAD) : {
		__eb_heap = .;
		. += EB_HEAP_SIZE;
		__eb_heap_end = .;
	} :heap

	.text EB_IMAGE_OFF : {
		*(.text.eb_entry)
		*(.text .text.*)
	} :text

	.rodata ALIGN(EB_RT_PAGE) : {
		*(.rodata .rodata.*)
	} :rodata
	/* The "ebroker" enclave note of the SDK contract: version 1, the SSA
	 * frame size in pages, the number of TCS, reserved. */
	.note.ebroker ALIGN(4) : {
		LONG(8) LONG(16) LONG(1)
		BYTE(0x65) BYTE(0x62) BYTE(0x72) BYTE(0x6f)
		BYTE(0x6b) BYTE(0x65) BYTE(0x72) BYTE(0)
		LONG(1) LONG(EBROKER_SSA_FRAME_PAGES) LONG(EBROKER_NR_TCS) LONG(0)
	} :rodata :note
	/* What the runtime needs to know of the layout. */
	.eb_layout ALIGN(8) : {
		__eb_layout = .;
		QUAD(EBROKER_NR_TCS)
		QUAD(EB_HEAP_OFF)
		QUAD(EB_HEAP_SIZE)
	} :rodata
	.dynsym : { *(.dynsym) } :rodata
	.dynstr : { *(.dynstr) } :rodata
	.hash : { *(.hash) } :rodata
	.gnu.hash : { *(.gnu.hash) } :rodata
	.rela.dyn : { *(.rela.*) } :rodata
	.dynamic : { *(.dynamic) } :rodata :dynamic

	.data ALIGN(EB_RT_PAGE) : {
		*(.data.rel.ro .data.rel.ro.*)
		*(.got) *(.got.plt)
		*(.data .data.*)
	} :data
	.bss : {
		*(.bss .bss.*)
		*(COMMON)
	} :data
	__eb_end = ALIGN(EB_RT_PAGE);

	/DISCARD/ : {
		*(.interp) *(.comment) *(.note.*) *(.eh_frame*)
		*(.gnu.version*) *(.plt) *(.plt.*)
	}
}

ASSERT(__eb_end > EB_IMAGE_OFF, "enclave image is empty")
ASSERT(SIZEOF(.eb_tdata) == EBROKER_NR_TCS * EB_RT_PAGE, "thread data layout")
