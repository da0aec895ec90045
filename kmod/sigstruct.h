/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_SIGSTRUCT_H
#define EB_SIGSTRUCT_H

#include <linux/types.h>

struct eb_sigstruct;

int eb_sigstruct_verify(const struct eb_sigstruct *ss, u8 ret_mrsigner[32]);

#endif /* EB_SIGSTRUCT_H */
