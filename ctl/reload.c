// SPDX-License-Identifier: GPL-2.0
/* ebrokerctl reload: ask ebrokerd to re-read its policy. */
#include <stdio.h>

#include <ebroker/client.h>

#include "common/util.h"

#include "ctl.h"

static const char reload_help[] =
    "Usage: " PROGRAM " reload\n"
    "\n"
    "Ask ebrokerd to re-read its policy (root only). When the daemon refuses\n"
    "the policy, its error names the file, the line and the reason.\n";

int cmd_reload(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	int c, r, status;

	while ((c = ctl_getopt(o, argc, argv, ":h", options, reload_help, &status)) != -1)
		return status;
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	status = ctl_broker_connect(&b);
	if (status)
		return status;
	r = ebroker_reload(b);
	return r < 0 ? ctl_broker_fail(r) : CTL_EXIT_OK;
}
