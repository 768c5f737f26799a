/*
 * cli-io.c - what every subcommand of mailpass shares: messages, the one
 * mapping from core results to exit status, reading passwords, loading
 * the configuration and the store, and whether a stored value can serve a
 * login (check, audit, "user show" and import ask it here, so that what
 * one of them calls unusable the others do too).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "entry.h"
#include "secret.h"
#include "store.h"

static void
cli_vmessage(const char *fmt, va_list args)
{
	fputs("mailpass: ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	cli_vmessage(fmt, args);
	va_end(args);
}

int
cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	cli_vmessage(fmt, args);
	va_end(args);
	if (command == NULL)
		fputs("Try 'mailpass --help'.\n", stderr);
	else
		fprintf(stderr, "Try 'mailpass %s --help'.\n", command);
	return CLI_EXIT_ERROR;
}

int
cli_getopt_error(const char *command, int ret, char **argv)
{
	const char *arg = argv[optind - 1];

	if (strncmp(arg, "--", 2) == 0) {
		if (ret == ':')
			return cli_usage_error(command, "option '%s' needs an argument", arg);
		return cli_usage_error(command, "unknown option '%s'", arg);
	}
	if (ret == ':')
		return cli_usage_error(command, "option '-%c' needs an argument", optopt);
	return cli_usage_error(command, "unknown option '-%c'", optopt);
}

int
cli_exit_code(enum mp_result result)
{
	switch (result) {
	case MP_OK:
		return CLI_EXIT_OK;
	case MP_MISMATCH:
	case MP_USER_UNKNOWN:
	case MP_DISABLED:
		return CLI_EXIT_REJECTED;
	case MP_MALFORMED:
	case MP_UNAVAILABLE:
	case MP_INTERNAL:
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_ERROR;
}

int
cli_report(enum mp_result result, const char *reason)
{
	int status = cli_exit_code(result);

	if (reason == NULL || *reason == '\0')
		reason = mp_result_name(result);
	if (status == CLI_EXIT_OK)
		puts("OK");
	else if (status == CLI_EXIT_REJECTED)
		cli_error("rejected: %s", reason);
	else
		cli_error("%s", reason);
	return status;
}

int
cli_report_store(struct mp_auth *auth, enum mp_result result, const char *reason)
{
	if (result != MP_UNAVAILABLE)
		return cli_report(result, reason);
	cli_error("%s: %s", cli_store_name(mp_auth_store(auth), mp_auth_conf(auth)),
		  reason != NULL && *reason != '\0' ? reason : mp_result_name(result));
	return cli_exit_code(result);
}

/* --- Reading passwords. */

static const char *
secret_word(enum cli_secret_kind kind)
{
	return kind == CLI_SECRET_APOP ? "APOP secret" : "password";
}

void
cli_secret_wipe(struct cli_secret *secret)
{
	mp_wipe(secret->buf, sizeof(secret->buf));
	secret->len = 0;
}

/* How reading one line of secret input ended. */
enum line_status {
	LINE_OK = 0,
	LINE_EOF,		/* end of input before any byte */
	LINE_TOO_LONG,
	LINE_NUL,
	LINE_IO_ERROR,		/* errno tells */
};

/*
 * read_line - one line from fd into secret, without its "\n" and then one
 * "\r".  Reads a byte at a time so that nothing after the line is consumed.
 * Over-long lines are refused, never cut short.  secret is wiped unless
 * LINE_OK is returned.
 */
static enum line_status
read_line(int fd, struct cli_secret *secret)
{
	enum line_status status = LINE_OK;
	size_t len = 0;
	bool any = false;
	ssize_t n;
	char c;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			status = LINE_IO_ERROR;
			goto fail;
		}
		if (n == 0)
			break;
		any = true;
		if (c == '\n')
			break;
		/* Room for MP_PASSWORD_MAX bytes and a '\r' to strip. */
		if (len == MP_PASSWORD_MAX + 1) {
			status = LINE_TOO_LONG;
			goto fail;
		}
		secret->buf[len++] = c;
	}
	if (!any) {
		status = LINE_EOF;
		goto fail;
	}
	if (len > 0 && secret->buf[len - 1] == '\r')
		len--;
	if (len > MP_PASSWORD_MAX) {
		status = LINE_TOO_LONG;
		goto fail;
	}
	if (memchr(secret->buf, '\0', len) != NULL) {
		status = LINE_NUL;
		goto fail;
	}
	secret->buf[len] = '\0';
	secret->len = len;
	return LINE_OK;
fail:
	cli_secret_wipe(secret);
	return status;
}

/* line_error - say why a line was refused; false unless status is LINE_OK. */
static bool
line_error(enum line_status status, enum cli_secret_kind kind, bool tty)
{
	int saved_errno = errno;

	switch (status) {
	case LINE_OK:
		return true;
	case LINE_EOF:
		cli_error("no %s %s", secret_word(kind), tty ? "given" : "on standard input");
		break;
	case LINE_TOO_LONG:
		cli_error("%s longer than %d bytes", secret_word(kind), MP_PASSWORD_MAX);
		break;
	case LINE_NUL:
		cli_error("%s contains a NUL byte", secret_word(kind));
		break;
	case LINE_IO_ERROR:
		cli_error("cannot read the %s: %s", secret_word(kind), strerror(saved_errno));
		break;
	}
	return false;
}

/* The terminal state to restore when a signal ends the program at a prompt. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define TTY_SIGNAL_COUNT (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void
tty_signal_handler(int sig)
{
	if (tty_echo_off)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * tty_read - prompt on stderr and read one line from the terminal without
 * echo.  Returns false after printing why on failure.
 */
static bool
tty_read(const char *prompt, struct cli_secret *secret, enum cli_secret_kind kind)
{
	struct sigaction action, old_actions[TTY_SIGNAL_COUNT];
	struct termios noecho;
	enum line_status status;

	cli_secret_wipe(secret);
	if (tcgetattr(STDIN_FILENO, &tty_saved) != 0) {
		cli_error("cannot read the terminal settings: %s", strerror(errno));
		return false;
	}
	memset(&action, 0, sizeof(action));
	action.sa_handler = tty_signal_handler;
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < TTY_SIGNAL_COUNT; i++)
		(void)sigaction(tty_signals[i], &action, &old_actions[i]);

	/* Echo goes off before the prompt shows, so nothing typed after it echoes. */
	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tty_echo_off = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) != 0) {
		tty_echo_off = 0;
		cli_error("cannot turn off the terminal echo: %s", strerror(errno));
		status = LINE_IO_ERROR;
		goto restore;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	status = read_line(STDIN_FILENO, secret);
	/* Drop the rest of a refused line so that the shell does not run it. */
	if (status != LINE_OK)
		(void)tcflush(STDIN_FILENO, TCIFLUSH);
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
	tty_echo_off = 0;
	fputc('\n', stderr);
	(void)line_error(status, kind, true);
restore:
	for (size_t i = 0; i < TTY_SIGNAL_COUNT; i++)
		(void)sigaction(tty_signals[i], &old_actions[i], NULL);
	return status == LINE_OK;
}

bool
cli_read_secret(struct cli_secret *secret, enum cli_secret_kind kind, bool confirm)
{
	struct cli_secret again;
	bool same;

	cli_secret_wipe(secret);
	if (!isatty(STDIN_FILENO))
		return line_error(read_line(STDIN_FILENO, secret), kind, false);

	if (!tty_read(kind == CLI_SECRET_APOP ? "APOP secret: " : "Password: ", secret, kind))
		return false;
	if (!confirm)
		return true;
	if (!tty_read(kind == CLI_SECRET_APOP ? "Retype APOP secret: " : "Retype password: ",
		      &again, kind)) {
		cli_secret_wipe(secret);
		return false;
	}
	same = mp_secret_equal(secret->buf, secret->len, again.buf, again.len);
	cli_secret_wipe(&again);
	if (!same) {
		cli_secret_wipe(secret);
		cli_error("the %ss do not match", secret_word(kind));
	}
	return same;
}

/* --- Configuration and store. */

/* conf_missing - true when the configuration file does not exist. */
static bool
conf_missing(const char *path)
{
	struct stat st;

	return stat(path, &st) != 0 && errno == ENOENT;
}

static bool
load_existing(const char *path, struct mp_conf *conf)
{
	char error[MP_ERROR_MAX];
	enum mp_result result;

	error[0] = '\0';
	result = mp_conf_load(conf, path, error, sizeof(error));
	if (result == MP_OK)
		return true;
	if (error[0] == '\0')
		cli_error("%s: %s", path, mp_result_name(result));
	else if (strstr(error, path) == NULL)
		cli_error("%s: %s", path, error);
	else
		cli_error("%s", error);
	return false;
}

bool
cli_load_conf_or_defaults(const struct cli_context *ctx, struct mp_conf *conf)
{
	if (conf_missing(ctx->conf_path)) {
		if (ctx->conf_path_given)
			cli_error("note: %s does not exist; using the built-in defaults",
				  ctx->conf_path);
		mp_conf_defaults(conf);
		return true;
	}
	return load_existing(ctx->conf_path, conf);
}

bool
cli_load_conf(const struct cli_context *ctx, struct mp_conf *conf)
{
	if (conf_missing(ctx->conf_path)) {
		cli_error("configuration file %s does not exist; create it (see "
			  "mailpass.conf(5)) or name another one with -c CONF", ctx->conf_path);
		return false;
	}
	return load_existing(ctx->conf_path, conf);
}

/*
 * open_auth - open a handle on conf, printing why not, or the warning that
 * comes with it (a store readable by others): the one place of both.
 */
static bool
open_auth(const struct cli_context *ctx, const struct mp_conf *conf, struct mp_auth **auth_r)
{
	char error[MP_ERROR_MAX];

	error[0] = '\0';
	if (mp_auth_open_conf(conf, auth_r, error, sizeof(error)) != MP_OK) {
		cli_error("%s: %s", ctx->conf_path, error[0] != '\0' ? error :
			  "cannot open the store");
		return false;
	}
	if (mp_auth_warning(*auth_r) != NULL)
		cli_error("warning: %s", mp_auth_warning(*auth_r));
	return true;
}

bool
cli_open_auth(const struct cli_context *ctx, struct mp_auth **auth_r)
{
	struct mp_conf conf;

	*auth_r = NULL;
	return cli_load_conf(ctx, &conf) && open_auth(ctx, &conf, auth_r);
}

bool
cli_open_store(const struct cli_context *ctx, struct mp_conf *conf, struct mp_auth **auth_r)
{
	struct mp_conf without_key;

	*auth_r = NULL;
	if (!cli_load_conf(ctx, conf))
		return false;
	without_key = *conf;
	without_key.apop_key[0] = '\0';
	return open_auth(ctx, &without_key, auth_r);
}

bool
cli_user_arg(const char *user)
{
	const char *reason = "";

	if (mp_user_name_check(user, strlen(user), &reason) == MP_OK)
		return true;
	cli_error("invalid user name: %s", reason);
	return false;
}

const char *
cli_store_name(const struct mp_store *store, const struct mp_conf *conf)
{
	const char *path = store != NULL ? mp_store_file_path(store) : NULL;

	return path != NULL ? path : conf->store;
}

/* --- Stored values. */

/* The limit as text, for static reasons: "1024". */
#define CLI_STRINGIFY(x) #x
#define CLI_STRING(x) CLI_STRINGIFY(x)

/*
 * cleartext_check - a value whose data is the password itself must hold a
 * password that a login can give: not empty, at most MP_PASSWORD_MAX
 * bytes, no NUL byte (mp_auth_verify() refuses any other before it looks
 * at the store).
 */
static enum mp_result
cleartext_check(const unsigned char *data, size_t len, const char **reason_r)
{
	if (len == 0) {
		*reason_r = "empty cleartext password";
		return MP_MALFORMED;
	}
	if (len > MP_PASSWORD_MAX) {
		*reason_r = "cleartext password longer than " CLI_STRING(MP_PASSWORD_MAX) " bytes";
		return MP_MALFORMED;
	}
	if (memchr(data, '\0', len) != NULL) {
		*reason_r = "cleartext password contains a NUL byte";
		return MP_MALFORMED;
	}
	return MP_OK;
}

enum mp_result
cli_stored_check(const char *stored, const char *user, const struct mp_verify_limits *limits,
		 const struct mp_scheme **scheme_r, const char **reason_r)
{
	struct mp_stored parsed;
	enum mp_result result;

	if (scheme_r != NULL)
		*scheme_r = NULL;
	result = mp_scheme_check(stored, user, limits, reason_r);
	if (result != MP_OK)
		return result;
	result = mp_stored_parse(stored, strlen(stored), &parsed, reason_r);
	if (result != MP_OK)
		return result;
	if (parsed.scheme->yields_cleartext)
		result = cleartext_check(parsed.data, parsed.data_len, reason_r);
	if (result == MP_OK && scheme_r != NULL)
		*scheme_r = parsed.scheme;
	mp_stored_clear(&parsed);
	return result;
}
