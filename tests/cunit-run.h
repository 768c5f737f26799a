#ifndef MP_TEST_CUNIT_RUN_H
#define MP_TEST_CUNIT_RUN_H

/*
 * mp_test_run_cunit - run every suite of the CUnit registry verbosely,
 * print "N passed, M failed", and clean the registry up.  Returns the
 * program's exit status: 0 when no assertion, test or suite set-up failed,
 * 1 otherwise.
 */
int mp_test_run_cunit(void);

#endif
