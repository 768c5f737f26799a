/*
 * test-store-index.c - a process's index of a large store, through
 * mp_store_lookup(): built at the second lookup of an unchanged file, used
 * while the file keeps its identity, given up when it changes.  That an
 * index answers every lookup as the scan does is checked case by case in
 * test-store-scan.c.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "store.h"
#include "store-faults.h"
#include "store-index.h"
#include "unit.h"

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Users in the large store: enough lines to pass MP_STORE_INDEX_MIN_SIZE. */
#define USERS 20000
#define THREADS 8
#define THREAD_LOOKUPS 300

struct large_store {
	char path[300];
	struct mp_store *store;
};

/* write_store - USERS users "userN:{PLAIN}pwN:...", then extra (may be ""). */
static void
write_store(const char *path, const char *extra)
{
	char tmp[320];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "# a large store\n");
	for (unsigned int n = 1; n <= USERS; n++)
		fprintf(f, "user%u:{PLAIN}pw%u:5000:5000::/var/vmail/user%u::\n", n, n, n);
	fputs(extra, f);
	CU_ASSERT_FATAL(fclose(f) == 0);
	CU_ASSERT_FATAL(chmod(tmp, 0640) == 0);
	CU_ASSERT_FATAL(rename(tmp, path) == 0);
}

static void
large_store_open(struct large_store *s, const char *extra)
{
	char location[320];
	const char *reason = NULL;
	struct stat st;

	snprintf(s->path, sizeof(s->path), "%s/passwd", mp_test_tmpdir());
	write_store(s->path, extra);
	CU_ASSERT_FATAL(stat(s->path, &st) == 0 && st.st_size >= MP_STORE_INDEX_MIN_SIZE);
	snprintf(location, sizeof(location), "file:%s", s->path);
	CU_ASSERT_FATAL(mp_store_open(location, &s->store, &reason) == MP_OK);
}

/* indexed - the process's index is of the file now at path. */
static bool
indexed(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && mp_store_index_current(&st);
}

/* check_lookup - user's lookup gives want, and the password field want_password. */
static void
check_lookup(struct mp_store *store, const char *label, const char *user, enum mp_result want,
	     const char *want_password)
{
	struct mp_entry *entry = NULL;
	const char *reason = NULL;

	MP_CHECK_RESULT(label, mp_store_lookup(store, user, &entry, &reason), want);
	if (want == MP_OK && entry != NULL)
		MP_CHECK_STR(label, mp_entry_password(entry), want_password);
	mp_entry_free(&entry);
}

static void
test_built_on_second_lookup(void)
{
	struct large_store s;

	large_store_open(&s, "user7:{PLAIN}again\nlast:{PLAIN}last pw");
	check_lookup(s.store, "first lookup: scanned", "user10", MP_OK, "{PLAIN}pw10");
	CU_ASSERT(!indexed(s.path));
	check_lookup(s.store, "second lookup: builds", "user20000", MP_OK, "{PLAIN}pw20000");
	CU_ASSERT(indexed(s.path));
	check_lookup(s.store, "indexed: first user", "user1", MP_OK, "{PLAIN}pw1");
	check_lookup(s.store, "indexed: last line, no newline", "last", MP_OK, "{PLAIN}last pw");
	check_lookup(s.store, "indexed: a prefix of a name", "user2000x", MP_USER_UNKNOWN, NULL);
	check_lookup(s.store, "indexed: unknown", "nobody", MP_USER_UNKNOWN, NULL);
	check_lookup(s.store, "indexed: on two lines", "user7", MP_MALFORMED, NULL);
	check_lookup(s.store, "indexed: the comment is no user", "#", MP_USER_UNKNOWN, NULL);
	CU_ASSERT(indexed(s.path));

	/* Replaced: scanned once, then indexed anew. */
	write_store(s.path, "new:{PLAIN}new pw\n");
	CU_ASSERT(!indexed(s.path));
	check_lookup(s.store, "replaced: scanned", "new", MP_OK, "{PLAIN}new pw");
	CU_ASSERT(!indexed(s.path));
	check_lookup(s.store, "replaced: the old duplicate is gone", "user7", MP_OK,
		     "{PLAIN}pw7");
	CU_ASSERT(indexed(s.path));
	check_lookup(s.store, "replaced: the old last line is gone", "last", MP_USER_UNKNOWN,
		     NULL);
	mp_store_close(&s.store);
}

/* A line appended in place changes the file's size and times: the index is given up. */
static void
test_append_in_place(void)
{
	static const char line[] = "user1:{PLAIN}appended\nlate:{PLAIN}late pw\n";
	struct large_store s;
	int fd;

	large_store_open(&s, "");
	check_lookup(s.store, "scanned", "user1", MP_OK, "{PLAIN}pw1");
	check_lookup(s.store, "indexed", "user1", MP_OK, "{PLAIN}pw1");
	CU_ASSERT_FATAL(indexed(s.path));
	fd = open(s.path, O_WRONLY | O_APPEND | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, line, sizeof(line) - 1) == (ssize_t)(sizeof(line) - 1));
	CU_ASSERT_FATAL(close(fd) == 0);
	CU_ASSERT(!indexed(s.path));
	check_lookup(s.store, "appended: user1 twice", "user1", MP_MALFORMED, NULL);
	check_lookup(s.store, "appended: a new user", "late", MP_OK, "{PLAIN}late pw");
	CU_ASSERT(indexed(s.path));
	check_lookup(s.store, "appended, indexed: user1 twice", "user1", MP_MALFORMED, NULL);
	mp_store_close(&s.store);
}

/* A line appended while the index is built: no index, and the scan that follows sees it. */
static void
test_append_while_building(void)
{
	struct large_store s;

	large_store_open(&s, "");
	check_lookup(s.store, "scanned", "user5", MP_OK, "{PLAIN}pw5");
	mp_fault_arm(MP_FAULT_APPEND_AT_READ, s.path, "user5:{PLAIN}second\n");
	check_lookup(s.store, "appended during the build", "user5", MP_MALFORMED, NULL);
	CU_ASSERT(mp_fault_fired());
	CU_ASSERT(!indexed(s.path));
	check_lookup(s.store, "scanned again", "user6", MP_OK, "{PLAIN}pw6");
	check_lookup(s.store, "indexed now", "user5", MP_MALFORMED, NULL);
	CU_ASSERT(indexed(s.path));
	mp_store_close(&s.store);
}

/* A store below MP_STORE_INDEX_MIN_SIZE is always scanned. */
static void
test_small_store_scanned(void)
{
	char path[300], location[320];
	struct mp_store *store = NULL;
	const char *reason = NULL;

	snprintf(path, sizeof(path), "%s/small", mp_test_tmpdir());
	CU_ASSERT_FATAL(mp_test_write_file(path, "alice:{PLAIN}a\nbob:{PLAIN}b\n", 0640));
	snprintf(location, sizeof(location), "file:%s", path);
	CU_ASSERT_FATAL(mp_store_open(location, &store, &reason) == MP_OK);
	for (int i = 0; i < 3; i++)
		check_lookup(store, "small store", "bob", MP_OK, "{PLAIN}b");
	CU_ASSERT(!indexed(path));
	mp_store_close(&store);
}

/*
 * An index used on a file other than the one it was built from (as it could
 * be after an edit in place within one tick of a coarse file clock) never
 * takes text in the middle of a line for a record.
 */
static void
test_offset_not_a_line_start(void)
{
	static const char built_from[] = "bob:{PLAIN}b\nalice:{PLAIN}a\n";
	static const char now[] = "bob:{PLAIN}bxalice:{PLAIN}x\n";
	struct mp_store_index *index = NULL;
	char path[300], *line = NULL;
	const char *reason = NULL;
	size_t line_len = 0;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/moved", mp_test_tmpdir());
	CU_ASSERT_FATAL(mp_test_write_file(path, built_from, 0640));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0 && fstat(fd, &st) == 0);
	MP_CHECK_RESULT("build", mp_store_index_build(fd, &st, 0, &index, &reason), MP_OK);
	CU_ASSERT_FATAL(index != NULL);
	MP_CHECK_RESULT("built from", mp_store_index_find(index, fd, "alice", &line, &line_len,
							  &reason), MP_OK);
	MP_CHECK_STR("built from", line, "alice:{PLAIN}a");
	mp_secret_free(&line, line_len + 1);
	(void)close(fd);

	CU_ASSERT_FATAL(mp_test_write_file(path, now, 0640));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	MP_CHECK_RESULT("alice's offset is inside bob's line now",
			mp_store_index_find(index, fd, "alice", &line, &line_len, &reason),
			MP_USER_UNKNOWN);
	CU_ASSERT_PTR_NULL(line);
	MP_CHECK_RESULT("bob's offset still starts his line",
			mp_store_index_find(index, fd, "bob", &line, &line_len, &reason), MP_OK);
	MP_CHECK_STR("bob", line, "bob:{PLAIN}bxalice:{PLAIN}x");
	mp_secret_free(&line, line_len + 1);
	(void)close(fd);
	mp_store_index_free(&index);
}

struct thread_work {
	struct mp_store *store;
	unsigned int seed;
	unsigned int wrong;
};

static void *
lookup_thread(void *arg)
{
	struct thread_work *work = arg;

	for (int i = 0; i < THREAD_LOOKUPS; i++) {
		unsigned int n = (unsigned int)rand_r(&work->seed) % (USERS + 100) + 1;
		char user[32], want[48];
		struct mp_entry *entry = NULL;
		const char *reason = NULL;
		enum mp_result result;

		snprintf(user, sizeof(user), "user%u", n);
		snprintf(want, sizeof(want), "{PLAIN}pw%u", n);
		result = mp_store_lookup(work->store, user, &entry, &reason);
		if (n <= USERS ? result != MP_OK || strcmp(mp_entry_password(entry), want) != 0 :
				 result != MP_USER_UNKNOWN)
			work->wrong++;
		mp_entry_free(&entry);
	}
	return NULL;
}

/* Threads that share one store handle, and the process's index, get right answers. */
static void
test_threads(void)
{
	struct thread_work work[THREADS];
	pthread_t threads[THREADS];
	struct large_store s;
	unsigned int wrong = 0;

	large_store_open(&s, "");
	for (size_t i = 0; i < ROWS(threads); i++) {
		work[i] = (struct thread_work){ .store = s.store, .seed = (unsigned int)i + 1 };
		CU_ASSERT_FATAL(pthread_create(&threads[i], NULL, lookup_thread, &work[i]) == 0);
	}
	for (size_t i = 0; i < ROWS(threads); i++) {
		CU_ASSERT(pthread_join(threads[i], NULL) == 0);
		wrong += work[i].wrong;
	}
	if (wrong != 0)
		fprintf(stderr, "\n  %u of %d lookups answered wrongly\n", wrong,
			THREADS * THREAD_LOOKUPS);
	CU_ASSERT(wrong == 0);
	CU_ASSERT(indexed(s.path));
	mp_store_close(&s.store);
}

void
mp_test_register_store_index(void)
{
	CU_pSuite suite = CU_add_suite("store index", NULL, NULL);

	CU_add_test(suite, "built at the second lookup, given up when replaced",
		    test_built_on_second_lookup);
	CU_add_test(suite, "given up after an append in place", test_append_in_place);
	CU_add_test(suite, "a change while it is built", test_append_while_building);
	CU_add_test(suite, "a small store is scanned", test_small_store_scanned);
	CU_add_test(suite, "an offset that starts no line is no record",
		    test_offset_not_a_line_start);
	CU_add_test(suite, "threads share the index", test_threads);
}
