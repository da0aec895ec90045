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
 *
 * This header holds the ioctl argument structures. The SGX structures they
 * point at (SECS, SECINFO, SIGSTRUCT, TARGETINFO, REPORT, KEYREQUEST) and
 * the limits EB_IOC_ENCLAVE_CREATE enforces are in <linux/ebroker_sgx.h>,
 * included here.
 */
#ifndef _UAPI_LINUX_EBROKER_H
#define _UAPI_LINUX_EBROKER_H

#include <linux/types.h>
#include <linux/ioctl.h>

#include <linux/ebroker_sgx.h>

#define EB_DEVICE_NAME		"ebroker"
#define EB_DEVICE_PATH		"/dev/" EB_DEVICE_NAME

#define EB_MAGIC		0xEB

/**
 * enum eb_page_flags - flags of EB_IOC_ENCLAVE_ADD_PAGES
 * @EB_PAGE_MEASURE: extend MRENCLAVE with the page contents (EEXTEND over
 *                   each 256-byte block), as SGX_PAGE_MEASURE does.
 */
enum eb_page_flags {
	EB_PAGE_MEASURE		= 0x01,
};

#define EB_PAGE_F_ALL		(EB_PAGE_MEASURE)

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
 * reload.
 */

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
