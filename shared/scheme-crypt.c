/*
 * scheme-crypt.c - crypt(3) strings: SHA512-CRYPT, SHA256-CRYPT, MD5-CRYPT,
 * BLF-CRYPT, DES-CRYPT and CRYPT, and the bare strings of /etc/shadow and
 * htpasswd.
 *
 * A crypt string names its own algorithm, so, as in Dovecot, every one of
 * these rows verifies any crypt string: a "{SHA512-CRYPT}$1$..." that
 * Dovecot accepts keeps working here.  The string is parsed first, with
 * checked digits: a string of a shape no tool writes is MALFORMED, and one
 * whose cost is above the request's ceilings (crypt_max_rounds,
 * bcrypt_max_cost, yescrypt_max_memlimit) is refused without being
 * computed, so that a poisoned store cannot make one login spend minutes or
 * a gigabyte.  MD5-crypt ("$1$", "$apr1$") and DES have a fixed cost, with
 * nothing to bound.  Only the families whose cost is checked here are
 * computed; scrypt ("$7$"), BSDI ("_"), SunMD5 ("$md5"), "$sha1$" and NT
 * ("$3$") strings are MALFORMED.
 *
 * libcrypt computes everything (crypt_rn, which is thread-safe) except
 * Apache's "$apr1$", which it lacks: that is MD5-crypt with another magic
 * string, composed here from Nettle's MD5 (the only reason this file loads
 * Nettle).  The computed string is compared with the stored one by
 * mp_public_length_equal(): both lengths follow from the stored string's
 * format, never from the password, and that comparison needs no library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>

#include "crypto-lib.h"
#include "scan.h"
#include "scheme-private.h"
#include "secret.h"

/* The algorithms' own minimums; the ceilings come with the request. */
#define SHA_CRYPT_ROUNDS_MIN 1000	/* libcrypt raises anything lower to this */
#define SHA_CRYPT_ROUNDS_DEFAULT 5000	/* a string without rounds= */
#define BCRYPT_COST_MIN 4		/* libcrypt's minimum */

#define DES_LEN 13			/* 2 salt + 11 hash characters */
#define MD5_SALT_MAX 8
#define MD5_HASH_LEN 22
#define SHA_SALT_MAX 16
#define SHA256_HASH_LEN 43
#define SHA512_HASH_LEN 86
#define BCRYPT_TAIL_LEN 53		/* 22 salt + 31 hash characters */
#define YESCRYPT_HASH_LEN 43

#define APR1_MAGIC "$apr1$"
#define APR1_ROUNDS 1000
/* "$apr1$" + salt + "$" + hash */
#define APR1_OUT_MAX (sizeof(APR1_MAGIC) - 1 + MD5_SALT_MAX + 1 + MD5_HASH_LEN)

enum crypt_family {
	CRYPT_FAMILY_DES,
	CRYPT_FAMILY_MD5,
	CRYPT_FAMILY_APR1,
	CRYPT_FAMILY_SHA,
	CRYPT_FAMILY_BCRYPT,
	CRYPT_FAMILY_YESCRYPT,
};

/* The ceilings of one verification, zeros and a NULL replaced by the defaults. */
struct crypt_ceilings {
	unsigned long long sha_rounds;
	unsigned int bcrypt_cost;
	uint64_t yescrypt_memlimit;
};

static void
crypt_ceilings(const struct mp_verify_limits *limits, struct crypt_ceilings *ceilings_r)
{
	ceilings_r->sha_rounds = MP_CRYPT_MAX_ROUNDS_DEFAULT;
	ceilings_r->bcrypt_cost = MP_BCRYPT_MAX_COST_DEFAULT;
	ceilings_r->yescrypt_memlimit = MP_YESCRYPT_MAX_MEMLIMIT_DEFAULT;
	if (limits == NULL)
		return;
	if (limits->crypt_max_rounds != 0)
		ceilings_r->sha_rounds = limits->crypt_max_rounds;
	if (limits->bcrypt_max_cost != 0)
		ceilings_r->bcrypt_cost = limits->bcrypt_max_cost;
	if (limits->yescrypt_max_memlimit != 0)
		ceilings_r->yescrypt_memlimit = limits->yescrypt_max_memlimit;
}

static const char crypt_alphabet[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* alphabet_value - the index of c in the crypt alphabet, or -1. */
static int
alphabet_value(unsigned char c)
{
	if (c == '.' || c == '/')
		return c - '.';
	if (c >= '0' && c <= '9')
		return c - '0' + 2;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 12;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 38;
	return -1;
}

/* alphabet_run - length of the run of crypt-alphabet characters at p. */
static size_t
alphabet_run(const char *p, const char *end)
{
	const char *s = p;

	while (s < end && alphabet_value((unsigned char)*s) >= 0)
		s++;
	return (size_t)(s - p);
}

/* field_run - length of the field at p, up to the next '$' or the end. */
static size_t
field_run(const char *p, const char *end)
{
	const char *dollar = memchr(p, '$', (size_t)(end - p));

	return (size_t)((dollar != NULL ? dollar : end) - p);
}

/* check_hash_tail - exactly len crypt-alphabet characters from p to end. */
static bool
check_hash_tail(const char *p, const char *end, size_t len)
{
	return (size_t)(end - p) == len && alphabet_run(p, end) == len;
}

bool
mp_crypt_is_des(const char *s, size_t len)
{
	return len == DES_LEN && alphabet_run(s, s + len) == DES_LEN;
}

/* The bytes of a password that DES and bcrypt use; they ignore the rest. */
#define DES_KEY_BYTES 8
#define BCRYPT_KEY_BYTES 72

size_t
mp_crypt_checked_len(const unsigned char *data, size_t data_len)
{
	const char *s = (const char *)data, *p = s, *end = s + data_len;

	if (mp_crypt_is_des(s, data_len))
		return DES_KEY_BYTES;
	if (mp_scan_literal(&p, end, "$2a$") || mp_scan_literal(&p, end, "$2b$") ||
	    mp_scan_literal(&p, end, "$2x$") || mp_scan_literal(&p, end, "$2y$"))
		return BCRYPT_KEY_BYTES;
	return SIZE_MAX;
}

/* check_md5 - "salt$hash" after "$1$" or "$apr1$". */
static enum mp_result
check_md5(const char *p, const char *end, const char **reason_r)
{
	size_t salt = field_run(p, end);

	if (salt > MD5_SALT_MAX || p + salt == end) {
		*reason_r = "MD5-crypt string has a malformed salt";
		return MP_MALFORMED;
	}
	if (!check_hash_tail(p + salt + 1, end, MD5_HASH_LEN)) {
		*reason_r = "MD5-crypt string has a malformed hash";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/* check_sha - "[rounds=N$]salt$hash" after "$5$" or "$6$", rounds within max_rounds. */
static enum mp_result
check_sha(const char *p, const char *end, size_t hash_len, unsigned long long max_rounds,
	  const char **reason_r)
{
	uint32_t rounds = SHA_CRYPT_ROUNDS_DEFAULT;
	size_t salt;

	if (mp_scan_literal(&p, end, "rounds=")) {
		if (!mp_scan_u32(&p, end, &rounds) || !mp_scan_literal(&p, end, "$")) {
			*reason_r = "SHA-crypt string has a malformed rounds= field";
			return MP_MALFORMED;
		}
		if (rounds < SHA_CRYPT_ROUNDS_MIN) {
			*reason_r = "SHA-crypt rounds below the algorithm's minimum";
			return MP_MALFORMED;
		}
	}
	/* Without rounds= the string costs 5000, and the ceiling holds for it too. */
	if (rounds > max_rounds) {
		*reason_r = "SHA-crypt rounds above crypt_max_rounds; not computed";
		return MP_MALFORMED;
	}
	salt = field_run(p, end);
	if (salt > SHA_SALT_MAX || p + salt == end) {
		*reason_r = "SHA-crypt string has a malformed salt";
		return MP_MALFORMED;
	}
	if (!check_hash_tail(p + salt + 1, end, hash_len)) {
		*reason_r = "SHA-crypt string has a malformed hash";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/*
 * check_bcrypt - "NN$" and 53 characters after "$2a$", "$2b$", "$2x$" or
 * "$2y$", the cost within max_cost.
 */
static enum mp_result
check_bcrypt(const char *p, const char *end, unsigned int max_cost, const char **reason_r)
{
	unsigned int cost;

	if (end - p < 3 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' ||
	    p[2] != '$') {
		*reason_r = "bcrypt string has a malformed cost";
		return MP_MALFORMED;
	}
	cost = (unsigned int)(p[0] - '0') * 10 + (unsigned int)(p[1] - '0');
	if (cost < BCRYPT_COST_MIN) {
		*reason_r = "bcrypt cost below the algorithm's minimum";
		return MP_MALFORMED;
	}
	if (cost > max_cost) {
		*reason_r = "bcrypt cost above bcrypt_max_cost; not computed";
		return MP_MALFORMED;
	}
	if (!check_hash_tail(p + 3, end, BCRYPT_TAIL_LEN)) {
		*reason_r = "bcrypt string has a malformed salt or hash";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/*
 * yescrypt_uint - one variable-length number of a yescrypt parameter string:
 * the first character's value says how many characters follow, smaller
 * values taking fewer (libxcrypt's encoding).  min is added to the value.
 */
static bool
yescrypt_uint(const char **p, const char *end, uint32_t min, uint64_t *value_r)
{
	const char *s = *p;
	uint32_t start = 0, last = 47, chars = 1, bits = 0;
	uint64_t value = min;
	int c;

	if (s == end || (c = alphabet_value((unsigned char)*s++)) < 0)
		return false;
	while ((uint32_t)c > last) {
		value += (uint64_t)(last + 1 - start) << bits;
		start = last + 1;
		last = start + (62 - last) / 2;
		chars++;
		bits += 6;
	}
	value += (uint64_t)((uint32_t)c - start) << bits;
	while (--chars > 0) {
		if (s == end || (c = alphabet_value((unsigned char)*s++)) < 0)
			return false;
		bits -= 6;
		value += (uint64_t)c << bits;
	}
	if (value > UINT32_MAX)
		return false;
	*value_r = value;
	*p = s;
	return true;
}

/* mul_capped - a * b, or cap + 1 when the product exceeds cap. */
static uint64_t
mul_capped(uint64_t a, uint64_t b, uint64_t cap)
{
	if (a != 0 && b > cap / a)
		return cap + 1;
	return a * b;
}

/*
 * check_yescrypt - "params$salt$hash" after "$y$" or "$gy$", the memory its
 * parameters walk within max_memlimit bytes.
 */
static enum mp_result
check_yescrypt(const char *p, const char *end, uint64_t max_memlimit, const char **reason_r)
{
	uint64_t flavor, n_log2, r, have = 0, lanes = 1, t = 0, work;
	size_t salt;

	if (!yescrypt_uint(&p, end, 0, &flavor) || !yescrypt_uint(&p, end, 1, &n_log2) ||
	    !yescrypt_uint(&p, end, 1, &r)) {
		*reason_r = "yescrypt string has malformed parameters";
		return MP_MALFORMED;
	}
	if (p < end && *p != '$') {
		if (!yescrypt_uint(&p, end, 1, &have) ||
		    ((have & 1) != 0 && !yescrypt_uint(&p, end, 2, &lanes)) ||
		    ((have & 2) != 0 && !yescrypt_uint(&p, end, 1, &t))) {
			*reason_r = "yescrypt string has malformed parameters";
			return MP_MALFORMED;
		}
		if ((have & ~(uint64_t)3) != 0) {
			/* Upgrades (g) and ROMs: libcrypt never writes them. */
			*reason_r = "yescrypt string uses unsupported parameters";
			return MP_MALFORMED;
		}
	}
	if (!mp_scan_literal(&p, end, "$")) {
		*reason_r = "yescrypt string has malformed parameters";
		return MP_MALFORMED;
	}
	/* 128 * N * r bytes of memory per lane, walked t + 1 times. */
	work = n_log2 > 40 ? max_memlimit + 1 : 128ULL << n_log2;
	work = mul_capped(work, r, max_memlimit);
	work = mul_capped(work, lanes, max_memlimit);
	work = mul_capped(work, t + 1, max_memlimit);
	if (work > max_memlimit) {
		*reason_r = "yescrypt memory above yescrypt_max_memlimit; not computed";
		return MP_MALFORMED;
	}
	salt = alphabet_run(p, end);
	if (salt == 0 || p + salt == end || p[salt] != '$') {
		*reason_r = "yescrypt string has a malformed salt";
		return MP_MALFORMED;
	}
	if (!check_hash_tail(p + salt + 1, end, YESCRYPT_HASH_LEN)) {
		*reason_r = "yescrypt string has a malformed hash";
		return MP_MALFORMED;
	}
	return MP_OK;
}

/* crypt_parse - the family of s[0..len), after checking its shape and cost. */
static enum mp_result
crypt_parse(const char *s, size_t len, const struct mp_verify_limits *limits,
	    enum crypt_family *family_r, const char **reason_r)
{
	const char *p = s, *end = s + len;
	struct crypt_ceilings ceilings;

	crypt_ceilings(limits, &ceilings);

	if (mp_crypt_is_des(s, len)) {
		*family_r = CRYPT_FAMILY_DES;
		return MP_OK;
	}
	if (mp_scan_literal(&p, end, "$1$")) {
		*family_r = CRYPT_FAMILY_MD5;
		return check_md5(p, end, reason_r);
	}
	if (mp_scan_literal(&p, end, APR1_MAGIC)) {
		*family_r = CRYPT_FAMILY_APR1;
		return check_md5(p, end, reason_r);
	}
	*family_r = CRYPT_FAMILY_SHA;
	if (mp_scan_literal(&p, end, "$5$"))
		return check_sha(p, end, SHA256_HASH_LEN, ceilings.sha_rounds, reason_r);
	if (mp_scan_literal(&p, end, "$6$"))
		return check_sha(p, end, SHA512_HASH_LEN, ceilings.sha_rounds, reason_r);
	*family_r = CRYPT_FAMILY_BCRYPT;
	if (mp_scan_literal(&p, end, "$2a$") || mp_scan_literal(&p, end, "$2b$") ||
	    mp_scan_literal(&p, end, "$2x$") || mp_scan_literal(&p, end, "$2y$"))
		return check_bcrypt(p, end, ceilings.bcrypt_cost, reason_r);
	*family_r = CRYPT_FAMILY_YESCRYPT;
	if (mp_scan_literal(&p, end, "$y$") || mp_scan_literal(&p, end, "$gy$"))
		return check_yescrypt(p, end, ceilings.yescrypt_memlimit, reason_r);
	*reason_r = "not a crypt string of a supported family";
	return MP_MALFORMED;
}

/* to64 - n characters of the crypt alphabet for the low bits of v, least significant first. */
static char *
to64(char *out, uint32_t v, int n)
{
	while (n-- > 0) {
		*out++ = crypt_alphabet[v & 0x3f];
		v >>= 6;
	}
	return out;
}

/*
 * md5_crypt - Poul-Henning Kamp's MD5-crypt with the given magic: "$apr1$"
 * (Apache's, which libcrypt lacks) or "$1$" (for passwords longer than
 * libcrypt takes).  out receives the NUL-terminated string.
 */
static void
md5_crypt(const struct mp_nettle *nettle, const char *magic, const uint8_t *pw, size_t pw_len,
	  const uint8_t *salt, size_t salt_len, char out[APR1_OUT_MAX + 1])
{
	size_t magic_len = strlen(magic);
	static const uint8_t zero[1];
	struct md5_ctx ctx, alt;
	uint8_t final[MD5_DIGEST_SIZE];
	char *o;

	nettle->nettle_md5_init(&alt);
	nettle->nettle_md5_update(&alt, pw_len, pw);
	nettle->nettle_md5_update(&alt, salt_len, salt);
	nettle->nettle_md5_update(&alt, pw_len, pw);
	nettle->nettle_md5_digest(&alt, sizeof(final), final);

	nettle->nettle_md5_init(&ctx);
	nettle->nettle_md5_update(&ctx, pw_len, pw);
	nettle->nettle_md5_update(&ctx, magic_len, (const uint8_t *)magic);
	nettle->nettle_md5_update(&ctx, salt_len, salt);
	for (size_t left = pw_len; left > 0; left -= left > sizeof(final) ? sizeof(final) : left)
		nettle->nettle_md5_update(&ctx, left > sizeof(final) ? sizeof(final) : left,
					  final);
	/* For each bit of the length: a zero byte for a one, the first password byte for a zero. */
	for (size_t bits = pw_len; bits != 0; bits >>= 1)
		nettle->nettle_md5_update(&ctx, 1, (bits & 1) != 0 ? zero : pw);
	nettle->nettle_md5_digest(&ctx, sizeof(final), final);

	for (unsigned int i = 0; i < APR1_ROUNDS; i++) {
		nettle->nettle_md5_init(&ctx);
		if ((i & 1) != 0)
			nettle->nettle_md5_update(&ctx, pw_len, pw);
		else
			nettle->nettle_md5_update(&ctx, sizeof(final), final);
		if (i % 3 != 0)
			nettle->nettle_md5_update(&ctx, salt_len, salt);
		if (i % 7 != 0)
			nettle->nettle_md5_update(&ctx, pw_len, pw);
		if ((i & 1) != 0)
			nettle->nettle_md5_update(&ctx, sizeof(final), final);
		else
			nettle->nettle_md5_update(&ctx, pw_len, pw);
		nettle->nettle_md5_digest(&ctx, sizeof(final), final);
	}

	o = out;
	memcpy(o, magic, magic_len);
	o += magic_len;
	memcpy(o, salt, salt_len);
	o += salt_len;
	*o++ = '$';
	o = to64(o, (uint32_t)final[0] << 16 | (uint32_t)final[6] << 8 | final[12], 4);
	o = to64(o, (uint32_t)final[1] << 16 | (uint32_t)final[7] << 8 | final[13], 4);
	o = to64(o, (uint32_t)final[2] << 16 | (uint32_t)final[8] << 8 | final[14], 4);
	o = to64(o, (uint32_t)final[3] << 16 | (uint32_t)final[9] << 8 | final[15], 4);
	o = to64(o, (uint32_t)final[4] << 16 | (uint32_t)final[10] << 8 | final[5], 4);
	o = to64(o, final[11], 2);
	*o = '\0';

	mp_wipe(final, sizeof(final));
	mp_wipe(&ctx, sizeof(ctx));
	mp_wipe(&alt, sizeof(alt));
}

static enum mp_result
md5_crypt_verify(const struct mp_verify_request *request, const char *magic, const char *stored,
		 size_t stored_len, const char **reason_r)
{
	const char *salt = stored + strlen(magic);
	const struct mp_nettle *nettle;
	char out[APR1_OUT_MAX + 1];
	bool equal;

	nettle = mp_nettle_load(reason_r);
	if (nettle == NULL)
		return MP_INTERNAL;
	md5_crypt(nettle, magic, (const uint8_t *)request->password, request->password_len,
		  (const uint8_t *)salt, field_run(salt, stored + stored_len), out);
	/* The length of out follows from the stored salt's. */
	equal = mp_public_length_equal(out, strlen(out), stored, stored_len);
	mp_wipe(out, sizeof(out));
	if (!equal) {
		*reason_r = "password mismatch";
		return MP_MISMATCH;
	}
	return MP_OK;
}

static enum mp_result
libcrypt_verify(const struct mp_verify_request *request, const char *stored, size_t stored_len,
		enum crypt_family family, const char **reason_r)
{
	size_t password_len = request->password_len;
	struct crypt_data *data;
	const char *out;
	enum mp_result result;

	/* bcrypt reads no further than its 72 bytes: the rest cannot change the result. */
	if (family == CRYPT_FAMILY_BCRYPT && password_len > BCRYPT_KEY_BYTES)
		password_len = BCRYPT_KEY_BYTES;
	/*
	 * libcrypt refuses longer passphrases (so does Dovecot for these
	 * families); "$1$" and bcrypt are taken care of before and above.
	 */
	if (password_len >= CRYPT_MAX_PASSPHRASE_SIZE) {
		*reason_r = "password longer than crypt(3) accepts";
		return MP_MISMATCH;
	}
	/* About 32 KiB: on the heap, since threaded servers may have small stacks. */
	data = calloc(1, sizeof(*data));
	if (data == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	/*
	 * crypt(3) takes a C string and the request a length (the SASL PLAIN
	 * password is not NUL-terminated): the password goes into the field
	 * libxcrypt provides for it, which is wiped with the rest.
	 */
	memcpy(data->input, request->password, password_len);
	data->input[password_len] = '\0';
	/*
	 * crypt_rn() writes a string of the stored setting's format, whose
	 * length the stored string alone fixes: a public-length comparison.
	 */
	errno = 0;
	out = crypt_rn(data->input, stored, data, (int)sizeof(*data));
	if (out == NULL || out[0] == '*') {
		if (errno == ENOMEM) {
			*reason_r = "out of memory computing crypt(3)";
			result = MP_INTERNAL;
		} else {
			*reason_r = "libcrypt cannot compute this crypt string";
			result = MP_MALFORMED;
		}
	} else if (mp_public_length_equal(out, strlen(out), stored, stored_len)) {
		result = MP_OK;
	} else {
		*reason_r = "password mismatch";
		result = MP_MISMATCH;
	}
	mp_secret_free(&data, sizeof(*data));
	return result;
}

enum mp_result
mp_crypt_verify(const struct mp_verify_request *request, const unsigned char *data,
		size_t data_len, const char **reason_r)
{
	const char *stored = (const char *)data;
	enum crypt_family family;
	enum mp_result result;

	/* data is NUL-terminated by mp_decode(); a NUL inside is malformed. */
	if (strlen(stored) != data_len) {
		*reason_r = "crypt string contains a NUL byte";
		return MP_MALFORMED;
	}
	result = crypt_parse(stored, data_len, request->limits, &family, reason_r);
	if (result != MP_OK || request->check_only)
		return result;
	if (memchr(request->password, '\0', request->password_len) != NULL) {
		*reason_r = "password contains a NUL byte";
		return MP_MALFORMED;
	}
	if (family == CRYPT_FAMILY_APR1)
		return md5_crypt_verify(request, APR1_MAGIC, stored, data_len, reason_r);
	/* Dovecot's own MD5-crypt takes any length, libcrypt 511 bytes at most. */
	if (family == CRYPT_FAMILY_MD5 && request->password_len >= CRYPT_MAX_PASSPHRASE_SIZE)
		return md5_crypt_verify(request, "$1$", stored, data_len, reason_r);
	return libcrypt_verify(request, stored, data_len, family, reason_r);
}
