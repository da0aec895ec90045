// SPDX-License-Identifier: GPL-2.0
/*
 * ENCLU[EREPORT] and ENCLU[EGETKEY], and what local attestation and sealing
 * build on them: report verification (with cmac.c), SEAL keys.
 *
 * The instructions want their operands in enclave memory with SGX's
 * alignment (TARGETINFO, KEYREQUEST and REPORT on 512 bytes, REPORTDATA on
 * 128, the key on 16); the wrappers copy through aligned locals so that
 * callers need not care. In sim the host traps ENCLU and has the module do
 * the same thing (EB_IOC_ENCLAVE_REPORT/GETKEY).
 */
#include <linux/errno.h>

#include "runtime.h"

#define ENCLU	      ".byte 0x0f, 0x01, 0xd7"
#define ENCLU_EREPORT 0
#define ENCLU_EGETKEY 1

_Static_assert(sizeof(struct eb_targetinfo) == EB_TARGETINFO_SIZE, "TARGETINFO");
_Static_assert(sizeof(struct eb_report) == EB_REPORT_SIZE, "REPORT");
_Static_assert(sizeof(struct eb_keyrequest) == EB_KEYREQUEST_SIZE, "KEYREQUEST");

int ebroker_ereport(const struct eb_targetinfo *ti, const void *reportdata,
		    struct eb_report *report)
{
	struct eb_targetinfo ati __attribute__((aligned(512)));
	struct eb_report arep __attribute__((aligned(512)));
	uint8_t ard[EB_REPORTDATA_SIZE] __attribute__((aligned(128)));

	if ((ti && !ebroker_is_within_enclave(ti, sizeof(*ti))) ||
	    (reportdata && !ebroker_is_within_enclave(reportdata, EB_REPORTDATA_SIZE)) ||
	    !ebroker_is_within_enclave(report, sizeof(*report)))
		return -EINVAL;
	if (ti)
		memcpy(&ati, ti, sizeof(ati));
	else
		memset(&ati, 0, sizeof(ati));
	if (reportdata)
		memcpy(ard, reportdata, sizeof(ard));
	else
		memset(ard, 0, sizeof(ard));
	__asm__ volatile(ENCLU : : "a"(ENCLU_EREPORT), "b"(&ati), "c"(ard), "d"(&arep) : "memory");
	memcpy(report, &arep, sizeof(arep));
	return 0;
}

int ebroker_egetkey(const struct eb_keyrequest *kr, uint8_t key[EB_KEY_SIZE])
{
	struct eb_keyrequest akr __attribute__((aligned(512)));
	uint8_t akey[EB_KEY_SIZE] __attribute__((aligned(16)));
	uint64_t err;

	if (!ebroker_is_within_enclave(kr, sizeof(*kr)) ||
	    !ebroker_is_within_enclave(key, EB_KEY_SIZE))
		return -EINVAL;
	memcpy(&akr, kr, sizeof(akr));
	__asm__ volatile(ENCLU
			 : "=a"(err)
			 : "a"(ENCLU_EGETKEY), "b"(&akr), "c"(akey)
			 : "memory", "cc");
	if (!err)
		memcpy(key, akey, EB_KEY_SIZE);
	ebroker_memzero(akey, sizeof(akey));
	return (int)err;
}

void ebroker_targetinfo_from_report(const struct eb_report *r, struct eb_targetinfo *ti)
{
	memset(ti, 0, sizeof(*ti));
	memcpy(ti->mrenclave, r->mrenclave, sizeof(ti->mrenclave));
	ti->attributes = r->attributes;
	ti->xfrm = r->xfrm;
	ti->config_svn = r->config_svn;
	ti->miscselect = r->miscselect;
	memcpy(ti->config_id, r->config_id, sizeof(ti->config_id));
}

int ebroker_report_verify(const struct eb_report *r)
{
	struct eb_keyrequest kr;
	uint8_t key[EB_KEY_SIZE], mac[16];
	bool ok;

	memset(&kr, 0, sizeof(kr));
	kr.key_name = EB_KEYNAME_REPORT;
	memcpy(kr.key_id, r->key_id, sizeof(kr.key_id));
	if (ebroker_egetkey(&kr, key))
		return -EIO;
	ebroker_aes128_cmac(key, r, EB_REPORT_BODY_SIZE, mac);
	ok = ebroker_ct_equal(mac, r->mac, sizeof(mac));
	ebroker_memzero(key, sizeof(key));
	return ok ? 0 : -EBADMSG;
}

int ebroker_seal_key(const struct ebroker_seal_params *p, uint8_t key[EB_KEY_SIZE])
{
	static const struct ebroker_seal_params defaults;
	struct eb_keyrequest kr;
	struct eb_report self = { 0 };
	int ret;

	if (!p)
		p = &defaults;
	if (ebroker_ereport(NULL, NULL, &self))
		return -EIO;
	memset(&kr, 0, sizeof(kr));
	kr.key_name = EB_KEYNAME_SEAL;
	kr.key_policy = p->key_policy ? p->key_policy : EB_KEYPOLICY_MRENCLAVE;
	kr.isv_svn = p->flags & EBROKER_SEAL_F_ISVSVN ? p->isv_svn : self.isv_svn;
	memcpy(kr.cpusvn, self.cpusvn, sizeof(kr.cpusvn));
	kr.attribute_mask = p->attribute_mask ? p->attribute_mask : EB_ATTR_INIT | EB_ATTR_DEBUG;
	kr.xfrm_mask = p->xfrm_mask;
	kr.misc_mask = p->misc_mask;
	memcpy(kr.key_id, p->key_id, sizeof(kr.key_id));
	ret = ebroker_egetkey(&kr, key);
	if (ret > 0)
		return -EPERM;
	return ret ? -EIO : 0;
}
