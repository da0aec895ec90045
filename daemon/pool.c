// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: the instances of one enclave for one tenant cgroup. An instance
 * only ever serves sessions of its pool's cgroup, whose EPC it is charged
 * to. A session goes to the least-loaded ready instance; another instance
 * is started when all of them carry SessionsPerInstance= sessions and the
 * pool has fewer than MaxInstances=; a pool at its maximum (or whose
 * tenant has no EPC left for another instance) multiplexes onto the ones it
 * has. Instances above MinWarmInstances= stop after IdleTimeoutSec= without
 * sessions; once one instance is ready the pool is filled to
 * MinWarmInstances=. A pool with no instance left is freed.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/util.h"

#include "daemon.h"
#include "log.h"

struct pool *pool_get(struct daemon *d, const char *enclave, const struct peer *p)
{
	struct pool *pl;

	list_for_each_entry (pl, &d->pools, link)
		if (pl->cgid == p->cgid && !strcmp(pl->enclave, enclave))
			return pl;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return NULL;
	pl->cgfd = fcntl(p->cgfd, F_DUPFD_CLOEXEC, 3);
	pl->cgpath = strdup(p->cgpath);
	if (pl->cgfd < 0 || !pl->cgpath) {
		if (pl->cgfd >= 0)
			close(pl->cgfd);
		free(pl->cgpath);
		free(pl);
		return NULL;
	}
	pl->d = d;
	pl->cgid = p->cgid;
	snprintf(pl->enclave, sizeof(pl->enclave), "%s", enclave);
	list_init(&pl->instances);
	list_add_tail(&pl->link, &d->pools);
	return pl;
}

struct pool *pool_get_system(struct daemon *d, const char *enclave)
{
	const char *root = "/sys/fs/cgroup";
	struct peer p = { .cgfd = -1 };
	struct pool *pl = NULL;
	struct stat st;

	/* The workers' own cgroup: its id is its inode number, as for any cgroup v2. */
	p.cgfd = open(d->cfg.worker_cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.cgfd < 0 || fstat(p.cgfd, &st) < 0)
		goto out;
	p.cgid = st.st_ino;
	p.cgpath = (char *)d->cfg.worker_cgroup;
	if (!strncmp(p.cgpath, root, strlen(root)) && p.cgpath[strlen(root)] == '/')
		p.cgpath += strlen(root);
	pl = pool_get(d, enclave, &p);
	if (pl)
		pl->system = true;
out:
	if (p.cgfd >= 0)
		close(p.cgfd);
	return pl;
}

struct pool *pool_get_path(struct daemon *d, const char *enclave, const char *cgpath)
{
	struct peer p = { .cgfd = -1, .cgpath = (char *)cgpath };
	struct pool *pl = NULL;
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "/sys/fs/cgroup%s", cgpath) >= (int)sizeof(path) ||
	    strstr(cgpath, "/../") || strstr(cgpath, "/./"))
		return NULL;
	p.cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.cgfd < 0 || fstat(p.cgfd, &st) < 0)
		goto out;
	p.cgid = st.st_ino;
	pl = pool_get(d, enclave, &p);
out:
	if (p.cgfd >= 0)
		close(p.cgfd);
	return pl;
}

void pool_free(struct pool *pl)
{
	list_del(&pl->link);
	close(pl->cgfd);
	free(pl->cgpath);
	free(pl);
}

static unsigned int live_instances(struct pool *pl, struct instance **ret_best,
				   struct instance **ret_starting)
{
	struct instance *in, *best = NULL, *starting = NULL;
	unsigned int live = 0;

	list_for_each_entry (in, &pl->instances, link) {
		/* Instances of an earlier policy only serve the sessions they have. */
		if (in->generation != pl->d->generation)
			continue;
		if (in->state == INSTANCE_READY) {
			live++;
			if (!best || in->n_sessions < best->n_sessions)
				best = in;
		} else if (in->state == INSTANCE_STARTING) {
			live++;
			starting = in;
		}
	}
	if (ret_best)
		*ret_best = best;
	if (ret_starting)
		*ret_starting = starting;
	return live;
}

int pool_pick(struct pool *pl, const struct eb_enclave_conf *conf, struct instance **ret)
{
	struct instance *best, *starting, *in;
	unsigned int live = live_instances(pl, &best, &starting);
	int r;

	if (best && best->n_sessions < conf->sessions_per_instance) {
		*ret = best;
		return 0;
	}
	if (starting) {
		*ret = starting;
		return 0;
	}
	if (live < conf->max_instances) {
		r = instance_start(pl, conf, &in);
		if (r == 0) {
			*ret = in;
			return 0;
		}
		if (!best)
			return r;
	}
	if (!best)
		return -EBUSY;
	*ret = best;
	return 0;
}

/* Another ready instance to fall back on when growing failed, or NULL: of
 * any policy generation, since the tenant has no room for a new one. */
struct instance *pool_fallback(struct pool *pl)
{
	struct instance *in, *best = NULL;

	list_for_each_entry (in, &pl->instances, link)
		if (in->state == INSTANCE_READY && (!best || in->n_sessions < best->n_sessions))
			best = in;
	return best;
}

void pool_maintain(struct pool *pl)
{
	const struct eb_enclave_conf *conf = eb_policy_enclave(pl->d->policy, pl->enclave);
	struct instance *best, *in;
	unsigned int live;

	if (list_empty(&pl->instances)) {
		pool_free(pl);
		return;
	}
	live = live_instances(pl, &best, NULL);
	/* Fill up to MinWarm only once an instance proved the tenant can have one. */
	while (conf && best && live < conf->min_warm && instance_start(pl, conf, &in) == 0)
		live++;
}
