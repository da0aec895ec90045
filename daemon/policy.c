// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerd's policy files (docs/man/ebroker-policy.5): a strict subset of
 * systemd's INI syntax. Anything the parser does not understand refuses the
 * whole policy with "FILE:LINE: reason", because a policy that is read
 * differently from what its author meant grants access nobody meant to
 * grant. Each file is parsed into a staging area and committed only when
 * all of it is good, so a policy under construction is always consistent;
 * eb_policy_finish() then checks what spans files.
 *
 * Users and groups are resolved once, at load: a rule keeps numbers, so a
 * session is decided without NSS in the request path, and an account
 * renamed later needs a reload, as with sudoers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#include "daemon/policy.h"

#define DEFAULT_SESSIONS_PER_USER   64
#define DEFAULT_SESSIONS_PER_CGROUP 256
#define DEFAULT_CONNS_PER_USER	    256
#define DEFAULT_CONNS		    8192
#define DEFAULT_MAX_MSG		    65536
#define DEFAULT_WORKER_UID_MIN	    2000000000u
#define DEFAULT_WORKER_UID_MAX	    2000065535u

#define DEFAULT_MAX_INSTANCES	      4
#define DEFAULT_SESSIONS_PER_INSTANCE 64
#define DEFAULT_IDLE_TIMEOUT_MS	      30000
#define DEFAULT_CALL_TIMEOUT_MS	      10000

#define DEFAULT_CHECK_INTERVAL_MS 300000

#define INSTANCES_MAX	      64
#define SESSIONS_PER_INST_MAX 10000
#define SESSIONS_LIMIT_MAX    100000
#define CALL_TIMEOUT_SEC_MAX  3600
#define TIMEOUT_SEC_MAX	      86400
#define MAX_MSG_MIN	      4096
#define LOOKUP_BUF_MAX	      (16 * 1024 * 1024) /* getpwnam_r() / getgrnam_r() buffer */
#define ID_INVALID	      UINT32_MAX	 /* (uid_t)-1 means "no change" to chown() */
#define SOCKET_MODE_GROUP     0660
#define SOCKET_MODE_WORLD     0666
/*
 * A client connection holds three of the daemon's 65536 descriptors (the
 * socket, the client's pidfd and cgroup): a quarter of them at least is
 * left to the workers' control sockets and the sessions being handed over.
 */
#define CONNECTIONS_MAX 16384

/* One name in an [Allow] rule's Enclaves=, with its line for eb_policy_finish(). */
struct enclave_ref {
	char name[EBP_ENCLAVE_NAME_MAX];
	unsigned int line;
};

/* One [Allow] section. uids and gids are sorted, without repeats. */
struct rule {
	const char *file; /* in eb_policy.files */
	unsigned int line;
	bool any_enclave;
	struct enclave_ref *enclaves;
	size_t n_enclaves;
	uid_t *uids;
	size_t n_uids;
	gid_t *gids;
	size_t n_gids;
};

struct eb_policy {
	struct eb_policy_limits limits;
	bool socket_mode_set;
	struct eb_policy_attestation attestation;
	const char *quoting_enclave_file; /* in eb_policy.files, for eb_policy_finish() */
	unsigned int quoting_enclave_line;
	struct eb_enclave_conf *enclaves; /* sorted by name */
	size_t n_enclaves;
	struct rule *rules;
	size_t n_rules;
	char **files; /* names of the files rules came from */
	size_t n_files;
	bool finished;
};

enum section {
	SECTION_NONE,
	SECTION_DAEMON,
	SECTION_LIMITS,
	SECTION_ALLOW,
	SECTION_ENCLAVE,
	SECTION_ATTESTATION,
	_SECTION_MAX,
};

static const char *const section_names[_SECTION_MAX] = {
	[SECTION_DAEMON] = "Daemon",
	[SECTION_LIMITS] = "Limits",
	[SECTION_ALLOW] = "Allow",
	[SECTION_ENCLAVE] = "Enclave",
	[SECTION_ATTESTATION] = "Attestation",
};

enum key {
	KEY_SOCKET_GROUP,
	KEY_SOCKET_MODE,
	KEY_WORKER_UIDS,
	KEY_SESSIONS_PER_USER,
	KEY_SESSIONS_PER_CGROUP,
	KEY_CONNECTIONS_PER_USER,
	KEY_CONNECTIONS,
	KEY_MAX_MESSAGE_SIZE,
	KEY_ENCLAVES,
	KEY_USERS,
	KEY_GROUPS,
	KEY_IMAGE,
	KEY_MRSIGNER,
	KEY_ISVPRODID,
	KEY_MIN_WARM,
	KEY_MAX_INSTANCES,
	KEY_SESSIONS_PER_INSTANCE,
	KEY_IDLE_TIMEOUT,
	KEY_CALL_TIMEOUT,
	KEY_QUOTING_ENCLAVE,
	KEY_STATE_DIRECTORY,
	KEY_MIN_PLATFORM_SVN,
	KEY_CHECK_INTERVAL,
	_KEY_MAX,
};

static const struct {
	const char *name;
	enum section section;
	bool list;  /* may be repeated; the values add up */
	bool empty; /* may be empty: "not set" */
} keys[_KEY_MAX] = {
	[KEY_SOCKET_GROUP] = { "SocketGroup", SECTION_DAEMON, .empty = true },
	[KEY_SOCKET_MODE] = { "SocketMode", SECTION_DAEMON },
	[KEY_WORKER_UIDS] = { "WorkerUIDs", SECTION_DAEMON },
	[KEY_SESSIONS_PER_USER] = { "SessionsPerUser", SECTION_LIMITS },
	[KEY_SESSIONS_PER_CGROUP] = { "SessionsPerCgroup", SECTION_LIMITS },
	[KEY_CONNECTIONS_PER_USER] = { "ConnectionsPerUser", SECTION_LIMITS },
	[KEY_CONNECTIONS] = { "Connections", SECTION_LIMITS },
	[KEY_MAX_MESSAGE_SIZE] = { "MaxMessageSize", SECTION_LIMITS },
	[KEY_ENCLAVES] = { "Enclaves", SECTION_ALLOW, true },
	[KEY_USERS] = { "Users", SECTION_ALLOW, true },
	[KEY_GROUPS] = { "Groups", SECTION_ALLOW, true },
	[KEY_IMAGE] = { "Image", SECTION_ENCLAVE },
	[KEY_MRSIGNER] = { "MRSIGNER", SECTION_ENCLAVE },
	[KEY_ISVPRODID] = { "ISVPRODID", SECTION_ENCLAVE },
	[KEY_MIN_WARM] = { "MinWarmInstances", SECTION_ENCLAVE },
	[KEY_MAX_INSTANCES] = { "MaxInstances", SECTION_ENCLAVE },
	[KEY_SESSIONS_PER_INSTANCE] = { "SessionsPerInstance", SECTION_ENCLAVE },
	[KEY_IDLE_TIMEOUT] = { "IdleTimeoutSec", SECTION_ENCLAVE },
	[KEY_CALL_TIMEOUT] = { "CallTimeoutSec", SECTION_ENCLAVE },
	[KEY_QUOTING_ENCLAVE] = { "QuotingEnclave", SECTION_ATTESTATION, .empty = true },
	[KEY_STATE_DIRECTORY] = { "StateDirectory", SECTION_ATTESTATION },
	[KEY_MIN_PLATFORM_SVN] = { "MinPlatformSVN", SECTION_ATTESTATION },
	[KEY_CHECK_INTERVAL] = { "CheckIntervalSec", SECTION_ATTESTATION },
};

/* One file being parsed, and what it will add to the policy. */
struct parser {
	struct eb_policy *p;
	int kind;
	const char *file;
	char **ret_error;
	unsigned int line;

	enum section section;
	unsigned int section_line;
	unsigned int section_seen[_SECTION_MAX]; /* line of the first header */
	unsigned int key_seen[_KEY_MAX];	 /* line, in the current section */

	/* Staged: [Daemon] and [Limits]. */
	struct eb_policy_limits limits; /* socket_group unused here */
	char *socket_group;
	bool socket_group_set, socket_mode_set;
	/* Staged: [Allow]. */
	char *file_copy; /* what the rules' file points to */
	struct rule rule;
	struct rule *rules;
	size_t n_rules;
	/* Staged: [Enclave]. */
	struct eb_enclave_conf enclave;
	bool have_enclave;
	/* Staged: [Attestation]. */
	struct eb_policy_attestation attestation; /* state_dir unused here */
	char *state_dir;			  /* NULL: not set in this file */
	unsigned int quoting_enclave_line;	  /* 0: no QuotingEnclave=NAME here */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int verror(char **ret_error, int err, const char *file, unsigned int line, const char *fmt,
		  va_list ap) __attribute__((format(printf, 5, 0)));
static int verror(char **ret_error, int err, const char *file, unsigned int line, const char *fmt,
		  va_list ap)
{
	_cleanup_(freep) char *msg = NULL;
	char *s;
	int r;

	if (!ret_error)
		return err;
	*ret_error = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return err;
	if (line)
		r = asprintf(&s, "%s:%u: %s", file, line, msg);
	else
		r = asprintf(&s, "%s: %s", file, msg);
	if (r >= 0)
		*ret_error = s;
	return err;
}

/* Set *@ret_error to "FILE:LINE: ..." ("FILE: ..." for line 0) and return @err. */
static int error_at(char **ret_error, int err, const char *file, unsigned int line, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
static int error_at(char **ret_error, int err, const char *file, unsigned int line, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = verror(ret_error, err, file, line, fmt, ap);
	va_end(ap);
	return err;
}

/* -EINVAL with "FILE:LINE: ..." at the line being parsed (or @line if not 0). */
static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror(ps->ret_error, -EINVAL, ps->file, line ? line : ps->line, fmt, ap);
	va_end(ap);
	return r;
}

static int fail_errno(struct parser *ps, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_errno(struct parser *ps, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror(ps->ret_error, err, ps->file, ps->line, fmt, ap);
	va_end(ap);
	return r;
}

bool eb_enclave_name_valid(const char *name)
{
	size_t n = strnlen(name, EBP_ENCLAVE_NAME_MAX);

	if (n == 0 || n >= EBP_ENCLAVE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ values */

static bool is_digit_base(char c, unsigned int base)
{
	return c >= '0' && c < (char)('0' + base);
}

/*
 * Digits in @base (8 or 10) and nothing else. -EINVAL: no digit first;
 * -EBADMSG: something after the digits; -ERANGE: outside @min..@max.
 */
static int parse_number(const char *s, unsigned int base, uint64_t min, uint64_t max, uint64_t *ret)
{
	bool over = false;
	uint64_t v = 0;

	if (!is_digit_base(*s, base))
		return -EINVAL;
	for (; is_digit_base(*s, base); s++) {
		unsigned int d = *s - '0';

		if (v > (UINT64_MAX - d) / base)
			over = true;
		else
			v = v * base + d;
	}
	if (*s)
		return -EBADMSG;
	if (over || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int value_number(struct parser *ps, const char *key, const char *v, uint64_t min,
			uint64_t max, uint64_t *ret)
{
	switch (parse_number(v, 10, min, max, ret)) {
	case 0:
		return 0;
	case -EBADMSG:
		return fail(ps, 0, "%s=%s: garbage after the number", key, v);
	case -ERANGE:
		return fail(ps, 0, "%s=%s: out of range %llu..%llu", key, v,
			    (unsigned long long)min, (unsigned long long)max);
	default:
		return fail(ps, 0, "%s=%s: not a number", key, v);
	}
}

/*
 * Seconds, with at most three decimals ("30", "0.5", "1.250"), in
 * milliseconds. -EDOM: finer than a millisecond; otherwise as parse_number().
 */
static int parse_msec(const char *s, uint32_t max_sec, uint32_t *ret)
{
	uint64_t ms = 0;
	bool over = false;
	unsigned int scale = 100;

	if (!is_digit_base(*s, 10))
		return -EINVAL;
	for (; is_digit_base(*s, 10); s++) {
		if (ms > max_sec)
			over = true;
		else
			ms = ms * 10 + (*s - '0');
	}
	ms *= 1000;
	if (*s == '.') {
		s++;
		if (!is_digit_base(*s, 10))
			return -EBADMSG;
		for (; is_digit_base(*s, 10); s++) {
			if (!scale && *s != '0')
				return -EDOM;
			ms += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (*s)
		return -EBADMSG;
	if (over || ms > (uint64_t)max_sec * 1000)
		return -ERANGE;
	*ret = ms;
	return 0;
}

static int value_msec(struct parser *ps, const char *key, const char *v, uint32_t max_sec,
		      uint32_t *ret)
{
	switch (parse_msec(v, max_sec, ret)) {
	case 0:
		return 0;
	case -EBADMSG:
		return fail(ps, 0, "%s=%s: garbage after the number", key, v);
	case -ERANGE:
		return fail(ps, 0, "%s=%s: out of range 0..%u seconds", key, v, max_sec);
	case -EDOM:
		return fail(ps, 0, "%s=%s: finer than a millisecond", key, v);
	default:
		return fail(ps, 0, "%s=%s: not a number of seconds", key, v);
	}
}

/* An absolute path without blanks or '..' components, for Image= and StateDirectory=. */
static int value_path(struct parser *ps, const char *key, const char *v, char **ret)
{
	size_t n = strlen(v);
	char *s;

	if (v[0] != '/')
		return fail(ps, 0, "%s=%s: not an absolute path", key, v);
	if (strpbrk(v, " \t"))
		return fail(ps, 0, "%s=%s: blank in the path (comments go on their own line)", key,
			    v);
	if (strstr(v, "/../") || (n >= 3 && !strcmp(v + n - 3, "/..")))
		return fail(ps, 0, "%s=%s: '..' in the path", key, v);
	if (n >= PATH_MAX)
		return fail(ps, 0, "%s=: path too long", key);
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*ret);
	*ret = s;
	return 0;
}

/* A uid or gid written as a number: 0 .. 2^32 - 2. */
static bool parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;

	if (parse_number(s, 10, 0, ID_INVALID - 1, &v) < 0)
		return false;
	*ret = v;
	return true;
}

/*
 * A user's uid or a group's gid by name, from NSS. -ESRCH: no such name;
 * -ENOMEM; -errno from NSS. The buffer grows until the entry fits.
 */
static int lookup_id(const char *name, bool group, uint32_t *ret)
{
	long hint = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;

	for (;;) {
		_cleanup_(freep) char *buf = malloc(size);
		struct passwd pw, *pw_res = NULL;
		struct group gr, *gr_res = NULL;
		bool found;
		int r;

		if (!buf)
			return -ENOMEM;
		if (group)
			r = getgrnam_r(name, &gr, buf, size, &gr_res);
		else
			r = getpwnam_r(name, &pw, buf, size, &pw_res);
		if (r == ERANGE && size < LOOKUP_BUF_MAX) {
			size *= 2;
			continue;
		}
		found = group ? gr_res != NULL : pw_res != NULL;
		if (r == 0 && found) {
			*ret = group ? gr_res->gr_gid : pw_res->pw_uid;
			return 0;
		}
		/* getpwnam_r(3): these mean "not found" for some NSS modules. */
		if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
			return -ESRCH;
		return -r;
	}
}

/* A uid or gid from Users= or Groups=, by number or by name. */
static int value_id(struct parser *ps, const char *key, const char *item, bool group, uint32_t *ret)
{
	int r;

	if (parse_id(item, ret))
		return 0;
	if (is_digit_base(item[0], 10) && strspn(item, "0123456789") == strlen(item))
		return fail(ps, 0, "%s=: '%s' is out of range 0..%u", key, item, ID_INVALID - 1);
	r = lookup_id(item, group, ret);
	if (r == -ESRCH)
		return fail(ps, 0, "%s=: no such %s '%s'", key, group ? "group" : "user", item);
	if (r < 0)
		return fail_errno(ps, r, "%s=: cannot look up %s '%s': %s", key,
				  group ? "group" : "user", item, strerror(-r));
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Sort and drop repeats. */
static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[out])
			v[++out] = v[i];
	return out + 1;
}

/*
 * Make room for element @n of *@array (elements of @size, all added here)
 * and zero it. The capacity is implicit: the next power of two.
 */
static int append(void *array, size_t n, size_t size)
{
	void **a = array;

	if (n == 0 || !(n & (n - 1))) {
		void *b = reallocarray(*a, n ? 2 * n : 1, size);

		if (!b)
			return -ENOMEM;
		*a = b;
	}
	memset((char *)*a + n * size, 0, size);
	return 0;
}

/* --------------------------------------------------------- the keys */

static int set_daemon(struct parser *ps, enum key k, const char *key, const char *v)
{
	uint32_t lo, hi;
	const char *dash;
	uint64_t mode;
	gid_t gid;
	int r;

	switch (k) {
	case KEY_SOCKET_GROUP:
		if (*v) {
			if (!parse_id(v, &gid)) {
				r = lookup_id(v, true, &gid);
				if (r == -ESRCH)
					return fail(ps, 0, "%s=%s: no such group", key, v);
				if (r < 0)
					return fail_errno(ps, r,
							  "%s=%s: cannot look up the group: %s",
							  key, v, strerror(-r));
			}
		}
		free(ps->socket_group);
		ps->socket_group = NULL;
		if (*v) {
			ps->socket_group = strdup(v);
			if (!ps->socket_group)
				return -ENOMEM;
		}
		ps->socket_group_set = true;
		return 0;
	case KEY_SOCKET_MODE:
		r = parse_number(v, 8, 0, 0777, &mode);
		if (r == -ERANGE)
			return fail(ps, 0, "%s=%s: out of range 0..0777", key, v);
		if (r < 0)
			return fail(ps, 0, "%s=%s: not an octal mode", key, v);
		ps->limits.socket_mode = mode;
		ps->socket_mode_set = true;
		return 0;
	case KEY_WORKER_UIDS:
		dash = strchr(v, '-');
		if (dash) {
			_cleanup_(freep) char *first = strndup(v, dash - v);

			if (!first)
				return -ENOMEM;
			if (!parse_id(first, &lo) || !parse_id(dash + 1, &hi))
				return fail(ps, 0, "%s=%s: not a range FIRST-LAST of ids 1..%u",
					    key, v, ID_INVALID - 1);
		} else if (!parse_id(v, &lo)) {
			return fail(ps, 0, "%s=%s: not a range FIRST-LAST of ids 1..%u", key, v,
				    ID_INVALID - 1);
		} else {
			hi = lo;
		}
		if (lo == 0)
			return fail(ps, 0, "%s=%s: workers cannot run as root", key, v);
		if (lo > hi)
			return fail(ps, 0, "%s=%s: the first id is above the last", key, v);
		ps->limits.worker_uid_min = lo;
		ps->limits.worker_uid_max = hi;
		return 0;
	default:
		abort();
	}
}

static int set_limits(struct parser *ps, enum key k, const char *key, const char *v)
{
	uint64_t n;
	int r;

	switch (k) {
	case KEY_SESSIONS_PER_USER:
	case KEY_SESSIONS_PER_CGROUP:
		r = value_number(ps, key, v, 1, SESSIONS_LIMIT_MAX, &n);
		if (r < 0)
			return r;
		if (k == KEY_SESSIONS_PER_USER)
			ps->limits.sessions_per_user = n;
		else
			ps->limits.sessions_per_cgroup = n;
		return 0;
	case KEY_CONNECTIONS_PER_USER:
	case KEY_CONNECTIONS:
		r = value_number(ps, key, v, 1, CONNECTIONS_MAX, &n);
		if (r < 0)
			return r;
		if (k == KEY_CONNECTIONS_PER_USER)
			ps->limits.connections_per_user = n;
		else
			ps->limits.connections = n;
		return 0;
	case KEY_MAX_MESSAGE_SIZE:
		r = value_number(ps, key, v, MAX_MSG_MIN, EBP_SESSION_MSG_MAX, &n);
		if (r < 0)
			return r;
		ps->limits.max_msg = n;
		return 0;
	default:
		abort();
	}
}

/* Enclaves=, Users=, Groups=: words separated by blanks, added to the rule. */
static int set_allow(struct parser *ps, enum key k, const char *key, const char *v)
{
	struct rule *rule = &ps->rule;
	const char *p = v;
	int r;

	if (!*v)
		return fail(ps, 0, "%s=: empty list", key);
	while (*p) {
		size_t n = strcspn(p, " \t");
		_cleanup_(freep) char *item = strndup(p, n);
		uint32_t id;

		if (!item)
			return -ENOMEM;
		p += n;
		p += strspn(p, " \t");

		if (k == KEY_ENCLAVES) {
			struct enclave_ref *ref;

			if (!strcmp(item, "*")) {
				rule->any_enclave = true;
				continue;
			}
			if (!eb_enclave_name_valid(item))
				return fail(ps, 0, "%s=: '%s' is not a valid enclave name", key,
					    item);
			if (append(&rule->enclaves, rule->n_enclaves, sizeof(*rule->enclaves)) < 0)
				return -ENOMEM;
			ref = &rule->enclaves[rule->n_enclaves++];
			strcpy(ref->name, item);
			ref->line = ps->line;
			continue;
		}
		r = value_id(ps, key, item, k == KEY_GROUPS, &id);
		if (r < 0)
			return r;
		if (k == KEY_USERS) {
			if (append(&rule->uids, rule->n_uids, sizeof(*rule->uids)) < 0)
				return -ENOMEM;
			rule->uids[rule->n_uids++] = id;
		} else {
			if (append(&rule->gids, rule->n_gids, sizeof(*rule->gids)) < 0)
				return -ENOMEM;
			rule->gids[rule->n_gids++] = id;
		}
	}
	return 0;
}

static int set_enclave(struct parser *ps, enum key k, const char *key, const char *v)
{
	struct eb_enclave_conf *e = &ps->enclave;
	uint64_t n;
	int r;

	switch (k) {
	case KEY_IMAGE:
		return value_path(ps, key, v, &e->image);
	case KEY_MRSIGNER:
		if (hex_decode(v, e->mrsigner, sizeof(e->mrsigner)) < 0)
			return fail(ps, 0, "%s=%s: not %zu hex digits", key, v,
				    2 * sizeof(e->mrsigner));
		return 0;
	case KEY_ISVPRODID:
		r = value_number(ps, key, v, 0, UINT16_MAX, &n);
		if (r == 0)
			e->isv_prod_id = n;
		return r;
	case KEY_MIN_WARM:
		r = value_number(ps, key, v, 0, INSTANCES_MAX, &n);
		if (r == 0)
			e->min_warm = n;
		return r;
	case KEY_MAX_INSTANCES:
		r = value_number(ps, key, v, 1, INSTANCES_MAX, &n);
		if (r == 0)
			e->max_instances = n;
		return r;
	case KEY_SESSIONS_PER_INSTANCE:
		r = value_number(ps, key, v, 1, SESSIONS_PER_INST_MAX, &n);
		if (r == 0)
			e->sessions_per_instance = n;
		return r;
	case KEY_IDLE_TIMEOUT:
		return value_msec(ps, key, v, TIMEOUT_SEC_MAX, &e->idle_timeout_ms);
	case KEY_CALL_TIMEOUT:
		/* A worker runs one call at a time: a call without end would wedge it. */
		r = value_msec(ps, key, v, CALL_TIMEOUT_SEC_MAX, &e->call_timeout_ms);
		if (r == 0 && e->call_timeout_ms == 0)
			return fail(ps, 0, "%s=%s: must be at least 0.001 seconds", key, v);
		return r;
	default:
		abort();
	}
}

static int set_attestation(struct parser *ps, enum key k, const char *key, const char *v)
{
	struct eb_policy_attestation *a = &ps->attestation;
	uint32_t ms;
	uint64_t n;
	int r;

	switch (k) {
	case KEY_QUOTING_ENCLAVE:
		/* Whether enclaves.d/ has it is known only once every file is read. */
		if (*v && !eb_enclave_name_valid(v))
			return fail(ps, 0, "%s=%s: not a valid enclave name", key, v);
		strcpy(a->quoting_enclave, v);
		ps->quoting_enclave_line = *v ? ps->line : 0;
		return 0;
	case KEY_STATE_DIRECTORY:
		return value_path(ps, key, v, &ps->state_dir);
	case KEY_MIN_PLATFORM_SVN:
		r = value_number(ps, key, v, 0, UINT16_MAX, &n);
		if (r == 0)
			a->min_platform_svn = n;
		return r;
	case KEY_CHECK_INTERVAL:
		r = value_msec(ps, key, v, TIMEOUT_SEC_MAX, &ms);
		if (r < 0)
			return r;
		/* Each check has the quoting enclave make and the daemon verify a quote. */
		if (ms < 1000)
			return fail(ps, 0, "%s=%s: must be at least 1 second", key, v);
		a->check_interval_ms = ms;
		return 0;
	default:
		abort();
	}
}

/* ------------------------------------------------------------- lines */

static void rule_clear(struct rule *r)
{
	free(r->enclaves);
	free(r->uids);
	free(r->gids);
	*r = (struct rule){ 0 };
}

/* Check the section that ends (at a header or the end of the file) and stage it. */
static int end_section(struct parser *ps)
{
	struct eb_enclave_conf *e = &ps->enclave;
	struct rule *rule = &ps->rule;

	switch (ps->section) {
	case SECTION_ALLOW:
		if (!rule->any_enclave && !rule->n_enclaves)
			return fail(ps, ps->section_line, "[Allow] needs Enclaves=");
		if (!rule->n_uids && !rule->n_gids)
			return fail(ps, ps->section_line, "[Allow] needs Users= or Groups=");
		rule->n_uids = sort_unique(rule->uids, rule->n_uids);
		rule->n_gids = sort_unique(rule->gids, rule->n_gids);
		rule->file = ps->file_copy;
		rule->line = ps->section_line;
		if (append(&ps->rules, ps->n_rules, sizeof(*ps->rules)) < 0)
			return -ENOMEM;
		ps->rules[ps->n_rules++] = *rule;
		*rule = (struct rule){ 0 };
		break;
	case SECTION_ENCLAVE:
		if (!ps->key_seen[KEY_IMAGE])
			return fail(ps, ps->section_line, "[Enclave] needs Image=");
		if (!ps->key_seen[KEY_MRSIGNER])
			return fail(ps, ps->section_line, "[Enclave] needs MRSIGNER=");
		if (!ps->key_seen[KEY_ISVPRODID])
			return fail(ps, ps->section_line, "[Enclave] needs ISVPRODID=");
		if (e->min_warm > e->max_instances)
			return fail(ps, ps->key_seen[KEY_MIN_WARM],
				    "MinWarmInstances=%u is more than MaxInstances=%u", e->min_warm,
				    e->max_instances);
		ps->have_enclave = true;
		break;
	default:
		break;
	}
	ps->section = SECTION_NONE;
	return 0;
}

static bool section_allowed(int kind, enum section s)
{
	switch (kind) {
	case EB_POLICY_FILE_POLICY:
		return s == SECTION_DAEMON || s == SECTION_LIMITS || s == SECTION_ALLOW ||
		       s == SECTION_ATTESTATION;
	case EB_POLICY_FILE_POLICY_D:
		return s == SECTION_LIMITS || s == SECTION_ALLOW;
	default:
		return s == SECTION_ENCLAVE;
	}
}

static int parse_header(struct parser *ps, char *s)
{
	enum section sec = SECTION_NONE;
	char *close = strchr(s, ']');
	int r;

	if (!close)
		return fail(ps, 0, "'[' without ']'");
	if (close[1])
		return fail(ps, 0, "garbage after the section header");
	*close = 0;
	for (int i = 1; i < _SECTION_MAX; i++)
		if (!strcmp(s + 1, section_names[i]))
			sec = i;
	if (sec == SECTION_NONE)
		return fail(ps, 0, "unknown section [%s]", s + 1);
	if (!section_allowed(ps->kind, sec)) {
		if ((sec == SECTION_DAEMON || sec == SECTION_ATTESTATION) &&
		    ps->kind == EB_POLICY_FILE_POLICY_D)
			return fail(ps, 0, "[%s] belongs in policy.conf only", s + 1);
		if (sec == SECTION_ENCLAVE)
			return fail(ps, 0, "[Enclave] belongs in enclaves.d/NAME.conf");
		return fail(ps, 0, "[%s] does not belong in an enclave's file", s + 1);
	}
	if (sec != SECTION_ALLOW && ps->section_seen[sec])
		return fail(ps, 0, "[%s] given twice (first on line %u)", s + 1,
			    ps->section_seen[sec]);

	r = end_section(ps);
	if (r < 0)
		return r;
	if (!ps->section_seen[sec])
		ps->section_seen[sec] = ps->line;
	ps->section = sec;
	ps->section_line = ps->line;
	memset(ps->key_seen, 0, sizeof(ps->key_seen));
	return 0;
}

static int parse_assignment(struct parser *ps, char *s)
{
	char *eq = strchr(s, '='), *key = s, *v, *end;
	enum key k = _KEY_MAX;

	if (!eq)
		return fail(ps, 0, "expected [Section], Key=Value or a comment");
	for (end = eq; end > key && is_blank(end[-1]); end--)
		;
	*end = 0;
	for (v = eq + 1; is_blank(*v); v++)
		;
	if (!*key)
		return fail(ps, 0, "no key before '='");
	if (ps->section == SECTION_NONE)
		return fail(ps, 0, "%s= before any section header", key);
	for (int i = 0; i < _KEY_MAX; i++)
		if (keys[i].section == ps->section && !strcmp(key, keys[i].name))
			k = i;
	if (k == _KEY_MAX) {
		for (int i = 0; i < _KEY_MAX; i++)
			if (!strcmp(key, keys[i].name))
				return fail(ps, 0, "%s= belongs in [%s], not [%s]", key,
					    section_names[keys[i].section],
					    section_names[ps->section]);
		return fail(ps, 0, "unknown key '%s' in [%s]", key, section_names[ps->section]);
	}
	if (!keys[k].list && ps->key_seen[k])
		return fail(ps, 0, "%s= given twice (first on line %u)", key, ps->key_seen[k]);
	if (!*v && !keys[k].empty && !keys[k].list)
		return fail(ps, 0, "%s=: empty value", key);
	if (!ps->key_seen[k])
		ps->key_seen[k] = ps->line;

	switch (ps->section) {
	case SECTION_DAEMON:
		return set_daemon(ps, k, key, v);
	case SECTION_LIMITS:
		return set_limits(ps, k, key, v);
	case SECTION_ALLOW:
		return set_allow(ps, k, key, v);
	case SECTION_ATTESTATION:
		return set_attestation(ps, k, key, v);
	default:
		return set_enclave(ps, k, key, v);
	}
}

static int parse_line(struct parser *ps, const char *text, size_t n)
{
	char buf[EB_POLICY_LINE_MAX + 1], *s, *end;

	if (n > EB_POLICY_LINE_MAX)
		return fail(ps, 0, "line longer than %d bytes", EB_POLICY_LINE_MAX);
	memcpy(buf, text, n);
	if (n && buf[n - 1] == '\r') /* CRLF */
		n--;
	buf[n] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, 0, "control character 0x%02x", c);
	}
	for (s = buf; is_blank(*s); s++)
		;
	for (end = buf + n; end > s && is_blank(end[-1]); end--)
		;
	*end = 0;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_header(ps, s);
	return parse_assignment(ps, s);
}

/* -------------------------------------------------------- one file */

static void parser_done(struct parser *ps)
{
	rule_clear(&ps->rule);
	for (size_t i = 0; i < ps->n_rules; i++)
		rule_clear(&ps->rules[i]);
	free(ps->rules);
	free(ps->file_copy);
	free(ps->socket_group);
	free(ps->enclave.image);
	free(ps->state_dir);
}

static int enclave_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct eb_enclave_conf *)elem)->name);
}

/* The index @name has or would have in p->enclaves; whether it is there. */
static bool enclave_find(const struct eb_policy *p, const char *name, size_t *ret_index)
{
	size_t lo = 0, hi = p->n_enclaves;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = enclave_cmp(name, &p->enclaves[mid]);

		if (!c) {
			*ret_index = mid;
			return true;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*ret_index = lo;
	return false;
}

/* Nothing may fail once the policy starts to change. */
static int commit(struct parser *ps)
{
	struct eb_policy *p = ps->p;
	bool keep_file;

	if (ps->kind == EB_POLICY_FILE_ENCLAVE) {
		struct eb_enclave_conf *e;
		size_t i;

		if (enclave_find(p, ps->enclave.name, &i))
			return error_at(ps->ret_error, -EINVAL, ps->file, 0,
					"enclave '%s' defined twice", ps->enclave.name);
		if (p->n_enclaves >= EB_POLICY_ENCLAVES_MAX)
			return error_at(ps->ret_error, -EINVAL, ps->file, 0,
					"more than %d enclaves", EB_POLICY_ENCLAVES_MAX);
		e = reallocarray(p->enclaves, p->n_enclaves + 1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		p->enclaves = e;
		memmove(e + i + 1, e + i, (p->n_enclaves - i) * sizeof(*e));
		e[i] = ps->enclave;
		ps->enclave.image = NULL;
		p->n_enclaves++;
		return 0;
	}

	/* Rules and QuotingEnclave= point to the file's name, for eb_policy_finish(). */
	keep_file = ps->n_rules || ps->quoting_enclave_line;
	if (ps->n_rules) {
		struct rule *rules =
		    reallocarray(p->rules, p->n_rules + ps->n_rules, sizeof(*rules));

		if (!rules)
			return -ENOMEM;
		p->rules = rules;
	}
	if (keep_file) {
		char **files = reallocarray(p->files, p->n_files + 1, sizeof(*files));

		if (!files)
			return -ENOMEM;
		p->files = files;
	}
	/* Only spare capacity was added so far: from here on, nothing fails. */
	if (ps->n_rules) {
		memcpy(p->rules + p->n_rules, ps->rules, ps->n_rules * sizeof(*p->rules));
		p->n_rules += ps->n_rules;
		ps->n_rules = 0;
	}
	if (ps->quoting_enclave_line) {
		p->quoting_enclave_file = ps->file_copy;
		p->quoting_enclave_line = ps->quoting_enclave_line;
	}
	if (keep_file)
		p->files[p->n_files++] = TAKE_PTR(ps->file_copy);

	ps->attestation.state_dir = p->attestation.state_dir;
	p->attestation = ps->attestation;
	if (ps->state_dir) {
		free(p->attestation.state_dir);
		p->attestation.state_dir = TAKE_PTR(ps->state_dir);
	}
	ps->limits.socket_group = p->limits.socket_group;
	p->limits = ps->limits;
	if (ps->socket_group_set) {
		free(p->limits.socket_group);
		p->limits.socket_group = TAKE_PTR(ps->socket_group);
	}
	if (ps->socket_mode_set)
		p->socket_mode_set = true;
	if (!p->socket_mode_set)
		p->limits.socket_mode =
		    p->limits.socket_group ? SOCKET_MODE_GROUP : SOCKET_MODE_WORLD;
	return 0;
}

static int parse_text(struct eb_policy *p, int kind, const char *name, const char *text, size_t len,
		      char **ret_error)
{
	_cleanup_(parser_done) struct parser ps = {
		.p = p,
		.kind = kind,
		.file = name,
		.ret_error = ret_error,
	};
	const char *pos = text, *end = text + len;
	int r;

	if (p->finished)
		return error_at(ret_error, -EBUSY, name, 0, "the policy is already finished");
	if (kind != EB_POLICY_FILE_POLICY && kind != EB_POLICY_FILE_POLICY_D &&
	    kind != EB_POLICY_FILE_ENCLAVE)
		return error_at(ret_error, -EINVAL, name, 0, "unknown kind of file %d", kind);
	if (len > EB_POLICY_FILE_MAX)
		return error_at(ret_error, -EINVAL, name, 0, "larger than %d bytes",
				EB_POLICY_FILE_MAX);

	if (kind == EB_POLICY_FILE_ENCLAVE) {
		const char *base = strrchr(name, '/');
		size_t n;

		base = base ? base + 1 : name;
		n = strlen(base);
		if (n > 5 && !strcmp(base + n - 5, ".conf"))
			n -= 5;
		if (n >= EBP_ENCLAVE_NAME_MAX)
			return error_at(ret_error, -EINVAL, name, 0,
					"the enclave name '%.*s' is longer than %d characters",
					(int)n, base, EBP_ENCLAVE_NAME_MAX - 1);
		memcpy(ps.enclave.name, base, n);
		ps.enclave.name[n] = 0;
		if (!eb_enclave_name_valid(ps.enclave.name))
			return error_at(
			    ret_error, -EINVAL, name, 0,
			    "'%s' is not a valid enclave name (letters, digits, '_', '.', '-')",
			    ps.enclave.name);
		ps.enclave.max_instances = DEFAULT_MAX_INSTANCES;
		ps.enclave.sessions_per_instance = DEFAULT_SESSIONS_PER_INSTANCE;
		ps.enclave.idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
		ps.enclave.call_timeout_ms = DEFAULT_CALL_TIMEOUT_MS;
	} else {
		ps.limits = p->limits;
		ps.limits.socket_group = NULL;
		ps.attestation = p->attestation;
		ps.attestation.state_dir = NULL;
		ps.file_copy = strdup(name);
		if (!ps.file_copy)
			return -ENOMEM;
	}

	while (pos < end) {
		const char *nl = memchr(pos, '\n', end - pos);
		const char *eol = nl ? nl : end;

		ps.line++;
		r = parse_line(&ps, pos, eol - pos);
		if (r < 0)
			return r;
		pos = nl ? nl + 1 : end;
	}
	r = end_section(&ps);
	if (r < 0)
		return r;
	if (kind == EB_POLICY_FILE_ENCLAVE && !ps.have_enclave)
		return error_at(ret_error, -EINVAL, name, 0, "no [Enclave] section");
	return commit(&ps);
}

/* *ret_error is set on every failure, to NULL when there was no memory for the message. */
int eb_policy_parse_text(struct eb_policy *p, int kind, const char *name, const char *text,
			 size_t len, char **ret_error)
{
	_cleanup_(freep) char *err = NULL;
	int r = parse_text(p, kind, name, text, len, &err);

	if (r < 0 && ret_error)
		*ret_error = TAKE_PTR(err);
	return r;
}

/* ------------------------------------------------------- the policy */

struct eb_policy *eb_policy_new(void)
{
	struct eb_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->limits = (struct eb_policy_limits){
		.sessions_per_user = DEFAULT_SESSIONS_PER_USER,
		.sessions_per_cgroup = DEFAULT_SESSIONS_PER_CGROUP,
		.connections_per_user = DEFAULT_CONNS_PER_USER,
		.connections = DEFAULT_CONNS,
		.max_msg = DEFAULT_MAX_MSG,
		.socket_mode = SOCKET_MODE_WORLD,
		.worker_uid_min = DEFAULT_WORKER_UID_MIN,
		.worker_uid_max = DEFAULT_WORKER_UID_MAX,
	};
	p->attestation = (struct eb_policy_attestation){
		.state_dir = strdup(EB_POLICY_DEFAULT_STATE_DIR),
		.check_interval_ms = DEFAULT_CHECK_INTERVAL_MS,
	};
	if (!p->attestation.state_dir)
		return eb_policy_free(p);
	return p;
}

struct eb_policy *eb_policy_free(struct eb_policy *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_enclaves; i++)
		free(p->enclaves[i].image);
	free(p->enclaves);
	for (size_t i = 0; i < p->n_rules; i++)
		rule_clear(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	free(p->limits.socket_group);
	free(p->attestation.state_dir);
	free(p);
	return NULL;
}

int eb_policy_finish(struct eb_policy *p, char **ret_error)
{
	size_t at;

	if (p->finished)
		return error_at(ret_error, -EBUSY, "policy", 0, "already finished");
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];

		for (size_t j = 0; j < r->n_enclaves; j++) {
			if (!enclave_find(p, r->enclaves[j].name, &at))
				return error_at(ret_error, -EINVAL, r->file, r->enclaves[j].line,
						"Enclaves=: no enclave '%s' (enclaves.d/%s.conf)",
						r->enclaves[j].name, r->enclaves[j].name);
		}
	}
	/* The quoting enclave's instance is started from its enclaves.d file like any other. */
	if (p->attestation.quoting_enclave[0] &&
	    !enclave_find(p, p->attestation.quoting_enclave, &at))
		return error_at(ret_error, -EINVAL, p->quoting_enclave_file,
				p->quoting_enclave_line, "QuotingEnclave=%s: no enclaves.d/%s.conf",
				p->attestation.quoting_enclave, p->attestation.quoting_enclave);
	p->finished = true;
	return 0;
}

const struct eb_policy_limits *eb_policy_limits(const struct eb_policy *p)
{
	return &p->limits;
}

const struct eb_policy_attestation *eb_policy_attestation(const struct eb_policy *p)
{
	return &p->attestation;
}

const struct eb_enclave_conf *eb_policy_enclave(const struct eb_policy *p, const char *name)
{
	size_t i;

	return enclave_find(p, name, &i) ? &p->enclaves[i] : NULL;
}

size_t eb_policy_enclave_count(const struct eb_policy *p)
{
	return p->n_enclaves;
}

const struct eb_enclave_conf *eb_policy_enclave_at(const struct eb_policy *p, size_t i)
{
	return i < p->n_enclaves ? &p->enclaves[i] : NULL;
}

static bool has_id(const uint32_t *ids, size_t n, uint32_t id)
{
	return n && bsearch(&id, ids, n, sizeof(id), cmp_u32);
}

static bool rule_names(const struct rule *r, const char *enclave)
{
	if (r->any_enclave)
		return true;
	for (size_t i = 0; i < r->n_enclaves; i++)
		if (!strcmp(r->enclaves[i].name, enclave))
			return true;
	return false;
}

bool eb_policy_may_open(const struct eb_policy *p, const char *enclave, uid_t uid, gid_t gid,
			const gid_t *groups, size_t n_groups)
{
	if (!eb_policy_enclave(p, enclave))
		return false;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];

		if (!rule_names(r, enclave))
			continue;
		if (has_id(r->uids, r->n_uids, uid) || has_id(r->gids, r->n_gids, gid))
			return true;
		for (size_t j = 0; j < n_groups; j++)
			if (has_id(r->gids, r->n_gids, groups[j]))
				return true;
	}
	return false;
}

/* ------------------------------------------------------ the directory */

struct loader {
	struct eb_policy *p;
	const char *dir; /* without trailing slashes, for messages */
	int dir_len;
	char **ret_error;
	char *buf; /* EB_POLICY_FILE_MAX + 1 bytes, reused for every file */
	size_t n_files;
};

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static void strv_free(char ***v)
{
	if (!*v)
		return;
	for (char **s = *v; *s; s++)
		free(*s);
	free(*v);
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file or directory the daemon trusts must not be writable by just anyone. */
static int check_mode(struct loader *l, const char *path, const struct stat *st, bool dir)
{
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return error_at(l->ret_error, -EINVAL, path, 0,
				dir ? "not a directory" : "not a regular file");
	if (st->st_mode & S_IWOTH)
		return error_at(l->ret_error, -EINVAL, path, 0, "writable by others");
	return 0;
}

/* @rel under @atfd, shown as @path. */
static int load_file(struct loader *l, int atfd, const char *rel, const char *path, int kind,
		     bool optional)
{
	_cleanup_(closep) int fd = -1;
	struct stat st;
	ssize_t n;
	int r;

	fd = openat(atfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && optional)
		return 0;
	if (fd < 0)
		return error_at(l->ret_error, -errno, path, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return error_at(l->ret_error, -errno, path, 0, "%s", strerror(errno));
	r = check_mode(l, path, &st, false);
	if (r < 0)
		return r;
	if (++l->n_files > EB_POLICY_FILES_MAX)
		return error_at(l->ret_error, -EINVAL, l->dir, 0, "more than %d files",
				EB_POLICY_FILES_MAX);
	if (st.st_size > EB_POLICY_FILE_MAX)
		return error_at(l->ret_error, -EINVAL, path, 0, "larger than %d bytes",
				EB_POLICY_FILE_MAX);
	n = read_full(fd, l->buf, EB_POLICY_FILE_MAX + 1);
	if (n < 0)
		return error_at(l->ret_error, n, path, 0, "%s", strerror(-n));
	return eb_policy_parse_text(l->p, kind, path, l->buf, n, l->ret_error);
}

/* Every NAME.conf in @sub, by name; hidden files and other names are ignored. */
static int load_dir(struct loader *l, int dfd, const char *sub, int kind)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_(strv_free) char **names = NULL;
	_cleanup_(freep) char *dpath = NULL;
	_cleanup_(closep) int fd = -1;
	size_t n = 0;
	struct stat st;
	int r;

	if (asprintf(&dpath, "%.*s/%s", l->dir_len, l->dir, sub) < 0)
		return -ENOMEM;
	fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return error_at(l->ret_error, -errno, dpath, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return error_at(l->ret_error, -errno, dpath, 0, "%s", strerror(errno));
	r = check_mode(l, dpath, &st, true);
	if (r < 0)
		return r;
	d = fdopendir(fd);
	if (!d)
		return error_at(l->ret_error, -errno, dpath, 0, "%s", strerror(errno));
	fd = -1;

	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (;;) {
		struct dirent *de;
		size_t len;
		char **v;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return error_at(l->ret_error, -errno, dpath, 0, "%s",
						strerror(errno));
			break;
		}
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (l->n_files + n >= EB_POLICY_FILES_MAX)
			return error_at(l->ret_error, -EINVAL, l->dir, 0, "more than %d files",
					EB_POLICY_FILES_MAX);
		v = reallocarray(names, n + 2, sizeof(*names));
		if (!v)
			return -ENOMEM;
		names = v;
		names[n] = strdup(de->d_name);
		if (!names[n])
			return -ENOMEM;
		names[++n] = NULL;
	}
	qsort(names, n, sizeof(*names), strcmp_ptr);

	for (size_t i = 0; i < n; i++) {
		_cleanup_(freep) char *path = NULL;

		if (asprintf(&path, "%s/%s", dpath, names[i]) < 0)
			return -ENOMEM;
		r = load_file(l, dirfd(d), names[i], path, kind, false);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load(const char *dir, struct eb_policy **ret, char **ret_error)
{
	_cleanup_(eb_policy_freep) struct eb_policy *p = NULL;
	_cleanup_(freep) char *buf = NULL, *path = NULL;
	_cleanup_(closep) int dfd = -1;
	struct loader l = { .dir = dir, .ret_error = ret_error };
	size_t len = strlen(dir);
	struct stat st;
	int r;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	l.dir_len = len;
	p = eb_policy_new();
	buf = malloc(EB_POLICY_FILE_MAX + 1);
	if (!p || !buf || asprintf(&path, "%.*s/policy.conf", l.dir_len, dir) < 0)
		return error_at(ret_error, -ENOMEM, dir, 0, "%s", strerror(ENOMEM));
	l.p = p;
	l.buf = buf;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return error_at(ret_error, -errno, dir, 0, "%s", strerror(errno));
	if (fstat(dfd, &st) < 0)
		return error_at(ret_error, -errno, dir, 0, "%s", strerror(errno));
	r = check_mode(&l, dir, &st, true);
	if (r < 0)
		return r;

	r = load_file(&l, dfd, "policy.conf", path, EB_POLICY_FILE_POLICY, true);
	if (r < 0)
		return r;
	r = load_dir(&l, dfd, "policy.d", EB_POLICY_FILE_POLICY_D);
	if (r < 0)
		return r;
	r = load_dir(&l, dfd, "enclaves.d", EB_POLICY_FILE_ENCLAVE);
	if (r < 0)
		return r;
	r = eb_policy_finish(p, ret_error);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

int eb_policy_load(const char *dir, struct eb_policy **ret, char **ret_error)
{
	_cleanup_(freep) char *err = NULL;
	int r = load(dir, ret, &err);

	if (r < 0 && ret_error)
		*ret_error = TAKE_PTR(err);
	return r;
}
