#!/usr/bin/env bash
# Scan: `badgatewayd scan` and `scan --json` beside `wc -l` (plain) and `zcat | wc -l` (.gz) on
# generated logs of two mixes: benign (gen_errorlog's default: ~7% failures) and failure-heavy
# (gen_errorlog -f 40: 40% failures, as during an outage).
#   bench/scan.sh [BUILD_DIR]
# Env: LINES (default "1000000"; e.g. LINES="1000000 10000000"), RUNS (default 5), SEED
# (default 1), GZIP_LEVEL (default 6, logrotate's), BGW (another badgatewayd binary to time).
#
# Each file is read twice first (page cache warm); then rounds run every contender once in
# turn, RUNS rounds, and each keeps its fastest wall time (date +%s%N around the command).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sizes=${LINES:-1000000}
runs=${RUNS:-5}
seed=${SEED:-1}
level=${GZIP_LEVEL:-6}

# wc's one line goes to a file, scan's output to /dev/null (so no file system is timed: 10M
# failure-heavy lines make 1.6 GB of JSON).
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
zcat_wc() { gzip -dc "$1" | wc -l; }
row() {         # NAME NS LINES BYTES [BASE_NS]
        awk -v name="$1" -v ns="$2" -v lines="$3" -v bytes="$4" -v base="${5:-0}" 'BEGIN {
                s = ns / 1e9
                printf "  %-30s %9.1f ms %12.0f lines/s %8.1f MB/s", name, s * 1e3, lines / s, bytes / s / 1e6
                if (base > 0) printf "  %5.2fx", ns / base
                printf "\n"
        }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# CPU time (user + sys, ms) of one run: scan reads a regular file on a second thread, so its CPU
# time can exceed its wall time; printed beside the wall time so that neither hides the other.
cpu_ms() {
        local TIMEFORMAT='%3U %3S' out
        out=$({ time "$@" >/dev/null 2>&1; } 2>&1)
        awk -v t="$out" 'BEGIN { split(t, a, " "); printf "%.0f", (a[1] + a[2]) * 1000 }'
}

machine
echo "best of $runs interleaved runs, page cache warm; badgatewayd: $bgw"
for lines in $sizes; do
        for mix in benign failure-heavy; do
                log=$tmp/error.log
                if [[ $mix = benign ]]; then "$gen" -s "$seed" "$lines" >"$log"; else "$gen" -s "$seed" -f 40 "$lines" >"$log"; fi
                gzip -"$level" -c "$log" >"$log.gz"
                bytes=$(stat -c %s "$log") gzbytes=$(stat -c %s "$log.gz")
                for f in "$log" "$log.gz"; do cat "$f" >/dev/null; cat "$f" >/dev/null; done
                classified=$("$bgw" scan --json "$log" | tail -1 | sed 's/.*"kinds":{//' |
                        awk -F'[:,}]' '{ for (i = 2; i <= NF; i += 2) n += $i } END { print n + 0 }')
                w=0 s=0 j=0 zw=0 zs=0 zj=0
                for ((i = 0; i < runs; i++)); do
                        keep_min w "$(time_ns "$tmp/out" wc -l "$log")"
                        keep_min s "$(time_ns /dev/null "$bgw" scan "$log")"
                        keep_min j "$(time_ns /dev/null "$bgw" scan --json "$log")"
                        keep_min zw "$(time_ns "$tmp/out" zcat_wc "$log.gz")"
                        keep_min zs "$(time_ns /dev/null "$bgw" scan "$log.gz")"
                        keep_min zj "$(time_ns /dev/null "$bgw" scan --json "$log.gz")"
                done
                echo "scan $lines lines, $mix mix: $bytes bytes, $classified lines classified; .gz (gzip -$level) $gzbytes bytes"
                echo "  CPU of one more run (user+sys): wc -l $(cpu_ms wc -l "$log") ms, scan $(cpu_ms "$bgw" scan "$log") ms," \
                        "scan --json $(cpu_ms "$bgw" scan --json "$log") ms; .gz: scan $(cpu_ms "$bgw" scan "$log.gz") ms"
                row "wc -l" "$w" "$lines" "$bytes"
                row "badgatewayd scan" "$s" "$lines" "$bytes" "$w"
                row "badgatewayd scan --json" "$j" "$lines" "$bytes" "$w"
                row "zcat FILE.gz | wc -l" "$zw" "$lines" "$bytes"
                row "badgatewayd scan .gz" "$zs" "$lines" "$bytes" "$zw"
                row "badgatewayd scan --json .gz" "$zj" "$lines" "$bytes" "$zw"
                verdict "scan/wc -l, $lines $mix" "$(ratio "$s" "$w")" "<=" 2
                verdict "scan --json/wc -l, $lines $mix" "$(ratio "$j" "$w")" "<=" 6
                verdict "scan .gz/zcat|wc -l, $lines $mix" "$(ratio "$zs" "$zw")" "<=" 2
                verdict "scan --json .gz/zcat|wc -l, $lines $mix" "$(ratio "$zj" "$zw")" "<=" 6
        done
done
