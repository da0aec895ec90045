/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EBROKERCTL_GENL_H
#define EBROKERCTL_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker.h>
#include <linux/ebroker_genl.h>

/* What the family reports; see <linux/ebroker_genl.h> for each field. */
struct ctl_pool {
	uint64_t total, free, low_water, min_free;
	uint32_t enclaves;
	char backend[16];
};

struct ctl_cgroup {
	uint64_t id;
	char *path;
	uint64_t limit; /* EB_LIMIT_NONE: none */
	uint64_t current, peak, events, events_local;
	uint32_t enclaves;
	bool removed;
};

struct ctl_enclave {
	uint32_t id;
	uint64_t cgroup_id;
	uint32_t state; /* EB_STATE_* */
	uint64_t size, pages, attributes;
	bool measured; /* mrenclave and mrsigner are set */
	uint8_t mrenclave[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	uint16_t isv_prod_id, isv_svn;
	uint32_t owner_pid;
};

struct ctl_event {
	uint8_t cmd; /* EB_CMD_EVENT_* */
	uint64_t seq;
	bool has_seq, has_pool, has_cgroup, has_enclave, has_requested;
	struct ctl_pool pool;
	struct ctl_cgroup cgroup; /* path owned by the event */
	struct ctl_enclave enclave;
	uint64_t requested;
};

struct ctl_nl;

/*
 * Every function returns 0 or a negative errno: the kernel's own when it
 * refused the request (ctl_nl_extack() then has its message, if it sent
 * one), -ENOPKG from ctl_nl_open() when the module is not loaded, -EBADMSG
 * for a reply that breaks the protocol.
 */
int ctl_nl_open(struct ctl_nl **ret);
void ctl_nl_close(struct ctl_nl *nl);
const char *ctl_nl_extack(const struct ctl_nl *nl);

int ctl_get_pool(struct ctl_nl *nl, struct ctl_pool *ret);
int ctl_get_cgroup(struct ctl_nl *nl, const char *path, uint64_t id, struct ctl_cgroup *ret);
int ctl_dump_cgroups(struct ctl_nl *nl, struct ctl_cgroup **ret, size_t *ret_n);
int ctl_dump_enclaves(struct ctl_nl *nl, uint64_t cgroup_id, struct ctl_enclave **ret,
		      size_t *ret_n);
int ctl_set_limit(struct ctl_nl *nl, const char *path, uint64_t limit);

int ctl_nl_subscribe(struct ctl_nl *nl);
int ctl_nl_fd(const struct ctl_nl *nl);
typedef int (*ctl_event_fn)(const struct ctl_event *ev, void *userdata);
int ctl_nl_read_events(struct ctl_nl *nl, ctl_event_fn fn, void *userdata);

void ctl_cgroup_clear(struct ctl_cgroup *cg);
void ctl_cgroups_free(struct ctl_cgroup *v, size_t n);
const char *ctl_cgroup_path(const struct ctl_cgroup *v, size_t n, uint64_t id);
const char *ctl_enclave_state_name(uint32_t state);
const char *ctl_event_name(uint8_t cmd);

static inline void ctl_nl_closep(struct ctl_nl **nl)
{
	if (*nl)
		ctl_nl_close(*nl);
}

#endif /* EBROKERCTL_GENL_H */
