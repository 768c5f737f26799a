#ifndef MP_BENCH_UTIL_H
#define MP_BENCH_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Helpers shared by the benchmark programs. */

#define BENCH_EXIT_ERROR 2

/* bench_init - the program name for messages and the cleanup bench_fatal runs. */
void bench_init(const char *program, void (*cleanup)(void));

/* bench_fatal - the message on stderr, the cleanup, exit BENCH_EXIT_ERROR. */
void bench_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* bench_progress - a status line on stderr, so that the table on stdout stays clean. */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * bench_parse_count - a decimal count from 1 to max in *value_r; false for
 * anything else (a sign, white space, trailing text, overflow).
 */
bool bench_parse_count(const char *text, unsigned long max, unsigned int *value_r);

/* bench_now - seconds on the monotonic clock. */
double bench_now(void);

/* bench_stats - median, minimum and maximum of values[0..n); values is sorted in place. */
void bench_stats(double *values, unsigned int n, double *median_r, double *min_r, double *max_r);

/* bench_create_file - a new file (O_EXCL) with mode, as a stdio stream; fatal on error. */
FILE *bench_create_file(const char *path, mode_t mode);

/* bench_close_checked - fclose, reporting the error of any earlier write too. */
void bench_close_checked(FILE *f, const char *path);

/* bench_print_machine - "mailpass PROGRAM", then date, CPUs, system and libsodium lines. */
void bench_print_machine(void);

#endif
