#!/usr/bin/env bash
# Latency: a failure line appended to a log the daemon follows -> its alert on the JSON sink
# (badgatewayd run --stdout), beside a minimal inotify reader woken by the same appends.
#   bench/latency.sh [BUILD_DIR]
# Env: EVENTS (default 1000).
#
# One alert per event: each line is a connect() to a unix socket that no pool serves, so it
# fires an alert for that upstream; ResolveAfter = 20ms resolves it 20 ms later (nothing else
# keeps it firing), and the driver waits for that "resolved" before it appends the next line,
# which then fires afresh. SummaryInterval = 1h keeps repeats out. The time is from just before
# write(2) to the moment the alert line is read from the daemon's stdout pipe.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
events=${EVENTS:-1000}

log=$tmp/error.log
: >"$log"
write_config "$tmp/bgw.conf" "$log" "ResolveAfter = 20ms" "SummaryInterval = 1h"

machine
"$follow" latency -n "$events" -w '"state":"resolved"' -l "badgatewayd (JSON sink)" "$log" -- \
        "$bgw" run --config "$tmp/bgw.conf" --state-dir "$tmp/state" --stdout 2>"$tmp/daemon.err" | tee "$tmp/daemon.out"
"$follow" latency -n "$events" -l "inotify_reader (baseline)" "$log" -- \
        "$inotify_reader" "$log" 2>/dev/null | tee "$tmp/base.out"
p99=$(sed -n 's/.* p99 \([0-9.]*\) ms.*/\1/p' "$tmp/daemon.out")
verdict "p99 to the JSON sink (ms)" "$p99" "<=" 2

echo "latency (journal): bench/latency_journal.sh measures it (under a systemd manager and journald of its own)"
