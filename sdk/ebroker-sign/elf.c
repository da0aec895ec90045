// SPDX-License-Identifier: GPL-2.0
/*
 * From an enclave ELF to the pages of an image, following the SDK contract
 * (docs/image-format.md, "From ELF to pages"): every PT_LOAD becomes pages in
 * ascending address order, a PT_LOAD without R, W or X holds TCS pages, and
 * an "ebroker" note gives the SSA frame size.
 *
 * The ELF is its author's, not an attacker's, but it is read just as
 * carefully: every offset is checked against the file before it is used.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ELF reader expects a little-endian host, as x86-64 ELF files are"
#endif

#define PHNUM_MAX 256 /* linkers write a dozen */

#define EB_NOTE_OWNER	"ebroker"
#define EB_NOTE_ENCLAVE 1
#define EB_NOTE_VERSION 1

/* The descriptor of the EB_NOTE_ENCLAVE note. */
struct eb_note_enclave {
	uint32_t version;
	uint32_t ssa_frame_size;
	uint32_t nr_tcs;
	uint32_t reserved;
};

struct elf {
	const uint8_t *buf;
	size_t len;
	Elf64_Phdr *loads; /* PT_LOAD segments that hold memory, in order */
	size_t n_loads;
	char *err;
	size_t errlen;
	/* From the note, if there is one. */
	bool have_note;
	struct eb_note_enclave note;
};

static int refuse(struct elf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct elf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* [offset, offset + size) lies inside the file. */
static bool in_file(const struct elf *e, uint64_t offset, uint64_t size)
{
	return offset <= e->len && size <= e->len - offset;
}

static uint64_t round_up_page(uint64_t v)
{
	return (v + EB_PAGE_SIZE - 1) & ~(uint64_t)(EB_PAGE_SIZE - 1);
}

static int read_ehdr(struct elf *e, Elf64_Ehdr *ret)
{
	Elf64_Ehdr h = { 0 };

	if (e->len < sizeof(h))
		return refuse(e, "not an ELF file: too short");
	memcpy(&h, e->buf, sizeof(h));
	if (memcmp(h.e_ident, ELFMAG, SELFMAG))
		return refuse(e, "not an ELF file");
	if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB ||
	    h.e_machine != EM_X86_64)
		return refuse(e, "not an x86-64 ELF64 file");
	if (h.e_ident[EI_VERSION] != EV_CURRENT || h.e_version != EV_CURRENT)
		return refuse(e, "unknown ELF version");
	if (h.e_type != ET_DYN)
		return refuse(e, "not a position-independent ELF (e_type is not ET_DYN): link "
				 "with -static-pie");
	if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0 || h.e_phnum > PHNUM_MAX)
		return refuse(e, "bad program header table (entry size or count)");
	if (!in_file(e, h.e_phoff, (uint64_t)h.e_phnum * sizeof(Elf64_Phdr)))
		return refuse(e, "truncated: program headers past the end of the file");
	*ret = h;
	return 0;
}

static int check_load(struct elf *e, unsigned int i, const Elf64_Phdr *p)
{
	const Elf64_Phdr *prev = e->n_loads ? &e->loads[e->n_loads - 1] : NULL;

	if (p->p_vaddr % EB_PAGE_SIZE || p->p_offset % EB_PAGE_SIZE)
		return refuse(e, "PT_LOAD %u at 0x%llx: address or file offset not page aligned", i,
			      (unsigned long long)p->p_vaddr);
	if (p->p_filesz > p->p_memsz)
		return refuse(e, "PT_LOAD %u at 0x%llx: file size above memory size", i,
			      (unsigned long long)p->p_vaddr);
	if (!in_file(e, p->p_offset, p->p_filesz))
		return refuse(e, "truncated: PT_LOAD %u at 0x%llx ends past the end of the file", i,
			      (unsigned long long)p->p_vaddr);
	if (p->p_vaddr > EB_ECREATE_SIZE_MAX || p->p_memsz > EB_ECREATE_SIZE_MAX - p->p_vaddr)
		return refuse(e, "PT_LOAD %u at 0x%llx: ends above the largest enclave (64 GiB)", i,
			      (unsigned long long)p->p_vaddr);
	if (p->p_flags & ~(uint32_t)(PF_R | PF_W | PF_X))
		return refuse(e, "PT_LOAD %u at 0x%llx: unknown segment flags 0x%x", i,
			      (unsigned long long)p->p_vaddr, p->p_flags);
	if ((p->p_flags & PF_W) && !(p->p_flags & PF_R))
		return refuse(e, "PT_LOAD %u at 0x%llx: writable but not readable", i,
			      (unsigned long long)p->p_vaddr);
	if (prev && p->p_vaddr < round_up_page(prev->p_vaddr + prev->p_memsz))
		return refuse(e,
			      "PT_LOAD %u at 0x%llx: overlaps the segment before it, or is out "
			      "of address order",
			      i, (unsigned long long)p->p_vaddr);
	return 0;
}

static int read_note(struct elf *e, const Elf64_Phdr *p)
{
	uint64_t align = p->p_align == 8 ? 8 : 4;
	uint64_t pos = 0;

	if (!in_file(e, p->p_offset, p->p_filesz))
		return refuse(e, "truncated: PT_NOTE past the end of the file");

	while (p->p_filesz - pos >= sizeof(Elf64_Nhdr)) {
		const uint8_t *base = e->buf + p->p_offset;
		uint64_t name, desc, next;
		Elf64_Nhdr n;

		memcpy(&n, base + pos, sizeof(n));
		name = pos + sizeof(n);
		desc = name + ((n.n_namesz + align - 1) & ~(align - 1));
		next = desc + ((n.n_descsz + align - 1) & ~(align - 1));
		if (desc > p->p_filesz || next > p->p_filesz)
			return refuse(e, "malformed note: past the end of its PT_NOTE");
		pos = next;

		if (n.n_namesz != sizeof(EB_NOTE_OWNER) ||
		    memcmp(base + name, EB_NOTE_OWNER, sizeof(EB_NOTE_OWNER)) ||
		    n.n_type != EB_NOTE_ENCLAVE)
			continue;
		if (e->have_note)
			return refuse(e, "more than one \"ebroker\" enclave note");
		if (n.n_descsz != sizeof(e->note))
			return refuse(e, "\"ebroker\" enclave note: descriptor of %u bytes, not 16",
				      n.n_descsz);
		memcpy(&e->note, base + desc, sizeof(e->note));
		if (e->note.version != EB_NOTE_VERSION)
			return refuse(e, "\"ebroker\" enclave note: unsupported version %u",
				      e->note.version);
		if (e->note.ssa_frame_size == 0 || e->note.reserved)
			return refuse(e,
				      "\"ebroker\" enclave note: SSA frame size zero or reserved "
				      "field not zero");
		e->have_note = true;
	}
	return 0;
}

/* The load segment holding [vaddr, vaddr + size) in memory, or NULL. */
static const Elf64_Phdr *load_at(const struct elf *e, uint64_t vaddr, uint64_t size)
{
	for (size_t i = 0; i < e->n_loads; i++) {
		const Elf64_Phdr *p = &e->loads[i];

		if (vaddr >= p->p_vaddr && vaddr - p->p_vaddr <= p->p_memsz &&
		    size <= p->p_memsz - (vaddr - p->p_vaddr))
			return p;
	}
	return NULL;
}

/*
 * A relocation table at @vaddr: every target must be writable, since pages
 * are measured as the file has them and the runtime can only relocate
 * what it may write -- never a TCS or read-only page. (This says more than
 * DT_TEXTREL would, so that flag itself is not looked at.)
 */
static int check_relocs(struct elf *e, uint64_t vaddr, uint64_t size, const char *what)
{
	const Elf64_Phdr *p = load_at(e, vaddr, size);
	uint64_t offset;

	if (size % sizeof(Elf64_Rela))
		return refuse(e, "%s: size not a multiple of the entry size", what);
	if (!p || vaddr - p->p_vaddr > p->p_filesz || size > p->p_filesz - (vaddr - p->p_vaddr))
		return refuse(e, "%s: not inside the file bytes of a PT_LOAD", what);
	offset = p->p_offset + (vaddr - p->p_vaddr);

	for (uint64_t i = 0; i < size; i += sizeof(Elf64_Rela)) {
		const Elf64_Phdr *t;
		Elf64_Rela r;

		memcpy(&r, e->buf + offset + i, sizeof(r));
		/* ld leaves these where it resolved a relocation statically. */
		if (ELF64_R_TYPE(r.r_info) == R_X86_64_NONE)
			continue;
		t = load_at(e, r.r_offset, sizeof(uint64_t));
		if (!t || !(t->p_flags & PF_W))
			return refuse(e,
				      "dynamic relocation at 0x%llx targets a page that is not "
				      "writable (TCS, read-only or none): the enclave cannot "
				      "apply it; make the value a link-time constant",
				      (unsigned long long)r.r_offset);
	}
	return 0;
}

static int read_dynamic(struct elf *e, const Elf64_Phdr *p)
{
	uint64_t rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0;

	if (!in_file(e, p->p_offset, p->p_filesz))
		return refuse(e, "truncated: PT_DYNAMIC past the end of the file");

	for (uint64_t i = 0; i + sizeof(Elf64_Dyn) <= p->p_filesz; i += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;

		memcpy(&d, e->buf + p->p_offset + i, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		switch (d.d_tag) {
		case DT_NEEDED:
			return refuse(e, "DT_NEEDED: the enclave links against a shared library; "
					 "it must be self-contained");
		case DT_REL:
		case DT_RELR:
			return refuse(e, "DT_REL or DT_RELR relocations: only RELA is supported");
		case DT_PLTREL:
			if (d.d_un.d_val != DT_RELA)
				return refuse(e, "DT_PLTREL: PLT relocations other than RELA");
			break;
		case DT_RELA:
			rela = d.d_un.d_ptr;
			break;
		case DT_RELASZ:
			relasz = d.d_un.d_val;
			break;
		case DT_JMPREL:
			jmprel = d.d_un.d_ptr;
			break;
		case DT_PLTRELSZ:
			pltrelsz = d.d_un.d_val;
			break;
		}
	}
	if (relasz) {
		int r = check_relocs(e, rela, relasz, "DT_RELA");

		if (r < 0)
			return r;
	}
	if (pltrelsz)
		return check_relocs(e, jmprel, pltrelsz, "DT_JMPREL");
	return 0;
}

/* One page of @p at @vaddr, zero past p_filesz; NULL for all zeros. */
static const void *page_data(const struct elf *e, const Elf64_Phdr *p, uint64_t vaddr,
			     uint8_t buf[EB_PAGE_SIZE])
{
	uint64_t in = vaddr - p->p_vaddr;

	if (in >= p->p_filesz)
		return NULL;
	if (p->p_filesz - in >= EB_PAGE_SIZE)
		return e->buf + p->p_offset + in;
	memset(buf, 0, EB_PAGE_SIZE);
	memcpy(buf, e->buf + p->p_offset + in, p->p_filesz - in);
	return buf;
}

static int add_pages(struct elf *e, struct ebroker_image *img, unsigned int *ret_tcs)
{
	uint8_t buf[EB_PAGE_SIZE];
	unsigned int tcs = 0;

	for (size_t i = 0; i < e->n_loads; i++) {
		const Elf64_Phdr *p = &e->loads[i];
		uint64_t flags = EB_SECINFO_PT_REG;

		if (p->p_flags == 0)
			flags = EB_SECINFO_PT_TCS;
		if (p->p_flags & PF_R)
			flags |= EB_SECINFO_R;
		if (p->p_flags & PF_W)
			flags |= EB_SECINFO_W;
		if (p->p_flags & PF_X)
			flags |= EB_SECINFO_X;

		for (uint64_t va = p->p_vaddr; va < p->p_vaddr + p->p_memsz; va += EB_PAGE_SIZE) {
			const char *why = NULL;
			int r;

			r = ebroker_image_add_page(img, va, flags, page_data(e, p, va, buf), true,
						   &why);
			if (r == -EINVAL)
				return refuse(e, "%s page at 0x%llx: %s",
					      p->p_flags ? "enclave" : "TCS",
					      (unsigned long long)va, why ? why : "refused");
			if (r < 0)
				return r;
			if (p->p_flags == 0)
				tcs++;
		}
	}
	*ret_tcs = tcs;
	return 0;
}

int elf_layout(const void *elf, size_t len, const struct layout_params *params,
	       struct ebroker_image **ret, char *err, size_t errlen)
{
	_cleanup_(freep) Elf64_Phdr *loads = NULL;
	struct elf e = { .buf = elf, .len = len, .err = err, .errlen = errlen };
	struct ebroker_image *img = NULL;
	struct eb_secs secs;
	uint64_t end, pages = 0;
	unsigned int tcs = 0;
	Elf64_Ehdr h = { 0 };
	int r;

	r = read_ehdr(&e, &h);
	if (r < 0)
		return r;
	loads = calloc(h.e_phnum, sizeof(*loads));
	if (!loads)
		return -ENOMEM;
	e.loads = loads;

	for (unsigned int i = 0; i < h.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, e.buf + h.e_phoff + i * sizeof(p), sizeof(p));
		switch (p.p_type) {
		case PT_INTERP:
			return refuse(&e, "PT_INTERP: not a freestanding static PIE");
		case PT_LOAD:
			if (p.p_memsz == 0 && p.p_filesz == 0)
				break; /* holds nothing */
			r = check_load(&e, i, &p);
			if (r < 0)
				return r;
			e.loads[e.n_loads++] = p;
			pages += round_up_page(p.p_memsz) / EB_PAGE_SIZE;
			break;
		case PT_NOTE:
			r = read_note(&e, &p);
			if (r < 0)
				return r;
			break;
		}
	}
	if (e.n_loads == 0)
		return refuse(&e, "no PT_LOAD segment");
	if (pages > EBROKER_IMAGE_PAGES_MAX)
		return refuse(&e, "more than 2^20 pages");

	/* Relocations are checked against the segments, so after them. */
	for (unsigned int i = 0; i < h.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, e.buf + h.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type != PT_DYNAMIC)
			continue;
		r = read_dynamic(&e, &p);
		if (r < 0)
			return r;
	}

	end = round_up_page(e.loads[e.n_loads - 1].p_vaddr + e.loads[e.n_loads - 1].p_memsz);
	memset(&secs, 0, sizeof(secs));
	secs.size = 2 * EB_PAGE_SIZE;
	while (secs.size < end)
		secs.size *= 2;
	secs.ssa_frame_size = e.have_note ? e.note.ssa_frame_size : 1;
	secs.attributes = params->attributes | EB_ATTR_MODE64BIT;
	secs.xfrm = params->xfrm;
	secs.miscselect = params->miscselect;
	r = ebroker_image_new(&secs, &img);
	if (r == -EINVAL) {
		snprintf(err, errlen,
			 "SECS refused (SSA frame size 1 to %u pages, XFRM with x87 "
			 "and SSE, MISCSELECT 0 or 1, defined attributes only)",
			 EB_ECREATE_SSA_FRAME_MAX);
		return r;
	}
	if (r < 0)
		return r;

	r = add_pages(&e, img, &tcs);
	if (r == 0 && tcs == 0)
		r = refuse(&e, "no TCS segment (a PT_LOAD with neither R, W nor X)");
	if (r == 0 && e.have_note && e.note.nr_tcs != tcs)
		r = refuse(&e, "\"ebroker\" enclave note says %u TCS, the TCS segments hold %u",
			   e.note.nr_tcs, tcs);
	if (r < 0) {
		ebroker_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}
