// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the session record layer's two parsers: the
 * client's ebc_channel_open_result() (libclient/channel.c) and the
 * enclave's eb_chan_open_call() (sdk/runtime/channel.c, built for the
 * host). Both channels are established once, from fixed keys, so that the
 * seeds (libclient/fuzz-seeds) can hold records that authenticate and let
 * the fuzzer past the tag; it re-keys every 2 records here.
 *
 * Input: one byte choosing the side (bit 0: 0 client, 1 enclave), then
 * records, each a le16 length and that many bytes, opened in order on a
 * fresh channel until one fails.
 *
 * EB_FUZZ_WRITE_SEEDS=DIR ./record_fuzz writes the seed corpus into DIR
 * and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <ebroker/enclave.h>

#include "common/util.h"
#include "libclient/channel.h"
#include "sdk/runtime/channel.h"

#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define SID UINT64_C(42)

/* The enclave runtime's two functions that channel.c uses: here a fixed
 * stream, so that every run has the same keys. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

int ebroker_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)rng_state;
	}
	return 0;
}

void ebroker_memzero(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static const uint8_t client_priv[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint8_t enclave_pub[32], body[EB_REPORT_BODY_SIZE];
static struct eb_chan enclave0; /* established: copied for every input */
static struct ebc_channel client;

/* The client's end at seq 0, with the fixed key. */
static int client_fresh(void)
{
	size_t len = sizeof(client.client_pub);

	if (client.state == EBC_CHANNEL_LIVE && !client.rx.seq && !client.tx.seq)
		return 0;
	ebc_channel_wipe(&client);
	client.key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, client_priv, 32);
	if (!client.key || EVP_PKEY_get_raw_public_key(client.key, client.client_pub, &len) != 1)
		return -1;
	memset(client.nonce, 0x4e, sizeof(client.nonce));
	client.state = EBC_CHANNEL_KEYED;
	return ebc_channel_establish(&client, SID, enclave_pub, body);
}

static void write_seed(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t put_rec(uint8_t *seed, size_t off, const uint8_t *rec, size_t n)
{
	seed[off] = (uint8_t)n;
	seed[off + 1] = (uint8_t)(n >> 8);
	memcpy(seed + off + 2, rec, n);
	return off + 2 + n;
}

/* Valid sequences of 1, 3 and 5 records (crossing re-keys) each way. */
static void write_seeds(const char *dir)
{
	static const size_t lens[] = { 0, 1, 37, 300, 2000 };
	uint8_t seed[2][16384], rec[4096], *pt;
	size_t off[2] = { 1, 1 }, n, pt_len;
	struct eb_chan e = enclave0;
	char name[32];

	seed[0][0] = 0;
	seed[1][0] = 1;
	for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
		uint8_t in[2048];

		memset(in, (int)i, lens[i]);
		if (ebc_channel_seal_call(&client, (uint32_t)i, in, lens[i], rec, sizeof(rec), &n))
			exit(1);
		off[1] = put_rec(seed[1], off[1], rec, n);
		if (eb_chan_open_call(&e, rec, n, &pt, &pt_len))
			exit(1);
		/* The result: status i, the input back. */
		memmove(rec + sizeof(struct eb_record_header) + 8, pt + 8, pt_len - 8);
		memset(rec + sizeof(struct eb_record_header), 0, 8);
		rec[sizeof(struct eb_record_header)] = (uint8_t)i;
		if (eb_chan_seal_result(&e, rec, pt_len, &n))
			exit(1);
		off[0] = put_rec(seed[0], off[0], rec, n);
		if (i == 0 || i == 2 || i == 4) {
			for (int s = 0; s < 2; s++) {
				snprintf(name, sizeof(name), "%s-%zu", s ? "call" : "result",
					 i + 1);
				write_seed(dir, name, seed[s], off[s]);
			}
		}
	}
	eb_chan_wipe(&e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t epriv[32], th[32];
	const char *dir = getenv("EB_FUZZ_WRITE_SEEDS");

	if (eb_chan_keygen(epriv, enclave_pub))
		abort();
	memset(body, 0xb0, sizeof(body));
	client.state = EBC_CHANNEL_NEW;
	if (client_fresh())
		abort();
	eb_chan_transcript(th, SID, client.nonce, client.client_pub, enclave_pub, body);
	if (eb_chan_establish(&enclave0, epriv, client.client_pub, th))
		abort();
	ebroker_memzero(epriv, sizeof(epriv));
	if (dir) {
		write_seeds(dir);
		ebc_channel_wipe(&client);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_chan e;
	bool enclave;

	if (size < 1)
		return 0;
	enclave = data[0] & 1;
	data++;
	size--;
	if (enclave)
		e = enclave0;
	else if (client_fresh())
		abort();

	while (size >= 2) {
		size_t n = data[0] | (size_t)data[1] << 8;
		uint8_t *rec, out[256], *pt;
		size_t out_len, pt_len;
		int32_t status;
		int ret;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		/* An exact-size copy: any read past the record trips ASan. */
		rec = malloc(n ? n : 1);
		if (!rec)
			abort();
		memcpy(rec, data, n);
		if (enclave) {
			ret = eb_chan_open_call(&e, rec, n, &pt, &pt_len);
			if (!ret && (pt < rec || pt + pt_len > rec + n))
				abort();
		} else {
			ret = ebc_channel_open_result(&client, rec, n, &status, out, sizeof(out),
						      &out_len);
			if (!ret && out_len > sizeof(out))
				abort();
		}
		free(rec);
		data += n;
		size -= n;
		/* -ENOBUFS consumed the record and left the channel live. */
		if (ret && ret != -ENOBUFS)
			break;
	}
	if (enclave)
		eb_chan_wipe(&e);
	return 0;
}
