#!/usr/bin/env bash
# Throughput of `badgatewayd scan` against wc -l and grep on a generated 1M-line log.
#   bench/run.sh [BUILD_DIR]        (default: build; set up and built if needed)
# Env: LINES (default 1000000), RUNS (default 5), SEED (default 1).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
lines=${LINES:-1000000}
runs=${RUNS:-5}
seed=${SEED:-1}

[[ -f $build/build.ninja ]] || meson setup "$build" "$src"
ninja -C "$build" daemon/badgatewayd bench/gen_errorlog >/dev/null
bgw=$build/daemon/badgatewayd
gen=$build/bench/gen_errorlog

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgw-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$tmp/error.log
"$gen" -s "$seed" "$lines" >"$log"
bytes=$(stat -c %s "$log")

# Warm the page cache, so every contender reads from memory.
cat "$log" >/dev/null
cat "$log" >/dev/null

# Rounds interleave the contenders (wc, grep, scan, scan --json, then again) so a burst of
# load elsewhere hits them alike; each keeps its fastest wall time, in nanoseconds.
# GNU grep stops at the first match when its output is /dev/null, so wc and grep write to a
# file; scan writes to /dev/null.
out=$tmp/out
grep_c() { LC_ALL=C grep -c upstream "$1" || true; }
time_ns() {     # DEST CMD...
        local dest=$1 t0 t1
        shift
        t0=$(date +%s%N)
        "$@" >"$dest"
        t1=$(date +%s%N)
        echo $((t1 - t0))
}
keep_min() {    # VAR NS
        if ((${!1} == 0 || $2 < ${!1})); then printf -v "$1" '%s' "$2"; fi
}
t_wc=0 t_grep=0 t_scan=0 t_json=0
for ((i = 0; i < runs; i++)); do
        keep_min t_wc "$(time_ns "$out" wc -l "$log")"
        keep_min t_grep "$(time_ns "$out" grep_c "$log")"
        keep_min t_scan "$(time_ns /dev/null "$bgw" scan "$log")"
        keep_min t_json "$(time_ns /dev/null "$bgw" scan --json "$log")"
done

row() {         # name ns
        awk -v name="$1" -v ns="$2" -v lines="$lines" -v bytes="$bytes" 'BEGIN {
                s = ns / 1e9
                printf "%-28s %9.1f ms %12.0f lines/s %9.1f MB/s\n", name, s * 1e3, lines / s, bytes / s / 1e6
        }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "input: $lines lines, $bytes bytes (seed $seed); best of $runs interleaved runs, page cache warm"
echo "load average: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "badgatewayd: $bgw ($(meson introspect --buildoptions "$build" 2>/dev/null |
        python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo '?'))"
row "wc -l" "$t_wc"
row "grep -c upstream (LC_ALL=C)" "$t_grep"
row "badgatewayd scan" "$t_scan"
row "badgatewayd scan --json" "$t_json"
echo "scan/wc:   $(ratio "$t_scan" "$t_wc")x    scan --json/wc:   $(ratio "$t_json" "$t_wc")x"
echo "scan/grep: $(ratio "$t_scan" "$t_grep")x    scan --json/grep: $(ratio "$t_json" "$t_grep")x"
echo "target: scan <= 3.0x wc -l"
if awk -v a="$t_scan" -v b="$t_wc" 'BEGIN { exit !(a <= 3.0 * b) }'; then
        echo "target met ($(ratio "$t_scan" "$t_wc")x)"
else
        echo "target NOT met ($(ratio "$t_scan" "$t_wc")x)"
fi
