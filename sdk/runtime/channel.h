/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave's end of an attested session's record layer
 * (<linux/ebroker_attest.h>, section 3): X25519, the REPORTDATA and
 * transcript hashes, the HKDF key schedule, AES-256-GCM records and their
 * re-keying. Portable C over BearSSL's constant-time code and nothing of
 * the runtime but ebroker_random() and ebroker_memzero(), so that host tests and the
 * record fuzzer build it too (supplying those two).
 *
 * Not locked: session.c holds a session's lock around every call.
 */
#ifndef EB_RUNTIME_CHANNEL_H
#define EB_RUNTIME_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl/bearssl_block.h>
#include <linux/ebroker_attest.h>

#define EB_CHAN_SECRET_SIZE 32

/* One direction: its current secret, the key and iv made from it, and
 * how many records it has carried (the next record's seq). */
struct eb_chan_dir {
	uint8_t secret[EB_CHAN_SECRET_SIZE];
	uint8_t iv[EB_RECORD_IV_SIZE];
	uint64_t seq;
	br_aes_ct64_ctr_keys aes;
};

/*
 * An enclave's channel: it opens EB_RECORD_CALL records (client to
 * enclave) and seals EB_RECORD_RESULT records. @rekey_interval is
 * EB_RECORD_REKEY_INTERVAL; tests change it to play a peer that re-keys
 * otherwise. A channel is dead, and refuses everything, after a failed
 * record, after eb_chan_wipe(), and before eb_chan_establish().
 */
struct eb_chan {
	struct eb_chan_dir rx; /* c2e */
	struct eb_chan_dir tx; /* e2c */
	uint64_t rekey_interval;
	bool live;
};

/* A fresh X25519 key pair (RFC 7748 byte order) from ebroker_random().
 * Return: 0; -EIO if ebroker_random() failed (nothing is written then). */
int eb_chan_keygen(uint8_t priv[EB_X25519_KEY_SIZE], uint8_t pub[EB_X25519_KEY_SIZE]);

/* X25519(@priv, @peer_pub). Return: 0; -EINVAL if the result is all
 * zero (a low-order peer key: refused, @shared is then zero). */
int eb_chan_x25519(uint8_t shared[EB_X25519_KEY_SIZE], const uint8_t priv[EB_X25519_KEY_SIZE],
		   const uint8_t peer_pub[EB_X25519_KEY_SIZE]);

/* The REPORTDATA that binds a session (bytes 32..63 zero). */
void eb_chan_reportdata(uint8_t rd[EB_REPORTDATA_SIZE],
			const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			const uint8_t client_pub[EB_X25519_KEY_SIZE], uint64_t session_id);

/* The transcript hash th, over the REPORT body the enclave made. */
void eb_chan_transcript(uint8_t th[32], uint64_t session_id,
			const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			const uint8_t client_pub[EB_X25519_KEY_SIZE],
			const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			const uint8_t report_body[EB_REPORT_BODY_SIZE]);

/*
 * eb_chan_establish() - the enclave's keys for a session
 * @ch:		(out) the channel, live
 * @priv:	the enclave's private key (the caller wipes it)
 * @client_pub:	the client's public key
 * @th:		eb_chan_transcript()
 *
 * Return: 0; -EINVAL for a low-order client key (@ch is then dead).
 */
int eb_chan_establish(struct eb_chan *ch, const uint8_t priv[EB_X25519_KEY_SIZE],
		      const uint8_t client_pub[EB_X25519_KEY_SIZE], const uint8_t th[32]);

/*
 * eb_chan_open_call() - authenticate and decrypt an EB_RECORD_CALL in place
 * @rec:	the record, in memory only the enclave sees; its ciphertext
 *		becomes the plaintext (struct eb_record_call, then the input)
 * @len:	bytes of @rec: exactly the header, its length and the tag
 * @ret_pt:	(out) the plaintext, inside @rec
 * @ret_pt_len:	(out) its length, at least sizeof(struct eb_record_call)
 *
 * Accepts only the next seq. Any failure wipes @rec's payload and the
 * channel's keys: the channel is dead.
 *
 * Return: 0; -EBADMSG.
 */
int eb_chan_open_call(struct eb_chan *ch, uint8_t *rec, size_t len, uint8_t **ret_pt,
		      size_t *ret_pt_len);

/*
 * eb_chan_seal_result() - encrypt an EB_RECORD_RESULT in place
 * @rec:	room for EB_RECORD_OVERHEAD + @pt_len bytes; the plaintext
 *		(struct eb_record_result, then the output) is already at
 *		@rec + sizeof(struct eb_record_header)
 * @pt_len:	its length
 * @ret_len:	(out) the record's length, EB_RECORD_OVERHEAD + @pt_len
 *
 * Return: 0; -EBADMSG on a dead channel; -EMSGSIZE if @pt_len does not
 * fit the header's length field.
 */
int eb_chan_seal_result(struct eb_chan *ch, uint8_t *rec, size_t pt_len, size_t *ret_len);

/* Wipe everything; the channel is dead. */
void eb_chan_wipe(struct eb_chan *ch);

#endif /* EB_RUNTIME_CHANNEL_H */
