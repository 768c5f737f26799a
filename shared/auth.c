/*
 * auth.c - the decisions the adapters ask for: verify a password, check an
 * APOP digest, tell whether an account may log in, and change credentials.
 *
 * Every path that looks at a user's record but does not compute that
 * record's hash spends one dummy computation instead, so that an unknown
 * user or an unusable stored value costs what a wrong password costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apop.h"
#include "apop-secret.h"
#include "auth.h"
#include "entry.h"
#include "file-safety.h"
#include "mp-limits.h"
#include "scheme.h"
#include "secret.h"

/* The configuration last: a login touches its first page only (conf.h). */
struct mp_auth {
	struct mp_store *store;
	bool have_apop_key;
	unsigned char apop_key[MP_APOP_KEY_BYTES];
	char warning[MP_ERROR_MAX];	/* what mp_auth_warning() returns; "" for none */
	struct mp_conf conf;
};

/* The secret a dummy APOP check is computed with. */
static const unsigned char dummy_apop_secret[] = "mailpass-dummy-apop-secret";

/*
 * check_store_files - the store file and the directory that holds it, as
 * they are at open.  Every read judges its own descriptor again
 * (store-file.c); this check is the one that judges the directory and puts
 * the fix into the message.  Neither has to exist: the first "user add"
 * creates the file, and a lookup reports a missing one.  A warning goes to
 * warning_r.
 */
static enum mp_result
check_store_files(const char *path, const char *store_owner, char *warning_r,
		  size_t warning_size, char *error_r, size_t error_size)
{
	char message[MP_ERROR_MAX], *dir;
	struct stat st;
	enum mp_result result = MP_OK;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		switch (mp_file_safety_check(path, &st, MP_FILE_STORE, store_owner, NULL,
					     message, sizeof(message))) {
		case MP_FILE_SAFE:
			break;
		case MP_FILE_WARN:
			snprintf(warning_r, warning_size, "%s", message);
			break;
		case MP_FILE_REFUSE:
			snprintf(error_r, error_size, "%s", message);
			return MP_UNAVAILABLE;
		}
	}
	dir = mp_file_dir_of(path);
	if (dir == NULL) {
		snprintf(error_r, error_size, "out of memory");
		return MP_INTERNAL;
	}
	if (stat(dir, &st) == 0 &&
	    mp_file_safety_check(dir, &st, MP_FILE_STORE_DIR, store_owner, NULL, error_r,
				 error_size) == MP_FILE_REFUSE)
		result = MP_UNAVAILABLE;
	free(dir);
	return result;
}

/*
 * auth_setup - open the store of auth->conf, judge its files and load the
 * APOP key; on failure the caller closes auth.  Nothing here needs libsodium
 * or Nettle: the schemes load them when they compute.
 */
static enum mp_result
auth_setup(struct mp_auth *auth, char *error_r, size_t error_size)
{
	const struct mp_conf *conf = &auth->conf;
	const char *reason = "";
	enum mp_result result;

	result = mp_store_open(conf->store, &auth->store, &reason);
	if (result == MP_OK)
		result = mp_store_file_set_owner(auth->store, conf->store_owner, &reason);
	if (result != MP_OK) {
		snprintf(error_r, error_size, "store %s: %s", conf->store, reason);
		return result;
	}
	if (mp_store_file_path(auth->store) != NULL) {
		result = check_store_files(mp_store_file_path(auth->store), conf->store_owner,
					   auth->warning, sizeof(auth->warning), error_r,
					   error_size);
		if (result != MP_OK)
			return result;
	}
	if (conf->apop_key[0] != '\0') {
		result = mp_apop_key_load(conf->apop_key, conf->store_owner, auth->apop_key,
					  error_r, error_size);
		if (result != MP_OK)
			return result;
		auth->have_apop_key = true;
	}
	return MP_OK;
}

/* auth_new - a zeroed handle, or NULL with "out of memory" in error_r. */
static struct mp_auth *
auth_new(char *error_r, size_t error_size)
{
	struct mp_auth *auth = calloc(1, sizeof(*auth));

	if (auth == NULL)
		snprintf(error_r, error_size, "out of memory");
	return auth;
}

/*
 * auth_finish - set up auth, whose configuration came with result, and hand
 * it out through auth_r; on any failure close it.
 */
static enum mp_result
auth_finish(struct mp_auth *auth, enum mp_result result, struct mp_auth **auth_r,
	    char *error_r, size_t error_size)
{
	if (result == MP_OK)
		result = auth_setup(auth, error_r, error_size);
	if (result != MP_OK) {
		mp_auth_close(&auth);
		return result;
	}
	*auth_r = auth;
	return MP_OK;
}

enum mp_result
mp_auth_open_conf(const struct mp_conf *conf, struct mp_auth **auth_r, char *error_r,
		  size_t error_size)
{
	struct mp_auth *auth;

	*auth_r = NULL;
	auth = auth_new(error_r, error_size);
	if (auth == NULL)
		return MP_INTERNAL;
	auth->conf = *conf;
	return auth_finish(auth, MP_OK, auth_r, error_r, error_size);
}

enum mp_result
mp_auth_open(const char *conf_path, struct mp_auth **auth_r, char *error_r,
	     size_t error_size)
{
	struct mp_auth *auth;

	*auth_r = NULL;
	auth = auth_new(error_r, error_size);
	if (auth == NULL)
		return MP_INTERNAL;
	/* Straight into the zeroed handle: the configuration is some 8 KiB. */
	return auth_finish(auth, mp_conf_load_zeroed(&auth->conf, conf_path, error_r, error_size),
			   auth_r, error_r, error_size);
}

void
mp_auth_close(struct mp_auth **auth)
{
	if (*auth == NULL)
		return;
	mp_store_close(&(*auth)->store);
	mp_wipe((*auth)->apop_key, sizeof((*auth)->apop_key));
	free(*auth);
	*auth = NULL;
}

const struct mp_conf *
mp_auth_conf(const struct mp_auth *auth)
{
	return &auth->conf;
}

struct mp_store *
mp_auth_store(struct mp_auth *auth)
{
	return auth->store;
}

const char *
mp_auth_warning(const struct mp_auth *auth)
{
	return auth->warning[0] != '\0' ? auth->warning : NULL;
}

/* user_copy - validate user[0..len) and copy it NUL-terminated into buf. */
static enum mp_result
user_copy(const char *user, size_t len, char buf[MP_USER_MAX + 1], const char **reason_r)
{
	enum mp_result result;

	result = mp_user_name_check(user, len, reason_r);
	if (result != MP_OK)
		return result;
	memcpy(buf, user, len);
	buf[len] = '\0';
	return MP_OK;
}

static enum mp_result
password_check(const char *password, size_t len, const char **reason_r)
{
	if (len > MP_PASSWORD_MAX) {
		*reason_r = "password longer than the limit";
		return MP_MALFORMED;
	}
	if (memchr(password, '\0', len) != NULL) {
		*reason_r = "password contains a NUL byte";
		return MP_MALFORMED;
	}
	return MP_OK;
}

static void
dummy_verify(const struct mp_auth *auth, const char *password, size_t password_len)
{
	mp_scheme_dummy_verify(auth->conf.scheme, &auth->conf.hash, password, password_len);
}

/* Compare-and-swap of the stored hash, for the rehash after a login. */
struct rehash_edit {
	const char *old_stored;
	const char *new_stored;
};

static enum mp_result
rehash_edit_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	       const char **reason_r)
{
	struct rehash_edit *edit = context;

	*action_r = MP_EDIT_KEEP;
	/* Someone changed the password since we read it: theirs wins. */
	if (*entry == NULL || strcmp(mp_entry_password(*entry), edit->old_stored) != 0)
		return MP_OK;
	*action_r = MP_EDIT_WRITE;
	return mp_entry_set_password(*entry, edit->new_stored, reason_r);
}

static const char *
rehash(struct mp_auth *auth, const char *user, const char *old_stored, const char *password,
       size_t password_len)
{
	struct rehash_edit edit = { .old_stored = old_stored };
	char *new_stored = NULL;
	const char *reason = "rehashed";

	if (mp_scheme_hash(auth->conf.scheme, password, password_len, &auth->conf.hash,
			   &new_stored, &reason) != MP_OK)
		return reason;
	edit.new_stored = new_stored;
	if (mp_store_edit(auth->store, user, rehash_edit_fn, &edit, &reason) == MP_OK)
		reason = "rehashed";
	mp_secret_free_str(&new_stored);
	return reason;
}

/* locked_inner - the hash behind a locked field's '!' and '*' marks. */
static const char *
locked_inner(const char *stored)
{
	while (*stored == '!' || *stored == '*')
		stored++;
	return stored;
}

/*
 * verify_entry - the password against one record.  Disabled accounts are
 * reported only to a caller that knows the password, as Dovecot does.
 */
static enum mp_result
verify_entry(struct mp_auth *auth, const struct mp_entry *entry, const char *password,
	     size_t password_len, unsigned int flags, const char **reason_r)
{
	struct mp_verify_request request = {
		.password = password,
		.password_len = password_len,
		.user = mp_entry_user(entry),
		.limits = &auth->conf.limits,
	};
	const char *stored = mp_entry_password(entry);
	bool locked = mp_entry_is_locked(entry);
	enum mp_result result;

	if (locked)
		stored = locked_inner(stored);
	if (*stored == '\0') {
		dummy_verify(auth, password, password_len);
		if (!locked && password_len == 0 && (flags & MP_VERIFY_NULLOK) != 0)
			return mp_entry_is_disabled(entry) ? MP_DISABLED : MP_OK;
		*reason_r = locked ? "account is locked" : "no password is set";
		return MP_MISMATCH;
	}
	/* nullok is for an empty field: an empty password never matches a hash of "". */
	if (password_len == 0) {
		dummy_verify(auth, password, password_len);
		*reason_r = "empty password";
		return MP_MISMATCH;
	}
	result = mp_scheme_verify(stored, &request, reason_r);
	/* Before the locked rewrite: a locked field that is no hash costs the same. */
	if (result == MP_MALFORMED)
		dummy_verify(auth, password, password_len);
	if (result == MP_MALFORMED && locked) {
		*reason_r = "account is locked";
		result = MP_MISMATCH;
	}
	if (result != MP_OK)
		return result;
	if (locked) {
		*reason_r = "account is locked";
		return MP_DISABLED;
	}
	if (mp_entry_is_disabled(entry)) {
		*reason_r = "account is disabled (nologin)";
		return MP_DISABLED;
	}
	return MP_OK;
}

struct mp_account_seen {
	char user[MP_USER_MAX + 1];
	size_t user_len;
	struct mp_store_version version;
};

/* verify_user - mp_auth_verify(); the version of the store that answered in *version_r. */
static enum mp_result
verify_user(struct mp_auth *auth, const char *user, size_t user_len, const char *password,
	    size_t password_len, unsigned int flags, struct mp_store_version *version_r,
	    const char **reason_r, const char **rehash_note_r)
{
	char name[MP_USER_MAX + 1];
	struct mp_entry *entry = NULL;
	enum mp_result result;

	if (rehash_note_r != NULL)
		*rehash_note_r = NULL;
	*reason_r = "";
	result = user_copy(user, user_len, name, reason_r);
	if (result == MP_OK)
		result = password_check(password, password_len, reason_r);
	if (result != MP_OK)
		return result;

	result = mp_store_lookup_version(auth->store, name, &entry, version_r, reason_r);
	if (result == MP_USER_UNKNOWN || result == MP_MALFORMED) {
		dummy_verify(auth, password, password_len);
		if (result == MP_USER_UNKNOWN)
			*reason_r = "unknown user";
		return result;
	}
	if (result != MP_OK)
		return result;

	result = verify_entry(auth, entry, password, password_len, flags, reason_r);
	if (result == MP_OK && auth->conf.rehash && (flags & MP_VERIFY_NO_REHASH) == 0 &&
	    password_len > 0 &&
	    mp_scheme_needs_rehash(mp_entry_password(entry), password_len, auth->conf.scheme,
				   &auth->conf.hash)) {
		const char *note = rehash(auth, name, mp_entry_password(entry), password,
					  password_len);

		if (rehash_note_r != NULL)
			*rehash_note_r = note;
	}
	if (result == MP_OK)
		*reason_r = "password accepted";
	mp_entry_free(&entry);
	return result;
}

enum mp_result
mp_auth_verify(struct mp_auth *auth, const char *user, size_t user_len,
	       const char *password, size_t password_len, unsigned int flags,
	       const char **reason_r, const char **rehash_note_r)
{
	struct mp_store_version version;

	return verify_user(auth, user, user_len, password, password_len, flags, &version,
			   reason_r, rehash_note_r);
}

enum mp_result
mp_auth_verify_seen(struct mp_auth *auth, const char *user, size_t user_len,
		    const char *password, size_t password_len, unsigned int flags,
		    struct mp_account_seen **seen_r, const char **reason_r,
		    const char **rehash_note_r)
{
	struct mp_store_version version;
	enum mp_result result;

	*seen_r = NULL;
	result = verify_user(auth, user, user_len, password, password_len, flags, &version,
			     reason_r, rehash_note_r);
	/* MP_OK: the name passed user_copy(), so it fits and holds no NUL. */
	if (result == MP_OK && version.known && (*seen_r = calloc(1, sizeof(**seen_r))) != NULL) {
		memcpy((*seen_r)->user, user, user_len);
		(*seen_r)->user_len = user_len;
		(*seen_r)->version = version;
	}
	return result;
}

void
mp_account_seen_free(struct mp_account_seen **seen)
{
	free(*seen);
	*seen = NULL;
}

/* lookup_apop - the user's record and opened APOP secret (NULL secret: none set). */
static enum mp_result
lookup_apop(struct mp_auth *auth, const char *user, size_t user_len,
	    struct mp_entry **entry_r, unsigned char **secret_r, size_t *secret_len_r,
	    const char **reason_r)
{
	char name[MP_USER_MAX + 1];
	const char *field;
	enum mp_result result;

	*entry_r = NULL;
	*secret_r = NULL;
	*secret_len_r = 0;
	result = user_copy(user, user_len, name, reason_r);
	if (result != MP_OK)
		return result;
	result = mp_store_lookup(auth->store, name, entry_r, reason_r);
	if (result == MP_USER_UNKNOWN)
		*reason_r = "unknown user";
	if (result != MP_OK)
		return result;
	field = mp_entry_extra(*entry_r, "apop");
	if (field == NULL || *field == '\0')
		return MP_OK;
	result = mp_apop_secret_open(field, auth->have_apop_key ? auth->apop_key : NULL,
				     secret_r, secret_len_r, reason_r);
	if (result != MP_OK)
		mp_entry_free(entry_r);
	return result;
}

enum mp_result
mp_auth_apop(struct mp_auth *auth, const char *user, size_t user_len, const char *timestamp,
	     size_t timestamp_len, const char *digest, size_t digest_len, const char **reason_r)
{
	struct mp_entry *entry = NULL;
	unsigned char *secret = NULL;
	size_t secret_len = 0;
	enum mp_result result, check;

	*reason_r = "";
	result = lookup_apop(auth, user, user_len, &entry, &secret, &secret_len, reason_r);
	if (result == MP_OK && secret == NULL) {
		result = MP_MISMATCH;
		*reason_r = "no APOP secret for this user";
	}
	if (result == MP_OK) {
		result = mp_apop_check(timestamp, timestamp_len, digest, digest_len, secret,
				       secret_len, reason_r);
	} else {
		/* The same work as a real check; its answer only matters when malformed. */
		const char *dummy_reason = "";

		check = mp_apop_check(timestamp, timestamp_len, digest, digest_len,
				      dummy_apop_secret, sizeof(dummy_apop_secret) - 1,
				      &dummy_reason);
		if (check == MP_MALFORMED && result != MP_UNAVAILABLE) {
			result = MP_MALFORMED;
			*reason_r = dummy_reason;
		}
	}
	if (result == MP_OK && mp_entry_is_disabled(entry)) {
		result = MP_DISABLED;
		*reason_r = mp_entry_is_locked(entry) ? "account is locked" :
			"account is disabled (nologin)";
	}
	if (result == MP_OK)
		*reason_r = "APOP digest accepted";
	mp_secret_free(&secret, secret_len);
	mp_entry_free(&entry);
	return result;
}

enum mp_result
mp_auth_apop_secret(struct mp_auth *auth, const char *user, size_t user_len,
		    unsigned char **secret_r, size_t *secret_len_r, const char **reason_r)
{
	struct mp_entry *entry = NULL;
	enum mp_result result;

	*reason_r = "";
	result = lookup_apop(auth, user, user_len, &entry, secret_r, secret_len_r, reason_r);
	if (result != MP_OK)
		return result;
	if (*secret_r == NULL) {
		result = MP_MISMATCH;
		*reason_r = "no APOP secret for this user";
	} else if (mp_entry_is_disabled(entry)) {
		result = MP_DISABLED;
		*reason_r = "account is disabled";
		mp_secret_free(secret_r, *secret_len_r);
		*secret_len_r = 0;
	}
	mp_entry_free(&entry);
	return result;
}

enum mp_result
mp_auth_account(struct mp_auth *auth, const char *user, size_t user_len,
		const char **reason_r)
{
	char name[MP_USER_MAX + 1];
	struct mp_entry *entry = NULL;
	enum mp_result result;

	*reason_r = "";
	result = user_copy(user, user_len, name, reason_r);
	if (result != MP_OK)
		return result;
	result = mp_store_lookup(auth->store, name, &entry, reason_r);
	if (result == MP_USER_UNKNOWN)
		*reason_r = "unknown user";
	if (result != MP_OK)
		return result;
	if (mp_entry_is_locked(entry)) {
		result = MP_DISABLED;
		*reason_r = "account is locked";
	} else if (mp_entry_is_disabled(entry)) {
		result = MP_DISABLED;
		*reason_r = "account is disabled (nologin)";
	} else {
		*reason_r = "account may log in";
	}
	mp_entry_free(&entry);
	return result;
}

enum mp_result
mp_auth_account_since(struct mp_auth *auth, const struct mp_account_seen *seen,
		      const char *user, size_t user_len, const char **reason_r)
{
	if (seen != NULL && user != NULL && user_len == seen->user_len &&
	    memcmp(user, seen->user, user_len) == 0 &&
	    mp_store_version_current(auth->store, &seen->version)) {
		*reason_r = "account may log in (store unchanged since the password check)";
		return MP_OK;
	}
	return mp_auth_account(auth, user, user_len, reason_r);
}

/* The edits of the management functions, run under the store's lock. */
enum change_kind { CHANGE_ADD, CHANGE_PASSWORD, CHANGE_APOP, CHANGE_DELETE };

struct change {
	enum change_kind kind;
	const char *user;
	const char *value;	/* stored value, APOP field, or NULL to remove */
};

static enum mp_result
change_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	  const char **reason_r)
{
	const struct change *change = context;

	*action_r = MP_EDIT_KEEP;
	if (change->kind == CHANGE_ADD) {
		if (*entry != NULL) {
			*reason_r = "user exists";
			return MP_MALFORMED;
		}
		*action_r = MP_EDIT_WRITE;
		return mp_entry_new(change->user, change->value, entry, reason_r);
	}
	if (*entry == NULL) {
		*reason_r = "unknown user";
		return MP_USER_UNKNOWN;
	}
	switch (change->kind) {
	case CHANGE_PASSWORD:
		*action_r = MP_EDIT_WRITE;
		return mp_entry_set_password(*entry, change->value, reason_r);
	case CHANGE_APOP:
		*action_r = MP_EDIT_WRITE;
		return mp_entry_set_extra(*entry, "apop", change->value, reason_r);
	case CHANGE_DELETE:
		*action_r = MP_EDIT_DELETE;
		return MP_OK;
	case CHANGE_ADD:
		break;
	}
	*reason_r = "unknown change";
	return MP_INTERNAL;
}

static enum mp_result
apply_change(struct mp_auth *auth, enum change_kind kind, const char *user, size_t user_len,
	     const char *value, const char **reason_r)
{
	char name[MP_USER_MAX + 1];
	struct change change = { .kind = kind, .user = name, .value = value };
	enum mp_result result;

	result = user_copy(user, user_len, name, reason_r);
	if (result != MP_OK)
		return result;
	return mp_store_edit(auth->store, name, change_fn, &change, reason_r);
}

enum mp_result
mp_auth_set_password(struct mp_auth *auth, const char *user, size_t user_len,
		     const char *password, size_t password_len, bool create,
		     const char **reason_r)
{
	char *stored = NULL;
	enum mp_result result;

	*reason_r = "";
	result = mp_user_name_check(user, user_len, reason_r);
	if (result == MP_OK)
		result = password_check(password, password_len, reason_r);
	if (result == MP_OK && password_len == 0) {
		*reason_r = "empty password";
		result = MP_MALFORMED;
	}
	if (result != MP_OK)
		return result;
	result = mp_scheme_hash(auth->conf.scheme, password, password_len, &auth->conf.hash,
				&stored, reason_r);
	if (result != MP_OK)
		return result;
	result = apply_change(auth, create ? CHANGE_ADD : CHANGE_PASSWORD, user, user_len,
			      stored, reason_r);
	mp_secret_free_str(&stored);
	if (result == MP_OK)
		*reason_r = create ? "user added" : "password changed";
	return result;
}

enum mp_result
mp_auth_set_apop(struct mp_auth *auth, const char *user, size_t user_len,
		 const char *secret, size_t secret_len, const char **reason_r)
{
	char *field = NULL;
	enum mp_result result;

	*reason_r = "";
	if (secret != NULL) {
		result = mp_apop_secret_seal(auth->have_apop_key ? auth->apop_key : NULL,
					     secret, secret_len, &field, reason_r);
		if (result != MP_OK)
			return result;
	}
	result = apply_change(auth, CHANGE_APOP, user, user_len, field, reason_r);
	mp_secret_free_str(&field);
	return result;
}

enum mp_result
mp_auth_delete(struct mp_auth *auth, const char *user, size_t user_len,
	       const char **reason_r)
{
	*reason_r = "";
	return apply_change(auth, CHANGE_DELETE, user, user_len, NULL, reason_r);
}
