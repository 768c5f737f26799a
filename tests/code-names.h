#ifndef MP_TEST_CODE_NAMES_H
#define MP_TEST_CODE_NAMES_H

/*
 * The names of libpam's and libsasl2's return codes, for "got X, want Y"
 * and for reports.  Built with both libraries' headers; links neither.
 */

/* mp_test_pam_code_name - "PAM_SUCCESS", "PAM_AUTH_ERR", ...; NULL for an unknown code. */
const char *mp_test_pam_code_name(int code);

/* mp_test_pam_code_value - the code named name ("PAM_AUTH_ERR"); -1 for an unknown name. */
int mp_test_pam_code_value(const char *name);

/* mp_test_sasl_code_name - "SASL_OK", "SASL_BADAUTH", ...; NULL for an unknown code. */
const char *mp_test_sasl_code_name(int code);

#endif
