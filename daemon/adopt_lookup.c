// SPDX-License-Identifier: GPL-2.0
/*
 * What taking sessions back (session_adopt()) asks of NSS and /proc, asked
 * once per uid and once per client pid while one restart's workers are
 * taken back, not once per session: a restarted daemon may take back ten
 * thousand sessions of a few hundred clients, and an NSS lookup alone
 * costs milliseconds when nss-systemd is asked. The answers are forgotten
 * once every worker has been taken back (restart_adopted()), so a later
 * restart, or a policy reload, asks again.
 */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>

#include "common/util.h"

#include "daemon.h"

#define LOOKUP_BITS 8

struct known_user {
	struct list_head link;
	uid_t uid;
	gid_t gid; /* (gid_t)-1: NSS does not know the uid */
	size_t n_groups;
	gid_t groups[];
};

struct known_client {
	struct list_head link;
	pid_t pid;
	bool alive;   /* /proc answered */
	uid_t uid;    /* real uid */
	char *cgpath; /* NULL: not in a live cgroup v2 */
};

struct adopt_lookups {
	struct list_head users[1 << LOOKUP_BITS];
	struct list_head clients[1 << LOOKUP_BITS];
};

static struct list_head *slot(struct list_head *table, uint64_t key)
{
	return &table[(key * 0x9e3779b97f4a7c15ULL) >> (64 - LOOKUP_BITS)];
}

static struct adopt_lookups *lookups(struct daemon *d)
{
	if (!d->lookups) {
		d->lookups = malloc(sizeof(*d->lookups));
		if (!d->lookups)
			return NULL;
		for (size_t i = 0; i < ELEMENTSOF(d->lookups->users); i++) {
			list_init(&d->lookups->users[i]);
			list_init(&d->lookups->clients[i]);
		}
	}
	return d->lookups;
}

static struct known_user *user_lookup(uid_t uid)
{
	gid_t groups[PEER_GROUPS_MAX];
	struct passwd pw, *pwp = NULL;
	struct known_user *u;
	int n = PEER_GROUPS_MAX;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp)
		n = -1;
	else if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		n = 0;
	u = calloc(1, sizeof(*u) + (n > 0 ? n : 0) * sizeof(gid_t));
	if (!u)
		return NULL;
	u->uid = uid;
	u->gid = n < 0 ? (gid_t)-1 : pw.pw_gid;
	u->n_groups = n > 0 ? (size_t)n : 0;
	memcpy(u->groups, groups, u->n_groups * sizeof(gid_t));
	return u;
}

int adopt_lookup_user(struct daemon *d, uid_t uid, struct peer *p)
{
	struct adopt_lookups *l = lookups(d);
	struct list_head *head;
	struct known_user *u;

	if (!l)
		return -ENOMEM;
	head = slot(l->users, uid);
	list_for_each_entry (u, head, link)
		if (u->uid == uid)
			goto found;
	u = user_lookup(uid);
	if (!u)
		return -ENOMEM;
	list_add_tail(&u->link, head);
found:
	p->gid = u->gid;
	p->n_groups = u->n_groups;
	memcpy(p->groups, u->groups, u->n_groups * sizeof(gid_t));
	return 0;
}

static int read_proc(pid_t pid, const char *what, char *buf, size_t cap)
{
	_cleanup_(closep) int fd = -1;
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read_full(fd, buf, cap - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static struct known_client *client_lookup(pid_t pid)
{
	struct known_client *c = calloc(1, sizeof(*c));
	char buf[4096], *p;
	unsigned int uid;

	if (!c)
		return NULL;
	c->pid = pid;
	if (read_proc(pid, "status", buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nUid:")) ||
	    sscanf(p + 5, "%u", &uid) != 1 || read_proc(pid, "cgroup", buf, sizeof(buf)) < 0)
		return c;
	c->alive = true;
	c->uid = uid;
	c->cgpath = peer_parse_cgroup(buf);
	return c;
}

bool adopt_lookup_client(struct daemon *d, pid_t pid, uid_t uid, const char *cgpath)
{
	struct adopt_lookups *l = lookups(d);
	struct list_head *head;
	struct known_client *c;

	if (!l)
		return false;
	head = slot(l->clients, (uint64_t)pid);
	list_for_each_entry (c, head, link)
		if (c->pid == pid)
			goto found;
	c = client_lookup(pid);
	if (!c)
		return false;
	list_add_tail(&c->link, head);
found:
	return c->alive && c->uid == uid && c->cgpath && !strcmp(c->cgpath, cgpath);
}

void adopt_lookup_forget(struct daemon *d)
{
	struct adopt_lookups *l = TAKE_PTR(d->lookups);

	if (!l)
		return;
	for (size_t i = 0; i < ELEMENTSOF(l->users); i++) {
		struct known_user *u, *un;
		struct known_client *c, *cn;

		list_for_each_entry_safe (u, un, &l->users[i], link)
			free(u);
		list_for_each_entry_safe (c, cn, &l->clients[i], link) {
			free(c->cgpath);
			free(c);
		}
	}
	free(l);
}
