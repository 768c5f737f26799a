/* scheme.c - stored-value parsing and the verify/hash dispatch over the scheme table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mp-limits.h"
#include "scheme-private.h"
#include "secret.h"

/* Longest "NAME.ENCODING" between the braces. */
#define SCHEME_NAME_MAX 64

const struct mp_scheme *
mp_scheme_find(const char *name)
{
	const struct mp_scheme *table;
	size_t count;

	table = mp_scheme_table(&count);
	for (size_t i = 0; i < count; i++) {
		if (strcasecmp(table[i].name, name) == 0)
			return &table[i];
	}
	return NULL;
}

const struct mp_scheme *
mp_scheme_canonical(const struct mp_scheme *scheme)
{
	const struct mp_scheme *canonical;

	if (scheme == NULL || scheme->alias_of == NULL)
		return scheme;
	canonical = mp_scheme_find(scheme->alias_of);
	return canonical != NULL ? canonical : scheme;
}

/* parse_braced - "{NAME[.ENC]}" at the start of stored; sets the row, encoding and data offset. */
static enum mp_result
parse_braced(const char *stored, size_t len, const struct mp_scheme **scheme_r,
	     enum mp_encoding *encoding_r, size_t *data_offset_r, const char **reason_r)
{
	char name[SCHEME_NAME_MAX + 1];
	const char *close, *dot;
	size_t name_len;

	close = memchr(stored, '}', len);
	if (close == NULL) {
		*reason_r = "stored value has '{' but no '}'";
		return MP_MALFORMED;
	}
	name_len = (size_t)(close - stored) - 1;
	if (name_len == 0 || name_len > SCHEME_NAME_MAX) {
		*reason_r = "stored value has an empty or overlong {SCHEME}";
		return MP_MALFORMED;
	}
	memcpy(name, stored + 1, name_len);
	name[name_len] = '\0';

	dot = strchr(name, '.');
	if (dot == NULL) {
		*encoding_r = (enum mp_encoding)-1;
	} else if (strcasecmp(dot + 1, "b64") == 0 || strcasecmp(dot + 1, "base64") == 0) {
		*encoding_r = MP_ENCODING_BASE64;
	} else if (strcasecmp(dot + 1, "hex") == 0) {
		*encoding_r = MP_ENCODING_HEX;
	} else {
		*reason_r = "unknown encoding suffix in {SCHEME.ENCODING}";
		return MP_MALFORMED;
	}
	if (dot != NULL)
		name[dot - name] = '\0';

	*scheme_r = mp_scheme_find(name);
	if (*scheme_r == NULL) {
		*reason_r = "unknown password scheme";
		return MP_MALFORMED;
	}
	if (*encoding_r == (enum mp_encoding)-1)
		*encoding_r = (*scheme_r)->default_encoding;
	*data_offset_r = name_len + 2;
	return MP_OK;
}

/* parse_bare - a crypt-style string recognised by its prefix. */
static enum mp_result
parse_bare(const char *stored, size_t len, const struct mp_scheme **scheme_r,
	   const char **reason_r)
{
	const struct mp_bare_prefix *prefixes;
	size_t count;

	prefixes = mp_scheme_bare_prefixes(&count);
	for (size_t i = 0; i < count; i++) {
		size_t prefix_len = strlen(prefixes[i].prefix);

		if (len >= prefix_len && memcmp(stored, prefixes[i].prefix, prefix_len) == 0) {
			*scheme_r = mp_scheme_find(prefixes[i].scheme);
			if (*scheme_r == NULL) {
				*reason_r = "bare prefix names a missing scheme";
				return MP_INTERNAL;
			}
			return MP_OK;
		}
	}
	/* A traditional DES crypt string has no prefix, only its shape. */
	if (mp_crypt_is_des(stored, len)) {
		*scheme_r = mp_scheme_find("DES-CRYPT");
		if (*scheme_r == NULL) {
			*reason_r = "bare DES string but no DES-CRYPT scheme";
			return MP_INTERNAL;
		}
		return MP_OK;
	}
	*reason_r = "stored value has no {SCHEME} prefix and no known crypt prefix";
	return MP_MALFORMED;
}

enum mp_result
mp_stored_parse(const char *stored, size_t len, struct mp_stored *stored_r,
		const char **reason_r)
{
	const struct mp_scheme *scheme = NULL;
	enum mp_encoding encoding = MP_ENCODING_NONE;
	size_t offset = 0;
	enum mp_result result;

	memset(stored_r, 0, sizeof(*stored_r));
	if (len == 0) {
		*reason_r = "stored value is empty";
		return MP_MALFORMED;
	}
	if (len > MP_STORED_MAX) {
		*reason_r = "stored value is longer than the limit";
		return MP_MALFORMED;
	}
	if (memchr(stored, '\0', len) != NULL) {
		*reason_r = "stored value contains a NUL byte";
		return MP_MALFORMED;
	}
	if (stored[0] == '{')
		result = parse_braced(stored, len, &scheme, &encoding, &offset, reason_r);
	else
		result = parse_bare(stored, len, &scheme, reason_r);
	if (result != MP_OK)
		return result;

	result = mp_decode(encoding, stored + offset, len - offset,
			   &stored_r->data, &stored_r->data_len, reason_r);
	if (result != MP_OK)
		return result;
	stored_r->scheme = scheme;
	return MP_OK;
}

void
mp_stored_clear(struct mp_stored *stored)
{
	/* data_len + 1 covers the terminating NUL that mp_decode() adds. */
	if (stored->data != NULL)
		mp_secret_free(&stored->data, stored->data_len + 1);
	stored->data_len = 0;
	stored->scheme = NULL;
}

enum mp_result
mp_scheme_verify(const char *stored, const struct mp_verify_request *request,
		 const char **reason_r)
{
	struct mp_stored parsed;
	enum mp_result result;

	result = mp_stored_parse(stored, strlen(stored), &parsed, reason_r);
	if (result != MP_OK)
		return result;
	result = parsed.scheme->verify(request, parsed.data, parsed.data_len, reason_r);
	if (result == MP_OK)
		*reason_r = "password accepted";
	else if (result == MP_MISMATCH)
		*reason_r = "password mismatch";
	mp_stored_clear(&parsed);
	return result;
}

enum mp_result
mp_scheme_check(const char *stored, const char *user, const struct mp_verify_limits *limits,
		const char **reason_r)
{
	static const char dummy[] = "mailpass-check";
	struct mp_verify_request request = {
		.password = dummy,
		.password_len = sizeof(dummy) - 1,
		.user = user,
		.limits = limits,
		.check_only = true,
	};
	enum mp_result result;

	result = mp_scheme_verify(stored, &request, reason_r);
	/* A cheap scheme compared the dummy password: the value is usable. */
	if (result == MP_MISMATCH || result == MP_OK) {
		*reason_r = "stored value is usable";
		return MP_OK;
	}
	return result;
}

enum mp_result
mp_scheme_hash(const struct mp_scheme *scheme, const char *password, size_t password_len,
	       const struct mp_hash_params *params, char **stored_r, const char **reason_r)
{
	unsigned char *data = NULL;
	size_t data_len = 0;
	char *encoded = NULL, *stored = NULL;
	size_t stored_size;
	enum mp_result result;

	*stored_r = NULL;
	scheme = mp_scheme_canonical(scheme);
	if (scheme->generate == NULL) {
		*reason_r = "this scheme cannot generate hashes";
		return MP_MALFORMED;
	}
	result = scheme->generate(password, password_len, params, &data, &data_len, reason_r);
	if (result != MP_OK)
		return result;

	result = MP_INTERNAL;
	*reason_r = "out of memory";
	encoded = mp_encode(scheme->default_encoding, data, data_len);
	if (encoded == NULL)
		goto out;
	stored_size = strlen(scheme->name) + strlen(encoded) + 3;
	stored = malloc(stored_size);
	if (stored == NULL)
		goto out;
	snprintf(stored, stored_size, "{%s}%s", scheme->name, encoded);
	*stored_r = stored;
	*reason_r = "";
	result = MP_OK;
out:
	mp_secret_free(&data, data_len);
	mp_secret_free_str(&encoded);
	return result;
}

void
mp_scheme_dummy_verify(const struct mp_scheme *scheme, const struct mp_hash_params *params,
		       const char *password, size_t password_len)
{
	unsigned char *data = NULL;
	size_t data_len = 0;
	const char *reason;

	/*
	 * Generating costs what verifying costs for every scheme whose cost
	 * matters (the work factor is the same), so spend one generation and
	 * throw the result away.
	 */
	scheme = mp_scheme_canonical(scheme);
	if (scheme == NULL || scheme->generate == NULL)
		return;
	if (scheme->generate(password, password_len, params, &data, &data_len, &reason) == MP_OK)
		mp_secret_free(&data, data_len);
}

bool
mp_scheme_needs_rehash(const char *stored, size_t password_len,
		       const struct mp_scheme *target, const struct mp_hash_params *params)
{
	struct mp_stored parsed;
	const char *reason;
	bool rehash;

	target = mp_scheme_canonical(target);
	if (target == NULL || target->weak || target->generate == NULL)
		return false;	/* never rewrite towards a weak scheme */
	if (mp_stored_parse(stored, strlen(stored), &parsed, &reason) != MP_OK)
		return false;	/* only a value that verified may be replaced */
	if (parsed.scheme->checked_len != NULL &&
	    password_len > parsed.scheme->checked_len(parsed.data, parsed.data_len))
		rehash = false;	/* only a prefix of the password was checked */
	else if (parsed.scheme->weak)
		rehash = true;
	else if (parsed.scheme->needs_rehash != NULL)
		rehash = parsed.scheme->needs_rehash(parsed.data, parsed.data_len, target, params);
	else
		rehash = mp_scheme_canonical(parsed.scheme) != target;
	mp_stored_clear(&parsed);
	return rehash;
}
