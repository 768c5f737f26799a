/*
 * bench-verify.c - verifications per second against a large passwd-file.
 *
 * A temporary passwd-file of 100,000 users (-u) holds, for each user, a
 * {PLAIN} password and a {PLAIN} APOP secret.  Two kinds of verification
 * are timed for the users on the first, the middle and the last line:
 *
 *   apop   mp_auth_apop() with the right digest
 *   plain  mp_auth_verify() with the right cleartext password (no rehash)
 *
 * each on a handle from mp_auth_open(), as the adapters call them.  The
 * baseline of each kind is the same check without the store, measured in
 * the same run: mp_apop_check() on the secret, mp_scheme_verify() on the
 * stored value.  The ratio store/baseline is the cost of finding the user.
 *
 * Speed goals live in the benchmarks and never in the unit tests.  There
 * is no goal here: the figures compare builds and store backends on one
 * machine.  Exit status: 0 when every call gave the right answer, 2 on a
 * usage or setup error or when one did not.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apop.h"
#include "auth.h"
#include "bench-fixture.h"
#include "bench-util.h"
#include "conf.h"
#include "mp-limits.h"
#include "result.h"
#include "scheme.h"

#define DEFAULT_USERS 100000U
#define MAX_USERS 10000000UL
#define DEFAULT_SECONDS 2.0
#define MAX_SECONDS 600.0

#define APOP_TIMESTAMP "<1896.697170952@bench.mailpass.invalid>"

enum kind { KIND_APOP, KIND_PLAIN, N_KINDS };

static const char *const kind_names[N_KINDS] = { "apop", "plain" };
static const char *const kind_calls[N_KINDS] = { "mp_auth_apop", "mp_auth_verify {PLAIN}" };
static const char *const kind_baselines[N_KINDS] = {
	"mp_apop_check", "mp_scheme_verify {PLAIN}",
};

#define N_POSITIONS 3

struct measure {
	unsigned long calls;
	double seconds;
};

struct position {
	const char *label;
	unsigned long line;		/* 1-based line of the user in the file */
	struct measure store[N_KINDS];
	struct measure baseline[N_KINDS];
};

/* One user's credentials, as the client and the store know them. */
struct credentials {
	char user[32];
	char password[32];
	char stored[48];		/* "{PLAIN}password" */
	char secret[32];
	char digest[MP_APOP_DIGEST_HEX_LEN + 1];
};

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-verify [-t SECONDS] [-u USERS] [--only apop|plain] [--json]\n"
		"  -t SECONDS       time per kind, user position and path (default %.0f)\n"
		"  -u USERS         users in the passwd-file (default %u)\n"
		"  --only apop      only APOP digests\n"
		"  --only plain     only cleartext passwords\n"
		"  --json           the results as one JSON object instead of a table\n",
		DEFAULT_SECONDS, DEFAULT_USERS);
	exit(BENCH_EXIT_ERROR);
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

static void
credentials_for(unsigned long line, struct credentials *c)
{
	snprintf(c->user, sizeof(c->user), "user%lu", line);
	snprintf(c->password, sizeof(c->password), "pw%lu", line);
	snprintf(c->stored, sizeof(c->stored), "{PLAIN}pw%lu", line);
	snprintf(c->secret, sizeof(c->secret), "secret%lu", line);
	mp_apop_digest(APOP_TIMESTAMP, strlen(APOP_TIMESTAMP), (const unsigned char *)c->secret,
		       strlen(c->secret), c->digest);
}

/* make_store - mailpass.conf and a passwd-file of users lines in dir. */
static void
make_store(const char *dir, unsigned int users, char *conf_path, size_t conf_size)
{
	static char buffer[1 << 16];
	char passwd_path[PATH_MAX];
	FILE *f;

	bench_join(passwd_path, sizeof(passwd_path), dir, "passwd");
	bench_join(conf_path, conf_size, dir, "mailpass.conf");

	f = bench_create_file(conf_path, 0600);
	fprintf(f, "# Written by bench-verify; removed when it ends.\n");
	fprintf(f, "store = file:%s\n", passwd_path);
	bench_close_checked(f, conf_path);

	/* Written directly rather than through the core: this is setup, not the measurement. */
	f = bench_create_file(passwd_path, 0600);
	setvbuf(f, buffer, _IOFBF, sizeof(buffer));
	for (unsigned long n = 1; n <= users; n++)
		fprintf(f, "user%lu:{PLAIN}pw%lu::::::apop={PLAIN}secret%lu\n", n, n, n);
	bench_close_checked(f, passwd_path);
}

/* store_call - one call through the store; the result. */
static enum mp_result
store_call(struct mp_auth *auth, enum kind kind, const struct credentials *c, bool right,
	   const char **reason_r)
{
	char digest[MP_APOP_DIGEST_HEX_LEN + 1], password[40];
	const char *note = NULL;
	enum mp_result result;

	if (kind == KIND_APOP) {
		memcpy(digest, c->digest, sizeof(digest));
		if (!right)
			digest[0] = digest[0] == '0' ? '1' : '0';
		return mp_auth_apop(auth, c->user, strlen(c->user), APOP_TIMESTAMP,
				    strlen(APOP_TIMESTAMP), digest, MP_APOP_DIGEST_HEX_LEN,
				    reason_r);
	}
	snprintf(password, sizeof(password), "%s%s", c->password, right ? "" : "x");
	result = mp_auth_verify(auth, c->user, strlen(c->user), password, strlen(password),
				MP_VERIFY_NO_REHASH, reason_r, &note);
	if (note != NULL)
		bench_fatal("mp_auth_verify tried to rehash %s (%s)", c->user, note);
	return result;
}

/* baseline_call - the same check without the store; the result. */
static enum mp_result
baseline_call(const struct mp_conf *conf, enum kind kind, const struct credentials *c,
	      bool right, const char **reason_r)
{
	struct mp_verify_request request;
	char password[40];

	if (kind == KIND_APOP) {
		char digest[MP_APOP_DIGEST_HEX_LEN + 1];

		memcpy(digest, c->digest, sizeof(digest));
		if (!right)
			digest[0] = digest[0] == '0' ? '1' : '0';
		return mp_apop_check(APOP_TIMESTAMP, strlen(APOP_TIMESTAMP), digest,
				     MP_APOP_DIGEST_HEX_LEN, (const unsigned char *)c->secret,
				     strlen(c->secret), reason_r);
	}
	snprintf(password, sizeof(password), "%s%s", c->password, right ? "" : "x");
	memset(&request, 0, sizeof(request));
	request.user = c->user;
	request.password = password;
	request.password_len = strlen(password);
	request.limits = &conf->limits;
	return mp_scheme_verify(c->stored, &request, reason_r);
}

/* check_answers - both paths must accept the right secret and refuse a wrong one. */
static void
check_answers(struct mp_auth *auth, const struct mp_conf *conf, enum kind kind,
	      const struct credentials *c)
{
	const char *reason = "";
	enum mp_result result;

	for (int right = 0; right <= 1; right++) {
		enum mp_result want = right ? MP_OK : MP_MISMATCH;

		result = store_call(auth, kind, c, right, &reason);
		if (result != want)
			bench_fatal("%s returned %s (%s) for %s with a %s secret, want %s",
				    kind_calls[kind], mp_result_name(result), reason, c->user,
				    right ? "right" : "wrong", mp_result_name(want));
		result = baseline_call(conf, kind, c, right, &reason);
		if (result != want)
			bench_fatal("%s returned %s (%s) for %s with a %s secret, want %s",
				    kind_baselines[kind], mp_result_name(result), reason, c->user,
				    right ? "right" : "wrong", mp_result_name(want));
	}
}

/* run_for - call one path for about seconds; every call must be MP_OK. */
static void
run_for(struct mp_auth *auth, const struct mp_conf *conf, enum kind kind,
	const struct credentials *c, bool through_store, double seconds, struct measure *m)
{
	const char *reason = "";
	enum mp_result result;
	double start, elapsed;
	unsigned long calls = 0;

	start = bench_now();
	do {
		if (through_store)
			result = store_call(auth, kind, c, true, &reason);
		else
			result = baseline_call(conf, kind, c, true, &reason);
		if (result != MP_OK)
			bench_fatal("%s returned %s (%s) for %s, want OK",
				    through_store ? kind_calls[kind] : kind_baselines[kind],
				    mp_result_name(result), reason, c->user);
		calls++;
		elapsed = bench_now() - start;
	} while (elapsed < seconds);
	m->calls = calls;
	m->seconds = elapsed;
}

static void
run(unsigned int users, double seconds, const bool *kinds, struct position *positions)
{
	char dir[PATH_MAX], conf_path[PATH_MAX], error[MP_ERROR_MAX];
	struct credentials c;
	struct mp_auth *auth = NULL;
	enum mp_result result;
	double start;

	bench_tmpdir_make("mailpass-bench", dir, sizeof(dir));
	bench_progress("verify: writing a passwd-file of %u users", users);
	start = bench_now();
	make_store(dir, users, conf_path, sizeof(conf_path));
	bench_progress("verify: written in %.2f s", bench_now() - start);

	error[0] = '\0';
	result = mp_auth_open(conf_path, &auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open returned %s: %s", mp_result_name(result), error);

	for (int k = 0; k < N_KINDS; k++) {
		if (!kinds[k])
			continue;
		for (int p = 0; p < N_POSITIONS; p++) {
			struct position *pos = &positions[p];

			credentials_for(pos->line, &c);
			check_answers(auth, mp_auth_conf(auth), (enum kind)k, &c);
			bench_progress("verify: %s %s, store and baseline, %.1f s each",
				       kind_names[k], c.user, seconds);
			run_for(auth, mp_auth_conf(auth), (enum kind)k, &c, true, seconds,
				&pos->store[k]);
			run_for(auth, mp_auth_conf(auth), (enum kind)k, &c, false, seconds,
				&pos->baseline[k]);
		}
	}
	sodium_memzero(&c, sizeof(c));
	mp_auth_close(&auth);
	bench_tmpdir_remove();
}

static double
per_second(const struct measure *m)
{
	return (double)m->calls / m->seconds;
}

static void
print_table(unsigned int users, const bool *kinds, const struct position *positions)
{
	char label[64];

	bench_print_machine();
	printf("\n%-5s  %-28s  %9s  %12s  %10s  %12s  %10s\n", "kind", "user", "calls",
	       "store /s", "per call", "baseline /s", "ratio");
	for (int k = 0; k < N_KINDS; k++) {
		if (!kinds[k])
			continue;
		for (int p = 0; p < N_POSITIONS; p++) {
			const struct position *pos = &positions[p];
			double store = per_second(&pos->store[k]);
			double baseline = per_second(&pos->baseline[k]);

			snprintf(label, sizeof(label), "%s: user%lu of %u", pos->label, pos->line,
				 users);
			printf("%-5s  %-28s  %9lu  %10.1f/s  %7.3f ms  %10.1f/s  %10.2f\n",
			       kind_names[k], label, pos->store[k].calls, store, 1000 / store,
			       baseline, baseline / store);
		}
	}
	printf("\nstore: %s and %s on a %u-user passwd-file; baseline: %s and %s alone.\n"
	       "ratio: time per call through the store / time per baseline call.\n",
	       kind_calls[KIND_APOP], kind_calls[KIND_PLAIN], users, kind_baselines[KIND_APOP],
	       kind_baselines[KIND_PLAIN]);
}

static void
print_json(unsigned int users, double seconds, const bool *kinds,
	   const struct position *positions)
{
	bool first = true;

	printf("{\"benchmark\": \"verify\", \"users\": %u, \"seconds\": %.3f, \"rows\": [",
	       users, seconds);
	for (int k = 0; k < N_KINDS; k++) {
		if (!kinds[k])
			continue;
		for (int p = 0; p < N_POSITIONS; p++) {
			const struct position *pos = &positions[p];

			printf("%s{\"kind\": \"%s\", \"call\": \"%s\", \"baseline\": \"%s\", "
			       "\"position\": \"%s\", \"line\": %lu, \"calls\": %lu, "
			       "\"per_second\": %.3f, \"baseline_calls\": %lu, "
			       "\"baseline_per_second\": %.3f}", first ? "" : ", ", kind_names[k],
			       kind_calls[k], kind_baselines[k], pos->label, pos->line,
			       pos->store[k].calls, per_second(&pos->store[k]),
			       pos->baseline[k].calls, per_second(&pos->baseline[k]));
			first = false;
		}
	}
	printf("]}\n");
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct position positions[N_POSITIONS] = {
		{ .label = "start" },
		{ .label = "middle" },
		{ .label = "end" },
	};
	bool kinds[N_KINDS] = { true, true };
	unsigned int users = DEFAULT_USERS;
	double seconds = DEFAULT_SECONDS;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "t:u:h", long_options, NULL)) != -1) {
		switch (c) {
		case 't':
			seconds = parse_seconds(optarg);
			break;
		case 'u':
			if (!bench_parse_count(optarg, MAX_USERS, &users))
				usage();
			break;
		case 'o':
			if (strcmp(optarg, "apop") == 0)
				kinds[KIND_PLAIN] = false;
			else if (strcmp(optarg, "plain") == 0)
				kinds[KIND_APOP] = false;
			else
				usage();
			break;
		case 'j':
			json = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	positions[0].line = 1;
	positions[1].line = users / 2 > 0 ? users / 2 : 1;
	positions[2].line = users;

	bench_init("bench-verify", bench_tmpdir_remove);
	/* 1 means already initialised, which is fine. */
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");

	run(users, seconds, kinds, positions);

	if (json)
		print_json(users, seconds, kinds, positions);
	else
		print_table(users, kinds, positions);
	if (fflush(stdout) != 0)
		bench_fatal("cannot write the results: %s", strerror(errno));
	return EXIT_SUCCESS;
}
