// SPDX-License-Identifier: GPL-2.0
/*
 * What makes an image loadable, checked once for the parser and the writer:
 * whatever ECREATE, EADD or EINIT would refuse is refused here first, with
 * a reason, before any page reaches the kernel.
 */
#include <endian.h>
#include <string.h>

#include "common/util.h"

#include "internal.h"

/* TCS fields (SDM Vol. 3D, 34.8), little-endian at these offsets. */
#define TCS_STATE    0
#define TCS_FLAGS    8
#define TCS_OSSA     16
#define TCS_CSSA     24
#define TCS_NSSA     28
#define TCS_OENTRY   32
#define TCS_OFSBASE  48
#define TCS_OGSBASE  56
#define TCS_FSLIMIT  64
#define TCS_GSLIMIT  68
#define TCS_RESERVED 72

#define TCS_FLAGS_DBGOPTIN 0x1ULL
#define TCS_LIMIT_LOW	   0xfffU /* bits 11:0 of FSLIMIT and GSLIMIT must be set */

static bool is_page_aligned(uint64_t v)
{
	return (v & (EB_PAGE_SIZE - 1)) == 0;
}

const char *eb_image_check_secs(const struct eb_secs *secs)
{
	struct eb_secs only;

	if (secs->size < 2 * EB_PAGE_SIZE || (secs->size & (secs->size - 1)))
		return "enclave size not a power of two of at least two pages";
	if (secs->size > EBROKER_IMAGE_ENCL_SIZE_MAX)
		return "enclave size above 64 GiB";
	if (secs->ssa_frame_size == 0 || secs->ssa_frame_size > EBROKER_IMAGE_SSA_FRAME_MAX)
		return "SSA frame size not between 1 and 16 pages";
	if (secs->miscselect & ~EBROKER_IMAGE_MISCSELECT_MASK)
		return "MISCSELECT has undefined bits";
	if (secs->attributes & EB_ATTR_INIT)
		return "attributes have INIT set";
	if (secs->attributes & EB_ATTR_RESERVED)
		return "attributes have reserved bits set";
	if (!(secs->attributes & EB_ATTR_MODE64BIT))
		return "attributes lack MODE64BIT";
	if ((secs->xfrm & EBROKER_IMAGE_XFRM_REQUIRED) != EBROKER_IMAGE_XFRM_REQUIRED)
		return "XFRM lacks x87 or SSE";

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

const char *eb_image_check_secinfo(uint64_t flags)
{
	uint64_t perm = flags & EB_SECINFO_PERM_MASK;
	uint64_t type = flags & EB_SECINFO_PT_MASK;

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

/*
 * What EADD checks of a TCS, and that what the TCS points at is inside the
 * enclave: a TCS that passes can at least be entered.
 */
const char *eb_image_check_tcs(const struct eb_secs *secs, const uint8_t *tcs)
{
	uint64_t ossa = get_le64(tcs + TCS_OSSA);
	uint32_t nssa = get_le32(tcs + TCS_NSSA);

	if (get_le64(tcs + TCS_FLAGS) & ~TCS_FLAGS_DBGOPTIN)
		return "TCS FLAGS has reserved bits set";
	if (get_le32(tcs + TCS_CSSA) != 0)
		return "TCS CSSA not zero";
	if (nssa == 0)
		return "TCS NSSA is zero";
	if (!is_page_aligned(ossa) || ossa >= secs->size ||
	    (uint64_t)nssa * secs->ssa_frame_size * EB_PAGE_SIZE > secs->size - ossa)
		return "TCS SSA frames not page aligned or not inside the enclave";
	if (get_le64(tcs + TCS_OENTRY) >= secs->size)
		return "TCS entry point outside the enclave";
	if (!is_page_aligned(get_le64(tcs + TCS_OFSBASE)) ||
	    !is_page_aligned(get_le64(tcs + TCS_OGSBASE)) ||
	    get_le64(tcs + TCS_OFSBASE) >= secs->size || get_le64(tcs + TCS_OGSBASE) >= secs->size)
		return "TCS FS or GS base not page aligned or not inside the enclave";
	if ((get_le32(tcs + TCS_FSLIMIT) & TCS_LIMIT_LOW) != TCS_LIMIT_LOW ||
	    (get_le32(tcs + TCS_GSLIMIT) & TCS_LIMIT_LOW) != TCS_LIMIT_LOW)
		return "TCS FS or GS limit does not end in 0xfff";
	if (!mem_is_zero(tcs + TCS_RESERVED, EB_PAGE_SIZE - TCS_RESERVED))
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
	why = eb_image_check_secinfo(secinfo_flags);
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
