/*
 * wipe-drive.c - one login through the real libpam or the real libsasl2,
 * for tests/wipe_test.py, which runs it under the free-scan.c shim to see
 * whether a secret is left in a heap block that is given back.
 *
 *	wipe-drive pam CONFDIR SERVICE USER PASSWORD
 *	wipe-drive plain PLUGIN_DIR CONF USER PASSWORD
 *	wipe-drive login PLUGIN_DIR CONF USER PASSWORD
 *	wipe-drive apop PLUGIN_DIR CONF USER TIMESTAMP DIGEST
 *	wipe-drive control SECRET
 *
 * The driver holds secrets only where the shim does not look: in argv and
 * on its stack.  The PAM conversation hands libpam a strdup() of the
 * password, as every PAM application must; libpam wipes and frees it.
 * "control" frees a copy of SECRET without wiping it: the test's proof that
 * the shim sees what it is meant to see.
 *
 * Prints "accepted" or "rejected: REASON" and exits 0 or 1; 2 on a usage or
 * setup error.  SASL log messages go to stderr, with the level.
 */

#include <security/pam_appl.h>
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const char *password_arg;
static const char *plugin_dir_arg;
static const char *conf_arg;

static int
usage(void)
{
	fprintf(stderr, "usage: wipe-drive pam CONFDIR SERVICE USER PASSWORD\n"
			"       wipe-drive plain|login PLUGIN_DIR CONF USER PASSWORD\n"
			"       wipe-drive apop PLUGIN_DIR CONF USER TIMESTAMP DIGEST\n"
			"       wipe-drive control SECRET\n");
	return 2;
}

static int
outcome(int accepted, const char *reason)
{
	if (accepted) {
		printf("accepted\n");
		return 0;
	}
	printf("rejected: %s\n", reason);
	return 1;
}

/* --- PAM */

static int
conversation(int count, const struct pam_message **messages, struct pam_response **replies,
	     void *data)
{
	struct pam_response *reply = calloc((size_t)count, sizeof(*reply));

	(void)data;
	if (reply == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < count; i++) {
		if (messages[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		reply[i].resp = strdup(password_arg);
		if (reply[i].resp == NULL) {
			for (int j = 0; j < i; j++)
				free(reply[j].resp);	/* NULL or never-filled: nothing secret */
			free(reply);
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
	pam_handle_t *pamh = NULL;
	int ret;

	password_arg = argv[3];
	ret = pam_start_confdir(argv[1], argv[2], &conv, argv[0], &pamh);
	if (ret != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir: %d\n", ret);
		return 2;
	}
	ret = pam_authenticate(pamh, 0);
	pam_end(pamh, ret);
	return outcome(ret == PAM_SUCCESS, pam_strerror(NULL, ret));
}

/* --- SASL */

static int
cb_getpath(void *context, const char **path)
{
	(void)context;
	*path = plugin_dir_arg;
	return SASL_OK;
}

static int
cb_getopt(void *context, const char *plugin_name, const char *option, const char **result,
	  unsigned *len)
{
	const char *value = NULL;

	(void)context;
	(void)plugin_name;
	if (strcmp(option, "mailpass_conf") == 0)
		value = conf_arg;
	else if (strcmp(option, "mech_list") == 0)
		value = "PLAIN LOGIN";
	else if (strcmp(option, "auxprop_plugin") == 0)
		value = "mailpass";
	else if (strcmp(option, "pwcheck_method") == 0)
		value = "auxprop";
	if (value == NULL)
		return SASL_FAIL;
	*result = value;
	if (len != NULL)
		*len = (unsigned)strlen(value);
	return SASL_OK;
}

static int
cb_log(void *context, int level, const char *message)
{
	(void)context;
	fprintf(stderr, "sasl %d %s\n", level, message != NULL ? message : "");
	return SASL_OK;
}

#define CALLBACK(f) ((int (*)(void))(void (*)(void))(f))

static const sasl_callback_t callbacks[] = {
	{ SASL_CB_GETPATH, CALLBACK(cb_getpath), NULL },
	{ SASL_CB_GETOPT, CALLBACK(cb_getopt), NULL },
	{ SASL_CB_LOG, CALLBACK(cb_log), NULL },
	{ SASL_CB_LIST_END, NULL, NULL },
};

/* exchange - the mechanism's messages, client side, from argv; the server's answer. */
static int
exchange(sasl_conn_t *conn, const char *mech, const char *user, const char *password)
{
	char plain[1 + 256 + 1 + 1024];
	const char *out = NULL;
	unsigned outlen = 0;
	size_t ulen = strlen(user), plen = strlen(password);
	int ret;

	if (strcmp(mech, "PLAIN") == 0) {
		if (ulen > 256 || plen > 1024)
			return SASL_BADPARAM;
		plain[0] = '\0';
		memcpy(plain + 1, user, ulen);
		plain[1 + ulen] = '\0';
		memcpy(plain + 2 + ulen, password, plen);
		ret = sasl_server_start(conn, "PLAIN", plain, (unsigned)(2 + ulen + plen), &out,
					&outlen);
		explicit_bzero(plain, sizeof(plain));
		return ret;
	}
	ret = sasl_server_start(conn, "LOGIN", NULL, 0, &out, &outlen);
	if (ret == SASL_CONTINUE)
		ret = sasl_server_step(conn, user, (unsigned)ulen, &out, &outlen);
	if (ret == SASL_CONTINUE)
		ret = sasl_server_step(conn, password, (unsigned)plen, &out, &outlen);
	return ret;
}

static int
run_sasl(const char *mode, char **argv, int argc)
{
	sasl_conn_t *conn = NULL;
	int ret;

	plugin_dir_arg = argv[0];
	conf_arg = argv[1];
	ret = sasl_server_init(callbacks, "mailpass-wipe");
	if (ret == SASL_OK)
		ret = sasl_server_new("pop", "localhost", NULL, NULL, NULL, NULL, 0, &conn);
	if (ret != SASL_OK) {
		fprintf(stderr, "libsasl2 setup: %s\n", sasl_errstring(ret, NULL, NULL));
		return 2;
	}
	if (strcmp(mode, "apop") == 0) {
		/* The response is "user digest", as the POP3 APOP command carries it. */
		char response[2048];
		int n;

		if (argc != 5)
			return usage();
		n = snprintf(response, sizeof(response), "%s %s", argv[2], argv[4]);
		if (n < 0 || (size_t)n >= sizeof(response))
			return usage();
		ret = sasl_checkapop(conn, argv[3], (unsigned)strlen(argv[3]), response,
				     (unsigned)n);
	} else {
		if (argc != 4)
			return usage();
		ret = exchange(conn, strcmp(mode, "plain") == 0 ? "PLAIN" : "LOGIN", argv[2],
			       argv[3]);
	}
	sasl_dispose(&conn);
	sasl_server_done();
	return outcome(ret == SASL_OK, sasl_errstring(ret, NULL, NULL));
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "pam") == 0 && argc == 6)
		return run_pam(argv + 2);
	if ((strcmp(argv[1], "plain") == 0 || strcmp(argv[1], "login") == 0 ||
	     strcmp(argv[1], "apop") == 0) && argc >= 6)
		return run_sasl(argv[1], argv + 2, argc - 2);
	if (strcmp(argv[1], "control") == 0 && argc == 3) {
		char *copy = strdup(argv[2]);

		if (copy == NULL)
			return 2;
		free(copy);	/* not wiped, on purpose */
		printf("freed\n");
		return 0;
	}
	return usage();
}
