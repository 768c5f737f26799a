#ifndef MP_RESULT_H
#define MP_RESULT_H

/*
 * The one result type of every decision the core makes.  The values stay
 * distinct all the way to the adapters, which map them to PAM or SASL codes
 * in a single switch each.
 */
enum mp_result {
	MP_OK = 0,		/* the secret is right / the operation was done */
	MP_MISMATCH,		/* wrong password or digest */
	MP_USER_UNKNOWN,	/* no such user in the store */
	MP_DISABLED,		/* account exists but may not log in */
	MP_MALFORMED,		/* stored value or input unusable */
	MP_UNAVAILABLE,		/* store, config or I/O failure */
	MP_INTERNAL,		/* out of memory or a broken invariant */
};

/* mp_result_name - "OK", "MISMATCH", ...; never NULL. */
const char *mp_result_name(enum mp_result result);

#endif
