/*
 * syslog-capture.c - an LD_PRELOAD shim that writes syslog(3) messages to a
 * file, for tests on machines without a syslog daemon or /dev/log.
 *
 * Every message becomes one line appended to the file named by the
 * environment variable MAILPASS_SYSLOG_FILE:
 *
 *	<PRI> facility.level message
 *
 * The file is opened with O_APPEND for each message and written with one
 * write(2), so forked processes and threads may log at the same time.  Control
 * characters in a message are escaped (a newline becomes \n), so a message
 * is always one line.  When the variable is unset, messages are dropped, as
 * they would be without a listener.  The shim keeps no state: openlog(3)
 * and closelog(3) do nothing.
 */

/* The fortified syslog.h turns syslog() into an inline wrapper; we define the real ones. */
#undef _FORTIFY_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

/* glibc's fortified entry points, called by code built with _FORTIFY_SOURCE. */
SHIM_EXPORT void __syslog_chk(int priority, int flag, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
SHIM_EXPORT void __vsyslog_chk(int priority, int flag, const char *format, va_list ap)
	__attribute__((format(printf, 3, 0)));

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const struct {
	int facility;
	const char *name;
} facility_names[] = {
	{ LOG_KERN, "kern" },		{ LOG_USER, "user" },
	{ LOG_MAIL, "mail" },		{ LOG_DAEMON, "daemon" },
	{ LOG_AUTH, "auth" },		{ LOG_SYSLOG, "syslog" },
	{ LOG_LPR, "lpr" },		{ LOG_NEWS, "news" },
	{ LOG_UUCP, "uucp" },		{ LOG_CRON, "cron" },
	{ LOG_AUTHPRIV, "authpriv" },	{ LOG_FTP, "ftp" },
	{ LOG_LOCAL0, "local0" },	{ LOG_LOCAL1, "local1" },
	{ LOG_LOCAL2, "local2" },	{ LOG_LOCAL3, "local3" },
	{ LOG_LOCAL4, "local4" },	{ LOG_LOCAL5, "local5" },
	{ LOG_LOCAL6, "local6" },	{ LOG_LOCAL7, "local7" },
};

static const char *
facility_name(int priority)
{
	int facility = priority & LOG_FACMASK;

	if (facility == 0)
		facility = LOG_USER;	/* syslog(3): the default facility */
	for (size_t i = 0; i < sizeof(facility_names) / sizeof(facility_names[0]); i++) {
		if (facility_names[i].facility == facility)
			return facility_names[i].name;
	}
	return "unknown";
}

/* escaped_line - "<PRI> facility.level " and message with control characters escaped, "\n". */
static char *
escaped_line(int priority, const char *message, size_t *len_r)
{
	char head[64];
	size_t head_len, len = 0, msg_len = strlen(message);
	char *line;
	int n;

	n = snprintf(head, sizeof(head), "<%d> %s.%s ", priority, facility_name(priority),
		     level_names[LOG_PRI(priority)]);
	if (n < 0 || (size_t)n >= sizeof(head))
		return NULL;
	head_len = (size_t)n;
	/* Each byte takes at most four ("\ooo"), plus the head and the newline. */
	line = malloc(head_len + msg_len * 4 + 2);
	if (line == NULL)
		return NULL;
	memcpy(line, head, head_len);
	len = head_len;
	for (size_t i = 0; i < msg_len; i++) {
		unsigned char c = (unsigned char)message[i];

		if (c == '\n') {
			line[len++] = '\\';
			line[len++] = 'n';
		} else if (c == '\\') {
			line[len++] = '\\';
			line[len++] = '\\';
		} else if (c < 0x20 || c == 0x7f) {
			(void)snprintf(line + len, 5, "\\%03o", c);
			len += 4;
		} else {
			line[len++] = (char)c;
		}
	}
	line[len++] = '\n';
	*len_r = len;
	return line;
}

static void
capture(int priority, const char *format, va_list ap)
{
	const char *path = getenv("MAILPASS_SYSLOG_FILE");
	int saved_errno = errno;
	char *message = NULL, *line;
	size_t len;
	int fd;

	if (path == NULL || *path == '\0')
		return;
	/* vasprintf handles %m with the caller's errno, as syslog(3) does. */
	if (vasprintf(&message, format, ap) < 0) {
		errno = saved_errno;
		return;
	}
	line = escaped_line(priority, message, &len);
	free(message);
	if (line == NULL) {
		errno = saved_errno;
		return;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd >= 0) {
		/* One write per line: appends of whole lines do not interleave. */
		(void)write(fd, line, len);
		(void)close(fd);
	}
	free(line);
	errno = saved_errno;
}

SHIM_EXPORT void
openlog(const char *ident, int option, int facility)
{
}

SHIM_EXPORT void
closelog(void)
{
}

SHIM_EXPORT void
vsyslog(int priority, const char *format, va_list ap)
{
	capture(priority, format, ap);
}

SHIM_EXPORT void
syslog(int priority, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	capture(priority, format, ap);
	va_end(ap);
}

SHIM_EXPORT void
__vsyslog_chk(int priority, int flag, const char *format, va_list ap)
{
	capture(priority, format, ap);
}

SHIM_EXPORT void
__syslog_chk(int priority, int flag, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	capture(priority, format, ap);
	va_end(ap);
}
