#ifndef MP_STORE_INDEX_H
#define MP_STORE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "result.h"

/*
 * An index of a passwd-file's records for a process that looks up many users
 * in the same file: a Dovecot authentication worker (the PAM module stays
 * loaded between logins), a Cyrus or Postfix process that loaded the SASL
 * plugin.  It holds, for every line that could be a record, the line's
 * offset and a hash of its name field (the text before the first ':' or the
 * line end); no secret.  A lookup through it hashes the name, reads the few
 * lines whose hash matches with pread(), and answers exactly what
 * mp_store_scan_fd() would (store-scan.h): the same record, "unknown user",
 * or "user appears more than once in the store".
 *
 * The index is of one file identity (device, inode, size, modification and
 * status-change time: store-stamp.h) and answers only for a descriptor whose
 * fstat() gives that identity: anything that writes, replaces, chmods or
 * chowns the file makes the next lookups scan again.  One index per process,
 * of the store looked up last; 8 bytes per line plus up to 8 more for the
 * hash buckets (12 MiB for a million users); a file of more than 16 million
 * lines is scanned.
 */

/* Smaller files are scanned: one read of them costs less than the index. */
#define MP_STORE_INDEX_MIN_SIZE ((off_t)256 * 1024)

/*
 * mp_store_index_lookup - answer the lookup of user (a name that passed
 * mp_user_name_check()) in the file open on fd, whose fstat() st the caller
 * has judged, from the process's index.  The index is built, from fd, at the
 * second lookup in a row of a file of st's identity in this process, so that
 * a process that looks up once (pamtester, a forking server) never pays for
 * it.  Returns false when it did not answer (no index of st's identity and
 * none built now; a file smaller than MP_STORE_INDEX_MIN_SIZE or of 4 GiB or
 * more; no memory, a read error or a change of the file while building):
 * the caller scans, and fd (which must be at the file's start) is there
 * again.  On true, *result_r,
 * *line_r and *line_len_r are what mp_store_scan_fd() gives (fd's offset is
 * then anywhere).
 * Safe to call from several threads.
 */
bool mp_store_index_lookup(int fd, const struct stat *st, const char *user,
			   enum mp_result *result_r, char **line_r, size_t *line_len_r,
			   const char **reason_r);

/* mp_store_index_current - the process's index is of a file with st's identity. */
bool mp_store_index_current(const struct stat *st);

/* The parts, for the tests. */
struct mp_store_index;

/*
 * mp_store_index_build - index the file open on fd, read from its start
 * (the descriptor's offset is moved) by mp_store_scan_names() with chunk,
 * and remember st as its identity.  Returns MP_OK, MP_UNAVAILABLE (a read
 * failed, the file is 4 GiB or more, or fstat() after the read no longer
 * gives st's identity) or MP_INTERNAL.  The read buffer is wiped.
 */
enum mp_result mp_store_index_build(int fd, const struct stat *st, size_t chunk,
				    struct mp_store_index **index_r, const char **reason_r);

/*
 * mp_store_index_find - user's record through index, reading the file open
 * on fd (the file the index was built from): results as mp_store_scan_fd().
 */
enum mp_result mp_store_index_find(const struct mp_store_index *index, int fd,
				   const char *user, char **line_r, size_t *line_len_r,
				   const char **reason_r);

/* mp_store_index_free - free and set *index to NULL; NULL is fine. */
void mp_store_index_free(struct mp_store_index **index);

#endif
