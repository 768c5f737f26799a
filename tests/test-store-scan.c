/*
 * test-store-scan.c - finding one user's record in a passwd-file read in
 * chunks, by the scan and by the index of store-index.h, which must agree.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp-limits.h"
#include "secret.h"
#include "store-index.h"
#include "store-scan.h"
#include "unit.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Read sizes every case runs with: one byte at a time, sizes that put the
 * name, its ':' and the newlines across reads, and the default.
 */
static const size_t chunks[] = { 1, 2, 3, 5, 6, 7, 13, 64, 4096, 0 };

/* A value the scanner must overwrite in *line_r, whatever it returns. */
static char not_reset[] = "not reset";

/* What one scan returned. */
struct outcome {
	enum mp_result result;
	char *line;		/* NULL unless MP_OK */
	size_t line_len;
	const char *reason;
};

/* write_bytes - create or replace path with len bytes. */
static void
write_bytes(const char *path, const void *data, size_t len)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
	CU_ASSERT_FATAL(close(fd) == 0);
}

/*
 * index_agrees - an index of the file open on fd, built with read size
 * chunk, answers user's lookup as the scan did (out).
 */
static void
index_agrees(int fd, const char *user, size_t chunk, const struct outcome *out)
{
	struct mp_store_index *index = NULL;
	const char *reason = NULL;
	char *line = not_reset;
	size_t line_len = 99;
	enum mp_result result;
	struct stat st;
	bool same;

	CU_ASSERT_FATAL(fstat(fd, &st) == 0);
	result = mp_store_index_build(fd, &st, chunk, &index, &reason);
	MP_CHECK_RESULT("index build", result, MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(index);
	result = mp_store_index_find(index, fd, user, &line, &line_len, &reason);
	/* A reason only comes with a failure. */
	same = result == out->result &&
	       (result == MP_OK ? line_len == out->line_len && line != NULL &&
				  memcmp(line, out->line, line_len) == 0 && line[line_len] == '\0' :
				  line == NULL && line_len == 0 && reason != NULL &&
				  out->reason != NULL && strcmp(reason, out->reason) == 0);
	if (!same)
		fprintf(stderr, "\n  index of chunk %zu, user %s: %s (%s), the scan: %s (%s)\n",
			chunk, user, mp_result_name(result), reason != NULL ? reason : "-",
			mp_result_name(out->result), out->reason != NULL ? out->reason : "-");
	CU_ASSERT(same);
	if (result == MP_OK && line != NULL)
		mp_secret_free(&line, line_len + 1);
	mp_store_index_free(&index);
	CU_ASSERT_PTR_NULL(index);
}

/*
 * scan_file - one mp_store_scan_fd() of path for user with chunk; an index of
 * the file (store-index.h) built with the same read size must answer alike.
 */
static struct outcome
scan_file(const char *path, const char *user, size_t chunk)
{
	struct outcome out = { .reason = NULL };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CU_ASSERT_FATAL(fd >= 0);
	out.line = not_reset;
	out.line_len = 99;
	out.result = mp_store_scan_fd(fd, user, chunk, 0, &out.line, &out.line_len, &out.reason);
	index_agrees(fd, user, chunk, &out);
	(void)close(fd);
	return out;
}

static void
outcome_free(struct outcome *out)
{
	if (out->result == MP_OK && out->line != NULL)
		mp_secret_free(&out->line, out->line_len + 1);
}

/*
 * check_outcome - out is want, with want_line[0..want_len) as the record
 * when want is MP_OK.
 */
static void
check_outcome(const char *label, size_t chunk, const struct outcome *out, enum mp_result want,
	      const char *want_line, size_t want_len)
{
	char row[160];

	snprintf(row, sizeof(row), "%s (chunk %zu)", label, chunk);
	MP_CHECK_RESULT(row, out->result, want);
	if (out->result != MP_OK) {
		CU_ASSERT_PTR_NULL(out->line);
		CU_ASSERT(out->line_len == 0);
		CU_ASSERT_PTR_NOT_NULL(out->reason);
		return;
	}
	if (want != MP_OK)
		return;
	if (out->line == NULL || out->line_len != want_len ||
	    memcmp(out->line, want_line, want_len) != 0 || out->line[want_len] != '\0')
		fprintf(stderr, "\n  %s: got %zu bytes \"%.80s\", want %zu bytes \"%.80s\"\n", row,
			out->line_len, out->line != NULL ? out->line : "(null)", want_len,
			want_line);
	CU_ASSERT(out->line != NULL && out->line_len == want_len &&
		  memcmp(out->line, want_line, want_len) == 0 && out->line[want_len] == '\0');
}

/* scan_path - a fresh file path in the test's directory. */
static void
scan_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/passwd", mp_test_tmpdir());
}

/*
 * Each row is a whole file (data, with its length for NUL bytes), a user and
 * what the scan must say.  want_line is the record without its newline.
 */
struct scan_case {
	const char *label;
	const char *data;
	size_t len;		/* 0: strlen(data) */
	const char *user;
	enum mp_result want;
	const char *want_line;
	const char *reason;	/* a part of the reason, for failures */
};

#define BYTES(s) s, sizeof(s) - 1

static const struct scan_case cases[] = {
	{ "empty file", "", 0, "alice", MP_USER_UNKNOWN, NULL, "unknown" },
	{ "first line, no newline before it", "alice:{PLAIN}a\nbob:{PLAIN}b\n", 0, "alice",
	  MP_OK, "alice:{PLAIN}a", NULL },
	{ "only line, no newline at all", "alice:{PLAIN}a", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "last line without a newline", "bob:{PLAIN}b\nalice:{PLAIN}a", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "last line with a newline", "bob:{PLAIN}b\nalice:{PLAIN}a\n", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "full record", "x:y\nalice:{PLAIN}a:1000:1000:Alice:/home/alice:/bin/sh:apop={PLAIN}s\n",
	  0, "alice", MP_OK, "alice:{PLAIN}a:1000:1000:Alice:/home/alice:/bin/sh:apop={PLAIN}s",
	  NULL },
	{ "name alone on the last line", "bob:{PLAIN}b\nalice", 0, "alice", MP_OK, "alice",
	  NULL },
	{ "name alone on a line", "alice\nbob:{PLAIN}b\n", 0, "alice", MP_OK, "alice", NULL },
	{ "empty password field", "alice:\n", 0, "alice", MP_OK, "alice:", NULL },
	{ "name is a prefix of the user", "al:{PLAIN}x\n", 0, "alice", MP_USER_UNKNOWN, NULL,
	  NULL },
	{ "user is a prefix of the name", "alice:{PLAIN}a\n", 0, "al", MP_USER_UNKNOWN, NULL,
	  NULL },
	{ "prefix and longer name both present", "alice:{PLAIN}a\nal:{PLAIN}b\nalice2:{PLAIN}c\n",
	  0, "al", MP_OK, "al:{PLAIN}b", NULL },
	{ "longer name only", "alice2:{PLAIN}c\nalicex\n", 0, "alice", MP_USER_UNKNOWN, NULL,
	  NULL },
	{ "name in another record's fields",
	  "bob:{PLAIN}b:1:1:alice:/home/alice:/bin/sh:alice=1 alice:x\n"
	  "carol:alice:\n", 0, "alice", MP_USER_UNKNOWN, NULL, NULL },
	{ "name after white space", " alice:{PLAIN}a\n\talice:{PLAIN}a\n", 0, "alice",
	  MP_USER_UNKNOWN, NULL, NULL },
	{ "name in another record's fields, then the record",
	  "bob:{PLAIN}b::::::note=alice:x\nalice:{PLAIN}a\n", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "commented out", "#alice:{PLAIN}a\n# alice:{PLAIN}a\n", 0, "alice", MP_USER_UNKNOWN,
	  NULL, NULL },
	{ "comment and the record", "#alice:{PLAIN}old\nalice:{PLAIN}a\n", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "a user named like a comment", "#alice:{PLAIN}a\n", 0, "#alice", MP_USER_UNKNOWN,
	  NULL, NULL },
	{ "blank lines around", "\n   \n\t\nalice:{PLAIN}a\n\n", 0, "alice", MP_OK,
	  "alice:{PLAIN}a", NULL },
	{ "CRLF record keeps its CR", "bob:{PLAIN}b\r\nalice:{PLAIN}a\r\n", 0, "alice", MP_OK,
	  "alice:{PLAIN}a\r", NULL },
	{ "CR after a bare name is part of the name", "alice\r\n", 0, "alice",
	  MP_USER_UNKNOWN, NULL, NULL },
	{ "duplicate, first and last", "alice:{PLAIN}1\nbob:{PLAIN}b\nalice:{PLAIN}2", 0,
	  "alice", MP_MALFORMED, NULL, "more than once" },
	{ "duplicate, adjacent", "bob:{PLAIN}b\nalice:{PLAIN}1\nalice:{PLAIN}2\n", 0, "alice",
	  MP_MALFORMED, NULL, "more than once" },
	{ "duplicate, identical lines", "alice:{PLAIN}a\nalice:{PLAIN}a\n", 0, "alice",
	  MP_MALFORMED, NULL, "more than once" },
	{ "duplicate, one without a colon", "alice\nbob:{PLAIN}b\nalice:{PLAIN}a\n", 0, "alice",
	  MP_MALFORMED, NULL, "more than once" },
	{ "duplicate, one with CRLF", "alice:{PLAIN}a\r\nalice:{PLAIN}a\n", 0, "alice",
	  MP_MALFORMED, NULL, "more than once" },
	{ "commented duplicate is no duplicate", "alice:{PLAIN}a\n#alice:{PLAIN}b\n", 0,
	  "alice", MP_OK, "alice:{PLAIN}a", NULL },
	{ "NUL inside the record", BYTES("alice:{PLAIN}a\0b\nbob:{PLAIN}b\n"), "alice", MP_OK,
	  NULL, NULL },
	{ "NUL inside the name", BYTES("al\0ice:{PLAIN}a\n"), "alice", MP_USER_UNKNOWN, NULL,
	  NULL },
	{ "NUL after the name", BYTES("alice\0:{PLAIN}a\n"), "alice", MP_USER_UNKNOWN, NULL,
	  NULL },
	{ "NUL in other lines", BYTES("\0\n\0alice:x\nbob:\0\nalice:{PLAIN}a\n"), "alice",
	  MP_OK, "alice:{PLAIN}a", NULL },
	{ "NUL lines and a duplicate", BYTES("alice:\0\n\0\nalice:{PLAIN}a\n"), "alice",
	  MP_MALFORMED, NULL, "more than once" },
};

static void
test_cases(void)
{
	char path[PATH_MAX];

	scan_path(path, sizeof(path));
	for (size_t i = 0; i < ROWS(cases); i++) {
		const struct scan_case *c = &cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->data);
		const char *want_line = c->want_line;
		size_t want_len = want_line != NULL ? strlen(want_line) : 0;

		if (c->want == MP_OK && want_line == NULL) {
			/* A record with a NUL: everything up to its newline. */
			want_line = c->data;
			want_len = (size_t)((const char *)memchr(c->data, '\n', len) - c->data);
		}
		write_bytes(path, c->data, len);
		for (size_t k = 0; k < ROWS(chunks); k++) {
			struct outcome out = scan_file(path, c->user, chunks[k]);

			check_outcome(c->label, chunks[k], &out, c->want, want_line, want_len);
			if (out.result != MP_OK && c->reason != NULL) {
				if (out.reason == NULL || strstr(out.reason, c->reason) == NULL)
					fprintf(stderr, "\n  %s: reason \"%s\" lacks \"%s\"\n",
						c->label, out.reason, c->reason);
				CU_ASSERT(out.reason != NULL &&
					  strstr(out.reason, c->reason) != NULL);
			}
			outcome_free(&out);
		}
	}
}

/* A record longer than the line limit comes back cut one byte over it. */
static void
test_long_lines(void)
{
	static const size_t lengths[] = { MP_LINE_MAX, MP_LINE_MAX + 1, MP_LINE_MAX + 2,
					  3 * MP_LINE_MAX };
	static const size_t long_chunks[] = { 1, 7, 4096, 0 };
	char path[PATH_MAX];

	scan_path(path, sizeof(path));
	for (size_t i = 0; i < ROWS(lengths); i++) {
		size_t len = lengths[i], total = 2 * len + 64, pos = 0;
		size_t want_len = len <= MP_LINE_MAX ? len : MP_LINE_MAX + 1;
		char *data = malloc(total);
		char label[64];

		CU_ASSERT_FATAL(data != NULL);
		/* Someone else's long line, then the user's, then a short one. */
		pos += (size_t)sprintf(data + pos, "other:");
		memset(data + pos, 'o', len - 6);
		pos += len - 6;
		data[pos++] = '\n';
		pos += (size_t)sprintf(data + pos, "alice:");
		memset(data + pos, 'a', len - 6);
		pos += len - 6;
		pos += (size_t)sprintf(data + pos, "\nbob:{PLAIN}b\n");
		write_bytes(path, data, pos);
		snprintf(label, sizeof(label), "record of %zu bytes", len);
		for (size_t k = 0; k < ROWS(long_chunks); k++) {
			struct outcome out = scan_file(path, "alice", long_chunks[k]);

			check_outcome(label, long_chunks[k], &out, MP_OK, data + len + 1, want_len);
			outcome_free(&out);
			out = scan_file(path, "bob", long_chunks[k]);
			check_outcome(label, long_chunks[k], &out, MP_OK, "bob:{PLAIN}b", 12);
			outcome_free(&out);
		}
		free(data);
	}
}

/*
 * reference_scan - the rule of store-scan.h written the plain way, over the
 * whole file in memory: lines split at '\n', '#' comments and blank lines
 * skipped, the name up to the first ':' or the whole line.
 */
static enum mp_result
reference_scan(const char *data, size_t len, const char *user, const char **line_r,
	       size_t *line_len_r)
{
	size_t user_len = strlen(user), pos = 0;
	unsigned int records = 0;

	while (pos < len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl != NULL ? (size_t)(nl - line) : len - pos;
		const char *colon = memchr(line, ':', line_len);
		size_t name_len = colon != NULL ? (size_t)(colon - line) : line_len;
		bool blank = true;

		for (size_t i = 0; i < line_len; i++)
			blank = blank && (line[i] == ' ' || line[i] == '\t');
		if (!blank && line[0] != '#' && name_len == user_len &&
		    memcmp(line, user, user_len) == 0 && records++ == 0) {
			*line_r = line;
			*line_len_r = line_len > MP_LINE_MAX ? MP_LINE_MAX + 1 : line_len;
		}
		pos += line_len + 1;
	}
	return records == 0 ? MP_USER_UNKNOWN : records == 1 ? MP_OK : MP_MALFORMED;
}

/*
 * Random files from pieces chosen to trip a scanner (prefixes, comments,
 * CRs, NULs, bare names, blank lines, no final newline), each checked
 * against reference_scan() at several read sizes.
 */
static void
test_random_files(void)
{
	static const char *const pieces[] = {
		"alice:{PLAIN}a", "al:{PLAIN}b", "alice2:{PLAIN}c", "#alice:{PLAIN}d",
		"alice", "alice\r", "alice:{PLAIN}e\r", "bob:x:1:1:alice:/home/alice:",
		" alice:f", "", "   ", "\t", "#", "al", "xalice:g", "alic", "alice:",
		"bob:{PLAIN}h::::::note=alice:x", "alice\0:i", "alice:j\0k", "\0",
	};
	static const size_t piece_len[] = {
		14, 11, 15, 15, 5, 6, 15, 28, 8, 0, 3, 1, 1, 2, 8, 4, 6, 30, 8, 9, 1,
	};
	static const char *const users[] = { "alice", "al", "alice2", "bob", "#alice" };
	static const size_t random_chunks[] = { 1, 2, 3, 5, 6, 7, 13, 64, 0 };
	char path[PATH_MAX], data[2048];
	unsigned int seed = 12345;
	unsigned int mismatches = 0;

	CU_ASSERT_FATAL(ROWS(pieces) == ROWS(piece_len));
	for (size_t i = 0; i < ROWS(pieces); i++)
		CU_ASSERT_FATAL(piece_len[i] == strlen(pieces[i]) ||
				pieces[i][piece_len[i]] == '\0');
	scan_path(path, sizeof(path));
	for (unsigned int round = 0; round < 1000; round++) {
		size_t len = 0, lines = (size_t)(rand_r(&seed) % 12);

		for (size_t l = 0; l < lines; l++) {
			size_t p = (size_t)rand_r(&seed) % ROWS(pieces);

			memcpy(data + len, pieces[p], piece_len[p]);
			len += piece_len[p];
			if (l + 1 < lines || rand_r(&seed) % 2 == 0)
				data[len++] = '\n';
		}
		write_bytes(path, data, len);
		for (size_t u = 0; u < ROWS(users); u++) {
			const char *want_line = NULL;
			size_t want_len = 0;
			enum mp_result want = reference_scan(data, len, users[u], &want_line,
							     &want_len);

			for (size_t k = 0; k < ROWS(random_chunks); k++) {
				struct outcome out = scan_file(path, users[u], random_chunks[k]);
				bool same = out.result == want &&
					    (want != MP_OK || (out.line_len == want_len &&
						memcmp(out.line, want_line, want_len) == 0));

				if (!same && mismatches++ < 5)
					fprintf(stderr, "\n  round %u, user %s, chunk %zu: got %s, "
						"want %s\n", round, users[u], random_chunks[k],
						mp_result_name(out.result), mp_result_name(want));
				CU_ASSERT(same);
				outcome_free(&out);
			}
		}
	}
}

/* A generated store of 1,000,000 lines: first, middle, last, absent and duplicated users. */
static void
test_million_lines(void)
{
	static const struct {
		const char *user;
		enum mp_result want;
		const char *want_line;
	} rows[] = {
		{ "user1", MP_OK, "user1:{PLAIN}pw1:5000:5000::/var/vmail/user1::" },
		{ "user500000", MP_OK,
		  "user500000:{PLAIN}pw500000:5000:5000::/var/vmail/user500000::" },
		{ "user1000000", MP_OK,
		  "user1000000:{PLAIN}pw1000000:5000:5000::/var/vmail/user1000000::" },
		{ "user1000001", MP_USER_UNKNOWN, NULL },
		{ "user100", MP_MALFORMED, NULL },	/* again on the last line */
	};
	char path[PATH_MAX];
	FILE *f;

	scan_path(path, sizeof(path));
	(void)unlink(path);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	for (unsigned long n = 1; n <= 1000000; n++)
		fprintf(f, "user%lu:{PLAIN}pw%lu:5000:5000::/var/vmail/user%lu::\n", n, n, n);
	fprintf(f, "user100:{PLAIN}again");
	CU_ASSERT_FATAL(fclose(f) == 0);
	for (size_t i = 0; i < ROWS(rows); i++) {
		struct outcome out = scan_file(path, rows[i].user, 0);

		check_outcome(rows[i].user, 0, &out, rows[i].want, rows[i].want_line,
			      rows[i].want_line != NULL ? strlen(rows[i].want_line) : 0);
		outcome_free(&out);
	}
	(void)unlink(path);
}

/* A read() that fails is MP_UNAVAILABLE; a name the store check refuses is MP_MALFORMED. */
static void
test_errors(void)
{
	char long_name[MP_USER_MAX + 2];
	const char *reason = NULL;
	char *line = not_reset;
	size_t line_len = 99;
	int fd;

	fd = open(mp_test_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	MP_CHECK_RESULT("directory", mp_store_scan_fd(fd, "alice", 0, 0, &line, &line_len,
						      &reason), MP_UNAVAILABLE);
	CU_ASSERT_PTR_NULL(line);
	CU_ASSERT(line_len == 0);
	MP_CHECK_STR("directory", reason, "cannot read the store file");
	(void)close(fd);

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	MP_CHECK_RESULT("empty name", mp_store_scan_fd(fd, "", 0, 0, &line, &line_len, &reason),
			MP_MALFORMED);
	MP_CHECK_RESULT("long name", mp_store_scan_fd(fd, long_name, 0, 0, &line, &line_len,
						      &reason), MP_MALFORMED);
	long_name[MP_USER_MAX] = '\0';
	MP_CHECK_RESULT("longest name", mp_store_scan_fd(fd, long_name, 1, 0, &line, &line_len,
							 &reason), MP_USER_UNKNOWN);
	(void)close(fd);
}

/* A name of MP_USER_MAX bytes is found with any read size, even one byte. */
static void
test_longest_name(void)
{
	char name[MP_USER_MAX + 1], data[3 * MP_USER_MAX + 64], path[PATH_MAX];
	size_t len;

	memset(name, 'n', MP_USER_MAX);
	name[MP_USER_MAX] = '\0';
	len = (size_t)snprintf(data, sizeof(data), "%.*sx:{PLAIN}x\n%s:{PLAIN}y\n%s",
			       MP_USER_MAX - 1, name, name, name);
	scan_path(path, sizeof(path));
	write_bytes(path, data, len);
	for (size_t k = 0; k < ROWS(chunks); k++) {
		struct outcome out = scan_file(path, name, chunks[k]);

		/* The last line is the bare name again: a second record. */
		check_outcome("longest name", chunks[k], &out, MP_MALFORMED, NULL, 0);
		outcome_free(&out);
	}
	write_bytes(path, data, len - MP_USER_MAX);
	for (size_t k = 0; k < ROWS(chunks); k++) {
		struct outcome out = scan_file(path, name, chunks[k]);

		check_outcome("longest name", chunks[k], &out, MP_OK, data + MP_USER_MAX + 10,
			      MP_USER_MAX + 9);
		outcome_free(&out);
	}
}

/*
 * scan_pipe - scan a pipe that holds data and whose writer stays open, with
 * flags: the read end does not block, so a scan that reads past data gets
 * EAGAIN and says MP_UNAVAILABLE instead of waiting.
 */
static struct outcome
scan_pipe(const char *data, const char *user, unsigned int flags)
{
	struct outcome out = { .reason = NULL };
	int fds[2];

	CU_ASSERT_FATAL(pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
	CU_ASSERT_FATAL(write(fds[1], data, strlen(data)) == (ssize_t)strlen(data));
	out.result = mp_store_scan_fd(fds[0], user, 4, flags, &out.line, &out.line_len,
				      &out.reason);
	(void)close(fds[0]);
	(void)close(fds[1]);
	return out;
}

/*
 * MP_STORE_SCAN_UNIQUE: the scan returns the first record and reads no
 * further; without it a second record is found and neither is returned.
 */
static void
test_unique(void)
{
	static const char dup[] = "bob:{PLAIN}b\nalice:{PLAIN}first\ncarol:x\nalice:{PLAIN}second\n";
	char path[PATH_MAX];
	struct outcome out;

	scan_path(path, sizeof(path));
	write_bytes(path, dup, strlen(dup));
	for (size_t k = 0; k < ROWS(chunks); k++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		CU_ASSERT_FATAL(fd >= 0);
		out.line = not_reset;
		out.result = mp_store_scan_fd(fd, "alice", chunks[k], MP_STORE_SCAN_UNIQUE,
					      &out.line, &out.line_len, &out.reason);
		(void)close(fd);
		check_outcome("unique, duplicated", chunks[k], &out, MP_OK, "alice:{PLAIN}first",
			      18);
		outcome_free(&out);
		out = scan_file(path, "alice", chunks[k]);
		check_outcome("not unique, duplicated", chunks[k], &out, MP_MALFORMED, NULL, 0);
		outcome_free(&out);
	}

	/* It stops reading at the record: the rest of the pipe is never asked for. */
	out = scan_pipe("alice:{PLAIN}a\nbob:{PLAIN}b\n", "alice", MP_STORE_SCAN_UNIQUE);
	check_outcome("unique, pipe", 4, &out, MP_OK, "alice:{PLAIN}a", 14);
	outcome_free(&out);
	out = scan_pipe("alice:{PLAIN}a\nbob:{PLAIN}b\n", "alice", 0);
	check_outcome("not unique, pipe", 4, &out, MP_UNAVAILABLE, NULL, 0);
	outcome_free(&out);
	/* An unknown user is still read to the end. */
	out = scan_pipe("alice:{PLAIN}a\n", "zed", MP_STORE_SCAN_UNIQUE);
	check_outcome("unique, unknown, pipe", 4, &out, MP_UNAVAILABLE, NULL, 0);
	outcome_free(&out);
}

void
mp_test_register_store_scan(void)
{
	CU_pSuite suite = CU_add_suite("store-scan", NULL, NULL);

	CU_add_test(suite, "cases at every read size", test_cases);
	CU_add_test(suite, "long records", test_long_lines);
	CU_add_test(suite, "random files against the plain rule", test_random_files);
	CU_add_test(suite, "1,000,000 lines", test_million_lines);
	CU_add_test(suite, "errors", test_errors);
	CU_add_test(suite, "longest name", test_longest_name);
	CU_add_test(suite, "a store without duplicates", test_unique);
}
