#ifndef MP_TEST_FIXTURE_SECRETS_H
#define MP_TEST_FIXTURE_SECRETS_H

/*
 * The secrets an integration test used (passwords, APOP secrets, stored
 * values), collected as it goes, and the check at its end that none of them
 * reached a log.
 */

#include <stddef.h>

struct mp_fixture_secrets {
	char **items;
	size_t n;
};

/*
 * mp_fixture_secret_add - remember secret.  NULL, one already known and
 * one shorter than 6 bytes are left out: short strings ("", "*") would
 * match innocent log text.  Aborts when out of memory.
 */
void mp_fixture_secret_add(struct mp_fixture_secrets *secrets, const char *secret);

/*
 * mp_fixture_secrets_from_store - remember every password field of the
 * passwd-file store, the digest after its last '$' alone, and every
 * "apop=" value.
 */
void mp_fixture_secrets_from_store(struct mp_fixture_secrets *secrets, const char *store);

/*
 * mp_fixture_check_log - CUnit assertions that the file at log_path holds
 * at least min_marked lines with marker (a capture that caught nothing
 * would make the search worthless) and none of the secrets; prints each
 * secret found (its first 40 bytes) and what was searched, naming the
 * marked lines "of whose".
 */
void mp_fixture_check_log(const struct mp_fixture_secrets *secrets, const char *log_path,
			  const char *marker, size_t min_marked, const char *whose);

/* mp_fixture_secrets_free - forget every secret; secrets is empty again. */
void mp_fixture_secrets_free(struct mp_fixture_secrets *secrets);

#endif
