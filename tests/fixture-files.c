/* fixture-files.c - the files of an integration test's fixture. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture-files.h"

bool
mp_fixture_make_dir(char *dir, size_t size, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(dir, size, "%s/mailpass-%s.XXXXXX", base, name);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "\n  a temporary directory under %s: the path is too long\n",
			base);
		if (size > 0)
			dir[0] = '\0';
		return false;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "\n  mkdtemp %s: %s\n", dir, strerror(errno));
		dir[0] = '\0';
		return false;
	}
	return true;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

void
mp_fixture_remove_dir(const char *dir)
{
	if (dir[0] != '\0')
		(void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool
mp_fixture_write(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	bool ok;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "\n  %s: %s\n", path, strerror(errno));
		return false;
	}
	ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "\n  writing %s: %s\n", path, strerror(errno));
	return ok;
}

char *
mp_fixture_read(const char *path, off_t offset)
{
	char *text = NULL, buf[8192];
	size_t len = 0;
	ssize_t n;
	FILE *f;
	int fd;

	f = open_memstream(&text, &len);
	if (f == NULL)
		abort();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (lseek(fd, offset, SEEK_SET) == offset) {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				fwrite(buf, 1, (size_t)n, f);
		}
		(void)close(fd);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

off_t
mp_fixture_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

char *
mp_fixture_store_line(const char *store, const char *user)
{
	char *text = mp_fixture_read(store, 0), *line, *save = NULL, *found = NULL;
	size_t user_len = strlen(user);

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, user, user_len) == 0 && line[user_len] == ':') {
			found = strdup(line);
			if (found == NULL)
				abort();
			break;
		}
	}
	free(text);
	return found;
}
