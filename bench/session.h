/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the session benchmarks (broker, attest, scale) share, in session.c:
 *
 *  - their common options and the policy their sessions are opened with;
 *  - libebroker calls that end the benchmark when they fail;
 *  - client processes: children that become a tenant's client and do
 *    what this process tells them, writing back what they found into
 *    memory shared with it;
 *  - the floor of a session call: datagrams over socketpair(AF_UNIX,
 *    SOCK_SEQPACKET) answered by a "bare worker", a forked process that
 *    makes one echo ECALL of its own enclave per message, as a worker
 *    does, or answers at once;
 *  - percentiles over samples.
 */
#ifndef EB_BENCH_SESSION_H
#define EB_BENCH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>
#include <linux/netlink.h>

#include "bench.h"

/* ------------------------------------------------------------ the options */

/* Rounds per figure, at most. */
#define SESSION_MAX_REPS 15

/* What every session benchmark is told: -r REPS -d SAMPLES_DIR -S SOCKET -u USER. */
#define SESSION_OPTS "r:d:S:u:"

struct session_args {
	int reps;
	const char *samples_dir; /* NULL: beside the program (sample_path()) */
	const char *socket_path; /* ebrokerd's */
	const char *user;	 /* whom the clients run as */
};

/* @opt, getopt()'s with its @arg, into @a if it is one of SESSION_OPTS: whether it was. */
bool session_arg(struct session_args *a, int opt, const char *arg);

/* Whether @a has every option given, and REPS in 1 .. SESSION_MAX_REPS. */
bool session_args_ok(const struct session_args *a);

/* The policy clients open sessions with, from the environment (broker_policy.h). */
extern struct ebroker_policy client_policy;

/* client_policy from the environment; exit 1 when it does not say what to accept. */
void client_policy_load(void);

/* ------------------------------------------- libebroker, or exit 1 */

/* "what: errno text (side: message)" for a libebroker failure, and exit 1. */
void ebfail(const char *what, int r);

struct ebroker *connect_or_fail(const char *socket_path);

/* An open of @enclave with client_policy: 0 or a negative errno. */
int open_session(struct ebroker *b, const char *enclave, struct ebroker_session **ret);

struct ebroker_session *open_session_or_fail(struct ebroker *b, const char *enclave);

/* The id of the instance serving @s. */
uint64_t instance_of(struct ebroker_session *s);

/*
 * An open of @enclave, which instance @instance (held by another session)
 * must serve, then closed: how long the open took.
 */
double timed_warm_open(struct ebroker *b, const char *enclave, uint64_t instance);

/* The pid of the worker serving @s, which @b opened. */
uint32_t worker_of(struct ebroker *b, struct ebroker_session *s);

/*
 * ECHO of the @n bytes at @in through @s into @out: 0; a negative errno of
 * libebroker's; or, when the enclave answered otherwise than an echo does,
 * a positive errno (its status, or EPROTO for a short answer).
 */
int session_echo(struct ebroker_session *s, const void *in, void *out, size_t n);

void session_echo_or_fail(struct ebroker_session *s, const void *in, void *out, size_t n);

/* ------------------------------------------------- loaded here, or exit 1 */

struct ebroker_enclave *load_enclave(const char *path);

/* The echo ECALL of @n bytes, as a worker makes it. */
void enclave_echo(struct ebroker_enclave *e, const void *in, void *out, size_t n);

/* ------------------------------------------------------- client processes */

/*
 * A command to a client process; what .op means, and which of the other
 * fields it reads, is the benchmark's.
 */
struct client_cmd {
	uint32_t op, n, size;
	double t0, t1; /* now()'s */
};

struct client {
	pid_t pid;
	int ctl;   /* our end of its command socket */
	void *shm; /* what it writes back: shm_size bytes it shares */
	size_t shm_size;
	unsigned int wait_s; /* how long a command may take it; 0: no limit */
};

/*
 * What a client process runs, with its end of the command socket (for
 * client_serve()), the memory it shares with this process (zeroed) and
 * client_start()'s @userdata. The process exits 0 when it returns.
 */
typedef void (*client_agent_fn)(int ctl, void *shm, void *userdata);

/* What a client process does with command @c, in its state @agent; then the command is done. */
typedef void (*client_cmd_fn)(void *agent, const struct client_cmd *c);

/*
 * A client process running @agent, with @shm_size bytes shared; before
 * anything else in it, every descriptor above stderr is closed but its
 * end of the command socket.
 */
void client_start(struct client *cl, size_t shm_size, client_agent_fn agent, void *userdata);

void client_send(struct client *cl, const struct client_cmd *c);

/* Until the client has done the command sent; a client that died or hangs ends the benchmark. */
void client_wait(struct client *cl);

/* Command @op with count @n, done. */
void client_do(struct client *cl, uint32_t op, uint32_t n);

/* Command @c to the @n clients at @cls at once; back when all have done it. */
void clients_do(struct client *cls, unsigned int n, const struct client_cmd *c);

/* Its command socket closed: it must exit 0. */
void client_stop(struct client *cl);

/*
 * socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): a client's command
 * socket, a bare worker's peer.
 */
void seqpacket_pair(int sv[2]);

/* fork(), stdout flushed first (or a child's exit() would print it again): 0 in the child. */
pid_t fork_child(void);

/* In a client process: enter @cgroup and become @user, for good, as a tenant's client. */
void become_client(const char *cgroup, const char *user);

/* In a client process: each command that comes on @ctl to @run, acked when done; back at EOF. */
void client_serve(int ctl, client_cmd_fn run, void *agent);

/* ----------------------------------------------------- the bare worker */

/* The largest message a bare worker takes or sends. */
#define BARE_MSG_MAX 8192

/* The size of an attribute of @n bytes, in the session protocol's messages. */
#define NLA_SIZE(n) (NLA_HDRLEN + NLA_ALIGN(n))

/*
 * A call's datagrams as the floor sends them: @call_size bytes out, whose
 * @payload bytes of input start at @in_off; @result_size bytes back, whose
 * output starts at @out_off.
 */
struct bare_msg {
	size_t call_size, result_size, in_off, out_off, payload;
};

/* A raw call: @m->call_size bytes out, @m->result_size back. */
void raw_call(int fd, const struct bare_msg *m);

/*
 * A process answering each message of @m on @fds: after one echo ECALL
 * of @m->payload bytes in and out on the echo sample at @image, which it
 * loads itself, or at once when @image is NULL. Exits when every peer
 * has closed.
 */
pid_t bare_worker(int *fds, int n, const char *image, const struct bare_msg *m);

/* A bare worker with one peer: its pid; our end of the socket in @ret_fd. */
pid_t bare_worker_one(const char *image, const struct bare_msg *m, int *ret_fd);

/* ------------------------------------------------------------ percentiles */

/* The percentiles the latency rows give: p50 and p99. */
#define N_PCT 2
extern const double pct_q[N_PCT];
extern const char *const pct_name[N_PCT];

/* The @q quantile (nearest rank) of the @n samples at @v, which it sorts. */
double quantile(double *v, size_t n, double q);

#endif /* EB_BENCH_SESSION_H */
