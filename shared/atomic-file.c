/* atomic-file.c - lock, temp file, fsync, rename, directory fsync. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "atomic-file.h"
#include "file-safety.h"

/* path_with_suffix - malloc'd path followed by suffix, or NULL. */
static char *
path_with_suffix(const char *path, const char *suffix)
{
	size_t path_len = strlen(path), suffix_len = strlen(suffix);
	char *joined = malloc(path_len + suffix_len + 1);

	if (joined == NULL)
		return NULL;
	memcpy(joined, path, path_len);
	memcpy(joined + path_len, suffix, suffix_len + 1);
	return joined;
}

/*
 * lock_follow_file - give the lock file the owner, group and read/write
 * mode bits of the file it guards, where this process may, so that whoever
 * may write the file (a non-root auth worker, say) may also lock it.
 * Failure is harmless: it only keeps the lock file as it was.
 */
static void
lock_follow_file(int lock_fd, const struct stat *lock_st, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if ((lock_st->st_uid != st.st_uid || lock_st->st_gid != st.st_gid) &&
	    fchown(lock_fd, st.st_uid, st.st_gid) != 0)
		return;
	if ((lock_st->st_mode & 07777) != (st.st_mode & 0666))
		(void)fchmod(lock_fd, st.st_mode & 0666);
}

enum mp_result
mp_atomic_lock(const char *path, int *fd_r, const char **reason_r)
{
	char *lock_path;
	struct stat st;
	enum mp_result result = MP_UNAVAILABLE;
	int fd = -1;

	*fd_r = -1;
	lock_path = path_with_suffix(path, ".lock");
	if (lock_path == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	/* O_NONBLOCK: a FIFO planted as the lock file must not hang the open. */
	fd = open(lock_path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		switch (errno) {
		case EACCES:
		case EPERM:
		case EROFS:
			*reason_r = "permission denied creating or opening the lock file";
			break;
		case ELOOP:
			*reason_r = "the lock file is a symbolic link";
			break;
		case ENOENT:
		case ENOTDIR:
			*reason_r = "the directory of the file does not exist";
			break;
		default:
			*reason_r = "cannot open the lock file";
			break;
		}
		goto done;
	}
	if (fstat(fd, &st) < 0) {
		*reason_r = "cannot stat the lock file";
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		*reason_r = "the lock file is not a regular file";
		goto done;
	}
	/*
	 * A lock file with a second name is a hard link that someone made: it
	 * could be any file of theirs or of the system's, and following the
	 * store's owner and mode would hand that file over.
	 */
	if (st.st_nlink > 1) {
		*reason_r = "the lock file has another hard link; remove it";
		goto done;
	}
	if (st.st_nlink == 0) {
		*reason_r = "the lock file was removed while it was opened";
		goto done;
	}
	lock_follow_file(fd, &st, path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			*reason_r = "cannot lock the lock file";
			goto done;
		}
	}
	*fd_r = fd;
	fd = -1;
	result = MP_OK;
done:
	if (fd >= 0)
		(void)close(fd);
	free(lock_path);
	return result;
}

void
mp_atomic_unlock(int *fd)
{
	if (*fd < 0)
		return;
	/* Closing the only descriptor of the open file releases the flock. */
	(void)close(*fd);
	*fd = -1;
}

/* write_all - write len bytes, through short writes and interruptions. */
static bool
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* The extended attribute that holds a file's POSIX access ACL. */
#define ACL_XATTR "system.posix_acl_access"

/* The kernel's limit on the value of an extended attribute (XATTR_SIZE_MAX). */
#define XATTR_VALUE_MAX (64 * 1024)

/* no_acl_errno - errno of an ACL call that means "no ACL here", not a failure. */
static bool
no_acl_errno(int error)
{
	return error == ENODATA || error == ENOTSUP;
}

/*
 * copy_acl - give the file open as to_fd the POSIX access ACL of from_fd,
 * byte for byte as the kernel stores it (no libacl), or none when from_fd
 * has none: an ACL that to_fd inherited from its directory is removed.
 * MP_OK; MP_UNAVAILABLE when from_fd's ACL cannot be read, or to_fd cannot
 * be given it or be rid of an inherited one; MP_INTERNAL.
 */
static enum mp_result
copy_acl(int from_fd, int to_fd, const char **reason_r)
{
	enum mp_result result = MP_UNAVAILABLE;
	char *acl = NULL;
	ssize_t len;

	len = fgetxattr(from_fd, ACL_XATTR, NULL, 0);
	if (len >= 0) {
		/* The largest value there is: the ACL may have grown since it was measured. */
		acl = malloc(XATTR_VALUE_MAX);
		if (acl == NULL) {
			*reason_r = "out of memory";
			return MP_INTERNAL;
		}
		len = fgetxattr(from_fd, ACL_XATTR, acl, XATTR_VALUE_MAX);
	}
	if (len < 0 && no_acl_errno(errno)) {
		if (fremovexattr(to_fd, ACL_XATTR) == 0 || no_acl_errno(errno))
			result = MP_OK;
		else
			*reason_r = "cannot remove the ACL the new file inherited from its directory";
	} else if (len < 0) {
		*reason_r = "cannot read the old file's ACL";
	} else if (fsetxattr(to_fd, ACL_XATTR, acl, (size_t)len, 0) < 0) {
		*reason_r = "cannot give the new file the old file's ACL";
	} else {
		result = MP_OK;
	}
	free(acl);
	return result;
}

/* same_contents - a and b are the same file with the same size and modification time. */
static bool
same_contents(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

enum mp_result
mp_atomic_replace(const char *path, const struct mp_atomic_chunk *chunks, size_t count,
		  int old_fd, mode_t new_mode, struct stat *new_st_r, bool *as_written_r,
		  const char **reason_r)
{
	char *tmp_path, *dir_path;
	struct stat st, old_st, written_st;
	mode_t mode;
	bool created = false;
	int fd = -1, dir_fd = -1;
	enum mp_result result = MP_UNAVAILABLE, acl_result;

	if (as_written_r != NULL)
		*as_written_r = false;
	tmp_path = path_with_suffix(path, ".tmp");
	dir_path = mp_file_dir_of(path);
	if (tmp_path == NULL || dir_path == NULL) {
		result = MP_INTERNAL;
		*reason_r = "out of memory";
		goto done;
	}
	/* We hold the lock, so an existing temporary file is a crash's leftover. */
	if (unlink(tmp_path) < 0 && errno != ENOENT) {
		*reason_r = "cannot remove a stale temporary file";
		goto done;
	}
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		*reason_r = errno == EACCES || errno == EPERM || errno == EROFS ?
			"permission denied creating the temporary file" :
			"cannot create the temporary file";
		goto done;
	}
	created = true;
	for (size_t i = 0; i < count; i++) {
		if (!write_all(fd, chunks[i].data, chunks[i].len)) {
			*reason_r = errno == ENOSPC || errno == EDQUOT ?
				"no space left writing the temporary file" :
				"cannot write the temporary file";
			goto done;
		}
	}
	if (fstat(fd, &st) < 0) {
		*reason_r = "cannot stat the temporary file";
		goto done;
	}
	if (old_fd >= 0) {
		if (fstat(old_fd, &old_st) < 0) {
			*reason_r = "cannot stat the file being replaced";
			goto done;
		}
		if ((st.st_uid != old_st.st_uid || st.st_gid != old_st.st_gid) &&
		    fchown(fd, old_st.st_uid, old_st.st_gid) < 0) {
			*reason_r = "cannot give the new file the old file's owner";
			goto done;
		}
		/*
		 * Before fchmod(): setting an ACL sets the permission bits as well,
		 * and fchmod() then makes the mode exactly the old one.
		 */
		acl_result = copy_acl(old_fd, fd, reason_r);
		if (acl_result != MP_OK) {
			result = acl_result;
			goto done;
		}
		mode = old_st.st_mode & 07777;
	} else {
		mode = new_mode & 07777;
	}
	/* After fchown, which may clear set-id bits. */
	if (fchmod(fd, mode) < 0) {
		*reason_r = "cannot set the new file's mode";
		goto done;
	}
	if (fsync(fd) < 0) {
		*reason_r = "cannot sync the temporary file";
		goto done;
	}
	/* What was written, to tell a write by someone else after the rename. */
	if (new_st_r != NULL && fstat(fd, &written_st) < 0) {
		*reason_r = "cannot stat the temporary file";
		goto done;
	}
	/* Open the directory first: a failure here still leaves the file untouched. */
	dir_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		*reason_r = "cannot open the file's directory";
		goto done;
	}
	if (rename(tmp_path, path) < 0) {
		*reason_r = "cannot rename the temporary file over the file";
		goto done;
	}
	created = false;
	/*
	 * The status of the file just written, through its own descriptor: the
	 * rename changed its ctime, and a stat() of path could see another file
	 * that someone put there since.  The rename changes nothing else, so a
	 * change of size or modification time is someone's write in place
	 * since the rename, which no one has checked.
	 */
	if (new_st_r != NULL) {
		if (fstat(fd, new_st_r) < 0) {
			*reason_r = "the file was replaced but cannot be stat'ed";
			goto done;
		}
		*as_written_r = same_contents(&written_st, new_st_r);
	}
	/* fsync() has reported any write error; close() has nothing left to say. */
	(void)close(fd);
	fd = -1;
	if (fsync(dir_fd) < 0) {
		*reason_r = "the file was replaced but its directory could not be synced";
		goto done;
	}
	result = MP_OK;
done:
	if (fd >= 0)
		(void)close(fd);
	if (created)
		(void)unlink(tmp_path);
	if (dir_fd >= 0)
		(void)close(dir_fd);
	free(tmp_path);
	free(dir_path);
	return result;
}
