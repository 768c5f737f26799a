/*
 * mailpass.c - the mailpass command: global options, the table of
 * subcommands, and the overview help.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct cli_command {
	const char *name;
	cli_command_fn *run;
	const char *synopsis;	/* arguments after the name */
	const char *summary;	/* one line for the overview */
};

static int cmd_help(struct cli_context *ctx, int argc, char **argv);

static const struct cli_command commands[] = {
	{ "hash", cmd_hash, "[-s SCHEME]",
	  "print a new stored value for a password" },
	{ "verify", cmd_verify, "USER | --hash STORED",
	  "check a password (store or stored value)" },
	{ "apop", cmd_apop, "USER TIMESTAMP DIGEST",
	  "check an APOP digest (RFC 1939)" },
	{ "user", cmd_user, "add|passwd|del|list|show|apop",
	  "manage users (see 'mailpass user --help')" },
	{ "import", cmd_import, "--format FORMAT FILE",
	  "add users from another password file" },
	{ "audit", cmd_audit, "[--json]",
	  "schemes in use, weak hashes, pending rehash" },
	{ "check", cmd_check, "",
	  "lint configuration, store and permissions" },
	{ "stamp", cmd_stamp, "",
	  "let lookups stop at the user's line (after a hand edit)" },
	{ "keygen", cmd_keygen, "FILE",
	  "create an APOP key file (mode 0600)" },
	{ "help", cmd_help, "[COMMAND]",
	  "this overview, or the help of COMMAND" },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *
command_find(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

void
cli_usage_overview(FILE *out)
{
	char left[64];

	fprintf(out,
		"usage: mailpass [-c CONF] COMMAND [ARGS...]\n"
		"       mailpass --help | --version\n"
		"\n"
		"Check and manage the credentials of mail users (see mailpass(1)).\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].synopsis);
		fprintf(out, "  %-34s %s\n", left, commands[i].summary);
	}
	fprintf(out,
		"\n"
		"Options:\n"
		"  -c, --config CONF   configuration file (default %s)\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n"
		"Passwords and APOP secrets are read without echo from the terminal, or as\n"
		"one line from standard input when it is not a terminal.\n"
		"\n"
		"Exit status: 0 accepted or done, 1 rejected (wrong password or digest,\n"
		"unknown user, disabled account), 2 error (usage, configuration, store,\n"
		"malformed input).\n"
		"\n"
		"Example session (as root):\n"
		"  install -d -m 0750 /etc/mailpass\n"
		"  mailpass keygen /etc/mailpass/apop.key\n"
		"  cat > /etc/mailpass.conf <<'EOF'\n"
		"  store = file:/etc/mailpass/passwd\n"
		"  apop_key = /etc/mailpass/apop.key\n"
		"  EOF\n"
		"  mailpass user add alice            # asks for the password twice\n"
		"  mailpass verify alice              # OK, exit 0; wrong password: exit 1\n"
		"  mailpass user apop alice           # asks for the APOP secret twice\n"
		"  mailpass user show alice\n"
		"  mailpass check                     # config, store, permissions\n",
		MP_DEFAULT_CONF_PATH);
}

/* cmd_help - "mailpass help [COMMAND]". */
static int
cmd_help(struct cli_context *ctx, int argc, char **argv)
{
	static char help_option[] = "--help";
	const struct cli_command *command;
	char *help_argv[] = { NULL, help_option, NULL };

	if (argc == 1 || (argc == 2 && strcmp(argv[1], "help") == 0) ||
	    (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
		cli_usage_overview(stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(NULL, "help takes at most one command");
	command = command_find(argv[1]);
	if (command == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	help_argv[0] = argv[1];
	return command->run(ctx, 2, help_argv);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context ctx = { .conf_path = MP_DEFAULT_CONF_PATH };
	const struct cli_command *command;
	int opt, status;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (optarg[0] == '\0')
				return cli_usage_error(NULL, "-c needs a file name");
			ctx.conf_path = optarg;
			ctx.conf_path_given = true;
			break;
		case 'h':
			cli_usage_overview(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("mailpass %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error(NULL, opt, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(NULL, "no command given");
	command = command_find(argv[optind]);
	if (command == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);

	/* Each subcommand parses its own argv from the start. */
	argc -= optind;
	argv += optind;
	optind = 0;
	status = command->run(&ctx, argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write to standard output");
		status = CLI_EXIT_ERROR;
	}
	return status;
}
