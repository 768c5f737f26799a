/*
 * fuzz-import-shadow.c - the record parser of "import --format shadow",
 * import_shadow_line() (tools/import-shadow.c).
 *
 * Any input is one line of /etc/shadow, parsed as it is and with --users
 * alice,bob (--min-uid needs a passwd file and is left out).  Every item
 * must pass fuzz_import_check().
 */
#include <stdint.h>

#include "fuzz-import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_import f;

	fuzz_import_init(&f, IMPORT_SHADOW, false);
	fuzz_import_line(&f, import_shadow_line, data, size);

	fuzz_import_init(&f, IMPORT_SHADOW, true);
	fuzz_import_line(&f, import_shadow_line, data, size);
	return 0;
}
