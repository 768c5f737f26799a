/*
 * mech-login.c - the LOGIN mechanism, server side, as Cyrus SASL 2.1 does
 * it: the server asks "Username:", then "Password:"; a client may send the
 * user name as its initial response, and is then asked only for the
 * password.
 *
 * A user name or password holding a NUL byte is SASL_BADPROT (LOGIN has no
 * framing that could carry one).  An empty one, a user name longer than 255
 * bytes or a password longer than 1024 bytes (the core's limits) is
 * SASL_BADPARAM.  Nothing is truncated; a refused value is never logged.
 * The user name is canonicalised by libsasl2 as both identities (LOGIN
 * cannot ask for another authorization identity), and the password is
 * verified for the canonical name through the core; a name that
 * canonicalises to nothing (libsasl2 strips blanks) is as empty as none,
 * SASL_BADPARAM.  The password is never copied: it is checked in the buffer
 * the application handed over.
 *
 * After a failed step libsasl2 disposes of the exchange's context but lets
 * the application step on; such a step is SASL_BADPROT, as with the stock
 * LOGIN.
 */
#include <stdio.h>
#include <string.h>

#include "mp-limits.h"
#include "plugin.h"

#define MECH "LOGIN"

#define USERNAME_CHALLENGE "Username:"
#define PASSWORD_CHALLENGE "Password:"

enum login_state {
	LOGIN_START,		/* nothing received yet */
	LOGIN_USER,		/* "Username:" sent */
	LOGIN_PASSWORD,		/* "Password:" sent */
	LOGIN_DONE,
};

struct login_context {
	enum login_state state;
	char *user;		/* NUL-terminated copy, no NUL inside */
	size_t user_len;
};

int
mp_login_mech_new(void *glob_context, sasl_server_params_t *params, const char *challenge,
		  unsigned challen, void **conn_context)
{
	struct login_context *ctx;

	ctx = params->utils->malloc(sizeof(*ctx));
	if (ctx == NULL) {
		params->utils->seterror(params->utils->conn, 0, "%s", "out of memory");
		return SASL_NOMEM;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->state = LOGIN_START;
	*conn_context = ctx;
	return SASL_OK;
}

void
mp_login_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
	struct login_context *ctx = conn_context;

	if (ctx == NULL)
		return;
	if (ctx->user != NULL) {
		memset(ctx->user, 0, ctx->user_len);
		utils->free(ctx->user);
	}
	utils->free(ctx);
}

/* refuse - log why a value is refused (never the value) and return code. */
static int
refuse(const sasl_utils_t *utils, int code, const char *why)
{
	mp_sasl_log(utils, SASL_LOG_FAIL, "mailpass " MECH ": message refused: %s", why);
	utils->seterror(utils->conn, SASL_NOLOG, "%s", why);
	return code;
}

/* check_value - SASL_OK when in[0..len) may be a user name (max) or password. */
static int
check_value(const sasl_utils_t *utils, const char *in, size_t len, size_t max,
	    const char *what)
{
	char why[96];

	if (in == NULL || len == 0) {
		snprintf(why, sizeof(why), "empty %s", what);
		return refuse(utils, SASL_BADPARAM, why);
	}
	if (memchr(in, '\0', len) != NULL) {
		snprintf(why, sizeof(why), "%s contains a NUL byte", what);
		return refuse(utils, SASL_BADPROT, why);
	}
	if (len > max) {
		snprintf(why, sizeof(why), "%s longer than %zu bytes", what, max);
		return refuse(utils, SASL_BADPARAM, why);
	}
	return SASL_OK;
}

static int
take_user(sasl_server_params_t *params, struct login_context *ctx, const char *in, size_t len)
{
	int ret;

	ret = check_value(params->utils, in, len, MP_USER_MAX, "user name");
	if (ret != SASL_OK)
		return ret;
	ctx->user = params->utils->malloc(len + 1);
	if (ctx->user == NULL) {
		params->utils->seterror(params->utils->conn, 0, "%s", "out of memory");
		return SASL_NOMEM;
	}
	memcpy(ctx->user, in, len);
	ctx->user[len] = '\0';
	ctx->user_len = len;
	return SASL_OK;
}

static int
check_password(sasl_server_params_t *params, struct login_context *ctx, const char *in,
	       size_t len, sasl_out_params_t *oparams)
{
	int ret;

	ret = check_value(params->utils, in, len, MP_PASSWORD_MAX, "password");
	if (ret != SASL_OK)
		return ret;
	/* LOGIN has no authzid: the user name is both identities. */
	ret = mp_sasl_canon(params, MECH, ctx->user, ctx->user_len,
			    SASL_CU_AUTHID | SASL_CU_AUTHZID, oparams);
	if (ret != SASL_OK)
		return ret;
	if (oparams->alen == 0) {
		mp_sasl_forget_identity(oparams);
		return refuse(params->utils, SASL_BADPARAM, "empty user name once canonicalised");
	}
	ret = mp_sasl_verify(params, MECH, oparams->authid, oparams->alen, in, len);
	if (ret != SASL_OK)
		return ret;
	mp_sasl_done(oparams);
	return SASL_OK;
}

int
mp_login_mech_step(void *conn_context, sasl_server_params_t *params, const char *clientin,
		   unsigned clientinlen, const char **serverout, unsigned *serveroutlen,
		   sasl_out_params_t *oparams)
{
	struct login_context *ctx = conn_context;
	int ret;

	*serverout = NULL;
	*serveroutlen = 0;
	if (ctx == NULL) {
		/* libsasl2 disposed of the context after a failed step. */
		mp_sasl_log(params->utils, SASL_LOG_FAIL,
			    "mailpass " MECH ": step after a failed step");
		params->utils->seterror(params->utils->conn, SASL_NOLOG, "%s",
					"step after a failed step");
		return SASL_BADPROT;
	}
	switch (ctx->state) {
	case LOGIN_START:
		/* No name of an earlier exchange on this connection stands for this one. */
		mp_sasl_forget_identity(oparams);
		if (clientinlen == 0) {
			ctx->state = LOGIN_USER;
			*serverout = USERNAME_CHALLENGE;
			*serveroutlen = (unsigned)strlen(USERNAME_CHALLENGE);
			return SASL_CONTINUE;
		}
		/* The initial response is the user name. */
		__attribute__((fallthrough));
	case LOGIN_USER:
		ret = take_user(params, ctx, clientin, clientinlen);
		if (ret != SASL_OK)
			return ret;
		ctx->state = LOGIN_PASSWORD;
		*serverout = PASSWORD_CHALLENGE;
		*serveroutlen = (unsigned)strlen(PASSWORD_CHALLENGE);
		return SASL_CONTINUE;
	case LOGIN_PASSWORD:
		ctx->state = LOGIN_DONE;
		return check_password(params, ctx, clientin, clientinlen, oparams);
	case LOGIN_DONE:
		break;
	}
	mp_sasl_log(params->utils, SASL_LOG_ERR, "mailpass " MECH ": step after the end");
	return SASL_FAIL;
}
