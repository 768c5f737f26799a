/*
 * plugin.c - the entry points of libmailpass.so, the mailpass_conf option,
 * the mapping of core results to SASL codes, and logging through the
 * application's SASL log callback.  Every decision is the core's.
 *
 * The plugin keeps no state between calls: each verification opens the
 * configuration and the store and closes them again, so one process may run
 * any number of exchanges in any number of threads, and a changed
 * mailpass.conf takes effect at the next login.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "mp-limits.h"
#include "plugin.h"

#ifndef MP_DEFAULT_CONF_PATH
#define MP_DEFAULT_CONF_PATH "/etc/mailpass.conf"
#endif

/* Longest line handed to the log callback. */
#define LOG_LINE_MAX 1024

/*
 * The mechanisms.  libsasl2 wants a mutable array; nothing ever writes to
 * it.  Both verify a cleartext password through the core and never read
 * userPassword, hence SASL_FEAT_DONTUSE_USERPASSWD.  The security flags are
 * those of the stock PLAIN and LOGIN, so that an application's security
 * properties select or refuse them alike.
 */
static sasl_server_plug_t server_mechs[] = {
	{
		.mech_name = "PLAIN",
		.max_ssf = 0,
		.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS,
		.features = SASL_FEAT_WANT_CLIENT_FIRST | SASL_FEAT_ALLOWS_PROXY |
			SASL_FEAT_DONTUSE_USERPASSWD,
		.mech_new = mp_plain_mech_new,
		.mech_step = mp_plain_mech_step,
	},
	{
		.mech_name = "LOGIN",
		.max_ssf = 0,
		.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS,
		.features = SASL_FEAT_DONTUSE_USERPASSWD,
		.mech_new = mp_login_mech_new,
		.mech_step = mp_login_mech_step,
		.mech_dispose = mp_login_mech_dispose,
	},
};

/* The auxprop plugin's name; the struct wants a char *. */
static char auxprop_name[] = MP_SASL_NAME;

static sasl_auxprop_plug_t auxprop_plug = {
	.features = 0,
	.auxprop_lookup = mp_auxprop_lookup,
	.name = auxprop_name,
	.auxprop_store = mp_auxprop_store,
};

MP_SASL_EXPORT int
sasl_server_plug_init(const sasl_utils_t *utils, int max_version, int *out_version,
		      sasl_server_plug_t **pluglist, int *plugcount)
{
	if (max_version < SASL_SERVER_PLUG_VERSION) {
		mp_sasl_log(utils, SASL_LOG_ERR,
			    "mailpass: libsasl2 too old (server plugin version %d, need %d)",
			    max_version, SASL_SERVER_PLUG_VERSION);
		return SASL_BADVERS;
	}
	*out_version = SASL_SERVER_PLUG_VERSION;
	*pluglist = server_mechs;
	*plugcount = (int)(sizeof(server_mechs) / sizeof(server_mechs[0]));
	return SASL_OK;
}

MP_SASL_EXPORT int
sasl_auxprop_plug_init(const sasl_utils_t *utils, int max_version, int *out_version,
		       sasl_auxprop_plug_t **plug, const char *plugname)
{
	if (max_version < SASL_AUXPROP_PLUG_VERSION) {
		mp_sasl_log(utils, SASL_LOG_ERR,
			    "mailpass: libsasl2 too old (auxprop plugin version %d, need %d)",
			    max_version, SASL_AUXPROP_PLUG_VERSION);
		return SASL_BADVERS;
	}
	*out_version = SASL_AUXPROP_PLUG_VERSION;
	*plug = &auxprop_plug;
	return SASL_OK;
}

int
mp_sasl_code(enum mp_result result)
{
	switch (result) {
	case MP_OK:
		return SASL_OK;
	case MP_MISMATCH:
		return SASL_BADAUTH;
	case MP_USER_UNKNOWN:
		return SASL_NOUSER;
	case MP_DISABLED:
		return SASL_DISABLED;
	case MP_MALFORMED:
		/*
		 * The mechanisms refuse malformed client messages before the
		 * core sees them; what the core still finds malformed (a name
		 * with a character no store holds, an unusable stored value)
		 * fails like a wrong password, so that a broken record tells
		 * the client nothing.  The log has the reason.
		 */
		return SASL_BADAUTH;
	case MP_UNAVAILABLE:
		return SASL_UNAVAIL;
	case MP_INTERNAL:
		return SASL_FAIL;
	}
	return SASL_FAIL;
}

const char *
mp_sasl_conf_path(const sasl_utils_t *utils)
{
	const char *value = NULL;
	unsigned len = 0;

	if (utils->getopt != NULL &&
	    utils->getopt(utils->getopt_context, MP_SASL_NAME, MP_SASL_OPT_CONF, &value,
			  &len) == SASL_OK &&
	    value != NULL && *value != '\0')
		return value;
	return MP_DEFAULT_CONF_PATH;
}

void
mp_sasl_log(const sasl_utils_t *utils, int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (utils == NULL || utils->log == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* libsasl2 formats with its own printf; hand it a finished line. */
	utils->log(utils->conn, level, "%s", line);
}

const char *
mp_sasl_printable(const char *name, size_t len, char buf[MP_SASL_PRINTABLE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* Room for this byte escaped, "..." and the NUL. */
		if (out + 4 + 3 + 1 > MP_SASL_PRINTABLE_MAX) {
			memcpy(buf + out, "...", 3);
			out += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[out++] = (char)c;
		} else {
			buf[out++] = '\\';
			buf[out++] = 'x';
			buf[out++] = hex[c >> 4];
			buf[out++] = hex[c & 0xf];
		}
	}
	buf[out] = '\0';
	return buf;
}

/* log_outcome - one line per verification: label, service, user, remote address, result, reason. */
static void
log_outcome(sasl_server_params_t *params, const char *what, const char *user, size_t user_len,
	    enum mp_result result, const char *reason)
{
	const sasl_utils_t *utils = params->utils;
	const void *remote = NULL;
	char name[MP_SASL_PRINTABLE_MAX];
	int level;

	switch (result) {
	case MP_OK:
		level = SASL_LOG_NOTE;
		break;
	case MP_UNAVAILABLE:
	case MP_INTERNAL:
		level = SASL_LOG_ERR;
		break;
	default:
		level = SASL_LOG_FAIL;
		break;
	}
	if (utils->getprop == NULL ||
	    utils->getprop(utils->conn, SASL_IPREMOTEPORT, &remote) != SASL_OK)
		remote = NULL;
	mp_sasl_log(utils, level, "mailpass %s: service=%s user=%s remote=%s: %s (%s)", what,
		    params->service != NULL ? params->service : "-",
		    mp_sasl_printable(user, user_len, name),
		    remote != NULL ? (const char *)remote : "-", mp_result_name(result),
		    reason != NULL && *reason != '\0' ? reason : "-");
}

int
mp_sasl_verify(sasl_server_params_t *params, const char *what, const char *user, size_t user_len,
	       const char *password, size_t password_len)
{
	const sasl_utils_t *utils = params->utils;
	const char *conf = mp_sasl_conf_path(utils);
	const char *reason = "", *note = NULL;
	char error[MP_ERROR_MAX], name[MP_SASL_PRINTABLE_MAX];
	struct mp_auth *auth = NULL;
	enum mp_result result;

	result = mp_auth_open(conf, &auth, error, sizeof(error));
	if (result == MP_OK && mp_auth_warning(auth) != NULL)
		mp_sasl_log(utils, SASL_LOG_WARN, "mailpass %s: %s", what, mp_auth_warning(auth));
	if (result == MP_OK) {
		result = mp_auth_verify(auth, user, user_len, password, password_len, 0,
					&reason, &note);
		mp_auth_close(&auth);
	} else {
		mp_sasl_log(utils, SASL_LOG_ERR, "mailpass %s: cannot use %s: %s", what, conf,
			    error);
		reason = "configuration or store unusable";
		/* A configuration with an error is as unusable as a missing one. */
		if (result != MP_INTERNAL)
			result = MP_UNAVAILABLE;
	}
	log_outcome(params, what, user, user_len, result, reason);
	if (note != NULL) {
		bool rehashed = strcmp(note, "rehashed") == 0;

		mp_sasl_log(utils, rehashed ? SASL_LOG_NOTE : SASL_LOG_WARN,
			    "mailpass %s: rehash for user=%s: %s", what,
			    mp_sasl_printable(user, user_len, name), note);
	}
	if (result == MP_UNAVAILABLE || result == MP_INTERNAL)
		utils->seterror(utils->conn, SASL_NOLOG, "%s", "credential store unavailable");
	else if (result != MP_OK)
		utils->seterror(utils->conn, SASL_NOLOG, "%s", "authentication failed");
	return mp_sasl_code(result);
}

void
mp_sasl_done(sasl_out_params_t *oparams)
{
	oparams->doneflag = 1;
	oparams->mech_ssf = 0;
	oparams->maxoutbuf = 0;
	oparams->encode_context = NULL;
	oparams->encode = NULL;
	oparams->decode_context = NULL;
	oparams->decode = NULL;
	oparams->param_version = 0;
}
