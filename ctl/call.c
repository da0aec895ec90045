// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl call: open an attested session with an enclave, call one
 * function, print its output.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ebroker/client.h>

#include "common/json.h"
#include "common/util.h"

#include "ctl.h"

static const char call_help[] =
    "Usage: " PROGRAM " [--json] call [--timeout=SEC] [--hex] [POLICY OPTIONS]\n"
    "                  ENCLAVE FUNCTION [DATA|-]\n"
    "\n"
    "Open an attested session with ENCLAVE through ebrokerd, verify its quote\n"
    "against the policy the options give (one identity option is required),\n"
    "call its function number FUNCTION with DATA as input (the argument's\n"
    "bytes; '-' reads standard input, at most the session's limit; none:\n"
    "empty), and print the output bytes as they are. Exits 0 when the\n"
    "function returned 0, 7 when attestation refused the enclave.\n"
    "\n"
    "  -t, --timeout=SEC          how long the daemon and the call may take\n"
    "                             (default 30; 0 waits for ever)\n"
    "  -x, --hex                  print the output in hex, with a newline\n"
    "      --json                 print {\"status\": N, \"output_hex\": \"...\"}\n"
    "\n" CTL_POLICY_HELP;

static int parse_timeout(const char *s, uint32_t *ret_ms)
{
	double sec;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(sec) || sec < 0 ||
	    sec * 1000 > (double)UINT32_MAX)
		return -EINVAL;
	*ret_ms = (uint32_t)llround(sec * 1000);
	if (sec > 0 && *ret_ms == 0)
		*ret_ms = 1;
	return 0;
}

static int parse_function(const char *s, uint32_t *ret)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

int cmd_call(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "hex", no_argument, NULL, 'x' },
		CTL_POLICY_OPTIONS,
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	_cleanup_(ebroker_session_closep) struct ebroker_session *s = NULL;
	_cleanup_(freep) uint8_t *in_buf = NULL, *out = NULL;
	struct ebroker_session_options opts = { .size = sizeof(opts) };
	struct ebroker_enclave_identity id;
	struct ctl_policy policy;
	const char *enclave, *data = NULL;
	const void *in = NULL;
	size_t in_len = 0, out_len = 0;
	uint32_t function, timeout_ms = 0;
	bool hex = false, have_timeout = false;
	int c, r, status = CTL_EXIT_USAGE, ret_status = 0;

	ctl_policy_init(&policy);
	while ((c = ctl_getopt(o, argc, argv, ":ht:x", options, call_help, &status)) != -1) {
		switch (c) {
		case 't':
			if (parse_timeout(optarg, &timeout_ms) < 0)
				return ctl_usage(argv[0], "bad timeout '%s'", optarg);
			have_timeout = true;
			break;
		case 'x':
			hex = true;
			break;
		case CTL_GETOPT_EXIT:
			return status;
		default:
			status = ctl_policy_option(&policy, argv[0], c, optarg);
			if (status)
				return status;
			break;
		}
	}
	if (argc - optind < 2)
		return ctl_usage(argv[0], "expected ENCLAVE FUNCTION [DATA|-]");
	if (argc - optind > 3)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind + 3]);
	enclave = argv[optind];
	if (parse_function(argv[optind + 1], &function) < 0)
		return ctl_usage(argv[0], "bad function number '%s'", argv[optind + 1]);
	if (argc - optind == 3)
		data = argv[optind + 2];
	status = ctl_policy_finish(&policy, argv[0]);
	if (status)
		return status;
	opts.policy = &policy.policy;
	if (!ctl_policy_identity(&policy))
		fputs(PROGRAM ": WARNING: identity NOT CHECKED: --any-identity-insecure calls "
			      "whatever enclave answers\n",
		      stderr);

	status = ctl_broker_connect(&b);
	if (status)
		return status;
	if (have_timeout)
		(void)ebroker_set_timeout(b, timeout_ms);
	r = ebroker_session_open(b, enclave, &opts, &s);
	if (r == 0)
		r = ebroker_session_identity(s, &id);
	if (r < 0)
		return ctl_broker_fail(r);

	if (data && !strcmp(data, "-")) {
		ssize_t n;

		/* One byte more than the session takes, to tell "too much" from "all". */
		in_buf = malloc((size_t)id.max_input + 1);
		if (!in_buf)
			return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
		n = read_full(STDIN_FILENO, in_buf, (size_t)id.max_input + 1);
		if (n < 0)
			return ctl_error(CTL_EXIT_FAILURE, "cannot read standard input: %s",
					 strerror((int)-n));
		if ((size_t)n > id.max_input)
			return ctl_error(CTL_EXIT_FAILURE,
					 "input larger than the session's limit of %u bytes",
					 id.max_input);
		in = in_buf;
		in_len = (size_t)n;
	} else if (data) {
		in = data;
		in_len = strlen(data);
	}
	out = malloc(id.max_output ? id.max_output : 1);
	if (!out)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));

	r = ebroker_call(s, function, in, in_len, out, id.max_output, &out_len, &ret_status);
	if (r < 0)
		return ctl_broker_fail(r);

	if (o->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "status");
		/* json.h writes unsigned numbers only: after a key, the sign is ours to add. */
		if (ret_status < 0)
			fputc('-', stdout);
		json_u64(&j, (uint64_t)(ret_status < 0 ? -(int64_t)ret_status : ret_status));
		json_key(&j, "output_hex");
		json_hex(&j, out, out_len);
		json_object_end(&j);
	} else if (hex) {
		print_hex(out, out_len);
	} else if (out_len && fwrite(out, 1, out_len, stdout) != out_len) {
		return ctl_error(CTL_EXIT_FAILURE, "write error: %s", strerror(errno));
	}
	if (ret_status == 0)
		return CTL_EXIT_OK;
	if (ret_status < 0)
		return ctl_error(CTL_EXIT_FAILURE, "%s function %u returned %d (%s)", enclave,
				 function, ret_status, strerror(-ret_status));
	return ctl_error(CTL_EXIT_FAILURE, "%s function %u returned %d", enclave, function,
			 ret_status);
}
