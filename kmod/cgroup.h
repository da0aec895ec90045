/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_CGROUP_H
#define EB_CGROUP_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct cgroup;

/**
 * struct eb_cg - EPC accounting of one cgroup v2 cgroup
 * @ref:	held by enclaves charged here, by children, and by the
 *		registry while a limit is set
 * @id:		the cgroup's id (its inode number in cgroupfs)
 * @cgrp:	the cgroup, referenced; may be removed (dying) meanwhile
 * @parent:	accounting of the parent cgroup, referenced; NULL at the root
 * @usage:	bytes charged here and below
 * @max:	limit in bytes; U64_MAX for none
 * @peak:	highest @usage seen
 * @events:	allocations refused at this cgroup's limit or an
 *		ancestor's, counted at every level from the limiting one up
 * @events_local: allocations refused at this cgroup's own limit
 * @enclaves:	live enclaves charged directly to this cgroup
 * @limited:	the registry holds a reference for the limit (eb_cg_mutex)
 * @kobj:	/sys/kernel/ebroker/cgroups/<id>
 * @hit_lock:	protects the four hit_ fields below
 * @hit_usage:	the latest refused charge at this limit: what was charged,
 * @hit_max:	the limit it was compared with,
 * @hit_requested: and the bytes asked for
 * @hit_queued:	queued for the report of refusals (holding a reference)
 * @hit_node:	in that queue
 *
 * Charging touches only the atomics, walking @parent, so the allocation
 * path takes no lock; a refusal takes only @hit_lock of the limiting entry.
 */
struct eb_cg {
	struct kref ref;
	u64 id;
	struct cgroup *cgrp;
	struct eb_cg *parent;
	atomic64_t usage;
	atomic64_t max;
	atomic64_t peak;
	atomic64_t events;
	atomic64_t events_local;
	atomic_t enclaves;
	bool limited;
	struct kobject kobj;
	spinlock_t hit_lock;	/* the hit_ fields */
	u64 hit_usage;
	u64 hit_max;
	u64 hit_requested;
	bool hit_queued;
	struct llist_node hit_node;
};

#define EB_CG_MAX	U64_MAX

int eb_cg_init(struct kobject *parent);
void eb_cg_exit(void);

struct eb_cg *eb_cg_get(struct cgroup *cgrp);
void eb_cg_put(struct eb_cg *cg);
struct cgroup *eb_cg_current(void);

int eb_cg_try_charge(struct eb_cg *cg, u64 bytes, u64 *ret_limit_id);

/**
 * eb_cg_commit() - record peaks after a charge became an allocation
 * @cg: the cgroup charged by eb_cg_try_charge()
 *
 * Inline: it runs for every enclave page, right after the charge.
 *
 * Context: any; takes no lock.
 */
static inline void eb_cg_commit(struct eb_cg *cg)
{
	struct eb_cg *i;

	for (i = cg; i; i = i->parent) {
		s64 usage = atomic64_read(&i->usage);
		s64 old = atomic64_read(&i->peak);

		while (usage > old)
			if (atomic64_try_cmpxchg(&i->peak, &old, usage))
				break;
	}
}

void eb_cg_uncharge(struct eb_cg *cg, u64 bytes);

int eb_cg_set_limit(struct cgroup *cgrp, u64 max);
struct cgroup *eb_cg_lookup_path(const char *path);
int eb_cg_for_each(unsigned long *pos, int (*fn)(struct eb_cg *, void *),
		   void *arg, unsigned int *ret_gen);
int eb_cg_with(struct cgroup *cgrp, int (*fn)(struct eb_cg *, void *),
	       void *arg);
bool eb_cg_removed(struct eb_cg *cg);

#endif /* EB_CGROUP_H */
