/* store.c - the generic store calls and the location dispatch. */
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
	enum mp_result result;

	*entry_r = NULL;
	if (store == NULL) {
		*reason_r = "no store";
		return MP_INTERNAL;
	}
	result = check_user(user, reason_r);
	if (result != MP_OK)
		return result;
	if (store->ops->lookup == NULL)
		return not_supported(reason_r);
	return store->ops->lookup(store, user, entry_r, reason_r);
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

void
mp_store_close(struct mp_store **store)
{
	if (*store == NULL)
		return;
	if ((*store)->ops->close != NULL)
		(*store)->ops->close(*store);
	*store = NULL;
}
