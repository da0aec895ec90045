// SPDX-License-Identifier: GPL-2.0
/*
 * Entering enclaves in sim: ENCLU raises #UD off hardware, so the SIGILL
 * handler emulates what the CPU would do from the trapped registers:
 *
 *   EENTER  only at eb_sim_eenter_site, for the TCS the calling thread
 *           claimed: mark it busy, RCX = the return address, RAX = CSSA,
 *           RIP = OENTRY
 *   EEXIT   only from inside ELRANGE, only back to that return address
 *           and with the host's stack restored: mark the TCS free
 *   EREPORT, EGETKEY  only from inside ELRANGE, operands in ELRANGE and
 *           aligned as SGX requires: done by the module's ioctls
 *
 * and the fault handlers turn a fault inside an enclave, or a timer signal
 * past a call's deadline, into a jump to eb_sim_abort_landing on the host's
 * stack: the call returns -EFAULT/-ETIMEDOUT and the enclave is dead. All
 * state is the thread's own (struct call, in TLS) or atomics in struct
 * ebroker_enclave, so the handlers take no lock. Anything they do not recognise
 * as an enclave call of this thread is left to signals.c, which installed
 * them and chains to the application's handlers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"

#define ENCLU_EREPORT 0
#define ENCLU_EGETKEY 1
#define ENCLU_EENTER  2
#define ENCLU_EEXIT   4

#define EFLAGS_CF 0x0001
#define EFLAGS_PF 0x0004
#define EFLAGS_AF 0x0010
#define EFLAGS_ZF 0x0040
#define EFLAGS_SF 0x0080
#define EFLAGS_DF 0x0400
#define EFLAGS_OF 0x0800
#define EFLAGS_AC 0x40000

/* How often a timed-out call is retried when the timer fires outside it. */
#define TIMER_REPEAT_NS (10 * 1000 * 1000)

/* enter.S's argument block; offsets are its ARGS_*. */
struct eb_sim_args {
	uint64_t tcs;
	uint64_t ecall;
	uint64_t in;
	uint64_t in_len;
	uint64_t out;
	uint64_t out_cap;
	int64_t status;
	uint64_t out_len;
	uint64_t aborted;
};

_Static_assert(offsetof(struct eb_sim_args, status) == 48, "enter.S ARGS_STATUS");
_Static_assert(offsetof(struct eb_sim_args, aborted) == 64, "enter.S ARGS_ABORTED");

void eb_sim_enter(struct eb_sim_args *a);
extern const char eb_sim_eenter_site[], eb_sim_abort_landing[];

enum {
	CALL_IDLE,
	CALL_ENTERING, /* about to execute ENCLU[EENTER] */
	CALL_INSIDE,   /* in the enclave */
	CALL_DONE,     /* EEXITed */
	CALL_ABORTED,  /* resumed at eb_sim_abort_landing */
};

/* The calling thread's enclave call, if any. */
struct call {
	struct ebroker_enclave *e;
	struct eb_tcs_slot *tcs;
	volatile sig_atomic_t state;
	uint64_t host_rsp; /* at the ENCLU: where EEXIT and aborts return to */
	uint64_t ret_rip;  /* the instruction after it */
	uint64_t aep;
	uint32_t mxcsr; /* the host's, restored on an abort */
	uint16_t fcw;
	struct timespec deadline;
	int abort_code;
};

/* What a thread needs for calls, made on its first call. */
struct thread_res {
	void *altstack; /* ours, or NULL when the thread had one */
	size_t altstack_len;
	timer_t timer;
	bool have_timer;
};

#define TLS __attribute__((tls_model("initial-exec")))
static __thread struct call cur TLS;
static __thread struct thread_res *res TLS;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_error;
static pthread_key_t res_key;
static const int timer_cookie; /* its address tags our timers' signals */

static greg_t *reg(ucontext_t *uc, int r)
{
	return &uc->uc_mcontext.gregs[r];
}

/*
 * Leave the call: resume the thread at eb_sim_abort_landing with the stack
 * and FP control state it had at EENTER, no enclave SSE state, and the
 * call returning @code. A @fatal abort kills the enclave.
 */
static void abort_call(struct call *c, ucontext_t *uc, int code, bool fatal)
{
	fpregset_t fp = uc->uc_mcontext.fpregs;

	if (fatal)
		__atomic_store_n(&c->e->dead, 1, __ATOMIC_RELEASE);
	if (c->state == CALL_INSIDE)
		__atomic_store_n(&c->tcs->state, TCS_CLAIMED, __ATOMIC_RELEASE);
	*reg(uc, REG_RIP) = (uintptr_t)eb_sim_abort_landing;
	*reg(uc, REG_RSP) = c->host_rsp;
	*reg(uc, REG_EFL) &= ~(EFLAGS_DF | EFLAGS_AC);
	if (fp) {
		fp->mxcsr = c->mxcsr;
		fp->cwd = c->fcw;
		memset(fp->_xmm, 0, sizeof(fp->_xmm));
	}
	c->abort_code = code;
	c->state = CALL_ABORTED;
}

/* The thread is running enclave code (or code it jumped to, on its stack). */
static bool in_enclave(const struct call *c, ucontext_t *uc)
{
	return c->state == CALL_INSIDE &&
	       (eb_in_elrange(c->e, *reg(uc, REG_RIP)) || eb_in_elrange(c->e, *reg(uc, REG_RSP)));
}

/* [addr, addr + len) inside ELRANGE and aligned, as ENCLU operands must be. */
static bool operand_ok(const struct ebroker_enclave *e, uint64_t addr, uint64_t len, uint64_t align)
{
	return !(addr & (align - 1)) && eb_in_elrange(e, addr) && eb_in_elrange(e, addr + len - 1);
}

static void emulate_eenter(struct call *c, ucontext_t *uc, uint64_t rip)
{
	struct ebroker_enclave *e = c->e;
	const uint8_t *tcs = (const uint8_t *)(uintptr_t)c->tcs->addr;
	fpregset_t fp = uc->uc_mcontext.fpregs;
	uint32_t cssa, nssa;
	uint64_t oentry;
	int state = TCS_CLAIMED;

	c->host_rsp = *reg(uc, REG_RSP);
	c->mxcsr = fp ? fp->mxcsr : 0x1f80;
	c->fcw = fp ? fp->cwd : 0x37f;
	if (*reg(uc, REG_RAX) != ENCLU_EENTER || (uint64_t)*reg(uc, REG_RBX) != c->tcs->addr) {
		abort_call(c, uc, -EINVAL, false);
		return;
	}
	memcpy(&cssa, tcs + EB_TCS_CSSA, sizeof(cssa));
	memcpy(&nssa, tcs + EB_TCS_NSSA, sizeof(nssa));
	memcpy(&oentry, tcs + EB_TCS_OENTRY, sizeof(oentry));
	/* EENTER's #GP cases: no free SSA frame, an entry outside ELRANGE. */
	if (cssa >= nssa || oentry >= e->size) {
		abort_call(c, uc, -EFAULT, true);
		return;
	}
	/* A busy TCS (hardware's TCS.STATE): EENTER refuses to enter it. */
	if (!__atomic_compare_exchange_n(&c->tcs->state, &state, TCS_INSIDE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		abort_call(c, uc, -EBUSY, false);
		return;
	}
	c->aep = *reg(uc, REG_RCX);
	c->ret_rip = rip + 3;
	*reg(uc, REG_RCX) = rip + 3;
	*reg(uc, REG_RAX) = cssa;
	*reg(uc, REG_RIP) = e->base + oentry;
	c->state = CALL_INSIDE;
}

static void emulate_eexit(struct call *c, ucontext_t *uc)
{
	/* Anywhere but back into eb_sim_enter with its stack would run the
	 * host on a state it cannot trust: treat it as the enclave's fault. */
	if ((uint64_t)*reg(uc, REG_RBX) != c->ret_rip ||
	    (uint64_t)*reg(uc, REG_RSP) != c->host_rsp) {
		abort_call(c, uc, -EFAULT, true);
		return;
	}
	__atomic_store_n(&c->tcs->state, TCS_CLAIMED, __ATOMIC_RELEASE);
	*reg(uc, REG_RIP) = *reg(uc, REG_RBX);
	*reg(uc, REG_RCX) = c->aep;
	c->state = CALL_DONE;
}

static void emulate_ereport(struct call *c, ucontext_t *uc, uint64_t rip)
{
	struct eb_enclave_report r = {
		.targetinfo = *reg(uc, REG_RBX),
		.reportdata = *reg(uc, REG_RCX),
		.report = *reg(uc, REG_RDX),
	};

	if (!operand_ok(c->e, r.targetinfo, EB_TARGETINFO_SIZE, 512) ||
	    !operand_ok(c->e, r.reportdata, EB_REPORTDATA_SIZE, 128) ||
	    !operand_ok(c->e, r.report, EB_REPORT_SIZE, 512) ||
	    ioctl(c->e->fd, EB_IOC_ENCLAVE_REPORT, &r)) {
		abort_call(c, uc, -EFAULT, true);
		return;
	}
	*reg(uc, REG_RIP) = rip + 3;
}

static void emulate_egetkey(struct call *c, ucontext_t *uc, uint64_t rip)
{
	struct eb_enclave_getkey g = {
		.keyrequest = *reg(uc, REG_RBX),
		.key = *reg(uc, REG_RCX),
	};
	greg_t *efl = reg(uc, REG_EFL);

	if (!operand_ok(c->e, g.keyrequest, EB_KEYREQUEST_SIZE, 512) ||
	    !operand_ok(c->e, g.key, EB_KEY_SIZE, 16) ||
	    ioctl(c->e->fd, EB_IOC_ENCLAVE_GETKEY, &g)) {
		abort_call(c, uc, -EFAULT, true);
		return;
	}
	*reg(uc, REG_RAX) = g.sgx_error;
	*efl &= ~(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF);
	if (g.sgx_error)
		*efl |= EFLAGS_ZF;
	*reg(uc, REG_RIP) = rip + 3;
}

/* x86 register number -> ucontext slot */
static const int gpr_slot[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8,	 REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/*
 * RDRAND r64 (REX.W 0F C7 /6) on a CPU without it: the runtime's source of
 * randomness, served from getrandom(2). CF clear when that fails; the
 * runtime retries.
 */
static bool emulate_rdrand(ucontext_t *uc, const uint8_t *insn)
{
	uint64_t v;
	int rm;

	if ((insn[0] & 0xf8) != 0x48 || (insn[0] & 0x04) || insn[1] != 0x0f || insn[2] != 0xc7 ||
	    (insn[3] & 0xf8) != 0xf0)
		return false;
	rm = (insn[3] & 7) | (insn[0] & 1) << 3;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v)) {
		*reg(uc, gpr_slot[rm]) = (greg_t)v;
		*reg(uc, REG_EFL) |= EFLAGS_CF;
	} else {
		*reg(uc, gpr_slot[rm]) = 0;
		*reg(uc, REG_EFL) &= ~EFLAGS_CF;
	}
	*reg(uc, REG_EFL) &= ~(EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF);
	*reg(uc, REG_RIP) += 4;
	return true;
}

/* Compare @len instruction bytes, never reading past the first mismatch. */
static bool insn_is(const uint8_t *p, const uint8_t *want, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != want[i])
			return false;
	return true;
}

static bool on_sigill(struct call *c, siginfo_t *si, ucontext_t *uc)
{
	static const uint8_t enclu[3] = { 0x0f, 0x01, 0xd7 };
	uint64_t rip = *reg(uc, REG_RIP);
	const uint8_t *insn = (const uint8_t *)(uintptr_t)rip;

	/* si_code <= 0: sent by kill(2) and friends, not a #UD. */
	if (si->si_code <= 0)
		return false;
	if (c->state == CALL_ENTERING && rip == (uintptr_t)eb_sim_eenter_site) {
		emulate_eenter(c, uc, rip);
		return true;
	}
	if (!in_enclave(c, uc))
		return false;
	if (!eb_in_elrange(c->e, rip)) {
		/* Enclave code jumped out to host code that faulted. */
		abort_call(c, uc, -EFAULT, true);
		return true;
	}
	if (insn_is(insn, enclu, sizeof(enclu))) {
		switch (*reg(uc, REG_RAX)) {
		case ENCLU_EEXIT:
			emulate_eexit(c, uc);
			break;
		case ENCLU_EREPORT:
			emulate_ereport(c, uc, rip);
			break;
		case ENCLU_EGETKEY:
			emulate_egetkey(c, uc, rip);
			break;
		default: /* EENTER/ERESUME from inside, unknown leaves: #GP */
			abort_call(c, uc, -EFAULT, true);
		}
		return true;
	}
	if (!emulate_rdrand(uc, insn))
		abort_call(c, uc, -EFAULT, true);
	return true;
}

static bool on_fault(struct call *c, siginfo_t *si, ucontext_t *uc)
{
	/* si_code <= 0: sent by kill(2) and friends, not a fault. */
	if (si->si_code <= 0 || !in_enclave(c, uc))
		return false;
	abort_call(c, uc, -EFAULT, true);
	return true;
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static bool on_timer(struct call *c, siginfo_t *si, ucontext_t *uc)
{
	if (si->si_code != SI_TIMER || si->si_value.sival_ptr != &timer_cookie)
		return false;
	/* A signal the timer raised for an earlier call is stale: ignored.
	 * Outside the enclave (entering, leaving, in a handler) the timer
	 * fires again shortly. */
	if (in_enclave(c, uc) && past(&c->deadline))
		abort_call(c, uc, -ETIMEDOUT, true);
	return true;
}

bool eb_sim_signal(int sig, siginfo_t *si, void *uc)
{
	struct call *c = &cur;

	if (sig == SIGILL)
		return on_sigill(c, si, uc);
	if (sig == EBROKER_LOADER_TIMEOUT_SIGNAL)
		return on_timer(c, si, uc);
	return on_fault(c, si, uc);
}

static void thread_res_free(void *p)
{
	struct thread_res *r = p;
	stack_t ss;

	if (r->have_timer)
		timer_delete(r->timer);
	if (r->altstack) {
		if (!sigaltstack(NULL, &ss) && ss.ss_sp == r->altstack) {
			ss.ss_flags = SS_DISABLE;
			sigaltstack(&ss, NULL);
		}
		munmap(r->altstack, r->altstack_len);
	}
	free(r);
	res = NULL;
}

static void init(void)
{
	init_error = -pthread_key_create(&res_key, thread_res_free);
}

int eb_sim_init(void)
{
	pthread_once(&init_once, init);
	return init_error;
}

/* The calling thread's alternate signal stack and timer. */
static int thread_res_get(bool want_timer, struct thread_res **ret)
{
	struct sigevent sev = { 0 };
	struct thread_res *r = res;
	stack_t ss;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_DISABLE)) {
			long min = sysconf(_SC_MINSIGSTKSZ);

			r->altstack_len = min > 16384 ? 4 * (size_t)min : 65536;
			r->altstack = mmap(NULL, r->altstack_len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
			if (r->altstack == MAP_FAILED) {
				free(r);
				return -ENOMEM;
			}
			ss = (stack_t){ .ss_sp = r->altstack, .ss_size = r->altstack_len };
			if (sigaltstack(&ss, NULL)) {
				int err = -errno;

				munmap(r->altstack, r->altstack_len);
				free(r);
				return err;
			}
		}
		res = r;
		pthread_setspecific(res_key, r);
	}
	if (want_timer && !r->have_timer) {
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = EBROKER_LOADER_TIMEOUT_SIGNAL;
		sev.sigev_value.sival_ptr = (void *)&timer_cookie;
		sev._sigev_un._tid = gettid(); /* sigev_notify_thread_id */
		if (timer_create(CLOCK_MONOTONIC, &sev, &r->timer))
			return -errno;
		r->have_timer = true;
	}
	*ret = r;
	return 0;
}

static int arm(struct thread_res *r, struct timespec *deadline, uint32_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
		.it_interval = { .tv_nsec = TIMER_REPEAT_NS },
	};

	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += its.it_value.tv_sec;
	deadline->tv_nsec += its.it_value.tv_nsec;
	if (deadline->tv_nsec >= 1000000000) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000;
	}
	return timer_settime(r->timer, 0, &its, NULL) ? -errno : 0;
}

static void disarm(struct thread_res *r)
{
	static const struct itimerspec zero;

	timer_settime(r->timer, 0, &zero, NULL);
}

int eb_sim_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len, void *out,
		size_t out_cap, size_t *ret_out_len)
{
	struct call *c = &cur;
	struct eb_sim_args a = {
		.ecall = ecall,
		.in = (uintptr_t)in,
		.in_len = in_len,
		.out = (uintptr_t)out,
		.out_cap = out_cap,
	};
	struct eb_tcs_slot *slot;
	struct thread_res *r = NULL;
	int ret;

	/* A call from a signal handler that interrupted this thread's call. */
	if (c->state != CALL_IDLE)
		return -EBUSY;
	/* Without the handlers ENCLU would kill the process. */
	if (!eb_signals_get())
		return -EPERM;
	ret = thread_res_get(e->timeout_ms, &r);
	if (ret)
		goto put;
	slot = eb_claim_tcs(e);
	if (!slot) {
		ret = -EBUSY;
		goto put;
	}
	if (e->timeout_ms) {
		ret = arm(r, &c->deadline, e->timeout_ms);
		if (ret)
			goto release;
	}
	a.tcs = slot->addr;
	c->e = e;
	c->tcs = slot;
	c->abort_code = 0;
	/* The handlers read the call in this thread: order the stores before
	 * the state that lets them act, as seen from a signal. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->state = CALL_ENTERING;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);

	eb_sim_enter(&a);

	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	ret = a.aborted ? c->abort_code : 0;
	c->state = CALL_IDLE;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->e = NULL;
	c->tcs = NULL;
	if (e->timeout_ms)
		disarm(r);
	if (!a.aborted) {
		if (a.out_len > out_cap) {
			ret = -EPROTO;
		} else {
			ret = (int)a.status;
			if (ret_out_len)
				*ret_out_len = a.out_len;
		}
	}
release:
	__atomic_store_n(&slot->state, TCS_FREE, __ATOMIC_RELEASE);
put:
	eb_signals_put();
	return ret;
}
