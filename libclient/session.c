// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: OPEN through the daemon with a fresh nonce and X25519 key; the
 * daemon answers with our end of a socketpair connected to the worker, the
 * enclave's key and the quote binding both. The quote is verified against
 * the caller's policy and the channel keys derived before the session is
 * given to the caller. Then CALL -> RESULT or ERROR over it, each carrying
 * one record of the channel (channel.c), one call at a time under the
 * session's lock. A record that fails authentication ends the session: no
 * byte of it reaches the caller. When the worker's end goes
 * away, the daemon is asked why, and the answer is kept: every later call
 * fails with it at once. Which side ended the session: the worker, unless
 * the last reply on the session was an ERROR the enclave caused (side
 * ENCLAVE), in which case the enclave did.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/ebroker_attest.h>

#include "channel.h"
#include "internal.h"

/* The room a netlink attribute of @n payload bytes takes. */
#define NLA_SIZE(n) (NLA_HDRLEN + NLA_ALIGN(n))
#define HDR_SIZE    sizeof(struct ebp_msghdr)
/* CALL and RESULT without their RECORD attribute. */
#define CALL_FIXED   (HDR_SIZE + NLA_SIZE(4))
#define RESULT_FIXED HDR_SIZE
/* What a record adds to a call's input and a result's output. */
#define CALL_EXTRA   (EB_RECORD_OVERHEAD + sizeof(struct eb_record_call))
#define RESULT_EXTRA (EB_RECORD_OVERHEAD + sizeof(struct eb_record_result))
/* The largest ERROR a worker can send. */
#define ERROR_MAX (HDR_SIZE + 2 * NLA_SIZE(4) + NLA_SIZE(EBP_ERROR_MSG_MAX))
/* Smaller session limits could not carry a call at all. */
#define SESSION_MSG_MIN 64
/* How long a session that ended may take to learn why from the daemon. */
#define EXPLAIN_MS     1000
#define EXPLAIN_NAP_MS 100

struct ebroker_session {
	struct ebroker *broker; /* a reference, to ask why the session ended */
	uint64_t id;
	struct ebroker_enclave_identity identity;
	char enclave[EBP_ENCLAVE_NAME_MAX];
	uint32_t call_timeout_ms;	     /* 0: the connection's */
	const struct ebroker_policy *policy; /* during the open only */
	struct ebroker_evidence evidence;
	uint8_t *quote;
	size_t quote_len;

	pthread_mutex_t lock;
	/* Under lock: */
	int fd; /* -1 once the session has ended */
	uint32_t next_id;
	uint32_t stale_from; /* replies to ids from here to next_id were given up on */
	bool have_stale;
	bool enclave_failed; /* the last reply was an ERROR from the enclave */
	bool lost;	     /* an ERROR came: the worker ends the session */
	bool ended;
	struct ebroker_error end; /* why it ended: every later call's error */
	uint8_t *buf;		  /* replies; grows to the largest a call can get */
	size_t buf_size;
	struct ebc_channel channel;
};

static bool enclave_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= EBP_ENCLAVE_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
	       n;
}

static uint32_t floor4(size_t n)
{
	return n & ~(size_t)3;
}

/*
 * Verify the session's quote against the caller's policy, bound to what we
 * sent (nonce, key) and the session the daemon named, then derive the
 * channel's keys over the transcript. Nothing else in OPENED is trusted.
 */
static int attest(struct ebroker_session *s, const struct ebp_msg *m)
{
	const struct nlattr *q = m->attrs[EBP_A_QUOTE];
	struct ebroker_claims claimed = { .session_id = s->id }, expected;
	struct ebroker_verify_failure failure;
	const struct eb_quote *quote;
	int r;

	/* What the enclave says it was given, and what we sent: REPORTDATA binds the first. */
	memcpy(claimed.enclave_pub, nla_data(m->attrs[EBP_A_ENCLAVE_KEY]), EBP_PUBKEY_SIZE);
	memcpy(claimed.nonce, nla_data(m->attrs[EBP_A_NONCE]), sizeof(claimed.nonce));
	memcpy(claimed.client_pub, nla_data(m->attrs[EBP_A_CLIENT_KEY]),
	       sizeof(claimed.client_pub));
	expected = claimed;
	memcpy(expected.nonce, s->channel.nonce, sizeof(expected.nonce));
	memcpy(expected.client_pub, s->channel.client_pub, sizeof(expected.client_pub));
	r = ebroker_verify_quote(s->policy, nla_data(q), (size_t)nla_len(q), &claimed, &expected,
				 &s->evidence, &failure);
	if (r == -EBADMSG)
		return ebc_fail_verify(&failure);
	if (r == -EINVAL)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY, "bad verification policy: %s",
				failure.message);
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot verify the quote: %s",
				strerror(-r));
	s->quote = malloc(nla_len(q));
	if (!s->quote)
		return ebc_fail(ENOMEM, EBROKER_SIDE_LIBRARY, "out of memory");
	memcpy(s->quote, nla_data(q), nla_len(q));
	s->quote_len = (size_t)nla_len(q);
	quote = (const struct eb_quote *)s->quote;
	r = ebc_channel_establish(&s->channel, s->id, claimed.enclave_pub, quote->report_body);
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot derive the session keys: %s",
				strerror(-r));
	return 0;
}

static int opened_reply(struct ebroker *b, const struct ebp_msg *m, int *fd, void *userdata)
{
	struct ebroker_session *s = userdata;
	uint32_t max_msg, prod, svn;
	socklen_t len = sizeof(int);
	int type = 0, flags, r;

	if (m->type != EBP_MSG_OPENED)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: OPEN answered with %s",
				ebp_msg_name(m->type));
	max_msg = nla_get_u32(m->attrs[EBP_A_MAX_MSG]);
	prod = nla_get_u32(m->attrs[EBP_A_ISVPRODID]);
	svn = nla_get_u32(m->attrs[EBP_A_ISVSVN]);
	if (!nla_get_u64(m->attrs[EBP_A_SESSION_ID]) || max_msg < SESSION_MSG_MIN ||
	    max_msg > EBP_SESSION_MSG_MAX || prod > UINT16_MAX || svn > UINT16_MAX)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: OPENED with a session id, message "
				"limit (%u) or ISV value out of range",
				max_msg);
	if (getsockopt(*fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: the session's descriptor is not a "
				"SOCK_SEQPACKET socket");
	flags = fcntl(*fd, F_GETFL);
	if (flags < 0 || fcntl(*fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return ebc_fail(errno, EBROKER_SIDE_LIBRARY, "cannot set up the session socket: %s",
				strerror(errno));

	s->id = nla_get_u64(m->attrs[EBP_A_SESSION_ID]);
	r = attest(s, m);
	if (r < 0)
		return r;
	/* The identity that counts is the quote's, not what the daemon says. */
	memcpy(s->identity.mrenclave, s->evidence.mrenclave, EBP_HASH_SIZE);
	memcpy(s->identity.mrsigner, s->evidence.mrsigner, EBP_HASH_SIZE);
	s->identity.isv_prod_id = s->evidence.isv_prod_id;
	s->identity.isv_svn = s->evidence.isv_svn;
	s->identity.instance_id = nla_get_u64(m->attrs[EBP_A_INSTANCE_ID]);
	s->identity.max_message = max_msg;
	/* One RECORD attribute, whose length is 16 bits, holds the record. */
	s->identity.max_input = floor4(max_msg - CALL_FIXED - NLA_HDRLEN) - CALL_EXTRA;
	s->identity.max_output = floor4(max_msg - RESULT_FIXED - NLA_HDRLEN) - RESULT_EXTRA;
	if (s->identity.max_input > UINT16_MAX - NLA_HDRLEN - CALL_EXTRA)
		s->identity.max_input = UINT16_MAX - NLA_HDRLEN - CALL_EXTRA;
	if (s->identity.max_output > UINT16_MAX - NLA_HDRLEN - RESULT_EXTRA)
		s->identity.max_output = UINT16_MAX - NLA_HDRLEN - RESULT_EXTRA;
	s->fd = TAKE_FD(*fd);
	return 0;
}

static struct ebroker_session *session_free(struct ebroker_session *s)
{
	if (!s)
		return NULL;
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	ebc_channel_wipe(&s->channel);
	free(s->quote);
	free(s->buf);
	ebc_unref(s->broker);
	free(s);
	return NULL;
}

DEFINE_FREEP(struct ebroker_session, session_free)

_public_ int ebroker_session_open(struct ebroker *b, const char *enclave,
				  const struct ebroker_session_options *opts,
				  struct ebroker_session **ret)
{
	_cleanup_(session_freep) struct ebroker_session *s = NULL;
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	const struct ebroker_policy *policy = NULL;
	uint32_t timeout = 0;
	int r;

	if (!b || !enclave || !ret)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_session_open(): NULL argument");
	if (!enclave_name_valid(enclave))
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"bad enclave name '%.64s': 1 to %d of A-Z a-z 0-9 _ . -", enclave,
				EBP_ENCLAVE_NAME_MAX - 1);
	if (opts) {
		/* Larger, later versions of the struct: only with their new fields unset. */
		if (opts->size < sizeof(*opts) || opts->size > 4096 || opts->reserved ||
		    !mem_is_zero((const uint8_t *)opts + sizeof(*opts), opts->size - sizeof(*opts)))
			return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
					"bad session options: size %u, or options this version "
					"does not know",
					opts->size);
		if (opts->flags)
			return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
					"unknown session option flags %#x", opts->flags);
		timeout = opts->call_timeout_ms;
		policy = opts->policy;
	}
	if (!policy)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"no verification policy: a session is opened only with a struct "
				"ebroker_policy saying which enclave identity to accept "
				"(ebroker_session_options.policy)");

	s = calloc(1, sizeof(*s));
	if (!s)
		return ebc_fail(ENOMEM, EBROKER_SIDE_LIBRARY, "out of memory");
	s->fd = -EBADF;
	pthread_mutex_init(&s->lock, NULL);
	s->next_id = 1;
	s->call_timeout_ms = timeout;
	snprintf(s->enclave, sizeof(s->enclave), "%s", enclave);
	s->policy = policy;

	r = ebc_channel_keygen(&s->channel);
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot make a session key: %s",
				strerror(-r));
	r = ebp_msg_new(EBP_MSG_OPEN, 0, 256, &m);
	if (r == 0 && (nla_put_string(m, EBP_A_ENCLAVE, enclave) < 0 ||
		       nla_put(m, EBP_A_NONCE, EBP_NONCE_SIZE, s->channel.nonce) < 0 ||
		       nla_put(m, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE, s->channel.client_pub) < 0))
		r = -ENOMEM;
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build a request: %s",
				strerror(-r));
	r = ebc_request(b, m, ebc_timeout(b), opened_reply, s);
	s->policy = NULL;
	if (r < 0)
		return r;
	s->broker = ebc_ref(b);
	*ret = TAKE_PTR(s);
	return 0;
}

_public_ int ebroker_session_evidence(const struct ebroker_session *s, struct ebroker_evidence *ret,
				      const void **ret_quote, size_t *ret_quote_len)
{
	if (!s)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_session_evidence(): NULL session");
	if (ret)
		*ret = s->evidence;
	if (ret_quote)
		*ret_quote = s->quote;
	if (ret_quote_len)
		*ret_quote_len = s->quote_len;
	return 0;
}

_public_ int ebroker_session_close(struct ebroker_session *s)
{
	session_free(s);
	return 0;
}

_public_ uint64_t ebroker_session_id(const struct ebroker_session *s)
{
	return s ? s->id : 0;
}

_public_ int ebroker_session_identity(const struct ebroker_session *s,
				      struct ebroker_enclave_identity *ret)
{
	if (!s || !ret)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_session_identity(): NULL argument");
	*ret = s->identity;
	return 0;
}

/* Ends the session for good with @err; every later call fails with it. */
static int session_end(struct ebroker_session *s, int err, enum ebroker_side side, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));
static int session_end(struct ebroker_session *s, int err, enum ebroker_side side, const char *fmt,
		       ...)
{
	va_list ap;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->ended = true;
	ebc_channel_wipe(&s->channel);
	s->end.error = err;
	s->end.side = side;
	va_start(ap, fmt);
	vsnprintf(s->end.message, sizeof(s->end.message), fmt, ap);
	va_end(ap);
	return ebc_fail_error(&s->end);
}

static void nap(void)
{
	struct timespec ts = { .tv_nsec = EXPLAIN_NAP_MS * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The worker's last message on a session (an ERROR with request id 0): why it ended. */
static int ended_by_worker(struct ebroker_session *s, const struct ebp_msg *m)
{
	uint32_t side = nla_get_u32(m->attrs[EBP_A_SIDE]);

	if (side < EBP_SIDE_DAEMON || side > EBP_SIDE_ENCLAVE)
		side = EBP_SIDE_WORKER;
	return session_end(s, ECONNRESET, (enum ebroker_side)side, "session %" PRIu64 " ended: %s",
			   s->id, ebp_get_str(m, EBP_A_MESSAGE));
}

static int reserve(struct ebroker_session *s, uint32_t out_max);

/* What the worker left on the socket before closing it: its last message, if any. */
static bool read_last_message(struct ebroker_session *s, struct ebp_msg *ret)
{
	const char *why;
	ssize_t n;

	if (reserve(s, 0) < 0)
		return false;
	while (s->fd >= 0) {
		n = ebp_recv(s->fd, s->buf, s->buf_size, NULL);
		if (n == -EMSGSIZE)
			continue; /* a late reply larger than the buffer, dropped */
		if (n <= 0)
			return false;
		if (ebp_parse(s->buf, n, false, ret, &why) < 0)
			return false;
		if (ret->type == EBP_MSG_ERROR && ret->request_id == 0)
			return true;
		/* A late RESULT or a call's ERROR: the session is over anyway. */
	}
	return false;
}

/*
 * The worker's end is gone. It says why in its last message; when that
 * did not fit, the daemon is asked. The daemon learns of the end from the
 * worker, so it may still call the session open for a moment: ask again
 * for up to EXPLAIN_MS.
 */
static int session_lost(struct ebroker_session *s)
{
	enum ebroker_side side = s->enclave_failed ? EBROKER_SIDE_ENCLAVE : EBROKER_SIDE_WORKER;
	uint64_t deadline = ebc_deadline(EXPLAIN_MS);
	struct ebroker_session_info info;
	struct ebroker_error e = { 0 };
	struct ebp_msg last;
	int r;

	if (read_last_message(s, &last))
		return ended_by_worker(s, &last);
	for (;;) {
		uint64_t now_ms = ebc_now_ms();

		if (now_ms >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		r = ebc_session_info(s->broker, s->id, deadline - now_ms, &info);
		if (r < 0 || info.ended)
			break;
		nap();
	}
	if (r == 0)
		return session_end(s, ECONNRESET, side, "session %" PRIu64 " ended: %s", s->id,
				   *info.reason ? info.reason : "ebrokerd gave no reason");
	if (r == -ETIMEDOUT)
		return session_end(s, ECONNRESET, side,
				   "session %" PRIu64 " ended: the worker closed it (ebrokerd "
				   "did not say why within %d ms)",
				   s->id, EXPLAIN_MS);
	(void)ebroker_last_error(&e);
	if (r == -ENOTCONN)
		return session_end(s, ECONNRESET, side,
				   "session %" PRIu64 " ended: the worker closed it (the "
				   "connection to ebrokerd is closed, so the reason is unknown)",
				   s->id);
	if (r == -ENOENT)
		return session_end(s, ECONNRESET, side,
				   "session %" PRIu64 " ended: the worker closed it (ebrokerd "
				   "no longer knows it, so the reason is unknown)",
				   s->id);
	return session_end(s, ECONNRESET, side,
			   "session %" PRIu64 " ended: the worker closed it (cannot ask "
			   "ebrokerd why: %s)",
			   s->id, e.message);
}

static int broken(struct ebroker_session *s, const char *why)
{
	return session_end(s, EPROTO, EBROKER_SIDE_LIBRARY,
			   "protocol error from the worker of session %" PRIu64 ": %s", s->id, why);
}

/* A late reply: a RESULT's record is opened (and dropped), anything else ends the session. */
static int late_reply(struct ebroker_session *s, const struct ebp_msg *m)
{
	const struct nlattr *rec = m->attrs[EBP_A_RECORD];
	size_t len;
	int32_t status;
	int r;

	if (m->type == EBP_MSG_ERROR) {
		s->enclave_failed = nla_get_u32(m->attrs[EBP_A_SIDE]) == EBP_SIDE_ENCLAVE;
		return session_lost(s);
	}
	if (m->type != EBP_MSG_RESULT)
		return broken(s, "a late reply that is neither RESULT nor ERROR");
	r = ebc_channel_open_result(&s->channel, nla_data(rec), (size_t)nla_len(rec), &status, NULL,
				    0, &len);
	if (r == 0 || r == -ENOBUFS)
		return 0;
	return session_end(s, EBADMSG, EBROKER_SIDE_LIBRARY,
			   "session %" PRIu64 ": a record from the worker failed authentication "
			   "(tampered, replayed, reordered or truncated): the session is ended",
			   s->id);
}

/* The reply to call @id and to later ones, when they come, are to be dropped. */
static void give_up(struct ebroker_session *s, uint32_t id)
{
	if (!s->have_stale)
		s->stale_from = id;
	s->have_stale = true;
}

/* Room for any reply to a call taking @out_max bytes; never shrinks. */
static int reserve(struct ebroker_session *s, uint32_t out_max)
{
	size_t need = RESULT_FIXED + NLA_SIZE(out_max + RESULT_EXTRA);
	uint8_t *p;

	if (need < ERROR_MAX)
		need = ERROR_MAX;
	if (need > s->identity.max_message)
		need = s->identity.max_message;
	if (need <= s->buf_size)
		return 0;
	p = realloc(s->buf, need);
	if (!p)
		return ebc_fail(ENOMEM, EBROKER_SIDE_LIBRARY, "out of memory");
	s->buf = p;
	s->buf_size = need;
	return 0;
}

/* *ret_answered: the call's ERROR has come. */
static int call_locked(struct ebroker_session *s, uint32_t function, const void *in, size_t in_len,
		       void *out, size_t out_cap, size_t *ret_out_len, int *ret_status,
		       bool *ret_answered)
{
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	uint32_t out_max, timeout, id;
	struct nlattr *call_rec = NULL;
	uint64_t deadline;
	size_t rec_len;
	int r;

	if (s->ended)
		return ebc_fail_error(&s->end);
	if (s->lost)
		return session_lost(s);
	if (in_len > s->identity.max_input)
		return ebc_fail(EMSGSIZE, EBROKER_SIDE_LIBRARY,
				"the input of %zu bytes exceeds session %" PRIu64
				"'s limit of %u bytes",
				in_len, s->id, s->identity.max_input);
	out_max = out_cap < s->identity.max_output ? (uint32_t)out_cap : s->identity.max_output;
	r = reserve(s, out_max);
	if (r < 0)
		return r;
	/* The message first: a record, once sealed, must reach the enclave or end the session. */
	r = ebp_msg_new(EBP_MSG_CALL, 0, in_len + CALL_EXTRA + 64, &m);
	if (r == 0 && (nla_put_u32(m, EBP_A_OUT_MAX, out_max) < 0 ||
		       !(call_rec = nla_reserve(m, EBP_A_RECORD, (int)(in_len + CALL_EXTRA)))))
		r = -ENOMEM;
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build the call: %s",
				strerror(-r));
	r = ebc_channel_seal_call(&s->channel, function, in, in_len, nla_data(call_rec),
				  in_len + CALL_EXTRA, &rec_len);
	if (r < 0)
		return session_end(s, -r, EBROKER_SIDE_LIBRARY,
				   "session %" PRIu64 ": cannot encrypt the call: %s", s->id,
				   strerror(-r));
	id = s->next_id++;
	if (s->next_id == 0)
		s->next_id = 1;
	nlmsg_hdr(m)->nlmsg_seq = id;

	timeout = s->call_timeout_ms ? s->call_timeout_ms : ebc_timeout(s->broker);
	deadline = ebc_deadline(timeout);
	r = ebc_send(s->fd, m, deadline);
	if (r == -EPIPE || r == -ECONNRESET)
		return session_lost(s);
	/* The record is spent: the enclave would refuse the next one. */
	if (r == -ETIMEDOUT)
		return session_end(s, ETIMEDOUT, EBROKER_SIDE_LIBRARY,
				   "session %" PRIu64 ": the worker took no call within %u ms; "
				   "the session is ended",
				   s->id, timeout);
	if (r < 0)
		return session_end(s, -r, EBROKER_SIDE_LIBRARY,
				   "session %" PRIu64 ": cannot send the call: %s", s->id,
				   strerror(-r));

	for (;;) {
		const char *why = NULL;
		struct ebp_msg msg;
		const struct nlattr *rec;
		size_t len = 0;
		int32_t status;
		ssize_t n;

		r = ebc_wait(s->fd, POLLIN, deadline);
		if (r == -ETIMEDOUT)
			return ebc_fail(ETIMEDOUT, EBROKER_SIDE_LIBRARY,
					"%s function %u did not return within %u ms (session "
					"%" PRIu64 ")",
					s->enclave, function, timeout, s->id);
		if (r < 0)
			return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot wait for the reply: %s",
					strerror(-r));
		n = ebp_recv(s->fd, s->buf, s->buf_size, NULL);
		if (n == -EAGAIN)
			continue;
		if (n == 0 || n == -ECONNRESET)
			return session_lost(s);
		if (n == -EMSGSIZE)
			return broken(s, "a reply larger than the call allows");
		if (n == -EBADMSG)
			return broken(s, "a reply with a file descriptor or other control data");
		if (n < 0)
			return ebc_fail(-n, EBROKER_SIDE_LIBRARY, "cannot receive the reply: %s",
					strerror(-n));
		r = ebp_parse(s->buf, n, false, &msg, &why);
		if (r < 0)
			return broken(s, why);
		if (msg.type == EBP_MSG_ERROR && msg.request_id == 0)
			return ended_by_worker(s, &msg);
		if (ebc_is_stale(s->have_stale, s->stale_from, id, msg.request_id)) {
			/* The late reply to a call given up on: its record still counts. */
			r = late_reply(s, &msg);
			if (r < 0)
				return r;
			continue;
		}
		if (msg.request_id != id)
			return broken(s, "a reply to another call");
		if (msg.type == EBP_MSG_ERROR) {
			/*
			 * Whether the enclave took the record is unknown: the channel
			 * cannot go on, and the worker ends the session. The next call
			 * asks the daemon why it ended.
			 */
			*ret_answered = true;
			s->enclave_failed = nla_get_u32(msg.attrs[EBP_A_SIDE]) == EBP_SIDE_ENCLAVE;
			s->lost = true;
			return ebc_fail_msg(&msg);
		}
		if (msg.type != EBP_MSG_RESULT)
			return broken(s, "a reply that is neither RESULT nor ERROR");
		rec = msg.attrs[EBP_A_RECORD];
		r = ebc_channel_open_result(&s->channel, nla_data(rec), (size_t)nla_len(rec),
					    &status, out, out_max, &len);
		if (r == -EBADMSG)
			return session_end(s, EBADMSG, EBROKER_SIDE_LIBRARY,
					   "session %" PRIu64 ": a record from the worker failed "
					   "authentication (tampered, replayed, reordered or "
					   "truncated): the session is ended",
					   s->id);
		if (r == -ENOBUFS)
			return broken(s, "more output than the call allows");
		if (r < 0)
			return session_end(s, -r, EBROKER_SIDE_LIBRARY,
					   "session %" PRIu64 ": cannot decrypt the result: %s",
					   s->id, strerror(-r));
		s->enclave_failed = false;
		if (ret_out_len)
			*ret_out_len = len;
		if (ret_status)
			*ret_status = status;
		return 0;
	}
}

_public_ int ebroker_call(struct ebroker_session *s, uint32_t function, const void *in,
			  size_t in_len, void *out, size_t out_cap, size_t *ret_out_len,
			  int *ret_status)
{
	_cleanup_(ebc_unlockp) pthread_mutex_t *locked = NULL;
	bool answered = false;
	uint32_t id;
	int r;

	if (!s || (in_len && !in) || (out_cap && !out))
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_call(): NULL session or buffer");
	locked = ebc_lock(&s->lock);
	id = s->next_id;
	r = call_locked(s, function, in, in_len, out, out_cap, ret_out_len, ret_status, &answered);
	/* Given up before the reply (timed out): drop it when it comes. */
	if (r < 0 && !answered && !s->ended)
		give_up(s, id);
	return r;
}
