// SPDX-License-Identifier: GPL-2.0
/*
 * The attested-session record layer, both ends in one host binary: the
 * client's (libclient/channel.c, OpenSSL) against the enclave's
 * (sdk/runtime/channel.c, BearSSL, and sdk/runtime/session.c's ECALLs,
 * with the enclave runtime underneath stubbed here). They must agree on
 * every byte: the REPORTDATA, the keys, the records; and each end must
 * refuse, for good, anything but the next intact record of the other.
 *
 * Built with EB_RECORD_REKEY_INTERVAL=4 on both sides, so that a few
 * calls cross several re-keys.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ebroker/enclave.h>

#include "common/test.h"
#include "common/util.h"

/* The harness's fixtures define functions without prototypes. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#include "libclient/channel.h"
#include "sdk/runtime/channel.h"

/* From sdk/runtime/runtime.h, which host code cannot include: it makes
 * the C library's string functions hidden, for the enclave's own. */
typedef int (*eb_rt_ecall_fn)(void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);
eb_rt_ecall_fn eb_rt_session_ecall(uint64_t ecall);

#if EB_RECORD_REKEY_INTERVAL != 4
#error "build channel_test with -DEB_RECORD_REKEY_INTERVAL=4"
#endif

#define SID   UINT64_C(0x1122334455667788)
#define SMALL 40

/* --------------------------------------- the enclave runtime, on the host */

int ebroker_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

void ebroker_memzero(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

void *ebroker_malloc(size_t size)
{
	return malloc(size);
}

void *ebroker_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void ebroker_free(void *p)
{
	if (p)
		ebroker_memzero(p, malloc_usable_size(p));
	free(p);
}

/* A REPORT with the body random but for its REPORTDATA; no MAC. */
int ebroker_ereport(const struct eb_targetinfo *ti, const void *reportdata,
		    struct eb_report *report)
{
	RAND_bytes((uint8_t *)report, sizeof(*report));
	memcpy(report->report_data, reportdata, sizeof(report->report_data));
	return 0;
}

/* The enclave's own ECALLs, reached through SESSION_CALL. */
enum { FN_ECHO, FN_FILL, FN_NONE, FN_NEGATIVE, FN_LIAR };

static int fn_echo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	if (in_len > out_cap)
		return -EMSGSIZE;
	memcpy(out, in, in_len);
	*out_len = in_len;
	return (int)in_len;
}

/* Fills the whole capacity it is given: out_cap is what the session
 * layer computed from the ECALL's. */
static int fn_fill(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	memset(out, 0xa5, out_cap);
	*out_len = out_cap;
	return 7;
}

static int fn_negative(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	memcpy(out, "no", 2);
	*out_len = 2;
	return -42;
}

static int fn_liar(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	*out_len = out_cap + 1;
	return 0;
}

EBROKER_ECALL_TABLE(fn_echo, fn_fill, NULL, fn_negative, fn_liar);

/* ---------------------------------------------------- both ends, directly */

struct pair {
	struct eb_chan e;
	struct ebc_channel c;
	uint8_t epub[EB_X25519_KEY_SIZE];
};

static int pair_establish(struct pair *p)
{
	uint8_t epriv[32], rd[EB_REPORTDATA_SIZE], crd[EB_REPORTDATA_SIZE], th[32];
	struct eb_report rep;

	memset(p, 0, sizeof(*p));
	if (ebc_channel_keygen(&p->c) || eb_chan_keygen(epriv, p->epub))
		return -1;
	eb_chan_reportdata(rd, p->epub, p->c.nonce, p->c.client_pub, SID);
	if (ebc_channel_reportdata(p->epub, p->c.nonce, p->c.client_pub, SID, crd) ||
	    memcmp(rd, crd, sizeof(rd)))
		return -2;
	ebroker_ereport(NULL, rd, &rep);
	eb_chan_transcript(th, SID, p->c.nonce, p->c.client_pub, p->epub, (uint8_t *)&rep);
	if (eb_chan_establish(&p->e, epriv, p->c.client_pub, th))
		return -3;
	ebroker_memzero(epriv, sizeof(epriv));
	if (ebc_channel_establish(&p->c, SID, p->epub, (uint8_t *)&rep))
		return -4;
	return 0;
}

static void pair_wipe(struct pair *p)
{
	ebc_channel_wipe(&p->c);
	eb_chan_wipe(&p->e);
}

/*
 * The enclave end serves one CALL record: status is the function number
 * plus 1000, the output is the input. Returns the open's result.
 */
static int enclave_serve(struct eb_chan *e, const uint8_t *rec, size_t len, uint8_t *res,
			 size_t *res_len)
{
	uint8_t *copy = malloc(len ? len : 1), *pt;
	const size_t pre = sizeof(struct eb_record_header) + sizeof(struct eb_record_result);
	struct eb_record_result rr = { 0 };
	struct eb_record_call rc;
	size_t pt_len;
	int ret;

	memcpy(copy, rec, len);
	ret = eb_chan_open_call(e, copy, len, &pt, &pt_len);
	if (!ret) {
		memcpy(&rc, pt, sizeof(rc));
		rr.status = (int32_t)rc.function + 1000;
		memcpy(res + sizeof(struct eb_record_header), &rr, sizeof(rr));
		memcpy(res + pre, pt + sizeof(rc), pt_len - sizeof(rc));
		ret = eb_chan_seal_result(e, res, pt_len, res_len);
	}
	free(copy);
	return ret;
}

#define REC_MAX (EB_RECORD_OVERHEAD + 8 + 8192)

/* One call, client -> enclave -> client, checked. */
static int round_trip(struct pair *p, uint32_t fn, size_t len)
{
	static uint8_t in[8192], out[8192], rec[REC_MAX], res[REC_MAX];
	size_t rec_len, res_len, out_len;
	int32_t status;
	int ret;

	RAND_bytes(in, (int)len);
	ret = ebc_channel_seal_call(&p->c, fn, in, len, rec, sizeof(rec), &rec_len);
	if (ret)
		return ret;
	ret = enclave_serve(&p->e, rec, rec_len, res, &res_len);
	if (ret)
		return ret;
	ret = ebc_channel_open_result(&p->c, res, res_len, &status, out, sizeof(out), &out_len);
	if (ret)
		return ret;
	if (status != (int32_t)fn + 1000 || out_len != len || memcmp(in, out, len))
		return -EPROTO;
	return 0;
}

FIXTURE(pair)
{
	struct pair p;
	uint8_t rec[REC_MAX], res[REC_MAX], out[8192];
	size_t rec_len, res_len, out_len;
	int32_t status;
};

FIXTURE_SETUP(pair)
{
	ASSERT_EQ(0, pair_establish(&self->p));
}

FIXTURE_TEARDOWN(pair)
{
	pair_wipe(&self->p);
}

/* RFC 7748, 5.2's first vector, and a low-order point refused. */
TEST(x25519)
{
	uint8_t k[32], u[32], want[32], got[32];
	const char *ks = "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4";
	const char *us = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c";
	const char *ws = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552";

	for (int i = 0; i < 32; i++) {
		sscanf(ks + 2 * i, "%2hhx", &k[i]);
		sscanf(us + 2 * i, "%2hhx", &u[i]);
		sscanf(ws + 2 * i, "%2hhx", &want[i]);
	}
	ASSERT_EQ(0, eb_chan_x25519(got, k, u));
	EXPECT_EQ(0, memcmp(got, want, 32));
	memset(u, 0, sizeof(u));
	EXPECT_EQ(-EINVAL, eb_chan_x25519(got, k, u));
	u[0] = 1;
	EXPECT_EQ(-EINVAL, eb_chan_x25519(got, k, u));
}

TEST(low_order_keys_refused)
{
	struct ebc_channel c = { 0 };
	struct eb_chan e;
	uint8_t zero[32] = { 0 }, body[EB_REPORT_BODY_SIZE] = { 0 }, priv[32], pub[32],
		th[32] = { 0 };

	ASSERT_EQ(0, ebc_channel_keygen(&c));
	EXPECT_EQ(-EINVAL, ebc_channel_establish(&c, SID, zero, body));
	EXPECT_EQ(EBC_CHANNEL_DEAD, (int)c.state);
	EXPECT_EQ(NULL, c.key);
	EXPECT_EQ(-EBADMSG,
		  ebc_channel_seal_call(&c, 0, NULL, 0, body, sizeof(body), &(size_t){ 0 }));
	ebc_channel_wipe(&c);

	ASSERT_EQ(0, eb_chan_keygen(priv, pub));
	EXPECT_EQ(-EINVAL, eb_chan_establish(&e, priv, zero, th));
	EXPECT_FALSE(e.live);
}

TEST(not_established)
{
	struct ebc_channel c = { 0 };
	uint8_t rec[64];
	size_t n;
	int32_t st;

	EXPECT_EQ(-ENOTCONN, ebc_channel_seal_call(&c, 0, NULL, 0, rec, sizeof(rec), &n));
	ASSERT_EQ(0, ebc_channel_keygen(&c));
	EXPECT_EQ(-ENOTCONN, ebc_channel_open_result(&c, rec, sizeof(rec), &st, NULL, 0, &n));
	ebc_channel_wipe(&c);
	EXPECT_EQ(EBC_CHANNEL_NEW, (int)c.state);
}

/* Twenty calls of assorted sizes: five key generations each way. */
TEST_F(pair, round_trips_across_rekeys)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 1024, 4095, 4096, 5000, 8192 };

	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(0, round_trip(&self->p, (uint32_t)i, sizes[i % ELEMENTSOF(sizes)]))
		{
			TH_LOG("call %d", i);
		}
	}
	EXPECT_EQ(20u, self->p.c.tx.seq);
	EXPECT_EQ(20u, self->p.e.rx.seq);
}

/* A record sealed under the keys of 4 records ago is refused. */
TEST_F(pair, client_that_does_not_rekey_is_refused)
{
	self->p.c.rekey_interval = UINT64_MAX;
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, round_trip(&self->p, 1, SMALL));
	EXPECT_EQ(-EBADMSG, round_trip(&self->p, 1, SMALL));
	EXPECT_FALSE(self->p.e.live);
}

TEST_F(pair, result_with_old_key_is_refused)
{
	struct pair *p = &self->p;
	struct eb_chan stale;
	uint8_t res[EB_RECORD_OVERHEAD + 8];
	size_t n;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, round_trip(p, 1, SMALL));
	stale = p->e; /* tx at seq 3, generation 0 */
	stale.rekey_interval = UINT64_MAX;
	ASSERT_EQ(0, round_trip(p, 1, SMALL)); /* the real end re-keys after seq 3 */
	/* seq 3 then seq 4, both under generation 0 */
	memset(res, 0, sizeof(res));
	ASSERT_EQ(0, eb_chan_seal_result(&stale, res, 8, &n));
	memset(res, 0, sizeof(res));
	ASSERT_EQ(0, eb_chan_seal_result(&stale, res, 8, &n));
	EXPECT_EQ(4u, get_le64(res + 8));
	EXPECT_EQ(-EBADMSG, ebc_channel_open_result(&p->c, res, n, &self->status, self->out,
						    sizeof(self->out), &self->out_len));
	EXPECT_EQ(EBC_CHANNEL_DEAD, (int)p->c.state);
	eb_chan_wipe(&stale);
}

/* Seal a CALL, change it with @mutate, have the enclave refuse it, then
 * refuse the intact one too. */
static int call_attack(struct pair *p, void (*mutate)(uint8_t *rec, size_t *len, size_t arg),
		       size_t arg)
{
	uint8_t rec[REC_MAX], bad[REC_MAX], res[REC_MAX], in[SMALL] = { 1, 2, 3 };
	size_t len, bad_len, res_len;

	if (ebc_channel_seal_call(&p->c, 3, in, sizeof(in), rec, sizeof(rec), &len))
		return -1;
	memcpy(bad, rec, len);
	bad_len = len;
	mutate(bad, &bad_len, arg);
	if (enclave_serve(&p->e, bad, bad_len, res, &res_len) != -EBADMSG)
		return -2;
	if (p->e.live || enclave_serve(&p->e, rec, len, res, &res_len) != -EBADMSG)
		return -3;
	return 0;
}

/* The same for a RESULT, refused by the client. */
static int result_attack(struct pair *p, void (*mutate)(uint8_t *rec, size_t *len, size_t arg),
			 size_t arg)
{
	uint8_t rec[REC_MAX], res[REC_MAX], bad[REC_MAX], out[64], in[SMALL] = { 1, 2, 3 };
	size_t len, res_len, bad_len, out_len;
	int32_t st;

	if (ebc_channel_seal_call(&p->c, 3, in, sizeof(in), rec, sizeof(rec), &len) ||
	    enclave_serve(&p->e, rec, len, res, &res_len))
		return -1;
	memcpy(bad, res, res_len);
	bad_len = res_len;
	mutate(bad, &bad_len, arg);
	memset(out, 0x77, sizeof(out));
	if (ebc_channel_open_result(&p->c, bad, bad_len, &st, out, sizeof(out), &out_len) !=
	    -EBADMSG)
		return -2;
	for (size_t i = 0; i < sizeof(out); i++)
		if (out[i] != 0x77)
			return -3; /* unauthenticated bytes reached the caller */
	if (ebc_channel_open_result(&p->c, res, res_len, &st, out, sizeof(out), &out_len) !=
		-EBADMSG ||
	    ebc_channel_seal_call(&p->c, 3, in, sizeof(in), rec, sizeof(rec), &len) != -EBADMSG)
		return -4;
	return 0;
}

static void flip_bit(uint8_t *rec, size_t *len, size_t bit)
{
	rec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static void truncate_to(uint8_t *rec, size_t *len, size_t n)
{
	*len = n;
}

static void extend_by_one(uint8_t *rec, size_t *len, size_t unused)
{
	rec[(*len)++] = 0;
}

static void randomize(uint8_t *rec, size_t *len, size_t n)
{
	*len = n;
	RAND_bytes(rec, (int)n);
}

/* Random bytes under a header that is right in every field. */
static void randomize_body(uint8_t *rec, size_t *len, size_t unused)
{
	RAND_bytes(rec + 16, (int)(*len - 16));
}

static void set_type(uint8_t *rec, size_t *len, size_t type)
{
	rec[0] = (uint8_t)type;
}

TEST(every_bit_flip_is_refused)
{
	const size_t bits = (EB_RECORD_OVERHEAD + 8 + SMALL) * 8;
	struct pair p;

	for (size_t b = 0; b < bits; b++) {
		ASSERT_EQ(0, pair_establish(&p));
		ASSERT_EQ(0, call_attack(&p, flip_bit, b))
		{
			TH_LOG("CALL, bit %zu", b);
		}
		pair_wipe(&p);
		ASSERT_EQ(0, pair_establish(&p));
		ASSERT_EQ(0, result_attack(&p, flip_bit, b))
		{
			TH_LOG("RESULT, bit %zu", b);
		}
		pair_wipe(&p);
	}
}

TEST(truncated_extended_random_and_mistyped_records_are_refused)
{
	const size_t full = EB_RECORD_OVERHEAD + 8 + SMALL;
	static const size_t cuts[] = { 0, 1, 15, 16, 17, 31, 32, 40, full - 16, full - 1 };
	struct pair p;

	for (size_t i = 0; i < ELEMENTSOF(cuts); i++) {
		ASSERT_EQ(0, pair_establish(&p));
		EXPECT_EQ(0, call_attack(&p, truncate_to, cuts[i])) TH_LOG("cut %zu", cuts[i]);
		pair_wipe(&p);
		ASSERT_EQ(0, pair_establish(&p));
		EXPECT_EQ(0, result_attack(&p, truncate_to, cuts[i])) TH_LOG("cut %zu", cuts[i]);
		pair_wipe(&p);
	}
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, call_attack(&p, extend_by_one, 0));
	pair_wipe(&p);
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, result_attack(&p, extend_by_one, 0));
	pair_wipe(&p);
	for (size_t n = 0; n < 200; n += 7) {
		ASSERT_EQ(0, pair_establish(&p));
		EXPECT_EQ(0, call_attack(&p, randomize, n));
		pair_wipe(&p);
		ASSERT_EQ(0, pair_establish(&p));
		EXPECT_EQ(0, result_attack(&p, randomize, n));
		pair_wipe(&p);
	}
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, call_attack(&p, randomize_body, 0));
	pair_wipe(&p);
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, result_attack(&p, randomize_body, 0));
	pair_wipe(&p);
	/* A RESULT's type on a CALL record, and the reverse. */
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, call_attack(&p, set_type, EB_RECORD_RESULT));
	pair_wipe(&p);
	ASSERT_EQ(0, pair_establish(&p));
	EXPECT_EQ(0, result_attack(&p, set_type, EB_RECORD_CALL));
	pair_wipe(&p);
}

/* The client's own CALL record handed back to it as a result. */
TEST_F(pair, call_record_fed_back_as_result_is_refused)
{
	ASSERT_EQ(0, ebc_channel_seal_call(&self->p.c, 0, "abc", 3, self->rec, sizeof(self->rec),
					   &self->rec_len));
	EXPECT_EQ(-EBADMSG,
		  ebc_channel_open_result(&self->p.c, self->rec, self->rec_len, &self->status,
					  self->out, sizeof(self->out), &self->out_len));
	EXPECT_EQ(-EBADMSG, ebc_channel_seal_call(&self->p.c, 0, "abc", 3, self->rec,
						  sizeof(self->rec), &self->rec_len));
}

TEST_F(pair, replayed_call_is_refused)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, ebc_channel_seal_call(&p->c, 0, "abc", 3, self->rec, sizeof(self->rec),
					   &self->rec_len));
	ASSERT_EQ(0, enclave_serve(&p->e, self->rec, self->rec_len, self->res, &self->res_len));
	EXPECT_EQ(-EBADMSG,
		  enclave_serve(&p->e, self->rec, self->rec_len, self->res, &self->res_len));
	EXPECT_FALSE(p->e.live);
}

TEST_F(pair, replayed_result_is_refused)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, ebc_channel_seal_call(&p->c, 0, "abc", 3, self->rec, sizeof(self->rec),
					   &self->rec_len));
	ASSERT_EQ(0, enclave_serve(&p->e, self->rec, self->rec_len, self->res, &self->res_len));
	ASSERT_EQ(0, ebc_channel_open_result(&p->c, self->res, self->res_len, &self->status,
					     self->out, sizeof(self->out), &self->out_len));
	EXPECT_EQ(1000, self->status);
	EXPECT_EQ(3u, self->out_len);
	EXPECT_EQ(-EBADMSG, ebc_channel_open_result(&p->c, self->res, self->res_len, &self->status,
						    self->out, sizeof(self->out), &self->out_len));
}

/* Two records of each direction in flight: swapped, or the first lost. */
static int two_in_flight(struct pair *p, bool results, bool drop)
{
	uint8_t rec[2][128], res[2][128], out[64];
	size_t len[2], res_len[2], out_len;
	int32_t st;

	for (int i = 0; i < 2; i++)
		if (ebc_channel_seal_call(&p->c, (uint32_t)i, "ab", 2, rec[i], sizeof(rec[i]),
					  &len[i]))
			return -1;
	if (!results) {
		if (enclave_serve(&p->e, rec[1], len[1], res[1], &res_len[1]) != -EBADMSG)
			return -2;
		/* In order now, too late. */
		return enclave_serve(&p->e, rec[0], len[0], res[0], &res_len[0]) == -EBADMSG ? 0
											     : -3;
	}
	for (int i = 0; i < 2; i++)
		if (enclave_serve(&p->e, rec[i], len[i], res[i], &res_len[i]))
			return -4;
	if (ebc_channel_open_result(&p->c, res[1], res_len[1], &st, out, sizeof(out), &out_len) !=
	    -EBADMSG)
		return -5;
	if (drop)
		return 0;
	return ebc_channel_open_result(&p->c, res[0], res_len[0], &st, out, sizeof(out),
				       &out_len) == -EBADMSG
		   ? 0
		   : -6;
}

TEST_F(pair, reordered_calls_are_refused)
{
	EXPECT_EQ(0, two_in_flight(&self->p, false, false));
}

TEST_F(pair, reordered_results_are_refused)
{
	EXPECT_EQ(0, two_in_flight(&self->p, true, false));
}

TEST_F(pair, dropped_result_is_noticed)
{
	EXPECT_EQ(0, two_in_flight(&self->p, true, true));
}

TEST_F(pair, dropped_call_is_noticed)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, ebc_channel_seal_call(&p->c, 0, "a", 1, self->rec, sizeof(self->rec),
					   &self->rec_len));
	/* lost on the way; the next one arrives */
	ASSERT_EQ(0, ebc_channel_seal_call(&p->c, 0, "b", 1, self->rec, sizeof(self->rec),
					   &self->rec_len));
	EXPECT_EQ(-EBADMSG,
		  enclave_serve(&p->e, self->rec, self->rec_len, self->res, &self->res_len));
}

/* Status and output length cross intact; out_cap bounds the copy. */
TEST_F(pair, result_status_and_output_bounds)
{
	struct pair *p = &self->p;
	const size_t pre = sizeof(struct eb_record_header) + sizeof(struct eb_record_result);
	static const int32_t statuses[] = { 0, 1, -1, -ENOSYS, INT32_MIN, INT32_MAX };
	uint8_t out[64];
	size_t n;

	for (size_t i = 0; i < ELEMENTSOF(statuses); i++) {
		struct eb_record_result rr = { .status = statuses[i] };
		size_t olen = i * 10;

		memcpy(self->res + sizeof(struct eb_record_header), &rr, sizeof(rr));
		memset(self->res + pre, (int)i, olen);
		ASSERT_EQ(0, eb_chan_seal_result(&p->e, self->res, sizeof(rr) + olen, &n));
		/* Capacity one short: refused, nothing written, record consumed. */
		memset(out, 0xee, sizeof(out));
		if (olen) {
			uint8_t copy[256];

			memcpy(copy, self->res, n);
			EXPECT_EQ(-ENOBUFS, ebc_channel_open_result(&p->c, copy, n, &self->status,
								    out, olen - 1, &self->out_len));
			for (size_t j = 0; j < sizeof(out); j++)
				ASSERT_EQ(0xee, out[j]);
			EXPECT_EQ(EBC_CHANNEL_LIVE, (int)p->c.state);
			/* the next one, exact capacity */
			memcpy(self->res + sizeof(struct eb_record_header), &rr, sizeof(rr));
			memset(self->res + pre, (int)i, olen);
			ASSERT_EQ(0, eb_chan_seal_result(&p->e, self->res, sizeof(rr) + olen, &n));
		}
		self->status = 12345;
		ASSERT_EQ(0, ebc_channel_open_result(&p->c, self->res, n, &self->status, out, olen,
						     &self->out_len));
		EXPECT_EQ(statuses[i], self->status);
		EXPECT_EQ(olen, self->out_len);
		for (size_t j = 0; j < sizeof(out); j++)
			ASSERT_EQ(j < olen ? (uint8_t)i : 0xee, out[j]);
	}
	/* A RESULT too short for its header: refused. */
	ASSERT_EQ(0, eb_chan_seal_result(&p->e, self->res, 4, &n));
	EXPECT_EQ(-EBADMSG, ebc_channel_open_result(&p->c, self->res, n, &self->status, out,
						    sizeof(out), &self->out_len));
}

TEST_F(pair, seal_call_bounds)
{
	uint8_t in[100] = { 0 };

	EXPECT_EQ(-ENOBUFS,
		  ebc_channel_seal_call(&self->p.c, 0, in, sizeof(in), self->rec,
					EB_RECORD_OVERHEAD + 8 + sizeof(in) - 1, &self->rec_len));
	EXPECT_EQ(0u, self->p.c.tx.seq);
	EXPECT_EQ(0, ebc_channel_seal_call(&self->p.c, 0, in, sizeof(in), self->rec,
					   EB_RECORD_OVERHEAD + 8 + sizeof(in), &self->rec_len));
	EXPECT_EQ(EB_RECORD_OVERHEAD + 8 + sizeof(in), self->rec_len);
}

/* ------------------------------------------ through session.c's ECALLs */

/* What the worker would do: the dispatcher's copies included. */
static int ecall(uint64_t nr, const void *in, size_t in_len, void *out, size_t out_cap,
		 size_t *out_len)
{
	eb_rt_ecall_fn fn = eb_rt_session_ecall(nr);
	void *ibuf = malloc(in_len ? in_len : 1), *obuf = calloc(1, out_cap ? out_cap : 1);
	int ret;

	if (!fn)
		return -ENOSYS;
	memcpy(ibuf, in, in_len);
	*out_len = 0;
	ret = fn(ibuf, in_len, obuf, out_cap, out_len);
	if (*out_len > out_cap)
		ret = -EPROTO;
	else if (*out_len)
		memcpy(out, obuf, *out_len);
	ebroker_free(ibuf);
	ebroker_free(obuf);
	return ret;
}

static int session_open(struct ebc_channel *c, uint64_t sid)
{
	struct eb_session_open_in req = { .session_id = sid };
	struct eb_session_open_out res;
	uint8_t rd[EB_REPORTDATA_SIZE];
	size_t n;
	int ret;

	memset(c, 0, sizeof(*c));
	if (ebc_channel_keygen(c))
		return -EIO;
	memcpy(req.nonce, c->nonce, sizeof(req.nonce));
	memcpy(req.client_pub, c->client_pub, sizeof(req.client_pub));
	ret = ecall(EB_ECALL_SESSION_OPEN, &req, sizeof(req), &res, sizeof(res), &n);
	if (ret)
		return ret;
	if (n != sizeof(res) ||
	    ebc_channel_reportdata(res.enclave_pub, c->nonce, c->client_pub, sid, rd) ||
	    memcmp(rd, res.report.report_data, sizeof(rd)))
		return -EPROTO;
	return ebc_channel_establish(c, sid, res.enclave_pub, (uint8_t *)&res.report);
}

/* A call through SESSION_CALL; @slack is extra ECALL output capacity. */
static int session_call(struct ebc_channel *c, uint64_t sid, uint32_t fn, const void *in,
			size_t in_len, void *out, size_t out_cap, size_t *out_len, int32_t *status)
{
	uint8_t req[8 + REC_MAX], res[REC_MAX];
	size_t rec_len, res_len;
	int ret;

	put_le64(req, sid);
	ret = ebc_channel_seal_call(c, fn, in, in_len, req + 8, sizeof(req) - 8, &rec_len);
	if (ret)
		return ret;
	ret = ecall(EB_ECALL_SESSION_CALL, req, 8 + rec_len, res,
		    EB_RECORD_OVERHEAD + sizeof(struct eb_record_result) + out_cap, &res_len);
	if (ret)
		return ret;
	return ebc_channel_open_result(c, res, res_len, status, out, out_cap, out_len);
}

static int session_close(uint64_t sid)
{
	uint8_t in[8];
	size_t n;

	put_le64(in, sid);
	return ecall(EB_ECALL_SESSION_CLOSE, in, sizeof(in), NULL, 0, &n);
}

FIXTURE(sess)
{
	struct ebc_channel c;
	uint8_t out[8192];
	size_t out_len;
	int32_t status;
};

FIXTURE_SETUP(sess)
{
	ASSERT_EQ(0, session_open(&self->c, SID));
}

FIXTURE_TEARDOWN(sess)
{
	ebc_channel_wipe(&self->c);
}

TEST_F(sess, calls)
{
	for (size_t i = 0; i < 20; i++) {
		uint8_t in[1024];

		RAND_bytes(in, sizeof(in));
		ASSERT_EQ(0, session_call(&self->c, SID, FN_ECHO, in, i * 50, self->out,
					  sizeof(self->out), &self->out_len, &self->status));
		EXPECT_EQ((int32_t)(i * 50), self->status);
		ASSERT_EQ(i * 50, self->out_len);
		EXPECT_EQ(0, memcmp(in, self->out, i * 50));
	}
	/* The function gets exactly what the ECALL's capacity leaves. */
	ASSERT_EQ(0, session_call(&self->c, SID, FN_FILL, NULL, 0, self->out, 333, &self->out_len,
				  &self->status));
	EXPECT_EQ(7, self->status);
	EXPECT_EQ(333u, self->out_len);
	ASSERT_EQ(0, session_call(&self->c, SID, FN_NONE, NULL, 0, self->out, 10, &self->out_len,
				  &self->status));
	EXPECT_EQ(-ENOSYS, self->status);
	ASSERT_EQ(0, session_call(&self->c, SID, 999999, NULL, 0, self->out, 10, &self->out_len,
				  &self->status));
	EXPECT_EQ(-ENOSYS, self->status);
	ASSERT_EQ(0, session_call(&self->c, SID, FN_NEGATIVE, NULL, 0, self->out, 10,
				  &self->out_len, &self->status));
	EXPECT_EQ(-42, self->status);
	EXPECT_EQ(2u, self->out_len);
	ASSERT_EQ(0, session_call(&self->c, SID, FN_LIAR, NULL, 0, self->out, 10, &self->out_len,
				  &self->status));
	EXPECT_EQ(-EPROTO, self->status);
	EXPECT_EQ(0u, self->out_len);
	EXPECT_EQ(0, session_close(SID));
	EXPECT_EQ(-ENOENT, session_close(SID));
	EXPECT_EQ(-ENOENT, session_call(&self->c, SID, FN_ECHO, "x", 1, self->out, 10,
					&self->out_len, &self->status));
}

TEST_F(sess, open_checks)
{
	struct ebc_channel c2 = { 0 };
	struct {
		struct eb_session_open_in req;
		uint8_t extra;
	} __attribute__((packed)) big = { .req.session_id = 99 };
	struct eb_session_open_in req = big.req;
	uint8_t res[sizeof(struct eb_session_open_out) + 1];
	size_t n;

	EXPECT_EQ(-EEXIST, session_open(&c2, SID));
	ebc_channel_wipe(&c2);
	EXPECT_EQ(-EINVAL,
		  ecall(EB_ECALL_SESSION_OPEN, &req, sizeof(req) - 1, res, sizeof(res), &n));
	EXPECT_EQ(-EINVAL, ecall(EB_ECALL_SESSION_OPEN, &big, sizeof(big), res, sizeof(res), &n));
	EXPECT_EQ(-ENOBUFS,
		  ecall(EB_ECALL_SESSION_OPEN, &req, sizeof(req), res, sizeof(res) - 2, &n));
	/* A low-order client key. */
	EXPECT_EQ(-EINVAL, ecall(EB_ECALL_SESSION_OPEN, &req, sizeof(req), res, sizeof(res), &n));
	EXPECT_EQ(0u, n);
	EXPECT_EQ(-ENOENT, session_close(99));
	EXPECT_EQ(-EINVAL, ecall(EB_ECALL_SESSION_CLOSE, &req, 7, NULL, 0, &n));
	EXPECT_TRUE(eb_rt_session_ecall(EB_ECALL_RT_BASE) == NULL);
	EXPECT_TRUE(eb_rt_session_ecall(EB_ECALL_SESSION_CLOSE + 1) == NULL);
}

/* A bad record ends the session in the enclave; a short output buffer
 * does not (the record is not even opened). */
TEST_F(sess, failed_record_ends_the_session)
{
	uint8_t req[8 + 64], res[64];
	size_t len, n;

	put_le64(req, SID);
	ASSERT_EQ(
	    0, ebc_channel_seal_call(&self->c, FN_ECHO, "hi", 2, req + 8, sizeof(req) - 8, &len));
	EXPECT_EQ(-ENOBUFS, ecall(EB_ECALL_SESSION_CALL, req, 8 + len, res,
				  EB_RECORD_OVERHEAD + sizeof(struct eb_record_result) - 1, &n));
	req[8 + len - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, ecall(EB_ECALL_SESSION_CALL, req, 8 + len, res, sizeof(res), &n));
	EXPECT_EQ(0u, n);
	req[8 + len - 1] ^= 1;
	EXPECT_EQ(-ENOENT, ecall(EB_ECALL_SESSION_CALL, req, 8 + len, res, sizeof(res), &n));
	EXPECT_EQ(-ENOENT, session_close(SID));
	EXPECT_EQ(-EINVAL, ecall(EB_ECALL_SESSION_CALL, req, 7, res, sizeof(res), &n));
	/* The id is free again. */
	ebc_channel_wipe(&self->c);
	EXPECT_EQ(0, session_open(&self->c, SID));
}

TEST(session_table_limit)
{
	static struct ebc_channel c[257];
	int i;

	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, session_open(&c[i], (uint64_t)i + 1));
	EXPECT_EQ(-ENOMEM, session_open(&c[256], 1000));
	ASSERT_EQ(0, session_close(17));
	EXPECT_EQ(0, session_open(&c[256], 1000));
	for (i = 0; i < 257; i++) {
		if (i != 16)
			EXPECT_EQ(0, session_close(i == 256 ? 1000 : (uint64_t)i + 1));
		ebc_channel_wipe(&c[i]);
	}
}

/* Threads calling on sessions of their own, and one that opens and
 * closes others' ids all along (its calls may meet -ENOENT). */
struct worker {
	uint64_t sid;
	int calls, failures;
	bool closer;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ebc_channel c = { 0 };
	uint8_t in[256], out[256];
	size_t out_len;
	int32_t st;

	if (w->closer) {
		for (int i = 0; i < w->calls; i++) {
			if (session_open(&c, 5000 + (uint64_t)(i % 4)) ||
			    session_call(&c, 5000 + (uint64_t)(i % 4), FN_ECHO, "z", 1, out,
					 sizeof(out), &out_len, &st) ||
			    session_close(5000 + (uint64_t)(i % 4)))
				w->failures++;
			ebc_channel_wipe(&c);
		}
		return NULL;
	}
	if (session_open(&c, w->sid)) {
		w->failures++;
		return NULL;
	}
	for (int i = 0; i < w->calls; i++) {
		size_t len = (size_t)(i * 37) % sizeof(in);

		memset(in, i, len);
		if (session_call(&c, w->sid, FN_ECHO, in, len, out, sizeof(out), &out_len, &st) ||
		    out_len != len || memcmp(in, out, len) || st != (int32_t)len)
			w->failures++;
	}
	if (session_close(w->sid))
		w->failures++;
	ebc_channel_wipe(&c);
	return NULL;
}

TEST(concurrent_sessions)
{
	struct worker w[9];
	pthread_t t[9];

	for (int i = 0; i < 9; i++) {
		w[i] = (struct worker){ .sid = 100 + (uint64_t)i, .calls = 200, .closer = i == 8 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, work, &w[i]));
	}
	for (int i = 0; i < 9; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].failures) TH_LOG("worker %d", i);
	}
}

/* Two threads on one session: the client side serialises (as libebroker's
 * session lock does); the enclave side must stay consistent. */
struct shared {
	struct ebc_channel c;
	pthread_mutex_t lock;
	int failures;
};

static void *share(void *arg)
{
	struct shared *s = arg;
	uint8_t out[16];
	size_t out_len;
	int32_t st;

	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&s->lock);
		if (session_call(&s->c, SID, FN_ECHO, "abcd", 4, out, sizeof(out), &out_len, &st) ||
		    out_len != 4)
			s->failures++;
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

TEST(one_session_two_threads)
{
	static struct shared s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[2];

	ASSERT_EQ(0, session_open(&s.c, SID));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, share, &s));
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, s.failures);
	EXPECT_EQ(600u, s.c.tx.seq);
	EXPECT_EQ(0, session_close(SID));
	ebc_channel_wipe(&s.c);
}

TEST_HARNESS_MAIN
