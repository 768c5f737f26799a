/*
 * import-sasldb.c - "import --format sasldb": a Cyrus SASL sasldb2 file.
 *
 * Debian builds libsasl2's sasldb on Berkeley DB (libdb5.3): a hash
 * database of (key, value) records, each of which import-sasldb-record.c
 * turns into an item.
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

#include "import.h"
#include "secret.h"

/* Largest key or value read; a bigger record stops the import. */
#define SASLDB_RECORD_MAX (1024 * 1024)

/* The buffers records are read into, and what the records taught. */
struct sasldb_reader {
	DBT key, value;
	struct import_sasldb_realms realms;
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
		mp_wipe(dbt->data, dbt->ulen);
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
	struct sasldb_reader reader = { .realms.list = NULL };
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
		if (!import_sasldb_record(job, &reader.realms, ++number, reader.key.data,
					  reader.key.size, reader.value.data,
					  reader.value.size))
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
		import_sasldb_realm_notes(job, &reader.realms);
out:
	if (cursor != NULL)
		(void)cursor->close(cursor);
	(void)db->close(db, 0);
	buffer_free(&reader.key);
	buffer_free(&reader.value);
	import_sasldb_realms_free(&reader.realms);
	return ok;
}
