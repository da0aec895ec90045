/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebrokerd's objects and how they refer to each other:
 *
 *   struct daemon          one: the event loop, the policy, the tables
 *   struct conn            a client's control connection (peer identity)
 *   struct pool            instances of one enclave for one tenant cgroup
 *   struct instance        one worker process running one enclave
 *   struct session         one client session, served by one instance
 *
 * A session belongs to its user, not to the connection that opened it: it
 * lives until the client closes its end, the worker ends it, or CLOSE.
 * Ended sessions are kept for a while (SESSION_ENDED_KEEP_MS) so that a
 * client can ask why its session ended. The daemon is single-threaded.
 */
#ifndef EB_DAEMON_H
#define EB_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "common/list.h"
#include "daemon/peer.h"
#include "daemon/policy.h"
#include "proto/proto.h"

#define SESSION_ENDED_KEEP_MS	60000
#define SESSION_ENDED_KEEP_MAX	4096
#define WORKER_START_TIMEOUT_MS 60000
#define WORKER_QUERY_TIMEOUT_MS 1000
#define SESSION_BUCKETS		4096
#define SESSION_COUNT_BITS	10 /* 1024 buckets per count table */

struct daemon_config {
	const char *config_dir;	   /* policy root */
	const char *socket_path;   /* when not socket-activated */
	const char *runtime_dir;   /* /run/ebroker: workers/ sockets */
	const char *worker_path;   /* the ebroker-worker binary */
	const char *worker_cgroup; /* cgroupfs directory for workers */
	const char *device;	   /* /dev/ebroker */
};

struct verified_image;
struct adopt_lookups;
struct conn;
struct instance;

/* A plain ECALL's answer (W_RESULT, or the ERROR that replaced it). */
struct call_result {
	int err;	  /* 0: the function ran; else a positive errno, why it did not */
	int status;	  /* its return value */
	const void *data; /* its output */
	size_t len;
	const char *message; /* with err: the worker's words */
};

/*
 * Attestation (attestation.c): the quoting enclave's instance, started like
 * any other from its enclaves.d file but in the workers' own cgroup, loaded
 * with the sealed attestation key and the platform chain from the state
 * directory, and checked: its own quote must verify against the root there.
 */
struct attestation {
	enum ebp_attestation_state state;
	char reason[EBP_ERROR_MSG_MAX]; /* why it is failing */
	struct instance *qe;		/* the checked instance that makes quotes */
	struct instance *loading;	/* an instance being loaded and checked */
	uint8_t *sealed, *chain;	/* qe.sealed, platform.pem */
	size_t sealed_len, chain_len;
	uint16_t platform_svn;		     /* from the chain's platform certificate */
	uint8_t target[EBP_TARGETINFO_SIZE]; /* the QE's TARGETINFO */
	uint8_t nonce[32];		     /* of the self-check in flight */
	sd_event_source *timer;		     /* the next check, or a restart */
	struct list_head waiters;	     /* conns in CONN_WAIT_ATTESTATION */
	struct list_head quote_queue;	     /* conns in CONN_WAIT_QUOTE, not yet sent */
	unsigned int quotes_in_flight;	     /* sent to a quoting enclave, not yet answered */
	uint64_t quotes, quote_failures, checks, check_failures;
};

/* Why an OPEN was refused: DAEMON_STATUS's REFUSED_* counters (<linux/ebroker_proto.h>). */
enum refusal {
	REFUSED_POLICY,	     /* no such enclave, the quoting enclave, or not this user's */
	REFUSED_LIMITS,	     /* SessionsPerUser=, SessionsPerCgroup= */
	REFUSED_QUOTA,	     /* the tenant's EPC limit (EDQUOT) */
	REFUSED_POOL,	     /* the EPC pool (ENOSPC) */
	REFUSED_ATTESTATION, /* attestation is failing */
	__REFUSED_MAX,
};

struct daemon {
	struct daemon_config cfg;
	sd_event *event;
	int listen_fd;
	sd_event_source *listen_src;
	struct eb_policy *policy;
	struct verified_image **images; /* one per policy enclave, same order */

	struct list_head conns;
	struct list_head pools;
	struct list_head sessions_ended; /* oldest first */
	struct list_head session_buckets[SESSION_BUCKETS];
	struct list_head per_uid[1 << SESSION_COUNT_BITS];    /* live sessions by uid */
	struct list_head per_cgroup[1 << SESSION_COUNT_BITS]; /* ... by cgroup id */
	unsigned int n_sessions;			      /* live */
	unsigned int n_ended;
	unsigned int n_instances;
	uint64_t next_session_id;
	uint64_t session_id_mark; /* ids below it are recorded as used */
	unsigned int generation;  /* of the policy: counts reloads */
	uint64_t next_instance_id;
	uint8_t *uid_used; /* bitmap over the worker uid range */
	struct attestation att;
	unsigned int adopting;	       /* workers of an earlier daemon yet to say who they are */
	struct adopt_lookups *lookups; /* adopt_lookup.c's, while they are taken back */
	/* Since start, for STATUS: each OPEN is counted once, or not at all when something broke. */
	uint64_t opens;		 /* OPENED sent */
	uint64_t worker_crashes; /* workers that exited other than when told to stop */
	uint64_t calls_ended;	 /* calls answered on sessions that have ended */
	uint64_t refused[__REFUSED_MAX];
	bool exiting; /* stopping for good: see stop.c */
};

enum conn_state {
	CONN_IDLE,	       /* reading requests */
	CONN_WAIT_START,       /* OPEN waits for an instance to become ready */
	CONN_WAIT_QUERY,       /* LIST waits for workers' call counts */
	CONN_WAIT_ADD,	       /* OPEN waits for the worker to take the session */
	CONN_WAIT_ATTESTATION, /* OPEN waits for the quoting enclave to be checked */
	CONN_WAIT_QUOTE,       /* OPEN waits for the quote of the session's report */
};

struct conn {
	struct daemon *d;
	struct list_head link;
	int fd;
	sd_event_source *src;
	struct peer peer;
	enum conn_state state;
	uint32_t request_id; /* of the request being served */
	char enclave[EBP_ENCLAVE_NAME_MAX];
	struct instance *waiting; /* CONN_WAIT_START */
	struct list_head wait_link;
	unsigned int queries;	       /* CONN_WAIT_QUERY: workers yet to answer */
	unsigned int attempts;	       /* instances that died while taking this OPEN */
	uint64_t adding;	       /* CONN_WAIT_ADD/QUOTE: the session being handed over */
	int client_fd;		       /* CONN_WAIT_ADD/QUOTE: the client's end of it */
	uint8_t nonce[EBP_NONCE_SIZE]; /* OPEN's */
	uint8_t client_key[EBP_PUBKEY_SIZE];  /* OPEN's */
	uint8_t enclave_key[EBP_PUBKEY_SIZE]; /* W_ADDED's */
	uint8_t *report;  /* CONN_WAIT_QUOTE in the quote queue: the report to quote */
	uint64_t list_id; /* LIST's SESSION_ID, 0 for all */
	sd_event_source *timer;
	struct conn_out *out; /* replies not yet sent */
};

struct pool {
	struct daemon *d;
	struct list_head link;
	char enclave[EBP_ENCLAVE_NAME_MAX];
	uint64_t cgid;
	char *cgpath;
	int cgfd;    /* the tenant cgroup, for the charge target */
	bool system; /* the quoting enclave's: the workers' own cgroup, no tenant */
	struct list_head instances;
	unsigned int n_instances;
};

enum instance_state {
	INSTANCE_STARTING,
	INSTANCE_READY,
	INSTANCE_STOPPING,
	INSTANCE_DEAD,
};

struct instance_request;

struct instance {
	struct daemon *d;
	struct pool *pool;
	struct list_head link; /* in pool->instances */
	uint64_t id;
	unsigned int generation; /* of the policy it was started under */
	enum instance_state state;
	pid_t pid;
	int pidfd; /* adopted: watched by exit_src (for a child: child_src's) */
	uid_t uid;
	int ctl_fd;
	sd_event_source *ctl_src, *child_src, *timer;
	sd_event_source *exit_src; /* adopted: not our child, its pidfd says when it exits */
	bool adopting;		   /* adopted, its sessions not yet listed (W_QUERY) */
	struct list_head sessions; /* live */
	unsigned int n_sessions;
	struct list_head waiters;  /* conns in CONN_WAIT_START */
	struct list_head requests; /* W_ADD/W_DROP/W_QUERY awaiting an answer */
	struct list_head outq;	   /* control messages the worker has not taken yet */
	unsigned int outq_len;
	uint32_t max_msg; /* its --max-msg: the policy's when it started */
	uint32_t next_request;
	unsigned int tcs;
	uint8_t mrenclave[32], mrsigner[32];
	uint16_t isv_prod_id, isv_svn;
	int start_error; /* an ERROR the worker sent while starting */
	int start_side;
	char start_message[EBP_ERROR_MSG_MAX];
};

struct session {
	struct list_head hash_link; /* live: bucket; ended: sessions_ended */
	struct list_head inst_link; /* live: instance->sessions */
	uint64_t id;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary, for policy reloads */
	size_t n_groups;
	pid_t pid;
	uint64_t cgid;
	char *cgpath;
	char enclave[EBP_ENCLAVE_NAME_MAX];
	uint64_t instance_id;
	pid_t worker_pid;
	struct instance *instance; /* NULL once ended */
	uint64_t opened_usec;	   /* CLOCK_MONOTONIC */
	uint64_t ended_usec;
	uint64_t calls;
	char *reason; /* set when ended */
};

/* daemon.c */
int daemon_reload(struct daemon *d, char **ret_error);
uint64_t now_usec(void);

/* conn.c: conn_accept() is 1 when it took a connection, 0 when none was waiting */
int conn_accept(struct daemon *d);
void conn_free(struct conn *c);
void conn_instance_ready(struct conn *c, struct instance *in);
void conn_instance_failed(struct conn *c, int err, int side, const char *message);
void conn_query_done(struct conn *c);
void conn_session_added(struct conn *c, struct instance *in, const struct ebp_msg *m);
void conn_quote_done(struct conn *c, const struct call_result *res);
void conn_attestation_settled(struct conn *c);
void conn_session_failed(struct conn *c, struct instance *in, int err, const char *why);

/* attestation.c */
void attestation_configure(struct daemon *d);
void attestation_instance_ready(struct instance *in);
void attestation_instance_gone(struct instance *in, const char *reason);
void attestation_call_done(struct instance *in, uint32_t function, const struct call_result *res);
/*
 * Ask for the quote of a session's @report; the answer goes to
 * conn_quote_done(). At most QUOTES_IN_FLIGHT_MAX are sent to the quoting
 * enclave at once; the others wait their turn, in order.
 */
int attestation_quote(struct daemon *d, struct conn *c, const void *report);
/* A quote sent for a conn was answered (or its worker is gone): the next one goes. */
void attestation_quote_answered(struct daemon *d);
/* @c, in CONN_WAIT_QUOTE, is going away. */
void attestation_forget_conn(struct daemon *d, struct conn *c);
/* @in is the quoting enclave in use: it is kept even when idle. */
bool attestation_keeps(const struct instance *in);
void attestation_wait(struct daemon *d, struct conn *c);
void attestation_done(struct daemon *d);

/* pool.c */
struct pool *pool_get(struct daemon *d, const char *enclave, const struct peer *p);
/* The pool of @enclave in the workers' own cgroup (the quoting enclave's). */
struct pool *pool_get_system(struct daemon *d, const char *enclave);
/* The pool of @enclave for the tenant cgroup at @cgpath ("/tenants/alice"). */
struct pool *pool_get_path(struct daemon *d, const char *enclave, const char *cgpath);
void pool_free(struct pool *pl);
int pool_pick(struct pool *pl, const struct eb_enclave_conf *conf, struct instance **ret);
void pool_maintain(struct pool *pl);
struct instance *pool_fallback(struct pool *pl);

/* instance.c */
int instance_start(struct pool *pl, const struct eb_enclave_conf *conf, struct instance **ret);
/*
 * A worker of an earlier daemon, connected on @fd (taken) and identified
 * by its W_READY @m, as an instance of @pl; its sessions are asked for.
 */
int instance_adopt(struct pool *pl, int fd, pid_t pid, uid_t uid, const struct ebp_msg *m);
/* The cgroup directory @pl's workers run in. */
void instance_worker_cgroup(struct daemon *d, const struct pool *pl, char *buf, size_t cap);
int instance_add_session(struct instance *in, struct session *s, int fd, struct conn *c);
/* Have the worker close session @id, telling its client @reason (NULL: a default). */
int instance_drop_session(struct instance *in, uint64_t id, const char *reason);
int instance_query(struct instance *in, struct conn *c);
/*
 * A plain ECALL (W_CALL) for the daemon; the answer goes to
 * conn_quote_done() when @c is set, else to attestation_call_done().
 */
int instance_call(struct instance *in, uint32_t function, const void *data, size_t len,
		  uint32_t out_max, struct conn *c);
void instance_stop(struct instance *in);
void instance_sessions_changed(struct instance *in);
void instance_forget_conn(struct instance *in, struct conn *c);
void instance_free(struct instance *in);

/* restart.c */
int restart_scan(struct daemon *d);
/*
 * Take back the workers an earlier ebrokerd started (RUNTIME_DIR/workers/
 * *.sock): each says who it is (W_READY), and its sessions (W_QUERY)
 * become this daemon's again. Attestation is configured once they have
 * answered (or after 5 s), so that a quoting enclave taken back is
 * used rather than another one started.
 */
void restart_adopt(struct daemon *d);
/* An adopted instance's sessions are known (or it is gone): one fewer to wait for. */
void restart_adopted(struct daemon *d);
uint64_t session_id_next(struct daemon *d);

/* adopt_lookup.c: for session_adopt(), answered once per uid and per pid until forgotten. */
/* @p's gid and groups for @uid as NSS has them (gid (gid_t)-1 if it has none); -ENOMEM. */
int adopt_lookup_user(struct daemon *d, uid_t uid, struct peer *p);
/* Whether process @pid lives, with real uid @uid, in cgroup @cgpath. */
bool adopt_lookup_client(struct daemon *d, pid_t pid, uid_t uid, const char *cgpath);
void adopt_lookup_forget(struct daemon *d);

/* stop.c */
/* Whether signal @signo stops ebroker for good (systemd runs a stop job), not for a restart. */
bool stop_is_for_good(int signo);
/* End every session, stop every worker, exit once they are gone. */
void stop_begin(struct daemon *d);
/* Called from every event loop iteration: the next step of a stop begun. */
void stop_progress(struct daemon *d);

/* session.c */
struct session *session_new(struct daemon *d, const struct peer *p, const char *enclave);
/* Session @id of user @uid (@pid), already served by adopted @in: this daemon's again. */
struct session *session_adopt(struct instance *in, uint64_t id, uid_t uid, pid_t pid,
			      uint64_t calls);
struct session *session_find(struct daemon *d, uint64_t id);
void session_end(struct daemon *d, struct session *s, const char *reason);
/* session_end(), and its worker closes it, telling the client @reason. */
void session_close(struct daemon *d, struct session *s, const char *reason);
void session_log(const struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void session_free(struct session *s);
void sessions_expire(struct daemon *d);
unsigned int sessions_of_uid(struct daemon *d, uid_t uid);
unsigned int sessions_of_cgroup(struct daemon *d, uint64_t cgid);

#define session_for_each_live(d, s, b)                     \
	for (unsigned int b = 0; b < SESSION_BUCKETS; b++) \
		list_for_each_entry (s, &(d)->session_buckets[b], hash_link)

#endif /* EB_DAEMON_H */
