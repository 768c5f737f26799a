#ifndef MP_BENCH_PAM_H
#define MP_BENCH_PAM_H

/* One PAM login through the real libpam, as an authentication daemon runs it. */

/*
 * bench_pam_login - pam_start_confdir(service, user) on the service files of
 * confdir, pam_authenticate() with a conversation that answers password,
 * pam_end(); the code of pam_authenticate(), or of pam_start_confdir() when
 * that fails.  Needs nothing but libpam (see bench-pam-login.c for why).
 */
int bench_pam_login(const char *confdir, const char *service, const char *user,
		    const char *password);

/* bench_pam_code_name - "PAM_SUCCESS", "PAM_AUTH_ERR", ... or "PAM code N". */
const char *bench_pam_code_name(int code);

#endif
