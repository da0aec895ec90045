/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a whole file, for the command-line tools. */
#ifndef EB_COMMON_FILE_H
#define EB_COMMON_FILE_H

#include <fcntl.h> /* AT_FDCWD, O_* */
#include <stddef.h>
#include <stdint.h>

/**
 * read_regular_file() - the whole of a regular file, of at most @max bytes
 * @dfd:	the directory a relative @path is in; AT_FDCWD for the
 *		working directory
 * @path:	the file
 * @flags:	open(2) flags besides O_RDONLY | O_CLOEXEC | O_NOCTTY, e.g.
 *		O_NOFOLLOW, or O_NONBLOCK so that a FIFO is refused, not waited on
 * @max:	the largest size accepted
 * @ret_buf:	(out) the contents, followed by a NUL byte (text can be
 *		parsed in place); free() it
 * @ret_len:	(out) their length, the NUL not counted
 *
 * Return: 0; -EINVAL (not a regular file), -EFBIG (larger than @max),
 * -ENOMEM, or the -errno of open(2), fstat(2) or read(2).
 */
int read_regular_file(int dfd, const char *path, int flags, uint64_t max, void **ret_buf,
		      size_t *ret_len);

#endif
