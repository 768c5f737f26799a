/*
 * bench-verify.c - speed of the core's verification paths.
 *
 * Two measurements, printed as one table:
 *
 *   argon2  The overhead of mp_scheme_verify() over a bare libsodium
 *           crypto_pwhash_str_verify() on a Dovecot-default Argon2id hash
 *           (t=3, m=64 MiB, p=1).  Rounds interleave the two calls and
 *           alternate which one goes first, so that drift in clock speed or
 *           memory pressure hits both alike.  The verdict compares the
 *           median of the per-round ratios core/raw with the goal.
 *
 *   apop    APOP verifications per second through mp_auth_apop() against
 *           a passwd-file of 100,000 users, for a user at the start, in the
 *           middle and at the end of the file.
 *
 * Speed goals live here and never in the unit tests.  Exit status: 0 when
 * the goal is met, 1 when it is missed, 2 on a usage or setup error or when
 * the core gives a wrong answer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apop.h"
#include "auth.h"
#include "conf.h"
#include "bench-util.h"
#include "mp-limits.h"
#include "result.h"
#include "scheme.h"

#define DEFAULT_ROUNDS 21
#define MAX_ROUNDS 1000
#define DEFAULT_SECONDS 2.0
#define MAX_SECONDS 600.0

/* Dovecot's default Argon2id cost. */
#define ARGON2_OPSLIMIT 3ULL
#define ARGON2_MEMLIMIT ((size_t)64 * 1024 * 1024)

/* The goal: the core may add at most 3 % to a bare libsodium verify. */
#define RATIO_GOAL 1.03

#define APOP_USERS 100000UL
#define APOP_TIMESTAMP "<1896.697170952@bench.mailpass.invalid>"

#define BENCH_PASSWORD "correct horse battery staple"

#define EXIT_FAIL 1

enum only {
	ONLY_ALL,
	ONLY_ARGON2,
	ONLY_APOP,
};

struct argon2_result {
	unsigned int rounds;
	double raw_median_ms, raw_min_ms, raw_max_ms;
	double core_median_ms, core_min_ms, core_max_ms;
	double ratio_median, ratio_min, ratio_max;
};

struct apop_position {
	const char *label;
	unsigned long line;		/* 1-based line of the user in the file */
	unsigned long calls;
	double seconds;
};

/* The temporary directory of the APOP benchmark, removed on every exit path. */
static char tmpdir_path[PATH_MAX];

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-verify [-n ROUNDS] [-t SECONDS] [--only argon2|apop]\n"
		"  -n ROUNDS        Argon2id rounds, each one raw and one core verify (default %d)\n"
		"  -t SECONDS       APOP time per user position (default %.0f)\n"
		"  --only argon2    run only the Argon2id overhead benchmark\n"
		"  --only apop      run only the APOP throughput benchmark\n",
		DEFAULT_ROUNDS, DEFAULT_SECONDS);
	exit(BENCH_EXIT_ERROR);
}

/* remove_tmpdir - delete the benchmark directory and whatever the store left in it. */
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
		fprintf(stderr, "bench-verify: cannot remove %s: %s\n", tmpdir_path,
			strerror(errno));
	tmpdir_path[0] = '\0';
}

/* parse_seconds - a positive number of seconds up to MAX_SECONDS. */
static double
parse_seconds(const char *text)
{
	double value;
	char *end;

	errno = 0;
	if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
		usage();
	value = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !(value > 0) || value > MAX_SECONDS)
		usage();
	return value;
}

/* time_raw - one bare libsodium verify, in milliseconds. */
static double
time_raw(const char *hash, const char *password, size_t password_len)
{
	double start, elapsed;
	int ret;

	start = bench_now();
	ret = crypto_pwhash_str_verify(hash, password, password_len);
	elapsed = bench_now() - start;
	if (ret != 0)
		bench_fatal("crypto_pwhash_str_verify refused the right password");
	return elapsed * 1000;
}

/* time_core - one mp_scheme_verify() of the same hash, in milliseconds. */
static double
time_core(const char *stored, const struct mp_verify_request *request)
{
	enum mp_result result;
	const char *reason = "";
	double start, elapsed;

	start = bench_now();
	result = mp_scheme_verify(stored, request, &reason);
	elapsed = bench_now() - start;
	if (result != MP_OK)
		bench_fatal("mp_scheme_verify returned %s (%s) for the right password",
		      mp_result_name(result), reason);
	return elapsed * 1000;
}

static void
bench_argon2(unsigned int rounds, struct argon2_result *res)
{
	static const char wrong[] = "correct horse battery stapler";
	char hash[crypto_pwhash_STRBYTES];
	char stored[crypto_pwhash_STRBYTES + sizeof("{ARGON2ID}")];
	const char *password = BENCH_PASSWORD, *reason = "";
	size_t password_len = strlen(password);
	struct mp_verify_request request;
	struct mp_conf conf;
	enum mp_result result;
	double *raw, *core, *ratio;

	raw = calloc(rounds, sizeof(*raw));
	core = calloc(rounds, sizeof(*core));
	ratio = calloc(rounds, sizeof(*ratio));
	if (raw == NULL || core == NULL || ratio == NULL)
		bench_fatal("out of memory");

	bench_progress("argon2id: hashing once (t=%llu, m=%zu MiB, p=1)", ARGON2_OPSLIMIT,
		 ARGON2_MEMLIMIT / (1024 * 1024));
	if (crypto_pwhash_str_alg(hash, password, password_len, ARGON2_OPSLIMIT,
				  ARGON2_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
		bench_fatal("crypto_pwhash_str_alg failed: %s", strerror(errno));
	if ((size_t)snprintf(stored, sizeof(stored), "{ARGON2ID}%s", hash) >= sizeof(stored))
		bench_fatal("stored value does not fit");

	/* The ceilings a default mailpass.conf applies; they must admit this hash. */
	mp_conf_defaults(&conf);
	memset(&request, 0, sizeof(request));
	request.password = password;
	request.password_len = password_len;
	request.user = "bench";
	request.limits = &conf.limits;

	/*
	 * Make sure both paths tell a wrong password from the right one, so
	 * that what is timed below is a real verification.  This also serves
	 * as the warm-up round.
	 */
	bench_progress("argon2id: checking that a wrong password is refused");
	if (crypto_pwhash_str_verify(hash, wrong, strlen(wrong)) == 0)
		bench_fatal("crypto_pwhash_str_verify accepted a wrong password");
	request.password = wrong;
	request.password_len = strlen(wrong);
	result = mp_scheme_verify(stored, &request, &reason);
	if (result != MP_MISMATCH)
		bench_fatal("mp_scheme_verify returned %s (%s) for a wrong password, want MISMATCH",
		      mp_result_name(result), reason);
	request.password = password;
	request.password_len = password_len;

	bench_progress("argon2id: %u rounds of one raw and one core verify", rounds);
	for (unsigned int i = 0; i < rounds; i++) {
		if (i % 2 == 0) {
			raw[i] = time_raw(hash, password, password_len);
			core[i] = time_core(stored, &request);
		} else {
			core[i] = time_core(stored, &request);
			raw[i] = time_raw(hash, password, password_len);
		}
		ratio[i] = core[i] / raw[i];
	}

	res->rounds = rounds;
	bench_stats(raw, rounds, &res->raw_median_ms, &res->raw_min_ms, &res->raw_max_ms);
	bench_stats(core, rounds, &res->core_median_ms, &res->core_min_ms, &res->core_max_ms);
	bench_stats(ratio, rounds, &res->ratio_median, &res->ratio_min, &res->ratio_max);
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(stored, sizeof(stored));
	free(raw);
	free(core);
	free(ratio);
}

/* make_store - the temporary directory with mailpass.conf and a passwd-file of APOP_USERS users. */
static void
make_store(char *conf_path, size_t conf_path_size)
{
	static char buffer[1 << 16];
	char passwd_path[PATH_MAX];
	const char *base;
	FILE *f;

	base = getenv("TMPDIR");
	if (base == NULL || base[0] != '/')
		base = "/tmp";
	if ((size_t)snprintf(tmpdir_path, sizeof(tmpdir_path), "%s/mailpass-bench.XXXXXX",
			     base) >= sizeof(tmpdir_path)) {
		tmpdir_path[0] = '\0';
		bench_fatal("TMPDIR is too long");
	}
	if (mkdtemp(tmpdir_path) == NULL) {
		int saved = errno;

		tmpdir_path[0] = '\0';
		bench_fatal("mkdtemp under %s: %s", base, strerror(saved));
	}
	if ((size_t)snprintf(passwd_path, sizeof(passwd_path), "%s/passwd",
			     tmpdir_path) >= sizeof(passwd_path) ||
	    (size_t)snprintf(conf_path, conf_path_size, "%s/mailpass.conf",
			     tmpdir_path) >= conf_path_size)
		bench_fatal("temporary path is too long");

	f = bench_create_file(conf_path, 0600);
	fprintf(f, "# Written by bench-verify; removed when it ends.\n");
	fprintf(f, "store = file:%s\n", passwd_path);
	bench_close_checked(f, conf_path);

	/* Written directly rather than through the core: this is setup, not the measurement. */
	f = bench_create_file(passwd_path, 0600);
	setvbuf(f, buffer, _IOFBF, sizeof(buffer));
	for (unsigned long n = 1; n <= APOP_USERS; n++)
		fprintf(f, "user%lu:{PLAIN}pw%lu::::::apop={PLAIN}secret%lu\n", n, n, n);
	bench_close_checked(f, passwd_path);
}

/* apop_run - call mp_auth_apop() for user line n for about seconds; every call must be MP_OK. */
static void
apop_run(struct mp_auth *auth, struct apop_position *pos, double seconds)
{
	char user[32], secret[32], digest[MP_APOP_DIGEST_HEX_LEN + 1];
	char bad[MP_APOP_DIGEST_HEX_LEN + 1];
	const char *timestamp = APOP_TIMESTAMP, *reason = "";
	size_t timestamp_len = strlen(timestamp), user_len;
	enum mp_result result;
	double start, elapsed;
	unsigned long calls = 0;

	snprintf(user, sizeof(user), "user%lu", pos->line);
	snprintf(secret, sizeof(secret), "secret%lu", pos->line);
	user_len = strlen(user);
	mp_apop_digest(timestamp, timestamp_len, (const unsigned char *)secret, strlen(secret),
		       digest);

	/* A wrong digest must be refused, or the loop below measures nothing. */
	memcpy(bad, digest, sizeof(bad));
	bad[0] = bad[0] == '0' ? '1' : '0';
	result = mp_auth_apop(auth, user, user_len, timestamp, timestamp_len, bad,
			      MP_APOP_DIGEST_HEX_LEN, &reason);
	if (result != MP_MISMATCH)
		bench_fatal("mp_auth_apop returned %s (%s) for %s with a wrong digest, want MISMATCH",
		      mp_result_name(result), reason, user);

	bench_progress("apop: %s for %.1f s", user, seconds);
	start = bench_now();
	do {
		result = mp_auth_apop(auth, user, user_len, timestamp, timestamp_len, digest,
				      MP_APOP_DIGEST_HEX_LEN, &reason);
		if (result != MP_OK)
			bench_fatal("mp_auth_apop returned %s (%s) for %s, want OK",
			      mp_result_name(result), reason, user);
		calls++;
		elapsed = bench_now() - start;
	} while (elapsed < seconds);

	pos->calls = calls;
	pos->seconds = elapsed;
}

static void
bench_apop(double seconds, struct apop_position *positions, size_t count)
{
	char conf_path[PATH_MAX], error[MP_ERROR_MAX];
	struct mp_auth *auth = NULL;
	enum mp_result result;
	double start;

	bench_progress("apop: writing a passwd-file of %lu users", APOP_USERS);
	start = bench_now();
	make_store(conf_path, sizeof(conf_path));
	bench_progress("apop: written in %.2f s", bench_now() - start);

	error[0] = '\0';
	result = mp_auth_open(conf_path, &auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open returned %s: %s", mp_result_name(result), error);
	for (size_t i = 0; i < count; i++)
		apop_run(auth, &positions[i], seconds);
	mp_auth_close(&auth);
	remove_tmpdir();
}

static void
print_header(const char *count, const char *c1, const char *c2, const char *c3)
{
	printf("%-9s  %-36s  %8s  %13s  %13s  %13s\n", "benchmark", "case", count, c1, c2, c3);
	printf("%-9s  %-36s  %8s  %13s  %13s  %13s\n", "---------",
	       "------------------------------------", "--------", "-------------",
	       "-------------", "-------------");
}

static void
print_argon2(const struct argon2_result *res)
{
	print_header("rounds", "median", "min", "max");
	printf("%-9s  %-36s  %8u  %10.3f ms  %10.3f ms  %10.3f ms\n", "argon2id",
	       "raw crypto_pwhash_str_verify", res->rounds, res->raw_median_ms,
	       res->raw_min_ms, res->raw_max_ms);
	printf("%-9s  %-36s  %8u  %10.3f ms  %10.3f ms  %10.3f ms\n", "argon2id",
	       "core mp_scheme_verify", res->rounds, res->core_median_ms,
	       res->core_min_ms, res->core_max_ms);
	printf("%-9s  %-36s  %8u  %13.4f  %13.4f  %13.4f\n", "argon2id",
	       "ratio core/raw, per round", res->rounds, res->ratio_median,
	       res->ratio_min, res->ratio_max);
}

static void
print_apop(const struct apop_position *positions, size_t count)
{
	char label[64];

	print_header("calls", "per second", "per call", "elapsed");
	for (size_t i = 0; i < count; i++) {
		const struct apop_position *pos = &positions[i];

		snprintf(label, sizeof(label), "%s: user%lu of %lu", pos->label, pos->line,
			 APOP_USERS);
		printf("%-9s  %-36s  %8lu  %11.1f/s  %10.3f ms  %11.2f s\n", "apop", label,
		       pos->calls, (double)pos->calls / pos->seconds,
		       pos->seconds * 1000 / (double)pos->calls, pos->seconds);
	}
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct apop_position positions[] = {
		{ .label = "start", .line = 1 },
		{ .label = "middle", .line = APOP_USERS / 2 },
		{ .label = "end", .line = APOP_USERS },
	};
	const size_t position_count = sizeof(positions) / sizeof(positions[0]);
	unsigned int rounds = DEFAULT_ROUNDS;
	double seconds = DEFAULT_SECONDS;
	enum only only = ONLY_ALL;
	struct argon2_result argon2;
	bool pass = true;
	int c;

	while ((c = getopt_long(argc, argv, "n:t:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!bench_parse_count(optarg, MAX_ROUNDS, &rounds))
				usage();
			break;
		case 't':
			seconds = parse_seconds(optarg);
			break;
		case 'o':
			if (strcmp(optarg, "argon2") == 0)
				only = ONLY_ARGON2;
			else if (strcmp(optarg, "apop") == 0)
				only = ONLY_APOP;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	/* 1 means already initialised, which is fine. */
	bench_init("bench-verify", remove_tmpdir);
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");

	if (only != ONLY_APOP)
		bench_argon2(rounds, &argon2);
	if (only != ONLY_ARGON2)
		bench_apop(seconds, positions, position_count);

	bench_print_machine();
	printf("\n");
	if (only != ONLY_APOP) {
		print_argon2(&argon2);
		printf("\n");
	}
	if (only != ONLY_ARGON2) {
		print_apop(positions, position_count);
		printf("\n");
	}

	if (only != ONLY_APOP) {
		pass = argon2.ratio_median <= RATIO_GOAL;
		printf("argon2id core/raw median ratio: %.3f (goal <= %.2f): %s\n",
		       argon2.ratio_median, RATIO_GOAL, pass ? "PASS" : "FAIL");
	}
	if (fflush(stdout) != 0)
		bench_fatal("cannot write the results: %s", strerror(errno));
	return pass ? EXIT_SUCCESS : EXIT_FAIL;
}
