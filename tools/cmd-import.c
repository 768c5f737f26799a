/*
 * cmd-import.c - "mailpass import": read the users of another system's
 * password file (import-*.c), decide each one against the store, write
 * every new and replaced record at once (import-write.c), and report each
 * line that was not imported with its number and reason (import-report.c).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "secret.h"
#include "store.h"

struct import_format_row {
	const char *name;
	enum import_format format;
	import_reader_fn *read;
};

static const struct import_format_row import_formats[] = {
	{ "dovecot", IMPORT_DOVECOT, import_read_dovecot },
	{ "htpasswd", IMPORT_HTPASSWD, import_read_htpasswd },
	{ "shadow", IMPORT_SHADOW, import_read_shadow },
	{ "sasldb", IMPORT_SASLDB, import_read_sasldb },
};

#define IMPORT_FORMAT_COUNT (sizeof(import_formats) / sizeof(import_formats[0]))

static void
import_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] import --format FORMAT [OPTIONS] FILE\n"
		"\n"
		"Add the users of FILE to the store.  FORMAT is one of:\n"
		"  dovecot   a Dovecot passwd-file; lines are kept as they are\n"
		"  htpasswd  an Apache htpasswd file (htpasswd -B, -m, -s, -d)\n"
		"  shadow    /etc/shadow; locked entries without a hash are skipped\n"
		"  sasldb    a Cyrus sasldb2 file; passwords are hashed with the\n"
		"            configured scheme\n"
		"FILE \"-\" is standard input (not for sasldb).\n"
		"\n"
		"  -f, --format FORMAT     the format of FILE (required)\n"
		"  -n, --dry-run           report what would be done; write nothing\n"
		"      --replace           replace users that exist (default: skip them)\n"
		"      --users A,B,...     import only these users\n"
		"      --apop              store cleartext passwords (sasldb, {PLAIN}) as\n"
		"                          APOP secrets too\n"
		"      --realm REALM       sasldb: users of REALM get bare names; others\n"
		"                          are imported as USER@REALM\n"
		"      --default-scheme S  dovecot: the scheme of values without {SCHEME}\n"
		"                          (Dovecot's scheme= passdb argument)\n"
		"      --min-uid N         shadow: only users whose uid is N or more\n"
		"      --passwd FILE       shadow: where --min-uid finds the uids\n"
		"                          (default /etc/passwd)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Every line that is not imported is reported on standard error with its\n"
		"number and the reason; a summary of the counts goes to standard output.\n"
		"All changes are written at once, atomically, at the end.\n"
		"\n"
		"Exit status: 0 nothing was rejected; 1 some lines were rejected (the\n"
		"others were imported); 2 error (usage, configuration, store, unreadable\n"
		"FILE), nothing was written.\n");
}

const char *
import_name_of_format(enum import_format format)
{
	for (size_t i = 0; i < IMPORT_FORMAT_COUNT; i++) {
		if (import_formats[i].format == format)
			return import_formats[i].name;
	}
	return "unknown";
}

/* --- Options. */

static int
string_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* parse_users - "a,b,c" into a sorted list without repeats; prints why not. */
static bool
parse_users(const char *arg, struct import_options *opt)
{
	char *copy, *name, *save = NULL;
	const char *reason = "";
	size_t count = 0, unique = 0;

	copy = strdup(arg);
	opt->users = calloc(strlen(arg) / 2 + 2, sizeof(*opt->users));
	if (copy == NULL || opt->users == NULL) {
		free(copy);
		cli_error("out of memory");
		return false;
	}
	if (arg[0] == ',' || arg[0] == '\0' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,") != NULL) {
		free(copy);
		cli_usage_error("import", "--users: empty user name in '%s'", arg);
		return false;
	}
	for (name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
		if (mp_user_name_check(name, strlen(name), &reason) != MP_OK) {
			cli_usage_error("import", "--users: invalid user name '%s': %s", name,
					reason);
			free(copy);
			return false;
		}
		opt->users[count] = strdup(name);
		if (opt->users[count] == NULL) {
			free(copy);
			cli_error("out of memory");
			return false;
		}
		opt->user_count = ++count;
	}
	free(copy);
	qsort(opt->users, count, sizeof(*opt->users), string_compare);
	for (size_t i = 0; i < count; i++) {
		if (unique > 0 && strcmp(opt->users[unique - 1], opt->users[i]) == 0) {
			free(opt->users[i]);
			continue;
		}
		opt->users[unique++] = opt->users[i];
	}
	opt->user_count = unique;
	return true;
}

static bool
parse_uid(const char *arg, unsigned long *uid_r)
{
	unsigned long value = 0;

	if (*arg == '\0')
		return false;
	for (const char *p = arg; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (value > (UINT32_MAX - (unsigned long)(*p - '0')) / 10)
			return false;
		value = value * 10 + (unsigned long)(*p - '0');
	}
	*uid_r = value;
	return true;
}

/* check_option_formats - options that only one format uses. */
static int
check_option_formats(const struct import_options *opt, bool passwd_given)
{
	const char *format = import_name_of_format(opt->format);

	if (opt->realm != NULL && opt->format != IMPORT_SASLDB)
		return cli_usage_error("import", "--realm is for --format sasldb, not %s", format);
	if (opt->default_scheme != NULL && opt->format != IMPORT_DOVECOT)
		return cli_usage_error("import", "--default-scheme is for --format dovecot, "
				       "not %s", format);
	if ((opt->min_uid_set || passwd_given) && opt->format != IMPORT_SHADOW)
		return cli_usage_error("import", "--min-uid and --passwd are for --format "
				       "shadow, not %s", format);
	if (passwd_given && !opt->min_uid_set)
		return cli_usage_error("import", "--passwd is only read for --min-uid");
	if (opt->format == IMPORT_SASLDB && strcmp(opt->path, "-") == 0)
		return cli_usage_error("import", "a sasldb file cannot be read from standard "
				       "input");
	return -1;
}

/*
 * parse_options - fill opt from argv; *reader_r gets the format's reader.
 * Returns -1 to go on, or the exit status.
 */
static int
parse_options(int argc, char **argv, struct import_options *opt, import_reader_fn **reader_r)
{
	enum {
		OPT_REPLACE = 256, OPT_USERS, OPT_APOP, OPT_REALM, OPT_DEFAULT_SCHEME,
		OPT_MIN_UID, OPT_PASSWD,
	};
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "users", required_argument, NULL, OPT_USERS },
		{ "apop", no_argument, NULL, OPT_APOP },
		{ "realm", required_argument, NULL, OPT_REALM },
		{ "default-scheme", required_argument, NULL, OPT_DEFAULT_SCHEME },
		{ "min-uid", required_argument, NULL, OPT_MIN_UID },
		{ "passwd", required_argument, NULL, OPT_PASSWD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *users = NULL;
	bool passwd_given = false;
	int opt_char;

	*reader_r = NULL;
	opt->passwd_path = "/etc/passwd";
	while ((opt_char = getopt_long(argc, argv, "+:f:nh", options, NULL)) != -1) {
		switch (opt_char) {
		case 'f':
			format = optarg;
			break;
		case 'n':
			opt->dry_run = true;
			break;
		case OPT_REPLACE:
			opt->replace = true;
			break;
		case OPT_USERS:
			users = optarg;
			break;
		case OPT_APOP:
			opt->apop = true;
			break;
		case OPT_REALM:
			opt->realm = optarg;
			break;
		case OPT_DEFAULT_SCHEME:
			opt->default_scheme = mp_scheme_find(optarg);
			if (opt->default_scheme == NULL)
				return cli_usage_error("import", "unknown scheme '%s'", optarg);
			break;
		case OPT_MIN_UID:
			if (!parse_uid(optarg, &opt->min_uid))
				return cli_usage_error("import", "--min-uid needs a number, not "
						       "'%s'", optarg);
			opt->min_uid_set = true;
			break;
		case OPT_PASSWD:
			opt->passwd_path = optarg;
			passwd_given = true;
			break;
		case 'h':
			import_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("import", opt_char, argv);
		}
	}
	if (format == NULL)
		return cli_usage_error("import", "import needs --format dovecot, htpasswd, "
				       "shadow or sasldb");
	for (size_t i = 0; i < IMPORT_FORMAT_COUNT; i++) {
		if (strcmp(import_formats[i].name, format) == 0) {
			opt->format = import_formats[i].format;
			*reader_r = import_formats[i].read;
		}
	}
	if (*reader_r == NULL)
		return cli_usage_error("import", "unknown format '%s' (dovecot, htpasswd, "
				       "shadow or sasldb)", format);
	if (argc - optind != 1)
		return cli_usage_error("import", "import needs exactly one FILE");
	opt->path = argv[optind];
	if (users != NULL && !parse_users(users, opt))
		return CLI_EXIT_ERROR;
	return check_option_formats(opt, passwd_given);
}

/* --- The command. */

/* run_import - read, decide, write; returns the exit status. */
static int
run_import(struct import_job *job, import_reader_fn *reader, struct mp_store *store,
	   const char *store_name, const unsigned char *key)
{
	const char *reason = "";
	enum mp_result result;
	unsigned long rejected;
	bool written = false;
	int status = CLI_EXIT_ERROR;

	if (!reader(job) || job->failed)
		goto out;
	if (!import_reject_duplicates(job))
		goto out;
	result = import_snapshot(job, store, &reason);
	if (result != MP_OK) {
		import_progress_clear(job);
		cli_error("%s: %s", store_name, reason);
		goto out;
	}
	import_prepare(job, key);
	if (job->failed)
		goto out;
	result = import_commit(job, store, &written, &reason);
	import_progress_clear(job);
	if (result != MP_OK || job->failed) {
		cli_error("%s: %s; %s", store_name, job->failed ? "out of memory" : reason,
			  written ? "the users reported as imported or replaced were written" :
			  "nothing was imported");
		if (written)
			(void)import_report(job, store_name);
		goto out;
	}
	rejected = import_report(job, store_name);
	status = rejected == 0 ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
out:
	import_progress_clear(job);
	return status;
}

int
cmd_import(struct cli_context *ctx, int argc, char **argv)
{
	struct import_options opt;
	struct import_job job;
	import_reader_fn *reader = NULL;
	struct mp_auth *auth = NULL;
	struct mp_store *store;
	struct mp_conf conf;
	unsigned char key[MP_APOP_KEY_BYTES];
	char error[MP_ERROR_MAX];
	bool have_key = false;
	int status;

	memset(&opt, 0, sizeof(opt));
	memset(&job, 0, sizeof(job));
	status = parse_options(argc, argv, &opt, &reader);
	if (status >= 0)
		goto out;
	status = CLI_EXIT_ERROR;
	if (!cli_open_store(ctx, &conf, &auth))
		goto out;
	store = mp_auth_store(auth);
	if (opt.apop && conf.apop_key[0] != '\0') {
		if (mp_apop_key_load(conf.apop_key, conf.store_owner, key, error,
				     sizeof(error)) != MP_OK) {
			cli_error("%s", error);
			goto out;
		}
		have_key = true;
	} else if (opt.apop) {
		cli_error("warning: no apop_key is set; APOP secrets are stored in "
			  "cleartext ({PLAIN})");
	}

	job.opt = &opt;
	job.conf = &conf;
	job.records = opt.format == IMPORT_SASLDB;
	job.progress = isatty(STDERR_FILENO) == 1;
	if (opt.user_count > 0) {
		job.users_seen = calloc(opt.user_count, sizeof(*job.users_seen));
		if (job.users_seen == NULL) {
			cli_error("out of memory");
			goto out;
		}
	}
	status = run_import(&job, reader, store, cli_store_name(store, &conf),
			    have_key ? key : NULL);
out:
	mp_wipe(key, sizeof(key));
	for (size_t i = 0; i < job.count; i++)
		import_item_free(&job.items[i]);
	free(job.items);
	free(job.users_seen);
	for (size_t i = 0; i < opt.user_count; i++)
		free(opt.users[i]);
	free(opt.users);
	mp_auth_close(&auth);
	return status;
}
