/*
 * file-safety.c - may the store, its directory or the apop_key file be
 * trusted: their owner and mode judged, and the fix put into words.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file-safety.h"

/* The largest buffer given to getpwnam_r and getpwuid_r. */
#define PASSWD_BUFFER_MAX ((size_t)1 << 20)

/* How one kind of file is judged and named. */
struct kind_rule {
	const char *what;		/* the file, in messages */
	mode_t refuse_bits;		/* group and other bits that refuse the file */
	mode_t warn_bits;		/* group and other bits that are warned about */
	bool sticky_exempts;		/* the sticky bit lifts the refusal of write bits */
	mode_t keep_bits;		/* the bits the chmod fix keeps (numeric mode) */
	const char *chmod_symbolic;	/* or the symbolic mode of the fix */
	const char *owner_reason;
	const char *mode_reason;
	const char *warn_reason;
};

static const struct kind_rule rules[] = {
	[MP_FILE_STORE] = {
		.what = "store file",
		.refuse_bits = S_IWGRP | S_IWOTH,
		.warn_bits = S_IROTH,
		.keep_bits = S_IRWXU | S_IRGRP,
		.owner_reason = "store file is owned by an account that is not root, "
				"store_owner or the one this process runs as (see mailpass check)",
		.mode_reason = "store file is writable by group or others (see mailpass check)",
		.warn_reason = "store file is readable by others",
	},
	[MP_FILE_APOP_KEY] = {
		.what = "apop_key file",
		.refuse_bits = S_IRWXG | S_IRWXO,
		.keep_bits = S_IRWXU,
		.owner_reason = "apop_key file is owned by an account that is not root, "
				"store_owner or the one this process runs as (see mailpass check)",
		.mode_reason = "apop_key file gives group or others access (see mailpass check)",
	},
	[MP_FILE_STORE_DIR] = {
		.what = "directory of the store",
		.refuse_bits = S_IWGRP | S_IWOTH,
		.sticky_exempts = true,
		.chmod_symbolic = "go-w",
		.owner_reason = "directory of the store is owned by an account that is not "
				"root, store_owner or the one this process runs as (see mailpass "
				"check)",
		.mode_reason = "directory of the store is writable by group or others (see "
			       "mailpass check)",
	},
	[MP_FILE_CONFIG] = {
		.what = "configuration file",
		.refuse_bits = S_IWGRP | S_IWOTH,
		.keep_bits = S_IRWXU | S_IRGRP | S_IROTH,
		.owner_reason = "configuration file is owned by an account that is not root "
				"or the one this process runs as",
		.mode_reason = "configuration file is writable by group or others",
	},
};

char *
mp_file_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;
	char *dir;

	if (slash == NULL)
		return strdup(".");
	len = slash == path ? 1 : (size_t)(slash - path);
	dir = malloc(len + 1);
	if (dir == NULL)
		return NULL;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return dir;
}

bool
mp_file_owner_name_valid(const char *name)
{
	size_t len;

	if (name == NULL || name[0] == '\0' || name[0] == '-')
		return false;
	len = strlen(name);
	if (len > MP_OWNER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * passwd_lookup - the account named name (or, when name is NULL, the one of
 * uid) into *pw, its strings in *buf_r, which the caller frees.
 */
static bool
passwd_lookup(const char *name, uid_t uid, struct passwd *pw, char **buf_r)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;
	struct passwd *found = NULL;
	int ret;

	*buf_r = NULL;
	for (;;) {
		char *buf = malloc(size);

		if (buf == NULL)
			return false;
		ret = name != NULL ? getpwnam_r(name, pw, buf, size, &found) :
			getpwuid_r(uid, pw, buf, size, &found);
		if (ret == 0 && found != NULL) {
			*buf_r = buf;
			return true;
		}
		free(buf);
		if (ret != ERANGE || size >= PASSWD_BUFFER_MAX)
			return false;
		size *= 2;
	}
}

bool
mp_file_owner_uid(const char *name, uid_t *uid_r)
{
	struct passwd pw;
	char *buf;

	if (!mp_file_owner_name_valid(name) || !passwd_lookup(name, 0, &pw, &buf))
		return false;
	*uid_r = pw.pw_uid;
	free(buf);
	return true;
}

/* owner_trusted - uid is root, the effective uid or store_owner's. */
static bool
owner_trusted(uid_t uid, const char *store_owner)
{
	uid_t owner_uid;

	if (uid == 0 || uid == geteuid())
		return true;
	return store_owner != NULL && *store_owner != '\0' &&
	       mp_file_owner_uid(store_owner, &owner_uid) && owner_uid == uid;
}

/* A message being put together; text past the end of the buffer is cut. */
struct text {
	char *buf;
	size_t size;
	size_t len;
};

static void text_add(struct text *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
text_add(struct text *text, const char *fmt, ...)
{
	va_list args;
	int n;

	if (text->len + 1 >= text->size)
		return;
	va_start(args, fmt);
	n = vsnprintf(text->buf + text->len, text->size - text->len, fmt, args);
	va_end(args);
	if (n < 0)
		return;
	text->len += (size_t)n;
	if (text->len >= text->size)
		text->len = text->size - 1;
}

/* access_words - "readable", "writable and executable", ...; NULL for none. */
static const char *
access_words(mode_t bits, mode_t read, mode_t write, mode_t exec)
{
	static const char *const words[8] = {
		NULL, "executable", "writable", "writable and executable", "readable",
		"readable and executable", "readable and writable",
		"readable, writable and executable",
	};

	return words[((bits & read) != 0 ? 4 : 0) | ((bits & write) != 0 ? 2 : 0) |
		     ((bits & exec) != 0 ? 1 : 0)];
}

/* add_access - what bits let group and others do, e.g. "writable by group and others". */
static void
add_access(struct text *text, mode_t bits)
{
	const char *group = access_words(bits, S_IRGRP, S_IWGRP, S_IXGRP);
	const char *others = access_words(bits, S_IROTH, S_IWOTH, S_IXOTH);

	if (group != NULL && others != NULL && strcmp(group, others) == 0)
		text_add(text, "%s by group and others", group);
	else if (group != NULL && others != NULL)
		text_add(text, "%s by group and %s by others", group, others);
	else if (group != NULL)
		text_add(text, "%s by group", group);
	else
		text_add(text, "%s by others", others);
}

/*
 * add_owner - "owned by uid 1000 (bob), not root or ...".  *name_r gets the
 * owner's account name when it is one store_owner could take, else "".
 */
static void
add_owner(struct text *text, uid_t uid, const char *store_owner,
	  char name_r[MP_OWNER_NAME_MAX + 1])
{
	struct passwd pw;
	char *buf;

	name_r[0] = '\0';
	if (passwd_lookup(NULL, uid, &pw, &buf)) {
		if (mp_file_owner_name_valid(pw.pw_name))
			memcpy(name_r, pw.pw_name, strlen(pw.pw_name) + 1);
		free(buf);
	}
	text_add(text, "owned by uid %lu", (unsigned long)uid);
	if (name_r[0] != '\0')
		text_add(text, " (%s)", name_r);
	if (store_owner != NULL && *store_owner != '\0')
		text_add(text, ", not root, store_owner %s or the account this process runs as",
			 store_owner);
	else
		text_add(text, ", not root or the account this process runs as");
}

enum mp_file_verdict
mp_file_safety_check(const char *path, const struct stat *st, enum mp_file_kind kind,
		     const char *store_owner, const char **reason_r, char *message_r,
		     size_t message_size)
{
	const struct kind_rule *rule = &rules[kind];
	struct text text = { .buf = message_r, .size = message_size };
	/* store_owner does not vouch for the file that names it. */
	bool owner_configurable = kind != MP_FILE_CONFIG;
	char owner_name[MP_OWNER_NAME_MAX + 1] = "";
	mode_t refused = st->st_mode & rule->refuse_bits;
	mode_t warned = st->st_mode & rule->warn_bits;
	mode_t mode = st->st_mode & 07777;
	bool owner_ok;

	if (!owner_configurable)
		store_owner = NULL;
	owner_ok = owner_trusted(st->st_uid, store_owner);

	if (rule->sticky_exempts && (st->st_mode & S_ISVTX) != 0)
		refused = 0;
	if (owner_ok && refused == 0 && warned == 0)
		return MP_FILE_SAFE;
	if (reason_r != NULL)
		*reason_r = !owner_ok ? rule->owner_reason :
			refused != 0 ? rule->mode_reason : rule->warn_reason;
	if (message_r != NULL && message_size > 0) {
		message_r[0] = '\0';
		text_add(&text, "%s %s is ", rule->what, path);
		if (!owner_ok)
			add_owner(&text, st->st_uid, store_owner, owner_name);
		if (refused != 0 || warned != 0) {
			if (!owner_ok)
				text_add(&text, ", and ");
			add_access(&text, refused | warned);
			text_add(&text, " (mode %04o)", (unsigned int)mode);
		}
		text_add(&text, "; run: ");
		if (!owner_ok)
			text_add(&text, "chown root %s", path);
		if (refused != 0 || warned != 0) {
			if (!owner_ok)
				text_add(&text, " && ");
			if (rule->chmod_symbolic != NULL)
				text_add(&text, "chmod %s %s", rule->chmod_symbolic, path);
			else
				text_add(&text, "chmod %04o %s",
					 (unsigned int)(mode & rule->keep_bits), path);
		}
		if (!owner_ok && refused == 0 && warned == 0 && owner_name[0] != '\0' &&
		    owner_configurable)
			text_add(&text, ", or set store_owner = %s in mailpass.conf", owner_name);
	}
	return !owner_ok || refused != 0 ? MP_FILE_REFUSE : MP_FILE_WARN;
}
