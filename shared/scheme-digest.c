/*
 * scheme-digest.c - one-pass digests through Nettle: SHA1 (SHA), SHA256,
 * SHA512, PLAIN-MD5 (LDAP-MD5), PLAIN-MD4, MD5, the salted SSHA, SSHA256,
 * SSHA512 and SMD5, and PLAIN-TRUNC.
 *
 * The unsalted rows take their data as Dovecot reads it: a value of twice
 * the digest size in characters is hex, anything else base64, so that
 * "{SHA256}<hex>" and "{PLAIN-MD5}<base64>" verify as they do in Dovecot
 * (the table gives these rows no default encoding; mp_digest_raw() decides).
 * The salted rows are base64 of digest || salt, decoded by the core.
 */
#include <stdint.h>
#include <string.h>

#include "crypto-lib.h"
#include "encoding.h"
#include "scheme-private.h"
#include "secret.h"

#define DIGEST_MAX SHA512_DIGEST_SIZE

/* Longest PLAIN-TRUNC length prefix, in digits. */
#define TRUNC_DIGITS_MAX 9

union digest_ctx {
	struct md4_ctx md4;
	struct md5_ctx md5;
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

/* The hash functions of the rows, each one of Nettle's descriptions. */
enum digest_kind { DIGEST_MD4, DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256, DIGEST_SHA512 };

/*
 * digest_hash - Nettle's description of kind, after loading Nettle and
 * libsodium (mp_secret_equal() compares with it).  NULL with *reason_r set
 * when either cannot be loaded.
 */
static const struct nettle_hash *
digest_hash(enum digest_kind kind, const char **reason_r)
{
	const struct mp_nettle *nettle;

	if (mp_sodium_load(reason_r) == NULL)
		return NULL;
	nettle = mp_nettle_load(reason_r);
	if (nettle == NULL)
		return NULL;
	switch (kind) {
	case DIGEST_MD4:
		return nettle->nettle_md4;
	case DIGEST_MD5:
		return nettle->nettle_md5;
	case DIGEST_SHA1:
		return nettle->nettle_sha1;
	case DIGEST_SHA256:
		return nettle->nettle_sha256;
	case DIGEST_SHA512:
		return nettle->nettle_sha512;
	}
	*reason_r = "unknown digest";
	return NULL;
}

enum mp_result
mp_digest_raw(const unsigned char *data, size_t data_len, unsigned char *raw,
	      size_t raw_len, const char **reason_r)
{
	unsigned char *decoded = NULL;
	size_t decoded_len = 0;
	enum mp_result result;

	if (data_len == raw_len) {
		memcpy(raw, data, raw_len);
		return MP_OK;
	}
	result = mp_decode(data_len == raw_len * 2 ? MP_ENCODING_HEX : MP_ENCODING_BASE64,
			   (const char *)data, data_len, &decoded, &decoded_len, reason_r);
	if (result != MP_OK)
		return result;
	if (decoded_len != raw_len) {
		*reason_r = "digest has the wrong length";
		result = MP_MALFORMED;
	} else {
		memcpy(raw, decoded, raw_len);
	}
	mp_secret_free(&decoded, decoded_len + 1);
	return result;
}

/* digest_compute - hash(password || salt) into out[hash->digest_size]. */
static void
digest_compute(const struct nettle_hash *hash, const struct mp_verify_request *request,
	       const unsigned char *salt, size_t salt_len, unsigned char *out)
{
	union digest_ctx ctx;

	hash->init(&ctx);
	hash->update(&ctx, request->password_len, (const uint8_t *)request->password);
	if (salt_len > 0)
		hash->update(&ctx, salt_len, salt);
	hash->digest(&ctx, hash->digest_size, out);
	mp_wipe(&ctx, sizeof(ctx));
}

/* digest_verify - an unsalted digest of the password. */
static enum mp_result
digest_verify(enum digest_kind kind, const struct mp_verify_request *request,
	      const unsigned char *data, size_t data_len, const char **reason_r)
{
	unsigned char want[DIGEST_MAX], got[DIGEST_MAX];
	const struct nettle_hash *hash;
	enum mp_result result;

	hash = digest_hash(kind, reason_r);
	if (hash == NULL)
		return MP_INTERNAL;
	result = mp_digest_raw(data, data_len, want, hash->digest_size, reason_r);
	if (result != MP_OK)
		return result;
	digest_compute(hash, request, NULL, 0, got);
	if (mp_secret_equal(got, hash->digest_size, want, hash->digest_size)) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_wipe(want, sizeof(want));
	mp_wipe(got, sizeof(got));
	return result;
}

/* salted_verify - data is digest(password || salt) || salt, with a salt of at least one byte. */
static enum mp_result
salted_verify(enum digest_kind kind, const struct mp_verify_request *request,
	      const unsigned char *data, size_t data_len, const char **reason_r)
{
	unsigned char got[DIGEST_MAX];
	const struct nettle_hash *hash;
	enum mp_result result;

	hash = digest_hash(kind, reason_r);
	if (hash == NULL)
		return MP_INTERNAL;
	if (data_len <= hash->digest_size) {
		*reason_r = "salted digest is too short to hold a salt";
		return MP_MALFORMED;
	}
	digest_compute(hash, request, data + hash->digest_size, data_len - hash->digest_size,
		       got);
	if (mp_secret_equal(got, hash->digest_size, data, hash->digest_size)) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_wipe(got, sizeof(got));
	return result;
}

enum mp_result
mp_sha1_verify(const struct mp_verify_request *request, const unsigned char *data,
	       size_t data_len, const char **reason_r)
{
	return digest_verify(DIGEST_SHA1, request, data, data_len, reason_r);
}

enum mp_result
mp_sha256_verify(const struct mp_verify_request *request, const unsigned char *data,
		 size_t data_len, const char **reason_r)
{
	return digest_verify(DIGEST_SHA256, request, data, data_len, reason_r);
}

enum mp_result
mp_sha512_verify(const struct mp_verify_request *request, const unsigned char *data,
		 size_t data_len, const char **reason_r)
{
	return digest_verify(DIGEST_SHA512, request, data, data_len, reason_r);
}

enum mp_result
mp_plain_md5_verify(const struct mp_verify_request *request, const unsigned char *data,
		    size_t data_len, const char **reason_r)
{
	return digest_verify(DIGEST_MD5, request, data, data_len, reason_r);
}

enum mp_result
mp_plain_md4_verify(const struct mp_verify_request *request, const unsigned char *data,
		    size_t data_len, const char **reason_r)
{
	return digest_verify(DIGEST_MD4, request, data, data_len, reason_r);
}

/* mp_md5_verify - Dovecot's MD5: a "$1$" string is MD5-crypt, anything else PLAIN-MD5. */
enum mp_result
mp_md5_verify(const struct mp_verify_request *request, const unsigned char *data,
	      size_t data_len, const char **reason_r)
{
	if (data_len >= 3 && memcmp(data, "$1$", 3) == 0)
		return mp_crypt_verify(request, data, data_len, reason_r);
	return digest_verify(DIGEST_MD5, request, data, data_len, reason_r);
}

enum mp_result
mp_ssha_verify(const struct mp_verify_request *request, const unsigned char *data,
	       size_t data_len, const char **reason_r)
{
	return salted_verify(DIGEST_SHA1, request, data, data_len, reason_r);
}

enum mp_result
mp_ssha256_verify(const struct mp_verify_request *request, const unsigned char *data,
		  size_t data_len, const char **reason_r)
{
	return salted_verify(DIGEST_SHA256, request, data, data_len, reason_r);
}

enum mp_result
mp_ssha512_verify(const struct mp_verify_request *request, const unsigned char *data,
		  size_t data_len, const char **reason_r)
{
	return salted_verify(DIGEST_SHA512, request, data, data_len, reason_r);
}

enum mp_result
mp_smd5_verify(const struct mp_verify_request *request, const unsigned char *data,
	       size_t data_len, const char **reason_r)
{
	return salted_verify(DIGEST_MD5, request, data, data_len, reason_r);
}

/*
 * mp_plain_trunc_verify - Dovecot's PLAIN-TRUNC, "N-password": a password
 * stored cut to N bytes.  When the stored part is exactly N bytes long, a
 * password of at least N bytes whose first N bytes match is accepted;
 * otherwise the stored part must equal the password.  N is checked digits
 * without a leading zero; N = 0 would accept every password and is refused.
 */
/*
 * parse_trunc - split "N-password" into N and the stored part; MP_MALFORMED
 * without a valid N.
 */
static enum mp_result
parse_trunc(const unsigned char *data, size_t data_len, size_t *trunc_len_r,
	    const unsigned char **stored_r, size_t *stored_len_r, const char **reason_r)
{
	size_t i = 0, trunc_len = 0;

	while (i < data_len && i < TRUNC_DIGITS_MAX && data[i] >= '0' && data[i] <= '9') {
		trunc_len = trunc_len * 10 + (size_t)(data[i] - '0');
		i++;
	}
	if (i == 0 || i == data_len || data[i] != '-' || (data[0] == '0' && i > 1)) {
		*reason_r = "PLAIN-TRUNC value lacks a valid length- prefix";
		return MP_MALFORMED;
	}
	if (trunc_len == 0) {
		*reason_r = "PLAIN-TRUNC length 0 would accept every password";
		return MP_MALFORMED;
	}
	*trunc_len_r = trunc_len;
	*stored_r = data + i + 1;
	*stored_len_r = data_len - i - 1;
	return MP_OK;
}

size_t
mp_plain_trunc_checked_len(const unsigned char *data, size_t data_len)
{
	const unsigned char *stored;
	size_t trunc_len, stored_len;
	const char *reason;

	if (parse_trunc(data, data_len, &trunc_len, &stored, &stored_len, &reason) != MP_OK)
		return 0;	/* nothing verifies against it */
	return stored_len == trunc_len ? trunc_len : SIZE_MAX;
}

enum mp_result
mp_plain_trunc_verify(const struct mp_verify_request *request, const unsigned char *data,
		      size_t data_len, const char **reason_r)
{
	size_t trunc_len, stored_len;
	const unsigned char *stored;
	enum mp_result result;
	bool equal;

	result = parse_trunc(data, data_len, &trunc_len, &stored, &stored_len, reason_r);
	if (result != MP_OK)
		return result;
	/* mp_secret_equal() hashes with libsodium: a failure to load it is not a mismatch. */
	if (mp_sodium_load(reason_r) == NULL)
		return MP_INTERNAL;
	if (stored_len == trunc_len && request->password_len >= trunc_len)
		equal = mp_secret_equal(stored, trunc_len, request->password, trunc_len);
	else
		equal = mp_secret_equal(stored, stored_len, request->password,
					request->password_len);
	if (!equal) {
		*reason_r = "password mismatch";
		return MP_MISMATCH;
	}
	return MP_OK;
}
