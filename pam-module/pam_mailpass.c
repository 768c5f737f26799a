/*
 * pam_mailpass.c - the Linux-PAM adapter: option parsing, the conversation
 * (through pam_get_authtok), the mapping of core results to PAM codes, and
 * logging through pam_syslog.  Every decision is the core's.
 *
 * Options: conf=PATH debug use_first_pass try_first_pass nullok no_rehash
 * (use_first_pass and try_first_pass are read by pam_get_authtok itself).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_PASSWORD
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "auth.h"
#include "mp-limits.h"

#define MP_PAM_EXPORT __attribute__((visibility("default")))

#ifndef MP_DEFAULT_CONF_PATH
#define MP_DEFAULT_CONF_PATH "/etc/mailpass.conf"
#endif

struct options {
	const char *conf;	/* NULL: conf= was unusable, and that was logged */
	bool debug;
	bool nullok;
	bool no_rehash;
};

/* Which PAM function a result is mapped for: the valid codes differ. */
enum phase { PHASE_AUTH, PHASE_ACCOUNT, PHASE_PASSWORD };

/*
 * conf_option - the path of a conf= option, or NULL (logged) when it names
 * no usable file: empty, relative (the store's paths must be absolute, and
 * the server's working directory is no place to look), or given before.
 * A module line that names a configuration the module cannot be sure of
 * fails closed rather than falling back on the default.
 */
static const char *
conf_option(pam_handle_t *pamh, const char *path, bool seen_before)
{
	if (seen_before) {
		pam_syslog(pamh, LOG_ERR, "conf= given more than once");
		return NULL;
	}
	if (path[0] != '/') {
		pam_syslog(pamh, LOG_ERR, "conf= needs an absolute path, not \"%s\"", path);
		return NULL;
	}
	return path;
}

static void
parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *opts)
{
	bool conf_seen = false;

	memset(opts, 0, sizeof(*opts));
	opts->conf = MP_DEFAULT_CONF_PATH;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "conf=", 5) == 0) {
			opts->conf = conf_option(pamh, arg + 5, conf_seen);
			conf_seen = true;
		} else if (strcmp(arg, "debug") == 0)
			opts->debug = true;
		else if (strcmp(arg, "nullok") == 0)
			opts->nullok = true;
		else if (strcmp(arg, "no_rehash") == 0)
			opts->no_rehash = true;
		else if (strcmp(arg, "use_first_pass") == 0 || strcmp(arg, "try_first_pass") == 0 ||
			 strcmp(arg, "use_authtok") == 0)
			;	/* pam_get_authtok reads these itself */
		else
			pam_syslog(pamh, LOG_ERR, "unknown option ignored: %s", arg);
	}
}

/* to_pam - the one mapping of core results to PAM codes. */
static int
to_pam(enum mp_result result, enum phase phase)
{
	switch (result) {
	case MP_OK:
		return PAM_SUCCESS;
	case MP_MISMATCH:
		return PAM_AUTH_ERR;
	case MP_USER_UNKNOWN:
		return PAM_USER_UNKNOWN;
	case MP_DISABLED:
		return phase == PHASE_AUTH ? PAM_AUTH_ERR : PAM_PERM_DENIED;
	case MP_MALFORMED:
		return phase == PHASE_PASSWORD ? PAM_AUTHTOK_ERR : PAM_AUTH_ERR;
	case MP_UNAVAILABLE:
		return phase == PHASE_PASSWORD ? PAM_AUTHTOK_ERR : PAM_AUTHINFO_UNAVAIL;
	case MP_INTERNAL:
		return PAM_BUF_ERR;
	}
	return PAM_SERVICE_ERR;
}

/*
 * log_safe - a copy of untrusted text fit for one log line: bytes outside
 * printable ASCII become '?', and text longer than the buffer ends in "...".
 */
static const char *
log_safe(const char *text, char *buf, size_t size)
{
	size_t i;

	if (text == NULL)
		return "-";
	for (i = 0; text[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		buf[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[i] = '\0';
	if (text[i] != '\0' && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

/* log_outcome - a decision's line: service, user, rhost, result, reason; never a secret. */
static void
log_outcome(pam_handle_t *pamh, const struct options *opts, const char *what,
	    const char *user, enum mp_result result, const char *reason)
{
	const void *service = NULL, *rhost = NULL;
	char user_buf[MP_USER_MAX + 1], rhost_buf[256];
	int priority = result == MP_OK ? LOG_INFO : LOG_NOTICE;

	/*
	 * A login or check that passes is logged only with debug: the mail
	 * server logs each login itself.  A changed password is always logged.
	 */
	if (result == MP_OK && !opts->debug && strcmp(what, "chauthtok") != 0)
		return;
	if (result == MP_UNAVAILABLE || result == MP_INTERNAL)
		priority = LOG_ERR;
	(void)pam_get_item(pamh, PAM_SERVICE, &service);
	(void)pam_get_item(pamh, PAM_RHOST, &rhost);
	pam_syslog(pamh, priority, "%s: service=%s user=%s rhost=%s: %s (%s)", what,
		   service != NULL ? (const char *)service : "-",
		   log_safe(user, user_buf, sizeof(user_buf)),
		   log_safe(rhost, rhost_buf, sizeof(rhost_buf)),
		   mp_result_name(result), reason != NULL && *reason != '\0' ? reason : "-");
}

static enum mp_result
open_auth(pam_handle_t *pamh, const struct options *opts, struct mp_auth **auth_r)
{
	char error[MP_ERROR_MAX];
	enum mp_result result;

	if (opts->conf == NULL)
		return MP_UNAVAILABLE;	/* parse_options() said why */
	result = mp_auth_open(opts->conf, auth_r, error, sizeof(error));
	if (result != MP_OK) {
		pam_syslog(pamh, LOG_ERR, "cannot use %s: %s", opts->conf, error);
		/* A configuration with an error is as unusable as a missing one. */
		if (result != MP_INTERNAL)
			result = MP_UNAVAILABLE;
	} else if (mp_auth_warning(*auth_r) != NULL) {
		pam_syslog(pamh, LOG_WARNING, "%s", mp_auth_warning(*auth_r));
	}
	return result;
}

/*
 * What pam_sm_authenticate's check saw of the account (auth.h), kept in the
 * PAM handle for pam_sm_acct_mgmt, so that the account step of the same
 * transaction need not read the store again.
 */
#define SEEN_DATA "pam_mailpass_account_seen"

static void
free_seen(pam_handle_t *pamh, void *data, int error_status)
{
	struct mp_account_seen *seen = data;

	(void)pamh;
	(void)error_status;
	mp_account_seen_free(&seen);
}

/* keep_seen - seen (NULL: nothing) replaces what an earlier check left. */
static void
keep_seen(pam_handle_t *pamh, struct mp_account_seen *seen)
{
	if (pam_set_data(pamh, SEEN_DATA, seen, free_seen) != PAM_SUCCESS)
		mp_account_seen_free(&seen);
}

static int
get_user(pam_handle_t *pamh, const char **user_r)
{
	int ret = pam_get_user(pamh, user_r, NULL);

	if (ret != PAM_SUCCESS || *user_r == NULL || **user_r == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name");
		return ret == PAM_SUCCESS ? PAM_USER_UNKNOWN : ret;
	}
	return PAM_SUCCESS;
}

MP_PAM_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct options opts;
	struct mp_auth *auth = NULL;
	struct mp_account_seen *seen = NULL;
	const char *user = NULL, *password = NULL, *reason = "", *note = NULL;
	char user_buf[MP_USER_MAX + 1];
	unsigned int verify_flags = 0;
	enum mp_result result;
	int ret;

	parse_options(pamh, argc, argv, &opts);
	ret = get_user(pamh, &user);
	if (ret != PAM_SUCCESS)
		return ret;
	ret = pam_get_authtok(pamh, PAM_AUTHTOK, &password, NULL);
	if (ret != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "cannot obtain the password: %s",
			   pam_strerror(pamh, ret));
		return ret;
	}
	if (password == NULL)
		password = "";

	result = open_auth(pamh, &opts, &auth);
	if (result == MP_OK) {
		if (opts.nullok && (flags & PAM_DISALLOW_NULL_AUTHTOK) == 0)
			verify_flags |= MP_VERIFY_NULLOK;
		if (opts.no_rehash)
			verify_flags |= MP_VERIFY_NO_REHASH;
		result = mp_auth_verify_seen(auth, user, strlen(user), password,
					     strlen(password), verify_flags, &seen, &reason,
					     &note);
		mp_auth_close(&auth);
	} else {
		reason = "configuration or store unusable";
	}
	keep_seen(pamh, seen);
	log_outcome(pamh, &opts, "authenticate", user, result, reason);
	if (note != NULL && (opts.debug || strcmp(note, "rehashed") != 0))
		pam_syslog(pamh, strcmp(note, "rehashed") == 0 ? LOG_INFO : LOG_WARNING,
			   "rehash for user=%s: %s", log_safe(user, user_buf, sizeof(user_buf)),
			   note);
	return to_pam(result, PHASE_AUTH);
}

MP_PAM_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

MP_PAM_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct options opts;
	struct mp_auth *auth = NULL;
	const void *seen = NULL;
	const char *user = NULL, *reason = "";
	enum mp_result result;
	int ret;

	parse_options(pamh, argc, argv, &opts);
	ret = get_user(pamh, &user);
	if (ret != PAM_SUCCESS)
		return ret;
	result = open_auth(pamh, &opts, &auth);
	if (result == MP_OK) {
		if (pam_get_data(pamh, SEEN_DATA, &seen) != PAM_SUCCESS)
			seen = NULL;
		result = mp_auth_account_since(auth, seen, user, strlen(user), &reason);
		mp_auth_close(&auth);
	} else {
		reason = "configuration or store unusable";
	}
	log_outcome(pamh, &opts, "account", user, result, reason);
	return to_pam(result, PHASE_ACCOUNT);
}

/*
 * may_change - may this caller change user's password?  Root may (and may
 * reset a locked account); anyone else proves the current password.  In
 * the preliminary pass the old password is asked for (pam_get_authtok); in
 * the update pass it is the PAM_OLDAUTHTOK item the preliminary pass left,
 * checked again: libpam runs the update pass whenever the stack as a whole
 * passed the preliminary one, which a "sufficient" or "optional"
 * pam_mailpass does even when its own check failed.  what names the log
 * line of a refusal.
 */
static int
may_change(pam_handle_t *pamh, const struct options *opts, struct mp_auth *auth,
	   const char *user, bool prelim, const char *what)
{
	const void *item = NULL;
	const char *old = NULL, *reason = "", *note = NULL;
	enum mp_result result;
	int ret;

	if (getuid() == 0) {
		if (!prelim)
			return PAM_SUCCESS;	/* the change itself finds an unknown user */
		result = mp_auth_account(auth, user, strlen(user), &reason);
		if (result == MP_DISABLED)
			result = MP_OK;	/* root may reset a locked account */
	} else {
		if (prelim) {
			ret = pam_get_authtok(pamh, PAM_OLDAUTHTOK, &old, NULL);
		} else {
			ret = pam_get_item(pamh, PAM_OLDAUTHTOK, &item);
			old = item;
		}
		if (ret != PAM_SUCCESS) {
			pam_syslog(pamh, LOG_NOTICE, "cannot obtain the current password: %s",
				   pam_strerror(pamh, ret));
			return ret;
		}
		result = mp_auth_verify(auth, user, strlen(user), old != NULL ? old : "",
					old != NULL ? strlen(old) : 0, MP_VERIFY_NO_REHASH,
					&reason, &note);
	}
	if (result != MP_OK || prelim)
		log_outcome(pamh, opts, what, user, result, reason);
	return result == MP_OK ? PAM_SUCCESS : to_pam(result, PHASE_PASSWORD);
}

MP_PAM_EXPORT int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct options opts;
	struct mp_auth *auth = NULL;
	const char *user = NULL, *password = NULL, *reason = "";
	enum mp_result result;
	int ret;

	parse_options(pamh, argc, argv, &opts);
	ret = get_user(pamh, &user);
	if (ret != PAM_SUCCESS)
		return ret;
	result = open_auth(pamh, &opts, &auth);
	if (result != MP_OK)
		return to_pam(result, PHASE_PASSWORD);

	if ((flags & PAM_PRELIM_CHECK) != 0) {
		ret = may_change(pamh, &opts, auth, user, true, "chauthtok check");
		mp_auth_close(&auth);
		return ret;
	}
	ret = may_change(pamh, &opts, auth, user, false, "chauthtok");
	if (ret != PAM_SUCCESS) {
		mp_auth_close(&auth);
		return ret;
	}
	ret = pam_get_authtok(pamh, PAM_AUTHTOK, &password, NULL);
	if (ret != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "cannot obtain the new password: %s",
			   pam_strerror(pamh, ret));
		mp_auth_close(&auth);
		return ret;
	}
	result = mp_auth_set_password(auth, user, strlen(user), password != NULL ? password : "",
				      password != NULL ? strlen(password) : 0, false, &reason);
	mp_auth_close(&auth);
	log_outcome(pamh, &opts, "chauthtok", user, result, reason);
	return to_pam(result, PHASE_PASSWORD);
}
