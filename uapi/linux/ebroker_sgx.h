/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ebroker: the SGX architectural structures, defined once for the module,
 * the enclave SDK (image library, loader, signer, enclave runtime) and any
 * other program that builds, signs or runs an enclave.
 *
 * The layouts are those of the Intel SDM, Vol. 3D, chapter "Enclave Access
 * Control and Data Structures"; sections are cited by title, whose numbers
 * move between editions. Every integer is little-endian, every structure
 * packed. The EB_ECREATE_* constants are what EB_IOC_ENCLAVE_CREATE
 * (<linux/ebroker.h>) accepts in a SECS: the architectural rules of
 * ECREATE, and the module's own bounds where the architecture leaves the
 * choice to the platform.
 *
 * Assembler sources and linker scripts may include this header (with
 * __ASSEMBLY__ or __ASSEMBLER__ defined) for the constants and the
 * EB_TCS_* field offsets; the structures are left out for them.
 */
#ifndef _UAPI_LINUX_EBROKER_SGX_H
#define _UAPI_LINUX_EBROKER_SGX_H

#if !defined(__ASSEMBLY__) && !defined(__ASSEMBLER__)
#include <linux/types.h>
#endif

/* ---------------------------------------------------------------- sizes */

#define EB_PAGE_SIZE		4096
#define EB_SECS_SIZE		4096
#define EB_SECINFO_SIZE		64
#define EB_TCS_SIZE		4096
#define EB_SIGSTRUCT_SIZE	1808
#define EB_HASH_SIZE		32
#define EB_MODULUS_SIZE		384

/* -------------------------------------------------------------- SECINFO */

/* SECINFO.FLAGS: bits 0-2 permissions, bits 8-15 page type. */
#define EB_SECINFO_R		0x01ULL
#define EB_SECINFO_W		0x02ULL
#define EB_SECINFO_X		0x04ULL
#define EB_SECINFO_PERM_MASK	0x07ULL
#define EB_SECINFO_PT_SHIFT	8
#define EB_SECINFO_PT_MASK	(0xffULL << EB_SECINFO_PT_SHIFT)
#define EB_SECINFO_PT_SECS	(0x00ULL << EB_SECINFO_PT_SHIFT)
#define EB_SECINFO_PT_TCS	(0x01ULL << EB_SECINFO_PT_SHIFT)
#define EB_SECINFO_PT_REG	(0x02ULL << EB_SECINFO_PT_SHIFT)
#define EB_SECINFO_RESERVED	(~(EB_SECINFO_PERM_MASK | EB_SECINFO_PT_MASK))

/* ----------------------------------------------------------------- SECS */

/* SECS.ATTRIBUTES bits (SDM: "ATTRIBUTES"). */
#define EB_ATTR_INIT		0x01ULL	/* set by init, never by the caller */
#define EB_ATTR_DEBUG		0x02ULL	/* debugger may read enclave memory */
#define EB_ATTR_MODE64BIT	0x04ULL	/* required: 64-bit enclaves only */
#define EB_ATTR_PROVISIONKEY	0x10ULL
#define EB_ATTR_EINITTOKENKEY	0x20ULL
#define EB_ATTR_KSS		0x80ULL
#define EB_ATTR_RESERVED	(~0xb7ULL)

/*
 * ECREATE limits: what EB_IOC_ENCLAVE_CREATE accepts in a SECS.
 *
 * EB_ECREATE_SIZE_MIN, EB_ECREATE_SIZE_MAX: SECS.SIZE is a power of two
 *	of at least two pages (ECREATE: #GP otherwise). The largest size is
 *	the platform's (CPUID.(EAX=12H,ECX=0):EDX[15:8] on hardware); the
 *	module takes 2^36 bytes, ELRANGE not EPC: the pool bounds what can
 *	be populated anyway.
 * EB_ECREATE_SSA_FRAME_MAX: SECS.SSAFRAMESIZE in pages, at least 1. The
 *	architecture requires only that a frame holds the XSAVE area XFRM
 *	selects, GPRSGX and MISC; the module bounds it at 16 pages.
 * EB_ECREATE_MISCSELECT_VALID: SECS.MISCSELECT bits the platform supports
 *	(CPUID.(EAX=12H,ECX=0):EBX); bit 0, EXINFO, is the only one defined.
 * EB_ECREATE_ATTR_REQUIRED: 64-bit enclaves only (the module's rule;
 *	ECREATE itself also takes 32-bit ones).
 * EB_ECREATE_ATTR_FORBIDDEN: INIT is EINIT's to set, and reserved bits
 *	must be clear (ECREATE: #GP otherwise).
 * EB_ECREATE_XFRM_REQUIRED: XFRM bits 0 (x87) and 1 (SSE) must be set
 *	(SDM: "XFRM", ECREATE: #GP otherwise).
 */
#define EB_ECREATE_SIZE_MIN		(2ULL * EB_PAGE_SIZE)
#define EB_ECREATE_SIZE_MAX		0x1000000000ULL	/* 2^36: 64 GiB */
#define EB_ECREATE_SSA_FRAME_MAX	16
#define EB_ECREATE_MISCSELECT_VALID	0x1U
#define EB_ECREATE_ATTR_REQUIRED	EB_ATTR_MODE64BIT
#define EB_ECREATE_ATTR_FORBIDDEN	(EB_ATTR_INIT | EB_ATTR_RESERVED)
#define EB_ECREATE_XFRM_REQUIRED	0x3ULL

/* ------------------------------------------------------------------ TCS */

/*
 * TCS field offsets, for assembler sources and linker scripts (C has
 * struct eb_tcs). EADD of a TCS page wants FLAGS with no bit but
 * EB_TCS_FLAGS_DBGOPTIN; OSSA, OFSBASE and OGSBASE page aligned; FSLIMIT
 * and GSLIMIT with bits 11:0 set (EB_TCS_LIMIT_LOW); the bytes from
 * EB_TCS_RESERVED on zero (SDM: "Thread Control Structure (TCS)", "EADD").
 */
#define EB_TCS_STATE		0
#define EB_TCS_FLAGS		8
#define EB_TCS_OSSA		16
#define EB_TCS_CSSA		24
#define EB_TCS_NSSA		28
#define EB_TCS_OENTRY		32
#define EB_TCS_AEP		40
#define EB_TCS_OFSBASE		48
#define EB_TCS_OGSBASE		56
#define EB_TCS_FSLIMIT		64
#define EB_TCS_GSLIMIT		68
#define EB_TCS_RESERVED		72

#define EB_TCS_FLAGS_DBGOPTIN	0x1ULL
#define EB_TCS_LIMIT_LOW	0xfff

#if !defined(__ASSEMBLY__) && !defined(__ASSEMBLER__)

/**
 * struct eb_secs - SGX Enclave Control Structure, as passed to
 *                  EB_IOC_ENCLAVE_CREATE (4096 bytes, SDM: "SGX
 *                  Enclave Control Structure (SECS)")
 * @size:		(in) ELRANGE size: a power of two, from
 *			EB_ECREATE_SIZE_MIN to EB_ECREATE_SIZE_MAX
 * @base:		(in) ELRANGE base: naturally aligned to @size; ELRANGE
 *			is user memory (no wrap, canonical, below the kernel)
 * @ssa_frame_size:	(in) SSA frame size in pages, 1 to
 *			EB_ECREATE_SSA_FRAME_MAX
 * @miscselect:		(in) MISCSELECT; EB_ECREATE_MISCSELECT_VALID bits only
 * @attributes:		(in) EB_ATTR_*; EB_ECREATE_ATTR_REQUIRED set,
 *			EB_ECREATE_ATTR_FORBIDDEN clear
 * @xfrm:		(in) XSAVE feature mask; EB_ECREATE_XFRM_REQUIRED set
 * @mrenclave:		must be zero; computed by the module
 * @mrsigner:		must be zero; set at init
 * @config_id:		must be zero (no KSS support)
 * @isv_prod_id:	must be zero; taken from the SIGSTRUCT at init
 * @isv_svn:		must be zero; taken from the SIGSTRUCT at init
 * @config_svn:		must be zero
 *
 * Every reserved byte must be zero.
 */
struct eb_secs {
	__u64 size;
	__u64 base;
	__u32 ssa_frame_size;
	__u32 miscselect;
	__u8  reserved1[24];
	__u64 attributes;
	__u64 xfrm;
	__u8  mrenclave[32];
	__u8  reserved2[32];
	__u8  mrsigner[32];
	__u8  reserved3[32];
	__u8  config_id[64];
	__u16 isv_prod_id;
	__u16 isv_svn;
	__u16 config_svn;
	__u8  reserved4[3834];
} __attribute__((packed));

/**
 * struct eb_secinfo - SECINFO (64 bytes, SDM: "Security Information (SECINFO)")
 * @flags:	EB_SECINFO_* permissions and page type (REG or TCS; a TCS
 *		page carries no permissions)
 * @reserved:	must be zero
 */
struct eb_secinfo {
	__u64 flags;
	__u8  reserved[56];
} __attribute__((packed));

/**
 * struct eb_tcs - Thread Control Structure (4096 bytes, one TCS page)
 * @state:	0: EENTER marks it busy while a thread is inside
 * @flags:	EB_TCS_FLAGS_DBGOPTIN or 0
 * @ossa:	enclave offset of the first SSA frame, page aligned
 * @cssa:	current SSA frame; 0 when added
 * @nssa:	SSA frames, at least 1
 * @oentry:	enclave offset EENTER jumps to
 * @aep:	written by EENTER (the asynchronous exit pointer)
 * @ofsbase:	enclave offset FS points at inside, page aligned
 * @ogsbase:	enclave offset GS points at inside, page aligned
 * @fslimit:	FS limit for 32-bit enclaves; bits 11:0 set
 * @gslimit:	GS limit for 32-bit enclaves; bits 11:0 set
 * @reserved:	zero
 *
 * The EB_TCS_* offsets above are this structure's.
 */
struct eb_tcs {
	__u64 state;
	__u64 flags;
	__u64 ossa;
	__u32 cssa;
	__u32 nssa;
	__u64 oentry;
	__u64 aep;
	__u64 ofsbase;
	__u64 ogsbase;
	__u32 fslimit;
	__u32 gslimit;
	__u8  reserved[4024];
} __attribute__((packed));

/**
 * struct eb_sigstruct - enclave signature structure (1808 bytes, SDM:
 *                       "Enclave Signature Structure (SIGSTRUCT)")
 *
 * Multi-byte integers (@modulus, @signature, @q1, @q2) are little-endian.
 * The RSA-3072 (e = 3) PKCS#1 v1.5 SHA-256 signature covers bytes 0..127
 * (@header .. @reserved1) followed by bytes 900..1027 (@miscselect ..
 * @isv_svn). @q1 and @q2 are not signed, but must be right for the
 * signature S and modulus N, as EINIT requires.
 */
struct eb_sigstruct {
	__u8  header[16];	/* 06000000E10000000000010000000000 */
	__u32 vendor;		/* 0 or 0x8086 */
	__u32 date;		/* 0xYYYYMMDD in BCD */
	__u8  header2[16];	/* 01010000600000006000000001000000 */
	__u32 swdefined;
	__u8  reserved1[84];	/* must be zero */
	__u8  modulus[384];
	__u32 exponent;		/* must be 3 */
	__u8  signature[384];
	__u32 miscselect;
	__u32 miscmask;
	__u8  reserved2[20];	/* must be zero */
	__u64 attributes;
	__u64 xfrm;
	__u64 attributemask;
	__u64 xfrmmask;
	__u8  enclavehash[32];	/* must equal MRENCLAVE */
	__u8  reserved3[32];	/* must be zero */
	__u16 isv_prod_id;
	__u16 isv_svn;
	__u8  reserved4[12];	/* must be zero */
	__u8  q1[384];		/* floor(S^2 / N), checked as EINIT does */
	__u8  q2[384];		/* floor((S^3 - q1 * S * N) / N), likewise */
} __attribute__((packed));

/*
 * EREPORT and EGETKEY (SDM: "Target Info (TARGETINFO)", "Report
 * (REPORT)", "Key Request (KEYREQUEST)").
 */
#define EB_TARGETINFO_SIZE	512
#define EB_REPORT_SIZE		432
#define EB_REPORT_BODY_SIZE	384
#define EB_REPORTDATA_SIZE	64
#define EB_KEYREQUEST_SIZE	512
#define EB_KEY_SIZE		16
#define EB_CPUSVN_SIZE		16

/**
 * struct eb_targetinfo - TARGETINFO: whom a REPORT is for (512 bytes)
 * @mrenclave:	the target enclave's MRENCLAVE
 * @attributes:	the target's ATTRIBUTES (flags, then XFRM)
 * @xfrm:	the target's XFRM
 * @cet_attributes: zero
 * @config_svn:	the target's CONFIGSVN
 * @miscselect:	the target's MISCSELECT
 * @config_id:	the target's CONFIGID
 */
struct eb_targetinfo {
	__u8  mrenclave[32];
	__u64 attributes;
	__u64 xfrm;
	__u8  cet_attributes;
	__u8  reserved1;
	__u16 config_svn;
	__u32 miscselect;
	__u8  reserved2[8];
	__u8  config_id[64];
	__u8  reserved3[384];
} __attribute__((packed));

/**
 * struct eb_report - REPORT (432 bytes): the body, then KEYID and MAC
 *
 * @mac is AES-128-CMAC over the first EB_REPORT_BODY_SIZE bytes, keyed
 * with the target enclave's REPORT key; only the target (through EGETKEY)
 * can check it.
 */
struct eb_report {
	__u8  cpusvn[16];
	__u32 miscselect;
	__u8  reserved1[12];
	__u8  isv_ext_prod_id[16];
	__u64 attributes;
	__u64 xfrm;
	__u8  mrenclave[32];
	__u8  reserved2[32];
	__u8  mrsigner[32];
	__u8  reserved3[32];
	__u8  config_id[64];
	__u16 isv_prod_id;
	__u16 isv_svn;
	__u16 config_svn;
	__u8  reserved4[42];
	__u8  isv_family_id[16];
	__u8  report_data[64];
	__u8  key_id[32];
	__u8  mac[16];
} __attribute__((packed));

/* eb_keyrequest.key_name */
#define EB_KEYNAME_EINITTOKEN	0
#define EB_KEYNAME_PROVISION	1
#define EB_KEYNAME_PROVISION_SEAL 2
#define EB_KEYNAME_REPORT	3
#define EB_KEYNAME_SEAL		4

/* eb_keyrequest.key_policy */
#define EB_KEYPOLICY_MRENCLAVE	0x0001
#define EB_KEYPOLICY_MRSIGNER	0x0002
#define EB_KEYPOLICY_NOISVPRODID 0x0004
#define EB_KEYPOLICY_CONFIGID	0x0008
#define EB_KEYPOLICY_ISVFAMILYID 0x0010
#define EB_KEYPOLICY_ISVEXTPRODID 0x0020
#define EB_KEYPOLICY_ALL	0x003f

/**
 * struct eb_keyrequest - KEYREQUEST (512 bytes)
 * @key_name:	EB_KEYNAME_*; REPORT and SEAL are supported
 * @key_policy:	EB_KEYPOLICY_*: which identity a SEAL key is bound to;
 *		NOISVPRODID, CONFIGID, ISVFAMILYID and ISVEXTPRODID only
 *		for an enclave with EB_ATTR_KSS
 * @isv_svn:	the ISVSVN to derive for; at most the enclave's own
 * @cpusvn:	the CPUSVN to derive for; at most the current one
 * @attribute_mask: ATTRIBUTES bits bound into the key
 * @xfrm_mask:	XFRM bits bound into the key
 * @key_id:	caller-chosen diversifier
 * @misc_mask:	MISCSELECT bits bound into the key
 * @config_svn:	at most the enclave's CONFIGSVN (zero); zero without KSS
 */
struct eb_keyrequest {
	__u16 key_name;
	__u16 key_policy;
	__u16 isv_svn;
	__u16 reserved1;
	__u8  cpusvn[16];
	__u64 attribute_mask;
	__u64 xfrm_mask;
	__u8  key_id[32];
	__u32 misc_mask;
	__u16 config_svn;
	__u8  reserved2[434];
} __attribute__((packed));

/* SGX error codes EGETKEY returns in RAX (eb_enclave_getkey.sgx_error). */
#define EB_SGX_INVALID_ATTRIBUTE 2
#define EB_SGX_INVALID_CPUSVN	32
#define EB_SGX_INVALID_ISVSVN	64
#define EB_SGX_INVALID_KEYNAME	256

#endif /* !__ASSEMBLY__ && !__ASSEMBLER__ */

#endif /* _UAPI_LINUX_EBROKER_SGX_H */
