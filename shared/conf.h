#ifndef MP_CONF_H
#define MP_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "file-safety.h"
#include "mp-limits.h"
#include "result.h"
#include "scheme.h"

/*
 * mailpass.conf(5): "key = value" lines, '#' comment lines, blank lines.
 * An unknown key, a key given twice, a line without '=', an empty or
 * out-of-range value, or a line over MP_LINE_MAX is an error naming the line.
 */

#define MP_CONF_DEFAULT_STORE "file:/etc/mailpass/passwd"

/*
 * The small settings come first and the two path buffers last: a login
 * writes the first page of this and reads one byte of the next.
 */
struct mp_conf {
	const struct mp_scheme *scheme;		/* new hashes and rehash target */
	struct mp_hash_params hash;		/* argon2_opslimit, argon2_memlimit */
	struct mp_verify_limits limits;		/* the *_max_* ceilings */
	bool rehash;
	char store_owner[MP_OWNER_NAME_MAX + 1];	/* "" when unset */
	char store[MP_PATH_MAX + 16];		/* "file:/etc/mailpass/passwd" */
	char apop_key[MP_PATH_MAX];		/* "" when unset */
};

/* mp_conf_defaults - fill conf with the built-in defaults of mailpass.conf(5). */
void mp_conf_defaults(struct mp_conf *conf);

/*
 * mp_conf_parse - apply text[0..len) on top of conf.  Returns MP_OK or
 * MP_MALFORMED with "line N: ..." in error_r.  conf is left unchanged on error.
 */
enum mp_result mp_conf_parse(struct mp_conf *conf, const char *text, size_t len,
			     char *error_r, size_t error_size);

/*
 * mp_conf_load - defaults, then the file at path.  Returns MP_OK,
 * MP_UNAVAILABLE (missing or unreadable file) or MP_MALFORMED, with a
 * message naming the file in error_r.
 */
enum mp_result mp_conf_load(struct mp_conf *conf, const char *path,
			    char *error_r, size_t error_size);

/*
 * mp_conf_load_zeroed - mp_conf_load into a conf whose bytes are all zero
 * (as calloc() gives it), in place: no copy of its 8 KiB, and only the
 * pages the settings are on are written.  On error conf is in no defined
 * state; for a handle that is thrown away when its configuration is bad.
 */
enum mp_result mp_conf_load_zeroed(struct mp_conf *conf, const char *path,
				   char *error_r, size_t error_size);

/* mp_parse_size - "65536", "64K", "64M", "1G" into bytes; false when invalid or overflowing. */
bool mp_parse_size(const char *text, size_t *bytes_r);

#endif
