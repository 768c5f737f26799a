/* scheme-plain.c - PLAIN (and its aliases CLEAR, CLEARTEXT): the stored data is the password. */
#include "crypto-lib.h"
#include "scheme-private.h"
#include "secret.h"

enum mp_result
mp_plain_verify(const struct mp_verify_request *request, const unsigned char *data,
		size_t data_len, const char **reason_r)
{
	/* mp_secret_equal() hashes with libsodium: a failure to load it is not a mismatch. */
	if (mp_sodium_load(reason_r) == NULL)
		return MP_INTERNAL;
	if (mp_secret_equal(data, data_len, request->password, request->password_len))
		return MP_OK;
	*reason_r = "password mismatch";
	return MP_MISMATCH;
}

enum mp_result
mp_plain_generate(const char *password, size_t password_len,
		  const struct mp_hash_params *params, unsigned char **data_r,
		  size_t *data_len_r, const char **reason_r)
{
	*data_r = (unsigned char *)mp_secret_dup(password, password_len);
	*data_len_r = *data_r != NULL ? password_len : 0;
	if (*data_r == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	return MP_OK;
}
