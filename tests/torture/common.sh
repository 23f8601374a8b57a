# Sourced by tests/torture/*.sh: a temp dir of the test's own, every process it starts ended by
# pid and the dir removed on exit (also on failure or Ctrl-C), the daemon started with a state
# directory of its own, and the counts read from its JSON output.
#   BADGATEWAYD, NUMWRITER: the binaries (meson sets them).
set -uo pipefail
bgw=${BADGATEWAYD:?BADGATEWAYD is not set}
numwriter=${NUMWRITER:?NUMWRITER is not set}
dir=$(mktemp -d "${TMPDIR:-/tmp}/bgw-torture.XXXXXX")
chmod 0755 "$dir"       # nginx's and php-fpm's workers (www-data) reach what is in it
pids=()
mounts=()
fail=0
cleanup() {
        local p m
        for p in "${pids[@]}"; do
                kill -CONT "$p" 2>/dev/null
                kill "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
        [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

skip() { echo "SKIP: $*"; exit 77; }
bad() { echo "FAIL: $*"; fail=1; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root ($*)"; }

# The one upstream numwriter's lines name, and the alerts' target for them.
upstream=unix:/nonexistent/bgw-torture.sock

# write_conf FILE LOG [DAEMON_KEYS...]: one pool whose socket is missing, nginx's log LOG.
write_conf() {
        local conf=$1 log=$2 kv
        shift 2
        {
                echo "[Daemon]"
                echo "ResolveAfter = 1s"
                echo "SummaryInterval = 1s"
                for kv in "$@"; do echo "$kv"; done
                echo "[Nginx]"
                echo "ErrorLog = $log"
                echo "User = $(id -un)"
                echo "[Pool torture]"
                echo "Listen = $dir/php-fpm.sock"
        } >"$conf"
}

# start_daemon NAME [run options...]: badgatewayd run --config $dir/NAME.conf --stdout into
# $dir/NAME.json, stderr into $dir/NAME.err, state in $dir/NAME.state; waits for "started".
start_daemon() {
        local name=$1
        shift
        "$bgw" run --config "$dir/$name.conf" --state-dir "$dir/$name.state" --stdout "$@" \
                >"$dir/$name.json" 2>"$dir/$name.err" &
        daemon_pid=$!
        pids+=("$daemon_pid")
        wait_for 10 grep -qs "started:" "$dir/$name.err" || { bad "$name: the daemon did not start"; cat "$dir/$name.err"; exit 1; }
}

# wait_for SECONDS COMMAND...: true once COMMAND is, polled every 50 ms.
wait_for() {
        local end=$((SECONDS + $1))
        shift
        while ((SECONDS <= end)); do
                "$@" && return 0
                sleep 0.05
        done
        return 1
}

# stop_daemon NAME: SIGTERM, waited for; its exit code in $daemon_rc.
stop_daemon() {
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid"
        daemon_rc=$?
}

# lines_read JSONFILE [UPSTREAM]: the lines the alerts for UPSTREAM count, summed over every
# alert's lines_since_last (firing, summaries, resolved).
lines_read() {
        jq -s --arg u "${2:-$upstream}" '[.[] | select(.upstream == $u) | .evidence.lines_since_last] | add // 0' "$1"
}

# resolved_count JSONFILE [UPSTREAM]: resolved alerts for UPSTREAM.
resolved_count() {
        jq -s --arg u "${2:-$upstream}" '[.[] | select(.upstream == $u and .state == "resolved")] | length' "$1"
}

# has_resolved JSONFILE [UPSTREAM]: a resolved alert for UPSTREAM is out (for wait_for).
has_resolved() {
        [ "$(resolved_count "$@")" -ge 1 ]
}

# valid_json FILE: every line of the daemon's output is a JSON object.
valid_json() {
        jq -e -s 'all(type == "object")' "$1" >/dev/null || bad "$1: output that is not JSON"
}
