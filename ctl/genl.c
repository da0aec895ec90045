// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ebroker", from userspace: requests, dumps that
 * repeat until consistent, and the events group. Replies are parsed with
 * policies as strict as the kernel's own: exact lengths for numbers and
 * measurements, NUL-terminated strings. Attributes this version does not
 * know are ignored, so a newer module still works with this tool.
 *
 * Errors the kernel reports keep their errno, and the extended ACK message
 * (NETLINK_EXT_ACK) is kept for the caller to print: libnl 3.7 hands it to
 * no one, so the error and DONE messages are read here.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "common/util.h"

#include "genl.h"

/* How many times a dump flagged NLM_F_DUMP_INTR is taken again. */
#define DUMP_TRIES 5

/* Events come in bursts (an enclave build, a pool running low): make room. */
#define EVENTS_RCVBUF (1 << 20)

struct ctl_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];
};

DEFINE_FREEP(struct nl_msg, nlmsg_free)
DEFINE_FREEP(struct nl_cb, nl_cb_put)

#define U64_POLICY                                        \
	{                                                 \
		.type = NLA_U64, .minlen = 8, .maxlen = 8 \
	}
#define U32_POLICY                                        \
	{                                                 \
		.type = NLA_U32, .minlen = 4, .maxlen = 4 \
	}
#define U16_POLICY                                        \
	{                                                 \
		.type = NLA_U16, .minlen = 2, .maxlen = 2 \
	}
#define HASH_POLICY                                                                \
	{                                                                          \
		.type = NLA_UNSPEC, .minlen = EB_HASH_SIZE, .maxlen = EB_HASH_SIZE \
	}

static struct nla_policy top_policy[EB_A_MAX + 1] = {
	[EB_A_POOL] = { .type = NLA_NESTED },	 [EB_A_CGROUP] = { .type = NLA_NESTED },
	[EB_A_ENCLAVE] = { .type = NLA_NESTED }, [EB_A_REQUESTED] = U64_POLICY,
	[EB_A_EVENT_SEQ] = U64_POLICY,		 [EB_A_DUMP_FLAGS] = U32_POLICY,
};

static struct nla_policy pool_policy[EB_POOL_A_MAX + 1] = {
	[EB_POOL_A_TOTAL] = U64_POLICY,
	[EB_POOL_A_FREE] = U64_POLICY,
	[EB_POOL_A_LOW_WATER] = U64_POLICY,
	[EB_POOL_A_MIN_FREE] = U64_POLICY,
	[EB_POOL_A_ENCLAVES] = U32_POLICY,
	[EB_POOL_A_BACKEND] = { .type = NLA_STRING,
				.maxlen = sizeof(((struct ctl_pool *)0)->backend) },
};

static struct nla_policy cgroup_policy[EB_CG_A_MAX + 1] = {
	[EB_CG_A_ID] = U64_POLICY,
	[EB_CG_A_PATH] = { .type = NLA_STRING, .maxlen = PATH_MAX },
	[EB_CG_A_LIMIT] = U64_POLICY,
	[EB_CG_A_CURRENT] = U64_POLICY,
	[EB_CG_A_PEAK] = U64_POLICY,
	[EB_CG_A_EVENTS] = U64_POLICY,
	[EB_CG_A_EVENTS_LOCAL] = U64_POLICY,
	[EB_CG_A_ENCLAVES] = U32_POLICY,
	[EB_CG_A_REMOVED] = { .type = NLA_FLAG },
};

static struct nla_policy enclave_policy[EB_ENCL_A_MAX + 1] = {
	[EB_ENCL_A_ID] = U32_POLICY,	      [EB_ENCL_A_CGROUP_ID] = U64_POLICY,
	[EB_ENCL_A_STATE] = U32_POLICY,	      [EB_ENCL_A_SIZE] = U64_POLICY,
	[EB_ENCL_A_PAGES] = U64_POLICY,	      [EB_ENCL_A_MRENCLAVE] = HASH_POLICY,
	[EB_ENCL_A_MRSIGNER] = HASH_POLICY,   [EB_ENCL_A_ATTRIBUTES] = U64_POLICY,
	[EB_ENCL_A_ISV_PROD_ID] = U16_POLICY, [EB_ENCL_A_ISV_SVN] = U16_POLICY,
	[EB_ENCL_A_OWNER_PID] = U32_POLICY,
};

static struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
};

/* libnl's error codes, for the few that reach us without the kernel's errno. */
static int nlerr_to_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
	case NLE_SEQ_MISMATCH:
	case NLE_PARSE_ERR:
	case NLE_DUMP_INTR:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

void ctl_nl_close(struct ctl_nl *nl)
{
	nl_socket_free(nl->sk);
	free(nl);
}

/* Connects and finds the family: -ENOPKG when the module is not loaded. */
int ctl_nl_open(struct ctl_nl **ret)
{
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, r;

	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	r = genl_connect(nl->sk);
	if (r < 0)
		return nlerr_to_errno(r);
	/* Error messages with the kernel's reason; kernels without it ignore this. */
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl_socket_enable_msg_peek(nl->sk);
	r = genl_ctrl_resolve(nl->sk, EB_GENL_NAME);
	if (r < 0)
		return r == -NLE_OBJ_NOTFOUND ? -ENOPKG : nlerr_to_errno(r);
	nl->family = r;
	*ret = TAKE_PTR(nl);
	return 0;
}

/* The kernel's message about the last refused request, or NULL. */
const char *ctl_nl_extack(const struct ctl_nl *nl)
{
	return nl->extack[0] ? nl->extack : NULL;
}

int ctl_nl_fd(const struct ctl_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/* ------------------------------------------------------------ parsing */

static uint64_t get_u64(const struct nlattr *a, uint64_t def)
{
	return a ? nla_get_u64(a) : def;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint16_t get_u16(const struct nlattr *a)
{
	return a ? nla_get_u16(a) : 0;
}

static int parse_pool(struct nlattr *nest, struct ctl_pool *ret)
{
	struct nlattr *tb[EB_POOL_A_MAX + 1];
	struct ctl_pool p = { 0 };

	if (nla_parse_nested(tb, EB_POOL_A_MAX, nest, pool_policy) < 0)
		return -EBADMSG;
	if (!tb[EB_POOL_A_TOTAL] || !tb[EB_POOL_A_FREE])
		return -EBADMSG;
	p.total = get_u64(tb[EB_POOL_A_TOTAL], 0);
	p.free = get_u64(tb[EB_POOL_A_FREE], 0);
	p.low_water = get_u64(tb[EB_POOL_A_LOW_WATER], 0);
	p.min_free = get_u64(tb[EB_POOL_A_MIN_FREE], 0);
	p.enclaves = get_u32(tb[EB_POOL_A_ENCLAVES]);
	if (tb[EB_POOL_A_BACKEND])
		nla_strlcpy(p.backend, tb[EB_POOL_A_BACKEND], sizeof(p.backend));
	*ret = p;
	return 0;
}

void ctl_cgroup_clear(struct ctl_cgroup *cg)
{
	free(cg->path);
	cg->path = NULL;
}

static int parse_cgroup(struct nlattr *nest, struct ctl_cgroup *ret)
{
	struct nlattr *tb[EB_CG_A_MAX + 1];
	struct ctl_cgroup cg = { 0 };

	if (nla_parse_nested(tb, EB_CG_A_MAX, nest, cgroup_policy) < 0)
		return -EBADMSG;
	if (!tb[EB_CG_A_ID] || !tb[EB_CG_A_PATH])
		return -EBADMSG;
	cg.id = get_u64(tb[EB_CG_A_ID], 0);
	cg.limit = get_u64(tb[EB_CG_A_LIMIT], EB_LIMIT_NONE);
	cg.current = get_u64(tb[EB_CG_A_CURRENT], 0);
	cg.peak = get_u64(tb[EB_CG_A_PEAK], 0);
	cg.events = get_u64(tb[EB_CG_A_EVENTS], 0);
	cg.events_local = get_u64(tb[EB_CG_A_EVENTS_LOCAL], 0);
	cg.enclaves = get_u32(tb[EB_CG_A_ENCLAVES]);
	cg.removed = nla_get_flag(tb[EB_CG_A_REMOVED]);
	cg.path = strdup(nla_get_string(tb[EB_CG_A_PATH]));
	if (!cg.path)
		return -ENOMEM;
	*ret = cg;
	return 0;
}

static int parse_enclave(struct nlattr *nest, struct ctl_enclave *ret)
{
	struct nlattr *tb[EB_ENCL_A_MAX + 1];
	struct ctl_enclave e = { 0 };

	if (nla_parse_nested(tb, EB_ENCL_A_MAX, nest, enclave_policy) < 0)
		return -EBADMSG;
	if (!tb[EB_ENCL_A_ID])
		return -EBADMSG;
	e.id = get_u32(tb[EB_ENCL_A_ID]);
	e.cgroup_id = get_u64(tb[EB_ENCL_A_CGROUP_ID], 0);
	e.state = get_u32(tb[EB_ENCL_A_STATE]);
	e.size = get_u64(tb[EB_ENCL_A_SIZE], 0);
	e.pages = get_u64(tb[EB_ENCL_A_PAGES], 0);
	e.attributes = get_u64(tb[EB_ENCL_A_ATTRIBUTES], 0);
	e.isv_prod_id = get_u16(tb[EB_ENCL_A_ISV_PROD_ID]);
	e.isv_svn = get_u16(tb[EB_ENCL_A_ISV_SVN]);
	e.owner_pid = get_u32(tb[EB_ENCL_A_OWNER_PID]);
	if (tb[EB_ENCL_A_MRENCLAVE] && tb[EB_ENCL_A_MRSIGNER]) {
		e.measured = true;
		memcpy(e.mrenclave, nla_data(tb[EB_ENCL_A_MRENCLAVE]), EB_HASH_SIZE);
		memcpy(e.mrsigner, nla_data(tb[EB_ENCL_A_MRSIGNER]), EB_HASH_SIZE);
	}
	*ret = e;
	return 0;
}

/* The top-level attributes of one message of the family. */
static int parse_top(struct nl_msg *msg, struct nlattr **tb)
{
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EB_A_MAX, top_policy) < 0)
		return -EBADMSG;
	return 0;
}

/* ----------------------------------------------------------- requests */

struct request {
	struct ctl_nl *nl;
	int (*item)(struct nlattr **tb, void *arg); /* per reply message */
	void *arg;
	int error;
	bool done;
	bool interrupted;
};

/* The NLMSGERR_ATTR_MSG that follows `skip` bytes of an error or DONE payload. */
static void extack_read(struct ctl_nl *nl, const struct nlmsghdr *nlh, size_t skip)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(skip);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || skip > nlh->nlmsg_len || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->extack, tb[NLMSGERR_ATTR_MSG], sizeof(nl->extack));
}

static int request_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct nlattr *tb[EB_A_MAX + 1];
	int r;

	if (!req->item)
		return NL_OK; /* a request answered by its ACK alone */
	r = parse_top(msg, tb);
	if (r == 0)
		r = req->item(tb, req->arg);
	if (r < 0) {
		req->error = r;
		req->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int request_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct request *req = arg;
	size_t skip = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		skip = sizeof(e->error) + e->msg.nlmsg_len;
	extack_read(req->nl, nlh, skip);
	req->error = e->error < 0 ? e->error : -e->error;
	req->done = true;
	return NL_STOP;
}

/* The end of a dump: its payload is the dump's errno (0 when it completed). */
static int request_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int err;

	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			extack_read(req->nl, nlh, sizeof(err));
			req->error = err;
		}
	}
	req->done = true;
	return NL_STOP;
}

static int request_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->done = true;
	return NL_STOP;
}

static int request_interrupted(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->interrupted = true;
	return NL_OK;
}

/* Sends msg and reads until its ACK, error or end of dump. */
static int request_run(struct ctl_nl *nl, struct nl_msg *msg, struct request *req)
{
	_cleanup_(nl_cb_putp) struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r;

	if (!cb)
		return -ENOMEM;
	req->nl = nl;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, request_valid, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, request_finish, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, request_ack, req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, request_interrupted, req);
	nl_cb_err(cb, NL_CB_CUSTOM, request_error, req);

	nl->extack[0] = 0;
	r = nl_send_auto(nl->sk, msg);
	if (r < 0)
		return nlerr_to_errno(r);
	while (!req->done) {
		r = nl_recvmsgs(nl->sk, cb);
		if (req->error)
			return req->error;
		if (r < 0)
			return nlerr_to_errno(r);
	}
	return req->error;
}

static struct nl_msg *request_new(struct ctl_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(PATH_MAX + 1024);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 EB_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* EB_A_CGROUP { PATH or ID [, LIMIT] }: what names one cgroup in a request. */
static int put_cgroup(struct nl_msg *msg, const char *path, uint64_t id, const uint64_t *limit)
{
	struct nlattr *nest = nla_nest_start(msg, EB_A_CGROUP);

	if (!nest)
		return -EMSGSIZE;
	if (path ? nla_put_string(msg, EB_CG_A_PATH, path) : nla_put_u64(msg, EB_CG_A_ID, id))
		return -EMSGSIZE;
	if (limit && nla_put_u64(msg, EB_CG_A_LIMIT, *limit))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * A dump: one item per message, each parsed from the top-level attribute
 * attr into an array of elements of the given size. Taken again, from
 * scratch, while the kernel flags it as interrupted.
 */
struct dump {
	uint8_t cmd;
	uint64_t id; /* EB_A_CGROUP { ID } filter, when not 0 */
	int attr;
	size_t size;
	int (*parse)(struct nlattr *nest, void *ret);
	void (*clear)(void *item); /* may be NULL */
	void *v;
	size_t n;
};

static int dump_item(struct nlattr **tb, void *arg)
{
	struct dump *d = arg;
	void *v;

	if (!tb[d->attr])
		return -EBADMSG;
	v = realloc(d->v, (d->n + 1) * d->size);
	if (!v)
		return -ENOMEM;
	d->v = v;
	if (d->parse(tb[d->attr], (char *)v + d->n * d->size) < 0)
		return -EBADMSG;
	d->n++;
	return 0;
}

static void dump_reset(struct dump *d)
{
	for (size_t i = 0; d->clear && i < d->n; i++)
		d->clear((char *)d->v + i * d->size);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* On success, d->v and d->n are the caller's. */
static int dump_run(struct ctl_nl *nl, struct dump *d)
{
	for (int i = 0; i < DUMP_TRIES; i++) {
		_cleanup_(nlmsg_freep) struct nl_msg *msg = request_new(nl, d->cmd, NLM_F_DUMP);
		struct request req = { .item = dump_item, .arg = d };
		int r;

		r = msg ? 0 : -ENOMEM;
		if (r == 0 && d->id)
			r = put_cgroup(msg, NULL, d->id, NULL);
		if (r == 0)
			r = request_run(nl, msg, &req);
		if (r == 0 && !req.interrupted)
			return 0;
		dump_reset(d);
		if (r < 0)
			return r;
	}
	/* It kept changing under us: say so rather than print a wrong picture. */
	return -EAGAIN;
}

static int pool_item(struct nlattr **tb, void *arg)
{
	if (!tb[EB_A_POOL])
		return -EBADMSG;
	return parse_pool(tb[EB_A_POOL], arg);
}

int ctl_get_pool(struct ctl_nl *nl, struct ctl_pool *ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = request_new(nl, EB_CMD_GET_POOL, 0);
	struct ctl_pool pool;
	struct request req = { .item = pool_item, .arg = &pool };
	int r;

	if (!msg)
		return -ENOMEM;
	r = request_run(nl, msg, &req);
	if (r < 0)
		return r;
	*ret = pool;
	return 0;
}

struct cgroup_one {
	struct ctl_cgroup cg;
	bool have;
};

static int cgroup_one_item(struct nlattr **tb, void *arg)
{
	struct cgroup_one *one = arg;

	if (!tb[EB_A_CGROUP] || one->have)
		return -EBADMSG;
	one->have = parse_cgroup(tb[EB_A_CGROUP], &one->cg) == 0;
	return one->have ? 0 : -EBADMSG;
}

/* One cgroup, by path within the hierarchy or (path NULL) by id. */
int ctl_get_cgroup(struct ctl_nl *nl, const char *path, uint64_t id, struct ctl_cgroup *ret)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = request_new(nl, EB_CMD_GET_CGROUP, 0);
	struct cgroup_one one = { 0 };
	struct request req = { .item = cgroup_one_item, .arg = &one };
	int r;

	if (!msg)
		return -ENOMEM;
	r = put_cgroup(msg, path, id, NULL);
	if (r < 0)
		return r;
	r = request_run(nl, msg, &req);
	if (r == 0 && !one.have)
		r = -EBADMSG;
	if (r < 0) {
		ctl_cgroup_clear(&one.cg);
		return r;
	}
	*ret = one.cg;
	return 0;
}

int ctl_set_limit(struct ctl_nl *nl, const char *path, uint64_t limit)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = request_new(nl, EB_CMD_SET_LIMIT, 0);
	struct request req = { .item = NULL };
	int r;

	if (!msg)
		return -ENOMEM;
	r = put_cgroup(msg, path, 0, &limit);
	if (r < 0)
		return r;
	return request_run(nl, msg, &req);
}

void ctl_cgroups_free(struct ctl_cgroup *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctl_cgroup_clear(&v[i]);
	free(v);
}

static int parse_cgroup_item(struct nlattr *nest, void *ret)
{
	return parse_cgroup(nest, ret);
}

static void clear_cgroup_item(void *item)
{
	ctl_cgroup_clear(item);
}

int ctl_dump_cgroups(struct ctl_nl *nl, struct ctl_cgroup **ret, size_t *ret_n)
{
	struct dump d = {
		.cmd = EB_CMD_GET_CGROUP,
		.attr = EB_A_CGROUP,
		.size = sizeof(struct ctl_cgroup),
		.parse = parse_cgroup_item,
		.clear = clear_cgroup_item,
	};
	int r;

	r = dump_run(nl, &d);
	if (r < 0)
		return r;
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}

static int parse_enclave_item(struct nlattr *nest, void *ret)
{
	return parse_enclave(nest, ret);
}

/* Every enclave, or (cgroup_id != 0) those charged to one cgroup. */
int ctl_dump_enclaves(struct ctl_nl *nl, uint64_t cgroup_id, struct ctl_enclave **ret,
		      size_t *ret_n)
{
	struct dump d = {
		.cmd = EB_CMD_GET_ENCLAVE,
		.id = cgroup_id,
		.attr = EB_A_ENCLAVE,
		.size = sizeof(struct ctl_enclave),
		.parse = parse_enclave_item,
	};
	int r;

	r = dump_run(nl, &d);
	if (r < 0)
		return r;
	*ret = d.v;
	*ret_n = d.n;
	return 0;
}

/* ------------------------------------------------------------- events */

/*
 * Joins the events group, and nlctrl's notifications to learn when the
 * family goes away; from then on, nl only reads events.
 */
int ctl_nl_subscribe(struct ctl_nl *nl)
{
	int grp, r;

	grp = genl_ctrl_resolve_grp(nl->sk, EB_GENL_NAME, EB_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return grp == -NLE_OBJ_NOTFOUND ? -ENOPKG : nlerr_to_errno(grp);
	(void)nl_socket_set_buffer_size(nl->sk, EVENTS_RCVBUF, 0);
	r = nl_socket_add_membership(nl->sk, grp);
	if (r < 0)
		return nlerr_to_errno(r);
	/* Without it an unloaded module looks like a quiet one: not fatal. */
	grp = genl_ctrl_resolve_grp(nl->sk, "nlctrl", "notify");
	if (grp >= 0)
		(void)nl_socket_add_membership(nl->sk, grp);
	return 0;
}

struct event_read {
	struct ctl_nl *nl;
	ctl_event_fn fn;
	void *userdata;
	int ret;
};

static struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING },
};

/* -ENOPKG when nlctrl says our family was unregistered, else 0. */
static int ctrl_event(struct nl_msg *msg, const struct ctl_nl *nl)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (((struct genlmsghdr *)nlmsg_data(nlh))->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, ctrl_policy) < 0)
		return 0;
	if (tb[CTRL_ATTR_FAMILY_ID] && nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == nl->family)
		return -ENOPKG;
	return 0;
}

static int event_valid(struct nl_msg *msg, void *arg)
{
	struct event_read *er = arg;
	struct nlattr *tb[EB_A_MAX + 1];
	struct ctl_event ev = { 0 };
	int r;

	if (nlmsg_hdr(msg)->nlmsg_type != er->nl->family) {
		r = nlmsg_hdr(msg)->nlmsg_type == GENL_ID_CTRL ? ctrl_event(msg, er->nl) : 0;
		er->ret = r;
		return r ? NL_STOP : NL_OK;
	}
	r = parse_top(msg, tb);
	ev.cmd = ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd;
	if (r == 0 && tb[EB_A_POOL]) {
		r = parse_pool(tb[EB_A_POOL], &ev.pool);
		ev.has_pool = r == 0;
	}
	if (r == 0 && tb[EB_A_CGROUP]) {
		r = parse_cgroup(tb[EB_A_CGROUP], &ev.cgroup);
		ev.has_cgroup = r == 0;
	}
	if (r == 0 && tb[EB_A_ENCLAVE]) {
		r = parse_enclave(tb[EB_A_ENCLAVE], &ev.enclave);
		ev.has_enclave = r == 0;
	}
	if (r == 0) {
		ev.has_seq = tb[EB_A_EVENT_SEQ];
		ev.seq = get_u64(tb[EB_A_EVENT_SEQ], 0);
		ev.has_requested = tb[EB_A_REQUESTED];
		ev.requested = get_u64(tb[EB_A_REQUESTED], 0);
		r = er->fn(&ev, er->userdata);
	}
	ctl_cgroup_clear(&ev.cgroup);
	if (r != 0) {
		er->ret = r;
		return NL_STOP;
	}
	return NL_OK;
}

static int event_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/*
 * Reads what one recvmsg() brings and calls fn for each event in it; fn
 * returns 0 to go on, anything else to stop (and that is returned). Returns
 * -ENOBUFS when events were lost because the socket's queue overflowed,
 * -ENOPKG when the module was unloaded.
 * (libnl folds that errno into its NLE_NOMEM; the pending socket error is
 * looked at first, so only a failed allocation racing with an overrun could
 * be taken for one.)
 */
int ctl_nl_read_events(struct ctl_nl *nl, ctl_event_fn fn, void *userdata)
{
	_cleanup_(nl_cb_putp) struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct event_read er = { .nl = nl, .fn = fn, .userdata = userdata };
	socklen_t len = sizeof(int);
	int err = 0, r;

	if (!cb)
		return -ENOMEM;
	if (getsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	if (err)
		return -err;
	/* Multicast messages carry no sequence number of ours. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, event_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_valid, &er);
	r = nl_recvmsgs(nl->sk, cb);
	if (er.ret)
		return er.ret;
	if (r == -NLE_NOMEM)
		return -ENOBUFS;
	return r < 0 ? nlerr_to_errno(r) : 0;
}

/* ---------------------------------------------------------------- names */

const char *ctl_cgroup_path(const struct ctl_cgroup *v, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].path;
	return NULL;
}

const char *ctl_enclave_state_name(uint32_t state)
{
	switch (state) {
	case EB_STATE_EMPTY:
		return "empty";
	case EB_STATE_CREATED:
		return "created";
	case EB_STATE_INITIALIZED:
		return "initialized";
	default:
		return "unknown";
	}
}

const char *ctl_event_name(uint8_t cmd)
{
	switch (cmd) {
	case EB_CMD_EVENT_LIMIT_HIT:
		return "limit_hit";
	case EB_CMD_EVENT_POOL_LOW:
		return "pool_low";
	case EB_CMD_EVENT_POOL_OK:
		return "pool_ok";
	case EB_CMD_EVENT_ENCLAVE_CREATED:
		return "enclave_created";
	case EB_CMD_EVENT_ENCLAVE_INITIALIZED:
		return "enclave_initialized";
	case EB_CMD_EVENT_ENCLAVE_RELEASED:
		return "enclave_released";
	default:
		return "unknown";
	}
}
