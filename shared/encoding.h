#ifndef MP_ENCODING_H
#define MP_ENCODING_H

#include <stddef.h>

#include "result.h"

/*
 * Strict decoders for the encodings stored values use.  They reject rather
 * than stop early: any character outside the alphabet, a missing or extra
 * padding character, non-zero trailing bits, or an odd number of hex digits
 * makes the whole input MP_MALFORMED.
 */

enum mp_encoding {
	MP_ENCODING_NONE = 0,
	MP_ENCODING_BASE64,	/* RFC 4648 standard alphabet, '=' padding */
	MP_ENCODING_HEX,	/* upper or lower case, even length */
};

/*
 * mp_decode - decode in[0..in_len) into a malloc'd buffer *out_r (with a
 * trailing NUL not counted in *out_len_r).  Returns MP_OK, MP_MALFORMED or
 * MP_INTERNAL (out of memory, or libsodium, whose codecs these are, cannot
 * be loaded; MP_ENCODING_NONE needs no library).  The caller wipes and frees
 * *out_r with mp_secret_free().
 */
enum mp_result mp_decode(enum mp_encoding encoding, const char *in, size_t in_len,
			 unsigned char **out_r, size_t *out_len_r, const char **reason_r);

/*
 * mp_encode - encode in[0..in_len) as a malloc'd NUL-terminated string.
 * Returns NULL when out of memory, or when libsodium cannot be loaded for
 * MP_ENCODING_BASE64 or MP_ENCODING_HEX.
 */
char *mp_encode(enum mp_encoding encoding, const unsigned char *in, size_t in_len);

#endif
