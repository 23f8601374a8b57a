# shellcheck shell=bash
# Sourced by tests/live/test_metrics*.sh: a temp dir $tmp of the test's own, every pid in pids
# ended and the dir removed on exit (also on failure or Ctrl-C), and badgatewayd serving /metrics
# for one pool whose php-fpm is not running.
#   source "$(dirname "${BASH_SOURCE[0]}")/metrics_common.sh" NAME    (the temp dir's name)
#   BADGATEWAYD: the binary (meson sets it).
set -uo pipefail
bgw=${BADGATEWAYD:?BADGATEWAYD is not set}

tmp=$(mktemp -d "/tmp/bgw-$1.XXXXXX") || exit 1
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail=0
bad() { echo "FAIL: $*"; fail=1; }

# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
  local until=$((SECONDS + $1))
  shift
  while ! "$@"; do
    [ $SECONDS -lt $until ] || return 1
    sleep 0.2
  done
}

# start_bgw POOL_LINES METRICS_LINES: badgatewayd run on $tmp/bgw.conf, pool demo on
# $tmp/fpm.sock (probed every second), nginx's log $tmp/error.log (made empty), [Metrics] Listen =
# 127.0.0.1:0; each *_LINES (newline-separated keys, or "") ends its section. Alerts go to
# $tmp/alerts.json, stderr to $tmp/bgw.err; waits until /metrics is served and sets bgw_pid, url
# (http://127.0.0.1:PORT/metrics, the port the daemon says) and port.
start_bgw() {
  : > "$tmp/error.log"
  : > "$tmp/none.conf"    # an empty nginx.conf: no nginx; a missing one is an error
  cat > "$tmp/bgw.conf" <<CONF
[Daemon]
ProbeInterval = 1s
ProbeTimeout = 1s
[Nginx]
Config = $tmp/none.conf
ErrorLog = $tmp/error.log
User = $(id -un)
[PHP-FPM]
Config = $tmp/none.conf
[Pool demo]
Listen = $tmp/fpm.sock
$1
[Metrics]
Listen = 127.0.0.1:0
$2
CONF
  "$bgw" run --config "$tmp/bgw.conf" --stdout --state-dir "$tmp/state" > "$tmp/alerts.json" 2> "$tmp/bgw.err" &
  bgw_pid=$!
  pids+=("$bgw_pid")
  wait_for 10 grep -q 'metrics: serving' "$tmp/bgw.err" ||
    { cat "$tmp/bgw.err"; echo "FAIL: the daemon serves no /metrics"; exit 1; }
  url=$(grep -o 'metrics: serving http://127.0.0.1:[0-9]*/metrics' "$tmp/bgw.err" | sed 's/.*serving //')
  port=${url##*:}
  port=${port%/metrics}
}

# stop_bgw [PATTERN]: SIGTERM; it must exit 0 with no sanitizer report (nor a line matching the
# extended regex PATTERN) on its stderr.
stop_bgw() {
  local rc pattern='Sanitizer|runtime error'
  [ -z "${1:-}" ] || pattern="$pattern|$1"
  kill -TERM "$bgw_pid"
  wait "$bgw_pid"
  rc=$?
  [ $rc -eq 0 ] || bad "badgatewayd exited with $rc"
  grep -E "$pattern" "$tmp/bgw.err" && bad "badgatewayd's stderr shows the errors above"
}
