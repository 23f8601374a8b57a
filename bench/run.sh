#!/usr/bin/env bash
# Every benchmark in turn: latency, latency_journal, burst, idle, scan, rss (see bench/README.md).
# Each script prints its figures beside a baseline from the same run and its target with "met"
# or "NOT met".
#   bench/run.sh [BUILD_DIR]        (default: build; set up and built if needed)
# Env as the scripts take it: EVENTS, LINES, RATE, IDLE_SECONDS, RUNS, SEED… (LINES is the
# burst's size and the scan's sizes: set it per script to tell them apart).
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
for b in latency latency_journal burst idle scan rss; do
        echo "== $b"
        "$here/$b.sh" "$@"
done
