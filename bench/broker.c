// SPDX-License-Identifier: GPL-2.0
/*
 * broker: ebrokerd's sessions, each figure beside a floor measured in the
 * same run, as records for bench/run ("row|name|figure|floor|ratio|target"
 * and "text|line"). Runs as root in a guest where ebrokerd serves SOCKET.
 *
 *   broker [-r REPS] [-d SAMPLES_DIR] -S SOCKET -u USER -w WARM -c COLD
 *          CGROUP TENANT_CGROUP x 10
 *
 * Clients are child processes, each in one of the cgroups given (a tenant
 * of its own) and running as USER; they connect with libebroker and do
 * what this process tells them over a socketpair, in rounds interleaved
 * with the floors, which this process measures itself (as root: the loader
 * needs /dev/ebroker). WARM and COLD name the echo sample under two
 * policies: WARM keeps its instance (SessionsPerInstance= well above the
 * sessions opened here), COLD has SessionsPerInstance=1 and
 * IdleTimeoutSec=0, so that every open starts an instance. Both are
 * checked on the instance ids the daemon returns.
 *
 * Latency (the first cgroup), REPS rounds, percentiles over every sample:
 *  - call: ebroker_call() of the echo ECALL, 64 bytes in and out, beside a
 *    raw round trip of the same message sizes (a CALL's 100 bytes out, a
 *    RESULT's 92 back) over socketpair(AF_UNIX, SOCK_SEQPACKET) with a
 *    forked echo process, plus eb_enclave_call() of the same ECALL on an
 *    echo enclave loaded here, each measured alone.
 *  - warm open: ebroker_session_open() on WARM while another session holds
 *    its instance, beside the raw round trip.
 *  Both are attested and encrypted now: their targets are bench/attest's
 *  rows, against floors that include the cryptography; these rows keep
 *  the old floors to show what attestation costs.
 *  - cold open: ebroker_session_open() on COLD, which starts a worker and
 *    loads the image, beside eb_enclave_load_file() of the same image
 *    here. After each, the session is closed and the client waits for the
 *    worker to exit, so that neither its teardown nor its instance is in
 *    the next one.
 *
 * Throughput: calls per second with 1, 10 and 100 clients of one tenant
 * and 10 and 100 clients of 10 tenants, each client a thread with its own
 * session, over a window entered after a warm-up. Floor: as many bare
 * workers as the broker used instances (each a forked process that loaded
 * the echo sample itself, and answers raw messages of the same sizes from
 * an epoll loop with one eb_enclave_call() each), the same clients mapped
 * onto them as the daemon mapped the sessions, as threads here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>
#include <linux/ebroker_proto.h>
#include <linux/netlink.h>

#include "../sdk/samples/echo/echo.h"
#include "../selftests/ebroker/broker_policy.h"
#include "session.h"

#define ECHO_IMAGE  "echo.ebimg"
#define MAX_REPS    15
#define NR_TENANTS  10
#define MAX_CLIENTS 100 /* sessions per throughput figure */
#define PAYLOAD	    64	/* bytes in and out of each call */
/* Per round. */
#define N_CALLS 200
#define N_WARM	40
#define N_COLD	4
#define MAX_LAT (N_CALLS > N_WARM ? N_CALLS : N_WARM)
/* Throughput: calls count from WARMUP_S after the start, for WINDOW_S. */
#define WARMUP_S 0.2
#define WINDOW_S 0.5
/* How long a cold open's worker may take to exit after its session closed. */
#define EXIT_WAIT_S 5.0
/* Target ratios to the floors. */
#define COLD_TARGET 1.2

/* The session protocol's CALL and RESULT with PAYLOAD bytes of DATA. */
#define NLA_SIZE(n) (NLA_HDRLEN + NLA_ALIGN(n))
#define CALL_SIZE   (sizeof(struct ebp_msghdr) + 2 * NLA_SIZE(4) + NLA_SIZE(PAYLOAD))
#define RESULT_SIZE (sizeof(struct ebp_msghdr) + NLA_SIZE(4) + NLA_SIZE(PAYLOAD))
#define DATA_OFFSET (sizeof(struct ebp_msghdr) + 2 * NLA_SIZE(4) + NLA_HDRLEN)

static int reps = 5;
static char echo_path[PATH_MAX + 64];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The raw floor's datagrams: a CALL's and a RESULT's sizes, PAYLOAD bytes each way. */
static const struct bare_msg raw_msg = {
	.call_size = CALL_SIZE,
	.result_size = RESULT_SIZE,
	.in_off = DATA_OFFSET,
	.out_off = RESULT_SIZE - PAYLOAD,
	.payload = PAYLOAD,
};

/* ----------------------------------------------------------- bare worker */

static struct eb_enclave *load_echo(void)
{
	struct eb_enclave *e;
	int r = eb_enclave_load_file(echo_path, NULL, &e);

	if (r)
		fail(echo_path, r);
	return e;
}

/* 64 bytes through the echo ECALL, as the worker makes it. */
static void echo_call(struct eb_enclave *e, const void *in, void *out)
{
	size_t n = 0;
	int r = eb_enclave_call(e, ECHO_ECALL_ECHO, in, PAYLOAD, out, PAYLOAD, &n);

	if (r || n != PAYLOAD)
		fail("echo ECALL", r ? r : EPROTO);
}

/* ---------------------------------------------------------------- clients */

enum op {
	OP_HOLD,  /* open the session that holds the warm instance */
	OP_CALLS, /* .n timed calls on it */
	OP_WARM,  /* .n timed opens of the warm enclave, each closed */
	OP_COLD,  /* .n timed opens of the cold enclave, each closed, its worker gone */
	OP_OPEN,  /* open .n sessions of the warm enclave; their instance ids */
	OP_RUN,	  /* a thread per session calls from .t0 to .t1; the counts */
	OP_CLOSE, /* close every session */
};

struct cmd {
	uint32_t op, n;
	double t0, t1;
};

/* What a client writes back, in memory it shares with this process. */
struct client_shm {
	double lat[MAX_LAT];
	uint64_t instance[MAX_CLIENTS];
	uint64_t calls[MAX_CLIENTS];
};

struct client {
	pid_t pid;
	int ctl; /* our end of its command socket */
	struct client_shm *shm;
};

static const char *socket_path, *user, *warm_name, *cold_name;

/* The client's side: its state across commands. */
struct agent {
	struct ebroker *b;
	struct ebroker_session *hold;
	uint64_t warm_instance;
	struct ebroker_session *s[MAX_CLIENTS];
	unsigned int n;
	uint64_t cold_seen[MAX_REPS * N_COLD];
	unsigned int n_cold_seen;
	struct client_shm *shm;
};

static uint64_t instance_of(struct ebroker_session *s)
{
	struct ebroker_enclave_identity id;
	int r = ebroker_session_identity(s, &id);

	if (r)
		ebfail("ebroker_session_identity", r);
	return id.instance_id;
}

static struct ebroker_session *open_session(struct agent *a, const char *enclave)
{
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	struct ebroker_session *s;
	int r =
	    broker_policy(&policy) < 0 ? -EINVAL : ebroker_session_open(a->b, enclave, &opts, &s);

	if (r)
		ebfail(enclave, r);
	return s;
}

static void session_echo(struct ebroker_session *s)
{
	uint8_t in[PAYLOAD] = "64 bytes of echo", out[PAYLOAD];
	size_t n = 0;
	int status = -1, r;

	r = ebroker_call(s, ECHO_ECALL_ECHO, in, sizeof(in), out, sizeof(out), &n, &status);
	if (r)
		ebfail("ebroker_call", r);
	if (status || n != PAYLOAD)
		fail("echo through the session", status ? status : EPROTO);
}

/* Until the worker serving @s has exited (ESRCH: we are not allowed to signal it). */
static void wait_worker_gone(uint32_t pid)
{
	double deadline = now() + EXIT_WAIT_S;
	struct timespec nap = { .tv_nsec = 2000000 };

	while (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
		if (now() > deadline)
			fail("a cold instance's worker did not exit", ETIMEDOUT);
		nanosleep(&nap, NULL);
	}
}

static void cold_opens(struct agent *a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct ebroker_session_info info;
		struct ebroker_session *s;
		uint64_t inst, id;
		double t;
		int r;

		t = now();
		s = open_session(a, cold_name);
		a->shm->lat[i] = now() - t;
		inst = instance_of(s);
		for (unsigned int j = 0; j < a->n_cold_seen; j++)
			if (a->cold_seen[j] == inst)
				fail("a cold open reused an instance", EEXIST);
		if (inst == a->warm_instance || a->n_cold_seen == MAX_REPS * N_COLD)
			fail("a cold open reused an instance", EEXIST);
		a->cold_seen[a->n_cold_seen++] = inst;
		id = ebroker_session_id(s);
		r = ebroker_session_info_get(a->b, id, &info);
		if (r)
			ebfail("ebroker_session_info_get", r);
		ebroker_session_close(s);
		wait_worker_gone(info.worker_pid);
	}
}

struct runner {
	double t0, t1;
	uint64_t calls;
	struct ebroker_session *s; /* the broker's client, or */
	int fd;			   /* a bare worker's */
};

/* Calls until t1; those that end in [t0, t1] count. */
static void *run_calls(void *arg)
{
	struct runner *rn = arg;

	for (;;) {
		double t;

		if (rn->s)
			session_echo(rn->s);
		else
			raw_call(rn->fd, &raw_msg);
		t = now();
		if (t > rn->t1)
			break;
		if (t >= rn->t0)
			rn->calls++;
	}
	return NULL;
}

/* @n runners at once; their counts into @calls. */
static void run_all(struct runner *rn, unsigned int n, uint64_t *calls)
{
	pthread_t th[MAX_CLIENTS];

	for (unsigned int i = 0; i < n; i++) {
		int r = pthread_create(&th[i], NULL, run_calls, &rn[i]);

		if (r)
			fail("pthread_create", r);
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		calls[i] = rn[i].calls;
	}
}

static void agent_do(struct agent *a, const struct cmd *c)
{
	struct runner rn[MAX_CLIENTS];
	double t;

	switch (c->op) {
	case OP_HOLD:
		a->hold = open_session(a, warm_name);
		a->warm_instance = instance_of(a->hold);
		a->shm->instance[0] = a->warm_instance;
		break;
	case OP_CALLS:
		for (unsigned int i = 0; i < c->n; i++) {
			t = now();
			session_echo(a->hold);
			a->shm->lat[i] = now() - t;
		}
		break;
	case OP_WARM:
		for (unsigned int i = 0; i < c->n; i++) {
			struct ebroker_session *s;

			t = now();
			s = open_session(a, warm_name);
			a->shm->lat[i] = now() - t;
			if (instance_of(s) != a->warm_instance)
				fail("a warm open was not served by the held instance", ESRCH);
			ebroker_session_close(s);
		}
		break;
	case OP_COLD:
		cold_opens(a, c->n);
		break;
	case OP_OPEN:
		for (unsigned int i = 0; i < c->n; i++) {
			a->s[a->n] = open_session(a, warm_name);
			a->shm->instance[i] = instance_of(a->s[a->n]);
			a->n++;
		}
		break;
	case OP_RUN:
		for (unsigned int i = 0; i < a->n; i++)
			rn[i] = (struct runner){ .t0 = c->t0, .t1 = c->t1, .s = a->s[i] };
		run_all(rn, a->n, a->shm->calls);
		break;
	case OP_CLOSE:
		for (unsigned int i = 0; i < a->n; i++)
			ebroker_session_close(a->s[i]);
		a->n = 0;
		ebroker_session_close(a->hold);
		a->hold = NULL;
		break;
	default:
		fail("unknown command", EINVAL);
	}
}

/* Enter @cgroup, become USER, connect, then serve commands until EOF. */
static void agent(int ctl, const char *cgroup, struct client_shm *shm)
{
	struct agent a = { .shm = shm };
	struct cmd c;
	int r;

	become_client(cgroup, user);
	r = ebroker_connect(socket_path, &a.b);
	if (r)
		ebfail(socket_path, r);
	for (;;) {
		ssize_t n = recv(ctl, &c, sizeof(c), 0);
		int32_t ack = 0;

		if (n == 0)
			break;
		if (n != sizeof(c))
			fail("command", n < 0 ? errno : EPROTO);
		agent_do(&a, &c);
		send_all(ctl, &ack, sizeof(ack));
	}
	agent_do(&a, &(struct cmd){ .op = OP_CLOSE });
	ebroker_disconnect(a.b);
	_exit(0);
}

static void client_start(struct client *cl, const char *cgroup)
{
	int sv[2];

	cl->shm =
	    mmap(NULL, sizeof(*cl->shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cl->shm == MAP_FAILED)
		fail("mmap", errno);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		fail("socketpair", errno);
	cl->pid = fork();
	if (cl->pid < 0)
		fail("fork", errno);
	if (cl->pid == 0) {
		keep_only(&sv[1], 1);
		agent(sv[1], cgroup, cl->shm);
	}
	close(sv[1]);
	cl->ctl = sv[0];
}

static void client_send(struct client *cl, enum op op, unsigned int n, double t0, double t1)
{
	struct cmd c = { .op = op, .n = n, .t0 = t0, .t1 = t1 };

	send_all(cl->ctl, &c, sizeof(c));
}

static void client_wait(struct client *cl)
{
	int32_t ack;

	if (!recv_exact(cl->ctl, &ack, sizeof(ack)))
		fail("a client died (see above)", ECHILD);
}

static void client_do(struct client *cl, enum op op, unsigned int n)
{
	client_send(cl, op, n, 0, 0);
	client_wait(cl);
}

static void client_stop(struct client *cl)
{
	int status;

	close(cl->ctl);
	if (waitpid(cl->pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("a client failed", ECHILD);
	munmap(cl->shm, sizeof(*cl->shm));
}

/* --------------------------------------------------------------- latency */

struct latency {
	double raw[MAX_REPS * N_CALLS], ecall[MAX_REPS * N_CALLS], call[MAX_REPS * N_CALLS];
	double warm[MAX_REPS * N_WARM], sdk[MAX_REPS * N_COLD], cold[MAX_REPS * N_COLD];
};

static void latency(struct client *cl, struct latency *l)
{
	uint8_t in[PAYLOAD] = "64 bytes of echo", out[PAYLOAD];
	struct eb_enclave *echo = load_echo();
	int sv[2], status;
	pid_t server;
	double t;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		fail("socketpair", errno);
	server = bare_worker(&sv[1], 1, NULL, &raw_msg);
	close(sv[1]);
	client_do(cl, OP_HOLD, 0);

	/* Untimed warm-up of each path. */
	for (int i = 0; i < 10; i++) {
		raw_call(sv[0], &raw_msg);
		echo_call(echo, in, out);
	}
	client_do(cl, OP_CALLS, 10);

	for (int r = 0; r < reps; r++) {
		for (int i = 0; i < N_CALLS; i++) {
			t = now();
			raw_call(sv[0], &raw_msg);
			l->raw[r * N_CALLS + i] = now() - t;
		}
		for (int i = 0; i < N_CALLS; i++) {
			t = now();
			echo_call(echo, in, out);
			l->ecall[r * N_CALLS + i] = now() - t;
		}
		client_do(cl, OP_CALLS, N_CALLS);
		memcpy(&l->call[r * N_CALLS], cl->shm->lat, N_CALLS * sizeof(double));
		client_do(cl, OP_WARM, N_WARM);
		memcpy(&l->warm[r * N_WARM], cl->shm->lat, N_WARM * sizeof(double));
		for (int i = 0; i < N_COLD; i++) {
			struct eb_enclave *e;
			int ret;

			t = now();
			ret = eb_enclave_load_file(echo_path, NULL, &e);
			l->sdk[r * N_COLD + i] = now() - t;
			if (ret)
				fail(echo_path, ret);
			eb_enclave_free(e);
		}
		client_do(cl, OP_COLD, N_COLD);
		memcpy(&l->cold[r * N_COLD], cl->shm->lat, N_COLD * sizeof(double));
	}
	client_do(cl, OP_CLOSE, 0);
	close(sv[0]);
	waitpid(server, &status, 0);
	eb_enclave_free(echo);
}

static const char *verdict(double ratio, double target)
{
	return ratio <= target ? "meets" : "above";
}

static void print_latency(struct latency *l)
{
	static const double qs[] = { 0.50, 0.99 };
	static const char *const qn[] = { "p50", "p99" };
	size_t nc = (size_t)reps * N_CALLS, nw = (size_t)reps * N_WARM, nk = (size_t)reps * N_COLD;

	for (int i = 0; i < 2; i++) {
		double raw = quantile(l->raw, nc, qs[i]), ecall = quantile(l->ecall, nc, qs[i]);
		double call = quantile(l->call, nc, qs[i]);

		/* Encrypted now: its target is against a floor with the AEAD, in bench/attest. */
		printf(
		    "row|session call %s (echo %d B)|%.0f us|unix RTT %.0f + ECALL %.0f = %.0f us|"
		    "%.2f|- (see encrypted call)\n",
		    qn[i], PAYLOAD, call * 1e6, raw * 1e6, ecall * 1e6, (raw + ecall) * 1e6,
		    call / (raw + ecall));
	}
	for (int i = 0; i < 2; i++) {
		double raw = quantile(l->raw, nc, qs[i]), warm = quantile(l->warm, nw, qs[i]);

		/* Attested now: its target is against its cryptography, in bench/attest. */
		printf("row|session open, warm instance, %s|%.2f ms|unix RTT %.0f us|%.1f|"
		       "- (see attested open)\n",
		       qn[i], warm * 1e3, raw * 1e6, warm / raw);
	}
	for (int i = 0; i < 2; i++) {
		double sdk = quantile(l->sdk, nk, qs[i]), cold = quantile(l->cold, nk, qs[i]);

		printf(
		    "row|session open, cold (new), %s|%.1f ms|eb_enclave_load_file(echo) %.1f ms|"
		    "%.2f|<= %.2f: %s\n",
		    qn[i], cold * 1e3, sdk * 1e3, cold / sdk, COLD_TARGET,
		    verdict(cold / sdk, COLD_TARGET));
	}
	printf("text|session latency: %d rounds; samples per figure: %zu calls (and as many "
	       "raw round trips and ECALLs), %zu warm opens, %zu cold opens (and as many SDK "
	       "loads): a p99 of %zu is the %s\n",
	       reps, nc, nw, nk, nk, nk < 100 ? "maximum" : "99th");
}

/* ------------------------------------------------------------ throughput */

struct load {
	const char *name;
	unsigned int tenants, clients;
};

static double run_figure(struct client *cls, unsigned int n_cl, unsigned int per)
{
	double t0 = now() + WARMUP_S, t1 = t0 + WINDOW_S;
	uint64_t calls = 0;

	for (unsigned int i = 0; i < n_cl; i++)
		client_send(&cls[i], OP_RUN, 0, t0, t1);
	for (unsigned int i = 0; i < n_cl; i++) {
		client_wait(&cls[i]);
		for (unsigned int j = 0; j < per; j++)
			calls += cls[i].shm->calls[j];
	}
	return calls / (t1 - t0);
}

static double run_floor(const int *fds, unsigned int n)
{
	double t0 = now() + WARMUP_S, t1 = t0 + WINDOW_S;
	struct runner rn[MAX_CLIENTS];
	uint64_t calls[MAX_CLIENTS], sum = 0;

	for (unsigned int i = 0; i < n; i++)
		rn[i] = (struct runner){ .t0 = t0, .t1 = t1, .fd = fds[i] };
	run_all(rn, n, calls);
	for (unsigned int i = 0; i < n; i++)
		sum += calls[i];
	return sum / (t1 - t0);
}

/* The @l.clients sessions, spread over @l.tenants clients, and their floor. */
static void throughput(struct client *cls, const struct load *ld)
{
	unsigned int per = ld->clients / ld->tenants, workers = 0;
	int mine[MAX_CLIENTS], theirs[MAX_CLIENTS];
	uint64_t inst[MAX_CLIENTS], ids[MAX_CLIENTS];
	double fig[MAX_REPS], flo[MAX_REPS], f, b;
	pid_t pids[MAX_CLIENTS];

	for (unsigned int i = 0; i < ld->tenants; i++) {
		client_do(&cls[i], OP_OPEN, per);
		memcpy(&inst[i * per], cls[i].shm->instance, per * sizeof(uint64_t));
	}
	/* A bare worker per instance, serving the sessions it serves. */
	memcpy(ids, inst, ld->clients * sizeof(uint64_t));
	qsort(ids, ld->clients, sizeof(uint64_t), cmp_u64);
	for (unsigned int i = 0; i < ld->clients; i++)
		if (!workers || ids[workers - 1] != ids[i])
			ids[workers++] = ids[i];
	for (unsigned int i = 0; i < ld->clients; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
			fail("socketpair", errno);
		mine[i] = sv[0];
		theirs[i] = sv[1];
	}
	for (unsigned int w = 0; w < workers; w++) {
		int fds[MAX_CLIENTS], n = 0;

		for (unsigned int i = 0; i < ld->clients; i++)
			if (inst[i] == ids[w])
				fds[n++] = theirs[i];
		pids[w] = bare_worker(fds, n, echo_path, &raw_msg);
	}
	for (unsigned int i = 0; i < ld->clients; i++)
		close(theirs[i]);
	/* The workers' loads are done by their first answer. */
	for (unsigned int i = 0; i < ld->clients; i++)
		raw_call(mine[i], &raw_msg);

	for (int r = 0; r < reps; r++) {
		flo[r] = run_floor(mine, ld->clients);
		fig[r] = run_figure(cls, ld->tenants, per);
	}
	for (unsigned int i = 0; i < ld->tenants; i++)
		client_do(&cls[i], OP_CLOSE, 0);
	for (unsigned int i = 0; i < ld->clients; i++)
		close(mine[i]);
	for (unsigned int w = 0; w < workers; w++)
		waitpid(pids[w], NULL, 0);

	f = median(fig, reps);
	b = median(flo, reps);
	printf("row|calls/s, %s|%.0f /s|%u bare worker%s, same clients %.0f /s|%.2f|-\n", ld->name,
	       f, workers, workers == 1 ? "" : "s", b, f / b);
}

/* ------------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: broker [-r REPS] [-d SAMPLES_DIR] -S SOCKET -u USER -w WARM "
		"-c COLD CGROUP TENANT_CGROUP x %d\n",
		NR_TENANTS);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct load loads[] = {
		{ "1 tenant, 1 client", 1, 1 },		{ "1 tenant, 10 clients", 1, 10 },
		{ "1 tenant, 100 clients", 1, 100 },	{ "10 tenants, 10 clients", 10, 10 },
		{ "10 tenants, 100 clients", 10, 100 },
	};
	struct client cls[1 + NR_TENANTS];
	const char *dir_arg = NULL;
	char dir[PATH_MAX];
	struct latency *l;
	double t_start = now();
	int opt;

	while ((opt = getopt(argc, argv, "r:d:S:u:w:c:")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'd':
			dir_arg = optarg;
			break;
		case 'S':
			socket_path = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			warm_name = optarg;
			break;
		case 'c':
			cold_name = optarg;
			break;
		default:
			usage();
		}
	}
	if (reps < 1 || reps > MAX_REPS || !socket_path || !user || !warm_name || !cold_name ||
	    argc - optind != 1 + NR_TENANTS)
		usage();
	if (dir_arg)
		snprintf(dir, sizeof(dir), "%s", dir_arg);
	else
		beside_program(dir, sizeof(dir), "../sdk/samples");
	snprintf(echo_path, sizeof(echo_path), "%s/%s", dir, ECHO_IMAGE);

	/* Before any enclave is loaded here: the clients inherit nothing of the loader. */
	for (int i = 0; i < 1 + NR_TENANTS; i++)
		client_start(&cls[i], argv[optind + i]);

	l = calloc(1, sizeof(*l));
	if (!l)
		fail("calloc", ENOMEM);
	latency(&cls[0], l);
	print_latency(l);
	free(l);

	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++)
		throughput(loads[i].tenants == 1 ? &cls[0] : &cls[1], &loads[i]);
	printf("text|calls/s: medians of %d rounds, each counting the calls that end in a "
	       "%.1f s window entered %.1f s after the clients start; the broker's sessions "
	       "are of enclave %s\n",
	       reps, WINDOW_S, WARMUP_S, warm_name);

	for (int i = 0; i < 1 + NR_TENANTS; i++)
		client_stop(&cls[i]);
	printf("text|broker benchmark: %.0f s\n", now() - t_start);
	return 0;
}
