#ifndef MP_SCHEME_H
#define MP_SCHEME_H

#include <stdbool.h>
#include <stddef.h>

#include "encoding.h"
#include "result.h"

/*
 * Password schemes.  One const table (scheme-table.c) holds a row per scheme,
 * named as Dovecot names them.  Stored values use Dovecot's syntax
 * "{SCHEME}data" or "{SCHEME.b64}data" / "{SCHEME.hex}data"; bare crypt
 * strings such as "$argon2id$..." are recognised by their prefix.
 */

/* Parameters for generating new hashes (from mailpass.conf). */
struct mp_hash_params {
	unsigned long long argon2_opslimit;
	size_t argon2_memlimit;		/* bytes */
};

/*
 * Built-in ceilings on the cost of stored values of the iterated legacy
 * schemes: the defaults of mailpass.conf(5).  Each admits what the tools
 * write for everyday use, and far more, but stops at a few seconds of one
 * core or at a gigabyte of memory.
 */
#define MP_CRYPT_MAX_ROUNDS_DEFAULT 10000000ULL		/* SHA-crypt: about 3 s for "$6$" */
#define MP_BCRYPT_MAX_COST_DEFAULT 16U			/* 2^16 rounds: about 4 s */
#define MP_YESCRYPT_MAX_MEMLIMIT_DEFAULT ((size_t)1024 * 1024 * 1024)
#define MP_PBKDF2_MAX_ITERATIONS_DEFAULT 10000000ULL	/* Dovecot writes 5000 and 4096 */

/* The same for Argon2: argon2_max_opslimit, argon2_max_memlimit and the lanes. */
#define MP_ARGON2_MAX_OPSLIMIT_DEFAULT 16ULL
#define MP_ARGON2_MAX_MEMLIMIT_DEFAULT ((size_t)1024 * 1024 * 1024)
#define MP_ARGON2_MAX_LANES_DEFAULT 16U

/*
 * Ceilings on the cost of a stored value; above them it is not computed.
 * A zero in any field stands for its built-in default above, so a caller
 * that fills only some fields still has every cost bounded; so does a
 * request whose limits are NULL.
 */
struct mp_verify_limits {
	unsigned long long argon2_max_opslimit;
	size_t argon2_max_memlimit;	/* bytes */
	unsigned int argon2_max_lanes;
	unsigned long long crypt_max_rounds;	/* SHA-crypt "$5$"/"$6$" rounds= */
	unsigned int bcrypt_max_cost;		/* "$2a$", "$2b$", "$2x$", "$2y$": log2 rounds */
	size_t yescrypt_max_memlimit;		/* bytes: 128 * N * r * p * (t + 1) */
	unsigned long long pbkdf2_max_iterations;	/* {PBKDF2} and SCRAM-SHA-* */
};

/* What one verification compares: the candidate secret and its context. */
struct mp_verify_request {
	const char *password;
	size_t password_len;
	const char *user;		/* for schemes salted with the name; may be NULL */
	const struct mp_verify_limits *limits;
	/*
	 * Judge the stored value, not the password (mp_scheme_check): a
	 * scheme whose computation is costly parses the value, holds its cost
	 * against the limits and returns MP_OK without computing; a cheap one
	 * may compute and return MP_MISMATCH.
	 */
	bool check_only;
};

struct mp_scheme {
	const char *name;		/* upper case, e.g. "ARGON2ID" */
	const char *alias_of;		/* canonical row name, or NULL */
	enum mp_encoding default_encoding;
	bool weak;			/* refused for new hashes without --allow-weak */
	bool yields_cleartext;		/* the decoded data is the secret itself */

	/*
	 * Compare the request's password with data (the stored value after the
	 * {SCHEME} prefix, decoded).  Returns MP_OK, MP_MISMATCH or MP_MALFORMED
	 * (data unusable or over the request's limits; nothing was computed).
	 */
	enum mp_result (*verify)(const struct mp_verify_request *request,
				 const unsigned char *data, size_t data_len,
				 const char **reason_r);

	/*
	 * Make new data for password (without the {SCHEME} prefix, before
	 * encoding).  NULL when the scheme cannot generate.
	 */
	enum mp_result (*generate)(const char *password, size_t password_len,
				   const struct mp_hash_params *params,
				   unsigned char **data_r, size_t *data_len_r,
				   const char **reason_r);

	/*
	 * True when replacing data (a value of this scheme that just verified)
	 * by a new hash of target with params changes it and is an upgrade:
	 * never to a weaker scheme, never to cheaper parameters.  NULL means
	 * the default rule of mp_scheme_needs_rehash().
	 */
	bool (*needs_rehash)(const unsigned char *data, size_t data_len,
			     const struct mp_scheme *target,
			     const struct mp_hash_params *params);

	/*
	 * How many leading bytes of a password data decides: a longer
	 * password verifies when those bytes match, whatever follows them
	 * (traditional DES: 8, bcrypt: 72, PLAIN-TRUNC: its length).  NULL
	 * means the whole password.
	 */
	size_t (*checked_len)(const unsigned char *data, size_t data_len);
};

/* A stored value split into its scheme and decoded data. */
struct mp_stored {
	const struct mp_scheme *scheme;
	unsigned char *data;		/* decoded, NUL-terminated, secret */
	size_t data_len;
};

/* mp_scheme_table - the table and its row count. */
const struct mp_scheme *mp_scheme_table(size_t *count_r);

/* mp_scheme_find - row by name (case-insensitive, no encoding suffix), or NULL. */
const struct mp_scheme *mp_scheme_find(const char *name);

/* mp_scheme_canonical - the row an alias stands for (the row itself otherwise). */
const struct mp_scheme *mp_scheme_canonical(const struct mp_scheme *scheme);

/*
 * mp_stored_parse - split stored[0..len) into scheme and decoded data.
 * Returns MP_OK, MP_MALFORMED (unknown scheme, bad encoding, over
 * MP_STORED_MAX) or MP_INTERNAL.  Release with mp_stored_clear().
 */
enum mp_result mp_stored_parse(const char *stored, size_t len, struct mp_stored *stored_r,
			       const char **reason_r);

/* mp_stored_clear - wipe and free the decoded data. */
void mp_stored_clear(struct mp_stored *stored);

/*
 * mp_scheme_verify - check request->password against a stored value.
 * Returns MP_OK, MP_MISMATCH, MP_MALFORMED or MP_INTERNAL.
 */
enum mp_result mp_scheme_verify(const char *stored, const struct mp_verify_request *request,
				const char **reason_r);

/*
 * mp_scheme_check - whether stored is usable: MP_OK when a verification
 * would compare a password with it, MP_MALFORMED (with the reason a login
 * would log) when it would be refused, over the limits included.  Nothing
 * costly is computed.  user and limits are those of a verification
 * (struct mp_verify_request).
 */
enum mp_result mp_scheme_check(const char *stored, const char *user,
			       const struct mp_verify_limits *limits, const char **reason_r);

/*
 * mp_scheme_hash - a new stored value "{NAME}data" for password, malloc'd in
 * *stored_r.  Returns MP_MALFORMED when the scheme cannot generate or a
 * parameter is out of range, with *reason_r saying why; "" on MP_OK.
 */
enum mp_result mp_scheme_hash(const struct mp_scheme *scheme, const char *password,
			      size_t password_len, const struct mp_hash_params *params,
			      char **stored_r, const char **reason_r);

/*
 * mp_scheme_dummy_verify - spend what one verification with scheme and params
 * costs, on a fixed value that never matches.  Used so that an unknown user
 * or an unusable stored value costs the same time as a wrong password.
 */
void mp_scheme_dummy_verify(const struct mp_scheme *scheme, const struct mp_hash_params *params,
			    const char *password, size_t password_len);

/*
 * mp_scheme_needs_rehash - true when stored, which has just verified a
 * password of password_len bytes, should be replaced by a new hash of that
 * password with target and params.  Rehash only ever upgrades: a weak value
 * is always replaced; a strong value of another scheme is replaced by target
 * only when target is not weak; an Argon2 value is replaced only when
 * target's type and cost are at least its own (Argon2id over Argon2i;
 * memory and time each at least as high) and something differs.
 * Unparseable values and weak targets never trigger a rewrite, nor does a
 * password longer than what stored decides (struct mp_scheme, checked_len):
 * its tail was never checked, and a hash of it would lock the user out of
 * the password they know.
 */
bool mp_scheme_needs_rehash(const char *stored, size_t password_len,
			    const struct mp_scheme *target, const struct mp_hash_params *params);

#endif
