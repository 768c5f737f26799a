#ifndef MP_STORE_SCAN_H
#define MP_STORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "mp-limits.h"
#include "result.h"

/*
 * Finding one user's record in a passwd-file without holding the file in
 * memory.  The file is read once, front to back, through a buffer of a fixed
 * size; at each line start the user name is compared, and the rest of the
 * line is skipped with memchr().  Only the user's own record is copied out.
 *
 * A line is the user's record exactly when the edit path would take it for
 * one (store-file.c, batch_scan()): it starts with the user name followed by
 * ':', by the end of the line or by the end of the file, and it is not a '#'
 * comment.  Lines end at '\n' only: a '\r' (CRLF files) or a NUL byte is part
 * of the line, so such a record is found and then refused by
 * mp_entry_parse().  A blank line never matches, since a user name holds no
 * white space.
 */

/* The read buffer's size when the caller does not choose. */
#define MP_STORE_SCAN_CHUNK (64 * 1024)

/*
 * The longest copy of a record a lookup hands out: one byte over
 * MP_LINE_MAX, which tells mp_entry_parse() that the line is too long.
 */
#define MP_STORE_RECORD_COPY_MAX (MP_LINE_MAX + 1)

/* What the first read() of an MP_STORE_SCAN_UNIQUE scan asks for: one page. */
#define MP_STORE_SCAN_FIRST_READ 4096

/*
 * The file is known to hold no user twice (its stamp matches, store-stamp.h):
 * stop at the user's record instead of reading on for a second one.
 */
#define MP_STORE_SCAN_UNIQUE 0x1u

/*
 * mp_store_scan_fd - read fd from its current offset to its end and find
 * user's record.  user must have passed mp_user_name_check() (1 to
 * MP_USER_MAX bytes, no ':', white space or control character).  chunk is
 * the size of the read buffer, 0 for MP_STORE_SCAN_CHUNK; any value from 1
 * up works (the tests use tiny ones to put lines across reads).  With
 * MP_STORE_SCAN_UNIQUE the first read() asks for at most
 * MP_STORE_SCAN_FIRST_READ bytes and each later one for twice as much;
 * otherwise each asks for the whole buffer.
 * flags is 0 or MP_STORE_SCAN_UNIQUE.
 *
 * Returns
 *   MP_OK            exactly one record: *line_r is a malloc'd copy of it
 *                    without its newline, NUL-terminated, and *line_len_r its
 *                    length.  A record longer than MP_LINE_MAX is cut to
 *                    MP_STORE_RECORD_COPY_MAX bytes, which mp_entry_parse() refuses
 *                    for its length as it would the whole line.  The copy
 *                    holds the user's hash: release it with
 *                    mp_secret_free(line_r, *line_len_r + 1).
 *   MP_USER_UNKNOWN  no record ("unknown user")
 *   MP_MALFORMED     two records or more ("user appears more than once in
 *                    the store"): neither is ever returned.  The scan stops
 *                    at the second.  With MP_STORE_SCAN_UNIQUE the scan
 *                    stops at the first and returns it: the caller has
 *                    vouched that there is no second.
 *   MP_UNAVAILABLE   read() failed
 *   MP_INTERNAL      out of memory
 * On every result but MP_OK, *line_r is NULL and *line_len_r 0.  The read
 * buffer, which holds other users' hashes, is wiped (as far as data was read
 * into it) before it is freed.
 */
enum mp_result mp_store_scan_fd(int fd, const char *user, size_t chunk, unsigned int flags,
				char **line_r, size_t *line_len_r, const char **reason_r);

/*
 * Called by mp_store_scan_names() for a line that may be a record: offset is
 * where the line starts, counted from the scan's first byte, and name[0..len)
 * its name field, valid during the call.  A result other than MP_OK stops the
 * scan and is returned.
 */
typedef enum mp_result mp_store_scan_name_fn(uint64_t offset, const char *name, size_t len,
					     void *context, const char **reason_r);

/*
 * mp_store_scan_names - read fd from its current offset to its end and call
 * fn, in file order, for each line that may be the record of a user name of
 * at most name_max bytes by the rule above: not a '#' comment, and with a
 * name field (the bytes before the first ':' or the line's end) of 1 to
 * name_max bytes.  chunk as for mp_store_scan_fd(), but the buffer holds at
 * least name_max + 1 bytes.  Returns MP_OK, MP_UNAVAILABLE (read() failed),
 * MP_INTERNAL (out of memory) or what fn returned.  The read buffer is wiped
 * as far as data was read into it.
 */
enum mp_result mp_store_scan_names(int fd, size_t chunk, size_t name_max,
				   mp_store_scan_name_fn *fn, void *context,
				   const char **reason_r);

#endif
