/*
 * test-scheme-legacy.c - the legacy rows of the scheme table (crypt strings,
 * digests, CRAM-MD5, DIGEST-MD5, PBKDF2, SCRAM, PLAIN-TRUNC): their flags,
 * known answers made with the real tools, malformed and over-cost values, and
 * hashes made at test time by doveadm, mkpasswd, htpasswd and openssl.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheme-private.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#define PW_ASCII "correct horse"
#define PW_UTF8 "p\xc3\xa4ssw\xc3\xb6rd"	/* "pässwörd" */
#define PW_WRONG "not the password"

/* A value refused without being computed returns well within this. */
#define QUICK_SECONDS 0.5

static const struct mp_verify_limits limits = {
	.argon2_max_opslimit = 16,
	.argon2_max_memlimit = 1024UL * 1024 * 1024,
	.argon2_max_lanes = 16,
};

static enum mp_result
verify_as(const char *stored, const char *password, const char *user, const char **reason_r)
{
	struct mp_verify_request request = {
		.password = password,
		.password_len = strlen(password),
		.user = user,
		.limits = &limits,
	};

	*reason_r = NULL;
	return mp_scheme_verify(stored, &request, reason_r);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The rows this suite adds, with their flags (docs/migration.md has the reasons). */
static void
test_rows(void)
{
	static const struct {
		const char *name, *alias_of;
		bool weak;
	} rows[] = {
		{ "SHA512-CRYPT", NULL, false },
		{ "SHA256-CRYPT", NULL, false },
		{ "BLF-CRYPT", NULL, false },
		{ "MD5-CRYPT", NULL, true },
		{ "DES-CRYPT", NULL, true },
		{ "CRYPT", NULL, true },
		{ "MD5", NULL, true },
		{ "PLAIN-MD5", NULL, true },
		{ "LDAP-MD5", "PLAIN-MD5", true },
		{ "PLAIN-MD4", NULL, true },
		{ "SHA1", NULL, true },
		{ "SHA", "SHA1", true },
		{ "SHA256", NULL, true },
		{ "SHA512", NULL, true },
		{ "SSHA", NULL, true },
		{ "SSHA256", NULL, true },
		{ "SSHA512", NULL, true },
		{ "SMD5", NULL, true },
		{ "PLAIN-TRUNC", NULL, true },
		{ "CRAM-MD5", NULL, true },
		{ "HMAC-MD5", "CRAM-MD5", true },
		{ "DIGEST-MD5", NULL, true },
		{ "PBKDF2", NULL, false },
		{ "SCRAM-SHA-1", NULL, false },
		{ "SCRAM-SHA-256", NULL, false },
	};
	const struct mp_scheme *argon2id = mp_scheme_find("ARGON2ID");
	const struct mp_hash_params params = { .argon2_opslimit = 3,
					       .argon2_memlimit = 64 * 1024 };

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		const struct mp_scheme *row = mp_scheme_find(rows[i].name);

		if (row == NULL)
			fprintf(stderr, "\n  row %s is missing\n", rows[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(row);
		if (row->weak != rows[i].weak)
			fprintf(stderr, "\n  %s: weak is %d, want %d\n", rows[i].name,
				row->weak, rows[i].weak);
		CU_ASSERT(row->weak == rows[i].weak);
		CU_ASSERT(!row->yields_cleartext);
		CU_ASSERT_PTR_NULL(row->generate);
		CU_ASSERT_PTR_NULL(row->needs_rehash);
		if (rows[i].alias_of != NULL)
			MP_CHECK_STR(rows[i].name, row->alias_of, rows[i].alias_of);
		else
			CU_ASSERT_PTR_NULL(row->alias_of);
	}
	/* Whatever it holds, a legacy value is replaced at the next login. */
	CU_ASSERT(mp_scheme_needs_rehash("{SHA512-CRYPT}$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0", 2,
					 argon2id, &params));
	CU_ASSERT(mp_scheme_needs_rehash("$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2", 2,
					 argon2id, &params));
	CU_ASSERT(mp_scheme_needs_rehash("{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=", 2, argon2id, &params));

	/*
	 * Unless the password is longer than what the value decides: its
	 * tail was never checked (DES takes 8 bytes, bcrypt 72, PLAIN-TRUNC N).
	 */
	CU_ASSERT(mp_scheme_needs_rehash("{DES-CRYPT}cKFIfjNg6aT2I", 8, argon2id, &params));
	CU_ASSERT(!mp_scheme_needs_rehash("{DES-CRYPT}cKFIfjNg6aT2I", 9, argon2id, &params));
	CU_ASSERT(!mp_scheme_needs_rehash("cKFIfjNg6aT2I", 9, argon2id, &params));
	CU_ASSERT(mp_scheme_needs_rehash("$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2",
					 72, argon2id, &params));
	CU_ASSERT(!mp_scheme_needs_rehash("{BLF-CRYPT}$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2",
					  73, argon2id, &params));
	CU_ASSERT(mp_scheme_needs_rehash("{PLAIN-TRUNC}8-abcdefgh", 8, argon2id, &params));
	CU_ASSERT(!mp_scheme_needs_rehash("{PLAIN-TRUNC}8-abcdefgh", 9, argon2id, &params));
	/* A PLAIN-TRUNC value shorter than its N was compared whole. */
	CU_ASSERT(mp_scheme_needs_rehash("{PLAIN-TRUNC}20-abc", 3, argon2id, &params));
	CU_ASSERT(mp_scheme_needs_rehash("{SHA512-CRYPT}$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0",
					 1024, argon2id, &params));
}

/* Bare strings map to the rows of their algorithm. */
static void
test_bare_prefixes(void)
{
	static const struct {
		const char *stored, *want;
	} rows[] = {
		{ "$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow.", "MD5-CRYPT" },
		{ "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", "MD5-CRYPT" },
		{ "$5$VC6m7BwKFpiwgtZJ$6ou9PR7Kfj4UgOzWOella37kenKKhVTECSXgILQoYo7", "SHA256-CRYPT" },
		{ "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0", "SHA512-CRYPT" },
		{ "$2a$05$hHCwTlhMB8z.iT4OFDpsjepfg/x1NLhYMORqCA1jGicYDT2HVKHw2", "BLF-CRYPT" },
		{ "$2b$05$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK", "BLF-CRYPT" },
		{ "$2x$05$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK", "BLF-CRYPT" },
		{ "$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2", "BLF-CRYPT" },
		{ "$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA", "CRYPT" },
		{ "$gy$j9T$/DEr9NwL5MdLtsEQju89u.$YPruVe15Ce9HOsveExoJgxbZ0sDw0ORzVELGFXv//l4", "CRYPT" },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		struct mp_stored parsed;
		const char *reason = NULL;

		MP_CHECK_RESULT(rows[i].stored, mp_stored_parse(rows[i].stored,
								strlen(rows[i].stored),
								&parsed, &reason), MP_OK);
		if (parsed.scheme != NULL)
			MP_CHECK_STR(rows[i].stored, parsed.scheme->name, rows[i].want);
		mp_stored_clear(&parsed);
	}
}

/* A DES string has no prefix; mp_crypt_is_des() recognises its shape. */
static void
test_des_shape(void)
{
	static const struct {
		const char *s;
		bool want;
	} rows[] = {
		{ "rc0ElDYxdB0M6", true },
		{ "08FrpAoQpCPjw", true },
		{ "rc0ElDYxdB0M", false },
		{ "rc0ElDYxdB0M6x", false },
		{ "rc0ElDYxdB0M$", false },
		{ "rc0El:YxdB0M6", false },
		{ "{PLAIN}secret", false },
		{ "", false },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		bool got = mp_crypt_is_des(rows[i].s, strlen(rows[i].s));

		if (got != rows[i].want)
			fprintf(stderr, "\n  \"%s\": got %d, want %d\n", rows[i].s, got,
				rows[i].want);
		CU_ASSERT(got == rows[i].want);
	}
}

/*
 * Known answers, made once with doveadm pw, mkpasswd, htpasswd and openssl
 * passwd.  Each verifies with its password and is a mismatch with another.
 * dovecot marks the values Dovecot itself reads, which test_dovecot_agrees()
 * checks with doveadm pw -t.
 */
static const struct known {
	const char *label, *stored, *password, *user;
	bool dovecot;
} known[] = {
	/* Bare traditional DES, as htpasswd -d and old /etc/shadow hold it. */
	{ "bare DES", "08FrpAoQpCPjw", PW_ASCII, NULL, false },
	{ "bare DES utf8", "ml7U3Lup0.x1o", PW_UTF8, NULL, false },
	/* crypt(3), braced as doveadm writes them. */
	{ "SHA512-CRYPT", "{SHA512-CRYPT}$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0", PW_ASCII, NULL, true },
	{ "SHA512-CRYPT utf8", "{SHA512-CRYPT}$6$omzaeh0ssTrqH3ue$viexXs3DlTSilz4eQF9DQTkd8H56X7JpKoWSzvY9C58vMkeDfSZoEBVneal2je.LjJnauRtFXWPjW4c.UFdh//", PW_UTF8, NULL, true },
	{ "SHA256-CRYPT", "{SHA256-CRYPT}$5$3viLzcvFO2K/FcI7$CVLHeLJjqt4bTta/bWgvHzmRChkkzTg9Fmi/vVo7ys9", PW_ASCII, NULL, true },
	{ "SHA256-CRYPT utf8", "{SHA256-CRYPT}$5$tmAf5h3bAcpe8gNf$lWK8cj1wSnRirr/2iZW7sqCyTpWfKmqb6hmc0tVWlc8", PW_UTF8, NULL, true },
	{ "MD5-CRYPT", "{MD5-CRYPT}$1$LfCCDJxk$bHwEHGwxvtFOzl7ipTy/k/", PW_ASCII, NULL, true },
	{ "MD5-CRYPT utf8", "{MD5-CRYPT}$1$8bDyiPTD$bH5M/GPIIVYTwJht3I2pu.", PW_UTF8, NULL, true },
	{ "MD5-CRYPT.b64", "{MD5-CRYPT.B64}JDEkTGZDQ0RKeGskYkh3RUhHd3h2dEZPemw3aXBUeS9rLw==", PW_ASCII, NULL, true },
	{ "BLF-CRYPT", "{BLF-CRYPT}$2y$05$2v0RY2ygccZLlK9Uf.cvuu3womRp7f1UhRnhsQq/s2cNRRi73b9Ii", PW_ASCII, NULL, true },
	{ "BLF-CRYPT utf8", "{BLF-CRYPT}$2y$05$R21bZV.eJBiGs1T1cs3yfuzQpY.63vpoGClmRRFI.BmDofHvgDvFq", PW_UTF8, NULL, true },
	{ "DES-CRYPT", "{DES-CRYPT}cKFIfjNg6aT2I", PW_ASCII, NULL, true },
	{ "DES-CRYPT utf8", "{DES-CRYPT}S.EVhIeWs7y06", PW_UTF8, NULL, true },
	{ "CRYPT bcrypt", "{CRYPT}$2y$05$b5ZSljH2MBHBxxnm.h62yeqWxt64Rz9rzfA9o8ouLEhAu.vupfzTa", PW_ASCII, NULL, true },
	{ "CRYPT bcrypt utf8", "{CRYPT}$2y$05$Js8WkOv8gwi3Us1pHLYngeefc6ahBjqk4KauUMVRGGufcldI5n1zq", PW_UTF8, NULL, true },
	{ "CRYPT yescrypt", "{CRYPT}$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA", PW_ASCII, NULL, true },
	{ "CRYPT DES", "{CRYPT}rc0ElDYxdB0M6", PW_ASCII, NULL, true },
	/* As in Dovecot, a crypt row takes any crypt string. */
	{ "SHA512-CRYPT holding $1$", "{SHA512-CRYPT}$1$LfCCDJxk$bHwEHGwxvtFOzl7ipTy/k/", PW_ASCII, NULL, true },
	{ "DES-CRYPT holding $6$", "{DES-CRYPT}$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0", PW_ASCII, NULL, true },
	/* Bare strings: mkpasswd, htpasswd, openssl passwd. */
	{ "bare $6$", "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0", PW_ASCII, NULL, false },
	{ "bare $6$ utf8", "$6$AUs6fsqHQ5EeOTCL$StBXCH4rwx66AztxcC3F7LbIRyiAOxCBUOhF/.hF66J8SW25rR8SOaL/yDSiHrd3npU5TgxvB5qfYmsJVyCg60", PW_UTF8, NULL, false },
	{ "bare $6$ rounds=10000", "$6$rounds=10000$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0", PW_ASCII, NULL, false },
	{ "bare $6$ rounds=10000 utf8", "$6$rounds=10000$Frr.MfhlcTlZoLV5$SPmUt0xz1dvRL2PAPRy.RjpPzQ9Wv8nBRqhiKmWl05DJu2aq31Cl7OEgXaqkV6d7RlODfaazphmkuCQTiXSkT0", PW_UTF8, NULL, false },
	{ "bare $5$", "$5$VC6m7BwKFpiwgtZJ$6ou9PR7Kfj4UgOzWOella37kenKKhVTECSXgILQoYo7", PW_ASCII, NULL, false },
	{ "bare $5$ utf8", "$5$Nogk6oDklPPdv0vr$wHmslRh0xAoYBTAn8v/JcbIqA56ftDbYWceseX/q0.A", PW_UTF8, NULL, false },
	{ "bare $5$ rounds=1000", "$5$rounds=1000$fp3s38A9KgmOOopz$/gToM3USE89teOb8zid3T4kaIVwNpVBJy5ClAABplR0", PW_ASCII, NULL, false },
	{ "bare $1$", "$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow.", PW_ASCII, NULL, false },
	{ "bare $1$ utf8", "$1$YgR/.Q8v$FUipqQNA0pCtXJgXGDb.s/", PW_UTF8, NULL, false },
	{ "bare $2b$", "$2b$05$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK", PW_ASCII, NULL, false },
	{ "bare $2b$ utf8", "$2b$05$MrKQNnx1l3017Pz8DxN6uuRPHDkTOurw0VxFZ2kDzuQTv0Se/e1qG", PW_UTF8, NULL, false },
	{ "bare $2a$", "$2a$05$hHCwTlhMB8z.iT4OFDpsjepfg/x1NLhYMORqCA1jGicYDT2HVKHw2", PW_ASCII, NULL, false },
	{ "bare $2a$ utf8", "$2a$05$99f.T1nTg/Lr6oeYnp0iHOcQTAcQrIT0TLkEDy04k05SMcIM8kFZC", PW_UTF8, NULL, false },
	{ "bare $2y$ (htpasswd -B)", "$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2", PW_ASCII, NULL, false },
	{ "bare $2y$ utf8", "$2y$05$FpRcjGy4DJx/pdNW15Wax.aYzs01iSjPy0xAf/RdE/t3m0lBNntoy", PW_UTF8, NULL, false },
	{ "bare $y$", "$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA", PW_ASCII, NULL, false },
	{ "bare $y$ utf8", "$y$j9T$mrbAScZPvNX3WrLTagiyy/$oy6J6JPakt71xy/fF9uf1BvnfO7z3Wi7W10Ban4LNF6", PW_UTF8, NULL, false },
	{ "bare $gy$", "$gy$j9T$/DEr9NwL5MdLtsEQju89u.$YPruVe15Ce9HOsveExoJgxbZ0sDw0ORzVELGFXv//l4", PW_ASCII, NULL, false },
	{ "bare $gy$ utf8", "$gy$j9T$dhMqQ4Fx4vPgVO2bGAyEH/$s4VZ2gM1NxVy1.U4Z70NoxDEDv2JM3ClSgrtV49OM72", PW_UTF8, NULL, false },
	{ "bare $apr1$ (htpasswd -m)", "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", PW_ASCII, NULL, false },
	{ "bare $apr1$ utf8", "$apr1$YWXoVcL8$uJiv1P633dug68FO1FbGO1", PW_UTF8, NULL, false },
	{ "bare $apr1$ (openssl)", "$apr1$9SJuTInw$DkwnGiCM55lmIvCFRKquH0", PW_ASCII, NULL, false },
	{ "bare $apr1$ (openssl) utf8", "$apr1$u3rMJP0c$SepYSmxEZdLsXme3KcY0c1", PW_UTF8, NULL, false },
	{ "braced $apr1$", "{MD5-CRYPT}$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", PW_ASCII, NULL, false },
	{ "htpasswd -d DES", "{DES-CRYPT}08FrpAoQpCPjw", PW_ASCII, NULL, true },
	{ "htpasswd -d DES utf8", "{DES-CRYPT}ml7U3Lup0.x1o", PW_UTF8, NULL, true },
	{ "mkpasswd descrypt", "{DES-CRYPT}41Eqw/z/4ZPr6", PW_UTF8, NULL, true },
	/* Digests. */
	{ "SHA1", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g129A=", PW_ASCII, NULL, true },
	{ "SHA1 utf8", "{SHA1}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=", PW_UTF8, NULL, true },
	{ "SHA (htpasswd -s)", "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=", PW_ASCII, NULL, true },
	{ "SHA utf8", "{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=", PW_UTF8, NULL, true },
	{ "SHA1.HEX", "{SHA1.HEX}2f9e53523b62abc141a2b4d6019d23cba835dbd0", PW_ASCII, NULL, true },
	{ "SHA1 hex guessed", "{SHA1}f517ddf1d32a112ff1ad55c66d1b12cb38e7e8f7", PW_UTF8, NULL, true },
	{ "SHA256", "{SHA256}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=", PW_ASCII, NULL, true },
	{ "SHA256 utf8", "{SHA256}RpcL73Cs7YEj8NXQlHF+KlzUEgQeA7JjdgSf5lsoNKQ=", PW_UTF8, NULL, true },
	{ "SHA256.HEX", "{SHA256.HEX}46970bef70aced8123f0d5d094717e2a5cd412041e03b26376049fe65b2834a4", PW_UTF8, NULL, true },
	{ "SHA256 hex guessed", "{SHA256}4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631", PW_ASCII, NULL, true },
	{ "SHA512", "{SHA512}VraY3v7bWkNbY0r+MyC7rz/c2SC2xQOkRvx7endrKY1HnRumqLYXgI6wv1ec6aldZoNHvKtxSQhayTyyeZUZew==", PW_ASCII, NULL, true },
	{ "SHA512 utf8", "{SHA512}csf+G9M7eFdGqclPm4DSWRzTjzwTyKpD91N/MqKoxfm10c7ha2nwIS4OOalNg/V7zzomuud2AHzrsB8NYxEnPg==", PW_UTF8, NULL, true },
	{ "SSHA", "{SSHA}4JzSH6Rke0AZHFRHX47PP0b5tMAGTd+2", PW_ASCII, NULL, true },
	{ "SSHA utf8", "{SSHA}Kk8ntDaMRoRP0BKhZYhshbfhHL/Igk3h", PW_UTF8, NULL, true },
	{ "SSHA.HEX", "{SSHA.HEX}52f9babbc65906998b3827d77cf9d78ee27f496d4db5a322", PW_ASCII, NULL, true },
	{ "SSHA256", "{SSHA256}BnMSOqpw39hJoWykrTepiZZde+C7BSMd0T+RDAe6868EoSTz", PW_ASCII, NULL, true },
	{ "SSHA256 utf8", "{SSHA256}LYWOFq9rNBls7cgp23ove1zxfeGnxUErJmSOubwf6GODcp3O", PW_UTF8, NULL, true },
	{ "SSHA512", "{SSHA512}KMzuB0q7x66T/1iNnyzIeCu8jfuXCL6/qRsOT0Wi8IZpk0lf1aHYx5SeC/ncEUwQZ1suRewzd/+X0jYh0BHU9pBlGRo=", PW_ASCII, NULL, true },
	{ "SSHA512 utf8", "{SSHA512}Oc+uDipJ4MYxNntp+DTr+eVYHhVM3hAPTTkMYsMHIRVBc8Rzo6JelFaXlH/nSN+GuVNyW0fBs136nqpuNLuJ9TIkx78=", PW_UTF8, NULL, true },
	{ "SMD5", "{SMD5}5Vset/LB7FRYwlMNlFVssoN1t9E=", PW_ASCII, NULL, true },
	{ "SMD5 utf8", "{SMD5}I7lTmbSstIjBSYnvPNcvcFrr23k=", PW_UTF8, NULL, true },
	{ "PLAIN-MD5", "{PLAIN-MD5}3cb4e732631f47e6eb961f34554b7cde", PW_ASCII, NULL, true },
	{ "PLAIN-MD5 utf8", "{PLAIN-MD5}12841e4ba5e37d2fbfc78458c6714ade", PW_UTF8, NULL, true },
	{ "PLAIN-MD5.B64", "{PLAIN-MD5.B64}PLTnMmMfR+brlh80VUt83g==", PW_ASCII, NULL, true },
	{ "PLAIN-MD5 base64 guessed", "{PLAIN-MD5}EoQeS6XjfS+/x4RYxnFK3g==", PW_UTF8, NULL, true },
	{ "LDAP-MD5", "{LDAP-MD5}PLTnMmMfR+brlh80VUt83g==", PW_ASCII, NULL, true },
	{ "LDAP-MD5 utf8", "{LDAP-MD5}EoQeS6XjfS+/x4RYxnFK3g==", PW_UTF8, NULL, true },
	{ "LDAP-MD5 hex guessed", "{LDAP-MD5}3cb4e732631f47e6eb961f34554b7cde", PW_ASCII, NULL, true },
	{ "PLAIN-MD4", "{PLAIN-MD4}b4fe5d2ad49f136f957a7a6b1c029cd2", PW_ASCII, NULL, true },
	{ "PLAIN-MD4 utf8", "{PLAIN-MD4}84c1a6a379ead788b7832b658ce73da8", PW_UTF8, NULL, true },
	{ "MD5 as MD5-CRYPT", "{MD5}$1$14qNOP9s$lK//5Bb4RdJET/SjBduMr0", PW_ASCII, NULL, true },
	{ "MD5 as MD5-CRYPT utf8", "{MD5}$1$u2Yk6nb7$pyHfH4RL3Fajim88S2Cez1", PW_UTF8, NULL, true },
	{ "MD5 as hex", "{MD5}3cb4e732631f47e6eb961f34554b7cde", PW_ASCII, NULL, true },
	{ "MD5 as base64 (OpenLDAP)", "{MD5}EoQeS6XjfS+/x4RYxnFK3g==", PW_UTF8, NULL, true },
	/* Challenge-response verifiers. */
	{ "CRAM-MD5", "{CRAM-MD5}38b57fd1a0c4b46c814aa05f20318edd71c455380655f2c0ac35c5b359528d29", PW_ASCII, NULL, true },
	{ "CRAM-MD5 utf8", "{CRAM-MD5}4a60bd37924fc5d45b4c92ce695bac86cb234bc3028aab2a71a225cb0dedfbb9", PW_UTF8, NULL, true },
	{ "CRAM-MD5.B64", "{CRAM-MD5.B64}SmC9N5JPxdRbTJLOaVushssjS8MCiqsqcaIlyw3t+7k=", PW_UTF8, NULL, true },
	{ "CRAM-MD5 base64 guessed", "{CRAM-MD5}OLV/0aDEtGyBSqBfIDGO3XHEVTgGVfLArDXFs1lSjSk=", PW_ASCII, NULL, true },
	{ "HMAC-MD5", "{HMAC-MD5}38b57fd1a0c4b46c814aa05f20318edd71c455380655f2c0ac35c5b359528d29", PW_ASCII, NULL, true },
	{ "DIGEST-MD5 user@realm", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acf", PW_ASCII, "alice@example.org", true },
	{ "DIGEST-MD5 user@realm utf8", "{DIGEST-MD5}44a5e59975e4c4380258b35a4070e69b", PW_UTF8, "alice@example.org", true },
	{ "DIGEST-MD5 no realm", "{DIGEST-MD5}23e6d420d3a86675c20e2f70613a0506", PW_ASCII, "alice", true },
	{ "DIGEST-MD5 no realm utf8", "{DIGEST-MD5}847ca922a192eb0d8265fdba40e44a98", PW_UTF8, "alice", true },
	/* Iterated. */
	{ "PBKDF2", "{PBKDF2}$1$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151d8", PW_ASCII, NULL, true },
	{ "PBKDF2 utf8", "{PBKDF2}$1$mReZPayUXSnmUZ3q$5000$906df6ea8785e97b5093055e80133b40420b5f0e", PW_UTF8, NULL, true },
	{ "SCRAM-SHA-1", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=", PW_ASCII, NULL, true },
	{ "SCRAM-SHA-1 utf8", "{SCRAM-SHA-1}4096,QAOrHohXgsM41L6/ztT1wA==,UHBSFJEHKqbwhwCuFyonRsidUkM=,S7R06I3rI67Sf4q8dhiF6Q9JpfE=", PW_UTF8, NULL, true },
	{ "SCRAM-SHA-256", "{SCRAM-SHA-256}4096,XyHbfiSr8qkI1Pq58j/qbg==,S3iWHUphkU0AYDHJ9aRqeljfO3OjkGJseJD+QUCGBcw=,BsHmZW4jHYIOlHOQSX7rG67ttlLBvqmmilHzMrj2rP8=", PW_ASCII, NULL, true },
	{ "SCRAM-SHA-256 utf8", "{SCRAM-SHA-256}4096,pVLaIFH0NdRdLuKIpdlIgg==,np3TlggyLlkbbbN0ikQfvb1QfG2YJpH05gWMAoD4K3c=,M2lyWMRPgblUGUyF1lUtKZHjhCGm0NNRr89Yh11qehc=", PW_UTF8, NULL, true },
	/* PLAIN-TRUNC: the stored part is the first N bytes. */
	{ "PLAIN-TRUNC prefix", "{PLAIN-TRUNC}6-correc", PW_ASCII, NULL, true },
	{ "PLAIN-TRUNC prefix utf8", "{PLAIN-TRUNC}3-p\xc3\xa4", PW_UTF8, NULL, true },
	{ "PLAIN-TRUNC whole", "{PLAIN-TRUNC}20-correct horse", PW_ASCII, NULL, true },
};

static void
test_known_answers(void)
{
	for (size_t i = 0; i < N_ELEMENTS(known); i++) {
		const char *reason;

		MP_CHECK_RESULT(known[i].label, verify_as(known[i].stored, known[i].password,
							  known[i].user, &reason), MP_OK);
		MP_CHECK_RESULT(known[i].label, verify_as(known[i].stored, PW_WRONG,
							  known[i].user, &reason), MP_MISMATCH);
		CU_ASSERT_PTR_NOT_NULL(reason);
	}
}

/* Values whose answer depends on the details of a scheme. */
static const struct answer {
	const char *label, *stored, *password, *user;
	enum mp_result want;
	bool dovecot;	/* doveadm pw -t agrees (OK or not) */
} answers[] = {
	/* PLAIN-TRUNC: a prefix of N bytes, or the whole password when shorter. */
	{ "PLAIN-TRUNC exact prefix", "{PLAIN-TRUNC}6-correc", "correc", NULL, MP_OK, true },
	{ "PLAIN-TRUNC short password", "{PLAIN-TRUNC}6-correc", "corre", NULL, MP_MISMATCH, true },
	{ "PLAIN-TRUNC wrong prefix", "{PLAIN-TRUNC}6-correc", "correX horse", NULL, MP_MISMATCH, true },
	{ "PLAIN-TRUNC not cut", "{PLAIN-TRUNC}8-secret", "secret", NULL, MP_OK, true },
	{ "PLAIN-TRUNC not cut, longer", "{PLAIN-TRUNC}8-secret", "secrets", NULL, MP_MISMATCH, true },
	/* DIGEST-MD5 is salted with the name: another user or realm does not match. */
	{ "DIGEST-MD5 other user", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acf", PW_ASCII, "bob@example.org", MP_MISMATCH, true },
	{ "DIGEST-MD5 other realm", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acf", PW_ASCII, "alice@example.com", MP_MISMATCH, true },
	{ "DIGEST-MD5 realm from the last @", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acf", PW_ASCII, "alice@x@example.org", MP_MISMATCH, true },
	{ "DIGEST-MD5 no user", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acf", PW_ASCII, NULL, MP_MALFORMED, false },
	/* DES uses the first 8 bytes only; bcrypt the first 72. */
	{ "DES-CRYPT 8 bytes", "{DES-CRYPT}cKFIfjNg6aT2I", "correct ", NULL, MP_OK, true },
	{ "DES-CRYPT 7 bytes", "{DES-CRYPT}cKFIfjNg6aT2I", "correct", NULL, MP_MISMATCH, true },
	/* Case and near misses. */
	{ "SHA1 case", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g129A=", "Correct horse", NULL, MP_MISMATCH, true },
	{ "SHA1 upper-case hex", "{SHA1}2F9E53523B62ABC141A2B4D6019D23CBA835DBD0", PW_ASCII, NULL, MP_OK, true },
	{ "SCRAM-SHA-1 suffix", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=", PW_ASCII "x", NULL, MP_MISMATCH, true },
	{ "apr1 empty password", "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", "", NULL, MP_MISMATCH, false },
	/*
	 * As many characters as the digest has bytes: the row cannot tell them
	 * from a value the core decoded from .hex or .b64, so they are compared
	 * as bytes and do not match (Dovecot calls them malformed).
	 */
	{ "CRAM-MD5 of 32 characters", "{CRAM-MD5}38b57fd1a0c4b46c814aa05f20318edd", PW_ASCII, NULL, MP_MISMATCH, false },
	{ "lower-case scheme", "{sha512-crypt}$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0", PW_ASCII, NULL, MP_OK, true },
};

static void
test_answers(void)
{
	for (size_t i = 0; i < N_ELEMENTS(answers); i++) {
		const char *reason;

		MP_CHECK_RESULT(answers[i].label, verify_as(answers[i].stored,
							    answers[i].password,
							    answers[i].user, &reason),
				answers[i].want);
	}
}

/* Truncated, badly encoded and over-cost values: MALFORMED, and quickly. */
static void
test_malformed(void)
{
	static const struct {
		const char *label, *stored;
	} rows[] = {
		/* SHA-crypt. */
		{ "$6$ rounds=999999999", "$6$rounds=999999999$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$5$ rounds=999999999", "{SHA256-CRYPT}$5$rounds=999999999$fp3s38A9KgmOOopz$/gToM3USE89teOb8zid3T4kaIVwNpVBJy5ClAABplR0" },
		{ "$6$ rounds above ceiling", "$6$rounds=10000001$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$6$ rounds overflow", "$6$rounds=4294967296$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$6$ rounds below minimum", "$6$rounds=999$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$6$ rounds leading zero", "$6$rounds=010000$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$6$ rounds empty", "$6$rounds=$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0" },
		{ "$6$ truncated hash", "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu." },
		{ "$6$ long hash", "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.00" },
		{ "$6$ no hash", "$6$lp210MCn4K3SVZ45" },
		{ "$6$ salt over 16", "$6$lp210MCn4K3SVZ45x$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0" },
		{ "$6$ bad hash character", "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu*0" },
		{ "$5$ with a $6$ hash length", "$5$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0" },
		/* MD5-crypt and apr1. */
		{ "$1$ truncated", "$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow" },
		{ "$1$ no hash", "$1$bO/PMO6A" },
		{ "$1$ salt over 8", "$1$bO/PMO6Ax$1NEBuKBs.5vf0DKt9oeow." },
		{ "$apr1$ salt over 8", "$apr1$kqIRwapaX$GBo8wotQUZTkcIJm4JJwj1" },
		{ "$apr1$ truncated", "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj" },
		{ "$apr1$ trailing junk", "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1$" },
		{ "MD5 with a bad $1$", "{MD5}$1$14qNOP9s$lK//5Bb4RdJET" },
		/* bcrypt. */
		{ "$2y$ cost 31", "$2y$31$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2" },
		{ "$2y$ cost 17", "$2y$17$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2" },
		{ "$2b$ cost 99", "{BLF-CRYPT}$2b$99$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK" },
		{ "$2y$ cost 3", "$2y$03$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2" },
		{ "$2y$ cost one digit", "$2y$5$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2" },
		{ "$2y$ truncated", "$2y$05$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU" },
		{ "$2y$ no hash", "$2y$05$" },
		/* yescrypt: 'G' is N = 2^19, which with r = 32 is 2 GiB. */
		{ "$y$ 2 GiB", "$y$jGT$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		{ "$y$ N = 2^63", "$y$jzT$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		{ "$gy$ 2 GiB", "$gy$jGT$/DEr9NwL5MdLtsEQju89u.$YPruVe15Ce9HOsveExoJgxbZ0sDw0ORzVELGFXv//l4" },
		{ "$y$ huge r", "$y$j9zzzzzz$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		{ "$y$ ROM", "$y$j9T7.$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		{ "$y$ truncated hash", "$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHr" },
		{ "$y$ no salt", "$y$j9T$$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		{ "$y$ no params", "$y$$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA" },
		/* DES and unsupported families. */
		{ "DES 12 characters", "{DES-CRYPT}cKFIfjNg6aT2" },
		{ "DES bad character", "{DES-CRYPT}cKFIfjNg6aT2*" },
		{ "CRYPT empty", "{CRYPT}" },
		{ "CRYPT scrypt $7$", "{CRYPT}$7$CU..../....HfhJ4hNh4HN8oQLBJYjcw.$Uo4eJd0Unw2fbdAHsHSOpSQ.WAY74jNY1D5ZZWqgf50" },
		{ "CRYPT BSDI", "{CRYPT}_J9..CCCCXBrJUJV154M" },
		{ "CRYPT SunMD5", "{CRYPT}$md5$rounds=904$Vd3f8vBN$$XbAWXGbQXZ2pkq4kfqaFc/" },
		{ "CRYPT NT", "{CRYPT}$3$$8846f7eaee8fb117ad06bdd830b7586c" },
		{ "CRYPT NUL", "{CRYPT.HEX}243124624f2f504d4f36412400" },
		/* Digests. */
		{ "SHA1 bad base64", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g129A" },
		{ "SHA1 bad character", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g1*9A=" },
		{ "SHA1 short", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g1" },
		{ "SHA1 39 hex", "{SHA1}2f9e53523b62abc141a2b4d6019d23cba835dbd" },
		{ "SHA1 40 non-hex", "{SHA1}2f9e53523b62abc141a2b4d6019d23cba835dbdz" },
		{ "SHA1.HEX odd", "{SHA1.HEX}2f9e53523b62abc141a2b4d6019d23cba835dbd" },
		{ "SHA1.HEX short", "{SHA1.HEX}2f9e53523b62abc141a2b4d6019d23cba835db" },
		{ "SHA256 truncated", "{SHA256}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7Vj" },
		{ "SHA512 short", "{SHA512}VraY3v7bWkNbY0r+MyC7rz/c2SC2xQOkRvx7endrKY1HnRumqLYXgI6wv1ec6aldZoNHvKtxSQhayTyy" },
		{ "PLAIN-MD5 non-hex", "{PLAIN-MD5}3cb4e732631f47e6eb961f34554b7czz" },
		{ "PLAIN-MD5 empty", "{PLAIN-MD5}" },
		{ "PLAIN-MD4 short", "{PLAIN-MD4}b4fe5d2ad49f136f957a7a6b1c029c" },
		{ "MD5 neither", "{MD5}not an md5" },
		{ "SSHA no salt", "{SSHA}L55TUjtiq8FBorTWAZ0jy6g129A=" },
		{ "SSHA bad base64", "{SSHA}4JzSH6Rke0AZHFRHX47PP0b5tMAGTd+" },
		{ "SSHA256 no salt", "{SSHA256}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=" },
		{ "SSHA512 empty", "{SSHA512}" },
		{ "SMD5 no salt", "{SMD5}PLTnMmMfR+brlh80VUt83g==" },
		{ "CRAM-MD5 63 hex", "{CRAM-MD5}38b57fd1a0c4b46c814aa05f20318edd71c455380655f2c0ac35c5b359528d2" },
		{ "DIGEST-MD5 bad hex", "{DIGEST-MD5}61249fae4f54de6c481fcb1a75f10acg" },
		/* PLAIN-TRUNC. */
		{ "PLAIN-TRUNC no length", "{PLAIN-TRUNC}secret" },
		{ "PLAIN-TRUNC digits only", "{PLAIN-TRUNC}12345" },
		{ "PLAIN-TRUNC length 0", "{PLAIN-TRUNC}0-" },
		{ "PLAIN-TRUNC leading zero", "{PLAIN-TRUNC}06-correc" },
		{ "PLAIN-TRUNC huge length", "{PLAIN-TRUNC}99999999999999999999-x" },
		/* PBKDF2. */
		{ "PBKDF2 rounds=999999999", "{PBKDF2}$1$xExFG.HenE8ic5f6$999999999$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		{ "PBKDF2 rounds above ceiling", "{PBKDF2}$1$xExFG.HenE8ic5f6$10000001$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		{ "PBKDF2 rounds overflow", "{PBKDF2}$1$xExFG.HenE8ic5f6$99999999999$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		{ "PBKDF2 rounds 0", "{PBKDF2}$1$xExFG.HenE8ic5f6$0$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		{ "PBKDF2 rounds not digits", "{PBKDF2}$1$xExFG.HenE8ic5f6$50x0$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		{ "PBKDF2 truncated hash", "{PBKDF2}$1$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151d" },
		{ "PBKDF2 bad hex", "{PBKDF2}$1$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151dz" },
		{ "PBKDF2 no hash", "{PBKDF2}$1$xExFG.HenE8ic5f6$5000" },
		{ "PBKDF2 no rounds", "{PBKDF2}$1$xExFG.HenE8ic5f6" },
		{ "PBKDF2 other prefix", "{PBKDF2}$2$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151d8" },
		/* SCRAM. */
		{ "SCRAM iterations 999999999", "{SCRAM-SHA-256}999999999,XyHbfiSr8qkI1Pq58j/qbg==,S3iWHUphkU0AYDHJ9aRqeljfO3OjkGJseJD+QUCGBcw=,BsHmZW4jHYIOlHOQSX7rG67ttlLBvqmmilHzMrj2rP8=" },
		{ "SCRAM iterations above ceiling", "{SCRAM-SHA-1}10000001,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM iterations 0", "{SCRAM-SHA-1}0,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM iterations 4095 (Dovecot refuses them too)", "{SCRAM-SHA-1}4095,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM three fields", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=" },
		{ "SCRAM five fields", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=," },
		{ "SCRAM bad salt", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA=,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM empty salt", "{SCRAM-SHA-1}4096,,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM-SHA-256 with SHA-1 keys", "{SCRAM-SHA-256}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
		{ "SCRAM bad ServerKey", "{SCRAM-SHA-1}4096,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM" },
		{ "SCRAM iterations not digits", "{SCRAM-SHA-1}4o96,jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM=" },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		const char *reason;
		double start = now(), elapsed;

		MP_CHECK_RESULT(rows[i].label, verify_as(rows[i].stored, PW_ASCII, "alice",
							 &reason), MP_MALFORMED);
		elapsed = now() - start;
		if (elapsed > QUICK_SECONDS)
			fprintf(stderr, "\n  %s: took %.2f s, want < %.2f s\n", rows[i].label,
				elapsed, QUICK_SECONDS);
		CU_ASSERT(elapsed < QUICK_SECONDS);
		CU_ASSERT_PTR_NOT_NULL(reason);
	}
}

/* A NUL inside the password cannot reach crypt(3); the digests hash it. */
static void
test_password_bytes(void)
{
	static const char with_nul[] = "correct\0horse";
	struct mp_verify_request request = {
		.password = with_nul,
		.password_len = sizeof(with_nul) - 1,
		.user = NULL,
		.limits = &limits,
	};
	char longest[600];	/* over libcrypt's 512, under MP_PASSWORD_MAX */
	const char *reason;

	MP_CHECK_RESULT("NUL in password, crypt",
			mp_scheme_verify("$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow.", &request, &reason),
			MP_MALFORMED);
	MP_CHECK_RESULT("NUL in password, SHA1",
			mp_scheme_verify("{SHA1}L55TUjtiq8FBorTWAZ0jy6g129A=", &request, &reason),
			MP_MISMATCH);
	/* Longer than libcrypt takes: no crypt string can match it. */
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	request.password = longest;
	request.password_len = sizeof(longest) - 1;
	MP_CHECK_RESULT("over-long password, crypt",
			mp_scheme_verify("$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0",
					 &request, &reason), MP_MISMATCH);
	MP_CHECK_RESULT("over-long password, apr1",
			mp_scheme_verify("$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", &request, &reason),
			MP_MISMATCH);
}

/*
 * Passwords longer than libcrypt takes (511 bytes) and up to MP_PASSWORD_MAX:
 * Dovecot verifies MD5-crypt and bcrypt values of them (doveadm pw wrote
 * these for the 600 bytes below), and so must a migrated store.
 */
static void
test_long_passwords(void)
{
	static const char md5_crypt[] = "{MD5-CRYPT}$1$fcA1rdZo$OCtltZs2Fm4M.zV9n8Qpk/";
	static const char bcrypt[] = "{BLF-CRYPT}$2y$05$I4SG3pan.6QZm/iEt9edgul5oMYzWyWBWJ7NGGRq7vQWVcp2U9itu";
	char password[601];
	const char *reason;

	for (size_t i = 0; i < 600; i++)
		password[i] = "Long-password-"[i % 14];
	password[600] = '\0';
	MP_CHECK_RESULT("MD5-crypt, 600 bytes", verify_as(md5_crypt, password, NULL, &reason),
			MP_OK);
	MP_CHECK_RESULT("bcrypt, 600 bytes", verify_as(bcrypt, password, NULL, &reason), MP_OK);
	/* bcrypt reads 72 bytes: a change past them is not seen, one within them is. */
	password[599] = 'X';
	MP_CHECK_RESULT("MD5-crypt, last byte changed", verify_as(md5_crypt, password, NULL,
								   &reason), MP_MISMATCH);
	MP_CHECK_RESULT("bcrypt, byte 600 changed", verify_as(bcrypt, password, NULL, &reason),
			MP_OK);
	password[10] = 'X';
	MP_CHECK_RESULT("bcrypt, byte 11 changed", verify_as(bcrypt, password, NULL, &reason),
			MP_MISMATCH);
}

/*
 * The password is password_len bytes, with no NUL after them (SASL PLAIN
 * hands the core a pointer into the client's message): no scheme reads on.
 */
static void
test_password_not_terminated(void)
{
	static const struct {
		const char *label, *stored;
	} rows[] = {
		/* Each is a hash of "correct horse": "correct" must not match it. */
		{ "SHA-crypt", "$6$lp210MCn4K3SVZ45$QsQ8JY9EdFG8Anq2t..y1p7Ve/7gWQz0DBa6H7LOBEyjwkvT.7DDiA8P2QfGdERfpT9seMKBMsSIp73yG8Gu.0" },
		{ "MD5-crypt", "$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow." },
		{ "apr1", "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1" },
		{ "SHA1", "{SHA1}L55TUjtiq8FBorTWAZ0jy6g129A=" },
		{ "DES", "abhfCpXqd4GrI" },
		{ "bare $2x$", "$2x$05$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK" },
	};
	static const char text[] = "correct horse";
	struct mp_verify_request request = {
		.password = text,
		.password_len = 7,	/* "correct", followed by " horse" */
		.user = NULL,
		.limits = &limits,
	};
	const char *reason;

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		request.password_len = 7;
		MP_CHECK_RESULT(rows[i].label, mp_scheme_verify(rows[i].stored, &request, &reason),
				MP_MISMATCH);
		/* The whole text is the password: the same call accepts it. */
		request.password_len = sizeof(text) - 1;
		MP_CHECK_RESULT(rows[i].label, mp_scheme_verify(rows[i].stored, &request, &reason),
				MP_OK);
	}
}

/* doveadm pw -t reads the known answers as this suite does. */
static void
test_dovecot_agrees(void)
{
	char command[1024], out[512];

	if (!mp_test_have_tool("doveadm")) {
		mp_test_skip("doveadm pw -t cross-check", "doveadm not installed (Debian: dovecot-core)");
		return;
	}
	for (size_t i = 0; i < N_ELEMENTS(known) + N_ELEMENTS(answers); i++) {
		const char *label, *stored, *password, *user;
		bool want_ok;
		int status;

		if (i < N_ELEMENTS(known)) {
			if (!known[i].dovecot)
				continue;
			label = known[i].label;
			stored = known[i].stored;
			password = known[i].password;
			user = known[i].user;
			want_ok = true;
		} else {
			const struct answer *a = &answers[i - N_ELEMENTS(known)];

			if (!a->dovecot)
				continue;
			label = a->label;
			stored = a->stored;
			password = a->password;
			user = a->user;
			want_ok = a->want == MP_OK;
		}
		snprintf(command, sizeof(command), "doveadm pw -t '%s' -p '%s'%s%s 2>/dev/null",
			 stored, password, user != NULL ? " -u " : "", user != NULL ? user : "");
		status = mp_test_capture(command, out, sizeof(out));
		if ((status == 0) != want_ok)
			fprintf(stderr, "\n  %s: doveadm pw -t exited %d, want %s\n", label,
				status, want_ok ? "0" : "non-zero");
		CU_ASSERT((status == 0) == want_ok);
	}
}

/* Every scheme doveadm lists has a row, except those that cannot verify a cleartext. */
static void
test_doveadm_list(void)
{
	/* OTP holds the state of the one-time-password mechanism, not a password hash. */
	static const char *const not_rows[] = { "OTP" };
	char list[2048], *name, *save = NULL;

	if (!mp_test_have_tool("doveadm")) {
		mp_test_skip("doveadm pw -l", "doveadm not installed (Debian: dovecot-core)");
		return;
	}
	CU_ASSERT_FATAL(mp_test_capture("doveadm pw -l", list, sizeof(list)) == 0);
	for (name = strtok_r(list, " ", &save); name != NULL; name = strtok_r(NULL, " ", &save)) {
		bool excluded = false;

		for (size_t i = 0; i < N_ELEMENTS(not_rows); i++)
			excluded = excluded || strcmp(name, not_rows[i]) == 0;
		if (excluded)
			continue;
		if (mp_scheme_find(name) == NULL)
			fprintf(stderr, "\n  doveadm lists %s, which has no row\n", name);
		CU_ASSERT_PTR_NOT_NULL(mp_scheme_find(name));
	}
}

/*
 * check_tool - run command, which prints a hash (after skip_to, when given,
 * as in htpasswd's "user:hash"), put prefix before it, and check that the
 * result verifies with password and user and not with a wrong password.
 */
static void
check_tool(const char *label, const char *command, const char *prefix, char skip_to,
	   const char *password, const char *user)
{
	char out[512], stored[600];
	const char *hash = out, *reason;
	int status = mp_test_capture(command, out, sizeof(out));

	if (status != 0 || out[0] == '\0') {
		fprintf(stderr, "\n  %s: `%s` exited %d\n", label, command, status);
		CU_FAIL("tool failed to make a hash");
		return;
	}
	if (skip_to != '\0') {
		hash = strchr(out, skip_to);
		if (hash == NULL) {
			fprintf(stderr, "\n  %s: no '%c' in \"%s\"\n", label, skip_to, out);
			CU_FAIL("tool output has an unexpected shape");
			return;
		}
		hash++;
	}
	snprintf(stored, sizeof(stored), "%s%s", prefix, hash);
	MP_CHECK_RESULT(label, verify_as(stored, password, user, &reason), MP_OK);
	if (reason != NULL && strcmp(reason, "password accepted") != 0)
		fprintf(stderr, "\n  %s: %s (%s)\n", label, reason, stored);
	MP_CHECK_RESULT(label, verify_as(stored, PW_WRONG, user, &reason), MP_MISMATCH);
}

static const char *const tool_passwords[] = { PW_ASCII, PW_UTF8 };

static void
test_tool_doveadm(void)
{
	/* Every row of doveadm pw -l that verifies a cleartext (DIGEST-MD5 below). */
	static const char *const schemes[] = {
		"SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "BLF-CRYPT", "DES-CRYPT", "CRYPT",
		"SSHA512", "SSHA256", "SSHA", "SHA512", "SHA256", "SHA", "SHA1", "SMD5",
		"PLAIN-MD5", "LDAP-MD5", "PLAIN-MD4", "MD5", "CRAM-MD5", "HMAC-MD5",
		"PBKDF2", "SCRAM-SHA-1", "SCRAM-SHA-256",
		/* And with explicit encodings. */
		"SHA256.HEX", "SHA512.HEX", "SHA1.HEX", "PLAIN-MD5.B64", "PLAIN-MD4.BASE64",
		"LDAP-MD5.HEX", "CRAM-MD5.B64", "SSHA.HEX", "SSHA512.HEX", "SMD5.HEX",
		"SHA512-CRYPT.B64", "MD5-CRYPT.HEX",
	};
	static const char *const users[] = { "alice@example.org", "alice", "a@b@example.org" };
	char command[256], label[128];

	if (!mp_test_have_tool("doveadm")) {
		mp_test_skip("doveadm pw hashes", "doveadm not installed (Debian: dovecot-core)");
		return;
	}
	for (size_t p = 0; p < N_ELEMENTS(tool_passwords); p++) {
		for (size_t i = 0; i < N_ELEMENTS(schemes); i++) {
			snprintf(command, sizeof(command), "doveadm pw -s %s -p '%s'",
				 schemes[i], tool_passwords[p]);
			snprintf(label, sizeof(label), "doveadm %s #%zu", schemes[i], p);
			check_tool(label, command, "", '\0', tool_passwords[p], NULL);
		}
		for (size_t u = 0; u < N_ELEMENTS(users); u++) {
			const char *reason;
			char out[256];

			snprintf(command, sizeof(command), "doveadm pw -s DIGEST-MD5 -u '%s' -p '%s'",
				 users[u], tool_passwords[p]);
			snprintf(label, sizeof(label), "doveadm DIGEST-MD5 %s #%zu", users[u], p);
			check_tool(label, command, "", '\0', tool_passwords[p], users[u]);
			if (mp_test_capture(command, out, sizeof(out)) == 0)
				MP_CHECK_RESULT(label, verify_as(out, tool_passwords[p], "bob@example.org",
								 &reason), MP_MISMATCH);
		}
	}
}

static void
test_tool_mkpasswd(void)
{
	static const char *const methods[] = {
		"sha-512", "sha-256", "md5crypt", "bcrypt", "bcrypt-a", "yescrypt",
		"gost-yescrypt", "descrypt", "sha-512 -R 20000", "sha-256 -R 1000",
		"bcrypt -R 6", "yescrypt -R 3",
	};
	char command[256], label[128];

	if (!mp_test_have_tool("mkpasswd")) {
		mp_test_skip("mkpasswd hashes", "mkpasswd not installed (Debian: whois)");
		return;
	}
	for (size_t p = 0; p < N_ELEMENTS(tool_passwords); p++) {
		for (size_t i = 0; i < N_ELEMENTS(methods); i++) {
			snprintf(command, sizeof(command), "mkpasswd -m %s '%s' 2>/dev/null",
				 methods[i], tool_passwords[p]);
			snprintf(label, sizeof(label), "mkpasswd -m %s #%zu", methods[i], p);
			/* DES has no prefix: braced, as the importers write it. */
			check_tool(label, command,
				   strcmp(methods[i], "descrypt") == 0 ? "{DES-CRYPT}" : "", '\0',
				   tool_passwords[p], NULL);
		}
	}
}

static void
test_tool_htpasswd(void)
{
	static const struct {
		const char *flag, *prefix;
	} rows[] = {
		{ "-nbB", "" },			/* bcrypt $2y$ */
		{ "-nbm", "" },			/* $apr1$ */
		{ "-nbs", "" },			/* {SHA} */
		{ "-nbd", "{DES-CRYPT}" },	/* DES, braced */
		{ "-nbd", "" },			/* DES, bare: recognised by its shape */
		{ "-nbB -C 6", "" },
	};
	char command[256], label[128];

	if (!mp_test_have_tool("htpasswd")) {
		mp_test_skip("htpasswd hashes", "htpasswd not installed (Debian: apache2-utils)");
		return;
	}
	for (size_t p = 0; p < N_ELEMENTS(tool_passwords); p++) {
		for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
			snprintf(command, sizeof(command), "htpasswd %s user '%s' 2>/dev/null",
				 rows[i].flag, tool_passwords[p]);
			snprintf(label, sizeof(label), "htpasswd %s #%zu", rows[i].flag, p);
			check_tool(label, command, rows[i].prefix, ':', tool_passwords[p], NULL);
		}
	}
}

static void
test_tool_openssl(void)
{
	static const char *const flags[] = { "-1", "-5", "-6", "-apr1" };
	char command[256], label[128];

	if (!mp_test_have_tool("openssl")) {
		mp_test_skip("openssl passwd hashes", "openssl not installed (Debian: openssl)");
		return;
	}
	for (size_t p = 0; p < N_ELEMENTS(tool_passwords); p++) {
		for (size_t i = 0; i < N_ELEMENTS(flags); i++) {
			snprintf(command, sizeof(command), "openssl passwd %s '%s'", flags[i],
				 tool_passwords[p]);
			snprintf(label, sizeof(label), "openssl passwd %s #%zu", flags[i], p);
			check_tool(label, command, "", '\0', tool_passwords[p], NULL);
		}
	}
}

void
mp_test_register_scheme_legacy(void)
{
	CU_pSuite suite = CU_add_suite("scheme-legacy", NULL, NULL);

	CU_add_test(suite, "legacy rows and flags", test_rows);
	CU_add_test(suite, "bare prefixes", test_bare_prefixes);
	CU_add_test(suite, "DES shape", test_des_shape);
	CU_add_test(suite, "known answers", test_known_answers);
	CU_add_test(suite, "scheme details", test_answers);
	CU_add_test(suite, "malformed and over-cost values", test_malformed);
	CU_add_test(suite, "password bytes", test_password_bytes);
	CU_add_test(suite, "password not NUL-terminated", test_password_not_terminated);
	CU_add_test(suite, "passwords longer than libcrypt takes", test_long_passwords);
	CU_add_test(suite, "doveadm pw -t agrees", test_dovecot_agrees);
	CU_add_test(suite, "doveadm pw -l has rows", test_doveadm_list);
	CU_add_test(suite, "doveadm pw hashes", test_tool_doveadm);
	CU_add_test(suite, "mkpasswd hashes", test_tool_mkpasswd);
	CU_add_test(suite, "htpasswd hashes", test_tool_htpasswd);
	CU_add_test(suite, "openssl passwd hashes", test_tool_openssl);
}
