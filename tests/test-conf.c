/* test-conf.c - the mailpass.conf(5) parser, the file loader and mp_parse_size(). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "unit.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* A string literal and its length, NUL bytes inside included. */
#define LIT(s) s, sizeof(s) - 1

/* The largest configuration file mp_conf_load() reads. */
#define CONF_FILE_MAX (1024 * 1024)

/* Every field at its built-in default, as conf_dump() writes them. */
#define DEFAULT_FIELDS							\
	"store=file:/etc/mailpass/passwd\n"				\
	"scheme=ARGON2ID\n"						\
	"argon2_opslimit=3\n"						\
	"argon2_memlimit=67108864\n"					\
	"argon2_max_opslimit=16\n"					\
	"argon2_max_memlimit=1073741824\n"				\
	"argon2_max_lanes=16\n"						\
	"crypt_max_rounds=10000000\n"					\
	"bcrypt_max_cost=16\n"						\
	"yescrypt_max_memlimit=1073741824\n"				\
	"pbkdf2_max_iterations=10000000\n"				\
	"rehash=yes\n"							\
	"apop_key=\n"

/* Room for a dump with a full store and apop_key. */
#define DUMP_MAX (2 * MP_PATH_MAX + 512)

/* conf_dump - every field of conf as "name=value" lines, starting with a newline. */
static void
conf_dump(const struct mp_conf *conf, char *buf, size_t size)
{
	snprintf(buf, size,
		 "\nstore=%s\nscheme=%s\nargon2_opslimit=%llu\nargon2_memlimit=%zu\n"
		 "argon2_max_opslimit=%llu\nargon2_max_memlimit=%zu\nargon2_max_lanes=%u\n"
		 "crypt_max_rounds=%llu\nbcrypt_max_cost=%u\nyescrypt_max_memlimit=%zu\n"
		 "pbkdf2_max_iterations=%llu\n"
		 "rehash=%s\napop_key=%s\n",
		 conf->store, conf->scheme != NULL ? conf->scheme->name : "(null)",
		 conf->hash.argon2_opslimit, conf->hash.argon2_memlimit,
		 conf->limits.argon2_max_opslimit, conf->limits.argon2_max_memlimit,
		 conf->limits.argon2_max_lanes, conf->limits.crypt_max_rounds,
		 conf->limits.bcrypt_max_cost, conf->limits.yescrypt_max_memlimit,
		 conf->limits.pbkdf2_max_iterations, conf->rehash ? "yes" : "no", conf->apop_key);
}

/* check_fields - every "name=value" line of want is a whole line of conf's dump. */
static void
check_fields(const char *label, const struct mp_conf *conf, const char *want)
{
	static char dump[DUMP_MAX], needle[DUMP_MAX];
	const char *line = want;

	conf_dump(conf, dump, sizeof(dump));
	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		bool found;

		snprintf(needle, sizeof(needle), "\n%.*s\n", (int)len, line);
		found = strstr(dump, needle) != NULL;
		if (!found)
			fprintf(stderr, "\n  %s: want %.*s, got:%s", label, (int)len, line, dump);
		CU_ASSERT(found);
		line += len;
		if (*line == '\n')
			line++;
	}
}

/* check_error - error is "line N: ..." (or has no line prefix when line is 0) and holds want. */
static void
check_error(const char *label, const char *error, unsigned int line, const char *want)
{
	char prefix[32];
	bool ok;

	if (line != 0) {
		snprintf(prefix, sizeof(prefix), "line %u: ", line);
		ok = strncmp(error, prefix, strlen(prefix)) == 0;
		if (!ok)
			fprintf(stderr, "\n  %s: got \"%s\", want it to start with \"%s\"\n",
				label, error, prefix);
		CU_ASSERT(ok);
	}
	ok = strstr(error, want) != NULL;
	if (!ok)
		fprintf(stderr, "\n  %s: got \"%s\", want it to contain \"%s\"\n", label, error, want);
	CU_ASSERT(ok);
}

/* check_unchanged - conf is byte for byte what it was before a failed call. */
static void
check_unchanged(const char *label, const struct mp_conf *conf, const struct mp_conf *before)
{
	bool same = memcmp(conf, before, sizeof(*conf)) == 0;

	if (!same)
		fprintf(stderr, "\n  %s: the configuration changed although the call failed\n",
			label);
	CU_ASSERT(same);
}

static void
test_defaults(void)
{
	struct mp_conf conf;

	memset(&conf, 0xa5, sizeof(conf));
	mp_conf_defaults(&conf);
	check_fields("defaults", &conf, DEFAULT_FIELDS);
	CU_ASSERT_PTR_EQUAL(conf.scheme, mp_scheme_find("ARGON2ID"));
	MP_CHECK_STR("default store macro", conf.store, MP_CONF_DEFAULT_STORE);
}

struct parse_row {
	const char *label;
	const char *text;
	size_t len;
	enum mp_result want;
	unsigned int want_line;		/* the "line N:" of an error */
	const char *want_str;		/* MP_OK: "name=value" lines; else an error substring */
};

static const struct parse_row parse_rows[] = {
	/* Valid texts. */
	{ "empty text", LIT(""), MP_OK, 0, DEFAULT_FIELDS },
	{ "comments and blank lines",
	  LIT("# mailpass.conf\n\n   \n\t# indented comment\n  #store = relative\n"),
	  MP_OK, 0, DEFAULT_FIELDS },
	{ "every key",
	  LIT("store = file:/var/lib/mailpass/passwd\n"
	      "scheme = ARGON2I\n"
	      "argon2_opslimit = 4\n"
	      "argon2_memlimit = 128M\n"
	      "argon2_max_opslimit = 8\n"
	      "argon2_max_memlimit = 2G\n"
	      "rehash = no\n"
	      "apop_key = /etc/mailpass/apop.key\n"),
	  MP_OK, 0,
	  "store=file:/var/lib/mailpass/passwd\nscheme=ARGON2I\nargon2_opslimit=4\n"
	  "argon2_memlimit=134217728\nargon2_max_opslimit=8\nargon2_max_memlimit=2147483648\n"
	  "argon2_max_lanes=16\nrehash=no\napop_key=/etc/mailpass/apop.key" },
	{ "blanks around key, '=' and value",
	  LIT(" \t store \t=\t file:/srv/mail passwd \t\nrehash=off\n"),
	  MP_OK, 0, "store=file:/srv/mail passwd\nrehash=no" },
	{ "CRLF line ends", LIT("rehash = no\r\napop_key = /k\r\n"),
	  MP_OK, 0, "rehash=no\napop_key=/k" },
	{ "no final newline", LIT("# c\nrehash = false"), MP_OK, 0, "rehash=no" },
	{ "'=' inside the value", LIT("store = sql:host=db dbname=mail\n"),
	  MP_OK, 0, "store=sql:host=db dbname=mail" },
	{ "other backend", LIT("store = ldap2:anything"), MP_OK, 0, "store=ldap2:anything" },
	{ "'#' inside a value is kept", LIT("apop_key = /etc/a#b # not a comment\n"),
	  MP_OK, 0, "apop_key=/etc/a#b # not a comment" },
	{ "scheme in lower case", LIT("scheme = argon2id"), MP_OK, 0, "scheme=ARGON2ID" },
	{ "scheme alias stored as its canonical row", LIT("scheme = Argon2"),
	  MP_OK, 0, "scheme=ARGON2I\nargon2_opslimit=3" },
	{ "ARGON2I with opslimit 3", LIT("scheme = ARGON2I\nargon2_opslimit = 3\n"),
	  MP_OK, 0, "scheme=ARGON2I\nargon2_opslimit=3" },
	{ "ARGON2ID with opslimit 1", LIT("argon2_opslimit = 1"), MP_OK, 0, "argon2_opslimit=1" },
	{ "leading zeros", LIT("argon2_opslimit = 007"), MP_OK, 0, "argon2_opslimit=7" },
	{ "opslimit at its ceiling", LIT("argon2_opslimit = 16"), MP_OK, 0, "argon2_opslimit=16" },
	{ "memlimit 8K", LIT("argon2_memlimit = 8K"), MP_OK, 0, "argon2_memlimit=8192" },
	{ "memlimit 8k", LIT("argon2_memlimit = 8k"), MP_OK, 0, "argon2_memlimit=8192" },
	{ "memlimit in bytes", LIT("argon2_memlimit = 8192"), MP_OK, 0, "argon2_memlimit=8192" },
	{ "memlimit 65536k", LIT("argon2_memlimit = 65536k"), MP_OK, 0, "argon2_memlimit=67108864" },
	{ "memlimit at its ceiling", LIT("argon2_memlimit = 1g"),
	  MP_OK, 0, "argon2_memlimit=1073741824" },
	{ "max_opslimit at its top", LIT("argon2_max_opslimit = 4294967295"),
	  MP_OK, 0, "argon2_max_opslimit=4294967295" },
	{ "max_opslimit 1", LIT("argon2_max_opslimit = 1\nargon2_opslimit = 1"),
	  MP_OK, 0, "argon2_max_opslimit=1\nargon2_opslimit=1" },
	{ "max_memlimit 8K", LIT("argon2_max_memlimit = 8K\nargon2_memlimit = 8192"),
	  MP_OK, 0, "argon2_max_memlimit=8192\nargon2_memlimit=8192" },
#if SIZE_MAX > 0xffffffffU
	{ "max_memlimit 4G", LIT("argon2_max_memlimit = 4G"),
	  MP_OK, 0, "argon2_max_memlimit=4294967296" },
	{ "max_memlimit 4096M", LIT("argon2_max_memlimit = 4096M"),
	  MP_OK, 0, "argon2_max_memlimit=4294967296" },
	{ "max_memlimit 4294967296", LIT("argon2_max_memlimit = 4294967296"),
	  MP_OK, 0, "argon2_max_memlimit=4294967296" },
#endif
	{ "opslimit before its ceiling", LIT("argon2_opslimit = 20\nargon2_max_opslimit = 32\n"),
	  MP_OK, 0, "argon2_opslimit=20\nargon2_max_opslimit=32" },
	{ "opslimit after its ceiling", LIT("argon2_max_opslimit = 32\nargon2_opslimit = 20\n"),
	  MP_OK, 0, "argon2_opslimit=20\nargon2_max_opslimit=32" },
	{ "memlimit before its ceiling", LIT("argon2_memlimit = 2G\nargon2_max_memlimit = 3G\n"),
	  MP_OK, 0, "argon2_memlimit=2147483648\nargon2_max_memlimit=3221225472" },
	{ "memlimit after its ceiling", LIT("argon2_max_memlimit = 3G\nargon2_memlimit = 2G\n"),
	  MP_OK, 0, "argon2_memlimit=2147483648\nargon2_max_memlimit=3221225472" },
	{ "ARGON2I set after opslimit", LIT("argon2_opslimit = 5\nscheme = ARGON2I\n"),
	  MP_OK, 0, "scheme=ARGON2I\nargon2_opslimit=5" },
	{ "crypt_max_rounds at its bottom", LIT("crypt_max_rounds = 1000"),
	  MP_OK, 0, "crypt_max_rounds=1000" },
	{ "crypt_max_rounds at its top", LIT("crypt_max_rounds = 999999999"),
	  MP_OK, 0, "crypt_max_rounds=999999999" },
	{ "crypt_max_rounds leading zeros", LIT("crypt_max_rounds = 0005000"),
	  MP_OK, 0, "crypt_max_rounds=5000" },
	{ "bcrypt_max_cost at its bottom", LIT("bcrypt_max_cost = 4"),
	  MP_OK, 0, "bcrypt_max_cost=4" },
	{ "bcrypt_max_cost at its top", LIT("bcrypt_max_cost = 31"),
	  MP_OK, 0, "bcrypt_max_cost=31" },
	{ "yescrypt_max_memlimit 8K", LIT("yescrypt_max_memlimit = 8K"),
	  MP_OK, 0, "yescrypt_max_memlimit=8192" },
	{ "yescrypt_max_memlimit 16m", LIT("yescrypt_max_memlimit = 16m"),
	  MP_OK, 0, "yescrypt_max_memlimit=16777216" },
	{ "yescrypt_max_memlimit in bytes", LIT("yescrypt_max_memlimit = 16777215"),
	  MP_OK, 0, "yescrypt_max_memlimit=16777215" },
#if SIZE_MAX > 0xffffffffU
	{ "yescrypt_max_memlimit 4G", LIT("yescrypt_max_memlimit = 4G"),
	  MP_OK, 0, "yescrypt_max_memlimit=4294967296" },
#endif
	{ "pbkdf2_max_iterations 1", LIT("pbkdf2_max_iterations = 1"),
	  MP_OK, 0, "pbkdf2_max_iterations=1" },
	{ "pbkdf2_max_iterations at its top", LIT("pbkdf2_max_iterations = 4294967295"),
	  MP_OK, 0, "pbkdf2_max_iterations=4294967295" },
	{ "every legacy ceiling, the others untouched",
	  LIT("crypt_max_rounds = 5000\nbcrypt_max_cost = 12\n"
	      "yescrypt_max_memlimit = 256M\npbkdf2_max_iterations = 100000\n"),
	  MP_OK, 0,
	  "crypt_max_rounds=5000\nbcrypt_max_cost=12\nyescrypt_max_memlimit=268435456\n"
	  "pbkdf2_max_iterations=100000\nargon2_max_opslimit=16\nargon2_max_memlimit=1073741824" },
	{ "rehash yes", LIT("rehash = yes"), MP_OK, 0, "rehash=yes" },
	{ "rehash no", LIT("rehash = no"), MP_OK, 0, "rehash=no" },
	{ "rehash true", LIT("rehash = true"), MP_OK, 0, "rehash=yes" },
	{ "rehash false", LIT("rehash = false"), MP_OK, 0, "rehash=no" },
	{ "rehash on", LIT("rehash = on"), MP_OK, 0, "rehash=yes" },
	{ "rehash off", LIT("rehash = off"), MP_OK, 0, "rehash=no" },
	{ "rehash 1", LIT("rehash = 1"), MP_OK, 0, "rehash=yes" },
	{ "rehash 0", LIT("rehash = 0"), MP_OK, 0, "rehash=no" },
	{ "rehash YES", LIT("rehash = YES"), MP_OK, 0, "rehash=yes" },
	{ "rehash Off", LIT("rehash = Off"), MP_OK, 0, "rehash=no" },
	{ "apop_key with a blank inside", LIT("apop_key = /etc/mailpass/apop key"),
	  MP_OK, 0, "apop_key=/etc/mailpass/apop key" },

	/* Line structure. */
	{ "unknown key", LIT("store = file:/x\nfoo = 1\n"),
	  MP_MALFORMED, 2, "unknown key \"foo\"" },
	{ "keys are case-sensitive", LIT("Rehash = yes"),
	  MP_MALFORMED, 1, "unknown key \"Rehash\"" },
	{ "blank inside a key", LIT("# c\nargon2 opslimit = 3"),
	  MP_MALFORMED, 2, "unknown key \"argon2 opslimit\"" },
	{ "unknown key with an empty value", LIT("bogus =\n"),
	  MP_MALFORMED, 1, "unknown key \"bogus\"" },
	{ "key given twice", LIT("rehash = yes\n# c\nrehash = no\n"),
	  MP_MALFORMED, 3, "\"rehash\" given twice (first on line 1)" },
	{ "key given twice with the same value", LIT("store = file:/a\n\nstore = file:/a\n"),
	  MP_MALFORMED, 3, "given twice" },
	{ "no '='", LIT("# c\n\nrehash yes\n"), MP_MALFORMED, 3, "expected \"key = value\"" },
	{ "empty key", LIT("rehash = yes\n = no\n"), MP_MALFORMED, 2, "no key before '='" },
	{ "empty value", LIT("rehash =\n"), MP_MALFORMED, 1, "empty value for \"rehash\"" },
	{ "blank value", LIT("\nstore = \t \n"), MP_MALFORMED, 2, "empty value for \"store\"" },
	{ "NUL byte in a line", LIT("rehash = yes\nsto\0re = file:/x\n"),
	  MP_MALFORMED, 2, "NUL byte" },
	{ "NUL byte in a comment", LIT("# a\0b\n"), MP_MALFORMED, 1, "NUL byte" },
	{ "NUL byte at the end", LIT("\n\nrehash = yes\0"), MP_MALFORMED, 3, "NUL byte" },
	{ "control character", LIT("rehash = y\001es"), MP_MALFORMED, 1, "control character" },
	{ "CR inside a line", LIT("rehash = y\res\n"), MP_MALFORMED, 1, "control character" },
	{ "CR without LF at the end", LIT("rehash = yes\r"), MP_MALFORMED, 1, "control character" },
	{ "control character in a comment", LIT("# a\001b\nrehash = no\n"),
	  MP_MALFORMED, 1, "control character 0x01" },
	{ "error after valid lines", LIT("rehash = no\nstore = file:/x\nbogus\n"),
	  MP_MALFORMED, 3, "expected \"key = value\"" },
	{ "first error is reported", LIT("foo = 1\nbar = 2\n"),
	  MP_MALFORMED, 1, "unknown key \"foo\"" },
	{ "UTF-8 byte order mark", LIT("\xEF\xBB\xBFrehash = no\n"),
	  MP_MALFORMED, 1, "starts with a UTF-8 byte order mark; save it without one" },
	{ "byte order mark alone", LIT("\xEF\xBB\xBF"),
	  MP_MALFORMED, 1, "byte order mark" },
	{ "two bytes of a byte order mark", LIT("\xEF\xBBrehash = no\n"),
	  MP_MALFORMED, 1, "unknown key" },

	/* store */
	{ "store without backend", LIT("store = /etc/passwd"),
	  MP_MALFORMED, 1, "not BACKEND:ARGUMENT" },
	{ "store with an empty backend", LIT("store = :/etc/passwd"),
	  MP_MALFORMED, 1, "not BACKEND:ARGUMENT" },
	{ "store backend in upper case", LIT("store = File:/etc/passwd"),
	  MP_MALFORMED, 1, "backend name \"File\"" },
	{ "store backend with a dash", LIT("store = my-db:x"),
	  MP_MALFORMED, 1, "backend name \"my-db\"" },
	{ "store file: with a relative path", LIT("store = file:etc/passwd"),
	  MP_MALFORMED, 1, "\"etc/passwd\" is not an absolute path" },
	{ "store file: without a path", LIT("store = file:"), MP_MALFORMED, 1, "nothing after" },
	{ "store other backend without argument", LIT("store = sql:"),
	  MP_MALFORMED, 1, "nothing after \"sql:\"" },

	/* scheme */
	{ "unknown scheme", LIT("scheme = FOO"), MP_MALFORMED, 1, "unknown scheme \"FOO\"" },
	{ "scheme with an encoding suffix", LIT("scheme = ARGON2ID.b64"),
	  MP_MALFORMED, 1, "unknown scheme" },
	{ "weak scheme", LIT("# c\nscheme = PLAIN\n"),
	  MP_MALFORMED, 2, "scheme PLAIN is weak; use ARGON2ID" },
	{ "weak scheme in lower case", LIT("scheme = plain"),
	  MP_MALFORMED, 1, "scheme PLAIN is weak" },

	/* argon2_opslimit */
	{ "opslimit 0", LIT("argon2_opslimit = 0"), MP_MALFORMED, 1, "out of range" },
	{ "opslimit -1", LIT("argon2_opslimit = -1"), MP_MALFORMED, 1, "not a decimal number" },
	{ "opslimit +3", LIT("argon2_opslimit = +3"), MP_MALFORMED, 1, "not a decimal number" },
	{ "opslimit 3x", LIT("argon2_opslimit =  3x"), MP_MALFORMED, 1, "\"3x\" is not a decimal" },
	{ "opslimit 3 x", LIT("argon2_opslimit = 3 x"), MP_MALFORMED, 1, "not a decimal number" },
	{ "opslimit 0x10", LIT("argon2_opslimit = 0x10"), MP_MALFORMED, 1, "not a decimal number" },
	{ "opslimit 3.0", LIT("argon2_opslimit = 3.0"), MP_MALFORMED, 1, "not a decimal number" },
	{ "opslimit three", LIT("argon2_opslimit = three"), MP_MALFORMED, 1, "not a decimal" },
	{ "opslimit overflowing", LIT("argon2_opslimit = 99999999999999999999"),
	  MP_MALFORMED, 1, "out of range" },
	{ "opslimit over 32 bits", LIT("argon2_opslimit = 4294967296"),
	  MP_MALFORMED, 1, "out of range" },

	/* argon2_memlimit */
	{ "memlimit 4K", LIT("argon2_memlimit = 4K"), MP_MALFORMED, 1, "out of range" },
	{ "memlimit 8191", LIT("argon2_memlimit = 8191"), MP_MALFORMED, 1, "out of range" },
	{ "memlimit 0", LIT("argon2_memlimit = 0"), MP_MALFORMED, 1, "out of range" },
	{ "memlimit 8KB", LIT("argon2_memlimit = 8KB"), MP_MALFORMED, 1, "\"8KB\" is not a size" },
	{ "memlimit K", LIT("argon2_memlimit = K"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit 64 M", LIT("argon2_memlimit = 64 M"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit -64M", LIT("argon2_memlimit = -64M"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit +64M", LIT("argon2_memlimit = +64M"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit 1T", LIT("argon2_memlimit = 1T"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit 1.5G", LIT("argon2_memlimit = 1.5G"), MP_MALFORMED, 1, "not a size" },
	{ "memlimit overflowing", LIT("argon2_memlimit = 99999999999999999999"),
	  MP_MALFORMED, 1, "out of range" },
	{ "memlimit overflowing by its suffix", LIT("argon2_memlimit = 17179869184G"),
	  MP_MALFORMED, 1, "out of range" },
	{ "memlimit overflowing digits then junk", LIT("argon2_memlimit = 99999999999999999999X"),
	  MP_MALFORMED, 1, "not a size" },
	{ "memlimit 5G", LIT("argon2_memlimit = 5G"), MP_MALFORMED, 1, "out of range" },

	/* argon2_max_opslimit */
	{ "max_opslimit 0", LIT("argon2_max_opslimit = 0"), MP_MALFORMED, 1, "out of range" },
	{ "max_opslimit over 32 bits", LIT("argon2_max_opslimit = 4294967296"),
	  MP_MALFORMED, 1, "out of range 1..4294967295" },
	{ "max_opslimit sixteen", LIT("argon2_max_opslimit = sixteen"),
	  MP_MALFORMED, 1, "not a decimal number" },

	/* argon2_max_memlimit */
	{ "max_memlimit 4K", LIT("argon2_max_memlimit = 4K"), MP_MALFORMED, 1, "out of range" },
	{ "max_memlimit 5G", LIT("argon2_max_memlimit = 5G"), MP_MALFORMED, 1, "out of range" },
	{ "max_memlimit 4294967297", LIT("argon2_max_memlimit = 4294967297"),
	  MP_MALFORMED, 1, "out of range" },
	{ "max_memlimit 1.5G", LIT("argon2_max_memlimit = 1.5G"), MP_MALFORMED, 1, "not a size" },

	/* crypt_max_rounds */
	{ "crypt_max_rounds 0", LIT("crypt_max_rounds = 0"),
	  MP_MALFORMED, 1, "crypt_max_rounds: 0 is out of range 1000..999999999" },
	{ "crypt_max_rounds 999", LIT("# c\ncrypt_max_rounds = 999"),
	  MP_MALFORMED, 2, "crypt_max_rounds: 999 is out of range 1000..999999999" },
	{ "crypt_max_rounds 1000000000", LIT("crypt_max_rounds = 1000000000"),
	  MP_MALFORMED, 1, "out of range 1000..999999999" },
	{ "crypt_max_rounds overflowing", LIT("crypt_max_rounds = 99999999999999999999"),
	  MP_MALFORMED, 1, "crypt_max_rounds: 99999999999999999999 is out of range" },
	{ "crypt_max_rounds -1", LIT("crypt_max_rounds = -1"),
	  MP_MALFORMED, 1, "crypt_max_rounds: \"-1\" is not a decimal number" },
	{ "crypt_max_rounds 5000x", LIT("crypt_max_rounds = 5000x"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "crypt_max_rounds 5e6", LIT("crypt_max_rounds = 5e6"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "crypt_max_rounds 10M", LIT("crypt_max_rounds = 10M"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "crypt_max_rounds 1 000", LIT("crypt_max_rounds = 1 000"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "crypt_max_rounds empty", LIT("crypt_max_rounds ="),
	  MP_MALFORMED, 1, "empty value for \"crypt_max_rounds\"" },
	{ "crypt_max_rounds twice", LIT("crypt_max_rounds = 5000\ncrypt_max_rounds = 6000"),
	  MP_MALFORMED, 2, "\"crypt_max_rounds\" given twice (first on line 1)" },

	/* bcrypt_max_cost */
	{ "bcrypt_max_cost 0", LIT("bcrypt_max_cost = 0"),
	  MP_MALFORMED, 1, "bcrypt_max_cost: 0 is out of range 4..31" },
	{ "bcrypt_max_cost 3", LIT("bcrypt_max_cost = 3"),
	  MP_MALFORMED, 1, "bcrypt_max_cost: 3 is out of range 4..31" },
	{ "bcrypt_max_cost 32", LIT("bcrypt_max_cost = 32"),
	  MP_MALFORMED, 1, "bcrypt_max_cost: 32 is out of range 4..31" },
	{ "bcrypt_max_cost overflowing", LIT("bcrypt_max_cost = 18446744073709551616"),
	  MP_MALFORMED, 1, "out of range 4..31" },
	{ "bcrypt_max_cost over 32 bits", LIT("bcrypt_max_cost = 4294967300"),
	  MP_MALFORMED, 1, "out of range 4..31" },
	{ "bcrypt_max_cost twelve", LIT("bcrypt_max_cost = twelve"),
	  MP_MALFORMED, 1, "bcrypt_max_cost: \"twelve\" is not a decimal number" },
	{ "bcrypt_max_cost $2y$12", LIT("bcrypt_max_cost = $2y$12"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "bcrypt_max_cost 0x10", LIT("bcrypt_max_cost = 0x10"),
	  MP_MALFORMED, 1, "not a decimal number" },

	/* yescrypt_max_memlimit */
	{ "yescrypt_max_memlimit 0", LIT("yescrypt_max_memlimit = 0"),
	  MP_MALFORMED, 1, "yescrypt_max_memlimit: 0 is out of range" },
	{ "yescrypt_max_memlimit 8191", LIT("yescrypt_max_memlimit = 8191"),
	  MP_MALFORMED, 1, "yescrypt_max_memlimit: 8191 is out of range" },
	{ "yescrypt_max_memlimit 5G", LIT("yescrypt_max_memlimit = 5G"),
	  MP_MALFORMED, 1, "yescrypt_max_memlimit: 5G is out of range" },
	{ "yescrypt_max_memlimit overflowing", LIT("yescrypt_max_memlimit = 17179869184G"),
	  MP_MALFORMED, 1, "out of range" },
	{ "yescrypt_max_memlimit 1T", LIT("yescrypt_max_memlimit = 1T"),
	  MP_MALFORMED, 1, "yescrypt_max_memlimit: \"1T\" is not a size" },
	{ "yescrypt_max_memlimit 1.5G", LIT("yescrypt_max_memlimit = 1.5G"),
	  MP_MALFORMED, 1, "not a size" },
	{ "yescrypt_max_memlimit -1M", LIT("yescrypt_max_memlimit = -1M"),
	  MP_MALFORMED, 1, "not a size" },
	{ "yescrypt_max_memlimit 16 M", LIT("yescrypt_max_memlimit = 16 M"),
	  MP_MALFORMED, 1, "not a size" },

	/* pbkdf2_max_iterations */
	{ "pbkdf2_max_iterations 0", LIT("pbkdf2_max_iterations = 0"),
	  MP_MALFORMED, 1, "pbkdf2_max_iterations: 0 is out of range 1..4294967295" },
	{ "pbkdf2_max_iterations over 32 bits", LIT("pbkdf2_max_iterations = 4294967296"),
	  MP_MALFORMED, 1, "pbkdf2_max_iterations: 4294967296 is out of range 1..4294967295" },
	{ "pbkdf2_max_iterations overflowing", LIT("pbkdf2_max_iterations = 99999999999999999999"),
	  MP_MALFORMED, 1, "out of range" },
	{ "pbkdf2_max_iterations +5000", LIT("pbkdf2_max_iterations = +5000"),
	  MP_MALFORMED, 1, "pbkdf2_max_iterations: \"+5000\" is not a decimal number" },
	{ "pbkdf2_max_iterations 5000.0", LIT("pbkdf2_max_iterations = 5000.0"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "pbkdf2_max_iterations 10K", LIT("pbkdf2_max_iterations = 10K"),
	  MP_MALFORMED, 1, "not a decimal number" },
	{ "pbkdf2_max_iterations bad after a good line",
	  LIT("crypt_max_rounds = 5000\n\npbkdf2_max_iterations = many\n"),
	  MP_MALFORMED, 3, "pbkdf2_max_iterations: \"many\" is not a decimal number" },

	/* rehash */
	{ "rehash maybe", LIT("rehash = maybe"), MP_MALFORMED, 1, "\"maybe\" is not yes or no" },
	{ "rehash y", LIT("rehash = y"), MP_MALFORMED, 1, "not yes or no" },
	{ "rehash 2", LIT("rehash = 2"), MP_MALFORMED, 1, "not yes or no" },
	{ "rehash yes please", LIT("rehash = yes please"), MP_MALFORMED, 1, "not yes or no" },

	/* apop_key */
	{ "apop_key relative", LIT("apop_key = apop.key"),
	  MP_MALFORMED, 1, "\"apop.key\" is not an absolute path" },
	{ "apop_key with a tilde", LIT("apop_key = ~/apop.key"),
	  MP_MALFORMED, 1, "not an absolute path" },

	/* Cross-checks, done after the whole text is read. */
	{ "opslimit over the default ceiling", LIT("argon2_opslimit = 17"),
	  MP_MALFORMED, 1, "argon2_opslimit 17 exceeds argon2_max_opslimit 16" },
	{ "opslimit over a ceiling given before it",
	  LIT("argon2_max_opslimit = 4\nargon2_opslimit = 5\n"),
	  MP_MALFORMED, 2, "argon2_opslimit 5 exceeds argon2_max_opslimit 4" },
	{ "opslimit over a ceiling given after it",
	  LIT("argon2_opslimit = 5\nargon2_max_opslimit = 4\n"),
	  MP_MALFORMED, 1, "argon2_opslimit 5 exceeds argon2_max_opslimit 4" },
	{ "ceiling below the default opslimit", LIT("# c\nargon2_max_opslimit = 2\n"),
	  MP_MALFORMED, 2, "argon2_opslimit 3 exceeds argon2_max_opslimit 2" },
	{ "memlimit over the default ceiling", LIT("argon2_memlimit = 2G"),
	  MP_MALFORMED, 1, "argon2_memlimit 2147483648 exceeds argon2_max_memlimit 1073741824" },
	{ "memlimit over a ceiling given before it",
	  LIT("argon2_max_memlimit = 16M\nargon2_memlimit = 32M\n"),
	  MP_MALFORMED, 2, "exceeds argon2_max_memlimit 16777216" },
	{ "memlimit over a ceiling given after it",
	  LIT("argon2_memlimit = 32M\nargon2_max_memlimit = 16M\n"),
	  MP_MALFORMED, 1, "argon2_memlimit 33554432 exceeds" },
	{ "ceiling below the default memlimit", LIT("\n\n\nargon2_max_memlimit = 32M"),
	  MP_MALFORMED, 4, "argon2_memlimit 67108864 exceeds argon2_max_memlimit 33554432" },
	{ "ARGON2I with opslimit 2 after it", LIT("scheme = ARGON2I\nargon2_opslimit = 2\n"),
	  MP_MALFORMED, 2, "ARGON2I" },
	{ "ARGON2I alias with opslimit 2 before it", LIT("argon2_opslimit = 2\nscheme = argon2\n"),
	  MP_MALFORMED, 1, "ARGON2I" },
	{ "ARGON2ID with opslimit 2 is fine, ARGON2I is not",
	  LIT("argon2_opslimit = 2\nrehash = no\nscheme = ARGON2I\n"),
	  MP_MALFORMED, 1, "below 3" },
};

static void
test_parse_rows(void)
{
	for (size_t i = 0; i < N_ELEMENTS(parse_rows); i++) {
		const struct parse_row *row = &parse_rows[i];
		struct mp_conf conf, before;
		char error[MP_ERROR_MAX];
		enum mp_result got;

		mp_conf_defaults(&conf);
		memcpy(&before, &conf, sizeof(conf));
		memset(error, 'x', sizeof(error));
		got = mp_conf_parse(&conf, row->text, row->len, error, sizeof(error));
		MP_CHECK_RESULT(row->label, got, row->want);
		if (got == MP_OK && row->want == MP_OK) {
			MP_CHECK_STR(row->label, error, "");
			check_fields(row->label, &conf, row->want_str);
		} else if (got != MP_OK) {
			check_error(row->label, error, row->want_line, row->want_str);
			check_unchanged(row->label, &conf, &before);
		}
	}
}

/* mp_conf_parse applies the text on top of what conf already holds. */
static void
test_parse_on_top(void)
{
	struct mp_conf conf, before;
	char error[MP_ERROR_MAX];

	mp_conf_defaults(&conf);
	MP_CHECK_RESULT("first text", mp_conf_parse(&conf, LIT("rehash = no\napop_key = /k\n"),
						    error, sizeof(error)), MP_OK);
	/* A key of an earlier text may be given again in a later one. */
	MP_CHECK_RESULT("second text", mp_conf_parse(&conf, LIT("rehash = yes\n"),
						     error, sizeof(error)), MP_OK);
	check_fields("on top", &conf, "rehash=yes\napop_key=/k\nargon2_opslimit=3");

	/* The cross-checks take the earlier values into account. */
	MP_CHECK_RESULT("earlier ceiling", mp_conf_parse(&conf, LIT("argon2_max_opslimit = 4\n"),
							 error, sizeof(error)), MP_OK);
	memcpy(&before, &conf, sizeof(conf));
	MP_CHECK_RESULT("over the earlier ceiling",
			mp_conf_parse(&conf, LIT("\nargon2_opslimit = 5\n"), error, sizeof(error)),
			MP_MALFORMED);
	check_error("over the earlier ceiling", error, 2,
		    "argon2_opslimit 5 exceeds argon2_max_opslimit 4");
	check_unchanged("over the earlier ceiling", &conf, &before);

	/* A conf that is inconsistent before any line is read: no line to name. */
	mp_conf_defaults(&conf);
	conf.hash.argon2_opslimit = 20;
	memcpy(&before, &conf, sizeof(conf));
	MP_CHECK_RESULT("inconsistent start", mp_conf_parse(&conf, LIT("rehash = no\n"),
							    error, sizeof(error)), MP_MALFORMED);
	check_error("inconsistent start", error, 0, "argon2_opslimit 20 exceeds");
	CU_ASSERT(strncmp(error, "line", 4) != 0);
	check_unchanged("inconsistent start", &conf, &before);
}

/* The error buffer may be NULL or small; it is cleared on success. */
static void
test_error_buffer(void)
{
	struct mp_conf conf;
	char small[8], error[MP_ERROR_MAX];

	mp_conf_defaults(&conf);
	MP_CHECK_RESULT("NULL error buffer", mp_conf_parse(&conf, LIT("foo = 1"), NULL, 0),
			MP_MALFORMED);
	MP_CHECK_RESULT("small error buffer",
			mp_conf_parse(&conf, LIT("foo = 1"), small, sizeof(small)), MP_MALFORMED);
	MP_CHECK_STR("small error buffer", small, "line 1:");
	strcpy(error, "stale");
	MP_CHECK_RESULT("cleared on success", mp_conf_parse(&conf, LIT("rehash = no"), error,
							    sizeof(error)), MP_OK);
	MP_CHECK_STR("cleared on success", error, "");
	MP_CHECK_RESULT("NULL text of length 0", mp_conf_parse(&conf, NULL, 0, error,
							       sizeof(error)), MP_OK);
	check_fields("NULL text of length 0", &conf, "rehash=no");
}

/* fill - text of len bytes: prefix, then fill characters. */
static char *
fill(const char *prefix, char c, size_t len, const char *suffix)
{
	size_t plen = strlen(prefix), slen = strlen(suffix);
	char *text = malloc(len + slen + 1);

	CU_ASSERT_FATAL(text != NULL && len >= plen);
	memcpy(text, prefix, plen);
	memset(text + plen, c, len - plen);
	memcpy(text + len, suffix, slen + 1);
	return text;
}

static void
test_long_lines(void)
{
	static const struct {
		const char *label;
		const char *before;	/* lines ahead of the long one */
		const char *prefix;	/* start of the long line */
		size_t len;		/* its length without the line end */
		const char *end;	/* its line end */
		enum mp_result want;
		unsigned int want_line;
		const char *want_str;
	} rows[] = {
		{ "comment of MP_LINE_MAX bytes", "rehash = no\n", "#", MP_LINE_MAX, "\n",
		  MP_OK, 0, "rehash=no" },
		{ "comment of MP_LINE_MAX bytes before CRLF", "rehash = no\r\n", "#", MP_LINE_MAX,
		  "\r\n", MP_OK, 0, "rehash=no" },
		{ "comment of MP_LINE_MAX + 1 bytes", "rehash = no\n", "#", MP_LINE_MAX + 1, "\n",
		  MP_MALFORMED, 2, "longer than 8192 bytes" },
		{ "last line of MP_LINE_MAX + 1 bytes", "\n", "#", MP_LINE_MAX + 1, "",
		  MP_MALFORMED, 2, "longer than 8192 bytes" },
		{ "value line of MP_LINE_MAX + 1 bytes", "", "apop_key = /", MP_LINE_MAX + 1, "\n",
		  MP_MALFORMED, 1, "longer than 8192 bytes" },
		{ "blanks make a line too long", "", "rehash = no", MP_LINE_MAX + 1, "\n",
		  MP_MALFORMED, 1, "longer than 8192 bytes" },
		{ "trailing blanks up to MP_LINE_MAX", "", "rehash = no", MP_LINE_MAX, "\n",
		  MP_OK, 0, "rehash=no" },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		struct mp_conf conf, before;
		char error[MP_ERROR_MAX], *line, *text;
		size_t blen = strlen(rows[i].before);
		enum mp_result got;

		line = fill(rows[i].prefix, rows[i].prefix[0] == '#' ? 'x' : ' ',
			    rows[i].len, rows[i].end);
		if (strncmp(rows[i].prefix, "apop_key", 8) == 0)
			memset(line + strlen(rows[i].prefix), 'k', rows[i].len - strlen(rows[i].prefix));
		text = malloc(blen + strlen(line) + 1);
		CU_ASSERT_FATAL(text != NULL);
		memcpy(text, rows[i].before, blen);
		strcpy(text + blen, line);

		mp_conf_defaults(&conf);
		memcpy(&before, &conf, sizeof(conf));
		got = mp_conf_parse(&conf, text, strlen(text), error, sizeof(error));
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got == MP_OK && rows[i].want == MP_OK) {
			check_fields(rows[i].label, &conf, rows[i].want_str);
		} else if (got != MP_OK) {
			check_error(rows[i].label, error, rows[i].want_line, rows[i].want_str);
			check_unchanged(rows[i].label, &conf, &before);
		}
		free(line);
		free(text);
	}
}

/* Paths and the store fit their fields exactly or are refused, never cut. */
static void
test_path_lengths(void)
{
	const size_t store_max = sizeof(((struct mp_conf *)NULL)->store) - 1;
	const struct {
		const char *label;
		const char *prefix;	/* "key = value start" */
		size_t value_len;	/* length of the value after "key = " */
		enum mp_result want;
		const char *want_str;
	} rows[] = {
		{ "store file: path of MP_PATH_MAX - 1", "store = file:/", 5 + MP_PATH_MAX - 1,
		  MP_OK, NULL },
		{ "store file: path of MP_PATH_MAX", "store = file:/", 5 + MP_PATH_MAX,
		  MP_MALFORMED, "store: path longer than 4095 bytes" },
		{ "store other backend filling the field", "store = sql:", store_max,
		  MP_OK, NULL },
		{ "store other backend over the field", "store = sql:", store_max + 1,
		  MP_MALFORMED, "store: longer than" },
		{ "apop_key of MP_PATH_MAX - 1", "apop_key = /", MP_PATH_MAX - 1, MP_OK, NULL },
		{ "apop_key of MP_PATH_MAX", "apop_key = /", MP_PATH_MAX,
		  MP_MALFORMED, "apop_key: path longer than 4095 bytes" },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		size_t key_len = (size_t)(strchr(rows[i].prefix, '=') - rows[i].prefix) + 2;
		char *text = fill(rows[i].prefix, 'p', key_len + rows[i].value_len, "\n");
		struct mp_conf conf, before;
		char error[MP_ERROR_MAX];
		const char *field;
		enum mp_result got;

		mp_conf_defaults(&conf);
		memcpy(&before, &conf, sizeof(conf));
		got = mp_conf_parse(&conf, text, strlen(text), error, sizeof(error));
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got == MP_OK && rows[i].want == MP_OK) {
			field = rows[i].prefix[0] == 's' ? conf.store : conf.apop_key;
			CU_ASSERT(strlen(field) == rows[i].value_len);
			CU_ASSERT(strncmp(field, text + key_len, rows[i].value_len) == 0);
		} else if (got != MP_OK) {
			check_error(rows[i].label, error, 1, rows[i].want_str);
			check_unchanged(rows[i].label, &conf, &before);
		}
		free(text);
	}
}

/* Every row of the scheme table: accepted as "scheme" exactly when it can make strong hashes. */
static void
test_scheme_table(void)
{
	const struct mp_scheme *table;
	size_t count;

	table = mp_scheme_table(&count);
	CU_ASSERT_FATAL(count > 0);
	for (size_t i = 0; i < count; i++) {
		const struct mp_scheme *row = &table[i];
		const struct mp_scheme *canonical = mp_scheme_canonical(row);
		struct mp_conf conf, before;
		char text[128], error[MP_ERROR_MAX], label[160];
		enum mp_result got;
		size_t len;

		len = (size_t)snprintf(text, sizeof(text), "scheme = %s\n", row->name);
		/* Look the name up in lower case: names are case-insensitive. */
		for (size_t j = 9; j < len; j++) {
			if (text[j] >= 'A' && text[j] <= 'Z')
				text[j] = (char)(text[j] - 'A' + 'a');
		}
		snprintf(label, sizeof(label), "scheme %s", row->name);
		mp_conf_defaults(&conf);
		memcpy(&before, &conf, sizeof(conf));
		got = mp_conf_parse(&conf, text, len, error, sizeof(error));
		if (row->weak || canonical->weak) {
			MP_CHECK_RESULT(label, got, MP_MALFORMED);
			check_error(label, error, 1, "is weak; use ARGON2ID");
			check_unchanged(label, &conf, &before);
		} else if (row->generate == NULL || canonical->generate == NULL) {
			MP_CHECK_RESULT(label, got, MP_MALFORMED);
			check_error(label, error, 1, "cannot generate hashes");
			check_unchanged(label, &conf, &before);
		} else {
			MP_CHECK_RESULT(label, got, MP_OK);
			CU_ASSERT_PTR_EQUAL(conf.scheme, canonical);
			CU_ASSERT(conf.scheme != NULL && conf.scheme->alias_of == NULL);
		}
	}
}

/*
 * mp_conf_load_zeroed into a calloc'd conf gives, byte for byte and error
 * for error, what mp_conf_load gives; on failure only the result counts.
 */
static void
test_load_zeroed(void)
{
	static const struct {
		const char *label, *text;	/* text NULL: no file */
		enum mp_result result;
	} rows[] = {
		{ "every key", "store = file:/srv/mail/passwd\nscheme = ARGON2I\n"
		  "argon2_opslimit = 4\nrehash = no\napop_key = /etc/k\nstore_owner = mail\n",
		  MP_OK },
		{ "empty file", "", MP_OK },
		{ "no final newline", "rehash = no", MP_OK },
		{ "malformed", "rehash = no\nfoo = 1\n", MP_MALFORMED },
		{ "cross-check", "argon2_opslimit = 20\n", MP_MALFORMED },
		{ "missing file", NULL, MP_UNAVAILABLE },
	};
	char path[1200], error[MP_ERROR_MAX], want_error[MP_ERROR_MAX];
	struct mp_conf want, *got;
	size_t i;

	snprintf(path, sizeof(path), "%s/zeroed.conf", mp_test_tmpdir());
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		(void)unlink(path);
		if (rows[i].text != NULL)
			CU_ASSERT_FATAL(mp_test_write_file(path, rows[i].text, 0644));
		mp_conf_defaults(&want);
		MP_CHECK_RESULT(rows[i].label,
				mp_conf_load(&want, path, want_error, sizeof(want_error)),
				rows[i].result);
		got = calloc(1, sizeof(*got));
		CU_ASSERT_FATAL(got != NULL);
		MP_CHECK_RESULT(rows[i].label, mp_conf_load_zeroed(got, path, error, sizeof(error)),
				rows[i].result);
		MP_CHECK_STR(rows[i].label, error, want_error);
		if (rows[i].result == MP_OK && memcmp(got, &want, sizeof(want)) != 0)
			CU_FAIL("mp_conf_load_zeroed differs from mp_conf_load");
		free(got);
	}
	MP_CHECK_RESULT("no conf", mp_conf_load_zeroed(NULL, path, error, sizeof(error)),
			MP_UNAVAILABLE);
	MP_CHECK_STR("no conf", error, "no configuration file given");
	(void)unlink(path);
}

static void
test_load(void)
{
	char dir[1024], path[1200], want[1400], error[MP_ERROR_MAX], *big;
	struct mp_conf conf, before;
	size_t len;

	snprintf(dir, sizeof(dir), "%s", mp_test_tmpdir());

	/* A missing file: UNAVAILABLE, the conf untouched. */
	mp_conf_defaults(&conf);
	conf.rehash = false;
	memcpy(&before, &conf, sizeof(conf));
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	MP_CHECK_RESULT("missing file", mp_conf_load(&conf, path, error, sizeof(error)),
			MP_UNAVAILABLE);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(ENOENT));
	MP_CHECK_STR("missing file", error, want);
	check_unchanged("missing file", &conf, &before);

	/* A directory opens, but is not a configuration file. */
	MP_CHECK_RESULT("directory", mp_conf_load(&conf, dir, error, sizeof(error)),
			MP_UNAVAILABLE);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	MP_CHECK_STR("directory", error, want);
	check_unchanged("directory", &conf, &before);

	/* A FIFO is refused without blocking on it. */
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
	MP_CHECK_RESULT("fifo", mp_conf_load(&conf, path, error, sizeof(error)), MP_UNAVAILABLE);
	CU_ASSERT(strstr(error, "not a regular file") != NULL);
	check_unchanged("fifo", &conf, &before);

	/* A real file: defaults first, then the file. */
	snprintf(path, sizeof(path), "%s/mailpass.conf", dir);
	CU_ASSERT_FATAL(mp_test_write_file(path, "# mailpass.conf\n"
					   "store = file:/srv/mail/passwd\n"
					   "argon2_opslimit = 4\n", 0644));
	mp_conf_defaults(&conf);
	conf.rehash = false;
	snprintf(conf.apop_key, sizeof(conf.apop_key), "/old/key");
	MP_CHECK_RESULT("real file", mp_conf_load(&conf, path, error, sizeof(error)), MP_OK);
	MP_CHECK_STR("real file", error, "");
	check_fields("real file", &conf, "store=file:/srv/mail/passwd\nargon2_opslimit=4\n"
		     "rehash=yes\napop_key=\nscheme=ARGON2ID");

	/* An empty file is the defaults. */
	CU_ASSERT_FATAL(mp_test_write_file(path, "", 0644));
	MP_CHECK_RESULT("empty file", mp_conf_load(&conf, path, error, sizeof(error)), MP_OK);
	check_fields("empty file", &conf, DEFAULT_FIELDS);

	/* A malformed file: the path, then the line. */
	CU_ASSERT_FATAL(mp_test_write_file(path, "rehash = no\nfoo = 1\n", 0644));
	memcpy(&before, &conf, sizeof(conf));
	MP_CHECK_RESULT("malformed file", mp_conf_load(&conf, path, error, sizeof(error)),
			MP_MALFORMED);
	snprintf(want, sizeof(want), "%s: line 2: unknown key \"foo\"", path);
	MP_CHECK_STR("malformed file", error, want);
	check_unchanged("malformed file", &conf, &before);

	/* An unreadable file (root reads it anyway, so only as another user). */
	CU_ASSERT_FATAL(mp_test_write_file(path, "rehash = no\n", 0));
	if (geteuid() != 0) {
		MP_CHECK_RESULT("unreadable file", mp_conf_load(&conf, path, error, sizeof(error)),
				MP_UNAVAILABLE);
		snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(EACCES));
		MP_CHECK_STR("unreadable file", error, want);
		check_unchanged("unreadable file", &conf, &before);
	}

	/* Exactly 1 MiB of comments is read; one byte more is refused. */
	big = malloc(CONF_FILE_MAX + 2);
	CU_ASSERT_FATAL(big != NULL);
	for (len = 0; len < CONF_FILE_MAX; len += 1024) {
		memset(big + len, 'x', 1024);
		big[len] = '#';
		big[len + 1023] = '\n';
	}
	big[len] = '\0';
	CU_ASSERT_FATAL(mp_test_write_file(path, big, 0644));
	MP_CHECK_RESULT("1 MiB file", mp_conf_load(&conf, path, error, sizeof(error)), MP_OK);
	big[len] = '\n';
	big[len + 1] = '\0';
	CU_ASSERT_FATAL(mp_test_write_file(path, big, 0644));
	memcpy(&before, &conf, sizeof(conf));
	MP_CHECK_RESULT("1 MiB + 1 file", mp_conf_load(&conf, path, error, sizeof(error)),
			MP_MALFORMED);
	snprintf(want, sizeof(want), "%s: larger than", path);
	CU_ASSERT(strncmp(error, want, strlen(want)) == 0);
	check_unchanged("1 MiB + 1 file", &conf, &before);
	free(big);

	/* No path, no buffer. */
	MP_CHECK_RESULT("NULL path", mp_conf_load(&conf, NULL, NULL, 0), MP_UNAVAILABLE);
}

static void
test_parse_size(void)
{
	static const struct {
		const char *in;
		bool want;
		size_t want_bytes;
	} rows[] = {
		{ "65536", true, 65536 },
		{ "0", true, 0 },
		{ "007", true, 7 },
		{ "64K", true, 65536 },
		{ "64k", true, 65536 },
		{ "64M", true, 67108864 },
		{ "64m", true, 67108864 },
		{ "1G", true, 1073741824 },
		{ "1g", true, 1073741824 },
		{ "3G", true, (size_t)3 << 30 },
		{ "0K", true, 0 },
#if SIZE_MAX > 0xffffffffU
		{ "4G", true, (size_t)4 << 30 },
		{ "18446744073709551615", true, SIZE_MAX },
		{ "17179869183G", true, (size_t)17179869183 << 30 },
#else
		{ "4294967295", true, SIZE_MAX },
		{ "4G", false, 0 },
		{ "4294967296", false, 0 },
#endif
		{ "18446744073709551616", false, 0 },
		{ "17179869184G", false, 0 },
		{ "99999999999999999999999", false, 0 },
		{ "", false, 0 },
		{ "K", false, 0 },
		{ "64KB", false, 0 },
		{ "64KiB", false, 0 },
		{ "64 K", false, 0 },
		{ " 64", false, 0 },
		{ "64 ", false, 0 },
		{ "-1", false, 0 },
		{ "+1", false, 0 },
		{ "1T", false, 0 },
		{ "1.5G", false, 0 },
		{ "0x10", false, 0 },
		{ "1e6", false, 0 },
		{ "64KK", false, 0 },
	};

	for (size_t i = 0; i < N_ELEMENTS(rows); i++) {
		size_t bytes = 12345;
		bool got = mp_parse_size(rows[i].in, &bytes);

		if (got != rows[i].want || bytes != rows[i].want_bytes)
			fprintf(stderr, "\n  mp_parse_size(\"%s\"): got %s %zu, want %s %zu\n",
				rows[i].in, got ? "true" : "false", bytes,
				rows[i].want ? "true" : "false", rows[i].want_bytes);
		CU_ASSERT(got == rows[i].want);
		CU_ASSERT(bytes == rows[i].want_bytes);
	}
	CU_ASSERT(!mp_parse_size(NULL, &(size_t){ 0 }));
	CU_ASSERT(!mp_parse_size("64K", NULL));
}

void
mp_test_register_conf(void)
{
	CU_pSuite suite = CU_add_suite("conf", NULL, NULL);

	CU_add_test(suite, "defaults", test_defaults);
	CU_add_test(suite, "parse table", test_parse_rows);
	CU_add_test(suite, "parse on top of a conf", test_parse_on_top);
	CU_add_test(suite, "error buffer", test_error_buffer);
	CU_add_test(suite, "long lines", test_long_lines);
	CU_add_test(suite, "path lengths", test_path_lengths);
	CU_add_test(suite, "every scheme of the table", test_scheme_table);
	CU_add_test(suite, "load", test_load);
	CU_add_test(suite, "load into a zeroed conf", test_load_zeroed);
	CU_add_test(suite, "mp_parse_size", test_parse_size);
}
