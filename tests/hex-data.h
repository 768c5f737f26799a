#ifndef MP_TEST_HEX_DATA_H
#define MP_TEST_HEX_DATA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Test data given on a command line as hex digits, for the drivers that
 * hand hostile bytes (NULs included) to libpam and libsasl2.  data holds
 * len bytes and a NUL after them; it may hold a test's password, so it is
 * wiped when freed.
 */
struct mp_test_data {
	char *data;
	size_t len;
};

/*
 * mp_test_data_from_hex - hex[0..hex_len) (digits of either case, two a
 * byte) into *out; false, with *out empty, when it is not that or memory
 * runs out.
 */
bool mp_test_data_from_hex(const char *hex, size_t hex_len, struct mp_test_data *out);

/* mp_test_data_free - wipe and free d's bytes; d is empty afterwards. */
void mp_test_data_free(struct mp_test_data *d);

#endif
