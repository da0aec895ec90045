// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting with a deadline. Both kinds of socket the library holds are
 * non-blocking, so that no send or receive can outlast the caller's
 * timeout, whatever the peer does.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "internal.h"

uint64_t ebc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t ebc_deadline(uint32_t timeout_ms)
{
	return timeout_ms ? ebc_now_ms() + timeout_ms : UINT64_MAX;
}

int ebc_wait(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int timeout = -1, n;

		if (deadline != UINT64_MAX) {
			uint64_t now = ebc_now_ms();

			if (now >= deadline)
				return -ETIMEDOUT;
			timeout = deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now);
		}
		n = poll(&p, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			continue; /* the deadline check above decides */
		if (p.revents & POLLNVAL)
			return -EBADF;
		/* POLLHUP and POLLERR too: the receive or send that follows says what. */
		return 0;
	}
}

int ebc_send(int fd, struct nl_msg *m, uint64_t deadline)
{
	for (;;) {
		int r = ebp_send(fd, m, -1);

		if (r != -EAGAIN)
			return r;
		r = ebc_wait(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
}
