#!/usr/bin/env bash
# The whole test suite, as CI runs it: install, build with -Werror, run every suite plainly,
# then again under ASan+UBSan and under valgrind. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# The tests give every daemon a state and log directory of its own: the host's must stay as it was.
host_dirs=(/var/lib/badgatewayd /var/log/badgatewayd)
absent=()
for d in "${host_dirs[@]}"; do [ -e "$d" ] || absent+=("$d"); done
# php-fpm workers whose master is gone (parent PID 1): a test that kills a master must end them too
orphan_workers() { ps -eo ppid=,args= | awk '$1 == 1 && $2 == "php-fpm:" && $3 == "pool"' | wc -l; }
orphans_before=$(orphan_workers)

# meson test's own "Ok:" and "Fail:" counts (timeouts and unexpected passes count as failed)
count() {
  local log=$1 ok bad
  ok=$(awk '/^Ok:/ {print $2}' "$log")
  bad=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s + 0}' "$log")
  passed=$((passed + ${ok:-0}))
  failed=$((failed + bad))
}

# run NAME BUILDDIR [meson setup options] -- [meson test options]
run() {
  local name=$1 dir=$2 setup=() testopts=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do setup+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  testopts=("$@")
  echo "=== $name"
  local mode=()
  [ -d "$dir/meson-private" ] && mode=(--reconfigure)
  if ! meson setup "${mode[@]}" "$dir" -Dwerror=true "${setup[@]}" >/dev/null || ! ninja -C "$dir" >/dev/null; then
    echo "$name: build failed"
    failed=$((failed + 1))
    return
  fi
  local log
  log=$(mktemp)
  meson test -C "$dir" --print-errorlogs "${testopts[@]}" 2>&1 | tee "$log"
  count "$log"
  rm -f "$log"
}

run plain build
run asan+ubsan build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all --
run valgrind build -- --setup valgrind --no-suite live --no-suite systemd --no-suite bench --no-suite packaging \
    --no-suite torture   # scripts: valgrind would watch bash

for d in "${absent[@]}"; do
  if [ -e "$d" ]; then
    echo "the tests made $d on this host"
    rm -rf "$d"
    failed=$((failed + 1))
  fi
done

orphans=$(orphan_workers)
if [ "$orphans" -gt "$orphans_before" ]; then
  echo "the tests left $((orphans - orphans_before)) php-fpm workers without their master"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
