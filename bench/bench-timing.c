/*
 * bench-timing.c - does a failed login tell an attacker why it failed?
 *
 * A temporary store holds Argon2id users, and each round times one failed
 * login of four kinds, through the core and through the PAM module:
 *
 *   a  wrong password     an existing user with an Argon2id hash
 *   b  unknown user       no such line in the store
 *   c  unknown scheme     the user's stored value is {NOPE}x
 *   d  malformed Argon2   the user's stored value is an Argon2id string
 *                         without its hash field
 *
 * "core" calls mp_auth_verify() on a handle opened from the temporary
 * mailpass.conf; "pam" runs pam_start_confdir(), pam_authenticate() and
 * pam_end() through the real libpam, with a service file that loads the
 * built pam_mailpass.so by absolute path and a conversation that answers
 * the password.  The eight calls of a round run in an order that rotates
 * from round to round, so that drift in clock speed or memory pressure hits
 * every case alike.  For b, c and d, each round's time is divided by the
 * time of a in the same round and path; the verdict compares the median of
 * those ratios with 0.95-1.05.
 *
 * Timing goals live here and never in the unit tests.  Exit status: 0 when
 * every ratio is within the bounds, 1 when one is outside, 2 on a usage or
 * setup error or when a call gives a wrong answer.
 */
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

#include <security/pam_appl.h>
#include <sodium.h>

#include "auth.h"
#include "conf.h"
#include "bench-fixture.h"
#include "bench-pam.h"
#include "bench-util.h"
#include "mp-limits.h"
#include "result.h"
#include "scheme.h"

#define DEFAULT_TRIALS 51
#define MIN_TRIALS 50		/* fewer is allowed, but only as a smoke run */
#define MAX_TRIALS 1000

/* Dovecot's default Argon2id cost, and the cheap one of --cheap. */
#define DEFAULT_OPSLIMIT 3ULL
#define DEFAULT_MEMLIMIT ((size_t)64 * 1024 * 1024)
#define CHEAP_OPSLIMIT 1ULL
#define CHEAP_MEMLIMIT ((size_t)8 * 1024 * 1024)

/* A ratio to the wrong-password case outside these bounds is a FAIL. */
#define RATIO_LOW 0.95
#define RATIO_HIGH 1.05

#define SERVICE "mailpass-bench-timing"
#define MODULE_RELATIVE "pam-module/.libs/pam_mailpass.so"

#define PASSWORD "correct horse battery staple"
#define WRONG_PASSWORD "correct horse battery stapler"

#define EXIT_FAIL 1

enum path { PATH_CORE, PATH_PAM };

enum kind { KIND_WRONG, KIND_UNKNOWN_USER, KIND_UNKNOWN_SCHEME, KIND_MALFORMED };

#define N_KINDS 4

static const struct {
	const char *user;
	const char *label;
	enum mp_result want_core;
	int want_pam;
} kinds[N_KINDS] = {
	[KIND_WRONG] = { "alice", "a wrong password", MP_MISMATCH, PAM_AUTH_ERR },
	[KIND_UNKNOWN_USER] = { "nobody", "b unknown user", MP_USER_UNKNOWN,
				PAM_USER_UNKNOWN },
	[KIND_UNKNOWN_SCHEME] = { "nope", "c unknown scheme {NOPE}x", MP_MALFORMED,
				  PAM_AUTH_ERR },
	[KIND_MALFORMED] = { "broken", "d malformed Argon2 string", MP_MALFORMED,
			     PAM_AUTH_ERR },
};

struct measure {
	enum path path;
	enum kind kind;
	double *ms;		/* one time per trial */
};

#define N_MEASURES (2 * N_KINDS)

struct summary {
	double median_ms, min_ms, max_ms;
	double ratio_median, ratio_min, ratio_max;	/* kind a: all 1 */
};

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-timing [-n TRIALS] [--cheap | -t OPSLIMIT -m MEMLIMIT]\n"
		"                    [--pam-module PATH] [--only core|pam]\n"
		"  -n TRIALS          trials of each case (default %d; at least %d for a verdict)\n"
		"  -t OPSLIMIT        Argon2id t of the store and the dummy (default %llu)\n"
		"  -m MEMLIMIT        Argon2id m, e.g. 64M (default %zuM)\n"
		"  --cheap            the same as -t %llu -m %zuM\n"
		"  --pam-module PATH  the built pam_mailpass.so (default: $MAILPASS_PAM_MODULE,\n"
		"                     else ../%s beside this program, else ./%s)\n"
		"  --only core|pam    measure one path only\n",
		DEFAULT_TRIALS, MIN_TRIALS, DEFAULT_OPSLIMIT, DEFAULT_MEMLIMIT >> 20,
		CHEAP_OPSLIMIT, CHEAP_MEMLIMIT >> 20, MODULE_RELATIVE, MODULE_RELATIVE);
	exit(BENCH_EXIT_ERROR);
}

/* parse_opslimit - Argon2 t, 1 to 100 (higher would make a run take hours). */
static unsigned long long
parse_opslimit(const char *text)
{
	unsigned long long value;
	char *end;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		usage();
	value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < 1 || value > 100)
		usage();
	return value;
}

/* parse_memlimit - Argon2 m as mailpass.conf writes it ("64M"), 8 KiB to 4 GiB. */
static size_t
parse_memlimit(const char *text)
{
	size_t value;

	if (!mp_parse_size(text, &value) || value < 8 * 1024 ||
	    value > (size_t)4 * 1024 * 1024 * 1024)
		usage();
	return value;
}

/*
 * make_fixture - the temporary directory: mailpass.conf, a passwd-file with
 * the four users of the cases, and a PAM configuration directory whose
 * service file loads module.
 */
static void
make_fixture(unsigned long long opslimit, size_t memlimit, const char *module,
	     char *conf_path, size_t conf_size, char *confdir, size_t confdir_size)
{
	char tmpdir[PATH_MAX], passwd_path[PATH_MAX], service_path[PATH_MAX], error[MP_ERROR_MAX];
	char *stored = NULL, *last_dollar;
	const char *reason = "";
	struct mp_conf conf;
	enum mp_result result;
	FILE *f;

	bench_tmpdir_make("mailpass-timing", tmpdir, sizeof(tmpdir));
	bench_join(passwd_path, sizeof(passwd_path), tmpdir, "passwd");
	bench_join(conf_path, conf_size, tmpdir, "mailpass.conf");
	bench_join(confdir, confdir_size, tmpdir, "pam.d");
	bench_join(service_path, sizeof(service_path), confdir, SERVICE);

	/* The store's cost is the configured one, so the dummy costs the same work. */
	f = bench_create_file(conf_path, 0600);
	fprintf(f, "# Written by bench-timing; removed when it ends.\n");
	fprintf(f, "store = file:%s\n", passwd_path);
	fprintf(f, "scheme = ARGON2ID\n");
	fprintf(f, "argon2_opslimit = %llu\n", opslimit);
	fprintf(f, "argon2_memlimit = %zuK\n", memlimit / 1024);
	fprintf(f, "rehash = no\n");
	bench_close_checked(f, conf_path);

	error[0] = '\0';
	result = mp_conf_load(&conf, conf_path, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_conf_load returned %s: %s", mp_result_name(result), error);
	result = mp_scheme_hash(conf.scheme, PASSWORD, strlen(PASSWORD), &conf.hash, &stored,
				&reason);
	if (result != MP_OK)
		bench_fatal("mp_scheme_hash returned %s (%s)", mp_result_name(result), reason);

	/* Written directly rather than through the core: this is setup, not the measurement. */
	f = bench_create_file(passwd_path, 0600);
	fprintf(f, "%s:%s\n", kinds[KIND_WRONG].user, stored);
	fprintf(f, "%s:{NOPE}x\n", kinds[KIND_UNKNOWN_SCHEME].user);
	/* The same Argon2id string cut before its hash field: "...$SALT" only. */
	last_dollar = strrchr(stored, '$');
	if (last_dollar == NULL)
		bench_fatal("the generated hash has no '$'");
	*last_dollar = '\0';
	fprintf(f, "%s:%s\n", kinds[KIND_MALFORMED].user, stored);
	bench_close_checked(f, passwd_path);
	sodium_memzero(stored, strlen(stored));
	free(stored);

	if (mkdir(confdir, 0700) != 0)
		bench_fatal("mkdir %s: %s", confdir, strerror(errno));
	f = bench_create_file(service_path, 0644);
	fprintf(f, "auth required %s conf=%s no_rehash\n", module, conf_path);
	fprintf(f, "account required %s conf=%s\n", module, conf_path);
	bench_close_checked(f, service_path);
}

/* --- The trials. */

struct context {
	struct mp_auth *auth;
	const char *confdir;
};

/* run_one - one failed login of the measure's kind, in milliseconds; checks the answer. */
static double
run_one(const struct context *ctx, const struct measure *m)
{
	const char *user = kinds[m->kind].user, *reason = "";
	const char *password = WRONG_PASSWORD;
	enum mp_result result;
	double start, elapsed;
	int code;

	if (m->kind != KIND_WRONG)
		password = PASSWORD;	/* right for alice: only the record differs */
	if (m->path == PATH_CORE) {
		start = bench_now();
		result = mp_auth_verify(ctx->auth, user, strlen(user), password,
					strlen(password), MP_VERIFY_NO_REHASH, &reason, NULL);
		elapsed = bench_now() - start;
		if (result != kinds[m->kind].want_core)
			bench_fatal("core, %s: mp_auth_verify returned %s (%s), want %s",
			      kinds[m->kind].label, mp_result_name(result), reason,
			      mp_result_name(kinds[m->kind].want_core));
	} else {
		start = bench_now();
		code = bench_pam_login(ctx->confdir, SERVICE, user, password);
		elapsed = bench_now() - start;
		if (code != kinds[m->kind].want_pam)
			bench_fatal("pam, %s: pam_authenticate returned %s (%d), want %s",
			      kinds[m->kind].label, bench_pam_code_name(code), code,
			      bench_pam_code_name(kinds[m->kind].want_pam));
	}
	return elapsed * 1000;
}

/*
 * check_right_password - the right password logs alice in on both paths, so
 * that a broken store or module cannot pass off as a fast refusal.  This
 * also warms up the machine.
 */
static void
check_right_password(const struct context *ctx, bool core, bool pam)
{
	const char *reason = "";
	enum mp_result result;
	int code;

	if (core) {
		result = mp_auth_verify(ctx->auth, "alice", 5, PASSWORD, strlen(PASSWORD),
					MP_VERIFY_NO_REHASH, &reason, NULL);
		if (result != MP_OK)
			bench_fatal("core: the right password got %s (%s), want OK",
			      mp_result_name(result), reason);
	}
	if (pam) {
		code = bench_pam_login(ctx->confdir, SERVICE, "alice", PASSWORD);
		if (code != PAM_SUCCESS)
			bench_fatal("pam: the right password got %s (%d), want PAM_SUCCESS",
			      bench_pam_code_name(code), code);
	}
}

static void
summarize(struct measure *measures, size_t count, unsigned int trials,
	  struct summary *summaries)
{
	double *ratio, *copy;

	ratio = calloc(trials, sizeof(*ratio));
	copy = calloc(trials, sizeof(*copy));
	if (ratio == NULL || copy == NULL)
		bench_fatal("out of memory");
	for (size_t i = 0; i < count; i++) {
		const struct measure *base = NULL;
		struct summary *s = &summaries[i];

		for (size_t j = 0; j < count; j++) {
			if (measures[j].path == measures[i].path && measures[j].kind == KIND_WRONG)
				base = &measures[j];
		}
		if (base == NULL)
			bench_fatal("no wrong-password measure for a path");
		for (unsigned int t = 0; t < trials; t++)
			ratio[t] = measures[i].ms[t] / base->ms[t];
		bench_stats(ratio, trials, &s->ratio_median, &s->ratio_min, &s->ratio_max);
	}
	/* Latencies last: bench_stats() sorts in place and the ratios need trial order. */
	for (size_t i = 0; i < count; i++) {
		memcpy(copy, measures[i].ms, trials * sizeof(*copy));
		bench_stats(copy, trials, &summaries[i].median_ms, &summaries[i].min_ms,
		      &summaries[i].max_ms);
	}
	free(ratio);
	free(copy);
}

static void
print_machine(unsigned long long opslimit, size_t memlimit, const char *module,
	      unsigned int trials)
{
	bench_print_machine();
	printf("  argon2id   t=%llu m=%zu KiB p=1\n", opslimit, memlimit / 1024);
	printf("  trials     %u of each case, order rotated every round\n", trials);
	if (module != NULL)
		printf("  module     %s\n", module);
	printf("\n");
}

static void
print_table(const struct measure *measures, const struct summary *summaries, size_t count,
	    unsigned int trials)
{
	printf("%-4s  %-28s  %6s  %11s  %11s  %11s  %8s  %8s  %8s\n", "path", "case",
	       "trials", "median", "min", "max", "ratio", "min", "max");
	printf("%-4s  %-28s  %6s  %11s  %11s  %11s  %8s  %8s  %8s\n", "----",
	       "----------------------------", "------", "-----------", "-----------",
	       "-----------", "--------", "--------", "--------");
	for (size_t i = 0; i < count; i++) {
		const struct summary *s = &summaries[i];

		printf("%-4s  %-28s  %6u  %8.3f ms  %8.3f ms  %8.3f ms  %8.4f  %8.4f  %8.4f\n",
		       measures[i].path == PATH_CORE ? "core" : "pam",
		       kinds[measures[i].kind].label, trials, s->median_ms, s->min_ms,
		       s->max_ms, s->ratio_median, s->ratio_min, s->ratio_max);
	}
	printf("\nratio: each trial's time divided by the same round's wrong-password time\n"
	       "on the same path; the verdict uses the median of those ratios.\n\n");
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "cheap", no_argument, NULL, 'c' },
		{ "pam-module", required_argument, NULL, 'p' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct measure measures[N_MEASURES];
	struct summary summaries[N_MEASURES];
	char conf_path[PATH_MAX], confdir[PATH_MAX], module[PATH_MAX], error[MP_ERROR_MAX];
	const char *module_option = NULL;
	unsigned long long opslimit = DEFAULT_OPSLIMIT;
	size_t memlimit = DEFAULT_MEMLIMIT, count = 0;
	unsigned int trials = DEFAULT_TRIALS;
	bool core = true, pam = true, cheap = false, cost_given = false, pass = true;
	struct context ctx = { 0 };
	enum mp_result result;
	double start;
	int c;

	while ((c = getopt_long(argc, argv, "n:t:m:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!bench_parse_count(optarg, MAX_TRIALS, &trials))
				usage();
			break;
		case 't':
			opslimit = parse_opslimit(optarg);
			cost_given = true;
			break;
		case 'm':
			memlimit = parse_memlimit(optarg);
			cost_given = true;
			break;
		case 'c':
			cheap = true;
			break;
		case 'p':
			module_option = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "core") == 0)
				pam = false;
			else if (strcmp(optarg, "pam") == 0)
				core = false;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (cheap && cost_given))
		usage();
	if (cheap) {
		opslimit = CHEAP_OPSLIMIT;
		memlimit = CHEAP_MEMLIMIT;
	}

	/* 1 means already initialised, which is fine. */
	bench_init("bench-timing", bench_tmpdir_remove);
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");
	module[0] = '\0';
	if (pam)
		bench_find_built(module_option, "MAILPASS_PAM_MODULE", MODULE_RELATIVE, "PAM module",
				 module, sizeof(module));

	bench_progress("timing: hashing the store (t=%llu, m=%zu KiB, p=1)", opslimit,
		 memlimit / 1024);
	make_fixture(opslimit, memlimit, module, conf_path, sizeof(conf_path), confdir,
		     sizeof(confdir));
	ctx.confdir = confdir;
	error[0] = '\0';
	result = mp_auth_open(conf_path, &ctx.auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open returned %s: %s", mp_result_name(result), error);

	for (int p = PATH_CORE; p <= PATH_PAM; p++) {
		if ((p == PATH_CORE && !core) || (p == PATH_PAM && !pam))
			continue;
		for (int k = 0; k < N_KINDS; k++) {
			measures[count].path = (enum path)p;
			measures[count].kind = (enum kind)k;
			measures[count].ms = calloc(trials, sizeof(double));
			if (measures[count].ms == NULL)
				bench_fatal("out of memory");
			count++;
		}
	}

	bench_progress("timing: checking that the right password logs in");
	check_right_password(&ctx, core, pam);
	/* One untimed call of each case: every answer is checked, and caches are warm. */
	for (size_t i = 0; i < count; i++)
		(void)run_one(&ctx, &measures[i]);

	bench_progress("timing: %u rounds of %zu failed logins", trials, count);
	start = bench_now();
	for (unsigned int t = 0; t < trials; t++) {
		for (size_t j = 0; j < count; j++) {
			size_t i = (t + j) % count;

			measures[i].ms[t] = run_one(&ctx, &measures[i]);
		}
		if ((t + 1) % 10 == 0)
			bench_progress("timing: %u of %u rounds, %.0f s", t + 1, trials, bench_now() - start);
	}
	mp_auth_close(&ctx.auth);
	bench_tmpdir_remove();

	summarize(measures, count, trials, summaries);
	print_machine(opslimit, memlimit, pam ? module : NULL, trials);
	print_table(measures, summaries, count, trials);
	for (size_t i = 0; i < count; i++) {
		const struct summary *s = &summaries[i];
		bool ok;

		if (measures[i].kind == KIND_WRONG)
			continue;
		ok = s->ratio_median >= RATIO_LOW && s->ratio_median <= RATIO_HIGH;
		pass = pass && ok;
		printf("%-4s  %-28s / a: median ratio %.3f (goal %.2f-%.2f): %s\n",
		       measures[i].path == PATH_CORE ? "core" : "pam",
		       kinds[measures[i].kind].label, s->ratio_median, RATIO_LOW, RATIO_HIGH,
		       ok ? "PASS" : "FAIL");
	}
	if (trials < MIN_TRIALS)
		printf("note: %u trials is fewer than %d; this run is a smoke test, not a "
		       "measurement\n", trials, MIN_TRIALS);
	for (size_t i = 0; i < count; i++)
		free(measures[i].ms);
	if (fflush(stdout) != 0)
		bench_fatal("cannot write the results: %s", strerror(errno));
	return pass ? EXIT_SUCCESS : EXIT_FAIL;
}
