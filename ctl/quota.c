// SPDX-License-Identifier: GPL-2.0
/* ebrokerctl quota get|set: a cgroup's EPC limit. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"

static const char quota_help[] =
    "Usage: " PROGRAM " [--json] quota get CGROUP\n"
    "       " PROGRAM " quota set CGROUP SIZE|max\n"
    "\n"
    "Show a cgroup's EPC limit and usage, or set its limit (needs\n"
    "CAP_SYS_ADMIN and CAP_NET_ADMIN). CGROUP is a path in the cgroup v2 hierarchy, with or\n"
    "without its leading slash, or the cgroup's directory under the cgroup2\n"
    "mount: tenants/a, /tenants/a and /sys/fs/cgroup/tenants/a are the same.\n"
    "SIZE is bytes with an optional binary suffix K, M, G or T (64M, 1G);\n"
    "'max' removes the limit. Limits apply to new allocations only.\n";

static void quota_human(const struct ctl_cgroup *cg)
{
	char b[SIZE_FORMAT_MAX];

	printf("%-10s%s%s (id %" PRIu64 ")\n", "cgroup:", cg->path, cg->removed ? " (removed)" : "",
	       cg->id);
	printf("%-10s%s\n", "max:", limit_format(cg->limit, b));
	printf("%-10s%s\n", "current:", size_format(cg->current, b));
	printf("%-10s%s\n", "peak:", size_format(cg->peak, b));
	printf("%-10s%" PRIu64 " (%" PRIu64 " at this level)\n", "refusals:", cg->events,
	       cg->events_local);
	printf("%-10s%u\n", "enclaves:", cg->enclaves);
}

static int quota_get(struct ctl_opts *o, const char *arg)
{
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	_cleanup_(freep) char *path = NULL;
	struct ctl_cgroup cg;
	struct json j;
	int r, status;

	status = ctl_cgroup_arg(arg, &path);
	if (!status)
		status = ctl_connect(&nl);
	if (status)
		return status;
	r = ctl_get_cgroup(nl, path, 0, &cg);
	if (r < 0)
		return ctl_fail(nl, r, path, "cannot read cgroup %s", path);
	if (o->json) {
		json_init(&j, stdout);
		ctl_json_cgroup(&j, &cg);
	} else {
		quota_human(&cg);
	}
	ctl_cgroup_clear(&cg);
	return CTL_EXIT_OK;
}

static int quota_set(const char *arg, const char *value)
{
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	_cleanup_(freep) char *path = NULL;
	uint64_t limit = EB_LIMIT_NONE;
	int r, status;

	if (strcmp(value, "max")) {
		r = size_parse(value, &limit);
		/* All ones means "no limit" on the wire: not a size one can set. */
		if (r == -ERANGE || (r == 0 && limit == EB_LIMIT_NONE))
			return ctl_error(CTL_EXIT_BAD_SIZE, "bad size '%s': too large", value);
		if (r < 0)
			return ctl_error(CTL_EXIT_BAD_SIZE,
					 "bad size '%s': expected bytes with an optional K, M, G "
					 "or T suffix, or 'max'",
					 value);
	}
	status = ctl_cgroup_arg(arg, &path);
	if (!status)
		status = ctl_connect(&nl);
	if (status)
		return status;
	r = ctl_set_limit(nl, path, limit);
	if (r < 0)
		return ctl_fail(nl, r, path, "cannot set the limit of %s", path);
	return CTL_EXIT_OK;
}

int cmd_quota(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	const char *verb;
	int c, status = CTL_EXIT_USAGE;

	/* Options may follow the verb and the operands: "quota get X --json". */
	while ((c = ctl_getopt(o, argc, argv, ":h", options, quota_help, &status)) != -1)
		return status;
	if (optind >= argc)
		return ctl_usage(argv[0], "expected 'get' or 'set'");
	verb = argv[optind++];
	if (!strcmp(verb, "get")) {
		if (argc - optind != 1)
			return ctl_usage(argv[0], "expected: quota get CGROUP");
		return quota_get(o, argv[optind]);
	}
	if (!strcmp(verb, "set")) {
		if (argc - optind != 2)
			return ctl_usage(argv[0], "expected: quota set CGROUP SIZE|max");
		return quota_set(argv[optind], argv[optind + 1]);
	}
	return ctl_usage(argv[0], "unknown quota command '%s' (expected 'get' or 'set')", verb);
}
