/*
 * bench-argon2.c - what each adapter adds to one Argon2id verification.
 *
 * One password is hashed once with Dovecot's default Argon2id cost (t=3,
 * m=64 MiB, p=1) and verified, in every round, along four paths:
 *
 *   raw   crypto_pwhash_str_verify(), libsodium alone: the baseline
 *   core  mp_auth_verify() on a handle opened from mailpass.conf
 *   pam   pam_start_confdir(), pam_authenticate(), pam_end() through the
 *         real libpam, with a service file that loads the built
 *         pam_mailpass.so and a conversation that answers the password
 *   sasl  sasl_server_new(), sasl_server_start("PLAIN"), sasl_dispose()
 *         through the real libsasl2, which loads the built plugin
 *
 * The four calls of a round run in an order that rotates from round to
 * round, so that drift in clock speed or memory pressure hits every path
 * alike.  Each path's time is divided by the raw time of the same round;
 * the verdict compares the median of those ratios with the goal.
 *
 * Exit status: 0 when every median ratio meets the goal, 1 when one does
 * not, 2 on a usage or setup error or when a path gives a wrong answer.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <security/pam_appl.h>
#include <sodium.h>

#include "auth.h"
#include "bench-fixture.h"
#include "bench-pam.h"
#include "bench-util.h"
#include "result.h"
#include "sasl-callbacks.h"

#define DEFAULT_ROUNDS 21
#define MAX_ROUNDS 1000

/* Dovecot's default Argon2id cost, which is also mailpass.conf's default. */
#define ARGON2_OPSLIMIT 3ULL
#define ARGON2_MEMLIMIT ((size_t)64 * 1024 * 1024)

/* The goal: an adapter may add at most 3 % to a bare libsodium verify. */
#define RATIO_GOAL 1.03

#define USER "bench"
#define PASSWORD "correct horse battery staple"
#define WRONG_PASSWORD "correct horse battery stapler"
#define SERVICE "mailpass-bench-argon2"
#define SASL_APP "mailpass-bench-argon2"

#define PAM_MODULE_RELATIVE "pam-module/.libs/pam_mailpass.so"
#define SASL_PLUGIN_RELATIVE "sasl-plugin/.libs/libmailpass.so"

#define EXIT_FAIL 1

enum path { PATH_RAW, PATH_CORE, PATH_PAM, PATH_SASL, N_PATHS };

static const char *const path_names[N_PATHS] = { "raw", "core", "pam", "sasl" };
static const char *const path_calls[N_PATHS] = {
	"crypto_pwhash_str_verify",
	"mp_auth_verify",
	"pam_authenticate (libpam)",
	"sasl_server_start PLAIN (libsasl2)",
};

/* Everything the four paths need, set up once. */
struct fixture {
	char dir[PATH_MAX];
	char conf[PATH_MAX];
	char store[PATH_MAX];
	char confdir[PATH_MAX];
	char plugins[PATH_MAX];
	char hash[crypto_pwhash_STRBYTES];
	struct mp_auth *auth;
};

static struct fixture fx;

struct stats {
	double median, min, max;
};

struct result {
	unsigned int rounds;
	struct stats ms[N_PATHS];
	struct stats ratio[N_PATHS];	/* ratio[PATH_RAW] is unused */
};

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench-argon2 [-n ROUNDS] [--pam-module PATH] [--sasl-plugin PATH] [--json]\n"
		"  -n ROUNDS            rounds, each one verify of every path (default %d)\n"
		"  --pam-module PATH    the built pam_mailpass.so (default $MAILPASS_PAM_MODULE,\n"
		"                       else %s beside the program or here)\n"
		"  --sasl-plugin PATH   the built libmailpass.so (default $MAILPASS_SASL_PLUGIN,\n"
		"                       else %s beside the program or here)\n"
		"  --json               the results as one JSON object instead of a table\n",
		DEFAULT_ROUNDS, PAM_MODULE_RELATIVE, SASL_PLUGIN_RELATIVE);
	exit(BENCH_EXIT_ERROR);
}

static void
cleanup(void)
{
	if (fx.auth != NULL)
		mp_auth_close(&fx.auth);
	sodium_memzero(fx.hash, sizeof(fx.hash));
	bench_tmpdir_remove();
}

/* --- SASL: the callbacks of a server configured as docs/postfix.md shows. */

/*
 * Those of tests/sasl-callbacks.c, with log lines dropped: writing them is
 * not what is measured.  The temporary directory holds no SASL_APP.conf, so
 * that no system-wide one is read.
 */
static struct mp_test_sasl_server sasl_server = {
	.plugin_dir = fx.plugins,
	.conf_dir = fx.dir,
	.mailpass_conf = fx.conf,
};

/* sasl_plain - one connection, AUTH PLAIN with the password; the code of sasl_server_start. */
static int
sasl_plain(const char *password)
{
	char response[256];
	const char *out = NULL;
	unsigned out_len = 0;
	sasl_conn_t *conn = NULL;
	int n, ret;

	/* authzid NUL authcid NUL password */
	n = snprintf(response, sizeof(response), "%c%s%c%s", '\0', USER, '\0', password);
	if (n < 0 || (size_t)n >= sizeof(response))
		bench_fatal("SASL PLAIN response does not fit");
	ret = sasl_server_new("pop", "bench.mailpass.invalid", NULL, NULL, NULL, NULL, 0, &conn);
	if (ret != SASL_OK)
		bench_fatal("sasl_server_new: %s", sasl_errstring(ret, NULL, NULL));
	ret = sasl_server_start(conn, "PLAIN", response, (unsigned)n, &out, &out_len);
	sasl_dispose(&conn);
	sodium_memzero(response, sizeof(response));
	return ret;
}

/* --- The fixture. */

static void
make_fixture(const char *module, const char *plugin)
{
	char path[PATH_MAX], error[MP_ERROR_MAX];
	enum mp_result result;
	FILE *f;

	bench_tmpdir_make("mailpass-argon2", fx.dir, sizeof(fx.dir));
	bench_join(fx.conf, sizeof(fx.conf), fx.dir, "mailpass.conf");
	bench_join(fx.store, sizeof(fx.store), fx.dir, "passwd");
	bench_join(fx.confdir, sizeof(fx.confdir), fx.dir, "pam.d");
	bench_join(fx.plugins, sizeof(fx.plugins), fx.dir, "plugins");

	bench_progress("argon2: hashing once (t=%llu, m=%zu MiB, p=1)", ARGON2_OPSLIMIT,
		       ARGON2_MEMLIMIT / (1024 * 1024));
	if (crypto_pwhash_str_alg(fx.hash, PASSWORD, strlen(PASSWORD), ARGON2_OPSLIMIT,
				  ARGON2_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
		bench_fatal("crypto_pwhash_str_alg failed: %s", strerror(errno));

	/* Every setting at its default, as a site that installs mailpass has it. */
	f = bench_create_file(fx.conf, 0600);
	fprintf(f, "# Written by bench-argon2; removed when it ends.\n");
	fprintf(f, "store = file:%s\n", fx.store);
	bench_close_checked(f, fx.conf);

	f = bench_create_file(fx.store, 0600);
	fprintf(f, "%s:{ARGON2ID}%s\n", USER, fx.hash);
	bench_close_checked(f, fx.store);

	if (mkdir(fx.confdir, 0700) != 0)
		bench_fatal("mkdir %s: %s", fx.confdir, strerror(errno));
	bench_join(path, sizeof(path), fx.confdir, SERVICE);
	f = bench_create_file(path, 0644);
	fprintf(f, "auth required %s conf=%s\n", module, fx.conf);
	bench_close_checked(f, path);

	/* A plugin directory holding only the built plugin. */
	if (mkdir(fx.plugins, 0700) != 0)
		bench_fatal("mkdir %s: %s", fx.plugins, strerror(errno));
	bench_join(path, sizeof(path), fx.plugins, "libmailpass.so");
	if (symlink(plugin, path) != 0)
		bench_fatal("symlink %s: %s", path, strerror(errno));

	error[0] = '\0';
	result = mp_auth_open(fx.conf, &fx.auth, error, sizeof(error));
	if (result != MP_OK)
		bench_fatal("mp_auth_open returned %s: %s", mp_result_name(result), error);

	if (sasl_server_init(mp_test_sasl_callbacks(&sasl_server), SASL_APP) != SASL_OK)
		bench_fatal("sasl_server_init failed");
}

/* verify - one call of a path; true when it accepted password. */
static bool
verify(enum path path, const char *password)
{
	const char *reason = "", *note = NULL;
	enum mp_result result;
	int ret;

	switch (path) {
	case PATH_RAW:
		return crypto_pwhash_str_verify(fx.hash, password, strlen(password)) == 0;
	case PATH_CORE:
		result = mp_auth_verify(fx.auth, USER, strlen(USER), password, strlen(password),
					0, &reason, &note);
		if (result != MP_OK && result != MP_MISMATCH)
			bench_fatal("mp_auth_verify returned %s (%s)", mp_result_name(result),
				    reason);
		if (note != NULL)
			bench_fatal("mp_auth_verify tried to rehash (%s)", note);
		return result == MP_OK;
	case PATH_PAM:
		ret = bench_pam_login(fx.confdir, SERVICE, USER, password);
		if (ret != PAM_SUCCESS && ret != PAM_AUTH_ERR)
			bench_fatal("pam_authenticate returned %s", bench_pam_code_name(ret));
		return ret == PAM_SUCCESS;
	case PATH_SASL:
		ret = sasl_plain(password);
		if (ret != SASL_OK && ret != SASL_BADAUTH)
			bench_fatal("sasl_server_start returned %s", sasl_errstring(ret, NULL, NULL));
		return ret == SASL_OK;
	default:
		bench_fatal("unknown path %d", (int)path);
	}
}

/* time_ms - one verify of the right password, in milliseconds; fatal when refused. */
static double
time_ms(enum path path)
{
	double start, elapsed;
	bool accepted;

	start = bench_now();
	accepted = verify(path, PASSWORD);
	elapsed = bench_now() - start;
	if (!accepted)
		bench_fatal("%s refused the right password", path_calls[path]);
	return elapsed * 1000;
}

static void
run(unsigned int rounds, struct result *res)
{
	double *ms[N_PATHS], *ratio[N_PATHS];
	struct stat before, after;

	for (int p = 0; p < N_PATHS; p++) {
		ms[p] = calloc(rounds, sizeof(double));
		ratio[p] = calloc(rounds, sizeof(double));
		if (ms[p] == NULL || ratio[p] == NULL)
			bench_fatal("out of memory");
	}

	/*
	 * Every path must refuse a wrong password and accept the right one,
	 * so that what is timed is a real verification.  This also warms up
	 * the machine and loads the module and the plugin once.
	 */
	bench_progress("argon2: checking that every path refuses a wrong password");
	for (int p = 0; p < N_PATHS; p++) {
		if (verify((enum path)p, WRONG_PASSWORD))
			bench_fatal("%s accepted a wrong password", path_calls[p]);
		(void)time_ms((enum path)p);
	}
	if (stat(fx.store, &before) != 0)
		bench_fatal("stat %s: %s", fx.store, strerror(errno));

	bench_progress("argon2: %u rounds of one verify of each of the %d paths", rounds,
		       N_PATHS);
	for (unsigned int i = 0; i < rounds; i++) {
		for (int k = 0; k < N_PATHS; k++) {
			int p = (int)((i + (unsigned int)k) % N_PATHS);

			ms[p][i] = time_ms((enum path)p);
		}
		for (int p = 0; p < N_PATHS; p++)
			ratio[p][i] = ms[p][i] / ms[PATH_RAW][i];
	}

	/* The store's hash has the configured cost: nothing may have rewritten it. */
	if (stat(fx.store, &after) != 0)
		bench_fatal("stat %s: %s", fx.store, strerror(errno));
	if (after.st_ino != before.st_ino || after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
		bench_fatal("the store was rewritten during the run");

	res->rounds = rounds;
	for (int p = 0; p < N_PATHS; p++) {
		bench_stats(ms[p], rounds, &res->ms[p].median, &res->ms[p].min, &res->ms[p].max);
		bench_stats(ratio[p], rounds, &res->ratio[p].median, &res->ratio[p].min,
			    &res->ratio[p].max);
		free(ms[p]);
		free(ratio[p]);
	}
}

static bool
goal_met(const struct result *res)
{
	for (int p = PATH_CORE; p < N_PATHS; p++) {
		if (!(res->ratio[p].median <= RATIO_GOAL))
			return false;
	}
	return true;
}

static void
print_table(const struct result *res)
{
	bench_print_machine();
	printf("  cost       Argon2id t=%llu, m=%zu MiB, p=1\n\n", ARGON2_OPSLIMIT,
	       ARGON2_MEMLIMIT / (1024 * 1024));
	printf("%-4s  %-36s  %6s  %10s  %10s  %10s  %8s  %8s  %8s\n", "path", "call", "rounds",
	       "median ms", "min ms", "max ms", "ratio", "min", "max");
	for (int p = 0; p < N_PATHS; p++) {
		printf("%-4s  %-36s  %6u  %10.3f  %10.3f  %10.3f", path_names[p], path_calls[p],
		       res->rounds, res->ms[p].median, res->ms[p].min, res->ms[p].max);
		if (p == PATH_RAW)
			printf("  %8s  %8s  %8s\n", "1", "-", "-");
		else
			printf("  %8.4f  %8.4f  %8.4f\n", res->ratio[p].median, res->ratio[p].min,
			       res->ratio[p].max);
	}
	printf("\n");
	for (int p = PATH_CORE; p < N_PATHS; p++)
		printf("argon2id %s/raw median ratio: %.3f (goal <= %.2f): %s\n", path_names[p],
		       res->ratio[p].median, RATIO_GOAL,
		       res->ratio[p].median <= RATIO_GOAL ? "PASS" : "FAIL");
}

static void
print_json(const struct result *res)
{
	printf("{\"benchmark\": \"argon2\", \"libsodium\": \"%s\", \"opslimit\": %llu, "
	       "\"memlimit\": %zu, \"rounds\": %u, \"goal\": %.2f, \"paths\": {",
	       sodium_version_string(), ARGON2_OPSLIMIT, ARGON2_MEMLIMIT, res->rounds,
	       RATIO_GOAL);
	for (int p = 0; p < N_PATHS; p++)
		printf("%s\"%s\": {\"call\": \"%s\", \"median_ms\": %.6f, \"min_ms\": %.6f, "
		       "\"max_ms\": %.6f, \"ratio_median\": %.6f, \"ratio_min\": %.6f, "
		       "\"ratio_max\": %.6f}", p == 0 ? "" : ", ", path_names[p], path_calls[p],
		       res->ms[p].median, res->ms[p].min, res->ms[p].max,
		       p == PATH_RAW ? 1.0 : res->ratio[p].median,
		       p == PATH_RAW ? 1.0 : res->ratio[p].min,
		       p == PATH_RAW ? 1.0 : res->ratio[p].max);
	printf("}, \"pass\": %s}\n", goal_met(res) ? "true" : "false");
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "pam-module", required_argument, NULL, 'p' },
		{ "sasl-plugin", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *module_option = NULL, *plugin_option = NULL;
	char module[PATH_MAX], plugin[PATH_MAX];
	unsigned int rounds = DEFAULT_ROUNDS;
	struct result res;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!bench_parse_count(optarg, MAX_ROUNDS, &rounds))
				usage();
			break;
		case 'p':
			module_option = optarg;
			break;
		case 's':
			plugin_option = optarg;
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

	bench_init("bench-argon2", cleanup);
	/* 1 means already initialised, which is fine. */
	if (sodium_init() < 0)
		bench_fatal("sodium_init failed");
	bench_find_built(module_option, "MAILPASS_PAM_MODULE", PAM_MODULE_RELATIVE,
			 "PAM module", module, sizeof(module));
	bench_find_built(plugin_option, "MAILPASS_SASL_PLUGIN", SASL_PLUGIN_RELATIVE,
			 "SASL plugin", plugin, sizeof(plugin));

	make_fixture(module, plugin);
	run(rounds, &res);
	sasl_server_done();
	cleanup();

	if (json)
		print_json(&res);
	else
		print_table(&res);
	if (fflush(stdout) != 0)
		bench_fatal("cannot write the results: %s", strerror(errno));
	return goal_met(&res) ? EXIT_SUCCESS : EXIT_FAIL;
}
