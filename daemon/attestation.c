// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation, as far as the daemon takes part in it: it runs the quoting
 * enclave and moves reports and quotes, and it watches that attestation
 * works. It holds no secret and makes no trust decision for anyone: every
 * client verifies its own session's quote (libebverify).
 *
 * The quoting enclave (policy.conf [Attestation] QuotingEnclave=) is an
 * instance like any other, started from its enclaves.d file, in the
 * workers' own cgroup rather than a tenant's. Once its worker is ready it
 * is given the sealed attestation key and the platform chain from the
 * state directory (EB_QE_LOAD), asked for its TARGETINFO, which every
 * session's report is made for, and checked: it quotes itself for a fresh
 * nonce and the quote must verify against StateDirectory/root.pem, with
 * the quoting enclave's identity from its enclaves.d file and the platform
 * SVN floor of the policy. The check runs again every CheckIntervalSec=.
 *
 * States: STARTING while a quoting enclave is being loaded and checked
 * (OPENs wait), OK, FAILING with a reason (OPENs fail with it: sessions
 * are never opened unattested). A quoting enclave that dies is restarted
 * after a pause; a reload starts a new one from the files as they are now.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/evp.h>

#include <linux/ebroker_attest.h>

#include <ebroker/verify.h>

#include "common/util.h"
#include "verify/issue.h"

#include "daemon.h"
#include "log.h"

#define RESTART_DELAY_MS 1000
#define STATE_FILE_MAX	 (64 * 1024)
/*
 * Quotes a quoting enclave is asked for at once. More would only wait in
 * its worker's control queue, which a burst of OPENs (one per connection,
 * up to the connection limit) would overflow; the rest wait here, in order.
 */
#define QUOTES_IN_FLIGHT_MAX 64

static int check_timer(sd_event_source *src, uint64_t usec, void *userdata);
static void arm(struct daemon *d, uint64_t ms);

static void arm(struct daemon *d, uint64_t ms)
{
	struct attestation *a = &d->att;

	if (a->timer) {
		sd_event_source_set_time_relative(a->timer, ms * 1000);
		sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
		return;
	}
	if (sd_event_add_time_relative(d->event, &a->timer, CLOCK_MONOTONIC, ms * 1000, 0,
				       check_timer, d) < 0)
		log_error(ENOMEM, "cannot arm the attestation check timer");
}

static void wake_waiters(struct daemon *d)
{
	struct conn *c, *n;

	list_for_each_entry_safe (c, n, &d->att.waiters, wait_link) {
		list_del(&c->wait_link);
		list_init(&c->wait_link);
		conn_attestation_settled(c);
	}
}

static void set_ok(struct daemon *d, struct instance *in)
{
	struct attestation *a = &d->att;
	const char *const fields[] = { "EBROKER_EVENT=attestation-ok", NULL };

	if (a->state != EBP_ATTESTATION_OK)
		log_full(LOG_NOTICE, 0, fields,
			 "attestation: ok (quoting enclave instance %" PRIu64 ", worker %d)",
			 in->id, (int)in->pid);
	a->state = EBP_ATTESTATION_OK;
	a->reason[0] = 0;
	a->qe = in;
	a->loading = NULL;
	wake_waiters(d);
}

static void set_failing(struct daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_failing(struct daemon *d, const char *fmt, ...)
{
	struct attestation *a = &d->att;
	const char *const fields[] = { "EBROKER_EVENT=attestation-failing", NULL };
	char reason[EBP_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* Said once per distinct reason: a periodic check does not repeat it. */
	if (a->state != EBP_ATTESTATION_FAILING || strcmp(reason, a->reason))
		log_full(LOG_ERR, 0, fields, "attestation: failing: %s", reason);
	a->state = EBP_ATTESTATION_FAILING;
	snprintf(a->reason, sizeof(a->reason), "%s", reason);
	/* Tried again after the check interval: from the files, unless an instance is checked. */
	a->loading = NULL;
	arm(d, eb_policy_attestation(d->policy)->check_interval_ms);
	wake_waiters(d);
}

static int read_state_file(const char *dir, const char *name, uint8_t **ret, size_t *ret_len,
			   char *why, size_t why_len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) uint8_t *buf = NULL;
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_len, "%.400s: %m%s", path,
			 errno == ENOENT ? " (run: ebrokerctl attestation init)" : "");
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > STATE_FILE_MAX) {
		snprintf(why, why_len, "%.400s: not a regular file of 1 to %d bytes", path,
			 STATE_FILE_MAX);
		return -EINVAL;
	}
	buf = malloc(st.st_size);
	if (!buf)
		return -ENOMEM;
	n = read(fd, buf, st.st_size);
	if (n != st.st_size) {
		snprintf(why, why_len, "%.400s: short read", path);
		return -EIO;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = (size_t)n;
	return 0;
}

static void forget_state(struct attestation *a)
{
	free(a->sealed);
	free(a->chain);
	a->sealed = a->chain = NULL;
	a->sealed_len = a->chain_len = 0;
}

/* What the root certified about this platform: its SVN goes into every quote. */
static int platform_claims(const char *dir, struct eb_platform_claims *ret)
{
	char path[PATH_MAX];
	X509 *cert = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/platform.pem", dir);
	r = ebv_cert_load(path, &cert);
	if (r == 0)
		r = ebv_cert_claims(cert, ret);
	X509_free(cert);
	return r;
}

/* Read the state directory and start a quoting enclave to load it into. */
void attestation_configure(struct daemon *d)
{
	struct attestation *a = &d->att;
	const struct eb_policy_attestation *pa = eb_policy_attestation(d->policy);
	const struct eb_enclave_conf *conf;
	struct eb_platform_claims claims;
	char why[EBP_ERROR_MSG_MAX];
	struct instance *in;
	struct pool *pl;
	int r;

	if (d->exiting)
		return; /* no quoting enclave is started while stopping */
	if (!a->waiters.next)
		list_init(&a->waiters);
	forget_state(a);
	/* An instance loaded from the files as they were is checked no more. */
	a->loading = NULL;
	a->qe = NULL;
	if (!pa->quoting_enclave[0]) {
		set_failing(d, "not configured: policy.conf has no [Attestation] QuotingEnclave=");
		return;
	}
	conf = eb_policy_enclave(d->policy, pa->quoting_enclave);
	if (!conf) {
		set_failing(d, "the quoting enclave %s is not configured", pa->quoting_enclave);
		return;
	}
	if (read_state_file(pa->state_dir, "qe.sealed", &a->sealed, &a->sealed_len, why,
			    sizeof(why)) < 0 ||
	    read_state_file(pa->state_dir, "platform.pem", &a->chain, &a->chain_len, why,
			    sizeof(why)) < 0) {
		forget_state(a);
		set_failing(d, "%s", why);
		return;
	}
	r = platform_claims(pa->state_dir, &claims);
	if (r < 0) {
		forget_state(a);
		set_failing(d, "%.400s/platform.pem: no platform certificate with ebroker claims",
			    pa->state_dir);
		return;
	}
	a->platform_svn = claims.platform_svn;

	if (a->state != EBP_ATTESTATION_FAILING)
		a->state = EBP_ATTESTATION_STARTING;
	pl = pool_get_system(d, conf->name);
	if (!pl) {
		set_failing(d, "cannot open the workers' cgroup %s for the quoting enclave",
			    d->cfg.worker_cgroup);
		return;
	}
	r = pool_pick(pl, conf, &in);
	if (r < 0) {
		pool_maintain(pl);
		set_failing(d, "cannot start the quoting enclave %s: %s", conf->name, strerror(-r));
		arm(d, RESTART_DELAY_MS);
		return;
	}
	a->loading = in;
	if (in->state == INSTANCE_READY)
		attestation_instance_ready(in);
}

static int call(struct instance *in, uint32_t fn, const void *data, size_t len, uint32_t out_max)
{
	int r = instance_call(in, fn, data, len, out_max, NULL);

	if (r < 0)
		set_failing(in->d, "cannot ask the quoting enclave (worker %d): %s", (int)in->pid,
			    strerror(-r));
	return r;
}

static void self_check(struct instance *in)
{
	struct attestation *a = &in->d->att;

	a->checks++;
	if (RAND_bytes(a->nonce, sizeof(a->nonce)) != 1) {
		set_failing(in->d, "no randomness for the self-check");
		return;
	}
	(void)call(in, EB_QE_SELF_QUOTE, a->nonce, sizeof(a->nonce), EBP_QUOTE_MAX);
}

void attestation_instance_ready(struct instance *in)
{
	struct attestation *a = &in->d->att;
	_cleanup_(freep) uint8_t *buf = NULL;
	struct eb_qe_load_in *li;
	size_t len;

	if (in != a->loading || !a->sealed)
		return;
	len = sizeof(*li) + a->sealed_len + a->chain_len;
	buf = calloc(1, len);
	if (!buf) {
		set_failing(in->d, "out of memory");
		return;
	}
	li = (struct eb_qe_load_in *)buf;
	li->pce_svn = a->platform_svn;
	li->sealed_len = (uint32_t)a->sealed_len;
	li->cert_len = (uint32_t)a->chain_len;
	memcpy(buf + sizeof(*li), a->sealed, a->sealed_len);
	memcpy(buf + sizeof(*li) + a->sealed_len, a->chain, a->chain_len);
	(void)call(in, EB_QE_LOAD, buf, len, EB_P256_PUB_SIZE);
}

void attestation_instance_gone(struct instance *in, const char *reason)
{
	struct daemon *d = in->d;
	struct attestation *a = &d->att;

	if (in == a->loading)
		a->loading = NULL;
	if (in != a->qe)
		return;
	a->qe = NULL;
	if (a->loading)
		return; /* its successor is on the way (a reload) */
	set_failing(d, "the quoting enclave's worker %d exited (%s); restarting it", (int)in->pid,
		    reason);
	arm(d, RESTART_DELAY_MS);
}

bool attestation_keeps(const struct instance *in)
{
	return in == in->d->att.qe || in == in->d->att.loading;
}

/* Check the self-quote of @in: the nonce, then everything libebverify checks. */
static void check_self_quote(struct instance *in, const struct call_result *res)
{
	struct daemon *d = in->d;
	struct attestation *a = &d->att;
	const struct eb_policy_attestation *pa = eb_policy_attestation(d->policy);
	const struct eb_enclave_conf *conf = eb_policy_enclave(d->policy, pa->quoting_enclave);
	struct ebroker_policy pol = { .size = sizeof(pol) };
	struct ebroker_verify_failure fail;
	struct ebroker_evidence ev;
	uint8_t expect[64] = { 0 }, label_nonce[sizeof(EB_QE_LABEL_SELF_TEST) - 1 + 32];
	char root[PATH_MAX];

	if (!conf) {
		set_failing(d, "the quoting enclave %s is not configured", pa->quoting_enclave);
		return;
	}
	snprintf(root, sizeof(root), "%s/root.pem", pa->state_dir);
	pol.flags = EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_ALLOW_SIMULATED;
	memcpy(pol.mrsigner, conf->mrsigner, sizeof(pol.mrsigner));
	pol.isv_prod_id = conf->isv_prod_id;
	pol.min_platform_svn = pa->min_platform_svn;
	pol.root_file = root;
	if (ebroker_verify_quote(&pol, res->data, res->len, NULL, NULL, &ev, &fail) < 0) {
		a->check_failures++;
		set_failing(
		    d, "the quoting enclave's own quote does not verify against %.200s: %s: %s",
		    root, ebroker_verify_check_name(fail.check), fail.message);
		return;
	}
	memcpy(label_nonce, EB_QE_LABEL_SELF_TEST, sizeof(EB_QE_LABEL_SELF_TEST) - 1);
	memcpy(label_nonce + sizeof(EB_QE_LABEL_SELF_TEST) - 1, a->nonce, sizeof(a->nonce));
	if (EVP_Digest(label_nonce, sizeof(label_nonce), expect, NULL, EVP_sha256(), NULL) != 1) {
		set_failing(d, "cannot hash the self-check nonce");
		return;
	}
	if (memcmp(expect, ev.report_data, sizeof(expect))) {
		a->check_failures++;
		set_failing(d, "the quoting enclave's own quote is not for the nonce it was given");
		return;
	}
	set_ok(d, in);
	arm(d, pa->check_interval_ms);
}

void attestation_call_done(struct instance *in, uint32_t function, const struct call_result *res)
{
	struct daemon *d = in->d;
	struct attestation *a = &d->att;

	if (in != a->loading && in != a->qe)
		return; /* an instance of an earlier configuration */
	if (res->err) {
		set_failing(d, "the quoting enclave's worker could not run function %u: %s",
			    function, res->message ? res->message : strerror(res->err));
		return;
	}
	switch (function) {
	case EB_QE_LOAD:
		if (res->status == -EBADMSG) {
			set_failing(d, "the quoting enclave cannot unseal its attestation key "
				       "(qe.sealed was made under another platform secret, or is "
				       "damaged): run ebrokerctl attestation init");
			return;
		}
		if (res->status < 0) {
			set_failing(d, "the quoting enclave refused its state: %s",
				    strerror(-res->status));
			return;
		}
		(void)call(in, EB_QE_TARGETINFO, NULL, 0, EBP_TARGETINFO_SIZE);
		return;
	case EB_QE_TARGETINFO:
		if (res->status < 0 || res->len != EBP_TARGETINFO_SIZE) {
			set_failing(d, "the quoting enclave gave no TARGETINFO (%d)", res->status);
			return;
		}
		memcpy(a->target, res->data, EBP_TARGETINFO_SIZE);
		self_check(in);
		return;
	case EB_QE_SELF_QUOTE:
		if (res->status < 0) {
			a->check_failures++;
			set_failing(d, "the quoting enclave did not quote itself: %s",
				    strerror(-res->status));
			return;
		}
		check_self_quote(in, res);
		return;
	}
}

static int quote_send(struct attestation *a, struct conn *c, const void *report)
{
	int r;

	if (a->state != EBP_ATTESTATION_OK || !a->qe)
		return -ENOKEY;
	r = instance_call(a->qe, EB_QE_QUOTE, report, EBP_REPORT_SIZE, EBP_QUOTE_MAX, c);
	if (r == 0)
		a->quotes_in_flight++;
	return r;
}

int attestation_quote(struct daemon *d, struct conn *c, const void *report)
{
	struct attestation *a = &d->att;

	if (a->state != EBP_ATTESTATION_OK || !a->qe)
		return -ENOKEY;
	a->quotes++;
	if (a->quotes_in_flight < QUOTES_IN_FLIGHT_MAX && list_empty(&a->quote_queue))
		return quote_send(a, c, report);
	c->report = malloc(EBP_REPORT_SIZE);
	if (!c->report)
		return -ENOMEM;
	memcpy(c->report, report, EBP_REPORT_SIZE);
	list_add_tail(&c->wait_link, &a->quote_queue);
	return 0;
}

void attestation_quote_answered(struct daemon *d)
{
	struct attestation *a = &d->att;

	if (a->quotes_in_flight)
		a->quotes_in_flight--;
	while (a->quotes_in_flight < QUOTES_IN_FLIGHT_MAX && !list_empty(&a->quote_queue)) {
		struct conn *c = list_first_entry(&a->quote_queue, struct conn, wait_link);
		_cleanup_(freep) uint8_t *report = TAKE_PTR(c->report);
		char why[EBP_ERROR_MSG_MAX];
		int r;

		list_del(&c->wait_link);
		list_init(&c->wait_link);
		r = quote_send(a, c, report);
		if (r == 0)
			continue;
		/* Attestation broke while it waited: it fails as an OPEN would now. */
		a->quote_failures++;
		snprintf(why, sizeof(why), "attestation is failing: %.400s",
			 a->reason[0] ? a->reason : strerror(-r));
		conn_quote_done(c, &(struct call_result){ .err = ENOKEY, .message = why });
	}
}

void attestation_forget_conn(struct daemon *d, struct conn *c)
{
	if (!c->report)
		return;
	list_del(&c->wait_link);
	list_init(&c->wait_link);
	free(TAKE_PTR(c->report));
}

void attestation_wait(struct daemon *d, struct conn *c)
{
	list_add_tail(&c->wait_link, &d->att.waiters);
}

static int check_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	struct attestation *a = &d->att;

	if (a->qe && a->qe->state == INSTANCE_READY)
		self_check(a->qe);
	else if (!a->loading)
		attestation_configure(d);
	return 0;
}

void attestation_done(struct daemon *d)
{
	sd_event_source_disable_unref(d->att.timer);
	d->att.timer = NULL;
	forget_state(&d->att);
}
