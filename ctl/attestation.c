// SPDX-License-Identifier: GPL-2.0
/*
 * ebrokerctl attestation: set up and check this host's `sim` attestation
 * (uapi/linux/ebroker_attest.h, docs/attestation.md).
 *
 *   init	a root key and self-signed root certificate (or the existing
 *		ones), then what `rotate` does
 *   rotate	a new attestation key, made and sealed by the quoting
 *		enclave, and a platform certificate for it under the root
 *   check	load the quoting enclave and the sealed key, quote the QE
 *		itself and verify the quote: what ebrokerd's health check does
 *
 * The quoting enclave is loaded here directly through libebloader (root
 * only: /dev/ebroker). The files, in DIR (default /var/lib/ebroker/
 * attestation, mode 0755):
 *
 *   root-key.pem	the root's private key (0600); belongs offline once
 *			init is done: only rotate needs it
 *   root.pem		the root certificate (0644): what relying parties trust
 *   platform.pem	the platform certificate, then the root (0644): the
 *			certification data of every quote
 *   qe.sealed		the attestation key, sealed by the QE (0600)
 *
 * Nothing is written before the new state has proven itself: the sealed
 * key loads in the quoting enclave and a quote of the QE verifies against
 * the root with libebverify. Every file is replaced atomically (a
 * temporary file, fsync, rename); a symbolic link in DIR is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ebroker/loader.h>
#include <ebroker/verify.h>
#include <linux/ebroker_attest.h>

#include "common/file.h"
#include "common/util.h"
#include "verify/issue.h"

#include "ctl.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec"
#endif
#define ATT_QE_IMAGE	 LIBEXECDIR "/ebroker-qe.ebimg"
#define ATT_DIR		 "/var/lib/ebroker/attestation"
#define ATT_ROOT_KEY	 "root-key.pem"
#define ATT_ROOT	 "root.pem"
#define ATT_PLATFORM	 "platform.pem"
#define ATT_SEALED	 "qe.sealed"
#define ATT_DAYS	 365
#define ATT_ROOT_DAYS	 3650
#define ATT_PLATFORM_SVN 1
#define ATT_SEALED_MAX	 4096
#define ATT_PEM_MAX	 EB_QUOTE_MAX

DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free)
DEFINE_FREEP(X509, X509_free)
DEFINE_FREEP(struct ebroker_enclave, ebroker_enclave_free)

static const char attestation_help[] =
    "Usage: " PROGRAM " attestation init [--dir DIR] [--root-key FILE] [--platform-svn N]\n"
    "                                   [--days N] [--qe IMAGE] [--force]\n"
    "       " PROGRAM " attestation rotate [--dir DIR] [--root-key FILE] [--platform-svn N]\n"
    "                                     [--days N] [--qe IMAGE]\n"
    "       " PROGRAM " attestation check [--dir DIR] [--qe IMAGE]\n"
    "       " PROGRAM " [--json] attestation status\n"
    "\n"
    "Set up this host's simulated attestation (root only). init makes the\n"
    "attestation root (or keeps the one in DIR), has the quoting enclave make\n"
    "and seal an attestation key, and certifies it; rotate does the same under\n"
    "the existing root; check loads the sealed key and verifies a quote of the\n"
    "quoting enclave, printing 'attestation: ok' or why it fails. Nothing is\n"
    "replaced before the new key has passed that check. status asks ebrokerd\n"
    "whether it can attest sessions now (any user).\n"
    "\n"
    "init prints the root certificate. Give relying parties DIR/root.pem, and\n"
    "move the root key offline: only rotate needs it.\n"
    "\n"
    "Options:\n"
    "  --dir DIR          the files (default " ATT_DIR ")\n"
    "  --root-key FILE    the root's private key (default DIR/" ATT_ROOT_KEY ")\n"
    "  --platform-svn N   the platform's security version certified (default: the\n"
    "                     current platform certificate's, else 1)\n"
    "  --days N           the platform certificate's validity (default 365); a new\n"
    "                     root is valid for ten years, or N days if longer\n"
    "  --qe IMAGE         the quoting enclave (default " ATT_QE_IMAGE ")\n"
    "  --force            init: make a new root even if there is one; relying\n"
    "                     parties must then be given the new root.pem\n";

enum att_mode { ATT_INIT, ATT_ROTATE, ATT_CHECK, ATT_STATUS };

struct att {
	const char *command; /* "attestation init", ... for messages */
	enum att_mode mode;
	const char *dir;
	const char *qe;
	char *root_key; /* the root key's path */
	bool root_key_in_dir;
	int platform_svn; /* -1: not given */
	unsigned int days;
	bool force;
	int dfd;
	char why[EBROKER_VERIFY_MESSAGE_MAX + 256]; /* the failure, for the caller to report */
};

/* Note why the command fails, for att_report(); returns @status. */
static int att_fail(struct att *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int att_fail(struct att *a, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	return status;
}

static void att_done(struct att *a)
{
	free(a->root_key);
	if (a->dfd >= 0)
		close(a->dfd);
}

/* ------------------------------------------------------------------- files */

/* Refuse @name in DIR if it is a symbolic link; 1 if it exists, 0 if not, or -errno. */
static int att_stat(const struct att *a, const char *name)
{
	struct stat st;

	if (fstatat(a->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return S_ISREG(st.st_mode) ? 1 : -EINVAL;
}

static const char *file_error(int r)
{
	switch (r) {
	case -ELOOP:
		return "is a symbolic link: refused";
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "too large";
	default:
		return strerror(-r);
	}
}

/*
 * A file to replace: written in full to a temporary name first (staged),
 * renamed over the real one only once every file of the change is staged
 * (committed), so that a failure leaves the old set whole.
 */
struct att_file {
	const char *name; /* in DIR; or NULL for the root key, at a->root_key */
	char *tmp;	  /* staged under this name (in DIR, or beside a->root_key) */
};

static int att_stage(const struct att *a, struct att_file *f, mode_t mode, const void *data,
		     size_t len)
{
	int fd, r = 0;

	if (asprintf(&f->tmp, ".%s.%ld.tmp", f->name, (long)getpid()) < 0) {
		f->tmp = NULL;
		return -ENOMEM;
	}
	(void)unlinkat(a->dfd, f->tmp, 0);
	fd = openat(a->dfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		r = -errno;
		free(f->tmp);
		f->tmp = NULL;
		return r;
	}
	if (fchmod(fd, mode) < 0)
		r = -errno;
	for (size_t done = 0; !r && done < len;) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			done += n;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

/* The root key, mode 0600, staged beside a->root_key. */
static int att_stage_key(const struct att *a, struct att_file *f, EVP_PKEY *key)
{
	if (asprintf(&f->tmp, "%s.%ld.tmp", a->root_key, (long)getpid()) < 0) {
		f->tmp = NULL;
		return -ENOMEM;
	}
	(void)unlink(f->tmp);
	return ebv_key_save(f->tmp, key);
}

static int att_commit(const struct att *a, struct att_file *f)
{
	int r;

	if (f->name)
		r = renameat(a->dfd, f->tmp, a->dfd, f->name);
	else
		r = rename(f->tmp, a->root_key);
	if (r < 0)
		return -errno;
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

/* Removes what is staged and not committed. */
static void att_unstage(const struct att *a, struct att_file *f)
{
	if (!f->tmp)
		return;
	if (f->name)
		(void)unlinkat(a->dfd, f->tmp, 0);
	else
		(void)unlink(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
}

/*
 * From here on, helpers return an exit status: 0, or a failure whose
 * reason they put in a->why (att_fail()).
 */

static int att_read_file(struct att *a, const char *name, size_t max, char **ret, size_t *ret_len)
{
	int r = read_regular_file(a->dfd, name, O_NOFOLLOW, max, (void **)ret, ret_len);

	return r < 0 ? att_fail(a, CTL_EXIT_FAILURE, "%s/%s: %s", a->dir, name, file_error(r)) : 0;
}

/* mkdir -p DIR (0755), then open it, refusing a symbolic link. */
static int att_open_dir(struct att *a, bool create)
{
	_cleanup_(freep) char *path = strdup(a->dir);

	if (!path)
		return att_fail(a, CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
	for (char *p = path + 1; create && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return att_fail(a, CTL_EXIT_FAILURE, "%s: cannot create: %s", path,
					strerror(errno));
		*p = '/';
	}
	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return att_fail(a, CTL_EXIT_FAILURE, "%s: cannot create: %s", path,
				strerror(errno));
	a->dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (a->dfd < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "%s: %s", a->dir,
				errno == ELOOP || errno == ENOTDIR
				    ? "not a directory (symbolic links are refused)"
				    : strerror(errno));
	return 0;
}

/* ----------------------------------------------------- the QE, the check */

/* The path sysfs gives cgroup @id (root may read it), or "?". */
static void cgroup_path_of(uint64_t id, char *buf, size_t len)
{
	char file[96];
	int fd;
	ssize_t n;

	snprintf(file, sizeof(file), "/sys/kernel/ebroker/cgroups/%" PRIu64 "/path", id);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read_full(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static int att_load_qe(struct att *a, struct ebroker_enclave **ret)
{
	uint64_t limit_cgroup_id = 0;
	const struct ebroker_enclave_load_params params = { .limit_cgroup_id = &limit_cgroup_id };
	int r = ebroker_enclave_load_file(a->qe, &params, ret);
	char path[PATH_MAX];

	if (r == -ENODEV)
		return att_fail(a, CTL_EXIT_NO_MODULE,
				"cannot load the quoting enclave %s: the "
				"ebroker module is not loaded",
				a->qe);
	if (r == -EACCES || r == -EPERM)
		return att_fail(a, CTL_EXIT_PERMISSION,
				"cannot load the quoting enclave %s: %s "
				"(root only)",
				a->qe, strerror(-r));
	if (r == -EDQUOT && limit_cgroup_id) {
		cgroup_path_of(limit_cgroup_id, path, sizeof(path));
		return att_fail(a, CTL_EXIT_FAILURE,
				"cannot load the quoting enclave %s: the EPC limit of cgroup %s "
				"(id %" PRIu64 ") refused it",
				a->qe, path, limit_cgroup_id);
	}
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "cannot load the quoting enclave %s: %s",
				a->qe, strerror(-r));
	return 0;
}

static int self_test_reportdata(const uint8_t nonce[EB_SESSION_NONCE_SIZE],
				uint8_t rd[EB_REPORTDATA_SIZE])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok;

	memset(rd, 0, EB_REPORTDATA_SIZE);
	ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, EB_QE_LABEL_SELF_TEST, sizeof(EB_QE_LABEL_SELF_TEST) - 1) == 1 &&
	     EVP_DigestUpdate(md, nonce, EB_SESSION_NONCE_SIZE) == 1 &&
	     EVP_DigestFinal_ex(md, rd, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -ENOMEM;
}

/*
 * Load @sealed (@what: where it comes from) and @chain into the QE @e,
 * quote the QE itself for a fresh nonce and verify the quote against
 * @root_pem and what @claims certify.
 */
static int att_self_check(struct att *a, struct ebroker_enclave *e, const char *what,
			  const void *sealed, size_t sealed_len, const char *chain,
			  size_t chain_len, const char *root_pem,
			  const struct eb_platform_claims *claims)
{
	struct eb_qe_load_in in = {
		.pce_svn = claims->platform_svn,
		.sealed_len = sealed_len,
		.cert_len = chain_len,
	};
	struct ebroker_policy policy = {
		.size = sizeof(policy),
		.flags = EBROKER_POLICY_MRSIGNER | EBROKER_POLICY_ALLOW_SIMULATED,
		.isv_prod_id = claims->qe_isv_prod_id,
		.min_isv_svn = claims->qe_min_isv_svn,
		.min_platform_svn = claims->platform_svn,
		.root_pem = root_pem,
	};
	uint8_t nonce[EB_SESSION_NONCE_SIZE], rd[EB_REPORTDATA_SIZE], pub[EB_P256_PUB_SIZE];
	size_t in_len = sizeof(in) + sealed_len + chain_len, n = 0;
	struct ebroker_verify_failure failure = { 0 };
	_cleanup_(freep) uint8_t *buf = NULL;
	struct ebroker_evidence ev;
	int r;

	buf = malloc(in_len > EB_QUOTE_MAX ? in_len : EB_QUOTE_MAX);
	if (!buf)
		return att_fail(a, CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
	memcpy(buf, &in, sizeof(in));
	memcpy(buf + sizeof(in), sealed, sealed_len);
	memcpy(buf + sizeof(in) + sealed_len, chain, chain_len);
	r = ebroker_enclave_call(e, EB_QE_LOAD, buf, in_len, pub, sizeof(pub), &n);
	if (r == -EBADMSG)
		return att_fail(a, CTL_EXIT_FAILURE,
				"%s: the sealed attestation key does not open in the quoting "
				"enclave %s: it was changed, or sealed on another platform "
				"(another root secret) or by another QE signer or product",
				what, a->qe);
	if (r < 0 || n != sizeof(pub))
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave %s refused the sealed key and chain: %s",
				a->qe, r < 0 ? strerror(-r) : "short answer");

	if (RAND_bytes(nonce, sizeof(nonce)) != 1 || self_test_reportdata(nonce, rd) < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "no nonce: OpenSSL failed");
	r = ebroker_enclave_call(e, EB_QE_SELF_QUOTE, nonce, sizeof(nonce), buf, EB_QUOTE_MAX, &n);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave %s cannot quote itself: %s", a->qe,
				strerror(-r));

	memcpy(policy.mrsigner, claims->qe_mrsigner, sizeof(policy.mrsigner));
	r = ebroker_verify_quote(&policy, buf, n, NULL, NULL, &ev, &failure);
	if (r == -EBADMSG || r == -EINVAL)
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave's own quote does not verify: %s: %s",
				ebroker_verify_check_name(failure.check), failure.message);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "cannot verify the quote: %s", strerror(-r));
	/* Without claims, libebverify leaves REPORTDATA to the caller. */
	if (memcmp(ev.report_data, rd, sizeof(rd)))
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave's own quote is not for this check's nonce");
	return 0;
}

static int pem_first_cert(const char *pem, size_t len, X509 **ret)
{
	BIO *bio = BIO_new_mem_buf(pem, len);

	*ret = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return *ret ? 0 : -EBADMSG;
}

/* The claims and the PEM chain of DIR's platform.pem. */
static int att_read_platform(struct att *a, struct eb_platform_claims *ret_claims, char **ret_chain,
			     size_t *ret_len)
{
	_cleanup_(freep) char *chain = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	size_t len;
	int r;

	r = att_read_file(a, ATT_PLATFORM, ATT_PEM_MAX, &chain, &len);
	if (r)
		return r;
	if (pem_first_cert(chain, len, &cert) < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: no PEM certificate", a->dir,
				ATT_PLATFORM);
	r = ebv_cert_claims(cert, ret_claims);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: %s", a->dir, ATT_PLATFORM,
				r == -ENOENT ? "the first certificate has no platform claims"
					     : "malformed platform claims");
	*ret_len = len;
	*ret_chain = TAKE_PTR(chain);
	return 0;
}

/* ------------------------------------------------------------- the root */

static time_t cert_not_after(X509 *cert)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1)
		return 0;
	return timegm(&tm);
}

static const char *hostname(void)
{
	static char name[HOST_NAME_MAX + 1];

	if (gethostname(name, sizeof(name) - 1) < 0 || !name[0])
		strcpy(name, "localhost");
	return name;
}

/* A new root key and certificate. */
static int att_new_root(struct att *a, EVP_PKEY *key, EVP_PKEY **ret_key, X509 **ret_cert)
{
	unsigned int days = a->days > ATT_ROOT_DAYS ? a->days : ATT_ROOT_DAYS;
	time_t now = time(NULL);
	char cn[128];
	int r;

	snprintf(cn, sizeof(cn), "ebroker attestation root (%s)", hostname());
	if (key)
		r = ebv_root_cert_create(key, cn, now - 300, now + 86400LL * days, ret_cert);
	else
		r = ebv_root_create(ret_key, ret_cert, cn, now - 300, now + 86400LL * days);
	return r < 0 ? att_fail(a, CTL_EXIT_FAILURE, "cannot make the root %s: %s",
				key ? "certificate" : "key", strerror(-r))
		     : 0;
}

/*
 * The root key and certificate init and rotate sign with. *ret_new_key
 * and *ret_new_cert say what is new (and so must be written).
 */
static int att_get_root(struct att *a, EVP_PKEY **ret_key, X509 **ret_cert, bool *ret_new_key,
			bool *ret_new_cert)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_(freep) char *pem = NULL;
	size_t len;
	int r;

	*ret_new_key = *ret_new_cert = false;
	if (a->mode == ATT_INIT && a->force)
		goto new_root;

	r = a->root_key_in_dir ? att_stat(a, ATT_ROOT_KEY) : 1;
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "%s: %s", a->root_key, file_error(r));
	r = r == 0 ? -ENOENT : ebv_key_load(a->root_key, &key);
	if (r == -ENOENT) {
		if (a->mode == ATT_ROTATE)
			return att_fail(a, CTL_EXIT_FAILURE,
					"%s: no root key there; rotate signs with it (pass "
					"--root-key FILE where it is kept)",
					a->root_key);
		if (att_stat(a, ATT_ROOT) != 0)
			return att_fail(a, CTL_EXIT_FAILURE,
					"%s/%s exists but its key %s does not: pass --root-key "
					"FILE to keep that root, or --force to make a new one "
					"(relying parties then need the new root.pem)",
					a->dir, ATT_ROOT, a->root_key);
		goto new_root;
	}
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "%s: cannot load the root key: %s",
				a->root_key,
				r == -EBADMSG ? "not a P-256 private key in PEM" : strerror(-r));

	r = read_regular_file(a->dfd, ATT_ROOT, O_NOFOLLOW, ATT_PEM_MAX, (void **)&pem, &len);
	if (r == -ENOENT && a->mode == ATT_INIT) {
		/* The key is there, its certificate is not: certify it again. */
		r = att_new_root(a, key, NULL, &cert);
		if (r)
			return r;
		*ret_new_cert = true;
	} else if (r < 0) {
		return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: %s", a->dir, ATT_ROOT, file_error(r));
	} else if (pem_first_cert(pem, len, &cert) < 0) {
		return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: no PEM certificate", a->dir, ATT_ROOT);
	} else if (X509_check_private_key(cert, key) != 1) {
		return att_fail(a, CTL_EXIT_FAILURE,
				"%s/%s is not the certificate of the root key %s", a->dir, ATT_ROOT,
				a->root_key);
	} else if (cert_not_after(cert) <= time(NULL)) {
		return att_fail(a, CTL_EXIT_FAILURE,
				"%s/%s has expired: make a new root with 'init --force'", a->dir,
				ATT_ROOT);
	}
	*ret_key = TAKE_PTR(key);
	*ret_cert = TAKE_PTR(cert);
	return 0;

new_root:
	r = att_new_root(a, NULL, ret_key, ret_cert);
	if (!r)
		*ret_new_key = *ret_new_cert = true;
	return r;
}

/* The platform SVN to certify: --platform-svn, else the current certificate's, else 1. */
static int att_platform_svn(struct att *a, bool new_root, uint16_t *ret)
{
	struct eb_platform_claims old;
	_cleanup_(freep) char *chain = NULL;
	size_t len;
	int r;

	if (a->platform_svn >= 0) {
		*ret = a->platform_svn;
		return 0;
	}
	*ret = ATT_PLATFORM_SVN;
	if (new_root || att_stat(a, ATT_PLATFORM) != 1)
		return 0;
	r = att_read_platform(a, &old, &chain, &len);
	if (r)
		return att_fail(a, r, "%s (give --platform-svn N to replace it)", strdupa(a->why));
	*ret = old.platform_svn;
	return 0;
}

/* ------------------------------------------------------------ the commands */

/* Refuse what the change would have to replace through a symbolic link, before making anything. */
static int att_preflight(struct att *a)
{
	static const char *const names[] = { ATT_ROOT_KEY, ATT_ROOT, ATT_SEALED, ATT_PLATFORM };

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		int r = att_stat(a, names[i]);

		if (i == 0 && !a->root_key_in_dir)
			continue;
		if (r < 0)
			return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: %s", a->dir, names[i],
					file_error(r));
	}
	return 0;
}

/*
 * Write the new state: stage every file, then rename them in place, the
 * root first (what follows is only good under it). @key and @root_pem
 * are NULL when the root stays.
 */
static int att_replace(struct att *a, EVP_PKEY *key, const char *root_pem, size_t root_len,
		       const void *sealed, size_t sealed_len, const char *chain, size_t chain_len)
{
	struct att_file files[] = {
		{ .name = NULL },
		{ .name = ATT_ROOT },
		{ .name = ATT_SEALED },
		{ .name = ATT_PLATFORM },
	};
	const void *data[] = { key, root_pem, sealed, chain };
	const size_t len[] = { 0, root_len, sealed_len, chain_len };
	const mode_t mode[] = { 0600, 0644, 0600, 0644 };
	size_t i, n = ELEMENTSOF(files);
	int r = 0;

	for (i = 0; !r && i < n; i++)
		if (data[i])
			r = i ? att_stage(a, &files[i], mode[i], data[i], len[i])
			      : att_stage_key(a, &files[i], key);
	for (size_t j = 0; !r && j < n; j++, i = j)
		if (files[j].tmp)
			r = att_commit(a, &files[j]);
	for (size_t j = 0; j < n; j++)
		att_unstage(a, &files[j]);
	if (!r) {
		(void)fsync(a->dfd);
		return 0;
	}
	/* i - 1 is the file that failed. */
	if (i == 1)
		return att_fail(a, CTL_EXIT_FAILURE, "%s: cannot write the root key: %s",
				a->root_key, file_error(r));
	return att_fail(a, CTL_EXIT_FAILURE, "%s/%s: cannot write: %s", a->dir, files[i - 1].name,
			file_error(r));
}

/* init and rotate: a new attestation key, certified, checked, then written. */
static int att_issue(struct att *a)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *root_key = NULL;
	_cleanup_(X509_freep) X509 *root = NULL, *platform = NULL;
	_cleanup_(ebroker_enclave_freep) struct ebroker_enclave *e = NULL;
	_cleanup_(freep) char *chain = NULL, *root_pem = NULL;
	_cleanup_(freep) uint8_t *out = NULL;
	struct eb_qe_provision_out po;
	struct eb_platform_claims claims = {
		.version = EB_PLATFORM_CLAIMS_VERSION,
		.backend = EB_PLATFORM_BACKEND_SIM,
	};
	struct eb_report body;
	size_t chain_len, root_len, n = 0;
	time_t now = time(NULL), not_after;
	bool new_key, new_cert;
	const uint8_t *sealed;
	uint16_t platform_svn;
	char cn[128];
	int r;

	r = att_open_dir(a, a->mode == ATT_INIT);
	if (!r)
		r = att_preflight(a);
	if (!r)
		r = att_get_root(a, &root_key, &root, &new_key, &new_cert);
	if (!r)
		r = att_platform_svn(a, new_cert, &platform_svn);
	if (!r)
		r = att_load_qe(a, &e);
	if (r)
		return r;
	claims.platform_svn = platform_svn;

	out = malloc(EB_QUOTE_MAX);
	if (!out)
		return att_fail(a, CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));
	r = ebroker_enclave_call(e, EB_QE_PROVISION, NULL, 0, out, EB_QUOTE_MAX, &n);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave %s cannot make an attestation key: %s", a->qe,
				strerror(-r));
	if (n < sizeof(po))
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave %s: short PROVISION answer", a->qe);
	memcpy(&po, out, sizeof(po));
	sealed = out + sizeof(po);
	if (!po.sealed_len || po.sealed_len != n - sizeof(po) || po.sealed_len > ATT_SEALED_MAX)
		return att_fail(a, CTL_EXIT_FAILURE,
				"the quoting enclave %s: malformed PROVISION answer", a->qe);
	memcpy(&body, po.qe_report_body, sizeof(po.qe_report_body));
	claims.qe_isv_prod_id = body.isv_prod_id;
	claims.qe_min_isv_svn = body.isv_svn;
	memcpy(claims.qe_mrsigner, body.mrsigner, sizeof(claims.qe_mrsigner));
	if (body.attributes & EB_ATTR_DEBUG)
		fprintf(stderr,
			PROGRAM ": warning: %s is a DEBUG enclave: the host can read its "
				"attestation key\n",
			a->qe);

	not_after = now + 86400LL * a->days;
	if (not_after > cert_not_after(root)) {
		not_after = cert_not_after(root);
		fprintf(stderr,
			PROGRAM ": note: the platform certificate ends with the root, "
				"in %lld days\n",
			(long long)(not_after - now) / 86400);
	}
	snprintf(cn, sizeof(cn), "ebroker sim platform (%s)", hostname());
	r = ebv_platform_cert_create(root_key, root, po.att_pub, &claims, cn, now - 300, not_after,
				     &platform);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "cannot make the platform certificate: %s",
				strerror(-r));
	r = ebv_pem_write_chain(platform, root, &chain, &chain_len);
	if (r >= 0)
		r = ebv_pem_write_cert(root, &root_pem, &root_len);
	if (r < 0)
		return att_fail(a, CTL_EXIT_FAILURE, "cannot write the certificates as PEM: %s",
				strerror(-r));

	r = att_self_check(a, e, "the new sealed key", sealed, po.sealed_len, chain, chain_len,
			   root_pem, &claims);
	if (r)
		return att_fail(a, r,
				"self-check of the new attestation key failed, nothing "
				"written: %s",
				strdupa(a->why));

	r = att_replace(a, new_key ? root_key : NULL, new_cert ? root_pem : NULL, root_len, sealed,
			po.sealed_len, chain, chain_len);
	if (r)
		return r;

	fprintf(stderr,
		PROGRAM ": self-check passed: the quoting enclave's quote verifies "
			"against %s/%s\n",
		a->dir, ATT_ROOT);
	if (a->mode == ATT_ROTATE) {
		fprintf(stderr,
			PROGRAM ": new attestation key in %s/%s, certified in %s/%s "
				"(platform SVN %u); the root is unchanged\n",
			a->dir, ATT_SEALED, a->dir, ATT_PLATFORM, claims.platform_svn);
		return 0;
	}
	fputs(root_pem, stdout);
	if (new_key)
		fprintf(stderr,
			PROGRAM ": a NEW attestation root: relying parties must be given "
				"this %s/%s; quotes no longer verify against an older one\n",
			a->dir, ATT_ROOT);
	else if (new_cert)
		fprintf(stderr, PROGRAM ": the root key %s is kept; its certificate %s/%s is new\n",
			a->root_key, a->dir, ATT_ROOT);
	else
		fprintf(stderr,
			PROGRAM ": the existing root %s/%s is kept ('init --force' makes "
				"a new one)\n",
			a->dir, ATT_ROOT);
	fprintf(stderr,
		PROGRAM ": relying parties trust %s/%s, the certificate above (libebroker "
			"reads " EBROKER_DEFAULT_ROOT_FILE " by default)\n",
		a->dir, ATT_ROOT);
	fprintf(stderr,
		PROGRAM ": move the root key %s offline: only 'attestation rotate' needs "
			"it (--root-key FILE)\n",
		a->root_key);
	return 0;
}

/* check: what is in DIR works in this quoting enclave, on this platform. */
static int att_check(struct att *a)
{
	_cleanup_(ebroker_enclave_freep) struct ebroker_enclave *e = NULL;
	_cleanup_(freep) char *chain = NULL, *root_pem = NULL, *sealed = NULL;
	struct eb_platform_claims claims;
	size_t chain_len, root_len, sealed_len;
	char sealed_path[PATH_MAX];
	int r;

	snprintf(sealed_path, sizeof(sealed_path), "%s/%s", a->dir, ATT_SEALED);
	r = att_open_dir(a, false);
	if (!r)
		r = att_read_file(a, ATT_ROOT, ATT_PEM_MAX, &root_pem, &root_len);
	if (!r)
		r = att_read_file(a, ATT_SEALED, ATT_SEALED_MAX, &sealed, &sealed_len);
	if (!r)
		r = att_read_platform(a, &claims, &chain, &chain_len);
	if (!r)
		r = att_load_qe(a, &e);
	if (!r)
		r = att_self_check(a, e, sealed_path, sealed, sealed_len, chain, chain_len,
				   root_pem, &claims);
	if (!r)
		printf("attestation: ok\n");
	return r;
}

static const struct {
	const char *name;
	const char *command;
	enum att_mode mode;
	const char *shortopts;
} att_subcommands[] = {
	{ "init", "attestation init", ATT_INIT, ":hfd:k:s:n:q:" },
	{ "rotate", "attestation rotate", ATT_ROTATE, ":hd:k:s:n:q:" },
	/* Not in the summary: an operator's diagnosis, and the tests'. */
	{ "check", "attestation check", ATT_CHECK, ":hd:q:" },
	/* The daemon's view, in attest.c. */
	{ "status", "attestation status", ATT_STATUS, ":h" },
};

static int parse_uint(const char *command, const char *opt, const char *s, unsigned long max,
		      unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		return ctl_usage(command, "%s: expected a number from 0 to %lu, not '%s'", opt, max,
				 s);
	*ret = v;
	return 0;
}

int cmd_attestation(struct ctl_opts *o, int argc, char **argv)
{
	static const struct option options[] = {
		CTL_COMMON_OPTIONS,
		{ "dir", required_argument, NULL, 'd' },
		{ "root-key", required_argument, NULL, 'k' },
		{ "platform-svn", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'n' },
		{ "qe", required_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{},
	};
	struct att a = {
		.dir = ATT_DIR,
		.qe = ATT_QE_IMAGE,
		.platform_svn = -1,
		.days = ATT_DAYS,
		.dfd = -1,
	};
	const char *root_key = NULL;
	unsigned long v;
	size_t i;
	int c, status;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 2)
			return ctl_usage("attestation", "no subcommand given");
		fputs(attestation_help, stdout);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < ELEMENTSOF(att_subcommands); i++)
		if (!strcmp(argv[1], att_subcommands[i].name))
			break;
	if (i == ELEMENTSOF(att_subcommands))
		return ctl_usage("attestation", "unknown subcommand '%s'", argv[1]);
	a.command = att_subcommands[i].command;
	a.mode = att_subcommands[i].mode;
	argc--;
	argv++;
	argv[0] = (char *)a.command;
	if (a.mode == ATT_STATUS)
		return cmd_attestation_status(o, argc, argv);

	while ((c = ctl_getopt(o, argc, argv, att_subcommands[i].shortopts, options,
			       attestation_help, &status)) != -1) {
		if (c == CTL_GETOPT_EXIT)
			return status;
		if (!strchr(att_subcommands[i].shortopts + 1, c))
			return ctl_usage(a.command, "option '%s' does not apply here",
					 argv[optind - 1]);
		switch (c) {
		case 'd':
			a.dir = optarg;
			break;
		case 'k':
			root_key = optarg;
			break;
		case 's':
			if (parse_uint(a.command, "--platform-svn", optarg, UINT16_MAX, &v))
				return CTL_EXIT_USAGE;
			a.platform_svn = v;
			break;
		case 'n':
			if (parse_uint(a.command, "--days", optarg, 36500, &v))
				return CTL_EXIT_USAGE;
			if (!v)
				return ctl_usage(a.command, "--days: at least 1");
			a.days = v;
			break;
		case 'q':
			a.qe = optarg;
			break;
		case 'f':
			a.force = true;
			break;
		}
	}
	if (optind < argc)
		return ctl_usage(a.command, "unexpected argument '%s'", argv[optind]);
	if (!*a.dir)
		return ctl_usage(a.command, "--dir: empty");

	if (root_key) {
		a.root_key = strdup(root_key);
	} else {
		a.root_key_in_dir = true;
		if (asprintf(&a.root_key, "%s/%s", a.dir, ATT_ROOT_KEY) < 0)
			a.root_key = NULL;
	}
	if (!a.root_key)
		return ctl_error(CTL_EXIT_FAILURE, "%s", strerror(ENOMEM));

	/* The quoting enclave runs here, in sim through the loader's
	 * ENCLU emulation: its signal handlers for the command's length. */
	status = ebroker_loader_signals_install();
	if (status) {
		att_done(&a);
		return ctl_error(CTL_EXIT_FAILURE,
				 "cannot install the loader's signal handlers: %s",
				 strerror(-status));
	}
	status = a.mode == ATT_CHECK ? att_check(&a) : att_issue(&a);
	ebroker_loader_signals_uninstall();
	if (status && a.mode == ATT_CHECK)
		printf("attestation: failing: %s\n", a.why);
	else if (status)
		ctl_error(status, "%s", a.why);
	att_done(&a);
	return status;
}
