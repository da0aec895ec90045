// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the worker's seccomp filter (sandbox.c): in a child
 * under the filter, everything serving does still works, and each thing
 * it must not do kills the process with SIGSYS. Enclave calls themselves
 * (EREPORT/EGETKEY ioctls, the call timer) need the module and a guest;
 * here the same syscalls are made on stand-ins.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "common/test.h"
#include "common/util.h"

#include "log.h"
#include "worker.h"

/* Exit statuses of the child, for the parent to tell what failed. */
enum { CHILD_OK = 0, CHILD_NO_SECCOMP = 99, CHILD_SETUP = 98 };

struct fds {
	int enclave, signal, epoll, listen, pair[2];
};

static int setup(struct fds *f)
{
	sigset_t mask;
	int null;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* The log goes nowhere: the test's output is TAP. */
	null = open("/dev/null", O_WRONLY);
	if (null < 0 || dup2(null, STDERR_FILENO) < 0)
		return -1;
	f->enclave = open("/dev/null", O_RDWR); /* a character device that knows no ioctl */
	f->signal = signalfd(-1, &mask, SFD_NONBLOCK);
	f->epoll = epoll_create1(0);
	f->listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	/* Bound to an abstract name the kernel picks (autobind). */
	if (f->enclave < 0 || f->signal < 0 || f->epoll < 0 || f->listen < 0 ||
	    bind(f->listen, (struct sockaddr *)&(sa_family_t){ AF_UNIX }, sizeof(sa_family_t)) <
		0 ||
	    listen(f->listen, 1) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, f->pair) < 0)
		return -1;
	return 0;
}

/* Fork a child that sets up, installs the filter and runs @fn; its wait status. */
static int run_sandboxed(void (*fn)(const struct fds *f))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct fds f;

		if (setup(&f) < 0)
			_exit(CHILD_SETUP);
		if (sandbox_install(f.enclave, f.signal, f.epoll, f.listen) < 0)
			_exit(CHILD_NO_SECCOMP);
		fn(&f);
		_exit(CHILD_OK);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* The child exits with the number of the check that failed (1, 2, ...). */
static int step;

#define CHECK(c)                     \
	do {                         \
		step++;              \
		if (!(c))            \
			_exit(step); \
	} while (0)

/* What the serving loop and the loader's sim backend do. */
static void serve_like(const struct fds *f)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	uint8_t buf[EBP_CONTROL_MSG_MAX];
	struct signalfd_siginfo si;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { .it_value.tv_sec = 60 };
	struct ebp_msg msg;
	struct nl_msg *m;
	struct timespec ts;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	stack_t ss;
	timer_t timer;
	uint64_t rnd;
	int v, flags;
	void *p, *q;

	/* malloc, small and large (mmap, mremap), and libnl's messages. */
	p = malloc(100);
	q = malloc(4 << 20);
	CHECK(p && q);
	q = realloc(q, 16 << 20);
	CHECK(q);
	free(q);
	free(p);
	CHECK(ebp_msg_new(EBP_MSG_W_ENDED, 0, 600, &m) == 0);
	CHECK(nla_put_u64(m, EBP_A_SESSION_ID, 1) == 0 && nla_put_u64(m, EBP_A_CALLS, 2) == 0 &&
	      nla_put_string(m, EBP_A_REASON, "closed by the client") == 0);
	CHECK(ebp_send(f->pair[0], m, -1) == 0);
	nlmsg_free(m);
	CHECK(ebp_recv(f->pair[1], buf, sizeof(buf), NULL) > 0);
	CHECK(ebp_parse(buf, ((struct ebp_msghdr *)buf)->len, false, &msg, NULL) == 0);
	CHECK(ebp_send_empty(f->pair[1], EBP_MSG_DONE, 3) == 0);
	CHECK(ebp_recv(f->pair[0], buf, sizeof(buf), NULL) == sizeof(struct ebp_msghdr));

	/* The loop: sessions come and go, SIGTERM is read, ebrokerd is accepted. */
	CHECK(epoll_ctl(f->epoll, EPOLL_CTL_ADD, f->pair[1], &ev) == 0);
	CHECK(epoll_wait(f->epoll, out, 4, 0) == 0);
	CHECK(epoll_ctl(f->epoll, EPOLL_CTL_DEL, f->pair[1], NULL) == 0);
	CHECK(read(f->signal, &si, sizeof(si)) < 0 && errno == EAGAIN);
	CHECK(accept4(f->listen, NULL, NULL, SOCK_CLOEXEC) < 0 && errno != ENOSYS);
	CHECK(getsockopt(f->pair[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0);
	CHECK(sock_get_int(f->pair[0], SO_TYPE, &v) == 0 && v == SOCK_SEQPACKET);
	v = 1 << 16;
	CHECK(setsockopt(f->pair[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	flags = fcntl(f->pair[0], F_GETFL);
	CHECK(flags >= 0 && fcntl(f->pair[0], F_SETFL, flags | O_NONBLOCK) == 0);
	log_info("a line on stderr");

	/* The loader: signal stacks and handlers, the call timer, RDRAND, ENCLU. */
	CHECK(sigaltstack(NULL, &ss) == 0);
	CHECK(signal(SIGUSR1, SIG_DFL) != SIG_ERR);
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
	CHECK(timer_settime(timer, 0, &its, NULL) == 0);
	CHECK(timer_delete(timer) == 0);
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0);
	CHECK(getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) == sizeof(rnd));
	CHECK(syscall(SYS_gettid) > 0 && getpid() > 0);
	CHECK(ioctl(f->enclave, EB_IOC_ENCLAVE_REPORT, NULL) < 0 && errno == ENOTTY);
	CHECK(ioctl(f->enclave, EB_IOC_ENCLAVE_GETKEY, NULL) < 0 && errno == ENOTTY);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p, 4096, PROT_READ) == 0);
	CHECK(munmap(p, 4096) == 0);
	CHECK(close(f->pair[0]) == 0);
}

TEST(serving_is_allowed)
{
	int status = run_sandboxed(serve_like);

	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_NO_SECCOMP)
		SKIP(return, "seccomp filters are not available here");
	ASSERT_TRUE(WIFEXITED(status))
	TH_LOG("killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status))
	TH_LOG("check number %d in serve_like() failed", WEXITSTATUS(status));
}

/* Each must kill the worker. */
static void do_open(const struct fds *f)
{
	open("/etc/passwd", O_RDONLY);
}

static void do_socket(const struct fds *f)
{
	socket(AF_UNIX, SOCK_STREAM, 0);
}

static void do_write_stdout(const struct fds *f)
{
	(void)!write(STDOUT_FILENO, "x", 1);
}

static void do_read_other(const struct fds *f)
{
	char c;

	(void)!read(f->pair[0], &c, 1);
}

static void do_ioctl_info(const struct fds *f)
{
	struct eb_enclave_info info;

	ioctl(f->enclave, EB_IOC_ENCLAVE_INFO, &info);
}

static void do_ioctl_other_fd(const struct fds *f)
{
	ioctl(f->pair[0], EB_IOC_ENCLAVE_REPORT, NULL);
}

static void do_mmap_exec(const struct fds *f)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void do_mprotect_exec(const struct fds *f)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

static void do_dup(const struct fds *f)
{
	fcntl(f->pair[0], F_DUPFD_CLOEXEC, 0);
}

static void do_rcvbuf(const struct fds *f)
{
	int v = 1 << 20;

	setsockopt(f->pair[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static void do_accept_other(const struct fds *f)
{
	accept4(f->pair[0], NULL, NULL, 0);
}

static void do_kill(const struct fds *f)
{
	kill(getppid(), 0);
}

static void do_fork(const struct fds *f)
{
	syscall(SYS_fork);
}

static void do_execve(const struct fds *f)
{
	execl("/bin/true", "true", (char *)NULL);
}

static void do_connect(const struct fds *f)
{
	connect(f->pair[0], NULL, 0);
}

TEST(everything_else_kills)
{
	static const struct {
		const char *what;
		void (*fn)(const struct fds *f);
	} cases[] = {
		{ "open", do_open },
		{ "socket", do_socket },
		{ "write to stdout", do_write_stdout },
		{ "read from a socket", do_read_other },
		{ "EB_IOC_ENCLAVE_INFO", do_ioctl_info },
		{ "ioctl on another descriptor", do_ioctl_other_fd },
		{ "mmap PROT_EXEC", do_mmap_exec },
		{ "mprotect PROT_EXEC", do_mprotect_exec },
		{ "fcntl F_DUPFD_CLOEXEC", do_dup },
		{ "setsockopt SO_RCVBUF", do_rcvbuf },
		{ "accept4 on another socket", do_accept_other },
		{ "kill", do_kill },
		{ "fork", do_fork },
		{ "execve", do_execve },
		{ "connect", do_connect },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int status = run_sandboxed(cases[i].fn);

		if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_NO_SECCOMP)
			SKIP(return, "seccomp filters are not available here");
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		TH_LOG("%s: status %#x, not killed by SIGSYS", cases[i].what, status);
	}
}

TEST_HARNESS_MAIN
