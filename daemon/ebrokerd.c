// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerd: hands unprivileged clients enclave sessions. It authenticates
 * each client from the kernel, applies the policy, picks or starts an
 * enclave instance charged to the client's cgroup, and hands the client one
 * end of a socket connected to that instance's worker. Calls never pass
 * through here. See docs/deployment.md and ebrokerd(8).
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <grp.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include <linux/ebroker.h>

#include "common/util.h"
#include "proto/proto.h"

#include "caps.h"
#include "daemon.h"
#include "image.h"
#include "log.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec"
#endif

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void free_images(struct verified_image **images, size_t n)
{
	for (size_t i = 0; images && i < n; i++)
		verified_image_free(images[i]);
	free(images);
}

/* Load the policy and verify every image; all or nothing. */
static int load_policy(const char *dir, struct eb_policy **ret_policy,
		       struct verified_image ***ret_images, char **ret_error)
{
	struct eb_policy *p = NULL;
	struct verified_image **images;
	size_t n;
	int r;

	r = eb_policy_load(dir, &p, ret_error);
	if (r < 0)
		return r;
	n = eb_policy_enclave_count(p);
	images = calloc(n ? n : 1, sizeof(*images));
	if (!images) {
		eb_policy_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		r = verified_image_load(eb_policy_enclave_at(p, i), &images[i], ret_error);
		if (r < 0) {
			free_images(images, n);
			eb_policy_free(p);
			return r;
		}
	}
	*ret_policy = p;
	*ret_images = images;
	return 0;
}

static void update_status(struct daemon *d)
{
	const struct attestation *a = &d->att;

	sd_notifyf(false, "STATUS=%u sessions, %u instances; attestation %s%s%s", d->n_sessions,
		   d->n_instances,
		   a->state == EBP_ATTESTATION_OK	  ? "ok"
		   : a->state == EBP_ATTESTATION_STARTING ? "starting"
							  : "failing",
		   a->state == EBP_ATTESTATION_FAILING ? ": " : "",
		   a->state == EBP_ATTESTATION_FAILING ? a->reason : "");
}

int daemon_reload(struct daemon *d, char **ret_error)
{
	struct eb_policy *p, *old = d->policy;
	struct verified_image **images;
	size_t n_old = eb_policy_enclave_count(old);
	const struct eb_policy_limits *lim;
	struct session *s, *sn;
	struct pool *pl, *pn;
	struct instance *in, *inn;
	int r;

	r = load_policy(d->cfg.config_dir, &p, &images, ret_error);
	if (r < 0)
		return log_error(r, "policy in %s refused, the old one stays: %s",
				 d->cfg.config_dir, *ret_error ? *ret_error : strerror(-r));
	lim = eb_policy_limits(p);
	if (lim->worker_uid_min != eb_policy_limits(old)->worker_uid_min ||
	    lim->worker_uid_max != eb_policy_limits(old)->worker_uid_max) {
		free_images(images, eb_policy_enclave_count(p));
		eb_policy_free(p);
		if (asprintf(ret_error, "WorkerUIDs= cannot change without a restart") < 0)
			*ret_error = NULL;
		return log_error(EINVAL, "policy refused, the old one stays: WorkerUIDs= changed");
	}
	d->policy = p;
	d->generation++;
	free_images(d->images, n_old);
	d->images = images;
	eb_policy_free(old);

	/* Sessions whose owner lost access end now; see ebroker-policy(5). */
	for (unsigned int b = 0; b < SESSION_BUCKETS; b++)
		list_for_each_entry_safe (s, sn, &d->session_buckets[b], hash_link) {
			if (eb_policy_may_open(p, s->enclave, s->uid, s->gid, s->groups,
					       s->n_groups))
				continue;
			session_close(d, s, "the policy no longer allows this user this enclave");
		}
	/* Instances started under the old policy take no new session and stop when idle. */
	list_for_each_entry_safe (pl, pn, &d->pools, link)
		list_for_each_entry_safe (in, inn, &pl->instances, link)
			instance_sessions_changed(in);
	log_notice("policy reloaded from %s: %zu enclaves", d->cfg.config_dir,
		   eb_policy_enclave_count(p));
	/* A new quoting enclave, loaded from the state directory as it is now. */
	attestation_configure(d);
	update_status(d);
	return 0;
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	_cleanup_(freep) char *error = NULL;

	if (si->ssi_signo == SIGHUP) {
		sd_notify(false, "RELOADING=1");
		daemon_reload(d, &error);
		sd_notify(false, "READY=1");
		return 0;
	}
	if (stop_is_for_good((int)si->ssi_signo)) {
		stop_begin(d);
		return 0;
	}
	log_notice("%s: exiting; workers keep serving their sessions", sigabbrev_np(si->ssi_signo));
	sd_notify(false, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(src), 0);
}

static int on_listen(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	int r;

	/* A bounded batch, so that a flood of connections cannot starve the rest. */
	for (int i = 0; i < 64; i++) {
		r = conn_accept(d);
		if (r < 0)
			log_error(r, "accept: %s", strerror(-r));
		if (r <= 0)
			break;
	}
	return 0;
}

static int on_post(sd_event_source *src, void *userdata)
{
	static unsigned int last_sessions = -1, last_instances = -1, last_state;
	static char last_reason[EBP_ERROR_MSG_MAX];
	struct daemon *d = userdata;

	stop_progress(d);
	if (d->n_sessions != last_sessions || d->n_instances != last_instances ||
	    d->att.state != last_state || strcmp(d->att.reason, last_reason)) {
		last_sessions = d->n_sessions;
		last_instances = d->n_instances;
		last_state = d->att.state;
		snprintf(last_reason, sizeof(last_reason), "%s", d->att.reason);
		update_status(d);
	}
	return 0;
}

/* SocketGroup=: a group's name, or its number as chown(1) takes it. */
static int socket_gid(const char *name, gid_t *ret_gid)
{
	struct group *gr;
	unsigned long v;
	char *end;

	gr = getgrnam(name);
	if (gr) {
		*ret_gid = gr->gr_gid;
		return 0;
	}
	if (*name < '0' || *name > '9')
		return -ENOENT;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || *end || v >= (gid_t)-1)
		return -ENOENT;
	*ret_gid = (gid_t)v;
	return 0;
}

static int make_socket(struct daemon *d)
{
	const struct eb_policy_limits *lim = eb_policy_limits(d->policy);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_(closep) int fd = -1;
	const char *group = "root";
	char dir[PATH_MAX];
	gid_t gid = 0;
	mode_t mask;
	int n, r;

	n = sd_listen_fds(true);
	if (n > 1)
		return log_error(EINVAL, "socket activation passed %d sockets, expected 1", n);
	if (n == 1) {
		if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 1, NULL, 0) <= 0)
			return log_error(EINVAL, "the activation socket is not a listening AF_UNIX "
						 "SOCK_SEQPACKET socket");
		/* systemd passes it blocking unless NonBlocking=yes: accepts come in batches. */
		if (fcntl(SD_LISTEN_FDS_START, F_SETFL,
			  fcntl(SD_LISTEN_FDS_START, F_GETFL) | O_NONBLOCK) < 0)
			return log_error(errno,
					 "cannot make the activation socket non-blocking: %m");
		d->listen_fd = SD_LISTEN_FDS_START;
		return 0;
	}

	if (strlen(d->cfg.socket_path) + strlen(".new") >= sizeof(sa.sun_path))
		return log_error(ENAMETOOLONG, "socket path %s is too long (at most %zu bytes)",
				 d->cfg.socket_path, sizeof(sa.sun_path) - 1 - strlen(".new"));
	snprintf(dir, sizeof(dir), "%s", d->cfg.socket_path);
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return log_error(errno, "cannot create %s: %m", dir);
	}
	if (lim->socket_group && *lim->socket_group) {
		r = socket_gid(lim->socket_group, &gid);
		if (r < 0)
			return log_error(-r, "SocketGroup=%s: no such group, by name or number",
					 lim->socket_group);
		group = lim->socket_group;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_error(errno, "socket: %m");
	/*
	 * bind() makes the socket with mode 0777 less the umask, and clients
	 * may connect as soon as it has its name. So it is bound under another
	 * name, for root alone, given its group and mode, made to listen, and
	 * only then renamed into place (atomically, over an earlier daemon's):
	 * a client finds no socket or a dead one, which libebroker tries again,
	 * or this one as the policy wants it; never one more open than that,
	 * and never one that refuses a client the policy lets in.
	 */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", d->cfg.socket_path);
	unlink(sa.sun_path);
	mask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (r < 0)
		return log_error(errno, "cannot bind %s: %m", sa.sun_path);
	if (chown(sa.sun_path, 0, gid) < 0 || chmod(sa.sun_path, lim->socket_mode) < 0)
		r = log_error(errno, "cannot set the owner and mode of %s: %m", sa.sun_path);
	else if (listen(fd, SOMAXCONN) < 0)
		r = log_error(errno, "listen: %m");
	else if (rename(sa.sun_path, d->cfg.socket_path) < 0)
		r = log_error(errno, "cannot rename %s to %s: %m", sa.sun_path, d->cfg.socket_path);
	if (r < 0) {
		unlink(sa.sun_path);
		return r;
	}
	d->listen_fd = TAKE_FD(fd);
	log_info("listening on %s (mode %04o, group %s)", d->cfg.socket_path,
		 (unsigned int)lim->socket_mode, group);
	return 0;
}

static int prepare_dirs(struct daemon *d)
{
	char path[PATH_MAX];

	if (mkdir(d->cfg.runtime_dir, 0755) < 0 && errno != EEXIST)
		return log_error(errno, "cannot create %s: %m", d->cfg.runtime_dir);
	snprintf(path, sizeof(path), "%s/workers", d->cfg.runtime_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return log_error(errno, "cannot create %s: %m", path);
	if (mkdir(d->cfg.worker_cgroup, 0755) < 0 && errno != EEXIST)
		return log_error(errno, "cannot create the worker cgroup %s: %m",
				 d->cfg.worker_cgroup);
	return 0;
}

static void help(void)
{
	printf("Usage: ebrokerd [OPTIONS]\n"
	       "\n"
	       "Hand unprivileged clients enclave sessions charged to their own cgroup.\n"
	       "\n"
	       "  --foreground          run without systemd (logs to stderr); the socket is\n"
	       "                        created unless one is passed by socket activation\n"
	       "  --config-dir DIR      the policy (default /etc/ebroker)\n"
	       "  --socket PATH         the socket to create (default " EBP_SOCKET_PATH ")\n"
	       "  --runtime-dir DIR     worker sockets go to DIR/workers (default /run/ebroker)\n"
	       "  --worker PATH         the worker binary (default " LIBEXECDIR "/ebroker-worker)\n"
	       "  --worker-cgroup DIR   cgroup for the workers (default "
	       "/sys/fs/cgroup/ebroker.slice)\n"
	       "  --device PATH         the enclave device (default /dev/ebroker)\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "See ebrokerd(8) and ebroker-policy(5).\n");
}

static int parse_args(int argc, char **argv, struct daemon_config *cfg)
{
	enum { O_FG = 256, O_CONF, O_SOCK, O_RUN, O_WORKER, O_WCG, O_DEV };
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, O_FG },
		{ "config-dir", required_argument, NULL, O_CONF },
		{ "socket", required_argument, NULL, O_SOCK },
		{ "runtime-dir", required_argument, NULL, O_RUN },
		{ "worker", required_argument, NULL, O_WORKER },
		{ "worker-cgroup", required_argument, NULL, O_WCG },
		{ "device", required_argument, NULL, O_DEV },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*cfg = (struct daemon_config){
		.config_dir = "/etc/ebroker",
		.socket_path = EBP_SOCKET_PATH,
		.runtime_dir = "/run/ebroker",
		.worker_path = LIBEXECDIR "/ebroker-worker",
		.worker_cgroup = "/sys/fs/cgroup/ebroker.slice",
		.device = EB_DEVICE_PATH,
	};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_FG:
			break;
		case O_CONF:
			cfg->config_dir = optarg;
			break;
		case O_SOCK:
			cfg->socket_path = optarg;
			break;
		case O_RUN:
			cfg->runtime_dir = optarg;
			break;
		case O_WORKER:
			cfg->worker_path = optarg;
			break;
		case O_WCG:
			cfg->worker_cgroup = optarg;
			break;
		case O_DEV:
			cfg->device = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			fprintf(stderr, "ebrokerd: see --help\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ebrokerd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

int main(int argc, char **argv)
{
	static struct daemon d = { .listen_fd = -1 };
	_cleanup_(freep) char *error = NULL;
	const struct eb_policy_limits *lim;
	struct rlimit rl = { 65536, 65536 };
	sigset_t mask;
	int r;

	r = parse_args(argc, argv, &d.cfg);
	if (r <= 0)
		return r < 0 ? 2 : 0;
	log_setup();
	if (geteuid() != 0) {
		log_error(EPERM, "ebrokerd must start as root (it keeps only the capabilities in "
				 "ebrokerd(8))");
		return 1;
	}
	list_init(&d.conns);
	list_init(&d.pools);
	list_init(&d.sessions_ended);
	for (unsigned int b = 0; b < SESSION_BUCKETS; b++)
		list_init(&d.session_buckets[b]);
	for (unsigned int b = 0; b < ELEMENTSOF(d.per_uid); b++) {
		list_init(&d.per_uid[b]);
		list_init(&d.per_cgroup[b]);
	}

	r = load_policy(d.cfg.config_dir, &d.policy, &d.images, &error);
	if (r < 0) {
		log_error(r, "policy in %s refused: %s", d.cfg.config_dir,
			  error ? error : strerror(-r));
		return 1;
	}
	lim = eb_policy_limits(d.policy);
	d.uid_used = calloc(65536 / 8, 1);
	if (!d.uid_used)
		return 1;

	/* Enough descriptors for every session's socket while it is handed over. */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warning(errno, "cannot raise RLIMIT_NOFILE: %m");
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (prepare_dirs(&d) < 0 || make_socket(&d) < 0)
		return 1;
	r = restart_scan(&d);
	if (r < 0)
		return log_error(r, "cannot record session ids in %s: %s", d.cfg.runtime_dir,
				 strerror(-r)),
		       1;
	r = caps_drop_to_daemon_set();
	if (r < 0) {
		log_error(r, "cannot drop capabilities: %s", strerror(-r));
		return 1;
	}

	r = sd_event_default(&d.event);
	if (r < 0)
		return log_error(r, "sd_event_default: %s", strerror(-r)), 1;
	sd_event_add_signal(d.event, NULL, SIGHUP, on_signal, &d);
	sd_event_add_signal(d.event, NULL, SIGTERM, on_signal, &d);
	sd_event_add_signal(d.event, NULL, SIGINT, on_signal, &d);
	sd_event_add_post(d.event, NULL, on_post, &d);
	sd_event_set_watchdog(d.event, true);
	r = sd_event_add_io(d.event, &d.listen_src, d.listen_fd, EPOLLIN, on_listen, &d);
	if (r < 0)
		return log_error(r, "cannot watch the socket: %s", strerror(-r)), 1;

	list_init(&d.att.waiters);
	list_init(&d.att.quote_queue);
	d.att.state = EBP_ATTESTATION_STARTING; /* OPENs wait until it is configured */
	restart_adopt(&d);
	log_notice("ebrokerd ready: %zu enclaves, workers as uids %u-%u in %s",
		   eb_policy_enclave_count(d.policy), lim->worker_uid_min, lim->worker_uid_max,
		   d.cfg.worker_cgroup);
	sd_notify(false, "READY=1");
	update_status(&d);
	r = sd_event_loop(d.event);
	attestation_done(&d);
	return r < 0 ? 1 : 0;
}
