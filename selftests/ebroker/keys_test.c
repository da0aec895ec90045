// SPDX-License-Identifier: GPL-2.0
/*
 * EREPORT and EGETKEY: local attestation between enclaves, checked with
 * OpenSSL's AES-CMAC; SEAL keys per policy, ISVSVN, CPUSVN, DEBUG and
 * KSS; refusals and bad input; the root secret file.
 *
 * Two subcommands serve selftests/ebroker/root_secret_test.sh, which loads
 * the module itself:
 *   keys_test seal-key     print a SEAL key of a fixed test enclave (hex)
 *   keys_test kat SECRET   check the module's keys against the derivation
 *                          documented in docs/ABI/ebroker-dev.md, computed
 *                          here from SECRET (the provisioned root secret)
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "tencl.h"

#define PAGE	   4096UL
#define ENCL_SIZE  (4 * PAGE)
#define ROOT_FILE  EB_SYSFS "/root_secret"
#define PROD_ID	   7
#define SVN	   3
#define SECRET_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const uint8_t cpusvn_current[EB_CPUSVN_SIZE] = { 1 };

/* A second signer: made at build time beside test-key.pem, else here. */
static EVP_PKEY *other_key(void)
{
	static EVP_PKEY *key;
	char exe[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n;

	if (key)
		return key;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/test-key2.pem", dirname(exe));
	if (ebroker_key_read_pem(path, &key) < 0 && ebroker_key_generate(&key) < 0)
		return NULL;
	return key;
}

/*
 * A two-page enclave whose code page is made from @seed, signed by @key
 * (NULL: the usual test key) with the given ISVPRODID and ISVSVN.
 */
static int build(struct tencl *t, unsigned int seed, uint64_t attributes, EVP_PKEY *key,
		 uint16_t isv_prod_id, uint16_t isv_svn)
{
	static uint8_t tcs[PAGE] __attribute__((aligned(PAGE)));
	static uint8_t code[PAGE] __attribute__((aligned(PAGE)));
	uint8_t mr[EB_HASH_SIZE];
	struct eb_sigstruct ss;
	int ret;

	ret = tencl_create(t, ENCL_SIZE, attributes);
	if (ret)
		return ret;
	for (size_t i = 0; i < PAGE; i++)
		code[i] = (uint8_t)(seed * 131 + i * 7);
	ret = tencl_add(t, 0, TENCL_TCS, tcs, PAGE, true);
	if (!ret)
		ret = tencl_add(t, PAGE, TENCL_RX, code, PAGE, true);
	if (!ret)
		ret = ebroker_measure_finish(t->m, mr);
	if (ret)
		return ret;
	key = key ?: tencl_key();
	if (!key)
		return -ENOKEY;
	ret = ebroker_sigstruct_sign(key,
				     &(struct ebroker_sign_params){
					 .date = 0x20261124,
					 .attributes = t->secs.attributes,
					 .attributemask = ~EB_ATTR_INIT,
					 .xfrm = t->secs.xfrm,
					 .xfrmmask = ~0ULL,
					 .isv_prod_id = isv_prod_id,
					 .isv_svn = isv_svn,
				     },
				     mr, &ss);
	return ret ?: tencl_init(t, &ss);
}

static int build_simple(struct tencl *t, unsigned int seed)
{
	return build(t, seed, 0, NULL, PROD_ID, SVN);
}

/* EGETKEY: 0 (key written), a positive EB_SGX_* code, or -errno. */
static int getkey(struct tencl *t, const struct eb_keyrequest *req, uint8_t *key)
{
	struct eb_enclave_getkey gk = {
		.keyrequest = (uintptr_t)req,
		.key = (uintptr_t)key,
		.sgx_error = 0xdeadbeef,
	};

	if (ioctl(t->fd, EB_IOC_ENCLAVE_GETKEY, &gk))
		return -errno;
	return (int)gk.sgx_error;
}

static struct eb_keyrequest seal_request(uint16_t policy, uint16_t isv_svn)
{
	struct eb_keyrequest req = {
		.key_name = EB_KEYNAME_SEAL,
		.key_policy = policy,
		.isv_svn = isv_svn,
		.attribute_mask = EB_ATTR_INIT | EB_ATTR_DEBUG | EB_ATTR_MODE64BIT,
		.xfrm_mask = 3,
		.misc_mask = ~0U,
	};

	memcpy(req.cpusvn, cpusvn_current, sizeof(req.cpusvn));
	memset(req.key_id, 0x5c, sizeof(req.key_id));
	return req;
}

static int seal_key(struct tencl *t, uint16_t policy, uint16_t isv_svn, uint8_t key[EB_KEY_SIZE])
{
	struct eb_keyrequest req = seal_request(policy, isv_svn);

	return getkey(t, &req, key);
}

static int report_key(struct tencl *t, const uint8_t key_id[32], uint8_t key[EB_KEY_SIZE])
{
	struct eb_keyrequest req = { .key_name = EB_KEYNAME_REPORT };

	memcpy(req.key_id, key_id, sizeof(req.key_id));
	return getkey(t, &req, key);
}

static int targetinfo(struct tencl *t, struct eb_targetinfo *ti)
{
	struct eb_enclave_info info;
	int ret;

	ret = tencl_info(t, &info);
	if (ret)
		return ret;
	memset(ti, 0, sizeof(*ti));
	memcpy(ti->mrenclave, info.mrenclave, sizeof(ti->mrenclave));
	ti->attributes = info.attributes;
	ti->xfrm = info.xfrm;
	ti->miscselect = info.miscselect;
	return 0;
}

static int ereport(struct tencl *t, const struct eb_targetinfo *ti, const uint8_t *data,
		   struct eb_report *report)
{
	struct eb_enclave_report r = {
		.targetinfo = (uintptr_t)ti,
		.reportdata = (uintptr_t)data,
		.report = (uintptr_t)report,
	};

	return ioctl(t->fd, EB_IOC_ENCLAVE_REPORT, &r) ? -errno : 0;
}

/* AES-128-CMAC by OpenSSL, independently of the module. */
static int cmac(const uint8_t key[EB_KEY_SIZE], const void *msg, size_t len,
		uint8_t mac[EB_KEY_SIZE])
{
	size_t n;

	if (!EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key, EB_KEY_SIZE, msg, len, mac,
		       EB_KEY_SIZE, &n) ||
	    n != EB_KEY_SIZE)
		return -EIO;
	return 0;
}

/* Does @key verify @report's MAC? */
static bool verifies(const uint8_t key[EB_KEY_SIZE], const struct eb_report *report)
{
	uint8_t mac[EB_KEY_SIZE];

	return !cmac(key, report, EB_REPORT_BODY_SIZE, mac) &&
	       !memcmp(mac, report->mac, sizeof(mac));
}

FIXTURE(three)
{
	struct tencl a, b, c;
};

FIXTURE_SETUP(three)
{
	ASSERT_EQ(0, build_simple(&self->a, 1));
	ASSERT_EQ(0, build_simple(&self->b, 2));
	ASSERT_EQ(0, build_simple(&self->c, 3));
}

FIXTURE_TEARDOWN(three)
{
	tencl_close(&self->a);
	tencl_close(&self->b);
	tencl_close(&self->c);
	EXPECT_TRUE(eb_pool_is_full());
}

/* A reports to B; only B's REPORT key (for the REPORT's KEYID) checks it. */
TEST_F(three, local_attestation)
{
	uint8_t data[EB_REPORTDATA_SIZE], kb[EB_KEY_SIZE], kc[EB_KEY_SIZE], k[EB_KEY_SIZE];
	struct eb_targetinfo tb, tc;
	struct eb_enclave_info ia;
	struct eb_report r, rc;
	uint8_t other_id[32];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3 + 1);
	ASSERT_EQ(0, targetinfo(&self->b, &tb));
	ASSERT_EQ(0, targetinfo(&self->c, &tc));
	ASSERT_EQ(0, ereport(&self->a, &tb, data, &r));

	/* The body is A's identity and the data, as INFO reports them. */
	ASSERT_EQ(0, tencl_info(&self->a, &ia));
	EXPECT_EQ(0, memcmp(r.mrenclave, ia.mrenclave, EB_HASH_SIZE));
	EXPECT_EQ(0, memcmp(r.mrsigner, ia.mrsigner, EB_HASH_SIZE));
	EXPECT_EQ(ia.attributes, r.attributes);
	EXPECT_TRUE(r.attributes & EB_ATTR_INIT);
	EXPECT_EQ(ia.xfrm, r.xfrm);
	EXPECT_EQ(ia.miscselect, r.miscselect);
	EXPECT_EQ(PROD_ID, r.isv_prod_id);
	EXPECT_EQ(SVN, r.isv_svn);
	EXPECT_EQ(0, r.config_svn);
	EXPECT_EQ(0, memcmp(r.cpusvn, cpusvn_current, EB_CPUSVN_SIZE));
	EXPECT_EQ(0, memcmp(r.report_data, data, sizeof(data)));

	/* B checks it with its own REPORT key for that KEYID. */
	ASSERT_EQ(0, report_key(&self->b, r.key_id, kb));
	EXPECT_TRUE(verifies(kb, &r));
	/* C cannot, nor can A. */
	ASSERT_EQ(0, report_key(&self->c, r.key_id, kc));
	EXPECT_FALSE(verifies(kc, &r));
	ASSERT_EQ(0, report_key(&self->a, r.key_id, k));
	EXPECT_FALSE(verifies(k, &r));
	/* B's key for another KEYID does not either. */
	memcpy(other_id, r.key_id, sizeof(other_id));
	other_id[31] ^= 1;
	ASSERT_EQ(0, report_key(&self->b, other_id, k));
	EXPECT_FALSE(verifies(k, &r));

	/* Any change to the body breaks the MAC. */
	for (size_t off = 0; off < EB_REPORT_BODY_SIZE; off += 47) {
		struct eb_report t = r;

		((uint8_t *)&t)[off] ^= 0x40;
		EXPECT_FALSE(verifies(kb, &t));
	}

	/* The same report for C: C's key checks it, B's does not. */
	ASSERT_EQ(0, ereport(&self->a, &tc, data, &rc));
	EXPECT_EQ(0, memcmp(rc.key_id, r.key_id, sizeof(r.key_id))); /* one KEYID per load */
	EXPECT_TRUE(verifies(kc, &rc));
	EXPECT_FALSE(verifies(kb, &rc));

	/* A TARGETINFO that gets B's attributes wrong names nobody. */
	tb.attributes &= ~EB_ATTR_INIT;
	ASSERT_EQ(0, ereport(&self->a, &tb, data, &r));
	EXPECT_FALSE(verifies(kb, &r));
}

TEST_F(three, report_to_self)
{
	uint8_t data[EB_REPORTDATA_SIZE] = { 0xaa }, k[EB_KEY_SIZE];
	struct eb_targetinfo ta;
	struct eb_report r;

	ASSERT_EQ(0, targetinfo(&self->a, &ta));
	ASSERT_EQ(0, ereport(&self->a, &ta, data, &r));
	ASSERT_EQ(0, report_key(&self->a, r.key_id, k));
	EXPECT_TRUE(verifies(k, &r));
}

TEST_F(three, report_bad_input)
{
	uint8_t data[EB_REPORTDATA_SIZE] = { 0 };
	struct eb_targetinfo good, ti;
	struct eb_report r;
	struct tencl u;
	int fd;

	ASSERT_EQ(0, targetinfo(&self->b, &good));

	ti = good;
	ti.cet_attributes = 1;
	EXPECT_EQ(-EINVAL, ereport(&self->a, &ti, data, &r));
	ti = good;
	ti.reserved1 = 1;
	EXPECT_EQ(-EINVAL, ereport(&self->a, &ti, data, &r));
	ti = good;
	ti.reserved2[7] = 1;
	EXPECT_EQ(-EINVAL, ereport(&self->a, &ti, data, &r));
	ti = good;
	ti.reserved3[383] = 1;
	EXPECT_EQ(-EINVAL, ereport(&self->a, &ti, data, &r));

	EXPECT_EQ(-EFAULT, ereport(&self->a, (void *)8, data, &r));
	EXPECT_EQ(-EFAULT, ereport(&self->a, &good, (void *)8, &r));
	EXPECT_EQ(-EFAULT, ereport(&self->a, &good, data, (void *)8));
	EXPECT_EQ(-EFAULT, ioctl(self->a.fd, EB_IOC_ENCLAVE_REPORT, (void *)8) ? -errno : 0);

	/* Only an initialised enclave reports. */
	ASSERT_EQ(0, tencl_create(&u, ENCL_SIZE, 0));
	EXPECT_EQ(-EINVAL, ereport(&u, &good, data, &r));
	tencl_close(&u);
	fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	u.fd = fd;
	EXPECT_EQ(-EINVAL, ereport(&u, &good, data, &r));
	close(fd);
}

/* Same identity, same request: the same key, in another instance too. */
TEST_F(three, seal_deterministic)
{
	uint8_t k1[EB_KEY_SIZE], k2[EB_KEY_SIZE], k3[EB_KEY_SIZE];
	struct eb_keyrequest req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);
	struct tencl a2;

	ASSERT_EQ(0, getkey(&self->a, &req, k1));
	ASSERT_EQ(0, getkey(&self->a, &req, k2));
	EXPECT_EQ(0, memcmp(k1, k2, sizeof(k1)));

	ASSERT_EQ(0, build_simple(&a2, 1));
	ASSERT_EQ(0, getkey(&a2, &req, k3));
	EXPECT_EQ(0, memcmp(k1, k3, sizeof(k1)));
	tencl_close(&a2);

	/* Every field of the request counts. */
	req.key_id[0] ^= 1;
	ASSERT_EQ(0, getkey(&self->a, &req, k2));
	EXPECT_NE(0, memcmp(k1, k2, sizeof(k1)));
	req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);
	req.xfrm_mask = 1;
	ASSERT_EQ(0, getkey(&self->a, &req, k2));
	EXPECT_NE(0, memcmp(k1, k2, sizeof(k1)));
	req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);
	req.key_policy |= EB_KEYPOLICY_MRSIGNER;
	ASSERT_EQ(0, getkey(&self->a, &req, k2));
	EXPECT_NE(0, memcmp(k1, k2, sizeof(k1)));

	/* A SEAL key is not the REPORT key for the same KEYID. */
	req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);
	ASSERT_EQ(0, report_key(&self->a, req.key_id, k2));
	EXPECT_NE(0, memcmp(k1, k2, sizeof(k1)));
}

/*
 * MRENCLAVE policy: another image by the same signer gets another key.
 * MRSIGNER policy: it gets the same key.
 */
TEST_F(three, seal_policy_same_signer)
{
	uint8_t ka[EB_KEY_SIZE], kb[EB_KEY_SIZE];

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRENCLAVE, SVN, ka));
	ASSERT_EQ(0, seal_key(&self->b, EB_KEYPOLICY_MRENCLAVE, SVN, kb));
	EXPECT_NE(0, memcmp(ka, kb, sizeof(ka)));

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, SVN, ka));
	ASSERT_EQ(0, seal_key(&self->b, EB_KEYPOLICY_MRSIGNER, SVN, kb));
	EXPECT_EQ(0, memcmp(ka, kb, sizeof(ka)));

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER | EB_KEYPOLICY_MRENCLAVE, SVN, ka));
	ASSERT_EQ(0, seal_key(&self->b, EB_KEYPOLICY_MRSIGNER | EB_KEYPOLICY_MRENCLAVE, SVN, kb));
	EXPECT_NE(0, memcmp(ka, kb, sizeof(ka)));
}

/*
 * The same image signed by another key: MRSIGNER keys differ; MRENCLAVE
 * keys do not, since the signer is not part of them (as on SGX).
 */
TEST_F(three, seal_policy_other_signer)
{
	uint8_t ka[EB_KEY_SIZE], kx[EB_KEY_SIZE];
	struct eb_enclave_info ia, ix;
	EVP_PKEY *key = other_key();
	struct tencl x;

	ASSERT_NE(NULL, key);
	ASSERT_EQ(0, build(&x, 1, 0, key, PROD_ID, SVN));
	ASSERT_EQ(0, tencl_info(&self->a, &ia));
	ASSERT_EQ(0, tencl_info(&x, &ix));
	ASSERT_EQ(0, memcmp(ia.mrenclave, ix.mrenclave, EB_HASH_SIZE));
	ASSERT_NE(0, memcmp(ia.mrsigner, ix.mrsigner, EB_HASH_SIZE));

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, SVN, ka));
	ASSERT_EQ(0, seal_key(&x, EB_KEYPOLICY_MRSIGNER, SVN, kx));
	EXPECT_NE(0, memcmp(ka, kx, sizeof(ka)));

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRENCLAVE, SVN, ka));
	ASSERT_EQ(0, seal_key(&x, EB_KEYPOLICY_MRENCLAVE, SVN, kx));
	EXPECT_EQ(0, memcmp(ka, kx, sizeof(ka)));
	tencl_close(&x);
}

/* ISVPRODID is bound unless NOISVPRODID (a KSS policy) says otherwise. */
TEST(seal_isvprodid)
{
	uint8_t ka[EB_KEY_SIZE], kx[EB_KEY_SIZE];
	struct tencl a, x;

	ASSERT_EQ(0, build(&a, 1, EB_ATTR_KSS, NULL, PROD_ID, SVN));
	ASSERT_EQ(0, build(&x, 2, EB_ATTR_KSS, NULL, PROD_ID + 1, SVN));
	ASSERT_EQ(0, seal_key(&a, EB_KEYPOLICY_MRSIGNER, SVN, ka));
	ASSERT_EQ(0, seal_key(&x, EB_KEYPOLICY_MRSIGNER, SVN, kx));
	EXPECT_NE(0, memcmp(ka, kx, sizeof(ka)));
	ASSERT_EQ(0, seal_key(&a, EB_KEYPOLICY_MRSIGNER | EB_KEYPOLICY_NOISVPRODID, SVN, ka));
	ASSERT_EQ(0, seal_key(&x, EB_KEYPOLICY_MRSIGNER | EB_KEYPOLICY_NOISVPRODID, SVN, kx));
	EXPECT_EQ(0, memcmp(ka, kx, sizeof(ka)));
	tencl_close(&a);
	tencl_close(&x);
	EXPECT_TRUE(eb_pool_is_full());
}

/*
 * The KEYPOLICY bits that came with KSS, and CONFIGSVN, fault in EGETKEY
 * unless the enclave has KSS: EINVAL, whatever the key name. With KSS
 * they are accepted, and CONFIGSVN is held to the enclave's own (0).
 */
TEST(kss_policy)
{
	static const uint16_t kss_bits[] = {
		EB_KEYPOLICY_NOISVPRODID,
		EB_KEYPOLICY_CONFIGID,
		EB_KEYPOLICY_ISVFAMILYID,
		EB_KEYPOLICY_ISVEXTPRODID,
	};
	uint8_t k[EB_KEY_SIZE], kk[EB_KEY_SIZE];
	struct eb_keyrequest req;
	struct tencl p, kss;

	ASSERT_EQ(0, build(&p, 1, 0, NULL, PROD_ID, SVN));
	ASSERT_EQ(0, build(&kss, 1, EB_ATTR_KSS, NULL, PROD_ID, SVN));

	for (size_t i = 0; i < sizeof(kss_bits) / sizeof(kss_bits[0]); i++) {
		req = seal_request(EB_KEYPOLICY_MRENCLAVE | kss_bits[i], SVN);
		memset(k, 0xee, sizeof(k));
		EXPECT_EQ(-EINVAL, getkey(&p, &req, k))
		TH_LOG("policy bit 0x%x", kss_bits[i]);
		EXPECT_EQ(0xee, k[0]);
		req.key_name = EB_KEYNAME_REPORT;
		EXPECT_EQ(-EINVAL, getkey(&p, &req, k));
		req.key_name = 99; /* faults before the key name is looked at */
		EXPECT_EQ(-EINVAL, getkey(&p, &req, k));

		req = seal_request(EB_KEYPOLICY_MRENCLAVE | kss_bits[i], SVN);
		EXPECT_EQ(0, getkey(&kss, &req, kk))
		TH_LOG("policy bit 0x%x", kss_bits[i]);
	}

	req = seal_request(EB_KEYPOLICY_MRSIGNER, SVN);
	req.config_svn = 1;
	EXPECT_EQ(-EINVAL, getkey(&p, &req, k));
	EXPECT_EQ(EB_SGX_INVALID_ISVSVN, getkey(&kss, &req, k)); /* its CONFIGSVN is 0 */

	/* Without those bits, both give keys as before. */
	ASSERT_EQ(0, seal_key(&p, EB_KEYPOLICY_MRENCLAVE, SVN, k));
	ASSERT_EQ(0, seal_key(&kss, EB_KEYPOLICY_MRENCLAVE, SVN, kk));
	tencl_close(&p);
	tencl_close(&kss);
	EXPECT_TRUE(eb_pool_is_full());
}

/*
 * ISVSVN: not above the enclave's own; a lower one gives that version's
 * key, which is how an upgraded enclave opens what its predecessor sealed.
 */
TEST_F(three, seal_isvsvn)
{
	uint8_t k[EB_KEY_SIZE], k3[EB_KEY_SIZE], k2[EB_KEY_SIZE], knew[EB_KEY_SIZE];
	struct tencl upgraded;

	memset(k, 0xee, sizeof(k));
	EXPECT_EQ(EB_SGX_INVALID_ISVSVN, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, SVN + 1, k));
	EXPECT_EQ(0xee, k[0]); /* nothing written */
	EXPECT_EQ(EB_SGX_INVALID_ISVSVN, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, 0xffff, k));

	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, SVN, k3));
	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRSIGNER, SVN - 1, k2));
	EXPECT_NE(0, memcmp(k3, k2, sizeof(k3)));

	/* Version SVN + 1 of the product, by the same signer. */
	ASSERT_EQ(0, build(&upgraded, 9, 0, NULL, PROD_ID, SVN + 1));
	ASSERT_EQ(0, seal_key(&upgraded, EB_KEYPOLICY_MRSIGNER, SVN, knew));
	EXPECT_EQ(0, memcmp(k3, knew, sizeof(k3)));
	ASSERT_EQ(0, seal_key(&upgraded, EB_KEYPOLICY_MRSIGNER, SVN + 1, knew));
	EXPECT_NE(0, memcmp(k3, knew, sizeof(k3)));
	tencl_close(&upgraded);
}

/* CPUSVN: no byte above the current CPUSVN's; lower ones give other keys. */
TEST_F(three, seal_cpusvn)
{
	uint8_t k[EB_KEY_SIZE], k0[EB_KEY_SIZE];
	struct eb_keyrequest req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);

	req.cpusvn[0] = 2;
	memset(k, 0xee, sizeof(k));
	EXPECT_EQ(EB_SGX_INVALID_CPUSVN, getkey(&self->a, &req, k));
	EXPECT_EQ(0xee, k[0]);
	req.cpusvn[0] = 1;
	req.cpusvn[15] = 1;
	EXPECT_EQ(EB_SGX_INVALID_CPUSVN, getkey(&self->a, &req, k));
	req.cpusvn[0] = 0;
	req.cpusvn[15] = 0;
	EXPECT_EQ(
	    EB_SGX_INVALID_CPUSVN,
	    getkey(&self->a,
		   &(struct eb_keyrequest){ .key_name = EB_KEYNAME_SEAL, .cpusvn = { 0, 0, 0, 9 } },
		   k));

	ASSERT_EQ(0, getkey(&self->a, &req, k0)); /* all zero: allowed */
	ASSERT_EQ(0, seal_key(&self->a, EB_KEYPOLICY_MRENCLAVE, SVN, k));
	EXPECT_NE(0, memcmp(k, k0, sizeof(k)));
}

/* A DEBUG enclave measures the same but never shares a SEAL key. */
TEST(seal_debug_apart)
{
	uint8_t kp[EB_KEY_SIZE], kd[EB_KEY_SIZE];
	struct eb_enclave_info ip, id;
	struct eb_keyrequest req;
	struct tencl p, d;

	ASSERT_EQ(0, build(&p, 1, 0, NULL, PROD_ID, SVN));
	ASSERT_EQ(0, build(&d, 1, EB_ATTR_DEBUG, NULL, PROD_ID, SVN));
	ASSERT_EQ(0, tencl_info(&p, &ip));
	ASSERT_EQ(0, tencl_info(&d, &id));
	ASSERT_EQ(0, memcmp(ip.mrenclave, id.mrenclave, EB_HASH_SIZE));
	ASSERT_EQ(0, memcmp(ip.mrsigner, id.mrsigner, EB_HASH_SIZE));

	for (uint16_t policy = EB_KEYPOLICY_MRENCLAVE; policy <= EB_KEYPOLICY_MRSIGNER; policy++) {
		req = seal_request(policy, SVN);
		req.attribute_mask = 0; /* DEBUG is bound all the same */
		ASSERT_EQ(0, getkey(&p, &req, kp));
		ASSERT_EQ(0, getkey(&d, &req, kd));
		EXPECT_NE(0, memcmp(kp, kd, sizeof(kp)));
	}
	tencl_close(&p);
	tencl_close(&d);
	EXPECT_TRUE(eb_pool_is_full());
}

TEST_F(three, keyname)
{
	struct eb_keyrequest req = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN);
	uint8_t k[EB_KEY_SIZE];

	req.key_name = EB_KEYNAME_EINITTOKEN;
	EXPECT_EQ(EB_SGX_INVALID_ATTRIBUTE, getkey(&self->a, &req, k));
	req.key_name = EB_KEYNAME_PROVISION;
	EXPECT_EQ(EB_SGX_INVALID_ATTRIBUTE, getkey(&self->a, &req, k));
	req.key_name = EB_KEYNAME_PROVISION_SEAL;
	EXPECT_EQ(EB_SGX_INVALID_ATTRIBUTE, getkey(&self->a, &req, k));
	req.key_name = 5;
	EXPECT_EQ(EB_SGX_INVALID_KEYNAME, getkey(&self->a, &req, k));
	req.key_name = 0xffff;
	EXPECT_EQ(EB_SGX_INVALID_KEYNAME, getkey(&self->a, &req, k));
}

TEST_F(three, getkey_bad_input)
{
	struct eb_keyrequest good = seal_request(EB_KEYPOLICY_MRENCLAVE, SVN), req;
	struct eb_enclave_getkey gk;
	uint8_t k[EB_KEY_SIZE];
	struct tencl u;
	int fd;

	req = good;
	req.key_policy = 0x40;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));
	req.key_policy = 0x8000 | EB_KEYPOLICY_MRENCLAVE;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));
	req = good;
	req.reserved1 = 1;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));
	req = good;
	req.reserved2[0] = 1;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));
	req = good;
	req.reserved2[433] = 0x80;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));
	/* Reserved bytes are checked before the key name. */
	req.key_name = 99;
	EXPECT_EQ(-EINVAL, getkey(&self->a, &req, k));

	gk = (struct eb_enclave_getkey){ .keyrequest = (uintptr_t)&good,
					 .key = (uintptr_t)k,
					 .reserved = 1 };
	EXPECT_EQ(-1, ioctl(self->a.fd, EB_IOC_ENCLAVE_GETKEY, &gk));
	EXPECT_EQ(EINVAL, errno);
	gk.reserved = 0;
	gk.key = 8;
	EXPECT_EQ(-1, ioctl(self->a.fd, EB_IOC_ENCLAVE_GETKEY, &gk));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, getkey(&self->a, (void *)8, k));
	EXPECT_EQ(-1, ioctl(self->a.fd, EB_IOC_ENCLAVE_GETKEY, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* A refusal writes no key, so a bad key pointer is not touched. */
	req = good;
	req.key_name = 5;
	EXPECT_EQ(EB_SGX_INVALID_KEYNAME, getkey(&self->a, &req, (void *)8));

	ASSERT_EQ(0, tencl_create(&u, ENCL_SIZE, 0));
	EXPECT_EQ(-EINVAL, getkey(&u, &good, k));
	tencl_close(&u);
	fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	u.fd = fd;
	EXPECT_EQ(-EINVAL, getkey(&u, &good, k));
	close(fd);
}

/*
 * The root secret file: write-only, never readable; strict about its text;
 * refused once a key has been derived.
 */
TEST(root_secret_file)
{
	static const char *const bad[] = {
		"\n",
		SECRET_HEX "\n\n",
		SECRET_HEX "0",
		SECRET_HEX " ",
		" " SECRET_HEX,
		"0x" SECRET_HEX,
		"g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"00010203",
		"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
	};
	char buf[16];
	struct tencl t;
	uint8_t k[EB_KEY_SIZE];
	struct stat st;

	ASSERT_EQ(0, stat(ROOT_FILE, &st));
	EXPECT_EQ(S_IFREG | 0200, st.st_mode);
	/* Not even root can open it for reading. */
	EXPECT_EQ(-1, open(ROOT_FILE, O_RDONLY));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, open(ROOT_FILE, O_RDWR));
	EXPECT_EQ(EACCES, errno);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, eb_write_file(ROOT_FILE, bad[i]))
		TH_LOG("'%s' accepted", bad[i]);
	}

	/* Once a key exists the secret is final. */
	ASSERT_EQ(0, build_simple(&t, 1));
	ASSERT_EQ(0, seal_key(&t, EB_KEYPOLICY_MRENCLAVE, SVN, k));
	EXPECT_EQ(-EBUSY, eb_write_file(ROOT_FILE, SECRET_HEX));
	EXPECT_EQ(-EBUSY, eb_write_file(ROOT_FILE, SECRET_HEX "\n"));
	tencl_close(&t);

	ASSERT_EQ(0, eb_read_file(EB_SYSFS "/root_secret_provisioned", buf, sizeof(buf)));
	EXPECT_TRUE(!strcmp(buf, "0\n") || !strcmp(buf, "1\n"));
}

/* ---------------------------------------------- root_secret_test.sh */

/* The fixed enclave both subcommands use. */
static int fixed_enclave(struct tencl *t)
{
	return build_simple(t, 42);
}

static int cmd_seal_key(void)
{
	uint8_t k[EB_KEY_SIZE];
	struct tencl t;
	int ret;

	ret = fixed_enclave(&t);
	if (!ret)
		ret = seal_key(&t, EB_KEYPOLICY_MRENCLAVE, SVN, k);
	tencl_close(&t);
	if (ret) {
		fprintf(stderr, "seal-key: %d\n", ret);
		return 1;
	}
	for (size_t i = 0; i < sizeof(k); i++)
		printf("%02x", k[i]);
	printf("\n");
	return 0;
}

/* The derivation buffer, as docs/ABI/ebroker-dev.md lays it out. */
struct keydep {
	char label[8];
	uint16_t key_name;
	uint16_t key_policy;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t reserved1[2];
	uint32_t miscselect;
	uint32_t misc_mask;
	uint8_t reserved2[4];
	uint64_t attributes;
	uint64_t xfrm;
	uint64_t attribute_mask;
	uint64_t xfrm_mask;
	uint8_t cpusvn[16];
	uint8_t owner_epoch[16];
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint8_t key_id[32];
	uint8_t config_id[64];
	uint8_t isv_ext_prod_id[16];
	uint8_t isv_family_id[16];
} __attribute__((packed));

_Static_assert(sizeof(struct keydep) == 288, "derivation buffer layout");

static int derive(const uint8_t secret[32], struct keydep *dep, uint8_t key[EB_KEY_SIZE])
{
	memcpy(dep->label, "ebkdf-v1", sizeof(dep->label));
	memcpy(dep->owner_epoch, secret + 16, sizeof(dep->owner_epoch));
	return cmac(secret, dep, sizeof(*dep), key);
}

static bool same(const char *what, const uint8_t *got, const uint8_t *want)
{
	if (!memcmp(got, want, EB_KEY_SIZE))
		return true;
	fprintf(stderr, "kat: the module's %s differs from the documented derivation\n", what);
	return false;
}

static int cmd_kat(const char *hex)
{
	uint8_t secret[32], got[EB_KEY_SIZE], want[EB_KEY_SIZE], data[EB_REPORTDATA_SIZE] = { 1 };
	struct eb_keyrequest req = seal_request(EB_KEYPOLICY_MRSIGNER, SVN - 1);
	struct eb_enclave_info info;
	struct eb_targetinfo ti;
	struct keydep dep;
	struct eb_report r;
	struct tencl t;
	bool ok = true;

	for (size_t i = 0; i < sizeof(secret); i++)
		if (sscanf(hex + 2 * i, "%2hhx", &secret[i]) != 1)
			return 2;
	req.attribute_mask = EB_ATTR_MODE64BIT;
	if (fixed_enclave(&t) || tencl_info(&t, &info) || targetinfo(&t, &ti))
		return 2;

	/* SEAL, MRSIGNER policy, an older ISVSVN. */
	memset(&dep, 0, sizeof(dep));
	dep.key_name = EB_KEYNAME_SEAL;
	dep.key_policy = req.key_policy;
	dep.isv_prod_id = info.isv_prod_id;
	dep.isv_svn = req.isv_svn;
	dep.miscselect = info.miscselect & req.misc_mask;
	dep.misc_mask = req.misc_mask;
	dep.attributes = info.attributes & (req.attribute_mask | EB_ATTR_INIT | EB_ATTR_DEBUG);
	dep.xfrm = info.xfrm & req.xfrm_mask;
	dep.attribute_mask = req.attribute_mask | EB_ATTR_INIT | EB_ATTR_DEBUG;
	dep.xfrm_mask = req.xfrm_mask;
	memcpy(dep.cpusvn, req.cpusvn, sizeof(dep.cpusvn));
	memcpy(dep.mrsigner, info.mrsigner, sizeof(dep.mrsigner));
	memcpy(dep.key_id, req.key_id, sizeof(dep.key_id));
	if (derive(secret, &dep, want) || getkey(&t, &req, got))
		return 2;
	ok &= same("SEAL key", got, want);

	/* REPORT, the enclave's own, for a chosen KEYID; then an EREPORT. */
	memset(&dep, 0, sizeof(dep));
	dep.key_name = EB_KEYNAME_REPORT;
	dep.miscselect = info.miscselect;
	dep.misc_mask = ~0U;
	dep.attributes = info.attributes;
	dep.xfrm = info.xfrm;
	dep.attribute_mask = ~0ULL;
	dep.xfrm_mask = ~0ULL;
	memcpy(dep.cpusvn, cpusvn_current, sizeof(dep.cpusvn));
	memcpy(dep.mrenclave, info.mrenclave, sizeof(dep.mrenclave));
	memset(dep.key_id, 0x77, sizeof(dep.key_id));
	if (derive(secret, &dep, want) || report_key(&t, dep.key_id, got))
		return 2;
	ok &= same("REPORT key", got, want);

	if (ereport(&t, &ti, data, &r))
		return 2;
	memcpy(dep.key_id, r.key_id, sizeof(dep.key_id));
	if (derive(secret, &dep, want))
		return 2;
	if (!verifies(want, &r)) {
		fprintf(stderr, "kat: the REPORT's MAC is not made with the documented key\n");
		ok = false;
	}
	tencl_close(&t);
	if (ok)
		printf("derivation matches the documented layout\n");
	return ok ? 0 : 1;
}

/* The harness's main, with the subcommands in front of it. */
#define main keys_test_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "seal-key"))
		return cmd_seal_key();
	if (argc == 3 && !strcmp(argv[1], "kat") && strlen(argv[2]) == 64)
		return cmd_kat(argv[2]);
	return keys_test_main(argc, argv);
}
