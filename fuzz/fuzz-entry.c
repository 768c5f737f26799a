/*
 * fuzz-entry.c - the passwd-file line parser.
 *
 * Any input is one line (without its newline).  When mp_entry_parse()
 * accepts it, mp_entry_format() of the untouched record must give back the
 * same bytes, and the accessors must return NUL-terminated strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "result.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_entry *entry = NULL, *copy;
	const char *reason = NULL;
	char *line;

	if (mp_entry_parse((const char *)data, size, &entry, &reason) != MP_OK) {
		if (entry != NULL)
			abort();	/* no record on failure */
		return 0;
	}
	line = mp_entry_format(entry);
	if (line == NULL)
		abort();
	if (strlen(line) != size || memcmp(line, data, size) != 0)
		abort();	/* round trip changed the line */
	(void)strlen(mp_entry_user(entry));
	(void)strlen(mp_entry_password(entry));
	(void)mp_entry_extra(entry, "apop");
	(void)mp_entry_is_locked(entry);
	(void)mp_entry_is_disabled(entry);

	copy = mp_entry_dup(entry);
	if (copy != NULL) {
		char *again = mp_entry_format(copy);

		if (again == NULL || strcmp(again, line) != 0)
			abort();	/* a copy formats differently */
		free(again);
		mp_entry_free(&copy);
	}
	free(line);
	mp_entry_free(&entry);
	return 0;
}
