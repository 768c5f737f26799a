/* apop.c - the APOP digest of RFC 1939: MD5(timestamp || secret), via Nettle. */
#include <string.h>

#include "apop.h"
#include "crypto-lib.h"
#include "mp-limits.h"
#include "secret.h"

static void
apop_md5(const struct mp_nettle *nettle, const char *timestamp, size_t timestamp_len,
	 const unsigned char *secret, size_t secret_len, unsigned char digest[MD5_DIGEST_SIZE])
{
	struct md5_ctx ctx;

	nettle->nettle_md5_init(&ctx);
	nettle->nettle_md5_update(&ctx, timestamp_len, (const uint8_t *)timestamp);
	nettle->nettle_md5_update(&ctx, secret_len, secret);
	nettle->nettle_md5_digest(&ctx, MD5_DIGEST_SIZE, digest);
	mp_wipe(&ctx, sizeof(ctx));
}

/* timestamp_check - RFC 1939's msg-id: "<...>", printable, bounded. */
static enum mp_result
timestamp_check(const char *timestamp, size_t len, const char **reason_r)
{
	if (len < 2 || len > MP_APOP_TIMESTAMP_MAX) {
		*reason_r = "APOP timestamp is empty or too long";
		return MP_MALFORMED;
	}
	if (timestamp[0] != '<' || timestamp[len - 1] != '>') {
		*reason_r = "APOP timestamp is not of the form <...>";
		return MP_MALFORMED;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)timestamp[i];

		if (c < 0x20 || c == 0x7f) {
			*reason_r = "APOP timestamp contains a control character";
			return MP_MALFORMED;
		}
	}
	return MP_OK;
}

/*
 * digest_check - 32 hex digits (either case), before any library is
 * loaded: a malformed digest is the client's error whatever is installed.
 */
static enum mp_result
digest_check(const char *digest, size_t len, const char **reason_r)
{
	static const char hex_digits[] = "0123456789abcdefABCDEF";

	for (size_t i = 0; i < len; i++) {
		if (digest[i] == '\0' || strchr(hex_digits, digest[i]) == NULL)
			len = 0;
	}
	if (len != MP_APOP_DIGEST_HEX_LEN) {
		*reason_r = "APOP digest is not 32 hex digits";
		return MP_MALFORMED;
	}
	return MP_OK;
}

enum mp_result
mp_apop_check(const char *timestamp, size_t timestamp_len, const char *digest,
	      size_t digest_len, const unsigned char *secret, size_t secret_len,
	      const char **reason_r)
{
	unsigned char want[MD5_DIGEST_SIZE], got[MD5_DIGEST_SIZE];
	const struct mp_sodium *sodium;
	const struct mp_nettle *nettle;
	size_t got_len = 0;
	enum mp_result result;

	result = timestamp_check(timestamp, timestamp_len, reason_r);
	if (result == MP_OK)
		result = digest_check(digest, digest_len, reason_r);
	if (result != MP_OK)
		return result;
	sodium = mp_sodium_load(reason_r);
	nettle = sodium != NULL ? mp_nettle_load(reason_r) : NULL;
	if (nettle == NULL)
		return MP_INTERNAL;
	/* digest_check() vouched for the 32 digits: the decode takes them all. */
	if (sodium->sodium_hex2bin(got, sizeof(got), digest, digest_len, NULL, &got_len,
				   NULL) != 0 || got_len != sizeof(got)) {
		*reason_r = "APOP digest is not 32 hex digits";
		return MP_MALFORMED;
	}
	apop_md5(nettle, timestamp, timestamp_len, secret, secret_len, want);
	result = sodium->sodium_memcmp(want, got, sizeof(want)) == 0 ? MP_OK : MP_MISMATCH;
	if (result == MP_MISMATCH)
		*reason_r = "APOP digest mismatch";
	mp_wipe(want, sizeof(want));
	return result;
}

void
mp_apop_digest(const char *timestamp, size_t timestamp_len, const unsigned char *secret,
	       size_t secret_len, char out[MP_APOP_DIGEST_HEX_LEN + 1])
{
	unsigned char digest[MD5_DIGEST_SIZE];
	const struct mp_sodium *sodium;
	const struct mp_nettle *nettle;
	const char *reason;

	out[0] = '\0';
	sodium = mp_sodium_load(&reason);
	nettle = sodium != NULL ? mp_nettle_load(&reason) : NULL;
	if (nettle == NULL)
		return;
	apop_md5(nettle, timestamp, timestamp_len, secret, secret_len, digest);
	sodium->sodium_bin2hex(out, MP_APOP_DIGEST_HEX_LEN + 1, digest, sizeof(digest));
	mp_wipe(digest, sizeof(digest));
}
