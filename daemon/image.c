// SPDX-License-Identifier: GPL-2.0
/* Images admitted by the policy; see image.h. */
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

#include "common/util.h"

#include "image.h"

DEFINE_FREEP(struct ebroker_image, ebroker_image_free)

static char *hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return out;
}

static int fail(char **ret_error, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char **ret_error, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_error, fmt, ap) < 0)
		*ret_error = NULL;
	va_end(ap);
	return err;
}

int verified_image_load(const struct eb_enclave_conf *conf, struct verified_image **ret,
			char **ret_error)
{
	_cleanup_(closep) int fd = -1, memfd = -1;
	_cleanup_(freep) uint8_t *buf = NULL;
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	const struct eb_sigstruct *sig;
	uint8_t mrsigner[32];
	char want[65], got[65];
	struct verified_image *v;
	const char *why = NULL;
	struct stat st;
	ssize_t n;
	int r;

	fd = open(conf->image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(ret_error, -errno, "enclave %s: cannot open image %s: %m", conf->name,
			    conf->image);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > EBROKER_IMAGE_FILE_MAX)
		return fail(ret_error, -EBADMSG,
			    "enclave %s: image %s is not a regular file of a valid size",
			    conf->name, conf->image);
	buf = malloc(st.st_size);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, st.st_size);
	if (n != st.st_size)
		return fail(ret_error, n < 0 ? (int)n : -EIO, "enclave %s: cannot read image %s",
			    conf->name, conf->image);
	r = ebroker_image_parse_why(buf, n, &img, &why);
	if (r < 0)
		return fail(ret_error, r, "enclave %s: image %s is malformed: %s", conf->name,
			    conf->image, why ? why : strerror(-r));

	sig = ebroker_image_sigstruct(img);
	r = ebroker_sigstruct_mrsigner(sig, mrsigner);
	if (r < 0)
		return fail(ret_error, r, "enclave %s: cannot hash the signer of %s", conf->name,
			    conf->image);
	if (memcmp(mrsigner, conf->mrsigner, sizeof(mrsigner)))
		return fail(ret_error, -EKEYREJECTED,
			    "enclave %s: image %s is signed by MRSIGNER %s, the policy expects %s",
			    conf->name, conf->image, hex(mrsigner, 32, got),
			    hex(conf->mrsigner, 32, want));
	if (sig->isv_prod_id != conf->isv_prod_id)
		return fail(ret_error, -EKEYREJECTED,
			    "enclave %s: image %s has ISVPRODID %u, the policy expects %u",
			    conf->name, conf->image, sig->isv_prod_id, conf->isv_prod_id);

	memfd = memfd_create("ebroker-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return fail(ret_error, -errno, "memfd_create: %m");
	for (size_t done = 0; done < (size_t)n;) {
		ssize_t w = write(memfd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fail(ret_error, -errno, "writing the image memfd: %m");
		done += w;
	}
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return fail(ret_error, -errno, "sealing the image memfd: %m");

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->memfd = TAKE_FD(memfd);
	v->epc_pages = ebroker_image_page_count(img) + 1;
	v->enclave_size = ebroker_image_secs(img)->size;
	*ret = v;
	return 0;
}

struct verified_image *verified_image_free(struct verified_image *v)
{
	if (v) {
		close(v->memfd);
		free(v);
	}
	return NULL;
}
