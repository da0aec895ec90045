// SPDX-License-Identifier: GPL-2.0
/*
 * The quote parser: every length is checked against the bytes that are
 * there, exactly (no slack, no trailing bytes), before anything is read,
 * so the checks after it work on a structure that is whole. It also
 * decides what the evidence is: `sim` (both markers, see
 * uapi/linux/ebroker_attest.h), hardware (not verified by this build), or
 * neither; a quote that carries one `sim` marker without the other is
 * malformed, never taken for hardware.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const uint8_t vendor_intel[16] = EB_QUOTE_VENDOR_INTEL;
static const uint8_t vendor_sim[16] = EB_QUOTE_VENDOR_EBROKER_SIM;

_Static_assert(sizeof(struct eb_quote_header) == EB_QUOTE_HEADER_SIZE, "quote header");
_Static_assert(sizeof(struct eb_quote) == EB_QUOTE_SIGNED_SIZE + 4, "quote");
_Static_assert(sizeof(struct eb_quote_sig_data) == 64 + 64 + 384 + 64 + 2, "sig data");
_Static_assert(sizeof(struct eb_quote_cert) == 6, "cert header");

int ebv_quote_parse(const void *buf, size_t len, struct ebv_quote *ret,
		    struct ebroker_verify_failure *failure)
{
	const uint8_t *p = buf, *sig;
	struct eb_quote_cert cert;
	size_t rest;
	uint32_t sig_len;
	bool is_vendor_sim, is_vendor_intel, is_cert_sim;

	if (!p)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED, "no quote");
	if (len < sizeof(struct eb_quote) + sizeof(struct eb_quote_sig_data) +
		      sizeof(struct eb_quote_cert))
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"quote of %zu bytes is shorter than the smallest v3 quote (%zu)",
				len,
				sizeof(struct eb_quote) + sizeof(struct eb_quote_sig_data) +
				    sizeof(struct eb_quote_cert));
	if (len > EB_QUOTE_MAX)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"quote of %zu bytes is larger than the limit (%d)", len,
				EB_QUOTE_MAX);

	memset(ret, 0, sizeof(*ret));
	memcpy(&ret->header, p, sizeof(ret->header));
	ret->header.version = le16toh(ret->header.version);
	ret->header.att_key_type = le16toh(ret->header.att_key_type);
	ret->header.reserved = le32toh(ret->header.reserved);
	ret->header.qe_svn = le16toh(ret->header.qe_svn);
	ret->header.pce_svn = le16toh(ret->header.pce_svn);

	if (ret->header.version != EB_QUOTE_VERSION)
		return ebv_fail(failure, EBROKER_VERIFY_UNSUPPORTED,
				"quote version %u, expected %d", ret->header.version,
				EB_QUOTE_VERSION);
	if (ret->header.att_key_type != EB_QUOTE_ATT_KEY_ECDSA_P256)
		return ebv_fail(failure, EBROKER_VERIFY_UNSUPPORTED,
				"attestation key type %u, expected %d (ECDSA P-256)",
				ret->header.att_key_type, EB_QUOTE_ATT_KEY_ECDSA_P256);
	if (ret->header.reserved)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"reserved header field is 0x%x, expected 0", ret->header.reserved);

	memcpy(&ret->body, p + EB_QUOTE_HEADER_SIZE, EB_REPORT_BODY_SIZE);
	sig_len = get_le32(p + EB_QUOTE_SIGNED_SIZE);
	rest = len - sizeof(struct eb_quote);
	if (sig_len != rest)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"signature data length %u, but %zu bytes follow it", sig_len, rest);

	sig = p + sizeof(struct eb_quote);
	memcpy(&ret->sig, sig, sizeof(ret->sig));
	ret->sig.qe_auth_size = le16toh(ret->sig.qe_auth_size);
	memcpy(&ret->qe_report, ret->sig.qe_report, EB_REPORT_BODY_SIZE);
	sig += sizeof(ret->sig);
	rest -= sizeof(ret->sig);

	if (ret->sig.qe_auth_size > rest - sizeof(struct eb_quote_cert))
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"QE authentication data of %u bytes, but %zu bytes are left for "
				"it and the certification data",
				ret->sig.qe_auth_size, rest);
	ret->qe_auth = sig;
	ret->qe_auth_size = ret->sig.qe_auth_size;
	sig += ret->qe_auth_size;
	rest -= ret->qe_auth_size;

	memcpy(&cert, sig, sizeof(cert));
	sig += sizeof(cert);
	rest -= sizeof(cert);
	ret->cert_type = le16toh(cert.type);
	if (le32toh(cert.size) != rest)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"certification data of %u bytes, but %zu bytes are left",
				le32toh(cert.size), rest);
	ret->cert = sig;
	ret->cert_size = rest;

	is_vendor_sim = !memcmp(ret->header.qe_vendor_id, vendor_sim, 16);
	is_vendor_intel = !memcmp(ret->header.qe_vendor_id, vendor_intel, 16);
	is_cert_sim = ret->cert_type == EB_QUOTE_CERT_EBROKER_SIM;
	if (is_vendor_sim != is_cert_sim)
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"%s QE vendor id with certification data type 0x%x: a `sim` quote "
				"has both markers",
				is_vendor_sim ? "`sim`" : "non-`sim`", ret->cert_type);
	if (is_vendor_intel || ret->cert_type == EB_QUOTE_CERT_PCK_CHAIN)
		return ebv_fail(failure, EBROKER_VERIFY_UNSUPPORTED,
				"hardware evidence (DCAP PCK certificate chain): hardware "
				"verification is not implemented by this build");
	if (!is_vendor_sim)
		return ebv_fail(failure, EBROKER_VERIFY_UNSUPPORTED,
				"unknown QE vendor id and certification data type 0x%x",
				ret->cert_type);
	if (!mem_is_zero(ret->header.user_data, sizeof(ret->header.user_data)))
		return ebv_fail(failure, EBROKER_VERIFY_MALFORMED,
				"user data of a `sim` quote is not zero");
	ret->simulated = true;
	return 0;
}
