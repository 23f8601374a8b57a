#!/usr/bin/env bash
# RSS over an hour's worth of traffic, time-compressed: HOUR_LINES lines of gen_errorlog's mix
# (100 lines/s for an hour by default) appended in PARTS parts, the log rotated after each (an
# hourly logrotate made PARTS times more frequent), while the daemon probes its pool
# PROBE_CYCLES times (an hour at the default 5 s) and its findings fire, summarise and resolve
# with ResolveAfter and SummaryInterval compressed by the same factor. VmRSS of the daemon at
# the start (before any line), after the first part, in the middle and at the end, beside
# inotify_reader following the same log (the baseline: a reader that keeps nothing).
#   bench/rss.sh [BUILD_DIR]
# Env: HOUR_LINES (default 360000), PARTS (default 12), SECONDS_PER_HOUR (wall seconds the hour
# is pushed through, default 8), FAIL_PCT (default 10), SEED (default 1).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lines=${HOUR_LINES:-360000}
parts=${PARTS:-12}
wall=${SECONDS_PER_HOUR:-8}
fail_pct=${FAIL_PCT:-10}
seed=${SEED:-1}
probe_cycles=720
# an hour in $wall seconds: the probe interval, ResolveAfter (60 s) and SummaryInterval (300 s)
probe_ms=$(awk -v w="$wall" -v c=$probe_cycles 'BEGIN { v = int(w * 1000 / c); print v < 10 ? 10 : v }')
resolve_ms=$(awk -v w="$wall" 'BEGIN { v = int(60 * w * 1000 / 3600); print v < 1 ? 1 : v }')
summary_ms=$(awk -v w="$wall" 'BEGIN { v = int(300 * w * 1000 / 3600); print v < 1 ? 1 : v }')

mkdir "$tmp/nginx"
log=$tmp/nginx/error.log
: >"$log"
"$gen" -s "$seed" -f "$fail_pct" "$lines" >"$tmp/input.log"
split -n "l/$parts" -d -a 4 "$tmp/input.log" "$tmp/part."
write_config "$tmp/bgw.conf" "$log" "ProbeInterval = ${probe_ms}ms" "ProbeTimeout = 500ms" \
        "ResolveAfter = ${resolve_ms}ms" "SummaryInterval = ${summary_ms}ms"

"$bgw" run --config "$tmp/bgw.conf" --state-dir "$tmp/state" --stdout >"$tmp/daemon.out" 2>"$tmp/daemon.err" &
daemon=$!
pids+=($daemon)
"$inotify_reader" "$log" >/dev/null 2>&1 &
base=$!
pids+=($base)
for _ in $(seq 100); do grep -qs "started:" "$tmp/daemon.err" && break; sleep 0.05; done

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }

r0=$(rss_kb $daemon) b0=$(rss_kb $base)
t0=$(date +%s%N)
i=0
for part in "$tmp"/part.*; do
        i=$((i + 1))
        cat "$part" >>"$log"
        # the part's share of the hour, then the rotation
        sleep "$(awk -v w="$wall" -v p="$parts" 'BEGIN { print w / p }')"
        mv "$log" "$log.1" && : >"$log"
        if ((i == 1)); then r1=$(rss_kb $daemon) b1=$(rss_kb $base); fi
        if ((i == (parts + 1) / 2)); then rm_=$(rss_kb $daemon) bm=$(rss_kb $base); fi
done
sleep 1 # the last resolutions
kill -0 $daemon 2>/dev/null || { echo "badgatewayd died:"; cat "$tmp/daemon.err"; exit 1; }
re=$(rss_kb $daemon) be=$(rss_kb $base)
t1=$(date +%s%N)
kill $daemon
wait $daemon 2>/dev/null
alerts=$(wc -l <"$tmp/daemon.out")
read_lines=$(sed -n 's/.*stopped: \([0-9]*\) lines read.*/\1/p' "$tmp/daemon.err")

machine
echo "rss: an hour's worth in $(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.1f", n / 1e9 }') s: $lines lines ($fail_pct% failures) in $parts parts, $parts rotations, ~$probe_cycles probe cycles (every $probe_ms ms), ResolveAfter ${resolve_ms} ms, SummaryInterval ${summary_ms} ms; $alerts alerts, ${read_lines:-?} lines read"
echo "rss badgatewayd: start $(mb "$r0") MB, after the first part $(mb "$r1") MB, middle $(mb "$rm_") MB, end $(mb "$re") MB; growth from the first part to the end $((re - r1)) KB"
echo "rss inotify_reader (baseline): start $(mb "$b0") MB, after the first part $(mb "$b1") MB, middle $(mb "$bm") MB, end $(mb "$be") MB"
verdict "RSS growth from the first part to the end (KB)" $((re - r1)) "<=" 256
verdict "lines read" "${read_lines:-0}" ">=" "$lines"
