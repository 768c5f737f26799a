#!/bin/sh
# Valgrind memcheck over mailpass: tests/unit (every CUnit suite), the
# mailpass command as tests/cli_test.py and tests/migration_test.py drive it,
# tests/pam-test (the real libpam loading pam_mailpass.so, through
# tests/pam.test and its syslog capture) and tests/sasl-test (the real
# libsasl2 loading libmailpass.so, through tests/sasl.test).
#
# Every process, forked children included, writes a memcheck log of its own.
# The run fails when a test fails, or when any log reports an invalid access,
# a use of uninitialised memory or a definite, indirect or possible leak.
# Suppressions come from tests/valgrind.supp and may name host libraries
# only.  A control program with one invalid read and one leak
# (tests/valgrind-control) must be reported, or the run fails: the proof that
# the options and the scan of the logs catch what they are there to catch.
#
# Run by make check-valgrind, which sets the variables of make check plus
# MAILPASS_VALGRIND_SUPP and MAILPASS_VALGRIND_CONTROL.  Everything it writes
# is under tests/valgrind/ in the build directory; the logs stay there.
#
# Exit status: 0 clean, 1 an error, a leak or a failed test, 77 skipped
# (valgrind is not installed; with MAILPASS_REQUIRE_TOOLS=1 a failure), 99
# the build is incomplete or cannot run under valgrind.
set -u

skip() {
	echo "SKIP: $*"
	if [ "${MAILPASS_REQUIRE_TOOLS:-0}" = 1 ]; then
		echo "MAILPASS_REQUIRE_TOOLS=1: a skip is a failure"
		exit 1
	fi
	exit 77
}

hard_error() {
	echo "check-valgrind: ERROR: $*" >&2
	exit 99
}

for var in MAILPASS_BIN MAILPASS_SRCDIR MAILPASS_BUILDDIR MAILPASS_PAM_MODULE \
	MAILPASS_SYSLOG_SHIM MAILPASS_SASL_PLUGIN_DIR MAILPASS_VALGRIND_SUPP \
	MAILPASS_VALGRIND_CONTROL; do
	eval "value=\${$var:-}"
	[ -n "$value" ] || hard_error "$var is not set; run this through make check-valgrind"
	# The wrappers below quote every path in single quotes.
	case $value in
	*"'"*) hard_error "$var contains a single quote: $value" ;;
	esac
done
for program in "$MAILPASS_BIN" "$MAILPASS_BUILDDIR/tests/unit" \
	"$MAILPASS_BUILDDIR/tests/pam-test" "$MAILPASS_BUILDDIR/tests/sasl-test" \
	"$MAILPASS_VALGRIND_CONTROL"; do
	[ -x "$program" ] || hard_error "$program is not built"
done
[ -f "$MAILPASS_VALGRIND_SUPP" ] || hard_error "$MAILPASS_VALGRIND_SUPP is missing"
# AddressSanitizer and memcheck cannot share a process.
[ -z "${MAILPASS_SANITIZER_PRELOAD:-}" ] ||
	hard_error "this build uses --enable-sanitizers; configure a build without them for valgrind"
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (apt-get install valgrind)"
command -v python3 >/dev/null 2>&1 || hard_error "python3 is needed for the CLI tests"

# The options of every run.  definite, indirect and possible leaks are
# errors; "still reachable" memory (held by a global at exit) is not a leak.
VALGRIND_OPTIONS="--tool=memcheck --leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible
	--error-exitcode=99 --track-fds=no"

top=$MAILPASS_BUILDDIR/tests/valgrind
logs=$top/logs
rm -rf "$top"
mkdir -p "$top/bin" "$top/build/tests" "$logs" "$top/control" ||
	hard_error "cannot make $top"
# Unprivileged children of tests/pam-test write their logs here too.
chmod 0755 "$top" "$top/build" "$top/build/tests"
chmod 1777 "$logs"

# wrap NAME PROGRAM WRAPPER [LOGDIR] - write WRAPPER, which runs PROGRAM
# under memcheck with a log per process in LOGDIR/NAME.PID.log.
wrap() {
	{
		echo '#!/bin/sh'
		echo "# $2 under valgrind memcheck (written by tests/valgrind.sh)."
		printf 'exec valgrind'
		# shellcheck disable=SC2086
		for arg in $VALGRIND_OPTIONS "--suppressions=$MAILPASS_VALGRIND_SUPP" \
			"--log-file=${4:-$logs}/$1.%p.log" "$2"; do
			printf " '%s'" "$arg"
		done
		printf ' "$@"\n'
	} >"$3" || hard_error "cannot write $3"
	chmod 0755 "$3" || hard_error "cannot make $3 executable"
}

wrap unit "$MAILPASS_BUILDDIR/tests/unit" "$top/bin/unit"
wrap cli "$MAILPASS_BIN" "$top/bin/mailpass"
# tests/pam.test and tests/sasl.test run "$MAILPASS_BUILDDIR/tests/NAME":
# given a build directory of wrappers they run the real programs under
# memcheck with everything else they set up (the syslog capture, the
# system's SASL plugin directory) unchanged.
wrap pam "$MAILPASS_BUILDDIR/tests/pam-test" "$top/build/tests/pam-test"
wrap sasl "$MAILPASS_BUILDDIR/tests/sasl-test" "$top/build/tests/sasl-test"
wrap control "$MAILPASS_VALGRIND_CONTROL" "$top/bin/control" "$top/control"

# --- The control: both planted errors must be reported.
"$top/bin/control" >"$top/control.out" 2>&1
status=$?
control_log=
for log in "$top/control"/control.*.log; do
	[ -f "$log" ] && control_log=$log
done
if [ "$status" -ne 99 ] || [ -z "$control_log" ] ||
	! grep -q "Invalid read of size 1" "$control_log" ||
	! grep -q "definitely lost in loss record" "$control_log"; then
	echo "check-valgrind: FAIL: the control's invalid read and leak were not both" \
		"reported (exit $status, want 99); see $top/control"
	exit 1
fi
echo "check-valgrind: the control's invalid read and leak were reported"

# step NAME COMMAND... - run one test; output in NAME.out, status in NAME.status.
step() {
	step_name=$1
	shift
	step_start=$(date +%s)
	"$@" >"$top/$step_name.out" 2>&1
	echo "$?" >"$top/$step_name.status"
	echo "check-valgrind: $step_name finished in $(($(date +%s) - step_start)) s"
}

# Two lanes of about the same length, one per core.
echo "check-valgrind: running tests/unit, the CLI tests, tests/pam-test and" \
	"tests/sasl-test under memcheck (several minutes)"
start=$(date +%s)
(
	step cli env MAILPASS_BIN="$top/bin/mailpass" \
		python3 "$MAILPASS_SRCDIR/tests/cli_test.py"
	step pam env MAILPASS_BUILDDIR="$top/build" sh "$MAILPASS_SRCDIR/tests/pam.test"
	step sasl env MAILPASS_BUILDDIR="$top/build" sh "$MAILPASS_SRCDIR/tests/sasl.test"
) &
lane1=$!
(
	step migration env MAILPASS_BIN="$top/bin/mailpass" \
		python3 "$MAILPASS_SRCDIR/tests/migration_test.py"
	step unit "$top/bin/unit"
) &
lane2=$!
wait "$lane1"
wait "$lane2"
echo "check-valgrind: all runs finished in $(($(date +%s) - start)) s"

failed=0
skipped=0

# --- Each test's own verdict.
for name in unit cli migration pam sasl; do
	status=$(cat "$top/$name.status" 2>/dev/null || echo missing)
	case $status in
	0) echo "check-valgrind: $name: passed" ;;
	77)
		echo "check-valgrind: $name: SKIPPED: $(grep -m 1 'SKIP' "$top/$name.out")"
		skipped=$((skipped + 1))
		;;
	*)
		echo "check-valgrind: $name: FAILED (exit $status); the end of $top/$name.out:"
		tail -n 40 "$top/$name.out" 2>/dev/null | sed 's/^/    /'
		failed=$((failed + 1))
		;;
	esac
done

# --- Every log.  A log without an ERROR SUMMARY belongs to a forked child
# that replaced itself with another program (system(3), popen(3), pam_exec);
# memcheck does not follow it there.  Such a log holds only memcheck's six
# header lines; anything more is reported.
checked=0
handed_over=0
for log in "$logs"/*.log; do
	[ -f "$log" ] || continue
	if grep -q "ERROR SUMMARY: 0 errors" "$log"; then
		checked=$((checked + 1))
	elif ! grep -q "ERROR SUMMARY:" "$log" && [ "$(wc -l <"$log")" -le 6 ]; then
		handed_over=$((handed_over + 1))
	else
		echo "check-valgrind: FAIL: memcheck reported errors or leaks in $log:"
		sed 's/^/    /' "$log"
		failed=$((failed + 1))
	fi
done
for name in unit cli pam sasl; do
	grep -l "ERROR SUMMARY" "$logs/$name".*.log >/dev/null 2>&1 || {
		echo "check-valgrind: FAIL: no complete memcheck log from $name"
		failed=$((failed + 1))
	}
done
echo "check-valgrind: $checked processes checked by memcheck," \
	"$handed_over ended by running another program; logs in $logs"

if [ "$failed" -ne 0 ]; then
	echo "check-valgrind: FAILED"
	exit 1
fi
if [ "$skipped" -ne 0 ]; then
	echo "check-valgrind: passed, but $skipped test(s) skipped"
	exit 0
fi
echo "check-valgrind: no error and no leak"
exit 0
