/*
 * store-faults.c - read(), write(), fstat() and fsetxattr() ahead of libc's for the
 * core, with one fault on demand (store-faults.h).  Each finds libc's own
 * with dlsym(RTLD_NEXT), or a sanitizer's in front of it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "store-faults.h"

static enum mp_fault armed;
static const char *fault_path, *fault_text;
static bool fired;

static ssize_t (*next_read)(int fd, void *buf, size_t count);
static ssize_t (*next_write)(int fd, const void *buf, size_t count);
static int (*next_fstat)(int fd, struct stat *st);
static int (*next_fsetxattr)(int fd, const char *name, const void *value, size_t size,
			     int flags);

void
mp_fault_arm(enum mp_fault fault, const char *path, const char *text)
{
	fault_path = path;
	fault_text = text;
	fired = false;
	armed = fault;
}

bool
mp_fault_fired(void)
{
	armed = MP_FAULT_NONE;
	return fired;
}

/* is_file_at_path - fd is the file now at fault_path. */
static bool
is_file_at_path(int fd)
{
	struct stat by_fd, by_path;

	return next_fstat(fd, &by_fd) == 0 && stat(fault_path, &by_path) == 0 &&
	       by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

/* append - what `echo TEXT >> PATH` does, from another process's point of view. */
static void
append(void)
{
	size_t len = strlen(fault_text);
	int fd;

	armed = MP_FAULT_NONE;
	fd = open(fault_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	fired = write(fd, fault_text, len) == (ssize_t)len;
	(void)close(fd);
}

ssize_t
read(int fd, void *buf, size_t count)
{
	if (next_read == NULL)
		next_read = (__typeof__(next_read))dlsym(RTLD_NEXT, "read");
	if (next_fstat == NULL)
		next_fstat = (__typeof__(next_fstat))dlsym(RTLD_NEXT, "fstat");
	if (next_read == NULL || next_fstat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (armed == MP_FAULT_APPEND_AT_READ && is_file_at_path(fd))
		append();
	return next_read(fd, buf, count);
}

ssize_t
write(int fd, const void *buf, size_t count)
{
	struct stat st;

	if (next_write == NULL)
		next_write = (__typeof__(next_write))dlsym(RTLD_NEXT, "write");
	if (next_fstat == NULL)
		next_fstat = (__typeof__(next_fstat))dlsym(RTLD_NEXT, "fstat");
	if (next_write == NULL || next_fstat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (armed == MP_FAULT_CRASH_AT_WRITE && next_fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		(void)raise(SIGKILL);
	return next_write(fd, buf, count);
}

int
fstat(int fd, struct stat *st)
{
	if (next_fstat == NULL)
		next_fstat = (__typeof__(next_fstat))dlsym(RTLD_NEXT, "fstat");
	if (next_fstat == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (armed == MP_FAULT_APPEND_AT_WRITER_FSTAT &&
	    (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY && is_file_at_path(fd))
		append();
	return next_fstat(fd, st);
}

int
fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	if (next_fsetxattr == NULL)
		next_fsetxattr = (__typeof__(next_fsetxattr))dlsym(RTLD_NEXT, "fsetxattr");
	if (armed == MP_FAULT_FSETXATTR_FAILS) {
		armed = MP_FAULT_NONE;
		fired = true;
		errno = EPERM;
		return -1;
	}
	if (next_fsetxattr == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return next_fsetxattr(fd, name, value, size, flags);
}
