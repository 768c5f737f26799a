/*
 * import-htpasswd.c - "import --format htpasswd": Apache's "user:hash"
 * lines.  The hashes are stored as they are when the scheme table
 * recognises them (bcrypt "$2y$", Apache's "$apr1$", "{SHA}", crypt(3)
 * strings); a bare traditional DES string gets {DES-CRYPT}.  Anything else,
 * such as the cleartext of "htpasswd -p", is rejected with the reason.
 */
#include <string.h>

#include "import.h"
#include "secret.h"

void
import_htpasswd_line(struct import_job *job, struct import_item *item, char *line,
		     size_t len)
{
	char *colon = memchr(line, ':', len), *hash, *stored = NULL;
	const char *reason = "";

	if (colon == NULL) {
		import_reject(job, item, "no ':' after the user name");
		return;
	}
	if (!import_set_user(job, item, line, (size_t)(colon - line)))
		return;
	hash = colon + 1;
	if (strchr(hash, ':') != NULL) {
		import_reject(job, item, "more than two fields (an htdigest file?)");
		return;
	}
	if (*hash == '\0') {
		import_reject(job, item, "empty password field");
		return;
	}
	if (import_stored_value(hash, NULL, &stored, &reason) != MP_OK ||
	    mp_entry_new(item->user, stored, &item->entry, &reason) != MP_OK) {
		mp_secret_free_str(&stored);
		import_reject(job, item, "%s", reason);
		return;
	}
	mp_secret_free_str(&stored);
}

bool
import_read_htpasswd(struct import_job *job)
{
	return import_read_lines(job, import_htpasswd_line);
}
