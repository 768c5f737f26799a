/*
 * fuzz-sasl-login.c - the SASL LOGIN exchange through mp_login_mech_step()
 * of sasl-plugin/mech-login.c.  The first byte chooses whether the client
 * sends an initial response (bit 0 clear) or waits for "Username:"; the
 * rest is split at the first '\n' into the user name and the password,
 * sent while the server continues.  A step after a success must fail.
 */
#include <stdint.h>

#include "fuzz-sasl.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sasl_setup();
	return 0;
}


/* step - one step with an exact-size heap copy of in[0..len). */
static int
step(void *ctx, const char *in, size_t len, sasl_out_params_t *oparams)
{
	const char *out = NULL;
	unsigned out_len = 0;
	char *copy = malloc(len == 0 ? 1 : len);
	int ret;

	if (copy == NULL)
		abort();
	memcpy(copy, in, len);
	ret = mp_login_mech_step(ctx, &fuzz_params, len == 0 ? NULL : copy, (unsigned)len, &out,
				 &out_len, oparams);
	if (ret == SASL_CONTINUE && (out == NULL || out_len != strlen(out)))
		abort();
	if (ret != SASL_CONTINUE && (out != NULL || out_len != 0))
		abort();
	free(copy);
	return ret;
}

/* setup_check - the harness must reach the store: the right password is accepted. */
static void
setup_check(void)
{
	sasl_out_params_t oparams;
	void *ctx = NULL;

	memset(&oparams, 0, sizeof(oparams));
	if (mp_login_mech_new(NULL, &fuzz_params, NULL, 0, &ctx) != SASL_OK ||
	    step(ctx, "alice", 5, &oparams) != SASL_CONTINUE ||
	    step(ctx, "secret", 6, &oparams) != SASL_OK) {
		fprintf(stderr, "fuzz-sasl-login: setup check failed: %s\n", fuzz_log);
		abort();
	}
	mp_login_mech_dispose(ctx, &fuzz_utils);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sasl_out_params_t oparams;
	const char *user, *password, *nl;
	const char *parts[3];
	size_t user_len, password_len, lens[3];
	void *ctx = NULL;
	int i, ret;

	static int checked;

	if (!checked) {
		setup_check();
		checked = 1;
	}
	if (size == 0 || size > 4 * MP_PASSWORD_MAX)
		return 0;
	user = (const char *)data + 1;
	nl = memchr(user, '\n', size - 1);
	user_len = nl == NULL ? size - 1 : (size_t)(nl - user);
	password = nl == NULL ? "" : nl + 1;
	password_len = nl == NULL ? 0 : size - 1 - user_len - 1;

	memset(&oparams, 0, sizeof(oparams));
	if (mp_login_mech_new(NULL, &fuzz_params, NULL, 0, &ctx) != SASL_OK)
		abort();
	/*
	 * An empty initial response is the same as none (the server asks for
	 * the user name), so the parts are fed while the server continues.
	 */
	parts[0] = ""; lens[0] = 0;
	parts[1] = user; lens[1] = user_len;
	parts[2] = password; lens[2] = password_len;
	ret = SASL_CONTINUE;
	for (i = (data[0] & 1) != 0 ? 0 : 1; i < 3 && ret == SASL_CONTINUE; i++) {
		ret = step(ctx, parts[i], lens[i], &oparams);
		if (ret == SASL_OK && oparams.doneflag != 1)
			abort();	/* accepted but not done */
	}
	if (ret == SASL_OK && step(ctx, "x", 1, &oparams) != SASL_FAIL)
		abort();	/* a step after the end */
	mp_login_mech_dispose(ctx, &fuzz_utils);
	return 0;
}
