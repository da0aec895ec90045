// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions, the data plane: each is the worker's end of a socketpair whose
 * other end a client holds, and a session inside the enclave, which holds
 * its keys (EB_ECALL_SESSION_OPEN). A CALL carries a record the worker
 * cannot read: it hands it to the enclave (EB_ECALL_SESSION_CALL) and sends
 * back the record the enclave made, in a RESULT, or an ERROR when the
 * worker refuses the call or the enclave dies in it. A record that fails
 * authentication in the enclave ends the session. Session sockets are non-blocking: a client that does not read
 * its replies stalls only itself (the reply waits in ->pending and nothing
 * more is read from it until it is sent), never other sessions or ebrokerd.
 * A malformed message ends that one session.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/ebroker_attest.h>

#include "common/util.h"

#include "log.h"
#include "worker.h"

/* The kernel refuses a unix datagram larger than the sender's sk_sndbuf - 32. */
#define UNIX_SNDBUF_OVERHEAD 32

static int set_events(struct worker *w, struct session *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &s->src };

	return epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

struct session *session_find(struct worker *w, uint64_t id)
{
	struct session *s;

	list_for_each_entry (s, &w->sessions, link)
		if (s->id == id)
			return s;
	return NULL;
}

static int why_fail(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int why_fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/* The session's socket can carry a full --max-msg reply: raise its send buffer if not. */
static int check_sndbuf(struct worker *w, int fd, char *why, size_t len)
{
	int need = (int)w->args.max_msg + UNIX_SNDBUF_OVERHEAD, have = 0;

	if (sock_get_int(fd, SO_SNDBUF, &have) < 0)
		return why_fail(why, len, -EINVAL, "cannot read the socket's send buffer size: %m");
	if (have >= need)
		return 0;
	/* Capped by net.core.wmem_max; beyond it only ebrokerd can (SO_SNDBUFFORCE). */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &need, sizeof(need));
	if (sock_get_int(fd, SO_SNDBUF, &have) < 0 || have < need)
		return why_fail(why, len, -ENOBUFS,
				"the session socket's send buffer (%d bytes) cannot hold a %u-byte "
				"message: ebrokerd must raise it (SO_SNDBUFFORCE)",
				have, w->args.max_msg);
	return 0;
}

/* The enclave's half of the session: its key, its report for the quoting enclave. */
static int open_in_enclave(struct worker *w, const struct eb_session_open_in *in,
			   struct eb_session_open_out *out, char *why, size_t len)
{
	size_t out_len = 0;
	int r;

	r = ebroker_enclave_call(w->enclave, EB_ECALL_SESSION_OPEN, in, sizeof(*in), out,
				 sizeof(*out), &out_len);
	if (ebroker_enclave_dead(w->enclave)) {
		w->exit_status = WORKER_EXIT_DEAD;
		return why_fail(why, len, -EIO, "the enclave died opening the session (%s)",
				strerror(r < 0 ? -r : EIO));
	}
	if (r == -ENOSYS)
		return why_fail(why, len, -EPROTONOSUPPORT,
				"the enclave's runtime has no attested sessions (built with an "
				"older SDK)");
	if (r < 0)
		return why_fail(why, len, r, "the enclave refused the session: %s", strerror(-r));
	if (out_len != sizeof(*out))
		return why_fail(why, len, -EPROTO,
				"the enclave answered the session open with %zu bytes, not %zu",
				out_len, sizeof(*out));
	return 0;
}

static void close_in_enclave(struct worker *w, uint64_t id)
{
	if (ebroker_enclave_dead(w->enclave))
		return;
	(void)ebroker_enclave_call(w->enclave, EB_ECALL_SESSION_CLOSE, &id, sizeof(id), NULL, 0,
				   NULL);
}

int session_add(struct worker *w, uint64_t id, uint32_t uid, uint32_t pid, int fd,
		const struct eb_session_open_in *in, struct eb_session_open_out *out, char *why,
		size_t why_len)
{
	_cleanup_(closep) int sfd = fd;
	_cleanup_(freep) struct session *s = NULL;
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred = { 0 };
	int type = -1, domain = -1, acc = -1, flags, r;

	if (!id)
		return why_fail(why, why_len, -EINVAL, "session id 0");
	if (session_find(w, id))
		return why_fail(why, why_len, -EEXIST, "session %" PRIu64 " exists already", id);
	/* An unconnected socket has no peer credentials (pid 0). */
	if (sock_get_int(sfd, SO_TYPE, &type) < 0 || sock_get_int(sfd, SO_DOMAIN, &domain) < 0 ||
	    sock_get_int(sfd, SO_ACCEPTCONN, &acc) < 0 || type != SOCK_SEQPACKET ||
	    domain != AF_UNIX || acc ||
	    getsockopt(sfd, SOL_SOCKET, SO_PEERCRED, &cred, &(socklen_t){ sizeof(cred) }) < 0 ||
	    cred.pid <= 0)
		return why_fail(why, why_len, -EINVAL,
				"the session's descriptor is not a connected unix SOCK_SEQPACKET "
				"socket");
	r = check_sndbuf(w, sfd, why, why_len);
	if (r)
		return r;
	flags = fcntl(sfd, F_GETFL);
	if (flags < 0 || fcntl(sfd, F_SETFL, flags | O_NONBLOCK) < 0)
		return why_fail(why, why_len, -errno,
				"cannot make the session socket non-blocking: %m");

	s = calloc(1, sizeof(*s));
	if (!s)
		return why_fail(why, why_len, -ENOMEM, "out of memory");
	*s = (struct session){ .src.kind = SOURCE_SESSION, .id = id, .uid = uid, .pid = pid };
	ev.data.ptr = &s->src;
	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, sfd, &ev) < 0)
		return why_fail(why, why_len, -errno, "cannot watch the session socket: %m");
	r = open_in_enclave(w, in, out, why, why_len);
	if (r) {
		epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, sfd, NULL);
		return r;
	}
	s->in_enclave = true;
	s->fd = TAKE_FD(sfd);
	list_add_tail(&s->link, &w->sessions);
	w->nr_sessions++;
	TAKE_PTR(s);
	return 0;
}

void session_end(struct worker *w, struct session *s, enum ebp_side side, const char *reason)
{
	struct nl_msg *m;

	if (s->ended)
		return;
	s->ended = true;
	epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
	/*
	 * The client learns why from the session itself: an ERROR with request
	 * id 0, the last message before the socket closes. Best effort: a
	 * client whose socket is full (or gone) asks ebrokerd instead.
	 */
	if (!s->pending)
		(void)ebp_send_error(s->fd, 0, ECONNRESET, side, "%s", reason);
	close(s->fd);
	s->fd = -1;
	if (s->in_enclave)
		close_in_enclave(w, s->id);
	s->in_enclave = false;
	if (s->pending)
		nlmsg_free(s->pending);
	s->pending = NULL;
	/* Freed after the epoll batch, which may still name it. */
	list_del(&s->link);
	list_add_tail(&s->link, &w->ended);
	w->nr_sessions--;

	if (w->control_fd < 0)
		return;
	if (ebp_msg_new(EBP_MSG_W_ENDED, 0, EBP_ERROR_MSG_MAX + 32, &m) < 0) {
		log_error(ENOMEM, "session %" PRIu64 ": cannot tell ebrokerd it ended: %m", s->id);
		return;
	}
	if (nla_put_u64(m, EBP_A_SESSION_ID, s->id) < 0 ||
	    nla_put_u64(m, EBP_A_CALLS, s->calls) < 0 ||
	    nla_put_string(m, EBP_A_REASON, reason) < 0) {
		nlmsg_free(m);
		log_error(ENOMEM, "session %" PRIu64 ": cannot tell ebrokerd it ended: %m", s->id);
		return;
	}
	control_send(w, m);
}

void session_end_all(struct worker *w, enum ebp_side side, const char *reason)
{
	while (!list_empty(&w->sessions))
		session_end(w, list_first_entry(&w->sessions, struct session, link), side, reason);
}

void session_reap(struct worker *w)
{
	while (!list_empty(&w->ended)) {
		struct session *s = list_first_entry(&w->ended, struct session, link);

		list_del(&s->link);
		free(s);
	}
}

static void end_why(struct worker *w, struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void end_why(struct worker *w, struct session *s, const char *fmt, ...)
{
	char reason[EBP_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	session_end(w, s, EBP_SIDE_WORKER, reason);
}

/* The client broke the protocol: say why (rate-limited) and end its session. */
static void malformed(struct worker *w, struct session *s, const char *why)
{
	if (log_ratelimit_ok())
		log_warning(0, "session %" PRIu64 " (uid %u, pid %u): malformed message: %s", s->id,
			    s->uid, s->pid, why);
	end_why(w, s, "malformed message from the client: %s", why);
}

static void send_failed(struct worker *w, struct session *s, int r)
{
	if (r == -EPIPE || r == -ECONNRESET)
		session_end(w, s, EBP_SIDE_WORKER, "closed by the client");
	else
		end_why(w, s, "cannot send to the client: %s", strerror(-r));
}

/* Send @m (taken) on @s; a client that is not reading gets it when it does. */
static void reply(struct worker *w, struct session *s, struct nl_msg *m)
{
	int r = ebp_send(s->fd, m, -1);

	if (r == -EAGAIN) {
		s->pending = m;
		if (set_events(w, s, EPOLLOUT) < 0)
			end_why(w, s, "cannot wait for the client: %m");
		return;
	}
	nlmsg_free(m);
	if (r)
		send_failed(w, s, r);
}

static void reply_error(struct worker *w, struct session *s, uint32_t request_id, int err,
			enum ebp_side side, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void reply_error(struct worker *w, struct session *s, uint32_t request_id, int err,
			enum ebp_side side, const char *fmt, ...)
{
	char text[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ebp_msg_error(request_id, err, side, text, &m) < 0) {
		session_end(w, s, EBP_SIDE_WORKER, "the worker ran out of memory");
		return;
	}
	reply(w, s, m);
}

/*
 * The enclave faulted or ran past the timeout in @s's call: it is dead, and
 * so is the instance. The caller learns why (best effort: if its socket is
 * full, it sees the session end), every session ends with that reason.
 */
static void enclave_died(struct worker *w, struct session *s, uint32_t request_id, int r)
{
	char reason[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;

	if (r == -ETIMEDOUT)
		snprintf(reason, sizeof(reason), "a call ran past the %u ms call timeout",
			 w->args.call_timeout_ms);
	else if (r == -EFAULT)
		snprintf(reason, sizeof(reason), "the enclave faulted in a call");
	else
		snprintf(reason, sizeof(reason), "the enclave died in a call (%s)",
			 strerror(r < 0 ? -r : EIO));
	log_error(0, "session %" PRIu64 " (uid %u, pid %u): %s: the instance is dead", s->id,
		  s->uid, s->pid, reason);
	if (ebp_msg_error(request_id, r < 0 ? r : -EIO, EBP_SIDE_ENCLAVE, reason, &m) == 0) {
		(void)ebp_send(s->fd, m, -1);
		nlmsg_free(m);
	}
	session_end_all(w, EBP_SIDE_WORKER, reason);
	w->exit_status = WORKER_EXIT_DEAD;
}

static void call(struct worker *w, struct session *s, const struct ebp_msg *msg)
{
	uint32_t out_max = nla_get_u32(msg->attrs[EBP_A_OUT_MAX]);
	const struct nlattr *rec = msg->attrs[EBP_A_RECORD];
	size_t rec_len = (size_t)nla_len(rec), out_len = 0;
	struct nl_msg *m;
	int status;

	s->calls++;
	/* A record the enclave did not take puts the channel out of step: the session ends. */
	if (out_max > w->out_limit) {
		reply_error(w, s, msg->request_id, EINVAL, EBP_SIDE_WORKER,
			    "OUT_MAX %u is more than the %u output bytes a %u-byte message carries",
			    out_max, w->out_limit, w->args.max_msg);
		end_why(w, s, "a call asked for more output (%u bytes) than the session carries",
			out_max);
		return;
	}
	/* SESSION_CALL's input: the session id, then the record as it came. */
	memcpy(w->call_buf, &s->id, sizeof(s->id));
	memcpy(w->call_buf + sizeof(s->id), nla_data(rec), rec_len);
	status = ebroker_enclave_call(w->enclave, EB_ECALL_SESSION_CALL, w->call_buf,
				      sizeof(s->id) + rec_len, w->out_buf,
				      out_max + WORKER_RECORD_EXTRA, &out_len);
	/* Only a death is the loader's; the function's status is inside the record. */
	if (ebroker_enclave_dead(w->enclave)) {
		enclave_died(w, s, msg->request_id, status);
		return;
	}
	if (status == -EBADMSG) {
		/* The enclave has dropped its keys: nothing more is accepted. */
		s->in_enclave = false;
		reply_error(w, s, msg->request_id, EBADMSG, EBP_SIDE_ENCLAVE,
			    "a record failed authentication in the enclave (tampered, replayed, "
			    "reordered or truncated): the session is ended");
		session_end(w, s, EBP_SIDE_WORKER,
			    "a record from the client failed authentication in the enclave");
		return;
	}
	if (status < 0 || out_len < WORKER_RECORD_EXTRA ||
	    out_len > out_max + WORKER_RECORD_EXTRA) {
		reply_error(w, s, msg->request_id, status < 0 ? -status : EPROTO, EBP_SIDE_ENCLAVE,
			    "the enclave could not run the call: %s",
			    status < 0 ? strerror(-status) : "it returned no record");
		end_why(w, s, "the enclave could not run a call: %s",
			status < 0 ? strerror(-status) : "it returned no record");
		return;
	}
	if (ebp_msg_new(EBP_MSG_RESULT, msg->request_id, NLA_HDRLEN + NLA_ALIGN(out_len), &m) < 0) {
		session_end(w, s, EBP_SIDE_WORKER, "the worker ran out of memory");
		return;
	}
	if (nla_put(m, EBP_A_RECORD, (int)out_len, w->out_buf) < 0) {
		nlmsg_free(m);
		session_end(w, s, EBP_SIDE_WORKER, "the worker ran out of memory");
		return;
	}
	reply(w, s, m);
}

static void readable(struct worker *w, struct session *s)
{
	struct ebp_msg msg;
	const char *why = NULL;
	char text[96];
	ssize_t n;

	n = ebp_recv(s->fd, w->session_buf, w->args.max_msg, NULL);
	switch (n) {
	case -EAGAIN:
		return;
	case 0:
	case -ECONNRESET:
		session_end(w, s, EBP_SIDE_WORKER, "closed by the client");
		return;
	case -EMSGSIZE:
		snprintf(text, sizeof(text), "larger than the session's %u-byte limit",
			 w->args.max_msg);
		malformed(w, s, text);
		return;
	case -EBADMSG:
		malformed(w, s, "a file descriptor or other control data came with it");
		return;
	}
	if (n < 0) {
		end_why(w, s, "cannot receive from the client: %s", strerror((int)-n));
		return;
	}
	if (ebp_parse(w->session_buf, n, false, &msg, &why) < 0) {
		malformed(w, s, why);
		return;
	}
	if (msg.type != EBP_MSG_CALL) {
		snprintf(text, sizeof(text), "%s where only CALL belongs", ebp_msg_name(msg.type));
		malformed(w, s, text);
		return;
	}
	call(w, s, &msg);
}

void session_event(struct worker *w, struct session *s, uint32_t events)
{
	int r;

	if (s->ended)
		return;
	if (!s->pending) {
		readable(w, s);
		return;
	}
	/* Waiting for room for the last reply (EPOLLOUT, or HUP/ERR). */
	r = ebp_send(s->fd, s->pending, -1);
	if (r == -EAGAIN)
		return;
	nlmsg_free(s->pending);
	s->pending = NULL;
	if (r) {
		send_failed(w, s, r);
		return;
	}
	if (set_events(w, s, EPOLLIN) < 0)
		end_why(w, s, "cannot watch the client: %m");
}
