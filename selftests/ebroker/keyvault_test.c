// SPDX-License-Identifier: GPL-2.0
/*
 * The keyvault sample (sdk/samples/keyvault) through libebloader: keys made
 * inside the enclave sign digests that OpenSSL verifies against the public
 * key the enclave returned; a sealed key survives freeing the enclave and
 * loading a new instance; blobs open only for the identity their policy
 * names (MRENCLAVE: the same code; MRSIGNER: the same signer and product,
 * this ISVSVN or a later one; never across the DEBUG attribute); modified,
 * truncated and foreign blobs are refused with their own errors; no ECALL
 * returns more than its declared output size.
 *
 * The image variants (sdk/samples/keyvault/keyvault.mk):
 *   keyvault		sample key, ISVSVN 1
 *   keyvault-2tcs	another MRENCLAVE, the same signer
 *   keyvault-other	the same MRENCLAVE, another signer
 *   keyvault-debug	the same MRENCLAVE and signer, DEBUG
 *   keyvault-svn2	the same MRENCLAVE and signer, ISVSVN 2
 *
 * Two subcommands serve selftests/ebroker/seal_reload_test.sh, which loads
 * and reloads the module itself:
 *   keyvault_test seal FILE	generate a key (MRENCLAVE policy) in a new
 *				keyvault; write the blob to FILE and the
 *				public key to FILE.pub
 *   keyvault_test unseal FILE	load FILE in a new keyvault, check that the
 *				key is FILE.pub's and that a signature made
 *				with it verifies; exit 2 if the enclave
 *				refused the blob, 1 on any other failure
 */
#include <limits.h>
#include <pthread.h>

#include <openssl/evp.h>

#include <ebroker/loader.h>

#include "../../sdk/samples/keyvault/keyvault.h"
#include "kselftest_harness.h"
#include "kv_verify.h"
#include "sdk_util.h"

/* ------------------------------------------------------------ the ECALLs */

struct key {
	uint8_t pub[KV_PUB_SIZE];
	uint8_t blob[KV_BLOB_SIZE];
};

/* Every helper checks the output is exactly the declared size. */
static int kv_generate(struct ebroker_enclave *e, uint16_t policy, struct key *k)
{
	struct kv_generate req = { .policy = policy };
	uint8_t out[KV_GENERATE_OUT_SIZE];
	size_t n = 0;
	int ret;

	ret = ebroker_enclave_call(e, KV_ECALL_GENERATE, &req, sizeof(req), out, sizeof(out), &n);
	if (ret)
		return ret;
	if (n != sizeof(out))
		return -EPROTO;
	memcpy(k->pub, out, KV_PUB_SIZE);
	memcpy(k->blob, out + KV_PUB_SIZE, KV_BLOB_SIZE);
	return 0;
}

static int kv_load_len(struct ebroker_enclave *e, const void *blob, size_t len,
		       uint8_t pub[KV_PUB_SIZE])
{
	uint8_t out[KV_PUB_SIZE];
	size_t n = 0;
	int ret;

	ret = ebroker_enclave_call(e, KV_ECALL_LOAD, blob, len, out, sizeof(out), &n);
	if (ret)
		return ret;
	if (n != sizeof(out))
		return -EPROTO;
	if (pub)
		memcpy(pub, out, sizeof(out));
	return 0;
}

static int kv_load(struct ebroker_enclave *e, const uint8_t blob[KV_BLOB_SIZE],
		   uint8_t pub[KV_PUB_SIZE])
{
	return kv_load_len(e, blob, KV_BLOB_SIZE, pub);
}

static int kv_sign(struct ebroker_enclave *e, const uint8_t digest[KV_DIGEST_SIZE],
		   uint8_t sig[KV_SIG_SIZE])
{
	size_t n = 0;
	int ret;

	ret = ebroker_enclave_call(e, KV_ECALL_SIGN, digest, KV_DIGEST_SIZE, sig, KV_SIG_SIZE, &n);
	return !ret && n != KV_SIG_SIZE ? -EPROTO : ret;
}

static int kv_public_key(struct ebroker_enclave *e, uint8_t pub[KV_PUB_SIZE])
{
	size_t n = 0;
	int ret;

	ret = ebroker_enclave_call(e, KV_ECALL_PUBLIC_KEY, NULL, 0, pub, KV_PUB_SIZE, &n);
	return !ret && n != KV_PUB_SIZE ? -EPROTO : ret;
}

static int kv_seal(struct ebroker_enclave *e, uint16_t policy, uint8_t blob[KV_BLOB_SIZE])
{
	struct kv_generate req = { .policy = policy };
	size_t n = 0;
	int ret;

	ret = ebroker_enclave_call(e, KV_ECALL_SEAL, &req, sizeof(req), blob, KV_BLOB_SIZE, &n);
	return !ret && n != KV_BLOB_SIZE ? -EPROTO : ret;
}

/* ------------------------------------------------------- OpenSSL's side */

/* Sign @msg's digest in @e; does it verify for @pub? */
static bool signs_for(struct ebroker_enclave *e, const uint8_t pub[KV_PUB_SIZE], const char *msg)
{
	uint8_t digest[KV_DIGEST_SIZE], sig[KV_SIG_SIZE];

	sha256(msg, strlen(msg), digest);
	return kv_sign(e, digest, sig) == 0 && verify(pub, msg, strlen(msg), sig);
}

/* ---------------------------------------------------------------- tests */

FIXTURE(kv)
{
	struct ebroker_enclave *a, *b;
};

FIXTURE_SETUP(kv)
{
	self->a = self->b = NULL;
	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
	if (!have_report_ioctls())
		SKIP(return, "module has no EB_IOC_ENCLAVE_REPORT/GETKEY");
}

FIXTURE_TEARDOWN(kv)
{
	self->a = ebroker_enclave_free(self->a);
	self->b = ebroker_enclave_free(self->b);
}

/* A key made inside signs what OpenSSL verifies with the returned point. */
TEST_F(kv, generate_sign_verify)
{
	static const char msg[] = "keyvault: sign me";
	uint8_t digest[KV_DIGEST_SIZE], sig[KV_SIG_SIZE], sig2[KV_SIG_SIZE];
	uint8_t pub[KV_PUB_SIZE];
	struct kv_blob_header h;
	struct key k, k2;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &k));
	EXPECT_EQ(0x04, k.pub[0]);

	sha256(msg, strlen(msg), digest);
	ASSERT_EQ(0, kv_sign(self->a, digest, sig));
	EXPECT_TRUE(verify(k.pub, msg, strlen(msg), sig));
	/* Not for another message, nor with a bit of the signature changed. */
	EXPECT_FALSE(verify(k.pub, "keyvault: sign me!", strlen(msg) + 1, sig));
	sig[63] ^= 1;
	EXPECT_FALSE(verify(k.pub, msg, strlen(msg), sig));
	/* RFC 6979: the same digest, the same signature. */
	ASSERT_EQ(0, kv_sign(self->a, digest, sig2));
	sig[63] ^= 1;
	EXPECT_EQ(0, memcmp(sig, sig2, sizeof(sig)));

	ASSERT_EQ(0, kv_public_key(self->a, pub));
	EXPECT_EQ(0, memcmp(pub, k.pub, sizeof(pub)));

	/* The header says what the blob is. */
	memcpy(&h, k.blob, sizeof(h));
	EXPECT_EQ(0, memcmp(h.magic, KV_MAGIC, 4));
	EXPECT_EQ(KV_VERSION, h.version);
	EXPECT_EQ(EB_KEYPOLICY_MRENCLAVE, h.policy);
	EXPECT_EQ(1, h.isv_svn);
	EXPECT_EQ(KV_CURVE_P256, h.curve);
	EXPECT_EQ(0, h.reserved);

	/* A second GENERATE makes another key, which replaces the first. */
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRSIGNER, &k2));
	EXPECT_NE(0, memcmp(k.pub, k2.pub, sizeof(k.pub)));
	EXPECT_NE(0, memcmp(k.blob + KV_HEADER_SIZE, k2.blob + KV_HEADER_SIZE,
			    KV_BLOB_SIZE - KV_HEADER_SIZE));
	EXPECT_TRUE(signs_for(self->a, k2.pub, msg));
	EXPECT_FALSE(signs_for(self->a, k.pub, msg));
	memcpy(&h, k2.blob, sizeof(h));
	EXPECT_EQ(EB_KEYPOLICY_MRSIGNER, h.policy);

	/* SEAL re-seals the loaded key; the new blob loads it again. */
	ASSERT_EQ(0, kv_seal(self->a, EB_KEYPOLICY_MRENCLAVE, k.blob));
	ASSERT_EQ(0, kv_load(self->a, k.blob, pub));
	EXPECT_EQ(0, memcmp(pub, k2.pub, sizeof(pub)));
}

/*
 * Freeing the enclave forgets the key; a new instance of the same image
 * gets it back from the blob, for either policy.
 */
TEST_F(kv, survives_reload)
{
	static const uint16_t policies[] = { EB_KEYPOLICY_MRENCLAVE, EB_KEYPOLICY_MRSIGNER };
	uint8_t pub[KV_PUB_SIZE];
	struct key k;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
		ASSERT_EQ(0, kv_generate(self->a, policies[i], &k));
		ASSERT_TRUE(signs_for(self->a, k.pub, "before"));
		self->a = ebroker_enclave_free(self->a);
		EXPECT_TRUE(pool_full());

		ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
		EXPECT_EQ(-ENOKEY, kv_public_key(self->a, pub));
		ASSERT_EQ(0, kv_load(self->a, k.blob, pub));
		EXPECT_EQ(0, memcmp(pub, k.pub, sizeof(pub)));
		EXPECT_TRUE(signs_for(self->a, k.pub, "after a reload"));
		ASSERT_EQ(0, kv_public_key(self->a, pub));
		EXPECT_EQ(0, memcmp(pub, k.pub, sizeof(pub)));
		self->a = ebroker_enclave_free(self->a);
	}
}

/* Load @blob in a new instance of @image: 0 and a verifying signature for
 * @pub, or the refusal. */
static int load_in(const char *image, const uint8_t blob[KV_BLOB_SIZE],
		   const uint8_t pub[KV_PUB_SIZE])
{
	struct ebroker_enclave *e = NULL;
	uint8_t got[KV_PUB_SIZE];
	int ret;

	ret = ebroker_enclave_load_file(sample(image), NULL, &e);
	if (ret)
		return -ENOEXEC; /* not a refusal by the enclave */
	ret = kv_load(e, blob, got);
	if (!ret && (memcmp(got, pub, KV_PUB_SIZE) || !signs_for(e, pub, image)))
		ret = -EPROTO;
	/* A refused blob leaves no key behind. */
	if (ret && kv_public_key(e, got) != -ENOKEY)
		ret = -EPROTO;
	ebroker_enclave_free(e);
	return ret;
}

/*
 * Which identities open which blob. SGX's MRENCLAVE policy names the code
 * alone: the same code signed by another key opens it (as on hardware;
 * ISVPRODID and ISVSVN are in both policies' keys).
 */
TEST_F(kv, identities)
{
	struct key mre, mrs;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &mre));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRSIGNER, &mrs));
	self->a = ebroker_enclave_free(self->a);

	/* The same identity. */
	EXPECT_EQ(0, load_in("keyvault", mre.blob, mre.pub));
	EXPECT_EQ(0, load_in("keyvault", mrs.blob, mrs.pub));
	/* Another MRENCLAVE, the same signer. */
	EXPECT_EQ(-EBADMSG, load_in("keyvault-2tcs", mre.blob, mre.pub));
	EXPECT_EQ(0, load_in("keyvault-2tcs", mrs.blob, mrs.pub));
	/* The same code, another signer. */
	EXPECT_EQ(-EBADMSG, load_in("keyvault-other", mrs.blob, mrs.pub));
	EXPECT_EQ(0, load_in("keyvault-other", mre.blob, mre.pub));
	/* A debug build of the same code and signer opens neither. */
	EXPECT_EQ(-EBADMSG, load_in("keyvault-debug", mre.blob, mre.pub));
	EXPECT_EQ(-EBADMSG, load_in("keyvault-debug", mrs.blob, mrs.pub));
	/* ISVSVN 2 opens ISVSVN 1's blobs... */
	EXPECT_EQ(0, load_in("keyvault-svn2", mre.blob, mre.pub));
	EXPECT_EQ(0, load_in("keyvault-svn2", mrs.blob, mrs.pub));
}

/* The reverse directions: debug to production, and a newer ISVSVN down. */
TEST_F(kv, identities_reverse)
{
	uint8_t blob[KV_BLOB_SIZE];
	struct kv_blob_header h;
	struct key dbg, svn2, old;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault-debug"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRSIGNER, &dbg));
	self->a = ebroker_enclave_free(self->a);
	EXPECT_EQ(-EBADMSG, load_in("keyvault", dbg.blob, dbg.pub));
	EXPECT_EQ(0, load_in("keyvault-debug", dbg.blob, dbg.pub));

	/* ...but ISVSVN 1 cannot open ISVSVN 2's: EGETKEY refuses the SVN. */
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault-svn2"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRSIGNER, &svn2));
	memcpy(&h, svn2.blob, sizeof(h));
	EXPECT_EQ(2, h.isv_svn);
	EXPECT_EQ(-EPERM, load_in("keyvault", svn2.blob, svn2.pub));
	EXPECT_EQ(0, load_in("keyvault-svn2", svn2.blob, svn2.pub));

	/* An upgrade: ISVSVN 2 opens an old blob and re-seals it for itself. */
	self->a = ebroker_enclave_free(self->a);
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->b));
	ASSERT_EQ(0, kv_generate(self->b, EB_KEYPOLICY_MRSIGNER, &old));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault-svn2"), NULL, &self->a));
	ASSERT_EQ(0, kv_load(self->a, old.blob, NULL));
	ASSERT_EQ(0, kv_seal(self->a, EB_KEYPOLICY_MRSIGNER, blob));
	memcpy(&h, blob, sizeof(h));
	EXPECT_EQ(2, h.isv_svn);
	EXPECT_EQ(-EPERM, kv_load(self->b, blob, NULL));
	EXPECT_EQ(0, load_in("keyvault-svn2", blob, old.pub));
}

/* The refusal LOAD gives for an MRENCLAVE blob with bit 0 of byte @off flipped. */
static int tamper_error(size_t off)
{
	if (off < 6) /* magic, version */
		return -EPROTONOSUPPORT;
	if (off < 8) /* policy 0 or 0x101 */
		return -EINVAL;
	if (off == 8) /* ISVSVN 0: that SVN's key, not the one sealed with */
		return -EBADMSG;
	if (off == 9) /* ISVSVN 257: above the enclave's */
		return -EPERM;
	if (off < KV_HEADER_SIZE - KV_KEY_ID_SIZE) /* curve, reserved */
		return -EINVAL;
	return -EBADMSG; /* key id, nonce, ciphertext, tag */
}

/*
 * Every byte of a blob matters, each region with its own error; a refused
 * blob leaves the loaded key as it was. Truncated and extended blobs are
 * refused by their size.
 */
TEST_F(kv, tampered_blobs)
{
	static const struct {
		const char *name;
		size_t off, len;
	} regions[] = {
		{ "key id", KV_HEADER_SIZE - KV_KEY_ID_SIZE, KV_KEY_ID_SIZE },
		{ "nonce", KV_BLOB_NONCE_OFF, KV_NONCE_SIZE },
		{ "ciphertext", KV_BLOB_CT_OFF, KV_PRIV_SIZE },
		{ "tag", KV_BLOB_TAG_OFF, KV_TAG_SIZE },
	};
	uint8_t blob[KV_BLOB_SIZE + 1], pub[KV_PUB_SIZE];
	struct key k, other;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &k));
	/* The loaded key is another one, so a wrongly accepted blob shows. */
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &other));

	for (size_t off = 0; off < KV_BLOB_SIZE; off++) {
		memcpy(blob, k.blob, KV_BLOB_SIZE);
		blob[off] ^= 0x01;
		EXPECT_EQ(tamper_error(off), kv_load(self->a, blob, pub))
		{
			TH_LOG("bit 0 of byte %zu flipped", off);
		}
	}
	/* The policy set to MRSIGNER: the other key, and the tag refuses. */
	memcpy(blob, k.blob, KV_BLOB_SIZE);
	((struct kv_blob_header *)blob)->policy = EB_KEYPOLICY_MRSIGNER;
	EXPECT_EQ(-EBADMSG, kv_load(self->a, blob, pub));
	/* Each region taken from another valid blob of this enclave. */
	for (size_t r = 0; r < sizeof(regions) / sizeof(regions[0]); r++) {
		memcpy(blob, k.blob, KV_BLOB_SIZE);
		memcpy(blob + regions[r].off, other.blob + regions[r].off, regions[r].len);
		EXPECT_EQ(-EBADMSG, kv_load(self->a, blob, pub))
		{
			TH_LOG("%s replaced", regions[r].name);
		}
	}

	ASSERT_EQ(0, kv_public_key(self->a, pub));
	EXPECT_EQ(0, memcmp(pub, other.pub, sizeof(pub)));
	EXPECT_TRUE(signs_for(self->a, other.pub, "still the other key"));

	/* Sizes. */
	memcpy(blob, k.blob, KV_BLOB_SIZE);
	blob[KV_BLOB_SIZE] = 0;
	EXPECT_EQ(-EMSGSIZE, kv_load_len(self->a, blob, KV_BLOB_SIZE - 1, pub));
	EXPECT_EQ(-EMSGSIZE, kv_load_len(self->a, blob, KV_BLOB_SIZE + 1, pub));
	EXPECT_EQ(-EMSGSIZE, kv_load_len(self->a, blob, KV_HEADER_SIZE, pub));
	EXPECT_EQ(-EMSGSIZE, kv_load_len(self->a, NULL, 0, pub));
	/* A version 2 blob. */
	((struct kv_blob_header *)blob)->version = 2;
	EXPECT_EQ(-EPROTONOSUPPORT, kv_load(self->a, blob, pub));
	/* The original is still good. */
	ASSERT_EQ(0, kv_load(self->a, k.blob, pub));
	EXPECT_EQ(0, memcmp(pub, k.pub, sizeof(pub)));
	EXPECT_FALSE(ebroker_enclave_dead(self->a));
}

/* Bad requests, each with its error; the enclave lives on. */
TEST_F(kv, bad_requests)
{
	uint8_t digest[KV_DIGEST_SIZE + 1] = { 0 }, out[KV_GENERATE_OUT_SIZE];
	uint8_t pub[KV_PUB_SIZE], blob[KV_BLOB_SIZE];
	struct kv_generate req = { 0 };
	static const uint16_t bad_policies[] = {
		0,
		EB_KEYPOLICY_MRENCLAVE | EB_KEYPOLICY_MRSIGNER,
		EB_KEYPOLICY_NOISVPRODID,
		EB_KEYPOLICY_MRSIGNER | EB_KEYPOLICY_NOISVPRODID,
		0x8000,
	};
	struct key k;
	size_t n;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	/* No key yet. */
	EXPECT_EQ(-ENOKEY, kv_public_key(self->a, pub));
	EXPECT_EQ(-ENOKEY, kv_sign(self->a, digest, out));
	EXPECT_EQ(-ENOKEY, kv_seal(self->a, EB_KEYPOLICY_MRENCLAVE, blob));

	for (size_t i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++) {
		EXPECT_EQ(-EINVAL, kv_generate(self->a, bad_policies[i], &k));
		EXPECT_EQ(-EINVAL, kv_seal(self->a, bad_policies[i], blob));
	}
	req.policy = EB_KEYPOLICY_MRENCLAVE;
	req.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, ebroker_enclave_call(self->a, KV_ECALL_GENERATE, &req, sizeof(req), out,
						sizeof(out), &n));
	req.reserved[2] = 0;
	EXPECT_EQ(-EINVAL, ebroker_enclave_call(self->a, KV_ECALL_GENERATE, &req, sizeof(req) - 1,
						out, sizeof(out), &n));
	EXPECT_EQ(-ENOSPC, ebroker_enclave_call(self->a, KV_ECALL_GENERATE, &req, sizeof(req), out,
						sizeof(out) - 1, &n));
	/* The refusals made no key. */
	EXPECT_EQ(-ENOKEY, kv_public_key(self->a, pub));

	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &k));
	EXPECT_EQ(-EINVAL, ebroker_enclave_call(self->a, KV_ECALL_SIGN, digest, KV_DIGEST_SIZE - 1,
						out, sizeof(out), &n));
	EXPECT_EQ(-EINVAL, ebroker_enclave_call(self->a, KV_ECALL_SIGN, digest, KV_DIGEST_SIZE + 1,
						out, sizeof(out), &n));
	EXPECT_EQ(-ENOSPC, ebroker_enclave_call(self->a, KV_ECALL_SIGN, digest, KV_DIGEST_SIZE, out,
						KV_SIG_SIZE - 1, &n));
	EXPECT_EQ(-EINVAL, ebroker_enclave_call(self->a, KV_ECALL_PUBLIC_KEY, digest, 1, out,
						sizeof(out), &n));
	EXPECT_EQ(-ENOSPC, ebroker_enclave_call(self->a, KV_ECALL_PUBLIC_KEY, NULL, 0, out,
						KV_PUB_SIZE - 1, &n));
	EXPECT_EQ(-ENOSPC, ebroker_enclave_call(self->a, KV_ECALL_LOAD, k.blob, KV_BLOB_SIZE, out,
						KV_PUB_SIZE - 1, &n));
	EXPECT_EQ(-ENOSPC, ebroker_enclave_call(self->a, KV_ECALL_SEAL, &req, sizeof(req), out,
						KV_BLOB_SIZE - 1, &n));
	EXPECT_EQ(-ENOSYS, ebroker_enclave_call(self->a, 5, NULL, 0, NULL, 0, NULL));
	EXPECT_FALSE(ebroker_enclave_dead(self->a));
	EXPECT_TRUE(signs_for(self->a, k.pub, "after the bad requests"));
}

/*
 * The private key cannot be seen from outside, so what is checked is the
 * contract that keeps it in: every ECALL returns exactly its declared size
 * (keyvault.h) however much room it is given, the host's buffer beyond it
 * untouched, and nothing at all when it fails.
 */
TEST_F(kv, output_sizes)
{
	static uint8_t out[65536];
	struct kv_generate req = { .policy = EB_KEYPOLICY_MRSIGNER };
	uint8_t digest[KV_DIGEST_SIZE] = { 1 }, blob[KV_BLOB_SIZE];
	struct {
		uint32_t ecall;
		const void *in;
		size_t in_len, declared;
	} calls[] = {
		{ KV_ECALL_GENERATE, &req, sizeof(req), KV_GENERATE_OUT_SIZE },
		{ KV_ECALL_SIGN, digest, sizeof(digest), KV_SIG_SIZE },
		{ KV_ECALL_PUBLIC_KEY, NULL, 0, KV_PUB_SIZE },
		{ KV_ECALL_SEAL, &req, sizeof(req), KV_BLOB_SIZE },
		{ KV_ECALL_LOAD, blob, sizeof(blob), KV_PUB_SIZE },
		/* failures: nothing */
		{ KV_ECALL_LOAD, blob, sizeof(blob) - 1, 0 },
		{ KV_ECALL_SIGN, digest, sizeof(digest) - 1, 0 },
		{ KV_ECALL_GENERATE, digest, 3, 0 },
	};

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		size_t n = 12345;
		int ret;

		memset(out, 0xa5, sizeof(out));
		ret = ebroker_enclave_call(self->a, calls[i].ecall, calls[i].in, calls[i].in_len,
					   out, sizeof(out), &n);
		EXPECT_EQ(calls[i].declared ? 0 : 1, ret ? 1 : 0);
		EXPECT_EQ(calls[i].declared, n)
		{
			TH_LOG("call %zu (ECALL %u)", i, calls[i].ecall);
		}
		for (size_t j = calls[i].declared; j < sizeof(out); j++)
			if (out[j] != 0xa5) {
				EXPECT_EQ(0xa5, out[j])
				{
					TH_LOG("call %zu wrote byte %zu", i, j);
				}
				break;
			}
		if (calls[i].ecall == KV_ECALL_SEAL && !ret)
			memcpy(blob, out, sizeof(blob));
	}
}

struct signer {
	struct ebroker_enclave *e;
	const uint8_t *pub;
	int id, good, bad;
};

static void *sign_thread(void *arg)
{
	struct signer *s = arg;
	char msg[64];

	for (int i = 0; i < 10;) {
		uint8_t digest[KV_DIGEST_SIZE], sig[KV_SIG_SIZE];
		int ret;

		snprintf(msg, sizeof(msg), "thread %d message %d", s->id, i);
		sha256(msg, strlen(msg), digest);
		ret = kv_sign(s->e, digest, sig);
		if (ret == -EBUSY) {
			sched_yield();
			continue;
		}
		if (!ret && verify(s->pub, msg, strlen(msg), sig))
			s->good++;
		else
			s->bad++;
		i++;
	}
	return NULL;
}

/* Several threads sign at once with the one loaded key. */
TEST_F_TIMEOUT(kv, threads, 300)
{
	enum { NR = 4 };
	struct signer s[NR];
	pthread_t t[NR];
	struct key k;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("keyvault"), NULL, &self->a));
	ASSERT_EQ(0, kv_generate(self->a, EB_KEYPOLICY_MRENCLAVE, &k));
	for (int i = 0; i < NR; i++) {
		s[i] = (struct signer){ .e = self->a, .pub = k.pub, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, sign_thread, &s[i]));
	}
	for (int i = 0; i < NR; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(10, s[i].good);
		EXPECT_EQ(0, s[i].bad);
	}
}

/* ------------------------------------------ seal_reload_test.sh's side */

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return -errno;
	ok = fwrite(buf, 1, len, f) == len;
	ok = !fclose(f) && ok;
	return ok ? 0 : -EIO;
}

static int read_file(const char *path, void *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len, f);
	n += fgetc(f) != EOF; /* longer than expected */
	fclose(f);
	return n == len ? 0 : -EMSGSIZE;
}

static int cmd_seal(const char *path)
{
	char pub_path[PATH_MAX];
	struct ebroker_enclave *e = NULL;
	struct key k;
	int ret;

	snprintf(pub_path, sizeof(pub_path), "%s.pub", path);
	ret = ebroker_enclave_load_file(sample("keyvault"), NULL, &e);
	if (!ret)
		ret = kv_generate(e, EB_KEYPOLICY_MRENCLAVE, &k);
	if (!ret && !signs_for(e, k.pub, "seal"))
		ret = -EPROTO;
	ebroker_enclave_free(e);
	if (!ret)
		ret = write_file(path, k.blob, sizeof(k.blob));
	if (!ret)
		ret = write_file(pub_path, k.pub, sizeof(k.pub));
	if (ret) {
		fprintf(stderr, "keyvault_test seal: %s\n", strerror(-ret));
		return 1;
	}
	printf("sealed to %s\n", path);
	return 0;
}

static int cmd_unseal(const char *path)
{
	uint8_t blob[KV_BLOB_SIZE], pub[KV_PUB_SIZE], got[KV_PUB_SIZE];
	char pub_path[PATH_MAX];
	struct ebroker_enclave *e = NULL;
	int ret;

	snprintf(pub_path, sizeof(pub_path), "%s.pub", path);
	ret = read_file(path, blob, sizeof(blob));
	if (!ret)
		ret = read_file(pub_path, pub, sizeof(pub));
	if (!ret)
		ret = ebroker_enclave_load_file(sample("keyvault"), NULL, &e);
	if (ret) {
		fprintf(stderr, "keyvault_test unseal: %s\n", strerror(-ret));
		return 1;
	}
	ret = kv_load(e, blob, got);
	if (ret) {
		ebroker_enclave_free(e);
		printf("refused: %s\n", strerror(-ret));
		return 2;
	}
	ret = memcmp(got, pub, sizeof(pub)) == 0 && signs_for(e, pub, "unseal") ? 0 : 1;
	ebroker_enclave_free(e);
	if (ret) {
		fprintf(stderr, "keyvault_test unseal: another key, or its signature fails\n");
		return 1;
	}
	printf("unsealed; its signature verifies with the sealed public key\n");
	return 0;
}

/* The harness's main, with the subcommands in front of it. */
#define main keyvault_test_main
TEST_HARNESS_MAIN
#undef main

int main(int argc, char **argv)
{
	int r;

	/* Every enclave here runs in sim: the ENCLU emulation's handlers for
	 * the whole program (the tests' children inherit them). */
	r = ebroker_loader_signals_install();
	if (r) {
		fprintf(stderr, "keyvault_test: ebroker_loader_signals_install: %s\n",
			strerror(-r));
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "seal"))
		return cmd_seal(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unseal"))
		return cmd_unseal(argv[2]);
	return keyvault_test_main(argc, argv);
}
