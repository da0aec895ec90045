// SPDX-License-Identifier: GPL-2.0
/*
 * Signed images against the kernel: every sample image (build/sdk/samples)
 * and the signer's own test enclave are created page by page from the
 * parsed image, and the MRENCLAVE the module computes must be the one
 * ebroker-sign computed in user space and signed. An image whose page bytes
 * changed after signing is refused by init and leaves the pool whole;
 * corrupt and hostile images never get past the parser.
 *
 * This loads with the ioctls directly, not with the SDK's loader, so that
 * the comparison depends only on the image format and the module.
 */
#include <endian.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#include <ebroker/image.h>

#include "kselftest_harness.h"
#include "tencl.h"

/* A directory beside the test binaries (build/selftests/..). */
static void build_path(char *buf, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n < 0 ? 0 : n] = 0;
	snprintf(buf, size, "%s/%s", dirname(exe), rel);
}

/* An enclave being built from an image. */
struct loaded {
	int fd;
	void *reserve;
	size_t reserve_len;
	struct eb_secs secs;
};

static void unload(struct loaded *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->reserve)
		munmap(l->reserve, l->reserve_len);
	l->fd = -1;
	l->reserve = NULL;
}

/*
 * Create the enclave of @img at a naturally aligned address and add its
 * pages in image order, each page by itself. 0 or -errno.
 */
static int load_pages(const struct ebroker_image *img, struct loaded *l)
{
	uint64_t size = ebroker_image_secs(img)->size;
	uintptr_t base;

	memset(l, 0, sizeof(*l));
	l->fd = open(EB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (l->fd < 0)
		return -errno;
	l->reserve_len = 2 * size;
	l->reserve = mmap(NULL, l->reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (l->reserve == MAP_FAILED) {
		l->reserve = NULL;
		return -errno;
	}
	base = ((uintptr_t)l->reserve + size - 1) & ~(uintptr_t)(size - 1);
	l->secs = *ebroker_image_secs(img);
	l->secs.base = base;
	if (ioctl(l->fd, EB_IOC_ENCLAVE_CREATE,
		  &(struct eb_enclave_create){ .src = (uintptr_t)&l->secs }))
		return -errno;

	for (size_t i = 0; i < ebroker_image_page_count(img); i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		struct eb_secinfo secinfo = { .flags = p->secinfo_flags };
		struct eb_enclave_add_pages add = {
			.src = (uintptr_t)p->data,
			.offset = p->offset,
			.length = EB_PAGE_SIZE,
			.secinfo = (uintptr_t)&secinfo,
			.flags = p->measure ? EB_PAGE_MEASURE : 0,
		};

		do {
			if (ioctl(l->fd, EB_IOC_ENCLAVE_ADD_PAGES, &add))
				return -errno;
		} while (add.count == 0);
	}
	return 0;
}

static int init(struct loaded *l, const struct eb_sigstruct *sigstruct)
{
	if (ioctl(l->fd, EB_IOC_ENCLAVE_INIT,
		  &(struct eb_enclave_init){ .sigstruct = (uintptr_t)sigstruct }))
		return -errno;
	return 0;
}

/* Load @path, init it, and check the kernel's identity of it against the image's. */
static void check_image(struct __test_metadata *_metadata, const char *path)
{
	const struct eb_sigstruct *sig;
	struct eb_enclave_info info;
	struct ebroker_image *img = NULL;
	uint8_t mr[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	const char *why = "";
	struct loaded l;

	ASSERT_EQ(0, ebroker_image_open_why(path, &img, &why)) TH_LOG("%s: %s", path, why);
	sig = ebroker_image_sigstruct(img);
	ASSERT_EQ(0, ebroker_image_mrenclave(img, mr));
	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(sig, mrsigner));
	EXPECT_EQ(0, memcmp(mr, sig->enclavehash, EB_HASH_SIZE)) TH_LOG("%s", path);

	ASSERT_EQ(0, load_pages(img, &l)) TH_LOG("%s", path);
	ASSERT_EQ(0, init(&l, sig)) TH_LOG("%s: init refused", path);
	ASSERT_EQ(0, ioctl(l.fd, EB_IOC_ENCLAVE_INFO, &info));

	/* The kernel measured exactly what the signer measured. */
	EXPECT_EQ(0, memcmp(mr, info.mrenclave, EB_HASH_SIZE)) TH_LOG("%s", path);
	EXPECT_EQ(0, memcmp(mrsigner, info.mrsigner, EB_HASH_SIZE)) TH_LOG("%s", path);
	EXPECT_EQ(sig->isv_prod_id, info.isv_prod_id);
	EXPECT_EQ(sig->isv_svn, info.isv_svn);
	EXPECT_EQ(ebroker_image_secs(img)->attributes | EB_ATTR_INIT, info.attributes);
	EXPECT_EQ(ebroker_image_secs(img)->size, info.size);
	EXPECT_EQ(ebroker_image_page_count(img) + 1, info.pages); /* and the SECS */

	unload(&l);
	ebroker_image_free(img);
	EXPECT_TRUE(eb_pool_is_full());
}

TEST(samples_measure_as_the_kernel)
{
	char pattern[2 * PATH_MAX];
	glob_t g;

	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
	build_path(pattern, sizeof(pattern), "../sdk/samples/*.ebimg");
	if (glob(pattern, 0, NULL, &g) != 0)
		SKIP(return, "no sample images (%.512s): sdk/samples not built yet", pattern);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		TH_LOG("%s", g.gl_pathv[i]);
		check_image(_metadata, g.gl_pathv[i]);
	}
	globfree(&g);
}

/* ebroker-sign's own test enclave, built with the signer's tests. */
TEST(test_enclave_measures_as_the_kernel)
{
	char path[2 * PATH_MAX];

	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
	build_path(path, sizeof(path), "tiny.ebimg");
	check_image(_metadata, path);
}

/* Read a whole file into a malloc()ed buffer. */
static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0) {
		buf = malloc(st.st_size);
		if (buf && read(fd, buf, st.st_size) != st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = st.st_size;
	}
	close(fd);
	return buf;
}

/* A page byte changed after signing: still an image, but init says EPERM. */
TEST(changed_page_refused)
{
	char path[2 * PATH_MAX];
	struct ebroker_image *img = NULL;
	struct eb_enclave_info info;
	struct loaded l;
	uint8_t *buf;
	size_t len;

	if (access(EB_DEVICE_PATH, F_OK))
		SKIP(return, "%s missing: module not loaded", EB_DEVICE_PATH);
	build_path(path, sizeof(path), "tiny.ebimg");
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);

	/* Every image ends with a stored page: flip its last byte. */
	buf[len - 1] ^= 0x01;
	ASSERT_EQ(0, ebroker_image_parse(buf, len, &img));
	ASSERT_EQ(0, load_pages(img, &l));
	EXPECT_EQ(-EPERM, init(&l, ebroker_image_sigstruct(img)));
	ASSERT_EQ(0, ioctl(l.fd, EB_IOC_ENCLAVE_INFO, &info));
	EXPECT_EQ(EB_STATE_CREATED, info.state);
	unload(&l);
	ebroker_image_free(img);
	free(buf);
	EXPECT_TRUE(eb_pool_is_full());
}

/*
 * Corrupt and hostile images stop at the parser: nothing reaches the
 * kernel, so no page is taken (the pool stays whole). Offsets are those of
 * docs/image-format.md in the image ebroker-sign writes.
 */
TEST(hostile_images_refused)
{
	static const struct {
		const char *name;
		size_t offset;
		uint64_t value;
		int width;
	} hostile[] = {
		{ "2^32 - 1 pages", 0x14, UINT32_MAX, 4 },
		{ "a 2^63-byte enclave", 0x38, 1ULL << 63, 8 },
		{ "page table over the SIGSTRUCT", 0x18, 0x100, 8 },
		{ "a TiB of page data", 0x28, 1ULL << 40, 8 },
		{ "two pages at one offset", 128 + 1808 + 24, 0, 8 },
		{ "a page writable, not readable", 128 + 1808 + 4 * 24 + 8,
		  EB_SECINFO_PT_REG | EB_SECINFO_W, 8 },
	};
	char path[2 * PATH_MAX];
	struct ebroker_image *img = NULL;
	const char *why;
	uint8_t *buf, *bad;
	size_t len;
	int r;

	build_path(path, sizeof(path), "tiny.ebimg");
	buf = slurp(path, &len);
	ASSERT_NE(NULL, buf);
	bad = malloc(len);
	ASSERT_NE(NULL, bad);

	/* Truncated anywhere. */
	for (size_t n = 0; n < len; n += 97) {
		EXPECT_EQ(-EBADMSG, ebroker_image_parse(buf, n, &img)) TH_LOG("%zu bytes", n);
	}

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		uint64_t v = htole64(hostile[i].value);
		uint32_t v32 = htole32((uint32_t)hostile[i].value);

		memcpy(bad, buf, len);
		memcpy(bad + hostile[i].offset, hostile[i].width == 4 ? (void *)&v32 : (void *)&v,
		       hostile[i].width);
		why = "";
		r = ebroker_image_parse_why(bad, len, &img, &why);
		EXPECT_EQ(-EBADMSG, r) TH_LOG("%s: accepted", hostile[i].name);
		TH_LOG("%s: %s", hostile[i].name, why);
	}

	free(bad);
	free(buf);
	if (!access(EB_DEVICE_PATH, F_OK))
		EXPECT_TRUE(eb_pool_is_full());
}

TEST_HARNESS_MAIN
