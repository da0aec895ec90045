/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_EVENTS_H
#define EB_EVENTS_H

#include <linux/list.h>
#include <linux/types.h>

#include <linux/ebroker.h>
#include <linux/ebroker_genl.h>

/*
 * What an event says, copied when it is posted: the enclave or cgroup it
 * names may be gone by the time it is sent.
 */

/* An enclave, as the registry's readers may see it. */
struct eb_encl_view {
	u32 id;
	u32 state;
	u64 cgroup_id;
	u64 size;
	u64 pages;
	u64 attributes;
	pid_t owner;
	/* Set once state is EB_STATE_INITIALIZED. */
	u8 mrenclave[EB_HASH_SIZE];
	u8 mrsigner[EB_HASH_SIZE];
	u16 isv_prod_id;
	u16 isv_svn;
};

/* The pool's figures, in bytes. */
struct eb_pool_view {
	u64 total;
	u64 free;
	u64 low_water;
	u64 min_free;
};

/* The values that refused a charge at a cgroup's limit. */
struct eb_limit_hit {
	u64 cgroup_id;
	char *path;		/* kmalloc'd; owned by the event */
	u64 limit;
	u64 usage;		/* charged before the refused charge */
	u64 requested;
};

/**
 * struct eb_event - one event, queued for the sink
 * @node:	in the queue
 * @lost_before: events lost (queue full, no memory) just before this one
 * @cmd:	EB_CMD_EVENT_*
 */
struct eb_event {
	struct list_head node;
	u64 lost_before;
	u8 cmd;
	union {
		struct eb_encl_view encl;
		struct eb_pool_view pool;
		struct eb_limit_hit limit;
	};
};

/**
 * struct eb_event_sink - where queued events go (the netlink family)
 * @listening:	whether an event posted now would reach anyone; posting
 *		is skipped (and nothing numbered) when it would not
 * @send:	send one event as number @seq; runs in the queue's work
 *		item, one event at a time, in the order they were posted
 */
struct eb_event_sink {
	bool (*listening)(void);
	void (*send)(const struct eb_event *ev, u64 seq);
};

void eb_events_open(const struct eb_event_sink *sink);
void eb_events_close(void);
bool eb_events_wanted(void);

void eb_event_enclave(u8 cmd, const struct eb_encl_view *view);
void eb_event_pool(bool low, const struct eb_pool_view *view);
void eb_event_limit_hit(struct eb_limit_hit *hit);

#endif /* EB_EVENTS_H */
