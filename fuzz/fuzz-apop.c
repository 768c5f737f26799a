/*
 * fuzz-apop.c - APOP input.
 *
 * The input is split at the first two '\n' bytes into timestamp, digest
 * and secret (missing parts are empty).  mp_apop_check() must return one of
 * its documented results; the correct digest of mp_apop_digest() must be
 * accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apop.h"
#include "result.h"

static void
split(const char **p, size_t *len, const char **part_r, size_t *part_len_r)
{
	const char *nl = memchr(*p, '\n', *len);

	*part_r = *p;
	if (nl == NULL) {
		*part_len_r = *len;
		*p += *len;
		*len = 0;
	} else {
		*part_len_r = (size_t)(nl - *p);
		*len -= *part_len_r + 1;
		*p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *ts, *digest, *secret;
	size_t len = size, ts_len, digest_len, secret_len;
	const char *reason = NULL;
	char *ts_copy, *digest_copy;
	unsigned char *secret_copy;
	enum mp_result result;

	split(&p, &len, &ts, &ts_len);
	split(&p, &len, &digest, &digest_len);
	secret = p;
	secret_len = len;

	/* Exact-size heap copies so that ASan sees any read past a part. */
	ts_copy = malloc(ts_len + 1);
	digest_copy = malloc(digest_len + 1);
	secret_copy = malloc(secret_len + 1);
	if (ts_copy == NULL || digest_copy == NULL || secret_copy == NULL)
		abort();
	memcpy(ts_copy, ts, ts_len);
	memcpy(digest_copy, digest, digest_len);
	memcpy(secret_copy, secret, secret_len);

	result = mp_apop_check(ts_copy, ts_len, digest_copy, digest_len, secret_copy,
			       secret_len, &reason);
	if (result != MP_OK && result != MP_MISMATCH && result != MP_MALFORMED)
		abort();

	{
		char good[MP_APOP_DIGEST_HEX_LEN + 1];

		mp_apop_digest(ts_copy, ts_len, secret_copy, secret_len, good);
		reason = NULL;
		result = mp_apop_check(ts_copy, ts_len, good, strlen(good), secret_copy,
				       secret_len, &reason);
		if (result != MP_OK && result != MP_MALFORMED)
			abort();	/* the right digest was refused as a mismatch */
	}
	free(ts_copy);
	free(digest_copy);
	free(secret_copy);
	return 0;
}
