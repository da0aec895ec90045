/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_IOCTL_H
#define EB_IOCTL_H

struct file;

long eb_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* EB_IOCTL_H */
