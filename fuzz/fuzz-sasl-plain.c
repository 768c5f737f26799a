/*
 * fuzz-sasl-plain.c - the SASL PLAIN message (RFC 4616) as the client sends
 * it: authzid NUL authcid NUL passwd, through mp_plain_mech_step() of
 * sasl-plugin/mech-plain.c to the store.
 */
#include <stdint.h>

#include "fuzz-sasl.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sasl_setup();
	{
		/* The harness must reach the store: the right password is accepted. */
		static const char good[] = "\0alice\0secret";
		sasl_out_params_t oparams;
		const char *out;
		unsigned out_len;
		void *ctx = NULL;

		memset(&oparams, 0, sizeof(oparams));
		if (mp_plain_mech_step(ctx, &fuzz_params, good, sizeof(good) - 1, &out, &out_len,
				       &oparams) != SASL_OK) {
			fprintf(stderr, "fuzz-sasl-plain: setup check failed: %s\n", fuzz_log);
			abort();
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sasl_out_params_t oparams;
	const char *out = (const char *)1;
	unsigned out_len = 1;
	void *ctx = NULL;
	char *in;
	int ret;

	if (size > 4 * MP_PASSWORD_MAX)
		return 0;
	in = malloc(size == 0 ? 1 : size);	/* exact size, no NUL after it */
	if (in == NULL)
		abort();
	memcpy(in, data, size);
	memset(&oparams, 0, sizeof(oparams));
	if (mp_plain_mech_new(NULL, &fuzz_params, NULL, 0, &ctx) != SASL_OK)
		abort();
	ret = mp_plain_mech_step(ctx, &fuzz_params, size == 0 ? NULL : in, (unsigned)size,
				 &out, &out_len, &oparams);
	if (out != NULL || out_len != 0)
		abort();	/* PLAIN has nothing to send back */
	if (ret == SASL_OK && (oparams.doneflag != 1 || oparams.authid == NULL))
		abort();
	free(in);
	return 0;
}
