// SPDX-License-Identifier: GPL-2.0
/*
 * Reading an image file. The input is hostile until proven otherwise: every
 * offset and length is checked against the file's size, with overflow
 * checked, before anything at that offset is read; the file is copied once
 * into memory the image owns, so nothing can change it after the checks.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"

#include "internal.h"

/* A section of the file: [offset, offset + size). */
struct section {
	uint64_t offset, size;
};

static void hdr_from_le(struct eb_image_hdr *h)
{
	h->version = le32toh(h->version);
	h->header_size = le32toh(h->header_size);
	h->flags = le32toh(h->flags);
	h->page_count = le32toh(h->page_count);
	h->page_table_offset = le64toh(h->page_table_offset);
	h->data_offset = le64toh(h->data_offset);
	h->data_size = le64toh(h->data_size);
	h->sigstruct_offset = le64toh(h->sigstruct_offset);
	h->enclave_size = le64toh(h->enclave_size);
	h->ssa_frame_size = le32toh(h->ssa_frame_size);
	h->miscselect = le32toh(h->miscselect);
	h->attributes = le64toh(h->attributes);
	h->xfrm = le64toh(h->xfrm);
}

static const char *check_header(const struct eb_image_hdr *h)
{
	if (memcmp(h->magic, EBROKER_IMAGE_MAGIC, EBROKER_IMAGE_MAGIC_SIZE))
		return "not an enclave image (bad magic)";
	if (h->version != EBROKER_IMAGE_VERSION)
		return "unsupported image format version";
	if (h->header_size != EBROKER_IMAGE_HEADER_SIZE)
		return "header size not 128";
	if (h->flags)
		return "unknown header flags";
	if (!mem_is_zero(h->reserved, sizeof(h->reserved)))
		return "header reserved bytes not zero";
	if (h->page_count == 0)
		return "no pages";
	if (h->page_count > EBROKER_IMAGE_PAGES_MAX)
		return "more than 2^20 pages";
	if (h->data_offset % EB_PAGE_SIZE)
		return "data section not page aligned";
	if (h->data_size % EB_PAGE_SIZE)
		return "data section size not a multiple of the page size";
	if (h->data_size / EB_PAGE_SIZE > h->page_count)
		return "data section holds more pages than the page table";
	return NULL;
}

/*
 * The three sections lie after the header, inside the file, apart from
 * each other, and end where the file ends; every byte between them is zero.
 * After this, any offset inside a section may be read.
 */
static const char *check_sections(const uint8_t *file, size_t len, struct section s[3])
{
	uint64_t pos = EBROKER_IMAGE_HEADER_SIZE;

	for (size_t i = 0; i < 3; i++)
		if (s[i].offset > UINT64_MAX - s[i].size || s[i].offset + s[i].size > len)
			return "truncated: a section ends past the end of the file";

	/* Three elements: sort by offset in place. */
	for (size_t i = 1; i < 3; i++)
		for (size_t j = i; j > 0 && s[j].offset < s[j - 1].offset; j--) {
			struct section t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}

	for (size_t i = 0; i < 3; i++) {
		if (s[i].offset < pos)
			return "sections overlap each other or the header";
		pos = s[i].offset + s[i].size;
	}
	if (pos != len)
		return "trailing bytes after the last section";

	pos = EBROKER_IMAGE_HEADER_SIZE;
	for (size_t i = 0; i < 3; i++) {
		if (!mem_is_zero(file + pos, s[i].offset - pos))
			return "padding between sections not zero";
		pos = s[i].offset + s[i].size;
	}
	return NULL;
}

static const char *parse_pages(struct ebroker_image *img, const uint8_t *file,
			       const struct eb_image_hdr *h, int *ret_error)
{
	const uint8_t *table = file + h->page_table_offset;
	uint64_t data_pages = h->data_size / EB_PAGE_SIZE;
	uint64_t next_data = 0;
	const char *why;

	for (uint32_t i = 0; i < h->page_count; i++) {
		struct eb_image_entry e;
		const void *data;
		bool measure;

		memcpy(&e, table + (size_t)i * EBROKER_IMAGE_ENTRY_SIZE, sizeof(e));
		e.offset = le64toh(e.offset);
		e.secinfo_flags = le64toh(e.secinfo_flags);
		e.flags = le32toh(e.flags);
		e.data = le32toh(e.data);

		if (e.flags & ~EBROKER_IMAGE_PAGE_F_ALL)
			return "unknown page flags";
		measure = e.flags & EBROKER_IMAGE_PAGE_MEASURE;

		/* Data pages are stored in page order, each used once. */
		if (e.data == EBROKER_IMAGE_ZERO_PAGE) {
			data = eb_image_zero_page;
		} else {
			if (e.data != next_data)
				return "page data index out of order";
			if (e.data >= data_pages)
				return "page data index past the data section";
			data = file + h->data_offset + (size_t)e.data * EB_PAGE_SIZE;
			next_data++;
		}

		why = eb_image_check_page(img, e.offset, e.secinfo_flags, data, measure);
		if (why)
			return why;
		if (eb_image_push_page(img, e.offset, e.secinfo_flags, data, measure) < 0) {
			*ret_error = -ENOMEM;
			return "out of memory";
		}
	}
	if (next_data != data_pages)
		return "data section holds pages no entry uses";
	if (img->n_tcs == 0)
		return "no TCS page";
	return NULL;
}

/* Parse @file, which is ours: it is freed on failure or by the image. */
static int parse_owned(uint8_t *file, size_t len, struct ebroker_image **ret, const char **why)
{
	_cleanup_(freep) uint8_t *owned = file;
	struct ebroker_image *img;
	struct eb_image_hdr h;
	struct eb_secs secs;
	struct section sections[3];
	const char *bad;
	int error = -EBADMSG;

	if (len < EBROKER_IMAGE_HEADER_SIZE) {
		bad = "truncated: shorter than the header";
		goto refuse;
	}
	memcpy(&h, file, sizeof(h));
	hdr_from_le(&h);
	bad = check_header(&h);
	if (bad)
		goto refuse;

	memset(&secs, 0, sizeof(secs));
	secs.size = h.enclave_size;
	secs.ssa_frame_size = h.ssa_frame_size;
	secs.miscselect = h.miscselect;
	secs.attributes = h.attributes;
	secs.xfrm = h.xfrm;
	bad = eb_image_check_secs(&secs);
	if (bad)
		goto refuse;

	sections[0] = (struct section){ h.sigstruct_offset, EB_SIGSTRUCT_SIZE };
	sections[1] = (struct section){ h.page_table_offset,
					(uint64_t)h.page_count * EBROKER_IMAGE_ENTRY_SIZE };
	sections[2] = (struct section){ h.data_offset, h.data_size };
	bad = check_sections(file, len, sections);
	if (bad)
		goto refuse;

	img = eb_image_alloc(&secs);
	if (!img)
		return -ENOMEM;
	/* The sigstruct is copied as is: its integers are little-endian too. */
	memcpy(&img->sigstruct, file + h.sigstruct_offset, EB_SIGSTRUCT_SIZE);
	img->has_sigstruct = true;
	bad = eb_image_check_sigstruct(&secs, &img->sigstruct);
	if (!bad)
		bad = parse_pages(img, file, &h, &error);
	if (bad) {
		ebroker_image_free(img);
		goto refuse;
	}

	img->file = TAKE_PTR(owned);
	*ret = img;
	return 0;

refuse:
	if (why && error == -EBADMSG)
		*why = bad;
	return error;
}

/* Page-aligned memory for a file of @len bytes, so page data is aligned. */
static uint8_t *file_alloc(size_t len)
{
	void *p;

	/* Exactly @len bytes, not rounded up, so that sanitizers see the end. */
	if (posix_memalign(&p, EB_PAGE_SIZE, len ? len : 1))
		return NULL;
	return p;
}

int ebroker_image_parse_why(const void *buf, size_t len, struct ebroker_image **ret,
			    const char **why)
{
	uint8_t *file;

	if (!buf || !ret)
		return -EINVAL;
	if (len > EBROKER_IMAGE_FILE_MAX) {
		if (why)
			*why = "larger than any valid image";
		return -EBADMSG;
	}
	file = file_alloc(len);
	if (!file)
		return -ENOMEM;
	memcpy(file, buf, len);
	return parse_owned(file, len, ret, why);
}

int ebroker_image_parse(const void *buf, size_t len, struct ebroker_image **ret)
{
	return ebroker_image_parse_why(buf, len, ret, NULL);
}

int ebroker_image_open_why(const char *path, struct ebroker_image **ret, const char **why)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) uint8_t *file = NULL;
	struct stat st;
	ssize_t n;

	if (!path || !ret)
		return -EINVAL;
	/* Not blocking on a FIFO before fstat() says it is not a file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > EBROKER_IMAGE_FILE_MAX) {
		if (why)
			*why = S_ISREG(st.st_mode) ? "larger than any valid image"
						   : "not a regular file";
		return -EBADMSG;
	}
	file = file_alloc(st.st_size);
	if (!file)
		return -ENOMEM;

	/* A file that shrinks meanwhile parses as truncated. */
	n = read_full(fd, file, st.st_size);
	if (n < 0)
		return n;
	return parse_owned(TAKE_PTR(file), n, ret, why);
}

int ebroker_image_open(const char *path, struct ebroker_image **ret)
{
	return ebroker_image_open_why(path, ret, NULL);
}
