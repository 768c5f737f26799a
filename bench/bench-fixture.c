/* bench-fixture.c - temporary directories and the built module and plugin paths. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-fixture.h"
#include "bench-util.h"

static char tmpdir_path[PATH_MAX];

void
bench_tmpdir_make(const char *prefix, char *path_r, size_t size)
{
	const char *base;

	base = getenv("TMPDIR");
	if (base == NULL || base[0] != '/')
		base = "/tmp";
	if ((size_t)snprintf(tmpdir_path, sizeof(tmpdir_path), "%s/%s.XXXXXX", base,
			     prefix) >= sizeof(tmpdir_path)) {
		tmpdir_path[0] = '\0';
		bench_fatal("TMPDIR is too long");
	}
	if (mkdtemp(tmpdir_path) == NULL) {
		int saved = errno;

		tmpdir_path[0] = '\0';
		bench_fatal("mkdtemp under %s: %s", base, strerror(saved));
	}
	if ((size_t)snprintf(path_r, size, "%s", tmpdir_path) >= size)
		bench_fatal("temporary path is too long");
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

void
bench_tmpdir_remove(void)
{
	if (tmpdir_path[0] == '\0')
		return;
	/* Depth first, without following symbolic links out of the directory. */
	(void)nftw(tmpdir_path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir_path[0] = '\0';
}

void
bench_join(char *buf, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		bench_fatal("path %s/%s is too long", dir, name);
}

void
bench_find_built(const char *option, const char *env, const char *relative,
		 const char *what, char *path_r, size_t size)
{
	char self[PATH_MAX], candidate[PATH_MAX * 2], resolved[PATH_MAX], *slash;
	const char *given = option;
	ssize_t n;

	if (given == NULL || given[0] == '\0')
		given = getenv(env);
	if (given != NULL && given[0] != '\0') {
		if (realpath(given, resolved) == NULL)
			bench_fatal("%s %s: %s", what, given, strerror(errno));
		goto found;
	}
	/* Beside the program in the build tree: bench/../RELATIVE. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(candidate, sizeof(candidate), "%s/../%s", self, relative);
			if (access(candidate, R_OK) == 0 && realpath(candidate, resolved) != NULL)
				goto found;
		}
	}
	/* From the top of the build tree, as make runs it. */
	if (access(relative, R_OK) == 0 && realpath(relative, resolved) != NULL)
		goto found;
	bench_fatal("cannot find the %s (%s); give its option or %s", what, relative, env);
found:
	if ((size_t)snprintf(path_r, size, "%s", resolved) >= size)
		bench_fatal("the path of the %s is too long", what);
}
