// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping capabilities without libcap: the bounding set one by one with
 * PR_CAPBSET_DROP (while CAP_SETPCAP is still held), the ambient set with
 * one prctl, then capset(2) for the rest.
 */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "common/util.h"

#include "caps.h"

static const int keep[] = {
	CAP_SYS_ADMIN, /* EB_IOC_ENCLAVE_SET_CGROUP: charge the tenant's cgroup */
	CAP_SETUID,    /* workers run under their own uid */
	CAP_SETGID,    /* ... and gid, with no supplementary groups */
	CAP_KILL,      /* stopping workers, which run under other uids */
	CAP_NET_ADMIN, /* SO_SNDBUFFORCE: session sockets sized to the message limit */
};

static int last_cap(void)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int v;

	if (f && fscanf(f, "%d", &v) == 1 && v > 0 && v < 64)
		return v;
	return CAP_LAST_CAP;
}

static bool kept(int cap)
{
	for (size_t i = 0; i < ELEMENTSOF(keep); i++)
		if (keep[i] == cap)
			return true;
	return false;
}

int caps_drop_to_daemon_set(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int last = last_cap();

	for (int cap = 0; cap <= last; cap++)
		if (!kept(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
		data[keep[i] / 32].effective |= 1u << (keep[i] % 32);
		data[keep[i] / 32].permitted |= 1u << (keep[i] % 32);
	}
	if (syscall(SYS_capset, &h, data) < 0)
		return -errno;
	return 0;
}
