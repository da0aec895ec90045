/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ebrokerctl's commands share: options, exit statuses, error messages
 * and CGROUP arguments. Each command lives in its own file and returns an
 * exit status; the helpers below return negative errno like the rest.
 */
#ifndef EBROKERCTL_CTL_H
#define EBROKERCTL_CTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "genl.h"

#define PROGRAM		"ebrokerctl"
#define EBROKERD_SOCKET "/run/ebroker/ebroker.sock"

/* Exit statuses, documented in ebrokerctl(8). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NO_MODULE = 3,
	CTL_EXIT_PERMISSION = 4,
	CTL_EXIT_NO_CGROUP = 5,
	CTL_EXIT_BAD_SIZE = 6,
};

struct ctl_opts {
	bool json;
};

/* Every command takes these, after its name as well as before it. */
#define CTL_OPT_JSON 0x100
#define CTL_COMMON_OPTIONS                           \
	{ "json", no_argument, NULL, CTL_OPT_JSON }, \
	{                                            \
		"help", no_argument, NULL, 'h'       \
	}

int cmd_status(struct ctl_opts *o, int argc, char **argv);
int cmd_top(struct ctl_opts *o, int argc, char **argv);
int cmd_quota(struct ctl_opts *o, int argc, char **argv);
int cmd_enclaves(struct ctl_opts *o, int argc, char **argv);
int cmd_events(struct ctl_opts *o, int argc, char **argv);
int cmd_sessions(struct ctl_opts *o, int argc, char **argv);
int cmd_close(struct ctl_opts *o, int argc, char **argv);
int cmd_call(struct ctl_opts *o, int argc, char **argv);
int cmd_reload(struct ctl_opts *o, int argc, char **argv);
int cmd_attestation(struct ctl_opts *o, int argc, char **argv);

int ctl_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ctl_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ctl_fail(const struct ctl_nl *nl, int r, const char *cgroup, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ctl_connect(struct ctl_nl **ret);
int ctl_cgroup_arg(const char *arg, char **ret_path);

/* The daemon, through libebroker (sessions.c): its socket, $EBROKER_SOCKET or EBROKERD_SOCKET. */
struct ebroker;
const char *ctl_broker_socket(void);
/* Connects; on failure, reports it and returns the exit status (> 0). */
int ctl_broker_connect(struct ebroker **ret);
/* Reports libebroker's failure r (its side and message) and returns the exit status. */
int ctl_broker_fail(int r);
int ctl_session_id_arg(const char *command, const char *arg, uint64_t *ret);
#define CTL_GETOPT_EXIT (-2)
int ctl_getopt(struct ctl_opts *o, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, const char *help, int *ret_status);

/* top's sorting and table, for its tests */
enum top_sort {
	TOP_SORT_CURRENT,
	TOP_SORT_PEAK,
	TOP_SORT_PATH,
	TOP_SORT_REFUSALS,
};
int top_sort_parse(const char *s, enum top_sort *ret);
void top_sort(struct ctl_cgroup *v, size_t n, enum top_sort key);
int top_table(const struct ctl_cgroup *v, size_t n, FILE *f);

struct json;
void ctl_json_cgroup(struct json *j, const struct ctl_cgroup *cg);
void ctl_json_enclave_fields(struct json *j, const struct ctl_enclave *e);

#endif /* EBROKERCTL_CTL_H */
