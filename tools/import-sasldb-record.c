/*
 * import-sasldb-record.c - one record of a Cyrus SASL sasldb2 file as an
 * import item, apart from reading the database (import-sasldb.c), so that
 * the record handling can be tested and fuzzed without Berkeley DB.
 *
 * A key is "authid NUL realm NUL property" and its value is the property's
 * value, without terminating NULs.  The property "userPassword" holds the
 * cleartext password: it is hashed with the configured scheme and, with
 * --apop, also kept as the APOP secret.  Other properties (mechanism
 * secrets such as cmusaslsecretOTP) cannot become a password and are
 * reported as skipped.
 *
 * Users of the --realm realm get their bare authid as user name; users of
 * other realms become "authid@realm", the name a client of a multi-domain
 * server logs in with.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define SASLDB_PASSWORD_PROPERTY "userPassword"

/* A realm whose users get "@realm" names, for the closing note. */
struct import_sasldb_realm {
	char *raw;		/* the realm's bytes */
	size_t len;
	char *name;		/* printable, for messages */
	unsigned long users;
};

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
count_realm(struct import_sasldb_realms *realms, const char *realm, size_t len)
{
	struct import_sasldb_realm *list;

	for (size_t i = 0; i < realms->count; i++) {
		if (realms->list[i].len == len && memcmp(realms->list[i].raw, realm, len) == 0) {
			realms->list[i].users++;
			return true;
		}
	}
	list = reallocarray(realms->list, realms->count + 1, sizeof(*list));
	if (list == NULL)
		return false;
	realms->list = list;
	list[realms->count].raw = malloc(len + 1);
	list[realms->count].name = printable(realm, len);
	if (list[realms->count].raw == NULL || list[realms->count].name == NULL) {
		free(list[realms->count].raw);
		free(list[realms->count].name);
		return false;
	}
	memcpy(list[realms->count].raw, realm, len);
	list[realms->count].len = len;
	list[realms->count++].users = 1;
	return true;
}

/* user_name - authid for the --realm realm (or none), "authid@realm" for the others. */
static char *
user_name(const struct import_job *job, struct import_sasldb_realms *realms,
	  const char *authid, size_t authid_len, const char *realm, size_t realm_len,
	  bool *bare_r)
{
	const char *wanted = job->opt->realm;
	bool wanted_realm = wanted != NULL && strlen(wanted) == realm_len &&
			    memcmp(wanted, realm, realm_len) == 0;
	char *name;

	if (wanted_realm)
		realms->wanted_seen = true;
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

bool
import_sasldb_record(struct import_job *job, struct import_sasldb_realms *realms,
		     unsigned long number, const void *key_data, size_t key_len,
		     const void *value, size_t value_len)
{
	const char *key = key_data, *authid, *realm, *property, *reason = "";
	size_t authid_len, realm_len, property_len;
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
	name = user_name(job, realms, authid, authid_len, realm, realm_len, &bare);
	if (name == NULL)
		goto nomem;
	if (!import_set_user(job, item, name, strlen(name)) ||
	    !import_set_cleartext(job, item, value, value_len, SASLDB_PASSWORD_PROPERTY))
		goto out;
	if (mp_entry_new(item->user, "", &item->entry, &reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		goto out;
	}
	item->hash_cleartext = true;
	if (!bare && !count_realm(realms, realm, realm_len))
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

void
import_sasldb_realm_notes(const struct import_job *job, const struct import_sasldb_realms *realms)
{
	if (job->opt->realm != NULL && !realms->wanted_seen)
		cli_error("%s: note: no user of realm %s (--realm)", job->opt->path,
			  job->opt->realm);
	for (size_t i = 0; i < realms->count; i++)
		cli_error("%s: note: %lu user%s of realm %s become%s USER@%s%s",
			  job->opt->path, realms->list[i].users,
			  realms->list[i].users == 1 ? "" : "s", realms->list[i].name,
			  realms->list[i].users == 1 ? "s" : "", realms->list[i].name,
			  job->opt->realm == NULL ?
			  "; --realm REALM gives the users of REALM bare names" : "");
}

void
import_sasldb_realms_free(struct import_sasldb_realms *realms)
{
	for (size_t i = 0; i < realms->count; i++) {
		free(realms->list[i].raw);
		free(realms->list[i].name);
	}
	free(realms->list);
	memset(realms, 0, sizeof(*realms));
}
