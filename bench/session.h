/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the session benchmarks (broker, attest) share: percentiles over
 * samples, libebroker failures, a client process becoming a tenant, and
 * the floor of a session call: datagrams over socketpair(AF_UNIX,
 * SOCK_SEQPACKET) answered by a "bare worker", a forked process that
 * makes one echo ECALL of its own enclave per message, as a worker does,
 * or answers at once.
 */
#ifndef EB_BENCH_SESSION_H
#define EB_BENCH_SESSION_H

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>

#include "../sdk/samples/echo/echo.h"
#include "bench.h"

/* The largest message a bare worker takes or sends. */
#define BARE_MSG_MAX 8192

/*
 * A call's datagrams as the floor sends them: @call_size bytes out, whose
 * @payload bytes of input start at @in_off; @result_size bytes back, whose
 * output starts at @out_off.
 */
struct bare_msg {
	size_t call_size, result_size, in_off, out_off, payload;
};

/* "what: errno text (side: message)" for a libebroker failure, and exit 1. */
static inline void ebfail(const char *what, int r)
{
	struct ebroker_error e;

	if (ebroker_last_error(&e) == 0)
		fprintf(stderr, "%s: %s: %s (%s: %s)\n", program_invocation_short_name, what,
			strerror(-r), ebroker_side_name(e.side), e.message);
	else
		fail(what, r);
	exit(1);
}

static inline int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The @q quantile (nearest rank) of the @n samples at @v, which it sorts. */
static inline double quantile(double *v, size_t n, double q)
{
	size_t rank = (size_t)(q * n + 0.999999);

	qsort(v, n, sizeof(*v), cmp_double);
	return v[rank ? rank - 1 : 0];
}

static inline void send_all(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		fail("send", n < 0 ? errno : EMSGSIZE);
}

/* One datagram of exactly @len bytes; false at EOF. */
static inline bool recv_exact(int fd, void *buf, size_t len)
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

/* A raw call: @m->call_size bytes out, @m->result_size back. */
static inline void raw_call(int fd, const struct bare_msg *m)
{
	uint8_t msg[BARE_MSG_MAX], reply[BARE_MSG_MAX];

	memset(msg, 0, m->call_size);
	send_all(fd, msg, m->call_size);
	if (!recv_exact(fd, reply, m->result_size))
		fail("raw echo: EOF", EPIPE);
}

/* In a child: close every descriptor above stderr but the @n at @keep, which it sorts. */
static inline void keep_only(int *keep, int n)
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

/*
 * A process answering each message of @m on @fds: after one echo ECALL
 * of @m->payload bytes in and out on the echo sample at @image, which it
 * loads itself, or at once when @image is NULL. Exits when every peer
 * has closed.
 */
static inline pid_t bare_worker(int *fds, int n, const char *image, const struct bare_msg *m)
{
	struct epoll_event ev[16];
	struct eb_enclave *e = NULL;
	int ep, open = n, r;
	pid_t pid;

	if (m->call_size > BARE_MSG_MAX || m->result_size > BARE_MSG_MAX ||
	    m->in_off + m->payload > m->call_size || m->out_off + m->payload > m->result_size)
		fail("bare worker: message sizes", EINVAL);
	fflush(stdout); /* or a child's exit() would print it again */
	pid = fork();
	if (pid < 0)
		fail("fork", errno);
	if (pid)
		return pid;
	keep_only(fds, n);
	if (image) {
		r = eb_enclave_load_file(image, NULL, &e);
		if (r)
			fail(image, r);
	}
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
			size_t len = 0;

			memset(reply, 0, m->result_size);

			if (!recv_exact(fd, msg, m->call_size)) {
				close(fd);
				open--;
				continue;
			}
			if (e) {
				r = eb_enclave_call(e, ECHO_ECALL_ECHO, msg + m->in_off, m->payload,
						    reply + m->out_off, m->payload, &len);
				if (r || len != m->payload)
					fail("echo ECALL", r ? r : EPROTO);
			}
			send_all(fd, reply, m->result_size);
		}
	}
	_exit(0);
}

/* Enter @cgroup and become @user, for good: a tenant's client process. */
static inline void become_client(const char *cgroup, const char *user)
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

#endif /* EB_BENCH_SESSION_H */
