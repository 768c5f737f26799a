/* fixture-text.c - @TOKEN@s in the text of a test's tables, and counting in a log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture-text.h"

char *
mp_fixture_expand(const char *data, size_t len, const struct mp_fixture_token *tokens,
		  size_t n_tokens, size_t *len_r)
{
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	f = open_memstream(&out, &out_len);
	if (f == NULL)
		abort();
	for (size_t i = 0; i < len;) {
		size_t t;

		for (t = 0; t < n_tokens; t++) {
			size_t token_len = strlen(tokens[t].token);

			if (len - i >= token_len && memcmp(data + i, tokens[t].token, token_len) == 0) {
				if (tokens[t].value != NULL)
					fputs(tokens[t].value, f);
				i += token_len;
				break;
			}
		}
		if (t == n_tokens)
			fputc(data[i++], f);
	}
	if (fclose(f) != 0)
		abort();
	*len_r = out_len;
	return out;
}

size_t
mp_fixture_count(const char *text, const char *needle)
{
	size_t n = 0, needle_len = strlen(needle);

	if (needle_len == 0)
		return 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += needle_len)
		n++;
	return n;
}
