/*
 * import-item.c - the items of "mailpass import": what the readers
 * (import-*.c) record for each line of the input, from the user name and
 * cleartext to the stored value, and the outcome with its reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "secret.h"

struct import_item *
import_item_new(struct import_job *job, unsigned long where)
{
	struct import_item *items;
	size_t alloc;

	if (job->failed)
		return NULL;
	if (job->count == job->alloc) {
		alloc = job->alloc == 0 ? 256 : job->alloc * 2;
		items = reallocarray(job->items, alloc, sizeof(*items));
		if (items == NULL) {
			cli_error("out of memory");
			job->failed = true;
			return NULL;
		}
		job->items = items;
		job->alloc = alloc;
	}
	memset(&job->items[job->count], 0, sizeof(job->items[0]));
	job->items[job->count].where = where;
	job->items[job->count].outcome = IMPORT_PENDING;
	return &job->items[job->count++];
}

void
import_item_drop_secrets(struct import_item *item)
{
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext_len = 0;
	mp_entry_free(&item->entry);
}

void
import_item_free(struct import_item *item)
{
	import_item_drop_secrets(item);
	mp_secret_free_str(&item->line);
	free(item->label);
	free(item->user);
	free(item->reason);
	memset(item, 0, sizeof(*item));
}

static void item_set(struct import_job *job, struct import_item *item,
		     enum import_outcome outcome, const char *fmt, va_list args)
	__attribute__((format(printf, 4, 0)));

static void
item_set(struct import_job *job, struct import_item *item, enum import_outcome outcome,
	 const char *fmt, va_list args)
{
	free(item->reason);
	item->reason = NULL;
	if (vasprintf(&item->reason, fmt, args) < 0) {
		item->reason = NULL;
		cli_error("out of memory");
		job->failed = true;
	}
	if (outcome != IMPORT_PENDING) {
		item->outcome = outcome;
		import_item_drop_secrets(item);
	}
}

void
import_reject(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_REJECTED, fmt, args);
	va_end(args);
}

void
import_skip(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_SKIPPED, fmt, args);
	va_end(args);
}

void
import_filter(struct import_item *item)
{
	item->outcome = IMPORT_FILTERED;
	import_item_drop_secrets(item);
}

void
import_note(struct import_job *job, struct import_item *item, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	item_set(job, item, IMPORT_PENDING, fmt, args);
	va_end(args);
}

/* name_compare - name[0..len) against the string b, in strcmp() order. */
static int
name_compare(const char *name, size_t len, const char *b)
{
	size_t b_len = strlen(b);
	int ret = memcmp(name, b, len < b_len ? len : b_len);

	if (ret != 0)
		return ret;
	return len < b_len ? -1 : len > b_len;
}

/* users_find - the index of name[0..len) in the sorted --users list, or -1. */
static long
users_find(const struct import_options *opt, const char *name, size_t len)
{
	size_t lo = 0, hi = opt->user_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = name_compare(name, len, opt->users[mid]);

		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool
import_set_user(struct import_job *job, struct import_item *item, const char *name,
		size_t len)
{
	const char *reason = "";
	long index;

	if (job->opt->users != NULL) {
		index = users_find(job->opt, name, len);
		if (index < 0) {
			import_filter(item);
			return false;
		}
		job->users_seen[index] = true;
	}
	if (mp_user_name_check(name, len, &reason) != MP_OK) {
		import_reject(job, item, "invalid user name: %s", reason);
		return false;
	}
	if (name[0] == '#') {
		import_reject(job, item, "user name starts with '#', which a passwd-file "
			      "reads as a comment");
		return false;
	}
	free(item->user);
	item->user = strndup(name, len);
	if (item->user == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return false;
	}
	return true;
}

bool
import_set_cleartext(struct import_job *job, struct import_item *item, const char *secret,
		     size_t len, const char *what)
{
	if (len == 0) {
		import_reject(job, item, "empty %s", what);
		return false;
	}
	if (len > MP_PASSWORD_MAX) {
		import_reject(job, item, "%s longer than %d bytes", what, MP_PASSWORD_MAX);
		return false;
	}
	if (memchr(secret, '\0', len) != NULL) {
		import_reject(job, item, "%s contains a NUL byte", what);
		return false;
	}
	mp_secret_free(&item->cleartext, item->cleartext_len);
	item->cleartext = mp_secret_dup(secret, len);
	if (item->cleartext == NULL) {
		cli_error("out of memory");
		job->failed = true;
		return false;
	}
	item->cleartext_len = len;
	return true;
}

/* --- Stored values. */

/* stored_usable - value can serve user's logins (cli_stored_check()); its copy in *stored_r. */
static enum mp_result
stored_usable(const char *value, const char *user, const struct mp_verify_limits *limits,
	      char **stored_r, const char **reason_r)
{
	enum mp_result result;

	result = cli_stored_check(value, user, limits, NULL, reason_r);
	if (result != MP_OK)
		return result;
	*stored_r = mp_secret_dup(value, strlen(value));
	if (*stored_r == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	return MP_OK;
}

enum mp_result
import_stored_value(const struct import_job *job, const struct import_item *item,
		    const char *value, const struct mp_scheme *bare_scheme, char **stored_r,
		    const char **reason_r)
{
	const struct mp_verify_limits *limits = job->conf != NULL ? &job->conf->limits : NULL;
	const char *user = item->user;
	char *candidate = NULL;
	enum mp_result result;

	*stored_r = NULL;
	if (bare_scheme == NULL || value[0] == '{')
		return stored_usable(value, user, limits, stored_r, reason_r);
	if (asprintf(&candidate, "{%s}%s", bare_scheme->name, value) < 0) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	result = stored_usable(candidate, user, limits, stored_r, reason_r);
	mp_secret_free_str(&candidate);
	return result;
}
