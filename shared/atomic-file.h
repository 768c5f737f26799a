#ifndef MP_ATOMIC_FILE_H
#define MP_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "result.h"

/*
 * Replacing a file so that a reader sees either the old or the new contents,
 * never a mix, and a crash loses neither: lock, write "<path>.tmp" in the
 * same directory, fsync, rename over path, fsync the directory.
 *
 * Writers serialise on "<path>.lock", a separate file that is created when
 * missing (mode 0600) and never removed, and that takes the owner, group and
 * read/write bits of path where it can, so that whoever may write path may
 * also lock it.  The file itself is never locked,
 * since rename replaces it.  The lock is flock(2): it works between threads
 * of one process as well as between processes, because each lock call opens
 * the lock file afresh.
 *
 * Typical use:
 *	mp_atomic_lock(path, &lock_fd, &reason);
 *	read path, compute the new contents;
 *	mp_atomic_replace(path, chunks, count, &old_st, 0640, &reason);
 *	mp_atomic_unlock(&lock_fd);
 */

/* One piece of the new contents; the file is the pieces in order. */
struct mp_atomic_chunk {
	const void *data;
	size_t len;
};

/*
 * mp_atomic_lock - open (creating it with mode 0600 if needed) "<path>.lock"
 * and take an exclusive lock on it, waiting while another writer holds it.
 * Returns MP_OK with the lock's descriptor in *fd_r, MP_UNAVAILABLE when the
 * lock file cannot be opened or locked (it is not a regular file, no
 * permission, ...) or MP_INTERNAL.  *fd_r is -1 on failure.
 */
enum mp_result mp_atomic_lock(const char *path, int *fd_r, const char **reason_r);

/* mp_atomic_unlock - release and close the lock, set *fd to -1; -1 is fine. */
void mp_atomic_unlock(int *fd);

/*
 * mp_atomic_replace - replace path with the concatenation of chunks.  The
 * caller must hold mp_atomic_lock(path): under the lock, an existing
 * "<path>.tmp" can only be the leftover of a crash, so it is removed and
 * created afresh (O_EXCL | O_NOFOLLOW).  When old_st describes the file
 * being replaced, its mode and owner are given to the new file, and failing
 * to do so is an error; when old_st is NULL the new file gets new_mode
 * whatever the umask.  The data is fsync'ed before the rename and the
 * directory after it.
 *
 * Returns MP_OK, MP_UNAVAILABLE (an I/O or permission failure; path is left
 * as it was and the temporary file is removed) or MP_INTERNAL (out of
 * memory).  The failures that come after the rename, a failed fstat of the
 * new file or fsync of the directory, are MP_UNAVAILABLE with a reason that
 * says the file was replaced.
 *
 * When new_st_r is not NULL, on MP_OK it holds the new file's status, taken
 * from the written file's own descriptor after the rename (which changes its
 * ctime): the identity a stamp of the new contents records (store-stamp.h).
 */
enum mp_result mp_atomic_replace(const char *path, const struct mp_atomic_chunk *chunks,
				 size_t count, const struct stat *old_st, mode_t new_mode,
				 struct stat *new_st_r, const char **reason_r);

#endif
