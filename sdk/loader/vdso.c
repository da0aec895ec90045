// SPDX-License-Identifier: GPL-2.0
/*
 * A small ELF64 reader for the vDSO: enough to find a function by name in
 * its dynamic symbol table. The vDSO is the kernel's, but the parser still
 * trusts nothing in it: every header, table and string is read with
 * memcpy() (no alignment assumed) after checking it lies inside the bytes
 * given, and every count is bounded.
 *
 * The symbol count comes from DT_HASH (nchain) or, without it, from
 * DT_GNU_HASH (the last chain's end). Symbols are looked up by a linear
 * scan: the vDSO has a dozen.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

#include "vdso.h"

#define VDSO_MAX_LEN  (1u << 20)
#define VDSO_MAX_SYMS 65536u
#define VDSO_MAX_DYN  1024u
#define HEADER_LEN    4096u

struct elf {
	const uint8_t *p;
	size_t len;
	Elf64_Ehdr eh;
};

/* [off, off + size) inside @len, without overflow. */
static bool in_bounds(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int read_ehdr(struct elf *e)
{
	Elf64_Ehdr *eh = &e->eh;

	if (!in_bounds(e->len, 0, sizeof(*eh)))
		return -ENOEXEC;
	memcpy(eh, e->p, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_DYN ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    !in_bounds(e->len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return -ENOEXEC;
	return 0;
}

static void phdr(const struct elf *e, unsigned int i, Elf64_Phdr *ph)
{
	memcpy(ph, e->p + e->eh.e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/*
 * The file offset of [vaddr, vaddr + size), which must lie inside one
 * PT_LOAD's file bytes (and inside the image); with @exec, an executable
 * one.
 */
static int vaddr_to_off(const struct elf *e, uint64_t vaddr, uint64_t size, bool exec,
			uint64_t *ret)
{
	for (unsigned int i = 0; i < e->eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t rel;

		phdr(e, i, &ph);
		if (ph.p_type != PT_LOAD || (exec && !(ph.p_flags & PF_X)))
			continue;
		if (vaddr < ph.p_vaddr)
			continue;
		rel = vaddr - ph.p_vaddr;
		if (!in_bounds(ph.p_filesz, rel, size) ||
		    !in_bounds(e->len, ph.p_offset, ph.p_filesz))
			continue;
		*ret = ph.p_offset + rel;
		return 0;
	}
	return -ENOEXEC;
}

struct dyn {
	uint64_t symtab, strtab, strsz, syment, hash, gnu_hash, versym;
	bool has_symtab, has_strtab, has_hash, has_gnu_hash, has_versym;
};

static int read_dynamic(const struct elf *e, struct dyn *d)
{
	Elf64_Phdr ph;
	unsigned int i, n = 0;
	bool found = false, ended = false;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < e->eh.e_phnum && !found; i++) {
		phdr(e, i, &ph);
		found = ph.p_type == PT_DYNAMIC;
	}
	if (!found || !in_bounds(e->len, ph.p_offset, ph.p_filesz))
		return -ENOEXEC;
	n = ph.p_filesz / sizeof(Elf64_Dyn);
	if (n > VDSO_MAX_DYN)
		n = VDSO_MAX_DYN;
	for (i = 0; i < n && !ended; i++) {
		Elf64_Dyn dyn;

		memcpy(&dyn, e->p + ph.p_offset + (uint64_t)i * sizeof(dyn), sizeof(dyn));
		switch (dyn.d_tag) {
		case DT_NULL:
			ended = true;
			break;
		case DT_SYMTAB:
			d->symtab = dyn.d_un.d_ptr;
			d->has_symtab = true;
			break;
		case DT_STRTAB:
			d->strtab = dyn.d_un.d_ptr;
			d->has_strtab = true;
			break;
		case DT_STRSZ:
			d->strsz = dyn.d_un.d_val;
			break;
		case DT_SYMENT:
			d->syment = dyn.d_un.d_val;
			break;
		case DT_HASH:
			d->hash = dyn.d_un.d_ptr;
			d->has_hash = true;
			break;
		case DT_GNU_HASH:
			d->gnu_hash = dyn.d_un.d_ptr;
			d->has_gnu_hash = true;
			break;
		case DT_VERSYM:
			d->versym = dyn.d_un.d_ptr;
			d->has_versym = true;
			break;
		}
	}
	if (!ended || !d->has_symtab || !d->has_strtab || !d->strsz ||
	    (d->syment && d->syment != sizeof(Elf64_Sym)) || (!d->has_hash && !d->has_gnu_hash))
		return -ENOEXEC;
	return 0;
}

static uint32_t word(const struct elf *e, uint64_t off)
{
	uint32_t w;

	memcpy(&w, e->p + off, sizeof(w));
	return w;
}

/* The number of dynamic symbols, from DT_HASH or DT_GNU_HASH. */
static int sym_count(const struct elf *e, const struct dyn *d, uint32_t *ret)
{
	uint32_t nbuckets, symoffset, bloom_size, max = 0;
	uint64_t off, buckets, chains;

	if (d->has_hash) {
		if (vaddr_to_off(e, d->hash, 8, false, &off))
			return -ENOEXEC;
		*ret = word(e, off + 4); /* nchain */
		return 0;
	}
	if (vaddr_to_off(e, d->gnu_hash, 16, false, &off))
		return -ENOEXEC;
	nbuckets = word(e, off);
	symoffset = word(e, off + 4);
	bloom_size = word(e, off + 8);
	if (!nbuckets || nbuckets > VDSO_MAX_SYMS || bloom_size > VDSO_MAX_SYMS)
		return -ENOEXEC;
	buckets = d->gnu_hash + 16 + (uint64_t)bloom_size * 8;
	if (vaddr_to_off(e, buckets, (uint64_t)nbuckets * 4, false, &off))
		return -ENOEXEC;
	for (uint32_t i = 0; i < nbuckets; i++) {
		uint32_t b = word(e, off + (uint64_t)i * 4);

		if (b > max)
			max = b;
	}
	if (max < symoffset) {
		*ret = symoffset;
		return 0;
	}
	/* Walk the last chain to the entry with its low bit set. */
	chains = buckets + (uint64_t)nbuckets * 4;
	for (uint32_t i = max; i < VDSO_MAX_SYMS; i++) {
		if (vaddr_to_off(e, chains + (uint64_t)(i - symoffset) * 4, 4, false, &off))
			return -ENOEXEC;
		if (word(e, off) & 1) {
			*ret = i + 1;
			return 0;
		}
	}
	return -ENOEXEC;
}

int eb_vdso_find(const void *img, size_t len, const char *name, size_t *ret_off)
{
	struct elf e = { .p = img, .len = len };
	uint64_t symtab, strtab, versym = 0, fn;
	struct dyn d;
	uint32_t nsyms;
	int r;

	if (!img || !name || !ret_off)
		return -EINVAL;
	r = read_ehdr(&e);
	if (!r)
		r = read_dynamic(&e, &d);
	if (!r)
		r = sym_count(&e, &d, &nsyms);
	if (r)
		return r;
	if (nsyms > VDSO_MAX_SYMS ||
	    vaddr_to_off(&e, d.symtab, (uint64_t)nsyms * sizeof(Elf64_Sym), false, &symtab) ||
	    vaddr_to_off(&e, d.strtab, d.strsz, false, &strtab) ||
	    (d.has_versym && vaddr_to_off(&e, d.versym, (uint64_t)nsyms * 2, false, &versym)))
		return -ENOEXEC;

	for (uint32_t i = 0; i < nsyms; i++) {
		const char *s;
		Elf64_Sym sym;
		uint16_t ver;

		memcpy(&sym, e.p + symtab + (uint64_t)i * sizeof(sym), sizeof(sym));
		if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    (ELF64_ST_BIND(sym.st_info) != STB_GLOBAL &&
		     ELF64_ST_BIND(sym.st_info) != STB_WEAK) ||
		    sym.st_name >= d.strsz)
			continue;
		if (d.has_versym) {
			memcpy(&ver, e.p + versym + (uint64_t)i * 2, sizeof(ver));
			/* Local, or hidden: not for the dynamic linker either. */
			if ((ver & 0x7fff) == VER_NDX_LOCAL || (ver & 0x8000))
				continue;
		}
		s = (const char *)e.p + strtab + sym.st_name;
		if (!memchr(s, 0, d.strsz - sym.st_name) || strcmp(s, name))
			continue;
		if (vaddr_to_off(&e, sym.st_value, 1, true, &fn))
			return -ENOEXEC;
		*ret_off = fn;
		return 0;
	}
	return -ENOENT;
}

int eb_vdso_image_len(const void *img, size_t *ret_len)
{
	struct elf e = { .p = img, .len = HEADER_LEN };
	uint64_t end = 0;
	int r;

	if (!img || !ret_len)
		return -EINVAL;
	r = read_ehdr(&e);
	if (r)
		return r;
	for (unsigned int i = 0; i < e.eh.e_phnum; i++) {
		Elf64_Phdr ph;

		phdr(&e, i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		if (!in_bounds(VDSO_MAX_LEN, ph.p_offset, ph.p_filesz))
			return -ENOEXEC;
		if (ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	if (!end)
		return -ENOEXEC;
	*ret_len = end;
	return 0;
}

int eb_vdso_sym(const char *name, void **ret)
{
	const uint8_t *base = (const uint8_t *)(uintptr_t)getauxval(AT_SYSINFO_EHDR);
	size_t len, off;
	int r;

	if (!name || !ret)
		return -EINVAL;
	if (!base)
		return -ENOENT;
	r = eb_vdso_image_len(base, &len);
	if (!r)
		r = eb_vdso_find(base, len, name, &off);
	if (r)
		return r;
	*ret = (void *)(base + off);
	return 0;
}
