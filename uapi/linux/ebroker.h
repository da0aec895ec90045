/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ebroker: enclave broker -- the /dev/ebroker user ABI.
 *
 * Opening /dev/ebroker (root only) gives an enclave file descriptor. The
 * enclave is built with the ioctls below, whose semantics and structure
 * layouts follow the in-tree SGX UAPI (<asm/sgx.h>) so that a loader written
 * for one is written for the other:
 *
 *   open("/dev/ebroker")
 *     [EB_IOC_ENCLAVE_SET_CGROUP]   privileged: charge a named cgroup
 *   EB_IOC_ENCLAVE_CREATE           SECS -> enclave exists, SECS page charged
 *   EB_IOC_ENCLAVE_ADD_PAGES  (n)   pages copied in, charged, measured
 *   EB_IOC_ENCLAVE_INIT             SIGSTRUCT checked as EINIT does
 *   mmap(secs.base, secs.size)      pages mapped with their SECINFO rights
 *   EB_IOC_ENCLAVE_INFO             identity, at any point after CREATE
 *   EB_IOC_ENCLAVE_REPORT           EREPORT on behalf of the enclave
 *   EB_IOC_ENCLAVE_GETKEY           EGETKEY on behalf of the enclave
 *   close()                         last reference frees and uncharges all
 *
 * Every EPC page (the SECS included) is charged to a cgroup v2 cgroup and to
 * each of its ancestors before it is taken from the pool. See
 * docs/ABI/ebroker-dev.md for the full contract and errno list per call.
 *
 * Errors common to every ioctl: EFAULT for an unreadable or unwritable
 * pointer, ENOTTY for an unknown command, EINVAL for non-zero reserved
 * fields or unknown flags.
 */
#ifndef _UAPI_LINUX_EBROKER_H
#define _UAPI_LINUX_EBROKER_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define EB_DEVICE_NAME		"ebroker"

#define EB_MAGIC		0xEB

/* Architectural sizes of the SGX structures the ioctls carry. */
#define EB_PAGE_SIZE		4096
#define EB_SECS_SIZE		4096
#define EB_SECINFO_SIZE		64
#define EB_SIGSTRUCT_SIZE	1808
#define EB_HASH_SIZE		32
#define EB_MODULUS_SIZE		384

/**
 * enum eb_page_flags - flags of EB_IOC_ENCLAVE_ADD_PAGES
 * @EB_PAGE_MEASURE: extend MRENCLAVE with the page contents (EEXTEND over
 *                   each 256-byte block), as SGX_PAGE_MEASURE does.
 */
enum eb_page_flags {
	EB_PAGE_MEASURE		= 0x01,
};

#define EB_PAGE_F_ALL		(EB_PAGE_MEASURE)

/* SECINFO.FLAGS: bits 0-2 permissions, bits 8-15 page type (SDM 37.11). */
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

/* SECS.ATTRIBUTES bits (SDM 37.7.1). */
#define EB_ATTR_INIT		0x01ULL	/* set by init, never by the caller */
#define EB_ATTR_DEBUG		0x02ULL	/* debugger may read enclave memory */
#define EB_ATTR_MODE64BIT	0x04ULL	/* required: 64-bit enclaves only */
#define EB_ATTR_PROVISIONKEY	0x10ULL
#define EB_ATTR_EINITTOKENKEY	0x20ULL
#define EB_ATTR_KSS		0x80ULL
#define EB_ATTR_RESERVED	(~0xb7ULL)

/**
 * struct eb_secs - SGX Enclave Control Structure, as passed to
 *                  EB_IOC_ENCLAVE_CREATE (4096 bytes, SDM 37.7)
 * @size:		(in) ELRANGE size: a power of two, at least 2 pages
 * @base:		(in) ELRANGE base: naturally aligned to @size; ELRANGE
 *			is user memory (no wrap, canonical, below the kernel)
 * @ssa_frame_size:	(in) SSA frame size in pages, at least 1
 * @miscselect:		(in) MISCSELECT; only bit 0 (EXINFO) is defined
 * @attributes:		(in) EB_ATTR_*; MODE64BIT required, INIT forbidden
 * @xfrm:		(in) XSAVE feature mask; bits 0 and 1 required
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
 * struct eb_secinfo - SECINFO (64 bytes, SDM 37.11)
 * @flags:	EB_SECINFO_* permissions and page type (REG or TCS; a TCS
 *		page carries no permissions)
 * @reserved:	must be zero
 */
struct eb_secinfo {
	__u64 flags;
	__u8  reserved[56];
} __attribute__((packed));

/**
 * struct eb_sigstruct - enclave signature structure (1808 bytes, SDM 37.14)
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

/**
 * struct eb_enclave_create - argument of EB_IOC_ENCLAVE_CREATE
 * @src:	(in) user address of a struct eb_secs
 * @limit_cgroup_id: (out) with EDQUOT, the id (cgroupfs inode number) of
 *		the cgroup whose limit refused the page: the one charged or
 *		one of its ancestors; written only then
 *
 * Charges and takes the SECS page. Errors: EINVAL (bad SECS, ELRANGE not
 * a user address range included, or the enclave exists already), EDQUOT
 * (a cgroup limit refused the page: see @limit_cgroup_id), ENOSPC (the EPC
 * pool is exhausted), ENOENT (the charge target cgroup was removed).
 */
struct eb_enclave_create {
	__u64 src;
	__u64 limit_cgroup_id;
};

/**
 * struct eb_enclave_add_pages - argument of EB_IOC_ENCLAVE_ADD_PAGES
 * @src:	(in) user address of the page data, page aligned
 * @offset:	(in) offset of the first page in the enclave, page aligned
 * @length:	(in) bytes to add, a non-zero multiple of the page size
 * @secinfo:	(in) user address of a struct eb_secinfo for every page
 * @flags:	(in) EB_PAGE_F_ALL
 * @count:	(out) bytes added before the call returned
 * @limit_cgroup_id: (out) with EDQUOT, the id of the cgroup whose limit
 *		refused the next page, as for create; 0 otherwise
 *
 * May add fewer than @length bytes when a signal arrives: @count says how
 * many, and the caller continues from there (0 bytes gives ERESTARTSYS,
 * which restarts transparently). Errors: EINVAL (bad alignment, range,
 * SECINFO or flags; enclave not created or already initialised), EEXIST (a
 * page at that offset exists), EDQUOT, ENOSPC as for create.
 */
struct eb_enclave_add_pages {
	__u64 src;
	__u64 offset;
	__u64 length;
	__u64 secinfo;
	__u64 flags;
	__u64 count;
	__u64 limit_cgroup_id;
};

/**
 * struct eb_enclave_init - argument of EB_IOC_ENCLAVE_INIT
 * @sigstruct:	(in) user address of a struct eb_sigstruct
 *
 * Errors: EINVAL (enclave not created or already initialised), EBADMSG
 * (SIGSTRUCT malformed: fixed headers, exponent, reserved bytes, modulus),
 * EKEYREJECTED (the RSA signature does not verify, or q1 or q2 is wrong),
 * EPERM (a well-signed SIGSTRUCT for another enclave: ENCLAVEHASH differs
 * from MRENCLAVE, or the masked attributes or MISCSELECT differ). On error
 * the enclave stays uninitialised and init may be retried.
 */
struct eb_enclave_init {
	__u64 sigstruct;
};

/**
 * struct eb_enclave_set_cgroup - argument of EB_IOC_ENCLAVE_SET_CGROUP
 * @cgroup_fd:	(in) an open cgroup v2 directory
 * @flags:	(in) must be zero
 *
 * Makes the named cgroup the charge target instead of the caller's own.
 * Only before EB_IOC_ENCLAVE_CREATE, and only for CAP_SYS_ADMIN in the
 * initial user namespace. Errors: EPERM (not privileged), EBADF (not a
 * cgroup v2 directory), EINVAL (enclave already created, flags).
 */
struct eb_enclave_set_cgroup {
	__u32 cgroup_fd;
	__u32 flags;
};

/* eb_enclave_info.state */
#define EB_STATE_EMPTY		0	/* opened, no SECS yet */
#define EB_STATE_CREATED	1	/* SECS taken, pages may be added */
#define EB_STATE_INITIALIZED	2	/* signed, mappable, frozen */

/**
 * struct eb_enclave_info - argument of EB_IOC_ENCLAVE_INFO (all out)
 * @mrenclave:	measurement; zero until initialised
 * @mrsigner:	SHA-256 of the signer's modulus (little-endian bytes, as
 *		EINIT hashes them); zero until initialised
 * @attributes:	SECS attributes (EB_ATTR_INIT once initialised)
 * @xfrm:	SECS XFRM
 * @miscselect:	SECS MISCSELECT
 * @isv_prod_id: from the SIGSTRUCT; zero until initialised
 * @isv_svn:	from the SIGSTRUCT; zero until initialised
 * @base:	ELRANGE base
 * @size:	ELRANGE size in bytes
 * @pages:	EPC pages held, the SECS included
 * @cgroup_id:	id (inode number) of the cgroup the pages are charged to
 * @state:	EB_STATE_*
 * @reserved:	zero
 *
 * Errors: EINVAL (enclave not created).
 */
struct eb_enclave_info {
	__u8  mrenclave[32];
	__u8  mrsigner[32];
	__u64 attributes;
	__u64 xfrm;
	__u32 miscselect;
	__u16 isv_prod_id;
	__u16 isv_svn;
	__u64 base;
	__u64 size;
	__u64 pages;
	__u64 cgroup_id;
	__u32 state;
	__u32 reserved[7];
};

/*
 * EREPORT and EGETKEY for the sim backend. Off hardware the ENCLU
 * instruction faults; the host side of the SDK traps it and asks the
 * module, which holds the keys, to do what the CPU would. Keys derive from
 * a per-host root secret: random at load, or provisioned once by root
 * through /sys/kernel/ebroker/root_secret so that sealed data survives a
 * reload. The layouts below are SGX's (SDM Vol. 3D, 38.15-38.18).
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

/**
 * struct eb_enclave_report - argument of EB_IOC_ENCLAVE_REPORT
 * @targetinfo:	(in) user address of a struct eb_targetinfo
 * @reportdata:	(in) user address of EB_REPORTDATA_SIZE bytes
 * @report:	(in) user address where the struct eb_report is written
 *
 * Errors: EINVAL (enclave not initialised, reserved bytes of TARGETINFO
 * not zero).
 */
struct eb_enclave_report {
	__u64 targetinfo;
	__u64 reportdata;
	__u64 report;
};

/**
 * struct eb_enclave_getkey - argument of EB_IOC_ENCLAVE_GETKEY
 * @keyrequest:	(in) user address of a struct eb_keyrequest
 * @key:	(in) user address where the EB_KEY_SIZE-byte key is written
 * @sgx_error:	(out) 0, or the EB_SGX_* code EGETKEY would return; then
 *		no key is written
 * @reserved:	zero
 *
 * Errors: EINVAL (enclave not initialised, reserved fields not zero; or,
 * for an enclave created without EB_ATTR_KSS, a KEYPOLICY bit of KSS,
 * NOISVPRODID, CONFIGID, ISVFAMILYID or ISVEXTPRODID, or a non-zero
 * config_svn: where EGETKEY faults).
 */
struct eb_enclave_getkey {
	__u64 keyrequest;
	__u64 key;
	__u32 sgx_error;
	__u32 reserved;
};

#define EB_IOC_ENCLAVE_CREATE \
	_IOWR(EB_MAGIC, 0x00, struct eb_enclave_create)
#define EB_IOC_ENCLAVE_ADD_PAGES \
	_IOWR(EB_MAGIC, 0x01, struct eb_enclave_add_pages)
#define EB_IOC_ENCLAVE_INIT \
	_IOW(EB_MAGIC, 0x02, struct eb_enclave_init)
#define EB_IOC_ENCLAVE_SET_CGROUP \
	_IOW(EB_MAGIC, 0x10, struct eb_enclave_set_cgroup)
#define EB_IOC_ENCLAVE_INFO \
	_IOR(EB_MAGIC, 0x11, struct eb_enclave_info)
#define EB_IOC_ENCLAVE_REPORT \
	_IOW(EB_MAGIC, 0x20, struct eb_enclave_report)
#define EB_IOC_ENCLAVE_GETKEY \
	_IOWR(EB_MAGIC, 0x21, struct eb_enclave_getkey)

#endif /* _UAPI_LINUX_EBROKER_H */
