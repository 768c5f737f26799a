#ifndef MP_CRYPTO_LIB_H
#define MP_CRYPTO_LIB_H

/*
 * libsodium and Nettle, loaded on first need.  The core does not link
 * either library: a login whose stored value is a crypt(3) string needs
 * neither, and loading them costs more than such a login does.  The first
 * caller that needs one dlopen()s it by the soname configure found
 * (MP_SODIUM_SONAME, MP_NETTLE_SONAME) and resolves every symbol below;
 * libsodium's sodium_init() runs once.  A library is loaded at most once per
 * process (under pthread_once, so threaded servers may call in from any
 * thread), never unloaded, and a failed load is remembered, not retried.
 *
 * The headers are still included for the prototypes, the types (struct
 * md5_ctx, struct nettle_hash) and the size constants; every call goes
 * through a table.  Each member is named exactly as the symbol it was
 * loaded from (sodium->crypto_pwhash_str_verify, nettle->nettle_md5_init)
 * and typed from the library's own prototype, so calls stay type-checked.
 * Nettle's headers #define short names such as md5_init to nettle_md5_init;
 * the tables use the real, prefixed names only.
 */

#include <sodium.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/pbkdf2.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

/* The libsodium functions the core calls. */
#define MP_SODIUM_SYMBOLS(X) \
	X(crypto_generichash) \
	X(crypto_pwhash_str_alg) \
	X(crypto_pwhash_str_verify) \
	X(crypto_secretbox_easy) \
	X(crypto_secretbox_open_easy) \
	X(randombytes_buf) \
	X(sodium_base642bin) \
	X(sodium_bin2base64) \
	X(sodium_bin2hex) \
	X(sodium_hex2bin) \
	X(sodium_memcmp)

/* The Nettle functions, and hash descriptions (data objects), the core uses. */
#define MP_NETTLE_SYMBOLS(X) \
	X(nettle_hmac_md5_set_key) \
	X(nettle_hmac_sha1_digest) \
	X(nettle_hmac_sha1_set_key) \
	X(nettle_hmac_sha1_update) \
	X(nettle_hmac_sha256_digest) \
	X(nettle_hmac_sha256_set_key) \
	X(nettle_hmac_sha256_update) \
	X(nettle_md5_digest) \
	X(nettle_md5_init) \
	X(nettle_md5_update) \
	X(nettle_pbkdf2_hmac_sha1) \
	X(nettle_pbkdf2_hmac_sha256) \
	X(nettle_md4) \
	X(nettle_md5) \
	X(nettle_sha1) \
	X(nettle_sha256) \
	X(nettle_sha512)

/* A member pointing at symbol name, of the type the library declares it with. */
#define MP_CRYPTO_LIB_MEMBER(name) __typeof__(name) *name;

struct mp_sodium {
	MP_SODIUM_SYMBOLS(MP_CRYPTO_LIB_MEMBER)
};

struct mp_nettle {
	MP_NETTLE_SYMBOLS(MP_CRYPTO_LIB_MEMBER)
};

/*
 * mp_sodium_load - libsodium's table, loading and initialising the library
 * on the first call.  NULL when it cannot be loaded, a symbol is missing or
 * sodium_init() failed; *reason_r then says which (a static string), and
 * every later call answers the same.  Callers turn NULL into MP_INTERNAL.
 */
const struct mp_sodium *mp_sodium_load(const char **reason_r);

/* mp_nettle_load - Nettle's table, the same way. */
const struct mp_nettle *mp_nettle_load(const char **reason_r);

#endif
