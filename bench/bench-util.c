/* bench-util.c - what the benchmark programs share: errors, clocks, medians, machine facts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench-util.h"

static const char *program_name = "bench";
static void (*fatal_cleanup)(void);

void
bench_init(const char *program, void (*cleanup)(void))
{
	program_name = program;
	fatal_cleanup = cleanup;
}

void
bench_fatal(const char *fmt, ...)
{
	va_list args;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_name);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	if (fatal_cleanup != NULL)
		fatal_cleanup();
	exit(BENCH_EXIT_ERROR);
}

void
bench_progress(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
}

bool
bench_parse_count(const char *text, unsigned long max, unsigned int *value_r)
{
	unsigned long value;
	char *end;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		return false;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < 1 || value > max || value > UINT_MAX)
		return false;
	*value_r = (unsigned int)value;
	return true;
}

double
bench_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		bench_fatal("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

void
bench_stats(double *values, unsigned int n, double *median_r, double *min_r, double *max_r)
{
	qsort(values, n, sizeof(values[0]), compare_double);
	if (n % 2 == 1)
		*median_r = values[n / 2];
	else
		*median_r = (values[n / 2 - 1] + values[n / 2]) / 2;
	*min_r = values[0];
	*max_r = values[n - 1];
}

FILE *
bench_create_file(const char *path, mode_t mode)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1)
		bench_fatal("cannot create %s: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL)
		bench_fatal("fdopen %s: %s", path, strerror(errno));
	return f;
}

void
bench_close_checked(FILE *f, const char *path)
{
	bool failed = ferror(f) != 0;

	if (fclose(f) != 0 || failed)
		bench_fatal("cannot write %s: %s", path, strerror(errno));
}

void
bench_print_machine(void)
{
	char date[64], model[128] = "", line[256];
	struct utsname uts;
	struct tm tm;
	time_t t;
	FILE *f;
	long cpus;

	t = time(NULL);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(date, sizeof(date), "unknown");
	cpus = sysconf(_SC_NPROCESSORS_ONLN);

	/* The CPU model is a courtesy; its absence is not an error. */
	f = fopen("/proc/cpuinfo", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char *colon = strchr(line, ':');

			if (strncmp(line, "model name", 10) != 0 || colon == NULL)
				continue;
			colon += strspn(colon + 1, " \t") + 1;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(model, sizeof(model), "%s", colon);
			break;
		}
		fclose(f);
	}

	printf("mailpass %s\n", program_name);
	printf("  date       %s\n", date);
	printf("  nproc      %ld%s%s%s\n", cpus, model[0] != '\0' ? " (" : "", model,
	       model[0] != '\0' ? ")" : "");
	if (uname(&uts) == 0)
		printf("  system     %s %s %s\n", uts.sysname, uts.release, uts.machine);
	printf("  libsodium  %s\n", sodium_version_string());
}
