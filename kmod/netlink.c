// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ebroker": the admin view of the pool, the
 * per-cgroup accounting and the enclaves, and the "events" multicast group.
 * The protocol is documented in uapi/linux/ebroker_genl.h.
 *
 * Every request is validated strictly against a per-command policy: an
 * attribute a command does not take, a wrong length or an unknown flag bit
 * is refused with an extack message. Dumps compare the generation of the
 * set they walk (read under the set's lock, bumped whenever an enclave or
 * a cgroup entry comes or goes) between their parts, so a dump that raced
 * with such a change is flagged NLM_F_DUMP_INTR.
 *
 * Tenants distrust each other: GET_CGROUP shows a caller without
 * CAP_SYS_ADMIN only its own cgroup and those below it, and answers for any
 * other as for a cgroup that does not exist. Paths are read and printed in
 * the caller's cgroup namespace; events go to admins and carry full paths.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <linux/ebroker.h>

#include "cgroup.h"
#include "ebroker.h"
#include "encl.h"
#include "events.h"
#include "netlink.h"
#include "pool.h"

static struct genl_family eb_genl_family;
static bool eb_genl_registered;

enum eb_genl_mcgrp {
	EB_GENL_MCGRP_EVENTS_ID,
};

/* ----------------------------------------------------------- messages */

static int eb_put_pool(struct sk_buff *skb, const struct eb_pool_view *view)
{
	struct nlattr *nest = nla_nest_start(skb, EB_A_POOL);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_POOL_A_TOTAL, view->total,
			      EB_POOL_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_POOL_A_FREE, view->free, EB_POOL_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_POOL_A_LOW_WATER, view->low_water,
			      EB_POOL_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_POOL_A_MIN_FREE, view->min_free,
			      EB_POOL_A_PAD) ||
	    nla_put_u32(skb, EB_POOL_A_ENCLAVES, eb_encl_count()) ||
	    nla_put_string(skb, EB_POOL_A_BACKEND, EB_BACKEND_SIM)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * EB_CG_A_PATH from the root of @ns, as /proc/PID/cgroup shows it to a
 * process there (a cgroup outside @ns starts with "/.."), or the full path
 * for @ns NULL: events, which cgroup_path_ns() would make take cgroup_mutex.
 */
static int eb_put_cgroup_path(struct sk_buff *skb, struct cgroup *cgrp,
			      struct cgroup_namespace *ns)
{
	char *path;
	int ret;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	if (ns)
		ret = cgroup_path_ns(cgrp, path, PATH_MAX, ns);
	else
		ret = cgroup_path(cgrp, path, PATH_MAX);
	if (ret >= 0)
		ret = nla_put_string(skb, EB_CG_A_PATH, path);
	kfree(path);
	return ret;
}

/*
 * EB_A_CGROUP for an accounting entry, its path as eb_put_cgroup_path()
 * prints it for @ns; @full adds the counters.
 */
static int eb_put_cg(struct sk_buff *skb, struct eb_cg *cg,
		     struct cgroup_namespace *ns, bool full)
{
	struct nlattr *nest = nla_nest_start(skb, EB_A_CGROUP);
	int ret = -EMSGSIZE;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_CG_A_ID, cg->id, EB_CG_A_PAD))
		goto cancel;
	ret = eb_put_cgroup_path(skb, cg->cgrp, ns);
	if (ret)
		goto cancel;
	ret = -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_CG_A_LIMIT, atomic64_read(&cg->max),
			      EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_CURRENT, atomic64_read(&cg->usage),
			      EB_CG_A_PAD))
		goto cancel;
	if (full &&
	    (nla_put_u64_64bit(skb, EB_CG_A_PEAK, atomic64_read(&cg->peak),
			       EB_CG_A_PAD) ||
	     nla_put_u64_64bit(skb, EB_CG_A_EVENTS, atomic64_read(&cg->events),
			       EB_CG_A_PAD) ||
	     nla_put_u64_64bit(skb, EB_CG_A_EVENTS_LOCAL,
			       atomic64_read(&cg->events_local), EB_CG_A_PAD) ||
	     nla_put_u32(skb, EB_CG_A_ENCLAVES, atomic_read(&cg->enclaves)) ||
	     (eb_cg_removed(cg) && nla_put_flag(skb, EB_CG_A_REMOVED))))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return ret;
}

/* EB_A_CGROUP for a cgroup that has no entry: nothing charged, no limit. */
static int eb_put_cgroup_idle(struct sk_buff *skb, struct cgroup *cgrp,
			      struct cgroup_namespace *ns)
{
	struct nlattr *nest = nla_nest_start(skb, EB_A_CGROUP);
	int ret = -EMSGSIZE;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_CG_A_ID, cgroup_id(cgrp), EB_CG_A_PAD))
		goto cancel;
	ret = eb_put_cgroup_path(skb, cgrp, ns);
	if (ret)
		goto cancel;
	ret = -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_CG_A_LIMIT, EB_LIMIT_NONE, EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_CURRENT, 0, EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_PEAK, 0, EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_EVENTS, 0, EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_EVENTS_LOCAL, 0, EB_CG_A_PAD) ||
	    nla_put_u32(skb, EB_CG_A_ENCLAVES, 0))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return ret;
}

static int eb_put_encl(struct sk_buff *skb, const struct eb_encl_view *view)
{
	struct nlattr *nest = nla_nest_start(skb, EB_A_ENCLAVE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EB_ENCL_A_ID, view->id) ||
	    nla_put_u64_64bit(skb, EB_ENCL_A_CGROUP_ID, view->cgroup_id,
			      EB_ENCL_A_PAD) ||
	    nla_put_u32(skb, EB_ENCL_A_STATE, view->state) ||
	    nla_put_u64_64bit(skb, EB_ENCL_A_SIZE, view->size, EB_ENCL_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_ENCL_A_PAGES, view->pages,
			      EB_ENCL_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_ENCL_A_ATTRIBUTES, view->attributes,
			      EB_ENCL_A_PAD) ||
	    nla_put_u32(skb, EB_ENCL_A_OWNER_PID, view->owner))
		goto cancel;
	if (view->state == EB_STATE_INITIALIZED &&
	    (nla_put(skb, EB_ENCL_A_MRENCLAVE, EB_HASH_SIZE, view->mrenclave) ||
	     nla_put(skb, EB_ENCL_A_MRSIGNER, EB_HASH_SIZE, view->mrsigner) ||
	     nla_put_u16(skb, EB_ENCL_A_ISV_PROD_ID, view->isv_prod_id) ||
	     nla_put_u16(skb, EB_ENCL_A_ISV_SVN, view->isv_svn)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* EB_A_CGROUP and EB_A_REQUESTED of a limit hit: the values that refused. */
static int eb_put_limit_hit(struct sk_buff *skb, const struct eb_limit_hit *hit)
{
	struct nlattr *nest = nla_nest_start(skb, EB_A_CGROUP);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EB_CG_A_ID, hit->cgroup_id, EB_CG_A_PAD) ||
	    (hit->path && nla_put_string(skb, EB_CG_A_PATH, hit->path)) ||
	    nla_put_u64_64bit(skb, EB_CG_A_LIMIT, hit->limit, EB_CG_A_PAD) ||
	    nla_put_u64_64bit(skb, EB_CG_A_CURRENT, hit->usage, EB_CG_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return nla_put_u64_64bit(skb, EB_A_REQUESTED, hit->requested,
				 EB_A_PAD);
}

/* ------------------------------------------------------------ requests */

static const struct nla_policy eb_cg_policy[EB_CG_A_MAX + 1] = {
	[EB_CG_A_ID]	= { .type = NLA_U64 },
	[EB_CG_A_PATH]	= { .type = NLA_NUL_STRING, .len = PATH_MAX - 1 },
	[EB_CG_A_LIMIT]	= { .type = NLA_U64 },
};

static const struct nla_policy eb_cg_id_policy[EB_CG_A_MAX + 1] = {
	[EB_CG_A_ID]	= { .type = NLA_U64 },
};

static const struct nla_policy eb_get_cgroup_policy[EB_A_MAX + 1] = {
	[EB_A_CGROUP]	  = NLA_POLICY_NESTED(eb_cg_policy),
	[EB_A_DUMP_FLAGS] = NLA_POLICY_MASK(NLA_U32, EB_DUMP_F_ALL),
};

static const struct nla_policy eb_get_enclave_policy[EB_A_MAX + 1] = {
	[EB_A_CGROUP]	= NLA_POLICY_NESTED(eb_cg_id_policy),
};

static const struct nla_policy eb_set_limit_policy[EB_A_MAX + 1] = {
	[EB_A_CGROUP]	= NLA_POLICY_NESTED(eb_cg_policy),
};

/*
 * What a GET_CGROUP caller may see and how its paths read, fixed in the
 * sender's context when the request arrives: the later parts of a dump
 * run in whoever reads the socket.
 */
struct eb_cg_view {
	struct cgroup *scope;		/* NULL: every cgroup (an admin) */
	struct cgroup_namespace *ns;	/* paths are relative to its root */
};

/* The sender's view; @skb is its request. Release it when done. */
static void eb_cg_view_init(struct eb_cg_view *view, struct sk_buff *skb)
{
	view->scope = netlink_capable(skb, CAP_SYS_ADMIN) ? NULL :
		      eb_cg_current();
	view->ns = current->nsproxy->cgroup_ns;
	get_cgroup_ns(view->ns);
}

static void eb_cg_view_release(struct eb_cg_view *view)
{
	if (view->scope)
		cgroup_put(view->scope);
	put_cgroup_ns(view->ns);
}

static bool eb_cg_view_sees(const struct eb_cg_view *view,
			    struct cgroup *cgrp)
{
	return !view->scope || cgroup_is_descendant(cgrp, view->scope);
}

/*
 * The cgroup a request names in EB_A_CGROUP: by ID or by PATH, exactly one,
 * both looked up in the caller's cgroup namespace. @tb is the parsed nest.
 * A cgroup @view does not see reads exactly as one that does not exist.
 */
static struct cgroup *eb_genl_cgroup(struct nlattr **tb, struct nlattr *nest,
				     const struct eb_cg_view *view,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *name = tb[EB_CG_A_ID] ?: tb[EB_CG_A_PATH];
	struct cgroup *cgrp;

	if (!!tb[EB_CG_A_ID] == !!tb[EB_CG_A_PATH]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "name the cgroup by exactly one of ID and PATH");
		return ERR_PTR(-EINVAL);
	}
	if (tb[EB_CG_A_ID])	/* the v2 hierarchy only */
		cgrp = cgroup_get_from_id(nla_get_u64(tb[EB_CG_A_ID]));
	else
		cgrp = eb_cg_lookup_path(nla_data(tb[EB_CG_A_PATH]));
	if (IS_ERR(cgrp) && PTR_ERR(cgrp) == -EINVAL) {
		NL_SET_ERR_MSG_ATTR(extack, name, "the path must start with /");
		return cgrp;
	}
	if (!IS_ERR(cgrp) && view && !eb_cg_view_sees(view, cgrp)) {
		cgroup_put(cgrp);
		cgrp = ERR_PTR(-ENOENT);
	}
	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG_ATTR(extack, name, "no such cgroup");
		return ERR_PTR(-ENOENT);
	}
	return cgrp;
}

static int eb_genl_parse_cgroup(struct genl_info *info,
				const struct nla_policy *policy,
				struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[EB_A_CGROUP];

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "EB_A_CGROUP is required");
		return -EINVAL;
	}
	return nla_parse_nested(tb, EB_CG_A_MAX, nest, policy, info->extack);
}

static void *eb_genl_put_hdr(struct sk_buff *skb, struct genl_info *info,
			     u8 cmd)
{
	return genlmsg_put_reply(skb, info, &eb_genl_family, 0, cmd);
}

static int eb_genl_get_pool(struct sk_buff *skb, struct genl_info *info)
{
	struct eb_pool_view view;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = eb_genl_put_hdr(msg, info, EB_CMD_GET_POOL);
	eb_pool_view(&view);
	if (!hdr || eb_put_pool(msg, &view)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct eb_cg_reply {
	struct sk_buff *skb;
	struct cgroup_namespace *ns;
};

static int eb_genl_put_cg_full(struct eb_cg *cg, void *arg)
{
	struct eb_cg_reply *r = arg;

	return eb_put_cg(r->skb, cg, r->ns, true);
}

static int eb_genl_get_cgroup(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[EB_CG_A_MAX + 1];
	struct eb_cg_view view;
	struct eb_cg_reply r;
	struct cgroup *cgrp;
	void *hdr;
	int ret;

	ret = eb_genl_parse_cgroup(info, eb_cg_policy, tb);
	if (ret)
		return ret;
	if (tb[EB_CG_A_LIMIT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[EB_CG_A_LIMIT],
				    "LIMIT is for EB_CMD_SET_LIMIT");
		return -EINVAL;
	}
	if (info->attrs[EB_A_DUMP_FLAGS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EB_A_DUMP_FLAGS],
				    "DUMP_FLAGS is for dumps");
		return -EINVAL;
	}
	eb_cg_view_init(&view, skb);
	cgrp = eb_genl_cgroup(tb, info->attrs[EB_A_CGROUP], &view,
			      info->extack);
	if (IS_ERR(cgrp)) {
		ret = PTR_ERR(cgrp);
		goto release_view;
	}

	ret = -ENOMEM;
	r.ns = view.ns;
	r.skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!r.skb)
		goto put_cgrp;
	ret = -EMSGSIZE;
	hdr = eb_genl_put_hdr(r.skb, info, EB_CMD_GET_CGROUP);
	if (!hdr)
		goto free_msg;
	ret = eb_cg_with(cgrp, eb_genl_put_cg_full, &r);
	if (ret == -ENODATA)
		ret = eb_put_cgroup_idle(r.skb, cgrp, view.ns);
	if (ret)
		goto free_msg;
	cgroup_put(cgrp);
	eb_cg_view_release(&view);
	genlmsg_end(r.skb, hdr);
	return genlmsg_reply(r.skb, info);

free_msg:
	nlmsg_free(r.skb);
put_cgrp:
	cgroup_put(cgrp);
release_view:
	eb_cg_view_release(&view);
	return ret;
}

/*
 * GENL_ADMIN_PERM asks for CAP_NET_ADMIN; changing quotas and seeing other
 * tenants' enclaves is system administration, so ask for that too.
 */
static int eb_genl_check_admin(struct sk_buff *skb,
			       struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "CAP_SYS_ADMIN is required");
	return -EPERM;
}

static int eb_genl_set_limit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[EB_CG_A_MAX + 1];
	struct cgroup *cgrp;
	int ret;

	ret = eb_genl_check_admin(skb, info->extack);
	if (ret)
		return ret;

	ret = eb_genl_parse_cgroup(info, eb_cg_policy, tb);
	if (ret)
		return ret;
	if (!tb[EB_CG_A_LIMIT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EB_A_CGROUP],
				    "LIMIT is required");
		return -EINVAL;
	}
	/* An admin's request: every cgroup of its namespace. */
	cgrp = eb_genl_cgroup(tb, info->attrs[EB_A_CGROUP], NULL, info->extack);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	ret = eb_cg_set_limit(cgrp, nla_get_u64(tb[EB_CG_A_LIMIT]));
	cgroup_put(cgrp);
	if (ret == -EINVAL)
		NL_SET_ERR_MSG(info->extack, "the root cgroup has no limit");
	else if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "the cgroup was removed");
	return ret;
}

/* --------------------------------------------------------------- dumps */

struct eb_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 flags;
	u64 cgroup_id;		/* enclave dump filter; 0 for none */
	const struct eb_cg_view *view;	/* cgroup dumps */
	unsigned int gen;	/* generation of the set, read under its lock */
};

static void *eb_dump_hdr(struct eb_dump *d, u8 cmd)
{
	void *hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
				d->cb->nlh->nlmsg_seq, &eb_genl_family,
				NLM_F_MULTI, cmd);

	if (hdr) {
		d->cb->seq = d->gen;
		genl_dump_check_consistent(d->cb, hdr);
	}
	return hdr;
}

/*
 * The end of one dumpit call, after a walk that stopped at @pos with @ret.
 * cb->args[0]: the id to resume at; cb->args[1]: set once the walk is done.
 * A full message stops the walk at the entry that did not fit: the next
 * call resumes there, unless not even that one entry fits.
 */
static int eb_dump_done(struct eb_dump *d, unsigned long pos, int ret)
{
	d->cb->args[0] = pos;
	if (ret == -EMSGSIZE && d->skb->len)
		return d->skb->len;
	if (ret)
		return ret;
	d->cb->args[1] = 1;
	return d->skb->len;
}

static int eb_dump_one_cg(struct eb_cg *cg, void *arg)
{
	struct eb_dump *d = arg;
	void *hdr;
	int ret;

	if ((d->flags & EB_DUMP_F_LIMITED) && !cg->limited)
		return 0;
	if (!eb_cg_view_sees(d->view, cg->cgrp))
		return 0;

	hdr = eb_dump_hdr(d, EB_CMD_GET_CGROUP);
	if (!hdr)
		return -EMSGSIZE;
	ret = eb_put_cg(d->skb, cg, d->view->ns, true);
	if (ret) {
		genlmsg_cancel(d->skb, hdr);
		return ret;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* The sender's view, in cb->args[2..] from start to done. */
static struct eb_cg_view *eb_dump_view(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct eb_cg_view) >
		     sizeof(cb->args) - 2 * sizeof(cb->args[0]));
	return (struct eb_cg_view *)&cb->args[2];
}

static int eb_genl_dump_cgroups_start(struct netlink_callback *cb)
{
	eb_cg_view_init(eb_dump_view(cb), cb->skb);
	return 0;
}

static int eb_genl_dump_cgroups_done(struct netlink_callback *cb)
{
	eb_cg_view_release(eb_dump_view(cb));
	return 0;
}

/* Resumable across calls: see eb_dump_done(). */
static int eb_genl_dump_cgroups(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct eb_dump d = { .skb = skb, .cb = cb, .view = eb_dump_view(cb) };
	unsigned long pos = cb->args[0];
	int ret;

	if (cb->args[1])
		return 0;
	if (info->attrs[EB_A_CGROUP]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, info->attrs[EB_A_CGROUP],
				    "a cgroup dump takes no EB_A_CGROUP");
		return -EINVAL;
	}
	if (info->attrs[EB_A_DUMP_FLAGS])
		d.flags = nla_get_u32(info->attrs[EB_A_DUMP_FLAGS]);
	ret = eb_cg_for_each(&pos, eb_dump_one_cg, &d, &d.gen);
	return eb_dump_done(&d, pos, ret);
}

static int eb_dump_one_encl(struct eb_encl *encl, void *arg)
{
	struct eb_encl_view view;
	struct eb_dump *d = arg;
	void *hdr;

	if (d->cgroup_id && encl->cg->id != d->cgroup_id)
		return 0;
	hdr = eb_dump_hdr(d, EB_CMD_GET_ENCLAVE);
	if (!hdr)
		return -EMSGSIZE;
	eb_encl_view(encl, &view);
	if (eb_put_encl(d->skb, &view)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int eb_genl_dump_enclaves(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct eb_dump d = { .skb = skb, .cb = cb };
	unsigned long pos = cb->args[0];
	int ret;

	if (cb->args[1])
		return 0;
	ret = eb_genl_check_admin(cb->skb, cb->extack);
	if (ret)
		return ret;
	if (info->attrs[EB_A_CGROUP]) {
		struct nlattr *tb[EB_CG_A_MAX + 1];

		ret = nla_parse_nested(tb, EB_CG_A_MAX, info->attrs[EB_A_CGROUP],
				       eb_cg_id_policy, cb->extack);
		if (ret)
			return ret;
		if (!tb[EB_CG_A_ID]) {
			NL_SET_ERR_MSG_ATTR(cb->extack, info->attrs[EB_A_CGROUP],
					    "the filter needs the cgroup ID");
			return -EINVAL;
		}
		d.cgroup_id = nla_get_u64(tb[EB_CG_A_ID]);
	}
	ret = eb_encl_for_each(&pos, eb_dump_one_encl, &d, &d.gen);
	return eb_dump_done(&d, pos, ret);
}

/* -------------------------------------------------------------- events */

static bool eb_genl_listening(void)
{
	return READ_ONCE(eb_genl_registered) &&
	       genl_has_listeners(&eb_genl_family, &init_net,
				  EB_GENL_MCGRP_EVENTS_ID);
}

/* One queued event as message @seq (events.c numbers them and sends in order). */
static void eb_genl_send_event(const struct eb_event *ev, u64 seq)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &eb_genl_family, 0, ev->cmd);
	if (!hdr || nla_put_u64_64bit(skb, EB_A_EVENT_SEQ, seq, EB_A_PAD))
		goto free;
	switch (ev->cmd) {
	case EB_CMD_EVENT_LIMIT_HIT:
		ret = eb_put_limit_hit(skb, &ev->limit);
		break;
	case EB_CMD_EVENT_POOL_LOW:
	case EB_CMD_EVENT_POOL_OK:
		ret = eb_put_pool(skb, &ev->pool);
		break;
	default:
		ret = eb_put_encl(skb, &ev->encl);
		break;
	}
	if (ret)
		goto free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&eb_genl_family, skb, 0, EB_GENL_MCGRP_EVENTS_ID,
			  GFP_KERNEL);
	return;

free:
	nlmsg_free(skb);
}

static const struct eb_event_sink eb_genl_sink = {
	.listening = eb_genl_listening,
	.send = eb_genl_send_event,
};

/* -------------------------------------------------------------- family */

static const struct genl_ops eb_genl_ops[] = {
	{
		.cmd = EB_CMD_GET_POOL,
		.doit = eb_genl_get_pool,
	},
	{
		.cmd = EB_CMD_GET_CGROUP,
		.doit = eb_genl_get_cgroup,
		.start = eb_genl_dump_cgroups_start,
		.dumpit = eb_genl_dump_cgroups,
		.done = eb_genl_dump_cgroups_done,
		.policy = eb_get_cgroup_policy,
		.maxattr = EB_A_MAX,
	},
	{
		.cmd = EB_CMD_GET_ENCLAVE,
		.dumpit = eb_genl_dump_enclaves,
		.policy = eb_get_enclave_policy,
		.maxattr = EB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EB_CMD_SET_LIMIT,
		.doit = eb_genl_set_limit,
		.policy = eb_set_limit_policy,
		.maxattr = EB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group eb_genl_mcgrps[] = {
	[EB_GENL_MCGRP_EVENTS_ID] = {
		.name = EB_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family eb_genl_family __ro_after_init = {
	.name = EB_GENL_NAME,
	.version = EB_GENL_VERSION,
	.maxattr = EB_A_MAX,
	.module = THIS_MODULE,
	.ops = eb_genl_ops,
	.n_ops = ARRAY_SIZE(eb_genl_ops),
	.mcgrps = eb_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(eb_genl_mcgrps),
};

int eb_genl_init(void)
{
	int ret = genl_register_family(&eb_genl_family);

	if (ret)
		return ret;
	WRITE_ONCE(eb_genl_registered, true);
	eb_events_open(&eb_genl_sink);
	return 0;
}

void eb_genl_exit(void)
{
	/* Sysfs writes still raise pool events: they go nowhere from now on. */
	eb_events_close();
	WRITE_ONCE(eb_genl_registered, false);
	genl_unregister_family(&eb_genl_family);
}
