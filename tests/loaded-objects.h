#ifndef MP_TEST_LOADED_OBJECTS_H
#define MP_TEST_LOADED_OBJECTS_H

#include <stdbool.h>

/*
 * mp_test_loaded - an object whose path holds name ("libsodium", say) is
 * loaded in this process (dl_iterate_phdr).  For the tests that show which
 * libraries a login loads.
 */
bool mp_test_loaded(const char *name);

#endif
