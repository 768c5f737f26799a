/*
 * bench-pam-login.c - PAM logins through the real libpam, cold or warm.
 *
 *   bench-pam-login CONFDIR USER SERVICE...
 *       one login per service in this process (pam_start_confdir,
 *       pam_authenticate, pam_end); the exit status says whether every one
 *       succeeded.  This is the "cold" login: a new process that loads
 *       libpam, reads the service file, loads the module and asks it once,
 *       as pamtester or a forking server does.
 *
 *   bench-pam-login -c ROUNDS CONFDIR USER SERVICE...
 *       cold, timed: each round starts this program once per service (in
 *       an order that rotates from round to round) and times it from spawn
 *       to exit.
 *
 *   bench-pam-login -w ROUNDS CONFDIR USER SERVICE...
 *       warm, timed: the same rounds in this one process, as a long-lived
 *       authentication worker runs them.
 *
 * The password is read from stdin (one line), never from the command line.
 * Comparing services in one run puts the modules side by side under the same
 * harness: the same process, the same libpam, the same file cache.
 *
 * The program links libpam and nothing else of the project's (not even
 * bench-util.c, which needs libsodium): a library the harness had loaded
 * already would make a module that needs it look cheaper to load.
 *
 * Exit status: 0 every login succeeded, 1 a login was refused, 2 a usage or
 * setup error.  In the timed modes every login must succeed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "bench-pam.h"

#define MAX_ROUNDS 100000
#define MAX_SERVICES 8
#define PASSWORD_MAX 1024

#define EXIT_REFUSED 1
#define EXIT_ERROR 2

extern char **environ;

enum mode { MODE_ONCE, MODE_COLD, MODE_WARM };

struct service_result {
	const char *service;
	double median_us, min_us, max_us;
};

static char password[PASSWORD_MAX + 2];

static void usage(void) __attribute__((noreturn));
static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-pam-login [-c ROUNDS | -w ROUNDS] [--json] CONFDIR USER SERVICE...\n"
		"  (the password is one line on stdin)\n"
		"  -c ROUNDS   cold: every login in a new process, timed from spawn to exit\n"
		"  -w ROUNDS   warm: every login in this process\n"
		"  --json      the timings as one JSON object instead of a table\n"
		"  without -c or -w: one login per service, the exit status says whether all succeeded\n");
	exit(EXIT_ERROR);
}

static void
cleanup(void)
{
	explicit_bzero(password, sizeof(password));
}

static void
fatal(const char *fmt, ...)
{
	va_list args;

	fflush(stdout);
	fputs("bench-pam-login: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	cleanup();
	exit(EXIT_ERROR);
}

/* now - seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* parse_rounds - a decimal count from 1 to MAX_ROUNDS; false for anything else. */
static bool
parse_rounds(const char *text, unsigned int *value_r)
{
	unsigned long value;
	char *end;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		return false;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < 1 || value > MAX_ROUNDS)
		return false;
	*value_r = (unsigned int)value;
	return true;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* stats - median, minimum and maximum of values[0..n); values is sorted in place. */
static void
stats(double *values, unsigned int n, double *median_r, double *min_r, double *max_r)
{
	qsort(values, n, sizeof(values[0]), compare_double);
	*median_r = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	*min_r = values[0];
	*max_r = values[n - 1];
}

/* read_password - one line from stdin, without its newline. */
static void
read_password(void)
{
	size_t len;

	if (fgets(password, sizeof(password), stdin) == NULL)
		fatal("no password on stdin");
	len = strcspn(password, "\n");
	if (password[len] != '\n' && !feof(stdin))
		fatal("the password is longer than %d bytes", PASSWORD_MAX);
	password[len] = '\0';
}

/* spawn_login - this program for one login; wall seconds. */
static double
spawn_login(char *self, char *confdir, char *user, char *service)
{
	char *child_argv[] = { self, confdir, user, service, NULL };
	posix_spawn_file_actions_t actions;
	double start, elapsed;
	size_t len = strlen(password);
	int fds[2], status, ret;
	pid_t pid;

	/* The password waits in the pipe before the child starts: it fits in the buffer. */
	if (pipe(fds) != 0)
		fatal("pipe: %s", strerror(errno));
	if (write(fds[1], password, len) != (ssize_t)len || write(fds[1], "\n", 1) != 1)
		fatal("write to the pipe: %s", strerror(errno));
	close(fds[1]);
	if (posix_spawn_file_actions_init(&actions) != 0 ||
	    posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO) != 0 ||
	    posix_spawn_file_actions_addclose(&actions, fds[0]) != 0)
		fatal("posix_spawn_file_actions: out of memory");

	start = now();
	ret = posix_spawn(&pid, self, &actions, NULL, child_argv, environ);
	if (ret != 0)
		fatal("posix_spawn %s: %s", self, strerror(ret));
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	}
	elapsed = now() - start;

	posix_spawn_file_actions_destroy(&actions);
	close(fds[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatal("the login of %s through service %s failed (status 0x%x)", user,
		      service, (unsigned int)status);
	return elapsed;
}

/* warm_login - one login in this process; wall seconds. */
static double
warm_login(const char *confdir, const char *user, const char *service)
{
	double start, elapsed;
	int ret;

	start = now();
	ret = bench_pam_login(confdir, service, user, password);
	elapsed = now() - start;
	if (ret != PAM_SUCCESS)
		fatal("the login of %s through service %s returned %s", user, service,
		      bench_pam_code_name(ret));
	return elapsed;
}

static void
timed(enum mode mode, unsigned int rounds, char *confdir, char *user, char **services,
      int n_services, struct service_result *results)
{
	double *us[MAX_SERVICES];
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		fatal("readlink /proc/self/exe: %s", strerror(errno));
	self[n] = '\0';

	for (int s = 0; s < n_services; s++) {
		us[s] = calloc(rounds, sizeof(double));
		if (us[s] == NULL)
			fatal("out of memory");
	}
	for (unsigned int i = 0; i < rounds; i++) {
		for (int k = 0; k < n_services; k++) {
			int s = (int)((i + (unsigned int)k) % (unsigned int)n_services);

			if (mode == MODE_COLD)
				us[s][i] = spawn_login(self, confdir, user, services[s]) * 1e6;
			else
				us[s][i] = warm_login(confdir, user, services[s]) * 1e6;
		}
	}
	for (int s = 0; s < n_services; s++) {
		results[s].service = services[s];
		stats(us[s], rounds, &results[s].median_us, &results[s].min_us,
			    &results[s].max_us);
		free(us[s]);
	}
}

static void
print_results(enum mode mode, bool json, unsigned int rounds, const char *user,
	      const struct service_result *results, int n_services)
{
	const char *name = mode == MODE_COLD ? "cold" : "warm";

	if (json) {
		printf("{\"mode\": \"%s\", \"rounds\": %u, \"user\": \"%s\", \"services\": {",
		       name, rounds, user);
		for (int s = 0; s < n_services; s++)
			printf("%s\"%s\": {\"median_us\": %.3f, \"min_us\": %.3f, "
			       "\"max_us\": %.3f}", s == 0 ? "" : ", ", results[s].service,
			       results[s].median_us, results[s].min_us, results[s].max_us);
		printf("}}\n");
		return;
	}
	printf("%-4s  %-32s  %-12s  %6s  %12s  %12s  %12s\n", "mode", "service", "user",
	       "rounds", "median us", "min us", "max us");
	for (int s = 0; s < n_services; s++)
		printf("%-4s  %-32s  %-12s  %6u  %12.1f  %12.1f  %12.1f\n", name,
		       results[s].service, user, rounds, results[s].median_us,
		       results[s].min_us, results[s].max_us);
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct service_result results[MAX_SERVICES];
	char *confdir, *user;
	enum mode mode = MODE_ONCE;
	unsigned int rounds = 0;
	bool json = false, refused = false;
	int c, n_services;

	while ((c = getopt_long(argc, argv, "+c:w:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 'w':
			if (mode != MODE_ONCE || !parse_rounds(optarg, &rounds))
				usage();
			mode = c == 'c' ? MODE_COLD : MODE_WARM;
			break;
		case 'j':
			json = true;
			break;
		default:
			usage();
		}
	}
	n_services = argc - optind - 2;
	if (n_services < 1 || n_services > MAX_SERVICES || (json && mode == MODE_ONCE))
		usage();
	confdir = argv[optind];
	user = argv[optind + 1];

	read_password();

	if (mode == MODE_ONCE) {
		for (int s = 0; s < n_services; s++) {
			int ret = bench_pam_login(confdir, argv[optind + 2 + s], user, password);

			if (ret != PAM_SUCCESS)
				refused = true;
		}
		cleanup();
		return refused ? EXIT_REFUSED : EXIT_SUCCESS;
	}

	timed(mode, rounds, confdir, user, argv + optind + 2, n_services, results);
	cleanup();
	print_results(mode, json, rounds, user, results, n_services);
	if (fflush(stdout) != 0)
		fatal("cannot write the results: %s", strerror(errno));
	return EXIT_SUCCESS;
}
