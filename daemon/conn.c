// SPDX-License-Identifier: GPL-2.0
/*
 * Control connections: one per client, identified by the kernel at accept
 * (peer.c). Requests are served one at a time, in order: while an OPEN
 * waits for an instance to start or a LIST waits for the workers' counts,
 * the connection is not read. Replies go through a per-connection queue so
 * that a client that does not read (a long LIST, a hostile client) never
 * blocks the daemon; a queue past CONN_OUTQ_MAX drops that client.
 *
 * Anything malformed -- a short or oversized packet, a wrong version, an
 * unknown type or attribute, a file descriptor -- closes that one
 * connection with a rate-limited log line. Sessions it opened live on.
 *
 * A connection past the policy's Connections= or ConnectionsPerUser= is
 * accepted only to be told why (an ERROR with request id 0, before any
 * request) and closed, so that the client reports the limit instead of a
 * daemon that went away.
 */
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <sys/socket.h>
#include <time.h>

#include "common/util.h"
#include "proto/proto.h"

#include "daemon.h"
#include "image.h"
#include "log.h"
#include "quota.h"

#define CONN_OUTQ_MAX (16 * 1024 * 1024)

struct outmsg {
	struct list_head link;
	struct nl_msg *m;
	int fd;
};

struct conn_out {
	struct list_head q;
	size_t bytes;
};

static unsigned int n_conns;

static int conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata);

static void conn_log(const struct conn *c, const char *fmt, const char *why)
{
	if (log_ratelimit_ok())
		log_notice("client pid %d uid %u (%s): %s%s", (int)c->peer.pid, c->peer.uid,
			   c->peer.cgpath ? c->peer.cgpath : "?", fmt, why);
}

/* Queue or send @m (taking it) with an optional fd (taking it too). */
static int conn_send(struct conn *c, struct nl_msg *m, int fd)
{
	struct conn_out *o = c->out;
	struct outmsg *om;
	int r = -EAGAIN;

	if (list_empty(&o->q))
		r = ebp_send(c->fd, m, fd);
	if (r != -EAGAIN) {
		nlmsg_free(m);
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (o->bytes > CONN_OUTQ_MAX) {
		/* A client that does not read its replies is dropped: the hang-up frees it. */
		nlmsg_free(m);
		if (fd >= 0)
			close(fd);
		if (log_ratelimit_ok())
			log_notice("client pid %d uid %u leaves its replies unread: dropping it",
				   (int)c->peer.pid, c->peer.uid);
		shutdown(c->fd, SHUT_RDWR);
		sd_event_source_set_io_events(c->src, EPOLLIN);
		return -ENOBUFS;
	}
	om = malloc(sizeof(*om));
	if (!om) {
		nlmsg_free(m);
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	om->m = m;
	om->fd = fd;
	o->bytes += nlmsg_hdr(m)->nlmsg_len;
	list_add_tail(&om->link, &o->q);
	return sd_event_source_set_io_events(c->src, EPOLLOUT);
}

static int conn_flush(struct conn *c)
{
	struct conn_out *o = c->out;
	struct outmsg *om, *n;
	int r;

	list_for_each_entry_safe (om, n, &o->q, link) {
		r = ebp_send(c->fd, om->m, om->fd);
		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return r;
		o->bytes -= nlmsg_hdr(om->m)->nlmsg_len;
		list_del(&om->link);
		nlmsg_free(om->m);
		if (om->fd >= 0)
			close(om->fd);
		free(om);
	}
	return sd_event_source_set_io_events(c->src, c->state == CONN_IDLE ? EPOLLIN : 0);
}

static void conn_error(struct conn *c, int err, int side, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void conn_error(struct conn *c, int err, int side, const char *fmt, ...)
{
	char text[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ebp_msg_error(c->request_id, err, side, text, &m) == 0)
		conn_send(c, m, -1);
}

static void conn_done(struct conn *c)
{
	struct nl_msg *m;

	if (ebp_msg_new(EBP_MSG_DONE, c->request_id, 0, &m) == 0)
		conn_send(c, m, -1);
}

/* Back to reading requests, or freed if sending failed. */
static void conn_resume(struct conn *c)
{
	c->state = CONN_IDLE;
	if (list_empty(&c->out->q))
		sd_event_source_set_io_events(c->src, EPOLLIN);
}

/*
 * "alice (uid 1001)" for refusals. The user database may be remote (LDAP,
 * sssd) and slow, and a client can be refused as often as it likes: each
 * uid is looked up once and remembered, in a small table whose oldest
 * entry makes room.
 */
static const char *user_name(uid_t uid, char *buf, size_t cap)
{
	static struct {
		uid_t uid;
		bool used;
		char name[64];
	} cache[64];
	static unsigned int next;
	struct passwd pw, *res = NULL;
	char tmp[1024];
	unsigned int i;

	for (i = 0; i < ELEMENTSOF(cache); i++)
		if (cache[i].used && cache[i].uid == uid)
			break;
	if (i == ELEMENTSOF(cache)) {
		i = next++ % ELEMENTSOF(cache);
		cache[i].used = true;
		cache[i].uid = uid;
		if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
			snprintf(cache[i].name, sizeof(cache[i].name), "%s", res->pw_name);
		else
			cache[i].name[0] = '\0';
	}
	if (cache[i].name[0])
		snprintf(buf, cap, "%s (uid %u)", cache[i].name, uid);
	else
		snprintf(buf, cap, "uid %u", uid);
	return buf;
}

/* ---------------------------------------------------------------- OPEN */

static void place(struct conn *c, struct pool *pl);
static bool admit(struct conn *c, const char *name);

/* Socket buffers of this size hold a whole message without any help. */
/*
 * Hand @c's new session to @in. The client gets its end only once the
 * worker has said it took the other (W_ADD answered): a worker that dies
 * before that costs the client nothing, the OPEN just goes to another
 * instance (conn_session_failed()).
 */
static void open_on(struct conn *c, struct instance *in)
{
	struct daemon *d = c->d;
	int sp[2], need = (int)in->max_msg + 64;
	struct session *s;
	int r;

	if (!admit(c, c->enclave)) {
		conn_resume(c);
		return;
	}
	s = session_new(d, &c->peer, c->enclave);
	if (!s) {
		conn_error(c, ENOMEM, EBP_SIDE_DAEMON, "out of memory");
		conn_resume(c);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		r = -errno;
		session_end(d, s, "the daemon could not create the session socket");
		conn_error(c, r, EBP_SIDE_DAEMON, "cannot create a session socket: %s",
			   strerror(-r));
		conn_resume(c);
		return;
	}
	/* Room for a whole message of the instance's size limit, whatever the host's defaults. */
	for (int i = 0; i < 2; i++) {
		int have = 0;
		socklen_t len = sizeof(have);

		if (getsockopt(sp[i], SOL_SOCKET, SO_SNDBUF, &have, &len) == 0 && have >= 2 * need)
			continue;
		setsockopt(sp[i], SOL_SOCKET, SO_SNDBUFFORCE, &need, sizeof(need));
		setsockopt(sp[i], SOL_SOCKET, SO_RCVBUFFORCE, &need, sizeof(need));
	}
	r = instance_add_session(in, s, sp[1], c);
	close(sp[1]);
	if (r < 0) {
		close(sp[0]);
		session_end(d, s, "the worker did not take the session");
		conn_session_failed(c, in, r, "the worker did not take the session");
		return;
	}
	c->state = CONN_WAIT_ADD;
	c->client_fd = sp[0];
	c->adding = s->id;
	sd_event_source_set_io_events(c->src, 0);
}

/* The OPEN in hand cannot go on: the session it made ends, the client hears why. */
static void open_failed(struct conn *c, struct session *s, int err, int side, const char *why)
{
	if (c->client_fd >= 0)
		close(TAKE_FD(c->client_fd));
	c->adding = 0;
	if (s)
		session_close(c->d, s, why);
	conn_error(c, err, side, "%s", why);
	conn_resume(c);
}

/*
 * The worker took the session and the enclave made its key and its report
 * for the quoting enclave: have the report quoted.
 */
void conn_session_added(struct conn *c, struct instance *in, const struct ebp_msg *m)
{
	struct session *s = session_find(c->d, c->adding);
	char why[EBP_ERROR_MSG_MAX];
	int r;

	if (!s || s->reason) {
		/* Ended already (the client of another request closed it by id, ...). */
		snprintf(why, sizeof(why), "the session ended at once: %s", s ? s->reason : "?");
		open_failed(c, NULL, ECONNRESET, EBP_SIDE_WORKER, why);
		return;
	}
	memcpy(c->enclave_key, nla_data(m->attrs[EBP_A_ENCLAVE_KEY]), sizeof(c->enclave_key));
	r = attestation_quote(c->d, c, nla_data(m->attrs[EBP_A_REPORT]));
	if (r < 0) {
		/* -ENOKEY: attestation is failing; else the quote was asked for and not made. */
		if (r == -ENOKEY)
			c->d->refused[REFUSED_ATTESTATION]++;
		else
			c->d->att.quote_failures++;
		snprintf(why, sizeof(why), "attestation is failing: %.400s",
			 c->d->att.reason[0] ? c->d->att.reason : strerror(-r));
		open_failed(c, s, ENOKEY, EBP_SIDE_DAEMON, why);
		return;
	}
	c->state = CONN_WAIT_QUOTE;
}

/* The quoting enclave answered: the client gets its session and the evidence. */
void conn_quote_done(struct conn *c, const struct call_result *res)
{
	struct session *s = session_find(c->d, c->adding);
	struct instance *in = s ? s->instance : NULL;
	char why[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	int fd, r;

	if (!s || s->reason || !in) {
		snprintf(why, sizeof(why), "the session ended at once: %s",
			 s && s->reason ? s->reason : "?");
		open_failed(c, NULL, ECONNRESET, EBP_SIDE_WORKER, why);
		return;
	}
	if (res->err || res->status < 0 || !res->len) {
		c->d->att.quote_failures++;
		snprintf(why, sizeof(why), "the quoting enclave did not quote the session: %s",
			 res->err ? (res->message ? res->message : strerror(res->err))
			 : res->status == -EBADMSG
			     ? "the enclave's report did not verify (not made on this platform)"
			     : strerror(res->status < 0 ? -res->status : EPROTO));
		open_failed(c, s, res->err ? res->err : EPROTO, EBP_SIDE_DAEMON, why);
		return;
	}
	fd = TAKE_FD(c->client_fd);
	c->adding = 0;
	r = ebp_msg_new(EBP_MSG_OPENED, c->request_id, 512 + res->len, &m);
	if (r == 0 &&
	    (nla_put_u64(m, EBP_A_SESSION_ID, s->id) || nla_put_u64(m, EBP_A_INSTANCE_ID, in->id) ||
	     nla_put(m, EBP_A_QUOTE, (int)res->len, res->data) ||
	     nla_put(m, EBP_A_ENCLAVE_KEY, EBP_PUBKEY_SIZE, c->enclave_key) ||
	     nla_put(m, EBP_A_NONCE, EBP_NONCE_SIZE, c->nonce) ||
	     nla_put(m, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE, c->client_key) ||
	     nla_put(m, EBP_A_MRENCLAVE, 32, in->mrenclave) ||
	     nla_put(m, EBP_A_MRSIGNER, 32, in->mrsigner) ||
	     nla_put_u32(m, EBP_A_ISVPRODID, in->isv_prod_id) ||
	     nla_put_u32(m, EBP_A_ISVSVN, in->isv_svn) ||
	     nla_put_u32(m, EBP_A_MAX_MSG, in->max_msg))) {
		nlmsg_free(m);
		r = -ENOMEM;
	}
	if (r == 0)
		r = conn_send(c, m, fd);
	else
		close(fd);
	if (r < 0) {
		/* The client will never see the session: end it now. */
		session_close(c->d, s, "the client could not be sent the session");
	} else {
		c->d->opens++;
		session_log(s, "opened by pid %d on instance %" PRIu64, (int)s->pid, in->id);
	}
	conn_resume(c);
}

void conn_session_failed(struct conn *c, struct instance *in, int err, const char *why)
{
	if (c->client_fd >= 0)
		close(TAKE_FD(c->client_fd));
	c->adding = 0;
	/* The worker died under us (and is marked so): another instance, then. */
	if (++c->attempts < 3) {
		place(c, in->pool);
		return;
	}
	conn_error(c, err, EBP_SIDE_WORKER, "enclave %s: %s", c->enclave, why);
	conn_resume(c);
}

void conn_instance_ready(struct conn *c, struct instance *in)
{
	list_del(&c->wait_link);
	c->waiting = NULL;
	open_on(c, in);
}

void conn_instance_failed(struct conn *c, int err, int side, const char *message)
{
	struct instance *in = c->waiting;
	struct instance *other;
	char why[EBP_ERROR_MSG_MAX];

	list_del(&c->wait_link);
	c->waiting = NULL;
	/* Growing the pool failed but the tenant has an instance already: share it. */
	other = pool_fallback(in->pool);
	if (other && other != in) {
		open_on(c, other);
		return;
	}
	if (err == EDQUOT) {
		const struct verified_image *img = NULL;

		for (size_t i = 0; i < eb_policy_enclave_count(c->d->policy); i++)
			if (!strcmp(eb_policy_enclave_at(c->d->policy, i)->name, c->enclave))
				img = c->d->images[i];
		quota_explain("/sys/kernel/ebroker", "/sys/fs/cgroup", c->peer.cgpath, c->enclave,
			      img ? img->epc_pages : 0, why, sizeof(why));
		c->d->refused[REFUSED_QUOTA]++;
		conn_error(c, err, EBP_SIDE_KERNEL, "%s", why);
	} else if (err == ENOSPC) {
		c->d->refused[REFUSED_POOL]++;
		conn_error(c, err, EBP_SIDE_KERNEL,
			   "the EPC pool has no room for an instance of enclave %s", c->enclave);
	} else {
		conn_error(c, err, side, "%s", message);
	}
	conn_resume(c);
}

/*
 * May @c open enclave @name now? Checked when the OPEN arrives and again
 * when an instance is there to take it, since the wait may be long enough
 * for other sessions to open or for a reload to change the answer. On no,
 * the client has its error.
 */
static bool admit(struct conn *c, const char *name)
{
	struct daemon *d = c->d;
	const struct eb_policy_limits *lim = eb_policy_limits(d->policy);
	char who[128];
	unsigned int n;

	if (!eb_policy_enclave(d->policy, name)) {
		d->refused[REFUSED_POLICY]++;
		conn_error(c, ENOENT, EBP_SIDE_DAEMON, "no enclave named '%s' is configured", name);
		return false;
	}
	if (!strcmp(eb_policy_attestation(d->policy)->quoting_enclave, name)) {
		d->refused[REFUSED_POLICY]++;
		conn_error(c, EACCES, EBP_SIDE_DAEMON,
			   "enclave %s is the quoting enclave: it takes no sessions", name);
		return false;
	}
	if (!eb_policy_may_open(d->policy, name, c->peer.uid, c->peer.gid, c->peer.groups,
				c->peer.n_groups)) {
		d->refused[REFUSED_POLICY]++;
		conn_error(c, EACCES, EBP_SIDE_DAEMON, "%s may not open enclave %s (policy)",
			   user_name(c->peer.uid, who, sizeof(who)), name);
		return false;
	}
	n = sessions_of_uid(d, c->peer.uid);
	if (n >= lim->sessions_per_user) {
		d->refused[REFUSED_LIMITS]++;
		conn_error(c, EUSERS, EBP_SIDE_DAEMON,
			   "%s has %u sessions open, the most the policy allows (SessionsPerUser=)",
			   user_name(c->peer.uid, who, sizeof(who)), n);
		return false;
	}
	n = sessions_of_cgroup(d, c->peer.cgid);
	if (n >= lim->sessions_per_cgroup) {
		d->refused[REFUSED_LIMITS]++;
		conn_error(c, EUSERS, EBP_SIDE_DAEMON,
			   "cgroup %s has %u sessions open, the most the policy allows "
			   "(SessionsPerCgroup=)",
			   c->peer.cgpath, n);
		return false;
	}
	return true;
}

/* Attestation works: admit the OPEN and find it an instance. */
static void open_attested(struct conn *c)
{
	struct pool *pl;

	if (!admit(c, c->enclave))
		return;
	pl = pool_get(c->d, c->enclave, &c->peer);
	if (!pl) {
		conn_error(c, ENOMEM, EBP_SIDE_DAEMON, "out of memory");
		return;
	}
	c->attempts = 0;
	place(c, pl);
}

/* No session is opened unattested: an OPEN fails while attestation does. */
static bool attestation_failing(struct conn *c)
{
	struct attestation *a = &c->d->att;

	if (a->state != EBP_ATTESTATION_FAILING)
		return false;
	c->d->refused[REFUSED_ATTESTATION]++;
	conn_error(c, ENOKEY, EBP_SIDE_DAEMON, "attestation is failing: %s", a->reason);
	return true;
}

void conn_attestation_settled(struct conn *c)
{
	c->state = CONN_IDLE;
	if (!attestation_failing(c))
		open_attested(c);
	if (c->state == CONN_IDLE)
		conn_resume(c);
}

static void handle_open(struct conn *c, const struct ebp_msg *m)
{
	snprintf(c->enclave, sizeof(c->enclave), "%s", ebp_get_str(m, EBP_A_ENCLAVE));
	memcpy(c->nonce, nla_data(m->attrs[EBP_A_NONCE]), sizeof(c->nonce));
	memcpy(c->client_key, nla_data(m->attrs[EBP_A_CLIENT_KEY]), sizeof(c->client_key));
	if (attestation_failing(c))
		return;
	if (c->d->att.state == EBP_ATTESTATION_STARTING) {
		c->state = CONN_WAIT_ATTESTATION;
		attestation_wait(c->d, c);
		sd_event_source_set_io_events(c->src, 0);
		return;
	}
	open_attested(c);
}

/* Put @c's OPEN on a ready instance of @pl, or wait for one to start. */
static void place(struct conn *c, struct pool *pl)
{
	const struct eb_enclave_conf *conf = eb_policy_enclave(c->d->policy, c->enclave);
	struct instance *in;
	int r;

	r = conf ? pool_pick(pl, conf, &in) : -ENOENT;
	if (r < 0) {
		pool_maintain(pl);
		conn_error(c, r, EBP_SIDE_DAEMON, "cannot start an instance of enclave %s: %s",
			   c->enclave, strerror(-r));
		conn_resume(c);
		return;
	}
	if (in->state == INSTANCE_READY) {
		open_on(c, in);
		return;
	}
	c->state = CONN_WAIT_START;
	c->waiting = in;
	list_add_tail(&c->wait_link, &in->waiters);
	sd_event_source_set_io_events(c->src, 0);
}

/* --------------------------------------------------------- LIST, CLOSE */

static bool visible(const struct conn *c, const struct session *s)
{
	return c->peer.uid == 0 || s->uid == c->peer.uid;
}

static int put_session(struct conn *c, const struct session *s)
{
	uint64_t end = s->reason ? s->ended_usec : now_usec();
	struct nl_msg *m;

	if (ebp_msg_new(EBP_MSG_SESSION, c->request_id, strlen(s->cgpath) + 1024, &m) < 0)
		return -ENOMEM;
	if (nla_put_u64(m, EBP_A_SESSION_ID, s->id) || nla_put_u32(m, EBP_A_UID, s->uid) ||
	    nla_put_u32(m, EBP_A_PID, s->pid) || nla_put_string(m, EBP_A_CGROUP, s->cgpath) ||
	    nla_put_string(m, EBP_A_ENCLAVE, s->enclave) ||
	    nla_put_u64(m, EBP_A_INSTANCE_ID, s->instance_id) ||
	    nla_put_u32(m, EBP_A_WORKER_PID, s->worker_pid) ||
	    nla_put_u64(m, EBP_A_AGE_MS, (end - s->opened_usec) / 1000) ||
	    nla_put_u64(m, EBP_A_CALLS, s->calls) ||
	    nla_put_u32(m, EBP_A_STATE, s->reason ? EBP_STATE_ENDED : EBP_STATE_OPEN) ||
	    (s->reason && nla_put_string(m, EBP_A_REASON, s->reason))) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	return conn_send(c, m, -1);
}

static void list_reply(struct conn *c)
{
	struct daemon *d = c->d;
	struct session *s;

	if (c->list_id) {
		s = session_find(d, c->list_id);
		if (!s || !visible(c, s))
			conn_error(c, ENOENT, EBP_SIDE_DAEMON, "no session %" PRIu64 " of yours",
				   c->list_id);
		else if (put_session(c, s) == 0)
			conn_done(c);
	} else {
		int r = 0;

		session_for_each_live (d, s, b)
			if (r == 0 && visible(c, s))
				r = put_session(c, s);
		if (r == 0)
			conn_done(c);
	}
	sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
	conn_resume(c);
}

void conn_query_done(struct conn *c)
{
	if (c->state != CONN_WAIT_QUERY || --c->queries)
		return;
	list_reply(c);
}

static int query_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct conn *c = userdata;
	struct pool *pl;
	struct instance *in;

	/* A worker busy in a long call answers late: report the counts known. */
	list_for_each_entry (pl, &c->d->pools, link)
		list_for_each_entry (in, &pl->instances, link)
			instance_forget_conn(in, c);
	c->queries = 1;
	conn_query_done(c);
	return 0;
}

static void handle_list(struct conn *c, const struct ebp_msg *m)
{
	struct daemon *d = c->d;
	struct pool *pl;
	struct instance *in;
	struct session *s;

	c->list_id = m->attrs[EBP_A_SESSION_ID] ? nla_get_u64(m->attrs[EBP_A_SESSION_ID]) : 0;
	if (m->attrs[EBP_A_SESSION_ID] && !c->list_id) {
		/* Ids start at 1: 0 names no session (and does not mean "all"). */
		conn_error(c, ENOENT, EBP_SIDE_DAEMON, "no session 0 of yours");
		return;
	}
	c->queries = 1; /* held until every query is sent */
	c->state = CONN_WAIT_QUERY;
	sd_event_source_set_io_events(c->src, 0);
	list_for_each_entry (pl, &d->pools, link) {
		list_for_each_entry (in, &pl->instances, link) {
			bool wanted = false;

			list_for_each_entry (s, &in->sessions, inst_link)
				if (visible(c, s) && (!c->list_id || s->id == c->list_id)) {
					wanted = true;
					break;
				}
			if (wanted && instance_query(in, c) == 0)
				c->queries++;
		}
	}
	if (c->queries > 1) {
		if (!c->timer)
			sd_event_add_time_relative(d->event, &c->timer, CLOCK_MONOTONIC,
						   WORKER_QUERY_TIMEOUT_MS * 1000, 0, query_timeout,
						   c);
		else {
			sd_event_source_set_time_relative(c->timer, WORKER_QUERY_TIMEOUT_MS * 1000);
			sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
		}
	}
	conn_query_done(c);
}

static void handle_close(struct conn *c, const struct ebp_msg *m)
{
	uint64_t id = nla_get_u64(m->attrs[EBP_A_SESSION_ID]);
	struct session *s = session_find(c->d, id);
	char why[96];

	if (!s || s->reason || !visible(c, s)) {
		conn_error(c, ENOENT, EBP_SIDE_DAEMON, "no open session %" PRIu64 " of yours", id);
		return;
	}
	snprintf(why, sizeof(why), "closed through ebrokerd by uid %u", c->peer.uid);
	session_close(c->d, s, why);
	conn_done(c);
}

static void handle_reload(struct conn *c)
{
	_cleanup_(freep) char *error = NULL;

	if (c->peer.uid != 0) {
		conn_error(c, EPERM, EBP_SIDE_DAEMON, "only root may reload the policy");
		return;
	}
	if (daemon_reload(c->d, &error) < 0)
		conn_error(c, EINVAL, EBP_SIDE_DAEMON, "policy refused, the old one stays: %s",
			   error ? error : "?");
	else
		conn_done(c);
}

static void handle_status(struct conn *c)
{
	struct daemon *d = c->d;
	const struct attestation *a = &d->att;
	unsigned int tenants = 0;
	uint64_t calls = d->calls_ended;
	struct session *s;
	struct pool *pl, *o;
	struct nl_msg *m;

	/* Live sessions' counts are as fresh as their workers' last report. */
	session_for_each_live (d, s, bkt)
		calls += s->calls;
	/* Tenant cgroups with instances, each counted once. */
	list_for_each_entry (pl, &d->pools, link) {
		bool first = !pl->system;

		list_for_each_entry (o, &d->pools, link) {
			if (o == pl)
				break;
			if (!o->system && o->cgid == pl->cgid)
				first = false;
		}
		tenants += first;
	}
	if (ebp_msg_new(EBP_MSG_DAEMON_STATUS, c->request_id, 1024, &m) < 0) {
		conn_error(c, ENOMEM, EBP_SIDE_DAEMON, "out of memory");
		return;
	}
	/*
	 * The counters, for ebrokerctl metrics (all since this daemon started;
	 * a client shows an absent counter as unknown, which 0 would not be).
	 */
	if (nla_put_u32(m, EBP_A_ATTESTATION, a->state) ||
	    nla_put_u32(m, EBP_A_SESSIONS, d->n_sessions) ||
	    nla_put_u32(m, EBP_A_INSTANCES, d->n_instances) ||
	    nla_put_u32(m, EBP_A_TENANTS, tenants) ||
	    (a->state != EBP_ATTESTATION_OK && a->reason[0] &&
	     nla_put_string(m, EBP_A_REASON, a->reason)) ||
	    nla_put_u64(m, EBP_A_OPENS, d->opens) ||
	    nla_put_u64(m, EBP_A_REFUSED_POLICY, d->refused[REFUSED_POLICY]) ||
	    nla_put_u64(m, EBP_A_REFUSED_LIMITS, d->refused[REFUSED_LIMITS]) ||
	    nla_put_u64(m, EBP_A_REFUSED_QUOTA, d->refused[REFUSED_QUOTA]) ||
	    nla_put_u64(m, EBP_A_REFUSED_POOL, d->refused[REFUSED_POOL]) ||
	    nla_put_u64(m, EBP_A_REFUSED_ATTESTATION, d->refused[REFUSED_ATTESTATION]) ||
	    nla_put_u64(m, EBP_A_QUOTES, a->quotes) ||
	    nla_put_u64(m, EBP_A_QUOTE_FAILURES, a->quote_failures) ||
	    nla_put_u64(m, EBP_A_CHECKS, a->checks) ||
	    nla_put_u64(m, EBP_A_CHECK_FAILURES, a->check_failures) ||
	    nla_put_u64(m, EBP_A_WORKER_CRASHES, d->worker_crashes) ||
	    nla_put_u64(m, EBP_A_CALLS_TOTAL, calls)) {
		nlmsg_free(m);
		conn_error(c, ENOMEM, EBP_SIDE_DAEMON, "out of memory");
		return;
	}
	conn_send(c, m, -1);
}

/* ------------------------------------------------------------ the socket */

/* One request; false: the connection must go. */
static bool conn_read(struct conn *c)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	const char *why = NULL;
	struct ebp_msg m;
	ssize_t n;

	n = ebp_recv(c->fd, buf, sizeof(buf), NULL);
	if (n == -EAGAIN)
		return true;
	if (n == 0)
		return false;
	if (n < 0) {
		conn_log(c, "closing: ",
			 n == -EMSGSIZE	 ? "message larger than the control limit"
			 : n == -EBADMSG ? "a file descriptor where none belongs"
					 : strerror((int)-n));
		return false;
	}
	if (ebp_parse(buf, n, false, &m, &why) < 0) {
		conn_log(c, "closing on a malformed message: ", why);
		return false;
	}
	c->request_id = m.request_id;
	log_debug("client pid %d uid %u: %s, request %u", (int)c->peer.pid, c->peer.uid,
		  ebp_msg_name(m.type), m.request_id);
	switch (m.type) {
	case EBP_MSG_OPEN:
		handle_open(c, &m);
		return true;
	case EBP_MSG_LIST:
		handle_list(c, &m);
		return true;
	case EBP_MSG_CLOSE:
		handle_close(c, &m);
		return true;
	case EBP_MSG_RELOAD:
		handle_reload(c);
		return true;
	case EBP_MSG_STATUS:
		handle_status(c);
		return true;
	}
	conn_log(c, "closing: not a request: ", ebp_msg_name(m.type));
	return false;
}

static int conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;

	if ((revents & EPOLLOUT) && conn_flush(c) < 0) {
		conn_free(c);
		return 0;
	}
	if (c->state != CONN_IDLE) {
		/* Gone while its request waits: nobody to answer. */
		if (revents & (EPOLLHUP | EPOLLERR))
			conn_free(c);
		return 0;
	}
	if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !conn_read(c))
		conn_free(c);
	return 0;
}

/*
 * A connection past a limit, or one whose peer cannot be identified, is told
 * why before it is closed: an ERROR with request id 0, which answers no
 * request. Past a limit it is EUSERS, as for the policy's other
 * [Limits]: the client is past a count the administrator set, not out of
 * descriptors of its own (EMFILE would send its user to ulimit). The socket
 * is new and its buffer empty, so the send does not block; if it fails all
 * the same, the client just sees the connection closed.
 */
int conn_accept(struct daemon *d)
{
	const struct eb_policy_limits *lim = eb_policy_limits(d->policy);
	_cleanup_(closep) int fd = -1;
	char who[128];
	struct timespec ts;
	const char *why = NULL;
	struct conn *c, *o;
	unsigned int same = 0;
	int r;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
		return 1;
	if (fd < 0)
		return errno == EAGAIN ? 0 : -errno;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	if (n_conns >= lim->connections) {
		if (log_ratelimit_ok())
			log_warning(0, "%u client connections: refusing more (Connections=%u)",
				    n_conns, lim->connections);
		(void)ebp_send_error(fd, 0, EUSERS, EBP_SIDE_DAEMON,
				     "too many connections: ebrokerd has %u clients connected, "
				     "and the policy allows %u (Connections= in [Limits])",
				     n_conns, lim->connections);
		return 1;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->out = calloc(1, sizeof(*c->out));
	if (!c->out) {
		free(c);
		return -ENOMEM;
	}
	list_init(&c->out->q);
	list_init(&c->wait_link);
	c->d = d;
	c->fd = -1;
	c->client_fd = -1;
	r = peer_identify(fd, ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000, "/sys/fs/cgroup",
			  &c->peer, &why);
	if (r < 0) {
		if (log_ratelimit_ok())
			log_notice("refusing a client: %s", why);
		(void)ebp_send_error(fd, 0, -r, EBP_SIDE_DAEMON,
				     "ebrokerd cannot tell who is connecting: %s", why);
		free(c->out);
		free(c);
		return 1;
	}
	list_for_each_entry (o, &d->conns, link)
		same += o->peer.uid == c->peer.uid;
	if (same >= lim->connections_per_user) {
		if (log_ratelimit_ok())
			log_notice(
			    "uid %u has %u connections: refusing more (ConnectionsPerUser=%u)",
			    c->peer.uid, same, lim->connections_per_user);
		(void)ebp_send_error(fd, 0, EUSERS, EBP_SIDE_DAEMON,
				     "too many connections: %s has %u connections to ebrokerd, "
				     "and the policy allows %u (ConnectionsPerUser= in [Limits])",
				     user_name(c->peer.uid, who, sizeof(who)), same,
				     lim->connections_per_user);
		peer_done(&c->peer);
		free(c->out);
		free(c);
		return 1;
	}
	r = sd_event_add_io(d->event, &c->src, fd, EPOLLIN, conn_io, c);
	if (r < 0) {
		peer_done(&c->peer);
		free(c->out);
		free(c);
		return r;
	}
	c->fd = TAKE_FD(fd);
	list_add_tail(&c->link, &d->conns);
	n_conns++;
	return 1;
}

void conn_free(struct conn *c)
{
	struct outmsg *om, *n;
	struct pool *pl;
	struct instance *in;

	if (c->waiting || c->state == CONN_WAIT_ATTESTATION)
		list_del(&c->wait_link);
	if (c->state == CONN_WAIT_QUOTE)
		attestation_forget_conn(c->d, c);
	if (c->state == CONN_WAIT_ADD || c->state == CONN_WAIT_QUOTE) {
		/* The client left before its session was handed over: end it. */
		struct session *s = session_find(c->d, c->adding);

		if (s && s->instance)
			session_close(c->d, s,
				      "the client left before the session was handed over");
		close(c->client_fd);
	}
	if (c->state == CONN_WAIT_QUERY || c->state == CONN_WAIT_ADD || c->state == CONN_WAIT_QUOTE)
		list_for_each_entry (pl, &c->d->pools, link)
			list_for_each_entry (in, &pl->instances, link)
				instance_forget_conn(in, c);
	list_for_each_entry_safe (om, n, &c->out->q, link) {
		nlmsg_free(om->m);
		if (om->fd >= 0)
			close(om->fd);
		free(om);
	}
	free(c->out);
	sd_event_source_disable_unref(c->src);
	sd_event_source_disable_unref(c->timer);
	close(c->fd);
	peer_done(&c->peer);
	list_del(&c->link);
	n_conns--;
	free(c);
}
