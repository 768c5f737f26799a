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
void mp_test_register_crypto_lib(void);
void mp_test_register_encoding(void);
void mp_test_register_scheme(void);
void mp_test_register_scheme_legacy(void);
void mp_test_register_ceilings(void);
void mp_test_register_apop(void);
void mp_test_register_apop_secret(void);
void mp_test_register_file_safety(void);
void mp_test_register_conf(void);
void mp_test_register_entry(void);
void mp_test_register_store(void);
void mp_test_register_store_scan(void);
void mp_test_register_store_index(void);
void mp_test_register_store_stamp(void);
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

/* The account checks that must not run as root run as: nobody/nogroup on Debian. */
#define MP_TEST_UNPRIVILEGED_UID 65534
#define MP_TEST_UNPRIVILEGED_GID 65534

/* mp_test_is_root - the runner runs as root, so mp_test_unprivileged() forks. */
bool mp_test_is_root(void);

/*
 * mp_test_unprivileged_dir - a fresh directory like mp_test_tmpdir() that
 * MP_TEST_UNPRIVILEGED_UID owns and can reach when the runner is root (the
 * directories above it are made traversable, not readable, by others), or
 * just mp_test_tmpdir() when it is not.  NULL, after mp_test_skip(label,
 * why), when a directory above $TMPDIR keeps that account out.
 */
const char *mp_test_unprivileged_dir(const char *label);

/*
 * mp_test_unprivileged - run check(context) without root's powers over
 * files.  As root: in a child process that drops to
 * MP_TEST_UNPRIVILEGED_UID/GID (no supplementary groups) first, and whose
 * exit status tells the parent whether every CUnit assertion in check held;
 * the parent asserts that, printing label and the failed conditions.  Not
 * as root: check runs here, as the caller.  check must not use the _FATAL
 * assertions (in the child they would leave check), and what it changes in
 * memory stays in the child; files it makes are the unprivileged
 * account's.  The child is killed after timeout seconds.
 */
void mp_test_unprivileged(const char *label, void (*check)(void *context), void *context,
			  unsigned int timeout);

#endif
