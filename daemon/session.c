// SPDX-License-Identifier: GPL-2.0
/*
 * The session table: live sessions hashed by id, ended ones in a list,
 * oldest first, kept SESSION_ENDED_KEEP_MS (at most SESSION_ENDED_KEEP_MAX)
 * so that their owner can still ask why they ended. Ids count up from 1 and
 * are never reused while the daemon runs.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>

#include "common/util.h"

#include "daemon.h"
#include "log.h"

static struct list_head *bucket(struct daemon *d, uint64_t id)
{
	return &d->session_buckets[(id * 0x9e3779b97f4a7c15ULL) >> 52];
}

/*
 * Live sessions per uid and per cgroup, for the policy's limits: counted as
 * sessions open and end, so that an OPEN costs the same with 10 sessions
 * or 10,000. A key's entry goes when its count drops to 0.
 */
struct session_count {
	struct list_head link;
	uint64_t key;
	unsigned int n;
};

static struct session_count *count_find(struct list_head *buckets, uint64_t key, bool create)
{
	struct list_head *b = &buckets[(key * 0x9e3779b97f4a7c15ULL) >> (64 - SESSION_COUNT_BITS)];
	struct session_count *c;

	list_for_each_entry (c, b, link)
		if (c->key == key)
			return c;
	if (!create)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->key = key;
		list_add_tail(&c->link, b);
	}
	return c;
}

static int count_add(struct list_head *buckets, uint64_t key)
{
	struct session_count *c = count_find(buckets, key, true);

	if (!c)
		return -ENOMEM;
	c->n++;
	return 0;
}

static void count_del(struct list_head *buckets, uint64_t key)
{
	struct session_count *c = count_find(buckets, key, false);

	if (c && --c->n == 0) {
		list_del(&c->link);
		free(c);
	}
}

static struct session *session_new_id(struct daemon *d, const struct peer *p, const char *enclave,
				      uint64_t id)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cgpath = strdup(p->cgpath);
	s->groups = malloc((p->n_groups ? p->n_groups : 1) * sizeof(gid_t));
	if (!s->cgpath || !s->groups) {
		free(s->cgpath);
		free(s->groups);
		free(s);
		return NULL;
	}
	memcpy(s->groups, p->groups, p->n_groups * sizeof(gid_t));
	s->n_groups = p->n_groups;
	s->gid = p->gid;
	s->id = id;
	s->uid = p->uid;
	s->pid = p->pid;
	s->cgid = p->cgid;
	snprintf(s->enclave, sizeof(s->enclave), "%s", enclave);
	s->opened_usec = now_usec();
	list_init(&s->hash_link);
	list_init(&s->inst_link);
	if (count_add(d->per_uid, s->uid) < 0) {
		session_free(s);
		return NULL;
	}
	if (count_add(d->per_cgroup, s->cgid) < 0) {
		count_del(d->per_uid, s->uid);
		session_free(s);
		return NULL;
	}
	list_add_tail(&s->hash_link, bucket(d, s->id));
	d->n_sessions++;
	return s;
}

struct session *session_new(struct daemon *d, const struct peer *p, const char *enclave)
{
	return session_new_id(d, p, enclave, session_id_next(d));
}

struct session *session_adopt(struct instance *in, uint64_t id, uid_t uid, pid_t pid,
			      uint64_t calls)
{
	struct peer p = { .uid = uid, .pid = pid, .cgid = in->pool->cgid };
	struct session *s;

	/*
	 * The worker's word, checked as far as the kernel allows after the
	 * fact: the client process lives, with that real uid, in the pool's
	 * cgroup. (It holds the other end; a session whose client is gone is
	 * of no use anyway.)
	 */
	p.cgpath = in->pool->cgpath;
	if (session_find(in->d, id) || !adopt_lookup_client(in->d, pid, uid, p.cgpath))
		return NULL;
	/* The user's groups as NSS has them now: what a reload re-checks them against. */
	if (adopt_lookup_user(in->d, uid, &p) < 0)
		return NULL;
	/* Never issued again: the mark moves past every id taken back. */
	while (in->d->next_session_id < id)
		(void)session_id_next(in->d);
	s = session_new_id(in->d, &p, in->pool->enclave, id);
	if (!s)
		return NULL;
	s->calls = calls;
	s->instance = in;
	s->instance_id = in->id;
	s->worker_pid = in->pid;
	list_add_tail(&s->inst_link, &in->sessions);
	in->n_sessions++;
	return s;
}

struct session *session_find(struct daemon *d, uint64_t id)
{
	struct session *s;

	list_for_each_entry (s, bucket(d, id), hash_link)
		if (s->id == id)
			return s;
	list_for_each_entry (s, &d->sessions_ended, hash_link)
		if (s->id == id)
			return s;
	return NULL;
}

void session_log(const struct session *s, const char *fmt, ...)
{
	char f_id[48], f_uid[32], f_enclave[96], f_cgroup[PATH_MAX + 16], text[1024];
	const char *const fields[] = { f_id, f_uid, f_enclave, f_cgroup, NULL };
	va_list ap;

	/* Journal fields, so that `journalctl EBROKER_UID=1001` finds a tenant's sessions. */
	snprintf(f_id, sizeof(f_id), "EBROKER_SESSION=%" PRIu64, s->id);
	snprintf(f_uid, sizeof(f_uid), "EBROKER_UID=%u", s->uid);
	snprintf(f_enclave, sizeof(f_enclave), "EBROKER_ENCLAVE=%s", s->enclave);
	snprintf(f_cgroup, sizeof(f_cgroup), "EBROKER_CGROUP=%s", s->cgpath);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_full(LOG_INFO, 0, fields, "session %" PRIu64 " (uid %u, %s, enclave %s) %s", s->id,
		 s->uid, s->cgpath, s->enclave, text);
}

void session_end(struct daemon *d, struct session *s, const char *reason)
{
	struct instance *in;

	if (s->reason)
		return;
	s->reason = strdup(reason);
	if (!s->reason)
		s->reason = strdup("?");
	s->ended_usec = now_usec();
	d->calls_ended += s->calls;
	in = s->instance;
	if (in) {
		in->n_sessions--;
		list_del(&s->inst_link);
		s->instance = NULL;
	}
	list_del(&s->hash_link);
	list_add_tail(&s->hash_link, &d->sessions_ended);
	d->n_sessions--;
	count_del(d->per_uid, s->uid);
	count_del(d->per_cgroup, s->cgid);
	d->n_ended++;
	session_log(s, "ended: %s", s->reason);
	if (in)
		instance_sessions_changed(in);
	sessions_expire(d);
}

void session_close(struct daemon *d, struct session *s, const char *reason)
{
	if (s->reason)
		return;
	if (s->instance)
		instance_drop_session(s->instance, s->id, reason);
	session_end(d, s, reason);
}

void session_free(struct session *s)
{
	list_del(&s->hash_link);
	list_del(&s->inst_link);
	free(s->cgpath);
	free(s->groups);
	free(s->reason);
	free(s);
}

void sessions_expire(struct daemon *d)
{
	uint64_t now = now_usec();
	struct session *s, *n;

	list_for_each_entry_safe (s, n, &d->sessions_ended, hash_link) {
		if (d->n_ended <= SESSION_ENDED_KEEP_MAX &&
		    now - s->ended_usec < SESSION_ENDED_KEEP_MS * 1000ULL)
			break;
		session_free(s);
		d->n_ended--;
	}
}

unsigned int sessions_of_uid(struct daemon *d, uid_t uid)
{
	struct session_count *c = count_find(d->per_uid, uid, false);

	return c ? c->n : 0;
}

unsigned int sessions_of_cgroup(struct daemon *d, uint64_t cgid)
{
	struct session_count *c = count_find(d->per_cgroup, cgid, false);

	return c ? c->n : 0;
}
