/* encoding.c - strict base64 and hex, on top of libsodium's codecs. */
#include <stdlib.h>
#include <string.h>

#include "crypto-lib.h"
#include "encoding.h"
#include "secret.h"

static enum mp_result
decode_base64(const struct mp_sodium *sodium, const char *in, size_t in_len,
	      unsigned char *out, size_t *out_len, const char **reason_r)
{
	const char *end = NULL;

	if (in_len % 4 != 0) {
		*reason_r = "base64 data is truncated";
		return MP_MALFORMED;
	}
	if (sodium->sodium_base642bin(out, *out_len, in, in_len, NULL, out_len, &end,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != in + in_len) {
		*reason_r = "invalid base64 data";
		return MP_MALFORMED;
	}
	return MP_OK;
}

static enum mp_result
decode_hex(const struct mp_sodium *sodium, const char *in, size_t in_len,
	   unsigned char *out, size_t *out_len, const char **reason_r)
{
	const char *end = NULL;

	if (in_len % 2 != 0) {
		*reason_r = "hex data has an odd number of digits";
		return MP_MALFORMED;
	}
	if (sodium->sodium_hex2bin(out, *out_len, in, in_len, NULL, out_len, &end) != 0 ||
	    end != in + in_len) {
		*reason_r = "invalid hex data";
		return MP_MALFORMED;
	}
	return MP_OK;
}

enum mp_result
mp_decode(enum mp_encoding encoding, const char *in, size_t in_len,
	  unsigned char **out_r, size_t *out_len_r, const char **reason_r)
{
	const struct mp_sodium *sodium = NULL;
	unsigned char *out;
	size_t out_len = in_len;
	enum mp_result result;

	*out_r = NULL;
	*out_len_r = 0;
	/* The codecs are libsodium's; a value stored as it is needs no library. */
	if (encoding != MP_ENCODING_NONE) {
		sodium = mp_sodium_load(reason_r);
		if (sodium == NULL)
			return MP_INTERNAL;
	}
	/* Every encoding decodes to at most as many bytes as it has characters. */
	out = malloc(in_len + 1);
	if (out == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	switch (encoding) {
	case MP_ENCODING_NONE:
		memcpy(out, in, in_len);
		result = MP_OK;
		break;
	case MP_ENCODING_BASE64:
		result = decode_base64(sodium, in, in_len, out, &out_len, reason_r);
		break;
	case MP_ENCODING_HEX:
		result = decode_hex(sodium, in, in_len, out, &out_len, reason_r);
		break;
	default:
		*reason_r = "unknown encoding";
		result = MP_INTERNAL;
		break;
	}
	if (result != MP_OK) {
		mp_secret_free(&out, in_len + 1);
		return result;
	}
	out[out_len] = '\0';
	*out_r = out;
	*out_len_r = out_len;
	return MP_OK;
}

char *
mp_encode(enum mp_encoding encoding, const unsigned char *in, size_t in_len)
{
	const struct mp_sodium *sodium;
	const char *reason;
	size_t size;
	char *out;

	if (encoding == MP_ENCODING_NONE)
		return mp_secret_dup(in, in_len);
	sodium = mp_sodium_load(&reason);
	if (sodium == NULL)
		return NULL;
	switch (encoding) {
	case MP_ENCODING_NONE:
		break;
	case MP_ENCODING_BASE64:
		size = sodium_base64_ENCODED_LEN(in_len, sodium_base64_VARIANT_ORIGINAL);
		out = malloc(size);
		if (out != NULL)
			sodium->sodium_bin2base64(out, size, in, in_len,
						  sodium_base64_VARIANT_ORIGINAL);
		return out;
	case MP_ENCODING_HEX:
		size = in_len * 2 + 1;
		out = malloc(size);
		if (out != NULL)
			sodium->sodium_bin2hex(out, size, in, in_len);
		return out;
	}
	return NULL;
}
