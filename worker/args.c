// SPDX-License-Identifier: GPL-2.0
/* The worker's command line; see args.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "common/util.h"

#include "args.h"

int worker_parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned int d = (unsigned char)*p - '0';

		if (d > 9)
			return -EINVAL;
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= EBP_ENCLAVE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static int why_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

enum { OPT_INSTANCE, OPT_ENCLAVE, OPT_MAX_MSG, OPT_TIMEOUT, OPT_ROLE, OPT_TENANT, NR_OPTS };

static const char *const opt_names[NR_OPTS] = {
	[OPT_INSTANCE] = "--instance", [OPT_ENCLAVE] = "--enclave",
	[OPT_MAX_MSG] = "--max-msg",   [OPT_TIMEOUT] = "--call-timeout-ms",
	[OPT_ROLE] = "--role",	       [OPT_TENANT] = "--tenant",
};

/* A number option's range (none for --enclave, --role and --tenant). */
static const uint64_t opt_min[NR_OPTS] = {
	[OPT_INSTANCE] = 1,
	[OPT_MAX_MSG] = WORKER_MAX_MSG_MIN,
	[OPT_TIMEOUT] = WORKER_CALL_TIMEOUT_MIN,
};
static const uint64_t opt_max[NR_OPTS] = {
	[OPT_INSTANCE] = UINT64_MAX,
	[OPT_MAX_MSG] = WORKER_MAX_MSG_MAX,
	[OPT_TIMEOUT] = WORKER_CALL_TIMEOUT_MAX,
};

int worker_args_parse(int argc, char *const *argv, struct worker_args *ret, char *why,
		      size_t why_len)
{
	struct worker_args a = { 0 };
	uint64_t num[NR_OPTS] = { 0 };
	bool seen[NR_OPTS] = { false };

	for (int i = 1; i < argc; i += 2) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int o;

		for (o = 0; o < NR_OPTS; o++)
			if (!strcmp(argv[i], opt_names[o]))
				break;
		if (o == NR_OPTS)
			return why_fail(why, why_len, "unknown argument '%.64s'", argv[i]);
		if (seen[o])
			return why_fail(why, why_len, "%s given twice", opt_names[o]);
		if (!val)
			return why_fail(why, why_len, "%s needs a value", opt_names[o]);
		seen[o] = true;
		if (o == OPT_ENCLAVE) {
			if (!name_ok(val))
				return why_fail(why, why_len,
						"%s: '%.64s' is not an enclave name "
						"([A-Za-z0-9_.-], 1 to %d characters)",
						opt_names[o], val, EBP_ENCLAVE_NAME_MAX - 1);
			strcpy(a.enclave, val);
			continue;
		}
		if (o == OPT_TENANT) {
			size_t n = strlen(val);

			if (val[0] != '/' || n >= sizeof(a.tenant))
				return why_fail(why, why_len,
						"%s: '%.64s' is not a cgroup path (absolute, "
						"under %d bytes)",
						opt_names[o], val, EBP_CGROUP_PATH_MAX);
			for (size_t k = 0; k < n; k++)
				if ((unsigned char)val[k] < 0x20 || val[k] == 0x7f)
					return why_fail(why, why_len,
							"%s: a control character in the path",
							opt_names[o]);
			memcpy(a.tenant, val, n + 1);
			continue;
		}
		if (o == OPT_ROLE) {
			if (!strcmp(val, "tenant"))
				a.role = WORKER_ROLE_TENANT;
			else if (!strcmp(val, "quoting"))
				a.role = WORKER_ROLE_QUOTING;
			else
				return why_fail(why, why_len,
						"%s: '%.64s' is neither 'tenant' nor 'quoting'",
						opt_names[o], val);
			continue;
		}
		if (worker_parse_u64(val, UINT64_MAX, &num[o]) == -EINVAL)
			return why_fail(why, why_len, "%s: '%.64s' is not a decimal number",
					opt_names[o], val);
		if (worker_parse_u64(val, opt_max[o], &num[o]) || num[o] < opt_min[o])
			return why_fail(why, why_len,
					"%s: %.64s is out of range %" PRIu64 "..%" PRIu64,
					opt_names[o], val, opt_min[o], opt_max[o]);
	}
	for (int o = 0; o < NR_OPTS; o++)
		if (!seen[o])
			return why_fail(why, why_len, "%s is missing", opt_names[o]);
	a.instance_id = num[OPT_INSTANCE];
	a.max_msg = (uint32_t)num[OPT_MAX_MSG];
	a.call_timeout_ms = (uint32_t)num[OPT_TIMEOUT];
	*ret = a;
	return 0;
}

uint32_t worker_out_limit(uint32_t max_msg)
{
	/* The header, RECORD's attribute header. */
	size_t head = sizeof(struct ebp_msghdr) + NLA_HDRLEN;
	uint32_t n;

	if (max_msg < head + WORKER_RECORD_EXTRA)
		return 0;
	n = (uint32_t)(max_msg - head) & ~(uint32_t)(NLA_ALIGNTO - 1);
	if (n > UINT16_MAX - NLA_HDRLEN)
		n = UINT16_MAX - NLA_HDRLEN;
	return n - WORKER_RECORD_EXTRA;
}
