#ifndef MP_ENTRY_H
#define MP_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

/*
 * One passwd-file record, Dovecot's format:
 *   user:{SCHEME}data:uid:gid:gecos:home:shell:extra_fields
 * Only the first two fields are required.  Extra fields are space-separated
 * "key=value" (or bare "key") tokens; mailpass reads "apop" and "nologin".
 * Fields after the password are kept as they were, so rewriting a record
 * changes only what was edited.
 */

#define MP_ENTRY_FIELDS 8
enum mp_entry_field {
	MP_FIELD_USER = 0,
	MP_FIELD_PASSWORD,
	MP_FIELD_UID,
	MP_FIELD_GID,
	MP_FIELD_GECOS,
	MP_FIELD_HOME,
	MP_FIELD_SHELL,
	MP_FIELD_EXTRA,
};

struct mp_entry {
	char *field[MP_ENTRY_FIELDS];	/* NULL past field_count */
	unsigned int field_count;	/* 2..8 */
	char **extra;			/* tokens of MP_FIELD_EXTRA */
	unsigned int extra_count;
};

/*
 * mp_user_name_check - MP_OK when name[0..len) may be a user name: 1 to
 * MP_USER_MAX bytes, none of them ':', white space, a control character or
 * NUL, and no UTF-8 byte order mark (U+FEFF) anywhere.  MP_MALFORMED with a
 * reason otherwise.
 */
enum mp_result mp_user_name_check(const char *name, size_t len, const char **reason_r);

/*
 * mp_entry_parse - parse one line (without its newline).  Returns MP_OK,
 * MP_MALFORMED (no ':', bad user name, line over MP_LINE_MAX, NUL byte) or
 * MP_INTERNAL.
 */
enum mp_result mp_entry_parse(const char *line, size_t len, struct mp_entry **entry_r,
			      const char **reason_r);

/* mp_entry_new - a two-field record "user:password". */
enum mp_result mp_entry_new(const char *user, const char *password, struct mp_entry **entry_r,
			    const char **reason_r);

/* mp_entry_format - the record as one malloc'd line without newline, or NULL when out of memory. */
char *mp_entry_format(const struct mp_entry *entry);

/* mp_entry_free - wipe (the record holds hashes and secrets), free, set *entry to NULL. */
void mp_entry_free(struct mp_entry **entry);

/* mp_entry_dup - a deep copy, or NULL when out of memory. */
struct mp_entry *mp_entry_dup(const struct mp_entry *entry);

const char *mp_entry_user(const struct mp_entry *entry);
const char *mp_entry_password(const struct mp_entry *entry);

/* mp_entry_set_password - replace the password field; ':' and line breaks are MP_MALFORMED. */
enum mp_result mp_entry_set_password(struct mp_entry *entry, const char *value,
				     const char **reason_r);

/* mp_entry_extra - value of extra field key ("" for a bare key), or NULL when absent. */
const char *mp_entry_extra(const struct mp_entry *entry, const char *key);

/*
 * mp_entry_set_extra - set key=value, or remove key when value is NULL.  White
 * space, ':' and control characters in key or value are MP_MALFORMED.
 */
enum mp_result mp_entry_set_extra(struct mp_entry *entry, const char *key, const char *value,
				  const char **reason_r);

/* mp_entry_is_locked - the password field starts with '!' or '*'. */
bool mp_entry_is_locked(const struct mp_entry *entry);

/* mp_entry_is_disabled - locked, or the "nologin" extra field is present. */
bool mp_entry_is_disabled(const struct mp_entry *entry);

#endif
