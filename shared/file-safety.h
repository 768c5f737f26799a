#ifndef MP_FILE_SAFETY_H
#define MP_FILE_SAFETY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Whether a file that mailpass takes its secrets from may be trusted.
 * Whoever may write the store, or the directory that holds it, decides every
 * login; whoever may read the apop_key file may unseal every APOP secret.
 *
 * The trusted owners are root, the effective uid of the process, and the
 * account named by store_owner (mailpass.conf(5)), looked up by name when a
 * file is owned by neither of the first two.
 *
 *	kind			refused when				warned when
 *	MP_FILE_STORE		owner not trusted; writable by		readable by others
 *				group or others
 *	MP_FILE_APOP_KEY	owner not trusted; any access for	-
 *				group or others
 *	MP_FILE_STORE_DIR	owner not trusted; writable by		-
 *				group or others without the sticky bit
 *	MP_FILE_CONFIG		owner not root or the process's		-
 *				own; writable by group or others
 *
 * store_owner does not vouch for mailpass.conf, which names it: whoever may
 * write the configuration may point store at a file of their own.
 *
 * Callers judge what fstat(2) says of the descriptor they read, where they
 * read one, so that the file judged is the file used.
 */

/* The longest store_owner name, as useradd(8) allows. */
#define MP_OWNER_NAME_MAX 32

enum mp_file_kind {
	MP_FILE_STORE,		/* the passwd-file */
	MP_FILE_APOP_KEY,	/* the apop_key file */
	MP_FILE_STORE_DIR,	/* the directory that holds the passwd-file */
	MP_FILE_CONFIG,		/* mailpass.conf: it names the store and the key */
};

enum mp_file_verdict {
	MP_FILE_SAFE = 0,
	MP_FILE_WARN,		/* usable; the message says what to fix */
	MP_FILE_REFUSE,		/* not to be used: callers answer MP_UNAVAILABLE */
};

/*
 * mp_file_safety_check - judge the owner and mode in st of the file of kind
 * at path.  store_owner is the configured account name, or NULL or "" for
 * none.  For MP_FILE_WARN and MP_FILE_REFUSE, *reason_r (when not NULL) gets
 * a short static reason, and message_r (when not NULL) a line that names
 * the file, every problem found and the command that fixes it, e.g.
 *   "store file /etc/mailpass/passwd is writable by group (mode 0660);
 *    run: chmod 0640 /etc/mailpass/passwd"
 * For MP_FILE_SAFE both are left alone.  The type of the file is not
 * judged here.
 */
enum mp_file_verdict mp_file_safety_check(const char *path, const struct stat *st,
					  enum mp_file_kind kind, const char *store_owner,
					  const char **reason_r, char *message_r,
					  size_t message_size);

/*
 * mp_file_owner_name_valid - name is a store_owner name mailpass accepts:
 * 1 to MP_OWNER_NAME_MAX of the characters A-Z a-z 0-9 . _ -, not starting
 * with '-'.
 */
bool mp_file_owner_name_valid(const char *name);

/*
 * mp_file_dir_of - the directory part of path, malloc'd: "/" for "/x", "."
 * when path has no '/'.  NULL when out of memory.
 */
char *mp_file_dir_of(const char *path);

/* mp_file_owner_uid - the uid of the account name; false when there is none. */
bool mp_file_owner_uid(const char *name, uid_t *uid_r);

#endif
