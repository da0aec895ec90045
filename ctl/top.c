// SPDX-License-Identifier: GPL-2.0
/* ebrokerctl top: EPC usage per cgroup, refreshed while on a terminal. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"
#include "table.h"

static const char top_help[] =
    "Usage: " PROGRAM " [--json] top [--sort=KEY] [--interval=SEC] [--once]\n"
    "\n"
    "EPC usage per cgroup: path, current, max (limit), peak, refusals (limit\n"
    "hits, this cgroup's and its descendants'), enclaves. On a terminal the\n"
    "table is redrawn every interval until interrupted; when piped, or with\n"
    "--once or --json, it is printed once.\n"
    "\n"
    "  -s, --sort=KEY      current (default), peak, refusals: largest first;\n"
    "                      path: alphabetical\n"
    "  -i, --interval=SEC  seconds between refreshes (default 1; 0.1 to 3600)\n"
    "  -1, --once          print once and exit\n";

static const char *const top_sort_names[] = {
	[TOP_SORT_CURRENT] = "current",
	[TOP_SORT_PEAK] = "peak",
	[TOP_SORT_PATH] = "path",
	[TOP_SORT_REFUSALS] = "refusals",
};

int top_sort_parse(const char *s, enum top_sort *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(top_sort_names); i++) {
		if (!strcmp(s, top_sort_names[i])) {
			*ret = (enum top_sort)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static enum top_sort sort_key; /* qsort() takes no argument */

static int cgroup_cmp(const void *pa, const void *pb)
{
	const struct ctl_cgroup *a = pa, *b = pb;
	int c = 0;

	switch (sort_key) {
	case TOP_SORT_CURRENT:
		c = cmp_u64_desc(a->current, b->current);
		break;
	case TOP_SORT_PEAK:
		c = cmp_u64_desc(a->peak, b->peak);
		break;
	case TOP_SORT_REFUSALS:
		c = cmp_u64_desc(a->events, b->events);
		break;
	case TOP_SORT_PATH:
		break;
	}
	if (!c)
		c = strcmp(a->path, b->path);
	return c ? c : cmp_u64_desc(b->id, a->id);
}

/* Sorts by key, ties (and the path key) by path, then by id. */
void top_sort(struct ctl_cgroup *v, size_t n, enum top_sort key)
{
	sort_key = key;
	qsort(v, n, sizeof(*v), cgroup_cmp);
}

int top_table(const struct ctl_cgroup *v, size_t n, FILE *f)
{
	static const struct table_column columns[] = {
		{ "CGROUP", false }, { "CURRENT", true },  { "MAX", true },
		{ "PEAK", true },    { "REFUSALS", true }, { "ENCLAVES", true },
	};
	_cleanup_(table_freep) struct table *t = NULL;
	char b1[SIZE_FORMAT_MAX], b2[SIZE_FORMAT_MAX], b3[SIZE_FORMAT_MAX];
	int r;

	r = table_new(columns, ELEMENTSOF(columns), &t);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = table_addf(t, "%s%s", v[i].path, v[i].removed ? " (removed)" : "");
		if (r == 0)
			r = table_add(t, size_format(v[i].current, b1));
		if (r == 0)
			r = table_add(t, limit_format(v[i].limit, b2));
		if (r == 0)
			r = table_add(t, size_format(v[i].peak, b3));
		if (r == 0)
			r = table_addf(t, "%llu", (unsigned long long)v[i].events);
		if (r == 0)
			r = table_addf(t, "%u", v[i].enclaves);
	}
	if (r == 0)
		r = table_print(t, f);
	return r;
}

static void top_json(const struct ctl_cgroup *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "cgroups");
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		ctl_json_cgroup(&j, &v[i]);
	json_array_end(&j);
	json_object_end(&j);
}

static int top_header(struct ctl_nl *nl, double interval, enum top_sort key)
{
	char b1[SIZE_FORMAT_MAX], b2[SIZE_FORMAT_MAX], now[16];
	struct ctl_pool p;
	time_t t = time(NULL);
	struct tm tm;
	int r;

	r = ctl_get_pool(nl, &p);
	if (r < 0)
		return r;
	strftime(now, sizeof(now), "%H:%M:%S", localtime_r(&t, &tm));
	printf("ebroker %s  pool %s, %s free, %u enclaves  (every %gs, by %s; Ctrl-C quits)\n\n",
	       now, size_format(p.total, b1), size_format(p.free, b2), p.enclaves, interval,
	       top_sort_names[key]);
	return 0;
}

static void sleep_for(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };

	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cmd_top(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	enum top_sort key = TOP_SORT_CURRENT;
	double interval = 1.0;
	bool once = false;
	char *end;
	int c, r, status = CTL_EXIT_USAGE;

	while ((c = ctl_getopt(o, argc, argv, ":hs:i:1", options, top_help, &status)) != -1) {
		switch (c) {
		case 's':
			if (top_sort_parse(optarg, &key) < 0)
				return ctl_usage(argv[0], "bad sort key '%s'", optarg);
			break;
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(interval) ||
			    interval < 0.1 || interval > 3600)
				return ctl_usage(argv[0], "bad interval '%s'", optarg);
			break;
		case '1':
			once = true;
			break;
		default:
			return status;
		}
	}
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (o->json || !isatty(STDOUT_FILENO))
		once = true;

	status = ctl_connect(&nl);
	if (status)
		return status;
	for (;;) {
		struct ctl_cgroup *v = NULL;
		size_t n = 0;

		r = ctl_dump_cgroups(nl, &v, &n);
		if (r < 0)
			return ctl_fail(nl, r, NULL, "cannot list cgroups");
		top_sort(v, n, key);
		if (!once) {
			fputs("\033[H\033[J", stdout); /* home, clear the screen */
			r = top_header(nl, interval, key);
		}
		if (r == 0 && o->json)
			top_json(v, n);
		else if (r == 0)
			r = top_table(v, n, stdout);
		ctl_cgroups_free(v, n);
		if (r < 0)
			return ctl_fail(nl, r, NULL, "cannot show cgroups");
		if (once)
			return CTL_EXIT_OK;
		fflush(stdout);
		sleep_for(interval);
	}
}
