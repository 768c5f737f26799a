#ifndef MP_UNIT_H
#define MP_UNIT_H

/*
 * The CUnit runner: one suite per shared/ module.  Each test-*.c file defines
 * one mp_test_register_*() that adds its suite; unit-main.c calls them all.
 *
 * Tests are tables: rows of {label, input..., want}, checked in a loop, and a
 * failing row prints "label: got X, want Y" before the CUnit assertion.
 */

#include <stdbool.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include "result.h"

void mp_test_register_result(void);
void mp_test_register_secret(void);
void mp_test_register_encoding(void);
void mp_test_register_scheme(void);
void mp_test_register_scheme_legacy(void);
void mp_test_register_apop(void);
void mp_test_register_apop_secret(void);
void mp_test_register_conf(void);
void mp_test_register_entry(void);
void mp_test_register_store(void);
void mp_test_register_auth(void);

/* MP_CHECK_RESULT - assert a result code, printing the row label and both names. */
#define MP_CHECK_RESULT(label, got, want) do {					\
	enum mp_result got_ = (got), want_ = (want);				\
	if (got_ != want_)							\
		fprintf(stderr, "\n  %s: got %s, want %s\n", (label),		\
			mp_result_name(got_), mp_result_name(want_));		\
	CU_ASSERT(got_ == want_);						\
} while (0)

/* MP_CHECK_STR - assert two strings are equal, printing both on failure. */
#define MP_CHECK_STR(label, got, want) do {					\
	const char *gs_ = (got), *ws_ = (want);					\
	bool eq_ = gs_ != NULL && ws_ != NULL && strcmp(gs_, ws_) == 0;		\
	if (!eq_)								\
		fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n", (label),	\
			gs_ ? gs_ : "(null)", ws_ ? ws_ : "(null)");		\
	CU_ASSERT(eq_);								\
} while (0)

/*
 * mp_test_skip - report that a check could not run and why.  When the
 * environment sets MAILPASS_REQUIRE_TOOLS=1 (CI does) a skip is a failure.
 */
void mp_test_skip(const char *what, const char *why);

/* mp_test_have_tool - true when an executable named name is on PATH. */
bool mp_test_have_tool(const char *name);

/*
 * mp_test_capture - run a shell command, put its first output line (without
 * the newline) into out, return its exit status, or -1 when it could not run.
 */
int mp_test_capture(const char *command, char *out, size_t out_size);

/*
 * mp_test_tmpdir - create a fresh private directory under $TMPDIR (or /tmp)
 * and return its path, valid until the runner exits.
 * Everything made by mp_test_tmpdir() is removed when the runner exits.
 */
const char *mp_test_tmpdir(void);

/* mp_test_write_file - create or replace path with text and mode; false on error. */
bool mp_test_write_file(const char *path, const char *text, unsigned int mode);

/* mp_test_read_file - malloc'd NUL-terminated contents of path, or NULL. */
char *mp_test_read_file(const char *path);

#endif
