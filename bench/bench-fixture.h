#ifndef MP_BENCH_FIXTURE_H
#define MP_BENCH_FIXTURE_H

#include <stddef.h>

/* Temporary directories and built files the benchmark programs need. */

/*
 * bench_tmpdir_make - a new directory "$TMPDIR/PREFIX.XXXXXX" (else under
 * /tmp) in path_r, remembered so that bench_tmpdir_remove() finds it; fatal
 * on error.  One directory per program.
 */
void bench_tmpdir_make(const char *prefix, char *path_r, size_t size);

/*
 * bench_tmpdir_remove - remove the directory of bench_tmpdir_make() and
 * everything below it; nothing when there is none.  Safe to call twice, so
 * that it can be the cleanup of bench_init().
 */
void bench_tmpdir_remove(void);

/* bench_join - "dir/name" into buf; fatal when it does not fit. */
void bench_join(char *buf, size_t size, const char *dir, const char *name);

/*
 * bench_find_built - the absolute path of a file of the build tree: the
 * option when given, else the environment variable env, else relative
 * beside the program ("PROGRAM_DIR/../relative"), else relative under the
 * current directory (the top of the build tree, where make runs).  Fatal
 * when none exists; what names the file in the message.
 */
void bench_find_built(const char *option, const char *env, const char *relative,
		      const char *what, char *path_r, size_t size);

#endif
