// SPDX-License-Identifier: GPL-2.0
/*
 * echo: the smallest enclave, for the SDK's tests. ECALLs (numbers in
 * echo.h, which the host side includes too):
 *   ECHO	copy the input to the output
 *   REPORT	in: TARGETINFO then 64 bytes of report data; out: the REPORT
 *   VERIFY	in: a REPORT for this enclave; 0 if its MAC verifies
 *   CRASH	fault on purpose (write to this enclave's own code)
 *   SPIN	never return
 *   SEAL_PROBE	in: struct echo_seal_probe; out: SHA-256 of that SEAL key
 */
#include <bearssl/bearssl_hash.h>
#include <linux/errno.h>

#include <ebroker/enclave.h>

#include "echo.h"

static int echo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	if (in_len > out_cap)
		return -EMSGSIZE;
	memcpy(out, in, in_len);
	*out_len = in_len;
	return 0;
}

static int report(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const struct eb_targetinfo *ti = in;
	int ret;

	if (in_len != EB_TARGETINFO_SIZE + EB_REPORTDATA_SIZE || out_cap < EB_REPORT_SIZE)
		return -EINVAL;
	ret = ebroker_ereport(ti, (const uint8_t *)in + EB_TARGETINFO_SIZE, out);
	if (ret)
		return ret;
	*out_len = EB_REPORT_SIZE;
	return 0;
}

static int verify(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	if (in_len != EB_REPORT_SIZE)
		return -EINVAL;
	return ebroker_report_verify(in);
}

/* Code pages are mapped RX: the write faults, in sim as on hardware. */
static int crash(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	*(volatile unsigned char *)(uintptr_t)&crash = 0xcc;
	return 0;
}

static int spin(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	for (;;)
		__asm__ volatile("pause");
	return 0;
}

static int seal_probe(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const struct echo_seal_probe *req = in;
	struct ebroker_seal_params p = { 0 };
	uint8_t key[EB_KEY_SIZE];
	br_sha256_context sha;
	int ret;

	if (in_len != sizeof(*req) || out_cap < br_sha256_SIZE)
		return -EINVAL;
	p.key_policy = req->key_policy;
	if (req->flags & ECHO_SEAL_ISVSVN) {
		p.flags = EBROKER_SEAL_F_ISVSVN;
		p.isv_svn = req->isv_svn;
	}
	memcpy(p.key_id, req->key_id, sizeof(p.key_id));
	ret = ebroker_seal_key(&p, key);
	if (ret)
		return ret;
	br_sha256_init(&sha);
	br_sha256_update(&sha, key, sizeof(key));
	br_sha256_out(&sha, out);
	ebroker_memzero(key, sizeof(key));
	*out_len = br_sha256_SIZE;
	return 0;
}

/* clang-format off */
EBROKER_ECALL_TABLE(
	[ECHO_ECALL_ECHO] = echo,
	[ECHO_ECALL_REPORT] = report,
	[ECHO_ECALL_VERIFY] = verify,
	[ECHO_ECALL_CRASH] = crash,
	[ECHO_ECALL_SPIN] = spin,
	[ECHO_ECALL_SEAL_PROBE] = seal_probe
);
/* clang-format on */
