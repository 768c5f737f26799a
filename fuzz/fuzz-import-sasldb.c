/*
 * fuzz-import-sasldb.c - the record handling of "import --format sasldb",
 * import_sasldb_record() (tools/import-sasldb-record.c), fed synthetic
 * (key, value) pairs rather than a Berkeley DB file.
 *
 * Input: two bytes of key length (big-endian), the key, and the value as
 * the rest (a length past the end takes the whole rest as the key).  The
 * pair is given twice, as two records, so that the realm count sees a realm
 * again; without --realm, with --realm example.com and with --users
 * alice,bob.  Every item must pass fuzz_import_check(), and a realm is
 * counted once per pending "authid@realm" user.
 */
#include <stdint.h>

#include "fuzz-import.h"

static void
two_records(struct fuzz_import *f, const uint8_t *key, size_t key_len, const uint8_t *value,
	    size_t value_len)
{
	struct import_sasldb_realms realms = { .list = NULL };
	size_t at_users = 0;

	for (unsigned long number = 1; number <= 2; number++) {
		if (!import_sasldb_record(&f->job, &realms, number, key, key_len, value,
					  value_len))
			abort();	/* out of memory */
	}
	for (size_t i = 0; i < f->job.count; i++) {
		const struct import_item *item = &f->job.items[i];

		if (item->outcome == IMPORT_PENDING && strchr(item->user, '@') != NULL &&
		    memchr(key, '@', key_len) == NULL)
			at_users++;
	}
	/* Both records name the same realm: one row, counted for each user. */
	if (at_users > 0 && (realms.count != 1 || realms.list == NULL))
		abort();
	fuzz_import_check(f, 2);
	import_sasldb_realms_free(&realms);
	if (realms.list != NULL || realms.count != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_import f;
	const uint8_t *key, *value;
	size_t key_len, value_len;

	if (size < 2)
		return 0;
	key_len = (size_t)data[0] << 8 | data[1];
	key = data + 2;
	if (key_len > size - 2)
		key_len = size - 2;
	value = key + key_len;
	value_len = size - 2 - key_len;

	fuzz_import_init(&f, IMPORT_SASLDB, false);
	two_records(&f, key, key_len, value, value_len);

	fuzz_import_init(&f, IMPORT_SASLDB, false);
	f.opt.realm = "example.com";
	two_records(&f, key, key_len, value, value_len);

	fuzz_import_init(&f, IMPORT_SASLDB, true);
	two_records(&f, key, key_len, value, value_len);
	return 0;
}
