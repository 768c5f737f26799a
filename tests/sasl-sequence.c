/*
 * sasl-sequence.c - several operations on one libsasl2 server connection,
 * as a POP3 server makes them when a client tries APOP, then AUTH, without
 * reconnecting; for tests/wipe_test.py.
 *
 *	sasl-sequence PLUGIN_DIR CONF OP...
 *
 * where each OP is one of
 *
 *	apop:CHALLENGE:RESPONSE	sasl_checkapop(CHALLENGE, RESPONSE)
 *	plain:MESSAGE		sasl_server_start("PLAIN") with MESSAGE as the
 *				initial response
 *	login:USER:PASSWORD	sasl_server_start("LOGIN"), then USER and
 *				PASSWORD as the answers to its challenges
 *
 * and every data field is hex digits.  The plugins are loaded from
 * PLUGIN_DIR, CONF is the option mailpass_conf, no SASL configuration file
 * is read (the configuration path is CONF's directory, which holds none),
 * and libsasl2's messages go to stderr as "LEVEL MESSAGE".
 *
 * Prints the code of each OP by name (SASL_OK, SASL_BADAUTH, ...), one a
 * line, and exits 0; 2 on a usage or setup error.  Every decoded field is
 * wiped before it is freed.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

#include "code-names.h"
#include "hex-data.h"
#include "sasl-callbacks.h"

/* The most fields of one OP. */
#define FIELDS_MAX 2


static int
usage(void)
{
	fprintf(stderr, "usage: sasl-sequence PLUGIN_DIR CONF OP...\n"
			"  OP: apop:CHALLENGE:RESPONSE | plain:MESSAGE | login:USER:PASSWORD\n"
			"  (every field hex digits)\n");
	return 2;
}

/*
 * parse_op - "NAME:HEX[:HEX]" into name (the part before the first colon)
 * and want fields; false on a malformed OP.
 */
static bool
parse_op(const char *op, char *name, size_t name_size, struct mp_test_data *fields, size_t want)
{
	const char *colon = strchr(op, ':');
	size_t n = 0;

	if (colon == NULL || (size_t)(colon - op) >= name_size)
		return false;
	memcpy(name, op, (size_t)(colon - op));
	name[colon - op] = '\0';
	while (colon != NULL && n < want) {
		const char *start = colon + 1, *end = strchr(start, ':');
		size_t len = end != NULL ? (size_t)(end - start) : strlen(start);

		/* libsasl2 takes unsigned lengths. */
		if (len / 2 > UINT_MAX || !mp_test_data_from_hex(start, len, &fields[n]))
			break;
		n++;
		colon = end;
	}
	if (n == want && colon == NULL)
		return true;
	for (size_t i = 0; i < n; i++)
		mp_test_data_free(&fields[i]);
	return false;
}

static int
run_plain(sasl_conn_t *conn, const struct mp_test_data *message)
{
	const char *out = NULL;
	unsigned outlen = 0;

	return sasl_server_start(conn, "PLAIN", message->data, (unsigned)message->len, &out,
				 &outlen);
}

static int
run_login(sasl_conn_t *conn, const struct mp_test_data *user, const struct mp_test_data *password)
{
	return mp_test_sasl_login(conn, user->data, (unsigned)user->len, password->data,
				  (unsigned)password->len);
}

/* run_op - one OP on conn; false when it is malformed. */
static bool
run_op(sasl_conn_t *conn, const char *op)
{
	struct mp_test_data fields[FIELDS_MAX] = { { NULL, 0 } };
	const char *code;
	char name[16];
	int ret;

	if (strncmp(op, "plain:", 6) == 0) {
		if (!parse_op(op, name, sizeof(name), fields, 1))
			return false;
		ret = run_plain(conn, &fields[0]);
	} else if (strncmp(op, "login:", 6) == 0 || strncmp(op, "apop:", 5) == 0) {
		if (!parse_op(op, name, sizeof(name), fields, 2))
			return false;
		ret = strcmp(name, "login") == 0 ?
			run_login(conn, &fields[0], &fields[1]) :
			sasl_checkapop(conn, fields[0].data, (unsigned)fields[0].len,
				       fields[1].data, (unsigned)fields[1].len);
	} else {
		return false;
	}
	code = mp_test_sasl_code_name(ret);
	if (code != NULL)
		printf("%s\n", code);
	else
		printf("SASL_CODE_%d\n", ret);
	for (size_t i = 0; i < FIELDS_MAX; i++)
		mp_test_data_free(&fields[i]);
	return true;
}

static int
cb_log(void *context, int level, const char *message)
{
	(void)context;
	fprintf(stderr, "%d %s\n", level, message != NULL ? message : "");
	return SASL_OK;
}

int
main(int argc, char **argv)
{
	static char conf_dir[PATH_MAX];
	struct mp_test_sasl_server server = {
		.conf_dir = conf_dir,
		.pwcheck_method = "auxprop",
		.log = cb_log,
	};
	sasl_conn_t *conn = NULL;
	int ret, status = 0;

	if (argc < 4)
		return usage();
	server.plugin_dir = argv[1];
	server.mailpass_conf = argv[2];
	if (!mp_test_sasl_dir_of(argv[2], conf_dir, sizeof(conf_dir)))
		return usage();

	ret = sasl_server_init(mp_test_sasl_callbacks(&server), "mailpass-sequence");
	if (ret == SASL_OK)
		ret = sasl_server_new("pop", "localhost", NULL, "192.0.2.1;110", "192.0.2.7;4711",
				      NULL, 0, &conn);
	if (ret != SASL_OK) {
		fprintf(stderr, "sasl-sequence: libsasl2 setup: %s\n",
			sasl_errstring(ret, NULL, NULL));
		return 2;
	}
	for (int i = 3; i < argc && status == 0; i++) {
		if (!run_op(conn, argv[i])) {
			fprintf(stderr, "sasl-sequence: malformed operation '%.40s'\n", argv[i]);
			status = usage();
		}
	}
	sasl_dispose(&conn);
	sasl_server_done();
	return status;
}
