/* hex-data.c - command-line test data in hex digits (hex-data.h). */
#include <stdlib.h>
#include <string.h>

#include "hex-data.h"
#include "hex-digit.h"

bool
mp_test_data_from_hex(const char *hex, size_t hex_len, struct mp_test_data *out)
{
	out->data = NULL;
	out->len = 0;
	if (hex_len % 2 != 0)
		return false;
	out->data = malloc(hex_len / 2 + 1);
	if (out->data == NULL)
		return false;
	out->len = hex_len / 2;
	for (size_t i = 0; i < out->len; i++) {
		int hi = mp_test_hex_digit(hex[2 * i]), lo = mp_test_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			mp_test_data_free(out);
			return false;
		}
		out->data[i] = (char)(hi << 4 | lo);
	}
	out->data[out->len] = '\0';
	return true;
}

void
mp_test_data_free(struct mp_test_data *d)
{
	if (d->data != NULL) {
		explicit_bzero(d->data, d->len);
		free(d->data);
	}
	d->data = NULL;
	d->len = 0;
}
