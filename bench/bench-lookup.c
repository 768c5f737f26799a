/*
 * bench-lookup.c - how long a password check takes as the passwd-file grows.
 *
 * For stores of 1,000 to 1,000,000 users (one cheap MD5-crypt line each),
 * mp_auth_verify() is timed for the user on the first line, the middle line
 * and the last line, in three modes:
 *
 *   cold    a new process per check, as pamtester or a forking server does:
 *           the program runs itself (--child), which opens the configuration
 *           and the store, verifies once and exits.  The wall time from fork
 *           to exit is "process"; the child's own time for mp_auth_open(),
 *           mp_auth_verify() and mp_auth_close() is "inside".
 *   reopen  the same process, mp_auth_open(), mp_auth_verify() and
 *           mp_auth_close() per check, as the PAM module and the SASL plugin
 *           do for each login in a long-lived server.
 *   warm    the same process and the same handle, one mp_auth_verify() per
 *           check.
 *
 * Every check must accept the right password; a wrong answer stops the run.
 * Output: one line per measurement on stdout, "key=value" fields separated by
 * spaces, so that scripts can read it; progress goes to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "bench-util.h"
#include "mp-limits.h"
#include "result.h"

#define DEFAULT_RUNS 21
#define MAX_RUNS 100000
#define MAX_USERS 10000000UL
#define MAX_SIZES 8

/* The password of every user, and its MD5-crypt value (a cheap scheme). */
#define BENCH_PASSWORD "bench-password"
#define BENCH_STORED "$1$mpbench$cOUhtxtDTvahdiRT1YTAE/"

/* Exit status of a child whose check did not accept the password. */
#define CHILD_WRONG_ANSWER 3

static const unsigned long default_sizes[] = { 1000, 10000, 100000, 1000000 };

enum position { POS_START, POS_MIDDLE, POS_END, POS_COUNT };
static const char *const position_names[POS_COUNT] = { "start", "middle", "end" };

enum mode { MODE_COLD, MODE_REOPEN, MODE_WARM, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = { "cold", "reopen", "warm" };

struct options {
	unsigned long sizes[MAX_SIZES];
	size_t size_count;
	bool positions[POS_COUNT];
	bool modes[MODE_COUNT];
	unsigned int runs;
	const char *dir;		/* keep the stores here; NULL: a temporary directory */
	bool write_only;
};

/* The temporary directory, removed on every exit path; empty with --dir. */
static char tmpdir_path[PATH_MAX];

/* This program, run again for each cold check. */
static char self_path[PATH_MAX];

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-lookup [--users N]... [--position start|middle|end]...\n"
		"                    [--mode cold|reopen|warm]... [-n RUNS]\n"
		"                    [--dir DIR [--write-only]]\n"
		"  --users N       store size in users, 1 to %lu; may be repeated\n"
		"                  (default 1000, 10000, 100000 and 1000000)\n"
		"  --position P    the looked-up user's line: start, middle or end; may be\n"
		"                  repeated (default all three)\n"
		"  --mode M        cold (a new process per check), reopen (open, verify and\n"
		"                  close per check) or warm (one handle); may be repeated\n"
		"                  (default all three)\n"
		"  -n RUNS         checks per measurement, 1 to %d (default %d)\n"
		"  --dir DIR       write DIR/passwd-N and DIR/mailpass-N.conf and keep them\n"
		"                  (default: a temporary directory, removed at the end)\n"
		"  --write-only    with --dir: write the stores and exit\n"
		"Output: one line per measurement, key=value fields:\n"
		"  users bytes position user mode runs median_ms min_ms max_ms\n"
		"  and, for cold, inside_median_ms inside_min_ms inside_max_ms\n",
		MAX_USERS, MAX_RUNS, DEFAULT_RUNS);
	exit(BENCH_EXIT_ERROR);
}

/* remove_tmpdir - delete the temporary directory and the files in it. */
static void
remove_tmpdir(void)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	if (tmpdir_path[0] == '\0')
		return;
	dir = opendir(tmpdir_path);
	if (dir != NULL) {
		while ((d = readdir(dir)) != NULL) {
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", tmpdir_path,
				     d->d_name) < (int)sizeof(path))
				(void)unlink(path);
		}
		closedir(dir);
	}
	if (rmdir(tmpdir_path) != 0)
		fprintf(stderr, "bench-lookup: cannot remove %s: %s\n", tmpdir_path,
			strerror(errno));
	tmpdir_path[0] = '\0';
}

/* make_tmpdir - a private directory under $TMPDIR (else /tmp) for the stores. */
static void
make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || base[0] != '/')
		base = "/tmp";
	if ((size_t)snprintf(tmpdir_path, sizeof(tmpdir_path), "%s/mailpass-lookup.XXXXXX",
			     base) >= sizeof(tmpdir_path)) {
		tmpdir_path[0] = '\0';
		bench_fatal("TMPDIR is too long");
	}
	if (mkdtemp(tmpdir_path) == NULL) {
		int saved = errno;

		tmpdir_path[0] = '\0';
		bench_fatal("mkdtemp under %s: %s", base, strerror(saved));
	}
}

static void
join_path(char *buf, size_t size, const char *dir, const char *name, unsigned long users)
{
	if ((size_t)snprintf(buf, size, "%s/%s-%lu%s", dir, name, users,
			     strcmp(name, "mailpass") == 0 ? ".conf" : "") >= size)
		bench_fatal("path under %s is too long", dir);
}

/* create_file - a new file with mode 0600; one that --dir already holds is replaced. */
static FILE *
create_file(const char *path, bool replace)
{
	if (replace && unlink(path) != 0 && errno != ENOENT)
		bench_fatal("cannot replace %s: %s", path, strerror(errno));
	return bench_create_file(path, 0600);
}

/* user_line - the number of the line that holds the user of position. */
static unsigned long
user_line(unsigned long users, enum position position)
{
	switch (position) {
	case POS_START:
		return 1;
	case POS_MIDDLE:
		return users / 2 > 0 ? users / 2 : 1;
	case POS_END:
	case POS_COUNT:
		break;
	}
	return users;
}

/*
 * write_store - a passwd-file of users lines of about 70 bytes, such as
 *   user42:$1$mpbench$...:5000:5000::/var/vmail/user42::
 * and a mailpass.conf naming it; returns the store's size in bytes.
 */
static unsigned long long
write_store(const char *dir, unsigned long users, bool replace, char *conf_path,
	    size_t conf_path_size)
{
	static char buffer[1 << 16];
	char passwd_path[PATH_MAX];
	struct stat st;
	FILE *f;

	join_path(passwd_path, sizeof(passwd_path), dir, "passwd", users);
	join_path(conf_path, conf_path_size, dir, "mailpass", users);

	f = create_file(conf_path, replace);
	fprintf(f, "# Written by bench-lookup.\n");
	fprintf(f, "store = file:%s\n", passwd_path);
	fprintf(f, "rehash = no\n");
	bench_close_checked(f, conf_path);

	/* Written directly rather than through the core: this is setup, not the measurement. */
	f = create_file(passwd_path, replace);
	setvbuf(f, buffer, _IOFBF, sizeof(buffer));
	for (unsigned long n = 1; n <= users; n++)
		fprintf(f, "user%lu:%s:5000:5000::/var/vmail/user%lu::\n", n, BENCH_STORED, n);
	bench_close_checked(f, passwd_path);
	if (stat(passwd_path, &st) != 0)
		bench_fatal("cannot stat %s: %s", passwd_path, strerror(errno));
	return (unsigned long long)st.st_size;
}

/* open_auth - mp_auth_open() of conf_path; fatal on failure. */
static struct mp_auth *
open_auth(const char *conf_path)
{
	char error[MP_ERROR_MAX] = "";
	struct mp_auth *auth = NULL;
	enum mp_result result;

	result = mp_auth_open(conf_path, &auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open(%s) returned %s: %s", conf_path,
			    mp_result_name(result), error);
	return auth;
}

/* check - one mp_auth_verify() of user with password; its result. */
static enum mp_result
check(struct mp_auth *auth, const char *user, const char *password, const char **reason_r)
{
	return mp_auth_verify(auth, user, strlen(user), password, strlen(password),
			      MP_VERIFY_NO_REHASH, reason_r, NULL);
}

/* check_ok - one check that must accept the right password. */
static void
check_ok(struct mp_auth *auth, const char *user)
{
	const char *reason = "";
	enum mp_result result = check(auth, user, BENCH_PASSWORD, &reason);

	if (result != MP_OK)
		bench_fatal("mp_auth_verify returned %s (%s) for %s, want OK",
			    mp_result_name(result), reason, user);
}

/*
 * child_main - the cold check: open, verify once, close; write the time
 * this took in milliseconds to stdout.  Exit 0 when the password was
 * accepted, CHILD_WRONG_ANSWER when not.
 */
static int
child_main(const char *conf_path, const char *user)
{
	char error[MP_ERROR_MAX] = "";
	struct mp_auth *auth = NULL;
	const char *reason = "";
	enum mp_result result;
	double start, elapsed;

	start = bench_now();
	result = mp_auth_open(conf_path, &auth, error, sizeof(error));
	if (result == MP_OK) {
		result = check(auth, user, BENCH_PASSWORD, &reason);
		mp_auth_close(&auth);
	} else {
		reason = error;
	}
	elapsed = bench_now() - start;
	if (result != MP_OK) {
		fprintf(stderr, "bench-lookup --child: %s for %s: %s\n", mp_result_name(result),
			user, reason);
		return CHILD_WRONG_ANSWER;
	}
	printf("%.6f\n", elapsed * 1000);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : BENCH_EXIT_ERROR;
}

/* run_child - one cold check; the process's wall time and the child's own time, in ms. */
static void
run_child(const char *conf_path, const char *user, double *process_ms_r, double *inside_ms_r)
{
	char output[64];
	int fds[2], status;
	double start;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		bench_fatal("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	start = bench_now();
	pid = fork();
	if (pid < 0)
		bench_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		(void)close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(BENCH_EXIT_ERROR);
		(void)close(fds[1]);
		execl(self_path, self_path, "--child", conf_path, user, (char *)NULL);
		_exit(127);
	}
	(void)close(fds[1]);
	while (len < sizeof(output) - 1) {
		n = read(fds[0], output + len, sizeof(output) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	output[len] = '\0';
	(void)close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			bench_fatal("waitpid: %s", strerror(errno));
	}
	*process_ms_r = (bench_now() - start) * 1000;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_fatal("the cold check of %s failed (status %d)", user, status);
	if (sscanf(output, "%lf", inside_ms_r) != 1)
		bench_fatal("the cold check of %s printed no time", user);
}

/* measure - runs checks of user in mode; the times in ms into process_ms and inside_ms. */
static void
measure(enum mode mode, const char *conf_path, const char *user, unsigned int runs,
	double *process_ms, double *inside_ms)
{
	struct mp_auth *auth = NULL;

	if (mode == MODE_WARM) {
		auth = open_auth(conf_path);
		check_ok(auth, user);	/* the first check may set things up */
	}
	for (unsigned int i = 0; i < runs; i++) {
		double start = bench_now();

		switch (mode) {
		case MODE_COLD:
			run_child(conf_path, user, &process_ms[i], &inside_ms[i]);
			continue;
		case MODE_REOPEN: {
			struct mp_auth *once = open_auth(conf_path);

			check_ok(once, user);
			mp_auth_close(&once);
			break;
		}
		case MODE_WARM:
		case MODE_COUNT:
			check_ok(auth, user);
			break;
		}
		process_ms[i] = (bench_now() - start) * 1000;
	}
	mp_auth_close(&auth);
}

/* check_refusals - a wrong password and an absent user must be refused, or nothing is timed. */
static void
check_refusals(const char *conf_path, unsigned long users)
{
	struct mp_auth *auth = open_auth(conf_path);
	const char *reason = "";
	char user[32];
	enum mp_result result;

	snprintf(user, sizeof(user), "user%lu", users);
	result = check(auth, user, "wrong-password", &reason);
	if (result != MP_MISMATCH)
		bench_fatal("a wrong password for %s gave %s (%s), want MISMATCH", user,
			    mp_result_name(result), reason);
	snprintf(user, sizeof(user), "user%lu", users + 1);
	result = check(auth, user, BENCH_PASSWORD, &reason);
	if (result != MP_USER_UNKNOWN)
		bench_fatal("absent %s gave %s (%s), want USER_UNKNOWN", user,
			    mp_result_name(result), reason);
	mp_auth_close(&auth);
}

static void
bench_size(const struct options *opts, unsigned long users)
{
	char conf_path[PATH_MAX];
	const char *dir = opts->dir != NULL ? opts->dir : tmpdir_path;
	unsigned long long bytes;
	double *process_ms, *inside_ms;

	bench_progress("writing a store of %lu users", users);
	bytes = write_store(dir, users, opts->dir != NULL, conf_path, sizeof(conf_path));
	if (opts->write_only) {
		printf("users=%lu bytes=%llu conf=%s\n", users, bytes, conf_path);
		return;
	}
	check_refusals(conf_path, users);

	process_ms = calloc(opts->runs, sizeof(*process_ms));
	inside_ms = calloc(opts->runs, sizeof(*inside_ms));
	if (process_ms == NULL || inside_ms == NULL)
		bench_fatal("out of memory");
	for (int p = 0; p < POS_COUNT; p++) {
		char user[32];

		if (!opts->positions[p])
			continue;
		snprintf(user, sizeof(user), "user%lu", user_line(users, (enum position)p));
		for (int m = 0; m < MODE_COUNT; m++) {
			double median, min, max;

			if (!opts->modes[m])
				continue;
			bench_progress("%lu users, %s (%s), %s: %u checks", users,
				       position_names[p], user, mode_names[m], opts->runs);
			measure((enum mode)m, conf_path, user, opts->runs, process_ms, inside_ms);
			bench_stats(process_ms, opts->runs, &median, &min, &max);
			printf("users=%lu bytes=%llu position=%s user=%s mode=%s runs=%u "
			       "median_ms=%.4f min_ms=%.4f max_ms=%.4f", users, bytes,
			       position_names[p], user, mode_names[m], opts->runs, median, min,
			       max);
			if (m == MODE_COLD) {
				bench_stats(inside_ms, opts->runs, &median, &min, &max);
				printf(" inside_median_ms=%.4f inside_min_ms=%.4f "
				       "inside_max_ms=%.4f", median, min, max);
			}
			printf("\n");
			if (fflush(stdout) != 0)
				bench_fatal("cannot write the results: %s", strerror(errno));
		}
	}
	free(process_ms);
	free(inside_ms);
}

/* parse_name - the index of text in names, or usage. */
static int
parse_name(const char *text, const char *const *names, int count)
{
	for (int i = 0; i < count; i++) {
		if (strcmp(text, names[i]) == 0)
			return i;
	}
	usage();
}

static void
parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option long_options[] = {
		{ "users", required_argument, NULL, 'u' },
		{ "position", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "write-only", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool any_position = false, any_mode = false;
	unsigned int value;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->runs = DEFAULT_RUNS;
	while ((c = getopt_long(argc, argv, "n:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (opts->size_count == MAX_SIZES ||
			    !bench_parse_count(optarg, MAX_USERS, &value))
				usage();
			opts->sizes[opts->size_count++] = value;
			break;
		case 'p':
			opts->positions[parse_name(optarg, position_names, POS_COUNT)] = true;
			any_position = true;
			break;
		case 'm':
			opts->modes[parse_name(optarg, mode_names, MODE_COUNT)] = true;
			any_mode = true;
			break;
		case 'n':
			if (!bench_parse_count(optarg, MAX_RUNS, &opts->runs))
				usage();
			break;
		case 'd':
			if (optarg[0] != '/')
				bench_fatal("--dir needs an absolute path");
			opts->dir = optarg;
			break;
		case 'w':
			opts->write_only = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (opts->write_only && opts->dir == NULL))
		usage();
	if (opts->size_count == 0) {
		for (size_t i = 0; i < sizeof(default_sizes) / sizeof(default_sizes[0]); i++)
			opts->sizes[opts->size_count++] = default_sizes[i];
	}
	for (int i = 0; i < POS_COUNT; i++)
		opts->positions[i] = opts->positions[i] || !any_position;
	for (int i = 0; i < MODE_COUNT; i++)
		opts->modes[i] = opts->modes[i] || !any_mode;
}

int
main(int argc, char **argv)
{
	struct options opts;
	ssize_t n;

	/* The cold check: "bench-lookup --child CONF USER", run by this program itself. */
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return child_main(argv[2], argv[3]);

	parse_options(argc, argv, &opts);
	bench_init("bench-lookup", remove_tmpdir);
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self_path) - 1)
		bench_fatal("cannot find this program's path in /proc/self/exe");
	self_path[n] = '\0';
	if (opts.dir == NULL)
		make_tmpdir();
	for (size_t i = 0; i < opts.size_count; i++)
		bench_size(&opts, opts.sizes[i]);
	remove_tmpdir();
	return EXIT_SUCCESS;
}
