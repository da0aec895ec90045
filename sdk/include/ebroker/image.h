/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libebimage: read and write enclave image files (.ebimg), the one file that
 * carries an enclave's pages, their SECINFO, the SECS template and the
 * SIGSTRUCT from ebroker-sign to the loader. The byte layout is documented
 * in docs/image-format.md.
 *
 * The library has no OpenSSL dependency (the daemon links it): it checks
 * everything about an image that needs no cryptography. MRENCLAVE and the
 * signature are libebsign's business (<ebroker/sign.h>).
 *
 * Conventions: every function returns 0 or a negative errno; out-parameters
 * named ret* are left untouched on failure; nothing is logged and nothing
 * exits. A NULL argument is -EINVAL unless a function says otherwise. An
 * image is not thread-safe while it is being built; a finished image may be
 * read from several threads.
 */
#ifndef EBROKER_IMAGE_H
#define EBROKER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker_sgx.h>

/* ------------------------------------------------------------ file format */

#define EBROKER_IMAGE_MAGIC	  "EBIMAGE" /* 8 bytes with the NUL */
#define EBROKER_IMAGE_MAGIC_SIZE  8
#define EBROKER_IMAGE_VERSION	  1
#define EBROKER_IMAGE_HEADER_SIZE 128
#define EBROKER_IMAGE_ENTRY_SIZE  24 /* one page table entry */

/* Page table entry flags. */
#define EBROKER_IMAGE_PAGE_MEASURE 0x1U /* EEXTEND the contents */
#define EBROKER_IMAGE_PAGE_F_ALL   (EBROKER_IMAGE_PAGE_MEASURE)

/* Page table entry data index of a page that is all zero bytes. */
#define EBROKER_IMAGE_ZERO_PAGE 0xffffffffU

/*
 * The most pages an image holds. Its SECS template is bound by what
 * ECREATE accepts, the EB_ECREATE_* limits of <linux/ebroker_sgx.h>, so
 * that an image that parses can be created.
 */
#define EBROKER_IMAGE_PAGES_MAX (1U << 20)

/*
 * The largest file a reader takes: a header, a SIGSTRUCT, a full page
 * table, full page data, and a page of padding to align the data.
 */
#define EBROKER_IMAGE_FILE_MAX                                                           \
	(EBROKER_IMAGE_HEADER_SIZE + EB_SIGSTRUCT_SIZE +                                 \
	 (uint64_t)EBROKER_IMAGE_PAGES_MAX * (EBROKER_IMAGE_ENTRY_SIZE + EB_PAGE_SIZE) + \
	 EB_PAGE_SIZE)

/* ------------------------------------------------------------------ image */

/* An enclave image (opaque): parsed from a file, or being built. */
struct ebroker_image;

/**
 * struct ebroker_image_page - one enclave page, in load order
 * @offset:	enclave offset (from the ELRANGE base), page aligned
 * @secinfo_flags: EB_SECINFO_* permissions and page type
 * @measure:	EEXTEND the contents (EBROKER_IMAGE_PAGE_MEASURE)
 * @data:	EB_PAGE_SIZE bytes, page aligned, owned by the image; every
 *		page of zeros shares one read-only zero page
 */
struct ebroker_image_page {
	uint64_t offset;
	uint64_t secinfo_flags;
	bool measure;
	const void *data;
};

/**
 * ebroker_image_parse() - parse and validate an image held in memory
 * @buf:	the image file's bytes
 * @len:	their number
 * @ret:	(out) the image, freed with ebroker_image_free()
 *
 * Validates every field before anything is used: see docs/image-format.md,
 * "What a reader refuses". The bytes are copied: @buf may be freed as soon
 * as this returns.
 *
 * Return: 0; -EBADMSG if the image is malformed or asks for more than the
 * limits above; -ENOMEM.
 */
int ebroker_image_parse(const void *buf, size_t len, struct ebroker_image **ret);

/**
 * ebroker_image_parse_why() - ebroker_image_parse(), saying why an image is refused
 * @why:	(out, may be NULL) on -EBADMSG, a static string naming the
 *		check that failed, e.g. "page offsets not ascending"
 */
int ebroker_image_parse_why(const void *buf, size_t len, struct ebroker_image **ret,
			    const char **why);

/**
 * ebroker_image_open() - read and parse an image file
 * @path:	a regular file
 * @ret:	(out) the image, freed with ebroker_image_free()
 *
 * The file is read into memory once; later changes to it are not seen.
 *
 * Return: as ebroker_image_parse(), and -errno from opening or reading @path;
 * -EBADMSG also for a file that is not a regular file or larger than
 * EBROKER_IMAGE_FILE_MAX.
 */
int ebroker_image_open(const char *path, struct ebroker_image **ret);

/* ebroker_image_open(), saying why an image is refused; see ebroker_image_parse_why(). */
int ebroker_image_open_why(const char *path, struct ebroker_image **ret, const char **why);

/**
 * ebroker_image_free() - free an image
 * @img:	the image, or NULL
 *
 * Every pointer the accessors returned becomes invalid.
 *
 * Return: NULL, for `img = ebroker_image_free(img);`.
 */
struct ebroker_image *ebroker_image_free(struct ebroker_image *img);

/*
 * Accessors. Results stay valid until ebroker_image_free(); @img must be
 * non-NULL and indexes in range (they are checked: out of range gives NULL
 * or 0, never a read outside the image).
 */

/* The SECS template: size, ssa_frame_size, attributes, xfrm and miscselect
 * set, base and everything else zero. */
const struct eb_secs *ebroker_image_secs(const struct ebroker_image *img);
size_t ebroker_image_page_count(const struct ebroker_image *img);
const struct ebroker_image_page *ebroker_image_page(const struct ebroker_image *img, size_t i);
/* NULL while an image being built has none yet. */
const struct eb_sigstruct *ebroker_image_sigstruct(const struct ebroker_image *img);
unsigned int ebroker_image_tcs_count(const struct ebroker_image *img);
/* The enclave offset of the i-th TCS page; UINT64_MAX if out of range. */
uint64_t ebroker_image_tcs_offset(const struct ebroker_image *img, unsigned int i);

/* ---------------------------------------------------------------- writer */

/**
 * ebroker_image_new() - start building an image
 * @secs:	the SECS template; only size, ssa_frame_size, attributes,
 *		xfrm and miscselect may be set (base too must be zero)
 * @ret:	(out) the empty image
 *
 * Return: 0; -EINVAL if ECREATE would refuse @secs or it exceeds the
 * limits above; -ENOMEM.
 */
int ebroker_image_new(const struct eb_secs *secs, struct ebroker_image **ret);

/**
 * ebroker_image_add_page() - append a page
 * @img:	an image from ebroker_image_new()
 * @offset:	enclave offset, above every page added before
 * @secinfo_flags: EB_SECINFO_* permissions and page type
 * @data:	EB_PAGE_SIZE bytes, copied; NULL for a page of zeros
 * @measure:	EEXTEND the contents
 * @why:	(out, may be NULL) on -EINVAL, a static string naming the
 *		check that failed
 *
 * Pages must be added in ascending offset order, which is the order they
 * are loaded and measured in. A page of zeros is stored once for all.
 *
 * Return: 0; -EINVAL if a reader would refuse the page: offset not page
 * aligned, not above the previous one or not below the enclave size;
 * SECINFO that EADD refuses; a TCS whose fields EADD refuses or that point
 * outside the enclave; an unmeasured page that is not all zeros; more than
 * EBROKER_IMAGE_PAGES_MAX pages; -ENOMEM.
 */
int ebroker_image_add_page(struct ebroker_image *img, uint64_t offset, uint64_t secinfo_flags,
			   const void *data, bool measure, const char **why);

/**
 * ebroker_image_set_sigstruct() - attach (or replace) the SIGSTRUCT
 * @img:	an image from ebroker_image_new()
 * @sigstruct:	copied
 *
 * Only what can be checked without cryptography is: the masked
 * ATTRIBUTES, XFRM and MISCSELECT must match the SECS template, as EINIT
 * requires.
 *
 * Return: 0; -EINVAL if they do not.
 */
int ebroker_image_set_sigstruct(struct ebroker_image *img, const struct eb_sigstruct *sigstruct);

/**
 * ebroker_image_serialize() - an image's file bytes
 * @img:	an image with a SIGSTRUCT
 * @ret_buf:	(out) the bytes, freed with free()
 * @ret_len:	(out) their number
 *
 * Return: 0; -EINVAL if @img has no SIGSTRUCT; -ENOMEM.
 */
int ebroker_image_serialize(const struct ebroker_image *img, void **ret_buf, size_t *ret_len);

/**
 * ebroker_image_write() - write an image file
 * @img:	an image with a SIGSTRUCT
 * @path:	the file to create or replace, mode 0644 less the umask
 *
 * The file is written beside @path and renamed over it, so @path holds
 * either its old contents or the whole new image, never a part.
 *
 * Return: 0; -EINVAL as ebroker_image_serialize(); -errno from writing.
 */
int ebroker_image_write(const struct ebroker_image *img, const char *path);

#endif /* EBROKER_IMAGE_H */
