/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker's command line (docs/worker.md, "Invocation") and the limits
 * that follow from it. Pure functions, unit-tested in args_test.c.
 */
#ifndef EB_WORKER_ARGS_H
#define EB_WORKER_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker_attest.h>
#include <linux/ebroker_proto.h>

/*
 * --max-msg bounds: at least room for any ERROR the worker sends a client
 * (header, ERRNO, SIDE, a full MESSAGE), at most what a policy may allow.
 */
#define WORKER_MAX_MSG_MIN 1024
#define WORKER_MAX_MSG_MAX EBP_SESSION_MSG_MAX

/*
 * --call-timeout-ms bounds. Never 0 (no limit): the worker serves its
 * sessions and SIGTERM from one thread, so an endless call would wedge it.
 */
#define WORKER_CALL_TIMEOUT_MIN 1
#define WORKER_CALL_TIMEOUT_MAX (3600 * 1000)

/* --role: whom the instance serves. */
enum worker_role {
	WORKER_ROLE_TENANT,  /* "tenant": attested sessions only */
	WORKER_ROLE_QUOTING, /* "quoting": the quoting enclave, asked by ebrokerd (W_CALL) */
};

struct worker_args {
	uint64_t instance_id;		    /* --instance: not 0 */
	char enclave[EBP_ENCLAVE_NAME_MAX]; /* --enclave: [A-Za-z0-9_.-]{1,63} */
	uint32_t max_msg;		    /* --max-msg: bytes per session message */
	uint32_t call_timeout_ms;	    /* --call-timeout-ms */
	enum worker_role role;		    /* --role */
	char tenant[EBP_CGROUP_PATH_MAX];   /* --tenant: the cgroup charged, "/tenants/alice" */
};

/**
 * worker_args_parse() - parse the command line
 * @argc, @argv: main()'s; every option is required, once, as two words
 *		("--max-msg 65536"), in any order
 * @ret:	(out)
 * @why:	on failure, what is wrong, for a message ("--max-msg: 12 is
 *		out of range 1024..1048832")
 * @why_len:	its size
 * Return: 0; -EINVAL.
 */
int worker_args_parse(int argc, char *const *argv, struct worker_args *ret, char *why,
		      size_t why_len);

/* Decimal digits only, no sign or space, at most @max: 0 or -EINVAL/-ERANGE. */
int worker_parse_u64(const char *s, uint64_t max, uint64_t *ret);

/*
 * The most output bytes of an enclave function a RESULT can carry in a
 * @max_msg-byte message: the header and RECORD's attribute header come
 * first, RECORD is padded to 4 bytes, a netlink attribute holds at most
 * 65531 bytes, and the record adds its header, the result header and the
 * tag (WORKER_RECORD_EXTRA) to the output.
 */
uint32_t worker_out_limit(uint32_t max_msg);

#define WORKER_RECORD_EXTRA (EB_RECORD_OVERHEAD + sizeof(struct eb_record_result))

#endif /* EB_WORKER_ARGS_H */
