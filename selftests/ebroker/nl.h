/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal generic netlink client for the selftests: raw sockets and
 * hand-built messages, so tests can send exactly the malformed input they
 * mean to, independently of the library ebrokerctl uses.
 */
#ifndef EB_NL_H
#define EB_NL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ebroker_genl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NL_BUF 65536

struct nl {
	int fd;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	char extack[256]; /* the last error's extack message */
};

/* A message under construction. */
struct nlmsg {
	union {
		struct nlmsghdr h;
		char buf[8192];
	};
	size_t nest[8];
	int depth;
};

static inline void *nlmsg_tail(struct nlmsg *m)
{
	return m->buf + NLMSG_ALIGN(m->h.nlmsg_len);
}

static inline void nlmsg_init(struct nl *nl, struct nlmsg *m, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	m->h.nlmsg_type = nl->family;
	m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->h.nlmsg_seq = ++nl->seq;
	g = NLMSG_DATA(&m->h);
	g->cmd = cmd;
	g->version = EB_GENL_VERSION;
}

/* Append an attribute with @len bytes of payload (which may be NULL). */
static inline void nla_add(struct nlmsg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nlmsg_tail(m);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void nla_add_u64(struct nlmsg *m, uint16_t type, uint64_t v)
{
	nla_add(m, type, &v, sizeof(v));
}

static inline void nla_add_u32(struct nlmsg *m, uint16_t type, uint32_t v)
{
	nla_add(m, type, &v, sizeof(v));
}

static inline void nla_add_str(struct nlmsg *m, uint16_t type, const char *s)
{
	nla_add(m, type, s, strlen(s) + 1);
}

static inline void nla_nest_begin(struct nlmsg *m, uint16_t type)
{
	m->nest[m->depth++] = NLMSG_ALIGN(m->h.nlmsg_len);
	nla_add(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void nla_nest_close(struct nlmsg *m)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->nest[--m->depth]);

	a->nla_len = m->h.nlmsg_len - m->nest[m->depth];
}

/* Attributes of a message or a nest, by type (last one wins). */
static inline void nla_index(const void *start, size_t len, const struct nlattr **tb, int max)
{
	const struct nlattr *a = start;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len) < len ? NLA_ALIGN(a->nla_len) : len;
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static inline const void *nla_payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t nla_payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && nla_payload_len(a) == 8)
		memcpy(&v, nla_payload(a), 8);
	return v;
}

static inline uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && nla_payload_len(a) == 4)
		memcpy(&v, nla_payload(a), 4);
	return v;
}

/* The genl attributes of a received message. */
static inline void nl_attrs(const struct nlmsghdr *h, const struct nlattr **tb, int max)
{
	nla_index((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
		  h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), tb, max);
}

static inline void nl_nested(const struct nlattr *nest, const struct nlattr **tb, int max)
{
	nla_index(nla_payload(nest), nla_payload_len(nest), tb, max);
}

/*
 * Callback for each non-error message of a reply; return non-zero to stop
 * (that value is returned by nl_talk()).
 */
typedef int (*nl_cb)(const struct nlmsghdr *h, void *arg);

/* Record an error message's errno and extack text. */
static inline int nl_error(struct nl *nl, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	nl->extack[0] = 0;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (h->nlmsg_flags & NLM_F_ACK_TLVS && NLMSG_LENGTH(off) <= h->nlmsg_len) {
		nla_index((const char *)e + off, h->nlmsg_len - NLMSG_LENGTH(off), tb,
			  NLMSGERR_ATTR_MAX);
		if (tb[NLMSGERR_ATTR_MSG])
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 (const char *)nla_payload(tb[NLMSGERR_ATTR_MSG]));
	}
	return e->error;
}

/*
 * Send @m and read the reply until its ACK (or DONE for dumps). Returns 0,
 * the negative errno the kernel answered with, or what @cb returned. Sets
 * *@intr when a dump message was flagged NLM_F_DUMP_INTR.
 */
static inline int nl_talk(struct nl *nl, struct nlmsg *m, nl_cb cb, void *arg, bool *intr)
{
	static char buf[NL_BUF];
	bool dump = m->h.nlmsg_flags & NLM_F_DUMP;
	ssize_t n;

	/* Dumps end with NLMSG_DONE and are not acknowledged besides. */
	if (dump)
		m->h.nlmsg_flags &= ~NLM_F_ACK;
	int ret = 0;

	if (send(nl->fd, m->buf, m->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->h.nlmsg_seq)
				continue;
			if (intr && (h->nlmsg_flags & NLM_F_DUMP_INTR))
				*intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = nl_error(nl, h);

				return err ? err : ret;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's DONE carries its status (and extack). */
				int err = 0;

				if (dump && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
					const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
					size_t off = NLMSG_ALIGN(sizeof(int));

					memcpy(&err, NLMSG_DATA(h), sizeof(err));
					nl->extack[0] = 0;
					if (h->nlmsg_len > NLMSG_LENGTH(off)) {
						nla_index((const char *)NLMSG_DATA(h) + off,
							  h->nlmsg_len - NLMSG_LENGTH(off), tb,
							  NLMSGERR_ATTR_MAX);
						if (tb[NLMSGERR_ATTR_MSG])
							snprintf(nl->extack, sizeof(nl->extack),
								 "%s",
								 (const char *)nla_payload(
								     tb[NLMSGERR_ATTR_MSG]));
					}
				}
				return err ? err : ret;
			}
			if (cb && !ret)
				ret = cb(h, arg);
		}
	}
}

static inline int nl_resolve_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nl *nl = arg;

	nl_attrs(h, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -ENOENT;
	memcpy(&nl->family, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *grps = tb[CTRL_ATTR_MCAST_GROUPS], *a;
		size_t len = nla_payload_len(grps);

		for (a = nla_payload(grps); len >= NLA_HDRLEN && a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		    a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
			nl_nested(a, g, CTRL_ATTR_MCAST_GRP_MAX);
			if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(nla_payload(g[CTRL_ATTR_MCAST_GRP_NAME]), EB_GENL_MCGRP_EVENTS))
				nl->events_group = nla_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
			if (NLA_ALIGN(a->nla_len) >= len)
				break;
		}
	}
	return 0;
}

/* Open a socket and resolve the "ebroker" family. */
static inline int nl_open(struct nl *nl)
{
	struct nlmsg m;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = GENL_ID_CTRL;
	nlmsg_init(nl, &m, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)NLMSG_DATA(&m.h))->version = 1;
	nla_add_str(&m, CTRL_ATTR_FAMILY_NAME, EB_GENL_NAME);
	nl->family = 0;
	ret = nl_talk(nl, &m, nl_resolve_cb, nl, NULL);
	if (!ret && !nl->family)
		ret = -ENOENT;
	return ret;
}

/* EB_CMD_SET_LIMIT of the cgroup at @path; 0 or -errno. */
static inline int nl_set_limit_path(struct nl *nl, const char *path, uint64_t limit)
{
	struct nlmsg m;

	nlmsg_init(nl, &m, EB_CMD_SET_LIMIT, 0);
	nla_nest_begin(&m, EB_A_CGROUP);
	nla_add_str(&m, EB_CG_A_PATH, path);
	nla_add_u64(&m, EB_CG_A_LIMIT, limit);
	nla_nest_close(&m);
	return nl_talk(nl, &m, NULL, NULL, NULL);
}

static inline void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

#endif /* EB_NL_H */
