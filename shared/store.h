#ifndef MP_STORE_H
#define MP_STORE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "entry.h"
#include "result.h"

/*
 * Credential stores.  A backend fills a struct mp_store_ops; its private
 * handle embeds struct mp_store first.  Slots a backend leaves NULL answer
 * MP_UNAVAILABLE "not supported by this store", except edit_batch, which
 * falls back to edit (see mp_store_edit_batch).  Adapters only ever call the
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
 * Called once per user of a batch, under the store's write lock (none in a
 * dry run), as an mp_store_edit_fn is for one user; index is the user's
 * position in the batch.
 */
typedef enum mp_result mp_store_batch_fn(size_t index, struct mp_entry **entry,
					 enum mp_edit_action *action_r, void *context,
					 const char **reason_r);

/*
 * mp_store_edit_batch flag: take no lock and write nothing.  The store is
 * read as a real batch would read it (a store that does not exist yet is
 * empty) and fn is called alike, so results_r say what the batch would do.
 */
#define MP_STORE_BATCH_DRY_RUN 0x01u

/* What a batch did for one of its users. */
struct mp_store_batch_result {
	/* MP_OK, fn's failure, MP_MALFORMED for a broken or duplicated
	   record, or the store-level error that kept the user's change out */
	enum mp_result result;
	const char *reason;	/* why, when result is not MP_OK; else NULL */
	/* The user's records in the store as read (0: he had none, more than
	   1: he is duplicated), and the number of the line of the last one, as
	   mp_store_iterate counts lines; 0 when the store has no lines. */
	unsigned int records;
	unsigned long line_no;
};

/*
 * Called for each record in store order.  entry is NULL for a line that does
 * not parse; line_no and reason say where and why.  Return non-zero to stop.
 */
typedef int mp_store_iterate_fn(const struct mp_entry *entry, unsigned long line_no,
				const char *reason, void *context);

/*
 * The version of a store that answered a lookup: for a "file:" store, the
 * fstat() taken when the file was opened, whose identity (device, inode,
 * size, modification and status-change time: store-stamp.h) changes with
 * any write, owner or mode change.  known is false when the backend cannot
 * tell.
 */
struct mp_store_version {
	bool known;
	struct stat st;
};

struct mp_store_ops {
	const char *name;	/* the location prefix, e.g. "file" */

	/* argument is the location after "name:" */
	enum mp_result (*open)(const char *argument, struct mp_store **store_r,
			       const char **reason_r);
	/* MP_OK with *entry_r, MP_USER_UNKNOWN, MP_MALFORMED (the user's record
	   is broken or duplicated) or MP_UNAVAILABLE; after MP_OK, version_r
	   (when not NULL) says which version of the store answered */
	enum mp_result (*lookup)(struct mp_store *store, const char *user,
				 struct mp_entry **entry_r, struct mp_store_version *version_r,
				 const char **reason_r);
	/* atomic read-modify-write of one user's record */
	enum mp_result (*edit)(struct mp_store *store, const char *user,
			       mp_store_edit_fn *fn, void *context, const char **reason_r);
	/* one atomic read-modify-write of several users; mp_store_edit_batch
	   passes only valid and distinct names, and results_r zeroed */
	enum mp_result (*edit_batch)(struct mp_store *store, const char *const *users,
				     size_t count, mp_store_batch_fn *fn, void *context,
				     unsigned int flags, struct mp_store_batch_result *results_r,
				     const char **reason_r);
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

/*
 * mp_store_lookup_version - mp_store_lookup(), and after MP_OK the version
 * of the store that answered in *version_r (known false otherwise).
 */
enum mp_result mp_store_lookup_version(struct mp_store *store, const char *user,
				       struct mp_entry **entry_r,
				       struct mp_store_version *version_r, const char **reason_r);

/*
 * mp_store_version_current - version is the one the store has now: for a
 * "file:" store, stat() of its path gives the same identity.  False for an
 * unknown version, another backend, or any doubt.
 */
bool mp_store_version_current(const struct mp_store *store,
			      const struct mp_store_version *version);
enum mp_result mp_store_edit(struct mp_store *store, const char *user,
			     mp_store_edit_fn *fn, void *context, const char **reason_r);
enum mp_result mp_store_iterate(struct mp_store *store, mp_store_iterate_fn *fn,
				void *context, const char **reason_r);

/*
 * mp_store_edit_batch - one atomic read-modify-write of several users: one
 * lock, one read, fn once per user in batch order, one replace.
 *
 * results_r has count slots, one per user.  A user whose name is invalid,
 * who is listed twice in users (both are), or whose record in the store is
 * broken or duplicated is not passed to fn and gets MP_MALFORMED.  A user
 * for whom fn fails, or whose record fn asks to write is refused, keeps his
 * record and gets that result.  Every other change is written in one atomic
 * replace: new users are appended in batch order, and lines not edited
 * stay byte for byte.  When no user changes, nothing is written.  flags: 0
 * or MP_STORE_BATCH_DRY_RUN.
 *
 * Returns MP_OK, or the store-level error (MP_UNAVAILABLE, MP_INTERNAL):
 * then nothing is written, and every user whose name passed the checks
 * gets that error as his result.
 *
 * A backend that leaves the edit_batch slot NULL gets one mp_store_edit
 * per user (a lookup and fn for a dry run), which cannot be undone: a
 * store-level error stops it there, and the users before it keep their
 * results and changes.  It cannot count records either: records is 1 for a
 * user fn saw with his record, 0 otherwise, and line_no is 0.
 */
enum mp_result mp_store_edit_batch(struct mp_store *store, const char *const *users,
				   size_t count, mp_store_batch_fn *fn, void *context,
				   unsigned int flags, struct mp_store_batch_result *results_r,
				   const char **reason_r);

/* mp_store_close - close and set *store to NULL; NULL is fine. */
void mp_store_close(struct mp_store **store);

/* The passwd-file backend (store-file.c). */
extern const struct mp_store_ops mp_store_file_ops;

/*
 * mp_store_file_path - the file path behind a "file:" store, or NULL for
 * other backends (used by "mailpass check" for permission checks).
 */
const char *mp_store_file_path(const struct mp_store *store);

/*
 * mp_store_file_set_owner - let the account store_owner (mailpass.conf(5);
 * NULL or "" for none) own the file behind a "file:" store, besides root
 * and the effective uid (see file-safety.h).  Every read of the file judges
 * the descriptor it reads, and an unsafe file is MP_UNAVAILABLE.  Call it
 * before the handle is shared; it does nothing for other backends.
 * MP_MALFORMED for a name mp_file_owner_name_valid() refuses.
 */
enum mp_result mp_store_file_set_owner(struct mp_store *store, const char *store_owner,
				       const char **reason_r);

/*
 * mp_store_file_stamp - under the store's lock, read a "file:" store whole
 * and, when no user is on two of its lines, write its stamp
 * (store-stamp.h), so that lookups stop at the user's line.  Every edit
 * through the store does this itself; this is for a store edited by hand.
 * Returns MP_OK, MP_MALFORMED ("user appears more than once in the store";
 * `mailpass check` names the lines), MP_UNAVAILABLE (not a file: store, the
 * store cannot be read or locked, or the stamp cannot be written) or
 * MP_INTERNAL.
 */
enum mp_result mp_store_file_stamp(struct mp_store *store, const char **reason_r);

#endif
