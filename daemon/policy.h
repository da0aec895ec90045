/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebrokerd's policy: which users and groups may open which enclaves, what
 * each enclave is (image, signer, product id) and how many instances of it
 * a tenant gets, and the daemon's limits. It is read from a directory
 * (docs/man/ebroker-policy.5):
 *
 *   policy.conf             [Daemon], [Limits], [Allow]...   (optional)
 *   policy.d/NAME.conf      [Limits], [Allow]...   (by name, after policy.conf)
 *   enclaves.d/NAME.conf    [Enclave]: the enclave clients call NAME
 *
 * The whole policy is loaded or refused: the first error found is returned
 * as "FILE:LINE: reason" and nothing is kept, so a daemon that reloads keeps
 * serving with its previous policy. A loaded policy is immutable; lookups
 * take no lock and may run from any thread.
 *
 * Conventions: negative errno; ret_* untouched on failure; nothing logged.
 */
#ifndef EB_DAEMON_POLICY_H
#define EB_DAEMON_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ebroker_proto.h>

#include "common/util.h"

/* Bounds on what an administrator may write. */
#define EB_POLICY_LINE_MAX     4096	     /* bytes, without the newline */
#define EB_POLICY_FILE_MAX     (1024 * 1024) /* bytes */
#define EB_POLICY_FILES_MAX    1024	     /* policy.conf, policy.d/ and enclaves.d/ */
#define EB_POLICY_ENCLAVES_MAX 1024

#define EB_POLICY_DEFAULT_DIR "/etc/ebroker"

struct eb_policy;

/* One enclaves.d/NAME.conf. */
struct eb_enclave_conf {
	char name[EBP_ENCLAVE_NAME_MAX];
	char *image; /* absolute path */
	uint8_t mrsigner[32];
	uint16_t isv_prod_id;
	unsigned int min_warm;		    /* per tenant cgroup, kept even when idle */
	unsigned int max_instances;	    /* per tenant cgroup */
	unsigned int sessions_per_instance; /* before another instance is started */
	uint32_t idle_timeout_ms;	    /* an idle instance above min_warm stops */
	uint32_t call_timeout_ms;	    /* 0: no limit */
};

/* [Daemon] and [Limits]. */
struct eb_policy_limits {
	unsigned int sessions_per_user, sessions_per_cgroup;
	unsigned int connections_per_user, connections;
	uint32_t max_msg;   /* bytes of a session message */
	char *socket_group; /* NULL when empty: the socket is world-connectable */
	mode_t socket_mode;
	uid_t worker_uid_min, worker_uid_max; /* inclusive */
};

/* [Attestation], in policy.conf only. */
struct eb_policy_attestation {
	char quoting_enclave[EBP_ENCLAVE_NAME_MAX]; /* "" when not configured */
	char *state_dir;	    /* absolute; default EB_POLICY_DEFAULT_STATE_DIR */
	uint16_t min_platform_svn;  /* default 0 */
	uint32_t check_interval_ms; /* default 300 s; at least 1 s */
};

#define EB_POLICY_DEFAULT_STATE_DIR "/var/lib/ebroker/attestation"

/* What eb_policy_parse_text() is given. */
enum eb_policy_file_kind {
	EB_POLICY_FILE_POLICY,	 /* policy.conf */
	EB_POLICY_FILE_POLICY_D, /* policy.d/NAME.conf: no [Daemon] */
	EB_POLICY_FILE_ENCLAVE,	 /* enclaves.d/NAME.conf */
};

/**
 * eb_policy_load() - load and check the whole policy
 * @dir:	the configuration root (EB_POLICY_DEFAULT_DIR unless told)
 * @ret:	(out) the policy; free with eb_policy_free()
 * @ret_error:	(out) on failure, "FILE:LINE: reason", "FILE: reason" or
 *		"DIR: reason" (free() it); NULL only when memory ran out
 * Return: 0; -EINVAL for anything wrong in the policy (syntax, values,
 * unknown users, groups or enclaves, file or line too long, too many files,
 * a file or directory writable by others, a file that is not a regular
 * file); -ENOENT if @dir is missing; -ENOMEM; -errno from reading.
 */
int eb_policy_load(const char *dir, struct eb_policy **ret, char **ret_error);

/* An empty policy with the defaults, for eb_policy_parse_text(); NULL when out of memory. */
struct eb_policy *eb_policy_new(void);

/* NULL-safe; returns NULL. */
struct eb_policy *eb_policy_free(struct eb_policy *p);

DEFINE_FREEP(struct eb_policy, eb_policy_free)

/**
 * eb_policy_parse_text() - add one file to a policy that is being built
 * @p:		from eb_policy_new(), not yet finished
 * @kind:	enum eb_policy_file_kind
 * @name:	the file's name in messages; for EB_POLICY_FILE_ENCLAVE the
 *		enclave is called after its last component, without ".conf"
 *		("enclaves.d/echo.conf" and "echo" both name "echo")
 * @text:	the file's bytes, not necessarily NUL-terminated
 * @len:	their number, at most EB_POLICY_FILE_MAX
 * @ret_error:	(out) as for eb_policy_load()
 * All or nothing: on failure @p is as it was. Users and groups are resolved
 * here (NSS). Return: 0; -EINVAL; -EBUSY if @p is finished; -ENOMEM; -errno
 * from a user or group lookup that failed for another reason than the name
 * being unknown.
 */
int eb_policy_parse_text(struct eb_policy *p, int kind, const char *name, const char *text,
			 size_t len, char **ret_error);

/**
 * eb_policy_finish() - check what spans files, and seal the policy
 * @p:		the policy built by eb_policy_parse_text()
 * @ret_error:	(out) as for eb_policy_load()
 * Checks that every enclave an [Allow] rule names has an enclaves.d file.
 * eb_policy_load() calls it; lookups on a policy that is not finished see
 * what was added so far. Return: 0; -EINVAL; -EBUSY if already finished;
 * -ENOMEM.
 */
int eb_policy_finish(struct eb_policy *p, char **ret_error);

const struct eb_policy_limits *eb_policy_limits(const struct eb_policy *p);

const struct eb_policy_attestation *eb_policy_attestation(const struct eb_policy *p);

/* The enclave called @name, or NULL. */
const struct eb_enclave_conf *eb_policy_enclave(const struct eb_policy *p, const char *name);

/* Enclaves by index, in name order (strcmp), 0 <= @i < eb_policy_enclave_count(). */
size_t eb_policy_enclave_count(const struct eb_policy *p);
const struct eb_enclave_conf *eb_policy_enclave_at(const struct eb_policy *p, size_t i);

/**
 * eb_policy_may_open() - whether a user may open sessions with an enclave
 * @p:		the policy
 * @enclave:	the name the client asked for
 * @uid:	the caller's uid (from the kernel, not the message)
 * @gid:	its primary gid
 * @groups:	its supplementary gids (/proc/PID/status Groups:)
 * @n_groups:	their number
 * True when the enclave exists and an [Allow] rule naming it (or "*") lists
 * @uid in Users=, or @gid or one of @groups in Groups=. Root is not special.
 */
bool eb_policy_may_open(const struct eb_policy *p, const char *enclave, uid_t uid, gid_t gid,
			const gid_t *groups, size_t n_groups);

/* Whether @name is a valid enclave name: [A-Za-z0-9_.-]{1,63}. */
bool eb_enclave_name_valid(const char *name);

#endif /* EB_DAEMON_POLICY_H */
