/*
 * import-sasldb.c - "import --format sasldb": a Cyrus SASL sasldb2 file.
 *
 * Debian builds libsasl2's sasldb on Berkeley DB (libdb5.3): a hash
 * database whose keys are "authid NUL realm NUL property" and whose values
 * are the property's value, without terminating NULs.  The property
 * "userPassword" holds the cleartext password: it is hashed with the
 * configured scheme and, with --apop, also kept as the APOP secret.  Other
 * properties (mechanism secrets such as cmusaslsecretOTP) cannot become a
 * password and are reported as skipped.
 *
 * Users of the --realm realm get their bare authid as user name; users of
 * other realms become "authid@realm", the name a client of a multi-domain
 * server logs in with.
 *
 * Keys and values are read into buffers of our own (DB_DBT_USERMEM) that
 * are wiped; what libdb keeps in its page cache is freed when the database
 * is closed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <db.h>
#include <sodium.h>

#include "import.h"
#include "secret.h"

#define SASLDB_PASSWORD_PROPERTY "userPassword"

/* Largest key or value read; a bigger record stops the import. */
#define SASLDB_RECORD_MAX (1024 * 1024)

/* The realms whose users get "@realm" names, for the closing note. */
struct realm_count {
	char *realm;
	unsigned long users;
};

struct sasldb_reader {
	struct import_job *job;
	DBT key, value;
	struct realm_count *realms;
	size_t realm_count;
	bool realm_seen;	/* a user of --realm was found */
};

static bool
buffer_init(DBT *dbt, size_t size)
{
	memset(dbt, 0, sizeof(*dbt));
	dbt->data = malloc(size);
	if (dbt->data == NULL)
		return false;
	dbt->ulen = (u_int32_t)size;
	dbt->flags = DB_DBT_USERMEM;
	return true;
}

static void
buffer_free(DBT *dbt)
{
	if (dbt->data != NULL) {
		sodium_memzero(dbt->data, dbt->ulen);
		free(dbt->data);
	}
	memset(dbt, 0, sizeof(*dbt));
}

/* buffer_fit - make dbt hold dbt->size bytes (after DB_BUFFER_SMALL). */
static bool
buffer_fit(DBT *dbt)
{
	size_t size = dbt->size;

	if (size <= dbt->ulen)
		return true;
	if (size > SASLDB_RECORD_MAX)
		return false;
	buffer_free(dbt);
	return buffer_init(dbt, size);
}

/* cursor_next - the next record into the reader's buffers; 0, DB_NOTFOUND or an error. */
static int
cursor_next(struct sasldb_reader *reader, DBC *cursor)
{
	int ret;

	for (;;) {
		ret = cursor->get(cursor, &reader->key, &reader->value, DB_NEXT);
		if (ret != DB_BUFFER_SMALL)
			return ret;
		/* The cursor stays where it was; grow what was too small and retry. */
		if (!buffer_fit(&reader->key) || !buffer_fit(&reader->value))
			return ENOMEM;
	}
}

/* printable - a copy of bytes for messages, anything unprintable as '?'. */
static char *
printable(const char *bytes, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		copy[i] = bytes[i] > ' ' && bytes[i] < 0x7f ? bytes[i] : '?';
	copy[len] = '\0';
	return copy;
}

/* count_realm - remember one more user of realm imported as "user@realm". */
static bool
count_realm(struct sasldb_reader *reader, const char *realm, size_t len)
{
	struct realm_count *realms;

	for (size_t i = 0; i < reader->realm_count; i++) {
		if (strlen(reader->realms[i].realm) == len &&
		    memcmp(reader->realms[i].realm, realm, len) == 0) {
			reader->realms[i].users++;
			return true;
		}
	}
	realms = reallocarray(reader->realms, reader->realm_count + 1, sizeof(*realms));
	if (realms == NULL)
		return false;
	reader->realms = realms;
	realms[reader->realm_count].realm = printable(realm, len);
	if (realms[reader->realm_count].realm == NULL)
		return false;
	realms[reader->realm_count++].users = 1;
	return true;
}

/* user_name - authid for the --realm realm (or none), "authid@realm" for the others. */
static char *
user_name(struct sasldb_reader *reader, const char *authid, size_t authid_len,
	  const char *realm, size_t realm_len, bool *bare_r)
{
	const char *wanted = reader->job->opt->realm;
	bool wanted_realm = wanted != NULL && strlen(wanted) == realm_len &&
			    memcmp(wanted, realm, realm_len) == 0;
	char *name;

	if (wanted_realm)
		reader->realm_seen = true;
	*bare_r = realm_len == 0 || wanted_realm;
	name = malloc(authid_len + realm_len + 2);
	if (name == NULL)
		return NULL;
	memcpy(name, authid, authid_len);
	name[authid_len] = '\0';
	if (!*bare_r) {
		name[authid_len] = '@';
		memcpy(name + authid_len + 1, realm, realm_len);
		name[authid_len + 1 + realm_len] = '\0';
	}
	return name;
}

/* one_record - turn the record in the reader's buffers into an item. */
static bool
one_record(struct sasldb_reader *reader, unsigned long number)
{
	struct import_job *job = reader->job;
	const char *key = reader->key.data, *authid, *realm, *property, *reason = "";
	size_t key_len = reader->key.size, authid_len, realm_len, property_len;
	const char *nul1, *nul2;
	struct import_item *item;
	char *name = NULL, *label;
	bool bare, ok = true;

	item = import_item_new(job, number);
	if (item == NULL)
		return false;
	nul1 = memchr(key, '\0', key_len);
	nul2 = nul1 != NULL ? memchr(nul1 + 1, '\0', key_len - (size_t)(nul1 + 1 - key)) : NULL;
	if (nul2 == NULL || memchr(nul2 + 1, '\0', key_len - (size_t)(nul2 + 1 - key)) != NULL) {
		import_reject(job, item, "key is not \"authid NUL realm NUL property\"");
		return true;
	}
	authid = key;
	authid_len = (size_t)(nul1 - key);
	realm = nul1 + 1;
	realm_len = (size_t)(nul2 - realm);
	property = nul2 + 1;
	property_len = key_len - (size_t)(property - key);

	label = printable(authid, authid_len + 1 + realm_len);
	if (label == NULL)
		goto nomem;
	if (realm_len > 0)
		label[authid_len] = '@';
	else
		label[authid_len] = '\0';
	item->label = label;

	if (property_len != strlen(SASLDB_PASSWORD_PROPERTY) ||
	    memcmp(property, SASLDB_PASSWORD_PROPERTY, property_len) != 0) {
		char *shown = printable(property, property_len);

		if (shown == NULL)
			goto nomem;
		import_skip(job, item, "property %s is not a password; only %s is imported",
			    shown, SASLDB_PASSWORD_PROPERTY);
		free(shown);
		return true;
	}
	name = user_name(reader, authid, authid_len, realm, realm_len, &bare);
	if (name == NULL)
		goto nomem;
	if (!import_set_user(job, item, name, strlen(name)) ||
	    !import_set_cleartext(job, item, reader->value.data, reader->value.size,
				  SASLDB_PASSWORD_PROPERTY))
		goto out;
	if (mp_entry_new(item->user, "", &item->entry, &reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		goto out;
	}
	item->hash_cleartext = true;
	if (!bare && !count_realm(reader, realm, realm_len))
		goto nomem;
	goto out;
nomem:
	cli_error("out of memory");
	job->failed = true;
	ok = false;
out:
	free(name);
	return ok;
}

/* realm_notes - say which realms were imported with "@realm" names. */
static void
realm_notes(const struct sasldb_reader *reader)
{
	if (reader->job->opt->realm != NULL && !reader->realm_seen)
		cli_error("%s: note: no user of realm %s (--realm)", reader->job->opt->path,
			  reader->job->opt->realm);
	for (size_t i = 0; i < reader->realm_count; i++)
		cli_error("%s: note: %lu user%s of realm %s become%s USER@%s%s",
			  reader->job->opt->path, reader->realms[i].users,
			  reader->realms[i].users == 1 ? "" : "s", reader->realms[i].realm,
			  reader->realms[i].users == 1 ? "s" : "", reader->realms[i].realm,
			  reader->job->opt->realm == NULL ?
			  "; --realm REALM gives the users of REALM bare names" : "");
}

/* quiet - libdb's own messages: the error code says enough, and we print it. */
static void
quiet(const DB_ENV *env, const char *prefix, const char *message)
{
	(void)env;
	(void)prefix;
	(void)message;
}

/* open_db - the sasldb file read-only, whatever its access method; prints why not. */
static DB *
open_db(const char *path)
{
	struct stat st;
	DB *db = NULL;
	int ret;

	if (stat(path, &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error("%s: not a regular file", path);
		return NULL;
	}
	ret = db_create(&db, NULL, 0);
	if (ret != 0) {
		cli_error("%s: %s", path, db_strerror(ret));
		return NULL;
	}
	db->set_errcall(db, quiet);
	ret = db->open(db, NULL, path, NULL, DB_UNKNOWN, DB_RDONLY, 0);
	if (ret != 0) {
		cli_error("%s: not a Berkeley DB file, the format of Debian's sasldb2 (%s)", path,
			  db_strerror(ret));
		(void)db->close(db, 0);
		return NULL;
	}
	return db;
}

bool
import_read_sasldb(struct import_job *job)
{
	struct sasldb_reader reader = { .job = job };
	DBC *cursor = NULL;
	unsigned long number = 0;
	bool ok = false;
	DB *db;
	int ret;

	db = open_db(job->opt->path);
	if (db == NULL)
		return false;
	if (!buffer_init(&reader.key, 1024) || !buffer_init(&reader.value, MP_PASSWORD_MAX + 1)) {
		cli_error("out of memory");
		goto out;
	}
	ret = db->cursor(db, NULL, &cursor, 0);
	if (ret != 0) {
		cli_error("%s: %s", job->opt->path, db_strerror(ret));
		goto out;
	}
	while ((ret = cursor_next(&reader, cursor)) == 0) {
		if (!one_record(&reader, ++number))
			break;
		import_progress(job, number, 0, "records");
	}
	job->total = number;
	if (ret == ENOMEM)
		cli_error("%s: record %lu: larger than %d bytes", job->opt->path, number + 1,
			  SASLDB_RECORD_MAX);
	else if (ret != 0 && ret != DB_NOTFOUND)
		cli_error("%s: record %lu: %s", job->opt->path, number + 1, db_strerror(ret));
	else
		ok = !job->failed;
	import_progress_clear(job);
	if (ok)
		realm_notes(&reader);
out:
	if (cursor != NULL)
		(void)cursor->close(cursor);
	(void)db->close(db, 0);
	buffer_free(&reader.key);
	buffer_free(&reader.value);
	for (size_t i = 0; i < reader.realm_count; i++)
		free(reader.realms[i].realm);
	free(reader.realms);
	return ok;
}
