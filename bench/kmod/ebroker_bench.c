// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker_bench: per-page EPC charge + uncharge beside the misc cgroup
 * controller's charge + uncharge, timed in the kernel on the same cgroup,
 * and a refused charge beside the charge.
 *
 * bench/run loads this from a task inside the cgroup to measure, with the
 * misc controller enabled down to it, so both charge the same levels. At
 * load it runs @reps rounds, each timing @iters eb_cg_try_charge() +
 * eb_cg_commit() + eb_cg_uncharge() of one page (the whole accounting an
 * enclave page costs) and then @iters misc_cg_try_charge() +
 * misc_cg_uncharge() pairs of one unit, then puts a limit of 0 on the
 * highest ancestor that can have one (depth 1) and times @iters refused
 * eb_cg_try_charge() calls, each walking every level up to that limit and
 * back, as a tenant hammering a limit set above it costs. It logs one line:
 *
 *   ebroker_bench: result level=L misc_level=M iters=N reps=R eb_ns=X misc_ns=Y refuse_ns=Z
 *
 * L and M are the depths of the cgroups charged (0 is the root), X, Y and
 * Z the median nanoseconds of one round of N pairs or refusals. Nothing
 * runs after load; bench/run removes the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/ktime.h>
#include <linux/misc_cgroup.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sort.h>

#include "cgroup.h"

#define EB_BENCH_MAX_REPS	15

static unsigned int iters = 1000000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "charge+uncharge pairs per round (default 1000000)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "rounds, the median is reported (1..15, default 5)");

static int eb_bench_eb(struct eb_cg *cg, u64 *ret_ns)
{
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		if (eb_cg_try_charge(cg, PAGE_SIZE, NULL))
			return -EDQUOT;
		eb_cg_commit(cg);
		eb_cg_uncharge(cg, PAGE_SIZE);
	}
	*ret_ns = ktime_get_ns() - start;
	return 0;
}

/* Refusals: every charge is over the limit of @cg's depth-1 ancestor. */
static int eb_bench_refuse(struct eb_cg *cg, u64 *ret_ns)
{
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		if (eb_cg_try_charge(cg, PAGE_SIZE, NULL) != -EDQUOT)
			return -EINVAL;
	}
	*ret_ns = ktime_get_ns() - start;
	return 0;
}

static int eb_bench_misc(struct misc_cg *cg, u64 *ret_ns)
{
	unsigned int i;
	u64 start;
	int ret;

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = misc_cg_try_charge(MISC_CG_RES_SEV, cg, 1);
		if (ret)
			return ret;
		misc_cg_uncharge(MISC_CG_RES_SEV, cg, 1);
	}
	*ret_ns = ktime_get_ns() - start;
	return 0;
}

static int eb_bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 eb_bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), eb_bench_cmp, NULL);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct eb_cg *eb_bench_current_cg(void)
{
	struct cgroup *cgrp;
	struct eb_cg *cg;

	cgrp = eb_cg_current();
	cg = eb_cg_get(cgrp);
	cgroup_put(cgrp);
	return cg;
}

static int __init eb_bench_init(void)
{
	u64 eb_ns[EB_BENCH_MAX_REPS], misc_ns[EB_BENCH_MAX_REPS];
	u64 refuse_ns[EB_BENCH_MAX_REPS];
	struct eb_cg *cg, *top;
	struct misc_cg *mcg;
	unsigned int r;
	int level;
	int ret;

	if (!iters || !reps || reps > EB_BENCH_MAX_REPS)
		return -EINVAL;

	cg = eb_bench_current_cg();
	if (IS_ERR(cg))
		return PTR_ERR(cg);
	level = cg->cgrp->level;
	mcg = get_current_misc_cg();

	/*
	 * Only valid in the benchmark guest: it has no SEV, so nothing else
	 * uses this resource and its capacity is 0 (bench/run checks), which
	 * would refuse every charge. Give it room for the run, then put the
	 * 0 back.
	 */
	ret = misc_cg_set_capacity(MISC_CG_RES_SEV, ULONG_MAX / 2);
	if (ret)
		goto out;

	for (r = 0; r < reps; r++) {
		ret = eb_bench_eb(cg, &eb_ns[r]);
		if (ret)
			break;
		ret = eb_bench_misc(mcg, &misc_ns[r]);
		if (ret)
			break;
		cond_resched();
	}
	misc_cg_set_capacity(MISC_CG_RES_SEV, 0);
	if (ret)
		goto out;

	for (top = cg; top->parent && top->parent->parent; top = top->parent)
		;
	ret = top->parent ? eb_cg_set_limit(top->cgrp, 0) : -EINVAL;
	if (ret)
		goto out;
	for (r = 0; r < reps && !ret; r++) {
		ret = eb_bench_refuse(cg, &refuse_ns[r]);
		cond_resched();
	}
	eb_cg_set_limit(top->cgrp, EB_CG_MAX);
	if (ret)
		goto out;

	pr_info("result level=%d misc_level=%d iters=%u reps=%u eb_ns=%llu misc_ns=%llu refuse_ns=%llu\n",
		level, mcg->css.cgroup->level, iters, reps,
		eb_bench_median(eb_ns, reps), eb_bench_median(misc_ns, reps),
		eb_bench_median(refuse_ns, reps));
out:
	if (ret)
		pr_err("benchmark failed: %d\n", ret);
	put_misc_cg(mcg);
	eb_cg_put(cg);
	return ret;
}
module_init(eb_bench_init);

static void __exit eb_bench_exit(void)
{
}
module_exit(eb_bench_exit);

MODULE_DESCRIPTION("ebroker: EPC charge benchmark beside the misc cgroup's");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EBROKER_BENCH);
