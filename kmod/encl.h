/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_ENCL_H
#define EB_ENCL_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/ebroker.h>

#include "measure.h"

struct cgroup;
struct eb_cg;
struct eb_encl_view;
struct page;

/**
 * struct eb_encl_page - one EPC page of an enclave
 * @page:	the page, from the pool
 * @secinfo:	SECINFO.FLAGS it was added with (permissions, type)
 */
struct eb_encl_page {
	struct page *page;
	u64 secinfo;
};

/**
 * struct eb_encl - an enclave: the private data of one /dev/ebroker file
 * @lock:	serialises the build ioctls; protects everything below that
 *		changes before init. After init the enclave is immutable and
 *		the fault path reads it without the lock.
 * @state:	EB_STATE_*
 * @target:	cgroup chosen by EB_IOC_ENCLAVE_SET_CGROUP, until create
 * @cg:		what every page is charged to, from create on
 * @secs_page:	the SECS's EPC page
 * @pages:	enclave pages by page index within ELRANGE
 * @nr_pages:	EPC pages held, SECS included
 * @measure:	running MRENCLAVE
 * @id:		registry id, from create on (0 before)
 * @owner:	tgid of the creator, in the initial pid namespace
 * @limit_cgroup_id: the cgroup whose limit refused the last page refused
 *		(EDQUOT), for the ioctl to report
 */
struct eb_encl {
	struct mutex lock;	/* see above */
	unsigned int state;
	struct cgroup *target;
	struct eb_cg *cg;
	struct page *secs_page;
	struct xarray pages;
	unsigned long nr_pages;
	struct eb_measure measure;
	u32 id;
	pid_t owner;
	u64 limit_cgroup_id;

	u64 base;
	u64 size;
	u64 attributes;
	u64 xfrm;
	u32 miscselect;
	u32 ssa_frame_size;

	u8 mrenclave[EB_HASH_SIZE];
	u8 mrsigner[EB_HASH_SIZE];
	u16 isv_prod_id;
	u16 isv_svn;
};

struct eb_encl *eb_encl_alloc(void);
void eb_encl_free(struct eb_encl *encl);

int eb_encl_set_cgroup(struct eb_encl *encl, struct cgroup *cgrp);
int eb_encl_create(struct eb_encl *encl, const struct eb_secs *secs);
int eb_encl_add_page(struct eb_encl *encl, unsigned long src, u64 offset,
		     u64 secinfo, bool measure);
int eb_encl_init(struct eb_encl *encl, const struct eb_sigstruct *ss);
void eb_encl_info(struct eb_encl *encl, struct eb_enclave_info *info);
void eb_encl_view(struct eb_encl *encl, struct eb_encl_view *view);

int eb_encl_for_each(unsigned long *pos,
		     int (*fn)(struct eb_encl *, void *), void *arg,
		     unsigned int *ret_gen);
unsigned int eb_encl_count(void);

/* VM_READ/VM_WRITE/VM_EXEC a page may be mapped with. */
unsigned long eb_encl_page_vm_max(const struct eb_encl_page *epage);

#endif /* EB_ENCL_H */
