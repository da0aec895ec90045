// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerd under load, from one tenant: CLIENTS threads, each with a
 * connection and a session of its own, make CALLS echo calls each; then
 * THREADS threads share one session, whose calls libebroker serialises.
 * Every call must succeed and return exactly its own input.
 *
 * Run by broker_test.sh as alice (as_user), against the ebrokerd that
 * broker_env.sh started ($EBROKER_SOCKET).
 */
#include <pthread.h>

#include <ebroker/client.h>

#include "../../sdk/samples/echo/echo.h"
#include "broker_policy.h"
#include "kselftest_harness.h"

#define CLIENTS	     100
#define CALLS	     100
#define THREADS	     8
#define SHARED_CALLS 200
#define STACK_SIZE   (256 * 1024)

struct worker {
	pthread_t thread;
	unsigned int n;
	struct ebroker_session *shared; /* NULL: a connection and session of its own */
	unsigned int calls;		/* answered, with the right data */
	int error;			/* the first failure */
	struct ebroker_error why;
};

static int fail(struct worker *w, int r)
{
	if (!w->error) {
		w->error = r;
		if (ebroker_last_error(&w->why) < 0)
			snprintf(w->why.message, sizeof(w->why.message), "(no last error)");
	}
	return r;
}

/* @calls ECHOs of inputs only this thread sends, each checked. */
static void echo_calls(struct worker *w, struct ebroker_session *s, unsigned int calls)
{
	char in[96], out[96];

	for (unsigned int i = 0; i < calls; i++) {
		size_t len = (size_t)snprintf(in, sizeof(in), "thread %u call %u %08x", w->n, i,
					      (w->n * 2654435761u) ^ i),
		       out_len = 0;
		int status = -1, r;

		r = ebroker_call(s, ECHO_ECALL_ECHO, in, len, out, sizeof(out), &out_len, &status);
		if (r < 0) {
			fail(w, r);
			return;
		}
		if (status != 0 || out_len != len || memcmp(in, out, len)) {
			fail(w, -EBADMSG);
			snprintf(w->why.message, sizeof(w->why.message),
				 "call %u: status %d, %zu bytes '%.*s' for '%s'", i, status,
				 out_len, (int)out_len, out, in);
			return;
		}
		w->calls++;
	}
}

/* An echo session, attested as broker_env.sh says. */
static int open_echo(struct ebroker *b, struct ebroker_session **ret)
{
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };

	if (broker_policy(&policy) < 0)
		return -EINVAL;
	return ebroker_session_open(b, "echo", &opts, ret);
}

static void *client(void *arg)
{
	struct worker *w = arg;
	struct ebroker *b = NULL;
	struct ebroker_session *s = NULL;
	int r;

	if (w->shared) {
		echo_calls(w, w->shared, SHARED_CALLS);
		return NULL;
	}
	r = ebroker_connect(NULL, &b);
	if (r == 0)
		r = open_echo(b, &s);
	if (r < 0)
		fail(w, r);
	else
		echo_calls(w, s, CALLS);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	return NULL;
}

/* Runs @n workers at once; how many failed (each one logged). */
static unsigned int run(struct __test_metadata *_metadata, struct worker *w, unsigned int n)
{
	unsigned int failed = 0;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (unsigned int i = 0; i < n; i++) {
		w[i].n = i;
		if (pthread_create(&w[i].thread, &attr, client, &w[i])) {
			w[i].thread = 0;
			w[i].error = -EAGAIN;
			snprintf(w[i].why.message, sizeof(w[i].why.message), "no thread");
		}
	}
	pthread_attr_destroy(&attr);
	for (unsigned int i = 0; i < n; i++) {
		if (w[i].thread)
			pthread_join(w[i].thread, NULL);
		if (w[i].error) {
			failed++;
			TH_LOG("thread %u: %d (%s) after %u calls: %s: %s", i, w[i].error,
			       strerror(-w[i].error), w[i].calls, ebroker_side_name(w[i].why.side),
			       w[i].why.message);
		}
	}
	return failed;
}

FIXTURE(load){};

FIXTURE_SETUP(load)
{
	if (!getenv("EBROKER_SOCKET"))
		SKIP(return, "run through broker_test.sh");
}

FIXTURE_TEARDOWN(load)
{
}

TEST_F_TIMEOUT(load, hundred_clients, 180)
{
	static struct worker w[CLIENTS];
	unsigned int calls = 0;
	uint64_t t0 = 0;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
	ASSERT_EQ(0, run(_metadata, w, CLIENTS));
	for (unsigned int i = 0; i < CLIENTS; i++)
		calls += w[i].calls;
	ASSERT_EQ(CLIENTS * CALLS, calls);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	TH_LOG("%u clients x %u calls in %llu ms", CLIENTS, CALLS,
	       (unsigned long long)(ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000 - t0));
}

TEST_F_TIMEOUT(load, threads_on_one_session, 120)
{
	static struct worker w[THREADS];
	struct ebroker_session_info info;
	struct ebroker *b = NULL;
	struct ebroker_session *s = NULL;
	unsigned int calls = 0;

	ASSERT_EQ(0, ebroker_connect(NULL, &b));
	ASSERT_EQ(0, open_echo(b, &s));
	for (unsigned int i = 0; i < THREADS; i++)
		w[i].shared = s;
	ASSERT_EQ(0, run(_metadata, w, THREADS));
	for (unsigned int i = 0; i < THREADS; i++)
		calls += w[i].calls;
	ASSERT_EQ(THREADS * SHARED_CALLS, calls);
	/* The worker counted them all on this one session. */
	ASSERT_EQ(0, ebroker_session_info_get(b, ebroker_session_id(s), &info));
	EXPECT_FALSE(info.ended);
	EXPECT_EQ(THREADS * SHARED_CALLS, info.calls);
	ebroker_session_close(s);
	ebroker_disconnect(b);
}

TEST_HARNESS_MAIN
