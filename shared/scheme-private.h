#ifndef MP_SCHEME_PRIVATE_H
#define MP_SCHEME_PRIVATE_H

/*
 * Row functions of the scheme table.  Each scheme family lives in a file of
 * its own (scheme-argon2.c, scheme-plain.c, ...); scheme-table.c puts them
 * into rows.
 */

#include "scheme.h"

/* A bare stored string recognised by its prefix, e.g. "$argon2id$". */
struct mp_bare_prefix {
	const char *prefix;
	const char *scheme;	/* row name */
};

const struct mp_bare_prefix *mp_scheme_bare_prefixes(size_t *count_r);

/* scheme-argon2.c */
enum mp_result mp_argon2_verify(const struct mp_verify_request *request,
				const unsigned char *data, size_t data_len,
				const char **reason_r);
enum mp_result mp_argon2id_generate(const char *password, size_t password_len,
				    const struct mp_hash_params *params,
				    unsigned char **data_r, size_t *data_len_r,
				    const char **reason_r);
enum mp_result mp_argon2i_generate(const char *password, size_t password_len,
				   const struct mp_hash_params *params,
				   unsigned char **data_r, size_t *data_len_r,
				   const char **reason_r);
bool mp_argon2_needs_rehash(const unsigned char *data, size_t data_len,
			    const struct mp_scheme *target, const struct mp_hash_params *params);

/* scheme-plain.c */
enum mp_result mp_plain_verify(const struct mp_verify_request *request,
			       const unsigned char *data, size_t data_len,
			       const char **reason_r);
enum mp_result mp_plain_generate(const char *password, size_t password_len,
				 const struct mp_hash_params *params,
				 unsigned char **data_r, size_t *data_len_r,
				 const char **reason_r);

/* scheme-crypt.c: every crypt(3) row (SHA512-CRYPT, ..., CRYPT) and MD5's "$1$" meaning. */
enum mp_result mp_crypt_verify(const struct mp_verify_request *request,
			       const unsigned char *data, size_t data_len,
			       const char **reason_r);

/*
 * mp_crypt_is_des - true when s[0..len) has the shape of a traditional DES
 * crypt string (13 characters of the crypt alphabet), which has no prefix
 * for the bare-prefix table to match.
 */
bool mp_crypt_is_des(const char *s, size_t len);

/* mp_crypt_checked_len - 8 for traditional DES, 72 for bcrypt, SIZE_MAX otherwise. */
size_t mp_crypt_checked_len(const unsigned char *data, size_t data_len);

/* scheme-digest.c: unsalted and salted digests, MD5, PLAIN-TRUNC. */
enum mp_result mp_sha1_verify(const struct mp_verify_request *request,
			      const unsigned char *data, size_t data_len,
			      const char **reason_r);
enum mp_result mp_sha256_verify(const struct mp_verify_request *request,
				const unsigned char *data, size_t data_len,
				const char **reason_r);
enum mp_result mp_sha512_verify(const struct mp_verify_request *request,
				const unsigned char *data, size_t data_len,
				const char **reason_r);
enum mp_result mp_plain_md5_verify(const struct mp_verify_request *request,
				   const unsigned char *data, size_t data_len,
				   const char **reason_r);
enum mp_result mp_plain_md4_verify(const struct mp_verify_request *request,
				   const unsigned char *data, size_t data_len,
				   const char **reason_r);
enum mp_result mp_md5_verify(const struct mp_verify_request *request,
			     const unsigned char *data, size_t data_len,
			     const char **reason_r);
enum mp_result mp_ssha_verify(const struct mp_verify_request *request,
			      const unsigned char *data, size_t data_len,
			      const char **reason_r);
enum mp_result mp_ssha256_verify(const struct mp_verify_request *request,
				 const unsigned char *data, size_t data_len,
				 const char **reason_r);
enum mp_result mp_ssha512_verify(const struct mp_verify_request *request,
				 const unsigned char *data, size_t data_len,
				 const char **reason_r);
enum mp_result mp_smd5_verify(const struct mp_verify_request *request,
			      const unsigned char *data, size_t data_len,
			      const char **reason_r);
enum mp_result mp_plain_trunc_verify(const struct mp_verify_request *request,
				     const unsigned char *data, size_t data_len,
				     const char **reason_r);
/* mp_plain_trunc_checked_len - N when the stored part was cut to N bytes, else SIZE_MAX. */
size_t mp_plain_trunc_checked_len(const unsigned char *data, size_t data_len);

/*
 * mp_digest_raw - the raw_len bytes of a fixed-size digest, from data as
 * Dovecot reads it: data_len == raw_len is already decoded (a .hex or .b64
 * suffix), 2 * raw_len characters are hex, anything else is base64.
 * Returns MP_OK or MP_MALFORMED.
 */
enum mp_result mp_digest_raw(const unsigned char *data, size_t data_len,
			     unsigned char *raw, size_t raw_len, const char **reason_r);

/* scheme-cram-md5.c: CRAM-MD5 and HMAC-MD5, the stored HMAC-MD5 context. */
enum mp_result mp_cram_md5_verify(const struct mp_verify_request *request,
				  const unsigned char *data, size_t data_len,
				  const char **reason_r);

/* scheme-digest-md5.c: DIGEST-MD5, MD5(user:realm:password). */
enum mp_result mp_digest_md5_verify(const struct mp_verify_request *request,
				    const unsigned char *data, size_t data_len,
				    const char **reason_r);

/* scheme-pbkdf2.c: Dovecot's PBKDF2, $1$salt$rounds$hex with HMAC-SHA1. */
enum mp_result mp_pbkdf2_verify(const struct mp_verify_request *request,
				const unsigned char *data, size_t data_len,
				const char **reason_r);

/* scheme-scram.c: SCRAM-SHA-1 and SCRAM-SHA-256 as Dovecot stores them. */
enum mp_result mp_scram_sha1_verify(const struct mp_verify_request *request,
				    const unsigned char *data, size_t data_len,
				    const char **reason_r);
enum mp_result mp_scram_sha256_verify(const struct mp_verify_request *request,
				      const unsigned char *data, size_t data_len,
				      const char **reason_r);

#endif
