// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerd end to end: two tenants' sessions and where their EPC is
 * charged, an EPC quota, policy refusals, what one user can do to another's
 * sessions (nothing), a killed worker, policy reloads, an enclave that
 * faults, and a hostile client speaking the raw protocol. Last, nothing is
 * left behind: no session, worker, daemon descriptor or EPC page.
 *
 * Run as root by broker_test.sh, against the ebrokerd that broker_env.sh
 * started; it exports BROKER_SOCKET, BROKER_PID, BROKER_TMP, BROKER_LOG,
 * BROKER_CG and BROKER_WORKER_CG. Each user's side runs in an agent: a child that moves
 * itself into the user's cgroup and becomes the user, as as_user does, and
 * then does what the test asks over a socketpair. So one test holds
 * alice's and bob's sessions at once, and acts as root between their steps.
 */
#include <dirent.h>
#include <grp.h>
#include <libgen.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/evp.h>

#include <ebroker/client.h>
#include <linux/ebroker.h>

#include "libclient/channel.h"
#include "proto/proto.h"
#include "../../sdk/samples/echo/echo.h"
#include "../../sdk/samples/keyvault/keyvault.h"
#include "broker_policy.h"
#include "eb_test.h"
#include "kv_verify.h"
#include "kselftest_harness.h"

#define PAGE	       4096
#define ECHO_PAGES     149 /* 148 pages and the SECS: "needs 596 KiB" */
#define AG_SLOTS       64
#define AG_DATA_MAX    1024
#define AG_LIST_MAX    64
#define AG_TIMEOUT_MS  10000 /* every daemon request and call of an agent */
#define SETTLE_MS      10000 /* workers stop 1 s after their last session */
#define HALF_OPEN      100
#define FLOOD	       200
#define MID_CALL_BYTES 60000
#define SESSION_BUF    (EBP_SESSION_MSG_MAX + 16)
#define WMEM_FOR_1MIB  "4194304"

static struct {
	const char *sock, *tmp, *cg, *worker_cg, *log;
	pid_t daemon;
	char build[PATH_MAX];	 /* the build tree: build/ */
	char policy[PATH_MAX];	 /* policy.d/10-tenants.conf */
	char policy_saved[4096]; /* its text as broker_env.sh wrote it */
	char wmem_saved[32];
	unsigned int kv_pages;
	int fds; /* the daemon's descriptors, settled, before the tests */
} env;

/* ------------------------------------------------------------ the system */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void nap_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* EPC charged to the cgroup at @dir and below: 0 without an entry, UINT64_MAX on error. */
static uint64_t cg_current_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	uint64_t v;

	if (stat(dir, &st) < 0)
		return UINT64_MAX;
	snprintf(path, sizeof(path), EB_SYSFS "/cgroups/%llu/current",
		 (unsigned long long)st.st_ino);
	v = eb_read_u64(path);
	return v == UINT64_MAX && access(path, F_OK) ? 0 : v;
}

static uint64_t tenant_current(const char *user)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", env.cg, user);
	return cg_current_dir(dir);
}

/* The quoting enclave's EPC: its instance is charged to the worker cgroup root. */
static uint64_t qe_current(void)
{
	uint64_t v = cg_current_dir(env.worker_cg);

	return v == UINT64_MAX ? 0 : v;
}

/* What the tenants are charged, all together: the root's charge but the quoting enclave's. */
static uint64_t root_current(void)
{
	uint64_t v = eb_read_u64(EB_SYSFS "/cgroups/1/current");

	if (v == UINT64_MAX && access(EB_SYSFS "/cgroups/1", F_OK))
		return 0;
	return v - qe_current();
}

/* The cgroup v2 directory of process @pid. */
static int cgroup_of(pid_t pid, char *dir, size_t cap)
{
	char path[64], buf[PATH_MAX];
	char *nl;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (eb_read_file(path, buf, sizeof(buf)) < 0 || strncmp(buf, "0::/", 4))
		return -ENOENT;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return snprintf(dir, cap, "/sys/fs/cgroup%s", buf + 3) < (int)cap ? 0 : -ENAMETOOLONG;
}

/* The pids in the tenants' worker cgroups: how many, the first @cap in @v. */
static unsigned int worker_pids(pid_t *v, unsigned int cap)
{
	DIR *d = opendir(env.worker_cg);
	struct dirent *de;
	unsigned int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		FILE *f;
		int pid;

		if (de->d_type != DT_DIR || strncmp(de->d_name, "tenant-", 7))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", env.worker_cg, de->d_name);
		f = fopen(path, "re");
		while (f && fscanf(f, "%d", &pid) == 1) {
			if (n < cap)
				v[n] = pid;
			n++;
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return n;
}

/* The tenant-ID cgroups under the worker cgroup root. */
static unsigned int worker_cgroups(void)
{
	DIR *d = opendir(env.worker_cg);
	struct dirent *de;
	unsigned int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_type == DT_DIR && !strncmp(de->d_name, "tenant-", 7);
	if (d)
		closedir(d);
	return n;
}

/* Processes called ebroker-worker, wherever they are, but the quoting enclave's. */
static unsigned int worker_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned int n = 0;

	while (d && (de = readdir(d))) {
		char path[300], comm[64];

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (eb_read_file(path, comm, sizeof(comm)) == 0 &&
		    !strcmp(comm, "ebroker-worker\n")) {
			char cg[PATH_MAX];
			size_t l;

			if (cgroup_of(atoi(de->d_name), cg, sizeof(cg)) == 0 &&
			    (l = strlen(cg)) > 12 && !strcmp(cg + l - 12, "/attestation"))
				continue;
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* Until no worker runs (idle ones stop after IdleTimeoutSec=1): true when none does. */
static bool settle(void)
{
	uint64_t end = now_ms() + SETTLE_MS;

	while (worker_pids(NULL, 0) || worker_processes()) {
		if (now_ms() > end)
			return false;
		nap_ms(100);
	}
	return true;
}

static int daemon_fds(void)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)env.daemon);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The daemon's descriptors once they stopped changing (closed connections take a moment). */
static int settled_fds(void)
{
	uint64_t end = now_ms() + SETTLE_MS;
	int n = daemon_fds(), m;

	for (;;) {
		nap_ms(300);
		m = daemon_fds();
		if (m == n || now_ms() > end)
			return m;
		n = m;
	}
}

/* The pages of the image sample @name, with its SECS, as ebroker-sign dump counts them. */
static unsigned int image_pages(const char *name)
{
	char cmd[2 * PATH_MAX], line[256];
	unsigned int pages = 0;
	FILE *f;

	if (snprintf(cmd, sizeof(cmd), "%s/bin/ebroker-sign dump %s/sdk/samples/%s.ebimg",
		     env.build, env.build, name) >= (int)sizeof(cmd))
		return 0;
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "pages: %u", &pages) == 1)
			break;
	if (f)
		pclose(f);
	return pages ? pages + 1 : 0;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -errno;
	r = fputs(text, f) < 0 ? -EIO : 0;
	return fclose(f) < 0 ? -errno : r;
}

static int set_max(const char *user, const char *limit)
{
	char text[PATH_MAX];

	snprintf(text, sizeof(text), "/%s/%s %s", strrchr(env.cg, '/') + 1, user, limit);
	return eb_write_file(EB_SYSFS "/cgroups/set_max", text);
}

/* ------------------------------------------------------- becoming a user */

/* What as_user does: the user's cgroup, uid, primary group users, and groups. */
static int become(const char *user)
{
	char path[PATH_MAX];
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", env.cg, user);
	if (eb_write_file(path, "0") < 0)
		return -EIO;
	if (initgroups(user, pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -EPERM;
	return 0;
}

/* ---------------------------------------------------------------- agents */

enum ag_op {
	AG_OPEN,     /* name: the enclave -> slot, id, instance_id */
	AG_CALL,     /* slot, fn, in, arg: the output capacity -> status, out */
	AG_DROP,     /* slot: ebroker_session_close() */
	AG_CLOSE_ID, /* id: ebroker_close_session_id() */
	AG_INFO,     /* id: ebroker_session_info_get() -> info */
	AG_LIST,     /* -> n, list */
	AG_RELOAD,   /* ebroker_reload() */
	AG_CONNECT,  /* name: connect() to that unix socket */
	AG_HOSTILE,  /* arg: enum hostile */
};

struct ag_req {
	uint32_t op, slot, fn, arg;
	uint64_t id;
	char name[256];
	uint32_t in_len;
	uint8_t in[AG_DATA_MAX];
};

struct ag_session {
	uint64_t id, instance_id;
	uint32_t uid, worker_pid;
	char enclave[64];
};

struct ag_rep {
	int32_t rc, status;
	struct ebroker_error err; /* why rc failed */
	uint32_t slot;
	uint64_t id, instance_id;
	uint32_t out_len;
	uint8_t out[AG_DATA_MAX];
	uint32_t n; /* LIST: all of them; the first AG_LIST_MAX are in list */
	struct ag_session list[AG_LIST_MAX];
	struct ebroker_session_info info;
};

struct agent {
	pid_t pid;
	int fd;
	const char *user;
};

struct ag_state {
	struct ebroker *b;
	struct ebroker_session *s[AG_SLOTS];
	int half_open[HALF_OPEN];
	unsigned int n_half_open;
};

/* A failure the agent itself found, described for the test's log. */
static int ag_fail(struct ag_rep *p, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ag_fail(struct ag_rep *p, int err, const char *fmt, ...)
{
	va_list ap;

	p->err.error = err;
	p->err.side = EBROKER_SIDE_LIBRARY;
	va_start(ap, fmt);
	vsnprintf(p->err.message, sizeof(p->err.message), fmt, ap);
	va_end(ap);
	return -err;
}

/* The library's failure: its return value, with ebroker_last_error(). */
static int ag_lib(struct ag_rep *p, int r)
{
	if (r < 0 && ebroker_last_error(&p->err) < 0)
		ag_fail(p, -r, "failed without ebroker_last_error()");
	return r;
}

static int ag_connect(struct ag_state *st, struct ag_rep *p)
{
	int r;

	if (st->b)
		return 0;
	r = ebroker_connect(env.sock, &st->b);
	if (r < 0)
		return ag_lib(p, r);
	return ebroker_set_timeout(st->b, AG_TIMEOUT_MS);
}

static int hostile(struct ag_state *st, unsigned int kind, struct ag_rep *p);

static int ag_handle(struct ag_state *st, const struct ag_req *q, struct ag_rep *p)
{
	struct ebroker_session_info *v = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	size_t n = 0, out_len = 0;
	int r, fd;

	if (q->op != AG_CONNECT && q->op != AG_HOSTILE) {
		r = ag_connect(st, p);
		if (r < 0)
			return r;
	}
	if ((q->op == AG_CALL || q->op == AG_DROP) && (q->slot >= AG_SLOTS || !st->s[q->slot]))
		return ag_fail(p, EBADSLT, "no session in slot %u", q->slot);
	switch (q->op) {
	case AG_OPEN:
		for (p->slot = 0; p->slot < AG_SLOTS && st->s[p->slot]; p->slot++)
			;
		if (p->slot == AG_SLOTS)
			return ag_fail(p, ENOSPC, "no free session slot");
		if (broker_policy(&policy) < 0)
			return ag_fail(p, EINVAL, "EBROKER_MRSIGNER and EBROKER_ROOT are not set");
		r = ag_lib(p, ebroker_session_open(st->b, q->name, &opts, &st->s[p->slot]));
		if (r == 0) {
			struct ebroker_enclave_identity id;

			ebroker_session_identity(st->s[p->slot], &id);
			p->id = ebroker_session_id(st->s[p->slot]);
			p->instance_id = id.instance_id;
		}
		return r;
	case AG_CALL:
		r = ag_lib(p, ebroker_call(st->s[q->slot], q->fn, q->in_len ? q->in : NULL,
					   q->in_len, p->out, q->arg, &out_len, &p->status));
		p->out_len = out_len;
		return r;
	case AG_DROP:
		ebroker_session_close(st->s[q->slot]);
		st->s[q->slot] = NULL;
		return 0;
	case AG_CLOSE_ID:
		return ag_lib(p, ebroker_close_session_id(st->b, q->id));
	case AG_INFO:
		return ag_lib(p, ebroker_session_info_get(st->b, q->id, &p->info));
	case AG_LIST:
		r = ag_lib(p, ebroker_list_sessions(st->b, &v, &n));
		p->n = n;
		for (size_t i = 0; r == 0 && i < n && i < AG_LIST_MAX; i++) {
			p->list[i] = (struct ag_session){ .id = v[i].id,
							  .instance_id = v[i].instance_id,
							  .uid = v[i].uid,
							  .worker_pid = v[i].worker_pid };
			snprintf(p->list[i].enclave, sizeof(p->list[i].enclave), "%s",
				 v[i].enclave);
		}
		free(v);
		return r;
	case AG_RELOAD:
		return ag_lib(p, ebroker_reload(st->b));
	case AG_CONNECT:
		if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", q->name) >=
		    (int)sizeof(sa.sun_path))
			return ag_fail(p, ENAMETOOLONG, "%s: too long for a socket", q->name);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
		close(fd);
		return r ? ag_fail(p, -r, "connect(%s): %s", q->name, strerror(-r)) : 0;
	case AG_HOSTILE:
		return hostile(st, q->arg, p);
	}
	return ag_fail(p, EINVAL, "unknown request %u", q->op);
}

static void __attribute__((noreturn)) agent_main(const char *user, int fd)
{
	static struct ag_state st;
	static struct ag_req q;
	static struct ag_rep p;
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Not the other agents' sockets: each must see its end of stream when the test closes it. */
	if (fd > 3)
		close_range(3, fd - 1, 0);
	close_range(fd + 1, ~0U, 0);
	if (become(user) < 0)
		_exit(2);
	for (size_t i = 0; i < HALF_OPEN; i++)
		st.half_open[i] = -1;
	while ((n = recv(fd, &q, sizeof(q), 0)) == sizeof(q)) {
		memset(&p, 0, sizeof(p));
		p.rc = ag_handle(&st, &q, &p);
		if (send(fd, &p, sizeof(p), MSG_NOSIGNAL) != sizeof(p))
			break;
	}
	for (size_t i = 0; i < AG_SLOTS; i++)
		ebroker_session_close(st.s[i]);
	ebroker_disconnect(st.b);
	_exit(0);
}

static int agent_start(struct agent *a, const char *user)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	/* Big enough for a reply in one packet. */
	for (int i = 0; i < 2; i++) {
		int sz = 2 * sizeof(struct ag_rep);

		setsockopt(sp[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	a->user = user;
	a->pid = fork();
	if (a->pid < 0)
		return -errno;
	if (a->pid == 0) {
		close(sp[0]);
		agent_main(user, sp[1]);
	}
	close(sp[1]);
	a->fd = sp[0];
	return 0;
}

/* Ends the agent, and with it whatever it holds. */
static void agent_stop(struct agent *a)
{
	uint64_t end = now_ms() + 5000;

	if (a->pid <= 0)
		return;
	close(a->fd);
	while (waitpid(a->pid, NULL, WNOHANG) == 0) {
		if (now_ms() > end) {
			kill(a->pid, SIGKILL);
			waitpid(a->pid, NULL, 0);
			break;
		}
		nap_ms(10);
	}
	a->pid = 0;
}

/* A request, answered later (ag_recv()). */
static int ag_send(struct agent *a, const struct ag_req *q)
{
	return send(a->fd, q, sizeof(*q), MSG_NOSIGNAL) == sizeof(*q) ? 0 : -EPIPE;
}

static int ag_gone(struct agent *a, struct ag_rep *p)
{
	memset(p, 0, sizeof(*p));
	p->err.error = EPIPE;
	snprintf(p->err.message, sizeof(p->err.message), "agent %s is gone", a->user);
	return p->rc = -EPIPE;
}

/* The answer to the request sent last: p->rc (-EPIPE if the agent is gone). */
static int ag_recv(struct agent *a, struct ag_rep *p)
{
	memset(p, 0, sizeof(*p));
	if (recv(a->fd, p, sizeof(*p), 0) != sizeof(*p))
		return ag_gone(a, p);
	return p->rc;
}

/* One request and its answer. */
static int ag(struct agent *a, const struct ag_req *q, struct ag_rep *p)
{
	return ag_send(a, q) < 0 ? ag_gone(a, p) : ag_recv(a, p);
}

static int a_open(struct agent *a, const char *enclave, struct ag_rep *p)
{
	struct ag_req q = { .op = AG_OPEN };

	snprintf(q.name, sizeof(q.name), "%s", enclave);
	return ag(a, &q, p);
}

static int a_call(struct agent *a, uint32_t slot, uint32_t fn, const void *in, size_t len,
		  uint32_t out_cap, struct ag_rep *p)
{
	struct ag_req q = { .op = AG_CALL, .slot = slot, .fn = fn, .arg = out_cap, .in_len = len };

	if (len)
		memcpy(q.in, in, len);
	return ag(a, &q, p);
}

static int a_simple(struct agent *a, enum ag_op op, uint64_t id, uint32_t slot, struct ag_rep *p)
{
	struct ag_req q = { .op = op, .id = id, .slot = slot };

	return ag(a, &q, p);
}

static int a_hostile(struct agent *a, unsigned int kind, struct ag_rep *p)
{
	struct ag_req q = { .op = AG_HOSTILE, .arg = kind };

	return ag(a, &q, p);
}

/* ------------------------------------------------------------ assertions */

/* expr (an agent request) succeeds; else the agent's reason is logged. */
#define ASSERT_AG(expr, p)                                                          \
	do {                                                                        \
		int __r = (expr);                                                   \
		if (__r)                                                            \
			TH_LOG("%s: %d (%s): %s: %s", #expr, __r, strerror(-__r),   \
			       ebroker_side_name((p)->err.side), (p)->err.message); \
		ASSERT_EQ(0, __r);                                                  \
	} while (0)

/* expr fails with -err from @side, with a message that contains @text. */
#define ASSERT_AG_FAILS(expr, p, err_, side_, text)                                    \
	do {                                                                           \
		int __r = (expr);                                                      \
		TH_LOG("%s: %d, %s: %s", #expr, __r, ebroker_side_name((p)->err.side), \
		       (p)->err.message);                                              \
		ASSERT_EQ(-(err_), __r);                                               \
		ASSERT_EQ(side_, (p)->err.side);                                       \
		ASSERT_NE(NULL, strstr((p)->err.message, text));                       \
	} while (0)

/* ECHO on the agent's session @slot returns exactly @text. */
static void echo_ok(struct __test_metadata *_metadata, struct agent *a, uint32_t slot,
		    const char *text)
{
	struct ag_rep p;

	ASSERT_AG(a_call(a, slot, ECHO_ECALL_ECHO, text, strlen(text), AG_DATA_MAX, &p), &p);
	ASSERT_EQ(0, p.status);
	ASSERT_EQ(strlen(text), p.out_len);
	ASSERT_EQ(0, memcmp(p.out, text, p.out_len));
}

/* Opens a session on @enclave: its slot; the session id and instance in ids. */
static uint32_t open_ok(struct __test_metadata *_metadata, struct agent *a, const char *enclave,
			uint64_t ids[2])
{
	struct ag_rep p;

	ASSERT_AG(a_open(a, enclave, &p), &p);
	ASSERT_NE(0, p.id);
	if (ids) {
		ids[0] = p.id;
		ids[1] = p.instance_id;
	}
	return p.slot;
}

/* The daemon still serves bob: a fresh session on echo, one call, closed. */
static void bob_served(struct __test_metadata *_metadata, struct agent *bob, const char *after)
{
	char text[128];
	uint64_t t0 = now_ms();
	uint32_t slot;
	struct ag_rep p;

	snprintf(text, sizeof(text), "bob, after %s", after);
	slot = open_ok(_metadata, bob, "echo", NULL);
	echo_ok(_metadata, bob, slot, text);
	ASSERT_AG(a_simple(bob, AG_DROP, 0, slot, &p), &p);
	TH_LOG("bob served in %llu ms after %s", (unsigned long long)(now_ms() - t0), after);
}

/* Live sessions as root sees them, of @uid (or of everyone for -1). */
static int live_sessions(uid_t uid)
{
	struct ebroker *b = NULL;
	struct ebroker_session_info *v = NULL;
	size_t n = 0;
	int r, count = 0;

	r = ebroker_connect(env.sock, &b);
	if (r == 0)
		r = ebroker_list_sessions(b, &v, &n);
	ebroker_disconnect(b);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		count += uid == (uid_t)-1 || v[i].uid == uid;
	free(v);
	return count;
}

/* Until @uid has @want live sessions; what it has at the end. */
static int wait_sessions(uid_t uid, int want)
{
	uint64_t end = now_ms() + SETTLE_MS;
	int n;

	while ((n = live_sessions(uid)) != want && now_ms() < end)
		nap_ms(100);
	return n;
}

/* Until @fn() == @want or SETTLE_MS passed: its last value. */
static uint64_t wait_u64(uint64_t (*fn)(const char *), const char *arg, uint64_t want)
{
	uint64_t end = now_ms() + SETTLE_MS, v;

	while ((v = fn(arg)) != want && now_ms() < end)
		nap_ms(100);
	return v;
}

static uid_t uid_of(const char *user)
{
	struct passwd *pw = getpwnam(user);

	return pw ? pw->pw_uid : (uid_t)-1;
}

/* Are @a and @b the same text once the ids @ia in @a and @ib in @b are taken out? */
static bool same_but_id(const char *a, uint64_t ia, const char *b, uint64_t ib)
{
	char na[32], nb[32];
	const char *pa, *pb;

	snprintf(na, sizeof(na), "%" PRIu64, ia);
	snprintf(nb, sizeof(nb), "%" PRIu64, ib);
	pa = strstr(a, na);
	pb = strstr(b, nb);
	return pa && pb && pa - a == pb - b && !strncmp(a, b, pa - a) &&
	       !strcmp(pa + strlen(na), pb + strlen(nb));
}

/* ------------------------------------------------------------- keyvault */

/* GENERATE, SIGN (verified by OpenSSL), PUBLIC_KEY on a keyvault session: the key. */
static void keyvault_ok(struct __test_metadata *_metadata, struct agent *a, uint32_t slot,
			uint8_t pub[KV_PUB_SIZE])
{
	struct kv_generate gen = { .policy = EB_KEYPOLICY_MRENCLAVE };
	uint8_t digest[KV_DIGEST_SIZE], sig[KV_SIG_SIZE];
	char msg[64];
	struct ag_rep p;

	ASSERT_AG(a_call(a, slot, KV_ECALL_GENERATE, &gen, sizeof(gen), KV_GENERATE_OUT_SIZE, &p),
		  &p);
	ASSERT_EQ(0, p.status);
	ASSERT_EQ(KV_GENERATE_OUT_SIZE, p.out_len);
	ASSERT_EQ(0x04, p.out[0]);
	memcpy(pub, p.out, KV_PUB_SIZE);

	snprintf(msg, sizeof(msg), "signed for %s", a->user);
	sha256(msg, strlen(msg), digest);
	ASSERT_AG(a_call(a, slot, KV_ECALL_SIGN, digest, sizeof(digest), KV_SIG_SIZE, &p), &p);
	ASSERT_EQ(0, p.status);
	ASSERT_EQ(KV_SIG_SIZE, p.out_len);
	memcpy(sig, p.out, sizeof(sig));
	ASSERT_TRUE(verify(pub, msg, strlen(msg), sig));
	sig[10] ^= 1;
	ASSERT_FALSE(verify(pub, msg, strlen(msg), sig));

	ASSERT_AG(a_call(a, slot, KV_ECALL_PUBLIC_KEY, NULL, 0, KV_PUB_SIZE, &p), &p);
	ASSERT_EQ(0, p.status);
	ASSERT_EQ(KV_PUB_SIZE, p.out_len);
	ASSERT_EQ(0, memcmp(p.out, pub, KV_PUB_SIZE));
}

/* --------------------------------------------------- the hostile client */

enum hostile {
	H_TRUNCATED,	/* half a header */
	H_VERSION,	/* OPEN of protocol version 2 */
	H_TYPE,		/* message type 99 */
	H_NOT_REQUEST,	/* DONE: a reply, sent to the daemon */
	H_UNKNOWN_ATTR, /* OPEN with attribute 27 */
	H_FOREIGN_ATTR, /* OPEN claiming UID 0: known, not allowed in OPEN */
	H_ATTR_SIZE,	/* OPEN with a 16-byte NONCE */
	H_ATTR_TYPE,	/* CLOSE with a u32 SESSION_ID */
	H_STRING,	/* OPEN whose ENCLAVE lacks its NUL */
	H_DUPLICATE,	/* OPEN with ENCLAVE twice */
	H_HUGE,		/* a 1 MiB message */
	H_FLOOD,	/* FLOOD OPENs in a row on one connection */
	H_HALF_OPEN,	/* HALF_OPEN connections that send nothing, kept */
	H_HALF_CLOSE,	/* ...closed */
	H_OPEN_AND_GO,	/* OPEN, then close at once */
	H_MID_CALL,	/* a session closed in the middle of a call */
	H_FD,		/* OPEN with a file descriptor */
	H_BAD_CALL,	/* malformed messages on session sockets */
	H_TAMPER,	/* records flipped, replayed, reordered, dropped, cut, injected */
};

struct raw {
	uint8_t b[512];
	size_t len;
};

static void raw_hdr(struct raw *r, uint16_t type, uint32_t version)
{
	struct ebp_msghdr h = { .type = type, .request_id = 1, .version = version };

	memset(r, 0, sizeof(*r));
	memcpy(r->b, &h, sizeof(h));
	r->len = sizeof(h);
}

static void raw_attr(struct raw *r, uint16_t type, const void *v, size_t n)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + n, .nla_type = type };

	memcpy(r->b + r->len, &a, sizeof(a));
	memcpy(r->b + r->len + NLA_HDRLEN, v, n);
	r->len += NLA_ALIGN(NLA_HDRLEN + n);
}

static void raw_open(struct raw *r, uint32_t version, size_t nonce_len)
{
	uint8_t key[EBP_NONCE_SIZE] = { 1, 2, 3 };

	raw_hdr(r, EBP_MSG_OPEN, version);
	raw_attr(r, EBP_A_ENCLAVE, "echo", 5);
	raw_attr(r, EBP_A_NONCE, key, nonce_len);
	raw_attr(r, EBP_A_CLIENT_KEY, key, EBP_PUBKEY_SIZE);
}

static size_t raw_done(struct raw *r)
{
	((struct ebp_msghdr *)r->b)->len = r->len;
	return r->len;
}

static int control_connect(struct ag_rep *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", env.sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ag_fail(p, errno, "cannot connect to %s: %m", env.sock);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One packet of @len bytes, with descriptor @pass unless it is -1. */
static int send_bytes(int fd, const void *buf, size_t len, int pass)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pass >= 0) {
		struct cmsghdr *c;

		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

/*
 * The peer must close @fd within 5 s. Before it does it may answer with
 * an ERROR of @allowed (the errno the protocol names for what was sent),
 * and a worker may say why it closes a session (an ERROR ECONNRESET with
 * request id 0), and nothing else.
 */
static int expect_closed(int fd, int allowed, struct ag_rep *p)
{
	static uint8_t buf[SESSION_BUF];
	uint64_t end = now_ms() + 5000;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const char *why = NULL;
		struct ebp_msg m = { 0 };
		int rfd = -1;
		ssize_t n;

		if (now_ms() > end)
			return ag_fail(p, ETIMEDOUT, "the connection is still open after 5 s");
		poll(&pfd, 1, 100);
		n = ebp_recv(fd, buf, sizeof(buf), &rfd);
		if (rfd >= 0)
			close(rfd);
		if (n == -EAGAIN)
			continue;
		if (n == 0 || n == -ECONNRESET)
			return 0;
		if (n < 0)
			return ag_fail(p, -n, "receiving: %s", strerror(-n));
		if (ebp_parse(buf, n, rfd >= 0, &m, &why) < 0)
			return ag_fail(p, EPROTO, "a malformed answer: %s", why);
		/* A worker's last message on a session: why it closes it. */
		if (m.type == EBP_MSG_ERROR && m.request_id == 0 &&
		    nla_get_u32(m.attrs[EBP_A_ERRNO]) == ECONNRESET)
			continue;
		if (m.type != EBP_MSG_ERROR ||
		    nla_get_u32(m.attrs[EBP_A_ERRNO]) != (uint32_t)allowed)
			return ag_fail(p, EPROTO, "answered %s (errno %u: %s) instead of closing",
				       ebp_msg_name(m.type),
				       m.attrs[EBP_A_ERRNO] ? nla_get_u32(m.attrs[EBP_A_ERRNO]) : 0,
				       m.attrs[EBP_A_MESSAGE] ? ebp_get_str(&m, EBP_A_MESSAGE)
							      : "");
	}
}

/* Sends @len bytes on a fresh control connection; the daemon must close it. */
static int malformed(const void *buf, size_t len, int allowed, struct ag_rep *p)
{
	int fd = control_connect(p), r;

	if (fd < 0)
		return -p->err.error;
	r = send_bytes(fd, buf, len, -1);
	if (r < 0)
		r = ag_fail(p, -r, "sending %zu bytes: %s", len, strerror(-r));
	else
		r = expect_closed(fd, allowed, p);
	close(fd);
	return r;
}

/* OPEN @enclave; with @ch, for its nonce and key (else random ones). */
static struct nl_msg *open_msg(uint32_t request_id, const char *enclave, struct ebc_channel *ch)
{
	uint8_t nonce[EBP_NONCE_SIZE], key[EBP_PUBKEY_SIZE];
	struct nl_msg *m;

	if (ch) {
		memcpy(nonce, ch->nonce, sizeof(nonce));
		memcpy(key, ch->client_pub, sizeof(key));
	} else if (getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce) ||
		   getrandom(key, sizeof(key), 0) != sizeof(key)) {
		return NULL;
	}
	if (ebp_msg_new(EBP_MSG_OPEN, request_id, 256, &m) < 0)
		return NULL;
	if (nla_put_string(m, EBP_A_ENCLAVE, enclave) || nla_put(m, EBP_A_NONCE, 32, nonce) ||
	    nla_put(m, EBP_A_CLIENT_KEY, 32, key)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* Waits up to @ms for one message on @fd: its length, with *rfd the descriptor. */
static ssize_t recv_one(int fd, void *buf, size_t cap, int *rfd, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		*rfd = -1;
		n = ebp_recv(fd, buf, cap, rfd);
		if (n != -EAGAIN)
			return n;
		if (now_ms() > end)
			return -ETIMEDOUT;
		poll(&pfd, 1, 100);
	}
}

/*
 * The channel of each raw session, by its socket's number: the hostile
 * client speaks records as libebroker does (its channel.c), and can break
 * them as libebroker never would. Not verified here: libebroker's own
 * tests and the attestation tests do that.
 */
static struct ebc_channel raw_channel[1024];

/* OPEN @enclave on control connection @cfd: the session socket, id and instance. */
static int session_raw(int cfd, uint32_t rid, const char *enclave, int *ret_sfd, uint64_t *ret_id,
		       uint64_t *ret_instance, struct ag_rep *p)
{
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct ebc_channel ch = { 0 };
	struct nl_msg *m;
	const char *why = NULL;
	struct ebp_msg msg = { 0 };
	const struct eb_quote *q;
	int r, sfd;
	ssize_t n;

	r = ebc_channel_keygen(&ch);
	if (r < 0)
		return ag_fail(p, -r, "cannot make a session key: %s", strerror(-r));
	m = open_msg(rid, enclave, &ch);
	if (!m)
		return ag_fail(p, ENOMEM, "cannot build OPEN");
	r = ebp_send(cfd, m, -1);
	nlmsg_free(m);
	if (r < 0)
		return ag_fail(p, -r, "sending OPEN: %s", strerror(-r));
	n = recv_one(cfd, buf, sizeof(buf), &sfd, 15000);
	if (n <= 0)
		return ag_fail(p, n ? -n : ECONNRESET, "no answer to OPEN: %s",
			       n ? strerror(-n) : "end of stream");
	if (ebp_parse(buf, n, sfd >= 0, &msg, &why) < 0 || msg.type != EBP_MSG_OPENED ||
	    msg.request_id != rid) {
		if (sfd >= 0)
			close(sfd);
		return ag_fail(p, EPROTO, "OPEN answered with %s (%s)", ebp_msg_name(msg.type),
			       why			  ? why
			       : msg.attrs[EBP_A_MESSAGE] ? ebp_get_str(&msg, EBP_A_MESSAGE)
							  : "");
	}
	q = nla_data(msg.attrs[EBP_A_QUOTE]);
	if (sfd >= (int)(sizeof(raw_channel) / sizeof(raw_channel[0])) ||
	    (size_t)nla_len(msg.attrs[EBP_A_QUOTE]) < sizeof(*q) ||
	    ebc_channel_establish(&ch, nla_get_u64(msg.attrs[EBP_A_SESSION_ID]),
				  nla_data(msg.attrs[EBP_A_ENCLAVE_KEY]), q->report_body) < 0) {
		close(sfd);
		ebc_channel_wipe(&ch);
		return ag_fail(p, EPROTO, "cannot set up the channel of the raw session");
	}
	ebc_channel_wipe(&raw_channel[sfd]);
	raw_channel[sfd] = ch;
	*ret_sfd = sfd;
	*ret_id = nla_get_u64(msg.attrs[EBP_A_SESSION_ID]);
	*ret_instance = nla_get_u64(msg.attrs[EBP_A_INSTANCE_ID]);
	return 0;
}

/* A CALL of @fn with @in on raw session @sfd: sealed with its channel. */
static struct nl_msg *call_msg(int sfd, uint32_t rid, uint32_t fn, const void *in, size_t len,
			       uint32_t out_max)
{
	static uint8_t rec[EBP_SESSION_MSG_MAX];
	struct nl_msg *m;
	size_t rec_len;

	if (ebc_channel_seal_call(&raw_channel[sfd], fn, in, len, rec, sizeof(rec), &rec_len) < 0 ||
	    ebp_msg_new(EBP_MSG_CALL, rid, rec_len + 64, &m) < 0)
		return NULL;
	if (nla_put_u32(m, EBP_A_OUT_MAX, out_max) || nla_put(m, EBP_A_RECORD, rec_len, rec)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* A CALL of ECHO on a raw session socket; its output must be @text. */
static int echo_raw(int sfd, uint32_t rid, const char *text, struct ag_rep *p)
{
	static uint8_t buf[SESSION_BUF];
	const char *why = NULL;
	struct ebp_msg msg = { 0 };
	struct nl_msg *m = call_msg(sfd, rid, ECHO_ECALL_ECHO, text, strlen(text), 256);
	static uint8_t out[256];
	size_t out_len = 0;
	int32_t status;
	ssize_t n;
	int r, rfd;

	if (!m)
		return ag_fail(p, ENOMEM, "cannot build CALL");
	r = ebp_send(sfd, m, -1);
	nlmsg_free(m);
	if (r < 0)
		return ag_fail(p, -r, "sending CALL: %s", strerror(-r));
	n = recv_one(sfd, buf, sizeof(buf), &rfd, 10000);
	if (rfd >= 0)
		close(rfd);
	if (n <= 0)
		return ag_fail(p, n ? -n : ECONNRESET, "no RESULT: %s",
			       n ? strerror(-n) : "end of stream");
	if (ebp_parse(buf, n, rfd >= 0, &msg, &why) < 0 || msg.type != EBP_MSG_RESULT ||
	    msg.request_id != rid ||
	    ebc_channel_open_result(&raw_channel[sfd], nla_data(msg.attrs[EBP_A_RECORD]),
				    nla_len(msg.attrs[EBP_A_RECORD]), &status, out, sizeof(out),
				    &out_len) < 0 ||
	    status != 0 || out_len != strlen(text) || memcmp(out, text, out_len))
		return ag_fail(p, EPROTO, "CALL answered with %s, not the echo of '%s'",
			       ebp_msg_name(msg.type), text);
	return 0;
}

/* Two sessions on echo that one instance serves, on a fresh control connection. */
static int two_sessions(int *cfd, int sfd[2], uint64_t id[2], struct ag_rep *p)
{
	uint64_t inst[2];
	int r;

	*cfd = control_connect(p);
	if (*cfd < 0)
		return -p->err.error;
	r = session_raw(*cfd, 1, "echo", &sfd[0], &id[0], &inst[0], p);
	if (r == 0) {
		r = session_raw(*cfd, 2, "echo", &sfd[1], &id[1], &inst[1], p);
		if (r < 0)
			close(sfd[0]);
	}
	if (r == 0 && inst[0] != inst[1]) {
		close(sfd[0]);
		close(sfd[1]);
		r = ag_fail(p, EXDEV,
			    "sessions %" PRIu64 " and %" PRIu64 " on instances %" PRIu64
			    " and %" PRIu64 ": the test needs one",
			    id[0], id[1], inst[0], inst[1]);
	}
	if (r < 0)
		close(*cfd);
	return r;
}

/* Session @id (the agent's user's) has ended, within 5 s, for a reason containing @why. */
static int ended_for(struct ag_state *st, uint64_t id, const char *why, struct ag_rep *p)
{
	uint64_t end = now_ms() + 5000;
	struct ebroker_session_info info;
	int r = ag_connect(st, p);

	while (r == 0) {
		r = ag_lib(p, ebroker_session_info_get(st->b, id, &info));
		if (r < 0)
			break;
		if (info.ended)
			return strstr(info.reason, why)
				   ? 0
				   : ag_fail(p, EPROTO, "session %" PRIu64 " ended: '%s', not '%s'",
					     id, info.reason, why);
		if (now_ms() > end)
			return ag_fail(p, ETIMEDOUT, "session %" PRIu64 " is still open", id);
		nap_ms(50);
	}
	return r;
}

static int flood(struct ag_rep *p)
{
	static uint8_t buf[EBP_CONTROL_MSG_MAX];
	int fds[FLOOD], cfd = control_connect(p), r = 0;
	unsigned int sent = 0, got = 0;

	if (cfd < 0)
		return -p->err.error;
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	while (r == 0 && got < FLOOD) {
		struct pollfd pfd = { .fd = cfd, .events = POLLIN | (sent < FLOOD ? POLLOUT : 0) };
		const char *why = NULL;
		struct ebp_msg msg = { 0 };
		ssize_t n;
		int rfd = -1;

		if (poll(&pfd, 1, 20000) == 0) {
			r = ag_fail(p, ETIMEDOUT,
				    "%u OPENs sent, %u answered, then 20 s of silence", sent, got);
			break;
		}
		if ((pfd.revents & POLLOUT) && sent < FLOOD) {
			struct nl_msg *m = open_msg(sent + 1, "echo", NULL);

			r = m ? ebp_send(cfd, m, -1) : -ENOMEM;
			nlmsg_free(m);
			if (r == 0)
				sent++;
			else if (r == -EAGAIN)
				r = 0;
			else
				r = ag_fail(p, -r, "OPEN %u: %s", sent + 1, strerror(-r));
		}
		if (r || !(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = ebp_recv(cfd, buf, sizeof(buf), &rfd);
		if (n == -EAGAIN)
			continue;
		if (n <= 0) {
			r = ag_fail(p, ECONNRESET, "the daemon closed after %u of %u answers (%s)",
				    got, FLOOD, n ? strerror(-n) : "end of stream");
			break;
		}
		if (ebp_parse(buf, n, rfd >= 0, &msg, &why) < 0 || msg.request_id != got + 1 ||
		    msg.type != EBP_MSG_OPENED) {
			r = ag_fail(p, EPROTO, "answer %u: %s, request %u (%s)", got + 1,
				    ebp_msg_name(msg.type), msg.request_id,
				    why			       ? why
				    : msg.attrs[EBP_A_MESSAGE] ? ebp_get_str(&msg, EBP_A_MESSAGE)
							       : "");
			if (rfd >= 0)
				close(rfd);
			break;
		}
		fds[got++] = rfd;
	}
	for (unsigned int i = 0; i < got; i++)
		close(fds[i]);
	close(cfd);
	return r;
}

/* OPEN with one end of a pipe: the daemon must drop the connection and the descriptor. */
static int open_with_fd(struct ag_rep *p)
{
	struct pollfd pfd = { .events = POLLIN };
	int pipefd[2], cfd, r;
	struct raw m;

	raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
	raw_done(&m);
	cfd = control_connect(p);
	if (cfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return cfd < 0 ? -p->err.error : ag_fail(p, errno, "pipe: %m");
	r = send_bytes(cfd, m.b, m.len, pipefd[1]);
	close(pipefd[1]);
	if (r < 0)
		r = ag_fail(p, -r, "sending OPEN with a descriptor: %s", strerror(-r));
	else
		r = expect_closed(cfd, EBADMSG, p);
	close(cfd);
	/* The write end's last copy was the daemon's: closed, the read end hangs up. */
	pfd.fd = pipefd[0];
	if (r == 0 && (poll(&pfd, 1, 5000) != 1 || !(pfd.revents & POLLHUP)))
		r = ag_fail(p, EMFILE, "the daemon still holds the descriptor sent with OPEN");
	close(pipefd[0]);
	return r;
}

/* A session closed while its CALL is in flight ends alone: the other goes on. */
static int mid_call(struct ag_state *st, struct ag_rep *p)
{
	static uint8_t big[MID_CALL_BYTES];
	struct nl_msg *m = NULL;
	int cfd, sfd[2], r;
	uint64_t id[2];

	r = two_sessions(&cfd, sfd, id, p);
	if (r < 0)
		return r;
	memset(big, 'x', sizeof(big));
	m = call_msg(sfd[0], 1, ECHO_ECALL_ECHO, big, sizeof(big), sizeof(big));
	if (!m)
		r = -ENOMEM;
	if (r == 0)
		r = ebp_send(sfd[0], m, -1);
	nlmsg_free(m);
	close(sfd[0]);
	if (r < 0)
		r = ag_fail(p, -r, "sending the CALL: %s", strerror(-r));
	if (r == 0)
		r = echo_raw(sfd[1], 1, "the other session", p);
	if (r == 0)
		r = ended_for(st, id[0], "closed by the client", p);
	if (r == 0)
		r = echo_raw(sfd[1], 2, "still the other session", p);
	close(sfd[1]);
	close(cfd);
	return r;
}

/*
 * Malformed messages on a session socket end that session only: a CALL
 * without OUT_MAX, and a message larger than the session's MAX_MSG.
 */
static int bad_call(struct ag_state *st, struct ag_rep *p)
{
	static uint8_t big[EBP_SESSION_MSG_MAX + 4096];
	int cfd, sfd[2], cfd2, sfd2[2], r;
	uint64_t id[2], id2[2];
	struct ebp_msghdr *h = (struct ebp_msghdr *)big;
	struct nl_msg *m;

	r = two_sessions(&cfd, sfd, id, p);
	if (r < 0)
		return r;
	r = ebp_msg_new(EBP_MSG_CALL, 1, 64, &m);
	if (r == 0) {
		r = nla_put(m, EBP_A_RECORD, 40, big) ? -ENOMEM : ebp_send(sfd[0], m, -1);
		nlmsg_free(m);
	}
	if (r < 0)
		r = ag_fail(p, -r, "sending a CALL without OUT_MAX: %s", strerror(-r));
	if (r == 0)
		r = expect_closed(sfd[0], EBADMSG, p);
	if (r == 0)
		r = ended_for(st, id[0], "malformed message from the client", p);
	if (r == 0)
		r = echo_raw(sfd[1], 1, "the other session, after a CALL without OUT_MAX", p);
	close(sfd[0]);
	if (r < 0)
		goto out;

	/* Another pair: one message past the session's MAX_MSG (65536). */
	r = two_sessions(&cfd2, sfd2, id2, p);
	if (r < 0)
		goto out;
	memset(big, 0, sizeof(big));
	*h = (struct ebp_msghdr){
		.len = sizeof(big), .type = EBP_MSG_CALL, .request_id = 1, .version = EBP_VERSION
	};
	r = send_bytes(sfd2[0], big, sizeof(big), -1);
	if (r < 0)
		r = ag_fail(p, -r, "sending %zu bytes: %s", sizeof(big), strerror(-r));
	if (r == 0)
		r = expect_closed(sfd2[0], EMSGSIZE, p);
	if (r == 0)
		r = ended_for(st, id2[0], "malformed message from the client", p);
	if (r == 0)
		r = echo_raw(sfd2[1], 1, "the other session, after an oversized message", p);
	if (r == 0)
		r = echo_raw(sfd[1], 2, "the first pair's survivor", p);
	close(sfd2[0]);
	close(sfd2[1]);
	close(cfd2);
out:
	close(sfd[1]);
	close(cfd);
	return r;
}

/* The ways a relay between client and worker can break the records of a session. */
enum tamper {
	T_FLIP,	    /* one bit of the ciphertext */
	T_REPLAY,   /* a CALL record sent again */
	T_REORDER,  /* the second record before the first */
	T_DROP,	    /* a record lost, the next one sent */
	T_TRUNCATE, /* the tag's last byte cut */
	T_INJECT,   /* a record of random bytes under a valid header */
	_T_MAX,
};

static const char *const tamper_names[_T_MAX] = {
	[T_FLIP] = "a flipped bit",	     [T_REPLAY] = "a replayed record",
	[T_REORDER] = "reordered records",   [T_DROP] = "a dropped record",
	[T_TRUNCATE] = "a truncated record", [T_INJECT] = "an injected record",
};

/* Sends CALL @m (taken) with its RECORD changed by @edit (NULL: as it is). */
static int send_call(int sfd, struct nl_msg *m, void (*edit)(uint8_t *rec, int *len))
{
	struct nlattr *a = nlmsg_find_attr(nlmsg_hdr(m), 0, EBP_A_RECORD);
	int len = nla_len(a), r;

	if (edit) {
		edit(nla_data(a), &len);
		/* A shorter record: the attribute and the message shrink with it. */
		nlmsg_hdr(m)->nlmsg_len -= NLA_ALIGN(nla_len(a)) - NLA_ALIGN(len);
		a->nla_len = NLA_HDRLEN + len;
	}
	r = ebp_send(sfd, m, -1);
	nlmsg_free(m);
	return r;
}

static void flip(uint8_t *rec, int *len)
{
	rec[sizeof(struct eb_record_header) + 3] ^= 0x10;
	(void)len;
}

static void cut(uint8_t *rec, int *len)
{
	(void)rec;
	(*len)--;
}

static void garble(uint8_t *rec, int *len)
{
	if (getrandom(rec + sizeof(struct eb_record_header), *len - sizeof(struct eb_record_header),
		      0) < 0)
		memset(rec + sizeof(struct eb_record_header), 0x5a,
		       *len - sizeof(struct eb_record_header));
}

/* The enclave refuses the record: an ERROR (EBADMSG, side enclave), then the session ends. */
static int refused_record(struct ag_state *st, int sfd, uint64_t id, uint32_t rid, enum tamper t,
			  struct ag_rep *p)
{
	static uint8_t buf[SESSION_BUF];
	const char *why = NULL;
	struct ebp_msg msg = { 0 };
	int rfd, r;
	ssize_t n;

	n = recv_one(sfd, buf, sizeof(buf), &rfd, 10000);
	if (rfd >= 0)
		close(rfd);
	if (n <= 0)
		return ag_fail(p, EPROTO, "%s: no answer (%s)", tamper_names[t],
			       n ? strerror(-n) : "end of stream");
	if (ebp_parse(buf, n, false, &msg, &why) < 0 || msg.type != EBP_MSG_ERROR ||
	    msg.request_id != rid || nla_get_u32(msg.attrs[EBP_A_ERRNO]) != EBADMSG ||
	    nla_get_u32(msg.attrs[EBP_A_SIDE]) != EBP_SIDE_ENCLAVE)
		return ag_fail(p, EPROTO, "%s: answered %s, not the enclave's EBADMSG",
			       tamper_names[t], ebp_msg_name(msg.type));
	r = expect_closed(sfd, EBADMSG, p);
	if (r == 0)
		r = ended_for(st, id, "failed authentication in the enclave", p);
	return r;
}

/*
 * A relay that breaks the records of a session, each way in turn on a
 * session of its own: the enclave detects each, ends that session, and the
 * other session of the same instance goes on.
 */
static int tamper(struct ag_state *st, struct ag_rep *p)
{
	static const char text[] = "sixteen bytes!!";
	uint32_t rid = 10;
	int cfd, sfd[2], r;
	uint64_t id[2];

	r = two_sessions(&cfd, sfd, id, p);
	if (r < 0)
		return r;
	close(sfd[0]);
	for (enum tamper t = 0; r == 0 && t < _T_MAX; t++) {
		struct nl_msg *m1 = NULL, *m2 = NULL;
		uint64_t vid, inst;
		int v;

		r = session_raw(cfd, rid++, "echo", &v, &vid, &inst, p);
		if (r < 0)
			break;
		m1 = call_msg(v, 1, ECHO_ECALL_ECHO, text, sizeof(text), 256);
		if (m1)
			m2 = call_msg(v, 2, ECHO_ECALL_ECHO, text, sizeof(text), 256);
		if (!m1 || !m2) {
			nlmsg_free(m1);
			close(v);
			r = ag_fail(p, ENOMEM, "cannot build the CALLs");
			break;
		}
		switch (t) {
		case T_FLIP:
			nlmsg_free(m2);
			r = send_call(v, m1, flip);
			break;
		case T_REPLAY: {
			static uint8_t copy[4096], buf[SESSION_BUF];
			uint32_t len = nlmsg_hdr(m1)->nlmsg_len;
			struct ebp_msg msg = { 0 };
			uint8_t out[64];
			size_t out_len;
			int32_t status;
			ssize_t n;
			int rfd;

			nlmsg_free(m2);
			memcpy(copy, nlmsg_hdr(m1), len);
			r = send_call(v, m1, NULL);
			if (r < 0)
				break;
			/* The first is answered, and the answer is genuine. */
			n = recv_one(v, buf, sizeof(buf), &rfd, 10000);
			if (n <= 0 || ebp_parse(buf, n, false, &msg, NULL) < 0 ||
			    msg.type != EBP_MSG_RESULT ||
			    ebc_channel_open_result(&raw_channel[v],
						    nla_data(msg.attrs[EBP_A_RECORD]),
						    nla_len(msg.attrs[EBP_A_RECORD]), &status, out,
						    sizeof(out), &out_len) < 0) {
				r = ag_fail(p, EPROTO, "the CALL before the replay failed");
				break;
			}
			((struct ebp_msghdr *)copy)->request_id = 2;
			r = send_bytes(v, copy, len, -1);
			break;
		}
		case T_REORDER:
			r = send_call(v, m2, NULL);
			nlmsg_free(m1);
			break;
		case T_DROP:
			nlmsg_free(m1);
			r = send_call(v, m2, NULL);
			break;
		case T_TRUNCATE:
			nlmsg_free(m2);
			r = send_call(v, m1, cut);
			break;
		case T_INJECT:
			nlmsg_free(m2);
			r = send_call(v, m1, garble);
			break;
		case _T_MAX:
			break;
		}
		if (r < 0)
			r = ag_fail(p, -r, "%s: sending: %s", tamper_names[t], strerror(-r));
		if (r == 0)
			r = refused_record(st, v, vid,
					   t == T_FLIP || t == T_TRUNCATE || t == T_INJECT ? 1 : 2,
					   t, p);
		ebc_channel_wipe(&raw_channel[v]);
		close(v);
		if (r == 0)
			r = echo_raw(sfd[1], rid++, "the other session, after tampering", p);
	}
	close(sfd[1]);
	close(cfd);
	return r;
}

static int hostile(struct ag_state *st, unsigned int kind, struct ag_rep *p)
{
	static const uint8_t zero[EBP_NONCE_SIZE];
	uint8_t *huge;
	uint64_t sid = 1;
	struct raw m;
	int fd, r, sz;

	switch (kind) {
	case H_TRUNCATED:
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		raw_done(&m);
		return malformed(m.b, 10, EBADMSG, p);
	case H_VERSION:
		raw_open(&m, EBP_VERSION + 1, EBP_NONCE_SIZE);
		return malformed(m.b, raw_done(&m), EPROTO, p);
	case H_TYPE:
		raw_hdr(&m, 99, EBP_VERSION);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_NOT_REQUEST:
		raw_hdr(&m, EBP_MSG_DONE, EBP_VERSION);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_UNKNOWN_ATTR:
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		raw_attr(&m, EBP_A_MAX + 1, &sid, 4);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_FOREIGN_ATTR:
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		raw_attr(&m, EBP_A_UID, &(uint32_t){ 0 }, 4);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_ATTR_SIZE:
		raw_open(&m, EBP_VERSION, 16);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_ATTR_TYPE:
		raw_hdr(&m, EBP_MSG_CLOSE, EBP_VERSION);
		raw_attr(&m, EBP_A_SESSION_ID, &sid, 4);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_STRING:
		raw_hdr(&m, EBP_MSG_OPEN, EBP_VERSION);
		raw_attr(&m, EBP_A_ENCLAVE, "echo", 4);
		raw_attr(&m, EBP_A_NONCE, zero, EBP_NONCE_SIZE);
		raw_attr(&m, EBP_A_CLIENT_KEY, zero, EBP_PUBKEY_SIZE);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_DUPLICATE:
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		raw_attr(&m, EBP_A_ENCLAVE, "echo", 5);
		return malformed(m.b, raw_done(&m), EBADMSG, p);
	case H_HUGE:
		huge = calloc(1, 1 << 20);
		fd = control_connect(p);
		if (!huge || fd < 0) {
			free(huge);
			return fd < 0 ? -p->err.error : ag_fail(p, ENOMEM, "out of memory");
		}
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		memcpy(huge, m.b, raw_done(&m));
		((struct ebp_msghdr *)huge)->len = 1 << 20;
		/* A 1 MiB packet needs a send buffer above the default wmem_max (main raised it). */
		sz = 2 << 20;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		r = send_bytes(fd, huge, 1 << 20, -1);
		free(huge);
		if (r < 0)
			r = ag_fail(p, -r, "sending 1 MiB: %s", strerror(-r));
		else
			r = expect_closed(fd, EMSGSIZE, p);
		close(fd);
		return r;
	case H_FLOOD:
		return flood(p);
	case H_HALF_OPEN:
		for (; st->n_half_open < HALF_OPEN; st->n_half_open++) {
			fd = control_connect(p);
			if (fd < 0)
				return -p->err.error;
			st->half_open[st->n_half_open] = fd;
		}
		return 0;
	case H_HALF_CLOSE:
		/* None of them may have been closed by the daemon meanwhile. */
		r = 0;
		for (unsigned int i = 0; i < st->n_half_open; i++) {
			struct pollfd pfd = { .fd = st->half_open[i], .events = POLLIN };

			if (r == 0 && poll(&pfd, 1, 0) != 0)
				r = ag_fail(p, ECONNRESET, "half-open connection %u was closed", i);
			close(st->half_open[i]);
		}
		st->n_half_open = 0;
		return r;
	case H_OPEN_AND_GO:
		fd = control_connect(p);
		if (fd < 0)
			return -p->err.error;
		raw_open(&m, EBP_VERSION, EBP_NONCE_SIZE);
		r = send_bytes(fd, m.b, raw_done(&m), -1);
		close(fd);
		return r < 0 ? ag_fail(p, -r, "sending OPEN: %s", strerror(-r)) : 0;
	case H_MID_CALL:
		return mid_call(st, p);
	case H_FD:
		return open_with_fd(p);
	case H_BAD_CALL:
		return bad_call(st, p);
	case H_TAMPER:
		return tamper(st, p);
	}
	return ag_fail(p, EINVAL, "unknown hostile case %u", kind);
}

/* ---------------------------------------------------------------- tests */

FIXTURE(broker)
{
	struct agent alice, bob, mallory;
	bool policy_changed;
};

FIXTURE_SETUP(broker)
{
	if (!env.sock)
		SKIP(return, "run through broker_test.sh");
	ASSERT_EQ(0, kill(env.daemon, 0));
	/* Each test starts with no session open (the last test's end asynchronously). */
	wait_sessions((uid_t)-1, 0);
	ASSERT_EQ(0, agent_start(&self->alice, "alice"));
	ASSERT_EQ(0, agent_start(&self->bob, "bob"));
	ASSERT_EQ(0, agent_start(&self->mallory, "mallory"));
}

FIXTURE_TEARDOWN(broker)
{
	char path[PATH_MAX];
	struct ebroker *b = NULL;

	kill(env.daemon, SIGCONT); /* open_while_worker_dies stops it */
	agent_stop(&self->alice);
	agent_stop(&self->bob);
	agent_stop(&self->mallory);
	if (self->policy_changed) {
		snprintf(path, sizeof(path), "%s/etc/policy.d/20-broken.conf", env.tmp);
		unlink(path);
		snprintf(path, sizeof(path), "%s/etc/policy.d/30-limits.conf", env.tmp);
		unlink(path);
		write_text(env.policy, env.policy_saved);
		if (ebroker_connect(env.sock, &b) == 0)
			ebroker_reload(b);
		ebroker_disconnect(b);
	}
	set_max("bob", "max");
}

/*
 * alice and bob each hold an echo and a keyvault session that work; each
 * tenant's instances are charged to its own cgroup, exactly their pages,
 * and to nothing else: not the other tenant, not mallory, not the daemon's
 * cgroup nor the workers'.
 */
TEST_F(broker, two_tenants)
{
	const uint64_t both = (uint64_t)(ECHO_PAGES + env.kv_pages) * PAGE;
	uint8_t pub_a[KV_PUB_SIZE], pub_b[KV_PUB_SIZE];
	uint64_t ids[4][2];
	uint32_t slot[4];
	char dcg[PATH_MAX];
	pid_t workers[8];
	struct ag_rep p;
	unsigned int n;

	ASSERT_TRUE(settle());
	ASSERT_EQ(0, cgroup_of(env.daemon, dcg, sizeof(dcg)));
	ASSERT_EQ(0, tenant_current("alice"));
	ASSERT_EQ(0, tenant_current("bob"));

	slot[0] = open_ok(_metadata, &self->alice, "echo", ids[0]);
	slot[1] = open_ok(_metadata, &self->alice, "keyvault", ids[1]);
	echo_ok(_metadata, &self->alice, slot[0], "alice: hello, echo");
	keyvault_ok(_metadata, &self->alice, slot[1], pub_a);
	EXPECT_EQ(both, tenant_current("alice"));
	EXPECT_EQ(0, tenant_current("bob"));

	slot[2] = open_ok(_metadata, &self->bob, "echo", ids[2]);
	slot[3] = open_ok(_metadata, &self->bob, "keyvault", ids[3]);
	echo_ok(_metadata, &self->bob, slot[2], "bob: hello, echo");
	keyvault_ok(_metadata, &self->bob, slot[3], pub_b);
	EXPECT_NE(0, memcmp(pub_a, pub_b, KV_PUB_SIZE));

	/* Four instances, none shared between the tenants. */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			EXPECT_NE(ids[i][1], ids[j][1]);
	EXPECT_EQ(both, tenant_current("alice"));
	EXPECT_EQ(both, tenant_current("bob"));
	EXPECT_EQ(0, tenant_current("mallory"));
	EXPECT_EQ(2 * both, cg_current_dir(env.cg));
	EXPECT_EQ(0, cg_current_dir(dcg));
	/* Nothing in the whole hierarchy beyond the tenants' pages. */
	EXPECT_EQ(2 * both, root_current());
	/* The workers run in cgroups of their own, which are charged nothing. */
	n = worker_pids(workers, 8);
	EXPECT_EQ(4, n);
	for (unsigned int i = 0; i < n && i < 8; i++) {
		char wcg[PATH_MAX];

		ASSERT_EQ(0, cgroup_of(workers[i], wcg, sizeof(wcg)));
		EXPECT_EQ(0, strncmp(wcg, env.worker_cg, strlen(env.worker_cg)));
		EXPECT_EQ(0, cg_current_dir(wcg));
	}

	/* Each sees its own two sessions, in its own cgroup. */
	ASSERT_AG(a_simple(&self->alice, AG_LIST, 0, 0, &p), &p);
	ASSERT_EQ(2, p.n);
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(uid_of("alice"), p.list[i].uid);
		EXPECT_TRUE(p.list[i].id == ids[0][0] || p.list[i].id == ids[1][0]);
	}

	for (int i = 0; i < 2; i++) {
		ASSERT_AG(a_simple(&self->alice, AG_DROP, 0, slot[i], &p), &p);
		ASSERT_AG(a_simple(&self->bob, AG_DROP, 0, slot[2 + i], &p), &p);
	}
	/* Idle instances stop after IdleTimeoutSec=1, and their EPC goes with them. */
	EXPECT_EQ(0, wait_u64(tenant_current, "alice", 0));
	EXPECT_EQ(0, wait_u64(tenant_current, "bob", 0));
	EXPECT_TRUE(settle());
}

/*
 * bob's limit is below one echo instance: his OPEN fails with EDQUOT from
 * the kernel side, naming his cgroup and the limit, while alice goes on.
 * With the limit raised, he opens.
 */
TEST_F(broker, quota)
{
	static const char want[] = "cgroup /ebroker-tenants/bob has not enough EPC left under its "
				   "limit of 512 KiB";
	uint64_t first[2];
	struct ag_rep p;
	uint32_t a, b;

	ASSERT_TRUE(settle());
	a = open_ok(_metadata, &self->alice, "echo", NULL);
	ASSERT_EQ(0, set_max("bob", "512K"));

	ASSERT_AG_FAILS(a_open(&self->bob, "echo", &p), &p, EDQUOT, EBROKER_SIDE_KERNEL, want);
	EXPECT_NE(NULL, strstr(p.err.message, "an instance of enclave echo needs 596 KiB"));
	echo_ok(_metadata, &self->alice, a, "alice, while bob is at his quota");
	/* Nothing of the failed instance stays charged. */
	EXPECT_EQ(0, wait_u64(tenant_current, "bob", 0));
	ASSERT_AG_FAILS(a_open(&self->bob, "echo", &p), &p, EDQUOT, EBROKER_SIDE_KERNEL, want);
	EXPECT_EQ((uint64_t)ECHO_PAGES * PAGE, tenant_current("alice"));

	ASSERT_EQ(0, set_max("bob", "1M"));
	b = open_ok(_metadata, &self->bob, "echo", first);
	echo_ok(_metadata, &self->bob, b, "bob, under a limit of 1 MiB");
	EXPECT_EQ((uint64_t)ECHO_PAGES * PAGE, tenant_current("bob"));
	echo_ok(_metadata, &self->alice, a, "alice, after bob got his instance");

	/*
	 * One instance fits in 1 MiB, not two: past SessionsPerInstance=4 the
	 * pool cannot grow, so the fifth session shares the instance bob has.
	 */
	for (int i = 0; i < 4; i++) {
		uint64_t ids[2];

		b = open_ok(_metadata, &self->bob, "echo", ids);
		EXPECT_EQ(first[1], ids[1]);
		echo_ok(_metadata, &self->bob, b, "bob, sharing his one instance");
	}
	EXPECT_EQ((uint64_t)ECHO_PAGES * PAGE, tenant_current("bob"));
}

/* mallory is not in the policy: EACCES from the daemon, naming her; nothing runs for her. */
TEST_F(broker, policy_refusal)
{
	char dir[PATH_MAX];
	struct ag_rep p;
	struct stat st;

	ASSERT_AG_FAILS(a_open(&self->mallory, "echo", &p), &p, EACCES, EBROKER_SIDE_DAEMON,
			"mallory");
	EXPECT_NE(NULL, strstr(p.err.message, "echo"));
	ASSERT_AG_FAILS(a_open(&self->mallory, "keyvault", &p), &p, EACCES, EBROKER_SIDE_DAEMON,
			"mallory");
	ASSERT_AG_FAILS(a_open(&self->mallory, "nosuch", &p), &p, ENOENT, EBROKER_SIDE_DAEMON,
			"no enclave named 'nosuch'");
	EXPECT_EQ(0, tenant_current("mallory"));
	snprintf(dir, sizeof(dir), "%s/mallory", env.cg);
	ASSERT_EQ(0, stat(dir, &st));
	snprintf(dir, sizeof(dir), "%s/tenant-%llu", env.worker_cg, (unsigned long long)st.st_ino);
	EXPECT_NE(0, access(dir, F_OK));
	ASSERT_AG(a_simple(&self->mallory, AG_LIST, 0, 0, &p), &p);
	EXPECT_EQ(0, p.n);
}

/*
 * alice can neither see, nor close, nor ask about bob's sessions, whether
 * she knows their ids or guesses; nor reach a worker's socket. root sees
 * everyone's.
 */
TEST_F(broker, cross_user)
{
	uint64_t a_ids[2], b_ids[2][2], guess[] = { 0, UINT64_MAX, 1ULL << 63 };
	char path[PATH_MAX], line[65536], want[64];
	struct ag_req q = { .op = AG_CONNECT };
	uint32_t a, b[2];
	struct ag_rep p, none;
	uint64_t never;
	FILE *f;

	a = open_ok(_metadata, &self->alice, "echo", a_ids);
	b[0] = open_ok(_metadata, &self->bob, "echo", b_ids[0]);
	b[1] = open_ok(_metadata, &self->bob, "keyvault", b_ids[1]);
	never = b_ids[1][0] + 100000;

	ASSERT_AG(a_simple(&self->alice, AG_LIST, 0, 0, &p), &p);
	ASSERT_EQ(1, p.n);
	EXPECT_EQ(a_ids[0], p.list[0].id);
	EXPECT_EQ(uid_of("alice"), p.list[0].uid);

	/* bob's sessions look exactly like sessions that never were. */
	for (int i = 0; i < 2; i++) {
		ASSERT_AG_FAILS(a_simple(&self->alice, AG_CLOSE_ID, b_ids[i][0], 0, &p), &p, ENOENT,
				EBROKER_SIDE_DAEMON, "of yours");
		ASSERT_AG_FAILS(a_simple(&self->alice, AG_CLOSE_ID, never, 0, &none), &none, ENOENT,
				EBROKER_SIDE_DAEMON, "of yours");
		EXPECT_TRUE(same_but_id(p.err.message, b_ids[i][0], none.err.message, never));
		ASSERT_AG_FAILS(a_simple(&self->alice, AG_INFO, b_ids[i][0], 0, &p), &p, ENOENT,
				EBROKER_SIDE_DAEMON, "of yours");
		ASSERT_AG_FAILS(a_simple(&self->alice, AG_INFO, never, 0, &none), &none, ENOENT,
				EBROKER_SIDE_DAEMON, "of yours");
		EXPECT_TRUE(same_but_id(p.err.message, b_ids[i][0], none.err.message, never));
	}
	/* Every other id, up to past the newest, and some far ones. */
	for (uint64_t id = 1; id < b_ids[1][0] + 16; id++) {
		if (id == a_ids[0])
			continue;
		ASSERT_EQ(-ENOENT, a_simple(&self->alice, AG_CLOSE_ID, id, 0, &p));
	}
	for (size_t i = 1; i < ARRAY_SIZE(guess); i++)
		ASSERT_EQ(-ENOENT, a_simple(&self->alice, AG_CLOSE_ID, guess[i], 0, &p));
	/* An id of 0 is refused by the library itself. */
	ASSERT_EQ(-EINVAL, a_simple(&self->alice, AG_CLOSE_ID, guess[0], 0, &p));

	/* bob's sessions noticed nothing. */
	echo_ok(_metadata, &self->bob, b[0], "bob, after alice's attempts");
	ASSERT_AG(a_call(&self->bob, b[1], KV_ECALL_GENERATE,
			 &(struct kv_generate){ .policy = EB_KEYPOLICY_MRENCLAVE },
			 sizeof(struct kv_generate), KV_GENERATE_OUT_SIZE, &p),
		  &p);
	ASSERT_AG(a_simple(&self->bob, AG_INFO, b_ids[0][0], 0, &p), &p);
	EXPECT_FALSE(p.info.ended);
	echo_ok(_metadata, &self->alice, a, "alice, after her attempts");

	/* The workers' own sockets are root's. */
	ASSERT_GT(sizeof(q.name),
		  snprintf(q.name, sizeof(q.name), "%s/run/workers/%" PRIu64 ".sock", env.tmp,
			   b_ids[0][1]));
	ASSERT_EQ(0, access(q.name, F_OK));
	ASSERT_EQ(-EACCES, ag(&self->alice, &q, &p));

	/* root sees all three, in ebrokerctl sessions --json. */
	ASSERT_GT(sizeof(path),
		  snprintf(path, sizeof(path), "%s/bin/ebrokerctl --json sessions", env.build));
	f = popen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	pclose(f);
	snprintf(want, sizeof(want), "{\"id\":%" PRIu64 ",\"uid\":%u,", a_ids[0], uid_of("alice"));
	EXPECT_NE(NULL, strstr(line, want));
	for (int i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "{\"id\":%" PRIu64 ",\"uid\":%u,", b_ids[i][0],
			 uid_of("bob"));
		EXPECT_NE(NULL, strstr(line, want));
	}
	if (_metadata->passed == 0)
		TH_LOG("ebrokerctl --json sessions: %s", line);

	/* Nor, once it has ended, does she see why. */
	ASSERT_AG(a_simple(&self->bob, AG_DROP, 0, b[0], &p), &p);
	ASSERT_AG(a_simple(&self->bob, AG_INFO, b_ids[0][0], 0, &p), &p);
	EXPECT_TRUE(p.info.ended);
	ASSERT_AG_FAILS(a_simple(&self->alice, AG_INFO, b_ids[0][0], 0, &p), &p, ENOENT,
			EBROKER_SIDE_DAEMON, "of yours");
}

/*
 * SIGKILL to a worker: its sessions' next calls fail with ECONNRESET,
 * saying so; the tenant's other instance and bob's go on; its EPC comes
 * back; the next OPEN gets a fresh instance.
 */
TEST_F(broker, worker_killed)
{
	uint64_t e1[2], e2[2], k[2], e3[2], before;
	uint32_t s1, s2, sk, sb, s3;
	pid_t victim = 0, other = 0;
	bool listed = false;
	struct ag_rep p;

	ASSERT_TRUE(settle());
	s1 = open_ok(_metadata, &self->alice, "echo", e1);
	s2 = open_ok(_metadata, &self->alice, "echo", e2);
	sk = open_ok(_metadata, &self->alice, "keyvault", k);
	sb = open_ok(_metadata, &self->bob, "echo", NULL);
	ASSERT_EQ(e1[1], e2[1]);
	echo_ok(_metadata, &self->alice, s1, "before the kill");

	ASSERT_AG(a_simple(&self->alice, AG_LIST, 0, 0, &p), &p);
	ASSERT_EQ(3, p.n);
	for (unsigned int i = 0; i < p.n; i++) {
		if (p.list[i].id == e1[0])
			victim = p.list[i].worker_pid;
		if (p.list[i].id == k[0])
			other = p.list[i].worker_pid;
	}
	ASSERT_GT(victim, 0);
	ASSERT_GT(other, 0);
	ASSERT_NE(victim, other);
	before = tenant_current("alice");
	ASSERT_EQ((uint64_t)(ECHO_PAGES + env.kv_pages) * PAGE, before);

	ASSERT_EQ(0, kill(victim, SIGKILL));
	ASSERT_AG_FAILS(a_call(&self->alice, s1, ECHO_ECALL_ECHO, "x", 1, 16, &p), &p, ECONNRESET,
			EBROKER_SIDE_WORKER, "killed by signal 9");
	ASSERT_AG_FAILS(a_call(&self->alice, s2, ECHO_ECALL_ECHO, "x", 1, 16, &p), &p, ECONNRESET,
			EBROKER_SIDE_WORKER, "killed by signal 9");
	/* Ended for good: the same answer again, at once. */
	ASSERT_AG_FAILS(a_call(&self->alice, s1, ECHO_ECALL_ECHO, "x", 1, 16, &p), &p, ECONNRESET,
			EBROKER_SIDE_WORKER, "killed by signal 9");

	ASSERT_AG(a_call(&self->alice, sk, KV_ECALL_GENERATE,
			 &(struct kv_generate){ .policy = EB_KEYPOLICY_MRENCLAVE },
			 sizeof(struct kv_generate), KV_GENERATE_OUT_SIZE, &p),
		  &p);
	echo_ok(_metadata, &self->bob, sb, "bob, after alice's worker was killed");
	EXPECT_EQ(before - (uint64_t)ECHO_PAGES * PAGE,
		  wait_u64(tenant_current, "alice", before - (uint64_t)ECHO_PAGES * PAGE));

	s3 = open_ok(_metadata, &self->alice, "echo", e3);
	EXPECT_NE(e1[1], e3[1]);
	echo_ok(_metadata, &self->alice, s3, "a fresh instance");
	ASSERT_AG(a_simple(&self->alice, AG_LIST, 0, 0, &p), &p);
	for (unsigned int i = 0; i < p.n; i++)
		if (p.list[i].id == e3[0]) {
			listed = true;
			EXPECT_NE(victim, p.list[i].worker_pid);
			EXPECT_GT(p.list[i].worker_pid, 0);
		}
	EXPECT_TRUE(listed) TH_LOG("session %" PRIu64 " is not in alice's list", e3[0]);
	EXPECT_EQ(before, tenant_current("alice"));
}

/*
 * Reloading a policy that no longer lets bob use echo ends his echo
 * session and nothing else; a broken policy is refused with file:line and
 * the old one stays; SIGHUP reloads too; only root may reload.
 */
TEST_F(broker, policy_reload)
{
	struct ebroker_error e = { 0 };
	char broken[PATH_MAX];
	uint32_t a, b, bk;
	struct ag_rep p;
	struct ebroker *root = NULL;
	uint64_t end;
	int r;

	a = open_ok(_metadata, &self->alice, "echo", NULL);
	b = open_ok(_metadata, &self->bob, "echo", NULL);
	bk = open_ok(_metadata, &self->bob, "keyvault", NULL);
	ASSERT_EQ(0, ebroker_connect(env.sock, &root));

	self->policy_changed = true;
	ASSERT_EQ(0, write_text(env.policy, "[Allow]\nEnclaves=echo keyvault\nUsers=alice\n\n"
					    "[Allow]\nEnclaves=keyvault\nGroups=tenants\n"));
	ASSERT_EQ(0, ebroker_reload(root));

	ASSERT_AG_FAILS(a_call(&self->bob, b, ECHO_ECALL_ECHO, "x", 1, 16, &p), &p, ECONNRESET,
			EBROKER_SIDE_DAEMON, "the policy no longer allows this user this enclave");
	ASSERT_AG(a_call(&self->bob, bk, KV_ECALL_PUBLIC_KEY, NULL, 0, KV_PUB_SIZE, &p), &p);
	echo_ok(_metadata, &self->alice, a, "alice, after the reload");
	ASSERT_AG_FAILS(a_open(&self->bob, "echo", &p), &p, EACCES, EBROKER_SIDE_DAEMON, "bob");

	/* Not for alice to do. */
	ASSERT_AG_FAILS(a_simple(&self->alice, AG_RELOAD, 0, 0, &p), &p, EPERM, EBROKER_SIDE_DAEMON,
			"root");

	/* A broken file: refused, naming it and the line; the policy in force stays. */
	snprintf(broken, sizeof(broken), "%s/etc/policy.d/20-broken.conf", env.tmp);
	ASSERT_EQ(0, write_text(broken, "[Allow]\nEnclaves=echo\nGroups=tenants\nBogus=1\n"));
	r = ebroker_reload(root);
	ebroker_last_error(&e);
	TH_LOG("reload of a broken policy: %d, %s: %s", r, ebroker_side_name(e.side), e.message);
	ASSERT_LT(r, 0);
	EXPECT_EQ(EBROKER_SIDE_DAEMON, e.side);
	EXPECT_NE(NULL, strstr(e.message, "policy.d/20-broken.conf:4:"));
	EXPECT_NE(NULL, strstr(e.message, "Bogus"));
	open_ok(_metadata, &self->alice, "echo", NULL);
	ASSERT_AG_FAILS(a_open(&self->bob, "echo", &p), &p, EACCES, EBROKER_SIDE_DAEMON, "bob");

	/* The original policy back, by SIGHUP: bob may open echo again. */
	ASSERT_EQ(0, unlink(broken));
	ASSERT_EQ(0, write_text(env.policy, env.policy_saved));
	ASSERT_EQ(0, kill(env.daemon, SIGHUP));
	end = now_ms() + 5000;
	while ((r = a_open(&self->bob, "echo", &p)) == -EACCES && now_ms() < end)
		nap_ms(100);
	ASSERT_AG(r, &p);
	echo_ok(_metadata, &self->bob, p.slot, "bob, after SIGHUP");
	self->policy_changed = false;
	ebroker_disconnect(root);
}

/*
 * SessionsPerUser= and SessionsPerCgroup= refuse the next OPEN with EUSERS,
 * naming the limit; a session that ends makes room again.
 */
TEST_F(broker, session_limits)
{
	char limits[PATH_MAX];
	struct ebroker *root = NULL;
	struct ag_rep p;
	uint64_t end;
	uint32_t a1;
	int r;

	ASSERT_TRUE(settle());
	ASSERT_EQ(0, ebroker_connect(env.sock, &root));
	self->policy_changed = true;
	snprintf(limits, sizeof(limits), "%s/etc/policy.d/30-limits.conf", env.tmp);

	ASSERT_EQ(0, write_text(limits, "[Limits]\nSessionsPerUser=2\nSessionsPerCgroup=100\n"));
	ASSERT_EQ(0, ebroker_reload(root));
	a1 = open_ok(_metadata, &self->alice, "echo", NULL);
	open_ok(_metadata, &self->alice, "keyvault", NULL);
	ASSERT_AG_FAILS(a_open(&self->alice, "echo", &p), &p, EUSERS, EBROKER_SIDE_DAEMON,
			"alice (uid 2101) has 2 sessions open, the most the policy allows "
			"(SessionsPerUser=)");
	/* bob is not alice: his own count. */
	open_ok(_metadata, &self->bob, "echo", NULL);
	/* A session that ends makes room, once its worker has told the daemon. */
	ASSERT_EQ(0, a_simple(&self->alice, AG_DROP, 0, a1, &p));
	end = now_ms() + 5000;
	while ((r = a_open(&self->alice, "echo", &p)) == -EUSERS && now_ms() < end)
		nap_ms(50);
	ASSERT_AG(r, &p);
	echo_ok(_metadata, &self->alice, p.slot, "alice, after making room");

	ASSERT_EQ(0, write_text(limits, "[Limits]\nSessionsPerUser=100\nSessionsPerCgroup=2\n"));
	ASSERT_EQ(0, ebroker_reload(root));
	ASSERT_AG_FAILS(a_open(&self->alice, "echo", &p), &p, EUSERS, EBROKER_SIDE_DAEMON,
			"cgroup /ebroker-tenants/alice has 2 sessions open, the most the policy "
			"allows (SessionsPerCgroup=)");
	open_ok(_metadata, &self->bob, "echo", NULL);

	ASSERT_EQ(0, unlink(limits));
	ASSERT_EQ(0, ebroker_reload(root));
	self->policy_changed = false;
	ebroker_disconnect(root);
}

/*
 * echo's CRASH faults the enclave: the call fails with side enclave, the
 * instance's other session ends saying why, bob's instance goes on, and
 * the next OPEN gets a new instance.
 */
TEST_F(broker, enclave_fault)
{
	uint64_t s1[2], s2[2], s3[2];
	uint32_t a1, a2, a3, b;
	struct ag_rep p;
	int r;

	ASSERT_TRUE(settle());
	a1 = open_ok(_metadata, &self->alice, "echo", s1);
	a2 = open_ok(_metadata, &self->alice, "echo", s2);
	b = open_ok(_metadata, &self->bob, "echo", NULL);
	ASSERT_EQ(s1[1], s2[1]);

	r = a_call(&self->alice, a1, ECHO_ECALL_CRASH, NULL, 0, 16, &p);
	TH_LOG("CRASH: %d, %s: %s", r, ebroker_side_name(p.err.side), p.err.message);
	ASSERT_LT(r, 0);
	ASSERT_EQ(EBROKER_SIDE_ENCLAVE, p.err.side);
	EXPECT_NE(NULL, strstr(p.err.message, "faulted"));

	/* The other session ended with the reason; whose side it reports is the library's call. */
	r = a_call(&self->alice, a2, ECHO_ECALL_ECHO, "x", 1, 16, &p);
	TH_LOG("the other session: %d, %s: %s", r, ebroker_side_name(p.err.side), p.err.message);
	ASSERT_EQ(-ECONNRESET, r);
	EXPECT_NE(NULL, strstr(p.err.message, "faulted"));
	echo_ok(_metadata, &self->bob, b, "bob, after alice's enclave faulted");
	EXPECT_EQ(0, wait_u64(tenant_current, "alice", 0));

	a3 = open_ok(_metadata, &self->alice, "echo", s3);
	EXPECT_NE(s1[1], s3[1]);
	echo_ok(_metadata, &self->alice, a3, "alice, on a new instance");
}

/* The state letter of process @pid in /proc/PID/stat, or 0 when it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (eb_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * An OPEN that the daemon takes up after the instance it would pick has
 * died, but before it has read of the death: the daemon must give the
 * client a working session all the same (the worker's death is the
 * daemon's to absorb: OPEN has no errno for it). Made deterministic by
 * stopping the daemon: alice2's OPEN is queued first, then alice's enclave
 * faults and its worker exits, then the daemon runs again.
 */
TEST_F(broker, open_while_worker_dies)
{
	struct ag_req q = { .op = AG_OPEN, .name = "echo" };
	uint64_t s1[2];
	uint32_t a1;
	pid_t w = 0;
	struct agent *alice2 = &self->mallory;
	struct ag_rep p;
	uint64_t end;
	int r;

	ASSERT_TRUE(settle());
	a1 = open_ok(_metadata, &self->alice, "echo", s1);
	ASSERT_AG(a_simple(&self->alice, AG_LIST, 0, 0, &p), &p);
	ASSERT_EQ(1, p.n);
	w = p.list[0].worker_pid;
	ASSERT_GT(w, 0);
	/* A second client of alice's, already connected and identified. */
	agent_stop(&self->mallory);
	ASSERT_EQ(0, agent_start(alice2, "alice"));
	ASSERT_AG(a_simple(alice2, AG_LIST, 0, 0, &p), &p);

	ASSERT_EQ(0, kill(env.daemon, SIGSTOP));
	ASSERT_EQ(0, ag_send(alice2, &q));
	nap_ms(300);
	r = a_call(&self->alice, a1, ECHO_ECALL_CRASH, NULL, 0, 16, &p);
	end = now_ms() + 5000;
	while (proc_state(w) != 'Z' && now_ms() < end)
		nap_ms(20);
	EXPECT_EQ('Z', proc_state(w));
	ASSERT_EQ(0, kill(env.daemon, SIGCONT));
	ASSERT_LT(r, 0);
	ASSERT_EQ(EBROKER_SIDE_ENCLAVE, p.err.side);

	r = ag_recv(alice2, &p);
	if (r) {
		char cmd[PATH_MAX + 128];

		TH_LOG("OPEN after the worker died: %d (%s), %s: %s", r, strerror(-r),
		       ebroker_side_name(p.err.side), p.err.message);
		snprintf(cmd, sizeof(cmd),
			 "grep -E 'worker %d |instance %" PRIu64 " ' %s | sed 's/^/#   /' >&2",
			 (int)w, s1[1], env.log);
		if (system(cmd))
			TH_LOG("nothing about worker %d in the daemon's log", (int)w);
	}
	ASSERT_EQ(0, r);
	EXPECT_NE(s1[1], p.instance_id);
	echo_ok(_metadata, alice2, p.slot, "alice2, on a live instance");
}

/* Lines of the daemon's log (its workers' too) that contain both @a and @b. */
static unsigned int log_lines(const char *a, const char *b)
{
	unsigned int n = 0;
	char line[2048];
	FILE *f;

	f = fopen(env.log, "re");
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, a) && strstr(line, b);
	if (f)
		fclose(f);
	return n;
}

/*
 * Malformed requests: each closes that one connection, with a log line
 * naming the client and the reason; bob is served after each.
 */
static const struct {
	enum hostile kind;
	const char *name, *logged;
} malformed_cases[] = {
	{ H_TRUNCATED, "a truncated header", "shorter than the header" },
	{ H_VERSION, "a wrong version", "unsupported protocol version" },
	{ H_TYPE, "an unknown message type", "unknown message type" },
	{ H_NOT_REQUEST, "a reply sent as a request", "not a request: DONE" },
	{ H_UNKNOWN_ATTR, "an unknown attribute", "unknown attribute" },
	{ H_FOREIGN_ATTR, "an attribute OPEN does not allow (UID 0)",
	  "attribute not allowed in this message" },
	{ H_ATTR_SIZE, "an attribute of the wrong length", "attribute of the wrong size" },
	{ H_ATTR_TYPE, "an attribute of the wrong type", "attribute of the wrong size" },
	{ H_STRING, "a string without its NUL", "attribute fails its policy" },
	{ H_DUPLICATE, "a duplicate attribute", "duplicate attribute" },
	{ H_HUGE, "a 1 MiB message", "message larger than the control limit" },
	{ H_FD, "a file descriptor with OPEN", "a file descriptor where none belongs" },
};

TEST_F_TIMEOUT(broker, hostile_malformed, 120)
{
	char who[32];
	struct ag_rep p;

	snprintf(who, sizeof(who), "uid %u ", uid_of("alice"));
	for (size_t i = 0; i < ARRAY_SIZE(malformed_cases); i++) {
		unsigned int logged = log_lines(who, malformed_cases[i].logged);

		TH_LOG("%s", malformed_cases[i].name);
		ASSERT_AG(a_hostile(&self->alice, malformed_cases[i].kind, &p), &p);
		bob_served(_metadata, &self->bob, malformed_cases[i].name);
		EXPECT_EQ(logged + 1, log_lines(who, malformed_cases[i].logged));
		/* The log is rate-limited to 5 lines a second after a burst of 10. */
		nap_ms(250);
	}
	EXPECT_EQ(0, wait_sessions(uid_of("alice"), 0));
}

TEST_F_TIMEOUT(broker, hostile_flood, 120)
{
	struct ag_rep p;

	ASSERT_AG(a_hostile(&self->alice, H_FLOOD, &p), &p);
	bob_served(_metadata, &self->bob, "a flood of OPENs");
	/* The flood's sessions end with its descriptors. */
	EXPECT_EQ(0, wait_sessions(uid_of("alice"), 0));
}

TEST_F_TIMEOUT(broker, hostile_half_open, 60)
{
	struct ag_rep p;
	uint32_t a;

	ASSERT_AG(a_hostile(&self->alice, H_HALF_OPEN, &p), &p);
	bob_served(_metadata, &self->bob, "half-open connections");
	/* alice's own work, through another connection (mallory's agent is not needed). */
	agent_stop(&self->mallory);
	ASSERT_EQ(0, agent_start(&self->mallory, "alice"));
	a = open_ok(_metadata, &self->mallory, "keyvault", NULL);
	ASSERT_AG(a_call(&self->mallory, a, KV_ECALL_GENERATE,
			 &(struct kv_generate){ .policy = EB_KEYPOLICY_MRENCLAVE },
			 sizeof(struct kv_generate), KV_GENERATE_OUT_SIZE, &p),
		  &p);
	ASSERT_AG(a_hostile(&self->alice, H_HALF_CLOSE, &p), &p);
	bob_served(_metadata, &self->bob, "closing half-open connections");
}

TEST_F_TIMEOUT(broker, hostile_open_and_go, 60)
{
	struct ag_rep p;
	uint32_t a;

	/* While the instance starts (none is running)... */
	ASSERT_TRUE(settle());
	ASSERT_AG(a_hostile(&self->alice, H_OPEN_AND_GO, &p), &p);
	bob_served(_metadata, &self->bob, "OPEN and gone, cold");
	EXPECT_EQ(0, wait_sessions(uid_of("alice"), 0));
	/* ...and with one ready. */
	a = open_ok(_metadata, &self->alice, "echo", NULL);
	ASSERT_AG(a_hostile(&self->alice, H_OPEN_AND_GO, &p), &p);
	bob_served(_metadata, &self->bob, "OPEN and gone, warm");
	EXPECT_EQ(1, wait_sessions(uid_of("alice"), 1));
	echo_ok(_metadata, &self->alice, a, "alice's own session");
}

TEST_F_TIMEOUT(broker, hostile_mid_call, 60)
{
	struct ag_rep p;

	ASSERT_TRUE(settle());
	ASSERT_AG(a_hostile(&self->alice, H_MID_CALL, &p), &p);
	bob_served(_metadata, &self->bob, "a session closed mid-call");
}

TEST_F_TIMEOUT(broker, hostile_session_messages, 60)
{
	static const char missing[] = "malformed message: a required attribute is missing",
			  big[] = "malformed message: larger than the session's 65536-byte limit";
	unsigned int n_missing, n_big;
	struct ag_rep p;
	char who[32];

	snprintf(who, sizeof(who), "(uid %u, ", uid_of("alice"));
	n_missing = log_lines(missing, who);
	n_big = log_lines(big, who);
	ASSERT_TRUE(settle());
	ASSERT_AG(a_hostile(&self->alice, H_BAD_CALL, &p), &p);
	bob_served(_metadata, &self->bob, "malformed session messages");
	/* The worker said why, naming the client. */
	EXPECT_EQ(n_missing + 1, log_lines(missing, who));
	EXPECT_EQ(n_big + 1, log_lines(big, who));
}

/*
 * A relay between a client and its worker breaks the records (flips,
 * replays, reorders, drops, cuts, injects): the enclave refuses each, that
 * session ends, and another session of the same instance is unaffected.
 * (A broken RESULT is refused by the library: libclient/client_test.c.)
 */
TEST_F_TIMEOUT(broker, tampered_records, 120)
{
	struct ag_rep p;

	ASSERT_TRUE(settle());
	ASSERT_AG(a_hostile(&self->alice, H_TAMPER, &p), &p);
	bob_served(_metadata, &self->bob, "tampered records");
}

/*
 * Nothing left: no session, no worker once idle, the whole EPC pool back,
 * and the daemon holding exactly the descriptors it held before the tests.
 */
TEST_F_TIMEOUT(broker, nothing_leaked, 60)
{
	uint64_t end;
	int fds;

	agent_stop(&self->alice);
	agent_stop(&self->bob);
	agent_stop(&self->mallory);
	EXPECT_EQ(0, wait_sessions((uid_t)-1, 0));
	EXPECT_TRUE(settle());
	EXPECT_EQ(0, worker_pids(NULL, 0));
	EXPECT_EQ(0, worker_processes());
	/* A tenant's worker cgroup goes with its last worker. */
	EXPECT_EQ(0, worker_cgroups());
	/* All but the quoting enclave's. */
	EXPECT_NE(0, qe_current());
	EXPECT_EQ(eb_read_u64(EB_SYSFS "/pool/total_bytes") - qe_current(),
		  eb_read_u64(EB_SYSFS "/pool/free_bytes"));
	EXPECT_EQ(0, root_current());
	end = now_ms() + 5000;
	while ((fds = daemon_fds()) != env.fds && now_ms() < end)
		nap_ms(100);
	if (fds != env.fds) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd | sed 's/^/# /' >&2",
			 (int)env.daemon);
		if (system(cmd))
			TH_LOG("cannot list the daemon's descriptors");
	}
	EXPECT_EQ(env.fds, fds);
	EXPECT_EQ(0, kill(env.daemon, 0));
}

/* ------------------------------------------------------------------ main */

static void restore_wmem(void)
{
	if (env.wmem_saved[0])
		eb_write_file("/proc/sys/net/core/wmem_max", env.wmem_saved);
}

/* One session of each enclave opened and closed, so that the fd baseline is a settled one. */
static int warm_up(void)
{
	struct ag_rep p;
	struct agent a;
	int r;

	r = agent_start(&a, "alice");
	if (r < 0)
		return r;
	r = a_open(&a, "echo", &p);
	if (r == 0)
		r = a_open(&a, "keyvault", &p);
	if (r < 0)
		fprintf(stderr, "# warm-up: %s\n", p.err.message);
	agent_stop(&a);
	return r == 0 && wait_sessions((uid_t)-1, 0) == 0 && settle() ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	const char *pid = getenv("BROKER_PID");
	char exe[PATH_MAX];
	ssize_t n;

	env.sock = getenv("BROKER_SOCKET");
	env.tmp = getenv("BROKER_TMP");
	env.log = getenv("BROKER_LOG");
	env.cg = getenv("BROKER_CG");
	env.worker_cg = getenv("BROKER_WORKER_CG");
	if (!env.sock || !env.tmp || !env.cg || !env.worker_cg || !env.log || !pid) {
		env.sock = NULL;
		return test_harness_run(argc, argv); /* every test skips */
	}
	env.daemon = atoi(pid);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return 1;
	exe[n] = 0;
	snprintf(env.build, sizeof(env.build), "%s/..", dirname(exe));
	snprintf(env.policy, sizeof(env.policy), "%s/etc/policy.d/10-tenants.conf", env.tmp);
	if (eb_read_file(env.policy, env.policy_saved, sizeof(env.policy_saved)) < 0) {
		fprintf(stderr, "# cannot read %s\n", env.policy);
		return 1;
	}
	env.kv_pages = image_pages("keyvault");
	if (image_pages("echo") != ECHO_PAGES || !env.kv_pages) {
		fprintf(stderr, "# echo has %u pages, not %u; keyvault %u\n", image_pages("echo"),
			ECHO_PAGES, env.kv_pages);
		return 1;
	}
	/* The hostile client's 1 MiB message needs a send buffer that large. */
	if (eb_read_file("/proc/sys/net/core/wmem_max", env.wmem_saved, sizeof(env.wmem_saved)) ==
		0 &&
	    eb_write_file("/proc/sys/net/core/wmem_max", WMEM_FOR_1MIB) == 0)
		atexit(restore_wmem);
	if (warm_up() < 0) {
		fprintf(stderr, "# warm-up failed\n");
		return 1;
	}
	env.fds = settled_fds();
	return test_harness_run(argc, argv);
}
