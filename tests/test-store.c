/* test-store.c - the store dispatch and the passwd-file backend. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file-safety.h"
#include "mp-limits.h"
#include "store-faults.h"
#include "store.h"
#include "unit.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Seconds a forked child may run before it is killed as hung. */
#define CHILD_TIMEOUT 120

/* Sizes of the test paths: a temporary directory plus short names. */
#define DIR_SIZE 1024
#define PATH_SIZE (DIR_SIZE + 64)
#define LOCATION_SIZE (PATH_SIZE + 64)

struct fixture {
	char dir[DIR_SIZE];
	char path[PATH_SIZE];
	char tmp_path[PATH_SIZE + 8];
	char lock_path[PATH_SIZE + 8];
	struct mp_store *store;
};

/* write_bytes - create or replace path with len bytes and mode. */
static bool
write_bytes(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;
	bool ok;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return false;
	ok = write(fd, data, len) == (ssize_t)len;
	ok = fchmod(fd, mode) == 0 && ok;
	return close(fd) == 0 && ok;
}

/* read_bytes - malloc'd contents of path and their length, or NULL. */
static char *
read_bytes(const char *path, size_t *len_r)
{
	struct stat st;
	char *data;
	ssize_t n;
	int fd;

	*len_r = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (data = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	n = read(fd, data, (size_t)st.st_size + 1);
	close(fd);
	if (n != st.st_size) {
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len_r = (size_t)n;
	return data;
}

/* check_file - path holds exactly want (want NULL: path does not exist). */
static void
check_file(const char *label, const char *path, const char *want, size_t want_len)
{
	size_t len;
	char *got = read_bytes(path, &len);
	bool same;

	if (want == NULL) {
		if (got != NULL)
			fprintf(stderr, "\n  %s: file exists, want none\n", label);
		CU_ASSERT_PTR_NULL(got);
		free(got);
		return;
	}
	same = got != NULL && len == want_len && memcmp(got, want, len) == 0;
	if (!same)
		fprintf(stderr, "\n  %s: got %zu bytes \"%.300s\", want %zu bytes \"%.300s\"\n",
			label, len, got != NULL ? got : "(none)", want_len, want);
	CU_ASSERT(same);
	free(got);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* fixture_init - a fresh directory with "passwd" holding content (NULL: no file), opened. */
static void
fixture_init(struct fixture *f, const char *content, size_t len, mode_t mode)
{
	char location[LOCATION_SIZE];
	const char *reason = NULL;

	snprintf(f->dir, sizeof(f->dir), "%s", mp_test_tmpdir());
	snprintf(f->path, sizeof(f->path), "%s/passwd", f->dir);
	snprintf(f->tmp_path, sizeof(f->tmp_path), "%s.tmp", f->path);
	snprintf(f->lock_path, sizeof(f->lock_path), "%s.lock", f->path);
	if (content != NULL)
		CU_ASSERT_FATAL(write_bytes(f->path, content, len, mode));
	snprintf(location, sizeof(location), "file:%s", f->path);
	f->store = NULL;
	MP_CHECK_RESULT(location, mp_store_open(location, &f->store, &reason), MP_OK);
	CU_ASSERT_FATAL(f->store != NULL);
}

static void
fixture_done(struct fixture *f)
{
	mp_store_close(&f->store);
	CU_ASSERT_PTR_NULL(f->store);
}

/*
 * fixture_init_unprivileged - fixture_init() in a directory of
 * mp_test_unprivileged_dir(), the store file handed to the same account,
 * for checks that mp_test_unprivileged() runs.  False (the check skipped or
 * failed, and said why) when there is no such directory.
 */
static bool
fixture_init_unprivileged(struct fixture *f, const char *label, const char *content,
			  size_t len, mode_t mode)
{
	char location[LOCATION_SIZE];
	const char *dir = mp_test_unprivileged_dir(label), *reason = NULL;

	if (dir == NULL)
		return false;
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	snprintf(f->path, sizeof(f->path), "%s/passwd", f->dir);
	snprintf(f->tmp_path, sizeof(f->tmp_path), "%s.tmp", f->path);
	snprintf(f->lock_path, sizeof(f->lock_path), "%s.lock", f->path);
	CU_ASSERT_FATAL(write_bytes(f->path, content, len, mode));
	if (mp_test_is_root())
		CU_ASSERT_FATAL(chown(f->path, MP_TEST_UNPRIVILEGED_UID,
				      MP_TEST_UNPRIVILEGED_GID) == 0);
	snprintf(location, sizeof(location), "file:%s", f->path);
	f->store = NULL;
	MP_CHECK_RESULT(location, mp_store_open(location, &f->store, &reason), MP_OK);
	CU_ASSERT_FATAL(f->store != NULL);
	return true;
}

/* ---- Edit callbacks, driven by a context. */

enum edit_op {
	OP_SET_PASSWORD,	/* set (or add with) ctx->value */
	OP_SET_APOP,		/* set extra field apop=ctx->value */
	OP_DELETE,
	OP_KEEP,
	OP_FAIL,		/* return MP_MISMATCH */
	OP_OTHER_USER,		/* write a record for "mallory" */
	OP_WRITE_NULL,		/* ask to write without a record */
};

struct edit_ctx {
	enum edit_op op;
	const char *user;
	const char *value;
	int calls;
	bool had_entry;
};

static enum mp_result
edit_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	const char **reason_r)
{
	struct edit_ctx *ctx = context;

	ctx->calls++;
	ctx->had_entry = *entry != NULL;
	*action_r = MP_EDIT_KEEP;
	switch (ctx->op) {
	case OP_SET_PASSWORD:
		*action_r = MP_EDIT_WRITE;
		if (*entry == NULL)
			return mp_entry_new(ctx->user, ctx->value, entry, reason_r);
		return mp_entry_set_password(*entry, ctx->value, reason_r);
	case OP_SET_APOP:
		if (*entry == NULL) {
			*reason_r = "unknown user";
			return MP_USER_UNKNOWN;
		}
		*action_r = MP_EDIT_WRITE;
		return mp_entry_set_extra(*entry, "apop", ctx->value, reason_r);
	case OP_DELETE:
		*action_r = MP_EDIT_DELETE;
		return MP_OK;
	case OP_KEEP:
		return MP_OK;
	case OP_FAIL:
		*reason_r = "refused by the test";
		return MP_MISMATCH;
	case OP_OTHER_USER:
		mp_entry_free(entry);
		*action_r = MP_EDIT_WRITE;
		return mp_entry_new("mallory", "{PLAIN}m", entry, reason_r);
	case OP_WRITE_NULL:
		mp_entry_free(entry);
		*action_r = MP_EDIT_WRITE;
		return MP_OK;
	}
	return MP_INTERNAL;
}

/* set_password - one edit that sets (or adds) user's password. */
static enum mp_result
set_password(struct mp_store *store, const char *user, const char *value,
	     const char **reason_r)
{
	struct edit_ctx ctx = { .op = OP_SET_PASSWORD, .user = user, .value = value };

	return mp_store_edit(store, user, edit_fn, &ctx, reason_r);
}

/* ---- Opening. */

static void
test_open(void)
{
	static const struct {
		const char *label;
		const char *location;
		enum mp_result want;
		const char *want_path;
	} rows[] = {
		{ "absolute file", "file:/etc/mailpass/passwd", MP_OK, "/etc/mailpass/passwd" },
		{ "file with colon in path", "file:/srv/a:b", MP_OK, "/srv/a:b" },
		{ "relative path", "file:etc/passwd", MP_MALFORMED, NULL },
		{ "dot path", "file:./passwd", MP_MALFORMED, NULL },
		{ "empty path", "file:", MP_MALFORMED, NULL },
		{ "root dir", "file:/", MP_MALFORMED, NULL },
		{ "trailing slash", "file:/etc/mailpass/", MP_MALFORMED, NULL },
		{ "unknown backend", "sql:/etc/passwd", MP_MALFORMED, NULL },
		{ "upper case backend", "FILE:/etc/passwd", MP_MALFORMED, NULL },
		{ "backend prefix only", "fil:/etc/passwd", MP_MALFORMED, NULL },
		{ "no prefix", "/etc/passwd", MP_MALFORMED, NULL },
		{ "empty prefix", ":/etc/passwd", MP_MALFORMED, NULL },
		{ "empty", "", MP_MALFORMED, NULL },
		{ "NULL", NULL, MP_MALFORMED, NULL },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		static struct mp_store sentinel;
		struct mp_store *store = &sentinel;	/* mp_store_open must reset it */
		const char *reason = NULL;

		MP_CHECK_RESULT(rows[i].label, mp_store_open(rows[i].location, &store, &reason),
				rows[i].want);
		if (rows[i].want != MP_OK) {
			CU_ASSERT_PTR_NULL(store);
			CU_ASSERT_PTR_NOT_NULL(reason);
			continue;
		}
		MP_CHECK_STR(rows[i].label, mp_store_file_path(store), rows[i].want_path);
		mp_store_close(&store);
		CU_ASSERT_PTR_NULL(store);
	}
	mp_store_close(&(struct mp_store *){ NULL });
	CU_ASSERT_PTR_NULL(mp_store_file_path(NULL));
}

static void
test_open_touches_nothing(void)
{
	struct fixture f;

	fixture_init(&f, NULL, 0, 0);
	CU_ASSERT(!exists(f.path));
	CU_ASSERT(!exists(f.lock_path));
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
	CU_ASSERT(!exists(f.path));
}

/* A backend that fills no slot: every call is "not supported". */
static const struct mp_store_ops empty_ops = { .name = "empty" };

static int
count_fn(const struct mp_entry *entry, unsigned long line_no, const char *reason, void *context)
{
	(*(int *)context)++;
	return 0;
}

static void
test_unsupported_slots(void)
{
	struct mp_store empty = { .ops = &empty_ops };
	struct mp_store *store = &empty;
	struct mp_entry *entry = NULL;
	struct edit_ctx ctx = { .op = OP_KEEP };
	const char *reason = NULL;
	int count = 0;

	MP_CHECK_RESULT("lookup", mp_store_lookup(store, "alice", &entry, &reason),
			MP_UNAVAILABLE);
	MP_CHECK_STR("lookup", reason, "not supported by this store");
	reason = NULL;
	MP_CHECK_RESULT("edit", mp_store_edit(store, "alice", edit_fn, &ctx, &reason),
			MP_UNAVAILABLE);
	MP_CHECK_STR("edit", reason, "not supported by this store");
	CU_ASSERT(ctx.calls == 0);
	reason = NULL;
	MP_CHECK_RESULT("iterate", mp_store_iterate(store, count_fn, &count, &reason),
			MP_UNAVAILABLE);
	MP_CHECK_STR("iterate", reason, "not supported by this store");
	CU_ASSERT(count == 0);
	CU_ASSERT_PTR_NULL(mp_store_file_path(store));
	mp_store_close(&store);	/* no close slot: just forgets the handle */
	CU_ASSERT_PTR_NULL(store);
}

/* ---- Lookup. */

/* long_line - a malloc'd "name:{PLAIN}xxx..." line of len bytes, without newline. */
static char *
long_line(const char *name, size_t len)
{
	char *line = malloc(len + 1);
	size_t prefix;

	CU_ASSERT_FATAL(line != NULL);
	prefix = (size_t)snprintf(line, len + 1, "%s:{PLAIN}", name);
	memset(line + prefix, 'x', len - prefix);
	line[len] = '\0';
	return line;
}

static void
test_lookup(void)
{
	static const char head[] =
		"# comment\n"
		"alice:{PLAIN}a:1000:1000::/home/alice:/bin/sh:apop={PLAIN}x\n"
		"\n"
		"bob:{PLAIN}b\n"
		"dup:{PLAIN}1\n"
		"broken\n"
		"dup:{PLAIN}2\n";
	static const char nul_lines[] =
		"nul:{PLAIN}a\0b\n"
		"garbage \0 of someone else\n";
	static const char tail[] =
		"crlf:{PLAIN}c\r\n"
		"   \n"
		"\t\n"
		"#hidden:{PLAIN}h\n"
		"carol:{PLAIN}c::::::nologin\n"
		"last:{PLAIN}l";
	static const struct {
		const char *label;
		const char *user;
		enum mp_result want;
		const char *password;
		const char *reason;	/* a part of the reason for failures */
	} rows[] = {
		{ "first record", "alice", MP_OK, "{PLAIN}a", NULL },
		{ "after a blank line", "bob", MP_OK, "{PLAIN}b", NULL },
		{ "after NUL and long lines", "carol", MP_OK, "{PLAIN}c", NULL },
		{ "last line without newline", "last", MP_OK, "{PLAIN}l", NULL },
		{ "unknown", "nobody", MP_USER_UNKNOWN, NULL, NULL },
		{ "prefix of a user", "ali", MP_USER_UNKNOWN, NULL, NULL },
		{ "user is a prefix", "alice2", MP_USER_UNKNOWN, NULL, NULL },
		{ "commented out", "#hidden", MP_USER_UNKNOWN, NULL, NULL },
		{ "duplicate", "dup", MP_MALFORMED, NULL, "more than once" },
		{ "no colon", "broken", MP_MALFORMED, NULL, "':'" },
		{ "own line too long", "zed", MP_MALFORMED, NULL, "longer" },
		{ "NUL in own line", "nul", MP_MALFORMED, NULL, "NUL" },
		{ "CRLF", "crlf", MP_MALFORMED, NULL, "carriage return" },
		{ "bad name", "a b", MP_MALFORMED, NULL, "white space" },
		{ "empty name", "", MP_MALFORMED, NULL, "empty" },
	};
	char *zed = long_line("zed", MP_LINE_MAX + 1);
	char *other = long_line("other", MP_LINE_MAX + 100);
	size_t len = 0, cap = sizeof(head) + sizeof(nul_lines) + sizeof(tail) +
			     strlen(zed) + strlen(other) + 8;
	char *content = malloc(cap);
	struct fixture f;

	CU_ASSERT_FATAL(content != NULL);
	memcpy(content + len, head, sizeof(head) - 1);
	len += sizeof(head) - 1;
	len += (size_t)sprintf(content + len, "%s\n%s\n", zed, other);
	memcpy(content + len, nul_lines, sizeof(nul_lines) - 1);
	len += sizeof(nul_lines) - 1;
	memcpy(content + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	fixture_init(&f, content, len, 0640);

	for (size_t i = 0; i < ROWS(rows); i++) {
		static struct mp_entry sentinel;
		struct mp_entry *entry = &sentinel;	/* the lookup must reset it */
		const char *reason = NULL;
		enum mp_result got;

		got = mp_store_lookup(f.store, rows[i].user, &entry, &reason);
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got != MP_OK) {
			CU_ASSERT_PTR_NULL(entry);
			CU_ASSERT_PTR_NOT_NULL(reason);
			if (rows[i].reason != NULL) {
				if (reason == NULL || strstr(reason, rows[i].reason) == NULL)
					fprintf(stderr, "\n  %s: reason \"%s\" lacks \"%s\"\n",
						rows[i].label, reason, rows[i].reason);
				CU_ASSERT(reason != NULL && strstr(reason, rows[i].reason) != NULL);
			}
			continue;
		}
		if (rows[i].want != MP_OK) {
			mp_entry_free(&entry);
			continue;
		}
		MP_CHECK_STR(rows[i].label, mp_entry_user(entry), rows[i].user);
		MP_CHECK_STR(rows[i].label, mp_entry_password(entry), rows[i].password);
		mp_entry_free(&entry);
	}
	/* Details of a full record come through. */
	{
		struct mp_entry *entry = NULL;
		const char *reason;

		CU_ASSERT_FATAL(mp_store_lookup(f.store, "alice", &entry, &reason) == MP_OK);
		MP_CHECK_STR("alice apop", mp_entry_extra(entry, "apop"), "{PLAIN}x");
		MP_CHECK_STR("alice home", entry->field[MP_FIELD_HOME], "/home/alice");
		CU_ASSERT(!mp_entry_is_disabled(entry));
		mp_entry_free(&entry);
		CU_ASSERT_FATAL(mp_store_lookup(f.store, "carol", &entry, &reason) == MP_OK);
		CU_ASSERT(mp_entry_is_disabled(entry));
		mp_entry_free(&entry);
	}
	/* A lookup never creates anything. */
	CU_ASSERT(!exists(f.lock_path));
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
	free(content);
	free(zed);
	free(other);
}

enum path_kind {
	PATH_MISSING,		/* no file */
	PATH_MISSING_DIR,	/* the directory does not exist either */
	PATH_DIRECTORY,
	PATH_FIFO,
	PATH_DEVICE,		/* /dev/null */
	PATH_THROUGH_FILE,	/* a component is a regular file */
	PATH_EMPTY,		/* an empty file */
};

/* make_path - set up kind under dir, return the store path in buf. */
static void
make_path(enum path_kind kind, const char *dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/passwd", dir);
	switch (kind) {
	case PATH_MISSING:
		break;
	case PATH_MISSING_DIR:
		snprintf(buf, size, "%s/none/passwd", dir);
		break;
	case PATH_DIRECTORY:
		CU_ASSERT_FATAL(mkdir(buf, 0755) == 0);
		break;
	case PATH_FIFO:
		CU_ASSERT_FATAL(mkfifo(buf, 0644) == 0);
		break;
	case PATH_DEVICE:
		snprintf(buf, size, "/dev/null");
		break;
	case PATH_THROUGH_FILE:
		CU_ASSERT_FATAL(mp_test_write_file(buf, "alice:x\n", 0644));
		snprintf(buf, size, "%s/passwd/passwd", dir);
		break;
	case PATH_EMPTY:
		CU_ASSERT_FATAL(mp_test_write_file(buf, "", 0644));
		break;
	}
}

static void
test_unavailable(void)
{
	static const struct {
		const char *label;
		enum path_kind kind;
		enum mp_result want_lookup;
		enum mp_result want_iterate;
		const char *reason;
	} rows[] = {
		{ "missing file", PATH_MISSING, MP_UNAVAILABLE, MP_UNAVAILABLE, "does not exist" },
		{ "missing directory", PATH_MISSING_DIR, MP_UNAVAILABLE, MP_UNAVAILABLE,
		  "does not exist" },
		{ "directory", PATH_DIRECTORY, MP_UNAVAILABLE, MP_UNAVAILABLE, "directory" },
		{ "FIFO", PATH_FIFO, MP_UNAVAILABLE, MP_UNAVAILABLE, "not a regular file" },
		{ "device", PATH_DEVICE, MP_UNAVAILABLE, MP_UNAVAILABLE, "not a regular file" },
		{ "through a file", PATH_THROUGH_FILE, MP_UNAVAILABLE, MP_UNAVAILABLE,
		  "not a directory" },
		{ "empty file", PATH_EMPTY, MP_USER_UNKNOWN, MP_OK, NULL },
	};

	/* A FIFO that blocked the open would hang the suite: fail loudly instead. */
	alarm(30);
	for (size_t i = 0; i < ROWS(rows); i++) {
		char path[PATH_SIZE], location[LOCATION_SIZE];
		struct mp_store *store = NULL;
		struct mp_entry *entry = NULL;
		const char *reason = NULL;
		int count = 0;

		make_path(rows[i].kind, mp_test_tmpdir(), path, sizeof(path));
		snprintf(location, sizeof(location), "file:%s", path);
		MP_CHECK_RESULT(rows[i].label, mp_store_open(location, &store, &reason), MP_OK);
		if (store == NULL)
			continue;
		reason = NULL;
		MP_CHECK_RESULT(rows[i].label, mp_store_lookup(store, "alice", &entry, &reason),
				rows[i].want_lookup);
		CU_ASSERT_PTR_NULL(entry);
		if (rows[i].reason != NULL) {
			if (reason == NULL || strstr(reason, rows[i].reason) == NULL)
				fprintf(stderr, "\n  %s: reason \"%s\" lacks \"%s\"\n",
					rows[i].label, reason, rows[i].reason);
			CU_ASSERT(reason != NULL && strstr(reason, rows[i].reason) != NULL);
		}
		MP_CHECK_RESULT(rows[i].label, mp_store_iterate(store, count_fn, &count, &reason),
				rows[i].want_iterate);
		CU_ASSERT(count == 0);
		mp_store_close(&store);
	}
	alarm(0);
}

/* unreadable_check - a store the process may not read (as the unprivileged account). */
static void
unreadable_check(void *context)
{
	struct fixture *f = context;
	struct mp_entry *entry = NULL;
	const char *reason = NULL;

	MP_CHECK_RESULT("unreadable", mp_store_lookup(f->store, "alice", &entry, &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "permission") != NULL);
	CU_ASSERT_PTR_NULL(entry);
	mp_entry_free(&entry);
}

static void
test_unreadable(void)
{
	struct fixture f;

	/* Root reads a mode 0000 file: the check runs as another account then. */
	if (!fixture_init_unprivileged(&f, "unreadable store", "alice:{PLAIN}a\n", 15, 0000))
		return;
	mp_test_unprivileged("unreadable store", unreadable_check, &f, CHILD_TIMEOUT);
	fixture_done(&f);
}

/* ---- Edit. */

/* The store most edit rows start from; every line is of a different kind. */
#define BASE_HEAD \
	"# mailpass test store\n" \
	"alice:{PLAIN}a:1000:1000:Alice:/home/alice:/bin/sh:apop={PLAIN}pa\n" \
	"\n" \
	"this line is junk\n"
#define BASE_BOB "bob:{PLAIN}b\n"
#define BASE_MID \
	"  \n" \
	"carol:{PLAIN}c::::::nologin\n" \
	"#bob:{PLAIN}commented\n" \
	"broken\n" \
	"@LONG@\n" \
	"crlf:{PLAIN}x\r\n"
#define BASE_LAST "last:{PLAIN}l"
#define BASE BASE_HEAD BASE_BOB BASE_MID BASE_LAST
/* Any rewrite ends the last line with a newline. */
#define BASE_LAST_NL BASE_LAST "\n"

/* expand - a malloc'd copy of text with each "@LONG@" made an overlong line. */
static char *
expand(const char *text, size_t *len_r)
{
	char *longl = long_line("zed", MP_LINE_MAX + 500);
	size_t n = 0, cap = strlen(text) + 1;
	char *out;
	const char *p;

	for (p = text; (p = strstr(p, "@LONG@")) != NULL; p += 6)
		cap += strlen(longl);
	out = malloc(cap);
	CU_ASSERT_FATAL(out != NULL);
	for (p = text; *p != '\0';) {
		if (strncmp(p, "@LONG@", 6) == 0) {
			memcpy(out + n, longl, strlen(longl));
			n += strlen(longl);
			p += 6;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	*len_r = n;
	free(longl);
	return out;
}

/* The store of an edit row: a fixture holding the row's text before the edit. */
struct edited_store {
	struct fixture f;
	char *before;		/* expanded; NULL: no file */
	size_t before_len;
	struct stat st_before;
};

/* edited_store_init - a fixture holding before (expanded; NULL: no file). */
static void
edited_store_init(struct edited_store *s, const char *before)
{
	s->before = NULL;
	s->before_len = 0;
	if (before != NULL)
		s->before = expand(before, &s->before_len);
	fixture_init(&s->f, s->before, s->before_len, 0640);
	CU_ASSERT(s->before == NULL || stat(s->f.path, &s->st_before) == 0);
}

/*
 * edited_store_done - the store holds after (expanded) or, when after is
 * NULL, the text before, not even rewritten with the same bytes (the same
 * inode is there); no temporary file is left.  Closes the fixture.
 */
static void
edited_store_done(struct edited_store *s, const char *label, const char *after)
{
	struct stat st_after;

	if (after != NULL) {
		size_t want_len;
		char *want = expand(after, &want_len);

		check_file(label, s->f.path, want, want_len);
		free(want);
	} else {
		check_file(label, s->f.path, s->before, s->before_len);
		if (s->before != NULL)
			CU_ASSERT(stat(s->f.path, &st_after) == 0 &&
				  st_after.st_ino == s->st_before.st_ino);
	}
	CU_ASSERT(!exists(s->f.tmp_path));
	fixture_done(&s->f);
	free(s->before);
}

static void
test_edit(void)
{
	static const struct {
		const char *label;
		const char *before;	/* NULL: no store file */
		const char *user;
		enum edit_op op;
		const char *value;
		enum mp_result want;
		int want_calls;
		const char *after;	/* NULL: the same as before */
	} rows[] = {
		{ "replace a middle record", BASE, "bob", OP_SET_PASSWORD, "{PLAIN}B2", MP_OK, 1,
		  BASE_HEAD "bob:{PLAIN}B2\n" BASE_MID BASE_LAST_NL },
		{ "replace a full record", BASE, "alice", OP_SET_PASSWORD, "{PLAIN}A2", MP_OK, 1,
		  "# mailpass test store\n"
		  "alice:{PLAIN}A2:1000:1000:Alice:/home/alice:/bin/sh:apop={PLAIN}pa\n"
		  "\n"
		  "this line is junk\n" BASE_BOB BASE_MID BASE_LAST_NL },
		{ "replace the last line", BASE, "last", OP_SET_PASSWORD, "{PLAIN}L2", MP_OK, 1,
		  BASE_HEAD BASE_BOB BASE_MID "last:{PLAIN}L2\n" },
		{ "add ends the last line", BASE, "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1,
		  BASE "\ndave:{PLAIN}d\n" },
		{ "add after a final newline", BASE "\n", "dave", OP_SET_PASSWORD, "{PLAIN}d",
		  MP_OK, 1, BASE "\ndave:{PLAIN}d\n" },
		{ "add an extra field", BASE, "bob", OP_SET_APOP, "{PLAIN}s", MP_OK, 1,
		  BASE_HEAD "bob:{PLAIN}b::::::apop={PLAIN}s\n" BASE_MID BASE_LAST_NL },
		{ "delete a middle record", BASE, "bob", OP_DELETE, NULL, MP_OK, 1,
		  BASE_HEAD BASE_MID BASE_LAST_NL },
		{ "delete the last line", BASE, "last", OP_DELETE, NULL, MP_OK, 1,
		  BASE_HEAD BASE_BOB BASE_MID },
		{ "delete the first record", "alice:x\nbob:y", "alice", OP_DELETE, NULL, MP_OK, 1,
		  "bob:y\n" },
		{ "delete the only record", "bob:{PLAIN}b\n", "bob", OP_DELETE, NULL, MP_OK, 1, "" },
		{ "delete an absent user", BASE, "zoe", OP_DELETE, NULL, MP_OK, 1, NULL },
		{ "keep", BASE, "bob", OP_KEEP, NULL, MP_OK, 1, NULL },
		{ "keep an absent user", BASE, "zoe", OP_KEEP, NULL, MP_OK, 1, NULL },
		{ "callback error", BASE, "bob", OP_FAIL, NULL, MP_MISMATCH, 1, NULL },
		{ "callback error, absent", BASE, "zoe", OP_FAIL, NULL, MP_MISMATCH, 1, NULL },
		{ "callback refuses input", BASE, "bob", OP_SET_PASSWORD, "a:b", MP_MALFORMED, 1,
		  NULL },
		{ "record of another user", BASE, "bob", OP_OTHER_USER, NULL, MP_MALFORMED, 1, NULL },
		{ "write without a record", BASE, "bob", OP_WRITE_NULL, NULL, MP_INTERNAL, 1, NULL },
		{ "duplicate user", BASE "\nbob:{PLAIN}again\n", "bob", OP_SET_PASSWORD, "{PLAIN}x",
		  MP_MALFORMED, 0, NULL },
		{ "broken record (no colon)", BASE, "broken", OP_SET_PASSWORD, "{PLAIN}x",
		  MP_MALFORMED, 0, NULL },
		{ "broken record (CRLF)", BASE, "crlf", OP_DELETE, NULL, MP_MALFORMED, 0, NULL },
		{ "broken record (too long)", BASE, "zed", OP_DELETE, NULL, MP_MALFORMED, 0, NULL },
		{ "user like a comment", BASE, "#bob", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0,
		  NULL },
		{ "bad user name", BASE, "b b", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, NULL },
		{ "add to a missing file", NULL, "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1,
		  "dave:{PLAIN}d\n" },
		{ "add to an empty file", "", "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1,
		  "dave:{PLAIN}d\n" },
		{ "delete in a missing file", NULL, "dave", OP_DELETE, NULL, MP_OK, 1, NULL },
		{ "keep in a missing file", NULL, "dave", OP_KEEP, NULL, MP_OK, 1, NULL },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct edit_ctx ctx = { .op = rows[i].op, .user = rows[i].user,
					.value = rows[i].value };
		const char *reason = NULL;
		struct edited_store s;
		enum mp_result got;

		edited_store_init(&s, rows[i].before);
		got = mp_store_edit(s.f.store, rows[i].user, edit_fn, &ctx, &reason);
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got != MP_OK)
			CU_ASSERT_PTR_NOT_NULL(reason);
		if (ctx.calls != rows[i].want_calls)
			fprintf(stderr, "\n  %s: callback ran %d times, want %d\n", rows[i].label,
				ctx.calls, rows[i].want_calls);
		CU_ASSERT(ctx.calls == rows[i].want_calls);
		edited_store_done(&s, rows[i].label, rows[i].after);
	}
}

/* The edited store reads back: a lookup sees the new value, iterate the same lines. */
static void
test_edit_then_lookup(void)
{
	struct fixture f;
	struct mp_entry *entry = NULL;
	struct edit_ctx ctx = { .op = OP_SET_APOP, .user = "bob", .value = "{PLAIN}s" };
	const char *reason = NULL;

	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0640);
	MP_CHECK_RESULT("set password", set_password(f.store, "bob", "{PLAIN}new", &reason),
			MP_OK);
	MP_CHECK_RESULT("set apop", mp_store_edit(f.store, "bob", edit_fn, &ctx, &reason), MP_OK);
	CU_ASSERT(ctx.had_entry);
	MP_CHECK_RESULT("lookup", mp_store_lookup(f.store, "bob", &entry, &reason), MP_OK);
	if (entry != NULL) {
		MP_CHECK_STR("password", mp_entry_password(entry), "{PLAIN}new");
		MP_CHECK_STR("apop", mp_entry_extra(entry, "apop"), "{PLAIN}s");
	}
	mp_entry_free(&entry);
	/* A record that would not fit in a line is refused, not written. */
	{
		char *before, *huge = malloc(MP_LINE_MAX + 1);
		size_t before_len;

		CU_ASSERT_FATAL(huge != NULL);
		memset(huge, 'h', MP_LINE_MAX);
		huge[MP_LINE_MAX] = '\0';
		before = read_bytes(f.path, &before_len);
		CU_ASSERT_FATAL(before != NULL);
		MP_CHECK_RESULT("record too long", set_password(f.store, "bob", huge, &reason),
				MP_MALFORMED);
		check_file("record too long", f.path, before, before_len);
		free(before);
		free(huge);
	}
	ctx.op = OP_DELETE;
	MP_CHECK_RESULT("delete", mp_store_edit(f.store, "bob", edit_fn, &ctx, &reason), MP_OK);
	MP_CHECK_RESULT("lookup deleted", mp_store_lookup(f.store, "bob", &entry, &reason),
			MP_USER_UNKNOWN);
	check_file("emptied", f.path, "", 0);
	fixture_done(&f);
}

static void
test_edit_modes(void)
{
	static const struct {
		const char *label;
		mode_t mode;		/* of the existing file; 0: none */
		mode_t umask;
		mode_t want;
	} rows[] = {
		{ "0600 stays", 0600, 022, 0600 },
		{ "0640 stays", 0640, 022, 0640 },
		{ "0644 stays", 0644, 077, 0644 },
		{ "0400 stays", 0400, 022, 0400 },
		{ "new file, umask 022", 0, 022, 0640 },
		{ "new file, umask 077", 0, 077, 0640 },
		{ "new file, umask 0", 0, 0, 0640 },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		mode_t old_umask = umask(rows[i].umask);
		const char *reason = NULL;
		struct fixture f;
		struct stat st;

		fixture_init(&f, rows[i].mode != 0 ? "bob:{PLAIN}b\n" : NULL, 13, rows[i].mode);
		MP_CHECK_RESULT(rows[i].label, set_password(f.store, "dave", "{PLAIN}d", &reason),
				MP_OK);
		CU_ASSERT(stat(f.path, &st) == 0);
		if ((st.st_mode & 07777) != rows[i].want)
			fprintf(stderr, "\n  %s: got mode %04o, want %04o\n", rows[i].label,
				(unsigned int)(st.st_mode & 07777), (unsigned int)rows[i].want);
		CU_ASSERT((st.st_mode & 07777) == rows[i].want);
		/*
		 * The lock file stays: it follows an existing store's read/write
		 * bits (so whoever may write the store may lock it), and is
		 * private to the owner when the store did not exist yet.
		 */
		CU_ASSERT(lstat(f.lock_path, &st) == 0 && S_ISREG(st.st_mode));
		if (rows[i].mode != 0) {
			CU_ASSERT((st.st_mode & 07777) == (rows[i].mode & 0666));
		} else {
			CU_ASSERT((st.st_mode & 0077) == 0);
		}
		umask(old_umask);
		fixture_done(&f);
	}
}

static void
test_edit_owner(void)
{
	struct fixture f;
	const char *reason = NULL;
	struct stat st;
	uid_t nobody;

	if (geteuid() != 0) {
		fprintf(stderr, "\n  note: not root, cannot hand the store to another owner; "
			"owner preservation not checked here\n");
		return;
	}
	/* Another owner must be named by store_owner for the store to be read. */
	if (!mp_file_owner_uid("nobody", &nobody)) {
		mp_test_skip("edit keeps the owner", "no account \"nobody\" to own the store");
		return;
	}
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0640);
	CU_ASSERT_FATAL(chown(f.path, nobody, 4343) == 0);
	MP_CHECK_RESULT("store_owner", mp_store_file_set_owner(f.store, "nobody", &reason), MP_OK);
	MP_CHECK_RESULT("edit", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	CU_ASSERT(stat(f.path, &st) == 0 && st.st_uid == nobody && st.st_gid == 4343);
	CU_ASSERT((st.st_mode & 07777) == 0640);
	check_file("owner", f.path, "bob:{PLAIN}c\n", 13);
	fixture_done(&f);
}

/* acl_text - the ACL of path as `getfacl -n` prints it, on one line; false when it fails. */
static bool
acl_text(const char *path, char *out, size_t size)
{
	char command[PATH_SIZE + 64];

	snprintf(command, sizeof(command), "acl=$(getfacl -c -n -p -- '%s') && echo $acl", path);
	return mp_test_capture(command, out, size) == 0 && out[0] != '\0';
}

/* check_acl - path's ACL is want, printed as acl_text() prints it. */
static void
check_acl(const char *label, const char *path, const char *want)
{
	char got[512];

	if (!acl_text(path, got, sizeof(got)))
		snprintf(got, sizeof(got), "(getfacl failed)");
	MP_CHECK_STR(label, got, want);
}

/*
 * An admin's POSIX ACL on the store (read access for the mail server's
 * account, say) survives an edit, and the stamp gets it too; an ACL the
 * new file would inherit from its directory does not replace the store's
 * permissions; an ACL that cannot be set fails the edit.
 */
static void
test_edit_acl(void)
{
	char command[PATH_SIZE + 64], out[512], acl[512], stamp_path[PATH_SIZE + 8];
	const char *reason = NULL;
	struct fixture f;

	if (!mp_test_have_tool("setfacl") || !mp_test_have_tool("getfacl")) {
		mp_test_skip("edit keeps the ACL",
			     "setfacl and getfacl are not installed (Debian package acl)");
		return;
	}
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0640);
	snprintf(command, sizeof(command), "setfacl -m u:%d:r -- '%s' 2>&1",
		 MP_TEST_UNPRIVILEGED_UID, f.path);
	if (mp_test_capture(command, out, sizeof(out)) != 0) {
		fprintf(stderr, "\n  setfacl: %s\n", out);
		mp_test_skip("edit keeps the ACL",
			     "the file system of $TMPDIR refuses POSIX ACLs (setfacl failed)");
		fixture_done(&f);
		return;
	}
	CU_ASSERT_FATAL(acl_text(f.path, acl, sizeof(acl)));
	CU_ASSERT_FATAL(strstr(acl, "user:65534:r--") != NULL);
	snprintf(stamp_path, sizeof(stamp_path), "%s.stamp", f.path);
	MP_CHECK_RESULT("edit", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	check_acl("after an edit", f.path, acl);
	check_acl("the stamp", stamp_path, acl);
	MP_CHECK_RESULT("add", set_password(f.store, "dave", "{PLAIN}d", &reason), MP_OK);
	check_acl("after an add", f.path, acl);

	/* An ACL that cannot be set: the edit fails and leaves the store as it was. */
	mp_fault_arm(MP_FAULT_FSETXATTR_FAILS, NULL, NULL);
	MP_CHECK_RESULT("ACL refused", set_password(f.store, "bob", "{PLAIN}x", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(mp_fault_fired());
	CU_ASSERT(reason != NULL && strstr(reason, "ACL") != NULL);
	check_file("ACL refused", f.path, "bob:{PLAIN}c\ndave:{PLAIN}d\n", 27);
	check_acl("ACL refused", f.path, acl);
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);

	/* The directory's default ACL: the store had none, and has none after an edit. */
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0640);
	CU_ASSERT_FATAL(acl_text(f.path, acl, sizeof(acl)));
	snprintf(command, sizeof(command), "setfacl -d -m u:%d:rw -- '%s' 2>&1",
		 MP_TEST_UNPRIVILEGED_UID, f.dir);
	CU_ASSERT_FATAL(mp_test_capture(command, out, sizeof(out)) == 0);
	MP_CHECK_RESULT("default ACL", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	check_acl("default ACL", f.path, acl);
	fixture_done(&f);
}

/*
 * A hard link planted as the lock file is refused: following the store's
 * owner and mode would hand the file it names to the store's owner.
 */
static void
test_lock_hard_link(void)
{
	char target[PATH_SIZE];
	const char *reason = NULL;
	struct fixture f;
	struct stat st;
	uid_t nobody = 0;
	bool other_owner = geteuid() == 0 && mp_file_owner_uid("nobody", &nobody);

	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0640);
	if (other_owner) {
		CU_ASSERT_FATAL(chown(f.path, nobody, MP_TEST_UNPRIVILEGED_GID) == 0);
		MP_CHECK_RESULT("store_owner", mp_store_file_set_owner(f.store, "nobody", &reason),
				MP_OK);
	}
	snprintf(target, sizeof(target), "%s/precious", f.dir);
	CU_ASSERT_FATAL(mp_test_write_file(target, "precious\n", 0600));
	CU_ASSERT_FATAL(link(target, f.lock_path) == 0);
	MP_CHECK_RESULT("hard link", set_password(f.store, "bob", "{PLAIN}c", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "hard link") != NULL);
	MP_CHECK_RESULT("hard link, stamp", mp_store_file_stamp(f.store, &reason), MP_UNAVAILABLE);
	CU_ASSERT(stat(target, &st) == 0 && (st.st_mode & 07777) == 0600 &&
		  st.st_uid == geteuid());
	check_file("hard link", f.path, "bob:{PLAIN}b\n", 13);
	check_file("target", target, "precious\n", 9);

	/* Once the link is gone, the lock file is made afresh. */
	CU_ASSERT_FATAL(unlink(f.lock_path) == 0);
	MP_CHECK_RESULT("no link", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	check_file("no link", f.path, "bob:{PLAIN}c\n", 13);
	CU_ASSERT(stat(target, &st) == 0 && (st.st_mode & 07777) == 0600);
	fixture_done(&f);
}

static void
test_edit_stale_tmp(void)
{
	struct fixture f;
	char victim[PATH_SIZE];
	const char *reason = NULL;
	struct stat st;

	/* A leftover temporary file from a crash is replaced. */
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0600);
	CU_ASSERT_FATAL(mp_test_write_file(f.tmp_path, "half a fi", 0644));
	MP_CHECK_RESULT("stale file", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	check_file("stale file", f.path, "bob:{PLAIN}c\n", 13);
	CU_ASSERT(stat(f.path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);

	/* A symbolic link in its place is removed, not followed. */
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0600);
	snprintf(victim, sizeof(victim), "%s/victim", f.dir);
	CU_ASSERT_FATAL(mp_test_write_file(victim, "precious\n", 0644));
	CU_ASSERT_FATAL(symlink(victim, f.tmp_path) == 0);
	MP_CHECK_RESULT("stale link", set_password(f.store, "bob", "{PLAIN}c", &reason), MP_OK);
	check_file("stale link", f.path, "bob:{PLAIN}c\n", 13);
	check_file("victim", victim, "precious\n", 9);
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);

	/* A directory in its place cannot be removed: the edit fails, the store stays. */
	fixture_init(&f, "bob:{PLAIN}b\n", 13, 0600);
	CU_ASSERT_FATAL(mkdir(f.tmp_path, 0755) == 0);
	MP_CHECK_RESULT("stale directory", set_password(f.store, "bob", "{PLAIN}c", &reason),
			MP_UNAVAILABLE);
	check_file("stale directory", f.path, "bob:{PLAIN}b\n", 13);
	CU_ASSERT(rmdir(f.tmp_path) == 0);
	fixture_done(&f);
}

/*
 * readonly_dir_check - an edit in a directory the process may not write to
 * fails before anything is written: no temporary file, the store stays.
 */
static void
readonly_dir_check(void *context)
{
	struct fixture *f = context;
	const char *reason = NULL;

	MP_CHECK_RESULT("first edit", set_password(f->store, "bob", "{PLAIN}c", &reason), MP_OK);
	CU_ASSERT(chmod(f->dir, 0555) == 0);
	MP_CHECK_RESULT("read-only dir", set_password(f->store, "bob", "{PLAIN}d", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "temporary") != NULL);
	check_file("read-only dir", f->path, "bob:{PLAIN}c\n", 13);
	CU_ASSERT(!exists(f->tmp_path));
	CU_ASSERT(chmod(f->dir, 0755) == 0);
}

static void
test_edit_refused_paths(void)
{
	struct fixture f;
	char target[PATH_SIZE];
	const char *reason = NULL;
	struct stat st;

	/* A symbolic link as the store: lookups follow it, edits refuse to replace it. */
	fixture_init(&f, NULL, 0, 0);
	snprintf(target, sizeof(target), "%s/real", f.dir);
	CU_ASSERT_FATAL(mp_test_write_file(target, "bob:{PLAIN}b\n", 0640));
	CU_ASSERT_FATAL(symlink(target, f.path) == 0);
	{
		struct mp_entry *entry = NULL;

		MP_CHECK_RESULT("lookup through link",
				mp_store_lookup(f.store, "bob", &entry, &reason), MP_OK);
		mp_entry_free(&entry);
	}
	MP_CHECK_RESULT("edit through link", set_password(f.store, "bob", "{PLAIN}c", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "symbolic link") != NULL);
	CU_ASSERT(lstat(f.path, &st) == 0 && S_ISLNK(st.st_mode));
	check_file("link target", target, "bob:{PLAIN}b\n", 13);
	fixture_done(&f);

	/* A directory, a FIFO: edits fail and leave them be. */
	fixture_init(&f, NULL, 0, 0);
	CU_ASSERT_FATAL(mkdir(f.path, 0755) == 0);
	MP_CHECK_RESULT("edit a directory", set_password(f.store, "bob", "{PLAIN}c", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(lstat(f.path, &st) == 0 && S_ISDIR(st.st_mode));
	fixture_done(&f);

	alarm(30);
	fixture_init(&f, NULL, 0, 0);
	CU_ASSERT_FATAL(mkfifo(f.path, 0644) == 0);
	MP_CHECK_RESULT("edit a FIFO", set_password(f.store, "bob", "{PLAIN}c", &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(lstat(f.path, &st) == 0 && S_ISFIFO(st.st_mode));
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
	alarm(0);

	/* A directory that does not exist. */
	fixture_init(&f, NULL, 0, 0);
	{
		char location[LOCATION_SIZE];
		struct mp_store *store = NULL;

		snprintf(location, sizeof(location), "file:%s/none/passwd", f.dir);
		CU_ASSERT_FATAL(mp_store_open(location, &store, &reason) == MP_OK);
		MP_CHECK_RESULT("missing directory", set_password(store, "bob", "{PLAIN}c", &reason),
				MP_UNAVAILABLE);
		mp_store_close(&store);
	}
	fixture_done(&f);

	/* A directory we may not write to (root may: another account edits). */
	if (!fixture_init_unprivileged(&f, "read-only directory", "bob:{PLAIN}b\n", 13, 0640))
		return;
	mp_test_unprivileged("read-only directory", readonly_dir_check, &f, CHILD_TIMEOUT);
	/* Whatever the child did, the directory is writable again for the cleanup. */
	CU_ASSERT(chmod(f.dir, 0755) == 0);
	check_file("read-only dir, after", f.path, "bob:{PLAIN}c\n", 13);
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
}

/* ---- Batches. */

#define BATCH_MAX 6

/* The users of one batch, each driven by its own edit context. */
struct batch_ctx {
	struct edit_ctx users[BATCH_MAX];
	size_t count;
	size_t order[BATCH_MAX];	/* the indexes fn saw, in call order */
	int calls;
	bool bad_index;
};

static enum mp_result
batch_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	 const char **reason_r)
{
	struct batch_ctx *ctx = context;

	if (index >= ctx->count || ctx->calls == BATCH_MAX) {
		ctx->bad_index = true;
		*reason_r = "index out of range";
		return MP_INTERNAL;
	}
	ctx->order[ctx->calls++] = index;
	return edit_fn(entry, action_r, &ctx->users[index], reason_r);
}

struct batch_want {
	const char *user;
	enum edit_op op;
	const char *value;
	enum mp_result want;
	int want_calls;
	unsigned int want_records;
	unsigned long want_line;
};

/* check_batch_results - every user's result, calls, records and line, and fn in batch order. */
static void
check_batch_results(const char *label, const struct batch_want *users, size_t count,
		    const struct batch_ctx *ctx, const struct mp_store_batch_result *results)
{
	char user_label[160];

	CU_ASSERT(!ctx->bad_index);
	for (int k = 1; k < ctx->calls; k++)
		CU_ASSERT(ctx->order[k - 1] < ctx->order[k]);
	for (size_t j = 0; j < count; j++) {
		snprintf(user_label, sizeof(user_label), "%s, user %zu (%s)", label, j,
			 users[j].user != NULL ? users[j].user : "NULL");
		MP_CHECK_RESULT(user_label, results[j].result, users[j].want);
		if (users[j].want != MP_OK) {
			CU_ASSERT_PTR_NOT_NULL(results[j].reason);
		} else {
			CU_ASSERT_PTR_NULL(results[j].reason);
		}
		if (ctx->users[j].calls != users[j].want_calls)
			fprintf(stderr, "\n  %s: callback ran %d times, want %d\n", user_label,
				ctx->users[j].calls, users[j].want_calls);
		CU_ASSERT(ctx->users[j].calls == users[j].want_calls);
		if (results[j].records != users[j].want_records ||
		    results[j].line_no != users[j].want_line)
			fprintf(stderr, "\n  %s: got %u records, line %lu; want %u, line %lu\n",
				user_label, results[j].records, results[j].line_no,
				users[j].want_records, users[j].want_line);
		CU_ASSERT(results[j].records == users[j].want_records);
		CU_ASSERT(results[j].line_no == users[j].want_line);
	}
}

/* BASE_MID without carol's line. */
#define BASE_MID_NO_CAROL \
	"  \n" \
	"#bob:{PLAIN}commented\n" \
	"broken\n" \
	"@LONG@\n" \
	"crlf:{PLAIN}x\r\n"

static void
test_batch(void)
{
	static const struct {
		const char *label;
		const char *before;	/* NULL: no store file */
		unsigned int flags;
		size_t count;
		struct batch_want users[BATCH_MAX];
		enum mp_result want;
		const char *after;	/* NULL: the same as before, not rewritten */
	} rows[] = {
		{ "add, replace, delete and keep", BASE, 0, 6, {
			{ "bob", OP_SET_PASSWORD, "{PLAIN}B2", MP_OK, 1, 1, 5 },
			{ "last", OP_DELETE, NULL, MP_OK, 1, 1, 12 },
			{ "alice", OP_KEEP, NULL, MP_OK, 1, 1, 2 },
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 },
			{ "erin", OP_SET_PASSWORD, "{PLAIN}e", MP_OK, 1, 0, 0 },
			{ "zoe", OP_DELETE, NULL, MP_OK, 1, 0, 0 } },
		  MP_OK, BASE_HEAD "bob:{PLAIN}B2\n" BASE_MID "dave:{PLAIN}d\nerin:{PLAIN}e\n" },
		{ "new users in batch order", BASE "\n", 0, 4, {
			{ "zoe", OP_SET_PASSWORD, "{PLAIN}z", MP_OK, 1, 0, 0 },
			{ "carol", OP_SET_PASSWORD, "{PLAIN}C2", MP_OK, 1, 1, 7 },
			{ "adam", OP_SET_PASSWORD, "{PLAIN}a", MP_OK, 1, 0, 0 },
			{ "alice", OP_DELETE, NULL, MP_OK, 1, 1, 2 } },
		  MP_OK, "# mailpass test store\n\nthis line is junk\n" BASE_BOB
		  "  \ncarol:{PLAIN}C2::::::nologin\n#bob:{PLAIN}commented\nbroken\n@LONG@\n"
		  "crlf:{PLAIN}x\r\n" BASE_LAST_NL
		  "zoe:{PLAIN}z\nadam:{PLAIN}a\n" },
		{ "broken and duplicated users stay", BASE "\nbob:{PLAIN}again\n", 0, 5, {
			{ "bob", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 2, 13 },
			{ "broken", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 1, 9 },
			{ "crlf", OP_DELETE, NULL, MP_MALFORMED, 0, 1, 11 },
			{ "zed", OP_DELETE, NULL, MP_MALFORMED, 0, 1, 10 },
			{ "carol", OP_DELETE, NULL, MP_OK, 1, 1, 7 } },
		  MP_OK, BASE_HEAD BASE_BOB BASE_MID_NO_CAROL BASE_LAST_NL "bob:{PLAIN}again\n" },
		{ "a callback error changes only that user", BASE, 0, 3, {
			{ "bob", OP_FAIL, NULL, MP_MISMATCH, 1, 1, 5 },
			{ "alice", OP_SET_PASSWORD, "{PLAIN}A2", MP_OK, 1, 1, 2 },
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 } },
		  MP_OK, "# mailpass test store\n"
		  "alice:{PLAIN}A2:1000:1000:Alice:/home/alice:/bin/sh:apop={PLAIN}pa\n"
		  "\nthis line is junk\n" BASE_BOB BASE_MID BASE_LAST_NL "dave:{PLAIN}d\n" },
		{ "a refused record changes only that user", BASE, 0, 4, {
			{ "bob", OP_OTHER_USER, NULL, MP_MALFORMED, 1, 1, 5 },
			{ "carol", OP_WRITE_NULL, NULL, MP_INTERNAL, 1, 1, 7 },
			{ "dave", OP_SET_PASSWORD, "a:b", MP_MALFORMED, 1, 0, 0 },
			{ "last", OP_SET_PASSWORD, "{PLAIN}L2", MP_OK, 1, 1, 12 } },
		  MP_OK, BASE_HEAD BASE_BOB BASE_MID "last:{PLAIN}L2\n" },
		{ "a user twice in the batch", BASE, 0, 3, {
			{ "bob", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 },
			{ "bob", OP_SET_PASSWORD, "{PLAIN}y", MP_MALFORMED, 0, 0, 0 } },
		  MP_OK, BASE "\ndave:{PLAIN}d\n" },
		{ "invalid names", BASE, 0, 4, {
			{ "#bob", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "b b", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ NULL, OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 } },
		  MP_OK, NULL },
		{ "nothing changes", BASE, 0, 3, {
			{ "bob", OP_KEEP, NULL, MP_OK, 1, 1, 5 },
			{ "zoe", OP_DELETE, NULL, MP_OK, 1, 0, 0 },
			{ "alice", OP_FAIL, NULL, MP_MISMATCH, 1, 1, 2 } },
		  MP_OK, NULL },
		{ "to a missing store", NULL, 0, 3, {
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 },
			{ "zoe", OP_DELETE, NULL, MP_OK, 1, 0, 0 },
			{ "erin", OP_SET_PASSWORD, "{PLAIN}e", MP_OK, 1, 0, 0 } },
		  MP_OK, "dave:{PLAIN}d\nerin:{PLAIN}e\n" },
		{ "dry run", BASE, MP_STORE_BATCH_DRY_RUN, 4, {
			{ "bob", OP_SET_PASSWORD, "{PLAIN}B2", MP_OK, 1, 1, 5 },
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 },
			{ "broken", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 1, 9 },
			{ "last", OP_OTHER_USER, NULL, MP_MALFORMED, 1, 1, 12 } },
		  MP_OK, NULL },
		{ "dry run on a missing store", NULL, MP_STORE_BATCH_DRY_RUN, 1, {
			{ "dave", OP_SET_PASSWORD, "{PLAIN}d", MP_OK, 1, 0, 0 } },
		  MP_OK, NULL },
		{ "no users", BASE, 0, 0, { { NULL } }, MP_OK, NULL },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct mp_store_batch_result results[BATCH_MAX];
		struct batch_ctx ctx = { .count = rows[i].count };
		const char *users[BATCH_MAX];
		const char *reason = NULL;
		struct edited_store s;

		for (size_t j = 0; j < rows[i].count; j++) {
			users[j] = rows[i].users[j].user;
			ctx.users[j] = (struct edit_ctx){ .op = rows[i].users[j].op,
							  .user = rows[i].users[j].user,
							  .value = rows[i].users[j].value };
		}
		edited_store_init(&s, rows[i].before);
		MP_CHECK_RESULT(rows[i].label,
				mp_store_edit_batch(s.f.store, users, rows[i].count, batch_fn, &ctx,
						    rows[i].flags, results, &reason),
				rows[i].want);
		check_batch_results(rows[i].label, rows[i].users, rows[i].count, &ctx, results);
		/* A dry run takes no lock, so it creates no lock file either. */
		if ((rows[i].flags & MP_STORE_BATCH_DRY_RUN) != 0)
			CU_ASSERT(!exists(s.f.lock_path));
		edited_store_done(&s, rows[i].label, rows[i].after);
	}
}

/*
 * batch_readonly_dir_check - a batch whose new file cannot be written, in
 * a directory the process may not write to, after every callback ran.
 */
static void
batch_readonly_dir_check(void *context)
{
	static const char *const users[] = { "bob", "dave", "b b", "alice" };
	struct mp_store_batch_result results[ROWS(users)];
	struct batch_ctx ctx = { .count = ROWS(users) };
	struct fixture *f = context;
	const char *reason = NULL;

	for (size_t j = 0; j < ROWS(users); j++)
		ctx.users[j] = (struct edit_ctx){ .op = j == 3 ? OP_FAIL : OP_SET_PASSWORD,
						  .user = users[j], .value = "{PLAIN}new" };
	MP_CHECK_RESULT("first edit", set_password(f->store, "bob", "{PLAIN}c", &reason), MP_OK);
	CU_ASSERT(chmod(f->dir, 0555) == 0);
	MP_CHECK_RESULT("read-only dir",
			mp_store_edit_batch(f->store, users, ROWS(users), batch_fn, &ctx, 0,
					    results, &reason), MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "temporary") != NULL);
	CU_ASSERT(ctx.calls == 3);
	for (size_t j = 0; j < ROWS(users); j++)
		MP_CHECK_RESULT(users[j], results[j].result, j == 2 ? MP_MALFORMED : MP_UNAVAILABLE);
	check_file("read-only dir", f->path, "alice:{PLAIN}a\nbob:{PLAIN}c\n", 28);
	CU_ASSERT(!exists(f->tmp_path));
	CU_ASSERT(chmod(f->dir, 0755) == 0);
}

/* A store-level failure writes nothing and is every valid user's result. */
static void
test_batch_store_errors(void)
{
	static const char *const users[] = { "bob", "dave", "b b", "alice" };
	struct mp_store_batch_result results[ROWS(users)];
	struct batch_ctx ctx = { .count = ROWS(users) };
	char target[PATH_SIZE];
	const char *reason = NULL;
	struct fixture f;

	for (size_t j = 0; j < ROWS(users); j++)
		ctx.users[j] = (struct edit_ctx){ .op = j == 3 ? OP_FAIL : OP_SET_PASSWORD,
						  .user = users[j], .value = "{PLAIN}new" };

	/* Before any callback: the store is a symbolic link. */
	fixture_init(&f, NULL, 0, 0);
	snprintf(target, sizeof(target), "%s/real", f.dir);
	CU_ASSERT_FATAL(mp_test_write_file(target, "bob:{PLAIN}b\n", 0640));
	CU_ASSERT_FATAL(symlink(target, f.path) == 0);
	MP_CHECK_RESULT("batch through link",
			mp_store_edit_batch(f.store, users, ROWS(users), batch_fn, &ctx, 0,
					    results, &reason), MP_UNAVAILABLE);
	CU_ASSERT(reason != NULL && strstr(reason, "symbolic link") != NULL);
	CU_ASSERT(ctx.calls == 0);
	for (size_t j = 0; j < ROWS(users); j++)
		MP_CHECK_RESULT(users[j], results[j].result, j == 2 ? MP_MALFORMED : MP_UNAVAILABLE);
	check_file("link target", target, "bob:{PLAIN}b\n", 13);
	fixture_done(&f);

	/* After the callbacks: the new file cannot be written (as another account than root). */
	if (fixture_init_unprivileged(&f, "batch in a read-only directory",
				      "alice:{PLAIN}a\nbob:{PLAIN}b\n", 28, 0640)) {
		mp_test_unprivileged("batch in a read-only directory", batch_readonly_dir_check,
				     &f, CHILD_TIMEOUT);
		CU_ASSERT(chmod(f.dir, 0755) == 0);
		check_file("read-only dir, after", f.path, "alice:{PLAIN}a\nbob:{PLAIN}c\n", 28);
		CU_ASSERT(!exists(f.tmp_path));
		fixture_done(&f);
	}

	/* Arguments the caller got wrong. */
	MP_CHECK_RESULT("no store", mp_store_edit_batch(NULL, users, 1, batch_fn, &ctx, 0,
							results, &reason), MP_INTERNAL);
	fixture_init(&f, NULL, 0, 0);
	MP_CHECK_RESULT("no callback", mp_store_edit_batch(f.store, users, 1, NULL, &ctx, 0,
							   results, &reason), MP_INTERNAL);
	MP_CHECK_RESULT("unknown flag", mp_store_edit_batch(f.store, users, 1, batch_fn, &ctx,
							    0x80, results, &reason), MP_INTERNAL);
	CU_ASSERT(!exists(f.path));
	fixture_done(&f);
}

/*
 * A backend without the edit_batch slot: users "old*" have a record,
 * "broken" a broken one, "down" makes the store fail; the rest are absent.
 */
struct fake_store {
	struct mp_store store;
	int lookups, edits, writes;
};

static enum mp_result
fake_record(const char *user, struct mp_entry **entry_r, const char **reason_r)
{
	*entry_r = NULL;
	if (strcmp(user, "broken") == 0) {
		*reason_r = "broken record";
		return MP_MALFORMED;
	}
	if (strcmp(user, "down") == 0) {
		*reason_r = "the fake store is down";
		return MP_UNAVAILABLE;
	}
	if (strncmp(user, "old", 3) == 0)
		return mp_entry_new(user, "{PLAIN}old", entry_r, reason_r);
	*reason_r = "unknown user";
	return MP_USER_UNKNOWN;
}

static enum mp_result
fake_lookup(struct mp_store *store, const char *user, struct mp_entry **entry_r,
	    struct mp_store_version *version_r, const char **reason_r)
{
	(void)version_r;	/* left unknown, as a backend that cannot tell leaves it */
	((struct fake_store *)store)->lookups++;
	return fake_record(user, entry_r, reason_r);
}

static enum mp_result
fake_edit(struct mp_store *store, const char *user, mp_store_edit_fn *fn, void *context,
	  const char **reason_r)
{
	struct fake_store *fake = (struct fake_store *)store;
	struct mp_entry *entry = NULL;
	enum mp_edit_action action = MP_EDIT_KEEP;
	enum mp_result result;

	fake->edits++;
	result = fake_record(user, &entry, reason_r);
	if (result != MP_OK && result != MP_USER_UNKNOWN)
		return result;
	result = fn(&entry, &action, context, reason_r);
	if (result == MP_OK && action == MP_EDIT_WRITE)
		fake->writes++;
	mp_entry_free(&entry);
	return result;
}

static const struct mp_store_ops fake_ops = {
	.name = "fake",
	.lookup = fake_lookup,
	.edit = fake_edit,
};

static void
test_batch_fallback(void)
{
	static const struct {
		const char *label;
		unsigned int flags;
		size_t count;
		struct batch_want users[BATCH_MAX];
		enum mp_result want;
		int want_lookups, want_edits, want_writes;
	} rows[] = {
		{ "one edit per user", 0, 5, {
			{ "old1", OP_SET_PASSWORD, "{PLAIN}x", MP_OK, 1, 1, 0 },
			{ "new1", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "broken", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "old2", OP_FAIL, NULL, MP_MISMATCH, 1, 1, 0 },
			{ "new1", OP_SET_PASSWORD, "{PLAIN}y", MP_MALFORMED, 0, 0, 0 } },
		  MP_OK, 0, 3, 1 },
		{ "a store failure stops it", 0, 4, {
			{ "new1", OP_SET_PASSWORD, "{PLAIN}x", MP_OK, 1, 0, 0 },
			{ "b b", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "down", OP_SET_PASSWORD, "{PLAIN}x", MP_UNAVAILABLE, 0, 0, 0 },
			{ "new2", OP_SET_PASSWORD, "{PLAIN}x", MP_UNAVAILABLE, 0, 0, 0 } },
		  MP_UNAVAILABLE, 0, 2, 1 },
		{ "dry run: lookups", MP_STORE_BATCH_DRY_RUN, 4, {
			{ "old1", OP_SET_PASSWORD, "{PLAIN}x", MP_OK, 1, 1, 0 },
			{ "new1", OP_SET_PASSWORD, "{PLAIN}x", MP_OK, 1, 0, 0 },
			{ "broken", OP_SET_PASSWORD, "{PLAIN}x", MP_MALFORMED, 0, 0, 0 },
			{ "old2", OP_FAIL, NULL, MP_MISMATCH, 1, 1, 0 } },
		  MP_OK, 4, 0, 0 },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct fake_store fake = { .store = { .ops = &fake_ops } };
		struct mp_store_batch_result results[BATCH_MAX];
		struct batch_ctx ctx = { .count = rows[i].count };
		const char *users[BATCH_MAX];
		const char *reason = NULL;

		for (size_t j = 0; j < rows[i].count; j++) {
			users[j] = rows[i].users[j].user;
			ctx.users[j] = (struct edit_ctx){ .op = rows[i].users[j].op,
							  .user = rows[i].users[j].user,
							  .value = rows[i].users[j].value };
		}
		MP_CHECK_RESULT(rows[i].label,
				mp_store_edit_batch(&fake.store, users, rows[i].count, batch_fn,
						    &ctx, rows[i].flags, results, &reason),
				rows[i].want);
		check_batch_results(rows[i].label, rows[i].users, rows[i].count, &ctx, results);
		if (fake.lookups != rows[i].want_lookups || fake.edits != rows[i].want_edits ||
		    fake.writes != rows[i].want_writes)
			fprintf(stderr, "\n  %s: got %d lookups, %d edits, %d writes; "
				"want %d, %d, %d\n", rows[i].label, fake.lookups, fake.edits,
				fake.writes, rows[i].want_lookups, rows[i].want_edits,
				rows[i].want_writes);
		CU_ASSERT(fake.lookups == rows[i].want_lookups);
		CU_ASSERT(fake.edits == rows[i].want_edits);
		CU_ASSERT(fake.writes == rows[i].want_writes);
	}

	/* A backend without edit or lookup cannot run a batch either way. */
	{
		struct mp_store empty = { .ops = &empty_ops };
		static const char *const one[] = { "alice" };
		struct mp_store_batch_result results[1];
		struct batch_ctx ctx = { .count = 1 };
		const char *reason = NULL;

		for (unsigned int flags = 0; flags <= MP_STORE_BATCH_DRY_RUN; flags++) {
			MP_CHECK_RESULT("empty backend",
					mp_store_edit_batch(&empty, one, 1, batch_fn, &ctx, flags,
							    results, &reason), MP_UNAVAILABLE);
			MP_CHECK_STR("empty backend", reason, "not supported by this store");
			MP_CHECK_RESULT("empty backend", results[0].result, MP_UNAVAILABLE);
		}
		CU_ASSERT(ctx.calls == 0);
	}
}

/* ---- Iterate. */

struct seen {
	unsigned long line_no;
	char user[32];		/* "" for a line that does not parse */
	char reason[80];
};

struct iterate_ctx {
	struct seen seen[16];
	unsigned int count;
	unsigned int stop_after;	/* 0: never */
};

static int
record_fn(const struct mp_entry *entry, unsigned long line_no, const char *reason,
	  void *context)
{
	struct iterate_ctx *ctx = context;
	struct seen *s;

	if (ctx->count == ROWS(ctx->seen))
		return 1;
	s = &ctx->seen[ctx->count++];
	s->line_no = line_no;
	snprintf(s->user, sizeof(s->user), "%s", entry != NULL ? mp_entry_user(entry) : "");
	snprintf(s->reason, sizeof(s->reason), "%s", reason != NULL ? reason : "");
	if (entry != NULL && reason != NULL)
		s->reason[0] = '!';	/* a record must come without a reason */
	return ctx->stop_after != 0 && ctx->count == ctx->stop_after;
}

static void
test_iterate(void)
{
	static const char head[] =
		"# comment\n"			/* 1 */
		"alice:{PLAIN}a\n"		/* 2 */
		"\n"				/* 3 */
		"broken\n"			/* 4 */
		"bob:{PLAIN}b::::::nologin\n"	/* 5 */
		":nouser\n";			/* 6 */
	/* 7: an overlong line */
	static const char tail[] =
		"   \n"				/* 8 */
		"#x\n"				/* 9 */
		"carol:{PLAIN}c\r\n"		/* 10 */
		"nul:\0\n"			/* 11 */
		"dave:{PLAIN}d";		/* 12, no newline */
	static const struct {
		unsigned long line_no;
		const char *user;	/* "" for a line that does not parse */
		const char *reason;	/* a part of the reason */
	} want[] = {
		{ 2, "alice", "" },
		{ 4, "", "':'" },
		{ 5, "bob", "" },
		{ 6, "", "empty" },
		{ 7, "", "longer" },
		{ 10, "", "carriage return" },
		{ 11, "", "NUL" },
		{ 12, "dave", "" },
	};
	char *longl = long_line("zed", MP_LINE_MAX + 1);
	size_t len = 0;
	char *content = malloc(sizeof(head) + strlen(longl) + sizeof(tail) + 2);
	struct iterate_ctx ctx = { .count = 0 };
	const char *reason = NULL;
	struct fixture f;

	CU_ASSERT_FATAL(content != NULL);
	memcpy(content, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	len += (size_t)sprintf(content + len, "%s\n", longl);
	memcpy(content + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	fixture_init(&f, content, len, 0640);

	MP_CHECK_RESULT("iterate", mp_store_iterate(f.store, record_fn, &ctx, &reason), MP_OK);
	if (ctx.count != ROWS(want))
		fprintf(stderr, "\n  iterate: got %u calls, want %zu\n", ctx.count, ROWS(want));
	CU_ASSERT(ctx.count == ROWS(want));
	for (size_t i = 0; i < ROWS(want) && i < ctx.count; i++) {
		const struct seen *s = &ctx.seen[i];
		char label[64];

		snprintf(label, sizeof(label), "iterate line %lu", want[i].line_no);
		if (s->line_no != want[i].line_no)
			fprintf(stderr, "\n  %s: got line %lu\n", label, s->line_no);
		CU_ASSERT(s->line_no == want[i].line_no);
		MP_CHECK_STR(label, s->user, want[i].user);
		if (want[i].reason[0] == '\0') {
			MP_CHECK_STR(label, s->reason, "");
		} else {
			if (strstr(s->reason, want[i].reason) == NULL)
				fprintf(stderr, "\n  %s: reason \"%s\" lacks \"%s\"\n", label,
					s->reason, want[i].reason);
			CU_ASSERT(strstr(s->reason, want[i].reason) != NULL);
		}
	}

	/* A non-zero return stops the walk. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.stop_after = 3;
	MP_CHECK_RESULT("iterate stop", mp_store_iterate(f.store, record_fn, &ctx, &reason),
			MP_OK);
	CU_ASSERT(ctx.count == 3);
	CU_ASSERT(ctx.seen[2].line_no == 5);
	fixture_done(&f);
	free(content);
	free(longl);
}

/* ---- Concurrency. */

/* start_gate - children wait on a pipe until the parent closes its end. */
static void
gate_wait(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

/* reap - wait for pid and check it exited 0. */
static void
reap(const char *label, pid_t pid)
{
	int status = 0;
	pid_t got;

	while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (got != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "\n  %s: child %ld ended with status 0x%x\n", label, (long)pid,
			(unsigned int)status);
	CU_ASSERT(got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

#define WRITERS 4
#define WRITER_EDITS 50

/* writer_child - change user c<k> WRITER_EDITS times; exit status says what failed. */
static void
writer_child(const char *location, unsigned int k, int gate)
{
	struct mp_store *store = NULL;
	struct mp_entry *entry = NULL;
	char user[16], value[48];
	const char *reason;

	alarm(CHILD_TIMEOUT);
	snprintf(user, sizeof(user), "c%u", k);
	if (mp_store_open(location, &store, &reason) != MP_OK)
		_exit(3);
	gate_wait(gate);
	for (unsigned int i = 0; i < WRITER_EDITS; i++) {
		snprintf(value, sizeof(value), "{PLAIN}%s-%u", user, i);
		if (set_password(store, user, value, &reason) != MP_OK)
			_exit(1);
	}
	if (mp_store_lookup(store, user, &entry, &reason) != MP_OK ||
	    strcmp(mp_entry_password(entry), value) != 0)
		_exit(2);
	_exit(0);
}

static void
test_concurrent_writers(void)
{
	static const char initial[] =
		"# header\n"
		"c0:{PLAIN}start:1000:1000:C Zero:/home/c0:/bin/sh:apop={PLAIN}z\n"
		"keep1:{PLAIN}k::::::nologin\n"
		"c1:{PLAIN}start\n"
		"keep2:{PLAIN}k2";
	static const char *const want_lines[] = {
		"# header",
		"c0:{PLAIN}c0-49:1000:1000:C Zero:/home/c0:/bin/sh:apop={PLAIN}z",
		"keep1:{PLAIN}k::::::nologin",
		"c1:{PLAIN}c1-49",
		"keep2:{PLAIN}k2",
		"c2:{PLAIN}c2-49",
		"c3:{PLAIN}c3-49",
	};
	char location[LOCATION_SIZE];
	pid_t pids[WRITERS];
	struct fixture f;
	int gate[2];
	char *text, *line, *save = NULL;
	size_t len, lines = 0;
	struct iterate_ctx ctx = { .count = 0 };
	const char *reason;

	fixture_init(&f, initial, sizeof(initial) - 1, 0640);
	snprintf(location, sizeof(location), "file:%s", f.path);
	CU_ASSERT_FATAL(pipe(gate) == 0);
	for (unsigned int k = 0; k < WRITERS; k++) {
		pids[k] = fork();
		CU_ASSERT_FATAL(pids[k] >= 0);
		if (pids[k] == 0) {
			close(gate[1]);
			writer_child(location, k, gate[0]);
		}
	}
	close(gate[0]);
	close(gate[1]);		/* all writers start at once */
	for (unsigned int k = 0; k < WRITERS; k++)
		reap("concurrent writer", pids[k]);

	/* Every line is whole and present once; the last values won. */
	text = read_bytes(f.path, &len);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT(len > 0 && text[len - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		bool known = false;

		lines++;
		for (size_t i = 0; i < ROWS(want_lines); i++)
			known = known || strcmp(line, want_lines[i]) == 0;
		if (!known)
			fprintf(stderr, "\n  concurrent writers: unexpected line \"%s\"\n", line);
		CU_ASSERT(known);
	}
	CU_ASSERT(lines == ROWS(want_lines));
	free(text);
	MP_CHECK_RESULT("iterate", mp_store_iterate(f.store, record_fn, &ctx, &reason), MP_OK);
	CU_ASSERT(ctx.count == ROWS(want_lines) - 1);
	for (unsigned int i = 0; i < ctx.count; i++)
		CU_ASSERT(ctx.seen[i].user[0] != '\0');
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
}

#define BIG_USERS 1000
#define BIG_REWRITES 100
#define READER_LOOPS 2000

/* big_store - a comment and users u0000..u0999 with password {PLAIN}p<i>. */
static char *
big_store(size_t *len_r)
{
	size_t cap = 64 + BIG_USERS * 64, len = 0;
	char *text = malloc(cap);

	CU_ASSERT_FATAL(text != NULL);
	len += (size_t)snprintf(text, cap, "# %d users\n", BIG_USERS);
	for (unsigned int i = 0; i < BIG_USERS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"u%04u:{PLAIN}p%u:%u:100::/home/u%04u:/bin/sh\n",
					i, i, 2000 + i, i);
	*len_r = len;
	return text;
}

/* rewriter_child - rewrite the big store BIG_REWRITES times, changing its size. */
static void
rewriter_child(const char *location, int gate, int done_fd)
{
	struct mp_store *store = NULL;
	struct edit_ctx ctx = { .op = OP_SET_PASSWORD };
	char user[16], value[48];
	const char *reason;

	alarm(CHILD_TIMEOUT);
	if (mp_store_open(location, &store, &reason) != MP_OK)
		_exit(3);
	gate_wait(gate);
	for (unsigned int r = 0; r < BIG_REWRITES; r++) {
		snprintf(user, sizeof(user), "u%04u", (r * 37) % BIG_USERS);
		snprintf(value, sizeof(value), "{PLAIN}rewrite-%u", r);
		if (set_password(store, user, value, &reason) != MP_OK)
			_exit(1);
		/* A user that comes and goes moves every later byte of the file. */
		ctx.op = r % 2 == 0 ? OP_SET_PASSWORD : OP_DELETE;
		ctx.user = "aaa-extra";
		ctx.value = "{PLAIN}extra";
		if (mp_store_edit(store, "aaa-extra", edit_fn, &ctx, &reason) != MP_OK)
			_exit(2);
	}
	close(done_fd);		/* the reader sees end of file: done */
	_exit(0);
}

/* reader_child - look users up until the rewriter is done; any miss is a failure. */
static void
reader_child(const char *location, int gate, int done_fd)
{
	struct mp_store *store = NULL;
	char user[16];
	const char *reason;
	unsigned int loops;

	alarm(CHILD_TIMEOUT);
	if (mp_store_open(location, &store, &reason) != MP_OK)
		_exit(3);
	if (fcntl(done_fd, F_SETFL, O_NONBLOCK) < 0)
		_exit(4);
	gate_wait(gate);
	for (loops = 0; loops < READER_LOOPS; loops++) {
		static const unsigned int fixed[] = { 0, BIG_USERS / 2, BIG_USERS - 1 };
		char c;

		for (unsigned int j = 0; j < ROWS(fixed) + 1; j++) {
			struct mp_entry *entry = NULL;
			enum mp_result got;
			unsigned int u = j < ROWS(fixed) ? fixed[j] : (loops * 37) % BIG_USERS;

			snprintf(user, sizeof(user), "u%04u", u);
			got = mp_store_lookup(store, user, &entry, &reason);
			if (got == MP_USER_UNKNOWN)
				_exit(10);
			if (got == MP_MALFORMED)
				_exit(11);
			if (got != MP_OK)
				_exit(12);
			if (strcmp(mp_entry_user(entry), user) != 0 ||
			    strncmp(mp_entry_password(entry), "{PLAIN}", 7) != 0)
				_exit(13);
			mp_entry_free(&entry);
		}
		if (read(done_fd, &c, 1) == 0)
			break;	/* the rewriter has finished */
	}
	_exit(loops > 0 ? 0 : 5);
}

static void
test_reader_during_rewrites(void)
{
	char location[LOCATION_SIZE];
	struct fixture f;
	pid_t writer, reader;
	int gate[2], done[2];
	size_t len;
	char *text = big_store(&len);
	struct mp_entry *entry = NULL;
	char user[16], want[48];
	const char *reason;

	fixture_init(&f, text, len, 0640);
	/* Freed before the fork, so that no child ends its life holding it. */
	free(text);
	snprintf(location, sizeof(location), "file:%s", f.path);
	CU_ASSERT_FATAL(pipe(gate) == 0 && pipe(done) == 0);
	writer = fork();
	CU_ASSERT_FATAL(writer >= 0);
	if (writer == 0) {
		close(gate[1]);
		close(done[0]);
		rewriter_child(location, gate[0], done[1]);
	}
	reader = fork();
	CU_ASSERT_FATAL(reader >= 0);
	if (reader == 0) {
		close(gate[1]);
		close(done[1]);
		reader_child(location, gate[0], done[0]);
	}
	close(done[0]);
	close(done[1]);
	close(gate[0]);
	close(gate[1]);
	reap("rewriter", writer);
	reap("reader", reader);

	/* The last rewrite is in place and nothing else moved. */
	snprintf(user, sizeof(user), "u%04u", ((BIG_REWRITES - 1) * 37) % BIG_USERS);
	snprintf(want, sizeof(want), "{PLAIN}rewrite-%u", BIG_REWRITES - 1);
	MP_CHECK_RESULT("last rewrite", mp_store_lookup(f.store, user, &entry, &reason), MP_OK);
	if (entry != NULL)
		MP_CHECK_STR("last rewrite", mp_entry_password(entry), want);
	mp_entry_free(&entry);
	MP_CHECK_RESULT("extra user deleted last",
			mp_store_lookup(f.store, "aaa-extra", &entry, &reason), MP_USER_UNKNOWN);
	MP_CHECK_RESULT("untouched user", mp_store_lookup(f.store, "u0001", &entry, &reason),
			MP_OK);
	if (entry != NULL)
		MP_CHECK_STR("untouched user", mp_entry_password(entry), "{PLAIN}p1");
	mp_entry_free(&entry);
	fixture_done(&f);
}

#define BATCH_USERS 10000

/* The context of the big batch: every callback checks the file was not replaced yet. */
struct big_batch {
	const char *path;
	ino_t inode;
	size_t calls, replaced_early;
};

static enum mp_result
big_batch_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r,
	     void *context, const char **reason_r)
{
	struct big_batch *big = context;
	char user[16], value[32];
	struct stat st;

	big->calls++;
	if (stat(big->path, &st) != 0 || st.st_ino != big->inode)
		big->replaced_early++;
	snprintf(user, sizeof(user), "u%04zu", index);
	snprintf(value, sizeof(value), "{PLAIN}b%zu", index);
	*action_r = MP_EDIT_WRITE;
	if (*entry == NULL)
		return mp_entry_new(user, value, entry, reason_r);
	return mp_entry_set_password(*entry, value, reason_r);
}

/* Each user u<i> at line i + 2 with password {PLAIN}b<i>. */
static int
big_check_fn(const struct mp_entry *entry, unsigned long line_no, const char *reason,
	     void *context)
{
	size_t *good = context;
	char user[16], value[32];
	size_t i = (size_t)(line_no - 2);

	snprintf(user, sizeof(user), "u%04zu", i);
	snprintf(value, sizeof(value), "{PLAIN}b%zu", i);
	if (entry != NULL && strcmp(mp_entry_user(entry), user) == 0 &&
	    strcmp(mp_entry_password(entry), value) == 0)
		(*good)++;
	return 0;
}

/* 10,000 users in one batch: one read, one replace, every user in place. */
static void
test_batch_big(void)
{
	struct mp_store_batch_result *results = calloc(BATCH_USERS, sizeof(*results));
	const char **users = calloc(BATCH_USERS, sizeof(*users));
	char (*names)[16] = calloc(BATCH_USERS, sizeof(*names));
	struct big_batch big = { .calls = 0 };
	const char *reason = NULL;
	struct fixture f;
	struct stat st;
	size_t len, good = 0, failed = 0;
	char *text = big_store(&len);

	CU_ASSERT_FATAL(results != NULL && users != NULL && names != NULL);
	for (size_t i = 0; i < BATCH_USERS; i++) {
		snprintf(names[i], sizeof(names[i]), "u%04zu", i);
		users[i] = names[i];
	}
	/* u0000..u0999 are there (replaced in place), the others are appended. */
	fixture_init(&f, text, len, 0640);
	CU_ASSERT_FATAL(stat(f.path, &st) == 0);
	big.path = f.path;
	big.inode = st.st_ino;
	MP_CHECK_RESULT("big batch", mp_store_edit_batch(f.store, users, BATCH_USERS,
							 big_batch_fn, &big, 0, results, &reason),
			MP_OK);
	CU_ASSERT(big.calls == BATCH_USERS);
	CU_ASSERT(big.replaced_early == 0);
	CU_ASSERT(stat(f.path, &st) == 0 && st.st_ino != big.inode);
	for (size_t i = 0; i < BATCH_USERS; i++) {
		if (results[i].result != MP_OK ||
		    results[i].records != (i < BIG_USERS ? 1u : 0u) ||
		    results[i].line_no != (i < BIG_USERS ? i + 2 : 0))
			failed++;
	}
	CU_ASSERT(failed == 0);
	MP_CHECK_RESULT("iterate", mp_store_iterate(f.store, big_check_fn, &good, &reason),
			MP_OK);
	if (good != BATCH_USERS)
		fprintf(stderr, "\n  big batch: %zu users in place, want %d\n", good,
			BATCH_USERS);
	CU_ASSERT(good == BATCH_USERS);
	CU_ASSERT(!exists(f.tmp_path));
	fixture_done(&f);
	free(text);
	free(names);
	free(users);
	free(results);
}

#define THREADS 4
#define THREAD_LOOKUPS 300

struct thread_arg {
	struct mp_store *store;
	unsigned int index;
	unsigned int failures;
};

static void *
lookup_thread(void *p)
{
	struct thread_arg *arg = p;

	for (unsigned int i = 0; i < THREAD_LOOKUPS; i++) {
		unsigned int u = (arg->index * 251 + i * 7) % BIG_USERS;
		struct mp_entry *entry = NULL;
		char user[16], want[32];
		const char *reason;

		snprintf(user, sizeof(user), "u%04u", u);
		snprintf(want, sizeof(want), "{PLAIN}p%u", u);
		if (mp_store_lookup(arg->store, user, &entry, &reason) != MP_OK ||
		    strcmp(mp_entry_password(entry), want) != 0)
			arg->failures++;
		mp_entry_free(&entry);
	}
	return NULL;
}

/* One handle, several threads: the handle holds no state they could share. */
static void
test_threads_share_handle(void)
{
	struct thread_arg args[THREADS];
	pthread_t threads[THREADS];
	struct fixture f;
	size_t len;
	char *text = big_store(&len);

	fixture_init(&f, text, len, 0640);
	for (unsigned int t = 0; t < THREADS; t++) {
		args[t] = (struct thread_arg){ .store = f.store, .index = t };
		CU_ASSERT_FATAL(pthread_create(&threads[t], NULL, lookup_thread, &args[t]) == 0);
	}
	for (unsigned int t = 0; t < THREADS; t++) {
		CU_ASSERT(pthread_join(threads[t], NULL) == 0);
		if (args[t].failures != 0)
			fprintf(stderr, "\n  thread %u: %u failed lookups\n", t, args[t].failures);
		CU_ASSERT(args[t].failures == 0);
	}
	fixture_done(&f);
	free(text);
}

void
mp_test_register_store(void)
{
	CU_pSuite suite = CU_add_suite("store", NULL, NULL);

	CU_add_test(suite, "open", test_open);
	CU_add_test(suite, "open touches nothing", test_open_touches_nothing);
	CU_add_test(suite, "unsupported slots", test_unsupported_slots);
	CU_add_test(suite, "lookup", test_lookup);
	CU_add_test(suite, "unavailable stores", test_unavailable);
	CU_add_test(suite, "unreadable store", test_unreadable);
	CU_add_test(suite, "edit", test_edit);
	CU_add_test(suite, "edit then lookup", test_edit_then_lookup);
	CU_add_test(suite, "edit keeps the mode", test_edit_modes);
	CU_add_test(suite, "edit keeps the owner", test_edit_owner);
	CU_add_test(suite, "edit keeps the ACL", test_edit_acl);
	CU_add_test(suite, "a hard-linked lock file", test_lock_hard_link);
	CU_add_test(suite, "stale temporary file", test_edit_stale_tmp);
	CU_add_test(suite, "edits refused", test_edit_refused_paths);
	CU_add_test(suite, "batch", test_batch);
	CU_add_test(suite, "batch: store errors", test_batch_store_errors);
	CU_add_test(suite, "batch of 10,000 users", test_batch_big);
	CU_add_test(suite, "batch: backend without the slot", test_batch_fallback);
	CU_add_test(suite, "iterate", test_iterate);
	CU_add_test(suite, "concurrent writers", test_concurrent_writers);
	CU_add_test(suite, "reader during rewrites", test_reader_during_rewrites);
	CU_add_test(suite, "threads share a handle", test_threads_share_handle);
}
