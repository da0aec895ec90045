// SPDX-License-Identifier: GPL-2.0
/*
 * Writing an image file: header, SIGSTRUCT, page table, then the data
 * pages from the next page boundary on (docs/image-format.md). Zero pages
 * are not stored.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "common/util.h"

#include "internal.h"

static uint64_t round_up_page(uint64_t v)
{
	return (v + EB_PAGE_SIZE - 1) & ~(uint64_t)(EB_PAGE_SIZE - 1);
}

int ebroker_image_serialize(const struct ebroker_image *img, void **ret_buf, size_t *ret_len)
{
	struct eb_image_hdr h = { .magic = EBROKER_IMAGE_MAGIC };
	uint64_t table, data, len, n_data = 0;
	uint8_t *buf;

	if (!img || !ret_buf || !ret_len || !img->has_sigstruct)
		return -EINVAL;

	for (size_t i = 0; i < img->n_pages; i++)
		if (img->pages[i].data != eb_image_zero_page)
			n_data++;

	table = EBROKER_IMAGE_HEADER_SIZE + EB_SIGSTRUCT_SIZE;
	data = round_up_page(table + img->n_pages * EBROKER_IMAGE_ENTRY_SIZE);
	len = data + n_data * EB_PAGE_SIZE;
	if (len > SIZE_MAX)
		return -ENOMEM;
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;

	h.version = htole32(EBROKER_IMAGE_VERSION);
	h.header_size = htole32(EBROKER_IMAGE_HEADER_SIZE);
	h.page_count = htole32((uint32_t)img->n_pages);
	h.page_table_offset = htole64(table);
	h.data_offset = htole64(data);
	h.data_size = htole64(n_data * EB_PAGE_SIZE);
	h.sigstruct_offset = htole64(EBROKER_IMAGE_HEADER_SIZE);
	h.enclave_size = htole64(img->secs.size);
	h.ssa_frame_size = htole32(img->secs.ssa_frame_size);
	h.miscselect = htole32(img->secs.miscselect);
	h.attributes = htole64(img->secs.attributes);
	h.xfrm = htole64(img->secs.xfrm);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + EBROKER_IMAGE_HEADER_SIZE, &img->sigstruct, EB_SIGSTRUCT_SIZE);

	n_data = 0;
	for (size_t i = 0; i < img->n_pages; i++) {
		const struct ebroker_image_page *p = &img->pages[i];
		struct eb_image_entry e = {
			.offset = htole64(p->offset),
			.secinfo_flags = htole64(p->secinfo_flags),
			.flags = htole32(p->measure ? EBROKER_IMAGE_PAGE_MEASURE : 0),
			.data = htole32(EBROKER_IMAGE_ZERO_PAGE),
		};

		if (p->data != eb_image_zero_page) {
			e.data = htole32((uint32_t)n_data);
			memcpy(buf + data + n_data * EB_PAGE_SIZE, p->data, EB_PAGE_SIZE);
			n_data++;
		}
		memcpy(buf + table + i * EBROKER_IMAGE_ENTRY_SIZE, &e, sizeof(e));
	}

	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Create a new file beside @path; its name goes to @tmp. */
static int create_beside(const char *path, char *tmp, size_t size)
{
	for (int tries = 0; tries < 16; tries++) {
		uint64_t r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -EIO;
		if ((size_t)snprintf(tmp, size, "%s.%016llx.tmp", path, (unsigned long long)r) >=
		    size)
			return -ENAMETOOLONG;
		/* 0644 less the umask, as any new file. */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int ebroker_image_write(const struct ebroker_image *img, const char *path)
{
	_cleanup_(freep) void *buf = NULL;
	_cleanup_(freep) char *tmp = NULL;
	_cleanup_(closep) int fd = -1;
	size_t len, tmp_size;
	int r;

	if (!img || !path)
		return -EINVAL;
	r = ebroker_image_serialize(img, &buf, &len);
	if (r < 0)
		return r;

	tmp_size = strlen(path) + 32;
	tmp = malloc(tmp_size);
	if (!tmp)
		return -ENOMEM;
	fd = create_beside(path, tmp, tmp_size);
	if (fd < 0)
		return fd;

	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	/* Linux frees the descriptor even when close() fails. */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	fd = -1;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
