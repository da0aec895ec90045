/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_VMA_H
#define EB_VMA_H

struct file;
struct vm_area_struct;

int eb_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* EB_VMA_H */
