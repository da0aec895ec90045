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
 * docs/enclave-abi.md). None of the process-wide effects below apply to it.
 *
 * What the library does to the process, in sim (docs/enclave-abi.md):
 *  - On the first load it installs SA_SIGINFO|SA_ONSTACK handlers for
 *    SIGILL, SIGSEGV, SIGBUS, SIGFPE and EBROKER_LOADER_TIMEOUT_SIGNAL, once for
 *    the process. Signals that are not about an enclave call of the
 *    receiving thread go to the handler installed before (or the default
 *    action). Install your own handlers before the first load, or chain.
 *  - A thread's first call gives it an alternate signal stack if it has
 *    none (freed when the thread exits), so that a fault on an enclave
 *    stack can still be handled.
 *  - With a call timeout, a thread's first call creates a POSIX timer for
 *    it (CLOCK_MONOTONIC, EBROKER_LOADER_TIMEOUT_SIGNAL to that thread).
 *
 * Conventions: negative errno; out-parameters named ret_* are untouched on
 * failure; nothing is logged; nothing exits. Calls on one enclave may come
 * from several threads at once (one per TCS); ebroker_enclave_free() must not
 * race with them.
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
 * ebroker_enclave_free() - unmap and close an enclave
 * @e:		the enclave, or NULL
 *
 * Closing the file returns its EPC pages to the pool.
 *
 * Return: NULL, for `e = ebroker_enclave_free(e);`.
 */
struct ebroker_enclave *ebroker_enclave_free(struct ebroker_enclave *e);

#endif /* EBROKER_LOADER_H */
