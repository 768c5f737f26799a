/*
 * cmd-apop.c - "mailpass apop USER TIMESTAMP DIGEST": check an APOP digest
 * (RFC 1939, section 7) against USER's APOP secret, as a POP3 server would.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
apop_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] apop USER TIMESTAMP DIGEST\n"
		"\n"
		"Check DIGEST, the 32 hex digits of MD5(TIMESTAMP SECRET) that a POP3\n"
		"client sends, against USER's APOP secret.  TIMESTAMP is the server's\n"
		"greeting msg-id, angle brackets included; quote it for the shell:\n"
		"\n"
		"  mailpass apop alice '<1896.697170952@dbc.mtview.ca.us>' \\\n"
		"      c4c9334bac560ecc979e58001b3e22fb\n"
		"\n"
		"Prints OK and exits 0 when the digest is right; exits 1 when it is\n"
		"rejected (wrong digest, unknown user, no APOP secret, disabled account),\n"
		"2 on an error (malformed digest or timestamp, unreadable store).\n"
		"Set a user's secret with 'mailpass user apop USER'.\n"
		"\n"
		"  -h, --help  show this help\n");
}

int
cmd_apop(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_auth *auth = NULL;
	const char *user, *timestamp, *digest, *reason = "";
	enum mp_result result;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			apop_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("apop", opt, argv);
		}
	}
	if (argc - optind != 3)
		return cli_usage_error("apop", "apop needs USER TIMESTAMP DIGEST");
	user = argv[optind];
	timestamp = argv[optind + 1];
	digest = argv[optind + 2];
	if (!cli_user_arg(user))
		return CLI_EXIT_ERROR;
	if (!cli_open_auth(ctx, &auth))
		return CLI_EXIT_ERROR;
	result = mp_auth_apop(auth, user, strlen(user), timestamp, strlen(timestamp), digest,
			      strlen(digest), &reason);
	status = cli_report_store(auth, result, reason);
	mp_auth_close(&auth);
	return status;
}
