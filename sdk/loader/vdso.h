/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding a function in the vDSO by walking its dynamic symbol table
 * (sdk/loader/vdso.c). The parser only reads the bytes it is given, checks
 * every offset and size against them, and is tested on corrupt copies
 * (sdk/loader/vdso_test.c).
 */
#ifndef EB_LOADER_VDSO_H
#define EB_LOADER_VDSO_H

#include <stddef.h>

/**
 * eb_vdso_image_len() - the length of a vDSO image from its headers
 * @img:	the ELF header; its first page must be readable
 * @ret_len:	(out) the end of the furthest PT_LOAD's file bytes
 * Return: 0; -ENOEXEC (not a 64-bit x86 ELF shared object, headers
 * outside the first page, no PT_LOAD, or larger than 1 MiB).
 */
int eb_vdso_image_len(const void *img, size_t *ret_len);

/**
 * eb_vdso_find() - a global function's offset in a vDSO image
 * @img:	the image as mapped (the vDSO's file and memory layouts agree)
 * @len:	readable bytes at @img; nothing past them is read
 * @name:	the symbol
 * @ret_off:	(out) its offset from @img, inside an executable PT_LOAD
 * Return: 0; -ENOENT (no such defined, visible function); -ENOEXEC (the
 * image is malformed or truncated).
 */
int eb_vdso_find(const void *img, size_t len, const char *name, size_t *ret_off);

/**
 * eb_vdso_sym() - a function of this process's vDSO (AT_SYSINFO_EHDR)
 * Return: 0; -ENOENT (no vDSO, or no such function); -ENOEXEC.
 */
int eb_vdso_sym(const char *name, void **ret);

#endif /* EB_LOADER_VDSO_H */
