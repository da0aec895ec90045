/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebroker's insides, shared by its files and its host tests. Nothing
 * here is exported: the symbol map exports ebroker_* only, and internal
 * functions are named ebc_*.
 *
 * Lock order: a session's lock, then its connection's lock. A session
 * that ends during a call asks the daemon why while holding its own lock;
 * nothing takes a session's lock while holding a connection's.
 */
#ifndef EB_LIBCLIENT_INTERNAL_H
#define EB_LIBCLIENT_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "common/util.h"
#include "ebroker/client.h"
#include "proto/proto.h"

/* What the library exports; it is built with -fvisibility=hidden. */
#define _public_ __attribute__((visibility("default")))

#define EBC_DEFAULT_TIMEOUT_MS 30000

DEFINE_FREEP(struct nl_msg, nlmsg_free)

/* _cleanup_(ebc_unlockp) pthread_mutex_t *locked = ebc_lock(&x->lock); */
static inline pthread_mutex_t *ebc_lock(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	return m;
}

static inline void ebc_unlockp(pthread_mutex_t **m)
{
	if (*m)
		pthread_mutex_unlock(*m);
}

struct ebroker {
	unsigned int n_ref; /* the caller's, plus one per session */
	pthread_mutex_t lock;
	/* Under lock: */
	int fd;			/* -1 once closed */
	const char *closed_why; /* why fd was closed, when not by the caller */
	uint32_t timeout_ms;	/* also read without the lock (atomically) */
	uint32_t next_id;	/* the next request's id */
	uint32_t stale_from;	/* replies to ids from here to next_id were given up on */
	bool have_stale;
	bool reconnect; /* made by ebroker_connect(): connect again after the daemon closed it */
	uint8_t *buf;	/* EBP_CONTROL_MSG_MAX bytes: the reply being read */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* connection.c */

/*
 * A connection over @fd, a connected SOCK_SEQPACKET socket it takes (also on
 * failure); @what names it in messages. ebroker_connect() uses it, and the
 * tests, which have no daemon, call it with one end of a socketpair.
 */
int ebc_from_fd(int fd, const char *what, struct ebroker **ret);
struct ebroker *ebc_ref(struct ebroker *b);
struct ebroker *ebc_unref(struct ebroker *b);
uint32_t ebc_timeout(struct ebroker *b);

/*
 * One reply (other than ERROR, which ebc_request() turns into its errno) to
 * a request: @fd is a descriptor that came with it (-1 if none), to take or
 * leave. Returns 1 when more replies are to come, 0 after the last one, or
 * a negative errno (with the error recorded) to end the request.
 */
typedef int (*ebc_reply_fn)(struct ebroker *b, const struct ebp_msg *m, int *fd, void *userdata);

/*
 * Sends @m (its request id is set here) and hands each reply to @fn, all
 * within @timeout_ms (0: no limit).
 */
int ebc_request(struct ebroker *b, struct nl_msg *m, uint32_t timeout_ms, ebc_reply_fn fn,
		void *userdata);

/* ebroker_session_info_get() within @timeout_ms. */
int ebc_session_info(struct ebroker *b, uint64_t id, uint32_t timeout_ms,
		     struct ebroker_session_info *ret);

/* Fills @ret from a SESSION message; -EPROTO if its values make no sense. */
int ebc_session_info_from_msg(const struct ebp_msg *m, struct ebroker_session_info *ret);

/* error.c: record the thread's last failure and return -@err. */
int ebc_fail(int err, enum ebroker_side side, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ebc_fail_error(const struct ebroker_error *e);
/* A refused quote: -EKEYREJECTED, with the check for ebroker_last_verify_check(). */
int ebc_fail_verify(const struct ebroker_verify_failure *f);
/* An ERROR message: its errno (negative), recorded with its side and message. */
int ebc_fail_msg(const struct ebp_msg *m);

/* io.c */

/* CLOCK_MONOTONIC, ms. */
uint64_t ebc_now_ms(void);
/* A point in CLOCK_MONOTONIC time, ms; UINT64_MAX: never. */
uint64_t ebc_deadline(uint32_t timeout_ms);
/* poll() for @events until @deadline: 0, -ETIMEDOUT, or -errno. */
int ebc_wait(int fd, short events, uint64_t deadline);
/* ebp_send() on a non-blocking socket, waiting for room until @deadline. */
int ebc_send(int fd, struct nl_msg *m, uint64_t deadline);
/* Whether @id belongs to a request given up on earlier, in [from, next). */
static inline bool ebc_is_stale(bool have_stale, uint32_t from, uint32_t next, uint32_t id)
{
	return have_stale && (uint32_t)(id - from) < (uint32_t)(next - from);
}

#endif /* EB_LIBCLIENT_INTERNAL_H */
