// SPDX-License-Identifier: GPL-2.0
/* ebrokerd's logging; see log.h. */
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "common/util.h"

#include "log.h"

static bool to_journal;
static int max_prio = LOG_INFO;

void log_setup(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (getenv("EBROKERD_DEBUG"))
		max_prio = LOG_DEBUG;
	/* $JOURNAL_STREAM names stderr's device and inode when systemd connected it. */
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	    st.st_dev == dev && st.st_ino == ino)
		to_journal = true;
}

int log_full(int prio, int err, const char *const *fields, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved = errno;

	if (prio > max_prio)
		return err ? -abs(err) : 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (to_journal) {
		struct iovec iov[16];
		char m[1100], p[16], e[32];
		size_t n = 0;

		snprintf(m, sizeof(m), "MESSAGE=%s", msg);
		snprintf(p, sizeof(p), "PRIORITY=%d", prio);
		iov[n++] = (struct iovec){ m, strlen(m) };
		iov[n++] = (struct iovec){ p, strlen(p) };
		if (err) {
			snprintf(e, sizeof(e), "ERRNO=%d", abs(err));
			iov[n++] = (struct iovec){ e, strlen(e) };
		}
		for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(iov); i++)
			iov[n++] = (struct iovec){ (void *)fields[i], strlen(fields[i]) };
		sd_journal_sendv(iov, (int)n);
	} else {
		fprintf(stderr, "<%d>%s\n", prio, msg);
	}
	errno = saved;
	return err ? -abs(err) : 0;
}

bool log_ratelimit_ok(void)
{
	static double tokens = 10;
	static struct timespec last;
	static unsigned long suppressed;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	tokens += (now.tv_sec - last.tv_sec) * 5.0 + (now.tv_nsec - last.tv_nsec) * 5e-9;
	if (tokens > 10)
		tokens = 10;
	last = now;
	if (tokens < 1) {
		suppressed++;
		return false;
	}
	tokens -= 1;
	if (suppressed) {
		log_full(LOG_WARNING, 0, NULL, "%lu messages about clients suppressed", suppressed);
		suppressed = 0;
	}
	return true;
}
