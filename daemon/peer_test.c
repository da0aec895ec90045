// SPDX-License-Identifier: GPL-2.0
/* Host tests of client identification: /proc parsing and a real socketpair. */
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/stat.h>

#include "common/test.h"
#include "common/util.h"

#include "peer.h"

TEST(parse_cgroup_v2_line)
{
	char *p = peer_parse_cgroup("12:pids:/x\n0::/tenants/alice\n");

	ASSERT_NE(NULL, p);
	EXPECT_STREQ("/tenants/alice", p);
	free(p);
	p = peer_parse_cgroup("0::/\n");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("/", p);
	free(p);
}

TEST(parse_cgroup_refuses)
{
	/* No v2 line, a removed cgroup, a relative path, an empty text. */
	EXPECT_EQ(NULL, peer_parse_cgroup("4:memory:/a\n"));
	EXPECT_EQ(NULL, peer_parse_cgroup("0::/tenants/alice (deleted)\n"));
	EXPECT_EQ(NULL, peer_parse_cgroup("0::tenants\n"));
	EXPECT_EQ(NULL, peer_parse_cgroup(""));
	EXPECT_EQ(NULL, peer_parse_cgroup("1:name=x:/\n"));
}

/* Where cgroup v2 is mounted on this host (a hybrid host mounts it under unified/). */
static const char *cgroup2_root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	struct stat st;
	char path[256];

	for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", roots[i]);
		if (stat(path, &st) == 0)
			return roots[i];
	}
	return NULL;
}

TEST(identify_self)
{
	const char *root = cgroup2_root();
	_cleanup_(closep) int a = -1, b = -1;
	struct timespec ts;
	const char *why = NULL;
	struct peer p;
	int sv[2];

	if (!root)
		SKIP(return, "no cgroup v2 mount on this host");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	a = sv[0];
	b = sv[1];
	clock_gettime(CLOCK_BOOTTIME, &ts);
	ASSERT_EQ(0, peer_identify(a, ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000, root, &p, &why))
	TH_LOG("%s", why);
	EXPECT_EQ(getpid(), p.pid);
	EXPECT_EQ(getuid(), p.uid);
	EXPECT_EQ(getgid(), p.gid);
	EXPECT_LE(0, p.pidfd);
	EXPECT_LE(0, p.cgfd);
	EXPECT_NE(0, (int)(p.cgid != 0));
	EXPECT_EQ('/', p.cgpath[0]);
	peer_done(&p);
	EXPECT_EQ(-1, p.pidfd);
	EXPECT_EQ(NULL, p.cgpath);
}

/* A process that started after the connection was accepted is not the peer. */
TEST(identify_refuses_newer_process)
{
	const char *root = cgroup2_root();
	_cleanup_(closep) int a = -1, b = -1;
	const char *why = NULL;
	struct peer p;
	int sv[2];

	if (!root)
		SKIP(return, "no cgroup v2 mount on this host");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	a = sv[0];
	b = sv[1];
	/* "Accepted" at boot: this process started later. */
	EXPECT_EQ(-ESRCH, peer_identify(a, 0, root, &p, &why));
	EXPECT_STREQ("the client's pid names a newer process", why);
}

TEST(identify_needs_a_peer)
{
	_cleanup_(closep) int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	const char *why = NULL;
	struct peer p;

	ASSERT_LE(0, fd);
	EXPECT_GT(0, peer_identify(fd, UINT64_MAX, "/sys/fs/cgroup", &p, &why));
	EXPECT_NE(NULL, why);
}

TEST_HARNESS_MAIN
