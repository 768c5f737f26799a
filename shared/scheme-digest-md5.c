/*
 * scheme-digest-md5.c - DIGEST-MD5: MD5("user:realm:password"), hex by
 * default, as Dovecot stores it for the DIGEST-MD5 mechanism (RFC 2831's
 * H(A1) before the nonces).  As in Dovecot, the login name is split at its
 * last '@': "alice@example.org" is user "alice" in realm "example.org", and
 * a name without '@' has the empty realm.
 */
#include <string.h>

#include "crypto-lib.h"
#include "scheme-private.h"
#include "secret.h"

enum mp_result
mp_digest_md5_verify(const struct mp_verify_request *request, const unsigned char *data,
		     size_t data_len, const char **reason_r)
{
	unsigned char want[MD5_DIGEST_SIZE], got[MD5_DIGEST_SIZE];
	const char *user = request->user, *realm;
	const struct mp_nettle *nettle;
	size_t user_len, realm_len;
	struct md5_ctx ctx;
	enum mp_result result;

	/* Nettle computes, libsodium compares (mp_secret_equal()). */
	if (mp_sodium_load(reason_r) == NULL || (nettle = mp_nettle_load(reason_r)) == NULL)
		return MP_INTERNAL;
	result = mp_digest_raw(data, data_len, want, sizeof(want), reason_r);
	if (result != MP_OK)
		return result;
	if (user == NULL) {
		*reason_r = "DIGEST-MD5 needs the user name";
		result = MP_MALFORMED;
		goto out;
	}
	realm = strrchr(user, '@');
	if (realm != NULL) {
		user_len = (size_t)(realm - user);
		realm++;
	} else {
		user_len = strlen(user);
		realm = "";
	}
	realm_len = strlen(realm);

	nettle->nettle_md5_init(&ctx);
	nettle->nettle_md5_update(&ctx, user_len, (const uint8_t *)user);
	nettle->nettle_md5_update(&ctx, 1, (const uint8_t *)":");
	nettle->nettle_md5_update(&ctx, realm_len, (const uint8_t *)realm);
	nettle->nettle_md5_update(&ctx, 1, (const uint8_t *)":");
	nettle->nettle_md5_update(&ctx, request->password_len, (const uint8_t *)request->password);
	nettle->nettle_md5_digest(&ctx, sizeof(got), got);
	if (mp_secret_equal(got, sizeof(got), want, sizeof(want))) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_wipe(&ctx, sizeof(ctx));
	mp_wipe(got, sizeof(got));
out:
	mp_wipe(want, sizeof(want));
	return result;
}
