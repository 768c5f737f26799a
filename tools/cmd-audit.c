/*
 * cmd-audit.c - "mailpass audit": what the store holds, without a secret:
 * users per scheme, weak hashes, hashes that the next login upgrades,
 * locked and disabled accounts, APOP secrets (sealed or cleartext) and
 * malformed records.  Human-readable, or one JSON object with --json whose
 * keys are documented in mailpass(1) and never change meaning within a
 * "version".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apop-secret.h"
#include "cli.h"
#include "entry.h"
#include "scheme.h"
#include "secret.h"
#include "store.h"

#define AUDIT_JSON_VERSION 1

struct audit {
	const struct mp_conf *conf;

	unsigned long users;
	unsigned long *per_scheme;	/* indexed like the scheme table */
	const struct mp_scheme *table;
	size_t scheme_count;
	unsigned long weak;
	unsigned long rehash_pending;
	unsigned long locked;
	unsigned long disabled;
	unsigned long no_password;
	unsigned long apop_sealed, apop_plain, apop_none, apop_malformed;
	unsigned long bad_lines, bad_values, duplicates;

	char **names;			/* every user, for the duplicate count */
	size_t name_count, name_alloc;
	bool out_of_memory;
};

static void
audit_usage(FILE *out)
{
	fprintf(out,
		"usage: mailpass [-c CONF] audit [--json]\n"
		"\n"
		"Count what the store holds: users per scheme, weak hashes, hashes that\n"
		"the next right password upgrades (rehash), locked and disabled accounts,\n"
		"APOP secrets (sealed or cleartext) and malformed records.  No secret and\n"
		"no stored value is printed.\n"
		"\n"
		"  --json      one JSON object (keys in mailpass(1)), \"version\": %d\n"
		"  -h, --help  show this help\n"
		"\n"
		"Exit status: 0 done (whatever was found); 2 the configuration or the\n"
		"store cannot be read.\n", AUDIT_JSON_VERSION);
}

static void
remember_name(struct audit *audit, const char *name)
{
	char **names;
	size_t alloc;

	if (audit->out_of_memory)
		return;
	if (audit->name_count == audit->name_alloc) {
		alloc = audit->name_alloc == 0 ? 256 : audit->name_alloc * 2;
		names = reallocarray(audit->names, alloc, sizeof(*names));
		if (names == NULL) {
			audit->out_of_memory = true;
			return;
		}
		audit->names = names;
		audit->name_alloc = alloc;
	}
	names = audit->names;
	names[audit->name_count] = strdup(name);
	if (names[audit->name_count] == NULL)
		audit->out_of_memory = true;
	else
		audit->name_count++;
}

static void
count_scheme(struct audit *audit, const struct mp_scheme *scheme)
{
	scheme = mp_scheme_canonical(scheme);
	for (size_t i = 0; i < audit->scheme_count; i++) {
		if (&audit->table[i] == scheme) {
			audit->per_scheme[i]++;
			return;
		}
	}
}

/* audit_password - the stored value: scheme, weakness, pending rehash. */
static void
audit_password(struct audit *audit, const struct mp_entry *entry)
{
	const char *stored = mp_entry_password(entry), *reason = "";
	bool locked = mp_entry_is_locked(entry);
	const struct mp_scheme *scheme = NULL;

	if (locked)
		audit->locked++;
	stored += strspn(stored, "!*");
	if (*stored == '\0') {
		if (!locked)
			audit->no_password++;
		return;
	}
	/* Unusable as a login judges it, as "mailpass check" reports it. */
	if (cli_stored_check(stored, mp_entry_user(entry), &audit->conf->limits, &scheme,
			     &reason) != MP_OK) {
		audit->bad_values++;
		return;
	}
	count_scheme(audit, scheme);
	if (scheme->weak)
		audit->weak++;
	/* Only an account that can log in gets its hash upgraded. */
	if (!mp_entry_is_disabled(entry) &&
	    mp_scheme_needs_rehash(stored, 0, audit->conf->scheme, &audit->conf->hash))
		audit->rehash_pending++;
}

/* audit_apop - the form of the APOP secret; a cleartext one must decode. */
static void
audit_apop(struct audit *audit, const struct mp_entry *entry)
{
	const char *reason;

	switch (mp_apop_secret_form(mp_entry_extra(entry, "apop"), &reason)) {
	case MP_APOP_NONE:
		audit->apop_none++;
		break;
	case MP_APOP_SEALED:
		audit->apop_sealed++;
		break;
	case MP_APOP_CLEARTEXT:
		audit->apop_plain++;
		break;
	case MP_APOP_UNUSABLE:
		audit->apop_malformed++;
		break;
	}
}

static int
audit_line(const struct mp_entry *entry, unsigned long line_no, const char *reason,
	   void *context)
{
	struct audit *audit = context;

	if (entry == NULL) {
		audit->bad_lines++;
		return 0;
	}
	audit->users++;
	remember_name(audit, mp_entry_user(entry));
	if (mp_entry_extra(entry, "nologin") != NULL)
		audit->disabled++;
	audit_password(audit, entry);
	audit_apop(audit, entry);
	return 0;
}

static int
name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* count_duplicates - user names found on more than one line. */
static void
count_duplicates(struct audit *audit)
{
	size_t i, j;

	qsort(audit->names, audit->name_count, sizeof(*audit->names), name_compare);
	for (i = 0; i < audit->name_count; i = j) {
		for (j = i + 1; j < audit->name_count &&
		     strcmp(audit->names[i], audit->names[j]) == 0; j++)
			;
		if (j - i > 1)
			audit->duplicates++;
	}
}

/*
 * utf8_sequence - the length of the well-formed UTF-8 sequence at p (RFC
 * 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 * p is NUL-terminated, which ends any sequence it cuts short.
 */
static size_t
utf8_sequence(const unsigned char *p)
{
	size_t len;
	unsigned char low = 0x80, high = 0xbf;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf) {
		len = 2;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		len = 3;
		if (*p == 0xe0)
			low = 0xa0;		/* overlong below U+0800 */
		else if (*p == 0xed)
			high = 0x9f;		/* surrogates U+D800..U+DFFF */
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		len = 4;
		if (*p == 0xf0)
			low = 0x90;		/* overlong below U+10000 */
		else if (*p == 0xf4)
			high = 0x8f;		/* above U+10FFFF */
	} else {
		return 0;
	}
	if (p[1] < low || p[1] > high)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return len;
}

/*
 * json_string - s as a JSON string: well-formed UTF-8 as it is; the
 * quote, the backslash and control characters (below 0x20, and 0x7f)
 * escaped; each byte that is not part of well-formed UTF-8 as the escape
 * of U+FFFD, the replacement character (mailpass(1), AUDIT JSON).
 */
static void
json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	putchar('"');
	while (*p != '\0') {
		len = utf8_sequence(p);
		if (len == 0) {
			fputs("\\ufffd", stdout);
			p++;
		} else if (*p == '"' || *p == '\\') {
			printf("\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p++);
		} else {
			fwrite(p, 1, len, stdout);
			p += len;
		}
	}
	putchar('"');
}

static void
print_json(const struct audit *audit, const char *store_name)
{
	const char *separator = "";

	printf("{\n  \"version\": %d,\n  \"store\": ", AUDIT_JSON_VERSION);
	json_string(store_name);
	printf(",\n  \"users\": %lu,\n  \"schemes\": {", audit->users);
	for (size_t i = 0; i < audit->scheme_count; i++) {
		if (audit->per_scheme[i] == 0)
			continue;
		printf("%s", separator);
		json_string(audit->table[i].name);
		printf(": %lu", audit->per_scheme[i]);
		separator = ", ";
	}
	printf("},\n  \"weak\": %lu,\n", audit->weak);
	printf("  \"rehash\": {\"enabled\": %s, \"scheme\": ",
	       audit->conf->rehash ? "true" : "false");
	json_string(mp_scheme_canonical(audit->conf->scheme)->name);
	printf(", \"pending\": %lu},\n", audit->rehash_pending);
	printf("  \"locked\": %lu,\n  \"disabled\": %lu,\n  \"no_password\": %lu,\n",
	       audit->locked, audit->disabled, audit->no_password);
	printf("  \"apop\": {\"sealed\": %lu, \"plain\": %lu, \"none\": %lu, "
	       "\"malformed\": %lu},\n", audit->apop_sealed, audit->apop_plain,
	       audit->apop_none, audit->apop_malformed);
	printf("  \"malformed\": {\"lines\": %lu, \"values\": %lu, \"duplicates\": %lu}\n}\n",
	       audit->bad_lines, audit->bad_values, audit->duplicates);
}

static const char *
plural(unsigned long n)
{
	return n == 1 ? "" : "s";
}

static void
print_text(const struct audit *audit, const char *store_name)
{
	const char *target = mp_scheme_canonical(audit->conf->scheme)->name;
	bool any = false;

	printf("store: %s\n", store_name);
	printf("users: %lu\n", audit->users);
	printf("schemes:\n");
	for (size_t i = 0; i < audit->scheme_count; i++) {
		if (audit->per_scheme[i] == 0)
			continue;
		printf("  %-20s %8lu%s\n", audit->table[i].name, audit->per_scheme[i],
		       audit->table[i].weak ? "  (weak)" : "");
		any = true;
	}
	if (!any)
		printf("  (none)\n");
	printf("weak hashes: %lu\n", audit->weak);
	if (audit->conf->rehash)
		printf("rehash pending: %lu (the next right password upgrades each to %s)\n",
		       audit->rehash_pending, target);
	else
		printf("rehash pending: %lu (to %s; but rehash = no)\n", audit->rehash_pending,
		       target);
	printf("locked: %lu\n", audit->locked);
	printf("disabled (nologin): %lu\n", audit->disabled);
	printf("no password: %lu\n", audit->no_password);
	printf("apop secrets: %lu sealed, %lu cleartext, %lu malformed; %lu user%s without\n",
	       audit->apop_sealed, audit->apop_plain, audit->apop_malformed,
	       audit->apop_none, plural(audit->apop_none));
	printf("malformed: %lu line%s, %lu stored value%s, %lu duplicate user%s\n",
	       audit->bad_lines, plural(audit->bad_lines), audit->bad_values,
	       plural(audit->bad_values), audit->duplicates, plural(audit->duplicates));
}

int
cmd_audit(struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit audit = { .users = 0 };
	struct mp_auth *auth = NULL;
	struct mp_store *store;
	struct mp_conf conf;
	const char *reason = "", *store_name;
	enum mp_result result;
	bool json = false;
	int opt, status = CLI_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			audit_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_getopt_error("audit", opt, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("audit", "audit takes no arguments");
	if (!cli_open_store(ctx, &conf, &auth))
		return CLI_EXIT_ERROR;
	store = mp_auth_store(auth);
	store_name = cli_store_name(store, &conf);
	audit.conf = &conf;
	audit.table = mp_scheme_table(&audit.scheme_count);
	audit.per_scheme = calloc(audit.scheme_count + 1, sizeof(*audit.per_scheme));
	if (audit.per_scheme == NULL) {
		cli_error("out of memory");
		goto out;
	}
	result = mp_store_iterate(store, audit_line, &audit, &reason);
	if (result != MP_OK) {
		cli_error("%s: %s", store_name, *reason != '\0' ? reason : mp_result_name(result));
		goto out;
	}
	if (audit.out_of_memory) {
		cli_error("out of memory");
		goto out;
	}
	count_duplicates(&audit);
	if (json)
		print_json(&audit, store_name);
	else
		print_text(&audit, store_name);
	status = CLI_EXIT_OK;
out:
	for (size_t i = 0; i < audit.name_count; i++)
		free(audit.names[i]);
	free(audit.names);
	free(audit.per_scheme);
	mp_auth_close(&auth);
	return status;
}
