#!/bin/sh
# sanitizer-run.sh - runs one test of "make check" in a build configured with
# --enable-sanitizers (automake's LOG_COMPILER and TEST_LOG_COMPILER), and
# fails it when any process it started left a sanitizer report.
#
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer write their
# reports to files in tests/sanitizer-reports/TEST/ (log_path), whichever
# process found the error: the test program, the mailpass command it runs,
# or a server (Dovecot, Cyrus, saslauthd) whose output nobody reads.  After
# the test every report is printed into the test's log and the test fails,
# whatever its own status was.  A sanitizer error also ends the process
# with status 86, which no mailpass program uses.
#
# Leak detection is on here; the tests turn it off only for programs that
# are not ours (tests/e2e_util.py, sanitized_env).
#
# Usage: sanitizer-run.sh TEST [ARGUMENT...]
# Environment: MAILPASS_BUILDDIR (set by make check).
set -u

if [ $# -lt 1 ] || [ -z "${MAILPASS_BUILDDIR:-}" ]; then
	echo "usage: sanitizer-run.sh TEST [ARGUMENT...] (through make check)" >&2
	exit 99
fi
name=$(basename "$1")
reports=$MAILPASS_BUILDDIR/tests/sanitizer-reports/$name
rm -rf "$reports"
mkdir -p "$reports" || exit 99
# Servers running as other users (dovenull, cyrus, ...) write here too.
chmod 1777 "$reports" || exit 99

# Ours come last: a later option wins, and log_path must not be overridden.
# allocator_may_return_null: malloc fails by returning NULL, as it does
# without the sanitizer, so that the tests of the out-of-memory paths (a
# lowered RLIMIT_AS in tests/pam-test) still test those paths.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$reports/asan:log_exe_name=1:exitcode=86:abort_on_error=0:detect_leaks=1:allocator_may_return_null=1"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$reports/ubsan:log_exe_name=1:exitcode=86:halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

"$@"
status=$?

found=0
for report in "$reports"/*; do
	[ -f "$report" ] || continue
	found=$((found + 1))
	echo "==== sanitizer report $report"
	cat "$report"
done
if [ "$found" -gt 0 ]; then
	echo "FAIL: $found sanitizer report(s) from $name (its own exit status: $status)"
	exit 1
fi
rmdir "$reports" 2>/dev/null
exit "$status"
