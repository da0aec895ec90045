// SPDX-License-Identifier: GPL-2.0
/*
 * The control connection to ebrokerd: W_READY once connected, then
 * W_ADD/W_DROP/W_QUERY/W_CALL requests, each answered in order, and W_ENDED
 * whenever a session ends. The worker accepts nothing else: anything
 * malformed or unexpected closes the connection (sessions keep running)
 * and the worker waits on its listening socket for ebrokerd to come back.
 * Only root may connect there.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/ebroker_attest.h>

#include "common/util.h"

#include "log.h"
#include "worker.h"

static void listen_events(struct worker *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &w->listen_src };

	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, w->listen_fd, &ev) < 0)
		log_error(errno, "cannot watch the listening socket: %m");
}

void control_drop(struct worker *w, const char *why)
{
	if (w->control_fd < 0)
		return;
	log_info("control connection closed (%s); %zu session(s) keep running", why,
		 w->nr_sessions);
	epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, w->control_fd, NULL);
	close(w->control_fd);
	w->control_fd = -1;
	listen_events(w, EPOLLIN);
}

/* A control message could not be sent: the connection is of no more use. */
static void control_failed(struct worker *w, int err)
{
	char why[128];

	snprintf(why, sizeof(why), "cannot send to ebrokerd: %s", strerror(err < 0 ? -err : err));
	control_drop(w, why);
}

void control_send(struct worker *w, struct nl_msg *m)
{
	int r = 0;

	if (w->control_fd >= 0)
		r = ebp_send(w->control_fd, m, -1);
	nlmsg_free(m);
	if (r)
		control_failed(w, r);
}

static void control_send_empty(struct worker *w, uint16_t type, uint32_t request_id)
{
	int r = w->control_fd >= 0 ? ebp_send_empty(w->control_fd, type, request_id) : 0;

	if (r)
		control_failed(w, r);
}

int control_send_ready(struct worker *w)
{
	struct nl_msg *m;
	int r;

	r = ebp_msg_new(EBP_MSG_W_READY, 0, 256 + strlen(w->args.tenant), &m);
	if (r)
		return r;
	/* Who it is too: a restarted ebrokerd takes it back from this alone. */
	if (nla_put_u64(m, EBP_A_INSTANCE_ID, w->args.instance_id) < 0 ||
	    nla_put_string(m, EBP_A_ENCLAVE, w->args.enclave) < 0 ||
	    nla_put_string(m, EBP_A_CGROUP, w->args.tenant) < 0 ||
	    nla_put_u32(m, EBP_A_MAX_MSG, w->args.max_msg) < 0 ||
	    nla_put_u32(m, EBP_A_TCS, w->tcs) < 0 ||
	    nla_put(m, EBP_A_MRENCLAVE, EBP_HASH_SIZE, w->info.mrenclave) < 0 ||
	    nla_put(m, EBP_A_MRSIGNER, EBP_HASH_SIZE, w->info.mrsigner) < 0 ||
	    nla_put_u32(m, EBP_A_ISVPRODID, w->info.isv_prod_id) < 0 ||
	    nla_put_u32(m, EBP_A_ISVSVN, w->info.isv_svn) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	control_send(w, m);
	return 0;
}

/* ebrokerd broke the protocol: it is told nothing, the connection closes. */
static void violation(struct worker *w, const char *why)
{
	log_warning(0, "control connection: %s: closing it", why);
	control_drop(w, "protocol violation");
}

static void send_error(struct worker *w, uint32_t request_id, int err, enum ebp_side side,
		       const char *why)
{
	int r = ebp_send_error(w->control_fd, request_id, err, side, "%s", why);

	if (r)
		control_failed(w, r);
}

static void handle_add(struct worker *w, const struct ebp_msg *msg, int fd)
{
	uint64_t id = nla_get_u64(msg->attrs[EBP_A_SESSION_ID]);
	struct eb_session_open_in in = { .session_id = id };
	struct eb_session_open_out out;
	char why[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	int r;

	memcpy(&in.qe_target, nla_data(msg->attrs[EBP_A_TARGETINFO]), sizeof(in.qe_target));
	memcpy(in.nonce, nla_data(msg->attrs[EBP_A_NONCE]), sizeof(in.nonce));
	memcpy(in.client_pub, nla_data(msg->attrs[EBP_A_CLIENT_KEY]), sizeof(in.client_pub));
	r = session_add(w, id, nla_get_u32(msg->attrs[EBP_A_UID]),
			nla_get_u32(msg->attrs[EBP_A_PID]), fd, &in, &out, why, sizeof(why));
	if (r) {
		log_warning(r, "session %" PRIu64 " refused: %s", id, why);
		if (w->exit_status == WORKER_EXIT_DEAD)
			session_end_all(w, EBP_SIDE_WORKER, why);
		send_error(w, msg->request_id, r,
			   r == -EPROTONOSUPPORT || r == -EIO ? EBP_SIDE_ENCLAVE : EBP_SIDE_WORKER,
			   why);
		return;
	}
	if (ebp_msg_new(EBP_MSG_W_ADDED, msg->request_id, 512, &m) < 0) {
		control_drop(w, "out of memory");
		return;
	}
	if (nla_put_u64(m, EBP_A_SESSION_ID, id) < 0 ||
	    nla_put(m, EBP_A_REPORT, sizeof(out.report), &out.report) < 0 ||
	    nla_put(m, EBP_A_ENCLAVE_KEY, sizeof(out.enclave_pub), out.enclave_pub) < 0) {
		nlmsg_free(m);
		control_drop(w, "out of memory");
		return;
	}
	control_send(w, m);
}

/* A plain ECALL for ebrokerd, outside any session (the quoting enclave's). */
static void handle_call(struct worker *w, const struct ebp_msg *msg)
{
	uint32_t fn = nla_get_u32(msg->attrs[EBP_A_FUNCTION]);
	uint32_t out_max = nla_get_u32(msg->attrs[EBP_A_OUT_MAX]);
	const struct nlattr *data = msg->attrs[EBP_A_DATA];
	size_t out_len = 0, room = sizeof(w->control_out) - 64;
	struct nl_msg *m;
	char why[128];
	int status;

	/* A tenant's enclave is reached through its attested sessions only. */
	if (w->args.role != WORKER_ROLE_QUOTING) {
		send_error(w, msg->request_id, EPERM, EBP_SIDE_WORKER,
			   "plain calls are for the quoting enclave (--role quoting)");
		return;
	}
	if (out_max > room) {
		snprintf(why, sizeof(why), "OUT_MAX %u is more than a control message carries",
			 out_max);
		send_error(w, msg->request_id, EINVAL, EBP_SIDE_WORKER, why);
		return;
	}
	status = ebroker_enclave_call(w->enclave, fn, data ? nla_data(data) : NULL,
				      data ? (size_t)nla_len(data) : 0, w->control_out, out_max,
				      &out_len);
	if (ebroker_enclave_dead(w->enclave)) {
		snprintf(why, sizeof(why), "the enclave died in function %u (%s)", fn,
			 strerror(status < 0 ? -status : EIO));
		log_error(0, "%s: the instance is dead", why);
		send_error(w, msg->request_id, EIO, EBP_SIDE_ENCLAVE, why);
		session_end_all(w, EBP_SIDE_WORKER, why);
		w->exit_status = WORKER_EXIT_DEAD;
		return;
	}
	if (out_len > out_max)
		out_len = 0;
	if (ebp_msg_new(EBP_MSG_W_RESULT, msg->request_id, 64 + out_len, &m) < 0) {
		control_drop(w, "out of memory");
		return;
	}
	if (nla_put_u32(m, EBP_A_STATUS, (uint32_t)status) < 0 ||
	    (out_len && nla_put(m, EBP_A_DATA, (int)out_len, w->control_out) < 0)) {
		nlmsg_free(m);
		control_drop(w, "out of memory");
		return;
	}
	control_send(w, m);
}

static void handle_query(struct worker *w, const struct ebp_msg *msg)
{
	struct session *s;
	struct nl_msg *m;

	list_for_each_entry (s, &w->sessions, link) {
		if (w->control_fd < 0)
			return;
		if (ebp_msg_new(EBP_MSG_W_SESSION, msg->request_id, 64, &m) < 0) {
			control_drop(w, "out of memory");
			return;
		}
		if (nla_put_u64(m, EBP_A_SESSION_ID, s->id) < 0 ||
		    nla_put_u32(m, EBP_A_UID, s->uid) < 0 ||
		    nla_put_u32(m, EBP_A_PID, s->pid) < 0 ||
		    nla_put_u64(m, EBP_A_CALLS, s->calls) < 0) {
			nlmsg_free(m);
			control_drop(w, "out of memory");
			return;
		}
		control_send(w, m);
	}
	control_send_empty(w, EBP_MSG_DONE, msg->request_id);
}

void control_event(struct worker *w)
{
	_cleanup_(closep) int fd = -1;
	const char *why = NULL;
	struct ebp_msg msg;
	char text[96];
	ssize_t n;

	if (w->control_fd < 0)
		return;
	n = ebp_recv(w->control_fd, w->control_buf, sizeof(w->control_buf), &fd);
	switch (n) {
	case -EAGAIN:
		return;
	case 0:
		control_drop(w, "ebrokerd closed it");
		return;
	case -EMSGSIZE:
		snprintf(text, sizeof(text), "a message larger than %d bytes", EBP_CONTROL_MSG_MAX);
		violation(w, text);
		return;
	case -EBADMSG:
		violation(w, "control data other than one file descriptor");
		return;
	}
	if (n < 0) {
		snprintf(text, sizeof(text), "receive error: %s", strerror((int)-n));
		control_drop(w, text);
		return;
	}
	if (ebp_parse(w->control_buf, n, fd >= 0, &msg, &why) < 0) {
		violation(w, why);
		return;
	}
	switch (msg.type) {
	case EBP_MSG_W_ADD:
		handle_add(w, &msg, TAKE_FD(fd));
		break;
	case EBP_MSG_W_DROP: {
		struct session *s = session_find(w, nla_get_u64(msg.attrs[EBP_A_SESSION_ID]));
		const struct nlattr *reason = msg.attrs[EBP_A_REASON];

		if (s)
			session_end(w, s, EBP_SIDE_DAEMON,
				    reason ? nla_data(reason) : "closed by ebrokerd");
		control_send_empty(w, EBP_MSG_DONE, msg.request_id);
		break;
	}
	case EBP_MSG_W_QUERY:
		handle_query(w, &msg);
		break;
	case EBP_MSG_W_CALL:
		handle_call(w, &msg);
		break;
	default:
		snprintf(text, sizeof(text), "unexpected %s message", ebp_msg_name(msg.type));
		violation(w, text);
	}
}

void control_accept(struct worker *w)
{
	_cleanup_(closep) int fd = -1;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->control_src };
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1 };
	socklen_t len = sizeof(cred);
	int r;

	if (w->control_fd >= 0)
		return;
	fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR &&
		    log_ratelimit_ok())
			log_error(errno, "cannot accept a control connection: %m");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		if (log_ratelimit_ok())
			log_warning(0, "refused a control connection from pid %d, uid %d: not root",
				    (int)cred.pid, (int)cred.uid);
		return;
	}
	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error(errno, "cannot watch the new control connection: %m");
		return;
	}
	w->control_fd = TAKE_FD(fd);
	listen_events(w, 0);
	log_info("ebrokerd (pid %d) reconnected; %zu session(s) running", (int)cred.pid,
		 w->nr_sessions);
	r = control_send_ready(w);
	if (r)
		control_drop(w, "out of memory");
}
