// SPDX-License-Identifier: GPL-2.0
/*
 * A daemon started after another one takes that one's workers back
 * (restart_adopt(): they outlive the daemon by design), and must not reuse
 * what they hold while they run: their uids (one
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
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "common/util.h"
#include "proto/proto.h"

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

		if (strncmp(de->d_name, "tenant-", 7) && strcmp(de->d_name, "attestation"))
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

/* A worker of an earlier daemon, connected, until it says who it is. */
struct adoptee {
	struct daemon *d;
	int fd;
	pid_t pid;
	uid_t uid;
	sd_event_source *src;
	char path[PATH_MAX];
};

static void adoptee_free(struct adoptee *a)
{
	sd_event_source_disable_unref(a->src);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

/* The quoting enclave of an earlier daemon: taken back into the workers' own pool. */
static bool is_quoting_enclave(struct daemon *d, const char *enclave, const char *cgpath)
{
	const char *root = "/sys/fs/cgroup";
	const char *workers = d->cfg.worker_cgroup;

	if (!strncmp(workers, root, strlen(root)))
		workers += strlen(root);
	return !strcmp(eb_policy_attestation(d->policy)->quoting_enclave, enclave) &&
	       !strcmp(workers, cgpath);
}

void restart_adopted(struct daemon *d)
{
	if (d->adopting && !--d->adopting) {
		adopt_lookup_forget(d);
		attestation_configure(d);
	}
}

/* One adoptee fewer: once none is left, attestation starts (with a taken-back QE, if any). */
static void adoptee_done(struct adoptee *a, bool adopted)
{
	struct daemon *d = a->d;

	adoptee_free(a);
	/* An adopted instance counts until its sessions are known (restart_adopted()). */
	if (!adopted)
		restart_adopted(d);
}

/* Whether @pid runs in @pl's worker cgroup (instance.c starts every worker there). */
static bool worker_in_cgroup_of(struct daemon *d, const struct pool *pl, pid_t pid)
{
	char path[64], buf[PATH_MAX + 8], want[PATH_MAX], *nl;
	const char *root = "/sys/fs/cgroup";

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	{
		_cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read_full(fd, buf, sizeof(buf) - 1);

		if (n <= 0)
			return false;
		buf[n] = 0;
	}
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	if (strncmp(buf, "0::/", 4))
		return false;
	instance_worker_cgroup(d, pl, want, sizeof(want));
	return !strncmp(want, root, strlen(root)) && !strcmp(want + strlen(root), buf + 3);
}

static int adoptee_ready(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct adoptee *a = userdata;
	struct daemon *d = a->d;
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	const char *why = "?", *enclave, *cgpath;
	struct ucred cred = { 0 };
	struct ebp_msg m = { 0 };
	struct pool *pl;
	ssize_t n;

	/* Who sent it, from the kernel: a worker cannot pass itself off as another process. */
	n = ebp_recv_cred(fd, buf, sizeof(buf), &cred);
	if (n == -EAGAIN)
		return 0;
	if (n <= 0 || ebp_parse(buf, n, false, &m, &why) < 0 || m.type != EBP_MSG_W_READY) {
		log_warning(0, "the worker on %s did not say who it is (%s): leaving it", a->path,
			    n <= 0			? "closed"
			    : m.type != EBP_MSG_W_READY ? "not W_READY"
							: why);
		adoptee_done(a, false);
		return 0;
	}
	a->pid = cred.pid;
	a->uid = cred.uid;
	enclave = ebp_get_str(&m, EBP_A_ENCLAVE);
	cgpath = ebp_get_str(&m, EBP_A_CGROUP);
	pl = is_quoting_enclave(d, enclave, cgpath) ? pool_get_system(d, enclave)
						    : pool_get_path(d, enclave, cgpath);
	/* Its word is checked against where the daemon started it: that tenant's worker cgroup. */
	if (pl && !worker_in_cgroup_of(d, pl, a->pid)) {
		log_warning(0,
			    "worker %d says it serves enclave %s for cgroup %s, but does not run "
			    "in that tenant's worker cgroup: leaving it",
			    (int)a->pid, enclave, cgpath);
		pool_maintain(pl);
		adoptee_done(a, false);
		return 0;
	}
	if (!pl) {
		log_warning(0,
			    "worker %d serves enclave %s for cgroup %s, which is gone: leaving it",
			    (int)a->pid, enclave, cgpath);
		adoptee_done(a, false);
		return 0;
	}
	sd_event_source_disable_unref(a->src);
	a->src = NULL;
	if (instance_adopt(pl, TAKE_FD(a->fd), a->pid, a->uid, &m) < 0) {
		log_error(0, "cannot take back worker %d", (int)a->pid);
		pool_maintain(pl);
		adoptee_done(a, false);
		return 0;
	}
	adoptee_done(a, true);
	return 0;
}

/* Workers that say nothing within this long are left to themselves. */
#define ADOPT_TIMEOUT_MS 5000

static int adopt_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	if (d->adopting) {
		log_warning(0, "%u worker(s) of an earlier ebrokerd did not answer within %d ms",
			    d->adopting, ADOPT_TIMEOUT_MS);
		d->adopting = 0;
		adopt_lookup_forget(d);
		attestation_configure(d);
	}
	return 0; /* a one-shot source of the loop's own (floating) */
}

void restart_adopt(struct daemon *d)
{
	static const int one = 1;
	char dir_path[PATH_MAX - 256];
	_cleanup_(closedirp) DIR *dir = NULL;
	struct dirent *de;

	snprintf(dir_path, sizeof(dir_path), "%s/workers", d->cfg.runtime_dir);
	dir = opendir(dir_path);
	while (dir && (de = readdir(dir))) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct adoptee *a;
		uint64_t id;
		char rest[8];

		if (sscanf(de->d_name, "%" SCNu64 ".%7s", &id, rest) != 2 || strcmp(rest, "sock"))
			continue;
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		a->d = d;
		snprintf(a->path, sizeof(a->path), "%s/%s", dir_path, de->d_name);
		a->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (strlen(a->path) >= sizeof(sa.sun_path) || a->fd < 0 ||
		    setsockopt(a->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
			adoptee_free(a);
			continue;
		}
		strcpy(sa.sun_path, a->path);
		if (connect(a->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			/* Nobody listens: its worker is gone. */
			if (errno == ECONNREFUSED || errno == ENOENT)
				unlink(a->path);
			adoptee_free(a);
			continue;
		}
		if (sd_event_add_io(d->event, &a->src, a->fd, EPOLLIN, adoptee_ready, a) < 0) {
			adoptee_free(a);
			continue;
		}
		d->adopting++;
		log_info("a worker of an earlier ebrokerd listens on %s", a->path);
	}
	if (!d->adopting ||
	    sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC, ADOPT_TIMEOUT_MS * 1000, 0,
				       adopt_timeout, d) < 0) {
		d->adopting = 0;
		attestation_configure(d);
	}
}
