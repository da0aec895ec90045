// SPDX-License-Identifier: GPL-2.0
/*
 * Client identity. The credentials come from the kernel at accept
 * (SO_PEERCRED, SO_PEERGROUPS); nothing the client sends is believed. The
 * cgroup is read through /proc/PID, which names whatever process holds PID
 * at the time of the read: a pidfd taken first, and checked after the
 * reads, proves that PID still named the same process while it was read,
 * and the process's start time and real uid, compared with the connection,
 * bound the window in which PID could have been recycled before the pidfd
 * was taken (docs/deployment.md, "Client identity").
 */
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "common/util.h"

#include "peer.h"

static int read_proc(pid_t pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	_cleanup_(closep) int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno == -ENOENT ? -ESRCH : -errno;
	n = read_full(fd, buf, cap - 1);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return 0;
}

char *peer_parse_cgroup(const char *text)
{
	const char *p = text;

	/* cgroup v2 only: the one line whose hierarchy id is 0 and controllers empty. */
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > 3 && !strncmp(p, "0::/", 4)) {
			char *path = strndup(p + 3, len - 3);

			if (path && strstr(path, " (deleted)")) {
				free(path);
				return NULL;
			}
			return path;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* Field 22 of /proc/PID/stat, in clock ticks since boot; after the last ')'. */
static int start_ticks(const char *stat, uint64_t *ret)
{
	const char *p = strrchr(stat, ')');
	unsigned long long v;

	if (!p)
		return -EBADMSG;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	if (sscanf(p, " %llu", &v) != 1)
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* The effective uid (the second of "Uid:"), which is what SO_PEERCRED reports. */
static int effective_uid(const char *status, uid_t *ret)
{
	const char *p = strstr(status, "\nUid:");
	unsigned int r, e;

	if (!p || sscanf(p + 5, "%u %u", &r, &e) != 2)
		return -EBADMSG;
	*ret = e;
	return 0;
}

static int fail(const char **ret_why, const char *why, int err)
{
	*ret_why = why;
	return err;
}

int peer_identify(int fd, uint64_t accepted_usec, const char *cgroup_root, struct peer *ret,
		  const char **ret_why)
{
	struct peer p = { .pidfd = -1, .cgfd = -1 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char buf[4096], path[PATH_MAX];
	_cleanup_(freep) char *cgpath = NULL;
	struct pollfd pfd;
	uint64_t ticks = 0;
	struct stat st;
	uid_t euid = (uid_t)-1;
	int r;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0)
		return fail(ret_why, "no peer credentials", -EPROTO);
	p.pid = cred.pid;
	p.uid = cred.uid;
	p.gid = cred.gid;
	len = sizeof(p.groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p.groups, &len) < 0)
		return fail(ret_why,
			    errno == ERANGE ? "too many supplementary groups" : "no peer groups",
			    -errno);
	p.n_groups = len / sizeof(gid_t);

	p.pidfd = (int)syscall(SYS_pidfd_open, p.pid, 0);
	if (p.pidfd < 0)
		return fail(ret_why, "the client exited before it was identified", -ESRCH);

	r = read_proc(p.pid, "stat", buf, sizeof(buf));
	if (r == 0)
		r = start_ticks(buf, &ticks);
	if (r < 0)
		goto gone;
	/* A process that started after the connection was accepted is not the peer. */
	if (ticks * (1000000 / sysconf(_SC_CLK_TCK)) > accepted_usec) {
		r = fail(ret_why, "the client's pid names a newer process", -ESRCH);
		goto out;
	}
	r = read_proc(p.pid, "status", buf, sizeof(buf));
	if (r == 0)
		r = effective_uid(buf, &euid);
	if (r < 0)
		goto gone;
	if (euid != p.uid) {
		r = fail(ret_why, "the client's pid names a process of another user", -ESRCH);
		goto out;
	}
	r = read_proc(p.pid, "cgroup", buf, sizeof(buf));
	if (r < 0)
		goto gone;
	cgpath = peer_parse_cgroup(buf);
	if (!cgpath) {
		r = fail(ret_why, "the client's cgroup was removed or is not cgroup v2", -ENOENT);
		goto out;
	}

	/* Still alive now, so every read above was of this very process. */
	pfd = (struct pollfd){ .fd = p.pidfd, .events = POLLIN };
	if (poll(&pfd, 1, 0) != 0) {
		r = -ESRCH;
		goto gone;
	}

	snprintf(path, sizeof(path), "%s%s", cgroup_root, cgpath);
	p.cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.cgfd < 0 || fstat(p.cgfd, &st) < 0) {
		r = fail(ret_why, "the client's cgroup cannot be opened", -ENOENT);
		goto out;
	}
	p.cgid = st.st_ino; /* kernfs: the inode number is the cgroup id */
	p.cgpath = TAKE_PTR(cgpath);
	*ret = p;
	return 0;

gone:
	fail(ret_why, "the client exited before it was identified", r);
out:
	peer_done(&p);
	return r;
}

void peer_done(struct peer *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->cgfd >= 0)
		close(p->cgfd);
	free(p->cgpath);
	p->pidfd = p->cgfd = -1;
	p->cgpath = NULL;
}
