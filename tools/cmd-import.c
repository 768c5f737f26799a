/*
 * cmd-import.c - "mailpass import": read the users of another system's
 * password file (import-*.c), decide each one against the store, write
 * every new and replaced record in one atomic rewrite, and report each line
 * that was not imported with its number and reason.
 *
 * A "file:" store is rewritten once, under its lock, whatever the number of
 * users: the same lock, temporary file and rename as every other write of
 * the store (atomic-file.h), so that logins that rehash and "mailpass user"
 * wait for the import or see it whole.  Other stores get one mp_store_edit()
 * per user.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "atomic-file.h"
#include "import.h"
#include "secret.h"
#include "store.h"

/* Largest input file read into memory. */
#define IMPORT_INPUT_MAX ((size_t)1 << 30)

/* Mode of a store file that the import creates, as "user add" creates it. */
#define IMPORT_STORE_NEW_MODE 0640

/* Redraw the progress line at most this often. */
#define PROGRESS_INTERVAL_MS 100

struct import_format_row {
	const char *name;
	enum import_format format;
	import_reader_fn *read;
};

static const struct import_format_row import_formats[] = {
	{ "dovecot", IMPORT_DOVECOT, import_read_dovecot },
	{ "htpasswd", IMPORT_HTPASSWD, import_read_htpasswd },
	{ "shadow", IMPORT_SHADOW, import_read_shadow },
	{ "sasldb", IMPORT_SASLDB, import_read_sasldb },
};

#define IMPORT_FORMAT_COUNT (sizeof(import_formats) / sizeof(import_formats[0]))

static void
import_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] import --format FORMAT [OPTIONS] FILE\n"
		"\n"
		"Add the users of FILE to the store.  FORMAT is one of:\n"
		"  dovecot   a Dovecot passwd-file; lines are kept as they are\n"
		"  htpasswd  an Apache htpasswd file (htpasswd -B, -m, -s, -d)\n"
		"  shadow    /etc/shadow; locked entries without a hash are skipped\n"
		"  sasldb    a Cyrus sasldb2 file; passwords are hashed with the\n"
		"            configured scheme\n"
		"FILE \"-\" is standard input (not for sasldb).\n"
		"\n"
		"  -f, --format FORMAT     the format of FILE (required)\n"
		"  -n, --dry-run           report what would be done; write nothing\n"
		"      --replace           replace users that exist (default: skip them)\n"
		"      --users A,B,...     import only these users\n"
		"      --apop              store cleartext passwords (sasldb, {PLAIN}) as\n"
		"                          APOP secrets too\n"
		"      --realm REALM       sasldb: users of REALM get bare names; others\n"
		"                          are imported as USER@REALM\n"
		"      --default-scheme S  dovecot: the scheme of values without {SCHEME}\n"
		"                          (Dovecot's scheme= passdb argument)\n"
		"      --min-uid N         shadow: only users whose uid is N or more\n"
		"      --passwd FILE       shadow: where --min-uid finds the uids\n"
		"                          (default /etc/passwd)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Every line that is not imported is reported on standard error with its\n"
		"number and the reason; a summary of the counts goes to standard output.\n"
		"All changes are written at once, atomically, at the end.\n"
		"\n"
		"Exit status: 0 nothing was rejected; 1 some lines were rejected (the\n"
		"others were imported); 2 error (usage, configuration, store, unreadable\n"
		"FILE), nothing was written.\n");
}

const char *
import_name_of_format(enum import_format format)
{
	for (size_t i = 0; i < IMPORT_FORMAT_COUNT; i++) {
		if (import_formats[i].format == format)
			return import_formats[i].name;
	}
	return "unknown";
}

/* --- Items. */

struct import_item *
import_item_new(struct import_job *job, unsigned long where)
{
	struct import_item *items;
	size_t alloc;

	if (job->failed)
		return NULL;
	if (job->count == job->alloc) {
		alloc = job->alloc == 0 ? 256 : job->alloc * 2;
		items = reallocarray(job->items, alloc, sizeof(*items));
		if (items == NULL) {
			cli_error("out of memory");
			job->failed = true;
			return NULL;
		}
		job->items = items;
		job->alloc = alloc;
	}
	memset(&job->items[job->count], 0, sizeof(job->items[0]));
	job->items[job->count].where = where;
	job->items[job->count].outcome = IMPORT_PENDING;
	return &job->items[job->count++];
}

static void
item_drop_secrets(struct import_item *item)
{
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext_len = 0;
	mp_entry_free(&item->entry);
}

static void
item_free(struct import_item *item)
{
	item_drop_secrets(item);
	mp_secret_free_str(&item->line);
	free(item->label);
	free(item->user);
	free(item->reason);
	memset(item, 0, sizeof(*item));
}

static void item_set(struct import_job *job, struct import_item *item,
		     enum import_outcome outcome, const char *fmt, va_list args)
	__attribute__((format(printf, 4, 0)));

static void
item_set(struct import_job *job, struct import_item *item, enum import_outcome outcome,
	 const char *fmt, va_list args)
{
	free(item->reason);
	item->reason = NULL;
	if (vasprintf(&item->reason, fmt, args) < 0) {
		item->reason = NULL;
		cli_error("out of memory");
		job->failed = true;
	}
	if (outcome != IMPORT_PENDING) {
		item->outcome = outcome;
		item_drop_secrets(item);
	}
}

void
import_reject(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_REJECTED, fmt, args);
	va_end(args);
}

void
import_skip(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_SKIPPED, fmt, args);
	va_end(args);
}

void
import_filter(struct import_item *item)
{
	item->outcome = IMPORT_FILTERED;
	item_drop_secrets(item);
}

void
import_note(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_PENDING, fmt, args);
	va_end(args);
}

/* name_compare - name[0..len) against the string b, in strcmp() order. */
static int
name_compare(const char *name, size_t len, const char *b)
{
	size_t b_len = strlen(b);
	int ret = memcmp(name, b, len < b_len ? len : b_len);

	if (ret != 0)
		return ret;
	return len < b_len ? -1 : len > b_len;
}

/* users_find - the index of name[0..len) in the sorted --users list, or -1. */
static long
users_find(const struct import_options *opt, const char *name, size_t len)
{
	size_t lo = 0, hi = opt->user_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = name_compare(name, len, opt->users[mid]);

		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool
import_set_user(struct import_job *job, struct import_item *item, const char *name,
		size_t len)
{
	const char *reason = "";
	long index;

	if (job->opt->users != NULL) {
		index = users_find(job->opt, name, len);
		if (index < 0) {
			import_filter(item);
			return false;
		}
		job->users_seen[index] = true;
	}
	if (mp_user_name_check(name, len, &reason) != MP_OK) {
		import_reject(job, item, "invalid user name: %s", reason);
		return false;
	}
	if (name[0] == '#') {
		import_reject(job, item, "user name starts with '#', which a passwd-file "
			      "reads as a comment");
		return false;
	}
	free(item->user);
	item->user = strndup(name, len);
	if (item->user == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return false;
	}
	return true;
}

bool
import_set_cleartext(struct import_job *job, struct import_item *item, const char *secret,
		     size_t len, const char *what)
{
	if (len == 0) {
		import_reject(job, item, "empty %s", what);
		return false;
	}
	if (len > MP_PASSWORD_MAX) {
		import_reject(job, item, "%s longer than %d bytes", what, MP_PASSWORD_MAX);
		return false;
	}
	if (memchr(secret, '\0', len) != NULL) {
		import_reject(job, item, "%s contains a NUL byte", what);
		return false;
	}
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext = mp_secret_dup(secret, len);
	if (item->cleartext == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return false;
	}
	item->cleartext_len = len;
	return true;
}

/* --- Stored values. */

/* is_bare_des - 13 characters of the crypt alphabet: a traditional DES crypt(3) string. */
static bool
is_bare_des(const char *value)
{
	static const char alphabet[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	return strlen(value) == 13 && strspn(value, alphabet) == 13;
}

/* stored_usable - value parses with a known scheme; its copy in *stored_r. */
static enum mp_result
stored_usable(const char *value, char **stored_r, const char **reason_r)
{
	struct mp_stored parsed;
	enum mp_result result;

	result = mp_stored_parse(value, strlen(value), &parsed, reason_r);
	if (result != MP_OK)
		return result;
	mp_stored_clear(&parsed);
	*stored_r = mp_secret_dup(value, strlen(value));
	if (*stored_r == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	return MP_OK;
}

/* stored_with_prefix - "{NAME}value", if the table takes it. */
static enum mp_result
stored_with_prefix(const char *name, const char *value, char **stored_r, const char **reason_r)
{
	char *candidate = NULL;
	enum mp_result result;

	if (asprintf(&candidate, "{%s}%s", name, value) < 0) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = stored_usable(candidate, stored_r, reason_r);
	mp_secret_free_str(&candidate);
	return result;
}

enum mp_result
import_stored_value(const char *value, const struct mp_scheme *bare_scheme, char **stored_r,
		    const char **reason_r)
{
	/* The rows that verify a bare DES string, most specific first. */
	static const char *const des_schemes[] = { "DES-CRYPT", "CRYPT" };
	const char *first_reason = "";
	enum mp_result result;

	*stored_r = NULL;
	if (bare_scheme != NULL && value[0] != '{')
		return stored_with_prefix(bare_scheme->name, value, stored_r, reason_r);
	result = stored_usable(value, stored_r, &first_reason);
	if (result != MP_MALFORMED || !is_bare_des(value)) {
		*reason_r = first_reason;
		return result;
	}
	for (size_t i = 0; i < sizeof(des_schemes) / sizeof(des_schemes[0]); i++) {
		if (mp_scheme_find(des_schemes[i]) == NULL)
			continue;
		result = stored_with_prefix(des_schemes[i], value, stored_r, reason_r);
		if (result != MP_MALFORMED)
			return result;
	}
	*reason_r = first_reason;
	return MP_MALFORMED;
}

/* --- Reading files. */

/* A whole file in memory; wiped when released (it holds hashes). */
struct import_text {
	char *data;
	size_t len, size;
};

static void
text_free(struct import_text *text)
{
	if (text->data != NULL) {
		sodium_memzero(text->data, text->size);
		free(text->data);
	}
	memset(text, 0, sizeof(*text));
}

/* read_fd - read fd to its end into *text, refusing more than limit bytes. */
static bool
read_fd(int fd, size_t size_hint, size_t limit, struct import_text *text,
	const char **reason_r)
{
	char *bigger;
	size_t size;
	ssize_t n;

	memset(text, 0, sizeof(*text));
	size = size_hint < limit ? size_hint + 1 : limit + 1;
	if (size < 4096)
		size = 4096;
	text->data = malloc(size);
	if (text->data == NULL)
		goto nomem;
	text->size = size;
	for (;;) {
		if (text->len == text->size) {
			if (text->size > limit) {
				*reason_r = "file is too large";
				return false;
			}
			size = text->size * 2;
			bigger = malloc(size);
			if (bigger == NULL)
				goto nomem;
			memcpy(bigger, text->data, text->len);
			sodium_memzero(text->data, text->size);
			free(text->data);
			text->data = bigger;
			text->size = size;
		}
		n = read(fd, text->data + text->len, text->size - text->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*reason_r = strerror(errno);
			return false;
		}
		if (n == 0)
			break;
		text->len += (size_t)n;
	}
	if (text->len > limit) {
		*reason_r = "file is too large";
		return false;
	}
	return true;
nomem:
	*reason_r = "out of memory";
	return false;
}

/* read_input - the text file at path ("-": standard input); prints why not. */
static bool
read_input(const char *path, struct import_text *text)
{
	const char *reason = "";
	struct stat st;
	bool ok;
	int fd;

	memset(text, 0, sizeof(*text));
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			cli_error("%s: %s", path, strerror(errno));
			return false;
		}
	}
	if (fstat(fd, &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		ok = false;
	} else if (S_ISDIR(st.st_mode)) {
		cli_error("%s: is a directory", path);
		ok = false;
	} else {
		ok = read_fd(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0,
			     IMPORT_INPUT_MAX, text, &reason);
		if (!ok)
			cli_error("%s: %s", path, reason);
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (!ok)
		text_free(text);
	return ok;
}

/* line_is_ignored - a blank line (spaces and tabs only) or a '#' comment. */
static bool
line_is_ignored(const char *line, size_t len)
{
	if (len > 0 && line[0] == '#')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	}
	return true;
}

static unsigned long
count_lines(const struct import_text *text)
{
	unsigned long lines = 0;
	const char *p = text->data, *end = text->data + text->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return lines;
}

bool
import_read_lines(struct import_job *job, import_line_fn *fn)
{
	struct import_text text;
	struct import_item *item;
	char *scratch;
	unsigned long line_no = 0, total;
	size_t pos = 0;

	if (!read_input(job->opt->path, &text))
		return false;
	scratch = malloc(MP_LINE_MAX + 1);
	if (scratch == NULL) {
		text_free(&text);
		cli_error("out of memory");
		return false;
	}
	total = job->progress ? count_lines(&text) : 0;
	while (pos < text.len && !job->failed) {
		const char *line = text.data + pos;
		const char *nl = memchr(line, '\n', text.len - pos);
		size_t len = nl != NULL ? (size_t)(nl - line) : text.len - pos;

		pos += len + (nl != NULL ? 1 : 0);
		line_no++;
		import_progress(job, line_no, total, "lines");
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (line_is_ignored(line, len))
			continue;
		item = import_item_new(job, line_no);
		if (item == NULL)
			break;
		if (memchr(line, '\0', len) != NULL) {
			import_reject(job, item, "line contains a NUL byte");
			continue;
		}
		if (len > MP_LINE_MAX) {
			import_reject(job, item, "line is longer than %d bytes", MP_LINE_MAX);
			continue;
		}
		memcpy(scratch, line, len);
		scratch[len] = '\0';
		fn(job, item, scratch, len);
		sodium_memzero(scratch, len);
	}
	job->total = line_no;
	free(scratch);
	text_free(&text);
	return true;
}

/* --- Progress on a terminal. */

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

void
import_progress(struct import_job *job, unsigned long done, unsigned long total,
		const char *what)
{
	unsigned long long now;

	if (!job->progress)
		return;
	now = now_ms();
	if (job->progress_shown && now - job->progress_ms < PROGRESS_INTERVAL_MS &&
	    done != total)
		return;
	job->progress_ms = now;
	job->progress_shown = true;
	if (total > 0)
		fprintf(stderr, "\r  %lu/%lu %s", done, total, what);
	else
		fprintf(stderr, "\r  %lu %s", done, what);
	fflush(stderr);
}

void
import_progress_clear(struct import_job *job)
{
	if (!job->progress_shown)
		return;
	fprintf(stderr, "\r%60s\r", "");
	fflush(stderr);
	job->progress_shown = false;
}

/* --- Duplicates in the input. */

static int
item_user_compare(const void *a, const void *b)
{
	const struct import_item *x = *(const struct import_item *const *)a;
	const struct import_item *y = *(const struct import_item *const *)b;
	int ret = strcmp(x->user, y->user);

	if (ret != 0)
		return ret;
	return x->where < y->where ? -1 : x->where > y->where;
}

/* where_list - "3 and 7", "3, 7 and 9", cut short after a few numbers. */
static void
where_list(char *buf, size_t size, struct import_item **group, size_t count)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (size_t k = 0; k < count && used < size; k++) {
		if (k == 5) {
			snprintf(buf + used, size - used, " and %zu more", count - k);
			return;
		}
		n = snprintf(buf + used, size - used, "%s%lu", k == 0 ? "" :
			     (k + 1 == count ? " and " : ", "), group[k]->where);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/*
 * reject_input_duplicates - a user named by more than one line of the input
 * is ambiguous: every one of those lines is rejected.
 */
static bool
reject_input_duplicates(struct import_job *job)
{
	struct import_item **index;
	char lines[96];
	size_t count = 0, i, j;

	index = calloc(job->count + 1, sizeof(*index));
	if (index == NULL) {
		cli_error("out of memory");
		return false;
	}
	for (i = 0; i < job->count; i++) {
		if (job->items[i].user != NULL && job->items[i].outcome != IMPORT_FILTERED)
			index[count++] = &job->items[i];
	}
	qsort(index, count, sizeof(*index), item_user_compare);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && strcmp(index[i]->user, index[j]->user) == 0; j++)
			;
		if (j - i < 2)
			continue;
		where_list(lines, sizeof(lines), index + i, j - i);
		for (size_t k = i; k < j; k++)
			import_reject(job, index[k], "user appears more than once in the "
				      "input (%s %s)", job->records ? "records" : "lines", lines);
	}
	free(index);
	return !job->failed;
}

/* pending_index - the PENDING items sorted by user (unique after the above). */
static struct import_item **
pending_index(struct import_job *job, size_t *count_r)
{
	struct import_item **index;
	size_t count = 0;

	index = calloc(job->count + 1, sizeof(*index));
	if (index == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	for (size_t i = 0; i < job->count; i++) {
		if (job->items[i].outcome == IMPORT_PENDING)
			index[count++] = &job->items[i];
	}
	qsort(index, count, sizeof(*index), item_user_compare);
	*count_r = count;
	return index;
}

static struct import_item *
pending_find(struct import_item **index, size_t count, const char *name, size_t len)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = name_compare(name, len, index[mid]->user);

		if (cmp == 0)
			return index[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* --- A "file:" store, matched line by line as the store itself does. */

struct store_text {
	struct import_text text;
	bool exists;
	struct stat st;
};

/*
 * store_read - the store file as an edit reads it: a missing file is an
 * empty store; a symbolic link is refused, since the rename would replace
 * the link and not the file.
 */
static enum mp_result
store_read(const char *path, struct store_text *store, const char **reason_r)
{
	bool ok;
	int fd;

	memset(store, 0, sizeof(*store));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return MP_OK;
		*reason_r = errno == ELOOP ?
			"store file is a symbolic link; name the real file to edit it" :
			strerror(errno);
		return MP_UNAVAILABLE;
	}
	if (fstat(fd, &store->st) != 0 || !S_ISREG(store->st.st_mode)) {
		(void)close(fd);
		*reason_r = "store path is not a regular file";
		return MP_UNAVAILABLE;
	}
	store->exists = true;
	ok = read_fd(fd, (size_t)store->st.st_size, SIZE_MAX / 4, &store->text, reason_r);
	(void)close(fd);
	if (!ok) {
		text_free(&store->text);
		return MP_UNAVAILABLE;
	}
	return MP_OK;
}

/* store_scan - count, for each pending item, the store's lines that are its user's. */
static void
store_scan(const struct store_text *store, struct import_item **index, size_t count)
{
	const char *data = store->text.data;
	size_t pos = 0, len = store->text.len;
	unsigned long line_no = 0;

	for (size_t i = 0; i < count; i++)
		index[i]->store_hits = 0;
	while (pos < len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl != NULL ? (size_t)(nl - line) : len - pos;
		const char *colon = memchr(line, ':', line_len);
		struct import_item *item;
		size_t start = pos;

		pos += line_len + (nl != NULL ? 1 : 0);
		line_no++;
		if (line_is_ignored(line, line_len))
			continue;
		item = pending_find(index, count, line, colon != NULL ?
				    (size_t)(colon - line) : line_len);
		if (item == NULL)
			continue;
		item->store_hits++;
		item->store_start = start;
		item->store_end = pos;
		item->store_line_no = line_no;
	}
}

/* store_classify - decide each pending item against the scanned store. */
static void
store_classify(struct import_job *job, const struct store_text *store,
	       struct import_item **index, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct import_item *item = index[i];
		struct mp_entry *current = NULL;
		const char *line, *reason = "";
		size_t len;

		if (item->store_hits > 1) {
			import_reject(job, item, "user appears on more than one line of the "
				      "store (see 'mailpass check')");
			continue;
		}
		if (item->store_hits == 0) {
			item->outcome = item->prepared ? IMPORT_IMPORTED : IMPORT_EXISTING;
			continue;
		}
		line = store->text.data + item->store_start;
		len = item->store_end - item->store_start;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (mp_entry_parse(line, len, &current, &reason) != MP_OK) {
			import_reject(job, item, "the user's line %lu of the store does not "
				      "parse (%s); fix it first", item->store_line_no, reason);
			continue;
		}
		mp_entry_free(&current);
		if (job->opt->replace && item->prepared)
			item->outcome = IMPORT_REPLACED;
		else
			item->outcome = IMPORT_EXISTING;
	}
}

static int
item_store_order(const void *a, const void *b)
{
	const struct import_item *x = *(const struct import_item *const *)a;
	const struct import_item *y = *(const struct import_item *const *)b;

	return x->store_start < y->store_start ? -1 : x->store_start > y->store_start;
}

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
 * store_write - the store with each replaced user's line exchanged in place
 * and the new users appended in input order; every other byte as it was.
 */
static enum mp_result
store_write(struct import_job *job, const char *path, const struct store_text *store,
	    struct import_item **index, size_t count, const char **reason_r)
{
	struct import_item **replaced = NULL;
	struct mp_atomic_chunk *chunks = NULL;
	const char *data = store->text.data;
	size_t n_replaced = 0, n_imported = 0, n_chunks = 0, pos = 0, len = store->text.len;
	enum mp_result result = MP_INTERNAL;

	for (size_t i = 0; i < count; i++) {
		if (index[i]->outcome == IMPORT_REPLACED)
			n_replaced++;
		else if (index[i]->outcome == IMPORT_IMPORTED)
			n_imported++;
	}
	if (n_replaced + n_imported == 0)
		return MP_OK;
	*reason_r = "out of memory";
	replaced = calloc(n_replaced + 1, sizeof(*replaced));
	chunks = calloc(2 * (n_replaced + n_imported) + 2, sizeof(*chunks));
	if (replaced == NULL || chunks == NULL)
		goto out;
	n_replaced = 0;
	for (size_t i = 0; i < count; i++) {
		if (index[i]->outcome == IMPORT_REPLACED)
			replaced[n_replaced++] = index[i];
	}
	qsort(replaced, n_replaced, sizeof(*replaced), item_store_order);
	for (size_t i = 0; i < n_replaced; i++) {
		add_chunk(chunks, &n_chunks, data + pos, replaced[i]->store_start - pos);
		add_chunk(chunks, &n_chunks, replaced[i]->line, strlen(replaced[i]->line));
		add_chunk(chunks, &n_chunks, "\n", 1);
		pos = replaced[i]->store_end;
	}
	add_chunk(chunks, &n_chunks, data + pos, len - pos);
	if (len > pos && data[len - 1] != '\n')
		add_chunk(chunks, &n_chunks, "\n", 1);
	for (size_t i = 0; i < job->count; i++) {
		struct import_item *item = &job->items[i];

		if (item->outcome != IMPORT_IMPORTED)
			continue;
		add_chunk(chunks, &n_chunks, item->line, strlen(item->line));
		add_chunk(chunks, &n_chunks, "\n", 1);
	}
	result = mp_atomic_replace(path, chunks, n_chunks, store->exists ? &store->st : NULL,
				   IMPORT_STORE_NEW_MODE, reason_r);
out:
	free(chunks);
	free(replaced);
	return result;
}

/* file_snapshot - mark the users that are in the store now (no lock needed to read). */
static enum mp_result
file_snapshot(const char *path, struct import_item **index, size_t count,
	      const char **reason_r)
{
	struct store_text store;
	enum mp_result result;

	result = store_read(path, &store, reason_r);
	if (result != MP_OK)
		return result;
	store_scan(&store, index, count);
	for (size_t i = 0; i < count; i++)
		index[i]->existed = index[i]->store_hits > 0;
	text_free(&store.text);
	return MP_OK;
}

/*
 * file_commit - under the store's lock: read it again, decide every pending
 * item, and replace the file once.  A dry run reads without the lock and
 * writes nothing.
 */
static enum mp_result
file_commit(struct import_job *job, const char *path, struct import_item **index,
	    size_t count, const char **reason_r)
{
	struct store_text store = { .exists = false };
	enum mp_result result = MP_OK;
	int lock_fd = -1;

	if (!job->opt->dry_run)
		result = mp_atomic_lock(path, &lock_fd, reason_r);
	if (result == MP_OK)
		result = store_read(path, &store, reason_r);
	if (result == MP_OK) {
		store_scan(&store, index, count);
		store_classify(job, &store, index, count);
		if (!job->opt->dry_run && !job->failed)
			result = store_write(job, path, &store, index, count, reason_r);
	}
	text_free(&store.text);
	mp_atomic_unlock(&lock_fd);
	return result;
}

/* --- Other stores: one edit per user. */

static enum mp_result
each_snapshot(struct mp_store *store, struct import_item **index, size_t count,
	      const char **reason_r)
{
	for (size_t i = 0; i < count; i++) {
		struct mp_entry *entry = NULL;
		enum mp_result result;

		result = mp_store_lookup(store, index[i]->user, &entry, reason_r);
		mp_entry_free(&entry);
		if (result == MP_OK || result == MP_MALFORMED)
			index[i]->existed = true;
		else if (result != MP_USER_UNKNOWN)
			return result;
	}
	return MP_OK;
}

struct each_edit {
	const struct import_options *opt;
	struct import_item *item;
};

static enum mp_result
each_edit_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	     const char **reason_r)
{
	struct each_edit *edit = context;
	struct import_item *item = edit->item;
	struct mp_entry *record = NULL;
	enum mp_result result;
	bool exists = *entry != NULL;

	*action_r = MP_EDIT_KEEP;
	if ((exists && !edit->opt->replace) || !item->prepared) {
		item->outcome = IMPORT_EXISTING;
		return MP_OK;
	}
	item->outcome = exists ? IMPORT_REPLACED : IMPORT_IMPORTED;
	if (edit->opt->dry_run)
		return MP_OK;
	result = mp_entry_parse(item->line, strlen(item->line), &record, reason_r);
	if (result != MP_OK)
		return result;
	mp_entry_free(entry);
	*entry = record;
	*action_r = MP_EDIT_WRITE;
	return MP_OK;
}

/* each_commit - one edit per pending item, in input order. */
static enum mp_result
each_commit(struct import_job *job, struct mp_store *store, const char **reason_r)
{
	for (size_t i = 0; i < job->count; i++) {
		struct import_item *item = &job->items[i];
		struct each_edit edit = { .opt = job->opt, .item = item };
		struct mp_entry *entry = NULL;
		const char *reason = "";
		enum mp_edit_action action;
		enum mp_result result;

		if (item->outcome != IMPORT_PENDING)
			continue;
		if (job->opt->dry_run) {
			/* The edit function decides; nothing is written. */
			result = mp_store_lookup(store, item->user, &entry, &reason);
			if (result == MP_OK || result == MP_USER_UNKNOWN)
				result = each_edit_fn(&entry, &action, &edit, &reason);
			mp_entry_free(&entry);
		} else {
			result = mp_store_edit(store, item->user, each_edit_fn, &edit, &reason);
		}
		if (result == MP_MALFORMED) {
			import_reject(job, item, "%s", reason);
		} else if (result != MP_OK) {
			item->outcome = IMPORT_PENDING;
			*reason_r = reason;
			return result;
		}
	}
	return MP_OK;
}

/* --- Preparing the records to write. */

/*
 * prepare_item - hash the cleartext (not in a dry run), seal it as the APOP
 * secret with --apop, wipe it, and format the record, checking that the
 * store will read back the same user.
 */
static void
prepare_item(struct import_job *job, struct import_item *item, const unsigned char *key)
{
	struct mp_entry *back = NULL;
	char *stored = NULL, *field = NULL;
	const char *reason = "";

	if (item->hash_cleartext && !job->opt->dry_run) {
		if (mp_scheme_hash(job->conf->scheme, item->cleartext, item->cleartext_len,
				   &job->conf->hash, &stored, &reason) != MP_OK ||
		    mp_entry_set_password(item->entry, stored, &reason) != MP_OK) {
			mp_secret_free_str(&stored);
			import_reject(job, item, "cannot hash the password: %s", reason);
			return;
		}
		mp_secret_free_str(&stored);
	}
	if (job->opt->apop && item->cleartext != NULL &&
	    mp_entry_extra(item->entry, "apop") == NULL) {
		if (mp_apop_secret_seal(key, item->cleartext, item->cleartext_len, &field,
					&reason) != MP_OK ||
		    mp_entry_set_extra(item->entry, "apop", field, &reason) != MP_OK) {
			mp_secret_free_str(&field);
			import_reject(job, item, "cannot store the APOP secret: %s", reason);
			return;
		}
		mp_secret_free_str(&field);
	}
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext_len = 0;
	item->prepared = true;
	if (item->hash_cleartext && job->opt->dry_run) {
		mp_entry_free(&item->entry);
		return;
	}
	item->line = mp_entry_format(item->entry);
	mp_entry_free(&item->entry);
	if (item->line == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return;
	}
	if (mp_entry_parse(item->line, strlen(item->line), &back, &reason) != MP_OK) {
		import_reject(job, item, "the record would not read back: %s", reason);
	} else if (strcmp(mp_entry_user(back), item->user) != 0) {
		import_reject(job, item, "the record would read back as another user");
	}
	mp_entry_free(&back);
	if (item->outcome == IMPORT_REJECTED)
		mp_secret_free_str(&item->line);
}

/*
 * prepare_all - the items to write: new users, and existing ones with
 * --replace.  Users that exist now are not hashed for nothing.
 */
static void
prepare_all(struct import_job *job, struct import_item **index, size_t count,
	    const unsigned char *key)
{
	unsigned long done = 0, total = 0;

	for (size_t i = 0; i < count; i++) {
		if (index[i]->hash_cleartext && (!index[i]->existed || job->opt->replace))
			total++;
	}
	if (job->opt->dry_run)
		total = 0;
	for (size_t i = 0; i < job->count && !job->failed; i++) {
		struct import_item *item = &job->items[i];

		if (item->outcome != IMPORT_PENDING)
			continue;
		if (item->existed && !job->opt->replace) {
			item_drop_secrets(item);
			continue;
		}
		prepare_item(job, item, key);
		if (total > 0 && item->hash_cleartext)
			import_progress(job, ++done, total, "passwords hashed");
	}
}

/* --- The report. */

static const char *const outcome_names[IMPORT_OUTCOME_COUNT] = {
	[IMPORT_PENDING] = "pending",
	[IMPORT_IMPORTED] = "imported",
	[IMPORT_REPLACED] = "replaced",
	[IMPORT_EXISTING] = "skipped-existing",
	[IMPORT_SKIPPED] = "skipped",
	[IMPORT_FILTERED] = "filtered",
	[IMPORT_REJECTED] = "rejected",
};

static void
report_item(const struct import_job *job, const struct import_item *item, const char *input)
{
	char where[MP_PATH_MAX + 2 * MP_USER_MAX + 64];
	const char *user = item->user != NULL ? item->user : "";
	const char *sep = item->user != NULL ? ": " : "";
	const char *reason = item->reason != NULL ? item->reason : "";

	if (job->records)
		snprintf(where, sizeof(where), "%s: record %lu%s%s%s", input, item->where,
			 item->label != NULL ? " (" : "", item->label != NULL ? item->label : "",
			 item->label != NULL ? ")" : "");
	else
		snprintf(where, sizeof(where), "%s:%lu", input, item->where);

	switch (item->outcome) {
	case IMPORT_REJECTED:
		cli_error("%s: rejected: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_SKIPPED:
		cli_error("%s: skipped: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_EXISTING:
		cli_error("%s: skipped: user %s exists%s", where, user,
			  job->opt->replace ? "" : " (--replace replaces it)");
		break;
	case IMPORT_IMPORTED:
	case IMPORT_REPLACED:
		if (item->reason != NULL)
			cli_error("%s: note: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_PENDING:
	case IMPORT_FILTERED:
		break;
	}
}

/* report - every item not imported on stderr, then the counts on stdout. */
static unsigned long
report(const struct import_job *job, const char *store_name)
{
	unsigned long counts[IMPORT_OUTCOME_COUNT] = { 0 };
	const char *input = strcmp(job->opt->path, "-") == 0 ? "(standard input)" :
			    job->opt->path;

	for (size_t i = 0; i < job->opt->user_count; i++) {
		if (job->users_seen != NULL && !job->users_seen[i]) {
			cli_error("--users: %s is not in %s", job->opt->users[i], input);
			counts[IMPORT_REJECTED]++;
		}
	}
	for (size_t i = 0; i < job->count; i++) {
		report_item(job, &job->items[i], input);
		counts[job->items[i].outcome]++;
	}
	printf("%s: %lu %s (%s)\n", input, job->total, job->records ? "records" : "lines",
	       import_name_of_format(job->opt->format));
	for (int i = IMPORT_IMPORTED; i < IMPORT_OUTCOME_COUNT; i++)
		printf("%s: %lu\n", outcome_names[i], counts[i]);
	if (job->opt->dry_run)
		printf("dry run: nothing was written to %s\n", store_name);
	return counts[IMPORT_REJECTED];
}

/* --- Options. */

static int
string_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* parse_users - "a,b,c" into a sorted list without repeats; prints why not. */
static bool
parse_users(const char *arg, struct import_options *opt)
{
	char *copy, *name, *save = NULL;
	const char *reason = "";
	size_t count = 0, unique = 0;

	copy = strdup(arg);
	opt->users = calloc(strlen(arg) / 2 + 2, sizeof(*opt->users));
	if (copy == NULL || opt->users == NULL) {
		free(copy);
		cli_error("out of memory");
		return false;
	}
	if (arg[0] == ',' || arg[0] == '\0' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,") != NULL) {
		free(copy);
		cli_usage_error("import", "--users: empty user name in '%s'", arg);
		return false;
	}
	for (name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
		if (mp_user_name_check(name, strlen(name), &reason) != MP_OK) {
			cli_usage_error("import", "--users: invalid user name '%s': %s", name,
					reason);
			free(copy);
			return false;
		}
		opt->users[count] = strdup(name);
		if (opt->users[count] == NULL) {
			free(copy);
			cli_error("out of memory");
			return false;
		}
		opt->user_count = ++count;
	}
	free(copy);
	qsort(opt->users, count, sizeof(*opt->users), string_compare);
	for (size_t i = 0; i < count; i++) {
		if (unique > 0 && strcmp(opt->users[unique - 1], opt->users[i]) == 0) {
			free(opt->users[i]);
			continue;
		}
		opt->users[unique++] = opt->users[i];
	}
	opt->user_count = unique;
	return true;
}

static bool
parse_uid(const char *arg, unsigned long *uid_r)
{
	unsigned long value = 0;

	if (*arg == '\0')
		return false;
	for (const char *p = arg; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (value > (UINT32_MAX - (unsigned long)(*p - '0')) / 10)
			return false;
		value = value * 10 + (unsigned long)(*p - '0');
	}
	*uid_r = value;
	return true;
}

/* check_option_formats - options that only one format uses. */
static int
check_option_formats(const struct import_options *opt, bool passwd_given)
{
	const char *format = import_name_of_format(opt->format);

	if (opt->realm != NULL && opt->format != IMPORT_SASLDB)
		return cli_usage_error("import", "--realm is for --format sasldb, not %s", format);
	if (opt->default_scheme != NULL && opt->format != IMPORT_DOVECOT)
		return cli_usage_error("import", "--default-scheme is for --format dovecot, "
				       "not %s", format);
	if ((opt->min_uid_set || passwd_given) && opt->format != IMPORT_SHADOW)
		return cli_usage_error("import", "--min-uid and --passwd are for --format "
				       "shadow, not %s", format);
	if (passwd_given && !opt->min_uid_set)
		return cli_usage_error("import", "--passwd is only read for --min-uid");
	if (opt->format == IMPORT_SASLDB && strcmp(opt->path, "-") == 0)
		return cli_usage_error("import", "a sasldb file cannot be read from standard "
				       "input");
	return -1;
}

/*
 * parse_options - fill opt from argv; *reader_r gets the format's reader.
 * Returns -1 to go on, or the exit status.
 */
static int
parse_options(int argc, char **argv, struct import_options *opt, import_reader_fn **reader_r)
{
	enum {
		OPT_REPLACE = 256, OPT_USERS, OPT_APOP, OPT_REALM, OPT_DEFAULT_SCHEME,
		OPT_MIN_UID, OPT_PASSWD,
	};
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "users", required_argument, NULL, OPT_USERS },
		{ "apop", no_argument, NULL, OPT_APOP },
		{ "realm", required_argument, NULL, OPT_REALM },
		{ "default-scheme", required_argument, NULL, OPT_DEFAULT_SCHEME },
		{ "min-uid", required_argument, NULL, OPT_MIN_UID },
		{ "passwd", required_argument, NULL, OPT_PASSWD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *users = NULL;
	bool passwd_given = false;
	int opt_char;

	*reader_r = NULL;
	opt->passwd_path = "/etc/passwd";
	while ((opt_char = getopt_long(argc, argv, "+:f:nh", options, NULL)) != -1) {
		switch (opt_char) {
		case 'f':
			format = optarg;
			break;
		case 'n':
			opt->dry_run = true;
			break;
		case OPT_REPLACE:
			opt->replace = true;
			break;
		case OPT_USERS:
			users = optarg;
			break;
		case OPT_APOP:
			opt->apop = true;
			break;
		case OPT_REALM:
			opt->realm = optarg;
			break;
		case OPT_DEFAULT_SCHEME:
			opt->default_scheme = mp_scheme_find(optarg);
			if (opt->default_scheme == NULL)
				return cli_usage_error("import", "unknown scheme '%s'", optarg);
			break;
		case OPT_MIN_UID:
			if (!parse_uid(optarg, &opt->min_uid))
				return cli_usage_error("import", "--min-uid needs a number, not "
						       "'%s'", optarg);
			opt->min_uid_set = true;
			break;
		case OPT_PASSWD:
			opt->passwd_path = optarg;
			passwd_given = true;
			break;
		case 'h':
			import_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("import", opt_char, argv);
		}
	}
	if (format == NULL)
		return cli_usage_error("import", "import needs --format dovecot, htpasswd, "
				       "shadow or sasldb");
	for (size_t i = 0; i < IMPORT_FORMAT_COUNT; i++) {
		if (strcmp(import_formats[i].name, format) == 0) {
			opt->format = import_formats[i].format;
			*reader_r = import_formats[i].read;
		}
	}
	if (*reader_r == NULL)
		return cli_usage_error("import", "unknown format '%s' (dovecot, htpasswd, "
				       "shadow or sasldb)", format);
	if (argc - optind != 1)
		return cli_usage_error("import", "import needs exactly one FILE");
	opt->path = argv[optind];
	if (users != NULL && !parse_users(users, opt))
		return CLI_EXIT_ERROR;
	return check_option_formats(opt, passwd_given);
}

/* --- The command. */

/* run_import - read, decide, write; returns the exit status. */
static int
run_import(struct import_job *job, import_reader_fn *reader, struct mp_store *store,
	   const char *store_name, const unsigned char *key)
{
	struct import_item **index = NULL;
	const char *path = mp_store_file_path(store), *reason = "";
	enum mp_result result;
	unsigned long rejected;
	size_t count = 0;
	int status = CLI_EXIT_ERROR;

	if (!reader(job) || job->failed)
		goto out;
	if (!reject_input_duplicates(job))
		goto out;
	index = pending_index(job, &count);
	if (index == NULL)
		goto out;
	result = path != NULL ? file_snapshot(path, index, count, &reason) :
		 each_snapshot(store, index, count, &reason);
	if (result != MP_OK) {
		import_progress_clear(job);
		cli_error("%s: %s", store_name, reason);
		goto out;
	}
	prepare_all(job, index, count, key);
	if (job->failed)
		goto out;
	/* Rejected while preparing: leave them out of the index. */
	free(index);
	index = pending_index(job, &count);
	if (index == NULL)
		goto out;
	result = path != NULL ? file_commit(job, path, index, count, &reason) :
		 each_commit(job, store, &reason);
	import_progress_clear(job);
	if (result != MP_OK || job->failed) {
		cli_error("%s: %s; %s", store_name, job->failed ? "out of memory" : reason,
			  path != NULL ? "nothing was imported" :
			  "the users reported as imported or replaced were written");
		if (path == NULL)
			(void)report(job, store_name);
		goto out;
	}
	rejected = report(job, store_name);
	status = rejected == 0 ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
out:
	import_progress_clear(job);
	free(index);
	return status;
}

int
cmd_import(struct cli_context *ctx, int argc, char **argv)
{
	struct import_options opt;
	struct import_job job;
	import_reader_fn *reader = NULL;
	struct mp_store *store = NULL;
	struct mp_conf conf;
	unsigned char key[MP_APOP_KEY_BYTES];
	const char *reason = "";
	bool have_key = false;
	int status;

	memset(&opt, 0, sizeof(opt));
	memset(&job, 0, sizeof(job));
	status = parse_options(argc, argv, &opt, &reader);
	if (status >= 0)
		goto out;
	status = CLI_EXIT_ERROR;
	if (!cli_load_conf(ctx, &conf))
		goto out;
	if (mp_store_open(conf.store, &store, &reason) != MP_OK) {
		cli_error("%s: store %s: %s", ctx->conf_path, conf.store, reason);
		goto out;
	}
	if (opt.apop && conf.apop_key[0] != '\0') {
		if (mp_apop_key_load(conf.apop_key, key, &reason) != MP_OK) {
			cli_error("apop_key %s: %s", conf.apop_key, reason);
			goto out;
		}
		have_key = true;
	} else if (opt.apop) {
		cli_error("warning: no apop_key is set; APOP secrets are stored in "
			  "cleartext ({PLAIN})");
	}

	job.opt = &opt;
	job.conf = &conf;
	job.records = opt.format == IMPORT_SASLDB;
	job.progress = isatty(STDERR_FILENO) == 1;
	if (opt.user_count > 0) {
		job.users_seen = calloc(opt.user_count, sizeof(*job.users_seen));
		if (job.users_seen == NULL) {
			cli_error("out of memory");
			goto out;
		}
	}
	status = run_import(&job, reader, store, cli_store_name(store, &conf),
			    have_key ? key : NULL);
out:
	sodium_memzero(key, sizeof(key));
	for (size_t i = 0; i < job.count; i++)
		item_free(&job.items[i]);
	free(job.items);
	free(job.users_seen);
	for (size_t i = 0; i < opt.user_count; i++)
		free(opt.users[i]);
	free(opt.users);
	mp_store_close(&store);
	return status;
}
