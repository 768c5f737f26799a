#ifndef MP_CLI_H
#define MP_CLI_H

/*
 * The mailpass command: shared declarations of the subcommands (cmd-*.c) and
 * of their helpers (cli-io.c).  Every subcommand function takes the global
 * context and its own argv, where argv[0] is the subcommand's name, and
 * returns the process exit status.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth.h"
#include "conf.h"
#include "mp-limits.h"
#include "result.h"

#ifndef MP_DEFAULT_CONF_PATH
#define MP_DEFAULT_CONF_PATH "/etc/mailpass.conf"
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* Exit status: accepted or done, rejected, error. */
#define CLI_EXIT_OK		0
#define CLI_EXIT_REJECTED	1
#define CLI_EXIT_ERROR		2

#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

struct cli_context {
	const char *conf_path;		/* -c CONF, or MP_DEFAULT_CONF_PATH */
	bool conf_path_given;		/* -c was given */
};

typedef int cli_command_fn(struct cli_context *ctx, int argc, char **argv);

/*
 * A password or APOP secret read from the terminal or stdin.  The buffer has
 * room for MP_PASSWORD_MAX bytes, a '\r' that is stripped and a NUL.  It is
 * wiped with cli_secret_wipe() on every path.
 */
struct cli_secret {
	char buf[MP_PASSWORD_MAX + 2];
	size_t len;
};

/* What cli_read_secret() asks for; the words used in prompts and messages. */
enum cli_secret_kind {
	CLI_SECRET_PASSWORD = 0,
	CLI_SECRET_APOP,
};

/* Subcommands (cmd-*.c). */
int cmd_hash(struct cli_context *ctx, int argc, char **argv);
int cmd_verify(struct cli_context *ctx, int argc, char **argv);
int cmd_apop(struct cli_context *ctx, int argc, char **argv);
int cmd_user(struct cli_context *ctx, int argc, char **argv);
int cmd_check(struct cli_context *ctx, int argc, char **argv);
int cmd_keygen(struct cli_context *ctx, int argc, char **argv);
int cmd_stamp(struct cli_context *ctx, int argc, char **argv);
int cmd_import(struct cli_context *ctx, int argc, char **argv);
int cmd_audit(struct cli_context *ctx, int argc, char **argv);

/* cmd_verify_hash - "verify --hash STORED" (cmd-hash.c); user may be NULL. */
int cmd_verify_hash(struct cli_context *ctx, const char *stored, const char *user);

/* cli_usage_overview - the text of "mailpass --help" (mailpass.c). */
void cli_usage_overview(FILE *out);

/* Messages on stderr, each prefixed with "mailpass: " and ended with a newline. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/*
 * cli_usage_error - print "mailpass: MESSAGE" and a pointer to the help of
 * command (NULL: the overview) on stderr; returns CLI_EXIT_ERROR.
 */
int cli_usage_error(const char *command, const char *fmt, ...) CLI_PRINTF(2, 3);

/* cli_exit_code - the exit status for a core result (the one mapping). */
int cli_exit_code(enum mp_result result);

/*
 * cli_read_secret - read a password (or APOP secret) into secret: without
 * echo from a terminal, asking twice when confirm is set, or as one line from
 * stdin when it is not a terminal.  Prints the reason and returns false on
 * failure (EOF, over MP_PASSWORD_MAX, NUL byte, mismatch, I/O error);
 * secret is wiped then.
 */
bool cli_read_secret(struct cli_secret *secret, enum cli_secret_kind kind, bool confirm);

/* cli_secret_wipe - zero the buffer and the length. */
void cli_secret_wipe(struct cli_secret *secret);

/*
 * cli_load_conf_or_defaults - the configuration at ctx->conf_path when that
 * file exists, the built-in defaults when it does not.  An existing file that
 * does not load is an error (printed; false returned).
 */
bool cli_load_conf_or_defaults(const struct cli_context *ctx, struct mp_conf *conf);

/*
 * cli_load_conf - the configuration at ctx->conf_path, which must exist.
 * Prints a message naming the file and returns false when it cannot be
 * loaded.
 */
bool cli_load_conf(const struct cli_context *ctx, struct mp_conf *conf);

/*
 * cli_open_auth - load the configuration (which must exist) and open the
 * store.  Prints the reason and returns false on failure.  A store file
 * readable by others is used, with the warning of mp_auth_warning() on
 * standard error.
 */
bool cli_open_auth(const struct cli_context *ctx, struct mp_auth **auth_r);

/*
 * cli_open_store - the same for a command that reads or writes the store
 * but needs no APOP key (audit, import: import --apop loads the key
 * itself): the configuration in *conf, apop_key included, and a handle
 * whose store is judged and warned about as cli_open_auth() does, but
 * which holds no key.
 */
bool cli_open_store(const struct cli_context *ctx, struct mp_conf *conf,
		    struct mp_auth **auth_r);

/* cli_user_arg - check a user name given on the command line; prints why not. */
bool cli_user_arg(const char *user);

/* cli_store_name - the file behind the store, or its location for other backends. */
const char *cli_store_name(const struct mp_store *store, const struct mp_conf *conf);

/*
 * cli_stored_check - whether stored (a password field without its lock
 * marks) can serve a login of user (NULL: none): mp_scheme_check() with
 * limits, and for a scheme whose data is the cleartext, a password a login
 * can give (not empty, at most MP_PASSWORD_MAX bytes, no NUL byte).
 * MP_OK with the scheme in *scheme_r (when not NULL), or MP_MALFORMED
 * (MP_INTERNAL) with the reason a login would be refused for.  Nothing
 * costly is computed.
 */
enum mp_result cli_stored_check(const char *stored, const char *user,
				const struct mp_verify_limits *limits,
				const struct mp_scheme **scheme_r, const char **reason_r);

/*
 * cli_getopt_error - report what getopt_long() returned ('?' or ':') for
 * command (NULL: the global options) as a usage error; returns
 * CLI_EXIT_ERROR.
 */
int cli_getopt_error(const char *command, int ret, char **argv);

/*
 * cli_report - print the outcome of a check: "OK" on stdout for MP_OK,
 * "mailpass: rejected: REASON" on stderr for a rejection, "mailpass:
 * REASON" on stderr for an error.  Returns the exit status.
 */
int cli_report(enum mp_result result, const char *reason);

/* cli_report_store - the same, naming the store when it could not be used. */
int cli_report_store(struct mp_auth *auth, enum mp_result result, const char *reason);

#endif
