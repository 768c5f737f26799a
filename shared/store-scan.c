/*
 * store-scan.c - one pass over a passwd-file in fixed-size reads: one user's
 * record, or the name field of every line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp-limits.h"
#include "secret.h"
#include "store-scan.h"

/*
 * The state of one scan.  buf[pos..len) is read but not yet looked at; pos
 * is a line start whenever the main loop comes round.
 */
struct scan {
	int fd;
	char *buf;
	size_t cap, len, pos;
	uint64_t base;		/* where buf[0] is, counted from the scan's first byte */
	size_t next_read;	/* bytes the next read() asks for, at most cap */
	size_t touched;		/* buf[0..touched) has held file data: what to wipe */
	bool eof;
	const char *user;
	size_t user_len;
	bool stop_at_first;	/* MP_STORE_SCAN_UNIQUE */
	unsigned int records;
	char *line;		/* the copy of the user's record (secret) */
	size_t line_len;
};

/*
 * fill - keep buf[pos..len) at the front of the buffer and read once after
 * it; eof is set when read() returns nothing.
 */
static enum mp_result
fill(struct scan *s, const char **reason_r)
{
	size_t want;
	ssize_t n;

	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->base += s->pos;
		s->len -= s->pos;
		s->pos = 0;
	}
	want = s->cap - s->len;
	if (want > s->next_read)
		want = s->next_read;
	if (s->next_read < s->cap)
		s->next_read *= 2;
	do {
		n = read(s->fd, s->buf + s->len, want);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		*reason_r = "cannot read the store file";
		return MP_UNAVAILABLE;
	}
	if (n == 0)
		s->eof = true;
	s->len += (size_t)n;
	if (s->touched < s->len)
		s->touched = s->len;
	return MP_OK;
}

/*
 * starts_record - the line at pos is the user's record.  The caller has
 * read more than user_len bytes of it, or up to the end of the file.
 */
static bool
starts_record(const struct scan *s)
{
	const char *p = s->buf + s->pos;
	size_t avail = s->len - s->pos, last = s->user_len - 1;

	if (avail < s->user_len)
		return false;
	/* The byte after the name, then its ends, rule out most lines without a call. */
	if (avail > s->user_len && p[s->user_len] != ':' && p[s->user_len] != '\n')
		return false;
	if (p[0] != s->user[0] || p[last] != s->user[last] || p[0] == '#')
		return false;
	return memcmp(p, s->user, s->user_len) == 0;
}

/* keep_bytes - append data to the copy of the record, up to MP_STORE_RECORD_COPY_MAX. */
static void
keep_bytes(struct scan *s, const char *data, size_t len)
{
	size_t room = MP_STORE_RECORD_COPY_MAX - s->line_len;

	if (len > room)
		len = room;
	memcpy(s->line + s->line_len, data, len);
	s->line_len += len;
}

/*
 * skip_line - move pos past the newline of the line it is in, or to the end
 * of the file, copying the bytes on the way when keep is set.
 */
static enum mp_result
skip_line(struct scan *s, bool keep, const char **reason_r)
{
	enum mp_result result;

	for (;;) {
		const char *start = s->buf + s->pos;
		const char *nl = memchr(start, '\n', s->len - s->pos);
		size_t len = nl != NULL ? (size_t)(nl - start) : s->len - s->pos;

		if (keep)
			keep_bytes(s, start, len);
		if (nl != NULL) {
			s->pos += len + 1;
			return MP_OK;
		}
		s->pos = s->len;
		if (s->eof)
			return MP_OK;
		result = fill(s, reason_r);
		if (result != MP_OK)
			return result;
	}
}

/*
 * scan_lines - count the user's records, copying the first; stop at the
 * second, or after the first when the file holds no user twice.
 */
static enum mp_result
scan_lines(struct scan *s, const char **reason_r)
{
	enum mp_result result;
	bool mine;

	for (;;) {
		/* The name and the byte after it decide; read until they are here. */
		while (s->len - s->pos <= s->user_len && !s->eof) {
			result = fill(s, reason_r);
			if (result != MP_OK)
				return result;
		}
		if (s->pos == s->len)
			return MP_OK;	/* the end of the file */
		mine = starts_record(s);
		if (mine && ++s->records > 1)
			return MP_OK;
		if (mine) {
			s->line = malloc(MP_STORE_RECORD_COPY_MAX + 1);
			if (s->line == NULL) {
				*reason_r = "out of memory";
				return MP_INTERNAL;
			}
		}
		result = skip_line(s, mine, reason_r);
		if (result != MP_OK || (mine && s->stop_at_first))
			return result;
	}
}

/*
 * name_field_length - the length of the name field of the line at pos (the
 * bytes before its first ':' or newline, or the whole last line), or 0 when
 * the line is a comment, its name field is empty, or it is longer than
 * name_max.  The caller has read a newline, more than name_max bytes of the
 * line, or up to the end of the file.
 */
static size_t
name_field_length(const struct scan *s, size_t name_max)
{
	const char *line = s->buf + s->pos;
	size_t avail = s->len - s->pos;
	size_t look = avail < name_max + 1 ? avail : name_max + 1;

	if (line[0] == '#')
		return 0;
	for (size_t i = 0; i < look; i++) {
		if (line[i] == ':' || line[i] == '\n')
			return i;
	}
	return s->eof && avail <= name_max ? avail : 0;
}

/* walk_names - fn for the name field of every line that may be a record. */
static enum mp_result
walk_names(struct scan *s, size_t name_max, mp_store_scan_name_fn *fn, void *context,
	   const char **reason_r)
{
	enum mp_result result;

	for (;;) {
		size_t name_len;

		while (!s->eof && s->len - s->pos <= name_max &&
		       memchr(s->buf + s->pos, '\n', s->len - s->pos) == NULL) {
			result = fill(s, reason_r);
			if (result != MP_OK)
				return result;
		}
		if (s->pos == s->len)
			return MP_OK;	/* the end of the file */
		name_len = name_field_length(s, name_max);
		if (name_len > 0) {
			result = fn(s->base + s->pos, s->buf + s->pos, name_len, context, reason_r);
			if (result != MP_OK)
				return result;
		}
		result = skip_line(s, false, reason_r);
		if (result != MP_OK)
			return result;
	}
}

enum mp_result
mp_store_scan_names(int fd, size_t chunk, size_t name_max, mp_store_scan_name_fn *fn,
		    void *context, const char **reason_r)
{
	struct scan s = { .fd = fd };
	enum mp_result result;

	/* Room for a name field and the byte after it, whatever the chunk. */
	s.cap = chunk != 0 ? chunk : MP_STORE_SCAN_CHUNK;
	if (s.cap <= name_max)
		s.cap = name_max + 1;
	s.next_read = chunk != 0 && chunk < s.cap ? chunk : s.cap;
	s.buf = malloc(s.cap);
	if (s.buf == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = walk_names(&s, name_max, fn, context, reason_r);
	mp_wipe(s.buf, s.touched);
	free(s.buf);
	return result;
}

enum mp_result
mp_store_scan_fd(int fd, const char *user, size_t chunk, unsigned int flags, char **line_r,
		 size_t *line_len_r, const char **reason_r)
{
	struct scan s = {
		.fd = fd, .user = user, .user_len = strlen(user),
		.stop_at_first = (flags & MP_STORE_SCAN_UNIQUE) != 0,
	};
	enum mp_result result;

	*line_r = NULL;
	*line_len_r = 0;
	if (s.user_len == 0 || s.user_len > MP_USER_MAX) {
		*reason_r = "user name is empty or longer than the limit";
		return MP_MALFORMED;
	}
	/* Room for the name and the byte after it, whatever the chunk. */
	s.cap = chunk != 0 ? chunk : MP_STORE_SCAN_CHUNK;
	if (s.cap <= s.user_len)
		s.cap = s.user_len + 1;
	/*
	 * A scan that may stop at the record starts with one page and doubles
	 * (fill()): a user near the top of a stamped store is found after one
	 * small read, and only the pages read into are touched (a first touch
	 * costs about 2 µs on the benchmark machine).  A scan that reads to the
	 * end asks for the whole buffer every time.
	 */
	s.next_read = s.stop_at_first && MP_STORE_SCAN_FIRST_READ < s.cap ?
		      MP_STORE_SCAN_FIRST_READ : s.cap;
	s.buf = malloc(s.cap);
	if (s.buf == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = scan_lines(&s, reason_r);
	/* Only what was read into: the rest was never written, nor its pages touched. */
	mp_wipe(s.buf, s.touched);
	free(s.buf);
	if (result == MP_OK && s.records == 0) {
		*reason_r = "unknown user";
		result = MP_USER_UNKNOWN;
	} else if (result == MP_OK && s.records > 1) {
		*reason_r = "user appears more than once in the store";
		result = MP_MALFORMED;
	}
	if (result != MP_OK) {
		if (s.line != NULL)
			mp_secret_free(&s.line, MP_STORE_RECORD_COPY_MAX + 1);
		return result;
	}
	s.line[s.line_len] = '\0';
	*line_r = s.line;
	*line_len_r = s.line_len;
	return MP_OK;
}
