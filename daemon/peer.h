/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who is on the other end of a control connection, from the kernel only:
 * SO_PEERCRED and SO_PEERGROUPS at accept, a pidfd for the peer taken at
 * once, and the peer's cgroup v2 read through /proc and checked against the
 * pidfd. docs/deployment.md ("Client identity") explains the residual pid
 * recycling race of a 6.1 kernel (no SO_PEERPIDFD) and how it is bounded.
 */
#ifndef EB_DAEMON_PEER_H
#define EB_DAEMON_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PEER_GROUPS_MAX 256

struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[PEER_GROUPS_MAX];
	size_t n_groups;
	int pidfd;
	int cgfd;      /* the peer's cgroup directory, O_RDONLY */
	uint64_t cgid; /* its cgroup id: the module's key for it */
	char *cgpath;  /* "/tenants/alice" */
};

/**
 * peer_identify() - establish the identity of a freshly accepted client
 * @fd:		the accepted socket
 * @accepted_usec: CLOCK_BOOTTIME when accept() returned
 * @cgroup_root: where cgroup v2 is mounted ("/sys/fs/cgroup")
 * @ret:	(out) release with peer_done()
 * @ret_why:	(out) on failure, why, for the log and the client
 * Return: 0; -ESRCH (the peer is gone, or its pid now names another
 * process); -ENOENT (its cgroup was removed); -errno.
 */
int peer_identify(int fd, uint64_t accepted_usec, const char *cgroup_root, struct peer *ret,
		  const char **ret_why);

void peer_done(struct peer *p);

/* Parse the "0::/path" line of /proc/PID/cgroup text; a malloc'd path or NULL. */
char *peer_parse_cgroup(const char *text);

#endif /* EB_DAEMON_PEER_H */
