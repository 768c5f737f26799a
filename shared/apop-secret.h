#ifndef MP_APOP_SECRET_H
#define MP_APOP_SECRET_H

#include <stddef.h>

#include <sodium.h>

#include "result.h"

/*
 * The APOP shared secret lives in the "apop=" extra field of a passwd-file
 * record, separate from the login hash:
 *   apop={PLAIN}secret            cleartext (also {PLAIN.b64} / {PLAIN.hex})
 *   apop={SECRETBOX}base64        nonce || crypto_secretbox_easy(secret),
 *                                 under the site key named by apop_key
 * so that a leaked passwd-file alone does not leak the secrets.
 */

#define MP_APOP_KEY_BYTES crypto_secretbox_KEYBYTES

/*
 * mp_apop_key_load - read the key file at path: exactly MP_APOP_KEY_BYTES
 * bytes, from a file that mp_file_safety_check() finds safe as
 * MP_FILE_APOP_KEY (owned by root, the effective uid or store_owner, which
 * may be NULL or "", and no access for group or others).  MP_UNAVAILABLE
 * when it cannot be read or is unsafe, MP_MALFORMED for any other size; the
 * message in error_r names the file (and, for an unsafe one, the fix).
 */
enum mp_result mp_apop_key_load(const char *path, const char *store_owner,
				unsigned char key_r[MP_APOP_KEY_BYTES], char *error_r,
				size_t error_size);

/*
 * mp_apop_key_create - write a new random key file at path with mode 0600.
 * Refuses (MP_UNAVAILABLE) to overwrite an existing file, a dangling
 * symbolic link included; MP_INTERNAL when libsodium (its random bytes)
 * cannot be loaded.  Atomic: path is created complete or not at all, even
 * when the process dies on the way (a crash may leave "path.XXXXXX").
 */
enum mp_result mp_apop_key_create(const char *path, const char **reason_r);

/*
 * mp_apop_secret_seal - the field value for secret: "{SECRETBOX}..." when key
 * is not NULL, "{PLAIN}..." (or "{PLAIN.b64}..." when the secret holds bytes a
 * passwd-file field cannot carry) otherwise.  malloc'd in *field_r.
 * Sealing loads libsodium: MP_INTERNAL when it cannot be loaded.
 */
enum mp_result mp_apop_secret_seal(const unsigned char *key, const char *secret,
				   size_t secret_len, char **field_r, const char **reason_r);

/*
 * mp_apop_secret_open - the secret held by field.  key may be NULL when no
 * key is configured; a {SECRETBOX} field then is MP_UNAVAILABLE.  A field
 * that does not decode or authenticate, or whose secret is empty or holds a
 * NUL byte, or is longer than MP_PASSWORD_MAX, is MP_MALFORMED; MP_INTERNAL
 * when a sealed one needs libsodium and it cannot be loaded.  {SECRETBOX}
 * is recognised in any case, as scheme names are.  The caller wipes
 * *secret_r with mp_secret_free().
 */
enum mp_result mp_apop_secret_open(const char *field, const unsigned char *key,
				   unsigned char **secret_r, size_t *secret_len_r,
				   const char **reason_r);

/* What an apop= field holds, as every command that reports on it says. */
enum mp_apop_form {
	MP_APOP_NONE,		/* no field, or an empty one */
	MP_APOP_SEALED,		/* {SECRETBOX}: whether it opens depends on the key */
	MP_APOP_CLEARTEXT,	/* a cleartext secret that mp_apop_secret_open() gives */
	MP_APOP_UNUSABLE,	/* anything else; *reason_r says why */
};

/*
 * mp_apop_secret_form - the form of field (NULL for no field).  A sealed
 * field is not opened; a cleartext one is decoded and checked as a login
 * would, and wiped.  *reason_r is "" unless the form is MP_APOP_UNUSABLE.
 */
enum mp_apop_form mp_apop_secret_form(const char *field, const char **reason_r);

#endif
