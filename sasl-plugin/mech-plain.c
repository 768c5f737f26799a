/*
 * mech-plain.c - the PLAIN mechanism (RFC 4616), server side.
 *
 * The client's one message is  [authzid] NUL authcid NUL passwd.  The
 * message must hold exactly two NUL bytes, so that no field holds one;
 * anything else is SASL_BADPROT.  Fields the message frames correctly but
 * that no login can have are SASL_BADPARAM: an empty authcid or password
 * (RFC 4616 wants at least one octet of each), an authcid or authzid
 * longer than 255 octets (RFC 4616 asks servers to take at least 255, the
 * core's limit for user names), a password longer than 1024 octets (the
 * core's limit).  Nothing is truncated and no field of a refused message
 * is logged, since it may hold the password.
 *
 * The authcid is canonicalised by libsasl2 first, so that the password is
 * checked for the identity libsasl2 will report, then verified through the
 * core.  An authcid that canonicalises to nothing (libsasl2 strips blanks)
 * is as empty as no authcid: SASL_BADPARAM.  An authzid is canonicalised
 * after a successful check, and libsasl2's proxy policy decides whether the
 * authcid may act for it.  An authzid that canonicalises to nothing is no
 * authzid (RFC 4616: absent, act as the authcid), as libsasl2's own proxy
 * policy reads an empty one; docs/cyrus.md says why it is not refused.
 */
#include <stdio.h>
#include <string.h>

#include "mp-limits.h"
#include "plugin.h"

#define MECH "PLAIN"

struct plain_message {
	const char *authzid, *authcid, *passwd;
	size_t authzid_len, authcid_len, passwd_len;
};

int
mp_plain_mech_new(void *glob_context, sasl_server_params_t *params, const char *challenge,
		  unsigned challen, void **conn_context)
{
	*conn_context = NULL;
	return SASL_OK;
}

static size_t
count_nuls(const char *in, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\0')
			n++;
	}
	return n;
}

/* refuse - log why a message is refused (never its fields) and return code. */
static int
refuse(const sasl_utils_t *utils, int code, const char *why)
{
	mp_sasl_log(utils, SASL_LOG_FAIL, "mailpass " MECH ": message refused: %s", why);
	utils->seterror(utils->conn, SASL_NOLOG, "%s", why);
	return code;
}

static int
parse_message(const sasl_utils_t *utils, const char *in, size_t len, struct plain_message *msg)
{
	const char *nul1, *nul2;
	char why[128];
	size_t nuls;

	memset(msg, 0, sizeof(*msg));
	nuls = in == NULL ? 0 : count_nuls(in, len);
	if (nuls != 2) {
		snprintf(why, sizeof(why), "malformed message (%zu NUL byte%s, RFC 4616 wants 2)",
			 nuls, nuls == 1 ? "" : "s");
		return refuse(utils, SASL_BADPROT, why);
	}
	nul1 = memchr(in, '\0', len);
	nul2 = memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - in));
	msg->authzid = in;
	msg->authzid_len = (size_t)(nul1 - in);
	msg->authcid = nul1 + 1;
	msg->authcid_len = (size_t)(nul2 - msg->authcid);
	msg->passwd = nul2 + 1;
	msg->passwd_len = len - (size_t)(msg->passwd - in);

	if (msg->authcid_len == 0)
		return refuse(utils, SASL_BADPARAM, "empty authentication identity");
	if (msg->passwd_len == 0)
		return refuse(utils, SASL_BADPARAM, "empty password");
	if (msg->authcid_len > MP_USER_MAX)
		return refuse(utils, SASL_BADPARAM,
			      "authentication identity longer than 255 bytes");
	if (msg->authzid_len > MP_USER_MAX)
		return refuse(utils, SASL_BADPARAM,
			      "authorization identity longer than 255 bytes");
	if (msg->passwd_len > MP_PASSWORD_MAX)
		return refuse(utils, SASL_BADPARAM, "password longer than 1024 bytes");
	return SASL_OK;
}

int
mp_plain_mech_step(void *conn_context, sasl_server_params_t *params, const char *clientin,
		   unsigned clientinlen, const char **serverout, unsigned *serveroutlen,
		   sasl_out_params_t *oparams)
{
	struct plain_message msg;
	char user[MP_SASL_PRINTABLE_MAX], authzid[MP_SASL_PRINTABLE_MAX];
	unsigned flags;
	int ret;

	*serverout = NULL;
	*serveroutlen = 0;
	/* No name of an earlier exchange on this connection stands for this one. */
	mp_sasl_forget_identity(oparams);
	ret = parse_message(params->utils, clientin, clientinlen, &msg);
	if (ret != SASL_OK)
		return ret;

	/*
	 * The password is checked for the canonical name.  Without an
	 * authzid, both identities are set at once, so that they are equal
	 * byte for byte and an application can name the user of a failed
	 * login (Postfix logs sasl_username=).  An authzid is set only after
	 * the password is right.
	 */
	flags = msg.authzid_len == 0 ? SASL_CU_AUTHID | SASL_CU_AUTHZID : SASL_CU_AUTHID;
	ret = mp_sasl_canon(params, MECH, msg.authcid, msg.authcid_len, flags, oparams);
	if (ret != SASL_OK)
		return ret;
	if (oparams->alen == 0) {
		mp_sasl_forget_identity(oparams);
		return refuse(params->utils, SASL_BADPARAM,
			      "empty authentication identity once canonicalised");
	}
	ret = mp_sasl_verify(params, MECH, oparams->authid, oparams->alen, msg.passwd,
			     msg.passwd_len);
	if (ret != SASL_OK)
		return ret;
	if (msg.authzid_len != 0) {
		mp_sasl_log(params->utils, SASL_LOG_NOTE,
			    "mailpass " MECH ": user=%s asks to act as %s",
			    mp_sasl_printable(oparams->authid, oparams->alen, user),
			    mp_sasl_printable(msg.authzid, msg.authzid_len, authzid));
		ret = mp_sasl_canon(params, MECH, msg.authzid, msg.authzid_len, SASL_CU_AUTHZID,
				    oparams);
		if (ret != SASL_OK)
			return ret;
		if (oparams->ulen == 0) {
			/* No authzid after all: the authcid's name, as without one. */
			mp_sasl_log(params->utils, SASL_LOG_NOTE,
				    "mailpass " MECH ": the authzid is empty once canonicalised; "
				    "user=%s acts as itself", user);
			ret = mp_sasl_canon(params, MECH, msg.authcid, msg.authcid_len,
					    SASL_CU_AUTHZID, oparams);
			if (ret != SASL_OK)
				return ret;
		}
	}
	mp_sasl_done(oparams);
	return SASL_OK;
}
