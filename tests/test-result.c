/* test-result.c - the names of the result codes. */
#include <string.h>

#include "unit.h"

static void
test_result_names(void)
{
	static const struct {
		enum mp_result result;
		const char *want;
	} rows[] = {
		{ MP_OK, "OK" },
		{ MP_MISMATCH, "MISMATCH" },
		{ MP_USER_UNKNOWN, "USER_UNKNOWN" },
		{ MP_DISABLED, "DISABLED" },
		{ MP_MALFORMED, "MALFORMED" },
		{ MP_UNAVAILABLE, "UNAVAILABLE" },
		{ MP_INTERNAL, "INTERNAL" },
		{ (enum mp_result)99, "INTERNAL" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		MP_CHECK_STR(rows[i].want, mp_result_name(rows[i].result), rows[i].want);
}

void
mp_test_register_result(void)
{
	CU_pSuite suite = CU_add_suite("result", NULL, NULL);

	CU_add_test(suite, "result names", test_result_names);
}
