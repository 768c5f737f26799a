/*
 * cmd-check.c - "mailpass check": lint a setup.  The configuration parses;
 * the store exists, every line parses, no user appears twice and every
 * stored value and APOP secret is usable; the store and the APOP key file
 * carry safe modes and owners.  One line per finding, then a summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apop-secret.h"
#include "cli.h"
#include "entry.h"
#include "file-safety.h"
#include "scheme.h"
#include "secret.h"
#include "store-stamp.h"
#include "store.h"

struct check_user {
	char *name;
	unsigned long line_no;
};

struct check {
	unsigned int errors;
	unsigned int warnings;

	const struct mp_conf *conf;
	const char *store_name;
	bool have_key;
	unsigned char key[MP_APOP_KEY_BYTES];

	struct check_user *users;
	size_t user_count, user_alloc;
	bool out_of_memory;
};

static void finding(struct check *check, bool error, const char *fmt, ...) CLI_PRINTF(3, 4);

static void
finding(struct check *check, bool error, const char *fmt, ...)
{
	va_list args;

	if (error)
		check->errors++;
	else
		check->warnings++;
	fputs(error ? "error: " : "warning: ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	fputc('\n', stdout);
}

static void
check_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] check\n"
		"\n"
		"Check the configuration file, the store and the APOP key file:\n"
		"  - the configuration parses;\n"
		"  - the store exists, every line parses, no user appears twice, every\n"
		"    stored value and APOP secret is usable, and sealed APOP secrets have\n"
		"    an apop_key to open them;\n"
		"  - the store, its directory and the apop_key file are owned by root,\n"
		"    the running user or store_owner; the store and its directory are\n"
		"    not writable by group or others (a warning when others may read\n"
		"    the store), and store_owner names an account;\n"
		"  - the apop_key file, when set, holds exactly %u bytes and gives group\n"
		"    and others no access.\n"
		"\n"
		"Prints one line per finding ('error: ...' or 'warning: ...', with the\n"
		"command that fixes it where there is one) and a summary.  Exits 0 when\n"
		"there is no error (warnings allowed), 2 otherwise.  A 'note: ...' line,\n"
		"which counts as neither, says when the store's stamp is stale (see\n"
		"'mailpass stamp --help').\n"
		"\n"
		"  -h, --help  show this help\n", (unsigned int)MP_APOP_KEY_BYTES);
}

/* judge - one finding for an unsafe file (file-safety.h), with its fix; false when refused. */
static bool
judge(struct check *check, const char *path, const struct stat *st, enum mp_file_kind kind)
{
	char message[MP_ERROR_MAX];

	switch (mp_file_safety_check(path, st, kind, check->conf->store_owner, NULL, message,
				     sizeof(message))) {
	case MP_FILE_SAFE:
		break;
	case MP_FILE_WARN:
		finding(check, false, "%s", message);
		break;
	case MP_FILE_REFUSE:
		finding(check, true, "%s", message);
		return false;
	}
	return true;
}

/* check_store_owner - store_owner, when set, names an account of this system. */
static void
check_store_owner(struct check *check, const char *conf_path)
{
	const char *name = check->conf->store_owner;
	uid_t uid;

	if (name[0] != '\0' && !mp_file_owner_uid(name, &uid))
		finding(check, true, "store_owner %s names no account of this system; fix the "
			"name in %s or create the account", name, conf_path);
}

/*
 * check_stale_temp - "STORE.tmp" outlives a write only when the writer was
 * killed between creating it and the rename (shared/atomic-file.h).
 */
static void
check_stale_temp(struct check *check, const char *path)
{
	char temp[MP_PATH_MAX + 8];
	struct stat st;
	int n = snprintf(temp, sizeof(temp), "%s.tmp", path);

	if (n > 0 && (size_t)n < sizeof(temp) && lstat(temp, &st) == 0)
		finding(check, false, "%s is left from an interrupted write; the store is "
			"whole, and the next change removes it", temp);
}

/*
 * check_store_file - existence, type, owner and mode of the passwd-file and
 * its directory; false when the file cannot or may not be read.
 */
static bool
check_store_file(struct check *check, const char *path)
{
	struct stat st;
	char *dir;
	bool usable;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			finding(check, true, "store file %s does not exist; 'mailpass user add "
				"USER' creates it", path);
		else
			finding(check, true, "store file %s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		finding(check, true, "store %s is not a regular file", path);
		return false;
	}
	usable = judge(check, path, &st, MP_FILE_STORE);
	check_stale_temp(check, path);

	/* Whoever may write the directory may replace the file. */
	dir = mp_file_dir_of(path);
	if (dir == NULL)
		return usable;
	if (stat(dir, &st) == 0)
		(void)judge(check, dir, &st, MP_FILE_STORE_DIR);
	free(dir);
	return usable;
}

/* check_apop_key - the key file named by apop_key; loads it into check->key. */
static void
check_apop_key(struct check *check, const char *path)
{
	char error[MP_ERROR_MAX];
	struct stat st;
	unsigned int errors = check->errors;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			finding(check, true, "apop_key file %s does not exist; create it with "
				"'mailpass keygen %s'", path, path);
		else
			finding(check, true, "apop_key file %s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		finding(check, true, "apop_key %s is not a regular file", path);
		return;
	}
	if (st.st_size != (off_t)MP_APOP_KEY_BYTES)
		finding(check, true, "apop_key file %s is %lld bytes, not exactly %u", path,
			(long long)st.st_size, (unsigned int)MP_APOP_KEY_BYTES);
	(void)judge(check, path, &st, MP_FILE_APOP_KEY);
	if (check->errors != errors)
		return;
	if (mp_apop_key_load(path, check->conf->store_owner, check->key, error,
			     sizeof(error)) != MP_OK) {
		finding(check, true, "%s", error);
		return;
	}
	check->have_key = true;
}

static void
remember_user(struct check *check, const char *name, unsigned long line_no)
{
	struct check_user *users;
	size_t alloc;

	if (check->out_of_memory)
		return;
	if (check->user_count == check->user_alloc) {
		alloc = check->user_alloc == 0 ? 64 : check->user_alloc * 2;
		users = reallocarray(check->users, alloc, sizeof(*users));
		if (users == NULL) {
			check->out_of_memory = true;
			return;
		}
		check->users = users;
		check->user_alloc = alloc;
	}
	check->users[check->user_count].name = strdup(name);
	if (check->users[check->user_count].name == NULL) {
		check->out_of_memory = true;
		return;
	}
	check->users[check->user_count].line_no = line_no;
	check->user_count++;
}

static void
check_password(struct check *check, const struct mp_entry *entry, unsigned long line_no)
{
	const char *user = mp_entry_user(entry);
	const char *stored = mp_entry_password(entry), *reason = "";
	const struct mp_scheme *scheme = NULL;

	while (*stored == '!' || *stored == '*')
		stored++;
	if (*stored == '\0') {
		if (!mp_entry_is_locked(entry))
			finding(check, false, "%s line %lu: user %s has no password set "
				"(every login is refused); fix: mailpass user passwd %s",
				check->store_name, line_no, user, user);
		return;
	}
	/*
	 * The value as a login judges it: its form, its cost against the
	 * ceilings, and a cleartext that a login can give.
	 */
	if (cli_stored_check(stored, user, &check->conf->limits, &scheme, &reason) != MP_OK) {
		finding(check, true, "%s line %lu: user %s: %s", check->store_name, line_no,
			user, reason);
		return;
	}
	if (scheme->weak)
		finding(check, false, "%s line %lu: user %s has a weak %s hash; fix: mailpass "
			"user passwd %s", check->store_name, line_no, user, scheme->name, user);
}

static void
check_apop_secret(struct check *check, const struct mp_entry *entry, unsigned long line_no)
{
	const char *user = mp_entry_user(entry);
	const char *field = mp_entry_extra(entry, "apop"), *reason = "";
	unsigned char *secret = NULL;
	size_t secret_len = 0;
	bool sealed;

	if (field == NULL || *field == '\0')
		return;
	sealed = mp_apop_secret_form(field, &reason) == MP_APOP_SEALED;
	if (sealed && check->conf->apop_key[0] == '\0') {
		finding(check, true, "%s line %lu: user %s has a sealed APOP secret "
			"({SECRETBOX}) but no apop_key is set in the configuration",
			check->store_name, line_no, user);
		return;
	}
	if (sealed && !check->have_key)
		return;		/* the key file itself was reported */
	if (mp_apop_secret_open(field, check->have_key ? check->key : NULL, &secret,
				&secret_len, &reason) != MP_OK) {
		finding(check, true, "%s line %lu: user %s: %s", check->store_name, line_no,
			user, reason);
		return;
	}
	mp_secret_free(&secret, secret_len);
	if (!sealed)
		finding(check, false, "%s line %lu: user %s has a cleartext APOP secret; fix: "
			"set apop_key, then mailpass user apop %s", check->store_name, line_no,
			user, user);
}

static int
check_line(const struct mp_entry *entry, unsigned long line_no, const char *reason,
	   void *context)
{
	struct check *check = context;

	if (entry == NULL) {
		finding(check, true, "%s line %lu: %s", check->store_name, line_no,
			reason != NULL && *reason != '\0' ? reason : "line does not parse");
		return 0;
	}
	remember_user(check, mp_entry_user(entry), line_no);
	check_password(check, entry, line_no);
	check_apop_secret(check, entry, line_no);
	return 0;
}

static int
user_compare(const void *a, const void *b)
{
	const struct check_user *x = a, *y = b;
	int ret = strcmp(x->name, y->name);

	if (ret != 0)
		return ret;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

/* check_duplicates - report every user name that appears on more than one line. */
static void
check_duplicates(struct check *check)
{
	char lines[256];
	size_t i, j, used;

	if (check->user_count == 0)
		return;
	qsort(check->users, check->user_count, sizeof(*check->users), user_compare);
	for (i = 0; i < check->user_count; i = j) {
		for (j = i + 1; j < check->user_count; j++) {
			if (strcmp(check->users[i].name, check->users[j].name) != 0)
				break;
		}
		if (j - i < 2)
			continue;
		used = 0;
		lines[0] = '\0';
		for (size_t k = i; k < j && used < sizeof(lines); k++) {
			int n = snprintf(lines + used, sizeof(lines) - used, "%s%lu",
					 k == i ? "" : (k + 1 == j ? " and " : ", "),
					 check->users[k].line_no);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		finding(check, true, "%s: user %s appears on lines %s; logins of %s are "
			"refused until only one line is left", check->store_name,
			check->users[i].name, lines, check->users[i].name);
	}
}

/*
 * check_stamp - a store that passed every check but whose stamp does not
 * match it (changed by other means than mailpass since its last write) is
 * read whole at every lookup: a note, not a finding, since that is always
 * correct, only slower.
 */
static void
check_stamp(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && !mp_store_stamp_matches(path, &st))
		printf("note: %s.stamp is missing or older than the store (changed by other "
		       "means than mailpass), so every lookup reads the whole store; run: "
		       "mailpass stamp\n", path);
}

static void
check_store(struct check *check)
{
	struct mp_store *store = NULL;
	const char *reason = "", *path;
	unsigned int errors = check->errors;
	enum mp_result result;

	result = mp_store_open(check->conf->store, &store, &reason);
	if (result != MP_OK) {
		finding(check, true, "store %s: %s", check->conf->store, reason);
		return;
	}
	check->store_name = cli_store_name(store, check->conf);
	if (mp_store_file_set_owner(store, check->conf->store_owner, &reason) != MP_OK) {
		finding(check, true, "store %s: %s", check->store_name, reason);
		goto out;
	}
	path = mp_store_file_path(store);
	if (path != NULL && !check_store_file(check, path))
		goto out;
	result = mp_store_iterate(store, check_line, check, &reason);
	if (result != MP_OK)
		finding(check, true, "store %s: %s", check->store_name,
			*reason != '\0' ? reason : mp_result_name(result));
	if (check->out_of_memory)
		finding(check, true, "out of memory while looking for duplicate users");
	else
		check_duplicates(check);
	if (path != NULL && check->errors == errors)
		check_stamp(path);
out:
	mp_store_close(&store);
}

int
cmd_check(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check check = { .errors = 0 };
	struct mp_conf conf;
	char error[MP_ERROR_MAX];
	struct stat st;
	int opt;

	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			check_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("check", opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("check", "check takes no arguments");

	if (stat(ctx->conf_path, &st) != 0 && errno == ENOENT) {
		finding(&check, true, "configuration file %s does not exist; create it (see "
			"mailpass.conf(5)) or name another one with -c CONF", ctx->conf_path);
	} else {
		error[0] = '\0';
		if (mp_conf_load(&conf, ctx->conf_path, error, sizeof(error)) != MP_OK) {
			finding(&check, true, "%s", error[0] != '\0' ? error :
				"configuration does not load");
		} else {
			check.conf = &conf;
			check_store_owner(&check, ctx->conf_path);
			if (conf.apop_key[0] != '\0')
				check_apop_key(&check, conf.apop_key);
			check_store(&check);
		}
	}

	for (size_t i = 0; i < check.user_count; i++)
		free(check.users[i].name);
	free(check.users);
	mp_wipe(check.key, sizeof(check.key));

	printf("%u error%s, %u warning%s\n", check.errors, check.errors == 1 ? "" : "s",
	       check.warnings, check.warnings == 1 ? "" : "s");
	return check.errors == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
