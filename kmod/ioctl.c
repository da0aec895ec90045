// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave ioctls: copy in, validate every field, call into encl.c,
 * copy out. The contract is documented in uapi/linux/ebroker.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "encl.h"
#include "ioctl.h"
#include "report.h"
#include "sgx_rules.h"

static_assert(sizeof(struct eb_secs) == EB_SECS_SIZE);
static_assert(sizeof(struct eb_secinfo) == EB_SECINFO_SIZE);
static_assert(sizeof(struct eb_sigstruct) == EB_SIGSTRUCT_SIZE);

static long eb_ioc_create(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_create create;
	struct eb_secs *secs;
	long ret;

	if (copy_from_user(&create, arg, sizeof(create)))
		return -EFAULT;
	secs = memdup_user(u64_to_user_ptr(create.src), sizeof(*secs));
	if (IS_ERR(secs))
		return PTR_ERR(secs);
	ret = eb_encl_create(encl, secs);
	kfree(secs);
	if (ret == -EDQUOT) {
		create.limit_cgroup_id = encl->limit_cgroup_id;
		if (copy_to_user(arg, &create, sizeof(create)))
			ret = -EFAULT;
	}
	return ret;
}

static int eb_secinfo_validate(const struct eb_secinfo *secinfo)
{
	const char *why = eb_secinfo_check(secinfo->flags);

	if (why) {
		pr_debug("EADD refused: %s\n", why);
		return -EINVAL;
	}
	if (memchr_inv(secinfo->reserved, 0, sizeof(secinfo->reserved)))
		return -EINVAL;
	return 0;
}

static long eb_ioc_add_pages(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_add_pages add;
	struct eb_secinfo secinfo;
	u64 c, end;
	long ret = 0;

	if (copy_from_user(&add, arg, sizeof(add)))
		return -EFAULT;
	if (add.flags & ~EB_PAGE_F_ALL)
		return -EINVAL;
	if (!add.length || !PAGE_ALIGNED(add.length) ||
	    !PAGE_ALIGNED(add.offset) || !PAGE_ALIGNED(add.src))
		return -EINVAL;
	if (check_add_overflow(add.src, add.length, &end) ||
	    !access_ok(u64_to_user_ptr(add.src), add.length))
		return -EFAULT;
	if (copy_from_user(&secinfo, u64_to_user_ptr(add.secinfo),
			   sizeof(secinfo)))
		return -EFAULT;
	ret = eb_secinfo_validate(&secinfo);
	if (ret)
		return ret;

	mutex_lock(&encl->lock);
	if (encl->state != EB_STATE_CREATED) {
		ret = -EINVAL;
		goto unlock;
	}
	if (check_add_overflow(add.offset, add.length, &end) ||
	    end > encl->size) {
		ret = -EINVAL;
		goto unlock;
	}
	for (c = 0; c < add.length; c += PAGE_SIZE) {
		if (signal_pending(current)) {
			if (!c)
				ret = -ERESTARTSYS;
			break;
		}
		cond_resched();
		ret = eb_encl_add_page(encl, add.src + c, add.offset + c,
				       secinfo.flags,
				       add.flags & EB_PAGE_MEASURE);
		if (ret)
			break;
	}
	add.count = c;
	add.limit_cgroup_id = ret == -EDQUOT ? encl->limit_cgroup_id : 0;
unlock:
	mutex_unlock(&encl->lock);
	if (ret != -EINVAL && copy_to_user(arg, &add, sizeof(add)))
		return -EFAULT;
	return ret;
}

static long eb_ioc_init(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_init init;
	struct eb_sigstruct *ss;
	long ret;

	if (copy_from_user(&init, arg, sizeof(init)))
		return -EFAULT;
	ss = memdup_user(u64_to_user_ptr(init.sigstruct), sizeof(*ss));
	if (IS_ERR(ss))
		return PTR_ERR(ss);
	mutex_lock(&encl->lock);
	ret = eb_encl_init(encl, ss);
	mutex_unlock(&encl->lock);
	kfree(ss);
	return ret;
}

static long eb_ioc_set_cgroup(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_set_cgroup set;
	struct cgroup *cgrp;
	long ret;

	if (copy_from_user(&set, arg, sizeof(set)))
		return -EFAULT;
	if (set.flags)
		return -EINVAL;
	/* capable() asks about the initial user namespace. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	cgrp = cgroup_get_from_fd(set.cgroup_fd);
	if (IS_ERR(cgrp))
		return -EBADF;
	mutex_lock(&encl->lock);
	ret = eb_encl_set_cgroup(encl, cgrp);
	mutex_unlock(&encl->lock);
	return ret;
}

static long eb_ioc_info(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_info info;

	mutex_lock(&encl->lock);
	if (encl->state == EB_STATE_EMPTY) {
		mutex_unlock(&encl->lock);
		return -EINVAL;
	}
	eb_encl_info(encl, &info);
	mutex_unlock(&encl->lock);
	if (copy_to_user(arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long eb_ioc_report(struct eb_encl *encl, void __user *arg)
{
	u8 reportdata[EB_REPORTDATA_SIZE];
	struct eb_enclave_report req;
	struct eb_targetinfo *ti;
	struct eb_report *report;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (copy_from_user(reportdata, u64_to_user_ptr(req.reportdata),
			   sizeof(reportdata)))
		return -EFAULT;
	ti = memdup_user(u64_to_user_ptr(req.targetinfo), sizeof(*ti));
	if (IS_ERR(ti))
		return PTR_ERR(ti);
	report = kmalloc(sizeof(*report), GFP_KERNEL);
	if (!report) {
		ret = -ENOMEM;
		goto free_ti;
	}
	ret = eb_ereport(encl, ti, reportdata, report);
	if (!ret && copy_to_user(u64_to_user_ptr(req.report), report,
				 sizeof(*report)))
		ret = -EFAULT;
	kfree(report);
free_ti:
	kfree(ti);
	return ret;
}

static long eb_ioc_getkey(struct eb_encl *encl, void __user *arg)
{
	struct eb_enclave_getkey gk;
	struct eb_keyrequest *req;
	u8 key[EB_KEY_SIZE];
	long ret;

	if (copy_from_user(&gk, arg, sizeof(gk)))
		return -EFAULT;
	if (gk.reserved)
		return -EINVAL;
	req = memdup_user(u64_to_user_ptr(gk.keyrequest), sizeof(*req));
	if (IS_ERR(req))
		return PTR_ERR(req);
	ret = eb_egetkey(encl, req, key);
	kfree(req);
	if (ret < 0)
		return ret;

	/* A refusal is a result, not an error: no key, but sgx_error set. */
	gk.sgx_error = ret;
	ret = 0;
	if (!gk.sgx_error) {
		if (copy_to_user(u64_to_user_ptr(gk.key), key, sizeof(key)))
			ret = -EFAULT;
		memzero_explicit(key, sizeof(key));
	}
	if (!ret && copy_to_user(arg, &gk, sizeof(gk)))
		ret = -EFAULT;
	return ret;
}

/**
 * eb_ioctl() - dispatch an enclave ioctl
 * @file: an open /dev/ebroker
 * @cmd: EB_IOC_*
 * @arg: user pointer to the command's structure
 *
 * Context: process context.
 * Return: 0 or a negative errno as documented per command in the UAPI.
 */
long eb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct eb_encl *encl = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case EB_IOC_ENCLAVE_CREATE:
		mutex_lock(&encl->lock);
		ret = eb_ioc_create(encl, uarg);
		mutex_unlock(&encl->lock);
		return ret;
	case EB_IOC_ENCLAVE_ADD_PAGES:
		return eb_ioc_add_pages(encl, uarg);
	case EB_IOC_ENCLAVE_INIT:
		return eb_ioc_init(encl, uarg);
	case EB_IOC_ENCLAVE_SET_CGROUP:
		return eb_ioc_set_cgroup(encl, uarg);
	case EB_IOC_ENCLAVE_INFO:
		return eb_ioc_info(encl, uarg);
	case EB_IOC_ENCLAVE_REPORT:
		return eb_ioc_report(encl, uarg);
	case EB_IOC_ENCLAVE_GETKEY:
		return eb_ioc_getkey(encl, uarg);
	default:
		return -ENOTTY;
	}
}
