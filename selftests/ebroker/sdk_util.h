/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests of the SDK's samples through libebloader (sdk_test,
 * keyvault_test) share: where the samples are, and what the module offers.
 */
#ifndef EB_SDK_UTIL_H
#define EB_SDK_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ebroker.h>

#include "eb_test.h"

/* A sample image's path: build/sdk/samples/@name.ebimg beside build/selftests. */
static inline const char *sample(const char *name)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return name;
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/../sdk/samples/%s.ebimg", dirname(exe), name);
	return path;
}

/* Does the module do EREPORT/EGETKEY for sim (EB_IOC_ENCLAVE_REPORT)? */
static inline bool have_report_ioctls(void)
{
	struct eb_enclave_report r = { 0 };
	int fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = ioctl(fd, EB_IOC_ENCLAVE_REPORT, &r) == 0 || errno != ENOTTY;
	close(fd);
	return ok;
}

/* Is every EPC page back in the pool? (false if sysfs cannot be read) */
static inline bool pool_full(void)
{
	uint64_t total = eb_read_u64(EB_SYSFS "/pool/total_bytes");

	return total != UINT64_MAX && eb_read_u64(EB_SYSFS "/pool/free_bytes") == total;
}

#endif /* EB_SDK_UTIL_H */
