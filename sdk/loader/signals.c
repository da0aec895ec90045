// SPDX-License-Identifier: GPL-2.0
/*
 * The process's signal handlers for the sim ENCLU emulation: installed by
 * ebroker_loader_signals_install() and removed by the matching last
 * ebroker_loader_signals_uninstall(), never by a load, a call or a free.
 *
 * Installing saves each signal's previous action; a signal that sim.c does
 * not claim as an enclave call of the receiving thread goes to it, so the
 * application's handlers keep working while ours are installed. Removing
 * puts back the saved action only where ours is still the installed one: a
 * handler the application installed after ours stays.
 *
 * The references: one per install, one per ECALL in progress (so that a
 * call in one thread keeps the handlers while another thread uninstalls).
 * lock serialises installing and removing; the handlers themselves take no
 * lock and read old_actions, which only change while none of ours is
 * installed.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "internal.h"

/* The ENCLU emulation's, the faults of an enclave, and the call timer's
 * (not a constant: SIGRTMIN is glibc's to choose at run time). */
#define NR_SIGS 5

static int sig_at(size_t i)
{
	static const int fixed[NR_SIGS - 1] = { SIGILL, SIGSEGV, SIGBUS, SIGFPE };

	return i < NR_SIGS - 1 ? fixed[i] : EBROKER_LOADER_TIMEOUT_SIGNAL;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int installs; /* under lock */
static unsigned int refs;     /* atomic; leaves 0 only under lock */
static bool installed;	      /* under lock */
static struct sigaction old_actions[NR_SIGS];

static struct sigaction *old_action(int sig)
{
	for (size_t i = 0; i < NR_SIGS; i++)
		if (sig_at(i) == sig)
			return &old_actions[i];
	return NULL;
}

/*
 * Not ours: what would have happened without us, with the application's
 * signal mask for its handler. A default action (that of every signal here
 * is to end the process) is put back, as it was before us, and the signal
 * left to recur (a fault re-executes) or raised again (asynchronous ones);
 * it is delivered when this handler returns.
 */
static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction o = *old_action(sig), *old = &o;
	bool async = si->si_code <= 0 || sig == EBROKER_LOADER_TIMEOUT_SIGNAL;
	sigset_t block, unblock;

	/* A one-shot handler: the next one of these gets the default. */
	if (old->sa_flags & SA_RESETHAND)
		*old_action(sig) = (struct sigaction){ .sa_handler = SIG_DFL };
	if (old->sa_handler == SIG_IGN && async)
		return;
	/* A fault cannot be ignored: the kernel would kill the process. */
	if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
		sigaction(sig, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
		if (async)
			raise(sig);
		return;
	}
	/* The mask the kernel would have given the application's handler:
	 * the interrupted code's, its sa_mask and the signal (unless
	 * SA_NODEFER). Ours blocked all of sig_at()'s besides; those
	 * neither asks for are unblocked again. The kernel restores the
	 * interrupted mask when we return. */
	block = old->sa_mask;
	if (!(old->sa_flags & SA_NODEFER))
		sigaddset(&block, sig);
	sigemptyset(&unblock);
	for (size_t i = 0; i < NR_SIGS; i++)
		if (!sigismember(&block, sig_at(i)) &&
		    !sigismember(&((ucontext_t *)uc)->uc_sigmask, sig_at(i)))
			sigaddset(&unblock, sig_at(i));
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
	if (old->sa_flags & SA_SIGINFO)
		old->sa_sigaction(sig, si, uc);
	else
		old->sa_handler(sig);
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	bool ours = eb_sim_signal(sig, si, uc);

	errno = saved_errno;
	if (!ours)
		chain(sig, si, uc);
}

static bool is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == handler;
}

static void remove_handlers(void)
{
	struct sigaction cur;

	for (size_t i = 0; i < NR_SIGS; i++)
		if (!sigaction(sig_at(i), NULL, &cur) && is_ours(&cur))
			sigaction(sig_at(i), &old_actions[i], NULL);
	installed = false;
}

/* One at a time: ours run with the others blocked. */
static int install_handlers(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NR_SIGS; i++)
		sigaddset(&sa.sa_mask, sig_at(i));
	for (size_t i = 0; i < NR_SIGS; i++) {
		struct sigaction *old = &old_actions[i];

		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		if (sig_at(i) == EBROKER_LOADER_TIMEOUT_SIGNAL)
			sa.sa_flags |= SA_RESTART;
		if (sigaction(sig_at(i), &sa, old)) {
			int r = -errno;

			remove_handlers();
			return r;
		}
		/* Ours, put back by someone who saved it: chaining to it
		 * would loop. What was there before it is not known. */
		if (is_ours(old))
			*old = (struct sigaction){ .sa_handler = SIG_DFL };
	}
	installed = true;
	return 0;
}

int ebroker_loader_signals_install(void)
{
	int r = 0;

	pthread_mutex_lock(&lock);
	if (!installed)
		r = install_handlers();
	if (!r) {
		installs++;
		__atomic_add_fetch(&refs, 1, __ATOMIC_ACQ_REL);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void eb_signals_put(void)
{
	if (__atomic_sub_fetch(&refs, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_lock(&lock);
	/* Installed again meanwhile, or removed by another put. */
	if (!__atomic_load_n(&refs, __ATOMIC_ACQUIRE) && installed)
		remove_handlers();
	pthread_mutex_unlock(&lock);
}

int ebroker_loader_signals_uninstall(void)
{
	bool had;

	/* Counted apart from the calls' references: one uninstall too many
	 * must not take away the handlers from a call in progress. */
	pthread_mutex_lock(&lock);
	had = installs > 0;
	if (had)
		installs--;
	pthread_mutex_unlock(&lock);
	if (!had)
		return -EALREADY;
	eb_signals_put();
	return 0;
}

bool eb_signals_get(void)
{
	unsigned int n = __atomic_load_n(&refs, __ATOMIC_ACQUIRE);

	do
		if (!n)
			return false;
	while (!__atomic_compare_exchange_n(&refs, &n, n + 1, true, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE));
	return true;
}
