// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/file.h"
#include "common/util.h"

int read_regular_file(int dfd, const char *path, int flags, uint64_t max, void **ret_buf,
		      size_t *ret_len)
{
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *buf = NULL;
	struct stat st;
	ssize_t n;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, st.st_size);
	if (n < 0)
		return n;
	buf[n] = '\0';
	*ret_buf = TAKE_PTR(buf);
	*ret_len = n;
	return 0;
}
