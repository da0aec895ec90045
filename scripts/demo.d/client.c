// SPDX-License-Identifier: GPL-2.0
/*
 * Demo client: what a tenant's program does with libebroker. Open a session
 * on the keyvault enclave through ebrokerd, have it generate a key and sign
 * a digest, print what came back (or which side refused, and why), and keep
 * the session open until stdin closes so the demo can show it.
 *
 *   client NAME      (NAME only labels the output)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ebroker/client.h>

#include "sdk/samples/keyvault/keyvault.h"
#include "selftests/ebroker/broker_policy.h"

static int fail(const char *who, const char *what)
{
	struct ebroker_error e;

	if (ebroker_last_error(&e) == 0)
		printf("%s: %s failed: %s: %s\n", who, what, ebroker_side_name(e.side), e.message);
	else
		printf("%s: %s failed\n", who, what);
	return 1;
}

int main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "client";
	struct kv_generate gen = { .policy = 0x0001 /* EB_KEYPOLICY_MRENCLAVE */ };
	uint8_t out[KV_GENERATE_OUT_SIZE], digest[KV_DIGEST_SIZE] = { 0 };
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	struct ebroker_evidence ev;
	struct ebroker_session *s = NULL;
	struct ebroker *b = NULL;
	size_t len, quote_len;
	int status;
	char c;

	/* Each client its own message. The instance is shared by the tenant's
	 * sessions, and so is keyvault's one loaded key. */
	snprintf((char *)digest, sizeof(digest), "a digest from %s", who);
	if (ebroker_connect(NULL, &b) < 0)
		return fail(who, "connecting");
	if (broker_policy(&policy) < 0)
		return fail(who, "reading EBROKER_MRSIGNER and EBROKER_ROOT");
	if (ebroker_session_open(b, "keyvault", &opts, &s) < 0)
		return fail(who, "opening a keyvault session");
	if (ebroker_session_evidence(s, &ev, NULL, &quote_len) < 0)
		return fail(who, "reading the evidence");
	printf("%s: session %llu attested: MRSIGNER %02x%02x%02x%02x... product %u svn %u, "
	       "%s evidence, quote of %zu bytes verified against %s\n",
	       who, (unsigned long long)ebroker_session_id(s), ev.mrsigner[0], ev.mrsigner[1],
	       ev.mrsigner[2], ev.mrsigner[3], ev.isv_prod_id, ev.isv_svn,
	       ev.simulated ? "simulated" : "hardware", quote_len, ev.root);
	if (ebroker_call(s, KV_ECALL_GENERATE, &gen, sizeof(gen), out, sizeof(out), &len, &status) <
		0 ||
	    status != 0)
		return fail(who, "GENERATE");
	printf(
	    "%s: session %llu: key generated inside the enclave, public key %02x%02x%02x%02x...\n",
	    who, (unsigned long long)ebroker_session_id(s), out[1], out[2], out[3], out[4]);
	if (ebroker_call(s, KV_ECALL_SIGN, digest, sizeof(digest), out, sizeof(out), &len,
			 &status) < 0 ||
	    status != 0)
		return fail(who, "SIGN");
	printf("%s: signed a digest: r = %02x%02x%02x%02x... (%zu bytes)\n", who, out[0], out[1],
	       out[2], out[3], len);
	fflush(stdout);
	while (fread(&c, 1, 1, stdin) == 1)
		;
	ebroker_session_close(s);
	ebroker_disconnect(b);
	return 0;
}
