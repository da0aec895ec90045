// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cgroup EPC accounting with hierarchical limits.
 *
 * Every enclave page is charged to a cgroup v2 cgroup and to each of its
 * ancestors before it is taken from the pool, and uncharged when freed. A
 * charge that would take any level above its limit is refused and the
 * levels already charged are rolled back, as misc_cg_try_charge() does.
 *
 * Lifetime: struct eb_cg is found by cgroup id in a registry (xarray). An
 * entry lives while something references it: an enclave charged to it, a
 * child entry, a limit set by the admin (dropped when the cgroup is
 * removed), or a refusal at its limit not reported yet (for up to about
 * 20 ms). A removed cgroup therefore stays accounted until its last page
 * is freed, and its sysfs directory goes with its last reference.
 *
 * Locking: eb_cg_mutex serialises entry creation and destruction, limits
 * being set, and the registry's references. It nests inside encl->lock and
 * is never taken on the charge path, which only touches atomics. sysfs show
 * methods take none of the module's locks (path_show() takes the cgroup
 * core's cgroup_mutex, which is never held around eb_cg_mutex), so removing
 * a kobject under eb_cg_mutex cannot deadlock with them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/limits.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "cgroup.h"
#include "events.h"
#include "size.h"

/* How often limits on removed cgroups are looked for and dropped. */
#define EB_CG_REAP_INTERVAL	(2 * HZ)

static DEFINE_MUTEX(eb_cg_mutex);
static DEFINE_XARRAY(eb_cgs);
static unsigned int eb_cgs_gen = 1;	/* entries added or removed */
static struct kobject *eb_cgroups_kobj;
static void eb_cg_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(eb_cg_reap_work, eb_cg_reap);

static struct eb_cg *to_eb_cg(struct kobject *kobj)
{
	return container_of(kobj, struct eb_cg, kobj);
}

/*
 * A refused charge costs the refuser atomics only: the counters, and the
 * refusal's values recorded in the limiting entry. The entry is queued for
 * eb_cg_hits_work once until that runs, however many refusals follow, and
 * the work item does the rest: sysfs poll wake-ups, the log line and the
 * event, with the values of the latest refusal.
 */
static LLIST_HEAD(eb_cg_hits);
static void eb_cg_report_hits(struct work_struct *work);
static DECLARE_DELAYED_WORK(eb_cg_hits_work, eb_cg_report_hits);
/*
 * Refusals are reported at most this often: a tenant hammering its limit
 * costs listeners one event per cgroup per interval, however fast it
 * hammers (cgroup_file_notify() holds its wake-ups to 20 ms the same way).
 */
#define EB_CG_HITS_INTERVAL	(HZ / 50)
static DEFINE_RATELIMIT_STATE(eb_cg_refusal_rs, 5 * HZ, 10);

static void eb_cg_refused(struct eb_cg *limiting, u64 usage, u64 max,
			  u64 bytes)
{
	struct eb_cg *i;
	bool queue;

	atomic64_inc(&limiting->events_local);
	for (i = limiting; i; i = i->parent)
		atomic64_inc(&i->events);
	spin_lock(&limiting->hit_lock);
	limiting->hit_usage = usage;
	limiting->hit_max = max;
	limiting->hit_requested = bytes;
	queue = !limiting->hit_queued;
	limiting->hit_queued = true;
	spin_unlock(&limiting->hit_lock);
	if (!queue)
		return;
	/* The charging enclave holds @limiting (and its ancestors) meanwhile. */
	kref_get(&limiting->ref);
	llist_add(&limiting->hit_node, &eb_cg_hits);
	/* A no-op while pending: one report per interval for all refusals. */
	schedule_delayed_work(&eb_cg_hits_work, EB_CG_HITS_INTERVAL);
}

static void eb_cg_report_hit(struct eb_cg *cg)
{
	struct eb_limit_hit hit = { .cgroup_id = cg->id };
	bool log = __ratelimit(&eb_cg_refusal_rs);
	struct eb_cg *i;

	spin_lock(&cg->hit_lock);
	hit.usage = cg->hit_usage;
	hit.limit = cg->hit_max;
	hit.requested = cg->hit_requested;
	cg->hit_queued = false;
	spin_unlock(&cg->hit_lock);

	sysfs_notify(&cg->kobj, NULL, "events_local");
	for (i = cg; i; i = i->parent)
		sysfs_notify(&i->kobj, NULL, "events");
	if (log || eb_events_wanted()) {
		hit.path = kmalloc(PATH_MAX, GFP_KERNEL);
		if (hit.path && cgroup_path(cg->cgrp, hit.path, PATH_MAX) < 0) {
			kfree(hit.path);
			hit.path = NULL;
		}
	}
	if (log)
		pr_info("EPC limit of cgroup %s (id %llu) reached: %llu of %llu bytes used, %llu more refused\n",
			hit.path ? hit.path : "?", hit.cgroup_id, hit.usage,
			hit.limit, hit.requested);
	eb_event_limit_hit(&hit);
}

static void eb_cg_report_hits(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&eb_cg_hits));
	struct eb_cg *cg, *next;

	/* _safe: once reported, an entry may be queued again at once. */
	llist_for_each_entry_safe(cg, next, list, hit_node) {
		eb_cg_report_hit(cg);
		eb_cg_put(cg);
		cond_resched();
	}
}

/* The EBROKER_BENCH exports here are only for the benchmark module, bench/kmod. */
/**
 * eb_cg_try_charge() - charge bytes to a cgroup and all its ancestors
 * @cg: the charge target
 * @bytes: how much
 * @ret_limit_id: set to the id of the cgroup whose limit refused the
 *	charge (@cg or an ancestor), on -EDQUOT only; may be NULL
 *
 * Once the charged memory is really held, eb_cg_commit() records the peaks,
 * so that neither a refused charge nor a failed allocation counts as usage.
 *
 * Context: process context; takes no lock.
 * Return: 0, or -EDQUOT when a level's limit refuses (nothing charged).
 */
int eb_cg_try_charge(struct eb_cg *cg, u64 bytes, u64 *ret_limit_id)
{
	struct eb_cg *i, *j;
	s64 usage;

	u64 max;

	for (i = cg; i; i = i->parent) {
		usage = atomic64_add_return(bytes, &i->usage);
		max = atomic64_read(&i->max);
		if ((u64)usage > max)
			goto uncharge;
	}
	return 0;

uncharge:
	for (j = cg; j != i; j = j->parent)
		atomic64_sub(bytes, &j->usage);
	atomic64_sub(bytes, &i->usage);
	eb_cg_refused(i, usage - bytes, max, bytes);
	if (ret_limit_id)
		*ret_limit_id = i->id;
	return -EDQUOT;
}
EXPORT_SYMBOL_NS_GPL(eb_cg_try_charge, EBROKER_BENCH);

/**
 * eb_cg_uncharge() - undo eb_cg_try_charge()
 * @cg: the cgroup charged
 * @bytes: how much
 *
 * Context: any; takes no lock.
 */
void eb_cg_uncharge(struct eb_cg *cg, u64 bytes)
{
	struct eb_cg *i;

	for (i = cg; i; i = i->parent)
		WARN_ON_ONCE(atomic64_sub_return(bytes, &i->usage) < 0);
}
EXPORT_SYMBOL_NS_GPL(eb_cg_uncharge, EBROKER_BENCH);

/* ------------------------------------------------------------ lifetime */

/*
 * Free an entry whose last reference is gone, then its ancestors whose last
 * reference was the one just dropped. A loop rather than recursion: cgroup
 * trees can be deep, kernel stacks are not.
 */
static void eb_cg_release(struct kref *ref)
{
	struct eb_cg *cg = container_of(ref, struct eb_cg, ref);
	struct eb_cg *parent;

	lockdep_assert_held(&eb_cg_mutex);
	do {
		parent = cg->parent;
		WARN_ON_ONCE(atomic64_read(&cg->usage));
		xa_erase(&eb_cgs, cg->id);
		eb_cgs_gen++;
		kobject_del(&cg->kobj);
		cgroup_put(cg->cgrp);
		kobject_put(&cg->kobj);		/* frees cg */
		cg = parent;
	} while (cg && refcount_dec_and_test(&cg->ref.refcount));
}

static void eb_cg_kobj_release(struct kobject *kobj)
{
	kfree(to_eb_cg(kobj));
}

static const struct kobj_type eb_cg_ktype;

/* A new entry for @cgrp under @parent (referenced here), or an error. */
static struct eb_cg *eb_cg_new(struct cgroup *cgrp, struct eb_cg *parent)
{
	struct eb_cg *cg;
	int ret;

	lockdep_assert_held(&eb_cg_mutex);
	cg = kzalloc(sizeof(*cg), GFP_KERNEL);
	if (!cg)
		return ERR_PTR(-ENOMEM);
	kref_init(&cg->ref);
	spin_lock_init(&cg->hit_lock);
	cg->id = cgroup_id(cgrp);
	atomic64_set(&cg->max, EB_CG_MAX);
	ret = xa_insert(&eb_cgs, cg->id, cg, GFP_KERNEL);
	if (ret)
		goto free_cg;
	/* Before the kobject: path_show() may run as soon as it is added. */
	cgroup_get(cgrp);
	cg->cgrp = cgrp;
	ret = kobject_init_and_add(&cg->kobj, &eb_cg_ktype, eb_cgroups_kobj,
				   "%llu", cg->id);
	if (ret)
		goto put_kobj;
	if (parent)
		kref_get(&parent->ref);
	cg->parent = parent;
	eb_cgs_gen++;
	return cg;

put_kobj:
	xa_erase(&eb_cgs, cg->id);
	cgroup_put(cgrp);
	kobject_put(&cg->kobj);		/* frees cg */
	return ERR_PTR(ret);
free_cg:
	kfree(cg);
	return ERR_PTR(ret);
}

/*
 * The entry of @cgrp, referenced, creating it and any missing ancestors'
 * first. Ancestors are created from the top down, one per pass, without
 * recursion; each pass holds a reference on the entry it just made until
 * its child holds one.
 */
static struct eb_cg *eb_cg_get_locked(struct cgroup *cgrp)
{
	struct eb_cg *cg, *made = NULL;
	struct cgroup *c, *p;

	lockdep_assert_held(&eb_cg_mutex);
	/* Nothing new is charged to, or limited in, a removed cgroup. */
	if (css_is_dying(&cgrp->self))
		return ERR_PTR(-ENOENT);
	for (;;) {
		cg = xa_load(&eb_cgs, cgroup_id(cgrp));
		if (cg) {
			kref_get(&cg->ref);
			break;
		}
		/* The highest ancestor-or-self without an entry. */
		for (c = cgrp; (p = cgroup_parent(c)) &&
		     !xa_load(&eb_cgs, cgroup_id(p)); c = p)
			;
		cg = eb_cg_new(c, p ? xa_load(&eb_cgs, cgroup_id(p)) : NULL);
		if (IS_ERR(cg) || c == cgrp)
			break;
		if (made)
			kref_put(&made->ref, eb_cg_release);
		made = cg;
	}
	if (made)
		kref_put(&made->ref, eb_cg_release);
	return cg;
}

/**
 * eb_cg_get() - the accounting entry of a cgroup, created on first use
 * @cgrp: a cgroup v2 cgroup the caller holds a reference on
 *
 * Context: process context; takes eb_cg_mutex.
 * Return: a referenced entry, -ENOENT for a removed cgroup, or -ENOMEM.
 */
struct eb_cg *eb_cg_get(struct cgroup *cgrp)
{
	struct eb_cg *cg;

	mutex_lock(&eb_cg_mutex);
	cg = eb_cg_get_locked(cgrp);
	mutex_unlock(&eb_cg_mutex);
	return cg;
}
EXPORT_SYMBOL_NS_GPL(eb_cg_get, EBROKER_BENCH);

/**
 * eb_cg_current() - the caller's cgroup v2 cgroup
 *
 * Context: process context.
 * Return: the cgroup, referenced.
 */
struct cgroup *eb_cg_current(void)
{
	struct cgroup *cgrp;

	/* A failed tryget means the task is being moved out of a dying one. */
	rcu_read_lock();
	do {
		cgrp = task_dfl_cgroup(current);
	} while (!cgroup_tryget(cgrp));
	rcu_read_unlock();
	return cgrp;
}
EXPORT_SYMBOL_NS_GPL(eb_cg_current, EBROKER_BENCH);

/**
 * eb_cg_put() - drop a reference from eb_cg_get()
 * @cg: the entry; may be NULL
 *
 * Context: process context; may take eb_cg_mutex.
 */
void eb_cg_put(struct eb_cg *cg)
{
	if (cg && kref_put_mutex(&cg->ref, eb_cg_release, &eb_cg_mutex))
		mutex_unlock(&eb_cg_mutex);
}
EXPORT_SYMBOL_NS_GPL(eb_cg_put, EBROKER_BENCH);

/* Drop the limits of cgroups that were removed: nothing can run there. */
static void eb_cg_reap(struct work_struct *work)
{
	bool limits_left = false;
	struct eb_cg *cg;
	unsigned long id;

	mutex_lock(&eb_cg_mutex);
	xa_for_each(&eb_cgs, id, cg) {
		if (!cg->limited)
			continue;
		if (css_is_dying(&cg->cgrp->self)) {
			/*
			 * The value the charge path compares against goes
			 * too, before the reference that may free the entry:
			 * enclaves still charged here grow without it, and
			 * sysfs and netlink show no limit.
			 */
			atomic64_set(&cg->max, EB_CG_MAX);
			cg->limited = false;
			kref_put(&cg->ref, eb_cg_release);
		} else {
			limits_left = true;
		}
	}
	if (limits_left)
		schedule_delayed_work(&eb_cg_reap_work, EB_CG_REAP_INTERVAL);
	mutex_unlock(&eb_cg_mutex);
}

/* ---------------------------------------------------------------- sysfs */

/* Relative to the reader's cgroup namespace, as set_max takes paths. */
static ssize_t path_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct eb_cg *cg = to_eb_cg(kobj);
	int len;

	len = cgroup_path_ns(cg->cgrp, buf, PAGE_SIZE - 1,
			     current->nsproxy->cgroup_ns);
	if (len < 0)
		return len;
	len = strlen(buf);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t eb_cg_emit_bytes(char *buf, u64 v)
{
	if (v == EB_CG_MAX)
		return sysfs_emit(buf, "max\n");
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t max_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return eb_cg_emit_bytes(buf, atomic64_read(&to_eb_cg(kobj)->max));
}

static ssize_t usage_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return eb_cg_emit_bytes(buf, atomic64_read(&to_eb_cg(kobj)->usage));
}

static ssize_t peak_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return eb_cg_emit_bytes(buf, atomic64_read(&to_eb_cg(kobj)->peak));
}

static struct kobj_attribute max_attr = __ATTR_RO_MODE(max, 0400);
static struct kobj_attribute peak_attr = __ATTR_RO_MODE(peak, 0400);
/* Spelt out: "current" is a macro in kernel code. */
static struct kobj_attribute usage_attr = {
	.attr = { .name = "current", .mode = 0400 },
	.show = usage_show,
};

static ssize_t eb_cg_emit_count(char *buf, atomic64_t *count)
{
	return sysfs_emit(buf, "%llu\n", (u64)atomic64_read(count));
}

static ssize_t events_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return eb_cg_emit_count(buf, &to_eb_cg(kobj)->events);
}

static ssize_t events_local_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return eb_cg_emit_count(buf, &to_eb_cg(kobj)->events_local);
}

static struct kobj_attribute events_attr = __ATTR_RO_MODE(events, 0400);
static struct kobj_attribute events_local_attr =
	__ATTR_RO_MODE(events_local, 0400);

static ssize_t enclaves_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_eb_cg(kobj)->enclaves));
}

static struct kobj_attribute path_attr = __ATTR_RO_MODE(path, 0400);
static struct kobj_attribute enclaves_attr = __ATTR_RO_MODE(enclaves, 0400);

/*
 * Root's alone (0400): tenants must not read each other's figures, and
 * sysfs cannot show a reader its own cgroups and hide the others'. Netlink
 * GET_CGROUP can, and is how a tenant reads its own.
 */
static struct attribute *eb_cg_attrs[] = {
	&path_attr.attr,
	&max_attr.attr,
	&usage_attr.attr,
	&peak_attr.attr,
	&events_attr.attr,
	&events_local_attr.attr,
	&enclaves_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(eb_cg);

static const struct kobj_type eb_cg_ktype = {
	.release = eb_cg_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = eb_cg_groups,
};

/**
 * eb_cg_set_limit() - set or clear the limit of a cgroup
 * @cgrp: a referenced cgroup v2 cgroup (the reference stays the caller's)
 * @max: the limit in bytes, EB_CG_MAX for none
 *
 * Context: process context; takes eb_cg_mutex.
 * Return: 0; -EINVAL for the root cgroup; -ENOENT for a removed one;
 * -ENOMEM.
 */
int eb_cg_set_limit(struct cgroup *cgrp, u64 max)
{
	struct eb_cg *cg;

	if (!cgroup_parent(cgrp))
		return -EINVAL;		/* the root has no limit */

	mutex_lock(&eb_cg_mutex);
	cg = eb_cg_get_locked(cgrp);
	if (IS_ERR(cg)) {
		mutex_unlock(&eb_cg_mutex);
		return PTR_ERR(cg);
	}
	atomic64_set(&cg->max, max);
	if (max != EB_CG_MAX && !cg->limited) {
		cg->limited = true;
		kref_get(&cg->ref);
		schedule_delayed_work(&eb_cg_reap_work, EB_CG_REAP_INTERVAL);
	} else if (max == EB_CG_MAX && cg->limited) {
		cg->limited = false;
		kref_put(&cg->ref, eb_cg_release);
	}
	kref_put(&cg->ref, eb_cg_release);
	mutex_unlock(&eb_cg_mutex);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(eb_cg_set_limit, EBROKER_BENCH);

/**
 * eb_cg_lookup_path() - the cgroup at a path of the cgroup v2 hierarchy
 * @path: from the root of the caller's cgroup namespace, as
 *	/proc/self/cgroup shows it (cgroup_get_from_path() resolves it there)
 *
 * Context: process context, the caller's.
 * Return: a referenced cgroup, -EINVAL for a relative path, or -ENOENT (no
 * such cgroup, a file, or a cgroup being made or removed).
 */
struct cgroup *eb_cg_lookup_path(const char *path)
{
	struct cgroup *cgrp;

	if (path[0] != '/')
		return ERR_PTR(-EINVAL);
	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp) && PTR_ERR(cgrp) == -ENOTDIR)
		return ERR_PTR(-ENOENT);
	if (IS_ERR(cgrp) || cgrp == &cgrp_dfl_root.cgrp)
		return cgrp;
	/*
	 * The path walk also finds a cgroup whose mkdir has not finished: its
	 * directory exists before its parent is set, and it is marked online
	 * before that too. It is made visible (its files populated) after;
	 * x86 keeps those stores in order. Until then it is not there yet.
	 */
	if (!(READ_ONCE(cgrp->self.flags) & CSS_VISIBLE)) {
		cgroup_put(cgrp);
		return ERR_PTR(-ENOENT);
	}
	smp_rmb();	/* the flag, then the parent */
	if (WARN_ON_ONCE(!cgroup_parent(cgrp))) {
		cgroup_put(cgrp);
		return ERR_PTR(-ENOENT);
	}
	return cgrp;
}

/**
 * eb_cg_for_each() - call @fn on accounting entries, in id order
 * @pos: (in/out) the id to start at; on return, the id @fn stopped at
 * @fn: returns non-zero to stop (its value is returned)
 * @arg: passed to @fn
 * @ret_gen: set to the generation of the set of entries walked, which
 *	changes whenever one is added or removed (for consistent dumps)
 *
 * For dumps: the entries stay alive and eb_cg_mutex is held during @fn.
 *
 * Context: process context; takes eb_cg_mutex.
 * Return: 0 when every entry was visited, else what @fn returned.
 */
int eb_cg_for_each(unsigned long *pos, int (*fn)(struct eb_cg *, void *),
		   void *arg, unsigned int *ret_gen)
{
	struct eb_cg *cg;
	int ret = 0;

	mutex_lock(&eb_cg_mutex);
	*ret_gen = eb_cgs_gen;
	xa_for_each_start(&eb_cgs, *pos, cg, *pos) {
		ret = fn(cg, arg);
		if (ret)
			break;
	}
	mutex_unlock(&eb_cg_mutex);
	return ret;
}

/**
 * eb_cg_with() - call @fn on the entry of one cgroup, if it has one
 * @cgrp: a referenced cgroup
 * @fn: called with eb_cg_mutex held
 * @arg: passed to @fn
 *
 * Return: what @fn returned, or -ENODATA when the cgroup has no entry.
 */
int eb_cg_with(struct cgroup *cgrp, int (*fn)(struct eb_cg *, void *),
	       void *arg)
{
	struct eb_cg *cg;
	int ret = -ENODATA;

	mutex_lock(&eb_cg_mutex);
	cg = xa_load(&eb_cgs, cgroup_id(cgrp));
	if (cg)
		ret = fn(cg, arg);
	mutex_unlock(&eb_cg_mutex);
	return ret;
}

bool eb_cg_removed(struct eb_cg *cg)
{
	return css_is_dying(&cg->cgrp->self);
}

/*
 * cgroups/set_max: "PATH SIZE" or "PATH max". PATH is absolute within the
 * writer's cgroup namespace (as /proc/self/cgroup shows it), so a limit can
 * be set before anything runs in the cgroup. "max" removes the limit.
 */
static int eb_cg_set_max(const char *path, u64 max)
{
	struct cgroup *cgrp;
	int ret;

	cgrp = eb_cg_lookup_path(path);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);
	ret = eb_cg_set_limit(cgrp, max);
	cgroup_put(cgrp);
	return ret;
}

static ssize_t set_max_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	const char *value;
	char *path;
	size_t plen;
	u64 max;
	int ret;

	if (count >= PATH_MAX)
		return -ENAMETOOLONG;
	/* The value never has a space; a cgroup name may. */
	for (value = buf + count; value > buf && value[-1] != ' '; value--)
		;
	if (value == buf || buf[0] != '/')
		return -EINVAL;
	value--;
	plen = value - buf;
	value++;
	if (!strcmp(value, "max") || !strcmp(value, "max\n")) {
		max = EB_CG_MAX;
	} else {
		ret = eb_parse_size(value, count - (value - buf), &max);
		if (ret)
			return ret;
		if (max == EB_CG_MAX)
			return -ERANGE;
	}

	path = kmemdup_nul(buf, plen, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	ret = eb_cg_set_max(path, max);
	kfree(path);
	return ret ? ret : count;
}

static struct kobj_attribute set_max_attr = __ATTR_WO(set_max);

int eb_cg_init(struct kobject *parent)
{
	int ret;

	eb_cgroups_kobj = kobject_create_and_add("cgroups", parent);
	if (!eb_cgroups_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(eb_cgroups_kobj, &set_max_attr.attr);
	if (ret)
		kobject_put(eb_cgroups_kobj);
	return ret;
}

void eb_cg_exit(void)
{
	struct eb_cg *cg;
	unsigned long id;

	/* No more writers of limits, then no more reaping. */
	sysfs_remove_file(eb_cgroups_kobj, &set_max_attr.attr);
	cancel_delayed_work_sync(&eb_cg_reap_work);
	/* No enclave is left to be refused: report the last, drop their refs. */
	flush_delayed_work(&eb_cg_hits_work);
	mutex_lock(&eb_cg_mutex);
	xa_for_each(&eb_cgs, id, cg) {
		if (cg->limited) {
			cg->limited = false;
			kref_put(&cg->ref, eb_cg_release);
		}
	}
	WARN(!xa_empty(&eb_cgs), "ebroker: cgroup accounting entries leaked\n");
	mutex_unlock(&eb_cg_mutex);
	kobject_put(eb_cgroups_kobj);
}
