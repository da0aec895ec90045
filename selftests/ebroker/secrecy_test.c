// SPDX-License-Identifier: GPL-2.0
/*
 * The keyvault's private key never leaves the enclave: not in the traffic
 * between client, daemon and worker, not in the daemon's memory, not in
 * the worker's memory outside the enclave, not in the quoting enclave's
 * worker.
 *
 * The client opens an attested session through a relay that records every
 * message both ways (control connection and session socket alike: it puts
 * itself between the client and the worker when OPENED hands over the
 * session's socket). The enclave is keyvault-debug, the same code with the
 * DEBUG attribute, so that root can read the key out of the enclave's own
 * memory and know what to look for; finding it there is also the scan's
 * positive control.
 *
 * Run by secrecy_test.sh, which sets up the host (broker_env.sh) and
 * passes EB_ENCLAVE_SIZE (keyvault's SECS.SIZE), EB_DAEMON_PID, EB_QE_PID
 * and EB_RELAY_DIR in the environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <ebroker/client.h>
#include <linux/ebroker.h>

#include "proto/proto.h"
#include "../../sdk/samples/keyvault/keyvault.h"
#include "broker_policy.h"
#include "kselftest_harness.h"

#define RELAY_MAX 64
#define PAGE_SIZE 4096

/* ------------------------------------------------------------- the relay */

struct relay {
	int fd[2 * RELAY_MAX]; /* pairs: [2i] the client's side, [2i + 1] the far side */
	unsigned int n;
	int record;
};

static void relay_add(struct relay *r, int near, int far)
{
	if (r->n == RELAY_MAX) {
		close(near);
		close(far);
		return;
	}
	r->fd[2 * r->n] = near;
	r->fd[2 * r->n + 1] = far;
	r->n++;
}

/* One message from @from to @to, recorded; an OPENED's session socket is relayed too. */
static int relay_one(struct relay *r, int from, int to)
{
	static uint8_t buf[EBP_SESSION_MSG_MAX + 64];
	int fd = -1, sp[2];
	ssize_t n = ebp_recv(from, buf, sizeof(buf), &fd);
	struct iovec iov = { .iov_base = buf };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n == -EAGAIN)
		return 0;
	if (n <= 0)
		return -1;
	if (write(r->record, buf, n) != n)
		return -1;
	iov.iov_len = n;
	if (fd >= 0) {
		struct cmsghdr *c;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
			return -1;
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.b;
		mh.msg_controllen = sizeof(control.b);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &sp[0], sizeof(int));
	}
	if (sendmsg(to, &mh, MSG_NOSIGNAL) != n)
		return -1;
	if (fd >= 0) {
		close(sp[0]);
		relay_add(r, sp[1], fd);
	}
	return 0;
}

static void __attribute__((noreturn)) relay_run(int listener, const char *daemon, int record)
{
	struct relay r = { .record = record };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", daemon);
	for (;;) {
		struct pollfd p[2 * RELAY_MAX + 1];

		p[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
		for (unsigned int i = 0; i < 2 * r.n; i++)
			p[i + 1] = (struct pollfd){ .fd = r.fd[i], .events = POLLIN };
		if (poll(p, 2 * r.n + 1, -1) < 0)
			_exit(1);
		if (p[0].revents & POLLIN) {
			int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
			int d = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

			if (c < 0 || d < 0 || connect(d, (struct sockaddr *)&sa, sizeof(sa)) < 0)
				_exit(1);
			relay_add(&r, c, d);
		}
		for (unsigned int i = 0; i < 2 * r.n; i++) {
			if (!(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (relay_one(&r, r.fd[i], r.fd[i ^ 1]) < 0) {
				/* One side is gone: so is the pair. */
				unsigned int pair = i / 2;

				close(r.fd[2 * pair]);
				close(r.fd[2 * pair + 1]);
				r.fd[2 * pair] = r.fd[2 * (r.n - 1)];
				r.fd[2 * pair + 1] = r.fd[2 * (r.n - 1) + 1];
				r.n--;
				break; /* the poll set changed */
			}
		}
	}
}

/* ------------------------------------------------------------- memory */

/*
 * Whether @needle is in [lo, hi) of @pid's readable memory (unreadable parts
 * skipped): 1 if it is, 0 if not, -ENOENT when nothing could be read at all
 * (so that "not found" always means "searched").
 */
static int in_memory(pid_t pid, uint64_t lo, uint64_t hi, const uint8_t *needle, size_t n,
		     uint64_t skip_lo, uint64_t skip_hi)
{
	static uint8_t buf[1 << 20];
	char path[64], line[512];
	bool found = false;
	uint64_t searched = 0;
	FILE *maps;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	while (maps && mem >= 0 && !found && fgets(line, sizeof(line), maps)) {
		uint64_t a, b;
		char perms[8];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &a, &b, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "[vvar]"))
			continue;
		if (a < lo)
			a = lo;
		if (b > hi)
			b = hi;
		for (uint64_t at = a; at < b && !found;) {
			size_t len = b - at < sizeof(buf) ? b - at : sizeof(buf);
			ssize_t got;

			if (at < skip_hi && at + len > skip_lo) {
				/* Up to the skipped range, or past it. */
				if (at < skip_lo) {
					len = skip_lo - at;
				} else {
					at = skip_hi;
					continue;
				}
			}
			got = pread(mem, buf, len, (off_t)at);
			if (got <= 0)
				break;
			searched += got;
			found = memmem(buf, got, needle, n) != NULL;
			/* Overlap the next chunk by n - 1 bytes. */
			at += got > (ssize_t)n ? (uint64_t)got - n + 1 : (uint64_t)got;
		}
	}
	if (maps)
		fclose(maps);
	if (mem >= 0)
		close(mem);
	return found ? 1 : searched ? 0 : -ENOENT;
}

/*
 * The enclave's range in the worker: around its mappings of the enclave
 * device, aligned to the enclave's @size as ELRANGE is.
 */
static int elrange(pid_t pid, uint64_t size, uint64_t *lo, uint64_t *hi)
{
	char path[64], line[512];
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	*lo = UINT64_MAX;
	*hi = 0;
	while (maps && fgets(line, sizeof(line), maps)) {
		uint64_t a, b;

		if (!strstr(line, " /dev/ebroker") ||
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) != 2)
			continue;
		if (a < *lo)
			*lo = a;
		if (b > *hi)
			*hi = b;
	}
	if (maps)
		fclose(maps);
	if (!*hi || !size || (size & (size - 1)))
		return -ENOENT;
	*lo &= ~(size - 1);
	*hi = *lo + size;
	return 0;
}

/* Whether @d is the private scalar of the uncompressed P-256 point @pub. */
static bool is_private_of(const uint8_t d[KV_PRIV_SIZE], const uint8_t pub[KV_PUB_SIZE])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	BIGNUM *k = BN_bin2bn(d, KV_PRIV_SIZE, NULL);
	uint8_t enc[KV_PUB_SIZE];
	bool ok = false;

	if (p && k && !BN_is_zero(k) && EC_POINT_mul(g, p, k, NULL, NULL, NULL) == 1 &&
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, enc, sizeof(enc), NULL) ==
		sizeof(enc))
		ok = !memcmp(enc, pub, sizeof(enc));
	BN_clear_free(k);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok;
}

static bool in_file(const char *path, const uint8_t *needle, size_t n, size_t *ret_size)
{
	static uint8_t buf[16 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	*ret_size = got > 0 ? (size_t)got : 0;
	return got > 0 && memmem(buf, got, needle, n);
}

TEST(private_key_stays_in_the_enclave)
{
	const char *dir = getenv("EB_RELAY_DIR"), *size = getenv("EB_ENCLAVE_SIZE");
	const char *daemon = getenv("EBROKER_SOCKET");
	pid_t daemon_pid = atoi(getenv("EB_DAEMON_PID") ?: "0");
	pid_t qe_pid = atoi(getenv("EB_QE_PID") ?: "0");
	struct ebroker_policy policy;
	struct ebroker_session_options opts = { .size = sizeof(opts), .policy = &policy };
	struct kv_generate gen = { .policy = EB_KEYPOLICY_MRENCLAVE };
	uint8_t out[KV_GENERATE_OUT_SIZE], sig[KV_SIG_SIZE], digest[KV_DIGEST_SIZE] = "x";
	uint8_t d[KV_PRIV_SIZE], pub[KV_PUB_SIZE];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ebroker_session_info info;
	struct ebroker_session *s = NULL;
	struct ebroker *b = NULL;
	char relay_sock[108], record[256], path[64];
	uint64_t lo, hi;
	size_t len, traffic, readable = 0;
	unsigned int pubs = 0;
	bool found = false;
	int listener, rec, status, mem;
	pid_t relay;

	ASSERT_NE(NULL, dir);
	ASSERT_NE(NULL, size);
	ASSERT_NE(NULL, daemon);
	ASSERT_NE(0, daemon_pid);
	ASSERT_NE(0, qe_pid);
	ASSERT_EQ(0, broker_policy(&policy));
	policy.flags |= EBROKER_POLICY_ALLOW_DEBUG;

	/* The relay, recording everything it passes on. */
	snprintf(relay_sock, sizeof(relay_sock), "%s/relay.sock", dir);
	snprintf(record, sizeof(record), "%s/traffic", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", relay_sock);
	listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, listener);
	unlink(relay_sock);
	ASSERT_EQ(0, bind(listener, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(listener, 8));
	rec = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, rec);
	relay = fork();
	ASSERT_LE(0, relay);
	if (relay == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		relay_run(listener, daemon, rec);
	}
	close(listener);
	close(rec);

	/* A session through it: generate a key, sign with it. */
	ASSERT_EQ(0, ebroker_connect(relay_sock, &b));
	ASSERT_EQ(0, ebroker_session_open(b, "keyvault-debug", &opts, &s));
	ASSERT_EQ(0, ebroker_call(s, KV_ECALL_GENERATE, &gen, sizeof(gen), out, sizeof(out), &len,
				  &status));
	ASSERT_EQ(0, status);
	ASSERT_EQ(sizeof(out), len);
	memcpy(pub, out, sizeof(pub));
	ASSERT_EQ(0, ebroker_call(s, KV_ECALL_SIGN, digest, sizeof(digest), sig, sizeof(sig), &len,
				  &status));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, ebroker_session_info_get(b, ebroker_session_id(s), &info));

	/*
	 * The key, read out of the DEBUG enclave's memory: what must not be
	 * anywhere else. keyvault keeps it just before its public key
	 * (`vault`), which is searched for in the whole enclave.
	 */
	ASSERT_EQ(0, elrange(info.worker_pid, strtoull(size, NULL, 0), &lo, &hi));
	snprintf(path, sizeof(path), "/proc/%u/mem", info.worker_pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mem);
	for (uint64_t at = lo; at < hi && !found; at += PAGE_SIZE) {
		static uint8_t page[2 * PAGE_SIZE];
		ssize_t got = pread(mem, page, sizeof(page), (off_t)at);

		readable += got > 0 ? PAGE_SIZE : 0;
		for (ssize_t i = KV_PRIV_SIZE; got > 0 && i + KV_PUB_SIZE <= got && !found; i++) {
			if (memcmp(page + i, pub, KV_PUB_SIZE))
				continue;
			pubs++;
			if (!is_private_of(page + i - KV_PRIV_SIZE, pub))
				continue;
			memcpy(d, page + i - KV_PRIV_SIZE, sizeof(d));
			found = true;
		}
	}
	close(mem);
	if (!found) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "grep /dev/ebroker /proc/%u/maps >&2", info.worker_pid);
		(void)!system(cmd);
	}
	ASSERT_TRUE(found)
	TH_LOG("no private key of the generated public key in the enclave [%#" PRIx64 ", %#" PRIx64
	       "): %zu bytes readable, the public key found %u times",
	       lo, hi, readable, pubs);
	/* The scan works: it finds the key where it is. */
	EXPECT_EQ(1, in_memory(info.worker_pid, lo, hi, d, sizeof(d), 0, 0));

	EXPECT_EQ(0, in_memory(info.worker_pid, 0, UINT64_MAX, d, sizeof(d), lo, hi))
	TH_LOG("the key is in the worker's memory outside the enclave, or none of it was read");
	EXPECT_EQ(0, in_memory(daemon_pid, 0, UINT64_MAX, d, sizeof(d), 0, 0))
	TH_LOG("the key is in ebrokerd's memory, or none of it was read");
	EXPECT_EQ(0, in_memory(qe_pid, 0, UINT64_MAX, d, sizeof(d), 0, 0))
	TH_LOG("the key is in the quoting enclave's worker, or none of it was read");
	EXPECT_FALSE(in_file(record, d, sizeof(d), &traffic)) TH_LOG("the key is in the traffic");
	/* The traffic was recorded: the OPEN, the quote, the records. */
	EXPECT_LT(2000, traffic);
	TH_LOG("%zu bytes of traffic, the daemon, the worker outside [%#" PRIx64 ", %#" PRIx64
	       ") and the quoting enclave's worker searched",
	       traffic, lo, hi);

	ebroker_session_close(s);
	ebroker_disconnect(b);
	kill(relay, SIGKILL);
	waitpid(relay, NULL, 0);
}

TEST_HARNESS_MAIN
