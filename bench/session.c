// SPDX-License-Identifier: GPL-2.0
/* What the session benchmarks share: see session.h. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>

#include "../sdk/samples/echo/echo.h"
#include "../selftests/ebroker/broker_policy.h"
#include "session.h"

/* ------------------------------------------------------------ the options */

struct ebroker_policy client_policy;

bool session_arg(struct session_args *a, int opt, const char *arg)
{
	switch (opt) {
	case 'r':
		a->reps = atoi(arg);
		return true;
	case 'd':
		a->samples_dir = arg;
		return true;
	case 'S':
		a->socket_path = arg;
		return true;
	case 'u':
		a->user = arg;
		return true;
	default:
		return false;
	}
}

bool session_args_ok(const struct session_args *a)
{
	return a->reps >= 1 && a->reps <= SESSION_MAX_REPS && a->socket_path && a->user;
}

void client_policy_load(void)
{
	if (broker_policy(&client_policy) < 0)
		fail("EBROKER_MRSIGNER and EBROKER_ROOT must name the policy", EINVAL);
}

/* ------------------------------------------- libebroker, or exit 1 */

void ebfail(const char *what, int r)
{
	struct ebroker_error e;

	if (ebroker_last_error(&e) == 0)
		fprintf(stderr, "%s: %s: %s (%s: %s)\n", program_invocation_short_name, what,
			strerror(-r), ebroker_side_name(e.side), e.message);
	else
		fail(what, r);
	exit(1);
}

struct ebroker *connect_or_fail(const char *socket_path)
{
	struct ebroker *b;
	int r = ebroker_connect(socket_path, &b);

	if (r)
		ebfail(socket_path, r);
	return b;
}

int open_session(struct ebroker *b, const char *enclave, struct ebroker_session **ret)
{
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &client_policy };

	return ebroker_session_open(b, enclave, &opts, ret);
}

struct ebroker_session *open_session_or_fail(struct ebroker *b, const char *enclave)
{
	struct ebroker_session *s;
	int r = open_session(b, enclave, &s);

	if (r)
		ebfail(enclave, r);
	return s;
}

uint64_t instance_of(struct ebroker_session *s)
{
	struct ebroker_enclave_identity id;
	int r = ebroker_session_identity(s, &id);

	if (r)
		ebfail("ebroker_session_identity", r);
	return id.instance_id;
}

double timed_warm_open(struct ebroker *b, const char *enclave, uint64_t instance)
{
	struct ebroker_session *s;
	double t = now(), took;

	s = open_session_or_fail(b, enclave);
	took = now() - t;
	if (instance_of(s) != instance)
		fail("a warm open was not served by the held instance", ESRCH);
	ebroker_session_close(s);
	return took;
}

uint32_t worker_of(struct ebroker *b, struct ebroker_session *s)
{
	struct ebroker_session_info info;
	int r = ebroker_session_info_get(b, ebroker_session_id(s), &info);

	if (r)
		ebfail("ebroker_session_info_get", r);
	return info.worker_pid;
}

int session_echo(struct ebroker_session *s, const void *in, void *out, size_t n)
{
	size_t len = 0;
	int status = -1, r;

	r = ebroker_call(s, ECHO_ECALL_ECHO, in, n, out, n, &len, &status);
	if (r)
		return r;
	if (status)
		return status < 0 ? -status : status;
	return len != n ? EPROTO : 0;
}

void session_echo_or_fail(struct ebroker_session *s, const void *in, void *out, size_t n)
{
	int r = session_echo(s, in, out, n);

	if (r < 0)
		ebfail("ebroker_call", r);
	if (r)
		fail("echo through the session", r);
}

/* ------------------------------------------------- loaded here, or exit 1 */

struct ebroker_enclave *load_enclave(const char *path)
{
	static bool signals;
	struct ebroker_enclave *e;
	int r;

	/* Once, for every enclave of the benchmark, kept until it exits:
	 * the clients it forks before its first load inherit none of it. */
	if (!signals) {
		r = ebroker_loader_signals_install();
		if (r)
			fail("ebroker_loader_signals_install", r);
		signals = true;
	}
	r = ebroker_enclave_load_file(path, NULL, &e);
	if (r)
		fail(path, r);
	return e;
}

void enclave_echo(struct ebroker_enclave *e, const void *in, void *out, size_t n)
{
	size_t len = 0;
	int r = ebroker_enclave_call(e, ECHO_ECALL_ECHO, in, n, out, n, &len);

	if (r || len != n)
		fail("echo ECALL", r ? r : EPROTO);
}

/* ------------------------------------------------------- client processes */

static void send_all(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		fail("send", n < 0 ? errno : EMSGSIZE);
}

/* One datagram of exactly @len bytes; false at EOF. */
static bool recv_exact(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return false;
	if (n != (ssize_t)len)
		fail("recv", n < 0 ? errno : EMSGSIZE);
	return true;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* In a child: close every descriptor above stderr but the @n at @keep, which it sorts. */
static void keep_only(int *keep, int n)
{
	unsigned int from = 3;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (int i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > from && close_range(from, keep[i] - 1, 0))
			fail("close_range", errno);
		from = keep[i] + 1;
	}
	if (close_range(from, ~0U, 0))
		fail("close_range", errno);
}

void seqpacket_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		fail("socketpair", errno);
}

pid_t fork_child(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork", errno);
	return pid;
}

void client_start(struct client *cl, size_t shm_size, client_agent_fn agent, void *userdata)
{
	int sv[2];

	*cl = (struct client){ .shm_size = shm_size };
	cl->shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cl->shm == MAP_FAILED)
		fail("mmap", errno);
	seqpacket_pair(sv);
	cl->pid = fork_child();
	if (cl->pid == 0) {
		keep_only(&sv[1], 1);
		agent(sv[1], cl->shm, userdata);
		_exit(0);
	}
	close(sv[1]);
	cl->ctl = sv[0];
}

void client_send(struct client *cl, const struct client_cmd *c)
{
	send_all(cl->ctl, c, sizeof(*c));
}

void client_wait(struct client *cl)
{
	struct pollfd p = { .fd = cl->ctl, .events = POLLIN };
	int32_t ack;

	if (cl->wait_s && poll(&p, 1, cl->wait_s * 1000) != 1)
		fail("a client did not answer in time", ETIMEDOUT);
	if (!recv_exact(cl->ctl, &ack, sizeof(ack)))
		fail("a client died (see above)", ECHILD);
}

void client_do(struct client *cl, uint32_t op, uint32_t n)
{
	client_send(cl, &(struct client_cmd){ .op = op, .n = n });
	client_wait(cl);
}

void clients_do(struct client *cls, unsigned int n, const struct client_cmd *c)
{
	for (unsigned int i = 0; i < n; i++)
		client_send(&cls[i], c);
	for (unsigned int i = 0; i < n; i++)
		client_wait(&cls[i]);
}

void client_stop(struct client *cl)
{
	int status;

	close(cl->ctl);
	if (waitpid(cl->pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("a client failed", ECHILD);
	cl->pid = 0;
	munmap(cl->shm, cl->shm_size);
}

void become_client(const char *cgroup, const char *user)
{
	char procs[PATH_MAX + 16];
	struct passwd *pw;
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	f = fopen(procs, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
		fail(procs, errno);
	pw = getpwnam(user);
	if (!pw)
		fail(user, ENOENT);
	if (initgroups(user, pw->pw_gid) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		fail("dropping privileges", errno);
}

void client_serve(int ctl, client_cmd_fn run, void *agent)
{
	for (;;) {
		struct client_cmd c;
		ssize_t n = recv(ctl, &c, sizeof(c), 0);
		int32_t ack = 0;

		if (n == 0)
			break;
		if (n != sizeof(c))
			fail("command", n < 0 ? errno : EPROTO);
		run(agent, &c);
		send_all(ctl, &ack, sizeof(ack));
	}
}

/* ----------------------------------------------------- the bare worker */

void raw_call(int fd, const struct bare_msg *m)
{
	uint8_t msg[BARE_MSG_MAX], reply[BARE_MSG_MAX];

	memset(msg, 0, m->call_size);
	send_all(fd, msg, m->call_size);
	if (!recv_exact(fd, reply, m->result_size))
		fail("raw echo: EOF", EPIPE);
}

pid_t bare_worker(int *fds, int n, const char *image, const struct bare_msg *m)
{
	struct epoll_event ev[16];
	struct ebroker_enclave *e = NULL;
	int ep, open = n;
	pid_t pid;

	if (m->call_size > BARE_MSG_MAX || m->result_size > BARE_MSG_MAX ||
	    m->in_off + m->payload > m->call_size || m->out_off + m->payload > m->result_size)
		fail("bare worker: message sizes", EINVAL);
	pid = fork_child();
	if (pid)
		return pid;
	keep_only(fds, n);
	if (image)
		e = load_enclave(image);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		fail("epoll_create1", errno);
	for (int i = 0; i < n; i++) {
		struct epoll_event add = { .events = EPOLLIN, .data.fd = fds[i] };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &add))
			fail("epoll_ctl", errno);
	}
	while (open > 0) {
		int k = epoll_wait(ep, ev, 16, -1);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			fail("epoll_wait", errno);
		for (int i = 0; i < k; i++) {
			uint8_t msg[BARE_MSG_MAX], reply[BARE_MSG_MAX];
			int fd = ev[i].data.fd;

			memset(reply, 0, m->result_size);

			if (!recv_exact(fd, msg, m->call_size)) {
				close(fd);
				open--;
				continue;
			}
			if (e)
				enclave_echo(e, msg + m->in_off, reply + m->out_off, m->payload);
			send_all(fd, reply, m->result_size);
		}
	}
	_exit(0);
}

pid_t bare_worker_one(const char *image, const struct bare_msg *m, int *ret_fd)
{
	int sv[2];
	pid_t pid;

	seqpacket_pair(sv);
	pid = bare_worker(&sv[1], 1, image, m);
	close(sv[1]);
	*ret_fd = sv[0];
	return pid;
}

/* ------------------------------------------------------------ percentiles */

const double pct_q[N_PCT] = { 0.50, 0.99 };
const char *const pct_name[N_PCT] = { "p50", "p99" };

double quantile(double *v, size_t n, double q)
{
	size_t rank = (size_t)(q * n + 0.999999);

	qsort(v, n, sizeof(*v), cmp_double);
	return v[rank ? rank - 1 : 0];
}
