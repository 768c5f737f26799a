/*
 * test-store-stamp.c - the store's stamp ("<store>.stamp"): when lookups
 * trust it, when they ignore it, and that every write keeps it right; and
 * the name set that proves a store holds no user twice.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "entry.h"
#include "name-set.h"
#include "secret.h"
#include "store-faults.h"
#include "store-scan.h"
#include "store-stamp.h"
#include "store.h"
#include "unit.h"

/*
 * A store with alice on two lines, the second at the end of more than the
 * scan's buffer (store-file.c reads a store that fits in the first read
 * whole and does not look at its stamp): a lookup of alice must refuse it
 * unless a stamp vouches.
 */
static char duplicated[MP_STORE_SCAN_CHUNK + 4096];
/* The same store without the second alice: no user twice. */
static char unique_big[sizeof(duplicated)];
static const char small_duplicated[] = "alice:{PLAIN}first\nbob:{PLAIN}b\nalice:{PLAIN}second\n";
static const char clean[] = "# users\nalice:{PLAIN}a\n\nbob:{PLAIN}b\ncarol\n";
static const char empty_names[] = "alice:{PLAIN}a\n:x\nbob:{PLAIN}b\n:x\n:\n";

/*
 * make_duplicated - fill duplicated[] once: alice, bob, filler users, alice
 * again; and unique_big[] with all but the last line.
 */
static void
make_duplicated(void)
{
	size_t len;

	if (duplicated[0] != '\0')
		return;
	len = (size_t)snprintf(duplicated, sizeof(duplicated),
			       "alice:{PLAIN}first\nbob:{PLAIN}b\n");
	for (unsigned int i = 0; len < MP_STORE_SCAN_CHUNK + 100; i++)
		len += (size_t)snprintf(duplicated + len, sizeof(duplicated) - len,
					"filler%05u:{PLAIN}x\n", i);
	memcpy(unique_big, duplicated, len + 1);
	snprintf(duplicated + len, sizeof(duplicated) - len, "alice:{PLAIN}second\n");
}

struct fixture {
	char store[PATH_MAX];
	char stamp[PATH_MAX + 8];
	char location[PATH_MAX + 8];
	struct mp_store *handle;
};

/* fixture_open - a store file with text in a fresh directory, opened as a "file:" store. */
static void
fixture_open(struct fixture *f, const char *text)
{
	const char *reason = "";

	make_duplicated();
	snprintf(f->store, sizeof(f->store), "%s/passwd", mp_test_tmpdir());
	snprintf(f->stamp, sizeof(f->stamp), "%s.stamp", f->store);
	snprintf(f->location, sizeof(f->location), "file:%s", f->store);
	CU_ASSERT_FATAL(mp_test_write_file(f->store, text, 0600));
	f->handle = NULL;
	MP_CHECK_RESULT("open", mp_store_open(f->location, &f->handle, &reason), MP_OK);
	CU_ASSERT_FATAL(f->handle != NULL);
}

static void
fixture_close(struct fixture *f)
{
	mp_store_close(&f->handle);
}

/* store_stat - the store file's status, as a lookup's fstat() sees it. */
static struct stat
store_stat(const struct fixture *f)
{
	struct stat st;

	CU_ASSERT_FATAL(stat(f->store, &st) == 0);
	return st;
}

static bool
stamp_matches(const struct fixture *f)
{
	struct stat st = store_stat(f);

	return mp_store_stamp_matches(f->store, &st);
}

/*
 * next_tick - wait until a change to a file gets a later time than the one
 * before it: some kernels move file times only once per clock tick.
 */
static void
next_tick(void)
{
	struct timespec wait = { .tv_nsec = 20 * 1000 * 1000 };

	(void)nanosleep(&wait, NULL);
}

/* forge_stamp - a stamp for the store as it is now, whatever it holds. */
static void
forge_stamp(const struct fixture *f)
{
	struct stat st = store_stat(f);
	const char *reason = "";

	MP_CHECK_RESULT("forge stamp", mp_store_stamp_write(f->store, &st, &reason), MP_OK);
	CU_ASSERT(stamp_matches(f));
}

/* lookup - look user up; on MP_OK, *password_r gets a copy of the password field. */
static enum mp_result
lookup(const struct fixture *f, const char *user, char *password, size_t size)
{
	struct mp_entry *entry = NULL;
	const char *reason = "";
	enum mp_result result;

	password[0] = '\0';
	result = mp_store_lookup(f->handle, user, &entry, &reason);
	if (result == MP_OK) {
		snprintf(password, size, "%s", mp_entry_password(entry));
		mp_entry_free(&entry);
	}
	return result;
}

static enum mp_result
set_password_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
		const char **reason_r)
{
	const char *const *args = context;	/* user, value */

	*action_r = MP_EDIT_WRITE;
	if (*entry == NULL)
		return mp_entry_new(args[0], args[1], entry, reason_r);
	return mp_entry_set_password(*entry, args[1], reason_r);
}

static enum mp_result
delete_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
	  const char **reason_r)
{
	*action_r = MP_EDIT_DELETE;
	return MP_OK;
}

static enum mp_result
set_password(const struct fixture *f, const char *user, const char *value)
{
	const char *args[] = { user, value }, *reason = "";

	return mp_store_edit(f->handle, user, set_password_fn, args, &reason);
}

/* A stamp that vouches for the file makes the lookup stop at the first record. */
static void
test_trusted(void)
{
	struct fixture f;
	char password[64];

	fixture_open(&f, duplicated);
	MP_CHECK_RESULT("no stamp", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	forge_stamp(&f);
	MP_CHECK_RESULT("stamped", lookup(&f, "alice", password, sizeof(password)), MP_OK);
	MP_CHECK_STR("stamped", password, "{PLAIN}first");
	MP_CHECK_RESULT("stamped, other user", lookup(&f, "bob", password, sizeof(password)),
			MP_OK);
	MP_CHECK_RESULT("stamped, unknown user", lookup(&f, "zed", password, sizeof(password)),
			MP_USER_UNKNOWN);
	fixture_close(&f);

	/* A store that fits in one read is read whole: its stamp is not even looked at. */
	fixture_open(&f, small_duplicated);
	forge_stamp(&f);
	MP_CHECK_RESULT("small store, stamped", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	fixture_close(&f);
}

/* Any change to the store file makes its stamp stale: lookups read it whole again. */
static void
test_stale(void)
{
	struct fixture f;
	char password[64];
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };
	int fd;

	fixture_open(&f, duplicated);
	forge_stamp(&f);
	next_tick();
	CU_ASSERT_FATAL(chmod(f.store, 0640) == 0);	/* the ctime moves, nothing else */
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("after chmod", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);

	forge_stamp(&f);
	next_tick();
	CU_ASSERT_FATAL(utimensat(AT_FDCWD, f.store, times, 0) == 0);
	CU_ASSERT(!stamp_matches(&f));

	/* The same number of bytes, rewritten in place: the same inode and size. */
	forge_stamp(&f);
	next_tick();
	fd = open(f.store, O_WRONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(pwrite(fd, "A", 1, 0) == 1);
	CU_ASSERT(close(fd) == 0);
	CU_ASSERT(!stamp_matches(&f));

	/* A store replaced by another file, as an editor saves it. */
	forge_stamp(&f);
	next_tick();
	CU_ASSERT_FATAL(mp_test_write_file(f.store, duplicated, 0600));
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("replaced", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	fixture_close(&f);
}

/*
 * The stamp's line, byte for byte as printf() would write it, for file
 * times of every shape: zero, nanoseconds that need leading zeros, the
 * largest nanosecond, before 1970, far ahead.
 */
static void
test_line_format(void)
{
	static const struct timespec times[] = {
		{ 0, 0 }, { 1, 5 }, { 1700000000, 999999999 }, { -1, 500000000 },
		{ -86400 * 365, 1 }, { 4102444800, 123456789 },
	};
	struct fixture f;
	char want[256], label[64], *got;
	size_t i;

	fixture_open(&f, clean);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct timespec both[2] = { times[i], times[i] };
		struct stat st;

		snprintf(label, sizeof(label), "mtime %lld.%ld", (long long)times[i].tv_sec,
			 times[i].tv_nsec);
		if (utimensat(AT_FDCWD, f.store, both, 0) != 0) {
			printf("\n  %s: the file system refuses this time, row skipped\n", label);
			continue;
		}
		st = store_stat(&f);
		forge_stamp(&f);
		snprintf(want, sizeof(want),
			 "mailpass-stamp 1 unique dev=%ju ino=%ju size=%jd mtime=%jd.%09ld "
			 "ctime=%jd.%09ld\n",
			 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
			 (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
			 (intmax_t)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
		got = mp_test_read_file(f.stamp);
		CU_ASSERT_FATAL(got != NULL);
		MP_CHECK_STR(label, got, want);
		free(got);
	}
	fixture_close(&f);
}

/* write_stamp_text - put text into the stamp file with mode. */
static void
write_stamp_text(const struct fixture *f, const char *text, unsigned int mode)
{
	(void)unlink(f->stamp);
	CU_ASSERT_FATAL(mp_test_write_file(f->stamp, text, mode));
	CU_ASSERT_FATAL(chmod(f->stamp, mode) == 0);
}

/* A stamp that is not what a mailpass writer leaves is ignored, never an error. */
static void
test_untrusted(void)
{
	struct fixture f;
	char password[64], *good, *longer, target[PATH_MAX + 32];

	fixture_open(&f, duplicated);
	forge_stamp(&f);
	good = mp_test_read_file(f.stamp);
	CU_ASSERT_FATAL(good != NULL);
	CU_ASSERT(strncmp(good, "mailpass-stamp 1 unique dev=", 28) == 0);

	write_stamp_text(&f, good, 0620);
	CU_ASSERT(!stamp_matches(&f));	/* group-writable */
	write_stamp_text(&f, good, 0602);
	CU_ASSERT(!stamp_matches(&f));	/* world-writable */
	longer = malloc(strlen(good) + 2);
	CU_ASSERT_FATAL(longer != NULL);
	snprintf(longer, strlen(good) + 2, "%sx", good);
	write_stamp_text(&f, longer, 0600);
	CU_ASSERT(!stamp_matches(&f));	/* a byte more */
	longer[strlen(good) - 1] = '\0';
	write_stamp_text(&f, longer, 0600);
	CU_ASSERT(!stamp_matches(&f));	/* no newline */
	write_stamp_text(&f, "", 0600);
	CU_ASSERT(!stamp_matches(&f));	/* empty */
	write_stamp_text(&f, "mailpass-stamp 1 unique dev=0 ino=0 size=0 mtime=0.0 ctime=0.0\n",
			 0600);
	CU_ASSERT(!stamp_matches(&f));	/* another file's */

	/* A symbolic link to a good stamp is not followed. */
	snprintf(target, sizeof(target), "%s.elsewhere", f.stamp);
	CU_ASSERT_FATAL(mp_test_write_file(target, good, 0600));
	(void)unlink(f.stamp);
	CU_ASSERT_FATAL(symlink(target, f.stamp) == 0);
	CU_ASSERT(!stamp_matches(&f));
	CU_ASSERT(unlink(f.stamp) == 0);

	/* A directory in its place. */
	CU_ASSERT_FATAL(mkdir(f.stamp, 0700) == 0);
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("directory stamp", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	CU_ASSERT(rmdir(f.stamp) == 0);

	/* Owned by neither root nor the store's owner. */
	if (geteuid() == 0) {
		write_stamp_text(&f, good, 0600);
		CU_ASSERT(stamp_matches(&f));
		CU_ASSERT_FATAL(chown(f.stamp, 65534, 65534) == 0);
		CU_ASSERT(!stamp_matches(&f));
	} else {
		mp_test_skip("stamp owned by another user", "needs root to chown");
	}

	MP_CHECK_RESULT("bad stamps", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	free(longer);
	free(good);
	fixture_close(&f);
}

/*
 * Every edit of a store without a user twice stamps it; an edit of one with
 * a user twice does not.
 */
static void
test_edits(void)
{
	struct fixture f;
	const char *reason = "";
	char password[64];
	struct stat st;

	fixture_open(&f, clean);
	CU_ASSERT(access(f.stamp, F_OK) != 0);
	MP_CHECK_RESULT("add", set_password(&f, "dave", "{PLAIN}d"), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	CU_ASSERT(stat(f.stamp, &st) == 0 && (st.st_mode & 07777) == 0600);
	MP_CHECK_RESULT("change", set_password(&f, "alice", "{PLAIN}a2"), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	MP_CHECK_RESULT("delete", mp_store_edit(f.handle, "bob", delete_fn, NULL, &reason), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	MP_CHECK_RESULT("lookup", lookup(&f, "alice", password, sizeof(password)), MP_OK);
	MP_CHECK_STR("lookup", password, "{PLAIN}a2");
	MP_CHECK_RESULT("lookup deleted", lookup(&f, "bob", password, sizeof(password)),
			MP_USER_UNKNOWN);
	/* The stamp follows the store's mode. */
	CU_ASSERT_FATAL(chmod(f.store, 0640) == 0);
	MP_CHECK_RESULT("after chmod", set_password(&f, "dave", "{PLAIN}d2"), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	CU_ASSERT(stat(f.stamp, &st) == 0 && (st.st_mode & 07777) == 0640);
	fixture_close(&f);

	/* alice twice: an edit of bob goes through, and leaves no stamp that matches. */
	fixture_open(&f, duplicated);
	(void)unlink(f.stamp);
	MP_CHECK_RESULT("edit beside a duplicate", set_password(&f, "bob", "{PLAIN}b2"), MP_OK);
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("duplicate still refused", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	fixture_close(&f);

	/* Two broken lines without a name: an edit stamps the store all the same. */
	fixture_open(&f, empty_names);
	MP_CHECK_RESULT("edit beside empty names", set_password(&f, "bob", "{PLAIN}b2"), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	fixture_close(&f);

	/* A store created by its first edit. */
	fixture_open(&f, "");
	CU_ASSERT_FATAL(unlink(f.store) == 0);
	MP_CHECK_RESULT("create", set_password(&f, "erin", "{PLAIN}e"), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	fixture_close(&f);
}

/* mp_store_file_stamp: stamps a store that has no user twice, refuses one that has. */
static void
test_stamp_command(void)
{
	struct fixture f;
	const char *reason = "";
	char password[64];

	fixture_open(&f, clean);
	MP_CHECK_RESULT("stamp", mp_store_file_stamp(f.handle, &reason), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	MP_CHECK_RESULT("lookup", lookup(&f, "bob", password, sizeof(password)), MP_OK);
	fixture_close(&f);

	/* Broken lines without a name are no user, let alone one user twice. */
	fixture_open(&f, empty_names);
	MP_CHECK_RESULT("stamp, two empty names", mp_store_file_stamp(f.handle, &reason), MP_OK);
	CU_ASSERT(stamp_matches(&f));
	fixture_close(&f);

	fixture_open(&f, duplicated);
	(void)unlink(f.stamp);
	MP_CHECK_RESULT("stamp duplicated", mp_store_file_stamp(f.handle, &reason), MP_MALFORMED);
	MP_CHECK_STR("stamp duplicated", reason, "user appears more than once in the store");
	CU_ASSERT(access(f.stamp, F_OK) != 0);
	CU_ASSERT_FATAL(unlink(f.store) == 0);
	MP_CHECK_RESULT("no store", mp_store_file_stamp(f.handle, &reason), MP_UNAVAILABLE);
	CU_ASSERT(access(f.stamp, F_OK) != 0);
	fixture_close(&f);
}

/*
 * stamp_big - a store of more than the scan's first read, without a user
 * twice, stamped: its lookups stop at the user's line.
 */
static void
stamp_big(struct fixture *f)
{
	const char *reason = "";

	fixture_open(f, unique_big);
	MP_CHECK_RESULT("stamp", mp_store_file_stamp(f->handle, &reason), MP_OK);
	CU_ASSERT_FATAL(stamp_matches(f));
}

/* fault_fired - assert that the armed fault happened, or the test shows nothing. */
static void
fault_fired(const char *label)
{
	bool fired = mp_fault_fired();

	if (!fired)
		fprintf(stderr, "\n  %s: the other process's append did not happen\n", label);
	CU_ASSERT_FATAL(fired);
}

/*
 * An edit whose read of the store overlaps an append by hand (`echo ... >>
 * passwd`) writes the appended line back: the old stamp, which matched the
 * file as it was opened, must not vouch for what was read, and the new file
 * is stamped only when a look at every line shows no user twice.
 */
static void
test_append_during_edit(void)
{
	struct fixture f;
	char password[64];

	stamp_big(&f);
	mp_fault_arm(MP_FAULT_APPEND_AT_READ, f.store, "alice:{PLAIN}second\n");
	MP_CHECK_RESULT("edit", set_password(&f, "bob", "{PLAIN}b2"), MP_OK);
	fault_fired("edit");
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("alice twice", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	/* The next edit reads every line, and stamps nothing either. */
	MP_CHECK_RESULT("next edit", set_password(&f, "bob", "{PLAIN}b3"), MP_OK);
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("still twice", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	fixture_close(&f);

	/* A new user appended meanwhile: every line is looked at, and the file stamped. */
	stamp_big(&f);
	mp_fault_arm(MP_FAULT_APPEND_AT_READ, f.store, "zoe:{PLAIN}z\n");
	MP_CHECK_RESULT("edit, zoe appended", set_password(&f, "bob", "{PLAIN}b2"), MP_OK);
	fault_fired("edit, zoe appended");
	CU_ASSERT(stamp_matches(&f));
	MP_CHECK_RESULT("zoe", lookup(&f, "zoe", password, sizeof(password)), MP_OK);
	MP_CHECK_STR("zoe", password, "{PLAIN}z");
	fixture_close(&f);
}

/*
 * An append by hand to the new store file between the writer's rename and
 * its fstat() of the file: that fstat() must not become the identity of a
 * stamp, which would vouch for a line no one checked.
 */
static void
test_append_after_rename(void)
{
	struct fixture f;
	char password[64];

	stamp_big(&f);
	mp_fault_arm(MP_FAULT_APPEND_AT_WRITER_FSTAT, f.store, "alice:{PLAIN}second\n");
	MP_CHECK_RESULT("edit", set_password(&f, "bob", "{PLAIN}b2"), MP_OK);
	fault_fired("edit");
	CU_ASSERT(!stamp_matches(&f));
	MP_CHECK_RESULT("alice twice", lookup(&f, "alice", password, sizeof(password)),
			MP_MALFORMED);
	MP_CHECK_RESULT("bob", lookup(&f, "bob", password, sizeof(password)), MP_OK);
	MP_CHECK_STR("bob", password, "{PLAIN}b2");
	fixture_close(&f);
}

/*
 * A lookup judges the stamp when it opens the store: an append while it
 * reads does not stop it at the first record, and it answers as the file
 * it opened would, before the append.  The next lookup sees a stale stamp.
 */
static void
test_append_during_lookup(void)
{
	struct fixture f;
	char password[64];

	stamp_big(&f);
	mp_fault_arm(MP_FAULT_APPEND_AT_READ, f.store, "alice:{PLAIN}second\n");
	MP_CHECK_RESULT("during", lookup(&f, "alice", password, sizeof(password)), MP_OK);
	fault_fired("lookup");
	MP_CHECK_STR("during", password, "{PLAIN}first");
	MP_CHECK_RESULT("after", lookup(&f, "alice", password, sizeof(password)), MP_MALFORMED);
	fixture_close(&f);
}

/* Two fstat()s give the same stamp exactly when the fields the stamp records agree. */
static void
test_same_identity(void)
{
	/* Each row adds its numbers to the fields of a copy of the status. */
	static const struct {
		const char *label;
		int dev, ino, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, atime_sec, mode;
		bool want;
	} rows[] = {
		{ .label = "the same", .want = true },
		{ .label = "device", .dev = 1 },
		{ .label = "inode", .ino = 1 },
		{ .label = "size", .size = 1 },
		{ .label = "mtime seconds", .mtime_sec = 1 },
		{ .label = "mtime nanoseconds", .mtime_nsec = 1 },
		{ .label = "ctime seconds", .ctime_sec = 1 },
		{ .label = "ctime nanoseconds", .ctime_nsec = 1 },
		{ .label = "atime (not recorded)", .atime_sec = 1, .want = true },
		{ .label = "mode (not recorded: it moves the ctime)", .mode = 040, .want = true },
	};
	const struct stat a = {
		.st_dev = 8, .st_ino = 1234, .st_size = 99, .st_mode = S_IFREG | 0600,
		.st_mtim = { 1700000000, 5 }, .st_ctim = { 1700000001, 6 },
		.st_atim = { 1700000002, 7 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stat b = a;
		bool got;

		b.st_dev += (dev_t)rows[i].dev;
		b.st_ino += (ino_t)rows[i].ino;
		b.st_size += rows[i].size;
		b.st_mtim.tv_sec += rows[i].mtime_sec;
		b.st_mtim.tv_nsec += rows[i].mtime_nsec;
		b.st_ctim.tv_sec += rows[i].ctime_sec;
		b.st_ctim.tv_nsec += rows[i].ctime_nsec;
		b.st_atim.tv_sec += rows[i].atime_sec;
		b.st_mode += (mode_t)rows[i].mode;
		got = mp_store_stamp_same_identity(&a, &b);
		if (got != rows[i].want)
			fprintf(stderr, "\n  %s: got %d, want %d\n", rows[i].label, got, rows[i].want);
		CU_ASSERT(got == rows[i].want);
	}
}

/* The name set: added once, seen twice, full. */
static void
test_name_set(void)
{
	struct mp_name_set *set = mp_name_set_new(3);
	char names[20000][8];

	CU_ASSERT_FATAL(set != NULL);
	CU_ASSERT(mp_name_set_add(set, "alice", 5) == 1);
	CU_ASSERT(mp_name_set_add(set, "alicex", 5) == 0);	/* only len bytes count */
	CU_ASSERT(mp_name_set_add(set, "alic", 4) == 1);
	CU_ASSERT(mp_name_set_add(set, "", 0) == 1);
	CU_ASSERT(mp_name_set_add(set, "", 0) == 0);
	CU_ASSERT(mp_name_set_add(set, "bob", 3) == -1);	/* a fourth name */
	mp_name_set_free(&set);
	CU_ASSERT_PTR_NULL(set);
	mp_name_set_free(&set);

	set = mp_name_set_new(20000);
	CU_ASSERT_FATAL(set != NULL);
	for (int i = 0; i < 20000; i++) {
		snprintf(names[i], sizeof(names[i]), "u%d", i);
		CU_ASSERT(mp_name_set_add(set, names[i], strlen(names[i])) == 1);
	}
	for (int i = 0; i < 20000; i += 7)
		CU_ASSERT(mp_name_set_add(set, names[i], strlen(names[i])) == 0);
	mp_name_set_free(&set);
}

void
mp_test_register_store_stamp(void)
{
	CU_pSuite suite = CU_add_suite("store-stamp", NULL, NULL);

	CU_add_test(suite, "a trusted stamp", test_trusted);
	CU_add_test(suite, "the line of a stamp", test_line_format);
	CU_add_test(suite, "the identity a stamp records", test_same_identity);
	CU_add_test(suite, "a stale stamp", test_stale);
	CU_add_test(suite, "stamps that are ignored", test_untrusted);
	CU_add_test(suite, "edits keep the stamp", test_edits);
	CU_add_test(suite, "stamping a store", test_stamp_command);
	CU_add_test(suite, "an append during an edit's read", test_append_during_edit);
	CU_add_test(suite, "an append after a writer's rename", test_append_after_rename);
	CU_add_test(suite, "an append during a lookup", test_append_during_lookup);
	CU_add_test(suite, "the name set", test_name_set);
}
