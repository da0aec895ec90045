// SPDX-License-Identifier: GPL-2.0
/*
 * What this process has already verified, so that a client opening many
 * sessions with one broker decodes its trusted roots and checks its
 * platform's chain once, not on every quote:
 *
 * - root sets, keyed by their exact PEM bytes (a policy's root_pem, or the
 *   root file's contents as read now: a changed file is a different key);
 * - chains that verified to one of those root sets, keyed by the root set
 *   and the certification data's exact bytes, with the span of time in
 *   which every certificate of the verified path is valid. A lookup at a
 *   time outside that span misses, and the full check says why.
 *
 * A hit hands back what the full check would have built from the same
 * bytes, so it cannot accept anything the full check refuses. Only
 * successes are kept. Both tables are small and replace their oldest
 * entry; a mutex makes them safe for threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ROOTS_KEPT	4
#define CHAINS_KEPT	8
#define SIGNATURES_KEPT 8

struct roots_entry {
	uint8_t *pem;
	size_t len;
	X509_STORE *store;
	uint64_t id;
};

struct chain_entry {
	uint8_t *cert;
	size_t len;
	uint64_t roots_id;
	STACK_OF(X509) * chain;
	char root[EBV_ROOT_SUBJECT_MAX];
	time_t valid_from, valid_until;
};

struct signature_entry {
	bool used;
	uint8_t pub[EB_P256_PUB_SIZE];
	uint8_t report[EB_REPORT_BODY_SIZE];
	uint8_t sig[EB_P256_SIG_SIZE];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct roots_entry roots[ROOTS_KEPT];
static struct chain_entry chains[CHAINS_KEPT];
static struct signature_entry signatures[SIGNATURES_KEPT];
static unsigned int roots_next, chains_next, signatures_next;
static uint64_t roots_ids;

bool ebv_cache_roots_find(const void *pem, size_t len, X509_STORE **ret, uint64_t *ret_id)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (unsigned int i = 0; i < ROOTS_KEPT && !found; i++) {
		struct roots_entry *e = &roots[i];

		if (e->store && e->len == len && !memcmp(e->pem, pem, len) &&
		    X509_STORE_up_ref(e->store)) {
			*ret = e->store;
			*ret_id = e->id;
			found = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

uint64_t ebv_cache_roots_add(const void *pem, size_t len, X509_STORE *store)
{
	struct roots_entry *e;
	uint8_t *copy = malloc(len ? len : 1);
	uint64_t id;

	pthread_mutex_lock(&lock);
	id = ++roots_ids;
	if (copy && X509_STORE_up_ref(store)) {
		e = &roots[roots_next];
		roots_next = (roots_next + 1) % ROOTS_KEPT;
		free(e->pem);
		X509_STORE_free(e->store);
		memcpy(copy, pem, len);
		*e = (struct roots_entry){
			.pem = TAKE_PTR(copy), .len = len, .store = store, .id = id
		};
	}
	pthread_mutex_unlock(&lock);
	free(copy);
	return id;
}

bool ebv_cache_chain_find(uint64_t roots_id, const void *cert, size_t len, time_t at,
			  STACK_OF(X509) * *ret, char root[EBV_ROOT_SUBJECT_MAX])
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (unsigned int i = 0; i < CHAINS_KEPT && !found; i++) {
		struct chain_entry *e = &chains[i];
		STACK_OF(X509) * copy;

		if (!e->chain || e->roots_id != roots_id || e->len != len ||
		    memcmp(e->cert, cert, len) || at < e->valid_from || at >= e->valid_until)
			continue;
		copy = X509_chain_up_ref(e->chain);
		if (!copy)
			break; /* out of memory: the full check runs */
		*ret = copy;
		memcpy(root, e->root, EBV_ROOT_SUBJECT_MAX);
		found = true;
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void ebv_cache_chain_add(uint64_t roots_id, const void *cert, size_t len, STACK_OF(X509) * chain,
			 const char root[EBV_ROOT_SUBJECT_MAX], time_t valid_from,
			 time_t valid_until)
{
	_cleanup_(x509_stack_freep) STACK_OF(X509) *ref = X509_chain_up_ref(chain);
	_cleanup_(freep) uint8_t *copy = malloc(len ? len : 1);
	struct chain_entry *e;

	if (!ref || !copy)
		return; /* not kept: the next quote is checked in full */
	memcpy(copy, cert, len);
	pthread_mutex_lock(&lock);
	e = &chains[chains_next];
	chains_next = (chains_next + 1) % CHAINS_KEPT;
	free(e->cert);
	if (e->chain)
		sk_X509_pop_free(e->chain, X509_free);
	*e = (struct chain_entry){
		.cert = TAKE_PTR(copy),
		.len = len,
		.roots_id = roots_id,
		.chain = TAKE_PTR(ref),
		.valid_from = valid_from,
		.valid_until = valid_until,
	};
	memcpy(e->root, root, EBV_ROOT_SUBJECT_MAX);
	pthread_mutex_unlock(&lock);
}

bool ebv_cache_qe_report_find(const uint8_t pub[EB_P256_PUB_SIZE],
			      const uint8_t report[EB_REPORT_BODY_SIZE],
			      const uint8_t sig[EB_P256_SIG_SIZE])
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (unsigned int i = 0; i < SIGNATURES_KEPT && !found; i++) {
		const struct signature_entry *e = &signatures[i];

		found = e->used && !memcmp(e->pub, pub, sizeof(e->pub)) &&
			!memcmp(e->report, report, sizeof(e->report)) &&
			!memcmp(e->sig, sig, sizeof(e->sig));
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void ebv_cache_qe_report_add(const uint8_t pub[EB_P256_PUB_SIZE],
			     const uint8_t report[EB_REPORT_BODY_SIZE],
			     const uint8_t sig[EB_P256_SIG_SIZE])
{
	struct signature_entry *e;

	pthread_mutex_lock(&lock);
	e = &signatures[signatures_next];
	signatures_next = (signatures_next + 1) % SIGNATURES_KEPT;
	e->used = true;
	memcpy(e->pub, pub, sizeof(e->pub));
	memcpy(e->report, report, sizeof(e->report));
	memcpy(e->sig, sig, sizeof(e->sig));
	pthread_mutex_unlock(&lock);
}
