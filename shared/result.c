/* result.c - names of the core's result codes, for logs and the CLI. */
#include "result.h"

const char *
mp_result_name(enum mp_result result)
{
	switch (result) {
	case MP_OK:
		return "OK";
	case MP_MISMATCH:
		return "MISMATCH";
	case MP_USER_UNKNOWN:
		return "USER_UNKNOWN";
	case MP_DISABLED:
		return "DISABLED";
	case MP_MALFORMED:
		return "MALFORMED";
	case MP_UNAVAILABLE:
		return "UNAVAILABLE";
	case MP_INTERNAL:
		return "INTERNAL";
	}
	return "INTERNAL";
}
