/*
 * import-shadow.c - "import --format shadow": /etc/shadow lines,
 * name:hash:lastchg:min:max:warn:inactive:expire:reserved.
 *
 * What becomes of the password field:
 *   ""                     rejected: the account needs no password, which
 *                          mailpass never allows
 *   "*", "!", "!!", "!*"   skipped: a locked account without a hash
 *   "!$6$..."              imported locked ("!" kept): the right password
 *                          gives "disabled", and removing the "!" unlocks it
 *   "$6$...", DES, ...     imported as it is when the scheme table knows it
 *                          and a login can use it (cost within the ceilings)
 * An account whose expire date has passed is imported with "nologin", as
 * pam_unix refuses it.  --min-uid takes the uids from the passwd file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"
#include "secret.h"

#define SHADOW_FIELDS 9
#define SHADOW_EXPIRE 7

struct uid_row {
	char *name;
	unsigned long uid;
};

struct uid_map {
	struct uid_row *rows;
	size_t count, alloc;
};

/* parse_number - checked decimal digits, at most max. */
static bool
parse_number(const char *text, size_t len, unsigned long max, unsigned long *value_r)
{
	unsigned long value = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned long digit = (unsigned long)(text[i] - '0');

		if (text[i] < '0' || text[i] > '9' || value > (max - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*value_r = value;
	return true;
}

static int
uid_row_compare(const void *a, const void *b)
{
	return strcmp(((const struct uid_row *)a)->name, ((const struct uid_row *)b)->name);
}

static void
uid_map_free(struct uid_map *map)
{
	for (size_t i = 0; i < map->count; i++)
		free(map->rows[i].name);
	free(map->rows);
	memset(map, 0, sizeof(*map));
}

/* uid_map_add - one passwd line "name:x:uid:..."; lines without a uid are passed over. */
static bool
uid_map_add(struct uid_map *map, const char *line)
{
	const char *first = strchr(line, ':'), *second, *third;
	struct uid_row *rows;
	unsigned long uid;

	if (first == NULL || first == line || line[0] == '#')
		return true;
	second = strchr(first + 1, ':');
	if (second == NULL)
		return true;
	third = strchr(second + 1, ':');
	if (third == NULL)
		third = second + 1 + strcspn(second + 1, "\n");
	if (!parse_number(second + 1, (size_t)(third - second - 1), 0xffffffffUL, &uid))
		return true;
	if (map->count == map->alloc) {
		size_t alloc = map->alloc == 0 ? 64 : map->alloc * 2;

		rows = reallocarray(map->rows, alloc, sizeof(*rows));
		if (rows == NULL)
			return false;
		map->rows = rows;
		map->alloc = alloc;
	}
	map->rows[map->count].name = strndup(line, (size_t)(first - line));
	if (map->rows[map->count].name == NULL)
		return false;
	map->rows[map->count++].uid = uid;
	return true;
}

/* uid_map_load - the uids of the passwd file at path; prints why not. */
static bool
uid_map_load(struct uid_map *map, const char *path)
{
	char *line = NULL;
	size_t size = 0;
	bool ok = true;
	FILE *fp;

	fp = fopen(path, "re");
	if (fp == NULL) {
		cli_error("--passwd %s: %s", path, strerror(errno));
		return false;
	}
	while (ok && getline(&line, &size, fp) != -1)
		ok = uid_map_add(map, line);
	if (!ok)
		cli_error("out of memory");
	else if (ferror(fp)) {
		cli_error("--passwd %s: %s", path, strerror(errno));
		ok = false;
	}
	free(line);
	fclose(fp);
	if (ok)
		qsort(map->rows, map->count, sizeof(*map->rows), uid_row_compare);
	return ok;
}

static const struct uid_row *
uid_map_find(const struct uid_map *map, const char *name)
{
	struct uid_row key = { .name = (char *)(uintptr_t)name };

	return bsearch(&key, map->rows, map->count, sizeof(*map->rows), uid_row_compare);
}

/* min_uid_filter - false when the item was filtered out or rejected. */
static bool
min_uid_filter(struct import_job *job, struct import_item *item)
{
	const struct uid_row *row;

	if (!job->opt->min_uid_set)
		return true;
	row = uid_map_find(job->context, item->user);
	if (row == NULL) {
		import_reject(job, item, "not in %s (--min-uid needs the uid)",
			      job->opt->passwd_path);
		return false;
	}
	if (row->uid < job->opt->min_uid) {
		import_filter(item);
		return false;
	}
	return true;
}

/* expire_check - "nologin" for an account whose expire date has passed. */
static bool
expire_check(struct import_job *job, struct import_item *item, const char *expire)
{
	unsigned long days;
	const char *reason = "";
	char date[32];
	time_t when;
	struct tm tm;

	if (*expire == '\0')
		return true;
	if (!parse_number(expire, strlen(expire), 0xffffffffUL, &days)) {
		import_reject(job, item, "expire field is not a number of days");
		return false;
	}
	/* pam_unix: expired from that day on (0 included). */
	if ((unsigned long long)days * 86400 > (unsigned long long)time(NULL))
		return true;
	if (mp_entry_set_extra(item->entry, "nologin", "", &reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		return false;
	}
	when = (time_t)days * 86400;
	if (gmtime_r(&when, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
		snprintf(date, sizeof(date), "day %lu", days);
	import_note(job, item, "imported disabled (nologin): the account expired on %s", date);
	return true;
}

void
import_shadow_line(struct import_job *job, struct import_item *item, char *line,
		   size_t len)
{
	char *fields[SHADOW_FIELDS], *p = line, *stored = NULL, *locked = NULL;
	const char *reason = "", *value;
	unsigned int count = 0;
	size_t marks;

	for (size_t i = 0; i < len; i++)
		count += line[i] == ':';
	if (count != SHADOW_FIELDS - 1) {
		import_reject(job, item, "not an /etc/shadow line (%u fields, want %d)",
			      count + 1, SHADOW_FIELDS);
		return;
	}
	for (count = 0; count < SHADOW_FIELDS; count++) {
		fields[count] = p;
		p += strcspn(p, ":");
		if (*p == ':')
			*p++ = '\0';
	}
	if (!import_set_user(job, item, fields[0], strlen(fields[0])) ||
	    !min_uid_filter(job, item))
		return;
	if (fields[1][0] == '\0') {
		import_reject(job, item, "empty password field (the account needs no "
			      "password)");
		return;
	}
	marks = strspn(fields[1], "!");
	value = fields[1] + marks;
	if (*value == '\0' || *value == '*') {
		import_skip(job, item, "no password (locked account without a hash)");
		return;
	}
	if (import_stored_value(job, item, value, NULL, &stored, &reason) != MP_OK) {
		import_reject(job, item, "%s", reason);
		return;
	}
	if (marks > 0 && asprintf(&locked, "!%s", stored) < 0) {
		locked = NULL;
		mp_secret_free_str(&stored);
		import_reject(job, item, "out of memory");
		return;
	}
	if (mp_entry_new(item->user, locked != NULL ? locked : stored, &item->entry,
			 &reason) != MP_OK)
		import_reject(job, item, "%s", reason);
	else
		(void)expire_check(job, item, fields[SHADOW_EXPIRE]);
	mp_secret_free_str(&locked);
	mp_secret_free_str(&stored);
}

bool
import_read_shadow(struct import_job *job)
{
	struct uid_map map = { .rows = NULL };
	bool ok;

	if (job->opt->min_uid_set && !uid_map_load(&map, job->opt->passwd_path)) {
		uid_map_free(&map);
		return false;
	}
	job->context = &map;
	ok = import_read_lines(job, import_shadow_line);
	job->context = NULL;
	uid_map_free(&map);
	return ok;
}
