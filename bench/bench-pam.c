/* bench-pam.c - one PAM transaction with a conversation that answers the password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "bench-pam.h"

/* What the conversation answers with. */
struct conv_answer {
	const char *password;
};

static int
conversation(int n, const struct pam_message **msg, struct pam_response **resp_r, void *data)
{
	const char *password = ((const struct conv_answer *)data)->password;
	struct pam_response *resp;
	int i;

	*resp_r = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	resp = calloc((size_t)n, sizeof(*resp));
	if (resp == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG || msg[i]->msg_style == PAM_TEXT_INFO)
			continue;
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			goto fail;
		resp[i].resp = strdup(password);
		if (resp[i].resp == NULL)
			goto fail;
	}
	*resp_r = resp;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		free(resp[i].resp);
	free(resp);
	return PAM_CONV_ERR;
}

int
bench_pam_login(const char *confdir, const char *service, const char *user,
		const char *password)
{
	struct conv_answer answer = { password };
	struct pam_conv conv = { conversation, &answer };
	pam_handle_t *pamh = NULL;
	int ret;

	ret = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (ret != PAM_SUCCESS)
		return ret;
	ret = pam_authenticate(pamh, 0);
	pam_end(pamh, ret);
	return ret;
}

const char *
bench_pam_code_name(int code)
{
	static char other[32];

	switch (code) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	default:
		snprintf(other, sizeof(other), "PAM code %d", code);
		return other;
	}
}
