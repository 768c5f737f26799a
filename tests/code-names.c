/* code-names.c - the names of libpam's and libsasl2's return codes. */
#include <stddef.h>
#include <string.h>

#include <sasl/sasl.h>
#include <security/pam_appl.h>

#include "code-names.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

struct code_name {
	int code;
	const char *name;
};

#define CODE(c) { c, #c }

static const struct code_name pam_codes[] = {
	CODE(PAM_SUCCESS), CODE(PAM_OPEN_ERR), CODE(PAM_SYMBOL_ERR), CODE(PAM_SERVICE_ERR),
	CODE(PAM_SYSTEM_ERR), CODE(PAM_BUF_ERR), CODE(PAM_PERM_DENIED), CODE(PAM_AUTH_ERR),
	CODE(PAM_CRED_INSUFFICIENT), CODE(PAM_AUTHINFO_UNAVAIL), CODE(PAM_USER_UNKNOWN),
	CODE(PAM_MAXTRIES), CODE(PAM_NEW_AUTHTOK_REQD), CODE(PAM_ACCT_EXPIRED),
	CODE(PAM_SESSION_ERR), CODE(PAM_CRED_UNAVAIL), CODE(PAM_CRED_EXPIRED),
	CODE(PAM_CRED_ERR), CODE(PAM_NO_MODULE_DATA), CODE(PAM_CONV_ERR),
	CODE(PAM_AUTHTOK_ERR), CODE(PAM_AUTHTOK_RECOVERY_ERR), CODE(PAM_AUTHTOK_LOCK_BUSY),
	CODE(PAM_AUTHTOK_DISABLE_AGING), CODE(PAM_TRY_AGAIN), CODE(PAM_IGNORE),
	CODE(PAM_ABORT), CODE(PAM_AUTHTOK_EXPIRED), CODE(PAM_MODULE_UNKNOWN),
	CODE(PAM_BAD_ITEM), CODE(PAM_CONV_AGAIN), CODE(PAM_INCOMPLETE),
};

static const struct code_name sasl_codes[] = {
	CODE(SASL_CONTINUE), CODE(SASL_OK), CODE(SASL_FAIL), CODE(SASL_NOMEM),
	CODE(SASL_BUFOVER), CODE(SASL_NOMECH), CODE(SASL_BADPROT), CODE(SASL_NOTDONE),
	CODE(SASL_BADPARAM), CODE(SASL_TRYAGAIN), CODE(SASL_BADMAC), CODE(SASL_NOTINIT),
	CODE(SASL_INTERACT), CODE(SASL_BADSERV), CODE(SASL_WRONGMECH), CODE(SASL_BADAUTH),
	CODE(SASL_NOAUTHZ), CODE(SASL_TOOWEAK), CODE(SASL_ENCRYPT), CODE(SASL_TRANS),
	CODE(SASL_EXPIRED), CODE(SASL_DISABLED), CODE(SASL_NOUSER), CODE(SASL_BADVERS),
	CODE(SASL_UNAVAIL), CODE(SASL_NOVERIFY), CODE(SASL_PWLOCK), CODE(SASL_NOCHANGE),
	CODE(SASL_WEAKPASS), CODE(SASL_NOUSERPASS), CODE(SASL_NEED_OLD_PASSWD),
	CODE(SASL_CONSTRAINT_VIOLAT), CODE(SASL_BADBINDING), CODE(SASL_CONFIGERR),
};

#undef CODE

static const char *
find_name(const struct code_name *table, size_t n, int code)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].code == code)
			return table[i].name;
	}
	return NULL;
}

const char *
mp_test_pam_code_name(int code)
{
	return find_name(pam_codes, N_ELEMENTS(pam_codes), code);
}

int
mp_test_pam_code_value(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(pam_codes); i++) {
		if (strcmp(pam_codes[i].name, name) == 0)
			return pam_codes[i].code;
	}
	return -1;
}

const char *
mp_test_sasl_code_name(int code)
{
	return find_name(sasl_codes, N_ELEMENTS(sasl_codes), code);
}
