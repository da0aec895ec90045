// SPDX-License-Identifier: GPL-2.0
/*
 * The calling thread's last failure: every public function that fails
 * records here which side failed and why before it returns the errno, so
 * that callers print one line a user can act on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

#include "internal.h"

_Static_assert((int)EBROKER_SIDE_DAEMON == (int)EBP_SIDE_DAEMON, "side values");
_Static_assert((int)EBROKER_SIDE_KERNEL == (int)EBP_SIDE_KERNEL, "side values");
_Static_assert((int)EBROKER_SIDE_WORKER == (int)EBP_SIDE_WORKER, "side values");
_Static_assert((int)EBROKER_SIDE_ENCLAVE == (int)EBP_SIDE_ENCLAVE, "side values");
_Static_assert(EBROKER_ERROR_MESSAGE_MAX == EBP_ERROR_MSG_MAX, "message size");
_Static_assert((int)EBROKER_ATTESTATION_FAILING == (int)EBP_ATTESTATION_FAILING, "states");
_Static_assert((int)EBROKER_ATTESTATION_OK == (int)EBP_ATTESTATION_OK, "states");

static __thread struct ebroker_error last_error;
static __thread bool have_last_error;
static __thread enum ebroker_verify_check last_check;

int ebc_fail(int err, enum ebroker_side side, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	last_check = EBROKER_VERIFY_OK;
	last_error.error = err;
	last_error.side = side;
	va_start(ap, fmt);
	vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap);
	va_end(ap);
	have_last_error = true;
	return -err;
}

int ebc_fail_verify(const struct ebroker_verify_failure *f)
{
	int r = ebc_fail(EKEYREJECTED, EBROKER_SIDE_LIBRARY, "attestation refused: %s: %s",
			 ebroker_verify_check_name(f->check), f->message);

	last_check = f->check;
	return r;
}

_public_ enum ebroker_verify_check ebroker_last_verify_check(void)
{
	return last_check;
}

int ebc_fail_error(const struct ebroker_error *e)
{
	last_check = EBROKER_VERIFY_OK;
	last_error = *e;
	have_last_error = true;
	return -e->error;
}

int ebc_fail_msg(const struct ebp_msg *m)
{
	uint32_t err = nla_get_u32(m->attrs[EBP_A_ERRNO]);
	uint32_t side = nla_get_u32(m->attrs[EBP_A_SIDE]);
	const char *text = ebp_get_str(m, EBP_A_MESSAGE);

	/* The protocol's errno is a positive one the kernel could return. */
	if (err == 0 || err >= 4096)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error: an ERROR reply with errno %u", err);
	if (side < EBP_SIDE_DAEMON || side > EBP_SIDE_ENCLAVE)
		return ebc_fail(EPROTO, EBROKER_SIDE_LIBRARY,
				"protocol error: an ERROR reply from unknown side %u", side);
	return ebc_fail((int)err, (enum ebroker_side)side, "%s", *text ? text : strerror((int)err));
}

_public_ int ebroker_last_error(struct ebroker_error *ret)
{
	if (!ret)
		return -EINVAL;
	if (!have_last_error)
		return -ENODATA;
	*ret = last_error;
	return 0;
}

_public_ const char *ebroker_side_name(enum ebroker_side side)
{
	return side == EBROKER_SIDE_LIBRARY ? "library" : ebp_side_name(side);
}
