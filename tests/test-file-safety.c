/*
 * test-file-safety.c - the owner and mode rules for the store, its directory
 * and the apop_key file: the verdicts and messages of the checker, then the
 * checker at work where the files are read (the key, every store read,
 * mp_auth_open_conf), and store_owner in mailpass.conf.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apop-secret.h"
#include "auth.h"
#include "conf.h"
#include "file-safety.h"
#include "mp-limits.h"
#include "store.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#define STORE "/etc/mailpass/passwd"
#define KEY "/etc/mailpass/apop.key"
#define DIR "/etc/mailpass"
#define CONF "/etc/mailpass.conf"

/* The account the owner rows hand files to (Debian's nobody). */
#define OTHER_UID 65534
#define OTHER_NAME "nobody"

/* A uid without an account. */
#define UNNAMED_UID 4242

/* Who owns the file of a row. */
enum owner { OWN_ROOT, OWN_SELF, OWN_OTHER, OWN_UNNAMED };

static const char *const verdict_names[] = { "SAFE", "WARN", "REFUSE" };

/* other_is_usable - OTHER_UID is OTHER_NAME's, and this process runs as neither root nor it. */
static bool
other_is_usable(const char *label)
{
	uid_t uid;

	if (!mp_file_owner_uid(OTHER_NAME, &uid) || uid != OTHER_UID) {
		mp_test_skip(label, "the account " OTHER_NAME " is missing or not uid 65534");
		return false;
	}
	if (geteuid() == OTHER_UID) {
		mp_test_skip(label, "the tests run as " OTHER_NAME ", who owns every file anyway");
		return false;
	}
	return true;
}

/* check_contains - each non-NULL needle is in text. */
static void
check_contains(const char *label, const char *text, const char *const *needles, size_t n)
{
	for (size_t i = 0; i < n && needles[i] != NULL; i++) {
		bool found = text != NULL && strstr(text, needles[i]) != NULL;

		if (!found)
			fprintf(stderr, "\n  %s: \"%s\" does not contain \"%s\"\n", label,
				text != NULL ? text : "(null)", needles[i]);
		CU_ASSERT(found);
	}
}

static void
test_verdicts(void)
{
	static const struct {
		const char *label;
		enum mp_file_kind kind;
		mode_t mode;
		enum owner owner;
		const char *store_owner;
		enum mp_file_verdict want;
		const char *want_message;	/* the whole message, or NULL */
		const char *want_in[2];		/* parts of it */
		const char *want_reason;	/* part of the static reason */
	} rows[] = {
		/* The store. */
		{ .label = "store 0600", .kind = MP_FILE_STORE, .mode = 0600, .want = MP_FILE_SAFE },
		{ .label = "store 0640", .kind = MP_FILE_STORE, .mode = 0640, .want = MP_FILE_SAFE },
		{ .label = "store 0400", .kind = MP_FILE_STORE, .mode = 0400, .want = MP_FILE_SAFE },
		{ .label = "store 0640 of this process's user", .kind = MP_FILE_STORE, .mode = 0640,
		  .owner = OWN_SELF, .want = MP_FILE_SAFE },
		{ .label = "store 0644: readable by others", .kind = MP_FILE_STORE, .mode = 0644,
		  .want = MP_FILE_WARN,
		  .want_message = "store file " STORE " is readable by others (mode 0644); "
				  "run: chmod 0640 " STORE,
		  .want_reason = "store file is readable by others" },
		{ .label = "store 0660: writable by group", .kind = MP_FILE_STORE, .mode = 0660,
		  .want = MP_FILE_REFUSE,
		  .want_message = "store file " STORE " is writable by group (mode 0660); "
				  "run: chmod 0640 " STORE,
		  .want_reason = "store file is writable by group or others" },
		{ .label = "store 0666", .kind = MP_FILE_STORE, .mode = 0666, .want = MP_FILE_REFUSE,
		  .want_message = "store file " STORE " is writable by group and readable and "
				  "writable by others (mode 0666); run: chmod 0640 " STORE,
		  .want_reason = "writable by group or others" },
		{ .label = "store 0620", .kind = MP_FILE_STORE, .mode = 0620, .want = MP_FILE_REFUSE,
		  .want_in = { "writable by group (mode 0620)", "run: chmod 0600 " STORE },
		  .want_reason = "writable by group or others" },
		{ .label = "store 0602", .kind = MP_FILE_STORE, .mode = 0602, .want = MP_FILE_REFUSE,
		  .want_in = { "writable by others (mode 0602)", "run: chmod 0600 " STORE } },
		{ .label = "store 0664", .kind = MP_FILE_STORE, .mode = 0664, .want = MP_FILE_REFUSE,
		  .want_in = { "writable by group and readable by others (mode 0664)",
			       "run: chmod 0640 " STORE } },
		{ .label = "store 0640 of uid 65534", .kind = MP_FILE_STORE, .mode = 0640,
		  .owner = OWN_OTHER, .want = MP_FILE_REFUSE,
		  .want_message = "store file " STORE " is owned by uid 65534 (nobody), not root "
				  "or the account this process runs as; run: chown root " STORE
				  ", or set store_owner = nobody in mailpass.conf",
		  .want_reason = "store file is owned by an account that is not root, store_owner" },
		{ .label = "store 0640 of uid 65534, store_owner nobody", .kind = MP_FILE_STORE,
		  .mode = 0640, .owner = OWN_OTHER, .store_owner = OTHER_NAME, .want = MP_FILE_SAFE },
		{ .label = "store 0644 of uid 65534, store_owner nobody", .kind = MP_FILE_STORE,
		  .mode = 0644, .owner = OWN_OTHER, .store_owner = OTHER_NAME, .want = MP_FILE_WARN,
		  .want_in = { "readable by others", "chmod 0640 " STORE } },
		{ .label = "store 0660 of uid 65534, store_owner nobody", .kind = MP_FILE_STORE,
		  .mode = 0660, .owner = OWN_OTHER, .store_owner = OTHER_NAME,
		  .want = MP_FILE_REFUSE, .want_in = { "writable by group", "chmod 0640 " STORE } },
		{ .label = "store 0660 of uid 65534", .kind = MP_FILE_STORE, .mode = 0660,
		  .owner = OWN_OTHER, .want = MP_FILE_REFUSE,
		  .want_message = "store file " STORE " is owned by uid 65534 (nobody), not root "
				  "or the account this process runs as, and writable by group "
				  "(mode 0660); run: chown root " STORE " && chmod 0640 " STORE,
		  .want_reason = "owned by an account" },
		{ .label = "store of uid 65534, store_owner names no account",
		  .kind = MP_FILE_STORE, .mode = 0640, .owner = OWN_OTHER,
		  .store_owner = "mp-no-such-account", .want = MP_FILE_REFUSE,
		  .want_in = { "not root, store_owner mp-no-such-account or the account this "
			       "process runs as", "chown root " STORE } },
		{ .label = "store of a uid without an account", .kind = MP_FILE_STORE, .mode = 0640,
		  .owner = OWN_UNNAMED, .want = MP_FILE_REFUSE,
		  .want_message = "store file " STORE " is owned by uid 4242, not root or the "
				  "account this process runs as; run: chown root " STORE },

		/* The apop_key file: a secret key, for its owner alone. */
		{ .label = "key 0600", .kind = MP_FILE_APOP_KEY, .mode = 0600, .want = MP_FILE_SAFE },
		{ .label = "key 0400", .kind = MP_FILE_APOP_KEY, .mode = 0400, .want = MP_FILE_SAFE },
		{ .label = "key 0640: readable by group", .kind = MP_FILE_APOP_KEY, .mode = 0640,
		  .want = MP_FILE_REFUSE,
		  .want_message = "apop_key file " KEY " is readable by group (mode 0640); "
				  "run: chmod 0600 " KEY,
		  .want_reason = "apop_key file gives group or others access" },
		{ .label = "key 0604", .kind = MP_FILE_APOP_KEY, .mode = 0604, .want = MP_FILE_REFUSE,
		  .want_in = { "readable by others (mode 0604)", "chmod 0600 " KEY } },
		{ .label = "key 0644", .kind = MP_FILE_APOP_KEY, .mode = 0644, .want = MP_FILE_REFUSE,
		  .want_in = { "readable by group and others (mode 0644)", "chmod 0600 " KEY } },
		{ .label = "key 0660", .kind = MP_FILE_APOP_KEY, .mode = 0660, .want = MP_FILE_REFUSE,
		  .want_in = { "readable and writable by group (mode 0660)", "chmod 0600 " KEY } },
		{ .label = "key 0610", .kind = MP_FILE_APOP_KEY, .mode = 0610, .want = MP_FILE_REFUSE,
		  .want_in = { "executable by group (mode 0610)", "chmod 0600 " KEY } },
		{ .label = "key 0600 of uid 65534", .kind = MP_FILE_APOP_KEY, .mode = 0600,
		  .owner = OWN_OTHER, .want = MP_FILE_REFUSE,
		  .want_in = { "apop_key file " KEY " is owned by uid 65534 (nobody)",
			       "chown root " KEY } },
		{ .label = "key 0600 of uid 65534, store_owner nobody", .kind = MP_FILE_APOP_KEY,
		  .mode = 0600, .owner = OWN_OTHER, .store_owner = OTHER_NAME, .want = MP_FILE_SAFE },

		/* The directory that holds the store. */
		{ .label = "directory 0755", .kind = MP_FILE_STORE_DIR, .mode = 0755,
		  .want = MP_FILE_SAFE },
		{ .label = "directory 0750", .kind = MP_FILE_STORE_DIR, .mode = 0750,
		  .want = MP_FILE_SAFE },
		{ .label = "directory 0775: writable by group", .kind = MP_FILE_STORE_DIR,
		  .mode = 0775, .want = MP_FILE_REFUSE,
		  .want_message = "directory of the store " DIR " is writable by group (mode 0775); "
				  "run: chmod go-w " DIR,
		  .want_reason = "directory of the store is writable by group or others" },
		{ .label = "directory 0777", .kind = MP_FILE_STORE_DIR, .mode = 0777,
		  .want = MP_FILE_REFUSE,
		  .want_in = { "writable by group and others (mode 0777)", "chmod go-w " DIR } },
		{ .label = "directory 1777: sticky, like /tmp", .kind = MP_FILE_STORE_DIR,
		  .mode = 01777, .want = MP_FILE_SAFE },
		{ .label = "directory 0750 of uid 65534", .kind = MP_FILE_STORE_DIR, .mode = 0750,
		  .owner = OWN_OTHER, .want = MP_FILE_REFUSE,
		  .want_in = { "owned by uid 65534 (nobody)", "chown root " DIR } },
		{ .label = "directory 0750 of uid 65534, store_owner nobody",
		  .kind = MP_FILE_STORE_DIR, .mode = 0750, .owner = OWN_OTHER,
		  .store_owner = OTHER_NAME, .want = MP_FILE_SAFE },

		/* mailpass.conf: it names the store, so store_owner cannot vouch for it. */
		{ .label = "config 0644", .kind = MP_FILE_CONFIG, .mode = 0644,
		  .want = MP_FILE_SAFE },
		{ .label = "config 0600 of this process's account", .kind = MP_FILE_CONFIG,
		  .mode = 0600, .owner = OWN_SELF, .want = MP_FILE_SAFE },
		{ .label = "config 0664: writable by group", .kind = MP_FILE_CONFIG, .mode = 0664,
		  .want = MP_FILE_REFUSE,
		  .want_message = "configuration file " CONF " is writable by group (mode 0664); "
				  "run: chmod 0644 " CONF,
		  .want_reason = "configuration file is writable by group or others" },
		{ .label = "config 0646: writable by others", .kind = MP_FILE_CONFIG, .mode = 0646,
		  .want = MP_FILE_REFUSE,
		  .want_in = { "writable by others (mode 0646)", "chmod 0644 " CONF } },
		{ .label = "config 0644 of uid 65534, store_owner nobody", .kind = MP_FILE_CONFIG,
		  .mode = 0644, .owner = OWN_OTHER, .store_owner = OTHER_NAME,
		  .want = MP_FILE_REFUSE,
		  .want_in = { "owned by uid 65534 (nobody)", "chown root " CONF } },
	};
	bool other_ok = other_is_usable("verdicts for files of uid 65534");
	bool unnamed_ok = getpwuid(UNNAMED_UID) == NULL && geteuid() != UNNAMED_UID;

	if (!unnamed_ok)
		mp_test_skip("verdict for a uid without an account", "uid 4242 has an account");
	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		char message[MP_ERROR_MAX] = "(untouched)";
		const char *reason = "(untouched)";
		const char *path = rows[i].kind == MP_FILE_STORE ? STORE :
			rows[i].kind == MP_FILE_APOP_KEY ? KEY :
			rows[i].kind == MP_FILE_CONFIG ? CONF : DIR;
		struct stat st;
		enum mp_file_verdict got;

		if ((rows[i].owner == OWN_OTHER && !other_ok) ||
		    (rows[i].owner == OWN_UNNAMED && !unnamed_ok))
			continue;
		memset(&st, 0, sizeof(st));
		st.st_mode = (rows[i].kind == MP_FILE_STORE_DIR ? S_IFDIR : S_IFREG) | rows[i].mode;
		st.st_uid = rows[i].owner == OWN_ROOT ? 0 : rows[i].owner == OWN_SELF ? geteuid() :
			rows[i].owner == OWN_OTHER ? OTHER_UID : UNNAMED_UID;
		got = mp_file_safety_check(path, &st, rows[i].kind, rows[i].store_owner, &reason,
					   message, sizeof(message));
		if (got != rows[i].want)
			fprintf(stderr, "\n  %s: got %s, want %s (%s)\n", rows[i].label,
				verdict_names[got], verdict_names[rows[i].want], message);
		CU_ASSERT(got == rows[i].want);
		if (rows[i].want == MP_FILE_SAFE) {
			MP_CHECK_STR(rows[i].label, message, "(untouched)");
			MP_CHECK_STR(rows[i].label, reason, "(untouched)");
			continue;
		}
		if (rows[i].want_message != NULL)
			MP_CHECK_STR(rows[i].label, message, rows[i].want_message);
		check_contains(rows[i].label, message, rows[i].want_in, N_ELEMENTS(rows[i].want_in));
		/* Every message names the file and says what to run. */
		check_contains(rows[i].label, message, (const char *const[]){ path, "; run: " }, 2);
		if (rows[i].want_reason != NULL)
			check_contains(rows[i].label, reason, &rows[i].want_reason, 1);
		/* The static reason names no path: it is the same for every file. */
		CU_ASSERT(strchr(reason, '/') == NULL);
	}
}

static void
test_message_buffers(void)
{
	struct stat st = { .st_mode = S_IFREG | 0666 };
	char small[16];
	const char *reason = NULL;

	/* No buffer: the verdict and the reason still come. */
	CU_ASSERT(mp_file_safety_check(STORE, &st, MP_FILE_STORE, NULL, &reason, NULL, 0) ==
		  MP_FILE_REFUSE);
	CU_ASSERT(reason != NULL && strstr(reason, "writable") != NULL);
	CU_ASSERT(mp_file_safety_check(STORE, &st, MP_FILE_STORE, NULL, NULL, NULL, 0) ==
		  MP_FILE_REFUSE);
	/* A short buffer is cut and terminated. */
	memset(small, 'x', sizeof(small));
	CU_ASSERT(mp_file_safety_check(STORE, &st, MP_FILE_STORE, NULL, NULL, small,
				       sizeof(small)) == MP_FILE_REFUSE);
	CU_ASSERT(memchr(small, '\0', sizeof(small)) != NULL);
	MP_CHECK_STR("cut message", small, "store file /etc");
}

static void
test_owner_names(void)
{
	static const struct {
		const char *name;
		bool valid;
	} rows[] = {
		{ "cyrus", true }, { "Debian-exim", true }, { "_cyrus", true },
		{ "www-data", true }, { "a.b", true }, { "postfix1", true },
		{ "12345678901234567890123456789012", true },
		{ "123456789012345678901234567890123", false },
		{ "", false }, { "-cyrus", false }, { "cy rus", false }, { "cy:rus", false },
		{ "cy/rus", false }, { "cyrus\n", false }, { "c\xc3\xa9sar", false },
	};
	uid_t uid = 1;

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		bool got = mp_file_owner_name_valid(rows[i].name);

		if (got != rows[i].valid)
			fprintf(stderr, "\n  \"%s\": got %s, want %s\n", rows[i].name,
				got ? "valid" : "invalid", rows[i].valid ? "valid" : "invalid");
		CU_ASSERT(got == rows[i].valid);
	}
	CU_ASSERT(!mp_file_owner_name_valid(NULL));
	CU_ASSERT(mp_file_owner_uid("root", &uid) && uid == 0);
	CU_ASSERT(!mp_file_owner_uid("mp-no-such-account", &uid));
	CU_ASSERT(!mp_file_owner_uid("root:x", &uid));
}

static void
test_conf_store_owner(void)
{
	static const struct {
		const char *label;
		const char *text;
		enum mp_result want;
		const char *want_owner;		/* for MP_OK */
		const char *want_error;		/* part of the error */
	} rows[] = {
		{ "not set", "rehash = no\n", MP_OK, "", NULL },
		{ "cyrus", "store_owner = cyrus\n", MP_OK, "cyrus", NULL },
		{ "an account that need not exist yet", "store_owner = mp-later\n", MP_OK,
		  "mp-later", NULL },
		{ "starts with '-'", "store_owner = -cyrus\n", MP_MALFORMED, NULL,
		  "line 1: store_owner: \"-cyrus\" is not an account name" },
		{ "a blank inside", "# c\nstore_owner = cy rus\n", MP_MALFORMED, NULL,
		  "line 2: store_owner" },
		{ "a colon", "store_owner = cyrus:mail\n", MP_MALFORMED, NULL, "not an account name" },
		{ "33 characters", "store_owner = 123456789012345678901234567890123\n",
		  MP_MALFORMED, NULL, "at most 32" },
		{ "given twice", "store_owner = cyrus\nstore_owner = mail\n", MP_MALFORMED, NULL,
		  "line 2: key \"store_owner\" given twice" },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		char error[MP_ERROR_MAX] = "";
		struct mp_conf conf;

		mp_conf_defaults(&conf);
		MP_CHECK_RESULT(rows[i].label, mp_conf_parse(&conf, rows[i].text,
							     strlen(rows[i].text), error,
							     sizeof(error)), rows[i].want);
		if (rows[i].want == MP_OK)
			MP_CHECK_STR(rows[i].label, conf.store_owner, rows[i].want_owner);
		else
			check_contains(rows[i].label, error, &rows[i].want_error, 1);
	}
}

/* --- The checker where the files are read. */

static void
test_key_load(void)
{
	const char *dir = mp_test_tmpdir(), *reason = "";
	unsigned char key[MP_APOP_KEY_BYTES];
	char path[400], error[MP_ERROR_MAX], fix[450];

	snprintf(path, sizeof(path), "%s/apop.key", dir);
	CU_ASSERT_FATAL(mp_apop_key_create(path, &reason) == MP_OK);
	MP_CHECK_RESULT("key 0600", mp_apop_key_load(path, NULL, key, error, sizeof(error)),
			MP_OK);
	CU_ASSERT_FATAL(chmod(path, 0640) == 0);
	MP_CHECK_RESULT("key 0640", mp_apop_key_load(path, NULL, key, error, sizeof(error)),
			MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chmod 0600 %s", path);
	check_contains("key 0640", error, (const char *const[]){ path, "readable by group", fix },
		       3);
	CU_ASSERT_FATAL(chmod(path, 0600) == 0);

	if (geteuid() != 0 || !other_is_usable("a key of uid 65534"))
		return;
	CU_ASSERT_FATAL(chown(path, OTHER_UID, OTHER_UID) == 0);
	MP_CHECK_RESULT("key of uid 65534",
			mp_apop_key_load(path, NULL, key, error, sizeof(error)), MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chown root %s", path);
	check_contains("key of uid 65534", error, (const char *const[]){ fix }, 1);
	MP_CHECK_RESULT("key of uid 65534, store_owner nobody",
			mp_apop_key_load(path, OTHER_NAME, key, error, sizeof(error)), MP_OK);
	sodium_memzero(key, sizeof(key));
}

/* store_open - the "file:" store at path. */
static struct mp_store *
store_open(const char *path)
{
	char location[450];
	struct mp_store *store = NULL;
	const char *reason = "";

	snprintf(location, sizeof(location), "file:%s", path);
	CU_ASSERT_FATAL(mp_store_open(location, &store, &reason) == MP_OK);
	return store;
}

static void
test_store_reads(void)
{
	static const struct {
		mode_t mode;
		enum mp_result want;
	} rows[] = {
		{ 0600, MP_OK }, { 0640, MP_OK }, { 0644, MP_OK },
		{ 0660, MP_UNAVAILABLE }, { 0666, MP_UNAVAILABLE }, { 0620, MP_UNAVAILABLE },
		{ 0602, MP_UNAVAILABLE },
	};
	const char *dir = mp_test_tmpdir();
	char path[400], label[64];
	struct mp_store *store;
	struct mp_entry *entry = NULL;
	const char *reason = "";

	snprintf(path, sizeof(path), "%s/passwd", dir);
	CU_ASSERT_FATAL(mp_test_write_file(path, "alice:{PLAIN}a\n", 0640));
	store = store_open(path);
	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		snprintf(label, sizeof(label), "lookup in a store of mode %04o",
			 (unsigned int)rows[i].mode);
		CU_ASSERT_FATAL(chmod(path, rows[i].mode) == 0);
		reason = "";
		MP_CHECK_RESULT(label, mp_store_lookup(store, "alice", &entry, &reason),
				rows[i].want);
		mp_entry_free(&entry);
		if (rows[i].want != MP_OK)
			check_contains(label, reason,
				       (const char *const[]){ "store file is writable by group or "
							      "others" }, 1);
	}
	CU_ASSERT_FATAL(chmod(path, 0640) == 0);
	MP_CHECK_RESULT("invalid store_owner", mp_store_file_set_owner(store, "a b", &reason),
			MP_MALFORMED);

	if (geteuid() == 0 && other_is_usable("a store of uid 65534")) {
		CU_ASSERT_FATAL(chown(path, OTHER_UID, OTHER_UID) == 0);
		MP_CHECK_RESULT("store of uid 65534",
				mp_store_lookup(store, "alice", &entry, &reason), MP_UNAVAILABLE);
		check_contains("store of uid 65534", reason,
			       (const char *const[]){ "owned by an account that is not root" }, 1);
		MP_CHECK_RESULT("store_owner nobody",
				mp_store_file_set_owner(store, OTHER_NAME, &reason), MP_OK);
		MP_CHECK_RESULT("store of uid 65534, store_owner nobody",
				mp_store_lookup(store, "alice", &entry, &reason), MP_OK);
		mp_entry_free(&entry);
		MP_CHECK_RESULT("store_owner unset",
				mp_store_file_set_owner(store, "", &reason), MP_OK);
		MP_CHECK_RESULT("store of uid 65534 again",
				mp_store_lookup(store, "alice", &entry, &reason), MP_UNAVAILABLE);
		CU_ASSERT_FATAL(chown(path, 0, 0) == 0);
	}
	mp_store_close(&store);
}

/* auth_open - mp_auth_open_conf over conf; the error in error_r. */
static enum mp_result
auth_open(const struct mp_conf *conf, struct mp_auth **auth_r, char error_r[MP_ERROR_MAX])
{
	error_r[0] = '\0';
	return mp_auth_open_conf(conf, auth_r, error_r, MP_ERROR_MAX);
}

static void
test_auth_open(void)
{
	const char *dir = mp_test_tmpdir(), *reason = "";
	char path[400], fix[MP_PATH_MAX + 64], error[MP_ERROR_MAX];
	struct mp_auth *auth = NULL;
	struct mp_conf conf;

	mp_conf_defaults(&conf);
	snprintf(path, sizeof(path), "%s/passwd", dir);
	snprintf(conf.store, sizeof(conf.store), "file:%s", path);

	/* The store need not exist yet. */
	MP_CHECK_RESULT("no store yet", auth_open(&conf, &auth, error), MP_OK);
	mp_auth_close(&auth);

	CU_ASSERT_FATAL(mp_test_write_file(path, "alice:{PLAIN}a\n", 0640));
	MP_CHECK_RESULT("store 0640", auth_open(&conf, &auth, error), MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
	CU_ASSERT_PTR_NULL(mp_auth_warning(auth));
	mp_auth_close(&auth);

	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	MP_CHECK_RESULT("store 0644", auth_open(&conf, &auth, error), MP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
	snprintf(fix, sizeof(fix), "run: chmod 0640 %s", path);
	check_contains("store 0644: the warning", mp_auth_warning(auth),
		       (const char *const[]){ path, "readable by others", fix }, 3);
	mp_auth_close(&auth);

	CU_ASSERT_FATAL(chmod(path, 0660) == 0);
	MP_CHECK_RESULT("store 0660", auth_open(&conf, &auth, error), MP_UNAVAILABLE);
	CU_ASSERT_PTR_NULL(auth);
	check_contains("store 0660", error, (const char *const[]){ path, "writable by group", fix },
		       3);
	CU_ASSERT_FATAL(chmod(path, 0640) == 0);

	/* The directory: whoever may write it may replace the store. */
	CU_ASSERT_FATAL(chmod(dir, 0777) == 0);
	MP_CHECK_RESULT("directory 0777", auth_open(&conf, &auth, error), MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chmod go-w %s", dir);
	check_contains("directory 0777", error, (const char *const[]){ "directory of the store",
								      fix }, 2);
	CU_ASSERT_FATAL(chmod(dir, 01777) == 0);
	MP_CHECK_RESULT("directory 1777", auth_open(&conf, &auth, error), MP_OK);
	mp_auth_close(&auth);
	CU_ASSERT_FATAL(chmod(dir, 0700) == 0);

	/* The apop_key file. */
	snprintf(conf.apop_key, sizeof(conf.apop_key), "%s/apop.key", dir);
	CU_ASSERT_FATAL(mp_apop_key_create(conf.apop_key, &reason) == MP_OK);
	MP_CHECK_RESULT("key 0600", auth_open(&conf, &auth, error), MP_OK);
	mp_auth_close(&auth);
	CU_ASSERT_FATAL(chmod(conf.apop_key, 0640) == 0);
	MP_CHECK_RESULT("key 0640", auth_open(&conf, &auth, error), MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chmod 0600 %s", conf.apop_key);
	check_contains("key 0640", error, (const char *const[]){ fix }, 1);
	CU_ASSERT_FATAL(chmod(conf.apop_key, 0600) == 0);

	/* store_owner: the files of another account, for Cyrus's layout. */
	if (geteuid() != 0 || !other_is_usable("mp_auth_open_conf with store_owner"))
		return;
	CU_ASSERT_FATAL(chown(path, OTHER_UID, OTHER_UID) == 0 &&
			chown(conf.apop_key, OTHER_UID, OTHER_UID) == 0 &&
			chown(dir, OTHER_UID, OTHER_UID) == 0);
	MP_CHECK_RESULT("files of uid 65534", auth_open(&conf, &auth, error), MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chown root %s", path);
	check_contains("files of uid 65534", error, (const char *const[]){ fix }, 1);
	snprintf(conf.store_owner, sizeof(conf.store_owner), "%s", OTHER_NAME);
	MP_CHECK_RESULT("files of uid 65534, store_owner nobody", auth_open(&conf, &auth, error),
			MP_OK);
	mp_auth_close(&auth);
	CU_ASSERT_FATAL(chown(path, 0, 0) == 0 && chown(conf.apop_key, 0, 0) == 0 &&
			chown(dir, 0, 0) == 0);
}

/* mp_conf_load refuses a configuration whoever is not root or its reader may write. */
static void
test_conf_load(void)
{
	const char *dir = mp_test_tmpdir();
	char path[400], fix[500], error[MP_ERROR_MAX];
	struct mp_conf conf;

	snprintf(path, sizeof(path), "%s/mailpass.conf", dir);
	CU_ASSERT_FATAL(mp_test_write_file(path, "rehash = no\n", 0644));
	MP_CHECK_RESULT("config 0644", mp_conf_load(&conf, path, error, sizeof(error)), MP_OK);
	CU_ASSERT_FATAL(chmod(path, 0664) == 0);
	MP_CHECK_RESULT("config 0664", mp_conf_load(&conf, path, error, sizeof(error)),
			MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chmod 0644 %s", path);
	check_contains("config 0664", error, (const char *const[]){ path, "writable by group", fix },
		       3);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	if (geteuid() != 0 || !other_is_usable("mp_conf_load of a file of uid 65534"))
		return;
	CU_ASSERT_FATAL(chown(path, OTHER_UID, OTHER_UID) == 0);
	MP_CHECK_RESULT("config of uid 65534", mp_conf_load(&conf, path, error, sizeof(error)),
			MP_UNAVAILABLE);
	snprintf(fix, sizeof(fix), "run: chown root %s", path);
	check_contains("config of uid 65534", error, (const char *const[]){ fix }, 1);
	CU_ASSERT_FATAL(chown(path, 0, 0) == 0);
}

void
mp_test_register_file_safety(void)
{
	CU_pSuite suite = CU_add_suite("file-safety", NULL, NULL);

	CU_add_test(suite, "verdicts and messages", test_verdicts);
	CU_add_test(suite, "message buffers", test_message_buffers);
	CU_add_test(suite, "store_owner names", test_owner_names);
	CU_add_test(suite, "store_owner in mailpass.conf", test_conf_store_owner);
	CU_add_test(suite, "apop_key file", test_key_load);
	CU_add_test(suite, "every store read", test_store_reads);
	CU_add_test(suite, "mp_auth_open_conf", test_auth_open);
	CU_add_test(suite, "mailpass.conf", test_conf_load);
}
