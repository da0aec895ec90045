// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers every command uses: one line on stderr per failure, naming its
 * cause, and the exit status that goes with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

#include "cgpath.h"
#include "ctl.h"

static void vmessage(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(PROGRAM ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Prints "ebrokerctl: <message>" and returns status. */
int ctl_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	return status;
}

/* A usage error, and where help is, on one line. */
int ctl_usage(const char *command, const char *fmt, ...)
{
	_cleanup_(freep) char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	return ctl_error(CTL_EXIT_USAGE, "%s (try '" PROGRAM "%s%s --help')", r < 0 ? "usage" : msg,
			 command ? " " : "", command ? command : "");
}

/*
 * ctl_fail() - report a failed call to the module and return the exit status
 * for it. fmt says what was being done; cgroup, when the request named one,
 * turns ENOENT into "no such cgroup". The kernel's extended ACK message, if
 * any, ends the line.
 */
int ctl_fail(const struct ctl_nl *nl, int r, const char *cgroup, const char *fmt, ...)
{
	const char *extack = nl ? ctl_nl_extack(nl) : NULL;
	_cleanup_(freep) char *what = NULL;
	const char *cause;
	int status = CTL_EXIT_FAILURE;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);

	switch (r) {
	case -ENOPKG:
		return ctl_error(CTL_EXIT_NO_MODULE, "ebroker module not loaded (generic netlink "
						     "family '" EB_GENL_NAME "' not found)");
	case -EPERM:
	case -EACCES:
		cause = "permission denied (need CAP_SYS_ADMIN, and CAP_NET_ADMIN for quota set "
			"and enclaves)";
		status = CTL_EXIT_PERMISSION;
		break;
	case -ENOENT:
		/* The kernel's message adds nothing unless it says more. */
		if (extack && !strcmp(extack, "no such cgroup"))
			extack = NULL;
		if (cgroup)
			return ctl_error(CTL_EXIT_NO_CGROUP, "no such cgroup: %s%s%s%s", cgroup,
					 extack ? " (" : "", extack ? extack : "",
					 extack ? ")" : "");
		cause = strerror(-r);
		break;
	case -EAGAIN:
		cause = "the module's state kept changing during the dump; try again";
		break;
	case -EBADMSG:
		cause = "malformed reply from the module";
		break;
	default:
		cause = strerror(-r);
		break;
	}
	return ctl_error(status, "%s: %s%s%s", what ? what : "failed", cause, extack ? ": " : "",
			 extack ? extack : "");
}

/* Opens the family; on failure, reports it and returns the exit status (> 0). */
int ctl_connect(struct ctl_nl **ret)
{
	int r = ctl_nl_open(ret);

	return r < 0 ? ctl_fail(NULL, r, NULL, "cannot talk to the ebroker module") : 0;
}

/*
 * The hierarchy path of a CGROUP argument; on failure, reports it and returns
 * the exit status (> 0).
 */
int ctl_cgroup_arg(const char *arg, char **ret_path)
{
	struct cg_mounts mounts = { 0 };
	int r;

	/* Without a readable mountinfo every absolute path is a hierarchy path. */
	(void)cg_mounts_load(&mounts);
	r = cg_path_from_arg(arg, &mounts, ret_path);
	cg_mounts_free(&mounts);
	if (r == -ENOMEM)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
	if (r < 0)
		return ctl_error(CTL_EXIT_USAGE, "bad cgroup '%s': %s", arg,
				 r == -ENAMETOOLONG ? strerror(-r)
						    : "expected a path, without '..'");
	return 0;
}

/*
 * getopt_long() over a command's arguments (argv[0] is the command's name)
 * that handles the options every command has. shortopts must start with
 * ':' (and options may follow operands). Returns the next option of the command's own, -1 after the last,
 * or CTL_GETOPT_EXIT when the command is to end at once with *ret_status:
 * after --help, or after a bad option (reported).
 */
int ctl_getopt(struct ctl_opts *o, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, const char *help, int *ret_status)
{
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		switch (c) {
		case CTL_OPT_JSON:
			o->json = true;
			continue;
		case 'h':
			fputs(help, stdout);
			*ret_status = CTL_EXIT_OK;
			return CTL_GETOPT_EXIT;
		case ':':
			*ret_status =
			    ctl_usage(argv[0], "option '%s' needs a value", argv[optind - 1]);
			return CTL_GETOPT_EXIT;
		case '?':
			if (optopt)
				*ret_status = ctl_usage(argv[0], "unknown option '-%c'", optopt);
			else
				*ret_status =
				    ctl_usage(argv[0], "unknown option '%s'", argv[optind - 1]);
			return CTL_GETOPT_EXIT;
		default:
			return c;
		}
	}
}

/* A cgroup as the JSON of top, quota get and events shows it. */
void ctl_json_cgroup(struct json *j, const struct ctl_cgroup *cg)
{
	json_object_begin(j);
	json_kv_u64(j, "id", cg->id);
	json_kv_string(j, "path", cg->path);
	json_kv_u64(j, "current", cg->current);
	json_kv_limit(j, "max", cg->limit);
	json_kv_u64(j, "peak", cg->peak);
	json_kv_u64(j, "refusals", cg->events);
	json_kv_u64(j, "refusals_local", cg->events_local);
	json_kv_u64(j, "enclaves", cg->enclaves);
	json_kv_bool(j, "removed", cg->removed);
	json_object_end(j);
}

/* The members of an enclave's JSON object, for enclaves and events. */
void ctl_json_enclave_fields(struct json *j, const struct ctl_enclave *e)
{
	json_kv_u64(j, "id", e->id);
	json_kv_u64(j, "owner_pid", e->owner_pid);
	json_kv_u64(j, "cgroup_id", e->cgroup_id);
	json_kv_string(j, "state", ctl_enclave_state_name(e->state));
	json_kv_u64(j, "size", e->size);
	json_kv_u64(j, "pages", e->pages);
	json_kv_u64(j, "attributes", e->attributes);
	json_kv_bool(j, "debug", e->attributes & EB_ATTR_DEBUG);
	json_key(j, "mrenclave");
	if (e->measured)
		json_hex(j, e->mrenclave, sizeof(e->mrenclave));
	else
		json_null(j);
	json_key(j, "mrsigner");
	if (e->measured)
		json_hex(j, e->mrsigner, sizeof(e->mrsigner));
	else
		json_null(j);
	json_kv_u64(j, "isv_prod_id", e->isv_prod_id);
	json_kv_u64(j, "isv_svn", e->isv_svn);
}
