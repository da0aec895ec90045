// SPDX-License-Identifier: GPL-2.0
/*
 * The ECALLs every enclave has from the runtime (<linux/ebroker_attest.h>
 * section 4): attested sessions. SESSION_OPEN makes the enclave's key, the
 * REPORT that binds it and the session's keys; SESSION_CALL opens a CALL
 * record, runs the enclave's own ECALL on its plaintext and seals the
 * RESULT; SESSION_CLOSE wipes. The worker that carries the records sees
 * only ciphertext; a record that fails ends its session.
 *
 * Sessions are heap entries in one table of EB_RT_SESSIONS_MAX slots.
 * Several TCS may run these at once, on one session or several.
 *
 * Locks (spinning: enclave threads cannot sleep): table_lock guards the
 * table and the session count; each session's lock guards its channel,
 * and is held across the call it serves. Neither is ever taken while the
 * other is held. An entry lives while it has references: the table's,
 * and one per ECALL using it (taken under table_lock); the last one wipes
 * and frees it.
 */
#include <linux/errno.h>

#include "channel.h"
#include "runtime.h"

/* Every session costs about 700 bytes of heap: the heap (EBROKER_HEAP_PAGES)
 * usually limits an enclave before this does. */
#define EB_RT_SESSIONS_MAX 256

struct session {
	uint64_t id;
	int refs; /* atomic */
	int lock;
	struct eb_chan ch; /* under lock */
};

static int table_lock;
static struct session *table[EB_RT_SESSIONS_MAX]; /* under table_lock */

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The slot of session @id, or -1; under table_lock. */
static int slot_of(uint64_t id)
{
	for (int i = 0; i < EB_RT_SESSIONS_MAX; i++)
		if (table[i] && table[i]->id == id)
			return i;
	return -1;
}

static void session_put(struct session *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	ebroker_free(s); /* ebroker_free() wipes the whole block, keys included */
}

static struct session *session_get(uint64_t id)
{
	struct session *s = NULL;
	int i;

	eb_spin_lock(&table_lock);
	i = slot_of(id);
	if (i >= 0) {
		s = table[i];
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	}
	eb_spin_unlock(&table_lock);
	return s;
}

/* Takes @s out of the table if it is still there (with its reference). */
static void session_unlink(struct session *s)
{
	bool was = false;
	int i;

	eb_spin_lock(&table_lock);
	i = slot_of(s->id);
	if (i >= 0 && table[i] == s) {
		table[i] = NULL;
		was = true;
	}
	eb_spin_unlock(&table_lock);
	if (was)
		session_put(s);
}

static int session_open(void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const struct eb_session_open_in *req = in;
	struct eb_session_open_out *res = out;
	uint8_t priv[EB_X25519_KEY_SIZE], pub[EB_X25519_KEY_SIZE];
	uint8_t rd[EB_REPORTDATA_SIZE], th[32];
	struct session *s;
	int ret, i, free_slot = -1;

	if (in_len != sizeof(*req))
		return -EINVAL;
	if (out_cap < sizeof(*res))
		return -ENOBUFS;
	/* Checked again when it goes in: this spares the work. */
	eb_spin_lock(&table_lock);
	i = slot_of(req->session_id);
	eb_spin_unlock(&table_lock);
	if (i >= 0)
		return -EEXIST;

	s = ebroker_calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = req->session_id;
	s->refs = 1;
	ret = eb_chan_keygen(priv, pub);
	if (ret)
		goto free;
	eb_chan_reportdata(rd, pub, req->nonce, req->client_pub, req->session_id);
	ret = ebroker_ereport(&req->qe_target, rd, &res->report);
	if (ret)
		goto wipe;
	/* The REPORT body starts the structure: its first 384 bytes. */
	eb_chan_transcript(th, req->session_id, req->nonce, req->client_pub, pub,
			   (const uint8_t *)&res->report);
	ret = eb_chan_establish(&s->ch, priv, req->client_pub, th);
	if (ret)
		goto wipe;

	eb_spin_lock(&table_lock);
	for (i = 0; i < EB_RT_SESSIONS_MAX; i++) {
		if (table[i] && table[i]->id == s->id) {
			ret = -EEXIST;
			break;
		}
		if (!table[i] && free_slot < 0)
			free_slot = i;
	}
	if (!ret && free_slot < 0)
		ret = -ENOMEM;
	if (!ret)
		table[free_slot] = s;
	eb_spin_unlock(&table_lock);
	if (ret)
		goto wipe;

	memcpy(res->enclave_pub, pub, sizeof(pub));
	*out_len = sizeof(*res);
	ebroker_memzero(priv, sizeof(priv));
	return 0;

wipe:
	ebroker_memzero(priv, sizeof(priv));
	ebroker_memzero(out, sizeof(*res));
free:
	ebroker_free(s);
	return ret;
}

/*
 * @in: le64 session id, then a CALL record, which is decrypted in place
 * (@in is the dispatcher's private copy). The enclave's handler writes its
 * output straight into the RESULT record being built in @out.
 */
static int session_call(void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const size_t pre = sizeof(struct eb_record_header) + sizeof(struct eb_record_result);
	uint8_t *rec = (uint8_t *)in + 8, *pt, *res = out;
	struct eb_record_result *rr =
	    (struct eb_record_result *)(res + sizeof(struct eb_record_header));
	const struct eb_record_call *rc;
	size_t pt_len, fn_cap, fn_len = 0;
	struct session *s;
	ebroker_ecall_fn fn;
	int ret, status;

	if (in_len < 8)
		return -EINVAL;
	s = session_get(get_le64(in));
	if (!s)
		return -ENOENT;
	eb_spin_lock(&s->lock);
	if (!s->ch.live) { /* failed or closed while we waited */
		ret = -ENOENT;
		goto unlock;
	}
	/* Checked before the record is opened: a short buffer is the
	 * host's mistake, and the session survives it. */
	if (out_cap < EB_RECORD_OVERHEAD + sizeof(struct eb_record_result)) {
		ret = -ENOBUFS;
		goto unlock;
	}
	ret = eb_chan_open_call(&s->ch, rec, in_len - 8, &pt, &pt_len);
	if (ret)
		goto unlock; /* the channel is wiped; unlinked below */

	rc = (const struct eb_record_call *)pt;
	fn_cap = out_cap - EB_RECORD_OVERHEAD - sizeof(struct eb_record_result);
	if (rc->function < ebroker_ecall_table_size && ebroker_ecall_table[rc->function] &&
	    !rc->reserved) {
		fn = ebroker_ecall_table[rc->function];
		status = fn(pt + sizeof(*rc), pt_len - sizeof(*rc), res + pre, fn_cap, &fn_len);
		if (fn_len > fn_cap) {
			status = -EPROTO;
			fn_len = 0;
		}
	} else {
		status = rc->reserved ? -EINVAL : -ENOSYS;
	}
	/* The input's plaintext is the dispatcher's to wipe (ebroker_free()). */
	rr->status = status;
	rr->reserved = 0;
	ret = eb_chan_seal_result(&s->ch, res, sizeof(*rr) + fn_len, out_len);
	if (ret)
		ebroker_memzero(res, pre + fn_len);

unlock:
	eb_spin_unlock(&s->lock);
	if (ret == -EBADMSG)
		session_unlink(s);
	session_put(s);
	return ret;
}

static int session_close(void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	struct session *s = NULL;
	int i;

	if (in_len != 8)
		return -EINVAL;
	eb_spin_lock(&table_lock);
	i = slot_of(get_le64(in));
	if (i >= 0) {
		s = table[i];
		table[i] = NULL;
	}
	eb_spin_unlock(&table_lock);
	if (!s)
		return -ENOENT;
	/* Waits for a call in progress on it; the table's reference is ours. */
	eb_spin_lock(&s->lock);
	eb_chan_wipe(&s->ch);
	eb_spin_unlock(&s->lock);
	session_put(s);
	return 0;
}

eb_rt_ecall_fn eb_rt_session_ecall(uint64_t ecall)
{
	switch (ecall) {
	case EB_ECALL_SESSION_OPEN:
		return session_open;
	case EB_ECALL_SESSION_CALL:
		return session_call;
	case EB_ECALL_SESSION_CLOSE:
		return session_close;
	default:
		return NULL;
	}
}
