/*
 * hostile-drive.c - one login attempt with arbitrary bytes through the real
 * libpam or the real libsasl2, for tests/hostile_test.py.
 *
 *	hostile-drive pam CONFDIR SERVICE USER PASSWORD
 *	hostile-drive plain PLUGIN_DIR CONF MESSAGE
 *	hostile-drive login PLUGIN_DIR CONF USER PASSWORD
 *	hostile-drive apop PLUGIN_DIR CONF CHALLENGE RESPONSE
 *
 * Every data argument (USER, PASSWORD, MESSAGE, CHALLENGE, RESPONSE) is
 * hex digits, so that NUL and any other byte can be given, or "@PATH" for
 * the raw bytes of a file (for data whose hex would not fit an argument).
 *
 * pam: pam_start_confdir(SERVICE, USER) and pam_authenticate(), with a
 * conversation that answers every echo-off prompt with PASSWORD and every
 * echo-on prompt with USER.  PAM items are C strings: a USER or PASSWORD
 * holding a NUL byte cannot be given and is a usage error.
 *
 * plain: MESSAGE is the whole client message ([authzid] NUL authcid NUL
 * passwd), sent as the initial response of sasl_server_start("PLAIN"), so
 * that malformed messages can be sent too.
 *
 * login: sasl_server_start("LOGIN") without an initial response, then USER
 * and PASSWORD as the answers to the two challenges.
 *
 * apop: sasl_checkapop(CHALLENGE, RESPONSE); RESPONSE is "user digest", as
 * the POP3 APOP command carries it.
 *
 * The SASL rows load the plugins in PLUGIN_DIR, give CONF as the option
 * mailpass_conf and read no SASL configuration file (the configuration path
 * is CONF's directory, which holds none).  Every SASL log message is
 * appended to the file named by MAILPASS_SASL_LOG, or to stderr without it,
 * as "LEVEL MESSAGE" on one line.
 *
 * Prints the PAM or SASL code's name (PAM_SUCCESS, SASL_BADPROT, ...) and
 * exits 0 when it means accepted, 1 otherwise; 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <security/pam_appl.h>

#include "code-names.h"
#include "hex-data.h"
#include "sasl-callbacks.h"

/* The largest data argument read from a file. */
#define DATA_FILE_MAX (16 * 1024 * 1024)

/* What sasl_server_new() is given. */
#define DRIVE_SERVICE "pop"
#define DRIVE_LOCAL "192.0.2.1;110"
#define DRIVE_REMOTE "192.0.2.7;4711"

static const struct mp_test_data *pam_user, *pam_password;

static int
usage(void)
{
	fprintf(stderr, "usage: hostile-drive pam CONFDIR SERVICE USER PASSWORD\n"
			"       hostile-drive plain PLUGIN_DIR CONF MESSAGE\n"
			"       hostile-drive login PLUGIN_DIR CONF USER PASSWORD\n"
			"       hostile-drive apop PLUGIN_DIR CONF CHALLENGE RESPONSE\n"
			"Data arguments are hex digits, or @PATH for the bytes of a file.\n");
	return 2;
}

/* --- Data arguments. */

static bool
read_data_file(const char *path, struct mp_test_data *out)
{
	struct stat st;
	ssize_t got;
	size_t done = 0;
	bool ok = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > DATA_FILE_MAX)
		goto out;
	out->data = malloc((size_t)st.st_size + 1);
	if (out->data == NULL)
		goto out;
	while (done < (size_t)st.st_size) {
		got = read(fd, out->data + done, (size_t)st.st_size - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		done += (size_t)got;
	}
	out->len = done;
	out->data[done] = '\0';
	ok = done == (size_t)st.st_size;
	if (!ok)
		mp_test_data_free(out);
out:
	(void)close(fd);
	return ok;
}

/* decode_arg - a data argument: hex digits, or "@PATH". */
static bool
decode_arg(const char *arg, struct mp_test_data *out)
{
	bool ok;

	memset(out, 0, sizeof(*out));
	if (arg[0] == '@')
		ok = read_data_file(arg + 1, out);
	else
		ok = mp_test_data_from_hex(arg, strlen(arg), out);
	if (!ok)
		fprintf(stderr, "hostile-drive: cannot decode the argument '%.40s'\n", arg);
	return ok;
}

/* report - print the code's name; exit status 0 for accepted, 1 for anything else. */
static int
report(bool is_pam, int code)
{
	const char *name = is_pam ? mp_test_pam_code_name(code) : mp_test_sasl_code_name(code);

	if (name != NULL)
		printf("%s\n", name);
	else
		printf("%s_CODE_%d\n", is_pam ? "PAM" : "SASL", code);
	return code == (is_pam ? PAM_SUCCESS : SASL_OK) ? 0 : 1;
}

/* --- PAM */

static void
free_replies(struct pam_response *reply, int count)
{
	for (int i = 0; i < count; i++) {
		if (reply[i].resp != NULL) {
			explicit_bzero(reply[i].resp, strlen(reply[i].resp));
			free(reply[i].resp);
		}
	}
	free(reply);
}

static int
conversation(int count, const struct pam_message **messages, struct pam_response **replies,
	     void *context)
{
	struct pam_response *reply;

	(void)context;
	if (count <= 0)
		return PAM_CONV_ERR;
	reply = calloc((size_t)count, sizeof(*reply));
	if (reply == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < count; i++) {
		const char *answer = NULL;

		if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			answer = pam_password->data;
		else if (messages[i]->msg_style == PAM_PROMPT_ECHO_ON)
			answer = pam_user->data;
		if (answer == NULL)
			continue;
		/* libpam wipes and frees the answer, as every application's. */
		reply[i].resp = strdup(answer);
		if (reply[i].resp == NULL) {
			free_replies(reply, i);
			return PAM_BUF_ERR;
		}
	}
	*replies = reply;
	return PAM_SUCCESS;
}

static int
run_pam(char **argv)
{
	struct pam_conv conv = { conversation, NULL };
	struct mp_test_data user, password;
	pam_handle_t *pamh = NULL;
	int ret, status = 2;

	if (!decode_arg(argv[2], &user))
		return 2;
	if (!decode_arg(argv[3], &password)) {
		mp_test_data_free(&user);
		return 2;
	}
	if (memchr(user.data, '\0', user.len) != NULL ||
	    memchr(password.data, '\0', password.len) != NULL) {
		fprintf(stderr, "hostile-drive: PAM items are C strings; a NUL byte cannot be "
				"given\n");
		goto out;
	}
	pam_user = &user;
	pam_password = &password;
	ret = pam_start_confdir(argv[1], user.data, &conv, argv[0], &pamh);
	if (ret != PAM_SUCCESS) {
		fprintf(stderr, "hostile-drive: pam_start_confdir: %s\n", pam_strerror(NULL, ret));
		goto out;
	}
	ret = pam_authenticate(pamh, 0);
	pam_end(pamh, ret);
	status = report(true, ret);
out:
	mp_test_data_free(&user);
	mp_test_data_free(&password);
	return status;
}

/* --- SASL */

/* cb_log - "LEVEL MESSAGE" appended to MAILPASS_SASL_LOG (or stderr) with one write. */
static int
cb_log(void *context, int level, const char *message)
{
	const char *path = getenv("MAILPASS_SASL_LOG");
	char *line = NULL;
	int fd, n;

	(void)context;
	n = asprintf(&line, "%d %s\n", level, message != NULL ? message : "");
	if (n < 0)
		return SASL_NOMEM;
	fd = path != NULL && *path != '\0' ?
		open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : STDERR_FILENO;
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			n = -1;
		if (fd != STDERR_FILENO)
			(void)close(fd);
	}
	free(line);
	return SASL_OK;
}

/* The limit of a SASL length argument. */
static bool
fits_unsigned(const struct mp_test_data *d)
{
	return d->len <= UINT_MAX;
}

static int
run_plain(sasl_conn_t *conn, const struct mp_test_data *message)
{
	const char *out = NULL;
	unsigned outlen = 0;

	if (!fits_unsigned(message))
		return SASL_BADPARAM;
	return sasl_server_start(conn, "PLAIN", message->data, (unsigned)message->len, &out,
				 &outlen);
}

static int
run_login(sasl_conn_t *conn, const struct mp_test_data *user, const struct mp_test_data *password)
{
	if (!fits_unsigned(user) || !fits_unsigned(password))
		return SASL_BADPARAM;
	return mp_test_sasl_login(conn, user->data, (unsigned)user->len, password->data,
				  (unsigned)password->len);
}

static int
run_sasl(const char *mode, int argc, char **argv)
{
	/* CONF's directory, which holds no SASL configuration file. */
	static char conf_dir[PATH_MAX];
	static struct mp_test_sasl_server server = {
		.conf_dir = conf_dir,
		.pwcheck_method = "auxprop",
		.log = cb_log,
	};
	struct mp_test_data a = { NULL, 0 }, b = { NULL, 0 };
	sasl_conn_t *conn = NULL;
	int ret, status = 2;

	server.plugin_dir = argv[0];
	server.mailpass_conf = argv[1];
	if (!mp_test_sasl_dir_of(argv[1], conf_dir, sizeof(conf_dir)))
		return usage();

	if (strcmp(mode, "plain") == 0 ? argc != 3 : argc != 4)
		return usage();
	if (!decode_arg(argv[2], &a) || (argc == 4 && !decode_arg(argv[3], &b)))
		goto out;

	ret = sasl_server_init(mp_test_sasl_callbacks(&server), "mailpass-hostile");
	if (ret == SASL_OK)
		ret = sasl_server_new(DRIVE_SERVICE, "localhost", NULL, DRIVE_LOCAL, DRIVE_REMOTE,
				      NULL, 0, &conn);
	if (ret != SASL_OK) {
		fprintf(stderr, "hostile-drive: libsasl2 setup: %s\n",
			sasl_errstring(ret, NULL, NULL));
		goto out;
	}
	if (strcmp(mode, "plain") == 0) {
		ret = run_plain(conn, &a);
	} else if (strcmp(mode, "login") == 0) {
		ret = run_login(conn, &a, &b);
	} else {
		/* libsasl2 reads both as C strings; the lengths are given all the same. */
		ret = fits_unsigned(&a) && fits_unsigned(&b) ?
			sasl_checkapop(conn, a.data, (unsigned)a.len, b.data, (unsigned)b.len) :
			SASL_BADPARAM;
	}
	status = report(false, ret);
	sasl_dispose(&conn);
	sasl_server_done();
out:
	mp_test_data_free(&a);
	mp_test_data_free(&b);
	return status;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "pam") == 0)
		return argc == 6 ? run_pam(argv + 2) : usage();
	if (strcmp(argv[1], "plain") == 0 || strcmp(argv[1], "login") == 0 ||
	    strcmp(argv[1], "apop") == 0)
		return argc >= 5 ? run_sasl(argv[1], argc - 2, argv + 2) : usage();
	return usage();
}
