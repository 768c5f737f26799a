/* cunit-run.c - running the registered CUnit suites, for every test program. */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "cunit-run.h"

int
mp_test_run_cunit(void)
{
	unsigned int failures, failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* A suite whose set-up failed ran none of its tests: it counts as failed. */
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	failures = CU_get_number_of_failures() + failed;
	printf("\n%u passed, %u failed\n",
	       CU_get_number_of_tests_run() - CU_get_number_of_tests_failed(), failed);
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
