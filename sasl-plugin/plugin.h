#ifndef MP_SASL_PLUGIN_H
#define MP_SASL_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "result.h"

/*
 * The Cyrus SASL plugin libmailpass.so: the server mechanisms PLAIN
 * (mech-plain.c) and LOGIN (mech-login.c), which verify passwords through
 * the core, and the auxprop plugin "mailpass" (auxprop.c), which gives
 * libsasl2 a user's APOP secret as userPassword for sasl_checkapop().
 * plugin.c holds the entry points, the option, the mapping of core results
 * to SASL codes and the logging that all of them share; canon.c the
 * mechanisms' canonicalisation of client names.
 */

#define MP_SASL_EXPORT __attribute__((visibility("default")))

/* The plugin's name: of the auxprop plugin, and for plugin-specific options. */
#define MP_SASL_NAME "mailpass"

/* The option naming mailpass.conf (Cyrus imapd.conf: sasl_mailpass_conf). */
#define MP_SASL_OPT_CONF "mailpass_conf"

/* The entry points libsasl2 looks up in every plugin file it loads. */
MP_SASL_EXPORT sasl_server_plug_init_t sasl_server_plug_init;
MP_SASL_EXPORT sasl_auxprop_init_t sasl_auxprop_plug_init;

/* mp_sasl_code - the one mapping of core results to SASL codes. */
int mp_sasl_code(enum mp_result result);

/* mp_sasl_conf_path - the mailpass_conf option, or the built-in default. */
const char *mp_sasl_conf_path(const sasl_utils_t *utils);

/*
 * mp_sasl_log - format one line and hand it to the application's log
 * callback.  Callers never pass a password, hash or APOP secret; names from
 * clients go through mp_sasl_printable() first.
 */
void mp_sasl_log(const sasl_utils_t *utils, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * mp_sasl_printable - name[0..len) for a log line, into buf: bytes outside
 * printable ASCII become \xNN, and a name too long for buf ends in "...".
 */
#define MP_SASL_PRINTABLE_MAX 300
const char *mp_sasl_printable(const char *name, size_t len,
			      char buf[MP_SASL_PRINTABLE_MAX]);

/*
 * mp_sasl_verify - check password for user[0..user_len), a canonical
 * authentication identity, through the core (rehash on login included),
 * log the outcome under the label what ("PLAIN", ...) and return its SASL
 * code.
 */
int mp_sasl_verify(sasl_server_params_t *params, const char *what,
		   const char *user, size_t user_len,
		   const char *password, size_t password_len);

/*
 * mp_sasl_canon - params->canon_user for name[0..len), a name from the
 * client, as the mechanisms ask for it: with SASL_CU_EXTERNALLY_VERIFIED
 * added to SASL_CU_AUTHID (the password is verified by the mechanism), and
 * with the auxprop plugin "mailpass" serving nothing meanwhile.  A refusal is
 * logged under the label what ("PLAIN", ...).  Returns libsasl2's code.
 */
int mp_sasl_canon(sasl_server_params_t *params, const char *what, const char *name, size_t len,
		  unsigned flags, sasl_out_params_t *oparams);

/*
 * mp_sasl_mechanism_canonicalising - true while mp_sasl_canon() runs in this
 * thread: the auxprop lookup it triggers is a mechanism's, not an APOP's.
 */
bool mp_sasl_mechanism_canonicalising(void);

/*
 * mp_sasl_forget_identity - unset both identities (SASL_USERNAME), for a new
 * exchange and for a name refused after canonicalisation.
 */
void mp_sasl_forget_identity(sasl_out_params_t *oparams);

/* mp_sasl_done - mark the exchange done: no security layer, as the stock PLAIN and LOGIN. */
void mp_sasl_done(sasl_out_params_t *oparams);

/* PLAIN (RFC 4616), mech-plain.c. */
int mp_plain_mech_new(void *glob_context, sasl_server_params_t *params,
		      const char *challenge, unsigned challen, void **conn_context);
int mp_plain_mech_step(void *conn_context, sasl_server_params_t *params,
		       const char *clientin, unsigned clientinlen,
		       const char **serverout, unsigned *serveroutlen,
		       sasl_out_params_t *oparams);

/* LOGIN ("Username:" and "Password:" challenges), mech-login.c. */
int mp_login_mech_new(void *glob_context, sasl_server_params_t *params,
		      const char *challenge, unsigned challen, void **conn_context);
int mp_login_mech_step(void *conn_context, sasl_server_params_t *params,
		       const char *clientin, unsigned clientinlen,
		       const char **serverout, unsigned *serveroutlen,
		       sasl_out_params_t *oparams);
void mp_login_mech_dispose(void *conn_context, const sasl_utils_t *utils);

/* The auxprop plugin "mailpass", auxprop.c. */
int mp_auxprop_lookup(void *glob_context, sasl_server_params_t *params,
		      unsigned flags, const char *user, unsigned ulen);
int mp_auxprop_store(void *glob_context, sasl_server_params_t *params,
		     struct propctx *ctx, const char *user, unsigned ulen);

#endif
