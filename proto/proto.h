/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebproto: framing and strict parsing of the session protocol
 * (uapi/linux/ebroker_proto.h), shared by ebrokerd, its workers,
 * libebroker and ebrokerctl. Messages are built with libnl's nl_msg and
 * nla_put_*() and parsed with nlmsg_parse() against one policy table; what
 * libnl does not check (exact sizes, duplicates, unknown attributes, which
 * attributes a type allows and requires, file descriptors) is checked here,
 * once, so that no receiver walks attributes by hand.
 *
 * Conventions: negative errno; ret_* untouched on failure; nothing logged.
 */
#ifndef EB_PROTO_H
#define EB_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/ebroker_proto.h>

/* A parsed message; attrs point into the buffer given to ebp_parse(). */
struct ebp_msg {
	uint16_t type;
	uint32_t request_id;
	struct nlattr *attrs[EBP_A_MAX + 1];
};

/**
 * ebp_msg_new() - start a message
 * @type:	EBP_MSG_*
 * @request_id:	the exchange's number
 * @payload:	room for the attributes to come (bytes; 0 for a small message)
 * @ret:	(out) free with nlmsg_free()
 * Return: 0 or -ENOMEM.
 */
int ebp_msg_new(uint16_t type, uint32_t request_id, size_t payload, struct nl_msg **ret);

/**
 * ebp_send() - send one message, with at most one file descriptor
 * @sock:	a connected SOCK_SEQPACKET socket
 * @m:		the message
 * @fd:		a descriptor to pass (SCM_RIGHTS), or -1
 * Never raises SIGPIPE. Return: 0; -EMSGSIZE; -errno from sendmsg.
 */
int ebp_send(int sock, struct nl_msg *m, int fd);

/* An ERROR message: ERRNO @err (positive or negative), SIDE, MESSAGE @text
 * (cut to EBP_ERROR_MSG_MAX - 1 characters). Free with nlmsg_free(). */
int ebp_msg_error(uint32_t request_id, int err, enum ebp_side side, const char *text,
		  struct nl_msg **ret);

/* Build and send an ERROR reply, MESSAGE from @fmt. */
int ebp_send_error(int sock, uint32_t request_id, int err, enum ebp_side side, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A message of @type with no attributes (DONE, LIST, RELOAD, W_QUERY). */
int ebp_send_empty(int sock, uint16_t type, uint32_t request_id);

/**
 * ebp_recv() - receive one packet
 * @sock:	the socket
 * @buf:	where to put it
 * @cap:	its size: the receiver's message limit
 * @ret_fd:	(out, may be NULL) the descriptor that came with it, or -1;
 *		with NULL any descriptor received is closed and the packet
 *		refused (-EBADMSG)
 * Return: bytes received; 0 at end of stream; -EMSGSIZE (larger than
 * @cap); -EBADMSG (control data truncated, more than one descriptor, or
 * control data of another kind; every descriptor received is closed);
 * -EAGAIN; -errno from recvmsg.
 */
ssize_t ebp_recv(int sock, void *buf, size_t cap, int *ret_fd);

/*
 * ebp_recv_cred() - receive one packet on a socket with SO_PASSCRED set
 * @ret:	(out) who sent it, as the kernel says (SCM_CREDENTIALS)
 * Like ebp_recv() without descriptors: any control data but the
 * credentials, or none, gives -EBADMSG.
 */
ssize_t ebp_recv_cred(int sock, void *buf, size_t cap, struct ucred *ret);

/**
 * ebp_parse() - validate and parse a received packet
 * @buf:	the packet (attrs in @ret point into it)
 * @len:	its size
 * @has_fd:	whether a file descriptor came with it
 * @ret:	(out)
 * @ret_why:	(out, may be NULL) on failure, what was wrong, for a log line
 * Return: 0; -EPROTO (version), -EBADMSG (anything else malformed).
 */
int ebp_parse(const void *buf, size_t len, bool has_fd, struct ebp_msg *ret, const char **ret_why);

/* The name of a message type, for logs ("OPEN"), or "?" */
const char *ebp_msg_name(uint16_t type);

/* The name of a side, for people ("daemon", "kernel", ...), or "unknown" */
const char *ebp_side_name(uint32_t side);

/* A string attribute, or NULL when absent. Parsed strings are NUL-terminated. */
static inline const char *ebp_get_str(const struct ebp_msg *m, int attr)
{
	return m->attrs[attr] ? (const char *)nla_data(m->attrs[attr]) : NULL;
}

#endif /* EB_PROTO_H */
