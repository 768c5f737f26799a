/* unit-main.c - the CUnit runner for every shared/ suite. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>
#include <sodium.h>

#include "cunit-run.h"
#include "unit.h"

int
main(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "unit: sodium_init failed\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit: %s\n", CU_get_error_msg());
		return 2;
	}
	mp_test_register_result();
	mp_test_register_secret();
	mp_test_register_crypto_lib();
	mp_test_register_encoding();
	mp_test_register_scheme();
	mp_test_register_scheme_legacy();
	mp_test_register_ceilings();
	mp_test_register_apop();
	mp_test_register_apop_secret();
	mp_test_register_file_safety();
	mp_test_register_conf();
	mp_test_register_entry();
	mp_test_register_store();
	mp_test_register_store_scan();
	mp_test_register_store_index();
	mp_test_register_store_stamp();
	mp_test_register_auth();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit: registering suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	return mp_test_run_cunit();
}
