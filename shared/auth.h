#ifndef MP_AUTH_H
#define MP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "result.h"
#include "store.h"

/*
 * The decisions the adapters ask for.  One struct mp_auth holds a loaded
 * configuration, the open store and the APOP key.  It holds no mutable state
 * after mp_auth_open(), so one handle may serve several threads.
 *
 * Every function takes user names and secrets with explicit lengths, checks
 * them against the limits of limits.h, and returns a result plus a short
 * static reason that never contains a secret.  Nothing here logs.
 */

struct mp_auth;

/* Flags for mp_auth_verify(). */
#define MP_VERIFY_NULLOK	0x1	/* an empty stored value accepts an empty password */
#define MP_VERIFY_NO_REHASH	0x2	/* never rewrite the stored hash */

/*
 * mp_auth_open - load conf_path (MP_UNAVAILABLE when missing), open the store
 * and the APOP key.  Errors carry a message in error_r.
 *
 * The store file, the directory that holds it and the apop_key file are
 * judged by mp_file_safety_check() (owners: root, the effective uid and
 * store_owner): an unsafe one is MP_UNAVAILABLE, with a message that names
 * the file and the fix; a store readable by others is only a warning, kept
 * for mp_auth_warning().  Every later read of the store judges the
 * descriptor it reads again.
 */
enum mp_result mp_auth_open(const char *conf_path, struct mp_auth **auth_r,
			    char *error_r, size_t error_size);

/* mp_auth_open_conf - the same from an already loaded configuration. */
enum mp_result mp_auth_open_conf(const struct mp_conf *conf, struct mp_auth **auth_r,
				 char *error_r, size_t error_size);

/* mp_auth_close - wipe the key, close the store, set *auth to NULL. */
void mp_auth_close(struct mp_auth **auth);

const struct mp_conf *mp_auth_conf(const struct mp_auth *auth);
struct mp_store *mp_auth_store(struct mp_auth *auth);

/*
 * mp_auth_warning - what the adapter should log once for this open (the
 * store is readable by others, and the fix), or NULL.
 */
const char *mp_auth_warning(const struct mp_auth *auth);

/*
 * mp_auth_verify - check a cleartext password.
 *   MP_OK            right password; account enabled
 *   MP_MISMATCH      wrong password (also: an empty password, unless NULLOK
 *                    is given and the stored value is empty; a locked
 *                    account whose field holds no usable hash)
 *   MP_USER_UNKNOWN  no such user; one dummy verification was spent
 *   MP_DISABLED      right password, but the account is locked or nologin
 *   MP_MALFORMED     bad user name or password (NUL, over the limits), or
 *                    the user's stored value is unusable (dummy spent)
 *   MP_UNAVAILABLE   the store cannot be read
 * After MP_OK, the stored value is upgraded to the configured scheme when
 * rehash is on and MP_VERIFY_NO_REHASH is not given (see
 * mp_scheme_needs_rehash).  A failed upgrade never turns MP_OK into a
 * failure: *rehash_note_r (when not NULL) is set to "rehashed", to the reason
 * the upgrade failed, or to NULL when nothing was attempted.
 */
enum mp_result mp_auth_verify(struct mp_auth *auth, const char *user, size_t user_len,
			      const char *password, size_t password_len, unsigned int flags,
			      const char **reason_r, const char **rehash_note_r);

/*
 * What a password check that passed saw of the account: the user, and the
 * version of the store that answered (store.h).  The check found the
 * account enabled in that version, so an account check of the same user
 * against the same version would pass: the PAM module keeps it from
 * pam_authenticate() to pam_acct_mgmt(), so that the account step does not
 * read the store again when nothing has changed it (mp_auth_account_since).
 * It holds no secret.
 */
struct mp_account_seen;

/*
 * mp_auth_verify_seen - mp_auth_verify(); after MP_OK, *seen_r is what the
 * check saw, to be freed with mp_account_seen_free(), or NULL when the store
 * cannot tell its version or memory ran out (the account step then reads
 * the store).  *seen_r is NULL after any other result.
 */
enum mp_result mp_auth_verify_seen(struct mp_auth *auth, const char *user, size_t user_len,
				   const char *password, size_t password_len,
				   unsigned int flags, struct mp_account_seen **seen_r,
				   const char **reason_r, const char **rehash_note_r);

/* mp_account_seen_free - free and set *seen to NULL; NULL is fine. */
void mp_account_seen_free(struct mp_account_seen **seen);

/*
 * mp_auth_apop - check an APOP digest against the user's APOP secret.
 * Results as for mp_auth_verify(); a user without an APOP secret gets
 * MP_MISMATCH with the reason "no APOP secret for this user".
 */
enum mp_result mp_auth_apop(struct mp_auth *auth, const char *user, size_t user_len,
			    const char *timestamp, size_t timestamp_len,
			    const char *digest, size_t digest_len, const char **reason_r);

/*
 * mp_auth_apop_secret - the user's APOP secret (for the SASL auxprop
 * plugin).  MP_USER_UNKNOWN for no user, MP_MISMATCH for a user without a
 * secret.  Wipe *secret_r with mp_secret_free().
 */
enum mp_result mp_auth_apop_secret(struct mp_auth *auth, const char *user, size_t user_len,
				   unsigned char **secret_r, size_t *secret_len_r,
				   const char **reason_r);

/* mp_auth_account - MP_OK, MP_USER_UNKNOWN, MP_DISABLED (locked or nologin), MP_MALFORMED or MP_UNAVAILABLE. */
enum mp_result mp_auth_account(struct mp_auth *auth, const char *user, size_t user_len,
			       const char **reason_r);

/*
 * mp_auth_account_since - mp_auth_account(), answered without reading the
 * store when seen (NULL for none) is for the same user and auth's store
 * file is still the version seen's check read (mp_store_version_current():
 * the same file, unchanged since).  An account locked, or a store rewritten,
 * after that check makes the store be read again.  A rehash after the check
 * rewrote the store too, so the account step after it reads the store.
 */
enum mp_result mp_auth_account_since(struct mp_auth *auth, const struct mp_account_seen *seen,
				     const char *user, size_t user_len, const char **reason_r);

/*
 * mp_auth_set_password - hash password with the configured scheme and store
 * it.  With create, a new user is added (an existing one is MP_MALFORMED
 * "user exists"); without it, an absent user is MP_USER_UNKNOWN.
 */
enum mp_result mp_auth_set_password(struct mp_auth *auth, const char *user, size_t user_len,
				    const char *password, size_t password_len, bool create,
				    const char **reason_r);

/*
 * mp_auth_set_apop - store the APOP secret (sealed when apop_key is set), or
 * remove it when secret is NULL.
 */
enum mp_result mp_auth_set_apop(struct mp_auth *auth, const char *user, size_t user_len,
				const char *secret, size_t secret_len, const char **reason_r);

/* mp_auth_delete - remove a user; MP_USER_UNKNOWN when absent. */
enum mp_result mp_auth_delete(struct mp_auth *auth, const char *user, size_t user_len,
			      const char **reason_r);

#endif
