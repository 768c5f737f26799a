#ifndef MP_APOP_H
#define MP_APOP_H

#include <stddef.h>

#include "result.h"

/*
 * APOP (RFC 1939, section 7): the client sends MD5(timestamp || secret) as 32
 * hex digits, where timestamp is the server's greeting msg-id "<...>".
 */

#define MP_APOP_DIGEST_HEX_LEN 32

/*
 * mp_apop_check - MP_OK when digest equals MD5(timestamp || secret), compared
 * in constant time; MP_MISMATCH when it does not.  MP_MALFORMED when digest is
 * not exactly 32 hex digits, or timestamp is empty, not "<...>", holds a
 * control character or is longer than MP_APOP_TIMESTAMP_MAX.  MP_INTERNAL
 * when libsodium or Nettle cannot be loaded.
 */
enum mp_result mp_apop_check(const char *timestamp, size_t timestamp_len,
			     const char *digest, size_t digest_len,
			     const unsigned char *secret, size_t secret_len,
			     const char **reason_r);

/*
 * mp_apop_digest - the lower-case hex digest a client would send, into
 * out[33]; the empty string when libsodium or Nettle cannot be loaded.
 */
void mp_apop_digest(const char *timestamp, size_t timestamp_len,
		    const unsigned char *secret, size_t secret_len,
		    char out[MP_APOP_DIGEST_HEX_LEN + 1]);

#endif
