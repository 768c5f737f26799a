#ifndef MP_TEST_FIXTURE_TEXT_H
#define MP_TEST_FIXTURE_TEXT_H

/*
 * Text of an integration test's tables: @TOKEN@s that stand for values
 * only known when the test runs (a directory, an over-long name), and
 * counting what a log holds.
 */

#include <stddef.h>

/* One @TOKEN@ and what it stands for (NULL: nothing). */
struct mp_fixture_token {
	const char *token;
	const char *value;
};

/*
 * mp_fixture_expand - the len bytes of data with every token of tokens
 * replaced by its value, malloc'd and NUL-terminated (NULs inside data are
 * kept); the length in *len_r.  Aborts when out of memory.
 */
char *mp_fixture_expand(const char *data, size_t len, const struct mp_fixture_token *tokens,
			size_t n_tokens, size_t *len_r);

/* mp_fixture_count - how often needle stands in text, not overlapping; 0 for "". */
size_t mp_fixture_count(const char *text, const char *needle);

#endif
