// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl sessions and close: the daemon's sessions, through
 * libebroker; and the helpers every command that talks to the daemon
 * shares (call, reload, status).
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebroker/client.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "table.h"

static const char sessions_help[] =
    "Usage: " PROGRAM " [--json] sessions [ID]\n"
    "\n"
    "List enclave sessions: id, user, pid, the tenant's cgroup, enclave,\n"
    "instance, worker pid, age and calls answered. A user sees their own\n"
    "sessions, root sees everyone's. With ID, only that session, also when it\n"
    "has ended recently, and why it ended.\n";

static const char close_help[] = "Usage: " PROGRAM " close ID\n"
				 "\n"
				 "End a session: one of your own, or any for root.\n";

const char *ctl_broker_socket(void)
{
	const char *path = getenv("EBROKER_SOCKET");

	return path && *path ? path : EBROKERD_SOCKET;
}

int ctl_broker_fail(int r)
{
	enum ebroker_verify_check check = ebroker_last_verify_check();
	struct ebroker_error e;
	char prefix[64];
	int status;

	if (ebroker_last_error(&e) < 0 || e.error != -r)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(-r));
	if (r == -EKEYREJECTED && check != EBROKER_VERIFY_OK) {
		/* Our own refusal: the check's name is what the user acts on, so it must show. */
		snprintf(prefix, sizeof(prefix),
			 "attestation refused: %s: ", ebroker_verify_check_name(check));
		return ctl_error(CTL_EXIT_REFUSED, "%s%s",
				 strncmp(e.message, prefix, strlen(prefix)) ? prefix : "",
				 e.message);
	}
	switch (r) {
	case -EACCES:
	case -EPERM:
		status = CTL_EXIT_PERMISSION;
		break;
	case -ENOKEY:
		status = CTL_EXIT_UNATTESTED;
		break;
	default:
		status = CTL_EXIT_FAILURE;
		break;
	}
	return ctl_error(status, "%s: %s", ebroker_side_name(e.side), e.message);
}

int ctl_broker_connect(struct ebroker **ret)
{
	int r = ebroker_connect(ctl_broker_socket(), ret);

	return r < 0 ? ctl_broker_fail(r) : 0;
}

/* A session id argument; on failure, reports it and returns the exit status (> 0). */
int ctl_session_id_arg(const char *command, const char *arg, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || *arg == '+' || v == 0)
		return ctl_usage(command, "bad session id '%s'", arg);
	*ret = v;
	return 0;
}

/* "45s", "3m07s", "2h05m", "4d03h" */
static const char *age_format(uint64_t ms, char buf[static 32])
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, 32, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, 32, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, 32, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, 32, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* The user's name, or NULL if the uid has none. */
static char *user_name(uint32_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || !found)
		return NULL;
	return strdup(found->pw_name);
}

static int sessions_table(const struct ebroker_session_info *v, size_t n)
{
	static const struct table_column columns[] = {
		{ "ID", true },	     { "USER", false },	   { "PID", true },
		{ "CGROUP", false }, { "ENCLAVE", false }, { "INSTANCE", true },
		{ "WORKER", true },  { "AGE", true },	   { "CALLS", true },
	};
	_cleanup_(table_freep) struct table *t = NULL;
	char age[32];
	int r;

	r = table_new(columns, ELEMENTSOF(columns), &t);
	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_(freep) char *user = user_name(v[i].uid);

		r = table_addf(t, "%" PRIu64, v[i].id);
		if (r == 0)
			r = user ? table_add(t, user) : table_addf(t, "%u", v[i].uid);
		if (r == 0)
			r = table_addf(t, "%u", v[i].pid);
		if (r == 0)
			r = table_add(t, v[i].cgroup);
		if (r == 0)
			r = table_add(t, v[i].enclave);
		if (r == 0)
			r = table_addf(t, "%" PRIu64, v[i].instance_id);
		if (r == 0)
			r = table_addf(t, "%u", v[i].worker_pid);
		if (r == 0)
			r = table_add(t, age_format(v[i].age_ms, age));
		if (r == 0)
			r = table_addf(t, "%" PRIu64, v[i].calls);
	}
	if (r == 0)
		r = table_print(t, stdout);
	return r;
}

static void sessions_json(const struct ebroker_session_info *v, size_t n)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "sessions");
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		_cleanup_(freep) char *user = user_name(v[i].uid);

		json_object_begin(&j);
		json_kv_u64(&j, "id", v[i].id);
		json_kv_u64(&j, "uid", v[i].uid);
		json_key(&j, "user");
		if (user)
			json_string(&j, user);
		else
			json_null(&j);
		json_kv_u64(&j, "pid", v[i].pid);
		json_kv_string(&j, "cgroup", v[i].cgroup);
		json_kv_string(&j, "enclave", v[i].enclave);
		json_kv_u64(&j, "instance_id", v[i].instance_id);
		json_kv_u64(&j, "worker_pid", v[i].worker_pid);
		json_kv_u64(&j, "age_ms", v[i].age_ms);
		json_kv_u64(&j, "calls", v[i].calls);
		json_kv_string(&j, "state", v[i].ended ? "ended" : "open");
		json_key(&j, "reason");
		if (v[i].ended)
			json_string(&j, v[i].reason);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

int cmd_sessions(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	_cleanup_(freep) struct ebroker_session_info *v = NULL;
	uint64_t id = 0;
	size_t n = 0;
	int c, r, status;

	while ((c = ctl_getopt(o, argc, argv, ":h", options, sessions_help, &status)) != -1)
		return status;
	if (argc - optind > 1)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc) {
		status = ctl_session_id_arg(argv[0], argv[optind], &id);
		if (status)
			return status;
	}

	status = ctl_broker_connect(&b);
	if (status)
		return status;
	if (id) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
		r = ebroker_session_info_get(b, id, v);
		n = 1;
	} else {
		r = ebroker_list_sessions(b, &v, &n);
	}
	if (r < 0)
		return ctl_broker_fail(r);

	if (o->json) {
		sessions_json(v, n);
		return CTL_EXIT_OK;
	}
	r = sessions_table(v, n);
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "cannot show sessions: %s", strerror(-r));
	if (id && v[0].ended) {
		_cleanup_(freep) char *reason = printable_dup(v[0].reason);

		printf("ended: %s\n", reason ? reason : "?");
	}
	return CTL_EXIT_OK;
}

int cmd_close(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	uint64_t id;
	int c, r, status;

	while ((c = ctl_getopt(o, argc, argv, ":h", options, close_help, &status)) != -1)
		return status;
	if (optind == argc)
		return ctl_usage(argv[0], "no session id given");
	if (argc - optind > 1)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	status = ctl_session_id_arg(argv[0], argv[optind], &id);
	if (!status)
		status = ctl_broker_connect(&b);
	if (status)
		return status;
	r = ebroker_close_session_id(b, id);
	return r < 0 ? ctl_broker_fail(r) : CTL_EXIT_OK;
}
