/*
 * fuzz-import-dovecot.c - the record parser of "import --format dovecot",
 * import_dovecot_line() (tools/import-dovecot.c).
 *
 * Any input is one line of a Dovecot passwd-file.  It is parsed four
 * times: as it is, with --apop (a {PLAIN} value becomes the APOP secret),
 * with --apop and a --default-scheme (bare values get its prefix; PLAIN,
 * CRYPT or SHA512-CRYPT, chosen by the input's length), and with --users
 * alice,bob.  Every item must pass fuzz_import_check().
 */
#include <stdint.h>

#include "fuzz-import.h"

static const char *const default_schemes[] = { "PLAIN", "CRYPT", "SHA512-CRYPT" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_import f;

	fuzz_import_init(&f, IMPORT_DOVECOT, false);
	fuzz_import_line(&f, import_dovecot_line, data, size);

	f.opt.apop = true;
	fuzz_import_line(&f, import_dovecot_line, data, size);

	f.opt.default_scheme = mp_scheme_find(default_schemes[size % 3]);
	if (f.opt.default_scheme == NULL)
		abort();
	fuzz_import_line(&f, import_dovecot_line, data, size);

	fuzz_import_init(&f, IMPORT_DOVECOT, true);
	fuzz_import_line(&f, import_dovecot_line, data, size);
	return 0;
}
