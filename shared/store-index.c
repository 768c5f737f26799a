/* store-index.c - the per-process index of a passwd-file's records (store-index.h). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp-limits.h"
#include "secret.h"
#include "store-index.h"
#include "store-scan.h"
#include "store-stamp.h"

/* The longest name field worth indexing: a longer one is no valid user name. */
#define NAME_FIELD_MAX MP_USER_MAX

/*
 * The most lines an index takes (256 MiB while it is built, 192 MiB kept):
 * a larger file is scanned, so that no store, however odd, makes a server
 * allocate without bound.
 */
#define INDEX_LINES_MAX ((size_t)1 << 24)

/* The most hash buckets: 16 million, 64 MiB. */
#define BUCKET_BITS_MAX 24

/* One line that may be a record: its offset, and the low half of its name's hash. */
struct index_entry {
	uint32_t tag;
	uint32_t offset;
};

struct mp_store_index {
	struct stat st;			/* the identity of the file indexed */
	unsigned int bits;		/* 1 << bits buckets, chosen by the hash's top bits */
	uint32_t *bucket_start;		/* (1 << bits) + 1: bucket b is [start[b], start[b + 1]) */
	struct index_entry *entries;	/* in bucket order, in file order within a bucket */
};

/* A line found while building, before it is put in its bucket. */
struct found_line {
	uint64_t hash;
	uint32_t offset;
};

/* The lines a build has found, in file order. */
struct found_lines {
	struct found_line *lines;
	size_t count, cap;
};

/* name_hash - FNV-1a, 64 bits: the store is the admin's, so no one picks collisions. */
static uint64_t
name_hash(const char *name, size_t len)
{
	uint64_t hash = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++) {
		hash ^= (unsigned char)name[i];
		hash *= UINT64_C(1099511628211);
	}
	return hash;
}

static size_t
bucket_of(const struct mp_store_index *index, uint64_t hash)
{
	return (size_t)(hash >> (64 - index->bits));
}

/* add_line - a mp_store_scan_name_fn: one more line that may be a record. */
static enum mp_result
add_line(uint64_t offset, const char *name, size_t len, void *context, const char **reason_r)
{
	struct found_lines *found = context;

	if (offset > UINT32_MAX) {
		*reason_r = "the store file is too large to index";
		return MP_UNAVAILABLE;
	}
	if (found->count == INDEX_LINES_MAX) {
		*reason_r = "the store file has too many lines to index";
		return MP_UNAVAILABLE;
	}
	if (found->count == found->cap) {
		size_t cap = found->cap != 0 ? found->cap * 2 : 1024;
		struct found_line *lines = realloc(found->lines, cap * sizeof(*lines));

		if (lines == NULL) {
			*reason_r = "out of memory";
			return MP_INTERNAL;
		}
		found->lines = lines;
		found->cap = cap;
	}
	found->lines[found->count].hash = name_hash(name, len);
	found->lines[found->count].offset = (uint32_t)offset;
	found->count++;
	return MP_OK;
}

/* put_in_buckets - index's buckets and entries from the lines found, in file order. */
static enum mp_result
put_in_buckets(struct mp_store_index *index, const struct found_line *lines, size_t count,
	       const char **reason_r)
{
	size_t buckets;
	uint32_t *next;

	index->bits = 4;
	while (index->bits < BUCKET_BITS_MAX && ((size_t)1 << index->bits) < count)
		index->bits++;
	buckets = (size_t)1 << index->bits;
	index->bucket_start = calloc(buckets + 1, sizeof(*index->bucket_start));
	index->entries = malloc((count != 0 ? count : 1) * sizeof(*index->entries));
	next = malloc(buckets * sizeof(*next));
	if (index->bucket_start == NULL || index->entries == NULL || next == NULL) {
		free(next);
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	for (size_t i = 0; i < count; i++)
		index->bucket_start[bucket_of(index, lines[i].hash) + 1]++;
	for (size_t b = 0; b < buckets; b++) {
		index->bucket_start[b + 1] += index->bucket_start[b];
		next[b] = index->bucket_start[b];
	}
	for (size_t i = 0; i < count; i++) {
		struct index_entry *e = &index->entries[next[bucket_of(index, lines[i].hash)]++];

		e->tag = (uint32_t)lines[i].hash;
		e->offset = lines[i].offset;
	}
	free(next);
	return MP_OK;
}

enum mp_result
mp_store_index_build(int fd, const struct stat *st, size_t chunk,
		     struct mp_store_index **index_r, const char **reason_r)
{
	struct found_lines found = { .lines = NULL };
	struct mp_store_index *index;
	struct stat after;
	enum mp_result result;

	*index_r = NULL;
	if ((uintmax_t)st->st_size > UINT32_MAX) {
		*reason_r = "the store file is too large to index";
		return MP_UNAVAILABLE;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		*reason_r = "cannot read the store file";
		return MP_UNAVAILABLE;
	}
	index = calloc(1, sizeof(*index));
	if (index == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = mp_store_scan_names(fd, chunk, NAME_FIELD_MAX, add_line, &found, reason_r);
	if (result == MP_OK && (fstat(fd, &after) != 0 ||
				!mp_store_stamp_same_identity(st, &after))) {
		*reason_r = "the store file changed while it was indexed";
		result = MP_UNAVAILABLE;
	}
	if (result == MP_OK)
		result = put_in_buckets(index, found.lines, found.count, reason_r);
	free(found.lines);
	if (result != MP_OK) {
		mp_store_index_free(&index);
		return result;
	}
	index->st = *st;
	*index_r = index;
	return MP_OK;
}

/*
 * read_record - the line at offset, cut as store-scan.c cuts a record: into
 * buf (MP_STORE_RECORD_COPY_MAX + 1 bytes), with the byte before it when
 * there is one, so that *line_r is known to start a line of the file as it
 * is now.
 * *line_r is NULL when it does not (a file changed within one tick of a
 * coarse file clock, store-index.h); *read_r is what buf received.
 */
static enum mp_result
read_record(int fd, uint32_t offset, char *buf, const char **line_r, size_t *len_r,
	    size_t *read_r, const char **reason_r)
{
	size_t lead = offset > 0 ? 1 : 0, want = MP_STORE_RECORD_COPY_MAX + lead, got = 0;
	off_t start = (off_t)offset - (off_t)lead;
	const char *nl;

	*line_r = NULL;
	*len_r = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, start + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*reason_r = "cannot read the store file";
			*read_r = got;
			return MP_UNAVAILABLE;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		/* A regular file gives all at once; a short read is rare. */
		if (got > lead && memchr(buf + lead, '\n', got - lead) != NULL)
			break;
	}
	*read_r = got;
	if (got < lead || (lead == 1 && buf[0] != '\n'))
		return MP_OK;
	*line_r = buf + lead;
	nl = memchr(*line_r, '\n', got - lead);
	*len_r = nl != NULL ? (size_t)(nl - *line_r) : got - lead;
	return MP_OK;
}

/* is_record_of - the line is user's record by the rule of store-scan.h. */
static bool
is_record_of(const char *line, size_t len, const char *user, size_t user_len)
{
	return len >= user_len && line[0] != '#' && memcmp(line, user, user_len) == 0 &&
	       (len == user_len || line[user_len] == ':');
}

enum mp_result
mp_store_index_find(const struct mp_store_index *index, int fd, const char *user,
		    char **line_r, size_t *line_len_r, const char **reason_r)
{
	size_t user_len = strlen(user);
	uint64_t hash = name_hash(user, user_len);
	size_t bucket = bucket_of(index, hash);
	enum mp_result result = MP_OK;
	unsigned int records = 0;
	char *buf, *copy = NULL;
	size_t copy_len = 0;

	*line_r = NULL;
	*line_len_r = 0;
	buf = malloc(MP_STORE_RECORD_COPY_MAX + 1);
	if (buf == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	for (uint32_t i = index->bucket_start[bucket];
	     i < index->bucket_start[bucket + 1] && records < 2 && result == MP_OK; i++) {
		const char *line = NULL;
		size_t len = 0, got = 0;

		if (index->entries[i].tag != (uint32_t)hash)
			continue;
		result = read_record(fd, index->entries[i].offset, buf, &line, &len, &got,
				     reason_r);
		if (result == MP_OK && line != NULL && is_record_of(line, len, user, user_len) &&
		    ++records == 1) {
			copy = malloc(MP_STORE_RECORD_COPY_MAX + 1);
			if (copy == NULL) {
				*reason_r = "out of memory";
				result = MP_INTERNAL;
			} else {
				memcpy(copy, line, len);
				copy[len] = '\0';
				copy_len = len;
			}
		}
		mp_wipe(buf, got);
	}
	free(buf);
	if (result == MP_OK && records == 0) {
		*reason_r = "unknown user";
		result = MP_USER_UNKNOWN;
	} else if (result == MP_OK && records > 1) {
		*reason_r = "user appears more than once in the store";
		result = MP_MALFORMED;
	}
	if (result != MP_OK) {
		if (copy != NULL)
			mp_secret_free(&copy, MP_STORE_RECORD_COPY_MAX + 1);
		return result;
	}
	*line_r = copy;
	*line_len_r = copy_len;
	return MP_OK;
}

void
mp_store_index_free(struct mp_store_index **index)
{
	if (*index == NULL)
		return;
	free((*index)->bucket_start);
	free((*index)->entries);
	free(*index);
	*index = NULL;
}

/*
 * The process's index; the identity of the file looked up last without one
 * (the second lookup in a row of the same file builds the index); and the
 * identity of a file whose build failed, which is not tried again.
 */
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mp_store_index *process_index;
static struct stat last_looked_up, not_indexable;
static bool have_last_looked_up, have_not_indexable;

bool
mp_store_index_lookup(int fd, const struct stat *st, const char *user,
		      enum mp_result *result_r, char **line_r, size_t *line_len_r,
		      const char **reason_r)
{
	const char *build_reason;
	bool answered = false;

	if (st->st_size < MP_STORE_INDEX_MIN_SIZE || (uintmax_t)st->st_size > UINT32_MAX)
		return false;
	if (pthread_mutex_lock(&index_lock) != 0)
		return false;
	if (have_not_indexable && mp_store_stamp_same_identity(&not_indexable, st)) {
		(void)pthread_mutex_unlock(&index_lock);
		return false;
	}
	if (process_index == NULL || !mp_store_stamp_same_identity(&process_index->st, st)) {
		bool second = have_last_looked_up &&
			      mp_store_stamp_same_identity(&last_looked_up, st);

		mp_store_index_free(&process_index);
		last_looked_up = *st;
		have_last_looked_up = !second;
		/* A build that fails leaves the file to the scan, from its start. */
		if (second && mp_store_index_build(fd, st, 0, &process_index, &build_reason) !=
			      MP_OK) {
			not_indexable = *st;
			have_not_indexable = true;
			if (lseek(fd, 0, SEEK_SET) != 0) {
				*result_r = MP_UNAVAILABLE;
				*line_r = NULL;
				*line_len_r = 0;
				*reason_r = "cannot read the store file";
				answered = true;
			}
		}
	}
	if (!answered && process_index != NULL) {
		*result_r = mp_store_index_find(process_index, fd, user, line_r, line_len_r,
						reason_r);
		answered = true;
	}
	(void)pthread_mutex_unlock(&index_lock);
	return answered;
}

bool
mp_store_index_current(const struct stat *st)
{
	bool current = false;

	if (pthread_mutex_lock(&index_lock) != 0)
		return false;
	current = process_index != NULL && mp_store_stamp_same_identity(&process_index->st, st);
	(void)pthread_mutex_unlock(&index_lock);
	return current;
}
