/*
 * free-scan.c - an LD_PRELOAD shim that looks into every heap block a
 * process gives back, for the test that secrets are wiped before free.
 *
 * MAILPASS_WIPE_NEEDLES holds the secrets to look for, hex-encoded and
 * separated by commas (hex, so that the environment itself never holds a
 * needle in clear).  free(3) and realloc(3) search the block they are about
 * to release (its whole usable size, malloc_usable_size(3)) for each needle;
 * a block that still holds one is reported as one line appended to the file
 * named by MAILPASS_WIPE_REPORT:
 *
 *	hit NEEDLE-INDEX SIZE OBJECT SYMBOL
 *
 * where OBJECT and SYMBOL name the caller of free (from dladdr(3)), so a
 * report points at the code that forgot to wipe.  realloc is treated like
 * free because it may move the block and release the old one unwiped.
 *
 * The shim never allocates: needles live in a static buffer, the report is
 * written with one write(2) per line.  It calls glibc's __libc_free and
 * __libc_realloc underneath, so it works with glibc's allocator only, and
 * not under AddressSanitizer (which owns free itself).
 */

#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex-digit.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

#define NEEDLES_MAX 16
#define NEEDLE_BYTES_MAX 4096

extern void __libc_free(void *ptr);
extern void *__libc_realloc(void *ptr, size_t size);

SHIM_EXPORT void free(void *ptr);
SHIM_EXPORT void *realloc(void *ptr, size_t size);

static unsigned char needle_bytes[NEEDLE_BYTES_MAX];
static struct {
	const unsigned char *data;
	size_t len;
} needles[NEEDLES_MAX];
static size_t needle_count;
static int report_fd = -1;
static __thread int in_scan;

/* Decode "hex,hex,..." into needle_bytes; a malformed list leaves no needles. */
static void
parse_needles(const char *text)
{
	size_t used = 0;

	while (*text != '\0' && needle_count < NEEDLES_MAX) {
		size_t start = used;

		while (*text != '\0' && *text != ',') {
			int hi = mp_test_hex_digit(text[0]), lo;

			if (hi < 0 || text[1] == '\0' || (lo = mp_test_hex_digit(text[1])) < 0 ||
			    used == sizeof(needle_bytes)) {
				needle_count = 0;
				return;
			}
			needle_bytes[used++] = (unsigned char)(hi * 16 + lo);
			text += 2;
		}
		if (used > start) {
			needles[needle_count].data = needle_bytes + start;
			needles[needle_count].len = used - start;
			needle_count++;
		}
		if (*text == ',')
			text++;
	}
}

__attribute__((constructor)) static void
free_scan_init(void)
{
	const char *list = getenv("MAILPASS_WIPE_NEEDLES");
	const char *report = getenv("MAILPASS_WIPE_REPORT");

	if (list != NULL)
		parse_needles(list);
	if (report != NULL)
		report_fd = open(report, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static void
report_hit(size_t index, size_t size, const void *caller)
{
	char line[512];
	Dl_info info;
	const char *object = "?", *symbol = "?";
	int len;

	if (dladdr(caller, &info) != 0) {
		if (info.dli_fname != NULL)
			object = info.dli_fname;
		if (info.dli_sname != NULL)
			symbol = info.dli_sname;
	}
	len = snprintf(line, sizeof(line), "hit %zu %zu %s %s\n", index, size, object, symbol);
	if (len > 0 && report_fd >= 0) {
		if ((size_t)len >= sizeof(line))
			len = (int)sizeof(line) - 1;
		if (write(report_fd, line, (size_t)len) < 0) {
			/* Nothing to do: the test then sees no report and a missing file. */
		}
	}
}

static void
scan_block(void *ptr, const void *caller)
{
	size_t size, i;

	if (ptr == NULL || needle_count == 0 || in_scan)
		return;
	in_scan = 1;
	size = malloc_usable_size(ptr);
	for (i = 0; i < needle_count; i++) {
		if (memmem(ptr, size, needles[i].data, needles[i].len) != NULL) {
			report_hit(i, size, caller);
			break;
		}
	}
	in_scan = 0;
}

void
free(void *ptr)
{
	scan_block(ptr, __builtin_return_address(0));
	__libc_free(ptr);
}

void *
realloc(void *ptr, size_t size)
{
	scan_block(ptr, __builtin_return_address(0));
	return __libc_realloc(ptr, size);
}
