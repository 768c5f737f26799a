#ifndef MP_SECRET_H
#define MP_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Helpers for secret bytes: constant-time comparison and wiping.  Every
 * buffer that held a password, a decoded stored value or an APOP secret is
 * released through mp_secret_free().
 */

/*
 * mp_secret_equal - true when a[0..a_len) equals b[0..b_len).  The time taken
 * does not depend on where the buffers differ, nor on their lengths beyond the
 * cost of hashing them (both sides are hashed with BLAKE2b first): use it
 * where a length may be secret, as a {PLAIN} password's is.  It loads
 * libsodium (crypto-lib.h) and is false when that fails; a caller that must
 * tell that failure apart calls mp_sodium_load() first.
 */
bool mp_secret_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/*
 * mp_public_length_equal - true when a[0..a_len) equals b[0..b_len), for
 * buffers whose lengths are public: different lengths are unequal at once,
 * equal lengths are compared in constant time (every byte is read, with no
 * early exit, as OpenBSD's timingsafe_bcmp does).  It needs no library, so
 * the crypt(3) path, which compares crypt_rn()'s output with the stored
 * string (the stored string's format, not the password, fixes both
 * lengths), loads neither libsodium nor Nettle.  Where a length could tell
 * anything about a secret, use mp_secret_equal().
 */
bool mp_public_length_equal(const void *a, size_t a_len, const void *b, size_t b_len);

/*
 * mp_wipe - overwrite len bytes at p with zeros, in a way the compiler may not
 * remove as a dead store (glibc's explicit_bzero).  It needs no library
 * loaded, so the paths that load neither libsodium nor Nettle can wipe too.
 */
void mp_wipe(void *p, size_t len);

/* mp_secret_free - wipe len bytes of *p, free it and set *p to NULL. */
void mp_secret_free(void *pp, size_t len);

/* mp_secret_free_str - the same for a NUL-terminated string. */
void mp_secret_free_str(char **p);

/* mp_secret_dup - malloc'd copy of len bytes plus a NUL; NULL when out of memory. */
char *mp_secret_dup(const void *src, size_t len);

#endif
