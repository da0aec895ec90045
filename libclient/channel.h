/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client's end of an attested session's record layer
 * (<linux/ebroker_attest.h>, section 3) over OpenSSL: the ephemeral
 * X25519 key and nonce, the REPORTDATA a verifier expects, the key
 * schedule, CALL records sealed and RESULT records opened, re-keying.
 * sdk/runtime/channel.c is the enclave's end; channel_test.c holds the
 * two to the same bytes.
 *
 * A channel is used by one thread at a time (the caller locks). Its life:
 * zero-filled (or wiped) -> ebc_channel_keygen() -> ebc_channel_establish()
 * -> seal/open ... -> ebc_channel_wipe(). A record that fails to open
 * kills the channel: from then on every seal and open is -EBADMSG.
 */
#ifndef EB_LIBCLIENT_CHANNEL_H
#define EB_LIBCLIENT_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ebroker_attest.h>
#include <openssl/types.h>

struct ebc_channel_dir {
	uint8_t secret[32];
	uint8_t iv[EB_RECORD_IV_SIZE];
	uint64_t seq;	     /* records this direction has carried */
	EVP_CIPHER_CTX *gcm; /* keyed with the current key */
};

enum ebc_channel_state {
	EBC_CHANNEL_NEW = 0, /* zero-filled or wiped */
	EBC_CHANNEL_KEYED,   /* client_pub and nonce are set */
	EBC_CHANNEL_LIVE,
	EBC_CHANNEL_DEAD, /* a record failed, or establishing did */
};

struct ebc_channel {
	/* Read these after ebc_channel_keygen(); they go in SESSION_OPEN. */
	uint8_t client_pub[EB_X25519_KEY_SIZE];
	uint8_t nonce[EB_SESSION_NONCE_SIZE];

	/* The rest is the channel's own. */
	enum ebc_channel_state state;
	EVP_PKEY *key;		   /* the private key, until established */
	struct ebc_channel_dir tx; /* c2e: CALL records */
	struct ebc_channel_dir rx; /* e2c: RESULT records */
	uint64_t rekey_interval;   /* EB_RECORD_REKEY_INTERVAL; tests vary it */
};

/* The largest record the channel seals or opens: OpenSSL counts in int. */
#define EBC_RECORD_MAX ((size_t)1 << 30)

/**
 * ebc_channel_keygen() - a fresh X25519 key and nonce
 * @ch:	zero-filled or wiped (a channel in use is wiped first)
 *
 * Return: 0; -ENOMEM; -EIO if OpenSSL failed otherwise.
 */
int ebc_channel_keygen(struct ebc_channel *ch);

/**
 * ebc_channel_establish() - derive the keys once the enclave has answered
 * @session_id:		the id SESSION_OPEN carried
 * @enclave_pub:	eb_session_open_out.enclave_pub
 * @report_body:	the first EB_REPORT_BODY_SIZE bytes of its REPORT (as
 *			the verified quote carries them)
 *
 * The private key is freed (and wiped) whatever happens. The caller has
 * checked that the report's REPORTDATA is ebc_channel_reportdata().
 *
 * Return: 0; -EINVAL if @ch is not keyed, or for a low-order
 * @enclave_pub (an all-zero shared secret); -ENOMEM; -EIO. On failure
 * the channel is dead.
 */
int ebc_channel_establish(struct ebc_channel *ch, uint64_t session_id,
			  const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			  const uint8_t report_body[EB_REPORT_BODY_SIZE]);

/**
 * ebc_channel_seal_call() - the next CALL record
 * @function:	the enclave's ECALL number
 * @in:		its input (not overlapping @rec)
 * @rec:	(out) the record, EB_RECORD_OVERHEAD + 8 + @in_len bytes
 * @ret_len:	(out) its length
 *
 * Return: 0; -EBADMSG on a dead channel; -ENOTCONN before establish;
 * -ENOBUFS if @rec_cap is short; -EMSGSIZE if @in_len is over
 * EBC_RECORD_MAX; -EIO if OpenSSL failed (the channel is then dead).
 */
int ebc_channel_seal_call(struct ebc_channel *ch, uint32_t function, const void *in, size_t in_len,
			  void *rec, size_t rec_cap, size_t *ret_len);

/**
 * ebc_channel_open_result() - check and decrypt the next RESULT record
 * @ret_status:		(out) the enclave function's return value
 * @out:		(out) its output; written only once the record has
 *			authenticated, and never beyond @out_cap
 * @ret_out_len:	(out) the output's length
 *
 * Return: 0; -EBADMSG if the record is not exactly the next RESULT
 * record, intact (the channel is then dead), or on a dead channel;
 * -ENOTCONN before establish; -ENOBUFS if the authentic output is longer
 * than @out_cap (the record is consumed, nothing is written, the channel
 * lives on); -ENOMEM (nothing consumed).
 */
int ebc_channel_open_result(struct ebc_channel *ch, const void *rec, size_t rec_len,
			    int32_t *ret_status, void *out, size_t out_cap, size_t *ret_out_len);

/* Free and wipe everything: the channel is NEW again. NULL-safe. */
void ebc_channel_wipe(struct ebc_channel *ch);

/**
 * ebc_channel_reportdata() - the REPORTDATA an honest enclave puts in its
 * REPORT for this session (the second 32 bytes are zero)
 *
 * Return: 0; -EIO if OpenSSL failed.
 */
int ebc_channel_reportdata(const uint8_t enclave_pub[EB_X25519_KEY_SIZE],
			   const uint8_t nonce[EB_SESSION_NONCE_SIZE],
			   const uint8_t client_pub[EB_X25519_KEY_SIZE], uint64_t session_id,
			   uint8_t ret_reportdata[EB_REPORTDATA_SIZE]);

#endif /* EB_LIBCLIENT_CHANNEL_H */
