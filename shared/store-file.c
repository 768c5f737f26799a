/* store-file.c - the "file:" store: a Dovecot-compatible passwd-file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "file-safety.h"
#include "mp-limits.h"
#include "name-set.h"
#include "secret.h"
#include "store-scan.h"
#include "store-index.h"
#include "store-stamp.h"
#include "store.h"

/* Mode of a store file that an edit creates. */
#define FILE_STORE_NEW_MODE 0640

/*
 * The handle holds only what open() and mp_store_file_set_owner() computed
 * and never changes it afterwards, so one handle may be used by several
 * threads at once.  Every call opens the file afresh: a writer replaces it
 * by rename, and a reader that opened the old file keeps reading the old,
 * complete contents.
 *
 * A lookup reads the file once in fixed-size chunks and keeps only the
 * user's record (store-scan.c), up to the end of the file, or up to the
 * record when the store's stamp says no user is there twice
 * (store-stamp.h).  Every edit that leaves the store without a user twice
 * stamps it.  Edits and iteration read the file whole.  The file
 * is never mapped: a file truncated in place by hand (cp over it, a shell
 * redirection) under a mapping would raise SIGBUS inside the mail server.
 */
struct file_store {
	struct mp_store store;	/* first: the generic handle */
	char *path;
	char owner[MP_OWNER_NAME_MAX + 1];	/* store_owner, "" for none */
};

/* The contents of the store file as read by one call. */
struct file_data {
	char *data;
	size_t len;
	size_t size;		/* allocated, wiped on release */
	bool exists;
	struct stat st;		/* fstat() at the open */
	bool steady;		/* fstat() after the read gave st's identity again */
	int fd;			/* the file read, open until release; -1 for none */
};

/* One line of the store; start..end covers its newline when it has one. */
struct file_line {
	const char *text;
	size_t len;
	size_t start, end;
	unsigned long no;
};

static void
file_data_free(struct file_data *file)
{
	/* The buffer holds every user's hash and APOP secret. */
	if (file->data != NULL) {
		mp_wipe(file->data, file->size);
		free(file->data);
	}
	if (file->fd >= 0)
		(void)close(file->fd);
	memset(file, 0, sizeof(*file));
	file->fd = -1;
}

/* read_all - read fd to its end; size_hint is the size fstat reported. */
static enum mp_result
read_all(int fd, off_t size_hint, struct file_data *file, const char **reason_r)
{
	size_t size;

	/* One byte more than the expected size lets the first read see the end. */
	if (size_hint < 0 || (uintmax_t)size_hint >= SIZE_MAX / 2) {
		*reason_r = "store file is too large";
		return MP_UNAVAILABLE;
	}
	size = (size_t)size_hint + 1;
	file->data = malloc(size);
	if (file->data == NULL)
		goto nomem;
	file->size = size;
	for (;;) {
		ssize_t n;

		if (file->len == file->size) {
			/* The file grew while we read it; move to a bigger buffer. */
			char *bigger;

			if (file->size >= SIZE_MAX / 4) {
				*reason_r = "store file is too large";
				return MP_UNAVAILABLE;
			}
			bigger = malloc(file->size * 2);
			if (bigger == NULL)
				goto nomem;
			memcpy(bigger, file->data, file->len);
			mp_wipe(file->data, file->size);
			free(file->data);
			file->data = bigger;
			file->size *= 2;
		}
		n = read(fd, file->data + file->len, file->size - file->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*reason_r = "cannot read the store file";
			return MP_UNAVAILABLE;
		}
		if (n == 0)
			return MP_OK;
		file->len += (size_t)n;
	}
nomem:
	*reason_r = "out of memory";
	return MP_INTERNAL;
}

/*
 * file_open_checked - open the store file to read it, and fstat it into
 * file->st; *fd_r is the descriptor, or -1 for an edit's missing file.  For
 * an edit (for_edit), a missing file is an empty store and a symbolic link
 * is refused, since the rename would replace the link rather than the file
 * it points to.  For lookups a missing file is MP_UNAVAILABLE.  The
 * descriptor read is judged by mp_file_safety_check(): an unsafe owner or
 * mode is MP_UNAVAILABLE.
 */
static enum mp_result
file_open_checked(const struct file_store *fs, bool for_edit, struct file_data *file,
		  int *fd_r, const char **reason_r)
{
	int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	const char *path = fs->path;
	int fd;

	*fd_r = -1;
	memset(file, 0, sizeof(*file));
	file->fd = -1;
	if (for_edit)
		flags |= O_NOFOLLOW;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, flags);
	if (fd < 0) {
		switch (errno) {
		case ENOENT:
			if (for_edit)
				return MP_OK;
			*reason_r = "store file does not exist";
			break;
		case EACCES:
		case EPERM:
			*reason_r = "permission denied reading the store file";
			break;
		case ENOTDIR:
			*reason_r = "a component of the store path is not a directory";
			break;
		case ELOOP:
			*reason_r = for_edit ?
				"store file is a symbolic link; name the real file to edit it" :
				"too many symbolic links in the store path";
			break;
		default:
			*reason_r = "cannot open the store file";
			break;
		}
		return MP_UNAVAILABLE;
	}
	if (fstat(fd, &file->st) < 0) {
		*reason_r = "cannot stat the store file";
		goto done;
	}
	if (S_ISDIR(file->st.st_mode)) {
		*reason_r = "store path is a directory";
		goto done;
	}
	if (!S_ISREG(file->st.st_mode)) {
		*reason_r = "store path is not a regular file";
		goto done;
	}
	if (mp_file_safety_check(path, &file->st, MP_FILE_STORE, fs->owner, reason_r, NULL,
				 0) == MP_FILE_REFUSE)
		goto done;
	file->exists = true;
	*fd_r = fd;
	return MP_OK;
done:
	(void)close(fd);
	return MP_UNAVAILABLE;
}

/*
 * file_read - read the store file into *file, as file_open_checked() opens
 * it, and keep it open as file->fd until file_data_free().  file->steady
 * tells whether the file still has the identity of file->st after the read:
 * a write in place while it was read (an append by hand) moves its size or
 * times.
 */
static enum mp_result
file_read(const struct file_store *fs, bool for_edit, struct file_data *file,
	  const char **reason_r)
{
	enum mp_result result;
	struct stat after;
	int fd;

	result = file_open_checked(fs, for_edit, file, &fd, reason_r);
	if (result != MP_OK || fd < 0)
		return result;
	file->fd = fd;
	result = read_all(fd, file->st.st_size, file, reason_r);
	if (result != MP_OK) {
		file_data_free(file);
		return result;
	}
	file->steady = fstat(fd, &after) == 0 && mp_store_stamp_same_identity(&file->st, &after);
	return MP_OK;
}

/* next_line - the line at *pos, advancing *pos past its newline; false at the end. */
static bool
next_line(const struct file_data *file, size_t *pos, struct file_line *line)
{
	const char *nl;

	if (*pos >= file->len)
		return false;
	line->start = *pos;
	line->text = file->data + *pos;
	nl = memchr(line->text, '\n', file->len - *pos);
	line->len = nl != NULL ? (size_t)(nl - line->text) : file->len - *pos;
	line->end = line->start + line->len + (nl != NULL ? 1 : 0);
	line->no++;
	*pos = line->end;
	return true;
}

/* line_is_ignored - a blank line (white space only) or a '#' comment. */
static bool
line_is_ignored(const struct file_line *line)
{
	if (line->len > 0 && line->text[0] == '#')
		return true;
	for (size_t i = 0; i < line->len; i++) {
		if (line->text[i] != ' ' && line->text[i] != '\t')
			return false;
	}
	return true;
}

/*
 * line_name_len - the length of the user name a record starts with: the
 * line up to its first ':', or the whole line when it has none (such a
 * record is still its user's, and broken).  A user name holds no ':', so
 * this is the one user the line can belong to.
 */
static size_t
line_name_len(const struct file_line *line)
{
	const char *colon = memchr(line->text, ':', line->len);

	return colon != NULL ? (size_t)(colon - line->text) : line->len;
}

/*
 * file_names_unique - no two records of the file name the same user: what
 * a lookup that stops at the first record relies on.  MP_OK, MP_MALFORMED
 * ("user appears more than once in the store") or MP_INTERNAL.
 */
static enum mp_result
file_names_unique(const struct file_data *file, const char **reason_r)
{
	struct file_line line = { .no = 0 };
	struct mp_name_set *names;
	size_t pos = 0, lines = 1;
	int added = 1;

	for (const char *p = file->data, *end = p + file->len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		lines++;
	names = mp_name_set_new(lines);
	if (names == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	/*
	 * A line with an empty name (":x") is broken, and no lookup can ask
	 * for its user: two of them are no user twice.
	 */
	while (added > 0 && next_line(file, &pos, &line)) {
		size_t name_len = line_name_len(&line);

		if (!line_is_ignored(&line) && name_len > 0)
			added = mp_name_set_add(names, line.text, name_len);
	}
	mp_name_set_free(&names);
	if (added < 0) {
		*reason_r = "internal error: more lines than counted";
		return MP_INTERNAL;
	}
	if (added == 0) {
		*reason_r = "user appears more than once in the store";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/*
 * file_was_unique - the file as read for an edit holds no user twice: it is
 * missing (an empty store), its stamp vouches for it, or a look at every
 * line shows it.  The stamp vouches only for a file that nothing changed
 * while it was read (file->steady): a line appended meanwhile is in the
 * data read, which the edit writes back.  An edit of such a file leaves it
 * so, since it replaces, deletes or adds one record per user and never adds
 * a user who has one.
 */
static bool
file_was_unique(const struct file_store *fs, const struct file_data *file)
{
	const char *reason;

	if (!file->exists)
		return true;
	if (file->steady && mp_store_stamp_matches(fs->path, &file->st))
		return true;
	return file_names_unique(file, &reason) == MP_OK;
}

static enum mp_result
file_open(const char *argument, struct mp_store **store_r, const char **reason_r)
{
	struct file_store *fs;
	size_t len = strlen(argument);

	*store_r = NULL;
	if (len == 0) {
		*reason_r = "store path is empty";
		return MP_MALFORMED;
	}
	if (argument[0] != '/') {
		*reason_r = "store path must be absolute";
		return MP_MALFORMED;
	}
	if (len > MP_PATH_MAX) {
		*reason_r = "store path is longer than the limit";
		return MP_MALFORMED;
	}
	if (argument[len - 1] == '/') {
		*reason_r = "store path names a directory";
		return MP_MALFORMED;
	}
	fs = calloc(1, sizeof(*fs));
	if (fs == NULL || (fs->path = strdup(argument)) == NULL) {
		free(fs);
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	fs->store.ops = &mp_store_file_ops;
	*store_r = &fs->store;
	return MP_OK;
}

static enum mp_result
file_lookup(struct mp_store *store, const char *user, struct mp_entry **entry_r,
	    struct mp_store_version *version_r, const char **reason_r)
{
	struct file_store *fs = (struct file_store *)store;
	struct file_data file;
	char *line = NULL;
	size_t line_len = 0;
	unsigned int flags;
	enum mp_result result;
	int fd;

	*entry_r = NULL;
	result = file_open_checked(fs, false, &file, &fd, reason_r);
	if (result != MP_OK)
		return result;
	/*
	 * A process that looks up many users in a large store answers from its
	 * index of the file (store-index.h).  Otherwise: a store that fits in
	 * the scan's first read is read whole by it, which costs less than the
	 * four calls that read its stamp.
	 */
	if (!mp_store_index_lookup(fd, &file.st, user, &result, &line, &line_len, reason_r)) {
		flags = file.st.st_size > MP_STORE_SCAN_FIRST_READ &&
			mp_store_stamp_matches(fs->path, &file.st) ? MP_STORE_SCAN_UNIQUE : 0;
		result = mp_store_scan_fd(fd, user, 0, flags, &line, &line_len, reason_r);
	}
	(void)close(fd);
	if (result != MP_OK)
		return result;
	result = mp_entry_parse(line, line_len, entry_r, reason_r);
	mp_secret_free(&line, line_len + 1);
	if (result == MP_OK && version_r != NULL) {
		version_r->known = true;
		version_r->st = file.st;
	}
	return result;
}

/* check_record - the line that will be written for user is one we can read back. */
static enum mp_result
check_record(const struct mp_entry *entry, const char *user, char **line_r,
	     const char **reason_r)
{
	struct mp_entry *back = NULL;
	enum mp_result result;
	char *line;

	*line_r = NULL;
	if (entry->field_count < 2 || mp_entry_user(entry) == NULL ||
	    strcmp(mp_entry_user(entry), user) != 0) {
		*reason_r = "edited record names another user";
		return MP_MALFORMED;
	}
	line = mp_entry_format(entry);
	if (line == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = mp_entry_parse(line, strlen(line), &back, reason_r);
	if (result == MP_OK && strcmp(mp_entry_user(back), user) != 0) {
		*reason_r = "edited record names another user";
		result = MP_MALFORMED;
	}
	mp_entry_free(&back);
	if (result != MP_OK) {
		mp_wipe(line, strlen(line));
		free(line);
		return result;
	}
	*line_r = line;
	return MP_OK;
}

/* add_chunk - append data to the pieces of the new file. */
static void
add_chunk(struct mp_atomic_chunk *chunks, size_t *count, const void *data, size_t len)
{
	if (len == 0)
		return;
	chunks[*count].data = data;
	chunks[*count].len = len;
	(*count)++;
}

/*
 * add_tail - the lines after the last edited record, byte for byte, with a
 * final newline added when the file lacked one.
 */
static void
add_tail(struct mp_atomic_chunk *chunks, size_t *count, const struct file_data *file,
	 size_t from)
{
	if (file->len <= from)
		return;
	add_chunk(chunks, count, file->data + from, file->len - from);
	if (file->data[file->len - 1] != '\n')
		add_chunk(chunks, count, "\n", 1);
}

/* One user of a batch as this backend handles it. */
struct batch_user {
	const char *name;
	size_t name_len;
	size_t index;			/* the position in the batch */
	unsigned int records;		/* the store's lines that are this user's */
	struct file_line match;		/* the last of them */
	enum mp_edit_action action;	/* what the edit does to the store */
	char *line;			/* the record to write (secret), or NULL */
};

/* The state of one batch, from the lock to the replace. */
struct batch {
	struct file_store *fs;
	struct batch_user *users;	/* in batch order */
	struct batch_user **by_name;	/* the ones to edit, sorted by name */
	size_t count, editable;
	struct file_data file;
	mp_store_batch_fn *fn;
	void *context;
	struct mp_store_batch_result *results;
};

static int
batch_user_compare(const void *a, const void *b)
{
	const struct batch_user *x = *(const struct batch_user *const *)a;
	const struct batch_user *y = *(const struct batch_user *const *)b;

	return strcmp(x->name, y->name);
}

/* batch_find - the batch's user named key[0..len), or NULL. */
static struct batch_user *
batch_find(const struct batch *batch, const char *key, size_t len)
{
	size_t lo = 0, hi = batch->editable;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = batch->by_name[mid]->name;
		size_t name_len = batch->by_name[mid]->name_len;
		int cmp = memcmp(key, name, len < name_len ? len : name_len);

		if (cmp == 0)
			cmp = len < name_len ? -1 : len > name_len;
		if (cmp == 0)
			return batch->by_name[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * batch_scan - find the lines of every user of the batch in one pass: the
 * lines that are not ignored, found by their name (line_name_len()).
 */
static void
batch_scan(struct batch *batch)
{
	struct file_line line = { .no = 0 };
	size_t pos = 0;

	while (next_line(&batch->file, &pos, &line)) {
		struct batch_user *user;

		if (line_is_ignored(&line))
			continue;
		user = batch_find(batch, line.text, line_name_len(&line));
		if (user == NULL)
			continue;
		if (user->records < UINT_MAX)
			user->records++;
		user->match = line;
	}
}

static void
user_failed(struct mp_store_batch_result *result, enum mp_result code, const char *reason)
{
	result->result = code;
	result->reason = reason != NULL ? reason : "the edit was refused";
}

/*
 * batch_edit_user - call fn for one user and keep what it asks for.  The
 * user's own failures go to his result; the return value is the batch's.
 */
static enum mp_result
batch_edit_user(struct batch *batch, struct batch_user *user, const char **reason_r)
{
	struct mp_store_batch_result *result = &batch->results[user->index];
	struct mp_entry *entry = NULL;
	enum mp_edit_action action = MP_EDIT_KEEP;
	const char *reason = NULL;
	enum mp_result ret;

	result->records = user->records;
	result->line_no = user->records > 0 ? user->match.no : 0;
	if (user->records > 1) {
		user_failed(result, MP_MALFORMED, "user appears more than once in the store");
		return MP_OK;
	}
	if (user->records == 1) {
		ret = mp_entry_parse(user->match.text, user->match.len, &entry, &reason);
		if (ret == MP_INTERNAL) {
			*reason_r = reason;
			return ret;
		}
		if (ret != MP_OK) {
			user_failed(result, ret, reason);
			return MP_OK;
		}
	}

	ret = batch->fn(user->index, &entry, &action, batch->context, &reason);
	if (ret != MP_OK) {
		user_failed(result, ret, reason);
		ret = MP_OK;
		goto done;
	}
	switch (action) {
	case MP_EDIT_KEEP:
		break;
	case MP_EDIT_DELETE:
		if (user->records == 1)
			user->action = MP_EDIT_DELETE;
		break;
	case MP_EDIT_WRITE:
		if (entry == NULL) {
			user_failed(result, MP_INTERNAL, "edit asked to write no record");
			break;
		}
		ret = check_record(entry, user->name, &user->line, &reason);
		if (ret == MP_MALFORMED) {
			user_failed(result, ret, reason);
			ret = MP_OK;
		} else if (ret == MP_OK) {
			user->action = MP_EDIT_WRITE;
		} else {
			*reason_r = reason;
		}
		break;
	default:
		user_failed(result, MP_INTERNAL, "unknown edit action");
		break;
	}
done:
	mp_entry_free(&entry);
	return ret;
}

static int
batch_line_order(const void *a, const void *b)
{
	const struct batch_user *x = *(const struct batch_user *const *)a;
	const struct batch_user *y = *(const struct batch_user *const *)b;

	return x->match.start < y->match.start ? -1 : x->match.start > y->match.start;
}

/*
 * batch_write - the store with each edited user's line replaced or removed
 * in place and the new users appended in batch order; every other byte as
 * it was.  Nothing is written when nothing changed.
 */
static enum mp_result
batch_write(struct batch *batch, const char **reason_r)
{
	const struct file_data *file = &batch->file;
	struct mp_atomic_chunk *chunks = NULL;
	struct batch_user **edited = NULL;
	size_t n_edited = 0, n_changed = 0, n_chunks = 0, pos = 0;
	const char *stamp_reason;
	struct stat new_st;
	enum mp_result result;
	bool unique, as_written;

	for (size_t i = 0; i < batch->editable; i++) {
		struct batch_user *user = batch->by_name[i];

		if (user->action == MP_EDIT_KEEP)
			continue;
		n_changed++;
		if (user->records > 0)
			batch->by_name[n_edited++] = user;
	}
	if (n_changed == 0)
		return MP_OK;
	/* by_name is done with: it now holds the edited lines, in file order. */
	edited = batch->by_name;
	qsort(edited, n_edited, sizeof(*edited), batch_line_order);
	chunks = calloc(3 * n_changed + 2, sizeof(*chunks));
	if (chunks == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	for (size_t i = 0; i < n_edited; i++) {
		add_chunk(chunks, &n_chunks, file->data + pos, edited[i]->match.start - pos);
		if (edited[i]->action == MP_EDIT_WRITE) {
			add_chunk(chunks, &n_chunks, edited[i]->line, strlen(edited[i]->line));
			add_chunk(chunks, &n_chunks, "\n", 1);
		}
		pos = edited[i]->match.end;
	}
	add_tail(chunks, &n_chunks, file, pos);
	for (size_t i = 0; i < batch->count; i++) {
		const struct batch_user *user = &batch->users[i];

		if (user->action != MP_EDIT_WRITE || user->records > 0)
			continue;
		add_chunk(chunks, &n_chunks, user->line, strlen(user->line));
		add_chunk(chunks, &n_chunks, "\n", 1);
	}
	unique = file_was_unique(batch->fs, file);
	result = mp_atomic_replace(batch->fs->path, chunks, n_chunks, file->fd,
				   FILE_STORE_NEW_MODE, &new_st, &as_written, reason_r);
	free(chunks);
	/*
	 * The edit is done; a stamp that cannot be written only costs later
	 * lookups time.  A file that someone wrote to after the rename holds
	 * lines no one checked: it gets no stamp.
	 */
	if (result == MP_OK && unique && as_written)
		(void)mp_store_stamp_write(batch->fs->path, &new_st, &stamp_reason);
	return result;
}

/*
 * file_edit_batch - the edit of every user, single or many: lock, read,
 * find every user's line in one pass, call fn for each user in batch order,
 * and replace the file once.  The users are valid and distinct.
 */
static enum mp_result
file_edit_batch(struct mp_store *store, const char *const *users, size_t count,
		mp_store_batch_fn *fn, void *context, unsigned int flags,
		struct mp_store_batch_result *results_r, const char **reason_r)
{
	struct batch batch = {
		.fs = (struct file_store *)store, .count = count, .fn = fn,
		.context = context, .results = results_r, .file = { .fd = -1 },
	};
	bool dry_run = (flags & MP_STORE_BATCH_DRY_RUN) != 0;
	enum mp_result result = MP_INTERNAL;
	int lock_fd = -1;

	batch.users = calloc(count + 1, sizeof(*batch.users));
	batch.by_name = calloc(count + 1, sizeof(*batch.by_name));
	if (batch.users == NULL || batch.by_name == NULL) {
		*reason_r = "out of memory";
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		batch.users[i].name = users[i];
		batch.users[i].name_len = strlen(users[i]);
		batch.users[i].index = i;
		if (users[i][0] == '#') {
			user_failed(&results_r[i], MP_MALFORMED, "a user name starting with '#' "
				    "would be a comment in a passwd-file");
			continue;
		}
		batch.by_name[batch.editable++] = &batch.users[i];
	}
	result = MP_OK;
	if (batch.editable == 0)
		goto done;
	qsort(batch.by_name, batch.editable, sizeof(*batch.by_name), batch_user_compare);

	if (!dry_run) {
		result = mp_atomic_lock(batch.fs->path, &lock_fd, reason_r);
		if (result != MP_OK)
			goto done;
	}
	result = file_read(batch.fs, true, &batch.file, reason_r);
	if (result != MP_OK)
		goto done;
	batch_scan(&batch);
	for (size_t i = 0; i < count && result == MP_OK; i++) {
		if (results_r[i].result == MP_OK)
			result = batch_edit_user(&batch, &batch.users[i], reason_r);
	}
	if (result == MP_OK && !dry_run)
		result = batch_write(&batch, reason_r);
done:
	for (size_t i = 0; batch.users != NULL && i < count; i++)
		mp_secret_free_str(&batch.users[i].line);
	free(batch.users);
	free(batch.by_name);
	file_data_free(&batch.file);
	mp_atomic_unlock(&lock_fd);
	return result;
}

/* The one user of an edit, as a batch of one. */
struct single_edit {
	mp_store_edit_fn *fn;
	void *context;
};

static enum mp_result
single_edit_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r,
	       void *context, const char **reason_r)
{
	const struct single_edit *edit = context;

	return edit->fn(entry, action_r, edit->context, reason_r);
}

static enum mp_result
file_edit(struct mp_store *store, const char *user, mp_store_edit_fn *fn, void *context,
	  const char **reason_r)
{
	struct single_edit edit = { .fn = fn, .context = context };
	struct mp_store_batch_result result = { .result = MP_OK };
	enum mp_result ret;

	ret = file_edit_batch(store, &user, 1, single_edit_fn, &edit, 0, &result, reason_r);
	if (ret != MP_OK)
		return ret;
	if (result.result != MP_OK)
		*reason_r = result.reason;
	return result.result;
}

static enum mp_result
file_iterate(struct mp_store *store, mp_store_iterate_fn *fn, void *context,
	     const char **reason_r)
{
	struct file_store *fs = (struct file_store *)store;
	struct file_data file;
	struct file_line line = { .no = 0 };
	enum mp_result result;
	size_t pos = 0;

	result = file_read(fs, false, &file, reason_r);
	if (result != MP_OK)
		return result;
	while (next_line(&file, &pos, &line)) {
		struct mp_entry *entry = NULL;
		const char *line_reason = NULL;
		int stop;

		if (line_is_ignored(&line))
			continue;
		result = mp_entry_parse(line.text, line.len, &entry, &line_reason);
		if (result == MP_INTERNAL) {
			*reason_r = line_reason;
			break;
		}
		result = MP_OK;
		stop = fn(entry, line.no, entry == NULL ? line_reason : NULL, context);
		mp_entry_free(&entry);
		if (stop != 0)
			break;
	}
	file_data_free(&file);
	return result;
}

static void
file_close(struct mp_store *store)
{
	struct file_store *fs = (struct file_store *)store;

	free(fs->path);
	free(fs);
}

const struct mp_store_ops mp_store_file_ops = {
	.name = "file",
	.open = file_open,
	.lookup = file_lookup,
	.edit = file_edit,
	.edit_batch = file_edit_batch,
	.iterate = file_iterate,
	.close = file_close,
};

const char *
mp_store_file_path(const struct mp_store *store)
{
	if (store == NULL || store->ops != &mp_store_file_ops)
		return NULL;
	return ((const struct file_store *)store)->path;
}

bool
mp_store_version_current(const struct mp_store *store, const struct mp_store_version *version)
{
	struct stat st;

	if (store == NULL || store->ops != &mp_store_file_ops || version == NULL ||
	    !version->known)
		return false;
	return stat(((const struct file_store *)store)->path, &st) == 0 &&
	       mp_store_stamp_same_identity(&st, &version->st);
}

enum mp_result
mp_store_file_set_owner(struct mp_store *store, const char *store_owner,
			const char **reason_r)
{
	struct file_store *fs = (struct file_store *)store;

	if (store == NULL || store->ops != &mp_store_file_ops)
		return MP_OK;
	if (store_owner == NULL || *store_owner == '\0') {
		fs->owner[0] = '\0';
		return MP_OK;
	}
	if (!mp_file_owner_name_valid(store_owner)) {
		*reason_r = "store_owner is not a valid account name";
		return MP_MALFORMED;
	}
	memcpy(fs->owner, store_owner, strlen(store_owner) + 1);
	return MP_OK;
}

enum mp_result
mp_store_file_stamp(struct mp_store *store, const char **reason_r)
{
	struct file_store *fs = (struct file_store *)store;
	struct file_data file;
	enum mp_result result;
	int lock_fd = -1;

	if (store == NULL || store->ops != &mp_store_file_ops) {
		*reason_r = "only a file: store has a stamp";
		return MP_UNAVAILABLE;
	}
	result = mp_atomic_lock(fs->path, &lock_fd, reason_r);
	if (result != MP_OK)
		return result;
	/* As an edit reads it: the stamp goes beside the real file, never a link's. */
	result = file_read(fs, true, &file, reason_r);
	if (result == MP_OK && !file.exists) {
		*reason_r = "store file does not exist";
		result = MP_UNAVAILABLE;
	} else if (result == MP_OK) {
		result = file_names_unique(&file, reason_r);
		/* file.st is the file just read, and the lock keeps mailpass writers away. */
		if (result == MP_OK)
			result = mp_store_stamp_write(fs->path, &file.st, reason_r);
		file_data_free(&file);
	}
	mp_atomic_unlock(&lock_fd);
	return result;
}
