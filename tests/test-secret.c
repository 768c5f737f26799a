/* test-secret.c - constant-time comparison and wiping helpers. */
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "unit.h"

static void
test_secret_equal(void)
{
	static const struct {
		const char *label, *a, *b;
		size_t a_len, b_len;
		bool want;
	} rows[] = {
		{ "same", "secret", "secret", 6, 6, true },
		{ "last byte differs", "secret", "secreT", 6, 6, false },
		{ "prefix", "secret", "secret", 6, 5, false },
		{ "both empty", "", "", 0, 0, true },
		{ "one empty", "", "x", 0, 1, false },
		{ "embedded NUL counts", "a\0b", "a\0c", 3, 3, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = mp_secret_equal(rows[i].a, rows[i].a_len, rows[i].b, rows[i].b_len);

		if (got != rows[i].want)
			fprintf(stderr, "\n  %s: got %d, want %d\n", rows[i].label, got,
				rows[i].want);
		CU_ASSERT(got == rows[i].want);
	}
}

/* Lengths differing is an answer at once; equal lengths are compared in full. */
static void
test_public_length_equal(void)
{
	static const struct {
		const char *label, *a, *b;
		size_t a_len, b_len;
		bool want;
	} rows[] = {
		{ "same", "$1$salt$hash", "$1$salt$hash", 12, 12, true },
		{ "first byte differs", "xbcdef", "abcdef", 6, 6, false },
		{ "last byte differs", "abcdef", "abcdeF", 6, 6, false },
		{ "one bit differs", "abcdef", "abcdeg", 6, 6, false },
		{ "longer", "abcdef", "abcdefg", 6, 7, false },
		{ "shorter", "abcdef", "abcde", 6, 5, false },
		{ "both empty", "", "", 0, 0, true },
		{ "one empty", "", "a", 0, 1, false },
		{ "embedded NUL counts", "a\0b", "a\0c", 3, 3, false },
		{ "bytes after the length do not count", "abcX", "abcY", 3, 3, true },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = mp_public_length_equal(rows[i].a, rows[i].a_len, rows[i].b,
						  rows[i].b_len);

		if (got != rows[i].want)
			fprintf(stderr, "\n  %s: got %d, want %d\n", rows[i].label, got,
				rows[i].want);
		CU_ASSERT(got == rows[i].want);
	}
}

static void
test_secret_dup_and_free(void)
{
	char *copy = mp_secret_dup("pa\0ss", 5);

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT(memcmp(copy, "pa\0ss", 5) == 0);
	CU_ASSERT(copy[5] == '\0');
	mp_secret_free(&copy, 5);
	CU_ASSERT_PTR_NULL(copy);
	mp_secret_free(&copy, 5);	/* NULL is fine */

	copy = mp_secret_dup("hunter2", 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	mp_secret_free_str(&copy);
	CU_ASSERT_PTR_NULL(copy);
}

void
mp_test_register_secret(void)
{
	CU_pSuite suite = CU_add_suite("secret", NULL, NULL);

	CU_add_test(suite, "constant-time equality", test_secret_equal);
	CU_add_test(suite, "public-length equality", test_public_length_equal);
	CU_add_test(suite, "dup and free", test_secret_dup_and_free);
}
