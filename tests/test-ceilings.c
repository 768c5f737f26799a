/*
 * test-ceilings.c - the configured cost ceilings of stored values:
 * crypt_max_rounds, bcrypt_max_cost, yescrypt_max_memlimit and
 * pbkdf2_max_iterations.  A value exactly at its ceiling is computed and
 * verifies; one above it is MALFORMED with a reason that names the key and
 * says it was not computed; lowering a ceiling in mailpass.conf refuses a
 * value the default admits.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "scheme.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The password of every vector below (tests/test-scheme-legacy.c has them too). */
#define PW "correct horse"
#define PW_WRONG "not the password"

/* Known values of PW, one per family, at the cost their names give. */
#define SHA256_ROUNDS_1000 \
	"$5$rounds=1000$fp3s38A9KgmOOopz$/gToM3USE89teOb8zid3T4kaIVwNpVBJy5ClAABplR0"
#define SHA512_ROUNDS_10000_TAIL \
	"$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBvJiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0"
#define SHA512_ROUNDS_10000 "$6$rounds=10000" SHA512_ROUNDS_10000_TAIL
#define BCRYPT_TAIL "qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2"
#define BCRYPT_COST_5 "$2y$05$" BCRYPT_TAIL
/* yescrypt "j9T": N = 4096, r = 32, so 128 * N * r = 16 MiB. */
#define YESCRYPT_16M "$y$j9T$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA"
#define PBKDF2_5000 "{PBKDF2}$1$xExFG.HenE8ic5f6$5000$cba98199332e9c7b8dc36fa614c22ca2979151d8"
#define SCRAM_SHA1_TAIL \
	",jBUl0ZcBxcC9rw3YVp8GxA==,0JXh583RTpBtFEqkDoHGtQGZojs=,QZmoCZBgSJ6GcAumwXrE/VcupuM="
#define SCRAM_SHA1_4096 "{SCRAM-SHA-1}4096" SCRAM_SHA1_TAIL
#define SCRAM_SHA256_4096							\
	"{SCRAM-SHA-256}4096,XyHbfiSr8qkI1Pq58j/qbg==,"				\
	"S3iWHUphkU0AYDHJ9aRqeljfO3OjkGJseJD+QUCGBcw=,"				\
	"BsHmZW4jHYIOlHOQSX7rG67ttlLBvqmmilHzMrj2rP8="

/* The reasons of a refusal; each names the key that set the ceiling. */
#define WHY_SHA "SHA-crypt rounds above crypt_max_rounds; not computed"
#define WHY_BCRYPT "bcrypt cost above bcrypt_max_cost; not computed"
#define WHY_YESCRYPT "yescrypt memory above yescrypt_max_memlimit; not computed"
#define WHY_PBKDF2 "PBKDF2 rounds above pbkdf2_max_iterations; not computed"
#define WHY_SCRAM "SCRAM iteration count above pbkdf2_max_iterations; not computed"

/* Every legacy ceiling at the lowest value mailpass.conf takes. */
#define LOWEST								\
	"crypt_max_rounds = 1000\nbcrypt_max_cost = 4\n"		\
	"yescrypt_max_memlimit = 8K\npbkdf2_max_iterations = 1\n"

struct ceiling_row {
	const char *label;
	const char *conf;	/* mailpass.conf text applied on top of the defaults */
	const char *stored;
	const char *password;
	enum mp_result want;
	const char *want_reason;	/* the whole reason, or NULL when not checked */
};

static const struct ceiling_row rows[] = {
	/* SHA-crypt, "$5$" and "$6$", bare and under every row that takes them. */
	{ "$5$ at crypt_max_rounds", "crypt_max_rounds = 1000",
	  SHA256_ROUNDS_1000, PW, MP_OK, NULL },
	{ "$5$ at crypt_max_rounds, wrong password", "crypt_max_rounds = 1000",
	  SHA256_ROUNDS_1000, PW_WRONG, MP_MISMATCH, "password mismatch" },
	{ "$6$ at crypt_max_rounds", "crypt_max_rounds = 10000",
	  SHA512_ROUNDS_10000, PW, MP_OK, NULL },
	{ "$6$ under the default", "", SHA512_ROUNDS_10000, PW, MP_OK, NULL },
	{ "$6$ over a lowered crypt_max_rounds", "crypt_max_rounds = 9999",
	  SHA512_ROUNDS_10000, PW, MP_MALFORMED, WHY_SHA },
	{ "{SHA512-CRYPT} over a lowered crypt_max_rounds", "crypt_max_rounds = 5000",
	  "{SHA512-CRYPT}" SHA512_ROUNDS_10000, PW, MP_MALFORMED, WHY_SHA },
	{ "{SHA256-CRYPT} over a lowered crypt_max_rounds", "crypt_max_rounds = 1000",
	  "{SHA256-CRYPT}$5$rounds=1001$fp3s38A9KgmOOopz$/gToM3USE89teOb8zid3T4kaIVwNpVBJy5ClAABplR0",
	  PW, MP_MALFORMED, WHY_SHA },
	{ "{CRYPT} over a lowered crypt_max_rounds", "crypt_max_rounds = 5000",
	  "{CRYPT}" SHA512_ROUNDS_10000, PW, MP_MALFORMED, WHY_SHA },
	{ "$6$ one over the default", "",
	  "$6$rounds=10000001" SHA512_ROUNDS_10000_TAIL, PW, MP_MALFORMED, WHY_SHA },
	{ "$6$ rounds=999999999 at the default", "",
	  "$6$rounds=999999999" SHA512_ROUNDS_10000_TAIL, PW, MP_MALFORMED, WHY_SHA },
	/* A raised ceiling lets the string through to its shape check (not computed). */
	{ "$6$ under a raised crypt_max_rounds reaches the shape check",
	  "crypt_max_rounds = 999999999", "$6$rounds=999999999$YLSB6axMhbtC0php$short",
	  PW, MP_MALFORMED, "SHA-crypt string has a malformed hash" },
	/*
	 * Without rounds= the string costs libcrypt's 5000 and is held to the
	 * ceiling as "rounds=5000" is.
	 */
	{ "$6$ without rounds= at a ceiling of 5000", "crypt_max_rounds = 5000",
	  "$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0",
	  PW, MP_OK, NULL },
	{ "$6$ without rounds= over a ceiling of 4999", "crypt_max_rounds = 4999",
	  "$6$w5gcO39Zezlx9xh4$yaqfAmZX0gbTkueU3Dp5Ya8TJccfXScsG5tvTmy45gQ/C3L/Au7N3jl7nnlXhb/m3YwuF/HfWmgj/S3QBDhKD0",
	  PW, MP_MALFORMED, WHY_SHA },

	/* bcrypt: "$2a$", "$2b$", "$2x$" and "$2y$", bare and {BLF-CRYPT}. */
	{ "$2y$ at bcrypt_max_cost", "bcrypt_max_cost = 5", BCRYPT_COST_5, PW, MP_OK, NULL },
	{ "$2y$ under the default", "", BCRYPT_COST_5, PW, MP_OK, NULL },
	{ "$2y$ over a lowered bcrypt_max_cost", "bcrypt_max_cost = 4",
	  BCRYPT_COST_5, PW, MP_MALFORMED, WHY_BCRYPT },
	{ "{BLF-CRYPT} $2y$ over a lowered bcrypt_max_cost", "bcrypt_max_cost = 4",
	  "{BLF-CRYPT}" BCRYPT_COST_5, PW, MP_MALFORMED, WHY_BCRYPT },
	{ "$2a$ over a lowered bcrypt_max_cost", "bcrypt_max_cost = 4",
	  "$2a$05$hHCwTlhMB8z.iT4OFDpsjepfg/x1NLhYMORqCA1jGicYDT2HVKHw2",
	  PW, MP_MALFORMED, WHY_BCRYPT },
	{ "$2b$ over a lowered bcrypt_max_cost", "bcrypt_max_cost = 4",
	  "{BLF-CRYPT}$2b$05$Y.oyCSdKNWfZ9utuPaniUOd.cwtTgOOcff/rFQqpHoV8OOoYI3enK",
	  PW, MP_MALFORMED, WHY_BCRYPT },
	{ "$2x$ over a lowered bcrypt_max_cost", "bcrypt_max_cost = 4",
	  "{BLF-CRYPT}$2x$05$" BCRYPT_TAIL, PW, MP_MALFORMED, WHY_BCRYPT },
	{ "$2y$ cost 17 over the default", "", "$2y$17$" BCRYPT_TAIL,
	  PW, MP_MALFORMED, WHY_BCRYPT },
	{ "$2y$ cost 31 under a raised bcrypt_max_cost reaches the shape check",
	  "bcrypt_max_cost = 31", "$2y$31$short", PW, MP_MALFORMED,
	  "bcrypt string has a malformed salt or hash" },

	/* yescrypt. */
	{ "$y$ at yescrypt_max_memlimit", "yescrypt_max_memlimit = 16M",
	  YESCRYPT_16M, PW, MP_OK, NULL },
	{ "$y$ under the default", "", YESCRYPT_16M, PW, MP_OK, NULL },
	{ "$y$ one byte over a lowered yescrypt_max_memlimit",
	  "yescrypt_max_memlimit = 16777215", YESCRYPT_16M, PW, MP_MALFORMED, WHY_YESCRYPT },
	{ "{CRYPT} $y$ over a lowered yescrypt_max_memlimit", "yescrypt_max_memlimit = 8M",
	  "{CRYPT}" YESCRYPT_16M, PW, MP_MALFORMED, WHY_YESCRYPT },
	/* "jFT": N = 2^18, r = 32: 1 GiB, the default ceiling exactly; "jGT" is 2 GiB. */
	{ "$y$ of 2 GiB over the default", "",
	  "$y$jGT$NIW0i8MDxDTEyenuUAdT7/$MjQUquyuTE0YS6mX6jhd7WEWnnI9uWKpl1EOSEeFHrA",
	  PW, MP_MALFORMED, WHY_YESCRYPT },
	{ "$y$ of 2 GiB under a raised ceiling reaches the shape check",
	  "yescrypt_max_memlimit = 2G", "$y$jGT$NIW0i8MDxDTEyenuUAdT7/$short",
	  PW, MP_MALFORMED, "yescrypt string has a malformed hash" },

	/* PBKDF2 and SCRAM share pbkdf2_max_iterations. */
	{ "PBKDF2 at pbkdf2_max_iterations", "pbkdf2_max_iterations = 5000",
	  PBKDF2_5000, PW, MP_OK, NULL },
	{ "PBKDF2 under the default", "", PBKDF2_5000, PW, MP_OK, NULL },
	{ "PBKDF2 over a lowered pbkdf2_max_iterations", "pbkdf2_max_iterations = 4999",
	  PBKDF2_5000, PW, MP_MALFORMED, WHY_PBKDF2 },
	{ "PBKDF2 one over the default", "",
	  "{PBKDF2}$1$xExFG.HenE8ic5f6$10000001$cba98199332e9c7b8dc36fa614c22ca2979151d8",
	  PW, MP_MALFORMED, WHY_PBKDF2 },
	{ "SCRAM-SHA-1 at pbkdf2_max_iterations", "pbkdf2_max_iterations = 4096",
	  SCRAM_SHA1_4096, PW, MP_OK, NULL },
	{ "SCRAM-SHA-1 at pbkdf2_max_iterations, wrong password", "pbkdf2_max_iterations = 4096",
	  SCRAM_SHA1_4096, PW_WRONG, MP_MISMATCH, "password mismatch" },
	{ "SCRAM-SHA-1 over a lowered pbkdf2_max_iterations", "pbkdf2_max_iterations = 4095",
	  SCRAM_SHA1_4096, PW, MP_MALFORMED, WHY_SCRAM },
	{ "SCRAM-SHA-256 at pbkdf2_max_iterations", "pbkdf2_max_iterations = 4096",
	  SCRAM_SHA256_4096, PW, MP_OK, NULL },
	{ "SCRAM-SHA-256 over a lowered pbkdf2_max_iterations", "pbkdf2_max_iterations = 1",
	  SCRAM_SHA256_4096, PW, MP_MALFORMED, WHY_SCRAM },
	{ "SCRAM-SHA-1 one over the default", "",
	  "{SCRAM-SHA-1}10000001" SCRAM_SHA1_TAIL, PW, MP_MALFORMED, WHY_SCRAM },

	/* Schemes of a fixed cost: no ceiling applies, however low. */
	{ "MD5-crypt under the lowest ceilings", LOWEST,
	  "$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow.", PW, MP_OK, NULL },
	{ "{MD5} $1$ under the lowest ceilings", LOWEST,
	  "{MD5}$1$bO/PMO6A$1NEBuKBs.5vf0DKt9oeow.", PW, MP_OK, NULL },
	{ "$apr1$ under the lowest ceilings", LOWEST,
	  "$apr1$kqIRwapa$GBo8wotQUZTkcIJm4JJwj1", PW, MP_OK, NULL },
	{ "DES under the lowest ceilings", LOWEST, "{CRYPT}08FrpAoQpCPjw", PW, MP_OK, NULL },
};

/* check_reason - reason is want (when want is not NULL). */
static void
check_reason(const char *label, const char *reason, const char *want)
{
	if (want != NULL)
		MP_CHECK_STR(label, reason, want);
}

static void
test_rows(void)
{
	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		const struct ceiling_row *row = &rows[i];
		struct mp_verify_request request = {
			.password = row->password,
			.password_len = strlen(row->password),
			.user = "alice",
		};
		char error[MP_ERROR_MAX];
		struct mp_conf conf;
		const char *reason = NULL;
		enum mp_result parsed;

		mp_conf_defaults(&conf);
		parsed = mp_conf_parse(&conf, row->conf, strlen(row->conf), error, sizeof(error));
		if (parsed != MP_OK)
			fprintf(stderr, "\n  %s: configuration: %s\n", row->label, error);
		CU_ASSERT_FATAL(parsed == MP_OK);
		request.limits = &conf.limits;
		MP_CHECK_RESULT(row->label, mp_scheme_verify(row->stored, &request, &reason),
				row->want);
		check_reason(row->label, reason, row->want_reason);
	}
}

/*
 * Limits that leave the legacy-scheme fields zero, and no limits at all,
 * get the built-in ceilings: nothing is unbounded by omission.
 */
static void
test_zero_means_default(void)
{
	static const struct mp_verify_limits argon2_only = {
		.argon2_max_opslimit = 16,
		.argon2_max_memlimit = 1024UL * 1024 * 1024,
		.argon2_max_lanes = 16,
	};
	static const struct {
		const char *label, *stored;
		enum mp_result want;
		const char *want_reason;
	} cases[] = {
		{ "SHA-crypt under the default", SHA512_ROUNDS_10000, MP_OK, NULL },
		{ "SHA-crypt over the default", "$6$rounds=10000001" SHA512_ROUNDS_10000_TAIL,
		  MP_MALFORMED, WHY_SHA },
		{ "bcrypt over the default", "$2y$17$" BCRYPT_TAIL, MP_MALFORMED, WHY_BCRYPT },
		{ "yescrypt under the default", YESCRYPT_16M, MP_OK, NULL },
		{ "PBKDF2 over the default",
		  "{PBKDF2}$1$xExFG.HenE8ic5f6$10000001$cba98199332e9c7b8dc36fa614c22ca2979151d8",
		  MP_MALFORMED, WHY_PBKDF2 },
		{ "SCRAM over the default", "{SCRAM-SHA-1}10000001" SCRAM_SHA1_TAIL,
		  MP_MALFORMED, WHY_SCRAM },
	};
	const struct mp_verify_limits *variants[] = { &argon2_only, NULL };

	for (size_t v = 0; v < N_ELEMENTS(variants); v++) {
		for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
			struct mp_verify_request request = {
				.password = PW,
				.password_len = strlen(PW),
				.limits = variants[v],
			};
			char label[128];
			const char *reason = NULL;

			snprintf(label, sizeof(label), "%s, %s", cases[i].label,
				 variants[v] != NULL ? "Argon2 fields only" : "NULL limits");
			MP_CHECK_RESULT(label, mp_scheme_verify(cases[i].stored, &request, &reason),
					cases[i].want);
			check_reason(label, reason, cases[i].want_reason);
		}
	}
}

/* The reason of a refused stored value reaches the adapters through mp_auth_verify(). */
static void
test_auth_reason(void)
{
	char store_path[300], error[MP_ERROR_MAX], store_text[512];
	const char *dir = mp_test_tmpdir(), *reason = NULL, *note = NULL;
	struct mp_auth *auth = NULL;
	struct mp_conf conf;

	snprintf(store_path, sizeof(store_path), "%s/passwd", dir);
	snprintf(store_text, sizeof(store_text), "bob:{SHA512-CRYPT}%s\nmallory:%s\n",
		 SHA512_ROUNDS_10000, "$6$rounds=999999999" SHA512_ROUNDS_10000_TAIL);
	CU_ASSERT_FATAL(mp_test_write_file(store_path, store_text, 0600));
	mp_conf_defaults(&conf);
	snprintf(conf.store, sizeof(conf.store), "file:%s", store_path);
	conf.hash.argon2_opslimit = 1;
	conf.hash.argon2_memlimit = 64 * 1024;
	conf.rehash = false;
	CU_ASSERT_FATAL(mp_conf_parse(&conf, "crypt_max_rounds = 5000\n",
				      strlen("crypt_max_rounds = 5000\n"), error,
				      sizeof(error)) == MP_OK);
	if (mp_auth_open_conf(&conf, &auth, error, sizeof(error)) != MP_OK)
		fprintf(stderr, "\n  auth reason: %s\n", error);
	CU_ASSERT_PTR_NOT_NULL_FATAL(auth);

	MP_CHECK_RESULT("lowered ceiling, through auth",
			mp_auth_verify(auth, "bob", 3, PW, strlen(PW), 0, &reason, &note),
			MP_MALFORMED);
	MP_CHECK_STR("lowered ceiling, through auth", reason, WHY_SHA);
	CU_ASSERT_PTR_NULL(note);
	MP_CHECK_RESULT("poisoned value, through auth",
			mp_auth_verify(auth, "mallory", 7, PW, strlen(PW), 0, &reason, &note),
			MP_MALFORMED);
	MP_CHECK_STR("poisoned value, through auth", reason, WHY_SHA);
	mp_auth_close(&auth);
}

void
mp_test_register_ceilings(void)
{
	CU_pSuite suite = CU_add_suite("ceilings", NULL, NULL);

	CU_add_test(suite, "at, over and under each ceiling", test_rows);
	CU_add_test(suite, "zero and NULL limits mean the defaults", test_zero_means_default);
	CU_add_test(suite, "the reason reaches mp_auth_verify", test_auth_reason);
}
