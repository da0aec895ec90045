// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of ebrokerd's connection limits (ConnectionsPerUser= and
 * Connections= in [Limits]): the daemon itself, started as root on a socket
 * of its own with a policy of small limits and no enclave, so that no
 * module is needed. Its clients are processes of their own uids, each
 * holding connections made by libebroker: the connection past a limit gets
 * the daemon's reason (EUSERS, side daemon) from its first request, and is
 * not made again; the others, and other users, carry on.
 */
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "common/test.h"
#include "common/util.h"

/* Fixtures too are defined without prototypes. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#include <ebroker/client.h>

#define PER_USER 3
#define TOTAL	 5
#define HELD_MAX 8

/* Users with no account: the daemon names them "uid N". */
#define ALICE 4101
#define BOB   4102
#define CAROL 4103

/* What a client process is asked to do, and what it answers. */
struct cmd {
	char op; /* 'c' connect, 'C' connect and wait, 's' status, 'd' disconnect */
	int i;	 /* 's', 'd': which connection */
};

struct answer {
	int i; /* 'c', 'C': the connection's number */
	int r;
	int side;
	char message[EBROKER_ERROR_MESSAGE_MAX];
};

struct client {
	pid_t pid;
	int sock;
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void status_answer(struct ebroker *b, struct answer *a)
{
	struct ebroker_daemon_status st;
	struct ebroker_error e = { 0 };

	a->r = ebroker_daemon_status(b, &st);
	if (a->r < 0 && ebroker_last_error(&e) == 0) {
		a->side = e.side;
		snprintf(a->message, sizeof(a->message), "%s", e.message);
	}
}

/*
 * The client process: as @uid, serve the test's commands on @sock until it
 * closes. 'c' connects and sends a first request at once, 'C' lets the
 * daemon take (and refuse) the connection first, so that the request meets
 * a closed socket; both answer with that first request's outcome, and keep
 * the connection, also a refused one, in the first free place.
 */
static void client_main(int sock, const char *path, uid_t uid)
{
	struct ebroker *held[HELD_MAX] = { 0 };
	struct timespec nap = { .tv_nsec = 200 * 1000000L };
	struct answer a;
	struct cmd c;
	int n;

	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(2);
	while (read(sock, &c, sizeof(c)) == sizeof(c)) {
		memset(&a, 0, sizeof(a));
		if ((c.op == 's' || c.op == 'd') && (c.i < 0 || c.i >= HELD_MAX || !held[c.i]))
			_exit(3);
		switch (c.op) {
		case 'c':
		case 'C':
			for (n = 0; n < HELD_MAX && held[n]; n++)
				;
			if (n == HELD_MAX)
				_exit(3);
			a.r = ebroker_connect(path, &held[n]);
			if (a.r < 0)
				break;
			if (c.op == 'C')
				nanosleep(&nap, NULL);
			status_answer(held[n], &a);
			a.i = n;
			break;
		case 's':
			status_answer(held[c.i], &a);
			break;
		case 'd':
			held[c.i] = ebroker_disconnect(held[c.i]);
			break;
		default:
			_exit(4);
		}
		if (write(sock, &a, sizeof(a)) != sizeof(a))
			_exit(5);
	}
	_exit(0);
}

static struct client client_start(const char *path, uid_t uid)
{
	struct client cl = { .pid = -1, .sock = -1 };
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cl;
	cl.pid = fork();
	if (cl.pid == 0) {
		/* Not the other clients' ends either: each ends when the test closes its own. */
		if (dup2(sv[1], 3) < 0 || close_range(4, ~0U, 0) < 0)
			_exit(2);
		client_main(3, path, uid);
	}
	close(sv[1]);
	cl.sock = sv[0];
	return cl;
}

static void client_stop(struct client *cl)
{
	if (cl->sock >= 0)
		close(cl->sock);
	if (cl->pid > 0)
		waitpid(cl->pid, NULL, 0);
	cl->sock = -1;
	cl->pid = -1;
}

static struct answer ask(struct client *cl, char op, int i)
{
	struct cmd c = { .op = op, .i = i };
	struct answer a = { .r = -EPIPE };

	if (write(cl->sock, &c, sizeof(c)) != sizeof(c) ||
	    read(cl->sock, &a, sizeof(a)) != sizeof(a))
		a.r = -EPIPE;
	return a;
}

/* Connect until the daemon has seen a connection that went (or for 5 s). */
static struct answer connect_again(struct client *cl)
{
	struct timespec nap = { .tv_nsec = 50 * 1000000L };
	struct answer a;

	for (int i = 0; i < 100; i++) {
		a = ask(cl, 'c', 0);
		if (a.r != -EUSERS)
			break;
		ask(cl, 'd', a.i);
		nanosleep(&nap, NULL);
	}
	return a;
}

/* Whether ebrokerd can identify this process (peer.c): its cgroup v2 path, under /sys/fs/cgroup. */
static bool cgroup_reachable(void)
{
	char buf[4096], path[4200], *p;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "0::/");
	if (!p || (p != buf && p[-1] != '\n'))
		return false;
	p[strcspn(p, "\n")] = '\0';
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s", p + 3);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

FIXTURE(broker)
{
	char dir[64];
	char path[128]; /* the socket */
	char daemon[PATH_MAX];
	pid_t pid;
	struct client cl[3];
};

/* policy.conf: the test's limits, and @daemon_keys in [Daemon]. */
static void write_policy(struct __test_metadata *_metadata, FIXTURE_DATA(broker) * self,
			 const char *daemon_keys)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/policy.conf", self->dir);
	f = fopen(path, "we");
	ASSERT_NE(NULL, f);
	fprintf(f,
		"[Daemon]\nWorkerUIDs=2000000000-2000000999\n%s\n"
		"[Limits]\nConnectionsPerUser=%d\nConnections=%d\n",
		daemon_keys, PER_USER, TOTAL);
	ASSERT_EQ(0, fclose(f));
}

/* Start ebrokerd, and wait for its socket: a new one, where an old one may be. */
static void broker_start(struct __test_metadata *_metadata, FIXTURE_DATA(broker) * self)
{
	struct timespec nap = { .tv_nsec = 20 * 1000000L };
	char etc[128], log[128], run[128], wcg[128];
	struct stat st;
	ino_t old;
	int fd;

	snprintf(etc, sizeof(etc), "%s/etc", self->dir);
	snprintf(log, sizeof(log), "%s/ebrokerd.log", self->dir);
	snprintf(run, sizeof(run), "%s/run", self->dir);
	snprintf(wcg, sizeof(wcg), "%s/workers", self->dir);
	old = stat(self->path, &st) == 0 ? st.st_ino : 0;
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		/* Not left running by a test that dies. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execl(self->daemon, "ebrokerd", "--foreground", "--config-dir", etc, "--socket",
		      self->path, "--runtime-dir", run, "--worker-cgroup", wcg, "--device",
		      "/nonexistent", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		if (stat(self->path, &st) == 0 && st.st_ino != old)
			return;
		ASSERT_EQ(0, waitpid(self->pid, NULL, WNOHANG)) self->pid = -1;
		nanosleep(&nap, NULL);
	}
	ASSERT_TRUE(false) TH_LOG("ebrokerd made no socket in 10 s");
}

static void broker_stop(FIXTURE_DATA(broker) * self)
{
	if (self->pid > 0) {
		kill(self->pid, SIGTERM);
		kill(self->pid, SIGCONT); /* unidentified_client_told_why stops it */
		waitpid(self->pid, NULL, 0);
	}
	self->pid = -1;
}

FIXTURE_SETUP(broker)
{
	char exe[PATH_MAX], etc[128];
	struct stat st;
	ssize_t n;

	self->pid = -1;
	for (int i = 0; i < 3; i++)
		self->cl[i] = (struct client){ .pid = -1, .sock = -1 };
	self->dir[0] = '\0';
	if (geteuid() != 0)
		SKIP(return, "ebrokerd runs as root only");
	if (!cgroup_reachable())
		SKIP(return, "ebrokerd cannot open this process's cgroup v2 under /sys/fs/cgroup");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	/* build/test/daemon/conn_test -> build/bin/ebrokerd */
	snprintf(self->daemon, sizeof(self->daemon), "%.4000s/../../bin/ebrokerd", dirname(exe));
	if (access(self->daemon, X_OK) < 0)
		SKIP(return, "build ebrokerd first: %.900s", self->daemon);

	strcpy(self->dir, "/tmp/ebroker-conn-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755)); /* the clients' uids reach the socket */
	snprintf(self->path, sizeof(self->path), "%s/ebroker.sock", self->dir);
	snprintf(etc, sizeof(etc), "%s/etc", self->dir);
	ASSERT_EQ(0, mkdir(etc, 0755));
	write_policy(_metadata, self, "");
	broker_start(_metadata, self);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 07777); /* no SocketGroup=: world-connectable */

	self->cl[0] = client_start(self->path, ALICE);
	self->cl[1] = client_start(self->path, BOB);
	self->cl[2] = client_start(self->path, CAROL);
	for (int i = 0; i < 3; i++)
		ASSERT_LE(0, self->cl[i].sock);
}

FIXTURE_TEARDOWN(broker)
{
	char log[128], line[512];
	FILE *f;

	for (int i = 0; i < 3; i++)
		client_stop(&self->cl[i]);
	broker_stop(self);
	if (!self->dir[0])
		return;
	snprintf(log, sizeof(log), "%s/ebrokerd.log", self->dir);
	f = _metadata->passed ? NULL : fopen(log, "re");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "# ebrokerd: %s", line);
	if (f)
		fclose(f);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* @a is the refusal of a connection past ConnectionsPerUser=. */
static void expect_per_user_refusal(struct __test_metadata *_metadata, const struct answer *a)
{
	EXPECT_EQ(-EUSERS, a->r);
	EXPECT_EQ(EBROKER_SIDE_DAEMON, a->side);
	EXPECT_STREQ("too many connections: uid 4101 has 3 connections to ebrokerd, and the "
		     "policy allows 3 (ConnectionsPerUser= in [Limits])",
		     a->message);
}

TEST_F(broker, connections_per_user)
{
	struct client *alice = &self->cl[0], *bob = &self->cl[1];
	struct answer a;

	if (_metadata->skip) /* this harness runs the test after a SKIP in setup */
		return;
	for (int i = 0; i < PER_USER; i++) {
		a = ask(alice, 'c', 0);
		ASSERT_EQ(0, a.r) TH_LOG("connection %d: %s", i + 1, a.message);
	}
	/* The next one hears why, at its first request, whether sent early or late. */
	a = ask(alice, 'c', 0);
	expect_per_user_refusal(_metadata, &a);
	a = ask(alice, 'C', 0);
	expect_per_user_refusal(_metadata, &a);
	/* It is not made again (that would be refused again, with EUSERS). */
	a = ask(alice, 's', PER_USER);
	EXPECT_EQ(-ENOTCONN, a.r);
	EXPECT_EQ(EBROKER_SIDE_LIBRARY, a.side);
	EXPECT_NE(NULL, strstr(a.message, "ebrokerd refused it")) TH_LOG("%s", a.message);

	/* The first ones still work, and another user is not concerned. */
	for (int i = 0; i < PER_USER; i++)
		EXPECT_EQ(0, ask(alice, 's', i).r);
	a = ask(bob, 'c', 0);
	EXPECT_EQ(0, a.r) TH_LOG("%s", a.message);

	/* A connection that goes makes room for one. */
	ask(alice, 'd', 0);
	a = connect_again(alice);
	EXPECT_EQ(0, a.r) TH_LOG("%s", a.message);
}

TEST_F(broker, connections_in_all)
{
	struct client *alice = &self->cl[0], *bob = &self->cl[1], *carol = &self->cl[2];
	struct answer a;

	if (_metadata->skip) /* this harness runs the test after a SKIP in setup */
		return;
	for (int i = 0; i < PER_USER; i++)
		ASSERT_EQ(0, ask(alice, 'c', 0).r);
	for (int i = 0; i < TOTAL - PER_USER; i++)
		ASSERT_EQ(0, ask(bob, 'c', 0).r);
	a = ask(carol, 'c', 0);
	EXPECT_EQ(-EUSERS, a.r);
	EXPECT_EQ(EBROKER_SIDE_DAEMON, a.side);
	EXPECT_STREQ("too many connections: ebrokerd has 5 clients connected, and the policy "
		     "allows 5 (Connections= in [Limits])",
		     a.message);
	a = ask(carol, 's', 0);
	EXPECT_EQ(-ENOTCONN, a.r);

	for (int i = 0; i < PER_USER; i++)
		EXPECT_EQ(0, ask(alice, 's', i).r);
	for (int i = 0; i < TOTAL - PER_USER; i++)
		EXPECT_EQ(0, ask(bob, 's', i).r);

	ask(bob, 'd', 0);
	a = connect_again(carol);
	EXPECT_EQ(0, a.r) TH_LOG("%s", a.message);
}

/*
 * A client that ebrokerd cannot identify hears why: here, one that connected
 * as root and became another user before the daemon, stopped meanwhile,
 * accepted it (SO_PEERCRED says root, /proc another uid).
 */
TEST_F(broker, unidentified_client_told_why)
{
	struct answer a = { .r = -EPIPE };
	int ready[2], go[2], status;
	char c;
	pid_t p;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, kill(self->pid, SIGSTOP));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		struct ebroker *b = NULL;

		close(ready[0]);
		close(go[1]);
		if (ebroker_connect(self->path, &b) < 0 || setresuid(4102, 4102, 4102) < 0)
			_exit(2);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		status_answer(b, &a);
		_exit(write(ready[1], &a, sizeof(a)) == sizeof(a) ? 0 : 4);
	}
	close(ready[1]);
	close(go[0]);
	EXPECT_EQ(1, read(ready[0], &c, 1));
	kill(self->pid, SIGCONT);
	EXPECT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ((ssize_t)sizeof(a), read(ready[0], &a, sizeof(a)));
	ASSERT_EQ(p, waitpid(p, &status, 0));
	EXPECT_EQ(0, status);
	close(ready[0]);
	close(go[1]);
	EXPECT_EQ(-ESRCH, a.r);
	EXPECT_EQ(EBROKER_SIDE_DAEMON, a.side);
	EXPECT_STREQ("ebrokerd cannot tell who is connecting: the client's pid names a process of "
		     "another user",
		     a.message);
	/* The daemon serves the others. */
	a = ask(&self->cl[0], 'c', 0);
	EXPECT_EQ(0, a.r) TH_LOG("%s", a.message);
}

/*
 * A daemon that makes its own socket puts it in place, over the one an
 * earlier daemon left, only once it has its owner and mode and listens:
 * SocketMode= 0600 without a group (root alone), then a group and 0640.
 */
TEST_F(broker, socket_mode)
{
	char tmp[160], keys[128];
	struct ebroker *b = NULL;
	struct group *gr;
	struct stat st;
	struct answer a;
	gid_t gid;

	if (_metadata->skip)
		return;
	broker_stop(self);
	write_policy(_metadata, self, "SocketMode=0600");
	broker_start(_metadata, self);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
	snprintf(tmp, sizeof(tmp), "%s.new", self->path);
	EXPECT_EQ(-1, access(tmp, F_OK));

	ASSERT_EQ(0, ebroker_connect(self->path, &b));
	EXPECT_EQ(0, ebroker_reload(b)); /* root: connected, and answered */
	ebroker_disconnect(b);
	a = ask(&self->cl[0], 'c', 0);
	EXPECT_EQ(-EACCES, a.r);

	/* With a group (any but root's), that the host has. */
	gr = getgrnam("daemon");
	if (!gr || !gr->gr_gid)
		return;
	gid = gr->gr_gid;
	snprintf(keys, sizeof(keys), "SocketGroup=%s\nSocketMode=0640", gr->gr_name);
	broker_stop(self);
	write_policy(_metadata, self, keys);
	broker_start(_metadata, self);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0640U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(gid, st.st_gid);
	EXPECT_EQ(-1, access(tmp, F_OK));

	/* The same group by number, and a number no group has (chown takes both). */
	snprintf(keys, sizeof(keys), "SocketGroup=%u\nSocketMode=0640", (unsigned int)gid);
	broker_stop(self);
	write_policy(_metadata, self, keys);
	broker_start(_metadata, self);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(gid, st.st_gid);
	snprintf(keys, sizeof(keys), "SocketGroup=54321\nSocketMode=0640");
	broker_stop(self);
	write_policy(_metadata, self, keys);
	broker_start(_metadata, self);
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(54321U, st.st_gid);
}

TEST_HARNESS_MAIN
