#ifndef MP_TEST_SASL_CALLBACKS_H
#define MP_TEST_SASL_CALLBACKS_H

/*
 * The callbacks of a libsasl2 server set up as docs/postfix.md shows
 * (mech_list "PLAIN LOGIN", auxprop_plugin "mailpass" unless told
 * otherwise, the plugin's mailpass_conf), for the programs that load the
 * built plugin through the real libsasl2: tests/sasl-test.c,
 * tests/hostile-drive.c, tests/sasl-sequence.c and bench/bench-argon2.c.
 * Needs libsasl2 and nothing of the project's.
 */

#include <stdbool.h>
#include <stddef.h>

#include <sasl/sasl.h>

struct mp_test_sasl_server {
	/* SASL_CB_GETPATH; NULL: no such callback, libsasl2 reads SASL_PATH. */
	const char *plugin_dir;
	/*
	 * SASL_CB_GETCONFPATH: a directory without APP.conf, so that none is
	 * read (not const: so libsasl2's callback type has it; it only reads).
	 */
	char *conf_dir;
	/* The option mailpass_conf. */
	const char *mailpass_conf;
	/* The option pwcheck_method; NULL: not answered (libsasl2's default, auxprop). */
	const char *pwcheck_method;
	/* The option auxprop_plugin; NULL: "mailpass". */
	const char *auxprop_plugin;
	/* SASL_CB_LOG, with this struct as its context; NULL: messages are dropped. */
	int (*log)(void *context, int level, const char *message);
	/* Made by mp_test_sasl_callbacks(). */
	sasl_callback_t callbacks[5];
};

/*
 * mp_test_sasl_callbacks - the callback list for sasl_server_init().  The
 * callbacks read server's fields when libsasl2 calls them, so server must
 * stay where it is until sasl_server_done(); whether SASL_CB_GETPATH is
 * listed is decided by plugin_dir now.
 */
const sasl_callback_t *mp_test_sasl_callbacks(struct mp_test_sasl_server *server);

/*
 * mp_test_sasl_dir_of - the directory of path into dir ("." when path has
 * no slash), for a server's SASL_CB_GETCONFPATH; false when it does not fit.
 */
bool mp_test_sasl_dir_of(const char *path, char *dir, size_t size);

/*
 * mp_test_sasl_login - a LOGIN exchange on conn as a client makes it:
 * sasl_server_start("LOGIN") with no initial response, then user and
 * password as the answers to its two challenges.  libsasl2's code.
 */
int mp_test_sasl_login(sasl_conn_t *conn, const char *user, unsigned user_len,
		       const char *password, unsigned password_len);

#endif
