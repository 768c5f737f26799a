/*
 * fuzz-stored.c - the stored-value parser and the verify dispatcher.
 *
 * Input: "STORED\nPASSWORD[\nUSER]".  mp_stored_parse() sees the whole
 * input as a stored value and then the STORED part; mp_scheme_verify()
 * checks PASSWORD against STORED with Argon2 ceilings clamped low here
 * (64 KiB, 2 passes, 2 lanes).  The crypt, PBKDF2 and SCRAM ceilings are
 * constants of the library and far too slow for fuzzing at their top, so
 * this harness (only) does not verify values whose decoded data asks for
 * more than a small cost; the parser still sees them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "scheme.h"

#define FUZZ_SHA_ROUNDS_MAX 5000	/* the SHA-crypt default */
#define FUZZ_BCRYPT_COST_MAX 5
#define FUZZ_ITER_MAX 20000		/* PBKDF2 rounds, SCRAM iterations */
#define FUZZ_YESCRYPT_PARAM_MAX 9	/* '7' in the crypt alphabet: N = 1024, r = 8 */

static const struct mp_verify_limits limits = {
	.argon2_max_opslimit = 2,
	.argon2_max_memlimit = 64 * 1024,
	.argon2_max_lanes = 2,
};

static const char crypt_alphabet[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const void *
find(const unsigned char *d, size_t len, const char *what)
{
	return memmem(d, len, what, strlen(what));
}

/* big_number - a run of decimal digits in d[0..len) above max. */
static bool
big_number(const unsigned char *d, size_t len, unsigned long max)
{
	size_t i = 0;

	while (i < len) {
		unsigned long v = 0;
		bool digits = false;

		while (i < len && d[i] >= '0' && d[i] <= '9') {
			digits = true;
			v = v * 10 + (unsigned long)(d[i] - '0');
			if (v > max)
				return true;
			i++;
		}
		if (!digits)
			i++;
	}
	return false;
}

static int
alphabet_index(unsigned char c)
{
	const char *p = c == '\0' ? NULL : strchr(crypt_alphabet, c);

	return p == NULL ? 99 : (int)(p - crypt_alphabet);
}

/* too_slow - true when verifying this decoded data could take long. */
static bool
too_slow(const unsigned char *d, size_t len)
{
	const unsigned char *p;

	if (find(d, len, "rounds=") != NULL &&
	    big_number(d, len, FUZZ_SHA_ROUNDS_MAX))
		return true;
	if ((p = find(d, len, "$2")) != NULL) {
		size_t off = (size_t)(p - d);

		if (off + 5 <= len && p[3] == '$') {
			int cost = (p[4] - '0') * 10 + (off + 5 < len ? p[5] - '0' : 0);

			if (cost > FUZZ_BCRYPT_COST_MAX)
				return true;
		}
	}
	if ((p = find(d, len, "$y$")) != NULL || (p = find(d, len, "$gy$")) != NULL) {
		const unsigned char *params = p + (p[1] == 'y' ? 3 : 4);
		size_t rest = len - (size_t)(params - d);
		const unsigned char *dollar = memchr(params, '$', rest);

		/* Only flavor + N + r, N and r small, and no optional fields. */
		if (dollar == NULL || dollar - params != 3 ||
		    alphabet_index(params[1]) > FUZZ_YESCRYPT_PARAM_MAX ||
		    alphabet_index(params[2]) > FUZZ_YESCRYPT_PARAM_MAX)
			return true;
	}
	return false;
}

static bool
iterated_scheme(const struct mp_scheme *scheme)
{
	const char *name = mp_scheme_canonical(scheme)->name;

	return strcmp(name, "PBKDF2") == 0 || strncmp(name, "SCRAM-", 6) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *nl, *reason = NULL;
	struct mp_stored parsed;
	struct mp_verify_request request;
	char *stored, *password, *user = NULL;
	size_t stored_len, rest_len, password_len;
	enum mp_result result;
	bool skip;

	/* The parser on everything, NUL and newline bytes included. */
	memset(&parsed, 0, sizeof(parsed));
	if (mp_stored_parse(in, size, &parsed, &reason) == MP_OK) {
		if (parsed.scheme == NULL || parsed.data == NULL ||
		    parsed.data[parsed.data_len] != '\0')
			abort();
		mp_stored_clear(&parsed);
	}

	nl = memchr(in, '\n', size);
	stored_len = nl == NULL ? size : (size_t)(nl - in);
	stored = strndup(in, stored_len);
	rest_len = nl == NULL ? 0 : size - stored_len - 1;
	password = malloc(rest_len + 1);
	if (stored == NULL || password == NULL)
		abort();
	memcpy(password, nl == NULL ? "" : nl + 1, rest_len);
	password[rest_len] = '\0';
	password_len = rest_len;
	nl = memchr(password, '\n', rest_len);
	if (nl != NULL) {
		password_len = (size_t)(nl - password);
		user = password + password_len + 1;
		password[password_len] = '\0';
	}

	/* Decide from the decoded data whether the value is cheap enough. */
	memset(&parsed, 0, sizeof(parsed));
	reason = NULL;
	result = mp_stored_parse(stored, strlen(stored), &parsed, &reason);
	skip = result != MP_OK ||
	       too_slow(parsed.data, parsed.data_len) ||
	       (iterated_scheme(parsed.scheme) &&
		big_number(parsed.data, parsed.data_len, FUZZ_ITER_MAX));
	if (result == MP_OK)
		mp_stored_clear(&parsed);

	if (!skip) {
		memset(&request, 0, sizeof(request));
		request.password = password;
		request.password_len = password_len;
		request.user = user;
		request.limits = &limits;
		reason = NULL;
		result = mp_scheme_verify(stored, &request, &reason);
		if (result != MP_OK && result != MP_MISMATCH && result != MP_MALFORMED &&
		    result != MP_INTERNAL)
			abort();
		if (reason == NULL)
			abort();	/* every outcome has a reason */
	}
	free(stored);
	free(password);
	return 0;
}
