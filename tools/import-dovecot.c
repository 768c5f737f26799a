/*
 * import-dovecot.c - "import --format dovecot": a Dovecot passwd-file.
 *
 * Lines are kept as they are, with their schemes, uid, gid, home and extra
 * fields.  The password field must be usable as a login judges it: a value
 * the scheme table recognises (a bare crypt string, DES included, stays
 * bare, as Dovecot's default scheme CRYPT reads it), or one the
 * --default-scheme (Dovecot's passdb "scheme=" argument) makes usable; a
 * cost over the ceilings or a {PLAIN} password no login can give (over
 * 1024 bytes) is refused.  Lock marks ('!', '*') are kept.  With --apop, a
 * value that yields the cleartext ({PLAIN}, the only way Dovecot serves
 * APOP) also becomes the user's APOP secret, so that APOP keeps working
 * after the login hash is upgraded.
 */
#include <string.h>

#include "import.h"
#include "secret.h"

/* check_apop_field - an apop= field that is there must open (sealed ones need the key). */
static bool
check_apop_field(struct import_job *job, struct import_item *item, const struct mp_entry *entry)
{
	const char *field = mp_entry_extra(entry, "apop"), *reason = "";
	unsigned char *secret = NULL;
	size_t secret_len = 0;
	enum mp_result result;

	if (field == NULL)
		return true;
	result = mp_apop_secret_open(field, NULL, &secret, &secret_len, &reason);
	mp_secret_free(&secret, secret_len);
	/* A sealed secret cannot be opened without the key: mailpass check does. */
	if (result == MP_OK || result == MP_UNAVAILABLE)
		return true;
	import_reject(job, item, "apop field: %s", reason);
	return false;
}

/* keep_cleartext - with --apop, the cleartext a {PLAIN}-like value holds. */
static bool
keep_cleartext(struct import_job *job, struct import_item *item, const char *stored)
{
	struct mp_stored parsed;
	const char *reason = "";
	bool ok;

	if (!job->opt->apop || mp_entry_extra(item->entry, "apop") != NULL)
		return true;
	if (mp_stored_parse(stored, strlen(stored), &parsed, &reason) != MP_OK)
		return true;
	ok = true;
	if (parsed.scheme->yields_cleartext)
		ok = import_set_cleartext(job, item, (const char *)parsed.data, parsed.data_len,
					  "cleartext password");
	mp_stored_clear(&parsed);
	return ok;
}

void
import_dovecot_line(struct import_job *job, struct import_item *item, char *line,
		    size_t len)
{
	const char *reason = "", *field, *value;
	char *stored = NULL, *locked = NULL;
	size_t marks;

	if (mp_entry_parse(line, len, &item->entry, &reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		return;
	}
	if (!import_set_user(job, item, mp_entry_user(item->entry),
			     strlen(mp_entry_user(item->entry))))
		return;
	field = mp_entry_password(item->entry);
	marks = strspn(field, "!*");
	value = field + marks;
	if (*value == '\0') {
		/* A locked field without a hash stays locked; an empty one is refused. */
		if (marks == 0)
			import_reject(job, item, "empty password field");
		return;
	}
	if (import_stored_value(job, item, value, job->opt->default_scheme, &stored,
				&reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		return;
	}
	if (strcmp(stored, value) != 0) {
		if (asprintf(&locked, "%.*s%s", (int)marks, field, stored) < 0) {
			locked = NULL;
			reason = "out of memory";
		} else if (mp_entry_set_password(item->entry, locked, &reason) == MP_OK) {
			reason = NULL;
		}
		mp_secret_free_str(&locked);
		if (reason != NULL) {
			mp_secret_free_str(&stored);
			import_reject(job, item, "%s", reason);
			return;
		}
	}
	if (check_apop_field(job, item, item->entry))
		(void)keep_cleartext(job, item, stored);
	mp_secret_free_str(&stored);
}

bool
import_read_dovecot(struct import_job *job)
{
	return import_read_lines(job, import_dovecot_line);
}
