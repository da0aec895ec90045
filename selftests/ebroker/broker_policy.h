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

/* 0, or -1 when the environment does not say what to accept. */
static inline int broker_policy(struct ebroker_policy *p)
{
	const char *hex = getenv("EBROKER_MRSIGNER"), *root = getenv("EBROKER_ROOT");

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	if (!hex || strlen(hex) != 64 || !root)
		return -1;
	for (int i = 0; i < 32; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		char *end;

		p->mrsigner[i] = (uint8_t)strtoul(b, &end, 16);
		if (*end)
			return -1;
	}
	p->flags = EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_ALLOW_SIMULATED;
	p->isv_prod_id = 1;
	p->root_file = root;
	return 0;
}

#endif /* EB_SELFTEST_BROKER_POLICY_H */
