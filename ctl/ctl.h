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

#include <ebroker/client.h>
#include <ebroker/verify.h>

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
	CTL_EXIT_REFUSED = 7,	 /* the evidence failed a check of the policy */
	CTL_EXIT_UNATTESTED = 8, /* the host cannot attest now: attestation is failing */
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
int cmd_attest(struct ctl_opts *o, int argc, char **argv);
int cmd_verify(struct ctl_opts *o, int argc, char **argv);
int cmd_metrics(struct ctl_opts *o, int argc, char **argv);
/* attestation status (attest.c); argv[0] is "attestation status" */
int cmd_attestation_status(struct ctl_opts *o, int argc, char **argv);
/* "ok", "starting", "failing"; "unknown" for anything else (0: not known) */
const char *ctl_attestation_state_name(enum ebroker_attestation_state state);

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

/*
 * The verification policy of every command that verifies evidence (call,
 * attest, verify), from one set of options (policy.c). A command lists
 * CTL_POLICY_OPTIONS among its long options, hands every option for which
 * ctl_policy_is_option() holds to ctl_policy_option(), then calls
 * ctl_policy_finish() once, before it verifies anything.
 */
enum {
	CTL_OPT_MRENCLAVE = 0x200,
	CTL_OPT_MRSIGNER,
	CTL_OPT_ISV_PROD_ID,
	CTL_OPT_IMAGE,
	CTL_OPT_MIN_ISV_SVN,
	CTL_OPT_MIN_PLATFORM_SVN,
	CTL_OPT_ROOT,
	CTL_OPT_ALLOW_SIMULATED,
	CTL_OPT_ALLOW_DEBUG,
	CTL_OPT_ANY_IDENTITY_INSECURE,
	__CTL_OPT_POLICY_END,
};

#define CTL_POLICY_OPTIONS                                                                \
	{ "mrenclave", required_argument, NULL, CTL_OPT_MRENCLAVE },                      \
	    { "mrsigner", required_argument, NULL, CTL_OPT_MRSIGNER },                    \
	    { "isv-prod-id", required_argument, NULL, CTL_OPT_ISV_PROD_ID },              \
	    { "image", required_argument, NULL, CTL_OPT_IMAGE },                          \
	    { "min-isv-svn", required_argument, NULL, CTL_OPT_MIN_ISV_SVN },              \
	    { "min-platform-svn", required_argument, NULL, CTL_OPT_MIN_PLATFORM_SVN },    \
	    { "root", required_argument, NULL, CTL_OPT_ROOT },                            \
	    { "allow-simulated", no_argument, NULL, CTL_OPT_ALLOW_SIMULATED },            \
	    { "allow-debug", no_argument, NULL, CTL_OPT_ALLOW_DEBUG },                    \
	{                                                                                 \
		"any-identity-insecure", no_argument, NULL, CTL_OPT_ANY_IDENTITY_INSECURE \
	}

/* The options' help, for the commands' own. */
#define CTL_POLICY_HELP                                                                     \
	"Verification policy (one identity option is required):\n"                          \
	"      --mrenclave=HEX        accept exactly this enclave measurement\n"            \
	"      --mrsigner=HEX         accept enclaves of this signer, with --isv-prod-id\n" \
	"      --isv-prod-id=N        ... and this product id\n"                            \
	"      --image=FILE           the MRSIGNER and ISVPRODID of this signed image\n"    \
	"      --min-isv-svn=N        the lowest enclave security version accepted\n"       \
	"      --min-platform-svn=N   the lowest platform security version accepted\n"      \
	"      --root=FILE            trusted root certificate(s), PEM (default\n"          \
	"                             $EBROKER_ROOT, else " EBROKER_DEFAULT_ROOT_FILE ")\n" \
	"      --allow-simulated      INSECURE: accept simulated evidence, which trusts\n"  \
	"                             the host kernel\n"                                    \
	"      --allow-debug          INSECURE: accept a DEBUG enclave, which the host\n"   \
	"                             can read\n"                                           \
	"      --any-identity-insecure INSECURE: accept any enclave identity\n"

struct ctl_policy {
	struct ebroker_policy policy; /* what ctl_policy_finish() hands to libebverify */
	const char *image;	      /* --image */
	const char *root;	      /* --root */
	bool have_isv_prod_id;
};

void ctl_policy_init(struct ctl_policy *p);
static inline bool ctl_policy_is_option(int c)
{
	return c >= CTL_OPT_MRENCLAVE && c < __CTL_OPT_POLICY_END;
}
/* Takes one policy option; on a bad value, reports it and returns the exit status (> 0). */
int ctl_policy_option(struct ctl_policy *p, const char *command, int c, const char *arg);
/*
 * Checks that the options make a policy, reads --image and picks the root;
 * on failure, reports it and returns the exit status (> 0).
 */
int ctl_policy_finish(struct ctl_policy *p, const char *command);
/* "MRENCLAVE", "MRSIGNER and ISVPRODID", "MRENCLAVE, MRSIGNER and ISVPRODID", or NULL (any). */
const char *ctl_policy_identity(const struct ctl_policy *p);

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
