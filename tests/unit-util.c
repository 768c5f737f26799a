/* unit-util.c - helpers shared by the CUnit suites. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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
