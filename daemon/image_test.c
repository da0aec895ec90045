// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the images the policy admits: a sample signed at build time
 * is admitted only with its own signer and product id, and kept in a sealed
 * memfd; anything else is refused naming the enclave, the file and why.
 * Run from the top of the tree (scripts/check does), after `make userspace`.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <ebroker/image.h>
#include <ebroker/sign.h>

#include "common/test.h"
#include "common/util.h"

#include "image.h"

#define ECHO "build/sdk/samples/echo.ebimg"

DEFINE_FREEP(struct ebroker_image, ebroker_image_free)

/* A conf for @path whose MRSIGNER is the image's own. */
static void conf_for(struct eb_enclave_conf *c, const char *path)
{
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "echo");
	c->image = (char *)path;
	c->isv_prod_id = 1;
	if (ebroker_image_open(path, &img) < 0 ||
	    ebroker_sigstruct_mrsigner(ebroker_image_sigstruct(img), c->mrsigner) < 0)
		abort();
}

TEST(admits_its_own_signer)
{
	struct verified_image *v = NULL;
	struct eb_enclave_conf c;
	char *err = NULL, a[4096], b[4096];
	_cleanup_(closep) int fd = -1;
	struct stat st, mst;

	conf_for(&c, ECHO);
	ASSERT_EQ(0, verified_image_load(&c, &v, &err)) TH_LOG("%s", err);
	/* 148 pages and the SECS (ebroker-sign dump build/sdk/samples/echo.ebimg). */
	EXPECT_EQ(149U, v->epc_pages);
	EXPECT_EQ(0x100000U, v->enclave_size);
	EXPECT_EQ(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL,
		  fcntl(v->memfd, F_GET_SEALS));
	EXPECT_EQ(-1, write(v->memfd, "x", 1));
	EXPECT_EQ(EPERM, errno); /* sealed, not unwritable for another reason */
	/* The bytes are the file's. */
	fd = open(ECHO, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(0, fstat(v->memfd, &mst));
	EXPECT_EQ(st.st_size, mst.st_size);
	ASSERT_EQ((ssize_t)sizeof(a), pread(fd, a, sizeof(a), 0));
	ASSERT_EQ((ssize_t)sizeof(b), pread(v->memfd, b, sizeof(b), 0));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	EXPECT_EQ(NULL, verified_image_free(v));
}

TEST(refuses_another_signer)
{
	struct verified_image *v = NULL;
	struct eb_enclave_conf c;
	char *err = NULL;

	conf_for(&c, ECHO);
	c.mrsigner[0] ^= 1;
	EXPECT_EQ(-EKEYREJECTED, verified_image_load(&c, &v, &err));
	EXPECT_EQ(NULL, v);
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "enclave echo: image " ECHO " is signed by MRSIGNER "))
	TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, ", the policy expects "));
	free(err);
}

TEST(refuses_another_product)
{
	struct verified_image *v = NULL;
	struct eb_enclave_conf c;
	char *err = NULL;

	conf_for(&c, ECHO);
	c.isv_prod_id = 2;
	EXPECT_EQ(-EKEYREJECTED, verified_image_load(&c, &v, &err));
	ASSERT_NE(NULL, err);
	EXPECT_STREQ("enclave echo: image " ECHO " has ISVPRODID 1, the policy expects 2", err);
	free(err);
}

TEST(refuses_missing_and_odd_files)
{
	struct verified_image *v = NULL;
	struct eb_enclave_conf c;
	char *err = NULL;

	conf_for(&c, ECHO);
	c.image = "build/sdk/samples/no-such.ebimg";
	EXPECT_EQ(-ENOENT, verified_image_load(&c, &v, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "cannot open image build/sdk/samples/no-such.ebimg"));
	free(err);

	c.image = "build/sdk/samples";
	EXPECT_EQ(-EBADMSG, verified_image_load(&c, &v, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "is not a regular file of a valid size"));
	free(err);
	EXPECT_EQ(NULL, v);
}

TEST(refuses_a_truncated_image)
{
	char path[] = "/tmp/eb-image-test.XXXXXX", buf[8192];
	struct verified_image *v = NULL;
	struct eb_enclave_conf c;
	_cleanup_(closep) int in = -1;
	char *err = NULL;
	int out;

	conf_for(&c, ECHO);
	in = open(ECHO, O_RDONLY);
	ASSERT_LE(0, in);
	out = mkstemp(path);
	ASSERT_LE(0, out);
	ASSERT_EQ((ssize_t)sizeof(buf), read(in, buf, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(buf), write(out, buf, sizeof(buf)));
	close(out);
	c.image = path;
	EXPECT_EQ(-EBADMSG, verified_image_load(&c, &v, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "is malformed: ")) TH_LOG("%s", err);
	free(err);
	unlink(path);
}

TEST_HARNESS_MAIN
