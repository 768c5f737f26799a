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

#endif
