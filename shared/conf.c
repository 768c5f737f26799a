/*
 * conf.c - the mailpass.conf(5) parser.
 *
 * The text is parsed into a copy of the caller's configuration, which is
 * written back only when every line and every cross-check passed.  Values
 * are checked digit by digit; nothing is truncated or guessed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "file-safety.h"

/* The largest configuration file read, in bytes. */
#define CONF_FILE_MAX (1024 * 1024)

/* Bounds of the Argon2 settings (libsodium's for opslimit, 8 KiB to 4 GiB for memory). */
#define CONF_OPSLIMIT_MAX 4294967295ULL
#define CONF_MEMLIMIT_MIN ((size_t)8 * 1024)
#if SIZE_MAX > 0xffffffffU
#define CONF_MEMLIMIT_MAX ((size_t)4294967296ULL)
#else
#define CONF_MEMLIMIT_MAX SIZE_MAX
#endif

/*
 * Bounds of the legacy-scheme ceilings: libcrypt's own range of SHA-crypt
 * rounds and bcrypt costs, the Argon2 memory range for yescrypt, and the
 * 32-bit counts that PBKDF2 and SCRAM values are parsed into.
 */
#define CONF_CRYPT_ROUNDS_MIN 1000ULL
#define CONF_CRYPT_ROUNDS_MAX 999999999ULL
#define CONF_BCRYPT_COST_MIN 4ULL
#define CONF_BCRYPT_COST_MAX 31ULL
#define CONF_PBKDF2_ITERATIONS_MAX 4294967295ULL

/* libsodium refuses Argon2i with fewer passes than this. */
#define CONF_ARGON2I_OPSLIMIT_MIN 3ULL

#define CONF_DEFAULT_SCHEME "ARGON2ID"
#define CONF_DEFAULT_OPSLIMIT 3ULL
#define CONF_DEFAULT_MEMLIMIT ((size_t)64 * 1024 * 1024)

enum conf_key {
	KEY_STORE,
	KEY_SCHEME,
	KEY_OPSLIMIT,
	KEY_MEMLIMIT,
	KEY_MAX_OPSLIMIT,
	KEY_MAX_MEMLIMIT,
	KEY_CRYPT_MAX_ROUNDS,
	KEY_BCRYPT_MAX_COST,
	KEY_YESCRYPT_MAX_MEMLIMIT,
	KEY_PBKDF2_MAX_ITERATIONS,
	KEY_REHASH,
	KEY_APOP_KEY,
	KEY_STORE_OWNER,
	KEY_COUNT
};

/*
 * A key's setter parses value into conf.  On failure it writes the reason
 * (without the "line N: " prefix) into why and returns false.
 */
typedef bool conf_setter(struct mp_conf *conf, const char *value, char *why, size_t why_size);

struct conf_key_def {
	const char *name;
	conf_setter *set;
};

static conf_setter set_store, set_scheme, set_opslimit, set_memlimit,
	set_max_opslimit, set_max_memlimit, set_rehash, set_apop_key;
static conf_setter set_crypt_max_rounds, set_bcrypt_max_cost, set_yescrypt_max_memlimit,
	set_pbkdf2_max_iterations;
static conf_setter set_store_owner;

static const struct conf_key_def conf_keys[KEY_COUNT] = {
	[KEY_STORE] = { "store", set_store },
	[KEY_SCHEME] = { "scheme", set_scheme },
	[KEY_OPSLIMIT] = { "argon2_opslimit", set_opslimit },
	[KEY_MEMLIMIT] = { "argon2_memlimit", set_memlimit },
	[KEY_MAX_OPSLIMIT] = { "argon2_max_opslimit", set_max_opslimit },
	[KEY_MAX_MEMLIMIT] = { "argon2_max_memlimit", set_max_memlimit },
	[KEY_CRYPT_MAX_ROUNDS] = { "crypt_max_rounds", set_crypt_max_rounds },
	[KEY_BCRYPT_MAX_COST] = { "bcrypt_max_cost", set_bcrypt_max_cost },
	[KEY_YESCRYPT_MAX_MEMLIMIT] = { "yescrypt_max_memlimit", set_yescrypt_max_memlimit },
	[KEY_PBKDF2_MAX_ITERATIONS] = { "pbkdf2_max_iterations", set_pbkdf2_max_iterations },
	[KEY_REHASH] = { "rehash", set_rehash },
	[KEY_APOP_KEY] = { "apop_key", set_apop_key },
	[KEY_STORE_OWNER] = { "store_owner", set_store_owner },
};

static void set_error(char *error_r, size_t error_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* set_error - format a message into error_r, which may be NULL or empty. */
static void
set_error(char *error_r, size_t error_size, const char *fmt, ...)
{
	va_list args;

	if (error_r == NULL || error_size == 0)
		return;
	va_start(args, fmt);
	(void)vsnprintf(error_r, error_size, fmt, args);
	va_end(args);
}

static void
clear_error(char *error_r, size_t error_size)
{
	if (error_r != NULL && error_size > 0)
		error_r[0] = '\0';
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_control(char c)
{
	unsigned char u = (unsigned char)c;

	return (u < 0x20 && c != '\t') || u == 0x7f;
}

enum number_status {
	NUMBER_OK,
	NUMBER_SYNTAX,		/* not one or more decimal digits */
	NUMBER_OVERFLOW,	/* digits, but more than the type holds */
};

/* parse_decimal - only the digits 0-9: no sign, no blanks, no base prefix. */
static enum number_status
parse_decimal(const char *text, unsigned long long *value_r)
{
	unsigned long long value = 0;
	const char *p;

	*value_r = 0;
	if (*text == '\0')
		return NUMBER_SYNTAX;
	for (p = text; *p != '\0'; p++) {
		unsigned int digit;

		if (*p < '0' || *p > '9')
			return NUMBER_SYNTAX;
		digit = (unsigned int)(*p - '0');
		if (value > (~0ULL - digit) / 10)
			return NUMBER_OVERFLOW;
		value = value * 10 + digit;
	}
	*value_r = value;
	return NUMBER_OK;
}

/* parse_size - digits with an optional K, M or G suffix (binary multiples). */
static enum number_status
parse_size(const char *text, size_t *bytes_r)
{
	size_t value = 0, multiplier = 1;
	bool overflow = false;
	const char *p;

	*bytes_r = 0;
	if (*text < '0' || *text > '9')
		return NUMBER_SYNTAX;
	/* Read every digit first: "99...9X" is a syntax error, not an overflow. */
	for (p = text; *p >= '0' && *p <= '9'; p++) {
		size_t digit = (size_t)(*p - '0');

		if (value > (SIZE_MAX - digit) / 10)
			overflow = true;
		else
			value = value * 10 + digit;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		multiplier = (size_t)1 << 10;
		p++;
		break;
	case 'm':
	case 'M':
		multiplier = (size_t)1 << 20;
		p++;
		break;
	case 'g':
	case 'G':
		multiplier = (size_t)1 << 30;
		p++;
		break;
	default:
		return NUMBER_SYNTAX;
	}
	if (*p != '\0')
		return NUMBER_SYNTAX;
	if (overflow || value > SIZE_MAX / multiplier)
		return NUMBER_OVERFLOW;
	*bytes_r = value * multiplier;
	return NUMBER_OK;
}

bool
mp_parse_size(const char *text, size_t *bytes_r)
{
	if (bytes_r != NULL)
		*bytes_r = 0;
	if (text == NULL || bytes_r == NULL)
		return false;
	return parse_size(text, bytes_r) == NUMBER_OK;
}

/* parse_count - a decimal integer of key within min..max. */
static bool
parse_count(const char *key, const char *value, unsigned long long min,
	    unsigned long long max, unsigned long long *count_r, char *why, size_t why_size)
{
	switch (parse_decimal(value, count_r)) {
	case NUMBER_OK:
		if (*count_r >= min && *count_r <= max)
			return true;
		break;
	case NUMBER_SYNTAX:
		snprintf(why, why_size, "%s: \"%s\" is not a decimal number", key, value);
		return false;
	case NUMBER_OVERFLOW:
		break;
	}
	snprintf(why, why_size, "%s: %s is out of range %llu..%llu", key, value, min, max);
	return false;
}

/* parse_bytes - a size of key (see mp_parse_size) within min..max bytes. */
static bool
parse_bytes(const char *key, const char *value, size_t min, size_t max,
	    size_t *bytes_r, char *why, size_t why_size)
{
	switch (parse_size(value, bytes_r)) {
	case NUMBER_OK:
		if (*bytes_r >= min && *bytes_r <= max)
			return true;
		break;
	case NUMBER_SYNTAX:
		snprintf(why, why_size,
			 "%s: \"%s\" is not a size (digits with an optional K, M or G suffix)",
			 key, value);
		return false;
	case NUMBER_OVERFLOW:
		break;
	}
	snprintf(why, why_size, "%s: %s is out of range %zu..%zu bytes", key, value, min, max);
	return false;
}

/* parse_path - an absolute path that fits a buffer of MP_PATH_MAX bytes. */
static bool
parse_path(const char *key, const char *path, char *why, size_t why_size)
{
	if (path[0] != '/') {
		snprintf(why, why_size, "%s: \"%s\" is not an absolute path", key, path);
		return false;
	}
	if (strlen(path) >= MP_PATH_MAX) {
		snprintf(why, why_size, "%s: path longer than %d bytes", key, MP_PATH_MAX - 1);
		return false;
	}
	return true;
}

static bool
set_store(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	const char *colon = strchr(value, ':');
	size_t backend_len;

	if (colon == NULL || colon == value) {
		snprintf(why, why_size,
			 "store: \"%s\" is not BACKEND:ARGUMENT, e.g. " MP_CONF_DEFAULT_STORE,
			 value);
		return false;
	}
	backend_len = (size_t)(colon - value);
	for (size_t i = 0; i < backend_len; i++) {
		if (!((value[i] >= 'a' && value[i] <= 'z') || (value[i] >= '0' && value[i] <= '9'))) {
			snprintf(why, why_size,
				 "store: backend name \"%.*s\" is not lower-case letters and digits",
				 (int)backend_len, value);
			return false;
		}
	}
	if (colon[1] == '\0') {
		snprintf(why, why_size, "store: nothing after \"%.*s:\"", (int)backend_len, value);
		return false;
	}
	if (backend_len == 4 && memcmp(value, "file", 4) == 0 &&
	    !parse_path("store", colon + 1, why, why_size))
		return false;
	if (strlen(value) >= sizeof(conf->store)) {
		snprintf(why, why_size, "store: longer than %zu bytes", sizeof(conf->store) - 1);
		return false;
	}
	memcpy(conf->store, value, strlen(value) + 1);
	return true;
}

static bool
set_scheme(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	const struct mp_scheme *row, *canonical;

	row = mp_scheme_find(value);
	if (row == NULL) {
		snprintf(why, why_size, "scheme: unknown scheme \"%s\"", value);
		return false;
	}
	canonical = mp_scheme_canonical(row);
	if (row->weak || canonical->weak) {
		snprintf(why, why_size, "scheme %s is weak; use " CONF_DEFAULT_SCHEME, row->name);
		return false;
	}
	if (row->generate == NULL || canonical->generate == NULL) {
		snprintf(why, why_size, "scheme %s cannot generate hashes", row->name);
		return false;
	}
	conf->scheme = canonical;
	return true;
}

static bool
set_opslimit(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	/* The ceiling argon2_max_opslimit is checked once the whole text is read. */
	return parse_count("argon2_opslimit", value, 1, CONF_OPSLIMIT_MAX,
			   &conf->hash.argon2_opslimit, why, why_size);
}

static bool
set_memlimit(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	/* The ceiling argon2_max_memlimit is checked once the whole text is read. */
	return parse_bytes("argon2_memlimit", value, CONF_MEMLIMIT_MIN, CONF_MEMLIMIT_MAX,
			   &conf->hash.argon2_memlimit, why, why_size);
}

static bool
set_max_opslimit(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	return parse_count("argon2_max_opslimit", value, 1, CONF_OPSLIMIT_MAX,
			   &conf->limits.argon2_max_opslimit, why, why_size);
}

static bool
set_max_memlimit(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	return parse_bytes("argon2_max_memlimit", value, CONF_MEMLIMIT_MIN, CONF_MEMLIMIT_MAX,
			   &conf->limits.argon2_max_memlimit, why, why_size);
}

static bool
set_crypt_max_rounds(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	return parse_count("crypt_max_rounds", value, CONF_CRYPT_ROUNDS_MIN, CONF_CRYPT_ROUNDS_MAX,
			   &conf->limits.crypt_max_rounds, why, why_size);
}

static bool
set_bcrypt_max_cost(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	unsigned long long cost;

	if (!parse_count("bcrypt_max_cost", value, CONF_BCRYPT_COST_MIN, CONF_BCRYPT_COST_MAX,
			 &cost, why, why_size))
		return false;
	conf->limits.bcrypt_max_cost = (unsigned int)cost;
	return true;
}

static bool
set_yescrypt_max_memlimit(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	return parse_bytes("yescrypt_max_memlimit", value, CONF_MEMLIMIT_MIN, CONF_MEMLIMIT_MAX,
			   &conf->limits.yescrypt_max_memlimit, why, why_size);
}

static bool
set_pbkdf2_max_iterations(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	return parse_count("pbkdf2_max_iterations", value, 1, CONF_PBKDF2_ITERATIONS_MAX,
			   &conf->limits.pbkdf2_max_iterations, why, why_size);
}

static bool
set_rehash(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	static const struct {
		const char *word;
		bool value;
	} words[] = {
		{ "yes", true }, { "no", false },
		{ "true", true }, { "false", false },
		{ "on", true }, { "off", false },
		{ "1", true }, { "0", false },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(value, words[i].word) == 0) {
			conf->rehash = words[i].value;
			return true;
		}
	}
	snprintf(why, why_size, "rehash: \"%s\" is not yes or no", value);
	return false;
}

static bool
set_apop_key(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	if (!parse_path("apop_key", value, why, why_size))
		return false;
	memcpy(conf->apop_key, value, strlen(value) + 1);
	return true;
}

/*
 * set_store_owner - an account name, checked for its form only: whether the
 * account exists is asked when a file it owns is judged (file-safety.h).
 */
static bool
set_store_owner(struct mp_conf *conf, const char *value, char *why, size_t why_size)
{
	if (!mp_file_owner_name_valid(value)) {
		snprintf(why, why_size, "store_owner: \"%s\" is not an account name (at most "
			 "%d of A-Z a-z 0-9 . _ -, not starting with '-')", value,
			 MP_OWNER_NAME_MAX);
		return false;
	}
	memcpy(conf->store_owner, value, strlen(value) + 1);
	return true;
}

static const struct conf_key_def *
find_key(const char *name, size_t name_len, enum conf_key *key_r)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		if (strlen(conf_keys[i].name) == name_len &&
		    memcmp(conf_keys[i].name, name, name_len) == 0) {
			*key_r = (enum conf_key)i;
			return &conf_keys[i];
		}
	}
	return NULL;
}

/*
 * parse_line - apply one line (without its line end, at most MP_LINE_MAX
 * bytes, no NUL) to conf; lines[] records where each key was given.
 */
static bool
parse_line(struct mp_conf *conf, const char *line, size_t len, size_t lineno,
	   size_t lines[KEY_COUNT], char *error_r, size_t error_size)
{
	char value[MP_LINE_MAX + 1], why[MP_ERROR_MAX];
	const struct conf_key_def *def;
	const char *start, *end, *eq, *vstart;
	enum conf_key key;
	size_t key_len, value_len;

	start = line;
	end = line + len;
	while (start < end && is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;
	/* Comments too: mailpass.conf(5) makes any control character an error. */
	for (const char *p = start; p < end; p++) {
		if (is_control(*p)) {
			set_error(error_r, error_size, "line %zu: control character 0x%02x",
				  lineno, (unsigned int)(unsigned char)*p);
			return false;
		}
	}
	if (start == end || *start == '#')
		return true;

	eq = memchr(start, '=', (size_t)(end - start));
	if (eq == NULL) {
		set_error(error_r, error_size, "line %zu: expected \"key = value\"", lineno);
		return false;
	}
	key_len = (size_t)(eq - start);
	while (key_len > 0 && is_blank(start[key_len - 1]))
		key_len--;
	if (key_len == 0) {
		set_error(error_r, error_size, "line %zu: no key before '='", lineno);
		return false;
	}
	def = find_key(start, key_len, &key);
	if (def == NULL) {
		set_error(error_r, error_size, "line %zu: unknown key \"%.*s\"",
			  lineno, (int)key_len, start);
		return false;
	}
	if (lines[key] != 0) {
		set_error(error_r, error_size, "line %zu: key \"%s\" given twice (first on line %zu)",
			  lineno, def->name, lines[key]);
		return false;
	}
	lines[key] = lineno;

	vstart = eq + 1;
	while (vstart < end && is_blank(*vstart))
		vstart++;
	value_len = (size_t)(end - vstart);
	if (value_len == 0) {
		set_error(error_r, error_size, "line %zu: empty value for \"%s\"",
			  lineno, def->name);
		return false;
	}
	memcpy(value, vstart, value_len);
	value[value_len] = '\0';

	if (!def->set(conf, value, why, sizeof(why))) {
		set_error(error_r, error_size, "line %zu: %s", lineno, why);
		return false;
	}
	return true;
}

/* report_line - the first of two lines that was given in the text (0: neither). */
static size_t
report_line(size_t preferred, size_t fallback)
{
	return preferred != 0 ? preferred : fallback;
}

static void
set_line_error(char *error_r, size_t error_size, size_t lineno, const char *what)
{
	if (lineno != 0)
		set_error(error_r, error_size, "line %zu: %s", lineno, what);
	else
		set_error(error_r, error_size, "%s", what);
}

/* cross_check - the settings that depend on each other, once the whole text is read. */
static bool
cross_check(const struct mp_conf *conf, const size_t lines[KEY_COUNT],
	    char *error_r, size_t error_size)
{
	const struct mp_scheme *scheme = mp_scheme_canonical(conf->scheme);
	char why[MP_ERROR_MAX];

	if (conf->hash.argon2_opslimit > conf->limits.argon2_max_opslimit) {
		snprintf(why, sizeof(why), "argon2_opslimit %llu exceeds argon2_max_opslimit %llu",
			 conf->hash.argon2_opslimit, conf->limits.argon2_max_opslimit);
		set_line_error(error_r, error_size,
			       report_line(lines[KEY_OPSLIMIT], lines[KEY_MAX_OPSLIMIT]), why);
		return false;
	}
	if (conf->hash.argon2_memlimit > conf->limits.argon2_max_memlimit) {
		snprintf(why, sizeof(why), "argon2_memlimit %zu exceeds argon2_max_memlimit %zu",
			 conf->hash.argon2_memlimit, conf->limits.argon2_max_memlimit);
		set_line_error(error_r, error_size,
			       report_line(lines[KEY_MEMLIMIT], lines[KEY_MAX_MEMLIMIT]), why);
		return false;
	}
	if (scheme != NULL && strcmp(scheme->name, "ARGON2I") == 0 &&
	    conf->hash.argon2_opslimit < CONF_ARGON2I_OPSLIMIT_MIN) {
		snprintf(why, sizeof(why), "argon2_opslimit %llu is below %llu, the least ARGON2I takes",
			 conf->hash.argon2_opslimit, CONF_ARGON2I_OPSLIMIT_MIN);
		set_line_error(error_r, error_size,
			       report_line(lines[KEY_OPSLIMIT], lines[KEY_SCHEME]), why);
		return false;
	}
	return true;
}

/* set_defaults - the built-in defaults into conf, whose bytes are all zero. */
static void
set_defaults(struct mp_conf *conf)
{
	memcpy(conf->store, MP_CONF_DEFAULT_STORE, sizeof(MP_CONF_DEFAULT_STORE));
	conf->scheme = mp_scheme_canonical(mp_scheme_find(CONF_DEFAULT_SCHEME));
	conf->hash.argon2_opslimit = CONF_DEFAULT_OPSLIMIT;
	conf->hash.argon2_memlimit = CONF_DEFAULT_MEMLIMIT;
	conf->limits.argon2_max_opslimit = MP_ARGON2_MAX_OPSLIMIT_DEFAULT;
	conf->limits.argon2_max_memlimit = MP_ARGON2_MAX_MEMLIMIT_DEFAULT;
	conf->limits.argon2_max_lanes = MP_ARGON2_MAX_LANES_DEFAULT;
	conf->limits.crypt_max_rounds = MP_CRYPT_MAX_ROUNDS_DEFAULT;
	conf->limits.bcrypt_max_cost = MP_BCRYPT_MAX_COST_DEFAULT;
	conf->limits.yescrypt_max_memlimit = MP_YESCRYPT_MAX_MEMLIMIT_DEFAULT;
	conf->limits.pbkdf2_max_iterations = MP_PBKDF2_MAX_ITERATIONS_DEFAULT;
	conf->rehash = true;
}

void
mp_conf_defaults(struct mp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	set_defaults(conf);
}

/*
 * apply_text - text[0..len) applied on conf in place.  On error conf holds
 * whatever lines came before the bad one: callers apply to a copy, or to a
 * configuration they throw away.
 */
static enum mp_result
apply_text(struct mp_conf *conf, const char *text, size_t len, char *error_r,
	   size_t error_size)
{
	size_t lines[KEY_COUNT] = { 0 };
	size_t pos = 0, lineno = 0;

	/* An editor's "UTF-8 with BOM": say so, rather than "unknown key". */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		set_error(error_r, error_size, "line 1: the file starts with a UTF-8 byte "
			  "order mark; save it without one");
		return MP_MALFORMED;
	}
	while (pos < len) {
		const char *line = text + pos;
		const char *newline = memchr(line, '\n', len - pos);
		size_t line_len = newline != NULL ? (size_t)(newline - line) : len - pos;

		pos += line_len + (newline != NULL ? 1 : 0);
		lineno++;
		/* A CR before the LF belongs to the line end. */
		if (newline != NULL && line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (memchr(line, '\0', line_len) != NULL) {
			set_error(error_r, error_size, "line %zu: NUL byte", lineno);
			return MP_MALFORMED;
		}
		if (line_len > MP_LINE_MAX) {
			set_error(error_r, error_size, "line %zu: longer than %d bytes",
				  lineno, MP_LINE_MAX);
			return MP_MALFORMED;
		}
		if (!parse_line(conf, line, line_len, lineno, lines, error_r, error_size))
			return MP_MALFORMED;
	}
	return cross_check(conf, lines, error_r, error_size) ? MP_OK : MP_MALFORMED;
}

enum mp_result
mp_conf_parse(struct mp_conf *conf, const char *text, size_t len,
	      char *error_r, size_t error_size)
{
	struct mp_conf work;
	enum mp_result result;

	clear_error(error_r, error_size);
	if (conf == NULL || (text == NULL && len > 0)) {
		set_error(error_r, error_size, "no configuration to parse");
		return MP_MALFORMED;
	}
	work = *conf;
	result = apply_text(&work, text, len, error_r, error_size);
	if (result == MP_OK)
		*conf = work;
	return result;
}

/* read_text - the whole regular file at path, at most CONF_FILE_MAX bytes, malloc'd. */
static enum mp_result
read_text(const char *path, char **text_r, size_t *len_r, char *why, size_t why_size)
{
	char errbuf[128];
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap;
	enum mp_result result;
	int fd, saved_errno = 0;

	*text_r = NULL;
	*len_r = 0;
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved_errno = errno;
		snprintf(why, why_size, "cannot open: %s",
			 strerror_r(saved_errno, errbuf, sizeof(errbuf)));
		errno = saved_errno;
		return MP_UNAVAILABLE;
	}
	if (fstat(fd, &st) < 0) {
		saved_errno = errno;
		snprintf(why, why_size, "cannot stat: %s",
			 strerror_r(saved_errno, errbuf, sizeof(errbuf)));
		result = MP_UNAVAILABLE;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "not a regular file");
		result = MP_UNAVAILABLE;
		goto fail;
	}
	/* Whoever may write the configuration may point store at a file of their own. */
	if (mp_file_safety_check(path, &st, MP_FILE_CONFIG, NULL, NULL, why, why_size) ==
	    MP_FILE_REFUSE) {
		result = MP_UNAVAILABLE;
		goto fail;
	}
	if (st.st_size > CONF_FILE_MAX)
		goto too_big;

	/* The file may grow while it is read: read on until EOF or over the limit. */
	cap = (size_t)st.st_size + 1;
	text = malloc(cap);
	if (text == NULL) {
		snprintf(why, why_size, "out of memory");
		result = MP_INTERNAL;
		goto fail;
	}
	for (;;) {
		ssize_t got;

		if (len == cap) {
			char *bigger;

			if (cap > CONF_FILE_MAX)
				goto too_big;
			cap = cap > (CONF_FILE_MAX + 1) / 2 ? CONF_FILE_MAX + 1 : cap * 2;
			bigger = realloc(text, cap);
			if (bigger == NULL) {
				snprintf(why, why_size, "out of memory");
				result = MP_INTERNAL;
				goto fail;
			}
			text = bigger;
		}
		got = read(fd, text + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			saved_errno = errno;
			snprintf(why, why_size, "cannot read: %s",
				 strerror_r(saved_errno, errbuf, sizeof(errbuf)));
			result = MP_UNAVAILABLE;
			goto fail;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		/*
		 * One byte more than fstat() reported was asked for: the size it
		 * reported and no more is the end, without a read() to see 0.
		 */
		if (len == (size_t)st.st_size && len < cap)
			break;
	}
	(void)close(fd);
	*text_r = text;
	*len_r = len;
	return MP_OK;

too_big:
	snprintf(why, why_size, "larger than %d bytes (1 MiB)", CONF_FILE_MAX);
	result = MP_MALFORMED;
fail:
	free(text);
	(void)close(fd);
	if (saved_errno != 0)
		errno = saved_errno;
	return result;
}

/* load_into - the file at path applied on conf in place; why says what is wrong. */
static enum mp_result
load_into(struct mp_conf *conf, const char *path, char *why, size_t why_size)
{
	char *text = NULL;
	size_t len = 0;
	enum mp_result result;

	result = read_text(path, &text, &len, why, why_size);
	if (result == MP_OK)
		result = apply_text(conf, text, len, why, why_size);
	free(text);
	return result;
}

enum mp_result
mp_conf_load(struct mp_conf *conf, const char *path, char *error_r, size_t error_size)
{
	struct mp_conf work;
	enum mp_result result;

	/* Into a copy: conf stays as it was when the file is bad. */
	memset(&work, 0, sizeof(work));
	result = mp_conf_load_zeroed(conf != NULL ? &work : NULL, path, error_r, error_size);
	if (result == MP_OK)
		*conf = work;
	return result;
}

enum mp_result
mp_conf_load_zeroed(struct mp_conf *conf, const char *path, char *error_r,
		    size_t error_size)
{
	char why[MP_ERROR_MAX];
	enum mp_result result;

	clear_error(error_r, error_size);
	if (conf == NULL || path == NULL) {
		set_error(error_r, error_size, "no configuration file given");
		return MP_UNAVAILABLE;
	}
	set_defaults(conf);
	result = load_into(conf, path, why, sizeof(why));
	if (result != MP_OK)
		set_error(error_r, error_size, "%s: %s", path, why);
	return result;
}
