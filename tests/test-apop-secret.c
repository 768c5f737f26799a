/* test-apop-secret.c - the APOP key file and sealed/plain APOP secrets. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apop-secret.h"
#include "mp-limits.h"
#include "secret.h"
#include "store-faults.h"
#include "unit.h"

/* A keygen that dies halfway leaves no key file, and the next one works. */
static void
test_key_file_crash(void)
{
	char path[512];
	const char *reason;
	struct stat st;
	int status = 0;
	pid_t pid;

	/*
	 * memcheck runs its leak check on a process that kills itself, and
	 * reports what a process stopped halfway holds: the normal and the
	 * sanitizer builds run this test.
	 */
	if (getenv("MAILPASS_VALGRIND_SUPP") != NULL) {
		fprintf(stderr, "\n  SKIP key file after a crash: under valgrind, a process killed "
			"halfway is reported as leaking\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/crash.key", mp_test_tmpdir());
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		mp_fault_arm(MP_FAULT_CRASH_AT_WRITE, NULL, NULL);
		(void)mp_apop_key_create(path, &reason);
		_exit(0);
	}
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT(lstat(path, &st) != 0 && errno == ENOENT);
	MP_CHECK_RESULT("create after the crash", mp_apop_key_create(path, &reason), MP_OK);
	CU_ASSERT(stat(path, &st) == 0 && st.st_size == MP_APOP_KEY_BYTES);
}

static void
test_key_file(void)
{
	const char *dir = mp_test_tmpdir();
	unsigned char key[MP_APOP_KEY_BYTES], again[MP_APOP_KEY_BYTES];
	char path[512], bad[512], error[MP_ERROR_MAX];
	struct stat st;
	const char *reason;

	snprintf(path, sizeof(path), "%s/apop.key", dir);
	MP_CHECK_RESULT("create", mp_apop_key_create(path, &reason), MP_OK);
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT((st.st_mode & 07777) == 0600);
	CU_ASSERT(st.st_size == MP_APOP_KEY_BYTES);
	MP_CHECK_RESULT("refuses to overwrite", mp_apop_key_create(path, &reason),
			MP_UNAVAILABLE);
	CU_ASSERT(strstr(reason, "exists") != NULL);
	MP_CHECK_RESULT("load", mp_apop_key_load(path, NULL, key, error, sizeof(error)), MP_OK);
	MP_CHECK_RESULT("load again", mp_apop_key_load(path, NULL, again, error, sizeof(error)), MP_OK);
	CU_ASSERT(memcmp(key, again, sizeof(key)) == 0);

	snprintf(bad, sizeof(bad), "%s/short.key", dir);
	CU_ASSERT_FATAL(mp_test_write_file(bad, "only 31 bytes, one short.......", 0600));
	MP_CHECK_RESULT("31-byte key", mp_apop_key_load(bad, NULL, key, error, sizeof(error)), MP_MALFORMED);
	snprintf(bad, sizeof(bad), "%s/long.key", dir);
	CU_ASSERT_FATAL(mp_test_write_file(bad, "thirty-three bytes, one too many.", 0600));
	MP_CHECK_RESULT("33-byte key", mp_apop_key_load(bad, NULL, key, error, sizeof(error)), MP_MALFORMED);
	snprintf(bad, sizeof(bad), "%s/missing.key", dir);
	MP_CHECK_RESULT("missing key", mp_apop_key_load(bad, NULL, key, error, sizeof(error)), MP_UNAVAILABLE);
	MP_CHECK_RESULT("directory as key", mp_apop_key_load(dir, NULL, key, error, sizeof(error)), MP_UNAVAILABLE);
}

static void
open_check(const char *label, const char *field, const unsigned char *key,
	   enum mp_result want, const char *want_secret)
{
	unsigned char *secret = NULL;
	size_t len = 0;
	const char *reason = NULL;
	enum mp_result got = mp_apop_secret_open(field, key, &secret, &len, &reason);

	MP_CHECK_RESULT(label, got, want);
	if (want == MP_OK && got == MP_OK) {
		CU_ASSERT(len == strlen(want_secret));
		MP_CHECK_STR(label, (const char *)secret, want_secret);
	} else {
		CU_ASSERT_PTR_NULL(secret);
	}
	mp_secret_free(&secret, len);
}

static void
test_seal_open(void)
{
	unsigned char key[MP_APOP_KEY_BYTES], other[MP_APOP_KEY_BYTES];
	char *field = NULL;
	const char *reason;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(other, sizeof(other));

	/* Sealed: the field does not hold the secret, and opens only with the key. */
	MP_CHECK_RESULT("seal", mp_apop_secret_seal(key, "tanstaaf", 8, &field, &reason), MP_OK);
	CU_ASSERT_FATAL(field != NULL);
	CU_ASSERT(strncmp(field, "{SECRETBOX}", 11) == 0);
	CU_ASSERT(strstr(field, "tanstaaf") == NULL);
	CU_ASSERT(strpbrk(field, " \t:\n") == NULL);
	open_check("open sealed", field, key, MP_OK, "tanstaaf");
	open_check("sealed without key", field, NULL, MP_UNAVAILABLE, NULL);
	open_check("sealed with another key", field, other, MP_MALFORMED, NULL);
	/* Scheme names are case-insensitive, {SECRETBOX} too. */
	memcpy(field, "{secretbox}", 11);
	open_check("open sealed, lower-case prefix", field, key, MP_OK, "tanstaaf");
	/* Flip one character of the ciphertext. */
	field[20] = field[20] == 'A' ? 'B' : 'A';
	open_check("tampered", field, key, MP_MALFORMED, NULL);
	free(field);

	/* Two seals of one secret differ (random nonce). */
	{
		char *a = NULL, *b = NULL;

		CU_ASSERT(mp_apop_secret_seal(key, "same", 4, &a, &reason) == MP_OK);
		CU_ASSERT(mp_apop_secret_seal(key, "same", 4, &b, &reason) == MP_OK);
		CU_ASSERT(a != NULL && b != NULL && strcmp(a, b) != 0);
		free(a);
		free(b);
	}

	MP_CHECK_RESULT("plain", mp_apop_secret_seal(NULL, "tanstaaf", 8, &field, &reason), MP_OK);
	MP_CHECK_STR("plain field", field, "{PLAIN}tanstaaf");
	free(field);
	MP_CHECK_RESULT("plain with space", mp_apop_secret_seal(NULL, "two words", 9, &field,
								 &reason), MP_OK);
	MP_CHECK_STR("plain b64 field", field, "{PLAIN.b64}dHdvIHdvcmRz");
	open_check("open plain b64", field, NULL, MP_OK, "two words");
	free(field);

	field = NULL;
	MP_CHECK_RESULT("empty secret", mp_apop_secret_seal(key, "", 0, &field, &reason),
			MP_MALFORMED);
	MP_CHECK_RESULT("NUL in secret", mp_apop_secret_seal(key, "a\0b", 3, &field, &reason),
			MP_MALFORMED);
	CU_ASSERT_PTR_NULL(field);

	open_check("open plain", "{PLAIN}tanstaaf", NULL, MP_OK, "tanstaaf");
	open_check("open plain hex", "{PLAIN.hex}74616e7374616166", NULL, MP_OK, "tanstaaf");
	open_check("hash is not a secret", "{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
		   NULL, MP_MALFORMED, NULL);
	open_check("empty plain", "{PLAIN}", NULL, MP_MALFORMED, NULL);
	open_check("bad base64 box", "{SECRETBOX}not*base64", key, MP_MALFORMED, NULL);
	open_check("short box", "{SECRETBOX}AAAA", key, MP_MALFORMED, NULL);
	open_check("unknown scheme", "{ROT13}gnafgnns", NULL, MP_MALFORMED, NULL);

	/* The limit of a password holds for a stored secret as for a new one. */
	{
		char longest[sizeof("{PLAIN}") + MP_PASSWORD_MAX + 1];

		memcpy(longest, "{PLAIN}", 7);
		memset(longest + 7, 's', MP_PASSWORD_MAX + 1);
		longest[7 + MP_PASSWORD_MAX + 1] = '\0';
		open_check("stored secret of 1025 bytes", longest, NULL, MP_MALFORMED, NULL);
		longest[7 + MP_PASSWORD_MAX] = '\0';
		open_check("stored secret of 1024 bytes", longest, NULL, MP_OK, longest + 7);
	}
}

/* What show, audit and check report of a field: one answer for all three. */
static void
test_secret_form(void)
{
	static const struct {
		const char *label, *field;
		enum mp_apop_form want;
	} rows[] = {
		{ "no field", NULL, MP_APOP_NONE },
		{ "empty field", "", MP_APOP_NONE },
		{ "sealed", "{SECRETBOX}AAAA", MP_APOP_SEALED },
		{ "sealed, lower case", "{secretbox}AAAA", MP_APOP_SEALED },
		{ "plain", "{PLAIN}tanstaaf", MP_APOP_CLEARTEXT },
		{ "plain, Dovecot's other name", "{CLEARTEXT}tanstaaf", MP_APOP_CLEARTEXT },
		{ "plain b64", "{PLAIN.b64}dHdvIHdvcmRz", MP_APOP_CLEARTEXT },
		{ "a hash", "{PLAIN-MD5}1b0e9fd3f3ac4b5b8e2a5f3fd3c8f8b1", MP_APOP_UNUSABLE },
		{ "empty plain", "{PLAIN}", MP_APOP_UNUSABLE },
		{ "bad base64", "{PLAIN.b64}***", MP_APOP_UNUSABLE },
		{ "unknown scheme", "{ROT13}gnafgnns", MP_APOP_UNUSABLE },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *reason = NULL;
		enum mp_apop_form got = mp_apop_secret_form(rows[i].field, &reason);

		if (got != rows[i].want)
			fprintf(stderr, "\n  %s: got form %d, want %d\n", rows[i].label, (int)got,
				(int)rows[i].want);
		CU_ASSERT(got == rows[i].want);
		CU_ASSERT_PTR_NOT_NULL(reason);
		if (reason != NULL)
			CU_ASSERT((*reason != '\0') == (rows[i].want == MP_APOP_UNUSABLE));
	}
}

void
mp_test_register_apop_secret(void)
{
	CU_pSuite suite = CU_add_suite("apop-secret", NULL, NULL);

	CU_add_test(suite, "key file", test_key_file);
	CU_add_test(suite, "key file after a crash", test_key_file_crash);
	CU_add_test(suite, "seal and open", test_seal_open);
	CU_add_test(suite, "the form of a field", test_secret_form);
}
