// SPDX-License-Identifier: GPL-2.0
/*
 * The verification policy options of call, attest and verify: one parser,
 * so that every command accepts the same evidence for the same words.
 * There is no default identity: a command that verifies refuses to run
 * until it is told which enclave to accept, or told loudly
 * (--any-identity-insecure) to accept any.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

#include "common/util.h"

#include "ctl.h"

DEFINE_FREEP(struct ebroker_image, ebroker_image_free)

void ctl_policy_init(struct ctl_policy *p)
{
	*p = (struct ctl_policy){ .policy = { .size = sizeof(p->policy) } };
}

/* Exactly 64 hex digits into 32 bytes; ret untouched on failure. */
static int parse_hash(const char *s, uint8_t ret[32])
{
	return hex_decode(s, ret, 32);
}

/* A decimal number from 0 to 65535. */
static int parse_u16(const char *s, uint16_t *ret)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || *s == ' ' || v > UINT16_MAX)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static const char *option_name(int c)
{
	static const struct option options[] = { CTL_POLICY_OPTIONS };

	for (size_t i = 0; i < ELEMENTSOF(options); i++)
		if (options[i].val == c)
			return options[i].name;
	return "?";
}

int ctl_policy_option(struct ctl_policy *p, const char *command, int c, const char *arg)
{
	struct ebroker_policy *pol = &p->policy;
	uint16_t *number = NULL;

	switch (c) {
	case CTL_OPT_MRENCLAVE:
		if (parse_hash(arg, pol->mrenclave) < 0)
			return ctl_usage(command, "--mrenclave: expected 64 hex digits, not '%s'",
					 arg);
		pol->flags |= EBROKER_POLICY_MRENCLAVE;
		return 0;
	case CTL_OPT_MRSIGNER:
		if (parse_hash(arg, pol->mrsigner) < 0)
			return ctl_usage(command, "--mrsigner: expected 64 hex digits, not '%s'",
					 arg);
		pol->flags |= EBROKER_POLICY_MRSIGNER;
		return 0;
	case CTL_OPT_ISV_PROD_ID:
		number = &pol->isv_prod_id;
		p->have_isv_prod_id = true;
		break;
	case CTL_OPT_MIN_ISV_SVN:
		number = &pol->min_isv_svn;
		break;
	case CTL_OPT_MIN_PLATFORM_SVN:
		number = &pol->min_platform_svn;
		break;
	case CTL_OPT_IMAGE:
		if (!*arg)
			return ctl_usage(command, "--image: empty");
		p->image = arg;
		return 0;
	case CTL_OPT_ROOT:
		if (!*arg)
			return ctl_usage(command, "--root: empty");
		p->root = arg;
		return 0;
	case CTL_OPT_ALLOW_SIMULATED:
		pol->flags |= EBROKER_POLICY_ALLOW_SIMULATED;
		return 0;
	case CTL_OPT_ALLOW_DEBUG:
		pol->flags |= EBROKER_POLICY_ALLOW_DEBUG;
		return 0;
	case CTL_OPT_ANY_IDENTITY_INSECURE:
		pol->flags |= EBROKER_POLICY_ANY_IDENTITY_INSECURE;
		return 0;
	default:
		return ctl_usage(command, "not a policy option (%d)", c);
	}
	if (parse_u16(arg, number) < 0)
		return ctl_usage(command, "--%s: expected a number from 0 to 65535, not '%s'",
				 option_name(c), arg);
	return 0;
}

/*
 * The signer and product of a signed image, as EINIT would give them to
 * the enclave: the image must parse, its SIGSTRUCT verify and be over the
 * image's own pages, or its signer is not the one the file claims.
 */
static int policy_image(struct ctl_policy *p)
{
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	const struct eb_sigstruct *sig;
	uint8_t mrenclave[32];
	const char *why = NULL;
	int r;

	r = ebroker_image_open_why(p->image, &img, &why);
	if (r == -EBADMSG)
		return ctl_error(CTL_EXIT_FAILURE, "--image %s: not a valid enclave image: %s",
				 p->image, why ? why : strerror(-r));
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "--image %s: %s", p->image, strerror(-r));
	sig = ebroker_image_sigstruct(img);
	if (!sig)
		return ctl_error(CTL_EXIT_FAILURE, "--image %s: not signed", p->image);
	r = ebroker_sigstruct_verify(sig);
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "--image %s: %s", p->image,
				 r == -EKEYREJECTED ? "its signature does not verify"
						    : "malformed SIGSTRUCT");
	r = ebroker_image_mrenclave(img, mrenclave);
	if (r < 0)
		return ctl_error(CTL_EXIT_FAILURE, "--image %s: cannot measure it: %s", p->image,
				 strerror(-r));
	if (memcmp(mrenclave, sig->enclavehash, sizeof(mrenclave)))
		return ctl_error(CTL_EXIT_FAILURE,
				 "--image %s: the signature is not over this image's pages "
				 "(MRENCLAVE differs from the signed one)",
				 p->image);
	(void)ebroker_sigstruct_mrsigner(sig, p->policy.mrsigner);
	p->policy.isv_prod_id = sig->isv_prod_id;
	p->policy.flags |= EBROKER_POLICY_MRSIGNER;
	return 0;
}

int ctl_policy_finish(struct ctl_policy *p, const char *command)
{
	struct ebroker_policy *pol = &p->policy;
	bool signer = pol->flags & EBROKER_POLICY_MRSIGNER;
	int status;

	if (p->image && (signer || p->have_isv_prod_id))
		return ctl_usage(command, "--image gives MRSIGNER and ISVPRODID: not with "
					  "--mrsigner or --isv-prod-id");
	if (signer && !p->have_isv_prod_id)
		return ctl_usage(command, "--mrsigner needs --isv-prod-id: a signer's products "
					  "are told apart by their ISVPRODID");
	if (p->have_isv_prod_id && !signer)
		return ctl_usage(command, "--isv-prod-id goes with --mrsigner");
	if ((pol->flags & EBROKER_POLICY_ANY_IDENTITY_INSECURE) &&
	    (pol->flags & (EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER) || p->image))
		return ctl_usage(command,
				 "--any-identity-insecure contradicts the identity options given");
	if (!(pol->flags & (EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER |
			    EBROKER_POLICY_ANY_IDENTITY_INSECURE)) &&
	    !p->image)
		return ctl_usage(command,
				 "no enclave identity to verify: give --mrenclave HEX, "
				 "--mrsigner HEX with --isv-prod-id N, or --image FILE.ebimg "
				 "(or, to accept any enclave, --any-identity-insecure)");
	if (p->image) {
		status = policy_image(p);
		if (status)
			return status;
	}
	if (!p->root) {
		/* Not from the environment of a set-uid caller: it chooses what we trust. */
		const char *env = secure_getenv("EBROKER_ROOT");

		p->root = env && *env ? env : EBROKER_DEFAULT_ROOT_FILE;
	}
	pol->root_file = p->root;
	return 0;
}

const char *ctl_policy_identity(const struct ctl_policy *p)
{
	switch (p->policy.flags & (EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER)) {
	case EBROKER_POLICY_MRENCLAVE:
		return "MRENCLAVE";
	case EBROKER_POLICY_MRSIGNER:
		return "MRSIGNER and ISVPRODID";
	case EBROKER_POLICY_MRENCLAVE | EBROKER_POLICY_MRSIGNER:
		return "MRENCLAVE, MRSIGNER and ISVPRODID";
	default:
		return NULL;
	}
}
