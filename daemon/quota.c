// SPDX-License-Identifier: GPL-2.0
/* Explaining an EPC quota refusal; see quota.h. */
#include <limits.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "common/util.h"
#include "ctl/size.h"

#include "quota.h"

static int read_u64(const char *path, uint64_t *ret)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	char word[32];

	if (!f || !fgets(word, sizeof(word), f))
		return -ENOENT;
	if (!strncmp(word, "max", 3)) {
		*ret = UINT64_MAX;
		return 0;
	}
	return sscanf(word, "%" SCNu64, ret) == 1 ? 0 : -EBADMSG;
}

/* size_format()'s "8M" as "8 MiB". */
static const char *human(uint64_t bytes, char buf[static SIZE_FORMAT_MAX + 8])
{
	char s[SIZE_FORMAT_MAX];
	size_t n;

	size_format(bytes, s);
	n = strlen(s);
	if (n && strchr("KMGTPE", s[n - 1]))
		snprintf(buf, SIZE_FORMAT_MAX + 8, "%.*s %ciB", (int)(n - 1), s, s[n - 1]);
	else
		snprintf(buf, SIZE_FORMAT_MAX + 8, "%s bytes", s);
	return buf;
}

void quota_explain(const char *sysfs_root, const char *cgroup_root, const char *cgpath,
		   const char *enclave, size_t need_pages, char *buf, size_t cap)
{
	uint64_t need = (uint64_t)need_pages * 4096, max, cur;
	char path[PATH_MAX], walk[PATH_MAX], b1[40], b2[40], b3[40];
	struct stat st;

	snprintf(walk, sizeof(walk), "%s", cgpath);
	for (;;) {
		snprintf(path, sizeof(path), "%s%s", cgroup_root, walk);
		if (stat(path, &st) == 0) {
			snprintf(path, sizeof(path), "%s/cgroups/%llu/max", sysfs_root,
				 (unsigned long long)st.st_ino);
			if (read_u64(path, &max) == 0 && max != UINT64_MAX) {
				snprintf(path, sizeof(path), "%s/cgroups/%llu/current", sysfs_root,
					 (unsigned long long)st.st_ino);
				if (read_u64(path, &cur) == 0 && (cur + need > max)) {
					snprintf(buf, cap,
						 "cgroup %s has not enough EPC left under its "
						 "limit of %s (%s in use; "
						 "an instance of enclave %s needs %s)",
						 walk, human(max, b1), human(cur, b2), enclave,
						 human(need, b3));
					return;
				}
			}
		}
		char *slash = strrchr(walk, '/');

		if (!slash || slash == walk)
			break;
		*slash = '\0';
	}
	snprintf(buf, cap,
		 "the EPC limit of cgroup %s or one of its ancestors leaves no room for an "
		 "instance of enclave %s (%s)",
		 cgpath, enclave, human(need, b3));
}
