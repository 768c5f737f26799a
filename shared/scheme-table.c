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
};

static const struct mp_bare_prefix bare_prefixes[] = {
	{ "$argon2id$", "ARGON2ID" },
	{ "$argon2i$", "ARGON2I" },
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
