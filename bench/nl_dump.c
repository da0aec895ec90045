// SPDX-License-Identifier: GPL-2.0
/*
 * nl_dump: time a netlink dump of N cgroups and of N enclaves beside reading
 * the same per-cgroup figures from sysfs, in one run. Prints table records
 * for bench/run ("row|name|figure|floor|ratio|target").
 *
 *   nl_dump [-n N] [-r ROUNDS]
 *
 * Makes N cgroups under /sys/fs/cgroup/ebroker-nlbench (each with a limit,
 * so each has an accounting entry) and N enclaves (SECS only), then takes
 * the median of ROUNDS timings of each. The raw netlink client is the
 * selftests' (selftests/ebroker/nl.h).
 */
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "../selftests/ebroker/nl.h"
#include "../selftests/ebroker/tencl.h"
#include "bench.h"

#define BASE "/sys/fs/cgroup/ebroker-nlbench"

static int count_cb(const struct nlmsghdr *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

static int nl_dump_count(struct nl *nl, uint8_t cmd)
{
	struct nlmsg m;
	int n = 0, ret;

	nlmsg_init(nl, &m, cmd, NLM_F_DUMP);
	ret = nl_talk(nl, &m, count_cb, &n, NULL);
	return ret < 0 ? ret : n;
}

/* Read every figure of every cgroup entry, as a sysfs reader would. */
static int sysfs_read_all(void)
{
	static const char *const files[] = { "path",   "max",	       "current", "peak",
					     "events", "events_local", "enclaves" };
	char path[512], buf[256];
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir(EB_SYSFS "/cgroups");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), EB_SYSFS "/cgroups/%s/%s", e->d_name,
				 files[i]);
			if (eb_read_file(path, buf, sizeof(buf)) < 0) {
				closedir(d);
				return -EIO;
			}
		}
		n++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int n = 1000, rounds = 5, *fds, got = 0;
	struct rlimit rl;
	char path[256], buf[300];
	double t_cg[BENCH_MAX_ROUNDS], t_sys[BENCH_MAX_ROUNDS], t_en[BENCH_MAX_ROUNDS];
	struct nl nl;

	bench_options(argc, argv, &n, &rounds);
	if (n < 1 || rounds < 1 || rounds > BENCH_MAX_ROUNDS)
		return 2;
	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) || nl_open(&nl)) {
		perror("nl_dump: set-up");
		return 1;
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds || mkdir(BASE, 0755)) {
		perror("nl_dump: " BASE);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), BASE "/c%d", i);
		snprintf(buf, sizeof(buf), "/ebroker-nlbench/c%d 1G", i);
		if (mkdir(path, 0755) || eb_write_file(EB_SYSFS "/cgroups/set_max", buf)) {
			perror("nl_dump: cgroup set-up");
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		struct tencl t;

		if (tencl_create(&t, 2 * EB_PAGE_SIZE, 0)) {
			perror("nl_dump: enclave set-up");
			return 1;
		}
		fds[i] = t.fd;
		t.fd = -1;
		tencl_close(&t);
	}

	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		int a = nl_dump_count(&nl, EB_CMD_GET_CGROUP);
		double t1 = now();
		int b = sysfs_read_all();
		double t2 = now();
		int c = nl_dump_count(&nl, EB_CMD_GET_ENCLAVE);
		double t3 = now();

		if (a < n || b < n || c != n) {
			fprintf(stderr, "nl_dump: saw %d cgroups, %d sysfs entries, %d enclaves\n",
				a, b, c);
			return 1;
		}
		got = a;
		t_cg[r] = t1 - t0;
		t_sys[r] = t2 - t1;
		t_en[r] = t3 - t2;
	}
	{
		double cg = median(t_cg, rounds), sys = median(t_sys, rounds),
		       en = median(t_en, rounds);

		printf("row|netlink dump, %d cgroups|%.1f ms|sysfs, 7 files x %d entries %.1f "
		       "ms|%.2f|-\n",
		       got, cg * 1e3, got, sys * 1e3, cg / sys);
		printf("row|netlink dump, %d enclaves|%.1f ms|(no per-enclave sysfs view)|-|-\n", n,
		       en * 1e3);
	}

	for (int i = 0; i < n; i++)
		close(fds[i]);
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "/ebroker-nlbench/c%d max", i);
		eb_write_file(EB_SYSFS "/cgroups/set_max", buf);
		snprintf(path, sizeof(path), BASE "/c%d", i);
		rmdir(path);
	}
	rmdir(BASE);
	nl_close(&nl);
	return 0;
}
