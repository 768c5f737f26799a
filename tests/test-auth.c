/* test-auth.c - the adapters' decisions, over a real passwd-file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apop.h"
#include "apop-secret.h"
#include "auth.h"
#include "secret.h"
#include "store-faults.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char dir[256];
	char store_path[300];
	struct mp_conf conf;
	struct mp_auth *auth;
};

/* fixture_open - a store with the given text, cheap Argon2, and rehash as asked. */
static void
fixture_open(struct fixture *f, const char *store_text, bool rehash, bool with_key)
{
	char error[MP_ERROR_MAX];
	const char *reason;

	snprintf(f->dir, sizeof(f->dir), "%s", mp_test_tmpdir());
	snprintf(f->store_path, sizeof(f->store_path), "%s/passwd", f->dir);
	CU_ASSERT_FATAL(mp_test_write_file(f->store_path, store_text, 0640));
	mp_conf_defaults(&f->conf);
	snprintf(f->conf.store, sizeof(f->conf.store), "file:%s", f->store_path);
	f->conf.hash.argon2_opslimit = 3;
	f->conf.hash.argon2_memlimit = 64 * 1024;
	f->conf.rehash = rehash;
	if (with_key) {
		snprintf(f->conf.apop_key, sizeof(f->conf.apop_key), "%s/apop.key", f->dir);
		CU_ASSERT_FATAL(mp_apop_key_create(f->conf.apop_key, &reason) == MP_OK);
	}
	f->auth = NULL;
	if (mp_auth_open_conf(&f->conf, &f->auth, error, sizeof(error)) != MP_OK)
		fprintf(stderr, "\n  fixture: %s\n", error);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->auth);
}

static char *
cheap_hash(const char *scheme, const char *password)
{
	const struct mp_hash_params params = { .argon2_opslimit = 3,
					       .argon2_memlimit = 64 * 1024 };
	char *stored = NULL;
	const char *reason;

	CU_ASSERT_FATAL(mp_scheme_hash(mp_scheme_find(scheme), password, strlen(password),
				       &params, &stored, &reason) == MP_OK);
	return stored;
}

static void
test_verify_table(void)
{
	struct fixture f;
	char *alice = cheap_hash("ARGON2ID", "alice pw");
	char *ivan = cheap_hash("ARGON2I", "ivan pw");
	char text[4096];
	static const struct {
		const char *label, *user, *password;
		size_t user_len, password_len;	/* 0: strlen */
		unsigned int flags;
		enum mp_result want;
	} rows[] = {
		{ "argon2id right", "alice", "alice pw", 0, 0, 0, MP_OK },
		{ "argon2id wrong", "alice", "alice pX", 0, 0, 0, MP_MISMATCH },
		{ "argon2i right", "ivan", "ivan pw", 0, 0, 0, MP_OK },
		{ "plain right", "bob", "bob pw", 0, 0, 0, MP_OK },
		{ "plain wrong", "bob", "bob", 0, 0, 0, MP_MISMATCH },
		{ "unknown user", "mallory", "x", 0, 0, 0, MP_USER_UNKNOWN },
		{ "user prefix is not a user", "bo", "bob pw", 0, 0, 0, MP_USER_UNKNOWN },
		{ "nologin, right password", "carol", "carol pw", 0, 0, 0, MP_DISABLED },
		{ "nologin, wrong password", "carol", "nope", 0, 0, 0, MP_MISMATCH },
		{ "locked !hash, right password", "dave", "dave pw", 0, 0, 0, MP_DISABLED },
		{ "locked !hash, wrong password", "dave", "nope", 0, 0, 0, MP_MISMATCH },
		{ "locked *", "erin", "anything", 0, 0, 0, MP_MISMATCH },
		{ "unknown stored scheme", "frank", "x", 0, 0, 0, MP_MALFORMED },
		{ "empty password refused", "bob", "", 0, 0, 0, MP_MISMATCH },
		{ "empty stored, empty password, no nullok", "henry", "", 0, 0, 0, MP_MISMATCH },
		{ "empty stored, empty password, nullok", "henry", "", 0, 0, MP_VERIFY_NULLOK, MP_OK },
		{ "empty stored, some password, nullok", "henry", "x", 0, 0, MP_VERIFY_NULLOK, MP_MISMATCH },
		{ "duplicated user", "twice", "x", 0, 0, 0, MP_MALFORMED },
		{ "user with colon", "bob:x", "bob pw", 0, 0, 0, MP_MALFORMED },
		{ "user with space", "bob x", "bob pw", 0, 0, 0, MP_MALFORMED },
		{ "user with newline", "bob\n", "bob pw", 0, 0, 0, MP_MALFORMED },
		{ "empty user", "", "bob pw", 0, 0, 0, MP_MALFORMED },
		{ "NUL inside user", "bob\0evil", "bob pw", 8, 0, 0, MP_MALFORMED },
		{ "NUL inside password", "bob", "bob pw\0x", 0, 8, 0, MP_MALFORMED },
	};
	const char *reason, *note;

	snprintf(text, sizeof(text),
		 "# test store\n"
		 "alice:%s\n"
		 "ivan:%s\n"
		 "bob:{PLAIN}bob pw\n"
		 "carol:{PLAIN}carol pw::::::nologin\n"
		 "dave:!{PLAIN}dave pw\n"
		 "erin:*\n"
		 "frank:{NOPE}x\n"
		 "henry:\n"
		 "twice:{PLAIN}x\n"
		 "twice:{PLAIN}x\n",
		 alice, ivan);
	fixture_open(&f, text, false, false);
	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		size_t ulen = rows[i].user_len ? rows[i].user_len : strlen(rows[i].user);
		size_t plen = rows[i].password_len ? rows[i].password_len :
			strlen(rows[i].password);

		reason = NULL;
		MP_CHECK_RESULT(rows[i].label,
				mp_auth_verify(f.auth, rows[i].user, ulen, rows[i].password, plen,
					       rows[i].flags, &reason, &note),
				rows[i].want);
		CU_ASSERT_PTR_NOT_NULL(reason);
		CU_ASSERT_PTR_NULL(note);	/* rehash is off */
	}
	mp_auth_close(&f.auth);
	CU_ASSERT_PTR_NULL(f.auth);
	free(alice);
	free(ivan);
}

static void
test_verify_limits(void)
{
	struct fixture f;
	char *long_password = malloc(64 * 1024);
	char long_user[MP_USER_MAX + 2];
	const char *reason, *note;

	CU_ASSERT_PTR_NOT_NULL_FATAL(long_password);
	memset(long_password, 'p', 64 * 1024);
	memset(long_user, 'u', sizeof(long_user));
	fixture_open(&f, "bob:{PLAIN}bob pw\n", false, false);
	MP_CHECK_RESULT("64 KiB password", mp_auth_verify(f.auth, "bob", 3, long_password,
							  64 * 1024, 0, &reason, &note),
			MP_MALFORMED);
	MP_CHECK_RESULT("password one over the limit",
			mp_auth_verify(f.auth, "bob", 3, long_password, MP_PASSWORD_MAX + 1, 0,
				       &reason, &note), MP_MALFORMED);
	MP_CHECK_RESULT("password at the limit is merely wrong",
			mp_auth_verify(f.auth, "bob", 3, long_password, MP_PASSWORD_MAX, 0,
				       &reason, &note), MP_MISMATCH);
	MP_CHECK_RESULT("user one over the limit",
			mp_auth_verify(f.auth, long_user, MP_USER_MAX + 1, "x", 1, 0, &reason,
				       &note), MP_MALFORMED);
	MP_CHECK_RESULT("user at the limit is merely unknown",
			mp_auth_verify(f.auth, long_user, MP_USER_MAX, "x", 1, 0, &reason,
				       &note), MP_USER_UNKNOWN);
	mp_auth_close(&f.auth);
	free(long_password);
}

static void
test_unavailable_store(void)
{
	struct mp_conf conf;
	struct mp_auth *auth = NULL;
	char error[MP_ERROR_MAX];
	const char *reason, *note;

	mp_conf_defaults(&conf);
	snprintf(conf.store, sizeof(conf.store), "file:%s/none/passwd", mp_test_tmpdir());
	CU_ASSERT_FATAL(mp_auth_open_conf(&conf, &auth, error, sizeof(error)) == MP_OK);
	MP_CHECK_RESULT("missing store file", mp_auth_verify(auth, "bob", 3, "x", 1, 0, &reason,
							     &note), MP_UNAVAILABLE);
	mp_auth_close(&auth);

	snprintf(conf.apop_key, sizeof(conf.apop_key), "%s/no.key", mp_test_tmpdir());
	MP_CHECK_RESULT("missing apop_key", mp_auth_open_conf(&conf, &auth, error, sizeof(error)),
			MP_UNAVAILABLE);
	CU_ASSERT(strstr(error, "apop_key") != NULL);
	CU_ASSERT_PTR_NULL(auth);

	MP_CHECK_RESULT("missing config", mp_auth_open("/nonexistent/mailpass.conf", &auth,
						       error, sizeof(error)), MP_UNAVAILABLE);
	CU_ASSERT(strstr(error, "/nonexistent/mailpass.conf") != NULL);
}

static void
test_rehash(void)
{
	struct fixture f;
	char *cheap_id, *text;
	const char *reason, *note;
	char *after;

	/* A weak PLAIN user and an Argon2i user are upgraded to the configured ARGON2ID. */
	cheap_id = cheap_hash("ARGON2I", "ivan pw");
	text = malloc(1024);
	CU_ASSERT_FATAL(text != NULL);
	snprintf(text, 1024, "bob:{PLAIN}bob pw:1000:1000::/home/bob::apop={PLAIN}x\n"
		 "ivan:%s\n# trailing comment\n", cheap_id);
	fixture_open(&f, text, true, false);

	MP_CHECK_RESULT("rehash off by flag", mp_auth_verify(f.auth, "bob", 3, "bob pw", 6,
							     MP_VERIFY_NO_REHASH, &reason, &note),
			MP_OK);
	CU_ASSERT_PTR_NULL(note);
	after = mp_test_read_file(f.store_path);
	MP_CHECK_STR("unchanged with NO_REHASH", after, text);
	free(after);

	MP_CHECK_RESULT("wrong password never rehashes",
			mp_auth_verify(f.auth, "bob", 3, "bob px", 6, 0, &reason, &note),
			MP_MISMATCH);
	CU_ASSERT_PTR_NULL(note);

	MP_CHECK_RESULT("plain login", mp_auth_verify(f.auth, "bob", 3, "bob pw", 6, 0, &reason,
						      &note), MP_OK);
	MP_CHECK_STR("rehash note", note, "rehashed");
	after = mp_test_read_file(f.store_path);
	CU_ASSERT_FATAL(after != NULL);
	CU_ASSERT(strstr(after, "bob:{ARGON2ID}$argon2id$v=19$m=64,t=3,p=1$") == after);
	CU_ASSERT(strstr(after, ":1000:1000::/home/bob::apop={PLAIN}x\n") != NULL);
	CU_ASSERT(strstr(after, cheap_id) != NULL);
	CU_ASSERT(strstr(after, "# trailing comment\n") != NULL);
	free(after);
	MP_CHECK_RESULT("login after rehash", mp_auth_verify(f.auth, "bob", 3, "bob pw", 6, 0,
							     &reason, &note), MP_OK);
	CU_ASSERT_PTR_NULL(note);	/* already current */

	MP_CHECK_RESULT("argon2i login", mp_auth_verify(f.auth, "ivan", 4, "ivan pw", 7, 0,
							&reason, &note), MP_OK);
	MP_CHECK_STR("argon2i rehash note", note, "rehashed");
	after = mp_test_read_file(f.store_path);
	CU_ASSERT(after != NULL && strstr(after, "ivan:{ARGON2ID}$argon2id$") != NULL);
	CU_ASSERT(after != NULL && strstr(after, cheap_id) == NULL);
	free(after);
	mp_auth_close(&f.auth);
	free(cheap_id);
	free(text);
}

/*
 * DES decides only the first 8 bytes of a password: a login with more is
 * accepted, and its tail was never checked, so it is not made the user's
 * new password.
 */
static void
test_rehash_truncating(void)
{
	/* DES of "correct " (mkpasswd -m descrypt). */
	static const char text[] = "dan:{DES-CRYPT}cKFIfjNg6aT2I\n";
	struct fixture f;
	const char *reason, *note;
	char *after;

	fixture_open(&f, text, true, false);
	MP_CHECK_RESULT("DES, a longer password", mp_auth_verify(f.auth, "dan", 3,
			"correct horse", 13, 0, &reason, &note), MP_OK);
	CU_ASSERT_PTR_NULL(note);
	after = mp_test_read_file(f.store_path);
	MP_CHECK_STR("DES value kept", after, text);
	free(after);
	MP_CHECK_RESULT("DES, exactly its 8 bytes", mp_auth_verify(f.auth, "dan", 3,
			"correct ", 8, 0, &reason, &note), MP_OK);
	MP_CHECK_STR("DES rehash note", note, "rehashed");
	MP_CHECK_RESULT("the 8 bytes after the rehash", mp_auth_verify(f.auth, "dan", 3,
			"correct ", 8, 0, &reason, &note), MP_OK);
	mp_auth_close(&f.auth);
}

static void
test_apop(void)
{
	static const char ts[] = "<1896.697170952@dbc.mtview.ca.us>";
	static const char rfc_digest[] = "c4c9334bac560ecc979e58001b3e22fb";
	static const struct {
		const char *label, *user, *digest;
		enum mp_result want;
	} rows[] = {
		{ "plain secret", "alice", rfc_digest, MP_OK },
		{ "sealed secret", "sealed", rfc_digest, MP_OK },
		{ "wrong digest", "alice", "00000000000000000000000000000000", MP_MISMATCH },
		{ "no APOP secret", "bob", rfc_digest, MP_MISMATCH },
		{ "unknown user", "mallory", rfc_digest, MP_USER_UNKNOWN },
		{ "nologin", "carol", rfc_digest, MP_DISABLED },
		{ "nologin, wrong digest", "carol", "00000000000000000000000000000000", MP_MISMATCH },
		{ "malformed digest", "alice", "c4c9", MP_MALFORMED },
		{ "malformed digest, unknown user", "mallory", "c4c9", MP_MALFORMED },
		{ "broken secret field", "broken", rfc_digest, MP_MALFORMED },
	};
	struct fixture f;
	const char *reason;
	unsigned char *secret = NULL;
	size_t secret_len = 0;
	char *store;

	fixture_open(&f, "alice:{PLAIN}x::::::apop={PLAIN}tanstaaf\n"
		     "bob:{PLAIN}x\n"
		     "carol:{PLAIN}x::::::nologin apop={PLAIN}tanstaaf\n"
		     "broken:{PLAIN}x::::::apop={PLAIN.b64}***\n"
		     "sealed:{PLAIN}x\n", false, true);
	MP_CHECK_RESULT("seal for sealed", mp_auth_set_apop(f.auth, "sealed", 6, "tanstaaf", 8,
							    &reason), MP_OK);
	store = mp_test_read_file(f.store_path);
	CU_ASSERT(store != NULL && strstr(store, "sealed:{PLAIN}x::::::apop={SECRETBOX}") != NULL);
	free(store);

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		MP_CHECK_RESULT(rows[i].label,
				mp_auth_apop(f.auth, rows[i].user, strlen(rows[i].user), ts,
					     strlen(ts), rows[i].digest, strlen(rows[i].digest),
					     &reason),
				rows[i].want);
	}

	MP_CHECK_RESULT("auxprop secret", mp_auth_apop_secret(f.auth, "sealed", 6, &secret,
							      &secret_len, &reason), MP_OK);
	CU_ASSERT(secret_len == 8 && secret != NULL && memcmp(secret, "tanstaaf", 8) == 0);
	mp_secret_free(&secret, secret_len);
	MP_CHECK_RESULT("auxprop no secret", mp_auth_apop_secret(f.auth, "bob", 3, &secret,
								 &secret_len, &reason), MP_MISMATCH);
	CU_ASSERT_PTR_NULL(secret);
	MP_CHECK_RESULT("auxprop disabled", mp_auth_apop_secret(f.auth, "carol", 5, &secret,
								&secret_len, &reason), MP_DISABLED);
	CU_ASSERT_PTR_NULL(secret);

	MP_CHECK_RESULT("remove secret", mp_auth_set_apop(f.auth, "alice", 5, NULL, 0, &reason),
			MP_OK);
	MP_CHECK_RESULT("after removal", mp_auth_apop(f.auth, "alice", 5, ts, strlen(ts),
						      rfc_digest, strlen(rfc_digest), &reason),
			MP_MISMATCH);
	MP_CHECK_RESULT("set for unknown user", mp_auth_set_apop(f.auth, "mallory", 7, "x", 1,
								 &reason), MP_USER_UNKNOWN);
	mp_auth_close(&f.auth);
}

static void
test_account(void)
{
	static const struct {
		const char *label, *user;
		enum mp_result want;
	} rows[] = {
		{ "enabled", "alice", MP_OK },
		{ "nologin", "carol", MP_DISABLED },
		{ "locked !", "dave", MP_DISABLED },
		{ "locked *", "erin", MP_DISABLED },
		{ "unknown", "mallory", MP_USER_UNKNOWN },
		{ "bad name", "a:b", MP_MALFORMED },
	};
	struct fixture f;
	const char *reason;

	fixture_open(&f, "alice:{PLAIN}x\ncarol:{PLAIN}x::::::nologin\ndave:!{PLAIN}x\nerin:*\n",
		     false, false);
	for (size_t i = 0; i < N_ELEMENTS(rows); i++)
		MP_CHECK_RESULT(rows[i].label, mp_auth_account(f.auth, rows[i].user,
							       strlen(rows[i].user), &reason),
				rows[i].want);
	mp_auth_close(&f.auth);
}

/*
 * account_read - mp_auth_account_since() for user, and whether it read the
 * store: a read appends a comment line to the store (tests/store-faults.h).
 */
static enum mp_result
account_read(struct fixture *f, const struct mp_account_seen *seen, const char *user,
	     bool *read_r, const char **reason_r)
{
	enum mp_result result;

	mp_fault_arm(MP_FAULT_APPEND_AT_READ, f->store_path, "# read\n");
	result = mp_auth_account_since(f->auth, seen, user, strlen(user), reason_r);
	*read_r = mp_fault_fired();
	return result;
}

/*
 * The account step after a password check that passed reads the store
 * again only when the store changed since that check, or the check was
 * for someone else.
 */
static void
test_account_since(void)
{
	struct fixture f;
	struct mp_account_seen *seen = NULL, *seen_bob = NULL;
	const char *reason, *note;
	struct mp_auth *other = NULL;
	struct mp_conf conf;
	char error[MP_ERROR_MAX];
	bool read;

	fixture_open(&f, "alice:{PLAIN}alice pw\nbob:{PLAIN}bob pw\ncarol:{PLAIN}carol pw::::::"
		     "nologin\n", false, false);

	/* No record, a wrong password, an unknown user, a disabled account: none kept. */
	MP_CHECK_RESULT("wrong password", mp_auth_verify_seen(f.auth, "alice", 5, "nope", 4, 0,
							      &seen, &reason, &note), MP_MISMATCH);
	CU_ASSERT_PTR_NULL(seen);
	MP_CHECK_RESULT("unknown user", mp_auth_verify_seen(f.auth, "zed", 3, "x", 1, 0, &seen,
							    &reason, &note), MP_USER_UNKNOWN);
	CU_ASSERT_PTR_NULL(seen);
	MP_CHECK_RESULT("nologin", mp_auth_verify_seen(f.auth, "carol", 5, "carol pw", 8, 0,
						       &seen, &reason, &note), MP_DISABLED);
	CU_ASSERT_PTR_NULL(seen);
	MP_CHECK_RESULT("no record: the store is read", account_read(&f, NULL, "alice", &read,
								       &reason), MP_OK);
	CU_ASSERT(read);
	MP_CHECK_STR("no record", reason, "account may log in");

	/* Right password: the account step answers without a read. */
	MP_CHECK_RESULT("right password", mp_auth_verify_seen(f.auth, "alice", 5, "alice pw", 8,
							      0, &seen, &reason, &note), MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	MP_CHECK_RESULT("unchanged store", account_read(&f, seen, "alice", &read, &reason),
			MP_OK);
	CU_ASSERT(!read);
	MP_CHECK_STR("unchanged store", reason,
		     "account may log in (store unchanged since the password check)");
	MP_CHECK_RESULT("again", account_read(&f, seen, "alice", &read, &reason), MP_OK);
	CU_ASSERT(!read);

	/* Another user, or the same name with another length, is read. */
	MP_CHECK_RESULT("another user", account_read(&f, seen, "carol", &read, &reason),
			MP_DISABLED);
	CU_ASSERT(read);
	MP_CHECK_RESULT("a longer name", mp_auth_account_since(f.auth, seen, "alice\0x", 7,
								 &reason), MP_MALFORMED);
	MP_CHECK_RESULT("a prefix", mp_auth_account_since(f.auth, seen, "alic", 4, &reason),
			MP_USER_UNKNOWN);

	/* The read above appended a line: the store changed, so it is read again. */
	MP_CHECK_RESULT("fresh record", mp_auth_verify_seen(f.auth, "bob", 3, "bob pw", 6, 0,
							    &seen_bob, &reason, &note), MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen_bob);
	MP_CHECK_RESULT("changed since", account_read(&f, seen, "alice", &read, &reason), MP_OK);
	CU_ASSERT(read);
	MP_CHECK_STR("changed since", reason, "account may log in");

	/* bob locked after his check: the lock is seen. */
	CU_ASSERT_FATAL(mp_test_write_file(f.store_path, "alice:{PLAIN}alice pw\n"
					   "bob:!{PLAIN}bob pw\n", 0640));
	MP_CHECK_RESULT("locked after the check", account_read(&f, seen_bob, "bob", &read,
								 &reason), MP_DISABLED);
	CU_ASSERT(read);
	MP_CHECK_STR("locked after the check", reason, "account is locked");
	mp_account_seen_free(&seen_bob);
	CU_ASSERT_PTR_NULL(seen_bob);
	mp_account_seen_free(&seen_bob);	/* NULL is fine */

	/* A handle on another store file does not take a record of this one. */
	mp_account_seen_free(&seen);
	MP_CHECK_RESULT("check", mp_auth_verify_seen(f.auth, "alice", 5, "alice pw", 8, 0, &seen,
						     &reason, &note), MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	conf = f.conf;
	snprintf(conf.store, sizeof(conf.store), "file:%s/other", f.dir);
	CU_ASSERT_FATAL(mp_test_write_file(conf.store + 5, "bob:{PLAIN}x\n", 0640));
	CU_ASSERT_FATAL(mp_auth_open_conf(&conf, &other, error, sizeof(error)) == MP_OK);
	MP_CHECK_RESULT("another store", mp_auth_account_since(other, seen, "alice", 5, &reason),
			MP_USER_UNKNOWN);
	mp_auth_close(&other);
	mp_account_seen_free(&seen);
	mp_auth_close(&f.auth);

	/* A rehash rewrites the store: the account step after it reads it. */
	fixture_open(&f, "bob:{PLAIN}bob pw\n", true, false);
	MP_CHECK_RESULT("rehashing check", mp_auth_verify_seen(f.auth, "bob", 3, "bob pw", 6, 0,
							       &seen, &reason, &note), MP_OK);
	MP_CHECK_STR("rehashing check", note, "rehashed");
	MP_CHECK_RESULT("after a rehash", account_read(&f, seen, "bob", &read, &reason), MP_OK);
	CU_ASSERT(read);
	mp_account_seen_free(&seen);
	mp_auth_close(&f.auth);
}

static void
test_management(void)
{
	struct fixture f;
	const char *reason, *note;
	char *before, *after;
	struct stat st;

	fixture_open(&f, "# users\nbob:{PLAIN}bob pw\n", false, false);
	CU_ASSERT_FATAL(chmod(f.store_path, 0600) == 0);
	MP_CHECK_RESULT("add", mp_auth_set_password(f.auth, "alice", 5, "new pw", 6, true,
						    &reason), MP_OK);
	MP_CHECK_STR("add", reason, "user added");
	MP_CHECK_RESULT("added verifies", mp_auth_verify(f.auth, "alice", 5, "new pw", 6, 0,
							 &reason, &note), MP_OK);
	MP_CHECK_RESULT("add existing", mp_auth_set_password(f.auth, "alice", 5, "x", 1, true,
							     &reason), MP_MALFORMED);
	CU_ASSERT(strcmp(reason, "user exists") == 0);
	MP_CHECK_RESULT("passwd unknown", mp_auth_set_password(f.auth, "zed", 3, "x", 1, false,
							       &reason), MP_USER_UNKNOWN);
	MP_CHECK_RESULT("passwd", mp_auth_set_password(f.auth, "bob", 3, "bob new", 7, false,
						       &reason), MP_OK);
	MP_CHECK_STR("passwd", reason, "password changed");
	MP_CHECK_RESULT("old password gone", mp_auth_verify(f.auth, "bob", 3, "bob pw", 6, 0,
							    &reason, &note), MP_MISMATCH);
	MP_CHECK_RESULT("new password", mp_auth_verify(f.auth, "bob", 3, "bob new", 7, 0,
						       &reason, &note), MP_OK);
	CU_ASSERT(stat(f.store_path, &st) == 0 && (st.st_mode & 07777) == 0600);

	/* Refused input changes nothing. */
	before = mp_test_read_file(f.store_path);
	MP_CHECK_RESULT("add with colon", mp_auth_set_password(f.auth, "a:b", 3, "x", 1, true,
							       &reason), MP_MALFORMED);
	MP_CHECK_RESULT("add with newline", mp_auth_set_password(f.auth, "a\nb", 3, "x", 1, true,
								 &reason), MP_MALFORMED);
	MP_CHECK_RESULT("add with tab", mp_auth_set_password(f.auth, "a\tb", 3, "x", 1, true,
							     &reason), MP_MALFORMED);
	MP_CHECK_RESULT("add empty password", mp_auth_set_password(f.auth, "carl", 4, "", 0, true,
								   &reason), MP_MALFORMED);
	MP_CHECK_RESULT("delete unknown", mp_auth_delete(f.auth, "zed", 3, &reason),
			MP_USER_UNKNOWN);
	after = mp_test_read_file(f.store_path);
	MP_CHECK_STR("store unchanged by refused input", after, before);
	free(before);
	free(after);

	MP_CHECK_RESULT("delete", mp_auth_delete(f.auth, "alice", 5, &reason), MP_OK);
	MP_CHECK_RESULT("deleted is unknown", mp_auth_verify(f.auth, "alice", 5, "new pw", 6, 0,
							     &reason, &note), MP_USER_UNKNOWN);
	after = mp_test_read_file(f.store_path);
	CU_ASSERT(after != NULL && strncmp(after, "# users\nbob:{ARGON2ID}", 22) == 0);
	free(after);
	mp_auth_close(&f.auth);
}

void
mp_test_register_auth(void)
{
	CU_pSuite suite = CU_add_suite("auth", NULL, NULL);

	CU_add_test(suite, "verify table", test_verify_table);
	CU_add_test(suite, "verify input limits", test_verify_limits);
	CU_add_test(suite, "unavailable store and key", test_unavailable_store);
	CU_add_test(suite, "rehash on login", test_rehash);
	CU_add_test(suite, "no rehash past what the value checked", test_rehash_truncating);
	CU_add_test(suite, "APOP", test_apop);
	CU_add_test(suite, "account status", test_account);
	CU_add_test(suite, "account step after a password check", test_account_since);
	CU_add_test(suite, "user management", test_management);
}
