// SPDX-License-Identifier: GPL-2.0
/*
 * What a daemon started after another one must not reuse while that one's
 * workers still run (they outlive the daemon by design): their uids (one
 * worker could otherwise signal or trace another tenant's), their instance
 * ids (which name their sockets) and session ids (which clients still hold).
 * Uids come from the processes in the worker cgroups, instance ids from the
 * sockets in RUNTIME_DIR/workers, and session ids from a high-water mark
 * kept in RUNTIME_DIR/session-ids, written ahead in blocks so that opening
 * a session rarely touches the file system.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>

#include "common/util.h"

#include "daemon.h"
#include "log.h"

#define SESSION_ID_BLOCK 4096

DEFINE_FREEP(DIR, closedir)

static void mark_uid(struct daemon *d, pid_t pid)
{
	const struct eb_policy_limits *lim = eb_policy_limits(d->policy);
	char path[64], buf[2048], *p;
	_cleanup_(closep) int fd = -1;
	unsigned int uid;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read_full(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%u", &uid) != 1)
		return;
	if (uid >= lim->worker_uid_min && uid - lim->worker_uid_min < 65536) {
		uint32_t i = uid - lim->worker_uid_min;

		d->uid_used[i / 8] |= 1u << (i % 8);
		log_notice("worker pid %d (uid %u) of an earlier ebrokerd still runs", (int)pid,
			   uid);
	}
}

static void scan_worker_uids(struct daemon *d)
{
	_cleanup_(closedirp) DIR *dir = opendir(d->cfg.worker_cgroup);
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		char path[PATH_MAX];
		_cleanup_(fclosep) FILE *f = NULL;
		int pid;

		if (strncmp(de->d_name, "tenant-", 7))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", d->cfg.worker_cgroup,
			 de->d_name);
		f = fopen(path, "re");
		while (f && fscanf(f, "%d", &pid) == 1)
			mark_uid(d, pid);
	}
}

static void scan_instance_ids(struct daemon *d)
{
	char path[PATH_MAX];
	_cleanup_(closedirp) DIR *dir = NULL;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/workers", d->cfg.runtime_dir);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		uint64_t id;
		char rest[8];

		if (sscanf(de->d_name, "%" SCNu64 ".%7s", &id, rest) == 2 &&
		    !strcmp(rest, "sock") && id > d->next_instance_id)
			d->next_instance_id = id;
	}
}

static int write_mark(struct daemon *d, uint64_t mark)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	_cleanup_(fclosep) FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/session-ids", d->cfg.runtime_dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%" PRIu64 "\n", mark);
	if (fflush(f) != 0 || rename(tmp, path) < 0)
		return -errno;
	d->session_id_mark = mark;
	return 0;
}

int restart_scan(struct daemon *d)
{
	char path[PATH_MAX];
	_cleanup_(fclosep) FILE *f = NULL;
	uint64_t mark = 0;

	scan_worker_uids(d);
	scan_instance_ids(d);
	snprintf(path, sizeof(path), "%s/session-ids", d->cfg.runtime_dir);
	f = fopen(path, "re");
	if (f && fscanf(f, "%" SCNu64, &mark) == 1)
		d->next_session_id = mark;
	return write_mark(d, d->next_session_id + SESSION_ID_BLOCK);
}

uint64_t session_id_next(struct daemon *d)
{
	uint64_t id = ++d->next_session_id;

	/* A failed write only means a later daemon may skip fewer ids: log it. */
	if (id >= d->session_id_mark && write_mark(d, id + SESSION_ID_BLOCK) < 0)
		log_warning(errno, "cannot record the session id mark in %s: %m",
			    d->cfg.runtime_dir);
	return id;
}
