#ifndef MP_TEST_FIXTURE_FILES_H
#define MP_TEST_FIXTURE_FILES_H

/*
 * The files of an integration test's fixture (tests/pam-test.c,
 * tests/sasl-test.c): a private directory, whole files written and read,
 * and a user's line in a passwd-file store.  Failures that the caller can
 * act on return false or NULL and say why on stderr; running out of memory
 * aborts.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * mp_fixture_make_dir - a new private directory
 * $TMPDIR/mailpass-NAME.XXXXXX ($TMPDIR unset or empty: /tmp), its path in
 * dir; false when it cannot be made.
 */
bool mp_fixture_make_dir(char *dir, size_t size, const char *name);

/* mp_fixture_remove_dir - dir and everything below it; "" is left alone. */
void mp_fixture_remove_dir(const char *dir);

/*
 * mp_fixture_write - create or truncate path to hold text, with exactly
 * mode whatever the umask; false when it cannot.
 */
bool mp_fixture_write(const char *path, const char *text, mode_t mode);

/*
 * mp_fixture_read - path's text from offset on, malloc'd and
 * NUL-terminated; "" when the file is missing or not that long.
 */
char *mp_fixture_read(const char *path, off_t offset);

/* mp_fixture_size - path's size in bytes; 0 when it is missing. */
off_t mp_fixture_size(const char *path);

/*
 * mp_fixture_store_line - the first line of the passwd-file store that
 * belongs to user (it starts "user:"), malloc'd, or NULL when there is none.
 */
char *mp_fixture_store_line(const char *store, const char *user);

#endif
