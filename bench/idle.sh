#!/usr/bin/env bash
# Idle: `badgatewayd run` following a log nobody writes, its pool probed every ProbeInterval (5 s,
# the default), with a watchdog (WATCHDOG_USEC=30 s: a ping every 15 s, as under WatchdogSec=30s),
# for IDLE_SECONDS; beside inotify_reader following the same log over the same seconds.
#   bench/idle.sh [BUILD_DIR]
# Env: IDLE_SECONDS (default 600).
#
# CPU: utime + stime from /proc/PID/stat; wake-ups: voluntary context switches from
# /proc/PID/status (the involuntary ones, preemptions by other processes, printed apart), both
# counted from 2 s after the start to the end; RSS: VmRSS at the end.
# Expected wake-ups: one per probe tick and one per watchdog ping, IDLE_SECONDS/5 + IDLE_SECONDS/15.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
seconds=${IDLE_SECONDS:-600}
probe=5
watchdog=30

# The log in a directory of its own under the temp dir: the daemon watches the log's directory's
# parent too (for a log directory removed and made again), and a parent like /tmp, where other
# programs make files all the time, would wake it for each (see bench/README.md).
mkdir "$tmp/nginx"
log=$tmp/nginx/error.log
: >"$log"
# the config in a directory of its own too: the daemon watches its directory, where the daemon's
# own stdout and stderr files would wake it at each alert it writes
mkdir "$tmp/conf"
write_config "$tmp/conf/bgw.conf" "$log" "ProbeInterval = ${probe}s"

WATCHDOG_USEC=$((watchdog * 1000000)) "$bgw" run --config "$tmp/conf/bgw.conf" --state-dir "$tmp/state" --stdout >"$tmp/daemon.out" 2>"$tmp/daemon.err" &
pids+=($!)
daemon=$!
"$inotify_reader" "$log" >/dev/null 2>&1 &
pids+=($!)
base=$!
sleep 2

cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%d", (f[12] + f[13]) * 1000 / tck }' "/proc/$1/stat"; }
# A wake-up is a voluntary context switch (the process slept and something woke it); the
# involuntary ones are other processes taking the CPU from it, counted apart: they grow with the
# machine's load, not with what the daemon does.
switches() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
preempted() { awk '/^nonvoluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

c0=$(cpu_ms $daemon) s0=$(switches $daemon) p0=$(preempted $daemon) b0=$(cpu_ms $base) bs0=$(switches $base)
sleep "$seconds"
kill -0 $daemon 2>/dev/null || { echo "badgatewayd died:"; cat "$tmp/daemon.err"; exit 1; }
c1=$(cpu_ms $daemon) s1=$(switches $daemon) p1=$(preempted $daemon) b1=$(cpu_ms $base) bs1=$(switches $base)
rss=$(rss_kb $daemon) brss=$(rss_kb $base)

machine
expected=$(awk -v s="$seconds" -v p="$probe" -v w="$watchdog" 'BEGIN { printf "%d", s / p + s / (w / 2) }')
echo "idle badgatewayd: ${seconds} s, cpu $((c1 - c0)) ms, wake-ups $((s1 - s0)) ($(awk -v n=$((s1 - s0)) -v s="$seconds" 'BEGIN { printf "%.2f", n / s }')/s; expected $expected: $((seconds / probe)) probe ticks + $((seconds / (watchdog / 2))) watchdog pings; preempted $((p1 - p0)) times besides), RSS $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MB"
echo "idle inotify_reader (baseline): ${seconds} s, cpu $((b1 - b0)) ms, wake-ups $((bs1 - bs0)), RSS $(awk -v k="$brss" 'BEGIN { printf "%.1f", k / 1024 }') MB"
verdict "wake-ups (probe ticks + watchdog pings)" $((s1 - s0)) "<=" "$expected"
verdict "RSS (MB)" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" 8
