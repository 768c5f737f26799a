#!/bin/sh
# campaign.sh DIR [TARGET...] - the long campaign: each target (default
# every fuzz-* in DIR) for RUNS executions (default 10000000), JOBS at a
# time (default 2), with logs, corpus and crash inputs under LOGDIR
# (default /tmp/mailpass-fuzz-campaign).  Prints, per target, the
# executions done, the time taken and the result.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: campaign.sh DIR [TARGET...]}
shift
runs=${RUNS:-10000000}
jobs=${JOBS:-2}
logdir=${LOGDIR:-/tmp/mailpass-fuzz-campaign}
mkdir -p "$logdir"

if [ $# -eq 0 ]; then
	for bin in "$dir"/fuzz-*; do
		[ -x "$bin" ] && [ -f "$bin" ] && set -- "$@" "$(basename "$bin")"
	done
fi

one() {
	target=$1
	mkdir -p "$logdir/$target.corpus" "$logdir/$target.crashes"
	start=$(date +%s)
	if "$dir/$target" -runs="$runs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$logdir/$target.crashes/" \
		"$logdir/$target.corpus" "$here/corpus/$target" > "$logdir/$target.log" 2>&1; then
		result=clean
	else
		result="FAILED (exit $?)"
	fi
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logdir/$target.log" | tail -1)
	crashes=$(ls "$logdir/$target.crashes" | wc -l)
	echo "$target: ${execs:-?} execs in $((end - start)) s, $crashes crash inputs, $result" |
		tee "$logdir/$target.result"
}

running=0
for target in "$@"; do
	one "$target" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
cat "$logdir"/*.result
