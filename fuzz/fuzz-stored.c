/*
 * fuzz-stored.c - the stored-value parser and the verify dispatcher.
 *
 * Input: "STORED\nPASSWORD[\nUSER]".  mp_stored_parse() sees the whole
 * input as a stored value and then the STORED part; mp_scheme_verify()
 * checks PASSWORD against STORED under ceilings set low here, so that no
 * input costs more than a few milliseconds: Argon2 64 KiB, 2 passes and
 * 2 lanes; SHA-crypt 5000 rounds (its default); bcrypt cost 5; 1 MiB of
 * yescrypt memory; 20,000 PBKDF2 and SCRAM iterations.  Values above them
 * take the library's own refusal path, which is fuzzed with the rest.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "scheme.h"

static const struct mp_verify_limits limits = {
	.argon2_max_opslimit = 2,
	.argon2_max_memlimit = 64 * 1024,
	.argon2_max_lanes = 2,
	.crypt_max_rounds = 5000,
	.bcrypt_max_cost = 5,
	.yescrypt_max_memlimit = 1024 * 1024,
	.pbkdf2_max_iterations = 20000,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *nl, *reason = NULL;
	struct mp_stored parsed;
	struct mp_verify_request request;
	char *stored, *password, *user = NULL;
	size_t stored_len, rest_len, password_len;
	enum mp_result result;

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
	free(stored);
	free(password);
	return 0;
}
