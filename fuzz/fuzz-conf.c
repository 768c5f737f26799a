/*
 * fuzz-conf.c - the mailpass.conf parser.
 *
 * mp_conf_parse() on top of the defaults; on error the configuration must
 * be left unchanged and the message NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "result.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_conf conf, before;
	char error[256];
	enum mp_result result;

	mp_conf_defaults(&conf);
	memcpy(&before, &conf, sizeof(conf));
	memset(error, 'x', sizeof(error));
	error[sizeof(error) - 1] = '\0';
	result = mp_conf_parse(&conf, (const char *)data, size, error, sizeof(error));
	if (result == MP_OK) {
		if (memchr(conf.store, '\0', sizeof(conf.store)) == NULL ||
		    memchr(conf.apop_key, '\0', sizeof(conf.apop_key)) == NULL)
			abort();	/* unterminated path */
		if (conf.scheme == NULL)
			abort();
	} else {
		if (memchr(error, '\0', sizeof(error)) == NULL)
			abort();
		if (memcmp(&before, &conf, sizeof(conf)) != 0)
			abort();	/* changed on error */
	}
	return 0;
}
