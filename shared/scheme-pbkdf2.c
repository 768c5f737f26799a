/*
 * scheme-pbkdf2.c - Dovecot's PBKDF2: "$1$salt$rounds$hash", where hash is
 * the hex of 20 bytes of PBKDF2-HMAC-SHA1 of the password, with the salt
 * string's bytes as the salt (Nettle's pbkdf2_hmac_sha1).  The rounds are
 * checked digits; above the request's pbkdf2_max_iterations the value is
 * refused without being computed.
 */
#include <stdint.h>
#include <string.h>

#include "crypto-lib.h"
#include "encoding.h"
#include "scan.h"
#include "scheme-private.h"
#include "secret.h"

#define PBKDF2_KEY_LEN SHA1_DIGEST_SIZE

/* max_rounds - the ceiling of limits, the built-in default for a NULL or a zero. */
static unsigned long long
max_rounds(const struct mp_verify_limits *limits)
{
	if (limits == NULL || limits->pbkdf2_max_iterations == 0)
		return MP_PBKDF2_MAX_ITERATIONS_DEFAULT;
	return limits->pbkdf2_max_iterations;
}

enum mp_result
mp_pbkdf2_verify(const struct mp_verify_request *request, const unsigned char *data,
		 size_t data_len, const char **reason_r)
{
	const char *p = (const char *)data, *end = p + data_len, *salt, *dollar;
	unsigned char *want = NULL;
	unsigned char got[PBKDF2_KEY_LEN];
	const struct mp_nettle *nettle;
	size_t salt_len, want_len = 0;
	uint32_t rounds;
	enum mp_result result;

	if (!mp_scan_literal(&p, end, "$1$")) {
		*reason_r = "PBKDF2 value does not start with $1$";
		return MP_MALFORMED;
	}
	salt = p;
	dollar = memchr(p, '$', (size_t)(end - p));
	if (dollar == NULL) {
		*reason_r = "PBKDF2 value lacks the rounds field";
		return MP_MALFORMED;
	}
	salt_len = (size_t)(dollar - salt);
	p = dollar + 1;
	if (!mp_scan_u32(&p, end, &rounds) || !mp_scan_literal(&p, end, "$") || rounds == 0) {
		*reason_r = "PBKDF2 value has a malformed rounds field";
		return MP_MALFORMED;
	}
	if (rounds > max_rounds(request->limits)) {
		*reason_r = "PBKDF2 rounds above pbkdf2_max_iterations; not computed";
		return MP_MALFORMED;
	}
	/* Nettle computes, libsodium decodes the hex and compares (mp_secret_equal()). */
	if (mp_sodium_load(reason_r) == NULL || (nettle = mp_nettle_load(reason_r)) == NULL)
		return MP_INTERNAL;
	if ((size_t)(end - p) != PBKDF2_KEY_LEN * 2 ||
	    mp_decode(MP_ENCODING_HEX, p, (size_t)(end - p), &want, &want_len,
		      reason_r) != MP_OK) {
		*reason_r = "PBKDF2 hash is not 40 hex digits";
		return MP_MALFORMED;
	}
	if (request->check_only) {
		mp_secret_free(&want, want_len + 1);
		return MP_OK;
	}
	nettle->nettle_pbkdf2_hmac_sha1(request->password_len, (const uint8_t *)request->password,
					rounds, salt_len, (const uint8_t *)salt, sizeof(got), got);
	if (mp_secret_equal(got, sizeof(got), want, want_len)) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_wipe(got, sizeof(got));
	mp_secret_free(&want, want_len + 1);
	return result;
}
