// SPDX-License-Identifier: GPL-2.0
/*
 * Enclave instances: one ebroker-worker process each (docs/worker.md).
 *
 * The daemon opens /dev/ebroker and names the tenant's cgroup as the charge
 * target (EB_IOC_ENCLAVE_SET_CGROUP, the one privileged step), then starts
 * a child born in the tenant's worker cgroup under the worker cgroup root
 * (clone3 CLONE_INTO_CGROUP; never the daemon's own cgroup, so that a daemon
 * restart does not kill it), takes an unprivileged uid of its own, sets
 * no_new_privs and execs the worker with exactly four descriptors: its
 * control socket, the device, the verified image and a listening socket a
 * restarted daemon reconnects on. The worker loads the enclave, sandboxes
 * itself and says W_READY; sessions are then handed to it with W_ADD.
 *
 * The daemon's end of the control socket never blocks: what a worker busy in
 * a long call has not read yet waits in a queue of the instance's, and a
 * worker that leaves WORKER_OUTQ_MAX messages unread is killed. At most one
 * W_QUERY is in flight per worker.
 */
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <inttypes.h>

#include <linux/ebroker.h>
#include <linux/sched.h>

#include "common/util.h"
#include "proto/proto.h"

#include "daemon.h"
#include "image.h"
#include "log.h"

#define WORKER_STOP_GRACE_MS 5000
#define WORKER_OUTQ_MAX	     1024 /* control messages a worker may leave unread */

struct instance_request {
	struct list_head link;
	uint32_t id;
	uint16_t type;
	uint64_t session_id; /* W_ADD */
	uint32_t function;   /* W_CALL */
	struct conn *conn;   /* W_ADD, W_QUERY, W_CALL; NULL once the connection is gone */
	bool for_conn;	     /* W_CALL: the answer is a conn's, even once it is gone */
};

static int ctl_handler(sd_event_source *src, int fd, uint32_t revents, void *userdata);
static int exit_handler(sd_event_source *src, int fd, uint32_t revents, void *userdata);
static void got_ready(struct instance *in, const struct ebp_msg *m);
static void instance_lost(struct instance *in);
static int child_handler(sd_event_source *src, const siginfo_t *si, void *userdata);
static int timer_handler(sd_event_source *src, uint64_t usec, void *userdata);

/* A signal to the worker: through the child watch, or the pidfd of an adopted one. */
static void instance_signal(struct instance *in, int sig)
{
	if (in->child_src)
		sd_event_source_send_child_signal(in->child_src, sig, NULL, 0);
	else if (in->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, in->pidfd, sig, NULL, 0);
}

static void worker_socket_path(struct daemon *d, uint64_t id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/workers/%" PRIu64 ".sock", d->cfg.runtime_dir, id);
}

static void unlink_socket(struct daemon *d, uint64_t id)
{
	char path[PATH_MAX];

	worker_socket_path(d, id, path, sizeof(path));
	unlink(path);
}

static int uid_alloc(struct daemon *d, uid_t *ret)
{
	const struct eb_policy_limits *lim = eb_policy_limits(d->policy);
	uint64_t span = (uint64_t)lim->worker_uid_max - lim->worker_uid_min + 1;

	if (span > 65536)
		span = 65536;
	for (uint64_t i = 0; i < span; i++) {
		if (d->uid_used[i / 8] & (1u << (i % 8)))
			continue;
		d->uid_used[i / 8] |= 1u << (i % 8);
		*ret = lim->worker_uid_min + (uid_t)i;
		return 0;
	}
	return -EUSERS;
}

static void uid_release(struct daemon *d, uid_t uid)
{
	uint64_t i = uid - eb_policy_limits(d->policy)->worker_uid_min;

	if (i < 65536)
		d->uid_used[i / 8] &= ~(1u << (i % 8));
}

static int arm_timer(struct instance *in, uint64_t ms)
{
	if (in->timer) {
		sd_event_source_set_time_relative(in->timer, ms * 1000);
		return sd_event_source_set_enabled(in->timer, SD_EVENT_ONESHOT);
	}
	return sd_event_add_time_relative(in->d->event, &in->timer, CLOCK_MONOTONIC, ms * 1000, 0,
					  timer_handler, in);
}

/*
 * The worker's control connection is gone: it is exiting, or broke the
 * protocol and is being killed. It takes no new session from now on; its
 * sessions end when the child watch sees it exit.
 */
static void instance_lost(struct instance *in)
{
	if (in->state == INSTANCE_READY || in->state == INSTANCE_STARTING) {
		in->state = INSTANCE_STOPPING;
		arm_timer(in, WORKER_STOP_GRACE_MS);
	}
	sd_event_source_set_enabled(in->ctl_src, SD_EVENT_OFF);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
exec_worker(struct daemon *d, struct instance *in, const int fds[4], const char *const argv[])
{
	sigset_t all;
	int high[4];

	/* SIGTERM stays blocked across exec: the worker takes it once it can act on it. */
	sigemptyset(&all);
	sigaddset(&all, SIGTERM);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	/* Move the four descriptors above 2..6 first, then into place. */
	for (int i = 0; i < 4; i++) {
		high[i] = fcntl(fds[i], F_DUPFD, 64);
		if (high[i] < 0)
			_exit(121);
	}
	for (int i = 0; i < 4; i++)
		if (dup2(high[i], 3 + i) < 0)
			_exit(121);
	if (close_range(7, ~0U, 0) < 0)
		_exit(121);
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0)
		_exit(121);
	close(null);
	/* Raw system calls: after a raw clone3() glibc's set*id thread broadcast is not to be trusted. */
	if (chdir("/") < 0 || syscall(SYS_setgroups, 0, NULL) < 0 ||
	    syscall(SYS_setresgid, in->uid, in->uid, in->uid) < 0 ||
	    syscall(SYS_setresuid, in->uid, in->uid, in->uid) < 0)
		_exit(122);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }) < 0)
		_exit(123);
	execv(d->cfg.worker_path, (char *const *)argv);
	_exit(127);
}

static int open_charged_device(struct daemon *d, struct pool *pl, int *ret)
{
	_cleanup_(closep) int fd = open(d->cfg.device, O_RDWR | O_CLOEXEC);
	struct eb_enclave_set_cgroup set = { .cgroup_fd = pl->cgfd };

	if (fd < 0)
		return log_error(errno, "cannot open %s: %m", d->cfg.device);
	if (ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &set) < 0)
		return log_error(errno, "cannot charge cgroup %s for enclave %s: %m", pl->cgpath,
				 pl->enclave);
	*ret = TAKE_FD(fd);
	return 0;
}

static int open_listener(struct daemon *d, uint64_t id, int *ret)
{
	_cleanup_(closep) int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[PATH_MAX];

	if (fd < 0)
		return -errno;
	worker_socket_path(d, id, path, sizeof(path));
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error(ENAMETOOLONG, "worker socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return log_error(errno, "cannot listen on %s: %m", sa.sun_path);
	*ret = TAKE_FD(fd);
	return 0;
}

/* WORKER_CGROUP/tenant-CGID for a tenant's workers; WORKER_CGROUP/attestation for the QE's. */
void instance_worker_cgroup(struct daemon *d, const struct pool *pl, char *buf, size_t cap)
{
	if (pl->system)
		snprintf(buf, cap, "%s/attestation", d->cfg.worker_cgroup);
	else
		snprintf(buf, cap, "%s/tenant-%" PRIu64, d->cfg.worker_cgroup, pl->cgid);
}

static int open_worker_cgroup(struct daemon *d, struct pool *pl, int *ret)
{
	char path[PATH_MAX];
	int fd;

	instance_worker_cgroup(d, pl, path, sizeof(path));
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return log_error(errno, "cannot create worker cgroup %s: %m", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error(errno, "cannot open %s: %m", path);
	*ret = fd;
	return 0;
}

static const struct verified_image *image_of(struct daemon *d, const char *enclave)
{
	for (size_t i = 0; i < eb_policy_enclave_count(d->policy); i++)
		if (!strcmp(eb_policy_enclave_at(d->policy, i)->name, enclave))
			return d->images[i];
	return NULL;
}

int instance_start(struct pool *pl, const struct eb_enclave_conf *conf, struct instance **ret)
{
	struct daemon *d = pl->d;
	const struct verified_image *img = image_of(d, conf->name);
	_cleanup_(closep) int dev = -1, listener = -1, cgroup = -1;
	int ctl[2] = { -1, -1 };
	char a_id[24], a_msg[16], a_timeout[16];
	struct instance *in;
	pid_t pid;
	int r;

	if (!img)
		return -ENOENT;
	if (d->exiting)
		return -ESHUTDOWN;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->d = d;
	in->pool = pl;
	in->id = ++d->next_instance_id;
	in->generation = d->generation;
	in->pidfd = in->ctl_fd = -1;
	list_init(&in->sessions);
	list_init(&in->waiters);
	list_init(&in->requests);
	list_init(&in->outq);
	in->max_msg = eb_policy_limits(d->policy)->max_msg;
	r = uid_alloc(d, &in->uid);
	if (r < 0) {
		free(in);
		return log_error(r, "no free worker uid left in the policy's WorkerUIDs= range");
	}

	r = open_charged_device(d, pl, &dev);
	if (r == 0)
		r = open_listener(d, in->id, &listener);
	if (r == 0)
		r = open_worker_cgroup(d, pl, &cgroup);
	if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
		r = -errno;
	if (r < 0)
		goto fail;

	snprintf(a_id, sizeof(a_id), "%" PRIu64, in->id);
	snprintf(a_msg, sizeof(a_msg), "%u", in->max_msg);
	snprintf(a_timeout, sizeof(a_timeout), "%u", conf->call_timeout_ms);
	const char *const argv[] = { "ebroker-worker",
				     "--instance",
				     a_id,
				     "--enclave",
				     conf->name,
				     "--max-msg",
				     a_msg,
				     "--call-timeout-ms",
				     a_timeout,
				     "--role",
				     pl->system ? "quoting" : "tenant",
				     "--tenant",
				     pl->cgpath,
				     NULL };
	const int fds[4] = { ctl[1], dev, img->memfd, listener };

	/*
	 * Like fork(), but born in the tenant's worker cgroup (no migration,
	 * which costs an RCU grace period) and with a pidfd from the start.
	 */
	struct clone_args ca = {
		.flags = CLONE_INTO_CGROUP | CLONE_PIDFD,
		.pidfd = (uintptr_t)&in->pidfd,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup,
	};
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		r = -errno;
		log_error(r, "cannot start a worker in its cgroup: %m");
		goto fail;
	}
	if (pid == 0)
		exec_worker(d, in, fds, argv);

	close(ctl[1]);
	in->ctl_fd = ctl[0];
	in->pid = pid;
	fcntl(in->ctl_fd, F_SETFL, O_NONBLOCK);
	r = sd_event_add_child_pidfd(d->event, &in->child_src, in->pidfd, WEXITED, child_handler,
				     in);
	if (r < 0) {
		/* Without a child watch nothing would ever reap it. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(in->pidfd);
		close(in->ctl_fd);
		unlink_socket(d, in->id);
		uid_release(d, in->uid);
		free(in);
		return log_error(r, "cannot watch worker %d: %s", (int)pid, strerror(-r));
	}
	sd_event_source_set_child_pidfd_own(in->child_src, true);
	in->pidfd = -1; /* owned by the event source now */

	in->state = INSTANCE_STARTING;
	list_add_tail(&in->link, &pl->instances);
	pl->n_instances++;
	d->n_instances++;
	r = sd_event_add_io(d->event, &in->ctl_src, in->ctl_fd, EPOLLIN, ctl_handler, in);
	if (r == 0)
		r = arm_timer(in, WORKER_START_TIMEOUT_MS);
	if (r < 0) {
		/* Unwatched, it would never be heard from: stop it, the child watch cleans up. */
		log_error(r, "cannot watch worker %d: %s", (int)pid, strerror(-r));
		instance_signal(in, SIGKILL);
		in->state = INSTANCE_DEAD;
		return r;
	}
	log_info("instance %" PRIu64 " of enclave %s for cgroup %s: worker %d (uid %u) started",
		 in->id, pl->enclave, pl->cgpath, (int)pid, in->uid);
	*ret = in;
	return 0;

fail:
	if (ctl[0] >= 0) {
		close(ctl[0]);
		close(ctl[1]);
	}
	if (listener >= 0)
		unlink_socket(d, in->id);
	uid_release(d, in->uid);
	free(in);
	return r;
}

int instance_adopt(struct pool *pl, int fd, pid_t pid, uid_t uid, const struct ebp_msg *m)
{
	struct daemon *d = pl->d;
	struct instance *in = calloc(1, sizeof(*in));
	int r;

	if (!in) {
		close(fd);
		return -ENOMEM;
	}
	in->d = d;
	in->pool = pl;
	in->id = nla_get_u64(m->attrs[EBP_A_INSTANCE_ID]);
	in->generation = d->generation;
	in->ctl_fd = fd;
	in->pid = pid;
	in->uid = uid;
	in->max_msg = nla_get_u32(m->attrs[EBP_A_MAX_MSG]);
	in->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	list_init(&in->sessions);
	list_init(&in->waiters);
	list_init(&in->requests);
	list_init(&in->outq);
	if (in->pidfd < 0) {
		r = -errno;
		close(fd);
		free(in);
		return r;
	}
	in->state = INSTANCE_STARTING;
	list_add_tail(&in->link, &pl->instances);
	pl->n_instances++;
	d->n_instances++;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	r = sd_event_add_io(d->event, &in->exit_src, in->pidfd, EPOLLIN, exit_handler, in);
	if (r == 0)
		r = sd_event_add_io(d->event, &in->ctl_src, fd, EPOLLIN, ctl_handler, in);
	if (r < 0) {
		log_error(r, "cannot watch adopted worker %d: %s", (int)pid, strerror(-r));
		instance_signal(in, SIGKILL);
		if (!in->exit_src)
			close(in->pidfd);
		in->pidfd = -1;
		in->uid = (uid_t)-1; /* its uid stays marked used: it may still run */
		instance_free(in);
		return r;
	}
	/* Ready as it says; its sessions come with the query's answers. */
	in->adopting = true;
	got_ready(in, m);
	r = instance_query(in, NULL);
	if (r < 0) {
		in->adopting = false;
		restart_adopted(d);
		instance_sessions_changed(in);
	}
	return 0;
}

struct queued_msg {
	struct list_head link;
	struct nl_msg *m;
	int fd;
};

static void queued_free(struct queued_msg *q)
{
	list_del(&q->link);
	nlmsg_free(q->m);
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}

/* Send what waits in @in's queue; -errno when the worker cannot be talked to. */
static int ctl_flush(struct instance *in)
{
	struct queued_msg *q, *n;
	int r;

	list_for_each_entry_safe (q, n, &in->outq, link) {
		r = ebp_send(in->ctl_fd, q->m, q->fd);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return r;
		queued_free(q);
		in->outq_len--;
	}
	return sd_event_source_set_io_events(in->ctl_src, EPOLLIN | (in->outq_len ? EPOLLOUT : 0));
}

/*
 * Send a request to the worker, taking @m; @fd is only borrowed. The
 * control socket never blocks the daemon: what the worker has not read yet
 * (it may be in a long call) waits in a queue, which a worker that stops
 * reading altogether overflows and is killed for.
 */
static int send_request(struct instance *in, struct nl_msg *m, uint16_t type, int fd,
			struct instance_request **ret)
{
	struct instance_request *rq = calloc(1, sizeof(*rq));
	struct queued_msg *q = NULL;
	int r = -EAGAIN;

	if (!rq) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	rq->id = ++in->next_request ? in->next_request : ++in->next_request;
	rq->type = type;
	nlmsg_hdr(m)->nlmsg_seq = rq->id;
	if (list_empty(&in->outq))
		r = ebp_send(in->ctl_fd, m, fd);
	if (r == -EAGAIN && in->outq_len >= WORKER_OUTQ_MAX) {
		log_error(0, "worker %d left %u control messages unread: killing it", (int)in->pid,
			  in->outq_len);
		instance_signal(in, SIGKILL);
		r = -ENOBUFS;
	} else if (r == -EAGAIN) {
		q = calloc(1, sizeof(*q));
		if (q) {
			q->m = m;
			q->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
			list_add_tail(&q->link, &in->outq);
			in->outq_len++;
			m = NULL;
			r = sd_event_source_set_io_events(in->ctl_src, EPOLLIN | EPOLLOUT);
		} else {
			r = -ENOMEM;
		}
	}
	nlmsg_free(m);
	if (r < 0) {
		free(rq);
		if (r == -EPIPE || r == -ECONNRESET)
			log_info("worker %d is exiting: no new %s for it", (int)in->pid,
				 ebp_msg_name(type));
		else if (r != -ENOBUFS)
			log_error(r, "cannot send worker %d a %s: %s", (int)in->pid,
				  ebp_msg_name(type), strerror(-r));
		instance_lost(in);
		return r;
	}
	list_add_tail(&rq->link, &in->requests);
	if (ret)
		*ret = rq;
	return 0;
}

int instance_add_session(struct instance *in, struct session *s, int fd, struct conn *c)
{
	struct instance_request *rq;
	struct nl_msg *m;
	int r;

	if (in->state != INSTANCE_READY)
		return -ESRCH;
	r = ebp_msg_new(EBP_MSG_W_ADD, 0, 640, &m);
	if (r < 0)
		return r;
	if (nla_put_u64(m, EBP_A_SESSION_ID, s->id) || nla_put_u32(m, EBP_A_UID, s->uid) ||
	    nla_put_u32(m, EBP_A_PID, s->pid) ||
	    nla_put(m, EBP_A_NONCE, EBP_NONCE_SIZE, c->nonce) ||
	    nla_put(m, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE, c->client_key) ||
	    nla_put(m, EBP_A_TARGETINFO, EBP_TARGETINFO_SIZE, in->d->att.target)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	r = send_request(in, m, EBP_MSG_W_ADD, fd, &rq);
	if (r < 0)
		return r;
	rq->session_id = s->id;
	rq->conn = c;
	s->instance = in;
	s->instance_id = in->id;
	s->worker_pid = in->pid;
	list_add_tail(&s->inst_link, &in->sessions);
	in->n_sessions++;
	if (in->timer)
		sd_event_source_set_enabled(in->timer, SD_EVENT_OFF);
	return 0;
}

int instance_call(struct instance *in, uint32_t function, const void *data, size_t len,
		  uint32_t out_max, struct conn *c)
{
	struct instance_request *rq;
	struct nl_msg *m;
	int r;

	if (in->state != INSTANCE_READY)
		return -ESRCH;
	r = ebp_msg_new(EBP_MSG_W_CALL, 0, 64 + len, &m);
	if (r < 0)
		return r;
	if (nla_put_u32(m, EBP_A_FUNCTION, function) || nla_put_u32(m, EBP_A_OUT_MAX, out_max) ||
	    (len && nla_put(m, EBP_A_DATA, (int)len, data))) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	r = send_request(in, m, EBP_MSG_W_CALL, -1, &rq);
	if (r < 0)
		return r;
	rq->function = function;
	rq->conn = c;
	rq->for_conn = c != NULL;
	return 0;
}

/* Where a W_CALL's answer goes. */
static void call_answered(struct instance *in, struct instance_request *rq,
			  const struct call_result *res)
{
	if (rq->for_conn) {
		if (rq->conn)
			conn_quote_done(rq->conn, res);
		attestation_quote_answered(in->d);
		return;
	}
	attestation_call_done(in, rq->function, res);
}

int instance_drop_session(struct instance *in, uint64_t id, const char *reason)
{
	struct nl_msg *m;
	int r;

	r = ebp_msg_new(EBP_MSG_W_DROP, 0, 32 + EBP_ERROR_MSG_MAX, &m);
	if (r < 0)
		return r;
	if (nla_put_u64(m, EBP_A_SESSION_ID, id) ||
	    (reason && nla_put_string(m, EBP_A_REASON, reason))) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	return send_request(in, m, EBP_MSG_W_DROP, -1, NULL);
}

int instance_query(struct instance *in, struct conn *c)
{
	struct instance_request *rq;
	struct nl_msg *m;
	int r;

	if (in->state != INSTANCE_READY)
		return -ESRCH;
	/* One query in flight per worker: a LIST flood cannot pile them up. */
	list_for_each_entry (rq, &in->requests, link) {
		if (rq->type != EBP_MSG_W_QUERY)
			continue;
		/* The query that takes an adopted worker's sessions back: a LIST waits for it. */
		if (in->adopting && !rq->conn && c) {
			rq->conn = c;
			return 0;
		}
		return -EBUSY;
	}
	r = ebp_msg_new(EBP_MSG_W_QUERY, 0, 0, &m);
	if (r < 0)
		return r;
	r = send_request(in, m, EBP_MSG_W_QUERY, -1, &rq);
	if (r == 0)
		rq->conn = c;
	return r;
}

void instance_forget_conn(struct instance *in, struct conn *c)
{
	struct instance_request *rq;

	list_for_each_entry (rq, &in->requests, link)
		if (rq->conn == c)
			rq->conn = NULL;
}

void instance_stop(struct instance *in)
{
	if (in->state == INSTANCE_STOPPING || in->state == INSTANCE_DEAD)
		return;
	log_info("instance %" PRIu64 " of enclave %s for cgroup %s: stopping worker %d", in->id,
		 in->pool->enclave, in->pool->cgpath, (int)in->pid);
	in->state = INSTANCE_STOPPING;
	instance_signal(in, SIGTERM);
	arm_timer(in, WORKER_STOP_GRACE_MS);
}

void instance_sessions_changed(struct instance *in)
{
	const struct eb_enclave_conf *conf;

	if (in->state != INSTANCE_READY || in->n_sessions || in->adopting)
		return;
	conf = eb_policy_enclave(in->d->policy, in->pool->enclave);
	if (!conf || in->generation != in->d->generation) {
		instance_stop(in); /* the enclave left the policy, or the policy changed */
		return;
	}
	arm_timer(in, conf->idle_timeout_ms);
}

static int timer_handler(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct instance *in = userdata;
	const struct eb_enclave_conf *conf;
	unsigned int live = 0;
	struct instance *o;

	switch (in->state) {
	case INSTANCE_STARTING:
		log_error(0, "worker %d did not get enclave %s ready in %d s: killing it",
			  (int)in->pid, in->pool->enclave, WORKER_START_TIMEOUT_MS / 1000);
		snprintf(in->start_message, sizeof(in->start_message),
			 "the worker did not load enclave %s within %d s", in->pool->enclave,
			 WORKER_START_TIMEOUT_MS / 1000);
		in->start_error = ETIMEDOUT;
		in->start_side = EBP_SIDE_WORKER;
		instance_signal(in, SIGKILL);
		break;
	case INSTANCE_READY:
		if (in->n_sessions)
			break;
		if (attestation_keeps(in)) {
			arm_timer(in, 60000);
			break;
		}
		conf = eb_policy_enclave(in->d->policy, in->pool->enclave);
		list_for_each_entry (o, &in->pool->instances, link)
			live += o->generation == in->d->generation &&
				(o->state == INSTANCE_READY || o->state == INSTANCE_STARTING);
		/* A removed tenant cgroup opens no session again: warm instances go too. */
		if (!conf || in->generation != in->d->generation || live > conf->min_warm ||
		    faccessat(in->pool->cgfd, "cgroup.procs", F_OK, 0) < 0)
			instance_stop(in);
		else
			arm_timer(in, conf->idle_timeout_ms > 1000 ? conf->idle_timeout_ms : 1000);
		break;
	case INSTANCE_STOPPING:
		instance_signal(in, SIGKILL);
		break;
	case INSTANCE_DEAD:
		break;
	}
	return 0;
}

static void got_ready(struct instance *in, const struct ebp_msg *m)
{
	struct conn *c, *n;

	in->state = INSTANCE_READY;
	in->tcs = nla_get_u32(m->attrs[EBP_A_TCS]);
	memcpy(in->mrenclave, nla_data(m->attrs[EBP_A_MRENCLAVE]), 32);
	memcpy(in->mrsigner, nla_data(m->attrs[EBP_A_MRSIGNER]), 32);
	in->isv_prod_id = (uint16_t)nla_get_u32(m->attrs[EBP_A_ISVPRODID]);
	in->isv_svn = (uint16_t)nla_get_u32(m->attrs[EBP_A_ISVSVN]);
	sd_event_source_set_enabled(in->timer, SD_EVENT_OFF);
	log_info("instance %" PRIu64 " of enclave %s for cgroup %s: ready", in->id,
		 in->pool->enclave, in->pool->cgpath);
	list_for_each_entry_safe (c, n, &in->waiters, wait_link)
		conn_instance_ready(c, in);
	if (in->pool->system)
		attestation_instance_ready(in);
	instance_sessions_changed(in);
	pool_maintain(in->pool);
}

static struct instance_request *pop_request(struct instance *in, uint32_t id)
{
	struct instance_request *rq;

	if (list_empty(&in->requests))
		return NULL;
	rq = list_first_entry(&in->requests, struct instance_request, link);
	if (rq->id != id)
		return NULL;
	list_del(&rq->link);
	return rq;
}

/*
 * The worker answered @rq in a way the protocol does not allow: @rq goes
 * back to the requests, which are answered when the worker, killed for it,
 * is gone (instance_free()), so that no OPEN or quote waits forever.
 */
static bool protocol_broken(struct instance *in, struct instance_request *rq)
{
	if (rq)
		list_add_tail(&rq->link, &in->requests);
	return false;
}

/* A message from the worker; false: it broke the protocol. */
static bool handle_ctl(struct instance *in, const struct ebp_msg *m)
{
	struct daemon *d = in->d;
	struct instance_request *rq;
	struct session *s;

	switch (m->type) {
	case EBP_MSG_W_READY:
		if (in->state != INSTANCE_STARTING)
			return in->state != INSTANCE_DEAD; /* a repeat after reconnecting */
		got_ready(in, m);
		return true;
	case EBP_MSG_W_ENDED:
		s = session_find(d, nla_get_u64(m->attrs[EBP_A_SESSION_ID]));
		if (s && s->instance == in) {
			s->calls = nla_get_u64(m->attrs[EBP_A_CALLS]);
			session_end(d, s, ebp_get_str(m, EBP_A_REASON));
		}
		return true;
	case EBP_MSG_W_SESSION:
		if (list_empty(&in->requests))
			return false;
		rq = list_first_entry(&in->requests, struct instance_request, link);
		if (rq->type != EBP_MSG_W_QUERY || rq->id != m->request_id)
			return false;
		s = session_find(d, nla_get_u64(m->attrs[EBP_A_SESSION_ID]));
		if (s && s->instance == in)
			s->calls = nla_get_u64(m->attrs[EBP_A_CALLS]);
		else if (!s && in->adopting &&
			 !session_adopt(in, nla_get_u64(m->attrs[EBP_A_SESSION_ID]),
					nla_get_u32(m->attrs[EBP_A_UID]),
					nla_get_u32(m->attrs[EBP_A_PID]),
					nla_get_u64(m->attrs[EBP_A_CALLS]))) {
			/* Its client is gone, or is not who the worker says: the session ends. */
			log_warning(0,
				    "instance %" PRIu64 ": session %" PRIu64 " not taken back (uid "
				    "%u, pid %u: no such client in cgroup %s, or a duplicate id)",
				    in->id, nla_get_u64(m->attrs[EBP_A_SESSION_ID]),
				    nla_get_u32(m->attrs[EBP_A_UID]),
				    nla_get_u32(m->attrs[EBP_A_PID]), in->pool->cgpath);
			instance_drop_session(
			    in, nla_get_u64(m->attrs[EBP_A_SESSION_ID]),
			    "the restarted ebrokerd could not take the session "
			    "back: its client is gone or not who the worker says");
		}
		return true;
	case EBP_MSG_W_ADDED:
		rq = pop_request(in, m->request_id);
		if (!rq || rq->type != EBP_MSG_W_ADD ||
		    nla_get_u64(m->attrs[EBP_A_SESSION_ID]) != rq->session_id)
			return protocol_broken(in, rq);
		if (rq->conn)
			conn_session_added(rq->conn, in, m);
		free(rq);
		return true;
	case EBP_MSG_W_RESULT: {
		const struct nlattr *data = m->attrs[EBP_A_DATA];
		struct call_result res = {
			.status = (int)nla_get_u32(m->attrs[EBP_A_STATUS]),
			.data = data ? nla_data(data) : NULL,
			.len = data ? (size_t)nla_len(data) : 0,
		};

		rq = pop_request(in, m->request_id);
		if (!rq || rq->type != EBP_MSG_W_CALL)
			return protocol_broken(in, rq);
		call_answered(in, rq, &res);
		free(rq);
		return true;
	}
	case EBP_MSG_ERROR:
		if (m->request_id == 0 && in->state == INSTANCE_STARTING) {
			in->start_error = (int)nla_get_u32(m->attrs[EBP_A_ERRNO]);
			in->start_side = (int)nla_get_u32(m->attrs[EBP_A_SIDE]);
			snprintf(in->start_message, sizeof(in->start_message), "%s",
				 ebp_get_str(m, EBP_A_MESSAGE));
			return true;
		}
		/* fall through */
	case EBP_MSG_DONE:
		rq = pop_request(in, m->request_id);
		if (!rq)
			return false;
		if (m->type == EBP_MSG_DONE &&
		    (rq->type == EBP_MSG_W_ADD || rq->type == EBP_MSG_W_CALL))
			return protocol_broken(in, rq);
		if (m->type == EBP_MSG_ERROR && rq->type == EBP_MSG_W_ADD) {
			char why[EBP_ERROR_MSG_MAX + 64];

			snprintf(why, sizeof(why), "the worker refused the session: %s",
				 ebp_get_str(m, EBP_A_MESSAGE));
			s = session_find(d, rq->session_id);
			if (s && s->instance == in)
				session_end(d, s, why);
			if (rq->conn)
				conn_session_failed(rq->conn, in,
						    -(int)nla_get_u32(m->attrs[EBP_A_ERRNO]), why);
		} else if (m->type == EBP_MSG_ERROR && rq->type == EBP_MSG_W_CALL) {
			struct call_result res = {
				.err = (int)nla_get_u32(m->attrs[EBP_A_ERRNO]),
				.message = ebp_get_str(m, EBP_A_MESSAGE),
			};

			call_answered(in, rq, &res);
		}
		if (rq->type == EBP_MSG_W_QUERY && rq->conn)
			conn_query_done(rq->conn);
		if (rq->type == EBP_MSG_W_QUERY && in->adopting) {
			in->adopting = false;
			restart_adopted(d);
			log_notice("instance %" PRIu64
				   " of enclave %s for cgroup %s: worker %d taken "
				   "back with %u session(s)",
				   in->id, in->pool->enclave, in->pool->cgpath, (int)in->pid,
				   in->n_sessions);
			instance_sessions_changed(in);
		}
		free(rq);
		return true;
	}
	return false;
}

static int ctl_handler(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct instance *in = userdata;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	const char *why = "?";
	struct ebp_msg m;
	ssize_t n;

	if ((revents & EPOLLOUT) && ctl_flush(in) < 0) {
		instance_lost(in);
		return 0;
	}
	/* A bounded batch: a chatty worker cannot keep the loop from the others. */
	for (int i = 0;; i++) {
		if (i == 64)
			return 0;
		if (in->exit_src) {
			/* Adopted: its socket has SO_PASSCRED, every message says who sent it. */
			struct ucred cred = { 0 };

			n = ebp_recv_cred(fd, buf, sizeof(buf), &cred);
			if (n > 0 && cred.pid != in->pid)
				n = -EBADMSG;
		} else {
			n = ebp_recv(fd, buf, sizeof(buf), NULL);
		}
		if (n == -EAGAIN)
			return 0;
		if (n == 0)
			break;
		if (n < 0) {
			log_error(0, "worker %d sent %s: killing it", (int)in->pid,
				  n == -EMSGSIZE  ? "an oversized control message"
				  : n == -EBADMSG ? "control data it should not (a descriptor, or "
						    "another sender's credentials)"
						  : strerror((int)-n));
			instance_signal(in, SIGKILL);
			break;
		}
		if (ebp_parse(buf, n, false, &m, &why) < 0 || !handle_ctl(in, &m)) {
			if (n > 0 && why[0] == '?')
				why = ebp_msg_name(m.type);
			log_error(0, "worker %d broke the control protocol (%s): killing it",
				  (int)in->pid, why);
			instance_signal(in, SIGKILL);
			break;
		}
	}
	/* End of stream or a violation: the child watch does the rest. */
	instance_lost(in);
	return 0;
}

static void describe_exit(const struct instance *in, const siginfo_t *si, char *buf, size_t cap)
{
	if (si->si_code == CLD_EXITED && si->si_status == 3)
		snprintf(buf, cap, "the enclave %s faulted or ran past its call timeout",
			 in->pool->enclave);
	else if (si->si_code == CLD_EXITED)
		snprintf(buf, cap, "the worker serving enclave %s (pid %d) exited with status %d",
			 in->pool->enclave, (int)in->pid, si->si_status);
	else
		snprintf(buf, cap,
			 "the worker serving enclave %s (pid %d) was killed by signal %d (%s)",
			 in->pool->enclave, (int)in->pid, si->si_status,
			 sigabbrev_np(si->si_status) ?: "?");
}

/* The worker is gone (@clean: stopped as asked): its sessions end with @reason. */
static void instance_exited(struct instance *in, const char *reason, bool clean)
{
	struct daemon *d = in->d;
	struct pool *pl = in->pool;
	struct session *s, *sn;
	struct conn *c, *cn;

	if (clean) {
		log_info("instance %" PRIu64 " of enclave %s for cgroup %s: stopped", in->id,
			 pl->enclave, pl->cgpath);
	} else {
		log_warning(0, "instance %" PRIu64 " for cgroup %s: %s", in->id, pl->cgpath,
			    reason);
		d->worker_crashes++;
	}
	in->state = INSTANCE_DEAD;

	list_for_each_entry_safe (s, sn, &in->sessions, inst_link)
		session_end(d, s, reason);
	list_for_each_entry_safe (c, cn, &in->waiters, wait_link) {
		if (in->start_error)
			conn_instance_failed(c, in->start_error, in->start_side, in->start_message);
		else
			conn_instance_failed(c, EIO, EBP_SIDE_WORKER, reason);
	}
	instance_free(in);
	pool_maintain(pl);
}

static int child_handler(sd_event_source *src, const siginfo_t *si, void *userdata)
{
	struct instance *in = userdata;
	char reason[EBP_ERROR_MSG_MAX];

	describe_exit(in, si, reason, sizeof(reason));
	instance_exited(in, reason,
			in->state == INSTANCE_STOPPING && si->si_code == CLD_EXITED &&
			    si->si_status == 0);
	return 0;
}

/* An adopted worker's pidfd is readable: it exited, how is not ours to learn. */
static int exit_handler(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct instance *in = userdata;
	char reason[EBP_ERROR_MSG_MAX];

	snprintf(reason, sizeof(reason), "the worker serving enclave %s (pid %d) exited",
		 in->pool->enclave, (int)in->pid);
	instance_exited(in, reason, in->state == INSTANCE_STOPPING);
	return 0;
}

void instance_free(struct instance *in)
{
	struct daemon *d = in->d;
	struct instance_request *rq, *n;
	char path[PATH_MAX];

	list_for_each_entry_safe (rq, n, &in->requests, link) {
		if (rq->type == EBP_MSG_W_QUERY && rq->conn)
			conn_query_done(rq->conn);
		if (rq->type == EBP_MSG_W_ADD && rq->conn)
			conn_session_failed(rq->conn, in, -EIO, "its worker exited");
		if (rq->type == EBP_MSG_W_CALL) {
			struct call_result res = { .err = EIO, .message = "its worker exited" };

			call_answered(in, rq, &res);
		}
		list_del(&rq->link);
		free(rq);
	}
	if (in->pool->system)
		attestation_instance_gone(in, "its worker exited");
	if (in->adopting)
		restart_adopted(d);
	sd_event_source_disable_unref(in->ctl_src);
	sd_event_source_disable_unref(in->child_src);
	sd_event_source_disable_unref(in->exit_src);
	if (in->exit_src && in->pidfd >= 0)
		close(in->pidfd);
	sd_event_source_disable_unref(in->timer);
	while (!list_empty(&in->outq))
		queued_free(list_first_entry(&in->outq, struct queued_msg, link));
	if (in->ctl_fd >= 0)
		close(in->ctl_fd);
	unlink_socket(d, in->id);
	uid_release(d, in->uid);
	list_del(&in->link);
	in->pool->n_instances--;
	d->n_instances--;
	if (!in->pool->n_instances) {
		instance_worker_cgroup(d, in->pool, path, sizeof(path));
		rmdir(path); /* fails while another enclave's worker of this tenant runs */
	}
	free(in);
}
