// SPDX-License-Identifier: GPL-2.0
/*
 * ebroker-sign dump IMAGE.ebimg: an image's identity, as EINIT would
 * establish it. MRENCLAVE is measured again from the pages, not trusted
 * from the SIGSTRUCT, and the two are compared; the signature is checked.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/sgx_attributes.h"

#include "cli.h"

static const char help[] =
    "Usage: " PROGRAM " dump [--json] IMAGE.ebimg\n"
    "\n"
    "Show an enclave image's identity: MRENCLAVE measured from its pages and\n"
    "compared with the SIGSTRUCT's, MRSIGNER, attributes, XFRM, MISCSELECT,\n"
    "ISVPRODID, ISVSVN, the enclave size, its pages and TCS, and whether the\n"
    "signature verifies. Exits with status 7 if the signature does not verify or\n"
    "the SIGSTRUCT is for other pages.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object\n"
    "  -h, --help  show this help\n";

/* Pages by kind: the TCS, then regular pages by permission bits. */
#define KIND_TCS 8
#define N_KINDS	 9

struct identity {
	const struct eb_secs *secs;
	const struct eb_sigstruct *sig;
	uint8_t mrenclave[EB_HASH_SIZE];
	uint8_t mrsigner[EB_HASH_SIZE];
	bool hash_matches;
	int verify; /* ebroker_sigstruct_verify() */
	size_t pages, zero_pages, kinds[N_KINDS];
	const struct ebroker_image *img;
};

static const char *kind_name(unsigned int k)
{
	static const char *const names[N_KINDS] = {
		"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx", "tcs",
	};

	return names[k];
}

static const char *verify_result(int r)
{
	switch (r) {
	case 0:
		return "ok";
	case -EBADMSG:
		return "malformed";
	case -EKEYREJECTED:
		return "bad";
	default:
		return "error";
	}
}

static void print_text(const struct identity *id, const char *path)
{
	char hex[2 * EB_HASH_SIZE + 1];
	const struct eb_sigstruct *s = id->sig;

	printf("image:          %s\n", path);
	hex_string(id->mrenclave, EB_HASH_SIZE, hex);
	printf("mrenclave:      %s\n", hex);
	if (!id->hash_matches) {
		hex_string(s->enclavehash, EB_HASH_SIZE, hex);
		printf("enclavehash:    %s (DIFFERS: signed for other pages)\n", hex);
	}
	hex_string(id->mrsigner, EB_HASH_SIZE, hex);
	printf("mrsigner:       %s\n", hex);
	printf("signature:      %s\n", verify_result(id->verify));
	printf("attributes:     0x%llx (", (unsigned long long)id->secs->attributes);
	sgx_attributes_print(stdout, id->secs->attributes);
	printf(") mask 0x%llx\n", (unsigned long long)s->attributemask);
	printf("xfrm:           0x%llx mask 0x%llx\n", (unsigned long long)id->secs->xfrm,
	       (unsigned long long)s->xfrmmask);
	printf("miscselect:     0x%x mask 0x%x\n", id->secs->miscselect, s->miscmask);
	printf("isv_prod_id:    %u\n", s->isv_prod_id);
	printf("isv_svn:        %u\n", s->isv_svn);
	printf("date:           %04x-%02x-%02x\n", s->date >> 16, (s->date >> 8) & 0xff,
	       s->date & 0xff);
	printf("enclave size:   0x%llx\n", (unsigned long long)id->secs->size);
	printf("ssa frame size: %u page(s)\n", id->secs->ssa_frame_size);
	printf("pages:          %zu (%zu all zero)", id->pages, id->zero_pages);
	for (unsigned int k = 0; k < N_KINDS; k++)
		if (id->kinds[k])
			printf(", %zu %s", id->kinds[k], kind_name(k));
	printf("\n");
	printf("tcs:            %u at", ebroker_image_tcs_count(id->img));
	for (unsigned int i = 0; i < ebroker_image_tcs_count(id->img); i++)
		printf(" 0x%llx", (unsigned long long)ebroker_image_tcs_offset(id->img, i));
	printf("\n");
}

static void print_json(const struct identity *id, const char *path)
{
	const struct eb_sigstruct *s = id->sig;
	struct json j;
	char date[16];

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "image", path);
	json_kv_u64(&j, "format_version", EBROKER_IMAGE_VERSION);
	json_key(&j, "mrenclave");
	json_hex(&j, id->mrenclave, EB_HASH_SIZE);
	json_key(&j, "enclavehash");
	json_hex(&j, s->enclavehash, EB_HASH_SIZE);
	json_kv_bool(&j, "enclavehash_matches", id->hash_matches);
	json_key(&j, "mrsigner");
	json_hex(&j, id->mrsigner, EB_HASH_SIZE);
	json_kv_string(&j, "signature", verify_result(id->verify));
	json_kv_u64(&j, "attributes", id->secs->attributes);
	json_key(&j, "attribute_names");
	sgx_attributes_json(&j, id->secs->attributes);
	json_kv_u64(&j, "attribute_mask", s->attributemask);
	json_kv_u64(&j, "xfrm", id->secs->xfrm);
	json_kv_u64(&j, "xfrm_mask", s->xfrmmask);
	json_kv_u64(&j, "miscselect", id->secs->miscselect);
	json_kv_u64(&j, "misc_mask", s->miscmask);
	json_kv_u64(&j, "isv_prod_id", s->isv_prod_id);
	json_kv_u64(&j, "isv_svn", s->isv_svn);
	json_kv_u64(&j, "vendor", s->vendor);
	snprintf(date, sizeof(date), "%04x-%02x-%02x", s->date >> 16, (s->date >> 8) & 0xff,
		 s->date & 0xff);
	json_kv_string(&j, "date", date);
	json_kv_u64(&j, "enclave_size", id->secs->size);
	json_kv_u64(&j, "ssa_frame_size", id->secs->ssa_frame_size);
	json_key(&j, "pages");
	json_object_begin(&j);
	json_kv_u64(&j, "total", id->pages);
	json_kv_u64(&j, "zero", id->zero_pages);
	for (unsigned int k = 0; k < N_KINDS; k++)
		if (id->kinds[k])
			json_kv_u64(&j, kind_name(k), id->kinds[k]);
	json_object_end(&j);
	json_key(&j, "tcs");
	json_array_begin(&j);
	for (unsigned int i = 0; i < ebroker_image_tcs_count(id->img); i++)
		json_u64(&j, ebroker_image_tcs_offset(id->img, i));
	json_array_end(&j);
	json_object_end(&j);
}

int cmd_dump(int argc, char **argv)
{
	enum { OPT_JSON = 0x100 };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(ebroker_image_freep) struct ebroker_image *img = NULL;
	struct identity id = { 0 };
	const char *path, *why = NULL;
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return SIGN_EXIT_OK;
		case OPT_JSON:
			json = true;
			break;
		default:
			return sign_option_error("dump", c, argv);
		}
	}
	if (argc - optind != 1)
		return sign_usage("dump", "give exactly one IMAGE.ebimg");
	path = argv[optind];

	r = ebroker_image_open_why(path, &img, &why);
	if (r == -EBADMSG)
		return sign_error(SIGN_EXIT_BAD_IMAGE, "%s: not a valid image: %s", path, why);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "%s: %s", path, strerror(-r));

	id.img = img;
	id.secs = ebroker_image_secs(img);
	id.sig = ebroker_image_sigstruct(img);
	r = ebroker_image_mrenclave(img, id.mrenclave);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "measuring %s: %s", path, strerror(-r));
	id.hash_matches = !memcmp(id.mrenclave, id.sig->enclavehash, EB_HASH_SIZE);
	id.verify = ebroker_sigstruct_verify(id.sig);
	r = ebroker_sigstruct_mrsigner(id.sig, id.mrsigner);
	if (r < 0)
		return sign_error(SIGN_EXIT_FAILURE, "MRSIGNER of %s: %s", path, strerror(-r));

	id.pages = ebroker_image_page_count(img);
	for (size_t i = 0; i < id.pages; i++) {
		const struct ebroker_image_page *p = ebroker_image_page(img, i);
		bool tcs = (p->secinfo_flags & EB_SECINFO_PT_MASK) == EB_SECINFO_PT_TCS;

		id.kinds[tcs ? KIND_TCS : p->secinfo_flags & EB_SECINFO_PERM_MASK]++;
		if (mem_is_zero(p->data, EB_PAGE_SIZE))
			id.zero_pages++;
	}

	if (json)
		print_json(&id, path);
	else
		print_text(&id, path);
	return id.hash_matches && id.verify == 0 ? SIGN_EXIT_OK : SIGN_EXIT_UNTRUSTED;
}
