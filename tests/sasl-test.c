/*
 * sasl-test.c - the SASL plugin libmailpass.so through the real libsasl2.
 *
 * Every row of the tables below runs in a child process of its own, since
 * libsasl2 is initialised once per process: the child calls
 * sasl_server_init() with a callback table (SASL_CB_GETPATH naming the
 * plugin directory, SASL_CB_GETOPT answering from the row, SASL_CB_LOG
 * appending each line to a file), opens one connection with
 * sasl_server_new() and runs the row: a mechanism exchange through
 * sasl_server_start() and sasl_server_step(), sasl_checkapop(),
 * sasl_checkpass() or sasl_setpass(), after another such operation on the
 * same connection where the row names one.  The parent checks the SASL code,
 * SASL_USERNAME, the server's challenges, what was logged and, where it
 * matters, the store afterwards.  No plugin function is ever called
 * directly.  The last test searches everything logged for every password,
 * APOP secret and stored value used here.
 *
 * The rows "two plugins offering PLAIN" load Debian's libplain.so and
 * liblogin.so (libsasl2-modules) together with libmailpass.so, in the
 * configuration docs/postfix.md gives an administrator: SASL_PATH naming a
 * directory that holds only libmailpass.so first.
 *
 * Environment (tests/sasl.test sets it): MAILPASS_BIN, the mailpass
 * command (it makes the store); MAILPASS_SASL_PLUGIN_DIR, the directory of
 * the built plugin; MAILPASS_SYSTEM_SASL_DIR, the system's plugin directory
 * (may be empty); MAILPASS_REQUIRE_TOOLS=1 turns a skip into a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <sasl/sasl.h>

#include "code-names.h"
#include "cunit-run.h"
#include "fixture-files.h"
#include "fixture-secrets.h"
#include "fixture-text.h"
#include "sasl-callbacks.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The passwords of the store.  None of them may ever appear in the log. */
#define PW_ALICE "alice-Secret-1"
#define PW_CAROL "carol-Secret-3"
#define PW_DAVE "dave-Secret-4"
#define PW_ERIN "erin-Secret-5"
#define PW_GINA "gina-Secret-6"
#define PW_LEGACY "legacy-Secret-7"
#define PW_TWIN "twin-Secret-8"
#define PW_LONGUSER "longuser-Secret-9"
#define PW_FRANK "frank-Secret-10"
#define PW_WRONG "wrong-Secret-0"

/* RFC 1939, section 7: the APOP example. */
#define APOP_SECRET "tanstaaf"
#define APOP_TIMESTAMP "<1896.697170952@dbc.mtview.ca.us>"
#define APOP_DIGEST "c4c9334bac560ecc979e58001b3e22fb"

/* What sasl_server_new() is given, and the start of the plugin's outcome lines. */
#define SERVICE "pop"
#define REMOTE "192.0.2.7;4711"
#define OUTCOME(mech, user) "mailpass " mech ": service=" SERVICE " user=" user \
	" remote=" REMOTE ": "

/* The system directory's PLAIN as libsasl2 2.1.28 reports a wrong password. */
#define STOCK_PLAIN_FAILURE "Password verification failed"

/* A client message: bytes and length (NULs inside are part of it). */
struct message {
	const char *data;	/* NULL: no message */
	size_t len;
};
#define M(s) { (s), sizeof(s) - 1 }

enum op {
	OP_AUTH,		/* sasl_server_start/step with .mech and .client */
	OP_APOP,		/* sasl_checkapop(.challenge, .response) */
	OP_CHECKPASS,		/* sasl_checkpass(.user, .password) */
	OP_SETPASS,		/* sasl_setpass(.user, .password) */
};

/* Where libsasl2 looks for plugins. */
enum plugins {
	PLUGINS_BUILD,		/* SASL_CB_GETPATH: the build's plugin directory only */
	PLUGINS_OWN_FIRST,	/* SASL_PATH=own:mixed, as docs/postfix.md says */
	PLUGINS_SYSTEM_FIRST,	/* SASL_PATH=stock:own, the order it warns against */
};

struct sasl_case {
	const char *label;
	enum op op;
	enum plugins plugins;
	const char *mech;
	bool no_initial;		/* sasl_server_start without an initial response */
	struct message client[3];	/* the initial response, then one per step */
	const char *challenge, *response;	/* OP_APOP */
	const char *user, *password;	/* OP_CHECKPASS, OP_SETPASS */
	const char *conf;		/* mailpass_conf; NULL: the test's; @DIR@ expands */
	const char *pwcheck;		/* pwcheck_method; NULL: auxprop, libsasl2's default */
	const char *auxprop;		/* auxprop_plugin; NULL: mailpass */
	/*
	 * Run on the same connection before the row, as a POP3 server does
	 * when a client tries APOP and then AUTH; its code must be its want.
	 */
	const struct sasl_case *first;
	/* After a failed step, step on with the messages left (OP_AUTH). */
	bool step_on;
	int want;
	/*
	 * SASL_USERNAME afterwards; "": must be unset; NULL: not checked.  A
	 * refused message leaves it unset; a refused password without an
	 * authzid does not (the stock LOGIN does the same), so that an
	 * application can name the user of a failed login.
	 */
	const char *want_user;
	const char *want_challenges;	/* each challenge in [], e.g. "[Username:][Password:]" */
	const char *want_log[2];	/* each must be logged by this row */
	const char *unwant_log;		/* must not be logged by this row */
	const char *want_entry;		/* afterwards the user's store line starts so */
	const char *entry_user;
};

/* What a child reports about one row. */
struct outcome {
	int code;
	int first_code;		/* of the row's first operation */
	bool has_user;
	char user[512];
	char challenges[256];
	char mechs[256];	/* sasl_listmech() before the row */
	bool ran;		/* the child got as far as running the row */
};

static struct {
	char dir[256];
	char conf[300];
	char store[300];
	char log[300];
	char own_plugins[300];	/* a directory holding only libmailpass.so */
	char stock_plugins[300];	/* the system's plugins, without libmailpass.so */
	char mixed_plugins[300];	/* the same and a copy of the built libmailpass.so */
	const char *bin;
	const char *plugin_dir;
	const char *system_dir;	/* NULL when Debian's libplain.so is not there */
	char *entry_alice;	/* alice's store line as written */
	char long255[256];	/* a user name of 255 bytes */
	char long256[257];
	char pw1024[1025];	/* the password of user pwlong */
	char pw1025[1026];
	char pw2000[2001];
	struct mp_fixture_secrets secrets;
	bool require_tools;
	char row_conf[400];	/* the row's mailpass_conf, expanded */
} fx;

/* Outcome codes of a child that did not report one. */
#define CHILD_FAILED (-1000)

/* sasl_code_name - the code's name, for "got X, want Y". */
static const char *
sasl_code_name(int code)
{
	const char *name = mp_test_sasl_code_name(code);

	if (name != NULL)
		return name;
	return code == CHILD_FAILED ? "(no result: the child failed)" : "(unknown code)";
}

/* --- Small helpers. */

/*
 * expand - message with the tables' @TOKEN@s replaced, into a malloc'd
 * buffer (NULs inside are kept); its length in *len_r.
 */
static char *
expand(const char *data, size_t len, size_t *len_r)
{
	const struct mp_fixture_token tokens[] = {
		{ "@DIR@", fx.dir },
		{ "@U255@", fx.long255 },	{ "@U256@", fx.long256 },
		{ "@P1024@", fx.pw1024 },	{ "@P1025@", fx.pw1025 },
		{ "@P2000@", fx.pw2000 },
	};

	return mp_fixture_expand(data, len, tokens, N_ELEMENTS(tokens), len_r);
}

static char *
expand_str(const char *s)
{
	size_t len;

	return s == NULL ? NULL : expand(s, strlen(s), &len);
}

static bool
shell_safe(const char *s)
{
	return strchr(s, '\'') == NULL;
}

/* run_cli - "mailpass -c conf ARGS" with input on stdin; its first output line into out. */
static bool
run_cli(const char *conf, const char *args, const char *input, char *out, size_t out_size)
{
	char infile[320], cmd[1400], line[1024] = "";
	bool ok;
	FILE *p;

	snprintf(infile, sizeof(infile), "%s/input.tmp", fx.dir);
	if (!mp_fixture_write(infile, input, 0600))
		return false;
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' %s < '%s' 2>/dev/null", fx.bin, conf, args,
		 infile);
	p = popen(cmd, "r");
	if (p == NULL) {
		(void)unlink(infile);
		return false;
	}
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	ok = pclose(p) == 0;
	(void)unlink(infile);
	if (out != NULL)
		snprintf(out, out_size, "%s", line);
	if (!ok)
		fprintf(stderr, "\n  %s failed\n", cmd);
	return ok;
}

/* cli_hash - a stored value for password, made by the mailpass command, malloc'd. */
static char *
cli_hash(const char *password)
{
	char input[2100], line[1024];

	snprintf(input, sizeof(input), "%s\n", password);
	if (!run_cli(fx.conf, "hash", input, line, sizeof(line)) ||
	    strncmp(line, "{ARGON2ID}$argon2id$", 20) != 0)
		return NULL;
	return strdup(line);
}

/* --- The child: libsasl2 with the row's callbacks. */

static const char *
level_name(int level)
{
	static const char *const names[] = {
		"none", "err", "fail", "warn", "note", "debug", "trace", "pass",
	};

	return level >= 0 && (size_t)level < N_ELEMENTS(names) ? names[level] : "?";
}

/* cb_log - "level message" appended to the log file, one write per line. */
static int
cb_log(void *context, int level, const char *message)
{
	char *line = NULL;
	int fd, n;

	n = asprintf(&line, "%s %s\n", level_name(level), message != NULL ? message : "");
	if (n < 0)
		return SASL_NOMEM;
	fd = open(fx.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			n = -1;
		(void)close(fd);
	}
	free(line);
	return SASL_OK;
}

static void
add_challenge(struct outcome *out, const char *data, unsigned len)
{
	size_t used = strlen(out->challenges);

	snprintf(out->challenges + used, sizeof(out->challenges) - used, "[%.*s]", (int)len,
		 data != NULL ? data : "");
}

/* run_exchange - start, then one step per further client message while libsasl2 continues. */
static int
run_exchange(sasl_conn_t *conn, const struct sasl_case *row, struct outcome *out)
{
	const char *serverout = NULL;
	unsigned serveroutlen = 0;
	char *data[N_ELEMENTS(row->client)] = { NULL };
	size_t len[N_ELEMENTS(row->client)] = { 0 };
	size_t next = 0;
	int ret;

	for (size_t i = 0; i < N_ELEMENTS(row->client); i++) {
		if (row->client[i].data != NULL)
			data[i] = expand(row->client[i].data, row->client[i].len, &len[i]);
	}
	if (row->no_initial) {
		ret = sasl_server_start(conn, row->mech, NULL, 0, &serverout, &serveroutlen);
	} else {
		ret = sasl_server_start(conn, row->mech, data[0], (unsigned)len[0], &serverout,
					&serveroutlen);
		next = 1;
	}
	while (ret == SASL_CONTINUE || (row->step_on && ret != SASL_OK)) {
		if (ret == SASL_CONTINUE)
			add_challenge(out, serverout, serveroutlen);
		if (next >= N_ELEMENTS(data) || data[next] == NULL)
			break;	/* the row has no more to say: its last code counts */
		ret = sasl_server_step(conn, data[next], (unsigned)len[next], &serverout,
				       &serveroutlen);
		next++;
	}
	for (size_t i = 0; i < N_ELEMENTS(data); i++)
		free(data[i]);
	return ret;
}

/* run_op - runs in the child: the row's operation on conn; its SASL code. */
static int
run_op(sasl_conn_t *conn, const struct sasl_case *row, struct outcome *out)
{
	char *a = NULL, *b = NULL;
	int ret = CHILD_FAILED;

	switch (row->op) {
	case OP_AUTH:
		ret = run_exchange(conn, row, out);
		break;
	case OP_APOP:
		a = expand_str(row->challenge);
		b = expand_str(row->response);
		ret = sasl_checkapop(conn, a, (unsigned)strlen(a), b, (unsigned)strlen(b));
		break;
	case OP_CHECKPASS:
	case OP_SETPASS:
		a = expand_str(row->user);
		b = expand_str(row->password);
		if (row->op == OP_CHECKPASS)
			ret = sasl_checkpass(conn, a, (unsigned)strlen(a), b, (unsigned)strlen(b));
		else
			ret = sasl_setpass(conn, a, b, (unsigned)strlen(b), NULL, 0, 0);
		break;
	}
	free(a);
	free(b);
	return ret;
}

/*
 * child_run - runs in the child: the row (after its first operation, on the
 * same connection, with the row's options), its outcome written to fd.
 */
static void __attribute__((noreturn))
child_run(const struct sasl_case *row, int fd)
{
	struct outcome out = { .code = CHILD_FAILED };
	struct mp_test_sasl_server server = {
		.plugin_dir = fx.plugin_dir,
		/* An empty directory: no system-wide mailpass-test.conf is read. */
		.conf_dir = fx.dir,
		.mailpass_conf = row->conf != NULL ? fx.row_conf : fx.conf,
		.pwcheck_method = row->pwcheck != NULL ? row->pwcheck : "auxprop",
		.auxprop_plugin = row->auxprop,
		.log = cb_log,
	};
	char path[700];
	sasl_conn_t *conn = NULL;
	const void *user = NULL;
	int ret;

	alarm(60);
	switch (row->plugins) {
	case PLUGINS_BUILD:
		break;
	case PLUGINS_OWN_FIRST:
	case PLUGINS_SYSTEM_FIRST:
		if (row->plugins == PLUGINS_OWN_FIRST)
			snprintf(path, sizeof(path), "%s:%s", fx.own_plugins, fx.mixed_plugins);
		else
			snprintf(path, sizeof(path), "%s:%s", fx.stock_plugins, fx.own_plugins);
		if (setenv("SASL_PATH", path, 1) != 0)
			_exit(3);
		/* No SASL_CB_GETPATH: libsasl2 reads SASL_PATH, as in a real server. */
		server.plugin_dir = NULL;
		break;
	}
	ret = sasl_server_init(mp_test_sasl_callbacks(&server), "mailpass-test");
	if (ret == SASL_OK)
		ret = sasl_server_new(SERVICE, "mail.example.test", NULL, "192.0.2.1;110", REMOTE,
				      NULL, 0, &conn);
	if (ret != SASL_OK) {
		out.code = ret;
		goto report;
	}
	out.ran = true;
	{
		const char *list = NULL;

		if (sasl_listmech(conn, NULL, "", " ", "", &list, NULL, NULL) == SASL_OK &&
		    list != NULL)
			snprintf(out.mechs, sizeof(out.mechs), "%s", list);
	}
	if (row->first != NULL) {
		out.first_code = run_op(conn, row->first, &out);
		out.challenges[0] = '\0';	/* the row's own are compared */
	}
	out.code = run_op(conn, row, &out);
	if (sasl_getprop(conn, SASL_USERNAME, &user) == SASL_OK && user != NULL) {
		out.has_user = true;
		snprintf(out.user, sizeof(out.user), "%s", (const char *)user);
	}
	sasl_dispose(&conn);
	sasl_server_done();
report:
	if (write(fd, &out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(3);
	_exit(0);
}

/* run_row - the outcome of one row; code CHILD_FAILED when the child failed. */
static struct outcome
run_row(const struct sasl_case *row)
{
	struct outcome out = { .code = CHILD_FAILED };
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (row->conf != NULL) {
		char *conf = expand_str(row->conf);

		snprintf(fx.row_conf, sizeof(fx.row_conf), "%s", conf);
		free(conf);
	}
	fflush(NULL);
	if (pipe(fds) != 0)
		return out;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return out;
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(row, fds[1]);
	}
	close(fds[1]);
	n = read(fds[0], &out, sizeof(out));
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || n != (ssize_t)sizeof(out)) {
		out.code = CHILD_FAILED;
		if (WIFSIGNALED(status))
			fprintf(stderr, "\n  %s: the child died of signal %d\n", row->label,
				WTERMSIG(status));
	}
	return out;
}

/* check_row - run the row and compare; failures are printed as "got X, want Y". */
static void
check_row(const struct sasl_case *row)
{
	struct outcome out;
	off_t log_start = mp_fixture_size(fx.log);
	char *log, *want, *entry = NULL;
	bool ok = true;

	mp_fixture_secret_add(&fx.secrets, row->password);
	out = run_row(row);
	log = mp_fixture_read(fx.log, log_start);

	if (row->first != NULL && out.first_code != row->first->want) {
		fprintf(stderr, "\n  %s: the first operation got %s, want %s", row->label,
			sasl_code_name(out.first_code), sasl_code_name(row->first->want));
		ok = false;
	}
	if (out.code != row->want) {
		fprintf(stderr, "\n  %s: got %s, want %s", row->label, sasl_code_name(out.code),
			sasl_code_name(row->want));
		ok = false;
	}
	if (row->want_user != NULL) {
		want = expand_str(row->want_user);
		if (*want == '\0' && out.has_user) {
			fprintf(stderr, "\n  %s: SASL_USERNAME is \"%s\", want it unset", row->label,
				out.user);
			ok = false;
		} else if (*want != '\0' && (!out.has_user || strcmp(out.user, want) != 0)) {
			fprintf(stderr, "\n  %s: SASL_USERNAME is %s%.40s%s, want \"%.40s\"",
				row->label, out.has_user ? "\"" : "", out.has_user ? out.user : "unset",
				out.has_user ? "\"" : "", want);
			ok = false;
		}
		free(want);
	}
	if (row->want_challenges != NULL && strcmp(out.challenges, row->want_challenges) != 0) {
		fprintf(stderr, "\n  %s: challenges %s, want %s", row->label, out.challenges,
			row->want_challenges);
		ok = false;
	}
	for (size_t i = 0; i < N_ELEMENTS(row->want_log); i++) {
		if (row->want_log[i] == NULL)
			continue;
		want = expand_str(row->want_log[i]);
		if (strstr(log, want) == NULL) {
			fprintf(stderr, "\n  %s: not logged: %.120s", row->label, want);
			ok = false;
		}
		free(want);
	}
	if (row->unwant_log != NULL && strstr(log, row->unwant_log) != NULL) {
		fprintf(stderr, "\n  %s: logged, but must not be: %s", row->label, row->unwant_log);
		ok = false;
	}
	if (row->want_entry != NULL) {
		entry = mp_fixture_store_line(fx.store, row->entry_user);
		want = expand_str(row->want_entry);
		if (entry == NULL || strncmp(entry, want, strlen(want)) != 0) {
			fprintf(stderr, "\n  %s: the store line is %.80s, want it to start %.80s",
				row->label, entry != NULL ? entry : "(none)", want);
			ok = false;
		}
		free(want);
	}
	if (!ok)
		fprintf(stderr, "\n  %s: the row logged:\n%s", row->label, log);
	CU_ASSERT(ok);
	free(entry);
	free(log);
}

static void
check_rows(const struct sasl_case *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_row(&rows[i]);
}

/* --- The tables. */

/* PLAIN, RFC 4616: [authzid] NUL authcid NUL passwd. */
static const struct sasl_case plain_cases[] = {
	{ .label = "PLAIN right password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "note " OUTCOME("PLAIN", "alice") "OK (password accepted)" } },
	{ .label = "PLAIN without initial response", .op = OP_AUTH, .mech = "PLAIN",
	  .no_initial = true, .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_OK,
	  .want_user = "alice", .want_challenges = "[]" },
	{ .label = "PLAIN wrong password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_WRONG) }, .want = SASL_BADAUTH, .want_user = "alice",
	  .want_log = { "fail " OUTCOME("PLAIN", "alice") "MISMATCH" } },
	{ .label = "PLAIN unknown user", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0nobody\0" PW_ALICE) }, .want = SASL_NOUSER, .want_user = "nobody",
	  .want_log = { "fail " OUTCOME("PLAIN", "nobody") "USER_UNKNOWN" } },
	{ .label = "PLAIN the APOP secret is not the password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0" APOP_SECRET) }, .want = SASL_BADAUTH, .want_user = "alice" },
	{ .label = "PLAIN authzid equal to authcid", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("alice\0alice\0" PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "mailpass PLAIN: user=alice asks to act as alice" } },
	{ .label = "PLAIN authzid of another user refused by the proxy policy", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M("dave\0alice\0" PW_ALICE) }, .want = SASL_BADAUTH,
	  .want_log = { OUTCOME("PLAIN", "alice") "OK",
			"Requested identity not authenticated identity" } },
	{ .label = "PLAIN authzid with a wrong password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("dave\0alice\0" PW_WRONG) }, .want = SASL_BADAUTH, .want_user = "",
	  .unwant_log = "asks to act as" },
	{ .label = "PLAIN user names are canonicalised by libsasl2 first", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M("\0 alice \0" PW_ALICE) }, .want = SASL_OK,
	  .want_user = "alice", .want_log = { OUTCOME("PLAIN", "alice") "OK" } },
	{ .label = "PLAIN authzid of blanks: no authzid, the authcid's identity", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M("  \0alice\0" PW_ALICE) }, .want = SASL_OK,
	  .want_user = "alice",
	  .want_log = { "note mailpass PLAIN: the authzid is empty once canonicalised; "
			"user=alice acts as itself" } },
	{ .label = "PLAIN authzid of blanks with a wrong password", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M(" \0alice\0" PW_WRONG) }, .want = SASL_BADAUTH,
	  .want_user = "", .unwant_log = "asks to act as" },
	{ .label = "PLAIN, auxprop_plugin naming no loaded plugin", .op = OP_AUTH,
	  .mech = "PLAIN", .auxprop = "none-such", .client = { M("\0alice\0" PW_ALICE) },
	  .want = SASL_OK, .want_user = "alice",
	  .want_log = { "note " OUTCOME("PLAIN", "alice") "OK (password accepted)" } },
	{ .label = "PLAIN control character in the user name", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0ali\001ce\0" PW_ALICE) }, .want = SASL_BADAUTH,
	  .want_log = { OUTCOME("PLAIN", "ali\\x01ce") "MALFORMED" } },
	{ .label = "PLAIN 255-byte user name", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0@U255@\0" PW_LONGUSER) }, .want = SASL_OK, .want_user = "@U255@" },
	{ .label = "PLAIN 255-byte authzid equal to the 255-byte authcid", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M("@U255@\0@U255@\0" PW_LONGUSER) }, .want = SASL_OK,
	  .want_user = "@U255@" },
	{ .label = "PLAIN 1024-byte password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0pwlong\0@P1024@") }, .want = SASL_OK, .want_user = "pwlong" },
	{ .label = "PLAIN disabled account, right password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0erin\0" PW_ERIN) }, .want = SASL_DISABLED, .want_user = "erin",
	  .want_log = { "fail " OUTCOME("PLAIN", "erin") "DISABLED" } },
	{ .label = "PLAIN disabled account, wrong password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0erin\0" PW_WRONG) }, .want = SASL_BADAUTH, .want_user = "erin" },
	{ .label = "PLAIN locked account, right password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0gina\0" PW_GINA) }, .want = SASL_DISABLED, .want_user = "gina" },
	{ .label = "PLAIN user listed twice", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0twin\0" PW_TWIN) }, .want = SASL_BADAUTH, .want_user = "twin",
	  .want_log = { OUTCOME("PLAIN", "twin") "MALFORMED" } },
	{ .label = "PLAIN stored bcrypt cost above bcrypt_max_cost: refused, logged",
	  .op = OP_AUTH, .mech = "PLAIN", .client = { M("\0judy\0" PW_WRONG) },
	  .want = SASL_BADAUTH, .want_user = "judy",
	  .want_log = { "fail " OUTCOME("PLAIN", "judy")
			"MALFORMED (bcrypt cost above bcrypt_max_cost; not computed)" } },
	{ .label = "PLAIN weak stored value: login, then rehashed", .op = OP_AUTH,
	  .mech = "PLAIN", .client = { M("\0legacy\0" PW_LEGACY) }, .want = SASL_OK,
	  .want_user = "legacy",
	  .want_log = { "mailpass PLAIN: rehash for user=legacy: rehashed" },
	  .entry_user = "legacy",
	  .want_entry = "legacy:{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$" },
	{ .label = "PLAIN after the rehash", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0legacy\0" PW_LEGACY) }, .want = SASL_OK, .want_user = "legacy",
	  .unwant_log = "rehash" },
	{ .label = "PLAIN configuration missing", .op = OP_AUTH, .mech = "PLAIN",
	  .conf = "@DIR@/absent.conf", .client = { M("\0alice\0" PW_ALICE) },
	  .want = SASL_UNAVAIL, .want_user = "alice",
	  .want_log = { "err mailpass PLAIN: cannot use @DIR@/absent.conf",
			"err " OUTCOME("PLAIN", "alice") "UNAVAILABLE" } },
	{ .label = "PLAIN, group-writable store: refused, the log names the file and the fix",
	  .op = OP_AUTH, .mech = "PLAIN", .conf = "@DIR@/writable.conf",
	  .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_UNAVAIL, .want_user = "alice",
	  .want_log = { "err mailpass PLAIN: cannot use @DIR@/writable.conf: store file "
			"@DIR@/perm/writable is writable by group (mode 0660); run: chmod 0640 "
			"@DIR@/perm/writable\n",
			"err " OUTCOME("PLAIN", "alice") "UNAVAILABLE" } },
	{ .label = "PLAIN, store readable by others: accepted, with a warning", .op = OP_AUTH,
	  .mech = "PLAIN", .conf = "@DIR@/readable.conf", .client = { M("\0alice\0" PW_ALICE) },
	  .want = SASL_OK, .want_user = "alice",
	  .want_log = { "warn mailpass PLAIN: store file @DIR@/perm/readable is readable by "
			"others (mode 0644); run: chmod 0640 @DIR@/perm/readable\n",
			"note " OUTCOME("PLAIN", "alice") "OK (password accepted)" } },

	/* Malformed messages. */
	{ .label = "PLAIN no NUL", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("alice" PW_ALICE) }, .want = SASL_BADPROT, .want_user = "",
	  .want_log = { "fail mailpass PLAIN: message refused: malformed message "
			"(0 NUL bytes, RFC 4616 wants 2)" } },
	{ .label = "PLAIN one NUL", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("alice\0" PW_ALICE) }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "PLAIN three NULs", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_ALICE "\0") }, .want = SASL_BADPROT, .want_user = "",
	  .want_log = { "(3 NUL bytes, RFC 4616 wants 2)" } },
	{ .label = "PLAIN NUL inside the password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0alice-\0Secret-1") }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "PLAIN empty message", .op = OP_AUTH, .mech = "PLAIN", .no_initial = true,
	  .client = { { "", 0 } }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "PLAIN only NULs", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0\0\0\0") }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "PLAIN empty password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0") }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: empty password" } },
	{ .label = "PLAIN empty authcid", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0\0" PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: empty authentication identity" } },
	{ .label = "PLAIN two NULs, nothing else", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0\0") }, .want = SASL_BADPARAM, .want_user = "" },
	{ .label = "PLAIN authcid of blanks", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0   \0" PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "fail mailpass PLAIN: message refused: empty authentication identity "
			"once canonicalised" },
	  .unwant_log = "mailpass PLAIN: service=" },
	{ .label = "PLAIN authcid of blanks with an authzid", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("alice\0 \t \0" PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: empty authentication identity once canonicalised" },
	  .unwant_log = "mailpass PLAIN: service=" },
	{ .label = "PLAIN 256-byte user name", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0@U256@\0" PW_LONGUSER) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "authentication identity longer than 255 bytes" } },
	{ .label = "PLAIN 256-byte authzid", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("@U256@\0alice\0" PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "authorization identity longer than 255 bytes" } },
	{ .label = "PLAIN 1025-byte password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0pwlong\0@P1025@") }, .want = SASL_BADPARAM, .want_user = "" },
	{ .label = "PLAIN 2000-byte password", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0@P2000@") }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: password longer than 1024 bytes" } },
};

/* LOGIN: "Username:", then "Password:"; the user name may come as the initial response. */
static const struct sasl_case login_cases[] = {
	{ .label = "LOGIN right password", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	  .client = { M("alice"), M(PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_challenges = "[Username:][Password:]",
	  .want_log = { "note " OUTCOME("LOGIN", "alice") "OK (password accepted)" } },
	{ .label = "LOGIN user name as initial response", .op = OP_AUTH, .mech = "LOGIN",
	  .client = { M("alice"), M(PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_challenges = "[Password:]" },
	{ .label = "LOGIN empty initial response", .op = OP_AUTH, .mech = "LOGIN",
	  .client = { { "", 0 }, M("alice"), M(PW_ALICE) }, .want = SASL_OK,
	  .want_user = "alice", .want_challenges = "[Username:][Password:]" },
	{ .label = "LOGIN wrong password", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	  .client = { M("alice"), M(PW_WRONG) }, .want = SASL_BADAUTH, .want_user = "alice",
	  .want_log = { "fail " OUTCOME("LOGIN", "alice") "MISMATCH" } },
	{ .label = "LOGIN unknown user", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	  .client = { M("nobody"), M(PW_ALICE) }, .want = SASL_NOUSER, .want_user = "nobody" },
	{ .label = "LOGIN disabled account, right password", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("erin"), M(PW_ERIN) }, .want = SASL_DISABLED,
	  .want_user = "erin" },
	{ .label = "LOGIN 255-byte user name", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("@U255@"), M(PW_LONGUSER) }, .want = SASL_OK,
	  .want_user = "@U255@" },
	{ .label = "LOGIN 1024-byte password", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("pwlong"), M("@P1024@") }, .want = SASL_OK,
	  .want_user = "pwlong" },
	{ .label = "LOGIN NUL inside the user name", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("ali\0ce"), M(PW_ALICE) }, .want = SASL_BADPROT,
	  .want_user = "", .want_challenges = "[Username:]",
	  .want_log = { "fail mailpass LOGIN: message refused: user name contains a NUL byte" } },
	{ .label = "LOGIN NUL inside the initial response", .op = OP_AUTH, .mech = "LOGIN",
	  .client = { M("alice\0"), M(PW_ALICE) }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "LOGIN NUL inside the password", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("alice"), M("alice-\0Secret-1") },
	  .want = SASL_BADPROT, .want_user = "",
	  .want_log = { "message refused: password contains a NUL byte" } },
	{ .label = "LOGIN empty user name", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	  .client = { { "", 0 }, M(PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: empty user name" } },
	{ .label = "LOGIN empty password", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	  .client = { M("alice"), { "", 0 } }, .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: empty password" } },
	{ .label = "LOGIN user name of blanks", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("   "), M(PW_ALICE) }, .want = SASL_BADPARAM,
	  .want_user = "", .want_challenges = "[Username:][Password:]",
	  .want_log = { "fail mailpass LOGIN: message refused: empty user name once "
			"canonicalised" },
	  .unwant_log = "mailpass LOGIN: service=" },
	/* libsasl2 disposes of the exchange after a failed step, and steps on if asked. */
	{ .label = "LOGIN step after a refused user name: SASL_BADPROT", .op = OP_AUTH,
	  .mech = "LOGIN", .no_initial = true, .step_on = true,
	  .client = { { "", 0 }, M("alice"), M(PW_ALICE) }, .want = SASL_BADPROT,
	  .want_user = "",
	  .want_log = { "message refused: empty user name",
			"fail mailpass LOGIN: step after a failed step" } },
	{ .label = "LOGIN step after a wrong password: SASL_BADPROT", .op = OP_AUTH,
	  .mech = "LOGIN", .no_initial = true, .step_on = true,
	  .client = { M("alice"), M(PW_WRONG), M(PW_ALICE) }, .want = SASL_BADPROT,
	  .want_log = { "fail " OUTCOME("LOGIN", "alice") "MISMATCH",
			"fail mailpass LOGIN: step after a failed step" },
	  .unwant_log = "password accepted" },
	{ .label = "LOGIN 256-byte user name", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("@U256@"), M(PW_LONGUSER) },
	  .want = SASL_BADPARAM, .want_user = "",
	  .want_log = { "message refused: user name longer than 255 bytes" } },
	{ .label = "LOGIN 2000-byte password", .op = OP_AUTH, .mech = "LOGIN",
	  .no_initial = true, .client = { M("alice"), M("@P2000@") }, .want = SASL_BADPARAM,
	  .want_user = "", .want_log = { "message refused: password longer than 1024 bytes" } },
};

/*
 * APOP through sasl_checkapop(): libsasl2 computes the digest from the
 * userPassword the auxprop plugin "mailpass" gives, the user's APOP secret.
 */
static const struct sasl_case apop_cases[] = {
	{ .label = "APOP RFC 1939 vector, cleartext secret", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "alice " APOP_DIGEST, .want = SASL_OK,
	  .want_user = "alice",
	  .want_log = { "note mailpass auxprop: user=alice: APOP secret given as userPassword" } },
	{ .label = "APOP RFC 1939 vector, sealed secret", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "carol " APOP_DIGEST, .want = SASL_OK,
	  .want_user = "carol" },
	{ .label = "APOP wrong digest", .op = OP_APOP, .challenge = APOP_TIMESTAMP,
	  .response = "alice c4c9334bac560ecc979e58001b3e22fc", .want = SASL_BADAUTH },
	{ .label = "APOP other timestamp", .op = OP_APOP,
	  .challenge = "<1897.697170952@dbc.mtview.ca.us>", .response = "alice " APOP_DIGEST,
	  .want = SASL_BADAUTH },
	{ .label = "APOP sealed secret, wrong digest", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "carol 00000000000000000000000000000000",
	  .want = SASL_BADAUTH },
	{ .label = "APOP user without an APOP secret", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "dave " APOP_DIGEST, .want = SASL_NOUSER,
	  .want_log = { "mailpass auxprop: user=dave: no userPassword (no APOP secret for this user)" } },
	{ .label = "APOP unknown user", .op = OP_APOP, .challenge = APOP_TIMESTAMP,
	  .response = "nobody " APOP_DIGEST, .want = SASL_NOUSER,
	  .want_log = { "mailpass auxprop: user=nobody: no userPassword: USER_UNKNOWN" } },
	{ .label = "APOP disabled account with a secret", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "erin " APOP_DIGEST, .want = SASL_NOUSER,
	  .want_log = { "mailpass auxprop: user=erin: no userPassword" } },
	{ .label = "APOP sealed secret without apop_key", .op = OP_APOP,
	  .conf = "@DIR@/nokey.conf", .challenge = APOP_TIMESTAMP,
	  .response = "carol " APOP_DIGEST, .want = SASL_UNAVAIL,
	  .want_log = { "err mailpass auxprop: user=carol: no userPassword: UNAVAILABLE" } },
	{ .label = "APOP cleartext secret without apop_key", .op = OP_APOP,
	  .conf = "@DIR@/nokey.conf", .challenge = APOP_TIMESTAMP,
	  .response = "alice " APOP_DIGEST, .want = SASL_OK, .want_user = "alice" },
	{ .label = "APOP configuration missing", .op = OP_APOP, .conf = "@DIR@/absent.conf",
	  .challenge = APOP_TIMESTAMP, .response = "alice " APOP_DIGEST, .want = SASL_UNAVAIL },
	{ .label = "APOP, group-writable store: refused", .op = OP_APOP,
	  .conf = "@DIR@/writable.conf", .challenge = APOP_TIMESTAMP,
	  .response = "alice " APOP_DIGEST, .want = SASL_UNAVAIL,
	  .want_log = { "err mailpass auxprop: cannot use @DIR@/writable.conf: store file "
			"@DIR@/perm/writable is writable by group (mode 0660); run: chmod 0640 "
			"@DIR@/perm/writable\n" },
	  .unwant_log = "APOP secret given" },
	{ .label = "APOP, store readable by others: served, with a warning", .op = OP_APOP,
	  .conf = "@DIR@/readable.conf", .challenge = APOP_TIMESTAMP,
	  .response = "alice " APOP_DIGEST, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "warn mailpass auxprop: store file @DIR@/perm/readable is readable by "
			"others (mode 0644); run: chmod 0640 @DIR@/perm/readable\n",
			"note mailpass auxprop: user=alice: APOP secret given as userPassword" } },
	/* libsasl2 itself wants the lower-case digest RFC 1939 specifies. */
	{ .label = "APOP upper-case digest (libsasl2 refuses)", .op = OP_APOP,
	  .challenge = APOP_TIMESTAMP, .response = "alice C4C9334BAC560ECC979E58001B3E22FB",
	  .want = SASL_BADPROT },
};

/*
 * What the auxprop plugin means for sasl_checkpass() with pwcheck_method
 * auxprop: libsasl2 compares the password with userPassword, which this
 * plugin fills with the APOP secret only.  So the login password never
 * passes that way (the login hash is never served), and the APOP secret
 * does: docs/postfix.md tells administrators never to combine the two.
 */
static const struct sasl_case checkpass_cases[] = {
	{ .label = "sasl_checkpass auxprop: the login password is refused",
	  .op = OP_CHECKPASS, .pwcheck = "auxprop", .user = "alice", .password = PW_ALICE,
	  .want = SASL_BADAUTH },
	{ .label = "sasl_checkpass auxprop: the APOP secret passes", .op = OP_CHECKPASS,
	  .pwcheck = "auxprop", .user = "alice", .password = APOP_SECRET, .want = SASL_OK },
	{ .label = "sasl_checkpass auxprop: no APOP secret, no password", .op = OP_CHECKPASS,
	  .pwcheck = "auxprop", .user = "dave", .password = PW_DAVE, .want = SASL_NOUSER },
	{ .label = "sasl_checkpass auxprop: unknown user", .op = OP_CHECKPASS,
	  .pwcheck = "auxprop", .user = "nobody", .password = PW_ALICE, .want = SASL_NOUSER },
};

/* The plugin is read-only: sasl_setpass() must not change the store. */
static const struct sasl_case setpass_cases[] = {
	{ .label = "sasl_setpass does not write through the plugin", .op = OP_SETPASS,
	  .user = "alice", .password = "changed-Secret-1", .want = SASL_OK,
	  .want_log = { "no writable auxprop plugin" }, .unwant_log = "setpass succeeded",
	  .entry_user = "alice", .want_entry = NULL /* alice's line as written, at run time */ },
	{ .label = "the old password still works", .op = OP_AUTH, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_OK, .want_user = "alice" },
};

/*
 * One connection, two operations: the first operations, then the rows.
 * sasl_checkapop() requests userPassword on the connection and never
 * withdraws the request, and Cyrus pop3d keeps the connection after a
 * failed APOP; an AUTH that follows is decided by the core all the same,
 * without the APOP secret (docs/cyrus.md).  And no name of an earlier
 * exchange stands for a later one that names none.
 */
static const struct sasl_case apop_wrong_digest = {
	.label = "APOP with a wrong digest", .op = OP_APOP, .challenge = APOP_TIMESTAMP,
	.response = "alice 00000000000000000000000000000000", .want = SASL_BADAUTH,
};
static const struct sasl_case apop_unknown_user = {
	.label = "APOP of an unknown user", .op = OP_APOP, .challenge = APOP_TIMESTAMP,
	.response = "nobody " APOP_DIGEST, .want = SASL_NOUSER,
};
static const struct sasl_case apop_unusable_secret = {
	.label = "APOP with an unusable secret", .op = OP_APOP, .challenge = APOP_TIMESTAMP,
	.response = "frank " APOP_DIGEST, .want = SASL_BADAUTH,
};
/* With nokey.conf, the row's. */
static const struct sasl_case apop_sealed_without_key = {
	.label = "APOP with a sealed secret, no apop_key", .op = OP_APOP,
	.challenge = APOP_TIMESTAMP, .response = "carol " APOP_DIGEST, .want = SASL_UNAVAIL,
};
static const struct sasl_case plain_wrong_password = {
	.label = "PLAIN wrong password", .op = OP_AUTH, .mech = "PLAIN",
	.client = { M("\0alice\0" PW_WRONG) }, .want = SASL_BADAUTH,
};
static const struct sasl_case login_wrong_password = {
	.label = "LOGIN wrong password", .op = OP_AUTH, .mech = "LOGIN", .no_initial = true,
	.client = { M("alice"), M(PW_WRONG) }, .want = SASL_BADAUTH,
};

static const struct sasl_case same_connection_cases[] = {
	{ .label = "APOP failed, then PLAIN unknown user: the core decides", .op = OP_AUTH,
	  .first = &apop_wrong_digest, .mech = "PLAIN", .client = { M("\0nobody\0" PW_WRONG) },
	  .want = SASL_NOUSER, .want_user = "nobody",
	  .want_log = { "fail " OUTCOME("PLAIN", "nobody") "USER_UNKNOWN" } },
	{ .label = "APOP failed, then LOGIN unknown user: the core decides", .op = OP_AUTH,
	  .first = &apop_wrong_digest, .mech = "LOGIN", .no_initial = true,
	  .client = { M("nobody"), M(PW_WRONG) }, .want = SASL_NOUSER, .want_user = "nobody",
	  .want_log = { "fail " OUTCOME("LOGIN", "nobody") "USER_UNKNOWN" } },
	{ .label = "APOP failed, then PLAIN right password: no APOP secret served",
	  .op = OP_AUTH, .first = &apop_unknown_user, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "note " OUTCOME("PLAIN", "alice") "OK" },
	  .unwant_log = "APOP secret given" },
	{ .label = "APOP failed, then LOGIN right password: no APOP secret served",
	  .op = OP_AUTH, .first = &apop_unknown_user, .mech = "LOGIN", .no_initial = true,
	  .client = { M("alice"), M(PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "note " OUTCOME("LOGIN", "alice") "OK" },
	  .unwant_log = "APOP secret given" },
	{ .label = "APOP with an unusable secret, then PLAIN right password", .op = OP_AUTH,
	  .first = &apop_unusable_secret, .mech = "PLAIN",
	  .client = { M("\0frank\0" PW_FRANK) }, .want = SASL_OK, .want_user = "frank",
	  .want_log = { "note " OUTCOME("PLAIN", "frank") "OK" } },
	{ .label = "APOP with an unusable secret, then LOGIN right password", .op = OP_AUTH,
	  .first = &apop_unusable_secret, .mech = "LOGIN", .no_initial = true,
	  .client = { M("frank"), M(PW_FRANK) }, .want = SASL_OK, .want_user = "frank",
	  .want_log = { "note " OUTCOME("LOGIN", "frank") "OK" } },
	{ .label = "APOP with a sealed secret and no apop_key, then PLAIN right password",
	  .op = OP_AUTH, .conf = "@DIR@/nokey.conf", .first = &apop_sealed_without_key,
	  .mech = "PLAIN", .client = { M("\0carol\0" PW_CAROL) }, .want = SASL_OK,
	  .want_user = "carol", .want_log = { "note " OUTCOME("PLAIN", "carol") "OK" } },
	{ .label = "APOP with a sealed secret and no apop_key, then LOGIN right password",
	  .op = OP_AUTH, .conf = "@DIR@/nokey.conf", .first = &apop_sealed_without_key,
	  .mech = "LOGIN", .no_initial = true, .client = { M("carol"), M(PW_CAROL) },
	  .want = SASL_OK, .want_user = "carol",
	  .want_log = { "note " OUTCOME("LOGIN", "carol") "OK" } },
	{ .label = "PLAIN failed, then APOP: the secret is served", .op = OP_APOP,
	  .first = &plain_wrong_password, .challenge = APOP_TIMESTAMP,
	  .response = "alice " APOP_DIGEST, .want = SASL_OK, .want_user = "alice",
	  .want_log = { "note mailpass auxprop: user=alice: APOP secret given as userPassword" } },
	{ .label = "PLAIN wrong password, then a malformed PLAIN: SASL_USERNAME unset",
	  .op = OP_AUTH, .first = &plain_wrong_password, .mech = "PLAIN",
	  .client = { M("alice" PW_ALICE) }, .want = SASL_BADPROT, .want_user = "" },
	{ .label = "LOGIN wrong password, then LOGIN empty user name: SASL_USERNAME unset",
	  .op = OP_AUTH, .first = &login_wrong_password, .mech = "LOGIN", .no_initial = true,
	  .client = { { "", 0 }, M(PW_ALICE) }, .want = SASL_BADPARAM, .want_user = "" },
};

/*
 * Two plugins offering PLAIN and LOGIN.  The "mixed" directory is the
 * system's plugin directory after "make install": Debian's libplain.so and
 * liblogin.so (with every other plugin of libsasl2-modules) beside a copy of
 * libmailpass.so.  In one directory, which PLAIN libsasl2 uses depends on
 * the order readdir() returns the files in.  The configuration of
 * docs/postfix.md names a directory holding only libmailpass.so first in
 * SASL_PATH; libsasl2 keeps the first of two equally strong mechanisms of
 * one name, so mailpass's are used whatever that order.
 *
 * With pwcheck_method auxprop and this plugin's auxprop, the stock PLAIN
 * accepts the APOP secret and refuses the login password; mailpass's PLAIN
 * does the opposite, so each row tells which one ran.  The rows with the
 * system directory first show that the order is what decides.
 */
static const struct sasl_case two_plugin_cases[] = {
	{ .label = "own directory first: PLAIN is mailpass's", .op = OP_AUTH,
	  .plugins = PLUGINS_OWN_FIRST, .mech = "PLAIN", .client = { M("\0alice\0" PW_ALICE) },
	  .want = SASL_OK, .want_user = "alice",
	  .want_log = { OUTCOME("PLAIN", "alice") "OK" } },
	{ .label = "own directory first: PLAIN refuses the APOP secret", .op = OP_AUTH,
	  .plugins = PLUGINS_OWN_FIRST, .mech = "PLAIN",
	  .client = { M("\0alice\0" APOP_SECRET) }, .want = SASL_BADAUTH,
	  .want_log = { OUTCOME("PLAIN", "alice") "MISMATCH" } },
	{ .label = "own directory first: LOGIN is mailpass's", .op = OP_AUTH,
	  .plugins = PLUGINS_OWN_FIRST, .mech = "LOGIN", .no_initial = true,
	  .client = { M("alice"), M(PW_ALICE) }, .want = SASL_OK, .want_user = "alice",
	  .want_log = { OUTCOME("LOGIN", "alice") "OK" } },
	{ .label = "own directory first: APOP through the auxprop", .op = OP_APOP,
	  .plugins = PLUGINS_OWN_FIRST, .challenge = APOP_TIMESTAMP,
	  .response = "carol " APOP_DIGEST, .want = SASL_OK, .want_user = "carol" },
	{ .label = "system directory first: PLAIN is the stock one", .op = OP_AUTH,
	  .plugins = PLUGINS_SYSTEM_FIRST, .mech = "PLAIN",
	  .client = { M("\0alice\0" PW_ALICE) }, .want = SASL_BADAUTH,
	  .want_log = { STOCK_PLAIN_FAILURE }, .unwant_log = "mailpass PLAIN" },
	{ .label = "system directory first: the stock PLAIN takes the APOP secret",
	  .op = OP_AUTH, .plugins = PLUGINS_SYSTEM_FIRST, .mech = "PLAIN",
	  .client = { M("\0alice\0" APOP_SECRET) }, .want = SASL_OK, .want_user = "alice",
	  .unwant_log = "mailpass PLAIN" },
};

/* --- Tests. */

static void
test_plain(void)
{
	check_rows(plain_cases, N_ELEMENTS(plain_cases));
}

static void
test_login(void)
{
	check_rows(login_cases, N_ELEMENTS(login_cases));
}

static void
test_apop(void)
{
	check_rows(apop_cases, N_ELEMENTS(apop_cases));
}

static void
test_checkpass(void)
{
	check_rows(checkpass_cases, N_ELEMENTS(checkpass_cases));
}

static void
test_setpass(void)
{
	struct sasl_case rows[N_ELEMENTS(setpass_cases)];

	memcpy(rows, setpass_cases, sizeof(rows));
	rows[0].want_entry = fx.entry_alice;
	check_rows(rows, N_ELEMENTS(rows));
}

static void
test_same_connection(void)
{
	check_rows(same_connection_cases, N_ELEMENTS(same_connection_cases));
}

static void
test_two_plugins(void)
{
	if (fx.system_dir == NULL) {
		printf("\n  skipped: no libplain.so in the system's plugin directory "
		       "(apt-get install libsasl2-modules)\n");
		CU_ASSERT(!fx.require_tools);
		return;
	}
	check_rows(two_plugin_cases, N_ELEMENTS(two_plugin_cases));
}

/* The plugin loads from the build's directory and offers both mechanisms. */
static void
test_listmech(void)
{
	static const struct sasl_case row = { .label = "an unknown mechanism", .op = OP_AUTH,
					      .mech = "NO-SUCH-MECH", .want = SASL_NOMECH };
	struct outcome out = run_row(&row);

	CU_ASSERT(out.ran);
	CU_ASSERT_EQUAL(out.code, SASL_NOMECH);
	if (strcmp(out.mechs, "PLAIN LOGIN") != 0)
		fprintf(stderr, "\n  sasl_listmech: got \"%s\", want \"PLAIN LOGIN\"", out.mechs);
	CU_ASSERT_STRING_EQUAL(out.mechs, "PLAIN LOGIN");
}

/* no_secret_logged - every password, APOP secret and stored value used here is absent from the log. */
static void
test_no_secret_logged(void)
{
	mp_fixture_check_log(&fx.secrets, fx.log, "mailpass ", 40, "the plugin");
}

/* --- Fixture. */

static bool
write_conf(const char *name, const char *extra)
{
	char path[400], *text = NULL;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", fx.dir, name);
	if (asprintf(&text, "# the sasl-test configuration\nstore = file:%s\n"
		     "argon2_opslimit = 1\nargon2_memlimit = 8M\n%s", fx.store, extra) < 0)
		return false;
	ok = mp_fixture_write(path, text, 0644);
	free(text);
	return ok;
}

/*
 * write_unsafe_stores - alice's record in perm/writable (mode 0660) and
 * perm/readable (mode 0644), with a configuration for each.
 */
static bool
write_unsafe_stores(void)
{
	static const struct {
		const char *name;
		mode_t mode;
	} stores[] = { { "writable", 0660 }, { "readable", 0644 } };
	char path[400], *text = NULL;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/perm", fx.dir);
	if (mkdir(path, 0755) != 0 || chmod(path, 0755) != 0 ||
	    asprintf(&text, "%s\n", fx.entry_alice) < 0)
		return false;
	for (size_t i = 0; i < N_ELEMENTS(stores) && ok; i++) {
		char conf[600];

		snprintf(path, sizeof(path), "%s/perm/%s", fx.dir, stores[i].name);
		ok = mp_fixture_write(path, text, stores[i].mode);
		snprintf(conf, sizeof(conf), "store = file:%s\nargon2_opslimit = 1\n"
			 "argon2_memlimit = 8M\n", path);
		snprintf(path, sizeof(path), "%s/%s.conf", fx.dir, stores[i].name);
		ok = ok && mp_fixture_write(path, conf, 0644);
	}
	free(text);
	return ok;
}

/* copy_file - from to to, mode 0755. */
static bool
copy_file(const char *from, const char *to)
{
	char buf[8192];
	ssize_t n = 0;
	bool ok = true;
	int in, out;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return false;
	}
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (n < 0)
		ok = false;
	close(in);
	if (close(out) != 0)
		ok = false;
	return ok;
}

/*
 * link_stock_plugins - a directory at path with a link to each plugin of the
 * system's plugin directory, except any installed libmailpass.so.
 */
static bool
link_stock_plugins(const char *path)
{
	char from[700], to[700];
	struct dirent *d;
	DIR *dir;
	bool ok = true;

	if (mkdir(path, 0755) != 0)
		return false;
	dir = opendir(fx.system_dir);
	if (dir == NULL)
		return false;
	while (ok && (d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len < 4 || strcmp(d->d_name + len - 3, ".so") != 0 ||
		    strncmp(d->d_name, "libmailpass.", 12) == 0)
			continue;
		snprintf(from, sizeof(from), "%s/%s", fx.system_dir, d->d_name);
		snprintf(to, sizeof(to), "%s/%s", path, d->d_name);
		ok = symlink(from, to) == 0;
	}
	closedir(dir);
	return ok;
}

/*
 * make_plugin_dirs - the stock directory (Debian's plugins alone), and the
 * mixed one, the system's directory as "make install" leaves it: Debian's
 * plugins and a copy of the built one.
 */
static bool
make_plugin_dirs(const char *built)
{
	char to[700];

	snprintf(fx.stock_plugins, sizeof(fx.stock_plugins), "%s/stock", fx.dir);
	snprintf(fx.mixed_plugins, sizeof(fx.mixed_plugins), "%s/mixed", fx.dir);
	snprintf(to, sizeof(to), "%s/libmailpass.so", fx.mixed_plugins);
	return link_stock_plugins(fx.stock_plugins) && link_stock_plugins(fx.mixed_plugins) &&
	       copy_file(built, to);
}

static int
suite_init(void)
{
	char path[700], key_line[400], input[2100];
	char *hash[9] = { NULL };
	const char *pw[] = { PW_ALICE, PW_CAROL, PW_DAVE, PW_ERIN, PW_GINA, PW_TWIN,
			     PW_LONGUSER, fx.pw1024, PW_FRANK };
	FILE *f;
	char *text = NULL;
	size_t text_len = 0;

	if (!mp_fixture_make_dir(fx.dir, sizeof(fx.dir), "sasl") || !shell_safe(fx.dir) ||
	    !shell_safe(fx.bin)) {
		fprintf(stderr, "sasl-test: cannot make a temporary directory\n");
		return 1;
	}
	snprintf(fx.store, sizeof(fx.store), "%s/passwd", fx.dir);
	snprintf(fx.conf, sizeof(fx.conf), "%s/mailpass.conf", fx.dir);
	snprintf(fx.log, sizeof(fx.log), "%s/sasl.log", fx.dir);
	snprintf(fx.own_plugins, sizeof(fx.own_plugins), "%s/plugins", fx.dir);

	for (size_t i = 0; i < 256; i++)
		fx.long256[i] = "abcdefghijklmnopqrstuvwxyz"[i % 26];
	memcpy(fx.long255, fx.long256, 255);
	for (size_t i = 0; i < 2000; i++)
		fx.pw2000[i] = "Long-Secret-"[i % 12];
	memcpy(fx.pw1025, fx.pw2000, 1025);
	memcpy(fx.pw1024, fx.pw2000, 1024);

	/* A directory holding only the built plugin, for SASL_PATH. */
	snprintf(path, sizeof(path), "%s/libmailpass.so", fx.plugin_dir);
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "sasl-test: %s is not built\n", path);
		return 1;
	}
	if (mkdir(fx.own_plugins, 0755) != 0)
		return 1;
	{
		char link[400];

		snprintf(link, sizeof(link), "%s/libmailpass.so", fx.own_plugins);
		if (symlink(path, link) != 0)
			return 1;
	}

	if (fx.system_dir != NULL && !make_plugin_dirs(path))
		return 1;

	/* The APOP key, the configuration with it, and one without. */
	snprintf(key_line, sizeof(key_line), "apop_key = %s/apop.key\n", fx.dir);
	snprintf(path, sizeof(path), "'%s' keygen '%s/apop.key' >/dev/null 2>&1", fx.bin, fx.dir);
	if (system(path) != 0 || !write_conf("mailpass.conf", key_line) ||
	    !write_conf("nokey.conf", ""))
		return 1;

	for (size_t i = 0; i < N_ELEMENTS(pw); i++) {
		hash[i] = cli_hash(pw[i]);
		if (hash[i] == NULL)
			return 1;
		mp_fixture_secret_add(&fx.secrets, pw[i]);
	}
	mp_fixture_secret_add(&fx.secrets, PW_LEGACY);
	mp_fixture_secret_add(&fx.secrets, PW_WRONG);
	mp_fixture_secret_add(&fx.secrets, APOP_SECRET);
	mp_fixture_secret_add(&fx.secrets, fx.pw1025);
	mp_fixture_secret_add(&fx.secrets, fx.pw2000);

	f = open_memstream(&text, &text_len);
	if (f == NULL)
		return 1;
	fprintf(f, "# the sasl-test store\n");
	fprintf(f, "alice:%s::::::apop={PLAIN}%s\n", hash[0], APOP_SECRET);
	fprintf(f, "carol:%s\n", hash[1]);
	fprintf(f, "dave:%s\n", hash[2]);
	fprintf(f, "erin:%s::::::nologin apop={PLAIN}%s\n", hash[3], APOP_SECRET);
	fprintf(f, "gina:!%s\n", hash[4]);
	fprintf(f, "twin:%s\n", hash[5]);
	fprintf(f, "twin:%s\n", hash[5]);
	fprintf(f, "%s:%s\n", fx.long255, hash[6]);
	fprintf(f, "pwlong:%s\n", hash[7]);
	fprintf(f, "legacy:{PLAIN}%s\n", PW_LEGACY);
	/* An APOP secret that cannot be used: a sealed value too short to be one. */
	fprintf(f, "frank:%s::::::apop={SECRETBOX}AAAA\n", hash[8]);
	/* bcrypt of cost 31 (2^31 rounds), refused before it is computed. */
	fprintf(f, "judy:{BLF-CRYPT}$2y$31$qmeJEchTyV/TxV6J3CCNgOayqMvrxCklZWZ1NQVkmgGxk.MfOzKU2\n");
	if (fclose(f) != 0 || !mp_fixture_write(fx.store, text, 0640))
		return 1;
	free(text);
	for (size_t i = 0; i < N_ELEMENTS(hash); i++)
		free(hash[i]);

	/* carol's secret is sealed with the key by the mailpass command. */
	snprintf(input, sizeof(input), "%s\n", APOP_SECRET);
	if (!run_cli(fx.conf, "user apop carol", input, NULL, 0))
		return 1;
	fx.entry_alice = mp_fixture_store_line(fx.store, "alice");
	text = mp_fixture_store_line(fx.store, "carol");
	if (fx.entry_alice == NULL || text == NULL || strstr(text, "apop={SECRETBOX}") == NULL) {
		fprintf(stderr, "sasl-test: the mailpass command did not seal carol's secret\n");
		free(text);
		return 1;
	}
	free(text);
	if (!write_unsafe_stores())
		return 1;
	mp_fixture_secrets_from_store(&fx.secrets, fx.store);
	return 0;
}

static int
suite_cleanup(void)
{
	mp_fixture_remove_dir(fx.dir);
	free(fx.entry_alice);
	mp_fixture_secrets_free(&fx.secrets);
	return 0;
}

static const char *
need_env(const char *name)
{
	const char *value = getenv(name);

	if (value == NULL || *value == '\0') {
		fprintf(stderr, "sasl-test: %s is not set; run tests/sasl.test (make check)\n",
			name);
		exit(99);
	}
	return value;
}

int
main(void)
{
	const char *require = getenv("MAILPASS_REQUIRE_TOOLS");
	const char *system_dir = getenv("MAILPASS_SYSTEM_SASL_DIR");
	char path[400];
	CU_pSuite suite;

	fx.bin = need_env("MAILPASS_BIN");
	fx.plugin_dir = need_env("MAILPASS_SASL_PLUGIN_DIR");
	fx.require_tools = require != NULL && strcmp(require, "1") == 0;
	if (system_dir != NULL && *system_dir != '\0') {
		snprintf(path, sizeof(path), "%s/libplain.so", system_dir);
		if (access(path, R_OK) == 0)
			fx.system_dir = system_dir;
	}
	if (access(fx.bin, X_OK) != 0) {
		fprintf(stderr, "sasl-test: %s is missing\n", fx.bin);
		return 99;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "sasl-test: %s\n", CU_get_error_msg());
		return 99;
	}
	suite = CU_add_suite("libmailpass.so through libsasl2", suite_init, suite_cleanup);
	if (suite == NULL ||
	    CU_add_test(suite, "sasl_listmech", test_listmech) == NULL ||
	    CU_add_test(suite, "PLAIN", test_plain) == NULL ||
	    CU_add_test(suite, "LOGIN", test_login) == NULL ||
	    CU_add_test(suite, "APOP through the auxprop plugin", test_apop) == NULL ||
	    CU_add_test(suite, "sasl_checkpass and the auxprop plugin", test_checkpass) == NULL ||
	    CU_add_test(suite, "the auxprop plugin is read-only", test_setpass) == NULL ||
	    CU_add_test(suite, "one connection, two operations", test_same_connection) == NULL ||
	    CU_add_test(suite, "two plugins offering PLAIN", test_two_plugins) == NULL ||
	    CU_add_test(suite, "no secret in the log", test_no_secret_logged) == NULL) {
		fprintf(stderr, "sasl-test: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	return mp_test_run_cunit();
}
