/*
 * pam-test.c - pam_mailpass.so through the real libpam.
 *
 * Every row of the tables below writes a service file into a private
 * configuration directory, runs pam_start_confdir() and one PAM call in a
 * child process with a conversation that answers from the row, and checks
 * the PAM code, how often a password was asked for, what the module logged
 * (tests/syslog-capture.c writes syslog(3) to a file) and, where it matters,
 * the store afterwards.  The last tests check that the RETURN VALUES table of
 * docs/pam_mailpass.8 is the one the rows observed, and that no password
 * and no stored hash used anywhere here ever reached the log.
 *
 * Environment (tests/pam.test sets it): MAILPASS_PAM_MODULE, the built
 * module; MAILPASS_BIN, the mailpass command (it makes the stored hashes);
 * MAILPASS_SRCDIR, for the man page; MAILPASS_SYSLOG_FILE, the captured
 * log, with the capture in LD_PRELOAD.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <security/pam_appl.h>

#include "code-names.h"
#include "cunit-run.h"
#include "fixture-files.h"
#include "fixture-secrets.h"
#include "fixture-text.h"
#include "loaded-objects.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The service name every row uses; its file is rewritten for each row. */
#define SERVICE "mailpass-test"

/* The user the unprivileged rows run as (nobody on Debian). */
#define UNPRIVILEGED_ID 65534

/* The passwords of the store.  None of them may ever appear in the log. */
#define PW_ALICE "alice-Secret-1"
#define PW_BOB "bob-Secret-2"
#define PW_CAROL "carol-Secret-3"
#define PW_DAVE "dave-Secret-4"
#define PW_IVAN "ivan-Secret-7"
#define PW_TWIN "twin-Secret-8"
#define PW_WRONG "wrong-Secret-9"
#define PW_NEW "fresh-Secret-5"
#define PW_OTHER "other-Secret-6"
#define PW_DES "des-Secret-1"
#define PW_SHA512 "sha-Secret-2"

/* crypt(3) values of PW_DES and PW_SHA512, made with Python's crypt module. */
#define DES_OF_PW_DES "abxJ8RbjpCsQw"
#define SHA512_CRYPT_OF_PW_SHA512 "$6$saltsaltsalt$c3iH90FB44YXELhAzBd.arlwtWDRoBvO3DsxNVJ0xufsT/" \
	"tMqVFcn10i3A/uZ6gadnQLWDgYelGdb0uSqh.230"

/* The module with the test configuration (cheap Argon2: t=1, m=8M). */
#define MAILPASS "@MODULE@ conf=@DIR@/mailpass.conf"

/* The start of the module's outcome lines for user u. */
#define AUTH_LOG(u) "authenticate: service=" SERVICE " user=" u " rhost=-: "
#define ACCT_LOG(u) "account: service=" SERVICE " user=" u " rhost=-: "
#define CHECK_LOG(u) "chauthtok check: service=" SERVICE " user=" u " rhost=-: "
#define CHTOK_LOG(u) "chauthtok: service=" SERVICE " user=" u " rhost=-: "

/* The prefix pam_syslog() gives the module's lines, with facility and level. */
#define SYSLOG(level, type) "authpriv." level " pam_mailpass(" SERVICE ":" type "): "

/* Part of every line the module logs: the .unwant_log of a row that must log nothing. */
#define ANY_MODULE_LINE " pam_mailpass("

/* The stored value of a new hash with the test configuration. */
#define NEW_ARGON2ID "{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$"

/* .prompts of a row that gives answers which must not be asked for. */
#define NOT_ASKED (-1)

enum pam_op { OP_AUTHENTICATE, OP_ACCT_MGMT, OP_CHAUTHTOK };

/* Who runs the call: whoever runs the test, root, or an unprivileged user. */
enum run_as { AS_CALLER, AS_ROOT, AS_USER };

struct pam_case {
	const char *label;
	const char *service;	/* the service file; @MODULE@ and @DIR@ are replaced */
	const char *user;	/* NULL: pam_get_user asks the conversation */
	const char *conv_user;	/* the answer to an echo-on prompt */
	const char *answers[4];	/* answers to echo-off prompts, in order, NULL-terminated */
	const char *rhost;
	int flags;
	enum run_as run_as;
	bool low_memory;	/* run with an address space limit (out-of-memory rows) */
	bool no_memory;		/* every malloc of 64 KiB or more fails (see fail_malloc_min) */
	int want;
	int prompts;		/* echo-off prompts; 0: one per answer; NOT_ASKED: none */
	const char *result;	/* the module's core result, for the RETURN VALUES table */
	const char *want_log[2];	/* each must be logged exactly once */
	const char *unwant_log;	/* must not be logged */
	const char *want_entry;	/* the user's store line starts so afterwards */
	const char *after_ok;	/* afterwards, this password authenticates */
	const char *after_fail;	/* afterwards, this one does not */
};

/* What a child reports back about one PAM call. */
struct pam_outcome {
	int code;
	int prompts;		/* echo-off prompts */
	int user_prompts;	/* echo-on prompts */
	bool sodium_loaded;	/* libsodium was in the child after the call */
	bool nettle_loaded;	/* so was Nettle */
};

/*
 * The RETURN VALUES table of docs/pam_mailpass.8: the core result and the
 * PAM code each module type returns for it.  The man page is read and
 * compared with this table, and each cell must be shown by a row below,
 * except those marked unreachable.
 */
enum phase { PHASE_AUTH, PHASE_ACCOUNT, PHASE_PASSWORD };

static const char *const phase_names[] = { "auth", "account", "password" };

static const struct {
	const char *result;
	int code[3];
	const char *unreachable[3];	/* why a cell cannot be shown through libpam */
} return_values[] = {
	{ "OK", { PAM_SUCCESS, PAM_SUCCESS, PAM_SUCCESS }, { NULL, NULL, NULL } },
	{ "MISMATCH", { PAM_AUTH_ERR, PAM_AUTH_ERR, PAM_AUTH_ERR },
	  { NULL, "the account check has no password to mismatch", NULL } },
	{ "USER_UNKNOWN", { PAM_USER_UNKNOWN, PAM_USER_UNKNOWN, PAM_USER_UNKNOWN },
	  { NULL, NULL, NULL } },
	{ "DISABLED", { PAM_AUTH_ERR, PAM_PERM_DENIED, PAM_PERM_DENIED }, { NULL, NULL, NULL } },
	{ "MALFORMED", { PAM_AUTH_ERR, PAM_AUTH_ERR, PAM_AUTHTOK_ERR }, { NULL, NULL, NULL } },
	{ "UNAVAILABLE", { PAM_AUTHINFO_UNAVAIL, PAM_AUTHINFO_UNAVAIL, PAM_AUTHTOK_ERR },
	  { NULL, NULL, NULL } },
	{ "INTERNAL", { PAM_BUF_ERR, PAM_BUF_ERR, PAM_BUF_ERR }, { NULL, NULL, NULL } },
};

static struct {
	char dir[256];
	char confdir[300];
	char store[300];
	const char *module;
	const char *bin;
	const char *srcdir;
	const char *log;
	char *store_text;
	char *hash_alice;
	char long255[256];
	char long256[257];
	char pw1024[1025];
	char pw1025[1026];
	struct mp_fixture_secrets secrets;	/* every password and stored value seen */
	bool root;
	bool require_tools;
	bool can_fail_malloc;	/* see can_fail_malloc() */
	/* Which cells of the RETURN VALUES table a passing row has shown. */
	bool seen[N_ELEMENTS(return_values)][3];
} fx;

/* pam_code_name - the code's name, for "got X, want Y". */
static const char *
pam_code_name(int code)
{
	const char *name = mp_test_pam_code_name(code);

	if (name != NULL)
		return name;
	return code == -1 ? "(no result: the child failed)" : "(unknown code)";
}

/* --- Small helpers. */

/* expand - text with the tables' @TOKEN@s replaced, malloc'd (NULL stays NULL). */
static char *
expand(const char *text)
{
	const struct mp_fixture_token tokens[] = {
		{ "@MODULE@", fx.module },	{ "@DIR@", fx.dir },
		{ "@LONG255@", fx.long255 },	{ "@LONG256@", fx.long256 },
		{ "@PW1024@", fx.pw1024 },	{ "@PW1025@", fx.pw1025 },
		{ "@HASH_ALICE@", fx.hash_alice },
	};
	size_t len;

	if (text == NULL)
		return NULL;
	return mp_fixture_expand(text, strlen(text), tokens, N_ELEMENTS(tokens), &len);
}

static bool
set_owner(const char *path)
{
	if (!fx.root)
		return true;
	if (chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID) != 0) {
		fprintf(stderr, "\n  chown %s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

/*
 * reset_store - the store of the tables, owned by the unprivileged user (who
 * must be able to change a password), with its lock file made in advance:
 * a lock file made by root would be closed to that user.
 */
static bool
reset_store(void)
{
	char lock[320];

	snprintf(lock, sizeof(lock), "%s.lock", fx.store);
	return mp_fixture_write(fx.store, fx.store_text, 0640) && set_owner(fx.store) &&
	       mp_fixture_write(lock, "", 0600) && set_owner(lock);
}

/* shell_safe - s can go between single quotes in a command line. */
static bool
shell_safe(const char *s)
{
	return strchr(s, '\'') == NULL;
}

/* cli_hash - "mailpass -c CONF hash" of password, malloc'd, or NULL. */
static char *
cli_hash(const char *password)
{
	char pwfile[320], cmd[1200], line[512];
	char *hash = NULL;
	FILE *p;

	snprintf(pwfile, sizeof(pwfile), "%s/password.tmp", fx.dir);
	if (!mp_fixture_write(pwfile, password, 0600))
		return NULL;
	snprintf(cmd, sizeof(cmd), "'%s' -c '%s/mailpass.conf' hash < '%s'", fx.bin, fx.dir,
		 pwfile);
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fgets(line, sizeof(line), p) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "{ARGON2ID}$argon2id$", 20) == 0)
				hash = strdup(line);
		}
		if (pclose(p) != 0) {
			free(hash);
			hash = NULL;
		}
	}
	(void)unlink(pwfile);
	if (hash == NULL)
		fprintf(stderr, "\n  %s: no Argon2id hash from the mailpass command\n", cmd);
	return hash;
}

/* --- One PAM call in a child process. */

struct conv_state {
	const char *user;
	const char *const *answers;
	size_t n_answers, next;
	struct pam_outcome *outcome;
};

static int
conversation(int n, const struct pam_message **msg, struct pam_response **resp_r, void *data)
{
	struct conv_state *state = data;
	struct pam_response *resp;
	int i;

	*resp_r = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	resp = calloc((size_t)n, sizeof(*resp));
	if (resp == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			state->outcome->prompts++;
			if (state->next >= state->n_answers)
				goto fail;	/* asked more often than the row allows */
			resp[i].resp = strdup(state->answers[state->next++]);
			break;
		case PAM_PROMPT_ECHO_ON:
			state->outcome->user_prompts++;
			if (state->user == NULL)
				goto fail;
			resp[i].resp = strdup(state->user);
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			continue;
		default:
			goto fail;
		}
		if (resp[i].resp == NULL)
			goto fail;
	}
	*resp_r = resp;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		free(resp[i].resp);
	free(resp);
	return PAM_CONV_ERR;
}

struct pam_call {
	enum pam_op op;
	const char *service;	/* expanded */
	const char *user;
	const char *conv_user;
	const char *const *answers;
	size_t n_answers;
	const char *rhost;
	int flags;
	enum run_as run_as;
	bool low_memory;
	bool no_memory;
};

/*
 * Out of memory on purpose.  This program's malloc comes before libc's for
 * every object in the process, the module included: when fail_malloc_min is
 * not 0, a request of that many bytes or more fails.  64 KiB is the read
 * buffer of a store lookup (shared/store-scan.c), while the small
 * allocations of libpam and the module go through.  AddressSanitizer owns
 * malloc itself, so a sanitizer build leaves malloc alone and skips the rows.
 */
#define FAIL_MALLOC_MIN ((size_t)64 * 1024)

#ifndef __SANITIZE_ADDRESS__
static size_t fail_malloc_min;

extern void *__libc_malloc(size_t size);
void *malloc(size_t size) __attribute__((visibility("default")));

void *
malloc(size_t size)
{
	if (fail_malloc_min != 0 && size >= fail_malloc_min) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}
#endif

/*
 * can_fail_malloc - whether the malloc above is the one in use.  Not with
 * AddressSanitizer; not under valgrind either, whose malloc replaces every
 * object's, this program's included.
 */
static bool
can_fail_malloc(void)
{
#ifdef __SANITIZE_ADDRESS__
	return false;
#else
	/* Called through a pointer, so that the compiler cannot inline it. */
	void *(*volatile allocate)(size_t) = malloc;
	void *block;

	fail_malloc_min = FAIL_MALLOC_MIN;
	block = allocate(FAIL_MALLOC_MIN);
	fail_malloc_min = 0;
	free(block);
	return block == NULL;
#endif
}

/* limit_memory - leave the process 256 MiB more address space than it has now. */
static bool
limit_memory(void)
{
	unsigned long pages = 0;
	struct rlimit limit;
	FILE *f;

	f = fopen("/proc/self/statm", "r");
	if (f == NULL)
		return false;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	if (pages == 0)
		return false;
	limit.rlim_cur = limit.rlim_max =
		(rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + 256 * 1024 * 1024;
	return setrlimit(RLIMIT_AS, &limit) == 0;
}

static bool
drop_privileges(void)
{
	return setgroups(0, NULL) == 0 &&
	       setresgid(UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) == 0 &&
	       setresuid(UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) == 0;
}

/* child_call - runs in the child: one transaction, its outcome written to fd. */
static void __attribute__((noreturn))
child_call(const struct pam_call *call, int fd)
{
	struct pam_outcome outcome = { .code = -1 };
	struct conv_state state = {
		.user = call->conv_user,
		.answers = call->answers,
		.n_answers = call->n_answers,
		.outcome = &outcome,
	};
	struct pam_conv conv = { conversation, &state };
	pam_handle_t *pamh = NULL;
	int ret;

	/* pam_start loads the modules, so that they are read while still root. */
	ret = pam_start_confdir(SERVICE, call->user, &conv, fx.confdir, &pamh);
	if (ret != PAM_SUCCESS) {
		outcome.code = ret;
		goto out;
	}
	if (call->rhost != NULL)
		(void)pam_set_item(pamh, PAM_RHOST, call->rhost);
#ifndef __SANITIZE_ADDRESS__
	if (call->no_memory)
		fail_malloc_min = FAIL_MALLOC_MIN;
#endif
	if (call->low_memory && !limit_memory()) {
		fprintf(stderr, "\n  cannot limit the address space: %s\n", strerror(errno));
		_exit(3);
	}
	if (call->run_as == AS_USER && fx.root && !drop_privileges()) {
		fprintf(stderr, "\n  cannot drop privileges: %s\n", strerror(errno));
		_exit(3);
	}
	switch (call->op) {
	case OP_AUTHENTICATE:
		ret = pam_authenticate(pamh, call->flags);
		break;
	case OP_ACCT_MGMT:
		ret = pam_acct_mgmt(pamh, call->flags);
		break;
	case OP_CHAUTHTOK:
		ret = pam_chauthtok(pamh, call->flags);
		break;
	}
	outcome.code = ret;
	outcome.sodium_loaded = mp_test_loaded("libsodium");
	outcome.nettle_loaded = mp_test_loaded("libnettle");
	pam_end(pamh, ret);
out:
	if (write(fd, &outcome, sizeof(outcome)) != (ssize_t)sizeof(outcome))
		_exit(3);
	_exit(0);
}

/* run_call - the outcome of one call; code -1 when the child failed. */
static struct pam_outcome
run_call(const struct pam_call *call)
{
	struct pam_outcome outcome = { .code = -1 };
	char path[400];
	int fds[2], status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", fx.confdir, SERVICE);
	if (!mp_fixture_write(path, call->service, 0644))
		return outcome;
	for (size_t i = 0; i < call->n_answers; i++)
		mp_fixture_secret_add(&fx.secrets, call->answers[i]);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return outcome;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		(void)close(fds[0]);
		(void)close(fds[1]);
		return outcome;
	}
	if (pid == 0) {
		(void)close(fds[0]);
		child_call(call, fds[1]);
	}
	(void)close(fds[1]);
	if (read(fds[0], &outcome, sizeof(outcome)) != (ssize_t)sizeof(outcome))
		outcome.code = -1;
	(void)close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "\n  the child ended with status 0x%x\n", (unsigned int)status);
		outcome.code = -1;
	}
	mp_fixture_secrets_from_store(&fx.secrets, fx.store);
	return outcome;
}

/* authenticate_as - pam_authenticate with the test configuration, as root. */
static int
authenticate_as(const char *user, const char *password)
{
	char *service = expand("auth required " MAILPASS " no_rehash\n");
	const char *answers[1] = { password };
	struct pam_call call = {
		.op = OP_AUTHENTICATE,
		.service = service,
		.user = user,
		.answers = answers,
		.n_answers = 1,
	};
	struct pam_outcome outcome = run_call(&call);

	free(service);
	return outcome.code;
}

/* --- The table runner. */

static enum phase
op_phase(enum pam_op op)
{
	return op == OP_AUTHENTICATE ? PHASE_AUTH : op == OP_ACCT_MGMT ? PHASE_ACCOUNT :
		PHASE_PASSWORD;
}

static void
check_code(const char *label, const char *what, int got, int want, bool *ok)
{
	if (got == want)
		return;
	fprintf(stderr, "\n  %s%s: got %s (%s), want %s (%s)\n", label, what,
		pam_code_name(got), got >= 0 ? pam_strerror(NULL, got) : "-",
		pam_code_name(want), pam_strerror(NULL, want));
	*ok = false;
}

/* check_result_cell - the row's code is the table's for its result; note the cell shown. */
static void
check_result_cell(const struct pam_case *row, enum pam_op op, bool *ok)
{
	enum phase phase = op_phase(op);

	if (row->result == NULL)
		return;
	for (size_t i = 0; i < N_ELEMENTS(return_values); i++) {
		if (strcmp(return_values[i].result, row->result) != 0)
			continue;
		if (return_values[i].code[phase] != row->want) {
			fprintf(stderr, "\n  %s: the row wants %s, the RETURN VALUES table "
				"gives %s for %s in %s\n", row->label, pam_code_name(row->want),
				pam_code_name(return_values[i].code[phase]), row->result,
				phase_names[phase]);
			*ok = false;
		} else if (*ok) {
			fx.seen[i][phase] = true;
		}
		return;
	}
	fprintf(stderr, "\n  %s: no core result %s\n", row->label, row->result);
	*ok = false;
}

static void
run_case(const struct pam_case *row, enum pam_op op)
{
	char *answers[N_ELEMENTS(row->answers)] = { NULL };
	char *service, *user, *log, *entry = NULL;
	struct pam_outcome outcome;
	struct pam_call call;
	size_t n_answers = 0;
	int want_prompts;
	off_t log_start;
	bool ok = true;

	if (row->run_as == AS_ROOT && !fx.root) {
		fprintf(stderr, "\n  SKIP %s: needs root\n", row->label);
		if (fx.require_tools)
			CU_FAIL("a row that needs root was skipped although MAILPASS_REQUIRE_TOOLS=1");
		return;
	}
	if (row->no_memory && !fx.can_fail_malloc) {
		/* The normal build runs these rows; AddressSanitizer or valgrind owns malloc here. */
		fprintf(stderr, "\n  SKIP %s: malloc cannot be made to fail under AddressSanitizer"
			" or valgrind\n", row->label);
#ifndef __SANITIZE_ADDRESS__
		/* In a normal build outside make check-valgrind the rows must run. */
		if (fx.require_tools && getenv("MAILPASS_VALGRIND_SUPP") == NULL)
			CU_FAIL("malloc could not be made to fail in a normal build");
#endif
		return;
	}
	while (n_answers < N_ELEMENTS(row->answers) && row->answers[n_answers] != NULL) {
		answers[n_answers] = expand(row->answers[n_answers]);
		n_answers++;
	}
	service = expand(row->service);
	user = expand(row->user);
	CU_ASSERT_FATAL(reset_store());
	call = (struct pam_call){
		.op = op,
		.service = service,
		.user = user,
		.conv_user = row->conv_user,
		.answers = (const char *const *)answers,
		.n_answers = n_answers,
		.rhost = row->rhost,
		.flags = row->flags,
		.run_as = row->run_as,
		.low_memory = row->low_memory,
		.no_memory = row->no_memory,
	};
	log_start = mp_fixture_size(fx.log);
	outcome = run_call(&call);
	log = mp_fixture_read(fx.log, log_start);

	check_code(row->label, "", outcome.code, row->want, &ok);
	want_prompts = row->prompts == NOT_ASKED ? 0 :
		row->prompts > 0 ? row->prompts : (int)n_answers;
	if (outcome.code != -1 && outcome.prompts != want_prompts) {
		fprintf(stderr, "\n  %s: asked for a password %d times, want %d\n", row->label,
			outcome.prompts, want_prompts);
		ok = false;
	}
	if (outcome.code != -1 && outcome.user_prompts != (row->user == NULL ? 1 : 0)) {
		fprintf(stderr, "\n  %s: asked for the user name %d times, want %d\n", row->label,
			outcome.user_prompts, row->user == NULL ? 1 : 0);
		ok = false;
	}
	for (size_t i = 0; i < N_ELEMENTS(row->want_log) && row->want_log[i] != NULL; i++) {
		char *want = expand(row->want_log[i]);
		size_t n = mp_fixture_count(log, want);

		if (n != 1) {
			fprintf(stderr, "\n  %s: \"%s\" logged %zu times, want once\n", row->label,
				want, n);
			ok = false;
		}
		free(want);
	}
	if (row->unwant_log != NULL && strstr(log, row->unwant_log) != NULL) {
		fprintf(stderr, "\n  %s: \"%s\" was logged\n", row->label, row->unwant_log);
		ok = false;
	}
	if (row->want_entry != NULL) {
		char *want = expand(row->want_entry);

		entry = mp_fixture_store_line(fx.store, user);
		if (entry == NULL || strncmp(entry, want, strlen(want)) != 0) {
			fprintf(stderr, "\n  %s: store line \"%s\", want it to start with \"%s\"\n",
				row->label, entry != NULL ? entry : "(none)", want);
			ok = false;
		}
		free(want);
	}
	if (!ok)
		fprintf(stderr, "  %s: the module logged:\n%s", row->label, log);
	if (row->after_ok != NULL)
		check_code(row->label, ": afterwards, the password that must work",
			   authenticate_as(user, row->after_ok), PAM_SUCCESS, &ok);
	if (row->after_fail != NULL)
		check_code(row->label, ": afterwards, the password that must not",
			   authenticate_as(user, row->after_fail), PAM_AUTH_ERR, &ok);
	check_result_cell(row, op, &ok);
	CU_ASSERT(ok);

	free(entry);
	free(log);
	free(user);
	free(service);
	for (size_t i = 0; i < n_answers; i++)
		free(answers[i]);
}

/* --- pam_authenticate. */

static const struct pam_case authenticate_cases[] = {
	/*
	 * Passwords against Argon2id hashes of the configured cost.  A success
	 * is logged only with debug: the mail server logs each login itself.
	 */
	{ .label = "argon2id, right password: nothing logged",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK",
	  .unwant_log = ANY_MODULE_LINE, .want_entry = "alice:@HASH_ALICE@" },
	{ .label = "argon2id, right password, debug: the success is logged",
	  .service = "auth required " MAILPASS " debug\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK",
	  .want_log = { SYSLOG("info", "auth") AUTH_LOG("alice") "OK (password accepted)" },
	  .want_entry = "alice:@HASH_ALICE@" },
	{ .label = "argon2id, wrong password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { SYSLOG("notice", "auth") AUTH_LOG("alice") "MISMATCH (password mismatch)" } },
	{ .label = "unknown user",
	  .service = "auth required " MAILPASS "\n",
	  .user = "mallory", .answers = { PW_WRONG }, .want = PAM_USER_UNKNOWN,
	  .result = "USER_UNKNOWN",
	  .want_log = { AUTH_LOG("mallory") "USER_UNKNOWN (unknown user)" } },
	{ .label = "user name of 255 bytes, unknown",
	  .service = "auth required " MAILPASS "\n",
	  .user = "@LONG255@", .answers = { PW_WRONG }, .want = PAM_USER_UNKNOWN,
	  .result = "USER_UNKNOWN",
	  .want_log = { "user=@LONG255@ rhost=-: USER_UNKNOWN (unknown user)" } },
	{ .label = "user name of 256 bytes",
	  .service = "auth required " MAILPASS "\n",
	  .user = "@LONG256@", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR,
	  .result = "MALFORMED",
	  /* The log shows a user name of at most 255 bytes, cut with "...". */
	  .want_log = { "uuu... rhost=-: MALFORMED (user name is longer than 255 bytes)" },
	  .unwant_log = "user=@LONG256@" },
	{ .label = "user name with a line break",
	  .service = "auth required " MAILPASS "\n",
	  .user = "eve\nforged", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR,
	  .result = "MALFORMED",
	  /* Control characters never reach the log: they become '?'. */
	  .want_log = { "user=eve?forged rhost=-: MALFORMED" } },
	{ .label = "user name with ':'",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice:0", .answers = { PW_ALICE }, .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { AUTH_LOG("alice:0") "MALFORMED (user name contains ':')" } },
	{ .label = "user name asked by the conversation",
	  .service = "auth required " MAILPASS " debug\n",
	  .user = NULL, .conv_user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS,
	  .result = "OK", .want_log = { AUTH_LOG("alice") "OK (password accepted)" } },
	{ .label = "the remote host is logged",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_WRONG }, .rhost = "192.0.2.7", .want = PAM_AUTH_ERR,
	  .result = "MISMATCH",
	  .want_log = { "authenticate: service=" SERVICE " user=alice rhost=192.0.2.7: MISMATCH (" } },

	/* Empty passwords. */
	{ .label = "empty password refused",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { "" }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("alice") "MISMATCH (empty password)" } },
	{ .label = "empty password, empty stored value, without nullok",
	  .service = "auth required " MAILPASS "\n",
	  .user = "frank", .answers = { "" }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("frank") "MISMATCH (no password is set)" } },
	{ .label = "empty password, empty stored value, nullok",
	  .service = "auth required " MAILPASS " nullok\n",
	  .user = "frank", .answers = { "" }, .want = PAM_SUCCESS, .result = "OK",
	  .unwant_log = ANY_MODULE_LINE },
	{ .label = "nullok, but the application sets PAM_DISALLOW_NULL_AUTHTOK",
	  .service = "auth required " MAILPASS " nullok\n",
	  .user = "frank", .answers = { "" }, .flags = PAM_DISALLOW_NULL_AUTHTOK,
	  .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("frank") "MISMATCH (no password is set)" } },
	{ .label = "nullok, a password for an empty stored value",
	  .service = "auth required " MAILPASS " nullok\n",
	  .user = "frank", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("frank") "MISMATCH (no password is set)" } },
	{ .label = "nullok, empty password for a user with a password",
	  .service = "auth required " MAILPASS " nullok\n",
	  .user = "alice", .answers = { "" }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("alice") "MISMATCH (empty password)" } },
	{ .label = "nullok, empty password against a stored hash of the empty password",
	  .service = "auth required " MAILPASS " nullok\n",
	  .user = "empty", .answers = { "" }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("empty") "MISMATCH (empty password)" } },

	/* Disabled and locked accounts: DISABLED only with the right password. */
	{ .label = "nologin, right password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "carol", .answers = { PW_CAROL }, .want = PAM_AUTH_ERR, .result = "DISABLED",
	  .want_log = { AUTH_LOG("carol") "DISABLED (account is disabled (nologin))" } },
	{ .label = "nologin, wrong password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "carol", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("carol") "MISMATCH (password mismatch)" } },
	{ .label = "locked with '!', right password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "dave", .answers = { PW_DAVE }, .want = PAM_AUTH_ERR, .result = "DISABLED",
	  .want_log = { AUTH_LOG("dave") "DISABLED (account is locked)" } },
	{ .label = "locked with '!', wrong password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "dave", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("dave") "MISMATCH (" } },
	{ .label = "locked with '*'",
	  .service = "auth required " MAILPASS "\n",
	  .user = "erin", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("erin") "MISMATCH (account is locked)" } },

	/* Broken records and over-long input. */
	{ .label = "malformed Argon2 string",
	  .service = "auth required " MAILPASS "\n",
	  .user = "grace", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { AUTH_LOG("grace") "MALFORMED (" } },
	{ .label = "unknown scheme",
	  .service = "auth required " MAILPASS "\n",
	  .user = "heidi", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { AUTH_LOG("heidi") "MALFORMED (unknown password scheme)" } },
	{ .label = "stored SHA-crypt rounds above crypt_max_rounds: refused, logged",
	  .service = "auth required " MAILPASS "\n",
	  .user = "judy", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { SYSLOG("notice", "auth") AUTH_LOG("judy")
			"MALFORMED (SHA-crypt rounds above crypt_max_rounds; not computed)" } },
	{ .label = "user listed twice",
	  .service = "auth required " MAILPASS "\n",
	  .user = "twin", .answers = { PW_TWIN }, .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { AUTH_LOG("twin") "MALFORMED (" } },
	{ .label = "password of 1024 bytes (the limit), wrong",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { "@PW1024@" }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_log = { AUTH_LOG("alice") "MISMATCH (password mismatch)" } },
	{ .label = "password of 1025 bytes",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { "@PW1025@" }, .want = PAM_AUTH_ERR,
	  .result = "MALFORMED",
	  .want_log = { AUTH_LOG("alice") "MALFORMED (password longer than the limit)" } },

	/* Configuration and store. */
	{ .label = "conf= with an empty path: no fallback on the default",
	  .service = "auth required @MODULE@ conf=\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { SYSLOG("err", "auth") "conf= needs an absolute path, not \"\"",
			AUTH_LOG("alice") "UNAVAILABLE (configuration or store unusable)" } },
	{ .label = "conf= with a relative path",
	  .service = "auth required @MODULE@ conf=mailpass.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { "conf= needs an absolute path, not \"mailpass.conf\"",
			AUTH_LOG("alice") "UNAVAILABLE (configuration or store unusable)" } },
	{ .label = "conf= given twice",
	  .service = "auth required " MAILPASS " conf=@DIR@/mailpass.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { SYSLOG("err", "auth") "conf= given more than once",
			AUTH_LOG("alice") "UNAVAILABLE (configuration or store unusable)" } },
	{ .label = "missing configuration file",
	  .service = "auth required @MODULE@ conf=@DIR@/absent.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { SYSLOG("err", "auth") "cannot use @DIR@/absent.conf: ",
			SYSLOG("err", "auth") AUTH_LOG("alice") "UNAVAILABLE (" } },
	{ .label = "missing store",
	  .service = "auth required @MODULE@ conf=@DIR@/nostore.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { AUTH_LOG("alice") "UNAVAILABLE (" } },
	{ .label = "broken configuration line",
	  .service = "auth required @MODULE@ conf=@DIR@/broken.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .want_log = { "cannot use @DIR@/broken.conf: ", AUTH_LOG("alice") } },
	{ .label = "group-writable store: refused, the log names the file and the fix",
	  .service = "auth required @MODULE@ conf=@DIR@/writable.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTHINFO_UNAVAIL,
	  .result = "UNAVAILABLE",
	  .want_log = { SYSLOG("err", "auth") "cannot use @DIR@/writable.conf: store file "
			"@DIR@/perm/writable is writable by group (mode 0660); run: chmod 0640 "
			"@DIR@/perm/writable\n",
			SYSLOG("err", "auth") AUTH_LOG("alice") "UNAVAILABLE (" } },
	{ .label = "store readable by others: accepted, with a warning",
	  .service = "auth required @MODULE@ conf=@DIR@/readable.conf\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK",
	  .want_log = { SYSLOG("warning", "auth") "store file @DIR@/perm/readable is readable "
			"by others (mode 0644); run: chmod 0640 @DIR@/perm/readable\n" },
	  .unwant_log = "authenticate:" },
	/*
	 * libsodium (1.0.18) reports an Argon2 verification that cannot get its
	 * memory as a mismatch, so this is only known to fail closed.
	 */
	{ .label = "no memory for a stored Argon2 hash of 1 GiB: refused",
	  .service = "auth required " MAILPASS "\n",
	  .user = "ivan", .answers = { PW_IVAN }, .low_memory = true, .want = PAM_AUTH_ERR,
	  .want_log = { AUTH_LOG("ivan") } },
	{ .label = "out of memory reading the store",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_ALICE }, .no_memory = true, .want = PAM_BUF_ERR,
	  .result = "INTERNAL",
	  .want_log = { AUTH_LOG("alice") "INTERNAL (out of memory)" } },

	/* Rehash on login. */
	{ .label = "rehash: {PLAIN} becomes {ARGON2ID}",
	  .service = "auth required " MAILPASS "\n",
	  .user = "bob", .answers = { PW_BOB }, .want = PAM_SUCCESS, .result = "OK",
	  .unwant_log = ANY_MODULE_LINE, .want_entry = "bob:" NEW_ARGON2ID },
	{ .label = "no_rehash keeps {PLAIN}",
	  .service = "auth required " MAILPASS " no_rehash\n",
	  .user = "bob", .answers = { PW_BOB }, .want = PAM_SUCCESS, .result = "OK",
	  .want_entry = "bob:{PLAIN}" PW_BOB },
	{ .label = "no rehash after a wrong password",
	  .service = "auth required " MAILPASS "\n",
	  .user = "bob", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR, .result = "MISMATCH",
	  .want_entry = "bob:{PLAIN}" PW_BOB },
	{ .label = "debug logs the rehash",
	  .service = "auth required " MAILPASS " debug\n",
	  .user = "bob", .answers = { PW_BOB }, .want = PAM_SUCCESS, .result = "OK",
	  .want_log = { AUTH_LOG("bob") "OK (password accepted)",
			SYSLOG("info", "auth") "rehash for user=bob: rehashed" },
	  .want_entry = "bob:" NEW_ARGON2ID },
	{ .label = "a hash of the configured cost is kept",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK",
	  .want_entry = "alice:@HASH_ALICE@" },

	/* Options and the conversation. */
	{ .label = "unknown option logged once and ignored",
	  .service = "auth required " MAILPASS " frobnicate=1\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK",
	  .want_log = { SYSLOG("err", "auth") "unknown option ignored: frobnicate=1" },
	  .unwant_log = "authenticate:" },
	{ .label = "the conversation fails",
	  .service = "auth required " MAILPASS "\n",
	  .user = "alice", .answers = { NULL }, .prompts = 1, .want = PAM_AUTHTOK_ERR,
	  .want_log = { "cannot obtain the password" }, .unwant_log = "authenticate:" },

	/* Stacks. */
	{ .label = "pam_permit, then pam_mailpass: right password",
	  .service = "auth required pam_permit.so\nauth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS },
	{ .label = "pam_permit, then pam_mailpass: wrong password",
	  .service = "auth required pam_permit.so\nauth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR },
	{ .label = "required pam_deny, then pam_mailpass: still asked, fails",
	  .service = "auth required pam_deny.so\nauth required " MAILPASS " debug\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_AUTH_ERR,
	  .want_log = { AUTH_LOG("alice") "OK (password accepted)" } },
	{ .label = "requisite pam_deny ends the stack before pam_mailpass",
	  .service = "auth requisite pam_deny.so\nauth required " MAILPASS "\n",
	  .user = "alice", .answers = { PW_ALICE }, .prompts = NOT_ASKED, .want = PAM_AUTH_ERR,
	  .unwant_log = "pam_mailpass" },
	{ .label = "sufficient pam_mailpass, then pam_deny: right password",
	  .service = "auth sufficient " MAILPASS "\nauth required pam_deny.so\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS },
	{ .label = "sufficient pam_mailpass, then pam_deny: wrong password",
	  .service = "auth sufficient " MAILPASS "\nauth required pam_deny.so\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR },
	{ .label = "optional pam_mailpass, required pam_permit: wrong password passes",
	  .service = "auth optional " MAILPASS "\nauth required pam_permit.so\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_SUCCESS },

	/* use_first_pass and try_first_pass. */
	{ .label = "use_first_pass without an earlier password: not asked",
	  .service = "auth required " MAILPASS " use_first_pass\n",
	  .user = "alice", .answers = { PW_ALICE }, .prompts = NOT_ASKED, .want = PAM_AUTH_ERR,
	  .want_log = { "cannot obtain the password" } },
	{ .label = "try_first_pass without an earlier password: asked",
	  .service = "auth required " MAILPASS " try_first_pass\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS, .result = "OK" },
	{ .label = "pam_unix, then pam_mailpass use_first_pass: asked once, right",
	  .service = "auth sufficient pam_unix.so nodelay\n"
		     "auth required " MAILPASS " use_first_pass debug\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS,
	  .want_log = { AUTH_LOG("alice") "OK (password accepted)" } },
	{ .label = "pam_unix, then pam_mailpass use_first_pass: asked once, wrong",
	  .service = "auth sufficient pam_unix.so nodelay\n"
		     "auth required " MAILPASS " use_first_pass\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR },
	{ .label = "pam_unix, then pam_mailpass try_first_pass: asked once",
	  .service = "auth sufficient pam_unix.so nodelay\n"
		     "auth required " MAILPASS " try_first_pass\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS },
	{ .label = "pam_unix, then pam_mailpass use_first_pass: unknown user",
	  .service = "auth sufficient pam_unix.so nodelay\n"
		     "auth required " MAILPASS " use_first_pass\n",
	  .user = "mallory", .answers = { PW_WRONG }, .want = PAM_USER_UNKNOWN },
	{ .label = "pam_exec expose_authtok, then pam_mailpass use_first_pass",
	  .service = "auth optional pam_exec.so expose_authtok quiet /bin/cat\n"
		     "auth required " MAILPASS " use_first_pass debug\n",
	  .user = "alice", .answers = { PW_ALICE }, .want = PAM_SUCCESS,
	  .want_log = { AUTH_LOG("alice") "OK (password accepted)" } },
	{ .label = "pam_exec expose_authtok, then pam_mailpass use_first_pass, wrong",
	  .service = "auth optional pam_exec.so expose_authtok quiet /bin/cat\n"
		     "auth required " MAILPASS " use_first_pass\n",
	  .user = "alice", .answers = { PW_WRONG }, .want = PAM_AUTH_ERR },
};

static void
test_authenticate(void)
{
	for (size_t i = 0; i < N_ELEMENTS(authenticate_cases); i++)
		run_case(&authenticate_cases[i], OP_AUTHENTICATE);
}

/* --- pam_acct_mgmt. */

static const struct pam_case acct_mgmt_cases[] = {
	{ .label = "account may log in (logged only with debug)",
	  .service = "account required " MAILPASS "\n",
	  .user = "alice", .want = PAM_SUCCESS, .result = "OK", .unwant_log = "account:" },
	{ .label = "account may log in, debug",
	  .service = "account required " MAILPASS " debug\n",
	  .user = "alice", .want = PAM_SUCCESS, .result = "OK",
	  .want_log = { SYSLOG("info", "account") ACCT_LOG("alice") "OK (account may log in)" } },
	{ .label = "unknown user",
	  .service = "account required " MAILPASS "\n",
	  .user = "mallory", .want = PAM_USER_UNKNOWN, .result = "USER_UNKNOWN",
	  .want_log = { SYSLOG("notice", "account") ACCT_LOG("mallory")
			"USER_UNKNOWN (unknown user)" } },
	{ .label = "nologin",
	  .service = "account required " MAILPASS "\n",
	  .user = "carol", .want = PAM_PERM_DENIED, .result = "DISABLED",
	  .want_log = { ACCT_LOG("carol") "DISABLED (account is disabled (nologin))" } },
	{ .label = "locked with '!'",
	  .service = "account required " MAILPASS "\n",
	  .user = "dave", .want = PAM_PERM_DENIED, .result = "DISABLED",
	  .want_log = { ACCT_LOG("dave") "DISABLED (account is locked)" } },
	{ .label = "locked with '*'",
	  .service = "account required " MAILPASS "\n",
	  .user = "erin", .want = PAM_PERM_DENIED, .result = "DISABLED",
	  .want_log = { ACCT_LOG("erin") "DISABLED (account is locked)" } },
	{ .label = "empty stored value",
	  .service = "account required " MAILPASS "\n",
	  .user = "frank", .want = PAM_SUCCESS, .result = "OK" },
	{ .label = "malformed hash: the account check does not read it",
	  .service = "account required " MAILPASS "\n",
	  .user = "grace", .want = PAM_SUCCESS, .result = "OK" },
	{ .label = "user listed twice",
	  .service = "account required " MAILPASS "\n",
	  .user = "twin", .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { ACCT_LOG("twin") "MALFORMED (" } },
	{ .label = "user name with ':'",
	  .service = "account required " MAILPASS "\n",
	  .user = "alice:0", .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { ACCT_LOG("alice:0") "MALFORMED (user name contains ':')" } },
	{ .label = "user name of 256 bytes",
	  .service = "account required " MAILPASS "\n",
	  .user = "@LONG256@", .want = PAM_AUTH_ERR, .result = "MALFORMED",
	  .want_log = { "MALFORMED (user name is longer than 255 bytes)" } },
	{ .label = "missing configuration file",
	  .service = "account required @MODULE@ conf=@DIR@/absent.conf\n",
	  .user = "alice", .want = PAM_AUTHINFO_UNAVAIL, .result = "UNAVAILABLE",
	  .want_log = { SYSLOG("err", "account") "cannot use @DIR@/absent.conf: ",
			SYSLOG("err", "account") ACCT_LOG("alice") "UNAVAILABLE (" } },
	{ .label = "missing store",
	  .service = "account required @MODULE@ conf=@DIR@/nostore.conf\n",
	  .user = "alice", .want = PAM_AUTHINFO_UNAVAIL, .result = "UNAVAILABLE",
	  .want_log = { ACCT_LOG("alice") "UNAVAILABLE (store file does not exist)" } },
	{ .label = "broken configuration line",
	  .service = "account required @MODULE@ conf=@DIR@/broken.conf\n",
	  .user = "alice", .want = PAM_AUTHINFO_UNAVAIL,
	  .want_log = { "cannot use @DIR@/broken.conf: ", ACCT_LOG("alice") } },
	{ .label = "group-writable store: refused",
	  .service = "account required @MODULE@ conf=@DIR@/writable.conf\n",
	  .user = "alice", .want = PAM_AUTHINFO_UNAVAIL, .result = "UNAVAILABLE",
	  .want_log = { "cannot use @DIR@/writable.conf: store file @DIR@/perm/writable is "
			"writable by group (mode 0660); run: chmod 0640 @DIR@/perm/writable\n",
			ACCT_LOG("alice") "UNAVAILABLE (" } },
	{ .label = "out of memory reading the store",
	  .service = "account required " MAILPASS "\n",
	  .user = "alice", .no_memory = true, .want = PAM_BUF_ERR, .result = "INTERNAL",
	  .want_log = { SYSLOG("err", "account") ACCT_LOG("alice") "INTERNAL (out of memory)" } },
	{ .label = "unknown option logged once and ignored",
	  .service = "account required " MAILPASS " frobnicate\n",
	  .user = "carol", .want = PAM_PERM_DENIED, .result = "DISABLED",
	  .want_log = { "unknown option ignored: frobnicate" } },
	{ .label = "pam_permit, then pam_mailpass: nologin",
	  .service = "account required pam_permit.so\naccount required " MAILPASS "\n",
	  .user = "carol", .want = PAM_PERM_DENIED },
	{ .label = "sufficient pam_mailpass, then pam_deny",
	  .service = "account sufficient " MAILPASS "\naccount required pam_deny.so\n",
	  .user = "alice", .want = PAM_SUCCESS },
	{ .label = "unknown users left to the next module",
	  .service = "account [success=ok user_unknown=ignore default=bad] " MAILPASS "\n"
		     "account required pam_permit.so\n",
	  .user = "mallory", .want = PAM_SUCCESS },
};

static void
test_acct_mgmt(void)
{
	for (size_t i = 0; i < N_ELEMENTS(acct_mgmt_cases); i++)
		run_case(&acct_mgmt_cases[i], OP_ACCT_MGMT);
}

/* --- pam_chauthtok: root sets passwords, users prove the old one. */

static const struct pam_case chauthtok_cases[] = {
	{ .label = "root sets a new password",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW }, .want = PAM_SUCCESS,
	  .result = "OK", .want_log = { CHTOK_LOG("alice") "OK (password changed)" },
	  .want_entry = "alice:" NEW_ARGON2ID, .after_ok = PW_NEW, .after_fail = PW_ALICE },
	{ .label = "root: the new password retyped differently",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { PW_NEW, PW_OTHER },
	  .want = PAM_TRY_AGAIN, .after_ok = PW_ALICE, .after_fail = PW_NEW },
	{ .label = "root: empty new password",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { "", "" }, .want = PAM_AUTHTOK_ERR,
	  .result = "MALFORMED", .want_log = { CHTOK_LOG("alice") "MALFORMED (empty password)" },
	  .after_ok = PW_ALICE },
	{ .label = "root: new password of 1025 bytes",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { "@PW1025@", "@PW1025@" },
	  .want = PAM_AUTHTOK_ERR, .result = "MALFORMED",
	  .want_log = { CHTOK_LOG("alice") "MALFORMED (password longer than the limit)" },
	  .after_ok = PW_ALICE },
	{ .label = "root: unknown user",
	  .service = "password required " MAILPASS "\n",
	  .user = "mallory", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_USER_UNKNOWN, .result = "USER_UNKNOWN",
	  .want_log = { CHECK_LOG("mallory") "USER_UNKNOWN (unknown user)" } },
	{ .label = "root: user name with ':'",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice:0", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_AUTHTOK_ERR, .result = "MALFORMED",
	  .want_log = { CHECK_LOG("alice:0") "MALFORMED (user name contains ':')" } },
	{ .label = "root: a locked account gets a new password and is unlocked",
	  .service = "password required " MAILPASS "\n",
	  .user = "dave", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW }, .want = PAM_SUCCESS,
	  .result = "OK", .want_entry = "dave:" NEW_ARGON2ID, .after_ok = PW_NEW,
	  .after_fail = PW_DAVE },
	{ .label = "root: a nologin account gets a new password and stays disabled",
	  .service = "password required " MAILPASS "\n",
	  .user = "carol", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW }, .want = PAM_SUCCESS,
	  .result = "OK", .want_entry = "carol:" NEW_ARGON2ID, .after_fail = PW_NEW },
	{ .label = "missing configuration file",
	  .service = "password required @MODULE@ conf=@DIR@/absent.conf\n",
	  .user = "alice", .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_AUTHTOK_ERR, .result = "UNAVAILABLE",
	  .want_log = { "cannot use @DIR@/absent.conf: " } },
	{ .label = "root: missing store",
	  .service = "password required @MODULE@ conf=@DIR@/nostore.conf\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_AUTHTOK_ERR, .result = "UNAVAILABLE",
	  .want_log = { CHECK_LOG("alice") "UNAVAILABLE (store file does not exist)" } },
	{ .label = "broken configuration line",
	  .service = "password required @MODULE@ conf=@DIR@/broken.conf\n",
	  .user = "alice", .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_AUTHTOK_ERR,
	  .want_log = { "cannot use @DIR@/broken.conf: " } },
	{ .label = "root: out of memory computing the new hash",
	  .service = "password required @MODULE@ conf=@DIR@/big.conf\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW }, .low_memory = true,
	  .want = PAM_BUF_ERR, .result = "INTERNAL",
	  .want_log = { CHTOK_LOG("alice") "INTERNAL (out of memory computing Argon2)" },
	  .after_ok = PW_ALICE },
	{ .label = "use_authtok without an earlier module",
	  .service = "password required " MAILPASS " use_authtok\n",
	  .user = "alice", .run_as = AS_ROOT, .answers = { PW_NEW, PW_NEW },
	  .prompts = NOT_ASKED, .want = PAM_AUTHTOK_ERR, .after_ok = PW_ALICE },
	{ .label = "user: right old password",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_USER, .answers = { PW_ALICE, PW_NEW, PW_NEW },
	  .want = PAM_SUCCESS, .result = "OK", .want_log = { CHTOK_LOG("alice") "OK (password changed)" },
	  .want_entry = "alice:" NEW_ARGON2ID, .after_ok = PW_NEW, .after_fail = PW_ALICE },
	{ .label = "user: {PLAIN} old password",
	  .service = "password required " MAILPASS "\n",
	  .user = "bob", .run_as = AS_USER, .answers = { PW_BOB, PW_NEW, PW_NEW },
	  .want = PAM_SUCCESS, .result = "OK", .want_entry = "bob:" NEW_ARGON2ID,
	  .after_ok = PW_NEW, .after_fail = PW_BOB },
	{ .label = "user: wrong old password",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_USER, .answers = { PW_WRONG }, .want = PAM_AUTH_ERR,
	  .result = "MISMATCH",
	  .want_log = { CHECK_LOG("alice") "MISMATCH (password mismatch)" },
	  .want_entry = "alice:@HASH_ALICE@", .after_ok = PW_ALICE },
	{ .label = "user: nologin",
	  .service = "password required " MAILPASS "\n",
	  .user = "carol", .run_as = AS_USER, .answers = { PW_CAROL }, .want = PAM_PERM_DENIED,
	  .result = "DISABLED",
	  .want_log = { CHECK_LOG("carol") "DISABLED (account is disabled (nologin))" } },
	{ .label = "user: locked",
	  .service = "password required " MAILPASS "\n",
	  .user = "dave", .run_as = AS_USER, .answers = { PW_DAVE }, .want = PAM_PERM_DENIED,
	  .result = "DISABLED", .want_log = { CHECK_LOG("dave") "DISABLED (account is locked)" } },
	{ .label = "user: new password of 1025 bytes",
	  .service = "password required " MAILPASS "\n",
	  .user = "alice", .run_as = AS_USER, .answers = { PW_ALICE, "@PW1025@", "@PW1025@" },
	  .want = PAM_AUTHTOK_ERR, .result = "MALFORMED",
	  .want_log = { CHTOK_LOG("alice") "MALFORMED (password longer than the limit)" },
	  .after_ok = PW_ALICE },
	{ .label = "user: out of memory computing the new hash",
	  .service = "password required @MODULE@ conf=@DIR@/big.conf\n",
	  .user = "alice", .run_as = AS_USER, .answers = { PW_ALICE, PW_NEW, PW_NEW },
	  .low_memory = true, .want = PAM_BUF_ERR, .result = "INTERNAL",
	  .want_log = { CHTOK_LOG("alice") "INTERNAL (out of memory computing Argon2)" },
	  .after_ok = PW_ALICE },
	{ .label = "user: unknown user",
	  .service = "password required " MAILPASS "\n",
	  .user = "mallory", .run_as = AS_USER, .answers = { PW_WRONG },
	  .want = PAM_USER_UNKNOWN, .result = "USER_UNKNOWN",
	  .want_log = { CHECK_LOG("mallory") "USER_UNKNOWN (unknown user)" } },
	/*
	 * The stack passes the preliminary pass without pam_mailpass, so libpam
	 * runs the update pass: the old password is checked again there.
	 */
	{ .label = "user: wrong old password, sufficient pam_mailpass then pam_permit",
	  .service = "password sufficient " MAILPASS "\npassword required pam_permit.so\n",
	  .user = "alice", .run_as = AS_USER, .answers = { PW_WRONG, PW_NEW, PW_NEW },
	  .prompts = 1, .want = PAM_SUCCESS,
	  .want_log = { CHECK_LOG("alice") "MISMATCH (password mismatch)",
			CHTOK_LOG("alice") "MISMATCH (password mismatch)" },
	  .want_entry = "alice:@HASH_ALICE@", .after_ok = PW_ALICE, .after_fail = PW_NEW },
	{ .label = "user: locked, optional pam_mailpass then pam_permit",
	  .service = "password optional " MAILPASS "\npassword required pam_permit.so\n",
	  .user = "dave", .run_as = AS_USER, .answers = { PW_DAVE, PW_NEW, PW_NEW },
	  .prompts = 1, .want = PAM_SUCCESS,
	  .want_log = { CHECK_LOG("dave") "DISABLED (account is locked)",
			CHTOK_LOG("dave") "DISABLED (account is locked)" },
	  .want_entry = "dave:!", .after_fail = PW_NEW },
};

static void
test_chauthtok(void)
{
	if (!fx.root)
		fprintf(stderr, "\n  note: not run as root (euid %ld); the rows for root are "
			"skipped and the others run as the caller\n", (long)geteuid());
	for (size_t i = 0; i < N_ELEMENTS(chauthtok_cases); i++)
		run_case(&chauthtok_cases[i], OP_CHAUTHTOK);
}

/* --- One transaction as a mail server makes it: authenticate, account, setcred. */

static int
conversation_one(int n, const struct pam_message **msg, struct pam_response **resp_r,
		 void *data)
{
	struct pam_response *resp;

	*resp_r = NULL;
	if (n != 1 || msg[0]->msg_style != PAM_PROMPT_ECHO_OFF)
		return PAM_CONV_ERR;
	resp = calloc(1, sizeof(*resp));
	if (resp == NULL || (resp->resp = strdup(data)) == NULL) {
		free(resp);
		return PAM_BUF_ERR;
	}
	*resp_r = resp;
	return PAM_SUCCESS;
}

static bool
transaction_step(const char *what, int got)
{
	if (got != PAM_SUCCESS)
		fprintf(stderr, "\n  transaction, %s: got %s (%s), want PAM_SUCCESS\n", what,
			pam_code_name(got), pam_strerror(NULL, got));
	return got == PAM_SUCCESS;
}

static void
test_transaction(void)
{
	char *service = expand("auth required " MAILPASS "\naccount required " MAILPASS "\n");
	char path[400];
	static char password[] = PW_ALICE;
	struct pam_conv conv = { conversation_one, password };
	pam_handle_t *pamh = NULL;
	int ret;

	CU_ASSERT_FATAL(reset_store());
	snprintf(path, sizeof(path), "%s/%s", fx.confdir, SERVICE);
	CU_ASSERT_FATAL(mp_fixture_write(path, service, 0644));
	free(service);
	ret = pam_start_confdir(SERVICE, "alice", &conv, fx.confdir, &pamh);
	CU_ASSERT_FATAL(ret == PAM_SUCCESS);
	ret = pam_authenticate(pamh, 0);
	CU_ASSERT(transaction_step("pam_authenticate", ret));
	ret = pam_acct_mgmt(pamh, 0);
	CU_ASSERT(transaction_step("pam_acct_mgmt", ret));
	/* The module has no credentials to set: pam_sm_setcred succeeds. */
	ret = pam_setcred(pamh, PAM_ESTABLISH_CRED);
	CU_ASSERT(transaction_step("pam_setcred", ret));
	pam_end(pamh, ret);
}

/*
 * The account step of a transaction whose pam_authenticate passed takes
 * what the password check saw while the store is unchanged, and reads the
 * store when it changed (a lock, a rehash) or the user is another.
 */
enum between { NOTHING, LOCK_ALICE, USER_CAROL, WRONG_PASSWORD };

static const struct {
	const char *label;
	const char *user, *password;
	enum between between;	/* what happens after pam_authenticate */
	int want;
	const char *want_log;	/* logged exactly once */
} account_steps[] = {
	{ "unchanged store: not read again", "alice", PW_ALICE, NOTHING, PAM_SUCCESS,
	  ACCT_LOG("alice") "OK (account may log in (store unchanged since the password check))" },
	{ "locked after the check", "alice", PW_ALICE, LOCK_ALICE, PAM_PERM_DENIED,
	  ACCT_LOG("alice") "DISABLED (account is locked)" },
	{ "the application changed PAM_USER", "alice", PW_ALICE, USER_CAROL, PAM_PERM_DENIED,
	  ACCT_LOG("carol") "DISABLED (account is disabled (nologin))" },
	{ "a later check failed", "alice", PW_ALICE, WRONG_PASSWORD, PAM_SUCCESS,
	  ACCT_LOG("alice") "OK (account may log in)" },
	{ "the check rehashed the store", "bob", PW_BOB, NOTHING, PAM_SUCCESS,
	  ACCT_LOG("bob") "OK (account may log in)" },
};

/* lock_alice - the store again, with alice locked ("alice:!HASH"): another process's edit. */
static bool
lock_alice(void)
{
	const char *name = strstr(fx.store_text, "\nalice:");
	size_t head;
	char *text;
	bool ok;

	if (name == NULL)
		return false;
	head = (size_t)(name - fx.store_text) + strlen("\nalice:");
	if (asprintf(&text, "%.*s!%s", (int)head, fx.store_text, fx.store_text + head) < 0)
		return false;
	ok = mp_fixture_write(fx.store, text, 0640) && set_owner(fx.store);
	free(text);
	return ok;
}

static void
test_account_after_authenticate(void)
{
	char *service = expand("auth required " MAILPASS " debug\n"
			       "account required " MAILPASS " debug\n");
	static char wrong[] = "wrong-Secret-0";
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", fx.confdir, SERVICE);
	CU_ASSERT_FATAL(mp_fixture_write(path, service, 0644));
	free(service);
	for (size_t i = 0; i < N_ELEMENTS(account_steps); i++) {
		char password[64];
		struct pam_conv conv = { conversation_one, password };
		struct pam_conv conv_wrong = { conversation_one, wrong };
		pam_handle_t *pamh = NULL;
		off_t log_start;
		char *log, *want;
		size_t n;
		int ret;

		CU_ASSERT_FATAL(reset_store());
		snprintf(password, sizeof(password), "%s", account_steps[i].password);
		CU_ASSERT_FATAL(pam_start_confdir(SERVICE, account_steps[i].user, &conv, fx.confdir,
						  &pamh) == PAM_SUCCESS);
		log_start = mp_fixture_size(fx.log);
		ret = pam_authenticate(pamh, 0);
		CU_ASSERT(transaction_step(account_steps[i].label, ret));
		switch (account_steps[i].between) {
		case NOTHING:
			break;
		case LOCK_ALICE:
			CU_ASSERT_FATAL(lock_alice());
			break;
		case USER_CAROL:
			CU_ASSERT_FATAL(pam_set_item(pamh, PAM_USER, "carol") == PAM_SUCCESS);
			break;
		case WRONG_PASSWORD:
			CU_ASSERT_FATAL(pam_set_item(pamh, PAM_CONV, &conv_wrong) == PAM_SUCCESS);
			CU_ASSERT(pam_authenticate(pamh, 0) == PAM_AUTH_ERR);
			break;
		}
		ret = pam_acct_mgmt(pamh, 0);
		pam_end(pamh, ret);
		log = mp_fixture_read(fx.log, log_start);
		CU_ASSERT_PTR_NOT_NULL_FATAL(log);
		want = expand(account_steps[i].want_log);
		n = mp_fixture_count(log, want);
		if (ret != account_steps[i].want || n != 1)
			fprintf(stderr, "\n  %s: pam_acct_mgmt gave %s, want %s; \"%s\" logged "
				"%zu times, want once; the module logged:\n%s",
				account_steps[i].label, pam_code_name(ret),
				pam_code_name(account_steps[i].want), want, n, log);
		CU_ASSERT(ret == account_steps[i].want);
		CU_ASSERT(n == 1);
		free(want);
		free(log);
	}
}

/*
 * An application cannot stand in for an earlier module: libpam refuses
 * PAM_AUTHTOK from it and clears the item when pam_authenticate starts.
 * That is why the use_first_pass rows stack pam_unix and pam_exec.
 */
static void
test_application_authtok(void)
{
	static char password[] = PW_ALICE;
	struct pam_conv conv = { conversation_one, password };
	pam_handle_t *pamh = NULL;
	int ret;

	CU_ASSERT_FATAL(pam_start_confdir(SERVICE, "alice", &conv, fx.confdir, &pamh) ==
			PAM_SUCCESS);
	ret = pam_set_item(pamh, PAM_AUTHTOK, PW_ALICE);
	if (ret != PAM_BAD_ITEM)
		fprintf(stderr, "\n  pam_set_item(PAM_AUTHTOK) by the application: got %s, "
			"want PAM_BAD_ITEM\n", pam_code_name(ret));
	CU_ASSERT(ret == PAM_BAD_ITEM);
	pam_end(pamh, PAM_SUCCESS);
}

/*
 * The module loads libsodium and Nettle only when a scheme needs them: a
 * crypt(3) login, right or wrong, loads neither; an Argon2id or {PLAIN}
 * login loads libsodium alone.  (An unknown user's dummy verification uses
 * the configured scheme, Argon2id, and so loads libsodium: no row here is
 * about unknown users.)  Each login runs in a child of this process, which
 * must not hold either library itself: this test runs first, before
 * test_transaction logs in here, and this program links neither.
 */
static void
test_crypto_on_demand(void)
{
	static const struct {
		const char *label, *user, *password;
		int want;
		bool sodium, nettle;
	} rows[] = {
		{ "DES, right password", "des", PW_DES, PAM_SUCCESS, false, false },
		{ "DES, wrong password", "des", PW_WRONG, PAM_AUTH_ERR, false, false },
		{ "SHA512-CRYPT, right password", "sha", PW_SHA512, PAM_SUCCESS, false, false },
		{ "{ARGON2ID}, right password", "alice", PW_ALICE, PAM_SUCCESS, true, false },
		{ "{PLAIN}, right password", "bob", PW_BOB, PAM_SUCCESS, true, false },
		/*
		 * No hash of the user's to compute: the dummy verification, with
		 * the configured Argon2id, costs what a wrong password costs.
		 */
		{ "unknown user: the dummy", "mallory", PW_WRONG, PAM_USER_UNKNOWN, true, false },
		{ "locked, no hash behind the mark: the dummy", "lockedjunk", PW_WRONG,
		  PAM_AUTH_ERR, true, false },
	};
	char *service = expand("auth required " MAILPASS " no_rehash\n");

	if (mp_test_loaded("libsodium") || mp_test_loaded("libnettle")) {
		fprintf(stderr, "\n  libsodium or Nettle is already in this process: the "
			"children would inherit it\n");
		CU_FAIL_FATAL("this process holds libsodium or Nettle");
	}
	CU_ASSERT_FATAL(reset_store());
	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		const char *answers[1] = { rows[i].password };
		struct pam_call call = {
			.op = OP_AUTHENTICATE,
			.service = service,
			.user = rows[i].user,
			.answers = answers,
			.n_answers = 1,
		};
		struct pam_outcome outcome = run_call(&call);

		if (outcome.code != rows[i].want)
			fprintf(stderr, "\n  %s: got %s, want %s\n", rows[i].label,
				pam_code_name(outcome.code), pam_code_name(rows[i].want));
		CU_ASSERT(outcome.code == rows[i].want);
		if (outcome.code == -1)
			continue;
		if (outcome.sodium_loaded != rows[i].sodium)
			fprintf(stderr, "\n  %s: libsodium %s, want %s\n", rows[i].label,
				outcome.sodium_loaded ? "loaded" : "not loaded",
				rows[i].sodium ? "loaded" : "not loaded");
		CU_ASSERT(outcome.sodium_loaded == rows[i].sodium);
		if (outcome.nettle_loaded != rows[i].nettle)
			fprintf(stderr, "\n  %s: Nettle %s, want %s\n", rows[i].label,
				outcome.nettle_loaded ? "loaded" : "not loaded",
				rows[i].nettle ? "loaded" : "not loaded");
		CU_ASSERT(outcome.nettle_loaded == rows[i].nettle);
	}
	free(service);
}

/* --- The man page's RETURN VALUES table is the one the rows showed. */

static void
test_return_values(void)
{
	char path[600], *page, *line, *save = NULL;
	bool in_table = false, found[N_ELEMENTS(return_values)] = { false };

	snprintf(path, sizeof(path), "%s/docs/pam_mailpass.8", fx.srcdir);
	page = mp_fixture_read(path, 0);
	if (*page == '\0')
		fprintf(stderr, "\n  %s: missing or empty\n", path);
	CU_ASSERT_FATAL(*page != '\0');
	/* The table is tbl(1) input: "RESULT;AUTH;ACCOUNT;PASSWORD" rows in RETURN VALUES. */
	for (line = strtok_r(page, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char result[64], code[3][64];
		size_t i;

		if (strncmp(line, ".SH", 3) == 0)
			in_table = strstr(line, "RETURN VALUES") != NULL;
		if (!in_table ||
		    sscanf(line, "%63[A-Z_];%63[A-Z_];%63[A-Z_];%63[A-Z_]", result, code[0],
			   code[1], code[2]) != 4)
			continue;
		for (i = 0; i < N_ELEMENTS(return_values); i++) {
			if (strcmp(return_values[i].result, result) == 0)
				break;
		}
		if (i == N_ELEMENTS(return_values))
			continue;	/* the heading row */
		found[i] = true;
		for (int p = 0; p < 3; p++) {
			char name[80];

			/* The page leaves out the PAM_ prefix to fit the width. */
			snprintf(name, sizeof(name), "PAM_%s", code[p]);
			if (mp_test_pam_code_value(name) != return_values[i].code[p]) {
				fprintf(stderr, "\n  man page: %s in %s is %s, the module "
					"returns %s\n", result, phase_names[p], code[p],
					pam_code_name(return_values[i].code[p]));
				CU_FAIL("RETURN VALUES differs from the module");
			}
		}
	}
	free(page);
	for (size_t i = 0; i < N_ELEMENTS(return_values); i++) {
		if (!found[i]) {
			fprintf(stderr, "\n  man page: no RETURN VALUES row for %s\n",
				return_values[i].result);
			CU_FAIL("RETURN VALUES row missing");
		}
		for (int p = 0; p < 3; p++) {
			if (fx.seen[i][p] || return_values[i].unreachable[p] != NULL)
				continue;
			if (!fx.can_fail_malloc && strcmp(return_values[i].result, "INTERNAL") == 0)
				continue;	/* its rows were skipped, see FAIL_MALLOC_MIN */
			fprintf(stderr, "\n  no passing row showed %s -> %s for %s\n",
				return_values[i].result, pam_code_name(return_values[i].code[p]),
				phase_names[p]);
			CU_FAIL("RETURN VALUES cell not shown by a row");
		}
	}
}

/* --- No secret in the log. */

static void
test_no_secret_logged(void)
{
	mp_fixture_check_log(&fx.secrets, fx.log, " pam_mailpass(", 50, "the module");
}

/* --- Fixture. */

static int
suite_init(void)
{
	char path[400], owner[64] = "", *hash_carol, *hash_dave, *conf;
	FILE *f;

	if (!mp_fixture_make_dir(fx.dir, sizeof(fx.dir), "pam") || !shell_safe(fx.dir) ||
	    !shell_safe(fx.bin)) {
		fprintf(stderr, "pam-test: cannot make a temporary directory\n");
		return 1;
	}
	/* The unprivileged rows need to reach the store and make files beside it. */
	if (chmod(fx.dir, 0755) != 0 || !set_owner(fx.dir))
		return 1;
	snprintf(fx.confdir, sizeof(fx.confdir), "%s/pam.d", fx.dir);
	snprintf(fx.store, sizeof(fx.store), "%s/passwd", fx.dir);
	if (mkdir(fx.confdir, 0755) != 0)
		return 1;
	/* libpam wants a fallback service; it is never used. */
	snprintf(path, sizeof(path), "%s/other", fx.confdir);
	if (!mp_fixture_write(path, "auth required pam_deny.so\naccount required pam_deny.so\n"
			"password required pam_deny.so\nsession required pam_deny.so\n", 0644))
		return 1;

	memset(fx.long255, 'u', 255);
	memset(fx.long256, 'u', 256);
	for (size_t i = 0; i < 1025; i++)
		fx.pw1025[i] = "Long-Secret-"[i % 12];
	memcpy(fx.pw1024, fx.pw1025, 1024);

	/*
	 * When root runs the tests, the store and its directory belong to the
	 * unprivileged user: the configurations name that account store_owner.
	 */
	if (fx.root) {
		struct passwd *pw = getpwuid(UNPRIVILEGED_ID);

		if (pw == NULL) {
			fprintf(stderr, "pam-test: no account has uid %d\n", UNPRIVILEGED_ID);
			return 1;
		}
		snprintf(owner, sizeof(owner), "store_owner = %s\n", pw->pw_name);
	}

	/* Configurations: the test one, a broken one, and one per failure. */
#define CHEAP "argon2_opslimit = 1\nargon2_memlimit = 8M\n"
	conf = NULL;
	snprintf(path, sizeof(path), "%s/mailpass.conf", fx.dir);
	if (asprintf(&conf, "# the test configuration\nstore = file:%s\n" CHEAP "%s", fx.store,
		     owner) < 0 || !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	snprintf(path, sizeof(path), "%s/broken.conf", fx.dir);
	if (asprintf(&conf, "store = file:%s\nargon2_opslimit 1\n", fx.store) < 0 ||
	    !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	snprintf(path, sizeof(path), "%s/nostore.conf", fx.dir);
	if (asprintf(&conf, "store = file:%s/absent/passwd\n" CHEAP, fx.dir) < 0 ||
	    !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	/* New hashes of 1 GiB, to run out of memory under the address space limit. */
	snprintf(path, sizeof(path), "%s/big.conf", fx.dir);
	if (asprintf(&conf, "store = file:%s\nargon2_opslimit = 1\nargon2_memlimit = 1G\n%s",
		     fx.store, owner) < 0 || !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	/* Stores with unsafe modes (made below), in a directory of the caller's. */
	snprintf(path, sizeof(path), "%s/writable.conf", fx.dir);
	if (asprintf(&conf, "store = file:%s/perm/writable\n" CHEAP, fx.dir) < 0 ||
	    !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	snprintf(path, sizeof(path), "%s/readable.conf", fx.dir);
	if (asprintf(&conf, "store = file:%s/perm/readable\n" CHEAP, fx.dir) < 0 ||
	    !mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
#undef CHEAP

	fx.hash_alice = cli_hash(PW_ALICE);
	hash_carol = cli_hash(PW_CAROL);
	hash_dave = cli_hash(PW_DAVE);
	if (fx.hash_alice == NULL || hash_carol == NULL || hash_dave == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/perm", fx.dir);
	if (mkdir(path, 0755) != 0 || chmod(path, 0755) != 0 ||
	    asprintf(&conf, "alice:%s\n", fx.hash_alice) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/perm/writable", fx.dir);
	if (!mp_fixture_write(path, conf, 0660))
		return 1;
	snprintf(path, sizeof(path), "%s/perm/readable", fx.dir);
	if (!mp_fixture_write(path, conf, 0644))
		return 1;
	free(conf);
	f = open_memstream(&fx.store_text, &(size_t){ 0 });
	if (f == NULL)
		return 1;
	fprintf(f, "# the pam-test store\n");
	fprintf(f, "alice:%s\n", fx.hash_alice);
	fprintf(f, "bob:{PLAIN}%s\n", PW_BOB);
	fprintf(f, "carol:%s::::::nologin\n", hash_carol);
	fprintf(f, "dave:!%s\n", hash_dave);
	fprintf(f, "erin:*\n");
	/* Locked, and no hash behind the mark. */
	fprintf(f, "lockedjunk:!notahash\n");
	fprintf(f, "frank:\n");
	/* A stored hash of the empty password: nullok does not make it match. */
	fprintf(f, "empty:{PLAIN}\n");
	fprintf(f, "grace:{ARGON2ID}$argon2id$v=19$m=8192,t=1,p=1$not-base64\n");
	fprintf(f, "heidi:{NOSUCH}heidi-data\n");
	/* A SHA-crypt string of a billion rounds, refused before it is computed. */
	fprintf(f, "judy:{SHA512-CRYPT}$6$rounds=999999999$YLSB6axMhbtC0php$HelY5AEBywS.xX0hBv"
		"JiaOVgNAiovBtyW1IhqnanZIRGht8QYXp6Gu08x3uxl9UO7LxTcAYn8czdagHjERxcs0\n");
	/* An Argon2id string of 1 GiB that is never computed in full. */
	fprintf(f, "ivan:$argon2id$v=19$m=1048576,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"mFnn8Ws9b2ZhvmnLx4IE1W/ObxSJ2HSHVeNKR7UmU5E\n");
	fprintf(f, "twin:{PLAIN}%s\n", PW_TWIN);
	fprintf(f, "twin:{PLAIN}%s\n", PW_TWIN);
	fprintf(f, "des:%s\n", DES_OF_PW_DES);
	fprintf(f, "sha:{SHA512-CRYPT}%s\n", SHA512_CRYPT_OF_PW_SHA512);
	if (fclose(f) != 0)
		return 1;
	free(hash_carol);
	free(hash_dave);
	if (!reset_store())
		return 1;
	mp_fixture_secrets_from_store(&fx.secrets, fx.store);
	return 0;
}

static int
suite_cleanup(void)
{
	mp_fixture_remove_dir(fx.dir);
	free(fx.store_text);
	free(fx.hash_alice);
	mp_fixture_secrets_free(&fx.secrets);
	return 0;
}

/* capture_works - a line syslog()ed here reaches MAILPASS_SYSLOG_FILE. */
static bool
capture_works(void)
{
	char marker[64], *log;
	bool found;

	snprintf(marker, sizeof(marker), "pam-test capture check %ld", (long)getpid());
	syslog(LOG_AUTHPRIV | LOG_DEBUG, "%s", marker);
	log = mp_fixture_read(fx.log, 0);
	found = strstr(log, marker) != NULL;
	free(log);
	return found;
}

static const char *
need_env(const char *name)
{
	const char *value = getenv(name);

	if (value == NULL || *value == '\0') {
		fprintf(stderr, "pam-test: %s is not set; run tests/pam.test (make check)\n", name);
		exit(99);
	}
	return value;
}

int
main(void)
{
	const char *require = getenv("MAILPASS_REQUIRE_TOOLS");
	CU_pSuite suite;

	fx.module = need_env("MAILPASS_PAM_MODULE");
	fx.bin = need_env("MAILPASS_BIN");
	fx.srcdir = need_env("MAILPASS_SRCDIR");
	fx.log = need_env("MAILPASS_SYSLOG_FILE");
	fx.root = geteuid() == 0;
	fx.require_tools = require != NULL && strcmp(require, "1") == 0;
	fx.can_fail_malloc = can_fail_malloc();
	if (access(fx.module, R_OK) != 0 || access(fx.bin, X_OK) != 0) {
		fprintf(stderr, "pam-test: %s or %s is missing\n", fx.module, fx.bin);
		return 99;
	}
	if (!capture_works()) {
		fprintf(stderr, "pam-test: syslog() does not reach %s: the capture "
			"(tests/.libs/libsyslog-capture.so) is not in LD_PRELOAD, so what the "
			"module logs cannot be checked\n", fx.log);
		return fx.require_tools ? 1 : 77;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "pam-test: %s\n", CU_get_error_msg());
		return 99;
	}
	suite = CU_add_suite("pam_mailpass through libpam", suite_init, suite_cleanup);
	if (suite == NULL ||
	    CU_add_test(suite, "libsodium and Nettle only when needed",
			test_crypto_on_demand) == NULL ||
	    CU_add_test(suite, "pam_authenticate", test_authenticate) == NULL ||
	    CU_add_test(suite, "pam_acct_mgmt", test_acct_mgmt) == NULL ||
	    CU_add_test(suite, "pam_chauthtok", test_chauthtok) == NULL ||
	    CU_add_test(suite, "authenticate, account, setcred", test_transaction) == NULL ||
	    CU_add_test(suite, "the account step after a password check",
			test_account_after_authenticate) == NULL ||
	    CU_add_test(suite, "PAM_AUTHTOK is the modules' item",
			test_application_authtok) == NULL ||
	    CU_add_test(suite, "RETURN VALUES of pam_mailpass(8)", test_return_values) == NULL ||
	    CU_add_test(suite, "no secret in the log", test_no_secret_logged) == NULL) {
		fprintf(stderr, "pam-test: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	return mp_test_run_cunit();
}
