/*
 * cmd-user.c - "mailpass user add|passwd|del|list|show|apop": manage the
 * users of the store.  Changes go through the core (mp_auth_set_password,
 * mp_auth_set_apop, mp_auth_delete), which writes the store atomically.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apop-secret.h"
#include "cli.h"
#include "entry.h"
#include "scheme.h"
#include "store.h"

struct user_command {
	const char *name;
	cli_command_fn *run;
	const char *synopsis;	/* arguments after the name */
	const char *summary;
};

static int user_add(struct cli_context *ctx, int argc, char **argv);
static int user_passwd(struct cli_context *ctx, int argc, char **argv);
static int user_del(struct cli_context *ctx, int argc, char **argv);
static int user_list(struct cli_context *ctx, int argc, char **argv);
static int user_show(struct cli_context *ctx, int argc, char **argv);
static int user_apop(struct cli_context *ctx, int argc, char **argv);

static const struct user_command user_commands[] = {
	{ "add", user_add, "USER",
	  "add USER with a new password" },
	{ "passwd", user_passwd, "USER",
	  "set a new password for USER" },
	{ "del", user_del, "USER",
	  "remove USER" },
	{ "list", user_list, "",
	  "print the user names, one a line, in store order" },
	{ "show", user_show, "USER",
	  "print USER's scheme, state and APOP status" },
	{ "apop", user_apop, "[--remove] USER",
	  "set USER's APOP secret, or remove it" },
};

#define USER_COMMAND_COUNT (sizeof(user_commands) / sizeof(user_commands[0]))

static void
user_usage(FILE *out)
{
	char left[64];

	fprintf(out,
		"usage: mailpass [-c CONF] user COMMAND [ARGS...]\n"
		"\n"
		"Manage the users of the store named in the configuration file.\n"
		"\n");
	for (size_t i = 0; i < USER_COMMAND_COUNT; i++) {
		snprintf(left, sizeof(left), "%s %s", user_commands[i].name,
			 user_commands[i].synopsis);
		fprintf(out, "  %-22s %s\n", left, user_commands[i].summary);
	}
	fprintf(out,
		"\n"
		"Passwords and APOP secrets are read without echo from the terminal and\n"
		"asked twice, or read as one line from standard input when it is not a\n"
		"terminal, e.g.:\n"
		"  printf '%%s\\n' \"$password\" | mailpass user add alice\n"
		"\n"
		"User names are 1 to %d bytes without ':', white space or control\n"
		"characters.  New passwords are hashed with the configured scheme.  APOP\n"
		"secrets are sealed ({SECRETBOX}) with the key named by apop_key, or\n"
		"stored in cleartext ({PLAIN}) when no apop_key is set.\n"
		"\n"
		"Exit status: 0 done; 1 USER does not exist (passwd, del, show, apop);\n"
		"2 error (invalid user name, user exists, store or configuration).\n",
		MP_USER_MAX);
}

static const struct user_command *
user_command_find(const char *name)
{
	for (size_t i = 0; i < USER_COMMAND_COUNT; i++) {
		if (strcmp(user_commands[i].name, name) == 0)
			return &user_commands[i];
	}
	return NULL;
}

static void
user_command_usage(const struct user_command *command, FILE *out)
{
	fprintf(out, "usage: mailpass [-c CONF] user %s %s\n\n%s.\n",
		command->name, command->synopsis, command->summary);
	if (strcmp(command->name, "apop") == 0)
		fprintf(out, "\n  --remove    remove the APOP secret instead of setting one\n");
	fprintf(out, "  -h, --help  show this help\n"
		"\nSee 'mailpass user --help' for how secrets are read.\n");
}

/*
 * user_parse - the options of a user subcommand (--help, and --remove for
 * apop) and its operand: *user_r gets USER, or NULL for "list".  Returns -1
 * to go on, or the exit status.
 */
static int
user_parse(const char *name, int argc, char **argv, const char **user_r, bool *remove_r)
{
	enum { OPT_REMOVE = 256 };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "remove", no_argument, NULL, OPT_REMOVE },
		{ NULL, 0, NULL, 0 },
	};
	const struct user_command *command = user_command_find(name);
	char context[32];
	bool wants_user = strcmp(name, "list") != 0;
	int opt;

	snprintf(context, sizeof(context), "user %s", name);
	*user_r = NULL;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			user_command_usage(command, stdout);
			return CLI_EXIT_OK;
		case OPT_REMOVE:
			if (remove_r != NULL) {
				*remove_r = true;
				break;
			}
			return cli_usage_error(context, "unknown option '--remove'");
		default:
			return cli_getopt_error(context, opt, argv);
		}
	}
	if (!wants_user) {
		if (optind != argc)
			return cli_usage_error(context, "%s takes no arguments", context);
		return -1;
	}
	if (argc - optind != 1)
		return cli_usage_error(context, "%s needs exactly one USER", context);
	*user_r = argv[optind];
	if (!cli_user_arg(*user_r))
		return CLI_EXIT_ERROR;
	return -1;
}

/*
 * user_open - the subcommand's arguments (user_parse()), then the store:
 * -1 with *user_r and *auth_r set to go on, or the exit status to end with.
 */
static int
user_open(struct cli_context *ctx, int argc, char **argv, const char **user_r,
	  bool *remove_r, struct mp_auth **auth_r)
{
	int status = user_parse(argv[0], argc, argv, user_r, remove_r);

	if (status >= 0)
		return status;
	return cli_open_auth(ctx, auth_r) ? -1 : CLI_EXIT_ERROR;
}

/*
 * read_new_secret - a new secret of kind, typed twice on a terminal; false
 * (with the message said) when reading fails or it is empty.
 */
static bool
read_new_secret(struct cli_secret *secret, enum cli_secret_kind kind, const char *empty_error)
{
	if (!cli_read_secret(secret, kind, true))
		return false;
	if (secret->len == 0) {
		cli_secret_wipe(secret);
		cli_error("%s", empty_error);
		return false;
	}
	return true;
}

/*
 * user_failed - report a failed operation on user and return its exit
 * status.  A store that cannot be used is named instead of the user.
 */
static int
user_failed(struct mp_auth *auth, const char *user, enum mp_result result,
	    const char *reason)
{
	if (reason == NULL || *reason == '\0')
		reason = mp_result_name(result);
	if (result == MP_UNAVAILABLE)
		cli_error("%s: %s", cli_store_name(mp_auth_store(auth), mp_auth_conf(auth)),
			  reason);
	else
		cli_error("%s: %s", user, reason);
	return cli_exit_code(result);
}

/*
 * user_precheck - before asking for a secret, make sure USER exists (or, with
 * want_absent, does not).  Returns -1 to go on, or the exit status.  A store
 * that cannot answer is left for the change itself to report.
 */
static int
user_precheck(struct mp_auth *auth, const char *user, bool want_absent)
{
	struct mp_entry *entry = NULL;
	const char *reason = "";
	enum mp_result result;

	result = mp_store_lookup(mp_auth_store(auth), user, &entry, &reason);
	mp_entry_free(&entry);
	if (want_absent && result == MP_OK)
		return user_failed(auth, user, MP_MALFORMED, "user exists");
	if (!want_absent && result == MP_USER_UNKNOWN)
		return user_failed(auth, user, result, "unknown user");
	return -1;
}

static int
set_password(struct cli_context *ctx, int argc, char **argv, bool create)
{
	struct cli_secret secret;
	struct mp_auth *auth = NULL;
	const char *user, *reason = "";
	enum mp_result result;
	int status;

	status = user_open(ctx, argc, argv, &user, NULL, &auth);
	if (status >= 0)
		return status;
	status = user_precheck(auth, user, create);
	if (status >= 0)
		goto out;
	if (!read_new_secret(&secret, CLI_SECRET_PASSWORD, "empty password")) {
		status = CLI_EXIT_ERROR;
		goto out;
	}
	result = mp_auth_set_password(auth, user, strlen(user), secret.buf, secret.len, create,
				      &reason);
	cli_secret_wipe(&secret);
	status = result == MP_OK ? CLI_EXIT_OK : user_failed(auth, user, result, reason);
out:
	mp_auth_close(&auth);
	return status;
}

static int
user_add(struct cli_context *ctx, int argc, char **argv)
{
	return set_password(ctx, argc, argv, true);
}

static int
user_passwd(struct cli_context *ctx, int argc, char **argv)
{
	return set_password(ctx, argc, argv, false);
}

static int
user_del(struct cli_context *ctx, int argc, char **argv)
{
	struct mp_auth *auth = NULL;
	const char *user, *reason = "";
	enum mp_result result;
	int status;

	status = user_open(ctx, argc, argv, &user, NULL, &auth);
	if (status >= 0)
		return status;
	result = mp_auth_delete(auth, user, strlen(user), &reason);
	status = result == MP_OK ? CLI_EXIT_OK : user_failed(auth, user, result, reason);
	mp_auth_close(&auth);
	return status;
}

struct list_context {
	const char *store_name;
	unsigned long bad_lines;
};

static int
list_one(const struct mp_entry *entry, unsigned long line_no, const char *reason,
	 void *context)
{
	struct list_context *list = context;

	if (entry == NULL) {
		cli_error("%s: line %lu: %s", list->store_name, line_no,
			  reason != NULL ? reason : "unparsable line");
		list->bad_lines++;
		return 0;
	}
	printf("%s\n", mp_entry_user(entry));
	return 0;
}

static int
user_list(struct cli_context *ctx, int argc, char **argv)
{
	struct list_context list = { .bad_lines = 0 };
	struct mp_auth *auth = NULL;
	struct mp_store *store;
	const char *user, *reason = "";
	enum mp_result result;
	int status;

	status = user_open(ctx, argc, argv, &user, NULL, &auth);
	if (status >= 0)
		return status;
	store = mp_auth_store(auth);
	list.store_name = cli_store_name(store, mp_auth_conf(auth));
	result = mp_store_iterate(store, list_one, &list, &reason);
	if (result != MP_OK) {
		cli_error("%s: %s", list.store_name, *reason != '\0' ? reason :
			  mp_result_name(result));
		status = cli_exit_code(result);
	} else if (list.bad_lines > 0) {
		cli_error("%s: %lu malformed line%s (see 'mailpass check')", list.store_name,
			  list.bad_lines, list.bad_lines == 1 ? "" : "s");
		status = CLI_EXIT_ERROR;
	} else {
		status = CLI_EXIT_OK;
	}
	mp_auth_close(&auth);
	return status;
}

/*
 * show_scheme - the scheme of the stored value, never the value itself;
 * "unusable" with the reason when a login would refuse the value, as
 * "mailpass check" reports it.  Returns true when the value is usable.
 */
static bool
show_scheme(const struct mp_entry *entry, const struct mp_conf *conf)
{
	const char *stored = mp_entry_password(entry), *reason = "";
	const struct mp_scheme *scheme = NULL;

	while (*stored == '!' || *stored == '*')
		stored++;
	if (*stored == '\0') {
		printf("scheme: none (no password set)\n");
		return false;
	}
	if (cli_stored_check(stored, mp_entry_user(entry), &conf->limits, &scheme,
			     &reason) != MP_OK) {
		printf("scheme: unusable (%s)\n", reason);
		return false;
	}
	printf("scheme: %s%s\n", scheme->name, scheme->weak ? " (weak)" : "");
	return true;
}

/* show_rehash - whether the next right password replaces the stored hash. */
static void
show_rehash(const struct mp_entry *entry, const struct mp_conf *conf)
{
	const char *stored = mp_entry_password(entry);

	while (*stored == '!' || *stored == '*')
		stored++;
	if (!mp_scheme_needs_rehash(stored, 0, conf->scheme, &conf->hash))
		printf("rehash: no\n");
	else if (conf->rehash)
		printf("rehash: pending (the next right password upgrades it to %s)\n",
		       conf->scheme->name);
	else
		printf("rehash: needed for %s, but rehash = no\n", conf->scheme->name);
}

static void
show_state(const struct mp_entry *entry)
{
	bool locked = mp_entry_is_locked(entry);
	bool nologin = mp_entry_extra(entry, "nologin") != NULL;

	if (locked && nologin)
		printf("state: locked, disabled (nologin)\n");
	else if (locked)
		printf("state: locked\n");
	else if (nologin || mp_entry_is_disabled(entry))
		printf("state: disabled (nologin)\n");
	else
		printf("state: active\n");
}

static void
show_apop(const struct mp_entry *entry)
{
	const char *reason;

	switch (mp_apop_secret_form(mp_entry_extra(entry, "apop"), &reason)) {
	case MP_APOP_NONE:
		printf("apop: no\n");
		break;
	case MP_APOP_SEALED:
		printf("apop: yes, sealed ({SECRETBOX})\n");
		break;
	case MP_APOP_CLEARTEXT:
		printf("apop: yes, cleartext\n");
		break;
	case MP_APOP_UNUSABLE:
		printf("apop: unusable (%s)\n", reason);
		break;
	}
}

static int
user_show(struct cli_context *ctx, int argc, char **argv)
{
	struct mp_auth *auth = NULL;
	struct mp_entry *entry = NULL;
	const char *user, *reason = "";
	enum mp_result result;
	bool usable;
	int status;

	status = user_open(ctx, argc, argv, &user, NULL, &auth);
	if (status >= 0)
		return status;
	result = mp_store_lookup(mp_auth_store(auth), user, &entry, &reason);
	if (result == MP_USER_UNKNOWN)
		reason = "unknown user";
	if (result != MP_OK) {
		status = user_failed(auth, user, result, reason);
		goto out;
	}
	printf("user: %s\n", mp_entry_user(entry));
	usable = show_scheme(entry, mp_auth_conf(auth));
	show_state(entry);
	show_apop(entry);
	if (usable)
		show_rehash(entry, mp_auth_conf(auth));
	status = CLI_EXIT_OK;
out:
	mp_entry_free(&entry);
	mp_auth_close(&auth);
	return status;
}

static int
user_apop(struct cli_context *ctx, int argc, char **argv)
{
	struct cli_secret secret;
	struct mp_auth *auth = NULL;
	const char *user, *reason = "";
	bool remove = false;
	enum mp_result result;
	int status;

	status = user_open(ctx, argc, argv, &user, &remove, &auth);
	if (status >= 0)
		return status;
	if (remove) {
		result = mp_auth_set_apop(auth, user, strlen(user), NULL, 0, &reason);
		status = result == MP_OK ? CLI_EXIT_OK : user_failed(auth, user, result, reason);
		goto out;
	}
	status = user_precheck(auth, user, false);
	if (status >= 0)
		goto out;
	if (mp_auth_conf(auth)->apop_key[0] == '\0')
		cli_error("warning: no apop_key is set; the APOP secret is stored in "
			  "cleartext ({PLAIN})");
	if (!read_new_secret(&secret, CLI_SECRET_APOP, "empty APOP secret")) {
		status = CLI_EXIT_ERROR;
		goto out;
	}
	result = mp_auth_set_apop(auth, user, strlen(user), secret.buf, secret.len, &reason);
	cli_secret_wipe(&secret);
	status = result == MP_OK ? CLI_EXIT_OK : user_failed(auth, user, result, reason);
out:
	mp_auth_close(&auth);
	return status;
}

int
cmd_user(struct cli_context *ctx, int argc, char **argv)
{
	const struct user_command *command;

	if (argc < 2)
		return cli_usage_error("user", "user needs a command: add, passwd, del, list, "
				       "show or apop");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		user_usage(stdout);
		return CLI_EXIT_OK;
	}
	command = user_command_find(argv[1]);
	if (command == NULL) {
		if (argv[1][0] == '-')
			return cli_usage_error("user", "unknown option '%s'", argv[1]);
		return cli_usage_error("user", "unknown user command '%s'", argv[1]);
	}
	return command->run(ctx, argc - 1, argv + 1);
}
