// SPDX-License-Identifier: GPL-2.0
/*
 * How ebrokerd stops. SIGTERM means one of two things, and only the service
 * manager knows which:
 *
 *  - a restart (systemctl restart, try-restart, a watchdog or crash
 *    restart, or a plain `kill`): ebrokerd exits at once and leaves its
 *    workers running; the next ebrokerd takes them back (restart.c) and no
 *    session notices;
 *  - a stop for good (systemctl stop, system shutdown): nothing of
 *    ebroker's may keep running. Every session ends, its client told why on
 *    the session itself, every worker stops (its enclave's EPC returns to
 *    the pool), and ebrokerd exits once the last one is gone.
 *
 * ebrokerd asks systemd which job is running on its unit: "stop" is a stop
 * for good, anything else (or no answer, or no systemd) is a restart.
 * SIGINT, for a daemon run by hand, is always a stop for good.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"

#define MANAGER_TIMEOUT_USEC (2 * 1000000ULL)
/* Past the workers' own SIGTERM grace (instance.c), after which they are killed. */
#define STOP_DEADLINE_USEC (15 * 1000000ULL)

static const char stop_reason[] = "ebrokerd is stopping (the service was stopped, not "
				  "restarted): every session ends and its enclave is unloaded";

/* systemd's own socket answers root directly; the system bus is the fallback. */
static int manager_connect(sd_bus **ret)
{
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r < 0)
		return r;
	r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		sd_bus_unref(bus);
		r = sd_bus_open_system(&bus);
		if (r < 0)
			return r;
	}
	(void)sd_bus_set_method_call_timeout(bus, MANAGER_TIMEOUT_USEC);
	*ret = bus;
	return 0;
}

/*
 * The type of the job systemd runs on our unit ("stop", "restart", ...),
 * or "" when there is none, in @buf.
 */
static int manager_job_type(char *buf, size_t cap, char *why, size_t why_cap)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL, *job = NULL;
	const char *unit, *job_path;
	char *type = NULL;
	sd_bus *bus = NULL;
	uint32_t job_id;
	int r;

	r = manager_connect(&bus);
	if (r < 0) {
		snprintf(why, why_cap, "cannot reach systemd: %s", strerror(-r));
		return r;
	}
	r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "GetUnitByPID", &error, &reply,
			       "u", (uint32_t)getpid());
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &unit);
	if (r < 0) {
		snprintf(why, why_cap, "cannot learn our unit: %s", error.message ?: strerror(-r));
		goto out;
	}
	r = sd_bus_get_property(bus, "org.freedesktop.systemd1", unit,
				"org.freedesktop.systemd1.Unit", "Job", &error, &job, "(uo)");
	if (r >= 0)
		r = sd_bus_message_read(job, "(uo)", &job_id, &job_path);
	if (r < 0) {
		snprintf(why, why_cap, "cannot read the unit's job: %s",
			 error.message ?: strerror(-r));
		goto out;
	}
	if (job_id == 0) {
		snprintf(buf, cap, "%s", "");
		r = 0;
		goto out;
	}
	r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", job_path,
				       "org.freedesktop.systemd1.Job", "JobType", &error, &type);
	if (r < 0) {
		snprintf(why, why_cap, "cannot read job %u's type: %s", job_id,
			 error.message ?: strerror(-r));
		goto out;
	}
	snprintf(buf, cap, "%s", type);
	free(type);
	r = 0;
out:
	sd_bus_error_free(&error);
	sd_bus_message_unref(job);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r;
}

bool stop_is_for_good(int signo)
{
	char type[32], why[256];

	if (signo == SIGINT)
		return true;
	if (!getenv("INVOCATION_ID") || sd_booted() <= 0)
		return false; /* not a systemd service: nobody to ask */
	if (manager_job_type(type, sizeof(type), why, sizeof(why)) < 0) {
		log_warning(0, "SIGTERM: %s; taking it for a restart (the workers keep running)",
			    why);
		return false;
	}
	log_info("SIGTERM: systemd runs a %s job on ebrokerd's unit", *type ? type : "(no)");
	return !strcmp(type, "stop");
}

static int stop_deadline(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	log_error(0, "stopping: %u worker(s) still running after %llu s; exiting without them",
		  d->n_instances, STOP_DEADLINE_USEC / 1000000ULL);
	return sd_event_exit(d->event, 1);
}

void stop_begin(struct daemon *d)
{
	struct conn *c, *cn;

	if (d->exiting)
		return;
	d->exiting = true;
	log_notice("stopping for good: %u session(s) end, %u worker(s) stop", d->n_sessions,
		   d->n_instances);
	sd_notify(false, "STOPPING=1");
	sd_event_source_set_enabled(d->listen_src, SD_EVENT_OFF);
	/* A request in flight is not answered: the client sees the connection close. */
	list_for_each_entry_safe (c, cn, &d->conns, link)
		conn_free(c);
	(void)sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC, STOP_DEADLINE_USEC, 0,
					 stop_deadline, d);
	stop_progress(d);
}

void stop_progress(struct daemon *d)
{
	struct instance *in, *inn;
	struct session *s, *sn;
	struct pool *pl, *pln;

	if (!d->exiting)
		return;
	/* Workers an earlier daemon left say who they are first (at most RESTART's timeout). */
	if (d->adopting)
		return;
	for (unsigned int b = 0; b < SESSION_BUCKETS; b++)
		list_for_each_entry_safe (s, sn, &d->session_buckets[b], hash_link)
			session_close(d, s, stop_reason);
	list_for_each_entry_safe (pl, pln, &d->pools, link)
		list_for_each_entry_safe (in, inn, &pl->instances, link)
			instance_stop(in);
	if (!d->n_instances) {
		log_notice("stopped: every session ended, every worker exited");
		sd_event_exit(d->event, 0);
	}
}
