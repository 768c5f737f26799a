/*
 * cmd-verify.c - "mailpass verify USER": a password against the store, as a
 * mail server would check it.  "verify --hash STORED" is in cmd-hash.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
verify_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] verify [--no-rehash] USER\n"
		"       mailpass [-c CONF] verify --hash STORED [USER]\n"
		"\n"
		"Read a password (without echo from a terminal, or one line from standard\n"
		"input) and check it against USER's entry in the store, or against the\n"
		"stored value STORED (e.g. '{ARGON2ID}$argon2id$...').\n"
		"\n"
		"Prints OK and exits 0 when the password is right; prints the reason on\n"
		"standard error and exits 1 when it is rejected (wrong password, unknown\n"
		"user, disabled account), 2 on an error (malformed stored value, unknown\n"
		"scheme, unreadable store or configuration).\n"
		"\n"
		"  -H, --hash STORED  check against STORED instead of the store (the\n"
		"                     configuration is optional then); USER is needed\n"
		"                     only by schemes salted with the user name\n"
		"                     (DIGEST-MD5: user@realm)\n"
		"      --no-rehash    never upgrade USER's stored hash (by default a\n"
		"                     hash weaker than the configured scheme is replaced\n"
		"                     after a right password when rehash = yes)\n"
		"  -h, --help         show this help\n");
}

/* rehash_note - say what happened to the stored hash after an accepted password. */
static void
rehash_note(const struct mp_auth *auth, const char *note)
{
	if (note == NULL)
		return;
	if (strcmp(note, "rehashed") == 0)
		cli_error("note: stored hash upgraded to %s", mp_auth_conf(auth)->scheme->name);
	else
		cli_error("warning: could not upgrade the stored hash: %s", note);
}

int
cmd_verify(struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_NO_REHASH = 256 };
	static const struct option options[] = {
		{ "hash", required_argument, NULL, 'H' },
		{ "no-rehash", no_argument, NULL, OPT_NO_REHASH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_secret secret;
	struct mp_auth *auth = NULL;
	const char *stored = NULL, *user, *reason = "", *note = NULL;
	unsigned int flags = 0;
	enum mp_result result;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "+:H:h", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
			stored = optarg;
			break;
		case OPT_NO_REHASH:
			flags |= MP_VERIFY_NO_REHASH;
			break;
		case 'h':
			verify_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("verify", opt, argv);
		}
	}
	if (stored != NULL) {
		if (argc - optind > 1)
			return cli_usage_error("verify", "verify --hash takes at most one USER");
		if ((flags & MP_VERIFY_NO_REHASH) != 0)
			return cli_usage_error("verify", "--no-rehash goes with USER, not --hash");
		user = optind < argc ? argv[optind] : NULL;
		if (user != NULL && !cli_user_arg(user))
			return CLI_EXIT_ERROR;
		return cmd_verify_hash(ctx, stored, user);
	}
	if (argc - optind != 1)
		return cli_usage_error("verify", "verify needs exactly one USER (or --hash STORED)");
	user = argv[optind];
	if (!cli_user_arg(user))
		return CLI_EXIT_ERROR;
	if (!cli_open_auth(ctx, &auth))
		return CLI_EXIT_ERROR;
	if (!cli_read_secret(&secret, CLI_SECRET_PASSWORD, false)) {
		mp_auth_close(&auth);
		return CLI_EXIT_ERROR;
	}
	result = mp_auth_verify(auth, user, strlen(user), secret.buf, secret.len, flags,
				&reason, &note);
	cli_secret_wipe(&secret);
	if (result == MP_MALFORMED) {
		/* Name the user: the reason may be about the stored value, e.g. over a ceiling. */
		cli_error("user %s: %s", user, reason);
		status = cli_exit_code(result);
	} else {
		status = cli_report_store(auth, result, reason);
	}
	if (result == MP_OK)
		rehash_note(auth, note);
	mp_auth_close(&auth);
	return status;
}
