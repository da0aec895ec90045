/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ebroker: the generic netlink family "ebroker" -- the admin view of the
 * EPC pool, per-cgroup accounting and enclaves, and a multicast group of
 * events. sysfs (/sys/kernel/ebroker/) and this family are two views of the
 * same state.
 *
 * Attribute tree (every message carries a genlmsghdr with version
 * EB_GENL_VERSION, then top-level EB_A_* attributes):
 *
 *   EB_A_POOL            nest   EB_POOL_A_*
 *     TOTAL, FREE, LOW_WATER, MIN_FREE   u64 bytes
 *     ENCLAVES                           u32
 *     BACKEND                            string ("sim")
 *   EB_A_CGROUP          nest   EB_CG_A_*
 *     ID                                 u64 cgroup id (cgroupfs inode)
 *     PATH                               string, within the cgroup2 tree,
 *                                        from the root of the caller's
 *                                        cgroup namespace (events: of
 *                                        the initial one)
 *     LIMIT                              u64 bytes, EB_LIMIT_NONE = none
 *                                        (sysfs: max)
 *     CURRENT, PEAK                      u64 bytes
 *     EVENTS, EVENTS_LOCAL               u64 refusals
 *     ENCLAVES                           u32
 *     REMOVED                            flag: the cgroup was rmdir'ed
 *   EB_A_ENCLAVE         nest   EB_ENCL_A_*
 *     ID                                 u32 enclave id
 *     CGROUP_ID                          u64
 *     STATE                              u32 EB_STATE_* (<linux/ebroker.h>)
 *     SIZE                               u64 bytes of ELRANGE
 *     PAGES                              u64 EPC pages held, SECS included
 *     MRENCLAVE, MRSIGNER                binary, exactly 32 bytes; present
 *                                        once the enclave is initialised
 *     ATTRIBUTES                         u64 EB_ATTR_*
 *     ISV_PROD_ID, ISV_SVN               u16
 *     OWNER_PID                          u32 tgid that created it (in the
 *                                        initial pid namespace)
 *   EB_A_REQUESTED       u64    bytes a refused allocation asked for
 *   EB_A_EVENT_SEQ       u64    event number: +1 per event raised while
 *                               anyone listens
 *   EB_A_DUMP_FLAGS      u32    EB_DUMP_F_*
 *
 * Commands
 *
 *   EB_CMD_GET_POOL      do     reply: EB_A_POOL
 *   EB_CMD_GET_CGROUP    do     request: EB_A_CGROUP { ID | PATH }
 *                               reply: EB_A_CGROUP (all of it)
 *                        dump   request: [EB_A_DUMP_FLAGS]
 *                               one EB_A_CGROUP per message
 *                               (without CAP_SYS_ADMIN: only the caller's
 *                               cgroup and those below it; any other is
 *                               ENOENT, as if it did not exist)
 *   EB_CMD_GET_ENCLAVE   dump   request: [EB_A_CGROUP { ID }] to filter
 *                               one EB_A_ENCLAVE per message
 *                               (CAP_SYS_ADMIN and CAP_NET_ADMIN: it names
 *                               other tenants' processes)
 *   EB_CMD_SET_LIMIT     do     request: EB_A_CGROUP { ID | PATH, LIMIT }
 *                               (CAP_SYS_ADMIN and CAP_NET_ADMIN); LIMIT =
 *                               EB_LIMIT_NONE
 *                               clears
 *
 * Events, multicast to group "events" (CAP_SYS_ADMIN to join), each with
 * EB_A_EVENT_SEQ:
 *
 *   EB_CMD_EVENT_LIMIT_HIT        EB_A_CGROUP {ID, PATH, LIMIT, CURRENT} of
 *                                 the limiting cgroup, EB_A_REQUESTED
 *   EB_CMD_EVENT_POOL_LOW         EB_A_POOL: free fell below LOW_WATER
 *   EB_CMD_EVENT_POOL_OK          EB_A_POOL: free is back at LOW_WATER or
 *                                 above
 *   EB_CMD_EVENT_ENCLAVE_CREATED, _INITIALIZED, _RELEASED
 *                                 EB_A_ENCLAVE
 *
 * A listener that falls behind loses messages: its recvmsg() fails once
 * with ENOBUFS, and the gap shows in EB_A_EVENT_SEQ.
 *
 * Dumps that race with enclaves or cgroup entries coming and going are
 * flagged NLM_F_DUMP_INTR on the message where it was noticed; repeat the
 * dump to get a consistent picture.
 *
 * Errors: requests are validated strictly: unknown attributes, wrong
 * lengths, unknown flag bits and missing required attributes fail with
 * EINVAL and an extack message (with the offending attribute's offset).
 * Errors of dumps arrive in NLMSG_DONE. The family exists in the initial
 * network namespace only. EPERM without the
 * capability; ENOENT for an unknown cgroup (ID or PATH), or one the caller
 * may not see; EINVAL for the root cgroup's limit.
 */
#ifndef _UAPI_LINUX_EBROKER_GENL_H
#define _UAPI_LINUX_EBROKER_GENL_H

#define EB_GENL_NAME		"ebroker"
#define EB_GENL_VERSION		1
#define EB_GENL_MCGRP_EVENTS	"events"

/* EB_CG_A_LIMIT value meaning "no limit". */
#define EB_LIMIT_NONE		(~0ULL)

enum eb_cmd {
	EB_CMD_UNSPEC,
	EB_CMD_GET_POOL,
	EB_CMD_GET_CGROUP,
	EB_CMD_GET_ENCLAVE,
	EB_CMD_SET_LIMIT,
	EB_CMD_EVENT_LIMIT_HIT,
	EB_CMD_EVENT_POOL_LOW,
	EB_CMD_EVENT_POOL_OK,
	EB_CMD_EVENT_ENCLAVE_CREATED,
	EB_CMD_EVENT_ENCLAVE_INITIALIZED,
	EB_CMD_EVENT_ENCLAVE_RELEASED,

	__EB_CMD_MAX,
	EB_CMD_MAX = __EB_CMD_MAX - 1
};

enum eb_attr {
	EB_A_UNSPEC,
	EB_A_POOL,
	EB_A_CGROUP,
	EB_A_ENCLAVE,
	EB_A_REQUESTED,
	EB_A_EVENT_SEQ,
	EB_A_DUMP_FLAGS,
	EB_A_PAD,

	__EB_A_MAX,
	EB_A_MAX = __EB_A_MAX - 1
};

/**
 * enum eb_dump_flags - EB_A_DUMP_FLAGS of EB_CMD_GET_CGROUP dumps
 * @EB_DUMP_F_LIMITED: only cgroups that have a limit set
 */
enum eb_dump_flags {
	EB_DUMP_F_LIMITED	= 1U << 0,
};

#define EB_DUMP_F_ALL		(EB_DUMP_F_LIMITED)

enum eb_pool_attr {
	EB_POOL_A_UNSPEC,
	EB_POOL_A_TOTAL,
	EB_POOL_A_FREE,
	EB_POOL_A_LOW_WATER,
	EB_POOL_A_MIN_FREE,
	EB_POOL_A_ENCLAVES,
	EB_POOL_A_BACKEND,
	EB_POOL_A_PAD,

	__EB_POOL_A_MAX,
	EB_POOL_A_MAX = __EB_POOL_A_MAX - 1
};

enum eb_cgroup_attr {
	EB_CG_A_UNSPEC,
	EB_CG_A_ID,
	EB_CG_A_PATH,
	EB_CG_A_LIMIT,
	EB_CG_A_CURRENT,
	EB_CG_A_PEAK,
	EB_CG_A_EVENTS,
	EB_CG_A_EVENTS_LOCAL,
	EB_CG_A_ENCLAVES,
	EB_CG_A_REMOVED,
	EB_CG_A_PAD,

	__EB_CG_A_MAX,
	EB_CG_A_MAX = __EB_CG_A_MAX - 1
};

enum eb_enclave_attr {
	EB_ENCL_A_UNSPEC,
	EB_ENCL_A_ID,
	EB_ENCL_A_CGROUP_ID,
	EB_ENCL_A_STATE,
	EB_ENCL_A_SIZE,
	EB_ENCL_A_PAGES,
	EB_ENCL_A_MRENCLAVE,
	EB_ENCL_A_MRSIGNER,
	EB_ENCL_A_ATTRIBUTES,
	EB_ENCL_A_ISV_PROD_ID,
	EB_ENCL_A_ISV_SVN,
	EB_ENCL_A_OWNER_PID,
	EB_ENCL_A_PAD,

	__EB_ENCL_A_MAX,
	EB_ENCL_A_MAX = __EB_ENCL_A_MAX - 1
};

#endif /* _UAPI_LINUX_EBROKER_GENL_H */
