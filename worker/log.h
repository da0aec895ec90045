/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker's log: one line per write(2) on stderr, which ebrokerd
 * passes on (the journal, or its own stderr), each starting with the
 * sd-daemon priority prefix "<N>" so that journald keeps the level, then
 * "worker ID: ". Nothing here may use a syscall the seccomp filter denies
 * (sandbox.c): formatting happens in a stack buffer, then one write(2).
 */
#ifndef EB_WORKER_LOG_H
#define EB_WORKER_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* The instance id every line names. */
void log_set_instance(uint64_t id);

/*
 * Log at @prio; with @err non-zero, errno is @err while @fmt is formatted
 * (for %m) and -|@err| is returned, so that "return log_error(r, ...)"
 * logs and returns in one statement; 0 otherwise.
 */
int log_full(int prio, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_error(err, ...)   log_full(LOG_ERR, (err), __VA_ARGS__)
#define log_warning(err, ...) log_full(LOG_WARNING, (err), __VA_ARGS__)
#define log_info(...)	      log_full(LOG_INFO, 0, __VA_ARGS__)

/*
 * What peers can make the worker log goes through log_ratelimit_ok() first:
 * at most LOG_BURST lines per LOG_INTERVAL_NS overall; the first line
 * logged after a window that dropped some says how many.
 */
#define LOG_BURST	5
#define LOG_INTERVAL_NS 1000000000ULL

bool log_ratelimit_ok(void);

/* The limiter itself, with the clock passed in (for the unit test). */
struct ratelimit {
	uint64_t begin_ns; /* start of the current window */
	unsigned int printed;
	unsigned int missed;
	bool started;
};

/*
 * ratelimit_ok() - may one more line be logged at @now_ns?
 * @ret_missed:	(out) when the answer is yes and lines were dropped in
 *		the window before, how many (else 0)
 */
bool ratelimit_ok(struct ratelimit *rl, uint64_t now_ns, unsigned int *ret_missed);

#endif /* EB_WORKER_LOG_H */
