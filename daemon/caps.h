/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capabilities ebrokerd keeps, and dropping all others from the
 * effective, permitted, inheritable, ambient and bounding sets. Why each is
 * kept is in docs/deployment.md ("Capabilities").
 */
#ifndef EB_DAEMON_CAPS_H
#define EB_DAEMON_CAPS_H

/* Keep exactly the daemon's set; -errno (and nothing half done matters: the caller exits). */
int caps_drop_to_daemon_set(void);

#endif /* EB_DAEMON_CAPS_H */
