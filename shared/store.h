#ifndef MP_STORE_H
#define MP_STORE_H

#include "entry.h"
#include "result.h"

/*
 * Credential stores.  A backend fills a struct mp_store_ops; its private
 * handle embeds struct mp_store first.  Slots a backend leaves NULL answer
 * MP_UNAVAILABLE "not supported by this store".  Adapters only ever call the
 * mp_store_*() functions below and never know which backend they talk to.
 *
 * Locations are "BACKEND:ARGUMENT"; the first backend is "file:/path"
 * (a Dovecot-compatible passwd-file).
 */

struct mp_store;

/* What an edit callback asks the store to do with the user's record. */
enum mp_edit_action {
	MP_EDIT_KEEP = 0,	/* change nothing */
	MP_EDIT_WRITE,		/* write *entry (add the user when absent) */
	MP_EDIT_DELETE,		/* remove the user */
};

/*
 * Called once, under the store's write lock, with the user's current record
 * in *entry (NULL when the user is absent).  The callback may change *entry in
 * place or replace it (freeing the old one), and sets *action_r.  Any result
 * other than MP_OK aborts the edit and leaves the store untouched.
 */
typedef enum mp_result mp_store_edit_fn(struct mp_entry **entry, enum mp_edit_action *action_r,
					void *context, const char **reason_r);

/*
 * Called for each record in store order.  entry is NULL for a line that does
 * not parse; line_no and reason say where and why.  Return non-zero to stop.
 */
typedef int mp_store_iterate_fn(const struct mp_entry *entry, unsigned long line_no,
				const char *reason, void *context);

struct mp_store_ops {
	const char *name;	/* the location prefix, e.g. "file" */

	/* argument is the location after "name:" */
	enum mp_result (*open)(const char *argument, struct mp_store **store_r,
			       const char **reason_r);
	/* MP_OK with *entry_r, MP_USER_UNKNOWN, MP_MALFORMED (the user's record
	   is broken or duplicated) or MP_UNAVAILABLE */
	enum mp_result (*lookup)(struct mp_store *store, const char *user,
				 struct mp_entry **entry_r, const char **reason_r);
	/* atomic read-modify-write of one user's record */
	enum mp_result (*edit)(struct mp_store *store, const char *user,
			       mp_store_edit_fn *fn, void *context, const char **reason_r);
	enum mp_result (*iterate)(struct mp_store *store, mp_store_iterate_fn *fn,
				  void *context, const char **reason_r);
	void (*close)(struct mp_store *store);
};

struct mp_store {
	const struct mp_store_ops *ops;
};

/*
 * mp_store_open - open location ("file:/etc/mailpass/passwd").  An unknown
 * backend or a relative path is MP_MALFORMED.  Opening does not require the
 * store to exist yet (a first "user add" creates it).
 */
enum mp_result mp_store_open(const char *location, struct mp_store **store_r,
			     const char **reason_r);

enum mp_result mp_store_lookup(struct mp_store *store, const char *user,
			       struct mp_entry **entry_r, const char **reason_r);
enum mp_result mp_store_edit(struct mp_store *store, const char *user,
			     mp_store_edit_fn *fn, void *context, const char **reason_r);
enum mp_result mp_store_iterate(struct mp_store *store, mp_store_iterate_fn *fn,
				void *context, const char **reason_r);

/* mp_store_close - close and set *store to NULL; NULL is fine. */
void mp_store_close(struct mp_store **store);

/* The passwd-file backend (store-file.c). */
extern const struct mp_store_ops mp_store_file_ops;

/*
 * mp_store_file_path - the file path behind a "file:" store, or NULL for
 * other backends (used by "mailpass check" for permission checks).
 */
const char *mp_store_file_path(const struct mp_store *store);

#endif
