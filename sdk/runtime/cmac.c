// SPDX-License-Identifier: GPL-2.0
/*
 * AES-128-CMAC (RFC 4493) over BearSSL's constant-time AES: how SGX MACs a
 * REPORT. Plain C with no enclave dependency, so that a host unit test
 * (cmac_test.c) can check it against OpenSSL.
 */
#include <string.h>

#include <bearssl/bearssl_block.h>
#include <ebroker/enclave.h>

/* Multiply by x in GF(2^128), CMAC's subkey step (RFC 4493, 2.3). */
static void cmac_double(uint8_t b[16])
{
	uint8_t carry = b[0] >> 7;

	for (int i = 0; i < 15; i++)
		b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
	b[15] = (uint8_t)(b[15] << 1) ^ (uint8_t)(-carry & 0x87);
}

void ebroker_aes128_cmac(const uint8_t key[16], const void *msg, size_t len, uint8_t mac[16])
{
	const uint8_t *m = msg;
	br_aes_ct64_cbcenc_keys ctx;
	uint8_t x[16] = { 0 }, sub[16] = { 0 }, blk[16];
	size_t last = len ? (len - 1) / 16 * 16 : 0; /* offset of the last block */

	br_aes_ct64_cbcenc_init(&ctx, key, 16);
	/* sub = AES(0), then K1 or K2. */
	br_aes_ct64_cbcenc_run(&ctx, x, sub, 16);
	memset(x, 0, sizeof(x));
	cmac_double(sub);
	if (len == 0 || len % 16)
		cmac_double(sub);

	/* CBC over all blocks but the last: x becomes each ciphertext. */
	for (size_t off = 0; off < last; off += 16) {
		memcpy(blk, m + off, 16);
		br_aes_ct64_cbcenc_run(&ctx, x, blk, 16);
	}
	memset(blk, 0, sizeof(blk));
	memcpy(blk, m + last, len - last);
	if (len - last < 16)
		blk[len - last] = 0x80;
	for (int i = 0; i < 16; i++)
		blk[i] ^= sub[i];
	br_aes_ct64_cbcenc_run(&ctx, x, blk, 16);
	memcpy(mac, blk, 16);

	ebroker_memzero(&ctx, sizeof(ctx));
	ebroker_memzero(sub, sizeof(sub));
	ebroker_memzero(x, sizeof(x));
	ebroker_memzero(blk, sizeof(blk));
}
