/* unit-util.c - helpers shared by the CUnit suites. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/*
 * Every directory mp_test_tmpdir() hands out lives below one root, made on
 * the first call and removed when the runner exits.
 */
static char tmp_root[PATH_MAX];
static unsigned int tmpdir_count;
static pid_t tmpdir_owner;
static char **tmpdirs;

void
mp_test_skip(const char *what, const char *why)
{
	const char *require = getenv("MAILPASS_REQUIRE_TOOLS");

	fprintf(stderr, "\n  SKIP %s: %s\n", what, why);
	if (require != NULL && strcmp(require, "1") == 0) {
		fprintf(stderr, "  (MAILPASS_REQUIRE_TOOLS=1 turns this skip into a failure)\n");
		CU_FAIL("skipped although MAILPASS_REQUIRE_TOOLS=1");
	}
}

bool
mp_test_have_tool(const char *name)
{
	const char *path = getenv("PATH");
	char candidate[PATH_MAX];

	if (path == NULL)
		return false;
	while (*path != '\0') {
		size_t len = strcspn(path, ":");

		if (len > 0 && snprintf(candidate, sizeof(candidate), "%.*s/%s",
					(int)len, path, name) < (int)sizeof(candidate) &&
		    access(candidate, X_OK) == 0)
			return true;
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

int
mp_test_capture(const char *command, char *out, size_t out_size)
{
	FILE *pipe = popen(command, "r");
	int status;

	if (out_size > 0)
		out[0] = '\0';
	if (pipe == NULL)
		return -1;
	if (out_size > 0 && fgets(out, (int)out_size, pipe) != NULL)
		out[strcspn(out, "\n")] = '\0';
	/* Drain the rest so that the child never blocks on a full pipe. */
	while (fgetc(pipe) != EOF)
		;
	status = pclose(pipe);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
remove_tmpdirs(void)
{
	if (getpid() != tmpdir_owner)
		return;	/* a forked child must not remove its parent's files */
	(void)nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (unsigned int i = 0; i < tmpdir_count; i++)
		free(tmpdirs[i]);
	free(tmpdirs);
}

const char *
mp_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char **grown;
	char *dir;

	if (tmpdir_count == 0) {
		snprintf(tmp_root, sizeof(tmp_root), "%s/mailpass-unit.XXXXXX",
			 base != NULL && *base != '\0' ? base : "/tmp");
		if (mkdtemp(tmp_root) == NULL) {
			perror("unit: mkdtemp");
			abort();
		}
		tmpdir_owner = getpid();
		atexit(remove_tmpdirs);
	}
	grown = realloc(tmpdirs, (tmpdir_count + 1) * sizeof(*tmpdirs));
	if (grown == NULL || asprintf(&dir, "%s/%u", tmp_root, tmpdir_count) < 0) {
		fprintf(stderr, "unit: out of memory\n");
		abort();
	}
	tmpdirs = grown;
	if (mkdir(dir, 0700) != 0) {
		perror("unit: mkdir");
		abort();
	}
	tmpdirs[tmpdir_count++] = dir;
	return dir;
}
bool
mp_test_write_file(const char *path, const char *text, unsigned int mode)
{
	size_t len = strlen(text);
	int fd;
	bool ok;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)mode);
	if (fd < 0)
		return false;
	ok = write(fd, text, len) == (ssize_t)len;
	ok = fchmod(fd, (mode_t)mode) == 0 && ok;
	return close(fd) == 0 && ok;
}

char *
mp_test_read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = NULL;
	size_t size = 0, len = 0;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > size) {
			char *bigger = realloc(text, size + 8192);

			if (bigger == NULL) {
				free(text);
				fclose(fp);
				return NULL;
			}
			text = bigger;
			size += 8192;
		}
		size_t got = fread(text + len, 1, 4096, fp);

		len += got;
		if (got == 0)
			break;
	}
	text[len] = '\0';
	fclose(fp);
	return text;
}

bool
mp_test_is_root(void)
{
	return geteuid() == 0;
}

/* others_may_enter - path and every directory above it let other accounts through. */
static bool
others_may_enter(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return false;
	for (;;) {
		if (stat(dir, &st) != 0 || (st.st_mode & S_IXOTH) == 0)
			return false;
		slash = strrchr(dir, '/');
		if (slash == NULL || strcmp(dir, "/") == 0)
			return true;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

const char *
mp_test_unprivileged_dir(const char *label)
{
	const char *dir = mp_test_tmpdir();

	if (!mp_test_is_root())
		return dir;
	/* mkdtemp made the root 0700: let the account through it, not list it. */
	if (chmod(tmp_root, 0711) != 0 ||
	    chown(dir, MP_TEST_UNPRIVILEGED_UID, MP_TEST_UNPRIVILEGED_GID) != 0) {
		fprintf(stderr, "\n  %s: cannot hand %s to uid %d: %s\n", label, dir,
			MP_TEST_UNPRIVILEGED_UID, strerror(errno));
		CU_FAIL("cannot prepare a directory for the unprivileged account");
		return NULL;
	}
	if (!others_may_enter(tmp_root)) {
		mp_test_skip(label, "a directory above $TMPDIR does not let other accounts "
			     "through, so the unprivileged account cannot reach its files");
		return NULL;
	}
	return dir;
}

/* Exit statuses of the child of mp_test_unprivileged(). */
enum {
	CHILD_PASSED = 0,
	CHILD_FAILED = 1,	/* an assertion in check failed */
	CHILD_NO_DROP = 2,	/* the privileges could not be dropped */
};

/* drop_root - become the unprivileged account for good. */
static bool
drop_root(void)
{
	if (setgroups(0, NULL) != 0 || setgid(MP_TEST_UNPRIVILEGED_GID) != 0 ||
	    setuid(MP_TEST_UNPRIVILEGED_UID) != 0)
		return false;
	/* Nothing may be left to regain root with. */
	return geteuid() == MP_TEST_UNPRIVILEGED_UID && getegid() == MP_TEST_UNPRIVILEGED_GID &&
	       setuid(0) != 0;
}

/* print_failures - the failure records of the run after the first skip ones. */
static void
print_failures(const char *label, unsigned int skip)
{
	unsigned int n = 0;

	for (CU_pFailureRecord r = CU_get_failure_list(); r != NULL; r = r->pNext, n++) {
		if (n < skip)
			continue;
		fprintf(stderr, "\n  %s (as uid %d): %s:%u: %s\n", label, MP_TEST_UNPRIVILEGED_UID,
			r->strFileName != NULL ? r->strFileName : "?", r->uiLineNumber,
			r->strCondition != NULL ? r->strCondition : "?");
	}
}

void
mp_test_unprivileged(const char *label, void (*check)(void *context), void *context,
		     unsigned int timeout)
{
	unsigned int failures, records;
	int status;
	pid_t pid;
	bool ok;

	if (!mp_test_is_root()) {
		check(context);
		return;
	}
	/* Nothing buffered may be written twice, by the parent and the child. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "\n  %s: fork: %s\n", label, strerror(errno));
		CU_FAIL("fork failed");
		return;
	}
	if (pid == 0) {
		alarm(timeout);
		if (!drop_root()) {
			fprintf(stderr, "\n  %s: cannot drop to uid %d and gid %d: %s\n",
				label, MP_TEST_UNPRIVILEGED_UID, MP_TEST_UNPRIVILEGED_GID,
				strerror(errno));
			fflush(NULL);
			_exit(CHILD_NO_DROP);
		}
		failures = CU_get_number_of_failures();
		records = CU_get_number_of_failure_records();
		check(context);
		print_failures(label, records);
		fflush(NULL);
		_exit(CU_get_number_of_failures() == failures ? CHILD_PASSED : CHILD_FAILED);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "\n  %s: waitpid: %s\n", label, strerror(errno));
			CU_FAIL("waitpid failed");
			return;
		}
	}
	ok = WIFEXITED(status) && WEXITSTATUS(status) == CHILD_PASSED;
	if (WIFSIGNALED(status))
		fprintf(stderr, "\n  %s: the unprivileged child died of signal %d%s\n", label,
			WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
	else if (!ok)
		fprintf(stderr, "\n  %s: the unprivileged child %s\n", label,
			WEXITSTATUS(status) == CHILD_NO_DROP ? "could not drop root" :
			"failed an assertion (above)");
	CU_ASSERT(ok);
}
