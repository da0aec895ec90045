// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker-worker: run one enclave instance for ebrokerd (docs/worker.md).
 *
 *   ebroker-worker --instance ID --enclave NAME --max-msg BYTES
 *                  --call-timeout-ms MS --role tenant|quoting
 *
 * with descriptors 3-6 as worker.h names them. In order: check the
 * arguments and descriptors (exit 2), load the enclave (exit 1 after an
 * ERROR on the control socket), close what serving does not need, install
 * the seccomp filter, say W_READY, serve until SIGTERM, until nothing is
 * left to serve (exit 0) or until the enclave dies (exit 3).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <fcntl.h>

#include "common/util.h"

#include "log.h"
#include "worker.h"

#define MAX_EVENTS 32
/*
 * How long the quoting enclave waits for a restarted ebrokerd to take it
 * back: a restart by systemd, with the daemon's own start, on a loaded host.
 * A stop does not wait for it: the daemon stops it (SIGTERM).
 */
#define QUOTING_ORPHAN_MS 60000

static int usage(const char *why)
{
	dprintf(STDERR_FILENO,
		"<3>ebroker-worker: %s\n"
		"<3>usage: ebroker-worker --instance ID --enclave NAME --max-msg BYTES "
		"--call-timeout-ms MS --role tenant|quoting\n"
		"<3>(started by ebrokerd with descriptors 3-6; see docs/worker.md)\n",
		why);
	return WORKER_EXIT_USAGE;
}

static int watch(struct worker *w, int fd, struct source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Everything serving needs, made before the sandbox forbids making it. */
static int setup(struct worker *w, const sigset_t *mask, char *why, size_t len)
{
	int flags, r;

	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	w->signal_fd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	w->session_buf = malloc(w->args.max_msg);
	w->call_buf = malloc(sizeof(uint64_t) + w->args.max_msg);
	w->out_buf = malloc(w->out_limit + WORKER_RECORD_EXTRA);
	if (w->epoll_fd < 0 || w->signal_fd < 0 || !w->session_buf || !w->call_buf || !w->out_buf)
		goto fail;
	/* A connection that goes away between readiness and accept4() must not block. */
	flags = fcntl(w->listen_fd, F_GETFL);
	if (flags < 0 || fcntl(w->listen_fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    watch(w, w->control_fd, &w->control_src, EPOLLIN) < 0 ||
	    watch(w, w->listen_fd, &w->listen_src, 0) < 0 ||
	    watch(w, w->signal_fd, &w->signal_src, EPOLLIN) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	snprintf(why, len, "cannot set up the event loop: %s", strerror(-r));
	return r;
}

static void signal_event(struct worker *w)
{
	struct signalfd_siginfo si;
	ssize_t n = read(w->signal_fd, &si, sizeof(si));

	if (n != sizeof(si) || si.ssi_signo != SIGTERM)
		return;
	log_info("SIGTERM from pid %u: stopping, %zu session(s) end", si.ssi_pid, w->nr_sessions);
	session_end_all(w, EBP_SIDE_DAEMON, "instance stopped by ebrokerd");
	w->exit_status = WORKER_EXIT_OK;
}

static int serve(struct worker *w)
{
	struct epoll_event ev[MAX_EVENTS];

	while (w->exit_status < 0) {
		int n;

		bool orphan = w->control_fd < 0 && list_empty(&w->sessions);

		/* The quoting enclave has no sessions: it waits a while for the next ebrokerd. */
		if (orphan && w->args.role != WORKER_ROLE_QUOTING) {
			log_info("no control connection and no session left: exiting");
			return WORKER_EXIT_OK;
		}
		n = epoll_wait(w->epoll_fd, ev, MAX_EVENTS, orphan ? QUOTING_ORPHAN_MS : -1);
		if (n == 0) {
			log_info("no ebrokerd for %d ms: exiting", QUOTING_ORPHAN_MS);
			return WORKER_EXIT_OK;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error(errno, "epoll_wait failed: %m");
			session_end_all(w, EBP_SIDE_WORKER, "the worker failed");
			return WORKER_EXIT_INTERNAL;
		}
		for (int i = 0; i < n && w->exit_status < 0; i++) {
			struct source *src = ev[i].data.ptr;

			switch (src->kind) {
			case SOURCE_CONTROL:
				control_event(w);
				break;
			case SOURCE_LISTEN:
				control_accept(w);
				break;
			case SOURCE_SIGNAL:
				signal_event(w);
				break;
			case SOURCE_SESSION:
				session_event(w, container_of(src, struct session, src),
					      ev[i].events);
				break;
			}
		}
		session_reap(w);
	}
	return w->exit_status;
}

/* Startup failed after the arguments were accepted: tell ebrokerd, exit 1. */
static int start_failed(int err, enum ebp_side side, const char *why)
{
	log_error(err, "%s", why);
	(void)ebp_send_error(WORKER_FD_CONTROL, 0, err, side, "%s", why);
	return WORKER_EXIT_LOAD;
}

int main(int argc, char **argv)
{
	struct worker w = {
		.epoll_fd = -1,
		.signal_fd = -1,
		.listen_fd = WORKER_FD_LISTEN,
		.control_fd = WORKER_FD_CONTROL,
		.control_src.kind = SOURCE_CONTROL,
		.listen_src.kind = SOURCE_LISTEN,
		.signal_src.kind = SOURCE_SIGNAL,
		.exit_status = -1,
	};
	char why[EBP_ERROR_MSG_MAX];
	enum ebp_side side;
	sigset_t mask;
	int r;

	/* SIGTERM is read from a signalfd; one that comes early waits for it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (worker_args_parse(argc, argv, &w.args, why, sizeof(why)) < 0)
		return usage(why);
	log_set_instance(w.args.instance_id);
	if (getuid() == 0 || geteuid() == 0)
		return usage("refusing to run as root: ebrokerd starts workers with their own uid");
	if (sandbox_check_fds(why, sizeof(why)) < 0)
		return usage(why);
	w.out_limit = worker_out_limit(w.args.max_msg);
	list_init(&w.sessions);
	list_init(&w.ended);

	r = setup(&w, &mask, why, sizeof(why));
	if (r)
		return start_failed(r, EBP_SIDE_WORKER, why);
	/* The enclave's ENCLU emulation, for the worker's whole life. */
	r = ebroker_loader_signals_install();
	if (r) {
		snprintf(why, sizeof(why), "cannot install the loader's signal handlers: %s",
			 strerror(-r));
		return start_failed(r, EBP_SIDE_WORKER, why);
	}
	r = worker_load(&w, why, sizeof(why), &side);
	if (r)
		return start_failed(r, side, why);
	r = sandbox_install(ebroker_enclave_fd(w.enclave), w.signal_fd, w.epoll_fd, w.listen_fd);
	if (r) {
		snprintf(why, sizeof(why), "cannot install the seccomp filter: %s", strerror(-r));
		return start_failed(r, EBP_SIDE_WORKER, why);
	}
	log_info("enclave %s ready: %u TCS, MRENCLAVE %02x%02x%02x%02x..., %u ms call timeout",
		 w.args.enclave, w.tcs, w.info.mrenclave[0], w.info.mrenclave[1],
		 w.info.mrenclave[2], w.info.mrenclave[3], w.args.call_timeout_ms);
	r = control_send_ready(&w);
	if (r)
		control_drop(&w, "out of memory");

	r = serve(&w);
	session_reap(&w);
	ebroker_enclave_free(w.enclave);
	ebroker_loader_signals_uninstall();
	free(w.session_buf);
	free(w.call_buf);
	free(w.out_buf);
	return r;
}
