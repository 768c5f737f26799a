/*
 * cmd-hash.c - "mailpass hash": a new stored value for a password, and
 * "mailpass verify --hash STORED": a password against a stored value.  Both
 * work without a store and use the built-in defaults when the configuration
 * file does not exist.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "scheme.h"
#include "secret.h"

static void
hash_usage(FILE *out)
{
	const struct mp_scheme *table;
	const char *separator = " ";
	size_t count;

	fprintf(out,
		"usage: mailpass [-c CONF] hash [-s SCHEME] [--allow-weak]\n"
		"\n"
		"Read a password (twice, without echo, from a terminal; or one line from\n"
		"standard input) and print a new stored value for it, such as\n"
		"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$...\n"
		"\n"
		"The scheme and its cost come from the configuration file when it exists,\n"
		"from the built-in defaults when it does not.\n"
		"\n"
		"  -s, --scheme SCHEME  scheme for the new value (default: the configured one)\n"
		"      --allow-weak     allow a weak scheme such as PLAIN\n"
		"  -h, --help           show this help\n"
		"\n"
		"Schemes:");
	table = mp_scheme_table(&count);
	for (size_t i = 0; i < count; i++) {
		if (table[i].generate == NULL)
			continue;
		fprintf(out, "%s%s%s", separator, table[i].name, table[i].weak ? " (weak)" : "");
		separator = ", ";
	}
	fputc('\n', out);
}

int
cmd_hash(struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_ALLOW_WEAK = 256 };
	static const struct option options[] = {
		{ "scheme", required_argument, NULL, 's' },
		{ "allow-weak", no_argument, NULL, OPT_ALLOW_WEAK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_secret secret;
	const struct mp_scheme *scheme;
	const char *scheme_name = NULL, *reason = "";
	struct mp_conf conf;
	char *stored = NULL;
	bool allow_weak = false;
	enum mp_result result;
	int opt;

	while ((opt = getopt_long(argc, argv, "+:s:h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			scheme_name = optarg;
			break;
		case OPT_ALLOW_WEAK:
			allow_weak = true;
			break;
		case 'h':
			hash_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("hash", opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("hash", "hash takes no arguments (the password is read "
				       "from the terminal or standard input)");
	if (!cli_load_conf_or_defaults(ctx, &conf))
		return CLI_EXIT_ERROR;

	scheme = scheme_name != NULL ? mp_scheme_find(scheme_name) : conf.scheme;
	if (scheme == NULL) {
		cli_error("unknown scheme '%s' (see 'mailpass hash --help')", scheme_name);
		return CLI_EXIT_ERROR;
	}
	if (scheme->generate == NULL) {
		cli_error("scheme %s cannot make new hashes", scheme->name);
		return CLI_EXIT_ERROR;
	}
	if (scheme->weak && !allow_weak) {
		cli_error("scheme %s is weak (the stored value gives the password away); "
			  "use --allow-weak to hash with it anyway", scheme->name);
		return CLI_EXIT_ERROR;
	}

	if (!cli_read_secret(&secret, CLI_SECRET_PASSWORD, true))
		return CLI_EXIT_ERROR;
	if (secret.len == 0) {
		cli_secret_wipe(&secret);
		cli_error("empty password");
		return CLI_EXIT_ERROR;
	}
	result = mp_scheme_hash(scheme, secret.buf, secret.len, &conf.hash, &stored, &reason);
	cli_secret_wipe(&secret);
	if (result != MP_OK) {
		cli_error("cannot hash with %s: %s", scheme->name, reason);
		return CLI_EXIT_ERROR;
	}
	printf("%s\n", stored);
	mp_secret_free_str(&stored);
	return CLI_EXIT_OK;
}

int
cmd_verify_hash(struct cli_context *ctx, const char *stored, const char *user)
{
	struct mp_verify_request request;
	struct cli_secret secret;
	struct mp_conf conf;
	const char *reason = "";
	enum mp_result result;

	if (!cli_load_conf_or_defaults(ctx, &conf))
		return CLI_EXIT_ERROR;
	if (!cli_read_secret(&secret, CLI_SECRET_PASSWORD, false))
		return CLI_EXIT_ERROR;
	request = (struct mp_verify_request){
		.password = secret.buf,
		.password_len = secret.len,
		.user = user,
		.limits = &conf.limits,
	};
	/* As at a login: an empty password matches no stored value, not even a hash of "". */
	if (secret.len == 0) {
		result = mp_scheme_check(stored, user, &conf.limits, &reason);
		if (result == MP_OK) {
			result = MP_MISMATCH;
			reason = "empty password";
		}
	} else {
		result = mp_scheme_verify(stored, &request, &reason);
	}
	cli_secret_wipe(&secret);
	if (result == MP_MALFORMED) {
		cli_error("unusable stored value: %s", reason);
		return cli_exit_code(result);
	}
	return cli_report(result, reason);
}
