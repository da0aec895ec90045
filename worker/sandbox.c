// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's sandbox: what it checks about the descriptors ebrokerd
 * gives it, and the seccomp filter it serves under.
 *
 * The filter is installed once the enclave is built, mapped and its image
 * closed: from then on the worker only moves messages between sockets it
 * already has (or is given, or accepts on the listening one) and enters
 * the enclave. Anything else kills the process (SCMP_ACT_KILL_PROCESS),
 * which ebrokerd sees as SIGSYS. docs/worker.md lists the groups and why
 * each is there; keep the two in step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <seccomp.h>

#include <ebroker/image.h>

#include "common/util.h"

#include "worker.h"

static int fail(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

int sock_get_int(int fd, int opt, int *ret)
{
	socklen_t len = sizeof(int);
	int v;

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -errno;
	*ret = v;
	return 0;
}

/* A unix SOCK_SEQPACKET socket, listening or not as @listening says. */
static int check_seqpacket(int fd, const char *what, bool listening, char *why, size_t len)
{
	int type = -1, domain = -1, acc = -1;

	if (sock_get_int(fd, SO_TYPE, &type) < 0)
		return fail(why, len, -EBADF, "descriptor %d (%s): not a socket", fd, what);
	if (sock_get_int(fd, SO_DOMAIN, &domain) < 0 || domain != AF_UNIX || type != SOCK_SEQPACKET)
		return fail(why, len, -EBADF,
			    "descriptor %d (%s): not a unix SOCK_SEQPACKET socket", fd, what);
	if (sock_get_int(fd, SO_ACCEPTCONN, &acc) < 0 || !!acc != listening)
		return fail(why, len, -EBADF, "descriptor %d (%s): %s", fd, what,
			    listening ? "not a listening socket" : "a listening socket");
	return 0;
}

static int check_control(char *why, size_t len)
{
	int fd = WORKER_FD_CONTROL;
	struct ucred cred;
	socklen_t n = sizeof(cred);
	int r;

	r = check_seqpacket(fd, "control socket", false, why, len);
	if (r)
		return r;
	/* Its peer is ebrokerd, root: an unconnected socket has no peer. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) < 0 || cred.pid <= 0)
		return fail(why, len, -EBADF, "descriptor %d (control socket): not connected", fd);
	if (cred.uid != 0)
		return fail(why, len, -EPERM,
			    "descriptor %d (control socket): its peer runs as uid %u, not root", fd,
			    cred.uid);
	return 0;
}

/* A fresh /dev/ebroker open: a character device, read-write, no enclave yet. */
static int check_device(char *why, size_t len)
{
	int fd = WORKER_FD_DEVICE, flags;
	struct eb_enclave_info info;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return fail(why, len, -EBADF, "descriptor %d (device): not a character device", fd);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) != O_RDWR)
		return fail(why, len, -EBADF, "descriptor %d (device): not open read-write", fd);
	/* The module answers INFO on an empty enclave with EINVAL; another
	 * driver knows no such ioctl (ENOTTY). */
	if (ioctl(fd, EB_IOC_ENCLAVE_INFO, &info) == 0)
		return fail(why, len, -EBADF, "descriptor %d (device): already holds an enclave",
			    fd);
	if (errno != EINVAL)
		return fail(why, len, -EBADF, "descriptor %d (device): not /dev/ebroker (%m)", fd);
	return 0;
}

/* A memfd sealed against writes and size changes: the bytes ebrokerd verified. */
static int check_image(char *why, size_t len)
{
	const int need = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
	int fd = WORKER_FD_IMAGE, seals;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fail(why, len, -EBADF, "descriptor %d (image): not a regular file", fd);
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & need) != need)
		return fail(why, len, -EBADF,
			    "descriptor %d (image): not a memfd sealed against writes and resizing",
			    fd);
	if (st.st_size <= 0 || (uint64_t)st.st_size > EBROKER_IMAGE_FILE_MAX)
		return fail(why, len, -EBADF,
			    "descriptor %d (image): %lld bytes is not an image size", fd,
			    (long long)st.st_size);
	return 0;
}

int sandbox_check_fds(char *why, size_t why_len)
{
	int r;

	/* Were 0-2 closed, a socket could take number 2 and receive the log. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return fail(why, why_len, -EBADF, "descriptor %d is not open", fd);
	r = check_control(why, why_len);
	if (!r)
		r = check_device(why, why_len);
	if (!r)
		r = check_image(why, why_len);
	if (!r)
		r = check_seqpacket(WORKER_FD_LISTEN, "listening socket", true, why, why_len);
	return r;
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* Allowed whatever their arguments; grouped as docs/worker.md explains them. */
static const int allowed[] = {
	/* Sessions and the control connection: one message per call. */
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(close),
	/* The event loop. */
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	/* malloc (libnl builds every message in a fresh buffer). */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(futex),
	/* The loader's signal handling (sdk/loader/sim.c): ENCLU traps and
	 * faults arrive as signals, each call gets an alternate stack, a
	 * signal that is not about the enclave is passed on to the default
	 * action (rt_sigaction, then tgkill for asynchronous ones). */
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	/* The loader's call timeout: a per-thread POSIX timer. */
	SCMP_SYS(timer_create),
	SCMP_SYS(timer_settime),
	SCMP_SYS(timer_delete),
	SCMP_SYS(clock_gettime),
	/* RDRAND emulation for the enclave runtime (sim.c). */
	SCMP_SYS(getrandom),
	/* The end. */
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

static int allow(scmp_filter_ctx ctx, int nr, unsigned int n, ...)
{
	struct scmp_arg_cmp cmp[2];
	va_list ap;

	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		cmp[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

int sandbox_install(int enclave_fd, int signal_fd, int epoll_fd, int listen_fd)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
	const uint64_t low32 = 0xffffffffULL; /* ioctl(2) takes an unsigned int cmd */
	int r = 0;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; i < ELEMENTSOF(allowed) && !r; i++)
		r = allow(ctx, allowed[i], 0);
	if (r)
		return r;

	/* Reading: only the SIGTERM signalfd (messages come by recvmsg). */
	r = allow(ctx, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, signal_fd));
	/* Signals the loader passes on go to this process only, never to
	 * another worker (which may run under a uid this one could signal). */
	if (!r)
		r = allow(ctx, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, getpid()));
	/* Writing: only the log. */
	if (!r)
		r = allow(ctx, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
	/* Sessions come and go in the one epoll set. */
	if (!r)
		r = allow(ctx, SCMP_SYS(epoll_ctl), 1, SCMP_A0(SCMP_CMP_EQ, epoll_fd));
	/* A restarted ebrokerd reconnects on the listening socket. */
	if (!r)
		r = allow(ctx, SCMP_SYS(accept4), 1, SCMP_A0(SCMP_CMP_EQ, listen_fd));
	/* Checking a session socket (SO_TYPE, SO_DOMAIN, SO_SNDBUF) and a
	 * reconnecting peer (SO_PEERCRED); raising a session's send buffer. */
	if (!r)
		r = allow(ctx, SCMP_SYS(getsockopt), 1, SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET));
	if (!r)
		r = allow(ctx, SCMP_SYS(setsockopt), 2, SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
			  SCMP_A2(SCMP_CMP_EQ, SO_SNDBUF));
	/* Session sockets are made non-blocking. */
	if (!r)
		r = allow(ctx, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	if (!r)
		r = allow(ctx, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	/* malloc's mappings, never executable: the enclave's code is mapped
	 * already, nothing else needs PROT_EXEC. */
	if (!r)
		r = allow(ctx, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!r)
		r = allow(ctx, SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* The ENCLU emulation's EREPORT and EGETKEY, on the enclave only. */
	if (!r)
		r = allow(ctx, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, enclave_fd),
			  SCMP_A1(SCMP_CMP_MASKED_EQ, low32, EB_IOC_ENCLAVE_REPORT));
	if (!r)
		r = allow(ctx, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, enclave_fd),
			  SCMP_A1(SCMP_CMP_MASKED_EQ, low32, EB_IOC_ENCLAVE_GETKEY));
	if (!r)
		r = seccomp_load(ctx);
	return r;
}
