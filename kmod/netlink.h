/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_NETLINK_H
#define EB_NETLINK_H

#include <linux/ebroker_genl.h>

int eb_genl_init(void);
void eb_genl_exit(void);

#endif /* EB_NETLINK_H */
