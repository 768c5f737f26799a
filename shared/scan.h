#ifndef MP_SCAN_H
#define MP_SCAN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Checked scanning of stored values (Argon2 PHC strings, crypt strings,
 * PBKDF2 and SCRAM values).  Each function reads at *p, never past end,
 * and advances *p only on success: a parser built on them rejects rather
 * than truncates.
 */

/* mp_scan_literal - true and *p moved past literal when the text at *p starts with it. */
bool mp_scan_literal(const char **p, const char *end, const char *literal);

/*
 * mp_scan_u32 - decimal digits at *p: no sign, no leading zero (a lone "0"
 * is fine), at most UINT32_MAX.  Stops at the first non-digit.
 */
bool mp_scan_u32(const char **p, const char *end, uint32_t *value_r);

#endif
