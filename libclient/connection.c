// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to ebrokerd: one request at a time under the connection's
 * lock, each with a fresh request id, its replies read until the last one
 * or the deadline. A reply to a request given up on (timed out) is dropped
 * when it comes late; any other reply that does not belong to the request
 * breaks the protocol, and the connection is closed, as the daemon closes
 * a client's connection that breaks it.
 *
 * A connection made by ebroker_connect() outlives the daemon: when ebrokerd
 * closes it (it restarted), the next request connects again, and a request
 * the daemon closed the connection on before any reply is sent once more
 * on the new connection. Under socket activation the socket never closes
 * and the new connection waits in its backlog for the next ebrokerd; a
 * daemon that made its own socket is waited for up to RECONNECT_MS. A
 * connection ebrokerd refused (too many) is not made again: the request
 * fails with the daemon's reason.
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
#include <sys/time.h>
#include <time.h>

#include "internal.h"

#define RECONNECT_MS	 3000
#define RECONNECT_NAP_MS 50

static const char closed_by_daemon[] = "ebrokerd closed it";
static const char closed_by_error[] = "it was closed after a protocol error";
static const char closed_by_refusal[] = "ebrokerd refused it (see the error of the first request)";

int ebc_from_fd(int fd, const char *what, struct ebroker **ret)
{
	_cleanup_(closep) int owned = fd;
	struct ebroker *b;
	int flags;

	flags = fcntl(owned, F_GETFL);
	if (flags < 0 || fcntl(owned, F_SETFL, flags | O_NONBLOCK) < 0)
		return ebc_fail(errno, EBROKER_SIDE_LIBRARY, "cannot set up the socket: %s",
				strerror(errno));
	b = calloc(1, sizeof(*b));
	if (b)
		b->buf = malloc(EBP_CONTROL_MSG_MAX);
	if (!b || !b->buf) {
		free(b);
		return ebc_fail(ENOMEM, EBROKER_SIDE_LIBRARY, "out of memory");
	}
	pthread_mutex_init(&b->lock, NULL);
	b->n_ref = 1;
	b->fd = TAKE_FD(owned);
	b->timeout_ms = EBC_DEFAULT_TIMEOUT_MS;
	b->next_id = 1;
	snprintf(b->path, sizeof(b->path), "%s", what);
	*ret = b;
	return 0;
}

struct ebroker *ebc_ref(struct ebroker *b)
{
	__atomic_add_fetch(&b->n_ref, 1, __ATOMIC_RELAXED);
	return b;
}

struct ebroker *ebc_unref(struct ebroker *b)
{
	if (!b || __atomic_sub_fetch(&b->n_ref, 1, __ATOMIC_ACQ_REL) > 0)
		return NULL;
	if (b->fd >= 0)
		close(b->fd);
	pthread_mutex_destroy(&b->lock);
	free(b->buf);
	free(b);
	return NULL;
}

uint32_t ebc_timeout(struct ebroker *b)
{
	return __atomic_load_n(&b->timeout_ms, __ATOMIC_RELAXED);
}

static int connect_error(int err, const char *path)
{
	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		return ebc_fail(err, EBROKER_SIDE_LIBRARY,
				"cannot connect to %s: %s (is ebrokerd running?)", path,
				strerror(err));
	case EACCES:
	case EPERM:
		return ebc_fail(err, EBROKER_SIDE_LIBRARY,
				"permission denied on %s: is the user in the 'ebroker' group?",
				path);
	case EAGAIN:
		return ebc_fail(ETIMEDOUT, EBROKER_SIDE_LIBRARY,
				"cannot connect to %s: ebrokerd did not accept the connection "
				"within %d s",
				path, EBC_DEFAULT_TIMEOUT_MS / 1000);
	}
	return ebc_fail(err, EBROKER_SIDE_LIBRARY, "cannot connect to %s: %s", path, strerror(err));
}

/* A socket connected to @path (at most sun_path long), or a negative errno. */
static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* connect() waits while the daemon's backlog is full: not for ever. */
	struct timeval tv = { .tv_sec = EBC_DEFAULT_TIMEOUT_MS / 1000 };
	_cleanup_(closep) int fd = -EBADF;

	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

_public_ int ebroker_connect(const char *path, struct ebroker **ret)
{
	struct ebroker *b;
	int fd, r;

	if (!ret)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY, "ebroker_connect(): ret is NULL");
	if (!path) {
		path = secure_getenv("EBROKER_SOCKET");
		if (!path || !*path)
			path = EBP_SOCKET_PATH;
	}
	if (!*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"bad socket path '%s': empty or longer than %zu bytes", path,
				sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	fd = connect_socket(path);
	if (fd < 0)
		return connect_error(-fd, path);
	r = ebc_from_fd(fd, path, &b);
	if (r < 0)
		return r;
	b->reconnect = true;
	*ret = b;
	return 0;
}

_public_ struct ebroker *ebroker_disconnect(struct ebroker *b)
{
	if (!b)
		return NULL;
	pthread_mutex_lock(&b->lock);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->closed_why = "ebroker_disconnect() closed it";
	pthread_mutex_unlock(&b->lock);
	return ebc_unref(b);
}

_public_ int ebroker_set_timeout(struct ebroker *b, uint32_t timeout_ms)
{
	if (!b)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_set_timeout(): no connection");
	__atomic_store_n(&b->timeout_ms, timeout_ms, __ATOMIC_RELAXED);
	return 0;
}

/* Replies to request @id and later ones, when they come, are to be dropped. */
static void give_up(struct ebroker *b, uint32_t id)
{
	if (!b->have_stale)
		b->stale_from = id;
	b->have_stale = true;
}

/* Closes the connection for good: @why is what later requests report. */
static void drop(struct ebroker *b, const char *why)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->closed_why = why;
}

static int protocol_error(struct ebroker *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int protocol_error(struct ebroker *b, const char *fmt, ...)
{
	char text[EBROKER_ERROR_MESSAGE_MAX];
	va_list ap;

	drop(b, closed_by_error);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY, "protocol error from ebrokerd: %s", text);
}

/*
 * ebrokerd closed the connection: connect to its socket again. The socket
 * may be missing or refuse for a moment while a daemon that made its own
 * starts again: that is waited for, up to RECONNECT_MS and @deadline.
 */
static int reconnect(struct ebroker *b, uint64_t deadline)
{
	uint64_t until = ebc_deadline(RECONNECT_MS);
	struct timespec nap = { .tv_nsec = RECONNECT_NAP_MS * 1000000L };
	int fd, flags;

	if (deadline < until)
		until = deadline;
	for (;;) {
		fd = connect_socket(b->path);
		if (fd >= 0)
			break;
		if ((fd != -ENOENT && fd != -ECONNREFUSED) || ebc_now_ms() >= until)
			return ebc_fail(-fd, EBROKER_SIDE_LIBRARY,
					"ebrokerd closed the connection on %s, and connecting "
					"again failed: %s",
					b->path, strerror(-fd));
		nanosleep(&nap, NULL);
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		close(fd);
		return ebc_fail(errno, EBROKER_SIDE_LIBRARY, "cannot set up the socket: %s",
				strerror(errno));
	}
	b->fd = fd;
	b->closed_why = NULL;
	b->have_stale = false;
	return 0;
}

/*
 * ebrokerd refused the connection (too many): its one message, an ERROR
 * with request id 0, says why. The caller gets that error, and the
 * connection is not made again, as it would be for a daemon that restarted.
 */
static int refused(struct ebroker *b, const struct ebp_msg *m)
{
	drop(b, closed_by_refusal);
	return ebc_fail_msg(m);
}

/* The connection closed: did ebrokerd say why before (refused())? 0 if not. */
static int closed_why(struct ebroker *b)
{
	struct ebp_msg m;
	ssize_t n;

	/* A first read may report the reset that hides the message behind it. */
	for (int i = 0; i < 2; i++) {
		n = ebp_recv(b->fd, b->buf, EBP_CONTROL_MSG_MAX, NULL);
		if (n > 0 && ebp_parse(b->buf, n, false, &m, NULL) == 0 && m.request_id == 0 &&
		    m.type == EBP_MSG_ERROR)
			return refused(b, &m);
		if (n != -ECONNRESET)
			break;
	}
	return 0;
}

static int daemon_closed(struct ebroker *b)
{
	drop(b, closed_by_daemon);
	return ebc_fail(ECONNRESET, EBROKER_SIDE_DAEMON,
			"ebrokerd closed the connection on %s (did it restart?)", b->path);
}

/* *ret_answered: the last reply to the request has come (also an ERROR). */
static int request_locked(struct ebroker *b, struct nl_msg *m, uint32_t timeout, ebc_reply_fn fn,
			  void *userdata, bool *ret_answered)
{
	uint64_t deadline = ebc_deadline(timeout);
	bool resent = false, replied = false;
	uint32_t id;
	int r;

	if (b->fd < 0 && b->reconnect && b->closed_why == closed_by_daemon) {
		r = reconnect(b, deadline);
		if (r < 0)
			return r;
	}
	if (b->fd < 0)
		return ebc_fail(ENOTCONN, EBROKER_SIDE_LIBRARY,
				"not connected to ebrokerd: %s; connect again",
				b->closed_why ? b->closed_why : "the connection is closed");
send:
	id = b->next_id++;
	if (b->next_id == 0)
		b->next_id = 1;
	nlmsg_hdr(m)->nlmsg_seq = id;

	r = ebc_send(b->fd, m, deadline);
	if (r == -ETIMEDOUT)
		return ebc_fail(ETIMEDOUT, EBROKER_SIDE_LIBRARY,
				"ebrokerd did not take a request within %u ms", timeout);
	if (r == -EPIPE || r == -ECONNRESET)
		goto closed;
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot send to ebrokerd: %s",
				strerror(-r));

	for (;;) {
		_cleanup_(closep) int fd = -EBADF;
		const char *why = NULL;
		struct ebp_msg msg;
		ssize_t n;

		r = ebc_wait(b->fd, POLLIN, deadline);
		if (r == -ETIMEDOUT)
			return ebc_fail(ETIMEDOUT, EBROKER_SIDE_LIBRARY,
					"no reply from ebrokerd within %u ms", timeout);
		if (r < 0)
			return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot wait for ebrokerd: %s",
					strerror(-r));
		n = ebp_recv(b->fd, b->buf, EBP_CONTROL_MSG_MAX, &fd);
		if (n == -EAGAIN)
			continue;
		if (n == 0 || n == -ECONNRESET)
			goto closed;
		if (n == -EMSGSIZE)
			return protocol_error(b, "a reply larger than %u bytes",
					      EBP_CONTROL_MSG_MAX);
		if (n == -EBADMSG)
			return protocol_error(b, "a reply with bad control data");
		if (n < 0)
			return ebc_fail(-n, EBROKER_SIDE_LIBRARY,
					"cannot receive from ebrokerd: %s", strerror(-n));
		r = ebp_parse(b->buf, n, fd >= 0, &msg, &why);
		if (r < 0)
			return protocol_error(b, "malformed reply (%s)", why);
		if (msg.request_id == 0 && msg.type == EBP_MSG_ERROR) {
			*ret_answered = true;
			return refused(b, &msg);
		}
		if (ebc_is_stale(b->have_stale, b->stale_from, id, msg.request_id))
			continue; /* a late reply to a request given up on */
		if (msg.request_id != id)
			return protocol_error(b, "a reply to request %u, expected %u",
					      msg.request_id, id);
		replied = true;
		if (msg.type == EBP_MSG_ERROR) {
			*ret_answered = true;
			return ebc_fail_msg(&msg);
		}
		r = fn(b, &msg, &fd, userdata);
		if (r == -EPROTO)
			drop(b, closed_by_error);
		if (r <= 0)
			return r;
	}

closed:
	r = closed_why(b);
	if (r < 0)
		return r;
	/* The daemon went before answering: once, the request goes to the next one. */
	if (!b->reconnect || resent || replied)
		return daemon_closed(b);
	drop(b, closed_by_daemon);
	r = reconnect(b, deadline);
	if (r < 0)
		return r;
	resent = true;
	goto send;
}

int ebc_request(struct ebroker *b, struct nl_msg *m, uint32_t timeout_ms, ebc_reply_fn fn,
		void *userdata)
{
	_cleanup_(ebc_unlockp) pthread_mutex_t *locked = ebc_lock(&b->lock);
	uint32_t id = b->next_id;
	bool answered = false;
	int r;

	r = request_locked(b, m, timeout_ms, fn, userdata, &answered);
	/* Given up before its last reply (timed out, out of memory): drop the rest later. */
	if (r < 0 && !answered && b->fd >= 0)
		give_up(b, id);
	return r;
}

static int unexpected(const struct ebp_msg *m, const char *request)
{
	return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
			"protocol error from ebrokerd: %s answered with %s", request,
			ebp_msg_name(m->type));
}

int ebc_session_info_from_msg(const struct ebp_msg *m, struct ebroker_session_info *ret)
{
	const char *reason = ebp_get_str(m, EBP_A_REASON);
	uint32_t state = nla_get_u32(m->attrs[EBP_A_STATE]);

	if (state != EBP_STATE_OPEN && state != EBP_STATE_ENDED)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: unknown session state %u", state);
	if (!nla_get_u64(m->attrs[EBP_A_SESSION_ID]))
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: session id 0");
	memset(ret, 0, sizeof(*ret));
	ret->id = nla_get_u64(m->attrs[EBP_A_SESSION_ID]);
	ret->instance_id = nla_get_u64(m->attrs[EBP_A_INSTANCE_ID]);
	ret->age_ms = nla_get_u64(m->attrs[EBP_A_AGE_MS]);
	ret->calls = nla_get_u64(m->attrs[EBP_A_CALLS]);
	ret->uid = nla_get_u32(m->attrs[EBP_A_UID]);
	ret->pid = nla_get_u32(m->attrs[EBP_A_PID]);
	ret->worker_pid = nla_get_u32(m->attrs[EBP_A_WORKER_PID]);
	/* The protocol's limits are the fields' sizes: nothing is cut. */
	snprintf(ret->enclave, sizeof(ret->enclave), "%s", ebp_get_str(m, EBP_A_ENCLAVE));
	snprintf(ret->cgroup, sizeof(ret->cgroup), "%s", ebp_get_str(m, EBP_A_CGROUP));
	ret->ended = state == EBP_STATE_ENDED;
	if (ret->ended && reason)
		snprintf(ret->reason, sizeof(ret->reason), "%s", reason);
	return 0;
}

struct list_ctx {
	uint64_t only; /* LIST with SESSION_ID: that id; else 0 */
	struct ebroker_session_info *v;
	size_t n, cap;
};

static int list_reply(struct ebroker *b, const struct ebp_msg *m, int *fd, void *userdata)
{
	struct list_ctx *c = userdata;
	int r;

	if (m->type == EBP_MSG_DONE)
		return 0;
	if (m->type != EBP_MSG_SESSION)
		return unexpected(m, "LIST");
	if (c->only && c->n > 0)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: more than one session for an id");
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct ebroker_session_info *v = reallocarray(c->v, cap, sizeof(*v));

		if (!v)
			return ebc_fail(ENOMEM, EBROKER_SIDE_LIBRARY, "out of memory");
		c->v = v;
		c->cap = cap;
	}
	r = ebc_session_info_from_msg(m, &c->v[c->n]);
	if (r < 0)
		return r;
	if (c->only && c->v[c->n].id != c->only)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: asked for session %" PRIu64
				", got %" PRIu64,
				c->only, c->v[c->n].id);
	c->n++;
	return 1;
}

static int list(struct ebroker *b, uint64_t only, uint32_t timeout_ms, struct list_ctx *c)
{
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	int r;

	r = ebp_msg_new(EBP_MSG_LIST, 0, 16, &m);
	if (r == 0 && only && nla_put_u64(m, EBP_A_SESSION_ID, only) < 0)
		r = -ENOMEM;
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build a request: %s",
				strerror(-r));
	c->only = only;
	return ebc_request(b, m, timeout_ms, list_reply, c);
}

_public_ int ebroker_list_sessions(struct ebroker *b, struct ebroker_session_info **ret,
				   size_t *ret_n)
{
	struct list_ctx c = { 0 };
	int r;

	if (!b || !ret || !ret_n)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_list_sessions(): NULL argument");
	r = list(b, 0, ebc_timeout(b), &c);
	if (r < 0) {
		free(c.v);
		return r;
	}
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

int ebc_session_info(struct ebroker *b, uint64_t id, uint32_t timeout_ms,
		     struct ebroker_session_info *ret)
{
	_cleanup_(freep) struct ebroker_session_info *v = NULL;
	struct list_ctx c = { 0 };
	int r;

	r = list(b, id, timeout_ms, &c);
	v = c.v;
	if (r < 0)
		return r;
	if (c.n == 0)
		return ebc_fail(ENOENT, EBROKER_SIDE_DAEMON, "no session %" PRIu64 " of yours", id);
	*ret = v[0];
	return 0;
}

_public_ int ebroker_session_info_get(struct ebroker *b, uint64_t id,
				      struct ebroker_session_info *ret)
{
	if (!b || !id || !ret)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY, "ebroker_session_info_get(): %s",
				id ? "NULL argument" : "session id 0");
	return ebc_session_info(b, id, ebc_timeout(b), ret);
}

static int done_reply(struct ebroker *b, const struct ebp_msg *m, int *fd, void *userdata)
{
	return m->type == EBP_MSG_DONE ? 0 : unexpected(m, userdata);
}

_public_ int ebroker_close_session_id(struct ebroker *b, uint64_t id)
{
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	int r;

	if (!b || !id)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY, "ebroker_close_session_id(): %s",
				id ? "no connection" : "session id 0");
	r = ebp_msg_new(EBP_MSG_CLOSE, 0, 16, &m);
	if (r == 0 && nla_put_u64(m, EBP_A_SESSION_ID, id) < 0)
		r = -ENOMEM;
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build a request: %s",
				strerror(-r));
	return ebc_request(b, m, ebc_timeout(b), done_reply, "CLOSE");
}

_public_ int ebroker_reload(struct ebroker *b)
{
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	int r;

	if (!b)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY, "ebroker_reload(): no connection");
	r = ebp_msg_new(EBP_MSG_RELOAD, 0, 0, &m);
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build a request: %s",
				strerror(-r));
	return ebc_request(b, m, ebc_timeout(b), done_reply, "RELOAD");
}

/* DAEMON_STATUS's counters: the attribute, its bit in .has, its member. */
static const struct {
	uint16_t attr;
	uint32_t bit;
	size_t offset;
} counters[] = {
#define COUNTER(a, b, member) \
	EBP_A_##a, EBROKER_STATUS_HAS_##b, offsetof(struct ebroker_daemon_status, member)
	{ COUNTER(OPENS, OPENS, opens) },
	{ COUNTER(REFUSED_POLICY, REFUSED_POLICY, refused_policy) },
	{ COUNTER(REFUSED_LIMITS, REFUSED_LIMITS, refused_limits) },
	{ COUNTER(REFUSED_QUOTA, REFUSED_QUOTA, refused_quota) },
	{ COUNTER(REFUSED_POOL, REFUSED_POOL, refused_pool) },
	{ COUNTER(REFUSED_ATTESTATION, REFUSED_ATTESTATION, refused_attestation) },
	{ COUNTER(QUOTES, QUOTES, quotes) },
	{ COUNTER(QUOTE_FAILURES, QUOTE_FAILURES, quote_failures) },
	{ COUNTER(CHECKS, CHECKS, checks) },
	{ COUNTER(CHECK_FAILURES, CHECK_FAILURES, check_failures) },
	{ COUNTER(WORKER_CRASHES, WORKER_CRASHES, worker_crashes) },
	{ COUNTER(CALLS_TOTAL, CALLS, calls) },
#undef COUNTER
};

static int status_reply(struct ebroker *b, const struct ebp_msg *m, int *fd, void *userdata)
{
	struct ebroker_daemon_status *st = userdata;
	uint32_t state;

	if (m->type != EBP_MSG_DAEMON_STATUS)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: STATUS answered with %s",
				ebp_msg_name(m->type));
	state = nla_get_u32(m->attrs[EBP_A_ATTESTATION]);
	if (state < EBP_ATTESTATION_OK || state > EBP_ATTESTATION_FAILING)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error from ebrokerd: attestation state %u", state);
	st->attestation = (enum ebroker_attestation_state)state;
	st->sessions = nla_get_u32(m->attrs[EBP_A_SESSIONS]);
	st->instances = nla_get_u32(m->attrs[EBP_A_INSTANCES]);
	st->tenants = nla_get_u32(m->attrs[EBP_A_TENANTS]);
	snprintf(st->reason, sizeof(st->reason), "%s",
		 m->attrs[EBP_A_REASON] ? ebp_get_str(m, EBP_A_REASON) : "");
	/* The counters are optional: an older daemon's reply has none. */
	for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
		const struct nlattr *a = m->attrs[counters[i].attr];

		if (!a)
			continue;
		st->has |= counters[i].bit;
		*(uint64_t *)((char *)st + counters[i].offset) = nla_get_u64(a);
	}
	return 0;
}

_public_ int ebroker_daemon_status(struct ebroker *b, struct ebroker_daemon_status *ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
	struct ebroker_daemon_status st = { 0 };
	int r;

	if (!b || !ret)
		return ebc_fail(EINVAL, EBROKER_SIDE_LIBRARY,
				"ebroker_daemon_status(): NULL argument");
	r = ebp_msg_new(EBP_MSG_STATUS, 0, 0, &m);
	if (r < 0)
		return ebc_fail(-r, EBROKER_SIDE_LIBRARY, "cannot build a request: %s",
				strerror(-r));
	r = ebc_request(b, m, ebc_timeout(b), status_reply, &st);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}
