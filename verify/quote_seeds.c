// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seeds of build/fuzz/quote_fuzz into a directory (usually
 * verify/fuzz-seeds, where they are committed): valid `sim` quotes under
 * the fuzz target's fixed root, with and without DEBUG, a hardware one,
 * one with a broken QE binding, and truncated ones.
 *
 *   build/fuzz/quote_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verify/internal.h"
#include "verify/issue.h"
#include "verify/testquote.h"

static int put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "quote_seeds: %s: %m\n", path);
		return -errno;
	}
	ok = fwrite(buf, 1, len, f) == len;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "quote_seeds: %s: write failed\n", path);
		return -EIO;
	}
	return 0;
}

/* Make the quote of @q and write it, whole, as @name. */
static int seed(const char *dir, const char *name, const struct tq_params *q, size_t cut)
{
	_cleanup_(freep) uint8_t *buf = NULL;
	size_t len;
	int r;

	r = tq_quote(q, &buf, &len);
	if (r < 0)
		return r;
	return put(dir, name, buf, cut && cut < len ? cut : len);
}

int main(int argc, char **argv)
{
	static const uint8_t vendor_intel[16] = EB_QUOTE_VENDOR_INTEL;
	static const uint8_t other_auth[32] = { 0xeb };
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *root_key = NULL;
	struct tq_platform_opts o;
	struct tq_platform *p = NULL;
	struct ebroker_claims claims;
	struct tq_params q;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	r = tq_fuzz_root_key(&root_key);
	if (r < 0)
		goto out;
	tq_platform_opts_default(&o);
	o.root_key = root_key;
	o.root_not_before = o.not_before = TQ_FUZZ_NOT_BEFORE;
	o.root_not_after = o.not_after = TQ_FUZZ_NOT_AFTER;
	r = tq_platform_new(&o, &p);
	if (r < 0)
		goto out;

	tq_fuzz_claims(&claims);
	tq_params_default(p, &q);
	ebroker_claims_reportdata(&claims, q.body.report_data);
	if ((r = seed(argv[1], "valid", &q, 0)) < 0 ||
	    (r = seed(argv[1], "truncated-header", &q, 40)) < 0 ||
	    (r = seed(argv[1], "truncated-sig-data", &q, 700)) < 0 ||
	    (r = seed(argv[1], "truncated-cert", &q, 1500)) < 0)
		goto out;

	q.body.attributes |= htole64(EB_ATTR_DEBUG);
	if ((r = seed(argv[1], "valid-debug", &q, 0)) < 0)
		goto out;

	tq_params_default(p, &q);
	q.qe_auth = other_auth;
	q.qe_auth_size = sizeof(other_auth);
	if ((r = seed(argv[1], "qe-binding", &q, 0)) < 0)
		goto out;

	tq_params_default(p, &q);
	memcpy(q.header.qe_vendor_id, vendor_intel, sizeof(vendor_intel));
	q.cert_type = EB_QUOTE_CERT_PCK_CHAIN;
	r = seed(argv[1], "hardware", &q, 0);
out:
	tq_platform_free(p);
	if (r < 0)
		fprintf(stderr, "quote_seeds: %s\n", strerror(-r));
	return r < 0;
}
