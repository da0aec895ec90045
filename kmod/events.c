// SPDX-License-Identifier: GPL-2.0
/*
 * The events queue. The core (enclaves, the pool, cgroup accounting)
 * posts what happened here, copied, and returns; a work item sends the
 * events to the sink, the netlink family, one at a time in the order they
 * were posted, numbering them as it goes. The core therefore never calls
 * into netlink, and no lock of the core is held while a message is built
 * or sent.
 *
 * The queue is bounded: an event posted to a full queue, or one that
 * cannot be allocated, is lost, and the next one sent carries a number
 * that many higher, so listeners see the gap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "events.h"

/* Events waiting at most; more are lost (a hostile tenant cannot grow it). */
#define EB_EVENTS_QUEUED_MAX	1024

static DEFINE_SPINLOCK(eb_events_lock);	/* everything below */
static LIST_HEAD(eb_events_queue);
static unsigned int eb_events_queued;
static u64 eb_events_lost;			/* since the last queued event */
static const struct eb_event_sink *eb_events_sink;
static u64 eb_events_seq;			/* the work item's only */

static void eb_events_drain(struct work_struct *work);
static DECLARE_WORK(eb_events_work, eb_events_drain);

static void eb_event_free(struct eb_event *ev)
{
	if (ev->cmd == EB_CMD_EVENT_LIMIT_HIT)
		kfree(ev->limit.path);
	kfree(ev);
}

static void eb_events_drain(struct work_struct *work)
{
	const struct eb_event_sink *sink;
	struct eb_event *ev;

	for (;;) {
		spin_lock(&eb_events_lock);
		ev = list_first_entry_or_null(&eb_events_queue,
					      struct eb_event, node);
		if (ev) {
			list_del(&ev->node);
			eb_events_queued--;
		}
		sink = eb_events_sink;
		spin_unlock(&eb_events_lock);
		if (!ev)
			return;
		eb_events_seq += ev->lost_before + 1;
		/* eb_events_close() waits for this work before the sink goes. */
		if (sink)
			sink->send(ev, eb_events_seq);
		eb_event_free(ev);
		cond_resched();
	}
}

/**
 * eb_events_open() - start sending events to @sink
 * @sink: lives until eb_events_close()
 */
void eb_events_open(const struct eb_event_sink *sink)
{
	spin_lock(&eb_events_lock);
	eb_events_sink = sink;
	spin_unlock(&eb_events_lock);
}

/**
 * eb_events_close() - stop sending; drop what is queued
 *
 * Context: process context; waits for an event being sent.
 */
void eb_events_close(void)
{
	struct eb_event *ev, *tmp;
	LIST_HEAD(dropped);

	spin_lock(&eb_events_lock);
	eb_events_sink = NULL;
	list_splice_init(&eb_events_queue, &dropped);
	eb_events_queued = 0;
	spin_unlock(&eb_events_lock);
	cancel_work_sync(&eb_events_work);
	list_for_each_entry_safe(ev, tmp, &dropped, node)
		eb_event_free(ev);
}

/**
 * eb_events_wanted() - whether an event posted now would be sent
 *
 * For posters that must do work to fill an event in.
 */
bool eb_events_wanted(void)
{
	const struct eb_event_sink *sink = READ_ONCE(eb_events_sink);

	return sink && sink->listening();
}

/* A new event for @cmd, or NULL when nobody listens or it is lost. */
static struct eb_event *eb_event_new(u8 cmd)
{
	struct eb_event *ev;

	if (!eb_events_wanted())
		return NULL;
	ev = kmalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev) {
		spin_lock(&eb_events_lock);
		eb_events_lost++;
		spin_unlock(&eb_events_lock);
		return NULL;
	}
	ev->cmd = cmd;
	return ev;
}

/* Queue @ev and wake the work item; or lose it if the queue is full. */
static void eb_event_post(struct eb_event *ev)
{
	bool queued = false;

	spin_lock(&eb_events_lock);
	if (eb_events_sink && eb_events_queued < EB_EVENTS_QUEUED_MAX) {
		ev->lost_before = eb_events_lost;
		eb_events_lost = 0;
		list_add_tail(&ev->node, &eb_events_queue);
		eb_events_queued++;
		queued = true;
	} else if (eb_events_sink) {
		eb_events_lost++;
	}
	spin_unlock(&eb_events_lock);
	if (queued)
		schedule_work(&eb_events_work);
	else
		eb_event_free(ev);
}

/**
 * eb_event_enclave() - post an enclave's creation, init or release
 * @cmd: EB_CMD_EVENT_ENCLAVE_*
 * @view: the enclave as it is now
 *
 * Context: process context; takes no lock the caller could hold.
 */
void eb_event_enclave(u8 cmd, const struct eb_encl_view *view)
{
	struct eb_event *ev = eb_event_new(cmd);

	if (!ev)
		return;
	ev->encl = *view;
	eb_event_post(ev);
}

/**
 * eb_event_pool() - post a crossing of the pool's low-water mark
 * @low: true when free fell below the mark, false when it is back
 * @view: the pool's figures now
 *
 * Context: process context.
 */
void eb_event_pool(bool low, const struct eb_pool_view *view)
{
	struct eb_event *ev = eb_event_new(low ? EB_CMD_EVENT_POOL_LOW :
					   EB_CMD_EVENT_POOL_OK);

	if (!ev)
		return;
	ev->pool = *view;
	eb_event_post(ev);
}

/**
 * eb_event_limit_hit() - post a charge refused at a cgroup's limit
 * @hit: what refused it; @hit->path (may be NULL) is taken over, freed
 *	here if the event is not sent
 *
 * Context: process context.
 */
void eb_event_limit_hit(struct eb_limit_hit *hit)
{
	struct eb_event *ev = eb_event_new(EB_CMD_EVENT_LIMIT_HIT);

	if (!ev) {
		kfree(hit->path);
		return;
	}
	ev->limit = *hit;
	eb_event_post(ev);
}
