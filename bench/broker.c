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
 *    forked echo process, plus ebroker_enclave_call() of the same ECALL on an
 *    echo enclave loaded here, each measured alone.
 *  - warm open: ebroker_session_open() on WARM while another session holds
 *    its instance, beside the raw round trip.
 *  Both are attested and encrypted now: their targets are bench/attest's
 *  rows, against floors that include the cryptography; these rows keep
 *  the old floors to show what attestation costs.
 *  - cold open: ebroker_session_open() on COLD, which starts a worker and
 *    loads the image, beside ebroker_enclave_load_file() of the same image
 *    here. After each, the session is closed and the client waits for the
 *    worker to exit, so that neither its teardown nor its instance is in
 *    the next one.
 *
 * Throughput: calls per second with 1, 10 and 100 clients of one tenant
 * and 10 and 100 clients of 10 tenants, each client a thread with its own
 * session, over a window entered after a warm-up. Floor: as many bare
 * workers as the broker used instances (each a forked process that loaded
 * the echo sample itself, and answers raw messages of the same sizes from
 * an epoll loop with one ebroker_enclave_call() each), the same clients mapped
 * onto them as the daemon mapped the sessions, as threads here.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>
#include <linux/ebroker_proto.h>

#include "session.h"

#define ECHO_IMAGE  "echo.ebimg"
#define MAX_REPS    SESSION_MAX_REPS
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
#define CALL_SIZE   (sizeof(struct ebp_msghdr) + 2 * NLA_SIZE(4) + NLA_SIZE(PAYLOAD))
#define RESULT_SIZE (sizeof(struct ebp_msghdr) + NLA_SIZE(4) + NLA_SIZE(PAYLOAD))
#define DATA_OFFSET (sizeof(struct ebp_msghdr) + 2 * NLA_SIZE(4) + NLA_HDRLEN)

static struct session_args args = { .reps = 5 };
static const char *warm_name, *cold_name;
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

/* What a client writes back, in memory it shares with this process. */
struct client_shm {
	double lat[MAX_LAT];
	uint64_t instance[MAX_CLIENTS];
	uint64_t calls[MAX_CLIENTS];
};

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

/* PAYLOAD bytes through the session's echo. */
static void call_echo(struct ebroker_session *s)
{
	uint8_t in[PAYLOAD] = "64 bytes of echo", out[PAYLOAD];

	session_echo_or_fail(s, in, out, PAYLOAD);
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
		struct ebroker_session *s;
		uint32_t worker;
		uint64_t inst;
		double t;

		t = now();
		s = open_session_or_fail(a->b, cold_name);
		a->shm->lat[i] = now() - t;
		inst = instance_of(s);
		for (unsigned int j = 0; j < a->n_cold_seen; j++)
			if (a->cold_seen[j] == inst)
				fail("a cold open reused an instance", EEXIST);
		if (inst == a->warm_instance || a->n_cold_seen == MAX_REPS * N_COLD)
			fail("a cold open reused an instance", EEXIST);
		a->cold_seen[a->n_cold_seen++] = inst;
		worker = worker_of(a->b, s);
		ebroker_session_close(s);
		wait_worker_gone(worker);
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
			call_echo(rn->s);
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

static void agent_do(void *agent, const struct client_cmd *c)
{
	struct runner rn[MAX_CLIENTS];
	struct agent *a = agent;
	double t;

	switch (c->op) {
	case OP_HOLD:
		a->hold = open_session_or_fail(a->b, warm_name);
		a->warm_instance = instance_of(a->hold);
		a->shm->instance[0] = a->warm_instance;
		break;
	case OP_CALLS:
		for (unsigned int i = 0; i < c->n; i++) {
			t = now();
			call_echo(a->hold);
			a->shm->lat[i] = now() - t;
		}
		break;
	case OP_WARM:
		for (unsigned int i = 0; i < c->n; i++)
			a->shm->lat[i] = timed_warm_open(a->b, warm_name, a->warm_instance);
		break;
	case OP_COLD:
		cold_opens(a, c->n);
		break;
	case OP_OPEN:
		for (unsigned int i = 0; i < c->n; i++) {
			a->s[a->n] = open_session_or_fail(a->b, warm_name);
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

/* The client's side: enter @cgroup as USER, connect, then serve commands until EOF. */
static void agent(int ctl, void *shm, void *cgroup)
{
	struct agent a = { .shm = shm };

	become_client(cgroup, args.user);
	a.b = connect_or_fail(args.socket_path);
	client_serve(ctl, agent_do, &a);
	agent_do(&a, &(struct client_cmd){ .op = OP_CLOSE });
	ebroker_disconnect(a.b);
}

/* --------------------------------------------------------------- latency */

struct latency {
	double raw[MAX_REPS * N_CALLS], ecall[MAX_REPS * N_CALLS], call[MAX_REPS * N_CALLS];
	double warm[MAX_REPS * N_WARM], sdk[MAX_REPS * N_COLD], cold[MAX_REPS * N_COLD];
};

static void latency(struct client *cl, struct latency *l)
{
	uint8_t in[PAYLOAD] = "64 bytes of echo", out[PAYLOAD];
	struct ebroker_enclave *echo = load_enclave(echo_path);
	const struct client_shm *res = cl->shm;
	int raw, status;
	pid_t server;
	double t;

	server = bare_worker_one(NULL, &raw_msg, &raw);
	client_do(cl, OP_HOLD, 0);

	/* Untimed warm-up of each path. */
	for (int i = 0; i < 10; i++) {
		raw_call(raw, &raw_msg);
		enclave_echo(echo, in, out, PAYLOAD);
	}
	client_do(cl, OP_CALLS, 10);

	for (int r = 0; r < args.reps; r++) {
		for (int i = 0; i < N_CALLS; i++) {
			t = now();
			raw_call(raw, &raw_msg);
			l->raw[r * N_CALLS + i] = now() - t;
		}
		for (int i = 0; i < N_CALLS; i++) {
			t = now();
			enclave_echo(echo, in, out, PAYLOAD);
			l->ecall[r * N_CALLS + i] = now() - t;
		}
		client_do(cl, OP_CALLS, N_CALLS);
		memcpy(&l->call[r * N_CALLS], res->lat, N_CALLS * sizeof(double));
		client_do(cl, OP_WARM, N_WARM);
		memcpy(&l->warm[r * N_WARM], res->lat, N_WARM * sizeof(double));
		for (int i = 0; i < N_COLD; i++) {
			struct ebroker_enclave *e;

			t = now();
			e = load_enclave(echo_path);
			l->sdk[r * N_COLD + i] = now() - t;
			ebroker_enclave_free(e);
		}
		client_do(cl, OP_COLD, N_COLD);
		memcpy(&l->cold[r * N_COLD], res->lat, N_COLD * sizeof(double));
	}
	client_do(cl, OP_CLOSE, 0);
	close(raw);
	waitpid(server, &status, 0);
	ebroker_enclave_free(echo);
}

static const char *verdict(double ratio, double target)
{
	return ratio <= target ? "meets" : "above";
}

static void print_latency(struct latency *l)
{
	size_t nc = (size_t)args.reps * N_CALLS, nw = (size_t)args.reps * N_WARM;
	size_t nk = (size_t)args.reps * N_COLD;

	for (int i = 0; i < N_PCT; i++) {
		double raw = quantile(l->raw, nc, pct_q[i]),
		       ecall = quantile(l->ecall, nc, pct_q[i]);
		double call = quantile(l->call, nc, pct_q[i]);

		/* Encrypted now: its target is against a floor with the AEAD, in bench/attest. */
		printf(
		    "row|session call %s (echo %d B)|%.0f us|unix RTT %.0f + ECALL %.0f = %.0f us|"
		    "%.2f|- (see encrypted call)\n",
		    pct_name[i], PAYLOAD, call * 1e6, raw * 1e6, ecall * 1e6, (raw + ecall) * 1e6,
		    call / (raw + ecall));
	}
	for (int i = 0; i < N_PCT; i++) {
		double raw = quantile(l->raw, nc, pct_q[i]), warm = quantile(l->warm, nw, pct_q[i]);

		/* Attested now: its target is against its cryptography, in bench/attest. */
		printf("row|session open, warm instance, %s|%.2f ms|unix RTT %.0f us|%.1f|"
		       "- (see attested open)\n",
		       pct_name[i], warm * 1e3, raw * 1e6, warm / raw);
	}
	for (int i = 0; i < N_PCT; i++) {
		double sdk = quantile(l->sdk, nk, pct_q[i]), cold = quantile(l->cold, nk, pct_q[i]);

		printf("row|session open, cold (new), %s|%.1f ms|ebroker_enclave_load_file(echo) "
		       "%.1f ms|"
		       "%.2f|<= %.2f: %s\n",
		       pct_name[i], cold * 1e3, sdk * 1e3, cold / sdk, COLD_TARGET,
		       verdict(cold / sdk, COLD_TARGET));
	}
	printf("text|session latency: %d rounds; samples per figure: %zu calls (and as many "
	       "raw round trips and ECALLs), %zu warm opens, %zu cold opens (and as many SDK "
	       "loads): a p99 of %zu is the %s\n",
	       args.reps, nc, nw, nk, nk, nk < 100 ? "maximum" : "99th");
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

	clients_do(cls, n_cl, &(struct client_cmd){ .op = OP_RUN, .t0 = t0, .t1 = t1 });
	for (unsigned int i = 0; i < n_cl; i++) {
		const struct client_shm *res = cls[i].shm;

		for (unsigned int j = 0; j < per; j++)
			calls += res->calls[j];
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
		const struct client_shm *res = cls[i].shm;

		client_do(&cls[i], OP_OPEN, per);
		memcpy(&inst[i * per], res->instance, per * sizeof(uint64_t));
	}
	/* A bare worker per instance, serving the sessions it serves. */
	memcpy(ids, inst, ld->clients * sizeof(uint64_t));
	qsort(ids, ld->clients, sizeof(uint64_t), cmp_u64);
	for (unsigned int i = 0; i < ld->clients; i++)
		if (!workers || ids[workers - 1] != ids[i])
			ids[workers++] = ids[i];
	for (unsigned int i = 0; i < ld->clients; i++) {
		int sv[2];

		seqpacket_pair(sv);
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

	for (int r = 0; r < args.reps; r++) {
		flo[r] = run_floor(mine, ld->clients);
		fig[r] = run_figure(cls, ld->tenants, per);
	}
	for (unsigned int i = 0; i < ld->tenants; i++)
		client_do(&cls[i], OP_CLOSE, 0);
	for (unsigned int i = 0; i < ld->clients; i++)
		close(mine[i]);
	for (unsigned int w = 0; w < workers; w++)
		waitpid(pids[w], NULL, 0);

	f = median(fig, args.reps);
	b = median(flo, args.reps);
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
	struct latency *l;
	double t_start = now();
	int opt;

	while ((opt = getopt(argc, argv, SESSION_OPTS "w:c:")) != -1) {
		if (session_arg(&args, opt, optarg))
			continue;
		switch (opt) {
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
	if (!session_args_ok(&args) || !warm_name || !cold_name || argc - optind != 1 + NR_TENANTS)
		usage();
	client_policy_load();
	sample_path(echo_path, sizeof(echo_path), args.samples_dir, ECHO_IMAGE);

	/* Before any enclave is loaded here: the clients inherit nothing of the loader. */
	for (int i = 0; i < 1 + NR_TENANTS; i++)
		client_start(&cls[i], sizeof(struct client_shm), agent, argv[optind + i]);

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
	       args.reps, WINDOW_S, WARMUP_S, warm_name);

	for (int i = 0; i < 1 + NR_TENANTS; i++)
		client_stop(&cls[i]);
	printf("text|broker benchmark: %.0f s\n", now() - t_start);
	return 0;
}
