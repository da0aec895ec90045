// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave SDK end to end: the echo sample (sdk/samples/echo), built,
 * signed with ebroker-sign and loaded by libebloader, runs ECALLs in sim;
 * several threads call it at once; two enclaves attest to each other
 * locally; a crash or a runaway ECALL comes back as an error and leaves the
 * process, the other enclaves and the EPC pool intact; an image changed
 * after signing does not load. The signals fixture: the loader's signal
 * handlers come and go only with ebroker_loader_signals_install() and
 * _uninstall(), chain to the program's, and give exactly those back; an
 * enclave freed during another thread's call outlives the call.
 *
 * The images are read from build/sdk/samples, found from this binary's
 * path. Tests of EREPORT/EGETKEY are skipped when the module lacks
 * EB_IOC_ENCLAVE_REPORT/GETKEY.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>

#include <ebroker/image.h>
#include <ebroker/loader.h>

#include "../../sdk/samples/echo/echo.h"
#include "kselftest_harness.h"
#include "sdk_util.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Lines of /proc/self/maps: one per mapping. */
static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int echo_call(struct ebroker_enclave *e, const void *in, size_t len, void *out, size_t cap,
		     size_t *out_len)
{
	return ebroker_enclave_call(e, ECHO_ECALL_ECHO, in, len, out, cap, out_len);
}

FIXTURE(sdk)
{
	struct ebroker_enclave *a, *b;
};

FIXTURE_SETUP(sdk)
{
	self->a = self->b = NULL;
	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
	ASSERT_EQ(0, ebroker_loader_signals_install());
}

FIXTURE_TEARDOWN(sdk)
{
	self->a = ebroker_enclave_free(self->a);
	self->b = ebroker_enclave_free(self->b);
	ebroker_loader_signals_uninstall();
}

TEST_F(sdk, echo)
{
	uint8_t in[4096], out[4096];
	struct eb_enclave_info info;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, ebroker_enclave_info(self->a, &info));
	EXPECT_EQ(EB_STATE_INITIALIZED, info.state);
	EXPECT_EQ(4, ebroker_enclave_tcs_count(self->a));

	ASSERT_EQ(0, echo_call(self->a, "hello", 5, out, sizeof(out), &n));
	ASSERT_EQ(5, n);
	EXPECT_EQ(0, memcmp(out, "hello", 5));
	ASSERT_EQ(0, echo_call(self->a, in, sizeof(in), out, sizeof(out), &n));
	ASSERT_EQ(sizeof(in), n);
	EXPECT_EQ(0, memcmp(in, out, n));
	ASSERT_EQ(0, echo_call(self->a, NULL, 0, NULL, 0, &n));
	EXPECT_EQ(0, n);

	/* Errors from the handler and the runtime come back as they are. */
	EXPECT_EQ(-EMSGSIZE, echo_call(self->a, in, 100, out, 99, &n));
	EXPECT_EQ(-ENOSYS, ebroker_enclave_call(self->a, 99, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(-E2BIG, echo_call(self->a, in, 16, out, (1 << 20) + 1, &n));
	/* The runtime refuses buffers inside ELRANGE: the enclave would read
	 * or write itself for the host. */
	EXPECT_EQ(-EINVAL, echo_call(self->a, (void *)(uintptr_t)info.base, 64, out, 64, &n));
	EXPECT_EQ(-EINVAL, echo_call(self->a, in, 64,
				     (void *)(uintptr_t)(info.base + info.size - 32), 64, &n));
	/* The loader's own checks. */
	EXPECT_EQ(-EINVAL, echo_call(self->a, NULL, 1, out, 1, &n));
	EXPECT_EQ(-EINVAL, echo_call(NULL, in, 1, out, 1, &n));
	EXPECT_FALSE(ebroker_enclave_dead(self->a));

	self->a = ebroker_enclave_free(self->a);
	EXPECT_TRUE(pool_full());
}

TEST_F_TIMEOUT(sdk, many_calls, 300)
{
	static uint8_t in[65536], out[65536];
	size_t n;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	for (int i = 0; i < 2000; i++) {
		size_t len = (size_t)(i * 131) % sizeof(in);

		in[len ? len - 1 : 0] = (uint8_t)i;
		n = 0;
		ASSERT_EQ(0, echo_call(self->a, in, len, out, sizeof(out), &n));
		ASSERT_EQ(len, n);
		ASSERT_EQ(0, memcmp(in, out, len));
	}
}

struct worker {
	struct ebroker_enclave *e;
	pthread_barrier_t *start;
	int id, calls, busy, errors;
};

/* Each thread makes its calls, retrying those refused for want of a TCS. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	char in[64], out[64];

	pthread_barrier_wait(w->start);
	for (int i = 0; i < w->calls;) {
		size_t n = 0;
		int len = snprintf(in, sizeof(in), "thread %d call %d", w->id, i);
		int r = echo_call(w->e, in, (size_t)len, out, sizeof(out), &n);

		if (r == -EBUSY) {
			w->busy++;
			sched_yield();
			continue;
		}
		if (r || n != (size_t)len || memcmp(in, out, n))
			w->errors++;
		i++;
	}
	return NULL;
}

/* Twice as many threads as TCS: some calls get -EBUSY (the loader never
 * waits), all eventually succeed with their own data. */
TEST_F_TIMEOUT(sdk, threads, 300)
{
	enum { NR = 8, CALLS = 200 };
	struct worker w[NR];
	pthread_t t[NR];
	pthread_barrier_t start;
	int busy = 0;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, NR));
	for (int i = 0; i < NR; i++) {
		w[i] = (struct worker){ .e = self->a, .start = &start, .id = i, .calls = CALLS };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker, &w[i]));
	}
	for (int i = 0; i < NR; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].errors);
		busy += w[i].busy;
	}
	TH_LOG("%d threads, 4 TCS: %d calls refused with -EBUSY and retried", NR, busy);
	pthread_barrier_destroy(&start);
}

/* A's REPORT for @ti with @data, through the echo REPORT ECALL. */
static int report_for(struct ebroker_enclave *e, const struct eb_targetinfo *ti, const char *data,
		      struct eb_report *r)
{
	uint8_t in[EB_TARGETINFO_SIZE + EB_REPORTDATA_SIZE] = { 0 };
	size_t n = 0;
	int ret;

	memcpy(in, ti, EB_TARGETINFO_SIZE);
	memcpy(in + EB_TARGETINFO_SIZE, data, strnlen(data, EB_REPORTDATA_SIZE - 1));
	ret = ebroker_enclave_call(e, ECHO_ECALL_REPORT, in, sizeof(in), r, sizeof(*r), &n);
	if (!ret && n != sizeof(*r))
		return -EPROTO;
	return ret;
}

static int verify_in(struct ebroker_enclave *e, const struct eb_report *r)
{
	return ebroker_enclave_call(e, ECHO_ECALL_VERIFY, r, sizeof(*r), NULL, 0, NULL);
}

/* A (echo) reports to B (echo-2tcs); only B can verify it. */
TEST_F(sdk, local_attestation)
{
	struct eb_targetinfo ti_a, ti_b, ti_other;
	struct eb_enclave_info ia, ib;
	struct eb_report r, tampered;

	if (!have_report_ioctls())
		SKIP(return, "module has no EB_IOC_ENCLAVE_REPORT/GETKEY");
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo-2tcs"), NULL, &self->b));
	ASSERT_EQ(0, ebroker_enclave_info(self->a, &ia));
	ASSERT_EQ(0, ebroker_enclave_info(self->b, &ib));
	ASSERT_NE(0, memcmp(ia.mrenclave, ib.mrenclave, sizeof(ia.mrenclave)));
	ASSERT_EQ(0, ebroker_enclave_targetinfo(self->a, &ti_a));
	ASSERT_EQ(0, ebroker_enclave_targetinfo(self->b, &ti_b));

	ASSERT_EQ(0, report_for(self->a, &ti_b, "hello B", &r));
	/* The body is A's identity and A's data. */
	EXPECT_EQ(0, memcmp(r.mrenclave, ia.mrenclave, sizeof(r.mrenclave)));
	EXPECT_EQ(0, memcmp(r.mrsigner, ia.mrsigner, sizeof(r.mrsigner)));
	EXPECT_EQ(ia.attributes, r.attributes);
	EXPECT_EQ(ia.isv_prod_id, r.isv_prod_id);
	EXPECT_EQ(ia.isv_svn, r.isv_svn);
	EXPECT_EQ(0, strcmp((char *)r.report_data, "hello B"));
	EXPECT_EQ(0, verify_in(self->b, &r));
	/* Not A's to verify: it was MACed with B's report key. */
	EXPECT_EQ(-EBADMSG, verify_in(self->a, &r));

	/* Every byte of the body is covered. */
	tampered = r;
	tampered.report_data[0] ^= 1;
	EXPECT_EQ(-EBADMSG, verify_in(self->b, &tampered));
	tampered = r;
	tampered.isv_svn++;
	EXPECT_EQ(-EBADMSG, verify_in(self->b, &tampered));
	tampered = r;
	tampered.mac[15] ^= 0x80;
	EXPECT_EQ(-EBADMSG, verify_in(self->b, &tampered));

	/* A report for another target does not verify in B... */
	ASSERT_EQ(0, report_for(self->a, &ti_a, "for A", &r));
	EXPECT_EQ(-EBADMSG, verify_in(self->b, &r));
	EXPECT_EQ(0, verify_in(self->a, &r));
	/* ...nor one for an enclave that does not exist. */
	ti_other = ti_b;
	ti_other.mrenclave[0] ^= 1;
	ASSERT_EQ(0, report_for(self->a, &ti_other, "for nobody", &r));
	EXPECT_EQ(-EBADMSG, verify_in(self->b, &r));
}

/* SHA-256 of a SEAL key, from the echo SEAL_PROBE ECALL. */
static int seal_probe(struct ebroker_enclave *e, uint16_t policy, int svn, uint8_t id,
		      uint8_t hash[32])
{
	struct echo_seal_probe p = { .key_policy = policy };
	size_t n = 0;
	int ret;

	if (svn >= 0) {
		p.flags = ECHO_SEAL_ISVSVN;
		p.isv_svn = (uint16_t)svn;
	}
	memset(p.key_id, id, sizeof(p.key_id));
	ret = ebroker_enclave_call(e, ECHO_ECALL_SEAL_PROBE, &p, sizeof(p), hash, 32, &n);
	return !ret && n != 32 ? -EPROTO : ret;
}

TEST_F(sdk, seal_keys)
{
	uint8_t a1[32], a2[32], b[32], x[32];

	if (!have_report_ioctls())
		SKIP(return, "module has no EB_IOC_ENCLAVE_REPORT/GETKEY");
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo-2tcs"), NULL, &self->b));

	/* MRENCLAVE policy: stable for one identity, another one differs. */
	ASSERT_EQ(0, seal_probe(self->a, EB_KEYPOLICY_MRENCLAVE, -1, 0, a1));
	ASSERT_EQ(0, seal_probe(self->a, EB_KEYPOLICY_MRENCLAVE, -1, 0, a2));
	EXPECT_EQ(0, memcmp(a1, a2, 32));
	ASSERT_EQ(0, seal_probe(self->b, EB_KEYPOLICY_MRENCLAVE, -1, 0, b));
	EXPECT_NE(0, memcmp(a1, b, 32));
	/* MRSIGNER policy: same signer, product and SVN, same key. */
	ASSERT_EQ(0, seal_probe(self->a, EB_KEYPOLICY_MRSIGNER, -1, 0, a2));
	ASSERT_EQ(0, seal_probe(self->b, EB_KEYPOLICY_MRSIGNER, -1, 0, b));
	EXPECT_EQ(0, memcmp(a2, b, 32));
	EXPECT_NE(0, memcmp(a1, a2, 32));
	/* The key id and an older ISVSVN diversify; a newer one is refused. */
	ASSERT_EQ(0, seal_probe(self->a, EB_KEYPOLICY_MRENCLAVE, -1, 1, x));
	EXPECT_NE(0, memcmp(a1, x, 32));
	ASSERT_EQ(0, seal_probe(self->a, EB_KEYPOLICY_MRENCLAVE, 0, 0, x));
	EXPECT_NE(0, memcmp(a1, x, 32));
	EXPECT_EQ(-EPERM, seal_probe(self->a, EB_KEYPOLICY_MRENCLAVE, 2, 0, x));
	EXPECT_FALSE(ebroker_enclave_dead(self->a));
}

/* A crash is the crashing enclave's end, nobody else's. */
TEST_F(sdk, crash)
{
	char out[8];
	size_t n;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->b));
	EXPECT_EQ(-EFAULT, ebroker_enclave_call(self->a, ECHO_ECALL_CRASH, NULL, 0, NULL, 0, NULL));
	EXPECT_TRUE(ebroker_enclave_dead(self->a));
	EXPECT_EQ(-EIO, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	ASSERT_EQ(0, echo_call(self->b, "alive", 5, out, sizeof(out), &n));
	EXPECT_EQ(0, memcmp(out, "alive", 5));
	EXPECT_FALSE(ebroker_enclave_dead(self->b));

	self->a = ebroker_enclave_free(self->a);
	self->b = ebroker_enclave_free(self->b);
	EXPECT_TRUE(pool_full());
}

TEST_F_TIMEOUT(sdk, spin_timeout, 120)
{
	struct ebroker_enclave_load_params p = { .call_timeout_ms = 300 };
	char out[8];
	size_t n;

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->b));
	/* Calls within the limit are not disturbed by the timer. */
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(0, echo_call(self->a, "tick", 4, out, sizeof(out), &n));
	EXPECT_EQ(-ETIMEDOUT,
		  ebroker_enclave_call(self->a, ECHO_ECALL_SPIN, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(-EIO, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	ASSERT_EQ(0, echo_call(self->b, "alive", 5, out, sizeof(out), &n));
	EXPECT_EQ(0, memcmp(out, "alive", 5));

	self->a = ebroker_enclave_free(self->a);
	self->b = ebroker_enclave_free(self->b);
	EXPECT_TRUE(pool_full());
}

/*
 * An image whose page changed after signing: the SIGSTRUCT no longer
 * matches MRENCLAVE and init refuses it, leaving no page, fd or mapping.
 */
TEST_F(sdk, corrupted_image)
{
	struct ebroker_image *img = NULL, *bad = NULL, *parsed = NULL;
	const struct ebroker_image_page *pg;
	uint8_t page[EB_PAGE_SIZE];
	bool flipped = false;
	void *buf = NULL;
	size_t len = 0;
	int fds, maps;

	ASSERT_EQ(0, ebroker_image_open(sample("echo"), &img));
	ASSERT_EQ(0, ebroker_image_new(ebroker_image_secs(img), &bad));
	for (size_t i = 0; i < ebroker_image_page_count(img); i++) {
		pg = ebroker_image_page(img, i);
		memcpy(page, pg->data, sizeof(page));
		/* The first page of code: one byte flipped. */
		if (!flipped && (pg->secinfo_flags & EB_SECINFO_X)) {
			page[100] ^= 0x01;
			flipped = true;
		}
		ASSERT_EQ(0, ebroker_image_add_page(bad, pg->offset, pg->secinfo_flags, page,
						    pg->measure, NULL));
	}
	ASSERT_TRUE(flipped);
	ASSERT_EQ(0, ebroker_image_set_sigstruct(bad, ebroker_image_sigstruct(img)));
	ASSERT_EQ(0, ebroker_image_serialize(bad, &buf, &len));
	ASSERT_EQ(0, ebroker_image_parse(buf, len, &parsed));

	fds = count_fds();
	maps = count_maps();
	EXPECT_EQ(-EPERM, ebroker_enclave_load(parsed, NULL, &self->a));
	EXPECT_EQ(NULL, self->a);
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(maps, count_maps());
	EXPECT_TRUE(pool_full());
	/* The original still loads. */
	EXPECT_EQ(0, ebroker_enclave_load(img, NULL, &self->a));

	free(buf);
	ebroker_image_free(parsed);
	ebroker_image_free(bad);
	ebroker_image_free(img);
}

/* A load refused at an EPC limit names the cgroup whose limit it was, and leaves nothing. */
TEST_F(sdk, refused_at_limit)
{
	uint64_t limit_id = 0;
	const struct ebroker_enclave_load_params p = { .limit_cgroup_id = &limit_id };
	char dir[64], buf[128];
	struct stat st;
	int fds, maps;

	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/ebsdk-%d", getpid());
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, stat(dir, &st));
	snprintf(buf, sizeof(buf), "/ebsdk-%d 64K", getpid());
	ASSERT_EQ(0, eb_write_file(EB_SYSFS "/cgroups/set_max", buf));
	ASSERT_EQ(0, eb_cgroup_enter(dir));
	fds = count_fds();
	maps = count_maps();
	/* echo needs more than 16 pages. */
	EXPECT_EQ(-EDQUOT, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	EXPECT_EQ(st.st_ino, limit_id);
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(maps, count_maps());
	ASSERT_EQ(0, eb_cgroup_enter("/sys/fs/cgroup"));
	EXPECT_TRUE(pool_full());
	snprintf(buf, sizeof(buf), "/ebsdk-%d max", getpid());
	EXPECT_EQ(0, eb_write_file(EB_SYSFS "/cgroups/set_max", buf));
	EXPECT_EQ(0, rmdir(dir));
}

/*
 * The signal handlers are the program's to hand over: nothing changes them
 * but ebroker_loader_signals_install() and _uninstall(); while installed
 * the program's own handlers still get every signal that is not about an
 * enclave call; after the last uninstall they are back, exactly.
 */
FIXTURE(signals)
{
	struct ebroker_enclave *a;
	int installs;
};

FIXTURE_SETUP(signals)
{
	self->a = NULL;
	self->installs = 0;
	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
}

FIXTURE_TEARDOWN(signals)
{
	self->a = ebroker_enclave_free(self->a);
	while (self->installs-- > 0)
		ebroker_loader_signals_uninstall();
}

#define INSTALL()                                               \
	do {                                                    \
		ASSERT_EQ(0, ebroker_loader_signals_install()); \
		self->installs++;                               \
	} while (0)
#define UNINSTALL()                                               \
	do {                                                      \
		ASSERT_EQ(0, ebroker_loader_signals_uninstall()); \
		self->installs--;                                 \
	} while (0)

/* Each of the five, as sigaction(2) reports it. */
static const int loader_sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGFPE, 0 /* timeout */ };
#define NR_LOADER_SIGS (sizeof(loader_sigs) / sizeof(loader_sigs[0]))

static int loader_sig(size_t i)
{
	return loader_sigs[i] ? loader_sigs[i] : EBROKER_LOADER_TIMEOUT_SIGNAL;
}

static void action_of(int sig, struct sigaction *ret)
{
	memset(ret, 0, sizeof(*ret));
	sigaction(sig, NULL, ret);
}

/* glibc's sigaction() always sets the kernel's SA_RESTORER, which an
 * action never set has not: not a difference. */
#define FLAGS(sa) ((sa)->sa_flags & ~0x04000000)

static bool same_action(const struct sigaction *a, const struct sigaction *b)
{
	return a->sa_handler == b->sa_handler && FLAGS(a) == FLAGS(b) &&
	       sigismember(&a->sa_mask, SIGUSR1) == sigismember(&b->sa_mask, SIGUSR1);
}

static bool is_app(int sig, const struct sigaction *app)
{
	struct sigaction cur;

	action_of(sig, &cur);
	return same_action(&cur, app);
}

static volatile sig_atomic_t app_ills, app_ill_code, app_ill_usr1_blocked, app_ill_segv_blocked;
static volatile sig_atomic_t app_buses, app_segvs;

/* Counts; steps over a ud2 of the test's own. */
static void app_sigill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	const uint8_t *rip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
	sigset_t now;

	app_ills++;
	app_ill_code = si->si_code;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	app_ill_usr1_blocked = sigismember(&now, SIGUSR1);
	app_ill_segv_blocked = sigismember(&now, SIGSEGV);
	if (rip[0] == 0x0f && rip[1] == 0x0b)
		uc->uc_mcontext.gregs[REG_RIP] += 2;
}

/* app_sigill, with SIGUSR1 blocked while it runs. */
static int set_app_sigill(void)
{
	struct sigaction ill = { .sa_sigaction = app_sigill, .sa_flags = SA_SIGINFO };

	sigemptyset(&ill.sa_mask);
	sigaddset(&ill.sa_mask, SIGUSR1);
	return sigaction(SIGILL, &ill, NULL);
}

static void app_sigbus(int sig)
{
	app_buses++;
}

static void app_sigsegv(int sig)
{
	app_segvs++;
}

/* (a) A SIGILL of the program's own, sent or executed outside any
 * enclave, and a SIGBUS, reach its handlers while an enclave works. */
TEST_F(signals, own_signals_chain)
{
	struct sigaction bus = { .sa_handler = app_sigbus };
	char out[8];
	size_t n;

	ASSERT_EQ(0, set_app_sigill());
	ASSERT_EQ(0, sigaction(SIGBUS, &bus, NULL));
	INSTALL();
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, echo_call(self->a, "x", 1, out, sizeof(out), &n));

	ASSERT_EQ(0, raise(SIGILL));
	EXPECT_EQ(1, app_ills);
	EXPECT_EQ(SI_TKILL, app_ill_code);
	__asm__ volatile("ud2");
	EXPECT_EQ(2, app_ills);
	EXPECT_EQ(ILL_ILLOPN, app_ill_code);
	/* With the mask it asked for, not the library's. */
	EXPECT_TRUE(app_ill_usr1_blocked);
	EXPECT_FALSE(app_ill_segv_blocked);
	ASSERT_EQ(0, raise(SIGBUS));
	EXPECT_EQ(1, app_buses);

	ASSERT_EQ(0, echo_call(self->a, "y", 1, out, sizeof(out), &n));
	EXPECT_EQ(0, memcmp(out, "y", 1));
	EXPECT_EQ(2, app_ills);
}

/* (b) After the last uninstall each signal has exactly the action it had
 * before, SIG_DFL only where that was it; one the program installed over
 * the library's in the meantime stays. */
TEST_F(signals, restores_previous)
{
	struct sigaction segv = { .sa_handler = app_sigsegv };
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	struct ebroker_enclave_load_params p = { .call_timeout_ms = 5000 };
	struct sigaction before[NR_LOADER_SIGS], cur;
	char out[8];
	size_t n;

	ASSERT_EQ(0, set_app_sigill());
	ASSERT_EQ(0, sigaction(SIGBUS, &dfl, NULL));
	ASSERT_EQ(0, sigaction(SIGFPE, &ign, NULL));
	ASSERT_EQ(0, sigaction(EBROKER_LOADER_TIMEOUT_SIGNAL, &ign, NULL));
	for (size_t i = 0; i < NR_LOADER_SIGS; i++)
		action_of(loader_sig(i), &before[i]);

	INSTALL();
	INSTALL();
	for (size_t i = 0; i < NR_LOADER_SIGS; i++)
		EXPECT_FALSE(is_app(loader_sig(i), &before[i]));
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	ASSERT_EQ(0, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	self->a = ebroker_enclave_free(self->a);
	/* Freeing the last enclave gives nothing back: installs do. */
	EXPECT_FALSE(is_app(SIGILL, &before[0]));
	UNINSTALL();
	EXPECT_FALSE(is_app(SIGILL, &before[0]));
	UNINSTALL();
	for (size_t i = 0; i < NR_LOADER_SIGS; i++)
		EXPECT_TRUE(is_app(loader_sig(i), &before[i]));
	action_of(SIGBUS, &cur);
	EXPECT_EQ(SIG_DFL, cur.sa_handler);
	EXPECT_EQ(-EALREADY, ebroker_loader_signals_uninstall());
	ASSERT_EQ(0, raise(SIGILL));
	EXPECT_EQ(1, app_ills);

	/* A handler installed over the library's is the program's word. */
	INSTALL();
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	ASSERT_EQ(0, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	ASSERT_EQ(0, sigaction(SIGSEGV, &segv, NULL));
	action_of(SIGSEGV, &segv);
	self->a = ebroker_enclave_free(self->a);
	UNINSTALL();
	EXPECT_TRUE(is_app(SIGSEGV, &segv));
	EXPECT_TRUE(is_app(SIGILL, &before[0]));
	ASSERT_EQ(0, raise(SIGSEGV));
	EXPECT_EQ(1, app_segvs);
	EXPECT_TRUE(pool_full());
}

/* (d) Loading leaves the handlers alone; a sim call without them is
 * refused, not a SIGILL that kills the process. */
TEST_F(signals, call_needs_install)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, before;
	char out[8];
	size_t n;

	ASSERT_EQ(0, sigaction(SIGILL, &dfl, NULL));
	action_of(SIGILL, &before);
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	EXPECT_TRUE(is_app(SIGILL, &before));
	EXPECT_EQ(-EPERM, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	EXPECT_FALSE(ebroker_enclave_dead(self->a));

	INSTALL();
	ASSERT_EQ(0, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	UNINSTALL();
	EXPECT_TRUE(is_app(SIGILL, &before));
	EXPECT_EQ(-EPERM, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	EXPECT_EQ(-EALREADY, ebroker_loader_signals_uninstall());
	self->a = ebroker_enclave_free(self->a);
	EXPECT_TRUE(pool_full());
}

struct bg_call {
	struct ebroker_enclave *e;
	uint32_t ecall;
	volatile int started;
	int ret;
};

static void *bg_call(void *arg)
{
	struct bg_call *c = arg;
	char out[8];

	c->started = 1;
	c->ret = ebroker_enclave_call(c->e, c->ecall, "bg", 2, out, sizeof(out), NULL);
	return NULL;
}

static void *warm_thread(void *arg)
{
	void *volatile p = malloc(64);

	free(p);
	return NULL;
}

/* Start @c in a thread and give it time to be inside the enclave. */
static int bg_start(struct bg_call *c, pthread_t *t)
{
	int r = pthread_create(t, NULL, bg_call, c);

	if (r)
		return r;
	while (!c->started)
		usleep(1000);
	usleep(300 * 1000);
	return 0;
}

/* A call in progress keeps the handlers through the last uninstall: its
 * timer signal still ends it, and they go when it returns. */
TEST_F_TIMEOUT(signals, uninstall_during_call, 60)
{
	struct ebroker_enclave_load_params p = { .call_timeout_ms = 1000 };
	struct sigaction dfl = { .sa_handler = SIG_DFL }, before[NR_LOADER_SIGS];
	struct bg_call c = { .ecall = ECHO_ECALL_SPIN };
	pthread_t t;

	for (size_t i = 0; i < NR_LOADER_SIGS; i++) {
		ASSERT_EQ(0, sigaction(loader_sig(i), &dfl, NULL));
		action_of(loader_sig(i), &before[i]);
	}
	INSTALL();
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	c.e = self->a;
	ASSERT_EQ(0, bg_start(&c, &t));
	UNINSTALL();
	EXPECT_FALSE(is_app(SIGILL, &before[0]));
	pthread_join(t, NULL);
	EXPECT_EQ(-ETIMEDOUT, c.ret);
	for (size_t i = 0; i < NR_LOADER_SIGS; i++)
		EXPECT_TRUE(is_app(loader_sig(i), &before[i]));
}

/* (c) Freeing an enclave while another thread is inside a call: the call
 * ends as it would have (here at its timeout), and the enclave's file,
 * mapping and EPC pages go when it returns. And the usual order: the
 * call returns, then the free is the last reference. */
TEST_F_TIMEOUT(signals, free_during_call, 60)
{
	struct ebroker_enclave_load_params p = { .call_timeout_ms = 1000 };
	struct bg_call c = { .ecall = ECHO_ECALL_SPIN };
	int fds, maps;
	pthread_t t;

	INSTALL();
	/* A thread's stack and malloc arena stay after it ends: count with
	 * them. */
	ASSERT_EQ(0, pthread_create(&t, NULL, warm_thread, NULL));
	pthread_join(t, NULL);
	fds = count_fds();
	maps = count_maps();

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	c.e = self->a;
	ASSERT_EQ(0, bg_start(&c, &t));
	self->a = ebroker_enclave_free(self->a);
	EXPECT_FALSE(pool_full());
	EXPECT_EQ(fds + 1, count_fds());
	pthread_join(t, NULL);
	EXPECT_EQ(-ETIMEDOUT, c.ret);
	EXPECT_TRUE(pool_full());
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(maps, count_maps());

	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	c = (struct bg_call){ .e = self->a, .ecall = ECHO_ECALL_ECHO };
	ASSERT_EQ(0, pthread_create(&t, NULL, bg_call, &c));
	pthread_join(t, NULL);
	EXPECT_EQ(0, c.ret);
	self->a = ebroker_enclave_free(self->a);
	EXPECT_TRUE(pool_full());
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(maps, count_maps());
}

static sigjmp_buf host_fault;

static void host_segv(int sig)
{
	siglongjmp(host_fault, 1);
}

/* A fault in the host's own code still reaches the host's handler. */
TEST_F(signals, foreign_fault_chains)
{
	struct sigaction sa = { .sa_handler = host_segv };
	volatile int *volatile nowhere = NULL;
	char out[8];
	size_t n;

	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	INSTALL();
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), NULL, &self->a));
	ASSERT_EQ(0, echo_call(self->a, "x", 1, out, sizeof(out), &n));
	if (!sigsetjmp(host_fault, 1)) {
		*nowhere = 1;
		ASSERT_TRUE(false);
	}
	ASSERT_EQ(0, echo_call(self->a, "y", 1, out, sizeof(out), &n));
}

/* A host fault with SIGSEGV ignored still kills the host, as without us
 * (the kernel does not let a fault be ignored), instead of looping. */
TEST_F(signals, ignored_fault_kills)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile int *volatile nowhere = NULL;
		struct rlimit no_core = { 0, 0 };
		struct ebroker_enclave *e;
		char out[8];
		size_t n;

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSEGV, SIG_IGN);
		if (ebroker_loader_signals_install() ||
		    ebroker_enclave_load_file(sample("echo"), NULL, &e) ||
		    echo_call(e, "x", 1, out, sizeof(out), &n))
			_exit(2);
		alarm(10);
		*nowhere = 1;
		_exit(3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
}

static volatile sig_atomic_t host_sigills;

static void host_sigill(int sig)
{
	host_sigills++;
}

static void *send_sigill(void *arg)
{
	usleep(100 * 1000);
	syscall(SYS_tgkill, getpid(), *(pid_t *)arg, SIGILL);
	return NULL;
}

/* A SIGILL sent with kill(2) during an ECALL is the host's signal, not an
 * instruction of the enclave's: it goes to the host's handler and the
 * enclave runs on (until its timeout). */
TEST_F_TIMEOUT(signals, sent_sigill_chains, 60)
{
	struct ebroker_enclave_load_params p = { .call_timeout_ms = 500 };
	struct sigaction sa = { .sa_handler = host_sigill };
	pid_t tid = gettid();
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGILL, &sa, NULL));
	INSTALL();
	ASSERT_EQ(0, ebroker_enclave_load_file(sample("echo"), &p, &self->a));
	ASSERT_EQ(0, pthread_create(&t, NULL, send_sigill, &tid));
	EXPECT_EQ(-ETIMEDOUT,
		  ebroker_enclave_call(self->a, ECHO_ECALL_SPIN, NULL, 0, NULL, 0, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(1, host_sigills);
}

TEST_HARNESS_MAIN
