/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EBROKERCTL_CGPATH_H
#define EBROKERCTL_CGPATH_H

#include <stddef.h>
#include <stdio.h>

/* A cgroup2 mount: where it is, and which cgroup it shows as its root. */
struct cg_mount {
	char *mountpoint;
	char *root;
};

struct cg_mounts {
	struct cg_mount *v;
	size_t n;
};

int cg_mounts_parse(FILE *mountinfo, struct cg_mounts *ret);
int cg_mounts_load(struct cg_mounts *ret);
void cg_mounts_free(struct cg_mounts *m);

int cg_path_clean(const char *path, char **ret);
int cg_path_from_arg(const char *arg, const struct cg_mounts *mounts, char **ret);

#endif /* EBROKERCTL_CGPATH_H */
