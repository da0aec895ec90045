/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the module refused an enclave with EDQUOT, in words a tenant can act
 * on: the nearest cgroup, from the tenant's own up to the root, whose EPC
 * limit leaves no room for the enclave, read from /sys/kernel/ebroker.
 */
#ifndef EB_DAEMON_QUOTA_H
#define EB_DAEMON_QUOTA_H

#include <stddef.h>

/* "cgroup /tenants/alice is at its EPC limit of 8 MiB (...)" into @buf. */
void quota_explain(const char *sysfs_root, const char *cgroup_root, const char *cgpath,
		   const char *enclave, size_t need_pages, char *buf, size_t cap);

#endif /* EB_DAEMON_QUOTA_H */
