// SPDX-License-Identifier: GPL-2.0
/*
 * scale: ebrokerd at the scale of a busy host, each figure beside a floor
 * measured in the same run where one makes sense, as records for bench/run
 * ("row|name|figure|floor|ratio|target" and "text|line"). Runs as root in
 * a guest where ebrokerd, started by broker_env.sh's broker_start as
 * DAEMON_PID and logging to LOG, serves SOCKET.
 *
 *   scale [-r REPS] [-n SESSIONS] [-d SAMPLES_DIR] -S SOCKET -u USER
 *         [-t USER,...] -e ENCLAVE -p PROBE -P DAEMON_PID -L LOG
 *         PROBE_CGROUP TENANT_CGROUP x 10
 *
 * ENCLAVE is the echo sample with SessionsPerInstance=256 (what the enclave
 * runtime holds) and MaxInstances=4, PROBE the echo sample with a single
 * instance. Clients are child processes: one per tenant cgroup, running as
 * that tenant's user of -t (USER without it), and the probe, as USER in
 * PROBE_CGROUP; they do what this process tells them over a socketpair.
 * Every call they make is an ECHO of 64 bytes of their own, checked to
 * come back exactly; every failure is counted, and each client's first is
 * printed.
 *
 * 1. Memory: each tenant holds SESSIONS sessions of ENCLAVE (default 1,000:
 *    10,000 in 40 instances), opened by OPENERS threads with a connection
 *    each. VmRSS (/proc/PID/status) of the daemon with 0 sessions
 *    (connections made, quoting enclave up), with 1 session per tenant
 *    and with all of them: per idle session and per tenant, beside the
 *    state the daemon keeps for them (the sizes of its structs,
 *    daemon/daemon.h, as glibc allocates them). VmRSS of each worker
 *    serving them (the pids the daemon reports for the sessions), beside
 *    each tenant's first worker when it served 1 session. Then every held
 *    session is called once.
 * 2. Restarts: with every session still held, CALLERS of each tenant's
 *    call on, each every CALL_PAUSE, while this process kills ebrokerd
 *    (SIGKILL), waits for it to be gone and starts it again at once, as
 *    broker_start did (its command line, its log). The probe, which holds
 *    a PROBE session, connects (every ms until the socket accepts) and
 *    opens another; the figure is the time from the kill to that open
 *    returning, beside a warm open (connect + open on the held instance)
 *    with no restart, under the same calls. The new daemon serves no OPEN
 *    before it has taken every held session back (so that the session
 *    caps count them): the figure includes taking back all of them.
 *    Calls lost: the callers' calls that failed, over every round.
 * 3. 1,000 concurrent clients: STORM threads per tenant, each with its own
 *    connection, open a session together (after a barrier over all 1,000)
 *    and then make STORM_CALLS calls together, timed; beside the same with
 *    1 client alone (SOLO_OPENS opens, each closed, and SOLO_CALLS calls per
 *    round). One user has at most 256 connections to ebrokerd (the
 *    default ConnectionsPerUser=): the tenants are users of their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <ebroker/client.h>

#include "../daemon/daemon.h"
#include "session.h"

#define ECHO_IMAGE    "echo.ebimg"
#define MAX_REPS      SESSION_MAX_REPS
#define STORM_REPS    1 /* rounds of 1,000 opens at most: each takes a minute */
#define NR_TENANTS    10
#define PER_TENANT    1000 /* sessions each tenant holds: 10,000 */
#define OPENERS	      10   /* threads (and connections) per tenant opening them */
#define MAX_INST      8	   /* instances per tenant: the policy gives 4 */
#define CALLERS	      10   /* per tenant, calling through the restarts */
#define CALL_PAUSE    0.5  /* s between a caller's calls */
#define WARM_OPENS    5	   /* per restart round, the floor */
#define AFTER_S	      0.5  /* callers go on this long after the first new session */
#define PROBE_MAX_S   60.0 /* the restarted daemon must serve within this */
#define CLIENT_WAIT_S 1800 /* the longest command: opening 1,000 sessions */
#define STORM	      100  /* clients per tenant: 1,000 */
#define STORM_CALLS   10
/* 1,000 opens wait their turn for a quote: longer than the library's default 30 s. */
#define STORM_TIMEOUT_S 300
#define SOLO_OPENS	20
#define SOLO_CALLS	200
#define PAYLOAD		64
#define STACK_SIZE	(256 * 1024)
#define NOFILE		16384 /* each tenant holds 1,000 session sockets and more */
#define MAX_OPEN_LAT	(STORM > SOLO_OPENS ? STORM : SOLO_OPENS)
#define MAX_CALL_LAT	(STORM * STORM_CALLS > SOLO_CALLS ? STORM * STORM_CALLS : SOLO_CALLS)

static struct session_args args = { .reps = 5 };
static unsigned int per_tenant = PER_TENANT;
static double t_start;
static const char *scale_name, *probe_name, *log_path;
static const char *tenant_users[NR_TENANTS];
static char echo_path[PATH_MAX + 64];
static pid_t main_pid;

/* ---------------------------------------------------------------- clients */

enum op {
	OP_CONNECT,	 /* tenant: OPENERS connections */
	OP_FILL,	 /* tenant: open sessions until .n are held */
	OP_CALLERS,	 /* tenant: CALLERS threads call on held sessions until ... */
	OP_CALLERS_STOP, /* ... this; their calls and failures */
	OP_SWEEP,	 /* tenant: one call on every held session */
	OP_CLOSE,	 /* close every session and connection */
	OP_SOLO,	 /* tenant: one client's opens and calls, timed */
	OP_STORM,	 /* tenant: STORM clients' opens and calls, timed */
	OP_HOLD,	 /* probe: open the session that holds PROBE's instance */
	OP_WARM,	 /* probe: .n timed connects + opens of PROBE, each closed */
	OP_PROBE,	 /* probe: connect and open until served; when */
};

enum err {
	ERR_CONNECT,
	ERR_OPEN,
	ERR_CALL,  /* calls of the storm, the solo client and the probe */
	ERR_LOST,  /* calls of the callers, across restarts */
	ERR_SWEEP, /* held sessions that failed their one call */
	__ERR_MAX,
};

static const char *const err_names[] = { "connects", "opens", "calls", "calls lost",
					 "held sessions" };

struct instance_seen {
	uint64_t id;
	uint32_t worker_pid, sessions;
};

/* What a client writes back, in memory it shares with this process. */
struct client_shm {
	uint32_t held, n_groups, n_inst;
	struct instance_seen inst[MAX_INST];
	uint64_t calls, lost;	 /* OP_CALLERS_STOP */
	uint64_t swept;		 /* OP_SWEEP: calls made */
	uint64_t opens, n_calls; /* attempted, over the run */
	uint32_t n_open, n_call; /* samples below, of the last command (< 0: failed) */
	double open_lat[MAX_OPEN_LAT], call_lat[MAX_CALL_LAT];
	double t_ok;		 /* OP_PROBE: CLOCK_MONOTONIC of the open's return */
	double t_connected;	 /* OP_PROBE: of the first connect accepted */
	uint32_t refused;	 /* OP_PROBE: connects refused before */
	uint32_t other_instance; /* probe opens not served by the held instance */
	uint64_t errors[__ERR_MAX];
	char error[EBROKER_ERROR_MESSAGE_MAX + 128]; /* the first */
};

/* The tenants' client processes, then the probe's. */
static struct client clients[NR_TENANTS + 1];

/* What clients[@idx] wrote back. */
static struct client_shm *shm_of(unsigned int idx)
{
	return clients[idx].shm;
}

/* The barriers of the 1,000 clients, in memory every tenant client shares. */
struct storm_sync {
	pthread_barrier_t connected, opened;
};

static struct storm_sync *storm_sync;

/* The client's side: its state across commands. */
struct agent {
	unsigned int idx; /* tenant number */
	struct client_shm *shm;
	pthread_mutex_t lock; /* errors */
	struct ebroker *conn[OPENERS];
	struct ebroker_session *s[PER_TENANT];
	unsigned int n;
	struct caller *callers;
	bool stop;		      /* atomic */
	struct ebroker_session *hold; /* probe */
	uint64_t hold_instance;
};

static void note_error(struct agent *a, enum err kind, const char *what, int r)
{
	struct ebroker_error e;

	pthread_mutex_lock(&a->lock);
	a->shm->errors[kind]++;
	if (!a->shm->error[0]) {
		if (r > 0)
			snprintf(a->shm->error, sizeof(a->shm->error),
				 "%s: the output is not the input", what);
		else if (ebroker_last_error(&e) == 0)
			snprintf(a->shm->error, sizeof(a->shm->error), "%s: %s (%s: %s)", what,
				 strerror(-r), ebroker_side_name(e.side), e.message);
		else
			snprintf(a->shm->error, sizeof(a->shm->error), "%s: %s", what,
				 strerror(-r));
	}
	pthread_mutex_unlock(&a->lock);
}

static void thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);

	if (!r)
		r = pthread_attr_setstacksize(&attr, STACK_SIZE);
	if (!r)
		r = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (r)
		fail("pthread_create", r);
}

static void nap(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* PAYLOAD bytes that only call @c of session @s of tenant @t sends. */
static void make_input(uint8_t *in, uint32_t t, uint32_t s, uint64_t c)
{
	uint64_t x = ((uint64_t)t << 48 ^ (uint64_t)s << 32 ^ c) * 0x9e3779b97f4a7c15ULL | 1;

	for (size_t i = 0; i < PAYLOAD; i += sizeof(x)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(in + i, &x, sizeof(x));
	}
}

/* One ECHO of @in: 0, a negative errno, or > 0 when the output is not the input. */
static int echo_checked(struct ebroker_session *s, const uint8_t *in)
{
	uint8_t out[PAYLOAD];
	int r = session_echo(s, in, out, PAYLOAD);

	return r ? r : memcmp(in, out, PAYLOAD) ? 1 : 0;
}

/* ------------------------------------------------------ 10,000 sessions */

struct filler {
	struct agent *a;
	unsigned int from, to; /* slots from, from + OPENERS, ... below to */
	struct ebroker *b;
};

static void *fill_thread(void *arg)
{
	struct filler *f = arg;

	for (unsigned int i = f->from; i < f->to; i += OPENERS) {
		int r = open_session(f->b, scale_name, &f->a->s[i]);

		if (r < 0) {
			note_error(f->a, ERR_OPEN, scale_name, r);
			f->a->s[i] = NULL;
		}
	}
	return NULL;
}

/* Which instances serve the held sessions, and which worker runs each. */
static void find_instances(struct agent *a)
{
	struct client_shm *shm = a->shm;

	shm->n_inst = 0;
	for (unsigned int i = 0; i < a->n; i++) {
		uint64_t id = instance_of(a->s[i]);
		unsigned int k;

		for (k = 0; k < shm->n_inst && shm->inst[k].id != id; k++)
			;
		if (k == shm->n_inst) {
			if (k == MAX_INST)
				fail("more instances than the policy allows", E2BIG);
			shm->inst[k] = (struct instance_seen){
				.id = id,
				.worker_pid = worker_of(a->conn[0], a->s[i]),
			};
			shm->n_inst++;
		}
		shm->inst[k].sessions++;
	}
}

/* Open sessions, OPENERS at a time, until @target are held (or have failed). */
static void fill(struct agent *a, unsigned int target)
{
	struct filler f[OPENERS];
	pthread_t th[OPENERS];
	unsigned int from = a->n, n = 0;

	if (target > PER_TENANT)
		fail("fill", EINVAL);
	for (unsigned int j = 0; j < OPENERS; j++) {
		f[j] = (struct filler){ .a = a, .from = from + j, .to = target, .b = a->conn[j] };
		thread_start(&th[j], fill_thread, &f[j]);
	}
	for (unsigned int j = 0; j < OPENERS; j++)
		pthread_join(th[j], NULL);
	for (unsigned int i = 0; i < target; i++)
		if (i < from || a->s[i])
			a->s[n++] = a->s[i];
	a->shm->opens += target - from;
	a->n = n;
	a->shm->held = n;
	find_instances(a);
}

/* ------------------------------------------------------------- restarts */

struct caller {
	struct agent *a;
	unsigned int i; /* the session it calls on */
	uint64_t calls, lost;
	pthread_t th;
};

static void *caller_thread(void *arg)
{
	struct caller *c = arg;
	uint8_t in[PAYLOAD];

	while (!__atomic_load_n(&c->a->stop, __ATOMIC_ACQUIRE)) {
		int r;

		make_input(in, c->a->idx, c->i, c->calls);
		r = echo_checked(c->a->s[c->i], in);
		c->calls++;
		if (r) {
			c->lost++;
			note_error(c->a, ERR_LOST, "a call across the restart", r);
		}
		nap(CALL_PAUSE);
	}
	return NULL;
}

static void callers_start(struct agent *a)
{
	unsigned int n = a->n < CALLERS ? a->n : CALLERS;

	a->callers = calloc(CALLERS, sizeof(*a->callers));
	if (!a->callers)
		fail("calloc", ENOMEM);
	__atomic_store_n(&a->stop, false, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++) {
		a->callers[i] = (struct caller){ .a = a, .i = i };
		thread_start(&a->callers[i].th, caller_thread, &a->callers[i]);
	}
}

static void callers_stop(struct agent *a)
{
	unsigned int n = a->n < CALLERS ? a->n : CALLERS;

	__atomic_store_n(&a->stop, true, __ATOMIC_RELEASE);
	a->shm->calls = a->shm->lost = 0;
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(a->callers[i].th, NULL);
		a->shm->calls += a->callers[i].calls;
		a->shm->lost += a->callers[i].lost;
	}
	free(a->callers);
	a->callers = NULL;
}

/* A call on every held session; those that fail are closed, so that the callers' answer. */
static void sweep(struct agent *a)
{
	uint8_t in[PAYLOAD];
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->n; i++) {
		int r;

		make_input(in, a->idx, i, UINT32_MAX + (uint64_t)i);
		r = echo_checked(a->s[i], in);
		if (r) {
			note_error(a, ERR_SWEEP, "a call on a held session", r);
			ebroker_session_close(a->s[i]);
			continue;
		}
		a->s[n++] = a->s[i];
	}
	a->shm->swept += a->n;
	a->n = a->shm->held = n;
}

/* The probe's connect + open of PROBE; 0 or a negative errno, with @ret_refused. */
static int probe_open(struct agent *a, struct ebroker_session **ret, bool *ret_refused)
{
	struct ebroker *b = NULL;
	int r = ebroker_connect(args.socket_path, &b);

	/* No daemon yet, or its socket not yet open to all (bound, then chmod()ed). */
	*ret_refused = r == -ECONNREFUSED || r == -ENOENT || r == -EACCES;
	if (r < 0)
		return r;
	if (a->shm->t_connected < 0)
		a->shm->t_connected = now();
	a->shm->opens++;
	r = open_session(b, probe_name, ret);
	ebroker_disconnect(b);
	if (r == 0 && instance_of(*ret) != a->hold_instance)
		a->shm->other_instance++;
	return r;
}

/* A call on a probe's new session, then closed. */
static void probe_check(struct agent *a, struct ebroker_session *s)
{
	uint8_t in[PAYLOAD];
	int r;

	make_input(in, UINT16_MAX, 0, a->shm->n_calls++);
	r = echo_checked(s, in);
	if (r)
		note_error(a, ERR_CALL, "a call on the probe's new session", r);
	ebroker_session_close(s);
}

static void warm_opens(struct agent *a, unsigned int n)
{
	a->shm->n_open = 0;
	for (unsigned int i = 0; i < n && i < MAX_OPEN_LAT; i++) {
		struct ebroker_session *s;
		double t = now();
		bool refused;
		int r = probe_open(a, &s, &refused);

		a->shm->open_lat[a->shm->n_open++] = r < 0 ? -1 : now() - t;
		if (r < 0) {
			note_error(a, refused ? ERR_CONNECT : ERR_OPEN, probe_name, r);
			continue;
		}
		probe_check(a, s);
	}
}

/* Until a session is served: when it was, or -1 after PROBE_MAX_S from @t0. */
static void probe(struct agent *a, double t0)
{
	struct ebroker_session *s;

	a->shm->refused = 0;
	a->shm->t_ok = a->shm->t_connected = -1;
	while (now() - t0 < PROBE_MAX_S) {
		bool refused;
		int r = probe_open(a, &s, &refused);

		if (r == 0) {
			a->shm->t_ok = now();
			probe_check(a, s);
			return;
		}
		if (refused)
			a->shm->refused++;
		else
			note_error(a, ERR_OPEN, "an open while ebrokerd restarts", r);
		nap(0.001);
	}
	note_error(a, ERR_OPEN, "the probe, which gave up waiting for a new session", -ETIMEDOUT);
}

/* ---------------------------------------------------- 1,000 clients */

struct stormer {
	struct agent *a;
	unsigned int i;
	pthread_t th;
};

static void *storm_thread(void *arg)
{
	struct stormer *st = arg;
	struct agent *a = st->a;
	struct client_shm *shm = a->shm;
	struct ebroker_session *s = NULL;
	struct ebroker *b = NULL;
	uint8_t in[PAYLOAD];
	double t;
	int r;

	r = ebroker_connect(args.socket_path, &b);
	if (r < 0)
		note_error(a, ERR_CONNECT, args.socket_path, r);
	else
		ebroker_set_timeout(b, STORM_TIMEOUT_S * 1000);
	pthread_barrier_wait(&storm_sync->connected);
	t = now();
	r = b ? open_session(b, scale_name, &s) : -ENOTCONN;
	shm->open_lat[st->i] = r < 0 ? -1 : now() - t;
	if (r < 0 && b)
		note_error(a, ERR_OPEN, scale_name, r);
	pthread_barrier_wait(&storm_sync->opened);
	for (unsigned int c = 0; c < STORM_CALLS; c++) {
		double *lat = &shm->call_lat[st->i * STORM_CALLS + c];

		*lat = -1;
		if (!s)
			continue;
		make_input(in, a->idx, st->i, c);
		t = now();
		r = echo_checked(s, in);
		if (r)
			note_error(a, ERR_CALL, "a call of the 1,000 clients", r);
		else
			*lat = now() - t;
	}
	ebroker_session_close(s);
	ebroker_disconnect(b);
	return NULL;
}

static void storm(struct agent *a)
{
	struct stormer *st = calloc(STORM, sizeof(*st));

	if (!st)
		fail("calloc", ENOMEM);
	for (unsigned int i = 0; i < STORM; i++) {
		st[i] = (struct stormer){ .a = a, .i = i };
		thread_start(&st[i].th, storm_thread, &st[i]);
	}
	for (unsigned int i = 0; i < STORM; i++)
		pthread_join(st[i].th, NULL);
	free(st);
	a->shm->n_open = STORM;
	a->shm->n_call = STORM * STORM_CALLS;
	a->shm->opens += STORM;
	a->shm->n_calls += STORM * STORM_CALLS;
}

/* The same alone: one client's opens (each closed), then its calls on one session. */
static void solo(struct agent *a)
{
	struct client_shm *shm = a->shm;
	struct ebroker_session *s = NULL;
	struct ebroker *b;
	uint8_t in[PAYLOAD];
	double t;
	int r;

	shm->n_open = shm->n_call = 0;
	r = ebroker_connect(args.socket_path, &b);
	if (r < 0) {
		note_error(a, ERR_CONNECT, args.socket_path, r);
		return;
	}
	for (unsigned int i = 0; i < SOLO_OPENS + 1; i++) {
		t = now();
		r = open_session(b, scale_name, &s);
		shm->opens++;
		if (r < 0) {
			note_error(a, ERR_OPEN, scale_name, r);
			continue;
		}
		if (i == SOLO_OPENS)
			break; /* the session for the calls */
		shm->open_lat[shm->n_open++] = now() - t;
		ebroker_session_close(s);
		s = NULL;
	}
	for (unsigned int c = 0; s && c < SOLO_CALLS; c++) {
		make_input(in, a->idx, STORM, c);
		t = now();
		r = echo_checked(s, in);
		shm->n_calls++;
		if (r)
			note_error(a, ERR_CALL, "a call of the single client", r);
		else
			shm->call_lat[shm->n_call++] = now() - t;
	}
	ebroker_session_close(s);
	ebroker_disconnect(b);
}

/* ------------------------------------------------------------- the agent */

static void agent_close(struct agent *a)
{
	while (a->n)
		ebroker_session_close(a->s[--a->n]);
	a->shm->held = 0;
	for (unsigned int j = 0; j < OPENERS; j++)
		a->conn[j] = ebroker_disconnect(a->conn[j]);
	ebroker_session_close(a->hold);
	a->hold = NULL;
}

static void agent_do(void *agent, const struct client_cmd *c)
{
	struct agent *a = agent;

	switch (c->op) {
	case OP_CONNECT:
		for (unsigned int j = 0; j < OPENERS; j++)
			a->conn[j] = connect_or_fail(args.socket_path);
		break;
	case OP_FILL:
		fill(a, c->n);
		break;
	case OP_CALLERS:
		callers_start(a);
		break;
	case OP_CALLERS_STOP:
		callers_stop(a);
		break;
	case OP_SWEEP:
		sweep(a);
		break;
	case OP_CLOSE:
		agent_close(a);
		break;
	case OP_SOLO:
		solo(a);
		break;
	case OP_STORM:
		storm(a);
		break;
	case OP_HOLD: {
		struct ebroker *b = connect_or_fail(args.socket_path);

		a->hold = open_session_or_fail(b, probe_name);
		ebroker_disconnect(b);
		a->hold_instance = instance_of(a->hold);
		break;
	}
	case OP_WARM:
		warm_opens(a, c->n);
		break;
	case OP_PROBE:
		probe(a, c->t0);
		break;
	default:
		fail("unknown command", EINVAL);
	}
}

/* Who a client process is: tenant @idx (NR_TENANTS: the probe) in @cgroup. */
struct agent_id {
	unsigned int idx;
	const char *cgroup;
};

/* Enter its cgroup as its tenant's user (the probe's: USER), then serve commands until EOF. */
static void agent(int ctl, void *shm, void *userdata)
{
	const struct agent_id *id = userdata;
	static struct agent a;

	a.idx = id->idx;
	a.shm = shm;
	pthread_mutex_init(&a.lock, NULL);
	become_client(id->cgroup, id->idx < NR_TENANTS ? tenant_users[id->idx] : args.user);
	a.shm->n_groups = (uint32_t)getgroups(0, NULL);
	client_serve(ctl, agent_do, &a);
	agent_close(&a);
}

/* clients[@idx], in @cgroup. */
static void start_client(unsigned int idx, const char *cgroup)
{
	client_start(&clients[idx], sizeof(struct client_shm), agent,
		     &(struct agent_id){ .idx = idx, .cgroup = cgroup });
	clients[idx].wait_s = CLIENT_WAIT_S;
}

/* What is being done, on stderr: the benchmark takes minutes. */
static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scale: %4.0f s: ", now() - t_start);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* @op to every tenant at once; back when all have done it. */
static void tenants_do(struct client *cls, enum op op, unsigned int n)
{
	clients_do(cls, NR_TENANTS, &(struct client_cmd){ .op = op, .n = n });
}

/* --------------------------------------------------------------- ebrokerd */

static struct {
	pid_t pid;
	int pidfd;
	bool ours;   /* started here: ours to reap */
	char **argv; /* as broker_start ran it */
} daemon_proc = { .pidfd = -1 };

static void daemon_watch(pid_t pid)
{
	daemon_proc.pid = pid;
	daemon_proc.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (daemon_proc.pidfd < 0)
		fail("pidfd_open(ebrokerd)", errno);
}

/* The command line of process @pid, as an argv. */
static char **cmdline_of(pid_t pid)
{
	char path[64], *buf, **argv;
	size_t len, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	buf = read_whole_file(path, &len);
	if (len == 0 || buf[len - 1])
		fail(path, EINVAL);
	for (size_t i = 0; i < len; i++)
		n += !buf[i];
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		fail("calloc", ENOMEM);
	for (size_t i = 0, k = 0; i < len; i += strlen(buf + i) + 1)
		argv[k++] = buf + i;
	return argv;
}

/* SIGKILL, and back once it has exited. */
static void daemon_kill(void)
{
	struct pollfd p = { .fd = daemon_proc.pidfd, .events = POLLIN };

	if (kill(daemon_proc.pid, SIGKILL) < 0)
		fail("kill(ebrokerd)", errno);
	if (poll(&p, 1, 30000) != 1)
		fail("ebrokerd did not exit after SIGKILL", ETIMEDOUT);
	if (daemon_proc.ours)
		waitpid(daemon_proc.pid, NULL, 0);
	close(daemon_proc.pidfd);
	daemon_proc.pidfd = -1;
	daemon_proc.pid = 0;
}

/* As broker_start starts it: the same command, its log on stderr. */
static void daemon_start(void)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		int log = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0 || dup2(log, 2) < 0)
			_exit(127);
		close_range(3, ~0U, 0);
		execv(daemon_proc.argv[0], daemon_proc.argv);
		_exit(127);
	}
	daemon_proc.ours = true;
	daemon_watch(pid);
}

/* At exit, also after a failure: no client left behind, nor a daemon started here. */
static void cleanup(void)
{
	if (getpid() != main_pid)
		return;
	for (unsigned int i = 0; i <= NR_TENANTS; i++)
		if (clients[i].pid > 0)
			kill(clients[i].pid, SIGKILL);
	if (daemon_proc.ours && daemon_proc.pid > 0) {
		kill(daemon_proc.pid, SIGTERM);
		waitpid(daemon_proc.pid, NULL, 0);
		daemon_proc.pid = 0;
	}
}

static void daemon_status(struct ebroker_daemon_status *st)
{
	struct ebroker *b;
	int r = ebroker_connect(args.socket_path, &b);

	if (r == 0)
		r = ebroker_daemon_status(b, st);
	ebroker_disconnect(b);
	if (r < 0)
		ebfail("ebroker_daemon_status", r);
}

static void wait_attestation(void)
{
	struct ebroker_daemon_status st;

	for (double end = now() + 60;; nap(0.05)) {
		daemon_status(&st);
		if (st.attestation == EBROKER_ATTESTATION_OK)
			return;
		if (now() > end)
			fail("attestation did not come up", ETIMEDOUT);
	}
}

/* ----------------------------------------------------------------- memory */

/* VmRSS of @pid, KiB. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		fail(path, errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	if (kib < 0)
		fail(path, ENODATA);
	return kib;
}

/* A line of /proc/meminfo, KiB. */
static long meminfo_kib(const char *key)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		fail("/proc/meminfo", errno);
	while (kib < 0 && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			kib = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return kib;
}

/* What glibc's malloc takes for @n bytes on x86-64: a chunk of n + 8, 16-aligned, >= 32. */
static size_t chunk(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;

	return c < 32 ? 32 : c;
}

/* A process of ours that loaded the echo sample and answered a message: its VmRSS. */
static long bare_worker_rss(void)
{
	static const struct bare_msg msg = { .call_size = PAYLOAD,
					     .result_size = PAYLOAD,
					     .payload = PAYLOAD };
	pid_t pid;
	long kib;
	int fd;

	pid = bare_worker_one(echo_path, &msg, &fd);
	raw_call(fd, &msg);
	kib = rss_kib(pid);
	close(fd);
	waitpid(pid, NULL, 0);
	return kib;
}

static void memory(const char *tenant_cgroup, long bare_kib)
{
	struct ebroker_daemon_status st;
	double w[NR_TENANTS * MAX_INST], w_one[NR_TENANTS], grow[NR_TENANTS], cl[NR_TENANTS], t;
	long r0, r1, r2, w1[NR_TENANTS], c1[NR_TENANTS], avail;
	unsigned int held = 0, nw = 0, n_groups;
	const char *cgpath = tenant_cgroup + strlen("/sys/fs/cgroup");
	size_t per_session, tenant_state;

	tenants_do(clients, OP_CONNECT, 0);
	n_groups = shm_of(0)->n_groups;
	wait_attestation();
	r0 = rss_kib(daemon_proc.pid);
	tenants_do(clients, OP_FILL, 1);
	r1 = rss_kib(daemon_proc.pid);
	for (unsigned int i = 0; i < NR_TENANTS; i++) {
		if (shm_of(i)->n_inst != 1)
			fail("a tenant's first session", ENOENT);
		w1[i] = rss_kib((pid_t)shm_of(i)->inst[0].worker_pid);
		w_one[i] = w1[i];
		c1[i] = rss_kib(clients[i].pid);
	}
	progress("memory: %ld KiB with 0 sessions, %ld KiB with 1 per tenant; opening %u more", r0,
		 r1, NR_TENANTS * (per_tenant - 1));
	t = now();
	tenants_do(clients, OP_FILL, per_tenant);
	t = now() - t;
	r2 = rss_kib(daemon_proc.pid);
	avail = meminfo_kib("MemAvailable");
	daemon_status(&st);
	for (unsigned int i = 0; i < NR_TENANTS; i++) {
		struct client_shm *shm = shm_of(i);

		held += shm->held;
		for (unsigned int k = 0; k < shm->n_inst; k++)
			w[nw++] = rss_kib((pid_t)shm->inst[k].worker_pid);
		grow[i] = (rss_kib((pid_t)shm->inst[0].worker_pid) - w1[i]) * 1024.0 /
			  (shm->inst[0].sessions > 1 ? shm->inst[0].sessions - 1 : 1);
		cl[i] = (rss_kib(clients[i].pid) - c1[i]) * 1024.0 /
			(shm->held > 1 ? shm->held - 1 : 1);
	}
	if (held <= NR_TENANTS)
		fail("no session held beyond the first of each tenant", ENOENT);
	progress("memory: %u sessions held after %.0f s; daemon VmRSS %ld KiB", held, t, r2);

	/*
	 * The daemon's state: a session is a struct session, its cgroup path
	 * and its supplementary groups (session_new()); a tenant adds its pool
	 * with its path, and the struct of its first instance.
	 */
	per_session = chunk(sizeof(struct session)) + chunk(strlen(cgpath) + 1) +
		      chunk((n_groups ? n_groups : 1) * sizeof(gid_t));
	tenant_state = chunk(sizeof(struct pool)) + chunk(strlen(cgpath) + 1) +
		       chunk(sizeof(struct instance)) + per_session;
	printf("row|daemon RSS, %u idle sessions|%.1f MiB|0 sessions: %.1f MiB|%.2f|-\n", held,
	       r2 / 1024.0, r0 / 1024.0, (double)r2 / r0);
	printf("row|daemon RSS per idle session|%.0f B|session state (sizeof): %zu B|%.1f|-\n",
	       (r2 - r1) * 1024.0 / (held - NR_TENANTS), per_session,
	       (r2 - r1) * 1024.0 / (held - NR_TENANTS) / per_session);
	printf(
	    "row|daemon RSS per tenant|%.1f KiB|pool+instance+session (sizeof): %.1f KiB|%.1f|-\n",
	    (r1 - r0) / (double)NR_TENANTS, tenant_state / 1024.0,
	    (r1 - r0) * 1024.0 / NR_TENANTS / tenant_state);
	printf("row|worker RSS per instance|%.2f MiB|an instance with 1 session: %.2f MiB|%.2f|-\n",
	       median_in_place(w, nw) / 1024, median_in_place(w_one, NR_TENANTS) / 1024,
	       median_in_place(w, nw) / median_in_place(w_one, NR_TENANTS));
	printf("text|memory: %u sessions held by %u tenants (the daemon counts %u sessions, %u "
	       "instances, %u tenants, its quoting enclave's among them); opened in %.0f s "
	       "(%.0f opens/s, %d at a time), one fill, not rounds\n",
	       held, NR_TENANTS, st.sessions, st.instances, st.tenants, t, (held - NR_TENANTS) / t,
	       NR_TENANTS * OPENERS);
	printf("text|memory: daemon VmRSS %ld KiB with 0 sessions (%d connections, quoting "
	       "enclave up), %ld KiB with 1 per tenant, %ld KiB with %u; per session = "
	       "(last - second) / %u, per tenant = (second - first) / %d (RSS grows by pages "
	       "and within malloc's free space: %d tenants resolve a few KiB at best)\n",
	       r0, NR_TENANTS * OPENERS, r1, r2, held, held - NR_TENANTS, NR_TENANTS, NR_TENANTS);
	printf("text|memory: session state = struct session %zu B + cgroup path %zu B + %u "
	       "groups, as glibc chunks (n + 8 rounded up to 16, at least 32); tenant = struct "
	       "pool %zu B + path + struct instance %zu B + one session\n",
	       sizeof(struct session), strlen(cgpath) + 1, n_groups, sizeof(struct pool),
	       sizeof(struct instance));
	printf("text|memory: workers: median VmRSS of the %u serving the sessions (up to %u "
	       "each), beside that of each tenant's first instance when it served 1 session; "
	       "growth from 1 session to its last: %.0f B per session (median); a process of "
	       "this benchmark that loaded the echo sample and answers on a socket: %ld KiB\n",
	       nw, shm_of(0)->inst[0].sessions, median_in_place(grow, NR_TENANTS), bare_kib);
	printf("text|memory: clients (libebroker): %.0f B of VmRSS per held session (median "
	       "over the tenants); the guest had %ld of %ld MiB available\n",
	       median_in_place(cl, NR_TENANTS), avail / 1024, meminfo_kib("MemTotal") / 1024);
}

/* ----------------------------------------------------------------- restarts */

struct restarts {
	double fig[MAX_REPS], exec[MAX_REPS], up[MAX_REPS];
	double warm[MAX_REPS * WARM_OPENS];
	size_t n_warm;
	uint64_t calls, lost, refused;
};

static void restart_round(struct restarts *rs, int r)
{
	struct client *pr = &clients[NR_TENANTS];
	const struct client_shm *res = shm_of(NR_TENANTS);
	double t0, ts;

	tenants_do(clients, OP_CALLERS, 0);
	nap(2 * CALL_PAUSE);
	client_do(pr, OP_WARM, WARM_OPENS);
	for (unsigned int i = 0; i < res->n_open; i++)
		if (res->open_lat[i] >= 0)
			rs->warm[rs->n_warm++] = res->open_lat[i];
	t0 = now();
	daemon_kill();
	client_send(pr, &(struct client_cmd){ .op = OP_PROBE, .t0 = t0 });
	ts = now();
	daemon_start();
	client_wait(pr);
	rs->fig[r] = res->t_ok < 0 ? -1 : res->t_ok - t0;
	rs->exec[r] = res->t_ok < 0 ? -1 : res->t_ok - ts;
	rs->up[r] = res->t_connected < 0 ? -1 : res->t_connected - t0;
	rs->refused += res->refused;
	progress("restart %d: a new session %.0f ms after the kill", r + 1, rs->fig[r] * 1e3);
	nap(AFTER_S);
	tenants_do(clients, OP_CALLERS_STOP, 0);
	for (unsigned int i = 0; i < NR_TENANTS; i++) {
		rs->calls += shm_of(i)->calls;
		rs->lost += shm_of(i)->lost;
	}
}

/* Rounds of kill -9 and restart while the tenants' callers call, and the probe holds PROBE. */
static void restarts(void)
{
	struct restarts rs = { 0 };
	struct ebroker_daemon_status st;
	double fig, floor;
	char rounds[MAX_REPS * 16] = "";

	client_do(&clients[NR_TENANTS], OP_HOLD, 0);
	daemon_status(&st);
	for (int r = 0; r < args.reps; r++)
		restart_round(&rs, r);
	fig = median(rs.fig, args.reps);
	floor = rs.n_warm ? median_in_place(rs.warm, rs.n_warm) : 0;
	for (int r = 0; r < args.reps; r++)
		snprintf(rounds + strlen(rounds), sizeof(rounds) - strlen(rounds), "%s%.0f",
			 r ? " " : "", rs.fig[r] * 1e3);
	printf(
	    "row|kill -9 to new session, %u held|%.0f ms|warm open, no restart: %.0f ms|%.1f|-\n",
	    st.sessions, fig * 1e3, floor * 1e3, floor > 0 ? fig / floor : 0);
	printf("row|calls lost across kill -9 restarts|%llu of %llu|-|-|0: %s\n",
	       (unsigned long long)rs.lost, (unsigned long long)rs.calls,
	       rs.lost ? "missed" : "met");
	printf("text|restarts: %d rounds with %u sessions held, %d of them calling (every %.1f s "
	       "each); kill -9 to the first new session, per round: %s ms; to the socket "
	       "accepting: %.0f ms, from the new daemon's fork to the session: %.0f ms "
	       "(medians); %llu connects refused; %u probe opens served by another instance "
	       "than the held one; -1000 = none within %.0f s\n",
	       args.reps, st.sessions, NR_TENANTS * CALLERS, CALL_PAUSE, rounds,
	       median(rs.up, args.reps) * 1e3, median(rs.exec, args.reps) * 1e3,
	       (unsigned long long)rs.refused, shm_of(NR_TENANTS)->other_instance, PROBE_MAX_S);
	tenants_do(clients, OP_CLOSE, 0);
	client_do(&clients[NR_TENANTS], OP_CLOSE, 0);
}

/* ------------------------------------------------------------ 1,000 clients */

struct latencies {
	double *v;
	size_t n, cap;
};

static void lat_add(struct latencies *l, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 0)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 4096;
			l->v = realloc(l->v, l->cap * sizeof(*l->v));
			if (!l->v)
				fail("realloc", ENOMEM);
		}
		l->v[l->n++] = v[i];
	}
}

static void print_pair(const char *what, struct latencies *many, struct latencies *one, double unit,
		       const char *uname)
{
	if (!many->n || !one->n) {
		printf("text|%s: no samples (see the errors)\n", what);
		return;
	}
	for (int i = 0; i < N_PCT; i++) {
		double m = quantile(many->v, many->n, pct_q[i]);
		double o = quantile(one->v, one->n, pct_q[i]);

		printf("row|%s, %d clients, %s|%.1f %s|1 client: %.1f %s|%.1f|-\n", what,
		       NR_TENANTS * STORM, pct_name[i], m * unit, uname, o * unit, uname, m / o);
	}
}

static void clients_at_once(void)
{
	struct latencies open_many = { 0 }, open_one = { 0 }, call_many = { 0 }, call_one = { 0 };
	int rounds = args.reps < STORM_REPS ? args.reps : STORM_REPS;
	double t = now();
	size_t slow = 0;

	for (int r = 0; r < rounds; r++) {
		client_do(&clients[0], OP_SOLO, 0);
		lat_add(&open_one, shm_of(0)->open_lat, shm_of(0)->n_open);
		lat_add(&call_one, shm_of(0)->call_lat, shm_of(0)->n_call);
		tenants_do(clients, OP_STORM, 0);
		for (unsigned int i = 0; i < NR_TENANTS; i++) {
			lat_add(&open_many, shm_of(i)->open_lat, shm_of(i)->n_open);
			lat_add(&call_many, shm_of(i)->call_lat, shm_of(i)->n_call);
		}
		progress("%d clients: round %d done", NR_TENANTS * STORM, r + 1);
	}
	print_pair("open", &open_many, &open_one, 1e3, "ms");
	print_pair("call", &call_many, &call_one, 1e3, "ms");
	for (size_t i = 0; i < open_many.n; i++)
		slow += open_many.v[i] > 30;
	printf("text|%d clients: their daemon requests time out after %d s here "
	       "(ebroker_set_timeout()): %zu of %zu opens took longer than the library's "
	       "default 30 s\n",
	       NR_TENANTS * STORM, STORM_TIMEOUT_S, slow, open_many.n);
	printf("text|%d clients: %d round%s of %d tenants x %d threads, each with its own "
	       "connection, opening together and then making %d calls together; 1 client: %d "
	       "opens and %d calls per round; percentiles over every round's samples; %.0f s\n",
	       NR_TENANTS * STORM, rounds, rounds == 1 ? "" : "s", NR_TENANTS, STORM, STORM_CALLS,
	       SOLO_OPENS, SOLO_CALLS, now() - t);
	free(open_many.v);
	free(open_one.v);
	free(call_many.v);
	free(call_one.v);
}

/* ------------------------------------------------------------------- main */

static void print_errors(void)
{
	uint64_t errors[__ERR_MAX] = { 0 }, opens = 0, calls = 0, failed;

	for (unsigned int i = 0; i <= NR_TENANTS; i++) {
		struct client_shm *shm = shm_of(i);

		opens += shm->opens;
		calls += shm->n_calls + shm->swept;
		for (int k = 0; k < __ERR_MAX; k++)
			errors[k] += shm->errors[k];
		if (shm->error[0])
			printf("text|errors: %s %u's first: %s\n",
			       i < NR_TENANTS ? "tenant" : "probe", i, shm->error);
	}
	failed = errors[ERR_CONNECT] + errors[ERR_OPEN] + errors[ERR_CALL] + errors[ERR_SWEEP];
	printf("row|failed connects, opens and calls|%llu of %llu|-|-|0: %s\n",
	       (unsigned long long)failed, (unsigned long long)(opens + calls),
	       failed ? "missed" : "met");
	printf("text|errors:");
	for (int k = 0; k < __ERR_MAX; k++)
		printf(" %s %llu%s", err_names[k], (unsigned long long)errors[k],
		       k + 1 < __ERR_MAX ? "," : "");
	printf(" (of %llu opens and %llu checked calls, the callers' apart)\n",
	       (unsigned long long)opens, (unsigned long long)calls);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: scale [-r REPS] [-n SESSIONS] [-d SAMPLES_DIR] -S SOCKET -u USER "
		"[-t USER,...] -e ENCLAVE -p PROBE -P DAEMON_PID -L LOG PROBE_CGROUP "
		"TENANT_CGROUP x %d\n",
		NR_TENANTS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit nofile = { NOFILE, NOFILE };
	pthread_barrierattr_t ba;
	unsigned int n_users = 0;
	pid_t pid = 0;
	long bare_kib;
	int opt;

	t_start = now();
	while ((opt = getopt(argc, argv, SESSION_OPTS "n:t:e:p:P:L:")) != -1) {
		if (session_arg(&args, opt, optarg))
			continue;
		switch (opt) {
		case 'n':
			per_tenant = (unsigned int)atoi(optarg);
			break;
		case 't':
			for (char *save = NULL, *u = strtok_r(optarg, ",", &save); u;
			     u = strtok_r(NULL, ",", &save))
				if (n_users < NR_TENANTS)
					tenant_users[n_users++] = u;
				else
					usage();
			break;
		case 'e':
			scale_name = optarg;
			break;
		case 'p':
			probe_name = optarg;
			break;
		case 'P':
			pid = atoi(optarg);
			break;
		case 'L':
			log_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (!session_args_ok(&args) || per_tenant <= CALLERS || per_tenant > PER_TENANT ||
	    !scale_name || !probe_name || pid <= 0 || !log_path ||
	    argc - optind != 1 + NR_TENANTS || (n_users && n_users != NR_TENANTS))
		usage();
	for (unsigned int i = n_users; i < NR_TENANTS; i++)
		tenant_users[i] = args.user;
	client_policy_load();
	sample_path(echo_path, sizeof(echo_path), args.samples_dir, ECHO_IMAGE);
	main_pid = getpid();
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		fail("setrlimit(RLIMIT_NOFILE)", errno);
	daemon_proc.argv = cmdline_of(pid);
	daemon_watch(pid);
	atexit(cleanup);

	/* Before the clients: it is a fork of this process as small as it gets. */
	bare_kib = bare_worker_rss();

	storm_sync = mmap(NULL, sizeof(*storm_sync), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (storm_sync == MAP_FAILED)
		fail("mmap", errno);
	if (pthread_barrierattr_init(&ba) ||
	    pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED) ||
	    pthread_barrier_init(&storm_sync->connected, &ba, NR_TENANTS * STORM) ||
	    pthread_barrier_init(&storm_sync->opened, &ba, NR_TENANTS * STORM))
		fail("pthread_barrier_init", EINVAL);
	for (unsigned int i = 0; i < NR_TENANTS; i++)
		start_client(i, argv[optind + 1 + i]);
	start_client(NR_TENANTS, argv[optind]);

	progress("memory: bare worker %ld KiB; clients started", bare_kib);
	memory(argv[optind + 1], bare_kib);

	tenants_do(clients, OP_SWEEP, 0);
	progress("memory: every held session answered a call");
	restarts();
	clients_at_once();
	print_errors();

	for (unsigned int i = 0; i <= NR_TENANTS; i++)
		client_stop(&clients[i]);
	printf("text|scale benchmark: %.0f s\n", now() - t_start);
	return 0;
}
