#!/bin/sh
# smoke.sh DIR [SECONDS] - run every target built in DIR (by build.sh) on its
# seed corpus fuzz/corpus/<target>/ for SECONDS (default 30), then replay
# fuzz/regressions/<target>/.  Fails on any crash, leak, timeout or
# sanitizer report.  New inputs go to a scratch copy; the committed corpus
# is not changed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: smoke.sh DIR [SECONDS]}
secs=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/mailpass-fuzz-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
status=0

for bin in "$dir"/fuzz-*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	target=$(basename "$bin")
	seeds="$here/corpus/$target"
	mkdir -p "$work/$target"
	if [ -d "$here/regressions/$target" ] &&
	   [ -n "$(ls -A "$here/regressions/$target")" ]; then
		if ! "$bin" -runs=0 "$here/regressions/$target"/* > "$work/$target.regress.log" 2>&1; then
			echo "FAIL $target: a regression input crashes"
			tail -40 "$work/$target.regress.log"
			status=1
			continue
		fi
	fi
	if "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$target-" "$work/$target" "$seeds" \
		> "$work/$target.log" 2>&1; then
		echo "PASS $target: $(grep -E '^Done [0-9]+ runs' "$work/$target.log")"
	else
		echo "FAIL $target"
		tail -60 "$work/$target.log"
		for a in "$work/$target"-*; do
			[ -f "$a" ] && cp "$a" "./$(basename "$a")" && echo "  input kept in ./$(basename "$a")"
		done
		status=1
	fi
done
exit $status
