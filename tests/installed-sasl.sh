#!/bin/sh
# After "make install": saslpluginviewer, libsasl2's own tool, must list the
# installed libmailpass.so with the PLAIN and LOGIN mechanisms and the
# "mailpass" auxprop plugin.  Run by CI as root.
set -u
plugindir=${1:-$(pkg-config --variable=libdir libsasl2)/sasl2}
passed=0
failed=0

check() {
	label=$1
	pattern=$2
	if printf '%s\n' "$out" | grep -Eq "$pattern"; then
		passed=$((passed + 1))
		echo "ok: $label"
	else
		failed=$((failed + 1))
		echo "FAIL: $label (no line matching /$pattern/)"
	fi
}

if ! command -v saslpluginviewer >/dev/null 2>&1; then
	echo "FAIL: saslpluginviewer not installed (Debian: sasl2-bin)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -f "$plugindir/libmailpass.so" ]; then
	echo "FAIL: $plugindir/libmailpass.so is not installed"
	echo "0 passed, 1 failed"
	exit 1
fi

# Only our plugin in the path, so every line below is about it.
view=$(mktemp -d /tmp/mailpass-saslview.XXXXXX)
trap 'rm -rf "$view"' EXIT
ln -s "$plugindir/libmailpass.so" "$view/libmailpass.so"
out=$(saslpluginviewer -p "$view" -s -a 2>&1)
printf '%s\n' "$out"
check "auxprop mailpass is installed and configured" '^mailpass$'
check "auxprop plugin named mailpass" '^Plugin "mailpass" ,[[:space:]]+API version'
check "mechanism PLAIN from mailpass" 'SASL mechanism: PLAIN,'
check "mechanism LOGIN from mailpass" 'SASL mechanism: LOGIN,'
check "server mechanisms offered" 'PLAIN LOGIN'
# The plugin is read-only, and must not stop saslpasswd2 from writing through
# the stock sasldb plugin installed beside it.
if command -v saslpasswd2 >/dev/null 2>&1; then
	if printf 'Sasldb-pw-3Xc9\n' | saslpasswd2 -p -c -f "$view/sasldb2" -u example.org carol \
		>"$view/saslpasswd2.out" 2>&1 && [ -s "$view/sasldb2" ]; then
		passed=$((passed + 1))
		echo "ok: saslpasswd2 writes sasldb2 with libmailpass.so installed"
	else
		failed=$((failed + 1))
		echo "FAIL: saslpasswd2 with libmailpass.so installed: $(cat "$view/saslpasswd2.out")"
	fi
else
	failed=$((failed + 1))
	echo "FAIL: saslpasswd2 not installed (Debian: sasl2-bin)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
