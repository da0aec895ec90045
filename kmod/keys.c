// SPDX-License-Identifier: GPL-2.0
/*
 * The root secret and what is derived from it: every SEAL and REPORT key
 * the module hands out, and the MAC of every REPORT.
 *
 * The 32-byte root secret plays the part of the CPU's fused key and of
 * OWNEREPOCH at once: its lower half keys AES-128-CMAC, its upper half is
 * mixed into every derivation buffer. It is random at load, unless root
 * provisions one through /sys/kernel/ebroker/root_secret before the first
 * key is derived, so that sealed data survives a reload. It is never
 * readable, and it is wiped at unload.
 *
 * Once a key has been derived the secret is frozen for the rest of the
 * load: a key handed out must stay valid. eb_root_lock orders provisioning
 * against the first use; after it, readers see eb_root_frozen set with
 * acquire semantics and read the (now immutable) secret without the lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/string.h>

#include "keys.h"

#define EB_CMAC_BLOCK	AES_BLOCK_SIZE

static DEFINE_MUTEX(eb_root_lock);		/* provisioning vs. first use */
static struct crypto_aes_ctx eb_root_aes;	/* lower half, expanded */
static u8 eb_owner_epoch[16];			/* upper half */
static bool eb_root_provisioned;
static bool eb_root_frozen;

/* KEYID of every REPORT of this load, as SGX's CR_REPORT_KEYID. */
static u8 eb_report_keyid[EB_KEYID_SIZE];

static_assert(sizeof(eb_owner_epoch) == EB_ROOT_SECRET_SIZE - AES_KEYSIZE_128);

/* Multiply by x in GF(2^128), the CMAC subkey step; constant time. */
static void eb_cmac_double(u8 k[EB_CMAC_BLOCK])
{
	u8 msb = k[0] >> 7;
	int i;

	for (i = 0; i < EB_CMAC_BLOCK - 1; i++)
		k[i] = (k[i] << 1) | (k[i + 1] >> 7);
	k[EB_CMAC_BLOCK - 1] = (k[EB_CMAC_BLOCK - 1] << 1) ^ (0x87 & -msb);
}

/* AES-CMAC (NIST SP 800-38B, RFC 4493) with an expanded AES-128 key. */
static void eb_cmac(const struct crypto_aes_ctx *ctx, const u8 *msg,
		    size_t len, u8 mac[EB_CMAC_BLOCK])
{
	u8 x[EB_CMAC_BLOCK] = {}, k[EB_CMAC_BLOCK] = {}, last[EB_CMAC_BLOCK] = {};
	size_t rem;

	aes_encrypt(ctx, k, k);
	eb_cmac_double(k);			/* K1 */
	for (; len > EB_CMAC_BLOCK; len -= EB_CMAC_BLOCK) {
		crypto_xor(x, msg, EB_CMAC_BLOCK);
		aes_encrypt(ctx, x, x);
		msg += EB_CMAC_BLOCK;
	}
	rem = len;
	memcpy(last, msg, rem);
	if (rem < EB_CMAC_BLOCK) {		/* padded: K2 */
		last[rem] = 0x80;
		eb_cmac_double(k);
	}
	crypto_xor(last, k, EB_CMAC_BLOCK);
	crypto_xor(x, last, EB_CMAC_BLOCK);
	aes_encrypt(ctx, mac, x);

	memzero_explicit(x, sizeof(x));
	memzero_explicit(k, sizeof(k));
	memzero_explicit(last, sizeof(last));
}

/*
 * RFC 4493's examples: prefixes of one message, covering the empty, the
 * padded and the whole-block cases. Checked at load: keys from a broken
 * CMAC would seal data nothing else could ever open.
 */
static const u8 eb_cmac_kat_key[AES_KEYSIZE_128] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

static const u8 eb_cmac_kat_msg[64] = {
	0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
	0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
	0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c,
	0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
	0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11,
	0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
	0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17,
	0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};

static const struct {
	size_t len;
	u8 mac[EB_CMAC_BLOCK];
} eb_cmac_kat[] = {
	{ 0, { 0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28,
	       0x7f, 0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46 } },
	{ 16, { 0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44,
		0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c } },
	{ 40, { 0xdf, 0xa6, 0x67, 0x47, 0xde, 0x9a, 0xe6, 0x30,
		0x30, 0xca, 0x32, 0x61, 0x14, 0x97, 0xc8, 0x27 } },
	{ 64, { 0x51, 0xf0, 0xbe, 0xbf, 0x7e, 0x3b, 0x9d, 0x92,
		0xfc, 0x49, 0x74, 0x17, 0x79, 0x36, 0x3c, 0xfe } },
};

static int eb_cmac_selftest(void)
{
	struct crypto_aes_ctx ctx;
	u8 mac[EB_CMAC_BLOCK];
	int i, ret;

	ret = aes_expandkey(&ctx, eb_cmac_kat_key, sizeof(eb_cmac_kat_key));
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(eb_cmac_kat); i++) {
		eb_cmac(&ctx, eb_cmac_kat_msg, eb_cmac_kat[i].len, mac);
		if (memcmp(mac, eb_cmac_kat[i].mac, sizeof(mac))) {
			ret = -EINVAL;
			break;
		}
	}
	memzero_explicit(&ctx, sizeof(ctx));
	return ret;
}

/* Install @secret. Context: eb_root_lock held, or init. */
static int eb_root_set(const u8 secret[EB_ROOT_SECRET_SIZE])
{
	int ret;

	ret = aes_expandkey(&eb_root_aes, secret, AES_KEYSIZE_128);
	if (ret)
		return ret;
	memcpy(eb_owner_epoch, secret + AES_KEYSIZE_128, sizeof(eb_owner_epoch));
	return 0;
}

/* Freeze the root secret on its first use; see the top of the file. */
static void eb_root_freeze(void)
{
	/* Pairs with the release below: the secret is then final. */
	if (smp_load_acquire(&eb_root_frozen))
		return;
	mutex_lock(&eb_root_lock);
	/* Publishes the secret a provisioning under the lock installed. */
	smp_store_release(&eb_root_frozen, true);
	mutex_unlock(&eb_root_lock);
}

/**
 * eb_keys_derive() - derive a key from the root secret
 * @dep: what the key depends on; the caller fills every field but @label
 *	 and @owner_epoch, and zeroes the reserved ones
 * @key: (out) AES-128-CMAC over @dep, keyed with the root secret
 *
 * Freezes the root secret: it can no longer be provisioned.
 *
 * Context: process context.
 */
void eb_keys_derive(struct eb_keydep *dep, u8 key[EB_KEY_SIZE])
{
	static_assert(sizeof(EB_KEYDEP_LABEL) - 1 == sizeof(dep->label));

	eb_root_freeze();
	memcpy(dep->label, EB_KEYDEP_LABEL, sizeof(dep->label));
	memcpy(dep->owner_epoch, eb_owner_epoch, sizeof(dep->owner_epoch));
	eb_cmac(&eb_root_aes, (const u8 *)dep, sizeof(*dep), key);
	memzero_explicit(dep->owner_epoch, sizeof(dep->owner_epoch));
}

/**
 * eb_keys_cmac() - AES-128-CMAC with a derived key
 * @key: the key
 * @msg: the message
 * @len: its length in bytes
 * @mac: (out) the MAC
 *
 * Context: any.
 */
void eb_keys_cmac(const u8 key[EB_KEY_SIZE], const void *msg, size_t len,
		  u8 mac[EB_KEY_SIZE])
{
	struct crypto_aes_ctx ctx;

	/* Cannot fail: the length is AES_KEYSIZE_128. */
	aes_expandkey(&ctx, key, EB_KEY_SIZE);
	eb_cmac(&ctx, msg, len, mac);
	memzero_explicit(&ctx, sizeof(ctx));
}

void eb_keys_report_keyid(u8 key_id[EB_KEYID_SIZE])
{
	memcpy(key_id, eb_report_keyid, EB_KEYID_SIZE);
}

/*
 * root_secret (0200): exactly 64 hex digits and an optional newline. There
 * is no show method: sysfs then refuses to open the file for reading, even
 * for root.
 */
static ssize_t root_secret_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	u8 secret[EB_ROOT_SECRET_SIZE];
	size_t len = count;
	int ret;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len != 2 * sizeof(secret) || hex2bin(secret, buf, sizeof(secret))) {
		ret = -EINVAL;
		goto wipe;
	}

	mutex_lock(&eb_root_lock);
	if (eb_root_provisioned || eb_root_frozen) {
		ret = -EBUSY;
	} else {
		ret = eb_root_set(secret);
		if (!ret)
			WRITE_ONCE(eb_root_provisioned, true);
	}
	mutex_unlock(&eb_root_lock);
	if (!ret)
		pr_info("root secret provisioned\n");
wipe:
	memzero_explicit(secret, sizeof(secret));
	/* kernfs frees its copy of the text without clearing it. */
	memzero_explicit((void *)buf, count);
	return ret ? ret : count;
}

static struct kobj_attribute root_secret_attr = __ATTR_WO(root_secret);

static ssize_t root_secret_provisioned_show(struct kobject *kobj,
					    struct kobj_attribute *attr,
					    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(eb_root_provisioned));
}

static struct kobj_attribute root_secret_provisioned_attr =
	__ATTR_RO(root_secret_provisioned);

static struct attribute *eb_keys_attrs[] = {
	&root_secret_attr.attr,
	&root_secret_provisioned_attr.attr,
	NULL,
};

const struct attribute_group eb_keys_attr_group = {
	.attrs = eb_keys_attrs,
};

int eb_keys_init(void)
{
	u8 secret[EB_ROOT_SECRET_SIZE];
	int ret;

	ret = eb_cmac_selftest();
	if (ret) {
		pr_err("AES-CMAC self-test failed\n");
		return ret;
	}
	get_random_bytes(secret, sizeof(secret));
	ret = eb_root_set(secret);
	memzero_explicit(secret, sizeof(secret));
	if (ret)
		return ret;
	get_random_bytes(eb_report_keyid, sizeof(eb_report_keyid));
	return 0;
}

void eb_keys_exit(void)
{
	memzero_explicit(&eb_root_aes, sizeof(eb_root_aes));
	memzero_explicit(eb_owner_epoch, sizeof(eb_owner_epoch));
	memzero_explicit(eb_report_keyid, sizeof(eb_report_keyid));
}
