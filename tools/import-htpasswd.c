/*
 * import-htpasswd.c - "import --format htpasswd": Apache's "user:hash"
 * lines.  Blanks (spaces and tabs) at the end of a line are removed, as
 * Apache's reader of the file (ap_cfg_getline()) removes them, so that a
 * hash pasted with a trailing blank is the hash Apache checks.  Apache
 * removes leading blanks too; here they stay, and the line is rejected for
 * its invalid user name.  The hashes are stored as they are when the
 * scheme table recognises them and a login can use them (bcrypt "$2y$",
 * Apache's "$apr1$", "{SHA}", crypt(3) strings, a bare DES string
 * included).  Anything else, such as the cleartext of "htpasswd -p", is
 * rejected with the reason.
 */
#include <string.h>

#include "import.h"
#include "secret.h"

/* is_blank - a space or a tab. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void
import_htpasswd_line(struct import_job *job, struct import_item *item, char *line,
		     size_t len)
{
	char *colon, *hash, *stored = NULL;
	const char *reason = "";

	while (len > 0 && is_blank(line[len - 1]))
		line[--len] = '\0';
	colon = memchr(line, ':', len);
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
	if (import_stored_value(job, item, hash, NULL, &stored, &reason) != MP_OK ||
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
