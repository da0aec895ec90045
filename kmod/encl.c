// SPDX-License-Identifier: GPL-2.0
/*
 * The enclave object: created from a SECS, grown page by page while it is
 * measured, frozen by init, freed with its file.
 *
 * Every EPC page, the SECS included, is charged before it is taken from the
 * pool and uncharged after it is returned. Callers hold encl->lock for all
 * build operations.
 *
 * Created enclaves are listed in a registry for the netlink dumps.
 * Registry readers do not take encl->lock: what they read is fixed before
 * registration, or published by init with release semantics, or a counter
 * read once.
 *
 * The module's lock order, outermost first (lockdep checks it under the
 * debug kernel of `make check-debug`):
 *
 *   encl->lock              one enclave's build: CREATE, ADD_PAGES, INIT,
 *                           SET_CGROUP, INFO (ioctl.c)
 *     mmap_lock             ADD_PAGES copies the caller's pages in, and
 *                           may fault them in, under encl->lock
 *     eb_cg_mutex           accounting entries and limits (cgroup.c); also
 *                           taken alone by the netlink SET_LIMIT and dumps
 *                           (under genl_mutex), sysfs writes and the reaper
 *       cgroup_mutex        the cgroup core's, in cgroup_path_ns(): paths
 *                           in GET_CGROUP replies and the sysfs path file
 *     eb_encls_lock         the registry (this file); also under genl_mutex
 *                           for the enclave dump
 *     eb_pool_announce_lock the pool's low/ok announcements (pool.c)
 *       eb_events_lock      the events queue (events.c), a spinlock taken
 *                           to post an event: nothing nests in it
 *     pool.lock             the free list, a spinlock: nothing nests in it
 *     cg->hit_lock          the latest refusal at a cgroup's limit
 *                           (cgroup.c), a spinlock: nothing nests in it
 *
 *   Events are sent, and refusals reported, by work items (events.c,
 *   cgroup.c) that hold none of the locks above while they build a
 *   message; they take eb_cg_mutex (to drop a reference) and
 *   eb_events_lock on their own.
 *
 *   eb_root_lock            the root secret (keys.c), taken by EREPORT,
 *                           EGETKEY and the root_secret sysfs write, with
 *                           no other lock of the module held
 *
 * Nothing under mmap_lock takes encl->lock: mmap and the fault handler
 * (vma.c) read only what init fixed and the page xarray, whose own lock
 * they rely on. An enclave is freed (eb_encl_free()) when its file is
 * released, with no encl->lock held: nothing else can reach it by then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cgroup.h"
#include "encl.h"
#include "events.h"
#include "pool.h"
#include "sgx_rules.h"
#include "sigstruct.h"

static DEFINE_MUTEX(eb_encls_lock);	/* registry membership, dumps */
static DEFINE_XARRAY_ALLOC1(eb_encls);
static u32 eb_encls_next;
static unsigned int eb_encls_count;
static unsigned int eb_encls_gen = 1;	/* enclaves added or removed */

static int eb_encl_register(struct eb_encl *encl)
{
	int ret;

	mutex_lock(&eb_encls_lock);
	ret = xa_alloc_cyclic(&eb_encls, &encl->id, encl, xa_limit_32b,
			      &eb_encls_next, GFP_KERNEL);
	if (ret >= 0) {
		eb_encls_count++;
		eb_encls_gen++;
		ret = 0;
	} else {
		/* xa_alloc_cyclic() may set it even when it fails. */
		encl->id = 0;
	}
	mutex_unlock(&eb_encls_lock);
	return ret;
}

static void eb_encl_unregister(struct eb_encl *encl)
{
	mutex_lock(&eb_encls_lock);
	xa_erase(&eb_encls, encl->id);
	eb_encls_count--;
	eb_encls_gen++;
	mutex_unlock(&eb_encls_lock);
}

unsigned int eb_encl_count(void)
{
	return READ_ONCE(eb_encls_count);
}

/**
 * eb_encl_for_each() - call @fn on registered enclaves, in id order
 * @pos: (in/out) the id to start at; on return, the id @fn stopped at
 * @fn: called with eb_encls_lock held, which keeps the enclave alive (see
 *	the top of this file for what it may read); returns non-zero to stop
 * @arg: passed to @fn
 * @ret_gen: set to the generation of the registry walked, which changes
 *	whenever an enclave is added or removed (for consistent dumps)
 *
 * Context: process context.
 * Return: 0 when every enclave was visited, else what @fn returned.
 */
int eb_encl_for_each(unsigned long *pos,
		     int (*fn)(struct eb_encl *, void *), void *arg,
		     unsigned int *ret_gen)
{
	struct eb_encl *encl;
	int ret = 0;

	mutex_lock(&eb_encls_lock);
	*ret_gen = eb_encls_gen;
	xa_for_each_start(&eb_encls, *pos, encl, *pos) {
		ret = fn(encl, arg);
		if (ret)
			break;
	}
	mutex_unlock(&eb_encls_lock);
	return ret;
}

struct eb_encl *eb_encl_alloc(void)
{
	struct eb_encl *encl = kzalloc(sizeof(*encl), GFP_KERNEL_ACCOUNT);

	if (!encl)
		return NULL;
	mutex_init(&encl->lock);
	xa_init(&encl->pages);
	encl->state = EB_STATE_EMPTY;
	return encl;
}

/* Take one charged page from the pool. */
static struct page *eb_encl_take_page(struct eb_encl *encl)
{
	struct page *page;
	int ret;

	ret = eb_cg_try_charge(encl->cg, PAGE_SIZE, &encl->limit_cgroup_id);
	if (ret)
		return ERR_PTR(ret);
	page = eb_pool_alloc();
	if (!page) {
		eb_cg_uncharge(encl->cg, PAGE_SIZE);
		pr_info_ratelimited("EPC pool exhausted\n");
		return ERR_PTR(-ENOSPC);
	}
	eb_cg_commit(encl->cg);
	encl->nr_pages++;
	return page;
}

static void eb_encl_return_page(struct eb_encl *encl, struct page *page)
{
	eb_pool_free(page);
	eb_cg_uncharge(encl->cg, PAGE_SIZE);
	encl->nr_pages--;
}

/**
 * eb_encl_view() - what the registry's readers may see of an enclave
 * @encl: a registered enclave
 * @view: filled in
 *
 * Context: any; see eb_encl_for_each() for what is read without the lock.
 */
void eb_encl_view(struct eb_encl *encl, struct eb_encl_view *view)
{
	/* Pairs with the release in eb_encl_init(): the identity below is set. */
	u32 state = smp_load_acquire(&encl->state);

	memset(view, 0, sizeof(*view));
	view->id = encl->id;
	view->state = state;
	view->cgroup_id = encl->cg->id;
	view->size = encl->size;
	view->pages = READ_ONCE(encl->nr_pages);
	view->attributes = READ_ONCE(encl->attributes);
	view->owner = encl->owner;
	if (state != EB_STATE_INITIALIZED)
		return;
	memcpy(view->mrenclave, encl->mrenclave, EB_HASH_SIZE);
	memcpy(view->mrsigner, encl->mrsigner, EB_HASH_SIZE);
	view->isv_prod_id = encl->isv_prod_id;
	view->isv_svn = encl->isv_svn;
}

static void eb_encl_announce(struct eb_encl *encl, u8 cmd)
{
	struct eb_encl_view view;

	if (!eb_events_wanted())
		return;
	eb_encl_view(encl, &view);
	eb_event_enclave(cmd, &view);
}

/**
 * eb_encl_free() - free every page, uncharge every byte, drop references
 * @encl: the enclave; its file is being released
 *
 * Context: process context.
 */
void eb_encl_free(struct eb_encl *encl)
{
	struct eb_encl_page *epage;
	unsigned long idx;

	if (encl->id) {
		eb_encl_announce(encl, EB_CMD_EVENT_ENCLAVE_RELEASED);
		eb_encl_unregister(encl);
	}
	xa_for_each(&encl->pages, idx, epage) {
		eb_encl_return_page(encl, epage->page);
		kfree(epage);
		cond_resched();
	}
	xa_destroy(&encl->pages);
	if (encl->secs_page)
		eb_encl_return_page(encl, encl->secs_page);
	WARN_ON_ONCE(encl->nr_pages);
	if (encl->cg) {
		atomic_dec(&encl->cg->enclaves);
		eb_cg_put(encl->cg);
	}
	if (encl->target)
		cgroup_put(encl->target);
	eb_measure_free(&encl->measure);
	kfree(encl);
}

/**
 * eb_encl_set_cgroup() - charge a given cgroup instead of the caller's
 * @encl: an enclave not created yet
 * @cgrp: a referenced cgroup v2 cgroup; the reference is taken over
 *
 * Context: encl->lock held; the caller checked its privilege.
 * Return: 0, or -EINVAL after create (the reference is then dropped).
 */
int eb_encl_set_cgroup(struct eb_encl *encl, struct cgroup *cgrp)
{
	lockdep_assert_held(&encl->lock);
	if (encl->state != EB_STATE_EMPTY) {
		cgroup_put(cgrp);
		return -EINVAL;
	}
	if (encl->target)
		cgroup_put(encl->target);
	encl->target = cgrp;
	return 0;
}

static int eb_secs_validate(const struct eb_secs *secs)
{
	const char *why = eb_secs_check(secs);

	if (why) {
		pr_debug("ECREATE refused: %s\n", why);
		return -EINVAL;
	}
	if (secs->base & (secs->size - 1))
		return -EINVAL;
	/*
	 * ECREATE faults on a non-canonical base. ELRANGE must moreover be
	 * user memory, or the enclave could never be mapped: a range that
	 * wraps or reaches into the kernel's half is refused too.
	 */
	if (!access_ok(u64_to_user_ptr(secs->base), secs->size))
		return -EINVAL;
	if (memchr_inv(secs->reserved1, 0, sizeof(secs->reserved1)) ||
	    memchr_inv(secs->mrenclave, 0, sizeof(secs->mrenclave)) ||
	    memchr_inv(secs->reserved2, 0, sizeof(secs->reserved2)) ||
	    memchr_inv(secs->mrsigner, 0, sizeof(secs->mrsigner)) ||
	    memchr_inv(secs->reserved3, 0, sizeof(secs->reserved3)) ||
	    memchr_inv(secs->config_id, 0, sizeof(secs->config_id)) ||
	    secs->isv_prod_id || secs->isv_svn || secs->config_svn ||
	    memchr_inv(secs->reserved4, 0, sizeof(secs->reserved4)))
		return -EINVAL;
	return 0;
}

/* The cgroup to charge: the one set by a privileged caller, else ours. */
static struct eb_cg *eb_encl_charge_target(struct eb_encl *encl)
{
	struct cgroup *cgrp = encl->target;
	struct eb_cg *cg;

	if (cgrp)
		return eb_cg_get(cgrp);

	cgrp = eb_cg_current();
	cg = eb_cg_get(cgrp);
	cgroup_put(cgrp);
	return cg;
}

/**
 * eb_encl_create() - ECREATE: charge and take the SECS page
 * @encl: an enclave in EB_STATE_EMPTY
 * @secs: the SECS, copied from user space
 *
 * Context: encl->lock held.
 * Return: 0; -EINVAL for a bad SECS or wrong state; -EDQUOT, -ENOSPC when
 * the page cannot be had; -ENOENT when the target cgroup was removed;
 * -ENOMEM.
 */
int eb_encl_create(struct eb_encl *encl, const struct eb_secs *secs)
{
	struct page *page;
	struct eb_cg *cg;
	int ret;

	lockdep_assert_held(&encl->lock);
	if (encl->state != EB_STATE_EMPTY)
		return -EINVAL;
	ret = eb_secs_validate(secs);
	if (ret)
		return ret;

	cg = eb_encl_charge_target(encl);
	if (IS_ERR(cg))
		return PTR_ERR(cg);
	encl->cg = cg;
	page = eb_encl_take_page(encl);
	if (IS_ERR(page)) {
		ret = PTR_ERR(page);
		goto put_cg;
	}
	memcpy(page_address(page), secs, sizeof(*secs));

	encl->secs_page = page;
	encl->base = secs->base;
	encl->size = secs->size;
	encl->attributes = secs->attributes;
	encl->xfrm = secs->xfrm;
	encl->miscselect = secs->miscselect;
	encl->ssa_frame_size = secs->ssa_frame_size;
	ret = eb_measure_ecreate(&encl->measure, secs->ssa_frame_size,
				 secs->size);
	if (ret)
		goto return_page;
	encl->owner = task_tgid_nr(current);
	ret = eb_encl_register(encl);
	if (ret)
		goto free_measure;
	atomic_inc(&cg->enclaves);
	if (encl->target) {
		cgroup_put(encl->target);
		encl->target = NULL;
	}
	encl->state = EB_STATE_CREATED;
	eb_encl_announce(encl, EB_CMD_EVENT_ENCLAVE_CREATED);
	return 0;

free_measure:
	eb_measure_free(&encl->measure);
return_page:
	encl->secs_page = NULL;
	eb_encl_return_page(encl, page);
put_cg:
	encl->cg = NULL;
	eb_cg_put(cg);
	return ret;
}

/**
 * eb_encl_add_page() - EADD (and EEXTEND): add one page from user memory
 * @encl: a created enclave
 * @src: user address of the page's contents
 * @offset: page-aligned offset within ELRANGE, checked by the caller
 * @secinfo: SECINFO.FLAGS, validated by the caller
 * @measure: extend MRENCLAVE with the contents
 *
 * Context: encl->lock held; may sleep.
 * Return: 0; -EEXIST when the page exists; -EFAULT; -EDQUOT; -ENOSPC.
 */
int eb_encl_add_page(struct eb_encl *encl, unsigned long src, u64 offset,
		     u64 secinfo, bool measure)
{
	unsigned long idx = offset >> PAGE_SHIFT;
	struct eb_encl_page *epage;
	struct page *page;
	int ret;

	lockdep_assert_held(&encl->lock);
	if (xa_load(&encl->pages, idx))
		return -EEXIST;
	epage = kmalloc(sizeof(*epage), GFP_KERNEL_ACCOUNT);
	if (!epage)
		return -ENOMEM;
	page = eb_encl_take_page(encl);
	if (IS_ERR(page)) {
		ret = PTR_ERR(page);
		goto free_epage;
	}
	if (copy_from_user(page_address(page), (void __user *)src, PAGE_SIZE)) {
		ret = -EFAULT;
		goto return_page;
	}
	epage->page = page;
	epage->secinfo = secinfo;
	ret = xa_insert(&encl->pages, idx, epage, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto return_page;

	eb_measure_eadd(&encl->measure, offset, secinfo);
	if (measure)
		eb_measure_eextend_page(&encl->measure, offset,
					page_address(page));
	return 0;

return_page:
	eb_encl_return_page(encl, page);
free_epage:
	kfree(epage);
	return ret;
}

/**
 * eb_encl_init() - EINIT: check the SIGSTRUCT against the enclave, freeze it
 * @encl: a created enclave
 * @ss: the SIGSTRUCT, copied from user space
 *
 * A refused SIGSTRUCT leaves the enclave as it was: init may be retried.
 *
 * Context: encl->lock held.
 * Return: 0; -EINVAL for the wrong state; -EBADMSG, -EKEYREJECTED from
 * eb_sigstruct_verify(); -EPERM when the SIGSTRUCT is for another enclave;
 * -ENOMEM, or a hash driver's error, from eb_measure_final().
 */
int eb_encl_init(struct eb_encl *encl, const struct eb_sigstruct *ss)
{
	u8 mrenclave[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	int ret;

	lockdep_assert_held(&encl->lock);
	if (encl->state != EB_STATE_CREATED)
		return -EINVAL;
	ret = eb_sigstruct_verify(ss, mrsigner);
	if (ret)
		return ret;

	/* It finishes a copy: the running measurement survives a refusal. */
	ret = eb_measure_final(&encl->measure, mrenclave);
	if (ret)
		return ret;
	if (memcmp(mrenclave, ss->enclavehash, sizeof(mrenclave)))
		return -EPERM;
	if ((encl->attributes & ss->attributemask) !=
	    (ss->attributes & ss->attributemask) ||
	    (encl->xfrm & ss->xfrmmask) != (ss->xfrm & ss->xfrmmask) ||
	    (encl->miscselect & ss->miscmask) !=
	    (ss->miscselect & ss->miscmask))
		return -EPERM;

	memcpy(encl->mrenclave, mrenclave, sizeof(mrenclave));
	memcpy(encl->mrsigner, mrsigner, sizeof(mrsigner));
	/* Nothing is measured after init: the running hash is done with. */
	eb_measure_free(&encl->measure);
	encl->isv_prod_id = ss->isv_prod_id;
	encl->isv_svn = ss->isv_svn;
	encl->attributes |= EB_ATTR_INIT;
	/* Pairs with the lockless readers of an initialised enclave. */
	smp_store_release(&encl->state, EB_STATE_INITIALIZED);
	eb_encl_announce(encl, EB_CMD_EVENT_ENCLAVE_INITIALIZED);
	return 0;
}

void eb_encl_info(struct eb_encl *encl, struct eb_enclave_info *info)
{
	lockdep_assert_held(&encl->lock);
	memset(info, 0, sizeof(*info));
	memcpy(info->mrenclave, encl->mrenclave, sizeof(info->mrenclave));
	memcpy(info->mrsigner, encl->mrsigner, sizeof(info->mrsigner));
	info->attributes = encl->attributes;
	info->xfrm = encl->xfrm;
	info->miscselect = encl->miscselect;
	info->isv_prod_id = encl->isv_prod_id;
	info->isv_svn = encl->isv_svn;
	info->base = encl->base;
	info->size = encl->size;
	info->pages = encl->nr_pages;
	info->cgroup_id = encl->cg->id;
	info->state = encl->state;
}

unsigned long eb_encl_page_vm_max(const struct eb_encl_page *epage)
{
	unsigned long vm = 0;

	if ((epage->secinfo & EB_SECINFO_PT_MASK) == EB_SECINFO_PT_TCS)
		return VM_READ | VM_WRITE;
	if (epage->secinfo & EB_SECINFO_R)
		vm |= VM_READ;
	if (epage->secinfo & EB_SECINFO_W)
		vm |= VM_WRITE;
	if (epage->secinfo & EB_SECINFO_X)
		vm |= VM_EXEC;
	return vm;
}
