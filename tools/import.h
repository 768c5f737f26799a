#ifndef MP_IMPORT_H
#define MP_IMPORT_H

/*
 * "mailpass import": what cmd-import.c (the command and its options) shares
 * with the readers of each input format (import-dovecot.c,
 * import-htpasswd.c, import-shadow.c, import-sasldb.c with
 * import-sasldb-record.c) and with the files
 * of its other steps: import-item.c (the items), import-input.c (reading
 * text input), import-write.c (the store) and import-report.c (what the
 * user sees).
 *
 * A reader turns every line (or database record) of the input into one
 * item: a record to write for a user (IMPORT_PENDING), or an item that is
 * skipped, filtered or rejected with its reason.  import-write.c then
 * decides each pending item against the store (new, replaced or left
 * alone) and writes all the changes in one mp_store_edit_batch();
 * import-report.c reports every item that was not imported, with its line
 * number.
 */

#include <stdbool.h>
#include <stddef.h>

#include "apop-secret.h"
#include "cli.h"
#include "conf.h"
#include "entry.h"
#include "scheme.h"
#include "store.h"

enum import_format {
	IMPORT_DOVECOT = 0,
	IMPORT_HTPASSWD,
	IMPORT_SHADOW,
	IMPORT_SASLDB,
};

/* What became of one line of the input. */
enum import_outcome {
	IMPORT_PENDING = 0,	/* a valid record; the store decides */
	IMPORT_IMPORTED,	/* a new user was added */
	IMPORT_REPLACED,	/* an existing user was replaced (--replace) */
	IMPORT_EXISTING,	/* the user exists and was left alone */
	IMPORT_SKIPPED,		/* nothing to import on this line (reason given) */
	IMPORT_FILTERED,	/* left out by --users or --min-uid */
	IMPORT_REJECTED,	/* refused (reason given) */
};
#define IMPORT_OUTCOME_COUNT 7

struct import_options {
	enum import_format format;
	const char *path;			/* FILE, or "-" for standard input */
	bool dry_run;
	bool replace;
	bool apop;				/* store cleartexts as APOP secrets too */
	const char *realm;			/* --realm (sasldb), or NULL */
	const struct mp_scheme *default_scheme;	/* --default-scheme (dovecot), or NULL */
	const char *passwd_path;		/* --passwd (shadow) */
	bool min_uid_set;
	unsigned long min_uid;			/* --min-uid (shadow) */
	char **users;				/* --users, sorted, or NULL */
	size_t user_count;
};

struct import_item {
	unsigned long where;		/* line number, or record number (sasldb) */
	char *label;			/* the record's name (sasldb authid@realm), or NULL */
	char *user;			/* set by import_set_user(), or NULL */
	struct mp_entry *entry;		/* the record to write while PENDING */

	/*
	 * A cleartext password that the input holds (wiped as soon as it was
	 * used): with hash_cleartext the password field is made from it; with
	 * --apop it becomes the APOP secret when the record has none.
	 */
	char *cleartext;
	size_t cleartext_len;
	bool hash_cleartext;

	enum import_outcome outcome;
	char *reason;			/* why SKIPPED or REJECTED; a note otherwise */

	/* Filled in by import-write.c. */
	bool existed;			/* in the store when the import started */
	bool prepared;			/* line holds the record to write */
	char *line;			/* the formatted record (secret) */
};

struct import_job {
	const struct import_options *opt;
	const struct mp_conf *conf;	/* NULL: a job that only parses records */
	bool records;			/* the input is numbered in records, not lines */
	unsigned long total;		/* lines or records read */
	struct import_item *items;	/* in input order */
	size_t count, alloc;
	bool *users_seen;		/* per --users name */
	bool progress;			/* standard error is a terminal */
	bool progress_shown;		/* a progress line is on the terminal */
	unsigned long long progress_ms;	/* when it was last drawn */
	bool failed;			/* out of memory: nothing may be written */
	void *context;			/* the reader's own state */
};

/* A reader: false after printing why the input cannot be read at all. */
typedef bool import_reader_fn(struct import_job *job);

import_reader_fn import_read_dovecot;
import_reader_fn import_read_htpasswd;
import_reader_fn import_read_shadow;
import_reader_fn import_read_sasldb;

/*
 * import_item_new - a new PENDING item at the end of the job, valid until
 * the next call.  NULL when out of memory (job->failed is set and the
 * message printed).
 */
struct import_item *import_item_new(struct import_job *job, unsigned long where);

/* import_reject, import_skip - set the outcome and a formatted reason. */
void import_reject(struct import_job *job, struct import_item *item, const char *fmt, ...)
	CLI_PRINTF(3, 4);
void import_skip(struct import_job *job, struct import_item *item, const char *fmt, ...)
	CLI_PRINTF(3, 4);

/* import_filter - the item is left out by a filter (--users, --min-uid). */
void import_filter(struct import_item *item);

/* import_note - a note printed with the item's outcome (e.g. imported disabled). */
void import_note(struct import_job *job, struct import_item *item, const char *fmt, ...)
	CLI_PRINTF(3, 4);

/*
 * import_set_user - the item is a record for name[0..len).  Rejects a name
 * the store cannot hold, and marks the item FILTERED when --users leaves it
 * out.  Returns true when the item is still PENDING.
 */
bool import_set_user(struct import_job *job, struct import_item *item, const char *name,
		     size_t len);

/*
 * import_set_cleartext - keep a copy of secret[0..len) in the item.
 * Rejects an empty secret, one over MP_PASSWORD_MAX or one with a NUL
 * byte (what names it in the reason).  Returns true when still PENDING.
 */
bool import_set_cleartext(struct import_job *job, struct import_item *item,
			  const char *secret, size_t len, const char *what);

/*
 * import_stored_value - the value to store for value, the password field
 * of item (whose user is set) without its lock marks: value itself (a bare
 * crypt string, DES included, stays bare, as Dovecot's default scheme
 * CRYPT reads it), or with bare_scheme, "{NAME}value" for a value without
 * "{".  The value must serve the user's logins as cli_stored_check()
 * judges it with the ceilings of job->conf (the built-in ones when a job
 * that only parses records has no conf): an unknown scheme, a value that
 * does not decode, a cost over the ceilings or a cleartext no login can
 * give is refused.  Returns MP_OK with a malloc'd *stored_r, or
 * MP_MALFORMED (MP_INTERNAL) with the reason.
 */
enum mp_result import_stored_value(const struct import_job *job,
				   const struct import_item *item, const char *value,
				   const struct mp_scheme *bare_scheme, char **stored_r,
				   const char **reason_r);

/* One line of a text input: NUL-terminated, without its line end. */
typedef void import_line_fn(struct import_job *job, struct import_item *item, char *line,
			    size_t len);

/*
 * import_read_lines - read the text file job->opt->path (or standard input
 * for "-") and call fn for each line, with a new item numbered by the line.
 * Blank lines and lines starting with '#' are passed over; one '\r' before
 * the newline is removed; a NUL byte or a line over MP_LINE_MAX is rejected
 * without calling fn.  Returns false after printing why the file cannot be
 * read.
 */
bool import_read_lines(struct import_job *job, import_line_fn *fn);

/*
 * The record parsers of the text formats, the import_line_fn that each
 * import_read_*() gives to import_read_lines().  line[0..len) is one line
 * as that function passes it: NUL-terminated, without NUL bytes or a line
 * end, at most MP_LINE_MAX bytes; the parser may write into it.  item is a
 * new PENDING item of job.  On return the item is PENDING with its user and
 * the record to write (entry; with a cleartext when one is kept), or
 * REJECTED, SKIPPED or FILTERED with no secret left in it; job->failed
 * tells of running out of memory (printed).  import_shadow_line() reads
 * the uids of --min-uid from job->context, which import_read_shadow() sets:
 * called directly, job->opt->min_uid_set must be false.
 */
import_line_fn import_dovecot_line;
import_line_fn import_htpasswd_line;
import_line_fn import_shadow_line;

/*
 * The realms a sasldb import met across its records, for its closing
 * notes: zero-initialised, released by import_sasldb_realms_free().
 */
struct import_sasldb_realm;
struct import_sasldb_realms {
	struct import_sasldb_realm *list;	/* realms whose users get "@realm" names */
	size_t count;
	bool wanted_seen;			/* a user of --realm was found */
};

/*
 * import_sasldb_record - one record of a sasldb file, key[0..key_len) and
 * value[0..value_len) as stored (no terminating NULs; the key should be
 * "authid NUL realm NUL property"), as a new item of job numbered number:
 * PENDING with a cleartext to hash for "userPassword", SKIPPED for other
 * properties, REJECTED for a key or value that cannot be imported.  The
 * realms of users named "authid@realm" are counted in *realms.  Returns
 * false when out of memory (job->failed is set and the message printed).
 */
bool import_sasldb_record(struct import_job *job, struct import_sasldb_realms *realms,
			  unsigned long number, const void *key, size_t key_len,
			  const void *value, size_t value_len);

/* import_sasldb_realm_notes - the closing notes: which realms became "@realm" names. */
void import_sasldb_realm_notes(const struct import_job *job,
			       const struct import_sasldb_realms *realms);

/* import_sasldb_realms_free - release the realms and zero *realms. */
void import_sasldb_realms_free(struct import_sasldb_realms *realms);

/* import_progress - "\r  done/total what" on standard error when it is a terminal. */
void import_progress(struct import_job *job, unsigned long done, unsigned long total,
		     const char *what);

/* import_progress_clear - take the progress line off the terminal. */
void import_progress_clear(struct import_job *job);

/* import_name_of_format - "dovecot", "htpasswd", ... */
const char *import_name_of_format(enum import_format format);

/* import_item_drop_secrets - wipe and free the item's cleartext and record. */
void import_item_drop_secrets(struct import_item *item);

/* import_item_free - release everything the item holds and zero it. */
void import_item_free(struct import_item *item);

/*
 * import_reject_duplicates - a user named by more than one line of the
 * input is ambiguous: every one of those lines is rejected.  False when out
 * of memory (printed).
 */
bool import_reject_duplicates(struct import_job *job);

/*
 * import_snapshot - mark the pending items whose user is in the store now
 * (a record, or a broken or duplicated one), so that import_prepare() does
 * not hash their passwords for nothing.  Reads the store without locking
 * it.  Returns MP_OK or the store's error with its reason.
 */
enum mp_result import_snapshot(struct import_job *job, struct mp_store *store,
			       const char **reason_r);

/*
 * import_prepare - the records to write: for new users, and for existing
 * ones with --replace, hash the cleartext (not in a dry run), seal it as
 * the APOP secret with --apop (key NULL: {PLAIN}), and format the record.
 * Existing users without --replace just lose their secrets.  Items that
 * cannot be prepared are rejected; job->failed tells of running out of
 * memory.
 */
void import_prepare(struct import_job *job, const unsigned char *key);

/*
 * import_commit - in one mp_store_edit_batch() (a dry run with --dry-run),
 * decide every pending item against the store as it is now (IMPORTED,
 * REPLACED, EXISTING, or REJECTED when the user's record in the store is
 * broken or duplicated) and write the new and replaced records.  Returns
 * MP_OK, or the store's error with its reason; then *written_r says whether
 * some users were written all the same (a store that writes user by user),
 * and the items that were not are PENDING again.
 */
enum mp_result import_commit(struct import_job *job, struct mp_store *store, bool *written_r,
			     const char **reason_r);

/*
 * import_report - every item not imported on standard error, then the
 * counts on standard output.  Returns the number of rejected items.
 */
unsigned long import_report(const struct import_job *job, const char *store_name);

#endif
