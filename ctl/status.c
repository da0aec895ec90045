// SPDX-License-Identifier: GPL-2.0
/* ebrokerctl status: the pool, the enclave count, and whether ebrokerd answers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"

static const char status_help[] =
    "Usage: " PROGRAM " [--json] status\n"
    "\n"
    "Show the backend, the EPC pool (total, free, low-water mark, lowest free\n"
    "since load), the number of enclaves, and whether the daemon's socket\n"
    "(" EBROKERD_SOCKET ") accepts connections.\n";

/* 0 when the daemon's socket accepts a connection, else -errno. */
static int daemon_probe(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = EBROKERD_SOCKET };
	_cleanup_(closep) int fd = -EBADF;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Non-blocking: a daemon too busy to accept (EAGAIN) does not hang us. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static void status_json(const struct ctl_pool *p, int daemon)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "backend", p->backend);
	json_key(&j, "pool");
	json_object_begin(&j);
	json_kv_u64(&j, "total", p->total);
	json_kv_u64(&j, "free", p->free);
	json_kv_u64(&j, "low_water", p->low_water);
	json_kv_u64(&j, "min_free", p->min_free);
	json_kv_bool(&j, "low", p->free < p->low_water);
	json_object_end(&j);
	json_kv_u64(&j, "enclaves", p->enclaves);
	json_key(&j, "daemon");
	json_object_begin(&j);
	json_kv_string(&j, "socket", EBROKERD_SOCKET);
	json_kv_bool(&j, "reachable", daemon == 0);
	json_key(&j, "error");
	if (daemon)
		json_string(&j, strerror(-daemon));
	else
		json_null(&j);
	json_object_end(&j);
	json_object_end(&j);
}

static void status_human(const struct ctl_pool *p, int daemon)
{
	char b1[SIZE_FORMAT_MAX], b2[SIZE_FORMAT_MAX];

	printf("%-13s%s\n", "backend:", p->backend);
	printf("%-13s%s total, %s free (%.1f%%)\n", "pool:", size_format(p->total, b1),
	       size_format(p->free, b2),
	       p->total ? 100.0 * (double)p->free / (double)p->total : 0.0);
	printf("%-13s%s%s\n", "low water:", size_format(p->low_water, b1),
	       !p->low_water		? " (off)"
	       : p->free < p->low_water ? " (free is below it)"
					: "");
	printf("%-13s%s since load\n", "lowest free:", size_format(p->min_free, b1));
	printf("%-13s%u\n", "enclaves:", p->enclaves);
	if (daemon == 0)
		printf("%-13srunning (%s)\n", "daemon:", EBROKERD_SOCKET);
	else
		printf("%-13snot running (%s unreachable: %s)\n", "daemon:", EBROKERD_SOCKET,
		       strerror(-daemon));
}

int cmd_status(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	struct ctl_pool pool;
	int c, r, status;

	while ((c = ctl_getopt(o, argc, argv, ":h", options, status_help, &status)) != -1)
		return status;
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	status = ctl_connect(&nl);
	if (status)
		return status;
	r = ctl_get_pool(nl, &pool);
	if (r < 0)
		return ctl_fail(nl, r, NULL, "cannot read the pool");
	if (o->json)
		status_json(&pool, daemon_probe());
	else
		status_human(&pool, daemon_probe());
	return CTL_EXIT_OK;
}
