/*
 * lazy-load-test.c - the core loads libsodium and Nettle only when a scheme
 * needs them (shared/crypto-lib.c), and a load that fails is MP_INTERNAL:
 * never a crash, never "accepted", and remembered rather than retried.
 *
 * This program links the core and CUnit, not libsodium or Nettle.  It
 * defines dlopen() itself, ahead of libc's for the core, to count the
 * core's attempts at each soname and, when a scenario says so, to refuse
 * one (as if the library were not installed) or to hand back a handle that
 * has none of its symbols.  Each test runs its scenario in a child process
 * forked from a parent that never calls the loader, so that every scenario
 * starts with neither library loaded: the loader's once-only state is per
 * process.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "apop.h"
#include "crypto-lib.h"
#include "cunit-run.h"
#include "encoding.h"
#include "loaded-objects.h"
#include "result.h"
#include "scheme.h"
#include "secret.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* Stored values and their passwords; none of these schemes has a cost to bound. */
#define DES "abxJ8RbjpCsQw"
#define DES_PW "des-Secret-1"
#define SHA512_CRYPT "$6$saltsaltsalt$c3iH90FB44YXELhAzBd.arlwtWDRoBvO3DsxNVJ0xufsT/" \
	"tMqVFcn10i3A/uZ6gadnQLWDgYelGdb0uSqh.230"
#define SHA512_CRYPT_PW "sha-Secret-2"
#define APR1 "$apr1$saltsalt$Fhx5oP.MG/OWdn/p9yOLg."
#define APR1_PW "apr-Secret-3"
#define PLAIN "{PLAIN}plain-Secret-4"
#define PLAIN_PW "plain-Secret-4"
/* SHA-256 of "plain", as 64 hex digits (decoded by libsodium, hashed by Nettle). */
#define SHA256 "{SHA256}a116c9ed46d6207734a43317d30fd88f52ac8634c37d904bbf4e41d865f90475"
#define SHA256_PW "plain"
/* A well-formed Argon2id string (never computed here). */
#define ARGON2ID "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" \
	"mFnn8Ws9b2ZhvmnLx4IE1W/ObxSJ2HSHVeNKR7UmU5E"

#define APOP_TIMESTAMP "<1896.697170952@dbc.mtview.ca.us>"
#define APOP_DIGEST "c4c9334bac560ecc979e58001b3e22fb"

/* --- dlopen() as the core sees it. */

enum load_mode {
	LOAD_NORMAL,
	LOAD_MISSING,		/* dlopen fails: the library is not installed */
	LOAD_WITHOUT_SYMBOLS,	/* a handle to the program, which has none of them */
};

static enum load_mode sodium_mode, nettle_mode;
static unsigned int sodium_attempts, nettle_attempts;
static void *(*next_dlopen)(const char *file, int mode);

/* find_next_dlopen - libc's dlopen (or a sanitizer's in front of it); NULL if none. */
static bool
find_next_dlopen(void)
{
	if (next_dlopen == NULL)
		next_dlopen = (__typeof__(next_dlopen))dlsym(RTLD_NEXT, "dlopen");
	return next_dlopen != NULL;
}

void *
dlopen(const char *file, int mode)
{
	enum load_mode how = LOAD_NORMAL;

	/* Constructors may call it before main() (tests/sanitizer-report-path.c). */
	if (!find_next_dlopen())
		return NULL;

	if (file != NULL && strcmp(file, MP_SODIUM_SONAME) == 0) {
		__atomic_add_fetch(&sodium_attempts, 1, __ATOMIC_SEQ_CST);
		how = sodium_mode;
	} else if (file != NULL && strcmp(file, MP_NETTLE_SONAME) == 0) {
		__atomic_add_fetch(&nettle_attempts, 1, __ATOMIC_SEQ_CST);
		how = nettle_mode;
	}
	switch (how) {
	case LOAD_MISSING:
		return NULL;
	case LOAD_WITHOUT_SYMBOLS:
		return next_dlopen(NULL, mode);
	case LOAD_NORMAL:
		break;
	}
	return next_dlopen(file, mode);
}

/* --- What a scenario checks; each failed check is printed and counted. */

static unsigned int failures;

static void
check(bool ok, const char *label, const char *what)
{
	if (!ok) {
		fprintf(stderr, "\n  %s: %s", label, what);
		failures++;
	}
}

static void
check_result(const char *label, enum mp_result got, enum mp_result want)
{
	if (got != want) {
		fprintf(stderr, "\n  %s: got %s, want %s", label, mp_result_name(got),
			mp_result_name(want));
		failures++;
	}
}

static void
check_reason(const char *label, const char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "\n  %s: reason \"%s\", want \"%s\"", label,
			got != NULL ? got : "(null)", want);
		failures++;
	}
}

static void
check_loaded(const char *label, bool sodium, bool nettle)
{
	if (mp_test_loaded("libsodium") != sodium) {
		fprintf(stderr, "\n  %s: libsodium is %sin the process", label,
			sodium ? "not " : "");
		failures++;
	}
	if (mp_test_loaded("libnettle") != nettle) {
		fprintf(stderr, "\n  %s: Nettle is %sin the process", label, nettle ? "not " : "");
		failures++;
	}
}

struct verify_row {
	const char *label, *stored, *password;
	enum mp_result want;
	const char *want_reason;	/* NULL: not checked */
};

static void
check_verify_rows(const struct verify_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mp_verify_request request = {
			.password = rows[i].password,
			.password_len = strlen(rows[i].password),
			.user = "alice",
		};
		const char *reason = NULL;

		check_result(rows[i].label, mp_scheme_verify(rows[i].stored, &request, &reason),
			     rows[i].want);
		if (rows[i].want_reason != NULL)
			check_reason(rows[i].label, reason, rows[i].want_reason);
	}
}

/* --- The scenarios, each in a fresh child. */

/* crypt(3) loads nothing; {PLAIN} then loads libsodium alone, a digest Nettle too. */
static void
scenario_on_demand(void)
{
	static const struct verify_row crypt_rows[] = {
		{ "DES", DES, DES_PW, MP_OK, NULL },
		{ "DES, wrong password", DES, "wrong", MP_MISMATCH, NULL },
		{ "{CRYPT} DES", "{CRYPT}" DES, DES_PW, MP_OK, NULL },
		{ "SHA512-CRYPT", SHA512_CRYPT, SHA512_CRYPT_PW, MP_OK, NULL },
		{ "SHA512-CRYPT, wrong password", SHA512_CRYPT, DES_PW, MP_MISMATCH, NULL },
	};
	static const struct verify_row plain_rows[] = {
		{ "{PLAIN}", PLAIN, PLAIN_PW, MP_OK, NULL },
	};
	static const struct verify_row digest_rows[] = {
		{ "{SHA256}", SHA256, SHA256_PW, MP_OK, NULL },
		{ "$apr1$", APR1, APR1_PW, MP_OK, NULL },
	};

	check_verify_rows(crypt_rows, N_ELEMENTS(crypt_rows));
	check(sodium_attempts == 0 && nettle_attempts == 0, "crypt(3) logins",
	      "the core tried to load libsodium or Nettle");
	check_loaded("after crypt(3) logins", false, false);
	check_verify_rows(plain_rows, N_ELEMENTS(plain_rows));
	check_loaded("after a {PLAIN} login", true, false);
	check_verify_rows(digest_rows, N_ELEMENTS(digest_rows));
	check_loaded("after a {SHA256} login", true, true);
	check(sodium_attempts == 1 && nettle_attempts == 1, "every login",
	      "a library was loaded more than once");
}

/* Neither library can be loaded: everything that needs one is MP_INTERNAL. */
static void
scenario_missing(void)
{
	static const struct verify_row rows[] = {
		{ "{PLAIN}", PLAIN, PLAIN_PW, MP_INTERNAL, "cannot load libsodium" },
		{ "{PLAIN}, wrong password", PLAIN, "wrong", MP_INTERNAL,
		  "cannot load libsodium" },
		{ "{SHA256}", SHA256, SHA256_PW, MP_INTERNAL, "cannot load libsodium" },
		{ "ARGON2ID", ARGON2ID, "any", MP_INTERNAL, "cannot load libsodium" },
		{ "{PLAIN.hex}", "{PLAIN.hex}706c61696e", "plain", MP_INTERNAL,
		  "cannot load libsodium" },
		{ "$apr1$ (Nettle only)", APR1, APR1_PW, MP_INTERNAL, "cannot load Nettle" },
		/* crypt(3) needs neither. */
		{ "DES", DES, DES_PW, MP_OK, NULL },
		{ "DES, wrong password", DES, "wrong", MP_MISMATCH, NULL },
		{ "SHA512-CRYPT", SHA512_CRYPT, SHA512_CRYPT_PW, MP_OK, NULL },
	};
	static const struct mp_hash_params params = {
		.argon2_opslimit = 1,
		.argon2_memlimit = 8192 * 1024,
	};
	unsigned char *decoded = NULL;
	size_t decoded_len = 0;
	char digest[MP_APOP_DIGEST_HEX_LEN + 1] = "unchanged";
	char *stored = NULL, *encoded;
	const char *reason = NULL;

	sodium_mode = LOAD_MISSING;
	nettle_mode = LOAD_MISSING;
	check_verify_rows(rows, N_ELEMENTS(rows));

	check(!mp_secret_equal("same", 4, "same", 4), "mp_secret_equal",
	      "equal without libsodium");
	check_result("mp_scheme_hash ARGON2ID",
		     mp_scheme_hash(mp_scheme_find("ARGON2ID"), "new-Secret", 10, &params,
				    &stored, &reason), MP_INTERNAL);
	check_reason("mp_scheme_hash ARGON2ID", reason, "cannot load libsodium");
	check(stored == NULL, "mp_scheme_hash ARGON2ID", "a stored value came back");
	check_result("mp_decode hex", mp_decode(MP_ENCODING_HEX, "00", 2, &decoded,
						&decoded_len, &reason), MP_INTERNAL);
	check(decoded == NULL, "mp_decode hex", "a buffer came back");
	encoded = mp_encode(MP_ENCODING_BASE64, (const unsigned char *)"x", 1);
	check(encoded == NULL, "mp_encode base64", "a string came back");
	free(encoded);
	check_result("mp_apop_check", mp_apop_check(APOP_TIMESTAMP, strlen(APOP_TIMESTAMP),
						    APOP_DIGEST, strlen(APOP_DIGEST),
						    (const unsigned char *)"tanstaaf", 8,
						    &reason), MP_INTERNAL);
	/* A malformed digest is the client's error, libraries or not. */
	check_result("mp_apop_check, 31 digits", mp_apop_check(APOP_TIMESTAMP, strlen(APOP_TIMESTAMP),
								APOP_DIGEST, 31,
								(const unsigned char *)"tanstaaf", 8,
								&reason), MP_MALFORMED);
	check_reason("mp_apop_check, 31 digits", reason, "APOP digest is not 32 hex digits");
	mp_apop_digest(APOP_TIMESTAMP, strlen(APOP_TIMESTAMP), (const unsigned char *)"tanstaaf",
		       8, digest);
	check(digest[0] == '\0', "mp_apop_digest", "a digest came back");
	check_loaded("after the failed loads", false, false);

	/* Installed now: the failure is remembered, not retried. */
	sodium_mode = LOAD_NORMAL;
	nettle_mode = LOAD_NORMAL;
	check_verify_rows(rows, 2);
	check_verify_rows(rows + 5, 1);
	check(sodium_attempts == 1, "libsodium", "loaded more than once");
	check(nettle_attempts == 1, "Nettle", "loaded more than once");
	check_loaded("after the retries", false, false);
}

/* Both libraries load but lack their symbols. */
static void
scenario_symbols_missing(void)
{
	static const struct verify_row rows[] = {
		{ "{PLAIN}", PLAIN, PLAIN_PW, MP_INTERNAL,
		  "cannot load libsodium: a symbol is missing" },
		{ "$apr1$ (Nettle only)", APR1, APR1_PW, MP_INTERNAL,
		  "cannot load Nettle: a symbol is missing" },
		{ "DES", DES, DES_PW, MP_OK, NULL },
	};

	sodium_mode = LOAD_WITHOUT_SYMBOLS;
	nettle_mode = LOAD_WITHOUT_SYMBOLS;
	check_verify_rows(rows, N_ELEMENTS(rows));
}

/* Threads racing to the first load all get the one table; each library loads once. */
#define RACERS 8

struct racer {
	pthread_barrier_t *start;
	const struct mp_sodium *sodium;
	const struct mp_nettle *nettle;
};

static void *
race(void *data)
{
	struct racer *racer = data;
	const char *reason;

	pthread_barrier_wait(racer->start);
	racer->nettle = mp_nettle_load(&reason);
	racer->sodium = mp_sodium_load(&reason);
	return NULL;
}

static void
scenario_threads(void)
{
	struct racer racers[RACERS];
	pthread_t threads[RACERS];
	pthread_barrier_t start;
	size_t started = 0;

	if (pthread_barrier_init(&start, NULL, RACERS) != 0) {
		check(false, "threads", "pthread_barrier_init failed");
		return;
	}
	for (size_t i = 0; i < RACERS; i++) {
		racers[i] = (struct racer){ .start = &start };
		if (pthread_create(&threads[i], NULL, race, &racers[i]) != 0)
			break;
		started++;
	}
	check(started == RACERS, "threads", "pthread_create failed");
	if (started != RACERS)
		_exit(1);	/* the others wait at the barrier for ever */
	for (size_t i = 0; i < RACERS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
	for (size_t i = 0; i < RACERS; i++) {
		check(racers[i].sodium != NULL && racers[i].sodium == racers[0].sodium,
		      "threads", "a thread got no libsodium table, or another one");
		check(racers[i].nettle != NULL && racers[i].nettle == racers[0].nettle,
		      "threads", "a thread got no Nettle table, or another one");
	}
	check(sodium_attempts == 1, "threads", "libsodium was loaded more than once");
	check(nettle_attempts == 1, "threads", "Nettle was loaded more than once");
}

/* run_scenario - scenario in a child process; the test fails when any check did. */
static void
run_scenario(const char *label, void (*scenario)(void))
{
	int status = 0;
	pid_t pid;

	/* The parent never loads: each child starts with neither library. */
	CU_ASSERT_FATAL(sodium_attempts == 0 && nettle_attempts == 0);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		scenario();
		fflush(NULL);
		_exit(failures == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "\n  %s: the scenario failed (status 0x%x)\n", label,
			(unsigned int)status);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_on_demand(void)
{
	run_scenario("loaded on demand", scenario_on_demand);
}

static void
test_missing(void)
{
	run_scenario("libraries missing", scenario_missing);
}

static void
test_symbols_missing(void)
{
	run_scenario("symbols missing", scenario_symbols_missing);
}

static void
test_threads(void)
{
	run_scenario("threads", scenario_threads);
}

int
main(void)
{
	CU_pSuite suite;

	/* Found before any thread starts. */
	if (!find_next_dlopen()) {
		fprintf(stderr, "lazy-load-test: no dlopen after this program's\n");
		return 99;
	}
	/* A library linked in would make "not loaded" meaningless. */
	if (mp_test_loaded("libsodium") || mp_test_loaded("libnettle")) {
		fprintf(stderr, "lazy-load-test: libsodium or Nettle is linked into the "
			"program; it must link the core alone\n");
		return 99;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "lazy-load-test: %s\n", CU_get_error_msg());
		return 99;
	}
	suite = CU_add_suite("libsodium and Nettle on demand", NULL, NULL);
	if (suite == NULL ||
	    CU_add_test(suite, "crypt(3) loads neither; each loads when needed",
			test_on_demand) == NULL ||
	    CU_add_test(suite, "a missing library is MP_INTERNAL, remembered",
			test_missing) == NULL ||
	    CU_add_test(suite, "a library without its symbols is MP_INTERNAL",
			test_symbols_missing) == NULL ||
	    CU_add_test(suite, "threads racing to the first load", test_threads) == NULL) {
		fprintf(stderr, "lazy-load-test: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	return mp_test_run_cunit();
}
