/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide declarations: the pieces main.c strings together at load.
 */
#ifndef EB_EBROKER_H
#define EB_EBROKER_H

#include <linux/kobject.h>

#define EB_BACKEND_SIM	"sim"

extern struct kobject *eb_kobj;

int eb_sysfs_init(void);
void eb_sysfs_exit(void);

int eb_driver_init(void);
void eb_driver_exit(void);

#endif /* EB_EBROKER_H */
