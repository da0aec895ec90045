// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the runtime's AES-128-CMAC (cmac.c), which enclaves
 * use to check REPORT MACs: RFC 4493's vectors, then every length from 0
 * to 512 bytes against OpenSSL's CMAC.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ebroker/enclave.h>

/* The harness defines non-static functions without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* cmac.c's one dependency on the rest of the runtime. */
void ebroker_memzero(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

/* RFC 4493, section 4. */
TEST(rfc4493)
{
	static const struct {
		size_t len;
		const char *mac;
	} vec[] = {
		{ 0, "bb1d6929e95937287fa37d129b756746" },
		{ 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ 40, "dfa66747de9ae63030ca32611497c827" },
		{ 64, "51f0bebf7e3b9d92fc49741779363cfe" },
	};
	uint8_t key[16], msg[64], want[16], mac[16];

	hex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof(key));
	hex("6bc1bee22e409f96e93d7e117393172a"
	    "ae2d8a571e03ac9c9eb76fac45af8e51"
	    "30c81c46a35ce411e5fbc1191a0a52ef"
	    "f69f2445df4f9b17ad2b417be66c3710",
	    msg, sizeof(msg));
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		hex(vec[i].mac, want, sizeof(want));
		ebroker_aes128_cmac(key, msg, vec[i].len, mac);
		EXPECT_EQ(0, memcmp(mac, want, sizeof(mac)))
		{
			TH_LOG("length %zu", vec[i].len);
		}
	}
}

TEST(matches_openssl)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
	uint8_t key[16], msg[512], mac[16], want[16];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};

	ASSERT_NE(NULL, m);
	for (size_t len = 0; len <= sizeof(msg); len++) {
		EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(m);
		size_t n = 0;

		ASSERT_NE(NULL, ctx);
		ASSERT_EQ(1, RAND_bytes(key, sizeof(key)));
		ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
		ASSERT_EQ(1, EVP_MAC_init(ctx, key, sizeof(key), params));
		ASSERT_EQ(1, EVP_MAC_update(ctx, msg, len));
		ASSERT_EQ(1, EVP_MAC_final(ctx, want, &n, sizeof(want)));
		EVP_MAC_CTX_free(ctx);
		ebroker_aes128_cmac(key, msg, len, mac);
		ASSERT_EQ(0, memcmp(mac, want, sizeof(mac)))
		{
			TH_LOG("length %zu", len);
		}
	}
	EVP_MAC_free(m);
}

TEST_HARNESS_MAIN
