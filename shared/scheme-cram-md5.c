/*
 * scheme-cram-md5.c - CRAM-MD5 (and its alias HMAC-MD5): the stored value is
 * the HMAC-MD5 key schedule of the password, as Dovecot writes it: the MD5
 * state after the outer (key ^ opad) block, then after the inner
 * (key ^ ipad) block, each as four little-endian 32-bit words; 32 bytes,
 * hex by default.  Nettle's HMAC-MD5 key setup computes both states.
 */
#include <stdint.h>
#include <string.h>

#include "crypto-lib.h"
#include "scheme-private.h"
#include "secret.h"

#define CRAM_MD5_CONTEXT_LEN 32

/* put_state - the four words of an MD5 state, little-endian, at out. */
static void
put_state(unsigned char *out, const uint32_t state[4])
{
	for (unsigned int i = 0; i < 4; i++) {
		out[4 * i] = (unsigned char)(state[i] & 0xff);
		out[4 * i + 1] = (unsigned char)(state[i] >> 8 & 0xff);
		out[4 * i + 2] = (unsigned char)(state[i] >> 16 & 0xff);
		out[4 * i + 3] = (unsigned char)(state[i] >> 24 & 0xff);
	}
}

enum mp_result
mp_cram_md5_verify(const struct mp_verify_request *request, const unsigned char *data,
		   size_t data_len, const char **reason_r)
{
	unsigned char want[CRAM_MD5_CONTEXT_LEN], got[CRAM_MD5_CONTEXT_LEN];
	const struct mp_nettle *nettle;
	struct hmac_md5_ctx hmac;
	enum mp_result result;

	/* Nettle computes, libsodium compares (mp_secret_equal()). */
	if (mp_sodium_load(reason_r) == NULL || (nettle = mp_nettle_load(reason_r)) == NULL)
		return MP_INTERNAL;
	result = mp_digest_raw(data, data_len, want, sizeof(want), reason_r);
	if (result != MP_OK)
		return result;
	/* A key longer than one block is first hashed, as RFC 2104 says. */
	nettle->nettle_hmac_md5_set_key(&hmac, request->password_len,
					(const uint8_t *)request->password);
	put_state(got, hmac.outer.state);
	put_state(got + 16, hmac.inner.state);
	if (mp_secret_equal(got, sizeof(got), want, sizeof(want))) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_wipe(&hmac, sizeof(hmac));
	mp_wipe(got, sizeof(got));
	mp_wipe(want, sizeof(want));
	return result;
}
