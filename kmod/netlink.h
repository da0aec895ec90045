/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_NETLINK_H
#define EB_NETLINK_H

#include <linux/types.h>

#include <linux/ebroker_genl.h>

struct eb_cg;
struct eb_encl;

int eb_genl_init(void);
void eb_genl_exit(void);

void eb_genl_event_limit_hit(struct eb_cg *cg, u64 requested);
void eb_genl_event_pool(bool low);
void eb_genl_event_enclave(u8 cmd, struct eb_encl *encl);

#endif /* EB_NETLINK_H */
