// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl attest, verify and attestation status: the evidence behind a
 * session, seen by the one who relies on it.
 *
 *   attest	open an attested session as the caller, show what its
 *		verified quote says, close it; optionally keep the quote
 *   verify	verify a quote obtained elsewhere against a policy, without
 *		a session: REPORTDATA is then the relying party's to check
 *   attestation status
 *		whether ebrokerd can attest sessions now
 *
 * Both attest and verify verify with libebverify and the policy options
 * of policy.c, and print the same fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ebroker/client.h>
#include <ebroker/verify.h>
#include <linux/ebroker_sgx.h>
#include <linux/ebroker_attest.h>

#include "common/json.h"
#include "common/sgx_attributes.h"
#include "common/util.h"

#include "ctl.h"
#include "table.h"

static const char attest_help[] =
    "Usage: " PROGRAM " [--json] attest ENCLAVE [POLICY OPTIONS] [--out=FILE]\n"
    "\n"
    "Open an attested session with ENCLAVE through ebrokerd, as the caller,\n"
    "verify its quote against the policy the options give, print what the\n"
    "verified quote says and close the session. Exits 0 when the quote\n"
    "verifies, 7 when a check refuses it (the line names the check).\n"
    "\n"
    "  -o, --out=FILE             also write the quote's bytes to FILE (for\n"
    "                             '" PROGRAM " verify' elsewhere)\n"
    "      --json                 print the evidence as one JSON object\n"
    "\n" CTL_POLICY_HELP;

static const char verify_help[] =
    "Usage: " PROGRAM " [--json] verify QUOTE_FILE [--root=CERT] [POLICY OPTIONS]\n"
    "\n"
    "Verify a quote made elsewhere ('" PROGRAM " attest --out', or a\n"
    "session's) against the policy the options give, without ebrokerd or a\n"
    "session: its chain to the root, signatures, the enclave's identity and\n"
    "versions. REPORTDATA, which binds the quote to a session, is printed in\n"
    "hex for the relying party to check. QUOTE_FILE '-' is standard input.\n"
    "Exits 0 only when the quote verifies, 7 when a check refuses it.\n"
    "\n" CTL_POLICY_HELP;

static const char status_help[] =
    "Usage: " PROGRAM " [--json] attestation status\n"
    "\n"
    "Ask ebrokerd whether it can attest sessions now: prints 'attestation: ok',\n"
    "'attestation: starting' (sessions wait), or 'attestation: failing: REASON'\n"
    "(sessions are refused). Exits 0 only when it is ok, 8 when it is not.\n";

/* What attest and verify show besides the evidence. */
struct shown {
	const struct ctl_policy *policy;
	const char *enclave;	/* attest: the enclave's name */
	uint64_t session_id;	/* attest: the session's id */
	const char *quote_file; /* verify: where the quote came from */
	size_t quote_len;
};

static const struct {
	uint32_t flag;
	const char *option;
} relaxations[] = {
	{ EBROKER_POLICY_ALLOW_SIMULATED, "--allow-simulated" },
	{ EBROKER_POLICY_ALLOW_DEBUG, "--allow-debug" },
	{ EBROKER_POLICY_ANY_IDENTITY_INSECURE, "--any-identity-insecure" },
};

static void print_hex(const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* "2027-01-31T12:00:00Z" */
static const char *time_format(time_t t, char buf[static 32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

static void print_field(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void print_field(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%-20s", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_text(const char *name, const char *text)
{
	_cleanup_(freep) char *clean = printable_dup(text);

	print_field(name, "%s", clean ? clean : "?");
}

static void evidence_human(const struct ebroker_evidence *ev, const struct shown *sh)
{
	const char *identity = ctl_policy_identity(sh->policy);
	uint32_t flags = sh->policy->policy.flags;
	char when[32];
	bool any;

	if (identity)
		print_field("identity:", "checked (%s)", identity);
	else
		print_field("identity:", "NOT CHECKED (--any-identity-insecure: any enclave "
					 "was accepted)");
	if (sh->enclave)
		print_text("enclave:", sh->enclave);
	if (sh->session_id)
		print_field("session:", "%" PRIu64, sh->session_id);
	if (sh->quote_file)
		print_text("quote:", sh->quote_file);
	printf("%-20s", "mrenclave:");
	print_hex(ev->mrenclave, sizeof(ev->mrenclave));
	printf("\n%-20s", "mrsigner:");
	print_hex(ev->mrsigner, sizeof(ev->mrsigner));
	putchar('\n');
	print_field("isvprodid:", "%u", ev->isv_prod_id);
	print_field("isvsvn:", "%u", ev->isv_svn);
	printf("%-20s%#" PRIx64 " (", "attributes:", ev->attributes);
	sgx_attributes_print(stdout, ev->attributes);
	printf(")\n");
	print_field("debug:", "%s",
		    ev->debug ? "yes (the host can read the enclave's memory)" : "no");
	print_field("simulated:", "%s",
		    ev->simulated ? "yes (no hardware vouches for it: it trusts the host kernel)"
				  : "no");
	print_field("platform svn:", "%u", ev->platform_svn);
	print_field("qe svn:", "%u", ev->qe_svn);
	print_text("platform:", ev->platform);
	print_field("platform not after:", "%s", time_format(ev->platform_not_after, when));
	print_text("root:", ev->root);
	print_field("quote size:", "%zu bytes", sh->quote_len);
	printf("%-20s", "reportdata:");
	print_hex(ev->report_data, sizeof(ev->report_data));
	printf(sh->session_id ? " (bound to this session)\n" : " (not checked: yours to check)\n");
	any = false;
	for (size_t i = 0; i < ELEMENTSOF(relaxations); i++) {
		if (!(flags & relaxations[i].flag))
			continue;
		printf("%s%s", any ? " " : "relaxed by:         ", relaxations[i].option);
		any = true;
	}
	if (any)
		putchar('\n');
}

static void evidence_json(const struct ebroker_evidence *ev, const struct shown *sh)
{
	const char *identity = ctl_policy_identity(sh->policy);
	uint32_t flags = sh->policy->policy.flags;
	char when[32];
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_bool(&j, "verified", true);
	json_kv_bool(&j, "identity_checked", identity != NULL);
	json_key(&j, "identity");
	if (identity)
		json_string(&j, identity);
	else
		json_null(&j);
	if (sh->enclave)
		json_kv_string(&j, "enclave", sh->enclave);
	if (sh->session_id)
		json_kv_u64(&j, "session_id", sh->session_id);
	if (sh->quote_file)
		json_kv_string(&j, "quote_file", sh->quote_file);
	json_key(&j, "mrenclave");
	json_hex(&j, ev->mrenclave, sizeof(ev->mrenclave));
	json_key(&j, "mrsigner");
	json_hex(&j, ev->mrsigner, sizeof(ev->mrsigner));
	json_kv_u64(&j, "isv_prod_id", ev->isv_prod_id);
	json_kv_u64(&j, "isv_svn", ev->isv_svn);
	json_kv_u64(&j, "attributes", ev->attributes);
	json_key(&j, "attribute_names");
	sgx_attributes_json(&j, ev->attributes);
	json_kv_u64(&j, "xfrm", ev->xfrm);
	json_kv_u64(&j, "miscselect", ev->miscselect);
	json_kv_bool(&j, "debug", ev->debug);
	json_kv_bool(&j, "simulated", ev->simulated);
	json_kv_u64(&j, "platform_svn", ev->platform_svn);
	json_kv_u64(&j, "qe_svn", ev->qe_svn);
	json_key(&j, "cpusvn");
	json_hex(&j, ev->cpusvn, sizeof(ev->cpusvn));
	json_kv_string(&j, "platform", ev->platform);
	json_kv_string(&j, "platform_not_after", time_format(ev->platform_not_after, when));
	json_kv_string(&j, "root", ev->root);
	json_kv_u64(&j, "quote_size", sh->quote_len);
	json_key(&j, "report_data");
	json_hex(&j, ev->report_data, sizeof(ev->report_data));
	json_key(&j, "relaxations");
	json_array_begin(&j);
	for (size_t i = 0; i < ELEMENTSOF(relaxations); i++)
		if (flags & relaxations[i].flag)
			json_string(&j, relaxations[i].option + 2);
	json_array_end(&j);
	json_object_end(&j);
}

static void evidence_show(const struct ctl_opts *o, const struct ebroker_evidence *ev,
			  const struct shown *sh)
{
	if (!ctl_policy_identity(sh->policy))
		fputs(PROGRAM ": WARNING: identity NOT CHECKED: --any-identity-insecure accepted "
			      "whatever enclave answered\n",
		      stderr);
	if (o->json)
		evidence_json(ev, sh);
	else
		evidence_human(ev, sh);
}

/* A refusal, for --json readers too; returns CTL_EXIT_REFUSED. */
static int refused_json(const struct ctl_opts *o, enum ebroker_verify_check check,
			const char *message)
{
	struct json j;

	if (!o->json)
		return CTL_EXIT_REFUSED;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_bool(&j, "verified", false);
	json_kv_string(&j, "check", ebroker_verify_check_name(check));
	json_kv_string(&j, "message", message);
	json_object_end(&j);
	return CTL_EXIT_REFUSED;
}

static int write_file(const char *path, const void *data, size_t len)
{
	_cleanup_(closep) int fd = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const uint8_t *)data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	if (close(TAKE_FD(fd)) < 0)
		return -errno;
	return 0;
}

int cmd_attest(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },
		CTL_POLICY_OPTIONS,
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	_cleanup_(ebroker_session_closep) struct ebroker_session *s = NULL;
	struct ebroker_session_options opts = { .size = sizeof(opts) };
	struct ebroker_evidence ev;
	struct ctl_policy policy;
	struct shown sh = { .policy = &policy };
	const char *out = NULL;
	const void *quote = NULL;
	int c, r, status = CTL_EXIT_USAGE;

	ctl_policy_init(&policy);
	while ((c = ctl_getopt(o, argc, argv, ":ho:", options, attest_help, &status)) != -1) {
		if (c == 'o') {
			if (!*optarg)
				return ctl_usage(argv[0], "--out: empty");
			out = optarg;
			continue;
		}
		if (c == CTL_GETOPT_EXIT)
			return status;
		status = ctl_policy_option(&policy, argv[0], c, optarg);
		if (status)
			return status;
	}
	if (optind == argc)
		return ctl_usage(argv[0], "no enclave given");
	if (argc - optind > 1)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	sh.enclave = argv[optind];
	status = ctl_policy_finish(&policy, argv[0]);
	if (status)
		return status;
	opts.policy = &policy.policy;

	status = ctl_broker_connect(&b);
	if (status)
		return status;
	r = ebroker_session_open(b, sh.enclave, &opts, &s);
	if (r == -EKEYREJECTED && ebroker_last_verify_check() != EBROKER_VERIFY_OK) {
		struct ebroker_error e = { 0 };

		(void)ebroker_last_error(&e);
		(void)refused_json(o, ebroker_last_verify_check(), e.message);
	}
	if (r == 0)
		r = ebroker_session_evidence(s, &ev, &quote, &sh.quote_len);
	if (r < 0)
		return ctl_broker_fail(r);
	sh.session_id = ebroker_session_id(s);

	if (out) {
		r = write_file(out, quote, sh.quote_len);
		if (r < 0)
			return ctl_error(CTL_EXIT_FAILURE, "cannot write the quote to %s: %s", out,
					 strerror(-r));
	}
	evidence_show(o, &ev, &sh);
	return CTL_EXIT_OK;
}

/* At most EB_QUOTE_MAX bytes of @path ('-': standard input) into @buf. */
static int read_quote(const char *path, uint8_t buf[static EB_QUOTE_MAX + 1], size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	ssize_t n;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
	}
	n = read_full(fd >= 0 ? fd : STDIN_FILENO, buf, EB_QUOTE_MAX + 1);
	if (n < 0)
		return (int)n;
	if (n > EB_QUOTE_MAX)
		return -EFBIG;
	*ret_len = (size_t)n;
	return 0;
}

int cmd_verify(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		CTL_POLICY_OPTIONS,
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(freep) uint8_t *quote = NULL;
	struct ebroker_verify_failure failure = { 0 };
	struct ebroker_evidence ev;
	struct ctl_policy policy;
	struct shown sh = { .policy = &policy };
	int c, r, status = CTL_EXIT_USAGE;

	ctl_policy_init(&policy);
	while ((c = ctl_getopt(o, argc, argv, ":h", options, verify_help, &status)) != -1) {
		if (c == CTL_GETOPT_EXIT)
			return status;
		status = ctl_policy_option(&policy, argv[0], c, optarg);
		if (status)
			return status;
	}
	if (optind == argc)
		return ctl_usage(argv[0], "no quote file given");
	if (argc - optind > 1)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind + 1]);
	sh.quote_file = argv[optind];
	status = ctl_policy_finish(&policy, argv[0]);
	if (status)
		return status;

	quote = malloc(EB_QUOTE_MAX + 1);
	if (!quote)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
	r = read_quote(sh.quote_file, quote, &sh.quote_len);
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "cannot read the quote %s: %s", sh.quote_file,
				 r == -EFBIG ? "larger than any quote" : strerror(-r));

	r = ebroker_verify_quote(&policy.policy, quote, sh.quote_len, NULL, NULL, &ev, &failure);
	if (r == -EBADMSG) {
		(void)refused_json(o, failure.check, failure.message);
		return ctl_error(CTL_EXIT_REFUSED, "attestation refused: %s: %s",
				 ebroker_verify_check_name(failure.check), failure.message);
	}
	if (r == -EINVAL)
		return ctl_error(CTL_EXIT_FAILURE, "cannot verify: %s: %s",
				 ebroker_verify_check_name(failure.check), failure.message);
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "cannot verify: %s", strerror(-r));
	evidence_show(o, &ev, &sh);
	return CTL_EXIT_OK;
}

const char *ctl_attestation_state_name(enum ebroker_attestation_state state)
{
	switch (state) {
	case EBROKER_ATTESTATION_OK:
		return "ok";
	case EBROKER_ATTESTATION_STARTING:
		return "starting";
	case EBROKER_ATTESTATION_FAILING:
		return "failing";
	}
	return "unknown";
}

int cmd_attestation_status(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	struct ebroker_daemon_status st;
	int c, r, status;

	while ((c = ctl_getopt(o, argc, argv, ":h", options, status_help, &status)) != -1)
		return status;
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);

	status = ctl_broker_connect(&b);
	if (status)
		return status;
	r = ebroker_daemon_status(b, &st);
	if (r < 0)
		return ctl_broker_fail(r);

	if (o->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "attestation", ctl_attestation_state_name(st.attestation));
		json_key(&j, "reason");
		if (st.attestation == EBROKER_ATTESTATION_FAILING)
			json_string(&j, st.reason);
		else
			json_null(&j);
		json_kv_u64(&j, "sessions", st.sessions);
		json_kv_u64(&j, "instances", st.instances);
		json_kv_u64(&j, "tenants", st.tenants);
		json_object_end(&j);
	} else if (st.attestation == EBROKER_ATTESTATION_FAILING) {
		_cleanup_(freep) char *reason = printable_dup(st.reason);

		printf("attestation: failing: %s\n", reason ? reason : "?");
	} else {
		printf("attestation: %s\n", ctl_attestation_state_name(st.attestation));
	}
	return st.attestation == EBROKER_ATTESTATION_OK ? CTL_EXIT_OK : CTL_EXIT_UNATTESTED;
}
