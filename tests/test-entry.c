/* test-entry.c - passwd-file records: parsing, formatting, field edits. */
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "mp-limits.h"
#include "unit.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* repeat - a malloc'd string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	CU_ASSERT_FATAL(s != NULL);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_user_name_check(void)
{
	static const struct {
		const char *label;
		const char *name;
		size_t len;		/* 0: strlen(name) */
		enum mp_result want;
	} rows[] = {
		{ "plain", "alice", 0, MP_OK },
		{ "address", "alice@example.com", 0, MP_OK },
		{ "utf-8", "j\xc3\xb6rg", 0, MP_OK },
		{ "one byte", "a", 0, MP_OK },
		{ "hash sign", "#a", 0, MP_OK },
		{ "empty", "", 0, MP_MALFORMED },
		{ "colon", "al:ice", 0, MP_MALFORMED },
		{ "space", "al ice", 0, MP_MALFORMED },
		{ "tab", "al\tice", 0, MP_MALFORMED },
		{ "newline", "alice\n", 0, MP_MALFORMED },
		{ "carriage return", "alice\r", 0, MP_MALFORMED },
		{ "control", "al\001ice", 0, MP_MALFORMED },
		{ "escape", "\033alice", 0, MP_MALFORMED },
		{ "delete", "alice\177", 0, MP_MALFORMED },
		{ "embedded NUL", "al\0ice", 6, MP_MALFORMED },
		{ "trailing NUL", "alice\0", 6, MP_MALFORMED },
		{ "byte order mark first", "\xEF\xBB\xBF" "alice", 0, MP_MALFORMED },
		{ "byte order mark inside", "al\xEF\xBB\xBF" "ice", 0, MP_MALFORMED },
		{ "byte order mark last", "alice\xEF\xBB\xBF", 0, MP_MALFORMED },
		{ "other three-byte character", "\xE2\x82\xAC" "uro", 0, MP_OK },
		{ "U+FEFE, one below", "\xEF\xBB\xBE" "alice", 0, MP_OK },
		{ "half a byte order mark at the end", "alice\xEF\xBB", 0, MP_OK },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		size_t len = rows[i].len != 0 ? rows[i].len : strlen(rows[i].name);
		const char *reason = NULL;

		MP_CHECK_RESULT(rows[i].label, mp_user_name_check(rows[i].name, len, &reason),
				rows[i].want);
		if (rows[i].want != MP_OK)
			CU_ASSERT_PTR_NOT_NULL(reason);
	}
}

/* A passwd-file saved as "UTF-8 with BOM": its first line names nobody. */
static void
test_user_name_byte_order_mark(void)
{
	static const char line[] = "\xEF\xBB\xBF" "alice:{PLAIN}secret";
	static const char want[] = "user name contains a UTF-8 byte order mark (U+FEFF)";
	struct mp_entry *entry = NULL;
	const char *reason = NULL;

	MP_CHECK_RESULT("name", mp_user_name_check(line, 8, &reason), MP_MALFORMED);
	MP_CHECK_STR("name", reason, want);
	reason = NULL;
	MP_CHECK_RESULT("line", mp_entry_parse(line, strlen(line), &entry, &reason),
			MP_MALFORMED);
	MP_CHECK_STR("line", reason, want);
	CU_ASSERT_PTR_NULL(entry);
}

static void
test_user_name_length(void)
{
	static const struct {
		const char *label;
		size_t len;
		enum mp_result want;
	} rows[] = {
		{ "254 bytes", MP_USER_MAX - 1, MP_OK },
		{ "255 bytes", MP_USER_MAX, MP_OK },
		{ "256 bytes", MP_USER_MAX + 1, MP_MALFORMED },
		{ "4096 bytes", 4096, MP_MALFORMED },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		char *name = repeat('u', rows[i].len);
		char *line = malloc(rows[i].len + 16);
		struct mp_entry *entry = NULL;
		const char *reason = NULL;

		CU_ASSERT_FATAL(line != NULL);
		MP_CHECK_RESULT(rows[i].label, mp_user_name_check(name, rows[i].len, &reason),
				rows[i].want);
		/* The same limit holds for a user name read from a line. */
		snprintf(line, rows[i].len + 16, "%s:{PLAIN}x", name);
		MP_CHECK_RESULT(rows[i].label, mp_entry_parse(line, strlen(line), &entry, &reason),
				rows[i].want);
		if (rows[i].want == MP_OK) {
			MP_CHECK_STR(rows[i].label, entry != NULL ? mp_entry_user(entry) : NULL, name);
		} else {
			CU_ASSERT_PTR_NULL(entry);
		}
		mp_entry_free(&entry);
		free(name);
		free(line);
	}
}

static void
test_parse(void)
{
	static const struct {
		const char *label;
		const char *line;
		size_t len;		/* 0: strlen(line) */
		enum mp_result want;
		const char *user;
		const char *password;
		unsigned int fields;
		const char *key;	/* an extra field to look up, or NULL */
		const char *value;	/* its expected value (NULL: absent) */
		unsigned int extra_count;
	} rows[] = {
		{ "two fields", "alice:{PLAIN}secret", 0, MP_OK,
		  "alice", "{PLAIN}secret", 2, NULL, NULL, 0 },
		{ "empty password", "bob:", 0, MP_OK, "bob", "", 2, NULL, NULL, 0 },
		{ "three fields", "carol:x:1000", 0, MP_OK, "carol", "x", 3, NULL, NULL, 0 },
		{ "trailing colon", "carol:x:", 0, MP_OK, "carol", "x", 3, NULL, NULL, 0 },
		{ "eight fields", "dave:{SHA512-CRYPT}$6$s$h:1000:100:Dave D:/home/dave:/bin/sh:"
		  "apop={PLAIN}pw", 0, MP_OK,
		  "dave", "{SHA512-CRYPT}$6$s$h", 8, "apop", "{PLAIN}pw", 1 },
		{ "bare key", "eve:x::::::nologin", 0, MP_OK, "eve", "x", 8, "nologin", "", 1 },
		{ "bare key among others", "eve:x::::::a=1 nologin b=2", 0, MP_OK,
		  "eve", "x", 8, "nologin", "", 3 },
		{ "value after bare key", "eve:x::::::a=1 nologin b=2", 0, MP_OK,
		  "eve", "x", 8, "b", "2", 3 },
		{ "empty value", "eve:x::::::a=", 0, MP_OK, "eve", "x", 8, "a", "", 1 },
		{ "value with '='", "eve:x::::::a=b=c", 0, MP_OK, "eve", "x", 8, "a", "b=c", 1 },
		{ "absent key", "eve:x::::::a=1", 0, MP_OK, "eve", "x", 8, "nologin", NULL, 1 },
		{ "key prefix is not the key", "eve:x::::::nologinx", 0, MP_OK,
		  "eve", "x", 8, "nologin", NULL, 1 },
		{ "colons in the extra field", "frank:x::::::userdb_mail=maildir:~/Maildir:LAYOUT=fs",
		  0, MP_OK, "frank", "x", 8, "userdb_mail", "maildir:~/Maildir:LAYOUT=fs", 1 },
		{ "colon right after seventh", "frank:x:::::::a=1", 0, MP_OK,
		  "frank", "x", 8, "a", NULL, 1 },
		{ "several spaces", "gina:x::::::  a=1   b=2  ", 0, MP_OK, "gina", "x", 8, "b", "2", 2 },
		{ "empty extra", "gina:x::::::", 0, MP_OK, "gina", "x", 8, "a", NULL, 0 },
		{ "no colon", "alice", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "empty line", "", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "empty user", ":{PLAIN}x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "user with space", "al ice:x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "leading space", " alice:x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "user with tab", "al\tice:x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "user with control", "al\001ice:x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "user with delete", "alice\177:x", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "NUL in user", "al\0ce:x", 7, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "NUL in password", "alice:x\0y", 9, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "NUL at the end", "alice:x\0", 8, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "line feed inside", "alice:x\ny:z", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
		{ "CRLF ending", "alice:x\r", 0, MP_MALFORMED, NULL, NULL, 0, NULL, NULL, 0 },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		size_t len = rows[i].len != 0 ? rows[i].len : strlen(rows[i].line);
		static struct mp_entry sentinel;
		struct mp_entry *entry = &sentinel;	/* the parser must reset it */
		const char *reason = NULL;
		enum mp_result got;

		got = mp_entry_parse(rows[i].line, len, &entry, &reason);
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got != MP_OK) {
			CU_ASSERT_PTR_NULL(entry);
			CU_ASSERT_PTR_NOT_NULL(reason);
			continue;
		}
		if (rows[i].want != MP_OK) {
			mp_entry_free(&entry);
			continue;
		}
		MP_CHECK_STR(rows[i].label, mp_entry_user(entry), rows[i].user);
		MP_CHECK_STR(rows[i].label, mp_entry_password(entry), rows[i].password);
		if (entry->field_count != rows[i].fields)
			fprintf(stderr, "\n  %s: got %u fields, want %u\n", rows[i].label,
				entry->field_count, rows[i].fields);
		CU_ASSERT(entry->field_count == rows[i].fields);
		if (entry->extra_count != rows[i].extra_count)
			fprintf(stderr, "\n  %s: got %u extra fields, want %u\n", rows[i].label,
				entry->extra_count, rows[i].extra_count);
		CU_ASSERT(entry->extra_count == rows[i].extra_count);
		for (unsigned int f = entry->field_count; f < MP_ENTRY_FIELDS; f++)
			CU_ASSERT_PTR_NULL(entry->field[f]);
		if (rows[i].key != NULL) {
			const char *value = mp_entry_extra(entry, rows[i].key);

			if (rows[i].value == NULL) {
				if (value != NULL)
					fprintf(stderr, "\n  %s: got \"%s\", want absent\n",
						rows[i].label, value);
				CU_ASSERT_PTR_NULL(value);
			} else {
				MP_CHECK_STR(rows[i].label, value, rows[i].value);
			}
		}
		mp_entry_free(&entry);
		CU_ASSERT_PTR_NULL(entry);
	}
}

static void
test_parse_line_length(void)
{
	static const struct {
		const char *label;
		size_t len;
		enum mp_result want;
	} rows[] = {
		{ "line of MP_LINE_MAX - 1", MP_LINE_MAX - 1, MP_OK },
		{ "line of MP_LINE_MAX", MP_LINE_MAX, MP_OK },
		{ "line of MP_LINE_MAX + 1", MP_LINE_MAX + 1, MP_MALFORMED },
		{ "line of 100000", 100000, MP_MALFORMED },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		char *line = repeat('x', rows[i].len);
		struct mp_entry *entry = NULL;
		const char *reason = NULL;

		memcpy(line, "alice:{PLAIN}", 13);
		MP_CHECK_RESULT(rows[i].label, mp_entry_parse(line, rows[i].len, &entry, &reason),
				rows[i].want);
		if (rows[i].want == MP_OK) {
			CU_ASSERT(entry != NULL && strlen(mp_entry_password(entry)) ==
				  rows[i].len - 6);
		} else {
			CU_ASSERT_PTR_NULL(entry);
			CU_ASSERT(reason != NULL && strstr(reason, "longer") != NULL);
		}
		mp_entry_free(&entry);
		free(line);
	}
}

static void
test_format_round_trip(void)
{
	static const char *const lines[] = {
		"alice:{PLAIN}secret",
		"bob:",
		"carol:x:",
		"carol:x:1000:100",
		"dave:{SHA512-CRYPT}$6$s$h:1000:100:Dave D:/home/dave:/bin/sh:apop={PLAIN}pw",
		"eve:x::::::",
		"eve:x:::::::",
		"eve:x::::::  a=1   nologin  ",
		"frank:x::::::userdb_mail=maildir:~/Maildir:LAYOUT=fs",
		"gina:!{PLAIN}x:::::: nologin",
		"h\xc3\xa9l\xc3\xa8ne:{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
	};

	for (size_t i = 0; i < ROWS(lines); i++) {
		struct mp_entry *entry = NULL, *copy;
		const char *reason = NULL;
		char *line, *copy_line;

		MP_CHECK_RESULT(lines[i], mp_entry_parse(lines[i], strlen(lines[i]), &entry,
							 &reason), MP_OK);
		if (entry == NULL)
			continue;
		line = mp_entry_format(entry);
		MP_CHECK_STR(lines[i], line, lines[i]);
		copy = mp_entry_dup(entry);
		CU_ASSERT_FATAL(copy != NULL);
		copy_line = mp_entry_format(copy);
		MP_CHECK_STR(lines[i], copy_line, lines[i]);
		CU_ASSERT(copy->extra_count == entry->extra_count);
		free(line);
		free(copy_line);
		mp_entry_free(&copy);
		mp_entry_free(&entry);
	}
}

static void
test_new(void)
{
	static const struct {
		const char *label;
		const char *user;
		const char *password;
		enum mp_result want;
		const char *want_line;
	} rows[] = {
		{ "plain", "alice", "{PLAIN}x", MP_OK, "alice:{PLAIN}x" },
		{ "empty password", "alice", "", MP_OK, "alice:" },
		{ "empty user", "", "{PLAIN}x", MP_MALFORMED, NULL },
		{ "NULL user", NULL, "{PLAIN}x", MP_MALFORMED, NULL },
		{ "colon in user", "al:ice", "{PLAIN}x", MP_MALFORMED, NULL },
		{ "space in user", "al ice", "{PLAIN}x", MP_MALFORMED, NULL },
		{ "colon in password", "alice", "{PLAIN}a:b", MP_MALFORMED, NULL },
		{ "newline in password", "alice", "{PLAIN}a\nb", MP_MALFORMED, NULL },
		{ "NULL password", "alice", NULL, MP_MALFORMED, NULL },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct mp_entry *entry = NULL;
		const char *reason = NULL;
		char *line;

		MP_CHECK_RESULT(rows[i].label, mp_entry_new(rows[i].user, rows[i].password, &entry,
							    &reason), rows[i].want);
		if (rows[i].want != MP_OK) {
			CU_ASSERT_PTR_NULL(entry);
			CU_ASSERT_PTR_NOT_NULL(reason);
			continue;
		}
		CU_ASSERT_FATAL(entry != NULL);
		line = mp_entry_format(entry);
		MP_CHECK_STR(rows[i].label, line, rows[i].want_line);
		free(line);
		mp_entry_free(&entry);
	}
}

static void
test_set_password(void)
{
	static const struct {
		const char *label;
		const char *line;
		const char *value;
		enum mp_result want;
		const char *want_line;	/* the record afterwards, changed or not */
	} rows[] = {
		{ "two fields", "alice:{PLAIN}old", "{PLAIN}new", MP_OK, "alice:{PLAIN}new" },
		{ "eight fields keep the rest", "alice:{PLAIN}old:1:2:A:/h:/s:apop={PLAIN}p  x",
		  "{PLAIN}new", MP_OK, "alice:{PLAIN}new:1:2:A:/h:/s:apop={PLAIN}p  x" },
		{ "to empty", "alice:{PLAIN}old:1", "", MP_OK, "alice::1" },
		{ "lock", "alice:{PLAIN}old", "!{PLAIN}old", MP_OK, "alice:!{PLAIN}old" },
		{ "colon", "alice:{PLAIN}old", "{PLAIN}a:b", MP_MALFORMED, "alice:{PLAIN}old" },
		{ "line feed", "alice:{PLAIN}old", "{PLAIN}a\nb", MP_MALFORMED, "alice:{PLAIN}old" },
		{ "carriage return", "alice:{PLAIN}old", "{PLAIN}a\r", MP_MALFORMED,
		  "alice:{PLAIN}old" },
		{ "NULL", "alice:{PLAIN}old", NULL, MP_MALFORMED, "alice:{PLAIN}old" },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct mp_entry *entry = NULL;
		const char *reason = NULL;
		char *line;

		CU_ASSERT_FATAL(mp_entry_parse(rows[i].line, strlen(rows[i].line), &entry,
					       &reason) == MP_OK);
		reason = NULL;
		MP_CHECK_RESULT(rows[i].label, mp_entry_set_password(entry, rows[i].value, &reason),
				rows[i].want);
		if (rows[i].want != MP_OK)
			CU_ASSERT_PTR_NOT_NULL(reason);
		line = mp_entry_format(entry);
		MP_CHECK_STR(rows[i].label, line, rows[i].want_line);
		free(line);
		mp_entry_free(&entry);
	}
}

static void
test_set_extra(void)
{
	static const struct {
		const char *label;
		const char *line;
		const char *key;
		const char *value;	/* NULL: remove */
		enum mp_result want;
		const char *want_line;	/* the record afterwards, changed or not */
	} rows[] = {
		{ "add to two fields", "alice:{PLAIN}x", "apop", "{PLAIN}s", MP_OK,
		  "alice:{PLAIN}x::::::apop={PLAIN}s" },
		{ "add to three fields", "alice:{PLAIN}x:1000", "apop", "{PLAIN}s", MP_OK,
		  "alice:{PLAIN}x:1000:::::apop={PLAIN}s" },
		{ "add to seven fields", "alice:x:1:2:A:/h:/s", "apop", "v", MP_OK,
		  "alice:x:1:2:A:/h:/s:apop=v" },
		{ "add to empty extra", "alice:x::::::", "apop", "v", MP_OK, "alice:x::::::apop=v" },
		{ "add after others", "alice:x::::::a=1 b", "apop", "v", MP_OK,
		  "alice:x::::::a=1 b apop=v" },
		{ "bare key", "alice:x", "nologin", "", MP_OK, "alice:x::::::nologin" },
		{ "replace in place", "alice:x::::::a=1 apop=old b", "apop", "new", MP_OK,
		  "alice:x::::::a=1 apop=new b" },
		{ "replace drops duplicates", "alice:x::::::apop=1 b apop=2", "apop", "3", MP_OK,
		  "alice:x::::::apop=3 b" },
		{ "replace bare by value", "alice:x::::::nologin", "nologin", "yes", MP_OK,
		  "alice:x::::::nologin=yes" },
		{ "remove", "alice:x::::::a=1 apop=old nologin", "apop", NULL, MP_OK,
		  "alice:x::::::a=1 nologin" },
		{ "remove bare", "alice:x::::::a=1 nologin", "nologin", NULL, MP_OK,
		  "alice:x::::::a=1" },
		{ "remove the last", "alice:x::::::apop=old", "apop", NULL, MP_OK, "alice:x::::::" },
		{ "remove every copy", "alice:x::::::apop=1 b apop=2", "apop", NULL, MP_OK,
		  "alice:x::::::b" },
		{ "remove absent changes nothing", "alice:x", "apop", NULL, MP_OK, "alice:x" },
		{ "remove absent keeps spacing", "alice:x::::::a=1  b", "apop", NULL, MP_OK,
		  "alice:x::::::a=1  b" },
		{ "value keeps '='", "alice:x", "k", "a=b", MP_OK, "alice:x::::::k=a=b" },
		{ "empty key", "alice:x", "", "v", MP_MALFORMED, "alice:x" },
		{ "NULL key", "alice:x", NULL, "v", MP_MALFORMED, "alice:x" },
		{ "key with '='", "alice:x", "a=b", "v", MP_MALFORMED, "alice:x" },
		{ "key with space", "alice:x", "a b", "v", MP_MALFORMED, "alice:x" },
		{ "key with colon", "alice:x", "a:b", "v", MP_MALFORMED, "alice:x" },
		{ "key with control", "alice:x", "a\001", "v", MP_MALFORMED, "alice:x" },
		{ "value with space", "alice:x", "apop", "a b", MP_MALFORMED, "alice:x" },
		{ "value with tab", "alice:x", "apop", "a\tb", MP_MALFORMED, "alice:x" },
		{ "value with colon", "alice:x", "apop", "a:b", MP_MALFORMED, "alice:x" },
		{ "value with newline", "alice:x", "apop", "a\nb", MP_MALFORMED, "alice:x" },
		{ "value with delete", "alice:x", "apop", "a\177", MP_MALFORMED, "alice:x" },
		{ "bad value leaves extra", "alice:x::::::apop=old", "apop", "a b", MP_MALFORMED,
		  "alice:x::::::apop=old" },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct mp_entry *entry = NULL, *back = NULL;
		const char *reason = NULL;
		char *line;

		CU_ASSERT_FATAL(mp_entry_parse(rows[i].line, strlen(rows[i].line), &entry,
					       &reason) == MP_OK);
		reason = NULL;
		MP_CHECK_RESULT(rows[i].label, mp_entry_set_extra(entry, rows[i].key, rows[i].value,
								  &reason), rows[i].want);
		if (rows[i].want != MP_OK)
			CU_ASSERT_PTR_NOT_NULL(reason);
		line = mp_entry_format(entry);
		MP_CHECK_STR(rows[i].label, line, rows[i].want_line);
		if (rows[i].want == MP_OK && rows[i].key != NULL) {
			const char *got = mp_entry_extra(entry, rows[i].key);

			if (rows[i].value == NULL) {
				CU_ASSERT_PTR_NULL(got);
			} else {
				MP_CHECK_STR(rows[i].label, got, rows[i].value);
			}
		}
		/* What was written reads back the same. */
		CU_ASSERT(line != NULL &&
			  mp_entry_parse(line, strlen(line), &back, &reason) == MP_OK);
		if (back != NULL && rows[i].want == MP_OK && rows[i].key != NULL) {
			const char *a = mp_entry_extra(back, rows[i].key);

			if (rows[i].value == NULL) {
				CU_ASSERT_PTR_NULL(a);
			} else {
				MP_CHECK_STR(rows[i].label, a, rows[i].value);
			}
		}
		mp_entry_free(&back);
		free(line);
		mp_entry_free(&entry);
	}
}

static void
test_locked_disabled(void)
{
	static const struct {
		const char *label;
		const char *line;
		bool locked;
		bool disabled;
	} rows[] = {
		{ "ordinary", "a:{PLAIN}x", false, false },
		{ "empty password", "a:", false, false },
		{ "bang", "a:!{PLAIN}x", true, true },
		{ "bare bang", "a:!", true, true },
		{ "star", "a:*", true, true },
		{ "star prefix", "a:*{PLAIN}x", true, true },
		{ "bang later", "a:{PLAIN}x!", false, false },
		{ "nologin", "a:{PLAIN}x::::::nologin", false, true },
		{ "nologin=y", "a:{PLAIN}x::::::nologin=y", false, true },
		{ "nologin among others", "a:{PLAIN}x::::::apop=p nologin b=1", false, true },
		{ "nologin as a value", "a:{PLAIN}x::::::apop=nologin", false, false },
		{ "nologinx", "a:{PLAIN}x::::::nologinx", false, false },
		{ "nologin in gecos", "a:{PLAIN}x:::nologin", false, false },
		{ "locked and nologin", "a:*::::::nologin", true, true },
	};

	for (size_t i = 0; i < ROWS(rows); i++) {
		struct mp_entry *entry = NULL;
		const char *reason = NULL;
		bool locked, disabled;

		CU_ASSERT_FATAL(mp_entry_parse(rows[i].line, strlen(rows[i].line), &entry,
					       &reason) == MP_OK);
		locked = mp_entry_is_locked(entry);
		disabled = mp_entry_is_disabled(entry);
		if (locked != rows[i].locked || disabled != rows[i].disabled)
			fprintf(stderr, "\n  %s: got locked=%d disabled=%d, want %d %d\n",
				rows[i].label, locked, disabled, rows[i].locked, rows[i].disabled);
		CU_ASSERT(locked == rows[i].locked);
		CU_ASSERT(disabled == rows[i].disabled);
		mp_entry_free(&entry);
	}
}

static void
test_free(void)
{
	struct mp_entry *entry = NULL;
	const char *reason;

	mp_entry_free(&entry);	/* NULL is fine */
	CU_ASSERT_PTR_NULL(entry);
	CU_ASSERT_FATAL(mp_entry_parse("a:{PLAIN}x::::::apop={PLAIN}y", 29, &entry,
				       &reason) == MP_OK);
	mp_entry_free(&entry);
	CU_ASSERT_PTR_NULL(entry);
}

void
mp_test_register_entry(void)
{
	CU_pSuite suite = CU_add_suite("entry", NULL, NULL);

	CU_add_test(suite, "user name check", test_user_name_check);
	CU_add_test(suite, "user name with a byte order mark", test_user_name_byte_order_mark);
	CU_add_test(suite, "user name length", test_user_name_length);
	CU_add_test(suite, "parse", test_parse);
	CU_add_test(suite, "line length", test_parse_line_length);
	CU_add_test(suite, "format round trip", test_format_round_trip);
	CU_add_test(suite, "new record", test_new);
	CU_add_test(suite, "set password", test_set_password);
	CU_add_test(suite, "set extra field", test_set_extra);
	CU_add_test(suite, "locked and disabled", test_locked_disabled);
	CU_add_test(suite, "free", test_free);
}
