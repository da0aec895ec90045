/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebroker: the client library of ebroker. It connects to ebrokerd, opens
 * sessions with enclaves the daemon's policy lets the caller use, calls
 * their functions, and lists, ends and explains sessions. See libebroker(3).
 *
 * Every session is attested and encrypted end to end: the library sends a
 * fresh nonce and an ephemeral X25519 key with the OPEN, verifies the
 * enclave's quote against the caller's struct ebroker_policy
 * (<ebroker/verify.h>, libebverify) before the session is usable, and then
 * speaks AES-256-GCM records with the enclave that neither ebrokerd nor
 * the worker can read or alter undetected (docs/attestation.md).
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * errno on failure; out-parameters (ret, ret_*) are written only on success;
 * every failure also records, for the calling thread, which side failed and
 * why (ebroker_last_error()). Free functions accept NULL and return NULL.
 * The library never logs, never exits and never raises SIGPIPE.
 *
 * Threads: one struct ebroker may be shared by several threads; its daemon
 * requests are serialised by a mutex. Calls on one session from several
 * threads are serialised by that session's mutex; different sessions run in
 * parallel. Closing or disconnecting a handle that another thread is still
 * using is a bug, as for any other free function. After fork() only the
 * parent may use the handles.
 */
#ifndef EBROKER_CLIENT_H
#define EBROKER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ebroker/verify.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A connection to ebrokerd. */
struct ebroker;
/* An open session with an enclave instance. */
struct ebroker_session;

/* Who failed. 1..4 are the protocol's enum ebp_side. */
enum ebroker_side {
	EBROKER_SIDE_LIBRARY = 0, /* this library, in the calling process */
	EBROKER_SIDE_DAEMON = 1,  /* ebrokerd: policy, limits, bad requests */
	EBROKER_SIDE_KERNEL = 2,  /* the module: EPC quota, pool, signature */
	EBROKER_SIDE_WORKER = 3,  /* the worker serving the session, or its death */
	EBROKER_SIDE_ENCLAVE = 4, /* the enclave itself: it faulted or timed out */
};

#define EBROKER_ERROR_MESSAGE_MAX 512

/* Why the calling thread's last failing call failed. */
struct ebroker_error {
	int error; /* positive errno: the negated return value */
	enum ebroker_side side;
	char message[EBROKER_ERROR_MESSAGE_MAX]; /* for people, NUL-terminated */
};

/*
 * The enclave instance serving a session: MRENCLAVE, MRSIGNER, ISVPRODID and
 * ISVSVN from its verified quote; the rest as the daemon describes it.
 */
struct ebroker_enclave_identity {
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint64_t instance_id;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint32_t max_message; /* the largest message the session carries, bytes */
	uint32_t max_input;   /* the most input bytes one call can take */
	uint32_t max_output;  /* the most output bytes one call can return */
};

struct ebroker_session_options {
	uint32_t size;		  /* sizeof(struct ebroker_session_options) */
	uint32_t flags;		  /* 0: no flag is defined */
	uint32_t call_timeout_ms; /* wait for a call's reply; 0: the connection's */
	uint32_t reserved;	  /* 0 */
	/* What the session's evidence must show (required: there is no default). */
	const struct ebroker_policy *policy;
};

/* A session as ebrokerd describes it. */
struct ebroker_session_info {
	uint64_t id, instance_id, age_ms, calls;
	uint32_t uid, pid, worker_pid;
	char enclave[64];
	char cgroup[4096];
	bool ended;	  /* it has ended; reason says why */
	char reason[512]; /* "" while it is open */
};

/*
 * Connects to ebrokerd at @path; NULL means $EBROKER_SOCKET (ignored in
 * set-uid programs) or /run/ebroker/ebroker.sock. Daemon requests time out
 * after 30 s (ebroker_set_timeout()).
 */
int ebroker_connect(const char *path, struct ebroker **ret);

/*
 * Closes the connection and drops the caller's reference. Sessions opened
 * through it stay usable until closed, but a session that ends after this
 * can no longer ask the daemon why. Returns NULL.
 */
struct ebroker *ebroker_disconnect(struct ebroker *b);

/* How long a daemon request may take, in ms; 0 waits forever. Default 30000. */
int ebroker_set_timeout(struct ebroker *b, uint32_t timeout_ms);

/*
 * Opens a session with the enclave the daemon's policy calls @enclave, and
 * attests it against @opts->policy before returning it. A quote that fails
 * a check gives -EKEYREJECTED; ebroker_last_verify_check() names the check
 * and ebroker_last_error() explains it. -ENOKEY: attestation is failing on
 * the host (the daemon's message says why).
 */
int ebroker_session_open(struct ebroker *b, const char *enclave,
			 const struct ebroker_session_options *opts, struct ebroker_session **ret);

/*
 * The check that refused a quote, when the calling thread's last failure
 * was a refused quote (-EKEYREJECTED); EBROKER_VERIFY_OK after any other
 * failure, or none.
 */
enum ebroker_verify_check ebroker_last_verify_check(void);

/*
 * What the session's verified quote says, and the quote itself (valid
 * while the session is; both may be NULL).
 */
int ebroker_session_evidence(const struct ebroker_session *s, struct ebroker_evidence *ret,
			     const void **ret_quote, size_t *ret_quote_len);

/*
 * Calls enclave function @function with @in_len bytes of input and room for
 * @out_cap bytes of output. Returns 0 when the function ran: its return
 * value is in *ret_status and its output length in *ret_out_len (both may
 * be NULL). Returns a negative errno when the call could not be made; then
 * ebroker_last_error() says which side failed and why. -ECONNRESET: the
 * session has ended (the message gives the daemon's reason); every later
 * call fails the same way.
 */
int ebroker_call(struct ebroker_session *s, uint32_t function, const void *in, size_t in_len,
		 void *out, size_t out_cap, size_t *ret_out_len, int *ret_status);

/* Closes the session's socket, which ends it, and frees it. NULL-safe; returns 0. */
int ebroker_session_close(struct ebroker_session *s);

/* The daemon's id of the session (0 for NULL). */
uint64_t ebroker_session_id(const struct ebroker_session *s);

/* The identity of the enclave instance serving the session. */
int ebroker_session_identity(const struct ebroker_session *s, struct ebroker_enclave_identity *ret);

/*
 * The caller's live sessions (everyone's for root), as an array to free()
 * (NULL when there are none).
 */
int ebroker_list_sessions(struct ebroker *b, struct ebroker_session_info **ret, size_t *ret_n);

/* One session, also one that ended recently. -ENOENT: none of the caller's. */
int ebroker_session_info_get(struct ebroker *b, uint64_t id, struct ebroker_session_info *ret);

/* Ends a session by id: the caller's own, or any for root. */
int ebroker_close_session_id(struct ebroker *b, uint64_t id);

/* Asks the daemon to re-read its policy (root only). */
int ebroker_reload(struct ebroker *b);

/* Whether the host can attest sessions now; 1..3 are the protocol's. */
enum ebroker_attestation_state {
	EBROKER_ATTESTATION_OK = 1,	  /* the quoting enclave answers and verifies */
	EBROKER_ATTESTATION_STARTING = 2, /* it is being started: OPENs wait */
	EBROKER_ATTESTATION_FAILING = 3,  /* OPENs fail with the reason */
};

/* Which of struct ebroker_daemon_status's counters the daemon reported. */
enum {
	EBROKER_STATUS_HAS_OPENS = 1 << 0,
	EBROKER_STATUS_HAS_REFUSED_POLICY = 1 << 1,
	EBROKER_STATUS_HAS_REFUSED_LIMITS = 1 << 2,
	EBROKER_STATUS_HAS_REFUSED_QUOTA = 1 << 3,
	EBROKER_STATUS_HAS_REFUSED_POOL = 1 << 4,
	EBROKER_STATUS_HAS_REFUSED_ATTESTATION = 1 << 5,
	EBROKER_STATUS_HAS_QUOTES = 1 << 6,
	EBROKER_STATUS_HAS_QUOTE_FAILURES = 1 << 7,
	EBROKER_STATUS_HAS_CHECKS = 1 << 8,
	EBROKER_STATUS_HAS_CHECK_FAILURES = 1 << 9,
	EBROKER_STATUS_HAS_WORKER_CRASHES = 1 << 10,
	EBROKER_STATUS_HAS_CALLS = 1 << 11,
};

struct ebroker_daemon_status {
	enum ebroker_attestation_state attestation;
	char reason[512]; /* why attestation is failing; "" when it is not */
	uint32_t sessions, instances, tenants;
	/*
	 * The daemon's counters since it started (a restart starts them again
	 * from 0), as <linux/ebroker_proto.h> defines each. A counter is valid
	 * only when its EBROKER_STATUS_HAS_* bit is in .has: a daemon that does
	 * not keep one does not report it, and 0 would be a lie. These members
	 * grew the struct within EBROKER_2, the release that brought it, so no
	 * binary was built against the smaller one.
	 */
	uint32_t has;
	uint64_t opens;			 /* sessions handed to clients */
	uint64_t refused_policy;	 /* OPENs the policy refused */
	uint64_t refused_limits;	 /* OPENs past SessionsPerUser=, SessionsPerCgroup= */
	uint64_t refused_quota;		 /* OPENs the tenant's EPC limit had no room for */
	uint64_t refused_pool;		 /* OPENs the EPC pool had no room for */
	uint64_t refused_attestation;	 /* OPENs refused while attestation was failing */
	uint64_t quotes, quote_failures; /* quotes asked for sessions; those not made */
	uint64_t checks, check_failures; /* the quoting enclave's self-checks; failed ones */
	uint64_t worker_crashes;	 /* workers that exited unasked */
	uint64_t calls;			 /* calls answered on sessions, ended ones included */
};

/* The daemon's state: attestation health and what it serves. */
int ebroker_daemon_status(struct ebroker *b, struct ebroker_daemon_status *ret);

/* The calling thread's last failure; -ENODATA when nothing has failed yet. */
int ebroker_last_error(struct ebroker_error *ret);

/* "library", "daemon", "kernel", "worker", "enclave", or "unknown". */
const char *ebroker_side_name(enum ebroker_side side);

/* For __attribute__((cleanup)). */
static inline void ebroker_disconnectp(struct ebroker **b)
{
	if (*b)
		ebroker_disconnect(*b);
}

static inline void ebroker_session_closep(struct ebroker_session **s)
{
	if (*s)
		(void)ebroker_session_close(*s);
}

#ifdef __cplusplus
}
#endif

#endif /* EBROKER_CLIENT_H */
