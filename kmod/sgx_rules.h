/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ECREATE accepts in a SECS and EADD in a SECINFO: the one statement
 * of those rules. The module enforces them; the SDK's image library
 * compiles this same header to refuse beforehand, with a reason, what the
 * module would refuse. Hence it needs nothing but <linux/ebroker_sgx.h>
 * and builds in both places: no kernel helpers, no libc.
 *
 * Each function returns NULL when its argument passes, else a static
 * string naming the rule it breaks.
 */
#ifndef EB_SGX_RULES_H
#define EB_SGX_RULES_H

#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif
#include <linux/ebroker_sgx.h>

/**
 * eb_secs_check() - the SECS fields ECREATE checks, the base aside
 * @secs: the SECS
 *
 * The ELRANGE base and the fields that must be zero (reserved bytes, the
 * identity EINIT sets) are each caller's: the module checks the base
 * against the address space, and an image's SECS template has none.
 *
 * Return: NULL, or why ECREATE refuses @secs.
 */
static inline const char *eb_secs_check(const struct eb_secs *secs)
{
	if (secs->size < EB_ECREATE_SIZE_MIN || (secs->size & (secs->size - 1)))
		return "enclave size not a power of two of at least two pages";
	if (secs->size > EB_ECREATE_SIZE_MAX)
		return "enclave size above 64 GiB";
	if (!secs->ssa_frame_size ||
	    secs->ssa_frame_size > EB_ECREATE_SSA_FRAME_MAX)
		return "SSA frame size not between 1 and 16 pages";
	if (secs->miscselect & ~EB_ECREATE_MISCSELECT_VALID)
		return "MISCSELECT has undefined bits";
	if (secs->attributes & EB_ATTR_INIT)
		return "attributes have INIT set";
	if (secs->attributes & EB_ECREATE_ATTR_FORBIDDEN)
		return "attributes have reserved bits set";
	if ((secs->attributes & EB_ECREATE_ATTR_REQUIRED) !=
	    EB_ECREATE_ATTR_REQUIRED)
		return "attributes lack MODE64BIT";
	if ((secs->xfrm & EB_ECREATE_XFRM_REQUIRED) != EB_ECREATE_XFRM_REQUIRED)
		return "XFRM lacks x87 or SSE";
	return NULL;
}

/**
 * eb_secinfo_check() - the SECINFO flags EADD takes
 * @flags: SECINFO.FLAGS
 *
 * A regular page or a TCS; a TCS carries no permissions of its own, and a
 * page written but not read could not be mapped (SGX refuses W without R).
 * The reserved bytes after the flags are the caller's to check.
 *
 * Return: NULL, or why EADD refuses @flags.
 */
static inline const char *eb_secinfo_check(__u64 flags)
{
	__u64 perm = flags & EB_SECINFO_PERM_MASK;
	__u64 type = flags & EB_SECINFO_PT_MASK;

	if (flags & EB_SECINFO_RESERVED)
		return "SECINFO has reserved bits set";
	if (type == EB_SECINFO_PT_TCS)
		return perm ? "TCS page with permissions" : NULL;
	if (type != EB_SECINFO_PT_REG)
		return "page type neither REG nor TCS";
	if ((perm & EB_SECINFO_W) && !(perm & EB_SECINFO_R))
		return "page writable but not readable";
	return NULL;
}

#endif /* EB_SGX_RULES_H */
