#!/bin/sh
# installed-pam.sh - pamtester against the installed pam_mailpass.so.
#
# Run as root after "make install".  Writes /etc/pam.d/mailpass-installed-test
# naming the module by its name, as an admin does, so that libpam loads the
# copy in the system's module directory; makes a store with the mailpass
# command (MAILPASS_BIN, else the build tree's, else the one on PATH); checks
# right and wrong passwords, an unknown user and account management.  The
# service file and the temporary directory are removed on exit.  When the
# syslog capture of the build tree is there (or MAILPASS_SYSLOG_SHIM names
# it), what the module logged is checked too, and searched for the passwords.
# For a module built with --enable-sanitizers, MAILPASS_SANITIZER_PRELOAD
# names the sanitizer runtimes that pamtester must preload.
#
# Prints "N passed, N failed"; exits 0 only when every check passed.
set -u

service=mailpass-installed-test
service_file=/etc/pam.d/$service
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "ok: $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "installed-pam.sh: run as root (it writes $service_file)" >&2
	exit 2
fi
if ! command -v pamtester >/dev/null 2>&1; then
	echo "installed-pam.sh: pamtester is missing (apt-get install pamtester)" >&2
	exit 2
fi
if [ -e "$service_file" ]; then
	echo "installed-pam.sh: $service_file exists; refusing to replace it" >&2
	exit 2
fi

bin=${MAILPASS_BIN:-}
if [ -z "$bin" ]; then
	if [ -x "$here/../tools/mailpass" ]; then
		bin=$here/../tools/mailpass
	else
		bin=$(command -v mailpass) || bin=
	fi
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "installed-pam.sh: no mailpass command (set MAILPASS_BIN)" >&2
	exit 2
fi

shim=${MAILPASS_SYSLOG_SHIM:-$here/.libs/libsyslog-capture.so}
[ -f "$shim" ] || shim=
# The sanitizer runtimes come first; pamtester's own leaks are not ours.
preload=${MAILPASS_SANITIZER_PRELOAD:+$MAILPASS_SANITIZER_PRELOAD${shim:+ }}$shim
pamtester_asan_options=${ASAN_OPTIONS:-}
if [ -n "${MAILPASS_SANITIZER_PRELOAD:-}" ]; then
	pamtester_asan_options="${pamtester_asan_options:+$pamtester_asan_options:}detect_leaks=0"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailpass-installed.XXXXXX") || exit 2
cleanup() {
	rm -f "$service_file"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# The module directory is the one holding the system's pam_unix.so.
moddir=
multiarch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)
for dir in ${multiarch:+/lib/$multiarch/security /usr/lib/$multiarch/security} \
	/lib64/security /usr/lib64/security /lib/security /usr/lib/security; do
	if [ -f "$dir/pam_unix.so" ]; then
		moddir=$dir
		break
	fi
done
if [ -n "$moddir" ] && [ -f "$moddir/pam_mailpass.so" ]; then
	pass "pam_mailpass.so is installed in $moddir"
else
	fail "pam_mailpass.so is not in the PAM module directory (${moddir:-none found})"
fi
if [ -n "$moddir" ] && [ ! -e "$moddir/pam_mailpass.la" ] && [ ! -e "$moddir/pam_mailpass.a" ]; then
	pass "no .la or .a beside it"
else
	fail "a .la or .a file was installed into the module directory"
fi

conf=$tmp/mailpass.conf
cat >"$conf" <<EOF
store = file:$tmp/passwd
argon2_opslimit = 1
argon2_memlimit = 8M
EOF
right=installed-Secret-1
wrong=installed-Wrong-2
carol_pw=installed-Secret-3
if printf '%s\n' "$right" | "$bin" -c "$conf" user add alice >/dev/null &&
	printf '%s\n' "$carol_pw" | "$bin" -c "$conf" user add carol >/dev/null; then
	pass "store made with $bin"
else
	fail "mailpass user add"
fi
# carol may not log in.
sed -i 's/^\(carol:[^:]*\)$/\1::::::nologin/' "$tmp/passwd"
grep -q '^carol:.*nologin$' "$tmp/passwd" || fail "could not disable carol"

cat >"$service_file" <<EOF
# Written by mailpass tests/installed-pam.sh; removed when it ends.
auth     required  pam_mailpass.so conf=$conf
account  required  pam_mailpass.so conf=$conf
EOF

# run_pamtester PASSWORD USER OPERATION... - pamtester's exit status; output to $tmp/out.
log=$tmp/syslog.log
run_pamtester() {
	password=$1
	shift
	if [ -n "$preload" ]; then
		printf '%s\n' "$password" | MAILPASS_SYSLOG_FILE=$log LD_PRELOAD=$preload \
			ASAN_OPTIONS=$pamtester_asan_options pamtester "$service" "$@" >"$tmp/out" 2>&1
	else
		printf '%s\n' "$password" | pamtester "$service" "$@" >"$tmp/out" 2>&1
	fi
}

# expect WANT LABEL PASSWORD USER OPERATION... - WANT is "accept" or "reject".
expect() {
	want=$1
	label=$2
	shift 2
	run_pamtester "$@"
	status=$?
	if { [ "$want" = accept ] && [ "$status" -eq 0 ]; } ||
		{ [ "$want" = reject ] && [ "$status" -ne 0 ]; }; then
		pass "$label"
	else
		fail "$label: pamtester exited $status: $(tr '\n' ' ' <"$tmp/out")"
	fi
}

expect accept "right password authenticates" "$right" alice authenticate
expect reject "wrong password is refused" "$wrong" alice authenticate
expect reject "unknown user is refused" "$right" mallory authenticate
expect accept "acct_mgmt accepts alice" "" alice acct_mgmt
expect reject "acct_mgmt refuses a nologin account" "" carol acct_mgmt
expect reject "the right password of a nologin account is refused" "$carol_pw" carol authenticate
expect accept "authenticate and acct_mgmt in one transaction" "$right" alice authenticate acct_mgmt
expect reject "acct_mgmt refuses an unknown user" "" mallory acct_mgmt

if [ -n "$shim" ]; then
	if grep -q "authenticate: service=$service user=alice rhost=-: MISMATCH" "$log" &&
		grep -q "user=mallory rhost=-: USER_UNKNOWN" "$log"; then
		pass "the module logged service, user, result and reason of each refusal"
	else
		fail "the module's log lines are missing: $(cat "$log")"
	fi
	# Without debug a successful login is the mail server's to log.
	if grep -q "authenticate: service=$service user=alice rhost=-: OK" "$log"; then
		fail "a successful login was logged without debug: $(cat "$log")"
	else
		pass "a successful login left no line without debug"
	fi
	leaked=
	for secret in "$right" "$wrong" "$carol_pw" \
		"$(sed -n 's/^alice:\([^:]*\).*/\1/p' "$tmp/passwd")" \
		"$(sed -n 's/^carol:\([^:]*\).*/\1/p' "$tmp/passwd")"; do
		grep -qF -- "$secret" "$log" && leaked=yes
	done
	if [ -z "$leaked" ]; then
		pass "no password or stored hash in the log"
	else
		fail "a password or stored hash is in the log"
	fi
else
	echo "note: no syslog capture (tests/.libs/libsyslog-capture.so); log not checked"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
