/* scan.c - checked scanning of literals and decimal numbers in stored values. */
#include <string.h>

#include "scan.h"

bool
mp_scan_literal(const char **p, const char *end, const char *literal)
{
	size_t len = strlen(literal);

	if ((size_t)(end - *p) < len || memcmp(*p, literal, len) != 0)
		return false;
	*p += len;
	return true;
}

bool
mp_scan_u32(const char **p, const char *end, uint32_t *value_r)
{
	const char *s = *p;
	uint64_t value = 0;

	if (s == end || *s < '0' || *s > '9')
		return false;
	if (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		value = value * 10 + (uint64_t)(*s - '0');
		if (value > UINT32_MAX)
			return false;
		s++;
	}
	*value_r = (uint32_t)value;
	*p = s;
	return true;
}
