/*
 * scheme-scram.c - SCRAM-SHA-1 and SCRAM-SHA-256 as Dovecot stores them
 * (RFC 5802, RFC 7677): "iterations,salt,StoredKey,ServerKey" with the last
 * three in base64.  A cleartext password verifies when
 *
 *	SaltedPassword = PBKDF2-HMAC-H(password, salt, iterations)
 *	ClientKey = HMAC-H(SaltedPassword, "Client Key")
 *	StoredKey = H(ClientKey)
 *
 * equals the stored StoredKey.  As in Dovecot, the password is used as it
 * is, without SASLprep.  The iteration count is checked digits; above the
 * request's pbkdf2_max_iterations (the same PBKDF2 underneath) the value is
 * refused without being computed.
 */
#include <stdint.h>
#include <string.h>

#include "crypto-lib.h"
#include "encoding.h"
#include "scan.h"
#include "scheme-private.h"
#include "secret.h"

/* The fewest iterations a stored SCRAM value may have (RFC 7677, Dovecot). */
#define SCRAM_ITERATIONS_MIN 4096U

#define SCRAM_DIGEST_MAX SHA256_DIGEST_SIZE

/* The hash of a SCRAM row; Nettle's functions for it come from its table. */
enum scram_hash { SCRAM_SHA1, SCRAM_SHA256 };

static size_t
scram_digest_size(enum scram_hash h)
{
	return h == SCRAM_SHA1 ? SHA1_DIGEST_SIZE : SHA256_DIGEST_SIZE;
}

/* compute_salted_password - SaltedPassword = PBKDF2-HMAC-H(password, salt, iterations). */
static void
compute_salted_password(const struct mp_nettle *nettle, enum scram_hash h,
			const struct mp_verify_request *request, uint32_t iterations,
			const unsigned char *salt, size_t salt_len, uint8_t *out)
{
	if (h == SCRAM_SHA1)
		nettle->nettle_pbkdf2_hmac_sha1(request->password_len,
						(const uint8_t *)request->password, iterations,
						salt_len, salt, SHA1_DIGEST_SIZE, out);
	else
		nettle->nettle_pbkdf2_hmac_sha256(request->password_len,
						  (const uint8_t *)request->password, iterations,
						  salt_len, salt, SHA256_DIGEST_SIZE, out);
}

/* compute_client_key - ClientKey = HMAC-H(SaltedPassword, "Client Key"). */
static void
compute_client_key(const struct mp_nettle *nettle, enum scram_hash h, const uint8_t *salted,
		   uint8_t *out)
{
	union {
		struct hmac_sha1_ctx sha1;
		struct hmac_sha256_ctx sha256;
	} ctx;

	if (h == SCRAM_SHA1) {
		nettle->nettle_hmac_sha1_set_key(&ctx.sha1, SHA1_DIGEST_SIZE, salted);
		nettle->nettle_hmac_sha1_update(&ctx.sha1, 10, (const uint8_t *)"Client Key");
		nettle->nettle_hmac_sha1_digest(&ctx.sha1, SHA1_DIGEST_SIZE, out);
	} else {
		nettle->nettle_hmac_sha256_set_key(&ctx.sha256, SHA256_DIGEST_SIZE, salted);
		nettle->nettle_hmac_sha256_update(&ctx.sha256, 10, (const uint8_t *)"Client Key");
		nettle->nettle_hmac_sha256_digest(&ctx.sha256, SHA256_DIGEST_SIZE, out);
	}
	mp_wipe(&ctx, sizeof(ctx));
}

/* max_iterations - the ceiling of limits, the built-in default for a NULL or a zero. */
static unsigned long long
max_iterations(const struct mp_verify_limits *limits)
{
	if (limits == NULL || limits->pbkdf2_max_iterations == 0)
		return MP_PBKDF2_MAX_ITERATIONS_DEFAULT;
	return limits->pbkdf2_max_iterations;
}

/* decode_key - a base64 field that must decode to exactly len bytes. */
static bool
decode_key(const char *s, size_t s_len, unsigned char *out, size_t len)
{
	unsigned char *decoded = NULL;
	size_t decoded_len = 0;
	const char *reason;
	bool ok;

	if (mp_decode(MP_ENCODING_BASE64, s, s_len, &decoded, &decoded_len, &reason) != MP_OK)
		return false;
	ok = decoded_len == len;
	if (ok)
		memcpy(out, decoded, len);
	mp_secret_free(&decoded, decoded_len + 1);
	return ok;
}

static enum mp_result
scram_verify(enum scram_hash h, const struct mp_verify_request *request,
	     const unsigned char *data, size_t data_len, const char **reason_r)
{
	const char *field[4], *s = (const char *)data, *end = s + data_len;
	size_t field_len[4], digest_size = scram_digest_size(h);
	const struct mp_nettle *nettle;
	const struct nettle_hash *hash;
	unsigned char stored_key[SCRAM_DIGEST_MAX], server_key[SCRAM_DIGEST_MAX];
	unsigned char salted[SCRAM_DIGEST_MAX], client_key[SCRAM_DIGEST_MAX];
	unsigned char computed[SCRAM_DIGEST_MAX];
	unsigned char *salt = NULL;
	size_t salt_len = 0;
	uint32_t iterations;
	const char *digits;
	union {
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
	} ctx;
	enum mp_result result = MP_MALFORMED;

	/* Exactly four comma-separated fields. */
	for (unsigned int i = 0; i < 4; i++) {
		const char *comma = memchr(s, ',', (size_t)(end - s));

		if ((comma == NULL) != (i == 3)) {
			*reason_r = "SCRAM value does not have four comma-separated fields";
			return MP_MALFORMED;
		}
		field[i] = s;
		field_len[i] = (size_t)((comma != NULL ? comma : end) - s);
		if (comma != NULL)
			s = comma + 1;
	}
	digits = field[0];
	if (!mp_scan_u32(&digits, field[0] + field_len[0], &iterations) ||
	    digits != field[0] + field_len[0] || iterations == 0) {
		*reason_r = "SCRAM value has a malformed iteration count";
		return MP_MALFORMED;
	}
	/* RFC 7677 asks for 4096 at least, and Dovecot refuses fewer in a passdb. */
	if (iterations < SCRAM_ITERATIONS_MIN) {
		*reason_r = "SCRAM iteration count below 4096";
		return MP_MALFORMED;
	}
	if (iterations > max_iterations(request->limits)) {
		*reason_r = "SCRAM iteration count above pbkdf2_max_iterations; not computed";
		return MP_MALFORMED;
	}
	/* Nettle computes, libsodium decodes the base64 and compares (mp_secret_equal()). */
	if (mp_sodium_load(reason_r) == NULL || (nettle = mp_nettle_load(reason_r)) == NULL)
		return MP_INTERNAL;
	if (mp_decode(MP_ENCODING_BASE64, field[1], field_len[1], &salt, &salt_len,
		      reason_r) != MP_OK || salt_len == 0) {
		*reason_r = "SCRAM value has a malformed or empty salt";
		goto out;
	}
	if (!decode_key(field[2], field_len[2], stored_key, digest_size) ||
	    !decode_key(field[3], field_len[3], server_key, digest_size)) {
		*reason_r = "SCRAM value has a malformed StoredKey or ServerKey";
		goto out;
	}
	if (request->check_only) {
		result = MP_OK;
		goto out;
	}

	compute_salted_password(nettle, h, request, iterations, salt, salt_len, salted);
	compute_client_key(nettle, h, salted, client_key);
	hash = h == SCRAM_SHA1 ? nettle->nettle_sha1 : nettle->nettle_sha256;
	hash->init(&ctx);
	hash->update(&ctx, digest_size, client_key);
	hash->digest(&ctx, digest_size, computed);
	if (mp_secret_equal(computed, digest_size, stored_key, digest_size)) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
out:
	mp_wipe(&ctx, sizeof(ctx));
	mp_wipe(salted, sizeof(salted));
	mp_wipe(client_key, sizeof(client_key));
	mp_wipe(computed, sizeof(computed));
	mp_wipe(stored_key, sizeof(stored_key));
	mp_wipe(server_key, sizeof(server_key));
	mp_secret_free(&salt, salt_len + 1);
	return result;
}

enum mp_result
mp_scram_sha1_verify(const struct mp_verify_request *request, const unsigned char *data,
		     size_t data_len, const char **reason_r)
{
	return scram_verify(SCRAM_SHA1, request, data, data_len, reason_r);
}

enum mp_result
mp_scram_sha256_verify(const struct mp_verify_request *request, const unsigned char *data,
		       size_t data_len, const char **reason_r)
{
	return scram_verify(SCRAM_SHA256, request, data, data_len, reason_r);
}
