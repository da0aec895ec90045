// SPDX-License-Identifier: GPL-2.0
/*
 * EREPORT and EGETKEY on behalf of an initialised enclave, with SGX's
 * semantics (SDM Vol. 3D, "EREPORT", "EGETKEY"): what a key depends on,
 * which requests are refused and with which error. The keys themselves
 * come from keys.c.
 *
 * Both read only the enclave's identity, which init publishes with release
 * semantics and never changes again: no lock is taken.
 *
 * CPUSVN. The sim backend has one security version, eb_cpusvn. SGX
 * compares CPUSVNs component by component, in a way it leaves
 * implementation-defined; here a requested CPUSVN is acceptable when none
 * of its 16 bytes is greater than the same byte of eb_cpusvn.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "encl.h"
#include "keys.h"
#include "report.h"

static_assert(sizeof(struct eb_targetinfo) == EB_TARGETINFO_SIZE);
static_assert(sizeof(struct eb_report) == EB_REPORT_SIZE);
static_assert(offsetof(struct eb_report, key_id) == EB_REPORT_BODY_SIZE);
static_assert(sizeof(struct eb_keyrequest) == EB_KEYREQUEST_SIZE);

/* The sim backend's CPUSVN: version 1 of the only "component". */
static const u8 eb_cpusvn[EB_CPUSVN_SIZE] = { 1 };

/* SGX binds every SEAL key to INIT and DEBUG, whatever the mask says. */
#define EB_SEAL_ATTR_FORCED	(EB_ATTR_INIT | EB_ATTR_DEBUG)

/* KEYPOLICY bits that came with KSS; without it EGETKEY faults on them. */
#define EB_KEYPOLICY_KSS	(EB_KEYPOLICY_NOISVPRODID | \
				 EB_KEYPOLICY_CONFIGID | \
				 EB_KEYPOLICY_ISVFAMILYID | \
				 EB_KEYPOLICY_ISVEXTPRODID)

static bool eb_encl_initialized(struct eb_encl *encl)
{
	/* Pairs with the release in eb_encl_init(). */
	return smp_load_acquire(&encl->state) == EB_STATE_INITIALIZED;
}

static bool eb_cpusvn_supported(const u8 cpusvn[EB_CPUSVN_SIZE])
{
	int i;

	for (i = 0; i < EB_CPUSVN_SIZE; i++)
		if (cpusvn[i] > eb_cpusvn[i])
			return false;
	return true;
}

/*
 * A REPORT key: the target's identity, every bit of it bound. EREPORT
 * derives the target's with the load's KEYID; EGETKEY derives the calling
 * enclave's own with the KEYID it asks for. CREATE takes no CONFIGID or
 * CONFIGSVN, KSS or not, so an enclave's own are zero (@config_id NULL).
 */
static void eb_report_keydep(struct eb_keydep *dep,
			     const u8 mrenclave[EB_HASH_SIZE], u64 attributes,
			     u64 xfrm, u32 miscselect, const u8 *config_id,
			     u16 config_svn, const u8 key_id[EB_KEYID_SIZE])
{
	memset(dep, 0, sizeof(*dep));
	dep->key_name = cpu_to_le16(EB_KEYNAME_REPORT);
	dep->config_svn = cpu_to_le16(config_svn);
	dep->miscselect = cpu_to_le32(miscselect);
	dep->misc_mask = cpu_to_le32(U32_MAX);
	dep->attributes = cpu_to_le64(attributes);
	dep->xfrm = cpu_to_le64(xfrm);
	dep->attribute_mask = cpu_to_le64(U64_MAX);
	dep->xfrm_mask = cpu_to_le64(U64_MAX);
	memcpy(dep->cpusvn, eb_cpusvn, sizeof(dep->cpusvn));
	memcpy(dep->mrenclave, mrenclave, sizeof(dep->mrenclave));
	memcpy(dep->key_id, key_id, sizeof(dep->key_id));
	if (config_id)
		memcpy(dep->config_id, config_id, sizeof(dep->config_id));
}

/* A SEAL key: Return: 0, or the EB_SGX_* code EGETKEY refuses with. */
static int eb_seal_keydep(struct eb_keydep *dep, struct eb_encl *encl,
			  const struct eb_keyrequest *req)
{
	u64 attribute_mask = req->attribute_mask | EB_SEAL_ATTR_FORCED;

	/* The enclave's CONFIGSVN is zero: CREATE takes no other. */
	if (req->isv_svn > encl->isv_svn || req->config_svn)
		return EB_SGX_INVALID_ISVSVN;
	if (!eb_cpusvn_supported(req->cpusvn))
		return EB_SGX_INVALID_CPUSVN;

	memset(dep, 0, sizeof(*dep));
	dep->key_name = cpu_to_le16(EB_KEYNAME_SEAL);
	dep->key_policy = cpu_to_le16(req->key_policy);
	if (!(req->key_policy & EB_KEYPOLICY_NOISVPRODID))
		dep->isv_prod_id = cpu_to_le16(encl->isv_prod_id);
	dep->isv_svn = cpu_to_le16(req->isv_svn);
	dep->config_svn = cpu_to_le16(req->config_svn);
	dep->miscselect = cpu_to_le32(encl->miscselect & req->misc_mask);
	dep->misc_mask = cpu_to_le32(req->misc_mask);
	dep->attributes = cpu_to_le64(encl->attributes & attribute_mask);
	dep->xfrm = cpu_to_le64(encl->xfrm & req->xfrm_mask);
	dep->attribute_mask = cpu_to_le64(attribute_mask);
	dep->xfrm_mask = cpu_to_le64(req->xfrm_mask);
	memcpy(dep->cpusvn, req->cpusvn, sizeof(dep->cpusvn));
	if (req->key_policy & EB_KEYPOLICY_MRENCLAVE)
		memcpy(dep->mrenclave, encl->mrenclave, sizeof(dep->mrenclave));
	if (req->key_policy & EB_KEYPOLICY_MRSIGNER)
		memcpy(dep->mrsigner, encl->mrsigner, sizeof(dep->mrsigner));
	memcpy(dep->key_id, req->key_id, sizeof(dep->key_id));
	/* CONFIGID, ISVFAMILYID, ISVEXTPRODID: always zero here. */
	return 0;
}

/**
 * eb_ereport() - EREPORT: a REPORT of @encl that only the target can check
 * @encl: the reporting enclave
 * @ti: TARGETINFO of the enclave the REPORT is for
 * @reportdata: data to bind into the REPORT
 * @report: (out) the REPORT, its MAC made with the target's REPORT key
 *
 * Context: process context.
 * Return: 0; -EINVAL when @encl is not initialised or a reserved byte of
 * @ti (CET_ATTRIBUTES included: no CET) is set.
 */
int eb_ereport(struct eb_encl *encl, const struct eb_targetinfo *ti,
	       const u8 reportdata[EB_REPORTDATA_SIZE],
	       struct eb_report *report)
{
	struct eb_keydep dep;
	u8 key[EB_KEY_SIZE];

	if (!eb_encl_initialized(encl))
		return -EINVAL;
	if (ti->cet_attributes || ti->reserved1 ||
	    memchr_inv(ti->reserved2, 0, sizeof(ti->reserved2)) ||
	    memchr_inv(ti->reserved3, 0, sizeof(ti->reserved3)))
		return -EINVAL;

	memset(report, 0, sizeof(*report));
	memcpy(report->cpusvn, eb_cpusvn, sizeof(report->cpusvn));
	report->miscselect = encl->miscselect;
	report->attributes = encl->attributes;
	report->xfrm = encl->xfrm;
	memcpy(report->mrenclave, encl->mrenclave, sizeof(report->mrenclave));
	memcpy(report->mrsigner, encl->mrsigner, sizeof(report->mrsigner));
	report->isv_prod_id = encl->isv_prod_id;
	report->isv_svn = encl->isv_svn;
	memcpy(report->report_data, reportdata, sizeof(report->report_data));
	eb_keys_report_keyid(report->key_id);

	eb_report_keydep(&dep, ti->mrenclave, ti->attributes, ti->xfrm,
			 ti->miscselect, ti->config_id, ti->config_svn,
			 report->key_id);
	eb_keys_derive(&dep, key);
	eb_keys_cmac(key, report, EB_REPORT_BODY_SIZE, report->mac);
	memzero_explicit(key, sizeof(key));
	memzero_explicit(&dep, sizeof(dep));
	return 0;
}

/**
 * eb_egetkey() - EGETKEY: a key for @encl
 * @encl: the enclave asking
 * @req: the KEYREQUEST
 * @key: (out) the key, written only when 0 is returned
 *
 * REPORT keys are the enclave's own (what it checks REPORTs for it with);
 * SEAL keys follow @req->key_policy. The sim backend grants no launch or
 * provisioning keys: EINITTOKEN, PROVISION and PROVISION_SEAL give
 * EB_SGX_INVALID_ATTRIBUTE, as for an enclave without the attribute.
 *
 * Context: process context.
 * Return: 0; a positive EB_SGX_* code when EGETKEY would refuse the
 * request; -EINVAL where EGETKEY faults: @encl is not initialised, @req
 * has reserved bits or bytes set, or @encl was created without KSS and
 * @req asks for a KSS policy bit or a CONFIGSVN.
 */
int eb_egetkey(struct eb_encl *encl, const struct eb_keyrequest *req,
	       u8 key[EB_KEY_SIZE])
{
	struct eb_keydep dep;
	int ret;

	if (!eb_encl_initialized(encl))
		return -EINVAL;
	if ((req->key_policy & ~EB_KEYPOLICY_ALL) || req->reserved1 ||
	    memchr_inv(req->reserved2, 0, sizeof(req->reserved2)))
		return -EINVAL;
	if (!(encl->attributes & EB_ATTR_KSS) &&
	    ((req->key_policy & EB_KEYPOLICY_KSS) || req->config_svn))
		return -EINVAL;

	switch (req->key_name) {
	case EB_KEYNAME_REPORT:
		eb_report_keydep(&dep, encl->mrenclave, encl->attributes,
				 encl->xfrm, encl->miscselect, NULL, 0,
				 req->key_id);
		break;
	case EB_KEYNAME_SEAL:
		ret = eb_seal_keydep(&dep, encl, req);
		if (ret)
			return ret;
		break;
	case EB_KEYNAME_EINITTOKEN:
	case EB_KEYNAME_PROVISION:
	case EB_KEYNAME_PROVISION_SEAL:
		return EB_SGX_INVALID_ATTRIBUTE;
	default:
		return EB_SGX_INVALID_KEYNAME;
	}
	eb_keys_derive(&dep, key);
	memzero_explicit(&dep, sizeof(dep));
	return 0;
}
