#!/usr/bin/env bash
# Burst: LINES generated lines (gen_errorlog's mix) appended as fast as write(2) goes while
# `badgatewayd run` follows the log and probes its pool every second; then the same lines paced
# at RATE lines/s. Baselines on the same file: cat > /dev/null and wc -l.
#   bench/burst.sh [BUILD_DIR]
# Env: LINES (default 1000000), RATE (default 100000; 0 skips the paced run), SEED (default 1).
#
# CPU is the daemon's utime + stime (/proc/PID/stat) from the first write to the last marker's
# alert. "% of one core at R lines/s" = CPU seconds per line x R: 100 ms per million lines at
# 100k lines/s is 10 ms of CPU each second, 1% of one core. The paced run measures it directly:
# CPU time over wall time while the lines come at RATE.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lines=${LINES:-1000000}
rate=${RATE:-100000}
seed=${SEED:-1}

"$gen" -s "$seed" "$lines" >"$tmp/input.log"
cat "$tmp/input.log" >/dev/null
write_config "$tmp/bgw.conf" "$tmp/error.log" "ProbeInterval = 1s" "ProbeTimeout = 500ms"

machine
burst_run() {   # LABEL [follow args...]
        local label=$1
        shift
        : >"$tmp/error.log"
        "$follow" burst -i "$tmp/input.log" -l "$label" "$@" "$tmp/error.log" -- \
                "$bgw" run --config "$tmp/bgw.conf" --state-dir "$tmp/state-$label" --stdout 2>"$tmp/daemon.err" | tee "$tmp/$label.out"
}
burst_run fast
if ((rate > 0)); then
        burst_run paced -r "$rate"
fi

t0=$(date +%s%N); cat "$tmp/input.log" >/dev/null; t1=$(date +%s%N)
wc -l "$tmp/input.log" >"$tmp/wc"; t2=$(date +%s%N)
awk -v c=$((t1 - t0)) -v w=$((t2 - t1)) -v n="$lines" 'BEGIN {
        printf "baseline: cat FILE > /dev/null %.1f ms (%.0f lines/s), wc -l FILE %.1f ms (%.0f lines/s)\n",
                c / 1e6, n / (c / 1e9), w / 1e6, n / (w / 1e9) }'

rate_fast=$(sed -n 's/.*read and classified \([0-9]*\) lines\/s.*/\1/p' "$tmp/fast.out")
core=$(sed -n 's/.*= \([0-9.]*\)% of one core at 100k lines\/s.*/\1/p' "$tmp/fast.out")
lost=$(sed -n 's/.*, lost \(-*[0-9]*\);.*/\1/p' "$tmp/fast.out")
verdict "lines/s (as fast as a writer can)" "$rate_fast" ">=" 100000
verdict "% of one core at 100k lines/s (from CPU per million lines)" "$core" "<" 5
if ((rate > 0)); then
        paced=$(sed -n 's/.* \([0-9.]*\)% of one core over the burst.*/\1/p' "$tmp/paced.out")
        verdict "% of one core while lines come at $rate/s (measured)" "$paced" "<" 5
fi
verdict "lines lost" "${lost:-?}" "<=" 0
