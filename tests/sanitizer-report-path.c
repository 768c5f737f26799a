/*
 * sanitizer-report-path.c - linked into the programs and modules of a
 * build configured with --enable-sanitizers, and into nothing else.
 *
 * gcc's UndefinedBehaviorSanitizer runtime (libubsan) reads log_path from
 * UBSAN_OPTIONS but, when AddressSanitizer's runtime is in the process too,
 * writes its reports to stderr all the same (GCC bug 94328).  A report from
 * pam_mailpass.so inside Dovecot's auth worker or from libmailpass.so
 * inside Cyrus pop3d would then be lost with the server's stderr.  When
 * the program or module is loaded, this asks libubsan itself, through its
 * own __sanitizer_set_report_path (looked up in libubsan, not the copy that
 * libasan exports), to write where UBSAN_OPTIONS's log_path says.  Without
 * a log_path in UBSAN_OPTIONS it does nothing.
 *
 * MP_UBSAN_RUNTIME, the path of libubsan.so, comes from configure.
 */

#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef MP_UBSAN_RUNTIME
#error "MP_UBSAN_RUNTIME is defined by configure --enable-sanitizers"
#endif

#define LOG_PATH_MAX 4096

/* Separators of the sanitizers' option strings. */
static bool
is_separator(char c)
{
	return c == ':' || c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * log_path_of - copy the value of the last log_path=VALUE option (unquoted)
 * of options into buf.  Returns false when there is none, or when it is
 * empty or does not fit.
 */
static bool
log_path_of(const char *options, char *buf, size_t size)
{
	static const char key[] = "log_path=";
	bool found = false;

	if (options == NULL)
		return false;
	while (*options != '\0') {
		size_t len;

		while (is_separator(*options))
			options++;
		for (len = 0; options[len] != '\0' && !is_separator(options[len]); len++)
			;
		if (len > sizeof(key) - 1 && strncmp(options, key, sizeof(key) - 1) == 0) {
			size_t value_len = len - (sizeof(key) - 1);

			if (value_len >= size)
				return false;
			memcpy(buf, options + sizeof(key) - 1, value_len);
			buf[value_len] = '\0';
			found = true;
		}
		options += len;
	}
	return found;
}

__attribute__((constructor)) static void
set_ubsan_report_path(void)
{
	char path[LOG_PATH_MAX];
	void (*set_report_path)(const char *);
	void *ubsan;

	if (!log_path_of(getenv("UBSAN_OPTIONS"), path, sizeof(path)))
		return;
	ubsan = dlopen(MP_UBSAN_RUNTIME, RTLD_LAZY | RTLD_NOLOAD);
	if (ubsan == NULL)
		return;
	*(void **)&set_report_path = dlsym(ubsan, "__sanitizer_set_report_path");
	if (set_report_path != NULL)
		set_report_path(path);
	dlclose(ubsan);
}
