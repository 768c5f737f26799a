/*
 * scheme-argon2.c - Argon2id and Argon2i through libsodium.
 *
 * Stored data is the PHC string libsodium, Dovecot and the argon2 command
 * write: $argon2id$v=19$m=65536,t=3,p=1$SALT$HASH.  The string is parsed
 * here first, with checked digits, so that a malformed value is MALFORMED
 * rather than a mismatch, and a value whose cost exceeds the configured
 * ceilings is refused without being computed.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "crypto-lib.h"
#include "scan.h"
#include "scheme-private.h"
#include "secret.h"

#define ARGON2_VERSION 19
#define ARGON2_SALT_MIN 8	/* bytes */
#define ARGON2_HASH_MIN 16	/* bytes */
#define ARGON2_MEM_MIN_KIB 8	/* per lane */

enum argon2_type { ARGON2_TYPE_I, ARGON2_TYPE_ID };

struct argon2_params {
	enum argon2_type type;
	uint32_t m_kib, t, p;
};

/* b64_run - length of the unpadded base64 run at p (the PHC strings carry no '='). */
static size_t
b64_run(const char *p, const char *end)
{
	const char *s = p;

	while (s < end && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			   (*s >= '0' && *s <= '9') || *s == '+' || *s == '/'))
		s++;
	return (size_t)(s - p);
}

/* b64_value - the 6 bits base64 character c stands for (c is one). */
static unsigned int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned int)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned int)(c - 'a') + 26;
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0') + 52;
	return c == '+' ? 62 : 63;
}

/*
 * b64_bytes - bytes encoded by the n unpadded base64 characters at p; 0 for
 * an impossible n, or a last character with bits set beyond the last byte,
 * which libsodium refuses: such a string would parse here and then match
 * no password at all.
 */
static size_t
b64_bytes(const char *p, size_t n)
{
	static const unsigned int unused_bits[4] = { 0, 0, 0xf, 0x3 };

	if (n % 4 == 1 || (n > 0 && (b64_value(p[n - 1]) & unused_bits[n % 4]) != 0))
		return 0;
	return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

static enum mp_result
argon2_parse(const unsigned char *data, size_t data_len, struct argon2_params *params_r,
	     const char **reason_r)
{
	const char *p = (const char *)data, *end = p + data_len;
	uint32_t version;
	size_t run;

	if (mp_scan_literal(&p, end, "$argon2id$"))
		params_r->type = ARGON2_TYPE_ID;
	else if (mp_scan_literal(&p, end, "$argon2i$"))
		params_r->type = ARGON2_TYPE_I;
	else {
		*reason_r = "not an Argon2i or Argon2id string";
		return MP_MALFORMED;
	}
	if (!mp_scan_literal(&p, end, "v=") || !mp_scan_u32(&p, end, &version) || !mp_scan_literal(&p, end, "$")) {
		*reason_r = "Argon2 string lacks a valid v= field";
		return MP_MALFORMED;
	}
	if (version != ARGON2_VERSION) {
		*reason_r = "unsupported Argon2 version (only v=19)";
		return MP_MALFORMED;
	}
	if (!mp_scan_literal(&p, end, "m=") || !mp_scan_u32(&p, end, &params_r->m_kib) ||
	    !mp_scan_literal(&p, end, ",t=") || !mp_scan_u32(&p, end, &params_r->t) ||
	    !mp_scan_literal(&p, end, ",p=") || !mp_scan_u32(&p, end, &params_r->p) ||
	    !mp_scan_literal(&p, end, "$")) {
		*reason_r = "Argon2 string has malformed m=,t=,p= parameters";
		return MP_MALFORMED;
	}
	run = b64_run(p, end);
	p += run;
	if (b64_bytes(p - run, run) < ARGON2_SALT_MIN || !mp_scan_literal(&p, end, "$")) {
		*reason_r = "Argon2 string has a malformed or short salt";
		return MP_MALFORMED;
	}
	run = b64_run(p, end);
	if (b64_bytes(p, run) < ARGON2_HASH_MIN || p + run != end) {
		*reason_r = "Argon2 string has a malformed or short hash";
		return MP_MALFORMED;
	}
	if (params_r->t < 1 || params_r->p < 1 ||
	    params_r->m_kib < ARGON2_MEM_MIN_KIB * (uint64_t)params_r->p) {
		*reason_r = "Argon2 parameters below the algorithm's minimum";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/* or_default - a ceiling, or its built-in default when the caller left it 0. */
static uint64_t
or_default(uint64_t value, uint64_t fallback)
{
	return value != 0 ? value : fallback;
}

static enum mp_result
argon2_check_limits(const struct argon2_params *params, const struct mp_verify_limits *limits,
		    const char **reason_r)
{
	static const struct mp_verify_limits none;

	if (limits == NULL)
		limits = &none;
	if ((uint64_t)params->m_kib * 1024 >
	    or_default(limits->argon2_max_memlimit, MP_ARGON2_MAX_MEMLIMIT_DEFAULT)) {
		*reason_r = "Argon2 memory cost above argon2_max_memlimit; not computed";
		return MP_MALFORMED;
	}
	if (params->t > or_default(limits->argon2_max_opslimit, MP_ARGON2_MAX_OPSLIMIT_DEFAULT)) {
		*reason_r = "Argon2 time cost above argon2_max_opslimit; not computed";
		return MP_MALFORMED;
	}
	if (params->p > or_default(limits->argon2_max_lanes, MP_ARGON2_MAX_LANES_DEFAULT)) {
		*reason_r = "Argon2 parallelism above the limit; not computed";
		return MP_MALFORMED;
	}
	return MP_OK;
}

enum mp_result
mp_argon2_verify(const struct mp_verify_request *request, const unsigned char *data,
		 size_t data_len, const char **reason_r)
{
	const struct mp_sodium *sodium;
	struct argon2_params params;
	enum mp_result result;

	/* data is NUL-terminated by mp_decode(); a NUL inside is malformed. */
	if (strlen((const char *)data) != data_len) {
		*reason_r = "Argon2 string contains a NUL byte";
		return MP_MALFORMED;
	}
	result = argon2_parse(data, data_len, &params, reason_r);
	if (result != MP_OK)
		return result;
	result = argon2_check_limits(&params, request->limits, reason_r);
	if (result != MP_OK || request->check_only)
		return result;
	sodium = mp_sodium_load(reason_r);
	if (sodium == NULL)
		return MP_INTERNAL;

	/*
	 * libsodium reports a failed allocation as a mismatch (errno EINVAL),
	 * so running out of memory here fails closed as MP_MISMATCH.
	 */
	if (sodium->crypto_pwhash_str_verify((const char *)data, request->password,
					     request->password_len) == 0)
		return MP_OK;
	*reason_r = "password mismatch";
	return MP_MISMATCH;
}

static enum mp_result
argon2_generate(int alg, const char *password, size_t password_len,
		const struct mp_hash_params *params, unsigned char **data_r,
		size_t *data_len_r, const char **reason_r)
{
	char out[crypto_pwhash_STRBYTES];
	const struct mp_sodium *sodium;

	*data_r = NULL;
	*data_len_r = 0;
	sodium = mp_sodium_load(reason_r);
	if (sodium == NULL)
		return MP_INTERNAL;
	if (sodium->crypto_pwhash_str_alg(out, password, password_len, params->argon2_opslimit,
					  params->argon2_memlimit, alg) != 0) {
		*reason_r = errno == ENOMEM ? "out of memory computing Argon2" :
			"Argon2 parameters out of range";
		return errno == ENOMEM ? MP_INTERNAL : MP_MALFORMED;
	}
	*data_len_r = strlen(out);
	*data_r = (unsigned char *)mp_secret_dup(out, *data_len_r);
	mp_wipe(out, sizeof(out));
	if (*data_r == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	return MP_OK;
}

enum mp_result
mp_argon2id_generate(const char *password, size_t password_len,
		     const struct mp_hash_params *params, unsigned char **data_r,
		     size_t *data_len_r, const char **reason_r)
{
	return argon2_generate(crypto_pwhash_ALG_ARGON2ID13, password, password_len, params,
			       data_r, data_len_r, reason_r);
}

enum mp_result
mp_argon2i_generate(const char *password, size_t password_len,
		    const struct mp_hash_params *params, unsigned char **data_r,
		    size_t *data_len_r, const char **reason_r)
{
	return argon2_generate(crypto_pwhash_ALG_ARGON2I13, password, password_len, params,
			       data_r, data_len_r, reason_r);
}

/* target_type - the Argon2 type target generates; false for any other scheme. */
static bool
target_type(const struct mp_scheme *target, enum argon2_type *type_r)
{
	if (target->generate == mp_argon2id_generate)
		*type_r = ARGON2_TYPE_ID;
	else if (target->generate == mp_argon2i_generate)
		*type_r = ARGON2_TYPE_I;
	else
		return false;
	return true;
}

bool
mp_argon2_needs_rehash(const unsigned char *data, size_t data_len,
		       const struct mp_scheme *target, const struct mp_hash_params *params)
{
	struct argon2_params stored;
	enum argon2_type type;
	const char *reason;
	uint64_t m_kib;

	if (!target_type(target, &type))
		return false;	/* Argon2 is never replaced by another family */
	if (argon2_parse(data, data_len, &stored, &reason) != MP_OK)
		return false;
	m_kib = params->argon2_memlimit / 1024;
	/* Only upgrades: never Argon2id to Argon2i, never a lower cost. */
	if ((stored.type == ARGON2_TYPE_ID && type == ARGON2_TYPE_I) ||
	    m_kib < stored.m_kib || params->argon2_opslimit < stored.t)
		return false;
	return stored.type != type || m_kib != stored.m_kib ||
		params->argon2_opslimit != stored.t || stored.p != 1;
}
