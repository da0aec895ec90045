/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ebroker kselftests.
 */
#ifndef EB_TEST_H
#define EB_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ebroker.h>

#define EB_SYSFS "/sys/kernel/ebroker"

/* Read a whole small file into buf (NUL-terminated); -errno on failure. */
static inline int eb_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* Read a file holding one unsigned number; UINT64_MAX on any failure. */
static inline uint64_t eb_read_u64(const char *path)
{
	char buf[64], *end;
	uint64_t v;

	if (eb_read_file(path, buf, sizeof(buf)) < 0)
		return UINT64_MAX;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return UINT64_MAX;
	return v;
}

/* Write a string to a file; 0 or -errno (as the write reported it). */
static inline int eb_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Move the calling process into the cgroup v2 directory @dir; 0 or -errno. */
static inline int eb_cgroup_enter(const char *dir)
{
	char path[PATH_MAX], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return eb_write_file(path, pid);
}

/*
 * The module's accounting entries in sysfs, directories named by cgroup
 * id (an entry exists while its cgroup is charged or limited); -1 if the
 * directory cannot be read.
 */
static inline int eb_cg_entries(void)
{
	DIR *dir = opendir(EB_SYSFS "/cgroups");
	struct dirent *d;
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
			n++;
	closedir(dir);
	return n;
}

#endif /* EB_TEST_H */
