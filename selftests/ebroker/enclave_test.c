// SPDX-License-Identifier: GPL-2.0
/*
 * Enclave lifecycle through /dev/ebroker: create, add, init, map, close;
 * the measurement against libebsign's independent computation; SIGSTRUCT
 * refusals; mapping rights and isolation; bad input for every ioctl.
 * Every test ends with the pool whole again.
 */
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "tencl.h"

#define PAGE	  4096UL
#define ENCL_SIZE (16 * PAGE)

/* Page contents that differ per page and per test run of the same seed. */
static void fill(void *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 12));
}

FIXTURE(encl)
{
	struct tencl t;
	uint8_t *code, *data;
};

FIXTURE_SETUP(encl)
{
	self->code = aligned_alloc(PAGE, 4 * PAGE);
	self->data = aligned_alloc(PAGE, 4 * PAGE);
	ASSERT_NE(NULL, self->code);
	ASSERT_NE(NULL, self->data);
	fill(self->code, 4 * PAGE, 1);
	fill(self->data, 4 * PAGE, 2);
	ASSERT_EQ(0, tencl_create(&self->t, ENCL_SIZE, 0));
}

FIXTURE_TEARDOWN(encl)
{
	tencl_close(&self->t);
	free(self->code);
	free(self->data);
	EXPECT_TRUE(eb_pool_is_full());
}

/* A typical layout: TCS, code, data, a heap page added unmeasured. */
static int build_layout(struct tencl *t, const uint8_t *code, const uint8_t *data)
{
	static uint8_t zero[PAGE] __attribute__((aligned(PAGE)));
	int ret;

	ret = tencl_add(t, 0, TENCL_TCS, zero, PAGE, true);
	if (!ret)
		ret = tencl_add(t, PAGE, TENCL_RX, code, 4 * PAGE, true);
	if (!ret)
		ret = tencl_add(t, 5 * PAGE, TENCL_RW, data, 4 * PAGE, true);
	if (!ret)
		ret = tencl_add(t, 9 * PAGE, TENCL_RW, zero, PAGE, false);
	return ret;
}

TEST_F(encl, lifecycle)
{
	uint64_t free_before = eb_read_u64(EB_SYSFS "/pool/free_bytes");
	uint8_t mr[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	struct eb_enclave_info info;
	struct eb_sigstruct ss;
	uint8_t *p;

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	/* SECS + 10 pages, all from the pool. */
	EXPECT_EQ(free_before - 10 * PAGE, eb_read_u64(EB_SYSFS "/pool/free_bytes"));

	ASSERT_EQ(0, tencl_info(&self->t, &info));
	EXPECT_EQ(EB_STATE_CREATED, info.state);
	EXPECT_EQ(11, info.pages);
	EXPECT_EQ(ENCL_SIZE, info.size);
	EXPECT_EQ(self->t.secs.base, info.base);

	ASSERT_EQ(0, tencl_sign(&self->t, &ss, mr));
	ASSERT_EQ(0, tencl_init(&self->t, &ss));
	ASSERT_EQ(0, tencl_info(&self->t, &info));
	EXPECT_EQ(EB_STATE_INITIALIZED, info.state);
	/* The kernel measured exactly what libebsign measured. */
	EXPECT_EQ(0, memcmp(mr, info.mrenclave, EB_HASH_SIZE));
	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(&ss, mrsigner));
	EXPECT_EQ(0, memcmp(mrsigner, info.mrsigner, EB_HASH_SIZE));
	EXPECT_EQ(7, info.isv_prod_id);
	EXPECT_EQ(3, info.isv_svn);
	EXPECT_EQ(EB_ATTR_MODE64BIT | EB_ATTR_INIT, info.attributes);

	/* Mapped at ELRANGE with each page's rights, contents as added. */
	p = tencl_map(&self->t, PAGE, 4 * PAGE, PROT_READ | PROT_EXEC);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, self->code, 4 * PAGE));
	p = tencl_map(&self->t, 5 * PAGE, 5 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, memcmp(p, self->data, 4 * PAGE));
	p[4 * PAGE] = 0x5a; /* the unmeasured heap page is writable */
	EXPECT_EQ(0x5a, p[4 * PAGE]);

	/* No page can be added after init. */
	EXPECT_EQ(-EINVAL, tencl_add(&self->t, 10 * PAGE, TENCL_RW, self->data, PAGE, true));
}

/* Any change to the image changes MRENCLAVE, and init then refuses. */
TEST_F(encl, measurement_covers_everything)
{
	uint8_t mr1[EB_HASH_SIZE], mr2[EB_HASH_SIZE];
	struct eb_enclave_info info;
	struct eb_sigstruct ss;
	struct tencl t2;

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	ASSERT_EQ(0, tencl_sign(&self->t, &ss, mr1));

	/* Same layout, one byte of code different. */
	self->code[100] ^= 1;
	ASSERT_EQ(0, tencl_create(&t2, ENCL_SIZE, 0));
	ASSERT_EQ(0, build_layout(&t2, self->code, self->data));
	EXPECT_EQ(-EPERM, tencl_init(&t2, &ss)); /* signed for the other image */
	ASSERT_EQ(0, tencl_info(&t2, &info));
	EXPECT_EQ(EB_STATE_CREATED, info.state);
	tencl_close(&t2);

	/* Same bytes, one page with other rights. */
	self->code[100] ^= 1;
	ASSERT_EQ(0, tencl_create(&t2, ENCL_SIZE, 0));
	ASSERT_EQ(0, tencl_add(&t2, 0, TENCL_TCS, self->data, PAGE, true));
	ASSERT_EQ(0, tencl_add(&t2, PAGE, TENCL_R, self->code, 4 * PAGE, true));
	ASSERT_EQ(0, tencl_sign(&t2, &ss, mr2));
	EXPECT_NE(0, memcmp(mr1, mr2, EB_HASH_SIZE));
	tencl_close(&t2);

	/* The original still inits with its own SIGSTRUCT. */
	ASSERT_EQ(0, tencl_sign(&self->t, &ss, mr2));
	EXPECT_EQ(0, memcmp(mr1, mr2, EB_HASH_SIZE));
	EXPECT_EQ(0, tencl_init(&self->t, &ss));
}

/*
 * Known answer: the kernel's measurement of the enclave described in
 * sdk/signer/mrenclave_kat.py equals what that script prints, computed with
 * hashlib alone, independently of the module and of libebsign.
 */
static void kat_pattern(uint8_t *page, unsigned int seed)
{
	for (size_t i = 0; i < PAGE; i++)
		page[i] = (uint8_t)(i * 13 + seed);
}

TEST(measurement_known_answer)
{
	static const char expect[] =
	    "48f56b3feba4aedfbf231399cd0732e0b028cf7ab5c28d9000a7e79738f675c0";
	static uint8_t page[PAGE] __attribute__((aligned(PAGE)));
	static const struct {
		uint64_t offset, flags;
		unsigned int seed;
		bool extend;
	} layout[] = {
		{ 0x0000, TENCL_TCS, 0x11, true },
		{ 0x1000, TENCL_RX, 0x22, true },
		{ 0x2000, TENCL_RW, 0x33, true },
		{ 0x7000, TENCL_R, 0x44, false },
	};
	struct eb_enclave_info info;
	char hex[2 * EB_HASH_SIZE + 1];
	struct tencl t;

	ASSERT_EQ(0, tencl_create(&t, 0x8000, 0));
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		kat_pattern(page, layout[i].seed);
		ASSERT_EQ(0, tencl_add(&t, layout[i].offset, layout[i].flags, page, PAGE,
				       layout[i].extend));
	}
	ASSERT_EQ(0, tencl_finish(&t));
	ASSERT_EQ(0, tencl_info(&t, &info));
	for (size_t i = 0; i < EB_HASH_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", info.mrenclave[i]);
	EXPECT_STREQ(expect, hex);
	tencl_close(&t);
	EXPECT_TRUE(eb_pool_is_full());
}

/* Resign @ss in place after a field change, keeping it well-formed. */
static int resign(struct eb_sigstruct *ss)
{
	struct ebroker_sign_params p = {
		.date = ss->date,
		.vendor = ss->vendor,
		.swdefined = ss->swdefined,
		.miscselect = ss->miscselect,
		.miscmask = ss->miscmask,
		.attributes = ss->attributes,
		.xfrm = ss->xfrm,
		.attributemask = ss->attributemask,
		.xfrmmask = ss->xfrmmask,
		.isv_prod_id = ss->isv_prod_id,
		.isv_svn = ss->isv_svn,
	};
	uint8_t hash[EB_HASH_SIZE];

	memcpy(hash, ss->enclavehash, sizeof(hash));
	return ebroker_sigstruct_sign(tencl_key(), &p, hash, ss);
}

TEST_F(encl, sigstruct_refusals)
{
	/* Offsets of bytes inside the two signed regions and outside them. */
	static const size_t signed_bytes[] = { 20, 40, 900, 930, 960, 991, 1024, 1027 };
	struct eb_sigstruct good, bad;
	struct eb_enclave_info info;
	uint8_t mr[EB_HASH_SIZE];

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	ASSERT_EQ(0, tencl_sign(&self->t, &good, mr));

	for (size_t i = 0; i < sizeof(signed_bytes) / sizeof(signed_bytes[0]); i++) {
		bad = good;
		((uint8_t *)&bad)[signed_bytes[i]] ^= 0x01;
		EXPECT_EQ(-EKEYREJECTED, tencl_init(&self->t, &bad))
		TH_LOG("flipped signed byte %zu", signed_bytes[i]);
	}
	/* Modulus: a bit in the middle, then a whole other key's modulus. */
	bad = good;
	bad.modulus[100] ^= 0x10;
	EXPECT_EQ(-EKEYREJECTED, tencl_init(&self->t, &bad));
	/* Signature itself. */
	bad = good;
	bad.signature[0] ^= 0x01;
	EXPECT_EQ(-EKEYREJECTED, tencl_init(&self->t, &bad));
	/* Malformed: header, exponent, reserved, even modulus. */
	bad = good;
	bad.header[4] = 0;
	EXPECT_EQ(-EBADMSG, tencl_init(&self->t, &bad));
	bad = good;
	bad.exponent = 65537;
	EXPECT_EQ(-EBADMSG, tencl_init(&self->t, &bad));
	bad = good;
	bad.reserved3[5] = 1;
	EXPECT_EQ(-EBADMSG, tencl_init(&self->t, &bad));
	bad = good;
	bad.modulus[0] &= 0xfe;
	EXPECT_EQ(-EBADMSG, tencl_init(&self->t, &bad));
	/* Well signed, but for another enclave or other attributes. */
	bad = good;
	bad.enclavehash[0] ^= 1;
	ASSERT_EQ(0, resign(&bad));
	EXPECT_EQ(-EPERM, tencl_init(&self->t, &bad));
	bad = good;
	bad.attributes |= EB_ATTR_DEBUG;
	ASSERT_EQ(0, resign(&bad));
	EXPECT_EQ(-EPERM, tencl_init(&self->t, &bad));
	bad = good;
	bad.miscselect = 1;
	bad.miscmask = 1;
	ASSERT_EQ(0, resign(&bad));
	EXPECT_EQ(-EPERM, tencl_init(&self->t, &bad));
	/* Outside the mask, a difference is allowed. */
	bad = good;
	bad.attributes |= EB_ATTR_DEBUG;
	bad.attributemask &= ~EB_ATTR_DEBUG;
	ASSERT_EQ(0, resign(&bad));

	/* Every refusal left the enclave uninitialised and unmappable. */
	ASSERT_EQ(0, tencl_info(&self->t, &info));
	EXPECT_EQ(EB_STATE_CREATED, info.state);
	EXPECT_EQ(MAP_FAILED, tencl_map(&self->t, PAGE, PAGE, PROT_READ));
	EXPECT_EQ(EBUSY, errno);

	EXPECT_EQ(0, tencl_init(&self->t, &bad));
	EXPECT_EQ(-EINVAL, tencl_init(&self->t, &good)); /* only once */
}

/*
 * Q1 and Q2 are not signed, but EINIT computes with them: one bit off in
 * either, low or high, and the SIGSTRUCT is refused like a bad signature.
 */
TEST_F(encl, sigstruct_q1_q2)
{
	static const size_t bits[] = { 0, 1, 8 * 200 + 5, 8 * EB_MODULUS_SIZE - 1 };
	struct eb_sigstruct good, bad;
	uint8_t mr[EB_HASH_SIZE];

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	ASSERT_EQ(0, tencl_sign(&self->t, &good, mr));

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		bad = good;
		bad.q1[bits[i] / 8] ^= 1 << (bits[i] % 8);
		EXPECT_EQ(-EKEYREJECTED, tencl_init(&self->t, &bad))
		TH_LOG("flipped bit %zu of q1", bits[i]);
		bad = good;
		bad.q2[bits[i] / 8] ^= 1 << (bits[i] % 8);
		EXPECT_EQ(-EKEYREJECTED, tencl_init(&self->t, &bad))
		TH_LOG("flipped bit %zu of q2", bits[i]);
	}
	EXPECT_EQ(0, tencl_init(&self->t, &good));
}

TEST_F(encl, mapping_rights)
{
	uint8_t *p;

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	EXPECT_EQ(MAP_FAILED, tencl_map(&self->t, PAGE, PAGE, PROT_READ));
	EXPECT_EQ(EBUSY, errno); /* not before init */
	ASSERT_EQ(0, tencl_finish(&self->t));

	/* Code pages are RX: not writable, by mmap or mprotect. */
	EXPECT_EQ(MAP_FAILED, tencl_map(&self->t, PAGE, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Data pages are RW: not executable. */
	EXPECT_EQ(MAP_FAILED, tencl_map(&self->t, 5 * PAGE, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* A range spanning both is refused as a whole. */
	EXPECT_EQ(MAP_FAILED, tencl_map(&self->t, 4 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Private (copy-on-write) mappings make no sense for EPC. */
	EXPECT_EQ(MAP_FAILED, mmap((void *)(uintptr_t)(self->t.secs.base + PAGE), PAGE, PROT_READ,
				   MAP_PRIVATE | MAP_FIXED, self->t.fd, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Outside ELRANGE. */
	EXPECT_EQ(MAP_FAILED, mmap((void *)(uintptr_t)(self->t.secs.base + ENCL_SIZE), PAGE,
				   PROT_READ, MAP_SHARED | MAP_FIXED, self->t.fd, 0));
	EXPECT_EQ(EINVAL, errno);

	p = tencl_map(&self->t, PAGE, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, mprotect(p, PAGE, PROT_READ | PROT_EXEC));
	/* The mapping cannot be moved away from its enclave offset. */
	EXPECT_EQ(MAP_FAILED, mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				     (void *)(uintptr_t)(self->t.secs.base + 5 * PAGE)));
	EXPECT_EQ(EINVAL, errno);
}

/* An enclave's pages stay out of children, core dumps and debuggers. */
TEST_F(encl, isolation)
{
	char smaps_line[256], path[64];
	uint8_t buf[64], vec;
	bool found_dd = false;
	int status, memfd;
	uint8_t *p;
	FILE *f;
	pid_t pid;

	ASSERT_EQ(0, build_layout(&self->t, self->code, self->data));
	ASSERT_EQ(0, tencl_finish(&self->t));
	p = tencl_map(&self->t, 5 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(self->data[0], p[0]);

	/* fork: the child has no such mapping. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mincore(p, PAGE, &vec) == -1 && errno == ENOMEM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Not dumped: smaps shows "dd" for the mapping. */
	f = fopen("/proc/self/smaps", "r");
	ASSERT_NE(NULL, f);
	snprintf(path, sizeof(path), "%lx-", (unsigned long)p);
	while (fgets(smaps_line, sizeof(smaps_line), f)) {
		if (!strncmp(smaps_line, path, strlen(path))) {
			while (fgets(smaps_line, sizeof(smaps_line), f))
				if (!strncmp(smaps_line, "VmFlags:", 8))
					break;
			found_dd = strstr(smaps_line, " dd") != NULL;
			break;
		}
	}
	fclose(f);
	EXPECT_TRUE(found_dd);

	/* /proc/PID/mem and process_vm_readv cannot read it. */
	memfd = open("/proc/self/mem", O_RDONLY);
	ASSERT_LE(0, memfd);
	EXPECT_EQ(-1, pread(memfd, buf, sizeof(buf), (off_t)(uintptr_t)p));
	EXPECT_EQ(EIO, errno);
	close(memfd);
	/*
	 * process_vm_readv() works here, on an ordinary buffer; on the enclave
	 * it fails as pinning a VM_IO | VM_PFNMAP page does, with EFAULT.
	 */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(sizeof(buf), process_vm_readv(getpid(), &(struct iovec){ buf, sizeof(buf) }, 1,
						&(struct iovec){ self->data, sizeof(buf) }, 1, 0));
	EXPECT_EQ(0, memcmp(buf, self->data, sizeof(buf)));
	EXPECT_EQ(-1, process_vm_readv(getpid(), &(struct iovec){ buf, sizeof(buf) }, 1,
				       &(struct iovec){ p, sizeof(buf) }, 1, 0));
	EXPECT_EQ(EFAULT, errno);
}

/* A DEBUG enclave may be read and written by a debugger. */
TEST(debug_enclave_readable)
{
	static uint8_t page[PAGE] __attribute__((aligned(PAGE)));
	uint8_t buf[32];
	struct tencl t;
	int memfd;
	uint8_t *p;

	fill(page, PAGE, 9);
	ASSERT_EQ(0, tencl_create(&t, 2 * PAGE, EB_ATTR_DEBUG));
	ASSERT_EQ(0, tencl_add(&t, 0, TENCL_RW, page, PAGE, true));
	ASSERT_EQ(0, tencl_finish(&t));
	p = tencl_map(&t, 0, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	memfd = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(sizeof(buf), pread(memfd, buf, sizeof(buf), (off_t)(uintptr_t)(p + 100)));
	EXPECT_EQ(0, memcmp(buf, page + 100, sizeof(buf)));
	ASSERT_EQ(1, pwrite(memfd, "\x77", 1, (off_t)(uintptr_t)p));
	EXPECT_EQ(0x77, p[0]);
	close(memfd);
	tencl_close(&t);
	EXPECT_TRUE(eb_pool_is_full());
}

/* ------------------------------------------------------------ bad input */

static int create_with(int fd, const struct eb_secs *secs)
{
	return ioctl(fd, EB_IOC_ENCLAVE_CREATE,
		     &(struct eb_enclave_create){ .src = (uintptr_t)secs })
		   ? -errno
		   : 0;
}

TEST(bad_create)
{
	struct eb_secs good, s;
	void *base;
	int fd;

	fd = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, fd);
	base = mmap(NULL, 32 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, base);
	tencl_secs(&good, ((uintptr_t)base + 8 * PAGE - 1) & ~(8 * PAGE - 1), 8 * PAGE, 0);

#define REFUSED(field_change)                           \
	do {                                            \
		s = good;                               \
		field_change;                           \
		EXPECT_EQ(-EINVAL, create_with(fd, &s)) \
		TH_LOG("%s", #field_change);            \
	} while (0)
	REFUSED(s.size = 0);
	REFUSED(s.size = PAGE);
	REFUSED(s.size = 3 * PAGE);
	REFUSED(s.size = 1ULL << 63);
	REFUSED(s.base += PAGE);
	/* ELRANGE must be user memory, whether paging has 4 or 5 levels. */
	REFUSED(s.base = -s.size);		 /* base + size wraps to 0 */
	REFUSED(s.base = 1ULL << 60);		 /* not canonical */
	REFUSED(s.base = 0xffff800000000000ULL); /* the kernel's half */
	REFUSED(s.ssa_frame_size = 0);
	REFUSED(s.ssa_frame_size = 1000);
	REFUSED(s.miscselect = 2);
	REFUSED(s.attributes = 0);
	REFUSED(s.attributes |= EB_ATTR_INIT);
	REFUSED(s.attributes |= 1ULL << 3);
	REFUSED(s.attributes |= 1ULL << 40);
	REFUSED(s.xfrm = 1);
	REFUSED(s.reserved1[3] = 1);
	REFUSED(s.mrenclave[0] = 1);
	REFUSED(s.mrsigner[31] = 1);
	REFUSED(s.config_id[10] = 1);
	REFUSED(s.isv_prod_id = 1);
	REFUSED(s.isv_svn = 1);
	REFUSED(s.reserved4[3833] = 1);
#undef REFUSED
	/* Nothing was taken by any refusal. */
	EXPECT_TRUE(eb_pool_is_full());

	EXPECT_EQ(-EFAULT, create_with(fd, (void *)8));
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_CREATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOW(EB_MAGIC, 0x7f, int), 0));
	EXPECT_EQ(ENOTTY, errno);

	/* Calls out of order. */
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_INFO, &(struct eb_enclave_info){ 0 }));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_INIT, &(struct eb_enclave_init){ 0 }));
	EXPECT_EQ(EFAULT, errno); /* the SIGSTRUCT is read before the state */
	EXPECT_EQ(0, create_with(fd, &good));
	EXPECT_EQ(-EINVAL, create_with(fd, &good)); /* only once */
	close(fd);
	munmap(base, 32 * PAGE);
	EXPECT_TRUE(eb_pool_is_full());
}

static int add_with(int fd, struct eb_enclave_add_pages *add)
{
	return ioctl(fd, EB_IOC_ENCLAVE_ADD_PAGES, add) ? -errno : 0;
}

TEST_F(encl, bad_add_pages)
{
	struct eb_secinfo secinfo = { .flags = TENCL_RW };
	struct eb_enclave_add_pages good = {
		.src = (uintptr_t)self->data,
		.offset = PAGE,
		.length = PAGE,
		.secinfo = (uintptr_t)&secinfo,
		.flags = EB_PAGE_MEASURE,
	};
	struct eb_enclave_add_pages a;
	struct eb_enclave_info info;
	int fd = self->t.fd;

#define ADD_REFUSED(err, change)                 \
	do {                                     \
		a = good;                        \
		change;                          \
		EXPECT_EQ(err, add_with(fd, &a)) \
		TH_LOG("%s", #change);           \
	} while (0)
	ADD_REFUSED(-EINVAL, a.flags = 2);
	ADD_REFUSED(-EINVAL, a.length = 0);
	ADD_REFUSED(-EINVAL, a.length = 100);
	ADD_REFUSED(-EINVAL, a.offset = 10);
	ADD_REFUSED(-EINVAL, a.src += 8);
	ADD_REFUSED(-EINVAL, a.offset = ENCL_SIZE);
	ADD_REFUSED(-EINVAL, a.offset = ENCL_SIZE - PAGE; a.length = 2 * PAGE);
	ADD_REFUSED(-EINVAL, a.offset = ~0xfffULL);
	ADD_REFUSED(-EFAULT, a.secinfo = 16);
	ADD_REFUSED(-EFAULT, a.src = 0x1000);
	ADD_REFUSED(-EFAULT, a.src = ~0xfffULL);
	ADD_REFUSED(-EINVAL, secinfo.flags = EB_SECINFO_PT_SECS | EB_SECINFO_R);
	ADD_REFUSED(-EINVAL, secinfo.flags = (3ULL << 8) | EB_SECINFO_R);
	ADD_REFUSED(-EINVAL, secinfo.flags = EB_SECINFO_PT_REG | EB_SECINFO_W);
	ADD_REFUSED(-EINVAL, secinfo.flags = EB_SECINFO_PT_TCS | EB_SECINFO_R);
	ADD_REFUSED(-EINVAL, secinfo.flags = TENCL_RW | (1ULL << 20));
	ADD_REFUSED(-EINVAL, secinfo.flags = TENCL_RW; secinfo.reserved[55] = 1);
	secinfo.reserved[55] = 0;
	secinfo.flags = TENCL_RW;
#undef ADD_REFUSED
	ASSERT_EQ(0, tencl_info(&self->t, &info));
	EXPECT_EQ(1, info.pages); /* only the SECS */

	EXPECT_EQ(0, add_with(fd, &good));
	EXPECT_EQ(PAGE, good.count);
	a = good;
	EXPECT_EQ(-EEXIST, add_with(fd, &a));
	EXPECT_EQ(0, a.count);
	/* A range whose second page exists: the first is added, count says so. */
	a = good;
	a.offset = 0;
	a.length = 2 * PAGE;
	EXPECT_EQ(-EEXIST, add_with(fd, &a));
	EXPECT_EQ(PAGE, a.count);
	/* A source that becomes unreadable half-way. */
	a = good;
	a.offset = 2 * PAGE;
	a.length = 2 * PAGE;
	a.src = (uintptr_t)self->t.reserve; /* PROT_NONE */
	EXPECT_EQ(-EFAULT, add_with(fd, &a));
	ASSERT_EQ(0, tencl_info(&self->t, &info));
	EXPECT_EQ(3, info.pages);
}

TEST(bad_set_cgroup)
{
	struct eb_enclave_set_cgroup set = { 0 };
	int fd, cgfd, status;
	pid_t pid;

	fd = open(EB_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, fd);
	cgfd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, cgfd);

	set.cgroup_fd = cgfd;
	set.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &set));
	EXPECT_EQ(EINVAL, errno);
	set.flags = 0;
	set.cgroup_fd = 0xffff;
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &set));
	EXPECT_EQ(EBADF, errno);
	set.cgroup_fd = open("/proc", O_RDONLY | O_DIRECTORY);
	EXPECT_EQ(-1, ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &set));
	EXPECT_EQ(EBADF, errno);
	close(set.cgroup_fd);

	/* Unprivileged with an fd it was handed: refused. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct eb_enclave_set_cgroup s = { .cgroup_fd = cgfd };

		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (!ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &s))
			_exit(3);
		_exit(errno == EPERM ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	set.cgroup_fd = cgfd;
	EXPECT_EQ(0, ioctl(fd, EB_IOC_ENCLAVE_SET_CGROUP, &set));
	close(cgfd);
	close(fd);
	EXPECT_TRUE(eb_pool_is_full());
}

/* Building many enclaves in parallel threads of one process. */
static void *build_some(void *arg)
{
	static uint8_t page[4 * PAGE] __attribute__((aligned(PAGE)));
	long failures = 0;

	for (int i = 0; i < 8; i++) {
		struct tencl t;

		if (tencl_create(&t, 8 * PAGE, 0) ||
		    tencl_add(&t, 0, TENCL_RW, page, 4 * PAGE, true))
			failures++;
		tencl_close(&t);
	}
	return (void *)failures;
}

TEST(concurrent_builds)
{
	pthread_t th[4];
	void *ret;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, build_some, NULL));
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], &ret));
		EXPECT_EQ(0, (long)ret);
	}
	EXPECT_TRUE(eb_pool_is_full());
}

/* The pool runs dry: ENOSPC, distinct from a cgroup limit's EDQUOT. */
TEST(pool_exhaustion)
{
	uint64_t total = eb_read_u64(EB_SYSFS "/pool/total_bytes");
	static uint8_t page[PAGE] __attribute__((aligned(PAGE)));
	uint64_t size = 1;
	struct tencl t;
	int ret = 0;

	while (size < total * 2)
		size <<= 1;
	ASSERT_EQ(0, tencl_create(&t, size, 0));
	for (uint64_t off = 0; off < size; off += PAGE) {
		ret = tencl_add(&t, off, TENCL_RW, page, PAGE, false);
		if (ret)
			break;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(0, eb_read_u64(EB_SYSFS "/pool/free_bytes"));
	EXPECT_EQ(0, eb_read_u64(EB_SYSFS "/pool/min_free_bytes"));
	tencl_close(&t);
	EXPECT_TRUE(eb_pool_is_full());
}

TEST_HARNESS_MAIN
