// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl status: the pool, the enclave count, whether ebrokerd answers
 * and whether it can attest sessions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ebroker/client.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"
#include "size.h"
#include "table.h"

static const char status_help[] =
    "Usage: " PROGRAM " [--json] status\n"
    "\n"
    "Show the backend, the EPC pool (total, free, low-water mark, lowest free\n"
    "since load), the number of enclaves, whether the daemon answers on its\n"
    "socket (" EBROKERD_SOCKET ", or $EBROKER_SOCKET), and whether it can\n"
    "attest sessions.\n";

/* What status says of ebrokerd. */
struct daemon_state {
	const char *socket;
	bool reachable; /* the socket accepts a connection */
	bool answering; /* and the daemon answers a LIST */
	char error[EBROKER_ERROR_MESSAGE_MAX];
	/* What it says of attestation; .attestation is 0 when unknown, attestation_error says why. */
	struct ebroker_daemon_status st;
	char attestation_error[EBROKER_ERROR_MESSAGE_MAX + 64];
};

static void daemon_probe(struct daemon_state *d)
{
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	_cleanup_(freep) struct ebroker_session_info *v = NULL;
	struct ebroker_error e = { 0 };
	size_t n;
	int r;

	*d = (struct daemon_state){ .socket = ctl_broker_socket() };
	r = ebroker_connect(d->socket, &b);
	if (r < 0) {
		snprintf(d->error, sizeof(d->error), "%s", strerror(-r));
		snprintf(d->attestation_error, sizeof(d->attestation_error),
			 "ebrokerd not reachable: %s", d->error);
		return;
	}
	d->reachable = true;
	/* A daemon that is stuck must not make status hang. */
	(void)ebroker_set_timeout(b, 5000);
	r = ebroker_list_sessions(b, &v, &n);
	if (r < 0) {
		(void)ebroker_last_error(&e);
		snprintf(d->error, sizeof(d->error), "%s", *e.message ? e.message : strerror(-r));
		snprintf(d->attestation_error, sizeof(d->attestation_error),
			 "ebrokerd not answering: %s", d->error);
		return;
	}
	d->answering = true;
	r = ebroker_daemon_status(b, &d->st);
	if (r < 0) {
		(void)ebroker_last_error(&e);
		snprintf(d->attestation_error, sizeof(d->attestation_error), "%s",
			 *e.message ? e.message : strerror(-r));
		return;
	}
}

static void status_json(const struct ctl_pool *p, const struct daemon_state *d)
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
	json_kv_string(&j, "socket", d->socket);
	json_kv_bool(&j, "reachable", d->reachable);
	json_kv_bool(&j, "answering", d->answering);
	json_key(&j, "error");
	if (!d->answering)
		json_string(&j, d->error);
	else
		json_null(&j);
	json_object_end(&j);
	json_key(&j, "attestation");
	json_object_begin(&j);
	json_kv_string(&j, "state", ctl_attestation_state_name(d->st.attestation));
	json_key(&j, "reason");
	if (d->st.attestation == EBROKER_ATTESTATION_FAILING)
		json_string(&j, d->st.reason);
	else if (!d->st.attestation)
		json_string(&j, d->attestation_error);
	else
		json_null(&j);
	json_object_end(&j);
	json_object_end(&j);
}

static void status_human(const struct ctl_pool *p, const struct daemon_state *d)
{
	_cleanup_(freep) char *reason = printable_dup(
	    d->st.attestation == EBROKER_ATTESTATION_FAILING ? d->st.reason : d->attestation_error);
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
	if (d->answering)
		printf("%-13srunning (%s)\n", "daemon:", d->socket);
	else if (d->reachable)
		printf("%-13snot answering (%s: %s)\n", "daemon:", d->socket, d->error);
	else
		printf("%-13snot running (%s unreachable: %s)\n", "daemon:", d->socket, d->error);
	if (d->st.attestation == EBROKER_ATTESTATION_FAILING)
		printf("%-13sfailing: %s\n", "attestation:", reason ? reason : "?");
	else if (d->st.attestation)
		printf("%-13s%s\n", "attestation:", ctl_attestation_state_name(d->st.attestation));
	else
		printf("%-13sunknown (%s)\n", "attestation:", reason ? reason : "?");
}

int cmd_status(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	struct daemon_state daemon;
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
	daemon_probe(&daemon);
	if (o->json)
		status_json(&pool, &daemon);
	else
		status_human(&pool, &daemon);
	return CTL_EXIT_OK;
}
