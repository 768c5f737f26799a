#ifndef MP_ATOMIC_FILE_H
#define MP_ATOMIC_FILE_H

#include <stdbool.h>
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
 *	open and read path as old_fd, compute the new contents;
 *	mp_atomic_replace(path, chunks, count, old_fd, 0640, NULL, NULL, &reason);
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
 * lock file cannot be opened or locked (it is not a regular file, it has
 * another hard link, no permission, ...) or MP_INTERNAL.  *fd_r is -1 on
 * failure.  A lock file with another hard link is refused before it is
 * given path's owner and mode: the link could name any file.
 */
enum mp_result mp_atomic_lock(const char *path, int *fd_r, const char **reason_r);

/* mp_atomic_unlock - release and close the lock, set *fd to -1; -1 is fine. */
void mp_atomic_unlock(int *fd);

/*
 * mp_atomic_replace - replace path with the concatenation of chunks.  The
 * caller must hold mp_atomic_lock(path): under the lock, an existing
 * "<path>.tmp" can only be the leftover of a crash, so it is removed and
 * created afresh (O_EXCL | O_NOFOLLOW).
 *
 * old_fd is a descriptor of the file whose owner, group, mode and POSIX
 * access ACL (the "system.posix_acl_access" extended attribute) the new file
 * takes, normally the file being replaced, and failing to give it any of
 * them is an error.  An old file without an ACL, or on a file system
 * without extended attributes, gives none: an ACL the new file inherited
 * from its directory's default ACL is removed.  When old_fd is -1 the new
 * file gets new_mode whatever the umask (and keeps an inherited ACL).  The
 * data is fsync'ed before the rename and the directory after it.
 *
 * Returns MP_OK, MP_UNAVAILABLE (an I/O or permission failure; path is left
 * as it was and the temporary file is removed) or MP_INTERNAL (out of
 * memory).  The failures that come after the rename, a failed fstat of the
 * new file or fsync of the directory, are MP_UNAVAILABLE with a reason that
 * says the file was replaced.
 *
 * new_st_r and as_written_r are both NULL or both not.  On MP_OK,
 * *new_st_r is the new file's status, taken from the written file's own
 * descriptor after the rename (which changes its ctime), and *as_written_r
 * says whether that status is the identity of exactly the contents written:
 * true when the file's device, inode, size and modification time after the
 * rename are those the temporary file had after its fsync, false when
 * another process wrote to the file in place in between (an append by
 * hand).  Only an identity as written may go into a stamp
 * (store-stamp.h); otherwise the caller must not stamp the file, and
 * lookups read it whole, as for any store without a stamp.
 */
enum mp_result mp_atomic_replace(const char *path, const struct mp_atomic_chunk *chunks,
				 size_t count, int old_fd, mode_t new_mode,
				 struct stat *new_st_r, bool *as_written_r, const char **reason_r);

#endif
