/*
 * cmd-stamp.c - "mailpass stamp": record that the store holds no user
 * twice, so that lookups stop at the user's line (store-stamp.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "auth.h"
#include "cli.h"
#include "store.h"

static void
stamp_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] stamp\n"
		"\n"
		"Read the whole store and, when no user is on two of its lines, write\n"
		"STORE.stamp beside it: the store file's identity (device, inode, size,\n"
		"modification and change times).  While the stamp matches the file, a\n"
		"lookup stops at the user's line instead of reading the store to its end\n"
		"to refuse a user who is there twice.  Every mailpass command that writes\n"
		"the store renews the stamp itself; run this after editing the store by\n"
		"hand (any change to the file makes its stamp stale, and lookups read the\n"
		"whole file again, which is always safe).\n"
		"\n"
		"Exit status 2 when a user is on two lines ('mailpass check' names them)\n"
		"or the store cannot be read, locked or stamped.\n"
		"\n"
		"  -h, --help  show this help\n");
}

int
cmd_stamp(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_auth *auth = NULL;
	const char *reason = "";
	enum mp_result result;
	int opt;

	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			stamp_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("stamp", opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("stamp", "stamp takes no arguments");
	if (!cli_open_auth(ctx, &auth))
		return CLI_EXIT_ERROR;
	result = mp_store_file_stamp(mp_auth_store(auth), &reason);
	if (result != MP_OK)
		cli_error("%s: %s", cli_store_name(mp_auth_store(auth), mp_auth_conf(auth)), reason);
	mp_auth_close(&auth);
	return result == MP_OK ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
