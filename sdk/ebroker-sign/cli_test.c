// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the ebroker-sign command, run as a user runs it: sign the
 * linked test enclave, read the image back with libebimage, check its
 * identity with `dump --json` (parsed by Python's json module) and against
 * an independent measurement; every exit status; the config file.
 */
#include <errno.h>
#include <sys/stat.h>

#include "cli.h"
#include "test.h"

/* One key and one scratch directory for every test (RSA-3072 is slow). */
static char tmp[] = "/tmp/cli_test.XXXXXX";
static bool have_key;

__attribute__((constructor)) static void setup(void)
{
	char path[sizeof(tmp) + 16];
	EVP_PKEY *key = NULL;

	if (!mkdtemp(tmp))
		return;
	snprintf(path, sizeof(path), "%s/key.pem", tmp);
	have_key = ebroker_key_generate(&key) == 0 && ebroker_key_write_pem(key, path) == 0;
	EVP_PKEY_free(key);
}

__attribute__((destructor)) static void cleanup(void)
{
	run(NULL, "rm -rf %s", tmp);
}

static const char *tiny(void)
{
	return build_path(0, "sdk/ebroker-sign/testdata/tiny.elf");
}

/* `dump --json IMAGE` into IMAGE.json, which json_get() reads. */
static void dump_json(const char *image)
{
	run(NULL, "%s dump --json %s >%s.json", tool(), image, image);
}

/* The Python expression @expr over the JSON from dump_json(@image) as `d`. */
static char *json_get(const char *image, const char *expr)
{
	char *out = NULL;
	size_t n;

	run(&out,
	    "python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); "
	    "print(json.dumps(eval(sys.argv[2], {\"d\": d})))' %s.json \"%s\"",
	    image, expr);
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	return out;
}

#define EXPECT_JSON(image, expr, want)                                  \
	do {                                                            \
		char *_v = json_get(image, expr);                       \
		EXPECT_STREQ(want, _v) TH_LOG("%s of %s", expr, image); \
		free(_v);                                               \
	} while (0)

/* Sign tiny.elf into @name under tmp with @opts; the exit status. */
static int sign(const char *name, const char *opts, char **out)
{
	return run(out, "%s sign --key %s/key.pem --date 20261124 %s %s -o %s/%s 2>&1", tool(), tmp,
		   opts, tiny(), tmp, name);
}

static char *tmp_path(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", tmp, name) < 0)
		abort();
	return p;
}

TEST(usage)
{
	static const char *const bad[] = {
		"",
		"frobnicate",
		"--bogus",
		"sign",
		"sign --key k.pem a.elf",
		"sign --key k.pem -o x a.elf b.elf",
		"sign --key k.pem -o x --bogus a.elf",
		"sign -o x a.elf",
		"sign --key k.pem -o x a.elf --isv-svn",
		"sign --key k.pem -o x a.elf --isv-svn 65536",
		"sign --key k.pem -o x a.elf --isv-svn -1",
		"sign --key k.pem -o x a.elf --isv-svn 1x",
		"sign --key k.pem -o x a.elf --date 20261301",
		"sign --key k.pem -o x a.elf --date 2026-11-24",
		"sign --key k.pem -o x a.elf --xfrm 1",
		"sign --key k.pem -o x a.elf --miscselect 2",
		"dump",
		"dump a b",
		"measure",
		"keygen",
		"keygen a b",
	};
	static const char *const help[] = { "--help",	      "-h",
					    "sign --help",    "dump -h",
					    "measure --help", "keygen --help" };
	char *out;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		int r = run(&out, "%s %s 2>&1", tool(), bad[i]);

		EXPECT_EQ(SIGN_EXIT_USAGE, r) TH_LOG("'%s': %s", bad[i], out);
		EXPECT_NE(NULL, strstr(out, "--help")) TH_LOG("'%s': no hint: %s", bad[i], out);
		free(out);
	}
	for (size_t i = 0; i < ELEMENTSOF(help); i++) {
		EXPECT_EQ(0, run(&out, "%s %s 2>&1", tool(), help[i])) TH_LOG("'%s'", help[i]);
		EXPECT_NE(NULL, strstr(out, "Usage: ebroker-sign")) TH_LOG("'%s'", help[i]);
		free(out);
	}
}

TEST(keygen)
{
	_cleanup_(freep) char *path = tmp_path("new.pem");
	struct stat st;
	EVP_PKEY *key = NULL;
	char *out;

	EXPECT_EQ(0, run(&out, "%s keygen %s 2>&1", tool(), path)) TH_LOG("%s", out);
	free(out);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(0, ebroker_key_read_pem(path, &key));
	EVP_PKEY_free(key);

	/* Never over an existing key. */
	EXPECT_EQ(SIGN_EXIT_FAILURE, run(&out, "%s keygen %s 2>&1", tool(), path));
	EXPECT_NE(NULL, strstr(out, "exists")) TH_LOG("%s", out);
	free(out);
}

/* The identity dump shows, each value checked by Python's json parser. */
TEST(sign_and_dump)
{
	_cleanup_(freep) char *image = tmp_path("tiny.ebimg");
	struct ebroker_image *img = NULL;
	uint8_t mr[EB_HASH_SIZE], mrsigner[EB_HASH_SIZE];
	char hexmr[2 * EB_HASH_SIZE + 3], hexsigner[2 * EB_HASH_SIZE + 3];
	const char *p;
	char *out;
	int r;

	ASSERT_TRUE(have_key);
	r = sign("tiny.ebimg", "--debug --isv-prod-id 7 --isv-svn 0x3", &out);
	ASSERT_EQ(0, r) TH_LOG("%s", out);
	free(out);

	/* What the image must say, computed here with libebsign directly. */
	ASSERT_EQ(0, ebroker_image_open(image, &img));
	ASSERT_EQ(0, ebroker_image_mrenclave(img, mr));
	ASSERT_EQ(0, ebroker_sigstruct_verify(ebroker_image_sigstruct(img)));
	ASSERT_EQ(0, ebroker_sigstruct_mrsigner(ebroker_image_sigstruct(img), mrsigner));
	EXPECT_EQ(0, memcmp(mr, ebroker_image_sigstruct(img)->enclavehash, EB_HASH_SIZE));
	ebroker_image_free(img);
	hexmr[0] = '"';
	hex(mr, EB_HASH_SIZE, hexmr + 1);
	strcat(hexmr, "\"");
	hexsigner[0] = '"';
	hex(mrsigner, EB_HASH_SIZE, hexsigner + 1);
	strcat(hexsigner, "\"");

	dump_json(image);
	EXPECT_JSON(image, "d['mrenclave']", hexmr);
	EXPECT_JSON(image, "d['enclavehash']", hexmr);
	EXPECT_JSON(image, "d['enclavehash_matches']", "true");
	EXPECT_JSON(image, "d['mrsigner']", hexsigner);
	EXPECT_JSON(image, "d['signature']", "\"ok\"");
	EXPECT_JSON(image, "d['attributes']", "6");
	EXPECT_JSON(image, "d['attribute_names']", "[\"DEBUG\", \"MODE64BIT\"]");
	EXPECT_JSON(image, "d['attribute_mask']", "182"); /* 0xb6 */
	EXPECT_JSON(image, "d['xfrm']", "3");
	EXPECT_JSON(image, "d['xfrm_mask']", "18446744073709551615");
	EXPECT_JSON(image, "d['miscselect']", "0");
	EXPECT_JSON(image, "d['misc_mask']", "4294967295");
	EXPECT_JSON(image, "d['isv_prod_id']", "7");
	EXPECT_JSON(image, "d['isv_svn']", "3");
	EXPECT_JSON(image, "d['date']", "\"2026-11-24\"");
	EXPECT_JSON(image, "d['enclave_size']", "65536");
	EXPECT_JSON(image, "d['ssa_frame_size']", "1");
	EXPECT_JSON(image, "d['pages']",
		    "{\"total\": 11, \"zero\": 5, \"r--\": 1, \"rw-\": 7, \"r-x\": 1, \"tcs\": 2}");
	EXPECT_JSON(image, "d['tcs']", "[0, 4096]");

	/* `measure` says the same, from the ELF, without a key. */
	EXPECT_EQ(0, run(&out, "%s measure %s", tool(), tiny()));
	hexmr[2 * EB_HASH_SIZE + 1] = '\n';
	hexmr[2 * EB_HASH_SIZE + 2] = 0;
	EXPECT_STREQ(hexmr + 1, out);
	free(out);

	/* Text, for people: the same identity. */
	EXPECT_EQ(0, run(&out, "%s dump %s", tool(), image));
	EXPECT_NE(NULL, strstr(out, "signature:      ok\n")) TH_LOG("%s", out);
	p = strstr(out, "attributes:     0x6 (DEBUG MODE64BIT) mask 0xb6\n");
	EXPECT_NE(NULL, p) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "tcs:            2 at 0x0 0x1000\n")) TH_LOG("%s", out);
	free(out);
}

/* sign -> write -> parse: the image holds exactly the ELF's layout. */
TEST(round_trip)
{
	_cleanup_(freep) char *image = tmp_path("rt.ebimg");
	struct layout_params params = { .xfrm = 3 };
	struct ebroker_image *img = NULL, *laid = NULL;
	size_t len, file_len;
	void *elf, *file, *again;
	char err[256];

	ASSERT_TRUE(have_key);
	ASSERT_EQ(0, sign("rt.ebimg", "", NULL));
	ASSERT_EQ(0, read_regular_file(AT_FDCWD, tiny(), 0, 1 << 24, &elf, &len));
	ASSERT_EQ(0, elf_layout(elf, len, &params, &laid, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, ebroker_image_open(image, &img));

	EXPECT_EQ(
	    0, memcmp(ebroker_image_secs(laid), ebroker_image_secs(img), sizeof(struct eb_secs)));
	ASSERT_EQ(ebroker_image_page_count(laid), ebroker_image_page_count(img));
	for (size_t i = 0; i < ebroker_image_page_count(img); i++) {
		const struct ebroker_image_page *a = ebroker_image_page(laid, i),
						*b = ebroker_image_page(img, i);

		EXPECT_EQ(a->offset, b->offset);
		EXPECT_EQ(a->secinfo_flags, b->secinfo_flags);
		EXPECT_EQ(a->measure, b->measure);
		EXPECT_EQ(0, memcmp(a->data, b->data, PAGE)) TH_LOG("page %zu", i);
	}

	/* Written back, the same bytes. */
	ASSERT_EQ(0, read_regular_file(AT_FDCWD, image, 0, 1 << 24, &file, &file_len));
	ASSERT_EQ(0, ebroker_image_serialize(img, &again, &len));
	ASSERT_EQ(file_len, len);
	EXPECT_EQ(0, memcmp(file, again, len));

	free(again);
	free(file);
	free(elf);
	ebroker_image_free(img);
	ebroker_image_free(laid);
}

/* The same input, key and date give the same bytes: builds reproduce. */
TEST(deterministic)
{
	_cleanup_(freep) char *e = tmp_path("e.ebimg");
	char *out;

	ASSERT_TRUE(have_key);
	ASSERT_EQ(0, sign("a.ebimg", "--isv-svn 2", NULL));
	ASSERT_EQ(0, sign("b.ebimg", "--isv-svn 2", NULL));
	EXPECT_EQ(0, run(&out, "cmp %s/a.ebimg %s/b.ebimg 2>&1", tmp, tmp)) TH_LOG("%s", out);
	free(out);

	/* Without --date, $SOURCE_DATE_EPOCH decides the day. */
	EXPECT_EQ(0, run(&out, "SOURCE_DATE_EPOCH=86400 %s sign --key %s/key.pem %s -o %s/e.ebimg",
			 tool(), tmp, tiny(), tmp));
	free(out);
	dump_json(e);
	EXPECT_JSON(e, "d['date']", "\"1970-01-02\"");
}

TEST(config)
{
	_cleanup_(freep) char *image = tmp_path("cfg.ebimg");
	_cleanup_(freep) char *cfg = tmp_path("enclave.conf");
	char *out;
	FILE *f;
	int r;

	ASSERT_TRUE(have_key);
	f = fopen(cfg, "w");
	ASSERT_NE(NULL, f);
	/* The key path is relative to the config file. */
	fprintf(f, "# the test enclave\n"
		   "key = key.pem\n"
		   "  isv_prod_id = 0x10\n"
		   "isv_svn=5\n"
		   "\n"
		   "debug = yes\t\n"
		   "attribute_mask = 0x6\n"
		   "xfrm = 7\n"
		   "date = 20250102\n");
	fclose(f);

	r = run(&out, "cd / && %s sign -c %s %s -o %s 2>&1", tool(), cfg, tiny(), image);
	EXPECT_EQ(0, r) TH_LOG("%s", out);
	free(out);
	dump_json(image);
	EXPECT_JSON(image, "d['isv_prod_id']", "16");
	EXPECT_JSON(image, "d['isv_svn']", "5");
	EXPECT_JSON(image, "d['attribute_names']", "[\"DEBUG\", \"MODE64BIT\"]");
	EXPECT_JSON(image, "d['attribute_mask']", "6");
	EXPECT_JSON(image, "d['xfrm']", "7");
	EXPECT_JSON(image, "d['date']", "\"2025-01-02\"");

	/* The command line wins. */
	r = run(&out, "%s sign -c %s --isv-svn 9 --no-debug %s -o %s 2>&1", tool(), cfg, tiny(),
		image);
	EXPECT_EQ(0, r) TH_LOG("%s", out);
	free(out);
	dump_json(image);
	EXPECT_JSON(image, "d['isv_prod_id']", "16");
	EXPECT_JSON(image, "d['isv_svn']", "9");
	EXPECT_JSON(image, "d['attribute_names']", "[\"MODE64BIT\"]");
}

TEST(bad_config)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "key = key.pem\nbogus = 1\n", "line 2: unknown key 'bogus'" },
		{ "isv_svn = 1\nisv_svn = 2\n", "line 2: 'isv_svn' given twice" },
		{ "isv_svn = 65536\n", "line 1: value too large: '65536' for isv_svn" },
		{ "isv_svn\n", "line 1: not \"key = value\"" },
		{ "isv_svn =\n", "line 1: bad value" },
		{ "debug = maybe\n", "line 1: bad value 'maybe' for debug" },
		{ "date = 2026\n", "line 1: bad value" },
		{ "xfrm = 0x5\n", "line 1: bad value '0x5' for xfrm" },
		{ "miscselect = 2\n", "line 1: bad value '2' for miscselect" },
	};
	_cleanup_(freep) char *cfg = tmp_path("bad.conf");
	char *out;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		FILE *f = fopen(cfg, "w");

		ASSERT_NE(NULL, f);
		fputs(cases[i].text, f);
		fclose(f);
		EXPECT_EQ(SIGN_EXIT_BAD_CONFIG, run(&out,
						    "%s sign --key %s/key.pem -c %s %s -o "
						    "%s/x.ebimg 2>&1",
						    tool(), tmp, cfg, tiny(), tmp));
		EXPECT_NE(NULL, strstr(out, cases[i].why)) TH_LOG("%s", out);
		free(out);
	}
	EXPECT_EQ(SIGN_EXIT_BAD_CONFIG, run(&out, "%s sign -c %s/none.conf %s -o %s/x.ebimg 2>&1",
					    tool(), tmp, tiny(), tmp));
	free(out);
}

TEST(bad_key_and_elf)
{
	_cleanup_(freep) char *x = tmp_path("x.ebimg");
	const char *p;
	char *out;

	ASSERT_TRUE(have_key);
	EXPECT_EQ(SIGN_EXIT_BAD_KEY, run(&out, "%s sign --key %s/none.pem %s -o %s/x.ebimg 2>&1",
					 tool(), tmp, tiny(), tmp));
	EXPECT_NE(NULL, strstr(out, "No such file")) TH_LOG("%s", out);
	free(out);

	EXPECT_EQ(SIGN_EXIT_BAD_KEY,
		  run(&out, "%s sign --key %s %s -o %s/x.ebimg 2>&1", tool(), tiny(), tiny(), tmp));
	EXPECT_NE(NULL, strstr(out, "no unencrypted private key")) TH_LOG("%s", out);
	free(out);

	/* RSA, but not 3072 bits with e = 3. */
	ASSERT_EQ(0, run(NULL,
			 "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 "
			 "-out %s/small.pem 2>/dev/null",
			 tmp));
	EXPECT_EQ(SIGN_EXIT_BAD_KEY, run(&out, "%s sign --key %s/small.pem %s -o %s/x.ebimg 2>&1",
					 tool(), tmp, tiny(), tmp));
	p = strstr(out, "not an RSA-3072 key with public exponent 3");
	EXPECT_NE(NULL, p) TH_LOG("%s", out);
	free(out);

	EXPECT_EQ(SIGN_EXIT_BAD_ELF,
		  run(&out, "%s sign --key %s/key.pem %s -o %s/x.ebimg 2>&1", tool(), tmp,
		      build_path(1, "sdk/ebroker-sign/testdata/tcs-reloc.elf"), tmp));
	EXPECT_NE(NULL, strstr(out, "targets a page that is not writable")) TH_LOG("%s", out);
	free(out);

	EXPECT_EQ(SIGN_EXIT_BAD_ELF, run(&out,
					 "%s sign --key %s/key.pem %s/key.pem -o %s/x.ebimg "
					 "2>&1",
					 tool(), tmp, tmp, tmp));
	EXPECT_NE(NULL, strstr(out, "not an ELF file")) TH_LOG("%s", out);
	free(out);
	EXPECT_EQ(SIGN_EXIT_BAD_ELF, run(&out, "%s measure %s 2>&1", tool(), tmp));
	free(out);
	EXPECT_EQ(SIGN_EXIT_FAILURE, run(&out, "%s measure %s/none.elf 2>&1", tool(), tmp));
	free(out);

	/* Nothing is written when signing fails. */
	EXPECT_NE(0, access(x, F_OK));
}

/* Change one byte of a file at @offset (negative: from the end). */
static void poke(const char *path, long offset)
{
	FILE *f = fopen(path, "r+b");
	int c;

	if (!f)
		abort();
	fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET);
	c = fgetc(f);
	fseek(f, -1, SEEK_CUR);
	fputc(c ^ 0x01, f);
	fclose(f);
}

TEST(dump_refuses)
{
	_cleanup_(freep) char *image = tmp_path("d.ebimg");
	char *out;

	ASSERT_TRUE(have_key);

	/* A page byte changed after signing: ENCLAVEHASH is for other pages. */
	ASSERT_EQ(0, sign("d.ebimg", "", NULL));
	poke(image, -1);
	EXPECT_EQ(SIGN_EXIT_UNTRUSTED, run(&out, "%s dump %s", tool(), image));
	EXPECT_NE(NULL, strstr(out, "DIFFERS")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "signature:      ok")) TH_LOG("%s", out);
	free(out);
	dump_json(image);
	EXPECT_JSON(image, "d['enclavehash_matches']", "false");

	/* The signature's first byte (SIGSTRUCT at 128, signature at 516). */
	ASSERT_EQ(0, sign("d.ebimg", "", NULL));
	poke(image, 128 + 516);
	EXPECT_EQ(SIGN_EXIT_UNTRUSTED, run(&out, "%s dump %s", tool(), image));
	EXPECT_NE(NULL, strstr(out, "signature:      bad")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "DIFFERS")) TH_LOG("%s", out);
	free(out);

	/* Not an image at all, or not all of one. */
	ASSERT_EQ(0, sign("d.ebimg", "", NULL));
	ASSERT_EQ(0, truncate(image, 8192));
	EXPECT_EQ(SIGN_EXIT_BAD_IMAGE, run(&out, "%s dump %s 2>&1", tool(), image));
	EXPECT_NE(NULL, strstr(out, "not a valid image: truncated")) TH_LOG("%s", out);
	free(out);
	EXPECT_EQ(SIGN_EXIT_BAD_IMAGE, run(&out, "%s dump %s 2>&1", tool(), tiny()));
	EXPECT_NE(NULL, strstr(out, "bad magic")) TH_LOG("%s", out);
	free(out);
	EXPECT_EQ(SIGN_EXIT_FAILURE, run(&out, "%s dump %s/none 2>&1", tool(), tmp));
	free(out);
}

TEST_HARNESS_MAIN
