/*
 * import-write.c - deciding the items of "mailpass import" against the
 * store and writing them, through mp_store_*() only, so that every backend
 * imports alike.  The store is read once without its lock to see who is
 * there before any password is hashed, then edited in one
 * mp_store_edit_batch(): one lock and one atomic replace whatever the
 * number of users, so that logins that rehash and "mailpass user" wait for
 * the import or see it whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "secret.h"

/* --- Duplicates in the input. */

static int
item_user_compare(const void *a, const void *b)
{
	const struct import_item *x = *(const struct import_item *const *)a;
	const struct import_item *y = *(const struct import_item *const *)b;
	int ret = strcmp(x->user, y->user);

	if (ret != 0)
		return ret;
	return x->where < y->where ? -1 : x->where > y->where;
}

/* where_list - "3 and 7", "3, 7 and 9", cut short after a few numbers. */
static void
where_list(char *buf, size_t size, struct import_item **group, size_t count)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (size_t k = 0; k < count && used < size; k++) {
		if (k == 5) {
			snprintf(buf + used, size - used, " and %zu more", count - k);
			return;
		}
		n = snprintf(buf + used, size - used, "%s%lu", k == 0 ? "" :
			     (k + 1 == count ? " and " : ", "), group[k]->where);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

bool
import_reject_duplicates(struct import_job *job)
{
	struct import_item **index;
	char lines[96];
	size_t count = 0, i, j;

	index = calloc(job->count + 1, sizeof(*index));
	if (index == NULL) {
		cli_error("out of memory");
		return false;
	}
	for (i = 0; i < job->count; i++) {
		if (job->items[i].user != NULL && job->items[i].outcome != IMPORT_FILTERED)
			index[count++] = &job->items[i];
	}
	qsort(index, count, sizeof(*index), item_user_compare);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && strcmp(index[i]->user, index[j]->user) == 0; j++)
			;
		if (j - i < 2)
			continue;
		where_list(lines, sizeof(lines), index + i, j - i);
		for (size_t k = i; k < j; k++)
			import_reject(job, index[k], "user appears more than once in the "
				      "input (%s %s)", job->records ? "records" : "lines", lines);
	}
	free(index);
	return !job->failed;
}

/* --- The users of a batch: the PENDING items, in input order. */

struct pending {
	struct import_item **items;
	const char **users;
	struct mp_store_batch_result *results;
	size_t count;
};

static void
pending_free(struct pending *pending)
{
	free(pending->items);
	free(pending->users);
	free(pending->results);
	memset(pending, 0, sizeof(*pending));
}

static enum mp_result
pending_collect(struct import_job *job, struct pending *pending, const char **reason_r)
{
	memset(pending, 0, sizeof(*pending));
	pending->items = calloc(job->count + 1, sizeof(*pending->items));
	pending->users = calloc(job->count + 1, sizeof(*pending->users));
	pending->results = calloc(job->count + 1, sizeof(*pending->results));
	if (pending->items == NULL || pending->users == NULL || pending->results == NULL) {
		pending_free(pending);
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	for (size_t i = 0; i < job->count; i++) {
		if (job->items[i].outcome != IMPORT_PENDING)
			continue;
		pending->items[pending->count] = &job->items[i];
		pending->users[pending->count++] = job->items[i].user;
	}
	return MP_OK;
}

/* --- Who is in the store before anything is hashed. */

static enum mp_result
snapshot_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r,
	    void *context, const char **reason_r)
{
	*action_r = MP_EDIT_KEEP;
	return MP_OK;
}

enum mp_result
import_snapshot(struct import_job *job, struct mp_store *store, const char **reason_r)
{
	struct pending pending;
	enum mp_result result;

	result = pending_collect(job, &pending, reason_r);
	if (result != MP_OK)
		return result;
	result = mp_store_edit_batch(store, pending.users, pending.count, snapshot_fn, NULL,
				     MP_STORE_BATCH_DRY_RUN, pending.results, reason_r);
	for (size_t i = 0; i < pending.count && result == MP_OK; i++) {
		pending.items[i]->existed = pending.results[i].records > 0 ||
					    pending.results[i].result == MP_MALFORMED;
	}
	pending_free(&pending);
	return result;
}

/* --- Preparing the records to write. */

/*
 * prepare_item - hash the cleartext (not in a dry run), seal it as the APOP
 * secret with --apop, wipe it, and format the record, checking that the
 * store will read back the same user.
 */
static void
prepare_item(struct import_job *job, struct import_item *item, const unsigned char *key)
{
	struct mp_entry *back = NULL;
	char *stored = NULL, *field = NULL;
	const char *reason = "";

	if (item->hash_cleartext && !job->opt->dry_run) {
		if (mp_scheme_hash(job->conf->scheme, item->cleartext, item->cleartext_len,
				   &job->conf->hash, &stored, &reason) != MP_OK ||
		    mp_entry_set_password(item->entry, stored, &reason) != MP_OK) {
			mp_secret_free_str(&stored);
			import_reject(job, item, "cannot hash the password: %s", reason);
			return;
		}
		mp_secret_free_str(&stored);
	}
	if (job->opt->apop && item->cleartext != NULL &&
	    mp_entry_extra(item->entry, "apop") == NULL) {
		if (mp_apop_secret_seal(key, item->cleartext, item->cleartext_len, &field,
					&reason) != MP_OK ||
		    mp_entry_set_extra(item->entry, "apop", field, &reason) != MP_OK) {
			mp_secret_free_str(&field);
			import_reject(job, item, "cannot store the APOP secret: %s", reason);
			return;
		}
		mp_secret_free_str(&field);
	}
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext_len = 0;
	item->prepared = true;
	if (item->hash_cleartext && job->opt->dry_run) {
		mp_entry_free(&item->entry);
		return;
	}
	item->line = mp_entry_format(item->entry);
	mp_entry_free(&item->entry);
	if (item->line == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return;
	}
	if (mp_entry_parse(item->line, strlen(item->line), &back, &reason) != MP_OK) {
		import_reject(job, item, "the record would not read back: %s", reason);
	} else if (strcmp(mp_entry_user(back), item->user) != 0) {
		import_reject(job, item, "the record would read back as another user");
	}
	mp_entry_free(&back);
	if (item->outcome == IMPORT_REJECTED)
		mp_secret_free_str(&item->line);
}

void
import_prepare(struct import_job *job, const unsigned char *key)
{
	unsigned long done = 0, total = 0;

	for (size_t i = 0; i < job->count && !job->opt->dry_run; i++) {
		const struct import_item *item = &job->items[i];

		if (item->outcome == IMPORT_PENDING && item->hash_cleartext &&
		    (!item->existed || job->opt->replace))
			total++;
	}
	for (size_t i = 0; i < job->count && !job->failed; i++) {
		struct import_item *item = &job->items[i];

		if (item->outcome != IMPORT_PENDING)
			continue;
		if (item->existed && !job->opt->replace) {
			import_item_drop_secrets(item);
			continue;
		}
		prepare_item(job, item, key);
		if (total > 0 && item->hash_cleartext)
			import_progress(job, ++done, total, "passwords hashed");
	}
}

/* --- Deciding and writing. */

struct commit {
	const struct import_options *opt;
	struct import_item **items;
};

/* commit_fn - decide the item against the user's record, and write it when it is to be. */
static enum mp_result
commit_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r,
	  void *context, const char **reason_r)
{
	const struct commit *commit = context;
	struct import_item *item = commit->items[index];
	struct mp_entry *record = NULL;
	enum mp_result result;
	bool exists = *entry != NULL;

	*action_r = MP_EDIT_KEEP;
	if ((exists && !commit->opt->replace) || !item->prepared) {
		item->outcome = IMPORT_EXISTING;
		return MP_OK;
	}
	item->outcome = exists ? IMPORT_REPLACED : IMPORT_IMPORTED;
	if (commit->opt->dry_run)
		return MP_OK;
	result = mp_entry_parse(item->line, strlen(item->line), &record, reason_r);
	if (result != MP_OK)
		return result;
	mp_entry_free(entry);
	*entry = record;
	*action_r = MP_EDIT_WRITE;
	return MP_OK;
}

/* commit_refused - reject an item the store did not take, saying why. */
static void
commit_refused(struct import_job *job, struct import_item *item, bool seen,
	       const struct mp_store_batch_result *result)
{
	if (result->records > 1) {
		import_reject(job, item, "user appears on more than one line of the store "
			      "(see 'mailpass check')");
	} else if (!seen && result->result == MP_MALFORMED && result->line_no > 0) {
		import_reject(job, item, "the user's line %lu of the store does not parse "
			      "(%s); fix it first", result->line_no, result->reason);
	} else {
		import_reject(job, item, "%s", result->reason);
	}
}

enum mp_result
import_commit(struct import_job *job, struct mp_store *store, bool *written_r,
	      const char **reason_r)
{
	struct pending pending;
	struct commit commit = { .opt = job->opt };
	enum mp_result result;

	*written_r = false;
	result = pending_collect(job, &pending, reason_r);
	if (result != MP_OK)
		return result;
	commit.items = pending.items;
	result = mp_store_edit_batch(store, pending.users, pending.count, commit_fn, &commit,
				     job->opt->dry_run ? MP_STORE_BATCH_DRY_RUN : 0,
				     pending.results, reason_r);
	for (size_t i = 0; i < pending.count; i++) {
		struct import_item *item = pending.items[i];
		const struct mp_store_batch_result *res = &pending.results[i];

		if (res->result == MP_OK) {
			if (!job->opt->dry_run && (item->outcome == IMPORT_IMPORTED ||
						   item->outcome == IMPORT_REPLACED))
				*written_r = true;
		} else if (result != MP_OK) {
			/* Kept out of the store by its failure: not reported. */
			item->outcome = IMPORT_PENDING;
		} else {
			commit_refused(job, item, item->outcome != IMPORT_PENDING, res);
		}
	}
	pending_free(&pending);
	return result;
}
