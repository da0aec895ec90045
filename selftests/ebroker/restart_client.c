// SPDX-License-Identifier: GPL-2.0
/*
 * A client that keeps calling through a daemon restart: opens one attested
 * echo session, prints its id, then calls ECHO every 10 ms for SECONDS and
 * prints "calls N failed M" (SIGTERM ends it sooner: the test says when it
 * has seen what it needs). Exit 0 only if every call returned its input.
 * The data plane does not pass through ebrokerd, so its restart must cost
 * no call. Used by restart_test.sh.
 *
 *   restart_client SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ebroker/client.h>

#include "../../sdk/samples/echo/echo.h"
#include "broker_policy.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	struct ebroker_session *s = NULL;
	struct ebroker *b = NULL;
	struct ebroker_error e;
	unsigned long calls = 0, failed = 0;
	double end;

	if (argc != 2 || broker_policy(&policy) < 0) {
		fprintf(stderr,
			"usage: restart_client SECONDS (with EBROKER_MRSIGNER, EBROKER_ROOT)\n");
		return 2;
	}
	if (ebroker_connect(NULL, &b) < 0 || ebroker_session_open(b, "echo", &opts, &s) < 0) {
		ebroker_last_error(&e);
		fprintf(stderr, "restart_client: %s\n", e.message);
		return 1;
	}
	printf("session %llu\n", (unsigned long long)ebroker_session_id(s));
	fflush(stdout);
	signal(SIGTERM, on_term);
	end = now() + atof(argv[1]);
	while (!stop && now() < end) {
		char in[32], out[32];
		size_t len = 0;
		int status = -1;
		struct timespec nap = { .tv_nsec = 10 * 1000 * 1000 };

		snprintf(in, sizeof(in), "call %lu", calls);
		calls++;
		if (ebroker_call(s, ECHO_ECALL_ECHO, in, strlen(in), out, sizeof(out), &len,
				 &status) < 0 ||
		    status != 0 || len != strlen(in) || memcmp(in, out, len)) {
			if (!failed++ && ebroker_last_error(&e) == 0)
				fprintf(stderr, "restart_client: call %lu: %s\n", calls, e.message);
		}
		nanosleep(&nap, NULL);
	}
	printf("calls %lu failed %lu\n", calls, failed);
	ebroker_session_close(s);
	ebroker_disconnect(b);
	return failed ? 1 : 0;
}
