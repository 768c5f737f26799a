/*
 * canon.c - libsasl2's canonicalisation of the names a client gives the
 * mechanisms PLAIN and LOGIN.
 *
 * params->canon_user canonicalises a name and then runs the auxprop lookup
 * for it, with whatever properties are requested on the connection at that
 * moment.  Those need not be the mechanism's: sasl_checkapop() requests
 * userPassword and never withdraws the request, and Cyrus pop3d keeps the
 * connection after a failed APOP, so that the next AUTH PLAIN or LOGIN on it
 * would ask the auxprop plugin "mailpass" for the user's APOP secret before
 * the password is checked: an unknown user refused there without the core's
 * dummy verify, a right password refused for an unusable APOP secret, the
 * secret unsealed for nothing.  The mechanisms verify the password through
 * the core and need no property, so while they canonicalise, that plugin
 * serves nothing and fails nothing (mp_sasl_mechanism_canonicalising()).
 *
 * libsasl2 offers no documented way to say so: SASL_CU_EXTERNALLY_VERIFIED
 * (set here as the stock PLAIN and LOGIN of libsasl2 2.1.28 set it) only
 * makes SASL_NOUSER and SASL_NOMECH from the lookup harmless; the lookup
 * still runs, and other failures still count.  Clearing the requests on the
 * propctx would also drop those the application made for itself.  Hence a
 * flag of this thread: libsasl2 runs the lookup inside the canon_user call,
 * in the caller's thread.
 */
#include "plugin.h"

/* True while a mechanism of this plugin is inside params->canon_user. */
static __thread bool canonicalising;

bool
mp_sasl_mechanism_canonicalising(void)
{
	return canonicalising;
}

int
mp_sasl_canon(sasl_server_params_t *params, const char *what, const char *name, size_t len,
	      unsigned flags, sasl_out_params_t *oparams)
{
	char printable[MP_SASL_PRINTABLE_MAX];
	bool outer = canonicalising;
	int ret;

	if ((flags & SASL_CU_AUTHID) != 0)
		flags |= SASL_CU_EXTERNALLY_VERIFIED;
	canonicalising = true;
	ret = params->canon_user(params->utils->conn, name, (unsigned)len, flags, oparams);
	canonicalising = outer;
	if (ret != SASL_OK) {
		mp_sasl_log(params->utils, SASL_LOG_FAIL,
			    "mailpass %s: %s %s not canonicalised: %s", what,
			    (flags & SASL_CU_AUTHID) != 0 ? "user" : "authzid",
			    mp_sasl_printable(name, len, printable),
			    sasl_errstring(ret, NULL, NULL));
	}
	return ret;
}

void
mp_sasl_forget_identity(sasl_out_params_t *oparams)
{
	oparams->user = NULL;
	oparams->ulen = 0;
	oparams->authid = NULL;
	oparams->alen = 0;
}
