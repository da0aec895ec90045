// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for libebroker against a fake ebrokerd and a fake worker:
 * a thread in the test serves the daemon's end of a socketpair (the
 * library's end is given to ebc_from_fd()) and the worker's end of each
 * session socketpair it hands out in OPENED, following a script per test.
 *
 * The fake speaks protocol 2 as the real parts do: its OPENED carries a
 * real `sim` quote (verify/testquote.h) whose REPORTDATA binds the OPEN's
 * nonce and client key, the session id and the fake enclave's X25519 key,
 * and its worker opens CALL records and seals RESULT records with the
 * enclave's end of the channel (sdk/runtime/channel.c, built for the
 * host), keyed over the transcript of the very REPORT body that went into
 * the quote. What OPENED says besides the quote (MRENCLAVE, MRSIGNER,
 * ISVPRODID, ISVSVN) differs from the quote on purpose: the library must
 * believe only the quote.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <ebroker/enclave.h>

#include "common/test.h"
#include "common/util.h"
#include "sdk/runtime/channel.h"
#include "verify/testquote.h"

#include "internal.h"

#define SID	      UINT64_C(7)
#define WAIT_MS	      5000
#define ENDED_ENCLAVE "enclave faulted: #PF at 0x1000"
/* What OPENED says of the enclave, besides its quote (which says TQ_*). */
#define DAEMON_MR_BYTE	 0xaa
#define DAEMON_ISVPRODID 5
#define DAEMON_ISVSVN	 2
/* The largest record the fake enclave seals or opens. */
#define REC_MAX 8192

/* --------------------------------------- the enclave runtime, on the host */

/* What sdk/runtime/channel.c takes from the rest of the runtime. */
int ebroker_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

void ebroker_memzero(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

/* ------------------------------------------------------------------ the fake */

struct fake {
	int ctl;    /* the daemon's end of the control connection */
	int worker; /* the worker's end of the last session opened */
	pthread_t thread;
	void (*script)(struct fake *f);
	int failures; /* checks that failed in the server thread */
	uint32_t max_msg;
	uint8_t nonce[2][EBP_NONCE_SIZE];
	int lists; /* LIST requests seen */

	/* Set before fake_start(): what the daemon forges in OPENED. */
	bool forge_nonce;  /* the quote binds another nonce than the OPEN's, and says so */
	bool forge_client; /* ... another client key than the OPEN's, and says so */
	bool hide_nonce;   /* ... another nonce, but OPENED echoes the OPEN's */
	bool forge_key;	   /* ENCLAVE_KEY is another key than the quote binds */

	/* The platform whose root the client's policy trusts (fake_init()). */
	struct tq_platform *platform;
	struct ebroker_policy policy;	     /* the client's */
	struct ebroker_session_options opts; /* the client's, with .policy */

	/* The enclave of the last session opened: the server thread's. */
	struct eb_chan chan;
	struct eb_report report; /* its REPORT, as the quote carries it */
	uint8_t *quote;		 /* the quote OPENED carried */
	size_t quote_len;
	uint8_t last_rec[REC_MAX]; /* the last RESULT record sealed */
	size_t last_rec_len;
};

#define SRV_CHECK(f, cond)                                                              \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fake server, line %d: %s\n", __LINE__, #cond); \
			(f)->failures++;                                                \
		}                                                                       \
	} while (0)

/* The next message on @fd, or -errno; 0 at end of stream. */
static ssize_t srv_recv(int fd, uint8_t *buf, size_t cap, struct ebp_msg *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, WAIT_MS) != 1)
		return -ETIMEDOUT;
	n = ebp_recv(fd, buf, cap, NULL);
	if (n <= 0)
		return n;
	return ebp_parse(buf, n, false, m, NULL) < 0 ? -EBADMSG : n;
}

static void srv_send(struct fake *f, int fd, struct nl_msg *m, int pass)
{
	SRV_CHECK(f, ebp_send(fd, m, pass) == 0);
	nlmsg_free(m);
}

static struct nl_msg *srv_msg(uint16_t type, uint32_t id)
{
	struct nl_msg *m;

	if (ebp_msg_new(type, id, EBP_CONTROL_MSG_MAX - 64, &m) < 0)
		abort();
	return m;
}

/*
 * Answers OPEN @open as ebrokerd, the worker and the enclave do together:
 * the enclave makes its key and a REPORT binding the session's claims, the
 * quoting enclave quotes it, and the enclave keys its channel over the
 * transcript of that REPORT body; OPENED carries the quote, the key and
 * the client's end of a new session socketpair.
 */
static void srv_opened(struct fake *f, uint32_t id, uint64_t sid, const struct ebp_msg *open)
{
	uint8_t mr[EBP_HASH_SIZE], priv[EB_X25519_KEY_SIZE], th[32];
	struct ebroker_claims c = { .session_id = sid };
	struct nl_msg *m = srv_msg(EBP_MSG_OPENED, id);
	struct tq_params q;
	int sv[2];

	memcpy(c.nonce, nla_data(open->attrs[EBP_A_NONCE]), sizeof(c.nonce));
	memcpy(c.client_pub, nla_data(open->attrs[EBP_A_CLIENT_KEY]), sizeof(c.client_pub));
	if (f->forge_nonce || f->hide_nonce)
		c.nonce[0] ^= 1; /* a quote made for another OPEN (a replay) */
	if (f->forge_client)
		c.client_pub[0] ^= 1; /* ... for another client's key */
	SRV_CHECK(f, eb_chan_keygen(priv, c.enclave_pub) == 0);

	tq_params_default(f->platform, &q);
	ebroker_claims_reportdata(&c, q.body.report_data);
	f->report = q.body;
	free(f->quote);
	f->quote = NULL;
	if (tq_quote(&q, &f->quote, &f->quote_len) < 0)
		abort();
	SRV_CHECK(f, !memcmp(f->quote + TQ_OFF_BODY, &f->report, EB_REPORT_BODY_SIZE));
	eb_chan_transcript(th, sid, c.nonce, c.client_pub, c.enclave_pub, f->quote + TQ_OFF_BODY);
	SRV_CHECK(f, eb_chan_establish(&f->chan, priv, c.client_pub, th) == 0);
	ebroker_memzero(priv, sizeof(priv));
	if (f->forge_key)
		SRV_CHECK(f, eb_chan_keygen(priv, c.enclave_pub) == 0); /* the daemon's own */

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	memset(mr, DAEMON_MR_BYTE, sizeof(mr));
	nla_put_u64(m, EBP_A_SESSION_ID, sid);
	nla_put_u64(m, EBP_A_INSTANCE_ID, 3);
	nla_put(m, EBP_A_MRENCLAVE, sizeof(mr), mr);
	nla_put(m, EBP_A_MRSIGNER, sizeof(mr), mr);
	nla_put_u32(m, EBP_A_ISVPRODID, DAEMON_ISVPRODID);
	nla_put_u32(m, EBP_A_ISVSVN, DAEMON_ISVSVN);
	nla_put_u32(m, EBP_A_MAX_MSG, f->max_msg ? f->max_msg : 4096);
	nla_put(m, EBP_A_QUOTE, (int)f->quote_len, f->quote);
	nla_put(m, EBP_A_ENCLAVE_KEY, sizeof(c.enclave_pub), c.enclave_pub);
	/* The claims the enclave was given, as the daemon echoes them. */
	if (f->hide_nonce)
		c.nonce[0] ^= 1;
	nla_put(m, EBP_A_NONCE, sizeof(c.nonce), c.nonce);
	nla_put(m, EBP_A_CLIENT_KEY, sizeof(c.client_pub), c.client_pub);
	srv_send(f, f->ctl, m, sv[0]);
	close(sv[0]);
	f->worker = sv[1];
}

static void srv_session(struct fake *f, uint32_t id, uint64_t sid, bool ended, const char *reason)
{
	struct nl_msg *m = srv_msg(EBP_MSG_SESSION, id);

	nla_put_u64(m, EBP_A_SESSION_ID, sid);
	nla_put_u32(m, EBP_A_UID, 1000 + (uint32_t)sid);
	nla_put_u32(m, EBP_A_PID, 4000 + (uint32_t)sid);
	nla_put_string(m, EBP_A_CGROUP, "/tenants/alice");
	nla_put_string(m, EBP_A_ENCLAVE, "echo");
	nla_put_u64(m, EBP_A_INSTANCE_ID, 3);
	nla_put_u32(m, EBP_A_WORKER_PID, 77);
	nla_put_u64(m, EBP_A_AGE_MS, 1500);
	nla_put_u64(m, EBP_A_CALLS, 12);
	nla_put_u32(m, EBP_A_STATE, ended ? EBP_STATE_ENDED : EBP_STATE_OPEN);
	if (reason)
		nla_put_string(m, EBP_A_REASON, reason);
	srv_send(f, f->ctl, m, -1);
}

/* Expects a message of @type on @fd and returns its request id (0 if none came). */
static uint32_t srv_expect(struct fake *f, int fd, uint16_t type, uint8_t *buf, size_t cap,
			   struct ebp_msg *m)
{
	ssize_t n = srv_recv(fd, buf, cap, m);

	SRV_CHECK(f, n > 0);
	if (n <= 0)
		return 0;
	SRV_CHECK(f, m->type == type);
	return m->type == type ? m->request_id : 0;
}

/* Expects OPEN of "echo" and answers it with session SID; false if none came. */
static bool srv_accept(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);

	if (!id)
		return false;
	SRV_CHECK(f, !strcmp(ebp_get_str(&m, EBP_A_ENCLAVE), "echo"));
	memcpy(f->nonce[0], nla_data(m.attrs[EBP_A_NONCE]), EBP_NONCE_SIZE);
	srv_opened(f, id, SID, &m);
	return true;
}

/* A CALL as the enclave sees it, once its record has opened. */
struct call {
	uint32_t id; /* the request's */
	uint32_t out_max;
	uint32_t function;
	const uint8_t *in; /* inside the caller's buffer */
	size_t in_len;
	size_t rec_len;
	uint8_t rec[REC_MAX]; /* the record as it came, encrypted */
};

/*
 * Expects a CALL on the session and opens its record with the enclave's
 * channel, which accepts only the next intact CALL record; false if none
 * came or it did not open.
 */
static bool srv_call(struct fake *f, uint8_t *buf, size_t cap, struct call *ret)
{
	const struct nlattr *rec;
	struct eb_record_call hdr;
	struct ebp_msg m;
	size_t pt_len;
	uint8_t *pt;
	int r;

	ret->id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, cap, &m);
	if (!ret->id)
		return false;
	rec = m.attrs[EBP_A_RECORD];
	SRV_CHECK(f, rec && m.attrs[EBP_A_OUT_MAX] && !m.attrs[EBP_A_DATA]);
	if (!rec || !m.attrs[EBP_A_OUT_MAX] || (size_t)nla_len(rec) > sizeof(ret->rec))
		return false;
	ret->out_max = nla_get_u32(m.attrs[EBP_A_OUT_MAX]);
	ret->rec_len = (size_t)nla_len(rec);
	memcpy(ret->rec, nla_data(rec), ret->rec_len);
	r = eb_chan_open_call(&f->chan, nla_data(rec), ret->rec_len, &pt, &pt_len);
	SRV_CHECK(f, r == 0);
	if (r < 0)
		return false;
	memcpy(&hdr, pt, sizeof(hdr));
	SRV_CHECK(f, hdr.reserved == 0);
	ret->function = hdr.function;
	ret->in = pt + sizeof(hdr);
	ret->in_len = pt_len - sizeof(hdr);
	return true;
}

/* The enclave's next RESULT record, into @rec (REC_MAX bytes); returns its length. */
static size_t srv_seal(struct fake *f, int status, const void *out, size_t len, uint8_t *rec)
{
	struct eb_record_result r = { .status = status };
	uint8_t *pt = rec + sizeof(struct eb_record_header);
	size_t n = 0;

	if (EB_RECORD_OVERHEAD + sizeof(r) + len > REC_MAX)
		abort();
	memcpy(pt, &r, sizeof(r));
	if (len)
		memcpy(pt + sizeof(r), out, len);
	SRV_CHECK(f, eb_chan_seal_result(&f->chan, rec, sizeof(r) + len, &n) == 0);
	memcpy(f->last_rec, rec, n);
	f->last_rec_len = n;
	return n;
}

static void srv_send_record(struct fake *f, uint32_t id, const uint8_t *rec, size_t len)
{
	struct nl_msg *m = srv_msg(EBP_MSG_RESULT, id);

	nla_put(m, EBP_A_RECORD, (int)len, rec);
	srv_send(f, f->worker, m, -1);
}

/* Answers call @id with the enclave function's @status and output. */
static void srv_result(struct fake *f, uint32_t id, int status, const void *out, size_t len)
{
	uint8_t rec[REC_MAX];

	srv_send_record(f, id, rec, srv_seal(f, status, out, len, rec));
}

/* Answers LIST with SESSION_ID: still open @open_times times, then ended with @reason. */
static void srv_explain(struct fake *f, int open_times, const char *reason)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;

	for (int i = 0; i <= open_times; i++) {
		uint32_t id = srv_expect(f, f->ctl, EBP_MSG_LIST, buf, sizeof(buf), &m);

		if (!id)
			return;
		f->lists++;
		SRV_CHECK(f, m.attrs[EBP_A_SESSION_ID] &&
				 nla_get_u64(m.attrs[EBP_A_SESSION_ID]) == SID);
		srv_session(f, id, SID, i == open_times, i == open_times ? reason : NULL);
		ebp_send_empty(f->ctl, EBP_MSG_DONE, id);
	}
}

/* The client's end closes: no more requests come. */
static void srv_until_eof(struct fake *f, int fd)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;

	SRV_CHECK(f, srv_recv(fd, buf, sizeof(buf), &m) == 0);
}

static void srv_until_eof_ctl_script(struct fake *f)
{
	srv_until_eof(f, f->ctl);
}

/* A session, then nothing on it: for what the client learns at the open. */
static void script_open_idle(struct fake *f)
{
	if (!srv_accept(f))
		return;
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

static void *srv_main(void *arg)
{
	struct fake *f = arg;

	f->script(f);
	return NULL;
}

/*
 * A platform for the fake's quotes and the client's policy trusting it:
 * its root, `sim` evidence allowed, and the MRSIGNER and ISVPRODID its
 * enclave's REPORT carries. Tests change the policy after this.
 */
static void fake_init(struct fake *f)
{
	struct tq_params q;

	if (tq_platform_new(NULL, &f->platform) < 0)
		abort();
	tq_params_default(f->platform, &q);
	f->policy = (struct ebroker_policy){
		.size = sizeof(f->policy),
		.flags = EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_ALLOW_SIMULATED,
		.isv_prod_id = q.body.isv_prod_id,
		.root_pem = f->platform->root_pem,
	};
	memcpy(f->policy.mrsigner, q.body.mrsigner, sizeof(f->policy.mrsigner));
	f->opts = (struct ebroker_session_options){ .size = sizeof(f->opts), .policy = &f->policy };
}

static struct ebroker *fake_start(struct fake *f, void (*script)(struct fake *f))
{
	struct ebroker *b = NULL;
	int sv[2];

	if (!f->platform)
		fake_init(f);
	f->script = script;
	f->worker = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	f->ctl = sv[1];
	if (ebc_from_fd(sv[0], "fake", &b) < 0)
		abort();
	if (pthread_create(&f->thread, NULL, srv_main, f))
		abort();
	return b;
}

/* Joins the server thread; returns the number of its failed checks. */
static int fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->ctl);
	if (f->worker >= 0)
		close(f->worker);
	eb_chan_wipe(&f->chan);
	free(f->quote);
	f->quote = NULL;
	tq_platform_free(f->platform);
	f->platform = NULL;
	return f->failures;
}

static struct ebroker_error last(void)
{
	struct ebroker_error e = { 0 };

	if (ebroker_last_error(&e) < 0)
		e.error = -1;
	return e;
}

/* Open descriptors of this process. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		abort();
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---------------------------------------------------------------- open, call */

static void script_open_call(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	SRV_CHECK(f, c.function == 9 && c.out_max == 64);
	SRV_CHECK(f, c.in_len == 5 && !memcmp(c.in, "hello", 5));
	/* The record: the call's header and its input, no more, encrypted. */
	SRV_CHECK(f, c.rec_len == EB_RECORD_OVERHEAD + sizeof(struct eb_record_call) + 5);
	SRV_CHECK(f, !memmem(c.rec, c.rec_len, "hello", 5));
	srv_result(f, c.id, 3, "olleh", 5);

	/* No input, no room for output. */
	if (!srv_call(f, buf, sizeof(buf), &c))
		return;
	SRV_CHECK(f, c.function == 1 && c.in_len == 0 && c.out_max == 0);
	SRV_CHECK(f, c.rec_len == EB_RECORD_OVERHEAD + sizeof(struct eb_record_call));
	srv_result(f, c.id, -22, NULL, 0);

	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(open_call_close)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_open_call);
	struct ebroker_enclave_identity id;
	struct ebroker_session *s = NULL;
	char out[64];
	size_t len = 0;
	int status = 0;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(SID, ebroker_session_id(s));
	EXPECT_EQ(EBROKER_VERIFY_OK, (int)ebroker_last_verify_check());
	ASSERT_EQ(0, ebroker_session_identity(s, &id));
	EXPECT_EQ(TQ_MRENCLAVE_BYTE, id.mrenclave[31]);
	EXPECT_EQ(TQ_MRSIGNER_BYTE, id.mrsigner[0]);
	EXPECT_EQ(3u, id.instance_id);
	EXPECT_EQ(TQ_ISV_PROD_ID, id.isv_prod_id);
	EXPECT_EQ(TQ_ISV_SVN, id.isv_svn);
	EXPECT_EQ(4096u, id.max_message);
	/*
	 * A CALL: the header (16), OUT_MAX (8) and RECORD's attribute header
	 * (4), then the record: its header and tag (32) and struct
	 * eb_record_call (8) around the input. A RESULT has no OUT_MAX.
	 */
	EXPECT_EQ(4096 - 16 - 8 - 4 - 32 - 8u, id.max_input);
	EXPECT_EQ(4096 - 16 - 4 - 32 - 8u, id.max_output);

	ASSERT_EQ(0, ebroker_call(s, 9, "hello", 5, out, sizeof(out), &len, &status));
	EXPECT_EQ(3, status);
	ASSERT_EQ(5u, len);
	EXPECT_EQ(0, memcmp(out, "olleh", 5));
	ASSERT_EQ(0, ebroker_call(s, 1, NULL, 0, NULL, 0, &len, &status));
	EXPECT_EQ(-22, status);
	EXPECT_EQ(0u, len);

	EXPECT_EQ(0, ebroker_session_close(s));
	EXPECT_EQ(NULL, ebroker_disconnect(b));
	EXPECT_EQ(0, fake_stop(&f));
	EXPECT_EQ(0, ebroker_session_close(NULL));
	EXPECT_EQ(NULL, ebroker_disconnect(NULL));
	EXPECT_EQ(0u, ebroker_session_id(NULL));
}

static void script_two_opens(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;

	for (int i = 0; i < 2; i++) {
		uint32_t id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);

		if (!id)
			return;
		memcpy(f->nonce[i], nla_data(m.attrs[EBP_A_NONCE]), EBP_NONCE_SIZE);
		ebp_send_error(f->ctl, id, EBUSY, EBP_SIDE_DAEMON, "busy");
	}
	srv_until_eof(f, f->ctl);
}

TEST(nonces_are_fresh)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_two_opens);
	struct ebroker_session *s = NULL;

	EXPECT_EQ(-EBUSY, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(-EBUSY, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(NULL, s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
	EXPECT_NE(0, memcmp(f.nonce[0], f.nonce[1], EBP_NONCE_SIZE));
}

static void script_refuse(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);

	if (id)
		ebp_send_error(f->ctl, id, EACCES, EBP_SIDE_DAEMON,
			       "user 1000 may not open enclave echo");
	srv_until_eof(f, f->ctl);
}

TEST(open_refused)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_refuse);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;

	EXPECT_EQ(-EACCES, ebroker_session_open(b, "echo", &f.opts, &s));
	e = last();
	EXPECT_EQ(EACCES, e.error);
	EXPECT_EQ(EBROKER_SIDE_DAEMON, (int)e.side);
	EXPECT_STREQ("user 1000 may not open enclave echo", e.message);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

TEST(bad_arguments)
{
	struct ebroker_session_options o = { .size = sizeof(o) };
	struct {
		struct ebroker_session_options o;
		uint32_t later;
	} big = { .o.size = sizeof(big), .later = 1 };
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, srv_until_eof_ctl_script);
	struct ebroker_session *s = NULL;

	/* Each is refused for what the test changes, not for a missing policy. */
	o.policy = big.o.policy = &f.policy;
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "../etc", &o, &s));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_NE(NULL, strstr(last().message, "bad enclave name '../etc'"));
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "", &o, &s));
	o.flags = 1;
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &o, &s));
	EXPECT_STREQ("unknown session option flags 0x1", last().message);
	o.flags = 0;
	o.size = 4;
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &o, &s));
	EXPECT_NE(NULL, strstr(last().message, "bad session options: size 4"));
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &big.o, &s));
	EXPECT_NE(NULL, strstr(last().message, "bad session options"));
	EXPECT_EQ(-EINVAL, ebroker_call(NULL, 0, NULL, 0, NULL, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, ebroker_session_info_get(b, 0, &(struct ebroker_session_info){ 0 }));
	EXPECT_EQ(-EINVAL, ebroker_close_session_id(b, 0));
	EXPECT_EQ(-EINVAL, ebroker_session_evidence(NULL, NULL, NULL, NULL));
	EXPECT_EQ(NULL, s);
	/* Nothing reached the daemon: it sees the connection close first. */
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* There is no default policy: without one, nothing is even asked of the daemon. */
TEST(open_without_a_policy)
{
	struct ebroker_session_options o = { .size = sizeof(o) };
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, srv_until_eof_ctl_script);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;

	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", NULL, &s));
	e = last();
	EXPECT_EQ(EINVAL, e.error);
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
	EXPECT_NE(NULL, strstr(e.message, "ebroker_session_options.policy"))
	TH_LOG("%s", e.message);
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &o, &s));
	EXPECT_NE(NULL, strstr(last().message, "ebroker_session_options.policy"));
	EXPECT_EQ(NULL, s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ------------------------------------------------------------- attestation */

/* The identity that counts is the quote's, whatever OPENED says besides. */
TEST(identity_is_the_quotes)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_open_idle);
	struct ebroker_enclave_identity id;
	struct ebroker_session *s = NULL;
	uint8_t mre[32], mrs[32];

	memset(mre, TQ_MRENCLAVE_BYTE, sizeof(mre));
	memset(mrs, TQ_MRSIGNER_BYTE, sizeof(mrs));
	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	ASSERT_EQ(0, ebroker_session_identity(s, &id));
	EXPECT_EQ(0, memcmp(id.mrenclave, mre, sizeof(mre)));
	EXPECT_EQ(0, memcmp(id.mrsigner, mrs, sizeof(mrs)));
	EXPECT_NE(DAEMON_MR_BYTE, id.mrenclave[0]);
	EXPECT_NE(DAEMON_MR_BYTE, id.mrsigner[0]);
	EXPECT_EQ(TQ_ISV_PROD_ID, id.isv_prod_id);
	EXPECT_NE(DAEMON_ISVPRODID, id.isv_prod_id);
	EXPECT_EQ(TQ_ISV_SVN, id.isv_svn);
	EXPECT_NE(DAEMON_ISVSVN, id.isv_svn);
	/* What only the daemon can say is taken from it. */
	EXPECT_EQ(3u, id.instance_id);
	EXPECT_EQ(4096u, id.max_message);
	EXPECT_EQ(-EINVAL, ebroker_session_identity(s, NULL));
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

TEST(evidence_is_the_quote_sent)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_open_idle);
	struct ebroker_session *s = NULL;
	struct ebroker_evidence ev;
	const void *quote = NULL;
	size_t len = 0;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	ASSERT_EQ(0, ebroker_session_evidence(s, &ev, &quote, &len));
	/* The daemon sent the quote before OPENED: f.quote is written. */
	ASSERT_EQ(f.quote_len, len);
	EXPECT_EQ(0, memcmp(quote, f.quote, len));
	EXPECT_EQ(0, memcmp(ev.mrenclave, f.report.mrenclave, sizeof(ev.mrenclave)));
	EXPECT_EQ(0, memcmp(ev.mrsigner, f.report.mrsigner, sizeof(ev.mrsigner)));
	EXPECT_EQ(TQ_MRENCLAVE_BYTE, ev.mrenclave[0]);
	EXPECT_EQ(TQ_ISV_PROD_ID, ev.isv_prod_id);
	EXPECT_EQ(TQ_ISV_SVN, ev.isv_svn);
	EXPECT_EQ(0, memcmp(ev.report_data, f.report.report_data, sizeof(ev.report_data)));
	EXPECT_TRUE(ev.simulated);
	EXPECT_FALSE(ev.debug);
	EXPECT_EQ(TQ_PLATFORM_SVN, ev.platform_svn);
	EXPECT_NE(NULL, strstr(ev.platform, TQ_PLATFORM_CN)) TH_LOG("%s", ev.platform);
	EXPECT_NE(NULL, strstr(ev.root, TQ_ROOT_CN)) TH_LOG("%s", ev.root);
	/* Each output is optional. */
	EXPECT_EQ(0, ebroker_session_evidence(s, NULL, NULL, &len));
	EXPECT_EQ(f.quote_len, len);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

static void script_quote_refused(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	if (!srv_accept(f))
		return;
	/* The library closes the session socket it was given, unused. */
	srv_until_eof(f, f->worker);
	close(f->worker);
	f->worker = -1;
	/* The client's barrier: the fake holds nothing of the session now. */
	id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	if (id)
		ebp_send_empty(f->ctl, EBP_MSG_DONE, id);
	srv_until_eof(f, f->ctl);
}

/*
 * Opens a session whose quote is refused for @check: -EKEYREJECTED, the
 * library's side, a message naming the check, no session and no
 * descriptor left open.
 */
static void open_refused_for(struct __test_metadata *_metadata, struct fake *f,
			     enum ebroker_verify_check check)
{
	struct ebroker *b = fake_start(f, script_quote_refused);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;
	char want[64];
	int fds = fd_count();

	snprintf(want, sizeof(want), "attestation refused: %s: ", ebroker_verify_check_name(check));
	EXPECT_EQ(-EKEYREJECTED, ebroker_session_open(b, "echo", &f->opts, &s));
	EXPECT_EQ(check, ebroker_last_verify_check());
	e = last();
	EXPECT_EQ(EKEYREJECTED, e.error);
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
	EXPECT_EQ(0, strncmp(e.message, want, strlen(want))) TH_LOG("%s", e.message);
	EXPECT_EQ(NULL, s);
	/* Answered once the fake has seen the session's socket close and closed its end. */
	EXPECT_EQ(0, ebroker_reload(b));
	EXPECT_EQ(fds, fd_count());
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(f));
}

/*
 * A quote made for another OPEN (a stale or replayed one, or another
 * session's): its REPORTDATA binds that OPEN's nonce, which OPENED echoes,
 * so the library names the nonce.
 */
TEST(quote_for_another_nonce)
{
	struct fake f = { .forge_nonce = true };

	open_refused_for(_metadata, &f, EBROKER_VERIFY_NONCE);
}

/* A quote for another client's key: named by the key. */
TEST(quote_for_another_client_key)
{
	struct fake f = { .forge_client = true };

	open_refused_for(_metadata, &f, EBROKER_VERIFY_CLIENT_KEY);
}

/* Another nonce in the quote than OPENED echoes: REPORTDATA does not match the claims. */
TEST(quote_not_over_the_echoed_claims)
{
	struct fake f = { .hide_nonce = true };

	open_refused_for(_metadata, &f, EBROKER_VERIFY_REPORTDATA);
}

/* A daemon in the middle, with its own key in ENCLAVE_KEY: the quote binds the enclave's. */
TEST(enclave_key_not_the_quoted_one)
{
	struct fake f = { .forge_key = true };

	open_refused_for(_metadata, &f, EBROKER_VERIFY_REPORTDATA);
}

TEST(policy_of_another_signer)
{
	struct fake f = { 0 };

	fake_init(&f);
	f.policy.mrsigner[31] ^= 1;
	open_refused_for(_metadata, &f, EBROKER_VERIFY_MRSIGNER);
}

TEST(simulated_evidence_needs_allow_simulated)
{
	struct fake f = { 0 };

	fake_init(&f);
	f.policy.flags &= ~EBROKER_POLICY_ALLOW_SIMULATED;
	open_refused_for(_metadata, &f, EBROKER_VERIFY_SIMULATED);
}

/* ------------------------------------------------------------------- records */

/* Which bit of the RESULT record the worker flips: in the header (its AAD), ciphertext, tag. */
#define FLIPS 3

static size_t flip_at(int i, size_t rec_len)
{
	if (i == 0)
		return offsetof(struct eb_record_header, seq);
	if (i == 1)
		return sizeof(struct eb_record_header);
	return rec_len - 1;
}

static void script_tampered_result(struct fake *f)
{
	for (int i = 0; i < FLIPS; i++) {
		uint8_t buf[EBP_CONTROL_MSG_MAX], rec[REC_MAX];
		struct call c;
		size_t n;

		if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
			return;
		n = srv_seal(f, 0, "abc", 3, rec);
		rec[flip_at(i, n)] ^= 1u << i;
		srv_send_record(f, c.id, rec, n);
		/* The session is over: no call comes after it. */
		srv_until_eof(f, f->worker);
		close(f->worker);
		f->worker = -1;
	}
	srv_until_eof(f, f->ctl);
}

TEST(tampered_result_ends_the_session)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_tampered_result);

	for (int i = 0; i < FLIPS; i++) {
		struct ebroker_session *s = NULL;
		char out[16], pattern[16];
		struct ebroker_error e;
		size_t len = 99;
		int status = 99;

		memset(pattern, 0x5a, sizeof(pattern));
		memcpy(out, pattern, sizeof(out));
		ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
		EXPECT_EQ(-EBADMSG, ebroker_call(s, 1, "x", 1, out, sizeof(out), &len, &status))
		TH_LOG("bit %d of byte %zu flipped", i, flip_at(i, EB_RECORD_OVERHEAD + 8 + 3));
		e = last();
		EXPECT_EQ(EBADMSG, e.error);
		EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
		EXPECT_NE(NULL, strstr(e.message, "failed authentication")) TH_LOG("%s", e.message);
		/* Not a byte of it reached the caller. */
		EXPECT_EQ(0, memcmp(out, pattern, sizeof(out)));
		EXPECT_EQ(99u, len);
		EXPECT_EQ(99, status);
		/* Every later call fails the same way, without reaching the worker. */
		EXPECT_EQ(-EBADMSG, ebroker_call(s, 1, "x", 1, out, sizeof(out), &len, &status));
		EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
		EXPECT_STREQ(e.message, last().message);
		EXPECT_EQ(-EBADMSG, ebroker_call(s, 2, NULL, 0, NULL, 0, NULL, NULL));
		EXPECT_EQ(0, memcmp(out, pattern, sizeof(out)));
		ebroker_session_close(s);
	}
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

static void script_replayed_result(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX], first[REC_MAX];
	struct call c;
	size_t n;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	srv_result(f, c.id, 1, "one", 3);
	n = f->last_rec_len;
	memcpy(first, f->last_rec, n);
	if (!srv_call(f, buf, sizeof(buf), &c))
		return;
	/* The second call answered with the first one's record: intact, but old. */
	srv_send_record(f, c.id, first, n);
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(replayed_result)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_replayed_result);
	struct ebroker_session *s = NULL;
	char out[8], pattern[8];
	size_t len = 0;
	int status = 0;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	ASSERT_EQ(0, ebroker_call(s, 1, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_EQ(1, status);
	ASSERT_EQ(3u, len);
	EXPECT_EQ(0, memcmp(out, "one", 3));
	memset(pattern, 0x5a, sizeof(pattern));
	memcpy(out, pattern, sizeof(out));
	EXPECT_EQ(-EBADMSG, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_NE(NULL, strstr(last().message, "failed authentication"));
	EXPECT_EQ(0, memcmp(out, pattern, sizeof(out)));
	EXPECT_EQ(3u, len);
	EXPECT_EQ(1, status);
	EXPECT_EQ(-EBADMSG, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ---------------------------------------------------- errors and sessions ending */

static void script_enclave_fault(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	ebp_send_error(f->worker, c.id, EFAULT, EBP_SIDE_ENCLAVE, "the enclave faulted");
	close(f->worker);
	f->worker = -1;
	srv_explain(f, 0, ENDED_ENCLAVE);
	srv_until_eof(f, f->ctl);
}

/* An ERROR from the enclave, then the end it caused: both on the enclave's side. */
TEST(enclave_fault_ends_session)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_enclave_fault);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;
	char out[8];

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(-EFAULT, ebroker_call(s, 1, "x", 1, out, sizeof(out), NULL, NULL));
	e = last();
	EXPECT_EQ(EBROKER_SIDE_ENCLAVE, (int)e.side);
	EXPECT_STREQ("the enclave faulted", e.message);
	EXPECT_EQ(-ECONNRESET, ebroker_call(s, 1, "x", 1, out, sizeof(out), NULL, NULL));
	e = last();
	EXPECT_EQ(ECONNRESET, e.error);
	EXPECT_EQ(EBROKER_SIDE_ENCLAVE, (int)e.side);
	EXPECT_STREQ("session 7 ended: " ENDED_ENCLAVE, e.message);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
	EXPECT_EQ(1, f.lists);
}

static void script_worker_dies(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	close(f->worker);
	f->worker = -1;
	/* The daemon has not heard of it yet the first two times. */
	srv_explain(f, 2, "worker 77 killed by signal 9");
	srv_until_eof(f, f->ctl);
}

TEST(worker_dies_during_call)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_worker_dies);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;
	int status = 99;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(-ECONNRESET, ebroker_call(s, 1, NULL, 0, NULL, 0, NULL, &status));
	EXPECT_EQ(99, status);
	e = last();
	EXPECT_EQ(EBROKER_SIDE_WORKER, (int)e.side);
	EXPECT_STREQ("session 7 ended: worker 77 killed by signal 9", e.message);
	/* Later calls fail the same way without asking again. */
	EXPECT_EQ(-ECONNRESET, ebroker_call(s, 1, NULL, 0, NULL, 0, NULL, NULL));
	EXPECT_STREQ("session 7 ended: worker 77 killed by signal 9", last().message);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
	EXPECT_EQ(3, f.lists);
}

#define STOPPING "ebrokerd is stopping: every session ends"

/* The worker's last message on the session, then its end closes. */
static void srv_last_word(struct fake *f)
{
	ebp_send_error(f->worker, 0, ECONNRESET, EBP_SIDE_DAEMON, STOPPING);
	close(f->worker);
	f->worker = -1;
}

static void script_last_word_while_idle(struct fake *f)
{
	if (!srv_accept(f))
		return;
	srv_last_word(f);
	srv_until_eof(f, f->ctl);
}

static void script_last_word_during_call(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	srv_last_word(f);
	srv_until_eof(f, f->ctl);
}

/*
 * The worker says why it ended the session, whether the client was idle
 * (the socket is closed when it next calls) or waiting for a RESULT: the
 * caller gets that reason, and the daemon is not asked.
 */
TEST(worker_says_why_the_session_ended)
{
	void (*scripts[])(struct fake * f) = { script_last_word_while_idle,
					       script_last_word_during_call };

	for (size_t i = 0; i < ARRAY_SIZE(scripts); i++) {
		struct fake f = { 0 };
		struct ebroker *b = fake_start(&f, scripts[i]);
		struct ebroker_session *s = NULL;
		struct ebroker_error e;
		struct timespec ts = { .tv_nsec = 50 * 1000000L };
		char out[8];

		ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
		if (scripts[i] == script_last_word_while_idle)
			nanosleep(&ts, NULL); /* the worker's end is closed by now */
		EXPECT_EQ(-ECONNRESET, ebroker_call(s, 1, "x", 1, out, sizeof(out), NULL, NULL));
		e = last();
		EXPECT_EQ(ECONNRESET, e.error);
		EXPECT_EQ(EBROKER_SIDE_DAEMON, (int)e.side);
		EXPECT_STREQ("session 7 ended: " STOPPING, e.message);
		EXPECT_EQ(-ECONNRESET, ebroker_call(s, 1, "x", 1, out, sizeof(out), NULL, NULL));
		EXPECT_STREQ("session 7 ended: " STOPPING, last().message);
		ebroker_session_close(s);
		ebroker_disconnect(b);
		EXPECT_EQ(0, fake_stop(&f));
		EXPECT_EQ(0, f.lists);
	}
}

static void script_open_then_worker_dies_late(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f))
		return;
	srv_until_eof(f, f->ctl); /* the client disconnects */
	if (srv_call(f, buf, sizeof(buf), &c))
		srv_result(f, c.id, 0, "ok", 2);
	if (srv_call(f, buf, sizeof(buf), &c))
		close(f->worker);
	f->worker = -1;
}

/* Sessions outlive ebroker_disconnect(), but cannot learn why they ended. */
TEST(disconnect_keeps_sessions)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_open_then_worker_dies_late);
	struct ebroker_session *s = NULL;
	struct ebroker_error e;
	char out[8];
	size_t len = 0;
	int status = 1;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	ebroker_disconnect(b);
	ASSERT_EQ(0, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(2u, len);
	EXPECT_EQ(0, memcmp(out, "ok", 2));
	EXPECT_EQ(-ECONNRESET, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	e = last();
	EXPECT_EQ(EBROKER_SIDE_WORKER, (int)e.side);
	EXPECT_NE(NULL, strstr(e.message, "connection to ebrokerd is closed"));
	ebroker_session_close(s);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ------------------------------------------------------------ protocol errors */

static void script_wrong_id(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);

	if (id)
		ebp_send_empty(f->ctl, EBP_MSG_DONE, id + 1);
	srv_until_eof(f, f->ctl);
}

TEST(reply_with_another_id)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_wrong_id);
	struct ebroker_error e;

	EXPECT_EQ(-EPROTO, ebroker_reload(b));
	e = last();
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
	EXPECT_NE(NULL, strstr(e.message, "a reply to request 2, expected 1"));
	/* The connection is closed after a protocol error (the server sees EOF). */
	EXPECT_EQ(-ENOTCONN, ebroker_reload(b));
	EXPECT_NE(NULL, strstr(last().message, "protocol error"));
	EXPECT_EQ(0, fake_stop(&f));
	ebroker_disconnect(b);
}

static void script_wrong_type(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);

	if (id)
		ebp_send_empty(f->ctl, EBP_MSG_DONE, id);
	srv_until_eof(f, f->ctl);
}

TEST(reply_of_another_type)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_wrong_type);
	struct ebroker_session *s = NULL;

	EXPECT_EQ(-EPROTO, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_STREQ("protocol error from ebrokerd: OPEN answered with DONE", last().message);
	EXPECT_EQ(0, fake_stop(&f));
	ebroker_disconnect(b);
}

static void script_garbage(struct fake *f)
{
	static const uint8_t junk[20] = { 20, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, EBP_VERSION };
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;

	if (srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m))
		SRV_CHECK(f, send(f->ctl, junk, sizeof(junk), MSG_NOSIGNAL) == sizeof(junk));
	srv_until_eof(f, f->ctl);
}

TEST(malformed_reply)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_garbage);

	EXPECT_EQ(-EPROTO, ebroker_reload(b));
	EXPECT_NE(NULL, strstr(last().message, "malformed reply"));
	EXPECT_EQ(0, fake_stop(&f));
	ebroker_disconnect(b);
}

static void script_bad_opened(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	uint8_t h[EBP_HASH_SIZE] = { 0 }, quote[64] = { 0 };
	struct ebp_msg m;
	struct nl_msg *r;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	int p[2];

	if (!id || pipe(p) < 0)
		return;
	r = srv_msg(EBP_MSG_OPENED, id);
	nla_put_u64(r, EBP_A_SESSION_ID, SID);
	nla_put_u64(r, EBP_A_INSTANCE_ID, 3);
	nla_put(r, EBP_A_MRENCLAVE, sizeof(h), h);
	nla_put(r, EBP_A_MRSIGNER, sizeof(h), h);
	nla_put_u32(r, EBP_A_ISVPRODID, 5);
	nla_put_u32(r, EBP_A_ISVSVN, 2);
	nla_put_u32(r, EBP_A_MAX_MSG, 4096);
	nla_put(r, EBP_A_QUOTE, sizeof(quote), quote);
	nla_put(r, EBP_A_ENCLAVE_KEY, sizeof(h), h);
	nla_put(r, EBP_A_NONCE, sizeof(h), h);
	nla_put(r, EBP_A_CLIENT_KEY, sizeof(h), h);
	srv_send(f, f->ctl, r, p[0]);
	close(p[0]);
	/* The library closes what it was given: the pipe's reader goes away. */
	SRV_CHECK(f, srv_recv(f->ctl, buf, sizeof(buf), &m) == 0);
	for (int i = 0; i < 1000 && write(p[1], "x", 1) == 1; i++)
		usleep(1000);
	SRV_CHECK(f, write(p[1], "x", 1) < 0 && errno == EPIPE);
	close(p[1]);
}

TEST(opened_without_a_session_socket)
{
	struct fake f = { 0 };
	struct ebroker *b;
	struct ebroker_session *s = NULL;

	signal(SIGPIPE, SIG_IGN);
	b = fake_start(&f, script_bad_opened);
	EXPECT_EQ(-EPROTO, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_NE(NULL, strstr(last().message, "SOCK_SEQPACKET"));
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

static void script_daemon_gone(struct fake *f)
{
	close(f->ctl);
	f->ctl = -1;
}

TEST(daemon_closes_connection)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_daemon_gone);

	EXPECT_EQ(0, fake_stop(&f));
	EXPECT_EQ(-ECONNRESET, ebroker_reload(b));
	EXPECT_EQ(EBROKER_SIDE_DAEMON, (int)last().side);
	EXPECT_EQ(-ENOTCONN, ebroker_reload(b));
	ebroker_disconnect(b);
}

static void script_too_much_output(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX], big[64] = { 0 };
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	SRV_CHECK(f, c.out_max == 4);
	/* An authentic record, with more output than the call takes. */
	srv_result(f, c.id, 0, big, 8);
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(more_output_than_asked)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_too_much_output);
	struct ebroker_session *s = NULL;
	char out[4] = "abc";

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(-EPROTO, ebroker_call(s, 1, NULL, 0, out, sizeof(out), NULL, NULL));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_NE(NULL, strstr(last().message, "more output than the call allows"));
	EXPECT_STREQ("abc", out);
	/* The session is over: the worker sees its end close. */
	EXPECT_EQ(-EPROTO, ebroker_call(s, 1, NULL, 0, out, sizeof(out), NULL, NULL));
	ebroker_disconnect(b);
	ebroker_session_close(s);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ------------------------------------------------------------------ timeouts */

static void script_slow_daemon(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);

	if (!id)
		return;
	usleep(300 * 1000);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id); /* too late */
	id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	if (id)
		ebp_send_error(f->ctl, id, EPERM, EBP_SIDE_DAEMON, "only root may reload");
	srv_until_eof(f, f->ctl);
}

TEST(daemon_timeout_and_late_reply)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_slow_daemon);

	ASSERT_EQ(0, ebroker_set_timeout(b, 100));
	EXPECT_EQ(-ETIMEDOUT, ebroker_reload(b));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	usleep(400 * 1000);
	/* The late DONE belongs to the request given up on, not to this one. */
	ASSERT_EQ(0, ebroker_set_timeout(b, 0));
	EXPECT_EQ(-EPERM, ebroker_reload(b));
	EXPECT_STREQ("only root may reload", last().message);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

static void script_slow_enclave(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	if (!srv_accept(f) || !srv_call(f, buf, sizeof(buf), &c))
		return;
	usleep(300 * 1000);
	/* The enclave ran the call: its RESULT record is sealed, seq 0, and sent late. */
	srv_result(f, c.id, 1, "late", 4);
	if (srv_call(f, buf, sizeof(buf), &c))
		srv_result(f, c.id, 2, "now", 3); /* seq 1 */
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(call_timeout_and_late_result)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_slow_enclave);
	struct ebroker_session *s = NULL;
	char out[8];
	size_t len = 0;
	int status = 0;

	f.opts.call_timeout_ms = 100;
	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	EXPECT_EQ(-ETIMEDOUT, ebroker_call(s, 1, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_NE(NULL, strstr(last().message, "echo function 1 did not return within 100 ms"));
	usleep(400 * 1000);
	/* The late result is dropped, and the session goes on. */
	ASSERT_EQ(0, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status))
	TH_LOG("%s", last().message);
	EXPECT_EQ(2, status);
	EXPECT_EQ(3u, len);
	EXPECT_EQ(0, memcmp(out, "now", 3));
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ---------------------------------------------------------------------- limits */

/* The inputs and outputs of a 256-byte session; see open_call_close. */
#define SMALL_IN  (256 - 16 - 8 - 4 - 32 - 8u)
#define SMALL_OUT (256 - 16 - 4 - 32 - 8u)

static void script_small_session(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct call c;

	f->max_msg = 256;
	if (!srv_accept(f))
		return;
	/* Only the call that fits arrives, a CALL of exactly 256 bytes. */
	if (!srv_call(f, buf, sizeof(buf), &c))
		return;
	SRV_CHECK(f, c.in_len == SMALL_IN);
	SRV_CHECK(f, c.rec_len == 256 - 16 - 8 - 4);
	SRV_CHECK(f, c.out_max == SMALL_OUT);
	srv_result(f, c.id, 0, NULL, 0);
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(input_larger_than_the_session_takes)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_small_session);
	struct ebroker_enclave_identity id;
	struct ebroker_session *s = NULL;
	static char in[300], out[1000];

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	ASSERT_EQ(0, ebroker_session_identity(s, &id));
	EXPECT_EQ(SMALL_IN, id.max_input);
	EXPECT_EQ(SMALL_OUT, id.max_output);
	EXPECT_EQ(-EMSGSIZE, ebroker_call(s, 1, in, SMALL_IN + 1, out, sizeof(out), NULL, NULL));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_STREQ("the input of 189 bytes exceeds session 7's limit of 188 bytes",
		     last().message);
	/* Refused before it was sealed: the next record is still seq 0. */
	EXPECT_EQ(0, ebroker_call(s, 1, in, SMALL_IN, out, sizeof(out), NULL, NULL));
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* -------------------------------------------------------- threads on one session */

#define THREADS 4
#define CALLS	50

static void script_serial_worker(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX], peek;
	struct call c;

	if (!srv_accept(f))
		return;
	for (int i = 0; i < THREADS * CALLS; i++) {
		if (!srv_call(f, buf, sizeof(buf), &c))
			return;
		/* One call at a time: nothing else may be waiting. */
		usleep(100);
		SRV_CHECK(f, recv(f->worker, &peek, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
				 errno == EAGAIN);
		srv_result(f, c.id, (int)c.function, c.in, c.in_len);
	}
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

struct caller {
	struct ebroker_session *s;
	uint32_t n;
	int bad;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;

	for (int i = 0; i < CALLS; i++) {
		uint32_t in = c->n * 1000 + i, out = 0;
		size_t len = 0;
		int status = -1;

		if (ebroker_call(c->s, c->n, &in, sizeof(in), &out, sizeof(out), &len, &status) ||
		    status != (int)c->n || len != sizeof(out) || out != in)
			c->bad++;
	}
	return NULL;
}

TEST(calls_from_several_threads)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_serial_worker);
	struct caller c[THREADS];
	pthread_t t[THREADS];
	struct ebroker_session *s = NULL;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &f.opts, &s));
	for (int i = 0; i < THREADS; i++) {
		c[i] = (struct caller){ .s = s, .n = i + 1 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, caller_main, &c[i]));
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, c[i].bad);
	}
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ---------------------------------------------------------- control requests */

static void script_control(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_LIST, buf, sizeof(buf), &m);
	SRV_CHECK(f, !m.attrs[EBP_A_SESSION_ID]);
	srv_session(f, id, 1, false, NULL);
	srv_session(f, id, 2, false, NULL);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);

	id = srv_expect(f, f->ctl, EBP_MSG_LIST, buf, sizeof(buf), &m);
	SRV_CHECK(f, nla_get_u64(m.attrs[EBP_A_SESSION_ID]) == 8);
	srv_session(f, id, 8, true, "closed by its owner");
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);

	id = srv_expect(f, f->ctl, EBP_MSG_LIST, buf, sizeof(buf), &m);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);

	id = srv_expect(f, f->ctl, EBP_MSG_LIST, buf, sizeof(buf), &m);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);

	id = srv_expect(f, f->ctl, EBP_MSG_CLOSE, buf, sizeof(buf), &m);
	SRV_CHECK(f, nla_get_u64(m.attrs[EBP_A_SESSION_ID]) == 5);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);

	id = srv_expect(f, f->ctl, EBP_MSG_CLOSE, buf, sizeof(buf), &m);
	ebp_send_error(f->ctl, id, ENOENT, EBP_SIDE_DAEMON, "no session 6 of yours");

	id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	ebp_send_error(f->ctl, id, EINVAL, EBP_SIDE_DAEMON,
		       "/etc/ebroker/policy.conf:3: unknown key 'x'");
	id = srv_expect(f, f->ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	ebp_send_empty(f->ctl, EBP_MSG_DONE, id);
	srv_until_eof(f, f->ctl);
}

TEST(list_close_reload)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_control);
	struct ebroker_session_info *v = NULL, one;
	size_t n = 0;

	ASSERT_EQ(0, ebroker_list_sessions(b, &v, &n));
	ASSERT_EQ(2u, n);
	EXPECT_EQ(1u, v[0].id);
	EXPECT_EQ(2u, v[1].id);
	EXPECT_EQ(1002u, v[1].uid);
	EXPECT_EQ(4002u, v[1].pid);
	EXPECT_EQ(77u, v[1].worker_pid);
	EXPECT_EQ(3u, v[1].instance_id);
	EXPECT_EQ(1500u, v[1].age_ms);
	EXPECT_EQ(12u, v[1].calls);
	EXPECT_STREQ("/tenants/alice", v[1].cgroup);
	EXPECT_STREQ("echo", v[1].enclave);
	EXPECT_FALSE(v[1].ended);
	EXPECT_STREQ("", v[1].reason);
	free(v);

	ASSERT_EQ(0, ebroker_session_info_get(b, 8, &one));
	EXPECT_TRUE(one.ended);
	EXPECT_STREQ("closed by its owner", one.reason);
	EXPECT_EQ(-ENOENT, ebroker_session_info_get(b, 9, &one));
	v = (void *)1;
	ASSERT_EQ(0, ebroker_list_sessions(b, &v, &n));
	EXPECT_EQ(0u, n);
	EXPECT_EQ(NULL, v);

	EXPECT_EQ(0, ebroker_close_session_id(b, 5));
	EXPECT_EQ(-ENOENT, ebroker_close_session_id(b, 6));
	EXPECT_STREQ("no session 6 of yours", last().message);
	EXPECT_EQ(-EINVAL, ebroker_reload(b));
	EXPECT_STREQ("/etc/ebroker/policy.conf:3: unknown key 'x'", last().message);
	EXPECT_EQ(0, ebroker_reload(b));
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ------------------------------------------------------ connecting, last error */

static void *no_error_yet(void *arg)
{
	struct ebroker_error e;

	*(int *)arg = ebroker_last_error(&e);
	return NULL;
}

TEST(connect_errors_and_last_error_per_thread)
{
	char path[200];
	struct ebroker *b = NULL;
	struct ebroker_error e;
	pthread_t t;
	int r = 0;

	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	EXPECT_EQ(-EINVAL, ebroker_connect(path, &b));
	EXPECT_EQ(-ENOENT, ebroker_connect("/nonexistent/ebroker.sock", &b));
	e = last();
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
	EXPECT_STREQ("cannot connect to /nonexistent/ebroker.sock: No such file or directory "
		     "(is ebrokerd running?)",
		     e.message);
	setenv("EBROKER_SOCKET", "/nonexistent/env.sock", 1);
	EXPECT_EQ(-ENOENT, ebroker_connect(NULL, &b));
	EXPECT_NE(NULL, strstr(last().message, "/nonexistent/env.sock"));
	EXPECT_EQ(NULL, b);

	ASSERT_EQ(0, pthread_create(&t, NULL, no_error_yet, &r));
	pthread_join(t, NULL);
	EXPECT_EQ(-ENODATA, r);
	EXPECT_STREQ("daemon", ebroker_side_name(EBROKER_SIDE_DAEMON));
	EXPECT_STREQ("library", ebroker_side_name(EBROKER_SIDE_LIBRARY));
}

/* A daemon on a socket path that dies in a request, and one that takes its place. */
struct restarting {
	char dir[64], path[96];
	int listen_fd;
	int failures;
	pthread_t thread;
};

static void *restarting_main(void *arg)
{
	struct restarting *r = arg;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct fake f = { 0 };
	struct ebp_msg m;
	uint32_t id;

	/* The first daemon takes a RELOAD and dies before answering it. */
	f.ctl = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	srv_expect(&f, f.ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	close(f.ctl);
	/* The next one answers it (sent again), and the next request. */
	f.ctl = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	id = srv_expect(&f, f.ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	ebp_send_empty(f.ctl, EBP_MSG_DONE, id);
	id = srv_expect(&f, f.ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	ebp_send_empty(f.ctl, EBP_MSG_DONE, id);
	/* Then it answers one, and stops for good: its socket goes. */
	id = srv_expect(&f, f.ctl, EBP_MSG_RELOAD, buf, sizeof(buf), &m);
	close(r->listen_fd);
	unlink(r->path);
	close(f.ctl);
	r->failures = f.failures;
	return NULL;
}

/*
 * A connection outlives a restarted daemon: the request it was in is sent
 * again to the next one, later requests go there too; when the socket is
 * gone for good, the request says so.
 */
TEST(reconnects_after_a_restart)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct restarting r = { .listen_fd = -1 };
	struct ebroker *b = NULL;
	struct ebroker_error e;

	snprintf(r.dir, sizeof(r.dir), "/tmp/ebroker-client-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(r.dir));
	snprintf(r.path, sizeof(r.path), "%s/sock", r.dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r.path);
	r.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, r.listen_fd);
	ASSERT_EQ(0, bind(r.listen_fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(r.listen_fd, 4));
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, restarting_main, &r));

	ASSERT_EQ(0, ebroker_connect(r.path, &b));
	EXPECT_EQ(0, ebroker_reload(b));
	EXPECT_EQ(0, ebroker_reload(b));
	EXPECT_EQ(-ENOENT, ebroker_reload(b));
	e = last();
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)e.side);
	EXPECT_NE(NULL, strstr(e.message, "ebrokerd closed the connection on"));
	EXPECT_NE(NULL, strstr(e.message, "connecting again failed"));
	ebroker_disconnect(b);
	pthread_join(r.thread, NULL);
	EXPECT_EQ(0, r.failures);
	rmdir(r.dir);
}

TEST_HARNESS_MAIN
