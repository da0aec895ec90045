/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebloader: load a signed enclave image through /dev/ebroker and call
 * into it. No OpenSSL: the daemon links it.
 *
 * Backends: with the module's `sim` backend (/sys/kernel/ebroker/backend)
 * ENCLU faults off hardware, so the library traps it (SIGILL) and emulates
 * EENTER, EEXIT, EREPORT and EGETKEY, the last two through the module's
 * EB_IOC_ENCLAVE_REPORT/GETKEY. The hardware backend (EBROKER_BACKEND_SGX:
 * /dev/sgx_enclave and the vDSO's __vdso_sgx_enter_enclave) is UNVERIFIED:
 * written against the SGX UAPI, never run on SGX hardware (see
 * docs/enclave-abi.md). Its calls need no signal handler and create no
 * timer or alternate stack.
 *
 * What the library does to the process, in sim (docs/enclave-abi.md). A
 * library should change no process-wide state behind its caller's back,
 * and signal dispositions are the application's: only it knows the order
 * its own handlers need and when it is done with enclaves, which an
 * install hidden in the first load could not. So:
 *  - Loading, calling and freeing never touch signal handlers. The program
 *    hands the library SIGILL, SIGSEGV, SIGBUS, SIGFPE and
 *    EBROKER_LOADER_TIMEOUT_SIGNAL explicitly with
 *    ebroker_loader_signals_install(), before its first sim call, and
 *    takes them back with ebroker_loader_signals_uninstall(). A sim call
 *    without them fails with -EPERM (ENCLU would otherwise kill the
 *    process).
 *  - While installed, the library owns those five signals, and chains:
 *    a signal that is not about an enclave call of the receiving thread
 *    (a fault in the program's own code, one sent with kill(2), a timer
 *    that is not ours) goes to the action that was installed before,
 *    as if the library were not there: its handler (SA_SIGINFO or not,
 *    with the same arguments and the signal mask the kernel would have
 *    given it; SA_NODEFER and SA_RESETHAND honoured), SIG_IGN, or the
 *    default action, which for all five ends the process, as it would
 *    have without the library. Install your own handlers before
 *    ebroker_loader_signals_install(); one installed over the library's
 *    while it is installed takes the signals from the enclaves.
 *  - The last uninstall puts back exactly the actions saved at install,
 *    and only where the library's handler is still the one installed: a
 *    handler the program installed after it is left in place. Nothing is
 *    ever reset to SIG_DFL unless that was the previous action.
 *  - A thread's first call gives it an alternate signal stack if it has
 *    none (freed when the thread exits), so that a fault on an enclave
 *    stack can still be handled.
 *  - With a call timeout, a thread's first call creates a POSIX timer for
 *    it (CLOCK_MONOTONIC, EBROKER_LOADER_TIMEOUT_SIGNAL to that thread).
 *
 * Conventions: negative errno; out-parameters named ret_* are untouched on
 * failure; nothing is logged; nothing exits. Calls on one enclave may come
 * from several threads at once (one per TCS). Each call holds a reference
 * on the enclave, so ebroker_enclave_free() may run while other threads
 * are in ebroker_enclave_call(): their calls finish (or fail) as they
 * would have, and the last of them unmaps and closes the enclave. Only
 * the calls may race with the free: no call may start, and no other
 * function may be called on the enclave, once ebroker_enclave_free() has
 * returned.
 */
#ifndef EBROKER_LOADER_H
#define EBROKER_LOADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker.h>

struct ebroker_image;

/* A loaded enclave (opaque). */
struct ebroker_enclave;

/* The signal that ends a call that ran past its timeout. */
#define EBROKER_LOADER_TIMEOUT_SIGNAL (SIGRTMIN + 4)

/**
 * ebroker_loader_signals_install() - hand the sim ENCLU emulation its signals
 *
 * Installs the library's SA_SIGINFO|SA_ONSTACK handlers for SIGILL,
 * SIGSEGV, SIGBUS, SIGFPE and EBROKER_LOADER_TIMEOUT_SIGNAL, saving the
 * actions installed before, to which they chain every signal that is not
 * theirs. Counted: only the first of several installs changes anything.
 * Thread-safe. Needed for calls on the sim backend only (not for loading).
 *
 * Return: 0; -errno from sigaction(2), with nothing changed.
 */
int ebroker_loader_signals_install(void);

/**
 * ebroker_loader_signals_uninstall() - give the signals back
 *
 * Drops what one ebroker_loader_signals_install() took. With the last one,
 * and once no sim call is in progress in any thread (a call keeps the
 * handlers until it returns), each signal whose action is still the
 * library's gets back the action saved at install; one the program
 * changed since is left alone. Thread-safe.
 *
 * Return: 0; -EALREADY (more uninstalls than installs).
 */
int ebroker_loader_signals_uninstall(void);

/* ebroker_enclave_load_params.flags */
#define EBROKER_LOAD_CGROUP    0x1 /* charge .cgroup_fd's cgroup (EB_IOC_ENCLAVE_SET_CGROUP) */
#define EBROKER_LOAD_DEVICE_FD 0x2 /* build in .device_fd, a /dev/ebroker opened by the caller */
#define EBROKER_LOAD_F_ALL     (EBROKER_LOAD_CGROUP | EBROKER_LOAD_DEVICE_FD)

/* ebroker_enclave_load_params.backend */
enum ebroker_backend {
	/* The module's sim if /sys/kernel/ebroker/backend says "sim", else
	 * SGX if /dev/sgx_enclave exists, else -ENODEV (neither is there) or
	 * -EOPNOTSUPP (the module is loaded with another backend). */
	EBROKER_BACKEND_AUTO = 0,
	EBROKER_BACKEND_SIM = 1, /* /dev/ebroker, ENCLU emulated */
	EBROKER_BACKEND_SGX = 2, /* /dev/sgx_enclave and the vDSO: UNVERIFIED */
};

/**
 * struct ebroker_enclave_load_params - how to load; all-zero is the default
 * @device:	the device to open; NULL: /dev/ebroker (sim) or
 *		/dev/sgx_enclave (SGX)
 * @flags:	EB_LOAD_*
 * @cgroup_fd:	with EBROKER_LOAD_CGROUP, an open cgroup v2 directory to charge
 *		the EPC pages to instead of the caller's (privileged); sim
 *		only: ebroker's accounting does not apply to /dev/sgx_enclave
 * @call_timeout_ms: a call that runs longer is stopped with -ETIMEDOUT
 *		and the enclave is dead after it; 0: no limit. Sim only.
 * @backend:	enum ebroker_backend; 0 (AUTO) picks one
 * @device_fd:	with EBROKER_LOAD_DEVICE_FD, a /dev/ebroker file descriptor that
 *		holds no enclave yet, opened by someone allowed to (the
 *		device is root-only: ebrokerd opens it for its unprivileged
 *		workers, and may have done EB_IOC_ENCLAVE_SET_CGROUP on it).
 *		The loader dup()s it (F_DUPFD_CLOEXEC): the caller keeps
 *		@device_fd and should close it once the load returns, as
 *		the enclave lives in the open file both share and its EPC
 *		pages return to the pool only when both are closed. Requires
 *		@backend EBROKER_BACKEND_SIM and @device NULL; the loader then
 *		opens no device and does not read /sys/kernel/ebroker/backend
 *		(an unprivileged sandbox may have neither).
 * @limit_cgroup_id: (out, optional) when the load fails with -EDQUOT,
 *		set to the id (cgroupfs inode number) of the cgroup whose EPC
 *		limit refused a page, as the module reports it: the cgroup
 *		charged or one of its ancestors. Untouched otherwise. Sim only.
 */
struct ebroker_enclave_load_params {
	const char *device;
	uint32_t flags;
	int cgroup_fd;
	uint32_t call_timeout_ms;
	uint32_t backend;
	int device_fd;
	uint64_t *limit_cgroup_id;
};

/**
 * ebroker_enclave_load() - create, build, initialise and map an enclave
 * @img:	a parsed image (<ebroker/image.h>); only read, and not needed
 *		once this returns
 * @params:	NULL for the defaults
 * @ret:	(out) the enclave, freed with ebroker_enclave_free()
 *
 * Reserves ELRANGE (SECS.SIZE, naturally aligned) in the address space,
 * creates the enclave there, adds every page, initialises it with the
 * image's SIGSTRUCT and maps each page with its rights. On failure
 * everything is undone: no EPC page and no mapping is left.
 *
 * Return: 0; -EINVAL (bad @params or @img; EBROKER_LOAD_DEVICE_FD without
 * EBROKER_BACKEND_SIM or with @device set); -EBADF (a bad @device_fd);
 * -ENODEV (no backend: neither
 * the module nor /dev/sgx_enclave, or the one asked for is missing);
 * -EOPNOTSUPP (the module runs another backend than sim; on SGX:
 * EBROKER_LOAD_CGROUP, a call timeout, or a vDSO without
 * __vdso_sgx_enter_enclave); -errno from the module's ioctls, among them
 * -EDQUOT/-ENOSPC (out of EPC), -EKEYREJECTED/-EBADMSG (bad SIGSTRUCT)
 * and -EPERM (the pages are not the ones signed); on SGX, -errno from the
 * driver's (EINIT's refusals are -EPERM); -ENOMEM.
 */
int ebroker_enclave_load(const struct ebroker_image *img,
			 const struct ebroker_enclave_load_params *params,
			 struct ebroker_enclave **ret);

/* ebroker_image_open() then ebroker_enclave_load(). */
int ebroker_enclave_load_file(const char *path, const struct ebroker_enclave_load_params *params,
			      struct ebroker_enclave **ret);

/**
 * ebroker_enclave_call() - run an ECALL on a free TCS
 * @e:		the enclave
 * @ecall:	the handler's number in the enclave's EBROKER_ECALL_TABLE
 * @in:		input, copied into the enclave once; NULL if @in_len is 0
 * @in_len:	its length; above EBROKER_ECALL_BUF_MAX (1 MiB) the runtime
 *		answers -E2BIG
 * @out:	output buffer; NULL if @out_cap is 0
 * @out_cap:	its capacity, likewise at most EBROKER_ECALL_BUF_MAX
 * @ret_out_len: (out, may be NULL) bytes the handler wrote to @out; set
 *		whenever the handler ran, whatever its status
 *
 * Both buffers must be valid host memory: the enclave copies them, and a
 * fault while it does kills the enclave (-EFAULT), as on hardware. Does
 * not wait: with every TCS busy it fails at once with -EBUSY.
 *
 * Return: the handler's status (0, a positive status, or a negative errno
 * of its own or the runtime's, e.g. -ENOSYS for an unknown @ecall), or one
 * of these, which only the loader returns: -EBUSY (every TCS is in a
 * call), -EFAULT (the enclave faulted), -ETIMEDOUT (it ran past the
 * timeout), -EIO (it faulted or timed out before: it is dead, free it),
 * -EPERM (sim, and ebroker_loader_signals_install() is not in effect),
 * -EINVAL (bad arguments here).
 */
int ebroker_enclave_call(struct ebroker_enclave *e, uint32_t ecall, const void *in, size_t in_len,
			 void *out, size_t out_cap, size_t *ret_out_len);

/* The enclave's /dev/ebroker (or /dev/sgx_enclave) file descriptor, owned by @e. */
int ebroker_enclave_fd(const struct ebroker_enclave *e);

/* The number of TCS, the most calls that can run at once. */
unsigned int ebroker_enclave_tcs_count(const struct ebroker_enclave *e);

/* A call faulted or timed out: every later call gives -EIO. */
bool ebroker_enclave_dead(const struct ebroker_enclave *e);

/**
 * ebroker_enclave_info() - the module's view: identity, ELRANGE, pages, cgroup
 * Return: 0; -errno from EB_IOC_ENCLAVE_INFO; -EOPNOTSUPP on SGX, whose
 * driver has no such ioctl.
 */
int ebroker_enclave_info(const struct ebroker_enclave *e, struct eb_enclave_info *ret_info);

/**
 * ebroker_enclave_targetinfo() - the TARGETINFO naming this enclave
 * @ret_ti:	(out) for another enclave's EREPORT: a REPORT made with it
 *		can be verified by this enclave (local attestation); on SGX
 *		made from the image: SIGSTRUCT.ENCLAVEHASH (which EINIT
 *		checked equals MRENCLAVE) and the SECS's attributes with INIT
 * Return: 0; -errno from EB_IOC_ENCLAVE_INFO.
 */
int ebroker_enclave_targetinfo(const struct ebroker_enclave *e, struct eb_targetinfo *ret_ti);

/**
 * ebroker_enclave_free() - drop the owner's reference: unmap and close
 * @e:		the enclave, or NULL
 *
 * Unmaps ELRANGE and closes the file at once, or, if other threads are in
 * ebroker_enclave_call() on @e, when the last of those calls returns.
 * Closing the file returns the EPC pages to the pool. Does not touch the
 * signal handlers. @e must not be used by the caller afterwards.
 *
 * Return: NULL, for `e = ebroker_enclave_free(e);`.
 */
struct ebroker_enclave *ebroker_enclave_free(struct ebroker_enclave *e);

#endif /* EBROKER_LOADER_H */
