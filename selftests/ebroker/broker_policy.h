/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verification policy of the ebrokerd tests and the demo client: what
 * broker_env.sh exports. The enclaves are the SDK's samples, signed with
 * the sample key (EBROKER_MRSIGNER, hex) as product 1, and the host is a
 * `sim` one whose attestation root is EBROKER_ROOT: simulated evidence is
 * accepted on purpose, and said so.
 */
#ifndef EB_SELFTEST_BROKER_POLICY_H
#define EB_SELFTEST_BROKER_POLICY_H

#include <stdlib.h>
#include <string.h>

#include <ebroker/verify.h>

#include "common/util.h"

/* 0, or -1 when the environment does not say what to accept. */
static inline int broker_policy(struct ebroker_policy *p)
{
	const char *hex = getenv("EBROKER_MRSIGNER"), *root = getenv("EBROKER_ROOT");

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	if (!hex || !root || hex_decode(hex, p->mrsigner, sizeof(p->mrsigner)) < 0)
		return -1;
	p->flags = EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_ALLOW_SIMULATED;
	p->isv_prod_id = 1;
	p->root_file = root;
	return 0;
}

#endif /* EB_SELFTEST_BROKER_POLICY_H */
