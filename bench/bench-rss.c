/*
 * bench-rss.c - one verification in a process of its own, for its peak RSS.
 *
 *   bench-rss CONF USER                      verify the password on stdin
 *   bench-rss --apop TIMESTAMP CONF USER     verify the APOP digest on stdin
 *   bench-rss --baseline CONF USER           look the user up, verify nothing
 *
 * The core is opened from CONF as the adapters open it (mp_auth_open), and
 * one call decides: mp_auth_verify() (no rehash), mp_auth_apop(), or, for
 * the baseline, mp_auth_account(), which reads the same record without
 * verifying anything.  Then the program prints its peak resident set size,
 * "peak_rss_kib=N", from VmHWM in /proc/self/status; the caller subtracts
 * the baseline's: what is left is the memory the verification itself
 * needed.  (Not ru_maxrss: Linux carries the parent's peak over fork and
 * exec into it, so a large parent would hide a small verification.)
 *
 * Exit status: 0 the call answered OK, 1 it did not (the result is on
 * stderr), 2 a usage or setup error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "bench-util.h"
#include "result.h"

#define INPUT_MAX 1024

#define EXIT_REFUSED 1

static char input[INPUT_MAX + 2];

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-rss [--baseline | --apop TIMESTAMP] CONF USER\n"
		"  (the password, or the APOP digest, is one line on stdin)\n"
		"  --baseline         look the user up and verify nothing\n"
		"  --apop TIMESTAMP   check an APOP digest for the greeting's TIMESTAMP\n");
	exit(BENCH_EXIT_ERROR);
}

static void
cleanup(void)
{
	sodium_memzero(input, sizeof(input));
}

/* peak_rss_kib - VmHWM of this process, in KiB; fatal when it cannot be read. */
static unsigned long
peak_rss_kib(void)
{
	char line[256];
	unsigned long kib = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		bench_fatal("cannot open /proc/self/status: %s", strerror(errno));
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "VmHWM: %lu kB", &kib) == 1;
	fclose(f);
	if (!found)
		bench_fatal("no VmHWM line in /proc/self/status");
	return kib;
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "baseline", no_argument, NULL, 'b' },
		{ "apop", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *timestamp = NULL, *conf, *user, *reason = "", *note = NULL;
	char error[MP_ERROR_MAX];
	struct mp_auth *auth = NULL;
	enum mp_result result;
	bool baseline = false;
	size_t len;
	int c;

	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case 'b':
			baseline = true;
			break;
		case 'a':
			timestamp = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || (baseline && timestamp != NULL))
		usage();
	conf = argv[optind];
	user = argv[optind + 1];

	bench_init("bench-rss", cleanup);
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");
	if (fgets(input, sizeof(input), stdin) == NULL)
		bench_fatal("nothing on stdin");
	len = strcspn(input, "\n");
	if (input[len] != '\n' && !feof(stdin))
		bench_fatal("the input is longer than %d bytes", INPUT_MAX);
	input[len] = '\0';

	error[0] = '\0';
	result = mp_auth_open(conf, &auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open returned %s: %s", mp_result_name(result), error);
	if (baseline)
		result = mp_auth_account(auth, user, strlen(user), &reason);
	else if (timestamp != NULL)
		result = mp_auth_apop(auth, user, strlen(user), timestamp, strlen(timestamp),
				      input, len, &reason);
	else
		result = mp_auth_verify(auth, user, strlen(user), input, len,
					MP_VERIFY_NO_REHASH, &reason, &note);
	mp_auth_close(&auth);
	cleanup();
	if (result != MP_OK) {
		fprintf(stderr, "bench-rss: %s for %s: %s (%s)\n",
			baseline ? "mp_auth_account" : timestamp != NULL ? "mp_auth_apop" :
			"mp_auth_verify", user, mp_result_name(result), reason);
		return EXIT_REFUSED;
	}
	printf("peak_rss_kib=%lu\n", peak_rss_kib());
	if (fflush(stdout) != 0)
		bench_fatal("cannot write the result: %s", strerror(errno));
	return EXIT_SUCCESS;
}
