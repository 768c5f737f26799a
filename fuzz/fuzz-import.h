/*
 * fuzz-import.h - what the importer targets (fuzz-import-*.c) share: a
 * job with the options of one run of "mailpass import", and the checks
 * every item must pass after a record parser of tools/import-*.c has seen
 * one record.
 *
 * The checks are the importer's contract (tools/import.h): an item is
 * PENDING with a valid user name and a record that formats to a line the
 * store reads back as the same user, with a password field that is a lock
 * mark, a stored value the scheme table parses, or empty with a cleartext
 * to hash; or it is REJECTED or SKIPPED with a reason, or FILTERED, and
 * holds no secret.  A failed check aborts, which libFuzzer reports.
 */
#ifndef MP_FUZZ_IMPORT_H
#define MP_FUZZ_IMPORT_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "import.h"
#include "mp-limits.h"
#include "scheme.h"

/* The users of --users in the runs that filter: sorted, as cmd-import.c keeps them. */
static char fuzz_import_user_a[] = "alice", fuzz_import_user_b[] = "bob";
static char *fuzz_import_users[] = { fuzz_import_user_a, fuzz_import_user_b };

struct fuzz_import {
	struct import_options opt;
	struct import_job job;
	bool users_seen[2];
};

/* fuzz_import_init - a job of format; with filter, --users alice,bob. */
static void
fuzz_import_init(struct fuzz_import *f, enum import_format format, bool filter)
{
	memset(f, 0, sizeof(*f));
	f->opt.format = format;
	f->opt.path = "fuzz-input";
	if (filter) {
		f->opt.users = fuzz_import_users;
		f->opt.user_count = 2;
	}
	f->job.opt = &f->opt;
	f->job.users_seen = f->users_seen;
}

/* fuzz_import_check_stored - a password field the importer may write. */
static void
fuzz_import_check_stored(const char *field)
{
	struct mp_stored parsed;
	const char *reason = NULL;
	const char *value = field + strspn(field, "!*");

	/* A lock mark alone is a locked account without a hash. */
	if (*value == '\0')
		return;
	if (mp_stored_parse(value, strlen(value), &parsed, &reason) != MP_OK)
		abort();	/* a value the verifier could not use */
	mp_stored_clear(&parsed);
}

/* fuzz_import_check_pending - the record of a PENDING item. */
static void
fuzz_import_check_pending(const struct import_item *item)
{
	struct mp_entry *back = NULL;
	const char *reason = NULL;
	char *line;

	if (item->user == NULL || item->entry == NULL)
		abort();	/* pending without a user or a record */
	if (mp_user_name_check(item->user, strlen(item->user), &reason) != MP_OK ||
	    item->user[0] == '#')
		abort();	/* a name the store cannot hold */
	if (strcmp(mp_entry_user(item->entry), item->user) != 0)
		abort();	/* the record names another user */
	if (item->hash_cleartext) {
		if (item->cleartext == NULL || item->cleartext_len == 0 ||
		    item->cleartext_len > MP_PASSWORD_MAX ||
		    memchr(item->cleartext, '\0', item->cleartext_len) != NULL)
			abort();	/* nothing valid to hash */
	} else {
		if (mp_entry_password(item->entry)[0] == '\0')
			abort();	/* an empty password field would be written */
		fuzz_import_check_stored(mp_entry_password(item->entry));
		if (item->cleartext != NULL &&
		    (item->cleartext_len == 0 || item->cleartext_len > MP_PASSWORD_MAX))
			abort();	/* an APOP secret out of bounds */
	}
	line = mp_entry_format(item->entry);
	if (line == NULL)
		abort();
	if (mp_entry_parse(line, strlen(line), &back, &reason) != MP_OK ||
	    strcmp(mp_entry_user(back), item->user) != 0 ||
	    strcmp(mp_entry_password(back), mp_entry_password(item->entry)) != 0)
		abort();	/* the store would read another record back */
	mp_entry_free(&back);
	free(line);
}

/* fuzz_import_check - every item of the job; then they are freed. */
static void
fuzz_import_check(struct fuzz_import *f, size_t want_items)
{
	if (f->job.failed || f->job.count != want_items)
		abort();	/* out of memory, or not one item per record */
	for (size_t i = 0; i < f->job.count; i++) {
		struct import_item *item = &f->job.items[i];

		switch (item->outcome) {
		case IMPORT_PENDING:
			fuzz_import_check_pending(item);
			break;
		case IMPORT_REJECTED:
		case IMPORT_SKIPPED:
			if (item->reason == NULL || item->reason[0] == '\0')
				abort();	/* refused without saying why */
			/* fall through */
		case IMPORT_FILTERED:
			if (item->entry != NULL || item->cleartext != NULL)
				abort();	/* a secret kept for nothing */
			break;
		default:
			abort();	/* only the store decides the other outcomes */
		}
		import_item_free(item);
	}
	free(f->job.items);
	f->job.items = NULL;
	f->job.count = f->job.alloc = 0;
}

/*
 * fuzz_import_line - run fn on data[0..size) as import_read_lines() would
 * pass it: inputs it never passes (a NUL byte, a line end, over
 * MP_LINE_MAX) are not lines and are left out.
 */
static void
fuzz_import_line(struct fuzz_import *f, import_line_fn *fn, const unsigned char *data,
		 size_t size)
{
	struct import_item *item;
	char *line;

	if (size > MP_LINE_MAX || memchr(data, '\0', size) != NULL ||
	    memchr(data, '\n', size) != NULL)
		return;
	line = malloc(size + 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	item = import_item_new(&f->job, 1);
	if (item == NULL)
		abort();
	fn(&f->job, item, line, size);
	free(line);
	fuzz_import_check(f, 1);
}

#endif
