/*
 * import-report.c - what "mailpass import" shows: a progress line while it
 * works, when standard error is a terminal, and at the end every item that
 * was not imported with its line number and reason, then the counts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "import.h"

/* Redraw the progress line at most this often. */
#define PROGRESS_INTERVAL_MS 100

/* --- Progress on a terminal. */

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

void
import_progress(struct import_job *job, unsigned long done, unsigned long total,
		const char *what)
{
	unsigned long long now;

	if (!job->progress)
		return;
	now = now_ms();
	if (job->progress_shown && now - job->progress_ms < PROGRESS_INTERVAL_MS &&
	    done != total)
		return;
	job->progress_ms = now;
	job->progress_shown = true;
	if (total > 0)
		fprintf(stderr, "\r  %lu/%lu %s", done, total, what);
	else
		fprintf(stderr, "\r  %lu %s", done, what);
	fflush(stderr);
}

void
import_progress_clear(struct import_job *job)
{
	if (!job->progress_shown)
		return;
	fprintf(stderr, "\r%60s\r", "");
	fflush(stderr);
	job->progress_shown = false;
}

/* --- The report. */

static const char *const outcome_names[IMPORT_OUTCOME_COUNT] = {
	[IMPORT_PENDING] = "pending",
	[IMPORT_IMPORTED] = "imported",
	[IMPORT_REPLACED] = "replaced",
	[IMPORT_EXISTING] = "skipped-existing",
	[IMPORT_SKIPPED] = "skipped",
	[IMPORT_FILTERED] = "filtered",
	[IMPORT_REJECTED] = "rejected",
};

static void
report_item(const struct import_job *job, const struct import_item *item, const char *input)
{
	char where[MP_PATH_MAX + 2 * MP_USER_MAX + 64];
	const char *user = item->user != NULL ? item->user : "";
	const char *sep = item->user != NULL ? ": " : "";
	const char *reason = item->reason != NULL ? item->reason : "";

	if (job->records)
		snprintf(where, sizeof(where), "%s: record %lu%s%s%s", input, item->where,
			 item->label != NULL ? " (" : "", item->label != NULL ? item->label : "",
			 item->label != NULL ? ")" : "");
	else
		snprintf(where, sizeof(where), "%s:%lu", input, item->where);

	switch (item->outcome) {
	case IMPORT_REJECTED:
		cli_error("%s: rejected: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_SKIPPED:
		cli_error("%s: skipped: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_EXISTING:
		cli_error("%s: skipped: user %s exists%s", where, user,
			  job->opt->replace ? "" : " (--replace replaces it)");
		break;
	case IMPORT_IMPORTED:
	case IMPORT_REPLACED:
		if (item->reason != NULL)
			cli_error("%s: note: %s%s%s", where, user, sep, reason);
		break;
	case IMPORT_PENDING:
	case IMPORT_FILTERED:
		break;
	}
}

unsigned long
import_report(const struct import_job *job, const char *store_name)
{
	unsigned long counts[IMPORT_OUTCOME_COUNT] = { 0 };
	const char *input = strcmp(job->opt->path, "-") == 0 ? "(standard input)" :
			    job->opt->path;

	for (size_t i = 0; i < job->opt->user_count; i++) {
		if (job->users_seen != NULL && !job->users_seen[i]) {
			cli_error("--users: %s is not in %s", job->opt->users[i], input);
			counts[IMPORT_REJECTED]++;
		}
	}
	for (size_t i = 0; i < job->count; i++) {
		report_item(job, &job->items[i], input);
		counts[job->items[i].outcome]++;
	}
	printf("%s: %lu %s (%s)\n", input, job->total, job->records ? "records" : "lines",
	       import_name_of_format(job->opt->format));
	for (int i = IMPORT_IMPORTED; i < IMPORT_OUTCOME_COUNT; i++)
		printf("%s: %lu\n", outcome_names[i], counts[i]);
	if (job->opt->dry_run)
		printf("dry run: nothing was written to %s\n", store_name);
	return counts[IMPORT_REJECTED];
}
