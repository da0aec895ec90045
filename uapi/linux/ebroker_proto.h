/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ebroker: the session protocol between clients, ebrokerd and its workers.
 *
 * Three kinds of connection carry it, all SOCK_SEQPACKET, one message per
 * packet:
 *
 *   client <-> ebrokerd   /run/ebroker/ebroker.sock: the control plane.
 *                         OPEN, CLOSE, LIST, RELOAD, STATUS; the daemon
 *                         answers each with OPENED, SESSION..., DONE,
 *                         DAEMON_STATUS or ERROR.
 *   client <-> worker     one end of a socketpair that OPENED carries
 *                         (SCM_RIGHTS): the data plane. CALL -> RESULT or
 *                         ERROR. Both carry records encrypted end to end
 *                         between the client and the enclave
 *                         (<linux/ebroker_attest.h>): the worker moves them,
 *                         the daemon never sees them.
 *   ebrokerd <-> worker   the worker's control socket: W_READY, W_ADD (with
 *                         the session's socket), W_ADDED, W_DROP, W_ENDED,
 *                         W_QUERY, W_CALL. Internal: both ends are
 *                         ebroker's own programs.
 *
 * A message is a struct ebp_msghdr followed by netlink-format attributes
 * (struct nlattr, 4-byte aligned), so that libnl's nlmsg_parse() and
 * nla_put() read and write it: the header has the layout of struct nlmsghdr
 * with nlmsg_seq = request_id and nlmsg_pid = version.
 *
 *   struct ebp_msghdr  16 bytes
 *     len              whole message, header included; = the packet size
 *     type             EBP_MSG_*
 *     flags            0 (no flag is defined)
 *     request_id       chosen by the requester, echoed in every reply
 *     version          EBP_VERSION
 *   attributes         EBP_A_*, each at most once, in any order
 *
 * Validation, at every receiver: the packet is at most the receiver's size
 * limit (control: EBP_CONTROL_MSG_MAX; session: the OPENED reply's
 * EBP_A_MAX_MSG), len equals the packet size, version is EBP_VERSION, flags
 * are 0, the type is one this receiver accepts in its current state, every
 * attribute is known, has exactly its type's size (strings: NUL-terminated,
 * at most the stated length), appears at most once and is allowed for that
 * type, and every attribute the type requires is there. Only W_ADD and
 * OPENED carry a file descriptor; any other message with one is malformed.
 * A daemon or worker that receives a malformed message logs why
 * (rate-limited) and closes that one connection; nobody else is affected.
 *
 * See docs/ABI/ebroker-proto.md for the exchanges, errors and limits.
 */
#ifndef _UAPI_LINUX_EBROKER_PROTO_H
#define _UAPI_LINUX_EBROKER_PROTO_H

#include <linux/types.h>

#define EBP_SOCKET_PATH		"/run/ebroker/ebroker.sock"
#define EBP_VERSION		2	/* 2: attested, encrypted sessions */

/* The largest message on a control connection, either way. */
#define EBP_CONTROL_MSG_MAX	16384
/*
 * The largest session message a policy may allow (EBP_A_MAX_MSG): the
 * header and 64 KiB - 1 of attributes. An attribute's length is 16 bits, so
 * with the other attributes a CALL carries at most 65512 bytes of input and
 * a RESULT at most 65520 bytes of output.
 */
#define EBP_SESSION_MSG_MAX	(16 + 65535)

#define EBP_ENCLAVE_NAME_MAX	64	/* with the NUL: [A-Za-z0-9_.-]{1,63} */
#define EBP_ERROR_MSG_MAX	512	/* with the NUL */
#define EBP_CGROUP_PATH_MAX	4096	/* with the NUL */
#define EBP_NONCE_SIZE		32
#define EBP_PUBKEY_SIZE		32	/* X25519 */
#define EBP_HASH_SIZE		32
#define EBP_REPORT_SIZE		432	/* struct eb_report */
#define EBP_TARGETINFO_SIZE	512	/* struct eb_targetinfo */
#define EBP_QUOTE_MAX		8192	/* EB_QUOTE_MAX */

/**
 * struct ebp_msghdr - the fixed part of every message
 * @len:	bytes in the message, this header included
 * @type:	EBP_MSG_*
 * @flags:	must be 0
 * @request_id:	the requester's number for the exchange; replies carry it
 * @version:	EBP_VERSION
 */
struct ebp_msghdr {
	__u32 len;
	__u16 type;
	__u16 flags;
	__u32 request_id;
	__u32 version;
};

/**
 * enum ebp_msg_type - message types; "->" shows the direction
 *
 * Replies (any server -> requester):
 * @EBP_MSG_ERROR:	the request failed. ERRNO (required), SIDE (required),
 *			MESSAGE (required, for people: "cgroup /tenants/alice
 *			is at its EPC limit of 8 MiB").
 * @EBP_MSG_DONE:	the request succeeded and has nothing more to say (also
 *			ends a LIST).
 *
 * Control plane (client -> ebrokerd):
 * @EBP_MSG_OPEN:	open a session. ENCLAVE, NONCE (fresh), CLIENT_KEY
 *			(the client's ephemeral X25519 key), all required.
 *			Reply OPENED with the session socket, or ERROR.
 * @EBP_MSG_OPENED:	(ebrokerd -> client) SESSION_ID, INSTANCE_ID,
 *			MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, MAX_MSG (what
 *			the daemon believes: the client trusts only the
 *			quote), QUOTE (the evidence, made for this session's
 *			NONCE and CLIENT_KEY), ENCLAVE_KEY (the enclave's
 *			ephemeral X25519 key, bound into the quote), NONCE
 *			and CLIENT_KEY (those the enclave was given: the
 *			client compares them with its own); one
 *			file descriptor: the client's end of the session.
 * @EBP_MSG_CLOSE:	end a session. SESSION_ID. Only its owner (or root).
 *			Reply DONE, or ERROR ENOENT (no such session of yours:
 *			another user's session looks exactly like none).
 * @EBP_MSG_LIST:	sessions: the caller's own, or everyone's for root.
 *			Optional SESSION_ID: just that one, also if it has
 *			ended recently (STATE, REASON say why). Replies: one
 *			SESSION per session, then DONE.
 * @EBP_MSG_SESSION:	(ebrokerd -> client) SESSION_ID, UID, PID, CGROUP,
 *			ENCLAVE, INSTANCE_ID, WORKER_PID, AGE_MS, CALLS,
 *			STATE; REASON when STATE is ENDED.
 * @EBP_MSG_RELOAD:	re-read the policy (root only). DONE, or ERROR whose
 *			MESSAGE names the file, line and reason.
 * @EBP_MSG_STATUS:	the daemon's state. Reply DAEMON_STATUS.
 * @EBP_MSG_DAEMON_STATUS: (ebrokerd -> client) ATTESTATION, SESSIONS,
 *			INSTANCES, TENANTS; REASON when ATTESTATION is not OK.
 *			Optional, each a counter since the daemon started
 *			(ebrokerctl metrics): OPENS, REFUSED_POLICY,
 *			REFUSED_LIMITS, REFUSED_QUOTA, REFUSED_POOL,
 *			REFUSED_ATTESTATION, QUOTES, QUOTE_FAILURES, CHECKS,
 *			CHECK_FAILURES, WORKER_CRASHES, CALLS_TOTAL. A daemon
 *			that does not count one leaves it out, so a client
 *			must tell "absent" from 0.
 *
 * Data plane (client -> worker):
 * @EBP_MSG_CALL:	RECORD (an EB_RECORD_CALL record: the function and
 *			its input, encrypted), OUT_MAX (the most output bytes
 *			the caller takes, plaintext).
 * @EBP_MSG_RESULT:	(worker -> client) RECORD (an EB_RECORD_RESULT
 *			record: the function's status and output, encrypted).
 *			A record that fails authentication ends the session
 *			on whichever side received it.
 * An ERROR with request_id 0 on a session socket is not a reply: it is the
 * worker's last message before it closes the session (ERRNO ECONNRESET,
 * SIDE, MESSAGE: why it ended, e.g. "ebrokerd is stopping"). It is sent
 * when the socket has room; a client that sees the socket close without it
 * asks ebrokerd (LIST with SESSION_ID).
 * An ERROR with request_id 0 on a control connection is not a reply either:
 * ebrokerd refused the connection (ERRNO EUSERS: the user or all users
 * together are at the policy's ConnectionsPerUser= or Connections=;
 * MESSAGE names the limit; or ESRCH, ENOENT, EPROTO: it could not tell
 * who connected, MESSAGE says why) and closes it. It comes before any
 * reply; connecting again at once gets the same answer.
 *
 * Worker control (internal):
 * @EBP_MSG_W_READY:	(worker -> ebrokerd, after loading, and again to a
 *			restarted ebrokerd that connects) INSTANCE_ID,
 *			ENCLAVE, CGROUP (the tenant's), MAX_MSG, TCS,
 *			MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN; or an ERROR
 *			saying why the enclave could not be loaded.
 * @EBP_MSG_W_ADD:	(ebrokerd -> worker) SESSION_ID, UID, PID, NONCE,
 *			CLIENT_KEY, TARGETINFO (the quoting enclave's); one
 *			file descriptor: the worker's end of the session.
 *			Reply W_ADDED or ERROR.
 * @EBP_MSG_W_ADDED:	(worker -> ebrokerd) SESSION_ID, REPORT (the
 *			enclave's, for the quoting enclave, binding its key
 *			and the client's nonce and key), ENCLAVE_KEY.
 * @EBP_MSG_W_DROP:	(ebrokerd -> worker) SESSION_ID: close it; REASON
 *			(optional) is what the client is told. Reply DONE
 *			(also for an unknown id, which may have just ended).
 * @EBP_MSG_W_ENDED:	(worker -> ebrokerd, unsolicited, request_id 0)
 *			SESSION_ID, CALLS, REASON: the session is gone.
 * @EBP_MSG_W_QUERY:	(ebrokerd -> worker) replies: one W_SESSION per live
 *			session, then DONE.
 * @EBP_MSG_W_SESSION:	(worker -> ebrokerd) SESSION_ID, UID, PID, CALLS.
 * @EBP_MSG_W_CALL:	(ebrokerd -> worker) FUNCTION, OUT_MAX, DATA
 *			(optional): a plain ECALL, outside any session; how
 *			the daemon asks the quoting enclave for quotes. Reply
 *			W_RESULT or ERROR.
 * @EBP_MSG_W_RESULT:	(worker -> ebrokerd) STATUS, DATA (optional).
 */
enum ebp_msg_type {
	EBP_MSG_ERROR		= 1,
	EBP_MSG_DONE		= 2,

	EBP_MSG_OPEN		= 16,
	EBP_MSG_OPENED		= 17,
	EBP_MSG_CLOSE		= 18,
	EBP_MSG_LIST		= 19,
	EBP_MSG_SESSION		= 20,
	EBP_MSG_RELOAD		= 21,
	EBP_MSG_STATUS		= 22,
	EBP_MSG_DAEMON_STATUS	= 23,

	EBP_MSG_CALL		= 32,
	EBP_MSG_RESULT		= 33,

	EBP_MSG_W_READY		= 64,
	EBP_MSG_W_ADD		= 65,
	EBP_MSG_W_DROP		= 66,
	EBP_MSG_W_ENDED		= 67,
	EBP_MSG_W_QUERY		= 68,
	EBP_MSG_W_SESSION	= 69,
	EBP_MSG_W_ADDED		= 70,
	EBP_MSG_W_CALL		= 71,
	EBP_MSG_W_RESULT	= 72,

	__EBP_MSG_MAX,
};

/**
 * enum ebp_attr - attributes; the size each must have
 * @EBP_A_ENCLAVE:	string: an enclave name from the policy
 * @EBP_A_NONCE:	EBP_NONCE_SIZE bytes: the client's fresh nonce
 * @EBP_A_CLIENT_KEY:	EBP_PUBKEY_SIZE bytes: the client's X25519 key
 * @EBP_A_SESSION_ID:	u64: not 0; never reused while the daemon runs
 * @EBP_A_INSTANCE_ID:	u64: the enclave instance serving the session
 * @EBP_A_ERRNO:	u32: a positive errno value
 * @EBP_A_SIDE:		u32: enum ebp_side, who failed
 * @EBP_A_MESSAGE:	string, at most EBP_ERROR_MSG_MAX with the NUL
 * @EBP_A_FUNCTION:	u32: the enclave's ECALL number
 * @EBP_A_DATA:		binary: call input or output
 * @EBP_A_OUT_MAX:	u32: output capacity the caller accepts
 * @EBP_A_STATUS:	u32: the function's int return value, two's complement
 * @EBP_A_UID:		u32
 * @EBP_A_PID:		u32
 * @EBP_A_CGROUP:	string: a cgroup v2 path, at most EBP_CGROUP_PATH_MAX
 * @EBP_A_AGE_MS:	u64: milliseconds since the session opened
 * @EBP_A_CALLS:	u64: calls answered on the session
 * @EBP_A_STATE:	u32: enum ebp_session_state
 * @EBP_A_REASON:	string, at most EBP_ERROR_MSG_MAX: why it ended
 * @EBP_A_MRENCLAVE:	EBP_HASH_SIZE bytes
 * @EBP_A_MRSIGNER:	EBP_HASH_SIZE bytes
 * @EBP_A_ISVPRODID:	u32 (a u16 value)
 * @EBP_A_ISVSVN:	u32 (a u16 value)
 * @EBP_A_MAX_MSG:	u32: the largest message the session accepts
 * @EBP_A_WORKER_PID:	u32
 * @EBP_A_TCS:		u32: calls the instance can run at once
 * @EBP_A_RECORD:	binary: one session record (<linux/ebroker_attest.h>)
 * @EBP_A_QUOTE:	binary, at most EB_QUOTE_MAX: an SGX ECDSA quote v3
 * @EBP_A_ENCLAVE_KEY:	EBP_PUBKEY_SIZE bytes: the enclave's X25519 key
 * @EBP_A_REPORT:	EBP_REPORT_SIZE bytes: a struct eb_report
 * @EBP_A_TARGETINFO:	EBP_TARGETINFO_SIZE bytes: a struct eb_targetinfo
 * @EBP_A_ATTESTATION:	u32: enum ebp_attestation_state
 * @EBP_A_SESSIONS:	u32: live sessions
 * @EBP_A_INSTANCES:	u32: enclave instances
 * @EBP_A_TENANTS:	u32: tenant cgroups with instances
 *
 * DAEMON_STATUS's counters, all u64, counted from the daemon's start (a
 * restarted daemon starts again from 0). An OPEN is counted at most once:
 * as opened, as refused for one reason, or in neither when something broke
 * (a worker died, memory ran out).
 * @EBP_A_OPENS:	sessions handed to clients (OPENED sent)
 * @EBP_A_REFUSED_POLICY: OPENs the policy refused: no such enclave, the
 *			quoting enclave, or the user may not open it (ENOENT,
 *			EACCES)
 * @EBP_A_REFUSED_LIMITS: OPENs past SessionsPerUser= or SessionsPerCgroup=
 *			(EUSERS)
 * @EBP_A_REFUSED_QUOTA: OPENs whose instance the tenant's EPC limit had no
 *			room for (EDQUOT, from the module)
 * @EBP_A_REFUSED_POOL:	OPENs whose instance the EPC pool had no room for
 *			(ENOSPC, from the module)
 * @EBP_A_REFUSED_ATTESTATION: OPENs refused because attestation was
 *			failing (ENOKEY)
 * @EBP_A_QUOTES:	quotes asked of the quoting enclave for sessions
 * @EBP_A_QUOTE_FAILURES: of those, the ones it did not make
 * @EBP_A_CHECKS:	self-checks of the quoting enclave started
 * @EBP_A_CHECK_FAILURES: self-checks that failed
 * @EBP_A_WORKER_CRASHES: workers that exited other than when told to stop
 * @EBP_A_CALLS_TOTAL:	calls answered on sessions: the live ones' CALLS as
 *			last reported by their workers, plus the CALLS of every
 *			session that ended since the daemon started
 */
enum ebp_attr {
	EBP_A_UNSPEC,
	EBP_A_ENCLAVE,
	EBP_A_NONCE,
	EBP_A_CLIENT_KEY,
	EBP_A_SESSION_ID,
	EBP_A_INSTANCE_ID,
	EBP_A_ERRNO,
	EBP_A_SIDE,
	EBP_A_MESSAGE,
	EBP_A_FUNCTION,
	EBP_A_DATA,
	EBP_A_OUT_MAX,
	EBP_A_STATUS,
	EBP_A_UID,
	EBP_A_PID,
	EBP_A_CGROUP,
	EBP_A_AGE_MS,
	EBP_A_CALLS,
	EBP_A_STATE,
	EBP_A_REASON,
	EBP_A_MRENCLAVE,
	EBP_A_MRSIGNER,
	EBP_A_ISVPRODID,
	EBP_A_ISVSVN,
	EBP_A_MAX_MSG,
	EBP_A_WORKER_PID,
	EBP_A_TCS,
	EBP_A_RECORD,
	EBP_A_QUOTE,
	EBP_A_ENCLAVE_KEY,
	EBP_A_REPORT,
	EBP_A_TARGETINFO,
	EBP_A_ATTESTATION,
	EBP_A_SESSIONS,
	EBP_A_INSTANCES,
	EBP_A_TENANTS,
	EBP_A_OPENS,
	EBP_A_REFUSED_POLICY,
	EBP_A_REFUSED_LIMITS,
	EBP_A_REFUSED_QUOTA,
	EBP_A_REFUSED_POOL,
	EBP_A_REFUSED_ATTESTATION,
	EBP_A_QUOTES,
	EBP_A_QUOTE_FAILURES,
	EBP_A_CHECKS,
	EBP_A_CHECK_FAILURES,
	EBP_A_WORKER_CRASHES,
	EBP_A_CALLS_TOTAL,

	__EBP_A_MAX,
};

#define EBP_A_MAX (__EBP_A_MAX - 1)

/**
 * enum ebp_side - which part of the system an ERROR comes from
 * @EBP_SIDE_DAEMON:	ebrokerd: policy, limits, malformed requests
 * @EBP_SIDE_KERNEL:	the module refused (EPC quota, pool, signature)
 * @EBP_SIDE_WORKER:	the worker serving the session (or its death)
 * @EBP_SIDE_ENCLAVE:	the enclave itself (it faulted or timed out)
 */
enum ebp_side {
	EBP_SIDE_DAEMON		= 1,
	EBP_SIDE_KERNEL		= 2,
	EBP_SIDE_WORKER		= 3,
	EBP_SIDE_ENCLAVE	= 4,
};

/**
 * enum ebp_session_state - EBP_A_STATE
 * @EBP_STATE_OPEN:	the session is live
 * @EBP_STATE_ENDED:	it ended; EBP_A_REASON says why
 */
enum ebp_session_state {
	EBP_STATE_OPEN		= 1,
	EBP_STATE_ENDED		= 2,
};

/**
 * enum ebp_attestation_state - EBP_A_ATTESTATION
 * @EBP_ATTESTATION_OK:		the quoting enclave answers and its own quote
 *				verifies against the configured root
 * @EBP_ATTESTATION_STARTING:	the quoting enclave is starting; OPENs wait
 * @EBP_ATTESTATION_FAILING:	no session can be attested; OPENs fail with
 *				the REASON
 */
enum ebp_attestation_state {
	EBP_ATTESTATION_OK		= 1,
	EBP_ATTESTATION_STARTING	= 2,
	EBP_ATTESTATION_FAILING		= 3,
};

#endif /* _UAPI_LINUX_EBROKER_PROTO_H */
