/* store.c - the generic store calls and the location dispatch. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* Every backend, by location prefix.  Adding a backend is adding a row. */
static const struct mp_store_ops *const backends[] = {
	&mp_store_file_ops,
};

static enum mp_result
not_supported(const char **reason_r)
{
	*reason_r = "not supported by this store";
	return MP_UNAVAILABLE;
}

enum mp_result
mp_store_open(const char *location, struct mp_store **store_r, const char **reason_r)
{
	const char *colon;
	size_t prefix_len;

	*store_r = NULL;
	colon = location != NULL ? strchr(location, ':') : NULL;
	if (colon == NULL || colon == location) {
		*reason_r = "store location has no BACKEND: prefix (e.g. file:/etc/mailpass/passwd)";
		return MP_MALFORMED;
	}
	prefix_len = (size_t)(colon - location);
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const struct mp_store_ops *ops = backends[i];

		if (strlen(ops->name) != prefix_len ||
		    memcmp(ops->name, location, prefix_len) != 0)
			continue;
		if (ops->open == NULL)
			return not_supported(reason_r);
		return ops->open(colon + 1, store_r, reason_r);
	}
	*reason_r = "unknown store backend";
	return MP_MALFORMED;
}

/* check_user - the name check every per-user call makes before a backend sees it. */
static enum mp_result
check_user(const char *user, const char **reason_r)
{
	if (user == NULL) {
		*reason_r = "user name is empty";
		return MP_MALFORMED;
	}
	return mp_user_name_check(user, strlen(user), reason_r);
}

enum mp_result
mp_store_lookup(struct mp_store *store, const char *user, struct mp_entry **entry_r,
		const char **reason_r)
{
	struct mp_store_version version;

	return mp_store_lookup_version(store, user, entry_r, &version, reason_r);
}

enum mp_result
mp_store_lookup_version(struct mp_store *store, const char *user, struct mp_entry **entry_r,
			struct mp_store_version *version_r, const char **reason_r)
{
	enum mp_result result;

	*entry_r = NULL;
	memset(version_r, 0, sizeof(*version_r));
	if (store == NULL) {
		*reason_r = "no store";
		return MP_INTERNAL;
	}
	result = check_user(user, reason_r);
	if (result != MP_OK)
		return result;
	if (store->ops->lookup == NULL)
		return not_supported(reason_r);
	result = store->ops->lookup(store, user, entry_r, version_r, reason_r);
	if (result != MP_OK)
		memset(version_r, 0, sizeof(*version_r));
	return result;
}

enum mp_result
mp_store_edit(struct mp_store *store, const char *user, mp_store_edit_fn *fn, void *context,
	      const char **reason_r)
{
	enum mp_result result;

	if (store == NULL || fn == NULL) {
		*reason_r = store == NULL ? "no store" : "no edit callback";
		return MP_INTERNAL;
	}
	result = check_user(user, reason_r);
	if (result != MP_OK)
		return result;
	if (store->ops->edit == NULL)
		return not_supported(reason_r);
	return store->ops->edit(store, user, fn, context, reason_r);
}

enum mp_result
mp_store_iterate(struct mp_store *store, mp_store_iterate_fn *fn, void *context,
		 const char **reason_r)
{
	if (store == NULL || fn == NULL) {
		*reason_r = store == NULL ? "no store" : "no iterate callback";
		return MP_INTERNAL;
	}
	if (store->ops->iterate == NULL)
		return not_supported(reason_r);
	return store->ops->iterate(store, fn, context, reason_r);
}

/* --- Batches. */

/* One name of a batch, for finding the names it lists twice. */
struct batch_name {
	const char *name;
	size_t index;
};

static int
batch_name_compare(const void *a, const void *b)
{
	const struct batch_name *x = a, *y = b;
	int ret = strcmp(x->name, y->name);

	if (ret != 0)
		return ret;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void
user_failed(struct mp_store_batch_result *result, enum mp_result code, const char *reason)
{
	result->result = code;
	result->reason = reason != NULL ? reason : "the edit was refused";
}

/*
 * batch_check_names - MP_MALFORMED in results_r for each invalid name and
 * each name listed more than once; *valid_r gets how many are left.
 */
static enum mp_result
batch_check_names(const char *const *users, size_t count,
		  struct mp_store_batch_result *results_r, size_t *valid_r,
		  const char **reason_r)
{
	struct batch_name *names;
	size_t named = 0, valid = 0, i, j;

	names = calloc(count, sizeof(*names));
	if (names == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	for (i = 0; i < count; i++) {
		const char *reason = NULL;
		enum mp_result result = check_user(users[i], &reason);

		if (result != MP_OK) {
			user_failed(&results_r[i], result, reason);
			continue;
		}
		names[named].name = users[i];
		names[named++].index = i;
	}
	qsort(names, named, sizeof(*names), batch_name_compare);
	for (i = 0; i < named; i = j) {
		for (j = i + 1; j < named && strcmp(names[i].name, names[j].name) == 0; j++)
			;
		if (j - i == 1) {
			valid++;
			continue;
		}
		for (size_t k = i; k < j; k++)
			user_failed(&results_r[names[k].index], MP_MALFORMED,
				    "user appears more than once in the batch");
	}
	free(names);
	*valid_r = valid;
	return MP_OK;
}

/* The valid users of a batch, passed to the backend without the others. */
struct batch_map {
	mp_store_batch_fn *fn;
	void *context;
	const size_t *index;	/* the position in the caller's batch */
};

static enum mp_result
batch_map_fn(size_t index, struct mp_entry **entry, enum mp_edit_action *action_r,
	     void *context, const char **reason_r)
{
	const struct batch_map *map = context;

	return map->fn(map->index[index], entry, action_r, map->context, reason_r);
}

/* batch_backend - the valid users through the backend's edit_batch slot. */
static enum mp_result
batch_backend(struct mp_store *store, const char *const *users, size_t count,
	      size_t valid, mp_store_batch_fn *fn, void *context, unsigned int flags,
	      struct mp_store_batch_result *results_r, const char **reason_r)
{
	struct batch_map map = { .fn = fn, .context = context };
	struct mp_store_batch_result *results;
	const char **names;
	size_t *index, n = 0;
	enum mp_result result = MP_INTERNAL;

	names = calloc(valid + 1, sizeof(*names));
	index = calloc(valid + 1, sizeof(*index));
	results = calloc(valid + 1, sizeof(*results));
	if (names == NULL || index == NULL || results == NULL) {
		*reason_r = "out of memory";
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		if (results_r[i].result != MP_OK)
			continue;
		names[n] = users[i];
		index[n++] = i;
	}
	map.index = index;
	result = store->ops->edit_batch(store, names, n, batch_map_fn, &map, flags, results,
					reason_r);
	for (size_t i = 0; i < n; i++) {
		results_r[index[i]] = results[i];
		if (result != MP_OK)
			user_failed(&results_r[index[i]], result, *reason_r);
	}
done:
	free(results);
	free(index);
	free(names);
	return result;
}

/* One user of a batch through the per-user slots. */
struct batch_single {
	mp_store_batch_fn *fn;
	void *context;
	size_t index;
	bool called;
	bool had_record;
	enum mp_result fn_result;
};

static enum mp_result
batch_single_fn(struct mp_entry **entry, enum mp_edit_action *action_r, void *context,
		const char **reason_r)
{
	struct batch_single *single = context;

	single->called = true;
	single->had_record = *entry != NULL;
	single->fn_result = single->fn(single->index, entry, action_r, single->context,
				       reason_r);
	return single->fn_result;
}

/*
 * batch_one - one user by mp_store_edit, or by a lookup and fn for a dry
 * run.  A failure of fn or a malformed record is the user's, in *result_r;
 * anything else is returned as the store's.
 */
static enum mp_result
batch_one(struct mp_store *store, const char *user, struct batch_single *single,
	  bool dry_run, struct mp_store_batch_result *result_r, const char **reason_r)
{
	struct mp_entry *entry = NULL;
	enum mp_edit_action action = MP_EDIT_KEEP;
	const char *reason = NULL;
	enum mp_result result;

	if (dry_run) {
		if (store->ops->lookup == NULL)
			return not_supported(reason_r);
		result = store->ops->lookup(store, user, &entry, NULL, &reason);
		if (result == MP_OK || result == MP_USER_UNKNOWN) {
			reason = NULL;
			result = batch_single_fn(&entry, &action, single, &reason);
		}
		mp_entry_free(&entry);
	} else {
		if (store->ops->edit == NULL)
			return not_supported(reason_r);
		result = store->ops->edit(store, user, batch_single_fn, single, &reason);
	}
	result_r->records = single->had_record ? 1 : 0;
	if (result == MP_OK)
		return MP_OK;
	if ((single->called && single->fn_result != MP_OK) || result == MP_MALFORMED) {
		user_failed(result_r, result, reason);
		return MP_OK;
	}
	*reason_r = reason != NULL ? reason : "the store failed";
	return result;
}

/* batch_fallback - one user after the other, for a backend without edit_batch. */
static enum mp_result
batch_fallback(struct mp_store *store, const char *const *users, size_t count,
	       mp_store_batch_fn *fn, void *context, unsigned int flags,
	       struct mp_store_batch_result *results_r, const char **reason_r)
{
	for (size_t i = 0; i < count; i++) {
		struct batch_single single = { .fn = fn, .context = context, .index = i };
		enum mp_result result;

		if (results_r[i].result != MP_OK)
			continue;
		result = batch_one(store, users[i], &single,
				   (flags & MP_STORE_BATCH_DRY_RUN) != 0, &results_r[i], reason_r);
		if (result == MP_OK)
			continue;
		for (size_t j = i; j < count; j++) {
			if (results_r[j].result == MP_OK)
				user_failed(&results_r[j], result, *reason_r);
		}
		return result;
	}
	return MP_OK;
}

enum mp_result
mp_store_edit_batch(struct mp_store *store, const char *const *users, size_t count,
		    mp_store_batch_fn *fn, void *context, unsigned int flags,
		    struct mp_store_batch_result *results_r, const char **reason_r)
{
	enum mp_result result;
	size_t valid;

	if (store == NULL || fn == NULL || (count > 0 && (users == NULL || results_r == NULL))) {
		*reason_r = store == NULL ? "no store" : fn == NULL ? "no edit callback" :
			    "no users or no results";
		return MP_INTERNAL;
	}
	if ((flags & ~MP_STORE_BATCH_DRY_RUN) != 0) {
		*reason_r = "unknown batch flags";
		return MP_INTERNAL;
	}
	if (count == 0)
		return MP_OK;
	memset(results_r, 0, count * sizeof(*results_r));
	result = batch_check_names(users, count, results_r, &valid, reason_r);
	if (result != MP_OK) {
		for (size_t i = 0; i < count; i++)
			user_failed(&results_r[i], result, *reason_r);
		return result;
	}
	if (valid == 0)
		return MP_OK;
	if (store->ops->edit_batch == NULL)
		return batch_fallback(store, users, count, fn, context, flags, results_r,
				      reason_r);
	return batch_backend(store, users, count, valid, fn, context, flags, results_r,
			     reason_r);
}

void
mp_store_close(struct mp_store **store)
{
	if (*store == NULL)
		return;
	if ((*store)->ops->close != NULL)
		(*store)->ops->close(*store);
	*store = NULL;
}
