// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl events: follow the module's events group, one event a line.
 * Nothing is lost silently: a queue overflow (ENOBUFS) and a jump in the
 * events' sequence numbers are both reported, in the stream itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"
#include "table.h"

static const char events_help[] =
    "Usage: " PROGRAM " [--json] events [--follow] [--count=N]\n"
    "\n"
    "Follow the module's events until interrupted: limit hits, the pool\n"
    "falling below its low-water mark and getting back, enclaves created,\n"
    "initialised and released. One event a line, or a JSON object a line.\n"
    "Lost events are reported too: 'overrun' when the receive queue\n"
    "overflowed, 'gap' when sequence numbers were skipped. Once subscribed,\n"
    "'listening for events' is printed on stderr. Ends, with status 3, when\n"
    "the module is unloaded. Needs CAP_SYS_ADMIN.\n"
    "\n"
    "  -f, --follow   accepted for familiarity: events always follows\n"
    "  -n, --count=N  exit after N events\n";

struct events {
	bool json;
	struct ctl_nl *lookup; /* for cgroup paths in human output; may be NULL */
	uint64_t count, seen;
	bool have_seq;
	uint64_t last_seq;
};

static volatile sig_atomic_t events_stop;

static void events_on_signal(int sig)
{
	events_stop = 1;
}

static void stamp(void)
{
	struct timeval tv;
	struct tm tm;
	char buf[16];

	gettimeofday(&tv, NULL);
	strftime(buf, sizeof(buf), "%H:%M:%S", localtime_r(&tv.tv_sec, &tm));
	printf("%s.%03ld ", buf, (long)(tv.tv_usec / 1000));
}

static void report_overrun(const struct events *st)
{
	struct json j;

	if (st->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "event", "overrun");
		json_object_end(&j);
	} else {
		stamp();
		printf("-- events lost: the receive queue overflowed\n");
	}
}

static void report_gap(const struct events *st, uint64_t first, uint64_t last)
{
	struct json j;

	if (st->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "event", "gap");
		json_kv_u64(&j, "missing", last - first + 1);
		json_kv_u64(&j, "first", first);
		json_kv_u64(&j, "last", last);
		json_object_end(&j);
	} else {
		stamp();
		printf("-- %" PRIu64 " events lost (seq %" PRIu64 " to %" PRIu64 ")\n",
		       last - first + 1, first, last);
	}
}

static void event_json(const struct ctl_event *ev)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "event", ctl_event_name(ev->cmd));
	json_key(&j, "seq");
	if (ev->has_seq)
		json_u64(&j, ev->seq);
	else
		json_null(&j);
	if (ev->has_cgroup) {
		/* The limiting cgroup, with what the event carries. */
		json_key(&j, "cgroup");
		json_object_begin(&j);
		json_kv_u64(&j, "id", ev->cgroup.id);
		json_kv_string(&j, "path", ev->cgroup.path);
		json_kv_limit(&j, "max", ev->cgroup.limit);
		json_kv_u64(&j, "current", ev->cgroup.current);
		json_object_end(&j);
	}
	if (ev->has_requested)
		json_kv_u64(&j, "requested", ev->requested);
	if (ev->has_pool) {
		json_key(&j, "pool");
		json_object_begin(&j);
		json_kv_u64(&j, "total", ev->pool.total);
		json_kv_u64(&j, "free", ev->pool.free);
		json_kv_u64(&j, "low_water", ev->pool.low_water);
		json_kv_u64(&j, "min_free", ev->pool.min_free);
		json_object_end(&j);
	}
	if (ev->has_enclave) {
		json_key(&j, "enclave");
		json_object_begin(&j);
		ctl_json_enclave_fields(&j, &ev->enclave);
		json_object_end(&j);
	}
	json_object_end(&j);
}

static void event_human(const struct events *st, const struct ctl_event *ev)
{
	char b1[SIZE_FORMAT_MAX], b2[SIZE_FORMAT_MAX], b3[SIZE_FORMAT_MAX];
	_cleanup_(freep) char *path = NULL;
	struct ctl_cgroup cg;

	stamp();
	if (ev->has_seq)
		printf("#%" PRIu64 " ", ev->seq);
	fputs(ctl_event_name(ev->cmd), stdout);
	if (ev->has_cgroup) {
		path = printable_dup(ev->cgroup.path);
		printf(" cgroup %s: requested %s, current %s of max %s", path ? path : "?",
		       size_format(ev->requested, b1), size_format(ev->cgroup.current, b2),
		       limit_format(ev->cgroup.limit, b3));
	}
	if (ev->has_pool)
		printf(" free %s, low water %s, total %s", size_format(ev->pool.free, b1),
		       size_format(ev->pool.low_water, b2), size_format(ev->pool.total, b3));
	if (ev->has_enclave) {
		printf(" enclave %u pid %u", ev->enclave.id, ev->enclave.owner_pid);
		if (st->lookup &&
		    ctl_get_cgroup(st->lookup, NULL, ev->enclave.cgroup_id, &cg) == 0) {
			path = printable_dup(cg.path);
			ctl_cgroup_clear(&cg);
		}
		if (path)
			printf(" cgroup %s", path);
		else
			printf(" cgroup id %" PRIu64, ev->enclave.cgroup_id);
		printf(": size %s, EPC %s", size_format(ev->enclave.size, b1),
		       size_format(ev->enclave.pages * EB_PAGE_SIZE, b2));
		if (ev->enclave.measured) {
			fputs(", mrenclave ", stdout);
			for (size_t i = 0; i < 8; i++)
				printf("%02x", ev->enclave.mrenclave[i]);
		}
	}
	putchar('\n');
}

static int on_event(const struct ctl_event *ev, void *userdata)
{
	struct events *st = userdata;

	/*
	 * Only a jump forward is a gap. An event older than the last one seen
	 * (two raised at once can arrive in either order) is shown as it is.
	 */
	if (ev->has_seq) {
		if (st->have_seq && ev->seq > st->last_seq + 1)
			report_gap(st, st->last_seq + 1, ev->seq - 1);
		if (!st->have_seq || ev->seq > st->last_seq)
			st->last_seq = ev->seq;
		st->have_seq = true;
	}
	if (st->json)
		event_json(ev);
	else
		event_human(st, ev);
	st->seen++;
	return st->count && st->seen >= st->count ? 1 : 0;
}

int cmd_events(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL, *lookup = NULL;
	struct sigaction sa = { .sa_handler = events_on_signal };
	struct events st = { 0 };
	sigset_t block, old;
	char *end;
	int c, r, status = CTL_EXIT_USAGE;

	while ((c = ctl_getopt(o, argc, argv, ":hfn:", options, events_help, &status)) != -1) {
		switch (c) {
		case 'f':
			break;
		case 'n':
			errno = 0;
			st.count = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || !st.count)
				return ctl_usage(argv[0], "bad count '%s'", optarg);
			break;
		default:
			return status;
		}
	}
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	st.json = o->json;

	status = ctl_connect(&nl);
	if (status)
		return status;
	r = ctl_nl_subscribe(nl);
	if (r < 0)
		return ctl_fail(nl, r, NULL, "cannot listen for events");
	if (!st.json && ctl_nl_open(&lookup) == 0)
		st.lookup = lookup;
	fprintf(stderr, PROGRAM ": listening for events\n");

	/* Signals are let in only while waiting, so none is missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!events_stop) {
		struct pollfd p = { .fd = ctl_nl_fd(nl), .events = POLLIN };

		if (ppoll(&p, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			return ctl_error(CTL_EXIT_FAILURE, "waiting for events: %s",
					 strerror(errno));
		}
		r = ctl_nl_read_events(nl, on_event, &st);
		if (r == -ENOBUFS)
			report_overrun(&st);
		else if (r == -ENOPKG)
			return ctl_error(CTL_EXIT_NO_MODULE, "the ebroker module was unloaded");
		else if (r < 0)
			return ctl_fail(nl, r, NULL, "cannot read events");
		fflush(stdout);
		if (r > 0)
			break;
	}
	return CTL_EXIT_OK;
}
