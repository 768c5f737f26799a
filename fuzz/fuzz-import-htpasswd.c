/*
 * fuzz-import-htpasswd.c - the record parser of "import --format
 * htpasswd", import_htpasswd_line() (tools/import-htpasswd.c).
 *
 * Any input is one line of an Apache htpasswd file, parsed as it is and
 * with --users alice,bob.  Every item must pass fuzz_import_check().
 */
#include <stdint.h>

#include "fuzz-import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_import f;

	fuzz_import_init(&f, IMPORT_HTPASSWD, false);
	fuzz_import_line(&f, import_htpasswd_line, data, size);

	fuzz_import_init(&f, IMPORT_HTPASSWD, true);
	fuzz_import_line(&f, import_htpasswd_line, data, size);
	return 0;
}
