/* fixture-secrets.c - the secrets a test used, and no log holding one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "fixture-files.h"
#include "fixture-secrets.h"
#include "fixture-text.h"

void
mp_fixture_secret_add(struct mp_fixture_secrets *secrets, const char *secret)
{
	char **more;

	if (secret == NULL || strlen(secret) < 6)
		return;
	for (size_t i = 0; i < secrets->n; i++) {
		if (strcmp(secrets->items[i], secret) == 0)
			return;
	}
	more = realloc(secrets->items, (secrets->n + 1) * sizeof(*more));
	if (more == NULL)
		abort();
	secrets->items = more;
	secrets->items[secrets->n] = strdup(secret);
	if (secrets->items[secrets->n] == NULL)
		abort();
	secrets->n++;
}

void
mp_fixture_secrets_from_store(struct mp_fixture_secrets *secrets, const char *store)
{
	char *text = mp_fixture_read(store, 0), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *field = strchr(line, ':'), *end, *digest, *apop;

		if (line[0] == '#' || field == NULL)
			continue;
		field++;
		apop = strstr(field, "apop=");
		if (apop != NULL)
			mp_fixture_secret_add(secrets, apop + 5);
		end = strchr(field, ':');
		if (end != NULL)
			*end = '\0';
		mp_fixture_secret_add(secrets, field);
		/* The digest alone must not leak either. */
		digest = strrchr(field, '$');
		if (digest != NULL)
			mp_fixture_secret_add(secrets, digest + 1);
	}
	free(text);
}

void
mp_fixture_check_log(const struct mp_fixture_secrets *secrets, const char *log_path,
		     const char *marker, size_t min_marked, const char *whose)
{
	char *log = mp_fixture_read(log_path, 0);
	size_t lines = mp_fixture_count(log, "\n");
	size_t marked = mp_fixture_count(log, marker);

	if (marked < min_marked)
		fprintf(stderr, "\n  %s holds only %zu lines of %s, want %zu or more\n", log_path,
			marked, whose, min_marked);
	CU_ASSERT(marked >= min_marked);
	for (size_t i = 0; i < secrets->n; i++) {
		if (strstr(log, secrets->items[i]) != NULL) {
			fprintf(stderr, "\n  a secret is in the log: %.40s%s\n", secrets->items[i],
				strlen(secrets->items[i]) > 40 ? "..." : "");
			CU_FAIL("secret logged");
		}
	}
	printf("\n  searched %zu log lines (%zu of %s) for %zu secrets\n", lines, marked, whose,
	       secrets->n);
	free(log);
}

void
mp_fixture_secrets_free(struct mp_fixture_secrets *secrets)
{
	for (size_t i = 0; i < secrets->n; i++)
		free(secrets->items[i]);
	free(secrets->items);
	secrets->items = NULL;
	secrets->n = 0;
}
