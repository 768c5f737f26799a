/* store-stamp.c - "<store>.stamp": the store file with this identity has no user twice. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "store-stamp.h"

/* The longest stamp line: the words and seven numbers of at most 20 digits. */
#define STAMP_LINE_MAX 256

/*
 * A small writer of text into a fixed buffer: the stamp is checked at every
 * lookup of a large store, and this costs less than snprintf().
 */
struct text {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void
put_bytes(struct text *t, const char *bytes, size_t n)
{
	if (t->overflow || n >= t->size - t->len) {
		t->overflow = true;
		return;
	}
	memcpy(t->buf + t->len, bytes, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void
put_string(struct text *t, const char *s)
{
	put_bytes(t, s, strlen(s));
}

/* put_decimal - value in decimal, at least min_digits digits (zeros in front). */
static void
put_decimal(struct text *t, uintmax_t value, int min_digits)
{
	char digits[24];
	int n = 0;

	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0 || n < min_digits);
	put_bytes(t, digits + sizeof(digits) - n, (size_t)n);
}

/* put_signed - value in decimal with a '-' when negative. */
static void
put_signed(struct text *t, intmax_t value)
{
	if (value < 0) {
		put_bytes(t, "-", 1);
		put_decimal(t, -(uintmax_t)value, 1);
	} else {
		put_decimal(t, (uintmax_t)value, 1);
	}
}

/* put_time - "seconds.nanoseconds", nine digits after the point. */
static void
put_time(struct text *t, const struct timespec *ts)
{
	put_signed(t, (intmax_t)ts->tv_sec);
	put_bytes(t, ".", 1);
	put_decimal(t, (uintmax_t)ts->tv_nsec, 9);
}

/*
 * stamp_line - the one line of the stamp of the file whose status is st, in
 * buf, as "mailpass-stamp 1 unique dev=D ino=I size=S mtime=S.N ctime=S.N\n";
 * its length, or 0 when it does not fit (it always does).  A reader
 * compares the whole line it reads with the line its own fstat() gives, so
 * there is no parser to get wrong.
 */
static size_t
stamp_line(const struct stat *st, char *buf, size_t size)
{
	struct text t = { .buf = buf, .size = size };

	put_string(&t, "mailpass-stamp 1 unique dev=");
	put_decimal(&t, (uintmax_t)st->st_dev, 1);
	put_string(&t, " ino=");
	put_decimal(&t, (uintmax_t)st->st_ino, 1);
	put_string(&t, " size=");
	put_signed(&t, (intmax_t)st->st_size);
	put_string(&t, " mtime=");
	put_time(&t, &st->st_mtim);
	put_string(&t, " ctime=");
	put_time(&t, &st->st_ctim);
	put_string(&t, "\n");
	return t.overflow ? 0 : t.len;
}

/* stamp_path - "<store_path><suffix>" in buf; false when it does not fit. */
static bool
stamp_path(const char *store_path, const char *suffix, char *buf, size_t size)
{
	struct text t = { .buf = buf, .size = size };

	put_string(&t, store_path);
	put_string(&t, suffix);
	return !t.overflow;
}

/* read_exactly - size bytes of fd into buf; false on an error or a short file. */
static bool
read_exactly(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		len += (size_t)n;
	}
	return true;
}

bool
mp_store_stamp_matches(const char *store_path, const struct stat *store_st)
{
	char path[PATH_MAX], want[STAMP_LINE_MAX], got[STAMP_LINE_MAX];
	size_t want_len;
	struct stat st;
	bool same = false;
	int fd;

	want_len = stamp_line(store_st, want, sizeof(want));
	if (want_len == 0 || !stamp_path(store_path, ".stamp", path, sizeof(path)))
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	/*
	 * Only whoever may write the store may vouch for it.  A stamp of
	 * another size cannot match; one of the right size is read whole.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_uid == 0 || st.st_uid == store_st->st_uid) &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0 && st.st_size == (off_t)want_len &&
	    read_exactly(fd, got, want_len))
		same = memcmp(got, want, want_len) == 0;
	(void)close(fd);
	return same;
}

bool
mp_store_stamp_same_identity(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

enum mp_result
mp_store_stamp_write(const char *store_path, const struct stat *store_st, const char **reason_r)
{
	char path[PATH_MAX], line[STAMP_LINE_MAX];
	struct mp_atomic_chunk chunk = { .data = line };
	enum mp_result result;
	struct stat st;
	int store_fd;

	chunk.len = stamp_line(store_st, line, sizeof(line));
	if (chunk.len == 0 || !stamp_path(store_path, ".stamp", path, sizeof(path))) {
		*reason_r = "the store path is too long for its stamp";
		return MP_UNAVAILABLE;
	}
	/*
	 * The stamp takes the store file's owner, group, mode and ACL, so that
	 * whoever may read the store may read its stamp.  The store is neither
	 * group- nor world-writable (a lookup refuses it otherwise), so they
	 * suit the stamp.  The store's lock serialises the stamp's writers too.
	 */
	store_fd = open(store_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (store_fd < 0) {
		*reason_r = "cannot open the store file to give its stamp the same permissions";
		return MP_UNAVAILABLE;
	}
	if (fstat(store_fd, &st) < 0 || st.st_dev != store_st->st_dev ||
	    st.st_ino != store_st->st_ino) {
		*reason_r = "the store file was replaced before its stamp was written";
		result = MP_UNAVAILABLE;
	} else {
		result = mp_atomic_replace(path, &chunk, 1, store_fd, 0, NULL, NULL, reason_r);
	}
	(void)close(store_fd);
	return result;
}
