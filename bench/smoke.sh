#!/usr/bin/env bash
# The benchmark scripts still work: each run with tiny sizes, its figure lines checked for (not
# its timings). Run by `meson test --suite bench`.
#   bench/smoke.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1
export BENCH_NO_BUILD=1
out=$(mktemp "${TMPDIR:-/tmp}/bgw-bench-smoke.XXXXXX")
trap 'rm -f "$out"' EXIT
fail=0
expect() {      # SCRIPT PATTERN...
        local script=$1 p
        shift
        for p in "$@"; do
                if ! grep -q -- "$p" "$out"; then
                        echo "FAIL $script: no line matching '$p' in:"
                        cat "$out"
                        fail=1
                fi
        done
}
EVENTS=20 "$here/latency.sh" "$build" >"$out" 2>&1 || true
expect latency 'latency badgatewayd (JSON sink): 20 events, p50 .* ms, p99 .* ms, max .* ms, missed 0' \
        'latency inotify_reader (baseline): 20 events' 'target p99 to the JSON sink' 'latency (journal): '
EVENTS=3 TAIL_EVENTS=1 "$here/latency_journal.sh" "$build" >"$out" 2>&1 || true
if grep -q 'latency (journal): skipped: ' "$out"; then
        sed -n 's/^/latency_journal.sh: /; /skipped/p' "$out"
else
        expect latency_journal 'latency badgatewayd -> journal: 3 events, p50 .* ms, p99 .* ms, max .* ms, missed 0' \
                'latency inotify_reader | systemd-cat -> journal (baseline): 3 events' \
                'latency badgatewayd -> journalctl -f: 1 events'
fi
LINES=20000 RATE=200000 "$here/burst.sh" "$build" >"$out" 2>&1 || true
expect burst 'burst fast: writer .* lines/s' 'burst fast: max lag' 'ms per million lines' \
        'burst fast: lines written 20006, read 20006, lost 0' 'burst paced: .* of one core over the burst' \
        'baseline: cat FILE' 'target lines lost: 0 <= 0: met'
IDLE_SECONDS=2 "$here/idle.sh" "$build" >"$out" 2>&1 || true
expect idle 'idle badgatewayd: 2 s, cpu .* ms, wake-ups .*, RSS .* MB' 'idle inotify_reader (baseline)' 'target RSS (MB)'
LINES=5000 RUNS=1 "$here/scan.sh" "$build" >"$out" 2>&1 || true
expect scan 'scan 5000 lines, benign mix' 'scan 5000 lines, failure-heavy mix' 'badgatewayd scan --json .gz' \
        'zcat FILE.gz | wc -l' 'target scan --json/wc -l, 5000 failure-heavy'
HOUR_LINES=20000 PARTS=4 SECONDS_PER_HOUR=2 "$here/rss.sh" "$build" >"$out" 2>&1 || true
expect rss 'rss badgatewayd: start .* MB, after the first part .* MB, middle .* MB, end .* MB; growth' \
        'rss inotify_reader (baseline): start' 'target RSS growth from the first part to the end (KB)' \
        'target lines read: 20000 >= 20000: met'
if ((fail == 0)); then echo "bench scripts: all figure lines present"; fi
exit $fail
