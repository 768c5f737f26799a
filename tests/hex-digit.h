#ifndef MP_TEST_HEX_DIGIT_H
#define MP_TEST_HEX_DIGIT_H

/*
 * mp_test_hex_digit - the value of hex digit c (either case), or -1 when c
 * is none.  Inline, so that a preloaded shim (tests/free-scan.c) takes it
 * without another object, allocation or exported symbol.
 */
static inline int
mp_test_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
