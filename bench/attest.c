// SPDX-License-Identifier: GPL-2.0
/*
 * attest: attested sessions and the quoting enclave, each figure beside a
 * floor measured in the same run, as records for bench/run
 * ("row|name|figure|floor|ratio|target" and "text|line"). Runs as root in
 * a guest where ebrokerd serves SOCKET with attestation state in STATE
 * (made by `ebrokerctl attestation init`), and the environment names the
 * policy clients verify against (EBROKER_MRSIGNER, EBROKER_ROOT:
 * selftests/ebroker/broker_policy.h).
 *
 *   attest [-r REPS] [-d SAMPLES_DIR] -S SOCKET -u USER -w WARM -a STATE CGROUP
 *
 * The client is a child process in CGROUP running as USER, through
 * libebroker.so; it holds one session of WARM (the echo sample, an
 * instance that stays up) for the whole run, and does what this process
 * tells it in rounds interleaved with the floors, which this process
 * measures itself as root, through libebloader on enclaves it loads: the
 * echo sample and quoting enclaves given STATE's sealed key and chain
 * (EB_QE_LOAD), exactly as ebrokerd gives them to its own.
 *
 * 1. Attested open: ebroker_session_open() of WARM with the policy, then
 *    closed, beside the sum of the open's cryptography, each part timed
 *    alone on the real bytes of one handshake:
 *     - client: ebc_channel_keygen() + ebc_channel_establish(), the
 *       library's own code (libclient/channel.c, built in): X25519 keygen
 *       and shared secret, SHA-256 transcript, HKDF (OpenSSL);
 *     - enclave: EB_ECALL_SESSION_OPEN on the echo enclave minus an empty
 *       ECALL (ECHO of 0 bytes): X25519 keygen and shared secret, EREPORT
 *       for the QE, SHA-256 REPORTDATA and transcript, HKDF (BearSSL);
 *     - quote: EB_QE_QUOTE of that REPORT minus an empty ECALL of the QE
 *       (QUOTE with a 1-byte input, refused at once): the REPORT's MAC
 *       (EGETKEY, CMAC) and one ECDSA P-256 signature (BearSSL);
 *     - verify: ebroker_verify_quote() of that quote with the session's
 *       claims (chain, two ECDSA verifications, REPORTDATA; OpenSSL).
 * 2. Encrypted call: ebroker_call() of ECHO with 64 B and 4 KiB on the
 *    held session, beside a bare worker's round trip (session.h: the
 *    datagrams of the real CALL and RESULT sizes, one plain echo ECALL of
 *    the payload in a forked process that loaded the echo sample) plus
 *    AES-256-GCM on both sides: the client's seal of the CALL record and
 *    open of the RESULT (ebc_channel_*, OpenSSL) and the enclave's open
 *    and seal, EB_ECALL_SESSION_CALL minus the plain ECHO ECALL of the
 *    same payload (BearSSL aes_ct64 + ghash_ctmul64).
 * 3. Quotes per second: EB_QE_QUOTE in a loop, 1 thread on one QE; 2 and
 *    4 threads each on a QE of its own; 4 threads on one QE (4 TCS).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <ebroker/client.h>
#include <ebroker/loader.h>
#include <ebroker/verify.h>
#include <linux/ebroker_attest.h>
#include <linux/ebroker_proto.h>

#include "../common/util.h"
#include "../libclient/channel.h"
#include "../sdk/samples/echo/echo.h"
#include "session.h"

#define ECHO_IMAGE "echo.ebimg"
#define QE_IMAGE   "qe.ebimg"
#define MAX_REPS   SESSION_MAX_REPS
/* Per round. */
#define N_OPEN	20
#define N_CALL	100
#define MAX_LAT (N_OPEN > N_CALL ? N_OPEN : N_CALL)
/* The platform SVN `ebrokerctl attestation init` certifies unless told otherwise. */
#define PLATFORM_SVN 1
/* Quotes/s: quotes count from WARMUP_S after the start, for WINDOW_S. */
#define WARMUP_S 0.1
#define WINDOW_S 0.5
#define MAX_QE	 4
/* bench/run gives WARM CallTimeoutSec=10: its worker loads with this. */
#define CALL_TIMEOUT_MS 10000
/* Target ratios to the floors. */
#define OPEN_TARGET 2.0
#define CALL_TARGET 1.2

/* The session protocol's CALL (OUT_MAX, RECORD) and RESULT (RECORD) around @n bytes. */
#define CALL_RECORD(n)	    (EB_RECORD_OVERHEAD + sizeof(struct eb_record_call) + (n))
#define RESULT_RECORD(n)    (EB_RECORD_OVERHEAD + sizeof(struct eb_record_result) + (n))
#define WIRE_CALL_SIZE(n)   (sizeof(struct ebp_msghdr) + NLA_SIZE(4) + NLA_SIZE(CALL_RECORD(n)))
#define WIRE_RESULT_SIZE(n) (sizeof(struct ebp_msghdr) + NLA_SIZE(RESULT_RECORD(n)))
#define MAX_PAYLOAD	    4096

static const size_t payloads[] = { 64, MAX_PAYLOAD };
#define N_PAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

static struct session_args args = { .reps = 5 };
static const char *warm_name;
static char echo_path[PATH_MAX + 64], qe_path[PATH_MAX + 64];

static const char *verdict(double ratio, double target)
{
	return ratio <= target ? "met" : "missed";
}

static double pos(double x)
{
	return x > 0 ? x : 0;
}

/* ----------------------------------------------------------- CPU time */

/* The CPU time of every thread of process @pid so far (schedstat), s. */
static double cpu_of(pid_t pid)
{
	char path[64];
	unsigned long long ns, sum = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		fail(path, errno);
	while ((d = readdir(dir))) {
		char file[sizeof(path) + 256 + 16];
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", path, d->d_name);
		f = fopen(file, "re");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	closedir(dir);
	return sum / 1e9;
}

/* ----------------------------------------------------------------- client */

enum op {
	OP_OPENS, /* .n timed opens of WARM, each closed */
	OP_CALLS, /* .n timed ECHO calls of .size bytes on the held session */
};

/* What the client writes back, in memory it shares with this process. */
struct client_shm {
	double lat[MAX_LAT];
	double cpu;	     /* its CPU time over the last command, s */
	uint32_t worker_pid; /* the worker serving its held session */
};

/* The client's side: its state across commands. */
struct agent {
	struct ebroker *b;
	struct ebroker_session *hold;
	uint64_t warm; /* the held session's instance */
	uint8_t in[MAX_PAYLOAD], out[MAX_PAYLOAD];
	struct client_shm *shm;
};

static void agent_do(void *agent, const struct client_cmd *c)
{
	struct agent *a = agent;
	double t, cpu;

	if (c->n > MAX_LAT || c->size > MAX_PAYLOAD)
		fail("command", EPROTO);
	cpu = clock_now(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned int i = 0; i < c->n; i++) {
		if (c->op == OP_OPENS) {
			a->shm->lat[i] = timed_warm_open(a->b, warm_name, a->warm);
			continue;
		}
		t = now();
		session_echo_or_fail(a->hold, a->in, a->out, c->size);
		a->shm->lat[i] = now() - t;
	}
	a->shm->cpu = clock_now(CLOCK_PROCESS_CPUTIME_ID) - cpu;
}

/* The client's side: enter @cgroup as USER, hold a session, serve commands until EOF. */
static void agent(int ctl, void *shm, void *cgroup)
{
	static struct agent a;

	become_client(cgroup, args.user);
	a.shm = shm;
	a.b = connect_or_fail(args.socket_path);
	a.hold = open_session_or_fail(a.b, warm_name);
	a.warm = instance_of(a.hold);
	a.shm->worker_pid = worker_of(a.b, a.hold);
	memset(a.in, 0x5a, sizeof(a.in));
	client_serve(ctl, agent_do, &a);
	ebroker_session_close(a.hold);
	ebroker_disconnect(a.b);
}

/* @n samples of @op, of @size bytes, into @lat. */
static void client_samples(struct client *cl, enum op op, unsigned int n, size_t size, double *lat)
{
	const struct client_shm *res = cl->shm;

	client_send(cl, &(struct client_cmd){ .op = op, .n = n, .size = (uint32_t)size });
	client_wait(cl);
	memcpy(lat, res->lat, n * sizeof(double));
}

/* ---------------------------------------------------------------- enclaves */

/* File @name of the attestation state in @state. */
static void *read_state(const char *state, const char *name, size_t *ret_len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", state, name);
	return read_whole_file(path, ret_len);
}

/* A quoting enclave with STATE's sealed key and platform chain, as ebrokerd loads its own. */
static struct ebroker_enclave *load_qe(const char *state)
{
	struct ebroker_enclave *e = load_enclave(qe_path);
	size_t sealed_len, chain_len, n = 0;
	uint8_t *sealed = read_state(state, "qe.sealed", &sealed_len);
	uint8_t *chain = read_state(state, "platform.pem", &chain_len);
	struct eb_qe_load_in li = {
		.pce_svn = PLATFORM_SVN,
		.sealed_len = (uint32_t)sealed_len,
		.cert_len = (uint32_t)chain_len,
	};
	size_t len = sizeof(li) + sealed_len + chain_len;
	uint8_t *buf = malloc(len), pub[EB_P256_PUB_SIZE];
	int r;

	if (!buf)
		fail("malloc", ENOMEM);
	memcpy(buf, &li, sizeof(li));
	memcpy(buf + sizeof(li), sealed, sealed_len);
	memcpy(buf + sizeof(li) + sealed_len, chain, chain_len);
	r = ebroker_enclave_call(e, EB_QE_LOAD, buf, len, pub, sizeof(pub), &n);
	if (r || n != sizeof(pub))
		fail("EB_QE_LOAD", r ? r : EPROTO);
	free(buf);
	free(sealed);
	free(chain);
	return e;
}

static void ecall(struct ebroker_enclave *e, uint32_t fn, const void *in, size_t in_len, void *out,
		  size_t out_cap, size_t *ret_len, const char *what)
{
	int r = ebroker_enclave_call(e, fn, in, in_len, out, out_cap, ret_len);

	if (r)
		fail(what, r);
}

/* ECHO of 0 bytes: an ECALL that does nothing. */
static void empty_echo(struct ebroker_enclave *e)
{
	size_t n;

	ecall(e, ECHO_ECALL_ECHO, NULL, 0, NULL, 0, &n, "empty ECALL");
}

/* QUOTE with a 1-byte input: the QE's dispatch, refused before any work. */
static void empty_qe(struct ebroker_enclave *qe)
{
	uint8_t in = 0;
	size_t n;

	if (ebroker_enclave_call(qe, EB_QE_QUOTE, &in, 1, NULL, 0, &n) != -EINVAL)
		fail("empty QE ECALL", EPROTO);
}

/*
 * One handshake of session @sid, as the client, the instance and the QE
 * make it: the client's channel keyed, the instance's SESSION_OPEN for
 * @ti, the QE's quote of its REPORT into @quote and the claims to verify
 * it with.
 */
struct handshake {
	struct ebc_channel ch;
	struct eb_session_open_out open;
	uint8_t quote[EB_QUOTE_MAX];
	size_t quote_len;
	struct ebroker_claims claims;
	double t_keygen, t_open, t_quote, t_verify, t_establish;
};

static void handshake(struct handshake *h, struct ebroker_enclave *echo, struct ebroker_enclave *qe,
		      const struct eb_targetinfo *ti, uint64_t sid)
{
	struct eb_session_open_in in = { .qe_target = *ti, .session_id = sid };
	struct ebroker_verify_failure why;
	size_t n = 0;
	double t;
	int r;

	ebc_channel_wipe(&h->ch);
	t = now();
	r = ebc_channel_keygen(&h->ch);
	h->t_keygen = now() - t;
	if (r)
		fail("ebc_channel_keygen", r);
	memcpy(in.nonce, h->ch.nonce, sizeof(in.nonce));
	memcpy(in.client_pub, h->ch.client_pub, sizeof(in.client_pub));

	t = now();
	ecall(echo, EB_ECALL_SESSION_OPEN, &in, sizeof(in), &h->open, sizeof(h->open), &n,
	      "EB_ECALL_SESSION_OPEN");
	h->t_open = now() - t;

	t = now();
	ecall(qe, EB_QE_QUOTE, &h->open.report, sizeof(h->open.report), h->quote, sizeof(h->quote),
	      &h->quote_len, "EB_QE_QUOTE");
	h->t_quote = now() - t;

	memcpy(h->claims.enclave_pub, h->open.enclave_pub, sizeof(h->claims.enclave_pub));
	memcpy(h->claims.nonce, in.nonce, sizeof(in.nonce));
	memcpy(h->claims.client_pub, in.client_pub, sizeof(in.client_pub));
	h->claims.session_id = sid;
	t = now();
	r = ebroker_verify_quote(&client_policy, h->quote, h->quote_len, &h->claims, &h->claims,
				 NULL, &why);
	h->t_verify = now() - t;
	if (r) {
		fprintf(stderr, "attest: the quote does not verify: %s: %s\n",
			ebroker_verify_check_name(why.check), why.message);
		exit(1);
	}

	t = now();
	r = ebc_channel_establish(&h->ch, sid, h->open.enclave_pub,
				  (const uint8_t *)&h->open.report);
	h->t_establish = now() - t;
	if (r)
		fail("ebc_channel_establish", r);
}

static void session_close(struct ebroker_enclave *echo, uint64_t sid)
{
	uint8_t id[8];
	size_t n;

	put_le64(id, sid);
	ecall(echo, EB_ECALL_SESSION_CLOSE, id, sizeof(id), NULL, 0, &n, "EB_ECALL_SESSION_CLOSE");
}

/* ------------------------------------------------------------------ open */

struct open_samples {
	double fig[MAX_REPS * N_OPEN];
	double client[MAX_REPS * N_OPEN], enclave[MAX_REPS * N_OPEN], quote[MAX_REPS * N_OPEN];
	double verify[MAX_REPS * N_OPEN], empty[MAX_REPS * N_OPEN], empty_qe[MAX_REPS * N_OPEN];
};

/* ------------------------------------------------------------------ call */

struct call_samples {
	double fig[MAX_REPS * N_CALL], bare[MAX_REPS * N_CALL], client[MAX_REPS * N_CALL];
	double session_call[MAX_REPS * N_CALL], plain[MAX_REPS * N_CALL];
	/* CPU time summed over every call: the client and worker of the
	 * figure, this process and the bare worker of the round trips. */
	double fig_client_cpu, fig_worker_cpu, bare_client_cpu, bare_worker_cpu;
	/* The plain ECALL with the worker's call timeout (a POSIX timer per call). */
	double plain_timeout[MAX_REPS * N_CALL];
};

/* One encrypted echo of @size bytes through SESSION_CALL, timed by part. */
static void enclave_call(struct handshake *h, struct ebroker_enclave *echo, uint64_t sid,
			 size_t size, double *t_client, double *t_ecall)
{
	static uint8_t in[MAX_PAYLOAD], out[MAX_PAYLOAD];
	static uint8_t rec_in[8 + CALL_RECORD(MAX_PAYLOAD)], rec_out[RESULT_RECORD(MAX_PAYLOAD)];
	size_t rec_len = 0, res_len = 0, out_len = 0;
	int32_t status = -1;
	double t0, t1, t2;
	int r;

	put_le64(rec_in, sid);
	t0 = now();
	r = ebc_channel_seal_call(&h->ch, ECHO_ECALL_ECHO, in, size, rec_in + 8, sizeof(rec_in) - 8,
				  &rec_len);
	if (r)
		fail("ebc_channel_seal_call", r);
	t1 = now();
	ecall(echo, EB_ECALL_SESSION_CALL, rec_in, 8 + rec_len, rec_out, RESULT_RECORD(size),
	      &res_len, "EB_ECALL_SESSION_CALL");
	t2 = now();
	r = ebc_channel_open_result(&h->ch, rec_out, res_len, &status, out, size, &out_len);
	*t_client = (t1 - t0) + (now() - t2);
	*t_ecall = t2 - t1;
	if (r || status || out_len != size)
		fail("an encrypted echo", r ? r : EPROTO);
}

/* A bare worker's datagrams: the CALL and RESULT of an echo of @payload bytes. */
static struct bare_msg wire_msg(size_t payload)
{
	return (struct bare_msg){
		.call_size = WIRE_CALL_SIZE(payload),
		.result_size = WIRE_RESULT_SIZE(payload),
		.in_off = WIRE_CALL_SIZE(payload) - payload,
		.out_off = WIRE_RESULT_SIZE(payload) - payload,
		.payload = payload,
	};
}

/* --------------------------------------------------------------- quotes/s */

struct quoter {
	struct ebroker_enclave *qe;
	const struct eb_report *report;
	double t0, t1;
	uint64_t quotes, busy;
};

static void *quote_loop(void *arg)
{
	struct quoter *q = arg;
	uint8_t *buf = malloc(EB_QUOTE_MAX);

	if (!buf)
		fail("malloc", ENOMEM);
	for (;;) {
		size_t n;
		double t;
		int r;

		/* eb_claim_tcs() scans the TCS once: a claim racing with
		 * another thread's release and re-claim can find none free
		 * even with no more threads than TCS. Counted, retried. */
		r = ebroker_enclave_call(q->qe, EB_QE_QUOTE, q->report, sizeof(*q->report), buf,
					 EB_QUOTE_MAX, &n);
		if (r == -EBUSY) {
			q->busy++;
			continue;
		}
		if (r)
			fail("EB_QE_QUOTE", r);
		t = now();
		if (t > q->t1)
			break;
		if (t >= q->t0)
			q->quotes++;
	}
	free(buf);
	return NULL;
}

/* Quotes/s of @threads threads, thread i on @qes[i % @n_qe]; spurious -EBUSY added to @busy. */
static double quotes_per_s(struct ebroker_enclave **qes, unsigned int n_qe, unsigned int threads,
			   const struct eb_report *report, uint64_t *busy)
{
	double t0 = now() + WARMUP_S, t1 = t0 + WINDOW_S;
	struct quoter q[MAX_QE];
	pthread_t th[MAX_QE];
	uint64_t sum = 0;

	for (unsigned int i = 0; i < threads; i++) {
		int r;

		q[i] = (struct quoter){ .qe = qes[i % n_qe], .report = report, .t0 = t0, .t1 = t1 };
		r = pthread_create(&th[i], NULL, quote_loop, &q[i]);
		if (r)
			fail("pthread_create", r);
	}
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		sum += q[i].quotes;
		*busy += q[i].busy;
	}
	return sum / (t1 - t0);
}

/* ------------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr, "usage: attest [-r REPS] [-d SAMPLES_DIR] -S SOCKET -u USER -w WARM "
			"-a STATE CGROUP\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct open_samples os;
	static struct call_samples cs[N_PAYLOADS];
	static struct handshake h, live;
	static const struct {
		const char *name;
		unsigned int qes, threads;
	} pools[] = {
		{ "1 thread, 1 QE", 1, 1 },
		{ "2 threads, 2 QEs", 2, 2 },
		{ "4 threads, 4 QEs", 4, 4 },
		{ "4 threads, 1 QE (4 TCS)", 1, 4 },
	};
	double qps[sizeof(pools) / sizeof(pools[0])][MAX_REPS];
	uint64_t busy[sizeof(pools) / sizeof(pools[0])] = { 0 };
	const char *state = NULL;
	struct ebroker_enclave *echo, *echo_timed, *qes[MAX_QE];
	struct bare_msg bare_msg[N_PAYLOADS];
	const struct client_shm *res;
	struct eb_targetinfo ti;
	struct client cl;
	uint64_t sid = 1, live_sid;
	size_t n_open, n_call, n = 0;
	double t_start = now(), t, cpu_c, cpu_w;
	int opt, bare_fd[N_PAYLOADS], status;
	pid_t bare_pid[N_PAYLOADS];

	while ((opt = getopt(argc, argv, SESSION_OPTS "w:a:")) != -1) {
		if (session_arg(&args, opt, optarg))
			continue;
		switch (opt) {
		case 'w':
			warm_name = optarg;
			break;
		case 'a':
			state = optarg;
			break;
		default:
			usage();
		}
	}
	if (!session_args_ok(&args) || !warm_name || !state || argc - optind != 1)
		usage();
	client_policy_load();
	sample_path(echo_path, sizeof(echo_path), args.samples_dir, ECHO_IMAGE);
	sample_path(qe_path, sizeof(qe_path), args.samples_dir, QE_IMAGE);
	n_open = (size_t)args.reps * N_OPEN;
	n_call = (size_t)args.reps * N_CALL;

	/* Before any enclave is loaded here: the client inherits nothing of the loader. */
	client_start(&cl, sizeof(struct client_shm), agent, argv[optind]);
	res = cl.shm;
	for (size_t p = 0; p < N_PAYLOADS; p++) {
		bare_msg[p] = wire_msg(payloads[p]);
		bare_pid[p] = bare_worker_one(echo_path, &bare_msg[p], &bare_fd[p]);
	}
	echo = load_enclave(echo_path);
	{
		struct ebroker_enclave_load_params lp = { .call_timeout_ms = CALL_TIMEOUT_MS };
		int r = ebroker_enclave_load_file(echo_path, &lp, &echo_timed);

		if (r)
			fail(echo_path, r);
	}
	for (int i = 0; i < MAX_QE; i++)
		qes[i] = load_qe(state);
	ecall(qes[0], EB_QE_TARGETINFO, NULL, 0, &ti, sizeof(ti), &n, "EB_QE_TARGETINFO");

	/* A session of the echo enclave for the encrypted calls; untimed warm-up. */
	live_sid = sid++;
	handshake(&live, echo, qes[0], &ti, live_sid);
	for (int i = 0; i < 4; i++) {
		double a, b, lat[MAX_LAT];

		handshake(&h, echo, qes[0], &ti, sid);
		session_close(echo, sid++);
		empty_echo(echo);
		empty_qe(qes[0]);
		for (size_t p = 0; p < N_PAYLOADS; p++) {
			enclave_call(&live, echo, live_sid, payloads[p], &a, &b);
			raw_call(bare_fd[p], &bare_msg[p]);
			client_samples(&cl, OP_CALLS, 1, payloads[p], lat);
		}
		client_samples(&cl, OP_OPENS, 1, 0, lat);
	}

	/* Each part of a floor in a loop of its own, as the figure runs its own. */
	for (int r = 0; r < args.reps; r++) {
		size_t k0 = (size_t)r * N_OPEN;

		for (int i = 0; i < N_OPEN; i++) {
			handshake(&h, echo, qes[0], &ti, sid);
			session_close(echo, sid++);
			os.client[k0 + i] = h.t_keygen + h.t_establish;
			os.enclave[k0 + i] = h.t_open;
			os.quote[k0 + i] = h.t_quote;
			os.verify[k0 + i] = h.t_verify;
		}
		for (int i = 0; i < N_OPEN; i++) {
			t = now();
			empty_echo(echo);
			os.empty[k0 + i] = now() - t;
		}
		for (int i = 0; i < N_OPEN; i++) {
			t = now();
			empty_qe(qes[0]);
			os.empty_qe[k0 + i] = now() - t;
		}
		client_samples(&cl, OP_OPENS, N_OPEN, 0, &os.fig[k0]);

		for (size_t p = 0; p < N_PAYLOADS; p++) {
			static uint8_t in[MAX_PAYLOAD], out[MAX_PAYLOAD];
			struct call_samples *c = &cs[p];

			k0 = (size_t)r * N_CALL;
			cpu_w = cpu_of(bare_pid[p]);
			cpu_c = clock_now(CLOCK_THREAD_CPUTIME_ID);
			for (int i = 0; i < N_CALL; i++) {
				t = now();
				raw_call(bare_fd[p], &bare_msg[p]);
				c->bare[k0 + i] = now() - t;
			}
			c->bare_client_cpu += clock_now(CLOCK_THREAD_CPUTIME_ID) - cpu_c;
			c->bare_worker_cpu += cpu_of(bare_pid[p]) - cpu_w;
			for (int i = 0; i < N_CALL; i++)
				enclave_call(&live, echo, live_sid, payloads[p], &c->client[k0 + i],
					     &c->session_call[k0 + i]);
			for (int i = 0; i < N_CALL; i++) {
				t = now();
				enclave_echo(echo, in, out, payloads[p]);
				c->plain[k0 + i] = now() - t;
			}
			for (int i = 0; i < N_CALL; i++) {
				t = now();
				enclave_echo(echo_timed, in, out, payloads[p]);
				c->plain_timeout[k0 + i] = now() - t;
			}
			cpu_w = cpu_of((pid_t)res->worker_pid);
			client_samples(&cl, OP_CALLS, N_CALL, payloads[p], &c->fig[k0]);
			c->fig_worker_cpu += cpu_of((pid_t)res->worker_pid) - cpu_w;
			c->fig_client_cpu += res->cpu;
		}
	}
	client_stop(&cl);
	for (size_t p = 0; p < N_PAYLOADS; p++) {
		close(bare_fd[p]);
		waitpid(bare_pid[p], &status, 0);
	}

	/* 1. Attested open. */
	for (int i = 0; i < N_PCT; i++) {
		double fig = quantile(os.fig, n_open, pct_q[i]);
		double cli = quantile(os.client, n_open, pct_q[i]);
		double enc = pos(quantile(os.enclave, n_open, pct_q[i]) -
				 quantile(os.empty, n_open, pct_q[i]));
		double quo = pos(quantile(os.quote, n_open, pct_q[i]) -
				 quantile(os.empty_qe, n_open, pct_q[i]));
		double ver = quantile(os.verify, n_open, pct_q[i]);
		double sum = cli + enc + quo + ver;

		printf("row|attested open, warm, %s|%.2f ms|crypto sum %.2f ms|%.2f|<= %.2f: %s\n",
		       pct_name[i], fig * 1e3, sum * 1e3, fig / sum, OPEN_TARGET,
		       verdict(fig / sum, OPEN_TARGET));
		printf(
		    "text|attested open %s: client X25519 keygen+shared, SHA-256, HKDF (OpenSSL) "
		    "%.0f us + enclave SESSION_OPEN %.0f - empty ECALL %.0f = %.0f us (X25519 "
		    "keygen+shared, EREPORT, SHA-256, HKDF; BearSSL) + QE QUOTE %.0f - empty "
		    "ECALL %.0f = %.0f us (REPORT MAC, ECDSA P-256 sign; BearSSL) + "
		    "ebroker_verify_quote %.0f us = %.0f us; open - sum = %.0f us\n",
		    pct_name[i], cli * 1e6, quantile(os.enclave, n_open, pct_q[i]) * 1e6,
		    quantile(os.empty, n_open, pct_q[i]) * 1e6, enc * 1e6,
		    quantile(os.quote, n_open, pct_q[i]) * 1e6,
		    quantile(os.empty_qe, n_open, pct_q[i]) * 1e6, quo * 1e6, ver * 1e6, sum * 1e6,
		    (fig - sum) * 1e6);
	}

	/* 2. Encrypted calls. */
	for (size_t p = 0; p < N_PAYLOADS; p++) {
		struct call_samples *c = &cs[p];

		for (int i = 0; i < N_PCT; i++) {
			double fig = quantile(c->fig, n_call, pct_q[i]);
			double bare = quantile(c->bare, n_call, pct_q[i]);
			double cli = quantile(c->client, n_call, pct_q[i]);
			double sc = quantile(c->session_call, n_call, pct_q[i]);
			double plain = quantile(c->plain, n_call, pct_q[i]);
			double enc = pos(sc - plain), floor = bare + cli + enc;
			char name[64];

			snprintf(name, sizeof(name), "encrypted call %s (echo %zu B)", pct_name[i],
				 payloads[p]);
			printf("row|%s|%.0f us|bare %.0f + GCM %.0f + %.0f = %.0f us|%.2f|"
			       "<= %.2f: %s\n",
			       name, fig * 1e6, bare * 1e6, cli * 1e6, enc * 1e6, floor * 1e6,
			       fig / floor, CALL_TARGET, verdict(fig / floor, CALL_TARGET));
			printf("text|%s: bare worker round trip (%zu B out, %zu B back, plain echo "
			       "ECALL) %.0f us + client seal+open (OpenSSL) %.0f us + enclave "
			       "SESSION_CALL %.0f - plain ECALL %.0f = %.0f us (BearSSL ct64); "
			       "call - floor = %.0f us\n",
			       name, WIRE_CALL_SIZE(payloads[p]), WIRE_RESULT_SIZE(payloads[p]),
			       bare * 1e6, cli * 1e6, sc * 1e6, plain * 1e6, enc * 1e6,
			       (fig - floor) * 1e6);
		}
	}
	for (size_t p = 0; p < N_PAYLOADS; p++) {
		struct call_samples *c = &cs[p];
		double fig = 0, bare = 0;

		for (size_t i = 0; i < n_call; i++) {
			fig += c->fig[i];
			bare += c->bare[i];
		}
		printf("text|encrypted call (echo %zu B), means per call: client CPU %.0f us, "
		       "worker CPU %.0f us, neither running %.0f us, of %.0f us; bare round trip: "
		       "client CPU %.0f us, bare worker CPU %.0f us, neither %.0f us, of %.0f us\n",
		       payloads[p], c->fig_client_cpu / n_call * 1e6,
		       c->fig_worker_cpu / n_call * 1e6,
		       (fig - c->fig_client_cpu - c->fig_worker_cpu) / n_call * 1e6,
		       fig / n_call * 1e6, c->bare_client_cpu / n_call * 1e6,
		       c->bare_worker_cpu / n_call * 1e6,
		       (bare - c->bare_client_cpu - c->bare_worker_cpu) / n_call * 1e6,
		       bare / n_call * 1e6);
		printf("text|encrypted call (echo %zu B): plain ECALL p50 %.0f us without a call "
		       "timeout, %.0f us with the worker's (%d ms: a POSIX timer armed and "
		       "disarmed per call)\n",
		       payloads[p], quantile(c->plain, n_call, 0.5) * 1e6,
		       quantile(c->plain_timeout, n_call, 0.5) * 1e6, CALL_TIMEOUT_MS);
	}
	printf("text|attested open and encrypted calls: %d rounds; %zu opens, %zu calls of each "
	       "size per figure (and as many of each floor's parts); percentiles over every "
	       "sample, floors summed p50 to p50 and p99 to p99\n",
	       args.reps, n_open, n_call);

	/* 3. Quotes per second. */
	for (int r = 0; r < args.reps; r++)
		for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
			qps[i][r] = quotes_per_s(qes, pools[i].qes, pools[i].threads,
						 &live.open.report, &busy[i]);
	{
		double one = median(qps[0], args.reps);
		double crypto =
		    pos(quantile(os.quote, n_open, 0.5) - quantile(os.empty_qe, n_open, 0.5));

		printf("row|quotes/s, %s|%.0f /s|1 / QUOTE crypto %.0f /s|%.2f|-\n", pools[0].name,
		       one, 1 / crypto, one * crypto);
		for (size_t i = 1; i < sizeof(pools) / sizeof(pools[0]); i++) {
			double f = median(qps[i], args.reps);

			printf("row|quotes/s, %s|%.0f /s|%u x 1 thread %.0f /s|%.2f|-\n",
			       pools[i].name, f, pools[i].threads, pools[i].threads * one,
			       f / (pools[i].threads * one));
			if (busy[i])
				printf("text|quotes/s, %s: %" PRIu64 " calls found no free TCS "
				       "(-EBUSY, retried) with no more threads than TCS\n",
				       pools[i].name, busy[i]);
		}
	}
	printf("text|quotes/s: EB_QE_QUOTE of one REPORT in a loop, medians of %d rounds, each "
	       "counting the quotes that end in a %.1f s window entered %.1f s after the "
	       "threads start; %ld CPUs\n",
	       args.reps, WINDOW_S, WARMUP_S, sysconf(_SC_NPROCESSORS_ONLN));

	session_close(echo, live_sid);
	ebc_channel_wipe(&live.ch);
	ebc_channel_wipe(&h.ch);
	for (int i = 0; i < MAX_QE; i++)
		ebroker_enclave_free(qes[i]);
	ebroker_enclave_free(echo);
	ebroker_enclave_free(echo_timed);
	printf("text|attest benchmark: %.0f s\n", now() - t_start);
	return 0;
}
