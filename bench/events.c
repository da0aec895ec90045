// SPDX-License-Identifier: GPL-2.0
/*
 * events: what a tenant hammering its limit costs another tenant's events.
 * Prints table records for bench/run ("row|name|figure|floor|ratio|target").
 *
 *   events [-n N] [-r ROUNDS]
 *
 * A quiet tenant (its own cgroup) creates and releases N enclaves per
 * round, and times each ENCLAVE_CREATED event on the "events" group from
 * the return of its create ioctl to the event's arrival. Rounds alternate:
 * alone, then while a hammering tenant (a cgroup limited to 0) calls
 * EB_IOC_ENCLAVE_CREATE in a loop on the other CPU, every call refused at
 * its limit, which counts its refusals per second. The raw netlink client
 * is the selftests' (selftests/ebroker/nl.h).
 */
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../selftests/ebroker/nl.h"
#include "../selftests/ebroker/tencl.h"
#include "bench.h"

#define BASE	"/sys/fs/cgroup/ebroker-evbench"
#define SAMPLES 4096

struct hammer {
	atomic_bool stop;
	atomic_ulong refusals;
	double seconds;
};

static void enter(const char *dir)
{
	int ret = eb_cgroup_enter(dir);

	if (ret)
		fail(dir, ret);
}

/* The hammering tenant: refused creates until told to stop. */
static void hammer(struct hammer *h)
{
	struct eb_secs secs;
	double start;
	int fd;

	enter(BASE "/hammer");
	fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail(EB_DEVICE_PATH, errno);
	tencl_secs(&secs, 1ULL << 40, 2 * 4096, 0);
	start = now();
	while (!atomic_load(&h->stop)) {
		if (!ioctl(fd, EB_IOC_ENCLAVE_CREATE,
			   &(struct eb_enclave_create){ .src = (uintptr_t)&secs }))
			fail("create under a limit of 0 succeeded", EINVAL);
		if (errno != EDQUOT)
			fail("hammering create", errno);
		atomic_fetch_add(&h->refusals, 1);
	}
	h->seconds = now() - start;
	_exit(0);
}

/*
 * Wait for ENCLAVE_CREATED of cgroup @id; 0, -ENOBUFS when the socket
 * overran (ours may be among the lost), or -errno.
 */
static int wait_created(int fd, uint64_t id)
{
	static char buf[NL_BUF];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double deadline = now() + 10;

	for (;;) {
		ssize_t n;

		if (now() > deadline || poll(&pfd, 1, 1000) < 0)
			return -ETIMEDOUT;
		if (!(pfd.revents & (POLLIN | POLLERR)))
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct nlattr *tb[EB_A_MAX + 1], *x[EB_ENCL_A_MAX + 1];

			if (((struct genlmsghdr *)NLMSG_DATA(h))->cmd !=
			    EB_CMD_EVENT_ENCLAVE_CREATED)
				continue;
			nl_attrs(h, tb, EB_A_MAX);
			if (!tb[EB_A_ENCLAVE])
				continue;
			nl_nested(tb[EB_A_ENCLAVE], x, EB_ENCL_A_MAX);
			if (x[EB_ENCL_A_CGROUP_ID] && nla_u64(x[EB_ENCL_A_CGROUP_ID]) == id)
				return 0;
		}
	}
}

/*
 * One round of @n creates; the median latency in µs, all samples appended
 * to @all. A create whose event an overrun may have lost is not a sample:
 * *@lost counts them.
 */
static double round_latency(int fd, uint64_t id, int n, double *all, int *nall, int *lost)
{
	double lat[SAMPLES];
	int got = 0;

	for (int i = 0; i < n; i++) {
		struct tencl t;
		double t0;
		int ret;

		ret = tencl_create(&t, 2 * 4096, 0);
		t0 = now();
		if (ret)
			fail("quiet create", ret);
		ret = wait_created(fd, id);
		if (ret == -ENOBUFS) {
			(*lost)++;
			tencl_close(&t);
			continue;
		}
		if (ret)
			fail("waiting for ENCLAVE_CREATED", ret);
		lat[got] = (now() - t0) * 1e6;
		if (*nall < SAMPLES)
			all[(*nall)++] = lat[got];
		got++;
		tencl_close(&t);
	}
	if (!got)
		fail("every event of a round lost to overruns", ENOBUFS);
	return median_in_place(lat, got);
}

static double p99(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n * 99) / 100];
}

int main(int argc, char **argv)
{
	static double all_alone[SAMPLES], all_hammered[SAMPLES];
	double alone[BENCH_MAX_ROUNDS], hammered[BENCH_MAX_ROUNDS], rate[BENCH_MAX_ROUNDS];
	int n = 200, rounds = 5, nalone = 0, nhammered = 0, lost_alone = 0, lost_hammered = 0;
	struct hammer *h;
	struct stat st;
	uint32_t grp;
	struct nl nl;
	int ret;

	bench_options(argc, argv, &n, &rounds);
	if (n < 1 || n > SAMPLES / 8 || rounds < 1 || rounds > BENCH_MAX_ROUNDS)
		return 2;

	if ((mkdir(BASE, 0755) && errno != EEXIST) ||
	    (mkdir(BASE "/quiet", 0755) && errno != EEXIST) ||
	    (mkdir(BASE "/hammer", 0755) && errno != EEXIST))
		fail("mkdir " BASE, errno);
	ret = eb_write_file(EB_SYSFS "/cgroups/set_max", "/ebroker-evbench/hammer 0");
	if (ret)
		fail("limit of " BASE "/hammer", ret);
	if (stat(BASE "/quiet", &st))
		fail(BASE "/quiet", errno);
	enter(BASE "/quiet");

	ret = nl_open(&nl);
	if (ret)
		fail("netlink", ret);
	grp = nl.events_group;
	if (setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		fail("joining the events group", errno);

	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		fail("mmap", errno);
	for (int r = 0; r < rounds; r++) {
		pid_t pid;
		int status;

		alone[r] = round_latency(nl.fd, st.st_ino, n, all_alone, &nalone, &lost_alone);

		atomic_store(&h->stop, false);
		atomic_store(&h->refusals, 0);
		pid = fork();
		if (pid < 0)
			fail("fork", errno);
		if (pid == 0)
			hammer(h);
		while (atomic_load(&h->refusals) < 1000) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				fail("the hammering tenant exited", EIO);
			usleep(1000);
		}
		hammered[r] =
		    round_latency(nl.fd, st.st_ino, n, all_hammered, &nhammered, &lost_hammered);
		atomic_store(&h->stop, true);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			fail("the hammering tenant", EIO);
		rate[r] = atomic_load(&h->refusals) / h->seconds;
	}
	nl_close(&nl);
	enter("/sys/fs/cgroup");
	eb_write_file(EB_SYSFS "/cgroups/set_max", "/ebroker-evbench/hammer max");
	rmdir(BASE "/quiet");
	rmdir(BASE "/hammer");
	rmdir(BASE);

	printf("row|event latency, tenant at its limit|%.0f us|no tenant at its limit: %.0f "
	       "us|%.2f|<= 2.00: %s\n",
	       median(hammered, rounds), median(alone, rounds),
	       median(hammered, rounds) / median(alone, rounds),
	       median(hammered, rounds) <= 2 * median(alone, rounds) ? "meets" : "below");
	printf("row|event latency p99, tenant at limit|%.0f us|no tenant at its limit: %.0f "
	       "us|%.2f|-\n",
	       p99(all_hammered, nhammered), p99(all_alone, nalone),
	       p99(all_hammered, nhammered) / p99(all_alone, nalone));
	printf("row|refused creates/s, one tenant|%.0f /s|-|-|-\n", median(rate, rounds));
	printf("row|events lost to overruns|%d of %d|no tenant at its limit: %d of %d|-|0: %s\n",
	       lost_hammered, n * rounds, lost_alone, n * rounds,
	       lost_hammered + lost_alone ? "below" : "meets");
	return 0;
}
