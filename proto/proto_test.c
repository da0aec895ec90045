// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for libebproto (proto.c): every message type through a
 * SOCK_SEQPACKET socketpair, every refusal of ebp_parse() with its reason,
 * and how ebp_recv() treats sizes and file descriptors. The attribute kinds
 * and per-type attribute lists below are written from the UAPI header, not
 * taken from proto.c, so that the two are checked against each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"
#include "common/util.h"

#include "proto.h"

#define BIT(a) (UINT64_C(1) << (a))

_Static_assert(sizeof(struct ebp_msghdr) == 16, "the header is 16 bytes");
_Static_assert(sizeof(struct ebp_msghdr) == sizeof(struct nlmsghdr), "nlmsghdr layout");
_Static_assert(offsetof(struct ebp_msghdr, request_id) == offsetof(struct nlmsghdr, nlmsg_seq),
	       "request_id is nlmsg_seq");
_Static_assert(offsetof(struct ebp_msghdr, version) == offsetof(struct nlmsghdr, nlmsg_pid),
	       "version is nlmsg_pid");

enum kind { K_U32, K_U64, K_STR, K_BIN };

static const struct {
	enum kind kind;
	uint16_t size; /* K_BIN: the exact size; 0 for DATA */
} attr_kind[EBP_A_MAX + 1] = {
	[EBP_A_ENCLAVE] = { K_STR },
	[EBP_A_NONCE] = { K_BIN, EBP_NONCE_SIZE },
	[EBP_A_CLIENT_KEY] = { K_BIN, EBP_PUBKEY_SIZE },
	[EBP_A_SESSION_ID] = { K_U64 },
	[EBP_A_INSTANCE_ID] = { K_U64 },
	[EBP_A_ERRNO] = { K_U32 },
	[EBP_A_SIDE] = { K_U32 },
	[EBP_A_MESSAGE] = { K_STR },
	[EBP_A_FUNCTION] = { K_U32 },
	[EBP_A_DATA] = { K_BIN, 0 },
	[EBP_A_OUT_MAX] = { K_U32 },
	[EBP_A_STATUS] = { K_U32 },
	[EBP_A_UID] = { K_U32 },
	[EBP_A_PID] = { K_U32 },
	[EBP_A_CGROUP] = { K_STR },
	[EBP_A_AGE_MS] = { K_U64 },
	[EBP_A_CALLS] = { K_U64 },
	[EBP_A_STATE] = { K_U32 },
	[EBP_A_REASON] = { K_STR },
	[EBP_A_MRENCLAVE] = { K_BIN, EBP_HASH_SIZE },
	[EBP_A_MRSIGNER] = { K_BIN, EBP_HASH_SIZE },
	[EBP_A_ISVPRODID] = { K_U32 },
	[EBP_A_ISVSVN] = { K_U32 },
	[EBP_A_MAX_MSG] = { K_U32 },
	[EBP_A_WORKER_PID] = { K_U32 },
	[EBP_A_TCS] = { K_U32 },
	[EBP_A_RECORD] = { K_BIN, 0 },
	[EBP_A_QUOTE] = { K_BIN, 0 },
	[EBP_A_ENCLAVE_KEY] = { K_BIN, EBP_PUBKEY_SIZE },
	[EBP_A_REPORT] = { K_BIN, EBP_REPORT_SIZE },
	[EBP_A_TARGETINFO] = { K_BIN, EBP_TARGETINFO_SIZE },
	[EBP_A_ATTESTATION] = { K_U32 },
	[EBP_A_SESSIONS] = { K_U32 },
	[EBP_A_INSTANCES] = { K_U32 },
	[EBP_A_TENANTS] = { K_U32 },
	[EBP_A_OPENS] = { K_U64 },
	[EBP_A_REFUSED_POLICY] = { K_U64 },
	[EBP_A_REFUSED_LIMITS] = { K_U64 },
	[EBP_A_REFUSED_QUOTA] = { K_U64 },
	[EBP_A_REFUSED_POOL] = { K_U64 },
	[EBP_A_REFUSED_ATTESTATION] = { K_U64 },
	[EBP_A_QUOTES] = { K_U64 },
	[EBP_A_QUOTE_FAILURES] = { K_U64 },
	[EBP_A_CHECKS] = { K_U64 },
	[EBP_A_CHECK_FAILURES] = { K_U64 },
	[EBP_A_WORKER_CRASHES] = { K_U64 },
	[EBP_A_CALLS_TOTAL] = { K_U64 },
};

#define IDENTITY \
	(BIT(EBP_A_MRENCLAVE) | BIT(EBP_A_MRSIGNER) | BIT(EBP_A_ISVPRODID) | BIT(EBP_A_ISVSVN))

/* DAEMON_STATUS's counters, each optional: a reply without them is an older daemon's. */
#define STATUS_COUNTERS                                                                        \
	(BIT(EBP_A_OPENS) | BIT(EBP_A_REFUSED_POLICY) | BIT(EBP_A_REFUSED_LIMITS) |            \
	 BIT(EBP_A_REFUSED_QUOTA) | BIT(EBP_A_REFUSED_POOL) | BIT(EBP_A_REFUSED_ATTESTATION) | \
	 BIT(EBP_A_QUOTES) | BIT(EBP_A_QUOTE_FAILURES) | BIT(EBP_A_CHECKS) |                   \
	 BIT(EBP_A_CHECK_FAILURES) | BIT(EBP_A_WORKER_CRASHES) | BIT(EBP_A_CALLS_TOTAL))

/* Every message type, with the attributes it requires and those it may have. */
static const struct {
	uint16_t type;
	const char *name;
	uint64_t required, optional;
	bool fd;
} types[] = {
	{ EBP_MSG_ERROR, "ERROR", BIT(EBP_A_ERRNO) | BIT(EBP_A_SIDE) | BIT(EBP_A_MESSAGE), 0,
	  false },
	{ EBP_MSG_DONE, "DONE", 0, 0, false },
	{ EBP_MSG_OPEN, "OPEN", BIT(EBP_A_ENCLAVE) | BIT(EBP_A_NONCE) | BIT(EBP_A_CLIENT_KEY), 0,
	  false },
	{ EBP_MSG_OPENED, "OPENED",
	  BIT(EBP_A_SESSION_ID) | BIT(EBP_A_INSTANCE_ID) | IDENTITY | BIT(EBP_A_MAX_MSG) |
	      BIT(EBP_A_QUOTE) | BIT(EBP_A_ENCLAVE_KEY) | BIT(EBP_A_NONCE) | BIT(EBP_A_CLIENT_KEY),
	  0, true },
	{ EBP_MSG_CLOSE, "CLOSE", BIT(EBP_A_SESSION_ID), 0, false },
	{ EBP_MSG_LIST, "LIST", 0, BIT(EBP_A_SESSION_ID), false },
	{ EBP_MSG_SESSION, "SESSION",
	  BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) | BIT(EBP_A_PID) | BIT(EBP_A_CGROUP) |
	      BIT(EBP_A_ENCLAVE) | BIT(EBP_A_INSTANCE_ID) | BIT(EBP_A_WORKER_PID) |
	      BIT(EBP_A_AGE_MS) | BIT(EBP_A_CALLS) | BIT(EBP_A_STATE),
	  BIT(EBP_A_REASON), false },
	{ EBP_MSG_RELOAD, "RELOAD", 0, 0, false },
	{ EBP_MSG_STATUS, "STATUS", 0, 0, false },
	{ EBP_MSG_DAEMON_STATUS, "DAEMON_STATUS",
	  BIT(EBP_A_ATTESTATION) | BIT(EBP_A_SESSIONS) | BIT(EBP_A_INSTANCES) | BIT(EBP_A_TENANTS),
	  BIT(EBP_A_REASON) | STATUS_COUNTERS, false },
	{ EBP_MSG_CALL, "CALL", BIT(EBP_A_RECORD) | BIT(EBP_A_OUT_MAX), 0, false },
	{ EBP_MSG_RESULT, "RESULT", BIT(EBP_A_RECORD), 0, false },
	{ EBP_MSG_W_READY, "W_READY",
	  BIT(EBP_A_TCS) | IDENTITY | BIT(EBP_A_INSTANCE_ID) | BIT(EBP_A_ENCLAVE) |
	      BIT(EBP_A_CGROUP) | BIT(EBP_A_MAX_MSG),
	  0, false },
	{ EBP_MSG_W_ADD, "W_ADD",
	  BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) | BIT(EBP_A_PID) | BIT(EBP_A_NONCE) |
	      BIT(EBP_A_CLIENT_KEY) | BIT(EBP_A_TARGETINFO),
	  0, true },
	{ EBP_MSG_W_ADDED, "W_ADDED",
	  BIT(EBP_A_SESSION_ID) | BIT(EBP_A_REPORT) | BIT(EBP_A_ENCLAVE_KEY), 0, false },
	{ EBP_MSG_W_DROP, "W_DROP", BIT(EBP_A_SESSION_ID), BIT(EBP_A_REASON), false },
	{ EBP_MSG_W_ENDED, "W_ENDED", BIT(EBP_A_SESSION_ID) | BIT(EBP_A_CALLS) | BIT(EBP_A_REASON),
	  0, false },
	{ EBP_MSG_W_QUERY, "W_QUERY", 0, 0, false },
	{ EBP_MSG_W_SESSION, "W_SESSION",
	  BIT(EBP_A_SESSION_ID) | BIT(EBP_A_UID) | BIT(EBP_A_PID) | BIT(EBP_A_CALLS), 0, false },
	{ EBP_MSG_W_CALL, "W_CALL", BIT(EBP_A_FUNCTION) | BIT(EBP_A_OUT_MAX), BIT(EBP_A_DATA),
	  false },
	{ EBP_MSG_W_RESULT, "W_RESULT", BIT(EBP_A_STATUS), BIT(EBP_A_DATA), false },
};

/* A distinct value per attribute, so that a mix-up shows. */
static uint32_t u32_of(int a)
{
	return 0x1000 + a;
}

static uint64_t u64_of(int a)
{
	return (UINT64_C(1) << 40) * a + 7;
}

static const char *str_of(int a)
{
	switch (a) {
	case EBP_A_ENCLAVE:
		return "hello-1.0_x";
	case EBP_A_CGROUP:
		return "/tenants/alice/app.service";
	case EBP_A_MESSAGE:
		return "cgroup /tenants/alice is at its EPC limit of 8 MiB";
	default:
		return "closed by client";
	}
}

/* Binary values: DATA is 13 bytes, so that its padding is exercised. */
static size_t bin_of(int a, uint8_t *out)
{
	size_t n = attr_kind[a].size ? attr_kind[a].size : 13;

	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(a * 37 + i);
	return n;
}

static int put_attr(struct nl_msg *m, int a)
{
	uint8_t b[EBP_TARGETINFO_SIZE];
	size_t n;

	switch (attr_kind[a].kind) {
	case K_U32:
		return nla_put_u32(m, a, u32_of(a));
	case K_U64:
		return nla_put_u64(m, a, u64_of(a));
	case K_STR:
		return nla_put_string(m, a, str_of(a));
	case K_BIN:
		n = bin_of(a, b);
		return nla_put(m, a, n, b);
	}
	return -1;
}

static void check_attr(struct __test_metadata *_metadata, const struct ebp_msg *m, int a)
{
	uint8_t b[EBP_TARGETINFO_SIZE];
	size_t n;

	ASSERT_NE(NULL, m->attrs[a]) TH_LOG("attribute %d missing", a);
	switch (attr_kind[a].kind) {
	case K_U32:
		EXPECT_EQ(u32_of(a), nla_get_u32(m->attrs[a])) TH_LOG("attribute %d", a);
		break;
	case K_U64:
		EXPECT_EQ(u64_of(a), nla_get_u64(m->attrs[a])) TH_LOG("attribute %d", a);
		break;
	case K_STR:
		EXPECT_STREQ(str_of(a), ebp_get_str(m, a));
		break;
	case K_BIN:
		n = bin_of(a, b);
		ASSERT_EQ(n, (size_t)nla_len(m->attrs[a])) TH_LOG("attribute %d", a);
		EXPECT_EQ(0, memcmp(b, nla_data(m->attrs[a]), n)) TH_LOG("attribute %d", a);
		break;
	}
}

static void pair(struct __test_metadata *_metadata, int sv[2])
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* The @n lowest free descriptor numbers: where the next ones received land. */
static void next_fds(int *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = dup(0);
	for (int i = 0; i < n; i++)
		close(out[i]);
}

/* Send @type with every attribute of @attrs, receive and parse it, check it all. */
static void round_trip(struct __test_metadata *_metadata, size_t ti, uint64_t attrs)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	_cleanup_(closep) int s0 = -1, s1 = -1, p0 = -1, p1 = -1, got = -1;
	uint32_t id = 0x80000000u + (uint32_t)ti * 2 + (attrs != types[ti].required);
	struct nl_msg *m;
	struct ebp_msg pm;
	const char *why = NULL;
	int sv[2], pp[2];
	ssize_t n;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	if (types[ti].fd) {
		ASSERT_EQ(0, pipe2(pp, O_CLOEXEC));
		p0 = pp[0];
		p1 = pp[1];
	}
	ASSERT_EQ(0, ebp_msg_new(types[ti].type, id, 2048, &m));
	for (int a = 1; a <= EBP_A_MAX; a++) {
		if (attrs & BIT(a)) {
			ASSERT_EQ(0, put_attr(m, a)) TH_LOG("%s: attribute %d", types[ti].name, a);
		}
	}
	EXPECT_EQ(0, ebp_send(s0, m, p0));
	nlmsg_free(m);

	n = ebp_recv(s1, buf, sizeof(buf), &got);
	ASSERT_LT(0, n) TH_LOG("%s: %s", types[ti].name, strerror((int)-n));
	EXPECT_EQ(0, n % 4);
	ASSERT_EQ(types[ti].fd, got >= 0) TH_LOG("%s", types[ti].name);
	ASSERT_EQ(0, ebp_parse(buf, n, got >= 0, &pm, &why)) TH_LOG("%s: %s", types[ti].name, why);
	EXPECT_EQ(types[ti].type, pm.type);
	EXPECT_EQ(id, pm.request_id);
	EXPECT_STREQ(types[ti].name, ebp_msg_name(pm.type));
	for (int a = 1; a <= EBP_A_MAX; a++) {
		if (attrs & BIT(a)) {
			check_attr(_metadata, &pm, a);
		} else {
			EXPECT_EQ(NULL, pm.attrs[a]) TH_LOG("%s: attribute %d", types[ti].name, a);
		}
	}
	EXPECT_EQ(NULL, pm.attrs[EBP_A_UNSPEC]);
	if (got >= 0) {
		struct stat sa, sb;

		/* The descriptor received is the pipe sent, and close-on-exec. */
		ASSERT_EQ(0, fstat(got, &sa));
		ASSERT_EQ(0, fstat(p0, &sb));
		EXPECT_EQ(sa.st_dev, sb.st_dev);
		EXPECT_EQ(sa.st_ino, sb.st_ino);
		EXPECT_EQ(FD_CLOEXEC, fcntl(got, F_GETFD) & FD_CLOEXEC);
	}
}

TEST(round_trip_every_type)
{
	for (size_t ti = 0; ti < ELEMENTSOF(types); ti++)
		round_trip(_metadata, ti, types[ti].required | types[ti].optional);
}

TEST(round_trip_required_only)
{
	for (size_t ti = 0; ti < ELEMENTSOF(types); ti++)
		round_trip(_metadata, ti, types[ti].required);
}

TEST(every_type_is_tested)
{
	size_t known = 0;

	for (int t = 0; t < __EBP_MSG_MAX; t++)
		if (strcmp(ebp_msg_name(t), "?"))
			known++;
	EXPECT_EQ(ELEMENTSOF(types), known);
	EXPECT_STREQ("?", ebp_msg_name(0));
	EXPECT_STREQ("?", ebp_msg_name(__EBP_MSG_MAX));
	EXPECT_STREQ("?", ebp_msg_name(0xffff));
	EXPECT_STREQ("daemon", ebp_side_name(EBP_SIDE_DAEMON));
	EXPECT_STREQ("kernel", ebp_side_name(EBP_SIDE_KERNEL));
	EXPECT_STREQ("worker", ebp_side_name(EBP_SIDE_WORKER));
	EXPECT_STREQ("enclave", ebp_side_name(EBP_SIDE_ENCLAVE));
	EXPECT_STREQ("unknown", ebp_side_name(0));
	EXPECT_STREQ("unknown", ebp_side_name(5));
}

/* The header on the wire: little-endian host, byte offsets of the ABI doc. */
TEST(header_layout)
{
	struct nl_msg *m;
	const uint8_t *b;
	uint32_t u;
	uint16_t h;

	ASSERT_EQ(0, ebp_msg_new(EBP_MSG_CLOSE, 0x01020304, 0, &m));
	ASSERT_EQ(0, nla_put_u64(m, EBP_A_SESSION_ID, 42));
	b = (const uint8_t *)nlmsg_hdr(m);
	memcpy(&u, b + 0, 4);
	EXPECT_EQ(16u + 4 + 8, u);
	memcpy(&h, b + 4, 2);
	EXPECT_EQ(EBP_MSG_CLOSE, h);
	memcpy(&h, b + 6, 2);
	EXPECT_EQ(0, h);
	memcpy(&u, b + 8, 4);
	EXPECT_EQ(0x01020304u, u);
	memcpy(&u, b + 12, 4);
	EXPECT_EQ((uint32_t)EBP_VERSION, u);
	memcpy(&h, b + 16, 2);
	EXPECT_EQ(12, h); /* nla_len: 4 + 8 */
	memcpy(&h, b + 18, 2);
	EXPECT_EQ(EBP_A_SESSION_ID, h);
	nlmsg_free(m);

	EXPECT_EQ(-EMSGSIZE, ebp_msg_new(EBP_MSG_W_CALL, 1, EBP_SESSION_MSG_MAX - 16 + 1, &m));
}

/* ------------------------------------------------ malformed messages, by hand */

struct raw {
	union {
		struct ebp_msghdr h;
		uint8_t b[8192];
	};
	size_t len;
};

static void raw_start(struct raw *r, uint16_t type)
{
	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->h.request_id = 7;
	r->h.version = EBP_VERSION;
	r->len = sizeof(r->h);
	r->h.len = r->len;
}

/* An attribute of @n bytes (nla_len @n + 4), padded to 4 bytes; h.len follows. */
static void raw_put(struct raw *r, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };

	memcpy(r->b + r->len, &a, sizeof(a));
	memcpy(r->b + r->len + NLA_HDRLEN, p, n);
	r->len += NLA_ALIGN(NLA_HDRLEN + n);
	r->h.len = r->len;
}

static void raw_u32(struct raw *r, uint16_t type, uint32_t v)
{
	raw_put(r, type, &v, sizeof(v));
}

static void raw_u64(struct raw *r, uint16_t type, uint64_t v)
{
	raw_put(r, type, &v, sizeof(v));
}

static void raw_bytes(struct raw *r, uint16_t type, size_t n)
{
	static const uint8_t b[1024];

	raw_put(r, type, b, n);
}

/* A valid OPEN without @skip (0: none), with ENCLAVE @enclave of @elen bytes. */
static void raw_open(struct raw *r, const char *enclave, size_t elen, int skip)
{
	raw_start(r, EBP_MSG_OPEN);
	if (skip != EBP_A_ENCLAVE)
		raw_put(r, EBP_A_ENCLAVE, enclave, elen);
	if (skip != EBP_A_NONCE)
		raw_bytes(r, EBP_A_NONCE, EBP_NONCE_SIZE);
	if (skip != EBP_A_CLIENT_KEY)
		raw_bytes(r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
}

static void raw_close(struct raw *r)
{
	raw_start(r, EBP_MSG_CLOSE);
	raw_u64(r, EBP_A_SESSION_ID, 42);
}

static void accepted(struct __test_metadata *_metadata, const struct raw *r, bool has_fd)
{
	struct ebp_msg m;
	const char *why = NULL;

	EXPECT_EQ(0, ebp_parse(r->b, r->len, has_fd, &m, &why)) TH_LOG("refused: %s", why);
}

/* Refused with @err and exactly @why; the parsed message is left untouched. */
static void refused(struct __test_metadata *_metadata, const struct raw *r, size_t len, bool has_fd,
		    int err, const char *why)
{
	struct ebp_msg m, before;
	const char *got = NULL;

	memset(&m, 0xa5, sizeof(m));
	before = m;
	EXPECT_EQ(err, ebp_parse(r->b, len, has_fd, &m, &got));
	ASSERT_NE(NULL, got) TH_LOG("no reason given, expected '%s'", why);
	EXPECT_STREQ(why, got);
	EXPECT_EQ(0, memcmp(&m, &before, sizeof(m))) TH_LOG("ret touched on failure");
	/* ret_why may be NULL. */
	EXPECT_EQ(err, ebp_parse(r->b, len, has_fd, &m, NULL));
}

TEST(hand_built_baselines)
{
	char name[EBP_ENCLAVE_NAME_MAX];
	struct raw r;

	raw_close(&r);
	accepted(_metadata, &r, false);
	raw_open(&r, "e", 2, 0);
	accepted(_metadata, &r, false);
	/* The longest name: 63 characters and the NUL. */
	memset(name, 'n', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	raw_open(&r, name, sizeof(name), 0);
	accepted(_metadata, &r, false);
	/* MESSAGE and REASON may be empty; DATA may be empty. */
	raw_start(&r, EBP_MSG_ERROR);
	raw_u32(&r, EBP_A_ERRNO, EIO);
	raw_u32(&r, EBP_A_SIDE, EBP_SIDE_WORKER);
	raw_put(&r, EBP_A_MESSAGE, "", 1);
	accepted(_metadata, &r, false);
	raw_start(&r, EBP_MSG_W_RESULT);
	raw_put(&r, EBP_A_DATA, "", 0);
	raw_u32(&r, EBP_A_STATUS, (uint32_t)-EINVAL);
	accepted(_metadata, &r, false);
	/* Attributes in any order. */
	raw_start(&r, EBP_MSG_OPEN);
	raw_bytes(&r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
	raw_bytes(&r, EBP_A_NONCE, EBP_NONCE_SIZE);
	raw_put(&r, EBP_A_ENCLAVE, "x", 2);
	accepted(_metadata, &r, false);
}

TEST(refuses_bad_header)
{
	static const uint16_t bad_types[] = { 0, 3, 15, 24, 31, 34, 63, 73, __EBP_MSG_MAX, 0xffff };
	struct raw r;

	raw_close(&r);
	refused(_metadata, &r, 0, false, -EBADMSG, "shorter than the header");
	refused(_metadata, &r, sizeof(struct ebp_msghdr) - 1, false, -EBADMSG,
		"shorter than the header");

	/* len says more than the packet, then less. */
	refused(_metadata, &r, r.len - 4, false, -EBADMSG,
		"header length differs from the packet's");
	r.h.len = r.len - 4;
	refused(_metadata, &r, r.len, false, -EBADMSG, "header length differs from the packet's");
	r.h.len = r.len + 4;
	refused(_metadata, &r, r.len + 4, false, -EBADMSG, "trailing bytes after the attributes");

	raw_close(&r);
	r.h.version = EBP_VERSION + 1;
	refused(_metadata, &r, r.len, false, -EPROTO, "unsupported protocol version");
	r.h.version = 0;
	refused(_metadata, &r, r.len, false, -EPROTO, "unsupported protocol version");

	raw_close(&r);
	r.h.flags = 1;
	refused(_metadata, &r, r.len, false, -EBADMSG, "unknown header flags");
	r.h.flags = 0x8000;
	refused(_metadata, &r, r.len, false, -EBADMSG, "unknown header flags");

	for (size_t i = 0; i < ELEMENTSOF(bad_types); i++) {
		raw_close(&r);
		r.h.type = bad_types[i];
		refused(_metadata, &r, r.len, false, -EBADMSG, "unknown message type");
	}
}

TEST(refuses_bad_attribute)
{
	struct raw r;

	/* Unknown types: 0, one past the last, and the nested flag on a known one. */
	static const uint16_t bad[] = { 0, EBP_A_MAX + 1, 0x3fff, NLA_F_NESTED | EBP_A_SESSION_ID,
					NLA_F_NET_BYTEORDER | EBP_A_SESSION_ID };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		raw_close(&r);
		raw_u64(&r, bad[i], 1);
		refused(_metadata, &r, r.len, false, -EBADMSG, "unknown attribute");
	}
	/* Also in place of the one required attribute. */
	raw_start(&r, EBP_MSG_CLOSE);
	raw_u64(&r, NLA_F_NESTED | EBP_A_SESSION_ID, 42);
	refused(_metadata, &r, r.len, false, -EBADMSG, "unknown attribute");

	/* Known, but not one this type has. */
	raw_close(&r);
	raw_put(&r, EBP_A_ENCLAVE, "e", 2);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute not allowed in this message");
	raw_start(&r, EBP_MSG_DONE);
	raw_u32(&r, EBP_A_ERRNO, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute not allowed in this message");
	raw_open(&r, "e", 2, 0);
	raw_put(&r, EBP_A_DATA, "", 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute not allowed in this message");

	raw_close(&r);
	raw_u64(&r, EBP_A_SESSION_ID, 42);
	refused(_metadata, &r, r.len, false, -EBADMSG, "duplicate attribute");
	raw_start(&r, EBP_MSG_W_CALL);
	raw_put(&r, EBP_A_DATA, "a", 1);
	raw_u32(&r, EBP_A_FUNCTION, 1);
	raw_u32(&r, EBP_A_OUT_MAX, 1);
	raw_put(&r, EBP_A_DATA, "b", 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "duplicate attribute");
}

TEST(refuses_wrong_size)
{
	static const size_t nonce[] = { 0, 1, EBP_NONCE_SIZE - 1, EBP_NONCE_SIZE + 1, 64 };
	struct raw r;

	raw_start(&r, EBP_MSG_W_CALL);
	raw_u64(&r, EBP_A_FUNCTION, 1); /* a u32 given 8 bytes */
	raw_u32(&r, EBP_A_OUT_MAX, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute of the wrong size");

	raw_start(&r, EBP_MSG_CLOSE);
	raw_u32(&r, EBP_A_SESSION_ID, 1); /* a u64 given 4 bytes */
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute of the wrong size");

	for (size_t i = 0; i < ELEMENTSOF(nonce); i++) {
		raw_start(&r, EBP_MSG_OPEN);
		raw_put(&r, EBP_A_ENCLAVE, "e", 2);
		raw_bytes(&r, EBP_A_NONCE, nonce[i]);
		raw_bytes(&r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
		refused(_metadata, &r, r.len, false, -EBADMSG, "attribute of the wrong size");
	}
	raw_start(&r, EBP_MSG_W_READY);
	raw_u32(&r, EBP_A_TCS, 1);
	raw_bytes(&r, EBP_A_MRENCLAVE, EBP_HASH_SIZE);
	raw_bytes(&r, EBP_A_MRSIGNER, EBP_HASH_SIZE - 1);
	raw_u32(&r, EBP_A_ISVPRODID, 1);
	raw_u32(&r, EBP_A_ISVSVN, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute of the wrong size");
}

TEST(refuses_bad_string)
{
	char name[EBP_ENCLAVE_NAME_MAX + 1];
	char msg[EBP_ERROR_MSG_MAX + 1];
	struct raw r;

	raw_open(&r, "abcd", 4, 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute fails its policy");
	raw_open(&r, "ab\0cd", 6, 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "malformed string attribute");
	raw_open(&r, "ab\0\0", 4, 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "malformed string attribute");
	raw_open(&r, "", 0, 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute fails its policy");
	raw_open(&r, "", 1, 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "empty string attribute");

	/* 64 characters and the NUL: one too many. */
	memset(name, 'n', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	raw_open(&r, name, sizeof(name), 0);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute fails its policy");

	/* MESSAGE: 511 characters and the NUL fit, 512 do not. */
	memset(msg, 'm', sizeof(msg));
	msg[EBP_ERROR_MSG_MAX - 1] = '\0';
	raw_start(&r, EBP_MSG_ERROR);
	raw_u32(&r, EBP_A_ERRNO, EIO);
	raw_u32(&r, EBP_A_SIDE, EBP_SIDE_DAEMON);
	raw_put(&r, EBP_A_MESSAGE, msg, EBP_ERROR_MSG_MAX);
	accepted(_metadata, &r, false);
	msg[EBP_ERROR_MSG_MAX - 1] = 'm';
	msg[EBP_ERROR_MSG_MAX] = '\0';
	raw_start(&r, EBP_MSG_ERROR);
	raw_u32(&r, EBP_A_ERRNO, EIO);
	raw_u32(&r, EBP_A_SIDE, EBP_SIDE_DAEMON);
	raw_put(&r, EBP_A_MESSAGE, msg, EBP_ERROR_MSG_MAX + 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute fails its policy");

	/* The strings that may be empty still may not hold a NUL inside. */
	raw_start(&r, EBP_MSG_W_ENDED);
	raw_u64(&r, EBP_A_SESSION_ID, 1);
	raw_u64(&r, EBP_A_CALLS, 1);
	raw_put(&r, EBP_A_REASON, "a\0b", 4);
	refused(_metadata, &r, r.len, false, -EBADMSG, "malformed string attribute");
}

TEST(refuses_trailing_bytes)
{
	static const size_t extra[] = { 1, 2, 3, 4, 8 };
	struct raw r;

	/* Bytes after the last attribute, too short to be one or of length 0. */
	for (size_t i = 0; i < ELEMENTSOF(extra); i++) {
		raw_close(&r);
		r.len += extra[i];
		r.h.len = r.len;
		refused(_metadata, &r, r.len, false, -EBADMSG,
			"trailing bytes after the attributes");
	}
	/* An attribute longer than what is left of the message. */
	raw_close(&r);
	raw_u32(&r, EBP_A_ERRNO, 1);
	r.b[r.len - 8] = 12;
	refused(_metadata, &r, r.len, false, -EBADMSG, "trailing bytes after the attributes");
	/* The last attribute without its padding: every attribute is padded. */
	raw_start(&r, EBP_MSG_OPEN);
	raw_bytes(&r, EBP_A_NONCE, EBP_NONCE_SIZE);
	raw_bytes(&r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
	raw_put(&r, EBP_A_ENCLAVE, "ab", 3);
	r.len -= 1;
	r.h.len = r.len;
	refused(_metadata, &r, r.len, false, -EBADMSG, "trailing bytes after the attributes");
	/* Odd bytes after the header. */
	raw_start(&r, EBP_MSG_DONE);
	r.len += 2;
	r.h.len = r.len;
	refused(_metadata, &r, r.len, false, -EBADMSG, "trailing bytes after the attributes");
}

TEST(refuses_missing_required)
{
	struct raw r;

	raw_open(&r, "e", 2, EBP_A_ENCLAVE);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
	raw_open(&r, "e", 2, EBP_A_NONCE);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
	raw_open(&r, "e", 2, EBP_A_CLIENT_KEY);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
	raw_start(&r, EBP_MSG_CLOSE);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
	raw_start(&r, EBP_MSG_ERROR);
	raw_u32(&r, EBP_A_ERRNO, EIO);
	raw_u32(&r, EBP_A_SIDE, EBP_SIDE_DAEMON);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
	raw_start(&r, EBP_MSG_W_CALL);
	raw_u32(&r, EBP_A_FUNCTION, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "a required attribute is missing");
}

TEST(refuses_wrong_fd)
{
	struct raw r;

	raw_close(&r);
	refused(_metadata, &r, r.len, true, -EBADMSG, "a file descriptor where none belongs");
	raw_start(&r, EBP_MSG_DONE);
	refused(_metadata, &r, r.len, true, -EBADMSG, "a file descriptor where none belongs");

	raw_start(&r, EBP_MSG_OPENED);
	raw_u64(&r, EBP_A_SESSION_ID, 1);
	raw_u64(&r, EBP_A_INSTANCE_ID, 2);
	raw_bytes(&r, EBP_A_MRENCLAVE, EBP_HASH_SIZE);
	raw_bytes(&r, EBP_A_MRSIGNER, EBP_HASH_SIZE);
	raw_u32(&r, EBP_A_ISVPRODID, 1);
	raw_u32(&r, EBP_A_ISVSVN, 1);
	raw_u32(&r, EBP_A_MAX_MSG, 65536);
	raw_bytes(&r, EBP_A_QUOTE, 1000);
	raw_bytes(&r, EBP_A_ENCLAVE_KEY, EBP_PUBKEY_SIZE);
	raw_bytes(&r, EBP_A_NONCE, EBP_NONCE_SIZE);
	raw_bytes(&r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
	accepted(_metadata, &r, true);
	refused(_metadata, &r, r.len, false, -EBADMSG, "the file descriptor is missing");

	raw_start(&r, EBP_MSG_W_ADD);
	raw_u64(&r, EBP_A_SESSION_ID, 1);
	raw_u32(&r, EBP_A_UID, 1000);
	raw_u32(&r, EBP_A_PID, 4242);
	raw_bytes(&r, EBP_A_NONCE, EBP_NONCE_SIZE);
	raw_bytes(&r, EBP_A_CLIENT_KEY, EBP_PUBKEY_SIZE);
	raw_bytes(&r, EBP_A_TARGETINFO, EBP_TARGETINFO_SIZE);
	accepted(_metadata, &r, true);
	refused(_metadata, &r, r.len, false, -EBADMSG, "the file descriptor is missing");
}

/* ------------------------------------------------------------- ebp_recv() */

static int send_fds(int sock, const void *p, size_t len, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memset(&control, 0, sizeof(control));
	mh.msg_control = control.buf;
	mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

TEST(recv_one_fd)
{
	_cleanup_(closep) int s0 = -1, s1 = -1, got = -1;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	int sv[2], next;
	struct raw r;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	raw_start(&r, EBP_MSG_W_ADD);
	raw_u64(&r, EBP_A_SESSION_ID, 1);
	raw_u32(&r, EBP_A_UID, 1000);
	raw_u32(&r, EBP_A_PID, 4242);
	ASSERT_EQ(0, send_fds(s0, r.b, r.len, &s0, 1));
	next_fds(&next, 1);
	EXPECT_EQ((ssize_t)r.len, ebp_recv(s1, buf, sizeof(buf), &got));
	/* It lands on the lowest free number, which the tests below rely on. */
	EXPECT_EQ(next, got);
	EXPECT_EQ(-EAGAIN, ebp_recv(s1, buf, sizeof(buf), &got));
}

TEST(recv_two_fds_refused_and_closed)
{
	_cleanup_(closep) int s0 = -1, s1 = -1;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	int sv[2], fds[2], next[2], got = -2;
	struct raw r;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	raw_start(&r, EBP_MSG_W_ADD);
	raw_u64(&r, EBP_A_SESSION_ID, 1);
	raw_u32(&r, EBP_A_UID, 1000);
	raw_u32(&r, EBP_A_PID, 4242);
	fds[0] = s0;
	fds[1] = s1;
	ASSERT_EQ(0, send_fds(s0, r.b, r.len, fds, 2));
	next_fds(next, 2);
	ASSERT_FALSE(fd_is_open(next[0]));
	ASSERT_FALSE(fd_is_open(next[1]));
	EXPECT_EQ(-EBADMSG, ebp_recv(s1, buf, sizeof(buf), &got));
	EXPECT_EQ(-2, got);
	EXPECT_FALSE(fd_is_open(next[0]));
	EXPECT_FALSE(fd_is_open(next[1]));
	/* The packet is gone; the connection is still usable. */
	EXPECT_EQ(-EAGAIN, ebp_recv(s1, buf, sizeof(buf), &got));
}

TEST(recv_fd_without_ret_fd)
{
	_cleanup_(closep) int s0 = -1, s1 = -1;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct nl_msg *m;
	int sv[2], next;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	ASSERT_EQ(0, ebp_send_empty(s0, EBP_MSG_DONE, 1));
	EXPECT_EQ(16, ebp_recv(s1, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, ebp_msg_new(EBP_MSG_DONE, 2, 0, &m));
	ASSERT_EQ(0, ebp_send(s0, m, s0));
	nlmsg_free(m);
	next_fds(&next, 1);
	EXPECT_EQ(-EBADMSG, ebp_recv(s1, buf, sizeof(buf), NULL));
	EXPECT_FALSE(fd_is_open(next));
}

TEST(recv_larger_than_cap)
{
	_cleanup_(closep) int s0 = -1, s1 = -1;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	uint8_t data[200] = { 0 };
	int sv[2], next, got = -2;
	struct nl_msg *m;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	ASSERT_EQ(0, ebp_msg_new(EBP_MSG_W_CALL, 1, sizeof(data), &m));
	ASSERT_EQ(0, nla_put_u32(m, EBP_A_FUNCTION, 1));
	ASSERT_EQ(0, nla_put_u32(m, EBP_A_OUT_MAX, 1));
	ASSERT_EQ(0, nla_put(m, EBP_A_DATA, sizeof(data), data));
	ASSERT_EQ(0, ebp_send(s0, m, -1));
	ASSERT_EQ(0, ebp_send(s0, m, s0));
	ASSERT_EQ(0, ebp_send(s0, m, -1));

	EXPECT_EQ(-EMSGSIZE, ebp_recv(s1, buf, 64, &got));
	EXPECT_EQ(-2, got);
	/* With a descriptor, which is closed. */
	next_fds(&next, 1);
	EXPECT_EQ(-EMSGSIZE, ebp_recv(s1, buf, 64, &got));
	EXPECT_EQ(-2, got);
	EXPECT_FALSE(fd_is_open(next));
	/* Exactly the size fits. */
	EXPECT_EQ((ssize_t)nlmsg_hdr(m)->nlmsg_len,
		  ebp_recv(s1, buf, nlmsg_hdr(m)->nlmsg_len, &got));
	EXPECT_EQ(-1, got);
	nlmsg_free(m);
}

TEST(recv_eof)
{
	_cleanup_(closep) int s1 = -1;
	uint8_t buf[64];
	int sv[2], got = -2;

	pair(_metadata, sv);
	s1 = sv[1];
	EXPECT_EQ(-EAGAIN, ebp_recv(s1, buf, sizeof(buf), &got));
	close(sv[0]);
	EXPECT_EQ(0, ebp_recv(s1, buf, sizeof(buf), &got));
	EXPECT_EQ(-1, got);
	/* And sending to a closed peer fails without SIGPIPE. */
	EXPECT_EQ(-EPIPE, ebp_send_empty(s1, EBP_MSG_DONE, 1));
}

/*
 * The largest DATA: nla_len is 16 bits, so no message may hold an attribute
 * of 64 KiB; libnl's nla_put() would wrap its length, and ebp_msg_new()
 * leaves no room for one.
 */
TEST(largest_data)
{
	_cleanup_(closep) int s0 = -1, s1 = -1;
	_cleanup_(freep) uint8_t *data = NULL, *buf = NULL;
	static const size_t too_big[] = { 65521, 65531, 65532, 65536, 65540, 128 * 1024 };
	const size_t n = 65520; /* 16 + 8 (STATUS) + 4 + 65520 = 65548 */
	struct ebp_msg pm;
	struct nl_msg *m;
	int sv[2], got;
	ssize_t len;

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];
	data = malloc(128 * 1024);
	buf = malloc(EBP_SESSION_MSG_MAX);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, buf);
	for (size_t i = 0; i < 128 * 1024; i++)
		data[i] = (uint8_t)(i * 131);

	ASSERT_EQ(0, ebp_msg_new(EBP_MSG_W_RESULT, 9, EBP_SESSION_MSG_MAX - 16, &m));
	ASSERT_EQ(0, nla_put_u32(m, EBP_A_STATUS, 0));
	ASSERT_EQ(0, nla_put(m, EBP_A_DATA, n, data));
	ASSERT_EQ(0, ebp_send(s0, m, -1));
	nlmsg_free(m);
	len = ebp_recv(s1, buf, EBP_SESSION_MSG_MAX, &got);
	ASSERT_EQ((ssize_t)(16 + 8 + 4 + n), len);
	ASSERT_EQ(0, ebp_parse(buf, len, false, &pm, NULL));
	ASSERT_EQ(n, (size_t)nla_len(pm.attrs[EBP_A_DATA]));
	EXPECT_EQ(0, memcmp(data, nla_data(pm.attrs[EBP_A_DATA]), n));

	for (size_t i = 0; i < ELEMENTSOF(too_big); i++) {
		ASSERT_EQ(0, ebp_msg_new(EBP_MSG_W_RESULT, 9, EBP_SESSION_MSG_MAX - 16, &m));
		ASSERT_EQ(0, nla_put_u32(m, EBP_A_STATUS, 0));
		EXPECT_NE(0, nla_put(m, EBP_A_DATA, too_big[i], data))
		TH_LOG("%zu bytes", too_big[i]);
		nlmsg_free(m);
	}
}

/* -------------------------------------------------------- ebp_send_error() */

static void recv_error(struct __test_metadata *_metadata, int sock, uint32_t id, uint32_t err,
		       uint32_t side, const char *text)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	const char *why = NULL;
	struct ebp_msg m;
	int got;
	ssize_t n;

	n = ebp_recv(sock, buf, sizeof(buf), &got);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, ebp_parse(buf, n, got >= 0, &m, &why)) TH_LOG("%s", why);
	EXPECT_EQ(EBP_MSG_ERROR, m.type);
	EXPECT_EQ(id, m.request_id);
	EXPECT_EQ(err, nla_get_u32(m.attrs[EBP_A_ERRNO]));
	EXPECT_EQ(side, nla_get_u32(m.attrs[EBP_A_SIDE]));
	EXPECT_STREQ(text, ebp_get_str(&m, EBP_A_MESSAGE));
}

TEST(send_error)
{
	_cleanup_(closep) int s0 = -1, s1 = -1;
	char long_text[600], want[EBP_ERROR_MSG_MAX];
	int sv[2];

	pair(_metadata, sv);
	s0 = sv[0];
	s1 = sv[1];

	ASSERT_EQ(0, ebp_send_error(s0, 3, -EACCES, EBP_SIDE_DAEMON, "user %u may not open %s",
				    1000u, "hello"));
	recv_error(_metadata, s1, 3, EACCES, EBP_SIDE_DAEMON, "user 1000 may not open hello");
	ASSERT_EQ(0, ebp_send_error(s0, 4, EDQUOT, EBP_SIDE_KERNEL, "%s", "at its EPC limit"));
	recv_error(_metadata, s1, 4, EDQUOT, EBP_SIDE_KERNEL, "at its EPC limit");
	ASSERT_EQ(0, ebp_send_error(s0, 5, -ECONNRESET, EBP_SIDE_ENCLAVE, "%s", ""));
	recv_error(_metadata, s1, 5, ECONNRESET, EBP_SIDE_ENCLAVE, "");

	/* Longer than MESSAGE may be: cut to EBP_ERROR_MSG_MAX - 1 characters. */
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	memcpy(want, long_text, sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	ASSERT_EQ(0, ebp_send_error(s0, 6, -ENOSPC, EBP_SIDE_KERNEL, "%s", long_text));
	recv_error(_metadata, s1, 6, ENOSPC, EBP_SIDE_KERNEL, want);
	EXPECT_EQ((size_t)EBP_ERROR_MSG_MAX - 1, strlen(want));
}

/*
 * DAEMON_STATUS's counters are optional: the reply of a daemon without them
 * (or with some) parses; each is a u64 and belongs to DAEMON_STATUS alone.
 */
TEST(daemon_status_counters)
{
	struct raw r;

	raw_start(&r, EBP_MSG_DAEMON_STATUS);
	raw_u32(&r, EBP_A_ATTESTATION, EBP_ATTESTATION_OK);
	raw_u32(&r, EBP_A_SESSIONS, 1);
	raw_u32(&r, EBP_A_INSTANCES, 1);
	raw_u32(&r, EBP_A_TENANTS, 1);
	accepted(_metadata, &r, false); /* an older daemon's */
	raw_u64(&r, EBP_A_REFUSED_QUOTA, 3);
	raw_u64(&r, EBP_A_OPENS, 7);
	accepted(_metadata, &r, false); /* some, in any order */
	raw_u32(&r, EBP_A_QUOTES, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute of the wrong size");

	raw_close(&r);
	raw_u64(&r, EBP_A_CALLS_TOTAL, 1);
	refused(_metadata, &r, r.len, false, -EBADMSG, "attribute not allowed in this message");
}

TEST_HARNESS_MAIN
