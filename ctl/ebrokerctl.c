// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl: the admin's view of ebroker -- the EPC pool, per-cgroup usage
 * and quotas, enclaves and live events -- through the module's generic
 * netlink family; and the daemon's sessions, for users and admins, through
 * libebroker. One file per command; this one only dispatches.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

#include "ctl.h"

static const struct command {
	const char *name;
	int (*run)(struct ctl_opts *o, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "status", cmd_status, "the pool, the enclave count, and whether ebrokerd answers" },
	{ "top", cmd_top, "EPC usage per cgroup, refreshed while on a terminal" },
	{ "quota", cmd_quota, "get or set a cgroup's EPC limit" },
	{ "enclaves", cmd_enclaves, "every enclave: owner, cgroup, size, measurement" },
	{ "events", cmd_events, "follow limit hits, pool low-water and enclave lifecycle" },
	{ "sessions", cmd_sessions, "ebrokerd's enclave sessions: yours, or everyone's for root" },
	{ "call", cmd_call, "open an attested session with an enclave and call a function" },
	{ "attest", cmd_attest, "open an attested session and show its verified evidence" },
	{ "verify", cmd_verify, "verify a quote made elsewhere against a policy and a root" },
	{ "close", cmd_close, "end a session by its id" },
	{ "reload", cmd_reload, "make ebrokerd re-read its policy" },
	{ "attestation", cmd_attestation, "set up this host's attestation (root); its status" },
	{ "metrics", cmd_metrics, "the pool, cgroups and daemon for Prometheus (node_exporter)" },
};

static void help(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM " [--json] COMMAND [ARGS...]\n"
		   "\n"
		   "Inspect and control ebroker: the module's EPC accounting, and the\n"
		   "sessions ebrokerd gives to enclaves.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		   "Options:\n"
		   "  --json     print JSON (before or after the command)\n"
		   "  -h, --help show this help; '" PROGRAM " COMMAND --help' for a command\n"
		   "\n"
		   "See ebrokerctl(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	struct ctl_opts o = { 0 };
	int c, status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case CTL_OPT_JSON:
			o.json = true;
			break;
		case 'h':
			help(stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage(NULL, "no command given");

	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		argv += optind;
		argc -= optind;
		optind = 0; /* the command parses its own options afresh */
		status = commands[i].run(&o, argc, argv);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			/* A closed pipe is the reader's business, not an error of ours. */
			if (errno == EPIPE)
				return status;
			return ctl_error(CTL_EXIT_FAILURE, "write error: %s", strerror(errno));
		}
		return status;
	}
	return ctl_usage(NULL, "unknown command '%s'", argv[optind]);
}
