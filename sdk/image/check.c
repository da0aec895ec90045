// SPDX-License-Identifier: GPL-2.0
/*
 * What makes an image loadable, checked once for the parser and the writer:
 * whatever ECREATE, EADD or EINIT would refuse is refused here first, with
 * a reason, before any page reaches the kernel.
 */
#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "common/util.h"
#include "kmod/sgx_rules.h"

#include "internal.h"

/* The EB_TCS_* offsets, for assembler, are struct eb_tcs's. */
_Static_assert(sizeof(struct eb_tcs) == EB_TCS_SIZE, "TCS layout");
_Static_assert(offsetof(struct eb_tcs, state) == EB_TCS_STATE, "TCS.STATE");
_Static_assert(offsetof(struct eb_tcs, flags) == EB_TCS_FLAGS, "TCS.FLAGS");
_Static_assert(offsetof(struct eb_tcs, ossa) == EB_TCS_OSSA, "TCS.OSSA");
_Static_assert(offsetof(struct eb_tcs, cssa) == EB_TCS_CSSA, "TCS.CSSA");
_Static_assert(offsetof(struct eb_tcs, nssa) == EB_TCS_NSSA, "TCS.NSSA");
_Static_assert(offsetof(struct eb_tcs, oentry) == EB_TCS_OENTRY, "TCS.OENTRY");
_Static_assert(offsetof(struct eb_tcs, aep) == EB_TCS_AEP, "TCS.AEP");
_Static_assert(offsetof(struct eb_tcs, ofsbase) == EB_TCS_OFSBASE, "TCS.OFSBASE");
_Static_assert(offsetof(struct eb_tcs, ogsbase) == EB_TCS_OGSBASE, "TCS.OGSBASE");
_Static_assert(offsetof(struct eb_tcs, fslimit) == EB_TCS_FSLIMIT, "TCS.FSLIMIT");
_Static_assert(offsetof(struct eb_tcs, gslimit) == EB_TCS_GSLIMIT, "TCS.GSLIMIT");
_Static_assert(offsetof(struct eb_tcs, reserved) == EB_TCS_RESERVED, "TCS.RESERVED");

static bool is_page_aligned(uint64_t v)
{
	return (v & (EB_PAGE_SIZE - 1)) == 0;
}

/* ECREATE's rules, the module's own (kmod/sgx_rules.h), and a template's. */
const char *eb_image_check_secs(const struct eb_secs *secs)
{
	struct eb_secs only;
	const char *why = eb_secs_check(secs);

	if (why)
		return why;
	/* Everything else, base included, is the kernel's or EINIT's to set. */
	memset(&only, 0, sizeof(only));
	only.size = secs->size;
	only.ssa_frame_size = secs->ssa_frame_size;
	only.miscselect = secs->miscselect;
	only.attributes = secs->attributes;
	only.xfrm = secs->xfrm;
	if (memcmp(&only, secs, sizeof(only)))
		return "SECS template has fields set other than size, SSA frame size, "
		       "MISCSELECT, attributes and XFRM";
	return NULL;
}

/*
 * What EADD checks of a TCS, and that what the TCS points at is inside the
 * enclave: a TCS that passes can at least be entered.
 */
const char *eb_image_check_tcs(const struct eb_secs *secs, const uint8_t *page)
{
	struct eb_tcs tcs;
	uint64_t ossa, ofsbase, ogsbase;
	uint32_t nssa, fslimit, gslimit;

	memcpy(&tcs, page, sizeof(tcs));
	ossa = le64toh(tcs.ossa);
	ofsbase = le64toh(tcs.ofsbase);
	ogsbase = le64toh(tcs.ogsbase);
	nssa = le32toh(tcs.nssa);
	fslimit = le32toh(tcs.fslimit);
	gslimit = le32toh(tcs.gslimit);

	if (le64toh(tcs.flags) & ~EB_TCS_FLAGS_DBGOPTIN)
		return "TCS FLAGS has reserved bits set";
	if (tcs.cssa != 0)
		return "TCS CSSA not zero";
	if (nssa == 0)
		return "TCS NSSA is zero";
	if (!is_page_aligned(ossa) || ossa >= secs->size ||
	    (uint64_t)nssa * secs->ssa_frame_size * EB_PAGE_SIZE > secs->size - ossa)
		return "TCS SSA frames not page aligned or not inside the enclave";
	if (le64toh(tcs.oentry) >= secs->size)
		return "TCS entry point outside the enclave";
	if (!is_page_aligned(ofsbase) || !is_page_aligned(ogsbase) || ofsbase >= secs->size ||
	    ogsbase >= secs->size)
		return "TCS FS or GS base not page aligned or not inside the enclave";
	if ((fslimit & EB_TCS_LIMIT_LOW) != EB_TCS_LIMIT_LOW ||
	    (gslimit & EB_TCS_LIMIT_LOW) != EB_TCS_LIMIT_LOW)
		return "TCS FS or GS limit does not end in 0xfff";
	if (!mem_is_zero(tcs.reserved, sizeof(tcs.reserved)))
		return "TCS reserved bytes not zero";
	return NULL;
}

/* EINIT compares these under the SIGSTRUCT's masks; so do we, beforehand. */
const char *eb_image_check_sigstruct(const struct eb_secs *secs, const struct eb_sigstruct *s)
{
	if ((secs->attributes & s->attributemask) != (s->attributes & s->attributemask))
		return "SIGSTRUCT attributes do not match the SECS under its mask";
	if ((secs->xfrm & s->xfrmmask) != (s->xfrm & s->xfrmmask))
		return "SIGSTRUCT XFRM does not match the SECS under its mask";
	if ((secs->miscselect & s->miscmask) != (s->miscselect & s->miscmask))
		return "SIGSTRUCT MISCSELECT does not match the SECS under its mask";
	return NULL;
}

const char *eb_image_check_page(const struct ebroker_image *img, uint64_t offset,
				uint64_t secinfo_flags, const void *data, bool measure)
{
	const char *why;

	if (img->n_pages >= EBROKER_IMAGE_PAGES_MAX)
		return "more than 2^20 pages";
	if (!is_page_aligned(offset))
		return "page offset not page aligned";
	if (offset >= img->secs.size)
		return "page offset not below the enclave size";
	if (img->n_pages && offset <= img->pages[img->n_pages - 1].offset)
		return "page offsets not ascending";
	why = eb_secinfo_check(secinfo_flags);
	if (why)
		return why;
	/*
	 * Contents that are not measured are not part of the identity: an
	 * image may only ask for such a page to be zeros, never carry bytes
	 * that anyone could change without breaking the signature.
	 */
	if (!measure && data != eb_image_zero_page && !mem_is_zero(data, EB_PAGE_SIZE))
		return "unmeasured page not all zeros";
	if ((secinfo_flags & EB_SECINFO_PT_MASK) == EB_SECINFO_PT_TCS)
		return eb_image_check_tcs(&img->secs, data);
	return NULL;
}
