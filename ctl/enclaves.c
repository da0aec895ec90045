// SPDX-License-Identifier: GPL-2.0
/* ebrokerctl enclaves: every enclave, or those charged to one cgroup. */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"
#include "table.h"

static const char enclaves_help[] =
    "Usage: " PROGRAM " [--json] enclaves [--cgroup=CGROUP]\n"
    "\n"
    "List enclaves: id, creator's pid, cgroup charged, state, ELRANGE size,\n"
    "EPC held, MRENCLAVE (the first 8 bytes; all of it, and MRSIGNER, in\n"
    "JSON) and whether it is a debug enclave. Needs CAP_SYS_ADMIN and CAP_NET_ADMIN.\n"
    "\n"
    "  -c, --cgroup=CGROUP  only enclaves charged to this cgroup (not to its\n"
    "                       descendants)\n";

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static int enclaves_table(const struct ctl_enclave *e, size_t n, const struct ctl_cgroup *cgs,
			  size_t ncgs)
{
	static const struct table_column columns[] = {
		{ "ID", true },	  { "PID", true }, { "CGROUP", false },	   { "STATE", false },
		{ "SIZE", true }, { "EPC", true }, { "MRENCLAVE", false }, { "DEBUG", false },
	};
	_cleanup_(table_freep) struct table *t = NULL;
	char b1[SIZE_FORMAT_MAX], b2[SIZE_FORMAT_MAX], mr[2 * 8 + 1];
	const char *path;
	int r;

	r = table_new(columns, ELEMENTSOF(columns), &t);
	for (size_t i = 0; r == 0 && i < n; i++) {
		path = ctl_cgroup_path(cgs, ncgs, e[i].cgroup_id);
		if (e[i].measured)
			hex(mr, e[i].mrenclave, 8);
		r = table_addf(t, "%u", e[i].id);
		if (r == 0)
			r = table_addf(t, "%u", e[i].owner_pid);
		if (r == 0)
			r = path ? table_add(t, path)
				 : table_addf(t, "id %llu", (unsigned long long)e[i].cgroup_id);
		if (r == 0)
			r = table_add(t, ctl_enclave_state_name(e[i].state));
		if (r == 0)
			r = table_add(t, size_format(e[i].size, b1));
		if (r == 0)
			r = table_add(t, size_format(e[i].pages * EB_PAGE_SIZE, b2));
		if (r == 0)
			r = table_add(t, e[i].measured ? mr : "-");
		if (r == 0)
			r = table_add(t, e[i].attributes & EB_ATTR_DEBUG ? "yes" : "no");
	}
	if (r == 0)
		r = table_print(t, stdout);
	return r;
}

static void enclaves_json(const struct ctl_enclave *e, size_t n, const struct ctl_cgroup *cgs,
			  size_t ncgs)
{
	const char *path;
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "enclaves");
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(&j);
		ctl_json_enclave_fields(&j, &e[i]);
		json_key(&j, "cgroup");
		path = ctl_cgroup_path(cgs, ncgs, e[i].cgroup_id);
		if (path)
			json_string(&j, path);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

int cmd_enclaves(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	_cleanup_(freep) struct ctl_enclave *e = NULL;
	_cleanup_(freep) char *path = NULL;
	struct ctl_cgroup *cgs = NULL, cg;
	size_t n = 0, ncgs = 0;
	const char *arg = NULL;
	uint64_t id = 0;
	int c, r, status = CTL_EXIT_USAGE;

	while ((c = ctl_getopt(o, argc, argv, ":hc:", options, enclaves_help, &status)) != -1) {
		switch (c) {
		case 'c':
			arg = optarg;
			break;
		default:
			return status;
		}
	}
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	status = arg ? ctl_cgroup_arg(arg, &path) : 0;
	if (!status)
		status = ctl_connect(&nl);
	if (status)
		return status;
	if (path) {
		r = ctl_get_cgroup(nl, path, 0, &cg);
		if (r < 0)
			return ctl_fail(nl, r, path, "cannot read cgroup %s", path);
		id = cg.id;
		ctl_cgroup_clear(&cg);
	}
	r = ctl_dump_enclaves(nl, id, &e, &n);
	if (r < 0)
		return ctl_fail(nl, r, path, "cannot list enclaves");
	/* For the paths of the cgroups charged: a missing one shows as its id. */
	if (ctl_dump_cgroups(nl, &cgs, &ncgs) < 0)
		ncgs = 0;
	if (o->json)
		enclaves_json(e, n, cgs, ncgs);
	else
		r = enclaves_table(e, n, cgs, ncgs);
	ctl_cgroups_free(cgs, ncgs);
	if (r < 0)
		return ctl_fail(nl, r, NULL, "cannot show enclaves");
	return CTL_EXIT_OK;
}
