// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ebp_parse(), the one place ebrokerd, its workers and
 * libebroker check a received message: whatever the bytes, parsing must
 * neither crash nor read outside them, and a message it accepts must keep
 * every promise the callers rely on (attributes inside the buffer, strings
 * NUL-terminated, fixed-size attributes of their size). The first byte says
 * whether a descriptor "came with" the packet.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebp_msg m;
	uint8_t *buf;
	bool has_fd;

	if (size < 1)
		return 0;
	has_fd = data[0] & 1;
	/* A copy, aligned as a received packet is, without slack after it. */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (ebp_parse(buf, size - 1, has_fd, &m, NULL) == 0) {
		for (int t = 1; t <= EBP_A_MAX; t++) {
			const struct nlattr *a = m.attrs[t];
			const uint8_t *p;

			if (!a)
				continue;
			p = nla_data(a);
			if (p < buf || p + nla_len(a) > buf + size - 1)
				abort();
		}
		if (m.attrs[EBP_A_ENCLAVE] &&
		    strlen(ebp_get_str(&m, EBP_A_ENCLAVE)) >= EBP_ENCLAVE_NAME_MAX)
			abort();
		if (m.attrs[EBP_A_SESSION_ID] && nla_len(m.attrs[EBP_A_SESSION_ID]) != 8)
			abort();
	}
	free(buf);
	return 0;
}
