// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ebrokerd's policy parser. The input is a policy
 * directory flattened into text: files start at lines "==> NAME", NAME
 * being "policy.conf", "policy.d/..." or "enclaves.d/NAME.conf" (anything
 * else is taken as a policy.d file); text before the first such line is
 * policy.conf. Each file goes through eb_policy_parse_text(), then the
 * policy is finished and asked who may open what. Whatever the bytes: a
 * refusal comes with "NAME: ..." or "NAME:LINE: ...", and an accepted
 * policy holds only values in their documented ranges, its enclaves in
 * name order. Built with ASan and UBSan (make fuzz); run by
 * scripts/fuzz-check with daemon/fuzz-seeds.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/policy.h"

#define MARK	 "==> "
#define MARK_LEN 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A refusal names the file it is about. */
static void check_error(int r, const char *name, const char *err)
{
	size_t n = strlen(name);

	if (r != -EINVAL && r != -ENOMEM)
		abort();
	if (!err)
		return;
	if (strncmp(err, name, n) || err[n] != ':')
		abort();
}

static void check_policy(const struct eb_policy *p)
{
	static const gid_t groups[] = { 0, 1, 100, 65534 };
	const struct eb_policy_limits *l = eb_policy_limits(p);
	const struct eb_policy_attestation *a = eb_policy_attestation(p);
	size_t n = eb_policy_enclave_count(p);

	if (l->sessions_per_user < 1 || l->sessions_per_user > 100000 ||
	    l->sessions_per_cgroup < 1 || l->sessions_per_cgroup > 100000 || l->max_msg < 4096 ||
	    l->max_msg > EBP_SESSION_MSG_MAX || (l->socket_mode & ~0777) ||
	    (l->socket_group && !l->socket_group[0]) || !l->worker_uid_min ||
	    l->worker_uid_min > l->worker_uid_max)
		abort();
	if (a->quoting_enclave[0] && !eb_policy_enclave(p, a->quoting_enclave))
		abort();
	if (!a->state_dir || a->state_dir[0] != '/' || strpbrk(a->state_dir, " \t\n") ||
	    a->check_interval_ms < 1000 || a->check_interval_ms > 86400000)
		abort();
	if (n > EB_POLICY_ENCLAVES_MAX || eb_policy_enclave_at(p, n))
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct eb_enclave_conf *e = eb_policy_enclave_at(p, i);

		if (!eb_enclave_name_valid(e->name) || eb_policy_enclave(p, e->name) != e)
			abort();
		if (i && strcmp(eb_policy_enclave_at(p, i - 1)->name, e->name) >= 0)
			abort();
		if (!e->image || e->image[0] != '/' || strpbrk(e->image, " \t\n"))
			abort();
		if (e->max_instances < 1 || e->max_instances > 64 ||
		    e->min_warm > e->max_instances || e->sessions_per_instance < 1 ||
		    e->sessions_per_instance > 10000 || e->idle_timeout_ms > 86400000 ||
		    e->call_timeout_ms > 86400000)
			abort();
		for (uid_t uid = 0; uid < 3; uid++)
			(void)eb_policy_may_open(p, e->name, uid, uid, groups, 4);
		(void)eb_policy_may_open(p, e->name, 65534, 65534, NULL, 0);
	}
	if (eb_policy_may_open(p, "no such enclave!", 0, 0, groups, 4))
		abort();
}

/* Where the file starting at @pos ends: at the next marker line, or at @end. */
static char *file_end(char *pos, char *end)
{
	char *m;

	if ((size_t)(end - pos) >= MARK_LEN && !memcmp(pos, MARK, MARK_LEN))
		return pos;
	m = memmem(pos, end - pos, "\n" MARK, MARK_LEN + 1);
	return m ? m + 1 : end;
}

static bool parse_file(struct eb_policy *p, const char *name, const char *text, size_t len)
{
	_cleanup_(freep) char *err = NULL;
	int kind = EB_POLICY_FILE_POLICY_D;
	int r;

	if (!strcmp(name, "policy.conf"))
		kind = EB_POLICY_FILE_POLICY;
	else if (starts_with(name, "enclaves.d/"))
		kind = EB_POLICY_FILE_ENCLAVE;
	r = eb_policy_parse_text(p, kind, name, text, len, &err);
	if (r < 0)
		check_error(r, name, err);
	return r == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(eb_policy_freep) struct eb_policy *p = eb_policy_new();
	_cleanup_(freep) char *text = malloc(size + 1), *err = NULL;
	const char *name = "policy.conf";
	char *pos, *end, *nl;
	int r;

	if (!p || !text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	end = text + size;

	for (pos = text;;) {
		char *stop = file_end(pos, end);

		if (!parse_file(p, name, pos, stop - pos))
			return 0;
		if (stop == end)
			break;
		/* A marker line: the rest of it names the next file. */
		nl = memchr(stop, '\n', end - stop);
		name = stop + MARK_LEN;
		if (!nl) {
			if (!parse_file(p, name, end, 0))
				return 0;
			break;
		}
		*nl = 0;
		pos = nl + 1;
	}

	r = eb_policy_finish(p, &err);
	if (r < 0) {
		if (r != -EINVAL || (err && !strchr(err, ':')))
			abort();
		return 0;
	}
	check_policy(p);
	return 0;
}
