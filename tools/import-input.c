/*
 * import-input.c - reading the input of "mailpass import": a whole text
 * file (or standard input) in memory, wiped when released, cut into lines
 * for the readers of the text formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "secret.h"

/* Largest input file read into memory. */
#define IMPORT_INPUT_MAX ((size_t)1 << 30)

/* A whole file in memory; wiped when released (it holds hashes). */
struct import_text {
	char *data;
	size_t len, size;
};

static void
text_free(struct import_text *text)
{
	if (text->data != NULL) {
		mp_wipe(text->data, text->size);
		free(text->data);
	}
	memset(text, 0, sizeof(*text));
}

/* read_fd - read fd to its end into *text, refusing more than limit bytes. */
static bool
read_fd(int fd, size_t size_hint, size_t limit, struct import_text *text,
	const char **reason_r)
{
	char *bigger;
	size_t size;
	ssize_t n;

	memset(text, 0, sizeof(*text));
	size = size_hint < limit ? size_hint + 1 : limit + 1;
	if (size < 4096)
		size = 4096;
	text->data = malloc(size);
	if (text->data == NULL)
		goto nomem;
	text->size = size;
	for (;;) {
		if (text->len == text->size) {
			if (text->size > limit) {
				*reason_r = "file is too large";
				return false;
			}
			size = text->size * 2;
			bigger = malloc(size);
			if (bigger == NULL)
				goto nomem;
			memcpy(bigger, text->data, text->len);
			mp_wipe(text->data, text->size);
			free(text->data);
			text->data = bigger;
			text->size = size;
		}
		n = read(fd, text->data + text->len, text->size - text->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*reason_r = strerror(errno);
			return false;
		}
		if (n == 0)
			break;
		text->len += (size_t)n;
	}
	if (text->len > limit) {
		*reason_r = "file is too large";
		return false;
	}
	return true;
nomem:
	*reason_r = "out of memory";
	return false;
}

/* read_input - the text file at path ("-": standard input); prints why not. */
static bool
read_input(const char *path, struct import_text *text)
{
	const char *reason = "";
	struct stat st;
	bool ok;
	int fd;

	memset(text, 0, sizeof(*text));
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			cli_error("%s: %s", path, strerror(errno));
			return false;
		}
	}
	if (fstat(fd, &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		ok = false;
	} else if (S_ISDIR(st.st_mode)) {
		cli_error("%s: is a directory", path);
		ok = false;
	} else {
		ok = read_fd(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0,
			     IMPORT_INPUT_MAX, text, &reason);
		if (!ok)
			cli_error("%s: %s", path, reason);
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (!ok)
		text_free(text);
	return ok;
}

/* line_is_ignored - a blank line (spaces and tabs only) or a '#' comment. */
static bool
line_is_ignored(const char *line, size_t len)
{
	if (len > 0 && line[0] == '#')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	}
	return true;
}

static unsigned long
count_lines(const struct import_text *text)
{
	unsigned long lines = 0;
	const char *p = text->data, *end = text->data + text->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return lines;
}

bool
import_read_lines(struct import_job *job, import_line_fn *fn)
{
	struct import_text text;
	struct import_item *item;
	char *scratch;
	unsigned long line_no = 0, total;
	size_t pos = 0;

	if (!read_input(job->opt->path, &text))
		return false;
	scratch = malloc(MP_LINE_MAX + 1);
	if (scratch == NULL) {
		text_free(&text);
		cli_error("out of memory");
		return false;
	}
	total = job->progress ? count_lines(&text) : 0;
	while (pos < text.len && !job->failed) {
		const char *line = text.data + pos;
		const char *nl = memchr(line, '\n', text.len - pos);
		size_t len = nl != NULL ? (size_t)(nl - line) : text.len - pos;

		pos += len + (nl != NULL ? 1 : 0);
		line_no++;
		import_progress(job, line_no, total, "lines");
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (line_is_ignored(line, len))
			continue;
		item = import_item_new(job, line_no);
		if (item == NULL)
			break;
		if (memchr(line, '\0', len) != NULL) {
			import_reject(job, item, "line contains a NUL byte");
			continue;
		}
		if (len > MP_LINE_MAX) {
			import_reject(job, item, "line is longer than %d bytes", MP_LINE_MAX);
			continue;
		}
		memcpy(scratch, line, len);
		scratch[len] = '\0';
		fn(job, item, scratch, len);
		mp_wipe(scratch, len);
	}
	job->total = line_no;
	free(scratch);
	text_free(&text);
	return true;
}
