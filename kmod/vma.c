// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping an initialised enclave. ELRANGE is mapped at its own addresses:
 * the page behind a virtual address is the enclave page at (address - base).
 * Each page may be mapped with at most the rights its SECINFO grants. The
 * mappings are not copied on fork, not dumped, and refuse ptrace and
 * /proc/PID/mem unless the enclave has the DEBUG attribute.
 */
#include <linux/highmem.h>
#include <linux/mm.h>

#include "encl.h"
#include "vma.h"

#define EB_VM_RWX	(VM_READ | VM_WRITE | VM_EXEC)

/* Every present page in [start, end) allows @vm_flags. */
static int eb_encl_may_map(struct eb_encl *encl, unsigned long start,
			   unsigned long end, unsigned long vm_flags)
{
	unsigned long want = vm_flags & EB_VM_RWX;
	struct eb_encl_page *epage;
	unsigned long idx;

	if (start < encl->base || end > encl->base + encl->size)
		return -EINVAL;
	xa_for_each_range(&encl->pages, idx, epage,
			  (start - encl->base) >> PAGE_SHIFT,
			  ((end - encl->base) >> PAGE_SHIFT) - 1) {
		if (want & ~eb_encl_page_vm_max(epage))
			return -EACCES;
	}
	return 0;
}

static vm_fault_t eb_vma_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct eb_encl *encl = vma->vm_private_data;
	struct eb_encl_page *epage;
	unsigned long addr = vmf->address;

	if (addr < encl->base || addr >= encl->base + encl->size)
		return VM_FAULT_SIGBUS;
	epage = xa_load(&encl->pages, (addr - encl->base) >> PAGE_SHIFT);
	if (!epage || (vma->vm_flags & EB_VM_RWX & ~eb_encl_page_vm_max(epage)))
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vma, addr & PAGE_MASK, page_to_pfn(epage->page));
}

static int eb_vma_mprotect(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, unsigned long newflags)
{
	return eb_encl_may_map(vma->vm_private_data, start, end, newflags);
}

/* Moving the mapping would detach addresses from enclave offsets. */
static int eb_vma_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * ptrace and /proc/PID/mem reach VM_PFNMAP memory only through here:
 * refuse unless the enclave was built for debugging, as EDBGRD would.
 * (process_vm_readv() cannot pin PFN-mapped pages and always fails.)
 */
static int eb_vma_access(struct vm_area_struct *vma, unsigned long addr,
			 void *buf, int len, int write)
{
	struct eb_encl *encl = vma->vm_private_data;
	struct eb_encl_page *epage;
	int done = 0;

	if (!(encl->attributes & EB_ATTR_DEBUG))
		return -EIO;
	while (done < len) {
		unsigned long off = (addr + done) & ~PAGE_MASK;
		int n = min_t(int, len - done, PAGE_SIZE - off);
		u8 *va;

		if (addr + done < encl->base ||
		    addr + done >= encl->base + encl->size)
			break;
		epage = xa_load(&encl->pages,
				(addr + done - encl->base) >> PAGE_SHIFT);
		if (!epage)
			break;
		va = page_address(epage->page) + off;
		if (write)
			memcpy(va, buf + done, n);
		else
			memcpy(buf + done, va, n);
		done += n;
	}
	return done ? done : -EIO;
}

static const struct vm_operations_struct eb_vm_ops = {
	.fault = eb_vma_fault,
	.mprotect = eb_vma_mprotect,
	.mremap = eb_vma_mremap,
	.access = eb_vma_access,
};

/**
 * eb_mmap() - map part of an initialised enclave's ELRANGE
 * @file: the enclave file
 * @vma: the new mapping; must lie inside ELRANGE
 *
 * Context: mmap_lock held for writing.
 * Return: 0; -EBUSY before init; -EINVAL outside ELRANGE or for a
 * private mapping; -EACCES when
 * a page's SECINFO does not allow the requested rights.
 */
int eb_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct eb_encl *encl = file->private_data;
	int ret;

	/* Pairs with the release in eb_encl_init(). */
	if (smp_load_acquire(&encl->state) != EB_STATE_INITIALIZED)
		return -EBUSY;
	/* A private (copy-on-write) mapping of EPC makes no sense. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	ret = eb_encl_may_map(encl, vma->vm_start, vma->vm_end,
			      vma->vm_flags);
	if (ret)
		return ret;
	vma->vm_ops = &eb_vm_ops;
	vma->vm_private_data = encl;
	vma->vm_flags |= VM_PFNMAP | VM_IO | VM_DONTCOPY | VM_DONTDUMP |
			 VM_DONTEXPAND;
	return 0;
}
