/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebrokerd's logging: structured journal entries (sd_journal_send) when
 * stderr is connected to the journal, "<N>message" lines on stderr
 * otherwise (which journald and a terminal both read). Every entry may carry
 * EBROKER_* fields; log_peer_ratelimited() caps what hostile clients can make
 * the daemon write.
 */
#ifndef EB_DAEMON_LOG_H
#define EB_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_setup(void);

/*
 * Log at @prio; @fields is NULL or a NULL-terminated list of "KEY=value"
 * strings added to the journal entry. Returns -@err when @err is non-zero
 * (so that "return log_error(r, ...)" logs and returns in one statement).
 */
int log_full(int prio, int err, const char *const *fields, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(err, ...)   log_full(LOG_ERR, (err), NULL, __VA_ARGS__)
#define log_warning(err, ...) log_full(LOG_WARNING, (err), NULL, __VA_ARGS__)
#define log_notice(...)	      log_full(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_info(...)	      log_full(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_debug(...)	      log_full(LOG_DEBUG, 0, NULL, __VA_ARGS__)

/* At most a burst of 10, then 5 a second; says how many were suppressed. */
bool log_ratelimit_ok(void);

#endif /* EB_DAEMON_LOG_H */
