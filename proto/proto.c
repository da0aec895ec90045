// SPDX-License-Identifier: GPL-2.0
/*
 * Framing and strict parsing of the session protocol. The rules live in two
 * tables: what each attribute is (its libnl policy and exact size), and
 * what each message type allows and requires. ebp_parse() is the only
 * place a received message is checked; its fuzz target is proto_fuzz.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"

#include "proto.h"

#define BIT(a) (UINT64_C(1) << (a))

/* The largest message buffer in which no attribute's length can reach 64 KiB. */
#define MSG_ROOM_MAX (sizeof(struct ebp_msghdr) + 0xffff)

/* Exact sizes for fixed-size attributes; 0 for strings and DATA. */
static const uint16_t attr_size[EBP_A_MAX + 1] = {
	[EBP_A_NONCE] = EBP_NONCE_SIZE,
	[EBP_A_CLIENT_KEY] = EBP_PUBKEY_SIZE,
	[EBP_A_SESSION_ID] = 8,
	[EBP_A_INSTANCE_ID] = 8,
	[EBP_A_ERRNO] = 4,
	[EBP_A_SIDE] = 4,
	[EBP_A_FUNCTION] = 4,
	[EBP_A_OUT_MAX] = 4,
	[EBP_A_STATUS] = 4,
	[EBP_A_UID] = 4,
	[EBP_A_PID] = 4,
	[EBP_A_AGE_MS] = 8,
	[EBP_A_CALLS] = 8,
	[EBP_A_STATE] = 4,
	[EBP_A_MRENCLAVE] = EBP_HASH_SIZE,
	[EBP_A_MRSIGNER] = EBP_HASH_SIZE,
	[EBP_A_ISVPRODID] = 4,
	[EBP_A_ISVSVN] = 4,
	[EBP_A_MAX_MSG] = 4,
	[EBP_A_WORKER_PID] = 4,
	[EBP_A_TCS] = 4,
	[EBP_A_ENCLAVE_KEY] = EBP_PUBKEY_SIZE,
	[EBP_A_REPORT] = EBP_REPORT_SIZE,
	[EBP_A_TARGETINFO] = EBP_TARGETINFO_SIZE,
	[EBP_A_ATTESTATION] = 4,
	[EBP_A_SESSIONS] = 4,
	[EBP_A_INSTANCES] = 4,
	[EBP_A_TENANTS] = 4,
	[EBP_A_OPENS] = 8,
	[EBP_A_REFUSED_POLICY] = 8,
	[EBP_A_REFUSED_LIMITS] = 8,
	[EBP_A_REFUSED_QUOTA] = 8,
	[EBP_A_REFUSED_POOL] = 8,
	[EBP_A_REFUSED_ATTESTATION] = 8,
	[EBP_A_QUOTES] = 8,
	[EBP_A_QUOTE_FAILURES] = 8,
	[EBP_A_CHECKS] = 8,
	[EBP_A_CHECK_FAILURES] = 8,
	[EBP_A_WORKER_CRASHES] = 8,
	[EBP_A_CALLS_TOTAL] = 8,
};

/* What libnl checks: types and bounds. Exact sizes are checked after it. */
static struct nla_policy policy[EBP_A_MAX + 1] = {
	[EBP_A_ENCLAVE] = { .type = NLA_STRING, .maxlen = EBP_ENCLAVE_NAME_MAX },
	[EBP_A_NONCE] = { .type = NLA_UNSPEC, .minlen = EBP_NONCE_SIZE },
	[EBP_A_CLIENT_KEY] = { .type = NLA_UNSPEC, .minlen = EBP_PUBKEY_SIZE },
	[EBP_A_SESSION_ID] = { .type = NLA_U64 },
	[EBP_A_INSTANCE_ID] = { .type = NLA_U64 },
	[EBP_A_ERRNO] = { .type = NLA_U32 },
	[EBP_A_SIDE] = { .type = NLA_U32 },
	[EBP_A_MESSAGE] = { .type = NLA_STRING, .maxlen = EBP_ERROR_MSG_MAX },
	[EBP_A_FUNCTION] = { .type = NLA_U32 },
	[EBP_A_DATA] = { .type = NLA_UNSPEC }, /* bounded by the packet size */
	[EBP_A_OUT_MAX] = { .type = NLA_U32 },
	[EBP_A_STATUS] = { .type = NLA_U32 },
	[EBP_A_UID] = { .type = NLA_U32 },
	[EBP_A_PID] = { .type = NLA_U32 },
	[EBP_A_CGROUP] = { .type = NLA_STRING, .maxlen = EBP_CGROUP_PATH_MAX },
	[EBP_A_AGE_MS] = { .type = NLA_U64 },
	[EBP_A_CALLS] = { .type = NLA_U64 },
	[EBP_A_STATE] = { .type = NLA_U32 },
	[EBP_A_REASON] = { .type = NLA_STRING, .maxlen = EBP_ERROR_MSG_MAX },
	[EBP_A_MRENCLAVE] = { .type = NLA_UNSPEC, .minlen = EBP_HASH_SIZE },
	[EBP_A_MRSIGNER] = { .type = NLA_UNSPEC, .minlen = EBP_HASH_SIZE },
	[EBP_A_ISVPRODID] = { .type = NLA_U32 },
	[EBP_A_ISVSVN] = { .type = NLA_U32 },
	[EBP_A_MAX_MSG] = { .type = NLA_U32 },
	[EBP_A_WORKER_PID] = { .type = NLA_U32 },
	[EBP_A_TCS] = { .type = NLA_U32 },
	[EBP_A_RECORD] = { .type = NLA_UNSPEC }, /* bounded by the packet size */
	[EBP_A_QUOTE] = { .type = NLA_UNSPEC, .maxlen = EBP_QUOTE_MAX },
	[EBP_A_ENCLAVE_KEY] = { .type = NLA_UNSPEC, .minlen = EBP_PUBKEY_SIZE },
	[EBP_A_REPORT] = { .type = NLA_UNSPEC, .minlen = EBP_REPORT_SIZE },
	[EBP_A_TARGETINFO] = { .type = NLA_UNSPEC, .minlen = EBP_TARGETINFO_SIZE },
	[EBP_A_ATTESTATION] = { .type = NLA_U32 },
	[EBP_A_SESSIONS] = { .type = NLA_U32 },
	[EBP_A_INSTANCES] = { .type = NLA_U32 },
	[EBP_A_TENANTS] = { .type = NLA_U32 },
	[EBP_A_OPENS] = { .type = NLA_U64 },
	[EBP_A_REFUSED_POLICY] = { .type = NLA_U64 },
	[EBP_A_REFUSED_LIMITS] = { .type = NLA_U64 },
	[EBP_A_REFUSED_QUOTA] = { .type = NLA_U64 },
	[EBP_A_REFUSED_POOL] = { .type = NLA_U64 },
	[EBP_A_REFUSED_ATTESTATION] = { .type = NLA_U64 },
	[EBP_A_QUOTES] = { .type = NLA_U64 },
	[EBP_A_QUOTE_FAILURES] = { .type = NLA_U64 },
	[EBP_A_CHECKS] = { .type = NLA_U64 },
	[EBP_A_CHECK_FAILURES] = { .type = NLA_U64 },
	[EBP_A_WORKER_CRASHES] = { .type = NLA_U64 },
	[EBP_A_CALLS_TOTAL] = { .type = NLA_U64 },
};

struct msg_rule {
	const char *name;
	uint64_t required;
	uint64_t optional;
	bool fd; /* carries exactly one descriptor */
};

#define IDENTITY \
	(BIT(EBP_A_MRENCLAVE) | BIT(EBP_A_MRSIGNER) | BIT(EBP_A_ISVPRODID) | BIT(EBP_A_ISVSVN))

/* DAEMON_STATUS's counters: optional, so that a daemon that does not count one still parses. */
#define STATUS_COUNTERS                                                                        \
	(BIT(EBP_A_OPENS) | BIT(EBP_A_REFUSED_POLICY) | BIT(EBP_A_REFUSED_LIMITS) |            \
	 BIT(EBP_A_REFUSED_QUOTA) | BIT(EBP_A_REFUSED_POOL) | BIT(EBP_A_REFUSED_ATTESTATION) | \
	 BIT(EBP_A_QUOTES) | BIT(EBP_A_QUOTE_FAILURES) | BIT(EBP_A_CHECKS) |                   \
	 BIT(EBP_A_CHECK_FAILURES) | BIT(EBP_A_WORKER_CRASHES) | BIT(EBP_A_CALLS_TOTAL))

static const struct msg_rule rules[__EBP_MSG_MAX] = {
	[EBP_MSG_ERROR] = { "ERROR", BIT(EBP_A_ERRNO) | BIT(EBP_A_SIDE) | BIT(EBP_A_MESSAGE) },
	[EBP_MSG_DONE] = { "DONE" },
	[EBP_MSG_OPEN] = { "OPEN", BIT(EBP_A_ENCLAVE) | BIT(EBP_A_NONCE) | BIT(EBP_A_CLIENT_KEY) },
	[EBP_MSG_OPENED] = { "OPENED",
			     BIT(EBP_A_SESSION_ID) | BIT(EBP_A_INSTANCE_ID) | IDENTITY |
				 BIT(EBP_A_MAX_MSG) | BIT(EBP_A_QUOTE) | BIT(EBP_A_ENCLAVE_KEY) |
				 BIT(EBP_A_NONCE) | BIT(EBP_A_CLIENT_KEY),
			     0, true },
	[EBP_MSG_CLOSE] = { "CLOSE", BIT(EBP_A_SESSION_ID) },
	[EBP_MSG_LIST] = { "LIST", 0, BIT(EBP_A_SESSION_ID) },
	[EBP_MSG_SESSION] = { "SESSION",
			      BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) | BIT(EBP_A_PID) |
				  BIT(EBP_A_CGROUP) | BIT(EBP_A_ENCLAVE) | BIT(EBP_A_INSTANCE_ID) |
				  BIT(EBP_A_WORKER_PID) | BIT(EBP_A_AGE_MS) | BIT(EBP_A_CALLS) |
				  BIT(EBP_A_STATE),
			      BIT(EBP_A_REASON) },
	[EBP_MSG_RELOAD] = { "RELOAD" },
	[EBP_MSG_STATUS] = { "STATUS" },
	[EBP_MSG_DAEMON_STATUS] = { "DAEMON_STATUS",
				    BIT(EBP_A_ATTESTATION) | BIT(EBP_A_SESSIONS) |
					BIT(EBP_A_INSTANCES) | BIT(EBP_A_TENANTS),
				    BIT(EBP_A_REASON) | STATUS_COUNTERS },
	[EBP_MSG_CALL] = { "CALL", BIT(EBP_A_RECORD) | BIT(EBP_A_OUT_MAX) },
	[EBP_MSG_RESULT] = { "RESULT", BIT(EBP_A_RECORD) },
	[EBP_MSG_W_READY] = { "W_READY", BIT(EBP_A_TCS) | IDENTITY | BIT(EBP_A_INSTANCE_ID) |
					     BIT(EBP_A_ENCLAVE) | BIT(EBP_A_CGROUP) |
					     BIT(EBP_A_MAX_MSG) },
	[EBP_MSG_W_ADD] = { "W_ADD",
			    BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) | BIT(EBP_A_PID) |
				BIT(EBP_A_NONCE) | BIT(EBP_A_CLIENT_KEY) | BIT(EBP_A_TARGETINFO),
			    0, true },
	[EBP_MSG_W_ADDED] = { "W_ADDED",
			      BIT(EBP_A_SESSION_ID) | BIT(EBP_A_REPORT) | BIT(EBP_A_ENCLAVE_KEY) },
	[EBP_MSG_W_DROP] = { "W_DROP", BIT(EBP_A_SESSION_ID), BIT(EBP_A_REASON) },
	[EBP_MSG_W_ENDED] = { "W_ENDED",
			      BIT(EBP_A_SESSION_ID) | BIT(EBP_A_CALLS) | BIT(EBP_A_REASON) },
	[EBP_MSG_W_QUERY] = { "W_QUERY" },
	[EBP_MSG_W_SESSION] = { "W_SESSION", BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) |
						 BIT(EBP_A_PID) | BIT(EBP_A_CALLS) },
	[EBP_MSG_W_CALL] = { "W_CALL", BIT(EBP_A_FUNCTION) | BIT(EBP_A_OUT_MAX), BIT(EBP_A_DATA) },
	[EBP_MSG_W_RESULT] = { "W_RESULT", BIT(EBP_A_STATUS), BIT(EBP_A_DATA) },
};

const char *ebp_msg_name(uint16_t type)
{
	if (type < ELEMENTSOF(rules) && rules[type].name)
		return rules[type].name;
	return "?";
}

const char *ebp_side_name(uint32_t side)
{
	switch (side) {
	case EBP_SIDE_DAEMON:
		return "daemon";
	case EBP_SIDE_KERNEL:
		return "kernel";
	case EBP_SIDE_WORKER:
		return "worker";
	case EBP_SIDE_ENCLAVE:
		return "enclave";
	}
	return "unknown";
}

int ebp_msg_new(uint16_t type, uint32_t request_id, size_t payload, struct nl_msg **ret)
{
	size_t room = sizeof(struct ebp_msghdr) + payload + 256;
	struct nl_msg *m;

	if (payload > EBP_SESSION_MSG_MAX - sizeof(struct ebp_msghdr))
		return -EMSGSIZE;
	/*
	 * nla_len is 16 bits and libnl's nla_put() does not check that the
	 * size fits: it writes the length modulo 64 KiB, and the receiver would
	 * read the rest of the value as attributes. A buffer too small for an
	 * attribute of 64 KiB makes such a nla_put() fail instead.
	 */
	m = nlmsg_alloc_size(room < MSG_ROOM_MAX ? room : MSG_ROOM_MAX);
	if (!m)
		return -ENOMEM;
	/* struct ebp_msghdr is struct nlmsghdr: seq = request id, pid = version. */
	if (!nlmsg_put(m, EBP_VERSION, request_id, type, 0, 0)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

int ebp_send(int sock, struct nl_msg *m, int fd)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct iovec iov = { .iov_base = nlh, .iov_len = nlh->nlmsg_len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)nlh->nlmsg_len ? 0 : -EMSGSIZE;
}

int ebp_msg_error(uint32_t request_id, int err, enum ebp_side side, const char *text,
		  struct nl_msg **ret)
{
	char cut[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	int r;

	snprintf(cut, sizeof(cut), "%s", text);
	r = ebp_msg_new(EBP_MSG_ERROR, request_id, sizeof(cut) + 32, &m);
	if (r)
		return r;
	if (nla_put_u32(m, EBP_A_ERRNO, err < 0 ? -(unsigned int)err : (unsigned int)err) ||
	    nla_put_u32(m, EBP_A_SIDE, side) || nla_put_string(m, EBP_A_MESSAGE, cut)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

int ebp_send_error(int sock, uint32_t request_id, int err, enum ebp_side side, const char *fmt, ...)
{
	char text[EBP_ERROR_MSG_MAX];
	struct nl_msg *m;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r = ebp_msg_error(request_id, err, side, text, &m);
	if (r)
		return r;
	r = ebp_send(sock, m, -1);
	nlmsg_free(m);
	return r;
}

int ebp_send_empty(int sock, uint16_t type, uint32_t request_id)
{
	struct nl_msg *m;
	int r;

	r = ebp_msg_new(type, request_id, 0, &m);
	if (r)
		return r;
	r = ebp_send(sock, m, -1);
	nlmsg_free(m);
	return r;
}

static void close_received(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

/* One packet into @buf and its control data into @control: its length, or -errno. */
static ssize_t recv_packet(int sock, void *buf, size_t cap, void *control, size_t control_len,
			   struct msghdr *mh, struct iovec *iov)
{
	ssize_t n;

	*iov = (struct iovec){ .iov_base = buf, .iov_len = cap };
	*mh = (struct msghdr){
		.msg_iov = iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = control_len,
	};
	do
		n = recvmsg(sock, mh, MSG_TRUNC | MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t ebp_recv(int sock, void *buf, size_t cap, int *ret_fd)
{
	/* Room for more than one descriptor, so that extra ones are seen and closed. */
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;

	n = recv_packet(sock, buf, cap, control.buf, sizeof(control.buf), &mh, &iov);
	if (n < 0)
		return n;

	c = CMSG_FIRSTHDR(&mh);
	if (c) {
		bool one = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
			   c->cmsg_len == CMSG_LEN(sizeof(int)) && !CMSG_NXTHDR(&mh, c);

		if (!one || (mh.msg_flags & MSG_CTRUNC) || !ret_fd) {
			close_received(&mh);
			return -EBADMSG;
		}
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	} else if (mh.msg_flags & MSG_CTRUNC) {
		return -EBADMSG;
	}
	if ((size_t)n > cap || (mh.msg_flags & MSG_TRUNC)) {
		if (fd >= 0)
			close(fd);
		return -EMSGSIZE;
	}
	if (ret_fd)
		*ret_fd = fd;
	return n;
}

ssize_t ebp_recv_cred(int sock, void *buf, size_t cap, struct ucred *ret)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *c;
	bool have = false, other = false;
	ssize_t n;

	n = recv_packet(sock, buf, cap, control.buf, sizeof(control.buf), &mh, &iov);
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(*ret)) && !have) {
			memcpy(ret, CMSG_DATA(c), sizeof(*ret));
			have = true;
		} else {
			other = true;
		}
	}
	if (other || (mh.msg_flags & MSG_CTRUNC)) {
		close_received(&mh);
		return -EBADMSG;
	}
	if ((size_t)n > cap || (mh.msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	/* End of stream has no sender; any message does, with SO_PASSCRED set. */
	return n && !have ? -EBADMSG : n;
}

static int fail(const char **ret_why, const char *why, int err)
{
	if (ret_why)
		*ret_why = why;
	return err;
}

int ebp_parse(const void *buf, size_t len, bool has_fd, struct ebp_msg *ret, const char **ret_why)
{
	const struct ebp_msghdr *h = buf;
	struct nlattr *tb[EBP_A_MAX + 1] = { 0 };
	const struct msg_rule *rule;
	struct nlattr *a;
	uint64_t seen = 0;
	int rem;

	if (len < sizeof(*h))
		return fail(ret_why, "shorter than the header", -EBADMSG);
	if (h->len != len)
		return fail(ret_why, "header length differs from the packet's", -EBADMSG);
	if (h->version != EBP_VERSION)
		return fail(ret_why, "unsupported protocol version", -EPROTO);
	if (h->flags)
		return fail(ret_why, "unknown header flags", -EBADMSG);
	if (h->type >= ELEMENTSOF(rules) || !rules[h->type].name)
		return fail(ret_why, "unknown message type", -EBADMSG);
	rule = &rules[h->type];
	if (has_fd != rule->fd)
		return fail(ret_why,
			    has_fd ? "a file descriptor where none belongs"
				   : "the file descriptor is missing",
			    -EBADMSG);

	/* libnl skips unknown types and keeps the last duplicate: refuse both first. */
	nla_for_each_attr (a, (struct nlattr *)(h + 1), (int)(len - sizeof(*h)), rem) {
		int type = a->nla_type;

		if (type < 1 || type > EBP_A_MAX)
			return fail(ret_why, "unknown attribute", -EBADMSG);
		if (!((rule->required | rule->optional) & BIT(type)))
			return fail(ret_why, "attribute not allowed in this message", -EBADMSG);
		if (seen & BIT(type))
			return fail(ret_why, "duplicate attribute", -EBADMSG);
		seen |= BIT(type);
		if (attr_size[type] && nla_len(a) != attr_size[type])
			return fail(ret_why, "attribute of the wrong size", -EBADMSG);
	}
	if (rem != 0)
		return fail(ret_why, "trailing bytes after the attributes", -EBADMSG);
	if ((seen & rule->required) != rule->required)
		return fail(ret_why, "a required attribute is missing", -EBADMSG);

	if (nlmsg_parse((struct nlmsghdr *)h, 0, tb, EBP_A_MAX, policy) < 0)
		return fail(ret_why, "attribute fails its policy", -EBADMSG);
	for (int t = 1; t <= EBP_A_MAX; t++) {
		/* Strings: NUL-terminated (libnl checks), non-empty, no inner NUL. */
		if (tb[t] && policy[t].type == NLA_STRING &&
		    strnlen(nla_data(tb[t]), nla_len(tb[t])) + 1 != (size_t)nla_len(tb[t]))
			return fail(ret_why, "malformed string attribute", -EBADMSG);
		if (tb[t] && policy[t].type == NLA_STRING && nla_len(tb[t]) < 2 &&
		    t != EBP_A_MESSAGE && t != EBP_A_REASON)
			return fail(ret_why, "empty string attribute", -EBADMSG);
	}

	ret->type = h->type;
	ret->request_id = h->request_id;
	memcpy(ret->attrs, tb, sizeof(tb));
	return 0;
}
