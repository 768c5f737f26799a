#ifndef MP_LIMITS_H
#define MP_LIMITS_H

/*
 * Explicit input limits.  Input over a limit is refused with a clear reason;
 * it is never truncated and never accepted.
 */

/* Longest user name, in bytes (SASL PLAIN fields need at least 255). */
#define MP_USER_MAX 255

/* Longest password or APOP secret, in bytes. */
#define MP_PASSWORD_MAX 1024

/* Longest line of a passwd-file or of mailpass.conf, in bytes, newline excluded. */
#define MP_LINE_MAX 8192

/* Longest stored password value ({SCHEME}data), in bytes. */
#define MP_STORED_MAX 4096

/* Longest APOP timestamp (RFC 1939 msg-id), in bytes. */
#define MP_APOP_TIMESTAMP_MAX 1024

/* Longest file path accepted in the configuration. */
#define MP_PATH_MAX 4096

/* Size of the buffers that carry formatted error messages (config, store). */
#define MP_ERROR_MAX 512

#endif
