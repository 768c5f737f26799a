/* test-scheme.c - the scheme table, stored-value parsing, verify, hash and rehash. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scheme.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* Cheap Argon2 parameters: the tests check behaviour, not cost. */
static const struct mp_hash_params cheap = {
	.argon2_opslimit = 3,
	.argon2_memlimit = 64 * 1024,
};

static const struct mp_verify_limits limits = {
	.argon2_max_opslimit = 16,
	.argon2_max_memlimit = 1024UL * 1024 * 1024,
	.argon2_max_lanes = 16,
};

static enum mp_result
verify(const char *stored, const char *password, const char **reason_r)
{
	struct mp_verify_request request = {
		.password = password,
		.password_len = strlen(password),
		.user = "alice",
		.limits = &limits,
	};

	return mp_scheme_verify(stored, &request, reason_r);
}

static void
test_table_rows(void)
{
	const struct mp_scheme *table;
	size_t count;

	table = mp_scheme_table(&count);
	CU_ASSERT_FATAL(count > 0);
	for (size_t i = 0; i < count; i++) {
		CU_ASSERT_PTR_NOT_NULL(table[i].verify);
		/* Names are unique, case-insensitively. */
		for (size_t j = i + 1; j < count; j++) {
			if (strcasecmp(table[i].name, table[j].name) == 0)
				fprintf(stderr, "\n  duplicate scheme name %s\n", table[i].name);
			CU_ASSERT(strcasecmp(table[i].name, table[j].name) != 0);
		}
		/* An alias names a canonical row that exists. */
		if (table[i].alias_of != NULL) {
			const struct mp_scheme *canonical = mp_scheme_find(table[i].alias_of);

			CU_ASSERT_PTR_NOT_NULL(canonical);
			CU_ASSERT(canonical != NULL && canonical->alias_of == NULL);
			CU_ASSERT(canonical != NULL && canonical->weak == table[i].weak);
		}
	}
	CU_ASSERT_PTR_NOT_NULL(mp_scheme_find("argon2id"));
	CU_ASSERT_PTR_NULL(mp_scheme_find("ARGON2ID.b64"));
	CU_ASSERT_PTR_NULL(mp_scheme_find("NOPE"));
	MP_CHECK_STR("ARGON2 alias", mp_scheme_canonical(mp_scheme_find("ARGON2"))->name, "ARGON2I");
	MP_CHECK_STR("CLEAR alias", mp_scheme_canonical(mp_scheme_find("CLEAR"))->name, "PLAIN");
	CU_ASSERT(mp_scheme_find("PLAIN")->weak);
	CU_ASSERT(!mp_scheme_find("ARGON2ID")->weak);
	CU_ASSERT(mp_scheme_find("PLAIN")->yields_cleartext);
	CU_ASSERT(!mp_scheme_find("ARGON2I")->yields_cleartext);
}

/* Known stored values and what a password does against them. */
static void
test_verify_table(void)
{
	static const struct {
		const char *label, *stored, *password;
		enum mp_result want;
	} rows[] = {
		{ "plain", "{PLAIN}secret", "secret", MP_OK },
		{ "plain wrong", "{PLAIN}secret", "secreT", MP_MISMATCH },
		{ "plain prefix", "{PLAIN}secret", "secre", MP_MISMATCH },
		{ "plain lower-case name", "{plain}secret", "secret", MP_OK },
		{ "clear", "{CLEAR}secret", "secret", MP_OK },
		{ "cleartext", "{CLEARTEXT}secret", "secret", MP_OK },
		{ "plain.b64", "{PLAIN.b64}c2VjcmV0", "secret", MP_OK },
		{ "plain.base64", "{PLAIN.BASE64}c2VjcmV0", "secret", MP_OK },
		{ "plain.hex", "{PLAIN.hex}736563726574", "secret", MP_OK },
		{ "plain.hex wrong", "{PLAIN.hex}736563726575", "secret", MP_MISMATCH },
		{ "plain.b64 truncated", "{PLAIN.b64}c2VjcmV", "secret", MP_MALFORMED },
		{ "plain.b64 non-canonical", "{PLAIN.b64}QR==", "A", MP_MALFORMED },
		{ "plain.hex odd", "{PLAIN.hex}7365637265740", "secret", MP_MALFORMED },
		{ "unknown scheme", "{NOPE}secret", "secret", MP_MALFORMED },
		{ "unknown encoding", "{PLAIN.rot13}frperg", "secret", MP_MALFORMED },
		{ "unclosed brace", "{PLAIN secret", "secret", MP_MALFORMED },
		{ "empty scheme", "{}secret", "secret", MP_MALFORMED },
		{ "no prefix", "secret", "secret", MP_MALFORMED },
		{ "empty", "", "secret", MP_MALFORMED },
		{ "argon2d unsupported", "$argon2d$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 v=16", "$argon2id$v=16$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 no version", "$argon2id$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 missing hash", "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$", "x", MP_MALFORMED },
		{ "argon2 missing salt", "$argon2id$v=19$m=65536,t=3,p=1$$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 missing t", "$argon2id$v=19$m=65536,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 leading zero", "$argon2id$v=19$m=065536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 negative", "$argon2id$v=19$m=-1,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 t=0", "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 m below 8p", "$argon2id$v=19$m=8,t=1,p=4$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 m huge", "$argon2id$v=19$m=4194304,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 t huge", "$argon2id$v=19$m=65536,t=4294967295,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 t overflow", "$argon2id$v=19$m=65536,t=4294967296,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 p=255", "$argon2id$v=19$m=65536,t=3,p=255$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 short salt", "$argon2id$v=19$m=65536,t=3,p=1$c29tZQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 short hash", "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZQ", "x", MP_MALFORMED },
		{ "argon2 trailing junk", "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA$", "x", MP_MALFORMED },
		{ "argon2 bad base64", "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhh*2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 impossible base64 length", "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaAAAA", "x", MP_MALFORMED },
		/* Bits past the last byte set: libsodium refuses the string, so must the parser. */
		{ "argon2 salt with unused bits set", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR$c29tZWhhc2hzb21laGFzaA", "x", MP_MALFORMED },
		{ "argon2 hash with unused bits set", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaB", "x", MP_MALFORMED },
		/* A well-formed but wrong hash: computed, then a mismatch. */
		{ "argon2 wellformed mismatch", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MISMATCH },
		{ "braced argon2 mismatch", "{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", "x", MP_MISMATCH },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		const char *reason = NULL;
		enum mp_result got = verify(rows[i].stored, rows[i].password, &reason);

		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		CU_ASSERT_PTR_NOT_NULL(reason);
	}
}

static void
test_verify_limits(void)
{
	char overlong[5000];
	const char *reason;

	memset(overlong, 'a', sizeof(overlong) - 1);
	memcpy(overlong, "{PLAIN}", 7);
	overlong[sizeof(overlong) - 1] = '\0';
	MP_CHECK_RESULT("stored value over MP_STORED_MAX", verify(overlong, "a", &reason),
			MP_MALFORMED);

	/* No limits, or zero ones, are the built-in ceilings, Argon2's included. */
	{
		static const char *const over[] = {
			"$argon2id$v=19$m=4194304,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
			"$argon2id$v=19$m=65536,t=4294967295,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
			"$argon2id$v=19$m=65536,t=3,p=1000$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
		};
		const struct mp_verify_limits zero = { 0 };

		for (size_t i = 0; i < N_ELEMENTS(over); i++) {
			MP_CHECK_RESULT(over[i], mp_scheme_check(over[i], NULL, NULL, &reason),
					MP_MALFORMED);
			MP_CHECK_RESULT(over[i], mp_scheme_check(over[i], NULL, &zero, &reason),
					MP_MALFORMED);
		}
		MP_CHECK_RESULT("within the built-in ceilings",
				mp_scheme_check("$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
						NULL, NULL, &reason), MP_OK);
	}
}

/* A hash made here verifies with its password and no other, for each scheme that can generate. */
static void
test_round_trip(void)
{
	static const char *const passwords[] = { "secret", "pässwörd ünïcode", "a:b c\td" };
	const struct mp_scheme *table;
	size_t count;

	table = mp_scheme_table(&count);
	for (size_t i = 0; i < count; i++) {
		if (table[i].generate == NULL)
			continue;
		for (size_t p = 0; p < N_ELEMENTS(passwords); p++) {
			char *stored = NULL;
			const char *reason = NULL;
			char label[128];

			snprintf(label, sizeof(label), "%s round trip #%zu", table[i].name, p);
			MP_CHECK_RESULT(label, mp_scheme_hash(&table[i], passwords[p],
							      strlen(passwords[p]), &cheap,
							      &stored, &reason), MP_OK);
			/* A hash that was made has no reason left over from its work. */
			MP_CHECK_STR(label, reason, "");
			if (stored == NULL)
				continue;
			/* The prefix is the canonical name. */
			CU_ASSERT(stored[0] == '{');
			CU_ASSERT(strncmp(stored + 1, mp_scheme_canonical(&table[i])->name,
					  strlen(mp_scheme_canonical(&table[i])->name)) == 0);
			MP_CHECK_RESULT(label, verify(stored, passwords[p], &reason), MP_OK);
			MP_CHECK_RESULT(label, verify(stored, "wrong", &reason), MP_MISMATCH);
			free(stored);
		}
	}
}

static void
test_hash_refuses(void)
{
	const struct mp_hash_params too_cheap = { .argon2_opslimit = 1, .argon2_memlimit = 64 };
	const struct mp_hash_params argon2i_low_ops = { .argon2_opslimit = 1,
							 .argon2_memlimit = 64 * 1024 };
	char *stored = NULL;
	const char *reason;

	MP_CHECK_RESULT("memlimit below minimum",
			mp_scheme_hash(mp_scheme_find("ARGON2ID"), "x", 1, &too_cheap, &stored,
				       &reason), MP_MALFORMED);
	CU_ASSERT_PTR_NULL(stored);
	MP_CHECK_RESULT("argon2i needs t >= 3",
			mp_scheme_hash(mp_scheme_find("ARGON2I"), "x", 1, &argon2i_low_ops,
				       &stored, &reason), MP_MALFORMED);
	CU_ASSERT_PTR_NULL(stored);
}

static void
test_needs_rehash(void)
{
	const struct mp_hash_params other = { .argon2_opslimit = 4,
					       .argon2_memlimit = 64 * 1024 };
	const struct mp_scheme *argon2id = mp_scheme_find("ARGON2ID");
	const struct mp_scheme *argon2i = mp_scheme_find("ARGON2I");
	char *id = NULL, *i = NULL;
	const char *reason;

	CU_ASSERT_FATAL(mp_scheme_hash(argon2id, "pw", 2, &cheap, &id, &reason) == MP_OK);
	CU_ASSERT_FATAL(mp_scheme_hash(argon2i, "pw", 2, &cheap, &i, &reason) == MP_OK);
	CU_ASSERT(!mp_scheme_needs_rehash(id, 2, argon2id, &cheap));
	CU_ASSERT(mp_scheme_needs_rehash(id, 2, argon2id, &other));
	CU_ASSERT(mp_scheme_needs_rehash(i, 2, argon2id, &cheap));
	CU_ASSERT(!mp_scheme_needs_rehash(i, 2, argon2i, &cheap));
	CU_ASSERT(mp_scheme_needs_rehash("{PLAIN}pw", 2, argon2id, &cheap));
	/* A bare string is the same scheme as its braced form. */
	CU_ASSERT(!mp_scheme_needs_rehash(id + strlen("{ARGON2ID}"), 2, argon2id, &cheap));
	/* Multi-lane hashes are replaced by the single-lane ones libsodium makes. */
	CU_ASSERT(mp_scheme_needs_rehash("$argon2id$v=19$m=64,t=3,p=4$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA", 2,
					 argon2id, &cheap));
	/* Unparseable values are never replaced. */
	CU_ASSERT(!mp_scheme_needs_rehash("{NOPE}x", 2, argon2id, &cheap));
	/* Only upgrades: no cheaper cost, no Argon2id to Argon2i, no weak target. */
	{
		const struct mp_hash_params cheaper_t = { .argon2_opslimit = 2,
							  .argon2_memlimit = 64 * 1024 };
		const struct mp_hash_params cheaper_m = { .argon2_opslimit = 3,
							  .argon2_memlimit = 32 * 1024 };
		const struct mp_hash_params more_m_less_t = { .argon2_opslimit = 2,
							      .argon2_memlimit = 128 * 1024 };

		CU_ASSERT(!mp_scheme_needs_rehash(id, 2, argon2id, &cheaper_t));
		CU_ASSERT(!mp_scheme_needs_rehash(id, 2, argon2id, &cheaper_m));
		CU_ASSERT(!mp_scheme_needs_rehash(id, 2, argon2id, &more_m_less_t));
		CU_ASSERT(!mp_scheme_needs_rehash(id, 2, argon2i, &cheap));
		CU_ASSERT(!mp_scheme_needs_rehash(i, 2, argon2id, &cheaper_t));
		CU_ASSERT(!mp_scheme_needs_rehash("{PLAIN}pw", 2, mp_scheme_find("PLAIN"), &cheap));
		CU_ASSERT(!mp_scheme_needs_rehash(id, 2, mp_scheme_find("PLAIN"), &cheap));
	}
	free(id);
	free(i);
}

/* Hashes made at test time by real tools: doveadm pw and the argon2 command. */
static void
check_tool_hash(const char *label, const char *command, const char *password)
{
	char stored[512];
	const char *reason = NULL;
	int status = mp_test_capture(command, stored, sizeof(stored));

	if (status != 0 || stored[0] == '\0') {
		fprintf(stderr, "\n  %s: `%s` exited %d\n", label, command, status);
		CU_FAIL("tool failed to make a hash");
		return;
	}
	MP_CHECK_RESULT(label, verify(stored, password, &reason), MP_OK);
	MP_CHECK_RESULT(label, verify(stored, "not the password", &reason), MP_MISMATCH);
}

static void
test_interop_doveadm(void)
{
	if (!mp_test_have_tool("doveadm")) {
		mp_test_skip("doveadm interop", "doveadm not installed (Debian: dovecot-core)");
		return;
	}
	check_tool_hash("doveadm ARGON2ID", "doveadm pw -s ARGON2ID -p 'correct horse'",
			"correct horse");
	check_tool_hash("doveadm ARGON2I", "doveadm pw -s ARGON2I -p 'correct horse'",
			"correct horse");
	check_tool_hash("doveadm PLAIN", "doveadm pw -s PLAIN -p 'correct horse'",
			"correct horse");
}

static void
test_interop_argon2_cli(void)
{
	if (!mp_test_have_tool("argon2")) {
		mp_test_skip("argon2 CLI interop", "argon2 not installed (Debian: argon2)");
		return;
	}
	check_tool_hash("argon2 -id p=4",
			"printf %s 'correct horse' | argon2 saltsaltsalt -id -t 2 -m 12 -p 4 -e",
			"correct horse");
	check_tool_hash("argon2 -i p=2",
			"printf %s 'correct horse' | argon2 saltsaltsalt -i -t 3 -m 12 -p 2 -e",
			"correct horse");
}

void
mp_test_register_scheme(void)
{
	CU_pSuite suite = CU_add_suite("scheme", NULL, NULL);

	CU_add_test(suite, "table rows", test_table_rows);
	CU_add_test(suite, "verify table", test_verify_table);
	CU_add_test(suite, "verify limits", test_verify_limits);
	CU_add_test(suite, "round trip per scheme", test_round_trip);
	CU_add_test(suite, "hash refuses bad parameters", test_hash_refuses);
	CU_add_test(suite, "needs rehash", test_needs_rehash);
	CU_add_test(suite, "doveadm pw hashes", test_interop_doveadm);
	CU_add_test(suite, "argon2 CLI hashes", test_interop_argon2_cli);
}
