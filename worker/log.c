// SPDX-License-Identifier: GPL-2.0
/* The worker's log; see log.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static uint64_t instance_id;

void log_set_instance(uint64_t id)
{
	instance_id = id;
}

int log_full(int prio, int err, const char *fmt, ...)
{
	char line[1024];
	int saved = errno, n;
	va_list ap;

	n = snprintf(line, sizeof(line), "<%d>worker %" PRIu64 ": ", prio, instance_id);
	if (err)
		errno = abs(err);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line); /* at most sizeof(line) - 2: room for the newline */
	line[n++] = '\n';
	/* One write: a line from the worker never interleaves with others. */
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to say it. */
	}
	errno = saved;
	return err ? -abs(err) : 0;
}

bool ratelimit_ok(struct ratelimit *rl, uint64_t now_ns, unsigned int *ret_missed)
{
	unsigned int missed = 0;

	if (!rl->started || now_ns - rl->begin_ns >= LOG_INTERVAL_NS) {
		missed = rl->missed;
		rl->started = true;
		rl->begin_ns = now_ns;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed >= LOG_BURST) {
		rl->missed++;
		return false;
	}
	rl->printed++;
	*ret_missed = missed;
	return true;
}

bool log_ratelimit_ok(void)
{
	static struct ratelimit rl;
	struct timespec ts;
	unsigned int missed;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!ratelimit_ok(&rl, (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec, &missed))
		return false;
	if (missed)
		log_full(LOG_WARNING, 0, "%u log lines about peers suppressed", missed);
	return true;
}
