/*
 * scheme-table.c - the one table of password schemes.
 *
 * Adding a scheme is adding a row (and its functions in a scheme-*.c file of
 * its own).  Names are Dovecot's; tests/test-scheme.c refuses duplicates.
 */
#include "scheme-private.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const struct mp_scheme scheme_table[] = {
	{
		.name = "ARGON2ID",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_argon2_verify,
		.generate = mp_argon2id_generate,
		.needs_rehash = mp_argon2_needs_rehash,
	},
	{
		.name = "ARGON2I",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_argon2_verify,
		.generate = mp_argon2i_generate,
		.needs_rehash = mp_argon2_needs_rehash,
	},
	{
		.name = "ARGON2",
		.alias_of = "ARGON2I",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_argon2_verify,
		.generate = mp_argon2i_generate,
		.needs_rehash = mp_argon2_needs_rehash,
	},
	{
		.name = "PLAIN",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.yields_cleartext = true,
		.verify = mp_plain_verify,
		.generate = mp_plain_generate,
	},
	{
		.name = "CLEAR",
		.alias_of = "PLAIN",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.yields_cleartext = true,
		.verify = mp_plain_verify,
		.generate = mp_plain_generate,
	},
	{
		.name = "CLEARTEXT",
		.alias_of = "PLAIN",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.yields_cleartext = true,
		.verify = mp_plain_verify,
		.generate = mp_plain_generate,
	},
	/*
	 * Legacy schemes, verified so that sites can migrate; none of them
	 * generates (the configured scheme replaces them at the next login).
	 * Weak, except the iterated ones: SHA512-CRYPT, SHA256-CRYPT,
	 * BLF-CRYPT, PBKDF2 and SCRAM-*.  Rows with no default encoding that
	 * hold a fixed-size digest take hex or base64 as Dovecot does (see
	 * mp_digest_raw()).
	 */
	{
		.name = "SHA512-CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		.name = "SHA256-CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		.name = "BLF-CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		.name = "MD5-CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		.name = "DES-CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		/* Any crypt string, DES included: weak as a row. */
		.name = "CRYPT",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_crypt_verify,
		.checked_len = mp_crypt_checked_len,
	},
	{
		/* "$1$..." is MD5-CRYPT; anything else is PLAIN-MD5. */
		.name = "MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_md5_verify,
	},
	{
		/* Dovecot writes hex. */
		.name = "PLAIN-MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_plain_md5_verify,
	},
	{
		/* Dovecot writes base64. */
		.name = "LDAP-MD5",
		.alias_of = "PLAIN-MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_plain_md5_verify,
	},
	{
		/* Dovecot writes hex. */
		.name = "PLAIN-MD4",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_plain_md4_verify,
	},
	{
		/* Dovecot writes base64, as htpasswd -s does under {SHA}. */
		.name = "SHA1",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_sha1_verify,
	},
	{
		.name = "SHA",
		.alias_of = "SHA1",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_sha1_verify,
	},
	{
		/* Dovecot writes base64. */
		.name = "SHA256",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_sha256_verify,
	},
	{
		/* Dovecot writes base64. */
		.name = "SHA512",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_sha512_verify,
	},
	{
		.name = "SSHA",
		.default_encoding = MP_ENCODING_BASE64,
		.weak = true,
		.verify = mp_ssha_verify,
	},
	{
		.name = "SSHA256",
		.default_encoding = MP_ENCODING_BASE64,
		.weak = true,
		.verify = mp_ssha256_verify,
	},
	{
		.name = "SSHA512",
		.default_encoding = MP_ENCODING_BASE64,
		.weak = true,
		.verify = mp_ssha512_verify,
	},
	{
		.name = "SMD5",
		.default_encoding = MP_ENCODING_BASE64,
		.weak = true,
		.verify = mp_smd5_verify,
	},
	{
		/* "N-password"; the data is the (cut) password itself. */
		.name = "PLAIN-TRUNC",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_plain_trunc_verify,
		.checked_len = mp_plain_trunc_checked_len,
	},
	{
		/* Dovecot writes hex. */
		.name = "CRAM-MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_cram_md5_verify,
	},
	{
		.name = "HMAC-MD5",
		.alias_of = "CRAM-MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_cram_md5_verify,
	},
	{
		/* Dovecot writes hex; salted with the user name and realm. */
		.name = "DIGEST-MD5",
		.default_encoding = MP_ENCODING_NONE,
		.weak = true,
		.verify = mp_digest_md5_verify,
	},
	{
		.name = "PBKDF2",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_pbkdf2_verify,
	},
	{
		.name = "SCRAM-SHA-1",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_scram_sha1_verify,
	},
	{
		.name = "SCRAM-SHA-256",
		.default_encoding = MP_ENCODING_NONE,
		.verify = mp_scram_sha256_verify,
	},
};

static const struct mp_bare_prefix bare_prefixes[] = {
	{ "$argon2id$", "ARGON2ID" },
	{ "$argon2i$", "ARGON2I" },
	/* /etc/shadow and htpasswd; "$y$" and "$gy$" have no row of their own in Dovecot. */
	{ "$1$", "MD5-CRYPT" },
	{ "$apr1$", "MD5-CRYPT" },
	{ "$5$", "SHA256-CRYPT" },
	{ "$6$", "SHA512-CRYPT" },
	{ "$2a$", "BLF-CRYPT" },
	{ "$2b$", "BLF-CRYPT" },
	{ "$2x$", "BLF-CRYPT" },
	{ "$2y$", "BLF-CRYPT" },
	{ "$y$", "CRYPT" },
	{ "$gy$", "CRYPT" },
};

const struct mp_scheme *
mp_scheme_table(size_t *count_r)
{
	*count_r = N_ELEMENTS(scheme_table);
	return scheme_table;
}

const struct mp_bare_prefix *
mp_scheme_bare_prefixes(size_t *count_r)
{
	*count_r = N_ELEMENTS(bare_prefixes);
	return bare_prefixes;
}
