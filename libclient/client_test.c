// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for libebroker against a fake ebrokerd and a fake worker:
 * a thread in the test serves the daemon's end of a socketpair (the
 * library's end is given to ebc_from_fd()) and the worker's end of each
 * session socketpair it hands out in OPENED, following a script per test.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/test.h"
#include "common/util.h"

#include "internal.h"

#define SID	      UINT64_C(7)
#define WAIT_MS	      5000
#define ENDED_ENCLAVE "enclave faulted: #PF at 0x1000"

struct fake {
	int ctl;    /* the daemon's end of the control connection */
	int worker; /* the worker's end of the last session opened */
	pthread_t thread;
	void (*script)(struct fake *f);
	int failures; /* checks that failed in the server thread */
	uint32_t max_msg;
	uint8_t nonce[2][EBP_NONCE_SIZE];
	int lists; /* LIST requests seen */
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

	if (ebp_msg_new(type, id, 8192, &m) < 0)
		abort();
	return m;
}

static void srv_opened(struct fake *f, uint32_t id, uint64_t sid)
{
	uint8_t mre[EBP_HASH_SIZE], mrs[EBP_HASH_SIZE];
	struct nl_msg *m = srv_msg(EBP_MSG_OPENED, id);
	int sv[2];

	memset(mre, 0xaa, sizeof(mre));
	memset(mrs, 0xbb, sizeof(mrs));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	nla_put_u64(m, EBP_A_SESSION_ID, sid);
	nla_put_u64(m, EBP_A_INSTANCE_ID, 3);
	nla_put(m, EBP_A_MRENCLAVE, sizeof(mre), mre);
	nla_put(m, EBP_A_MRSIGNER, sizeof(mrs), mrs);
	nla_put_u32(m, EBP_A_ISVPRODID, 5);
	nla_put_u32(m, EBP_A_ISVSVN, 2);
	nla_put_u32(m, EBP_A_MAX_MSG, f->max_msg ? f->max_msg : 4096);
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

static void srv_result(struct fake *f, uint32_t id, int status, const void *data, size_t len)
{
	struct nl_msg *m = srv_msg(EBP_MSG_RESULT, id);

	nla_put_u32(m, EBP_A_STATUS, (uint32_t)status);
	if (len)
		nla_put(m, EBP_A_DATA, (int)len, data);
	srv_send(f, f->worker, m, -1);
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
	return m->request_id;
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

static void *srv_main(void *arg)
{
	struct fake *f = arg;

	f->script(f);
	return NULL;
}

static struct ebroker *fake_start(struct fake *f, void (*script)(struct fake *f))
{
	struct ebroker *b = NULL;
	int sv[2];

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
	return f->failures;
}

static struct ebroker_error last(void)
{
	struct ebroker_error e = { 0 };

	if (ebroker_last_error(&e) < 0)
		e.error = -1;
	return e;
}

/* ---------------------------------------------------------------- open, call */

static void script_open_call(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	SRV_CHECK(f, !strcmp(ebp_get_str(&m, EBP_A_ENCLAVE), "echo"));
	memcpy(f->nonce[0], nla_data(m.attrs[EBP_A_NONCE]), EBP_NONCE_SIZE);
	srv_opened(f, id, SID);

	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	SRV_CHECK(f, nla_get_u32(m.attrs[EBP_A_FUNCTION]) == 9);
	SRV_CHECK(f, nla_get_u32(m.attrs[EBP_A_OUT_MAX]) == 64);
	SRV_CHECK(f, m.attrs[EBP_A_DATA] && nla_len(m.attrs[EBP_A_DATA]) == 5 &&
			 !memcmp(nla_data(m.attrs[EBP_A_DATA]), "hello", 5));
	srv_result(f, id, 3, "olleh", 5);

	/* No input: no DATA attribute. */
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	SRV_CHECK(f, !m.attrs[EBP_A_DATA] && nla_get_u32(m.attrs[EBP_A_OUT_MAX]) == 0);
	srv_result(f, id, -22, NULL, 0);

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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
	EXPECT_EQ(SID, ebroker_session_id(s));
	ASSERT_EQ(0, ebroker_session_identity(s, &id));
	EXPECT_EQ(0xaa, id.mrenclave[31]);
	EXPECT_EQ(0xbb, id.mrsigner[0]);
	EXPECT_EQ(3u, id.instance_id);
	EXPECT_EQ(5u, id.isv_prod_id);
	EXPECT_EQ(2u, id.isv_svn);
	EXPECT_EQ(4096u, id.max_message);
	EXPECT_EQ(4096 - 36u, id.max_input);
	EXPECT_EQ(4096 - 28u, id.max_output);

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

	EXPECT_EQ(-EBUSY, ebroker_session_open(b, "echo", NULL, &s));
	EXPECT_EQ(-EBUSY, ebroker_session_open(b, "echo", NULL, &s));
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

	EXPECT_EQ(-EACCES, ebroker_session_open(b, "echo", NULL, &s));
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

	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "../etc", NULL, &s));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "", NULL, &s));
	o.flags = 1;
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &o, &s));
	o.flags = 0;
	o.size = 4;
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &o, &s));
	EXPECT_EQ(-EINVAL, ebroker_session_open(b, "echo", &big.o, &s));
	EXPECT_EQ(-EINVAL, ebroker_call(NULL, 0, NULL, 0, NULL, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, ebroker_session_info_get(b, 0, &(struct ebroker_session_info){ 0 }));
	EXPECT_EQ(-EINVAL, ebroker_close_session_id(b, 0));
	EXPECT_EQ(NULL, s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ---------------------------------------------------- errors and sessions ending */

static void script_enclave_fault(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	ebp_send_error(f->worker, id, EFAULT, EBP_SIDE_ENCLAVE, "the enclave faulted");
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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
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
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	if (!srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m))
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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
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

static void script_open_then_worker_dies_late(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	srv_until_eof(f, f->ctl); /* the client disconnects */
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (id)
		srv_result(f, id, 0, "ok", 2);
	if (srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m))
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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
	ebroker_disconnect(b);
	ASSERT_EQ(0, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(2u, len);
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

	EXPECT_EQ(-EPROTO, ebroker_session_open(b, "echo", NULL, &s));
	EXPECT_STREQ("protocol error from ebrokerd: OPEN answered with DONE", last().message);
	EXPECT_EQ(0, fake_stop(&f));
	ebroker_disconnect(b);
}

static void script_garbage(struct fake *f)
{
	static const uint8_t junk[20] = { 20, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1 };
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
	struct ebp_msg m;
	struct nl_msg *r;
	uint8_t h[EBP_HASH_SIZE] = { 0 };
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
	EXPECT_EQ(-EPROTO, ebroker_session_open(b, "echo", NULL, &s));
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
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	SRV_CHECK(f, nla_get_u32(m.attrs[EBP_A_OUT_MAX]) == 4);
	srv_result(f, id, 0, big, 8);
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(more_output_than_asked)
{
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_too_much_output);
	struct ebroker_session *s = NULL;
	char out[4];

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
	EXPECT_EQ(-EPROTO, ebroker_call(s, 1, NULL, 0, out, sizeof(out), NULL, NULL));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
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
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	usleep(300 * 1000);
	srv_result(f, id, 1, "late", 4);
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (id)
		srv_result(f, id, 2, "now", 3);
	srv_until_eof(f, f->worker);
	srv_until_eof(f, f->ctl);
}

TEST(call_timeout_and_late_result)
{
	struct ebroker_session_options o = { .size = sizeof(o), .call_timeout_ms = 100 };
	struct fake f = { 0 };
	struct ebroker *b = fake_start(&f, script_slow_enclave);
	struct ebroker_session *s = NULL;
	char out[8];
	size_t len = 0;
	int status = 0;

	ASSERT_EQ(0, ebroker_session_open(b, "echo", &o, &s));
	EXPECT_EQ(-ETIMEDOUT, ebroker_call(s, 1, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_NE(NULL, strstr(last().message, "echo function 1 did not return within 100 ms"));
	usleep(400 * 1000);
	ASSERT_EQ(0, ebroker_call(s, 2, NULL, 0, out, sizeof(out), &len, &status));
	EXPECT_EQ(2, status);
	EXPECT_EQ(3u, len);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	EXPECT_EQ(0, fake_stop(&f));
}

/* ---------------------------------------------------------------------- limits */

static void script_small_session(struct fake *f)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	f->max_msg = 256;
	srv_opened(f, id, SID);
	/* Only the call that fits arrives. */
	id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
	if (!id)
		return;
	SRV_CHECK(f, nla_len(m.attrs[EBP_A_DATA]) == 220);
	SRV_CHECK(f, nla_get_u32(m.attrs[EBP_A_OUT_MAX]) == 228);
	srv_result(f, id, 0, NULL, 0);
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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
	ASSERT_EQ(0, ebroker_session_identity(s, &id));
	EXPECT_EQ(220u, id.max_input);
	EXPECT_EQ(228u, id.max_output);
	EXPECT_EQ(-EMSGSIZE, ebroker_call(s, 1, in, 221, out, sizeof(out), NULL, NULL));
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, (int)last().side);
	EXPECT_STREQ("the input of 221 bytes exceeds session 7's limit of 220 bytes",
		     last().message);
	EXPECT_EQ(0, ebroker_call(s, 1, in, 220, out, sizeof(out), NULL, NULL));
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
	struct ebp_msg m;
	uint32_t id;

	id = srv_expect(f, f->ctl, EBP_MSG_OPEN, buf, sizeof(buf), &m);
	if (!id)
		return;
	srv_opened(f, id, SID);
	for (int i = 0; i < THREADS * CALLS; i++) {
		const struct nlattr *d;

		id = srv_expect(f, f->worker, EBP_MSG_CALL, buf, sizeof(buf), &m);
		if (!id)
			return;
		/* One call at a time: nothing else may be waiting. */
		usleep(100);
		SRV_CHECK(f, recv(f->worker, &peek, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
				 errno == EAGAIN);
		d = m.attrs[EBP_A_DATA];
		srv_result(f, id, (int)nla_get_u32(m.attrs[EBP_A_FUNCTION]), nla_data(d),
			   nla_len(d));
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

	ASSERT_EQ(0, ebroker_session_open(b, "echo", NULL, &s));
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

TEST_HARNESS_MAIN
