// SPDX-License-Identifier: GPL-2.0
/* Host unit tests for the worker's log lines and rate limit (log.c), and load errors (load.c). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/test.h"
#include "common/util.h"

#include "log.h"
#include "worker.h"

TEST(ratelimit)
{
	struct ratelimit rl = { 0 };
	const uint64_t t0 = 123456789;
	unsigned int missed = 99;

	for (int i = 0; i < LOG_BURST; i++) {
		EXPECT_TRUE(ratelimit_ok(&rl, t0 + i, &missed));
		EXPECT_EQ(0U, missed);
	}
	EXPECT_FALSE(ratelimit_ok(&rl, t0 + 10, &missed));
	EXPECT_FALSE(ratelimit_ok(&rl, t0 + LOG_INTERVAL_NS - 1, &missed));
	/* A new window: the first line says how many the last one dropped. */
	EXPECT_TRUE(ratelimit_ok(&rl, t0 + LOG_INTERVAL_NS, &missed));
	EXPECT_EQ(2U, missed);
	EXPECT_TRUE(ratelimit_ok(&rl, t0 + LOG_INTERVAL_NS + 1, &missed));
	EXPECT_EQ(0U, missed);
	/* A long quiet spell: a whole burst again. */
	for (int i = 0; i < LOG_BURST; i++)
		EXPECT_TRUE(ratelimit_ok(&rl, t0 + 100 * LOG_INTERVAL_NS + i, &missed));
	EXPECT_FALSE(ratelimit_ok(&rl, t0 + 100 * LOG_INTERVAL_NS + 9, &missed));
}

/* What log_full() writes to descriptor 2, read back through a pipe. */
static void capture(struct __test_metadata *_metadata, char *out, size_t cap, int prio, int err,
		    const char *text, int *ret)
{
	int p[2], saved;
	ssize_t n;

	ASSERT_EQ(0, pipe(p));
	saved = dup(STDERR_FILENO);
	ASSERT_LE(0, saved);
	ASSERT_EQ(STDERR_FILENO, dup2(p[1], STDERR_FILENO));
	errno = EAGAIN;
	if (err)
		*ret = log_full(prio, err, "%s: %m", text);
	else
		*ret = log_full(prio, 0, "%s", text);
	EXPECT_EQ(EAGAIN, errno); /* preserved */
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], out, cap - 1);
	close(p[0]);
	ASSERT_LE(0, n);
	out[n] = '\0';
}

TEST(lines)
{
	char out[2048], text[3000];
	int r;

	log_set_instance(7);
	capture(_metadata, out, sizeof(out), LOG_WARNING, 0, "hello", &r);
	EXPECT_STREQ("<4>worker 7: hello\n", out);
	EXPECT_EQ(0, r);
	capture(_metadata, out, sizeof(out), LOG_ERR, -ENOENT, "open", &r);
	EXPECT_STREQ("<3>worker 7: open: No such file or directory\n", out);
	EXPECT_EQ(-ENOENT, r);
	capture(_metadata, out, sizeof(out), LOG_INFO, EPERM, "x", &r);
	EXPECT_EQ(-EPERM, r);

	/* A long message is cut, and still one line. */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	capture(_metadata, out, sizeof(out), LOG_INFO, 0, text, &r);
	EXPECT_EQ(1024U - 1, strlen(out));
	EXPECT_EQ(out + strlen(out) - 1, strchr(out, '\n'));
}

TEST(load_errors)
{
	static const int kernel[] = { EDQUOT, ENOSPC, EKEYREJECTED, EBADMSG, EPERM };
	static const int worker[] = { ENOMEM, EINVAL, ENODEV, EOPNOTSUPP, EIO, EBADF };

	for (size_t i = 0; i < ELEMENTSOF(kernel); i++) {
		EXPECT_EQ((int)EBP_SIDE_KERNEL, (int)load_error_side(-kernel[i]));
		EXPECT_EQ((int)EBP_SIDE_KERNEL, (int)load_error_side(kernel[i]));
		EXPECT_STRNE("the loader failed", load_error_words(-kernel[i]));
	}
	for (size_t i = 0; i < ELEMENTSOF(worker); i++)
		EXPECT_EQ((int)EBP_SIDE_WORKER, (int)load_error_side(-worker[i]));
	EXPECT_STREQ("the EPC pool is full", load_error_words(-ENOSPC));
}

TEST_HARNESS_MAIN
