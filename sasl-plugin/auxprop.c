/*
 * auxprop.c - the auxprop plugin "mailpass".
 *
 * libsasl2's sasl_checkapop() computes the APOP digest itself, from the
 * cleartext userPassword of the authentication identity that an auxprop
 * plugin supplies.  This plugin supplies the user's APOP secret (the apop=
 * field of the store, {SECRETBOX} secrets unsealed with apop_key), and
 * nothing else: never the login hash, never a property of the
 * authorization identity, never any other property.  A user without an
 * APOP secret, and a disabled or locked user, gets no property (the
 * lookup itself succeeds, so that a mechanism canonicalising such a user
 * on the same connection is not refused before its password is checked);
 * an unknown user is SASL_NOUSER.
 *
 * A value already present is left alone unless libsasl2 asks to override
 * it (SASL_AUXPROP_OVERRIDE), as the stock sasldb plugin does.
 *
 * While a mechanism of this plugin canonicalises a name, the lookup serves
 * nothing and succeeds, whatever is requested: the mechanisms need no
 * property, and a userPassword request left on the connection by an earlier
 * sasl_checkapop() is not theirs (canon.c).
 *
 * With SASL_AUXPROP_VERIFY_AGAINST_HASH (pwcheck_method auxprop-hashed),
 * libsasl2 puts the client's cleartext password into userPassword and keeps
 * it as verified only if a plugin leaves it there.  This plugin then checks
 * it against the login hash through the core, as the mechanisms do, and
 * erases it unless it is right.  It never leaves an unchecked candidate in
 * place: that would let libsasl2 compare the client's password with itself.
 *
 * The plugin is read-only: credentials are changed with the mailpass
 * command, so auxprop_store refuses, and libsasl2's sasl_setpass() and
 * auto_transition do not write through it.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "mp-limits.h"
#include "plugin.h"
#include "secret.h"

#define LABEL "auxprop"

/* find_password - the request for the authentication identity's userPassword, or NULL. */
static const struct propval *
find_password(const sasl_utils_t *utils, struct propctx *propctx)
{
	const struct propval *prop;

	if (propctx == NULL)
		return NULL;
	for (prop = utils->prop_get(propctx); prop != NULL && prop->name != NULL; prop++) {
		if (strcasecmp(prop->name, SASL_AUX_PASSWORD) == 0)
			return prop;
	}
	return NULL;
}

/* serve_secret - set name to the user's APOP secret, when there is one to give. */
static int
serve_secret(sasl_server_params_t *params, const char *name, const char *user, unsigned ulen)
{
	const sasl_utils_t *utils = params->utils;
	const char *conf = mp_sasl_conf_path(utils), *reason = "";
	char error[MP_ERROR_MAX], printable[MP_SASL_PRINTABLE_MAX];
	struct mp_auth *auth = NULL;
	unsigned char *secret = NULL;
	size_t secret_len = 0;
	enum mp_result result;
	int ret;

	mp_sasl_printable(user, ulen, printable);
	result = mp_auth_open(conf, &auth, error, sizeof(error));
	if (result != MP_OK) {
		mp_sasl_log(utils, SASL_LOG_ERR, "mailpass " LABEL ": cannot use %s: %s", conf,
			    error);
		/* A configuration with an error is as unusable as a missing one. */
		return mp_sasl_code(result == MP_INTERNAL ? MP_INTERNAL : MP_UNAVAILABLE);
	}
	if (mp_auth_warning(auth) != NULL)
		mp_sasl_log(utils, SASL_LOG_WARN, "mailpass " LABEL ": %s", mp_auth_warning(auth));
	result = mp_auth_apop_secret(auth, user, ulen, &secret, &secret_len, &reason);
	mp_auth_close(&auth);

	/* An empty secret would make the digest computable by anyone. */
	if (result == MP_OK &&
	    (secret_len == 0 || secret_len > INT_MAX || memchr(secret, '\0', secret_len) != NULL)) {
		result = MP_MALFORMED;
		reason = "unusable APOP secret";
	}
	switch (result) {
	case MP_OK:
		ret = utils->prop_set(params->propctx, name, (const char *)secret, (int)secret_len);
		if (ret == SASL_OK) {
			mp_sasl_log(utils, SASL_LOG_NOTE,
				    "mailpass " LABEL ": user=%s: APOP secret given as userPassword",
				    printable);
		} else {
			mp_sasl_log(utils, SASL_LOG_ERR,
				    "mailpass " LABEL ": user=%s: cannot set userPassword: %s",
				    printable, sasl_errstring(ret, NULL, NULL));
		}
		break;
	case MP_MISMATCH:	/* no APOP secret */
	case MP_DISABLED:	/* disabled is told only to who knows the secret */
		mp_sasl_log(utils, SASL_LOG_NOTE, "mailpass " LABEL ": user=%s: no userPassword (%s)",
			    printable, reason);
		ret = SASL_OK;
		break;
	default:
		mp_sasl_log(utils,
			    result == MP_UNAVAILABLE || result == MP_INTERNAL ? SASL_LOG_ERR :
			    SASL_LOG_FAIL,
			    "mailpass " LABEL ": user=%s: no userPassword: %s (%s)", printable,
			    mp_result_name(result), reason);
		ret = mp_sasl_code(result);
		break;
	}
	mp_secret_free(&secret, secret_len);
	return ret;
}

/* verify_candidate - keep the client's password in name only if it is the user's login password. */
static int
verify_candidate(sasl_server_params_t *params, const struct propval *prop, const char *user,
		 unsigned ulen)
{
	const char *name = prop->name, *candidate;
	int ret;

	if (prop->values == NULL || prop->values[0] == NULL)
		return SASL_OK;		/* no password to check */
	candidate = prop->values[0];
	ret = mp_sasl_verify(params, LABEL " password check", user, ulen, candidate,
			     strlen(candidate));
	if (ret != SASL_OK)
		params->utils->prop_erase(params->propctx, name);
	return ret;
}

int
mp_auxprop_lookup(void *glob_context, sasl_server_params_t *params, unsigned flags,
		  const char *user, unsigned ulen)
{
	const struct propval *prop;
	const char *name;

	if (params == NULL || user == NULL)
		return SASL_BADPARAM;
	if (mp_sasl_mechanism_canonicalising())
		return SASL_OK;
	/* Only the authentication identity has a secret to give. */
	if ((flags & SASL_AUXPROP_AUTHZID) != 0)
		return SASL_OK;
	prop = find_password(params->utils, params->propctx);
	if (prop == NULL)
		return SASL_OK;		/* nothing this plugin gives was asked for */
	if (ulen == 0)
		ulen = (unsigned)strlen(user);
	if ((flags & SASL_AUXPROP_VERIFY_AGAINST_HASH) != 0)
		return verify_candidate(params, prop, user, ulen);
	name = prop->name;
	if (prop->values != NULL && prop->values[0] != NULL) {
		if ((flags & SASL_AUXPROP_OVERRIDE) == 0)
			return SASL_OK;	/* an earlier plugin answered */
		params->utils->prop_erase(params->propctx, name);
	}
	return serve_secret(params, name, user, ulen);
}

int
mp_auxprop_store(void *glob_context, sasl_server_params_t *params, struct propctx *ctx,
		 const char *user, unsigned ulen)
{
	/*
	 * Read-only.  libsasl2 stores through every auxprop plugin in turn and
	 * stops at the first error, except SASL_CONSTRAINT_VIOLAT, which it
	 * counts: so this answer lets a writable plugin beside this one
	 * (sasldb, for saslpasswd2) do its work, and still makes the store
	 * fail when this plugin is the only one.  libsasl2 first calls this
	 * with ctx NULL to ask whether storing works.
	 */
	if (ctx != NULL && params != NULL) {
		mp_sasl_log(params->utils, SASL_LOG_WARN,
			    "mailpass " LABEL ": read-only; change credentials with the mailpass command");
	}
	return SASL_CONSTRAINT_VIOLAT;
}
