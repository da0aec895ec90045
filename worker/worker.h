/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebroker-worker: the sandboxed process that runs one enclave instance and
 * serves its sessions (docs/worker.md). One thread, one epoll loop: calls
 * on an instance are serialised. main.c starts it and runs the loop,
 * control.c speaks to ebrokerd, session.c to clients, sandbox.c checks the
 * descriptors it is given and installs the seccomp filter.
 */
#ifndef EB_WORKER_H
#define EB_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <ebroker/loader.h>

#include "common/list.h"
#include "proto/proto.h"

#include "args.h"

/* The descriptors ebrokerd passes (docs/worker.md, "Invocation"). */
#define WORKER_FD_CONTROL 3 /* connected SOCK_SEQPACKET to ebrokerd */
#define WORKER_FD_DEVICE  4 /* /dev/ebroker, charge target already set */
#define WORKER_FD_IMAGE	  5 /* sealed memfd holding the verified .ebimg */
#define WORKER_FD_LISTEN  6 /* where a restarted ebrokerd reconnects */

/* Exit statuses; ebrokerd tells them apart. */
enum {
	WORKER_EXIT_OK = 0,	  /* stopped, or nothing left to serve */
	WORKER_EXIT_LOAD = 1,	  /* could not start: an ERROR said why */
	WORKER_EXIT_USAGE = 2,	  /* bad arguments or descriptors */
	WORKER_EXIT_DEAD = 3,	  /* the enclave faulted or timed out */
	WORKER_EXIT_INTERNAL = 4, /* the serving loop itself failed */
};

/* What an epoll event is about; the first member of what it points to. */
enum source_kind {
	SOURCE_CONTROL,
	SOURCE_LISTEN,
	SOURCE_SIGNAL,
	SOURCE_SESSION,
};

struct source {
	enum source_kind kind;
};

struct session {
	struct source src; /* first: epoll's data.ptr */
	struct list_head link;
	uint64_t id;
	uint32_t uid;
	uint32_t pid;
	uint64_t calls;
	int fd;
	bool in_enclave; /* the enclave holds its keys: SESSION_CLOSE it at the end */
	/* A reply the client's socket had no room for: the session reads
	 * nothing more until it is sent (EPOLLOUT). */
	struct nl_msg *pending;
	bool ended;
};

struct worker {
	struct worker_args args;
	uint32_t out_limit; /* worker_out_limit(args.max_msg) */

	struct ebroker_enclave *enclave;
	struct eb_enclave_info info; /* read once, before the sandbox */
	unsigned int tcs;

	int epoll_fd;
	int signal_fd;
	int listen_fd;
	int control_fd; /* -1 while ebrokerd is not connected */
	struct source control_src, listen_src, signal_src;

	struct list_head sessions;
	struct list_head ended; /* freed after each epoll batch */
	size_t nr_sessions;

	uint8_t *session_buf; /* args.max_msg bytes: one received CALL */
	uint8_t *call_buf;    /* 8 + args.max_msg bytes: SESSION_CALL's input */
	uint8_t *out_buf;     /* out_limit + WORKER_RECORD_EXTRA bytes: one result record */
	uint8_t control_buf[EBP_CONTROL_MSG_MAX];
	uint8_t control_out[EBP_CONTROL_MSG_MAX]; /* a W_CALL's output */

	int exit_status; /* -1 while serving */
};

/* control.c */
int control_send_ready(struct worker *w);
void control_event(struct worker *w);
void control_accept(struct worker *w);
/* Send @m (freed) if ebrokerd is connected; a failed send drops the connection. */
void control_send(struct worker *w, struct nl_msg *m);
void control_drop(struct worker *w, const char *why);

/* session.c */
struct eb_session_open_in;
struct eb_session_open_out;
/*
 * Take the session socket @fd and open the session in the enclave (@in: its
 * attestation inputs); @out is the report and key for W_ADDED. On failure
 * @fd is closed and @why says why.
 */
int session_add(struct worker *w, uint64_t id, uint32_t uid, uint32_t pid, int fd,
		const struct eb_session_open_in *in, struct eb_session_open_out *out, char *why,
		size_t why_len);
struct session *session_find(struct worker *w, uint64_t id);
void session_event(struct worker *w, struct session *s, uint32_t events);
/* End @s: close it, say W_ENDED with @reason; freed by session_reap(). */
void session_end(struct worker *w, struct session *s, enum ebp_side side, const char *reason);
void session_end_all(struct worker *w, enum ebp_side side, const char *reason);
void session_reap(struct worker *w);

/* load.c */
/*
 * Parse the image (fd 5) and build the enclave (fd 4) into @w->enclave,
 * @w->info and @w->tcs; both descriptors are closed. On failure @why says
 * what went wrong, for an ERROR, and @ret_side whose fault it is.
 */
int worker_load(struct worker *w, char *why, size_t why_len, enum ebp_side *ret_side);
/* For a load error: EBP_SIDE_KERNEL when the module refused, else WORKER. */
enum ebp_side load_error_side(int err);
/* What a load error means, in words. */
const char *load_error_words(int err);

/* sandbox.c */
/* getsockopt(SOL_SOCKET, @opt) of an int: 0 or -errno. */
int sock_get_int(int fd, int opt, int *ret);
/* Check descriptors 0-6; on failure, @why says which and how. */
int sandbox_check_fds(char *why, size_t why_len);
/* The seccomp allow-list for serving; see docs/worker.md. */
int sandbox_install(int enclave_fd, int signal_fd, int epoll_fd, int listen_fd);

#endif /* EB_WORKER_H */
