// SPDX-License-Identifier: GPL-2.0
/*
 * CGROUP arguments. The module names cgroups by their path within the
 * cgroup v2 hierarchy ("/tenants/a", as /proc/self/cgroup shows it). Admins
 * also type the filesystem path ("/sys/fs/cgroup/tenants/a") or leave out
 * the leading slash ("tenants/a"); all three mean the same cgroup.
 *
 * This is the one place ebrokerctl reads the filesystem for the module's
 * state, and it reads no ebroker file: the cgroup2 mounts come from
 * /proc/self/mountinfo, and the conversion is lexical (no symlinks are
 * followed, ".." is refused), so it works for cgroups that do not exist yet.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#include "cgpath.h"

/*
 * cg_path_clean() - the canonical form of an absolute path: one slash
 * between components, no "." component, no trailing slash ("/" for the
 * root). -EINVAL for a relative path or a ".." component, -ENAMETOOLONG.
 */
int cg_path_clean(const char *path, char **ret)
{
	_cleanup_(freep) char *out = NULL;
	const char *p = path, *end;
	size_t len = 0, n;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	out = malloc(strlen(path) + 2);
	if (!out)
		return -ENOMEM;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = end - p;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (!(n == 1 && p[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = end;
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	*ret = TAKE_PTR(out);
	return 0;
}

/* Undo the octal escapes (\040 for a space) of a mountinfo field, in place. */
static void mountinfo_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = 0;
}

void cg_mounts_free(struct cg_mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].mountpoint);
		free(m->v[i].root);
	}
	free(m->v);
	*m = (struct cg_mounts){ 0 };
}

/* proc(5): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SRC SUPEROPTS". */
static int mountinfo_line(char *line, struct cg_mounts *m)
{
	char *field[5], *sep, *fstype, *save = NULL;
	struct cg_mount *v;
	int r;

	sep = strstr(line, " - ");
	if (!sep)
		return 0;
	*sep = 0;
	fstype = strtok_r(sep + 3, " \n", &save);
	if (!fstype || strcmp(fstype, "cgroup2"))
		return 0;
	save = NULL;
	for (size_t i = 0; i < ELEMENTSOF(field); i++) {
		field[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!field[i])
			return 0;
	}
	mountinfo_unescape(field[3]);
	mountinfo_unescape(field[4]);

	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->v = v;
	v = &m->v[m->n];
	*v = (struct cg_mount){ 0 };
	r = cg_path_clean(field[4], &v->mountpoint);
	if (r == 0)
		r = cg_path_clean(field[3], &v->root);
	if (r < 0) {
		free(v->mountpoint);
		/* A mount we cannot make sense of is no mount of ours. */
		return r == -ENOMEM ? r : 0;
	}
	m->n++;
	return 0;
}

int cg_mounts_parse(FILE *mountinfo, struct cg_mounts *ret)
{
	_cleanup_(freep) char *line = NULL;
	struct cg_mounts m = { 0 };
	size_t size = 0;
	int r;

	while (getline(&line, &size, mountinfo) >= 0) {
		r = mountinfo_line(line, &m);
		if (r < 0) {
			cg_mounts_free(&m);
			return r;
		}
	}
	if (ferror(mountinfo)) {
		cg_mounts_free(&m);
		return -EIO;
	}
	*ret = m;
	return 0;
}

int cg_mounts_load(struct cg_mounts *ret)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	return cg_mounts_parse(f, ret);
}

/* The rest of path below mountpoint ("" or "/..."), or NULL if not below it. */
static const char *path_below(const char *path, const char *mountpoint)
{
	size_t n = strlen(mountpoint);

	if (!strcmp(mountpoint, "/"))
		return path;
	if (strncmp(path, mountpoint, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n;
}

/*
 * cg_path_from_arg() - the hierarchy path of a CGROUP argument. A relative
 * argument is relative to the hierarchy's root. An absolute one below a
 * cgroup2 mount point (the deepest, if mounts nest) is a filesystem path
 * and is taken relative to the cgroup that mount shows; any other absolute
 * one is a hierarchy path already. -EINVAL for an empty argument or one
 * with "..", -ENAMETOOLONG.
 */
int cg_path_from_arg(const char *arg, const struct cg_mounts *mounts, char **ret)
{
	_cleanup_(freep) char *abs = NULL, *clean = NULL, *joined = NULL;
	const struct cg_mount *best = NULL;
	const char *rest = NULL, *r2;
	int r;

	if (!*arg)
		return -EINVAL;
	if (asprintf(&abs, "%s%s", arg[0] == '/' ? "" : "/", arg) < 0)
		return -ENOMEM;
	r = cg_path_clean(abs, &clean);
	if (r < 0)
		return r;
	if (arg[0] == '/' && mounts) {
		for (size_t i = 0; i < mounts->n; i++) {
			r2 = path_below(clean, mounts->v[i].mountpoint);
			if (r2 &&
			    (!best || strlen(mounts->v[i].mountpoint) > strlen(best->mountpoint))) {
				best = &mounts->v[i];
				rest = r2;
			}
		}
	}
	if (!best) {
		*ret = TAKE_PTR(clean);
		return 0;
	}
	if (asprintf(&joined, "%s/%s", best->root, rest) < 0)
		return -ENOMEM;
	return cg_path_clean(joined, ret);
}
