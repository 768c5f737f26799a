#ifndef MP_STORE_STAMP_H
#define MP_STORE_STAMP_H

#include <stdbool.h>
#include <sys/stat.h>

#include "result.h"

/*
 * The stamp of a passwd-file store: "<store>.stamp", one line that a mailpass
 * writer leaves beside the store file it has just written, saying "the store
 * file with this identity has no user twice".  The identity is the file's
 * device, inode, size, modification time and status-change time, to the
 * nanosecond, as fstat() reports them.
 *
 * A lookup refuses a user whose name is on two lines of the store, so
 * without a stamp it reads the store to its end even when the user's line is
 * the first.  When the stamp matches the file the lookup has open, no second
 * line can exist and the lookup stops at the user's line.  The stamp is
 * judged once, at the open: a line appended in place while the lookup reads
 * does not keep it from stopping at a user's line that the opened file held,
 * and the answer is the one that file gave, as if the lookup had come before
 * the append.
 *
 * A writer stamps only contents that it checked: a store it has read is
 * taken to be without a user twice on the word of the old stamp only when
 * the file's identity after the read is the one the old stamp matched
 * (mp_store_stamp_same_identity()), and the new file is stamped only when
 * no one wrote to it after its rename (mp_atomic_replace()).
 *
 * The status-change time (ctime) is what makes the stamp hard to fake:
 * anything that changes the file, its owner or its mode sets it to the
 * current time, and only the kernel can set it.  A file edited by hand, or
 * replaced, no longer matches its stamp, and lookups read it whole again
 * until the next mailpass write (or `mailpass stamp`) stamps it anew.  A
 * stamp that is missing, unreadable, malformed, stale, not a regular file,
 * owned by neither root nor the store's owner, or writable by group or
 * others is ignored, never an error: the lookup only loses its shortcut.
 */

/*
 * mp_store_stamp_matches - "<store_path>.stamp" is a stamp that a lookup may
 * trust (see above) and records the identity in store_st, the fstat() of the
 * store file the lookup has open.
 */
bool mp_store_stamp_matches(const char *store_path, const struct stat *store_st);

/*
 * mp_store_stamp_same_identity - a and b, two fstat()s, give the same stamp:
 * the same device, inode, size, modification time and status-change time.
 */
bool mp_store_stamp_same_identity(const struct stat *a, const struct stat *b);

/*
 * mp_store_stamp_write - write "<store_path>.stamp" for the store file whose
 * fstat() is store_st, which the caller has seen to have no user twice.  The
 * caller holds the store's lock (atomic-file.h), which serialises the
 * stamp's writers too.  The stamp is replaced as mp_atomic_replace()
 * replaces a file, with the owner, group, mode and ACL of the store file,
 * which must still be the file at store_path (it is not followed when it
 * is a symbolic link).
 *
 * Returns MP_OK, MP_UNAVAILABLE (cannot write it, or the store file at
 * store_path is no longer the one store_st describes; the old stamp is left)
 * or MP_INTERNAL (out of memory), with a static reason.
 */
enum mp_result mp_store_stamp_write(const char *store_path, const struct stat *store_st,
				    const char **reason_r);

#endif
