// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ebroker_verify_quote(): the input is a quote,
 * verified against a root fixed at start-up (tq_fuzz_root_key(), the key
 * that signed the platform certificates of verify/fuzz-seeds, so mutations
 * of the seeds reach every check), with and without session claims.
 */
#include <stdlib.h>

#include "verify/internal.h"
#include "verify/issue.h"
#include "verify/testquote.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *root_pem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *root = NULL;

	if (tq_fuzz_root_key(&key) < 0 ||
	    ebv_root_cert_create(key, TQ_ROOT_CN, TQ_FUZZ_NOT_BEFORE, TQ_FUZZ_NOT_AFTER, &root) <
		0 ||
	    ebv_pem_write_cert(root, &root_pem, NULL) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebroker_policy policy = {
		.size = sizeof(policy),
		.flags = EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_ALLOW_SIMULATED,
		.mrenclave = { [0 ... 31] = TQ_MRENCLAVE_BYTE },
		.root_pem = root_pem,
		.at = TQ_FUZZ_AT,
	};
	struct ebroker_verify_failure failure;
	struct ebroker_evidence ev;
	struct ebroker_claims claims;
	int r;

	tq_fuzz_claims(&claims);
	r = ebroker_verify_quote(&policy, data, size, NULL, NULL, &ev, &failure);
	if ((r == 0) != (failure.check == EBROKER_VERIFY_OK))
		abort();
	policy.flags = EBROKER_POLICY_ANY_IDENTITY_INSECURE | EBROKER_POLICY_ALLOW_SIMULATED |
		       EBROKER_POLICY_ALLOW_DEBUG;
	r = ebroker_verify_quote(&policy, data, size, &claims, &claims, &ev, &failure);
	if ((r == 0) != (failure.check == EBROKER_VERIFY_OK))
		abort();
	return 0;
}
