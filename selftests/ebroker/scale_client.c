// SPDX-License-Identifier: GPL-2.0
/*
 * One tenant's share of systemd_scale.sh: CONNECTIONS threads, each with a
 * connection of its own, open SESSIONS attested sessions with ENCLAVE (an
 * echo image) between them; then every session gets CALLS echo calls, each
 * checked to return exactly its input; then everything is closed. After
 * each step it prints a line and, with -w DIR, waits for DIR/call, then for
 * DIR/close, to exist, so that the script can measure the daemon and the
 * workers while every session is open and idle:
 *
 *   open N failed M instances I ms T
 *   calls N failed M ms T
 *   closed N
 *
 * I is how many enclave instances serve the N sessions. Exit 0 only if
 * every session opened and every call returned its input. The verification
 * policy is broker_policy.h's (EBROKER_MRSIGNER, EBROKER_ROOT).
 *
 *   scale_client [-w DIR] ENCLAVE CONNECTIONS SESSIONS CALLS
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ebroker/client.h>

#include "../../sdk/samples/echo/echo.h"
#include "broker_policy.h"

#define REQUEST_TIMEOUT_MS (300 * 1000) /* an OPEN waits its turn for a quote */
#define WAIT_MAX_MS	   (600 * 1000) /* for DIR/call and DIR/close */
#define STACK_SIZE	   (256 * 1024)
#define ERRORS_SHOWN	   10 /* threads whose first failure is printed */

struct tenant_thread {
	pthread_t thread;
	unsigned int n;
	struct ebroker *b;
	struct ebroker_session **s; /* its share of the sessions */
	uint64_t *instance;	    /* the instance serving each */
	unsigned int n_sessions;
	unsigned int opened, calls, failed;
	int error; /* the first failure, described in why */
	struct ebroker_error why;
};

static const char *enclave;
static unsigned int calls_per_session;
static struct ebroker_policy policy;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void fail(struct tenant_thread *t, int r, const char *what)
{
	t->failed++;
	if (t->error)
		return;
	t->error = r;
	if (ebroker_last_error(&t->why) < 0 || t->why.error != -r)
		snprintf(t->why.message, sizeof(t->why.message), "%s: %s", what, strerror(-r));
}

static void *open_sessions(void *arg)
{
	struct tenant_thread *t = arg;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	struct ebroker_enclave_identity id;
	int r;

	r = ebroker_connect(NULL, &t->b);
	if (r == 0)
		r = ebroker_set_timeout(t->b, REQUEST_TIMEOUT_MS);
	if (r < 0) {
		fail(t, r, "connect");
		t->failed = t->n_sessions;
		return NULL;
	}
	for (unsigned int i = 0; i < t->n_sessions; i++) {
		r = ebroker_session_open(t->b, enclave, &opts, &t->s[i]);
		if (r == 0)
			r = ebroker_session_identity(t->s[i], &id);
		if (r < 0) {
			fail(t, r, "open");
			continue;
		}
		t->instance[i] = id.instance_id;
		t->opened++;
	}
	return NULL;
}

static void *call_sessions(void *arg)
{
	struct tenant_thread *t = arg;
	char in[96], out[96];

	for (unsigned int k = 0; k < calls_per_session; k++) {
		for (unsigned int i = 0; i < t->n_sessions; i++) {
			size_t len, out_len = 0;
			int status = -1, r;

			if (!t->s[i])
				continue;
			len = (size_t)snprintf(in, sizeof(in), "thread %u session %u call %u %08x",
					       t->n, i, k, (t->n * 2654435761u) ^ (i << 12) ^ k);
			r = ebroker_call(t->s[i], ECHO_ECALL_ECHO, in, len, out, sizeof(out),
					 &out_len, &status);
			if (r < 0) {
				fail(t, r, "call");
				continue;
			}
			if (status != 0 || out_len != len || memcmp(in, out, len)) {
				fail(t, -EBADMSG, "call");
				snprintf(
				    t->why.message, sizeof(t->why.message),
				    "call %u on session %u: status %d, %zu bytes '%.*s' for '%s'",
				    k, i, status, out_len, (int)out_len, out, in);
				continue;
			}
			t->calls++;
		}
	}
	return NULL;
}

/* Runs @fn on every thread at once and waits for them all. */
static void run(struct tenant_thread *t, unsigned int n, void *(*fn)(void *))
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (unsigned int i = 0; i < n; i++)
		if (pthread_create(&t[i].thread, &attr, fn, &t[i])) {
			t[i].thread = 0;
			fail(&t[i], -EAGAIN, "pthread_create");
			t[i].failed = t[i].n_sessions;
		}
	pthread_attr_destroy(&attr);
	for (unsigned int i = 0; i < n; i++)
		if (t[i].thread)
			pthread_join(t[i].thread, NULL);
}

/* Prints the first failure of the first few threads that had one. */
static void report_errors(struct tenant_thread *t, unsigned int n)
{
	unsigned int shown = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!t[i].error)
			continue;
		if (shown++ < ERRORS_SHOWN)
			fprintf(stderr, "scale_client: thread %u: %u failed, the first: %s: %s\n",
				i, t[i].failed, ebroker_side_name(t[i].why.side), t[i].why.message);
		t[i].error = 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int count_distinct(uint64_t *v, unsigned int n)
{
	unsigned int distinct = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (unsigned int i = 0; i < n; i++)
		distinct += v[i] && (i == 0 || v[i] != v[i - 1]);
	return distinct;
}

/* Waits for @dir/@name to exist; 0, or -ETIMEDOUT. */
static int wait_file(const char *dir, const char *name)
{
	struct timespec nap = { .tv_nsec = 50 * 1000 * 1000 };
	uint64_t end = now_ms() + WAIT_MAX_MS;
	char path[PATH_MAX];

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	while (access(path, F_OK) < 0) {
		if (now_ms() > end) {
			fprintf(stderr, "scale_client: %s did not appear within %d s\n", path,
				WAIT_MAX_MS / 1000);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

/* A descriptor for every session and connection, and some to spare. */
static int raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need)
		return -EMFILE;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

static unsigned int parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	return errno || end == s || *end || v > 1000000 ? 0 : (unsigned int)v;
}

int main(int argc, char **argv)
{
	_cleanup_(freep) struct ebroker_session **sessions = NULL;
	_cleanup_(freep) struct tenant_thread *t = NULL;
	_cleanup_(freep) uint64_t *instance = NULL;
	unsigned int n_threads, n_sessions, opened = 0, calls = 0, failed = 0, closed = 0;
	const char *dir = NULL;
	uint64_t t0;
	int c, r;

	while ((c = getopt(argc, argv, "w:")) != -1) {
		if (c != 'w')
			goto usage;
		dir = optarg;
	}
	if (argc - optind != 4)
		goto usage;
	enclave = argv[optind];
	n_threads = parse_count(argv[optind + 1]);
	n_sessions = parse_count(argv[optind + 2]);
	calls_per_session = parse_count(argv[optind + 3]);
	if (!n_threads || n_sessions < n_threads || broker_policy(&policy) < 0)
		goto usage;

	r = raise_nofile(n_sessions + n_threads + 64);
	if (r < 0) {
		fprintf(stderr, "scale_client: cannot have %u descriptors open: %s\n",
			n_sessions + n_threads + 64, strerror(-r));
		return 1;
	}
	t = calloc(n_threads, sizeof(*t));
	sessions = calloc(n_sessions, sizeof(*sessions));
	instance = calloc(n_sessions, sizeof(*instance));
	if (!t || !sessions || !instance) {
		fprintf(stderr, "scale_client: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0, first = 0; i < n_threads; i++) {
		t[i].n = i;
		t[i].n_sessions = n_sessions / n_threads + (i < n_sessions % n_threads);
		t[i].s = sessions + first;
		t[i].instance = instance + first;
		first += t[i].n_sessions;
	}

	t0 = now_ms();
	run(t, n_threads, open_sessions);
	for (unsigned int i = 0; i < n_threads; i++) {
		opened += t[i].opened;
		failed += t[i].failed;
	}
	printf("open %u failed %u instances %u ms %llu\n", opened, failed,
	       count_distinct(instance, n_sessions), (unsigned long long)(now_ms() - t0));
	fflush(stdout);
	report_errors(t, n_threads);

	if (wait_file(dir, "call") < 0)
		failed++;
	else {
		t0 = now_ms();
		for (unsigned int i = 0; i < n_threads; i++)
			t[i].failed = 0;
		run(t, n_threads, call_sessions);
		for (unsigned int i = 0; i < n_threads; i++) {
			calls += t[i].calls;
			failed += t[i].failed;
		}
		printf("calls %u failed %u ms %llu\n", calls, opened * calls_per_session - calls,
		       (unsigned long long)(now_ms() - t0));
		fflush(stdout);
		report_errors(t, n_threads);
		if (calls != n_sessions * calls_per_session)
			failed++;
	}

	if (wait_file(dir, "close") < 0)
		failed++;
	for (unsigned int i = 0; i < n_sessions; i++)
		if (sessions[i]) {
			ebroker_session_close(sessions[i]);
			closed++;
		}
	for (unsigned int i = 0; i < n_threads; i++)
		ebroker_disconnect(t[i].b);
	printf("closed %u\n", closed);
	return failed ? 1 : 0;

usage:
	fprintf(stderr, "usage: scale_client [-w DIR] ENCLAVE CONNECTIONS SESSIONS CALLS\n"
			"(with EBROKER_MRSIGNER, EBROKER_ROOT)\n");
	return 2;
}
