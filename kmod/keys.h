/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_KEYS_H
#define EB_KEYS_H

#include <linux/build_bug.h>
#include <linux/sysfs.h>
#include <linux/types.h>

#include <linux/ebroker_sgx.h>

#define EB_ROOT_SECRET_SIZE	32
#define EB_KEYID_SIZE		32

/*
 * The label that opens every derivation buffer. A change to the layout of
 * struct eb_keydep must change it: sealed data depends on both.
 */
#define EB_KEYDEP_LABEL		"ebkdf-v1"

/**
 * struct eb_keydep - what a derived key depends on (SGX's KEYDEPENDENCIES)
 * @label:	EB_KEYDEP_LABEL, filled by eb_keys_derive()
 * @key_name:	EB_KEYNAME_*
 * @key_policy:	KEYREQUEST.KEYPOLICY for SEAL keys, else 0
 * @isv_prod_id: ISVPRODID, or 0 when not selected
 * @isv_svn:	the requested ISVSVN (SEAL), else 0
 * @config_svn:	CONFIGSVN
 * @reserved1:	zero
 * @miscselect:	MISCSELECT, masked with @misc_mask
 * @misc_mask:	bits of MISCSELECT bound into the key
 * @reserved2:	zero
 * @attributes:	ATTRIBUTES, masked with @attribute_mask
 * @xfrm:	XFRM, masked with @xfrm_mask
 * @attribute_mask: bits of ATTRIBUTES bound into the key
 * @xfrm_mask:	bits of XFRM bound into the key
 * @cpusvn:	the CPUSVN derived for
 * @owner_epoch: the upper half of the root secret, filled (and wiped) by
 *		eb_keys_derive()
 * @mrenclave:	MRENCLAVE, or zero when not selected
 * @mrsigner:	MRSIGNER, or zero when not selected
 * @key_id:	KEYID
 * @config_id:	CONFIGID (always zero here)
 * @isv_ext_prod_id: ISVEXTPRODID (always zero here)
 * @isv_family_id: ISVFAMILYID (always zero here)
 *
 * The key is AES-128-CMAC over these 288 bytes, keyed with the lower half
 * of the root secret. docs/ABI/ebroker-dev.md documents the layout: it is
 * what sealed data depends on, so it never changes without a new label.
 */
struct eb_keydep {
	u8 label[8];
	__le16 key_name;
	__le16 key_policy;
	__le16 isv_prod_id;
	__le16 isv_svn;
	__le16 config_svn;
	u8 reserved1[2];
	__le32 miscselect;
	__le32 misc_mask;
	u8 reserved2[4];
	__le64 attributes;
	__le64 xfrm;
	__le64 attribute_mask;
	__le64 xfrm_mask;
	u8 cpusvn[EB_CPUSVN_SIZE];
	u8 owner_epoch[16];
	u8 mrenclave[EB_HASH_SIZE];
	u8 mrsigner[EB_HASH_SIZE];
	u8 key_id[EB_KEYID_SIZE];
	u8 config_id[64];
	u8 isv_ext_prod_id[16];
	u8 isv_family_id[16];
} __packed;

static_assert(sizeof(struct eb_keydep) == 288);

extern const struct attribute_group eb_keys_attr_group;

int eb_keys_init(void);
void eb_keys_exit(void);

void eb_keys_derive(struct eb_keydep *dep, u8 key[EB_KEY_SIZE]);
void eb_keys_cmac(const u8 key[EB_KEY_SIZE], const void *msg, size_t len,
		  u8 mac[EB_KEY_SIZE]);
void eb_keys_report_keyid(u8 key_id[EB_KEYID_SIZE]);

#endif /* EB_KEYS_H */
