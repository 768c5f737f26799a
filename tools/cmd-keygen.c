/*
 * cmd-keygen.c - "mailpass keygen FILE": create the site key that seals
 * APOP secrets ({SECRETBOX}).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "apop-secret.h"
#include "cli.h"

static void
keygen_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass keygen FILE\n"
		"\n"
		"Create FILE holding %u random bytes with mode 0600: the key that seals\n"
		"APOP secrets in the store.  Refuses to overwrite an existing file.\n"
		"Then name it in mailpass.conf:  apop_key = FILE\n"
		"\n"
		"Keep a copy: without the key, sealed APOP secrets cannot be used.\n"
		"\n"
		"  -h, --help  show this help\n", (unsigned int)MP_APOP_KEY_BYTES);
}

int
cmd_keygen(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path, *reason = "";
	int opt, saved_errno;

	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			keygen_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("keygen", opt, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("keygen", "keygen needs exactly one FILE");
	path = argv[optind];
	if (*path == '\0')
		return cli_usage_error("keygen", "keygen needs a non-empty FILE");

	errno = 0;
	if (mp_apop_key_create(path, &reason) != MP_OK) {
		saved_errno = errno;
		if (saved_errno != 0 && saved_errno != EEXIST)
			cli_error("%s: %s: %s", path, reason, strerror(saved_errno));
		else
			cli_error("%s: %s", path, reason);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}
