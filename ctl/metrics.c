// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl metrics: the module's pool and per-cgroup EPC, and the daemon's
 * sessions, refusals and attestation health, in the Prometheus text
 * exposition format for node_exporter's textfile collector. The metric list
 * is docs/metrics.md; keep the two together.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ebroker/client.h>

#include "common/util.h"

#include "ctl.h"
#include "metrics.h"

static const char metrics_help[] =
    "Usage: " PROGRAM " metrics [--output=FILE] [--daemon-optional]\n"
    "\n"
    "Print the module's EPC pool and per-cgroup usage, and ebrokerd's sessions,\n"
    "refusals and attestation health, in the Prometheus text exposition format\n"
    "(0.0.4), as node_exporter's textfile collector reads it. When ebrokerd does\n"
    "not answer, ebroker_daemon_up is 0, the module's metrics are still printed\n"
    "and the exit status is still 0. See docs/metrics.md for every metric.\n"
    "\n"
    "  -o, --output=FILE     write FILE atomically (FILE.tmp.XXXXXX, then a\n"
    "                        rename), so that a reader never sees part of it\n"
    "      --daemon-optional this host runs no ebrokerd: do not warn when it\n"
    "                        does not answer\n";

/* ------------------------------------------------------------ the format */

void prom_init(struct prom *p, FILE *f)
{
	*p = (struct prom){ .f = f };
}

void prom_free(struct prom *p)
{
	for (size_t i = 0; i < p->n_families; i++)
		free(p->families[i]);
	free(p->families);
	p->families = NULL;
	p->n_families = 0;
}

int prom_error(const struct prom *p)
{
	return p->error;
}

static int prom_fail(struct prom *p, int r)
{
	if (!p->error)
		p->error = r;
	return p->error;
}

static bool is_name(const char *s, bool colon)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || (colon && *s == ':')))
			return false;
	return true;
}

/* The length of the well-formed UTF-8 sequence at @s, or 0 (overlong, surrogate, past U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * @s escaped as the format wants: '\' and newline always, '"' when @quote
 * (label values; HELP text keeps it). A byte that starts no UTF-8 sequence
 * becomes U+FFFD, since the collector refuses the whole file over one.
 */
static void escape(FILE *f, const char *s, bool quote)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		size_t n = utf8_len(u);

		if (!n) {
			fputs("\xef\xbf\xbd", f);
			u++;
		} else if (*u == '\\') {
			fputs("\\\\", f);
			u++;
		} else if (*u == '\n') {
			fputs("\\n", f);
			u++;
		} else if (*u == '"' && quote) {
			fputs("\\\"", f);
			u++;
		} else {
			fwrite(u, 1, n, f);
			u += n;
		}
	}
}

char *prom_label_value(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	escape(f, s, true);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int prom_family(struct prom *p, const char *name, enum prom_type type, const char *help)
{
	char **v;

	if (p->error)
		return p->error;
	if (!is_name(name, true))
		return prom_fail(p, -EINVAL);
	for (size_t i = 0; i < p->n_families; i++)
		if (!strcmp(p->families[i], name))
			return prom_fail(p, -EEXIST);
	v = realloc(p->families, (p->n_families + 1) * sizeof(*v));
	if (!v)
		return prom_fail(p, -ENOMEM);
	p->families = v;
	v[p->n_families] = strdup(name);
	if (!v[p->n_families])
		return prom_fail(p, -ENOMEM);
	p->n_families++;
	p->in_family = true;

	fprintf(p->f, "# HELP %s ", name);
	escape(p->f, help, false);
	fprintf(p->f, "\n# TYPE %s %s\n", name, type == PROM_COUNTER ? "counter" : "gauge");
	return ferror(p->f) ? prom_fail(p, -EIO) : 0;
}

int prom_sample(struct prom *p, const char *const *labels, uint64_t value)
{
	if (p->error)
		return p->error;
	if (!p->in_family)
		return prom_fail(p, -EINVAL);
	for (size_t i = 0; labels && labels[i]; i += 2)
		if (!labels[i + 1] || !is_name(labels[i], false) || !strncmp(labels[i], "__", 2))
			return prom_fail(p, -EINVAL);

	fputs(p->families[p->n_families - 1], p->f);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		fprintf(p->f, "%s%s=\"", i ? "," : "{", labels[i]);
		escape(p->f, labels[i + 1], true);
		fputc('"', p->f);
	}
	fprintf(p->f, "%s %" PRIu64 "\n", labels && labels[0] ? "}" : "", value);
	return ferror(p->f) ? prom_fail(p, -EIO) : 0;
}

/* ------------------------------------------------------------ rendering */

#define LABELS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* One family of one unlabelled sample. */
static void one(struct prom *p, const char *name, enum prom_type type, const char *help,
		uint64_t value)
{
	prom_family(p, name, type, help);
	prom_sample(p, NULL, value);
}

/*
 * A cgroup as its series name it: by path, and whether it was removed. Two
 * entries of the module's may share that (removed cgroups of one path, or
 * paths alike once made UTF-8), and a series must be unique, so those are
 * merged: their usage summed, the peak and the limit the largest and the
 * smallest.
 */
struct cg_series {
	char *key; /* the escaped path */
	const char *path;
	bool removed;
	uint64_t current, limit, peak, events, enclaves;
};

static int series_cmp(const void *a, const void *b)
{
	const struct cg_series *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (int)x->removed - (int)y->removed;
}

static void series_free(struct cg_series *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].key);
	free(s);
}

static int cgroup_series(const struct ctl_cgroup *v, size_t n, struct cg_series **ret,
			 size_t *ret_n)
{
	struct cg_series *s = calloc(n ? n : 1, sizeof(*s));
	size_t m = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		s[i] = (struct cg_series){
			.key = prom_label_value(v[i].path),
			.path = v[i].path,
			.removed = v[i].removed,
			.current = v[i].current,
			.limit = v[i].limit,
			.peak = v[i].peak,
			.events = v[i].events,
			.enclaves = v[i].enclaves,
		};
		if (!s[i].key) {
			series_free(s, i);
			return -ENOMEM;
		}
	}
	qsort(s, n, sizeof(*s), series_cmp);
	for (size_t i = 0; i < n; i++) {
		struct cg_series *last = m ? &s[m - 1] : NULL;

		if (last && !series_cmp(last, &s[i])) {
			last->current += s[i].current;
			last->events += s[i].events;
			last->enclaves += s[i].enclaves;
			if (s[i].peak > last->peak)
				last->peak = s[i].peak;
			if (s[i].limit < last->limit)
				last->limit = s[i].limit;
			free(s[i].key);
			continue;
		}
		s[m++] = s[i];
	}
	*ret = s;
	*ret_n = m;
	return 0;
}

enum cg_field { CG_CURRENT, CG_LIMIT, CG_PEAK, CG_EVENTS, CG_ENCLAVES };

static uint64_t cg_value(const struct cg_series *s, enum cg_field field)
{
	switch (field) {
	case CG_CURRENT:
		return s->current;
	case CG_LIMIT:
		return s->limit;
	case CG_PEAK:
		return s->peak;
	case CG_EVENTS:
		return s->events;
	case CG_ENCLAVES:
		break;
	}
	return s->enclaves;
}

/* No limit is no series: "max" has no number, and +Inf would only graph badly. */
static bool cg_shown(const struct cg_series *s, enum cg_field field)
{
	return field != CG_LIMIT || s->limit != EB_LIMIT_NONE;
}

/* A family of one series per cgroup; none at all, HELP and TYPE included, when it has none. */
static void cgroup_family(struct prom *p, const struct cg_series *s, size_t n, const char *name,
			  enum prom_type type, const char *help, enum cg_field field)
{
	size_t shown = 0;

	for (size_t i = 0; i < n; i++)
		shown += cg_shown(&s[i], field);
	if (!shown)
		return;
	prom_family(p, name, type, help);
	for (size_t i = 0; i < n; i++) {
		uint64_t value = cg_value(&s[i], field);

		if (!cg_shown(&s[i], field))
			continue;
		if (s[i].removed)
			prom_sample(p, LABELS("cgroup", s[i].path, "removed", "true"), value);
		else
			prom_sample(p, LABELS("cgroup", s[i].path), value);
	}
}

static void module_metrics(struct prom *p, const struct ctl_pool *pool, const struct cg_series *s,
			   size_t n)
{
	one(p, "ebroker_module_up", PROM_GAUGE, "Whether the ebroker module is loaded.", 1);
	prom_family(p, "ebroker_backend_info", PROM_GAUGE,
		    "The module's EPC backend, as a label; the value is always 1.");
	prom_sample(p, LABELS("backend", pool->backend), 1);
	prom_family(p, "ebroker_epc_pool_bytes", PROM_GAUGE,
		    "The module's EPC pool in bytes: its size (total), free now (free), and the "
		    "least free since the module was loaded (min_free).");
	prom_sample(p, LABELS("kind", "total"), pool->total);
	prom_sample(p, LABELS("kind", "free"), pool->free);
	prom_sample(p, LABELS("kind", "min_free"), pool->min_free);
	one(p, "ebroker_epc_pool_low_water_bytes", PROM_GAUGE,
	    "The pool's low-water mark in bytes: free below it raises an event (0: off).",
	    pool->low_water);
	one(p, "ebroker_enclaves", PROM_GAUGE, "Enclaves the module holds.", pool->enclaves);

	cgroup_family(p, s, n, "ebroker_cgroup_epc_bytes", PROM_GAUGE,
		      "EPC charged to the cgroup and its descendants, bytes.", CG_CURRENT);
	cgroup_family(p, s, n, "ebroker_cgroup_epc_max_bytes", PROM_GAUGE,
		      "The cgroup's EPC limit, bytes; no series when it has none (max).", CG_LIMIT);
	cgroup_family(p, s, n, "ebroker_cgroup_epc_peak_bytes", PROM_GAUGE,
		      "The most EPC the cgroup has held, bytes.", CG_PEAK);
	cgroup_family(p, s, n, "ebroker_cgroup_epc_limit_hits_total", PROM_COUNTER,
		      "EPC allocations refused by the limit of this cgroup or of one of its "
		      "descendants (hierarchical, like misc.events).",
		      CG_EVENTS);
	cgroup_family(p, s, n, "ebroker_cgroup_enclaves", PROM_GAUGE,
		      "Enclaves charged to the cgroup.", CG_ENCLAVES);
}

/* A counter the daemon may not report: no family at all when it does not. */
static void daemon_counter(struct prom *p, const struct ebroker_daemon_status *st, uint32_t bit,
			   const char *name, const char *help, uint64_t value)
{
	if (st->has & bit)
		one(p, name, PROM_COUNTER, help, value);
}

static void daemon_metrics(struct prom *p, const struct ebroker_daemon_status *st)
{
	static const struct {
		const char *reason;
		uint32_t bit;
		size_t offset;
	} refusals[] = {
		{ "policy", EBROKER_STATUS_HAS_REFUSED_POLICY,
		  offsetof(struct ebroker_daemon_status, refused_policy) },
		{ "limits", EBROKER_STATUS_HAS_REFUSED_LIMITS,
		  offsetof(struct ebroker_daemon_status, refused_limits) },
		{ "quota", EBROKER_STATUS_HAS_REFUSED_QUOTA,
		  offsetof(struct ebroker_daemon_status, refused_quota) },
		{ "pool", EBROKER_STATUS_HAS_REFUSED_POOL,
		  offsetof(struct ebroker_daemon_status, refused_pool) },
		{ "attestation", EBROKER_STATUS_HAS_REFUSED_ATTESTATION,
		  offsetof(struct ebroker_daemon_status, refused_attestation) },
	};
	static const enum ebroker_attestation_state states[] = {
		EBROKER_ATTESTATION_OK,
		EBROKER_ATTESTATION_STARTING,
		EBROKER_ATTESTATION_FAILING,
	};
	uint32_t any_refusal = 0;

	one(p, "ebroker_daemon_up", PROM_GAUGE, "Whether ebrokerd answered its STATUS request.", 1);
	one(p, "ebroker_daemon_sessions", PROM_GAUGE, "Live sessions.", st->sessions);
	one(p, "ebroker_daemon_instances", PROM_GAUGE,
	    "Enclave instances (worker processes), the quoting enclave's included.", st->instances);
	one(p, "ebroker_daemon_tenants", PROM_GAUGE, "Tenant cgroups with instances.", st->tenants);
	daemon_counter(p, st, EBROKER_STATUS_HAS_OPENS, "ebroker_daemon_opens_total",
		       "Sessions opened (handed to their clients) since ebrokerd started.",
		       st->opens);
	for (size_t i = 0; i < ELEMENTSOF(refusals); i++)
		any_refusal |= st->has & refusals[i].bit;
	if (any_refusal) {
		prom_family(p, "ebroker_daemon_refusals_total", PROM_COUNTER,
			    "Session opens refused since ebrokerd started, by reason: policy "
			    "(no such enclave, or not this user's), limits (SessionsPerUser=, "
			    "SessionsPerCgroup=), quota (the tenant's EPC limit), pool (the EPC "
			    "pool is full), attestation (attestation is failing).");
		for (size_t i = 0; i < ELEMENTSOF(refusals); i++)
			if (st->has & refusals[i].bit)
				prom_sample(
				    p, LABELS("reason", refusals[i].reason),
				    *(const uint64_t *)((const char *)st + refusals[i].offset));
	}
	daemon_counter(p, st, EBROKER_STATUS_HAS_CALLS, "ebroker_daemon_calls_total",
		       "Calls answered on sessions since ebrokerd started: the live sessions' "
		       "counts as their workers last reported them, plus every ended session's.",
		       st->calls);
	daemon_counter(p, st, EBROKER_STATUS_HAS_WORKER_CRASHES,
		       "ebroker_daemon_worker_crashes_total",
		       "Workers that exited without being told to stop, since ebrokerd started.",
		       st->worker_crashes);

	one(p, "ebroker_attestation_ok", PROM_GAUGE,
	    "Whether the host can attest sessions now (the quoting enclave answers and its "
	    "own quote verifies).",
	    st->attestation == EBROKER_ATTESTATION_OK);
	prom_family(p, "ebroker_attestation_state", PROM_GAUGE,
		    "The attestation state: 1 for the current one, 0 for the others.");
	for (size_t i = 0; i < ELEMENTSOF(states); i++)
		prom_sample(p, LABELS("state", ctl_attestation_state_name(states[i])),
			    st->attestation == states[i]);
	daemon_counter(p, st, EBROKER_STATUS_HAS_QUOTES, "ebroker_attestation_quotes_total",
		       "Quotes asked of the quoting enclave for sessions.", st->quotes);
	daemon_counter(p, st, EBROKER_STATUS_HAS_QUOTE_FAILURES,
		       "ebroker_attestation_quote_failures_total",
		       "Quotes asked for sessions that were not made.", st->quote_failures);
	daemon_counter(p, st, EBROKER_STATUS_HAS_CHECKS, "ebroker_attestation_checks_total",
		       "Self-checks of the quoting enclave started.", st->checks);
	daemon_counter(p, st, EBROKER_STATUS_HAS_CHECK_FAILURES,
		       "ebroker_attestation_check_failures_total",
		       "Self-checks of the quoting enclave that failed.", st->check_failures);
}

int metrics_render(FILE *f, const struct ctl_pool *pool, struct ctl_cgroup *v, size_t n,
		   const struct ebroker_daemon_status *st)
{
	struct cg_series *s = NULL;
	struct prom p;
	size_t m = 0;
	int r;

	r = cgroup_series(v, n, &s, &m);
	if (r < 0)
		return r;
	prom_init(&p, f);
	module_metrics(&p, pool, s, m);
	if (st)
		daemon_metrics(&p, st);
	else
		one(&p, "ebroker_daemon_up", PROM_GAUGE,
		    "Whether ebrokerd answered its STATUS request.", 0);
	r = prom_error(&p);
	prom_free(&p);
	series_free(s, m);
	return r;
}

int metrics_render_no_module(FILE *f)
{
	struct prom p;
	int r;

	prom_init(&p, f);
	one(&p, "ebroker_module_up", PROM_GAUGE, "Whether the ebroker module is loaded.", 0);
	r = prom_error(&p);
	prom_free(&p);
	return r;
}

/* ------------------------------------------------------------ the command */

/* The daemon's status; false, and *ret_why, when it does not give it. */
static bool daemon_status(struct ebroker_daemon_status *ret, char *why, size_t cap)
{
	_cleanup_(ebroker_disconnectp) struct ebroker *b = NULL;
	struct ebroker_error e = { 0 };
	int r;

	r = ebroker_connect(ctl_broker_socket(), &b);
	if (r == 0) {
		/* A wedged daemon must not stall the collector's timer. */
		(void)ebroker_set_timeout(b, 5000);
		r = ebroker_daemon_status(b, ret);
	}
	if (r == 0)
		return true;
	(void)ebroker_last_error(&e);
	snprintf(why, cap, "%s", *e.message ? e.message : strerror(-r));
	return false;
}

/*
 * @buf to @path as a whole: written beside it, then renamed over it, so
 * that the textfile collector (which reads *.prom only) reads the old file
 * or the new one, never part of one. Not fsync'ed: the file is rewritten
 * every interval, and after a crash the next run writes it again.
 */
static int write_atomic(const char *path, const char *buf, size_t len)
{
	_cleanup_(freep) char *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	mode_t mask;
	int r = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* mkostemp() makes it 0600; node_exporter runs as another user. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		r = -errno;
	for (size_t done = 0; !r && done < len;) {
		ssize_t k = write(fd, buf + done, len - done);

		if (k < 0 && errno != EINTR)
			r = -errno;
		else if (k > 0)
			done += (size_t)k;
	}
	if (close(TAKE_FD(fd)) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		(void)unlink(tmp);
	return r;
}

static int emit(const char *output, const char *buf, size_t len)
{
	int r;

	if (!output) {
		fwrite(buf, 1, len, stdout);
		return CTL_EXIT_OK; /* main() reports a failed write */
	}
	r = write_atomic(output, buf, len);
	if (r < 0)
		return ctl_error(r == -EACCES || r == -EPERM ? CTL_EXIT_PERMISSION
							     : CTL_EXIT_FAILURE,
				 "cannot write %s: %s", output, strerror(-r));
	return CTL_EXIT_OK;
}

int cmd_metrics(struct ctl_opts *o, int argc, char **argv)
{
	enum { OPT_DAEMON_OPTIONAL = 0x300 };
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "daemon-optional", no_argument, NULL, OPT_DAEMON_OPTIONAL },
		CTL_COMMON_OPTIONS,
		{},
	};
	_cleanup_(ctl_nl_closep) struct ctl_nl *nl = NULL;
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(fclosep) FILE *f = NULL;
	struct ebroker_daemon_status st;
	struct ctl_pool pool;
	struct ctl_cgroup *v = NULL;
	const char *output = NULL;
	bool daemon_optional = false, up;
	char why[EBROKER_ERROR_MESSAGE_MAX];
	size_t n = 0, len = 0;
	int c, r, status = CTL_EXIT_USAGE;

	while ((c = ctl_getopt(o, argc, argv, ":ho:", options, metrics_help, &status)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				return ctl_usage(argv[0], "empty --output");
			output = optarg;
			break;
		case OPT_DAEMON_OPTIONAL:
			daemon_optional = true;
			break;
		default:
			return status;
		}
	}
	if (optind < argc)
		return ctl_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (o->json)
		return ctl_usage(argv[0], "the exposition format has no --json");

	f = open_memstream(&buf, &len);
	if (!f)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(errno));
	r = ctl_nl_open(&nl);
	if (r == -ENOPKG) {
		/* Say so where the collector looks, not just in the exit status. */
		r = metrics_render_no_module(f);
		if (r == 0 && fflush(f) == 0)
			(void)emit(output, buf, len);
		return ctl_fail(NULL, -ENOPKG, NULL, "cannot talk to the ebroker module");
	}
	if (r < 0)
		return ctl_fail(NULL, r, NULL, "cannot talk to the ebroker module");

	r = ctl_get_pool(nl, &pool);
	if (r < 0)
		return ctl_fail(nl, r, NULL, "cannot read the pool");
	r = ctl_dump_cgroups(nl, &v, &n);
	if (r < 0)
		return ctl_fail(nl, r, NULL, "cannot list cgroups");

	up = daemon_status(&st, why, sizeof(why));
	if (!up && !daemon_optional)
		fprintf(stderr, PROGRAM ": warning: ebrokerd (%s) did not answer: %s\n",
			ctl_broker_socket(), why);
	r = metrics_render(f, &pool, v, n, up ? &st : NULL);
	ctl_cgroups_free(v, n);
	if (r == 0 && fflush(f) != 0)
		r = -errno;
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "cannot format the metrics: %s", strerror(-r));
	return emit(output, buf, len);
}
