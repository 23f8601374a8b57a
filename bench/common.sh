# Sourced by the bench/*.sh scripts: the build, a temp dir removed on exit (also on failure or
# Ctrl-C), the processes they start ended by pid, and the machine's description.
#   BUILD_DIR: the first argument, else $BUILD_DIR, else build (set up and built if missing).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${BUILD_DIR:-build}}
[[ $build = /* ]] || build=$PWD/$build
if [[ ! -f $build/build.ninja ]]; then
        meson setup "$build" "$src" -Dbuildtype=release >/dev/null
fi
if [[ -z ${BENCH_NO_BUILD:-} ]]; then    # set by the smoke test: meson test has built them
        ninja -C "$build" daemon/badgatewayd bench/gen_errorlog bench/follow bench/inotify_reader bench/journal_reader >/dev/null
fi
bgw=${BGW:-$build/daemon/badgatewayd}   # BGW: another badgatewayd binary to measure (before/after)
gen=$build/bench/gen_errorlog
follow=$build/bench/follow
inotify_reader=$build/bench/inotify_reader
journal_reader=$build/bench/journal_reader

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgw-bench.XXXXXX")
pids=()
cleanup() {
        local p
        for p in "${pids[@]}"; do
                kill "$p" 2>/dev/null || true
                wait "$p" 2>/dev/null || true
        done
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

buildtype() {
        meson introspect --buildoptions "$build" 2>/dev/null |
                grep -o '"name": "buildtype", "value": "[a-z]*"' | sed 's/.*"value": "//; s/"//' || echo '?'
}

machine() {
        echo "machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'), load $(cut -d' ' -f1-3 /proc/loadavg); badgatewayd $(buildtype) build"
}

# A config whose one pool's socket is missing (its probe fails at once), following $1.
#   write_config FILE LOG [DAEMON_KEYS...]
write_config() {
        local conf=$1 log=$2
        shift 2
        {
                echo "[Daemon]"
                local kv
                for kv in "$@"; do echo "$kv"; done
                echo "[Nginx]"
                echo "ErrorLog = $log"
                echo "User = $(id -un)"
                echo "[Pool bench]"
                echo "Listen = $tmp/php-fpm.sock"
        } >"$conf"
}

# met/not met: verdict LABEL VALUE OP TARGET   (OP: <= or <)
verdict() {
        if awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { exit !(op == "<=" ? v <= t : op == ">=" ? v >= t : v < t) }'; then
                echo "target $1: $2 $3 $4: met"
        else
                echo "target $1: $2 $3 $4: NOT met"
        fi
}
